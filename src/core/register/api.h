/*
 * api.h — what the files of the register's HTTP API share: SQL built in pieces, the officer's
 * area, reading request bodies into checked fields, and writing JSON into the request's arena.
 * Nothing here is for other modules; they use register.h.
 */
#ifndef DD_CORE_REGISTER_API_H
#define DD_CORE_REGISTER_API_H

#include "base/buf.h"
#include "core/register/register.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_db;
struct dd_req;
struct dd_stmt;
struct dd_principal;

/* Text fields sent by clients are at most this long unless a field says less. */
#define REG_MAX_REASON  500
#define REG_MAX_DOSSIER 64

/* --- SQL text with its parameters, built in pieces (sql.c) --- */

#define REG_SQL_MAX_BINDS 32

struct reg_sql {
    struct dd_buf text;
    int n;
    struct {
        const char *s;
        int64_t v;
        bool is_int;
    } binds[REG_SQL_MAX_BINDS];
};

void reg_sql_init(struct reg_sql *q, struct dd_arena *a);
void reg_sql_add(struct reg_sql *q, const char *text);
/* Adds a parameter for the next `?` of the text. */
void reg_sql_text(struct reg_sql *q, const char *s);
void reg_sql_int(struct reg_sql *q, int64_t v);
/* Prepares the text and binds the parameters. */
int reg_sql_prepare(struct dd_db *db, struct reg_sql *q, struct dd_stmt **st);

/* --- the officer's area (area.c; dd_reg_area_sees is in register.h) --- */

/* True if the place (province, and commune unless "") lies in the caller's area. */
bool reg_area_holds(const struct dd_principal *who, const char *province, const char *commune);

/* Appends "(…)": people `p` linked to the place (a province, or one of its communes when
 * commune is not ""), by residence or household; the query joins the household as `h`. Each
 * term is checked on the row at hand, so a search stays one index range scan. */
void reg_link_sql(struct reg_sql *q, const char *province, const char *commune);

/* Appends the predicate for the caller's area. */
void reg_area_sql(struct reg_sql *q, const struct dd_principal *who);

/* --- reading a request (input.c) --- */

/* The purpose for a change's access-log row: X-Purpose if given and valid (core/purpose.h),
 * else `reason`. (A read's purpose: dd_purpose_or_reply.) */
const char *reg_change_purpose(struct dd_req *req, const char *reason);

/* Loads a person the caller may see; otherwise replies — 404 also when they exist outside the
 * caller's area, so that existence is not confirmed — and returns a negative code. */
int reg_person_or_reply(struct dd_req *req, struct dd_db *db, const char *id,
                        struct dd_reg_person *out);

/* The 404 for a person who does not exist or is outside the caller's area. Returns DD_DONE. */
int reg_person_not_found(struct dd_req *req);

/* Replies 412 unless If-Match names the version (a missing header is allowed when !required;
 * when required, a missing one gets 400 validation-failed naming the header). */
int reg_if_match_or_reply(struct dd_req *req, int64_t version, bool required);

/* Writes the ETag of a version: "\"v3\"". */
void reg_etag(int64_t version, char out[32]);

/* A JSON body read field by field; problems accumulate into one 400 reply. */
struct reg_form {
    struct dd_req *req;
    struct dd_db *db; /* set by reg_form_unit */
    json_t *body;
    json_t *ext; /* the problem's extension members, with "errors" */
    int failure; /* a database failure met while checking: answered instead of a 400 */
};

/* Starts reading req->json: it must be an object holding only the `allowed` names
 * (NULL-terminated); anything else is recorded as an error. */
void reg_form_init(struct reg_form *f, struct dd_req *req, const char *const *allowed);

/* A string field: NULL when absent (an error if required); an error when it is not a string, is
 * longer than max bytes or holds control characters. */
const char *reg_form_string(struct reg_form *f, const char *name, bool required, size_t max);

/* A date field (YYYY-MM-DD, a real date, not in the future unless allow_future). */
const char *reg_form_date(struct reg_form *f, const char *name, bool required, bool allow_future);

/* A province (2 digits) and commune (5 digits) pair: both or neither; `prefix` names them
 * ("" → province/commune). */
void reg_form_place(struct reg_form *f, const char *pfield, const char *cfield, bool required,
                    const char **province, const char **commune);

void reg_form_error(struct reg_form *f, const char *field, const char *code, const char *vi,
                    const char *en);

/* The relation to the head that the head has. */
#define REG_HEAD_RELATION "Chủ hộ"

/* A household number: 1–32 of letters, digits, '-', '.', '/'. */
bool reg_household_number_ok(const char *s);

/* Reads reason (required), legal_basis (required) and dossier (optional) into c. */
void reg_form_change(struct reg_form *f, struct dd_reg_change *c);

/* Adds the errors of a person check (warnings are not errors). */
void reg_form_person_issues(struct reg_form *f, const struct dd_person_check *check);

/* Replies 400 validation-failed with every error recorded (or, after a database failure, the
 * failure) and returns -1; 0 when all is well. */
int reg_form_done_or_reply(struct reg_form *f);

/* Adds the error "commune-unknown" on `field` unless commune `commune` of `province` was an
 * administrative unit in force on `date` (NULL: today). A database failure is kept in the form
 * and answered by reg_form_done_or_reply. */
void reg_form_unit(struct reg_form *f, struct dd_db *db, const char *field, const char *province,
                   const char *commune, const char *date);

/* Rolls back if a transaction is open, then answers for the code: 404, 409, 412 (conflict
 * when if_match was given), 503 … Returns DD_DONE. */
int reg_fail(struct dd_req *req, struct dd_db *db, int rc);

/* --- JSON out, into the arena without jansson (jsonw.c) --- */

#define REG_JW_DEPTH 8

struct reg_jw {
    struct dd_buf b;
    int depth;
    bool comma[REG_JW_DEPTH];
};

void reg_jw_init(struct reg_jw *w, struct dd_arena *a);
/* Opens an object or array ('{' or '['), as member `key` (NULL inside an array or at the top). */
void reg_jw_open(struct reg_jw *w, const char *key, char bracket);
void reg_jw_close(struct reg_jw *w, char bracket);
void reg_jw_str(struct reg_jw *w, const char *key, const char *s);
/* "" as null. */
void reg_jw_str_or_null(struct reg_jw *w, const char *key, const char *s);
void reg_jw_int(struct reg_jw *w, const char *key, int64_t v);
void reg_jw_null(struct reg_jw *w, const char *key);
/* Writes JSON text that is already valid (a stored history entry). */
void reg_jw_raw(struct reg_jw *w, const char *key, const char *json);

/* The members of a person: every field, household, version, times (no braces). */
void reg_jw_person(struct reg_jw *w, const struct dd_reg_person *rp);

/* Replies with the writer's text as application/json, not cached. */
int reg_jw_reply(struct dd_req *req, unsigned status, struct reg_jw *w);

/* --- the figures a change moves, in its event (event_dims.c) --- */

/* `payload` (a JSON object's text; NULL for {}) with "before" and "after" added: the person's
 * figures (status, permanent province and commune, birth_year, sex, ethnicity, religion,
 * temporary province and commune) before and after the change, null for a side that is absent
 * (a birth has no before). Returns `payload` unchanged if it is not an object. */
const char *reg_payload_with_dims(struct dd_arena *arena, const char *payload,
                                  const struct dd_person *before, const struct dd_person *after);

/* True when a change from `before` to `after` moves the person between figures' cells. */
bool reg_dims_differ(const struct dd_person *before, const struct dd_person *after);

/* --- a change to one person, written in one transaction (change.c) --- */

/* Writes `after` over `before` with the history entry of c, an access-log "change" row for the
 * caller, and the event (type, payload JSON; none if type is NULL). The caller's transaction
 * stays open. *new_version is the version after. */
int reg_change_write(struct dd_req *req, struct dd_db *db, const struct dd_reg_person *before,
                     const struct dd_person *after, int64_t household_id,
                     const struct dd_reg_change *c, const char *event_type,
                     const char *event_payload, int64_t *new_version);

/* Writes a person as GET /api/v1/people/{id} shows them into `w` (initialised, empty): every
 * field, the household, the residence periods running today or later, and `warnings` (raw JSON)
 * when not NULL. */
void reg_person_json(struct reg_jw *w, const struct dd_reg_person *rp, const char *warnings);

/* Replies `status` with the person, their current residence periods and their ETag;
 * `warnings` (may be NULL) is a JSON array added as "warnings". */
int reg_person_reply(struct dd_req *req, const struct dd_reg_person *rp, unsigned status,
                     const char *warnings);

/* Loads the person again (after a committed change) and replies as reg_person_reply. */
int reg_person_reload_reply(struct dd_req *req, struct dd_db *db, const char *id, unsigned status,
                            const char *warnings);

/* --- replies of changes, built inside the change's transaction (written.c) --- */

struct dd_idem;
struct dd_idem_reply;

/* Makes the writer's text (a complete JSON value) the body of reply *out with `status`.
 * DD_EINTERNAL if the text outgrew its buffer. */
int reg_written_json(struct reg_jw *w, unsigned status, struct dd_idem_reply *out);

/* Builds the reply that shows person `id` (as GET does, with the ETag) inside the open
 * transaction; `warnings` (may be NULL) is a JSON array added as "warnings". */
int reg_person_written(struct dd_req *req, struct dd_db *db, const char *id, unsigned status,
                       const char *warnings, struct dd_idem_reply *out);

/* Commits the open transaction with reply r stored under the request's Idempotency-Key (idem
 * may be NULL), then sends r; on failure rolls back and answers the failure. Returns DD_DONE. */
int reg_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem,
                     const struct dd_idem_reply *r);

/* reg_person_written and reg_commit_reply: the usual end of a change to a person. `location`
 * (may be NULL) is the reply's Location. Returns DD_DONE. */
int reg_person_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem,
                            const char *id, unsigned status, const char *warnings,
                            const char *location);

/* --- households, shared by the household changes (households.c) --- */

struct reg_member {
    const char *id_number;
    const char *relation;
};

#define REG_MAX_MOVED_MEMBERS 100 /* named in one household change */

/* Loads a household in the caller's area (open unless `closed_ok`), or replies 404 (also for a
 * household outside the area) and returns a negative code. */
int reg_household_or_reply(struct dd_req *req, struct dd_db *db, const char *number, bool closed_ok,
                           struct dd_reg_household *out);

/* Reads "members": [{"id_number", "relation_to_head"}, …] (1 to 100, no repeats; when not
 * `required`, an absent list is 0 members). Returns the count; *out is in the arena. */
int reg_members_read(struct reg_form *f, struct reg_member **out, bool required);

/* Adds the error "not-a-member" for each listed person who is not in household `h`. */
void reg_members_check(struct reg_form *f, struct dd_db *db, const struct dd_reg_household *h,
                       const struct reg_member *m, int n);

/* Emits household.changed for household `number` in the open transaction; `payload` (the
 * reference is taken) is the event's JSON. */
int reg_household_changed(struct dd_req *req, struct dd_db *db, const char *number,
                          json_t *payload);

/* Builds the reply showing household `number` with its members inside the open transaction,
 * commits it with the reply stored under the key, and sends it. Returns DD_DONE. */
int reg_household_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem,
                               const char *number, unsigned status, const char *location);

/* The household side of a permanent move of p into household `joining` (0: none) on `on`: a
 * household left empty is closed. DD_EDENIED when a head would leave members behind
 * (people_moves.c). */
int reg_leave_household(struct dd_db *db, const struct dd_reg_person *p, int64_t joining,
                        const char *on);

/* Ends every residence period of the person still running on `date` (people_deaths.c). */
int reg_residences_end(struct dd_db *db, const char *id, const char *date);

/* --- the register's own problem types (problems.c) --- */

enum reg_problem {
    REG_PROBLEM_PERSON_DEAD,            /* 422 person-dead */
    REG_PROBLEM_PERSON_ALREADY_MISSING, /* 409 person-already-missing */
    REG_PROBLEM_PERSON_NOT_MISSING,     /* 409 person-not-missing */
    REG_PROBLEM_HEAD_NOT_ALIVE,         /* 422 head-not-alive */
};

/* Replies with one of the register's problem types (listed in docs/problems.md), with its
 * detail in the request's language. Returns DD_DONE. */
int reg_problem_reply(struct dd_req *req, enum reg_problem p);

/* --- the handlers, one file per resource --- */

int reg_people_create(struct dd_req *req);
int reg_people_get(struct dd_req *req);
int reg_people_history(struct dd_req *req);
int reg_people_patch(struct dd_req *req);
int reg_people_search(struct dd_req *req);
int reg_deaths_create(struct dd_req *req);
int reg_moves_create(struct dd_req *req);
int reg_absences_create(struct dd_req *req);
int reg_households_get(struct dd_req *req);
int reg_splits_create(struct dd_req *req);
int reg_merges_create(struct dd_req *req);
int reg_missing_create(struct dd_req *req);
int reg_returns_create(struct dd_req *req);
int reg_head_changes_create(struct dd_req *req);

#endif
