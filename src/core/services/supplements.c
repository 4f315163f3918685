/*
 * supplements.c — POST /api/v1/me/dossiers/{code}/supplements: the applicant answers an officer's
 * request for more (ask-more), and the dossier is submitted again.
 *
 * Body {"form": {typed fields}, "documents": [{kind, upload | wallet_document}], "note"}, with
 * form or documents or both. The typed fields replace those of the dossier's form (the ones
 * filled from the register stay as they are). The documents are checked as at submission
 * (documents.c): each of a kind the procedure asks for, an upload the applicant's own and held
 * by no dossier; a paperless procedure takes none. They are added after the dossier's documents
 * (so an officer's document numbers stay valid), each with the time of the supplement, and the
 * uploads named are attached to the dossier in the supplement's transaction with its log row and
 * event. 422 unless more was asked; a refused supplement stores nothing.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "core/services/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

struct supplement {
    const json_t *typed; /* the body's form, or NULL */
    const json_t *docs;  /* the body's documents, or NULL */
    const char *note;    /* or NULL */
    json_t *form;        /* the dossier's form with the typed fields replaced */
    json_t *documents;   /* the dossier's documents with the new ones after */
    int64_t uploads[SVC_MAX_DOCS];
    int nuploads;
    json_t *ext; /* errors */
};

/* The body's shape, before anything is read from the store. */
static int
body_or_reply(struct dd_req *req, struct supplement *s)
{
    memset(s, 0, sizeof *s);
    const json_t *b = json_is_object(req->json) ? req->json : NULL;
    s->typed = json_object_get(b, "form");
    s->docs = json_object_get(b, "documents");
    s->note = json_string_value(json_object_get(b, "note"));
    bool has_form = json_is_object(s->typed) && json_object_size(s->typed) > 0;
    bool has_docs = json_is_array(s->docs) && json_array_size(s->docs) > 0;
    if (s->typed && !json_is_object(s->typed))
        s->ext = dd_problem_add_error(s->ext, req, "form", "not-an-object",
                                      "form là một đối tượng JSON.", "form is an object.");
    if (s->docs && (!json_is_array(s->docs) || json_array_size(s->docs) > SVC_MAX_DOCS))
        s->ext = dd_problem_add_error(s->ext, req, "documents", "invalid",
                                      "documents là một mảng, tối đa 8 giấy tờ.",
                                      "documents is an array of at most 8 documents.");
    else if (!has_form && !has_docs)
        s->ext = dd_problem_add_error(s->ext, req, "form", "required",
                                      "Gửi các trường cần bổ sung trong form, hoặc giấy tờ "
                                      "trong documents.",
                                      "Send the supplemented fields in form, or documents.");
    if (json_object_get(b, "note") &&
        (s->note == NULL || strlen(s->note) > 1000 || dd_str_has_control(s->note)))
        s->ext = dd_problem_add_error(s->ext, req, "note", "invalid", "Ghi chú không hợp lệ.",
                                      "Invalid note.");
    if (s->ext == NULL)
        return 0;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, s->ext);
    return -1;
}

/* The typed fields replace those of the dossier's form. */
static void
read_form(struct dd_req *req, struct supplement *s, const struct svc_procedure *p,
          const struct svc_dossier *d)
{
    s->form = dd_json_keep(req->arena, json_loads(d->form, 0, NULL));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)s->typed, key, v)
    {
        const struct svc_field *f = NULL;
        for (int i = 0; p && i < p->nfields; i++)
            if (strcmp(p->fields[i].name, key) == 0)
                f = &p->fields[i];
        const char *at = dd_arena_printf(req->arena, "form.%s", key);
        if (f == NULL || f->prefill || !svc_field_value_ok(f, v))
            s->ext =
                dd_problem_add_error(s->ext, req, at, "invalid",
                                     "Trường không có, lấy từ cơ sở dữ liệu, hoặc sai giá trị.",
                                     "No such typed field, or an invalid value.");
        else if (s->form)
            json_object_set(s->form, key, v);
    }
}

static bool
kind_asked(const struct svc_procedure *p, const char *kind)
{
    for (int i = 0; kind && i < p->ndocs; i++)
        if (strcmp(p->docs[i], kind) == 0)
            return true;
    return false;
}

/* The new documents, after the dossier's; the uploads they name are kept to attach. */
static void
read_documents(struct dd_req *req, struct dd_db *db, struct supplement *s,
               const struct svc_procedure *p, const struct svc_dossier *d, int64_t now)
{
    s->documents = dd_json_keep(req->arena, json_loads(d->documents, 0, NULL));
    if (!json_is_array(s->documents))
        s->documents = dd_json_keep(req->arena, json_array());
    if (json_array_size(s->docs) == 0)
        return;
    if (p == NULL || p->paperless) {
        svc_document_paperless_error(req, &s->ext);
        return;
    }
    if (json_array_size(s->documents) + json_array_size(s->docs) > SVC_MAX_DOSSIER_DOCS) {
        s->ext = dd_problem_add_error(s->ext, req, "documents", "too-many",
                                      "Hồ sơ đã có quá nhiều giấy tờ.",
                                      "The dossier holds too many documents.");
        return;
    }
    char at_time[32];
    dd_clock_iso8601(now, at_time);
    size_t k;
    const json_t *doc;
    json_array_foreach(s->docs, k, doc)
    {
        const char *at = dd_arena_printf(req->arena, "documents[%zu]", k);
        const char *kind = json_string_value(json_object_get(doc, "kind"));
        if (!kind_asked(p, kind)) {
            s->ext = dd_problem_add_error(s->ext, req, dd_arena_printf(req->arena, "%s.kind", at),
                                          "document-kind-unknown",
                                          "Thủ tục không yêu cầu loại giấy tờ này.",
                                          "The procedure asks for no document of this kind.");
            continue;
        }
        json_t *ext_before = s->ext;
        if (!svc_document_ref_ok(req, db, doc, at, req->who->id_number, &s->ext)) {
            if (s->ext == ext_before)
                s->ext = dd_problem_add_error(s->ext, req, at, "invalid",
                                              "Giấy tờ gồm kind và upload hoặc wallet_document.",
                                              "A document is kind and upload or wallet_document.");
            continue;
        }
        const json_t *up = json_object_get(doc, "upload");
        json_t *kept = json_pack("{s:s, s:s}", "kind", kind, "supplemented_at", at_time);
        if (up) {
            json_object_set(kept, "upload", (json_t *)up);
            s->uploads[s->nuploads++] = json_integer_value(up);
        } else {
            json_object_set(kept, "wallet_document", json_object_get(doc, "wallet_document"));
        }
        json_array_append_new(s->documents, kept);
    }
}

/* The dossier waiting for more, or a reply. */
static int
asked_or_reply(struct dd_req *req, const struct svc_dossier *d)
{
    if (strcmp(d->status, "more-info") == 0)
        return 0;
    dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED, "Hồ sơ không ở trạng thái chờ bổ sung.",
                            "The dossier is not waiting for more information.", NULL);
    return -1;
}

int
svc_me_supplements_create(struct dd_req *req)
{
    struct supplement s;
    if (body_or_reply(req, &s) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_dossier d;
    if (svc_own_dossier_or_reply(req, db, &d) != 0 || asked_or_reply(req, &d) != 0)
        return DD_DONE;
    const struct svc_procedure *p = svc_procedure_find(d.procedure_code);
    int64_t now = dd_clock_now_ms();
    read_form(req, &s, p, &d);
    read_documents(req, db, &s, p, &d, now);
    if (s.ext)
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, s.ext);
    d.form = dd_json_dump(req->arena, s.form);
    d.documents = dd_json_dump(req->arena, s.documents);
    d.status = "submitted";
    d.reason = "";
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = svc_dossier_update(db, &d, now);
    for (int i = 0; rc == DD_OK && i < s.nuploads; i++)
        rc = svc_upload_attach(db, s.uploads[i], req->who->id_number, d.id);
    if (rc == DD_OK)
        rc = svc_dossier_log(db, req->arena, &d, svc_actor(req), "supplement", s.note, now);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return dd_reply_json(req, 200, svc_dossier_json(db, req->arena, &d, true, now));
}
