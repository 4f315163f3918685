/*
 * kiosk_session.c — a citizen identified at a registered kiosk by the chip of their ID card:
 *   POST /api/v1/kiosk/sessions                 the files the kiosk's reader took from the chip
 *                                               ({"sod", "dg"}, as POST /api/v1/card/chip) are
 *                                               checked by passive authentication (core/card_api);
 *                                               when every check passes and DG1 names a living
 *                                               person of the register, a session of 5 minutes
 *                                               bound to that person and that kiosk begins
 *   GET  /api/v1/kiosk/session                  who the session is for, until when
 *   GET  /api/v1/kiosk/session/dossiers         "my dossiers", as GET /api/v1/me/dossiers
 *   GET  /api/v1/kiosk/session/procedures/{code}/form   the form filled from the register
 *   POST /api/v1/kiosk/session/dossiers         a submission through the kiosk channel
 *   POST /api/v1/kiosk/session/finish           the session ends
 * Every route needs the kiosk's credential (X-Kiosk-Key); the session routes also the session's
 * token (X-Kiosk-Session). Inside a session the caller is the citizen at e-identity level 1: a
 * level-2 procedure still needs the e-identity sign-in. A chip that fails a check identifies
 * nobody; a failed hash, signature or chain is the card module's security event
 * card.verification_failed, naming the kiosk.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "card/json.h"
#include "card/mrz.h"
#include "card/pa.h"
#include "core/access_log.h"
#include "core/card_api/card_api.h"
#include "core/register/register.h"
#include "core/services/internal.h"
#include "crypto/hash.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define SESSION_MS (5 * 60 * 1000)

static int
not_authentic(struct dd_req *req, const char *why, const struct dd_card_chip *chip)
{
    json_t *ext = json_pack("{s:s, s:s, s:s}", "type", "urn:dinhdanh:problem:card-not-authentic",
                            "title", "Card Not Authentic", "reason", why);
    if (chip->report)
        json_object_set_new(ext, "report", dd_pa_report_json(chip->report));
    return dd_reply_problem_detail(
        req, DD_PROBLEM_RULE_VIOLATED, "Không xác thực được thẻ: không nhận diện được công dân.",
        "The card could not be authenticated: nobody is identified.", ext);
}

/* The principal the kiosk's own reads are logged under: "client:kiosk-<id>". */
static struct dd_principal *
kiosk_principal(struct dd_req *req, const struct svc_kiosk *k)
{
    struct dd_principal *p = dd_arena_zalloc(req->arena, sizeof *p);
    p->kind = DD_PRINCIPAL_CLIENT;
    p->id = k->id;
    p->level = 1;
    snprintf(p->name, sizeof p->name, "kiosk-%lld", (long long)k->id);
    dd_strlcpy(p->display_name, k->name, sizeof p->display_name);
    dd_strlcpy(p->role, "kiosk", sizeof p->role);
    dd_strlcpy(p->province, k->province, sizeof p->province);
    dd_strlcpy(p->commune, k->commune, sizeof p->commune);
    return p;
}

static int
insert_session(struct dd_db *db, const char *hash, int64_t kiosk, const char *id_number,
               int64_t now)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO service_kiosk_sessions (token_hash, kiosk_id, id_number, "
                           "created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, hash);
    dd_stmt_bind_int64(st, 2, kiosk);
    dd_stmt_bind_text(st, 3, id_number);
    dd_stmt_bind_int64(st, 4, now);
    dd_stmt_bind_int64(st, 5, now + SESSION_MS);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

int
svc_kiosk_sessions_create(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL)
        return DD_DONE;
    struct svc_kiosk k;
    if (svc_kiosk_or_reply(req, db, &k) != 0)
        return DD_DONE;
    struct dd_card_chip chip;
    if (dd_card_chip_check_or_reply(req, k.actor, &chip) != 0)
        return DD_DONE;
    if (!chip.report->ok)
        return not_authentic(req, "passive-authentication", &chip);
    if (!chip.have_mrz || !chip.mrz->valid || chip.mrz->id_number[0] == '\0')
        return not_authentic(req, "dg1", &chip);
    const char *id_number = chip.mrz->id_number;
    struct dd_reg_person r;
    int rc = dd_reg_person_load(db, req->arena, id_number, &r);
    if (rc == DD_OK && strcmp(r.p.status, "alive") != 0)
        rc = DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        return not_authentic(req, "not-in-register", &chip);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    unsigned char raw[32];
    dd_random_bytes(raw, sizeof raw);
    char token[3 + 2 * sizeof raw + 1], hash[2 * DD_SHA256_LEN + 1];
    memcpy(token, "ks_", 3);
    dd_hex_encode(raw, sizeof raw, token + 3);
    dd_sha256_hex(token, strlen(token), hash);
    int64_t now = dd_clock_now_ms();
    req->who = kiosk_principal(req, &k);
    rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = insert_session(db, hash, k.id, id_number, now);
    if (rc == DD_OK)
        rc = dd_access_log_write(db, req, id_number, "read", "card", "Nhận diện tại kiosk");
    if (rc == DD_OK)
        rc = dd_db_commit(db);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    json_t *out = json_pack("{s:s, s:I, s:{s:s, s:s}, s:I}", "session", token, "expires_at",
                            (json_int_t)(now + SESSION_MS), "person", "id_number", id_number,
                            "full_name", r.p.full_name, "kiosk", (json_int_t)k.id);
    return dd_reply_json(req, 201, out);
}

/* Checks the kiosk and its session (X-Kiosk-Session: running, of this kiosk) and makes the
 * citizen the request's caller; *id (may be NULL) gets the session's row id. Replies 401 and
 * returns -1 otherwise. */
static int
session_or_reply(struct dd_req *req, struct dd_db *db, int64_t *id, int64_t *expires)
{
    struct svc_kiosk k;
    if (svc_kiosk_or_reply(req, db, &k) != 0)
        return -1;
    const struct svc_credential session_token = {
        .header = "X-Kiosk-Session",
        .prefix = "ks_",
        .sql = "SELECT id, id_number, expires_at FROM service_kiosk_sessions WHERE token_hash = ? "
               "AND kiosk_id = ? AND ended_at = 0 AND expires_at > ?",
        .binds = {k.id, dd_clock_now_ms()},
        .nbinds = 2,
        .vi = "Phiên tại kiosk đã hết hoặc không có (X-Kiosk-Session).",
        .en = "The kiosk session is over or missing (X-Kiosk-Session).",
    };
    struct dd_stmt *st;
    if (svc_credential_row_or_reply(req, db, &session_token, &st) != 0)
        return -1;
    struct dd_principal *p = dd_arena_zalloc(req->arena, sizeof *p);
    p->kind = DD_PRINCIPAL_CITIZEN;
    p->level = 1;
    dd_strlcpy(p->id_number, dd_stmt_text(st, 1), sizeof p->id_number);
    snprintf(p->name, sizeof p->name, "kiosk-%lld-%s", (long long)k.id, p->id_number);
    dd_strlcpy(p->display_name, k.name, sizeof p->display_name);
    dd_strlcpy(p->province, k.province, sizeof p->province);
    dd_strlcpy(p->commune, k.commune, sizeof p->commune);
    if (id)
        *id = dd_stmt_int64(st, 0);
    if (expires)
        *expires = dd_stmt_int64(st, 2);
    dd_stmt_reset(st);
    req->who = p;
    return 0;
}

int
svc_kiosk_session_get(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    int64_t expires = 0;
    if (db == NULL || session_or_reply(req, db, NULL, &expires) != 0)
        return DD_DONE;
    struct dd_reg_person r;
    int rc = dd_reg_person_load(db, req->arena, req->who->id_number, &r);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    return dd_reply_json(req, 200,
                         json_pack("{s:{s:s, s:s}, s:I}", "person", "id_number", r.p.id_number,
                                   "full_name", r.p.full_name, "expires_at", (json_int_t)expires));
}

/* Runs the citizen's handler `next` as the person of the request's kiosk session, or replies 401
 * (or 503) without one. */
static int
in_session(struct dd_req *req, int (*next)(struct dd_req *))
{
    struct dd_db *db = dd_req_db_or_reply(req);
    if (db == NULL || session_or_reply(req, db, NULL, NULL) != 0)
        return DD_DONE;
    return next(req);
}

int
svc_kiosk_dossiers_list(struct dd_req *req)
{
    return in_session(req, svc_me_dossiers_list);
}

int
svc_kiosk_form_get(struct dd_req *req)
{
    return in_session(req, svc_me_form_get);
}

/* As the citizen's submission, the channel being the kiosk's (full fee, no online discount). */
static int
kiosk_submission(struct dd_req *req)
{
    if (json_is_object(req->json))
        json_object_set_new(req->json, "channel", json_string("kiosk"));
    return svc_me_dossiers_create(req);
}

int
svc_kiosk_dossiers_create(struct dd_req *req)
{
    return in_session(req, kiosk_submission);
}

int
svc_kiosk_supplements_create(struct dd_req *req)
{
    return in_session(req, svc_me_supplements_create);
}

int
svc_kiosk_session_finish(struct dd_req *req)
{
    struct dd_db *db = dd_req_db_or_reply(req);
    int64_t id = 0;
    if (db == NULL || session_or_reply(req, db, &id, NULL) != 0)
        return DD_DONE;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "UPDATE service_kiosk_sessions SET ended_at = ? WHERE id = ?", &st);
    if (rc != DD_OK)
        return svc_fail(req, db, rc);
    dd_stmt_bind_int64(st, 1, dd_clock_now_ms());
    dd_stmt_bind_int64(st, 2, id);
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    if (rc < 0)
        return svc_fail(req, db, rc);
    return dd_reply_empty(req, 204);
}
