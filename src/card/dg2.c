/*
 * dg2.c — the face image out of DG2: BER-TLV down to the biometric data block, then the
 * ISO/IEC 19794-5 (2005) fixed-size headers.
 */
#include "card/dg2.h"
#include "base/err.h"
#include "card/tlv.h"

#include <string.h>

static unsigned long
be(const unsigned char *p, int n)
{
    unsigned long v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* The 19794-5 record in block[0..n): header 14 bytes ("FAC\0", version, record length, number
 * of faces), facial information 20 bytes (block length, feature points, …), 8 bytes per feature
 * point, image information 12 bytes, then the image. */
static int
facial_record(const unsigned char *b, size_t n, struct dd_dg2_face *out)
{
    if (n < 14 + 20 + 12 || memcmp(b, "FAC", 4) != 0)
        return DD_EINVAL;
    const unsigned char *f = b + 14;
    size_t block = be(f, 4), points = be(f + 4, 2);
    size_t head = 20 + 8 * points + 12;
    if (block < head || block > n - 14)
        return DD_EINVAL;
    const unsigned char *info = f + 20 + 8 * points;
    out->width = (unsigned)be(info + 2, 2);
    out->height = (unsigned)be(info + 4, 2);
    out->image = f + head;
    out->len = block - head;
    static const unsigned char jp2[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20};
    static const unsigned char j2k[] = {0xFF, 0x4F, 0xFF, 0x51};
    if (info[1] == 0 && out->len >= 3 && out->image[0] == 0xFF && out->image[1] == 0xD8) {
        out->format = "jpeg";
        out->mime = "image/jpeg";
    } else if (info[1] == 1 && ((out->len >= sizeof jp2 && !memcmp(out->image, jp2, sizeof jp2)) ||
                                (out->len >= sizeof j2k && !memcmp(out->image, j2k, sizeof j2k)))) {
        out->format = "jpeg2000";
        out->mime = "image/jp2";
    } else {
        return DD_EINVAL;
    }
    return DD_OK;
}

int
dd_dg2_face(const unsigned char *dg2, size_t n, struct dd_dg2_face *out)
{
    memset(out, 0, sizeof *out);
    struct dd_tlv t, group, tmpl, count;
    if (dd_tlv_read(dg2, n, &t) != DD_OK || t.tag != 0x75 ||
        dd_tlv_read(t.value, t.len, &group) != DD_OK || group.tag != 0x7F61)
        return DD_EINVAL;
    if (dd_tlv_find(group.value, group.len, 0x02, &count) == DD_OK && count.len == 1)
        out->faces = count.value[0];
    struct dd_tlv_iter it;
    dd_tlv_iter_init(&it, group.value, group.len);
    int r;
    while ((r = dd_tlv_next(&it, &tmpl)) == 1) {
        if (tmpl.tag != 0x7F60)
            continue;
        struct dd_tlv data;
        if (dd_tlv_find(tmpl.value, tmpl.len, 0x5F2E, &data) != DD_OK &&
            dd_tlv_find(tmpl.value, tmpl.len, 0x7F2E, &data) != DD_OK)
            return DD_EINVAL;
        return facial_record(data.value, data.len, out);
    }
    return r < 0 ? DD_EINVAL : DD_ENOTFOUND;
}
