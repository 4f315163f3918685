/*
 * access_view.c — reading a person's rows of the access log, newest first (see access_view.h).
 *
 * The index by person starts with the day, so a person's rows cannot be found by one range
 * scan: a scan over days would read every person's rows of those days. Each statement instead
 * names a run of days and the person (`day IN (d, d-1, …) AND id_number = ?`): the database
 * probes the index once per day, inside one statement, and sorts the few rows it finds. Runs
 * grow from 8 days to 64 and then 512, so that a person read often fills a page from the first
 * few days while one never read costs five statements for five years. The runs' SQL texts are
 * built once; a run shorter than its text (at the retention boundary) repeats its last day.
 */
#include "core/consent/access_view.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "core/access_log.h"
#include "core/consent/dates.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RUNS      3
#define MAX_LIMIT 1000

static const int run_days[RUNS] = {8, 64, 512};
static char *run_sql[RUNS];
static pthread_once_t run_sql_once = PTHREAD_ONCE_INIT;

#define ENTRY_COLUMNS                                                                              \
    "l.id, l.at, l.actor, l.actor_name, l.role, l.agency, l.action, l.data, l.purpose, "           \
    "l.request_id, l.day"

static void
build_run_sql(void)
{
    for (int r = 0; r < RUNS; r++) {
        struct dd_buf b;
        dd_buf_init(&b, NULL, 16384);
        dd_buf_puts(&b, "SELECT " ENTRY_COLUMNS " FROM access_log_by_person p JOIN access_log l "
                        "ON l.id = p.id WHERE p.id_number = ? AND l.actor <> ? AND p.day IN (");
        for (int i = 0; i < run_days[r]; i++)
            dd_buf_puts(&b, i ? ", ?" : "?");
        dd_buf_puts(&b, ") AND (p.day < ? OR p.id < ?) ORDER BY p.day DESC, p.id DESC LIMIT ?");
        run_sql[r] = b.data; /* kept for the life of the process */
    }
}

int64_t
dd_access_oldest_day(int64_t now_ms)
{
    return dd_days_add_years(dd_access_log_day(now_ms), -DD_ACCESS_RETENTION_YEARS);
}

struct dd_access_pos
dd_access_pos_first(int64_t now_ms)
{
    return (struct dd_access_pos){.day = dd_access_log_day(now_ms), .id = INT64_MAX};
}

void
dd_access_pos_format(const struct dd_access_pos *p, char out[DD_ACCESS_POS_MAX])
{
    struct dd_buf b;
    dd_buf_init_fixed(&b, out, DD_ACCESS_POS_MAX);
    dd_buf_put_uint(&b, (uint64_t)p->day);
    dd_buf_putc(&b, '.');
    dd_buf_put_uint(&b, (uint64_t)p->id);
}

int
dd_access_pos_parse(const char *s, struct dd_access_pos *p)
{
    const char *dot = s ? strchr(s, '.') : NULL;
    if (dot == NULL || dot - s > 12)
        return DD_EINVAL;
    char day[16];
    memcpy(day, s, (size_t)(dot - s));
    day[dot - s] = '\0';
    if (dd_parse_int64(day, 0, 4000000, &p->day) != DD_OK ||
        dd_parse_int64(dot + 1, 0, INT64_MAX, &p->id) != DD_OK)
        return DD_EINVAL;
    return DD_OK;
}

const char *
dd_access_reader_kind(const char *actor)
{
    static const char *const kinds[] = {"officer", "establishment", "client", "citizen"};
    size_t n = actor ? strcspn(actor, ":") : 0;
    for (size_t i = 0; actor && actor[n] == ':' && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i]) == n && strncmp(actor, kinds[i], n) == 0)
            return kinds[i];
    return "system";
}

/* True if (day, id) comes after pos in newest-first order. */
static bool
after(const struct dd_access_pos *pos, int64_t day, int64_t id)
{
    return day < pos->day || (day == pos->day && id < pos->id);
}

/* Orders entries newest first. */
static int
newest_first(const void *pa, const void *pb)
{
    const struct dd_access_entry *a = pa, *b = pb;
    if (a->day != b->day)
        return a->day > b->day ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

static const char *
copy_text(struct dd_arena *a, struct dd_stmt *st, int col)
{
    const char *s = dd_stmt_text(st, col);
    return dd_arena_strdup(a, s ? s : "");
}

/* Fills e from a row of ENTRY_COLUMNS. */
static void
read_entry(struct dd_stmt *st, struct dd_arena *a, struct dd_access_entry *e)
{
    e->day = dd_stmt_int64(st, 10);
    e->id = dd_stmt_int64(st, 0);
    e->at = copy_text(a, st, 1);
    e->actor = copy_text(a, st, 2);
    e->actor_name = copy_text(a, st, 3);
    e->role = copy_text(a, st, 4);
    e->agency = copy_text(a, st, 5);
    e->action = copy_text(a, st, 6);
    e->data = copy_text(a, st, 7);
    e->purpose = copy_text(a, st, 8);
    e->request_id = copy_text(a, st, 9);
}

/* A growing array of entries in an arena. */
struct entries {
    struct dd_access_entry *v;
    int n, cap;
};

static struct dd_access_entry *
entries_push(struct entries *es, struct dd_arena *a)
{
    if (es->n == es->cap) {
        int cap = es->cap ? es->cap * 2 : 64;
        struct dd_access_entry *v = dd_arena_alloc(a, (size_t)cap * sizeof *v);
        if (es->n)
            memcpy(v, es->v, (size_t)es->n * sizeof *v);
        es->v = v;
        es->cap = cap;
    }
    return &es->v[es->n++];
}

/* The person's rows past access_log_indexed.upto (not in the index by person yet: the log's
 * tail, today's rows), after pos and within the retention, newest first. PostgreSQL indexes
 * every row as it is written (access_log_indexed is a view whose upto is the last id), so there
 * is no tail to read; its planner, not knowing upto, would even start parallel workers to scan
 * for one. */
static int
read_tail(struct dd_db *db, struct dd_arena *a, const struct dd_access_query *q,
          const struct dd_access_pos *pos, struct entries *out)
{
    if (dd_db_kind(db) != DD_DB_SQLITE)
        return DD_OK;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " ENTRY_COLUMNS " FROM access_log l WHERE l.id > (SELECT upto "
                           "FROM access_log_indexed) AND l.id_number = ? AND l.actor <> ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, q->id_number);
    dd_stmt_bind_text(st, 2, q->exclude_actor ? q->exclude_actor : "");
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        int64_t day = dd_stmt_int64(st, 10);
        if (day < q->oldest_day || !after(pos, day, dd_stmt_int64(st, 0)))
            continue;
        read_entry(st, a, entries_push(out, a));
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    if (out->n > 1)
        qsort(out->v, (size_t)out->n, sizeof *out->v, newest_first);
    return DD_OK;
}

/* Reads the indexed rows of days [lo, hi] after pos into out, at most `want`, newest first, with
 * the statement of run r. */
static int
read_indexed_run(struct dd_db *db, struct dd_arena *a, const struct dd_access_query *q,
                 const struct dd_access_pos *pos, int r, int64_t hi, int64_t lo, int want,
                 struct entries *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, run_sql[r], &st);
    if (rc != DD_OK)
        return rc;
    int p = 1;
    dd_stmt_bind_text(st, p++, q->id_number);
    dd_stmt_bind_text(st, p++, q->exclude_actor ? q->exclude_actor : "");
    for (int i = 0; i < run_days[r]; i++)
        dd_stmt_bind_int64(st, p++, hi - i >= lo ? hi - i : lo);
    dd_stmt_bind_int64(st, p++, pos->day);
    dd_stmt_bind_int64(st, p++, pos->id);
    dd_stmt_bind_int64(st, p, want);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        read_entry(st, a, entries_push(out, a));
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* The person's indexed rows after pos, newest first, until `want` are found or the oldest day. */
static int
read_indexed(struct dd_db *db, struct dd_arena *a, const struct dd_access_query *q,
             const struct dd_access_pos *pos, int want, struct entries *out)
{
    pthread_once(&run_sql_once, build_run_sql);
    int64_t hi = pos->day;
    for (int r = 0; out->n < want && hi >= q->oldest_day; r += r < RUNS - 1) {
        int64_t lo = hi - run_days[r] + 1;
        if (lo < q->oldest_day)
            lo = q->oldest_day;
        int rc = read_indexed_run(db, a, q, pos, r, hi, lo, want - out->n, out);
        if (rc != DD_OK)
            return rc;
        hi = lo - 1;
    }
    return DD_OK;
}

int
dd_access_page(struct dd_db *db, struct dd_arena *a, const struct dd_access_query *q,
               struct dd_access_pos *pos, int limit, struct dd_access_entry *rows, int *n,
               bool *more)
{
    *n = 0;
    *more = false;
    if (limit < 1 || limit > MAX_LIMIT || q->id_number == NULL)
        return DD_EINVAL;
    struct entries tail = {0}, indexed = {0};
    int rc = read_tail(db, a, q, pos, &tail);
    if (rc == DD_OK)
        rc = read_indexed(db, a, q, pos, limit + 1, &indexed);
    if (rc != DD_OK)
        return rc;
    int i = 0, j = 0;
    while (i < tail.n || j < indexed.n) {
        const struct dd_access_entry *e;
        if (j == indexed.n || (i < tail.n && newest_first(&tail.v[i], &indexed.v[j]) < 0)) {
            e = &tail.v[i++];
        } else {
            if (i < tail.n && tail.v[i].id == indexed.v[j].id)
                i++; /* indexed between the two reads: the same row */
            e = &indexed.v[j++];
        }
        if (*n == limit) {
            *more = true;
            break;
        }
        rows[(*n)++] = *e;
    }
    if (*more)
        *pos = (struct dd_access_pos){.day = rows[*n - 1].day, .id = rows[*n - 1].id};
    return DD_OK;
}
