/*
 * chip.c — POST /api/v1/card/chip: the files a kiosk read from a chip ID card — EF.SOD and the
 * data groups, each base64 of the file as read (outer tag included) — checked by passive
 * authentication (card/pa.h) against the server's CSCA trust store (setting card-csca), with
 * DG1's MRZ parsed and the register's record for its ID number matched field by field.
 *
 * Body: {"sod": "<base64>", "dg": {"1": "<base64>", "2": …}} and nothing else; data groups are
 * numbered 1 to 16. A body that breaks that is 400 validation-failed; an EF.SOD that is not a
 * signed LDS security object is 422 card-sod-invalid. Neither looks anything up. Otherwise the
 * answer is 200 whatever the checks found: the report says each one's result, and a client
 * decides what a failed check means at its counter.
 */
#include "base/arena.h"
#include "base/err.h"
#include "card/json.h"
#include "card/mrz.h"
#include "card/pa.h"
#include "card/tlv.h"
#include "core/access_log.h"
#include "core/card_api/card_api.h"
#include "core/card_api/internal.h"
#include "core/events.h"
#include "core/purpose.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

struct chip_input {
    unsigned char *sod;
    size_t sod_len;
    struct dd_pa_dg dgs[DD_PA_MAX_DG];
    size_t ndgs;
    const struct dd_pa_dg *dg1;
};

/* Decodes the base64 string `v` of field `name` into *out (left alone on failure); records an
 * error in ext otherwise. Returns ext. */
static json_t *
decode(struct dd_req *req, json_t *ext, const char *name, json_t *v, size_t max,
       unsigned char **out, size_t *len)
{
    if (!json_is_string(v))
        return dd_problem_add_error(ext, req, name, "not-a-string", "Phải là một chuỗi base64.",
                                    "Must be a base64 string.");
    int rc = card_base64_decode(req, json_string_value(v), json_string_length(v), max, out, len);
    if (rc == DD_ETOOBIG)
        return dd_problem_add_error(ext, req, name, "too-large", "Tệp quá lớn.",
                                    "The file is too large.");
    if (rc != DD_OK)
        return dd_problem_add_error(ext, req, name, "not-base64",
                                    "Không phải base64 hợp lệ (RFC 4648, có đệm '=').",
                                    "Not valid base64 (RFC 4648, with '=' padding).");
    return ext;
}

/* A data group's number from its key: "1" … "16", or 0. */
static int
dg_number(const char *key)
{
    if (key[0] < '1' || key[0] > '9' || strlen(key) > 2)
        return 0;
    int n = key[0] - '0';
    if (key[1]) {
        if (key[1] < '0' || key[1] > '9')
            return 0;
        n = n * 10 + (key[1] - '0');
    }
    return n <= 16 ? n : 0;
}

static json_t *
read_dgs(struct dd_req *req, json_t *ext, json_t *dg, struct chip_input *in)
{
    if (!json_is_object(dg))
        return dd_problem_add_error(ext, req, "dg", "not-an-object",
                                    "Phải là một đối tượng {\"1\": base64, …}.",
                                    "Must be an object {\"1\": base64, …}.");
    const char *key;
    json_t *v;
    json_object_foreach(dg, key, v)
    {
        const char *name = dd_arena_printf(req->arena, "dg.%s", key);
        int n = dg_number(key);
        if (n == 0) {
            ext = dd_problem_add_error(ext, req, name, "unknown-data-group",
                                       "Nhóm dữ liệu được đánh số từ 1 đến 16.",
                                       "Data groups are numbered 1 to 16.");
            continue;
        }
        struct dd_pa_dg *d = &in->dgs[in->ndgs];
        unsigned char *bytes = NULL;
        size_t len = 0;
        ext = decode(req, ext, name, v, CARD_MAX_FILE, &bytes, &len);
        if (bytes == NULL)
            continue;
        *d = (struct dd_pa_dg){.number = n, .data = bytes, .len = len};
        if (n == 1)
            in->dg1 = d;
        in->ndgs++;
    }
    return ext;
}

/* Reads the body into *in, or replies 400 and returns -1. */
static int
input_or_reply(struct dd_req *req, struct chip_input *in)
{
    memset(in, 0, sizeof *in);
    json_t *ext = NULL;
    json_t *body = req->json;
    if (!json_is_object(body)) {
        ext = dd_problem_add_error(ext, req, "", "not-an-object",
                                   "Nội dung phải là một đối tượng JSON.",
                                   "The body must be a JSON object.");
        dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
        return -1;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "sod") != 0 && strcmp(key, "dg") != 0)
            ext = dd_problem_add_error(ext, req, key, "unknown-field",
                                       "Trường này không được chấp nhận.",
                                       "This field is not accepted.");
    }
    json_t *sod = json_object_get(body, "sod");
    if (sod == NULL)
        ext = dd_problem_add_error(ext, req, "sod", "required", "Thiếu EF.SOD.",
                                   "EF.SOD is required.");
    else
        ext = decode(req, ext, "sod", sod, CARD_MAX_FILE, &in->sod, &in->sod_len);
    json_t *dg = json_object_get(body, "dg");
    if (dg == NULL)
        ext = dd_problem_add_error(ext, req, "dg", "required", "Thiếu các nhóm dữ liệu.",
                                   "The data groups are required.");
    else
        ext = read_dgs(req, ext, dg, in);
    if (ext == NULL)
        return 0;
    dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    return -1;
}

/* DG1 (tag 0x61) holds the MRZ in a 0x5F1F element; parses it into *m. False when DG1 is not
 * that shape. */
static bool
dg1_mrz(const struct dd_pa_dg *dg1, struct dd_mrz *m)
{
    struct dd_tlv outer, inner;
    if (dd_tlv_read(dg1->data, dg1->len, &outer) != DD_OK || outer.tag != 0x61 ||
        dd_tlv_read(outer.value, outer.len, &inner) != DD_OK || inner.tag != 0x5F1F ||
        inner.len > DD_MRZ_MAX_TEXT)
        return false;
    dd_mrz_parse((const char *)inner.value, inner.len, m);
    return true;
}

/* The claim of a Vietnamese card's MRZ: DG1 carries no old ID number nor address. */
static void
mrz_claim(struct dd_req *req, const struct dd_mrz *m, struct card_claim *c)
{
    const char *sex = m->sex == 'M' ? "male" : m->sex == 'F' ? "female" : "";
    const char *name = m->given_names[0]
                           ? dd_arena_printf(req->arena, "%s %s", m->surname, m->given_names)
                           : m->surname;
    *c = (struct card_claim){m->id_number, name, m->birth_iso, sex, "", ""};
}

/* A chip whose hashes, signature or chain failed (a clone, or a tampered card) is a security
 * event: card.verification_failed with the caller (an establishment or officer: the rule counts
 * by place), in a short transaction of its own. No personal data goes in the event. */
static int
emit_failure(struct dd_req *req, const char *actor, const struct dd_pa_report *rep)
{
    if (rep->hashes.result != DD_PA_FAIL && rep->signature.result != DD_PA_FAIL &&
        rep->chain.result != DD_PA_FAIL)
        return DD_OK;
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "actor", actor, "hashes",
                          dd_pa_result_name(rep->hashes.result), "signature",
                          dd_pa_result_name(rep->signature.result), "chain",
                          dd_pa_result_name(rep->chain.result));
    char *text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p);
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = dd_event_emit(db, "card.verification_failed", actor, text);
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK && dd_db_in_transaction(db))
        dd_db_rollback(db);
    free(text);
    return rc;
}

int
dd_card_chip_check_or_reply(struct dd_req *req, const char *actor, struct dd_card_chip *out)
{
    memset(out, 0, sizeof *out);
    struct chip_input in;
    if (input_or_reply(req, &in) != 0)
        return -1;
    struct dd_pa_report *rep = dd_arena_zalloc(req->arena, sizeof *rep);
    int rc = dd_pa_verify(in.sod, in.sod_len, in.dgs, in.ndgs, card_trust(), 0, rep);
    if (rc == DD_EINVAL) {
        card_problem_reply(req, CARD_PROBLEM_SOD_INVALID, "sod", rep->sod.detail);
        return -1;
    }
    rc = emit_failure(req, actor, rep);
    if (rc != DD_OK) {
        if (rc != DD_DONE)
            dd_reply_problem(req, dd_problem_from_error(rc), NULL);
        return -1;
    }
    out->report = rep;
    out->mrz = dd_arena_zalloc(req->arena, sizeof *out->mrz);
    out->have_mrz = in.dg1 && dg1_mrz(in.dg1, out->mrz);
    out->failed = rep->hashes.result == DD_PA_FAIL || rep->signature.result == DD_PA_FAIL ||
                  rep->chain.result == DD_PA_FAIL;
    return 0;
}

/* POST /api/v1/card/chip — 200 {"report", "dg1", "register"}; 400 without X-Purpose or with a
 * bad body; 422 card-sod-invalid. */
int
card_chip_post(struct dd_req *req)
{
    const char *purpose = dd_purpose_or_reply(req);
    if (purpose == NULL)
        return DD_DONE;
    char actor[96];
    dd_access_log_actor(req->who, actor, sizeof actor);
    struct dd_card_chip chip;
    if (dd_card_chip_check_or_reply(req, actor, &chip) != 0)
        return DD_DONE;
    struct dd_mrz *m = chip.mrz;
    json_t *match = NULL;
    if (chip.have_mrz && m->valid && m->id_number[0]) {
        struct dd_db *db = dd_req_db_or_reply(req);
        if (db == NULL)
            return DD_DONE;
        struct card_claim c;
        mrz_claim(req, m, &c);
        int rc = card_register_match(req, db, &c, purpose, &match);
        if (rc != DD_OK)
            return dd_reply_problem(req, dd_problem_from_error(rc), NULL);
    } else {
        match = json_pack("{s:b}", "found", 0);
    }
    json_t *out = json_pack("{s:o, s:o, s:o}", "report", dd_pa_report_json(chip.report), "dg1",
                            chip.have_mrz ? dd_card_mrz_json(m) : json_null(), "register", match);
    return dd_reply_json(req, 200, out);
}
