/*
 * tlv.h — a bounded reader of BER-TLV (ISO/IEC 8825-1 as used by ISO 7816-4 and ICAO 9303): the
 * chip's files (EF.COM, DG1 `61 …`, EF.SOD `77 …`), secure-messaging data objects and the DER of
 * the LDS security object. It never reads past the bytes it is given and never allocates: a
 * value is a pointer into the input.
 */
#ifndef DD_CARD_TLV_H
#define DD_CARD_TLV_H

#include <stdbool.h>
#include <stddef.h>

/* Tags of at most 4 bytes, lengths of at most 4 bytes (values under 4 GiB). */
#define DD_TLV_MAX_TAG_BYTES 4

struct dd_tlv {
    unsigned tag;               /* the tag bytes as written, big-endian: 0x61, 0x5F1F, 0x7F61 */
    bool constructed;           /* bit 6 of the first tag byte */
    const unsigned char *value; /* points into the input */
    size_t len;                 /* of the value */
    size_t size;                /* tag + length + value: where the next object starts */
};

/* Reads one TLV object from the start of p[0..n). Returns DD_OK and fills *out, or DD_EINVAL
 * when the bytes are not a whole object: empty input, a tag longer than 4 bytes, the indefinite
 * length (0x80), a length field over 4 bytes or not minimal in a way that matters (0x81 with
 * a value under 0x80 is accepted, as chips write it), or a value running past n. */
int dd_tlv_read(const unsigned char *p, size_t n, struct dd_tlv *out);

/* Walks the objects of a sequence one after another: set it with dd_tlv_iter_init over a
 * constructed value (or a whole file), then call dd_tlv_next until it returns 0. */
struct dd_tlv_iter {
    const unsigned char *p;
    size_t n;
};

void dd_tlv_iter_init(struct dd_tlv_iter *it, const unsigned char *p, size_t n);

/* Returns 1 and the next object, 0 at the end, DD_EINVAL on malformed bytes (the walk then
 * stops: further calls return DD_EINVAL too). */
int dd_tlv_next(struct dd_tlv_iter *it, struct dd_tlv *out);

/* Finds the first object with `tag` among the objects of p[0..n) (not below them). Returns DD_OK,
 * DD_ENOTFOUND, or DD_EINVAL if malformed bytes come before it. */
int dd_tlv_find(const unsigned char *p, size_t n, unsigned tag, struct dd_tlv *out);

/* Writes a tag and a definite length (the shortest form) for a value of `len` bytes into out;
 * returns the number of bytes written, or 0 when cap is too small. */
size_t dd_tlv_put_header(unsigned tag, size_t len, unsigned char *out, size_t cap);

#endif
