/*
 * ipn.c — the gateway's callbacks, VNPay-style. The IPN (server to server) is where an intent
 * becomes paid or failed: its signature, the order (vnp_TxnRef, our reference) and the amount
 * (vnp_Amount, VND × 100) are checked, then the notification is recorded once per gateway
 * transaction number and the intent moved, in one transaction. The answer is the gateway's JSON
 * {"RspCode", "Message"}: 00 confirmed, 01 order not found, 02 already confirmed (a repeated IPN
 * changes nothing), 04 invalid amount, 97 invalid signature, 99 other. The return URL, where
 * the payer's browser comes back, only shows the outcome: it changes nothing.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "core/pay/vnpay.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int
pay_note_notification(struct dd_db *db, const char *source, const char *external_id,
                      const char *payment_id, int64_t amount, const char *outcome, const char *body,
                      bool *fresh)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO payment_notifications (source, external_id, payment_id, "
                           "amount, outcome, received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT (source, external_id) DO NOTHING",
                           &st);
    if (rc != DD_OK)
        return rc;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    dd_stmt_bind_text(st, 1, source);
    dd_stmt_bind_text(st, 2, external_id);
    dd_stmt_bind_text(st, 3, payment_id ? payment_id : "");
    dd_stmt_bind_int64(st, 4, amount);
    dd_stmt_bind_text(st, 5, outcome);
    dd_stmt_bind_text(st, 6, now);
    dd_stmt_bind_text(st, 7, body ? body : "");
    rc = dd_stmt_step(st);
    *fresh = rc == DD_DB_DONE && dd_stmt_changes(st) == 1;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
ipn_reply(struct dd_req *req, const char *code)
{
    return dd_reply_json(
        req, 200, json_pack("{s:s, s:s}", "RspCode", code, "Message", dd_vnpay_message(code)));
}

static const char *
params_json(struct dd_req *req, const struct dd_vnpay_params *q)
{
    json_t *o = json_object();
    for (size_t i = 0; i < q->n; i++)
        json_object_set_new(o, q->kv[i].key, json_string(q->kv[i].value));
    const char *text = dd_json_dump(req->arena, o);
    json_decref(o);
    return text;
}

/* vnp_Amount as VND: it must be a whole number of hundreds. -1 when it is not. */
static int64_t
gateway_amount(const char *s)
{
    int64_t v;
    if (s == NULL || dd_parse_int64(s, 0, DD_PAY_MAX_AMOUNT * 100, &v) != DD_OK || v % 100 != 0)
        return -1;
    return v / 100;
}

struct ipn {
    const char *reference, *txn, *response, *status, *body;
    int64_t amount;
};

/* Records the notification and moves the intent; the RspCode to answer, or NULL after a
 * database failure (logged). */
static const char *
ipn_apply(struct dd_req *req, struct dd_db *db, struct dd_payment *p, const struct ipn *n)
{
    bool success =
        strcmp(n->response, "00") == 0 && (n->status == NULL || strcmp(n->status, "00") == 0);
    int64_t now = dd_clock_now_ms();
    const char *outcome = success ? "paid" : "failed";
    const char *code = "00";
    const char *to = outcome;
    if (strcmp(p->state, "paid") == 0 || strcmp(p->state, "refunded") == 0) {
        outcome = "already-paid";
        code = "02";
        to = NULL;
    } else if (strcmp(p->state, "expired") == 0 || dd_pay_due_to_expire(p, now)) {
        outcome = "expired";
        code = "99";
        to = strcmp(p->state, "expired") == 0 ? NULL : "expired";
    } else if (!success && strcmp(p->state, "failed") == 0) {
        to = NULL;
    }
    bool fresh = false;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = pay_note_notification(db, "vnpay", n->txn, p->id, n->amount, outcome, n->body, &fresh);
    if (rc == DD_OK && !fresh) {
        dd_db_rollback(db);
        return "02";
    }
    if (rc == DD_OK && to) {
        json_t *d = json_pack("{s:s, s:s, s:s?}", "vnp_TransactionNo", n->txn, "vnp_ResponseCode",
                              n->response, "vnp_TransactionStatus", n->status);
        const char *detail = dd_json_dump(req->arena, d);
        json_decref(d);
        struct dd_pay_move m = {
            .to = to,
            .actor = "vnpay",
            .reason = strcmp(to, "expired") == 0 ? "a gateway payment came after the window closed"
                      : success                  ? "confirmed by the gateway's IPN"
                                                 : "refused by the gateway",
            .method = "vnpay",
            .gateway_txn = success ? n->txn : NULL,
            .detail_json = detail,
            .now_ms = now,
        };
        rc = dd_pay_move(db, req->arena, p, &m);
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        dd_log(DD_LOG_ERROR, "pay.ipn", "request %s: %s", req->request_id, dd_db_errmsg(db));
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        return NULL;
    }
    return code;
}

/* GET /api/v1/payments/vnpay/ipn — the gateway's server-to-server notification. */
int
pay_vnpay_ipn(struct dd_req *req)
{
    struct dd_vnpay_params q;
    if (pay_settings.vnpay_secret[0] == '\0' || pay_query_params(req, &q) != DD_OK)
        return ipn_reply(req, "99");
    if (!dd_vnpay_verify(&q, pay_settings.vnpay_secret))
        return ipn_reply(req, "97");
    struct ipn n = {
        .reference = dd_vnpay_get(&q, "vnp_TxnRef"),
        .txn = dd_vnpay_get(&q, "vnp_TransactionNo"),
        .response = dd_vnpay_get(&q, "vnp_ResponseCode"),
        .status = dd_vnpay_get(&q, "vnp_TransactionStatus"),
        .amount = gateway_amount(dd_vnpay_get(&q, "vnp_Amount")),
        .body = params_json(req, &q),
    };
    if (n.reference == NULL || n.txn == NULL || n.txn[0] == '\0' || n.response == NULL)
        return ipn_reply(req, "99");
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_payment p;
    int rc = dd_pay_get_by_reference(db, req->arena, n.reference, &p);
    if (rc == DD_ENOTFOUND)
        return ipn_reply(req, "01");
    if (rc != DD_OK)
        return ipn_reply(req, "99");
    if (n.amount != p.amount)
        return ipn_reply(req, "04");
    const char *code = ipn_apply(req, db, &p, &n);
    return ipn_reply(req, code ? code : "99");
}

/* GET /api/v1/payments/vnpay/return — the page the payer's browser comes back to. 200 with the
 * intent's state when the signature, the order and the amount hold, 400 otherwise. */
int
pay_vnpay_return(struct dd_req *req)
{
    bool en = req->lang == DD_LANG_EN;
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 64 * 1024);
    struct dd_vnpay_params q;
    bool signed_ok =
        pay_query_params(req, &q) == DD_OK && dd_vnpay_verify(&q, pay_settings.vnpay_secret);
    struct dd_db *db = signed_ok ? dd_req_db_or_reply(req) : NULL;
    if (signed_ok && db == NULL)
        return DD_DONE;
    struct dd_payment p;
    if (!signed_ok ||
        dd_pay_get_by_reference(db, req->arena, dd_vnpay_get(&q, "vnp_TxnRef"), &p) != DD_OK ||
        gateway_amount(dd_vnpay_get(&q, "vnp_Amount")) != p.amount) {
        pay_html_start(&b, en ? "en" : "vi", en ? "Payment" : "Thanh toán");
        dd_buf_puts(&b, en ? "<h1 id=\"outcome\" data-outcome=\"invalid\">This answer from the "
                             "gateway is not valid (signature, order or amount).</h1>"
                           : "<h1 id=\"outcome\" data-outcome=\"invalid\">Kết quả từ cổng thanh "
                             "toán không hợp lệ (chữ ký, đơn hàng hoặc số tiền).</h1>");
        return pay_html_reply(req, 400, &b);
    }
    bool paid = strcmp(p.state, "paid") == 0;
    pay_html_start(&b, en ? "en" : "vi", en ? "Payment" : "Thanh toán");
    dd_buf_printf(&b, "<h1 id=\"outcome\" data-outcome=\"%s\">", p.state);
    dd_buf_puts(&b, paid ? (en ? "Payment received" : "Thanh toán thành công")
                         : (en ? "The payment is not complete" : "Thanh toán chưa hoàn tất"));
    dd_buf_puts(&b, "</h1>\n<dl><dt>");
    dd_buf_puts(&b, en ? "Reference" : "Mã thanh toán");
    dd_buf_puts(&b, "</dt><dd id=\"reference\">");
    pay_html_escape(&b, p.reference);
    dd_buf_puts(&b, "</dd><dt>");
    dd_buf_puts(&b, en ? "Amount" : "Số tiền");
    dd_buf_puts(&b, "</dt><dd>");
    pay_html_escape(&b, pay_vnd(req, p.amount));
    dd_buf_puts(&b, "</dd><dt>");
    dd_buf_puts(&b, en ? "For" : "Nội dung");
    dd_buf_puts(&b, "</dt><dd>");
    pay_html_escape(&b, p.description);
    dd_buf_puts(&b, "</dd></dl>\n");
    if (paid)
        dd_buf_printf(&b,
                      "<p><a id=\"receipt\" href=\"/api/v1/receipts/%s?format=html\">%s</a></p>",
                      p.receipt_code, en ? "Receipt" : "Biên lai điện tử");
    return pay_html_reply(req, 200, &b);
}
