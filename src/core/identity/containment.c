/*
 * containment.c — what the security operations centre may do to an account during an incident
 * (core/soc): lock it and end its sessions, or only end its sessions. Both run inside the
 * caller's transaction and emit their event; the caller forgets the account in the session cache
 * once it has committed (dd_identity_forget_account).
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "store/store.h"

#include <string.h>

int
dd_identity_contain_lock(struct dd_db *db, int64_t account_id, const char *reason,
                         const char *actor)
{
    struct dd_arena *a = dd_arena_new(1024);
    struct id_account acc;
    int64_t now_ms = dd_clock_now_ms();
    int rc = id_account_by_id(db, a, account_id, &acc);
    if (rc == DD_OK && (strcmp(acc.status, "disabled") == 0 || strcmp(acc.status, "pending") == 0))
        rc = DD_ECONFLICT;
    if (rc == DD_OK)
        rc = id_account_set_status(db, account_id, "locked", reason, now_ms);
    if (rc == DD_OK)
        rc = id_sessions_end_all(db, account_id, "locked", now_ms);
    if (rc == DD_OK)
        rc = id_event(db, "account.locked", account_id,
                      json_pack("{s:I, s:s, s:s}", "account_id", (json_int_t)account_id, "by",
                                actor, "reason", reason));
    dd_arena_free(a);
    return rc;
}

int
dd_identity_contain_revoke(struct dd_db *db, int64_t account_id, const char *actor)
{
    struct dd_arena *a = dd_arena_new(1024);
    struct id_account acc;
    int rc = id_account_by_id(db, a, account_id, &acc);
    if (rc == DD_OK)
        rc = id_sessions_end_all(db, account_id, "revoked", dd_clock_now_ms());
    if (rc == DD_OK)
        rc = id_event(db, "account.sessions_revoked", account_id,
                      json_pack("{s:I, s:s}", "account_id", (json_int_t)account_id, "by", actor));
    dd_arena_free(a);
    return rc;
}

void
dd_identity_forget_account(int64_t account_id)
{
    id_session_cache_forget_account(account_id);
}
