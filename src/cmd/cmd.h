/*
 * cmd.h — the subcommands of the `dinhdanh` program and what they share.
 *
 * Exit status: 0 success, 1 the work failed, 2 the command line was wrong.
 */
#ifndef DD_CMD_CMD_H
#define DD_CMD_CMD_H

#include "base/config.h"
#include "http/route.h"

#include <stdbool.h>
#include <stddef.h>

#define DD_EXIT_OK    0
#define DD_EXIT_FAIL  1
#define DD_EXIT_USAGE 2

/* Every module of the platform, in start order, ending with NULL (modules.c). */
extern const struct dd_module *const dd_modules[];
size_t dd_modules_count(void);

/* The names of every event consumer: "audit", then each module with on_event; NULL-terminated,
 * in a static array. */
const char *const *dd_event_consumers(void);

/* A flag of one subcommand beyond the settings: `--name` alone sets *value to true. */
struct dd_cmd_switch {
    const char *name;
    bool *value;
};

/* A subcommand's own option with a value: `--name VALUE` stores VALUE in *value. */
struct dd_cmd_value {
    const char *name; /* "--out" */
    const char **value;
};

/* Takes the options listed in `values` (ending with {NULL, NULL}) out of argv, leaving the rest
 * (settings, switches, words) for dd_cmd_parse. Returns DD_EXIT_OK, or DD_EXIT_USAGE after
 * printing why when an option has no value. */
int dd_cmd_take_values(int *argc, char **argv, const struct dd_cmd_value *values);

struct dd_cmd_args {
    struct dd_config cfg;
    const char *positional[8];
    int npositional;
    bool help;
};

/* Reads the settings (defaults < config file < DINHDANH_* environment < flags), the switches
 * and up to 8 positional words. Returns DD_EXIT_OK, or DD_EXIT_USAGE after printing why. */
int dd_cmd_parse(int argc, char **argv, const struct dd_cmd_switch *switches, int max_positional,
                 struct dd_cmd_args *args);

/* Prints the settings as flags, for help texts. */
void dd_cmd_print_settings(void);

/* Opens the configured database, for commands other than serve. Prints why on failure. */
struct dd_db;
int dd_cmd_open_db(const struct dd_config *cfg, struct dd_db **db);

/* dd_cmd_open_db, then the pending migrations applied; on failure prints why, closes the
 * database and returns DD_EXIT_FAIL. */
int dd_cmd_open_migrated_db(const struct dd_config *cfg, struct dd_db **db);

/* The end of a command that ran on `db`: closes it; DD_EXIT_OK for DD_OK, else prints `err`
 * and returns DD_EXIT_USAGE for DD_EINVAL (bad input) or DD_EXIT_FAIL. */
int dd_cmd_finish(struct dd_db *db, int rc, const char *err);

int dd_cmd_serve(int argc, char **argv);
int dd_cmd_migrate(int argc, char **argv);
int dd_cmd_officer(int argc, char **argv);
int dd_cmd_org(int argc, char **argv);
int dd_cmd_roles(int argc, char **argv);
int dd_cmd_audit(int argc, char **argv);
int dd_cmd_lgsp(int argc, char **argv);
int dd_cmd_client(int argc, char **argv);
int dd_cmd_keys(int argc, char **argv);
int dd_cmd_card(int argc, char **argv);
int dd_cmd_pay(int argc, char **argv);
int dd_cmd_demo(int argc, char **argv);
int dd_cmd_events(int argc, char **argv);
int dd_cmd_soc(int argc, char **argv);
int dd_cmd_export(int argc, char **argv);
int dd_cmd_import(int argc, char **argv);
int dd_cmd_routes(int argc, char **argv);
int dd_cmd_token(int argc, char **argv);
int dd_cmd_units(int argc, char **argv);
int dd_cmd_insight(int argc, char **argv);
int dd_cmd_user(int argc, char **argv);
int dd_cmd_version(int argc, char **argv);

/* "operator:LOGIN" for whoever runs the command: the audit actor of bulk commands. */
const char *dd_cmd_operator(void);

#endif
