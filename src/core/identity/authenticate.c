/*
 * authenticate.c — the server's authenticator (identity.h): who is calling, and may they call
 * this route.
 *
 * Credentials, in this order: `Authorization: Bearer ddt_…` (an officer's API token, looked up
 * by core/officers.c with its token cache), `Authorization: Bearer dds_…` (a session, for API
 * clients), and the `dd_session` cookie (a session, for the web UI: every request but GET, HEAD
 * and OPTIONS must then carry X-CSRF-Token equal to the session's, else 403 csrf-failed). Any
 * other Authorization header, or none of these, is 401.
 *
 * A session's lookup is cached (session_cache.c): a request costs no database read for it,
 * except a write of last_seen at most once a minute per session.
 *
 * Who may call what:
 *   DD_AUTH_CITIZEN_L1 / _L2  a citizen's full session at level 1 (or 2) / level 2. The scope
 *                             widens it: "account" admits every account holder's full session
 *                             (officers' too: their own account's pages), "account:enrol" also
 *                             an officer's enrolment-only session, and an officer scope
 *                             ("identity:verify") admits officers whose role grants it.
 *   DD_AUTH_OFFICER           an officer (API token or full session) whose role grants the scope.
 *   DD_AUTH_OPERATOR          an officer with the admin role.
 *   DD_AUTH_ESTABLISHMENT     an organisation's staff member (full session) whose role in the
 *                             organisation grants the scope (orgs.h; no scope: any member).
 *   DD_AUTH_CLIENT            nobody yet (SSO clients come later).
 * A staff member whose organisation is suspended is refused everywhere (403
 * organisation-suspended); one whose membership ended has no session left.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "core/identity/orgs.h"
#include "core/officers.h"
#include "crypto/hash.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "http/route.h"
#include "store/store.h"

#include <openssl/crypto.h>
#include <string.h>

#define SESSION_COOKIE "dd_session"

enum credential { CRED_NONE, CRED_BAD, CRED_OFFICER_TOKEN, CRED_SESSION_BEARER, CRED_COOKIE };

/* Which credential the request carries; *secret points at the token. */
static enum credential
credential_of(struct dd_req *req, const char **secret)
{
    const char *auth = dd_req_header(req, "Authorization");
    if (auth) {
        if (strncmp(auth, "Bearer ", 7) != 0)
            return CRED_BAD;
        *secret = auth + 7;
        if (strncmp(*secret, "ddt_", 4) == 0)
            return CRED_OFFICER_TOKEN;
        if (strncmp(*secret, "dds_", 4) == 0 && strlen(*secret) == ID_SESSION_TOKEN_LEN)
            return CRED_SESSION_BEARER;
        return CRED_BAD;
    }
    *secret = id_cookie(req, SESSION_COOKIE);
    if (*secret == NULL)
        return CRED_NONE;
    if (strncmp(*secret, "dds_", 4) == 0 && strlen(*secret) == ID_SESSION_TOKEN_LEN)
        return CRED_COOKIE;
    return CRED_BAD;
}

static const char session_sql[] =
    "SELECT s.id, s.csrf_token, s.purpose, s.last_seen_at, s.idle_until, s.expires_at, "
    "a.id, a.kind, a.login, a.display_name, a.id_number, a.level, a.status, o.id, o.role, "
    "o.province_code, o.commune_code, o.agency, o.disabled, m.org_id, m.role, g.name, "
    "g.province_code, g.commune_code, g.status FROM sessions s JOIN accounts a ON a.id = "
    "s.account_id LEFT JOIN officers o ON o.account_id = a.id " ID_ORG_JOIN
    "WHERE s.token_hash = ? AND s.ended_at = '' AND s.expires_at > ? AND s.idle_until > ?";

/* A column's text, or "" for NULL (a LEFT JOIN that found nothing). */
static const char *
text_or_empty(struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return s ? s : "";
}

/* Reads the session row into *out; false if the account may not use it now. */
static bool
read_session(struct dd_stmt *st, struct id_session_seen *out)
{
    memset(out, 0, sizeof *out);
    out->session_id = dd_stmt_int64(st, 0);
    dd_strlcpy(out->csrf, dd_stmt_text(st, 1), sizeof out->csrf);
    out->enrolment = strcmp(dd_stmt_text(st, 2), "enrolment") == 0;
    int64_t idle = 0, expires = 0;
    if (id_time_parse(dd_stmt_text(st, 3), &out->last_seen_ms) != DD_OK ||
        id_time_parse(dd_stmt_text(st, 4), &idle) != DD_OK ||
        id_time_parse(dd_stmt_text(st, 5), &expires) != DD_OK)
        return false;
    out->valid_until_ms = idle < expires ? idle : expires;
    struct id_account acc = {
        .id = dd_stmt_int64(st, 6),
        .kind = dd_stmt_text(st, 7),
        .login = dd_stmt_text(st, 8),
        .display_name = dd_stmt_text(st, 9),
        .id_number = dd_stmt_text(st, 10),
        .level = (int)dd_stmt_int64(st, 11),
        .officer_id = dd_stmt_int64(st, 13),
        .role = text_or_empty(st, 14),
        .province = text_or_empty(st, 15),
        .commune = text_or_empty(st, 16),
        .agency = text_or_empty(st, 17),
        .org_id = dd_stmt_int64(st, 19),
        .org_role = text_or_empty(st, 20),
        .org_name = text_or_empty(st, 21),
        .org_kind = "",
        .org_province = text_or_empty(st, 22),
        .org_commune = text_or_empty(st, 23),
        .org_status = text_or_empty(st, 24),
    };
    out->account_id = acc.id;
    id_account_principal(&acc, &out->who);
    bool officer_off = dd_stmt_int64(st, 18) != 0;
    bool staff = strcmp(acc.kind, "staff") == 0;
    out->org_suspended = staff && strcmp(acc.org_status, "suspended") == 0;
    return strcmp(dd_stmt_text(st, 12), "active") == 0 && !officer_off && !(staff && !acc.org_id);
}

/* Writes last_seen and moves the idle end; the absolute expiry stays. */
static int
touch(struct dd_db *db, const char *hash, struct id_session_seen *s, int64_t now_ms)
{
    char now[32], idle[32];
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(now_ms + ID_SESSION_IDLE_MS, idle);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE sessions SET last_seen_at = ?, idle_until = ? WHERE id = ? "
                           "AND ended_at = ''",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, now);
    dd_stmt_bind_text(st, 2, idle);
    dd_stmt_bind_int64(st, 3, s->session_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    s->last_seen_ms = now_ms;
    id_session_cache_touched(hash, now_ms);
    return DD_OK;
}

int
id_session_lookup(struct dd_db *db, const char *hash, int64_t now_ms, struct id_session_seen *out)
{
    if (!id_session_cache_get(hash, now_ms, out)) {
        char now[32];
        dd_clock_iso8601(now_ms, now);
        struct dd_stmt *st;
        int rc = dd_db_prepare(db, session_sql, &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_text(st, 1, hash);
        dd_stmt_bind_text(st, 2, now);
        dd_stmt_bind_text(st, 3, now);
        rc = dd_stmt_step(st);
        bool usable = rc == DD_DB_ROW && read_session(st, out);
        dd_stmt_reset(st);
        if (rc < 0)
            return rc;
        if (!usable)
            return DD_ENOTFOUND;
        id_session_cache_put(hash, out, now_ms);
    }
    /* A failed touch costs only the idle end's accuracy: the request goes on. */
    if (now_ms - out->last_seen_ms >= ID_SESSION_TOUCH_MS && !dd_db_in_transaction(db) &&
        touch(db, hash, out, now_ms) != DD_OK)
        dd_log(DD_LOG_WARN, "identity.touch_failed", "could not write a session's last use");
    return DD_OK;
}

static int
reply_unauthenticated(struct dd_req *req)
{
    dd_reply_header(req, "WWW-Authenticate", "Bearer");
    return dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
}

static bool
safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

static bool
csrf_ok(struct dd_req *req, const struct id_session_seen *s)
{
    const char *sent = dd_req_header(req, "X-CSRF-Token");
    size_t n = strlen(s->csrf);
    return sent && n > 0 && strlen(sent) == n && CRYPTO_memcmp(sent, s->csrf, n) == 0;
}

const struct id_session_seen *
id_current_session_or_reply(struct dd_req *req, struct dd_db *db)
{
    const char *secret = NULL;
    enum credential c = credential_of(req, &secret);
    struct id_session_seen *s = dd_arena_zalloc(req->arena, sizeof *s);
    char hash[ID_HEX_HASH];
    int rc = DD_ENOTFOUND;
    if (c == CRED_SESSION_BEARER || c == CRED_COOKIE) {
        dd_sha256_hex(secret, strlen(secret), hash);
        rc = id_session_lookup(db, hash, dd_clock_now_ms(), s);
    }
    if (rc == DD_OK)
        return s;
    if (rc == DD_ENOTFOUND)
        reply_unauthenticated(req);
    else
        id_fail(req, db, rc);
    return NULL;
}

/* Whether a session's or token's principal may call the route (see the top of the file). */
static bool
allowed(const struct dd_route *route, const struct dd_principal *p, const struct id_session_seen *s)
{
    bool session = s != NULL;
    bool full = session && !s->enrolment;
    const char *scope = route->scope ? route->scope : "";
    bool officer = p->kind == DD_PRINCIPAL_OFFICER;
    switch (route->auth) {
    case DD_AUTH_CITIZEN_L1:
    case DD_AUTH_CITIZEN_L2:
        if (strcmp(scope, "account:enrol") == 0 && session)
            return true;
        if (!full && !(officer && !session))
            return false;
        if (p->kind == DD_PRINCIPAL_CITIZEN)
            return route->auth == DD_AUTH_CITIZEN_L1 || p->level >= 2;
        if (strcmp(scope, "account") == 0)
            return session;
        return officer && scope[0] && strncmp(scope, "account", 7) != 0 &&
               dd_officer_role_grants(p->role, scope);
    case DD_AUTH_OFFICER:
    case DD_AUTH_OPERATOR:
        return (full || !session) && dd_officer_allowed(p, route);
    case DD_AUTH_ESTABLISHMENT:
        return full && p->kind == DD_PRINCIPAL_ESTABLISHMENT &&
               dd_org_role_grants(p->role, route->scope);
    default:
        return false;
    }
}

int
dd_identity_authenticate(struct dd_req *req, const struct dd_route *route)
{
    const char *secret = NULL;
    enum credential c = credential_of(req, &secret);
    if (c == CRED_NONE || c == CRED_BAD) {
        reply_unauthenticated(req);
        return DD_EDENIED;
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_EUNAVAIL;
    struct dd_principal *p = dd_arena_zalloc(req->arena, sizeof *p);
    struct id_session_seen *s = NULL;
    int rc;
    if (c == CRED_OFFICER_TOKEN) {
        rc = dd_officer_token_principal(db, secret, p);
        if (rc == DD_EINVAL)
            rc = DD_ENOTFOUND;
    } else {
        s = dd_arena_zalloc(req->arena, sizeof *s);
        char hash[ID_HEX_HASH];
        dd_sha256_hex(secret, strlen(secret), hash);
        rc = id_session_lookup(db, hash, dd_clock_now_ms(), s);
        *p = s->who;
    }
    if (rc == DD_ENOTFOUND) {
        reply_unauthenticated(req);
        return DD_EDENIED;
    }
    if (rc != DD_OK) {
        id_fail(req, db, rc);
        return rc;
    }
    if (c == CRED_COOKIE && !safe_method(req->method) && !csrf_ok(req, s)) {
        id_problem_reply(req, ID_PROBLEM_CSRF_FAILED, NULL);
        return DD_EDENIED;
    }
    if (s != NULL && s->org_suspended) {
        id_problem_reply(req, ID_PROBLEM_ORGANISATION_SUSPENDED, NULL);
        return DD_EDENIED;
    }
    if (!allowed(route, p, s)) {
        dd_reply_problem(req, DD_PROBLEM_FORBIDDEN, NULL);
        return DD_EDENIED;
    }
    req->who = p;
    return DD_OK;
}
