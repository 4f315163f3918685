/*
 * purpose.c — reading the X-Purpose header (see purpose.h): percent-decoding, then the UTF-8,
 * length and control-character checks, then NFC.
 */
#include "core/purpose.h"
#include "base/arena.h"
#include "base/str.h"
#include "base/utf8.h"
#include "http/problem.h"
#include "http/req.h"

#include <stdbool.h>
#include <string.h>

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX sequences; anything else, a lone '%' included, stays as it is. */
static char *
percent_decode(struct dd_arena *a, const char *s)
{
    size_t n = strlen(s), o = 0;
    char *out = dd_arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out[o++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

const char *
dd_purpose(struct dd_req *req)
{
    const char *raw = dd_req_header(req, "X-Purpose");
    if (raw == NULL)
        return NULL;
    const char *v = strchr(raw, '%') ? percent_decode(req->arena, raw) : raw;
    size_t n = strlen(v);
    if (n == 0 || n > DD_PURPOSE_MAX_BYTES || !dd_utf8_valid(v, n, NULL) || dd_str_has_control(v))
        return NULL;
    return dd_utf8_nfc(req->arena, v);
}

const char *
dd_purpose_or_reply(struct dd_req *req)
{
    const char *purpose = dd_purpose(req);
    if (purpose != NULL)
        return purpose;
    json_t *ext = dd_problem_add_error(
        NULL, req, "X-Purpose", "purpose-required",
        "Cán bộ đọc dữ liệu công dân phải nêu mục đích trong tiêu đề X-Purpose (UTF-8, có thể "
        "mã hoá %XX, tối đa 200 byte).",
        "An officer reading a citizen's data must state the purpose in the X-Purpose header "
        "(UTF-8, %XX-encoding allowed, at most 200 bytes).");
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return NULL;
}
