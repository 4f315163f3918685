/*
 * source.c — reads the list of old units and the conversion table (see source.h).
 *
 * The list of old units has one header row and one row per commune: province name and code,
 * district name and code, commune name and code, level, English name; a district without
 * communes (some islands) is a row with the commune left empty. The conversion table has two
 * header rows, then per province a section title (first cell only) followed by one row per old
 * commune or part of one: new province "Name (code)", new commune name and code, old commune name
 * and code, note, old district "Name (code)", old province "Name (code)".
 *
 * Units are kept in one array and found again through a small hash map keyed by kind, period,
 * province and code, so each is added once, with the name first seen.
 */
#include "core/units/source.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/units/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the map: string keys to indexes into src->units, open addressing ----------------------- */

struct units_map {
    const char **keys;
    size_t *values;
    size_t cap; /* a power of two */
    size_t used;
};

static uint64_t
hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct units_map *
map_new(size_t cap)
{
    struct units_map *m = dd_xcalloc(1, sizeof *m);
    m->cap = cap;
    m->keys = dd_xcalloc(cap, sizeof *m->keys);
    m->values = dd_xcalloc(cap, sizeof *m->values);
    return m;
}

static void
map_free(struct units_map *m)
{
    if (m == NULL)
        return;
    free(m->keys);
    free(m->values);
    free(m);
}

/* The slot of `key`: where it is, or the empty slot where it would go. */
static size_t
map_slot(const struct units_map *m, const char *key)
{
    size_t i = (size_t)hash_key(key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static void map_put(struct units_map *m, const char *key, size_t value);

static void
map_grow(struct units_map *m)
{
    struct units_map old = *m;
    m->cap *= 2;
    m->used = 0;
    m->keys = dd_xcalloc(m->cap, sizeof *m->keys);
    m->values = dd_xcalloc(m->cap, sizeof *m->values);
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i])
            map_put(m, old.keys[i], old.values[i]);
    free(old.keys);
    free(old.values);
}

/* Adds or replaces; `key` must outlive the map (arena strings). */
static void
map_put(struct units_map *m, const char *key, size_t value)
{
    if ((m->used + 1) * 2 > m->cap)
        map_grow(m);
    size_t i = map_slot(m, key);
    if (m->keys[i] == NULL)
        m->used++;
    m->keys[i] = key;
    m->values[i] = value;
}

static bool
map_get(const struct units_map *m, const char *key, size_t *value)
{
    size_t i = map_slot(m, key);
    if (m->keys[i] == NULL)
        return false;
    *value = m->values[i];
    return true;
}

/* --- text ------------------------------------------------------------------------------------ */

/* Length of the white space at p: ASCII space, tab, CR, LF, or a no-break space (U+00A0). */
static size_t
space_len(const char *p)
{
    if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        return 1;
    if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
        return 2;
    return 0;
}

/* True when every character is below U+0300 or in U+1E00–U+1EFF (Latin letters precomposed, as
 * Vietnamese is written in NFC): no combining mark and nothing NFC would change, so the
 * normaliser can be skipped. Valid UTF-8 only. */
static bool
plainly_nfc(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            p++;
        } else if (*p < 0xE0) {
            if (*p >= 0xCC) /* U+0300 and above */
                return false;
            p += 2;
        } else if (*p == 0xE1 && (p[1] == 0xB8 || p[1] == 0xB9 || p[1] == 0xBA || p[1] == 0xBB)) {
            p += 3; /* U+1E00–U+1EFF */
        } else {
            return false;
        }
    }
    return true;
}

const char *
dd_units_clean(struct dd_arena *a, const char *s)
{
    size_t n = strlen(s);
    if (!dd_utf8_valid(s, n, NULL))
        return NULL;
    char *out = dd_arena_alloc(a, n + 1);
    size_t len = 0;
    bool pending_space = false;
    for (const char *p = s; *p;) {
        size_t sp = space_len(p);
        if (sp) {
            pending_space = len > 0;
            p += sp;
            continue;
        }
        if (pending_space)
            out[len++] = ' ';
        pending_space = false;
        out[len++] = *p++;
    }
    out[len] = '\0';
    return plainly_nfc(out) ? out : dd_utf8_nfc(a, out);
}

int
dd_units_split_name_code(struct dd_arena *a, const char *text, size_t digits, const char **name,
                         const char **code)
{
    size_t n = strlen(text);
    const char *open = strrchr(text, '(');
    if (n < 2 || text[n - 1] != ')' || open == NULL)
        return DD_EINVAL;
    const char *c = open + 1;
    size_t clen = (size_t)(text + n - 1 - c);
    while (clen > 0 && *c == ' ') {
        c++;
        clen--;
    }
    while (clen > 0 && c[clen - 1] == ' ')
        clen--;
    char *num = dd_arena_strndup(a, c, clen);
    if (!dd_str_all_digits(num, digits))
        return DD_EINVAL;
    size_t nlen = (size_t)(open - text);
    while (nlen > 0 && text[nlen - 1] == ' ')
        nlen--;
    if (nlen == 0)
        return DD_EINVAL;
    *name = dd_arena_strndup(a, text, nlen);
    *code = num;
    return DD_OK;
}

const char *
dd_units_level_of(struct dd_arena *a, const char *name)
{
    /* Matched on the folded name, as whole words at its start. */
    static const struct {
        const char *folded;
        const char *word;
    } levels[] = {
        {"thanh pho", "Thành phố"}, {"thi xa", "Thị xã"}, {"thi tran", "Thị trấn"},
        {"dac khu", "Đặc khu"},     {"tinh", "Tỉnh"},     {"quan", "Quận"},
        {"huyen", "Huyện"},         {"phuong", "Phường"}, {"xa", "Xã"},
    };
    const char *folded = dd_utf8_fold(a, name);
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        size_t n = strlen(levels[i].folded);
        if (strncmp(folded, levels[i].folded, n) == 0 && (folded[n] == ' ' || folded[n] == '\0'))
            return levels[i].word;
    }
    return "";
}

/* --- reading --------------------------------------------------------------------------------- */

struct reader {
    struct dd_units_source *src;
    struct dd_units_csv csv;
    const char *file;
    char *err;
    size_t errlen;
};

static int fail(struct reader *r, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct reader *r, int rc, const char *fmt, ...)
{
    int n = snprintf(r->err, r->errlen, "%s line %zu: ", r->file, r->csv.record_line);
    if (n < 0 || (size_t)n >= r->errlen)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return rc;
}

/* Field i of the current record, cleaned, into *out; DD_EINVAL if it is not UTF-8 or DD_ETOOBIG
 * if it is too long for a name (err set). */
static int
field(struct reader *r, int i, const char **out)
{
    const char *s = dd_units_clean(r->src->arena, dd_units_csv_field(&r->csv, i));
    if (s == NULL)
        return fail(r, DD_EINVAL, "column %d is not valid UTF-8", i + 1);
    if (strlen(s) >= DD_UNITS_NAME_MAX)
        return fail(r, DD_ETOOBIG, "column %d is longer than %d bytes", i + 1,
                    DD_UNITS_NAME_MAX - 1);
    *out = s;
    return DD_OK;
}

/* Reads the cleaned fields 0..n-1 of the current record into f. */
static int
fields(struct reader *r, const char **f, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = field(r, i, &f[i]);
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

/* True when every cell from `from` on is empty. */
static bool
empty_from(const char **f, int n, int from)
{
    for (int i = from; i < n; i++)
        if (f[i][0] != '\0')
            return false;
    return true;
}

/* Next record of the file: 1, 0 at the end, or a negative code with err set. */
static int
next_record(struct reader *r)
{
    int rc = dd_units_csv_next(&r->csv);
    if (rc < 0)
        snprintf(r->err, r->errlen, "%s %s", r->file, r->csv.err);
    return rc;
}

static const char *
key(struct dd_units_source *src, const char *kind, bool old, const char *province, const char *code)
{
    return dd_arena_printf(src->arena, "%c%c%s-%s", kind[0], old ? 'o' : 'n', province, code);
}

static bool
find(struct dd_units_source *src, const char *kind, bool old, const char *province,
     const char *code, size_t *at)
{
    char k[32];
    snprintf(k, sizeof k, "%c%c%s-%s", kind[0], old ? 'o' : 'n', province, code);
    return map_get(src->map, k, at);
}

/* Appends a unit and counts it; returns its index. */
static size_t
add_unit(struct dd_units_source *src, const struct dd_units_row *row)
{
    if (src->nunits == src->capunits) {
        src->capunits = src->capunits ? src->capunits * 2 : 1024;
        src->units = dd_xrealloc(src->units, src->capunits * sizeof *src->units);
    }
    size_t at = src->nunits++;
    src->units[at] = *row;
    bool old = row->valid_to != NULL;
    const char *province = row->province_code;
    map_put(src->map, key(src, row->kind, old, province, row->code), at);
    struct dd_units_counts *c = &src->counts;
    if (strcmp(row->kind, "province") == 0)
        old ? c->provinces_old++ : c->provinces_new++;
    else if (strcmp(row->kind, "district") == 0)
        c->districts_old++;
    else
        old ? c->communes_old++ : c->communes_new++;
    return at;
}

static size_t
add_old(struct dd_units_source *src, const char *kind, const char *code, const char *province,
        const char *district, const char *name, const char *level, const char *name_en)
{
    struct dd_units_row row = {
        .kind = kind,
        .code = code,
        .province_code = province,
        .district_code = district,
        .name = name,
        .level = level[0] ? level : dd_units_level_of(src->arena, name),
        .name_en = name_en && name_en[0] ? name_en : NULL,
        .valid_from = NULL,
        .valid_to = DD_UNITS_OLD_UNTIL,
    };
    return add_unit(src, &row);
}

static size_t
add_new(struct dd_units_source *src, const char *kind, const char *code, const char *province,
        const char *name)
{
    struct dd_units_row row = {
        .kind = kind,
        .code = code,
        .province_code = province,
        .name = name,
        .level = dd_units_level_of(src->arena, name),
        .valid_from = DD_UNITS_REFORM_DATE,
    };
    return add_unit(src, &row);
}

/* Districts are found by code alone (district codes are national). */
static bool
find_district(struct dd_units_source *src, const char *code, size_t *at)
{
    return find(src, "district", true, "", code, at);
}

static void
add_district(struct dd_units_source *src, const char *code, const char *province, const char *name)
{
    size_t at = add_old(src, "district", code, province, NULL, name, "", NULL);
    map_put(src->map, key(src, "district", true, "", code), at);
}

/* One row of the list of old units. */
static int
read_old_row(struct reader *r, const char **f)
{
    struct dd_units_source *src = r->src;
    const char *pname = f[0], *pcode = f[1], *dname = f[2], *dcode = f[3];
    const char *cname = f[4], *ccode = f[5], *level = f[6], *name_en = f[7];
    if (!dd_str_all_digits(pcode, 2) || pname[0] == '\0')
        return fail(r, DD_EINVAL, "the province code '%s' is not 2 digits", pcode);
    if (!dd_str_all_digits(dcode, 3) || dname[0] == '\0')
        return fail(r, DD_EINVAL, "the district code '%s' is not 3 digits", dcode);
    size_t at;
    if (!find(src, "province", true, pcode, pcode, &at))
        add_old(src, "province", pcode, pcode, NULL, pname, "", NULL);
    if (!find_district(src, dcode, &at))
        add_district(src, dcode, pcode, dname);
    else if (strcmp(src->units[at].province_code, pcode) != 0)
        return fail(r, DD_EINVAL, "district %s appears under two provinces", dcode);
    if (ccode[0] == '\0' && cname[0] == '\0')
        return DD_OK; /* a district without communes */
    if (!dd_str_all_digits(ccode, 5) || cname[0] == '\0')
        return fail(r, DD_EINVAL, "the commune code '%s' is not 5 digits", ccode);
    if (find(src, "commune", true, pcode, ccode, &at))
        return fail(r, DD_EINVAL, "commune %s of province %s appears twice", ccode, pcode);
    add_old(src, "commune", ccode, pcode, dcode, cname, level, name_en);
    return DD_OK;
}

static int
read_old_units(struct reader *r)
{
    int rc = next_record(r); /* the header */
    if (rc == 0)
        return fail(r, DD_EINVAL, "the file is empty");
    while (rc == 1 && (rc = next_record(r)) == 1) {
        const char *f[8];
        if (r->csv.nfields == 1 && dd_units_csv_field(&r->csv, 0)[0] == '\0')
            continue;
        if (r->csv.nfields < 7)
            return fail(r, DD_EINVAL, "expected 8 columns, found %d", r->csv.nfields);
        int bad = fields(r, f, 8);
        if (bad == DD_OK)
            bad = read_old_row(r, f);
        if (bad != DD_OK)
            return bad;
    }
    return rc;
}

/* The old units a conversion row names, found or added; fills the row's old_* members. */
static int
conversion_old_side(struct reader *r, const char **f, struct dd_units_conversion *c)
{
    struct dd_units_source *src = r->src;
    const char *dname, *dcode, *pname, *pcode;
    if (dd_units_split_name_code(src->arena, f[6], 3, &dname, &dcode) != DD_OK)
        return fail(r, DD_EINVAL, "the old district '%s' is not 'Name (3 digits)'", f[6]);
    if (dd_units_split_name_code(src->arena, f[7], 2, &pname, &pcode) != DD_OK)
        return fail(r, DD_EINVAL, "the old province '%s' is not 'Name (2 digits)'", f[7]);
    size_t at;
    bool district_known = find_district(src, dcode, &at);
    if (district_known) {
        pcode = src->units[at].province_code;
        dname = src->units[at].name;
    }
    if (find(src, "province", true, pcode, pcode, &at))
        pname = src->units[at].name;
    else
        add_old(src, "province", pcode, pcode, NULL, pname, "", NULL);
    if (!district_known)
        add_district(src, dcode, pcode, dname);
    const char *cname = f[3], *ccode = f[4];
    if (ccode[0] != '\0') {
        if (!dd_str_all_digits(ccode, 5))
            return fail(r, DD_EINVAL, "the old commune code '%s' is not 5 digits", ccode);
        if (find(src, "commune", true, pcode, ccode, &at))
            cname = src->units[at].name;
        else if (cname[0] == '\0')
            return fail(r, DD_EINVAL, "old commune %s has no name", ccode);
        else
            add_old(src, "commune", ccode, pcode, dcode, cname, "", NULL);
    }
    c->old_province_code = pcode;
    c->old_province_name = pname;
    c->old_district_code = dcode;
    c->old_district_name = dname;
    c->old_commune_code = ccode[0] ? ccode : NULL;
    c->old_commune_name = cname;
    return DD_OK;
}

/* The new units a conversion row names, found or added; fills the row's new_* members. */
static int
conversion_new_side(struct reader *r, const char **f, struct dd_units_conversion *c)
{
    struct dd_units_source *src = r->src;
    const char *pname, *pcode, *cname = f[1], *ccode = f[2];
    if (dd_units_split_name_code(src->arena, f[0], 2, &pname, &pcode) != DD_OK)
        return fail(r, DD_EINVAL, "the new province '%s' is not 'Name (2 digits)'", f[0]);
    if (!dd_str_all_digits(ccode, 5) || cname[0] == '\0')
        return fail(r, DD_EINVAL, "the new commune code '%s' is not 5 digits", ccode);
    size_t at;
    if (find(src, "province", false, pcode, pcode, &at))
        pname = src->units[at].name;
    else
        add_new(src, "province", pcode, pcode, pname);
    if (find(src, "commune", false, pcode, ccode, &at))
        cname = src->units[at].name;
    else
        add_new(src, "commune", ccode, pcode, cname);
    c->new_province_code = pcode;
    c->new_province_name = pname;
    c->new_commune_code = ccode;
    c->new_commune_name = cname;
    return DD_OK;
}

static void
add_conversion(struct dd_units_source *src, const struct dd_units_conversion *c)
{
    if (src->nconversions == src->capconversions) {
        src->capconversions = src->capconversions ? src->capconversions * 2 : 1024;
        src->conversions =
            dd_xrealloc(src->conversions, src->capconversions * sizeof *src->conversions);
    }
    src->conversions[src->nconversions++] = *c;
    src->counts.conversions++;
}

/* One data row of the conversion table. */
static int
read_conversion_row(struct reader *r, const char **f)
{
    struct dd_units_conversion c = {.note = f[5], .whole = strstr(f[5], "phần") == NULL};
    int rc = conversion_new_side(r, f, &c);
    if (rc == DD_OK)
        rc = conversion_old_side(r, f, &c);
    if (rc == DD_OK)
        add_conversion(r->src, &c);
    return rc;
}

static int
read_conversions(struct reader *r)
{
    int rc = 1;
    for (int header = 0; header < 2 && rc == 1; header++)
        rc = next_record(r);
    if (rc == 0)
        return fail(r, DD_EINVAL, "the file ends within its two header rows");
    while (rc == 1 && (rc = next_record(r)) == 1) {
        const char *f[8];
        if (r->csv.nfields == 1 && dd_units_csv_field(&r->csv, 0)[0] == '\0')
            continue;
        if (r->csv.nfields < 8)
            return fail(r, DD_EINVAL, "expected 8 columns, found %d", r->csv.nfields);
        int bad = fields(r, f, 8);
        if (bad == DD_OK && empty_from(f, 8, 1))
            continue; /* a province's section title */
        if (bad == DD_OK)
            bad = read_conversion_row(r, f);
        if (bad != DD_OK)
            return bad;
    }
    return rc;
}

int
dd_units_source_read(struct dd_units_source *src, const char *communes, size_t communes_len,
                     const char *communes_name, const char *conversion, size_t conversion_len,
                     const char *conversion_name, char *err, size_t errlen)
{
    memset(src, 0, sizeof *src);
    src->arena = dd_arena_new(256 * 1024);
    src->map = map_new(32768);
    struct reader r = {.src = src, .file = communes_name, .err = err, .errlen = errlen};
    dd_units_csv_init(&r.csv, communes, communes_len);
    int rc = read_old_units(&r);
    dd_units_csv_free(&r.csv);
    if (rc < 0)
        return rc;
    r.file = conversion_name;
    dd_units_csv_init(&r.csv, conversion, conversion_len);
    rc = read_conversions(&r);
    dd_units_csv_free(&r.csv);
    return rc < 0 ? rc : DD_OK;
}

void
dd_units_source_free(struct dd_units_source *src)
{
    map_free(src->map);
    free(src->units);
    free(src->conversions);
    dd_arena_free(src->arena);
    memset(src, 0, sizeof *src);
}
