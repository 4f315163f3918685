/*
 * consents.c — granting, reading, withdrawing and checking consents (see consent.h). The check
 * is one probe of consent_items' primary key (person, service, item) joined to the consent by its
 * id; a person has few consents per service and item, so the probe reads a handful of rows.
 */
#include "core/consent/consent.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/consent/dates.h"
#include "core/events.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

bool
dd_consent_service_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > DD_CONSENT_MAX_SERVICE)
        return false;
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

/* True if s is 1..max bytes of UTF-8 without control characters. */
static bool
text_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max || !dd_utf8_valid(s, n, NULL))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static void
issue(struct dd_consent_issues *out, const char *field, const char *code, const char *vi,
      const char *en)
{
    if (out->count < DD_CONSENT_MAX_ISSUES)
        out->list[out->count++] = (struct dd_consent_issue){field, code, vi, en};
}

static void
validate_items(const struct dd_consent_new *c, struct dd_consent_issues *out)
{
    if (c->n_items < 1 || c->n_items > DD_CONSENT_MAX_ITEMS || c->items == NULL) {
        issue(out, "items", "items-count", "Cần từ 1 đến 16 loại dữ liệu.",
              "Name 1 to 16 items of data.");
        return;
    }
    for (int i = 0; i < c->n_items; i++) {
        if (dd_consent_item_find(c->items[i]) == NULL) {
            issue(out, "items", "item-unknown",
                  "Có loại dữ liệu không có trong danh mục (xem docs/CONSENT.md).",
                  "An item is not in the list of data items (see docs/CONSENT.md).");
            return;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(c->items[i], c->items[j]) == 0) {
                issue(out, "items", "item-repeated", "Một loại dữ liệu được nêu hai lần.",
                      "An item is named twice.");
                return;
            }
    }
}

static void
validate_period(const struct dd_consent_new *c, int64_t today, struct dd_consent_issues *out)
{
    int64_t from, until;
    bool from_ok = dd_date_parse(c->valid_from, 0, &from) == DD_OK;
    bool until_ok = dd_date_parse(c->valid_until, 0, &until) == DD_OK;
    if (!from_ok)
        issue(out, "valid_from", "date-invalid", "Ngày phải có dạng NNNN-TT-NN và là ngày có thật.",
              "The date must be YYYY-MM-DD and a real date.");
    if (!until_ok)
        issue(out, "valid_until", "date-invalid",
              "Ngày phải có dạng NNNN-TT-NN và là ngày có thật.",
              "The date must be YYYY-MM-DD and a real date.");
    if (from_ok && from < today)
        issue(out, "valid_from", "date-past", "Sự đồng ý không thể bắt đầu trước hôm nay.",
              "A consent cannot begin before today.");
    if (!from_ok || !until_ok)
        return;
    if (until < from)
        issue(out, "valid_until", "period-reversed", "Ngày kết thúc trước ngày bắt đầu.",
              "The period ends before it begins.");
    else if (until >= dd_days_add_years(from, DD_CONSENT_MAX_YEARS))
        issue(out, "valid_until", "period-too-long", "Thời hạn đồng ý tối đa là 5 năm.",
              "A consent lasts at most 5 years.");
}

int
dd_consent_validate(const struct dd_consent_new *c, int64_t today, struct dd_consent_issues *out)
{
    out->count = 0;
    if (!dd_str_all_digits(c->id_number, 12))
        issue(out, "id_number", "id-number-invalid", "Số định danh cá nhân gồm 12 chữ số.",
              "A personal ID number has 12 digits.");
    if (!dd_consent_service_valid(c->service))
        issue(out, "service", "service-invalid",
              "Mã dịch vụ gồm 1–64 ký tự a-z 0-9 . _ : - (bắt đầu bằng chữ hoặc số).",
              "A service id is 1–64 characters of a-z 0-9 . _ : - (beginning with a letter or "
              "digit).");
    if (!text_ok(c->service_name, DD_CONSENT_MAX_NAME))
        issue(out, "service_name", "text-invalid",
              "Tên dịch vụ: 1–200 byte, không có ký tự điều khiển.",
              "The service's name: 1–200 bytes, without control characters.");
    if (!text_ok(c->purpose, DD_CONSENT_MAX_PURPOSE))
        issue(out, "purpose", "text-invalid", "Mục đích: 1–500 byte, không có ký tự điều khiển.",
              "The purpose: 1–500 bytes, without control characters.");
    validate_items(c, out);
    validate_period(c, today, out);
    return out->count;
}

/* The items as a JSON array, in the order given. */
static const char *
items_json(struct dd_arena *a, const char *const *items, int n)
{
    struct dd_buf b;
    dd_buf_init(&b, a, 4096);
    dd_buf_putc(&b, '[');
    for (int i = 0; i < n; i++) {
        dd_buf_puts(&b, i ? ",\"" : "\"");
        dd_buf_json_escape(&b, items[i]);
        dd_buf_putc(&b, '"');
    }
    dd_buf_putc(&b, ']');
    return b.data;
}

/* Emits consent.changed for consent `id`. */
static int
emit_changed(struct dd_db *db, struct dd_arena *a, int64_t id, const char *change,
             const char *id_number, const char *service, const char *items)
{
    struct dd_buf b;
    dd_buf_init(&b, a, 8192);
    dd_buf_printf(&b, "{\"consent_id\":%lld,\"change\":\"%s\",\"id_number\":\"", (long long)id,
                  change);
    dd_buf_json_escape(&b, id_number);
    dd_buf_puts(&b, "\",\"service\":\"");
    dd_buf_json_escape(&b, service);
    dd_buf_printf(&b, "\",\"items\":%s}", items);
    return dd_event_emit(db, "consent.changed", dd_arena_printf(a, "person:%s", id_number), b.data);
}

static int
insert_item(struct dd_db *db, const struct dd_consent_new *c, const char *item, int64_t id)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO consent_items (id_number, service, item, consent_id) "
                           "VALUES (?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, c->id_number);
    dd_stmt_bind_text(st, 2, c->service);
    dd_stmt_bind_text(st, 3, item);
    dd_stmt_bind_int64(st, 4, id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
dd_consent_grant(struct dd_db *db, const struct dd_consent_new *c, int64_t now_ms, int64_t *id)
{
    struct dd_consent_issues issues;
    if (dd_consent_validate(c, dd_day_vietnam(now_ms), &issues) > 0)
        return DD_EINVAL;
    if (!dd_db_in_transaction(db))
        return DD_EINVAL;
    struct dd_arena *a = dd_arena_new(0);
    const char *items = items_json(a, c->items, c->n_items);
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO consents (id_number, account_id, service, service_name, "
                           "items, purpose, valid_from, valid_until, granted_at, request_id) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, c->id_number);
        dd_stmt_bind_int64(st, 2, c->account_id);
        dd_stmt_bind_text(st, 3, c->service);
        dd_stmt_bind_text(st, 4, c->service_name);
        dd_stmt_bind_text(st, 5, items);
        dd_stmt_bind_text(st, 6, c->purpose);
        dd_stmt_bind_text(st, 7, c->valid_from);
        dd_stmt_bind_text(st, 8, c->valid_until);
        dd_stmt_bind_text(st, 9, now);
        dd_stmt_bind_text(st, 10, c->request_id ? c->request_id : "");
        rc = dd_stmt_step(st);
        *id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : (*id > 0 ? DD_OK : DD_EDB);
    }
    for (int i = 0; rc == DD_OK && i < c->n_items; i++)
        rc = insert_item(db, c, c->items[i], *id);
    if (rc == DD_OK)
        rc = emit_changed(db, a, *id, "granted", c->id_number, c->service, items);
    dd_arena_free(a);
    return rc;
}

#define CONSENT_COLUMNS                                                                            \
    "id, id_number, service, service_name, items, purpose, valid_from, valid_until, granted_at, "  \
    "withdrawn_at, withdrawal_reason"

static void
read_consent(struct dd_stmt *st, struct dd_arena *a, struct dd_consent *c)
{
    c->id = dd_stmt_int64(st, 0);
    const char **fields[] = {
        &c->id_number,  &c->service,     &c->service_name, &c->items_json,   &c->purpose,
        &c->valid_from, &c->valid_until, &c->granted_at,   &c->withdrawn_at, &c->withdrawal_reason};
    for (int i = 0; i < 10; i++) {
        const char *s = dd_stmt_text(st, i + 1);
        *fields[i] = dd_arena_strdup(a, s ? s : "");
    }
}

int
dd_consent_get(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t id,
               struct dd_consent *out)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db, "SELECT " CONSENT_COLUMNS " FROM consents WHERE id = ? AND id_number = ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, id);
    dd_stmt_bind_text(st, 2, id_number);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        read_consent(st, a, out);
    dd_stmt_reset(st);
    return rc < 0 ? rc : rc == DD_DB_ROW ? DD_OK : DD_ENOTFOUND;
}

int
dd_consent_list(struct dd_db *db, struct dd_arena *a, const char *id_number, int64_t before_id,
                int limit, struct dd_consent *out, int *n, bool *more)
{
    *n = 0;
    *more = false;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT " CONSENT_COLUMNS " FROM consents WHERE id_number = ? AND "
                           "id < ? ORDER BY id DESC LIMIT ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
    dd_stmt_bind_int64(st, 3, (int64_t)limit + 1);
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (*n == limit) {
            *more = true;
            break;
        }
        read_consent(st, a, &out[(*n)++]);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

const char *
dd_consent_state(const struct dd_consent *c, int64_t now_ms)
{
    if (c->withdrawn_at[0])
        return "withdrawn";
    char today[11];
    dd_date_format(dd_day_vietnam(now_ms), today);
    if (strcmp(c->valid_until, today) < 0)
        return "expired";
    if (strcmp(c->valid_from, today) > 0)
        return "pending";
    return "active";
}

int
dd_consent_withdraw(struct dd_db *db, const char *id_number, int64_t id, const char *reason,
                    int64_t now_ms)
{
    if (!dd_db_in_transaction(db))
        return DD_EINVAL;
    struct dd_arena *a = dd_arena_new(0);
    struct dd_consent c;
    int rc = dd_consent_get(db, a, id_number, id, &c);
    char now[32], today[11];
    dd_clock_iso8601(now_ms, now);
    dd_date_format(dd_day_vietnam(now_ms), today);
    struct dd_stmt *st = NULL;
    if (rc == DD_OK)
        rc = dd_db_prepare(db,
                           "UPDATE consents SET withdrawn_at = ?, withdrawal_reason = ? WHERE "
                           "id = ? AND id_number = ? AND withdrawn_at = '' AND valid_until >= ?",
                           &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, now);
        dd_stmt_bind_text(st, 2, reason ? reason : "");
        dd_stmt_bind_int64(st, 3, id);
        dd_stmt_bind_text(st, 4, id_number);
        dd_stmt_bind_text(st, 5, today);
        rc = dd_stmt_step(st);
        int64_t changed = dd_stmt_changes(st);
        dd_stmt_reset(st);
        rc = rc < 0 ? rc : changed == 1 ? DD_OK : DD_ECONFLICT;
    }
    if (rc == DD_OK)
        rc = emit_changed(db, a, id, "withdrawn", id_number, c.service, c.items_json);
    dd_arena_free(a);
    return rc;
}

int
dd_consent_check(struct dd_db *db, const char *id_number, const char *service, const char *item,
                 int64_t at_ms, bool *holds, int64_t *consent_id)
{
    *holds = false;
    if (consent_id)
        *consent_id = 0;
    char at[32], day[11];
    dd_clock_iso8601(at_ms, at);
    dd_date_format(dd_day_vietnam(at_ms), day);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT c.id FROM consent_items i JOIN consents c ON c.id = "
                           "i.consent_id WHERE i.id_number = ? AND i.service = ? AND i.item = ? "
                           "AND c.valid_from <= ? AND c.valid_until >= ? AND (c.withdrawn_at = "
                           "'' OR c.withdrawn_at > ?) ORDER BY c.valid_until DESC, c.id DESC "
                           "LIMIT 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number ? id_number : "");
    dd_stmt_bind_text(st, 2, service ? service : "");
    dd_stmt_bind_text(st, 3, item ? item : "");
    dd_stmt_bind_text(st, 4, day);
    dd_stmt_bind_text(st, 5, day);
    dd_stmt_bind_text(st, 6, at);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        *holds = true;
        if (consent_id)
            *consent_id = dd_stmt_int64(st, 0);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

bool
dd_consent_holds(struct dd_db *db, const char *id_number, const char *service, const char *item,
                 int64_t at_ms)
{
    bool holds = false;
    return dd_consent_check(db, id_number, service, item, at_ms, &holds, NULL) == DD_OK && holds;
}
