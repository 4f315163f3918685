/*
 * session.c — the person behind an authorization request: the web session of the dd_session
 * cookie (the one the login page sets), read with one statement, and what it proves: the acr
 * (level-1, or level-2 with a second factor in this session) and the amr (RFC 8176).
 *
 * The provider runs its own query on the sessions and accounts tables rather than the
 * identity module's authenticator, because /sso/authorize is open to everyone (a missing
 * session is a redirect to the login page, not a 401).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "crypto/hash.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <string.h>
#include <time.h>

#define SESSION_TOKEN_LEN 68 /* "dds_" and 64 hex digits */

/* The dd_session cookie's value, or NULL. */
static const char *
session_cookie(struct dd_req *req)
{
    const char *h = dd_req_header(req, "Cookie");
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        size_t len = strcspn(h, ";");
        if (len > 11 && strncmp(h, "dd_session=", 11) == 0)
            return dd_arena_strndup(req->arena, h + 11, len - 11);
        h += len;
    }
    return NULL;
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS…Z"; 0 when malformed. */
static int64_t
iso_seconds(const char *s)
{
    struct tm tm = {0};
    if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
        return 0;
    return (int64_t)timegm(&tm);
}

static const char account_cols[] =
    "a.id, a.kind, a.login, a.display_name, a.id_number, a.email, a.phone, a.birth_date, "
    "a.level, CASE WHEN a.totp_secret <> '' THEN 1 ELSE 0 END";

static void
read_account(struct dd_arena *a, struct dd_stmt *st, int col, struct sso_session *out)
{
    out->account_id = dd_stmt_int64(st, col);
    out->kind = dd_arena_strdup(a, dd_stmt_text(st, col + 1));
    out->login = dd_arena_strdup(a, dd_stmt_text(st, col + 2));
    out->display_name = dd_arena_strdup(a, dd_stmt_text(st, col + 3));
    out->id_number = dd_arena_strdup(a, dd_stmt_text(st, col + 4));
    out->email = dd_arena_strdup(a, dd_stmt_text(st, col + 5));
    out->phone = dd_arena_strdup(a, dd_stmt_text(st, col + 6));
    out->birth_date = dd_arena_strdup(a, dd_stmt_text(st, col + 7));
    out->level = (int)dd_stmt_int64(st, col + 8);
    out->has_second_factor = dd_stmt_int64(st, col + 9) != 0;
}

int
sso_session_of_request(struct dd_req *req, struct dd_db *db, struct sso_session *out)
{
    memset(out, 0, sizeof *out);
    const char *token = session_cookie(req);
    if (token == NULL || strlen(token) != SESSION_TOKEN_LEN || strncmp(token, "dds_", 4) != 0)
        return DD_ENOTFOUND;
    const char *hash = sso_hash(req->arena, token);
    const char *sql = dd_arena_printf(
        req->arena,
        "SELECT s.id, s.method, s.created_at, %s FROM sessions s JOIN accounts a ON a.id = "
        "s.account_id WHERE s.token_hash = ? AND s.ended_at = '' AND s.purpose = 'full' AND "
        "s.expires_at > ? AND s.idle_until > ? AND a.status = 'active'",
        account_cols);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    const char *now = sso_time(req->arena, 0);
    dd_stmt_bind_text(st, 1, hash);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, now);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        out->session_id = dd_stmt_int64(st, 0);
        const char *method = dd_stmt_text(st, 1);
        out->second_factor = strcmp(method, "totp") == 0 || strcmp(method, "recovery") == 0;
        out->auth_time = iso_seconds(dd_stmt_text(st, 2));
        read_account(req->arena, st, 3, out);
        out->token_hash = hash;
        const char *sid_hash = sso_hash(req->arena, dd_arena_printf(req->arena, "sid:%s", hash));
        out->sid = dd_arena_strndup(req->arena, sid_hash, 32);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

int
sso_account_get(struct dd_db *db, struct dd_arena *a, int64_t account_id, struct sso_session *out)
{
    memset(out, 0, sizeof *out);
    const char *sql = dd_arena_printf(
        a, "SELECT %s FROM accounts a WHERE a.id = ? AND a.status = 'active'", account_cols);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, account_id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        read_account(a, st, 0, out);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

const char *
sso_session_acr(const struct sso_session *s)
{
    return s->level >= 2 && s->second_factor ? SSO_ACR_LOA2 : SSO_ACR_LOA1;
}

const char *
sso_session_amr(const struct sso_session *s)
{
    return s->second_factor ? "pwd otp mfa" : "pwd";
}
