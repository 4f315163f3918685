/*
 * audit.c — the provider's rows of the audit log. Issuing a token must stay cheap (the token
 * endpoint is benchmarked), so its rows are queued in memory and appended by one thread in a
 * single transaction every half second; a crash loses at most that much of the log, never a
 * token's validity. Queued rows of the same actor and action are written as one row whose detail
 * lists each of them ({"count": N, "entries": [{"object", "request_id", "detail"}…]}, at most
 * 500 a row): the hash chain is then extended once per client and half second rather than once
 * per token. Without the thread (commands, tests) each row is written at once, as it is.
 */
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/audit.h"
#include "sso/internal.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_MS  500
#define MAX_QUEUE 100000

/* A queued row: one allocation holding the row and its strings after it. */
struct row {
    struct row *next;
    char *actor, *action, *object, *detail, *request_id;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct row *head, *tail;
static size_t queued;
static bool running, stopping;
static pthread_t thread;

/* Copies s to *at and moves *at past it; NULL stays NULL. */
static char *
put_string(char **at, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = memcpy(*at, s, n);
    *at += n;
    return copy;
}

static struct row *
row_new(const char *actor, const char *action, const char *object, const char *detail,
        const char *request_id)
{
    const char *fields[] = {actor, action, object, detail, request_id};
    size_t size = sizeof(struct row);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        size += fields[i] ? strlen(fields[i]) + 1 : 0;
    struct row *r = dd_xmalloc(size);
    char *at = (char *)(r + 1);
    r->next = NULL;
    r->actor = put_string(&at, actor);
    r->action = put_string(&at, action);
    r->object = put_string(&at, object);
    r->detail = put_string(&at, detail);
    r->request_id = put_string(&at, request_id);
    return r;
}

static void
row_free(struct row *r)
{
    free(r);
}

static int
append(struct dd_db *db, const struct row *r)
{
    struct dd_audit_entry e = {.actor = r->actor,
                               .action = r->action,
                               .object = r->object,
                               .detail = r->detail,
                               .request_id = r->request_id};
    return dd_audit_append(db, &e);
}

void
sso_audit(struct dd_db *db, const char *actor, const char *action, const char *object,
          const char *detail, const char *request_id)
{
    struct row *r = row_new(actor, action, object, detail, request_id);
    pthread_mutex_lock(&mu);
    bool queue = running && queued < MAX_QUEUE;
    if (queue) {
        if (tail)
            tail->next = r;
        else
            head = r;
        tail = r;
        queued++;
    }
    pthread_mutex_unlock(&mu);
    if (queue)
        return;
    int rc = DD_EUNAVAIL;
    if (db && dd_db_in_transaction(db)) {
        rc = append(db, r);
    } else if (db) {
        struct dd_audit_entry e = {.actor = r->actor,
                                   .action = r->action,
                                   .object = r->object,
                                   .detail = r->detail,
                                   .request_id = r->request_id};
        rc = dd_audit_record(db, &e);
    }
    if (rc != DD_OK)
        dd_log(DD_LOG_ERROR, "sso.audit_failed", "could not write the audit row %s", action);
    row_free(r);
}

#define GROUP_MAX 500

static int
row_order(const void *a, const void *b)
{
    const struct row *x = *(const struct row *const *)a, *y = *(const struct row *const *)b;
    int c = strcmp(x->actor ? x->actor : "", y->actor ? y->actor : "");
    if (c == 0)
        c = strcmp(x->action ? x->action : "", y->action ? y->action : "");
    return c;
}

static bool
same_group(const struct row *x, const struct row *y)
{
    return row_order(&x, &y) == 0;
}

/* Appends one row for rows[0..n) (same actor and action). */
static int
append_group(struct dd_db *db, struct row **rows, size_t n)
{
    if (n == 1)
        return append(db, rows[0]);
    struct dd_buf b;
    dd_buf_init(&b, NULL, DD_AUDIT_MAX_DETAIL);
    dd_buf_printf(&b, "{\"count\":%zu,\"entries\":[", n);
    for (size_t i = 0; i < n; i++) {
        dd_buf_puts(&b, i ? ",{\"object\":\"" : "{\"object\":\"");
        dd_buf_json_escape(&b, rows[i]->object ? rows[i]->object : "");
        dd_buf_puts(&b, "\",\"request_id\":\"");
        dd_buf_json_escape(&b, rows[i]->request_id ? rows[i]->request_id : "");
        dd_buf_puts(&b, "\",\"detail\":");
        dd_buf_puts(&b, rows[i]->detail ? rows[i]->detail : "null");
        dd_buf_putc(&b, '}');
    }
    int rc = dd_buf_puts(&b, "]}");
    struct row group = {.actor = rows[0]->actor,
                        .action = rows[0]->action,
                        .object = rows[0]->object,
                        .detail = b.data};
    if (rc == DD_OK)
        rc = append(db, &group);
    dd_buf_release(&b);
    return rc;
}

/* Writes a batch in one transaction, grouped; on failure the rows are logged as lost. */
static void
flush(struct row *batch, size_t count)
{
    struct row **rows = dd_xcalloc(count ? count : 1, sizeof *rows);
    size_t n = 0;
    for (struct row *r = batch; r && n < count; r = r->next)
        rows[n++] = r;
    qsort(rows, n, sizeof *rows, row_order);
    struct dd_db *db = dd_db_pool_get();
    int rc = db ? dd_db_begin(db) : DD_EUNAVAIL;
    for (size_t i = 0; rc == DD_OK && i < n;) {
        size_t j = i + 1;
        while (j < n && j - i < GROUP_MAX && same_group(rows[i], rows[j]))
            j++;
        rc = append_group(db, rows + i, j - i);
        i = j;
    }
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc != DD_OK)
        dd_log(DD_LOG_ERROR, "sso.audit_failed", "a batch of token audit rows was lost: %s",
               dd_strerror(rc));
    free(rows);
    while (batch) {
        struct row *next = batch->next;
        row_free(batch);
        batch = next;
    }
}

static void *
writer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        struct timespec ts;
        dd_clock_deadline(&ts, FLUSH_MS);
        if (!stopping)
            pthread_cond_timedwait(&cv, &mu, &ts);
        struct row *batch = head;
        size_t count = queued;
        head = tail = NULL;
        queued = 0;
        bool done = stopping;
        pthread_mutex_unlock(&mu);
        if (batch)
            flush(batch, count);
        pthread_mutex_lock(&mu);
        if (done && head == NULL)
            break;
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

void
sso_audit_start(void)
{
    pthread_mutex_lock(&mu);
    if (!running) {
        stopping = false;
        running = pthread_create(&thread, NULL, writer, NULL) == 0;
    }
    pthread_mutex_unlock(&mu);
}

void
sso_audit_stop(void)
{
    pthread_mutex_lock(&mu);
    bool was = running;
    stopping = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    if (was)
        pthread_join(thread, NULL);
    pthread_mutex_lock(&mu);
    running = false;
    pthread_mutex_unlock(&mu);
}
