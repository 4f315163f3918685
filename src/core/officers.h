/*
 * officers.h — officer accounts, their roles and areas, and bearer tokens.
 *
 * Officers are created by the command line and the demo (through core/identity, which gives each
 * a login account with a password and a second factor, linked by officers.account_id), and
 * scripts authenticate with bearer tokens printed by `dinhdanh token`. Tokens are random, shown
 * once, stored only as their SHA-256.
 *
 * A role grants scopes (the `scope` of a route row); an officer's area is a province, or one
 * commune of it for roles that work at commune level.
 */
#ifndef DD_CORE_OFFICERS_H
#define DD_CORE_OFFICERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_db;
struct dd_req;
struct dd_route;

#define DD_TOKEN_LEN 68 /* "ddt_" + 64 hex digits */

struct dd_officer_new {
    const char *username;     /* 3–32 of a-z 0-9 . _ - */
    const char *display_name; /* required */
    const char *role;         /* one of dd_officer_roles() */
    const char *province;     /* 2 digits */
    const char *commune;      /* 5 digits, or NULL/"" for the whole province */
    const char *agency;       /* may be NULL */
};

/* The role names, NULL-terminated. */
const char *const *dd_officer_roles(void);

/* The scopes `role` grants, NULL-terminated ("*": every scope), and whether it works in one
 * commune; NULL for an unknown role. `commune_level` may be NULL. */
const char *const *dd_officer_role_scopes(const char *role, bool *commune_level);

/* True if `role` grants `scope` ("register:read", …). */
bool dd_officer_role_grants(const char *role, const char *scope);

/* Checks an officer's fields as dd_officer_create does: DD_EINVAL with a sentence in err. */
int dd_officer_validate(const struct dd_officer_new *o, char *err, size_t errlen);

/* Creates an officer inside the caller's transaction or on its own. DD_EINVAL with a sentence in
 * err for a bad field (a commune-level role without a commune included), DD_EEXIST if the
 * username is taken. */
int dd_officer_create(struct dd_db *db, const struct dd_officer_new *o, int64_t *id, char *err,
                      size_t errlen);

/* Issues a token for an existing, enabled officer, valid for ttl_seconds (1 s – 1 year).
 * DD_ENOTFOUND if there is no such officer, DD_EDENIED if disabled. */
int dd_officer_token_issue(struct dd_db *db, const char *username, long ttl_seconds,
                           char token[DD_TOKEN_LEN + 1], char *err, size_t errlen);

/* The server's authenticator before the identity module (see http/server.h): a bearer token of
 * an enabled officer whose role grants the route's scope. 401 without a valid token, 403 when
 * the role does not allow. The identity module's authenticator (core/identity/identity.h)
 * replaces it and calls the two functions below for officers' tokens. */
int dd_officer_authenticate(struct dd_req *req, const struct dd_route *route);

struct dd_principal;

/* Fills *p with the officer behind an API token ("ddt_…", without "Bearer "), from the token
 * cache or the database: kind officer, level 2, account_id and id_number from the officer's
 * login account when there is one. DD_EINVAL if `token` is not a well-formed token,
 * DD_ENOTFOUND if it is unknown, expired or its officer disabled. */
int dd_officer_token_principal(struct dd_db *db, const char *token, struct dd_principal *p);

/* Forgets the API tokens dd_officer_token_principal checked recently (they are remembered for
 * DD_TOKEN_CACHE_TTL_MS, core/token_cache.h): after revoking a token or changing an officer. */
void dd_officer_tokens_forget(void);

/* True if officer `p` may call `route`: DD_AUTH_OFFICER with a role granting the route's scope,
 * or DD_AUTH_OPERATOR with the admin role. */
bool dd_officer_allowed(const struct dd_principal *p, const struct dd_route *route);

#endif
