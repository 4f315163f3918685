/*
 * clients.c — the registry of relying parties and machine clients: who they are, how they
 * authenticate, which scopes, redirect and logout URIs they may use. Secrets are 256 random bits
 * shown once and stored as SHA-256 (they are not passwords: a fast hash is right, and keeps the
 * token endpoint fast). Used by `dinhdanh client` and the admin API; every change is audited.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/audit.h"
#include "core/events.h"
#include "crypto/hash.h"
#include "core/soc/soc.h"
#include "sso/internal.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sso_known_scopes[] = {"openid",      "profile",   "email",          "phone",
                                        "national_id", "residence", "offline_access", NULL};

bool
sso_has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    const char *p = list ? list : "";
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p += len;
    }
    return false;
}

bool
sso_scopes_within(const char *scope, const char *allowed)
{
    const char *p = scope ? scope : "";
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        char word[64];
        if (len >= sizeof word)
            return false;
        memcpy(word, p, len);
        word[len] = '\0';
        if (!sso_has_word(allowed, word))
            return false;
        p += len;
    }
    return true;
}

static bool
known_scope(const char *word, size_t n)
{
    for (int i = 0; sso_known_scopes[i]; i++)
        if (strlen(sso_known_scopes[i]) == n && strncmp(sso_known_scopes[i], word, n) == 0)
            return true;
    return false;
}

/* A scope list is words of [a-z0-9:._-]; a person's scopes only for authorization_code, and
 * machine clients' own scopes only for client_credentials. */
static bool
scope_list_ok(const char *scope, bool code_flow)
{
    const char *p = scope;
    if (strlen(scope) > 512)
        return false;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n == 0) {
            p++;
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '.' ||
                  c == '_' || c == '-'))
                return false;
        }
        if (known_scope(p, n) != code_flow)
            return false;
        p += n;
    }
    return true;
}

/* Redirect and logout URIs: absolute https (http only to this machine, for development), no
 * fragment, no control characters. */
static bool
uri_ok(const char *uri)
{
    size_t n = strlen(uri);
    if (n == 0 || n > 1000 || dd_str_has_control(uri) || strchr(uri, '#') || strchr(uri, ' '))
        return false;
    if (dd_str_has_prefix(uri, "https://") && n > 8)
        return true;
    return dd_str_has_prefix(uri, "http://127.0.0.1") ||
           dd_str_has_prefix(uri, "http://localhost") || dd_str_has_prefix(uri, "http://[::1]");
}

static bool
jwks_ok(const char *text, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    json_t *keys = json_object_get(doc, "keys");
    size_t usable = 0, i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        EVP_PKEY *pkey = NULL;
        if (dd_jwk_parse(k, &pkey) == DD_OK && json_object_get(k, "d") == NULL)
            usable++;
        EVP_PKEY_free(pkey);
    }
    json_decref(doc);
    if (usable == 0 || usable != i) {
        snprintf(err, errlen, "the JWKS must be {\"keys\":[…]} of public EC P-256 or RSA keys");
        return false;
    }
    return true;
}

static int
check_new(struct dd_sso_client_new *c, char *err, size_t errlen)
{
    if (c->name == NULL || c->name[0] == '\0' || strlen(c->name) > 200 ||
        dd_str_has_control(c->name) || !dd_utf8_valid(c->name, strlen(c->name), NULL)) {
        snprintf(err, errlen, "the name must be 1 to 200 characters");
        return DD_EINVAL;
    }
    bool code = c->grant_type && strcmp(c->grant_type, "authorization_code") == 0;
    bool machine = c->grant_type && strcmp(c->grant_type, "client_credentials") == 0;
    if (!code && !machine) {
        snprintf(err, errlen, "the grant must be authorization_code or client_credentials");
        return DD_EINVAL;
    }
    if (c->auth_method == NULL)
        c->auth_method = c->jwks ? "private_key_jwt" : "client_secret_basic";
    bool basic = strcmp(c->auth_method, "client_secret_basic") == 0;
    bool jwt = strcmp(c->auth_method, "private_key_jwt") == 0;
    bool none = strcmp(c->auth_method, "none") == 0;
    if (!basic && !jwt && !none) {
        snprintf(err, errlen, "the auth must be client_secret_basic, private_key_jwt or none");
        return DD_EINVAL;
    }
    if (none && machine) {
        snprintf(err, errlen, "a client_credentials client must authenticate (not auth none)");
        return DD_EINVAL;
    }
    if (jwt && (c->jwks == NULL || !jwks_ok(c->jwks, err, errlen))) {
        if (c->jwks == NULL)
            snprintf(err, errlen, "private_key_jwt needs the client's public keys (--jwks FILE)");
        return DD_EINVAL;
    }
    if (!jwt && c->jwks) {
        snprintf(err, errlen, "a JWKS is only for private_key_jwt clients");
        return DD_EINVAL;
    }
    if (c->scope == NULL)
        c->scope = code ? "openid profile" : "";
    if (!scope_list_ok(c->scope, code)) {
        snprintf(err, errlen,
                 code ? "scopes of an authorization_code client are among openid profile email "
                        "phone national_id residence offline_access"
                      : "scopes of a client_credentials client are words of a-z 0-9 : . _ - "
                        "other than the person's scopes (openid, profile…)");
        return DD_EINVAL;
    }
    if (code && !sso_has_word(c->scope, "openid")) {
        snprintf(err, errlen, "an authorization_code client needs the openid scope");
        return DD_EINVAL;
    }
    if (code && c->nredirect == 0) {
        snprintf(err, errlen, "an authorization_code client needs at least one --redirect-uri");
        return DD_EINVAL;
    }
    if (machine && (c->nredirect || c->npost_logout || c->backchannel_logout_uri || c->pairwise)) {
        snprintf(err, errlen,
                 "a client_credentials client has no redirect, logout URIs or "
                 "pairwise subjects");
        return DD_EINVAL;
    }
    for (int i = 0; i < c->nredirect; i++)
        if (!uri_ok(c->redirect_uris[i])) {
            snprintf(err, errlen,
                     "redirect URI %.200s is not an absolute https URI without a "
                     "fragment (http only for 127.0.0.1 or localhost)",
                     c->redirect_uris[i]);
            return DD_EINVAL;
        }
    for (int i = 0; i < c->npost_logout; i++)
        if (!uri_ok(c->post_logout_uris[i])) {
            snprintf(err, errlen, "post-logout redirect URI %.200s is not valid",
                     c->post_logout_uris[i]);
            return DD_EINVAL;
        }
    if (c->backchannel_logout_uri && !uri_ok(c->backchannel_logout_uri)) {
        snprintf(err, errlen, "the back-channel logout URI is not valid");
        return DD_EINVAL;
    }
    return DD_OK;
}

static const char *
new_secret(char out[64], char hash[65])
{
    unsigned char rnd[32];
    dd_random_bytes(rnd, sizeof rnd);
    dd_b64url_encode(rnd, sizeof rnd, out, 64);
    dd_sha256_hex(out, strlen(out), hash);
    return out;
}

static int
exec_bound(struct dd_db *db, const char *sql, const char *const *texts, int n)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    for (int i = 0; i < n; i++)
        dd_stmt_bind_text(st, i + 1, texts[i]);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
insert_uris(struct dd_db *db, const char *client_id, const char *kind, const char *const *uris,
            int n)
{
    int rc = DD_OK;
    for (int i = 0; i < n && rc == DD_OK; i++) {
        const char *v[] = {client_id, kind, uris[i]};
        rc = exec_bound(db,
                        "INSERT INTO sso_client_uris (client_id, kind, uri) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING",
                        v, 3);
    }
    return rc;
}

static int
insert_client(struct dd_db *db, const struct dd_sso_client_new *c, const char *client_id,
              const char *secret_hash)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "INSERT INTO sso_clients (client_id, name, grant_type, auth_method, secret_hash, jwks, "
        "scopes, pairwise, backchannel_logout_uri, created_by, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, client_id);
    dd_stmt_bind_text(st, 2, c->name);
    dd_stmt_bind_text(st, 3, c->grant_type);
    dd_stmt_bind_text(st, 4, c->auth_method);
    dd_stmt_bind_text(st, 5, secret_hash);
    dd_stmt_bind_text(st, 6, c->jwks ? c->jwks : "");
    dd_stmt_bind_text(st, 7, c->scope);
    dd_stmt_bind_int64(st, 8, c->pairwise ? 1 : 0);
    dd_stmt_bind_text(st, 9, c->backchannel_logout_uri ? c->backchannel_logout_uri : "");
    dd_stmt_bind_text(st, 10, c->actor ? c->actor : "operator");
    dd_stmt_bind_text(st, 11, now);
    dd_stmt_bind_text(st, 12, now);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = insert_uris(db, client_id, "redirect", c->redirect_uris, c->nredirect);
    if (rc == DD_OK)
        rc = insert_uris(db, client_id, "post_logout", c->post_logout_uris, c->npost_logout);
    return rc;
}

static int
audit_now(struct dd_db *db, const char *actor, const char *action, const char *client_id)
{
    struct dd_audit_entry e = {.actor = actor ? actor : "operator",
                               .action = action,
                               .object = client_id,
                               .detail = NULL,
                               .request_id = NULL};
    return dd_audit_append(db, &e);
}

/* Tells every running server that a client changed (its cache forgets what it remembers; see
 * client_cache.c), in the caller's transaction. */
static int
client_changed(struct dd_db *db, const char *client_id)
{
    char subject[80];
    snprintf(subject, sizeof subject, "client:%s", client_id);
    return dd_event_emit(db, SSO_EVENT_CLIENT_CHANGED, subject, "{}");
}

/* A chosen client id: ddc_ and 1 to 40 of A-Z a-z 0-9 _ -. */
static int
check_client_id(const char *id, char *err, size_t errlen)
{
    size_t n = strlen(id);
    bool ok = n > 4 && n <= 44 && strncmp(id, "ddc_", 4) == 0;
    for (size_t i = 4; ok && i < n; i++)
        ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
             (id[i] >= '0' && id[i] <= '9') || id[i] == '_' || id[i] == '-';
    if (!ok) {
        snprintf(err, errlen, "client id: ddc_ followed by 1 to 40 letters, digits, _ or -");
        return DD_EINVAL;
    }
    return DD_OK;
}

int
dd_sso_client_add(struct dd_db *db, const struct dd_sso_client_new *in, json_t **out, char *err,
                  size_t errlen)
{
    struct dd_sso_client_new c = *in;
    int rc = check_new(&c, err, errlen);
    if (rc != DD_OK)
        return rc;
    char client_id[64] = "ddc_";
    if (c.client_id) {
        rc = check_client_id(c.client_id, err, errlen);
        if (rc != DD_OK)
            return rc;
        dd_strlcpy(client_id, c.client_id, sizeof client_id);
        int found = DD_OK;
        json_t *old = dd_sso_client_json(db, client_id, &found);
        if (old) {
            json_decref(old);
            snprintf(err, errlen, "a client %s is already registered", client_id);
            return DD_ECONFLICT;
        }
    } else {
        unsigned char rnd[16];
        dd_random_bytes(rnd, sizeof rnd);
        dd_b64url_encode(rnd, sizeof rnd, client_id + 4, sizeof client_id - 4);
    }
    char secret[64] = "", hash[65] = "";
    if (strcmp(c.auth_method, "client_secret_basic") == 0)
        new_secret(secret, hash);
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = insert_client(db, &c, client_id, hash);
    if (rc == DD_OK)
        rc = audit_now(db, c.actor, "sso.client.add", client_id);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else
        dd_db_rollback(db);
    if (rc != DD_OK) {
        snprintf(err, errlen, "the client could not be stored: %s", dd_db_errmsg(db));
        return rc;
    }
    *out = dd_sso_client_json(db, client_id, &rc);
    if (*out && secret[0])
        json_object_set_new(*out, "client_secret", json_string(secret));
    return *out ? DD_OK : rc;
}

int
dd_sso_client_rotate_secret(struct dd_db *db, const char *client_id, const char *actor,
                            json_t **out, char *err, size_t errlen)
{
    char secret[64], hash[65], now[32];
    new_secret(secret, hash);
    dd_clock_iso8601(dd_clock_now_ms(), now);
    int rc = dd_db_begin(db);
    struct dd_stmt *st = NULL;
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE sso_clients SET secret_hash = ?, updated_at = ? WHERE "
                           "client_id = ? AND auth_method = 'client_secret_basic'",
                           &st);
    int64_t changed = 0;
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, hash);
        dd_stmt_bind_text(st, 2, now);
        dd_stmt_bind_text(st, 3, client_id);
        rc = dd_stmt_step(st);
        changed = dd_stmt_changes(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    if (rc == DD_OK && changed == 0) {
        int found = DD_OK;
        json_t *c = dd_sso_client_json(db, client_id, &found);
        json_decref(c);
        rc = c ? DD_EINVAL : DD_ENOTFOUND;
        snprintf(err, errlen,
                 c ? "client %s has no secret (its auth is not client_secret_basic)"
                   : "no client %s",
                 client_id);
    }
    if (rc == DD_OK)
        rc = audit_now(db, actor, "sso.client.rotate_secret", client_id);
    if (rc == DD_OK) /* a credential change, for the security operations centre */
        rc = dd_soc_change_event(
            db, "keys.rotated", client_id, actor,
            json_pack("{s:s, s:s}", "kind", "sso-client-secret", "client", client_id));
    if (rc == DD_OK)
        rc = client_changed(db, client_id);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc == DD_OK)
        sso_client_cache_forget();
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        return rc;
    *out = json_pack("{s:s, s:s}", "client_id", client_id, "client_secret", secret);
    return DD_OK;
}

int
dd_sso_client_disable(struct dd_db *db, const char *client_id, const char *actor, char *err,
                      size_t errlen)
{
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    int rc = dd_db_begin(db);
    struct dd_stmt *st = NULL;
    int64_t changed = 0;
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE sso_clients SET status = 'disabled', updated_at = ? WHERE "
                           "client_id = ?",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, now);
        dd_stmt_bind_text(st, 2, client_id);
        rc = dd_stmt_step(st);
        changed = dd_stmt_changes(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : changed ? DD_OK : DD_ENOTFOUND;
    }
    if (rc == DD_OK) {
        const char *v[] = {now, client_id};
        rc = exec_bound(db,
                        "UPDATE sso_families SET revoked_at = ?, revoked_why = 'client-disabled' "
                        "WHERE client_id = ? AND revoked_at = ''",
                        v, 2);
    }
    if (rc == DD_OK)
        rc = audit_now(db, actor, "sso.client.disable", client_id);
    if (rc == DD_OK)
        rc = client_changed(db, client_id);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc == DD_OK)
        sso_client_cache_forget();
    else if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_ENOTFOUND)
        snprintf(err, errlen, "no client %s", client_id);
    else if (rc != DD_OK)
        snprintf(err, errlen, "the client could not be disabled: %s", dd_db_errmsg(db));
    return rc;
}

static const char client_sql[] =
    "SELECT client_id, name, grant_type, auth_method, secret_hash, jwks, scopes, pairwise, "
    "backchannel_logout_uri, status, created_at FROM sso_clients WHERE client_id = ?";

int
sso_client_get(struct dd_db *db, struct dd_arena *a, const char *client_id, struct sso_client *out)
{
    if (client_id != NULL && strlen(client_id) < sizeof out->client_id &&
        sso_client_cache_get(a, client_id, out))
        return DD_OK;
    return sso_client_read(db, a, client_id, out);
}

int
sso_client_read(struct dd_db *db, struct dd_arena *a, const char *client_id, struct sso_client *out)
{
    memset(out, 0, sizeof *out);
    if (client_id == NULL || strlen(client_id) >= sizeof out->client_id)
        return DD_ENOTFOUND;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, client_sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, client_id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        dd_strlcpy(out->client_id, dd_stmt_text(st, 0), sizeof out->client_id);
        dd_strlcpy(out->name, dd_stmt_text(st, 1), sizeof out->name);
        dd_strlcpy(out->grant_type, dd_stmt_text(st, 2), sizeof out->grant_type);
        dd_strlcpy(out->auth_method, dd_stmt_text(st, 3), sizeof out->auth_method);
        dd_strlcpy(out->secret_hash, dd_stmt_text(st, 4), sizeof out->secret_hash);
        out->jwks = dd_arena_strdup(a, dd_stmt_text(st, 5));
        out->scopes = dd_arena_strdup(a, dd_stmt_text(st, 6));
        out->pairwise = dd_stmt_int64(st, 7) != 0;
        out->backchannel_logout_uri = dd_arena_strdup(a, dd_stmt_text(st, 8));
        out->active = strcmp(dd_stmt_text(st, 9), "active") == 0;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (rc != DD_DB_ROW)
        return DD_ENOTFOUND;
    if (out->jwks && out->scopes && out->backchannel_logout_uri)
        sso_client_cache_put(out);
    return DD_OK;
}

bool
sso_client_has_uri(struct dd_db *db, const char *client_id, const char *kind, const char *uri)
{
    struct dd_stmt *st;
    if (uri == NULL || dd_db_prepare(db,
                                     "SELECT 1 FROM sso_client_uris WHERE client_id = ? AND "
                                     "kind = ? AND uri = ?",
                                     &st) != DD_OK)
        return false;
    dd_stmt_bind_text(st, 1, client_id);
    dd_stmt_bind_text(st, 2, kind);
    dd_stmt_bind_text(st, 3, uri);
    bool found = dd_stmt_step(st) == DD_DB_ROW;
    dd_stmt_reset(st);
    return found;
}

static json_t *
uris_json(struct dd_db *db, const char *client_id, const char *kind)
{
    json_t *arr = json_array();
    struct dd_stmt *st;
    if (dd_db_prepare(db,
                      "SELECT uri FROM sso_client_uris WHERE client_id = ? AND kind = ? ORDER BY "
                      "uri",
                      &st) != DD_OK)
        return arr;
    dd_stmt_bind_text(st, 1, client_id);
    dd_stmt_bind_text(st, 2, kind);
    while (dd_stmt_step(st) == DD_DB_ROW)
        json_array_append_new(arr, json_string(dd_stmt_text(st, 0)));
    dd_stmt_reset(st);
    return arr;
}

/* The JSON of the current row of client_sql (or of the list query, same columns). */
static json_t *
row_json(struct dd_db *db, struct dd_stmt *st)
{
    const char *jwks = dd_stmt_text(st, 5);
    json_t *o = json_pack(
        "{s:s, s:s, s:[s], s:s, s:s, s:s, s:s, s:s, s:s}", "client_id", dd_stmt_text(st, 0), "name",
        dd_stmt_text(st, 1), "grant_types", dd_stmt_text(st, 2), "token_endpoint_auth_method",
        dd_stmt_text(st, 3), "scope", dd_stmt_text(st, 6), "subject_type",
        dd_stmt_int64(st, 7) ? "pairwise" : "public", "backchannel_logout_uri", dd_stmt_text(st, 8),
        "status", dd_stmt_text(st, 9), "created_at", dd_stmt_text(st, 10));
    if (jwks && jwks[0]) {
        json_t *keys = json_loads(jwks, 0, NULL);
        if (keys)
            json_object_set_new(o, "jwks", keys);
    }
    (void)db;
    return o;
}

json_t *
dd_sso_client_json(struct dd_db *db, const char *client_id, int *rc)
{
    struct dd_stmt *st;
    *rc = dd_db_prepare(db, client_sql, &st);
    if (*rc != DD_OK)
        return NULL;
    dd_stmt_bind_text(st, 1, client_id);
    int step = dd_stmt_step(st);
    json_t *o = step == DD_DB_ROW ? row_json(db, st) : NULL;
    dd_stmt_reset(st);
    *rc = step < 0 ? step : o ? DD_OK : DD_ENOTFOUND;
    if (o) {
        json_object_set_new(o, "redirect_uris", uris_json(db, client_id, "redirect"));
        json_object_set_new(o, "post_logout_redirect_uris",
                            uris_json(db, client_id, "post_logout"));
    }
    return o;
}

int
dd_sso_client_list(struct dd_db *db, const char *cursor, int limit, json_t **out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT client_id FROM sso_clients WHERE client_id > ? ORDER BY "
                           "client_id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, cursor ? cursor : "");
    dd_stmt_bind_int64(st, 2, limit + 1);
    json_t *ids = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(ids, json_string(dd_stmt_text(st, 0)));
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(ids);
        return rc;
    }
    json_t *items = json_array();
    size_t i;
    json_t *id;
    const char *next = NULL;
    json_array_foreach(ids, i, id)
    {
        if ((int)i == limit) {
            next = json_string_value(json_array_get(ids, i - 1));
            break;
        }
        int one = DD_OK;
        json_t *c = dd_sso_client_json(db, json_string_value(id), &one);
        if (c)
            json_array_append_new(items, c);
    }
    *out = json_pack("{s:o, s:s?}", "items", items, "next_cursor", next);
    if (next == NULL)
        json_object_set_new(*out, "next_cursor", json_null());
    json_decref(ids);
    return DD_OK;
}
