/*
 * me_access.c — "who looked at my data": GET /api/v1/me/access-log (a page, newest first) and
 * the whole five years as a download, GET /api/v1/me/access-log.csv and .json.
 *
 * Each row says who read or changed the person's data (the kind of reader, the agency and role;
 * the name of an establishment or a service, never an officer's own name), when, which data,
 * the action and the stated purpose. The person's own reads are not shown.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/consent/access_view.h"
#include "core/consent/api.h"
#include "http/reply.h"
#include "http/list.h"
#include "http/req.h"
#include "store/store.h"

/* ?cursor= of the access log: a position "DAY.ID", or the newest row when absent. */
static int
pos_or_reply(struct dd_req *req, int64_t now, struct dd_access_pos *pos)
{
    const char *c = dd_req_query(req, "cursor");
    if (c == NULL) {
        *pos = dd_access_pos_first(now);
        return DD_OK;
    }
    if (dd_access_pos_parse(c, pos) == DD_OK)
        return DD_OK;
    return cs_cursor_invalid(req);
}

/* GET /api/v1/me/access-log — a page of the caller's access log, newest first. */
int
cs_me_access_log(struct dd_req *req)
{
    const char *me = cs_me_or_reply(req);
    int64_t now = dd_clock_now_ms();
    int limit;
    struct dd_access_pos pos;
    if (me == NULL || dd_list_limit_or_reply(req, &limit) != DD_OK ||
        pos_or_reply(req, now, &pos) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_access_query q = {
        .id_number = me,
        .exclude_actor = cs_self_actor(req),
        .oldest_day = dd_access_oldest_day(now),
    };
    struct dd_access_entry *rows = dd_arena_alloc(req->arena, (size_t)limit * sizeof *rows);
    int n;
    bool more;
    int rc = dd_access_page(db, req->arena, &q, &pos, limit, rows, &n, &more);
    if (rc != DD_OK)
        return cs_fail(req, db, rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, cs_access_json(&rows[i]));
    char cursor[DD_ACCESS_POS_MAX];
    dd_access_pos_format(&pos, cursor);
    return dd_reply_json(req, 200,
                         json_pack("{s:o, s:o}", "items", items, "next_cursor",
                                   more ? json_string(cursor) : json_null()));
}

/* GET /api/v1/me/access-log.csv — every row of the last five years, newest first, as CSV. */
int
cs_me_access_log_csv(struct dd_req *req)
{
    const char *me = cs_me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    return cs_stream_access_log(req, me, CS_STREAM_CSV, NULL, "access-log.csv");
}

/* GET /api/v1/me/access-log.json — the same as {"items": […], "next_cursor": null}. */
int
cs_me_access_log_json(struct dd_req *req)
{
    const char *me = cs_me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    return cs_stream_access_log(req, me, CS_STREAM_JSON_ARRAY, NULL, "access-log.json");
}
