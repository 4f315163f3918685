/*
 * person.c — field checks for a person, shared by every path that writes one.
 */
#include "core/register/person.h"
#include "base/clock.h"
#include "base/str.h"

#include <stdio.h>
#include <string.h>

#define MAX_NAME_BYTES    200
#define MAX_ADDRESS_BYTES 300
#define MAX_TEXT_BYTES    200

static void
issue(struct dd_person_check *out, const char *field, const char *code, const char *vi,
      const char *en)
{
    if (out->count >= DD_PERSON_MAX_ISSUES)
        return;
    struct dd_person_issue *i = &out->issues[out->count++];
    i->field = field;
    i->code = code;
    i->warning = false;
    snprintf(i->message_vi, sizeof i->message_vi, "%s", vi);
    snprintf(i->message_en, sizeof i->message_en, "%s", en);
    out->errors++;
}

static bool
empty(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static bool
n_digits(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static void
check_text(struct dd_person_check *out, const char *field, const char *v, size_t max)
{
    if (v && (strlen(v) > max || dd_str_has_control(v)))
        issue(out, field, "text-invalid", "Giá trị quá dài hoặc chứa ký tự điều khiển.",
              "The value is too long or holds control characters.");
}

static void
check_link(struct dd_person_check *out, const char *field, const char *v, const char *self)
{
    if (empty(v))
        return;
    if (!n_digits(v, 12))
        issue(out, field, "id-format", "Phải là số định danh cá nhân 12 chữ số.",
              "Must be a 12-digit personal ID number.");
    else if (self && strcmp(v, self) == 0)
        issue(out, field, "link-self", "Một người không thể liên kết với chính mình.",
              "A person cannot be linked to themself.");
}

static void
check_place(struct dd_person_check *out, const char *pfield, const char *province,
            const char *cfield, const char *commune)
{
    if (empty(province) && empty(commune))
        return;
    if (!n_digits(province, 2))
        issue(out, pfield, "province-format", "Mã tỉnh phải có 2 chữ số.",
              "A province code has 2 digits.");
    if (!n_digits(commune, 5))
        issue(out, cfield, "commune-format", "Mã xã phải có 5 chữ số.",
              "A commune code has 5 digits.");
}

/* Compares partial dates by their common prefix: "1990" is not after "1990-05-17". */
static bool
date_before(const char *a, const char *b)
{
    size_t n = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
    return strncmp(a, b, n) < 0;
}

int
dd_person_check(const struct dd_person *p, struct dd_person_check *out)
{
    memset(out, 0, sizeof *out);
    int year = dd_partial_date_year(p->birth_date);
    char today[11];
    dd_clock_vietnam_day(dd_clock_now_ms(), today);

    if (year < 0)
        issue(out, "birth_date", "date-invalid",
              "Ngày sinh phải có dạng NNNN, NNNN-TT hoặc NNNN-TT-NN và là ngày có thật.",
              "The date of birth must be YYYY, YYYY-MM or YYYY-MM-DD and a real date.");
    else if (date_before(today, p->birth_date))
        issue(out, "birth_date", "date-future", "Ngày sinh ở tương lai.",
              "The date of birth is in the future.");
    bool sex_ok = p->sex && (strcmp(p->sex, "male") == 0 || strcmp(p->sex, "female") == 0);
    if (!sex_ok)
        issue(out, "sex", "sex-invalid", "Giới tính phải là male hoặc female.",
              "Sex must be male or female.");
    dd_idnumber_check(p->id_number, sex_ok ? p->sex : NULL, year > 0 ? year : 0, out);

    if (empty(p->full_name) || strlen(p->full_name) > MAX_NAME_BYTES ||
        dd_str_has_control(p->full_name))
        issue(out, "full_name", "name-invalid", "Họ và tên là bắt buộc, tối đa 200 byte.",
              "The full name is required, at most 200 bytes.");
    check_text(out, "other_names", p->other_names, MAX_NAME_BYTES);
    check_text(out, "ethnicity", p->ethnicity, MAX_TEXT_BYTES);
    check_text(out, "religion", p->religion, MAX_TEXT_BYTES);
    check_text(out, "birth_place", p->birth_place, MAX_ADDRESS_BYTES);
    check_text(out, "hometown", p->hometown, MAX_ADDRESS_BYTES);
    check_text(out, "photo_ref", p->photo_ref, MAX_TEXT_BYTES);
    check_text(out, "permanent_address", p->permanent_address, MAX_ADDRESS_BYTES);
    check_text(out, "temporary_address", p->temporary_address, MAX_ADDRESS_BYTES);
    check_text(out, "relation_to_head", p->relation_to_head, MAX_TEXT_BYTES);
    check_text(out, "household_number", p->household_number, 32);

    const char *nat = empty(p->nationality) ? "VN" : p->nationality;
    if (strlen(nat) != 2 || nat[0] < 'A' || nat[0] > 'Z' || nat[1] < 'A' || nat[1] > 'Z')
        issue(out, "nationality", "nationality-invalid",
              "Quốc tịch là mã 2 chữ cái in hoa (ISO 3166-1), ví dụ VN.",
              "Nationality is a 2-letter upper-case code (ISO 3166-1), e.g. VN.");
    if (!empty(p->old_id_number) && !n_digits(p->old_id_number, 9))
        issue(out, "old_id_number", "old-id-format", "Số CMND cũ phải có 9 chữ số.",
              "The old ID number has 9 digits.");

    const char *status = empty(p->status) ? "alive" : p->status;
    bool dead = strcmp(status, "dead") == 0;
    if (!dead && strcmp(status, "alive") != 0 && strcmp(status, "missing") != 0)
        issue(out, "status", "status-invalid", "Trạng thái phải là alive, dead hoặc missing.",
              "Status must be alive, dead or missing.");
    if (dead && dd_partial_date_year(p->death_date) < 0)
        issue(out, "death_date", "date-invalid", "Người đã mất cần ngày mất hợp lệ.",
              "A dead person needs a valid date of death.");
    else if (dead && year > 0 && date_before(p->death_date, p->birth_date))
        issue(out, "death_date", "date-order", "Ngày mất trước ngày sinh.",
              "The date of death is before the date of birth.");
    else if (!dead && !empty(p->death_date))
        issue(out, "death_date", "death-date-unexpected", "Chỉ người đã mất mới có ngày mất.",
              "Only a dead person has a date of death.");

    check_link(out, "father_id", p->father_id, p->id_number);
    check_link(out, "mother_id", p->mother_id, p->id_number);
    check_link(out, "spouse_id", p->spouse_id, p->id_number);
    check_place(out, "permanent_province", p->permanent_province, "permanent_commune",
                p->permanent_commune);
    check_place(out, "temporary_province", p->temporary_province, "temporary_commune",
                p->temporary_commune);
    if (!empty(p->temporary_until) && dd_partial_date_year(p->temporary_until) < 0)
        issue(out, "temporary_until", "date-invalid", "Ngày hết hạn tạm trú không hợp lệ.",
              "The end of temporary residence is not a valid date.");
    if (!empty(p->relation_to_head) && empty(p->household_number))
        issue(out, "relation_to_head", "household-missing", "Quan hệ với chủ hộ cần số hộ.",
              "A relation to the head needs a household number.");
    return out->errors;
}
