/*
 * sqlite.c — the embedded backend (SQLite 3).
 *
 * Each connection runs in WAL mode with synchronous=FULL (a committed transaction survives a
 * power cut) and foreign keys enforced; a locked database is waited for up to the configured
 * timeout, then reported as DD_EBUSY. Write transactions start with BEGIN IMMEDIATE so writers
 * queue at the start instead of failing when a read transaction tries to become a write one.
 * The group commit instead commits without the flush and flushes the WAL once per group outside
 * the write lock (store.h, dd_db_sync_commits and dd_db_wait_durable).
 *
 * Writers of one process queue for a file in the process itself first (a turn per database
 * file, handed over at once when the write before ends): SQLite's own wait for a locked file
 * polls with sleeps of up to 100 ms, which a busy server's writers (group commits, the access-log
 * writer, the audit writers) would otherwise pay again and again. Other processes (the command
 * line) still meet at SQLite's lock, with its timeout.
 */
#include "store/backend.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The turn to write to one database file, for the writers of this process. */
struct write_turn {
    char path[1024];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool taken;
};

#define WRITE_TURNS 16 /* files with a turn; writers to more files meet only at SQLite's lock */

static struct write_turn turns[WRITE_TURNS];
static size_t nturns;
static pthread_mutex_t turns_mu = PTHREAD_MUTEX_INITIALIZER;

struct sqlite_db {
    struct dd_db base;
    sqlite3 *h;
    struct write_turn *turn; /* NULL: in memory, or past WRITE_TURNS files */
    bool has_turn;
    long timeout_ms;
    struct dd_db_options opt; /* those it was opened with, for dd_db_open_same */
    const char *wal_path;     /* SQLite's, valid while open; NULL in memory */
    int sync_state;           /* 0 unknown, 1 FULL, 2 NORMAL: a PRAGMA only on a change */
    sqlite3_stmt *kept[2];    /* kept_sql's statements, prepared on first use */
};

/* Statements run so often (every write transaction) that they are prepared once per connection
 * rather than parsed at each sqlite3_exec. */
static const char *const kept_sql[] = {"BEGIN IMMEDIATE", "COMMIT"};

/* The turn of the file at `path` (found, or made), or NULL. */
static struct write_turn *
turn_of(const char *path)
{
    if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof turns[0].path)
        return NULL;
    pthread_mutex_lock(&turns_mu);
    struct write_turn *t = NULL;
    for (size_t i = 0; i < nturns && t == NULL; i++)
        if (strcmp(turns[i].path, path) == 0)
            t = &turns[i];
    if (t == NULL && nturns < WRITE_TURNS) {
        t = &turns[nturns++];
        dd_strlcpy(t->path, path, sizeof t->path);
        pthread_mutex_init(&t->mu, NULL);
        pthread_cond_init(&t->cv, NULL);
    }
    pthread_mutex_unlock(&turns_mu);
    return t;
}

/* Waits for the file's turn, up to the connection's timeout: DD_OK or DD_EBUSY. */
static int
turn_take(struct sqlite_db *db)
{
    struct write_turn *t = db->turn;
    if (t == NULL)
        return DD_OK;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += db->timeout_ms / 1000;
    until.tv_nsec += (db->timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->mu);
    int rc = 0;
    while (t->taken && rc == 0)
        rc = pthread_cond_timedwait(&t->cv, &t->mu, &until);
    bool got = !t->taken;
    if (got)
        t->taken = true;
    pthread_mutex_unlock(&t->mu);
    db->has_turn = got;
    return got ? DD_OK : DD_EBUSY;
}

static void
turn_give_back(struct sqlite_db *db)
{
    struct write_turn *t = db->turn;
    if (t == NULL || !db->has_turn)
        return;
    db->has_turn = false;
    pthread_mutex_lock(&t->mu);
    t->taken = false;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

struct sqlite_stmt {
    struct dd_stmt base;
    sqlite3_stmt *h;
    bool has_row;
    int ncols; /* of the row stepped to: the column readers check against it */
    int64_t changes;
};

static sqlite3 *
handle(struct dd_db *db)
{
    return ((struct sqlite_db *)db)->h;
}

static struct sqlite_stmt *
sst(struct dd_stmt *st)
{
    return (struct sqlite_stmt *)st;
}

static int
map_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DD_EBUSY;
    case SQLITE_CONSTRAINT:
        return DD_ECONFLICT;
    case SQLITE_RANGE:
    case SQLITE_MISUSE:
        return DD_EINVAL;
    default:
        return DD_EDB;
    }
}

/* SQLite's messages name tables, columns and constraints but never the values involved. */
static int
fail(struct dd_db *db, int code, const char *what)
{
    return dd_db_fail(db, map_code(code), "%s: %s", what, sqlite3_errmsg(handle(db)));
}

/* Creates the folders above `path` (mkdir -p of its dirname). */
static int
make_parent_dirs(const char *path, char *err, size_t errlen)
{
    char dir[PATH_MAX];
    if (dd_strlcpy(dir, path, sizeof dir) != DD_OK) {
        snprintf(err, errlen, "the database path is too long");
        return DD_EINVAL;
    }
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return DD_OK;
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char keep = *p;
        *p = '\0';
        if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create the folder %s: %s", dir, strerror(errno));
            return DD_EIO;
        }
        *p = keep;
        if (keep == '\0')
            return DD_OK;
    }
}

/* Runs a one-row PRAGMA and copies its text answer. */
static int
pragma_text(sqlite3 *h, const char *sql, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            dd_strlcpy(out, t ? (const char *)t : "", outlen);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* Every connection: flush at commit, enforce foreign keys, and keep up to 16 MiB of pages: enough
 * for the inner pages of the register's tables and indexes at millions of people, so that a
 * lookup reads only its leaf pages from the file. */
#define SETTINGS "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384"

static int
configure(sqlite3 *h, const char *path, const struct dd_db_options *opt, char *err, size_t errlen)
{
    long ms = opt->timeout_ms < 0 ? 0 : opt->timeout_ms;
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, ms > INT_MAX ? INT_MAX : (int)ms);
    char mode[32];
    int rc = pragma_text(h, "PRAGMA journal_mode=WAL", mode, sizeof mode);
    if (rc == SQLITE_OK && strcmp(mode, "wal") != 0 && strcmp(path, ":memory:") != 0) {
        snprintf(err, errlen, "the SQLite database %s cannot use WAL (journal mode is %s)", path,
                 mode);
        return DD_EDB;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, SETTINGS, NULL, NULL, NULL);
    if (rc == SQLITE_OK && opt->manual_checkpoints)
        rc = sqlite3_exec(h, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up the SQLite database %s: %s", path, sqlite3_errmsg(h));
        return map_code(rc);
    }
    return DD_OK;
}

static const struct dd_db_ops sqlite_ops;

/* Once per process, before the first connection: no memory statistics. With them on (SQLite's
 * default) every allocation SQLite makes takes one process-wide mutex, which the server's
 * worker threads then contend for on every statement; nothing here reads the statistics. */
static pthread_once_t configured = PTHREAD_ONCE_INIT;

static void
configure_library(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

int
dd_sqlite_open(const char *path, const struct dd_db_options *opt, struct dd_db **out, char *err,
               size_t errlen)
{
    pthread_once(&configured, configure_library);
    if (*path == '\0') {
        snprintf(err, errlen, "the sqlite: URL has no file path");
        return DD_EINVAL;
    }
    if (strcmp(path, ":memory:") != 0) {
        int rc = make_parent_dirs(path, err, errlen);
        if (rc != DD_OK)
            return rc;
    }
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &h, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open the SQLite database %s: %s", path,
                 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close_v2(h);
        return DD_EUNAVAIL;
    }
    rc = configure(h, path, opt, err, errlen);
    if (rc != DD_OK) {
        sqlite3_close_v2(h);
        return rc;
    }
    struct sqlite_db *db = dd_xcalloc(1, sizeof *db);
    dd_db_base_init(&db->base, &sqlite_ops);
    db->h = h;
    db->timeout_ms = opt->timeout_ms < 0 ? 0 : opt->timeout_ms;
    db->opt = *opt;
    bool file = strcmp(path, ":memory:") != 0;
    db->turn = file ? turn_of(sqlite3_db_filename(h, "main")) : NULL;
    db->wal_path = file ? sqlite3_filename_wal(sqlite3_db_filename(h, "main")) : NULL;
    *out = &db->base;
    return DD_OK;
}

/* Another connection to the same file; a database in memory has no other. */
static int
sqlite_open_same(struct dd_db *db, struct dd_db **out)
{
    const char *path = sqlite3_db_filename(handle(db), "main");
    if (path == NULL || *path == '\0')
        return dd_db_fail(db, DD_EINVAL, "a database in memory has no second connection");
    char err[256];
    int rc = dd_sqlite_open(path, &((struct sqlite_db *)db)->opt, out, err, sizeof err);
    return rc == DD_OK ? DD_OK : dd_db_fail(db, rc, "%s", err);
}

static void
sqlite_close(struct dd_db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    turn_give_back(s);
    for (size_t i = 0; i < sizeof s->kept / sizeof s->kept[0]; i++)
        sqlite3_finalize(s->kept[i]);
    sqlite3_close_v2(s->h);
    free(db);
}

/* The kept statement for sql (prepared now if need be), or NULL when sql is not one of them. */
static sqlite3_stmt *
kept_statement(struct sqlite_db *s, const char *sql)
{
    for (size_t i = 0; i < sizeof kept_sql / sizeof kept_sql[0]; i++)
        if (strcmp(sql, kept_sql[i]) == 0) {
            if (s->kept[i] == NULL && sqlite3_prepare_v3(s->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                                         &s->kept[i], NULL) != SQLITE_OK)
                return NULL;
            return s->kept[i];
        }
    return NULL;
}

static int
sqlite_exec(struct dd_db *db, const char *sql)
{
    sqlite3_stmt *st = kept_statement((struct sqlite_db *)db, sql);
    int rc;
    if (st != NULL) {
        rc = sqlite3_step(st);
        int result = rc == SQLITE_DONE ? DD_OK : fail(db, rc, "exec"); /* before the reset */
        sqlite3_reset(st);
        return result;
    }
    rc = sqlite3_exec(handle(db), sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DD_OK : fail(db, rc, "exec");
}

/* synchronous=FULL flushes the WAL at every commit; NORMAL leaves that to dd_db_wait_durable
 * (and still flushes the WAL before a checkpoint copies it into the database, and the database
 * after). */
static int
sqlite_set_sync(struct dd_db *db, bool wait_for_disk)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    int want = wait_for_disk ? 1 : 2;
    if (s->sync_state == want)
        return DD_OK;
    int rc =
        sqlite_exec(db, wait_for_disk ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    s->sync_state = rc == DD_OK ? want : 0;
    return rc;
}

/* Flushes the WAL file through a descriptor of its own: the kernel flushes the file's pages
 * whichever descriptor wrote them, and this connection's own file stays SQLite's alone. No WAL
 * file means everything is in the database file, flushed by the checkpoint that emptied it. */
static int
sqlite_wait_durable(struct dd_db *db)
{
    const char *wal = ((struct sqlite_db *)db)->wal_path;
    if (wal == NULL || *wal == '\0')
        return DD_OK;
    int fd = open(wal, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? DD_OK : dd_db_fail(db, DD_EIO, "cannot open the WAL file");
    int rc = fdatasync(fd) == 0 ? DD_OK : dd_db_fail(db, DD_EIO, "cannot flush the WAL file");
    close(fd);
    return rc;
}

/* A passive checkpoint: it takes neither the file's turn nor SQLite's write lock, so writers go
 * on meanwhile. SQLITE_BUSY only means another checkpoint is running: nothing to do now. */
static int
sqlite_checkpoint(struct dd_db *db, int *wal_frames, int *copied)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    if (s->wal_path == NULL || *s->wal_path == '\0')
        return DD_OK;
    int rc = sqlite3_wal_checkpoint_v2(s->h, NULL, SQLITE_CHECKPOINT_PASSIVE, wal_frames, copied);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return DD_OK;
    return rc == SQLITE_OK ? DD_OK
                           : dd_db_fail(db, map_code(rc), "checkpoint: %s", sqlite3_errmsg(s->h));
}

/* A write transaction: the file's turn in this process, then SQLite's lock. */
static int
sqlite_begin_write(struct dd_db *db)
{
    struct sqlite_db *s = (struct sqlite_db *)db;
    if (turn_take(s) != DD_OK)
        return dd_db_fail(db, DD_EBUSY, "the database stayed locked by another write");
    int rc = sqlite_exec(db, "BEGIN IMMEDIATE");
    if (rc != DD_OK)
        turn_give_back(s);
    return rc;
}

/* After a transaction ends (commit or rollback): the turn goes to the next writer. */
static void
sqlite_ended(struct dd_db *db)
{
    turn_give_back((struct sqlite_db *)db);
}

static int
sqlite_rollback(struct dd_db *db)
{
    if (sqlite3_get_autocommit(handle(db)))
        return DD_OK; /* SQLite already rolled back (after some errors it does so itself) */
    return sqlite_exec(db, "ROLLBACK");
}

static int
sqlite_prepare(struct dd_db *db, const char *sql, struct dd_stmt **out)
{
    sqlite3_stmt *h = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(handle(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &h, &tail);
    if (rc != SQLITE_OK)
        return fail(db, rc, "prepare");
    if (h == NULL)
        return dd_db_fail(db, DD_EINVAL, "prepare: the SQL text holds no statement");
    tail += strspn(tail, " \t\r\n;");
    if (*tail != '\0') {
        sqlite3_finalize(h);
        return dd_db_fail(db, DD_EINVAL, "prepare: one statement at a time (use dd_db_exec)");
    }
    struct sqlite_stmt *st = dd_xcalloc(1, sizeof *st);
    st->h = h;
    *out = &st->base;
    return DD_OK;
}

static void
sqlite_finalize(struct dd_stmt *st)
{
    sqlite3_finalize(sst(st)->h);
    free(st);
}

static int
bind_result(struct dd_stmt *st, int rc, int idx)
{
    if (rc == SQLITE_OK)
        return DD_OK;
    if (rc == SQLITE_RANGE)
        return dd_db_fail(st->db, DD_EINVAL, "bind: parameter %d is out of range", idx);
    return fail(st->db, rc, "bind");
}

static int
sqlite_bind_text(struct dd_stmt *st, int idx, const char *s)
{
    return bind_result(st, sqlite3_bind_text(sst(st)->h, idx, s, -1, SQLITE_TRANSIENT), idx);
}

static int
sqlite_bind_text_static(struct dd_stmt *st, int idx, const char *s, size_t n)
{
    if (n > (size_t)INT_MAX)
        return dd_db_fail(st->db, DD_ETOOBIG, "bind: parameter %d is too large", idx);
    return bind_result(st, sqlite3_bind_text(sst(st)->h, idx, s, (int)n, SQLITE_STATIC), idx);
}

static int
sqlite_bind_int64(struct dd_stmt *st, int idx, int64_t v)
{
    return bind_result(st, sqlite3_bind_int64(sst(st)->h, idx, v), idx);
}

static int
sqlite_bind_null(struct dd_stmt *st, int idx)
{
    return bind_result(st, sqlite3_bind_null(sst(st)->h, idx), idx);
}

static int
sqlite_bind_blob(struct dd_stmt *st, int idx, const void *p, size_t n)
{
    /* A NULL pointer would bind SQL NULL; an empty blob is a blob. */
    int rc = sqlite3_bind_blob64(sst(st)->h, idx, p ? p : "", n, SQLITE_TRANSIENT);
    return bind_result(st, rc, idx);
}

static int
sqlite_step(struct dd_stmt *st)
{
    struct sqlite_stmt *s = sst(st);
    int rc = sqlite3_step(s->h);
    s->has_row = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        s->ncols = sqlite3_data_count(s->h);
        return DD_DB_ROW;
    }
    if (rc == SQLITE_DONE) {
        s->changes = sqlite3_stmt_readonly(s->h) ? 0 : sqlite3_changes64(handle(st->db));
        return DD_DB_DONE;
    }
    return fail(st->db, rc, "step");
}

static bool
has_column(struct dd_stmt *st, int col)
{
    struct sqlite_stmt *s = sst(st);
    return s->has_row && col >= 0 && col < s->ncols;
}

static int
sqlite_column_count(struct dd_stmt *st)
{
    return sqlite3_column_count(sst(st)->h);
}

static const char *
sqlite_column_name(struct dd_stmt *st, int col)
{
    if (col < 0 || col >= sqlite3_column_count(sst(st)->h))
        return NULL;
    return sqlite3_column_name(sst(st)->h, col);
}

static bool
sqlite_is_null(struct dd_stmt *st, int col)
{
    return !has_column(st, col) || sqlite3_column_type(sst(st)->h, col) == SQLITE_NULL;
}

static const char *
sqlite_text(struct dd_stmt *st, int col)
{
    if (!has_column(st, col))
        return NULL;
    return (const char *)sqlite3_column_text(sst(st)->h, col);
}

static int64_t
sqlite_column_int64(struct dd_stmt *st, int col)
{
    if (!has_column(st, col))
        return 0;
    return sqlite3_column_int64(sst(st)->h, col);
}

static const void *
sqlite_blob(struct dd_stmt *st, int col, size_t *len)
{
    *len = 0;
    if (sqlite_is_null(st, col))
        return NULL;
    const void *p = sqlite3_column_blob(sst(st)->h, col);
    *len = (size_t)sqlite3_column_bytes(sst(st)->h, col);
    return p ? p : "";
}

static void
sqlite_texts_bytes(struct dd_stmt *st, const int *cols, size_t n, const char **bytes, size_t *lens)
{
    sqlite3_stmt *h = sst(st)->h;
    for (size_t i = 0; i < n; i++) {
        bytes[i] = "";
        lens[i] = 0;
        if (!has_column(st, cols[i]))
            continue;
        /* The value once, then its bytes as stored: no '\0' added, no copy. SQLite calls such a
         * value unprotected (no mutex is taken for it): this connection is one thread's at a
         * time. A text of no bytes has no pointer. */
        sqlite3_value *v = sqlite3_column_value(h, cols[i]);
        const char *p = sqlite3_value_blob(v);
        if (p != NULL) {
            bytes[i] = p;
            lens[i] = (size_t)sqlite3_value_bytes(v);
        }
    }
}

static int64_t
sqlite_changes(struct dd_stmt *st)
{
    return sst(st)->changes;
}

static void
sqlite_reset(struct dd_stmt *st)
{
    struct sqlite_stmt *s = sst(st);
    sqlite3_reset(s->h);
    sqlite3_clear_bindings(s->h);
    s->has_row = false;
}

static const struct dd_db_ops sqlite_ops = {
    .kind = DD_DB_SQLITE,
    .begin_sql = "BEGIN IMMEDIATE",
    .begin_write = sqlite_begin_write,
    .ended = sqlite_ended,
    .set_sync = sqlite_set_sync,
    .wait_durable = sqlite_wait_durable,
    .checkpoint = sqlite_checkpoint,
    .begin_read_sql = "BEGIN DEFERRED",
    .open_same = sqlite_open_same,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .rollback = sqlite_rollback,
    .prepare = sqlite_prepare,
    .finalize = sqlite_finalize,
    .bind_text = sqlite_bind_text,
    .bind_int64 = sqlite_bind_int64,
    .bind_null = sqlite_bind_null,
    .bind_blob = sqlite_bind_blob,
    .step = sqlite_step,
    .column_count = sqlite_column_count,
    .column_name = sqlite_column_name,
    .is_null = sqlite_is_null,
    .text = sqlite_text,
    .int64 = sqlite_column_int64,
    .blob = sqlite_blob,
    .texts_bytes = sqlite_texts_bytes,
    .changes = sqlite_changes,
    .reset = sqlite_reset,
    .bind_text_static = sqlite_bind_text_static,
};
