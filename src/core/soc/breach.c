/*
 * breach.c — the personal-data breach workflow of an incident.
 *
 *   POST /api/v1/soc/incidents/{id}/breach  {found_at?, description, categories: [..],
 *                                            subjects_estimate, consequences?, measures?,
 *                                            contact?} → 200 with the incident and the draft
 *   GET  /api/v1/soc/incidents/{id}/breach-notification  the draft, with the time left
 *
 * Marking an incident as a personal-data breach starts the 72-hour clock: the Personal Data
 * Protection Law 2025 (and before it Decree 13/2023/NĐ-CP, article 23) has the controller
 * notify the personal-data protection authority — the Department of Cyber Security and
 * High-tech Crime Prevention (A05) of the Ministry of Public Security — within 72 hours of
 * finding it. The draft is a starting point written from the facts given, Vietnamese first;
 * the officer in charge completes and sends it. Marking twice is 409: the clock never restarts.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/soc/internal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOCK_MS (72 * 3600 * 1000LL)

static const char *const breach_fields[] = {
    "found_at",     "description", "categories", "subjects_estimate",
    "consequences", "measures",    "contact",    NULL};

static json_t *
facts_parse(struct dd_req *req, json_t **ext, const char **found_at)
{
    *found_at = soc_body_text(req, ext, "found_at", false, 32);
    if (*found_at && soc_time_ms(*found_at) < 0)
        *ext = dd_problem_add_error(*ext, req, "found_at", "time-invalid",
                                    "Thời điểm theo ISO 8601 UTC.", "A time in ISO 8601 UTC.");
    const char *description = soc_body_text(req, ext, "description", true, 4000);
    const char *consequences = soc_body_text(req, ext, "consequences", false, 4000);
    const char *measures = soc_body_text(req, ext, "measures", false, 4000);
    const char *contact = soc_body_text(req, ext, "contact", false, 300);
    json_t *cats = req->json ? json_object_get(req->json, "categories") : NULL;
    bool ok = json_is_array(cats) && json_array_size(cats) >= 1 && json_array_size(cats) <= 30;
    size_t i;
    json_t *v;
    json_array_foreach(cats, i, v) ok =
        ok && json_is_string(v) && json_string_length(v) >= 1 && json_string_length(v) <= 100;
    if (!ok)
        *ext = dd_problem_add_error(*ext, req, "categories", "categories-invalid",
                                    "Danh sách 1 đến 30 loại dữ liệu bị ảnh hưởng.",
                                    "A list of 1 to 30 kinds of data affected.");
    json_t *n = req->json ? json_object_get(req->json, "subjects_estimate") : NULL;
    if (!json_is_integer(n) || json_integer_value(n) < 0)
        *ext = dd_problem_add_error(*ext, req, "subjects_estimate", "required",
                                    "Ước tính số chủ thể dữ liệu bị ảnh hưởng (số nguyên ≥ 0).",
                                    "The estimated number of data subjects (an integer ≥ 0).");
    if (*ext)
        return NULL;
    return json_pack("{s:s, s:O, s:O, s:s, s:s, s:s}", "description", description, "categories",
                     cats, "subjects_estimate", n, "consequences", consequences ? consequences : "",
                     "measures", measures ? measures : "", "contact", contact ? contact : "");
}

static void
list_text(json_t *cats, char *out, size_t n)
{
    size_t i, used = 0;
    json_t *v;
    out[0] = '\0';
    json_array_foreach(cats, i, v)
    {
        int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", json_string_value(v));
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

json_t *
soc_breach_draft(json_t *inc, int64_t now_ms)
{
    json_t *f = json_object_get(inc, "breach_facts");
    const char *found = json_string_value(json_object_get(inc, "breach_at"));
    const char *by = json_string_value(json_object_get(inc, "notify_by"));
    const char *none_vi = "(chưa ghi nhận)", *none_en = "(not recorded yet)";
    const char *cons = json_string_value(json_object_get(f, "consequences"));
    const char *meas = json_string_value(json_object_get(f, "measures"));
    const char *contact = json_string_value(json_object_get(f, "contact"));
    char cats[2400];
    list_text(json_object_get(f, "categories"), cats, sizeof cats);
    long long subjects = (long long)json_integer_value(json_object_get(f, "subjects_estimate"));
    long long id = (long long)json_integer_value(json_object_get(inc, "id"));
    const char *desc = json_string_value(json_object_get(f, "description"));
    char *vi = NULL, *en = NULL;
    int rv = asprintf(
        &vi,
        "THÔNG BÁO VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN\n\n"
        "Kính gửi: Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05), Bộ "
        "Công an.\n\n"
        "Căn cứ Luật Bảo vệ dữ liệu cá nhân năm 2025, bên kiểm soát dữ liệu thông báo vi phạm "
        "(sự cố SOC số %lld).\n\n"
        "1. Thời điểm phát hiện: %s (UTC). Hạn thông báo: %s (UTC), 72 giờ sau khi phát hiện.\n"
        "2. Mô tả vi phạm: %s\n"
        "3. Loại dữ liệu cá nhân bị ảnh hưởng: %s\n"
        "4. Số chủ thể dữ liệu ước tính: %lld\n"
        "5. Hậu quả, thiệt hại có thể xảy ra: %s\n"
        "6. Biện pháp đã và sẽ thực hiện: %s\n"
        "7. Người liên hệ: %s\n",
        id, found, by, desc, cats, subjects, cons && cons[0] ? cons : none_vi,
        meas && meas[0] ? meas : none_vi, contact && contact[0] ? contact : none_vi);
    int re = asprintf(
        &en,
        "NOTIFICATION OF A PERSONAL DATA PROTECTION BREACH\n\n"
        "To: the Department of Cyber Security and High-tech Crime Prevention (A05), Ministry of "
        "Public Security.\n\n"
        "Under the Personal Data Protection Law 2025, the data controller notifies a breach "
        "(SOC incident %lld).\n\n"
        "1. Found at: %s (UTC). Notify by: %s (UTC), 72 hours after it was found.\n"
        "2. Description: %s\n"
        "3. Kinds of personal data affected: %s\n"
        "4. Estimated number of data subjects: %lld\n"
        "5. Likely consequences and harm: %s\n"
        "6. Measures taken and planned: %s\n"
        "7. Contact: %s\n",
        id, found, by, desc, cats, subjects, cons && cons[0] ? cons : none_en,
        meas && meas[0] ? meas : none_en, contact && contact[0] ? contact : none_en);
    int64_t left = soc_time_ms(by) - now_ms;
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:I, s:b}", "vi", rv >= 0 ? vi : "", "en",
                            re >= 0 ? en : "", "found_at", found, "notify_by", by, "seconds_left",
                            (json_int_t)(left > 0 ? left / 1000 : 0), "overdue", left <= 0);
    if (rv >= 0)
        free(vi);
    if (re >= 0)
        free(en);
    return out;
}

int
soc_incident_breach(struct dd_req *req)
{
    int64_t id;
    if (soc_path_id_or_reply(req, &id) != 0)
        return DD_DONE;
    json_t *ext = NULL;
    const char *found_at;
    json_t *facts = facts_parse(req, &ext, &found_at);
    if (soc_body_done_or_reply(req, ext, breach_fields) != 0) {
        json_decref(facts);
        return DD_DONE;
    }
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL) {
        json_decref(facts);
        return DD_DONE;
    }
    int64_t now_ms = dd_clock_now_ms();
    int64_t found_ms = found_at ? soc_time_ms(found_at) : now_ms;
    char now[32], found[32], by[32];
    dd_clock_iso8601(now_ms, now);
    dd_clock_iso8601(found_ms, found);
    dd_clock_iso8601(found_ms + CLOCK_MS, by);
    char *ftext = json_dumps(facts, JSON_COMPACT | JSON_SORT_KEYS);
    struct dd_stmt *st;
    int64_t changed = 0;
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE soc_incidents SET breach = 1, breach_at = ?, notify_by = ?, "
                           "breach_facts = ?, updated_at = ? WHERE id = ? AND breach = 0",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, found);
        dd_stmt_bind_text(st, 2, by);
        dd_stmt_bind_text(st, 3, ftext);
        dd_stmt_bind_text(st, 4, now);
        dd_stmt_bind_int64(st, 5, id);
        rc = dd_stmt_step(st);
        changed = rc >= 0 ? dd_stmt_changes(st) : 0;
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : DD_OK;
    }
    free(ftext);
    json_t *out = NULL;
    if (rc == DD_OK && changed == 0)
        rc = soc_incident_json(db, req->arena, id, false, &out) == DD_OK ? DD_ECONFLICT
                                                                         : DD_ENOTFOUND;
    json_decref(out);
    if (rc == DD_OK)
        rc = soc_timeline_add(db, id, now, soc_actor(req), "breach",
                              "personal-data breach: the 72-hour clock runs",
                              json_pack("{s:s, s:s}", "found_at", found, "notify_by", by));
    if (rc == DD_OK)
        rc = soc_audit(db, req, "soc.incident.breach", id, json_incref(facts));
    json_decref(facts);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc == DD_ECONFLICT) {
        dd_db_rollback(db);
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       "Sự cố đã được đánh dấu là vi phạm dữ liệu cá nhân.",
                                       "The incident is already marked as a breach.", NULL);
    }
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    rc = soc_incident_json(db, req->arena, id, true, &out);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    json_object_set_new(out, "notification", soc_breach_draft(out, dd_clock_now_ms()));
    return dd_reply_json(req, 200, out);
}

int
soc_incident_breach_draft(struct dd_req *req)
{
    int64_t id;
    if (soc_path_id_or_reply(req, &id) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *inc;
    int rc = soc_incident_json(db, req->arena, id, false, &inc);
    if (rc != DD_OK)
        return soc_fail(req, db, rc);
    if (!json_is_true(json_object_get(inc, "breach"))) {
        json_decref(inc);
        return dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT,
                                       "Sự cố chưa được đánh dấu là vi phạm dữ liệu cá nhân.",
                                       "The incident is not marked as a breach.", NULL);
    }
    json_t *draft = soc_breach_draft(inc, dd_clock_now_ms());
    json_decref(inc);
    return dd_reply_json(req, 200, draft);
}
