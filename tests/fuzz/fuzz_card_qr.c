/*
 * fuzz_card_qr.c — libFuzzer target for the chip ID card's QR text: any bytes give DD_OK or
 * DD_EINVAL naming a field; accepted text has a 12-digit ID number, valid UTF-8 name and
 * address, ISO dates in order, and a sex of "male" or "female".
 */
#include "base/err.h"
#include "base/utf8.h"
#include "card/json.h"
#include "card/qr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dd_card_qr q;
    int rc = dd_card_qr_parse((const char *)data, size, "2030-01-01", &q);
    json_decref(dd_card_qr_json(&q));
    if (rc != DD_OK) {
        if (rc != DD_EINVAL || q.valid || !q.field || q.error[0] == '\0')
            abort();
        return 0;
    }
    if (strlen(q.id_number) != 12 || strlen(q.birth_date) != 10 || strlen(q.issue_date) != 10 ||
        strcmp(q.issue_date, q.birth_date) < 0 ||
        (strcmp(q.sex, "male") != 0 && strcmp(q.sex, "female") != 0) ||
        !dd_utf8_valid(q.full_name, strlen(q.full_name), NULL) ||
        !dd_utf8_valid(q.address, strlen(q.address), NULL))
        abort();
    return 0;
}
