/*
 * confirm.c — the first half of every confirmation by one-time code (a registration, a password
 * reset): throttling, the account, the code. Whatever is wrong — an unknown login, an account in
 * another state, no code, a wrong, expired or used code — gets the same 422 code-invalid, is
 * counted as a failure of the login and network (throttle.c), and is written to the history.
 */
#include "base/clock.h"
#include "base/err.h"
#include "core/identity/confirm.h"
#include "core/identity/internal.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

/* Writes the failure, counts it, commits, and replies code-invalid. */
static int
refuse(struct dd_req *req, struct dd_db *db, struct id_confirm *c, int64_t account_id,
       const char *reason)
{
    struct id_attempt a = {.account_id = account_id,
                           .login = c->login,
                           .method = "otc",
                           .level = account_id ? c->acc.level : 0,
                           .reason = reason,
                           .client = &c->client};
    int rc = dd_db_in_transaction(db) ? DD_OK : dd_db_begin(db);
    if (rc == DD_OK)
        rc = id_history_write(db, &a, c->now_ms);
    if (rc == DD_OK)
        rc = id_throttle_fail(db, &c->keys, c->now_ms);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    return id_problem_reply(req, ID_PROBLEM_CODE_INVALID, NULL);
}

int
id_confirm_begin_or_reply(struct dd_req *req, struct dd_db *db, struct id_confirm *c,
                          const char *typed_login, const char *code, enum id_code_purpose p,
                          const char *status)
{
    c->now_ms = dd_clock_now_ms();
    id_client_read(req, &c->client);
    const char *login = id_login_canon(req->arena, typed_login);
    c->login = login ? login : "";
    id_throttle_keys(c->login, &c->client, &c->keys);
    int64_t wait = 0;
    int rc = id_throttle_wait(db, &c->keys, c->now_ms, &wait);
    if (rc != DD_OK) {
        id_fail(req, db, rc);
        return -1;
    }
    if (wait > 0) {
        id_reply_throttled(req, wait);
        return -1;
    }
    rc = login ? id_account_by_login(db, req->arena, login, &c->acc) : DD_ENOTFOUND;
    if (rc != DD_OK && rc != DD_ENOTFOUND) {
        id_fail(req, db, rc);
        return -1;
    }
    if (rc == DD_ENOTFOUND || strcmp(c->acc.status, status) != 0) {
        refuse(req, db, c, rc == DD_OK ? c->acc.id : 0,
               rc == DD_OK ? "account-state" : "unknown-login");
        return -1;
    }
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = id_code_check(db, c->acc.id, p, code, c->now_ms);
    if (rc == DD_OK)
        return 0;
    if (rc == DD_EDENIED || rc == DD_ENOTFOUND || rc == DD_EINVAL)
        refuse(req, db, c, c->acc.id, rc == DD_EDENIED ? "bad-code" : "no-usable-code");
    else
        id_fail(req, db, rc);
    return -1;
}

int
id_confirm_succeeded(struct dd_db *db, struct id_confirm *c, const char *reason)
{
    struct id_attempt a = {.account_id = c->acc.id,
                           .login = c->login,
                           .method = "otc",
                           .level = c->acc.level,
                           .success = true,
                           .reason = reason,
                           .client = &c->client};
    int rc = id_history_write(db, &a, c->now_ms);
    if (rc == DD_OK)
        rc = id_throttle_clear(db, &c->keys);
    return rc;
}
