/*
 * residence_periods.c — the person's residence periods as the people row carries them.
 *
 * The residences table holds every period a person ever had. Reading a person needs only the
 * periods still running, and reading a person is the register's hottest path, so the people row
 * keeps them beside the fields: people.residences is a JSON array of the periods that were
 * running on the day of the person's last residence change (to_date empty or not before it),
 * oldest first, each {"kind","province","commune","address","from","until"} with "until" null
 * for an open-ended period. Reading the person is then one row; a period whose end has passed
 * since is dropped on the way out (dd_reg_residences_running).
 *
 * Every writer keeps the two together in the same transaction: single changes through
 * dd_reg_residence_open/close (which call dd_reg_residences_refresh), the CSV import and the demo
 * through dd_reg_residence_json, and migration 0014 for registers written before the column.
 */
#include "core/register/register.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "store/store.h"

#include <jansson.h>
#include <string.h>

/* A person's periods fit easily: a period is a few hundred bytes and a person has a handful. */
#define RESIDENCES_MAX (256 * 1024)

void
dd_reg_residence_json(struct dd_buf *b, const char *kind, const char *province, const char *commune,
                      const char *address, const char *from, const char *until)
{
    dd_buf_puts(b, "{\"kind\":\"");
    dd_buf_json_escape(b, kind);
    dd_buf_puts(b, "\",\"province\":\"");
    dd_buf_json_escape(b, province ? province : "");
    dd_buf_puts(b, "\",\"commune\":\"");
    dd_buf_json_escape(b, commune ? commune : "");
    dd_buf_puts(b, "\",\"address\":\"");
    dd_buf_json_escape(b, address ? address : "");
    dd_buf_puts(b, "\",\"from\":\"");
    dd_buf_json_escape(b, from);
    if (until && until[0]) {
        dd_buf_puts(b, "\",\"until\":\"");
        dd_buf_json_escape(b, until);
        dd_buf_puts(b, "\"}");
    } else {
        dd_buf_puts(b, "\",\"until\":null}");
    }
}

int
dd_reg_residences_refresh(struct dd_db *db, const char *id_number)
{
    char today[32];
    dd_clock_iso8601(dd_clock_now_ms(), today);
    today[10] = '\0';
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT kind, province_code, commune_code, address, from_date, to_date "
                           "FROM residences WHERE id_number = ? AND (to_date = '' OR to_date >= ?) "
                           "ORDER BY id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, id_number);
    dd_stmt_bind_text(st, 2, today);
    struct dd_buf b;
    dd_buf_init(&b, NULL, RESIDENCES_MAX);
    dd_buf_putc(&b, '[');
    int n = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (n++ > 0)
            dd_buf_putc(&b, ',');
        dd_reg_residence_json(&b, dd_stmt_text(st, 0), dd_stmt_text(st, 1), dd_stmt_text(st, 2),
                              dd_stmt_text(st, 3), dd_stmt_text(st, 4), dd_stmt_text(st, 5));
    }
    dd_stmt_reset(st);
    if (rc >= 0 && dd_buf_putc(&b, ']') != DD_OK)
        rc = DD_ETOOBIG;
    if (rc >= 0)
        rc = dd_db_prepare(db, "UPDATE people SET residences = ? WHERE id_number = ?", &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, b.data);
        dd_stmt_bind_text(st, 2, id_number);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    dd_buf_release(&b);
    return rc < 0 ? rc : DD_OK;
}

/* Whether any period in `stored` ended before `on`: looks at each "until":"YYYY-MM-DD". */
static bool
any_ended(const char *stored, const char *on)
{
    static const char key[] = "\"until\":\"";
    for (const char *p = strstr(stored, key); p; p = strstr(p + 1, key)) {
        const char *date = p + sizeof key - 1;
        if (strncmp(date, on, 10) < 0)
            return true;
    }
    return false;
}

const char *
dd_reg_residences_running(struct dd_arena *a, const char *stored, const char *on)
{
    if (stored == NULL || stored[0] == '\0')
        return "[]";
    if (!any_ended(stored, on))
        return stored;
    json_t *all = json_loads(stored, 0, NULL);
    if (!json_is_array(all)) {
        json_decref(all);
        return "[]";
    }
    json_t *running = json_array();
    size_t i;
    json_t *period;
    json_array_foreach(all, i, period)
    {
        const char *until = json_string_value(json_object_get(period, "until"));
        if (until == NULL || strncmp(until, on, 10) >= 0)
            json_array_append(running, period);
    }
    const char *text = dd_json_dump(a, running);
    json_decref(running);
    json_decref(all);
    return text;
}
