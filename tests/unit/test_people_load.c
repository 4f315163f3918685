/*
 * test_people_load.c — the bulk loader and the CSV import of people, on SQLite and PostgreSQL:
 * what a load stores (people, households, version 1 of each kept once for the load and
 * rebuilding each row, written into the history at the first change, residences, one event,
 * one audit row), that one bad row anywhere stores nothing and every bad row is reported with its
 * line, the checks between rows (duplicates, households, communes, links), CSV details (quoting,
 * byte order mark, CRLF, NFC, malformed records, header problems), loads of several batches, the
 * export and its round trip, and SQLite's journal handling.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "core/audit.h"
#include "core/people_csv/export.h"
#include "core/people_csv/import.h"
#include "core/people_csv/load.h"
#include "core/register/history.h"
#include "core/register/register.h"

#include <sys/stat.h>

#define MAX_ISSUES 256

static int batch_rows; /* the loader's batches: 0 for the default */

struct issues {
    int n;
    long line[MAX_ISSUES];
    char id[MAX_ISSUES][16];
    char field[MAX_ISSUES][32];
    char code[MAX_ISSUES][40];
    bool warning[MAX_ISSUES];
};

static void
collect(void *arg, long line, const char *id, const struct dd_person_issue *is)
{
    struct issues *iss = arg;
    if (iss->n >= MAX_ISSUES)
        return;
    int i = iss->n++;
    iss->line[i] = line;
    snprintf(iss->id[i], sizeof iss->id[i], "%s", id);
    snprintf(iss->field[i], sizeof iss->field[i], "%s", is->field);
    snprintf(iss->code[i], sizeof iss->code[i], "%s", is->code);
    iss->warning[i] = is->warning;
    assert_true(strlen(is->message_vi) > 0);
    assert_true(strlen(is->message_en) > 0);
}

/* Asserts an issue with this line, field and code; returns its index. */
static int
expect_issue(const struct issues *iss, long line, const char *field, const char *code)
{
    for (int i = 0; i < iss->n; i++)
        if (iss->line[i] == line && strcmp(iss->field[i], field) == 0 &&
            strcmp(iss->code[i], code) == 0)
            return i;
    for (int i = 0; i < iss->n; i++)
        fprintf(stderr, "# issue: line %ld %s %s\n", iss->line[i], iss->field[i], iss->code[i]);
    fail_msg("no issue %s on %s at line %ld", code, field, line);
    return -1;
}

/* Imports `text` written to a file named `name`; the problems go to *iss. */
static int
import_text(struct dbfx *fx, const char *name, const char *text, size_t n,
            struct dd_people_load_result *res, struct issues *iss)
{
    char dir[64], path[256];
    snprintf(dir, sizeof dir, "/tmp/dd-load-%ld", (long)getpid());
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
    memset(iss, 0, sizeof *iss);
    struct dd_people_import_options opt = {
        .path = path, .on_issue = collect, .arg = iss, .batch_rows = batch_rows};
    int rc = dd_people_import_csv(fx->db, &opt, res);
    unlink(path);
    rmdir(dir);
    assert_false(dd_db_in_transaction(fx->db));
    return rc;
}

static int
import_str(struct dbfx *fx, const char *text, struct dd_people_load_result *res, struct issues *iss)
{
    return import_text(fx, "people.csv", text, strlen(text), res, iss);
}

static int64_t
count(struct dd_db *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    return dbfx_int(db, sql);
}

static void
expect_empty_register(struct dd_db *db)
{
    assert_int_equal(count(db, "people"), 0);
    assert_int_equal(count(db, "person_history"), 0);
    assert_int_equal(count(db, "person_imports"), 0);
    assert_int_equal(count(db, "residences"), 0);
    assert_int_equal(count(db, "households"), 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'register.imported'"),
                     0);
    assert_int_equal(count(db, "audit_log"), 0);
}

/* The secondary indexes of the tables a load may rebuild (6 of people, people_insight of
 * migration 0023 among them; 1 each of residences and households). */
static int64_t
secondary_indexes(struct dbfx *fx)
{
    if (fx->kind == DD_DB_SQLITE)
        return dbfx_int(fx->db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND "
                                "tbl_name IN ('people', 'residences', 'households') AND "
                                "sql IS NOT NULL");
    return dbfx_int(fx->db, "SELECT COUNT(*) FROM pg_indexes i WHERE schemaname = current_schema() "
                            "AND tablename IN ('people', 'residences', 'households') AND NOT "
                            "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)");
}

static void
setup(struct dbfx *fx)
{
    dbfx_migrate_core(fx->db);
}

/* A household of three in Phường Nha Trang (56-22366), with links between them. */
static const char family[] =
    "id_number,full_name,birth_date,sex,household_number,relation_to_head,permanent_province,"
    "permanent_commune,permanent_address,father_id,mother_id,spouse_id\n"
    "056090000001,Nguyễn Văn An,1990-05-17,male,5622366000001,Chủ hộ,56,22366,"
    "\"Số 12, đường Trần Phú\",,,056192000002\n"
    "056192000002,Lê Thị Bình,1992,female,5622366000001,Vợ,56,22366,\"Số 12, đường Trần Phú\",,,"
    "056090000001\n"
    "056215000003,Nguyễn Minh Châu,2015-09,male,5622366000001,Con,56,22366,"
    "\"Số 12, đường Trần Phú\",056090000001,056192000002,\n";

static void
assert_rebuild_matches_at(struct dd_db *db, struct dd_arena *a, const char *id, int64_t expected)
{
    struct dd_reg_person stored;
    struct dd_person rebuilt;
    int64_t version = 0;
    assert_int_equal(dd_reg_person_load(db, a, id, &stored), DD_OK);
    assert_int_equal(dd_reg_person_rebuild(db, a, id, &rebuilt, &version), DD_OK);
    assert_int_equal(version, expected);
    assert_int_equal(stored.version, expected);
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        if (strcmp(dd_person_get(&rebuilt, i), dd_person_get(&stored.p, i)) != 0)
            fail_msg("%s: field %s: history \"%s\", row \"%s\"", id, dd_person_fields[i].name,
                     dd_person_get(&rebuilt, i), dd_person_get(&stored.p, i));
}

static void
assert_rebuild_matches(struct dd_db *db, struct dd_arena *a, const char *id)
{
    assert_rebuild_matches_at(db, a, id, 1);
}

/* Changes `id`'s full name in a transaction of its own; returns the new version. */
static int64_t
rename_person(struct dd_db *db, struct dd_arena *a, const char *id, const char *name)
{
    struct dd_reg_person before;
    assert_int_equal(dd_reg_person_load(db, a, id, &before), DD_OK);
    struct dd_person after = before.p;
    after.full_name = name;
    struct dd_reg_change c = {.kind = "corrected", .actor = "officer:1", .reason = "typo"};
    int64_t version = 0;
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(
        dd_reg_person_update(db, a, &before, &after, before.household_id, &c, &version), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    return version;
}

/* The first change to a loaded person writes their version 1 into the history, with the values
 * as loaded, before version 2; the history folds to the row at every version, the next change
 * writes only its own entry, and the others of the load keep theirs in the load's record. */
static void
a_change_writes_version_1_of_a_load_first(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_db *db = fx->db;
    struct dd_people_load_result res;
    struct issues iss;
    assert_int_equal(import_str(fx, family, &res, &iss), DD_OK);
    struct dd_arena *a = dd_arena_new(0);
    const char *id = "056192000002";
    struct dd_reg_person loaded;
    struct dd_reg_history_entry first;
    assert_int_equal(dd_reg_person_load(db, a, id, &loaded), DD_OK);
    assert_int_equal(dd_reg_history_imported(db, a, &loaded, &first), DD_OK);
    char expected[2048];
    snprintf(expected, sizeof expected, "imported|import|people.csv|%s|%s", first.at,
             first.changes);
    assert_non_null(strstr(first.changes, "\"full_name\":{\"from\":null,\"to\":\"Lê Thị Bình\"}"));

    assert_int_equal(rename_person(db, a, id, "Lê Thị Bích"), 2);
    char text[2048];
    dbfx_text(db,
              "SELECT kind || '|' || actor || '|' || reason || '|' || at || '|' || changes FROM "
              "person_history WHERE id_number = '056192000002' AND version = 1",
              text, sizeof text);
    assert_string_equal(text, expected);
    dbfx_text(db,
              "SELECT kind || '|' || changes FROM person_history WHERE id_number = "
              "'056192000002' AND version = 2",
              text, sizeof text);
    assert_string_equal(text, "corrected|{\"full_name\":{\"from\":\"Lê Thị Bình\",\"to\":"
                              "\"Lê Thị Bích\"}}");
    struct dd_reg_person now;
    assert_int_equal(dd_reg_person_load(db, a, id, &now), DD_OK);
    assert_int_equal(dd_reg_history_imported(db, a, &now, &first), DD_ENOTFOUND);
    assert_rebuild_matches_at(db, a, id, 2);

    assert_int_equal(rename_person(db, a, id, "Lê Thị Bích Ngọc"), 3);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM person_history WHERE id_number = "
                                  "'056192000002'"),
                     3);
    assert_rebuild_matches_at(db, a, id, 3);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM person_history WHERE id_number <> "
                                  "'056192000002'"),
                     0);
    assert_rebuild_matches(db, a, "056090000001");
    dd_arena_free(a);
}

static void
stores_people_households_history_and_residences(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_db *db = fx->db;
    struct dd_people_load_result res;
    struct issues iss;
    assert_int_equal(import_str(fx, family, &res, &iss), DD_OK);
    assert_int_equal(iss.n, 0);
    assert_true(res.committed);
    assert_int_equal(res.rows, 3);
    assert_int_equal(res.stored, 3);
    assert_int_equal(res.households, 1);
    assert_int_equal(res.bad_rows, 0);

    assert_int_equal(count(db, "people"), 3);
    assert_int_equal(count(db, "person_history"), 0); /* version 1 is the load's record */
    assert_int_equal(count(db, "person_imports"), 1);
    assert_int_equal(count(db, "residences"), 3);
    assert_int_equal(count(db, "households"), 1);
    char text[512];
    dbfx_text(db,
              "SELECT number || '|' || head_id || '|' || province_code || '|' || "
              "commune_code || '|' || address FROM households",
              text, sizeof text);
    assert_string_equal(text, "5622366000001|056090000001|56|22366|Số 12, đường Trần Phú");
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM people p JOIN households h ON "
                                  "h.id = p.household_id WHERE h.number = '5622366000001'"),
                     3);
    dbfx_text(db,
              "SELECT name_folded || '|' || given_folded || '|' || birth_year || '|' || "
              "status || '|' || nationality || '|' || version FROM people WHERE "
              "id_number = '056090000001'",
              text, sizeof text);
    assert_string_equal(text, "nguyen van an|an nguyen van|1990|alive|VN|1");
    dbfx_text(db,
              "SELECT i.kind || '|' || i.actor || '|' || i.reason || '|' || i.people || '|' || "
              "CASE WHEN i.at = p.created_at THEN 'same time' ELSE i.at END FROM person_imports i "
              "JOIN people p ON p.import_id = i.id WHERE p.id_number = '056215000003'",
              text, sizeof text);
    assert_string_equal(text, "imported|import|people.csv|3|same time");
    dbfx_text(db,
              "SELECT kind || '|' || province_code || '|' || commune_code || '|' || "
              "to_date || '|' || reason FROM residences WHERE id_number = '056192000002'",
              text, sizeof text);
    assert_string_equal(text, "permanent|56|22366||people.csv");

    /* The history alone gives each row back. */
    struct dd_arena *a = dd_arena_new(0);
    assert_rebuild_matches(db, a, "056090000001");
    assert_rebuild_matches(db, a, "056192000002");
    assert_rebuild_matches(db, a, "056215000003");
    dd_arena_free(a);

    /* One event with the counts, one audit row, the chain intact, indexes back. */
    dbfx_text(db, "SELECT payload FROM events WHERE type = 'register.imported'", text, sizeof text);
    assert_string_equal(text, "{\"source\":\"people.csv\",\"people\":3,\"households\":1,"
                              "\"warnings\":0}");
    assert_int_equal(count(db, "events"), 1);
    dbfx_text(db, "SELECT actor || '|' || action || '|' || object FROM audit_log", text,
              sizeof text);
    assert_string_equal(text, "import|register.import|people.csv");
    struct dd_audit_report rep;
    assert_int_equal(dd_audit_verify(db, &rep), DD_OK);
    assert_true(rep.ok);
    assert_int_equal(secondary_indexes(fx), 8);
}

/* What the loader writes is what dd_reg_person_insert writes for the same person. */
static void
rows_match_what_the_register_writes(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_db *db = fx->db;
    const char one[] = "id_number,full_name,other_names,birth_date,sex,ethnicity,religion,"
                       "birth_place,permanent_province,permanent_commune,permanent_address,"
                       "temporary_province,temporary_commune,temporary_address,temporary_until\n"
                       "056090000001,\"Đặng  Văn \"\"Út\"\" An\",Tí,1990-05-17,male,Kinh,Không,"
                       "\"Khánh Hòa\\Cam Ranh\",56,22366,\"Số 1, \"\"Hẻm\"\"\",56,22333,"
                       "Phòng 2,2027-01-01\n";
    struct dd_people_load_result res;
    struct issues iss;
    int rc = import_str(fx, one, &res, &iss);
    for (int i = 0; i < iss.n; i++)
        fprintf(stderr, "# issue: line %ld %s %s\n", iss.line[i], iss.field[i], iss.code[i]);
    assert_int_equal(rc, DD_OK);
    const char *q_person = "SELECT full_name || '|' || name_folded || '|' || given_folded || "
                           "'|' || birth_year || '|' || status || '|' || nationality || '|' || "
                           "COALESCE(household_id, 0) FROM people";
    const char *q_history = "SELECT changes FROM person_history WHERE version = 1";
    const char *q_res = "SELECT kind || '|' || province_code || '|' || commune_code || '|' || "
                        "address || '|' || from_date || '|' || to_date || '|' || reason FROM "
                        "residences ORDER BY kind";
    char person[2][512], history[2][2048], residences[2][512];
    dbfx_text(db, q_person, person[0], sizeof person[0]);
    dbfx_text(db, q_res, residences[0], sizeof residences[0]);
    assert_int_equal(count(db, "residences"), 2);

    /* Version 1 as the history shows it: the load's record with the row's values. */
    struct dd_arena *a = dd_arena_new(0);
    struct dd_reg_person stored;
    assert_int_equal(dd_reg_person_load(db, a, "056090000001", &stored), DD_OK);
    struct dd_reg_history_entry first;
    assert_int_equal(dd_reg_history_imported(db, a, &stored, &first), DD_OK);
    assert_string_equal(first.kind, "imported");
    assert_string_equal(first.actor, "import");
    assert_string_equal(first.reason, "people.csv");
    snprintf(history[0], sizeof history[0], "%s", first.changes);

    /* The same person through the register's own insert. */
    dbfx_exec(db, "DELETE FROM people; DELETE FROM person_history; DELETE FROM residences");
    char today[32];
    dd_clock_iso8601(dd_clock_now_ms(), today);
    today[10] = '\0';
    struct dd_reg_change c = {.kind = "imported", .actor = "import", .reason = "people.csv"};
    assert_int_equal(dd_db_begin(db), DD_OK);
    assert_int_equal(dd_reg_person_insert(db, a, &stored.p, 0, today, &c), DD_OK);
    assert_int_equal(dd_db_commit(db), DD_OK);
    dbfx_text(db, q_person, person[1], sizeof person[1]);
    dbfx_text(db, q_history, history[1], sizeof history[1]);
    dbfx_text(db, q_res, residences[1], sizeof residences[1]);
    assert_string_equal(person[0], person[1]);
    assert_string_equal(history[0], history[1]);
    assert_string_equal(residences[0], residences[1]);
    dd_arena_free(a);
}

static void
a_bad_row_in_the_middle_stores_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    const char text[] =
        "id_number,full_name,birth_date,sex,permanent_province,permanent_commune\n"
        "056090000001,Nguyễn Văn An,1990-05-17,male,56,22366\n"
        "056192000002,Lê Thị Bình,1992,female,56,22366\n"
        "056090000003,Trần Văn Cường,1990-02-30,male,56,22366\n" /* no such day */
        "056190000004,Phạm Văn Dũng,1990,male,56,22366\n"        /* 4th digit says female */
        "056090000005,Hồ Văn Em,1990,male,56,22366\n";
    struct dd_people_load_result res;
    struct issues iss;
    assert_int_equal(import_str(fx, text, &res, &iss), DD_EINVAL);
    assert_false(res.committed);
    assert_int_equal(res.rows, 5);
    assert_int_equal(res.bad_rows, 2);
    assert_int_equal(res.stored, 0);
    assert_int_equal(res.errors, 2);
    int i = expect_issue(&iss, 4, "birth_date", "date-invalid");
    assert_string_equal(iss.id[i], "056090000003");
    expect_issue(&iss, 5, "id_number", "id-century-sex");
    assert_int_equal(iss.n, 2);
    expect_empty_register(fx->db);
    assert_int_equal(secondary_indexes(fx),
                     8); /* the dropped indexes came back with the rollback */

    /* The same file without its bad rows goes in. */
    const char good[] = "id_number,full_name,birth_date,sex,permanent_province,permanent_commune\n"
                        "056090000001,Nguyễn Văn An,1990-05-17,male,56,22366\n";
    assert_int_equal(import_str(fx, good, &res, &iss), DD_OK);
    assert_int_equal(count(fx->db, "people"), 1);
}

static void
duplicates_in_the_file_and_in_the_register_are_refused(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_people_load_result res;
    struct issues iss;
    assert_int_equal(import_str(fx, family, &res, &iss), DD_OK);
    const char text[] = "full_name,id_number,birth_date,sex\n"
                        "Võ Văn Giang,056090000010,1990,male\n"
                        "Nguyễn Văn An,056090000001,1990-05-17,male\n" /* in the register */
                        "Võ Văn Giang,056090000010,1990,male\n";       /* twice in the file */
    assert_int_equal(import_str(fx, text, &res, &iss), DD_EINVAL);
    expect_issue(&iss, 3, "id_number", "id-exists");
    expect_issue(&iss, 4, "id_number", "id-duplicate");
    assert_int_equal(iss.n, 2);
    assert_int_equal(res.bad_rows, 2);
    assert_int_equal(count(fx->db, "people"), 3);
    assert_int_equal(count(fx->db, "person_imports"), 1);
    assert_int_equal(count(fx->db, "audit_log"), 1);
}

static void
households_are_checked_across_rows(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_people_load_result res;
    struct issues iss;
    const char text[] =
        "id_number,full_name,birth_date,sex,household_number,relation_to_head,"
        "permanent_province,permanent_commune\n"
        "056090000001,Nguyễn Văn An,1990,male,H1,Chủ hộ,56,22366\n"
        "056090000002,Nguyễn Văn Bảo,1990,male,H1,Chủ hộ,56,22366\n" /* a second head */
        "056090000003,Nguyễn Văn Cao,1990,male,H1,Con,56,22333\n"    /* another commune */
        "056090000004,Nguyễn Văn Danh,1990,male,H2,Con,,\n"          /* no residence */
        "056090000005,Nguyễn Văn Én,1990,male,,Con,56,22366\n";      /* relation, no household */
    assert_int_equal(import_str(fx, text, &res, &iss), DD_EINVAL);
    expect_issue(&iss, 3, "relation_to_head", "household-head-twice");
    expect_issue(&iss, 4, "permanent_commune", "household-place-mismatch");
    expect_issue(&iss, 5, "household_number", "household-place-missing");
    expect_issue(&iss, 6, "relation_to_head", "household-missing");
    assert_int_equal(res.bad_rows, 4);
    expect_empty_register(fx->db);

    /* A household without a head is a warning; a later file joins it and gives it its head. */
    const char headless[] = "id_number,full_name,birth_date,sex,household_number,"
                            "relation_to_head,permanent_province,permanent_commune\n"
                            "056090000001,Nguyễn Văn An,1990,male,H1,Con,56,22366\n";
    assert_int_equal(import_str(fx, headless, &res, &iss), DD_OK);
    int i = expect_issue(&iss, 2, "household_number", "household-no-head");
    assert_true(iss.warning[i]);
    assert_int_equal(res.warnings, 1);
    const char joins[] = "id_number,full_name,birth_date,sex,household_number,relation_to_head,"
                         "permanent_province,permanent_commune\n"
                         "056060000009,Nguyễn Văn Bố,1960,male,H1,Chủ hộ,56,22366\n";
    assert_int_equal(import_str(fx, joins, &res, &iss), DD_OK);
    assert_int_equal(iss.n, 0);
    assert_int_equal(res.households, 0);
    assert_int_equal(count(fx->db, "households"), 1);
    char head[32];
    dbfx_text(fx->db, "SELECT head_id FROM households WHERE number = 'H1'", head, sizeof head);
    assert_string_equal(head, "056060000009");
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(DISTINCT household_id) FROM people"), 1);

    /* A register household in another commune, or with its head already, refuses rows. */
    const char wrong[] = "id_number,full_name,birth_date,sex,household_number,relation_to_head,"
                         "permanent_province,permanent_commune\n"
                         "056090000011,Lê Văn Tư,1990,male,H1,Con,56,22333\n"
                         "056090000012,Lê Văn Năm,1990,male,H1,Chủ hộ,56,22366\n";
    assert_int_equal(import_str(fx, wrong, &res, &iss), DD_EINVAL);
    expect_issue(&iss, 2, "permanent_commune", "household-place-mismatch");
    expect_issue(&iss, 3, "relation_to_head", "household-head-twice");

    /* New households continue the table's numbering. */
    const char more[] = "id_number,full_name,birth_date,sex,household_number,relation_to_head,"
                        "permanent_province,permanent_commune\n"
                        "056090000021,Lê Văn Sáu,1990,male,H9,Chủ hộ,56,22333\n";
    assert_int_equal(import_str(fx, more, &res, &iss), DD_OK);
    int64_t h1 = dbfx_int(fx->db, "SELECT id FROM households WHERE number = 'H1'");
    int64_t h9 = dbfx_int(fx->db, "SELECT id FROM households WHERE number = 'H9'");
    assert_true(h9 > h1);
    int64_t hid = 0;
    assert_int_equal(dd_db_begin(fx->db), DD_OK);
    assert_int_equal(dd_reg_household_create(fx->db, "H10", "", "56", "22366", "", &hid), DD_OK);
    assert_int_equal(dd_db_commit(fx->db), DD_OK);
    assert_true(hid > h9);
}

static void
places_and_links_are_checked_against_the_register(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_people_load_result res;
    struct issues iss;
    const char bad[] = "id_number,full_name,birth_date,sex,permanent_province,permanent_commune,"
                       "temporary_province,temporary_commune\n"
                       "056090000001,Nguyễn Văn An,1990,male,56,99999,,\n"
                       "056090000002,Nguyễn Văn Bảo,1990,male,56,22366,01,22366\n";
    assert_int_equal(import_str(fx, bad, &res, &iss), DD_EINVAL);
    expect_issue(&iss, 2, "permanent_commune", "commune-unknown");
    expect_issue(&iss, 3, "temporary_commune", "commune-unknown");
    expect_empty_register(fx->db);

    /* A father who is nowhere is a warning; one who comes later in the file is not. */
    const char links[] = "id_number,full_name,birth_date,sex,father_id,mother_id\n"
                         "056215000003,Nguyễn Minh Châu,2015,male,056090000001,056192000099\n"
                         "056090000001,Nguyễn Văn An,1990,male,,\n";
    assert_int_equal(import_str(fx, links, &res, &iss), DD_OK);
    assert_int_equal(iss.n, 1);
    int i = expect_issue(&iss, 2, "mother_id", "link-unknown");
    assert_true(iss.warning[i]);
    assert_int_equal(res.stored, 2);
    assert_int_equal(res.warnings, 1);
}

static void
csv_problems_are_bad_rows_with_their_lines(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_people_load_result res;
    struct issues iss;
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "id_number,full_name,birth_date,sex\n"
                     "056090000001,Nguyễn \"Văn\" An,1990,male\n" /* quote inside a field */
                     "056090000002,Bảo,1990\n"                    /* a field short */
                     "056090000003,B\xE1o,1990,male\n"            /* not UTF-8 */
                     "056090000004,%s,1990,male\n"
                     "056090000005,Ngọc,1990,male\n"
                     "\"056090000006,Hết,1990,male\n", /* a quote never closed */
                     "X");
    text[strstr(text, "056090000004,X") - text + 13] = '\0'; /* a NUL inside a value */
    assert_int_equal(import_text(fx, "bad.csv", text, (size_t)n, &res, &iss), DD_EINVAL);
    expect_issue(&iss, 2, "", "csv-malformed");
    expect_issue(&iss, 3, "", "field-count");
    expect_issue(&iss, 4, "full_name", "utf8-invalid");
    expect_issue(&iss, 5, "full_name", "text-invalid");
    expect_issue(&iss, 7, "", "csv-malformed");
    assert_int_equal(iss.n, 5);
    assert_int_equal(res.rows, 6);
    assert_int_equal(res.bad_rows, 5);
    expect_empty_register(fx->db);

    /* Header problems stop the import before any row. */
    assert_int_equal(import_str(fx,
                                "id_number,full_name,birth_date,sex,colour,full_name\n"
                                "056090000001,An,1990,male,red,An\n",
                                &res, &iss),
                     DD_EINVAL);
    expect_issue(&iss, 1, "colour", "column-unknown");
    expect_issue(&iss, 1, "full_name", "column-duplicate");
    assert_int_equal(res.rows, 0);
    assert_int_equal(import_str(fx, "id_number,full_name\n056090000001,An\n", &res, &iss),
                     DD_EINVAL);
    expect_issue(&iss, 1, "birth_date", "column-missing");
    expect_issue(&iss, 1, "sex", "column-missing");
    assert_int_equal(import_str(fx, "", &res, &iss), DD_EINVAL);
    expect_issue(&iss, 1, "", "header-missing");
    expect_empty_register(fx->db);

    /* A file that cannot be read. */
    struct dd_people_import_options opt = {.path = "/nonexistent/people.csv"};
    assert_int_equal(dd_people_import_csv(fx->db, &opt, &res), DD_EIO);
    assert_non_null(strstr(res.message, "/nonexistent/people.csv"));
}

static void
quoting_bom_crlf_and_nfc_are_read_as_written(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    /* BOM, CRLF, a blank line, quoted commas and quotes, a name written decomposed. */
    const char text[] = "\xEF\xBB\xBF"
                        "id_number,full_name,birth_date,sex,permanent_province,"
                        "permanent_commune,permanent_address\r\n"
                        "056090000001,\"Nguye\xCC\x82\xCC\x83n Văn An\",1990,male,56,22366,"
                        "\"Số 5, hẻm \"\"Cây Me\"\", đường Trần Phú\"\r\n"
                        "\r\n"
                        "056090000002,Bảo,1990,male,56,22366,\"\"\r\n";
    struct dd_people_load_result res;
    struct issues iss;
    assert_int_equal(import_text(fx, "bom.csv", text, sizeof text - 1, &res, &iss), DD_OK);
    assert_int_equal(iss.n, 0);
    assert_int_equal(res.rows, 2);
    char v[256];
    dbfx_text(fx->db, "SELECT full_name FROM people WHERE id_number = '056090000001'", v, sizeof v);
    assert_string_equal(v, "Nguyễn Văn An");
    dbfx_text(fx->db, "SELECT permanent_address FROM people WHERE id_number = '056090000001'", v,
              sizeof v);
    assert_string_equal(v, "Số 5, hẻm \"Cây Me\", đường Trần Phú");
    dbfx_text(fx->db, "SELECT name_folded FROM people WHERE id_number = '056090000001'", v,
              sizeof v);
    assert_string_equal(v, "nguyen van an");
}

/* `rows` valid people in households of four; the one at
 * `bad` (0: none) with a sex that is neither male nor female. */
static char *
many_people(int rows, int bad, size_t *len)
{
    struct dd_buf b;
    dd_buf_init(&b, NULL, 64 * 1024 * 1024);
    dd_buf_puts(&b, "id_number,full_name,birth_date,sex,household_number,relation_to_head,"
                    "permanent_province,permanent_commune,permanent_address,temporary_province,"
                    "temporary_commune\n");
    for (int i = 1; i <= rows; i++) {
        int year = 1930 + i % 70, household = (i - 1) / 4;
        bool male = i % 2 == 0;
        char birth[16];
        snprintf(birth, sizeof birth, "%d", year);
        dd_buf_printf(
            &b, "056%d%02d%06d,Người Thứ %d,%s,%s,H%d,%s,56,%s,\"Số %d, Trần Phú\",%s,%s\n",
            male ? 0 : 1, year % 100, i, i, birth,
            i == bad ? "unknown"
            : male   ? "male"
                     : "female",
            household, (i - 1) % 4 == 0 ? "Chủ hộ" : "Con", household % 2 ? "22366" : "22333",
            household, i % 10 == 0 ? "56" : "", i % 10 == 0 ? "22390" : "");
    }
    *len = b.len;
    return b.data;
}

static void
loads_of_several_batches_are_all_or_nothing(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    const int rows = 5000;
    size_t len;
    batch_rows = 1000; /* five batches, each ending in a partial INSERT of 8 rows */
    struct dd_people_load_result res;
    struct issues iss;

    /* The bad row comes after two full batches have been written. */
    char *text = many_people(rows, rows - 10, &len);
    assert_int_equal(import_text(fx, "many.csv", text, len, &res, &iss), DD_EINVAL);
    free(text);
    assert_int_equal(iss.n, 1);
    expect_issue(&iss, rows - 10 + 1, "sex", "sex-invalid");
    assert_int_equal(res.rows, rows);
    expect_empty_register(fx->db);
    assert_int_equal(secondary_indexes(fx), 8);

    text = many_people(rows, 0, &len);
    assert_int_equal(import_text(fx, "many.csv", text, len, &res, &iss), DD_OK);
    free(text);
    assert_int_equal(iss.n, 0);
    assert_int_equal(res.stored, rows);
    assert_int_equal(res.households, rows / 4);
    assert_int_equal(count(fx->db, "people"), rows);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people p JOIN person_imports i ON "
                                      "i.id = p.import_id AND i.people = 5000"),
                     rows);
    assert_int_equal(count(fx->db, "residences"), rows + rows / 10);
    assert_int_equal(count(fx->db, "households"), rows / 4);
    assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people p JOIN households h ON "
                                      "h.id = p.household_id AND h.head_id <> ''"),
                     rows);
    char v[256];
    dbfx_text(fx->db,
              "SELECT full_name || '|' || h.number || '|' || h.head_id FROM people p "
              "JOIN households h ON h.id = p.household_id WHERE id_number = "
              "'056066002346'",
              v, sizeof v);
    assert_string_equal(v, "Người Thứ 2346|H586|056165002345");
    struct dd_arena *a = dd_arena_new(0);
    assert_rebuild_matches(fx->db, a, "056066002346");
    dd_arena_free(a);
    assert_int_equal(secondary_indexes(fx), 8);
    assert_int_equal(count(fx->db, "events"), 1);
    /* The partial index of temporary residents stayed while the rows went in (it is not
     * rebuilt): it holds exactly the rows with a temporary commune, as a scan finds them. */
    const char *by_index = fx->kind == DD_DB_SQLITE
                               ? "SELECT COUNT(*) FROM people INDEXED BY people_temporary "
                                 "WHERE temporary_commune = '22390' AND temporary_commune <> ''"
                               : "SELECT COUNT(*) FROM people WHERE temporary_commune = '22390'";
    assert_int_equal(dbfx_int(fx->db, by_index), rows / 10);
    if (fx->kind == DD_DB_SQLITE)
        assert_int_equal(dbfx_int(fx->db, "SELECT COUNT(*) FROM people NOT INDEXED "
                                          "WHERE temporary_commune = '22390'"),
                         rows / 10);
    batch_rows = 0;
}

/* SQLite: alone, a load runs with a rollback journal and gives the WAL back; with another
 * connection open it keeps the WAL, and that connection reads on meanwhile. */
static void
sqlite_journal_comes_back_to_wal(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    struct dd_people_load_result res;
    struct issues iss;
    int64_t cache = dbfx_int(fx->db, "PRAGMA cache_size");
    int64_t mmap = dbfx_int(fx->db, "PRAGMA mmap_size");
    assert_int_equal(import_str(fx, family, &res, &iss), DD_OK);
    char mode[16];
    dbfx_text(fx->db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    /* The load's page cache and memory map were the load's only. */
    assert_int_equal(dbfx_int(fx->db, "PRAGMA cache_size"), cache);
    assert_int_equal(dbfx_int(fx->db, "PRAGMA mmap_size"), mmap);

    struct dd_db *reader = dbfx_connect(fx, 1000);
    assert_int_equal(dd_db_begin_read(reader), DD_OK);
    assert_int_equal(dbfx_int(reader, "SELECT COUNT(*) FROM people"), 3);
    const char more[] = "id_number,full_name,birth_date,sex\n056090000009,Mới,1990,male\n";
    assert_int_equal(import_str(fx, more, &res, &iss), DD_OK);
    assert_int_equal(dbfx_int(reader, "SELECT COUNT(*) FROM people"), 3); /* its snapshot */
    assert_int_equal(dd_db_commit(reader), DD_OK);
    assert_int_equal(dbfx_int(reader, "SELECT COUNT(*) FROM people"), 4);
    dd_db_close(reader);
    dbfx_text(fx->db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
}

static void
the_export_imports_back_to_the_same_register(void **state)
{
    struct dbfx *fx = dbfx_get(state);
    setup(fx);
    const char text[] =
        "id_number,full_name,other_names,birth_date,sex,ethnicity,religion,nationality,"
        "birth_place,hometown,old_id_number,photo_ref,status,death_date,father_id,mother_id,"
        "spouse_id,household_number,relation_to_head,permanent_province,permanent_commune,"
        "permanent_address,temporary_province,temporary_commune,temporary_address,"
        "temporary_until\n"
        "056040000007,Trần Văn Ông,,1940,male,Kinh,Không,VN,Khánh Hòa,Huế,123456789,,dead,"
        "2020-03-04,,,,H7,Chủ hộ,56,22333,\"Thôn 3, xã \"\"Mới\"\"\",,,,\n"
        "056090000001,Nguyễn Văn An,Tí,1990-05-17,male,Kinh,Phật giáo,VN,Khánh Hòa,Khánh Hòa,,"
        "p/1.jpg,alive,,056040000007,,056192000002,H1,Chủ hộ,56,22366,\"Số 12, Trần Phú\",56,"
        "22390,Phòng 4,2027-06-30\n"
        "056192000002,Lê Thị Bình,,1992,female,Chăm,,FR,,,,,missing,,,,056090000001,H1,Vợ,56,"
        "22366,\"Số 12, Trần Phú\",,,,\n"
        "056215000003,Nguyễn Minh Châu,,2015-09,male,,,,,,,,,,056090000001,056192000002,,,,,,,,,,"
        "\n";
    struct dd_people_load_result res;
    struct issues iss;
    assert_int_equal(import_str(fx, text, &res, &iss), DD_OK);

    char *first = NULL, *second = NULL;
    size_t first_len = 0, second_len = 0;
    FILE *out = open_memstream(&first, &first_len);
    int64_t rows = 0;
    char err[256];
    assert_int_equal(dd_people_export_csv(fx->db, NULL, out, &rows, err, sizeof err), DD_OK);
    fclose(out);
    assert_int_equal(rows, 4);
    assert_non_null(strstr(first, "\r\n056040000007,Trần Văn Ông,,1940,male,Kinh,Không,VN,"
                                  "Khánh Hòa,Huế,123456789,,dead,2020-03-04,,,,H7,Chủ hộ,56,"
                                  "22333,\"Thôn 3, xã \"\"Mới\"\"\",,,,\r\n"));
    assert_non_null(strstr(first, "\r\n056215000003,Nguyễn Minh Châu,,2015-09,male,,,VN,,,,,"
                                  "alive,,056090000001,056192000002,,,,,,,,,,\r\n"));

    /* Into an empty register, and out again: the same bytes. */
    dbfx_exec(fx->db, "DELETE FROM people; DELETE FROM person_history; DELETE FROM residences; "
                      "DELETE FROM households; DELETE FROM person_imports");
    assert_int_equal(import_text(fx, "export.csv", first, first_len, &res, &iss), DD_OK);
    assert_int_equal(res.stored, 4);
    out = open_memstream(&second, &second_len);
    assert_int_equal(dd_people_export_csv(fx->db, NULL, out, &rows, err, sizeof err), DD_OK);
    fclose(out);
    assert_int_equal(second_len, first_len);
    assert_memory_equal(first, second, first_len);

    /* A filter by commune; a malformed code is refused. */
    free(second);
    out = open_memstream(&second, &second_len);
    struct dd_people_export_filter f = {.province = "56", .commune = "22366"};
    assert_int_equal(dd_people_export_csv(fx->db, &f, out, &rows, err, sizeof err), DD_OK);
    fclose(out);
    assert_int_equal(rows, 2);
    assert_non_null(strstr(second, "\r\n056090000001,"));
    assert_null(strstr(second, "\r\n056040000007,"));
    free(second);
    f.commune = "2236";
    out = open_memstream(&second, &second_len);
    assert_int_equal(dd_people_export_csv(fx->db, &f, out, &rows, err, sizeof err), DD_EINVAL);
    fclose(out);
    assert_non_null(strstr(err, "5 digits"));
    free(first);
    free(second);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        DB_TEST(stores_people_households_history_and_residences),
        DB_TEST(rows_match_what_the_register_writes),
        DB_TEST(a_change_writes_version_1_of_a_load_first),
        DB_TEST(a_bad_row_in_the_middle_stores_nothing),
        DB_TEST(duplicates_in_the_file_and_in_the_register_are_refused),
        DB_TEST(households_are_checked_across_rows),
        DB_TEST(places_and_links_are_checked_against_the_register),
        DB_TEST(csv_problems_are_bad_rows_with_their_lines),
        DB_TEST(quoting_bom_crlf_and_nfc_are_read_as_written),
        DB_TEST(loads_of_several_batches_are_all_or_nothing),
        DB_TEST(the_export_imports_back_to_the_same_register),
        {"sqlite_journal_comes_back_to_wal (sqlite)", sqlite_journal_comes_back_to_wal,
         dbfx_setup_sqlite, dbfx_teardown, NULL},
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
