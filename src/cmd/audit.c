/*
 * audit.c — `dinhdanh audit verify`: walk the audit log's hash chain and say whether it holds.
 * Exit 0 when intact, 1 when a row was altered, inserted or deleted (or the log can't be read).
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "core/audit.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh audit verify [--db URL]\n"
           "Recomputes every row's SHA-256 link and prints 'OK: N rows verified', or\n"
           "'BROKEN at row ID: reason' and exits 1.\n\n");
    dd_cmd_print_settings();
}

int
dd_cmd_audit(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 1, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    if (args.npositional != 1 || strcmp(args.positional[0], "verify") != 0) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh audit verify [--db URL]\n");
        return DD_EXIT_USAGE;
    }
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    struct dd_audit_report report;
    rc = dd_audit_verify(db, &report);
    dd_db_close(db);
    if (rc == DD_OK && report.ok) {
        printf("OK: %lld rows verified\n", (long long)report.rows);
        return DD_EXIT_OK;
    }
    if (rc == DD_ECHECKSUM) {
        printf("BROKEN at row %lld: %s\n", (long long)report.bad_id, report.reason);
        return DD_EXIT_FAIL;
    }
    fprintf(stderr, "dinhdanh: cannot read the audit log: %s\n", report.reason);
    return DD_EXIT_FAIL;
}
