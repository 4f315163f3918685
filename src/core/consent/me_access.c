/*
 * me_access.c — "who looked at my data": GET /api/v1/me/access-log (a page, newest first) and
 * the whole five years as a download, GET /api/v1/me/access-log.csv and .json.
 *
 * Each row says who read or changed the person's data (the kind of reader, the agency and role;
 * the name of an establishment or a service, never an officer's own name), when, which data,
 * the action and the stated purpose. The person's own reads are not shown. A page may be
 * narrowed to a period (?from=, ?to=: days in Vietnam, YYYY-MM-DD), a kind of reader (?reader=
 * officer, establishment, client, citizen, system) and an action (?action= read, search, change,
 * export); a narrowed page may hold fewer than ?limit rows and still have a next_cursor.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/consent/access_view.h"
#include "core/consent/api.h"
#include "http/reply.h"
#include "http/list.h"
#include "http/req.h"
#include "core/consent/dates.h"
#include "http/problem.h"
#include "store/store.h"

#include <string.h>

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

/* What a page is narrowed to; zero days and NULL strings for no narrowing. */
struct narrowing {
    int64_t from_day, to_day; /* days in Vietnam */
    const char *reader;
    const char *action;
};

/* Pages read for one narrowed page at most: a sparse match gives a short page, not a long wait. */
#define NARROW_PAGES 20

static bool
one_of(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return true;
    return false;
}

/* ?from= ?to= ?reader= ?action=, or a 400 reply listing what is wrong. */
static int
narrowing_or_reply(struct dd_req *req, struct narrowing *nw)
{
    static const char *const readers[] = {"officer", "establishment", "client",
                                          "citizen", "system",        NULL};
    static const char *const actions[] = {"read", "search", "change", "export", NULL};
    *nw = (struct narrowing){0};
    json_t *ext = NULL;
    const char *from = dd_req_query(req, "from"), *to = dd_req_query(req, "to");
    if (from && dd_date_parse(from, 0, &nw->from_day) != DD_OK)
        ext =
            dd_problem_add_error(ext, req, "from", "date-invalid",
                                 "from là một ngày dạng YYYY-MM-DD.", "from is a YYYY-MM-DD day.");
    if (to && dd_date_parse(to, 0, &nw->to_day) != DD_OK)
        ext = dd_problem_add_error(ext, req, "to", "date-invalid",
                                   "to là một ngày dạng YYYY-MM-DD.", "to is a YYYY-MM-DD day.");
    if (ext == NULL && from && to && nw->from_day > nw->to_day)
        ext = dd_problem_add_error(ext, req, "to", "period-reversed", "to không được trước from.",
                                   "to cannot be before from.");
    nw->reader = dd_req_query(req, "reader");
    if (nw->reader && !one_of(nw->reader, readers))
        ext = dd_problem_add_error(ext, req, "reader", "reader-invalid",
                                   "reader là officer, establishment, client, citizen hoặc system.",
                                   "reader is officer, establishment, client, citizen or system.");
    nw->action = dd_req_query(req, "action");
    if (nw->action && !one_of(nw->action, actions))
        ext = dd_problem_add_error(ext, req, "action", "action-invalid",
                                   "action là read, search, change hoặc export.",
                                   "action is read, search, change or export.");
    if (ext == NULL)
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

/* The day in Vietnam (UTC+7) of a row's UTC time "YYYY-MM-DDTHH:…". */
static int64_t
vietnam_day(const char *at)
{
    int64_t day = 0;
    if (dd_date_parse(at, 1, &day) != DD_OK || strlen(at) < 13)
        return 0;
    int hour = (at[11] - '0') * 10 + (at[12] - '0');
    return hour >= 17 ? day + 1 : day;
}

static bool
narrowing_keeps(const struct narrowing *nw, const struct dd_access_entry *e)
{
    int64_t day = nw->from_day || nw->to_day ? vietnam_day(e->at) : 0;
    return (nw->from_day == 0 || day >= nw->from_day) && (nw->to_day == 0 || day <= nw->to_day) &&
           (nw->reader == NULL || strcmp(dd_access_reader_kind(e->actor), nw->reader) == 0) &&
           (nw->action == NULL || strcmp(e->action, nw->action) == 0);
}

/* GET /api/v1/me/access-log — a page of the caller's access log, newest first. */
int
cs_me_access_log(struct dd_req *req)
{
    const char *me = cs_me_or_reply(req);
    int64_t now = dd_clock_now_ms();
    int limit;
    struct dd_access_pos pos;
    struct narrowing nw;
    if (me == NULL || dd_list_limit_or_reply(req, &limit) != DD_OK ||
        pos_or_reply(req, now, &pos) != DD_OK || narrowing_or_reply(req, &nw) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_access_query q = {
        .id_number = me,
        .exclude_actor = cs_self_actor(req),
        .oldest_day = dd_access_oldest_day(now),
    };
    /* Rows are filed by UTC day; a day in Vietnam starts on the UTC day before. */
    if (nw.from_day && nw.from_day - 1 > q.oldest_day)
        q.oldest_day = nw.from_day - 1;
    if (nw.to_day && nw.to_day < pos.day)
        pos = (struct dd_access_pos){.day = nw.to_day, .id = INT64_MAX};
    struct dd_access_entry *rows = dd_arena_alloc(req->arena, (size_t)limit * sizeof *rows);
    json_t *items = json_array();
    int kept = 0;
    bool more = true;
    for (int page = 0; page < NARROW_PAGES && more && kept < limit; page++) {
        int n;
        int rc = dd_access_page(db, req->arena, &q, &pos, limit - kept, rows, &n, &more);
        if (rc != DD_OK) {
            json_decref(items);
            return cs_fail(req, db, rc);
        }
        for (int i = 0; i < n; i++) {
            if (narrowing_keeps(&nw, &rows[i])) {
                json_array_append_new(items, cs_access_json(&rows[i]));
                kept++;
            }
        }
    }
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
