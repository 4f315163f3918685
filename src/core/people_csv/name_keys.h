/*
 * name_keys.h — the search keys of full names for a people load, computed once per distinct
 * name. Full names repeat (a province of two million has far fewer distinct names), and folding
 * one (dd_person_name_keys: case, diacritics, spaces) costs more than finding it in a table.
 */
#ifndef DD_CORE_PEOPLE_CSV_NAME_KEYS_H
#define DD_CORE_PEOPLE_CSV_NAME_KEYS_H

#include <stddef.h>
#include <stdint.h>

struct dd_arena;

struct dd_pl_name_key {
    const char *name; /* the full name as given */
    const char *folded, *given;
    uint32_t name_len, folded_len, given_len;
    uint64_t hash;
};

struct dd_pl_name_keys {
    struct dd_pl_name_key *slots; /* open addressing; name == NULL: free */
    size_t cap, count;
    struct dd_arena *arena; /* the keys' strings, until the load ends */
};

void dd_pl_name_keys_init(struct dd_pl_name_keys *k);
void dd_pl_name_keys_free(struct dd_pl_name_keys *k);

/* The keys of `full_name` (`n` bytes, NUL-terminated), as dd_person_name_keys gives them. Up to
 * a bound of distinct names they are kept, valid until dd_pl_name_keys_free; past it, a name not
 * kept is folded each time into *scratch, its strings in `overflow`, which must live as long as
 * the caller uses them. */
const struct dd_pl_name_key *dd_pl_name_keys_get(struct dd_pl_name_keys *k,
                                                 struct dd_arena *overflow, const char *full_name,
                                                 size_t n, struct dd_pl_name_key *scratch);

#endif
