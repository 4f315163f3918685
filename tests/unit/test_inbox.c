/*
 * test_inbox.c — the notifications inbox's store (core/inbox/inbox.h) on SQLite and PostgreSQL:
 * which events become messages and of what kind, one message per event however often it is
 * delivered, events about no person or of other types ignored, listing newest first with the
 * cursor and the unread filter, counting, and marking read (once, only the owner's).
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "core/events.h"
#include "core/inbox/inbox.h"

#define AN   "056090001234"
#define BINH "056185000321"

struct env {
    struct dbfx *fx;
    struct dd_arena *a;
};

static struct env
setup(void **state)
{
    struct env e = {.fx = dbfx_get(state), .a = dd_arena_new(0)};
    dbfx_migrate_core(e.fx->db);
    return e;
}

/* Delivers one event to the inbox in a transaction, as the dispatcher does. */
static void
deliver(struct env *e, int64_t id, const char *type, const char *subject, const char *payload)
{
    struct dd_event ev = {.id = id,
                          .created_at = "2026-03-01T03:00:00.000Z",
                          .type = type,
                          .subject = subject,
                          .payload = payload};
    assert_int_equal(dd_db_begin(e->fx->db), DD_OK);
    assert_int_equal(dd_inbox_from_event(e->fx->db, &ev), DD_OK);
    assert_int_equal(dd_db_commit(e->fx->db), DD_OK);
}

static int64_t
messages(struct env *e)
{
    return dbfx_int(e->fx->db, "SELECT COUNT(*) FROM inbox_messages");
}

static void
events_become_messages_once(void **state)
{
    struct env e = setup(state);
    deliver(&e, 1, "consent.changed", "person:" AN,
            "{\"consent_id\":3,\"change\":\"granted\",\"service\":\"lgsp:bhxh\"}");
    deliver(&e, 2, "consent.changed", "person:" AN, "{\"consent_id\":3,\"change\":\"withdrawn\"}");
    deliver(&e, 3, "correction.requested", "person:" AN, "{\"correction_request_id\":7}");
    deliver(&e, 4, "correction.decided", "person:" AN,
            "{\"correction_request_id\":7,\"decision\":\"accepted\"}");
    deliver(&e, 5, "correction.decided", "person:" BINH,
            "{\"correction_request_id\":8,\"decision\":\"rejected\"}");
    assert_int_equal(messages(&e), 5);
    /* Delivered again (at-least-once): nothing more. */
    deliver(&e, 2, "consent.changed", "person:" AN, "{\"consent_id\":3,\"change\":\"withdrawn\"}");
    assert_int_equal(messages(&e), 5);
    /* Not about a person, of another type, an unknown change, a bad payload: ignored. */
    deliver(&e, 6, "consent.changed", "household:H1", "{\"change\":\"granted\"}");
    deliver(&e, 7, "person.born", "person:" AN, "{}");
    deliver(&e, 8, "consent.changed", "person:" AN, "{\"change\":\"renamed\"}");
    deliver(&e, 9, "correction.decided", "person:" AN, "not json");
    deliver(&e, 10, "consent.changed", "person:123", "{\"change\":\"granted\"}");
    deliver(&e, 11, "consent.changed", NULL, "{\"change\":\"granted\"}");
    assert_int_equal(messages(&e), 5);

    struct dd_inbox_message m[8];
    int n;
    bool more;
    assert_int_equal(dd_inbox_list(e.fx->db, e.a, AN, 0, false, 8, m, &n, &more), DD_OK);
    assert_int_equal(n, 4);
    assert_false(more);
    assert_string_equal(m[0].kind, "correction.accepted");
    assert_string_equal(m[1].kind, "correction.requested");
    assert_string_equal(m[2].kind, "consent.withdrawn");
    assert_string_equal(m[3].kind, "consent.granted");
    assert_string_equal(m[3].data,
                        "{\"consent_id\":3,\"change\":\"granted\",\"service\":\"lgsp:bhxh\"}");
    assert_string_equal(m[3].created_at, "2026-03-01T03:00:00.000Z");
    assert_string_equal(m[0].read_at, "");
    assert_int_equal(dd_inbox_list(e.fx->db, e.a, BINH, 0, false, 8, m, &n, &more), DD_OK);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].kind, "correction.rejected");
    dd_arena_free(e.a);
}

static void
pages_unread_and_marking(void **state)
{
    struct env e = setup(state);
    for (int i = 1; i <= 5; i++)
        deliver(&e, i, "correction.requested", "person:" AN, "{\"correction_request_id\":1}");
    struct dd_inbox_message m[5];
    int n;
    bool more;
    /* Pages of two, following the last id. */
    assert_int_equal(dd_inbox_list(e.fx->db, e.a, AN, 0, false, 2, m, &n, &more), DD_OK);
    assert_int_equal(n, 2);
    assert_true(more);
    int64_t newest = m[0].id, cursor = m[1].id;
    assert_true(newest > cursor);
    assert_int_equal(dd_inbox_list(e.fx->db, e.a, AN, cursor, false, 2, m, &n, &more), DD_OK);
    assert_int_equal(n, 2);
    assert_true(more);
    assert_true(m[0].id < cursor);
    assert_int_equal(dd_inbox_list(e.fx->db, e.a, AN, m[1].id, false, 2, m, &n, &more), DD_OK);
    assert_int_equal(n, 1);
    assert_false(more);

    int64_t unread;
    assert_int_equal(dd_inbox_unread(e.fx->db, AN, &unread), DD_OK);
    assert_int_equal(unread, 5);
    struct dd_inbox_message r;
    assert_int_equal(dd_inbox_mark_read(e.fx->db, e.a, AN, newest, "2026-03-02T00:00:00.000Z", &r),
                     DD_OK);
    assert_string_equal(r.read_at, "2026-03-02T00:00:00.000Z");
    /* Again, later: the first time is kept. */
    assert_int_equal(dd_inbox_mark_read(e.fx->db, e.a, AN, newest, "2026-03-03T00:00:00.000Z", &r),
                     DD_OK);
    assert_string_equal(r.read_at, "2026-03-02T00:00:00.000Z");
    /* Someone else's message, or none: not found, and nothing marked. */
    assert_int_equal(
        dd_inbox_mark_read(e.fx->db, e.a, BINH, newest - 1, "2026-03-02T00:00:00.000Z", &r),
        DD_ENOTFOUND);
    assert_int_equal(
        dd_inbox_mark_read(e.fx->db, e.a, AN, newest + 100, "2026-03-02T00:00:00.000Z", &r),
        DD_ENOTFOUND);
    assert_int_equal(dd_inbox_unread(e.fx->db, AN, &unread), DD_OK);
    assert_int_equal(unread, 4);
    assert_int_equal(dd_inbox_list(e.fx->db, e.a, AN, 0, true, 5, m, &n, &more), DD_OK);
    assert_int_equal(n, 4);
    for (int i = 0; i < n; i++)
        assert_true(m[i].id != newest);
    dd_arena_free(e.a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(events_become_messages_once),
        DB_TEST(pages_unread_and_marking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
