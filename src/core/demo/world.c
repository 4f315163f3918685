/*
 * world.c — the demo province as the unit tables describe it: its communes in force today, and
 * communes of the provinces its people come from, each with the place code that births there
 * were registered under before 1 July 2025.
 *
 * A commune formed on 1 July 2025 reuses the code of one of the communes merged into it, and
 * commune codes were unique across the country before the reform; so the unit that held the
 * same code before the reform names the former province (058 for a commune of today's Khánh
 * Hòa formed from former Ninh Thuận). The unit tables are loaded first if they are empty.
 */
#include "core/demo/demo.h"
#include "core/demo/internal.h"
#include "base/err.h"
#include "base/mem.h"
#include "core/units/units.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE             100
#define MAX_PER_PROVINCE 80 /* communes kept per other province: enough to spread people */

struct list {
    struct dd_demo_commune *v;
    size_t n, cap;
};

static struct dd_demo_commune *
list_add(struct list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 128;
        l->v = dd_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct dd_demo_commune *c = &l->v[l->n++];
    memset(c, 0, sizeof *c);
    return c;
}

/* The place code of birth registration before the reform for commune `code` of `province`. */
static int
former_code(struct dd_db *db, const char *province, const char *code, char out[4])
{
    struct dd_unit all[8];
    size_t n = 0;
    int rc = dd_units_find_all(db, NULL, code, all, sizeof all / sizeof all[0], &n);
    if (rc != DD_OK)
        return rc;
    snprintf(out, 4, "0%s", province);
    for (size_t i = 0; i < n; i++) {
        if (all[i].valid_to[0] != '\0' && strcmp(all[i].valid_to, DD_UNITS_OLD_UNTIL) == 0) {
            snprintf(out, 4, "0%.2s", all[i].province_code);
            break;
        }
    }
    return DD_OK;
}

/* Appends the communes of `province` in force today; every `step`-th one when there are many. */
static int
add_communes(struct dd_db *db, const char *province, size_t keep_at_most, struct list *l)
{
    struct dd_unit *page = dd_xmalloc(PAGE * sizeof *page);
    struct list all = {0};
    char after[8] = "";
    int rc = DD_OK;
    for (;;) {
        struct dd_units_query q = {.kind = "commune",
                                   .province = province,
                                   .after_province = after[0] ? province : NULL,
                                   .after_code = after[0] ? after : NULL};
        size_t n = 0;
        rc = dd_units_list(db, &q, page, PAGE, &n);
        if (rc != DD_OK || n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            struct dd_demo_commune *c = list_add(&all);
            snprintf(c->province, sizeof c->province, "%s", province);
            snprintf(c->code, sizeof c->code, "%s", page[i].code);
            snprintf(c->name, sizeof c->name, "%s", page[i].name);
        }
        snprintf(after, sizeof after, "%s", page[n - 1].code);
        if (n < PAGE)
            break;
    }
    size_t step =
        keep_at_most && all.n > keep_at_most ? (all.n + keep_at_most - 1) / keep_at_most : 1;
    for (size_t i = 0; rc == DD_OK && i < all.n; i += step) {
        struct dd_demo_commune *c = list_add(l);
        *c = all.v[i];
        rc = former_code(db, province, c->code, c->birth_code);
    }
    free(all.v);
    free(page);
    return rc;
}

static bool
seen(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

int
dd_demo_world_load(struct dd_db *db, const char *province, struct dd_demo_world *w, char *err,
                   size_t errlen)
{
    memset(w, 0, sizeof *w);
    int rc = dd_units_ensure_loaded(db, NULL, err, errlen);
    if (rc != DD_OK)
        return rc;
    struct dd_unit p;
    rc = dd_units_find(db, NULL, province, NULL, &p);
    if (rc == DD_ENOTFOUND || rc == DD_EINVAL) {
        snprintf(err, errlen, "there is no province %s in force today", province);
        return DD_ENOTFOUND;
    }
    if (rc != DD_OK) {
        snprintf(err, errlen, "cannot read the units: %s", dd_db_errmsg(db));
        return rc;
    }
    snprintf(w->province, sizeof w->province, "%s", province);
    snprintf(w->province_name, sizeof w->province_name, "%s", p.name);

    struct list mine = {0}, others = {0};
    rc = add_communes(db, province, 0, &mine);
    const char *done[64];
    size_t ndone = 0;
    for (size_t i = 0; rc == DD_OK && i < dd_demo_origin_count() && ndone < 64; i++) {
        const char *now = dd_demo_origin(i)->province_now;
        if (strcmp(now, province) == 0 || seen(done, ndone, now))
            continue;
        done[ndone++] = now;
        rc = add_communes(db, now, MAX_PER_PROVINCE, &others);
    }
    w->communes = mine.v;
    w->ncommunes = mine.n;
    w->others = others.v;
    w->nothers = others.n;
    if (rc != DD_OK) {
        snprintf(err, errlen, "cannot read the units: %s", dd_db_errmsg(db));
        dd_demo_world_free(w);
        return rc;
    }
    if (w->ncommunes == 0) {
        snprintf(err, errlen, "province %s has no communes in force today", province);
        dd_demo_world_free(w);
        return DD_ENOTFOUND;
    }
    return DD_OK;
}

void
dd_demo_world_free(struct dd_demo_world *w)
{
    free((void *)w->communes);
    free((void *)w->others);
    w->communes = w->others = NULL;
    w->ncommunes = w->nothers = 0;
}
