/*
 * internal.h — what the files of the payments module share: its settings, request helpers, and
 * the handlers its route table lists (module.c).
 */
#ifndef DD_CORE_PAY_INTERNAL_H
#define DD_CORE_PAY_INTERNAL_H

#include "core/pay/pay.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct dd_req;
struct dd_db;
struct dd_buf;
struct dd_vnpay_params;

/* Set once at start by dd_pay_configure, then only read. */
struct pay_settings {
    char base_url[256]; /* how clients reach this server: "http://127.0.0.1:8080" */
    bool sandbox;
    char vnpay_url[512];
    char tmn_code[32];
    char vnpay_secret[128];
    char webhook_secret[128];
    char bank_bin[8];
    char bank_account[32];
};
extern struct pay_settings pay_settings;

/* --- input.c: reading requests; failures reply themselves --- */

struct pay_form {
    struct dd_req *req;
    json_t *body;
    json_t *ext;
};
void pay_form_init(struct pay_form *f, struct dd_req *req, const char *const *allowed);
const char *pay_form_string(struct pay_form *f, const char *name, bool required, size_t max);
/* An integer field in [min, max]; `dflt` when absent and not required. */
int64_t pay_form_int(struct pay_form *f, const char *name, bool required, int64_t min, int64_t max,
                     int64_t dflt);
void pay_form_error(struct pay_form *f, const char *field, const char *code, const char *vi,
                    const char *en);
int pay_form_done_or_reply(struct pay_form *f);

/* Who made a change: "officer:12", "citizen:5". */
const char *pay_actor(struct dd_req *req);

/* The intent of path parameter {id} into *p; 404 when there is none (or, with `payer`, when it
 * is not that payer's). Expires it first when it is due (its own short transaction). */
int pay_intent_or_reply(struct dd_req *req, struct dd_db *db, const char *payer,
                        struct dd_payment *p);

/* Rolls back, logs a database error, replies with the problem for rc. Returns DD_DONE. */
int pay_fail(struct dd_req *req, struct dd_db *db, int rc);

/* Replies 503 when a feature's setting is missing. Returns DD_DONE. */
int pay_not_configured(struct dd_req *req, const char *setting);

/* The intent with its transitions, as the API shows it. */
json_t *pay_intent_json(struct dd_db *db, const struct dd_payment *p);

/* The VietQR payload of an intent (the collection account, the amount, its reference as
 * purpose and reference) into out; DD_EUNAVAIL when the account is not configured. */
int pay_vietqr_of(const struct dd_payment *p, char *out, size_t cap);

/* Records a gateway's or bank's notification once: *fresh is false when (source, external_id)
 * was seen before (nothing is written then). Inside the caller's transaction. */
int pay_note_notification(struct dd_db *db, const char *source, const char *external_id,
                          const char *payment_id, int64_t amount, const char *outcome,
                          const char *body, bool *fresh);

/* --- handlers --- */
int pay_create(struct dd_req *req);         /* POST /api/v1/payments */
int pay_list(struct dd_req *req);           /* GET /api/v1/payments */
int pay_get(struct dd_req *req);            /* GET /api/v1/payments/{id} */
int pay_checkout(struct dd_req *req);       /* POST /api/v1/payments/{id}/checkouts */
int pay_refund(struct dd_req *req);         /* POST /api/v1/payments/{id}/refunds */
int pay_vietqr_image(struct dd_req *req);   /* GET /api/v1/payments/{id}/vietqr */
int pay_me_list(struct dd_req *req);        /* GET /api/v1/me/payments */
int pay_me_get(struct dd_req *req);         /* GET /api/v1/me/payments/{id} */
int pay_me_checkout(struct dd_req *req);    /* POST /api/v1/me/payments/{id}/checkouts */
int pay_vnpay_ipn(struct dd_req *req);      /* GET /api/v1/payments/vnpay/ipn */
int pay_vnpay_return(struct dd_req *req);   /* GET /api/v1/payments/vnpay/return */
int pay_bank_transfer(struct dd_req *req);  /* POST /api/v1/payments/bank-transfers */
int pay_settlement(struct dd_req *req);     /* POST /api/v1/payments/settlements */
int pay_receipt(struct dd_req *req);        /* GET /api/v1/receipts/{code} */
int pay_sandbox_page(struct dd_req *req);   /* GET /sandbox/vnpay/pay */
int pay_sandbox_submit(struct dd_req *req); /* POST /sandbox/vnpay/pay */

/* --- html.c: the module's small HTML pages --- */

/* Appends s with & < > " ' escaped. */
int pay_html_escape(struct dd_buf *b, const char *s);
/* Starts a page: doctype, charset, title (escaped) and <body>. */
int pay_html_start(struct dd_buf *b, const char *lang, const char *title);
/* Replies 200 (or `status`) with the page in b, closing </body></html>. Returns DD_DONE. */
int pay_html_reply(struct dd_req *req, unsigned status, struct dd_buf *b);
/* Amount as "150.000 ₫". */
const char *pay_vnd(struct dd_req *req, int64_t amount);

/* Collects the query arguments of req into p (decoded, in the request's arena). */
int pay_query_params(struct dd_req *req, struct dd_vnpay_params *p);

#endif
