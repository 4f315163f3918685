/*
 * help.c — small helpers the services handlers share: store failures, the caller's name for the
 * log, a localised text, which dossiers an officer's area covers, and the caller's own dossier.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "core/services/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

int
svc_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    if (rc == DD_EDB)
        dd_log(DD_LOG_ERROR, "services.db", "request %s: %s", req->request_id, dd_db_errmsg(db));
    if (rc == DD_EBUSY || rc == DD_EUNAVAIL)
        dd_reply_header(req, "Retry-After", "1");
    return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
}

const char *
svc_actor(struct dd_req *req)
{
    if (req->who == NULL)
        return "system";
    if (req->who->kind == DD_PRINCIPAL_OFFICER)
        return dd_arena_printf(req->arena, "officer:%lld", (long long)req->who->id);
    return dd_arena_printf(req->arena, "citizen:%s", req->who->id_number);
}

const char *
svc_text(struct dd_req *req, const json_t *o)
{
    const char *s = json_string_value(json_object_get(o, req->lang == DD_LANG_EN ? "en" : "vi"));
    return s ? s : "";
}

bool
svc_officer_sees(const struct dd_req *req, const struct svc_dossier *d)
{
    const struct dd_principal *w = req->who;
    if (w == NULL || strcmp(w->province, d->province) != 0)
        return false;
    return dd_principal_province_wide(w) || strcmp(w->commune, d->commune) == 0;
}

/* The path's dossier if the caller may see it (an officer by area, a citizen their own), else
 * the 404 (or the store's error) reply and -1. */
static int
dossier_or_reply(struct dd_req *req, struct dd_db *db, struct svc_dossier *d, bool officer)
{
    int rc = svc_dossier_load(db, req->arena, dd_req_param(req, "code"), 0, d);
    if (rc == DD_OK &&
        (officer ? svc_officer_sees(req, d) : strcmp(d->applicant_id, req->who->id_number) == 0))
        return 0;
    if (rc == DD_OK || rc == DD_ENOTFOUND)
        dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND, "Không có hồ sơ này.",
                                "No such dossier.", NULL);
    else
        svc_fail(req, db, rc);
    return -1;
}

int
svc_own_dossier_or_reply(struct dd_req *req, struct dd_db *db, struct svc_dossier *d)
{
    return dossier_or_reply(req, db, d, false);
}

int
svc_officer_dossier_or_reply(struct dd_req *req, struct dd_db *db, struct svc_dossier *d)
{
    return dossier_or_reply(req, db, d, true);
}
