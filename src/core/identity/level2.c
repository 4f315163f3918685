/*
 * level2.c — POST /api/v1/accounts/{id}/level-2: a police officer raises a citizen's
 * e-identity to level 2 after checking, with the person in front of them, the chip ID card and
 * the face. Until the card module brings chip reading (passive authentication) and face
 * matching, both checks are manual: the officer looked at the card and the face, and the record
 * says `manual` for each, with who and when.
 *
 * Level 2 is for citizens with an ID number whose account is active; a foreigner's account
 * stays at level 1. The change is written to the person's access log and emits
 * account.level_changed.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "core/access_log.h"
#include "core/identity/internal.h"
#include "http/principal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <string.h>

static const char *const level2_fields[] = {"card_check", "face_check", "note", NULL};
static const char *const manual_only[] = {"manual", NULL};

struct level2 {
    const char *card_check;
    const char *face_check;
    const char *note;
};

static int
level2_parse_or_reply(struct dd_req *req, struct level2 *in)
{
    struct id_form f;
    id_form_init(&f, req, level2_fields);
    in->card_check = id_form_enum(&f, "card_check", true, manual_only);
    in->face_check = id_form_enum(&f, "face_check", true, manual_only);
    in->note = id_form_string(&f, "note", false, 500);
    return id_form_done_or_reply(&f);
}

static int
eligible_or_reply(struct dd_req *req, const struct id_account *acc)
{
    const char *vi = NULL, *en = NULL;
    if (acc->level >= 2) {
        dd_reply_problem_detail(req, DD_PROBLEM_CONFLICT, "Tài khoản đã ở mức độ 2.",
                                "The account is already at level 2.", NULL);
        return -1;
    }
    if (acc->id_number[0] == '\0') {
        vi = "Tài khoản của người nước ngoài (hộ chiếu) chỉ ở mức độ 1.";
        en = "A foreigner's (passport) account stays at level 1.";
    } else if (strcmp(acc->status, "active") != 0) {
        vi = "Chỉ nâng mức tài khoản đang hoạt động (đã xác nhận, không bị khoá hay tạm dừng).";
        en = "Only an active account (confirmed, neither locked nor suspended) is raised.";
    } else if (acc->guardian_id != 0 && acc->password_hash[0] == '\0') {
        vi = "Tài khoản của trẻ em đi kèm tài khoản người giám hộ, không nâng mức riêng.";
        en = "A child's account goes with the guardian's and is not raised on its own.";
    } else {
        return 0;
    }
    dd_reply_problem_detail(req, DD_PROBLEM_RULE_VIOLATED, vi, en, NULL);
    return -1;
}

static int
raise_level(struct dd_db *db, struct dd_req *req, const struct id_account *acc,
            const struct level2 *in, int64_t now_ms)
{
    char now[32];
    dd_clock_iso8601(now_ms, now);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "UPDATE accounts SET level = 2, level2_by = ?, level2_at = ?, "
                           "level2_card_check = ?, level2_face_check = ?, level2_note = ?, "
                           "updated_at = ? WHERE id = ? AND level = 1",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, dd_arena_printf(req->arena, "officer:%lld", (long long)req->who->id));
    dd_stmt_bind_text(st, 2, now);
    dd_stmt_bind_text(st, 3, in->card_check);
    dd_stmt_bind_text(st, 4, in->face_check);
    dd_stmt_bind_text(st, 5, in->note ? in->note : "");
    dd_stmt_bind_text(st, 6, now);
    dd_stmt_bind_int64(st, 7, acc->id);
    rc = dd_stmt_step(st);
    int64_t changed = rc == DD_DB_DONE ? dd_stmt_changes(st) : 0;
    dd_stmt_reset(st);
    if (rc < 0)
        return rc;
    return changed == 1 ? DD_OK : DD_ECONFLICT;
}

/* POST /api/v1/accounts/{id}/level-2 — 200 with the account at level 2; 400; 404; 409 if it
 * is at level 2 already; 422 for a foreigner's, a child's or an inactive account. */
int
id_level2_create(struct dd_req *req)
{
    struct level2 in;
    if (level2_parse_or_reply(req, &in) != 0)
        return DD_DONE;
    struct dd_db *db = dd_req_db_or_reply(req);
    struct id_account acc;
    if (db == NULL || id_path_account_or_reply(req, db, &acc) != 0 ||
        eligible_or_reply(req, &acc) != 0)
        return DD_DONE;
    int64_t now_ms = dd_clock_now_ms();
    int rc = dd_db_begin(db);
    if (rc == DD_OK)
        rc = raise_level(db, req, &acc, &in, now_ms);
    if (rc == DD_OK)
        rc = dd_access_log_write(db, req, acc.id_number, "change", "e-identity",
                                 in.note ? in.note : "Xác thực tài khoản định danh điện tử mức 2");
    if (rc == DD_OK)
        rc = id_event(db, "account.level_changed", acc.id,
                      json_pack("{s:I, s:i, s:i, s:I, s:s, s:s}", "account_id", (json_int_t)acc.id,
                                "from", 1, "to", 2, "officer_id", (json_int_t)req->who->id,
                                "card_check", in.card_check, "face_check", in.face_check));
    if (rc == DD_OK)
        rc = id_account_by_id(db, req->arena, acc.id, &acc);
    if (rc != DD_OK)
        return id_fail(req, db, rc);
    if (id_commit_or_reply(req, db) != 0)
        return DD_DONE;
    id_session_cache_forget_account(acc.id);
    return dd_reply_json(req, 200, json_pack("{s:o}", "account", id_account_json(&acc)));
}
