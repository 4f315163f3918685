/*
 * emit.c — runs the generator's steps and hands the result to the sink: each household, then
 * its members from the head, each person followed by its history and residence rows; then the
 * people who live here temporarily; then the dead.
 *
 * Details that matter to one record only (how precisely an old person's birth date is known,
 * an old 9-digit ID number, the address of a former home) are drawn from a stream of their
 * own, seeded by the seed and the record, so they do not depend on the order of emission.
 */
#include "core/demo/gen.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/register/person.h"
#include "core/register/register.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Streams of details: per person (record, home elsewhere, history) and per household. */
enum { SALT_PERSON = 1, SALT_HOUSE = 2, SALT_HOME = 17, SALT_EVENTS = 33 };

static void
detail_rng(const struct gen *g, uint64_t salt, long index, struct dd_demo_rng *r)
{
    dd_demo_rng_seed(r, g->o->seed ^ (salt * 0x9e3779b97f4a7c15ULL) ^
                            ((uint64_t)index * 0xd1b54a32d192ed03ULL));
    dd_demo_rng_next(r);
}

static const struct dd_demo_commune *
commune(const struct gen *g, int16_t i)
{
    return &g->w->communes[i];
}

/* --- relations to the head (Vietnamese, as on the household register) --- */

static bool
child_of(const struct gen *g, int32_t c, int32_t parent)
{
    return parent != NO_ONE && c != NO_ONE &&
           (g->p[c].father == parent || g->p[c].mother == parent);
}

static bool
parent_of(const struct gen *g, int32_t parent, int32_t c)
{
    return child_of(g, c, parent);
}

static const char *
relation(const struct gen *g, int32_t i, int32_t head)
{
    const struct gperson *p = &g->p[i];
    int32_t s = g->p[head].spouse;
    bool head_female = g->p[head].female;
    if (i == head)
        return "Chủ hộ";
    if (s == i)
        return p->female ? "Vợ" : "Chồng";
    if (child_of(g, i, head) || child_of(g, i, s))
        return "Con";
    if (p->spouse != NO_ONE && (child_of(g, p->spouse, head) || child_of(g, p->spouse, s)))
        return p->female ? "Con dâu" : "Con rể";
    if ((p->father != NO_ONE && (child_of(g, p->father, head) || child_of(g, p->father, s))) ||
        (p->mother != NO_ONE && (child_of(g, p->mother, head) || child_of(g, p->mother, s))))
        return "Cháu";
    if (parent_of(g, i, head))
        return p->female ? "Mẹ" : "Bố";
    if (parent_of(g, i, s)) {
        if (head_female)
            return p->female ? "Mẹ chồng" : "Bố chồng";
        return p->female ? "Mẹ vợ" : "Bố vợ";
    }
    if (p->mother != NO_ONE && p->mother == g->p[head].mother)
        return p->birth > g->p[head].birth ? "Em" : p->female ? "Chị" : "Anh";
    if (p->explicit_rel == X_GRANDCHILD)
        return "Cháu";
    if (p->explicit_rel != X_NONE) /* a sibling: older or younger than this head */
        return p->birth > g->p[head].birth ? "Em" : p->female ? "Chị" : "Anh";
    return "Khác";
}

/* --- one person's record --- */

struct rec {
    struct dd_person p;
    char name[200], birth[11], death[11], old_id[10];
    const char *birth_place, *hometown;
    char perm_province[3], perm_commune[6], perm_address[128];
    char temp_province[3], temp_commune[6], temp_address[128], temp_until[11];
    const char *household_number;
    long household_index;
    int32_t since; /* start of the current permanent residence */
};

static const char *
origin_name(const struct gen *g, int16_t o)
{
    return o >= 0 ? dd_demo_origin((size_t)o)->name : g->w->province_name;
}

/* The permanent residence somewhere else of someone living here temporarily. */
static void
home_elsewhere(const struct gen *g, int32_t i, int16_t other, char *addr, size_t n)
{
    struct dd_demo_rng r;
    detail_rng(g, SALT_HOME, i, &r);
    dd_demo_address(&r, &g->w->others[other], addr, n);
}

static void
birth_precision(const struct gen *g, int32_t i, struct dd_demo_rng *r, int *precision)
{
    int year = dd_demo_year(g, i);
    unsigned roll = dd_demo_rng_below(r, 1000);
    *precision = DATE_FULL;
    if (year < 1950)
        *precision = roll < 250 ? DATE_YEAR : roll < 350 ? DATE_MONTH : DATE_FULL;
    else if (year < 1975)
        *precision = roll < 60 ? DATE_YEAR : roll < 100 ? DATE_MONTH : DATE_FULL;
}

/* The old 9-digit identity card (CMND) of someone old enough to have had one: two digits for
 * the province of issue (22 for Khánh Hòa and 26 for Ninh Thuận, as their cards began; any
 * other two for elsewhere), then seven at random. */
static void
old_id(const struct gen *g, int32_t i, struct dd_demo_rng *r, char out[10])
{
    out[0] = '\0';
    if (g->p[i].birth > dd_demo_days(2004, 12, 31) || !dd_demo_rng_chance(r, 700))
        return;
    const char *code = g->p[i].id;
    const char *prefix = strncmp(code, "056", 3) == 0   ? "22"
                         : strncmp(code, "058", 3) == 0 ? "26"
                                                        : NULL;
    char pre[3];
    if (prefix == NULL) {
        snprintf(pre, sizeof pre, "%02u", 10 + dd_demo_rng_below(r, 26));
        prefix = pre;
    }
    snprintf(out, 10, "%s%07u", prefix, (unsigned)dd_demo_rng_below(r, 10000000));
}

static const char *
link_id(const struct gen *g, int32_t i)
{
    return i == NO_ONE ? "" : g->p[i].id;
}

/* Where a household that moved lived before, the same for all its members. */
static const struct dd_demo_commune *
former_home(const struct gen *g, const struct ghouse *h, long index, char *addr, size_t n)
{
    struct dd_demo_rng hr;
    detail_rng(g, SALT_HOUSE, index, &hr);
    const struct dd_demo_commune *old =
        h->move == MOVE_WITHIN ? commune(g, h->from_commune) : &g->w->others[h->from_other];
    dd_demo_address(&hr, old, addr, n);
    return old;
}

static void
fill_record(const struct gen *g, int32_t i, struct rec *rc)
{
    const struct gperson *p = &g->p[i];
    struct dd_demo_rng r;
    detail_rng(g, SALT_PERSON, i, &r);
    memset(rc, 0, sizeof *rc);
    int precision;
    birth_precision(g, i, &r, &precision);
    dd_demo_format_date(p->birth, precision, rc->birth);
    if (p->kind == K_DEAD)
        dd_demo_format_date(p->death, DATE_FULL, rc->death);
    dd_demo_format_name(&p->name, p->ethnic, p->female, rc->name, sizeof rc->name);
    char code[4];
    snprintf(code, sizeof code, "%.3s", p->id);
    const char *bp = dd_demo_birth_place_name(code);
    rc->birth_place = bp ? bp : g->w->province_name;
    rc->hometown = origin_name(g, p->hometown);
    old_id(g, i, &r, rc->old_id);
    rc->household_number = "";
    rc->household_index = -1;
    rc->since = p->birth;

    const struct ghouse *h = p->household != NO_ONE ? &g->h[p->household] : NULL;
    const struct gperson *rel = p->relative != NO_ONE ? &g->p[p->relative] : NULL;
    if (p->kind == K_DEAD && rel && rel->household != NO_ONE)
        h = &g->h[rel->household];
    if (p->kind == K_TEMPORARY || (p->other >= 0 && p->kind == K_DEAD)) {
        const struct dd_demo_commune *home = &g->w->others[p->other];
        snprintf(rc->perm_province, sizeof rc->perm_province, "%s", home->province);
        snprintf(rc->perm_commune, sizeof rc->perm_commune, "%s", home->code);
        home_elsewhere(g, p->kind == K_DEAD ? p->relative : i, p->other, rc->perm_address,
                       sizeof rc->perm_address);
    } else if (h && p->kind == K_DEAD && h->move != MOVE_NONE && h->moved_in > p->death) {
        /* Died before the family moved here: the last home was the former one. */
        const struct dd_demo_commune *old =
            former_home(g, h, h - g->h, rc->perm_address, sizeof rc->perm_address);
        snprintf(rc->perm_province, sizeof rc->perm_province, "%s", old->province);
        snprintf(rc->perm_commune, sizeof rc->perm_commune, "%s", old->code);
    } else if (h) {
        snprintf(rc->perm_province, sizeof rc->perm_province, "%s", g->w->province);
        snprintf(rc->perm_commune, sizeof rc->perm_commune, "%s", commune(g, h->commune)->code);
        snprintf(rc->perm_address, sizeof rc->perm_address, "%s", h->address);
        rc->since = p->moved_in != NO_DAY   ? p->moved_in
                    : h->created > p->birth ? h->created
                                            : p->birth;
    } else {
        snprintf(rc->perm_province, sizeof rc->perm_province, "%s", g->w->province);
        snprintf(rc->perm_commune, sizeof rc->perm_commune, "%s", commune(g, p->commune)->code);
        dd_demo_address(&r, commune(g, p->commune), rc->perm_address, sizeof rc->perm_address);
    }
    if (p->kind == K_TEMPORARY) {
        snprintf(rc->temp_province, sizeof rc->temp_province, "%s", g->w->province);
        snprintf(rc->temp_commune, sizeof rc->temp_commune, "%s", commune(g, p->commune)->code);
        dd_demo_address(&r, commune(g, p->commune), rc->temp_address, sizeof rc->temp_address);
        dd_demo_format_date(p->stay_until, DATE_FULL, rc->temp_until);
    }
    if (p->kind == K_RESIDENT && h) {
        rc->household_number = h->number;
        rc->household_index = p->household;
    }

    struct dd_person *d = &rc->p;
    d->id_number = p->id;
    d->full_name = rc->name;
    d->other_names = "";
    d->birth_date = rc->birth;
    d->sex = p->female ? "female" : "male";
    d->ethnicity = dd_demo_ethnic_name(p->ethnic);
    d->religion = dd_demo_religion_name(p->religion);
    d->nationality = "VN";
    d->birth_place = rc->birth_place;
    d->hometown = rc->hometown;
    d->old_id_number = rc->old_id;
    d->photo_ref = "";
    d->status = p->kind == K_DEAD ? "dead" : "alive";
    d->death_date = rc->death;
    d->father_id = link_id(g, p->father);
    d->mother_id = link_id(g, p->mother);
    d->spouse_id = link_id(g, p->spouse);
    d->household_number = rc->household_number;
    d->relation_to_head = p->kind == K_RESIDENT && p->household != NO_ONE
                              ? relation(g, i, g->h[p->household].head)
                              : "";
    d->permanent_province = rc->perm_province;
    d->permanent_commune = rc->perm_commune;
    d->permanent_address = rc->perm_address;
    d->temporary_province = rc->temp_province;
    d->temporary_commune = rc->temp_commune;
    d->temporary_address = rc->temp_address;
    d->temporary_until = rc->temp_until;
}

/* --- history --- */

/* The history is written so that folding it (dd_person_fold, version by version) gives the
 * person's row: the first entry holds every field the record had when it was created, each
 * later entry the fields its event changed. */

#define MAX_EVENTS 6

enum what { EV_FIRST, EV_MOVE, EV_STAY, EV_ABSENT, EV_DIED };

struct event {
    int32_t day;
    enum what what;
    const char *kind;
    const char *reason;
    const char *legal_basis;
    char actor[64];
    char changes[2048];
};

struct events {
    struct event e[MAX_EVENTS];
    int n;
    char former_address[128];
    char first_province[3], first_commune[6];
};

static struct event *
add_event(struct events *ev, int32_t day, enum what what, const char *kind, const char *reason,
          const char *legal, const char *commune_code)
{
    struct event *e = &ev->e[ev->n++];
    e->day = day;
    e->what = what;
    e->kind = kind;
    e->reason = reason;
    e->legal_basis = legal;
    if (commune_code)
        snprintf(e->actor, sizeof e->actor, "demo (commune-police %s)", commune_code);
    else
        snprintf(e->actor, sizeof e->actor, "import");
    e->changes[0] = '\0';
    return e;
}

static void
json_string(struct dd_buf *b, const char *s)
{
    dd_buf_putc(b, '"');
    dd_buf_json_escape(b, s);
    dd_buf_putc(b, '"');
}

/* {field: {"from": …, "to": …}} for each field that differs from `before` (NULL: the record's
 * creation, every non-empty field from null), then `extra` members if any. */
static void
diff_json(const struct dd_person *before, const struct dd_person *after, const char *extra,
          char *out, size_t outlen)
{
    struct dd_buf b;
    dd_buf_init_fixed(&b, out, outlen);
    dd_buf_putc(&b, '{');
    bool first = true;
    for (int i = 0; i < DD_PERSON_NFIELDS; i++) {
        const char *to = dd_person_get(after, i);
        const char *from = before ? dd_person_get(before, i) : NULL;
        if (before ? strcmp(from, to) == 0 : to[0] == '\0')
            continue;
        if (!first)
            dd_buf_putc(&b, ',');
        first = false;
        json_string(&b, dd_person_fields[i].name);
        dd_buf_puts(&b, ":{\"from\":");
        if (from)
            json_string(&b, from);
        else
            dd_buf_puts(&b, "null");
        dd_buf_puts(&b, ",\"to\":");
        json_string(&b, to);
        dd_buf_putc(&b, '}');
    }
    if (extra) {
        if (!first)
            dd_buf_putc(&b, ',');
        dd_buf_puts(&b, extra);
    }
    dd_buf_putc(&b, '}');
}

static int
by_day(const void *a, const void *b)
{
    const struct event *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

/* The day a person's record was first collected: the household's, or a day of the collection. */
static int32_t
imported_day(const struct gen *g, int32_t i, struct dd_demo_rng *r)
{
    const struct gperson *p = &g->p[i];
    int32_t h = p->household;
    if (h == NO_ONE && p->relative != NO_ONE)
        h = g->p[p->relative].household;
    if (h != NO_ONE)
        return g->h[h].imported;
    return g->collected_from +
           (int32_t)dd_demo_rng_below(r, (uint32_t)(g->collected_to - g->collected_from + 1));
}

/* The record as it was created: before a recent move, a stay here, or a death. */
static void
first_state(const struct gen *g, int32_t i, const struct rec *rc, struct events *ev,
            bool dead_before, struct dd_person *first)
{
    const struct gperson *p = &g->p[i];
    *first = rc->p;
    snprintf(ev->first_province, sizeof ev->first_province, "%s", rc->perm_province);
    snprintf(ev->first_commune, sizeof ev->first_commune, "%s", rc->perm_commune);
    if (p->moved_in != NO_DAY && p->household != NO_ONE) {
        const struct dd_demo_commune *old = former_home(
            g, &g->h[p->household], p->household, ev->former_address, sizeof ev->former_address);
        snprintf(ev->first_province, sizeof ev->first_province, "%s", old->province);
        snprintf(ev->first_commune, sizeof ev->first_commune, "%s", old->code);
        first->permanent_province = ev->first_province;
        first->permanent_commune = ev->first_commune;
        first->permanent_address = ev->former_address;
        first->household_number = "";
        first->relation_to_head = "";
    }
    if (p->kind == K_TEMPORARY) {
        first->temporary_province = first->temporary_commune = "";
        first->temporary_address = first->temporary_until = "";
    }
    if (p->kind == K_DEAD && !dead_before) {
        first->status = "alive";
        first->death_date = "";
    }
}

/* The state after event e, from the state before it. */
static void
apply_event(const struct event *e, const struct rec *rc, struct dd_person *s)
{
    switch (e->what) {
    case EV_MOVE:
        s->permanent_province = rc->p.permanent_province;
        s->permanent_commune = rc->p.permanent_commune;
        s->permanent_address = rc->p.permanent_address;
        s->household_number = rc->p.household_number;
        s->relation_to_head = rc->p.relation_to_head;
        break;
    case EV_STAY:
        s->temporary_province = rc->p.temporary_province;
        s->temporary_commune = rc->p.temporary_commune;
        s->temporary_address = rc->p.temporary_address;
        s->temporary_until = rc->p.temporary_until;
        break;
    case EV_DIED:
        s->status = rc->p.status;
        s->death_date = rc->p.death_date;
        break;
    default:
        break;
    }
}

static void
absence_json(const struct gen *g, const struct gperson *p, char *out, size_t outlen)
{
    char from[11], until[11];
    dd_demo_format_date(p->stay_from, DATE_FULL, from);
    dd_demo_format_date(p->stay_until, DATE_FULL, until);
    snprintf(out, outlen,
             "\"absence\":{\"from\":null,\"to\":{\"province\":\"%s\",\"commune\":\"%s\","
             "\"address\":\"\",\"from\":\"%s\",\"until\":\"%s\"}}",
             g->w->others[p->other].province, g->w->others[p->other].code, from, until);
}

static void
collect_events(const struct gen *g, int32_t i, const struct rec *rc, struct events *ev)
{
    const struct gperson *p = &g->p[i];
    struct dd_demo_rng r;
    detail_rng(g, SALT_EVENTS, i, &r);
    ev->n = 0;
    int32_t imported = imported_day(g, i, &r);
    bool dead_before = p->kind == K_DEAD && p->death < imported;
    struct dd_person state;
    first_state(g, i, rc, ev, dead_before, &state);

    if (p->birth >= imported && !dead_before) {
        int32_t day = p->birth + (int32_t)dd_demo_rng_below(&r, 40);
        add_event(ev, day > g->today ? g->today : day, EV_FIRST, "born", "Đăng ký khai sinh",
                  "Luật Hộ tịch 2014, Điều 13–17", ev->first_commune);
    } else {
        add_event(ev, imported, EV_FIRST, "imported", "Thu thập, cập nhật dữ liệu dân cư ban đầu",
                  "Luật Căn cước công dân 2014; Nghị định 137/2015/NĐ-CP", NULL);
    }
    if (p->moved_in != NO_DAY)
        add_event(ev, p->moved_in, EV_MOVE, "moved", "Đăng ký thường trú tại nơi ở mới",
                  "Luật Cư trú 2020, Điều 20–22", rc->perm_commune);
    if (p->kind == K_TEMPORARY)
        add_event(ev, p->stay_from, EV_STAY, "moved", "Đăng ký tạm trú",
                  "Luật Cư trú 2020, Điều 27–28", rc->temp_commune);
    if (p->absent)
        add_event(ev, p->stay_from, EV_ABSENT, "absent", "Khai báo tạm vắng: đi làm việc, học tập",
                  "Luật Cư trú 2020, Điều 31", rc->perm_commune);
    if (p->kind == K_DEAD && !dead_before) {
        int32_t day = p->death + 1 + (int32_t)dd_demo_rng_below(&r, 20);
        add_event(ev, day > g->today ? g->today : day, EV_DIED, "died", "Đăng ký khai tử",
                  "Luật Hộ tịch 2014, Điều 32–34", rc->perm_commune);
    }
    for (int k = 1; k < ev->n; k++)
        if (ev->e[k].day < ev->e[0].day)
            ev->e[k].day = ev->e[0].day;
    qsort(ev->e + 1, (size_t)ev->n - 1, sizeof ev->e[0], by_day);

    diff_json(NULL, &state, NULL, ev->e[0].changes, sizeof ev->e[0].changes);
    for (int k = 1; k < ev->n; k++) {
        struct dd_person next = state;
        apply_event(&ev->e[k], rc, &next);
        char extra[400];
        if (ev->e[k].what == EV_ABSENT)
            absence_json(g, p, extra, sizeof extra);
        diff_json(&state, &next, ev->e[k].what == EV_ABSENT ? extra : NULL, ev->e[k].changes,
                  sizeof ev->e[k].changes);
        state = next;
    }
}

static void
iso_at(int32_t day, char out[32])
{
    char d[11];
    dd_demo_format_date(day, DATE_FULL, d);
    snprintf(out, 32, "%sT03:00:00.000Z", d); /* 10:00 in Việt Nam */
}

/* --- residences --- */

static int
emit_residences(const struct gen *g, int32_t i, const struct rec *rc,
                const struct dd_demo_sink *sink, long *count)
{
    const struct gperson *p = &g->p[i];
    struct dd_demo_residence r = {.id_number = p->id};
    char from[11], to[11], addr[128];
    int rc_ = DD_OK;
    const struct ghouse *h = p->household != NO_ONE ? &g->h[p->household] : NULL;
    if (p->moved_in != NO_DAY && h) {
        const struct dd_demo_commune *old = former_home(g, h, p->household, addr, sizeof addr);
        dd_demo_format_date(p->birth, DATE_FULL, from);
        dd_demo_format_date(p->moved_in, DATE_FULL, to);
        r.kind = "permanent";
        r.province = old->province;
        r.commune = old->code;
        r.address = addr;
        r.from_date = from;
        r.to_date = to;
        r.reason = "Chuyển đi nơi khác";
        rc_ = sink->residence(sink->ctx, &r);
        (*count)++;
    }
    if (rc_ != DD_OK)
        return rc_;
    dd_demo_format_date(rc->since, DATE_FULL, from);
    r.kind = "permanent";
    r.province = rc->perm_province;
    r.commune = rc->perm_commune;
    r.address = rc->perm_address;
    r.from_date = from;
    r.to_date = p->kind == K_DEAD ? rc->death : "";
    r.reason = p->kind == K_DEAD ? "Xóa đăng ký thường trú: đã chết" : "Đăng ký thường trú";
    rc_ = sink->residence(sink->ctx, &r);
    (*count)++;
    if (rc_ == DD_OK && p->kind == K_TEMPORARY) {
        dd_demo_format_date(p->stay_from, DATE_FULL, from);
        r.kind = "temporary";
        r.province = rc->temp_province;
        r.commune = rc->temp_commune;
        r.address = rc->temp_address;
        r.from_date = from;
        r.to_date = rc->temp_until;
        r.reason = "Lao động, học tập";
        rc_ = sink->residence(sink->ctx, &r);
        (*count)++;
    }
    if (rc_ == DD_OK && p->absent) {
        dd_demo_format_date(p->stay_from, DATE_FULL, from);
        dd_demo_format_date(p->stay_until, DATE_FULL, to);
        r.kind = "absence";
        r.province = g->w->others[p->other].province;
        r.commune = g->w->others[p->other].code;
        r.address = "";
        r.from_date = from;
        r.to_date = to;
        r.reason = "Đi làm việc, học tập";
        rc_ = sink->residence(sink->ctx, &r);
        (*count)++;
    }
    return rc_;
}

/* people.residences of a person: their periods still running today, gathered by running
 * emit_residences into this sink instead of the real one. */
struct running {
    struct dd_buf json;
    char today[32];
};

static int
gather_running(void *ctx, const struct dd_demo_residence *r)
{
    struct running *run = ctx;
    if (r->to_date[0] != '\0' && strncmp(r->to_date, run->today, 10) < 0)
        return DD_OK;
    if (run->json.len > 1)
        dd_buf_putc(&run->json, ',');
    dd_reg_residence_json(&run->json, r->kind, r->province, r->commune, r->address, r->from_date,
                          r->to_date);
    return DD_OK;
}

static void
running_residences(const struct gen *g, int32_t i, const struct rec *rc, struct running *out)
{
    dd_buf_init(&out->json, NULL, 64 * 1024);
    dd_clock_iso8601(dd_clock_now_ms(), out->today);
    dd_buf_putc(&out->json, '[');
    struct dd_demo_sink gather = {.ctx = out, .residence = gather_running};
    long ignored = 0;
    emit_residences(g, i, rc, &gather, &ignored);
    dd_buf_putc(&out->json, ']');
}

/* --- the whole run --- */

struct run {
    const struct gen *g;
    const struct dd_demo_sink *sink;
    struct dd_demo_summary *sum;
    long done;
};

static int
emit_person(struct run *run, int32_t i)
{
    const struct gen *g = run->g;
    struct rec *rc = dd_xmalloc(sizeof *rc);
    struct events *ev = dd_xmalloc(sizeof *ev);
    fill_record(g, i, rc);
    collect_events(g, i, rc, ev);
    char created[32], updated[32];
    iso_at(ev->e[0].day, created);
    iso_at(ev->e[ev->n - 1].day, updated);
    struct running running;
    running_residences(g, i, rc, &running);
    struct dd_demo_person_meta meta = {.household_index = rc->household_index,
                                       .version = ev->n,
                                       .created = created,
                                       .updated = updated,
                                       .residences = running.json.data};
    int rc_ = run->sink->person(run->sink->ctx, &rc->p, &meta);
    dd_buf_release(&running.json);
    for (int k = 0; k < ev->n && rc_ == DD_OK; k++) {
        char at[32];
        iso_at(ev->e[k].day, at);
        struct dd_demo_history hrow = {
            .id_number = g->p[i].id,
            .version = k + 1,
            .kind = ev->e[k].kind,
            .changes = ev->e[k].changes,
            .actor = ev->e[k].actor,
            .reason = ev->e[k].reason,
            .legal_basis = ev->e[k].legal_basis,
            .at = at,
        };
        rc_ = run->sink->history(run->sink->ctx, &hrow);
        run->sum->history++;
    }
    if (rc_ == DD_OK)
        rc_ = emit_residences(g, i, rc, run->sink, &run->sum->residences);
    const struct gperson *p = &g->p[i];
    run->sum->people++;
    run->sum->dead += p->kind == K_DEAD;
    run->sum->temporary += p->kind == K_TEMPORARY;
    run->sum->absent += p->absent;
    run->sum->moved += p->moved_in != NO_DAY;
    free(rc);
    free(ev);
    if (++run->done % 5000 == 0 && g->o->progress)
        g->o->progress(g->o->progress_ctx, run->done, g->np);
    return rc_;
}

static int
emit_household(struct run *run, long k)
{
    const struct gen *g = run->g;
    const struct ghouse *h = &g->h[k];
    char created[32];
    iso_at(h->created, created);
    struct dd_demo_household row = {
        .index = k,
        .number = h->number,
        .head_id = g->p[h->head].id,
        .province = g->w->province,
        .commune = commune(g, h->commune)->code,
        .address = h->address,
        .created = created,
    };
    int rc = run->sink->household(run->sink->ctx, &row);
    run->sum->households++;
    for (int32_t m = 0; m < h->count && rc == DD_OK; m++)
        rc = emit_person(run, g->members[h->first + m]);
    return rc;
}

static int
emit_all(const struct gen *g, const struct dd_demo_sink *sink, struct dd_demo_summary *sum)
{
    struct run run = {g, sink, sum, 0};
    int rc = DD_OK;
    for (long k = 0; k < g->nh && rc == DD_OK; k++)
        rc = emit_household(&run, k);
    for (int kind = K_TEMPORARY; kind <= K_DEAD && rc == DD_OK; kind++)
        for (long i = 0; i < g->np && rc == DD_OK; i++)
            if (g->p[i].kind == kind)
                rc = emit_person(&run, (int32_t)i);
    if (rc == DD_OK && g->o->progress)
        g->o->progress(g->o->progress_ctx, run.done, g->np);
    return rc;
}

static void
gen_free(struct gen *g)
{
    free(g->p);
    free(g->u);
    free(g->h);
    free(g->members);
    free(g->order);
    free(g->by_parent_start);
    free(g->by_parent);
    free(g->commune_w);
    free(g->ward_w);
    free(g->other_w);
    free(g->seq);
}

static int
check_input(const struct dd_demo_world *w, const struct dd_demo_options *o, int32_t *today,
            char *err, size_t errlen)
{
    if (o->people < 1 || o->people > DD_DEMO_MAX_PEOPLE)
        snprintf(err, errlen, "the number of people must be between 1 and %ld", DD_DEMO_MAX_PEOPLE);
    else if (dd_demo_parse_date(o->today, today) != 0)
        snprintf(err, errlen, "the date '%s' is not a real YYYY-MM-DD date", o->today);
    else if (*today < dd_demo_days(2022, 1, 1))
        snprintf(err, errlen, "the date must be 2022-01-01 or later (after the first collection)");
    else if (*today > (int32_t)((dd_clock_now_ms() / 1000 + 7 * 3600) / 86400))
        snprintf(err, errlen, "the date %s is in the future: nobody can be born after today",
                 o->today);
    else if (w->ncommunes == 0 || w->ncommunes > 30000)
        snprintf(err, errlen, "province %s has no communes", w->province);
    else
        return DD_OK;
    return DD_EINVAL;
}

int
dd_demo_generate(const struct dd_demo_world *w, const struct dd_demo_options *o,
                 const struct dd_demo_sink *sink, struct dd_demo_summary *sum, char *err,
                 size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    if (errlen > 0)
        err[0] = '\0';
    struct gen g = {.w = w, .o = o};
    int rc = check_input(w, o, &g.today, err, errlen);
    if (rc != DD_OK)
        return rc;
    dd_demo_rng_seed(&g.rng, o->seed);
    g.collected_from = dd_demo_days(2020, 7, 1);
    g.collected_to = dd_demo_days(2021, 6, 30);
    g.cap = o->people;
    g.p = dd_xcalloc((size_t)g.cap, sizeof *g.p);
    g.dead_budget = o->people * 25 / 1000;
    g.living = o->people - g.dead_budget;
    g.seq = dd_xcalloc(1000000, sizeof *g.seq);
    dd_demo_build_people(&g);
    dd_demo_build_households(&g);
    rc = dd_demo_assign_ids_and_names(&g, err, errlen);
    if (rc == DD_OK) {
        rc = emit_all(&g, sink, sum);
        if (rc != DD_OK && err[0] == '\0')
            snprintf(err, errlen, "writing the records failed: %s", dd_strerror(rc));
    }
    if (rc == DD_OK && g.nh > 0)
        snprintf(sum->sample_id, sizeof sum->sample_id, "%s", g.p[g.h[0].head].id);
    gen_free(&g);
    return rc;
}
