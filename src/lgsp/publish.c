/*
 * publish.c — the register published through the gateway in one step
 * (`dinhdanh lgsp publish-register`).
 *
 * Makes, when missing, the member of the police's population register, its subsystem `register`
 * and an officer account for the gateway (role province-police: register:read in the province),
 * then writes three services whose upstream is the register's own API, called with a fresh token
 * of that account: `person` (GET /api/v1/people/{id}), `household` (GET /api/v1/households/{n})
 * and `residence` (the same person read, for checking a declared residence). Running it again
 * changes nothing but the services' upstream and token (a new token replaces the old one, which
 * ends at its own time): it is idempotent. One transaction with the `lgsp.changed` event, so that
 * a running gateway reloads its catalogue.
 */
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/officers.h"
#include "lgsp/internal.h"
#include "lgsp/lgsp.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define TOKEN_TTL_S (366L * 86400 - 1) /* the longest an officer's token may run */

struct published {
    const char *code;
    const char *path; /* under the register's base URL */
    const char *name;
    const char *data;
    const char *person_field;
};

static const struct published services[] = {
    {"person", "/api/v1/people", "Tra cứu công dân",
     "Số định danh, họ tên, ngày sinh, giới tính, quê quán, nơi thường trú, hộ, thời hạn cư trú",
     "id_number"},
    {"household", "/api/v1/households", "Tra cứu hộ gia đình",
     "Số hộ, chủ hộ, thành viên và quan hệ với chủ hộ, địa chỉ hộ", "id_number"},
    {"residence", "/api/v1/people", "Xác minh nơi cư trú",
     "Nơi thường trú, tạm trú và các thời hạn cư trú đang còn của công dân", "id_number"},
};

static int
exec(struct dd_db *db, const char *sql, const char *const *args)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    for (int i = 0; args[i]; i++)
        dd_stmt_bind_text(st, i + 1, args[i]);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* The gateway's officer account, made when missing. */
static int
officer_or_make(struct dd_db *db, const struct dd_lgsp_publish *o, char *err, size_t errlen)
{
    struct dd_officer_new n = {
        .username = o->officer,
        .display_name = "Cổng LGSP (tài khoản gọi dịch vụ dân cư)",
        .role = "province-police",
        .province = o->province,
        .agency = o->member,
    };
    int64_t id;
    int rc = dd_officer_create(db, &n, &id, err, errlen);
    return rc == DD_EEXIST ? DD_OK : rc;
}

int
dd_lgsp_publish_register(struct dd_db *db, const struct dd_lgsp_publish *o, char *err,
                         size_t errlen)
{
    err[0] = '\0';
    if (!lgsp_member_code_valid(o->member)) {
        snprintf(err, errlen, "%s is no member code (1–32 of A-Z 0-9 -)", o->member);
        return DD_EINVAL;
    }
    if (!dd_str_has_prefix(o->base_url, "http://") && !dd_str_has_prefix(o->base_url, "https://")) {
        snprintf(err, errlen, "the register's URL must begin with http:// or https://");
        return DD_EINVAL;
    }
    int rc = officer_or_make(db, o, err, errlen);
    if (rc != DD_OK)
        return rc;
    char token[DD_TOKEN_LEN + 1];
    rc = dd_officer_token_issue(db, o->officer, TOKEN_TTL_S, token, err, errlen);
    if (rc != DD_OK)
        return rc;
    char at[32], sub[LGSP_ID_MAX], auth[DD_TOKEN_LEN + 8], base[LGSP_URL_MAX];
    dd_clock_iso8601(dd_clock_now_ms(), at);
    snprintf(sub, sizeof sub, "VN/GOV/%s/register", o->member);
    snprintf(auth, sizeof auth, "Bearer %s", token);
    dd_strlcpy(base, o->base_url, sizeof base);
    size_t bl = strlen(base);
    if (bl > 0 && base[bl - 1] == '/')
        base[bl - 1] = '\0';
    const char *who = "cli:lgsp publish-register";
    rc = dd_db_begin(db);
    if (rc != DD_OK)
        return rc;
    rc = exec(db,
              "INSERT INTO lgsp_members (code, name, created_by, created_at) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (code) DO NOTHING",
              (const char *const[]){o->member, o->member_name, who, at, NULL});
    if (rc == DD_OK)
        rc = exec(db,
                  "INSERT INTO lgsp_subsystems (id, member_code, code, client_id, created_by, "
                  "created_at) VALUES (?, ?, 'register', '', ?, ?) ON CONFLICT (id) DO NOTHING",
                  (const char *const[]){sub, o->member, who, at, NULL});
    for (size_t i = 0; rc == DD_OK && i < sizeof services / sizeof services[0]; i++) {
        const struct published *p = &services[i];
        char id[LGSP_SERVICE_MAX], url[LGSP_URL_MAX];
        snprintf(id, sizeof id, "%s/%s", sub, p->code);
        snprintf(url, sizeof url, "%s%s", base, p->path);
        rc = exec(db,
                  "INSERT INTO lgsp_services (id, subsystem_id, code, name, upstream_url, "
                  "upstream_auth, data_returned, legal_basis, person_field, created_by, "
                  "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
                  "UPDATE SET upstream_url = excluded.upstream_url, upstream_auth = "
                  "excluded.upstream_auth",
                  (const char *const[]){id, sub, p->code, p->name, url, auth, p->data,
                                        "Luật Cư trú 2020; Luật Căn cước 2023; Nghị định "
                                        "47/2020/NĐ-CP",
                                        p->person_field, who, at, NULL});
    }
    if (rc == DD_OK)
        rc = dd_event_emit(db, LGSP_EVENT_CHANGED, NULL, "{}");
    if (rc == DD_OK)
        return dd_db_commit(db);
    dd_db_rollback(db);
    if (err[0] == '\0')
        snprintf(err, errlen, "%s", dd_db_errmsg(db));
    return rc;
}
