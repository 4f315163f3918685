/*
 * officers.c — officer accounts, roles as a table of scopes, bearer tokens.
 */
#include "core/officers.h"
#include "core/token_cache.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "crypto/hash.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "http/route.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct role {
    const char *name;
    bool commune_level;        /* works in one commune (an area below the province) */
    const char *const *scopes; /* "*" grants every scope */
};

static const char *const all_scopes[] = {"*", NULL};
static const char *const police_scopes[] = {"register:read",    "register:write", "identity:verify",
                                            "identity:suspend", "org:read",       "org:write",
                                            "stay:read",        "stay:police",    "stay:figures",
                                            "insight:read",     "insight:police", NULL};
/* The province police also keep the stays watch list and where its alerts go. */
static const char *const province_police_scopes[] = {"register:read",
                                                     "register:write",
                                                     "identity:verify",
                                                     "identity:suspend",
                                                     "org:read",
                                                     "org:write",
                                                     "stay:read",
                                                     "stay:police",
                                                     "stay:figures",
                                                     "stay:watch",
                                                     "insight:read",
                                                     "insight:police",
                                                     NULL};
static const char *const service_scopes[] = {"register:read", "services:process", "services:stats",
                                             "services:kiosks", NULL};
static const char *const cashier_scopes[] = {"payments:read", "payments:write", NULL};
static const char *const no_scopes[] = {NULL};
static const char *const figures_scopes[] = {"stay:figures", NULL};
static const char *const leader_scopes[] = {"stay:figures", "services:stats", "insight:read", NULL};
/* The labour department: its records of people's employment, and the dashboards. */
static const char *const labour_scopes[] = {"insight:read", "insight:labour", NULL};
static const char *const wallet_issuer_scopes[] = {"wallet:issue", "wallet:read", NULL};
static const char *const certifier_scopes[] = {"wallet:certify", NULL};
static const char *const land_scopes[] = {"land:read", "land:write", "wallet:read", NULL};
static const char *const soc_scopes[] = {"soc:read", "soc:write", NULL};

static const struct role roles[] = {
    {"admin", false, all_scopes},
    {"province-police", false, province_police_scopes},
    {"commune-police", true, police_scopes},
    {"service-officer", false, service_scopes},
    {"cashier", false, cashier_scopes},
    {"health", false, no_scopes},
    {"tourism", false, figures_scopes},
    {"education", false, no_scopes},
    {"transport", false, no_scopes},
    {"leader", false, leader_scopes},
    {"soc-analyst", false, soc_scopes},
    {"document-issuer", false, wallet_issuer_scopes},
    {"commune-justice", true, certifier_scopes},
    {"notary", false, certifier_scopes},
    {"land-officer", false, land_scopes},
    {"labour", false, labour_scopes},
};

static const struct role *
find_role(const char *name)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, name) == 0)
            return &roles[i];
    return NULL;
}

const char *const *
dd_officer_roles(void)
{
    static const char *names[sizeof roles / sizeof roles[0] + 1];
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        names[i] = roles[i].name;
    return names;
}

const char *const *
dd_officer_role_scopes(const char *role, bool *commune_level)
{
    const struct role *r = role ? find_role(role) : NULL;
    if (r && commune_level)
        *commune_level = r->commune_level;
    return r ? r->scopes : NULL;
}

bool
dd_officer_role_grants(const char *role, const char *scope)
{
    const struct role *r = find_role(role);
    if (r == NULL)
        return false;
    for (const char *const *s = r->scopes; *s; s++)
        if (strcmp(*s, "*") == 0 || (scope && strcmp(*s, scope) == 0))
            return true;
    return false;
}

static bool
username_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static int
validate_officer(const struct dd_officer_new *o, char *err, size_t errlen)
{
    const struct role *r = o->role ? find_role(o->role) : NULL;
    bool has_commune = o->commune && o->commune[0];
    if (!username_ok(o->username))
        snprintf(err, errlen, "username must be 3-32 characters of a-z 0-9 . _ -");
    else if (o->display_name == NULL || o->display_name[0] == '\0')
        snprintf(err, errlen, "display name is required");
    else if (r == NULL)
        snprintf(err, errlen, "unknown role '%s'", o->role ? o->role : "");
    else if (!dd_str_all_digits(o->province, 2))
        snprintf(err, errlen, "province must be a 2-digit code such as 56");
    else if (has_commune && !dd_str_all_digits(o->commune, 5))
        snprintf(err, errlen, "commune must be a 5-digit code");
    else if (r->commune_level && !has_commune)
        snprintf(err, errlen, "role %s works in one commune: give its code", r->name);
    else
        return DD_OK;
    return DD_EINVAL;
}

int
dd_officer_validate(const struct dd_officer_new *o, char *err, size_t errlen)
{
    return validate_officer(o, err, errlen);
}

int
dd_officer_create(struct dd_db *db, const struct dd_officer_new *o, int64_t *id, char *err,
                  size_t errlen)
{
    if (validate_officer(o, err, errlen) != DD_OK)
        return DD_EINVAL;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO officers (username, display_name, role, province_code, "
                           "commune_code, agency, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                           "RETURNING id",
                           &st);
    if (rc != DD_OK) {
        snprintf(err, errlen, "%s", dd_db_errmsg(db));
        return rc;
    }
    dd_stmt_bind_text(st, 1, o->username);
    dd_stmt_bind_text(st, 2, o->display_name);
    dd_stmt_bind_text(st, 3, o->role);
    dd_stmt_bind_text(st, 4, o->province);
    dd_stmt_bind_text(st, 5, o->commune ? o->commune : "");
    dd_stmt_bind_text(st, 6, o->agency ? o->agency : "");
    dd_stmt_bind_text(st, 7, now);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW && id)
        *id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    if (rc == DD_ECONFLICT) {
        snprintf(err, errlen, "username '%s' is taken", o->username);
        return DD_EEXIST;
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", dd_db_errmsg(db));
        return rc;
    }
    return DD_OK;
}

int
dd_officer_token_issue(struct dd_db *db, const char *username, long ttl_seconds,
                       char token[DD_TOKEN_LEN + 1], char *err, size_t errlen)
{
    if (ttl_seconds < 1 || ttl_seconds > 366L * 86400) {
        snprintf(err, errlen, "ttl must be between 1 second and 1 year");
        return DD_EINVAL;
    }
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT id, disabled FROM officers WHERE username = ?", &st);
    if (rc != DD_OK) {
        snprintf(err, errlen, "%s", dd_db_errmsg(db));
        return rc;
    }
    dd_stmt_bind_text(st, 1, username);
    rc = dd_stmt_step(st);
    int64_t id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    bool disabled = rc == DD_DB_ROW && dd_stmt_int64(st, 1) != 0;
    dd_stmt_reset(st);
    if (rc < 0) {
        snprintf(err, errlen, "%s", dd_db_errmsg(db));
        return rc;
    }
    if (rc != DD_DB_ROW) {
        snprintf(err, errlen, "no officer named '%s'", username);
        return DD_ENOTFOUND;
    }
    if (disabled) {
        snprintf(err, errlen, "officer '%s' is disabled", username);
        return DD_EDENIED;
    }
    unsigned char secret[32];
    dd_random_bytes(secret, sizeof secret);
    memcpy(token, "ddt_", 4);
    dd_hex_encode(secret, sizeof secret, token + 4);
    char hash[2 * DD_SHA256_LEN + 1], now[32], until[32];
    dd_sha256_hex(token, DD_TOKEN_LEN, hash);
    int64_t now_ms = dd_clock_now_ms();
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(now_ms + (int64_t)ttl_seconds * 1000, until);
    rc = dd_db_prepare(db,
                       "INSERT INTO api_tokens (token_hash, officer_id, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?)",
                       &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, hash);
        dd_stmt_bind_int64(st, 2, id);
        dd_stmt_bind_text(st, 3, now);
        dd_stmt_bind_text(st, 4, until);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s", dd_db_errmsg(db));
        return rc;
    }
    return DD_OK;
}

/* The hash of a well-formed "ddt_…" token; false for anything else. */
static bool
token_hash(const char *token, char hash[2 * DD_SHA256_LEN + 1])
{
    if (strlen(token) != DD_TOKEN_LEN || strncmp(token, "ddt_", 4) != 0)
        return false;
    dd_sha256_hex(token, DD_TOKEN_LEN, hash);
    return true;
}

/* Reads "Bearer ddt_…" into the token's hash; false if the header is not one of ours. */
static bool
bearer_hash(const char *header, char hash[2 * DD_SHA256_LEN + 1])
{
    if (header == NULL || strncmp(header, "Bearer ", 7) != 0)
        return false;
    return token_hash(header + 7, hash);
}

static int
reply_unauthenticated(struct dd_req *req)
{
    dd_reply_header(req, "WWW-Authenticate", "Bearer");
    return dd_reply_problem(req, DD_PROBLEM_UNAUTHENTICATED, NULL);
}

DD_TOKEN_CACHE_DEFINE(officer_tokens, struct dd_principal);

void
dd_officer_tokens_forget(void)
{
    dd_token_cache_clear(&officer_tokens);
}

/* Loads the officer behind a token hash; DD_ENOTFOUND if none is valid now. Remembers what it
 * found in the token cache unless the token expires within the cache's time to live. */
static int
load_principal(struct dd_db *db, const char *hash, struct dd_principal *p)
{
    int64_t now_ms = dd_clock_now_ms();
    if (dd_token_cache_get(&officer_tokens, hash, now_ms, p))
        return DD_OK;
    char now[32], later[32];
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(now_ms + DD_TOKEN_CACHE_TTL_MS, later);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT o.id, o.username, o.display_name, o.role, o.province_code, "
                           "o.commune_code, o.agency, t.expires_at, a.id, a.id_number FROM "
                           "api_tokens t JOIN officers o ON o.id = t.officer_id LEFT JOIN "
                           "accounts a ON a.id = o.account_id WHERE t.token_hash = ? AND "
                           "t.expires_at > ? AND o.disabled = 0",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hash);
    dd_stmt_bind_text(st, 2, now);
    rc = dd_stmt_step(st);
    bool lasts = false;
    if (rc == DD_DB_ROW) {
        p->kind = DD_PRINCIPAL_OFFICER;
        p->id = dd_stmt_int64(st, 0);
        dd_strlcpy(p->name, dd_stmt_text(st, 1), sizeof p->name);
        dd_strlcpy(p->display_name, dd_stmt_text(st, 2), sizeof p->display_name);
        dd_strlcpy(p->role, dd_stmt_text(st, 3), sizeof p->role);
        dd_strlcpy(p->province, dd_stmt_text(st, 4), sizeof p->province);
        dd_strlcpy(p->commune, dd_stmt_text(st, 5), sizeof p->commune);
        dd_strlcpy(p->agency, dd_stmt_text(st, 6), sizeof p->agency);
        lasts = strcmp(dd_stmt_text(st, 7), later) > 0;
        p->account_id = dd_stmt_int64(st, 8);
        const char *person = dd_stmt_text(st, 9);
        dd_strlcpy(p->id_number, person ? person : "", sizeof p->id_number);
        p->level = 2;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (rc != DD_DB_ROW)
        return DD_ENOTFOUND;
    if (lasts)
        dd_token_cache_put(&officer_tokens, hash, p, now_ms, now_ms + DD_TOKEN_CACHE_TTL_MS);
    return DD_OK;
}

int
dd_officer_token_principal(struct dd_db *db, const char *token, struct dd_principal *p)
{
    char hash[2 * DD_SHA256_LEN + 1];
    if (token == NULL || !token_hash(token, hash))
        return DD_EINVAL;
    memset(p, 0, sizeof *p);
    return load_principal(db, hash, p);
}

int
dd_officer_authenticate(struct dd_req *req, const struct dd_route *route)
{
    char hash[2 * DD_SHA256_LEN + 1];
    if (!bearer_hash(dd_req_header(req, "Authorization"), hash)) {
        reply_unauthenticated(req);
        return DD_EDENIED;
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_EUNAVAIL;
    struct dd_principal *p = dd_arena_zalloc(req->arena, sizeof *p);
    int rc = load_principal(db, hash, p);
    if (rc == DD_ENOTFOUND) {
        reply_unauthenticated(req);
        return DD_EDENIED;
    }
    if (rc != DD_OK) {
        dd_reply_problem(req, dd_problem_from_error(rc), NULL);
        return rc;
    }
    if (!dd_officer_allowed(p, route)) {
        dd_reply_problem(req, DD_PROBLEM_FORBIDDEN, NULL);
        return DD_EDENIED;
    }
    req->who = p;
    return DD_OK;
}

bool
dd_officer_allowed(const struct dd_principal *p, const struct dd_route *route)
{
    if (p->kind != DD_PRINCIPAL_OFFICER)
        return false;
    if (route->auth == DD_AUTH_OPERATOR)
        return strcmp(p->role, "admin") == 0;
    return route->auth == DD_AUTH_OFFICER && dd_officer_role_grants(p->role, route->scope);
}
