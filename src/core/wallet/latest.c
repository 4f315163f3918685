/*
 * latest.c — the newest valid document of a type in a holder's wallet, for procedures that fill
 * a form from the wallet instead of having the citizen type again what an agency already issued.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/wallet/wallet.h"
#include "store/store.h"

int
dd_wallet_latest_claims(struct dd_db *db, struct dd_arena *a, const char *holder, const char *vct,
                        int64_t now_ms, struct dd_wallet_verdict *v)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT public_id FROM wallet_credentials WHERE holder = ? AND vct = ? "
                           "AND revoked_at = 0 AND expires_at > ? ORDER BY id DESC LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, holder);
    dd_stmt_bind_text(st, 2, vct);
    dd_stmt_bind_int64(st, 3, now_ms);
    rc = dd_stmt_step(st);
    const char *id = rc == DD_DB_ROW ? dd_arena_strdup(a, dd_stmt_text(st, 0)) : NULL;
    dd_stmt_reset(st);
    if (rc != DD_DB_ROW)
        return rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
    return dd_wallet_document_claims(db, a, id, holder, now_ms, v);
}
