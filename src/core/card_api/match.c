/*
 * match.c — a card's holder against the population register: the record with the card's ID
 * number, if the caller's area holds it (core/register/area.c: residence or household there),
 * and for each field the card carries whether the record agrees.
 *
 * Names are compared as the register searches them (lower case, no diacritics, đ → d, single
 * spaces), so that the MRZ's "NGUYEN VAN AN" matches "Nguyễn Văn An"; dates of birth, sex and
 * the old ID number exactly. The address on the QR code is shown beside the record's permanent
 * address without a verdict: it is the address when the card was issued, and written freely.
 * A person outside the area is answered as no match, as the register answers not found.
 */
#include "base/arena.h"
#include "base/err.h"
#include "core/card_api/internal.h"
#include "core/register/register.h"
#include "http/req.h"

#include <string.h>

/* Adds {"result", "card", "register"} as member `name` (an empty value is left out); returns
 * false only for a mismatch. */
static bool
field(json_t *fields, const char *name, const char *card, const char *reg, bool same)
{
    const char *result = card[0] == '\0' ? "not_on_card" : same ? "match" : "mismatch";
    json_object_set_new(fields, name,
                        json_pack("{s:s, s:s*, s:s*}", "result", result, "card",
                                  card[0] ? card : NULL, "register", reg[0] ? reg : NULL));
    return card[0] == '\0' || same;
}

static const char *
folded(struct dd_req *req, const char *name)
{
    const char *f, *given;
    dd_person_name_keys(req->arena, name, &f, &given);
    return f;
}

static json_t *
person_json(const struct dd_person *p)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s*, s:s, s:s*, s:s*, s:s*}", "id_number", p->id_number,
                     "full_name", p->full_name, "birth_date", p->birth_date, "sex", p->sex,
                     "old_id_number", p->old_id_number[0] ? p->old_id_number : NULL, "status",
                     p->status, "permanent_province",
                     p->permanent_province[0] ? p->permanent_province : NULL, "permanent_commune",
                     p->permanent_commune[0] ? p->permanent_commune : NULL, "permanent_address",
                     p->permanent_address[0] ? p->permanent_address : NULL);
}

static json_t *
compare(struct dd_req *req, const struct card_claim *c, const struct dd_person *p)
{
    json_t *fields = json_object();
    bool all = true;
    all &= field(fields, "full_name", c->full_name, p->full_name,
                 strcmp(folded(req, c->full_name), folded(req, p->full_name)) == 0);
    all &= field(fields, "birth_date", c->birth_date, p->birth_date,
                 strcmp(c->birth_date, p->birth_date) == 0);
    all &= field(fields, "sex", c->sex, p->sex, strcmp(c->sex, p->sex) == 0);
    all &= field(fields, "old_id_number", c->old_id_number, p->old_id_number,
                 strcmp(c->old_id_number, p->old_id_number) == 0);
    if (c->address[0])
        json_object_set_new(fields, "address",
                            json_pack("{s:s, s:s, s:s*}", "result", "informational", "card",
                                      c->address, "register",
                                      p->permanent_address[0] ? p->permanent_address : NULL));
    return json_pack("{s:b, s:o, s:o, s:b}", "found", 1, "person", person_json(p), "fields", fields,
                     "all_match", all);
}

int
card_register_match(struct dd_req *req, struct dd_db *db, const struct card_claim *c,
                    const char *purpose, json_t **out)
{
    *out = NULL;
    if (!dd_reg_id_number_shape(c->id_number)) {
        *out = json_pack("{s:b}", "found", 0);
        return DD_OK;
    }
    struct dd_reg_person rp;
    int rc = dd_reg_person_load(db, req->arena, c->id_number, &rp);
    if (rc == DD_OK && !dd_reg_area_sees(req->who, &rp))
        rc = DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND) {
        *out = json_pack("{s:b}", "found", 0);
        return DD_OK;
    }
    if (rc != DD_OK)
        return rc;
    const char *ids[] = {rp.p.id_number};
    rc = dd_reg_access_reads(db, req, ids, 1, "read", "card", purpose);
    if (rc != DD_OK)
        return rc;
    *out = compare(req, c, &rp.p);
    return DD_OK;
}
