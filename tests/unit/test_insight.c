/*
 * test_insight.c — the leaders' dashboards' aggregates (core/insight/): after a random sequence
 * of register, stay and labour changes, each written with its event as the modules write them
 * and delivered to the consumer at random moments (with a rebuild in the middle), the figures
 * kept incrementally equal those of a rebuild from scratch, and the population equals a count of
 * the people table; the XLSX writer's package; small-cell suppression. On SQLite and PostgreSQL.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/buf.h"
#include "core/events.h"
#include "core/insight/insight.h"
#include "core/insight/internal.h"
#include "core/register/api.h"
#include "core/stays/internal.h"
#include "http/route.h"

#include <time.h>
#include <zlib.h>

#define PEOPLE_MAX 400
#define STAYS_MAX  400

static const char *const communes[] = {"22366", "22333", "22390", "22402"};
static const char *const years[] = {"1950", "1972", "1988", "1999", "2004", "2015", "2024"};

struct person {
    char id[13], commune[6], tcommune[6], tprovince[3], birth[11], status[8], sex[8];
    char ethnicity[16], religion[16];
};

struct world {
    struct dd_db *db;
    struct dd_arena *arena;
    uint64_t rng;
    struct person people[PEOPLE_MAX];
    int npeople;
    int64_t stays[STAYS_MAX];
    char stay_day[STAYS_MAX][11];
    char stay_nat[STAYS_MAX][4];
    bool present[STAYS_MAX];
    int nstays;
};

static uint32_t
rnd(struct world *w, uint32_t n)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return (uint32_t)(w->rng % n);
}

static struct dd_person
as_person(const struct person *p)
{
    return (struct dd_person){.id_number = p->id,
                              .birth_date = p->birth,
                              .sex = p->sex,
                              .ethnicity = p->ethnicity,
                              .religion = p->religion,
                              .status = p->status,
                              .permanent_province = "56",
                              .permanent_commune = p->commune,
                              .temporary_province = p->tprovince,
                              .temporary_commune = p->tcommune};
}

static void
exec_text(struct dd_db *db, const char *sql, const char *const *t, int n)
{
    struct dd_stmt *st;
    assert_int_equal(dd_db_prepare(db, sql, &st), DD_OK);
    for (int i = 0; i < n; i++)
        dd_stmt_bind_text(st, i + 1, t[i]);
    int rc = dd_stmt_step(st);
    if (rc != DD_DB_DONE)
        fail_msg("%s: %s", sql, dd_db_errmsg(db));
    dd_stmt_reset(st);
}

static void
emit(struct world *w, const char *type, const char *payload)
{
    assert_int_equal(dd_event_emit(w->db, type, NULL, payload), DD_OK);
}

static void
store_person(struct world *w, const struct person *p, bool insert)
{
    char year[5];
    snprintf(year, sizeof year, "%.4s", p->birth);
    const char *t[] = {p->birth,     year,        p->sex,       p->status,   p->commune,
                       p->tprovince, p->tcommune, p->ethnicity, p->religion, p->id};
    exec_text(w->db,
              insert
                  ? "INSERT INTO people (birth_date, birth_year, sex, status, permanent_commune, "
                    "temporary_province, temporary_commune, ethnicity, religion, id_number, "
                    "permanent_province, full_name, name_folded, given_folded, created_at, "
                    "updated_at) VALUES (?, CAST(? AS INTEGER), ?, ?, ?, ?, ?, ?, ?, ?, '56', "
                    "'A', 'a', 'a', 'now', 'now')"
                  : "UPDATE people SET birth_date = ?, birth_year = CAST(? AS INTEGER), sex = "
                    "?, status = ?, permanent_commune = ?, temporary_province = ?, "
                    "temporary_commune = ?, ethnicity = ?, religion = ? WHERE id_number = ?",
              t, 10);
}

static struct person *
new_person(struct world *w)
{
    struct person *p = &w->people[w->npeople];
    snprintf(p->id, sizeof p->id, "0560900%05d", w->npeople);
    w->npeople++;
    snprintf(p->commune, sizeof p->commune, "%s", communes[rnd(w, 4)]);
    snprintf(p->birth, sizeof p->birth, "%s-%02u-1%u", years[rnd(w, 7)], 1 + rnd(w, 12), rnd(w, 9));
    snprintf(p->sex, sizeof p->sex, "%s", rnd(w, 2) ? "male" : "female");
    snprintf(p->status, sizeof p->status, "alive");
    snprintf(p->ethnicity, sizeof p->ethnicity, "%s", rnd(w, 3) ? "Kinh" : "Raglai");
    snprintf(p->religion, sizeof p->religion, "%s", rnd(w, 4) ? "" : "Phật giáo");
    return p;
}

static struct person *
living(struct world *w)
{
    for (int tries = 0; tries < 20 && w->npeople; tries++) {
        struct person *p = &w->people[rnd(w, (uint32_t)w->npeople)];
        if (strcmp(p->status, "dead") != 0)
            return p;
    }
    return NULL;
}

static void
op_birth(struct world *w)
{
    if (w->npeople == PEOPLE_MAX)
        return;
    struct person *p = new_person(w);
    store_person(w, p, true);
    struct dd_person after = as_person(p);
    char *payload = dd_arena_printf(
        w->arena,
        "{\"id_number\":\"%s\",\"birth_date\":\"%s\",\"sex\":\"%s\",\"province\":\"56\","
        "\"commune\":\"%s\"}",
        p->id, p->birth, p->sex, p->commune);
    emit(w, "person.born", reg_payload_with_dims(w->arena, payload, NULL, &after));
}

/* A change of `kind` to a living person, with its event. */
static void
op_change(struct world *w, int kind)
{
    struct person *p = living(w);
    if (p == NULL)
        return;
    struct person old = *p;
    const char *type = "person.corrected";
    char *payload = dd_arena_printf(w->arena, "{\"id_number\":\"%s\"}", p->id);
    char date[11];
    snprintf(date, sizeof date, "2026-%02u-0%u", 1 + rnd(w, 12), 1 + rnd(w, 9));
    if (kind == 0) { /* death */
        snprintf(p->status, sizeof p->status, "dead");
        type = "person.died";
        payload = dd_arena_printf(w->arena,
                                  "{\"id_number\":\"%s\",\"death_date\":\"%s\",\"province\":"
                                  "\"56\",\"commune\":\"%s\"}",
                                  p->id, date, p->commune);
    } else if (kind == 1) { /* permanent move, sometimes out of the province */
        bool out = rnd(w, 4) == 0;
        const char *to = out ? "" : communes[rnd(w, 4)];
        type = "residence.moved";
        payload = dd_arena_printf(w->arena,
                                  "{\"id_number\":\"%s\",\"kind\":\"permanent\",\"from\":{"
                                  "\"province\":\"56\",\"commune\":\"%s\"},\"to\":{\"province\":"
                                  "\"%s\",\"commune\":\"%s\"},\"since\":\"%s\"}",
                                  p->id, p->commune, out ? "79" : "56", out ? "26734" : to, date);
        if (out) { /* gone: the register keeps them no more in this province's figures */
            snprintf(p->status, sizeof p->status, "dead");
        } else
            snprintf(p->commune, sizeof p->commune, "%s", to);
    } else if (kind == 2) { /* temporary residence elsewhere in the province */
        snprintf(p->tprovince, sizeof p->tprovince, "56");
        snprintf(p->tcommune, sizeof p->tcommune, "%s", communes[rnd(w, 4)]);
        type = "residence.moved";
        payload = dd_arena_printf(w->arena,
                                  "{\"id_number\":\"%s\",\"kind\":\"temporary\",\"from\":{"
                                  "\"province\":\"\",\"commune\":\"\"},\"to\":{\"province\":"
                                  "\"56\",\"commune\":\"%s\"},\"since\":\"%s\"}",
                                  p->id, p->tcommune, date);
    } else if (kind == 3) { /* a corrected sex or year of birth */
        snprintf(p->sex, sizeof p->sex, "%s", strcmp(p->sex, "male") ? "male" : "female");
        memcpy(p->birth, years[rnd(w, 7)], 4);
    } else { /* missing: still counted */
        snprintf(p->status, sizeof p->status, "missing");
        type = "person.missing";
    }
    store_person(w, p, false);
    struct dd_person before = as_person(&old), after = as_person(p);
    if (kind == 1 && strcmp(p->status, "dead") == 0) /* out of the province */
        after.status = "alive", after.permanent_province = "79", after.permanent_commune = "26734";
    emit(w, type, reg_payload_with_dims(w->arena, payload, &before, &after));
    if (kind == 1 && strcmp(p->status, "dead") == 0) { /* as the register would hold them */
        const char *t[] = {p->id};
        exec_text(w->db,
                  "UPDATE people SET status = 'alive', permanent_province = '79', "
                  "permanent_commune = '26734' WHERE id_number = ?",
                  t, 1);
    }
}

static void
op_checkin(struct world *w)
{
    if (w->nstays == STAYS_MAX)
        return;
    int i = w->nstays++;
    snprintf(w->stay_day[i], 11, "2026-%02u-%02u", 1 + rnd(w, 12), 1 + rnd(w, 28));
    bool late = rnd(w, 5) == 0, watched = rnd(w, 7) == 0;
    const char *nat = rnd(w, 3) ? "VNM" : "KOR";
    char key[40];
    snprintf(key, sizeof key, "id:0560901%05d", i);
    snprintf(w->stay_nat[i], 4, "%s", nat);
    const char *t[] = {key, nat, nat[0] == 'V' ? "79" : "", w->stay_day[i], late ? "1" : "0"};
    exec_text(w->db,
              "INSERT INTO stays (establishment_id, province_code, commune_code, guest_key, "
              "nationality, origin_province, source, arrived_at, arrival_day, reported_at, "
              "due_at, late, reported_by, updated_at) SELECT org_id, '56', '22366', ?, ?, ?, "
              "'typed', 'a', ?, 'r', 'd', CAST(? AS INTEGER), 'test', 'u' FROM "
              "stay_establishments",
              t, 5);
    w->stays[i] = dbfx_int(w->db, "SELECT MAX(id) FROM stays");
    w->present[i] = true;
    if (watched) {
        exec_text(w->db,
                  "INSERT INTO stay_watchlist (guest_key, reason, province_code, added_by, "
                  "added_at) VALUES (?, 'r', '56', 't', 'now')",
                  t, 1);
        char sql[300];
        snprintf(sql, sizeof sql,
                 "INSERT INTO stay_alerts (stay_id, watch_id, establishment_id, province_code, "
                 "commune_code, created_at) SELECT %lld, MAX(id), 1, '56', '22366', 'now' FROM "
                 "stay_watchlist",
                 (long long)w->stays[i]);
        dbfx_exec(w->db, sql);
        exec_text(w->db, "UPDATE stay_watchlist SET removed_at = 'x' WHERE guest_key = ?", t, 1);
    }
    char *payload = dd_arena_printf(
        w->arena,
        "{\"id\":%lld,\"day\":\"%s\",\"province\":\"56\",\"commune\":\"22366\",\"class\":"
        "\"hotel-3\",\"nationality\":\"%s\",\"origin\":\"%s\",\"late\":%s,\"watched\":%s}",
        (long long)w->stays[i], w->stay_day[i], nat, nat[0] == 'V' ? "79" : "",
        late ? "true" : "false", watched ? "true" : "false");
    assert_int_equal(dd_event_emit(w->db, "stay.checked_in", NULL, payload), DD_OK);
}

static void
op_checkout(struct world *w)
{
    if (w->nstays == 0)
        return;
    int i = (int)rnd(w, (uint32_t)w->nstays);
    if (!w->present[i])
        return;
    w->present[i] = false;
    int y, m, d;
    sscanf(w->stay_day[i], "%d-%d-%d", &y, &m, &d);
    int len = (int)rnd(w, 45);
    d += len;
    while (d > 28) { /* every month has 28 days here: a rough but real later date */
        d -= 28;
        m++;
    }
    if (m > 12)
        m -= 12, y++;
    char departure[32];
    snprintf(departure, sizeof departure, "%04d-%02d-%02d", y, m, d);
    /* As the stays module stores it: UTC, whose day in Vietnam's time is the departure day —
     * early that day (00:30 UTC is 07:30 there) or in its first hours (17:00 to 23:59 UTC the
     * day before, past midnight there). */
    char *departed_at = dd_arena_printf(w->arena, "%sT00:30:00.000Z", departure);
    if (rnd(w, 2) == 0) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d - 1};
        time_t before = timegm(&tm);
        struct tm b;
        gmtime_r(&before, &b);
        departed_at = dd_arena_printf(w->arena, "%04d-%02d-%02dT%02d:45:00.000Z", b.tm_year + 1900,
                                      b.tm_mon + 1, b.tm_mday, 17 + (int)rnd(w, 7));
    }
    char *id = dd_arena_printf(w->arena, "%lld", (long long)w->stays[i]);
    const char *t[] = {departed_at, id};
    exec_text(w->db, "UPDATE stays SET departed_at = ? WHERE id = CAST(? AS INTEGER)", t, 2);
    char *payload = dd_arena_printf(
        w->arena,
        "{\"id\":%lld,\"arrival_day\":\"%s\",\"departure_day\":\"%s\",\"province\":"
        "\"56\",\"commune\":\"22366\",\"class\":\"hotel-3\",\"nationality\":\"%s\"}",
        (long long)w->stays[i], w->stay_day[i], departure, w->stay_nat[i]);
    assert_int_equal(dd_event_emit(w->db, "stay.checked_out", NULL, payload), DD_OK);
}

static void
op_labour(struct world *w)
{
    struct person *p = living(w);
    if (p == NULL)
        return;
    static const char *const st[] = {"employed", "unemployed", "inactive"};
    static const char *const sec[] = {"", "agriculture", "industry", "services"};
    const char *status = st[rnd(w, 3)], *sector = sec[rnd(w, 4)];
    const char *park = rnd(w, 2) ? "KCN Suối Dầu" : "";
    const char *commune = communes[rnd(w, 4)];
    struct dd_stmt *q;
    assert_int_equal(dd_db_prepare(w->db,
                                   "SELECT commune_code, employment_status, sector, "
                                   "industrial_park FROM people_labour WHERE id_number = ?",
                                   &q),
                     DD_OK);
    dd_stmt_bind_text(q, 1, p->id);
    const char *before = "null";
    if (dd_stmt_step(q) == DD_DB_ROW)
        before = dd_arena_printf(w->arena,
                                 "{\"province\":\"56\",\"commune\":\"%s\",\"employment_status\":"
                                 "\"%s\",\"sector\":\"%s\",\"industrial_park\":\"%s\"}",
                                 dd_stmt_text(q, 0), dd_stmt_text(q, 1), dd_stmt_text(q, 2),
                                 dd_stmt_text(q, 3));
    dd_stmt_reset(q);
    const char *t[] = {p->id, commune, status, sector, park};
    exec_text(w->db,
              "INSERT INTO people_labour (id_number, province_code, commune_code, "
              "employment_status, sector, industrial_park, source, updated_at) VALUES (?, '56', "
              "?, ?, ?, ?, 't', 'now') ON CONFLICT (id_number) DO UPDATE SET commune_code = "
              "excluded.commune_code, employment_status = excluded.employment_status, sector = "
              "excluded.sector, industrial_park = excluded.industrial_park",
              t, 5);
    emit(w, "labour.recorded",
         dd_arena_printf(w->arena,
                         "{\"id_number\":\"%s\",\"before\":%s,\"after\":{\"province\":\"56\","
                         "\"commune\":\"%s\",\"employment_status\":\"%s\",\"sector\":\"%s\","
                         "\"industrial_park\":\"%s\"}}",
                         p->id, before, commune, status, sector, park));
}

static int
consumer(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    (void)arg;
    return dd_insight_apply(db, ev);
}

/* Delivers every event waiting: one at a time through dd_insight_apply (dd_events_consume), or
 * as the server's dispatcher does, in batches of a random size whose stay figures the module
 * writes at the batch's end. */
static void
consume(struct world *w)
{
    if (rnd(w, 2) == 0) {
        size_t n = 0;
        assert_int_equal(dd_events_consume(w->db, "insight", consumer, NULL, 0, &n), DD_OK);
        return;
    }
    struct dd_event_consumer c = {.name = "insight",
                                  .fn = dd_module_insight.on_event,
                                  .batch_end = dd_module_insight.events_batch_end};
    size_t batch = 1 + rnd(w, 60);
    do {
        assert_int_equal(dd_events_consume_many(w->db, &c, 1, batch), DD_OK);
        if (c.rc == DD_ELATER) {
            /* SQLite: a bulk load's rebuild is deferred out of the delivery, as the dispatcher
             * runs it, and the event comes again */
            assert_int_equal(dd_db_kind(w->db), DD_DB_SQLITE);
            assert_int_equal(dd_module_insight.after_round(w->db), 1);
            c.pending = true;
        } else {
            assert_int_equal(c.rc, DD_OK);
        }
    } while (c.pending);
}

/* Every aggregate row with a count other than zero, one line each, in a fixed order. */
static char *
snapshot(struct world *w)
{
    static const char *const sql[] = {
        "SELECT * FROM insight_population WHERE people <> 0 ORDER BY 1, 2, 3, 4",
        "SELECT * FROM insight_composition WHERE people <> 0 ORDER BY 1, 2, 3, 4",
        "SELECT * FROM insight_flows WHERE births <> 0 OR deaths <> 0 OR moves_in <> 0 OR "
        "moves_out <> 0 ORDER BY 1, 2, 3",
        "SELECT * FROM insight_moves WHERE moves <> 0 ORDER BY 1, 2, 3, 4, 5",
        "SELECT * FROM insight_labour WHERE people <> 0 ORDER BY 1, 2, 3, 4, 5",
        "SELECT * FROM insight_tourism WHERE arrivals <> 0 OR guest_nights <> 0 ORDER BY 1, 2, "
        "3, 4",
        "SELECT * FROM insight_arrivals WHERE arrivals <> 0 ORDER BY 1, 2, 3, 4, 5",
        "SELECT * FROM insight_order WHERE late_stays <> 0 OR watch_hits <> 0 ORDER BY 1, 2, 3",
        "SELECT * FROM insight_stay_lengths WHERE stays <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
        "SELECT * FROM stay_fig_arrivals WHERE arrivals <> 0 ORDER BY 1, 2, 3, 4, 5, 6",
        "SELECT * FROM stay_fig_nights WHERE guest_nights <> 0 ORDER BY 1, 2, 3, 4",
    };
    struct dd_buf b;
    dd_buf_init(&b, w->arena, 4 * 1024 * 1024);
    for (size_t q = 0; q < sizeof sql / sizeof sql[0]; q++) {
        struct dd_stmt *st;
        assert_int_equal(dd_db_prepare(w->db, sql[q], &st), DD_OK);
        dd_buf_printf(&b, "-- %zu\n", q);
        while (dd_stmt_step(st) == DD_DB_ROW) {
            for (int c = 0; c < dd_stmt_column_count(st); c++)
                dd_buf_printf(&b, "%s|", dd_stmt_text(st, c));
            dd_buf_putc(&b, '\n');
        }
        dd_stmt_reset(st);
    }
    return b.data;
}

static void
setup_world(void **state, struct world *w, uint64_t seed)
{
    struct dbfx *fx = dbfx_get(state);
    memset(w, 0, sizeof *w);
    w->db = fx->db;
    w->arena = dd_arena_new(1 << 16);
    w->rng = seed;
    dbfx_migrate_core(w->db);
    dbfx_exec(w->db, "INSERT INTO organisations (kind, name, address, province_code, "
                     "commune_code, created_by, created_at, updated_at) VALUES ('hotel', 'KS', "
                     "'1 Trần Phú', '56', '22366', 'test', 'now', 'now')");
    dbfx_exec(w->db, "INSERT INTO stay_establishments (org_id, type, stars, class, beds, name, "
                     "address, province_code, commune_code, status, requested_by, requested_at, "
                     "updated_at) SELECT id, 'hotel', 3, 'hotel-3', 10, 'KS', '1 Trần Phú', '56', "
                     "'22366', 'approved', 'test', 'now', 'now' FROM organisations");
    /* A bulk load first: people without events of their own, and its one event. */
    assert_int_equal(dd_db_begin(w->db), DD_OK);
    for (int i = 0; i < 40; i++)
        store_person(w, new_person(w), true);
    emit(w, "register.imported", "{\"rows\":40}");
    assert_int_equal(dd_db_commit(w->db), DD_OK);
}

static void
run_seed(void **state, uint64_t seed)
{
    {
        (void)dbfx_get(state); /* skips before anything is allocated when the backend is absent */
        struct world *w = calloc(1, sizeof *w);
        setup_world(state, w, seed * 0x9E3779B97F4A7C15ULL);
        for (int step = 0; step < 600; step++) {
            assert_int_equal(dd_db_begin(w->db), DD_OK);
            uint32_t op = rnd(w, 10);
            if (op == 0)
                op_birth(w);
            else if (op <= 3)
                op_change(w, (int)rnd(w, 5));
            else if (op <= 5)
                op_checkin(w);
            else if (op <= 7)
                op_checkout(w);
            else
                op_labour(w);
            assert_int_equal(dd_db_commit(w->db), DD_OK);
            if (rnd(w, 25) == 0)
                consume(w);
            if (step == 450) { /* a bulk load: the consumer rebuilds in the middle of a batch */
                assert_int_equal(dd_db_begin(w->db), DD_OK);
                for (int i = 0; i < 5; i++)
                    store_person(w, new_person(w), true);
                emit(w, "register.imported", "{\"rows\":5}");
                assert_int_equal(dd_db_commit(w->db), DD_OK);
            }
            if (step == 300) { /* a rebuild in the middle, as an operator would run it */
                assert_int_equal(dd_db_begin(w->db), DD_OK);
                assert_int_equal(dd_insight_rebuild(w->db, NULL), DD_OK);
                assert_int_equal(dd_db_commit(w->db), DD_OK);
            }
        }
        consume(w);
        char *incremental = snapshot(w);
        assert_true(strlen(incremental) > 200);
        /* The stocks against the people table itself. */
        assert_int_equal(dbfx_int(w->db,
                                  "SELECT COALESCE(SUM(people), 0) FROM insight_population WHERE "
                                  "province_code = '56'"),
                         dbfx_int(w->db, "SELECT COUNT(*) FROM people WHERE status <> 'dead' AND "
                                         "permanent_province = '56'"));
        assert_int_equal(dd_db_begin(w->db), DD_OK);
        struct dd_insight_rebuild_report rep;
        assert_int_equal(dd_insight_rebuild(w->db, &rep), DD_OK);
        assert_int_equal(dd_db_commit(w->db), DD_OK);
        char *rebuilt = snapshot(w);
        assert_string_equal(incremental, rebuilt);
        if (dd_db_kind(w->db) == DD_DB_SQLITE) { /* the same in two steps, for a live database */
            assert_int_equal(dd_insight_rebuild_staged(w->db, &rep), DD_OK);
            assert_string_equal(snapshot(w), rebuilt);
            assert_int_equal(dbfx_int(w->db, "SELECT COUNT(*) FROM sqlite_temp_master WHERE name "
                                             "LIKE 'insight%' OR name LIKE 'stay_fig%'"),
                             0);
        } else {
            assert_int_equal(dd_insight_rebuild_staged(w->db, &rep), DD_EINVAL);
        }
        assert_true(rep.watermark > 300);
        /* Events after the rebuild still count, once. */
        assert_int_equal(dd_db_begin(w->db), DD_OK);
        op_birth(w);
        assert_int_equal(dd_db_commit(w->db), DD_OK);
        consume(w);
        consume(w);
        assert_int_equal(dbfx_int(w->db, "SELECT COALESCE(SUM(people), 0) FROM "
                                         "insight_population WHERE province_code = '56'"),
                         dbfx_int(w->db, "SELECT COUNT(*) FROM people WHERE status <> 'dead' AND "
                                         "permanent_province = '56'"));
        dd_arena_free(w->arena);
        free(w);
    }
}

static void
incremental_figures_equal_a_rebuild(void **state)
{
    run_seed(state, 0x9E3779B97F4A7C15ULL);
}

static void
incremental_figures_equal_a_rebuild_other_seed(void **state)
{
    run_seed(state, 0xD1B54A32D192ED03ULL);
}

static int
deliver(struct dd_db *db, const char *type, const char *payload)
{
    assert_int_equal(dd_db_begin(db), DD_OK);
    struct insight_tally t = {0};
    insight_stay_event(&t, type, payload);
    int rc = insight_tally_write(db, &t);
    assert_int_equal(dd_db_commit(db), DD_OK);
    return rc;
}

static int64_t
nights(struct dd_db *db, const char *day)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT COALESCE(SUM(guest_nights), 0) FROM stay_fig_nights WHERE day = '%s'", day);
    return dbfx_int(db, sql);
}

static void
tally_collect(void *arg, const char *const *keys, const int64_t *sums)
{
    struct dd_buf *b = arg;
    dd_buf_printf(b, "%s|%s|%lld;", keys[0], keys[1], (long long)sums[0]);
}

/* Cells are told apart by all their keys, short or longer than a cell holds itself, and by
 * their statement; sums add up, merging adds a tally's cells into another, and the keys come
 * back as they went in. */
static void
tally_cells_keep_their_keys(void **state)
{
    (void)state;
    static const char sql_a[] = "a", sql_b[] = "b";
    char longer[200];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    struct insight_tally t = {0}, u = {0};
    const int64_t one = 1, two = 2;
    const char *k1[] = {"ab", "c"}, *k2[] = {"a", "bc"}, *k3[] = {longer, "z"};
    insight_tally_add(&t, sql_a, k1, 2, &one, 1);
    insight_tally_add(&t, sql_a, k2, 2, &one, 1);
    insight_tally_add(&t, sql_a, k3, 2, &two, 1);
    insight_tally_add(&t, sql_b, k1, 2, &two, 1);
    insight_tally_add(&u, sql_a, k3, 2, &one, 1);
    insight_tally_add(&u, sql_a, k1, 2, &two, 1);
    insight_tally_merge(&t, &u);
    assert_int_equal(u.count, 0);
    char text[512];
    struct dd_buf b;
    dd_buf_init_fixed(&b, text, sizeof text);
    insight_tally_each(&t, tally_collect, &b);
    char expected[512];
    snprintf(expected, sizeof expected, "ab|c|3;a|bc|1;%s|z|3;ab|c|2;", longer);
    assert_string_equal(text, expected);
    insight_tally_clear(&t);
}

/* Rows given to a lagging tally end in the same cells, sums and order as rows added at once:
 * for no row, one, two, three, and enough that the index grows while rows wait. */
static void
lagging_tally_adds_what_a_tally_adds(void **state)
{
    (void)state;
    static const char sql[] = "groups";
    const size_t counts[] = {0, 1, 2, 3, 500};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        struct insight_tally direct = {0}, lagged = {0};
        struct insight_tally_lag lag = {.t = &lagged, .sql = sql, .nkeys = 2};
        for (size_t i = 0; i < counts[c]; i++) {
            char day[16], est[16];
            snprintf(day, sizeof day, "2025-01-%02zu", 1 + i % 28);
            snprintf(est, sizeof est, "%zu", i % 9);
            const char *keys[] = {day, est};
            int64_t sum = (int64_t)(i % 5) + 1;
            insight_tally_add(&direct, sql, keys, 2, &sum, 1);
            char *joined = insight_tally_lag_keys(&lag);
            size_t len = strlen(day) + 1 + strlen(est) + 1;
            memcpy(joined, day, strlen(day) + 1);
            memcpy(joined + strlen(day) + 1, est, strlen(est) + 1);
            insight_tally_lag_add(&lag, len, sum);
        }
        insight_tally_lag_flush(&lag);
        assert_int_equal(lagged.count, direct.count);
        char a[32768], b[32768];
        struct dd_buf ba, bb;
        dd_buf_init_fixed(&ba, a, sizeof a);
        dd_buf_init_fixed(&bb, b, sizeof b);
        insight_tally_each(&direct, tally_collect, &ba);
        insight_tally_each(&lagged, tally_collect, &bb);
        assert_string_equal(b, a);
        if (counts[c] == 500)
            assert_int_equal(direct.count, 252); /* 28 days × 9, each cell given twice or so */
        insight_tally_clear(&direct);
        insight_tally_clear(&lagged);
    }
}

/* A departure's hour in UTC as the day in Vietnam (UTC+7), the rebuild's reading of departed_at. */
static void
vietnam_day_of_a_utc_hour(void **state)
{
    (void)state;
    char day[11];
    assert_true(insight_vietnam_day("2026-12-31T16", day));
    assert_string_equal(day, "2026-12-31");
    assert_true(insight_vietnam_day("2026-12-31T17", day));
    assert_string_equal(day, "2027-01-01");
    assert_true(insight_vietnam_day("2028-02-28T23", day));
    assert_string_equal(day, "2028-02-29");
    assert_true(insight_vietnam_day("2026-06-01T00", day));
    assert_string_equal(day, "2026-06-01");
    assert_false(insight_vietnam_day("2026-12-31", day));
    assert_false(insight_vietnam_day("2026-12-31T24", day));
    assert_false(insight_vietnam_day("2026-12-31 10", day));
    assert_false(insight_vietnam_day("2026-13-01T10", day));
    assert_false(insight_vietnam_day("", day));
}

/* SQLite: the rebuild's two readers see one and the same state: what another connection
 * commits once they have begun is seen by neither, and writers are not kept waiting for them. */
static void
scan_readers_share_one_snapshot(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_exec(fx->db, "CREATE TABLE seen (n INTEGER)");
    dbfx_exec(fx->db, "INSERT INTO seen (n) VALUES (1)");
    struct dd_db *second = NULL;
    assert_int_equal(insight_scan_begin(fx->db, &second), DD_OK);
    assert_non_null(second);
    struct dd_db *writer = dbfx_connect(fx, 1000);
    dbfx_exec(writer, "INSERT INTO seen (n) VALUES (2)"); /* commits at once */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM seen"), 1);
    assert_int_equal(dbfx_int(second, "SELECT count(*) FROM seen"), 1);
    assert_int_equal(dbfx_int(writer, "SELECT count(*) FROM seen"), 2);
    insight_scan_end(fx->db, second);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM seen"), 2);
    dd_db_close(writer);
}

/* The stays module's daily figures, kept by this consumer from the stay events alone. */
static void
daily_figures_follow_the_stay_events(void **state)
{
    struct dd_db *db = dbfx_get(state)->db;
    dbfx_migrate_core(db);
    const char *in = "{\"id\":1,\"day\":\"2026-11-28\",\"province\":\"56\",\"commune\":\"22366\","
                     "\"class\":\"hotel-3\",\"nationality\":\"KOR\",\"origin\":\"\"}";
    assert_int_equal(deliver(db, "stay.checked_in", in), DD_OK);
    assert_int_equal(deliver(db, "stay.checked_in", in), DD_OK);
    assert_int_equal(dbfx_int(db, "SELECT arrivals FROM stay_fig_arrivals WHERE nationality = "
                                  "'KOR' AND day = '2026-11-28'"),
                     2);
    assert_int_equal(nights(db, "2026-11-28"), 2);
    /* One leaves three days later: the nights of the 29th and 30th are added. */
    assert_int_equal(deliver(db, "stay.checked_out",
                             "{\"id\":1,\"arrival_day\":\"2026-11-28\",\"departure_day\":"
                             "\"2026-12-01\",\"province\":\"56\",\"commune\":\"22366\","
                             "\"class\":\"hotel-3\",\"nationality\":\"KOR\"}"),
                     DD_OK);
    assert_int_equal(nights(db, "2026-11-29"), 1);
    assert_int_equal(nights(db, "2026-11-30"), 1);
    assert_int_equal(nights(db, "2026-12-01"), 0);
    /* The other leaves the day they came: their night is taken back. */
    assert_int_equal(deliver(db, "stay.checked_out",
                             "{\"id\":2,\"arrival_day\":\"2026-11-28\",\"departure_day\":"
                             "\"2026-11-28\",\"province\":\"56\",\"commune\":\"22366\","
                             "\"class\":\"hotel-3\"}"),
                     DD_OK);
    assert_int_equal(nights(db, "2026-11-28"), 1);
    /* Other events change nothing. */
    assert_int_equal(deliver(db, "person.born", "{}"), DD_OK);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM stay_fig_nights"), 3);
    /* The same nights by month, and the two stays' lengths (3 nights, 0 nights) by the month of
     * departure. */
    assert_int_equal(dbfx_int(db, "SELECT guest_nights FROM insight_tourism WHERE month = "
                                  "'2026-11'"),
                     3);
    assert_int_equal(dbfx_int(db, "SELECT arrivals FROM insight_tourism WHERE month = '2026-11'"),
                     2);
    assert_int_equal(dbfx_int(db, "SELECT stays FROM insight_stay_lengths WHERE month = '2026-12' "
                                  "AND nights = 3 AND nationality = 'KOR'"),
                     1);
    assert_int_equal(dbfx_int(db, "SELECT stays FROM insight_stay_lengths WHERE month = '2026-11' "
                                  "AND nights = 0"),
                     1);
}

static void
xlsx_is_a_zip_of_five_parts(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(4096);
    struct dd_buf b;
    dd_buf_init(&b, a, 1 << 20);
    const char *headers[] = {"commune", "people"};
    const char *cells[] = {"22366", "12", "Xã <Ninh> & \"Hòa\"", "<5"};
    assert_int_equal(dd_xlsx_write(&b, "population", headers, 2, cells, 2), DD_OK);
    /* The local header of the first part, and the end record naming five entries. */
    assert_memory_equal(b.data, "PK\x03\x04", 4);
    const unsigned char *end = (const unsigned char *)b.data + b.len - 22;
    assert_memory_equal(end, "PK\x05\x06", 4);
    assert_int_equal(end[10] | end[11] << 8, 5);
    assert_non_null(memmem(b.data, b.len, "xl/worksheets/sheet1.xml", 24));
    assert_non_null(memmem(b.data, b.len, "<c r=\"B2\"><v>12</v></c>", 23));
    assert_non_null(memmem(b.data, b.len, "Xã &lt;Ninh&gt; &amp; &quot;Hòa&quot;", 39));
    assert_non_null(memmem(b.data, b.len, "<t xml:space=\"preserve\">&lt;5</t>", 33));
    /* The stored CRC-32 of the first part is that of its bytes. */
    const unsigned char *h = (const unsigned char *)b.data;
    uint32_t crc = (uint32_t)(h[14] | h[15] << 8 | h[16] << 16 | (uint32_t)h[17] << 24);
    uint32_t size = (uint32_t)(h[18] | h[19] << 8 | h[20] << 16 | (uint32_t)h[21] << 24);
    size_t name_len = (size_t)(h[26] | h[27] << 8);
    assert_int_equal(crc, (uint32_t)crc32(0L, h + 30 + name_len, size));
    dd_arena_free(a);
}

static void
small_cells_are_hidden_and_zero_kept(void **state)
{
    (void)state;
    const char *columns[] = {"commune", "sex", "people"};
    const char *cells[] = {"22366", "male",  "4",      "22366", "female", "5",    "22333", "male",
                           "0",     "22333", "female", "1",     "22390",  "male", "12345"};
    static const bool counts[] = {false, false, true};
    struct insight_table t = {.name = "population",
                              .columns = columns,
                              .ncols = 3,
                              .cells = cells,
                              .nrows = 5,
                              .counts = counts};
    insight_suppress(&t, 5, "<5");
    assert_string_equal(cells[2], "<5");
    assert_string_equal(cells[5], "5");
    assert_string_equal(cells[8], "0");
    assert_string_equal(cells[11], "<5");
    assert_string_equal(cells[14], "12345");
    assert_string_equal(cells[0], "22366"); /* codes are no counts, however small */
}

/* Every column of every person, rowid first, one line each: what a migration must keep. */
static char *
people_rows(struct dd_db *db, struct dd_arena *arena)
{
    struct dd_buf b;
    dd_buf_init(&b, arena, 1 << 16);
    struct dd_stmt *st;
    assert_int_equal(
        dd_db_prepare(db,
                      dd_db_kind(db) == DD_DB_SQLITE
                          ? "SELECT rowid, id_number, full_name, name_folded, given_folded, "
                            "other_names, birth_date, birth_year, sex, ethnicity, religion, "
                            "nationality, birth_place, hometown, old_id_number, photo_ref, "
                            "status, death_date, father_id, mother_id, spouse_id, household_id, "
                            "relation_to_head, permanent_province, permanent_commune, "
                            "permanent_address, temporary_province, temporary_commune, "
                            "temporary_address, temporary_until, version, created_at, "
                            "updated_at, import_id, residences FROM people ORDER BY rowid"
                          : "SELECT * FROM people ORDER BY id_number",
                      &st),
        DD_OK);
    while (dd_stmt_step(st) == DD_DB_ROW) {
        for (int c = 0; c < dd_stmt_column_count(st); c++) {
            const char *v = dd_stmt_text(st, c);
            dd_buf_printf(&b, "%s|", v ? v : "NULL");
        }
        dd_buf_putc(&b, '\n');
    }
    dd_stmt_reset(st);
    return b.data;
}

/* Migration 0031 adds the people's key column (SQLite; PostgreSQL has nothing to change):
 * every row keeps every value, the indexes are those of before with people_insight on the key,
 * and the key is each living person's cell, NULL for the dead, following later writes. */
static void
people_keep_their_rows_through_migration_0031(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    struct dd_migration_list list;
    char err[512] = "";
    assert_int_equal(dd_migration_list_embedded(&list, fx->kind, err, sizeof err), DD_OK);
    size_t all = list.count;
    while (list.count > 0 && list.items[list.count - 1].version >= 31)
        list.count--;
    assert_true(list.count < all);
    assert_int_equal(dd_migrate(fx->db, &list, NULL, NULL, err, sizeof err), DD_OK);
    dbfx_exec(fx->db,
              "INSERT INTO people (id_number, full_name, name_folded, given_folded, other_names, "
              "birth_date, birth_year, sex, ethnicity, religion, birth_place, hometown, "
              "old_id_number, photo_ref, status, death_date, father_id, household_id, "
              "relation_to_head, permanent_province, permanent_commune, permanent_address, "
              "temporary_province, temporary_commune, temporary_address, temporary_until, "
              "version, created_at, updated_at, import_id, residences) VALUES "
              "('056090000001', 'Nguyễn Văn An', 'nguyen van an', 'an nguyen van', 'Tí', "
              "'1990-05-17', 1990, 'male', 'Kinh', 'Phật giáo', '56-22366', '79-26734', "
              "'225123456', 'p/1', 'alive', '', '056060000009', 7, 'head', '56', '22366', "
              "'1 Trần Phú', '79', '26734', '3 Lê Lợi', '2026-12-31', 3, '2025-01-01', "
              "'2025-02-01', 2, '[{\"kind\":\"permanent\"}]'), "
              "('056060000009', 'Nguyễn Văn Bình', 'nguyen van binh', 'binh nguyen van', '', "
              "'1960', 1960, 'male', 'Kinh', '', '', '', '', '', 'dead', '2024-03-02', '', NULL, "
              "'', '56', '22366', '', '', '', '', '', 1, '2025-01-01', '2025-01-01', NULL, '[]')");
    struct dd_arena *arena = dd_arena_new(1 << 16);
    char *before = people_rows(fx->db, arena);
    list.count = all;
    assert_int_equal(dd_migrate(fx->db, &list, NULL, NULL, err, sizeof err), DD_OK);
    dd_migration_list_free(&list);
    assert_string_equal(people_rows(fx->db, arena), before);
    if (fx->kind == DD_DB_SQLITE) {
        char v[256];
        dbfx_text(fx->db,
                  "SELECT replace(insight_key, char(31), '/') FROM people WHERE id_number = "
                  "'056090000001'",
                  v, sizeof v);
        assert_string_equal(v, "56/22366/1990/male/Kinh/Phật giáo/79/26734");
        assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people WHERE insight_key IS NULL"),
                         1);
        dbfx_text(fx->db,
                  "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE "
                  "type = 'index' AND tbl_name = 'people' ORDER BY name)",
                  v, sizeof v);
        assert_string_equal(v, "people_given people_household people_insight people_name "
                               "people_permanent people_temporary sqlite_autoindex_people_1");
        /* Written again whenever a value it holds changes. */
        dbfx_exec(fx->db, "UPDATE people SET temporary_province = '', temporary_commune = '', "
                          "ethnicity = 'Raglai' WHERE id_number = '056090000001'");
        dbfx_text(fx->db,
                  "SELECT replace(insight_key, char(31), '/') FROM people WHERE id_number = "
                  "'056090000001'",
                  v, sizeof v);
        assert_string_equal(v, "56/22366/1990/male/Raglai/Phật giáo//");
        dbfx_exec(fx->db, "UPDATE people SET status = 'dead' WHERE id_number = '056090000001'");
        assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people WHERE insight_key IS NULL"),
                         2);
    }
    dd_arena_free(arena);
}

/* A code holding the key's separator (which the register refuses) makes the rebuild fail with
 * DD_EINVAL, and the figures of the rebuild before stay as they were. */
static void
a_code_holding_the_separator_fails_the_rebuild(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    dbfx_migrate_core(fx->db);
    dbfx_exec(fx->db, "INSERT INTO people (id_number, full_name, name_folded, given_folded, "
                      "birth_date, birth_year, sex, ethnicity, permanent_province, "
                      "permanent_commune, created_at, updated_at) VALUES ('056090000001', 'A', "
                      "'a', 'a', '1990', 1990, 'male', 'Kinh', '56', '22366', 'now', 'now')");
    assert_int_equal(dd_insight_rebuild_staged(fx->db, NULL), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT SUM(people) FROM insight_population"), 1);
    dbfx_exec(fx->db, "INSERT INTO people (id_number, full_name, name_folded, given_folded, "
                      "birth_date, birth_year, sex, ethnicity, permanent_province, "
                      "permanent_commune, created_at, updated_at) VALUES ('056090000002', 'B', "
                      "'b', 'b', '1991', 1991, 'female', 'Kinh' || char(31) || 'x', '56', "
                      "'22366', 'now', 'now')");
    assert_int_equal(dd_insight_rebuild_staged(fx->db, NULL), DD_EINVAL);
    assert_int_equal(dbfx_int(fx->db, "SELECT SUM(people) FROM insight_population"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM insight_population WHERE birth_year "
                                      "= 1991"),
                     0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xlsx_is_a_zip_of_five_parts),
        cmocka_unit_test(small_cells_are_hidden_and_zero_kept),
        cmocka_unit_test(tally_cells_keep_their_keys),
        cmocka_unit_test(vietnam_day_of_a_utc_hour),
        cmocka_unit_test(lagging_tally_adds_what_a_tally_adds),
        SQLITE_TEST(scan_readers_share_one_snapshot),
        DB_TEST(daily_figures_follow_the_stay_events),
        DB_TEST(incremental_figures_equal_a_rebuild),
        DB_TEST(incremental_figures_equal_a_rebuild_other_seed),
        DB_TEST(people_keep_their_rows_through_migration_0031),
        SQLITE_TEST(a_code_holding_the_separator_fails_the_rebuild),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
