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
#include "base/log.h"
#include "base/str.h"
#include "core/events.h"
#include "core/soc/internal.h"
#include "store/store.h"

#include <jansson.h>
#include <stdatomic.h>
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
                           "source, outcome, amount, details, actor_group, device, pw_tag) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO "
                           "NOTHING RETURNING id",
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
    dd_stmt_bind_text(st, 11, se->actor_group);
    dd_stmt_bind_text(st, 12, se->device);
    dd_stmt_bind_text(st, 13, se->pw_tag);
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
 * of placeholders. With `key_unindexed`, the key is compared as an expression, so that neither
 * database looks the rows up by the key's index (a lookup by subject). */
static void
window_where_for(const struct soc_rule *r, bool key_unindexed, char *out, size_t n)
{
    snprintf(out, n, "WHERE type = ? AND at >= ? AND at <= ?%s%s%s%s",
             r->key == SOC_KEY_ALL      ? ""
             : r->key == SOC_KEY_SOURCE ? " AND source"
             : r->key == SOC_KEY_ACTOR  ? " AND actor"
                                        : " AND subject",
             r->key == SOC_KEY_ALL ? "" : (key_unindexed ? " || '' = ?" : " = ?"),
             r->outcome[0] ? " AND outcome = ?" : "",
             r->subject_prefix[0] ? " AND subject LIKE ?" : "");
}

/* The number of placeholders window_bind fills. */
static int
window_params(const struct soc_rule *r)
{
    return 3 + (r->key != SOC_KEY_ALL) + (r->outcome[0] != '\0') + (r->subject_prefix[0] != '\0');
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

/* Prepares "HEAD <the window's WHERE clause> TAIL", a query over soc_events, with the window's
 * placeholders bound; the caller binds those of TAIL, after window_params(r). */
static int
window_prepare(struct dd_db *db, const struct soc_rule *r, bool key_unindexed, const char *head,
               const char *tail, const char *from, const char *to, const char *key,
               const char *like, struct dd_stmt **st)
{
    char where[200], sql[600];
    window_where_for(r, key_unindexed, where, sizeof where);
    snprintf(sql, sizeof sql, "%s %s %s", head, where, tail);
    int rc = dd_db_prepare(db, sql, st);
    if (rc == DD_OK)
        window_bind(*st, r, from, to, key, like);
    return rc;
}

/* Steps a prepared statement once and resets it: *out is its first column, *out2 (unless NULL)
 * its second (0 without a row). */
static int
first_ints(struct dd_stmt *st, int64_t *out, int64_t *out2)
{
    int rc = dd_stmt_step(st);
    *out = rc == DD_DB_ROW ? dd_stmt_int64(st, 0) : 0;
    if (out2)
        *out2 = rc == DD_DB_ROW ? dd_stmt_int64(st, 1) : 0;
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* The rule's measure over its window ending at the event. */
static int
measure(struct dd_db *db, const struct soc_rule *r, const char *from, const char *to,
        const char *key, const char *like, int64_t *value)
{
    const char *head = r->measure == SOC_COUNT ? "SELECT COUNT(*) FROM soc_events"
                       : r->measure == SOC_SUM ? "SELECT COALESCE(SUM(amount), 0) FROM soc_events"
                                               : "SELECT COUNT(DISTINCT subject) FROM soc_events";
    struct dd_stmt *st;
    int rc = window_prepare(db, r, false, head, "", from, to, key, like, &st);
    return rc == DD_OK ? first_ints(st, value, NULL) : rc;
}

/* The time at which the window ending at the event reached the rule's threshold, counting back
 * from its newest rows: the at of the threshold-th newest row (count), of the row that brings the
 * sum from the newest back to the threshold (sum), or of the threshold-th most recent last
 * appearance of a subject (distinct subjects). Until that time plus the window, the window keeps
 * those rows and stays at or above the threshold. "" when the window is below it. */
static int
reach_point(struct dd_db *db, const struct soc_rule *r, const char *from, const char *to,
            const char *key, const char *like, char out[32])
{
    const char *head, *tail;
    if (r->measure == SOC_COUNT) {
        head = "SELECT at FROM soc_events";
        tail = "ORDER BY at DESC LIMIT 1 OFFSET ?";
    } else if (r->measure == SOC_SUM) {
        head = "SELECT at FROM (SELECT at, id, SUM(amount) OVER (ORDER BY at DESC, id DESC ROWS "
               "BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM soc_events";
        tail = ") AS w WHERE running >= ? ORDER BY at DESC, id DESC LIMIT 1";
    } else {
        head = "SELECT last FROM (SELECT MAX(at) AS last FROM soc_events";
        tail = "GROUP BY subject) AS s ORDER BY last DESC LIMIT 1 OFFSET ?";
    }
    struct dd_stmt *st;
    int rc = window_prepare(db, r, false, head, tail, from, to, key, like, &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, window_params(r) + 1,
                       r->measure == SOC_SUM ? r->threshold : r->threshold - 1);
    rc = dd_stmt_step(st);
    out[0] = '\0';
    if (rc == DD_DB_ROW)
        dd_strlcpy(out, dd_stmt_text(st, 0), 32);
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

/* The ids of the window's latest events, as a JSON array. */
static int
evidence(struct dd_db *db, const struct soc_rule *r, const char *from, const char *to,
         const char *key, const char *like, json_t **out)
{
    char tail[40];
    snprintf(tail, sizeof tail, "ORDER BY id DESC LIMIT %d", EVIDENCE_MAX);
    struct dd_stmt *st;
    int rc =
        window_prepare(db, r, false, "SELECT id FROM soc_events", tail, from, to, key, like, &st);
    if (rc != DD_OK)
        return rc;
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

/* One integer of a query whose placeholders are bound by `bind`. */
static int
scalar(struct dd_db *db, const char *sql, int64_t *out, int64_t *out2,
       void (*bind)(struct dd_stmt *, const void *), const void *arg)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, sql, &st);
    if (rc != DD_OK)
        return rc;
    bind(st, arg);
    return first_ints(st, out, out2);
}

struct win {
    const struct soc_rule *r;
    const struct dd_soc_event *se;
    const char *from, *to, *key, *like;
    int64_t row_id;
};

/* The number of different passwords (their tags) tried in the window. */
static int
distinct_passwords(struct dd_db *db, const struct win *w, int64_t *n)
{
    struct dd_stmt *st;
    int rc = window_prepare(db, w->r, false, "SELECT COUNT(DISTINCT pw_tag) FROM soc_events",
                            "AND pw_tag <> ''", w->from, w->to, w->key, w->like, &st);
    return rc == DD_OK ? first_ints(st, n, NULL) : rc;
}

static void
bind_new_value(struct dd_stmt *st, const void *arg)
{
    const struct win *w = arg;
    dd_stmt_bind_text(st, 1, strcmp(w->r->field, "device") == 0 ? w->se->device : w->se->source);
    dd_stmt_bind_text(st, 2, w->r->type);
    dd_stmt_bind_text(st, 3, w->from);
    dd_stmt_bind_text(st, 4, w->to);
    dd_stmt_bind_text(st, 5, w->key);
    dd_stmt_bind_int64(st, 6, w->row_id);
}

/* new-value: 1 when the actor had events of the type in the window (its history) and none with
 * the event's device (or source); 0 otherwise, and for an actor without history. */
static int
new_value(struct dd_db *db, const struct win *w, int64_t *value)
{
    const char *v = strcmp(w->r->field, "device") == 0 ? w->se->device : w->se->source;
    *value = 0;
    if (v[0] == '\0')
        return DD_OK;
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*), COALESCE(SUM(CASE WHEN %s = ? THEN 1 ELSE 0 END), 0) FROM "
             "soc_events WHERE type = ? AND at >= ? AND at <= ? AND actor = ? AND id <> ?",
             strcmp(w->r->field, "device") == 0 ? "device" : "source");
    int64_t history = 0, same = 0;
    int rc = scalar(db, sql, &history, &same, bind_new_value, w);
    if (rc == DD_OK && history > 0 && same == 0)
        *value = 1;
    return rc;
}

struct base {
    const struct win *w;
    const char *since;
};

static void
bind_base(struct dd_stmt *st, const void *arg)
{
    const struct base *b = arg;
    dd_stmt_bind_text(st, 1, b->w->r->type);
    dd_stmt_bind_text(st, 2, b->since);
    dd_stmt_bind_text(st, 3, b->w->r->baseline == SOC_BASELINE_OWN ? b->w->from : b->w->to);
    dd_stmt_bind_text(st, 4,
                      b->w->r->baseline == SOC_BASELINE_OWN ? b->w->key : b->w->se->actor_group);
    if (b->w->r->baseline == SOC_BASELINE_PEERS)
        dd_stmt_bind_text(st, 5, b->w->key);
}

/* True when the window's value is at least factor × the baseline rate per window: the actor's
 * own over the baseline span before the window, or the average of their peers (same role and
 * area) over the whole span. No history (or no peers) compares with nothing: false. */
static int
above_baseline(struct dd_db *db, const struct win *w, int64_t at_ms, int64_t value, bool *above)
{
    const struct soc_rule *r = w->r;
    *above = false;
    if (r->baseline == SOC_BASELINE_PEERS && w->se->actor_group[0] == '\0')
        return DD_OK;
    char since[32], sql[300];
    dd_clock_iso8601(at_ms - r->baseline_ms, since);
    const char *what = r->measure == SOC_SUM ? "COALESCE(SUM(amount), 0)" : "COUNT(*)";
    if (r->baseline == SOC_BASELINE_OWN)
        snprintf(sql, sizeof sql,
                 "SELECT %s, 1 FROM soc_events WHERE type = ? AND at >= ? AND at < ? AND actor = ?",
                 what);
    else
        snprintf(sql, sizeof sql,
                 "SELECT %s, COUNT(DISTINCT actor) FROM soc_events WHERE type = ? AND at >= ? AND "
                 "at <= ? AND actor_group = ? AND actor <> ?",
                 what);
    struct base b = {w, since};
    int64_t total = 0, actors = 0;
    int rc = scalar(db, sql, &total, &actors, bind_base, &b);
    if (rc != DD_OK || total == 0 || actors == 0)
        return rc;
    double span =
        (double)(r->baseline == SOC_BASELINE_OWN ? r->baseline_ms - r->window_ms : r->baseline_ms);
    double per_window = (double)total / (double)actors * ((double)r->window_ms / span);
    *above = (double)value >= r->factor * per_window;
    return DD_OK;
}

/* True when the actor's role (actor_group up to '@') is one of the rule's. */
static bool
role_match(const struct soc_rule *r, const struct dd_soc_event *se)
{
    if (r->nroles == 0)
        return true;
    size_t n = strcspn(se->actor_group, "@");
    for (int i = 0; i < r->nroles; i++)
        if (strlen(r->roles[i]) == n && strncmp(r->roles[i], se->actor_group, n) == 0)
            return true;
    return false;
}

/* What a rule knows of its window for one key (soc_rule_state, migration 0032). */
struct watch {
    bool found;          /* a row for the rule's present threshold and window */
    int64_t slack;       /* what events may add before the window can reach the threshold */
    char held_until[32]; /* the window stays at or above the threshold until then, or "" */
    int64_t value;       /* the measure as last counted, plus what came since */
};

/* Binds the rule's id, the key, the threshold and the window to placeholders 1 to 4. */
static void
bind_watch_key(struct dd_stmt *st, const struct win *w)
{
    dd_stmt_bind_text(st, 1, w->r->id);
    dd_stmt_bind_text(st, 2, w->key);
    dd_stmt_bind_int64(st, 3, w->r->threshold);
    dd_stmt_bind_int64(st, 4, w->r->window_ms);
}

static int
watch_load(struct dd_db *db, const struct win *w, struct watch *out)
{
    *out = (struct watch){.found = false};
    struct dd_stmt *st;
    int rc = dd_db_prepare(db,
                           "SELECT slack, held_until, value FROM soc_rule_state WHERE rule_id = ? "
                           "AND group_key = ? AND threshold = ? AND window_ms = ?",
                           &st);
    if (rc != DD_OK)
        return rc;
    bind_watch_key(st, w);
    rc = dd_stmt_step(st);
    if (rc == DD_DB_ROW) {
        out->found = true;
        out->slack = dd_stmt_int64(st, 0);
        dd_strlcpy(out->held_until, dd_stmt_text(st, 1), sizeof out->held_until);
        out->value = dd_stmt_int64(st, 2);
    }
    dd_stmt_reset(st);
    return rc < 0 ? rc : DD_OK;
}

static int
watch_save(struct dd_db *db, const struct win *w, int64_t slack, const char *held_until,
           int64_t value)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(
        db,
        "INSERT INTO soc_rule_state (rule_id, group_key, threshold, window_ms, slack, held_until, "
        "value, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule_id, group_key) DO "
        "UPDATE SET threshold = excluded.threshold, window_ms = excluded.window_ms, slack = "
        "excluded.slack, held_until = excluded.held_until, value = excluded.value, updated_at = "
        "excluded.updated_at",
        &st);
    if (rc != DD_OK)
        return rc;
    bind_watch_key(st, w);
    dd_stmt_bind_int64(st, 5, slack);
    dd_stmt_bind_text(st, 6, held_until);
    dd_stmt_bind_int64(st, 7, value);
    dd_stmt_bind_text(st, 8, w->to);
    return dd_stmt_run(st);
}

/* What the event adds to its window at most: 1 (count), its amount (sum), or for distinct
 * subjects 1 when no other event of the window has its subject, else 0. */
static int
event_adds(struct dd_db *db, const struct win *w, int64_t *adds)
{
    if (w->r->measure != SOC_DISTINCT_SUBJECTS) {
        *adds = w->r->measure == SOC_SUM ? w->se->amount : 1;
        return DD_OK;
    }
    struct dd_stmt *st;
    int rc = window_prepare(db, w->r, true, "SELECT COUNT(*) FROM (SELECT 1 FROM soc_events",
                            "AND subject = ? AND id <> ? LIMIT 1) AS seen", w->from, w->to, w->key,
                            w->like, &st);
    if (rc != DD_OK)
        return rc;
    int n = window_params(w->r);
    dd_stmt_bind_text(st, n + 1, w->se->subject);
    dd_stmt_bind_int64(st, n + 2, w->row_id);
    int64_t seen = 0;
    rc = first_ints(st, &seen, NULL);
    *adds = seen ? 0 : 1;
    return rc;
}

/* The window's measure for the event, counting the window only when its state cannot tell:
 * an event that adds no more than the slack left leaves the window below the threshold (0
 * here), and while the window is held at or above the threshold its value grows by what each
 * event adds. A count sets the slack (below) or the time the window holds until (at or above),
 * from the rows that reached the threshold. Exact for what matters, whether the threshold is
 * reached: a window only gains what its events add, and loses rows only as time passes. */
static int
window_value(struct dd_db *db, const struct win *w, int64_t *value)
{
    const struct soc_rule *r = w->r;
    struct watch known;
    int64_t adds = 0;
    int rc = watch_load(db, w, &known);
    if (rc == DD_OK && known.found) /* without a state the window is counted anyway */
        rc = event_adds(db, w, &adds);
    if (rc != DD_OK)
        return rc;
    if (known.found && adds >= 0 && known.held_until[0] && strcmp(w->to, known.held_until) <= 0) {
        *value = known.value + adds;
        return watch_save(db, w, -1, known.held_until, *value);
    }
    if (known.found && adds >= 0 && adds <= known.slack) {
        *value = 0;
        return watch_save(db, w, known.slack - adds, "", known.value + adds);
    }
    rc = measure(db, r, w->from, w->to, w->key, w->like, value);
    if (rc != DD_OK)
        return rc;
    if (*value < r->threshold)
        return watch_save(db, w, r->threshold - 1 - *value, "", *value);
    char reached[32], until[32] = "";
    rc = reach_point(db, r, w->from, w->to, w->key, w->like, reached);
    if (rc == DD_OK && reached[0] && soc_time_ms(reached) >= 0)
        dd_clock_iso8601(soc_time_ms(reached) + r->window_ms, until);
    return rc == DD_OK ? watch_save(db, w, -1, until, *value) : rc;
}

/* The rule's value for the event when it reaches the threshold and its other conditions
 * (passwords, baseline) hold; 0 otherwise. */
static int
rule_value(struct dd_db *db, const struct win *w, int64_t at_ms, int64_t *value)
{
    const struct soc_rule *r = w->r;
    int rc = r->measure == SOC_NEW_VALUE ? new_value(db, w, value) : window_value(db, w, value);
    if (rc != DD_OK || *value < r->threshold)
        return rc;
    if (r->pw_max >= 0 || r->pw_min_percent >= 0) {
        int64_t pw = 0;
        rc = distinct_passwords(db, w, &pw);
        if (rc == DD_OK && ((r->pw_max >= 0 && pw > r->pw_max) ||
                            (r->pw_min_percent >= 0 && pw * 100 < r->pw_min_percent * *value)))
            *value = 0;
    }
    if (rc == DD_OK && *value > 0 && r->baseline != SOC_BASELINE_NONE) {
        bool above = false;
        rc = above_baseline(db, w, at_ms, *value, &above);
        if (!above)
            *value = 0;
    }
    return rc;
}

static int
run_rule(struct dd_db *db, const struct soc_rule *r, const struct dd_event *ev,
         const struct dd_soc_event *se, int64_t row_id, int64_t at_ms)
{
    const char *key = key_value(r, se);
    if (key[0] == '\0' || (r->outcome[0] && strcmp(r->outcome, se->outcome) != 0) ||
        (r->subject_prefix[0] && !dd_str_has_prefix(se->subject, r->subject_prefix)) ||
        !hours_match(r, at_ms) || !role_match(r, se))
        return DD_OK;
    char from[32], like[40];
    dd_clock_iso8601(at_ms - r->window_ms, from);
    snprintf(like, sizeof like, "%s%%", r->subject_prefix);
    struct win w = {r, se, from, ev->created_at, key, like, row_id};
    int64_t value = 0;
    int rc = rule_value(db, &w, at_ms, &value);
    if (rc != DD_OK || value < r->threshold || value == 0)
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

/* Every hour at most, in each process, the rule states not written for a day go: their keys
 * had no event of their type since, and a key without a state is counted in full at its next
 * event. */
#define STATE_PRUNE_PERIOD_MS (3600 * 1000LL)
#define STATE_KEEP_MS         (24 * 3600 * 1000LL)

int
soc_state_prune(struct dd_db *db, int64_t now_ms)
{
    char cutoff[32];
    dd_clock_iso8601(now_ms - STATE_KEEP_MS, cutoff);
    struct dd_stmt *st;
    int rc = dd_db_prepare(db, "DELETE FROM soc_rule_state WHERE updated_at < ?", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_text(st, 1, cutoff);
    return dd_stmt_run(st);
}

int
soc_after_round(struct dd_db *db)
{
    static _Atomic int64_t last_ms;
    int64_t now = dd_clock_now_ms();
    int64_t last = atomic_load(&last_ms);
    if (now - last < STATE_PRUNE_PERIOD_MS || !atomic_compare_exchange_strong(&last_ms, &last, now))
        return 0;
    int rc = soc_state_prune(db, now);
    if (rc != DD_OK)
        dd_log(DD_LOG_WARN, "soc.state_prune", "pruning the rules' states: %s", dd_strerror(rc));
    return 0;
}
