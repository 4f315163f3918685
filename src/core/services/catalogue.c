/*
 * catalogue.c — the procedure catalogue: every JSON file of data/procedures/, built into the
 * binary, checked and read once into memory, sorted by code. A procedure is data: adding a file
 * adds a procedure, with no change here unless it brings a new kind of register effect.
 *
 * The check refuses what the engine cannot honour: a code not in the national format d.dddddd,
 * a paperless procedure that asks for a document (model 3: every datum comes from the register,
 * the wallet or a connected agency), a form field of an unknown type or prefilled from an
 * unknown source (register.<field> or wallet:<vct>#<claim>), a workflow step without a role, an
 * unknown effect, a bundle whose parts are not procedures of the catalogue.
 */
#include "base/embedded.h"
#include "base/err.h"
#include "base/log.h"
#include "core/services/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROCEDURES 200

static struct svc_procedure procedures[MAX_PROCEDURES];
static size_t nprocedures;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *const field_types[] = {"text",      "date",    "province", "commune",
                                          "id_number", "integer", "choice",   NULL};
static const char *const register_fields[] = {
    "full_name",        "birth_date", "sex",           "ethnicity",         "nationality",
    "birth_place",      "hometown",   "old_id_number", "permanent_address", "permanent_commune",
    "household_number", NULL};
static const char *const effects[] = {
    "residence.permanent", "residence.temporary", "absence", "death", "birth", NULL};

static bool
one_of(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static bool
code_ok(const char *s)
{
    if (s == NULL || strlen(s) != 8 || s[1] != '.')
        return false;
    for (int i = 0; i < 8; i++)
        if (i != 1 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

static const char *
str_of(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

static bool
text_ok(const json_t *o)
{
    return json_is_string(json_object_get(o, "vi")) && json_is_string(json_object_get(o, "en"));
}

/* "register.<field>" or "wallet:<vct>#<claim>". */
static bool
prefill_ok(const char *s)
{
    if (strncmp(s, "register.", 9) == 0)
        return one_of(s + 9, register_fields);
    const char *hash = strchr(s, '#');
    return strncmp(s, "wallet:", 7) == 0 && hash && hash > s + 7 && hash[1] != '\0';
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        return DD_EINVAL;                                                                          \
    } while (0)

static int
read_fields(const json_t *form, struct svc_procedure *p, char *err, size_t errlen)
{
    if (!json_is_array(form) || json_array_size(form) > SVC_MAX_FIELDS)
        FAIL("form is an array of at most %d fields", SVC_MAX_FIELDS);
    size_t i;
    const json_t *f;
    json_array_foreach(form, i, f)
    {
        struct svc_field *x = &p->fields[p->nfields++];
        x->name = str_of(f, "name");
        x->type = str_of(f, "type");
        x->prefill = str_of(f, "prefill");
        x->required = json_is_true(json_object_get(f, "required"));
        json_int_t max = json_integer_value(json_object_get(f, "max"));
        x->max = max > 0 && max <= 2000 ? (size_t)max : 200;
        x->choices = json_object_get(f, "choices");
        if (x->name == NULL || !one_of(x->type, field_types) ||
            !text_ok(json_object_get(f, "label")))
            FAIL("field %zu needs a name, a known type and a label {vi, en}", i);
        if (x->prefill && !prefill_ok(x->prefill))
            FAIL("field %s: unknown prefill source %s", x->name, x->prefill);
        if (strcmp(x->type, "choice") == 0 && !json_is_array(x->choices))
            FAIL("field %s: a choice needs choices", x->name);
        for (int k = 0; k < p->nfields - 1; k++)
            if (strcmp(p->fields[k].name, x->name) == 0)
                FAIL("field %s twice", x->name);
    }
    return DD_OK;
}

static int
read_steps(const json_t *wf, struct svc_procedure *p, char *err, size_t errlen)
{
    if (!json_is_array(wf) || json_array_size(wf) > SVC_MAX_STEPS)
        FAIL("workflow is an array of at most %d steps", SVC_MAX_STEPS);
    size_t i;
    const json_t *s;
    json_array_foreach(wf, i, s)
    {
        struct svc_step *x = &p->steps[p->nsteps++];
        x->step = str_of(s, "step");
        x->role = str_of(s, "role");
        x->area = str_of(s, "area");
        if (x->step == NULL || x->role == NULL || x->area == NULL)
            FAIL("workflow step %zu needs step, role and area", i);
    }
    return DD_OK;
}

int
svc_procedure_read(const json_t *def, struct svc_procedure *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->json = def;
    p->code = str_of(def, "code");
    if (!code_ok(p->code))
        FAIL("code must be d.dddddd");
    if (!text_ok(json_object_get(def, "name")) || !text_ok(json_object_get(def, "agency")))
        FAIL("%s: name and agency are {vi, en}", p->code);
    p->identity_level = (int)json_integer_value(json_object_get(def, "identity_level"));
    p->fee = json_integer_value(json_object_get(def, "fee"));
    p->discount = (int)json_integer_value(json_object_get(def, "online_discount_percent"));
    const json_t *online = json_object_get(def, "online_fee");
    p->online_fee = json_is_integer(online) ? json_integer_value(online) : -1;
    if (online && (!json_is_integer(online) || p->online_fee < 0 || p->online_fee > p->fee))
        FAIL("%s: online_fee is an amount from 0 to the fee", p->code);
    p->days = (int)json_integer_value(json_object_get(def, "processing_days"));
    p->paperless = json_is_true(json_object_get(def, "paperless"));
    p->pay_before = str_of(def, "pay_before");
    p->effect = str_of(json_object_get(def, "effect"), "kind");
    if (p->identity_level < 1 || p->identity_level > 2 || p->fee < 0 || p->discount < 0 ||
        p->discount > 100 || p->days < 0 || p->days > 120)
        FAIL("%s: identity_level 1-2, fee >= 0, discount 0-100, days 0-120", p->code);
    if (p->pay_before && strcmp(p->pay_before, "submission") != 0)
        FAIL("%s: pay_before is \"submission\" or absent", p->code);
    if (p->effect && !one_of(p->effect, effects))
        FAIL("%s: unknown effect %s", p->code, p->effect);
    const json_t *docs = json_object_get(def, "documents");
    if (!json_is_array(docs) || json_array_size(docs) > SVC_MAX_DOCS)
        FAIL("%s: documents is an array", p->code);
    if (p->paperless && json_array_size(docs) > 0)
        FAIL("%s: a paperless procedure asks for no document", p->code);
    size_t i;
    const json_t *d;
    json_array_foreach(docs, i, d)
    {
        p->docs[p->ndocs] = str_of(d, "kind");
        if (p->docs[p->ndocs++] == NULL)
            FAIL("%s: document %zu has no kind", p->code, i);
    }
    const json_t *res = json_object_get(def, "result");
    p->issuer = str_of(res, "issuer");
    p->vct = str_of(res, "vct");
    p->title_vi = str_of(json_object_get(res, "title"), "vi");
    if (p->issuer == NULL || p->vct == NULL || p->title_vi == NULL)
        FAIL("%s: result needs issuer, vct and title", p->code);
    int rc = read_fields(json_object_get(def, "form"), p, err, errlen);
    if (rc == DD_OK)
        rc = read_steps(json_object_get(def, "workflow"), p, err, errlen);
    if (rc != DD_OK)
        return rc;
    const json_t *parts = json_object_get(def, "parts");
    if (parts && (!json_is_array(parts) || json_array_size(parts) < 2 ||
                  json_array_size(parts) > SVC_MAX_PARTS))
        FAIL("%s: parts is an array of 2 to %d procedure codes", p->code, SVC_MAX_PARTS);
    json_array_foreach(parts, i, d)
    {
        p->parts[p->nparts] = json_string_value(d);
        if (!code_ok(p->parts[p->nparts++]))
            FAIL("%s: part %zu is not a procedure code", p->code, i);
    }
    if (p->nparts == 0 && p->nsteps == 0)
        FAIL("%s: a procedure that is not a bundle needs a workflow", p->code);
    return DD_OK;
}

static const struct svc_procedure *
find_in(const char *code)
{
    for (size_t i = 0; code && i < nprocedures; i++)
        if (strcmp(procedures[i].code, code) == 0)
            return &procedures[i];
    return NULL;
}

static int
by_code(const void *a, const void *b)
{
    return strcmp(((const struct svc_procedure *)a)->code, ((const struct svc_procedure *)b)->code);
}

static void
load(void)
{
    for (size_t i = 0; i < dd_embedded_count && nprocedures < MAX_PROCEDURES; i++) {
        const struct dd_embedded *e = &dd_embedded_files[i];
        if (strncmp(e->path, "data/procedures/", 16) != 0)
            continue;
        json_error_t jerr;
        json_t *def = json_loadb((const char *)e->data, e->len, JSON_REJECT_DUPLICATES, &jerr);
        char err[200] = "not JSON";
        if (def && svc_procedure_read(def, &procedures[nprocedures], err, sizeof err) == DD_OK &&
            find_in(procedures[nprocedures].code) == NULL) {
            nprocedures++;
            continue;
        }
        dd_log(DD_LOG_ERROR, "services.procedure", "%s left out: %s", e->path, err);
        json_decref(def);
    }
    qsort(procedures, nprocedures, sizeof procedures[0], by_code);
    /* A bundle's parts must be in the catalogue. */
    for (size_t i = 0; i < nprocedures; i++)
        for (int k = 0; k < procedures[i].nparts; k++)
            if (find_in(procedures[i].parts[k]) == NULL)
                dd_log(DD_LOG_ERROR, "services.procedure", "%s: part %s is not in the catalogue",
                       procedures[i].code, procedures[i].parts[k]);
}

const struct svc_procedure *
svc_procedure_find(const char *code)
{
    pthread_once(&once, load);
    return find_in(code);
}

size_t
svc_catalogue(const struct svc_procedure **list)
{
    pthread_once(&once, load);
    *list = procedures;
    return nprocedures;
}

int64_t
svc_fee(const struct svc_procedure *p, const char *channel)
{
    if (strcmp(channel, "online") != 0)
        return p->fee;
    if (p->online_fee >= 0)
        return p->online_fee;
    return p->fee * (100 - p->discount) / 100;
}
