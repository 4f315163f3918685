/*
 * insight.c — `dinhdanh insight rebuild` computes the leaders' dashboards' aggregate tables from
 * scratch in one transaction (core/insight/rebuild.c) and prints what they hold and how long it
 * took; the `insight` event consumer then goes on from the newest event included. `dinhdanh
 * insight areas FILE` loads the communes' areas for the population density (core/insight/areas.c).
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "core/insight/insight.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh insight rebuild [--db URL]\n"
           "       dinhdanh insight areas FILE [--db URL]\n"
           "rebuild  applies pending migrations, then empties the dashboards' aggregate tables\n"
           "         and computes them again from the register, the labour records, the stays'\n"
           "         figures and the events, in one transaction (on PostgreSQL new events wait\n"
           "         for it). Prints the newest event included, the living people counted and\n"
           "         the time taken.\n"
           "areas    replaces the communes' areas (for the population density) with those of\n"
           "         FILE, a CSV: a header, then province_code,commune_code,area_km2,source.\n\n");
    dd_cmd_print_settings();
}

static int
load_areas(struct dd_cmd_args *args, const char *path)
{
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        fprintf(stderr, "dinhdanh: cannot open %s\n", path);
        return DD_EXIT_FAIL;
    }
    struct dd_db *db;
    if (dd_cmd_open_migrated_db(&args->cfg, &db) != DD_EXIT_OK) {
        fclose(in);
        return DD_EXIT_FAIL;
    }
    char err[256] = "";
    int64_t rows = 0;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_insight_areas_load(db, in, &rows, err, sizeof err);
    fclose(in);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    else
        dd_db_rollback(db);
    if (rc == DD_OK)
        printf("%lld communes' areas stored\n", (long long)rows);
    return dd_cmd_finish(db, rc, err[0] ? err : dd_db_errmsg(db));
}

int
dd_cmd_insight(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 2, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    bool areas = args.npositional == 2 && strcmp(args.positional[0], "areas") == 0;
    if (!areas && (args.npositional != 1 || strcmp(args.positional[0], "rebuild") != 0)) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh insight rebuild|areas FILE (see --help)\n");
        return DD_EXIT_USAGE;
    }
    if (areas)
        return load_areas(&args, args.positional[1]);
    struct dd_db *db;
    if (dd_cmd_open_migrated_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    struct dd_insight_rebuild_report rep = {0};
    if (dd_db_kind(db) == DD_DB_SQLITE) {
        /* computed in a snapshot, stored in a short transaction: a serving instance's writers
         * wait only for the storing */
        rc = dd_insight_rebuild_staged(db, &rep);
    } else {
        rc = dd_db_begin(db);
        if (rc == DD_OK)
            rc = dd_insight_rebuild(db, &rep);
        if (rc == DD_OK)
            rc = dd_db_commit(db);
        else
            dd_db_rollback(db);
    }
    if (rc == DD_OK)
        printf("rebuilt up to event %lld: %lld living people counted (%lld ms)\n",
               (long long)rep.watermark, (long long)rep.people, (long long)rep.elapsed_ms);
    return dd_cmd_finish(db, rc, dd_db_errmsg(db));
}
