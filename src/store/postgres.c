/*
 * postgres.c — the server backend (libpq).
 *
 * Each statement is prepared once per connection under a generated name (dd_1, dd_2, …) after
 * its `?` placeholders are numbered. Parameters travel as text, blobs as binary; results come
 * back as text, and bytea columns are unescaped on demand. A statement's rows are fetched whole
 * at its first step. The session waits for locks up to the configured timeout (lock_timeout)
 * and may cap statements (statement_timeout); NOTICE messages are dropped.
 *
 * Errors are classified by SQLSTATE: class 23 is a constraint (DD_ECONFLICT); lock timeouts,
 * serialisation failures, deadlocks and cancelled statements are DD_EBUSY; class 08, a shut
 * down server or a broken connection are DD_EUNAVAIL. The message kept is PostgreSQL's primary
 * message only: its DETAIL lines quote the offending row, and for data exceptions (class 22)
 * even the primary message quotes the value, so those get a fixed sentence instead.
 */
#include "store/backend.h"
#include "store/placeholders.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BYTEA_OID     17
#define MAX_PARAMS    65535
#define MAX_SQL_BYTES (1024 * 1024)

struct pg_db {
    struct dd_db base;
    PGconn *conn;
    unsigned long next_name;
};

struct pg_param {
    char *buf;
    size_t cap;
};

struct pg_stmt {
    struct dd_stmt base;
    char name[32];
    bool stale;     /* to be prepared again before its next run */
    bool on_server; /* the name is prepared in the session (false after a failed re-prepare) */
    int nparams;
    const char **values;
    int *lengths;
    int *formats;
    struct pg_param *slots;
    PGresult *res;
    int row;
    int nrows;
    int64_t changes;
    unsigned char **unescaped; /* per column, for bytea; freed at each step and reset */
    size_t *unescaped_len;
    int unescaped_cap;
};

static PGconn *
conn_of(struct dd_db *db)
{
    return ((struct pg_db *)db)->conn;
}

static struct pg_stmt *
pst(struct dd_stmt *st)
{
    return (struct pg_stmt *)st;
}

/* Copies libpq's message without its trailing newline. */
static void
trimmed(const char *msg, char *out, size_t outlen)
{
    dd_strlcpy(out, msg ? msg : "", outlen);
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
        out[--n] = '\0';
}

static int
map_sqlstate(const char *state)
{
    static const char *const busy[] = {"55P03", "40001", "40P01", "57014"};
    static const char *const gone[] = {"57P01", "57P02", "57P03"};
    if (strncmp(state, "23", 2) == 0)
        return DD_ECONFLICT;
    if (strncmp(state, "08", 2) == 0)
        return DD_EUNAVAIL;
    for (size_t i = 0; i < sizeof busy / sizeof busy[0]; i++)
        if (strcmp(state, busy[i]) == 0)
            return DD_EBUSY;
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
        if (strcmp(state, gone[i]) == 0)
            return DD_EUNAVAIL;
    return DD_EDB;
}

/* Records the error of `res` (which may be NULL) and returns its code. */
static int
fail(struct dd_db *db, const PGresult *res, const char *what)
{
    PGconn *conn = conn_of(db);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[400];
    if (PQstatus(conn) == CONNECTION_BAD) {
        trimmed(PQerrorMessage(conn), msg, sizeof msg);
        return dd_db_fail(db, DD_EUNAVAIL, "%s: the PostgreSQL connection was lost: %s", what, msg);
    }
    if (state == NULL) {
        trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(conn), msg, sizeof msg);
        return dd_db_fail(db, DD_EDB, "%s: %s", what, msg);
    }
    int rc = map_sqlstate(state);
    if (strncmp(state, "22", 2) == 0)
        return dd_db_fail(db, rc, "%s: a value does not fit its column or operation (SQLSTATE %s)",
                          what, state);
    trimmed(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), msg, sizeof msg);
    return dd_db_fail(db, rc, "%s: %s (SQLSTATE %s)", what, msg, state);
}

static bool
result_ok(const PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static void
ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int
configure(PGconn *conn, const struct dd_db_options *opt, char *err, size_t errlen)
{
    long lock_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 1;
    long stmt_ms = opt->statement_timeout_ms > 0 ? opt->statement_timeout_ms : 0;
    char sql[256];
    snprintf(sql, sizeof sql,
             "SET client_encoding = 'UTF8'; SET standard_conforming_strings = on; "
             "SET lock_timeout = %ld; SET statement_timeout = %ld",
             lock_ms, stmt_ms);
    PGresult *res = PQexec(conn, sql);
    int rc = DD_OK;
    if (!result_ok(res)) {
        char msg[300];
        trimmed(PQerrorMessage(conn), msg, sizeof msg);
        snprintf(err, errlen, "cannot set up the PostgreSQL session: %s", msg);
        rc = DD_EDB;
    }
    PQclear(res);
    return rc;
}

static const struct dd_db_ops pg_ops;

int
dd_pg_open(const char *url, const struct dd_db_options *opt, struct dd_db **out, char *err,
           size_t errlen)
{
    /* Earlier keywords are defaults: the URL's own settings, expanded last, win. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const values[] = {"10", "dinhdanh", url, NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (conn == NULL)
        abort(); /* libpq could not allocate */
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[300];
        trimmed(PQerrorMessage(conn), msg, sizeof msg);
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", msg);
        PQfinish(conn);
        return DD_EUNAVAIL;
    }
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    int rc = configure(conn, opt, err, errlen);
    if (rc != DD_OK) {
        PQfinish(conn);
        return rc;
    }
    struct pg_db *db = dd_xcalloc(1, sizeof *db);
    dd_db_base_init(&db->base, &pg_ops);
    db->conn = conn;
    *out = &db->base;
    return DD_OK;
}

static void
pg_close(struct dd_db *db)
{
    PQfinish(conn_of(db));
    free(db);
}

static int
pg_exec(struct dd_db *db, const char *sql)
{
    PGresult *res = PQexec(conn_of(db), sql);
    int rc = result_ok(res) ? DD_OK : fail(db, res, "exec");
    PQclear(res);
    return rc;
}

static int
pg_rollback(struct dd_db *db)
{
    if (PQtransactionStatus(conn_of(db)) == PQTRANS_IDLE)
        return DD_OK;
    return pg_exec(db, "ROLLBACK");
}

/* Numbers the placeholders of `sql` and prepares it under `name`; *nparams gets their count. */
static int
prepare_named(struct dd_db *db, const char *name, const char *sql, int *nparams)
{
    struct dd_buf text;
    dd_buf_init(&text, NULL, MAX_SQL_BYTES);
    if (dd_sql_number_placeholders(sql, &text, nparams) != DD_OK) {
        dd_buf_release(&text);
        return dd_db_fail(db, DD_ETOOBIG, "prepare: the SQL text is too long");
    }
    if (*nparams > MAX_PARAMS) {
        dd_buf_release(&text);
        return dd_db_fail(db, DD_EINVAL, "prepare: more than %d parameters", MAX_PARAMS);
    }
    PGresult *res = PQprepare(conn_of(db), name, text.data ? text.data : "", 0, NULL);
    dd_buf_release(&text);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DD_OK : fail(db, res, "prepare");
    PQclear(res);
    return rc;
}

static int
pg_prepare(struct dd_db *db, const char *sql, struct dd_stmt **out)
{
    struct pg_db *pdb = (struct pg_db *)db;
    char name[32];
    snprintf(name, sizeof name, "dd_%lu", ++pdb->next_name);
    int n = 0;
    int rc = prepare_named(db, name, sql, &n);
    if (rc != DD_OK)
        return rc;
    struct pg_stmt *st = dd_xcalloc(1, sizeof *st);
    memcpy(st->name, name, sizeof name);
    st->on_server = true;
    st->nparams = n;
    st->values = dd_xcalloc((size_t)n, sizeof *st->values);
    st->lengths = dd_xcalloc((size_t)n, sizeof *st->lengths);
    st->formats = dd_xcalloc((size_t)n, sizeof *st->formats);
    st->slots = dd_xcalloc((size_t)n, sizeof *st->slots);
    *out = &st->base;
    return DD_OK;
}

static void
free_unescaped(struct pg_stmt *st)
{
    for (int i = 0; i < st->unescaped_cap; i++) {
        if (st->unescaped[i]) {
            PQfreemem(st->unescaped[i]);
            st->unescaped[i] = NULL;
        }
    }
}

static void
pg_reset(struct dd_stmt *base)
{
    struct pg_stmt *st = pst(base);
    free_unescaped(st);
    PQclear(st->res);
    st->res = NULL;
    st->row = st->nrows = 0;
    for (int i = 0; i < st->nparams; i++) {
        st->values[i] = NULL;
        st->lengths[i] = 0;
        st->formats[i] = 0;
    }
}

static void
pg_finalize(struct dd_stmt *base)
{
    struct pg_stmt *st = pst(base);
    struct dd_db *db = base->db;
    pg_reset(base);
    PGconn *conn = conn_of(db);
    PGTransactionStatusType ts = PQtransactionStatus(conn);
    if (st->on_server && !db->closing && (ts == PQTRANS_IDLE || ts == PQTRANS_INTRANS)) {
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
        PQclear(PQexec(conn, sql));
    }
    for (int i = 0; i < st->nparams; i++)
        free(st->slots[i].buf);
    free(st->slots);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->unescaped);
    free(st->unescaped_len);
    free(st);
}

/* The parameter's reusable storage, grown to hold n bytes; NULL if idx is out of range. */
static char *
slot(struct dd_stmt *base, int idx, size_t n)
{
    struct pg_stmt *st = pst(base);
    if (idx < 1 || idx > st->nparams) {
        dd_db_fail(base->db, DD_EINVAL, "bind: parameter %d is out of range", idx);
        return NULL;
    }
    struct pg_param *p = &st->slots[idx - 1];
    if (p->cap < n + 1) {
        p->cap = n + 1 < 32 ? 32 : n + 1;
        free(p->buf);
        p->buf = dd_xmalloc(p->cap);
    }
    return p->buf;
}

static int
set_param(struct dd_stmt *base, int idx, const void *p, size_t n, int format)
{
    char *buf = slot(base, idx, n);
    if (buf == NULL)
        return DD_EINVAL;
    if (n > (size_t)0x7fffffff)
        return dd_db_fail(base->db, DD_ETOOBIG, "bind: parameter %d is too large", idx);
    if (n)
        memcpy(buf, p, n);
    buf[n] = '\0';
    struct pg_stmt *st = pst(base);
    st->values[idx - 1] = buf;
    st->lengths[idx - 1] = (int)n;
    st->formats[idx - 1] = format;
    return DD_OK;
}

static int
pg_bind_text(struct dd_stmt *st, int idx, const char *s)
{
    return set_param(st, idx, s, strlen(s), 0);
}

static int
pg_bind_text_static(struct dd_stmt *st, int idx, const char *s, size_t n)
{
    return set_param(st, idx, s, n, 0);
}

static int
pg_bind_int64(struct dd_stmt *st, int idx, int64_t v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", (long long)v);
    return set_param(st, idx, num, (size_t)n, 0);
}

static int
pg_bind_null(struct dd_stmt *base, int idx)
{
    if (slot(base, idx, 0) == NULL)
        return DD_EINVAL;
    pst(base)->values[idx - 1] = NULL;
    return DD_OK;
}

static int
pg_bind_blob(struct dd_stmt *st, int idx, const void *p, size_t n)
{
    return set_param(st, idx, p, n, 1);
}

/* Rows changed by the command of `res`: only INSERT, UPDATE, DELETE and MERGE change rows
 * (PQcmdTuples also counts what a SELECT returned). */
static int64_t
rows_changed(PGresult *res)
{
    static const char *const writes[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
    const char *status = PQcmdStatus(res);
    bool write = false;
    for (size_t i = 0; i < sizeof writes / sizeof writes[0] && status; i++)
        write = write || dd_str_has_prefix(status, writes[i]);
    int64_t v = 0;
    if (!write || dd_parse_int64(PQcmdTuples(res), 0, INT64_MAX, &v) != DD_OK)
        return 0;
    return v;
}

/* PostgreSQL refuses to run a prepared statement whose result columns changed under it (SQLSTATE
 * 0A000, "cached plan must not change result type", after a migration altered a table): the
 * statement is prepared again under its name, at once when no transaction is open, otherwise at
 * its next use once the caller has rolled back. */
static int
reprepare(struct pg_stmt *st)
{
    struct dd_db *db = st->base.db;
    char sql[64];
    snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
    if (st->on_server)
        PQclear(PQexec(conn_of(db), sql));
    int n = 0;
    int rc = prepare_named(db, st->name, st->base.sql, &n);
    st->on_server = rc == DD_OK;
    if (rc == DD_OK)
        st->stale = false;
    return rc;
}

static bool
plan_changed(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state && strcmp(state, "0A000") == 0;
}

static PGresult *
run_prepared(struct pg_stmt *st)
{
    return PQexecPrepared(conn_of(st->base.db), st->name, st->nparams, st->values, st->lengths,
                          st->formats, 0);
}

static int
execute(struct pg_stmt *st)
{
    struct dd_db *db = st->base.db;
    if (st->stale) {
        int rc = reprepare(st);
        if (rc != DD_OK)
            return rc;
    }
    st->res = run_prepared(st);
    if (!result_ok(st->res) && plan_changed(st->res)) {
        st->stale = true;
        if (PQtransactionStatus(conn_of(db)) == PQTRANS_IDLE && reprepare(st) == DD_OK) {
            PQclear(st->res);
            st->res = run_prepared(st);
        }
    }
    if (!result_ok(st->res)) {
        int rc = fail(db, st->res, "step");
        PQclear(st->res);
        st->res = NULL;
        return rc;
    }
    st->nrows = PQntuples(st->res);
    st->row = -1;
    st->changes = rows_changed(st->res);
    return DD_OK;
}

static int
pg_step(struct dd_stmt *base)
{
    struct pg_stmt *st = pst(base);
    if (st->res == NULL) {
        int rc = execute(st);
        if (rc != DD_OK)
            return rc;
    }
    free_unescaped(st);
    if (st->row < st->nrows)
        st->row++;
    return st->row < st->nrows ? DD_DB_ROW : DD_DB_DONE;
}

static bool
has_column(struct pg_stmt *st, int col)
{
    return st->res && st->row >= 0 && st->row < st->nrows && col >= 0 && col < PQnfields(st->res);
}

static int
pg_column_count(struct dd_stmt *base)
{
    struct pg_stmt *st = pst(base);
    return st->res ? PQnfields(st->res) : 0;
}

static const char *
pg_column_name(struct dd_stmt *base, int col)
{
    struct pg_stmt *st = pst(base);
    if (st->res == NULL || col < 0 || col >= PQnfields(st->res))
        return NULL;
    return PQfname(st->res, col);
}

static bool
pg_is_null(struct dd_stmt *base, int col)
{
    struct pg_stmt *st = pst(base);
    return !has_column(st, col) || PQgetisnull(st->res, st->row, col);
}

static const char *
pg_text(struct dd_stmt *base, int col)
{
    if (pg_is_null(base, col))
        return NULL;
    return PQgetvalue(pst(base)->res, pst(base)->row, col);
}

static int64_t
pg_column_int64(struct dd_stmt *base, int col)
{
    const char *s = pg_text(base, col);
    if (s == NULL)
        return 0;
    if (strcmp(s, "t") == 0)
        return 1; /* a boolean */
    return strtoll(s, NULL, 10);
}

static void
pg_texts_bytes(struct dd_stmt *base, const int *cols, size_t n, const char **bytes, size_t *lens)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = pg_text(base, cols[i]);
        bytes[i] = s ? s : "";
        lens[i] = s ? strlen(s) : 0;
    }
}

static const void *
pg_blob(struct dd_stmt *base, int col, size_t *len)
{
    struct pg_stmt *st = pst(base);
    *len = 0;
    if (pg_is_null(base, col))
        return NULL;
    if (PQftype(st->res, col) != BYTEA_OID) {
        *len = (size_t)PQgetlength(st->res, st->row, col);
        return PQgetvalue(st->res, st->row, col);
    }
    if (col >= st->unescaped_cap) {
        int cap = PQnfields(st->res);
        st->unescaped = dd_xrealloc(st->unescaped, (size_t)cap * sizeof *st->unescaped);
        st->unescaped_len = dd_xrealloc(st->unescaped_len, (size_t)cap * sizeof(size_t));
        for (int i = st->unescaped_cap; i < cap; i++)
            st->unescaped[i] = NULL;
        st->unescaped_cap = cap;
    }
    if (st->unescaped[col] == NULL) {
        const unsigned char *text = (const unsigned char *)PQgetvalue(st->res, st->row, col);
        st->unescaped[col] = PQunescapeBytea(text, &st->unescaped_len[col]);
        if (st->unescaped[col] == NULL)
            abort(); /* out of memory inside libpq */
    }
    *len = st->unescaped_len[col];
    return st->unescaped[col];
}

static int64_t
pg_changes(struct dd_stmt *base)
{
    return pst(base)->changes;
}

/* COPY … FROM STDIN: the server answers the command with PGRES_COPY_IN, then takes data until
 * PQputCopyEnd; the COPY's own result (success, or the first bad row's error) follows. */
static int
pg_copy_begin(struct dd_db *db, const char *sql)
{
    PGresult *res = PQexec(conn_of(db), sql);
    int rc = DD_OK;
    if (result_ok(res))
        rc = dd_db_fail(db, DD_EINVAL, "copy: the statement is not a COPY FROM STDIN");
    else if (PQresultStatus(res) != PGRES_COPY_IN)
        rc = fail(db, res, "copy");
    PQclear(res);
    return rc;
}

static int
pg_copy_put(struct dd_db *db, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        int chunk = n > (size_t)(1 << 30) ? 1 << 30 : (int)n;
        if (PQputCopyData(conn_of(db), c, chunk) != 1)
            return fail(db, NULL, "copy");
        c += chunk;
        n -= (size_t)chunk;
    }
    return DD_OK;
}

static int
pg_copy_end(struct dd_db *db, bool abort)
{
    PGconn *conn = conn_of(db);
    if (PQputCopyEnd(conn, abort ? "abandoned by the client" : NULL) != 1)
        return fail(db, NULL, "copy");
    int rc = DD_OK;
    PGresult *res;
    while ((res = PQgetResult(conn)) != NULL) {
        if (rc == DD_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = abort ? DD_EINVAL : fail(db, res, "copy");
        PQclear(res);
    }
    if (abort && rc == DD_OK)
        rc = DD_EINVAL; /* the server took the end of data as success: cannot happen */
    return rc;
}

static const struct dd_db_ops pg_ops = {
    .kind = DD_DB_POSTGRES,
    .begin_sql = "BEGIN",
    .begin_read_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    .close = pg_close,
    .exec = pg_exec,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .is_null = pg_is_null,
    .text = pg_text,
    .int64 = pg_column_int64,
    .blob = pg_blob,
    .texts_bytes = pg_texts_bytes,
    .changes = pg_changes,
    .reset = pg_reset,
    .bind_text_static = pg_bind_text_static,
    .copy_begin = pg_copy_begin,
    .copy_put = pg_copy_put,
    .copy_end = pg_copy_end,
};
