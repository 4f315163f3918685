/*
 * internal.h — what the wallet's files share: settings, issuer keys, the handlers, and small
 * request helpers.
 */
#ifndef DD_CORE_WALLET_INTERNAL_H
#define DD_CORE_WALLET_INTERNAL_H

#include "core/wallet/wallet.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_req;

struct wallet_settings {
    char base_url[512]; /* without a trailing slash */
};
extern struct wallet_settings wallet_settings;

#define WALLET_ISSUER_ID_MAX 40
#define WALLET_TYP           "dc+sd-jwt"

/* ---- keys.c ---- */

/* Creates issuer `id` named `name` with its first key. DD_ECONFLICT if it exists. */
int wallet_issuer_create(struct dd_db *db, const char *id, const char *name, int64_t now_ms);
/* Adds a new current key to issuer `id` (the older ones stay published). DD_ENOTFOUND. */
int wallet_key_rotate(struct dd_db *db, const char *id, int64_t now_ms, char kid[64]);
/* The issuer's newest key (a new reference the caller frees) and its kid. DD_ENOTFOUND. */
int wallet_key_current(struct dd_db *db, const char *issuer, EVP_PKEY **key, char kid[64]);
/* The public key `kid` of `issuer`. DD_ENOTFOUND. */
int wallet_key_find(struct dd_db *db, const char *issuer, const char *kid, EVP_PKEY **key);
/* The issuer's name into the arena, or DD_ENOTFOUND. */
int wallet_issuer_name(struct dd_db *db, struct dd_arena *a, const char *id, const char **name);
/* {"keys": [every public JWK of the issuer, oldest first]} (new reference). */
int wallet_jwks(struct dd_db *db, const char *issuer, json_t **out);
/* Whether id is 2–40 of a-z 0-9 -. */
bool wallet_issuer_id_ok(const char *id);

/* ---- urls ---- */
char *wallet_issuer_url(struct dd_arena *a, const char *issuer);
char *wallet_status_url(struct dd_arena *a, const char *issuer);
/* The issuer id of an issuer URL of this platform, or NULL. */
const char *wallet_issuer_of_url(struct dd_arena *a, const char *url);

/* ---- status.c ---- */
/* The signed status list token of `issuer` (arena). */
int wallet_status_token(struct dd_db *db, struct dd_arena *a, const char *issuer, int64_t now_ms,
                        const char **token);

/* ---- help.c ---- */
/* The caller's personal ID number, or a 403 reply and NULL. */
const char *wallet_me_or_reply(struct dd_req *req);
/* Replies for a DD_E… code from the store (404 for DD_ENOTFOUND, 409 for DD_ECONFLICT). */
int wallet_fail(struct dd_req *req, struct dd_db *db, int rc);
/* A string member of the JSON body, trimmed of nothing; NULL when absent or not a string. */
const char *wallet_body_str(const struct dd_req *req, const char *name);
/* A random 22-character base64url identifier into out. */
void wallet_random_id(char out[24]);
/* A JSON view of a verdict (new reference). */
json_t *wallet_verdict_json(const struct dd_wallet_verdict *v);
/* The QR code of `text` as an SVG element (arena), or NULL when it does not fit. */
char *wallet_qr_svg(struct dd_arena *a, const char *text);

/* A body being checked: every problem is gathered, then one 400 reply lists them all. */
struct wform {
    struct dd_req *req;
    json_t *body; /* the object, or NULL */
    json_t *ext;  /* problem members, NULL while no error */
};
void wform_init(struct wform *f, struct dd_req *req);
void wform_error(struct wform *f, const char *field, const char *code, const char *vi,
                 const char *en);
/* String member `name`: NULL (with an error when required) when absent; an error when not a
 * string, empty, longer than max bytes or holding control characters. */
const char *wform_str(struct wform *f, const char *name, bool required, size_t max);
/* A personal ID number member (12 digits of the right shape). */
const char *wform_id_number(struct wform *f, const char *name);
/* Replies 400 validation-failed when errors were found: returns -1 then, 0 otherwise. */
int wform_done_or_reply(struct wform *f);

/* ---- documents.c / issue.c ---- */
/* Whether claims can be issued: an object of 1-64 members, none reserved. */
bool wallet_claims_ok(const json_t *claims);
/* The end of day "YYYY-MM-DD" in Vietnam as UTC ms, or -1 when not a date. */
int64_t wallet_day_end_ms(const char *s);
/* The 201 body of an issued document (new reference). */
json_t *wallet_issued_json(struct dd_arena *a, const struct dd_wallet_issue_in *in,
                           const struct dd_wallet_issued *out, int64_t now);
/* The caller's document {id} (path) as JSON tied to the arena, or a reply and NULL. */
json_t *wallet_my_document_or_reply(struct dd_req *req, struct dd_db *db, const char *me);

/* ---- handlers ---- */
int wallet_metadata_get(struct dd_req *req);
int wallet_issuers_list(struct dd_req *req);
int wallet_issuers_create(struct dd_req *req);
int wallet_keys_create(struct dd_req *req);
int wallet_status_list_get(struct dd_req *req);
int wallet_documents_create(struct dd_req *req);
int wallet_revocations_create(struct dd_req *req);
int wallet_document_claims_get(struct dd_req *req);
int wallet_me_documents_list(struct dd_req *req);
int wallet_me_documents_get(struct dd_req *req);
int wallet_me_rendering_get(struct dd_req *req);
int wallet_me_presentations_create(struct dd_req *req);
int wallet_me_presentations_list(struct dd_req *req);
int wallet_me_presentation_revoke(struct dd_req *req);
int wallet_presentation_get(struct dd_req *req);
int wallet_verifications_create(struct dd_req *req);
int wallet_certifications_create(struct dd_req *req);
int land_parcels_create(struct dd_req *req);
int land_parcels_list(struct dd_req *req);
int land_parcels_get(struct dd_req *req);
int land_transfers_create(struct dd_req *req);
int land_certificates_create(struct dd_req *req);
int land_me_parcels_list(struct dd_req *req);

#endif
