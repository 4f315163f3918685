/*
 * keys.c — `dinhdanh keys rotate|list`: the single sign-on signing keys in DATA_DIR/sso-keys/.
 * `rotate` makes a new current key (a running server picks it up within seconds; the old one
 * stays in the JWKS until the tokens it signed have expired) and prints {"kid","previous"};
 * `list` prints {"keys":[{"kid","created_at","current","published"}…]}. A rotation is also
 * recorded as a security event (keys.rotated) in the database of the settings.
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "core/soc/soc.h"
#include "sso/sso.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
help(void)
{
    printf("Usage: dinhdanh keys rotate|list [--data-dir DIR] [--db URL]\n"
           "Makes a new signing key for single sign-on (rotate), or lists the keys (list).\n"
           "A rotation is recorded as a security event (keys.rotated) in the database, when it "
           "exists.\n\n");
    dd_cmd_print_settings();
}

/* Rotates, prints the new kid, and records the rotation as a security event (keys.rotated) in
 * the database of the settings: the keys are files, so the event follows the change. */
static int
rotate(const struct dd_config *cfg, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL) {
        snprintf(err, errlen, "out of memory");
        return DD_EINTERNAL;
    }
    int rc = dd_sso_keys_rotate(cfg->data_dir, out, err, errlen);
    fclose(out);
    if (rc == DD_OK)
        fputs(text, stdout);
    json_t *made = rc == DD_OK ? json_loads(text, 0, NULL) : NULL;
    free(text);
    /* A SQLite database that does not exist yet is not made for this. */
    bool no_db = strncmp(cfg->db, "sqlite:", 7) == 0 && access(cfg->db + 7, F_OK) != 0;
    struct dd_db *db = NULL;
    if (made && !no_db && dd_cmd_open_migrated_db(cfg, &db) == DD_OK) {
        json_object_set_new(made, "kind", json_string("sso-signing"));
        dd_soc_change_event_tx(db, "keys.rotated", "sso-keys", dd_cmd_operator(), made);
        made = NULL;
    } else if (made) {
        fprintf(stderr, "dinhdanh: the rotation is not recorded as a security event\n");
    }
    json_decref(made);
    dd_db_close(db);
    return rc;
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
        rc = rotate(&args.cfg, err, sizeof err);
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
