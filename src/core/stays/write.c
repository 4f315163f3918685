/*
 * write.c — the write of a check-in, inside the caller's transaction: one INSERT of the stay
 * (the partial unique index stays_present refuses a second check-in of a present guest), the
 * stay.checked_in event that keeps the tourism figures, and, for a guest on the watch list, the
 * alert and its stay.watch_hit event; the request sends the alert to the commune's police as soon
 * as it is committed (watch.c).
 *
 * Before it, two probes by index: a close relative's standing notification that already covers
 * the day (nothing is written then), and the watch list.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/events.h"
#include "core/stays/internal.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

/* A stay at the establishment whose standing notification covers `day`: DD_OK with *s loaded,
 * DD_ENOTFOUND, or an error. */
static int
relative_cover(struct dd_req *req, struct dd_db *db, int64_t est_id, const char *key,
               const char *day, struct stay *s)
{
    /* Only the partial index stays_relatives is named by the WHERE clause: a condition on the
     * arrival day would lead the planner to the establishment's whole history instead. */
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " STAY_COLS " FROM stays s WHERE s.establishment_id = ? AND "
                           "s.guest_key = ? AND s.relative_until <> '' AND s.relative_until >= ? "
                           "ORDER BY s.id DESC",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, est_id);
    dd_stmt_bind_text(st, 2, key);
    dd_stmt_bind_text(st, 3, day);
    bool found = false;
    while (!found && (rc = dd_stmt_step(st)) == DD_DB_ROW) {
        const char *arrival = dd_stmt_text(st, 18);
        found = arrival && strcmp(arrival, day) <= 0;
        if (found)
            stay_from_row(req, st, s);
    }
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return found ? DD_OK : DD_ENOTFOUND;
}

/* The watch-list entry of the guest key: its id, or 0. Negative on error. */
static int64_t
watched(struct dd_db *db, const char *key)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT id FROM stay_watchlist WHERE guest_key = ? AND removed_at = ''", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, key);
    rc = dd_stmt_step(st);
    int64_t id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : id;
}

static int
insert_row(struct dd_db *db, const struct stay *s, int64_t *id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "INSERT INTO stays (establishment_id, province_code, commune_code, guest_key, "
        "foreign_guest, id_number, passport_number, nationality, full_name, birth_date, sex, "
        "origin_province, verified, source, reason, room, arrived_at, arrival_day, "
        "expected_departure, reported_at, due_at, late, relationship, relative_until, "
        "patient_name, patient_id_number, ward, reported_by, updated_at) VALUES (?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        &st);
    if (rc != DD_OK)
        return rc;
    int i = 1;
    dd_stmt_bind_int64(st, i++, s->establishment_id);
    dd_stmt_bind_text(st, i++, s->province);
    dd_stmt_bind_text(st, i++, s->commune);
    dd_stmt_bind_text(st, i++, s->guest_key);
    dd_stmt_bind_int64(st, i++, s->foreign);
    dd_stmt_bind_text(st, i++, s->id_number);
    dd_stmt_bind_text(st, i++, s->passport_number);
    dd_stmt_bind_text(st, i++, s->nationality);
    dd_stmt_bind_text(st, i++, s->full_name);
    dd_stmt_bind_text(st, i++, s->birth_date);
    dd_stmt_bind_text(st, i++, s->sex);
    dd_stmt_bind_text(st, i++, s->origin_province);
    dd_stmt_bind_int64(st, i++, s->verified);
    dd_stmt_bind_text(st, i++, s->source);
    dd_stmt_bind_text(st, i++, s->reason);
    dd_stmt_bind_text(st, i++, s->room);
    dd_stmt_bind_text(st, i++, s->arrived_at);
    dd_stmt_bind_text(st, i++, s->arrival_day);
    dd_stmt_bind_text(st, i++, s->expected_departure);
    dd_stmt_bind_text(st, i++, s->reported_at);
    dd_stmt_bind_text(st, i++, s->due_at);
    dd_stmt_bind_int64(st, i++, s->late);
    dd_stmt_bind_text(st, i++, s->relationship);
    dd_stmt_bind_text(st, i++, s->relative_until);
    dd_stmt_bind_text(st, i++, s->patient_name);
    dd_stmt_bind_text(st, i++, s->patient_id_number);
    dd_stmt_bind_text(st, i++, s->ward);
    dd_stmt_bind_text(st, i++, s->reported_by);
    dd_stmt_bind_text(st, i++, s->updated_at);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc == DD_DB_ROW ? DD_OK : rc == DD_DB_DONE ? DD_EDB : rc;
}

static int
alert_row(struct dd_req *req, struct dd_db *db, const struct stay *s, int64_t watch_id,
          int64_t *alert_id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO stay_alerts (stay_id, watch_id, establishment_id, "
                           "province_code, commune_code, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                           "RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, s->id);
    dd_stmt_bind_int64(st, 2, watch_id);
    dd_stmt_bind_int64(st, 3, s->establishment_id);
    dd_stmt_bind_text(st, 4, s->province);
    dd_stmt_bind_text(st, 5, s->commune);
    dd_stmt_bind_text(st, 6, s->reported_at);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *alert_id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    if (rc != DD_DB_ROW)
        return rc == DD_DB_DONE ? DD_EDB : rc;
    char subject[40];
    snprintf(subject, sizeof subject, "stay:%lld", (long long)s->id);
    json_t *p = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "alert_id",
                          (json_int_t)*alert_id, "watch_id", (json_int_t)watch_id, "stay_id",
                          (json_int_t)s->id, "province", s->province, "commune", s->commune,
                          "guest", s->id_number[0] ? s->id_number : s->passport_number, "full_name",
                          s->full_name, "room", s->room, "arrived_at", s->arrived_at);
    return dd_event_emit(db, "stay.watch_hit", subject, stay_dump(req, p));
}

int
stay_insert(struct dd_req *req, struct dd_db *db, const struct stay_est *e, struct stay *s,
            int64_t *alert_id)
{
    *alert_id = 0;
    if (!s->foreign) {
        struct stay covering;
        int rc = relative_cover(req, db, e->id, s->guest_key, s->arrival_day, &covering);
        if (rc == DD_OK) {
            *s = covering;
            return STAY_COVERED;
        }
        if (rc != DD_ENOTFOUND)
            return rc;
    }
    int64_t watch_id = watched(db, s->guest_key);
    if (watch_id < 0)
        return (int)watch_id;
    int rc = insert_row(db, s, &s->id);
    if (rc != DD_OK)
        return rc;
    char subject[40];
    snprintf(subject, sizeof subject, "stay:%lld", (long long)s->id);
    /* Written as text, not through jansson: this runs on the committing thread. */
    struct dd_buf p;
    dd_buf_init(&p, req->arena, DD_EVENT_MAX_PAYLOAD);
    rc = dd_buf_putc(&p, '{');
    rc |= dd_buf_json_int(&p, "id", s->id);
    rc |= dd_buf_json_str(&p, "day", s->arrival_day);
    rc |= dd_buf_json_str(&p, "province", s->province);
    rc |= dd_buf_json_str(&p, "commune", s->commune);
    rc |= dd_buf_json_str(&p, "class", e->class_);
    rc |= dd_buf_json_str(&p, "nationality", s->nationality);
    rc |= dd_buf_json_str(&p, "origin", s->origin_province);
    rc |= dd_buf_json_bool(&p, "late", s->late);
    rc |= dd_buf_json_bool(&p, "watched", watch_id > 0);
    if ((rc | dd_buf_putc(&p, '}')) != DD_OK)
        return DD_ETOOBIG;
    rc = stay_emit(db, "stay.checked_in", subject, p.data);
    if (rc == DD_OK && watch_id > 0)
        rc = alert_row(req, db, s, watch_id, alert_id);
    return rc;
}

int64_t
stay_present_id(struct dd_db *db, int64_t est_id, const char *guest_key)
{
    struct dd_stmt *st;
    if (dd_db_prepare(db,
                      "SELECT id FROM stays WHERE establishment_id = ? AND guest_key = ? AND "
                      "departed_at = ''",
                      &st) != DD_OK)
        return 0;
    dd_stmt_bind_int64(st, 1, est_id);
    dd_stmt_bind_text(st, 2, guest_key);
    int64_t id = dd_stmt_step(st) == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return id;
}
