/*
 * migrate.c — `dinhdanh migrate`: bring the database schema up to date, or list migrations.
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

static void
help(void)
{
    printf("Usage: dinhdanh migrate [--status] [--db URL]\n"
           "Applies pending migrations in order, each in its own transaction.\n"
           "  --status   list every migration as applied or pending, and change nothing\n\n");
    dd_cmd_print_settings();
}

static void
print_applied(const struct dd_migration *m, int64_t elapsed_ms, void *arg)
{
    (void)arg;
    printf("applied %s (%lld ms)\n", m->name, (long long)elapsed_ms);
}

static int
print_status(struct dd_db *db)
{
    char err[700];
    struct dd_migration_list list;
    if (dd_migration_list_embedded(&list, dd_db_kind(db), err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    struct dd_migration_status *rows = NULL;
    size_t n = 0;
    int rc = dd_migrate_status(db, &list, &rows, &n, err, sizeof err);
    dd_migration_list_free(&list);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    int problems = 0;
    for (size_t i = 0; i < n; i++) {
        const char *state = rows[i].unknown   ? "unknown to this build"
                            : rows[i].changed ? "CHANGED since applied"
                            : rows[i].applied ? "applied"
                                              : "pending";
        problems += rows[i].unknown || rows[i].changed;
        printf("%04d  %-32s %-22s %s\n", rows[i].version, rows[i].name, state, rows[i].applied_at);
    }
    free(rows);
    return problems ? DD_EXIT_FAIL : DD_EXIT_OK;
}

int
dd_cmd_migrate(int argc, char **argv)
{
    bool status = false;
    const struct dd_cmd_switch switches[] = {{"status", &status}, {NULL, NULL}};
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, switches, 0, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    if (status) {
        rc = print_status(db);
    } else {
        char err[700];
        rc = dd_migrate_embedded(db, print_applied, NULL, err, sizeof err) == DD_OK ? DD_EXIT_OK
                                                                                    : DD_EXIT_FAIL;
        if (rc == DD_EXIT_OK)
            printf("database is up to date\n");
        else
            fprintf(stderr, "dinhdanh: %s\n", err);
    }
    dd_db_close(db);
    return rc;
}
