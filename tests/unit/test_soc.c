/*
 * test_soc.c — the security operations centre's pure parts and its detection store
 * (core/soc/): how outbox events read as security events, which rule sets are accepted, the
 * RFC 5424 message with its RFC 6587 octet count and escaped structured data; and, on SQLite and
 * PostgreSQL, an event stored once however often delivered, a rule firing at its threshold and
 * later hits grouped into the same alert, and a rule of another key staying silent.
 */
#include "db_fixture.h"

#include "base/buf.h"
#include "base/clock.h"
#include "core/events.h"
#include "core/soc/internal.h"
#include "core/soc/siem.h"

#include <stdlib.h>
#include <string.h>

static struct dd_event
event(int64_t id, const char *type, const char *subject, const char *payload)
{
    return (struct dd_event){.id = id,
                             .created_at = "2026-03-01T03:00:00.000Z",
                             .type = type,
                             .subject = subject,
                             .payload = payload};
}

static void
normalises_security_events_only(void **state)
{
    (void)state;
    struct dd_soc_event se;
    struct dd_event ev = event(1, "auth.failed", "",
                               "{\"account_id\":null,\"network\":\"203.0.113.0/24\","
                               "\"login_hash\":\"ab12\"}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.module, "identity");
    assert_string_equal(se.outcome, "failure");
    assert_string_equal(se.subject, "login:ab12");
    assert_string_equal(se.source, "203.0.113.0/24");
    assert_string_equal(se.actor, "");

    ev = event(2, "auth.failed", "account:7", "{\"network\":\"198.51.100.0/24\"}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.subject, "account:7");
    assert_string_equal(se.actor, "account:7");

    ev = event(3, "access.reads", "officer:3", "{\"actor\":\"officer:3\",\"count\":250}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.actor, "officer:3");
    assert_int_equal(se.amount, 250);

    ev = event(4, "lgsp.refused", "lgsp:VN/GOV/A/B",
               "{\"consumer\":\"VN/GOV/A/B\",\"reason\":\"quota\",\"ip\":\"192.0.2.9\"}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.actor, "lgsp:VN/GOV/A/B");
    assert_string_equal(se.source, "192.0.2.0/24"); /* the gateway's address, kept as a network */
    assert_string_equal(se.outcome, "failure");

    ev = event(40, "lgsp.refused", "lgsp:A", "{\"consumer\":\"A\",\"ip\":\"2001:db8:1:2::5\"}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.source, "2001:0db8:0001::/48");

    /* Later rules' members: role and area, device, password tag. */
    ev = event(41, "auth.failed", "",
               "{\"network\":\"198.51.100.0/24\",\"login_hash\":\"ab\",\"pw_tag\":\"0f3a\","
               "\"device\":\"0123456789abcdef\",\"role\":\"admin\",\"area\":\"56\"}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.pw_tag, "0f3a");
    assert_string_equal(se.device, "0123456789abcdef");
    assert_string_equal(se.actor_group, "admin@56");
    ev = event(42, "access.outside_area", "officer:3",
               "{\"actor\":\"officer:3\",\"role\":\"commune-police\",\"area\":\"56/22366\","
               "\"count\":4}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.actor_group, "commune-police@56/22366");
    assert_int_equal(se.amount, 4);

    ev = event(5, "account.locked", "account:9", "{\"by\":\"officer:4\"}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.actor, "officer:4");
    ev = event(6, "account.locked", "account:9", "{\"by\":\"failures\"}");
    assert_true(dd_soc_normalise(&ev, &se));
    assert_string_equal(se.actor, "");

    ev = event(7, "person.born", "person:056090001234", "{}");
    assert_false(dd_soc_normalise(&ev, &se));
    ev = event(8, "consent.changed", "person:056090001234", "{}");
    assert_false(dd_soc_normalise(&ev, &se));
}

#define RULE(extra)                                                                                \
    "{\"rules\":[{\"id\":\"r1\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"high\","      \
    "\"type\":\"auth.failed\",\"key\":\"source\",\"measure\":\"count\",\"window_minutes\":10,"     \
    "\"threshold\":3" extra "}]}"

static void
rule_sets_are_checked(void **state)
{
    (void)state;
    char err[400];
    struct soc_ruleset *rs = soc_rules_parse(RULE(""), err, sizeof err);
    assert_non_null(rs);
    assert_int_equal(rs->count, 1);
    assert_int_equal(rs->rules[0].window_ms, 600000);
    assert_int_equal(rs->rules[0].key, SOC_KEY_SOURCE);
    assert_int_equal(rs->rules[0].hours_from, -1);
    soc_rules_put(rs);
    rs = soc_rules_parse(RULE(",\"outside_hours\":[8,18]"), err, sizeof err);
    assert_non_null(rs);
    assert_int_equal(rs->rules[0].hours_to, 18);
    soc_rules_put(rs);

    const char *bad[] = {
        "[]",
        "{\"rules\":{}}",
        RULE(",\"outside_hours\":[18,8]"),
        "{\"rules\":[{\"id\":\"r1\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"high\","
        "\"type\":\"auth.failed\",\"key\":\"everyone\",\"window_minutes\":10,\"threshold\":3}]}",
        "{\"rules\":[{\"id\":\"r1\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"dire\","
        "\"type\":\"auth.failed\",\"window_minutes\":10,\"threshold\":3}]}",
        "{\"rules\":[{\"id\":\"r1\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"low\","
        "\"type\":\"auth.failed\",\"window_minutes\":10,\"threshold\":0}]}",
        "{\"rules\":[{\"id\":\"r1\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"low\","
        "\"type\":\"x\",\"window_minutes\":1,\"threshold\":1},{\"id\":\"r1\",\"title\":{\"vi\":"
        "\"a\",\"en\":\"b\"},\"severity\":\"low\",\"type\":\"y\",\"window_minutes\":1,"
        "\"threshold\":1}]}",
    };
    /* The later rules' members. */
    rs = soc_rules_parse(RULE(",\"baseline\":{\"compare\":\"peers\",\"days\":30,\"factor\":10}") "",
                         err, sizeof err);
    assert_null(rs); /* a baseline needs key actor */
#define RULE_ACTOR(extra)                                                                          \
    "{\"rules\":[{\"id\":\"r2\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"low\","       \
    "\"type\":\"access.reads\",\"key\":\"actor\"" extra "}]}"
    rs = soc_rules_parse(RULE_ACTOR(",\"measure\":\"sum\",\"window_minutes\":60,\"threshold\":50,"
                                    "\"baseline\":{\"compare\":\"own\",\"days\":30,\"factor\":10}"),
                         err, sizeof err);
    assert_non_null(rs);
    assert_int_equal(rs->rules[0].baseline, SOC_BASELINE_OWN);
    assert_int_equal(rs->rules[0].baseline_ms, 30LL * 24 * 3600 * 1000);
    soc_rules_put(rs);
    rs = soc_rules_parse(
        RULE_ACTOR(",\"measure\":\"new-value\",\"field\":\"device\","
                   "\"window_minutes\":129600,\"threshold\":1,\"roles\":[\"admin\"]"),
        err, sizeof err);
    assert_non_null(rs);
    assert_int_equal(rs->rules[0].measure, SOC_NEW_VALUE);
    assert_int_equal(rs->rules[0].nroles, 1);
    soc_rules_put(rs);
    rs = soc_rules_parse(
        RULE(",\"measure\":\"distinct-subjects\",\"passwords\":{\"min_percent\":80}") "", err,
        sizeof err);
    assert_null(rs); /* "measure" twice: duplicate keys are refused */
    const char *bad2[] = {
        RULE_ACTOR(",\"measure\":\"sum\",\"window_minutes\":60,\"threshold\":5,"
                   "\"baseline\":{\"compare\":\"median\",\"days\":30,\"factor\":10}"),
        RULE_ACTOR(",\"measure\":\"sum\",\"window_minutes\":60,\"threshold\":5,"
                   "\"baseline\":{\"compare\":\"own\",\"days\":30,\"factor\":1}"),
        RULE_ACTOR(",\"measure\":\"sum\",\"window_minutes\":2880,\"threshold\":5,"
                   "\"baseline\":{\"compare\":\"own\",\"days\":1,\"factor\":3}"),
        RULE_ACTOR(",\"measure\":\"new-value\",\"field\":\"colour\",\"window_minutes\":60,"
                   "\"threshold\":1"),
        RULE_ACTOR(",\"measure\":\"new-value\",\"field\":\"device\",\"window_minutes\":60,"
                   "\"threshold\":2"),
        RULE_ACTOR(",\"measure\":\"count\",\"field\":\"device\",\"window_minutes\":60,"
                   "\"threshold\":2"),
        RULE_ACTOR(",\"measure\":\"count\",\"window_minutes\":60,\"threshold\":2,"
                   "\"passwords\":{\"max\":3}"),
        RULE_ACTOR(",\"measure\":\"count\",\"window_minutes\":60,\"threshold\":2,\"roles\":[]"),
    };
    for (size_t i = 0; i < sizeof bad2 / sizeof bad2[0]; i++) {
        err[0] = '\0';
        assert_null(soc_rules_parse(bad2[i], err, sizeof err));
        assert_true(err[0] != '\0');
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        assert_null(soc_rules_parse(bad[i], err, sizeof err));
        assert_true(err[0] != '\0');
    }
}

static void
syslog_message_is_framed_and_escaped(void **state)
{
    (void)state;
    struct dd_event ev =
        event(42, "lgsp.refused", "lgsp:X", "{\"consumer\":\"a]b\\\"c\",\"ip\":\"192.0.2.1\"}");
    struct dd_soc_event se;
    assert_true(dd_soc_normalise(&ev, &se));
    struct dd_buf b;
    dd_buf_init(&b, NULL, 1 << 20);
    assert_int_equal(dd_siem_syslog(&b, &ev, &se, "host1", 77), DD_OK);
    char *sp = strchr(b.data, ' ');
    assert_non_null(sp);
    assert_int_equal(strtol(b.data, NULL, 10), (long)(b.len - (size_t)(sp + 1 - b.data)));
    const char *head =
        "<108>1 2026-03-01T03:00:00.000Z host1 dinhdanh 77 lgsp.refused "
        "[dinhdanh@32473 event_id=\"42\" module=\"lgsp\" actor=\"lgsp:a\\]b\\\"c\" "
        "subject=\"lgsp:X\" source=\"192.0.2.0/24\" outcome=\"failure\"] \xEF\xBB\xBF{";
    assert_memory_equal(sp + 1, head, strlen(head));
    dd_buf_release(&b);
}

static void
deliver(struct dbfx *fx, const struct soc_ruleset *rs, int64_t id, const char *subject,
        const char *network, int64_t *row)
{
    char payload[200];
    snprintf(payload, sizeof payload, "{\"network\":\"%s\"}", network);
    struct dd_event ev = event(id, "auth.failed", subject, payload);
    struct dd_soc_event se;
    assert_true(dd_soc_normalise(&ev, &se));
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(soc_event_store(fx->db, &ev, &se, row), DD_OK);
    if (*row)
        assert_int_equal(soc_detect(fx->db, rs, &ev, &se, *row), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
}

static void
rule_fires_at_threshold_and_groups(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    char err[400];
    struct soc_ruleset *rs = soc_rules_parse(RULE(""), err, sizeof err);
    assert_non_null(rs);
    int64_t row;
    deliver(fx, rs, 1, "account:1", "203.0.113.0/24", &row);
    assert_true(row > 0);
    deliver(fx, rs, 1, "account:1", "203.0.113.0/24", &row);
    assert_int_equal(row, 0); /* delivered twice, stored once */
    deliver(fx, rs, 2, "account:2", "203.0.113.0/24", &row);
    deliver(fx, rs, 3, "account:3", "198.51.100.0/24", &row);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_alerts"), 0);
    deliver(fx, rs, 4, "account:4", "203.0.113.0/24", &row);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_alerts"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT hits FROM soc_alerts"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT value FROM soc_alerts"), 3);
    deliver(fx, rs, 5, "account:5", "203.0.113.0/24", &row);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_alerts"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT hits FROM soc_alerts"), 2);
    char key[64];
    dbfx_text(fx->db, "SELECT group_key FROM soc_alerts", key, sizeof key);
    assert_string_equal(key, "203.0.113.0/24");
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM events WHERE type = 'soc.alert'"), 1);
    soc_rules_put(rs);
}

/* --- the state a rule keeps of its windows (soc_rule_state) ----------------------------------- */

#define WINDOW_RULES(count_thr, distinct_thr, sum_thr)                                             \
    "{\"rules\":[{\"id\":\"n\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"low\","        \
    "\"type\":\"auth.failed\",\"key\":\"source\",\"measure\":\"count\",\"window_minutes\":10,"     \
    "\"threshold\":" count_thr "},"                                                                \
    "{\"id\":\"d\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"low\","                    \
    "\"type\":\"auth.failed\",\"key\":\"source\",\"measure\":\"distinct-subjects\","               \
    "\"window_minutes\":10,\"threshold\":" distinct_thr "},"                                       \
    "{\"id\":\"s\",\"title\":{\"vi\":\"a\",\"en\":\"b\"},\"severity\":\"low\","                    \
    "\"type\":\"access.reads\",\"key\":\"actor\",\"measure\":\"sum\",\"window_minutes\":10,"       \
    "\"threshold\":" sum_thr "}]}"

#define SEQ_MAX 700

/* One generated event, and what a full count of its window gives for each rule. */
struct seq_event {
    int64_t at_ms;
    int key;     /* network (auth.failed) or officer (access.reads) */
    int subject; /* account */
    int amount;  /* access.reads: the count (at least 1, as the normaliser reads it) */
    bool reads;  /* access.reads, else auth.failed */
};

/* The measure of rule `rule` ('n', 'd', 's') over the window ending at event i, counted from
 * every event before it, as the rule defines it. */
static int64_t
full_count(const struct seq_event *e, int i, char rule, int64_t window_ms)
{
    int64_t v = 0;
    bool seen[16] = {false};
    for (int j = 0; j <= i; j++) {
        if (e[j].reads != (rule == 's') || e[j].key != e[i].key ||
            e[j].at_ms < e[i].at_ms - window_ms)
            continue;
        if (rule == 'n')
            v++;
        else if (rule == 's')
            v += e[j].amount;
        else if (!seen[e[j].subject]) {
            seen[e[j].subject] = true;
            v++;
        }
    }
    return v;
}

/* Delivers events [from, to) of the sequence; hits[rule][key] counts the events whose full
 * count reaches the threshold. */
static void
deliver_seq(struct dbfx *fx, const struct soc_ruleset *rs, const struct seq_event *e, int from,
            int to, const int64_t thr[3], int hits[3][2])
{
    const char *rules = "nds";
    for (int i = from; i < to; i++) {
        char at[32], payload[200], subject[32];
        dd_clock_iso8601(e[i].at_ms, at);
        if (e[i].reads) {
            snprintf(subject, sizeof subject, "officer:%d", e[i].key);
            snprintf(payload, sizeof payload, "{\"actor\":\"officer:%d\",\"count\":%d}", e[i].key,
                     e[i].amount);
        } else {
            snprintf(subject, sizeof subject, "account:%d", e[i].subject);
            snprintf(payload, sizeof payload, "{\"network\":\"203.0.%d.0/24\"}", 113 + e[i].key);
        }
        struct dd_event ev = {.id = 1000 + i,
                              .created_at = at,
                              .type = e[i].reads ? "access.reads" : "auth.failed",
                              .subject = subject,
                              .payload = payload};
        struct dd_soc_event se;
        assert_true(dd_soc_normalise(&ev, &se));
        int64_t row = 0;
        assert_int_equal(dd_db_begin(fx->db), DD_OK);
        assert_int_equal(soc_event_store(fx->db, &ev, &se, &row), DD_OK);
        assert_true(row > 0);
        assert_int_equal(soc_detect(fx->db, rs, &ev, &se, row), DD_OK);
        assert_int_equal(dd_db_commit(fx->db), DD_OK);
        for (int r = 0; r < 3; r++)
            if ((rules[r] == 's') == e[i].reads && full_count(e, i, rules[r], 600000) >= thr[r])
                hits[r][e[i].key]++;
    }
}

static void
check_hits(struct dbfx *fx, const int hits[3][2])
{
    const char *rules = "nds";
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 2; k++) {
            char sql[200];
            if (rules[r] == 's')
                snprintf(sql, sizeof sql,
                         "SELECT COALESCE(SUM(hits), 0) FROM soc_alerts WHERE rule_id = 's' AND "
                         "group_key = 'officer:%d'",
                         k);
            else
                snprintf(sql, sizeof sql,
                         "SELECT COALESCE(SUM(hits), 0) FROM soc_alerts WHERE rule_id = '%c' AND "
                         "group_key = '203.0.%d.0/24'",
                         rules[r], 113 + k);
            int got = (int)dbfx_int(fx->db, sql);
            if (got != hits[r][k])
                fail_msg("rule %c key %d: %d hits, a full count gives %d", rules[r], k, got,
                         hits[r][k]);
        }
}

/* Rules that keep what they know of their windows (slack below the threshold, a time they hold
 * until above it) fire on exactly the events that a full count of each window would: a sequence
 * of failed logins from two networks (few accounts, so subjects repeat) and officers' reads,
 * with gaps that let windows empty and fill again, then the same after the thresholds change. */
static void
window_state_fires_as_a_full_count(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    static struct seq_event e[SEQ_MAX];
    uint32_t seed = 12345;
    int64_t t = 1772334000000LL; /* 2026-03-01T03:00:00Z */
    for (int i = 0; i < SEQ_MAX; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t x = seed >> 8;
        /* Mostly seconds apart, sometimes a pause longer than a window. */
        t += x % 50 == 0 ? 700000 : (int64_t)(x % 40) * 1000;
        e[i] = (struct seq_event){.at_ms = t,
                                  .key = (int)(x >> 6) % 2,
                                  .subject = (int)(x >> 8) % 9,
                                  .amount = 1 + (int)(x >> 12) % 4,
                                  .reads = (x >> 16) % 3 == 0};
    }
    char err[400];
    struct soc_ruleset *rs = soc_rules_parse(WINDOW_RULES("12", "6", "9"), err, sizeof err);
    assert_non_null(rs);
    int hits[3][2] = {{0}};
    int64_t thr[3] = {12, 6, 9};
    deliver_seq(fx, rs, e, 0, SEQ_MAX / 2, thr, hits);
    check_hits(fx, hits);
    assert_true(hits[0][0] > 0 && hits[1][1] > 0 && hits[2][0] > 0); /* every rule fired */
    assert_true(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_rule_state WHERE slack > 0") > 0);
    assert_true(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_rule_state WHERE held_until <> ''") > 0);
    soc_rules_put(rs);

    /* Lower thresholds: the state kept for the old ones must not be trusted. */
    rs = soc_rules_parse(WINDOW_RULES("4", "3", "4"), err, sizeof err);
    assert_non_null(rs);
    int64_t thr2[3] = {4, 3, 4};
    deliver_seq(fx, rs, e, SEQ_MAX / 2, SEQ_MAX, thr2, hits);
    check_hits(fx, hits);
    soc_rules_put(rs);
}

/* States not written for a day go; the others stay; a rule without its state counts again and
 * still fires at its threshold. */
static void
stale_states_are_pruned(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    assert_int_equal(
        dd_db_exec(fx->db,
                   "INSERT INTO soc_rule_state (rule_id, group_key, threshold, window_ms, slack, "
                   "held_until, value, updated_at) VALUES ('r1', 'old', 3, 600000, 1, '', 1, "
                   "'2026-02-27T02:59:59.999Z'), ('r1', 'new', 3, 600000, 1, '', 1, "
                   "'2026-02-28T03:00:00.000Z')"),
        DD_OK);
    assert_int_equal(soc_state_prune(fx->db, 1772334000000LL /* 2026-03-01T03:00:00Z */), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_rule_state"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_rule_state WHERE group_key = "
                                      "'new'"),
                     1);
    /* The network of rule_fires_at_threshold_and_groups: counted from nothing, it fires at 3. */
    char err[400];
    struct soc_ruleset *rs = soc_rules_parse(RULE(""), err, sizeof err);
    assert_non_null(rs);
    int64_t row;
    deliver(fx, rs, 1, "account:1", "203.0.113.0/24", &row);
    deliver(fx, rs, 2, "account:2", "203.0.113.0/24", &row);
    assert_int_equal(soc_state_prune(fx->db, 1772334000000LL + 25LL * 3600 * 1000), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_rule_state"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_alerts"), 0);
    deliver(fx, rs, 3, "account:3", "203.0.113.0/24", &row);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM soc_alerts"), 1);
    soc_rules_put(rs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalises_security_events_only),
        cmocka_unit_test(rule_sets_are_checked),
        cmocka_unit_test(syslog_message_is_framed_and_escaped),
        DB_TEST(rule_fires_at_threshold_and_groups),
        DB_TEST(window_state_fires_as_a_full_count),
        DB_TEST(stale_states_are_pruned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
