/*
 * person.h — a person of the population register, and the checks every write path shares
 * (the API, the CSV import and the demo generator).
 */
#ifndef DD_CORE_REGISTER_PERSON_H
#define DD_CORE_REGISTER_PERSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Field values are NUL-terminated UTF-8 (NFC); absent optional fields are "". */
struct dd_person {
    const char *id_number; /* 12 digits */
    const char *full_name;
    const char *other_names;
    const char *birth_date; /* "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
    const char *sex;        /* "male" or "female" */
    const char *ethnicity;
    const char *religion;
    const char *nationality; /* ISO 3166-1 alpha-2, "VN" by default */
    const char *birth_place;
    const char *hometown;
    const char *old_id_number; /* 9 digits or "" */
    const char *photo_ref;
    const char *status; /* "alive", "dead", "missing" */
    const char *death_date;
    const char *father_id;
    const char *mother_id;
    const char *spouse_id;
    const char *household_number;
    const char *relation_to_head;
    const char *permanent_province;
    const char *permanent_commune;
    const char *permanent_address;
    const char *temporary_province;
    const char *temporary_commune;
    const char *temporary_address;
    const char *temporary_until;
};

/* One problem found in a person's fields: the field, a stable code, and sentences in vi and en. */
struct dd_person_issue {
    const char *field;
    const char *code;
    char message_vi[200];
    char message_en[200];
    bool warning; /* true: accepted, but worth telling (an unknown place code) */
};

#define DD_PERSON_MAX_ISSUES 16

struct dd_person_check {
    struct dd_person_issue issues[DD_PERSON_MAX_ISSUES];
    int count;
    int errors; /* issues that are not warnings */
};

/* Checks a 12-digit personal ID number against the sex and year of birth (Circular
 * 07/2016/TT-BCA as amended: 3 digits of the place of birth registration, 1 digit for century and
 * sex, 2 for the year, 6 in sequence). `sex` and `birth_year` may be NULL / 0 when unknown, and
 * are then not compared. Adds issues to *out: "id-length", "id-digits", "id-century-sex",
 * "id-year", and the warning "id-place-unknown". */
void dd_idnumber_check(const char *id, const char *sex, int birth_year,
                       struct dd_person_check *out);

/* The century/sex digit for a sex and year: 0/1 for 1900–1999 male/female, 2/3 for the 2000s,
 * 4/5, 6/7, 8/9 for the centuries after. -1 when the year is outside 1900–2399. */
int dd_idnumber_century_digit(const char *sex, int year);

/* Parses a full or partial date ("1990", "1990-05", "1990-05-17"); returns the year, or -1 if it
 * is malformed or not a real date. */
int dd_partial_date_year(const char *s);

/* Checks every field of a person for a write (create or import): required fields, formats,
 * lengths, the ID number rules, date order. Unit codes are only checked for form here; the caller
 * checks that they exist. Returns the number of errors (warnings not counted). */
int dd_person_check(const struct dd_person *p, struct dd_person_check *out);

/* --- fields by name: one table for diffs, history folds and JSON --- */

#define DD_PERSON_NFIELDS 26

struct dd_person_field {
    const char *name; /* the field's name in JSON, in history and (but household_number) in SQL */
    size_t offset;    /* of its `const char *` member in struct dd_person */
};

/* Every field of struct dd_person, in declaration order. */
extern const struct dd_person_field dd_person_fields[DD_PERSON_NFIELDS];

/* The index of the field called `name`, or -1. */
int dd_person_field_index(const char *name);

/* The value of field i: never NULL ("" for an absent value). */
const char *dd_person_get(const struct dd_person *p, int i);

/* Sets field i (the string is not copied). */
void dd_person_set(struct dd_person *p, int i, const char *value);

/* Sets every NULL field to "". */
void dd_person_fill_empty(struct dd_person *p);

/* --- search keys --- */

struct dd_arena;

/* The search keys of a full name, in the arena: `name_folded` is the name folded (lower case, no
 * diacritics, đ → d) with runs of spaces collapsed, "nguyen van an"; `given_folded` puts the
 * last word (the given name) first, "an nguyen van". Every writer of `people` uses these. */
void dd_person_name_keys(struct dd_arena *a, const char *full_name, const char **name_folded,
                         const char **given_folded);

/* --- history --- */

/* Applies one history entry's `changes` (a JSON object {field: {"from": …, "to": …}}) to *p:
 * each person field named there takes its "to" value (null is ""); names that are not person
 * fields ("absence") are skipped. Strings are copied into the arena. DD_EINVAL if the text is
 * not such an object. Folding every entry of a person in version order, from a person whose
 * fields are all "", gives the person's current state. */
int dd_person_fold(struct dd_arena *a, struct dd_person *p, const char *changes_json);

#endif
