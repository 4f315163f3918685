/*
 * internal.h — what the files of src/lgsp/ share: identifiers, the in-memory catalogue
 * (subsystems, services, rights), limits, the forwarder, the exchange log, usage counters.
 */
#ifndef DD_LGSP_INTERNAL_H
#define DD_LGSP_INTERNAL_H

#include "base/buf.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_req;

#define LGSP_ID_MAX        128 /* a subsystem id 'VN/GOV/<member>/<subsystem>' */
#define LGSP_SERVICE_MAX   176 /* '<subsystem-id>/<service-code>' */
#define LGSP_CODE_MAX      40  /* a member, subsystem or service code */
#define LGSP_URL_MAX       512
#define LGSP_PERSONS_MAX   16 /* people named in one answer that the access log records */
#define LGSP_BODY_MAX      (8u * 1024 * 1024) /* largest answer taken from a provider */
#define LGSP_EVENT_CHANGED "lgsp.changed"     /* the catalogue changed: caches reload */

/* ---- identifiers (ids.c) ---- */

/* True for a member code: 1–32 of A-Z 0-9 '-', beginning with a letter or a digit. */
bool lgsp_member_code_valid(const char *s);
/* True for a subsystem or service code: 1–40 of a-z A-Z 0-9 . _ -, beginning with a letter or a
 * digit. */
bool lgsp_code_valid(const char *s);
/* True for a subsystem id 'VN/GOV/<member-code>/<subsystem-code>'. */
bool lgsp_subsystem_id_valid(const char *s);
/* Splits a service id into its subsystem id and code (in out buffers); false when malformed. */
bool lgsp_service_id_split(const char *s, char subsystem[LGSP_ID_MAX],
                           char code[LGSP_CODE_MAX + 1]);
/* The consent service id under which a person consents to a consumer subsystem:
 * 'lgsp:<member>:<subsystem>' in lower case (core/consent's service ids). */
void lgsp_consent_service(const char *consumer, char *out, size_t outlen);

/* ---- the catalogue in memory (cache.c) ---- */

struct lgsp_service {
    char id[LGSP_SERVICE_MAX];
    char subsystem_id[LGSP_ID_MAX];
    char upstream[LGSP_URL_MAX];
    char upstream_auth[256]; /* the Authorization header the provider expects, or "" */
    char consent_item[32];
    char person_field[64];
    int keep_bodies_days;
    int timeout_ms;
    int64_t quota_per_day;
    int rate_per_second;
    unsigned slot; /* its row in the catalogue, for the limits and counters */
};

struct lgsp_consumer {
    char id[LGSP_ID_MAX];
    char member_name[200];
    bool suspended;
    unsigned slot;
};

enum lgsp_right_check {
    LGSP_RIGHT_OK,
    LGSP_RIGHT_NONE,
    LGSP_RIGHT_EXPIRED,
};

/* Marks the catalogue stale: the next lookup reloads it. */
void lgsp_cache_invalidate(void);

/* The consumer subsystem that calls as SSO client `client_id` — or, when cert_sha256 is not
 * NULL, whose registered client certificate has that SHA-256 (hex) — copied into *out. False
 * when it is no subsystem's; DD_E… in *rc when the catalogue could not be read. */
bool lgsp_cache_consumer(struct dd_db *db, const char *client_id, const char *cert_sha256,
                         struct lgsp_consumer *out, int *rc);

/* The service `id`, copied into *out; false when unknown (or *rc set as above). */
bool lgsp_cache_service(struct dd_db *db, const char *id, struct lgsp_service *out, int *rc);

/* Whether `consumer` may call `service` with `method` at now_ms: a right for the method or for
 * '*', not revoked, whose end is after now_ms. LGSP_RIGHT_EXPIRED when only ended ones exist. */
enum lgsp_right_check lgsp_cache_right(const char *consumer, const char *service,
                                       const char *method, int64_t now_ms);

/* A token seen valid: the client it names, until its expiry (at most 10 s; core/token_cache.h). */
bool lgsp_token_seen(const char *token, char client_id[64]);
void lgsp_token_remember(const char *token, const char *client_id, int64_t exp_ms);

/* ---- client certificates (mtls.c) ---- */

/* The SHA-256 (lower-case hex) of the DER of the client certificate the request's TLS
 * connection presented, once the certificate verifies against the CAs the server asks for
 * (DATA_DIR/tls/client-ca.pem: signature, validity dates). False without TLS, without a
 * certificate, or when it does not verify. */
bool lgsp_client_cert(struct dd_req *req, char out[65]);

/* ---- quotas and rates (limits.c) ---- */

enum lgsp_limit { LGSP_LIMIT_OK, LGSP_LIMIT_RATE, LGSP_LIMIT_QUOTA };

/* Counts one call of `consumer` to `service` at now_ms against the service's rate per second
 * (a token bucket) and quota per day (Vietnam's day); the call is refused when either is spent
 * (a refused call is not counted). */
enum lgsp_limit lgsp_limit_take(const struct lgsp_consumer *consumer,
                                const struct lgsp_service *service, int64_t now_ms);

/* Forgets every count (tests of a fresh catalogue; a catalogue reload keeps them). */
void lgsp_limit_reset(void);

/* ---- the forwarder (forward.c) ---- */

struct lgsp_call {
    struct dd_req *req;
    char *url;
    const char *method;
    const char *headers_text; /* "Name: value\r\n" lines for the provider */
    size_t headers_len;
    struct curl_slist *headers; /* the same for libcurl (forward.c makes and frees it) */
    const char *body;
    size_t body_len;
    long timeout_ms;
    int64_t deadline_ms; /* upstream.c: the monotonic time the call gives up */
    /* filled by the I/O thread */
    char *answer; /* malloc'd, NUL-terminated; the caller frees it (or hands it to MHD) */
    size_t answer_len;
    size_t answer_cap;
    bool answer_too_big;
    char content_type[128];
    long status;
    CURLcode result;
    struct lgsp_call *next;
    void *easy;
};

/* Starts and stops the I/O thread; running tells whether calls can be handed over. */
int lgsp_forward_start(void);
void lgsp_forward_stop(void);
bool lgsp_forward_running(void);

/* Hands `call` to the I/O thread, which unparks call->req when the answer (or the failure) is
 * in. The request must be parked first. */
void lgsp_forward_submit(struct lgsp_call *call);

/* Runs `call` on the calling thread (a request that cannot be parked). */
void lgsp_forward_run(struct lgsp_call *call);

/* ---- the lean HTTP/1.1 client (upstream.c) ---- */

/* Starts and stops its I/O thread. */
int lgsp_upstream_start(void);
void lgsp_upstream_stop(void);
/* Whether it takes calls to `url` (plain http, thread running). */
bool lgsp_upstream_handles(const char *url);
/* Hands `call` over as lgsp_forward_submit does. */
void lgsp_upstream_submit(struct lgsp_call *call);

/* ---- the exchange log (log.c) ---- */

struct lgsp_entry {
    struct lgsp_entry *next;
    int64_t at_ms;
    char consumer[LGSP_ID_MAX];
    char service[LGSP_SERVICE_MAX];
    char method[8];
    char path[256];
    int status;
    char outcome[24]; /* ok, upstream-error, timeout, or a refusal's reason */
    int64_t duration_us;
    char request_hash[65];
    char response_hash[65];
    char request_id[65];
    char ip[48];
    /* the people the answer named, for their access log and lgsp.person_read */
    int npersons;
    char persons[LGSP_PERSONS_MAX][13];
    char purpose[256];
    char agency[200];
    /* bodies kept by the service's policy (keep_days > 0) */
    int keep_days;
    char *request_body;
    char *response_body;
};

/* True for the outcomes that are refusals of the contract with the security operations centre
 * (`lgsp.refused` reasons): no-right, expired-right, consent-missing, quota, rate-limit,
 * suspended, bad-token. */
bool lgsp_outcome_refusal(const char *outcome);

/* Loads or makes the signing key and starts the writer thread. */
int lgsp_log_start(const char *data_dir, char *err, size_t errlen);
void lgsp_log_stop(void);

/* Queues an entry (malloc'd; the log frees it) for the next batch. False when the queue is
 * full: the writer is behind, and the gateway refuses calls rather than lose their record. */
bool lgsp_log_append(struct lgsp_entry *e);
bool lgsp_log_full(void);

/* Writes what is queued now, in one transaction on `db` (tests and the stop). */
int lgsp_log_flush(struct dd_db *db);

/* The hash of one row: SHA-256 hex over its fields, each length-prefixed, and prev_hash. */
void lgsp_log_row_hash(int64_t seq, const char *at, const char *consumer, const char *service,
                       const char *method, const char *path, int64_t status, const char *outcome,
                       int64_t duration_us, const char *request_hash, const char *response_hash,
                       const char *request_id, const char *prev_hash, char out[65]);

/* The text a batch signature covers. */
void lgsp_batch_message(int64_t first, int64_t last, const char *last_hash, char *out, size_t n);

/* ---- usage counters (stats.c) ---- */

/* Counts one exchange of consumer × service: refused, an error (5xx, timeout), its duration. */
void lgsp_stats_observe(const char *consumer, const char *service, int status, bool refused,
                        int64_t duration_us, int64_t now_ms);

/* The counters as JSON {"items":[{consumer, service, calls, errors, refused, mean_ms,
 * alerting}]}, filtered by consumer and/or provider subsystem (NULL: all). */
struct json_t;
struct json_t *lgsp_stats_json(const char *consumer, const char *provider);

/* The counters of every pair whose consumer is one of `subsystems` (n of them) or whose service
 * one of them provides, as lgsp_stats_json. */
struct json_t *lgsp_stats_json_of(const char *const *subsystems, size_t n);

/* Appends the counters in Prometheus' text format (for /metrics). */
int lgsp_stats_render(struct dd_buf *out);

/* ---- problems (problems.c) ---- */

enum lgsp_problem {
    LGSP_PROBLEM_NO_RIGHT,
    LGSP_PROBLEM_RIGHT_EXPIRED,
    LGSP_PROBLEM_SUSPENDED,
    LGSP_PROBLEM_CONSENT_MISSING,
    LGSP_PROBLEM_QUOTA,
    LGSP_PROBLEM_RATE,
    LGSP_PROBLEM_TIMEOUT,
    LGSP_PROBLEM_UPSTREAM,
};

/* Replies with the gateway's problem `p` (ext: more members, taken; may be NULL). */
int lgsp_problem_reply(struct dd_req *req, enum lgsp_problem p, struct json_t *ext);

/* ---- suspension (admin.c) ---- */

/* Suspends (or reinstates) `consumer` inside the caller's transaction, with the contract's
 * event lgsp.consumer_suspended / lgsp.consumer_reinstated and lgsp.changed. *changed is 0 when
 * it is unknown or already so (nothing emitted). */
int lgsp_set_suspended(struct dd_db *db, const char *consumer, bool suspended, const char *reason,
                       const char *who, int64_t *changed);

/* ---- lists (admin.c) ---- */

enum lgsp_cursor { LGSP_CURSOR_TEXT, LGSP_CURSOR_UP, LGSP_CURSOR_DOWN };

/* Runs a SELECT whose first column is the cursor key, binding the texts `args` (NULL-terminated),
 * then `?cursor` and ?limit+1, and replies {"items","next_cursor"} with each row as an object of
 * its other columns. LGSP_CURSOR_DOWN: the key is an integer read newest first (key < cursor). */
int lgsp_list_reply(struct dd_req *req, const char *sql, const char *const *args,
                    enum lgsp_cursor kind);

/* ---- handlers ---- */

int lgsp_gateway(struct dd_req *req);

/* An agency's own views (own.c): its staff signed in as its organisation. */
int lgsp_own_subsystems(struct dd_req *req);
int lgsp_own_log(struct dd_req *req);
int lgsp_own_usage(struct dd_req *req);

#endif
