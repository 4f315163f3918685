/*
 * house.c — households and places: each family unit living on its own (with the units that
 * live with it) becomes a household in a commune of the province, drawn by the commune's size,
 * with an address, an ethnic group and a religion; some households moved in from another
 * province long ago or recently, or from another commune of the province; people registered
 * elsewhere get a room in a town here for a while; some residents are away for work or study.
 */
#include "core/demo/gen.h"
#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int16_t
origin_index(const char *birth_code)
{
    for (size_t i = 0; i < dd_demo_origin_count(); i++)
        if (strcmp(dd_demo_origin(i)->birth_code, birth_code) == 0)
            return (int16_t)i;
    return -1;
}

static void
compute_weights(struct gen *g)
{
    const struct dd_demo_world *w = g->w;
    g->commune_w = dd_xcalloc(w->ncommunes + 1, sizeof *g->commune_w);
    g->ward_w = dd_xcalloc(w->ncommunes + 1, sizeof *g->ward_w);
    for (size_t i = 0; i < w->ncommunes; i++) {
        unsigned cw = dd_demo_commune_weight(&w->communes[i]);
        g->commune_w[i] = cw;
        g->ward_w[i] = dd_demo_commune_is_ward(&w->communes[i]) ? cw * 4 : cw / 2 + 1;
    }
    /* Each province of origin weighs its share, spread over the communes given for it. */
    g->other_w = dd_xcalloc(w->nothers + 1, sizeof *g->other_w);
    for (size_t i = 0; i < w->nothers; i++) {
        int16_t o = origin_index(w->others[i].birth_code);
        if (o < 0 || strcmp(w->others[i].province, w->province) == 0)
            continue;
        unsigned same = 1; /* this commune and the others with its code */
        for (size_t j = 0; j < w->nothers; j++)
            same += j != i && strcmp(w->others[j].birth_code, w->others[i].birth_code) == 0;
        g->other_w[i] = dd_demo_origin((size_t)o)->weight * 10000u / same;
    }
}

static bool
have_others(const struct gen *g)
{
    for (size_t i = 0; i < g->w->nothers; i++)
        if (g->other_w[i] > 0)
            return true;
    return false;
}

static int16_t
pick_other(struct gen *g)
{
    return (int16_t)dd_demo_rng_weighted(&g->rng, g->other_w, g->w->nothers);
}

static int16_t
pick_origin_elsewhere(struct gen *g)
{
    unsigned w[64];
    size_t n = dd_demo_origin_count() < 64 ? dd_demo_origin_count() : 64;
    for (size_t i = 0; i < n; i++)
        w[i] = strcmp(dd_demo_origin(i)->province_now, g->w->province) == 0
                   ? 0
                   : dd_demo_origin(i)->weight;
    return (int16_t)dd_demo_rng_weighted(&g->rng, w, n);
}

static int32_t
top_unit(const struct gen *g, int32_t u)
{
    while (g->u[u].up != NO_ONE)
        u = g->u[u].up;
    return u;
}

/* A day in [lo, hi], or NO_DAY if the window is empty. */
static int32_t
day_between(struct gen *g, int32_t lo, int32_t hi)
{
    if (lo > hi)
        return NO_DAY;
    return lo + (int32_t)dd_demo_rng_below(&g->rng, (uint32_t)(hi - lo + 1));
}

static void
choose_move(struct gen *g, struct ghouse *h)
{
    const struct gperson *head = &g->p[h->head];
    h->move = MOVE_NONE;
    h->moved_in = NO_DAY;
    h->from_other = h->from_commune = h->origin = -1;
    unsigned roll = dd_demo_rng_below(&g->rng, 1000);
    int32_t adult = dd_demo_add_years(head->birth, 20);
    if (roll < 110 && have_others(g)) {
        int32_t lo = adult > dd_demo_days(1985, 1, 1) ? adult : dd_demo_days(1985, 1, 1);
        h->moved_in = day_between(g, lo, h->imported - 1);
        h->move = MOVE_LONG_AGO;
    } else if (roll < 145 && have_others(g)) {
        h->moved_in =
            day_between(g, h->imported + 30 > adult ? h->imported + 30 : adult, g->today - 10);
        h->move = MOVE_FROM_PROVINCE;
    } else if (roll < 200 && g->w->ncommunes > 1) {
        h->moved_in =
            day_between(g, h->imported + 30 > adult ? h->imported + 30 : adult, g->today - 10);
        h->move = MOVE_WITHIN;
    }
    if (h->moved_in == NO_DAY) {
        h->move = MOVE_NONE;
        return;
    }
    if (h->move == MOVE_WITHIN) {
        int16_t c = (int16_t)dd_demo_rng_below(&g->rng, (uint32_t)g->w->ncommunes - 1);
        h->from_commune = c >= h->commune ? (int16_t)(c + 1) : c;
        return;
    }
    h->from_other = pick_other(g);
    h->origin = origin_index(g->w->others[h->from_other].birth_code);
}

static void
choose_created(struct gen *g, struct ghouse *h)
{
    if (h->move != MOVE_NONE) {
        h->created = h->moved_in;
        return;
    }
    int32_t c = dd_demo_add_years(g->p[h->head].birth, 20 + (int)dd_demo_rng_below(&g->rng, 9));
    if (c < dd_demo_days(1985, 1, 1))
        c = dd_demo_days(1985, 1, 1) + (int32_t)dd_demo_rng_below(&g->rng, 3650);
    if (c >= g->today)
        c = g->today - 1 - (int32_t)dd_demo_rng_below(&g->rng, 30);
    h->created = c;
}

static int
member_rank(const struct gen *g, const struct ghouse *h, int32_t i)
{
    if (i == h->head)
        return 0;
    return g->p[h->head].spouse == i ? 1 : 2;
}

struct rank_ctx {
    const struct gen *g;
    const struct ghouse *h;
};

/* The head, the spouse, then the others from the oldest. */
static int
by_rank(const void *a, const void *b, void *arg)
{
    const struct rank_ctx *c = arg;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    int rx = member_rank(c->g, c->h, x), ry = member_rank(c->g, c->h, y);
    if (rx != ry)
        return rx - ry;
    if (c->g->p[x].birth != c->g->p[y].birth)
        return c->g->p[x].birth < c->g->p[y].birth ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void
make_households(struct gen *g)
{
    int32_t *house_of_unit = dd_xmalloc(sizeof *house_of_unit * (size_t)g->nu + 1);
    g->nh = 0;
    for (long u = 0; u < g->nu; u++)
        house_of_unit[u] = g->u[u].up == NO_ONE ? (int32_t)g->nh++ : NO_ONE;
    g->h = dd_xcalloc((size_t)g->nh + 1, sizeof *g->h);
    int32_t *count = dd_xcalloc((size_t)g->nh + 1, sizeof *count);
    for (long i = 0; i < g->np; i++) {
        struct gperson *p = &g->p[i];
        if (p->kind != K_RESIDENT || p->unit == NO_ONE)
            continue;
        p->household = house_of_unit[top_unit(g, p->unit)];
        count[p->household]++;
    }
    int32_t first = 0;
    for (long h = 0; h < g->nh; h++) {
        g->h[h].first = first;
        first += count[h];
        g->h[h].count = 0;
    }
    g->members = dd_xmalloc(sizeof *g->members * ((size_t)first + 1));
    for (long k = 0; k < g->np; k++) {
        int32_t i = g->order[k];
        if (g->p[i].household == NO_ONE)
            continue;
        struct ghouse *h = &g->h[g->p[i].household];
        g->members[h->first + h->count++] = i;
    }
    for (long u = 0; u < g->nu; u++) {
        if (house_of_unit[u] == NO_ONE)
            continue;
        struct ghouse *h = &g->h[house_of_unit[u]];
        h->head = g->u[u].head;
        int32_t wife = g->p[h->head].spouse;
        if (wife != NO_ONE && g->p[wife].household == house_of_unit[u] &&
            dd_demo_rng_chance(&g->rng, 250))
            h->head = wife;
    }
    for (long h = 0; h < g->nh; h++) {
        struct rank_ctx c = {g, &g->h[h]};
        qsort_r(g->members + g->h[h].first, (size_t)g->h[h].count, sizeof *g->members, by_rank, &c);
    }
    free(count);
    free(house_of_unit);
}

static void
settle_households(struct gen *g)
{
    uint32_t *seq = dd_xcalloc(g->w->ncommunes + 1, sizeof *seq);
    for (long k = 0; k < g->nh; k++) {
        struct ghouse *h = &g->h[k];
        h->commune = (int16_t)dd_demo_rng_weighted(&g->rng, g->commune_w, g->w->ncommunes);
        const struct dd_demo_commune *c = &g->w->communes[h->commune];
        snprintf(h->number, sizeof h->number, "%s%s%06u", g->w->province, c->code,
                 (unsigned)++seq[h->commune]);
        dd_demo_address(&g->rng, c, h->address, sizeof h->address);
        h->ethnic = (uint8_t)dd_demo_pick_ethnic(&g->rng, g->w->province, c->code);
        h->religion = (uint8_t)dd_demo_pick_religion(&g->rng, h->ethnic);
        h->imported = day_between(g, g->collected_from, g->collected_to);
        choose_move(g, h);
        choose_created(g, h);
        for (int32_t m = 0; m < h->count; m++) {
            struct gperson *p = &g->p[g->members[h->first + m]];
            p->commune = h->commune;
            p->ethnic = h->ethnic;
            p->religion = dd_demo_rng_chance(&g->rng, 900)
                              ? h->religion
                              : (uint8_t)dd_demo_pick_religion(&g->rng, h->ethnic);
            bool before_move = h->moved_in != NO_DAY && p->birth < h->moved_in;
            if (before_move && h->move != MOVE_LONG_AGO)
                p->moved_in = h->moved_in;
            if (before_move && h->origin >= 0)
                p->birth_origin = h->origin;
            if (before_move && h->move == MOVE_WITHIN)
                p->birth_origin = origin_index(g->w->communes[h->from_commune].birth_code);
            /* Some wives and husbands were born elsewhere and married into the province. */
            bool spouse_of_head = g->p[h->head].spouse == g->members[h->first + m];
            if (spouse_of_head && p->birth_origin < 0 && have_others(g) &&
                dd_demo_rng_chance(&g->rng, 100))
                p->birth_origin = pick_origin_elsewhere(g);
        }
    }
    free(seq);
}

static int32_t
stay_until(struct gen *g, int32_t from, int min_days, int max_days)
{
    int32_t until =
        from + min_days + (int32_t)dd_demo_rng_below(&g->rng, (uint32_t)(max_days - min_days));
    if (until <= g->today)
        until = g->today + 30 + (int32_t)dd_demo_rng_below(&g->rng, 335);
    return until;
}

/* People registered elsewhere who live here for work or study, up to two years at a time
 * (Luật Cư trú 2020, Article 27). */
static void
settle_temporary(struct gen *g)
{
    for (long i = 0; i < g->np; i++) {
        struct gperson *p = &g->p[i];
        if (p->kind != K_TEMPORARY)
            continue;
        p->commune = (int16_t)dd_demo_rng_weighted(&g->rng, g->ward_w, g->w->ncommunes);
        p->other = pick_other(g);
        p->birth_origin = origin_index(g->w->others[p->other].birth_code);
        const struct dd_demo_commune *home = &g->w->others[p->other];
        p->ethnic = (uint8_t)dd_demo_pick_ethnic(&g->rng, home->province, home->code);
        p->religion = (uint8_t)dd_demo_pick_religion(&g->rng, p->ethnic);
        p->stay_from = g->today - 10 - (int32_t)dd_demo_rng_below(&g->rng, 600);
        p->stay_until = stay_until(g, p->stay_from, 180, 730);
    }
}

/* Residents away for work or study in another province (Article 31). */
static void
settle_absent(struct gen *g)
{
    if (!have_others(g))
        return;
    for (long i = 0; i < g->np; i++) {
        struct gperson *p = &g->p[i];
        int age = dd_demo_age(g, (int32_t)i);
        if (p->kind != K_RESIDENT || age < 18 || age > 45 || !dd_demo_rng_chance(&g->rng, 25))
            continue;
        p->absent = 1;
        p->other = pick_other(g);
        p->stay_from = g->today - 10 - (int32_t)dd_demo_rng_below(&g->rng, 500);
        if (p->moved_in != NO_DAY && p->stay_from <= p->moved_in)
            p->stay_from = p->moved_in + 1 + (int32_t)dd_demo_rng_below(&g->rng, 5);
        if (p->stay_from >= g->today)
            p->stay_from = g->today - 1;
        p->stay_until = stay_until(g, p->stay_from, 90, 730);
    }
}

/* The dead share the place, group and religion of the living person whose record names them. */
static void
settle_dead(struct gen *g)
{
    for (long i = 0; i < g->np; i++) {
        struct gperson *p = &g->p[i];
        if (p->kind != K_DEAD)
            continue;
        const struct gperson *r = p->relative != NO_ONE ? &g->p[p->relative] : NULL;
        p->commune = r ? r->commune : 0;
        p->other = r && r->kind == K_TEMPORARY ? r->other : -1;
        p->ethnic = r ? r->ethnic : ETH_KINH;
        p->religion = r ? r->religion : 0;
        p->birth_origin = r ? r->birth_origin : -1;
    }
}

void
dd_demo_build_households(struct gen *g)
{
    compute_weights(g);
    make_households(g);
    settle_households(g);
    settle_temporary(g);
    settle_absent(g);
    settle_dead(g);
}
