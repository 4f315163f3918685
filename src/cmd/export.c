/*
 * export.c — `dinhdanh export people [--province P] [--commune C] [--out FILE]`: writes the
 * people of the register (or of one province or commune of permanent residence) as CSV in the
 * format `dinhdanh import people` reads, and records the export in the audit log.
 */
#include "base/buf.h"
#include "base/err.h"
#include "cmd/cmd.h"
#include "core/audit.h"
#include "core/events.h"
#include "core/people_csv/export.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
help(void)
{
    printf("Usage: dinhdanh export people [--province PP] [--commune CCCCC] [--out FILE]\n"
           "                              [--db URL]\n"
           "Writes people as CSV (docs/people-csv.md), one row per person in order of ID\n"
           "number, to FILE or to standard output: everyone, or those whose permanent\n"
           "residence is in province PP and/or commune CCCCC. The export is recorded in the\n"
           "audit log. The output imports back with 'dinhdanh import people'.\n\n");
    dd_cmd_print_settings();
}

struct options {
    const char *province;
    const char *commune;
    const char *out;
};

static int
audit(struct dd_db *db, const struct options *o, int64_t rows)
{
    char storage[512];
    struct dd_buf b;
    dd_buf_init_fixed(&b, storage, sizeof storage);
    dd_buf_printf(&b, "{\"province\":\"%s\",\"commune\":\"%s\",\"rows\":%lld,\"to\":\"",
                  o->province ? o->province : "", o->commune ? o->commune : "", (long long)rows);
    dd_buf_json_escape(&b, o->out ? o->out : "-");
    dd_buf_puts(&b, "\"}");
    struct dd_audit_entry e = {
        .actor = dd_cmd_operator(),
        .action = "register.export",
        .object = "people",
        .detail = b.data,
    };
    /* The audit row and, for the security operations centre, the event export.bulk. */
    char event[700];
    struct dd_buf ev;
    dd_buf_init_fixed(&ev, event, sizeof event);
    dd_buf_puts(&ev, "{\"actor\":\"");
    dd_buf_json_escape(&ev, dd_cmd_operator());
    dd_buf_printf(&ev, "\",\"rows\":%lld,\"what\":\"people\"}", (long long)rows);
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_audit_append(db, &e);
    if (rc == DD_OK)
        rc = dd_event_emit(db, "export.bulk", "people", event);
    if (rc == DD_OK)
        return dd_db_commit(db);
    if (dd_db_in_transaction(db))
        dd_db_rollback(db);
    return rc;
}

static int
export_people(const struct dd_cmd_args *args, const struct options *o)
{
    struct dd_db *db;
    if (dd_cmd_open_db(&args->cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700] = "";
    int rc = dd_migrate_embedded(db, NULL, NULL, err, sizeof err);
    FILE *out = stdout;
    if (rc == DD_OK && o->out && (out = fopen(o->out, "w")) == NULL) {
        snprintf(err, sizeof err, "cannot write %s", o->out);
        rc = DD_EIO;
    }
    int64_t rows = 0;
    struct dd_people_export_filter f = {.province = o->province, .commune = o->commune};
    if (rc == DD_OK)
        rc = dd_people_export_csv(db, &f, out, &rows, err, sizeof err);
    if (out && out != stdout && fclose(out) != 0 && rc == DD_OK) {
        snprintf(err, sizeof err, "cannot write %s", o->out);
        rc = DD_EIO;
    }
    if (rc == DD_OK && audit(db, o, rows) != DD_OK) {
        snprintf(err, sizeof err, "cannot record the export in the audit log: %s",
                 dd_db_errmsg(db));
        rc = DD_EDB;
    }
    dd_db_close(db);
    if (rc != DD_OK) {
        if (o->out && out != NULL)
            unlink(o->out);
        fprintf(stderr, "dinhdanh: export failed: %s\n", err);
        return rc == DD_EINVAL ? DD_EXIT_USAGE : DD_EXIT_FAIL;
    }
    fprintf(stderr, "exported %lld people%s%s\n", (long long)rows, o->out ? " to " : "",
            o->out ? o->out : "");
    return DD_EXIT_OK;
}

int
dd_cmd_export(int argc, char **argv)
{
    struct options o = {0};
    const struct dd_cmd_value values[] = {
        {"--province", &o.province}, {"--commune", &o.commune}, {"--out", &o.out}, {NULL, NULL}};
    int rc = dd_cmd_take_values(&argc, argv, values);
    if (rc != DD_EXIT_OK)
        return rc;
    struct dd_cmd_args args;
    rc = dd_cmd_parse(argc, argv, NULL, 1, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    if (args.npositional != 1 || strcmp(args.positional[0], "people") != 0) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh export people [--province PP] "
                        "[--commune CCCCC] [--out FILE]\n");
        return DD_EXIT_USAGE;
    }
    return export_people(&args, &o);
}
