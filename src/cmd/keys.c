/*
 * keys.c — `dinhdanh keys rotate|list`: the single sign-on signing keys in DATA_DIR/sso-keys/.
 * `rotate` makes a new current key (a running server picks it up within seconds; the old one
 * stays in the JWKS until the tokens it signed have expired) and prints {"kid","previous"};
 * `list` prints {"keys":[{"kid","created_at","current","published"}…]}.
 */
#include "cmd/cmd.h"
#include "sso/sso.h"

#include <stdio.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh keys rotate|list [--data-dir DIR]\n"
           "Makes a new signing key for single sign-on (rotate), or lists the keys (list).\n\n");
    dd_cmd_print_settings();
}

int
dd_cmd_keys(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 1, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    const char *verb = args.npositional == 1 ? args.positional[0] : "";
    char err[700] = "";
    if (strcmp(verb, "rotate") == 0)
        rc = dd_sso_keys_rotate(args.cfg.data_dir, stdout, err, sizeof err);
    else if (strcmp(verb, "list") == 0)
        rc = dd_sso_keys_list(args.cfg.data_dir, stdout, err, sizeof err);
    else {
        fprintf(stderr, "dinhdanh: keys rotate | keys list (see keys --help)\n");
        return DD_EXIT_USAGE;
    }
    if (rc != 0) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}
