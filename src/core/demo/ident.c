/*
 * ident.c — ID numbers, names and home towns of the demo's people, given in order of birth so
 * that parents come before their children.
 *
 * The 12-digit personal ID number is PPP C YY NNNNNN (Circular 07/2016/TT-BCA as amended): the
 * place where the birth was registered (the province before 1 July 2025 for those born before,
 * so 058 for people born in former Ninh Thuận; the province today for those born since), the
 * century and sex, the year of birth, and a sequence. Each prefix's sequence starts at a random
 * point and grows by small random steps, so numbers are unique and look issued, not counted.
 * Children take their father's family name (their mother's clan among the Ê Đê) and their
 * father's home town (quê quán).
 */
#include "core/demo/gen.h"
#include "base/err.h"
#include "core/register/person.h"

#include <stdio.h>
#include <string.h>

#define SEQ_PREFIXES 1000000 /* PPP C YY */

/* The place code of birth registration for person i. */
static void
place_code(const struct gen *g, int32_t i, char out[4])
{
    const struct gperson *p = &g->p[i];
    if (p->birth_origin >= 0) {
        snprintf(out, 4, "%s", dd_demo_origin((size_t)p->birth_origin)->birth_code);
        return;
    }
    if (p->birth >= dd_demo_days(2025, 7, 1)) {
        snprintf(out, 4, "0%s", g->w->province);
        return;
    }
    snprintf(out, 4, "%s", g->w->communes[p->commune].birth_code);
}

static int
assign_id(struct gen *g, int32_t i, char *err, size_t errlen)
{
    struct gperson *p = &g->p[i];
    char code[4];
    place_code(g, i, code);
    int year = dd_demo_year(g, i);
    int century = dd_idnumber_century_digit(p->female ? "female" : "male", year);
    if (century < 0) {
        snprintf(err, errlen, "a year of birth (%d) outside 1900–2399", year);
        return DD_EINTERNAL;
    }
    int place = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    size_t key = (size_t)place * 1000 + (size_t)century * 100 + (size_t)(year % 100);
    uint32_t last = g->seq[key];
    uint32_t next = last == 0 ? 1 + dd_demo_rng_below(&g->rng, 400000)
                              : last + 1 + dd_demo_rng_below(&g->rng, 24);
    if (next > 999999)
        next = last + 1;
    if (next > 999999) {
        snprintf(err, errlen, "ran out of ID numbers for prefix %s%d%02d", code, century,
                 year % 100);
        return DD_ETOOBIG;
    }
    g->seq[key] = next;
    snprintf(p->id, sizeof p->id, "%.3s%d%02u%06u", code, century % 10, (unsigned)(year % 100),
             (unsigned)next % 1000000u);
    return DD_OK;
}

static void
assign_name(struct gen *g, int32_t i)
{
    struct gperson *p = &g->p[i];
    int32_t from = dd_demo_family_from_mother(p->ethnic) ? p->mother : p->father;
    if (from != NO_ONE && g->p[from].ethnic == p->ethnic && g->p[from].name.family >= 0)
        p->name.family = g->p[from].name.family;
    else
        p->name.family = dd_demo_pick_family(&g->rng, p->ethnic);
    dd_demo_pick_names(&g->rng, p->ethnic, p->female, dd_demo_year(g, i), &p->name);
}

static int16_t
own_origin(const struct gen *g)
{
    char code[4];
    snprintf(code, sizeof code, "0%s", g->w->province);
    for (size_t i = 0; i < dd_demo_origin_count(); i++)
        if (strcmp(dd_demo_origin(i)->birth_code, code) == 0)
            return (int16_t)i;
    return -1;
}

static int16_t
origin_of_code(const char *code)
{
    for (size_t i = 0; i < dd_demo_origin_count(); i++)
        if (strcmp(dd_demo_origin(i)->birth_code, code) == 0)
            return (int16_t)i;
    return -1;
}

/* Quê quán: the father's; else where one was born, and for one in six a family from
 * elsewhere (many of the province's families came from Quảng Ngãi, Bình Định, Nghệ An…). */
static void
assign_hometown(struct gen *g, int32_t i)
{
    struct gperson *p = &g->p[i];
    if (p->father != NO_ONE && g->p[p->father].hometown >= 0) {
        p->hometown = g->p[p->father].hometown;
        return;
    }
    if (p->birth_origin >= 0) {
        p->hometown = p->birth_origin;
        return;
    }
    if (dd_demo_rng_chance(&g->rng, 170)) {
        unsigned w[64];
        size_t n = dd_demo_origin_count() < 64 ? dd_demo_origin_count() : 64;
        for (size_t k = 0; k < n; k++)
            w[k] = strcmp(dd_demo_origin(k)->province_now, g->w->province) == 0
                       ? 0
                       : dd_demo_origin(k)->weight;
        p->hometown = (int16_t)dd_demo_rng_weighted(&g->rng, w, n);
        return;
    }
    char code[4];
    place_code(g, i, code);
    int16_t o = origin_of_code(code);
    p->hometown = o >= 0 ? o : own_origin(g);
}

int
dd_demo_assign_ids_and_names(struct gen *g, char *err, size_t errlen)
{
    for (long k = 0; k < g->np; k++) {
        int32_t i = g->order[k];
        int rc = assign_id(g, i, err, errlen);
        if (rc != DD_OK)
            return rc;
        assign_name(g, i);
        assign_hometown(g, i);
    }
    return DD_OK;
}
