/*
 * internal.h — what the files of core/identity share: the rules' numbers, accounts as loaded,
 * the caller's network, one-time codes, throttling, the authentication history, sessions and
 * their cache, notices, JSON bodies read field by field, and the module's problem types.
 * Nothing here is for other modules; they use identity.h.
 */
#ifndef DD_CORE_IDENTITY_INTERNAL_H
#define DD_CORE_IDENTITY_INTERNAL_H

#include "core/identity/identity.h"
#include "crypto/recovery.h"
#include "http/principal.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_req;

/* --- the rules' numbers (docs/IDENTITY.md) --- */

#define ID_MINUTE_MS            (60LL * 1000)
#define ID_HOUR_MS              (60 * ID_MINUTE_MS)
#define ID_DAY_MS               (24 * ID_HOUR_MS)
#define ID_CODE_TTL_MS          (10 * ID_MINUTE_MS) /* a one-time code lives 10 minutes */
#define ID_CODE_MAX_ATTEMPTS    5                   /* wrong tries before a code is dead */
#define ID_SESSION_IDLE_MS      (30 * ID_MINUTE_MS) /* a session unused this long ends */
#define ID_SESSION_CITIZEN_MS   (12 * ID_HOUR_MS)   /* absolute life of a citizen's session */
#define ID_SESSION_OFFICER_MS   (8 * ID_HOUR_MS)    /* … of an officer's or staff member's */
#define ID_SESSION_ENROL_MS     (15 * ID_MINUTE_MS) /* … of an enrolment-only session */
#define ID_SESSION_TOUCH_MS     ID_MINUTE_MS        /* last_seen is written at most this often */
#define ID_SESSIONS_PER_ACCOUNT 20                  /* the oldest beyond this are ended */
#define ID_FREE_FAILURES        5                   /* failures per login before delays */
#define ID_MAX_DELAY_UNITS      900                 /* 15 minutes at the default unit */
#define ID_LOCKOUT_FAILURES     10                  /* consecutive failures that lock out */
#define ID_LOCKOUT_MS           ID_HOUR_MS          /* how long a lockout lasts at most */
#define ID_THROTTLE_QUIET_MS    ID_HOUR_MS          /* counters restart after this long */
#define ID_HISTORY_KEEP_DAYS    (5 * 365 + 2)       /* 5 years, leap days included */
#define ID_CHILD_AGE            14                  /* children below it act through a guardian */
#define ID_SMALL_BODY           (16 * 1024)

#define ID_SESSION_TOKEN_LEN 68 /* "dds_" + 64 hex digits */
#define ID_CSRF_LEN          64 /* hex of 32 random bytes */
#define ID_HEX_HASH          65 /* 64 hex digits of a SHA-256 and the NUL */
#define ID_LOGIN_MAX         64

/* Settings taken by dd_identity_configure. */
struct id_settings {
    int64_t delay_unit_ms; /* login-delay-ms */
    int64_t network_free;  /* login-network-failures */
    bool tls;              /* cookies get Secure */
    char totp_issuer[64];  /* totp-issuer */
};
extern struct id_settings id_settings;

/* --- time (time.c) --- */

/* Parses "YYYY-MM-DDTHH:MM:SS.sssZ" (or without the milliseconds) into ms since the epoch;
 * DD_EINVAL for anything else. */
int id_time_parse(const char *iso, int64_t *ms);

/* Writes the ISO text of a time (dd_clock_iso8601) into the arena. */
const char *id_time_text(struct dd_arena *a, int64_t ms);

/* Today's date (UTC+7, Vietnam) as YYYY-MM-DD. */
void id_today(int64_t now_ms, char out[11]);

/* Whole years from `birth` (YYYY, YYYY-MM or YYYY-MM-DD; a partial date counts from its last
 * possible day) to `today` (YYYY-MM-DD); -1 if `birth` is malformed. */
int id_age_years(const char *birth, const char *today);

/* --- the caller (client.c) --- */

#define ID_DEVICE_LEN 16
#define ID_PW_TAG_LEN 4

struct id_client {
    char network[64];               /* "203.0.113.0/24" or "2001:0db8:0001::/48"; "" if unknown */
    char user_agent[64];            /* "Firefox on Linux", "curl", "other" */
    char device[ID_DEVICE_LEN + 1]; /* id_device_fingerprint */
    const char *service;            /* "web" or "api" */
};

/* The client's network ("203.0.113.0/24", "2001:0db8:0001::/48"; "" if unknown) into out. */
void id_client_network(struct dd_req *req, char *out, size_t size);

/* Fills *c from the request's connection and User-Agent; service "web". */
void id_client_read(struct dd_req *req, struct id_client *c);

/* 16 hex digits of SHA-256 of the User-Agent as sent and the dd_device cookie (soc_tags.c). */
void id_device_fingerprint(struct dd_req *req, char out[ID_DEVICE_LEN + 1]);

/* 4 hex digits of a keyed hash of a typed password, the key random per process; "" for none.
 * Only for counting distinct passwords in the SOC (soc_tags.c). */
void id_password_tag(const char *password, char out[ID_PW_TAG_LEN + 1]);

/* The value of cookie `name` in the Cookie header, in the arena, or NULL. */
const char *id_cookie(struct dd_req *req, const char *name);

/* --- logins as typed (accounts.c) --- */

/* The canonical form of a typed login, in the arena: spaces around it removed, "P:…" passports
 * in upper case, anything else in lower case. NULL if empty, longer than ID_LOGIN_MAX, or not
 * printable ASCII (no account has such a login). */
const char *id_login_canon(struct dd_arena *a, const char *typed);

/* --- accounts (accounts.c) --- */

struct id_account {
    int64_t id;
    const char *kind; /* citizen, officer, staff */
    const char *login;
    const char *id_number;
    const char *nationality;
    const char *passport_number;
    const char *display_name;
    const char *birth_date;
    const char *phone;
    const char *email;
    int level;
    const char *status; /* pending, active, locked, suspended, disabled */
    const char *status_reason;
    const char *password_hash;
    const char *totp_secret;
    const char *totp_pending;
    int64_t totp_last_step;
    int64_t failed_logins;
    const char *locked_until;
    int64_t guardian_id; /* 0: none */
    const char *portrait_ref;
    const char *level2_by;
    const char *level2_at;
    const char *level2_card_check;
    const char *level2_face_check;
    const char *created_at;
    /* Officers: their officers row (officer_id 0 when there is none). */
    int64_t officer_id;
    const char *role;
    const char *province;
    const char *commune;
    const char *agency;
    bool officer_disabled;
    /* Staff: the organisation they act for (org_id 0 when the account is no organisation's
     * member now: never was, or their membership ended). */
    int64_t org_id;
    const char *org_role; /* owner, manager, clerk */
    const char *org_name;
    const char *org_kind;
    const char *org_province;
    const char *org_commune;
    const char *org_status; /* active, suspended */
};

/* Joins a staff member's current membership (m) and its organisation (g) to accounts a. */
#define ID_ORG_JOIN                                                                                \
    "LEFT JOIN org_staff m ON m.account_id = a.id AND m.ended_at = '' LEFT JOIN organisations g "  \
    "ON g.id = m.org_id "

/* Loads an account by login (canonical) or by id, strings in the arena. DD_ENOTFOUND. */
int id_account_by_login(struct dd_db *db, struct dd_arena *a, const char *login,
                        struct id_account *out);
int id_account_by_id(struct dd_db *db, struct dd_arena *a, int64_t id, struct id_account *out);

/* The account as its owner (or an officer) sees it: no secrets. */
json_t *id_account_json(const struct id_account *acc);

/* Sets status (and its reason; NULL keeps "") of account `id`, with updated_at. */
int id_account_set_status(struct dd_db *db, int64_t id, const char *status, const char *reason,
                          int64_t now_ms);

/* The principal of an account, as the authenticator gives it: an officer (their officers row),
 * a staff member (kind establishment: the organisation's id, area and name, their role in it,
 * display name "<staff name> (<organisation name>)"), or a citizen. */
void id_account_principal(const struct id_account *acc, struct dd_principal *p);

/* Masks a recipient for a reply: "n***@example.com", "+84*******89". In the arena. */
const char *id_mask_recipient(struct dd_arena *a, const char *recipient);

/* --- the register (person_match.c) --- */

struct id_person {
    const char *full_name;
    const char *birth_date;
    const char *father_id;
    const char *mother_id;
};

/* Finds the person `id_number` and checks that they are alive and that the typed full name
 * (folded: case, diacritics and spaces do not matter) and birth date (as the register holds
 * it, possibly partial) are theirs. DD_OK with *out filled (in the arena); DD_ENOTFOUND for any
 * mismatch, whichever field it is. */
int id_person_match(struct dd_db *db, struct dd_arena *a, const char *id_number,
                    const char *full_name, const char *birth_date, struct id_person *out);

/* --- one-time codes (codes.c) --- */

enum id_code_purpose { ID_CODE_REGISTRATION, ID_CODE_PASSWORD_RESET };

const char *id_code_purpose_name(enum id_code_purpose p);

/* Makes a new code for the account and purpose, stores its hash (valid ID_CODE_TTL_MS from
 * now_ms) and forgets the earlier unused codes of that purpose. Inside the caller's
 * transaction. */
int id_code_issue(struct dd_db *db, int64_t account_id, enum id_code_purpose p, const char *channel,
                  int64_t now_ms, char code[DD_OTC_SIZE]);

/* Checks a typed code against the newest usable code of the account and purpose (unused, not
 * expired, fewer than ID_CODE_MAX_ATTEMPTS wrong tries) and marks it used when it matches.
 * DD_OK; DD_EDENIED when it does not match (the try is counted); DD_ENOTFOUND when there is
 * no usable code; DD_EINVAL when the input is not 6 digits. Inside the caller's transaction. */
int id_code_check(struct dd_db *db, int64_t account_id, enum id_code_purpose p, const char *typed,
                  int64_t now_ms);

/* --- notices (notices.c) --- */

/* Sends a code by e-mail when the account has an address, else by SMS, in the request's
 * language: queued for the identity worker when it runs (sent after the reply), else sent now. */
void id_notice_code(struct dd_req *req, const struct id_account *acc, enum id_code_purpose p,
                    const char *code);

/* "email" or "sms": where a notice to this account goes. */
const char *id_notice_channel(const struct id_account *acc);

/* --- throttling (throttle.c) --- */

/* A login's keys are those of a guess (identity.h): item "login:" + SHA-256 of the canonical
 * login, net "net:" + network ("" when the network is unknown). */

void id_throttle_keys(const char *login, const struct id_client *c, struct dd_guess_keys *k);

/* The delay after `failures` failures when `free` are let through: 0 up to free - 1 failures,
 * then unit × 2^(failures − free + 1), at most unit × ID_MAX_DELAY_UNITS. */
int64_t id_throttle_delay(int64_t failures, int64_t free, int64_t unit_ms);

/* How long (ms) the caller must still wait before trying this login from this network: 0 when
 * it may try now. */
int id_throttle_wait(struct dd_db *db, const struct dd_guess_keys *k, int64_t now_ms,
                     int64_t *wait_ms);

/* Counts a failure for both keys and sets their delays. Inside the caller's transaction. */
int id_throttle_fail(struct dd_db *db, const struct dd_guess_keys *k, int64_t now_ms);

/* Forgets the failures of the login (after a success). Inside the caller's transaction. */
int id_throttle_clear(struct dd_db *db, const struct dd_guess_keys *k);

/* Replies 429 too-many-requests with Retry-After (whole seconds, at least 1). */
int id_reply_throttled(struct dd_req *req, int64_t wait_ms);

/* --- the authentication history (history.c) --- */

struct id_attempt {
    int64_t account_id; /* 0: the login matched no account */
    const char *login;  /* canonical, hashed into the row when there is no account */
    const char *method; /* password, totp, recovery, otc */
    int level;          /* the account's level, 0 when unknown */
    bool success;
    const char *reason; /* "", "bad-password", "unknown-login", … */
    int64_t session_id; /* the session a success opened, 0 for none */
    const struct id_client *client;
    const char *pw_tag; /* a refused password's id_password_tag, or NULL */
    const char *role;   /* an officer's role and area, for the SOC's rules; NULL for others */
    const char *area;
};

/* Writes one history row and its event (auth.succeeded or auth.failed, without secrets or the
 * typed login) inside the caller's transaction. */
int id_history_write(struct dd_db *db, const struct id_attempt *a, int64_t now_ms);

/* --- sessions (sessions.c) --- */

enum id_session_purpose { ID_SESSION_FULL, ID_SESSION_ENROLMENT };

struct id_session_new {
    int64_t account_id;
    enum id_session_purpose purpose;
    const char *method; /* password, totp, recovery */
    int level;
    int64_t lifetime_ms;
    const struct id_client *client;
};

struct id_session_made {
    int64_t id;
    char token[ID_SESSION_TOKEN_LEN + 1];
    char csrf[ID_CSRF_LEN + 1];
    int64_t expires_ms;
};

/* Creates a session (and ends the account's oldest beyond ID_SESSIONS_PER_ACCOUNT) inside the
 * caller's transaction. */
int id_session_create(struct dd_db *db, const struct id_session_new *s, int64_t now_ms,
                      struct id_session_made *out);

/* Ends session `session_id` of account `account_id` if it is still running. DD_ENOTFOUND
 * otherwise. Forgets it in the cache. */
int id_session_end(struct dd_db *db, int64_t account_id, int64_t session_id, const char *reason,
                   int64_t now_ms);

/* Ends every running session of an account and forgets them in the cache. */
int id_sessions_end_all(struct dd_db *db, int64_t account_id, const char *reason, int64_t now_ms);

/* Adds Set-Cookie for a new session (or, with token NULL, one that removes the cookie). */
void id_session_cookie(struct dd_req *req, const char *token, int64_t max_age_ms);

/* --- the session cache (session_cache.c) --- */

/* What a session lookup found. */
struct id_session_seen {
    int64_t session_id;
    int64_t account_id;
    bool enrolment; /* an enrolment-only session */
    char csrf[ID_CSRF_LEN + 1];
    int64_t last_seen_ms;
    int64_t valid_until_ms; /* min(expiry, idle end) */
    bool org_suspended;     /* a staff member's organisation is suspended: refused (403) */
    struct dd_principal who;
};

bool id_session_cache_get(const char *hash, int64_t now_ms, struct id_session_seen *out);
void id_session_cache_put(const char *hash, const struct id_session_seen *s, int64_t now_ms);
void id_session_cache_touched(const char *hash, int64_t last_seen_ms);
void id_session_cache_forget_session(int64_t session_id);
void id_session_cache_forget_account(int64_t account_id);

/* --- the caller's session (authenticate.c) --- */

/* Finds the session behind a session token's hash, from the cache or the database, and
 * writes last_seen when it is older than ID_SESSION_TOUCH_MS. DD_ENOTFOUND if no running
 * session of an active account has it. */
int id_session_lookup(struct dd_db *db, const char *hash, int64_t now_ms,
                      struct id_session_seen *out);

/* The session the request came with (bearer dds_… or the cookie), for handlers of routes that
 * need one; NULL (after a 401 reply) if there is none. */
const struct id_session_seen *id_current_session_or_reply(struct dd_req *req, struct dd_db *db);

/* --- recovery codes (recovery_codes.c) --- */

/* Replaces the account's recovery codes with n new ones; codes[i] are shown once. */
int id_recovery_codes_replace(struct dd_db *db, int64_t account_id, int64_t now_ms,
                              char (*codes)[DD_RECOVERY_CODE_SIZE], size_t n);

/* Marks as used the unused recovery code of the account that `typed` matches. DD_OK;
 * DD_EDENIED if none matches. Inside the caller's transaction. */
int id_recovery_code_use(struct dd_db *db, struct dd_arena *a, int64_t account_id,
                         const char *typed, int64_t now_ms);

/* --- events (events.c) --- */

/* Emits `type` with subject "account:ID" and a JSON payload (the reference is taken) inside
 * the caller's transaction. */
int id_event(struct dd_db *db, const char *type, int64_t account_id, json_t *payload);

/* --- JSON bodies (form.c) --- */

struct id_form {
    struct dd_req *req;
    json_t *body;
    json_t *ext; /* the problem's members, with "errors" */
};

/* Starts reading req->json, an object holding only `allowed` names (NULL-terminated). */
void id_form_init(struct id_form *f, struct dd_req *req, const char *const *allowed);
void id_form_error(struct id_form *f, const char *field, const char *code, const char *vi,
                   const char *en);
/* A string of at most max bytes without control characters, in NFC; NULL when absent (an
 * error if required) or wrong. */
const char *id_form_string(struct id_form *f, const char *name, bool required, size_t max);
/* A date: YYYY-MM-DD (or, when partial_ok, YYYY or YYYY-MM), real, not in the future. */
const char *id_form_date(struct id_form *f, const char *name, bool required, bool partial_ok);
/* A phone number, returned in E.164: "+" and 8–15 digits, or a Vietnamese "0" and 9 digits. */
const char *id_form_phone(struct id_form *f, const char *name, bool required);
/* An e-mail address local@domain, at most 254 bytes, in lower case. */
const char *id_form_email(struct id_form *f, const char *name, bool required);
/* The same rules without a form: the canonical phone (E.164) or e-mail (lower case) in the
 * arena, or NULL when `s` breaks them. */
const char *id_phone_canon(struct dd_arena *a, const char *s);
const char *id_email_canon(struct dd_arena *a, const char *s);
/* A 12-digit personal ID number. */
const char *id_form_id_number(struct id_form *f, const char *name, bool required);
/* A new password: the password rules (crypto/password.h) against the login and ID number. */
const char *id_form_password(struct id_form *f, const char *name, const char *login,
                             const char *id_number);
/* One of the NULL-terminated `values`. */
const char *id_form_enum(struct id_form *f, const char *name, bool required,
                         const char *const *values);
/* A whole number in [min, max]; `dflt` when absent. */
int64_t id_form_int(struct id_form *f, const char *name, bool required, int64_t min, int64_t max,
                    int64_t dflt);
/* Replies 400 validation-failed with every error and returns -1; 0 when all is well. */
int id_form_done_or_reply(struct id_form *f);

/* ?limit= (1–500, default 50) and ?cursor= (a positive id, or absent: 0). Replies 400. */
int id_page_or_reply(struct dd_req *req, int *limit, int64_t *cursor);

/* --- the module's problem types (problems.c) --- */

enum id_problem {
    ID_PROBLEM_INVALID_CREDENTIALS,    /* 401 */
    ID_PROBLEM_SECOND_FACTOR_REQUIRED, /* 401 */
    ID_PROBLEM_SECOND_FACTOR_INVALID,  /* 401 */
    ID_PROBLEM_ENROLMENT_REQUIRED,     /* 403 second-factor-enrolment-required */
    ID_PROBLEM_CSRF_FAILED,            /* 403 */
    ID_PROBLEM_ACCOUNT_NOT_CONFIRMED,  /* 403 */
    ID_PROBLEM_ACCOUNT_LOCKED,         /* 403 */
    ID_PROBLEM_ACCOUNT_LOCKED_OUT,     /* 403 */
    ID_PROBLEM_ACCOUNT_SUSPENDED,      /* 403 */
    ID_PROBLEM_ACCOUNT_DISABLED,       /* 403 */
    ID_PROBLEM_NOT_A_PARENT,           /* 403 */
    ID_PROBLEM_ACCOUNT_EXISTS,         /* 409 */
    ID_PROBLEM_REGISTER_MISMATCH,      /* 422 */
    ID_PROBLEM_GUARDIAN_REQUIRED,      /* 422 */
    ID_PROBLEM_CHILD_NOT_UNDER_14,     /* 422 */
    ID_PROBLEM_CODE_INVALID,           /* 422 */
    ID_PROBLEM_ORGANISATION_SUSPENDED, /* 403 */
    ID_PROBLEM_OUTSIDE_AREA,           /* 403 */
    ID_PROBLEM_STAFF_ROLE_NOT_ALLOWED, /* 403 */
    ID_PROBLEM_ORGANISATION_EXISTS,    /* 409 */
    ID_PROBLEM_USERNAME_TAKEN,         /* 409 */
    ID_PROBLEM_COUNT
};

/* Replies with one of the module's problem types; `ext` (may be NULL, reference taken) adds
 * members. Returns DD_DONE. */
int id_problem_reply(struct dd_req *req, enum id_problem p, json_t *ext);

/* Rolls back if a transaction is open, then answers for the code (503 busy, …). DD_DONE. */
int id_fail(struct dd_req *req, struct dd_db *db, int rc);

/* Commits; on failure rolls back and answers. 0 when committed, -1 after a reply. */
int id_commit_or_reply(struct dd_req *req, struct dd_db *db);

/* Loads account {id} of the path for an officer's action, or replies 404 and returns -1. */
int id_path_account_or_reply(struct dd_req *req, struct dd_db *db, struct id_account *acc);

/* --- handlers --- */

int id_accounts_create(struct dd_req *req);
int id_accounts_confirm(struct dd_req *req);
int id_accounts_find(struct dd_req *req);
int id_level2_create(struct dd_req *req);
int id_children_create(struct dd_req *req);
int id_sessions_create(struct dd_req *req);
int id_sessions_end_current(struct dd_req *req);
int id_password_resets_create(struct dd_req *req);
int id_password_resets_confirm(struct dd_req *req);
int id_me_get(struct dd_req *req);
int id_me_sessions_list(struct dd_req *req);
int id_me_sessions_end(struct dd_req *req);
int id_me_totp_create(struct dd_req *req);
int id_me_totp_confirm(struct dd_req *req);
int id_me_lock(struct dd_req *req);
int id_me_history(struct dd_req *req);
int id_accounts_unlock(struct dd_req *req);
int id_accounts_suspend(struct dd_req *req);
int id_accounts_reinstate(struct dd_req *req);

#endif
