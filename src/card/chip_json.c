/*
 * chip_json.c — JSON shapes of DG13, the DG2 face and active authentication.
 */
#include "card/chip_json.h"

static void
text_or_null(json_t *o, const char *key, const char *v)
{
    json_object_set_new(o, key, v[0] ? json_string(v) : json_null());
}

/* The ISO date when the card wrote a whole DD/MM/YYYY, else the text as written. */
static void
date(json_t *o, const char *key, const char *as_written, const char *iso)
{
    text_or_null(o, key, iso[0] ? iso : as_written);
}

json_t *
dd_dg13_json(const struct dd_dg13 *d)
{
    json_t *o = json_object();
    text_or_null(o, "id_number", d->id_number);
    text_or_null(o, "full_name", d->full_name);
    date(o, "birth_date", d->birth_date, d->birth_iso);
    text_or_null(o, "sex", d->sex);
    text_or_null(o, "nationality", d->nationality);
    text_or_null(o, "ethnicity", d->ethnicity);
    text_or_null(o, "religion", d->religion);
    text_or_null(o, "hometown", d->hometown);
    text_or_null(o, "residence", d->residence);
    text_or_null(o, "identifying_marks", d->identifying_marks);
    date(o, "issue_date", d->issue_date, d->issue_iso);
    date(o, "expiry_date", d->expiry_date, d->expiry_iso);
    text_or_null(o, "father_name", d->father_name);
    text_or_null(o, "mother_name", d->mother_name);
    text_or_null(o, "spouse_name", d->spouse_name);
    text_or_null(o, "old_id_number", d->old_id_number);
    json_t *other = json_array();
    for (int i = 0; i < d->nother; i++)
        json_array_append_new(other, json_pack("{s:i, s:s}", "number", d->other[i].number, "value",
                                               d->other[i].value));
    json_object_set_new(o, "other", other);
    return o;
}

json_t *
dd_dg2_face_json(const struct dd_dg2_face *f)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:i}", "format", f->format, "mime", f->mime,
                     "width", (json_int_t)f->width, "height", (json_int_t)f->height, "bytes",
                     (json_int_t)f->len, "faces", f->faces);
}

json_t *
dd_aa_json(const struct dd_aa_result *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "result", json_string(dd_pa_result_name(r->result)));
    if (r->algorithm[0])
        json_object_set_new(o, "algorithm", json_string(r->algorithm));
    json_object_set_new(o, "detail", json_string(r->detail));
    return o;
}
