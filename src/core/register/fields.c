/*
 * fields.c — a person's fields by name, the search keys of a name, and the fold of history
 * entries back into a person.
 *
 * One table names every field of struct dd_person, so that diffs (what a change changed),
 * folds (the state that the history gives) and JSON output walk the same list and cannot drift
 * apart as fields are added.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "base/utf8.h"
#include "core/register/person.h"

#include <string.h>

#define FIELD(name)                                                                                \
    {                                                                                              \
#name, offsetof(struct dd_person, name)                                                    \
    }

const struct dd_person_field dd_person_fields[DD_PERSON_NFIELDS] = {
    FIELD(id_number),
    FIELD(full_name),
    FIELD(other_names),
    FIELD(birth_date),
    FIELD(sex),
    FIELD(ethnicity),
    FIELD(religion),
    FIELD(nationality),
    FIELD(birth_place),
    FIELD(hometown),
    FIELD(old_id_number),
    FIELD(photo_ref),
    FIELD(status),
    FIELD(death_date),
    FIELD(father_id),
    FIELD(mother_id),
    FIELD(spouse_id),
    FIELD(household_number),
    FIELD(relation_to_head),
    FIELD(permanent_province),
    FIELD(permanent_commune),
    FIELD(permanent_address),
    FIELD(temporary_province),
    FIELD(temporary_commune),
    FIELD(temporary_address),
    FIELD(temporary_until),
};

_Static_assert(sizeof(struct dd_person) == DD_PERSON_NFIELDS * sizeof(const char *),
               "every member of struct dd_person is in dd_person_fields");

int
dd_person_field_index(const char *name)
{
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        if (strcmp(dd_person_fields[i].name, name) == 0)
            return i;
    return -1;
}

static const char **
slot(struct dd_person *p, int i)
{
    return (const char **)((char *)p + dd_person_fields[i].offset);
}

const char *
dd_person_get(const struct dd_person *p, int i)
{
    const char *v = *(const char *const *)((const char *)p + dd_person_fields[i].offset);
    return v ? v : "";
}

void
dd_person_set(struct dd_person *p, int i, const char *value)
{
    *slot(p, i) = value;
}

void
dd_person_fill_empty(struct dd_person *p)
{
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        if (*slot(p, i) == NULL)
            *slot(p, i) = "";
}

/* Copies `s` with runs of spaces collapsed to one and none at either end. */
static char *
collapse_spaces(struct dd_arena *a, const char *s)
{
    char *out = dd_arena_alloc(a, strlen(s) + 1);
    size_t n = 0;
    for (; *s; s++) {
        bool space = *s == ' ' || *s == '\t';
        if (space && (n == 0 || out[n - 1] == ' '))
            continue;
        out[n++] = space ? ' ' : *s;
    }
    if (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return out;
}

void
dd_person_name_keys(struct dd_arena *a, const char *full_name, const char **name_folded,
                    const char **given_folded)
{
    char *folded = collapse_spaces(a, dd_utf8_fold(a, full_name ? full_name : ""));
    *name_folded = folded;
    const char *last = strrchr(folded, ' ');
    if (last == NULL) {
        *given_folded = folded;
        return;
    }
    *given_folded = dd_arena_printf(a, "%s %.*s", last + 1, (int)(last - folded), folded);
}

int
dd_person_fold(struct dd_arena *a, struct dd_person *p, const char *changes_json)
{
    struct dd_json_error jerr;
    json_t *changes = dd_json_parse(a, changes_json, strlen(changes_json), NULL, &jerr);
    if (!json_is_object(changes))
        return DD_EINVAL;
    const char *name;
    json_t *change;
    json_object_foreach(changes, name, change)
    {
        int i = dd_person_field_index(name);
        if (i < 0)
            continue;
        json_t *to = json_object_get(change, "to");
        if (!json_is_object(change) || (!json_is_string(to) && !json_is_null(to)))
            return DD_EINVAL;
        dd_person_set(p, i, json_is_string(to) ? dd_arena_strdup(a, json_string_value(to)) : "");
    }
    return DD_OK;
}
