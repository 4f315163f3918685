/*
 * accounts.c — the demo's officer accounts: `admin` for the whole province, `canbo.tinh` of the
 * province police, and `cand.<commune>` of the police of one real commune (the province's first
 * ward), named after the commune without diacritics ("cand.bacnhatrang"). Each gets a login
 * account with a random password (core/identity), which the demo prints once; officers enrol a
 * second factor at their first login. Accounts that already exist are left as they are, so the
 * demo can be set up again over them.
 */
#include "core/demo/demo.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"
#include "core/demo/internal.h"
#include "core/identity/identity.h"
#include "core/officers.h"
#include "crypto/recovery.h"

#include <stdio.h>
#include <string.h>

/* "Phường Bắc Nha Trang" → "bacnhatrang": the name folded, without its kind, letters and
 * digits only, at most 27 bytes (so "cand." + it fits a username). */
static void
commune_slug(const char *name, char *out, size_t outlen)
{
    static const char *const kinds[] = {"Phường ", "Xã ", "Đặc khu ", "Thị trấn "};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strncmp(name, kinds[i], strlen(kinds[i])) == 0)
            name += strlen(kinds[i]);
    struct dd_arena *a = dd_arena_new(0);
    const char *folded = dd_utf8_fold(a, name);
    size_t n = 0;
    for (const char *s = folded; *s && n + 1 < outlen && n < 27; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
            out[n++] = *s;
    out[n] = '\0';
    dd_arena_free(a);
}

/* Creates the officer with a fresh password written to `password`, or leaves one that exists
 * (and empties `password`). */
static int
ensure(struct dd_db *db, const struct dd_officer_new *o, char password[16], char *err,
       size_t errlen)
{
    char code[DD_RECOVERY_CODE_SIZE];
    dd_recovery_code_new(code);
    snprintf(password, 16, "%s", code);
    int rc = dd_identity_officer_create(db, o, password, NULL, NULL, err, errlen);
    if (rc == DD_EEXIST)
        password[0] = '\0';
    return rc == DD_EEXIST ? DD_OK : rc;
}

int
dd_demo_accounts_create(struct dd_db *db, const struct dd_demo_world *w,
                        struct dd_demo_accounts *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (w->ncommunes == 0) {
        snprintf(err, errlen, "province %s has no communes", w->province);
        return DD_EINVAL;
    }
    const struct dd_demo_commune *c = &w->communes[0];
    for (size_t i = 0; i < w->ncommunes; i++) {
        if (dd_demo_commune_is_ward(&w->communes[i])) {
            c = &w->communes[i];
            break;
        }
    }
    char slug[32];
    commune_slug(c->name, slug, sizeof slug);
    snprintf(out->admin, sizeof out->admin, "admin");
    snprintf(out->province_police, sizeof out->province_police, "canbo.tinh");
    snprintf(out->commune_police, sizeof out->commune_police, "cand.%.27s",
             slug[0] ? slug : c->code);
    snprintf(out->commune_code, sizeof out->commune_code, "%s", c->code);
    snprintf(out->commune_name, sizeof out->commune_name, "%s", c->name);

    char commune_name[224], province_agency[224];
    snprintf(commune_name, sizeof commune_name, "Công an %s", c->name);
    snprintf(province_agency, sizeof province_agency, "Công an %s", w->province_name);
    const struct dd_officer_new accounts[] = {
        {.username = out->admin,
         .display_name = "Quản trị hệ thống",
         .role = "admin",
         .province = w->province,
         .agency = "Sở Khoa học và Công nghệ"},
        {.username = out->province_police,
         .display_name = "Cán bộ Công an tỉnh",
         .role = "province-police",
         .province = w->province,
         .agency = province_agency},
        {.username = out->commune_police,
         .display_name = "Cán bộ Công an xã",
         .role = "commune-police",
         .province = w->province,
         .commune = c->code,
         .agency = commune_name},
    };
    for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
        int rc = ensure(db, &accounts[i], out->passwords[i], err, errlen);
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}
