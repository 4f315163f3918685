/*
 * households.h — the households a load knows: those already in the register and those its rows
 * create, found by number. Entries keep their order of creation, which is the order of the rows
 * that first named them.
 */
#ifndef DD_CORE_PEOPLE_CSV_HOUSEHOLDS_H
#define DD_CORE_PEOPLE_CSV_HOUSEHOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;

struct dd_pl_household {
    const char *number;
    int64_t id;
    char head[16];    /* the head's ID number, "" while there is none */
    char province[8]; /* of the household's commune */
    char commune[8];
    const char *address;
    long first_line;  /* the row that created it; 0 for a household of the register */
    bool in_register; /* existed before the load */
    bool head_added;  /* a register household whose head comes from the rows */
    bool closed;      /* a register household that is closed: no row may join it */
};

struct dd_pl_households {
    struct dd_pl_household *items;
    size_t count, cap;
    uint32_t *index; /* open addressing: item index + 1, 0 free */
    size_t icap;
    struct dd_arena *arena; /* the strings */
};

void dd_pl_households_init(struct dd_pl_households *h);
void dd_pl_households_free(struct dd_pl_households *h);

/* The household called `number`, or NULL. The pointer stays valid until the next add. */
struct dd_pl_household *dd_pl_households_find(struct dd_pl_households *h, const char *number);

/* Adds a household called `number` (not yet present), zeroed but for its number (copied). */
struct dd_pl_household *dd_pl_households_add(struct dd_pl_households *h, const char *number);

/* Copies `s` into the map's arena (for addresses). */
const char *dd_pl_households_strdup(struct dd_pl_households *h, const char *s);

#endif
