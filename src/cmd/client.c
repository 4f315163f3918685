/*
 * client.c — `dinhdanh client add|list|rotate-secret|disable`: the registry of applications
 * that log people in through single sign-on, and of machine clients (src/sso/, docs/SSO.md).
 * Each command prints JSON on one line: `add` prints the client with its `client_secret` when
 * one was issued (shown this once), `list` prints {"items":[…]}.
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "sso/sso.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh client add NAME --grant authorization_code|client_credentials\n"
           "         [--redirect-uri URI]... [--post-logout-redirect-uri URI]...\n"
           "         [--backchannel-logout-uri URI] [--scope \"openid profile …\"]\n"
           "         [--auth client_secret_basic|private_key_jwt|none] [--jwks FILE] [--pairwise]\n"
           "         [--client-id ddc_NAME]   (a chosen id, such as the portal's ddc_portal)\n"
           "       dinhdanh client list\n"
           "       dinhdanh client rotate-secret CLIENT_ID\n"
           "       dinhdanh client disable CLIENT_ID\n"
           "Registers and manages the applications that log people in through single sign-on,\n"
           "and machine clients (client_credentials). Prints JSON; a new secret is shown once.\n"
           "Scopes: openid profile email phone national_id residence offline_access.\n\n");
    dd_cmd_print_settings();
}

static void
print_json(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    printf("%s\n", text ? text : "null");
    free(text);
    json_decref(v);
}

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(65537);
    size_t n = fread(buf, 1, 65536, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Takes the repeatable options out of argv (dd_cmd_take_values keeps one value). */
static int
take_lists(int *argc, char **argv, struct dd_sso_client_new *c)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char **list = NULL;
        int *n = NULL;
        if (strcmp(argv[i], "--redirect-uri") == 0) {
            list = c->redirect_uris;
            n = &c->nredirect;
        } else if (strcmp(argv[i], "--post-logout-redirect-uri") == 0) {
            list = c->post_logout_uris;
            n = &c->npost_logout;
        }
        if (list == NULL) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc || *n == DD_SSO_MAX_URIS) {
            fprintf(stderr, "dinhdanh: %s needs a value (at most %d)\n", argv[i], DD_SSO_MAX_URIS);
            return DD_EXIT_USAGE;
        }
        list[(*n)++] = argv[++i];
    }
    *argc = out;
    return DD_EXIT_OK;
}

static int
add(struct dd_db *db, const char *name, struct dd_sso_client_new *c, const char *jwks_file)
{
    c->name = name;
    char *jwks = NULL;
    if (jwks_file) {
        jwks = read_file(jwks_file);
        if (jwks == NULL) {
            fprintf(stderr, "dinhdanh: cannot read %s\n", jwks_file);
            return DD_EXIT_FAIL;
        }
        c->jwks = jwks;
    }
    c->actor = dd_cmd_operator();
    json_t *out;
    char err[400];
    int rc = dd_sso_client_add(db, c, &out, err, sizeof err);
    free(jwks);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return rc == DD_EINVAL ? DD_EXIT_USAGE : DD_EXIT_FAIL;
    }
    print_json(out);
    return DD_EXIT_OK;
}

static int
run(struct dd_db *db, const char *verb, const char *arg, struct dd_sso_client_new *c,
    const char *jwks_file)
{
    char err[400] = "";
    json_t *out = NULL;
    int rc;
    if (strcmp(verb, "add") == 0)
        return add(db, arg, c, jwks_file);
    if (strcmp(verb, "list") == 0)
        rc = dd_sso_client_list(db, NULL, 100000, &out);
    else if (strcmp(verb, "rotate-secret") == 0)
        rc = dd_sso_client_rotate_secret(db, arg, dd_cmd_operator(), &out, err, sizeof err);
    else if ((rc = dd_sso_client_disable(db, arg, dd_cmd_operator(), err, sizeof err)) == DD_OK)
        out = dd_sso_client_json(db, arg, &rc);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err[0] ? err : dd_strerror(rc));
        return DD_EXIT_FAIL;
    }
    print_json(out);
    return DD_EXIT_OK;
}

int
dd_cmd_client(int argc, char **argv)
{
    struct dd_sso_client_new c = {0};
    const char *jwks_file = NULL, *scope = NULL, *auth = NULL, *grant = NULL, *backchannel = NULL,
               *client_id = NULL;
    bool pairwise = false;
    int rc = take_lists(&argc, argv, &c);
    const struct dd_cmd_value values[] = {{"--grant", &grant},
                                          {"--scope", &scope},
                                          {"--auth", &auth},
                                          {"--jwks", &jwks_file},
                                          {"--backchannel-logout-uri", &backchannel},
                                          {"--client-id", &client_id},
                                          {NULL, NULL}};
    if (rc == DD_EXIT_OK)
        rc = dd_cmd_take_values(&argc, argv, values);
    if (rc != DD_EXIT_OK)
        return rc;
    const struct dd_cmd_switch switches[] = {{"pairwise", &pairwise}, {NULL, NULL}};
    struct dd_cmd_args args;
    rc = dd_cmd_parse(argc, argv, switches, 2, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    const char *verb = args.npositional > 0 ? args.positional[0] : "";
    bool needs_arg = strcmp(verb, "list") != 0;
    bool known = strcmp(verb, "add") == 0 || strcmp(verb, "list") == 0 ||
                 strcmp(verb, "rotate-secret") == 0 || strcmp(verb, "disable") == 0;
    if (!known || args.npositional != (needs_arg ? 2 : 1)) {
        fprintf(stderr, "dinhdanh: client add NAME | list | rotate-secret ID | disable ID "
                        "(see client --help)\n");
        return DD_EXIT_USAGE;
    }
    c.client_id = client_id;
    c.grant_type = grant;
    c.scope = scope;
    c.auth_method = auth;
    c.backchannel_logout_uri = backchannel;
    c.pairwise = pairwise;
    struct dd_db *db;
    if (dd_cmd_open_migrated_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    rc = run(db, verb, args.npositional > 1 ? args.positional[1] : NULL, &c, jwks_file);
    dd_db_close(db);
    return rc;
}
