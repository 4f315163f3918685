/*
 * jsonw.c — JSON written straight into the request's arena, for the register's replies.
 *
 * Reading a person is the hottest path of the register; building its reply as a jansson tree
 * would cost dozens of heap allocations per request. The writer appends to a bounded buffer in
 * the arena instead, escaping strings as RFC 8259 asks, and tracks commas per nesting level.
 */
#include "base/err.h"
#include "core/register/api.h"
#include "http/reply.h"
#include "http/req.h"

#define MAX_REPLY_BYTES (8 * 1024 * 1024)

void
reg_jw_init(struct reg_jw *w, struct dd_arena *a)
{
    dd_buf_init(&w->b, a, MAX_REPLY_BYTES);
    w->depth = 0;
    w->comma[0] = false;
}

static void
key(struct reg_jw *w, const char *k)
{
    if (w->comma[w->depth])
        dd_buf_putc(&w->b, ',');
    w->comma[w->depth] = true;
    if (k == NULL)
        return;
    dd_buf_putc(&w->b, '"');
    dd_buf_json_escape(&w->b, k);
    dd_buf_puts(&w->b, "\":");
}

void
reg_jw_open(struct reg_jw *w, const char *k, char bracket)
{
    key(w, k);
    dd_buf_putc(&w->b, bracket);
    if (w->depth + 1 < REG_JW_DEPTH)
        w->depth++;
    w->comma[w->depth] = false;
}

void
reg_jw_close(struct reg_jw *w, char bracket)
{
    dd_buf_putc(&w->b, bracket);
    if (w->depth > 0)
        w->depth--;
}

void
reg_jw_str(struct reg_jw *w, const char *k, const char *s)
{
    key(w, k);
    dd_buf_putc(&w->b, '"');
    dd_buf_json_escape(&w->b, s ? s : "");
    dd_buf_putc(&w->b, '"');
}

void
reg_jw_str_or_null(struct reg_jw *w, const char *k, const char *s)
{
    if (s == NULL || s[0] == '\0')
        reg_jw_null(w, k);
    else
        reg_jw_str(w, k, s);
}

void
reg_jw_int(struct reg_jw *w, const char *k, int64_t v)
{
    key(w, k);
    if (v < 0) {
        dd_buf_putc(&w->b, '-');
        v = -v;
    }
    dd_buf_put_uint(&w->b, (uint64_t)v);
}

void
reg_jw_null(struct reg_jw *w, const char *k)
{
    key(w, k);
    dd_buf_puts(&w->b, "null");
}

void
reg_jw_raw(struct reg_jw *w, const char *k, const char *json)
{
    key(w, k);
    dd_buf_puts(&w->b, json && json[0] ? json : "null");
}

void
reg_jw_person(struct reg_jw *w, const struct dd_reg_person *rp)
{
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        reg_jw_str(w, dd_person_fields[i].name, dd_person_get(&rp->p, i));
    if (rp->household_id > 0) {
        reg_jw_open(w, "household", '{');
        reg_jw_str(w, "number", rp->p.household_number);
        reg_jw_str(w, "head_id", rp->household_head);
        reg_jw_str(w, "province", rp->household_province);
        reg_jw_str(w, "commune", rp->household_commune);
        reg_jw_str(w, "address", rp->household_address);
        reg_jw_close(w, '}');
    } else {
        reg_jw_null(w, "household");
    }
    reg_jw_int(w, "version", rp->version);
    reg_jw_str(w, "created_at", rp->created_at);
    reg_jw_str(w, "updated_at", rp->updated_at);
}

int
reg_jw_reply(struct dd_req *req, unsigned status, struct reg_jw *w)
{
    if (w->b.data == NULL)
        return DD_EINTERNAL;
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_bytes(req, status, "application/json", w->b.data, w->b.len);
}
