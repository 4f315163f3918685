/*
 * watch.c — the province police's watch list, the alerts its hits raise, and where a commune's
 * police receive them.
 *
 * An entry is an ID number (9 or 12 digits) or a passport ("NAT:NUMBER"), with a reason; only a
 * province-wide officer adds or removes one. A check-in of a watched guest writes an alert and
 * the event stay.watch_hit in its own transaction (write.c); as soon as that is committed, the
 * request sends the alert to each contact of the commune, with the establishment and the room,
 * and marks it notified. The establishment is never told.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/str.h"
#include "core/events.h"
#include "core/notify/notify.h"
#include "core/stays/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int
province_only_or_reply(struct dd_req *req)
{
    if (dd_principal_province_wide(req->who))
        return 0;
    stay_problem_reply(req, STAY_PROBLEM_PROVINCE_ONLY, NULL);
    return -1;
}

/* "id:<number>" for 9 or 12 digits, "pp:NAT:NUMBER" for a passport; NULL otherwise. */
static const char *
watch_key(struct dd_req *req, const char *subject)
{
    size_t n = subject ? strlen(subject) : 0;
    if ((n == 12 || n == 9) && dd_str_all_digits(subject, n))
        return dd_arena_printf(req->arena, "id:%s", subject);
    if (n >= 9 && n <= 24 && subject[3] == ':') {
        for (size_t i = 0; i < n; i++)
            if (i != 3 && !((subject[i] >= 'A' && subject[i] <= 'Z') ||
                            (subject[i] >= '0' && subject[i] <= '9')))
                return NULL;
        return dd_arena_printf(req->arena, "pp:%s", subject);
    }
    return NULL;
}

static json_t *
watch_json(struct dd_stmt *st)
{
    const char *key = dd_stmt_text(st, 1);
    const char *removed = dd_stmt_text(st, 7);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?}", "id",
                     (json_int_t)dd_stmt_int64(st, 0), "subject", key + 3, "full_name",
                     dd_stmt_text(st, 2), "reason", dd_stmt_text(st, 3), "province",
                     dd_stmt_text(st, 4), "added_by", dd_stmt_text(st, 5), "added_at",
                     dd_stmt_text(st, 6), "removed_at", removed[0] ? removed : NULL, "removed_by",
                     dd_stmt_text(st, 8)[0] ? dd_stmt_text(st, 8) : NULL);
}

#define WATCH_COLS                                                                                 \
    "id, guest_key, full_name, reason, province_code, added_by, added_at, removed_at, removed_by"

/* GET /api/v1/stays/police/watchlist?cursor=&limit= — the active entries of the province. */
int
stay_watch_list(struct dd_req *req)
{
    int limit;
    int64_t cursor;
    if (province_only_or_reply(req) != 0 || stay_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " WATCH_COLS " FROM stay_watchlist WHERE province_code = ? AND "
                           "removed_at = '' AND id > ? ORDER BY id LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, req->who->province);
    dd_stmt_bind_int64(st, 2, cursor);
    dd_stmt_bind_int64(st, 3, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && n < limit) {
        json_array_append_new(items, watch_json(st));
        last = dd_stmt_int64(st, 0);
        n++;
    }
    bool more = rc == DD_DB_ROW;
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return stay_fail(req, db, rc);
    }
    return stay_page_reply(req, items, more ? last : 0);
}

static const char *const watch_fields[] = {"subject", "full_name", "reason", NULL};

/* POST /api/v1/stays/police/watchlist — {"subject": ID number or "NAT:PASSPORT", "full_name",
 * "reason"}: 201 with the entry; 400 (nothing stored); 403 for a commune officer; 409 when the
 * subject is on the list already. */
int
stay_watch_add(struct dd_req *req)
{
    if (province_only_or_reply(req) != 0)
        return DD_DONE;
    json_t *body = req->json, *ext = NULL;
    const char *subject = json_string_value(json_object_get(body, "subject"));
    const char *name = json_string_value(json_object_get(body, "full_name"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    const char *key = watch_key(req, subject);
    const char *k;
    json_t *v;
    if (json_is_object(body))
        json_object_foreach(body, k, v)
        {
            if (!stay_field_allowed(watch_fields, k))
                ext = dd_problem_add_error(ext, req, k, "unknown-field",
                                           "Trường này không được chấp nhận.",
                                           "This field is not accepted.");
        }
    if (key == NULL)
        ext = dd_problem_add_error(ext, req, "subject", "subject-invalid",
                                   "Cần số định danh (12 hoặc 9 chữ số) hoặc QUỐCTỊCH:SỐHỘCHIẾU.",
                                   "An ID number (12 or 9 digits) or NAT:PASSPORT is required.");
    if (reason == NULL || reason[0] == '\0' || strlen(reason) > 500)
        ext = dd_problem_add_error(ext, req, "reason", "required", "Cần lý do (tối đa 500 byte).",
                                   "A reason is required (up to 500 bytes).");
    if (name && (strlen(name) > STAY_TEXT_MAX || dd_str_has_control(name)))
        ext = dd_problem_add_error(ext, req, "full_name", "too-long", "Họ tên dài quá 200 byte.",
                                   "The name is longer than 200 bytes.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *now = stay_now_text(req, dd_clock_now_ms());
    const char *actor = stay_actor(req);
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO stay_watchlist (guest_key, full_name, reason, "
                           "province_code, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?) "
                           "RETURNING " WATCH_COLS,
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, key);
    dd_stmt_bind_text(st, 2, name ? name : "");
    dd_stmt_bind_text(st, 3, reason);
    dd_stmt_bind_text(st, 4, req->who->province);
    dd_stmt_bind_text(st, 5, actor);
    dd_stmt_bind_text(st, 6, now);
    rc = dd_stmt_step(st);
    json_t *entry = rc == DD_DB_ROW ? watch_json(st) : NULL;
    dd_stmt_reset(st);
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, "Đối tượng đã có trong danh sách.",
                                       "The subject is on the watch list already.", NULL);
    }
    rc = rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_EDB : rc;
    if (rc == DD_OK)
        rc = dd_event_emit(db, "stay.watch_added", NULL,
                           stay_dump(req, json_pack("{s:O, s:s}", "id",
                                                    json_object_get(entry, "id"), "by", actor)));
    if (rc != DD_OK) {
        json_decref(entry);
        return stay_fail(req, db, rc);
    }
    return stay_commit_reply(req, db, NULL, 201, entry, NULL);
}

/* POST /api/v1/stays/police/watchlist/{id}/removals — 204; 404 when no such active entry. */
int
stay_watch_remove(struct dd_req *req)
{
    if (province_only_or_reply(req) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int64_t id;
    if (dd_parse_int64(dd_req_param(req, "id"), 1, INT64_MAX, &id) != DD_OK)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE stay_watchlist SET removed_at = ?, removed_by = ? WHERE id = ? "
                           "AND province_code = ? AND removed_at = ''",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, stay_now_text(req, dd_clock_now_ms()));
    dd_stmt_bind_text(st, 2, stay_actor(req));
    dd_stmt_bind_int64(st, 3, id);
    dd_stmt_bind_text(st, 4, req->who->province);
    rc = dd_stmt_step(st);
    int64_t changed = dd_stmt_changes(st);
    dd_stmt_reset(st);
    if (rc == DD_DB_DONE && changed == 0)
        rc = DD_ENOTFOUND;
    if (rc == DD_DB_DONE)
        rc = dd_event_emit(db, "stay.watch_removed", NULL,
                           stay_dump(req, json_pack("{s:I}", "id", (json_int_t)id)));
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    return dd_reply_empty(req, 204);
}

/* GET /api/v1/stays/police/alerts?cursor=&limit= — the alerts of the caller's area, newest
 * first, with the stay's guest, establishment and room. */
int
stay_alerts_list(struct dd_req *req)
{
    int limit;
    int64_t cursor;
    if (stay_page_or_reply(req, &limit, &cursor) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "SELECT a.id, a.created_at, a.notified_at, a.notified_count, w.reason, " STAY_COLS
        ", e.name FROM stay_alerts a JOIN stays s ON s.id = a.stay_id JOIN stay_watchlist w ON "
        "w.id = a.watch_id JOIN stay_establishments e ON e.org_id = a.establishment_id WHERE "
        "a.province_code = ? AND (CAST(? AS TEXT) IS NULL OR a.commune_code = ?) AND (? = 0 OR "
        "a.id < ?) ORDER BY a.id DESC LIMIT ?",
        &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    const char *commune = req->who->commune[0] ? req->who->commune : NULL;
    dd_stmt_bind_text(st, 1, req->who->province);
    dd_stmt_bind_text(st, 2, commune);
    dd_stmt_bind_text(st, 3, commune);
    dd_stmt_bind_int64(st, 4, cursor);
    dd_stmt_bind_int64(st, 5, cursor);
    dd_stmt_bind_int64(st, 6, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW && n < limit) {
        /* the stay's columns start at 5: read them through a shifted view */
        struct stay s = {0};
        s.id = dd_stmt_int64(st, 5);
        s.establishment_id = dd_stmt_int64(st, 6);
        s.commune = dd_arena_strdup(req->arena, dd_stmt_text(st, 8));
        s.id_number = dd_arena_strdup(req->arena, dd_stmt_text(st, 11));
        s.passport_number = dd_arena_strdup(req->arena, dd_stmt_text(st, 12));
        s.nationality = dd_arena_strdup(req->arena, dd_stmt_text(st, 13));
        s.full_name = dd_arena_strdup(req->arena, dd_stmt_text(st, 14));
        s.room = dd_arena_strdup(req->arena, dd_stmt_text(st, 21));
        s.arrived_at = dd_arena_strdup(req->arena, dd_stmt_text(st, 22));
        const char *notified = dd_stmt_text(st, 2);
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s?, s:I, s:s, s:I, s:I, s:s, s:s, s:s?, s:s?, s:s, s:s, "
                      "s:s, s:s}",
                      "id", (json_int_t)dd_stmt_int64(st, 0), "created_at", dd_stmt_text(st, 1),
                      "notified_at", notified && notified[0] ? notified : NULL, "notified_count",
                      (json_int_t)dd_stmt_int64(st, 3), "reason", dd_stmt_text(st, 4), "stay_id",
                      (json_int_t)s.id, "establishment_id", (json_int_t)s.establishment_id,
                      "establishment_name", dd_stmt_text(st, 5 + STAY_NCOLS), "commune", s.commune,
                      "id_number", s.id_number[0] ? s.id_number : NULL, "passport_number",
                      s.passport_number[0] ? s.passport_number : NULL, "nationality", s.nationality,
                      "full_name", s.full_name, "room", s.room, "arrived_at", s.arrived_at));
        last = dd_stmt_int64(st, 0);
        n++;
    }
    bool more = rc == DD_DB_ROW;
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return stay_fail(req, db, rc);
    }
    return stay_page_reply(req, items, more ? last : 0);
}

/* GET /api/v1/stays/police/alert-contacts — the contacts of the province's communes. */
int
stay_contacts_list(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT commune_code, recipient, added_by, added_at FROM "
                           "stay_police_contacts WHERE province_code = ? AND (CAST(? AS TEXT) IS "
                           "NULL OR commune_code = ?) ORDER BY commune_code, recipient LIMIT 500",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    const char *commune = req->who->commune[0] ? req->who->commune : NULL;
    dd_stmt_bind_text(st, 1, req->who->province);
    dd_stmt_bind_text(st, 2, commune);
    dd_stmt_bind_text(st, 3, commune);
    json_t *items = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:s, s:s}", "commune", dd_stmt_text(st, 0),
                                        "recipient", dd_stmt_text(st, 1), "added_by",
                                        dd_stmt_text(st, 2), "added_at", dd_stmt_text(st, 3)));
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(items);
        return stay_fail(req, db, rc);
    }
    return stay_page_reply(req, items, 0);
}

static const char *const contact_fields[] = {"commune", "recipient", NULL};

/* POST /api/v1/stays/police/alert-contacts — {"commune", "recipient": e-mail or phone}: 201;
 * 403 for a commune officer; 409 if it is there already. */
int
stay_contacts_add(struct dd_req *req)
{
    if (province_only_or_reply(req) != 0)
        return DD_DONE;
    json_t *body = req->json, *ext = NULL;
    const char *commune = json_string_value(json_object_get(body, "commune"));
    const char *recipient = json_string_value(json_object_get(body, "recipient"));
    const char *k;
    json_t *v;
    if (json_is_object(body))
        json_object_foreach(body, k, v)
        {
            if (!stay_field_allowed(contact_fields, k))
                ext = dd_problem_add_error(ext, req, k, "unknown-field",
                                           "Trường này không được chấp nhận.",
                                           "This field is not accepted.");
        }
    if (commune == NULL || strlen(commune) != 5 || !dd_str_all_digits(commune, 5))
        ext = dd_problem_add_error(ext, req, "commune", "commune-invalid",
                                   "Mã xã, phường gồm 5 chữ số.", "A commune code is 5 digits.");
    if (recipient == NULL || recipient[0] == '\0' || strlen(recipient) > 254 ||
        strchr(recipient, ' ') || dd_str_has_control(recipient))
        ext = dd_problem_add_error(ext, req, "recipient", "recipient-invalid",
                                   "Cần địa chỉ thư điện tử hoặc số điện thoại.",
                                   "An e-mail address or a phone number is required.");
    if (ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    const char *now = stay_now_text(req, dd_clock_now_ms());
    struct dd_stmt *st;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "INSERT INTO stay_police_contacts (province_code, commune_code, "
                           "recipient, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return stay_fail(req, db, rc);
    dd_stmt_bind_text(st, 1, req->who->province);
    dd_stmt_bind_text(st, 2, commune);
    dd_stmt_bind_text(st, 3, recipient);
    dd_stmt_bind_text(st, 4, stay_actor(req));
    dd_stmt_bind_text(st, 5, now);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        return dd_reply_problem(req, DD_PROBLEM_CONFLICT, NULL);
    }
    if (rc != DD_DB_DONE)
        return stay_fail(req, db, rc);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "commune", commune, "recipient", recipient,
                          "added_by", stay_actor(req), "added_at", now);
    return stay_commit_reply(req, db, NULL, 201, o, NULL);
}

/* Sends one alert to recipient: e-mail when it has '@', else SMS. */
static bool
send_alert(const char *recipient, const char *guest, const char *name, const char *est_name,
           const char *room, const char *arrived_at, int64_t alert_id)
{
    char subject[DD_NOTICE_SUBJECT_MAX];
    char body[2048];
    snprintf(subject, sizeof subject, "[Cảnh báo lưu trú] %.24s", guest);
    snprintf(body, sizeof body,
             "Đối tượng trong danh sách theo dõi vừa được thông báo lưu trú.\n"
             "Họ tên: %s\nGiấy tờ: %s\nCơ sở: %s\nPhòng: %s\nThời điểm đến: %s\n"
             "Mã cảnh báo: %lld\n",
             name, guest, est_name, room, arrived_at, (long long)alert_id);
    struct dd_notice n = {.channel = strchr(recipient, '@') ? DD_NOTIFY_EMAIL : DD_NOTIFY_SMS,
                          .recipient = recipient,
                          .subject = subject,
                          .body = body,
                          .purpose = "stay-watch-alert"};
    return dd_notify_send(&n, NULL, 0) == DD_OK;
}

/* The alert's commune, guest, name, establishment, room and arrival, copied into `a`. */
struct alert_view {
    char commune[8], guest[32], name[256], est_name[256], room[256], arrived_at[40];
};

static int
alert_load(struct dd_db *db, int64_t alert_id, struct alert_view *a)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT a.commune_code, CASE WHEN s.id_number <> '' THEN s.id_number "
                           "ELSE s.nationality || ' ' || s.passport_number END, s.full_name, "
                           "e.name, s.room, s.arrived_at FROM stay_alerts a JOIN stays s ON s.id "
                           "= a.stay_id JOIN stay_establishments e ON e.org_id = "
                           "a.establishment_id WHERE a.id = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, alert_id);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        snprintf(a->commune, sizeof a->commune, "%s", dd_stmt_text(st, 0));
        snprintf(a->guest, sizeof a->guest, "%s", dd_stmt_text(st, 1));
        snprintf(a->name, sizeof a->name, "%s", dd_stmt_text(st, 2));
        snprintf(a->est_name, sizeof a->est_name, "%s", dd_stmt_text(st, 3));
        snprintf(a->room, sizeof a->room, "%s", dd_stmt_text(st, 4));
        snprintf(a->arrived_at, sizeof a->arrived_at, "%s", dd_stmt_text(st, 5));
    }
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_ENOTFOUND : rc;
}

void
stay_alert_notify(struct dd_db *db, int64_t alert_id)
{
    struct alert_view a;
    int rc = alert_load(db, alert_id, &a);
    struct dd_stmt *st;
    int sent = 0;
    if (rc == DD_OK)
        rc = dd_db_prepare(db, "SELECT recipient FROM stay_police_contacts WHERE commune_code = ?",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, a.commune);
        while (dd_stmt_step(st) == DD_DB_ROW)
            sent += send_alert(dd_stmt_text(st, 0), a.guest, a.name, a.est_name, a.room,
                               a.arrived_at, alert_id);
        dd_stmt_reset(st);
        char now[32];
        dd_clock_iso8601(dd_clock_now_ms(), now);
        rc = dd_db_prepare(
            db, "UPDATE stay_alerts SET notified_at = ?, notified_count = ? WHERE id = ?", &st);
        if (rc == DD_OK) {
            dd_stmt_bind_text(st, 1, now);
            dd_stmt_bind_int64(st, 2, sent);
            dd_stmt_bind_int64(st, 3, alert_id);
            rc = dd_stmt_step(st) == DD_DB_DONE ? DD_OK : DD_EDB;
            dd_stmt_reset(st);
        }
    }
    if (rc != DD_OK || sent == 0)
        dd_log(DD_LOG_WARN, "stays.alert_unsent", "alert %lld: %s", (long long)alert_id,
               rc != DD_OK ? dd_db_errmsg(db) : "no contact reached for its commune");
}
