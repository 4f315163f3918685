/*
 * dg13.c — the Vietnamese DG13: walks the TLV tree and files each numbered entry.
 */
#include "card/dg13.h"
#include "base/err.h"
#include "card/tlv.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define MAX_VALUES 4
#define MAX_DEPTH  6

/* Copies a string value into dst (cap bytes), cut before a UTF-8 continuation byte. */
static void
copy_text(char *dst, size_t cap, const unsigned char *s, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && (s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool
is_string(unsigned tag)
{
    return tag == 0x0C || tag == 0x13 || tag == 0x16;
}

/* DD/MM/YYYY into YYYY-MM-DD (iso "" otherwise). */
static void
date_iso(const char *d, char iso[11])
{
    iso[0] = '\0';
    if (strlen(d) != 10 || d[2] != '/' || d[5] != '/')
        return;
    for (int i = 0; i < 10; i++)
        if (i != 2 && i != 5 && (d[i] < '0' || d[i] > '9'))
            return;
    snprintf(iso, 11, "%.4s-%.2s-%.2s", d + 6, d + 3, d);
}

struct entry {
    int number;
    const unsigned char *v[MAX_VALUES];
    size_t vn[MAX_VALUES];
    int count;
};

static void
file_entry(struct dd_dg13 *o, const struct entry *e)
{
    const unsigned char *s = e->count ? e->v[0] : (const unsigned char *)"";
    size_t n = e->count ? e->vn[0] : 0;
#define TO(field) copy_text(o->field, sizeof o->field, s, n)
    switch (e->number) {
    case 1:
        TO(id_number);
        break;
    case 2:
        TO(full_name);
        break;
    case 3:
        TO(birth_date);
        date_iso(o->birth_date, o->birth_iso);
        break;
    case 4:
        TO(sex);
        break;
    case 5:
        TO(nationality);
        break;
    case 6:
        TO(ethnicity);
        break;
    case 7:
        TO(religion);
        break;
    case 8:
        TO(hometown);
        break;
    case 9:
        TO(residence);
        break;
    case 10:
        TO(identifying_marks);
        break;
    case 11:
        TO(issue_date);
        date_iso(o->issue_date, o->issue_iso);
        break;
    case 12:
        TO(expiry_date);
        date_iso(o->expiry_date, o->expiry_iso);
        break;
    case 13:
        TO(father_name);
        if (e->count > 1)
            copy_text(o->mother_name, sizeof o->mother_name, e->v[1], e->vn[1]);
        break;
    case 14:
        TO(spouse_name);
        break;
    case 15:
        TO(old_id_number);
        break;
    default:
        if (o->nother < DD_DG13_MAX_OTHER) {
            o->other[o->nother].number = e->number;
            copy_text(o->other[o->nother].value, sizeof o->other[o->nother].value, s, n);
            o->nother++;
        }
        return;
    }
#undef TO
}

#define NOT_AN_ENTRY 1

/* Adds the strings of p[0..n) (and of SEQUENCEs of strings in it, one level) to e. Returns
 * DD_OK, NOT_AN_ENTRY when something else is there (an INTEGER: p holds entries, not values),
 * or DD_EINVAL. */
static int
collect(const unsigned char *p, size_t n, struct entry *e, int depth)
{
    struct dd_tlv_iter it;
    struct dd_tlv t;
    int r;
    dd_tlv_iter_init(&it, p, n);
    while ((r = dd_tlv_next(&it, &t)) == 1) {
        if (is_string(t.tag)) {
            if (e->count < MAX_VALUES) {
                e->v[e->count] = t.value;
                e->vn[e->count++] = t.len;
            }
        } else if (t.tag == 0x30 && depth < 1) {
            int c = collect(t.value, t.len, e, depth + 1);
            if (c != DD_OK)
                return c;
        } else {
            return NOT_AN_ENTRY;
        }
    }
    return r < 0 ? DD_EINVAL : DD_OK;
}

/* An entry is a SEQUENCE starting with a small INTEGER; anything else constructed is searched. */
static int
walk(struct dd_dg13 *o, const unsigned char *p, size_t n, int depth)
{
    if (depth > MAX_DEPTH)
        return DD_EINVAL;
    struct dd_tlv_iter it;
    struct dd_tlv t;
    int r;
    dd_tlv_iter_init(&it, p, n);
    while ((r = dd_tlv_next(&it, &t)) == 1) {
        if (!t.constructed)
            continue;
        struct dd_tlv first;
        if (t.tag == 0x30 && dd_tlv_read(t.value, t.len, &first) == DD_OK && first.tag == 0x02 &&
            first.len == 1 && first.value[0] >= 1 && first.value[0] <= 99) {
            struct entry e = {.number = first.value[0]};
            int c = collect(t.value + first.size, t.len - first.size, &e, 0);
            if (c < 0)
                return DD_EINVAL;
            if (c == DD_OK) {
                file_entry(o, &e);
                o->nfields++;
                continue;
            }
        }
        if (walk(o, t.value, t.len, depth + 1) < 0)
            return DD_EINVAL;
    }
    return r < 0 ? DD_EINVAL : DD_OK;
}

int
dd_dg13_parse(const unsigned char *dg, size_t n, struct dd_dg13 *out)
{
    memset(out, 0, sizeof *out);
    struct dd_tlv t;
    if (dd_tlv_read(dg, n, &t) != DD_OK || t.tag != 0x6D)
        return DD_EINVAL;
    if (walk(out, t.value, t.len, 0) != DD_OK)
        return DD_EINVAL;
    return out->nfields > 0 ? DD_OK : DD_EINVAL;
}
