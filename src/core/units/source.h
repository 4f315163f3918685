/*
 * source.h — the two published files read into memory: every unit and conversion row, cleaned
 * and checked, ready to store. Internal to core/units/ (the loader and the tests use it).
 *
 * Clean-ups, each one of form only: spaces trimmed and runs of white space (line breaks inside
 * quoted cells included) made one space; text in NFC. Units named in the conversion table but
 * missing from the list of old units are added from the conversion's own columns. An old
 * district's province is the one the list of old units gives it (district codes are national):
 * a conversion row that says otherwise is read with the list's province.
 */
#ifndef DD_CORE_UNITS_SOURCE_H
#define DD_CORE_UNITS_SOURCE_H

#include "core/units/units.h"

#include <stddef.h>

struct dd_arena;

/* A unit to store. NULL stands for SQL NULL. */
struct dd_units_row {
    const char *kind;
    const char *code;
    const char *province_code;
    const char *district_code;
    const char *name;
    const char *level;
    const char *name_en;
    const char *valid_from;
    const char *valid_to;
};

/* A conversion row to store; names as in the units (old_commune_code NULL: no commune). */
struct dd_units_conversion {
    const char *new_province_code;
    const char *new_province_name;
    const char *new_commune_code;
    const char *new_commune_name;
    const char *old_province_code;
    const char *old_province_name;
    const char *old_district_code;
    const char *old_district_name;
    const char *old_commune_code;
    const char *old_commune_name;
    const char *note;
    int whole; /* 1 when the note does not say only a part went in */
};

struct units_map;

struct dd_units_source {
    struct dd_arena *arena; /* every string */
    struct dd_units_row *units;
    size_t nunits, capunits;
    struct dd_units_conversion *conversions;
    size_t nconversions, capconversions;
    struct dd_units_counts counts;
    struct units_map *map; /* units by kind, period, province and code */
};

/* Reads both texts into a new source (release it with dd_units_source_free, also after a
 * failure). DD_EINVAL with a sentence in err naming the file and line for malformed content, or
 * DD_ETOOBIG for a record or name over the limits. */
int dd_units_source_read(struct dd_units_source *src, const char *communes, size_t communes_len,
                         const char *communes_name, const char *conversion, size_t conversion_len,
                         const char *conversion_name, char *err, size_t errlen);

void dd_units_source_free(struct dd_units_source *src);

/* The text trimmed, with each run of white space made one space, in NFC, in the arena; NULL if
 * it is not valid UTF-8. */
const char *dd_units_clean(struct dd_arena *a, const char *s);

/* Splits "Tỉnh Khánh Hòa (56)" into name "Tỉnh Khánh Hòa" and code "56", the code being exactly
 * `digits` digits. The text must be clean. DD_EINVAL when it has no such code at its end. */
int dd_units_split_name_code(struct dd_arena *a, const char *text, size_t digits, const char **name,
                             const char **code);

/* The level word a unit's name starts with ("Thành phố Huế" → "Thành phố"), in any case and with
 * or without diacritics; "" when the name starts with none. */
const char *dd_units_level_of(struct dd_arena *a, const char *name);

#endif
