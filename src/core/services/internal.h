/*
 * internal.h — what the services module's files share: the catalogue in memory, the working-day
 * calendar, dossiers as stored, and the handlers.
 */
#ifndef DD_CORE_SERVICES_INTERNAL_H
#define DD_CORE_SERVICES_INTERNAL_H

#include "core/services/services.h"
#include "http/route.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_req;
struct dd_idem;

#define SVC_MAX_FIELDS 32
#define SVC_MAX_STEPS  8
#define SVC_MAX_PARTS  6
#define SVC_MAX_DOCS   8

/* ---- catalogue.c: procedures loaded once from data/procedures/ (JSON files) ---- */

struct svc_field {
    const char *name;
    const char *type;    /* text, date, province, commune, id_number, integer, choice */
    const char *prefill; /* "register.<field>", "wallet:<vct>#<claim>", or NULL: typed */
    bool required;
    size_t max; /* bytes of a text */
    const json_t *choices;
};

struct svc_step {
    const char *step; /* receive, review, approve, … */
    const char *role; /* the officer role that acts on it */
    const char *area; /* "commune" or "province" */
};

struct svc_procedure {
    const char *code; /* "1.004222" */
    const json_t *json;
    int identity_level;
    int64_t fee;
    int discount;       /* percent off online */
    int64_t online_fee; /* VND through the online channel when the fee rules set it, else -1 */
    int days;           /* legal processing time, working days */
    bool paperless;
    const char *pay_before; /* "submission" or NULL */
    const char *effect;     /* residence.permanent, residence.temporary, absence, death, birth */
    const char *issuer, *vct, *title_vi;
    int nfields, nsteps, nparts, ndocs;
    struct svc_field fields[SVC_MAX_FIELDS];
    struct svc_step steps[SVC_MAX_STEPS];
    const char *parts[SVC_MAX_PARTS];
    const char *docs[SVC_MAX_DOCS]; /* kinds of the required documents */
};

/* Checks one procedure definition and fills *p (pointing into `def`, which must outlive it).
 * DD_OK, or DD_EINVAL with the reason in err: a code not d.dddddd, a paperless procedure that
 * asks for a document, an unknown field type, prefill source or effect, a step without role… */
int svc_procedure_read(const json_t *def, struct svc_procedure *p, char *err, size_t errlen);

/* Loads every embedded data/procedures/ (JSON files) once (a file that fails its check is logged
 * and left out) and returns the count; *list points at the procedures sorted by code. */
size_t svc_catalogue(const struct svc_procedure **list);

/* The procedure `code`, or NULL. */
const struct svc_procedure *svc_procedure_find(const char *code);

/* The fee of `p` through `channel`, VND: online, the procedure's online_fee when it has one,
 * else the fee less the online discount; at a kiosk, the full fee. */
int64_t svc_fee(const struct svc_procedure *p, const char *channel);

/* ---- calendar.c: working days in Vietnam ---- */

/* Days since 1970-01-01 of today in Vietnam (UTC+7) at now_ms. */
int64_t svc_today(int64_t now_ms);
/* Whether `day` is a working day: not Saturday or Sunday unless a moved working day, not a
 * public holiday (data/holidays-vn.csv). */
bool svc_working_day(int64_t day);
/* The day on which `n` working days counted from the day after `day` are over (n <= 0: `day`). */
int64_t svc_add_working_days(int64_t day, int n);
/* Working days after `from` up to and including `to` (0 when to <= from). */
int svc_working_days_between(int64_t from, int64_t to);
/* "YYYY-MM-DD" of `day` into out. */
void svc_day_text(int64_t day, char out[11]);
/* The day of "YYYY-MM-DD", or -1. */
int64_t svc_day_parse(const char *s);

/* ---- dossiers as stored (store.c) ---- */

struct svc_dossier {
    int64_t id;
    const char *code;
    const char *procedure_code;
    int64_t bundle_id;
    const char *applicant_id, *applicant_name;
    const char *province, *commune;
    const char *channel;
    const char *status;
    int step;
    const char *form; /* JSON text */
    const char *documents;
    int64_t fee;
    const char *payment_id;
    int64_t submitted_at;
    const char *due_day;
    int64_t decided_at;
    int on_time;
    const char *reason;
    const char *result_doc;
    int rating;
    const char *rating_comment;
    int64_t version;
    int64_t updated_at;
};

#define SVC_DOSSIER_COLUMNS                                                                        \
    "id, code, procedure_code, bundle_id, applicant_id, applicant_name, province, commune, "       \
    "channel, status, step, form, documents, fee, payment_id, submitted_at, due_day, decided_at, " \
    "on_time, reason, result_doc, rating, rating_comment, version, updated_at"

struct dd_stmt;
/* Reads a row of SVC_DOSSIER_COLUMNS (strings copied into a). */
void svc_dossier_row(struct dd_stmt *st, struct dd_arena *a, struct svc_dossier *d);
/* Loads dossier by code (or by id when code is NULL). DD_ENOTFOUND. */
int svc_dossier_load(struct dd_db *db, struct dd_arena *a, const char *code, int64_t id,
                     struct svc_dossier *d);
/* Inserts d (status, form… set; id and code, in a, are filled). */
int svc_dossier_insert(struct dd_db *db, struct dd_arena *a, struct svc_dossier *d);
/* Writes d's status, step, reason, due_day, decided_at, on_time, result_doc, payment_id,
 * rating, rating_comment, form, documents with version + 1; DD_ECONFLICT when the stored
 * version is no longer d->version. d->version is advanced. */
int svc_dossier_update(struct dd_db *db, struct svc_dossier *d, int64_t now_ms);
/* Appends a log row and emits the dossier's event ("dossier.changed", about the applicant, for
 * the inbox) in the caller's transaction. */
int svc_dossier_log(struct dd_db *db, struct dd_arena *a, const struct svc_dossier *d,
                    const char *actor, const char *action, const char *note, int64_t now_ms);
/* The dossier as JSON (new reference); with its log and parts when `full`. */
json_t *svc_dossier_json(struct dd_db *db, struct dd_arena *a, const struct svc_dossier *d,
                         bool full, int64_t now_ms);
/* The deadline state of d at now: on-track, due-soon, overdue; or on-time / late once decided. */
const char *svc_deadline_state(const struct svc_dossier *d, int64_t now_ms);
/* Sets d's due_day from day `from` and its procedure's processing days. */
void svc_dossier_set_due(struct dd_arena *a, struct svc_dossier *d, const struct svc_procedure *p,
                         int64_t now_ms);

/* ---- effects.c ---- */

/* The approval of d (already set approved in memory) in the caller's transaction: its register
 * effect (none for a bundle's part), its result into the wallet, and when d is the last part of
 * a bundle, the bundle's approval with its own effect and result. Replies and returns -1 on a
 * refusal (the caller rolls back); a store error otherwise. */
int svc_approve_effects(struct dd_req *req, struct dd_db *db, struct svc_dossier *d,
                        int64_t now_ms);

/* ---- help.c ---- */
/* Replies for a store code, rolling back an open transaction. Returns DD_DONE. */
int svc_fail(struct dd_req *req, struct dd_db *db, int rc);
/* The name of the caller for logs: "officer:12" or "citizen:<id number>". */
const char *svc_actor(struct dd_req *req);
/* A localised text of a {"vi","en"} object for the request's language. */
const char *svc_text(struct dd_req *req, const json_t *o);
/* Whether an officer may see dossier d (province, and commune for commune-level officers). */
bool svc_officer_sees(const struct dd_req *req, const struct svc_dossier *d);

/* ---- procedures.c ---- */
struct dd_reg_person;
/* The filled values of p's form for person r (new object): register fields, and wallet claims of
 * the newest valid document of the type named (absent when the wallet holds none). */
json_t *svc_prefill(struct dd_db *db, struct dd_arena *a, const struct svc_procedure *p,
                    const struct dd_reg_person *r, int64_t now_ms);

/* ---- kiosks.c ---- */
struct svc_kiosk {
    int64_t id;
    const char *name, *province, *commune;
    const char *actor; /* "kiosk:<id>" */
};
/* A secret presented in a header (`prefix` and 64 hex digits) and stored as its SHA-256: `sql`
 * selects its row with the hash as its first placeholder, then the `nbinds` integers of binds. */
struct svc_credential {
    const char *header, *prefix, *sql;
    int64_t binds[2];
    int nbinds;
    const char *vi, *en; /* the 401's detail */
};
/* Looks the secret of c up: 0 with *row on its row (the caller reads it, then resets *row); a
 * missing, malformed or unknown secret is answered 401 unauthenticated with c's detail (a store
 * failure with its problem), and -1 returned. Kiosk keys and kiosk sessions use it. */
int svc_credential_row_or_reply(struct dd_req *req, struct dd_db *db,
                                const struct svc_credential *c, struct dd_stmt **row);
/* The registered, unrevoked kiosk whose credential is in X-Kiosk-Key, into *k (strings in the
 * request's arena). Replies 401 (or the store's error) and returns -1 otherwise. */
int svc_kiosk_or_reply(struct dd_req *req, struct dd_db *db, struct svc_kiosk *k);

/* ---- tickets.c ---- */
/* Queue tickets taken in [from_ms, to_ms) in the area (commune NULL: the province) as a new
 * object {total, called, average_wait_seconds, by_office: [...]}. */
int svc_ticket_stats(struct dd_db *db, const char *province, const char *commune, int64_t from_ms,
                     int64_t to_ms, json_t **out);

/* ---- uploads.c: scans for a non-paperless procedure's documents ---- */
struct svc_upload {
    int64_t id;
    const char *owner_id; /* the citizen's ID number */
    const char *media_type;
    int64_t size;
    const char *sha256; /* hex; the file's name under DATA_DIR/uploads/ */
    int64_t created_at;
    int64_t dossier_id; /* 0 until a submission attaches it */
};
/* ---- upload_files.c: the files, and an upload's body streamed to a temporary file ---- */
/* The route's limit (upload-max-bytes), set by dd_services_configure. */
extern size_t svc_upload_max;
/* Where the files go (DATA_DIR/uploads by dd_services_configure): for tests. */
void svc_upload_set_dir(const char *dir);
/* "application/pdf", "image/jpeg" or "image/png" by the first bytes of p, or NULL. */
const char *svc_upload_sniff(const unsigned char *p, size_t n);
/* Receives the body of POST /api/v1/me/uploads as it arrives (DD_BODY_STREAM). */
extern const struct dd_body_sink svc_upload_sink;
struct svc_upload_body {
    const char *type; /* by the magic bytes; NULL when refused or empty */
    size_t size;      /* bytes received */
    int refused;      /* 0; DD_EINVAL: no PDF, JPEG or PNG, or not the type declared; DD_EIO */
};
/* What the streamed body of req came to, once it is in (a refused body's file is gone). */
void svc_upload_body(struct dd_req *req, struct svc_upload_body *out);
/* Keeps the body's temporary file as DATA_DIR/uploads/<hex> (fsync, rename, folder fsync), or
 * drops it when the same bytes are there already; hex gets the SHA-256. DD_EIO, DD_EINVAL for a
 * refused or empty body. */
int svc_upload_body_keep(struct dd_req *req, char hex[65]);
/* Opens the stored file of hash hex for reading into *fd (the caller closes it), checking that it
 * holds n bytes. DD_ENOTFOUND, DD_EIO (a file of another size included). */
int svc_upload_file_open(const char *hex, size_t n, int *fd);
/* Removes the stored file of hash hex (gone already is fine). */
int svc_upload_file_remove(const char *hex);

/* ---- uploads.c: the rows ---- */
/* Loads upload id (strings in a). DD_ENOTFOUND. */
int svc_upload_load(struct dd_db *db, struct dd_arena *a, int64_t id, struct svc_upload *u);
/* Why upload id cannot be referenced by `owner` ("upload-unknown": none of theirs,
 * "upload-already-attached", "upload-unreadable": a store error), or NULL when it can. */
const char *svc_upload_check(struct dd_db *db, struct dd_arena *a, int64_t id, const char *owner);
/* Attaches owner's unattached upload id to dossier_id in the caller's transaction; DD_ECONFLICT
 * when it is not (or no longer) theirs and unattached. */
int svc_upload_attach(struct dd_db *db, int64_t id, const char *owner, int64_t dossier_id);
/* Deletes up to `limit` (at most 100) uploads left unattached for a day as of now_ms, each
 * file with its last row; *removed gets the count of rows. Autocommits each row. */
int svc_uploads_purge(struct dd_db *db, struct dd_arena *a, int64_t now_ms, int limit,
                      int64_t *removed);

/* ---- documents.c: documents named at submission or in a supplement ---- */
/* The most documents a dossier holds, those of its supplements included. */
#define SVC_MAX_DOSSIER_DOCS 24
/* Whether document d ({kind, wallet_document} or {kind, upload}), at `at` in the body
 * ("documents[2]"), names a wallet document or an upload of `owner` no dossier holds; a bad
 * upload reference adds its error (upload-unknown, upload-already-attached) to *ext. */
bool svc_document_ref_ok(struct dd_req *req, struct dd_db *db, const json_t *d, const char *at,
                         const char *owner, json_t **ext);
/* Adds the error of documents named in a paperless procedure to *ext. */
void svc_document_paperless_error(struct dd_req *req, json_t **ext);

/* ---- help.c, dossiers of the caller ---- */
/* The caller's own dossier `code` (the path's), or a 404 reply (or the store's error) and -1. */
int svc_own_dossier_or_reply(struct dd_req *req, struct dd_db *db, struct svc_dossier *d);
/* Dossier `code` (the path's) if the calling officer's area sees it, or a 404 reply (or the
 * store's error) and -1. */
int svc_officer_dossier_or_reply(struct dd_req *req, struct dd_db *db, struct svc_dossier *d);

/* ---- submit.c ---- */
/* Whether v is a good value of typed field f, by its type (a date, a commune's 5 digits, one of
 * the choices, a whole number, text within its length): the one check of submissions and
 * supplements. */
bool svc_field_value_ok(const struct svc_field *f, const json_t *v);

/* ---- handlers ---- */
int svc_me_uploads_create(struct dd_req *req);
int svc_me_uploads_get(struct dd_req *req);
int svc_dossier_documents_get(struct dd_req *req);
int svc_procedures_list(struct dd_req *req);
int svc_procedures_get(struct dd_req *req);
int svc_me_form_get(struct dd_req *req);
int svc_me_dossiers_create(struct dd_req *req);
int svc_me_dossiers_list(struct dd_req *req);
int svc_me_dossiers_get(struct dd_req *req);
int svc_me_supplements_create(struct dd_req *req);
int svc_me_ratings_create(struct dd_req *req);
int svc_lookup(struct dd_req *req);
int svc_dossiers_list(struct dd_req *req);
int svc_dossiers_get(struct dd_req *req);
int svc_actions_create(struct dd_req *req);
int svc_statistics_get(struct dd_req *req);
int svc_kiosks_create(struct dd_req *req);
int svc_kiosks_list(struct dd_req *req);
int svc_kiosks_revoke(struct dd_req *req);
int svc_kiosk_sessions_create(struct dd_req *req);
int svc_kiosk_session_get(struct dd_req *req);
int svc_kiosk_dossiers_list(struct dd_req *req);
int svc_kiosk_form_get(struct dd_req *req);
int svc_kiosk_dossiers_create(struct dd_req *req);
int svc_kiosk_supplements_create(struct dd_req *req);
int svc_kiosk_session_finish(struct dd_req *req);
int svc_kiosk_tickets_create(struct dd_req *req);
int svc_tickets_list(struct dd_req *req);
int svc_tickets_next(struct dd_req *req);
int svc_on_event(struct dd_db *db, const struct dd_event *ev, void *arg);

#endif
