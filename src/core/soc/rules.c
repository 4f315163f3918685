/*
 * rules.c — the detection rules as data: parsing data/soc-rules.json (the setting soc-rules),
 * and the rule set in use, replaced whole by a reload while the consumer keeps the one it holds
 * until it gives it back.
 *
 * A rule: {"id", "title": {"vi", "en"}, "severity", "type", "outcome"?, "subject_prefix"?,
 * "key": "source|actor|subject|all", "measure": "count|sum|distinct-subjects",
 * "window_minutes", "threshold", "outside_hours": [from, to]?, "roles": [...]?, "field"?,
 * "baseline": {"compare": "own|peers", "days", "factor"}?, "passwords": {"max"|"min_percent"}?}.
 * See docs/SOC.md.
 */
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/clock.h"
#include "core/soc/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RULES_MAX      200
#define RULES_MAX_FILE (1024 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct soc_ruleset *current;
static char rules_path[512];

static const char *const key_names[] = {"all", "source", "actor", "subject"};
static const char *const measure_names[] = {"count", "sum", "distinct-subjects", "new-value"};
static const char *const severities[] = {"low", "medium", "high", "critical", NULL};

const char *
soc_key_name(enum soc_key k)
{
    return key_names[k];
}

const char *
soc_measure_name(enum soc_measure m)
{
    return measure_names[m];
}

int64_t
soc_time_ms(const char *iso)
{
    struct tm tm = {0};
    int ms = 0;
    if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                              &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    if (strlen(iso) >= 23 && iso[19] == '.')
        ms = (iso[20] - '0') * 100 + (iso[21] - '0') * 10 + (iso[22] - '0');
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

static bool
text_field(json_t *o, const char *name, bool required, char *out, size_t n)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL)
        return !required;
    const char *s = json_string_value(v);
    if (s == NULL || strlen(s) >= n || (required && s[0] == '\0'))
        return false;
    dd_strlcpy(out, s, n);
    return true;
}

static int
name_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* "roles": the actor roles a rule is limited to. */
static bool
parse_roles(json_t *o, struct soc_rule *r)
{
    json_t *roles = json_object_get(o, "roles");
    if (roles == NULL)
        return true;
    if (!json_is_array(roles) || json_array_size(roles) == 0 ||
        json_array_size(roles) > SOC_ROLES_MAX)
        return false;
    for (size_t i = 0; i < json_array_size(roles); i++) {
        const char *s = json_string_value(json_array_get(roles, i));
        if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof r->roles[0])
            return false;
        dd_strlcpy(r->roles[r->nroles++], s, sizeof r->roles[0]);
    }
    return true;
}

/* "baseline": {"compare": "own" | "peers", "days": 1..366, "factor": > 1}. */
static bool
parse_baseline(json_t *o, struct soc_rule *r)
{
    json_t *b = json_object_get(o, "baseline");
    if (b == NULL)
        return true;
    const char *compare = json_string_value(json_object_get(b, "compare"));
    json_t *days = json_object_get(b, "days"), *factor = json_object_get(b, "factor");
    if (!json_is_object(b) || compare == NULL || !json_is_integer(days) ||
        json_integer_value(days) < 1 || json_integer_value(days) > 366 || !json_is_number(factor) ||
        json_number_value(factor) <= 1 || json_object_size(b) != 3)
        return false;
    r->baseline = strcmp(compare, "own") == 0     ? SOC_BASELINE_OWN
                  : strcmp(compare, "peers") == 0 ? SOC_BASELINE_PEERS
                                                  : SOC_BASELINE_NONE;
    r->baseline_ms = json_integer_value(days) * 24 * 3600 * 1000LL;
    r->factor = json_number_value(factor);
    /* The baseline must be longer than the window it is compared with. */
    return r->baseline != SOC_BASELINE_NONE && r->key == SOC_KEY_ACTOR &&
           r->measure != SOC_DISTINCT_SUBJECTS && r->measure != SOC_NEW_VALUE &&
           r->baseline_ms > r->window_ms;
}

/* "passwords": {"max": n} (spraying: few passwords) or {"min_percent": p} (stuffing: a
 * different password for most subjects), on a distinct-subjects rule. */
static bool
parse_passwords(json_t *o, struct soc_rule *r)
{
    r->pw_max = r->pw_min_percent = -1;
    json_t *pw = json_object_get(o, "passwords");
    if (pw == NULL)
        return true;
    json_t *max = json_object_get(pw, "max"), *pct = json_object_get(pw, "min_percent");
    if (!json_is_object(pw) || json_object_size(pw) != 1 || r->measure != SOC_DISTINCT_SUBJECTS)
        return false;
    if (json_is_integer(max) && json_integer_value(max) >= 1)
        r->pw_max = json_integer_value(max);
    else if (json_is_integer(pct) && json_integer_value(pct) >= 1 && json_integer_value(pct) <= 100)
        r->pw_min_percent = json_integer_value(pct);
    else
        return false;
    return true;
}

/* The members later rules added: roles, field, baseline, passwords. */
static bool
parse_extras(json_t *o, struct soc_rule *r, char *err, size_t errlen)
{
    bool ok = parse_roles(o, r) && text_field(o, "field", false, r->field, sizeof r->field);
    if (ok && r->measure == SOC_NEW_VALUE)
        ok = (strcmp(r->field, "device") == 0 || strcmp(r->field, "source") == 0) &&
             r->key == SOC_KEY_ACTOR && r->threshold == 1;
    else if (ok)
        ok = r->field[0] == '\0';
    if (!ok || !parse_baseline(o, r) || !parse_passwords(o, r)) {
        snprintf(err, errlen,
                 "rule %s: roles is a list of role names; new-value needs key actor, threshold 1 "
                 "and field (device, source), other measures no field; baseline is {compare "
                 "(own, peers), days (1 to 366, longer than the window), factor (over 1)} on a "
                 "count or sum by actor; passwords is {max} or {min_percent} on "
                 "distinct-subjects",
                 r->id);
        return false;
    }
    return true;
}

/* One rule; a sentence in err naming what is wrong. */
static bool
parse_rule(json_t *o, struct soc_rule *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->hours_from = r->hours_to = -1;
    char key[16] = "all", measure[24] = "count";
    json_t *title = json_object_get(o, "title");
    bool ok = json_is_object(o) && text_field(o, "id", true, r->id, sizeof r->id) &&
              json_is_object(title) &&
              text_field(title, "vi", true, r->title_vi, sizeof r->title_vi) &&
              text_field(title, "en", true, r->title_en, sizeof r->title_en) &&
              text_field(o, "severity", true, r->severity, sizeof r->severity) &&
              text_field(o, "type", true, r->type, sizeof r->type) &&
              text_field(o, "outcome", false, r->outcome, sizeof r->outcome) &&
              text_field(o, "subject_prefix", false, r->subject_prefix, sizeof r->subject_prefix) &&
              text_field(o, "key", false, key, sizeof key) &&
              text_field(o, "measure", false, measure, sizeof measure);
    int k = ok ? name_index(key, key_names, 4) : -1;
    int m = ok ? name_index(measure, measure_names, 4) : -1;
    json_t *win = json_object_get(o, "window_minutes");
    json_t *thr = json_object_get(o, "threshold");
    if (!ok || k < 0 || m < 0 || name_index(r->severity, severities, 4) < 0 ||
        !json_is_integer(win) || json_integer_value(win) < 1 ||
        json_integer_value(win) > 60 * 24 * 366 || !json_is_integer(thr) ||
        json_integer_value(thr) < 1) {
        snprintf(err, errlen,
                 "rule %s: needs id, title {vi, en}, severity (low, medium, high, critical), "
                 "type, key (all, source, actor, subject), measure (count, sum, "
                 "distinct-subjects, new-value), window_minutes (1 to 527040) and threshold (1 or "
                 "more)",
                 r->id[0] ? r->id : "(without id)");
        return false;
    }
    r->key = (enum soc_key)k;
    r->measure = (enum soc_measure)m;
    r->window_ms = (int64_t)json_integer_value(win) * 60000;
    r->threshold = json_integer_value(thr);
    json_t *hours = json_object_get(o, "outside_hours");
    if (hours) {
        json_t *from = json_array_get(hours, 0), *to = json_array_get(hours, 1);
        if (json_array_size(hours) != 2 || !json_is_integer(from) || !json_is_integer(to) ||
            json_integer_value(from) < 0 || json_integer_value(to) > 24 ||
            json_integer_value(from) >= json_integer_value(to)) {
            snprintf(err, errlen, "rule %s: outside_hours is [from, to], 0 <= from < to <= 24",
                     r->id);
            return false;
        }
        r->hours_from = (int)json_integer_value(from);
        r->hours_to = (int)json_integer_value(to);
    }
    return parse_extras(o, r, err, errlen);
}

struct soc_ruleset *
soc_rules_parse(const char *text, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    json_t *rules = json_object_get(root, "rules");
    if (!json_is_array(rules) || json_array_size(rules) > RULES_MAX) {
        snprintf(err, errlen, "not a rule set: %s",
                 root ? "needs {\"rules\": [...]} with at most 200 rules" : je.text);
        json_decref(root);
        return NULL;
    }
    struct soc_ruleset *rs = dd_xcalloc(1, sizeof *rs);
    rs->count = json_array_size(rules);
    rs->rules = dd_xcalloc(rs->count + 1, sizeof *rs->rules);
    rs->refs = 1;
    for (size_t i = 0; i < rs->count; i++) {
        bool ok = parse_rule(json_array_get(rules, i), &rs->rules[i], err, errlen);
        for (size_t j = 0; ok && j < i; j++)
            if (strcmp(rs->rules[j].id, rs->rules[i].id) == 0) {
                snprintf(err, errlen, "rule %s is there twice", rs->rules[i].id);
                ok = false;
            }
        if (!ok) {
            json_decref(root);
            free(rs->rules);
            free(rs);
            return NULL;
        }
    }
    json_decref(root);
    dd_clock_iso8601(dd_clock_now_ms(), rs->loaded_at);
    return rs;
}

struct soc_ruleset *
soc_rules_get(void)
{
    pthread_mutex_lock(&lock);
    struct soc_ruleset *rs = current;
    if (rs)
        rs->refs++;
    pthread_mutex_unlock(&lock);
    return rs;
}

void
soc_rules_put(struct soc_ruleset *rs)
{
    if (rs == NULL)
        return;
    pthread_mutex_lock(&lock);
    bool last = --rs->refs == 0;
    pthread_mutex_unlock(&lock);
    if (last) {
        free(rs->rules);
        free(rs);
    }
}

static char *
read_file(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *text = dd_xmalloc(max + 1);
    size_t n = fread(text, 1, max + 1, f);
    fclose(f);
    if (n > max) {
        free(text);
        return NULL;
    }
    text[n] = '\0';
    return text;
}

int
dd_soc_reload(char *err, size_t errlen)
{
    char *text = read_file(rules_path, RULES_MAX_FILE);
    if (text == NULL) {
        snprintf(err, errlen, "cannot read the rules file %s (missing, unreadable or over 1 MiB)",
                 rules_path);
        return DD_EIO;
    }
    struct soc_ruleset *rs = soc_rules_parse(text, err, errlen);
    free(text);
    if (rs == NULL)
        return DD_EINVAL;
    dd_strlcpy(rs->path, rules_path, sizeof rs->path);
    pthread_mutex_lock(&lock);
    struct soc_ruleset *old = current;
    current = rs;
    pthread_mutex_unlock(&lock);
    soc_rules_put(old);
    dd_log(DD_LOG_INFO, "soc.rules_loaded", "%zu detection rules from %s", rs->count, rules_path);
    return DD_OK;
}

void
dd_soc_configure(const struct dd_config *cfg)
{
    dd_strlcpy(rules_path, cfg->soc_rules, sizeof rules_path);
    char err[400];
    if (dd_soc_reload(err, sizeof err) != DD_OK)
        dd_log(DD_LOG_WARN, "soc.rules_not_loaded", "no detection rules: %s", err);
}

void
dd_soc_stop(void)
{
    pthread_mutex_lock(&lock);
    struct soc_ruleset *old = current;
    current = NULL;
    pthread_mutex_unlock(&lock);
    soc_rules_put(old);
}
