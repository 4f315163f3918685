/*
 * checkout.c — paying an intent: POST …/checkouts starts a payment by gateway (a signed
 * payment URL, VNPay-style) or by bank transfer (a VietQR payload carrying the intent's
 * reference) and moves the intent to pending; POST …/refunds; GET …/vietqr draws the QR code.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "core/pay/qr_image.h"
#include "core/pay/vietqr.h"
#include "core/pay/vnpay.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define IMAGE_MAX (512 * 1024)

int
pay_vietqr_of(const struct dd_payment *p, char *out, size_t cap)
{
    if (pay_settings.bank_bin[0] == '\0' || pay_settings.bank_account[0] == '\0')
        return DD_EUNAVAIL;
    struct dd_vietqr_build b = {
        .bin = pay_settings.bank_bin,
        .account = pay_settings.bank_account,
        .amount = p->amount,
        .purpose = p->reference,
        .reference = p->reference,
    };
    char err[160];
    return dd_vietqr_build(&b, out, cap, err, sizeof err);
}

/* ms since the epoch as yyyyMMddHHmmss in Vietnam's time (UTC+7), as VNPay writes dates. */
static void
vn_time(int64_t ms, char out[15])
{
    time_t t = (time_t)(ms / 1000) + 7 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

static int64_t
iso_ms(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
    return end ? (int64_t)timegm(&tm) * 1000 : 0;
}

/* The gateway's payment URL for p, signed. */
static const char *
payment_url(struct dd_req *req, const struct dd_payment *p)
{
    char amount[24], created[15], expires[15];
    snprintf(amount, sizeof amount, "%lld", (long long)p->amount * 100);
    vn_time(dd_clock_now_ms(), created);
    vn_time(iso_ms(p->expires_at), expires);
    struct dd_vnpay_params q = {0};
    dd_vnpay_set(&q, "vnp_Version", "2.1.0");
    dd_vnpay_set(&q, "vnp_Command", "pay");
    dd_vnpay_set(&q, "vnp_TmnCode", pay_settings.tmn_code);
    dd_vnpay_set(&q, "vnp_Amount", amount);
    dd_vnpay_set(&q, "vnp_CurrCode", "VND");
    dd_vnpay_set(&q, "vnp_TxnRef", p->reference);
    dd_vnpay_set(&q, "vnp_OrderInfo", dd_arena_printf(req->arena, "Thanh toan %s", p->reference));
    dd_vnpay_set(&q, "vnp_OrderType", p->purpose);
    dd_vnpay_set(&q, "vnp_Locale", req->lang == DD_LANG_EN ? "en" : "vn");
    dd_vnpay_set(
        &q, "vnp_ReturnUrl",
        dd_arena_printf(req->arena, "%s/api/v1/payments/vnpay/return", pay_settings.base_url));
    dd_vnpay_set(&q, "vnp_IpAddr", "127.0.0.1");
    dd_vnpay_set(&q, "vnp_CreateDate", created);
    dd_vnpay_set(&q, "vnp_ExpireDate", expires);
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 8192);
    dd_buf_printf(&b, "%s?", pay_settings.vnpay_url);
    if (dd_vnpay_query(&q, pay_settings.vnpay_secret, &b) != DD_OK)
        return NULL;
    return b.data;
}

static int
payable_or_reply(struct dd_req *req, const struct dd_payment *p)
{
    if (strcmp(p->state, "created") == 0 || strcmp(p->state, "pending") == 0 ||
        strcmp(p->state, "failed") == 0)
        return DD_OK;
    const char *vi =
        dd_arena_printf(req->arena, "Khoản thanh toán ở trạng thái %s, không thể trả.", p->state);
    const char *en = dd_arena_printf(req->arena, "The payment is %s and cannot be paid.", p->state);
    dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, vi, en,
                            json_pack("{s:s}", "state", p->state));
    return DD_ECONFLICT;
}

static const char *const checkout_fields[] = {"method", NULL};

static int
method_or_reply(struct dd_req *req, const char **method)
{
    struct pay_form f;
    pay_form_init(&f, req, checkout_fields);
    *method = pay_form_string(&f, "method", true, 16);
    if (*method && strcmp(*method, "vnpay") != 0 && strcmp(*method, "vietqr") != 0)
        pay_form_error(&f, "method", "method-invalid", "Một trong: vnpay, vietqr.",
                       "One of: vnpay, vietqr.");
    return pay_form_done_or_reply(&f);
}

/* Moves p to pending (unless it is) and replies 201 with what the payer needs. */
static int
checkout(struct dd_req *req, const char *payer)
{
    const char *method;
    if (method_or_reply(req, &method) != 0)
        return DD_DONE;
    bool gateway = strcmp(method, "vnpay") == 0;
    if (gateway && pay_settings.vnpay_secret[0] == '\0')
        return pay_not_configured(req, "pay-vnpay-secret");
    if (gateway && pay_settings.vnpay_url[0] == '\0')
        return pay_not_configured(req, "pay-vnpay-url");
    if (!gateway && pay_settings.bank_bin[0] == '\0')
        return pay_not_configured(req, "pay-bank-bin");
    struct dd_db *db = dd_req_db_or_reply(req);
    struct dd_payment p;
    if (db == NULL || pay_intent_or_reply(req, db, payer, &p) != DD_OK ||
        payable_or_reply(req, &p) != DD_OK)
        return DD_DONE;
    json_t *out = json_pack("{s:s}", "method", method);
    if (gateway) {
        const char *url = payment_url(req, &p);
        if (url == NULL)
            return pay_fail(req, db, DD_EINTERNAL);
        json_object_set_new(out, "payment_url", json_string(url));
    } else {
        char payload[DD_VIETQR_MAX + 1];
        if (pay_vietqr_of(&p, payload, sizeof payload) != DD_OK)
            return pay_not_configured(req, "pay-bank-bin, pay-bank-account");
        json_object_set_new(out, "vietqr", json_string(payload));
        json_object_set_new(out, "transfer_description", json_string(p.reference));
    }
    int rc = DD_OK;
    if (strcmp(p.state, "pending") != 0) {
        struct dd_pay_move m = {.to = "pending",
                                .actor = pay_actor(req),
                                .reason = gateway ? "checkout by gateway" : "checkout by VietQR",
                                .method = method,
                                .now_ms = dd_clock_now_ms()};
        rc = dd_db_begin(db);
        if (rc == DD_OK)
            rc = dd_pay_move(db, req->arena, &p, &m);
        if (rc == DD_OK)
            rc = dd_db_commit(db);
    }
    if (rc != DD_OK) {
        json_decref(out);
        return pay_fail(req, db, rc);
    }
    json_object_set_new(out, "payment", dd_pay_json(&p));
    return dd_reply_json(req, 201, out);
}

/* POST /api/v1/payments/{id}/checkouts — {"method": "vnpay" | "vietqr"}: 201 with the payment
 * URL or the VietQR payload; 409 if the intent cannot be paid (paid, expired, refunded); 503
 * when the method is not configured. */
int
pay_checkout(struct dd_req *req)
{
    return checkout(req, NULL);
}

/* POST /api/v1/me/payments/{id}/checkouts — the same for the payer's own intents. */
int
pay_me_checkout(struct dd_req *req)
{
    return checkout(req, req->who->id_number);
}

static const char *const refund_fields[] = {"reason", NULL};

/* POST /api/v1/payments/{id}/refunds — {"reason"}: 201 with the intent, refunded; 409 unless it
 * is paid. */
int
pay_refund(struct dd_req *req)
{
    struct pay_form f;
    pay_form_init(&f, req, refund_fields);
    const char *reason = pay_form_string(&f, "reason", true, 500);
    if (pay_form_done_or_reply(&f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct dd_payment p;
    if (db == NULL || pay_intent_or_reply(req, db, NULL, &p) != DD_OK)
        return DD_DONE;
    if (strcmp(p.state, "paid") != 0)
        return dd_reply_problem_detail(
            req, DD_PROBLEM_CONFLICT, "Chỉ hoàn tiền được khoản đã thanh toán.",
            "Only a paid payment can be refunded.", json_pack("{s:s}", "state", p.state));
    struct dd_pay_move m = {
        .to = "refunded", .actor = pay_actor(req), .reason = reason, .now_ms = dd_clock_now_ms()};
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_pay_move(db, req->arena, &p, &m);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return pay_fail(req, db, rc);
    return dd_reply_json(req, 201, pay_intent_json(db, &p));
}

/* GET /api/v1/payments/{id}/vietqr?format=svg|png|text — the intent's VietQR code. */
int
pay_vietqr_image(struct dd_req *req)
{
    const char *format = dd_req_query(req, "format");
    if (format == NULL)
        format = "svg";
    if (strcmp(format, "svg") != 0 && strcmp(format, "png") != 0 && strcmp(format, "text") != 0) {
        json_t *ext = dd_problem_add_error(NULL, req, "format", "format-invalid",
                                           "Một trong: svg, png, text.", "One of: svg, png, text.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    struct dd_payment p;
    if (db == NULL || pay_intent_or_reply(req, db, NULL, &p) != DD_OK)
        return DD_DONE;
    char *payload = dd_arena_alloc(req->arena, DD_VIETQR_MAX + 1);
    if (pay_vietqr_of(&p, payload, DD_VIETQR_MAX + 1) != DD_OK)
        return pay_not_configured(req, "pay-bank-bin, pay-bank-account");
    if (strcmp(format, "text") == 0)
        return dd_reply_bytes(req, 200, "text/plain; charset=utf-8", payload, strlen(payload));
    struct dd_buf b;
    dd_buf_init(&b, req->arena, IMAGE_MAX);
    bool png = strcmp(format, "png") == 0;
    int rc = png ? dd_qr_png(payload, 6, &b) : dd_qr_svg(payload, &b);
    if (rc != DD_OK)
        return pay_fail(req, db, DD_EINTERNAL);
    return dd_reply_bytes(req, 200, png ? "image/png" : "image/svg+xml", b.data, b.len);
}
