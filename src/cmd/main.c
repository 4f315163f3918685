/*
 * main.c — the `dinhdanh` program: one table of subcommands.
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <string.h>

struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct subcommand subcommands[] = {
    {"serve", dd_cmd_serve, "serve the HTTP API and the web UI"},
    {"migrate", dd_cmd_migrate, "apply database migrations (--status lists them)"},
    {"audit", dd_cmd_audit, "check the audit log's hash chain (audit verify)"},
    {"card", dd_cmd_card, "chip ID card: MRZ, QR, chip (card mrz|qr|verify|read|readers)"},
    {"client", dd_cmd_client, "single sign-on clients (client add|list|rotate-secret|disable)"},
    {"demo", dd_cmd_demo, "fill an empty register with a synthetic province (demo --people N)"},
    {"events", dd_cmd_events, "emit a domain event or show consumers' progress"},
    {"soc", dd_cmd_soc, "forward security events and alerts to a SIEM (syslog, JSON lines)"},
    {"export", dd_cmd_export, "write people as CSV (export people [--commune C] [--out F])"},
    {"import", dd_cmd_import, "load people from a CSV file, all rows or none (import people F)"},
    {"lgsp", dd_cmd_lgsp, "data-sharing gateway: check the exchange log (lgsp log verify)"},
    {"insight", dd_cmd_insight, "leaders' dashboards: rebuild the figures (insight rebuild)"},
    {"keys", dd_cmd_keys, "single sign-on signing keys (keys rotate|list)"},
    {"officer", dd_cmd_officer, "add an officer account (the same as user add)"},
    {"org", dd_cmd_org, "organisations and their staff (org add|list|suspend|staff …)"},
    {"pay", dd_cmd_pay, "payments: VietQR payloads, expiry (pay vietqr|vietqr-parse|expire)"},
    {"roles", dd_cmd_roles, "list the roles and the scopes each grants (roles --json)"},
    {"routes", dd_cmd_routes, "list every HTTP route with who may call it"},
    {"token", dd_cmd_token, "print a bearer token for an officer"},
    {"units", dd_cmd_units, "load or list the administrative units (units import)"},
    {"user", dd_cmd_user, "officers' accounts (user add|password|role|disable|list)"},
    {"version", dd_cmd_version, "print the version"},
};

static void
usage(FILE *out)
{
    fprintf(out, "dinhdanh — nền tảng Đề án 06 của tỉnh (dân cư, định danh, dịch vụ công)\n"
                 "dinhdanh — the province's Project 06 platform\n\n"
                 "Usage: dinhdanh COMMAND [OPTIONS]\n\nCommands:\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
    fprintf(out, "  %-9s %s\n\n", "help", "print this text");
    fprintf(out, "Run 'dinhdanh COMMAND --help' for a command's options.\n");
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return DD_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return DD_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0)
        return dd_cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(name, subcommands[i].name) == 0)
            return subcommands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dinhdanh: unknown command '%s'\n\n", name);
    usage(stderr);
    return DD_EXIT_USAGE;
}
