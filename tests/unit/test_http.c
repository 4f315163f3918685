/*
 * test_http.c — the router, language choice, request ids and static-path checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "http/req.h"
#include "http/route.h"
#include "http/router.h"
#include "http/static.h"

#include <string.h>

static int
handler(struct dd_req *req)
{
    (void)req;
    return 0;
}

static const struct dd_route people_routes[] = {
    DD_ROUTE("GET", "/api/v1/people", handler, DD_AUTH_OFFICER, "register:read"),
    DD_ROUTE("GET", "/api/v1/people/{id}", handler, DD_AUTH_OFFICER, "register:read"),
    DD_ROUTE_BODY("PATCH", "/api/v1/people/{id}", handler, DD_AUTH_OFFICER, "register:write",
                  DD_BODY_JSON, 0, NULL),
    DD_ROUTE("GET", "/api/v1/people/{id}/history/{version}", handler, DD_AUTH_OFFICER, NULL),
    DD_ROUTE("GET", "/healthz", handler, DD_AUTH_NONE, NULL),
    DD_ROUTES_END,
};
static const struct dd_module people = {.name = "people", .routes = people_routes};
static const struct dd_module *const one_module[] = {&people};

static struct dd_router *
people_router(void)
{
    char err[200];
    struct dd_router *r = dd_router_new(one_module, 1, err, sizeof err);
    assert_non_null(r);
    return r;
}

static void
router_matches_literals_and_captures_parameters(void **state)
{
    (void)state;
    struct dd_router *r = people_router();
    struct dd_route_match m;
    char scratch[128];
    assert_int_equal(dd_router_count(r), 5);
    assert_int_equal(dd_router_match(r, "GET", "/api/v1/people", scratch, &m), DD_MATCH_FOUND);
    assert_string_equal(m.route->path, "/api/v1/people");
    assert_int_equal(m.nparams, 0);
    assert_int_equal(
        dd_router_match(r, "GET", "/api/v1/people/056090001234/history/3", scratch, &m),
        DD_MATCH_FOUND);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(m.names[0], "id");
    assert_string_equal(m.values[0], "056090001234");
    assert_string_equal(m.names[1], "version");
    assert_string_equal(m.values[1], "3");
    assert_int_equal(m.index, 3);
    assert_ptr_equal(m.module, &people);
    dd_router_free(r);
}

static const struct dd_route tail_routes[] = {
    DD_ROUTE("GET", "/gw/{service}/{rest*}", handler, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/gw/{service}/fixed/x", handler, DD_AUTH_NONE, NULL),
    DD_ROUTES_END,
};
static const struct dd_module tail = {.name = "tail", .routes = tail_routes};
static const struct dd_module *const tail_module[] = {&tail};

/* A last {name*} segment takes the rest of the path, joined again by '/', or nothing. */
static void
router_tail_takes_the_rest_of_the_path(void **state)
{
    (void)state;
    char err[200];
    struct dd_router *r = dd_router_new(tail_module, 1, err, sizeof err);
    assert_non_null(r);
    struct dd_route_match m;
    char scratch[128];
    assert_int_equal(dd_router_match(r, "GET", "/gw/cards/v1/the/123", scratch, &m),
                     DD_MATCH_FOUND);
    assert_int_equal(m.nparams, 2);
    assert_string_equal(m.values[0], "cards");
    assert_string_equal(m.names[1], "rest");
    assert_string_equal(m.values[1], "v1/the/123");
    assert_int_equal(dd_router_match(r, "GET", "/gw/cards", scratch, &m), DD_MATCH_FOUND);
    assert_string_equal(m.values[1], "");
    /* The first row that matches wins; the fixed row after it is reached only by order. */
    assert_int_equal(dd_router_match(r, "GET", "/gw/cards/fixed/x", scratch, &m), DD_MATCH_FOUND);
    assert_string_equal(m.route->path, "/gw/{service}/{rest*}");
    assert_int_equal(dd_router_match(r, "GET", "/gw", scratch, &m), DD_MATCH_NO_PATH);
    assert_int_equal(dd_router_match(r, "POST", "/gw/a/b", scratch, &m), DD_MATCH_NO_METHOD);
    dd_router_free(r);

    static const struct dd_route bad_rows[] = {
        DD_ROUTE("GET", "/gw/{rest*}/x", handler, DD_AUTH_NONE, NULL),
        DD_ROUTES_END,
    };
    static const struct dd_module bad = {.name = "bad", .routes = bad_rows};
    static const struct dd_module *const bad_module[] = {&bad};
    assert_null(dd_router_new(bad_module, 1, err, sizeof err));
    assert_non_null(strstr(err, "{name*} before its end"));
}

static int
sink_chunk(struct dd_req *req, const char *data, size_t n)
{
    (void)req;
    (void)data;
    (void)n;
    return DD_OK;
}

static void
sink_over(struct dd_req *req)
{
    (void)req;
}

/* A streamed body needs a sink with both functions, and only a streamed body has one. */
static void
router_refuses_streamed_bodies_without_a_whole_sink(void **state)
{
    (void)state;
    char err[200];
    static const struct dd_body_sink whole = {.chunk = sink_chunk, .over = sink_over};
    static const struct dd_body_sink half = {.chunk = sink_chunk};
    static const struct dd_route good_rows[] = {
        {.method = "POST",
         .path = "/up",
         .handler = handler,
         .auth = DD_AUTH_NONE,
         .body = DD_BODY_STREAM,
         .sink = &whole},
        DD_ROUTES_END,
    };
    static const struct dd_route no_sink[] = {
        {.method = "POST",
         .path = "/up",
         .handler = handler,
         .auth = DD_AUTH_NONE,
         .body = DD_BODY_STREAM},
        DD_ROUTES_END,
    };
    static const struct dd_route half_sink[] = {
        {.method = "POST",
         .path = "/up",
         .handler = handler,
         .auth = DD_AUTH_NONE,
         .body = DD_BODY_STREAM,
         .sink = &half},
        DD_ROUTES_END,
    };
    static const struct dd_route sink_not_streamed[] = {
        {.method = "POST",
         .path = "/up",
         .handler = handler,
         .auth = DD_AUTH_NONE,
         .body = DD_BODY_RAW,
         .sink = &whole},
        DD_ROUTES_END,
    };
    static const struct dd_module good = {.name = "good", .routes = good_rows};
    static const struct dd_module *const good_module[] = {&good};
    struct dd_router *r = dd_router_new(good_module, 1, err, sizeof err);
    assert_non_null(r);
    dd_router_free(r);
    const struct dd_route *bad[] = {no_sink, half_sink, sink_not_streamed};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const struct dd_module m = {.name = "bad", .routes = bad[i]};
        const struct dd_module *const mods[] = {&m};
        assert_null(dd_router_new(mods, 1, err, sizeof err));
        assert_non_null(strstr(err, "malformed"));
    }
}

static void
router_tells_unknown_paths_from_wrong_methods(void **state)
{
    (void)state;
    struct dd_router *r = people_router();
    struct dd_route_match m;
    char scratch[128];
    assert_int_equal(dd_router_match(r, "GET", "/api/v1/persons", scratch, &m), DD_MATCH_NO_PATH);
    assert_int_equal(dd_router_match(r, "GET", "/api/v1/people/", scratch, &m), DD_MATCH_NO_PATH);
    assert_int_equal(dd_router_match(r, "GET", "/api/v1/people/1/extra", scratch, &m),
                     DD_MATCH_NO_PATH);
    assert_int_equal(dd_router_match(r, "GET", "api/v1/people", scratch, &m), DD_MATCH_NO_PATH);
    assert_int_equal(dd_router_match(r, "DELETE", "/api/v1/people/7", scratch, &m),
                     DD_MATCH_NO_METHOD);
    assert_string_equal(m.allow, "GET, HEAD, PATCH");
    assert_int_equal(dd_router_match(r, "HEAD", "/healthz", scratch, &m), DD_MATCH_FOUND);
    dd_router_free(r);
}

static void
router_refuses_too_many_segments(void **state)
{
    (void)state;
    struct dd_router *r = people_router();
    struct dd_route_match m;
    char path[200];
    for (int i = 0; i < 20; i++)
        memcpy(path + 2 * i, "/a", 2);
    path[40] = '\0';
    char scratch[200];
    assert_int_equal(dd_router_match(r, "GET", path, scratch, &m), DD_MATCH_NO_PATH);
    dd_router_free(r);
}

static const struct dd_route unset_auth_routes[] = {
    {.method = "GET", .path = "/api/v1/secret", .handler = handler},
    DD_ROUTES_END,
};
static const struct dd_route duplicate_routes[] = {
    DD_ROUTE("GET", "/api/v1/things/{id}", handler, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/things/{code}", handler, DD_AUTH_NONE, NULL),
    DD_ROUTES_END,
};

static void
router_refuses_rows_without_auth_and_duplicates(void **state)
{
    (void)state;
    char err[200] = "";
    const struct dd_module unset = {.name = "bad", .routes = unset_auth_routes};
    const struct dd_module *const m1[] = {&unset};
    assert_null(dd_router_new(m1, 1, err, sizeof err));
    assert_non_null(strstr(err, "no auth row"));
    const struct dd_module dup = {.name = "dup", .routes = duplicate_routes};
    const struct dd_module *const m2[] = {&dup};
    assert_null(dd_router_new(m2, 1, err, sizeof err));
    assert_non_null(strstr(err, "declared twice"));
}

static void
accept_language_picks_vi_or_en(void **state)
{
    (void)state;
    assert_int_equal(dd_req_lang_from_header(NULL), DD_LANG_VI);
    assert_int_equal(dd_req_lang_from_header(""), DD_LANG_VI);
    assert_int_equal(dd_req_lang_from_header("en"), DD_LANG_EN);
    assert_int_equal(dd_req_lang_from_header("en-US,en;q=0.9"), DD_LANG_EN);
    assert_int_equal(dd_req_lang_from_header("vi-VN,vi;q=0.9,en;q=0.8"), DD_LANG_VI);
    assert_int_equal(dd_req_lang_from_header("vi;q=0.5, en;q=0.8"), DD_LANG_EN);
    assert_int_equal(dd_req_lang_from_header("fr-FR"), DD_LANG_VI);
    assert_int_equal(dd_req_lang_from_header("en;q=0"), DD_LANG_VI);
    assert_int_equal(dd_req_lang_from_header("eng"), DD_LANG_VI);
}

static void
request_ids_are_echoed_when_well_formed_and_fresh_otherwise(void **state)
{
    (void)state;
    char a[DD_REQUEST_ID_MAX + 1], b[DD_REQUEST_ID_MAX + 1];
    dd_req_make_id("abc-123_x.y", a);
    assert_string_equal(a, "abc-123_x.y");
    dd_req_make_id("bad id\n", a);
    assert_int_equal(strlen(a), 22);
    dd_req_make_id(NULL, b);
    assert_string_not_equal(a, b);
    char too_long[80];
    memset(too_long, 'a', 65);
    too_long[65] = '\0';
    dd_req_make_id(too_long, a);
    assert_string_not_equal(a, too_long);
}

static void
static_paths_refuse_traversal(void **state)
{
    (void)state;
    assert_true(dd_static_path_ok("/"));
    assert_true(dd_static_path_ok("/en/index.html"));
    assert_true(dd_static_path_ok("/a..b/c.css"));
    assert_false(dd_static_path_ok("/../etc/passwd"));
    assert_false(dd_static_path_ok("/en/../../etc/passwd"));
    assert_false(dd_static_path_ok("/en/.."));
    assert_false(dd_static_path_ok("/./index.html"));
    assert_false(dd_static_path_ok("/en\\..\\x"));
    assert_false(dd_static_path_ok("relative"));
    assert_false(dd_static_path_ok("/a\x01"));
}

static void
static_mime_types_follow_extensions(void **state)
{
    (void)state;
    assert_string_equal(dd_static_mime("/x/index.html"), "text/html; charset=utf-8");
    assert_string_equal(dd_static_mime("app.JS"), "text/javascript; charset=utf-8");
    assert_string_equal(dd_static_mime("a.css"), "text/css; charset=utf-8");
    assert_string_equal(dd_static_mime("logo.svg"), "image/svg+xml");
    assert_string_equal(dd_static_mime("noext"), "application/octet-stream");
    assert_string_equal(dd_static_mime("dir.d/file"), "application/octet-stream");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(router_matches_literals_and_captures_parameters),
        cmocka_unit_test(router_tells_unknown_paths_from_wrong_methods),
        cmocka_unit_test(router_tail_takes_the_rest_of_the_path),
        cmocka_unit_test(router_refuses_streamed_bodies_without_a_whole_sink),
        cmocka_unit_test(router_refuses_too_many_segments),
        cmocka_unit_test(router_refuses_rows_without_auth_and_duplicates),
        cmocka_unit_test(accept_language_picks_vi_or_en),
        cmocka_unit_test(request_ids_are_echoed_when_well_formed_and_fresh_otherwise),
        cmocka_unit_test(static_paths_refuse_traversal),
        cmocka_unit_test(static_mime_types_follow_extensions),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
