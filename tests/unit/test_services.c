/*
 * test_services.c — the online public services' pure parts: the working-day calendar (weekends,
 * the holidays of data/holidays-vn.csv, moved working Saturdays), and the procedure catalogue
 * (every data file loads; the check refuses what the engine cannot honour, above all a paperless
 * procedure that asks for a document), the magic bytes that tell an upload's type, and an
 * upload's body streamed to a temporary file piece by piece (its memory bounded whatever the
 * size, its hash that of the whole, its file gone when refused or over the limit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/err.h"
#include "core/services/internal.h"
#include "crypto/hash.h"
#include "http/req.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t
day(const char *s)
{
    int64_t d = svc_day_parse(s);
    assert_true(d >= 0);
    return d;
}

static void
assert_day(int64_t d, const char *want)
{
    char text[11];
    svc_day_text(d, text);
    assert_string_equal(text, want);
}

static void
days_parse_and_print_round_trip(void **state)
{
    (void)state;
    assert_int_equal(svc_day_parse("1970-01-01"), 0);
    assert_day(0, "1970-01-01");
    assert_day(day("2024-02-29"), "2024-02-29");
    assert_day(day("2026-12-31") + 1, "2027-01-01");
    assert_int_equal(svc_day_parse("2025-02-29"), -1);
    assert_int_equal(svc_day_parse("2026-13-01"), -1);
    assert_int_equal(svc_day_parse("2026-1-01"), -1);
    assert_int_equal(svc_day_parse(NULL), -1);
    /* Vietnam is UTC+7: 17:30 UTC on 29 November is already 30 November there. */
    assert_day(svc_today(1795973400000LL), "2026-11-30");
}

static void
weekends_holidays_and_moved_days(void **state)
{
    (void)state;
    assert_true(svc_working_day(day("2026-11-27")));  /* Friday */
    assert_false(svc_working_day(day("2026-11-28"))); /* Saturday */
    assert_false(svc_working_day(day("2026-11-29"))); /* Sunday */
    assert_false(svc_working_day(day("2025-09-02"))); /* National Day */
    assert_false(svc_working_day(day("2026-02-17"))); /* Tết Bính Ngọ */
    assert_false(svc_working_day(day("2026-04-27"))); /* Hùng Kings, taken on Monday */
    assert_true(svc_working_day(day("2025-04-26")));  /* Saturday worked for 2 May */
    assert_false(svc_working_day(day("2025-05-02")));
    /* 2027 (projected): 29 Chạp is Friday 5 February; Saturday and Sunday of Tết are taken on
     * Wednesday 10 and Thursday 11. */
    assert_true(svc_working_day(day("2027-02-04")));
    assert_false(svc_working_day(day("2027-02-05")));
    assert_false(svc_working_day(day("2027-02-11")));
    assert_true(svc_working_day(day("2027-02-12")));
}

/* The warning at start: the table lists up to 2027 (milliseconds at noon in Vietnam). */
static void
the_calendar_warns_past_its_last_year(void **state)
{
    (void)state;
    assert_false(dd_services_calendar_check(day("2026-11-29") * 86400000LL + 5 * 3600000LL));
    assert_false(dd_services_calendar_check(day("2027-12-31") * 86400000LL + 5 * 3600000LL));
    assert_true(dd_services_calendar_check(day("2028-01-01") * 86400000LL + 5 * 3600000LL));
    /* 31 December 2027 at 18:00 UTC is already 1 January 2028 in Vietnam. */
    assert_true(dd_services_calendar_check(day("2027-12-31") * 86400000LL + 18 * 3600000LL));
}

static void
deadlines_count_working_days_only(void **state)
{
    (void)state;
    assert_day(svc_add_working_days(day("2026-11-27"), 1), "2026-11-30");
    assert_day(svc_add_working_days(day("2026-11-23"), 7), "2026-12-02");
    assert_day(svc_add_working_days(day("2026-11-23"), 0), "2026-11-23");
    /* Across Tết 2026: Friday 13 February, one working day later is Monday 23 February. */
    assert_day(svc_add_working_days(day("2026-02-13"), 1), "2026-02-23");
    /* Across 30/4-1/5/2026 (Thursday, Friday). */
    assert_day(svc_add_working_days(day("2026-04-29"), 1), "2026-05-04");
    assert_int_equal(svc_working_days_between(day("2026-11-27"), day("2026-11-30")), 1);
    assert_int_equal(svc_working_days_between(day("2026-11-30"), day("2026-11-27")), 0);
    assert_int_equal(svc_working_days_between(day("2026-02-13"), day("2026-02-23")), 1);
}

static void
every_procedure_file_loads(void **state)
{
    (void)state;
    const struct svc_procedure *list;
    size_t n = svc_catalogue(&list);
    assert_int_equal(n, 25);
    int paperless = 0, bundles = 0;
    for (size_t i = 0; i < n; i++) {
        paperless += list[i].paperless;
        bundles += list[i].nparts > 0;
        if (i > 0)
            assert_true(strcmp(list[i - 1].code, list[i].code) < 0);
        for (int k = 0; k < list[i].nparts; k++)
            assert_non_null(svc_procedure_find(list[i].parts[k]));
        if (list[i].paperless)
            assert_int_equal(list[i].ndocs, 0);
    }
    assert_true(paperless >= 20);
    assert_int_equal(bundles, 2);
    const struct svc_procedure *p = svc_procedure_find("1.004222");
    assert_non_null(p);
    assert_int_equal(svc_fee(p, "online"), 10000);
    assert_int_equal(svc_fee(p, "kiosk"), 20000);
    assert_string_equal(p->effect, "residence.permanent");
    /* Circular 75/2022/TT-BTC: temporary residence 15 000 VND, 7 000 online (not half). */
    p = svc_procedure_find("1.004194");
    assert_non_null(p);
    assert_int_equal(svc_fee(p, "online"), 7000);
    assert_int_equal(svc_fee(p, "kiosk"), 15000);
    assert_null(svc_procedure_find("9.999999"));
}

static const char *good =
    "{\"code\":\"1.000001\",\"name\":{\"vi\":\"a\",\"en\":\"a\"},\"agency\":{\"vi\":\"b\",\"en\":"
    "\"b\"},\"identity_level\":1,\"fee\":0,\"processing_days\":3,\"paperless\":true,"
    "\"documents\":[],\"form\":[{\"name\":\"full_name\",\"type\":\"text\",\"label\":{\"vi\":\"x\","
    "\"en\":\"x\"},\"prefill\":\"register.full_name\"}],\"workflow\":[{\"step\":\"receive\","
    "\"role\":\"service-officer\",\"area\":\"commune\"}],\"result\":{\"issuer\":\"ubnd-56\","
    "\"vct\":\"urn:x\",\"title\":{\"vi\":\"t\",\"en\":\"t\"}}}";

/* Reads `good` with member `key` set to the JSON `value`; returns the check's result. */
static int
read_with(const char *key, const char *value)
{
    json_t *def = json_loads(good, 0, NULL);
    assert_non_null(def);
    if (key)
        json_object_set_new(def, key, json_loads(value, JSON_DECODE_ANY, NULL));
    struct svc_procedure p;
    char err[200];
    int rc = svc_procedure_read(def, &p, err, sizeof err);
    json_decref(def);
    return rc;
}

static void
the_check_refuses_what_the_engine_cannot_honour(void **state)
{
    (void)state;
    assert_int_equal(read_with(NULL, NULL), DD_OK);
    assert_int_equal(read_with("documents", "[{\"kind\":\"photo\"}]"), DD_EINVAL);
    assert_int_equal(read_with("code", "\"1.00001\""), DD_EINVAL);
    assert_int_equal(read_with("code", "\"A.000001\""), DD_EINVAL);
    assert_int_equal(read_with("effect", "{\"kind\":\"teleport\"}"), DD_EINVAL);
    assert_int_equal(read_with("online_fee", "1"), DD_EINVAL); /* above the fee of 0 */
    assert_int_equal(read_with("online_fee", "\"5\""), DD_EINVAL);
    assert_int_equal(read_with("online_fee", "0"), DD_OK);
    assert_int_equal(read_with("workflow", "[{\"step\":\"receive\"}]"), DD_EINVAL);
    assert_int_equal(read_with("workflow", "[]"), DD_EINVAL);
    assert_int_equal(read_with("form",
                               "[{\"name\":\"x\",\"type\":\"text\",\"label\":{\"vi\":\"x\",\"en\":"
                               "\"x\"},\"prefill\":\"register.password\"}]"),
                     DD_EINVAL);
    assert_int_equal(read_with("form", "[{\"name\":\"x\",\"type\":\"text\",\"label\":{\"vi\":"
                                       "\"x\",\"en\":\"x\"},\"prefill\":\"wallet:urn:x#class\"}]"),
                     DD_OK);
    assert_int_equal(read_with("form", "[{\"name\":\"x\",\"type\":\"text\",\"label\":{\"vi\":"
                                       "\"x\",\"en\":\"x\"},\"prefill\":\"wallet:#class\"}]"),
                     DD_EINVAL);
    assert_int_equal(read_with("form", "[{\"name\":\"x\",\"type\":\"photo\",\"label\":{\"vi\":"
                                       "\"x\",\"en\":\"x\"}}]"),
                     DD_EINVAL);
    assert_int_equal(read_with("pay_before", "\"result\""), DD_EINVAL);
    assert_int_equal(read_with("parts", "[\"1.000002\"]"), DD_EINVAL);
    /* Not paperless: documents may be asked for. */
    json_t *def = json_loads(good, 0, NULL);
    json_object_set_new(def, "paperless", json_false());
    json_object_set_new(def, "documents", json_loads("[{\"kind\":\"photo\"}]", 0, NULL));
    struct svc_procedure p;
    char err[200];
    assert_int_equal(svc_procedure_read(def, &p, err, sizeof err), DD_OK);
    assert_int_equal(p.ndocs, 1);
    json_decref(def);
}

/* Uploads are taken by their first bytes: the PDF header, the JPEG SOI marker followed by a
 * marker, the PNG signature (ISO 32000, ITU T.81, RFC 2083). */
static void
uploads_are_sniffed_by_magic_bytes(void **state)
{
    (void)state;
    const unsigned char pdf[] = "%PDF-1.7\n";
    const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 0x10};
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0};
    const unsigned char gif[] = "GIF89a";
    assert_string_equal(svc_upload_sniff(pdf, sizeof pdf - 1), "application/pdf");
    assert_string_equal(svc_upload_sniff(jpeg, sizeof jpeg), "image/jpeg");
    assert_string_equal(svc_upload_sniff(png, sizeof png), "image/png");
    assert_null(svc_upload_sniff(gif, sizeof gif - 1));
    assert_null(svc_upload_sniff(pdf, 4));      /* "%PDF" without the dash */
    assert_null(svc_upload_sniff(png, 7));      /* a signature cut short */
    assert_null(svc_upload_sniff(jpeg + 1, 5)); /* not at the start */
    assert_null(svc_upload_sniff((const unsigned char *)"", 0));
}

/* ---- an upload's body, streamed ---- */

static char upload_test_dir[64];

/* Files in the test's upload folder whose names start with prefix. */
static int
files_starting(const char *prefix)
{
    DIR *d = opendir(upload_test_dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

/* A request as the server builds it for a streamed body: an arena, no connection (so no
 * declared Content-Type). */
static struct dd_req *
stream_req(struct dd_arena *a)
{
    struct dd_req *req = dd_arena_zalloc(a, sizeof *req);
    req->arena = a;
    return req;
}

static void
make_upload_dir(void)
{
    snprintf(upload_test_dir, sizeof upload_test_dir, "/tmp/dd-test-uploads-XXXXXX");
    assert_non_null(mkdtemp(upload_test_dir));
    svc_upload_set_dir(upload_test_dir);
}

/* 4 MiB in 16 KiB pieces, the PNG signature split over the first two: the request's memory stays
 * under 2 KiB, the file kept under its hash holds every byte, and no temporary file is left. */
static void
streamed_body_holds_bounded_memory_and_hashes_the_whole(void **state)
{
    (void)state;
    make_upload_dir();
    struct dd_arena *a = dd_arena_new(0);
    struct dd_req *req = stream_req(a);
    size_t before = dd_arena_used(a);
    static char piece[16384];
    struct dd_sha256_ctx whole;
    dd_sha256_init(&whole);
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_int_equal(svc_upload_sink.chunk(req, (const char *)png, 3), DD_OK);
    assert_int_equal(svc_upload_sink.chunk(req, (const char *)png + 3, 5), DD_OK);
    dd_sha256_update(&whole, png, sizeof png);
    size_t total = sizeof png;
    for (int i = 0; i < 256; i++) {
        memset(piece, 'a' + i % 26, sizeof piece);
        assert_int_equal(svc_upload_sink.chunk(req, piece, sizeof piece), DD_OK);
        dd_sha256_update(&whole, piece, sizeof piece);
        total += sizeof piece;
    }
    assert_true(dd_arena_used(a) - before < 2048);
    assert_int_equal(files_starting(".tmp-"), 1);
    struct svc_upload_body b;
    svc_upload_body(req, &b);
    assert_int_equal(b.refused, 0);
    assert_string_equal(b.type, "image/png");
    assert_int_equal(b.size, total);
    char hex[65], want[65];
    assert_int_equal(svc_upload_body_keep(req, hex), DD_OK);
    dd_sha256_final_hex(&whole, want);
    assert_string_equal(hex, want);
    int fd = -1;
    assert_int_equal(svc_upload_file_open(hex, total, &fd), DD_OK);
    char back[sizeof png];
    assert_int_equal(read(fd, back, sizeof back), (ssize_t)sizeof back);
    assert_memory_equal(back, png, sizeof png);
    close(fd);
    /* A stored file of another size than its row says is not served; nor an unknown one. */
    assert_int_equal(svc_upload_file_open(hex, total - 1, &fd), DD_EIO);
    assert_int_equal(svc_upload_file_open(want[0] == '0' ? "1" : "0", total, &fd), DD_ENOTFOUND);
    assert_int_equal(files_starting(".tmp-"), 0);
    assert_int_equal(files_starting(hex), 1);
    dd_arena_free(a);
    assert_int_equal(files_starting(".tmp-"), 0);
    assert_int_equal(files_starting(hex), 1);
    assert_int_equal(svc_upload_file_remove(hex), DD_OK);
    rmdir(upload_test_dir);
}

/* First bytes that are no PDF, JPEG or PNG are refused on the piece that completes them, with no
 * file left; a body over the limit loses its temporary file when the server says so; a request
 * that ends before its handler keeps its file loses it with the arena. */
static void
streamed_body_refused_leaves_no_file(void **state)
{
    (void)state;
    make_upload_dir();
    struct dd_arena *a = dd_arena_new(0);
    struct dd_req *req = stream_req(a);
    assert_int_equal(svc_upload_sink.chunk(req, "GIF8", 4), DD_OK); /* not judged yet */
    assert_int_equal(files_starting(".tmp-"), 1);
    assert_int_not_equal(svc_upload_sink.chunk(req, "9a and more", 11), DD_OK);
    assert_int_equal(files_starting(".tmp-"), 0);
    struct svc_upload_body b;
    svc_upload_body(req, &b);
    assert_int_equal(b.refused, DD_EINVAL);
    assert_null(b.type);
    dd_arena_free(a);

    a = dd_arena_new(0);
    req = stream_req(a);
    assert_int_equal(svc_upload_sink.chunk(req, "%PDF-1.7 and some bytes", 23), DD_OK);
    assert_int_equal(files_starting(".tmp-"), 1);
    svc_upload_sink.over(req);
    assert_int_equal(files_starting(".tmp-"), 0);
    dd_arena_free(a);

    a = dd_arena_new(0);
    req = stream_req(a);
    assert_int_equal(svc_upload_sink.chunk(req, "%PDF-1.7 cut short", 18), DD_OK);
    assert_int_equal(files_starting(".tmp-"), 1);
    dd_arena_reset(a); /* the request ends: the client went away */
    assert_int_equal(files_starting(".tmp-"), 0);
    dd_arena_free(a);

    /* A body shorter than the longest signature is judged once it is in. */
    a = dd_arena_new(0);
    req = stream_req(a);
    assert_int_equal(svc_upload_sink.chunk(req, "%PDF-", 5), DD_OK);
    svc_upload_body(req, &b);
    assert_string_equal(b.type, "application/pdf");
    assert_int_equal(b.size, 5);
    dd_arena_free(a);
    assert_int_equal(files_starting(".tmp-"), 0);
    rmdir(upload_test_dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(days_parse_and_print_round_trip),
        cmocka_unit_test(weekends_holidays_and_moved_days),
        cmocka_unit_test(deadlines_count_working_days_only),
        cmocka_unit_test(the_calendar_warns_past_its_last_year),
        cmocka_unit_test(every_procedure_file_loads),
        cmocka_unit_test(the_check_refuses_what_the_engine_cannot_honour),
        cmocka_unit_test(uploads_are_sniffed_by_magic_bytes),
        cmocka_unit_test(streamed_body_holds_bounded_memory_and_hashes_the_whole),
        cmocka_unit_test(streamed_body_refused_leaves_no_file),
    };
    return cmocka_run_group_tests_name("services", tests, NULL, NULL);
}
