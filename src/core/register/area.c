/*
 * area.c — which people an officer may see: those linked to the officer's area.
 *
 * An officer works in a province, or in one commune of it for commune-level roles. A person is
 * linked to a place by their permanent residence, their temporary residence or their household.
 * A person outside the area is answered as not found, so that an officer cannot learn who exists
 * elsewhere. Search applies the same rule in SQL.
 */
#include "base/arena.h"
#include "core/register/api.h"
#include "http/principal.h"

#include <string.h>

static bool
at(const char *province, const char *commune, const char *want_province, const char *want_commune)
{
    if (want_province[0] == '\0' || strcmp(province, want_province) != 0)
        return false;
    return want_commune[0] == '\0' || strcmp(commune, want_commune) == 0;
}

bool
reg_area_holds(const struct dd_principal *who, const char *province, const char *commune)
{
    if (province == NULL || strcmp(province, who->province) != 0)
        return false;
    if (dd_principal_province_wide(who))
        return true;
    return commune != NULL && strcmp(commune, who->commune) == 0;
}

bool
dd_reg_area_sees(const struct dd_principal *who, const struct dd_reg_person *rp)
{
    const struct dd_person *p = &rp->p;
    return at(p->permanent_province, p->permanent_commune, who->province, who->commune) ||
           at(p->temporary_province, p->temporary_commune, who->province, who->commune) ||
           (rp->household_id > 0 &&
            at(rp->household_province, rp->household_commune, who->province, who->commune));
}

void
reg_link_sql(struct reg_sql *q, const char *province, const char *commune)
{
    if (commune == NULL || commune[0] == '\0') {
        reg_sql_add(q, "(p.permanent_province = ? OR p.temporary_province = ? OR "
                       "h.province_code = ?)");
        reg_sql_text(q, province);
        reg_sql_text(q, province);
        reg_sql_text(q, province);
        return;
    }
    reg_sql_add(q, "((p.permanent_province = ? AND p.permanent_commune = ?) OR "
                   "(p.temporary_province = ? AND p.temporary_commune = ?) OR "
                   "(h.province_code = ? AND h.commune_code = ?))");
    for (int i = 0; i < 3; i++) {
        reg_sql_text(q, province);
        reg_sql_text(q, commune);
    }
}

void
reg_area_sql(struct reg_sql *q, const struct dd_principal *who)
{
    reg_link_sql(q, who->province, who->commune);
}

const char *
dd_reg_actor(struct dd_arena *a, const struct dd_principal *who)
{
    return dd_arena_printf(a, "officer:%lld (%s %s)", (long long)who->id, who->role,
                           dd_principal_province_wide(who) ? who->province : who->commune);
}
