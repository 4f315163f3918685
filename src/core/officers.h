/*
 * officers.h — officer accounts, their roles and areas, and bearer tokens.
 *
 * A minimal version until the identity module brings full accounts (passwords, second factor,
 * organisations): officers are created by the command line and the demo, and authenticate with
 * bearer tokens printed by `dinhdanh token`. Tokens are random, shown once, stored only as
 * their SHA-256.
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

/* True if `role` grants `scope` ("register:read", …). */
bool dd_officer_role_grants(const char *role, const char *scope);

/* Creates an officer inside the caller's transaction or on its own. DD_EINVAL with a sentence in
 * err for a bad field (a commune-level role without a commune included), DD_EEXIST if the
 * username is taken. */
int dd_officer_create(struct dd_db *db, const struct dd_officer_new *o, int64_t *id, char *err,
                      size_t errlen);

/* Issues a token for an existing, enabled officer, valid for ttl_seconds (1 s – 1 year).
 * DD_ENOTFOUND if there is no such officer, DD_EDENIED if disabled. */
int dd_officer_token_issue(struct dd_db *db, const char *username, long ttl_seconds,
                           char token[DD_TOKEN_LEN + 1], char *err, size_t errlen);

/* The server's authenticator (see http/server.h): a bearer token of an enabled officer whose
 * role grants the route's scope. 401 without a valid token, 403 when the role does not allow. */
int dd_officer_authenticate(struct dd_req *req, const struct dd_route *route);

#endif
