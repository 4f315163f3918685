/*
 * args.c — the command line shared by subcommands: settings as --key VALUE or --key=VALUE, a
 * subcommand's own switches, and positional words. The config file named by --config (or
 * DINHDANH_CONFIG) is read first, then the environment, then the flags, so flags win.
 */
#include "cmd/cmd.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "store/migrate.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* Splits "--key=value" or "--key value"; advances *i past what it used. */
static int
flag_value(int argc, char **argv, int *i, char *key, size_t keylen, const char **value)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    if (eq) {
        size_t n = (size_t)(eq - arg);
        if (n >= keylen)
            n = keylen - 1;
        memcpy(key, arg, n);
        key[n] = '\0';
        *value = eq + 1;
        return DD_OK;
    }
    dd_strlcpy(key, arg, keylen);
    if (*i + 1 >= argc)
        return DD_EINVAL;
    *value = argv[++*i];
    return DD_OK;
}

static const char *
find_config_flag(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
    }
    return getenv("DINHDANH_CONFIG");
}

static bool
apply_switch(const struct dd_cmd_switch *switches, const char *arg)
{
    for (const struct dd_cmd_switch *s = switches; s && s->name; s++) {
        if (strcmp(arg + 2, s->name) == 0) {
            *s->value = true;
            return true;
        }
    }
    return false;
}

int
dd_cmd_parse(int argc, char **argv, const struct dd_cmd_switch *switches, int max_positional,
             struct dd_cmd_args *args)
{
    memset(args, 0, sizeof *args);
    dd_config_defaults(&args->cfg);
    char err[700];
    const char *file = find_config_flag(argc, argv);
    if (file && dd_config_load_file(&args->cfg, file, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_USAGE;
    }
    if (dd_config_load_env(&args->cfg, environ, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            args->help = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (args->npositional >= max_positional) {
                fprintf(stderr, "dinhdanh: unexpected argument '%s'\n", arg);
                return DD_EXIT_USAGE;
            }
            args->positional[args->npositional++] = arg;
            continue;
        }
        if (apply_switch(switches, arg))
            continue;
        char key[64];
        const char *value = NULL;
        if (flag_value(argc, argv, &i, key, sizeof key, &value) != DD_OK) {
            fprintf(stderr, "dinhdanh: option --%s needs a value\n", key);
            return DD_EXIT_USAGE;
        }
        if (strcmp(key, "config") == 0)
            continue; /* read above */
        int rc = dd_config_set(&args->cfg, key, value, err, sizeof err);
        if (rc == DD_ENOTFOUND) {
            fprintf(stderr, "dinhdanh: unknown option --%s (see --help)\n", key);
            return DD_EXIT_USAGE;
        }
        if (rc != DD_OK) {
            fprintf(stderr, "dinhdanh: %s\n", err);
            return DD_EXIT_USAGE;
        }
    }
    if (args->cfg.db[0] == '\0') {
        struct dd_buf b;
        dd_buf_init_fixed(&b, args->cfg.db, sizeof args->cfg.db);
        if (dd_buf_printf(&b, "sqlite:%s/dinhdanh.db", args->cfg.data_dir) != DD_OK) {
            fprintf(stderr, "dinhdanh: data-dir is too long\n");
            return DD_EXIT_USAGE;
        }
    }
    return DD_EXIT_OK;
}

int
dd_cmd_take_values(int *argc, char **argv, const struct dd_cmd_value *values)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const struct dd_cmd_value *v = values;
        while (v->name && strcmp(argv[i], v->name) != 0)
            v++;
        if (v->name == NULL) {
            argv[out++] = argv[i];
            continue;
        }
        if (i + 1 >= *argc) {
            fprintf(stderr, "dinhdanh: %s needs a value\n", argv[i]);
            return DD_EXIT_USAGE;
        }
        *v->value = argv[++i];
    }
    *argc = out;
    return DD_EXIT_OK;
}

void
dd_cmd_print_settings(void)
{
    const char *help;
    const char *key;
    printf("Settings (flag --KEY VALUE, environment DINHDANH_KEY, or 'key = value' in --config "
           "FILE; flags win):\n");
    for (size_t i = 0; (key = dd_config_key(i, &help)) != NULL; i++)
        printf("  --%-16s %s\n", key, help);
    printf("  --%-16s %s\n", "config", "read settings from FILE first");
}

int
dd_cmd_open_db(const struct dd_config *cfg, struct dd_db **db)
{
    char err[512];
    struct dd_db_options opt = {.timeout_ms = cfg->db_timeout_ms};
    if (dd_db_open(cfg->db, &opt, db, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}

int
dd_cmd_open_migrated_db(const struct dd_config *cfg, struct dd_db **db)
{
    if (dd_cmd_open_db(cfg, db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    char err[700];
    if (dd_migrate_embedded(*db, NULL, NULL, err, sizeof err) != DD_OK) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        dd_db_close(*db);
        return DD_EXIT_FAIL;
    }
    return DD_EXIT_OK;
}

int
dd_cmd_finish(struct dd_db *db, int rc, const char *err)
{
    dd_db_close(db);
    if (rc == DD_OK)
        return DD_EXIT_OK;
    fprintf(stderr, "dinhdanh: %s\n", err);
    return rc == DD_EINVAL ? DD_EXIT_USAGE : DD_EXIT_FAIL;
}
