/* access_log.c — one row per access to a person's data. */
#include "core/access_log.h"
#include "base/clock.h"
#include "base/err.h"
#include "http/principal.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>

int
dd_access_log_write(struct dd_db *db, const struct dd_req *req, const char *id_number,
                    const char *action, const char *data, const char *purpose)
{
    const struct dd_principal *p = req->who;
    if (p == NULL)
        return DD_EINVAL;
    char now[32], actor[48];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    snprintf(actor, sizeof actor, "officer:%lld", (long long)p->id);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO access_log (id_number, at, actor, actor_name, role, "
                           "agency, action, data, purpose, request_id) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, actor);
    dd_stmt_bind_text(st, 4, p->display_name);
    dd_stmt_bind_text(st, 5, p->role);
    dd_stmt_bind_text(st, 6, p->agency);
    dd_stmt_bind_text(st, 7, action);
    dd_stmt_bind_text(st, 8, data);
    dd_stmt_bind_text(st, 9, purpose ? purpose : "");
    dd_stmt_bind_text(st, 10, req->request_id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}
