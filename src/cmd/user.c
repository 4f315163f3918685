/*
 * user.c — `dinhdanh user`: officers' accounts for operators.
 *
 *   user add NAME --role ROLE [--area PP|PP-CCCCC] [--agency TEXT] [--display-name TEXT]
 *            [--password-stdin]          creates the officer and their login account
 *   user password NAME                   sets the password read from standard input
 *   user role NAME ROLE [--area …]       another role and area
 *   user disable NAME                    tokens, logins and sessions stop
 *   user list                            every officer, one line each
 *
 * `dinhdanh officer add` is the same as `user add` (with --province and --commune, which
 * `user add` also takes), kept for the scripts written before accounts had passwords.
 */
#include "base/err.h"
#include "base/str.h"
#include "cmd/cmd.h"
#include "core/identity/identity.h"
#include "core/officers.h"
#include "crypto/password.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct user_options {
    const char *role;
    const char *area;
    const char *province;
    const char *commune;
    const char *display_name;
    const char *agency;
    bool password_stdin;
    const char *noun; /* "user" or "officer": how messages name the command */
};

static void
help(const char *noun)
{
    printf("Usage: dinhdanh %s add NAME --role ROLE [--area PP|PP-CCCCC] [--agency TEXT]\n"
           "                     [--display-name TEXT] [--password-stdin]\n"
           "       dinhdanh user password NAME          (the password on standard input)\n"
           "       dinhdanh user role NAME ROLE [--area PP|PP-CCCCC]\n"
           "       dinhdanh user disable NAME\n"
           "       dinhdanh user list\n\n"
           "Officers' accounts. NAME is 3-32 of a-z 0-9 . _ - with at least one letter. The\n"
           "area is a province (2 digits) or, for commune-level roles, one commune of it\n"
           "(PP-CCCCC; --province PP --commune CCCCC says the same). --password-stdin reads the\n"
           "password from the first line of standard input; without it the officer logs in with\n"
           "tokens only (dinhdanh token --user NAME) until a password is set. An officer logs\n"
           "in on the web with the password and a second factor (TOTP), enrolled at the first\n"
           "login. `disable` stops the officer's tokens, logins and sessions.\nRoles:",
           noun);
    for (const char *const *r = dd_officer_roles(); *r; r++)
        printf(" %s", *r);
    printf("\n\n");
    dd_cmd_print_settings();
}

static int
usage(const char *noun)
{
    fprintf(stderr,
            "dinhdanh: usage: dinhdanh %s add NAME --role ROLE --area PP[-CCCCC] (or --province "
            "PP [--commune CCCCC]) | password NAME | role NAME ROLE | disable NAME | list\n",
            noun);
    return DD_EXIT_USAGE;
}

/* Splits the area into province and commune ("56" or "56-22366"), or takes --province and
 * --commune. False when both forms or a malformed area are given. */
static bool
area_of(struct user_options *o, char province[3], char commune[6])
{
    if (o->area && (o->province || o->commune))
        return false;
    if (o->area == NULL) {
        snprintf(province, 3, "%s", o->province ? o->province : "");
        snprintf(commune, 6, "%s", o->commune ? o->commune : "");
        return o->province == NULL || strlen(o->province) <= 2;
    }
    size_t n = strlen(o->area);
    if (n != 2 && !(n == 8 && o->area[2] == '-'))
        return false;
    snprintf(province, 3, "%.2s", o->area);
    snprintf(commune, 6, "%s", n == 8 ? o->area + 3 : "");
    return true;
}

/* Reads the first line of standard input (without its end) into out. */
static int
read_password(char *out, size_t size)
{
    if (fgets(out, (int)size, stdin) == NULL) {
        fprintf(stderr, "dinhdanh: no password on standard input\n");
        return DD_EXIT_USAGE;
    }
    out[strcspn(out, "\r\n")] = '\0';
    return DD_EXIT_OK;
}

/* Opens and migrates the database. */
static int
open_db(const struct dd_cmd_args *args, struct dd_db **db)
{
    return dd_cmd_open_migrated_db(&args->cfg, db);
}

static int
add(const struct dd_cmd_args *args, struct user_options *o)
{
    char province[3], commune[6], password[1100];
    if (args->npositional != 2 || o->role == NULL || (o->area == NULL && o->province == NULL) ||
        !area_of(o, province, commune))
        return usage(o->noun);
    if (o->password_stdin && read_password(password, sizeof password) != DD_EXIT_OK)
        return DD_EXIT_USAGE;
    struct dd_officer_new n = {
        .username = args->positional[1],
        .display_name = o->display_name ? o->display_name : args->positional[1],
        .role = o->role,
        .province = province,
        .commune = commune,
        .agency = o->agency,
    };
    struct dd_db *db;
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700];
    int64_t id = 0;
    int rc = dd_identity_officer_create(db, &n, o->password_stdin ? password : NULL,
                                        dd_cmd_operator(), &id, err, sizeof err);
    if (rc == DD_OK)
        printf("%s %s created (id %lld)\n", o->noun, n.username, (long long)id);
    return dd_cmd_finish(db, rc, err);
}

static int
set_password(const struct dd_cmd_args *args)
{
    char password[1100], err[700];
    if (read_password(password, sizeof password) != DD_EXIT_OK)
        return DD_EXIT_USAGE;
    struct dd_db *db;
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    int rc = dd_identity_officer_password(db, args->positional[1], password, err, sizeof err);
    if (rc == DD_OK)
        printf("password of %s set\n", args->positional[1]);
    return dd_cmd_finish(db, rc, err);
}

static int
set_role(const struct dd_cmd_args *args, struct user_options *o)
{
    char province[3] = "", commune[6] = "", err[700];
    if (o->area == NULL || !area_of(o, province, commune))
        return usage(o->noun);
    struct dd_db *db;
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    int rc = dd_identity_officer_role(db, args->positional[1], args->positional[2], province,
                                      commune, err, sizeof err);
    if (rc == DD_OK)
        printf("%s is now %s in %s\n", args->positional[1], args->positional[2], o->area);
    return dd_cmd_finish(db, rc, err);
}

static int
disable(const struct dd_cmd_args *args)
{
    char err[700];
    struct dd_db *db;
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    int rc = dd_identity_officer_disable(db, args->positional[1], err, sizeof err);
    if (rc == DD_OK)
        printf("%s disabled\n", args->positional[1]);
    return dd_cmd_finish(db, rc, err);
}

static int
list(const struct dd_cmd_args *args)
{
    char err[700];
    struct dd_db *db;
    if (open_db(args, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    return dd_cmd_finish(db, dd_identity_officer_list(db, stdout, err, sizeof err), err);
}

int
dd_cmd_user(int argc, char **argv)
{
    struct user_options o = {.noun = strcmp(argv[0], "officer") == 0 ? "officer" : "user"};
    const struct dd_cmd_value values[] = {{"--role", &o.role},
                                          {"--area", &o.area},
                                          {"--province", &o.province},
                                          {"--commune", &o.commune},
                                          {"--display-name", &o.display_name},
                                          {"--agency", &o.agency},
                                          {NULL, NULL}};
    int rc = dd_cmd_take_values(&argc, argv, values);
    if (rc != DD_EXIT_OK)
        return rc;
    struct dd_cmd_args args;
    const struct dd_cmd_switch switches[] = {{"password-stdin", &o.password_stdin}, {NULL, NULL}};
    rc = dd_cmd_parse(argc, argv, switches, 3, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help(o.noun);
        return DD_EXIT_OK;
    }
    dd_password_configure(args.cfg.password_opslimit, args.cfg.password_memlimit_kib);
    const char *verb = args.npositional > 0 ? args.positional[0] : "";
    if (strcmp(verb, "add") == 0)
        return add(&args, &o);
    if (strcmp(verb, "password") == 0 && args.npositional == 2)
        return set_password(&args);
    if (strcmp(verb, "role") == 0 && args.npositional == 3)
        return set_role(&args, &o);
    if (strcmp(verb, "disable") == 0 && args.npositional == 2)
        return disable(&args);
    if (strcmp(verb, "list") == 0 && args.npositional == 1)
        return list(&args);
    return usage(o.noun);
}
