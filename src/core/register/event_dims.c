/*
 * event_dims.c — what a change did to the figures about people, carried in its event.
 *
 * Every event of a change to a person holds, beside its own fields, the person's figures before
 * and after the change: {"before": {…}, "after": {…}} with status, permanent province and
 * commune, year of birth, sex, ethnicity, religion, and the temporary province and commune.
 * A consumer that keeps counts (the leaders' dashboards, core/insight/) takes one person out of
 * the cells of "before" and puts one into those of "after", without reading the people table,
 * so the counts follow the order of the events whatever the table holds later. A change with no
 * event of its own that still moves a person between cells (a household moving) gets the event
 * person.changed.
 */
#include "base/arena.h"
#include "base/json.h"
#include "core/register/api.h"
#include "core/register/person.h"

#include <string.h>

static const char *
s(const char *v)
{
    return v ? v : "";
}

static json_t *
dims(const struct dd_person *p)
{
    return json_pack("{s:s, s:s, s:s, s:s#, s:s, s:s, s:s, s:s, s:s}", "status",
                     s(p->status)[0] ? s(p->status) : "alive", "province", s(p->permanent_province),
                     "commune", s(p->permanent_commune), "birth_year", s(p->birth_date),
                     strlen(s(p->birth_date)) < 4 ? strlen(s(p->birth_date)) : 4, "sex", s(p->sex),
                     "ethnicity", s(p->ethnicity), "religion", s(p->religion), "temporary_province",
                     s(p->temporary_province), "temporary_commune", s(p->temporary_commune));
}

bool
reg_dims_differ(const struct dd_person *before, const struct dd_person *after)
{
    json_t *a = dims(before), *b = dims(after);
    bool differ = !json_equal(a, b);
    json_decref(a);
    json_decref(b);
    return differ;
}

const char *
reg_payload_with_dims(struct dd_arena *arena, const char *payload, const struct dd_person *before,
                      const struct dd_person *after)
{
    json_t *v = payload ? json_loads(payload, 0, NULL) : json_object();
    if (v == NULL || !json_is_object(v)) {
        json_decref(v);
        return payload;
    }
    json_object_set_new(v, "before", before ? dims(before) : json_null());
    json_object_set_new(v, "after", after ? dims(after) : json_null());
    const char *text = dd_json_dump(arena, v);
    json_decref(v);
    return text;
}
