/*
 * json.c — the consent module's records as JSON: a consent with its state, a correction request,
 * and a row of the access log as the person sees it.
 */
#include "core/consent/access_view.h"
#include "core/consent/api.h"
#include "core/consent/consent.h"
#include "core/consent/corrections.h"

#include <stdio.h>
#include <string.h>

/* A string, or null for "". */
static json_t *
str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *
cs_consent_json(const struct dd_consent *c, int64_t now_ms)
{
    json_t *items = json_loads(c->items_json, 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "id",
                     (json_int_t)c->id, "service", c->service, "service_name", c->service_name,
                     "items", items ? items : json_array(), "purpose", c->purpose, "valid_from",
                     c->valid_from, "valid_until", c->valid_until, "granted_at", c->granted_at,
                     "state", dd_consent_state(c, now_ms), "withdrawn_at",
                     str_or_null(c->withdrawn_at), "withdrawal_reason",
                     str_or_null(c->withdrawal_reason));
}

json_t *
cs_correction_json(const struct dd_correction *c)
{
    json_t *decision = json_null();
    if (strcmp(c->status, "open") != 0)
        decision = json_pack("{s:s, s:s, s:s, s:s}", "at", c->decided_at, "officer", c->officer,
                             "officer_name", c->officer_name, "note", c->decision_note);
    char dossier[48];
    snprintf(dossier, sizeof dossier, "correction-request:%lld", (long long)c->id);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:s}", "id",
                     (json_int_t)c->id, "id_number", c->id_number, "field", c->field,
                     "current_value", c->current_value, "proposed_value", c->proposed_value,
                     "reason", c->reason, "evidence_ref", str_or_null(c->evidence_ref), "province",
                     c->province, "commune", c->commune, "status", c->status, "created_at",
                     c->created_at, "decision", decision, "dossier", dossier);
}

json_t *
cs_access_json(const struct dd_access_entry *e)
{
    const char *kind = dd_access_reader_kind(e->actor);
    bool named = strcmp(kind, "establishment") == 0 || strcmp(kind, "client") == 0;
    json_t *reader =
        json_pack("{s:s, s:o, s:o, s:o}", "kind", kind, "agency", str_or_null(e->agency), "role",
                  str_or_null(e->role), "name", named ? str_or_null(e->actor_name) : json_null());
    return json_pack("{s:s, s:o, s:s, s:s, s:o, s:s}", "at", e->at, "reader", reader, "action",
                     e->action, "data", e->data, "purpose", str_or_null(e->purpose), "request_id",
                     e->request_id);
}
