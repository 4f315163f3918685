/* list.c — the `?limit=` of every list, with one message for a bad value (see list.h). */
#include "http/list.h"
#include "http/reply.h"
#include "base/err.h"
#include "base/str.h"
#include "http/problem.h"
#include "http/req.h"
#include "store/store.h"

#include <stdint.h>

json_t *
dd_list_limit(struct dd_req *req, json_t *ext, int *limit)
{
    const char *v = dd_req_query(req, "limit");
    int64_t n = DD_LIST_DEFAULT_LIMIT;
    if (v != NULL && dd_parse_int64(v, 1, DD_LIST_MAX_LIMIT, &n) != DD_OK) {
        n = DD_LIST_DEFAULT_LIMIT;
        ext = dd_problem_add_error(ext, req, "limit", "limit-invalid",
                                   "limit là số nguyên từ 1 đến 500.",
                                   "limit is a whole number from 1 to 500.");
    }
    *limit = (int)n;
    return ext;
}

int
dd_list_limit_or_reply(struct dd_req *req, int *limit)
{
    json_t *ext = dd_list_limit(req, NULL, limit);
    if (ext == NULL)
        return DD_OK;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return DD_EINVAL;
}

int
dd_list_reply_page(struct dd_req *req, json_t *items, bool more, int64_t last_id)
{
    json_t *next = more ? json_sprintf("%lld", (long long)last_id) : json_null();
    return dd_reply_json(req, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

int
dd_list_collect(struct dd_stmt *st, int limit, dd_list_row_fn row, json_t *items, bool *more,
                int64_t *last_id)
{
    *more = false;
    *last_id = 0;
    int n = 0, rc;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (n == limit) {
            *more = true;
            break;
        }
        *last_id = dd_stmt_int64(st, 0);
        json_array_append_new(items, row(st));
        n++;
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}
