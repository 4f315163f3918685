/*
 * internal.h — what the files of the demo generator share: the people and households being
 * built (in plain arrays, indices rather than pointers), and the tables of names, population and
 * places they are drawn from. Not for use outside src/core/demo/.
 */
#ifndef DD_CORE_DEMO_INTERNAL_H
#define DD_CORE_DEMO_INTERNAL_H

#include "core/demo/demo.h"
#include "core/demo/rng.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- dates (dates.c): days since 1970-01-01 in the proleptic Gregorian calendar --- */

int32_t dd_demo_days(int year, int month, int day);
void dd_demo_civil(int32_t days, int *year, int *month, int *day);
/* Parses "YYYY-MM-DD"; -1 on a malformed or impossible date. */
int dd_demo_parse_date(const char *s, int32_t *days);
/* Writes "YYYY-MM-DD" (11 bytes), "YYYY-MM" or "YYYY" by precision. */
enum { DATE_FULL = 0, DATE_MONTH = 1, DATE_YEAR = 2 };
void dd_demo_format_date(int32_t days, int precision, char out[11]);
/* The whole years between `from` and `to` (an age). */
int dd_demo_years_between(int32_t from, int32_t to);
/* `days` moved by a number of years, the day clamped to the month (29 Feb → 28 Feb). */
int32_t dd_demo_add_years(int32_t days, int years);

/* --- ethnic groups and religions (places.c) --- */

enum {
    ETH_KINH,
    ETH_RAGLAI,
    ETH_CHAM,
    ETH_EDE,
    ETH_COHO,
    ETH_HOA,
    ETH_TAY,
    ETH_NUNG,
    ETH_MUONG,
    ETH_COUNT
};

const char *dd_demo_ethnic_name(int ethnic);
/* An ethnic group for a household in commune `code` of `province`. */
int dd_demo_pick_ethnic(struct dd_demo_rng *r, const char *province, const char *code);
/* A religion index for a person of `ethnic`; 0 is "Không" (none). */
int dd_demo_pick_religion(struct dd_demo_rng *r, int ethnic);
const char *dd_demo_religion_name(int religion);

/* --- places (places.c) --- */

/* Relative population of a commune by its kind: ward, commune, special zone. */
unsigned dd_demo_commune_weight(const struct dd_demo_commune *c);
bool dd_demo_commune_is_ward(const struct dd_demo_commune *c);
/* An address inside commune `c`: a numbered house on a street (or a residential group) for a
 * ward, a village for a rural commune, an island for Trường Sa. The streets and villages of one
 * commune are always the same few. */
void dd_demo_address(struct dd_demo_rng *r, const struct dd_demo_commune *c, char *out,
                     size_t outlen);

/* Provinces people of the province come from (their place code of birth registration before
 * 1 July 2025) and the province that holds that place today. */
struct dd_demo_origin {
    const char *birth_code;   /* "054" */
    const char *name;         /* "Tỉnh Phú Yên" */
    const char *province_now; /* "66" */
    unsigned weight;          /* share among people born outside the province */
};
size_t dd_demo_origin_count(void);
const struct dd_demo_origin *dd_demo_origin(size_t i);
/* The name of the province of a place code of birth registration ("056" → "Tỉnh Khánh Hòa"),
 * or NULL. */
const char *dd_demo_birth_place_name(const char *birth_code);

/* --- names (names.c) --- */

/* A name as indices into the tables, so that children can take a parent's family name. */
struct dd_demo_name {
    int16_t family; /* per ethnic group: surname (Kinh…), clan (Ê Đê); -1 none (Cơ Ho) */
    int16_t middle; /* -1 none */
    int16_t middle2;
    int16_t given;
};

/* A family name for someone of `ethnic` whose parents are not known. */
int16_t dd_demo_pick_family(struct dd_demo_rng *r, int ethnic);
/* Middle and given names for a person of `ethnic`, sex and year of birth; family is kept. */
void dd_demo_pick_names(struct dd_demo_rng *r, int ethnic, bool female, int birth_year,
                        struct dd_demo_name *n);
/* The full name as written on the ID card, in out (NUL-terminated). */
void dd_demo_format_name(const struct dd_demo_name *n, int ethnic, bool female, char *out,
                         size_t outlen);
/* True if the family name passes from the mother (Ê Đê). */
bool dd_demo_family_from_mother(int ethnic);
/* The family name of a Kinh person, as text (for tests of the name shares). */
const char *dd_demo_kinh_surname(int16_t family);

/* --- secondary indexes set aside during the bulk write (indexes.c) --- */

#define DD_DEMO_MAX_INDEXES 16

struct dd_demo_indexes {
    char name[DD_DEMO_MAX_INDEXES][64];
    char *sql[DD_DEMO_MAX_INDEXES]; /* the statement that builds it again */
    int count;
};

/* Drops the non-unique indexes of `table`, remembering how to build them (added to *saved).
 * Inside the caller's transaction. */
int dd_demo_indexes_drop(struct dd_db *db, const char *table, struct dd_demo_indexes *saved);
/* Builds the saved indexes again. */
int dd_demo_indexes_rebuild(struct dd_db *db, struct dd_demo_indexes *saved);
void dd_demo_indexes_free(struct dd_demo_indexes *saved);

/* --- the demo's own trace (record.c) --- */

/* Emits one `register.demo_created` event (province, seed, as of, counts) and appends one audit
 * row (actor o->audit_actor, else "demo"; action "register.demo") inside the caller's open
 * transaction, so that both exist exactly when the demo's people do. */
int dd_demo_record(struct dd_db *db, const struct dd_demo_world *w, const struct dd_demo_options *o,
                   const struct dd_demo_summary *sum);

/* --- population (population.c) --- */

/* An age in whole years and a sex drawn from the population pyramid. */
void dd_demo_pick_age_sex(struct dd_demo_rng *r, int *age, bool *female);
/* Per mille of women of `age` who live with a husband. */
unsigned dd_demo_married_share(int age);
/* The expected share of men (per 100 000) in the pyramid, for tests. */
long dd_demo_expected_male_share(void);

#endif
