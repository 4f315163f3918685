/*
 * migrate.c — the migration runner and its status report.
 *
 * Each round takes the lock, reads schema_migrations, checks every recorded migration against
 * this build, and applies the lowest pending one in the same transaction as its record; then the
 * next round starts afresh. Reading the state again under the lock each time is what makes
 * concurrent runners safe: the second one waits, then finds the work done.
 */
#include "store/migrate.h"
#include "base/clock.h"
#include "base/embedded.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "crypto/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "dinhdanh" read as a big-endian 64-bit number: the advisory lock of the runner. */
#define MIGRATE_LOCK_KEY "7235435670987173480"

#define CREATE_TABLE                                                                               \
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "    \
    "NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)"

enum variant { VARIANT_COMMON, VARIANT_SQLITE, VARIANT_PG };

static bool
has_suffix(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Reads NNNN_name[.sqlite|.pg].sql. Returns 1 for a file that is not SQL (skipped), DD_OK, or
 * DD_EINVAL for a badly named SQL file. */
static int
parse_file_name(const char *path, int *version, char name[64], enum variant *variant)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (!has_suffix(base, len, ".sql"))
        return 1;
    len -= 4;
    *variant = VARIANT_COMMON;
    if (has_suffix(base, len, ".sqlite")) {
        *variant = VARIANT_SQLITE;
        len -= 7;
    } else if (has_suffix(base, len, ".pg")) {
        *variant = VARIANT_PG;
        len -= 3;
    }
    size_t digits = 0;
    while (digits < len && base[digits] >= '0' && base[digits] <= '9')
        digits++;
    if (digits == 0 || digits > 9 || digits + 1 >= len || base[digits] != '_' || len >= 64)
        return DD_EINVAL;
    for (size_t i = digits + 1; i < len; i++) {
        char c = base[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return DD_EINVAL;
    }
    memcpy(name, base, len);
    name[len] = '\0';
    char num[10];
    memcpy(num, base, digits);
    num[digits] = '\0';
    int64_t v = 0;
    if (dd_parse_int64(num, 1, 999999999, &v) != DD_OK)
        return DD_EINVAL;
    *version = (int)v;
    return DD_OK;
}

static const char *
kind_name(enum dd_db_kind kind)
{
    return kind == DD_DB_SQLITE ? "SQLite" : "PostgreSQL";
}

static int
by_version(const void *a, const void *b)
{
    const struct dd_migration *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

/* Texts found for one version while building. */
struct found {
    const char *text[3]; /* by enum variant */
};

/* Finds or adds the entry for a version; DD_EINVAL if the version already has another name. */
static int
entry_for(struct dd_migration_list *list, struct found *found, int version, const char *name,
          size_t *at, char *err, size_t errlen)
{
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].version != version)
            continue;
        if (strcmp(list->items[i].name, name) != 0) {
            snprintf(err, errlen, "migrations %s and %s have the same version number",
                     list->items[i].name, name);
            return DD_EINVAL;
        }
        *at = i;
        return DD_OK;
    }
    *at = list->count++;
    list->items[*at].version = version;
    dd_strlcpy(list->items[*at].name, name, sizeof list->items[*at].name);
    memset(&found[*at], 0, sizeof found[*at]);
    return DD_OK;
}

int
dd_migration_list_build(struct dd_migration_list *list, enum dd_db_kind kind,
                        const struct dd_migration_file *files, size_t nfiles, char *err,
                        size_t errlen)
{
    memset(list, 0, sizeof *list);
    list->kind = kind;
    list->items = dd_xcalloc(nfiles, sizeof *list->items);
    struct found *found = dd_xcalloc(nfiles, sizeof *found);
    int rc = DD_OK;
    for (size_t f = 0; f < nfiles && rc == DD_OK; f++) {
        int version = 0;
        char name[64];
        enum variant variant;
        int parsed = parse_file_name(files[f].path, &version, name, &variant);
        if (parsed == 1)
            continue;
        if (parsed != DD_OK) {
            snprintf(err, errlen,
                     "%s is not a migration name: use NNNN_name.sql, NNNN_name.sqlite.sql or "
                     "NNNN_name.pg.sql with lower-case letters, digits and _",
                     files[f].path);
            rc = DD_EINVAL;
            break;
        }
        size_t at = 0;
        rc = entry_for(list, found, version, name, &at, err, errlen);
        if (rc == DD_OK && found[at].text[variant] != NULL) {
            snprintf(err, errlen, "the migration file %s is given twice", files[f].path);
            rc = DD_EINVAL;
        }
        if (rc == DD_OK)
            found[at].text[variant] = files[f].sql;
    }
    enum variant mine = kind == DD_DB_SQLITE ? VARIANT_SQLITE : VARIANT_PG;
    for (size_t i = 0; i < list->count && rc == DD_OK; i++) {
        struct dd_migration *m = &list->items[i];
        m->sql = found[i].text[mine] ? found[i].text[mine] : found[i].text[VARIANT_COMMON];
        if (m->sql == NULL) {
            snprintf(err, errlen, "migration %s has no text for %s: add %s.sql or %s.%s.sql",
                     m->name, kind_name(kind), m->name, m->name,
                     kind == DD_DB_SQLITE ? "sqlite" : "pg");
            rc = DD_EINVAL;
            break;
        }
        dd_sha256_hex(m->sql, strlen(m->sql), m->checksum);
    }
    free(found);
    if (rc != DD_OK) {
        dd_migration_list_free(list);
        return rc;
    }
    qsort(list->items, list->count, sizeof *list->items, by_version);
    return DD_OK;
}

int
dd_migration_list_embedded(struct dd_migration_list *list, enum dd_db_kind kind, char *err,
                           size_t errlen)
{
    struct dd_migration_file *files = dd_xcalloc(dd_embedded_count, sizeof *files);
    size_t n = 0;
    for (size_t i = 0; i < dd_embedded_count; i++) {
        if (!dd_str_has_prefix(dd_embedded_files[i].path, "migrations/"))
            continue;
        files[n].path = dd_embedded_files[i].path;
        files[n].sql = (const char *)dd_embedded_files[i].data;
        n++;
    }
    int rc = dd_migration_list_build(list, kind, files, n, err, errlen);
    free(files);
    return rc;
}

void
dd_migration_list_free(struct dd_migration_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

static const struct dd_migration *
find_version(const struct dd_migration_list *list, int64_t version)
{
    size_t lo = 0, hi = list->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (list->items[mid].version == version)
            return &list->items[mid];
        if (list->items[mid].version < version)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Runs one statement with at most one text parameter, ignoring any rows. */
static int
run1(struct dd_db *db, const char *sql, const char *param)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    if (param)
        rc = dd_stmt_bind_text(st, 1, param);
    if (rc == DD_OK) {
        do
            rc = dd_stmt_step(st);
        while (rc == DD_DB_ROW);
    }
    dd_stmt_reset(st);
    return rc;
}

/* Takes the runner's lock inside the open transaction. On PostgreSQL the wait for another runner
 * is unbounded, while the migration's own statements keep the session's lock_timeout so that DDL
 * does not queue behind a busy table forever; statement_timeout is lifted for long migrations. */
static int
take_lock(struct dd_db *db)
{
    if (dd_db_kind(db) == DD_DB_SQLITE)
        return DD_OK; /* BEGIN IMMEDIATE already holds the database's write lock */
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, "SELECT current_setting('lock_timeout')", &st);
    if (rc != DD_OK)
        return rc;
    char saved[64] = "0";
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        dd_strlcpy(saved, dd_stmt_text(st, 0) ? dd_stmt_text(st, 0) : "0", sizeof saved);
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    rc = dd_db_exec(db, "SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0; "
                        "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")");
    if (rc == DD_OK)
        rc = run1(db, "SELECT set_config('lock_timeout', ?, true)", saved);
    return rc;
}

/* Checks what the database recorded against the list; marks applied[i] for list->items[i] and
 * sets *newest to the highest applied version. */
static int
check_recorded(struct dd_db *db, const struct dd_migration_list *list, bool *applied,
               int64_t *newest, char *err, size_t errlen)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db,
                           "SELECT version, name, checksum FROM schema_migrations ORDER BY "
                           "version",
                           &st);
    if (rc != DD_OK) {
        snprintf(err, errlen, "cannot read schema_migrations: %s", dd_db_errmsg(db));
        return rc;
    }
    *newest = 0;
    int verdict = DD_OK;
    while (verdict == DD_OK && (rc = dd_stmt_step(st)) == DD_DB_ROW) {
        int64_t version = dd_stmt_int64(st, 0);
        const char *name = dd_stmt_text(st, 1);
        const char *sum = dd_stmt_text(st, 2);
        const struct dd_migration *m = find_version(list, version);
        if (m == NULL) {
            snprintf(err, errlen,
                     "the database has migration %s, which this build does not know: it was "
                     "migrated by a newer dinhdanh",
                     name ? name : "?");
            verdict = DD_ECONFLICT;
        } else if (sum == NULL || strcmp(sum, m->checksum) != 0) {
            snprintf(err, errlen,
                     "migration %s was changed after it was applied: checksum %s in the "
                     "database, %s in this build",
                     m->name, sum ? sum : "(none)", m->checksum);
            verdict = DD_ECHECKSUM;
        } else {
            applied[m - list->items] = true;
            *newest = version;
        }
    }
    dd_stmt_reset(st);
    if (verdict != DD_OK)
        return verdict;
    if (rc != DD_DB_DONE) {
        snprintf(err, errlen, "cannot read schema_migrations: %s", dd_db_errmsg(db));
        return rc;
    }
    return DD_OK;
}

static int
record(struct dd_db *db, const struct dd_migration *m)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db,
                           "INSERT INTO schema_migrations (version, name, checksum, "
                           "applied_at) VALUES (?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    dd_stmt_bind_int64(st, 1, m->version);
    dd_stmt_bind_text(st, 2, m->name);
    dd_stmt_bind_text(st, 3, m->checksum);
    dd_stmt_bind_text(st, 4, now);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

/* One round: lock, check, apply the lowest pending migration. Sets *applied_one to it (or NULL
 * when there was nothing to do). Leaves the transaction open on success for the caller to
 * commit. */
static int
round_apply(struct dd_db *db, const struct dd_migration_list *list, bool *applied,
            const struct dd_migration **applied_one, char *err, size_t errlen)
{
    *applied_one = NULL;
    int rc = take_lock(db);
    if (rc == DD_OK)
        rc = dd_db_exec(db, CREATE_TABLE);
    if (rc != DD_OK) {
        snprintf(err, errlen, "cannot lock or create schema_migrations: %s", dd_db_errmsg(db));
        return rc;
    }
    memset(applied, 0, list->count * sizeof *applied);
    int64_t newest = 0;
    rc = check_recorded(db, list, applied, &newest, err, errlen);
    if (rc != DD_OK)
        return rc;
    const struct dd_migration *m = NULL;
    for (size_t i = 0; i < list->count && m == NULL; i++)
        if (!applied[i])
            m = &list->items[i];
    if (m == NULL)
        return DD_OK;
    if (m->version < newest) {
        const struct dd_migration *last = find_version(list, newest);
        snprintf(err, errlen,
                 "migration %s is older than %s, which is already applied: give it a number "
                 "after the newest migration",
                 m->name, last ? last->name : "?");
        return DD_ECONFLICT;
    }
    rc = dd_db_exec(db, m->sql);
    if (rc == DD_OK)
        rc = record(db, m);
    if (rc != DD_OK) {
        snprintf(err, errlen, "migration %s failed: %s", m->name, dd_db_errmsg(db));
        return rc;
    }
    *applied_one = m;
    return DD_OK;
}

int
dd_migrate(struct dd_db *db, const struct dd_migration_list *list, dd_migrate_progress_fn progress,
           void *arg, char *err, size_t errlen)
{
    if (list->kind != dd_db_kind(db)) {
        snprintf(err, errlen, "the migration list was built for %s, the database is %s",
                 kind_name(list->kind), kind_name(dd_db_kind(db)));
        return DD_EINVAL;
    }
    bool *applied = dd_xcalloc(list->count, sizeof *applied);
    int rc = DD_OK;
    for (;;) {
        int64_t start = dd_clock_mono_ns();
        rc = dd_db_begin(db);
        if (rc != DD_OK) {
            snprintf(err, errlen, "cannot start a transaction: %s", dd_db_errmsg(db));
            break;
        }
        const struct dd_migration *m = NULL;
        rc = round_apply(db, list, applied, &m, err, errlen);
        if (rc != DD_OK) {
            dd_db_rollback(db);
            break;
        }
        rc = dd_db_commit(db);
        if (rc != DD_OK) {
            snprintf(err, errlen, "%s%s could not be committed: %s", m ? "migration " : "",
                     m ? m->name : "the migration check", dd_db_errmsg(db));
            break;
        }
        if (m == NULL)
            break;
        if (progress)
            progress(m, (dd_clock_mono_ns() - start) / 1000000, arg);
    }
    free(applied);
    return rc;
}

int
dd_migrate_embedded(struct dd_db *db, dd_migrate_progress_fn progress, void *arg, char *err,
                    size_t errlen)
{
    struct dd_migration_list list;
    int rc = dd_migration_list_embedded(&list, dd_db_kind(db), err, errlen);
    if (rc != DD_OK)
        return rc;
    rc = dd_migrate(db, &list, progress, arg, err, errlen);
    dd_migration_list_free(&list);
    return rc;
}

static int
table_exists(struct dd_db *db, bool *exists)
{
    const char *sql = dd_db_kind(db) == DD_DB_SQLITE
                          ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                            "'schema_migrations'"
                          : "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                            "current_schema() AND tablename = 'schema_migrations'";
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    rc = dd_stmt_step(st);
    *exists = rc == DD_DB_ROW && dd_stmt_int64(st, 0) > 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
by_status_version(const void *a, const void *b)
{
    const struct dd_migration_status *x = a, *y = b;
    return (x->version > y->version) - (x->version < y->version);
}

/* Adds the recorded rows to the status array (already holding the list, all pending). */
static int
read_recorded(struct dd_db *db, const struct dd_migration_list *list,
              struct dd_migration_status **out, size_t *count)
{
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db,
                           "SELECT version, name, checksum, applied_at FROM schema_migrations "
                           "ORDER BY version",
                           &st);
    if (rc != DD_OK)
        return rc;
    size_t cap = *count;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        int64_t version = dd_stmt_int64(st, 0);
        const struct dd_migration *m = find_version(list, version);
        struct dd_migration_status *s;
        if (m) {
            s = &(*out)[m - list->items];
        } else {
            if (*count == cap) {
                cap = cap ? cap * 2 : 8;
                *out = dd_xrealloc(*out, cap * sizeof **out);
            }
            s = &(*out)[(*count)++];
            memset(s, 0, sizeof *s);
            s->version = (int)version;
            s->unknown = true;
            dd_strlcpy(s->name, dd_stmt_text(st, 1) ? dd_stmt_text(st, 1) : "?", sizeof s->name);
        }
        const char *sum = dd_stmt_text(st, 2);
        s->applied = true;
        s->changed = m && (sum == NULL || strcmp(sum, m->checksum) != 0);
        const char *at = dd_stmt_text(st, 3);
        dd_strlcpy(s->applied_at, at ? at : "", sizeof s->applied_at);
    }
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

int
dd_migrate_status(struct dd_db *db, const struct dd_migration_list *list,
                  struct dd_migration_status **out, size_t *count, char *err, size_t errlen)
{
    *out = dd_xcalloc(list->count ? list->count : 1, sizeof **out);
    *count = list->count;
    for (size_t i = 0; i < list->count; i++) {
        (*out)[i].version = list->items[i].version;
        dd_strlcpy((*out)[i].name, list->items[i].name, sizeof(*out)[i].name);
    }
    bool exists = false;
    int rc = table_exists(db, &exists);
    if (rc == DD_OK && exists)
        rc = read_recorded(db, list, out, count);
    if (rc != DD_OK) {
        snprintf(err, errlen, "cannot read schema_migrations: %s", dd_db_errmsg(db));
        free(*out);
        *out = NULL;
        *count = 0;
        return rc;
    }
    qsort(*out, *count, sizeof **out, by_status_version);
    return DD_OK;
}
