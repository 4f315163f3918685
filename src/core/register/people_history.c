/*
 * people_history.c — GET /api/v1/people/{id}/history: every change to a person, in version
 * order, a page at a time, each with who made it, when, why, on what legal basis, and the fields
 * that went from what to what. Folding the entries in order gives the person as stored.
 *
 * The entries are the person_history rows, except version 1 of a person stored by a bulk load
 * and not changed since, which is the load's record with the person's own values (history.h).
 * Officers state a purpose (X-Purpose), and the read is written to the person's access log.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "core/register/api.h"
#include "core/purpose.h"
#include "core/register/history.h"
#include "http/list.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdint.h>

/* ?cursor= of the history: the last version seen. */
static int
history_cursor_or_reply(struct dd_req *req, int64_t *after)
{
    const char *c = dd_req_query(req, "cursor");
    *after = 0;
    if (c == NULL || dd_parse_int64(c, 0, INT64_MAX, after) == DD_OK)
        return DD_OK;
    json_t *ext = dd_problem_add_error(NULL, req, "cursor", "cursor-invalid",
                                       "Con trỏ trang không hợp lệ; dùng next_cursor nhận được.",
                                       "The cursor is not valid; use the next_cursor received.");
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

static void
write_entry(struct reg_jw *w, const struct dd_reg_history_entry *e)
{
    reg_jw_open(w, NULL, '{');
    reg_jw_int(w, "version", e->version);
    reg_jw_str(w, "kind", e->kind);
    reg_jw_str(w, "at", e->at);
    reg_jw_str(w, "actor", e->actor);
    reg_jw_raw(w, "changes", e->changes);
    reg_jw_str(w, "reason", e->reason);
    reg_jw_str(w, "legal_basis", e->legal_basis);
    reg_jw_str(w, "dossier", e->dossier);
    reg_jw_str(w, "request_id", e->request_id);
    reg_jw_close(w, '}');
}

/* Writes version 1 if a bulk load keeps it (history.h) and the page starts before it; counts it
 * in *n and moves *last to it. */
static int
write_imported(struct reg_jw *w, struct dd_db *db, struct dd_arena *a,
               const struct dd_reg_person *rp, int64_t after, int *n, int64_t *last)
{
    if (after >= 1)
        return DD_OK;
    struct dd_reg_history_entry first;
    int rc = dd_reg_history_imported(db, a, rp, &first);
    if (rc == DD_ENOTFOUND)
        return DD_OK;
    if (rc != DD_OK)
        return rc;
    write_entry(w, &first);
    (*n)++;
    *last = 1;
    return DD_OK;
}

/* Writes "items": at most `limit` entries after version `after`; *more if others follow. */
static int
write_history(struct reg_jw *w, struct dd_db *db, struct dd_arena *a,
              const struct dd_reg_person *rp, int64_t after, int limit, int64_t *last, bool *more)
{
    int n = 0;
    *more = false;
    reg_jw_open(w, "items", '[');
    int rc = write_imported(w, db, a, rp, after, &n, last);
    if (rc != DD_OK)
        return rc;
    struct dd_stmt *st;
    rc = dd_db_prepare(db,
                       "SELECT version, kind, at, actor, changes, reason, legal_basis, dossier, "
                       "request_id FROM person_history WHERE id_number = ? AND version > ? "
                       "ORDER BY version LIMIT ?",
                       &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, rp->p.id_number);
    dd_stmt_bind_int64(st, 2, *last);
    dd_stmt_bind_int64(st, 3, limit - n + 1);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (n++ == limit) {
            *more = true;
            break;
        }
        struct dd_reg_history_entry e = {
            .version = dd_stmt_int64(st, 0),
            .kind = dd_stmt_text(st, 1),
            .at = dd_stmt_text(st, 2),
            .actor = dd_stmt_text(st, 3),
            .changes = dd_stmt_text(st, 4),
            .reason = dd_stmt_text(st, 5),
            .legal_basis = dd_stmt_text(st, 6),
            .dossier = dd_stmt_text(st, 7),
            .request_id = dd_stmt_text(st, 8),
        };
        *last = e.version;
        write_entry(w, &e);
    }
    reg_jw_close(w, ']');
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* GET /api/v1/people/{id}/history — the person's changes in version order, paged: 200 with
 * {"items", "next_cursor"}; 400 without X-Purpose or with a bad limit or cursor; 404 if there is
 * no such person in the caller's area. */
int
reg_people_history(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    int limit;
    int64_t after;
    if (dd_list_limit_or_reply(req, &limit) != DD_OK ||
        history_cursor_or_reply(req, &after) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_reg_person rp;
    if (reg_person_or_reply(req, db, dd_req_param(req, "id"), &rp) != DD_OK)
        return DD_DONE;
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    reg_jw_open(&w, NULL, '{');
    int64_t last = after;
    bool more;
    int rc = write_history(&w, db, req->arena, &rp, after, limit, &last, &more);
    if (rc == DD_OK) {
        const char *ids[] = {rp.p.id_number};
        rc = dd_reg_access_reads(db, req, ids, 1, "read", "history", purpose);
    }
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    if (more)
        reg_jw_str(&w, "next_cursor", dd_arena_printf(req->arena, "%lld", (long long)last));
    else
        reg_jw_null(&w, "next_cursor");
    reg_jw_close(&w, '}');
    return reg_jw_reply(req, 200, &w);
}
