/*
 * org.c — `dinhdanh org`: organisations (establishments) and their staff, for operators.
 *
 *   org add NAME --kind KIND --province PP --commune CCCCC --address TEXT
 *           [--registration-number N] [--phone P] [--licence-number N] [--licence-issuer TEXT]
 *           [--licence-issued-on DATE] [--licence-expires-on DATE]
 *   org list                                   every organisation, one line each
 *   org suspend ID --reason TEXT | org reinstate ID --reason TEXT
 *   org staff add ORG_ID USERNAME --role ROLE [--display-name TEXT] [--phone P] [--email E]
 *                 [--id-number N] [--password-stdin]
 *   org staff list ORG_ID
 *   org staff end ORG_ID USERNAME [--reason TEXT]
 *
 * The checks are the API's (core/identity/orgs.h); the operator ("operator:LOGIN") is recorded
 * as who acted.
 */
#include "base/err.h"
#include "base/str.h"
#include "cmd/cmd.h"
#include "core/identity/orgs.h"
#include "core/units/units.h"
#include "crypto/password.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct org_options {
    struct dd_org_new org;
    const char *role, *display_name, *phone, *email, *id_number, *reason;
    bool password_stdin;
};

static void
help(void)
{
    printf("Usage: dinhdanh org add NAME --kind KIND --province PP --commune CCCCC --address TEXT\n"
           "                    [--registration-number N] [--phone P] [--licence-number N]\n"
           "                    [--licence-issuer TEXT] [--licence-issued-on YYYY-MM-DD]\n"
           "                    [--licence-expires-on YYYY-MM-DD]\n"
           "       dinhdanh org list\n"
           "       dinhdanh org suspend ID --reason TEXT\n"
           "       dinhdanh org reinstate ID --reason TEXT\n"
           "       dinhdanh org staff add ORG_ID USERNAME --role owner|manager|clerk\n"
           "                    [--display-name TEXT] [--phone P] [--email E] [--id-number N]\n"
           "                    [--password-stdin]\n"
           "       dinhdanh org staff list ORG_ID\n"
           "       dinhdanh org staff end ORG_ID USERNAME [--reason TEXT]\n\n"
           "Organisations (establishments) and the staff who act for them. The commune must be\n"
           "in force today in the province; the registration number is the enterprise (tax)\n"
           "code, 10 digits or 10-3 for a branch. A staff member logs in with USERNAME; without\n"
           "--password-stdin they set a first password with a password reset (POST\n"
           "/api/v1/password-resets), which needs --phone or --email. `staff end` disables the\n"
           "account and ends its sessions; a suspended organisation's staff are refused.\n"
           "Kinds:");
    for (const struct dd_org_kind *k = dd_org_kinds(); k->name; k++)
        printf(" %s", k->name);
    printf("\n\n");
    dd_cmd_print_settings();
}

static int
usage(void)
{
    fprintf(stderr, "dinhdanh: usage: dinhdanh org add NAME --kind KIND --province PP --commune "
                    "CCCCC --address TEXT | list | suspend ID --reason TEXT | reinstate ID "
                    "--reason TEXT | staff add ORG_ID USERNAME --role ROLE | staff list ORG_ID | "
                    "staff end ORG_ID USERNAME\n");
    return DD_EXIT_USAGE;
}

/* Opens and migrates the database, with the administrative units the checks need. */
static int
open_db(const struct dd_cmd_args *args, struct dd_db **db)
{
    if (dd_cmd_open_migrated_db(&args->cfg, db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700];
    if (dd_units_ensure_loaded(*db, NULL, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        dd_db_close(*db);
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}

/* The organisation id in a positional word, or -1 after a message. */
static int64_t
org_id_of(const char *s)
{
    int64_t id;
    if (dd_parse_int64(s, 1, INT64_MAX, &id) == DD_OK)
        return id;
    fprintf(stderr, "dinhdanh: '%s' is not an organisation id\n", s);
    return -1;
}

static int
add(const struct dd_cmd_args *args, struct org_options *o)
{
    if (args->npositional != 2)
        return usage();
    o->org.name = args->positional[1];
    struct dd_db *db;
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700];
    int64_t id = 0;
    int rc = dd_org_create(db, &o->org, dd_cmd_operator(), &id, err, sizeof err);
    if (rc == DD_OK)
        printf("organisation %lld created\n", (long long)id);
    return dd_cmd_finish(db, rc, err);
}

static int
list(const struct dd_cmd_args *args)
{
    struct dd_db *db;
    char err[700];
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    return dd_cmd_finish(db, dd_org_list_print(db, stdout, err, sizeof err), err);
}

static int
set_suspended(const struct dd_cmd_args *args, const struct org_options *o, bool suspend)
{
    int64_t id = org_id_of(args->positional[1]);
    if (id < 0)
        return DD_EXIT_USAGE;
    struct dd_db *db;
    char err[700];
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    int rc = dd_org_set_suspended(db, id, suspend, o->reason, dd_cmd_operator(), err, sizeof err);
    if (rc == DD_OK)
        printf("organisation %lld %s\n", (long long)id, suspend ? "suspended" : "reinstated");
    return dd_cmd_finish(db, rc, err);
}

static int
staff_add(const struct dd_cmd_args *args, const struct org_options *o)
{
    int64_t id = args->npositional == 4 ? org_id_of(args->positional[2]) : -1;
    if (id < 0)
        return usage();
    char password[1100];
    if (o->password_stdin) {
        if (fgets(password, (int)sizeof password, stdin) == NULL) {
            fprintf(stderr, "dinhdanh: no password on standard input\n");
            return DD_EXIT_USAGE;
        }
        password[strcspn(password, "\r\n")] = '\0';
    }
    struct dd_org_staff_new s = {
        .org_id = id,
        .username = args->positional[3],
        .display_name = o->display_name ? o->display_name : args->positional[3],
        .role = o->role,
        .phone = o->phone,
        .email = o->email,
        .id_number = o->id_number,
    };
    struct dd_db *db;
    char err[700];
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    int64_t account = 0;
    int rc = dd_org_staff_add(db, &s, o->password_stdin ? password : NULL, dd_cmd_operator(),
                              &account, err, sizeof err);
    if (rc == DD_OK)
        printf("staff %s added to organisation %lld (account %lld)\n", s.username, (long long)id,
               (long long)account);
    return dd_cmd_finish(db, rc, err);
}

static int
staff(const struct dd_cmd_args *args, const struct org_options *o)
{
    const char *verb = args->npositional > 1 ? args->positional[1] : "";
    if (strcmp(verb, "add") == 0)
        return staff_add(args, o);
    bool listing = strcmp(verb, "list") == 0 && args->npositional == 3;
    bool ending = strcmp(verb, "end") == 0 && args->npositional == 4;
    if (!listing && !ending)
        return usage();
    int64_t id = org_id_of(args->positional[2]);
    if (id < 0)
        return DD_EXIT_USAGE;
    struct dd_db *db;
    char err[700];
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    if (listing)
        return dd_cmd_finish(db, dd_org_staff_print(db, id, stdout, err, sizeof err), err);
    int rc = dd_org_staff_end(db, id, args->positional[3], o->reason, dd_cmd_operator(), err,
                              sizeof err);
    if (rc == DD_OK)
        printf("%s no longer acts for organisation %lld\n", args->positional[3], (long long)id);
    return dd_cmd_finish(db, rc, err);
}

int
dd_cmd_org(int argc, char **argv)
{
    struct org_options o = {0};
    const struct dd_cmd_value values[] = {{"--kind", &o.org.kind},
                                          {"--province", &o.org.province},
                                          {"--commune", &o.org.commune},
                                          {"--address", &o.org.address},
                                          {"--registration-number", &o.org.registration_number},
                                          {"--licence-number", &o.org.licence_number},
                                          {"--licence-issuer", &o.org.licence_issuer},
                                          {"--licence-issued-on", &o.org.licence_issued_on},
                                          {"--licence-expires-on", &o.org.licence_expires_on},
                                          {"--phone", &o.phone},
                                          {"--role", &o.role},
                                          {"--display-name", &o.display_name},
                                          {"--email", &o.email},
                                          {"--id-number", &o.id_number},
                                          {"--reason", &o.reason},
                                          {NULL, NULL}};
    int rc = dd_cmd_take_values(&argc, argv, values);
    if (rc != DD_EXIT_OK)
        return rc;
    struct dd_cmd_args args;
    const struct dd_cmd_switch switches[] = {{"password-stdin", &o.password_stdin}, {NULL, NULL}};
    rc = dd_cmd_parse(argc, argv, switches, 4, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    o.org.phone = o.phone;
    dd_password_configure(args.cfg.password_opslimit, args.cfg.password_memlimit_kib);
    const char *verb = args.npositional > 0 ? args.positional[0] : "";
    if (strcmp(verb, "add") == 0)
        return add(&args, &o);
    if (strcmp(verb, "list") == 0 && args.npositional == 1)
        return list(&args);
    if ((strcmp(verb, "suspend") == 0 || strcmp(verb, "reinstate") == 0) && args.npositional == 2)
        return set_suspended(&args, &o, strcmp(verb, "suspend") == 0);
    if (strcmp(verb, "staff") == 0)
        return staff(&args, &o);
    return usage();
}
