/*
 * rules.c — the detection rules as data: parsing data/soc-rules.json (the setting soc-rules),
 * and the rule set in use, replaced whole by a reload while the consumer keeps the one it holds
 * until it gives it back.
 *
 * A rule: {"id", "title": {"vi", "en"}, "severity", "type", "outcome"?, "subject_prefix"?,
 * "key": "source|actor|subject|all", "measure": "count|sum|distinct-subjects",
 * "window_minutes", "threshold", "outside_hours": [from, to]?}. See docs/SOC.md.
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
static const char *const measure_names[] = {"count", "sum", "distinct-subjects"};
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
    int m = ok ? name_index(measure, measure_names, 3) : -1;
    json_t *win = json_object_get(o, "window_minutes");
    json_t *thr = json_object_get(o, "threshold");
    if (!ok || k < 0 || m < 0 || name_index(r->severity, severities, 4) < 0 ||
        !json_is_integer(win) || json_integer_value(win) < 1 ||
        json_integer_value(win) > 60 * 24 * 31 || !json_is_integer(thr) ||
        json_integer_value(thr) < 1) {
        snprintf(err, errlen,
                 "rule %s: needs id, title {vi, en}, severity (low, medium, high, critical), "
                 "type, key (all, source, actor, subject), measure (count, sum, "
                 "distinct-subjects), window_minutes (1 to 44640) and threshold (1 or more)",
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
    return true;
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
