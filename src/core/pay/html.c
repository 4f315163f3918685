/*
 * html.c — the payments module's few HTML pages (the return page, the sandbox gateway, the
 * receipt) are written with these helpers: escaping, a common head, the reply.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/pay/internal.h"
#include "http/reply.h"
#include "http/req.h"

#include <stdio.h>
#include <string.h>

int
pay_html_escape(struct dd_buf *b, const char *s)
{
    int rc = DD_OK;
    for (; rc == DD_OK && s && *s; s++) {
        switch (*s) {
        case '&':
            rc = dd_buf_puts(b, "&amp;");
            break;
        case '<':
            rc = dd_buf_puts(b, "&lt;");
            break;
        case '>':
            rc = dd_buf_puts(b, "&gt;");
            break;
        case '"':
            rc = dd_buf_puts(b, "&quot;");
            break;
        case '\'':
            rc = dd_buf_puts(b, "&#39;");
            break;
        default:
            rc = dd_buf_putc(b, *s);
        }
    }
    return rc;
}

int
pay_html_start(struct dd_buf *b, const char *lang, const char *title)
{
    dd_buf_printf(b,
                  "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                  "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">"
                  "<title>",
                  lang);
    pay_html_escape(b, title);
    return dd_buf_puts(b, "</title></head><body>\n");
}

int
pay_html_reply(struct dd_req *req, unsigned status, struct dd_buf *b)
{
    if (dd_buf_puts(b, "</body></html>\n") != DD_OK)
        return DD_ETOOBIG;
    req->page = true;
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_bytes(req, status, "text/html; charset=utf-8", b->data, b->len);
}

const char *
pay_vnd(struct dd_req *req, int64_t amount)
{
    char digits[24], out[40];
    snprintf(digits, sizeof digits, "%lld", (long long)amount);
    size_t n = strlen(digits), k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = '.';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    return dd_arena_printf(req->arena, "%s \xe2\x82\xab", out);
}
