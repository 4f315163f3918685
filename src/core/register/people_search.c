/*
 * people_search.c — GET /api/v1/people: finding people by name, year of birth and place.
 *
 * A name is searched folded (case and diacritics removed, đ → d), as a prefix of the full name
 * ("nguyen van" finds Nguyễn Văn An) or of the name given first ("an ng" finds Nguyễn Văn An).
 * Each is an index range scan, `key >= prefix AND key < successor(prefix)`, walked in
 * (key, id_number) order and stopped at the page's end, so a search costs the same at two
 * million people as at two thousand. Full-name matches come first, then given-name matches that
 * were not full-name matches; the opaque cursor says which of the two runs a page stopped in and
 * where. Without a name, people are listed in ID-number order. The caller's area is part of
 * the SQL, and every person returned gets a "search" row in their access log.
 *
 * When most rows may fail the filters (a commune officer, a year of birth, a place), a page scans
 * at most SCAN_BUDGET rows of the index and may come back short, with a cursor where the scan
 * stopped: "n" searched by one commune's officer would otherwise walk a third of the province.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/purpose.h"
#include "core/register/api.h"
#include "http/principal.h"
#include "http/list.h"
#include "http/problem.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

#define MAX_NAME_QUERY_BYTES 100
#define MAX_CURSOR_BYTES     1024
#define SCAN_BUDGET          2000 /* rows a restrictive search scans per run and page */

enum run { RUN_NAME = 'n', RUN_GIVEN = 'g', RUN_ID = 'i' };

struct search {
    const char *prefix;    /* folded name, or NULL */
    const char *successor; /* the first string after every string starting with prefix */
    int64_t birth_year;    /* 0: any */
    const char *province;  /* NULL: any */
    const char *commune;   /* NULL: any in the province */
    int limit;
    /* where the previous page stopped */
    enum run run;
    const char *after_key;
    const char *after_id;
};

struct found {
    struct reg_jw *w;
    const char **ids;
    struct dd_reg_home *homes; /* each one's permanent residence, for the access log */
    int n;
    enum run last_run;
    const char *last_key;
    const char *last_id;
    bool more;
};

/* Encodes a code point as UTF-8; returns its length. */
static size_t
put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The smallest valid UTF-8 string greater than every string that starts with `s` (which is
 * valid UTF-8): the last code point incremented, or dropped when it is the largest, as byte
 * order and code point order agree. NULL when there is none (every string is "after"). */
static const char *
prefix_successor(struct dd_arena *a, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        size_t start = n - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
            start--;
        const unsigned char *p = (const unsigned char *)s + start;
        size_t len = n - start;
        unsigned cp = len == 1   ? p[0]
                      : len == 2 ? ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu)
                      : len == 3 ? ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu)
                                 : ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) |
                                       ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
        if (cp < 0x10FFFF) {
            cp = cp + 1 == 0xD800 ? 0xE000 : cp + 1;
            char *out = dd_arena_alloc(a, start + 5);
            memcpy(out, s, start);
            out[start + put_utf8(out + start, cp)] = '\0';
            return out;
        }
        n = start;
    }
    return NULL;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads "<run>\t<key>\t<id>" from the hex cursor; false when it is not one of ours or belongs
 * to another search. */
static bool
cursor_decode(struct dd_arena *a, const char *hex, struct search *s)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 != 0 || n > MAX_CURSOR_BYTES)
        return false;
    char *text = dd_arena_alloc(a, n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        text[i] = (char)(hi * 16 + lo);
    }
    text[n / 2] = '\0';
    char *tab1 = strchr(text, '\t');
    char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (tab1 != text + 1 || tab2 == NULL || strlen(tab2 + 1) != 12 ||
        strspn(tab2 + 1, "0123456789") != 12 || memchr(text, '\0', n / 2) != NULL)
        return false;
    *tab1 = *tab2 = '\0';
    if (!dd_utf8_valid(tab1 + 1, strlen(tab1 + 1), NULL))
        return false;
    s->run = (enum run)text[0];
    s->after_key = tab1 + 1;
    s->after_id = tab2 + 1;
    if (s->run == RUN_ID)
        return s->prefix == NULL;
    /* a cursor of another search would widen this one's range */
    return (s->run == RUN_NAME || s->run == RUN_GIVEN) && s->prefix != NULL &&
           strncmp(s->after_key, s->prefix, strlen(s->prefix)) == 0;
}

static const char *
cursor_encode(struct dd_arena *a, enum run run, const char *key, const char *id)
{
    const char *text = dd_arena_printf(a, "%c\t%s\t%s", (char)run, key, id);
    size_t n = strlen(text);
    char *hex = dd_arena_alloc(a, 2 * n + 1);
    dd_hex_encode((const unsigned char *)text, n, hex);
    return hex;
}

static bool
digits(const char *s, size_t n)
{
    return s && strlen(s) == n && strspn(s, "0123456789") == n;
}

static void
read_name(struct reg_form *f, struct search *s)
{
    const char *name = dd_req_query(f->req, "name");
    if (name == NULL)
        return;
    const char *folded = NULL, *given;
    if (strlen(name) <= MAX_NAME_QUERY_BYTES && dd_utf8_valid(name, strlen(name), NULL))
        dd_person_name_keys(f->req->arena, name, &folded, &given);
    if (folded == NULL || folded[0] == '\0') {
        reg_form_error(f, "name", "name-invalid", "Tên tìm kiếm có từ 1 đến 100 byte UTF-8.",
                       "The name searched is 1 to 100 bytes of UTF-8.");
        return;
    }
    s->prefix = folded;
    s->successor = prefix_successor(f->req->arena, folded);
}

static void
read_place(struct reg_form *f, struct search *s)
{
    s->province = dd_req_query(f->req, "province");
    s->commune = dd_req_query(f->req, "commune");
    if (s->province && !digits(s->province, 2))
        reg_form_error(f, "province", "province-format", "Mã tỉnh phải có 2 chữ số.",
                       "A province code has 2 digits.");
    if (s->commune && !digits(s->commune, 5))
        reg_form_error(f, "commune", "commune-format", "Mã xã phải có 5 chữ số.",
                       "A commune code has 5 digits.");
    if (s->commune && s->province == NULL)
        s->province = f->req->who->province; /* a commune of the caller's own province */
}

static int
search_parse_or_reply(struct dd_req *req, struct search *s)
{
    struct reg_form f = {.req = req};
    s->run = RUN_NAME;
    read_name(&f, s);
    const char *year = dd_req_query(req, "birth_year");
    if (year && dd_parse_int64(year, 1800, 2399, &s->birth_year) != DD_OK)
        reg_form_error(&f, "birth_year", "year-invalid", "Năm sinh là số từ 1800 đến 2399.",
                       "The year of birth is a number from 1800 to 2399.");
    read_place(&f, s);
    const char *cursor = dd_req_query(req, "cursor");
    if (cursor && !cursor_decode(req->arena, cursor, s))
        reg_form_error(&f, "cursor", "cursor-invalid",
                       "Con trỏ trang không hợp lệ; dùng next_cursor nhận được.",
                       "The cursor is not valid; use the next_cursor received.");
    if (s->prefix == NULL)
        s->run = RUN_ID;
    return reg_form_done_or_reply(&f);
}

/* `column >= ? AND column < ?` for the prefix; the successor may not exist. */
static void
range_sql(struct reg_sql *q, const char *column, const struct search *s)
{
    reg_sql_add(q, column);
    reg_sql_add(q, " >= ?");
    reg_sql_text(q, s->prefix);
    if (s->successor) {
        reg_sql_add(q, " AND ");
        reg_sql_add(q, column);
        reg_sql_add(q, " < ?");
        reg_sql_text(q, s->successor);
    }
}

static const char *
run_key(enum run run)
{
    return run == RUN_NAME ? "p.name_folded" : run == RUN_GIVEN ? "p.given_folded" : "p.id_number";
}

/* The rows of a run after the cursor, up to `bound` (key and ID number; NULL for no bound).
 * With `only_index`, given-name rows that are also full-name matches are not left out, so that
 * the condition reads the run's index alone. */
static void
where_run(struct reg_sql *q, const struct search *s, enum run run, const char *bound_key,
          const char *bound_id, bool only_index)
{
    const char *key = run_key(run);
    if (run == RUN_ID) {
        reg_sql_add(q, "p.id_number > ?");
        reg_sql_text(q, s->run == RUN_ID && s->after_id ? s->after_id : "");
        if (bound_id) {
            reg_sql_add(q, " AND p.id_number <= ?");
            reg_sql_text(q, bound_id);
        }
        return;
    }
    /* Each end of the range is the cursor (or bound) when there is one, else the prefix (or its
     * successor): SQLite seeks an index with one lower and one upper bound only. */
    bool after = s->run == run && s->after_key;
    reg_sql_add(q, after ? "(" : key);
    if (after) {
        reg_sql_add(q, key);
        reg_sql_add(q, ", p.id_number) > (?, ?)");
        reg_sql_text(q, s->after_key);
        reg_sql_text(q, s->after_id);
    } else {
        reg_sql_add(q, " >= ?");
        reg_sql_text(q, s->prefix);
    }
    if (bound_key) {
        reg_sql_add(q, " AND (");
        reg_sql_add(q, key);
        reg_sql_add(q, ", p.id_number) <= (?, ?)");
        reg_sql_text(q, bound_key);
        reg_sql_text(q, bound_id);
    } else if (s->successor) {
        reg_sql_add(q, " AND ");
        reg_sql_add(q, key);
        reg_sql_add(q, " < ?");
        reg_sql_text(q, s->successor);
    }
    if (run == RUN_GIVEN && !only_index) {
        reg_sql_add(q, " AND NOT (");
        range_sql(q, "p.name_folded", s);
        reg_sql_add(q, ")");
    }
}

static void
order_run(struct reg_sql *q, enum run run)
{
    reg_sql_add(q, " ORDER BY ");
    reg_sql_add(q, run_key(run));
    if (run != RUN_ID)
        reg_sql_add(q, ", p.id_number");
}

/* The query of one run, from where the cursor left it. */
static void
build_run(struct reg_sql *q, const struct search *s, enum run run, const struct dd_principal *who,
          int limit, const char *bound_key, const char *bound_id)
{
    reg_sql_add(q, "SELECT p.id_number, p.full_name, p.birth_date, p.sex, p.status, "
                   "p.permanent_province, p.permanent_commune, p.temporary_province, "
                   "p.temporary_commune, h.number, ");
    reg_sql_add(q, run_key(run));
    reg_sql_add(q, " FROM people p LEFT JOIN households h ON h.id = p.household_id WHERE ");
    where_run(q, s, run, bound_key, bound_id, false);
    if (s->birth_year) {
        reg_sql_add(q, " AND p.birth_year = ?");
        reg_sql_int(q, s->birth_year);
    }
    if (s->province) {
        reg_sql_add(q, " AND ");
        reg_link_sql(q, s->province, s->commune);
    }
    reg_sql_add(q, " AND ");
    reg_area_sql(q, who);
    order_run(q, run);
    reg_sql_add(q, " LIMIT ?");
    reg_sql_int(q, limit);
}

/* Whether most rows of a run may fail the filters, so that a page could scan far. */
static bool
restrictive(const struct search *s, const struct dd_principal *who)
{
    return !dd_principal_province_wide(who) || s->birth_year || s->province;
}

/* Where a run's page scan stops: the SCAN_BUDGET-th row of the run's index range after the
 * cursor, whatever the filters say (a walk of the index alone). Sets *key to NULL when fewer
 * rows remain. */
static int
scan_bound(struct dd_req *req, struct dd_db *db, const struct search *s, enum run run,
           const char **key, const char **id)
{
    struct reg_sql q;
    reg_sql_init(&q, req->arena);
    reg_sql_add(&q, "SELECT ");
    reg_sql_add(&q, run_key(run));
    reg_sql_add(&q, ", p.id_number FROM people p WHERE ");
    where_run(&q, s, run, NULL, NULL, true);
    order_run(&q, run);
    reg_sql_add(&q, " LIMIT 1 OFFSET ?");
    reg_sql_int(&q, SCAN_BUDGET - 1);
    struct dd_stmt *st;
    int rc = reg_sql_prepare(db, &q, &st);
    if (rc != DD_OK)
        return rc;
    *key = *id = NULL;
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        *key = dd_arena_strdup(req->arena, dd_stmt_text(st, 0));
        *id = dd_arena_strdup(req->arena, dd_stmt_text(st, 1));
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static void
write_item(struct reg_jw *w, struct dd_stmt *st)
{
    reg_jw_open(w, NULL, '{');
    reg_jw_str(w, "id_number", dd_stmt_text(st, 0));
    reg_jw_str(w, "full_name", dd_stmt_text(st, 1));
    reg_jw_str(w, "birth_date", dd_stmt_text(st, 2));
    reg_jw_str(w, "sex", dd_stmt_text(st, 3));
    reg_jw_str(w, "status", dd_stmt_text(st, 4));
    reg_jw_str(w, "permanent_province", dd_stmt_text(st, 5));
    reg_jw_str(w, "permanent_commune", dd_stmt_text(st, 6));
    reg_jw_str(w, "temporary_province", dd_stmt_text(st, 7));
    reg_jw_str(w, "temporary_commune", dd_stmt_text(st, 8));
    reg_jw_str(w, "household_number", dd_stmt_text(st, 9));
    reg_jw_close(w, '}');
}

/* Runs one run for what is left of the page; one row past it tells that more follow. When the
 * filters are restrictive the run scans at most SCAN_BUDGET rows: a page may then come back
 * short, its cursor at the last row scanned. */
static int
run_query(struct dd_req *req, struct dd_db *db, const struct search *s, enum run run,
          struct found *out)
{
    int room = s->limit - out->n;
    const char *bound_key = NULL, *bound_id = NULL;
    int rc = restrictive(s, req->who) ? scan_bound(req, db, s, run, &bound_key, &bound_id) : DD_OK;
    if (rc != DD_OK)
        return rc;
    struct reg_sql q;
    reg_sql_init(&q, req->arena);
    build_run(&q, s, run, req->who, room + 1, bound_key, bound_id);
    struct dd_stmt *st;
    rc = reg_sql_prepare(db, &q, &st);
    if (rc != DD_OK)
        return rc;
    int rows = 0;
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW) {
        if (rows++ == room) {
            out->more = true;
            break;
        }
        write_item(out->w, st);
        out->homes[out->n] = (struct dd_reg_home){dd_arena_strdup(req->arena, dd_stmt_text(st, 5)),
                                                  dd_arena_strdup(req->arena, dd_stmt_text(st, 6))};
        out->ids[out->n++] = dd_arena_strdup(req->arena, dd_stmt_text(st, 0));
        out->last_run = run;
        out->last_key = dd_arena_strdup(req->arena, dd_stmt_text(st, 10));
        out->last_id = out->ids[out->n - 1];
    }
    dd_stmt_reset(st);
    if (rc >= 0 && !out->more && bound_key) {
        out->more = true;
        out->last_run = run;
        out->last_key = bound_key;
        out->last_id = bound_id;
    }
    return rc < 0 ? rc : DD_OK;
}

static int
search_run(struct dd_req *req, struct dd_db *db, const struct search *s, struct found *out)
{
    if (s->run == RUN_ID)
        return run_query(req, db, s, RUN_ID, out);
    int rc = DD_OK;
    if (s->run == RUN_NAME)
        rc = run_query(req, db, s, RUN_NAME, out);
    if (rc == DD_OK && !out->more)
        rc = run_query(req, db, s, RUN_GIVEN, out);
    return rc;
}

/* GET /api/v1/people — {"items": […], "next_cursor": …}; 400 on a bad parameter or without
 * X-Purpose. */
int
reg_people_search(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    struct search s = {0};
    if (dd_list_limit_or_reply(req, &s.limit) != DD_OK || search_parse_or_reply(req, &s) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct reg_jw w;
    reg_jw_init(&w, req->arena);
    reg_jw_open(&w, NULL, '{');
    reg_jw_open(&w, "items", '[');
    struct found found = {
        .w = &w,
        .ids = dd_arena_alloc(req->arena, sizeof(char *) * (size_t)s.limit),
        .homes = dd_arena_alloc(req->arena, sizeof(struct dd_reg_home) * (size_t)s.limit)};
    int rc = search_run(req, db, &s, &found);
    if (rc == DD_OK)
        rc = dd_reg_access_reads_homes(db, req, found.ids, found.homes, found.n, "search", "person",
                                       purpose);
    if (rc != DD_OK)
        return reg_fail(req, db, rc);
    reg_jw_close(&w, ']');
    if (found.more && found.last_id)
        reg_jw_str(&w, "next_cursor",
                   cursor_encode(req->arena, found.last_run, found.last_key, found.last_id));
    else
        reg_jw_null(&w, "next_cursor");
    reg_jw_close(&w, '}');
    return reg_jw_reply(req, 200, &w);
}
