/*
 * identity.h — electronic identities (docs/IDENTITY.md): the `identity` module (registration at
 * level 1 and 2, logins, sessions, second factor, locks and suspensions), the server's
 * authenticator, and the officers' accounts the command line manages.
 *
 * Everything a request needs to know about its caller ends up in req->who (http/principal.h);
 * other modules never read the identity tables.
 */
#ifndef DD_CORE_IDENTITY_IDENTITY_H
#define DD_CORE_IDENTITY_IDENTITY_H

#include "http/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dd_config;
struct dd_db;
struct dd_req;
struct dd_officer_new;

extern const struct dd_module dd_module_identity;

/* Guesses by callers not signed in at something secret — a dossier looked up by its code and
 * the applicant's ID number — throttled like failed logins (throttle.c, docs/IDENTITY.md): keys
 * "<kind>:" + SHA-256 of the thing guessed at, and "<kind>-net:" + the caller's network; after
 * 5 failures on the thing (login-network-failures on the network) each further one blocks it
 * for a growing delay. */
struct dd_guess_keys {
    char item[80];
    char net[96];
};

/* The keys of a guess at `item` (a dossier code, …) of `kind` ("lookup") from req's caller. */
void dd_guess_keys(struct dd_req *req, const char *kind, const char *item, struct dd_guess_keys *k);

/* 0 when the caller may guess now; else replies 429 too-many-requests with Retry-After (or the
 * database's failure) and returns -1. */
int dd_guess_allowed_or_reply(struct dd_req *req, struct dd_db *db, const struct dd_guess_keys *k);

/* Counts a wrong guess for both keys, in a transaction of its own (needs none open). */
int dd_guess_failed(struct dd_db *db, const struct dd_guess_keys *k);

/* Takes the identity settings from `cfg` (login-delay-ms, login-network-failures, tls,
 * totp-issuer) and warms the dummy password hash. Call once at start, before serving. */
void dd_identity_configure(const struct dd_config *cfg);

/* Starts the identity worker: a thread that sends notices (one-time codes) after the reply, so
 * that a reply takes the same time whether or not a notice is sent, and purges expired rows
 * once an hour (dd_identity_purge). Without it, notices are sent before the reply and nothing
 * is purged. `serve` starts it after dd_db_pool_init and stops it after the HTTP server; stopping
 * sends every notice still queued. */
int dd_identity_start(void);
void dd_identity_stop(void);

/* The server's authenticator (http/server.h): accepts `Authorization: Bearer ddt_…` (officers'
 * API tokens, core/officers.h), `Authorization: Bearer dds_…` (session tokens) and the
 * `dd_session` cookie (with X-CSRF-Token on every request but GET, HEAD and OPTIONS), fills
 * req->who, and checks the route's auth kind and scope. Replies 401, 403 (forbidden,
 * csrf-failed) or 503 itself when it refuses. */
int dd_identity_authenticate(struct dd_req *req, const struct dd_route *route);

/* Tells this process that session `session_id` has ended (another module ended it in the
 * database, e.g. single sign-on's logout): its cached entries are forgotten, so the session's
 * token and cookie are refused from the next request on. Call it after the commit. */
void dd_identity_session_ended(int64_t session_id);

/* What dd_identity_purge removed. */
struct dd_identity_purged {
    int64_t history;  /* authentication history older than 5 years */
    int64_t sessions; /* sessions whose expiry is more than 90 days ago */
    int64_t codes;    /* one-time codes expired more than a day ago */
    int64_t throttle; /* throttling rows without a failure for a day */
};

/* Deletes what is kept no longer (see struct dd_identity_purged), as of now_ms, in one
 * transaction of its own. */
int dd_identity_purge(struct dd_db *db, int64_t now_ms, struct dd_identity_purged *out);

/* --- officers' accounts, for the command line and the demo --- */

/* Creates an officer (core/officers.h) with a login account linked to it, in one transaction of
 * its own: kind officer, level 2, active, the username as login. `password` may be NULL (no
 * password yet: the officer uses API tokens until one is set); otherwise it must pass the
 * password rules. `actor` ("operator:ana") is who creates it, for the event account.created;
 * NULL emits no event (the demo's made-up officers). DD_EINVAL with a sentence in err for a bad
 * field (a username of digits only included: those are citizens' logins), DD_EEXIST if the
 * username is taken. *officer_id (may be NULL) receives the officers row's id. */
int dd_identity_officer_create(struct dd_db *db, const struct dd_officer_new *o,
                               const char *password, const char *actor, int64_t *officer_id,
                               char *err, size_t errlen);

/* Sets the password of officer `username`, creating their login account if they have none (an
 * officer made before accounts existed). Ends their sessions and lifts a lockout. DD_ENOTFOUND,
 * or DD_EINVAL with the broken password rule in err. */
int dd_identity_officer_password(struct dd_db *db, const char *username, const char *password,
                                 char *err, size_t errlen);

/* Gives officer `username` another role and area (province, and commune or NULL/""), with the
 * checks of dd_officer_create. DD_ENOTFOUND, DD_EINVAL with a sentence. */
int dd_identity_officer_role(struct dd_db *db, const char *username, const char *role,
                             const char *province, const char *commune, char *err, size_t errlen);

/* Disables officer `username`: their tokens stop working (within the token cache's 10 s in a
 * running server), their account can no longer log in and their sessions end. DD_ENOTFOUND. */
int dd_identity_officer_disable(struct dd_db *db, const char *username, char *err, size_t errlen);

/* Prints every officer as an aligned table: username, role, area, agency, status (active,
 * disabled, no-password), second factor (totp or -). */
int dd_identity_officer_list(struct dd_db *db, FILE *out, char *err, size_t errlen);

/* --- containment by the security operations centre (containment.c) --- */

/* Locks account `account_id` (status locked, with the reason) and ends its sessions, inside the
 * caller's transaction, emitting account.locked with `actor` ("officer:3") as "by".
 * DD_ENOTFOUND; DD_ECONFLICT for an account disabled or never confirmed. */
int dd_identity_contain_lock(struct dd_db *db, int64_t account_id, const char *reason,
                             const char *actor);

/* Ends every session of account `account_id` inside the caller's transaction, emitting
 * account.sessions_revoked. DD_ENOTFOUND. */
int dd_identity_contain_revoke(struct dd_db *db, int64_t account_id, const char *actor);

/* Forgets the account's sessions in the session cache: call after the commit of the above. */
void dd_identity_forget_account(int64_t account_id);

#endif
