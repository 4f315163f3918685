/*
 * tlv.c — BER-TLV reading with every length checked against the bytes that remain.
 */
#include "card/tlv.h"
#include "base/err.h"

#include <string.h>

int
dd_tlv_read(const unsigned char *p, size_t n, struct dd_tlv *out)
{
    memset(out, 0, sizeof *out);
    if (!p || n == 0)
        return DD_EINVAL;
    size_t i = 0;
    unsigned tag = p[i++];
    out->constructed = (tag & 0x20) != 0;
    if ((tag & 0x1F) == 0x1F) {
        /* Subsequent tag bytes: bit 8 set means another follows. */
        for (;;) {
            if (i >= n || i >= DD_TLV_MAX_TAG_BYTES)
                return DD_EINVAL;
            unsigned char b = p[i++];
            tag = (tag << 8) | b;
            if (!(b & 0x80))
                break;
        }
    }
    if (i >= n)
        return DD_EINVAL;
    unsigned char first = p[i++];
    size_t len;
    if (first < 0x80) {
        len = first;
    } else {
        size_t nlen = first & 0x7F;
        if (nlen == 0 || nlen > 4 || nlen > n - i)
            return DD_EINVAL;
        len = 0;
        for (size_t k = 0; k < nlen; k++)
            len = (len << 8) | p[i++];
    }
    if (len > n - i)
        return DD_EINVAL;
    out->tag = tag;
    out->value = p + i;
    out->len = len;
    out->size = i + len;
    return DD_OK;
}

void
dd_tlv_iter_init(struct dd_tlv_iter *it, const unsigned char *p, size_t n)
{
    it->p = p;
    it->n = p ? n : 0;
}

int
dd_tlv_next(struct dd_tlv_iter *it, struct dd_tlv *out)
{
    if (!it->p)
        return DD_EINVAL;
    if (it->n == 0)
        return 0;
    if (dd_tlv_read(it->p, it->n, out) != DD_OK) {
        it->p = NULL;
        it->n = 0;
        return DD_EINVAL;
    }
    it->p += out->size;
    it->n -= out->size;
    return 1;
}

int
dd_tlv_find(const unsigned char *p, size_t n, unsigned tag, struct dd_tlv *out)
{
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, p, n);
    int rc;
    while ((rc = dd_tlv_next(&it, out)) == 1)
        if (out->tag == tag)
            return DD_OK;
    return rc == 0 ? DD_ENOTFOUND : DD_EINVAL;
}

size_t
dd_tlv_put_header(unsigned tag, size_t len, unsigned char *out, size_t cap)
{
    unsigned char buf[10];
    size_t n = 0;
    for (int shift = 24; shift >= 0; shift -= 8)
        if ((tag >> shift) != 0 || shift == 0)
            buf[n++] = (unsigned char)(tag >> shift);
    if (len < 0x80) {
        buf[n++] = (unsigned char)len;
    } else {
        size_t nlen = len > 0xFFFFFF ? 4 : len > 0xFFFF ? 3 : len > 0xFF ? 2 : 1;
        if (len > 0xFFFFFFFFu)
            return 0;
        buf[n++] = (unsigned char)(0x80 | nlen);
        for (size_t k = nlen; k > 0; k--)
            buf[n++] = (unsigned char)(len >> (8 * (k - 1)));
    }
    if (n > cap)
        return 0;
    memcpy(out, buf, n);
    return n;
}
