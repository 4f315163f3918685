/*
 * stream.c — the access log of the last five years as one download (CSV or JSON), and the tail of
 * the data export, written while the response is sent.
 *
 * A person read every day for five years has thousands of rows; the reply is not built whole.
 * libmicrohttpd asks for the body in blocks from the thread that serves the connection, after
 * the handler has returned; each time the pending bytes run out, the next page of rows is read
 * (core/consent/access_view.h) on that thread's database connection, from the position where
 * the page before ended, and written into one bounded buffer. Memory stays at one page whatever
 * the log holds, and no statement or transaction stays open between blocks, so other requests
 * of the thread use the connection in between. A database failure mid-way ends the response
 * abruptly (the client sees it truncated) and is logged.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/consent/access_view.h"
#include "core/consent/api.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_ROWS     500
#define MAX_OUT_BYTES (24 * 1024 * 1024) /* a prefix (up to 16 MiB) and one page */
#define BLOCK_SIZE    (32 * 1024)
#define CSV_HEADER    "at,reader_kind,agency,role,reader_name,action,data,purpose,request_id\r\n"
#define CSV_CONTENT   "text/csv; charset=utf-8; header=present"

struct stream {
    enum cs_stream_format format;
    char id_number[16];
    char exclude[64];
    char request_id[DD_REQUEST_ID_MAX + 1];
    struct dd_access_query q;
    struct dd_access_pos pos;
    struct dd_access_entry *rows; /* PAGE_ROWS, in `page` */
    struct dd_arena *page;        /* one page's rows; reset before the next */
    struct dd_buf out;            /* bytes not yet handed over start at `sent` */
    size_t sent;
    int64_t written; /* rows written */
    bool rows_done;
    bool finished;
};

/* Appends one CSV field (RFC 4180: quoted when it holds a comma, a quote, CR or LF). */
static void
csv_field(struct dd_buf *b, const char *s, bool last)
{
    if (s[strcspn(s, ",\"\r\n")] == '\0') {
        dd_buf_puts(b, s);
    } else {
        dd_buf_putc(b, '"');
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                dd_buf_putc(b, '"');
            dd_buf_putc(b, *p);
        }
        dd_buf_putc(b, '"');
    }
    dd_buf_puts(b, last ? "\r\n" : ",");
}

static void
csv_row(struct dd_buf *b, const struct dd_access_entry *e)
{
    const char *kind = dd_access_reader_kind(e->actor);
    bool named = strcmp(kind, "establishment") == 0 || strcmp(kind, "client") == 0;
    csv_field(b, e->at, false);
    csv_field(b, kind, false);
    csv_field(b, e->agency, false);
    csv_field(b, e->role, false);
    csv_field(b, named ? e->actor_name : "", false);
    csv_field(b, e->action, false);
    csv_field(b, e->data, false);
    csv_field(b, e->purpose, false);
    csv_field(b, e->request_id, true);
}

/* Writes the next page of rows, and the end once the rows are done, into s->out. */
static int
fill(struct stream *s)
{
    s->out.len = 0;
    if (s->out.data)
        s->out.data[0] = '\0';
    s->sent = 0;
    struct dd_db *db = dd_db_pool_get();
    if (db == NULL)
        return DD_EUNAVAIL;
    dd_arena_reset(s->page);
    s->rows = dd_arena_alloc(s->page, PAGE_ROWS * sizeof *s->rows);
    int n = 0;
    bool more = false;
    int rc = dd_access_page(db, s->page, &s->q, &s->pos, PAGE_ROWS, s->rows, &n, &more);
    if (rc != DD_OK) {
        dd_log(DD_LOG_ERROR, "consent.export", "request %s: access log export cut short: %s",
               s->request_id, dd_db_errmsg(db));
        return rc;
    }
    for (int i = 0; i < n; i++, s->written++) {
        if (s->format == CS_STREAM_CSV) {
            csv_row(&s->out, &s->rows[i]);
            continue;
        }
        json_t *row = cs_access_json(&s->rows[i]);
        if (s->written > 0)
            dd_buf_putc(&s->out, ',');
        dd_buf_puts(&s->out, dd_json_dump(s->page, row));
        json_decref(row);
    }
    s->rows_done = !more;
    if (s->rows_done) {
        if (s->format != CS_STREAM_CSV)
            dd_buf_puts(&s->out,
                        s->format == CS_STREAM_JSON_ARRAY ? "],\"next_cursor\":null}" : "]}");
        s->finished = true;
    }
    return DD_OK;
}

static ssize_t
read_block(void *cls, uint64_t offset, char *buf, size_t max)
{
    (void)offset;
    struct stream *s = cls;
    while (s->sent == s->out.len) {
        if (s->finished)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (fill(s) != DD_OK)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = s->out.len - s->sent;
    if (n > max)
        n = max;
    memcpy(buf, s->out.data + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void
free_stream(void *cls)
{
    struct stream *s = cls;
    dd_arena_free(s->page);
    dd_buf_release(&s->out);
    free(s);
}

int
cs_stream_access_log(struct dd_req *req, const char *id_number, enum cs_stream_format format,
                     const char *prefix, const char *filename)
{
    struct stream *s = dd_xcalloc(1, sizeof *s);
    s->format = format;
    dd_strlcpy(s->id_number, id_number, sizeof s->id_number);
    dd_strlcpy(s->exclude, cs_self_actor(req), sizeof s->exclude);
    dd_strlcpy(s->request_id, req->request_id, sizeof s->request_id);
    int64_t now = dd_clock_now_ms();
    s->q = (struct dd_access_query){
        .id_number = s->id_number,
        .exclude_actor = s->exclude,
        .oldest_day = dd_access_oldest_day(now),
    };
    s->pos = dd_access_pos_first(now);
    s->page = dd_arena_new(256 * 1024);
    dd_buf_init(&s->out, NULL, MAX_OUT_BYTES);
    int rc = dd_buf_puts(&s->out, format == CS_STREAM_CSV          ? CSV_HEADER
                                  : format == CS_STREAM_JSON_ARRAY ? "{\"items\":["
                                                                   : prefix);
    if (rc != DD_OK) {
        free_stream(s);
        return DD_ETOOBIG;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK_SIZE, read_block, s, free_stream);
    if (resp == NULL) {
        free_stream(s);
        return DD_EINTERNAL;
    }
    MHD_add_response_header(resp, "Content-Type",
                            format == CS_STREAM_CSV ? CSV_CONTENT : "application/json");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (filename)
        MHD_add_response_header(
            resp, "Content-Disposition",
            dd_arena_printf(req->arena, "attachment; filename=\"%s\"", filename));
    return dd_reply_response(req, 200, resp, 0);
}
