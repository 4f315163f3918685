/*
 * officer.c — `dinhdanh officer add NAME --role ROLE --province PP [--commune CCCCC]
 * [--display-name TEXT] [--agency TEXT]`: creates an officer account for operators and tests,
 * until the identity module brings full user accounts. Tokens come from `dinhdanh token`.
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "core/officers.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct officer_options {
    const char *role;
    const char *province;
    const char *commune;
    const char *display_name;
    const char *agency;
};

static void
help(void)
{
    printf("Usage: dinhdanh officer add NAME --role ROLE --province PP [--commune CCCCC]\n"
           "                          [--display-name TEXT] [--agency TEXT] [--db URL]\n"
           "Creates officer NAME (3-32 of a-z 0-9 . _ -) with a role and an area: a province\n"
           "(2 digits) or, for commune-level roles, one commune of it (5 digits). The display\n"
           "name (NAME unless given) and the agency appear in citizens' access logs.\n"
           "Roles:");
    for (const char *const *r = dd_officer_roles(); *r; r++)
        printf(" %s", *r);
    printf("\n\n");
    dd_cmd_print_settings();
}

static int
add(const struct dd_cmd_args *args, const struct officer_options *o)
{
    if (args->npositional != 2 || o->role == NULL || o->province == NULL) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh officer add NAME --role ROLE --province PP "
                        "[--commune CCCCC] [--display-name TEXT] [--agency TEXT]\n");
        return DD_EXIT_USAGE;
    }
    struct dd_officer_new n = {
        .username = args->positional[1],
        .display_name = o->display_name ? o->display_name : args->positional[1],
        .role = o->role,
        .province = o->province,
        .commune = o->commune,
        .agency = o->agency,
    };
    struct dd_db *db;
    if (dd_cmd_open_db(&args->cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700];
    int64_t id = 0;
    int rc = dd_migrate_embedded(db, NULL, NULL, err, sizeof err);
    if (rc == DD_OK)
        rc = dd_officer_create(db, &n, &id, err, sizeof err);
    dd_db_close(db);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return rc == DD_EINVAL ? DD_EXIT_USAGE : DD_EXIT_FAIL;
    }
    printf("officer %s created (id %lld)\n", n.username, (long long)id);
    return DD_EXIT_OK;
}

int
dd_cmd_officer(int argc, char **argv)
{
    struct officer_options o = {0};
    const struct dd_cmd_value values[] = {
        {"--role", &o.role},       {"--province", &o.province},
        {"--commune", &o.commune}, {"--display-name", &o.display_name},
        {"--agency", &o.agency},   {NULL, NULL}};
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
    if (args.npositional < 1 || strcmp(args.positional[0], "add") != 0) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh officer add NAME --role ROLE --province PP "
                        "[--commune CCCCC]\n");
        return DD_EXIT_USAGE;
    }
    return add(&args, &o);
}
