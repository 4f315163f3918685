/*
 * cache.c — the gateway's catalogue in memory: subsystems (by SSO client), services and rights,
 * read from the database in one go and kept until something changes. A change through this
 * process (catalogue.c) or another one (the `lgsp.changed` event, module.c) marks the copy
 * stale; the next call reloads it on its own thread, so a grant or a revocation takes effect on
 * the next call. Lookups copy what they need under a read lock: a call never reads the
 * database for its right. Verified access tokens are remembered here too, for at most
 * DD_TOKEN_CACHE_TTL_MS (a token revoked at the provider stops passing within that time).
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/token_cache.h"
#include "crypto/hash.h"
#include "lgsp/internal.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct right {
    unsigned consumer; /* rows of the snapshot's consumers and services */
    unsigned service;
    char op[8];
    int64_t until_ms;
    bool revoked;
};

struct consumer_row {
    struct lgsp_consumer c;
    char client_id[64];
    char cert_sha256[65];
};

struct snapshot {
    uint64_t generation;
    struct consumer_row *consumers;
    size_t nconsumers;
    struct lgsp_service *services;
    size_t nservices;
    struct right *rights;
    size_t nrights;
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *current;
static atomic_uint_fast64_t wanted = 1; /* the generation the next lookup must see */

void
lgsp_cache_invalidate(void)
{
    atomic_fetch_add(&wanted, 1);
}

static void
snapshot_free(struct snapshot *s)
{
    if (s == NULL)
        return;
    free(s->consumers);
    free(s->services);
    free(s->rights);
    free(s);
}

static int64_t
parse_ms(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) < 3)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm) * 1000;
}

static long
find_consumer(const struct snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->nconsumers; i++)
        if (strcmp(s->consumers[i].c.id, id) == 0)
            return (long)i;
    return -1;
}

static long
find_service(const struct snapshot *s, const char *id)
{
    for (size_t i = 0; i < s->nservices; i++)
        if (strcmp(s->services[i].id, id) == 0)
            return (long)i;
    return -1;
}

static int
load_consumers(struct dd_db *db, struct snapshot *s)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "SELECT s.id, s.client_id, s.suspended, m.name, s.cert_sha256 FROM lgsp_subsystems s "
        "JOIN lgsp_members m ON m.code = s.member_code ORDER BY s.id",
        &st);
    if (rc != DD_OK)
        return rc;
    size_t cap = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (s->nconsumers == cap) {
            cap = cap ? cap * 2 : 16;
            s->consumers = dd_xrealloc(s->consumers, cap * sizeof *s->consumers);
        }
        struct consumer_row *r = &s->consumers[s->nconsumers];
        memset(r, 0, sizeof *r);
        dd_strlcpy(r->c.id, dd_stmt_text(st, 0), sizeof r->c.id);
        dd_strlcpy(r->client_id, dd_stmt_text(st, 1), sizeof r->client_id);
        r->c.suspended = dd_stmt_int64(st, 2) != 0;
        dd_strlcpy(r->c.member_name, dd_stmt_text(st, 3), sizeof r->c.member_name);
        dd_strlcpy(r->cert_sha256, dd_stmt_text(st, 4), sizeof r->cert_sha256);
        r->c.slot = (unsigned)s->nconsumers++;
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
load_services(struct dd_db *db, struct snapshot *s)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, subsystem_id, upstream_url, consent_item, person_field, "
                           "keep_bodies_days, timeout_ms, quota_per_day, rate_per_second, "
                           "upstream_auth "
                           "FROM lgsp_services ORDER BY id",
                           &st);
    if (rc != DD_OK)
        return rc;
    size_t cap = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (s->nservices == cap) {
            cap = cap ? cap * 2 : 16;
            s->services = dd_xrealloc(s->services, cap * sizeof *s->services);
        }
        struct lgsp_service *v = &s->services[s->nservices];
        memset(v, 0, sizeof *v);
        dd_strlcpy(v->id, dd_stmt_text(st, 0), sizeof v->id);
        dd_strlcpy(v->subsystem_id, dd_stmt_text(st, 1), sizeof v->subsystem_id);
        dd_strlcpy(v->upstream, dd_stmt_text(st, 2), sizeof v->upstream);
        dd_strlcpy(v->consent_item, dd_stmt_text(st, 3), sizeof v->consent_item);
        dd_strlcpy(v->person_field, dd_stmt_text(st, 4), sizeof v->person_field);
        v->keep_bodies_days = (int)dd_stmt_int64(st, 5);
        v->timeout_ms = (int)dd_stmt_int64(st, 6);
        v->quota_per_day = dd_stmt_int64(st, 7);
        v->rate_per_second = (int)dd_stmt_int64(st, 8);
        dd_strlcpy(v->upstream_auth, dd_stmt_text(st, 9), sizeof v->upstream_auth);
        v->slot = (unsigned)s->nservices++;
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
load_rights(struct dd_db *db, struct snapshot *s)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT consumer_id, service_id, operation, valid_until, revoked_at "
                           "FROM lgsp_rights",
                           &st);
    if (rc != DD_OK)
        return rc;
    size_t cap = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        long c = find_consumer(s, dd_stmt_text(st, 0));
        long v = find_service(s, dd_stmt_text(st, 1));
        if (c < 0 || v < 0)
            continue;
        if (s->nrights == cap) {
            cap = cap ? cap * 2 : 16;
            s->rights = dd_xrealloc(s->rights, cap * sizeof *s->rights);
        }
        struct right *r = &s->rights[s->nrights++];
        r->consumer = (unsigned)c;
        r->service = (unsigned)v;
        dd_strlcpy(r->op, dd_stmt_text(st, 2), sizeof r->op);
        r->until_ms = parse_ms(dd_stmt_text(st, 3));
        r->revoked = dd_stmt_text(st, 4)[0] != '\0';
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* Makes sure `current` is of the wanted generation; reads the database when it is not. */
static int
fresh(struct dd_db *db)
{
    uint64_t want = atomic_load(&wanted);
    pthread_rwlock_rdlock(&lock);
    bool ok = current && current->generation >= want;
    pthread_rwlock_unlock(&lock);
    if (ok)
        return DD_OK;
    pthread_mutex_lock(&load_lock);
    want = atomic_load(&wanted);
    pthread_rwlock_rdlock(&lock);
    ok = current && current->generation >= want;
    pthread_rwlock_unlock(&lock);
    if (ok) {
        pthread_mutex_unlock(&load_lock);
        return DD_OK;
    }
    struct snapshot *s = dd_xcalloc(1, sizeof *s);
    s->generation = want;
    int rc = dd_db_begin_read(db);
    if (rc == DD_OK) {
        rc = load_consumers(db, s);
        if (rc == DD_OK)
            rc = load_services(db, s);
        if (rc == DD_OK)
            rc = load_rights(db, s);
        dd_db_rollback(db);
    }
    if (rc != DD_OK) {
        pthread_mutex_unlock(&load_lock);
        snapshot_free(s);
        return rc;
    }
    pthread_rwlock_wrlock(&lock);
    struct snapshot *old = current;
    current = s;
    pthread_rwlock_unlock(&lock);
    pthread_mutex_unlock(&load_lock);
    snapshot_free(old);
    return DD_OK;
}

bool
lgsp_cache_consumer(struct dd_db *db, const char *client_id, const char *cert_sha256,
                    struct lgsp_consumer *out, int *rc)
{
    *rc = fresh(db);
    if (*rc != DD_OK)
        return false;
    bool found = false;
    pthread_rwlock_rdlock(&lock);
    for (size_t i = 0; i < current->nconsumers && !found; i++) {
        const char *key =
            cert_sha256 ? current->consumers[i].cert_sha256 : current->consumers[i].client_id;
        if (key[0] != '\0' && strcmp(key, cert_sha256 ? cert_sha256 : client_id) == 0) {
            *out = current->consumers[i].c;
            found = true;
        }
    }
    pthread_rwlock_unlock(&lock);
    return found;
}

bool
lgsp_cache_service(struct dd_db *db, const char *id, struct lgsp_service *out, int *rc)
{
    *rc = fresh(db);
    if (*rc != DD_OK)
        return false;
    pthread_rwlock_rdlock(&lock);
    long i = find_service(current, id);
    if (i >= 0)
        *out = current->services[i];
    pthread_rwlock_unlock(&lock);
    return i >= 0;
}

enum lgsp_right_check
lgsp_cache_right(const char *consumer, const char *service, const char *method, int64_t now_ms)
{
    enum lgsp_right_check res = LGSP_RIGHT_NONE;
    pthread_rwlock_rdlock(&lock);
    long c = current ? find_consumer(current, consumer) : -1;
    long v = current ? find_service(current, service) : -1;
    for (size_t i = 0; c >= 0 && v >= 0 && i < current->nrights; i++) {
        const struct right *r = &current->rights[i];
        if (r->consumer != (unsigned)c || r->service != (unsigned)v || r->revoked)
            continue;
        if (strcmp(r->op, "*") != 0 && strcmp(r->op, method) != 0 &&
            !(strcmp(method, "HEAD") == 0 && strcmp(r->op, "GET") == 0))
            continue;
        if (r->until_ms > now_ms) {
            res = LGSP_RIGHT_OK;
            break;
        }
        res = LGSP_RIGHT_EXPIRED;
    }
    pthread_rwlock_unlock(&lock);
    return res;
}

/* ---- tokens ---- */

struct token_seen {
    char client_id[64];
};

DD_TOKEN_CACHE_DEFINE(tokens, struct token_seen);

bool
lgsp_token_seen(const char *token, char client_id[64])
{
    char key[65];
    dd_sha256_hex(token, strlen(token), key);
    struct token_seen seen;
    if (!dd_token_cache_get(&tokens, key, dd_clock_now_ms(), &seen))
        return false;
    memcpy(client_id, seen.client_id, sizeof seen.client_id);
    return true;
}

void
lgsp_token_remember(const char *token, const char *client_id, int64_t exp_ms)
{
    char key[65];
    dd_sha256_hex(token, strlen(token), key);
    struct token_seen seen;
    memset(&seen, 0, sizeof seen);
    dd_strlcpy(seen.client_id, client_id, sizeof seen.client_id);
    dd_token_cache_put(&tokens, key, &seen, dd_clock_now_ms(), exp_ms);
}
