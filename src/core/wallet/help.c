/*
 * help.c — small helpers the wallet's handlers share: the caller's ID number, store failures,
 * body checks gathered into one 400 reply, random identifiers, the verdict as JSON and QR codes
 * as SVG.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/register/register.h"
#include "core/wallet/internal.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <qrencode.h>
#include <string.h>

struct wallet_settings wallet_settings;

const char *
wallet_me_or_reply(struct dd_req *req)
{
    if (req->who && req->who->id_number[0])
        return req->who->id_number;
    dd_reply_problem_detail(req, DD_PROBLEM_FORBIDDEN,
                            "Tài khoản này không gắn với số định danh cá nhân nào.",
                            "This account has no personal ID number.", NULL);
    return NULL;
}

int
wallet_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_EDB)
        dd_log(DD_LOG_ERROR, "wallet.db", "request %s: %s", req->request_id, dd_db_errmsg(db));
    if (rc == DD_EBUSY || rc == DD_EUNAVAIL)
        dd_reply_header(req, "Retry-After", "1");
    return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
}

void
wallet_random_id(char out[24])
{
    unsigned char r[16];
    dd_random_bytes(r, sizeof r);
    dd_b64url_encode(r, sizeof r, out, 24);
}

json_t *
wallet_verdict_json(const struct dd_wallet_verdict *v)
{
    json_t *o = json_pack("{s:b}", "valid", v->valid);
    json_object_set_new(o, "reason", v->reason ? json_string(v->reason) : json_null());
    if (v->issuer)
        json_object_set_new(o, "issuer", json_string(v->issuer));
    if (v->issuer_name)
        json_object_set_new(o, "issuer_name", json_string(v->issuer_name));
    if (v->vct)
        json_object_set_new(o, "vct", json_string(v->vct));
    if (v->kid)
        json_object_set_new(o, "kid", json_string(v->kid));
    if (v->iat)
        json_object_set_new(o, "issued_at", json_integer(v->iat));
    if (v->exp)
        json_object_set_new(o, "expires_at", json_integer(v->exp));
    json_object_set_new(o, "claims",
                        v->valid && v->claims ? json_incref(v->claims) : json_object());
    return o;
}

char *
wallet_qr_svg(struct dd_arena *a, const char *text)
{
    QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
    if (qr == NULL)
        return NULL;
    int w = qr->width, q = 4;
    struct dd_buf b;
    dd_buf_init(&b, a, 4u << 20);
    dd_buf_printf(&b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                  "shape-rendering=\"crispEdges\" role=\"img\"><rect width=\"%d\" height=\"%d\" "
                  "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                  w + 2 * q, w + 2 * q, w + 2 * q, w + 2 * q);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (qr->data[y * w + x] & 1)
                dd_buf_printf(&b, "M%d %dh1v1h-1z", x + q, y + q);
    dd_buf_puts(&b, "\"/></svg>");
    dd_buf_putc(&b, '\0');
    QRcode_free(qr);
    return b.data;
}

/* ---- bodies ---- */

void
wform_init(struct wform *f, struct dd_req *req)
{
    f->req = req;
    f->ext = NULL;
    f->body = json_is_object(req->json) ? req->json : NULL;
    if (f->body == NULL)
        wform_error(f, "", "not-an-object", "Nội dung phải là một đối tượng JSON.",
                    "The body must be a JSON object.");
}

void
wform_error(struct wform *f, const char *field, const char *code, const char *vi, const char *en)
{
    f->ext = dd_problem_add_error(f->ext, f->req, field, code, vi, en);
}

const char *
wform_str(struct wform *f, const char *name, bool required, size_t max)
{
    json_t *v = f->body ? json_object_get(f->body, name) : NULL;
    if (v == NULL) {
        if (required && f->body)
            wform_error(f, name, "required", "Trường này là bắt buộc.", "This field is required.");
        return NULL;
    }
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strlen(s) > max || dd_str_has_control(s)) {
        wform_error(f, name, "invalid", "Giá trị không hợp lệ (chuỗi không rỗng, đủ ngắn).",
                    "Invalid value (a non-empty, short enough string).");
        return NULL;
    }
    return s;
}

const char *
wform_id_number(struct wform *f, const char *name)
{
    const char *s = wform_str(f, name, true, 12);
    if (s && !dd_reg_id_number_shape(s)) {
        wform_error(f, name, "id-number-invalid", "Số định danh cá nhân gồm 12 chữ số hợp lệ.",
                    "A personal ID number is 12 valid digits.");
        return NULL;
    }
    return s;
}

int
wform_done_or_reply(struct wform *f)
{
    if (f->ext == NULL)
        return 0;
    dd_reply_problem(f->req, DD_PROBLEM_VALIDATION_FAILED, f->ext);
    return -1;
}
