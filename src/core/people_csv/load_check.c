/*
 * load_check.c — the checks of a people load that look beyond one row: ID numbers given twice
 * or already in the register, communes in force, households (one place, one head, open), and
 * links to people who must exist somewhere; plus the row's own checks (dd_person_check).
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/people_csv/load_impl.h"
#include "core/register/person.h"

#include <stdio.h>
#include <string.h>

/* --- checking a row --- */

static bool
is_head(const char *relation)
{
    return strcmp(relation, "Chủ hộ") == 0 || strcmp(relation, "chủ hộ") == 0 ||
           strcmp(relation, "CHỦ HỘ") == 0;
}

static void
check_id(struct dd_people_load *l, const struct dd_person *p, long line,
         struct dd_person_check *chk)
{
    uint64_t key = dd_idset_key(p->id_number);
    if (key == 0)
        return; /* dd_person_check said why */
    long first = dd_idset_add(&l->ids, key, line);
    if (first == DD_IDSET_REGISTER) {
        dd_pl_add_issue(chk, "id_number", "id-exists", false,
                        "Số định danh này đã có trong sổ dân cư.",
                        "This ID number is already in the register.");
    } else if (first > 0) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Số định danh này đã có ở dòng %ld.", first);
        snprintf(en, sizeof en, "This ID number is already on line %ld.", first);
        dd_pl_add_issue(chk, "id_number", "id-duplicate", false, vi, en);
    }
}

/* Links to people not seen yet are kept, to be looked for again at the end. */
static void
note_links(struct dd_people_load *l, const struct dd_person *p, long line)
{
    static const int fields[] = {DD_PL_FIELD(father_id), DD_PL_FIELD(mother_id),
                                 DD_PL_FIELD(spouse_id)};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        uint64_t key = dd_idset_key(dd_person_get(p, fields[i]));
        if (key == 0 || dd_idset_has(&l->ids, key))
            continue;
        if (l->nlinks == l->links_cap) {
            l->links_cap = l->links_cap ? l->links_cap * 2 : 4096;
            l->links = dd_xrealloc(l->links, l->links_cap * sizeof *l->links);
        }
        l->links[l->nlinks++] = (struct dd_pl_link){key, (int32_t)line, (uint8_t)fields[i]};
    }
}

/* Both residences must be in communes in force; malformed codes are dd_person_check's. */
static void
check_places(struct dd_people_load *l, const struct dd_person *p, struct dd_person_check *chk)
{
    const struct {
        const char *field, *province, *commune;
    } places[] = {{"permanent_commune", p->permanent_province, p->permanent_commune},
                  {"temporary_commune", p->temporary_province, p->temporary_commune}};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        if (dd_pl_commune_known(l, places[i].province, places[i].commune) != 0)
            continue; /* absent or malformed (dd_person_check tells), or in force */
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Tỉnh %s không có xã/phường mã %s đang có hiệu lực.",
                 places[i].province, places[i].commune);
        snprintf(en, sizeof en, "Province %s has no commune %s in force today.", places[i].province,
                 places[i].commune);
        dd_pl_add_issue(chk, places[i].field, "commune-unknown", false, vi, en);
    }
}

/* The household a row belongs to (its id; 0 for none), created at its first member. */
static int64_t
check_household(struct dd_people_load *l, const struct dd_person *p, long line,
                struct dd_person_check *chk)
{
    if (p->household_number[0] == '\0')
        return 0;
    if (p->permanent_commune[0] == '\0') {
        dd_pl_add_issue(
            chk, "household_number", "household-place-missing", false,
            "Thành viên của hộ cần có nơi thường trú (mã tỉnh và mã xã).",
            "A member of a household needs a permanent residence (province and commune).");
        return 0;
    }
    struct dd_pl_household *h = dd_pl_households_find(&l->households, p->household_number);
    if (h == NULL) {
        h = dd_pl_households_add(&l->households, p->household_number);
        h->id = ++l->next_household_id;
        dd_strlcpy(h->province, p->permanent_province, sizeof h->province);
        dd_strlcpy(h->commune, p->permanent_commune, sizeof h->commune);
        h->address = dd_pl_households_strdup(&l->households, p->permanent_address);
        h->first_line = line;
    } else if (h->closed) {
        dd_pl_add_issue(chk, "household_number", "household-closed", false,
                        "Hộ này đã đóng trong sổ dân cư.",
                        "This household is closed in the register.");
        return 0;
    } else if (strcmp(h->province, p->permanent_province) != 0 ||
               strcmp(h->commune, p->permanent_commune) != 0) {
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Hộ này thường trú tại xã %s (tỉnh %s); thành viên phải cùng nơi.",
                 h->commune, h->province);
        snprintf(en, sizeof en,
                 "This household lives in commune %s (province %s); its members must too.",
                 h->commune, h->province);
        dd_pl_add_issue(chk, "permanent_commune", "household-place-mismatch", false, vi, en);
        return 0;
    }
    if (is_head(p->relation_to_head)) {
        if (h->head[0] != '\0') {
            dd_pl_add_issue(chk, "relation_to_head", "household-head-twice", false,
                            "Hộ này đã có chủ hộ.", "This household already has a head.");
            return 0;
        }
        dd_strlcpy(h->head, p->id_number, sizeof h->head);
        if (h->in_register)
            h->head_added = true;
        else
            h->address = dd_pl_households_strdup(&l->households, p->permanent_address);
    }
    return h->id;
}

void
dd_pl_check_links(struct dd_people_load *l)
{
    for (size_t i = 0; i < l->nlinks; i++) {
        const struct dd_pl_link *k = &l->links[i];
        if (dd_idset_has(&l->ids, k->key))
            continue;
        dd_pl_report_one(l, k->line, "", dd_person_fields[k->field].name, "link-unknown", true,
                         "Không có người mang số định danh này trong sổ dân cư hay trong tệp.",
                         "Nobody with this ID number is in the register or among the rows.");
    }
}

void
dd_pl_check_heads(struct dd_people_load *l)
{
    for (size_t i = 0; i < l->households.count; i++) {
        const struct dd_pl_household *h = &l->households.items[i];
        if (h->in_register || h->head[0] != '\0')
            continue;
        dd_pl_report_one(l, h->first_line, "", "household_number", "household-no-head", true,
                         "Hộ này chưa có chủ hộ (quan hệ \"Chủ hộ\").",
                         "This household has no head (relation \"Chủ hộ\").");
    }
}

int64_t
dd_pl_check_row(struct dd_people_load *l, const struct dd_person *p, long line,
                struct dd_person_check *chk)
{
    dd_person_check(p, chk);
    check_id(l, p, line, chk);
    check_places(l, p, chk);
    int64_t household_id = chk->errors == 0 ? check_household(l, p, line, chk) : 0;
    note_links(l, p, line);
    return household_id;
}
