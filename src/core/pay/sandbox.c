/*
 * sandbox.c — a local payment gateway that behaves like a VNPay-style one, for tests and the
 * demo (setting pay-sandbox). GET /sandbox/vnpay/pay is the gateway's payment page: it checks
 * the merchant's signed request and its expiry and shows the order with "Pay" and "Cancel".
 * POST /sandbox/vnpay/pay (the page's form) settles it as a gateway would: it signs the result
 * parameters, sends the IPN to this server (GET, libcurl, 10 s at most) and only then redirects
 * the browser to the merchant's return URL with the same signed parameters. The IPN's answer
 * code is also given in the redirect's X-Sandbox-Ipn header, for tests. The IPN goes out while
 * the form's request holds a worker thread, so the server needs two threads or more.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "core/pay/vnpay.h"
#include "crypto/random.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define IPN_TIMEOUT_S 10
#define IPN_REPLY_MAX 4096

static int
sandbox_off_or_reply(struct dd_req *req)
{
    if (pay_settings.sandbox && pay_settings.vnpay_secret[0])
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return DD_ENOTFOUND;
}

static void
vn_now(char out[15])
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

/* NULL when the merchant's request holds, else why not (Vietnamese, English). */
static const char *
request_problem(const struct dd_vnpay_params *q, bool en)
{
    if (!dd_vnpay_verify(q, pay_settings.vnpay_secret))
        return en ? "Invalid signature (code 70)." : "Sai chữ ký (mã 70).";
    const char *tmn = dd_vnpay_get(q, "vnp_TmnCode");
    if (tmn == NULL || strcmp(tmn, pay_settings.tmn_code) != 0)
        return en ? "Unknown merchant (code 02)." : "Mã đơn vị không hợp lệ (mã 02).";
    const char *expires = dd_vnpay_get(q, "vnp_ExpireDate");
    char now[15];
    vn_now(now);
    if (expires && strlen(expires) == 14 && strcmp(expires, now) < 0)
        return en ? "The payment window has closed (code 11)."
                  : "Đã hết hạn chờ thanh toán (mã 11).";
    if (!dd_vnpay_get(q, "vnp_TxnRef") || !dd_vnpay_get(q, "vnp_Amount") ||
        !dd_vnpay_get(q, "vnp_ReturnUrl"))
        return en ? "The request lacks parameters (code 03)." : "Thiếu tham số (mã 03).";
    return NULL;
}

static int
refuse_page(struct dd_req *req, const char *why)
{
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 16 * 1024);
    pay_html_start(&b, req->lang == DD_LANG_EN ? "en" : "vi", "Sandbox gateway");
    dd_buf_puts(&b, "<h1 id=\"error\">");
    pay_html_escape(&b, why);
    dd_buf_puts(&b, "</h1>");
    return pay_html_reply(req, 400, &b);
}

/* GET /sandbox/vnpay/pay — the payment page. 400 page for a bad signature or an expired order. */
int
pay_sandbox_page(struct dd_req *req)
{
    if (sandbox_off_or_reply(req) != DD_OK)
        return DD_DONE;
    bool en = req->lang == DD_LANG_EN;
    struct dd_vnpay_params q;
    if (pay_query_params(req, &q) != DD_OK)
        return refuse_page(req, en ? "Bad parameters." : "Tham số không hợp lệ.");
    const char *why = request_problem(&q, en);
    if (why)
        return refuse_page(req, why);
    int64_t amount = 0;
    dd_parse_int64(dd_vnpay_get(&q, "vnp_Amount"), 0, INT64_MAX, &amount);
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 64 * 1024);
    pay_html_start(&b, en ? "en" : "vi", en ? "Sandbox gateway" : "Cổng thanh toán thử");
    dd_buf_puts(&b,
                en ? "<h1>Sandbox payment gateway</h1>" : "<h1>Cổng thanh toán thử nghiệm</h1>");
    dd_buf_puts(&b, "<dl><dt>");
    dd_buf_puts(&b, en ? "Order" : "Đơn hàng");
    dd_buf_puts(&b, "</dt><dd id=\"order\">");
    pay_html_escape(&b, dd_vnpay_get(&q, "vnp_TxnRef"));
    dd_buf_puts(&b, "</dd><dt>");
    dd_buf_puts(&b, en ? "Amount" : "Số tiền");
    dd_buf_puts(&b, "</dt><dd id=\"amount\">");
    pay_html_escape(&b, pay_vnd(req, amount / 100));
    dd_buf_puts(&b, "</dd><dt>");
    dd_buf_puts(&b, en ? "Description" : "Nội dung");
    dd_buf_puts(&b, "</dt><dd>");
    pay_html_escape(&b, dd_vnpay_get(&q, "vnp_OrderInfo"));
    dd_buf_puts(&b, "</dd></dl>\n<form method=\"post\" action=\"/sandbox/vnpay/pay\">\n");
    for (size_t i = 0; i < q.n; i++) {
        dd_buf_puts(&b, "<input type=\"hidden\" name=\"");
        pay_html_escape(&b, q.kv[i].key);
        dd_buf_puts(&b, "\" value=\"");
        pay_html_escape(&b, q.kv[i].value);
        dd_buf_puts(&b, "\">\n");
    }
    dd_buf_printf(
        &b,
        "<button type=\"submit\" name=\"action\" value=\"pay\" id=\"pay\">%s</button> "
        "<button type=\"submit\" name=\"action\" value=\"cancel\" id=\"cancel\">%s</button>"
        "\n</form>",
        en ? "Pay" : "Thanh toán", en ? "Cancel" : "Hủy");
    return pay_html_reply(req, 200, &b);
}

static size_t
keep_reply(char *p, size_t size, size_t n, void *arg)
{
    struct dd_buf *b = arg;
    if (dd_buf_append(b, p, size * n) != DD_OK)
        return 0;
    return size * n;
}

/* Sends the IPN and returns its RspCode ("" when there was no valid answer). */
static const char *
send_ipn(struct dd_req *req, const char *query)
{
    const char *url = dd_arena_printf(req->arena, "%s/api/v1/payments/vnpay/ipn?%s",
                                      pay_settings.base_url, query);
    struct dd_buf reply;
    dd_buf_init(&reply, req->arena, IPN_REPLY_MAX);
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)IPN_TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_reply);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
    CURLcode cc = curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    if (cc != CURLE_OK) {
        dd_log(DD_LOG_WARN, "pay.sandbox", "IPN not delivered: %s", curl_easy_strerror(cc));
        return "";
    }
    json_t *j = json_loadb(reply.data ? reply.data : "", reply.len, 0, NULL);
    const char *code = json_string_value(json_object_get(j, "RspCode"));
    const char *out = dd_arena_strdup(req->arena, code ? code : "");
    json_decref(j);
    return out;
}

/* The gateway's result parameters for the merchant's request q. */
static void
result_params(struct dd_req *req, const struct dd_vnpay_params *q, bool pay,
              struct dd_vnpay_params *r)
{
    char paydate[15];
    vn_now(paydate);
    r->n = 0;
    dd_vnpay_set(r, "vnp_Amount", dd_vnpay_get(q, "vnp_Amount"));
    dd_vnpay_set(r, "vnp_BankCode", "NCB");
    dd_vnpay_set(r, "vnp_CardType", "ATM");
    dd_vnpay_set(r, "vnp_OrderInfo",
                 dd_vnpay_get(q, "vnp_OrderInfo") ? dd_vnpay_get(q, "vnp_OrderInfo") : "");
    dd_vnpay_set(r, "vnp_PayDate", dd_arena_strdup(req->arena, paydate));
    dd_vnpay_set(r, "vnp_ResponseCode", pay ? "00" : "24");
    dd_vnpay_set(r, "vnp_TmnCode", dd_vnpay_get(q, "vnp_TmnCode"));
    dd_vnpay_set(r, "vnp_TransactionNo",
                 dd_arena_printf(req->arena, "%08u", 10000000u + dd_random_uniform(89999999u)));
    dd_vnpay_set(r, "vnp_TransactionStatus", pay ? "00" : "02");
    dd_vnpay_set(r, "vnp_TxnRef", dd_vnpay_get(q, "vnp_TxnRef"));
    if (pay)
        dd_vnpay_set(r, "vnp_BankTranNo",
                     dd_arena_printf(req->arena, "NCB%08u", dd_random_uniform(99999999u)));
}

/* POST /sandbox/vnpay/pay — action=pay or cancel: the IPN, then 302 to the return URL. */
int
pay_sandbox_submit(struct dd_req *req)
{
    if (sandbox_off_or_reply(req) != DD_OK)
        return DD_DONE;
    bool en = req->lang == DD_LANG_EN;
    struct dd_vnpay_params form, q = {0};
    if (dd_vnpay_parse_form(req->arena, req->body.data ? req->body.data : "", req->body.len,
                            &form) != DD_OK)
        return refuse_page(req, en ? "Bad form." : "Biểu mẫu không hợp lệ.");
    const char *action = dd_vnpay_get(&form, "action");
    for (size_t i = 0; i < form.n; i++)
        if (strcmp(form.kv[i].key, "action") != 0)
            dd_vnpay_set(&q, form.kv[i].key, form.kv[i].value);
    const char *why = request_problem(&q, en);
    if (why)
        return refuse_page(req, why);
    if (action == NULL || (strcmp(action, "pay") != 0 && strcmp(action, "cancel") != 0))
        return refuse_page(req, en ? "Choose Pay or Cancel." : "Hãy chọn Thanh toán hoặc Hủy.");
    struct dd_vnpay_params r;
    result_params(req, &q, strcmp(action, "pay") == 0, &r);
    struct dd_buf query;
    dd_buf_init(&query, req->arena, 8192);
    if (dd_vnpay_query(&r, pay_settings.vnpay_secret, &query) != DD_OK)
        return refuse_page(req, "?");
    const char *code = send_ipn(req, query.data);
    const char *ret = dd_vnpay_get(&q, "vnp_ReturnUrl");
    dd_reply_header(
        req, "Location",
        dd_arena_printf(req->arena, "%s%s%s", ret, strchr(ret, '?') ? "&" : "?", query.data));
    dd_reply_header(req, "X-Sandbox-Ipn", code[0] ? code : "none");
    return dd_reply_empty(req, 302);
}
