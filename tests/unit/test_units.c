/*
 * test_units.c — administrative units: the CSV reader (quoting, line breaks, malformed text), the
 * clean-ups of the published files (section rows, "Name (code)", levels, provinces read from
 * districts), and, on both backends, loading the built-in data (34 provinces and 3,321 communes
 * after 1 July 2025; Khánh Hòa 56 with 65 communes, formed with Ninh Thuận 58), loading twice,
 * refusing a malformed file without storing anything, and the lookups other modules use.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "core/units/csv.h"
#include "core/units/history.h"
#include "core/units/source.h"
#include "core/units/units.h"

/* --- the CSV reader --------------------------------------------------------------------------- */

/* Reads the whole text; returns the result of the last dd_units_csv_next and the records as
 * "a|b|c" lines joined by "\n" into out. */
static int
read_all(const char *text, char *out, size_t outlen, struct dd_units_csv *r)
{
    dd_units_csv_init(r, text, strlen(text));
    int rc;
    size_t used = 0;
    out[0] = '\0';
    while ((rc = dd_units_csv_next(r)) == 1) {
        for (int i = 0; i < r->nfields; i++)
            used += (size_t)snprintf(out + used, outlen - used, "%s%s", i ? "|" : "",
                                     dd_units_csv_field(r, i));
        used += (size_t)snprintf(out + used, outlen - used, "\n");
    }
    return rc;
}

static void
csv_reads_quotes_commas_and_line_breaks(void **state)
{
    (void)state;
    char out[512];
    struct dd_units_csv r;
    const char text[] = "\xEF\xBB\xBF"
                        "a,\"b, c\",d\r\n"
                        "\"say \"\"hi\"\"\",,\"two\nlines\"\n"
                        "\"\",x,\n"
                        "\n"
                        "last";
    assert_int_equal(read_all(text, out, sizeof out, &r), 0);
    assert_string_equal(out, "a|b, c|d\n"
                             "say \"hi\"||two\nlines\n"
                             "|x|\n"
                             "\n"
                             "last\n");
    dd_units_csv_free(&r);
    /* Line numbers count the line breaks inside quoted fields. */
    const char lines[] = "h\n\"x\ny\",z\nnext\n";
    dd_units_csv_init(&r, lines, strlen(lines));
    assert_int_equal(dd_units_csv_next(&r), 1);
    assert_int_equal(dd_units_csv_next(&r), 1);
    assert_int_equal(r.record_line, 2);
    assert_int_equal(dd_units_csv_next(&r), 1);
    assert_int_equal(r.record_line, 4);
    assert_string_equal(dd_units_csv_field(&r, 0), "next");
    assert_string_equal(dd_units_csv_field(&r, 5), "");
    assert_int_equal(dd_units_csv_next(&r), 0);
    dd_units_csv_free(&r);
}

static void
csv_refuses_malformed_text_with_its_line(void **state)
{
    (void)state;
    char out[512];
    struct dd_units_csv r;
    assert_int_equal(read_all("a,b\nc,\"open\n", out, sizeof out, &r), DD_EINVAL);
    assert_string_equal(r.err, "line 2: a quoted field is not closed");
    dd_units_csv_free(&r);
    assert_int_equal(read_all("a,b\nc,d\"e\n", out, sizeof out, &r), DD_EINVAL);
    assert_non_null(strstr(r.err, "line 2: a quote inside"));
    dd_units_csv_free(&r);
    assert_int_equal(read_all("\"a\"b,c\n", out, sizeof out, &r), DD_EINVAL);
    assert_non_null(strstr(r.err, "line 1: text after the closing quote"));
    dd_units_csv_free(&r);
    char wide[DD_UNITS_CSV_MAX_FIELDS + 2];
    memset(wide, ',', DD_UNITS_CSV_MAX_FIELDS + 1);
    wide[DD_UNITS_CSV_MAX_FIELDS + 1] = '\0';
    assert_int_equal(read_all(wide, out, sizeof out, &r), DD_ETOOBIG);
    dd_units_csv_free(&r);
}

/* --- clean-ups ---------------------------------------------------------------------------------
 */

static void
names_are_cleaned_split_and_levelled(void **state)
{
    (void)state;
    struct dd_arena *a = dd_arena_new(0);
    assert_string_equal(dd_units_clean(a, "  Xã  Hòa\n Khánh\r\n "), "Xã Hòa Khánh");
    assert_string_equal(dd_units_clean(a, "Nguye\xCC\x82\xCC\x83n"), "Nguyễn");
    assert_null(dd_units_clean(a, "bad \xFF"));
    const char *name = NULL, *code = NULL;
    assert_int_equal(dd_units_split_name_code(a, "Tỉnh Khánh Hòa (56)", 2, &name, &code), DD_OK);
    assert_string_equal(name, "Tỉnh Khánh Hòa");
    assert_string_equal(code, "56");
    assert_int_equal(dd_units_split_name_code(a, "Huyện Cô Tô (207)", 3, &name, &code), DD_OK);
    assert_string_equal(code, "207");
    assert_int_equal(dd_units_split_name_code(a, "Tỉnh Khánh Hòa (056)", 2, &name, &code),
                     DD_EINVAL);
    assert_int_equal(dd_units_split_name_code(a, "Tỉnh Khánh Hòa", 2, &name, &code), DD_EINVAL);
    assert_int_equal(dd_units_split_name_code(a, "(56)", 2, &name, &code), DD_EINVAL);
    assert_string_equal(dd_units_level_of(a, "Thành phố Huế"), "Thành phố");
    assert_string_equal(dd_units_level_of(a, "Thị Xã Mộc Châu"), "Thị xã");
    assert_string_equal(dd_units_level_of(a, "phường Lộc Thọ"), "Phường");
    assert_string_equal(dd_units_level_of(a, "Đặc khu Trường Sa"), "Đặc khu");
    assert_string_equal(dd_units_level_of(a, "Xã Xuân Thọ"), "Xã");
    assert_string_equal(dd_units_level_of(a, "Xuân Thọ"), "");
    dd_arena_free(a);
}

/* A small pair of files in the published shapes: two old provinces (58 with two communes in
 * district 582, 56 with one), and a conversion table whose section titles, quoted names and a
 * wrong old province code (57 for district 582) are to be read as the real files are. */
static const char small_old[] =
    "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"
    "Tỉnh Khánh Hòa,56,Thành phố Nha Trang,568,Phường Tân Tiến,22366,Phường,\n"
    "Tỉnh Ninh Thuận,58,Thành phố Phan Rang-Tháp Chàm,582,Phường Đô Vinh,22738,Phường,"
    "Do Vinh Ward\n"
    "Tỉnh Ninh Thuận,58,Thành phố Phan Rang-Tháp Chàm,582,Phường Phước Mỹ,22741,Phường,\n"
    "Tỉnh Ninh Thuận,58,Huyện Đảo Xa,589,,,Huyện,\n";
static const char small_conversion[] =
    "Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước ngày 01/7/2025,,,,,\n"
    "\"Tỉnh, thành phố\",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n"
    "KHÁNH HÒA  ,,,,,,,,\n"
    "Tỉnh Khánh Hòa (56),Phường Nha Trang,22366,phường Tân Tiến,22366,Nhập toàn bộ,"
    "Thành phố Nha Trang (568),Tỉnh Khánh Hòa (56),\n"
    "Tỉnh Khánh Hòa (56),\"Phường Đô Vinh\n\",22738,Phường Đô Vinh,22738,\"Nhập một phần "
    "diện tích, toàn bộ dân số\",Thành phố Phan Rang-Tháp Chàm (582),Ninh Thuận (57),\n"
    "Tỉnh Khánh Hòa (56),Phường Đô Vinh,22738,Phường Mới Lập,22739,Nhập toàn bộ,"
    "Thành phố Phan Rang-Tháp Chàm (582),Tỉnh Ninh Thuận (58),\n"
    "Tỉnh Khánh Hòa (56),Phường Bảo An,22741,Phường Phước Mỹ,22741,Nhập toàn bộ,"
    "Thành phố Phan Rang-Tháp Chàm (582),Tỉnh Ninh Thuận (58),\n"
    "Tỉnh Khánh Hòa (56),Đặc khu Đảo Xa,22800,,,Sắp xếp toàn bộ huyện Đảo Xa,"
    "Huyện Đảo Xa (589),Tỉnh Ninh Thuận (58),\n"
    "Tỉnh Khánh Hòa (56),,,,,,,,\n";

static void
source_reads_the_published_shapes(void **state)
{
    (void)state;
    struct dd_units_source src;
    char err[300] = "";
    int rc = dd_units_source_read(&src, small_old, strlen(small_old), "old.csv", small_conversion,
                                  strlen(small_conversion), "conv.csv", err, sizeof err);
    assert_int_equal(rc, DD_OK);
    assert_int_equal(src.counts.provinces_old, 2);
    assert_int_equal(src.counts.districts_old, 3);
    assert_int_equal(src.counts.communes_old, 4); /* 22739 is known from the conversion only */
    assert_int_equal(src.counts.provinces_new, 1);
    assert_int_equal(src.counts.communes_new, 4);
    assert_int_equal(src.counts.conversions, 5);
    const struct dd_units_conversion *c = &src.conversions[1];
    assert_string_equal(c->new_commune_name, "Phường Đô Vinh");
    assert_string_equal(c->old_province_code, "58"); /* read from district 582 */
    assert_string_equal(c->old_province_name, "Tỉnh Ninh Thuận");
    assert_string_equal(c->note, "Nhập một phần diện tích, toàn bộ dân số");
    assert_int_equal(c->whole, 0);
    assert_string_equal(src.conversions[0].old_commune_name, "Phường Tân Tiến");
    assert_int_equal(src.conversions[0].whole, 1);
    assert_null(src.conversions[4].old_commune_code);
    assert_string_equal(src.conversions[4].old_district_name, "Huyện Đảo Xa");
    for (size_t i = 0; i < src.nunits; i++)
        assert_true(src.units[i].level[0] != '\0');
    dd_units_source_free(&src);
}

static void
source_refuses_bad_codes_with_file_and_line(void **state)
{
    (void)state;
    struct dd_units_source src;
    char err[300] = "";
    const char bad_old[] = "h,h,h,h,h,h,h,h\nTỉnh A,5,Huyện B,001,Xã C,00001,Xã,\n";
    int rc = dd_units_source_read(&src, bad_old, strlen(bad_old), "old.csv", small_conversion,
                                  strlen(small_conversion), "conv.csv", err, sizeof err);
    assert_int_equal(rc, DD_EINVAL);
    assert_string_equal(err, "old.csv line 2: the province code '5' is not 2 digits");
    dd_units_source_free(&src);
    const char bad_conv[] = "h\nh\nTỉnh A (56),Xã B,2236,Xã C,22366,Nhập toàn bộ,Huyện D (568),"
                            "Tỉnh A (56)\n";
    rc = dd_units_source_read(&src, small_old, strlen(small_old), "old.csv", bad_conv,
                              strlen(bad_conv), "conv.csv", err, sizeof err);
    assert_int_equal(rc, DD_EINVAL);
    assert_string_equal(err, "conv.csv line 3: the new commune code '2236' is not 5 digits");
    dd_units_source_free(&src);
    const char no_code[] = "h\nh\nTỉnh A,Xã B,22366,Xã C,22366,x,Huyện D (568),Tỉnh A (56)\n";
    rc = dd_units_source_read(&src, small_old, strlen(small_old), "old.csv", no_code,
                              strlen(no_code), "conv.csv", err, sizeof err);
    assert_int_equal(rc, DD_EINVAL);
    assert_non_null(strstr(err, "is not 'Name (2 digits)'"));
    dd_units_source_free(&src);
}

static void
dates_and_codes_are_checked(void **state)
{
    (void)state;
    assert_true(dd_units_date_valid("2025-07-01"));
    assert_true(dd_units_date_valid("2024-02-29"));
    assert_false(dd_units_date_valid("2025-02-29"));
    assert_false(dd_units_date_valid("2025-13-01"));
    assert_false(dd_units_date_valid("2025-7-01"));
    assert_false(dd_units_date_valid("2025-07-01x"));
    assert_false(dd_units_date_valid("+025-07-01"));
    char today[11];
    dd_units_today(today);
    assert_true(dd_units_date_valid(today));
    assert_string_equal(dd_units_kind_of_code("56"), "province");
    assert_string_equal(dd_units_kind_of_code("582"), "district");
    assert_string_equal(dd_units_kind_of_code("22738"), "commune");
    assert_null(dd_units_kind_of_code("2273"));
    assert_null(dd_units_kind_of_code("5a"));
    assert_null(dd_units_kind_of_code(NULL));
}

/* --- on the database ---------------------------------------------------------------------------
 */

static void
setup(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
}

static void
load_builtin(struct dbfx *fx, struct dd_units_report *rep)
{
    char err[700] = "";
    int rc = dd_units_import(fx->db, NULL, rep, err, sizeof err);
    if (rc != DD_OK)
        fail_msg("import failed: %s", err);
}

static void
builtin_data_has_the_2025_units(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_units_report rep;
    load_builtin(fx, &rep);
    assert_int_equal(rep.stored.provinces_new, 34);
    assert_int_equal(rep.stored.communes_new, 3321);
    assert_int_equal(rep.stored.provinces_old, 63);
    assert_int_equal(rep.stored.districts_old, 696);
    assert_true(rep.stored.communes_old >= 10051);
    assert_int_equal(rep.in_files.conversions, 10571);
    assert_int_equal(rep.stored.conversions, 10571);
    assert_int_equal(rep.added, 34 + 3321 + 63 + 696 + rep.stored.communes_old + 10571);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM units WHERE kind = 'commune' AND "
                                      "province_code = '56' AND valid_to IS NULL"),
                     65);
    char name[200];
    dbfx_text(fx->db,
              "SELECT name FROM units WHERE kind = 'province' AND code = '56' AND "
              "valid_to IS NULL",
              name, sizeof name);
    assert_string_equal(name, "Tỉnh Khánh Hòa");
    /* Ninh Thuận (58) went into Khánh Hòa (56) and is no more. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM units WHERE kind = 'province' AND "
                                      "code = '58' AND valid_to IS NULL"),
                     0);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(DISTINCT new_province_code) FROM "
                                      "unit_conversions WHERE old_province_code = '58'"),
                     1);
    /* Every new commune has a level word, and every one was formed from something. */
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM units WHERE valid_to IS NULL AND "
                                      "kind = 'commune' AND level NOT IN ('Phường', 'Xã', "
                                      "'Đặc khu')"),
                     0);
    assert_int_equal(dbfx_int(fx->db,
                              "SELECT count(*) FROM units u WHERE kind = 'commune' AND valid_to IS "
                              "NULL AND NOT EXISTS (SELECT 1 FROM unit_conversions c WHERE "
                              "c.new_province_code = u.province_code AND "
                              "c.new_commune_code = u.code)"),
                     0);
}

static void
khanh_hoa_commune_history_includes_ninh_thuan(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    load_builtin(fx, NULL);
    struct dd_unit u;
    assert_int_equal(dd_units_find(fx->db, "56", "22738", NULL, &u), DD_OK);
    assert_string_equal(u.name, "Phường Đô Vinh");
    assert_string_equal(u.valid_from, "2025-07-01");
    assert_string_equal(u.valid_to, "");
    json_t *h = json_object();
    assert_int_equal(dd_units_history_json(fx->db, &u, h), DD_OK);
    json_t *from = json_object_get(h, "predecessors");
    assert_true(json_array_size(from) >= 1);
    bool ninh_thuan = false;
    size_t i;
    json_t *row;
    json_array_foreach(from, i, row)
    {
        const char *p = json_string_value(json_object_get(row, "province_code"));
        if (strcmp(p, "58") == 0 && strcmp(json_string_value(json_object_get(row, "province_name")),
                                           "Tỉnh Ninh Thuận") == 0)
            ninh_thuan = true;
    }
    assert_true(ninh_thuan);
    assert_int_equal(json_array_size(json_object_get(h, "successors")), 0);
    json_decref(h);

    /* The old commune of the same code, in province 58, went into it. */
    assert_int_equal(dd_units_find(fx->db, "58", "22738", "2025-06-30", &u), DD_OK);
    assert_string_equal(u.district_code, "582");
    h = json_object();
    assert_int_equal(dd_units_history_json(fx->db, &u, h), DD_OK);
    json_t *to = json_array_get(json_object_get(h, "successors"), 0);
    assert_string_equal(json_string_value(json_object_get(to, "province_code")), "56");
    assert_string_equal(json_string_value(json_object_get(to, "commune_code")), "22738");
    assert_true(json_is_true(json_object_get(to, "whole")));
    json_decref(h);
}

static void
loading_twice_changes_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_units_report first, second;
    load_builtin(fx, &first);
    int64_t max_unit = dbfx_int(fx->db, "SELECT max(id) FROM units");
    int64_t max_conv = dbfx_int(fx->db, "SELECT max(id) FROM unit_conversions");
    char before[200];
    dbfx_text(fx->db, "SELECT name FROM units WHERE id = 1", before, sizeof before);
    load_builtin(fx, &second);
    assert_int_equal(second.added, 0);
    assert_memory_equal(&first.stored, &second.stored, sizeof first.stored);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM units"), max_unit);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM unit_conversions"), max_conv);
    char after[200];
    dbfx_text(fx->db, "SELECT name FROM units WHERE id = 1", after, sizeof after);
    assert_string_equal(before, after);
    /* ensure_loaded sees the tables full and does nothing. */
    struct dd_units_report rep;
    char err[300];
    assert_int_equal(dd_units_ensure_loaded(fx->db, &rep, err, sizeof err), DD_OK);
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.stored.communes_new, 3321);
}

static void
ensure_loaded_fills_empty_tables(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_units_report rep;
    char err[300] = "";
    assert_int_equal(dd_units_ensure_loaded(fx->db, &rep, err, sizeof err), DD_OK);
    assert_true(rep.added > 20000);
    assert_int_equal(rep.stored.provinces_new, 34);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM units WHERE kind = 'province' AND "
                                      "valid_to IS NULL"),
                     34);
}

static void
malformed_file_stores_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    char err[300] = "";
    const char broken[] = "h\nh\nTỉnh A (56),Xã B,22366,Xã C,22366,x,Huyện D (568),\"Tỉnh A (56)\n";
    struct dd_units_report rep;
    int rc = dd_units_import_text(fx->db, small_old, strlen(small_old), "old.csv", broken,
                                  strlen(broken), "conv.csv", &rep, err, sizeof err);
    assert_int_equal(rc, DD_EINVAL);
    assert_string_equal(err, "conv.csv line 3: a quoted field is not closed");
    assert_int_equal(rep.added, 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM units"), 0);
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM unit_conversions"), 0);
    /* A folder without the files is an I/O error, and stores nothing either. */
    rc = dd_units_import(fx->db, "/nonexistent-folder", &rep, err, sizeof err);
    assert_int_equal(rc, DD_EIO);
    assert_non_null(strstr(err, "communes-2025-01-04.csv"));
    assert_int_equal(dbfx_int(fx->db, "SELECT count(*) FROM units"), 0);
}

static void
lookups_answer_by_province_code_and_date(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    char err[300] = "";
    assert_int_equal(dd_units_import_text(fx->db, small_old, strlen(small_old), "old.csv",
                                          small_conversion, strlen(small_conversion), "conv.csv",
                                          NULL, err, sizeof err),
                     DD_OK);
    assert_int_equal(dd_units_commune_exists(fx->db, "56", "22738", NULL), 1);
    assert_int_equal(dd_units_commune_exists(fx->db, "56", "22738", "2025-07-01"), 1);
    assert_int_equal(dd_units_commune_exists(fx->db, "56", "22738", "2025-06-30"), 0);
    assert_int_equal(dd_units_commune_exists(fx->db, "58", "22738", "2025-06-30"), 1);
    assert_int_equal(dd_units_commune_exists(fx->db, "58", "22738", "1999-01-01"), 1);
    assert_int_equal(dd_units_commune_exists(fx->db, "58", "22738", NULL), 0);
    assert_int_equal(dd_units_commune_exists(fx->db, "58", "2273", NULL), 0);
    assert_int_equal(dd_units_commune_exists(fx->db, "58", "22738", "2025-06-31"), DD_EINVAL);

    char name[DD_UNITS_NAME_MAX];
    assert_int_equal(dd_units_name(fx->db, "56", "22366", NULL, name, sizeof name), DD_OK);
    assert_string_equal(name, "Phường Nha Trang");
    assert_int_equal(dd_units_name(fx->db, "56", "22366", "2025-01-01", name, sizeof name), DD_OK);
    assert_string_equal(name, "Phường Tân Tiến");
    assert_int_equal(dd_units_name(fx->db, NULL, "58", "2025-01-01", name, sizeof name), DD_OK);
    assert_string_equal(name, "Tỉnh Ninh Thuận");
    assert_int_equal(dd_units_name(fx->db, NULL, "58", NULL, name, sizeof name), DD_ENOTFOUND);
    assert_int_equal(dd_units_name(fx->db, "56", "22366", NULL, name, 5), DD_ETOOBIG);
    assert_int_equal(dd_units_name(fx->db, "56", "2236", NULL, name, sizeof name), DD_EINVAL);

    struct dd_unit u;
    assert_int_equal(dd_units_find(fx->db, NULL, "589", "2025-01-01", &u), DD_OK);
    assert_string_equal(u.kind, "district");
    assert_string_equal(u.level, "Huyện");
    assert_int_equal(dd_units_find(fx->db, "58", "22738", "2025-01-01", &u), DD_OK);
    assert_string_equal(u.name_en, "Do Vinh Ward");
    assert_int_equal(dd_units_find(fx->db, "56", "22738", "2025-13-01", &u), DD_EINVAL);
}

static void
a_code_in_two_provinces_needs_the_province(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    /* Two new provinces with a commune of the same code (codes do not encode the province). */
    const char conv[] = "h\nh\n"
                        "Tỉnh A (01),Xã Một,00001,Xã Cũ,00001,Nhập toàn bộ,Huyện H (001),"
                        "Tỉnh A (01)\n"
                        "Tỉnh B (02),Xã Hai,00001,Xã Khác,00002,Nhập toàn bộ,Huyện K (002),"
                        "Tỉnh B (02)\n";
    const char old[] = "h\nTỉnh A,01,Huyện H,001,Xã Cũ,00001,Xã,\n"
                       "Tỉnh B,02,Huyện K,002,Xã Khác,00002,Xã,\n";
    char err[300] = "";
    assert_int_equal(dd_units_import_text(fx->db, old, strlen(old), "old.csv", conv, strlen(conv),
                                          "conv.csv", NULL, err, sizeof err),
                     DD_OK);
    struct dd_unit u;
    assert_int_equal(dd_units_find(fx->db, NULL, "00001", NULL, &u), DD_ECONFLICT);
    assert_int_equal(dd_units_find(fx->db, "02", "00001", NULL, &u), DD_OK);
    assert_string_equal(u.name, "Xã Hai");
    /* Before the reform the code named one commune only. */
    assert_int_equal(dd_units_find(fx->db, NULL, "00001", "2025-01-01", &u), DD_OK);
    assert_string_equal(u.name, "Xã Cũ");
    struct dd_unit all[8];
    size_t n = 0;
    assert_int_equal(dd_units_find_all(fx->db, NULL, "00001", all, 8, &n), DD_OK);
    assert_int_equal(n, 3);
    assert_string_equal(all[2].valid_to, "2025-06-30"); /* the old one last */
}

static void
list_pages_through_units_in_force(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    load_builtin(fx, NULL);
    struct dd_unit page[30];
    struct dd_units_query q = {.kind = "commune", .province = "56"};
    size_t n = 0, total = 0;
    char last[16] = "", after_p[4], after_c[8];
    do {
        assert_int_equal(dd_units_list(fx->db, &q, page, 30, &n), DD_OK);
        for (size_t i = 0; i < n; i++) {
            char key[16];
            snprintf(key, sizeof key, "%s-%s", page[i].province_code, page[i].code);
            assert_true(strcmp(key, last) > 0);
            snprintf(last, sizeof last, "%s", key);
            assert_string_equal(page[i].province_code, "56");
            assert_string_equal(page[i].valid_to, "");
        }
        total += n;
        if (n > 0) {
            snprintf(after_p, sizeof after_p, "%s", page[n - 1].province_code);
            snprintf(after_c, sizeof after_c, "%s", page[n - 1].code);
            q.after_province = after_p;
            q.after_code = after_c;
        }
    } while (n == 30);
    assert_int_equal(total, 65);
    struct dd_units_query old = {.kind = "province", .date = "2025-06-30"};
    struct dd_unit provinces[100];
    assert_int_equal(dd_units_list(fx->db, &old, provinces, 100, &n), DD_OK);
    assert_int_equal(n, 63);
    struct dd_units_query bad = {.kind = "village"};
    assert_int_equal(dd_units_list(fx->db, &bad, provinces, 100, &n), DD_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_reads_quotes_commas_and_line_breaks),
        cmocka_unit_test(csv_refuses_malformed_text_with_its_line),
        cmocka_unit_test(names_are_cleaned_split_and_levelled),
        cmocka_unit_test(source_reads_the_published_shapes),
        cmocka_unit_test(source_refuses_bad_codes_with_file_and_line),
        cmocka_unit_test(dates_and_codes_are_checked),
        DB_TEST(builtin_data_has_the_2025_units),
        DB_TEST(khanh_hoa_commune_history_includes_ninh_thuan),
        DB_TEST(loading_twice_changes_nothing),
        DB_TEST(ensure_loaded_fills_empty_tables),
        DB_TEST(malformed_file_stores_nothing),
        DB_TEST(lookups_answer_by_province_code_and_date),
        DB_TEST(a_code_in_two_provinces_needs_the_province),
        DB_TEST(list_pages_through_units_in_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
