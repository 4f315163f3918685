/*
 * verify_api.c — the public check and the printable rendering:
 *   POST /api/v1/wallet/verifications                 {sd_jwt} → the verdict, 200 either way
 *   GET  /api/v1/me/wallet/documents/{id}/rendering   the holder's document as an HTML page to
 *                                                     print, with a QR code of the whole SD-JWT
 * A verdict is not an HTTP error: a revoked document is a correct answer, given with 200,
 * "valid": false and the reason. Only the claims disclosed are ever returned.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/wallet/internal.h"
#include "crypto/sdjwt.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

int
wallet_verifications_create(struct dd_req *req)
{
    struct wform f;
    wform_init(&f, req);
    const char *sd_jwt = wform_str(&f, "sd_jwt", true, DD_SDJWT_MAX);
    if (wform_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_wallet_verdict v;
    int rc = dd_wallet_verify(db, req->arena, sd_jwt, dd_clock_now_ms(), &v);
    if (rc != DD_OK)
        return wallet_fail(req, db, rc);
    return dd_reply_json(req, 200, wallet_verdict_json(&v));
}

static void
html_text(struct dd_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            dd_buf_puts(b, "&lt;");
            break;
        case '>':
            dd_buf_puts(b, "&gt;");
            break;
        case '&':
            dd_buf_puts(b, "&amp;");
            break;
        case '"':
            dd_buf_puts(b, "&quot;");
            break;
        case '\'':
            dd_buf_puts(b, "&#39;");
            break;
        default:
            dd_buf_putc(b, *s);
        }
    }
}

static void
date_of(int64_t s, char out[32])
{
    char iso[32];
    dd_clock_iso8601((s + 7 * 3600) * 1000, iso);
    memcpy(out, iso, 10);
    out[10] = '\0';
}

int
wallet_me_rendering_get(struct dd_req *req)
{
    const char *me = wallet_me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *doc = wallet_my_document_or_reply(req, db, me);
    if (doc == NULL)
        return DD_DONE;
    const char *sd_jwt = json_string_value(json_object_get(doc, "sd_jwt"));
    const char *link =
        dd_arena_printf(req->arena, "%s/wallet/verify.html#%s", wallet_settings.base_url, sd_jwt);
    const char *svg = wallet_qr_svg(req->arena, link);
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 1u << 20);
    dd_buf_puts(&b, "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><link "
                    "rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><title>");
    html_text(&b, json_string_value(json_object_get(doc, "title")));
    dd_buf_puts(&b, "</title><link rel=\"stylesheet\" href=\"/style.css\"><link rel=\"stylesheet\" "
                    "href=\"/wallet/print.css\"></head><body class=\"wallet-print\"><main>"
                    "<h1>");
    html_text(&b, json_string_value(json_object_get(doc, "title")));
    dd_buf_puts(&b, "</h1><p class=\"issuer\">");
    html_text(&b, json_string_value(json_object_get(doc, "issuer_name")));
    char from[32], to[32];
    date_of(json_integer_value(json_object_get(doc, "issued_at")), from);
    date_of(json_integer_value(json_object_get(doc, "expires_at")), to);
    dd_buf_printf(&b, "</p><p>Ngày cấp / Issued: %s — Có giá trị đến / Valid until: %s</p>", from,
                  to);
    dd_buf_puts(&b, "<table class=\"claims\"><tbody>");
    const char *name;
    json_t *value;
    json_object_foreach(json_object_get(doc, "claims"), name, value)
    {
        dd_buf_puts(&b, "<tr><th scope=\"row\">");
        html_text(&b, name);
        dd_buf_puts(&b, "</th><td>");
        if (json_is_string(value)) {
            html_text(&b, json_string_value(value));
        } else {
            char *j = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
            html_text(&b, j);
            free(j);
        }
        dd_buf_puts(&b, "</td></tr>");
    }
    dd_buf_puts(&b, "</tbody></table><figure class=\"qr\">");
    if (svg)
        dd_buf_puts(&b, svg);
    dd_buf_puts(&b, "<figcaption>Quét để kiểm tra giấy tờ (cả khi không có mạng) / Scan to "
                    "verify (also offline). Mã giấy tờ / Reference: ");
    html_text(&b, json_string_value(json_object_get(doc, "id")));
    dd_buf_puts(&b, "</figcaption></figure></main></body></html>");
    req->page = true;
    return dd_reply_bytes(req, 200, "text/html; charset=utf-8", b.data, b.len);
}
