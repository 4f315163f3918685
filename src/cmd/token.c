/*
 * token.c — `dinhdanh token --user NAME [--ttl SECONDS]`: prints a bearer token for an officer,
 * the token alone on one line, for scripts and operators on the host.
 */
#include "base/err.h"
#include "base/str.h"
#include "cmd/cmd.h"
#include "core/officers.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh token --user NAME [--ttl SECONDS] [--db URL]\n"
           "Prints a new bearer token for officer NAME (valid 8 hours unless --ttl says\n"
           "otherwise), alone on one line. Use it as 'Authorization: Bearer TOKEN'.\n\n");
    dd_cmd_print_settings();
}

int
dd_cmd_token(int argc, char **argv)
{
    const char *user = NULL, *ttl_text = NULL;
    const struct dd_cmd_value values[] = {{"--user", &user}, {"--ttl", &ttl_text}, {NULL, NULL}};
    int rc = dd_cmd_take_values(&argc, argv, values);
    if (rc != DD_EXIT_OK)
        return rc;
    int64_t ttl = 8 * 3600;
    if (ttl_text && dd_parse_int64(ttl_text, 1, 366L * 86400, &ttl) != DD_OK) {
        fprintf(stderr, "dinhdanh: --ttl must be a number of seconds up to one year\n");
        return DD_EXIT_USAGE;
    }
    struct dd_cmd_args args;
    rc = dd_cmd_parse(argc, argv, NULL, 0, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    if (user == NULL) {
        fprintf(stderr, "dinhdanh: token needs --user NAME\n");
        return DD_EXIT_USAGE;
    }
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700], token[DD_TOKEN_LEN + 1];
    rc = dd_migrate_embedded(db, NULL, NULL, err, sizeof err);
    if (rc == DD_OK)
        rc = dd_officer_token_issue(db, user, (long)ttl, token, err, sizeof err);
    dd_db_close(db);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    printf("%s\n", token);
    return DD_EXIT_OK;
}
