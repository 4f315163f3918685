/*
 * export.c — GET /api/v1/insight/{area}/export?format=csv|xlsx&audience=police|shared: one
 * area's table (population by commune × age band × sex, labour by commune × status × sector ×
 * park, tourism and public order by commune × month) as CSV (RFC 4180, UTF-8 with CRLF) or XLSX.
 *
 * A table shared outside the police (audience=shared, the default) shows every count from 1 to
 * the threshold minus one as "<threshold" (insight-suppress-below, 5 by default), so that no
 * cell points at fewer people than that. audience=police keeps every count and needs a role
 * granting insight:police.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/insight/insight.h"
#include "core/insight/internal.h"
#include "core/officers.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"

#include <stdio.h>
#include <string.h>

#define EXPORT_MAX (32 * 1024 * 1024)

static int64_t suppress_below = 5;

void
dd_insight_configure(long threshold)
{
    if (threshold > 0)
        suppress_below = threshold;
}

static void
csv_field(struct dd_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        dd_buf_puts(b, s);
        return;
    }
    dd_buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            dd_buf_putc(b, '"');
        dd_buf_putc(b, *s);
    }
    dd_buf_putc(b, '"');
}

static int
write_csv(struct dd_buf *b, const struct insight_table *t)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            dd_buf_putc(b, ',');
        csv_field(b, t->columns[c]);
    }
    dd_buf_puts(b, "\r\n");
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                dd_buf_putc(b, ',');
            csv_field(b, t->cells[r * t->ncols + c]);
        }
        if (dd_buf_puts(b, "\r\n") != DD_OK)
            return DD_ETOOBIG;
    }
    return DD_OK;
}

static bool
known_area(const char *a)
{
    return a && (strcmp(a, "population") == 0 || strcmp(a, "labour") == 0 ||
                 strcmp(a, "tourism") == 0 || strcmp(a, "order") == 0);
}

static int
options_or_reply(struct dd_req *req, const char **area, const char **table, bool *xlsx,
                 bool *police)
{
    *area = dd_req_param(req, "area");
    *table = dd_req_query(req, "table");
    const char *format = dd_req_query(req, "format");
    const char *audience = dd_req_query(req, "audience");
    if (!known_area(*area)) {
        dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
        return -1;
    }
    json_t *ext = NULL;
    if (*table && !insight_table_known(*area, *table))
        ext = dd_problem_add_error(ext, req, "table", "table-unknown",
                                   "Khu vực này không có bảng số liệu đó.",
                                   "This area has no table of that name.");
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        ext = dd_problem_add_error(ext, req, "format", "format-invalid",
                                   "Định dạng là csv hoặc xlsx.", "The format is csv or xlsx.");
    if (audience && strcmp(audience, "police") != 0 && strcmp(audience, "shared") != 0)
        ext = dd_problem_add_error(ext, req, "audience", "audience-invalid",
                                   "Đối tượng là police hoặc shared.",
                                   "The audience is police or shared.");
    if (ext) {
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return -1;
    }
    *xlsx = format && strcmp(format, "xlsx") == 0;
    *police = audience && strcmp(audience, "police") == 0;
    if (*police && !dd_officer_role_grants(req->who->role, "insight:police")) {
        dd_reply_problem_detail(
            req, DD_PROBLEM_FORBIDDEN, "Chỉ lực lượng công an được xuất số liệu không che ô nhỏ.",
            "Only the police may export figures without hiding small cells.", NULL);
        return -1;
    }
    return 0;
}

int
insight_export_get(struct dd_req *req)
{
    const char *area, *table;
    bool xlsx, police;
    if (options_or_reply(req, &area, &table, &xlsx, &police) != 0)
        return DD_DONE;
    struct insight_filter f;
    if (insight_filter_or_reply(req, &f) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    int rc;
    struct insight_table *t = insight_area_table(req, db, area, table, &f, &rc);
    if (rc != DD_OK)
        return rc;
    if (!police)
        insight_suppress(t, suppress_below,
                         dd_arena_printf(req->arena, "<%lld", (long long)suppress_below));
    struct dd_buf b;
    dd_buf_init(&b, req->arena, EXPORT_MAX);
    rc = xlsx ? dd_xlsx_write(&b, t->name, t->columns, t->ncols, t->cells, t->nrows)
              : write_csv(&b, t);
    if (rc != DD_OK)
        return rc;
    const char *name = dd_arena_printf(req->arena, "attachment; filename=\"%s-%s-%s-%s.%s\"", area,
                                       table ? table : "main", f.from, f.to, xlsx ? "xlsx" : "csv");
    dd_reply_header(req, "Content-Disposition", name);
    dd_reply_header(req, "X-Suppressed-Below",
                    police ? "0" : dd_arena_printf(req->arena, "%lld", (long long)suppress_below));
    return dd_reply_bytes(req, 200,
                          xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                               : "text/csv; charset=utf-8",
                          b.data, b.len);
}
