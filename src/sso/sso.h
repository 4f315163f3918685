/*
 * sso.h — the OpenID Connect provider (docs/SSO.md): the `sso` module, its settings, the
 * authenticator that admits SSO access tokens on client routes, and what the command line needs
 * (`dinhdanh client …`, `dinhdanh keys …`).
 */
#ifndef DD_SSO_SSO_H
#define DD_SSO_SSO_H

#include "http/route.h"

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct dd_config;
struct dd_db;
struct dd_req;

extern const struct dd_module dd_module_sso;

/* Takes the issuer (setting `issuer`, else http(s)://LISTEN) and loads the signing keys of
 * DATA_DIR/sso-keys/, making the first one when there is none, and the pairwise-subject secret.
 * Starts the thread that writes token issuance to the audit log. Call once before serving.
 * DD_EIO with a sentence in err when the keys cannot be read or made. */
int dd_sso_configure(const struct dd_config *cfg, char *err, size_t errlen);

/* Writes what is still queued for the audit log and stops the thread. */
void dd_sso_stop(void);

/* The server's authenticator: DD_AUTH_CLIENT routes take an SSO access token
 * (`Authorization: Bearer <JWT>`, signed by us, unexpired, not revoked); every other route goes
 * to dd_identity_authenticate. */
int dd_sso_authenticate(struct dd_req *req, const struct dd_route *route);

/* --- keys, for `dinhdanh keys` --- */

/* Makes a new current signing key in DATA_DIR/sso-keys/ (the previous ones stay published until
 * the tokens they signed have expired) and deletes keys retired for more than a day. Prints
 * {"kid": NEW, "previous": OLD-or-null} on out. */
int dd_sso_keys_rotate(const char *data_dir, FILE *out, char *err, size_t errlen);

/* Prints {"keys":[{"kid","created_at","current","published"}…]} on out. */
int dd_sso_keys_list(const char *data_dir, FILE *out, char *err, size_t errlen);

/* --- clients, for `dinhdanh client` and the admin API --- */

#define DD_SSO_MAX_URIS 16

struct dd_sso_client_new {
    const char *client_id; /* NULL: a random ddc_…; else ddc_ and 1–40 of A-Z a-z 0-9 _ - (a
                              well-known client such as the portal's ddc_portal) */
    const char *name;
    const char *grant_type;  /* authorization_code | client_credentials */
    const char *auth_method; /* client_secret_basic | private_key_jwt | none; NULL: chosen */
    const char *scope;       /* allowed scopes, space-separated; NULL: chosen by grant */
    const char *jwks;        /* JSON text of {"keys":[…]} (private_key_jwt) */
    const char *redirect_uris[DD_SSO_MAX_URIS];
    int nredirect;
    const char *post_logout_uris[DD_SSO_MAX_URIS];
    int npost_logout;
    const char *backchannel_logout_uri;
    bool pairwise;
    const char *actor; /* "operator:ana", "officer:12" */
};

/* Registers a client in a transaction of its own (audited). On success *out is a new JSON object
 * of the client (see dd_sso_client_json) plus "client_secret" when one was issued (shown once).
 * DD_EINVAL with a sentence in err for a bad field. */
int dd_sso_client_add(struct dd_db *db, const struct dd_sso_client_new *c, json_t **out, char *err,
                      size_t errlen);

/* Issues a new secret for a client_secret_basic client; *out gets {"client_id","client_secret"}.
 * DD_ENOTFOUND, or DD_EINVAL when the client has no secret (private_key_jwt, none). */
int dd_sso_client_rotate_secret(struct dd_db *db, const char *client_id, const char *actor,
                                json_t **out, char *err, size_t errlen);

/* Disables a client: its tokens stop at once (introspection, userinfo), its refresh families
 * are revoked and it can get no new ones. DD_ENOTFOUND. */
int dd_sso_client_disable(struct dd_db *db, const char *client_id, const char *actor, char *err,
                          size_t errlen);

/* The client as JSON (never its secret), or NULL with DD_ENOTFOUND in *rc. */
json_t *dd_sso_client_json(struct dd_db *db, const char *client_id, int *rc);

/* Up to `limit` clients after `cursor` (a client_id, or NULL), ordered by client_id, as
 * {"items":[…],"next_cursor":…}. */
int dd_sso_client_list(struct dd_db *db, const char *cursor, int limit, json_t **out);

#endif
