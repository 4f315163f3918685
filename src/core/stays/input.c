/*
 * input.c — a check-in as the desk or the hotel's software sends it, read and checked.
 *
 * The guest is given in exactly one way: "qr" (the card's QR text, parsed by card/qr.h),
 * "chip" (the fields a card reader read from the chip: id_number, full_name, birth_date, sex),
 * "id_number" (typed: a 12-digit personal or 9-digit old ID number, with full_name, birth_date
 * and sex optional for a guest the register does not know), or "passport" (a foreign guest:
 * number, nationality as ISO 3166-1 alpha-3, full_name, sex, birth_date). Then the stay: room,
 * reason, arrived_at (default now; not ahead of the server's clock by more than 5 minutes, nor
 * older than 30 days), expected_departure (required for foreigners: the expected length of
 * stay), "relative" {relationship, until} for a close relative's standing notification, and
 * "patient" {full_name, id_number, ward}, required at hospitals and refused elsewhere.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "card/qr.h"
#include "core/stays/internal.h"
#include "core/stays/stays.h"
#include "http/problem.h"
#include "http/req.h"

#include <string.h>

#define MINUTE_MS (60LL * 1000)
#define DAY_MS    (24LL * 3600 * 1000)

static const char *const checkin_fields[] = {
    "qr",     "chip", "id_number",  "passport",           "full_name", "birth_date", "sex",
    "reason", "room", "arrived_at", "expected_departure", "relative",  "patient",    NULL};
static const char *const chip_fields[] = {"id_number", "full_name", "birth_date", "sex", NULL};
static const char *const passport_fields[] = {"number", "nationality", "full_name",
                                              "sex",    "birth_date",  NULL};
static const char *const relative_fields[] = {"relationship", "until", NULL};
static const char *const patient_fields[] = {"full_name", "id_number", "ward", NULL};

bool
stay_field_allowed(const char *const *allowed, const char *key)
{
    for (; *allowed; allowed++)
        if (strcmp(*allowed, key) == 0)
            return true;
    return false;
}

static void
error(struct dd_req *req, json_t **ext, const char *field, const char *code, const char *vi,
      const char *en)
{
    *ext = dd_problem_add_error(*ext, req, field, code, vi, en);
}

/* Unknown members of object o (named `where`, "" at the top) are errors. */
static void
only(struct dd_req *req, json_t *o, const char *where, const char *const *allowed, json_t **ext)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (!stay_field_allowed(allowed, key))
            error(req, ext, where[0] ? dd_arena_printf(req->arena, "%s.%s", where, key) : key,
                  "unknown-field", "Trường này không được chấp nhận.",
                  "This field is not accepted.");
    }
}

/* The string member `name` of o ("" when absent), at most max bytes, without control
 * characters; `field` names it in errors. */
static const char *
text(struct dd_req *req, json_t *o, const char *name, const char *field, size_t max, bool required,
     json_t **ext)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL || (json_is_string(v) && json_string_length(v) == 0)) {
        if (required)
            error(req, ext, field, "required", "Trường này là bắt buộc.",
                  "This field is required.");
        return "";
    }
    if (!json_is_string(v)) {
        error(req, ext, field, "not-a-string", "Giá trị phải là một chuỗi.",
              "The value must be a string.");
        return "";
    }
    const char *s = json_string_value(v);
    if (json_string_length(v) > max || dd_str_has_control(s)) {
        error(
            req, ext, field, "too-long",
            dd_arena_printf(req->arena, "Giá trị dài quá %zu byte hoặc có ký tự điều khiển.", max),
            dd_arena_printf(req->arena,
                            "The value is longer than %zu bytes or has control "
                            "characters.",
                            max));
        return "";
    }
    return s;
}

static bool
date_valid(const char *d)
{
    char buf[32];
    int64_t ms;
    if (strlen(d) != 10)
        return false;
    snprintf(buf, sizeof buf, "%sT00:00:00Z", d);
    return dd_stay_time_parse(buf, &ms) == DD_OK;
}

static const char *
date(struct dd_req *req, json_t *o, const char *name, const char *field, bool required,
     json_t **ext)
{
    const char *d = text(req, o, name, field, 10, required, ext);
    if (d[0] && !date_valid(d)) {
        error(req, ext, field, "date-invalid", "Ngày phải có dạng YYYY-MM-DD.",
              "The date must be YYYY-MM-DD.");
        return "";
    }
    return d;
}

static const char *
sex(struct dd_req *req, json_t *o, const char *field, bool required, json_t **ext)
{
    const char *s = text(req, o, "sex", field, 6, required, ext);
    if (s[0] && strcmp(s, "male") != 0 && strcmp(s, "female") != 0) {
        error(req, ext, field, "sex-invalid", "Giới tính phải là male hoặc female.",
              "The sex must be male or female.");
        return "";
    }
    return s;
}

static bool
upper_alnum(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

static void
citizen_id(struct dd_req *req, struct stay *s, const char *id, const char *field, json_t **ext)
{
    size_t n = strlen(id);
    if ((n != 12 && n != 9) || !dd_str_all_digits(id, n)) {
        error(req, ext, field, "id-number-invalid",
              "Số định danh phải gồm 12 chữ số (hoặc số CMND cũ 9 chữ số).",
              "The ID number must be 12 digits (or an old 9-digit ID number).");
        return;
    }
    s->id_number = id;
    s->guest_key = dd_arena_printf(req->arena, "id:%s", id);
    s->nationality = "VNM";
}

static void
from_qr(struct dd_req *req, json_t *v, struct stay *s, json_t **ext)
{
    struct dd_card_qr *q = dd_arena_zalloc(req->arena, sizeof *q);
    if (!json_is_string(v) || json_string_length(v) > DD_CARD_QR_MAX ||
        dd_card_qr_parse(json_string_value(v), json_string_length(v), NULL, q) != DD_OK) {
        error(req, ext, "qr", "qr-invalid", "Nội dung mã QR không phải của thẻ căn cước hợp lệ.",
              "The text is not a chip ID card's QR code.");
        return;
    }
    s->source = "qr";
    citizen_id(req, s, q->id_number, "qr", ext);
    s->full_name = q->full_name;
    s->birth_date = q->birth_date;
    s->sex = q->sex;
}

static void
from_chip(struct dd_req *req, json_t *v, struct stay *s, json_t **ext)
{
    if (!json_is_object(v)) {
        error(req, ext, "chip", "not-an-object", "Giá trị phải là một đối tượng.",
              "The value must be an object.");
        return;
    }
    only(req, v, "chip", chip_fields, ext);
    s->source = "chip";
    const char *id = text(req, v, "id_number", "chip.id_number", 12, true, ext);
    if (id[0])
        citizen_id(req, s, id, "chip.id_number", ext);
    s->full_name = text(req, v, "full_name", "chip.full_name", STAY_TEXT_MAX, true, ext);
    s->birth_date = date(req, v, "birth_date", "chip.birth_date", false, ext);
    s->sex = sex(req, v, "chip.sex", false, ext);
}

static void
from_passport(struct dd_req *req, json_t *v, struct stay *s, json_t **ext)
{
    if (!json_is_object(v)) {
        error(req, ext, "passport", "not-an-object", "Giá trị phải là một đối tượng.",
              "The value must be an object.");
        return;
    }
    only(req, v, "passport", passport_fields, ext);
    s->source = "passport";
    s->foreign = true;
    const char *number = text(req, v, "number", "passport.number", 20, true, ext);
    const char *nat = text(req, v, "nationality", "passport.nationality", 3, true, ext);
    if (number[0] && !upper_alnum(number, 5, 20))
        error(req, ext, "passport.number", "passport-invalid",
              "Số hộ chiếu gồm 5–20 chữ hoa và chữ số.",
              "The passport number is 5–20 capital letters and digits.");
    if (nat[0] && (!upper_alnum(nat, 3, 3) || strcmp(nat, "VNM") == 0))
        error(req, ext, "passport.nationality", "nationality-invalid",
              "Quốc tịch là mã ISO 3166-1 alpha-3 của nước ngoài (ví dụ KOR).",
              "The nationality is a foreign ISO 3166-1 alpha-3 code (e.g. KOR).");
    s->passport_number = number;
    s->nationality = nat;
    s->guest_key = dd_arena_printf(req->arena, "pp:%s:%s", nat, number);
    s->full_name = text(req, v, "full_name", "passport.full_name", STAY_TEXT_MAX, true, ext);
    s->sex = sex(req, v, "passport.sex", true, ext);
    s->birth_date = date(req, v, "birth_date", "passport.birth_date", true, ext);
}

void
stay_guest_parse(struct dd_req *req, json_t *body, struct stay *s, json_t **ext)
{
    static const char *const ways[] = {"qr", "chip", "id_number", "passport"};
    int given = 0;
    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++)
        given += json_object_get(body, ways[i]) != NULL;
    s->id_number = s->passport_number = s->full_name = s->birth_date = s->sex = "";
    s->origin_province = "";
    s->nationality = "VNM";
    s->guest_key = "";
    if (given != 1) {
        error(req, ext, "", "guest-required", "Cần đúng một trong: qr, chip, id_number, passport.",
              "Exactly one of qr, chip, id_number, passport is required.");
        return;
    }
    json_t *v;
    if ((v = json_object_get(body, "qr")))
        from_qr(req, v, s, ext);
    else if ((v = json_object_get(body, "chip")))
        from_chip(req, v, s, ext);
    else if ((v = json_object_get(body, "passport")))
        from_passport(req, v, s, ext);
    else {
        s->source = "typed";
        const char *id = text(req, body, "id_number", "id_number", 12, true, ext);
        if (id[0])
            citizen_id(req, s, id, "id_number", ext);
        s->full_name = text(req, body, "full_name", "full_name", STAY_TEXT_MAX, false, ext);
        s->birth_date = date(req, body, "birth_date", "birth_date", false, ext);
        s->sex = sex(req, body, "sex", false, ext);
    }
}

static void
arrival(struct dd_req *req, json_t *body, int64_t now_ms, struct stay *s, int64_t *arrived_ms,
        json_t **ext)
{
    const char *a = text(req, body, "arrived_at", "arrived_at", 40, false, ext);
    *arrived_ms = now_ms;
    if (a[0] && dd_stay_time_parse(a, arrived_ms) != DD_OK) {
        error(req, ext, "arrived_at", "time-invalid",
              "Thời điểm phải theo ISO 8601 có múi giờ, ví dụ 2026-11-29T21:30:00+07:00.",
              "The time must be ISO 8601 with a zone, e.g. 2026-11-29T21:30:00+07:00.");
        *arrived_ms = now_ms;
    } else if (*arrived_ms > now_ms + 5 * MINUTE_MS) {
        error(req, ext, "arrived_at", "time-future", "Thời điểm đến ở tương lai.",
              "The arrival is in the future.");
        *arrived_ms = now_ms;
    } else if (*arrived_ms < now_ms - 30 * DAY_MS) {
        error(req, ext, "arrived_at", "time-too-old", "Thời điểm đến đã quá 30 ngày.",
              "The arrival is more than 30 days ago.");
        *arrived_ms = now_ms;
    }
    char day[11];
    dd_stay_local_day(*arrived_ms, day);
    s->arrival_day = dd_arena_strdup(req->arena, day);
    s->arrived_at = stay_now_text(req, *arrived_ms);
}

static void
relative(struct dd_req *req, json_t *body, struct stay *s, json_t **ext)
{
    json_t *v = json_object_get(body, "relative");
    s->relationship = s->relative_until = "";
    if (v == NULL)
        return;
    if (!json_is_object(v)) {
        error(req, ext, "relative", "not-an-object", "Giá trị phải là một đối tượng.",
              "The value must be an object.");
        return;
    }
    only(req, v, "relative", relative_fields, ext);
    s->relationship = text(req, v, "relationship", "relative.relationship", 50, true, ext);
    s->relative_until = date(req, v, "until", "relative.until", true, ext);
    if (s->relative_until[0] && strcmp(s->relative_until, s->arrival_day) < 0)
        error(req, ext, "relative.until", "date-before-arrival", "Ngày kết thúc trước ngày đến.",
              "The end date is before the arrival.");
    if (s->foreign)
        error(req, ext, "relative", "relative-citizens-only",
              "Thông báo một lần cho người thân chỉ áp dụng với công dân Việt Nam.",
              "A standing notification for relatives is for Vietnamese citizens only.");
}

static void
patient(struct dd_req *req, json_t *body, const struct stay_est *e, struct stay *s, json_t **ext)
{
    json_t *v = json_object_get(body, "patient");
    bool hospital = strcmp(e->type, "hospital") == 0;
    s->patient_name = s->patient_id_number = s->ward = "";
    if (v == NULL) {
        if (hospital)
            error(req, ext, "patient", "required", "Cần thông tin người bệnh được chăm sóc.",
                  "The patient accompanied is required.");
        return;
    }
    if (!hospital || !json_is_object(v)) {
        error(req, ext, "patient", hospital ? "not-an-object" : "patient-hospitals-only",
              "Chỉ bệnh viện khai báo người bệnh, dưới dạng đối tượng.",
              "Only hospitals give a patient, as an object.");
        return;
    }
    only(req, v, "patient", patient_fields, ext);
    s->patient_name = text(req, v, "full_name", "patient.full_name", STAY_TEXT_MAX, true, ext);
    s->patient_id_number = text(req, v, "id_number", "patient.id_number", 12, false, ext);
    s->ward = text(req, v, "ward", "patient.ward", STAY_TEXT_MAX, true, ext);
    if (s->patient_id_number[0] &&
        (strlen(s->patient_id_number) != 12 || !dd_str_all_digits(s->patient_id_number, 12)))
        error(req, ext, "patient.id_number", "id-number-invalid", "Số định danh gồm 12 chữ số.",
              "The ID number is 12 digits.");
}

json_t *
stay_in_parse(struct dd_req *req, json_t *body, const struct stay_est *e, int64_t now_ms,
              struct stay *s)
{
    json_t *ext = NULL;
    *s = (struct stay){0};
    if (!json_is_object(body)) {
        error(req, &ext, "", "not-an-object", "Nội dung phải là một đối tượng JSON.",
              "The body must be a JSON object.");
        return ext;
    }
    only(req, body, "", checkin_fields, &ext);
    stay_guest_parse(req, body, s, &ext);
    int64_t arrived_ms;
    arrival(req, body, now_ms, s, &arrived_ms, &ext);
    s->room = text(req, body, "room", "room", STAY_TEXT_MAX, false, &ext);
    s->reason = text(req, body, "reason", "reason", STAY_TEXT_MAX, false, &ext);
    s->expected_departure =
        date(req, body, "expected_departure", "expected_departure", s->foreign, &ext);
    if (s->expected_departure[0] && strcmp(s->expected_departure, s->arrival_day) < 0)
        error(req, &ext, "expected_departure", "date-before-arrival",
              "Ngày dự kiến đi trước ngày đến.", "The expected departure is before the arrival.");
    relative(req, body, s, &ext);
    patient(req, body, e, s, &ext);
    s->establishment_id = e->id;
    s->province = e->province;
    s->commune = e->commune;
    s->departed_at = "";
    s->reported_at = stay_now_text(req, now_ms);
    int64_t due = dd_stay_due_ms(arrived_ms, s->foreign, e->remote);
    s->due_at = stay_now_text(req, due);
    s->late = dd_stay_late(now_ms, due);
    s->version = 1;
    s->updated_at = s->reported_at;
    return ext;
}
