/*
 * lgsp.c — `dinhdanh lgsp log verify`: walk the data-sharing gateway's exchange log (hash chain,
 * sequence, signed batches, head) and say whether it holds. Exit 0 when intact, 1 when a row
 * was altered, removed or added, or a batch's signature is not the gateway's key's.
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "lgsp/lgsp.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh lgsp log verify [--db URL] [--data-dir DIR]\n"
           "Recomputes every exchange's SHA-256 link and checks each signed batch against the\n"
           "gateway's key (DATA_DIR/lgsp-signing.key). Prints 'OK: N exchanges, M batches\n"
           "verified', or 'BROKEN at exchange SEQ: reason' and exits 1.\n\n");
    dd_cmd_print_settings();
}

int
dd_cmd_lgsp(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 2, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    if (args.npositional != 2 || strcmp(args.positional[0], "log") != 0 ||
        strcmp(args.positional[1], "verify") != 0) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh lgsp log verify [--db URL]\n");
        return DD_EXIT_USAGE;
    }
    char pk[65];
    rc = dd_lgsp_public_key(args.cfg.data_dir, pk);
    if (rc == DD_EIO) {
        fprintf(stderr, "dinhdanh: cannot read %s/lgsp-signing.key\n", args.cfg.data_dir);
        return DD_EXIT_FAIL;
    }
    if (rc == DD_ENOTFOUND)
        fprintf(stderr,
                "dinhdanh: no gateway key in %s: signatures are checked against the key "
                "each batch names (integrity only)\n",
                args.cfg.data_dir);
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    struct dd_lgsp_verify_report report;
    rc = dd_lgsp_log_verify(db, rc == DD_OK ? pk : NULL, &report);
    dd_db_close(db);
    if (rc == DD_OK) {
        printf("OK: %lld exchanges, %lld batches verified\n", (long long)report.rows,
               (long long)report.batches);
        return DD_EXIT_OK;
    }
    if (rc == DD_ECHECKSUM) {
        printf("BROKEN at exchange %lld: %s\n", (long long)report.bad_seq, report.reason);
        return DD_EXIT_FAIL;
    }
    fprintf(stderr, "dinhdanh: cannot read the exchange log: %s\n", report.reason);
    return DD_EXIT_FAIL;
}
