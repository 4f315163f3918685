/*
 * load_sqlite.c — SQLite's settings for a people load, and the journal mode it runs in.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/people_csv/load_impl.h"
#include "core/register/person.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SQLITE_CACHE_KIB 262144L /* page cache while the rows go in: 256 MiB at most */
/* Pages read through a memory map while the load runs (SQLite clamps it to its own maximum,
 * 2 GiB in Debian's build): the scans of the index builds read the table without a pread and a
 * copy per page. */
#define SQLITE_MMAP_BYTES 4294967296LL

/* The text of the first column of a one-row query, or "" (errors are not reported). */
static void
quiet_text(struct dd_people_load *l, const char *sql, char *out, size_t outlen)
{
    struct dd_stmt *st;
    out[0] = '\0';
    if (dd_db_prepare(l->db, sql, &st) != DD_OK)
        return;
    if (dd_stmt_step(st) == DD_DB_ROW && dd_stmt_text(st, 0))
        dd_strlcpy(out, dd_stmt_text(st, 0), outlen);
    dd_stmt_reset(st);
}

/* When no other connection has the database open, the load takes it for itself: a rollback
 * journal instead of the WAL, and the file locked until the load ends. A transaction is as
 * atomic with a rollback journal as with the WAL (a crash leaves a journal that the next opener
 * plays back), and synchronous stays FULL; but the pages of a large load are then written once,
 * into the database, instead of into the WAL and again into the database at the checkpoint.
 * Leaving WAL mode needs exclusive access, so the attempt fails at once (busy timeout 0) when a
 * server or another command has the database open: the load then keeps the WAL and lets readers
 * go on. WAL mode comes back at the end of the load (or when the database is next opened). */
static void
sqlite_take_alone(struct dd_people_load *l)
{
    char timeout[32], mode[16], sql[64];
    quiet_text(l, "PRAGMA busy_timeout", timeout, sizeof timeout);
    dd_db_exec(l->db, "PRAGMA busy_timeout = 0");
    quiet_text(l, "PRAGMA journal_mode = DELETE", mode, sizeof mode);
    if (strcmp(mode, "delete") == 0)
        l->alone = dd_db_exec(l->db, "PRAGMA locking_mode = EXCLUSIVE") == DD_OK;
    int64_t ms = 0;
    if (dd_parse_int64(timeout, 0, INT32_MAX, &ms) == DD_OK) {
        snprintf(sql, sizeof sql, "PRAGMA busy_timeout = %lld", (long long)ms);
        dd_db_exec(l->db, sql);
    }
}

static void
sqlite_give_back(struct dd_people_load *l)
{
    if (!l->alone)
        return;
    l->alone = false;
    char mode[16];
    dd_db_exec(l->db, "PRAGMA locking_mode = NORMAL");
    quiet_text(l, "PRAGMA journal_mode = WAL", mode, sizeof mode);
    if (strcmp(mode, "wal") != 0)
        dd_log(DD_LOG_WARN, "import.journal",
               "the database stays in rollback-journal mode until it is next opened");
}

/* A page cache big enough to hold the index that grows row by row (the ID numbers of people), so
 * that its inserts never wait for a read; the tables' new pages
 * go out to the file as the cache fills, while the rows are still coming. A helper thread for
 * the sorts of the index builds. synchronous stays FULL: a lower setting would only spare fsyncs
 * at commit, which is exactly where durability is decided. */
int
dd_pl_sqlite_tune(struct dd_people_load *l)
{
    int64_t kib = 0;
    int rc = dd_pl_query_int(l, "PRAGMA cache_size", &kib);
    l->saved_cache_size = (long)kib;
    int64_t mmap_bytes = 0;
    if (rc == DD_OK)
        rc = dd_pl_query_int(l, "PRAGMA mmap_size", &mmap_bytes);
    l->saved_mmap_size = mmap_bytes;
    l->tuned = rc == DD_OK;
    char sql[160];
    snprintf(sql, sizeof sql,
             "PRAGMA cache_size = -%ld; PRAGMA threads = 2; PRAGMA mmap_size = %lld",
             SQLITE_CACHE_KIB, SQLITE_MMAP_BYTES);
    if (rc == DD_OK)
        rc = dd_db_exec(l->db, sql);
    if (rc == DD_OK)
        sqlite_take_alone(l);
    return rc == DD_OK ? DD_OK : dd_pl_db_failed(l, rc, "setting up SQLite for the load");
}

void
dd_pl_sqlite_untune(struct dd_people_load *l)
{
    sqlite_give_back(l);
    if (!l->tuned)
        return;
    char sql[160];
    snprintf(sql, sizeof sql,
             "PRAGMA cache_size = %ld; PRAGMA threads = 0; PRAGMA mmap_size = %lld",
             l->saved_cache_size, (long long)l->saved_mmap_size);
    dd_db_exec(l->db, sql);
}
