/*
 * detect.c — the consumer's work: an outbox event that is a security event becomes one
 * soc_events row, then each rule of its type measures its window (a count, a sum of amounts, or
 * the number of distinct subjects, for the event's key) and, at the threshold, raises an alert
 * with the window's latest events as evidence, or adds a hit to the alert already open for the
 * same rule and key. A new alert emits soc.alert, which the SIEM forwarder sends on.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/str.h"
#include "core/events.h"
#include "core/soc/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVIDENCE_MAX 20
#define VN_OFFSET_MS (7 * 3600 * 1000LL) /* Asia/Ho_Chi_Minh: UTC+7, no daylight saving */

int
soc_event_store(struct dd_db *db, const struct dd_event *ev, const struct dd_soc_event *se,
                int64_t *row_id)
{
    *row_id = 0;
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO soc_events (event_id, at, type, module, actor, subject, "
                           "source, outcome, amount, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?) ON CONFLICT (event_id) DO NOTHING RETURNING id",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, ev->id);
    dd_stmt_bind_text(st, 2, ev->created_at);
    dd_stmt_bind_text(st, 3, ev->type);
    dd_stmt_bind_text(st, 4, se->module);
    dd_stmt_bind_text(st, 5, se->actor);
    dd_stmt_bind_text(st, 6, se->subject);
    dd_stmt_bind_text(st, 7, se->source);
    dd_stmt_bind_text(st, 8, se->outcome);
    dd_stmt_bind_int64(st, 9, se->amount);
    dd_stmt_bind_text(st, 10, ev->payload ? ev->payload : "{}");
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW)
        *row_id = dd_stmt_int64(st, 0);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static const char *
key_value(const struct soc_rule *r, const struct dd_soc_event *se)
{
    switch (r->key) {
    case SOC_KEY_SOURCE:
        return se->source;
    case SOC_KEY_ACTOR:
        return se->actor;
    case SOC_KEY_SUBJECT:
        return se->subject;
    default:
        return "*";
    }
}

/* The WHERE clause of a rule's window: type, time, key, outcome, subject prefix, in that order
 * of placeholders. */
static void
window_where(const struct soc_rule *r, char *out, size_t n)
{
    snprintf(out, n, "WHERE type = ? AND at >= ? AND at <= ?%s%s%s",
             r->key == SOC_KEY_ALL      ? ""
             : r->key == SOC_KEY_SOURCE ? " AND source = ?"
             : r->key == SOC_KEY_ACTOR  ? " AND actor = ?"
                                        : " AND subject = ?",
             r->outcome[0] ? " AND outcome = ?" : "",
             r->subject_prefix[0] ? " AND subject LIKE ?" : "");
}

static void
window_bind(struct dd_stmt *st, const struct soc_rule *r, const char *from, const char *to,
            const char *key, const char *prefix_like)
{
    int i = 1;
    dd_stmt_bind_text(st, i++, r->type);
    dd_stmt_bind_text(st, i++, from);
    dd_stmt_bind_text(st, i++, to);
    if (r->key != SOC_KEY_ALL)
        dd_stmt_bind_text(st, i++, key);
    if (r->outcome[0])
        dd_stmt_bind_text(st, i++, r->outcome);
    if (r->subject_prefix[0])
        dd_stmt_bind_text(st, i++, prefix_like);
}

/* The rule's measure over its window ending at the event. */
static int
measure(struct dd_db *db, const struct soc_rule *r, const char *from, const char *to,
        const char *key, const char *like, int64_t *value)
{
    char where[200], sql[320];
    window_where(r, where, sizeof where);
    snprintf(sql, sizeof sql, "SELECT %s FROM soc_events %s",
             r->measure == SOC_COUNT ? "COUNT(*)"
             : r->measure == SOC_SUM ? "COALESCE(SUM(amount), 0)"
                                     : "COUNT(DISTINCT subject)",
             where);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    window_bind(st, r, from, to, key, like);
    rc = dd_stmt_step(st);
    *value = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* The ids of the window's latest events, as a JSON array. */
static int
evidence(struct dd_db *db, const struct soc_rule *r, const char *from, const char *to,
         const char *key, const char *like, json_t **out)
{
    char where[200], sql[320];
    window_where(r, where, sizeof where);
    snprintf(sql, sizeof sql, "SELECT id FROM soc_events %s ORDER BY id DESC LIMIT %d", where,
             EVIDENCE_MAX);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    window_bind(st, r, from, to, key, like);
    *out = json_array();
    while ((rc = dd_stmt_step(st)) == DD_DB_ROW)
        json_array_append_new(*out, json_integer(dd_stmt_int64(st, 0)));
    dd_stmt_reset(st);
    if (rc < 0) {
        json_decref(*out);
        return rc;
    }
    return DD_OK;
}

/* Adds a hit to the open alert of (rule, key): *found tells whether there was one. */
static int
alert_add_hit(struct dd_db *db, const struct soc_rule *r, const char *key, const char *at,
              int64_t value, int64_t row_id, bool *found)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT id, evidence FROM soc_alerts WHERE rule_id = ? AND group_key = "
                           "? AND status <> 'closed'",
                           &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, r->id);
    dd_stmt_bind_text(st, 2, key);
    rc = dd_stmt_step(st);
    *found = rc == DD_DB_ROW;
    int64_t id = *found ? dd_stmt_int64(st, 0) : 0;
    json_t *ev = *found ? json_loads(dd_stmt_text(st, 1), 0, NULL) : NULL;
    dd_stmt_reset(st);
    if (rc < 0 || !*found) {
        json_decref(ev);
        return rc < 0 ? rc : DD_OK;
    }
    if (!json_is_array(ev)) {
        json_decref(ev);
        ev = json_array();
    }
    json_array_insert_new(ev, 0, json_integer(row_id));
    while (json_array_size(ev) > EVIDENCE_MAX)
        json_array_remove(ev, json_array_size(ev) - 1);
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    rc = dd_db_prepare(db,
                       "UPDATE soc_alerts SET hits = hits + 1, last_at = ?, value = ?, evidence = "
                       "? WHERE id = ?",
                       &st);
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, at);
        dd_stmt_bind_int64(st, 2, value);
        dd_stmt_bind_text(st, 3, text);
        dd_stmt_bind_int64(st, 4, id);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    free(text);
    return rc < 0 ? rc : DD_OK;
}

static int
alert_raise(struct dd_db *db, const struct soc_rule *r, const char *key, const char *at,
            int64_t value, json_t *proof)
{
    char *text = json_dumps(proof, JSON_COMPACT);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "INSERT INTO soc_alerts (rule_id, group_key, severity, status, "
                           "first_at, last_at, hits, value, evidence) VALUES (?, ?, ?, 'open', ?, "
                           "?, 1, ?, ?) RETURNING id",
                           &st);
    int64_t id = 0;
    if (rc == DD_OK) {
        dd_stmt_bind_text(st, 1, r->id);
        dd_stmt_bind_text(st, 2, key);
        dd_stmt_bind_text(st, 3, r->severity);
        dd_stmt_bind_text(st, 4, at);
        dd_stmt_bind_text(st, 5, at);
        dd_stmt_bind_int64(st, 6, value);
        dd_stmt_bind_text(st, 7, text);
        rc = dd_stmt_step(st);
        id = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
        dd_stmt_reset(st);
    }
    free(text);
    if (rc < 0)
        return rc;
    json_t *payload =
        json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s}", "alert", (json_int_t)id, "rule", r->id,
                  "key", key, "severity", r->severity, "value", (json_int_t)value, "threshold",
                  (json_int_t)r->threshold, "title", r->title_en);
    char *ptext = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    char subject[40];
    snprintf(subject, sizeof subject, "soc-alert:%lld", (long long)id);
    rc = dd_event_emit(db, "soc.alert", subject, ptext);
    free(ptext);
    return rc;
}

/* True when the event's local hour (Vietnam) is outside the rule's working hours, or the rule
 * has none. */
static bool
hours_match(const struct soc_rule *r, int64_t at_ms)
{
    if (r->hours_from < 0)
        return true;
    int64_t day_ms = (at_ms + VN_OFFSET_MS) % (24 * 3600 * 1000LL);
    int hour = (int)(day_ms / (3600 * 1000LL));
    return hour < r->hours_from || hour >= r->hours_to;
}

static int
run_rule(struct dd_db *db, const struct soc_rule *r, const struct dd_event *ev,
         const struct dd_soc_event *se, int64_t row_id, int64_t at_ms)
{
    const char *key = key_value(r, se);
    if (key[0] == '\0' || (r->outcome[0] && strcmp(r->outcome, se->outcome) != 0) ||
        (r->subject_prefix[0] && !dd_str_has_prefix(se->subject, r->subject_prefix)) ||
        !hours_match(r, at_ms))
        return DD_OK;
    char from[32], like[40];
    dd_clock_iso8601(at_ms - r->window_ms, from);
    snprintf(like, sizeof like, "%s%%", r->subject_prefix);
    int64_t value = 0;
    int rc = measure(db, r, from, ev->created_at, key, like, &value);
    if (rc != DD_OK || value < r->threshold)
        return rc;
    bool found;
    rc = alert_add_hit(db, r, key, ev->created_at, value, row_id, &found);
    if (rc != DD_OK || found)
        return rc;
    json_t *proof;
    rc = evidence(db, r, from, ev->created_at, key, like, &proof);
    if (rc != DD_OK)
        return rc;
    rc = alert_raise(db, r, key, ev->created_at, value, proof);
    json_decref(proof);
    return rc;
}

int
soc_detect(struct dd_db *db, const struct soc_ruleset *rs, const struct dd_event *ev,
           const struct dd_soc_event *se, int64_t row_id)
{
    int64_t at_ms = soc_time_ms(ev->created_at);
    int rc = DD_OK;
    for (size_t i = 0; rs && rc == DD_OK && i < rs->count; i++)
        if (strcmp(rs->rules[i].type, ev->type) == 0)
            rc = run_rule(db, &rs->rules[i], ev, se, row_id, at_ms);
    return rc;
}

int
dd_soc_on_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)arg;
    struct dd_soc_event se;
    if (!dd_soc_normalise(ev, &se))
        return DD_OK;
    int64_t row_id;
    int rc = soc_event_store(db, ev, &se, &row_id);
    if (rc != DD_OK || row_id == 0)
        return rc;
    struct soc_ruleset *rs = soc_rules_get();
    rc = soc_detect(db, rs, ev, &se, row_id);
    soc_rules_put(rs);
    return rc;
}
