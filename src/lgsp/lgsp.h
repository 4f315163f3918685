/*
 * lgsp.h — the data-sharing gateway, LGSP (model 18; docs/LGSP.md): the `lgsp` module, its
 * start and stop, and what the command line needs (`dinhdanh lgsp log verify`).
 *
 * Agencies (members) publish services of their subsystems through the gateway; a consumer
 * subsystem calls `/lgsp/r1/<provider-subsystem-id>/<service-code>/…` with an access token of
 * the platform's OpenID provider, and the gateway checks the right, the consent where needed,
 * the quota and the rate, forwards the call, answers, and logs the exchange in a hash-chained
 * log signed in batches.
 */
#ifndef DD_LGSP_LGSP_H
#define DD_LGSP_LGSP_H

#include "http/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_config;
struct dd_db;

extern const struct dd_module dd_module_lgsp;

/* Loads (or makes, on first use) the gateway's Ed25519 signing key in
 * DATA_DIR/lgsp-signing.key and starts the forwarder's I/O thread and the log writer. Call once
 * before serving. DD_EIO with a sentence in err when the key cannot be read or made. */
int dd_lgsp_start(const struct dd_config *cfg, char *err, size_t errlen);

/* Stops the forwarder (after the server has stopped: no call is in flight) and writes what the
 * log still holds. */
void dd_lgsp_stop(void);

/* What dd_lgsp_log_verify found. */
struct dd_lgsp_verify_report {
    int64_t rows;          /* exchanges checked */
    int64_t batches;       /* signed batches checked */
    int64_t unsigned_rows; /* rows after the last signed batch (the writer signs every batch) */
    bool ok;
    int64_t bad_seq; /* the first exchange (or batch id, see reason) found wrong */
    char reason[200];
};

/* Walks the exchange log: every row's hash recomputed and linked to the previous one, sequence
 * numbers without gaps, every batch's signature checked against `public_key_hex` (the gateway's
 * key; NULL: the key in each batch row, which proves only integrity, not origin), and the head
 * row agreeing with the last row. DD_OK with report->ok; DD_ECHECKSUM when broken (report says
 * where); the database's error otherwise. */
int dd_lgsp_log_verify(struct dd_db *db, const char *public_key_hex,
                       struct dd_lgsp_verify_report *report);

/* The gateway's public key (64 hex digits) read from DATA_DIR/lgsp-signing.key into out.
 * DD_ENOTFOUND when there is no key yet, DD_EIO when it cannot be read. */
int dd_lgsp_public_key(const char *data_dir, char out[65]);

/* What `dinhdanh lgsp publish-register` publishes (publish.c). */
struct dd_lgsp_publish {
    const char *member;      /* the register's member code, e.g. "CA-KH" */
    const char *member_name; /* its name, when the member is made */
    const char *base_url;    /* where the register's API answers, e.g. "http://127.0.0.1:8080" */
    const char *officer;     /* the gateway's officer account (made when missing) */
    const char *province;    /* that account's province (2 digits) */
};

/* Publishes the register's person lookup, household and residence verification as services of
 * the subsystem VN/GOV/<member>/register, making the member, the subsystem and the officer
 * account when missing and giving the services a fresh token of that account. Idempotent: run
 * again, it only renews the services' upstream URL and token. DD_EINVAL with a sentence in err
 * for a bad member code, URL or province; another DD_E… when the database fails. */
int dd_lgsp_publish_register(struct dd_db *db, const struct dd_lgsp_publish *o, char *err,
                             size_t errlen);

#endif
