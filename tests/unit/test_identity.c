/*
 * test_identity.c — the core of electronic identities without HTTP, on both backends: the
 * throttling delays and counters, one-time codes (expiry after 10 minutes, 5 wrong tries, used
 * once, a new code retiring the old), recovery codes used once, sessions (lookup through the
 * cache, idle and absolute expiry, ending), the history row with its event, matching the
 * register, officers' accounts for the command line, and the purge of what is kept no longer.
 * Times are passed in, so expiry is tested without waiting.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/clock.h"
#include "core/identity/identity.h"
#include "core/identity/internal.h"
#include "core/officers.h"
#include "crypto/hash.h"
#include "crypto/password.h"

#define T0 1800000000000LL /* 2027-01-15T08:00:00Z */

static void
setup(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
    dd_password_configure(1, 1024); /* fast hashes for tests */
    id_settings.delay_unit_ms = 1000;
    id_settings.network_free = 50;
}

/* An active citizen's account; returns its id. */
static int64_t
add_account(struct dd_db *db, const char *login, const char *status)
{
    char sql[600];
    snprintf(sql, sizeof sql,
             "INSERT INTO accounts (kind, login, id_number, display_name, status, email, "
             "created_at, updated_at) VALUES ('citizen', '%s', '%s', 'Nguyễn Văn An', '%s', "
             "'an@example.vn', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')",
             login, login, status);
    dbfx_exec(db, sql);
    snprintf(sql, sizeof sql, "SELECT id FROM accounts WHERE login = '%s'", login);
    return dbfx_int(db, sql);
}

static void
begin(struct dd_db *db)
{
    assert_int_equal(dd_db_begin(db), DD_OK);
}

static void
commit(struct dd_db *db)
{
    assert_int_equal(dd_db_commit(db), DD_OK);
}

/* --- pure functions --- */

static void
test_throttle_delays_grow_and_stop(void **state)
{
    (void)state;
    assert_int_equal(id_throttle_delay(0, 5, 1000), 0);
    assert_int_equal(id_throttle_delay(4, 5, 1000), 0);
    assert_int_equal(id_throttle_delay(5, 5, 1000), 2000);
    assert_int_equal(id_throttle_delay(6, 5, 1000), 4000);
    assert_int_equal(id_throttle_delay(13, 5, 1000), 512000);
    assert_int_equal(id_throttle_delay(14, 5, 1000), 900000); /* 15 minutes, at most */
    assert_int_equal(id_throttle_delay(1000, 5, 1000), 900000);
    assert_int_equal(id_throttle_delay(6, 5, 10), 40);
}

static void
test_times_ages_and_logins(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_int_equal(id_time_parse("2027-01-15T08:00:00.000Z", &ms), DD_OK);
    assert_int_equal(ms, T0);
    assert_int_equal(id_time_parse("2027-01-15T08:00:00Z", &ms), DD_OK);
    assert_int_equal(ms, T0);
    assert_int_equal(id_time_parse("2027-01-15 08:00:00Z", &ms), DD_EINVAL);
    assert_int_equal(id_time_parse("", &ms), DD_EINVAL);

    char today[11];
    id_today(T0 + 17 * ID_HOUR_MS, today); /* 01:00 on the 16th in Vietnam */
    assert_string_equal(today, "2027-01-16");
    assert_int_equal(id_age_years("2013-01-16", "2027-01-16"), 14);
    assert_int_equal(id_age_years("2013-01-17", "2027-01-16"), 13);
    assert_int_equal(id_age_years("2013", "2027-12-30"), 13); /* partial: from its last day */
    assert_int_equal(id_age_years("2013", "2027-12-31"), 14);
    assert_int_equal(id_age_years("20x3", "2027-12-31"), -1);

    struct dd_arena *a = dd_arena_new(0);
    assert_string_equal(id_login_canon(a, "  CanBo.Xa "), "canbo.xa");
    assert_string_equal(id_login_canon(a, "p:kor:m1234567"), "P:KOR:M1234567");
    assert_string_equal(id_login_canon(a, "056090001234"), "056090001234");
    assert_null(id_login_canon(a, ""));
    assert_null(id_login_canon(a, "   "));
    assert_null(id_login_canon(a, "tên có dấu"));
    assert_null(id_login_canon(a, "a b"));
    dd_arena_free(a);
}

/* --- one-time codes --- */

static void
test_codes_expire_after_ten_minutes(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t id = add_account(fx->db, "056090001234", "pending");
    char code[DD_OTC_SIZE];
    begin(fx->db);
    assert_int_equal(id_code_issue(fx->db, id, ID_CODE_REGISTRATION, "email", T0, code), DD_OK);
    commit(fx->db);
    assert_int_equal(strlen(code), 6);
    /* Only the hash is stored. */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM one_time_codes WHERE code_hash LIKE '%%%s%%'",
             code);
    assert_int_equal(dbfx_int(fx->db, sql), 0);
    begin(fx->db);
    assert_int_equal(id_code_check(fx->db, id, ID_CODE_REGISTRATION, code, T0 + ID_CODE_TTL_MS),
                     DD_ENOTFOUND);
    assert_int_equal(
        id_code_check(fx->db, id, ID_CODE_PASSWORD_RESET, code, T0 + ID_CODE_TTL_MS - 1),
        DD_ENOTFOUND); /* another purpose */
    assert_int_equal(id_code_check(fx->db, id, ID_CODE_REGISTRATION, code, T0 + ID_CODE_TTL_MS - 1),
                     DD_OK);
    /* Used once. */
    assert_int_equal(id_code_check(fx->db, id, ID_CODE_REGISTRATION, code, T0 + 1000),
                     DD_ENOTFOUND);
    commit(fx->db);
}

static void
test_codes_allow_five_wrong_tries(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t id = add_account(fx->db, "056090001234", "pending");
    char code[DD_OTC_SIZE], wrong[DD_OTC_SIZE];
    begin(fx->db);
    assert_int_equal(id_code_issue(fx->db, id, ID_CODE_REGISTRATION, "email", T0, code), DD_OK);
    memcpy(wrong, code, sizeof wrong);
    wrong[0] = (char)('0' + (code[0] - '0' + 1) % 10);
    for (int i = 0; i < ID_CODE_MAX_ATTEMPTS; i++)
        assert_int_equal(id_code_check(fx->db, id, ID_CODE_REGISTRATION, wrong, T0 + 1000),
                         DD_EDENIED);
    /* The right code no longer helps: the code is dead. */
    assert_int_equal(id_code_check(fx->db, id, ID_CODE_REGISTRATION, code, T0 + 2000),
                     DD_ENOTFOUND);
    assert_int_equal(id_code_check(fx->db, id, ID_CODE_REGISTRATION, "12345", T0), DD_EINVAL);
    commit(fx->db);
    assert_int_equal(dbfx_int(fx->db, "SELECT attempts FROM one_time_codes"), 5);
}

static void
test_new_code_retires_the_old(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t id = add_account(fx->db, "056090001234", "active");
    char first[DD_OTC_SIZE], second[DD_OTC_SIZE];
    begin(fx->db);
    assert_int_equal(id_code_issue(fx->db, id, ID_CODE_PASSWORD_RESET, "sms", T0, first), DD_OK);
    assert_int_equal(id_code_issue(fx->db, id, ID_CODE_PASSWORD_RESET, "sms", T0 + 10, second),
                     DD_OK);
    if (strcmp(first, second) != 0)
        assert_int_equal(id_code_check(fx->db, id, ID_CODE_PASSWORD_RESET, first, T0 + 20),
                         DD_EDENIED);
    assert_int_equal(id_code_check(fx->db, id, ID_CODE_PASSWORD_RESET, second, T0 + 30), DD_OK);
    commit(fx->db);
}

/* --- throttling --- */

static void
test_throttle_counts_per_login_and_network(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    id_settings.network_free = 8;
    struct id_client c = {.network = "203.0.113.0/24", .user_agent = "curl", .service = "web"};
    struct dd_guess_keys a, b;
    id_throttle_keys("056090001234", &c, &a);
    id_throttle_keys("056090009999", &c, &b);
    assert_string_equal(a.net, "net:203.0.113.0/24");
    assert_memory_equal(a.item, "login:", 6);
    assert_null(strstr(a.item, "056090001234"));
    int64_t wait = -1;
    begin(fx->db);
    for (int i = 0; i < ID_FREE_FAILURES - 1; i++)
        assert_int_equal(id_throttle_fail(fx->db, &a, T0 + i), DD_OK);
    commit(fx->db);
    assert_int_equal(id_throttle_wait(fx->db, &a, T0 + 10, &wait), DD_OK);
    assert_int_equal(wait, 0);
    begin(fx->db);
    assert_int_equal(id_throttle_fail(fx->db, &a, T0 + 100), DD_OK); /* the 5th: 2 s */
    commit(fx->db);
    assert_int_equal(id_throttle_wait(fx->db, &a, T0 + 100, &wait), DD_OK);
    assert_int_equal(wait, 2000);
    assert_int_equal(id_throttle_wait(fx->db, &b, T0 + 100, &wait), DD_OK);
    assert_int_equal(wait, 0); /* another login, same network, under its allowance */
    begin(fx->db);
    for (int i = 0; i < 3; i++)
        assert_int_equal(id_throttle_fail(fx->db, &b, T0 + 200 + i), DD_OK);
    commit(fx->db);
    /* The network has 8 failures now: it is blocked for everyone. */
    assert_int_equal(id_throttle_wait(fx->db, &b, T0 + 300, &wait), DD_OK);
    assert_true(wait > 0);
    /* A success clears the login's count, not the network's. */
    begin(fx->db);
    assert_int_equal(id_throttle_clear(fx->db, &a), DD_OK);
    commit(fx->db);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM auth_throttle WHERE key LIKE 'net:%'"),
                     1);
    /* After an hour without failures a counter starts again. */
    begin(fx->db);
    assert_int_equal(id_throttle_fail(fx->db, &b, T0 + 2 * ID_HOUR_MS), DD_OK);
    commit(fx->db);
    assert_int_equal(dbfx_int(fx->db, "SELECT MAX(failures) FROM auth_throttle"), 1);
}

/* --- recovery codes --- */

static void
test_recovery_codes_work_once(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t id = add_account(fx->db, "056090001234", "active");
    char codes[10][DD_RECOVERY_CODE_SIZE];
    struct dd_arena *a = dd_arena_new(0);
    begin(fx->db);
    assert_int_equal(id_recovery_codes_replace(fx->db, id, T0, codes, 10), DD_OK);
    assert_int_equal(id_recovery_code_use(fx->db, a, id, codes[3], T0 + 1), DD_OK);
    assert_int_equal(id_recovery_code_use(fx->db, a, id, codes[3], T0 + 2), DD_EDENIED);
    assert_int_equal(id_recovery_code_use(fx->db, a, id, "0000-0000-0000", T0 + 3), DD_EDENIED);
    assert_int_equal(id_recovery_code_use(fx->db, a, id, codes[4], T0 + 4), DD_OK);
    commit(fx->db);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM recovery_codes WHERE used_at = ''"), 8);
    /* New codes replace every old one. */
    char fresh[10][DD_RECOVERY_CODE_SIZE];
    begin(fx->db);
    assert_int_equal(id_recovery_codes_replace(fx->db, id, T0, fresh, 10), DD_OK);
    assert_int_equal(id_recovery_code_use(fx->db, a, id, codes[5], T0 + 5), DD_EDENIED);
    commit(fx->db);
    dd_arena_free(a);
}

/* --- sessions --- */

static int64_t
make_session(struct dbfx *fx, int64_t account, int64_t now, struct id_session_made *made,
             char hash[ID_HEX_HASH])
{
    struct id_client c = {
        .network = "198.51.100.0/24", .user_agent = "Firefox on Linux", .service = "web"};
    struct id_session_new s = {.account_id = account,
                               .purpose = ID_SESSION_FULL,
                               .method = "password",
                               .level = 1,
                               .lifetime_ms = ID_SESSION_CITIZEN_MS,
                               .client = &c};
    begin(fx->db);
    assert_int_equal(id_session_create(fx->db, &s, now, made), DD_OK);
    commit(fx->db);
    dd_sha256_hex(made->token, strlen(made->token), hash);
    return made->id;
}

static void
test_sessions_expire_when_idle_or_old(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t account = add_account(fx->db, "056090001234", "active");
    struct id_session_made made;
    char hash[ID_HEX_HASH];
    make_session(fx, account, T0, &made, hash);
    assert_int_equal(strlen(made.token), ID_SESSION_TOKEN_LEN);
    assert_int_equal(strlen(made.csrf), ID_CSRF_LEN);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'", made.token);
    assert_int_equal(dbfx_int(fx->db, sql), 0); /* only the hash is kept */

    struct id_session_seen s;
    assert_int_equal(id_session_lookup(fx->db, hash, T0 + 1000, &s), DD_OK);
    assert_int_equal(s.account_id, account);
    assert_int_equal(s.who.kind, DD_PRINCIPAL_CITIZEN);
    assert_int_equal(s.who.level, 1);
    assert_string_equal(s.who.id_number, "056090001234");
    assert_string_equal(s.csrf, made.csrf);
    /* Used 20 minutes later: still there, and last_seen moves (once a minute at most). */
    assert_int_equal(id_session_lookup(fx->db, hash, T0 + 20 * ID_MINUTE_MS, &s), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM sessions WHERE last_seen_at = "
                                      "'2027-01-15T08:20:00.000Z'"),
                     1);
    /* Idle 31 minutes after that: gone. */
    assert_int_equal(id_session_lookup(fx->db, hash, T0 + 51 * ID_MINUTE_MS, &s), DD_ENOTFOUND);

    /* Used every 20 minutes, a session still ends 12 hours after it began. */
    make_session(fx, account, T0, &made, hash);
    int64_t t = T0;
    for (; t < T0 + ID_SESSION_CITIZEN_MS - 20 * ID_MINUTE_MS; t += 20 * ID_MINUTE_MS)
        assert_int_equal(id_session_lookup(fx->db, hash, t, &s), DD_OK);
    assert_int_equal(id_session_lookup(fx->db, hash, T0 + ID_SESSION_CITIZEN_MS, &s), DD_ENOTFOUND);
}

static void
test_ended_sessions_stop_at_once(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t account = add_account(fx->db, "056090001234", "active");
    int64_t other = add_account(fx->db, "056090005678", "active");
    struct id_session_made m1, m2;
    char h1[ID_HEX_HASH], h2[ID_HEX_HASH];
    make_session(fx, account, T0, &m1, h1);
    make_session(fx, account, T0, &m2, h2);
    struct id_session_seen s;
    assert_int_equal(id_session_lookup(fx->db, h1, T0 + 1, &s), DD_OK); /* now cached */
    /* Another account cannot end it. */
    begin(fx->db);
    assert_int_equal(id_session_end(fx->db, other, m1.id, "revoked", T0 + 2), DD_ENOTFOUND);
    assert_int_equal(id_session_end(fx->db, account, m1.id, "revoked", T0 + 2), DD_OK);
    commit(fx->db);
    assert_int_equal(id_session_lookup(fx->db, h1, T0 + 3, &s), DD_ENOTFOUND);
    assert_int_equal(id_session_lookup(fx->db, h2, T0 + 3, &s), DD_OK);
    begin(fx->db);
    assert_int_equal(id_sessions_end_all(fx->db, account, "suspended", T0 + 4), DD_OK);
    commit(fx->db);
    assert_int_equal(id_session_lookup(fx->db, h2, T0 + 5, &s), DD_ENOTFOUND);
    /* A session of an account that is no longer active is refused even if still running. */
    struct id_session_made m3;
    char h3[ID_HEX_HASH];
    make_session(fx, other, T0, &m3, h3);
    dbfx_exec(fx->db, "UPDATE accounts SET status = 'suspended' WHERE login = '056090005678'");
    assert_int_equal(id_session_lookup(fx->db, h3, T0 + 6, &s), DD_ENOTFOUND);
}

static void
test_sessions_per_account_are_bounded(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t account = add_account(fx->db, "056090001234", "active");
    struct id_session_made m;
    char h[ID_HEX_HASH];
    for (int i = 0; i < ID_SESSIONS_PER_ACCOUNT + 5; i++)
        make_session(fx, account, T0 + i, &m, h);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM sessions WHERE ended_at = ''"),
                     ID_SESSIONS_PER_ACCOUNT);
    assert_int_equal(dbfx_int(fx->db, "SELECT MIN(id) FROM sessions WHERE ended_at = ''"), 6);
}

/* --- history, register, officers, purge --- */

static void
test_history_rows_and_events(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t account = add_account(fx->db, "056090001234", "active");
    struct id_client c = {.network = "203.0.113.0/24", .user_agent = "curl", .service = "api"};
    struct id_attempt ok = {.account_id = account,
                            .login = "056090001234",
                            .method = "totp",
                            .level = 2,
                            .success = true,
                            .session_id = 7,
                            .client = &c};
    struct id_attempt unknown = {
        .login = "hacker", .method = "password", .reason = "unknown-login", .client = &c};
    begin(fx->db);
    assert_int_equal(id_history_write(fx->db, &ok, T0), DD_OK);
    assert_int_equal(id_history_write(fx->db, &unknown, T0 + 1), DD_OK);
    commit(fx->db);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM auth_history WHERE success = 1 AND "
                                      "method = 'totp' AND service = 'api' AND level = 2 AND "
                                      "session_id = 7 AND login_hash = ''"),
                     1);
    char hash[ID_HEX_HASH], sql[300];
    dd_sha256_hex("hacker", 6, hash);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM auth_history WHERE account_id IS NULL AND login_hash = '%s' "
             "AND reason = 'unknown-login'",
             hash);
    assert_int_equal(dbfx_int(fx->db, sql), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM events WHERE type = 'auth.succeeded'"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM events WHERE type = 'auth.failed' AND "
                                      "payload NOT LIKE '%hacker%'"),
                     1);
}

static void
add_person(struct dd_db *db, const char *id, const char *name, const char *folded,
           const char *birth, const char *status)
{
    char sql[800];
    snprintf(sql, sizeof sql,
             "INSERT INTO people (id_number, full_name, name_folded, given_folded, birth_date, "
             "birth_year, sex, status, father_id, created_at, updated_at) VALUES ('%s', '%s', "
             "'%s', '%s', '%s', %.4s, 'male', '%s', '056080000001', '2020-01-01', '2020-01-01')",
             id, name, folded, folded, birth, birth, status);
    dbfx_exec(db, sql);
}

static void
test_register_match_tells_nothing_about_the_field(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    add_person(fx->db, "056090001234", "Nguyễn Văn Đức", "nguyen van duc", "1990-05-17", "alive");
    add_person(fx->db, "056060001111", "Lê Văn Tám", "le van tam", "1960", "dead");
    struct dd_arena *a = dd_arena_new(0);
    struct id_person p;
    assert_int_equal(
        id_person_match(fx->db, a, "056090001234", "  NGUYEN van  duc ", "1990-05-17", &p), DD_OK);
    assert_string_equal(p.full_name, "Nguyễn Văn Đức");
    assert_string_equal(p.father_id, "056080000001");
    assert_int_equal(id_person_match(fx->db, a, "056090001234", "Nguyễn Văn Đức", "1990-05-18", &p),
                     DD_ENOTFOUND);
    assert_int_equal(id_person_match(fx->db, a, "056090001234", "Nguyễn Văn Đạt", "1990-05-17", &p),
                     DD_ENOTFOUND);
    assert_int_equal(id_person_match(fx->db, a, "056090009999", "Nguyễn Văn Đức", "1990-05-17", &p),
                     DD_ENOTFOUND);
    assert_int_equal(id_person_match(fx->db, a, "056060001111", "Lê Văn Tám", "1960", &p),
                     DD_ENOTFOUND); /* dead */
    dd_arena_free(a);
}

static void
test_officer_accounts_for_the_command_line(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    char err[300];
    int64_t id = 0;
    struct dd_officer_new o = {.username = "canbo.xa",
                               .display_name = "Trần Thị Bích",
                               .role = "commune-police",
                               .province = "56",
                               .commune = "22366",
                               .agency = "Công an phường"};
    assert_int_equal(dd_identity_officer_create(fx->db, &o, "mật khẩu đủ dài", "operator:test", &id,
                                                err, sizeof err),
                     DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM officers o JOIN accounts a ON a.id = "
                                      "o.account_id WHERE a.login = 'canbo.xa' AND a.kind = "
                                      "'officer' AND a.level = 2 AND a.status = 'active'"),
                     1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM events WHERE type = "
                                      "'account.created' AND payload LIKE '%operator:test%'"),
                     1);
    assert_int_equal(dd_identity_officer_create(fx->db, &o, NULL, NULL, NULL, err, sizeof err),
                     DD_EEXIST);
    struct dd_officer_new digits = o;
    digits.username = "123456789012";
    assert_int_equal(dd_identity_officer_create(fx->db, &digits, NULL, NULL, NULL, err, sizeof err),
                     DD_EINVAL);
    struct dd_officer_new weak = o;
    weak.username = "weak.one";
    assert_int_equal(
        dd_identity_officer_create(fx->db, &weak, "short", NULL, NULL, err, sizeof err), DD_EINVAL);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM officers"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM accounts"), 1);

    /* The token principal carries the account. */
    char token[DD_TOKEN_LEN + 1];
    assert_int_equal(dd_officer_token_issue(fx->db, "canbo.xa", 60, token, err, sizeof err), DD_OK);
    struct dd_principal p;
    assert_int_equal(dd_officer_token_principal(fx->db, token, &p), DD_OK);
    assert_int_equal(p.id, id);
    assert_true(p.account_id > 0);
    assert_int_equal(p.level, 2);
    assert_int_equal(dd_officer_token_principal(fx->db, "ddt_nope", &p), DD_EINVAL);

    assert_int_equal(
        dd_identity_officer_role(fx->db, "canbo.xa", "province-police", "56", "", err, sizeof err),
        DD_OK);
    assert_int_equal(
        dd_identity_officer_role(fx->db, "canbo.xa", "commune-police", "56", "", err, sizeof err),
        DD_EINVAL);
    assert_int_equal(dd_identity_officer_role(fx->db, "nobody", "admin", "56", "", err, sizeof err),
                     DD_ENOTFOUND);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM officers WHERE role = "
                                      "'province-police' AND commune_code = ''"),
                     1);

    /* An officer made without an account gets one with a password. */
    struct dd_officer_new old = {
        .username = "legacy", .display_name = "Cũ", .role = "admin", .province = "56"};
    assert_int_equal(dd_officer_create(fx->db, &old, NULL, err, sizeof err), DD_OK);
    assert_int_equal(
        dd_identity_officer_password(fx->db, "legacy", "một mật khẩu mới", err, sizeof err), DD_OK);
    char hash[DD_PASSWORD_HASH_MAX];
    dbfx_text(fx->db, "SELECT password_hash FROM accounts WHERE login = 'legacy'", hash,
              sizeof hash);
    assert_int_equal(dd_password_verify(hash, "một mật khẩu mới"), DD_OK);

    assert_int_equal(dd_identity_officer_disable(fx->db, "canbo.xa", err, sizeof err), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM accounts WHERE login = 'canbo.xa' AND "
                                      "status = 'disabled'"),
                     1);
    dd_officer_tokens_forget();
    assert_int_equal(dd_officer_token_principal(fx->db, token, &p), DD_ENOTFOUND);

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(dd_identity_officer_list(fx->db, out, err, sizeof err), DD_OK);
    fclose(out);
    assert_non_null(strstr(text, "canbo.xa"));
    assert_non_null(strstr(text, "disabled"));
    assert_non_null(strstr(text, "legacy"));
    free(text);
}

static void
test_purge_keeps_five_years(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    int64_t account = add_account(fx->db, "056090001234", "active");
    struct id_client c = {.network = "", .user_agent = "curl", .service = "web"};
    struct id_attempt a = {.account_id = account, .login = "x", .method = "password", .client = &c};
    int64_t five_years = (int64_t)ID_HISTORY_KEEP_DAYS * ID_DAY_MS;
    begin(fx->db);
    assert_int_equal(id_history_write(fx->db, &a, T0 - five_years - ID_DAY_MS), DD_OK);
    assert_int_equal(id_history_write(fx->db, &a, T0 - five_years + ID_DAY_MS), DD_OK);
    char code[DD_OTC_SIZE];
    assert_int_equal(
        id_code_issue(fx->db, account, ID_CODE_REGISTRATION, "email", T0 - 2 * ID_DAY_MS, code),
        DD_OK);
    commit(fx->db);
    struct id_session_made m;
    char h[ID_HEX_HASH];
    make_session(fx, account, T0 - 100 * ID_DAY_MS, &m, h);
    make_session(fx, account, T0, &m, h);
    struct dd_identity_purged n;
    assert_int_equal(dd_identity_purge(fx->db, T0, &n), DD_OK);
    assert_int_equal(n.history, 1);
    assert_int_equal(n.codes, 1);
    assert_int_equal(n.sessions, 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM auth_history"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM sessions"), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_throttle_delays_grow_and_stop),
        cmocka_unit_test(test_times_ages_and_logins),
        DB_TEST(test_codes_expire_after_ten_minutes),
        DB_TEST(test_codes_allow_five_wrong_tries),
        DB_TEST(test_new_code_retires_the_old),
        DB_TEST(test_throttle_counts_per_login_and_network),
        DB_TEST(test_recovery_codes_work_once),
        DB_TEST(test_sessions_expire_when_idle_or_old),
        DB_TEST(test_ended_sessions_stop_at_once),
        DB_TEST(test_sessions_per_account_are_bounded),
        DB_TEST(test_history_rows_and_events),
        DB_TEST(test_register_match_tells_nothing_about_the_field),
        DB_TEST(test_officer_accounts_for_the_command_line),
        DB_TEST(test_purge_keeps_five_years),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
