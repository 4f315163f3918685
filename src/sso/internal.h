/*
 * internal.h — what the files of src/sso/ share: settings, signing keys, clients, OAuth
 * replies, the form reader, tokens, and the browser session an authorization request runs in.
 */
#ifndef DD_SSO_INTERNAL_H
#define DD_SSO_INTERNAL_H

#include "crypto/jws.h"
#include "sso/sso.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_buf;
struct dd_db;
struct dd_req;
struct sso_session;

/* Lifetimes, in seconds. */
#define SSO_ACCESS_TTL       300
#define SSO_ID_TTL           300
#define SSO_REFRESH_TTL      (30 * 86400)
#define SSO_CODE_TTL         60
#define SSO_PAR_TTL          60
#define SSO_INTERACTION_TTL  600
#define SSO_ASSERTION_MAX    300 /* a client assertion may live at most this long */
#define SSO_LEEWAY           30  /* clock skew allowed on clients' assertions */
#define SSO_KEY_PUBLISH_MORE 600 /* a retired key stays in the JWKS this long */

#define SSO_ACR_LOA1 "urn:dinhdanh:loa:1"
#define SSO_ACR_LOA2 "urn:dinhdanh:loa:2"

#define SSO_PAR_PREFIX "urn:ietf:params:oauth:request_uri:"

/* Every scope the provider knows. */
extern const char *const sso_known_scopes[];

struct sso_settings {
    char issuer[256];
    char data_dir[512];
    bool tls;
    unsigned char pairwise_key[32];
};
extern struct sso_settings sso_settings;

/* ---- keys.c ---- */

/* The current signing key and its kid, held (reference taken: EVP_PKEY_free it) for one
 * signing. DD_EUNAVAIL when no key is loaded. */
int sso_key_current(EVP_PKEY **key, char kid[64]);

/* The published public key `kid` (reference taken), or NULL. */
EVP_PKEY *sso_key_find(const char *kid);

/* The JWKS document, as compact JSON text in the arena. */
const char *sso_jwks_text(struct dd_arena *a);

/* Loads DATA_DIR/sso-keys (making a key if none) for the server. */
int sso_keys_load(const char *data_dir, char *err, size_t errlen);
void sso_keys_unload(void);

/* ---- clients.c ---- */

struct sso_client {
    char client_id[64];
    char name[256];
    char grant_type[24];
    char auth_method[24];
    char secret_hash[65];
    char *jwks; /* in the arena; "" when none */
    char *scopes;
    bool pairwise;
    bool active;
    char *backchannel_logout_uri;
};

/* Reads a client, from the client cache when it is there (see client_cache.c: at most
 * DD_TOKEN_CACHE_TTL_MS old). DD_ENOTFOUND, or a database code. */
int sso_client_get(struct dd_db *db, struct dd_arena *a, const char *client_id,
                   struct sso_client *out);

/* Reads a client from the database, never from the cache (and remembers it there). */
int sso_client_read(struct dd_db *db, struct dd_arena *a, const char *client_id,
                    struct sso_client *out);

/* The client cache: a copy of `client_id`'s row into *out (strings in `a`) when it is
 * remembered; remember one just read; forget every client (after a change to one). */
/* The event a change to a client emits (in the change's transaction): every running server's
 * sso consumer then forgets its cached clients. */
#define SSO_EVENT_CLIENT_CHANGED "sso.client.changed"

bool sso_client_cache_get(struct dd_arena *a, const char *client_id, struct sso_client *out);
void sso_client_cache_put(const struct sso_client *c);
void sso_client_cache_forget(void);

/* Whether `uri` is one of the client's registered URIs of `kind` ("redirect", "post_logout"),
 * compared as exact strings. */
bool sso_client_has_uri(struct dd_db *db, const char *client_id, const char *kind, const char *uri);

/* Whether every scope of `scope` (space-separated) is in the allowed list `allowed`. */
bool sso_scopes_within(const char *scope, const char *allowed);

/* Whether the space-separated list has `word`. */
bool sso_has_word(const char *list, const char *word);

/* ---- form.c ---- */

#define SSO_FORM_MAX 32

struct sso_form {
    int n;
    const char *names[SSO_FORM_MAX];
    const char *values[SSO_FORM_MAX];
    bool duplicate; /* a parameter came twice (RFC 6749 §3.1 refuses that) */
    bool invalid;   /* bad percent-encoding, not UTF-8, or too many parameters */
};

/* Parses application/x-www-form-urlencoded text (or a query string) into the arena. */
void sso_form_parse(struct dd_arena *a, const char *text, size_t len, struct sso_form *out);

/* Decodes s[0..n) of a form ('+' is a space, %XX a byte) into the arena; NULL when malformed
 * or not UTF-8 without control characters. */
const char *sso_form_decode(struct dd_arena *a, const char *s, size_t n);

/* The request's parameters: the body of a POST form, else the query string. */
void sso_form_of_request(struct dd_req *req, struct sso_form *out);

/* The value of `name`, or NULL (an empty value counts as absent, RFC 6749 §3.1). */
const char *sso_form_get(const struct sso_form *f, const char *name);

/* ---- oauth.c: OAuth replies (RFC 6749 §5) ---- */

/* Replies {"error": code, "error_description": text} with `status`, no-store. 401 replies carry
 * WWW-Authenticate: Basic. Returns DD_DONE. */
int sso_oauth_error(struct dd_req *req, unsigned status, const char *code, const char *description);

/* Replies 200 with a JSON body and Cache-Control: no-store. Returns DD_DONE. */
int sso_oauth_json(struct dd_req *req, json_t *body);

/* Replies 200 with a token response (RFC 6749 §5.1), no-store: access_token, token_type Bearer,
 * expires_in, scope, and id_token and refresh_token when not NULL. Written as text: the token
 * endpoint's hot path. */
int sso_token_reply(struct dd_req *req, const char *access, const char *scope, const char *id_token,
                    const char *refresh);

/* Replies 303 to `location`. */
int sso_redirect(struct dd_req *req, const char *location);

/* `uri` with `params` (name, value pairs, NULL-terminated; NULL values skipped) added to its
 * query, percent-encoded, in the arena. */
const char *sso_uri_with(struct dd_arena *a, const char *uri, const char *const *params);

/* Percent-encodes s for a query value into the buffer. */
int sso_buf_urlencode(struct dd_buf *b, const char *s);

/* ---- client_auth.c ---- */

/* Authenticates the client calling the token, introspection, revocation or PAR endpoint:
 * HTTP Basic (client_secret_basic), client_assertion (private_key_jwt, RFC 7523), or client_id
 * alone for a public client (auth none). Fills *out; on failure replies 401 invalid_client (or
 * 400 invalid_request) and returns DD_EDENIED. `audience_ok` lists the URLs the assertion's aud
 * may name, besides the issuer. */
int sso_client_auth_or_reply(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                             const char *endpoint_url, struct sso_client *out);

/* The start of an endpoint that a client calls with a form and authenticates to (token,
 * introspection, revocation, PAR at `path`): the database, the form (400 invalid_request when it
 * is malformed or repeats a parameter) and the client (sso_client_auth_or_reply). DD_OK with
 * *db, *f and *client filled; otherwise a negative code for the handler to return, DD_EDENIED
 * once the request has been answered (never DD_DONE, which equals DD_OK). */
int sso_client_request(struct dd_req *req, const char *path, struct dd_db **db, struct sso_form *f,
                       struct sso_client *client);

/* ---- tokens.c ---- */

/* What a token says about who it is for. */
struct sso_grant {
    const char *client_id;
    int64_t account_id; /* 0 for client credentials */
    const char *scope;
    const char *acr;
    const char *amr; /* space-separated */
    int64_t auth_time;
    const char *sid;
    const char *family_id; /* the refresh family, for tokens of a person */
    const char *nonce;     /* ID token only */
    bool pairwise;
};

/* The subject a client sees for an account: the account id, or the pairwise value. */
const char *sso_subject(struct dd_arena *a, const struct sso_grant *g);

/* Mints a signed access token (RFC 9068, typ at+jwt). *jti (may be NULL) gets its id. */
int sso_access_token(struct dd_req *req, const struct sso_grant *g, const char **token,
                     const char **jti);

/* Mints an ID token of the grant, with at_hash of `access_token` (may be NULL). */
int sso_id_token(struct dd_req *req, const struct sso_grant *g, const char *access_token,
                 const char **token);

/* Verifies one of our access tokens (signature, typ, issuer, expiry) and gives its payload.
 * DD_EDENIED when it is not one that is valid now; revocation is the caller's to check. */
int sso_access_token_verify(struct dd_arena *a, const char *token, json_t **payload);

/* Whether the access token's jti was revoked, or its refresh family (claim "fid") or client is
 * no longer active. DD_OK active, DD_EDENIED revoked, or a database code. */
int sso_access_token_live(struct dd_db *db, const json_t *payload);

/* A fresh random token of 32 bytes, base64url, with `prefix`, in the arena. */
const char *sso_random_token(struct dd_arena *a, const char *prefix);

/* A new refresh token, in the arena: "ddr_", the time of issue (12 hex digits of milliseconds),
 * ".", then 32 random bytes base64url. */
const char *sso_refresh_token_new(struct dd_arena *a);

/* The key a refresh token's row is stored under, in the arena: "<its 12 hex digits of time>."
 * followed by its SHA-256 hex, so that keys sort in the order of issue; for a token without the
 * time (issued before it was added), the SHA-256 hex alone. */
const char *sso_refresh_key(struct dd_arena *a, const char *token);

/* SHA-256 hex of a token, in the arena. */
const char *sso_hash(struct dd_arena *a, const char *token);

/* "2025-07-01T16:05:00.123Z" of now + seconds, in the arena. */
const char *sso_time(struct dd_arena *a, int64_t plus_seconds);

/* Signs any payload with the current key (typ may be NULL), into the arena; the payload as a
 * JSON object or as its text. */
int sso_sign(struct dd_req *req, const char *typ, json_t *payload, const char **token);
int sso_sign_text(struct dd_req *req, const char *typ, const char *payload, const char **token);

/* ---- backchannel.c ---- */

/* Queues a logout token for each client of the session that asked for them (in the caller's
 * transaction). */
int sso_backchannel_queue(struct dd_req *req, struct dd_db *db, const struct sso_session *s);

/* Wakes the sender; starts and stops its thread. */
void sso_backchannel_kick(void);
void sso_backchannel_start(void);
void sso_backchannel_stop(void);

/* ---- purge.c ---- */

/* Deletes the rows expired as of now_ms (see purge.c) in one transaction; *removed counts them. */
int sso_purge(struct dd_db *db, int64_t now_ms, int64_t *removed);

/* ---- audit.c ---- */

/* Queues a row for the audit log (written by a background thread within half a second; at
 * once, in a transaction of its own, when the thread is not running). detail is JSON text. */
void sso_audit(struct dd_db *db, const char *actor, const char *action, const char *object,
               const char *detail, const char *request_id);

void sso_audit_start(void);
void sso_audit_stop(void);

/* ---- session.c: the browser's login session ---- */

struct sso_session {
    int64_t session_id;
    int64_t account_id;
    const char *kind; /* citizen, officer, staff */
    const char *login;
    const char *display_name;
    const char *id_number;
    const char *email;
    const char *phone;
    const char *birth_date;
    int level;              /* the account's e-identity level */
    bool second_factor;     /* the session was opened with a second factor */
    bool has_second_factor; /* the account has one enrolled */
    int64_t auth_time;      /* seconds */
    const char *sid;        /* stable per session, told to clients */
    const char *token_hash; /* of the session cookie */
};

/* The web session of the request's `dd_session` cookie, when it is a full, live one of an
 * active account. DD_ENOTFOUND, or a database code. */
int sso_session_of_request(struct dd_req *req, struct dd_db *db, struct sso_session *out);

/* Reads an account (for refresh and userinfo) as a session without session fields. */
int sso_account_get(struct dd_db *db, struct dd_arena *a, int64_t account_id,
                    struct sso_session *out);

/* The acr an account and session reach, and the amr of the session. */
const char *sso_session_acr(const struct sso_session *s);
const char *sso_session_amr(const struct sso_session *s);

/* ---- claims.c ---- */

/* The claims the scopes release about an account, as a new object (sub not included). */
json_t *sso_claims(struct dd_db *db, struct dd_arena *a, const struct sso_session *acct,
                   const char *scope);

/* Each claim the scopes release, with its label in the request's language, for the consent
 * page: [{"scope","claims":[…],"label"}]. */
json_t *sso_scope_labels(const char *scope, bool english);

/* ---- families.c: refresh families ---- */

/* Revokes a family and its tokens; `why` is recorded. */
int sso_family_revoke(struct dd_db *db, const char *family_id, const char *why);

/* Revokes every family of an account with a client (consent withdrawn). */
int sso_families_revoke_for(struct dd_db *db, int64_t account_id, const char *client_id,
                            const char *why);

/* Creates a family and its first refresh token (in the caller's transaction). */
int sso_family_create(struct dd_req *req, struct dd_db *db, const struct sso_grant *g,
                      const char **family_id, const char **refresh_token);

/* Issues the next refresh token of a family (in the caller's transaction). */
int sso_refresh_issue(struct dd_req *req, struct dd_db *db, const char *family_id,
                      const char **refresh_token);

/* A refresh token as stored, with its family's grant, the scopes the account consented to for
 * the client (NULL: no consent), and whether the account may still log in. */
struct sso_refresh_row {
    const char *family_id;
    const char *expires_at;
    bool expired, used, revoked;
    struct sso_grant grant;
    const char *consented;
    bool account_active;
};

/* Looks a refresh token up by value, or by the key it is stored under (sso_refresh_key).
 * DD_ENOTFOUND, or a database code. */
int sso_refresh_lookup(struct dd_db *db, struct dd_arena *a, const char *token,
                       struct sso_refresh_row *out);
int sso_refresh_lookup_key(struct dd_db *db, struct dd_arena *a, const char *key,
                           struct sso_refresh_row *out);

/* A rotation (rotation.c): the presented token's key, and its successor made ready. */
struct sso_rotation {
    const char *old_key;
    const char *new_token, *new_key;
    const char *family_id;
    const char *now, *expires;
    bool fresh; /* set by sso_rotation_write: the old token was not used before */
};

/* Makes the successor of the token stored under `old_key` (NULL for a family's first token),
 * its strings in the arena. */
void sso_rotation_init(struct dd_arena *a, const char *old_key, const char *family_id,
                       struct sso_rotation *r);

/* Stores r's new token (its key, family and times) in the caller's transaction. DD_OK, or a
 * database code. */
int sso_refresh_store(struct dd_db *db, const struct sso_rotation *r);

/* Marks the old token used and stores its successor, in the caller's transaction. r->fresh is
 * false (and nothing stored) when the old token was already used: a reuse. DD_OK, or a database
 * code. */
int sso_rotation_write(struct dd_db *db, struct sso_rotation *r);

/* ---- consent store ---- */

/* Whether the account's remembered consent for the client covers every scope. */
int sso_consent_covers(struct dd_db *db, int64_t account_id, const char *client_id,
                       const char *scope, bool *covered);

/* ---- authz_request.c ---- */

struct sso_authz_error {
    bool redirectable; /* false: the redirect URI cannot be trusted, show a page */
    const char *code;
    const char *description;
};

/* The authorization parameters of a form as a JSON object (in the arena). */
json_t *sso_authz_from_form(struct dd_arena *a, const struct sso_form *f);

/* A parameter of a stored request, or NULL. */
const char *sso_authz_get(const json_t *request, const char *name);

/* Checks a request (see authz_request.c). With client_known false, *c is read from client_id;
 * otherwise client_id must name *c. DD_EINVAL with *e filled, or a database code. */
int sso_authz_check(struct dd_db *db, struct dd_arena *a, const json_t *request,
                    struct sso_client *c, bool client_known, struct sso_authz_error *e);

/* ---- interactions.c ---- */

/* Stores a pending request; *id gets the random id for URLs. */
int sso_interaction_create(struct dd_req *req, struct dd_db *db, const json_t *request,
                           int64_t account_id, const char **id);

/* Loads a pending, unexpired interaction's request and account. DD_ENOTFOUND. */
int sso_interaction_load(struct dd_req *req, struct dd_db *db, const char *id, json_t **request,
                         int64_t *account_id);

/* Replaces its request and account. */
int sso_interaction_update(struct dd_req *req, struct dd_db *db, const char *id,
                           const json_t *request, int64_t account_id);

/* Marks it done: it cannot be resumed again. */
int sso_interaction_done(struct dd_req *req, struct dd_db *db, const char *id);

/* Takes a pushed request (one use) of `client_id`. DD_ENOTFOUND when unknown, used or expired. */
int sso_par_take(struct dd_req *req, struct dd_db *db, const char *client_id,
                 const char *request_uri, json_t **request);

/* ---- handlers ---- */

int sso_discovery(struct dd_req *req);
int sso_jwks(struct dd_req *req);
int sso_token(struct dd_req *req);
int sso_grant_client_credentials(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                                 const struct sso_client *c);
int sso_grant_code(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                   const struct sso_client *c);
int sso_grant_refresh(struct dd_req *req, struct dd_db *db, const struct sso_form *f,
                      const struct sso_client *c);
int sso_introspect(struct dd_req *req);
int sso_revoke(struct dd_req *req);
int sso_authorize(struct dd_req *req);
int sso_par(struct dd_req *req);
int sso_interaction_get(struct dd_req *req);
int sso_interaction_post(struct dd_req *req);
int sso_userinfo(struct dd_req *req);
int sso_logout(struct dd_req *req);
int sso_me_consents(struct dd_req *req);
int sso_me_consent_delete(struct dd_req *req);
int sso_admin_list(struct dd_req *req);
int sso_admin_create(struct dd_req *req);
int sso_admin_get(struct dd_req *req);
int sso_admin_rotate(struct dd_req *req);
int sso_admin_disable(struct dd_req *req);

/* The URL of an endpoint: issuer + path, in the arena. */
const char *sso_url(struct dd_arena *a, const char *path);

#endif
