/*
 * test_events.c — the transactional outbox on SQLite and PostgreSQL: events exist only if
 * their transaction commits, consumers see them in order, a failing consumer gets the same
 * event again, consumers do not affect each other, cursors survive a restart, emitters are
 * serialised so that ids become visible in order, and the audit consumer audits each event.
 */
#include "db_fixture.h"

#include "core/audit.h"
#include "core/events.h"

#include <pthread.h>

struct seen {
    int64_t ids[64];
    char types[64][32];
    int count;
    int64_t fail_at; /* fail on this event id (0: never) */
    bool write_side; /* also insert into table side, in the delivery transaction */
};

static int
record_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    struct seen *s = arg;
    if (s->write_side) {
        struct dd_stmt *st = NULL;
        int rc = dd_db_prepare(db, "INSERT INTO side (event_id) VALUES (?)", &st);
        if (rc != DD_OK)
            return rc;
        dd_stmt_bind_int64(st, 1, ev->id);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
        if (rc != DD_DB_DONE)
            return rc;
    }
    if (ev->id == s->fail_at)
        return DD_EIO;
    if (s->count < 64) {
        s->ids[s->count] = ev->id;
        snprintf(s->types[s->count], sizeof s->types[0], "%s", ev->type);
    }
    s->count++;
    assert_int_equal(strlen(ev->created_at), 24);
    return DD_OK;
}

static void
setup(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
    dbfx_exec(fx->db, "CREATE TABLE side (event_id BIGINT NOT NULL)");
}

static void
emit_committed(struct dd_db *db, int n)
{
    assert_int_equal(dd_db_begin(db), DD_OK);
    for (int i = 1; i <= n; i++) {
        char type[32], subject[32], payload[64];
        snprintf(type, sizeof type, "test.e%d", i);
        snprintf(subject, sizeof subject, "person:%d", i);
        snprintf(payload, sizeof payload, "{\"n\":%d,\"name\":\"Đức\"}", i);
        assert_int_equal(dd_event_emit(db, type, subject, payload), DD_OK);
    }
    assert_int_equal(dd_db_commit(db), DD_OK);
}

static const struct dd_consumer_status *
consumer(const struct dd_consumer_status *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].consumer, name) == 0)
            return &s[i];
    fail_msg("no consumer %s", name);
    return NULL;
}

static void
test_emit_checks_its_input(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    assert_int_equal(dd_event_emit(fx->db, "person.born", "p:1", "{}"), DD_EINVAL); /* no tx */
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_event_emit(fx->db, "person.born", "p:1", "{\"a\":"), DD_EINVAL);
    assert_int_equal(dd_event_emit(fx->db, "person.born", "p:1", "{} {}"), DD_EINVAL);
    assert_int_equal(dd_event_emit(fx->db, "person.born", "p:1", "{\"a\":\"\xff\"}"), DD_EINVAL);
    assert_int_equal(dd_event_emit(fx->db, "person.born", "p:1", NULL), DD_EINVAL);
    assert_int_equal(dd_event_emit(fx->db, "Person Born", "p:1", "{}"), DD_EINVAL);
    assert_int_equal(dd_event_emit(fx->db, "", "p:1", "{}"), DD_EINVAL);
    assert_int_equal(dd_event_emit(fx->db, "person.born", "\xff", "{}"), DD_EINVAL);
    assert_int_equal(dd_event_emit(fx->db, "person.born", NULL, "[1,2]"), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM events"), 1);
}

/* An event is written with its transaction or not at all. */
static void
test_rollback_emits_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_event_emit(fx->db, "person.born", "p:1", "{}"), DD_OK);
    assert_int_equal(dd_db_rollback(fx->db), DD_OK);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM events"), 0);
    struct seen s = {0};
    size_t processed = 99;
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_OK);
    assert_int_equal(processed, 0);
    assert_int_equal(s.count, 0);
}

static void
test_consume_in_order(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    emit_committed(fx->db, 3);
    emit_committed(fx->db, 2);
    struct seen s = {.write_side = true};
    size_t processed = 0;
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_OK);
    assert_int_equal(processed, 5);
    assert_int_equal(s.count, 5);
    for (int i = 1; i < 5; i++)
        assert_true(s.ids[i] > s.ids[i - 1]);
    assert_string_equal(s.types[0], "test.e1");
    assert_string_equal(s.types[2], "test.e3");
    assert_string_equal(s.types[3], "test.e1");
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 5);

    /* Nothing new: nothing delivered. */
    processed = 99;
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_OK);
    assert_int_equal(processed, 0);
    assert_int_equal(s.count, 5);

    struct dd_consumer_status *st = NULL;
    size_t n = 0;
    int64_t last = 0;
    assert_int_equal(dd_events_status(fx->db, NULL, &st, &n, &last), DD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(st[0].consumer, "c");
    assert_int_equal(st[0].position, s.ids[4]);
    assert_int_equal(st[0].pending, 0);
    assert_int_equal(last, s.ids[4]);
    assert_int_equal(strlen(st[0].updated_at), 24);
    free(st);
}

/* A consumer that fails does not move its cursor; its writes for that event are undone; the
 * event comes again. */
static void
test_failing_consumer_redelivers(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    emit_committed(fx->db, 3);
    int64_t first = dbfx_int(fx->db, "SELECT min(id) FROM events");
    struct seen s = {.fail_at = first + 1, .write_side = true};
    size_t processed = 0;
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_EIO);
    assert_int_equal(processed, 1);
    assert_int_equal(s.count, 1);
    assert_false(dd_db_in_transaction(fx->db));
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 1);
    assert_int_equal(dbfx_int(fx->db, "SELECT position FROM event_cursors WHERE consumer = 'c'"),
                     first);

    /* Still failing: delivered again, still not past it. */
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_EIO);
    assert_int_equal(processed, 0);

    s.fail_at = 0;
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_OK);
    assert_int_equal(processed, 2);
    assert_int_equal(s.ids[1], first + 1);
    assert_int_equal(s.ids[2], first + 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 3);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(DISTINCT event_id) FROM side"), 3);
}

static void
test_consumers_are_independent(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    emit_committed(fx->db, 3);
    struct seen a = {0}, b = {0};
    size_t processed = 0;
    assert_int_equal(dd_events_consume(fx->db, "a", record_event, &a, 0, &processed), DD_OK);
    assert_int_equal(processed, 3);
    assert_int_equal(dd_events_consume(fx->db, "b", record_event, &b, 1, &processed), DD_OK);
    assert_int_equal(processed, 1);
    assert_int_equal(b.ids[0], a.ids[0]);

    struct dd_consumer_status *st = NULL;
    size_t n = 0;
    int64_t last = 0;
    const char *const known[] = {"a", "never-ran", NULL};
    assert_int_equal(dd_events_status(fx->db, known, &st, &n, &last), DD_OK);
    assert_int_equal(n, 3);
    assert_int_equal(consumer(st, n, "a")->pending, 0);
    assert_int_equal(consumer(st, n, "b")->pending, 2);
    assert_int_equal(consumer(st, n, "b")->position, a.ids[0]);
    /* A consumer that has never run still shows, with every event waiting for it. */
    assert_int_equal(consumer(st, n, "never-ran")->position, 0);
    assert_int_equal(consumer(st, n, "never-ran")->pending, 3);
    free(st);

    assert_int_equal(dd_events_consume(fx->db, "b", record_event, &b, 0, &processed), DD_OK);
    assert_int_equal(processed, 2);
    assert_int_equal(b.count, 3);
    assert_int_equal(dd_events_consume(fx->db, "no spaces", record_event, &b, 0, &processed),
                     DD_EINVAL);
}

static void
test_cursor_survives_reopen(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    emit_committed(fx->db, 3);
    struct seen s = {0};
    size_t processed = 0;
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 2, &processed), DD_OK);
    assert_int_equal(processed, 2);
    dd_db_close(fx->db);

    fx->db = dbfx_connect(fx, 5000);
    struct seen again = {0};
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &again, 0, &processed), DD_OK);
    assert_int_equal(processed, 1);
    assert_int_equal(again.ids[0], s.ids[1] + 1);
    assert_string_equal(again.types[0], "test.e3");
}

/* While one transaction that emitted is open, a second emitter waits: ids cannot commit out of
 * order. With a short timeout the wait ends in DD_EBUSY. */
static void
test_emitters_are_serialised(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_db *other = dbfx_connect(fx, 150);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_event_emit(fx->db, "first", NULL, "{}"), DD_OK);

    int rc = dd_db_begin(other);
    if (rc == DD_OK)
        rc = dd_event_emit(other, "second", NULL, "{}");
    assert_int_equal(rc, DD_EBUSY);
    dd_db_rollback(other);

    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_int_equal(dd_db_begin(other), DD_OK);
    assert_int_equal(dd_event_emit(other, "second", NULL, "{}"), DD_OK);
    assert_int_equal(dd_db_commit(other), DD_OK);
    dd_db_close(other);

    struct seen s = {0};
    size_t processed = 0;
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_OK);
    assert_int_equal(processed, 2);
    assert_string_equal(s.types[0], "first");
    assert_string_equal(s.types[1], "second");
}

struct emitter {
    struct dbfx *fx;
    int n;
    int rc;
};

static void *
emit_many(void *arg)
{
    struct emitter *e = arg;
    struct dd_db_options opt = {.timeout_ms = 20000};
    struct dd_db *db = NULL;
    char err[256];
    e->rc = dd_db_open(e->fx->url, &opt, &db, err, sizeof err);
    for (int i = 0; i < e->n && e->rc == DD_OK; i++) {
        e->rc = dd_db_begin(db);
        if (e->rc == DD_OK)
            e->rc = dd_event_emit(db, "load", NULL, "{}");
        if (e->rc == DD_OK)
            e->rc = dd_db_commit(db);
        else
            dd_db_rollback(db);
    }
    dd_db_close(db);
    return NULL;
}

/* A consumer running while several connections emit sees every event exactly once. */
static void
test_concurrent_emitters(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct emitter e[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        e[i] = (struct emitter){.fx = fx, .n = 40};
        assert_int_equal(pthread_create(&t[i], NULL, emit_many, &e[i]), 0);
    }
    struct seen s = {.write_side = true};
    size_t processed = 0, total = 0;
    for (int round = 0; round < 2000 && total < 120; round++) {
        int rc = dd_events_consume(fx->db, "c", record_event, &s, 0, &processed);
        assert_true(rc == DD_OK || rc == DD_EBUSY);
        total += processed;
        if (processed == 0)
            usleep(2000);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(e[i].rc, DD_OK);
    }
    assert_int_equal(dd_events_consume(fx->db, "c", record_event, &s, 0, &processed), DD_OK);
    total += processed;
    assert_int_equal(total, 120);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(DISTINCT event_id) FROM side"), 120);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 120);
}

/* The built-in audit consumer writes one audit row per event, and the chain stays valid. */
static void
test_audit_consumer(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(
        dd_event_emit(fx->db, "person.born", "person:42", "{\"district\":\"Ba Đình\"}"), DD_OK);
    const struct dd_audit_entry e = {.actor = "officer:7", .action = "person.create"};
    assert_int_equal(dd_audit_append(fx->db, &e), DD_OK);
    assert_int_equal(dd_event_emit(fx->db, "stay.started", NULL, "[]"), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);

    size_t processed = 0;
    assert_int_equal(
        dd_events_consume(fx->db, "audit", dd_audit_event_consumer, NULL, 0, &processed), DD_OK);
    assert_int_equal(processed, 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM audit_log"), 3);
    char action[64], object[64], detail[64], actor[64];
    dbfx_text(fx->db, "SELECT action FROM audit_log WHERE id = 2", action, sizeof action);
    dbfx_text(fx->db, "SELECT object FROM audit_log WHERE id = 2", object, sizeof object);
    dbfx_text(fx->db, "SELECT detail FROM audit_log WHERE id = 2", detail, sizeof detail);
    dbfx_text(fx->db, "SELECT actor FROM audit_log WHERE id = 2", actor, sizeof actor);
    assert_string_equal(action, "event.person.born");
    assert_string_equal(object, "person:42");
    assert_string_equal(detail, "{\"district\":\"Ba Đình\"}");
    assert_string_equal(actor, "system");
    dbfx_text(fx->db, "SELECT action FROM audit_log WHERE id = 3", action, sizeof action);
    assert_string_equal(action, "event.stay.started");

    assert_int_equal(
        dd_events_consume(fx->db, "audit", dd_audit_event_consumer, NULL, 0, &processed), DD_OK);
    assert_int_equal(processed, 0);
    struct dd_audit_report r;
    assert_int_equal(dd_audit_verify(fx->db, &r), DD_OK);
    assert_int_equal(r.rows, 3);
}

/* Several consumers in one round: each gets its batch in the round's single transaction; one
 * failing on an event keeps the events before it and holds back no one else, and a consumer with
 * a bad name is refused alone. */
static void
test_consume_many_in_one_round(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    emit_committed(fx->db, 3);
    int64_t first = dbfx_int(fx->db, "SELECT min(id) FROM events");
    struct seen a = {.write_side = true}, b = {.fail_at = first + 1, .write_side = true};
    struct dd_event_consumer cs[] = {
        {.name = "a", .fn = record_event, .arg = &a},
        {.name = "Bad Name", .fn = record_event, .arg = &a},
        {.name = "b", .fn = record_event, .arg = &b},
    };
    assert_int_equal(dd_events_consume_many(fx->db, cs, 3, 0), DD_OK);
    assert_false(dd_db_in_transaction(fx->db));
    assert_int_equal(cs[0].rc, DD_OK);
    assert_int_equal(cs[0].processed, 3);
    assert_int_equal(cs[1].rc, DD_EINVAL);
    assert_int_equal(cs[1].processed, 0);
    assert_int_equal(cs[2].rc, DD_EIO);
    assert_int_equal(cs[2].processed, 1);
    /* a's three rows and b's first; b's row for the failing event was undone. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 4);
    assert_int_equal(dbfx_int(fx->db, "SELECT position FROM event_cursors WHERE consumer = 'a'"),
                     first + 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT position FROM event_cursors WHERE consumer = 'b'"),
                     first);

    /* The next round: b carries on from where it stopped, a has nothing waiting. */
    b.fail_at = 0;
    assert_int_equal(dd_events_consume_many(fx->db, cs, 3, 0), DD_OK);
    assert_false(cs[0].pending);
    assert_int_equal(cs[0].processed, 0);
    assert_int_equal(cs[2].rc, DD_OK);
    assert_int_equal(cs[2].processed, 2);
    assert_int_equal(b.ids[1], first + 1);
    assert_int_equal(b.ids[2], first + 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 6);

    /* A batch bound per consumer. */
    emit_committed(fx->db, 3);
    assert_int_equal(dd_events_consume_many(fx->db, cs, 1, 2), DD_OK);
    assert_int_equal(cs[0].processed, 2);
}

/* A consumer that names the types it takes is given only those; the cursor still moves past the
 * others, so they are not offered again. */
static void
test_consume_many_by_type(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    emit_committed(fx->db, 4); /* test.e1 … test.e4 */
    int64_t first = dbfx_int(fx->db, "SELECT min(id) FROM events");
    struct seen some = {.write_side = true}, all = {0};
    static const char *const types[] = {"test.e2", "test.e4", NULL};
    struct dd_event_consumer cs[] = {
        {.name = "some", .fn = record_event, .arg = &some, .types = types},
        {.name = "all", .fn = record_event, .arg = &all},
    };
    assert_int_equal(dd_events_consume_many(fx->db, cs, 2, 0), DD_OK);
    assert_int_equal(cs[0].processed, 4);
    assert_int_equal(some.count, 2);
    assert_string_equal(some.types[0], "test.e2");
    assert_string_equal(some.types[1], "test.e4");
    assert_int_equal(all.count, 4);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT position FROM event_cursors WHERE consumer = 'some'"),
                     first + 3);
    assert_int_equal(dd_events_consume_many(fx->db, cs, 2, 0), DD_OK);
    assert_false(cs[0].pending);
    assert_int_equal(some.count, 2);
}

/* A consumer that counts its events in memory and writes the count once per batch. */
struct gather {
    struct seen seen;
    int64_t pending;  /* counted since the batch began */
    int ends_kept;    /* batch_end(keep = true) calls */
    int ends_dropped; /* batch_end(keep = false) calls */
    bool fail_end;    /* batch_end(keep = true) fails */
};

static int
gather_event(struct dd_db *db, const struct dd_event *ev, void *arg)
{
    struct gather *g = arg;
    int rc = record_event(db, ev, &g->seen);
    if (rc == DD_OK)
        g->pending++;
    return rc;
}

static int
gather_end(struct dd_db *db, void *arg, bool keep)
{
    struct gather *g = arg;
    int64_t n = g->pending;
    g->pending = 0;
    if (!keep) {
        g->ends_dropped++;
        return DD_OK;
    }
    g->ends_kept++;
    if (g->fail_end)
        return DD_EIO;
    struct dd_stmt *st = NULL;
    int rc = dd_db_prepare(db, "INSERT INTO side (event_id) VALUES (?)", &st);
    if (rc != DD_OK)
        return rc;
    dd_stmt_bind_int64(st, 1, -n); /* the batch's count, negative to tell it from an event id */
    rc = dd_stmt_step(st);
    dd_stmt_reset(st);
    return rc == DD_DB_DONE ? DD_OK : rc;
}

/* batch_end writes what a consumer gathered once per batch, before the cursor moves: the events
 * kept before a failing one are written with it; a failing batch_end drops the whole batch, which
 * comes again; a dropped batch is forgotten. */
static void
test_consume_many_batch_end(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    emit_committed(fx->db, 5);
    int64_t first = dbfx_int(fx->db, "SELECT min(id) FROM events");
    struct gather g = {.seen = {.fail_at = first + 3}};
    struct dd_event_consumer cs[] = {
        {.name = "g", .fn = gather_event, .arg = &g, .batch_end = gather_end},
    };
    /* Batches of 2: e1 e2 written as one count; then e3 is kept and e4 fails. */
    assert_int_equal(dd_events_consume_many(fx->db, cs, 1, 2), DD_OK);
    assert_int_equal(cs[0].processed, 2);
    assert_int_equal(dd_events_consume_many(fx->db, cs, 1, 2), DD_OK);
    assert_int_equal(cs[0].rc, DD_EIO);
    assert_int_equal(cs[0].processed, 1);
    assert_int_equal(g.ends_kept, 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT -sum(event_id) FROM side"), 3);
    assert_int_equal(dbfx_int(fx->db, "SELECT position FROM event_cursors WHERE consumer = 'g'"),
                     first + 2);

    /* batch_end fails: nothing of the batch is kept and the cursor stays. */
    g.seen.fail_at = 0;
    g.fail_end = true;
    assert_int_equal(dd_events_consume_many(fx->db, cs, 1, 0), DD_OK);
    assert_int_equal(cs[0].rc, DD_EIO);
    assert_int_equal(cs[0].processed, 0);
    assert_int_equal(g.ends_dropped, 1);
    assert_int_equal(g.pending, 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM side"), 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT position FROM event_cursors WHERE consumer = 'g'"),
                     first + 2);

    /* It comes again and is written once. */
    g.fail_end = false;
    assert_int_equal(dd_events_consume_many(fx->db, cs, 1, 0), DD_OK);
    assert_int_equal(cs[0].processed, 2);
    assert_int_equal(dbfx_int(fx->db, "SELECT -sum(event_id) FROM side"), 5);
    assert_int_equal(dbfx_int(fx->db, "SELECT position FROM event_cursors WHERE consumer = 'g'"),
                     first + 4);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(test_emit_checks_its_input),
        DB_TEST(test_rollback_emits_nothing),
        DB_TEST(test_consume_in_order),
        DB_TEST(test_failing_consumer_redelivers),
        DB_TEST(test_consumers_are_independent),
        DB_TEST(test_cursor_survives_reopen),
        DB_TEST(test_emitters_are_serialised),
        DB_TEST(test_concurrent_emitters),
        DB_TEST(test_audit_consumer),
        DB_TEST(test_consume_many_in_one_round),
        DB_TEST(test_consume_many_by_type),
        DB_TEST(test_consume_many_batch_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
