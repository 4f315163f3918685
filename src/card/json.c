/*
 * json.c — the JSON shapes of MRZ, QR and passive-authentication results.
 */
#include "card/json.h"

#include <string.h>
#include <time.h>

static void
put_str(json_t *o, const char *key, const char *value)
{
    json_object_set_new(o, key, json_string(value));
}

static json_t *
char_or_null(char c)
{
    char s[2] = {c, 0};
    return c ? json_string(s) : json_null();
}

json_t *
dd_card_mrz_json(const struct dd_mrz *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "valid", json_boolean(m->valid));
    if (!m->valid)
        put_str(o, "error", m->error);
    if (m->format == DD_MRZ_UNKNOWN)
        return o;
    put_str(o, "format", m->format == DD_MRZ_TD1 ? "TD1" : "TD3");
    put_str(o, "document_code", m->document_code);
    put_str(o, "issuing_state", m->issuing_state);
    put_str(o, "document_number", m->document_number);
    put_str(o, "surname", m->surname);
    put_str(o, "given_names", m->given_names);
    put_str(o, "nationality", m->nationality);
    put_str(o, "birth_date", m->birth_date);
    json_object_set_new(o, "birth_date_iso",
                        m->birth_iso[0] ? json_string(m->birth_iso) : json_null());
    json_object_set_new(o, "sex", char_or_null(m->sex));
    put_str(o, "expiry_date", m->expiry_date);
    json_object_set_new(o, "expiry_date_iso",
                        m->expiry_iso[0] ? json_string(m->expiry_iso) : json_null());
    put_str(o, m->format == DD_MRZ_TD1 ? "optional_data_1" : "personal_number", m->optional1);
    if (m->format == DD_MRZ_TD1)
        put_str(o, "optional_data_2", m->optional2);
    json_object_set_new(o, "vietnamese", json_boolean(m->vietnamese));
    if (m->id_number[0])
        put_str(o, "id_number", m->id_number);
    json_t *checks = json_array();
    for (int i = 0; i < m->nchecks; i++) {
        const struct dd_mrz_check *c = &m->checks[i];
        json_t *j = json_object();
        put_str(j, "field", c->field);
        json_object_set_new(j, "ok", json_boolean(c->ok));
        if (c->expected) {
            json_object_set_new(j, "found", char_or_null(c->found));
            json_object_set_new(j, "expected", char_or_null(c->expected));
        }
        if (c->reason[0])
            put_str(j, "reason", c->reason);
        json_array_append_new(checks, j);
    }
    json_object_set_new(o, "checks", checks);
    return o;
}

json_t *
dd_card_qr_json(const struct dd_card_qr *q)
{
    json_t *o = json_object();
    json_object_set_new(o, "valid", json_boolean(q->valid));
    if (!q->valid) {
        put_str(o, "field", q->field ? q->field : "qr");
        put_str(o, "error", q->error);
        return o;
    }
    put_str(o, "id_number", q->id_number);
    json_object_set_new(o, "old_id_number",
                        q->old_id_number[0] ? json_string(q->old_id_number) : json_null());
    put_str(o, "full_name", q->full_name);
    put_str(o, "birth_date", q->birth_date);
    put_str(o, "sex", q->sex);
    put_str(o, "address", q->address);
    put_str(o, "issue_date", q->issue_date);
    return o;
}

static json_t *
hex(const unsigned char *p, size_t n)
{
    char buf[2 * DD_PA_MAX_HASH + 1];
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = digits[p[i] >> 4];
        buf[2 * i + 1] = digits[p[i] & 15];
    }
    buf[2 * n] = '\0';
    return json_string(buf);
}

static json_t *
check_json(const struct dd_pa_check *c)
{
    json_t *o = json_object();
    put_str(o, "result", dd_pa_result_name(c->result));
    put_str(o, "detail", c->detail);
    return o;
}

static json_t *
cert_json(const struct dd_pa_cert_info *c)
{
    if (!c->present)
        return json_null();
    json_t *o = json_object();
    put_str(o, "subject", c->subject);
    put_str(o, "issuer", c->issuer);
    put_str(o, "serial", c->serial);
    put_str(o, "not_before", c->not_before);
    put_str(o, "not_after", c->not_after);
    return o;
}

json_t *
dd_pa_report_json(const struct dd_pa_report *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(r->ok));
    char when[24];
    struct tm tm;
    gmtime_r(&r->checked_at, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    put_str(o, "checked_at", when);
    json_t *checks = json_object();
    json_object_set_new(checks, "sod", check_json(&r->sod));
    json_object_set_new(checks, "hashes", check_json(&r->hashes));
    json_object_set_new(checks, "signature", check_json(&r->signature));
    json_object_set_new(checks, "chain", check_json(&r->chain));
    json_object_set_new(checks, "dates", check_json(&r->dates));
    json_object_set_new(o, "checks", checks);
    put_str(o, "hash_algorithm", r->hash_algorithm);
    put_str(o, "signature_algorithm", r->signature_algorithm);
    json_t *dgs = json_array();
    for (int i = 0; i < r->ndgs; i++) {
        const struct dd_pa_dg_result *d = &r->dgs[i];
        json_t *j = json_object();
        json_object_set_new(j, "dg", json_integer(d->number));
        put_str(j, "status", dd_pa_dg_status_name(d->status));
        if (d->hash_len)
            json_object_set_new(j, "expected", hex(d->expected, d->hash_len));
        if (d->status == DD_PA_DG_MATCH || d->status == DD_PA_DG_MISMATCH)
            json_object_set_new(j, "actual", hex(d->actual, d->hash_len));
        json_array_append_new(dgs, j);
    }
    json_object_set_new(o, "data_groups", dgs);
    json_object_set_new(o, "document_signer", cert_json(&r->ds));
    json_object_set_new(o, "csca", cert_json(&r->csca));
    json_object_set_new(o, "crl_checked", json_boolean(r->crl_checked));
    return o;
}
