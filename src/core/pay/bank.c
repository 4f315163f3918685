/*
 * bank.c — POST /api/v1/payments/bank-transfers: the bank's webhook for incoming transfers to
 * the collection account. The bank signs the JSON body with HMAC-SHA256 under the shared
 * pay-webhook-secret, hex in the X-Signature header. A transfer is matched to an intent by the
 * reference ("DD" and 10 letters or digits) the payer's VietQR put in the description; banks
 * upper-case descriptions and add their own words, so the reference is searched anywhere in it,
 * in any case. Each bank transaction is recorded once: a repeated notification changes nothing.
 *
 * The reply is 200 with {"outcome": paid | amount-mismatch | unmatched | already-paid | expired
 * | duplicate, "payment_id", "reference"}: every outcome is a notification the bank delivered
 * well, so none is an error; reconciliation reports the ones that need a person.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

static bool
signature_ok(struct dd_req *req)
{
    const char *given = dd_req_header(req, "X-Signature");
    if (given == NULL || strlen(given) != 64)
        return false;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    const char *key = pay_settings.webhook_secret;
    if (HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)req->body.data,
             req->body.len, mac, &len) == NULL)
        return false;
    char want[65], lower[65];
    dd_hex_encode(mac, len, want);
    for (int i = 0; i < 64; i++)
        lower[i] = (char)tolower((unsigned char)given[i]);
    lower[64] = '\0';
    return CRYPTO_memcmp(want, lower, 64) == 0;
}

struct transfer {
    const char *transaction_id;
    int64_t amount;
    const char *description;
};

static const char *const transfer_fields[] = {"transaction_id", "amount",      "description",
                                              "account",        "received_at", NULL};

static int
transfer_parse_or_reply(struct dd_req *req, struct transfer *t)
{
    struct dd_json_error err;
    req->json =
        dd_json_parse(req->arena, req->body.data, req->body.len, &dd_json_default_limits, &err);
    if (req->json == NULL)
        return dd_reply_problem(req, DD_PROBLEM_INVALID_JSON,
                                json_pack("{s:s}", "detail", err.text)),
               -1;
    struct pay_form f;
    pay_form_init(&f, req, transfer_fields);
    t->transaction_id = pay_form_string(&f, "transaction_id", true, 64);
    t->amount = pay_form_int(&f, "amount", true, 1, DD_PAY_MAX_AMOUNT, 0);
    t->description = pay_form_string(&f, "description", true, 500);
    pay_form_string(&f, "account", false, 32);
    pay_form_string(&f, "received_at", false, 40);
    return pay_form_done_or_reply(&f);
}

static bool
reference_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/* The first intent whose reference appears in the description (case ignored). */
static int
match_reference(struct dd_req *req, struct dd_db *db, const char *description, struct dd_payment *p)
{
    size_t n = strlen(description);
    char *up = dd_arena_strdup(req->arena, description);
    for (size_t i = 0; i < n; i++)
        up[i] = (char)toupper((unsigned char)up[i]);
    for (size_t i = 0; i + DD_PAY_REFERENCE_LEN <= n; i++) {
        if (up[i] != 'D' || up[i + 1] != 'D')
            continue;
        bool shape = true;
        for (size_t k = 2; k < DD_PAY_REFERENCE_LEN && shape; k++)
            shape = reference_char(up[i + k]);
        if (!shape)
            continue;
        char ref[DD_PAY_REFERENCE_LEN + 1];
        memcpy(ref, up + i, DD_PAY_REFERENCE_LEN);
        ref[DD_PAY_REFERENCE_LEN] = '\0';
        int rc = dd_pay_get_by_reference(db, req->arena, ref, p);
        if (rc != DD_ENOTFOUND)
            return rc;
    }
    return DD_ENOTFOUND;
}

static const char *
outcome_for(const struct dd_payment *p, const struct transfer *t, int64_t now)
{
    if (p == NULL)
        return "unmatched";
    if (p->amount != t->amount)
        return "amount-mismatch";
    if (strcmp(p->state, "paid") == 0 || strcmp(p->state, "refunded") == 0)
        return "already-paid";
    if (strcmp(p->state, "expired") == 0 || dd_pay_due_to_expire(p, now))
        return "expired";
    return "paid";
}

/* POST /api/v1/payments/bank-transfers — see the top of the file. 401 on a bad signature, 400 on
 * a bad body (nothing recorded; the body is read first, so a malformed one is 400 whatever its
 * signature), 503 when the webhook is not configured. */
int
pay_bank_transfer(struct dd_req *req)
{
    struct transfer t;
    if (transfer_parse_or_reply(req, &t) != 0)
        return DD_DONE;
    if (pay_settings.webhook_secret[0] == '\0')
        return pay_not_configured(req, "pay-webhook-secret");
    if (!signature_ok(req))
        return dd_reply_problem_detail(req, DD_PROBLEM_UNAUTHENTICATED,
                                       "Chữ ký X-Signature không hợp lệ.",
                                       "The X-Signature is not valid.", NULL);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_payment p;
    int rc = match_reference(req, db, t.description, &p);
    if (rc != DD_OK && rc != DD_ENOTFOUND)
        return pay_fail(req, db, rc);
    struct dd_payment *matched = rc == DD_OK ? &p : NULL;
    int64_t now = dd_clock_now_ms();
    const char *outcome = outcome_for(matched, &t, now);
    bool fresh = false;
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = pay_note_notification(db, "bank", t.transaction_id, matched ? p.id : "", t.amount,
                                   outcome, req->body.data, &fresh);
    bool move = rc == DD_OK && fresh &&
                (strcmp(outcome, "paid") == 0 ||
                 (strcmp(outcome, "expired") == 0 && strcmp(p.state, "expired") != 0));
    if (move) {
        struct dd_pay_move m = {
            .to = outcome,
            .actor = "bank",
            .reason = strcmp(outcome, "paid") == 0 ? "bank transfer received"
                                                   : "a transfer came after the window closed",
            .method = strcmp(outcome, "paid") == 0 ? "bank-transfer" : NULL,
            .gateway_txn = strcmp(outcome, "paid") == 0 ? t.transaction_id : NULL,
            .now_ms = now,
        };
        rc = dd_pay_move(db, req->arena, &p, &m);
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return pay_fail(req, db, rc);
    json_t *out = json_pack("{s:s}", "outcome", fresh ? outcome : "duplicate");
    if (matched) {
        json_object_set_new(out, "payment_id", json_string(p.id));
        json_object_set_new(out, "reference", json_string(p.reference));
    }
    return dd_reply_json(req, 200, out);
}
