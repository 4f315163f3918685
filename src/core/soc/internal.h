/*
 * internal.h — what the files of the SOC module share: the rule set, the stores of alerts and
 * incidents, and the helpers of its handlers.
 */
#ifndef DD_CORE_SOC_INTERNAL_H
#define DD_CORE_SOC_INTERNAL_H

#include "core/soc/soc.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct dd_arena;
struct dd_db;
struct dd_req;

enum soc_key { SOC_KEY_ALL, SOC_KEY_SOURCE, SOC_KEY_ACTOR, SOC_KEY_SUBJECT };
enum soc_measure { SOC_COUNT, SOC_SUM, SOC_DISTINCT_SUBJECTS, SOC_NEW_VALUE };
enum soc_baseline { SOC_BASELINE_NONE, SOC_BASELINE_OWN, SOC_BASELINE_PEERS };

#define SOC_ROLES_MAX 8

#define SOC_ID_MAX 64

struct soc_rule {
    char id[SOC_ID_MAX];
    char title_vi[200];
    char title_en[200];
    char severity[16]; /* low, medium, high, critical */
    char type[64];     /* the event type it counts */
    char outcome[16];  /* "" for any */
    char subject_prefix[32];
    enum soc_key key;
    enum soc_measure measure;
    int64_t window_ms;
    int64_t threshold;
    int hours_from, hours_to; /* counts only events outside [from, to) local hours; -1: always */
    char roles[SOC_ROLES_MAX][32]; /* only events whose actor has one of these roles */
    int nroles;                    /* 0: any actor */
    char field[16];                /* new-value: "device" or "source" */
    enum soc_baseline baseline;    /* fires only above factor × the own or the peers' rate */
    int64_t baseline_ms;           /* the span the baseline rate is taken over */
    double factor;
    int64_t pw_max;         /* fires only when at most this many passwords were tried; -1 */
    int64_t pw_min_percent; /* … or at least this share of distinct passwords per subject; -1 */
};

struct soc_ruleset {
    int refs;
    size_t count;
    struct soc_rule *rules;
    char loaded_at[32];
    char path[512];
};

/* Parses a rule set from JSON text. NULL with a sentence in err when it is not valid. */
struct soc_ruleset *soc_rules_parse(const char *text, char *err, size_t errlen);

/* The rule set in use with a reference taken (NULL when none); give it back with
 * soc_rules_put. */
struct soc_ruleset *soc_rules_get(void);
void soc_rules_put(struct soc_ruleset *rs);

/* The key column's name and the rule's names as JSON. */
const char *soc_key_name(enum soc_key k);
const char *soc_measure_name(enum soc_measure m);

/* Milliseconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.sss]Z"; -1 when it is not one. */
int64_t soc_time_ms(const char *iso);

/* --- detection (detect.c) --- */

/* Stores the normalised event; *row_id gets its soc_events id (0 when already stored). */
int soc_event_store(struct dd_db *db, const struct dd_event *ev, const struct dd_soc_event *se,
                    int64_t *row_id);

/* Runs every rule of `rs` for the stored event. */
int soc_detect(struct dd_db *db, const struct soc_ruleset *rs, const struct dd_event *ev,
               const struct dd_soc_event *se, int64_t row_id);

/* Deletes the rules' states (soc_rule_state) not written in the 24 hours before now_ms. */
int soc_state_prune(struct dd_db *db, int64_t now_ms);
/* The module's after_round (outside any transaction): soc_state_prune at most once an hour in
 * the process; a failure is logged. Returns 0. */
int soc_after_round(struct dd_db *db);

/* --- handlers' helpers (api_util.c) --- */

/* "officer:12", the actor of the caller in the SOC's records. */
const char *soc_actor(struct dd_req *req);

/* Path parameter {id} as a positive integer, or replies 404. */
int soc_path_id_or_reply(struct dd_req *req, int64_t *id);

/* Appends one timeline row of an incident inside the caller's transaction. */
int soc_timeline_add(struct dd_db *db, int64_t incident_id, const char *at, const char *actor,
                     const char *kind, const char *text, json_t *data);

/* One audit row (dd_audit_append) of an analyst's step `action` on incident `incident`, inside
 * the caller's transaction; takes `detail`. */
int soc_audit(struct dd_db *db, struct dd_req *req, const char *action, int64_t incident,
              json_t *detail);

/* An incident as JSON (with its timeline and alerts when `full`); DD_ENOTFOUND. */
int soc_incident_json(struct dd_db *db, struct dd_arena *a, int64_t id, bool full, json_t **out);

/* The alert as JSON; DD_ENOTFOUND. */
int soc_alert_json(struct dd_db *db, struct dd_arena *a, int64_t id, bool with_evidence,
                   json_t **out);

/* The breach notification draft of an incident marked as a breach. */
json_t *soc_breach_draft(json_t *incident, int64_t now_ms);

/* Reads string member `name` of the request's JSON body (at most `max` bytes, no control
 * characters): NULL when absent, or when bad after adding an error to *ext. */
const char *soc_body_text(struct dd_req *req, json_t **ext, const char *name, bool required,
                          size_t max);

/* Reads integer member `name` of the body (>= 1): 0 when absent, or when bad after adding an
 * error to *ext. */
int64_t soc_body_id(struct dd_req *req, json_t **ext, const char *name, bool required);

/* Replies 400 validation-failed with ext when it holds errors: -1; 0 when ext is NULL. Also
 * refuses a body member not in `fields`. */
int soc_body_done_or_reply(struct dd_req *req, json_t *ext, const char *const *fields);

/* Replies for a database or state error of a handler. */
int soc_fail(struct dd_req *req, struct dd_db *db, int rc);

/* --- handlers (api_watch.c, api_incidents.c, contain.c, breach.c) --- */
int soc_events_list(struct dd_req *req);
int soc_alerts_list(struct dd_req *req);
int soc_alert_get(struct dd_req *req);
int soc_alert_status(struct dd_req *req);
int soc_rules_list(struct dd_req *req);
int soc_rules_reload(struct dd_req *req);
int soc_incidents_create(struct dd_req *req);
int soc_incidents_list(struct dd_req *req);
int soc_incident_get(struct dd_req *req);
int soc_incident_update(struct dd_req *req);
int soc_incident_note(struct dd_req *req);
int soc_incident_action(struct dd_req *req);
int soc_incident_breach(struct dd_req *req);
int soc_incident_breach_draft(struct dd_req *req);

#endif
