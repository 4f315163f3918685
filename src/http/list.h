/*
 * list.h — the `?limit=` of every list (docs/API.md: default 50, at most 500).
 */
#ifndef DD_HTTP_LIST_H
#define DD_HTTP_LIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_req;
struct dd_stmt;

#define DD_LIST_DEFAULT_LIMIT 50
#define DD_LIST_MAX_LIMIT     500

/* Reads ?limit into *limit (DD_LIST_DEFAULT_LIMIT when absent). A bad value adds the
 * `limit-invalid` error to `ext` (created if NULL) for the caller's validation problem; returns
 * `ext`. */
json_t *dd_list_limit(struct dd_req *req, json_t *ext, int *limit);

/* As dd_list_limit, replying 400 validation-failed itself on a bad value: DD_OK or DD_EINVAL. */
int dd_list_limit_or_reply(struct dd_req *req, int *limit);

/* Replies 200 with a page of a list keyed by id: {"items": items (taken), "next_cursor": the
 * last id as text when `more`, else null}. Returns what dd_reply_json returns. */
int dd_list_reply_page(struct dd_req *req, json_t *items, bool more, int64_t last_id);

/* A row's JSON, for dd_list_collect. */
typedef json_t *(*dd_list_row_fn)(struct dd_stmt *st);

/* Steps a bound statement selecting at most limit + 1 rows whose column 0 is the id, appending
 * row(st) to `items` for the first `limit`; *more tells whether a row was left over and *last_id
 * is the id of the last appended. Resets the statement. Returns 0, or the step's negative code
 * (the items appended so far are the caller's to release). */
int dd_list_collect(struct dd_stmt *st, int limit, dd_list_row_fn row, json_t *items, bool *more,
                    int64_t *last_id);

#endif
