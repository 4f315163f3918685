/*
 * events.c — `dinhdanh events emit TYPE SUBJECT [JSON]` writes a domain event into the outbox;
 * `dinhdanh events status` shows how far each consumer has got.
 */
#include "base/err.h"
#include "cmd/cmd.h"
#include "core/events.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
help(void)
{
    printf("Usage: dinhdanh events emit TYPE SUBJECT [PAYLOAD_JSON] [--db URL]\n"
           "       dinhdanh events status [--db URL]\n"
           "emit writes one event (TYPE a dotted lower-case name such as person.moved) in its\n"
           "own transaction; status prints CONSUMER<TAB>POSITION<TAB>PENDING per consumer.\n\n");
    dd_cmd_print_settings();
}

static int
emit(struct dd_db *db, const struct dd_cmd_args *args)
{
    if (args->npositional < 3) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh events emit TYPE SUBJECT [PAYLOAD_JSON]\n");
        return DD_EXIT_USAGE;
    }
    const char *payload = args->npositional > 3 ? args->positional[3] : "{}";
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_event_emit(db, args->positional[1], args->positional[2], payload);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK) {
        if (dd_db_in_transaction(db))
            dd_db_rollback(db);
        fprintf(stderr, "dinhdanh: event not written: %s%s%s\n", dd_strerror(rc),
                rc == DD_EINVAL ? "" : ": ", rc == DD_EINVAL ? "" : dd_db_errmsg(db));
        return rc == DD_EINVAL ? DD_EXIT_USAGE : DD_EXIT_FAIL;
    }
    printf("event written\n");
    return DD_EXIT_OK;
}

static int
status(struct dd_db *db)
{
    struct dd_consumer_status *rows = NULL;
    size_t n = 0;
    int64_t last = 0;
    int rc = dd_events_status(db, dd_event_consumers(), &rows, &n, &last);
    if (rc != DD_OK) {
        fprintf(stderr, "dinhdanh: cannot read the outbox: %s\n", dd_db_errmsg(db));
        return DD_EXIT_FAIL;
    }
    for (size_t i = 0; i < n; i++)
        printf("%s\t%lld\t%lld\n", rows[i].consumer, (long long)rows[i].position,
               (long long)rows[i].pending);
    free(rows);
    return DD_EXIT_OK;
}

int
dd_cmd_events(int argc, char **argv)
{
    struct dd_cmd_args args;
    int rc = dd_cmd_parse(argc, argv, NULL, 4, &args);
    if (rc != DD_EXIT_OK)
        return rc;
    if (args.help) {
        help();
        return DD_EXIT_OK;
    }
    bool is_emit = args.npositional >= 1 && strcmp(args.positional[0], "emit") == 0;
    bool is_status = args.npositional == 1 && strcmp(args.positional[0], "status") == 0;
    if (!is_emit && !is_status) {
        fprintf(stderr, "dinhdanh: usage: dinhdanh events emit|status (see --help)\n");
        return DD_EXIT_USAGE;
    }
    struct dd_db *db;
    if (dd_cmd_open_db(&args.cfg, &db) != DD_EXIT_OK)
        return DD_EXIT_FAIL;
    rc = is_emit ? emit(db, &args) : status(db);
    dd_db_close(db);
    return rc;
}
