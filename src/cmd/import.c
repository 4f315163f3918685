/*
 * import.c — `dinhdanh import people FILE.csv [--report FILE]`: loads people from a CSV file
 * (docs/people-csv.md) into the register, all rows or none. Every problem is printed with its
 * line (the first thousand; all of them go to the --report file), a progress line is kept up to
 * date on a terminal, and a summary ends the run. Exit 0 when stored, 1 when refused or failed.
 */
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "core/people_csv/export.h"
#include "core/people_csv/import.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PRINTED 1000

static void
help(void)
{
    printf("Usage: dinhdanh import people FILE.csv [--report FILE] [--db URL]\n"
           "Checks every row of FILE.csv (format: docs/people-csv.md) and stores them all in\n"
           "one transaction, or none if any row is wrong. Problems are printed with their line\n"
           "number and field (errors refuse the file, warnings do not).\n"
           "  --report FILE   also write every problem to FILE as CSV:\n"
           "                  line,id_number,field,code,severity,message_vi,message_en\n"
           "Messages are in Vietnamese when LANG starts with vi, in English otherwise.\n"
           "Exit status: 0 stored, 1 refused (nothing stored) or failed, 2 wrong usage.\n\n");
    dd_cmd_print_settings();
}

struct run {
    FILE *report;
    bool report_failed;
    bool vietnamese;
    bool tty;
    bool progress_shown;
    int64_t printed;
    int64_t unprinted;
    int64_t start_ns;
    int64_t last_progress_ns;
};

static void
clear_progress(struct run *r)
{
    if (r->progress_shown) {
        fputs("\r\033[K", stderr);
        r->progress_shown = false;
    }
}

static void
write_report(struct run *r, long line, const char *id, const struct dd_person_issue *is)
{
    struct dd_buf b;
    char storage[1024];
    dd_buf_init_fixed(&b, storage, sizeof storage);
    dd_buf_printf(&b, "%ld,", line);
    dd_csv_put_field(&b, id, strlen(id));
    dd_buf_putc(&b, ',');
    dd_csv_put_field(&b, is->field, strlen(is->field));
    dd_buf_printf(&b, ",%s,%s,", is->code, is->warning ? "warning" : "error");
    dd_csv_put_field(&b, is->message_vi, strlen(is->message_vi));
    dd_buf_putc(&b, ',');
    dd_csv_put_field(&b, is->message_en, strlen(is->message_en));
    dd_buf_puts(&b, "\r\n");
    if (fwrite(b.data, 1, b.len, r->report) != b.len)
        r->report_failed = true;
}

static void
on_issue(void *arg, long line, const char *id, const struct dd_person_issue *is)
{
    struct run *r = arg;
    if (r->report)
        write_report(r, line, id, is);
    if (r->printed >= MAX_PRINTED) {
        r->unprinted++;
        return;
    }
    r->printed++;
    clear_progress(r);
    fprintf(stderr, "line %ld: %s%s%s%s (%s): %s\n", line, is->warning ? "warning: " : "",
            is->field[0] ? is->field : "row", id[0] ? " of " : "", id, is->code,
            r->vietnamese ? is->message_vi : is->message_en);
}

static void
on_phase(void *arg, const char *what)
{
    struct run *r = arg;
    if (!r->tty)
        return;
    clear_progress(r);
    fprintf(stderr, "  %s…", what);
    r->progress_shown = true;
}

static void
on_progress(void *arg, int64_t rows, uint64_t bytes, uint64_t total)
{
    struct run *r = arg;
    int64_t now = dd_clock_mono_ns();
    if (!r->tty || now - r->last_progress_ns < 200000000)
        return;
    r->last_progress_ns = now;
    double secs = (double)(now - r->start_ns) / 1e9;
    clear_progress(r);
    fprintf(stderr, "  %lld rows", (long long)rows);
    if (total > 0)
        fprintf(stderr, "  %3.0f%%", 100.0 * (double)bytes / (double)total);
    if (secs > 0)
        fprintf(stderr, "  %.0f rows/s", (double)rows / secs);
    r->progress_shown = true;
}

static void
summary(struct run *r, const char *file, int rc, const struct dd_people_load_result *res)
{
    clear_progress(r);
    double secs = (double)(dd_clock_mono_ns() - r->start_ns) / 1e9;
    if (r->unprinted > 0)
        fprintf(stderr, "… and %lld more problems not shown%s\n", (long long)r->unprinted,
                r->report ? " (all are in the report)" : " (use --report FILE to see all)");
    if (rc == DD_OK) {
        printf("imported %lld people and %lld new households from %s in %.1f s (%.0f rows/s); "
               "%lld warnings\n",
               (long long)res->stored, (long long)res->households, file, secs,
               secs > 0 ? (double)res->rows / secs : 0.0, (long long)res->warnings);
    } else if (rc == DD_EINVAL && res->rows == 0) {
        printf("nothing imported from %s: its header is wrong (%lld errors)\n", file,
               (long long)res->errors);
    } else if (rc == DD_EINVAL) {
        printf("nothing imported from %s: %lld of %lld rows have errors (%lld errors, %lld "
               "warnings)\n",
               file, (long long)res->bad_rows, (long long)res->rows, (long long)res->errors,
               (long long)res->warnings);
    } else {
        fprintf(stderr, "dinhdanh: import failed, nothing stored: %s\n", res->message);
    }
}

static bool
lang_is_vietnamese(void)
{
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && v[0])
            return strncmp(v, "vi", 2) == 0;
    }
    return false;
}

static int
prepare_db(struct dd_db *db)
{
    char err[700];
    int rc = dd_migrate_embedded(db, NULL, NULL, err, sizeof err);
    if (rc != DD_OK)
        fprintf(stderr, "dinhdanh: %s\n", err);
    return rc;
}

static int
open_report(struct run *r, const char *report)
{
    if (report == NULL)
        return DD_OK;
    r->report = fopen(report, "w");
    if (r->report == NULL) {
        fprintf(stderr, "dinhdanh: cannot write %s\n", report);
        return DD_EIO;
    }
    fputs("line,id_number,field,code,severity,message_vi,message_en\r\n", r->report);
    return DD_OK;
}

static void
close_report(struct run *r, const char *report)
{
    if (r->report && (fclose(r->report) != 0 || r->report_failed))
        fprintf(stderr, "dinhdanh: the report %s could not be written in full\n", report);
}

static int
import_file(const struct dd_cmd_args *args, const char *file, const char *report)
{
    struct run r = {.vietnamese = lang_is_vietnamese(), .tty = isatty(STDERR_FILENO) == 1};
    if (open_report(&r, report) != DD_OK)
        return DD_EXIT_FAIL;
    struct dd_db *db = NULL;
    int rc = dd_cmd_open_db(&args->cfg, &db) == DD_EXIT_OK ? prepare_db(db) : DD_EUNAVAIL;
    bool ran = rc == DD_OK;
    struct dd_people_load_result res;
    if (ran) {
        r.start_ns = dd_clock_mono_ns();
        struct dd_people_import_options opt = {
            .path = file,
            .audit_actor = dd_cmd_operator(),
            .on_issue = on_issue,
            .on_phase = on_phase,
            .on_progress = on_progress,
            .arg = &r,
        };
        rc = dd_people_import_csv(db, &opt, &res);
    }
    dd_db_close(db);
    close_report(&r, report);
    if (ran)
        summary(&r, file, rc, &res);
    return rc == DD_OK ? DD_EXIT_OK : DD_EXIT_FAIL;
}

int
dd_cmd_import(int argc, char **argv)
{
    const char *report = NULL;
    const struct dd_cmd_value values[] = {{"--report", &report}, {NULL, NULL}};
    int rc = dd_cmd_take_values(&argc, argv, values);
    if (rc != DD_EXIT_OK)
        return rc;
    struct dd_cmd_args args;
    rc = dd_cmd_parse(argc, argv, NULL, 2, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    if (args.npositional != 2 || strcmp(args.positional[0], "people") != 0) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh import people FILE.csv [--report FILE]\n");
        return DD_EXIT_USAGE;
    }
    dd_log_set_level((enum dd_log_level)dd_log_level_parse(args.cfg.log_level));
    return import_file(&args, args.positional[1], report);
}
