/*
 * wallet.h — the e-document wallet (model 25): documents issued to citizens as SD-JWT VC by the
 * platform's agencies, the holder's presentations, public verification with a Token Status
 * List, certified electronic copies, and the land register whose certificates go into owners'
 * wallets. docs/WALLET.md is the guide.
 *
 * Other modules use three things from here: dd_wallet_issue, to put a procedure's result into a
 * citizen's wallet in the caller's transaction, dd_wallet_document_claims, to read the verified
 * claims of a document a citizen referenced instead of uploading a paper, and
 * dd_wallet_latest_claims, to fill a form from the newest document of a type.
 */
#ifndef DD_CORE_WALLET_WALLET_H
#define DD_CORE_WALLET_WALLET_H

#include "http/route.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_config;
struct dd_db;

extern const struct dd_module dd_module_wallet;

/* Remembers the public base URL (the `issuer` setting, else http(s)://LISTEN) that issuer
 * identifiers, status list URIs and verify links start with. */
void dd_wallet_configure(const struct dd_config *cfg);

/* What to issue. `claims` is an object of claims, each made selectively disclosable; names
 * reserved by JWT and SD-JWT VC (iss, iat, exp, nbf, vct, status, cnf, sub, _sd…) are refused.
 * The holder's ID number is added as claim "id_number" unless present. */
struct dd_wallet_issue_in {
    const char *issuer; /* an issuer id: "so-tnmt-56" */
    const char *holder; /* personal ID number */
    const char *vct;    /* credential type: "urn:dinhdanh:vct:land-use-right" */
    const char *title;  /* shown in the wallet */
    const json_t *claims;
    int64_t expires_at_ms;
    const char *issued_by; /* officer username */
};

struct dd_wallet_issued {
    int64_t id;         /* also its index in the issuer's status list */
    char public_id[24]; /* the document reference */
    const char *sd_jwt; /* with every disclosure (arena) */
};

/* Signs and stores a credential, inside the caller's transaction. DD_ENOTFOUND when the issuer
 * is unknown or has no key, DD_EINVAL for a reserved or empty claim set; store errors as they
 * come. */
int dd_wallet_issue(struct dd_db *db, struct dd_arena *a, const struct dd_wallet_issue_in *in,
                    int64_t now_ms, struct dd_wallet_issued *out);

/* The outcome of checking an SD-JWT VC. */
struct dd_wallet_verdict {
    bool valid;
    const char *reason;      /* NULL when valid: malformed, unknown-issuer, unknown-key,
                                bad-signature, bad-disclosure, key-binding-unsupported, expired,
                                not-yet-valid, revoked */
    const char *issuer;      /* issuer URL, when read */
    const char *issuer_id;   /* when known */
    const char *issuer_name; /* when known */
    const char *vct;
    const char *kid;
    int64_t iat, exp; /* seconds */
    int64_t status_idx;
    json_t *claims; /* disclosed claims only, without iss, iat, exp, vct, status (arena) */
};

/* Checks signature (with the issuer's key named by kid, current or retired), disclosures,
 * validity dates and revocation of `sd_jwt` at now_ms. DD_OK with *v filled whether it is valid
 * or not; a store error otherwise. */
int dd_wallet_verify(struct dd_db *db, struct dd_arena *a, const char *sd_jwt, int64_t now_ms,
                     struct dd_wallet_verdict *v);

/* The verified claims of document `public_id` held by `holder`: DD_OK and *v (which may say
 * invalid: revoked or expired), DD_ENOTFOUND when the holder holds no such document. */
int dd_wallet_document_claims(struct dd_db *db, struct dd_arena *a, const char *public_id,
                              const char *holder, int64_t now_ms, struct dd_wallet_verdict *v);

/* The verified claims of the newest document of type `vct` that `holder` holds, neither revoked
 * nor expired at now_ms (latest.c): DD_OK and *v, DD_ENOTFOUND when there is none. */
int dd_wallet_latest_claims(struct dd_db *db, struct dd_arena *a, const char *holder,
                            const char *vct, int64_t now_ms, struct dd_wallet_verdict *v);

#endif
