/*
 * input.c — what the card API reads from a request: base64 fields, strictly (RFC 4648 §4, the
 * standard alphabet with its padding, nothing else), and the module's own problem types.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/card_api/internal.h"
#include "http/problem.h"
#include "http/req.h"

#include <jansson.h>
#include <stdbool.h>

/* The value of a base64 character, or -1. */
static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int
card_base64_decode(struct dd_req *req, const char *s, size_t n, size_t max, unsigned char **out,
                   size_t *len)
{
    if (n == 0 || n % 4 != 0)
        return DD_EINVAL;
    size_t pad = (s[n - 1] == '=') + (s[n - 1] == '=' && s[n - 2] == '=');
    size_t size = n / 4 * 3 - pad;
    if (size > max)
        return DD_ETOOBIG;
    unsigned char *b = dd_arena_alloc(req->arena, size + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        bool last = i + 4 == n;
        for (int k = 0; k < 4; k++) {
            bool padded = last && k >= 4 - (int)pad;
            v[k] = padded ? 0 : b64_value((unsigned char)s[i + k]);
            if (v[k] < 0)
                return DD_EINVAL;
        }
        unsigned long w = (unsigned long)v[0] << 18 | (unsigned long)v[1] << 12 |
                          (unsigned long)v[2] << 6 | (unsigned long)v[3];
        unsigned char bytes[3] = {(unsigned char)(w >> 16), (unsigned char)(w >> 8),
                                  (unsigned char)w};
        size_t keep = last ? 3 - pad : 3;
        /* The bits a padded group leaves over must be zero (the canonical form). */
        if (last && pad > 0 && bytes[keep] != 0)
            return DD_EINVAL;
        for (size_t k = 0; k < keep; k++)
            b[o++] = bytes[k];
    }
    *out = b;
    *len = o;
    return DD_OK;
}

struct card_problem_info {
    const char *slug;
    const char *title;
    const char *vi, *en;
};

static const struct card_problem_info problems[] = {
    [CARD_PROBLEM_QR_INVALID] = {"card-qr-invalid", "Card QR Invalid",
                                 "Nội dung mã QR không phải của thẻ căn cước hợp lệ.",
                                 "The QR text is not that of a valid ID card."},
    [CARD_PROBLEM_SOD_INVALID] = {"card-sod-invalid", "Card SOD Invalid",
                                  "EF.SOD không đọc được (không phải đối tượng bảo mật LDS đã ký).",
                                  "EF.SOD cannot be read (not a signed LDS security object)."},
};

int
card_problem_reply(struct dd_req *req, enum card_problem p, const char *field, const char *reason)
{
    const struct card_problem_info *info = &problems[p];
    json_t *ext =
        json_pack("{s:s, s:s, s:s, s:s}", "type",
                  dd_arena_printf(req->arena, "urn:dinhdanh:problem:%s", info->slug), "title",
                  info->title, "field", field ? field : "", "reason", reason ? reason : "");
    return dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED, info->vi, info->en, ext);
}
