/*
 * migrate.h — versioned schema changes, applied in order, each in its own transaction.
 *
 * A migration is a file `NNNN_name.sql` of portable SQL. A file `NNNN_name.sqlite.sql` or
 * `NNNN_name.pg.sql` replaces it for that backend (a migration may also exist only as the two
 * variants). Applied migrations are recorded in `schema_migrations(version, name, checksum,
 * applied_at)` with the SHA-256 of the text that ran. The runner refuses to go on when a recorded
 * migration's text has changed since (DD_ECHECKSUM), when the database holds a version this build
 * does not know (DD_ECONFLICT: a newer dinhdanh migrated it), or when a new migration is older
 * than one already applied (DD_ECONFLICT). Several runners at once are safe: each migration is
 * applied under a lock (PostgreSQL: an advisory transaction lock; SQLite: BEGIN IMMEDIATE) and
 * the state is read again under it. Migration text must not contain BEGIN or COMMIT.
 */
#ifndef DD_STORE_MIGRATE_H
#define DD_STORE_MIGRATE_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One file of migration text: a path ending in the file name ("migrations/0001_core.sql" or
 * "0001_core.pg.sql"; the folder is ignored) and its NUL-terminated text. */
struct dd_migration_file {
    const char *path;
    const char *sql;
};

/* One migration as it applies to one backend. */
struct dd_migration {
    int version;       /* NNNN */
    char name[64];     /* "0001_core" */
    const char *sql;   /* the text for the list's backend; owned by whoever owns the files */
    char checksum[65]; /* SHA-256 of sql, hex */
};

struct dd_migration_list {
    enum dd_db_kind kind;
    struct dd_migration *items; /* in version order */
    size_t count;
};

/* Builds the list of migrations for a backend from `files`. Files whose name does not end in
 * ".sql" are skipped. DD_EINVAL, with a sentence in err, for a .sql file not named
 * NNNN_name[.sqlite|.pg].sql, two names for one version, the same file twice, or a migration
 * without text for this backend. Release with dd_migration_list_free. */
int dd_migration_list_build(struct dd_migration_list *list, enum dd_db_kind kind,
                            const struct dd_migration_file *files, size_t nfiles, char *err,
                            size_t errlen);

/* The same, from the migrations/ files built into the binary. */
int dd_migration_list_embedded(struct dd_migration_list *list, enum dd_db_kind kind, char *err,
                               size_t errlen);

void dd_migration_list_free(struct dd_migration_list *list);

/* Called after each migration is committed, e.g. to print "applied 0001_core (12 ms)". */
typedef void (*dd_migrate_progress_fn)(const struct dd_migration *m, int64_t elapsed_ms, void *arg);

/* Applies the pending migrations of `list` in version order. DD_OK when the database is up to
 * date (nothing to do included). On failure nothing of the failing migration remains, the ones
 * before it stay applied, and err holds a sentence naming the migration. Needs a connection with
 * no open transaction; the list must be built for the connection's backend. */
int dd_migrate(struct dd_db *db, const struct dd_migration_list *list,
               dd_migrate_progress_fn progress, void *arg, char *err, size_t errlen);

/* dd_migrate with the migrations built into the binary, for the connection's backend: what
 * `dinhdanh serve` and `dinhdanh migrate` run. */
int dd_migrate_embedded(struct dd_db *db, dd_migrate_progress_fn progress, void *arg, char *err,
                        size_t errlen);

struct dd_migration_status {
    int version;
    char name[64];
    bool applied;
    bool changed;        /* applied, but its text in this build differs from the one applied */
    bool unknown;        /* applied, but not in this build */
    char applied_at[32]; /* ISO 8601 UTC, or "" if pending */
};

/* Lists every migration of `list` and every one recorded in the database, in version order, into
 * a new array (*out, released with free()). Reads only: a database never migrated shows all as
 * pending. */
int dd_migrate_status(struct dd_db *db, const struct dd_migration_list *list,
                      struct dd_migration_status **out, size_t *count, char *err, size_t errlen);

#endif
