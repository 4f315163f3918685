/*
 * backchannel.c — back-channel logout (OpenID Connect Back-Channel Logout 1.0). When a
 * session ends at /sso/logout, each client that took part in it and registered a
 * backchannel_logout_uri gets a logout token (a JWT, typ logout+jwt, with sub, sid and the
 * back-channel logout event) POSTed as `logout_token=…`. The notices are rows written in the
 * logout's transaction; a thread of the server sends them with libcurl, off the request path,
 * and retries a failed one six times with growing delays (5 s, 10 s, 20 s …). The same thread
 * purges expired rows once an hour (purge.c).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "http/req.h"
#include "sso/internal.h"
#include "store/store.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#define MAX_ATTEMPTS 6
#define BATCH        20
#define TIMEOUT_S    5

#define LOGOUT_EVENT "http://schemas.openid.net/event/backchannel-logout"

static const char clients_sql[] =
    "SELECT c.client_id, c.backchannel_logout_uri, c.pairwise FROM sso_session_clients s JOIN "
    "sso_clients c ON c.client_id = s.client_id WHERE s.sid = ? AND c.status = 'active' AND "
    "c.backchannel_logout_uri <> ''";

static int
queue_one(struct dd_req *req, struct dd_db *db, const char *uri, const char *token,
          const char *client_id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO sso_logout_deliveries (client_id, uri, token, next_at) "
                           "VALUES (?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, client_id);
    dd_stmt_bind_text(st, 2, uri);
    dd_stmt_bind_text(st, 3, token);
    dd_stmt_bind_text(st, 4, sso_time(req->arena, 0));
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
sso_backchannel_queue(struct dd_req *req, struct dd_db *db, const struct sso_session *s)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, clients_sql, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, s->sid);
    const char *ids[64], *uris[64];
    bool pairwise[64];
    int n = 0;
    while (n < 64 && (rc = dd_stmt_step(st)) == DD_DB_ROW) {
        ids[n] = dd_arena_strdup(req->arena, dd_stmt_text(st, 0));
        uris[n] = dd_arena_strdup(req->arena, dd_stmt_text(st, 1));
        pairwise[n] = dd_stmt_int64(st, 2) != 0;
        n++;
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    int64_t now = dd_clock_now_ms() / 1000;
    for (int i = 0; i < n; i++) {
        struct sso_grant g = {
            .client_id = ids[i], .account_id = s->account_id, .pairwise = pairwise[i]};
        json_t *p =
            json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:{s:{}}}", "iss", sso_settings.issuer,
                      "aud", ids[i], "sub", sso_subject(req->arena, &g), "iat", (json_int_t)now,
                      "exp", (json_int_t)(now + 120), "jti", sso_random_token(req->arena, ""),
                      "sid", s->sid, "events", LOGOUT_EVENT);
        const char *token;
        rc = sso_sign(req, "logout+jwt", p, &token);
        json_decref(p);
        if (rc == DD_OK)
            rc = queue_one(req, db, uris[i], token, ids[i]);
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

/* ---- the sender ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool running, stopping, kicked;
static pthread_t thread;

void
sso_backchannel_kick(void)
{
    pthread_mutex_lock(&mu);
    kicked = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

/* POSTs one logout token; DD_OK on a 2xx answer. */
static int
post(const char *uri, const char *token, char *err, size_t errlen)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return DD_EINTERNAL;
    char *escaped = curl_easy_escape(curl, token, 0);
    size_t n = strlen(escaped) + 16;
    char *body = malloc(n);
    snprintf(body, n, "logout_token=%s", escaped);
    curl_easy_setopt(curl, CURLOPT_URL, uri);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_free(escaped);
    free(body);
    curl_easy_cleanup(curl);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s", curl_easy_strerror(cc));
        return DD_EIO;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "HTTP %ld", status);
        return DD_EIO;
    }
    return DD_OK;
}

struct delivery {
    int64_t id;
    int attempts;
    char uri[1024];
    char *token;
};

/* Sends what is due; returns how many were tried, and in *pending whether any is left to retry. */
static int
send_due(struct dd_db *db, bool *pending)
{
    struct dd_stmt *st;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    if (dd_db_prepare(db,
                      "SELECT id, uri, token, attempts FROM sso_logout_deliveries WHERE done_at = "
                      "'' AND next_at <= ? ORDER BY next_at LIMIT 20",
                      &st) != DD_OK)
        return 0;
    dd_stmt_bind_text(st, 1, now);
    struct delivery d[BATCH];
    int n = 0;
    while (n < BATCH && dd_stmt_step(st) == DD_DB_ROW) {
        d[n].id = dd_stmt_int64(st, 0);
        snprintf(d[n].uri, sizeof d[n].uri, "%s", dd_stmt_text(st, 1));
        d[n].token = strdup(dd_stmt_text(st, 2));
        d[n].attempts = (int)dd_stmt_int64(st, 3);
        n++;
    }
    dd_stmt_reset(st);
    for (int i = 0; i < n; i++) {
        char err[256] = "";
        bool ok = post(d[i].uri, d[i].token, err, sizeof err) == DD_OK;
        int attempts = d[i].attempts + 1;
        char next[32], done[32] = "";
        dd_clock_iso8601(dd_clock_now_ms() + 5000LL * (1LL << (attempts > 10 ? 10 : attempts - 1)),
                         next);
        if (ok || attempts >= MAX_ATTEMPTS)
            dd_clock_iso8601(dd_clock_now_ms(), done);
        if (!ok)
            dd_log(DD_LOG_WARN, "sso.backchannel_failed", "logout notice %lld to %s: %s (try %d)",
                   (long long)d[i].id, d[i].uri, err, attempts);
        if (dd_db_prepare(db,
                          "UPDATE sso_logout_deliveries SET attempts = ?, next_at = ?, done_at = "
                          "?, last_error = ? WHERE id = ?",
                          &st) == DD_OK) {
            dd_stmt_bind_int64(st, 1, attempts);
            dd_stmt_bind_text(st, 2, next);
            dd_stmt_bind_text(st, 3, done);
            dd_stmt_bind_text(st, 4, err);
            dd_stmt_bind_int64(st, 5, d[i].id);
            dd_stmt_step(st);
            dd_stmt_reset(st);
        }
        free(d[i].token);
    }
    *pending = n == BATCH;
    if (!*pending &&
        dd_db_prepare(db, "SELECT count(*) FROM sso_logout_deliveries WHERE done_at = ''", &st) ==
            DD_OK) {
        *pending = dd_stmt_step(st) == DD_DB_ROW && dd_stmt_int64(st, 0) > 0;
        dd_stmt_reset(st);
    }
    return n;
}

#define PURGE_EVERY_MS (3600LL * 1000)
#define RETRY_POLL_MS  5000

/* The database is read only when there is something to do: a logout just queued notices
 * (kick), notices wait for a retry, once after the start (notices left by a previous run), and
 * for the hourly purge. An idle server leaves its database alone. */
static void *
sender(void *arg)
{
    (void)arg;
    int64_t start = dd_clock_now_ms();
    int64_t next_check = start + 1000;
    int64_t next_purge = start + 10 * 60 * 1000;
    pthread_mutex_lock(&mu);
    while (!stopping) {
        struct timespec ts;
        dd_clock_deadline(&ts, 1000);
        if (!kicked)
            pthread_cond_timedwait(&cv, &mu, &ts);
        int64_t now = dd_clock_now_ms();
        bool due = kicked || (next_check && now >= next_check);
        bool purge = now >= next_purge;
        kicked = false;
        pthread_mutex_unlock(&mu);
        struct dd_db *db = due || purge ? dd_db_pool_get() : NULL;
        if (db && due) {
            bool pending = false;
            send_due(db, &pending);
            next_check = pending ? dd_clock_now_ms() + RETRY_POLL_MS : 0;
        }
        if (db && purge) {
            int64_t removed = 0;
            if (sso_purge(db, dd_clock_now_ms(), &removed) == DD_OK && removed > 0)
                dd_log(DD_LOG_INFO, "sso.purged", "%lld expired single sign-on rows removed",
                       (long long)removed);
            next_purge = dd_clock_now_ms() + PURGE_EVERY_MS;
        }
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

void
sso_backchannel_start(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_mutex_lock(&mu);
    stopping = false;
    running = pthread_create(&thread, NULL, sender, NULL) == 0;
    pthread_mutex_unlock(&mu);
}

void
sso_backchannel_stop(void)
{
    pthread_mutex_lock(&mu);
    bool was = running;
    stopping = true;
    running = false;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    if (was)
        pthread_join(thread, NULL);
}
