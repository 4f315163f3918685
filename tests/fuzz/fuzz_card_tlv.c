/*
 * fuzz_card_tlv.c — libFuzzer target for the BER-TLV reader: every object it returns must lie
 * inside the input, a walk must end, and nested values are walked too (as chip files are).
 */
#include "base/err.h"
#include "card/tlv.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
walk(const unsigned char *p, size_t n, int depth)
{
    struct dd_tlv_iter it;
    struct dd_tlv t;
    dd_tlv_iter_init(&it, p, n);
    size_t used = 0;
    int rc;
    while ((rc = dd_tlv_next(&it, &t)) == 1) {
        if (t.value < p || t.value + t.len > p + n || t.size > n - used || t.size <= t.len)
            abort();
        used += t.size;
        if (t.constructed && depth < 16)
            walk(t.value, t.len, depth + 1);
    }
    if (rc != 0 && rc != DD_EINVAL)
        abort();
    if (rc == 0 && used != n)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk(data, size, 0);
    struct dd_tlv t;
    if (dd_tlv_read(data, size, &t) == DD_OK) {
        unsigned char hdr[10];
        size_t h = dd_tlv_put_header(t.tag, t.len, hdr, sizeof hdr);
        if (h == 0 || h > t.size - t.len)
            abort();
    }
    return 0;
}
