/*
 * soc.c — `dinhdanh soc forward`: sends the security events and alerts of the outbox to an
 * external SIEM (core/soc/siem.h) as RFC 5424 syslog over TCP or TLS and/or as JSON lines, as
 * the event consumer "siem"; with --once it sends what is pending and stops, otherwise it keeps
 * following the outbox until SIGTERM or SIGINT, reconnecting after a failure.
 */
#include "base/err.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "core/soc/siem.h"
#include "store/store.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void
help(void)
{
    printf("Usage: dinhdanh soc forward [--syslog tcp://HOST:PORT|tls://HOST:PORT] [--ca FILE]\n"
           "                            [--jsonl FILE|-] [--once] [--db URL]\n"
           "Sends the security events and the alerts of the security operations centre to a\n"
           "SIEM: as RFC 5424 syslog messages with octet-counting framing (RFC 6587) over TCP\n"
           "or TLS (RFC 5425; the receiver's certificate is checked against FILE, else the\n"
           "system's CAs), and/or appended to FILE as JSON lines. It is the event consumer\n"
           "'siem': each event is sent at least once. --once sends what is pending and stops.\n\n");
    dd_cmd_print_settings();
}

/* One pass: connect, send everything pending, close. */
static int
pass(struct dd_db *db, const struct dd_siem_settings *s, size_t *total)
{
    char err[400];
    struct dd_siem *f = dd_siem_open(s, err, sizeof err);
    if (f == NULL) {
        fprintf(stderr, "dinhdanh: %s\n", err);
        return DD_EIO;
    }
    size_t sent = 0;
    int rc;
    do {
        rc = dd_siem_forward(f, db, 1000, &sent, err, sizeof err);
        *total += sent;
    } while (rc == DD_OK && sent > 0 && !stopping);
    dd_siem_close(f);
    if (rc != DD_OK)
        fprintf(stderr, "dinhdanh: forwarding stopped: %s\n", err);
    return rc;
}

int
dd_cmd_soc(int argc, char **argv)
{
    struct dd_siem_settings s = {.timeout_ms = 10000};
    const struct dd_cmd_value values[] = {{"--syslog", &s.syslog_url},
                                          {"--ca", &s.ca_file},
                                          {"--jsonl", &s.jsonl_path},
                                          {NULL, NULL}};
    bool once = false;
    const struct dd_cmd_switch switches[] = {{"once", &once}, {NULL, NULL}};
    struct dd_cmd_args args;
    int rc = dd_cmd_take_values(&argc, argv, values);
    if (rc == DD_EXIT_OK)
        rc = dd_cmd_parse(argc, argv, switches, 1, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    if (args.npositional != 1 || strcmp(args.positional[0], "forward") != 0 ||
        (s.syslog_url == NULL && s.jsonl_path == NULL)) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh soc forward --syslog URL and/or --jsonl FILE "
                        "(see --help)\n");
        return DD_EXIT_USAGE;
    }
    struct dd_db *db;
    if (dd_cmd_open_migrated_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    size_t total = 0;
    rc = pass(db, &s, &total);
    while (!once && !stopping) {
        sleep(1);
        if (!stopping)
            rc = pass(db, &s, &total);
    }
    dd_db_close(db);
    printf("%zu events forwarded\n", total);
    return rc == DD_OK ? DD_EXIT_OK : DD_EXIT_FAIL;
}
