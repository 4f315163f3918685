/*
 * verify.c — `dinhdanh lgsp log verify`: the exchange log walked in pages of rows. Each row's
 * hash is recomputed from its fields and the previous row's hash; sequence numbers run from 1
 * without gaps; the batches cover the rows end to end, each signed (Ed25519) over its last row's
 * hash; the head row names the last row. An altered row breaks its hash, a removed or inserted
 * one breaks the links or the numbering, rows removed at the end disagree with the head and the
 * last batch, and a forged batch needs the gateway's key.
 */
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "lgsp/internal.h"
#include "lgsp/lgsp.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 1000

static int
broken(struct dd_lgsp_verify_report *r, int64_t seq, const char *reason)
{
    r->ok = false;
    r->bad_seq = seq;
    dd_strlcpy(r->reason, reason, sizeof r->reason);
    return DD_ECHECKSUM;
}

static int
walk_rows(struct dd_db *db, struct dd_lgsp_verify_report *r, char last_hash[65])
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT seq, at, consumer_id, service_id, method, path, status, "
                           "outcome, duration_us, request_hash, response_hash, request_id, "
                           "prev_hash, hash FROM lgsp_log WHERE seq > ? ORDER BY seq LIMIT 1000",
                           &st);
    if (rc != DD_OK)
        return rc;
    int64_t after = 0;
    last_hash[0] = '\0';
    for (;;) {
        dd_stmt_bind_int64(st, 1, after);
        int n = 0;
        while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
            n++;
            int64_t seq = dd_stmt_int64(st, 0);
            if (seq != after + 1) {
                dd_stmt_reset(st);
                return broken(r, after + 1, "missing: the sequence has a gap here");
            }
            if (strcmp(dd_stmt_text(st, 12), last_hash) != 0) {
                dd_stmt_reset(st);
                return broken(r, seq, "unlinked: prev_hash is not the previous row's hash");
            }
            char hash[65];
            lgsp_log_row_hash(seq, dd_stmt_text(st, 1), dd_stmt_text(st, 2), dd_stmt_text(st, 3),
                              dd_stmt_text(st, 4), dd_stmt_text(st, 5), dd_stmt_int64(st, 6),
                              dd_stmt_text(st, 7), dd_stmt_int64(st, 8), dd_stmt_text(st, 9),
                              dd_stmt_text(st, 10), dd_stmt_text(st, 11), dd_stmt_text(st, 12),
                              hash);
            if (strcmp(hash, dd_stmt_text(st, 13)) != 0) {
                dd_stmt_reset(st);
                return broken(r, seq, "altered: the row's fields do not give its hash");
            }
            memcpy(last_hash, hash, 65);
            after = seq;
            r->rows++;
        }
        dd_stmt_reset(st);
        if (rc < 0)
            return rc;
        if (n < PAGE)
            return DD_OK;
    }
}

static bool
signature_ok(const char *pk_hex, const char *sig_hex, const char *msg)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    size_t n = 0;
    if (sodium_hex2bin(pk, sizeof pk, pk_hex, strlen(pk_hex), NULL, &n, NULL) != 0 ||
        n != sizeof pk)
        return false;
    if (sodium_hex2bin(sig, sizeof sig, sig_hex, strlen(sig_hex), NULL, &n, NULL) != 0 ||
        n != sizeof sig)
        return false;
    return crypto_sign_verify_detached(sig, (const unsigned char *)msg, strlen(msg), pk) == 0;
}

/* The hash stored in row `seq`, or "" when there is none. */
static int
row_hash(struct dd_db *db, int64_t seq, char out[65])
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "SELECT hash FROM lgsp_log WHERE seq = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, seq);
    rc = dd_stmt_step(st);
    out[0] = '\0';
    if (rc == DD_DB_ROW)
        dd_strlcpy(out, dd_stmt_text(st, 0), 65);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
walk_batches(struct dd_db *db, const char *pk_hex, struct dd_lgsp_verify_report *r,
             int64_t *signed_upto)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, first_seq, last_seq, last_hash, public_key, signature "
                           "FROM lgsp_log_batches ORDER BY id",
                           &st);
    if (rc != DD_OK)
        return rc;
    /* Read first, check after: the checks read rows on the same connection. */
    struct batch {
        int64_t id, first, last;
        char hash[65], pk[65], sig[129];
    };
    size_t cap = 64, n = 0;
    struct batch *b = dd_xcalloc(cap, sizeof *b);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (n == cap) {
            cap *= 2;
            b = dd_xrealloc(b, cap * sizeof *b);
        }
        b[n].id = dd_stmt_int64(st, 0);
        b[n].first = dd_stmt_int64(st, 1);
        b[n].last = dd_stmt_int64(st, 2);
        dd_strlcpy(b[n].hash, dd_stmt_text(st, 3), sizeof b[n].hash);
        dd_strlcpy(b[n].pk, dd_stmt_text(st, 4), sizeof b[n].pk);
        dd_strlcpy(b[n].sig, dd_stmt_text(st, 5), sizeof b[n].sig);
        n++;
    }
    dd_stmt_reset(st);
    if (rc < 0) {
        free(b);
        return rc;
    }
    int64_t expect = 1;
    rc = DD_OK;
    for (size_t i = 0; i < n && rc == DD_OK; i++) {
        char msg[160], hash[65];
        if (b[i].first != expect) {
            rc = broken(r, expect, "batch: the signed batches do not cover this row");
            break;
        }
        rc = row_hash(db, b[i].last, hash);
        if (rc != DD_OK)
            break;
        if (strcmp(hash, b[i].hash) != 0) {
            rc = broken(r, b[i].last, "batch: the signed hash is not this row's");
            break;
        }
        lgsp_batch_message(b[i].first, b[i].last, b[i].hash, msg, sizeof msg);
        if ((pk_hex && strcmp(pk_hex, b[i].pk) != 0) || !signature_ok(b[i].pk, b[i].sig, msg)) {
            rc = broken(r, b[i].last, "batch: the signature is not the gateway's");
            break;
        }
        expect = b[i].last + 1;
        r->batches++;
    }
    free(b);
    *signed_upto = expect - 1;
    return rc;
}

int
dd_lgsp_log_verify(struct dd_db *db, const char *public_key_hex, struct dd_lgsp_verify_report *r)
{
    memset(r, 0, sizeof *r);
    r->ok = true;
    char last[65];
    int rc = dd_db_begin_read(db);
    if (rc != DD_OK)
        return rc;
    rc = walk_rows(db, r, last);
    int64_t signed_upto = 0;
    if (rc == DD_OK)
        rc = walk_batches(db, public_key_hex, r, &signed_upto);
    struct dd_stmt *st;
    if (rc == DD_OK)
        rc = dd_db_prepare(db, "SELECT last_seq, last_hash FROM lgsp_log_head WHERE id = 1", &st);
    if (rc == DD_OK) {
        int step = dd_stmt_step(st);
        int64_t head_seq = step == DD_DB_ROW ? dd_stmt_int64(st, 0) : -1;
        char head_hash[65] = "";
        if (step == DD_DB_ROW)
            dd_strlcpy(head_hash, dd_stmt_text(st, 1), sizeof head_hash);
        dd_stmt_reset(st);
        if (step < 0)
            rc = step;
        else if (head_seq != r->rows || strcmp(head_hash, last) != 0)
            rc = broken(r, r->rows + 1,
                        "truncated: the head names a last row that is not the log's last");
        else if ((r->unsigned_rows = r->rows - signed_upto) != 0)
            rc = broken(r, signed_upto + 1, "unsigned: rows after the last signed batch");
    }
    dd_db_rollback(db);
    if (rc != DD_OK && rc != DD_ECHECKSUM)
        dd_strlcpy(r->reason, dd_db_errmsg(db), sizeof r->reason);
    return rc;
}
