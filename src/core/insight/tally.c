/*
 * tally.c — figures summed in memory, then written with one upsert per cell.
 *
 * A busy reception desk sends many check-ins for the same day, commune and class: the figures
 * they change are few. The event consumer gathers a whole batch of stay events here and writes
 * each cell once at the batch's end, instead of five upserts per check-in while the database's
 * write lock is held; the rebuild sums millions of people and stays the same way. A cell is an
 * upsert statement (which table) and its key texts; its one or two numbers are added. Cells are
 * written in the order they were first seen, and a cell whose sums are all zero is not written (a
 * guest who came and left within the batch). A cell's keys are kept as one block, in the cell
 * itself when short (a cache line's worth or so), and split into texts only to be written.
 */
#include "base/err.h"
#include "base/hash.h"
#include "base/mem.h"
#include "core/insight/internal.h"
#include "store/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CELL_INLINE 64 /* key bytes kept in the cell itself; longer ones on the heap */

struct insight_cell {
    const char *sql;
    uint64_t hash;
    int64_t sums[INSIGHT_TALLY_SUMS];
    uint32_t len; /* of the keys, each ending with '\0', in one block */
    uint8_t nkeys, nsums;
    char *heap; /* the block when longer than CELL_INLINE, else NULL */
    char inline_text[CELL_INLINE];
};

static const char *
cell_text(const struct insight_cell *c)
{
    return c->heap ? c->heap : c->inline_text;
}

/* Splits the cell's block into its texts (a key ends at its first '\0'). */
static void
cell_keys(const struct insight_cell *c, const char *keys[INSIGHT_TALLY_KEYS])
{
    const char *p = cell_text(c), *end = cell_text(c) + c->len;
    for (size_t i = 0; i < c->nkeys; i++) {
        keys[i] = p < end ? p : "";
        p += p < end ? strnlen(p, (size_t)(end - p)) + 1 : 0;
    }
}

/* The keys one after the other, each with its '\0' (so ("ab","c") is not ("a","bc")): a cell's
 * identity, hashed and compared as one block of bytes. */
struct joined {
    char small[256];
    char *p; /* small, or a block of the heap for keys longer than it */
    size_t len;
};

static void
join_keys(struct joined *j, const char *const *keys, size_t nkeys)
{
    size_t lens[INSIGHT_TALLY_KEYS], len = 0;
    for (size_t i = 0; i < nkeys; i++) {
        lens[i] = strlen(keys[i]) + 1;
        len += lens[i];
    }
    j->p = len <= sizeof j->small ? j->small : dd_xmalloc(len);
    j->len = len;
    char *at = j->p;
    for (size_t i = 0; i < nkeys; i++) {
        memcpy(at, keys[i], lens[i]);
        at += lens[i];
    }
}

static void
join_free(struct joined *j)
{
    if (j->p != j->small)
        free(j->p);
}

/* A cell's hash: its block's, told apart by table. */
static uint64_t
cell_hash(const char *sql, const char *p, size_t len)
{
    return dd_hash_bytes(p, len, (uint64_t)(uintptr_t)sql);
}

static bool
cell_is(const struct insight_cell *c, uint64_t hash, const char *sql, const char *joined,
        size_t len, size_t nkeys)
{
    return c->hash == hash && c->sql == sql && c->nkeys == nkeys && c->len == len &&
           memcmp(cell_text(c), joined, len) == 0;
}

/* Doubles the index (slots hold a cell's position + 1; 0 is empty) and places every cell. */
static void
grow_index(struct insight_tally *t)
{
    size_t slots = t->slots ? t->slots * 2 : 64;
    free(t->index);
    t->index = dd_xcalloc(slots, sizeof *t->index);
    t->slots = slots;
    for (size_t i = 0; i < t->count; i++) {
        size_t s = (size_t)t->cells[i].hash & (slots - 1);
        while (t->index[s] != 0)
            s = (s + 1) & (slots - 1);
        t->index[s] = i + 1;
    }
}

static struct insight_cell *
new_cell(struct insight_tally *t, uint64_t hash, const char *sql, const char *joined, size_t len,
         size_t nkeys, size_t nsums)
{
    if (t->count == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->cells = dd_xrealloc(t->cells, t->cap * sizeof *t->cells);
    }
    struct insight_cell *c = &t->cells[t->count++];
    memset(c, 0, sizeof *c);
    c->sql = sql;
    c->hash = hash;
    c->nkeys = (uint8_t)nkeys;
    c->nsums = (uint8_t)nsums;
    c->len = (uint32_t)len;
    c->heap = len > CELL_INLINE ? dd_xmalloc(len) : NULL;
    memcpy(c->heap ? c->heap : c->inline_text, joined, len);
    return c;
}

/* insight_tally_add_joined with the keys' hash computed already. */
static void
add_hashed(struct insight_tally *t, uint64_t hash, const char *sql, const char *joined, size_t len,
           size_t nkeys, const int64_t *sums, size_t nsums)
{
    if (nkeys > INSIGHT_TALLY_KEYS || nsums == 0 || nsums > INSIGHT_TALLY_SUMS || len > UINT32_MAX)
        abort(); /* a caller's mistake, fixed in code: the tables' shapes are known */
    if ((t->count + 1) * 2 > t->slots)
        grow_index(t);
    size_t s = (size_t)hash & (t->slots - 1);
    struct insight_cell *c = NULL;
    for (; t->index[s] != 0; s = (s + 1) & (t->slots - 1))
        if (cell_is(&t->cells[t->index[s] - 1], hash, sql, joined, len, nkeys)) {
            c = &t->cells[t->index[s] - 1];
            break;
        }
    if (c == NULL) {
        c = new_cell(t, hash, sql, joined, len, nkeys, nsums);
        t->index[s] = t->count;
    }
    for (size_t i = 0; i < nsums; i++)
        c->sums[i] += sums[i];
}

void
insight_tally_add_joined(struct insight_tally *t, const char *sql, const char *joined, size_t len,
                         size_t nkeys, const int64_t *sums, size_t nsums)
{
    add_hashed(t, cell_hash(sql, joined, len), sql, joined, len, nkeys, sums, nsums);
}

/* The lagging adds. The fetches asked for are hints: a cell added meanwhile or an index grown
 * makes one useless, never wrong, since the add itself looks the cell up again. */
static void
lag_add_waiting(struct insight_tally_lag *l, size_t row)
{
    const struct insight_lag_row *w = &l->waiting[row % 3];
    add_hashed(l->t, w->hash, l->sql, w->joined, w->len, l->nkeys, &w->sum, 1);
}

char *
insight_tally_lag_keys(struct insight_tally_lag *l)
{
    return l->waiting[l->given % 3].joined; /* its row, three before, was added by the last */
}

void
insight_tally_lag_add(struct insight_tally_lag *l, size_t len, int64_t sum)
{
    if (len > INSIGHT_LAG_KEY_MAX)
        abort(); /* a caller's mistake: the keys are checked for length where they are joined */
    struct insight_tally *t = l->t;
    size_t row = l->given++;
    struct insight_lag_row *w = &l->waiting[row % 3];
    uint64_t hash = cell_hash(l->sql, w->joined, len);
    if (t->slots > 0) {
        __builtin_prefetch(&t->index[hash & (t->slots - 1)]);
        if (row >= 1) {
            size_t at = t->index[l->waiting[(row - 1) % 3].hash & (t->slots - 1)];
            if (at != 0) {
                __builtin_prefetch(&t->cells[at - 1]);
                __builtin_prefetch((const char *)&t->cells[at - 1] + 64);
            }
        }
    }
    if (row >= 2)
        lag_add_waiting(l, row - 2);
    w->hash = hash;
    w->len = len;
    w->sum = sum;
}

void
insight_tally_lag_flush(struct insight_tally_lag *l)
{
    for (size_t row = l->given >= 2 ? l->given - 2 : 0; row < l->given; row++)
        lag_add_waiting(l, row);
    l->given = 0;
}

void
insight_tally_add(struct insight_tally *t, const char *sql, const char *const *keys, size_t nkeys,
                  const int64_t *sums, size_t nsums)
{
    if (nkeys > INSIGHT_TALLY_KEYS)
        abort(); /* before join_keys, whose lengths hold that many */
    struct joined j;
    join_keys(&j, keys, nkeys);
    insight_tally_add_joined(t, sql, j.p, j.len, nkeys, sums, nsums);
    join_free(&j);
}

void
insight_tally_each(const struct insight_tally *t,
                   void (*fn)(void *arg, const char *const *keys, const int64_t *sums), void *arg)
{
    for (size_t i = 0; i < t->count; i++) {
        const char *keys[INSIGHT_TALLY_KEYS];
        cell_keys(&t->cells[i], keys);
        fn(arg, keys, t->cells[i].sums);
    }
}

void
insight_tally_merge(struct insight_tally *into, struct insight_tally *from)
{
    for (size_t i = 0; i < from->count; i++) {
        const struct insight_cell *c = &from->cells[i];
        insight_tally_add_joined(into, c->sql, cell_text(c), c->len, c->nkeys, c->sums, c->nsums);
    }
    insight_tally_clear(from);
}

static int
write_cell(struct dd_db *db, const struct insight_cell *c)
{
    bool zero = true;
    for (size_t i = 0; i < c->nsums; i++)
        zero = zero && c->sums[i] == 0;
    if (zero)
        return DD_OK;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, c->sql, &st);
    if (rc != DD_OK)
        return rc;
    const char *keys[INSIGHT_TALLY_KEYS];
    cell_keys(c, keys);
    for (size_t i = 0; i < c->nkeys; i++) /* the cell outlives the step: no copies */
        dd_stmt_bind_text_static(st, (int)i + 1, keys[i], strlen(keys[i]));
    for (size_t i = 0; i < c->nsums; i++)
        dd_stmt_bind_int64(st, (int)(c->nkeys + i) + 1, c->sums[i]);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

int
insight_tally_write(struct dd_db *db, struct insight_tally *t)
{
    int rc = DD_OK;
    for (size_t i = 0; rc == DD_OK && i < t->count; i++)
        rc = write_cell(db, &t->cells[i]);
    insight_tally_clear(t);
    return rc;
}

void
insight_tally_clear(struct insight_tally *t)
{
    for (size_t i = 0; i < t->count; i++)
        free(t->cells[i].heap);
    free(t->cells);
    free(t->index);
    memset(t, 0, sizeof *t);
}
