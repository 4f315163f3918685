/*
 * fuzz_card_chip.c — libFuzzer target for what a chip read parses from the chip's own bytes:
 * DG13 (the Vietnamese personal data), the DG2 face record, EF.COM's tag list. Whatever the
 * input, nothing is read outside it, texts stay terminated, and a face image lies inside DG2.
 */
#include "base/err.h"
#include "card/dg13.h"
#include "card/dg2.h"
#include "card/emrtd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dd_dg13 d;
    if (dd_dg13_parse(data, size, &d) == DD_OK) {
        if (d.nfields <= 0 || strlen(d.full_name) >= sizeof d.full_name ||
            strlen(d.residence) >= sizeof d.residence || d.nother > DD_DG13_MAX_OTHER)
            abort();
    }
    struct dd_dg2_face f;
    if (dd_dg2_face(data, size, &f) == DD_OK) {
        if (f.image < data || f.image + f.len > data + size || !f.format)
            abort();
    }
    int dgs[16];
    int n = dd_emrtd_com_dgs(data, size, dgs, 16);
    if (n > 16)
        abort();
    for (int i = 0; i < n; i++)
        if (dgs[i] < 1 || dgs[i] > 16)
            abort();
    return 0;
}
