/*
 * fuzz_card_mrz.c — libFuzzer target for the MRZ parser: any bytes give DD_OK or DD_EINVAL with a
 * reason, the strings filled are terminated within their fields, an accepted MRZ has every check
 * passing, yields BAC information, and parses to the same result again.
 */
#include "base/err.h"
#include "card/json.h"
#include "card/mrz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dd_mrz m;
    int rc = dd_mrz_parse((const char *)data, size, &m);
    if (rc != DD_OK && (rc != DD_EINVAL || m.valid || m.error[0] == '\0'))
        abort();
    if (strnlen(m.document_number, sizeof m.document_number) == sizeof m.document_number ||
        strnlen(m.surname, sizeof m.surname) == sizeof m.surname ||
        strnlen(m.given_names, sizeof m.given_names) == sizeof m.given_names)
        abort();
    json_decref(dd_card_mrz_json(&m));
    if (rc != DD_OK)
        return 0;
    for (int i = 0; i < m.nchecks; i++)
        if (!m.checks[i].ok)
            abort();
    char info[64];
    if (dd_mrz_bac_info(&m, info, sizeof info) == 0)
        abort();
    struct dd_mrz again;
    if (dd_mrz_parse((const char *)data, size, &again) != DD_OK ||
        strcmp(again.document_number, m.document_number) != 0)
        abort();
    return 0;
}
