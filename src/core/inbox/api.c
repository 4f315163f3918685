/*
 * api.c — the `inbox` module: its event consumer, which turns the events about a person into
 * inbox messages, and the citizen's routes:
 *
 *   GET  /api/v1/me/notifications            {items, next_cursor, unread}; ?unread=true, ?limit,
 *                                            ?cursor (the id of the last message seen)
 *   POST /api/v1/me/notifications/{id}/read  the message, now read (200; already read: the same)
 *
 * Both need a level-1 e-identity tied to a personal ID number and act on req->who->id_number
 * only: someone else's message is 404.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/inbox/inbox.h"
#include "http/list.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "http/route.h"
#include "store/store.h"

#include <string.h>

static int
on_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)arg;
    return dd_inbox_from_event(db, ev);
}

/* The caller's personal ID number, or NULL after replying 403. */
static const char *
me_or_reply(struct dd_req *req)
{
    const struct dd_principal *who = req->who;
    if (who && who->kind == DD_PRINCIPAL_CITIZEN && dd_str_all_digits(who->id_number, 12))
        return who->id_number;
    dd_reply_problem_detail(req, DD_PROBLEM_FORBIDDEN,
                            "Tài khoản này không gắn với số định danh cá nhân.",
                            "This account is not tied to a personal ID number.", NULL);
    return NULL;
}

/* Reads ?cursor, ?unread and ?limit; replies 400 naming each bad one. */
static int
query_or_reply(struct dd_req *req, int64_t *before, bool *unread, int *limit)
{
    json_t *ext = dd_list_limit(req, NULL, limit);
    const char *c = dd_req_query(req, "cursor");
    *before = 0;
    if (c && dd_parse_int64(c, 1, INT64_MAX, before) != DD_OK)
        ext = dd_problem_add_error(ext, req, "cursor", "cursor-invalid",
                                   "Con trỏ trang không hợp lệ.", "The cursor is not valid.");
    const char *u = dd_req_query(req, "unread");
    *unread = u && strcmp(u, "true") == 0;
    if (u && strcmp(u, "true") != 0 && strcmp(u, "false") != 0)
        ext = dd_problem_add_error(ext, req, "unread", "unread-invalid",
                                   "unread là true hoặc false.", "unread is true or false.");
    if (ext == NULL)
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

static json_t *
message_json(const struct dd_inbox_message *m)
{
    json_t *data = json_loads(m->data, 0, NULL);
    return json_pack("{s:I, s:s, s:o, s:s, s:o, s:b}", "id", (json_int_t)m->id, "kind", m->kind,
                     "data", data ? data : json_object(), "created_at", m->created_at, "read_at",
                     m->read_at[0] ? json_string(m->read_at) : json_null(), "read",
                     m->read_at[0] != '\0');
}

static int
list(struct dd_req *req)
{
    const char *me = me_or_reply(req);
    int64_t before;
    bool unread;
    int limit;
    if (me == NULL || query_or_reply(req, &before, &unread, &limit) != DD_OK)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_inbox_message *msgs = dd_arena_alloc(req->arena, (size_t)limit * sizeof *msgs);
    int n;
    bool more;
    int64_t count = 0;
    int rc = dd_inbox_list(db, req->arena, me, before, unread, limit, msgs, &n, &more);
    if (rc == DD_OK)
        rc = dd_inbox_unread(db, me, &count);
    if (rc != DD_OK)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, message_json(&msgs[i]));
    json_t *next = more ? json_sprintf("%lld", (long long)msgs[n - 1].id) : json_null();
    return dd_reply_json(req, 200,
                         json_pack("{s:o, s:o, s:I}", "items", items, "next_cursor", next, "unread",
                                   (json_int_t)count));
}

static int
mark_read(struct dd_req *req)
{
    const char *me = me_or_reply(req);
    if (me == NULL)
        return DD_DONE;
    int64_t id;
    const char *s = dd_req_param(req, "id");
    if (s == NULL || dd_parse_int64(s, 1, INT64_MAX, &id) != DD_OK)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    char now[32];
    dd_clock_iso8601(dd_clock_now_ms(), now);
    struct dd_inbox_message m;
    int rc = dd_inbox_mark_read(db, req->arena, me, id, now, &m);
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    if (rc != DD_OK)
        return rc;
    return dd_reply_json(req, 200, message_json(&m));
}

static const struct dd_route inbox_routes[] = {
    DD_ROUTE("GET", "/api/v1/me/notifications", list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("POST", "/api/v1/me/notifications/{id}/read", mark_read, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTES_END,
};

const struct dd_module dd_module_inbox = {
    .name = "inbox",
    .routes = inbox_routes,
    .on_event = on_event,
    .event_types = (const char *const[]){"consent.changed", "correction.", "dossier.changed", NULL},
};
