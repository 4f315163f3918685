/*
 * guest.c — the register fills in a citizen guest: the desk gives the ID number (typed, from the
 * QR or from the chip) and the notification carries the register's name, date of birth and sex,
 * with the province of permanent residence as the guest's province of origin for the tourism
 * figures. A number the register does not hold (a guest from another province, a typing slip the
 * police will see) is accepted as typed and marked unverified: the desk never turns a guest away.
 */
#include "base/err.h"
#include "core/register/register.h"
#include "core/stays/internal.h"
#include "http/req.h"

#include <string.h>

int
stay_guest_fill(struct dd_req *req, struct dd_db *db, struct stay *s, bool *found)
{
    *found = false;
    s->verified = false;
    if (s->foreign || !dd_reg_id_number_shape(s->id_number))
        return DD_OK;
    struct dd_reg_person_brief p;
    int rc = dd_reg_person_brief(db, req->arena, s->id_number, &p);
    if (rc == DD_ENOTFOUND)
        return DD_OK;
    if (rc != DD_OK)
        return rc;
    *found = true;
    s->verified = true;
    s->full_name = p.full_name;
    s->birth_date = p.birth_date;
    s->sex = p.sex;
    s->origin_province = p.permanent_province;
    return DD_OK;
}
