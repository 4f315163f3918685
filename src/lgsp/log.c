/*
 * log.c — the exchange log: every call through the gateway (answered, failed or refused) is a
 * row of lgsp_log, chained to the row before it by SHA-256, and every batch of rows is signed
 * with the gateway's Ed25519 key (DATA_DIR/lgsp-signing.key, made on first start).
 *
 * A call never waits for the disk: the handler queues its entry and answers; one thread writes
 * what is queued every FLUSH_MS (sooner when WAKE_ENTRIES are waiting) in one transaction: the
 * rows with their hashes, the bodies a service's policy keeps (until they expire), the events
 * of the security operations centre's contract (`lgsp.refused`, `lgsp.person_read`), the rows
 * of the people's access log, the batch's signature over its last hash, and the head row (last
 * sequence number and hash), so that rows dropped at the end are seen too. The price: a crash
 * loses the record of the last FLUSH_MS of calls, never a part of a batch. When the queue
 * reaches QUEUE_MAX the gateway refuses calls (503) rather than serve them unrecorded.
 */
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/access_log.h"
#include "core/events.h"
#include "crypto/hash.h"
#include "lgsp/internal.h"
#include "lgsp/lgsp.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLUSH_MS     250
#define WAKE_ENTRIES 2000
#define QUEUE_MAX    200000
#define PURGE_MS     60000

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool running, stopping;
    struct lgsp_entry *head, *tail;
    size_t queued;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
    bool have_key;
    int64_t purged_ms;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* ---- the key ---- */

static void
key_path(const char *data_dir, char *out, size_t n)
{
    snprintf(out, n, "%s/lgsp-signing.key", data_dir);
}

static int
read_seed(const char *path, unsigned char seed[crypto_sign_SEEDBYTES])
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return errno == ENOENT ? DD_ENOTFOUND : DD_EIO;
    char hex[2 * crypto_sign_SEEDBYTES + 2];
    size_t n = fread(hex, 1, sizeof hex - 1, f);
    fclose(f);
    hex[n] = '\0';
    size_t got = 0;
    if (sodium_hex2bin(seed, crypto_sign_SEEDBYTES, hex, n, "\n", &got, NULL) != 0 ||
        got != crypto_sign_SEEDBYTES)
        return DD_EIO;
    return DD_OK;
}

static int
load_key(const char *data_dir, bool make, unsigned char pk[crypto_sign_PUBLICKEYBYTES],
         unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
    if (sodium_init() < 0)
        return DD_EIO;
    char path[1024];
    key_path(data_dir, path, sizeof path);
    unsigned char seed[crypto_sign_SEEDBYTES];
    int rc = read_seed(path, seed);
    if (rc == DD_ENOTFOUND && make) {
        randombytes_buf(seed, sizeof seed);
        char hex[2 * crypto_sign_SEEDBYTES + 1];
        sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0)
            return DD_EIO;
        bool ok = write(fd, hex, strlen(hex)) == (ssize_t)strlen(hex) && write(fd, "\n", 1) == 1;
        ok = fsync(fd) == 0 && ok;
        close(fd);
        sodium_memzero(hex, sizeof hex);
        if (!ok)
            return DD_EIO;
        rc = DD_OK;
    }
    if (rc != DD_OK)
        return rc;
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(seed, sizeof seed);
    return DD_OK;
}

int
dd_lgsp_public_key(const char *data_dir, char out[65])
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    int rc = load_key(data_dir, false, pk, sk);
    sodium_memzero(sk, sizeof sk);
    if (rc == DD_OK)
        sodium_bin2hex(out, 65, pk, sizeof pk);
    return rc;
}

/* ---- hashing ---- */

static void
put_field(struct dd_buf *b, const char *s)
{
    dd_buf_put_uint(b, strlen(s));
    dd_buf_putc(b, ':');
    dd_buf_puts(b, s);
    dd_buf_putc(b, '|');
}

static void
put_int(struct dd_buf *b, int64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%lld", (long long)v);
    put_field(b, t);
}

void
lgsp_log_row_hash(int64_t seq, const char *at, const char *consumer, const char *service,
                  const char *method, const char *path, int64_t status, const char *outcome,
                  int64_t duration_us, const char *request_hash, const char *response_hash,
                  const char *request_id, const char *prev_hash, char out[65])
{
    char storage[2048];
    struct dd_buf b;
    dd_buf_init_fixed(&b, storage, sizeof storage);
    put_int(&b, seq);
    put_field(&b, at);
    put_field(&b, consumer);
    put_field(&b, service);
    put_field(&b, method);
    put_field(&b, path);
    put_int(&b, status);
    put_field(&b, outcome);
    put_int(&b, duration_us);
    put_field(&b, request_hash);
    put_field(&b, response_hash);
    put_field(&b, request_id);
    put_field(&b, prev_hash);
    dd_sha256_hex(b.data, b.len, out);
}

void
lgsp_batch_message(int64_t first, int64_t last, const char *last_hash, char *out, size_t n)
{
    snprintf(out, n, "lgsp-batch|%lld|%lld|%s", (long long)first, (long long)last, last_hash);
}

bool
lgsp_outcome_refusal(const char *outcome)
{
    static const char *const reasons[] = {"no-right",   "expired-right", "consent-missing", "quota",
                                          "rate-limit", "suspended",     "bad-token"};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (strcmp(outcome, reasons[i]) == 0)
            return true;
    return false;
}

/* ---- the queue ---- */

bool
lgsp_log_full(void)
{
    pthread_mutex_lock(&w.lock);
    bool full = w.queued >= QUEUE_MAX;
    pthread_mutex_unlock(&w.lock);
    return full;
}

bool
lgsp_log_append(struct lgsp_entry *e)
{
    e->next = NULL;
    pthread_mutex_lock(&w.lock);
    if (w.queued >= QUEUE_MAX + 1000) {
        pthread_mutex_unlock(&w.lock);
        free(e->request_body);
        free(e->response_body);
        free(e);
        return false;
    }
    if (w.tail)
        w.tail->next = e;
    else
        w.head = e;
    w.tail = e;
    if (++w.queued == WAKE_ENTRIES)
        pthread_cond_signal(&w.wake);
    pthread_mutex_unlock(&w.lock);
    return true;
}

static void
entries_free(struct lgsp_entry *e)
{
    while (e) {
        struct lgsp_entry *next = e->next;
        free(e->request_body);
        free(e->response_body);
        free(e);
        e = next;
    }
}

/* ---- writing a batch ---- */

static int
step_done(struct dd_stmt *st)
{
    int rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
insert_row(struct dd_db *db, const struct lgsp_entry *e, int64_t seq, const char *at,
           const char *prev, char hash[65])
{
    lgsp_log_row_hash(seq, at, e->consumer, e->service, e->method, e->path, e->status, e->outcome,
                      e->duration_us, e->request_hash, e->response_hash, e->request_id, prev, hash);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO lgsp_log (seq, at, consumer_id, service_id, method, path, "
                           "status, outcome, duration_us, request_hash, response_hash, "
                           "request_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, seq);
    dd_stmt_bind_text(st, 2, at);
    dd_stmt_bind_text(st, 3, e->consumer);
    dd_stmt_bind_text(st, 4, e->service);
    dd_stmt_bind_text(st, 5, e->method);
    dd_stmt_bind_text(st, 6, e->path);
    dd_stmt_bind_int64(st, 7, e->status);
    dd_stmt_bind_text(st, 8, e->outcome);
    dd_stmt_bind_int64(st, 9, e->duration_us);
    dd_stmt_bind_text(st, 10, e->request_hash);
    dd_stmt_bind_text(st, 11, e->response_hash);
    dd_stmt_bind_text(st, 12, e->request_id);
    dd_stmt_bind_text(st, 13, prev);
    dd_stmt_bind_text(st, 14, hash);
    return step_done(st);
}

static int
insert_bodies(struct dd_db *db, const struct lgsp_entry *e, int64_t seq)
{
    if (e->keep_days <= 0)
        return DD_OK;
    char until[32];
    dd_clock_iso8601(e->at_ms + (int64_t)e->keep_days * 86400000, until);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO lgsp_bodies (seq, request_body, response_body, "
                           "expires_at) VALUES (?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, seq);
    dd_stmt_bind_text(st, 2, e->request_body ? e->request_body : "");
    dd_stmt_bind_text(st, 3, e->response_body ? e->response_body : "");
    dd_stmt_bind_text(st, 4, until);
    return step_done(st);
}

static char *
json_text(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* The events of the contract with the security operations centre, and the people's access
 * log, for one entry. */
static int
entry_effects(struct dd_db *db, const struct lgsp_entry *e, const char *at)
{
    int rc = DD_OK;
    if (lgsp_outcome_refusal(e->outcome)) {
        char subject[LGSP_ID_MAX + 8];
        snprintf(subject, sizeof subject, "lgsp:%s", e->consumer[0] ? e->consumer : "unknown");
        char *payload =
            json_text(json_pack("{s:s, s:s, s:s, s:s}", "consumer", e->consumer, "service",
                                e->service, "reason", e->outcome, "ip", e->ip));
        rc = dd_event_emit(db, "lgsp.refused", subject, payload);
        free(payload);
        if (rc != DD_OK)
            return rc;
    }
    for (int i = 0; i < e->npersons && rc == DD_OK; i++) {
        char subject[32];
        snprintf(subject, sizeof subject, "person:%s", e->persons[i]);
        char *payload =
            json_text(json_pack("{s:s, s:s, s:s, s:s}", "consumer", e->consumer, "service",
                                e->service, "person", e->persons[i], "purpose", e->purpose));
        rc = dd_event_emit(db, "lgsp.person_read", subject, payload);
        free(payload);
        if (rc != DD_OK)
            return rc;
        struct dd_stmt *st;
        rc = dd_db_prepare(db, DD_ACCESS_LOG_INSERT DD_ACCESS_LOG_VALUES, &st);
        if (rc != DD_OK)
            return rc;
        char actor[LGSP_ID_MAX + 8];
        snprintf(actor, sizeof actor, "lgsp:%s", e->consumer);
        dd_stmt_bind_text(st, 1, e->persons[i]);
        dd_stmt_bind_int64(st, 2, dd_access_log_day(e->at_ms));
        dd_stmt_bind_text(st, 3, at);
        dd_stmt_bind_text(st, 4, actor);
        dd_stmt_bind_text(st, 5, e->consumer);
        dd_stmt_bind_text(st, 6, "lgsp-consumer");
        dd_stmt_bind_text(st, 7, e->agency);
        dd_stmt_bind_text(st, 8, "read");
        dd_stmt_bind_text(st, 9, e->service);
        dd_stmt_bind_text(st, 10, e->purpose);
        dd_stmt_bind_text(st, 11, e->request_id);
        rc = step_done(st);
    }
    return rc;
}

static int
write_batch(struct dd_db *db, struct lgsp_entry *list)
{
    int rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "UPDATE lgsp_log_head SET last_seq = last_seq WHERE id = 1 "
                       "RETURNING last_seq, last_hash",
                       &st);
    int64_t seq = 0;
    char prev[65] = "";
    if (rc == DD_OK) {
        rc = dd_stmt_step(st);
        if (rc == DD_DB_ROW) {
            seq = dd_stmt_int64(st, 0);
            dd_strlcpy(prev, dd_stmt_text(st, 1), sizeof prev);
            rc = DD_OK;
        } else if (rc >= 0) {
            rc = DD_EINTERNAL;
        }
        dd_stmt_reset(st);
    }
    int64_t first = seq + 1;
    for (struct lgsp_entry *e = list; e && rc == DD_OK; e = e->next) {
        char at[32], hash[65];
        dd_clock_iso8601(e->at_ms, at);
        rc = insert_row(db, e, ++seq, at, prev, hash);
        if (rc == DD_OK)
            rc = insert_bodies(db, e, seq);
        if (rc == DD_OK)
            rc = entry_effects(db, e, at);
        memcpy(prev, hash, sizeof prev);
    }
    if (rc == DD_OK) {
        char msg[160], sig_hex[2 * crypto_sign_BYTES + 1], now[32];
        unsigned char sig[crypto_sign_BYTES];
        lgsp_batch_message(first, seq, prev, msg, sizeof msg);
        crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), w.sk);
        sodium_bin2hex(sig_hex, sizeof sig_hex, sig, sizeof sig);
        dd_clock_iso8601(dd_clock_now_ms(), now);
        rc = dd_db_prepare(db,
                           "INSERT INTO lgsp_log_batches (first_seq, last_seq, last_hash, "
                           "signed_at, public_key, signature) VALUES (?, ?, ?, ?, ?, ?)",
                           &st);
        if (rc == DD_OK) {
            dd_stmt_bind_int64(st, 1, first);
            dd_stmt_bind_int64(st, 2, seq);
            dd_stmt_bind_text(st, 3, prev);
            dd_stmt_bind_text(st, 4, now);
            dd_stmt_bind_text(st, 5, w.pk_hex);
            dd_stmt_bind_text(st, 6, sig_hex);
            rc = step_done(st);
        }
    }
    if (rc == DD_OK)
        rc = dd_db_prepare(db, "UPDATE lgsp_log_head SET last_seq = ?, last_hash = ? WHERE id = 1",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, seq);
        dd_stmt_bind_text(st, 2, prev);
        rc = step_done(st);
    }
    if (rc == DD_OK)
        return dd_db_commit(db);
    dd_db_rollback(db);
    return rc;
}

static void
purge_bodies(struct dd_db *db)
{
    int64_t now = dd_clock_now_ms();
    if (now - w.purged_ms < PURGE_MS)
        return;
    w.purged_ms = now;
    char at[32];
    dd_clock_iso8601(now, at);
    struct dd_stmt *st;
    if (dd_db_prepare(db, "DELETE FROM lgsp_bodies WHERE expires_at < ?", &st) != DD_OK)
        return;
    dd_stmt_bind_text(st, 1, at);
    step_done(st);
}

/* Takes everything queued. */
static struct lgsp_entry *
take(size_t *n)
{
    pthread_mutex_lock(&w.lock);
    struct lgsp_entry *list = w.head;
    *n = w.queued;
    w.head = w.tail = NULL;
    w.queued = 0;
    pthread_mutex_unlock(&w.lock);
    return list;
}

/* Puts a batch that could not be written back in front of the queue. */
static void
give_back(struct lgsp_entry *list, size_t n)
{
    if (list == NULL)
        return;
    struct lgsp_entry *last = list;
    while (last->next)
        last = last->next;
    pthread_mutex_lock(&w.lock);
    last->next = w.head;
    w.head = list;
    if (w.tail == NULL)
        w.tail = last;
    w.queued += n;
    pthread_mutex_unlock(&w.lock);
}

int
lgsp_log_flush(struct dd_db *db)
{
    size_t n;
    struct lgsp_entry *list = take(&n);
    if (list == NULL)
        return DD_OK;
    int rc = write_batch(db, list);
    if (rc == DD_OK) {
        entries_free(list);
        return DD_OK;
    }
    dd_log(DD_LOG_ERROR, "lgsp.log", "%zu exchange-log rows not written yet: %s", n,
           dd_db_errmsg(db));
    give_back(list, n);
    return rc;
}

static void *
writer_main(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&w.lock);
        if (!w.stopping && w.queued < WAKE_ENTRIES) {
            struct timespec until;
            dd_clock_deadline(&until, FLUSH_MS);
            pthread_cond_timedwait(&w.wake, &w.lock, &until);
        }
        bool stop = w.stopping;
        pthread_mutex_unlock(&w.lock);
        struct dd_db *db = dd_db_pool_get();
        int rc = db ? lgsp_log_flush(db) : DD_EUNAVAIL;
        if (db && rc == DD_OK)
            purge_bodies(db);
        if (stop) {
            if (rc != DD_OK && db)
                rc = lgsp_log_flush(db);
            if (rc != DD_OK) {
                size_t n;
                struct lgsp_entry *lost = take(&n);
                if (n > 0)
                    dd_log(DD_LOG_ERROR, "lgsp.log_lost", "%zu exchange-log rows lost", n);
                entries_free(lost);
            }
            return NULL;
        }
    }
}

int
lgsp_log_start(const char *data_dir, char *err, size_t errlen)
{
    if (w.running)
        return DD_OK;
    int rc = load_key(data_dir, true, w.pk, w.sk);
    if (rc != DD_OK) {
        snprintf(err, errlen, "the gateway's signing key %s/lgsp-signing.key cannot be %s",
                 data_dir, rc == DD_EIO ? "read or made" : "found");
        return DD_EIO;
    }
    sodium_bin2hex(w.pk_hex, sizeof w.pk_hex, w.pk, sizeof w.pk);
    w.have_key = true;
    w.stopping = false;
    w.running = pthread_create(&w.thread, NULL, writer_main, NULL) == 0;
    if (!w.running) {
        snprintf(err, errlen, "the gateway's log writer cannot start");
        return DD_EIO;
    }
    return DD_OK;
}

void
lgsp_log_stop(void)
{
    if (!w.running)
        return;
    pthread_mutex_lock(&w.lock);
    w.stopping = true;
    pthread_cond_signal(&w.wake);
    pthread_mutex_unlock(&w.lock);
    pthread_join(w.thread, NULL);
    w.running = false;
    sodium_memzero(w.sk, sizeof w.sk);
}
