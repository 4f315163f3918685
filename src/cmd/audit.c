/*
 * audit.c — `dinhdanh audit verify`: walk the audit log's hash chain and say whether it holds;
 * a broken chain is also an event (audit.verify_failed) for the SOC.
 * Exit 0 when intact, 1 when a row was altered, inserted or deleted (or the log can't be read).
 */
#include "base/buf.h"
#include "base/err.h"
#include "cmd/cmd.h"
#include "core/audit.h"
#include "core/events.h"
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

/* The result as an event for the security operations centre (audit.verify_failed; an intact
 * chain is not an event), in a transaction of its own; a failure to write it is only reported. */
static void
record_result(struct dd_db *db, bool ok, const struct dd_audit_report *r)
{
    char payload[600];
    struct dd_buf b;
    dd_buf_init_fixed(&b, payload, sizeof payload);
    dd_buf_puts(&b, "{\"actor\":\"");
    dd_buf_json_escape(&b, dd_cmd_operator());
    dd_buf_printf(&b, "\",\"rows\":%lld,\"bad_id\":%lld,\"reason\":\"", (long long)r->rows,
                  (long long)(ok ? 0 : r->bad_id));
    dd_buf_json_escape(&b, ok ? "" : r->reason);
    dd_buf_puts(&b, "\"}");
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_event_emit(db, ok ? "audit.verified" : "audit.verify_failed", "audit-log", payload);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        fprintf(stderr, "dinhdanh: the result was not recorded as an event: %s\n", dd_strerror(rc));
    }
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
    if (rc == DD_ECHECKSUM)
        record_result(db, false, &report);
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
