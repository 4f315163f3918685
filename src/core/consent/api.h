/*
 * api.h — what the files of the consent module's HTTP API share: who the citizen is, reading
 * request bodies field by field, paging, the module's problem types, committing a change with
 * its reply (Idempotency-Key), and streamed replies. Nothing here is for other modules; they use
 * consent.h, access_view.h and corrections.h.
 */
#ifndef DD_CORE_CONSENT_API_H
#define DD_CORE_CONSENT_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_db;
struct dd_req;
struct dd_idem;
struct dd_consent;
struct dd_correction;
struct dd_access_entry;

/* --- the caller (input.c) --- */

/* The calling citizen's personal ID number; otherwise a 403 reply (an account that is not tied to
 * a personal ID number, such as a foreigner's) and NULL. */
const char *cs_me_or_reply(struct dd_req *req);

/* The actor the access log would record for the caller ("citizen:12"): their own reads are left
 * out of what they see. */
const char *cs_self_actor(struct dd_req *req);

/* ?cursor= as a positive id (0 when absent), or a 400 reply and DD_EINVAL. */
int cs_id_cursor_or_reply(struct dd_req *req, int64_t *id);

/* The path's {id} as a positive integer, or a 404 reply and DD_ENOTFOUND. */
int cs_path_id_or_reply(struct dd_req *req, int64_t *id);

/* The 400 for a malformed ?cursor=. Returns DD_EINVAL. */
int cs_cursor_invalid(struct dd_req *req);

/* Rolls back an open transaction, then answers for the code (404, 409, 503 …). Returns DD_DONE. */
int cs_fail(struct dd_req *req, struct dd_db *db, int rc);

/* --- JSON bodies read field by field; the problems go out in one 400 (input.c) --- */

struct cs_form {
    struct dd_req *req;
    json_t *body;
    json_t *ext; /* the problem's members, with "errors" */
};

/* Starts reading req->json: an object holding only the `allowed` names (NULL-terminated). */
void cs_form_init(struct cs_form *f, struct dd_req *req, const char *const *allowed);

/* A string field of 1..max bytes without control characters; NULL when absent (an error when
 * required) or wrong. */
const char *cs_form_string(struct cs_form *f, const char *name, bool required, size_t max);

void cs_form_error(struct cs_form *f, const char *field, const char *code, const char *vi,
                   const char *en);

/* True if an error about `field` has been recorded (so that one problem is told once). */
bool cs_form_has_error(const struct cs_form *f, const char *field);

/* Replies 400 validation-failed with the errors recorded and returns -1; 0 when there are none. */
int cs_form_done_or_reply(struct cs_form *f);

/* --- the module's own problem types (problems.c) --- */

enum cs_problem {
    CS_PROBLEM_NO_ID_NUMBER,          /* 403 no-id-number */
    CS_PROBLEM_CONSENT_NOT_ACTIVE,    /* 409 consent-not-active */
    CS_PROBLEM_NOT_IN_REGISTER,       /* 422 person-not-in-register */
    CS_PROBLEM_NO_COMMUNE,            /* 422 person-without-commune */
    CS_PROBLEM_CORRECTION_DECIDED,    /* 409 correction-request-decided */
    CS_PROBLEM_CORRECTION_SAME_VALUE, /* 422 correction-same-value */
};

/* Replies with one of the module's problem types (docs/problems.md). Returns DD_DONE. */
int cs_problem_reply(struct dd_req *req, enum cs_problem p);

/* --- replies of changes (reply.c) --- */

/* Commits the open transaction with the reply (status, body) stored under the request's
 * Idempotency-Key (idem may be NULL), then sends it with `location` (may be NULL); on failure
 * rolls back and answers the failure. The body's reference is taken. Returns DD_DONE. */
int cs_commit_reply(struct dd_req *req, struct dd_db *db, struct dd_idem *idem, unsigned status,
                    json_t *body, const char *location);

/* --- JSON of the module's records (json.c) --- */

json_t *cs_consent_json(const struct dd_consent *c, int64_t now_ms);
json_t *cs_correction_json(const struct dd_correction *c);
/* A row of the access log as the person sees it: no officer's name, an establishment's or a
 * client's name. */
json_t *cs_access_json(const struct dd_access_entry *e);

/* --- streamed replies: the access log of the last five years (stream.c) --- */

enum cs_stream_format {
    CS_STREAM_CSV,        /* text/csv with a header line */
    CS_STREAM_JSON_ARRAY, /* {"items":[…]} */
    CS_STREAM_JSON_TAIL,  /* `prefix` then the rows then "]}" (the data export) */
};

/* Replies 200 with the person's access log, newest first, written page by page while the
 * response is sent, in bounded memory. For CS_STREAM_JSON_TAIL, `prefix` is the start of a JSON
 * object that ends with `"access_log":[`; otherwise NULL. `filename` names the download
 * (Content-Disposition), or NULL. Returns DD_DONE. */
int cs_stream_access_log(struct dd_req *req, const char *id_number, enum cs_stream_format format,
                         const char *prefix, const char *filename);

/* --- the handlers --- */

int cs_me_consents_list(struct dd_req *req);
int cs_me_consents_get(struct dd_req *req);
int cs_me_consents_create(struct dd_req *req);
int cs_me_withdrawals_create(struct dd_req *req);
int cs_consent_checks_get(struct dd_req *req);
int cs_me_access_log(struct dd_req *req);
int cs_me_access_log_csv(struct dd_req *req);
int cs_me_access_log_json(struct dd_req *req);
int cs_me_data_export(struct dd_req *req);
int cs_me_corrections_create(struct dd_req *req);
int cs_me_corrections_list(struct dd_req *req);
int cs_corrections_list(struct dd_req *req);
int cs_decisions_create(struct dd_req *req);

#endif
