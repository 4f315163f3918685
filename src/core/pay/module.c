/*
 * module.c — the `payments` module: its routes and its settings.
 *
 * Who may call what (docs/PAYMENTS.md): officers whose role grants payments:read see intents
 * and their QR codes; payments:write creates them, starts checkouts, refunds and imports
 * settlement files. A citizen sees and pays only their own intents (/api/v1/me/payments). The
 * gateway's IPN and return URL and the bank's webhook take no credentials: each request is
 * checked by its signature instead. A receipt is shown to whoever holds its unguessable code —
 * the QR printed on it — so that anyone can verify it. The sandbox gateway's pages answer only
 * when pay-sandbox is on.
 */
#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "core/pay/pay_module.h"
#include "http/route.h"

#include <stdio.h>
#include <string.h>

#define SETTLEMENT_MAX_BODY (4 * 1024 * 1024)
#define FORM_MAX_BODY       (16 * 1024)

struct pay_settings pay_settings;

static const char *const csv_types[] = {"text/csv", NULL};
static const char *const form_types[] = {"application/x-www-form-urlencoded", NULL};

// clang-format off
static const struct dd_route pay_routes[] = {
    DD_ROUTE_BODY("POST", "/api/v1/payments", pay_create, DD_AUTH_OFFICER, "payments:write",
                  DD_BODY_JSON, 0, NULL),
    DD_ROUTE("GET", "/api/v1/payments", pay_list, DD_AUTH_OFFICER, "payments:read"),
    DD_ROUTE("GET", "/api/v1/payments/vnpay/ipn", pay_vnpay_ipn, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/payments/vnpay/return", pay_vnpay_return, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/payments/bank-transfers", pay_bank_transfer, DD_AUTH_NONE,
                  NULL, DD_BODY_RAW, FORM_MAX_BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/payments/settlements", pay_settlement, DD_AUTH_OFFICER,
                  "payments:write", DD_BODY_RAW, SETTLEMENT_MAX_BODY, csv_types),
    DD_ROUTE("GET", "/api/v1/payments/{id}", pay_get, DD_AUTH_OFFICER, "payments:read"),
    DD_ROUTE_BODY("POST", "/api/v1/payments/{id}/checkouts", pay_checkout, DD_AUTH_OFFICER,
                  "payments:write", DD_BODY_JSON, 0, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/payments/{id}/refunds", pay_refund, DD_AUTH_OFFICER,
                  "payments:write", DD_BODY_JSON, 0, NULL),
    DD_ROUTE("GET", "/api/v1/payments/{id}/vietqr", pay_vietqr_image, DD_AUTH_OFFICER,
             "payments:read"),
    DD_ROUTE("GET", "/api/v1/me/payments", pay_me_list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/payments/{id}", pay_me_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/payments/{id}/checkouts", pay_me_checkout,
                  DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, 0, NULL),
    DD_ROUTE("GET", "/api/v1/receipts/{code}", pay_receipt, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/sandbox/vnpay/pay", pay_sandbox_page, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/sandbox/vnpay/pay", pay_sandbox_submit, DD_AUTH_NONE, NULL,
                  DD_BODY_RAW, FORM_MAX_BODY, form_types),
    DD_ROUTES_END,
};
// clang-format on

const struct dd_module dd_module_payments = {
    .name = "payments",
    .routes = pay_routes,
    .on_event = NULL,
};

void
dd_pay_configure(const struct dd_config *cfg)
{
    struct pay_settings *s = &pay_settings;
    memset(s, 0, sizeof *s);
    if (cfg->issuer[0])
        dd_strlcpy(s->base_url, cfg->issuer, sizeof s->base_url);
    else
        snprintf(s->base_url, sizeof s->base_url, "%s://%s", cfg->tls ? "https" : "http",
                 cfg->listen);
    size_t n = strlen(s->base_url);
    while (n > 0 && s->base_url[n - 1] == '/')
        s->base_url[--n] = '\0';
    s->sandbox = cfg->pay_sandbox;
    if (cfg->pay_vnpay_url[0])
        dd_strlcpy(s->vnpay_url, cfg->pay_vnpay_url, sizeof s->vnpay_url);
    else if (cfg->pay_sandbox) {
        struct dd_buf b;
        dd_buf_init_fixed(&b, s->vnpay_url, sizeof s->vnpay_url);
        dd_buf_printf(&b, "%s/sandbox/vnpay/pay", s->base_url);
    }
    dd_strlcpy(s->tmn_code, cfg->pay_vnpay_tmn_code, sizeof s->tmn_code);
    dd_strlcpy(s->vnpay_secret, cfg->pay_vnpay_secret, sizeof s->vnpay_secret);
    dd_strlcpy(s->webhook_secret, cfg->pay_webhook_secret, sizeof s->webhook_secret);
    dd_strlcpy(s->bank_bin, cfg->pay_bank_bin, sizeof s->bank_bin);
    dd_strlcpy(s->bank_account, cfg->pay_bank_account, sizeof s->bank_account);
}
