/*
 * build.c — the people of the demo province and how they are related.
 *
 * The living are drawn from the population pyramid first, so the province has the country's age
 * and sex structure exactly as drawn; families are then assembled from them rather than invented
 * around them: women marry men a few years older, as many as the census shows living with a
 * husband at each age; children, and some adult children, are matched to a mother of a plausible
 * age (and her husband) with room for them; married children sometimes live with their parents
 * (three generations under one roof) and widowed parents with a child. Young adults with no
 * family in the province are partly people registered elsewhere who live here temporarily. The
 * dead are added last, as the late husbands and wives of widowed people and the late parents of
 * adults, so that every link stays consistent with ages and sexes.
 */
#include "core/demo/gen.h"
#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int32_t
dd_demo_new_person(struct gen *g)
{
    if (g->np >= g->cap)
        return NO_ONE;
    int32_t i = (int32_t)g->np++;
    struct gperson *p = &g->p[i];
    memset(p, 0, sizeof *p);
    p->death = NO_DAY;
    p->father = p->mother = p->spouse = NO_ONE;
    p->unit = p->household = p->relative = NO_ONE;
    p->stay_from = p->stay_until = p->moved_in = NO_DAY;
    p->other = -1;
    p->hometown = -1;
    p->birth_origin = -1;
    p->name.family = p->name.middle = p->name.middle2 = -1;
    return i;
}

int
dd_demo_age(const struct gen *g, int32_t person)
{
    return dd_demo_years_between(g->p[person].birth, g->today);
}

int
dd_demo_year(const struct gen *g, int32_t person)
{
    int y, m, d;
    dd_demo_civil(g->p[person].birth, &y, &m, &d);
    return y;
}

/* A day of birth for someone `age` years old today. */
static int32_t
birth_for_age(struct gen *g, int age)
{
    int32_t latest = dd_demo_add_years(g->today, -age);
    int32_t earliest = dd_demo_add_years(g->today, -(age + 1)) + 1;
    return latest - (int32_t)dd_demo_rng_below(&g->rng, (uint32_t)(latest - earliest + 1));
}

static void
draw_living(struct gen *g)
{
    for (long n = 0; n < g->living; n++) {
        int32_t i = dd_demo_new_person(g);
        int age;
        bool female;
        dd_demo_pick_age_sex(&g->rng, &age, &female);
        g->p[i].female = female;
        g->p[i].birth = birth_for_age(g, age);
        g->p[i].kind = K_RESIDENT;
    }
}

/* People grouped by year of birth (CSR), for finding a husband or a mother of a given age. */
struct buckets {
    int y0, ny;
    int32_t *start; /* ny + 1 */
    int32_t *items;
    int32_t *left; /* per year: items not yet taken (for pools that are used up) */
};

static void
buckets_build(struct gen *g, struct buckets *b, bool (*want)(const struct gen *, int32_t))
{
    int y1, m, d;
    dd_demo_civil(g->today, &y1, &m, &d);
    b->y0 = y1 - 110;
    b->ny = 111;
    b->start = dd_xcalloc((size_t)b->ny + 1, sizeof *b->start);
    b->left = dd_xcalloc((size_t)b->ny, sizeof *b->left);
    for (long i = 0; i < g->np; i++)
        if (want(g, (int32_t)i))
            b->start[dd_demo_year(g, (int32_t)i) - b->y0 + 1]++;
    for (int y = 0; y < b->ny; y++)
        b->start[y + 1] += b->start[y];
    b->items = dd_xmalloc(sizeof *b->items * ((size_t)b->start[b->ny] + 1));
    for (long i = 0; i < g->np; i++) {
        if (!want(g, (int32_t)i))
            continue;
        int y = dd_demo_year(g, (int32_t)i) - b->y0;
        b->items[b->start[y] + b->left[y]++] = (int32_t)i;
    }
    for (int y = 0; y < b->ny; y++)
        dd_demo_rng_shuffle(&g->rng, b->items + b->start[y], (size_t)b->left[y]);
}

static void
buckets_free(struct buckets *b)
{
    free(b->start);
    free(b->items);
    free(b->left);
}

static bool
in_range(const struct buckets *b, int year)
{
    return year >= b->y0 && year < b->y0 + b->ny;
}

static int32_t
buckets_pop(struct buckets *b, int year)
{
    if (!in_range(b, year))
        return NO_ONE;
    int y = year - b->y0;
    if (b->left[y] == 0)
        return NO_ONE;
    return b->items[b->start[y] + --b->left[y]];
}

static bool
is_living_resident(const struct gen *g, int32_t i)
{
    return g->p[i].kind == K_RESIDENT;
}

static bool
want_groom(const struct gen *g, int32_t i)
{
    return is_living_resident(g, i) && !g->p[i].female && dd_demo_age(g, i) >= 20;
}

/* Husbands are mostly 0–6 years older than their wives (census couples). */
static int
husband_gap(struct gen *g)
{
    static const unsigned w[] = {3, 5, 10, 12, 14, 14, 12, 9, 7, 5, 4, 2, 2};
    return (int)dd_demo_rng_weighted(&g->rng, w, sizeof w / sizeof w[0]) - 2;
}

static void
marry(struct gen *g)
{
    struct buckets men;
    buckets_build(g, &men, want_groom);
    int32_t *women = dd_xmalloc(sizeof *women * (size_t)g->np + 1);
    size_t nw = 0;
    for (long i = 0; i < g->np; i++)
        if (g->p[i].female && dd_demo_age(g, (int32_t)i) >= 18)
            women[nw++] = (int32_t)i;
    dd_demo_rng_shuffle(&g->rng, women, nw);
    for (size_t k = 0; k < nw; k++) {
        int32_t w = women[k];
        if (!dd_demo_rng_chance(&g->rng, dd_demo_married_share(dd_demo_age(g, w))))
            continue;
        int target = dd_demo_year(g, w) - husband_gap(g);
        int32_t h = NO_ONE;
        for (int d = 0; d <= 6 && h == NO_ONE; d++) {
            h = buckets_pop(&men, target - d);
            if (h == NO_ONE && d > 0)
                h = buckets_pop(&men, target + d);
        }
        if (h == NO_ONE)
            continue;
        g->p[w].spouse = h;
        g->p[h].spouse = w;
    }
    free(women);
    buckets_free(&men);
}

static bool
want_married_mother(const struct gen *g, int32_t i)
{
    return is_living_resident(g, i) && g->p[i].female && g->p[i].spouse != NO_ONE;
}

/* Widowed, divorced or single mothers. */
static bool
want_lone_mother(const struct gen *g, int32_t i)
{
    return is_living_resident(g, i) && g->p[i].female && g->p[i].spouse == NO_ONE &&
           dd_demo_age(g, i) >= 30;
}

/* Widowers, whose grown children may take them in. */
static bool
want_lone_father(const struct gen *g, int32_t i)
{
    return is_living_resident(g, i) && !g->p[i].female && g->p[i].spouse == NO_ONE &&
           dd_demo_age(g, i) >= 45;
}

static int
kids_allowed(const struct gen *g, int32_t parent)
{
    int y = dd_demo_year(g, parent);
    return y < 1960 ? MAX_KIDS : y < 1975 ? 4 : 3;
}

/* Can `w` be a parent of `c` (a woman with her husband, or a man alone)? */
static bool
parent_fits(const struct gen *g, int32_t w, int32_t c)
{
    const struct gperson *m = &g->p[w], *child = &g->p[c];
    if (w == c || m->nkids >= kids_allowed(g, w))
        return false;
    int age = dd_demo_years_between(m->birth, child->birth);
    if (m->female ? age < 17 || age > 45 : age < 18 || age > 60)
        return false;
    if (m->spouse != NO_ONE) {
        int fage = dd_demo_years_between(g->p[m->spouse].birth, child->birth);
        if (fage < 18 || fage > 60 || m->spouse == child->spouse)
            return false;
    }
    if (child->spouse != NO_ONE &&
        (g->p[child->spouse].mother == w || g->p[child->spouse].father == w))
        return false;
    for (int k = 0; k < m->nkids; k++) {
        int32_t gap = m->kid_birth[k] - child->birth;
        if (gap > -330 && gap < 330)
            return false;
    }
    return true;
}

/* Of a few parents of the year drawn at random, one that fits with the fewest children so far
 * (so that families are not filled one by one to the limit). */
static int32_t
probe_year(struct gen *g, const struct buckets *b, int year, int32_t child)
{
    if (!in_range(b, year))
        return NO_ONE;
    int y = year - b->y0;
    int32_t n = b->start[y + 1] - b->start[y], best = NO_ONE;
    for (int t = 0; t < 6 && n > 0; t++) {
        int32_t w = b->items[b->start[y] + (int32_t)dd_demo_rng_below(&g->rng, (uint32_t)n)];
        if (parent_fits(g, w, child) && (best == NO_ONE || g->p[w].nkids < g->p[best].nkids))
            best = w;
    }
    return best;
}

struct parent_pools {
    struct buckets married, lone_mothers, lone_fathers;
};

static int32_t
find_parent(struct gen *g, struct parent_pools *pools, int32_t child)
{
    /* Mothers' ages at birth: mostly 20–34 (census fertility by age), a few up to 45. */
    int age = 17 + (int)dd_demo_rng_below(&g->rng, 8) + (int)dd_demo_rng_below(&g->rng, 8) +
              (int)dd_demo_rng_below(&g->rng, 8);
    if (dd_demo_rng_chance(&g->rng, 60))
        age += (int)dd_demo_rng_below(&g->rng, 8);
    const struct buckets *order[2] = {&pools->married, &pools->lone_mothers};
    /* Grown children's parents are often widowed by now. */
    unsigned roll = dd_demo_rng_below(&g->rng, 1000);
    if (dd_demo_age(g, child) >= 25 && roll < 350) {
        order[0] = &pools->lone_mothers;
        order[1] = &pools->married;
    } else if (dd_demo_age(g, child) >= 25 && roll < 450) {
        order[0] = &pools->lone_fathers;
        age += 3;
    }
    int target = dd_demo_year(g, child) - age;
    for (int pass = 0; pass < 2; pass++) {
        for (int d = 0; d <= 3; d++) {
            int32_t w = probe_year(g, order[pass], target - d, child);
            if (w == NO_ONE && d > 0)
                w = probe_year(g, order[pass], target + d, child);
            if (w != NO_ONE)
                return w;
        }
    }
    return NO_ONE;
}

/* Whether person i is looked for parents for, and whether it would live with them. */
static bool
wants_parents(struct gen *g, int32_t i, bool *coreside)
{
    const struct gperson *p = &g->p[i];
    int age = dd_demo_age(g, i);
    bool married = p->spouse != NO_ONE;
    *coreside = false;
    if (!married && age < 18) {
        *coreside = true;
        return true;
    }
    if (!married && age < 30 && dd_demo_rng_chance(&g->rng, 720)) {
        *coreside = true;
        return true;
    }
    if (!married && age < 45 && dd_demo_rng_chance(&g->rng, 350)) {
        *coreside = true;
        return true;
    }
    if (married && age >= 20 && age <= 60) {
        unsigned roll = dd_demo_rng_below(&g->rng, 1000);
        unsigned together = p->female ? 50 : 180; /* sons stay, daughters marry out */
        unsigned apart = age <= 45 ? 250 : 150;
        *coreside = roll < together;
        return roll < together + apart;
    }
    return age >= 20 && age <= 60 && dd_demo_rng_chance(&g->rng, 150);
}

static void
match_parents(struct gen *g)
{
    struct parent_pools pools;
    buckets_build(g, &pools.married, want_married_mother);
    buckets_build(g, &pools.lone_mothers, want_lone_mother);
    buckets_build(g, &pools.lone_fathers, want_lone_father);
    int32_t *cand = dd_xmalloc(sizeof *cand * (size_t)g->np + 1);
    for (long i = 0; i < g->np; i++)
        cand[i] = (int32_t)i;
    dd_demo_rng_shuffle(&g->rng, cand, (size_t)g->np);
    for (long k = 0; k < g->np; k++) {
        int32_t c = cand[k];
        bool coreside;
        if (!wants_parents(g, c, &coreside))
            continue;
        int32_t w = find_parent(g, &pools, c);
        if (w == NO_ONE)
            continue;
        struct gperson *m = &g->p[w];
        g->p[c].mother = m->female ? w : NO_ONE;
        g->p[c].father = m->female ? m->spouse : w;
        g->p[c].coreside = coreside;
        m->kid_birth[m->nkids++] = g->p[c].birth;
    }
    free(cand);
    buckets_free(&pools.married);
    buckets_free(&pools.lone_mothers);
    buckets_free(&pools.lone_fathers);
}

static int
by_birth(const void *a, const void *b, void *arg)
{
    const struct gen *g = arg;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (g->p[x].birth != g->p[y].birth)
        return g->p[x].birth < g->p[y].birth ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void
sort_by_birth(struct gen *g)
{
    free(g->order);
    g->order = dd_xmalloc(sizeof *g->order * (size_t)g->np + 1);
    for (long i = 0; i < g->np; i++)
        g->order[i] = (int32_t)i;
    qsort_r(g->order, (size_t)g->np, sizeof *g->order, by_birth, g);
}

/* The parent a child was matched to: the mother, or a father alone. Only for matched people. */
static int32_t
first_parent(const struct gperson *p)
{
    return p->mother != NO_ONE ? p->mother : p->father;
}

static int32_t
new_unit(struct gen *g, int32_t head)
{
    int32_t u = (int32_t)g->nu++;
    g->u[u] = (struct unit){.up = NO_ONE, .size = 0, .ndown = 0, .head = head};
    return u;
}

static void
put(struct gen *g, int32_t person, int32_t unit)
{
    g->p[person].unit = unit;
    g->u[unit].size++;
}

/* Young adults with nobody in the province: some live here temporarily, registered where they
 * come from; some live with a sibling's family; the rest alone. Children without parents found
 * live with relatives as grandchildren. */
static void
place_the_unmatched(struct gen *g)
{
    for (long i = 0; i < g->np; i++) {
        struct gperson *p = &g->p[i];
        if (p->kind != K_RESIDENT || p->spouse != NO_ONE || p->mother != NO_ONE ||
            p->father != NO_ONE || p->nkids > 0)
            continue;
        int age = dd_demo_age(g, (int32_t)i);
        if (age < 18)
            p->explicit_rel = X_GRANDCHILD;
        else if (age <= 40 && g->w->nothers > 0 && dd_demo_rng_chance(&g->rng, 400))
            p->kind = K_TEMPORARY;
        else if (age < 65 && dd_demo_rng_chance(&g->rng, 400))
            p->explicit_rel = X_SIBLING;
    }
}

static void
form_units(struct gen *g)
{
    g->u = dd_xmalloc(sizeof *g->u * (size_t)g->np + 1);
    g->nu = 0;
    for (long k = 0; k < g->np; k++) {
        int32_t i = g->order[k];
        struct gperson *p = &g->p[i];
        if (p->kind != K_RESIDENT || p->unit != NO_ONE || p->explicit_rel != X_NONE)
            continue;
        if (p->spouse != NO_ONE) {
            int32_t husband = p->female ? p->spouse : i;
            int32_t u = new_unit(g, husband);
            put(g, i, u);
            put(g, p->spouse, u);
        } else if (p->coreside && first_parent(p) != NO_ONE &&
                   g->p[first_parent(p)].unit != NO_ONE) {
            put(g, i, g->p[first_parent(p)].unit);
        } else {
            put(g, i, new_unit(g, i));
        }
    }
}

/* Married children who live with their parents: the child's family joins the parents' unit, or
 * a widowed parent living alone joins the child's. */
static void
join_generations(struct gen *g)
{
    for (long i = 0; i < g->np; i++) {
        struct gperson *p = &g->p[i];
        if (p->kind != K_RESIDENT || p->spouse == NO_ONE || !p->coreside)
            continue;
        p->coreside = 0;
        int32_t parent = first_parent(p);
        int32_t cu = p->unit, pu = g->p[parent].unit;
        if (pu == NO_ONE || cu == pu)
            continue;
        struct unit *c = &g->u[cu], *par = &g->u[pu];
        bool parent_alone =
            g->p[parent].spouse == NO_ONE && par->size == 1 && par->ndown == 0 && par->up == NO_ONE;
        if (parent_alone && c->up == NO_ONE && c->size + 1 <= MAX_HOUSEHOLD) {
            par->up = cu;
            c->ndown++;
            c->size += 1;
            p->coreside = 1;
        } else if (par->up == NO_ONE && c->up == NO_ONE && c->ndown == 0 && par->ndown < 1 &&
                   par->size + c->size <= MAX_HOUSEHOLD) {
            c->up = pu;
            par->ndown++;
            par->size += c->size;
            p->coreside = 1;
        }
    }
}

static void
join_relatives(struct gen *g)
{
    int32_t *tops = dd_xmalloc(sizeof *tops * (size_t)g->nu + 1);
    uint32_t ntops = 0;
    for (long u = 0; u < g->nu; u++)
        if (g->u[u].up == NO_ONE)
            tops[ntops++] = (int32_t)u;
    for (long i = 0; i < g->np; i++) {
        struct gperson *p = &g->p[i];
        if (p->kind != K_RESIDENT || p->explicit_rel == X_NONE)
            continue;
        bool child = p->explicit_rel == X_GRANDCHILD;
        int32_t found = NO_ONE;
        for (int t = 0; t < 40 && ntops > 0 && found == NO_ONE; t++) {
            int32_t u = tops[dd_demo_rng_below(&g->rng, ntops)];
            int diff = dd_demo_years_between(g->p[g->u[u].head].birth, p->birth);
            bool fits = child ? diff >= (t < 30 ? 36 : 18) : diff >= -12 && diff <= 12;
            if (fits && g->u[u].size < MAX_HOUSEHOLD)
                found = u;
        }
        if (found == NO_ONE) {
            p->explicit_rel = X_NONE;
            put(g, (int32_t)i, new_unit(g, (int32_t)i));
            continue;
        }
        put(g, (int32_t)i, found);
    }
    free(tops);
}

/* Children by parent (CSR over people): each child under its mother and under its father. */
static void
index_children(struct gen *g)
{
    free(g->by_parent_start);
    free(g->by_parent);
    g->by_parent_start = dd_xcalloc((size_t)g->np + 2, sizeof *g->by_parent_start);
    g->by_parent = dd_xmalloc(sizeof *g->by_parent * 2 * (size_t)g->np + 1);
    for (long i = 0; i < g->np; i++) {
        if (g->p[i].mother != NO_ONE)
            g->by_parent_start[g->p[i].mother + 1]++;
        if (g->p[i].father != NO_ONE)
            g->by_parent_start[g->p[i].father + 1]++;
    }
    for (long i = 0; i < g->np; i++)
        g->by_parent_start[i + 1] += g->by_parent_start[i];
    int32_t *fill = dd_xcalloc((size_t)g->np + 1, sizeof *fill);
    for (long i = 0; i < g->np; i++) {
        int32_t m = g->p[i].mother, f = g->p[i].father;
        if (m != NO_ONE)
            g->by_parent[g->by_parent_start[m] + fill[m]++] = (int32_t)i;
        if (f != NO_ONE)
            g->by_parent[g->by_parent_start[f] + fill[f]++] = (int32_t)i;
    }
    free(fill);
}

/* A day of death in [lo, hi], or NO_DAY if the window is empty. */
static int32_t
death_day(struct gen *g, int32_t lo, int32_t hi)
{
    if (lo > hi)
        return NO_DAY;
    return lo + (int32_t)dd_demo_rng_below(&g->rng, (uint32_t)(hi - lo + 1));
}

static int32_t
new_dead(struct gen *g, int32_t relative, bool female, int32_t birth, int32_t death)
{
    int32_t d = dd_demo_new_person(g);
    struct gperson *p = &g->p[d];
    p->kind = K_DEAD;
    p->female = female;
    p->birth = birth;
    p->death = death;
    p->relative = relative;
    g->dead_budget--;
    return d;
}

/* Whether the late spouse (born on `birth`) of parent p becomes the other parent of child c:
 * c has no other parent yet, and a late wife was 17–45 when c was born. */
static bool
late_parent_of(const struct gen *g, const struct gperson *p, int32_t birth, const struct gperson *c)
{
    (void)g;
    if (p->female)
        return c->father == NO_ONE;
    int age = dd_demo_years_between(birth, c->birth);
    return c->mother == NO_ONE && age >= 17 && age <= 45;
}

/* The late husband or wife of a widowed person, who becomes the other parent of their children
 * with no other parent in the register. */
static void
late_spouse(struct gen *g, int32_t w, int32_t earliest)
{
    struct gperson *p = &g->p[w];
    int gap = (int)dd_demo_rng_below(&g->rng, 7);
    int32_t birth = dd_demo_add_years(p->birth, p->female ? -gap : gap) -
                    (int32_t)dd_demo_rng_below(&g->rng, 365);
    if (birth >= g->today)
        return;
    int32_t lo = dd_demo_add_years(birth, 40), hi = g->today - 20;
    if (lo < earliest)
        lo = earliest;
    if (hi > dd_demo_add_years(birth, 100))
        hi = dd_demo_add_years(birth, 100);
    int32_t kids_from = g->by_parent_start[w], kids_to = g->by_parent_start[w + 1];
    for (int32_t k = kids_from; k < kids_to; k++) {
        const struct gperson *c = &g->p[g->by_parent[k]];
        if (late_parent_of(g, p, birth, c) && c->birth > lo)
            lo = c->birth; /* alive when the child was born */
    }
    int32_t death = death_day(g, lo, hi);
    if (death == NO_DAY)
        return;
    int32_t d = new_dead(g, w, !p->female, birth, death);
    p->spouse = d;
    g->p[d].spouse = w;
    for (int32_t k = kids_from; k < kids_to; k++) {
        struct gperson *c = &g->p[g->by_parent[k]];
        if (!late_parent_of(g, p, birth, c))
            continue;
        if (p->female)
            c->father = d;
        else
            c->mother = d;
    }
}

/* A late parent of someone born on `child_birth`, born on `birth`; NO_ONE if no day of death
 * fits (after the child's birth, the parent's 45th birthday and `earliest`; before 100). */
static int32_t
late_parent(struct gen *g, int32_t c, bool female, int32_t birth, int32_t earliest)
{
    int32_t lo = dd_demo_add_years(birth, 45), hi = g->today - 20;
    if (lo < g->p[c].birth)
        lo = g->p[c].birth;
    if (lo < earliest)
        lo = earliest;
    if (hi > dd_demo_add_years(birth, 100))
        hi = dd_demo_add_years(birth, 100);
    int32_t death = death_day(g, lo, hi);
    return death == NO_DAY ? NO_ONE : new_dead(g, c, female, birth, death);
}

/* The late father, and sometimes the late mother (his wife, a few years younger), of an adult
 * with no parents in the register. */
static void
late_parents(struct gen *g, int32_t c, int32_t earliest)
{
    int gap = 24 + (int)dd_demo_rng_below(&g->rng, 14);
    int32_t birth =
        dd_demo_add_years(g->p[c].birth, -gap) - (int32_t)dd_demo_rng_below(&g->rng, 365);
    int32_t father = late_parent(g, c, false, birth, earliest);
    if (father == NO_ONE)
        return;
    g->p[c].father = father;
    if (g->dead_budget == 0 || !dd_demo_rng_chance(&g->rng, 300))
        return;
    int32_t wife = dd_demo_add_years(birth, (int)dd_demo_rng_below(&g->rng, 7)) +
                   (int32_t)dd_demo_rng_below(&g->rng, 365);
    int age = dd_demo_years_between(wife, g->p[c].birth);
    if (age < 17 || age > 45)
        return;
    int32_t mother = late_parent(g, c, true, wife, earliest);
    if (mother == NO_ONE)
        return;
    g->p[c].mother = mother;
    g->p[father].spouse = mother;
    g->p[mother].spouse = father;
}

static void
add_the_dead(struct gen *g)
{
    index_children(g);
    int32_t earliest = dd_demo_days(2005, 1, 1);
    int32_t *cand = dd_xmalloc(sizeof *cand * (size_t)g->living + 1);
    size_t n = 0;
    for (long i = 0; i < g->living; i++)
        if (g->p[i].kind == K_RESIDENT && g->p[i].spouse == NO_ONE &&
            dd_demo_age(g, (int32_t)i) >= 50)
            cand[n++] = (int32_t)i;
    dd_demo_rng_shuffle(&g->rng, cand, n);
    for (size_t k = 0; k < n && g->dead_budget > 0; k++)
        if (dd_demo_rng_chance(&g->rng, g->p[cand[k]].female ? 800 : 500))
            late_spouse(g, cand[k], earliest);
    n = 0;
    for (long i = 0; i < g->living; i++)
        if (g->p[i].kind != K_DEAD && g->p[i].mother == NO_ONE && g->p[i].father == NO_ONE &&
            dd_demo_age(g, (int32_t)i) >= 30 && dd_demo_age(g, (int32_t)i) <= 70)
            cand[n++] = (int32_t)i;
    dd_demo_rng_shuffle(&g->rng, cand, n);
    for (size_t k = 0; k < n && g->dead_budget > 0; k++)
        if (dd_demo_rng_chance(&g->rng, 500))
            late_parents(g, cand[k], earliest);
    /* Whatever is left (a tiny province): old people who died recently, unlinked. */
    while (g->dead_budget > 0) {
        int32_t rel =
            g->living > 0 ? (int32_t)dd_demo_rng_below(&g->rng, (uint32_t)g->living) : NO_ONE;
        int age = 60 + (int)dd_demo_rng_below(&g->rng, 35);
        int32_t birth = birth_for_age(g, age);
        int32_t death = death_day(g, g->today - 3650, g->today - 20);
        new_dead(g, rel, dd_demo_rng_chance(&g->rng, 500), birth, death);
    }
    free(cand);
}

void
dd_demo_build_people(struct gen *g)
{
    draw_living(g);
    marry(g);
    match_parents(g);
    place_the_unmatched(g);
    sort_by_birth(g);
    form_units(g);
    join_generations(g);
    join_relatives(g);
    add_the_dead(g);
    sort_by_birth(g);
}
