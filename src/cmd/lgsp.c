/*
 * lgsp.c — `dinhdanh lgsp log verify`: walk the data-sharing gateway's exchange log (hash chain,
 * sequence, signed batches, head) and say whether it holds. Exit 0 when intact, 1 when a row
 * was altered, removed or added, or a batch's signature is not the gateway's key's.
 * `dinhdanh lgsp publish-register`: the register's services in one step (lgsp/publish.c).
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "lgsp/lgsp.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh lgsp log verify [--db URL] [--data-dir DIR]\n"
           "Recomputes every exchange's SHA-256 link and checks each signed batch against the\n"
           "gateway's key (DATA_DIR/lgsp-signing.key). Prints 'OK: N exchanges, M batches\n"
           "verified', or 'BROKEN at exchange SEQ: reason' and exits 1.\n\n"
           "Usage: dinhdanh lgsp publish-register --upstream URL [--member CODE] [--name NAME]\n"
           "       [--officer LOGIN] [--province NN] [--db URL]\n"
           "Publishes the register (its API at URL, e.g. http://127.0.0.1:8080) as the services\n"
           "person, household and residence of VN/GOV/CODE/register (CODE: CA-KH), called with a\n"
           "token of the officer LOGIN (lgsp.register, role province-police in province NN: 56),\n"
           "made when missing. Idempotent: again, it renews the services' URL and token.\n\n");
    dd_cmd_print_settings();
}

static int
publish_register(int argc, char **argv)
{
    struct dd_lgsp_publish o = {"CA-KH", "Công an tỉnh — Cơ sở dữ liệu quốc gia về dân cư", NULL,
                                "lgsp.register", "56"};
    const struct dd_cmd_value values[] = {{"--upstream", &o.base_url}, {"--member", &o.member},
                                          {"--name", &o.member_name},  {"--officer", &o.officer},
                                          {"--province", &o.province}, {NULL, NULL}};
    int rc = dd_cmd_take_values(&argc, argv, values);
    if (rc != DD_EXIT_OK)
        return rc;
    struct dd_cmd_args args;
    rc = dd_cmd_parse(argc, argv, NULL, 1, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (o.base_url == NULL) {
        fprintf(stderr, "dinhdanh: lgsp publish-register needs --upstream URL\n");
        return DD_EXIT_USAGE;
    }
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700];
    rc = dd_migrate_embedded(db, NULL, NULL, err, sizeof err);
    if (rc == DD_OK)
        rc = dd_lgsp_publish_register(db, &o, err, sizeof err);
    dd_db_close(db);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return rc == DD_EINVAL ? DD_EXIT_USAGE : DD_EXIT_FAIL;
    }
    printf(
        "VN/GOV/%s/register/person\nVN/GOV/%s/register/household\nVN/GOV/%s/register/residence\n",
        o.member, o.member, o.member);
    return DD_EXIT_OK;
}

int
dd_cmd_lgsp(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "publish-register") == 0)
        return publish_register(argc, argv);
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
