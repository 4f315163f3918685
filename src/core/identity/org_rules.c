/*
 * org_rules.c — the tables of organisations: their kinds with the licence each needs, and the
 * roles in an organisation with the scopes each grants and whom each may add or end.
 *
 * Licences: "security-order" is the certificate of meeting the security and order conditions
 * (Giấy chứng nhận đủ điều kiện về an ninh, trật tự) that accommodation, pawn, karaoke and
 * security-service businesses hold; "medical" the operating licence of a hospital or clinic;
 * "transport" the passenger transport business licence; "education" the decision founding a
 * school or allowing it to teach. A new kind is one row here (and a line in docs/IDENTITY.md).
 */
#include "core/identity/orgs.h"

#include <string.h>

static const struct dd_org_kind kinds[] = {
    {"hotel", "Khách sạn", "security-order"},
    {"guesthouse", "Nhà nghỉ", "security-order"},
    {"homestay", "Nhà ở có phòng cho khách du lịch thuê (homestay)", "security-order"},
    {"boarding-house", "Nhà trọ, phòng trọ cho thuê", "security-order"},
    {"hospital", "Bệnh viện", "medical"},
    {"clinic", "Phòng khám", "medical"},
    {"school", "Trường học", "education"},
    {"coach-operator", "Doanh nghiệp vận tải hành khách (nhà xe)", "transport"},
    {"pawnshop", "Cơ sở kinh doanh dịch vụ cầm đồ", "security-order"},
    {"security-service", "Doanh nghiệp kinh doanh dịch vụ bảo vệ", "security-order"},
    {"karaoke", "Cơ sở kinh doanh karaoke, vũ trường", "security-order"},
    {NULL, NULL, NULL},
};

struct org_role {
    const char *name;
    const char *const *scopes;
    const char *const *manages; /* the roles it may add and end */
};

static const char *const managing_scopes[] = {"establishment:read", "establishment:staff",
                                              "stay:write", NULL};
static const char *const clerk_scopes[] = {"establishment:read", "stay:write", NULL};
static const char *const owner_manages[] = {"manager", "clerk", NULL};
static const char *const manager_manages[] = {"clerk", NULL};
static const char *const nobody[] = {NULL};

static const struct org_role roles[] = {
    {"owner", managing_scopes, owner_manages},
    {"manager", managing_scopes, manager_manages},
    {"clerk", clerk_scopes, nobody},
};

const struct dd_org_kind *
dd_org_kinds(void)
{
    return kinds;
}

const struct dd_org_kind *
dd_org_kind(const char *name)
{
    for (const struct dd_org_kind *k = kinds; name && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static const struct org_role *
find_role(const char *name)
{
    for (size_t i = 0; name && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, name) == 0)
            return &roles[i];
    return NULL;
}

static bool
listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (strcmp(*names, name) == 0)
            return true;
    return false;
}

const char *const *
dd_org_roles(void)
{
    static const char *names[sizeof roles / sizeof roles[0] + 1];
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        names[i] = roles[i].name;
    return names;
}

const char *const *
dd_org_role_scopes(const char *role)
{
    const struct org_role *r = find_role(role);
    return r ? r->scopes : NULL;
}

bool
dd_org_role_grants(const char *role, const char *scope)
{
    const struct org_role *r = find_role(role);
    return r != NULL && (scope == NULL || listed(r->scopes, scope));
}

bool
dd_org_role_manages(const char *actor, const char *target)
{
    const struct org_role *r = find_role(actor);
    return r != NULL && target != NULL && listed(r->manages, target);
}
