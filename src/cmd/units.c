/*
 * units.c — `dinhdanh units import [--dir DIR]` loads the administrative units and the 2025
 * conversion table (from the copy built into the binary unless --dir names a folder), printing
 * what the tables hold; `dinhdanh units list` prints the units in force on a date.
 */
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "cmd/cmd.h"
#include "core/units/units.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 500

static void
help(void)
{
    printf("Usage: dinhdanh units import [--dir DIR] [--db URL]\n"
           "       dinhdanh units list [--kind KIND] [--province CODE] [--date YYYY-MM-DD] "
           "[--db URL]\n"
           "import  applies pending migrations, then loads Vietnam's administrative units and\n"
           "        the conversion table of 1 July 2025 in one transaction, from the copy built\n"
           "        into dinhdanh, or from DIR holding communes-2025-01-04.csv and\n"
           "        conversion-2025-07-01.csv. Units already stored are kept, so running it\n"
           "        again adds nothing. Prints what the tables hold and how many rows it added.\n"
           "list    prints PROVINCE<TAB>CODE<TAB>NAME<TAB>LEVEL for each unit of KIND\n"
           "        (province, district or commune; commune by default) in force on the date\n"
           "        (today by default), in one province or all.\n\n");
    dd_cmd_print_settings();
}

struct options {
    const char *dir;
    const char *kind;
    const char *province;
    const char *date;
};

static void
print_counts(const struct dd_units_counts *c)
{
    printf("before %s: %lld provinces, %lld districts, %lld communes\n", DD_UNITS_REFORM_DATE,
           (long long)c->provinces_old, (long long)c->districts_old, (long long)c->communes_old);
    printf("from %s: %lld provinces, %lld communes\n", DD_UNITS_REFORM_DATE,
           (long long)c->provinces_new, (long long)c->communes_new);
    printf("conversion rows: %lld\n", (long long)c->conversions);
}

static int
import(struct dd_db *db, const struct options *o)
{
    char err[700] = "";
    struct dd_units_report rep;
    int rc = dd_migrate_embedded(db, NULL, NULL, err, sizeof err);
    if (rc == DD_OK)
        rc = dd_units_import(db, o->dir, &rep, err, sizeof err);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    print_counts(&rep.stored);
    printf("added %lld rows (%lld ms)\n", (long long)rep.added, (long long)rep.elapsed_ms);
    return DD_EXIT_OK;
}

static int
list(struct dd_db *db, const struct options *o)
{
    struct dd_units_query q = {
        .kind = o->kind ? o->kind : "commune", .province = o->province, .date = o->date};
    struct dd_unit *page = dd_xcalloc(PAGE, sizeof *page);
    char after_province[4] = "", after_code[8] = "";
    size_t n = PAGE;
    int rc = DD_OK;
    while (rc == DD_OK && n == PAGE) {
        rc = dd_units_list(db, &q, page, PAGE, &n);
        for (size_t i = 0; rc == DD_OK && i < n; i++)
            printf("%s\t%s\t%s\t%s\n", page[i].province_code, page[i].code, page[i].name,
                   page[i].level);
        if (rc == DD_OK && n > 0) {
            dd_strlcpy(after_province, page[n - 1].province_code, sizeof after_province);
            dd_strlcpy(after_code, page[n - 1].code, sizeof after_code);
            q.after_province = after_province;
            q.after_code = after_code;
        }
    }
    free(page);
    if (rc == DD_EINVAL) {
        fprintf(stderr, "dinhdanh: --kind is province, district or commune; --province 2 "
                        "digits; --date YYYY-MM-DD\n");
        return DD_EXIT_USAGE;
    }
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: cannot read the units: %s\n", dd_db_errmsg(db));
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}

int
dd_cmd_units(int argc, char **argv)
{
    struct options o = {0};
    const struct dd_cmd_value values[] = {{"--dir", &o.dir},
                                          {"--kind", &o.kind},
                                          {"--province", &o.province},
                                          {"--date", &o.date},
                                          {NULL, NULL}};
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
    const char *what = args.npositional == 1 ? args.positional[0] : "";
    bool is_import = strcmp(what, "import") == 0, is_list = strcmp(what, "list") == 0;
    if (!is_import && !is_list) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh units import|list (see --help)\n");
        return DD_EXIT_USAGE;
    }
    if ((is_import && (o.kind || o.province || o.date)) || (is_list && o.dir)) {
        fprintf(stderr, "dinhdanh: import takes --dir; list takes --kind, --province, --date\n");
        return DD_EXIT_USAGE;
    }
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    rc = is_import ? import(db, &o) : list(db, &o);
    dd_db_close(db);
    return rc;
}
