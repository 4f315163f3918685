/*
 * soc.h — the security operations centre (model 31, docs/SOC.md): security events from every
 * module in one table, detection rules kept as data, alerts, incidents and their handling, and
 * the forwarding of events and alerts to an external SIEM.
 *
 * The module `soc` is an event consumer: each outbox event that matters for security is written
 * once into soc_events in a uniform shape (dd_soc_normalise), then every rule of the loaded set
 * (data/soc-rules.json, setting soc-rules) whose type matches counts its window; a rule at its
 * threshold raises an alert, or adds a hit to the alert already open for the same rule and key.
 * The rules are reloaded without a restart by POST /api/v1/soc/rules/reload and by SIGHUP.
 */
#ifndef DD_CORE_SOC_SOC_H
#define DD_CORE_SOC_SOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_config;
struct dd_db;
struct dd_event;
struct dd_module;

extern const struct dd_module dd_module_soc;

/* One event in the uniform shape. Strings point into the caller's buffers or the event. */
struct dd_soc_event {
    const char *module;   /* "identity", "register", "lgsp", "card", "audit", … */
    char actor[300];      /* who did it: "account:7", "officer:3", "lgsp:VN/GOV/…", or "" */
    char subject[300];    /* what it was about: "account:7", "login:<sha256>", "person:…" */
    char source[72];      /* the network it came from, or "" */
    const char *outcome;  /* "success", "failure" or "info" */
    int64_t amount;       /* what a summing rule adds: 1, or the size of a batch */
    char actor_group[80]; /* the actor's role and area: "province-police@56", or "" */
    char device[20];      /* a login's device fingerprint (16 hex digits), or "" */
    char pw_tag[8];       /* a refused password's keyed tag (4 hex digits), or "" */
};

/* Fills *out from outbox event `ev` when it is a security event; false for one the SOC
 * ignores. Pure: reads the event's type, subject and payload only. */
bool dd_soc_normalise(const struct dd_event *ev, struct dd_soc_event *out);

/* A configuration or key change as a security event (type config.* or keys.*), payload `detail`
 * (taken; NULL for none) with "actor" added, inside the caller's open transaction — the
 * change's own when it is written to the database. */
int dd_soc_change_event(struct dd_db *db, const char *type, const char *subject, const char *actor,
                        json_t *detail);

/* The same in a transaction of its own, for changes kept in files; a failure is logged. */
int dd_soc_change_event_tx(struct dd_db *db, const char *type, const char *subject,
                           const char *actor, json_t *detail);

/* Records a reload of the rules (rc its result, err its reason when refused) as config.changed
 * or config.refused, subject soc-rules, in a transaction of its own. */
void dd_soc_reload_event(struct dd_db *db, const char *actor, int rc, const char *err);

/* Remembers the rules file of the settings (soc-rules) and loads it. A file that cannot be read
 * or is not a valid rule set leaves no rules and is logged: detection then does nothing until a
 * reload succeeds. */
void dd_soc_configure(const struct dd_config *cfg);

/* Reads the rules file again and, when it is valid, replaces the rule set in use; a bad file
 * keeps the rules in use. DD_OK, DD_EIO (unreadable) or DD_EINVAL (with a sentence in err). */
int dd_soc_reload(char *err, size_t errlen);

/* Releases the rule set (at shutdown). */
void dd_soc_stop(void);

/* The consumer's work for one event, inside the delivery transaction: stores it and runs the
 * rules. Exposed for the unit tests. */
int dd_soc_on_event(struct dd_db *db, const struct dd_event *ev, void *arg);

#endif
