/*
 * export.h — writing people from the register as CSV, in the format the import reads
 * (docs/people-csv.md): every column, in the order of struct dd_person, one row per person in
 * order of ID number. Importing the output into an empty register gives the same people.
 */
#ifndef DD_CORE_PEOPLE_CSV_EXPORT_H
#define DD_CORE_PEOPLE_CSV_EXPORT_H

#include <stdint.h>
#include <stdio.h>

struct dd_db;

struct dd_people_export_filter {
    const char *province; /* 2 digits: people whose permanent residence is in it; NULL: any */
    const char *commune;  /* 5 digits: likewise for a commune; NULL: any */
};

/* Writes the header and the people that match `f` (NULL: everyone) to `out`, reading one
 * consistent snapshot (its own read-only transaction on `db`, which must have none open).
 * *rows gets the number written. DD_EINVAL with a sentence in err for a malformed code;
 * DD_EIO if writing failed; a database error's code otherwise. */
int dd_people_export_csv(struct dd_db *db, const struct dd_people_export_filter *f, FILE *out,
                         int64_t *rows, char *err, size_t errlen);

/* Appends `s` (n bytes) to `b` as one CSV field: as it is, or in double quotes (inner quotes
 * doubled) when it holds a comma, a quote, CR or LF. */
struct dd_buf;
int dd_csv_put_field(struct dd_buf *b, const char *s, size_t n);

#endif
