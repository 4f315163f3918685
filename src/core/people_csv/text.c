/*
 * text.c — a one-pass UTF-8 decoder that also tells whether NFC could change the text.
 * tests/unit/test_csv.c checks every code point of the stable ranges, and many pairs of them,
 * against utf8proc.
 */
#include "core/people_csv/text.h"
#include "base/utf8.h"

#include <stdint.h>

const unsigned dd_pl_text_stable_ranges[][2] = {
    {0x00A0, 0x024F}, /* Latin-1 Supplement, Latin Extended-A and -B */
    {0x1E00, 0x1EFF}, /* Latin Extended Additional: ạ ả ấ ầ ẩ ẫ ậ … ỹ */
    {0x2010, 0x2027}, /* dashes, quotation marks, bullets */
    {0x2030, 0x205E}, {0, 0},
};

static bool
stable(unsigned cp)
{
    for (int i = 0; dd_pl_text_stable_ranges[i][1] != 0; i++)
        if (cp >= dd_pl_text_stable_ranges[i][0] && cp <= dd_pl_text_stable_ranges[i][1])
            return true;
    return false;
}

enum dd_pl_text
dd_pl_text_classify(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        /* Two- and three-byte sequences of the stable ranges, decoded here; anything else goes
         * to the full check. */
        unsigned cp;
        size_t len;
        if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
            cp = ((unsigned)(c & 0x1F) << 6) | (p[i + 1] & 0x3F);
            len = 2;
        } else if (c >= 0xE1 && c <= 0xE2 && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 &&
                   (p[i + 2] & 0xC0) == 0x80) {
            cp = ((unsigned)(c & 0x0F) << 12) | ((unsigned)(p[i + 1] & 0x3F) << 6) |
                 (p[i + 2] & 0x3F);
            len = 3;
        } else {
            return dd_utf8_valid(s, n, NULL) ? DD_PL_TEXT_NORMALISE : DD_PL_TEXT_INVALID;
        }
        if (!stable(cp))
            return dd_utf8_valid(s, n, NULL) ? DD_PL_TEXT_NORMALISE : DD_PL_TEXT_INVALID;
        i += len;
    }
    return DD_PL_TEXT_NFC;
}
