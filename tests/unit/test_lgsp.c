/*
 * test_lgsp.c — the data-sharing gateway's pieces without HTTP: identifiers, the rate and
 * quota counters with a chosen clock, and the exchange log on both backends (hash chain, signed
 * batch, the contract's events and the person's access-log row, and `log verify` finding an
 * altered row, a forged key and a row removed).
 */
#include "db_fixture.h"

#include "lgsp/internal.h"
#include "lgsp/lgsp.h"

#include <stdlib.h>

static void
identifiers_are_checked(void **state)
{
    (void)state;
    assert_true(lgsp_member_code_valid("SYT-KH"));
    assert_false(lgsp_member_code_valid("syt"));
    assert_false(lgsp_member_code_valid("-SYT"));
    assert_false(lgsp_member_code_valid(""));
    assert_true(lgsp_code_valid("his.v2_a-b"));
    assert_false(lgsp_code_valid("a/b"));
    assert_true(lgsp_subsystem_id_valid("VN/GOV/SYT/his"));
    assert_false(lgsp_subsystem_id_valid("VN/COM/SYT/his"));
    assert_false(lgsp_subsystem_id_valid("VN/GOV/SYT"));
    assert_false(lgsp_subsystem_id_valid("VN/GOV/SYT/his/x"));
    char sub[LGSP_ID_MAX], code[LGSP_CODE_MAX + 1];
    assert_true(lgsp_service_id_split("VN/GOV/BHXH/core/cards", sub, code));
    assert_string_equal(sub, "VN/GOV/BHXH/core");
    assert_string_equal(code, "cards");
    assert_false(lgsp_service_id_split("VN/GOV/BHXH/cards", sub, code));
    char svc[96];
    lgsp_consent_service("VN/GOV/CATINH/hs", svc, sizeof svc);
    assert_string_equal(svc, "lgsp:catinh:hs");
}

static void
rate_and_quota_are_counted_per_pair(void **state)
{
    (void)state;
    lgsp_limit_reset();
    struct lgsp_consumer a = {.id = "VN/GOV/A/x"}, b = {.id = "VN/GOV/B/x"};
    struct lgsp_service s = {.id = "VN/GOV/P/p/s", .rate_per_second = 2, .quota_per_day = 5};
    int64_t t = 1767225600000; /* 2026-01-01T00:00:00Z */
    assert_int_equal(lgsp_limit_take(&a, &s, t), LGSP_LIMIT_OK);
    assert_int_equal(lgsp_limit_take(&a, &s, t), LGSP_LIMIT_OK);
    assert_int_equal(lgsp_limit_take(&a, &s, t), LGSP_LIMIT_RATE);
    assert_int_equal(lgsp_limit_take(&b, &s, t), LGSP_LIMIT_OK);       /* another consumer */
    assert_int_equal(lgsp_limit_take(&a, &s, t + 500), LGSP_LIMIT_OK); /* one token back */
    assert_int_equal(lgsp_limit_take(&a, &s, t + 500), LGSP_LIMIT_RATE);
    assert_int_equal(lgsp_limit_take(&a, &s, t + 2000), LGSP_LIMIT_OK);
    assert_int_equal(lgsp_limit_take(&a, &s, t + 4000), LGSP_LIMIT_OK); /* the 5th today */
    assert_int_equal(lgsp_limit_take(&a, &s, t + 6000), LGSP_LIMIT_QUOTA);
    /* Vietnam's next day (UTC+7): 17:00 UTC. */
    assert_int_equal(lgsp_limit_take(&a, &s, t + 17 * 3600000), LGSP_LIMIT_OK);
    struct lgsp_service free_ = {.id = "VN/GOV/P/p/free"};
    for (int i = 0; i < 100; i++)
        assert_int_equal(lgsp_limit_take(&a, &free_, t), LGSP_LIMIT_OK);
}

static struct lgsp_entry *
entry(const char *consumer, const char *outcome, int status, const char *person)
{
    struct lgsp_entry *e = calloc(1, sizeof *e);
    e->at_ms = 1767225600000;
    snprintf(e->consumer, sizeof e->consumer, "%s", consumer);
    snprintf(e->service, sizeof e->service, "VN/GOV/BHXH/core/cards");
    snprintf(e->method, sizeof e->method, "GET");
    snprintf(e->path, sizeof e->path, "/v1/the");
    e->status = status;
    snprintf(e->outcome, sizeof e->outcome, "%s", outcome);
    e->duration_us = 812;
    snprintf(e->request_hash, sizeof e->request_hash, "%064d", 1);
    snprintf(e->response_hash, sizeof e->response_hash, "%064d", 2);
    snprintf(e->request_id, sizeof e->request_id, "req-%s", outcome);
    snprintf(e->ip, sizeof e->ip, "10.0.0.7");
    snprintf(e->agency, sizeof e->agency, "Công an tỉnh");
    snprintf(e->purpose, sizeof e->purpose, "Xác minh");
    if (person) {
        e->npersons = 1;
        snprintf(e->persons[0], sizeof e->persons[0], "%s", person);
    }
    return e;
}

static void
log_is_chained_signed_and_verified(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    char dir[] = "/tmp/dd-lgsp-key-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char err[300];
    assert_int_equal(lgsp_log_start(dir, err, sizeof err), DD_OK);
    assert_true(lgsp_log_append(entry("VN/GOV/CATINH/hs", "ok", 200, "056090001234")));
    assert_true(lgsp_log_append(entry("VN/GOV/CATINH/hs", "quota", 429, NULL)));
    assert_true(lgsp_log_append(entry("", "bad-token", 401, NULL)));
    assert_int_equal(lgsp_log_flush(fx->db), DD_OK);
    assert_true(lgsp_log_append(entry("VN/GOV/SYT/his", "timeout", 503, NULL)));
    assert_int_equal(lgsp_log_flush(fx->db), DD_OK);
    lgsp_log_stop();

    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM lgsp_log"), 4);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM lgsp_log_batches"), 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT last_seq FROM lgsp_log_head"), 4);
    /* Refusals only (not a timeout) are the SOC's `lgsp.refused`. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM events WHERE type = 'lgsp.refused'"),
                     2);
    char text[600];
    dbfx_text(fx->db,
              "SELECT subject || ' ' || payload FROM events WHERE type = 'lgsp.refused' "
              "ORDER BY id",
              text, sizeof text);
    assert_string_equal(text, "lgsp:VN/GOV/CATINH/hs {\"consumer\":\"VN/GOV/CATINH/hs\","
                              "\"service\":\"VN/GOV/BHXH/core/cards\",\"reason\":\"quota\","
                              "\"ip\":\"10.0.0.7\"}");
    dbfx_text(fx->db, "SELECT subject FROM events WHERE type = 'lgsp.person_read'", text,
              sizeof text);
    assert_string_equal(text, "person:056090001234");
    dbfx_text(fx->db,
              "SELECT actor || '|' || agency || '|' || purpose FROM access_log WHERE "
              "id_number = '056090001234'",
              text, sizeof text);
    assert_string_equal(text, "lgsp:VN/GOV/CATINH/hs|Công an tỉnh|Xác minh");

    char pk[65];
    assert_int_equal(dd_lgsp_public_key(dir, pk), DD_OK);
    struct dd_lgsp_verify_report r;
    assert_int_equal(dd_lgsp_log_verify(fx->db, pk, &r), DD_OK);
    assert_true(r.ok);
    assert_int_equal(r.rows, 4);
    assert_int_equal(r.batches, 2);

    /* Another key: every batch is refused. */
    char other[65];
    memcpy(other, pk, sizeof other);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    assert_int_equal(dd_lgsp_log_verify(fx->db, other, &r), DD_ECHECKSUM);
    assert_non_null(strstr(r.reason, "signature"));

    dbfx_exec(fx->db, "UPDATE lgsp_log SET path = '/v1/khac' WHERE seq = 2");
    assert_int_equal(dd_lgsp_log_verify(fx->db, pk, &r), DD_ECHECKSUM);
    assert_int_equal(r.bad_seq, 2);
    assert_non_null(strstr(r.reason, "altered"));
    dbfx_exec(fx->db, "UPDATE lgsp_log SET path = '/v1/the' WHERE seq = 2");
    assert_int_equal(dd_lgsp_log_verify(fx->db, pk, &r), DD_OK);

    dbfx_exec(fx->db, "DELETE FROM lgsp_log WHERE seq = 3");
    assert_int_equal(dd_lgsp_log_verify(fx->db, pk, &r), DD_ECHECKSUM);
    assert_int_equal(r.bad_seq, 3);
    assert_non_null(strstr(r.reason, "missing"));

    char path[128];
    snprintf(path, sizeof path, "%s/lgsp-signing.key", dir);
    unlink(path);
    rmdir(dir);
}

/* The row hash is fixed by its fields: a change of encoding would break every stored log. */
static void
row_hash_is_stable(void **state)
{
    (void)state;
    char h1[65], h2[65];
    lgsp_log_row_hash(1, "2026-01-01T00:00:00.000Z", "a", "b", "GET", "/", 200, "ok", 5, "x", "y",
                      "r", "", h1);
    lgsp_log_row_hash(1, "2026-01-01T00:00:00.000Z", "a", "b", "GET", "/", 200, "ok", 5, "x", "y",
                      "r", "", h2);
    assert_string_equal(h1, h2);
    /* Length prefixes keep field boundaries: "ab"+"" differs from "a"+"b". */
    lgsp_log_row_hash(1, "2026-01-01T00:00:00.000Z", "ab", "", "GET", "/", 200, "ok", 5, "x", "y",
                      "r", "", h2);
    assert_string_not_equal(h1, h2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identifiers_are_checked),
        cmocka_unit_test(rate_and_quota_are_counted_per_pair),
        cmocka_unit_test(row_hash_is_stable),
        DB_TEST(log_is_chained_signed_and_verified),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
