/*
 * import.c — a CSV file of people into the bulk loader: the header maps columns to fields,
 * each record becomes a struct dd_person (its text checked as UTF-8 and brought to NFC), and
 * what cannot become one is rejected with its line.
 */
#include "core/people_csv/import.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/people_csv/csv_reader.h"
#include "core/people_csv/text.h"
#include "core/register/person.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRESS_EVERY 16384

struct importer {
    const struct dd_people_import_options *opt;
    struct dd_csv_reader *reader;
    int column_field[DD_CSV_READER_MAX_FIELDS]; /* field index of each column */
    int ncolumns;
    struct dd_arena *scratch; /* text normalised to NFC, per row */
    struct dd_people_load_result *res;
};

static void
make_issue(struct dd_person_issue *out, const char *field, const char *code, const char *vi,
           const char *en)
{
    memset(out, 0, sizeof *out);
    out->field = field;
    out->code = code;
    dd_strlcpy(out->message_vi, vi, sizeof out->message_vi);
    dd_strlcpy(out->message_en, en, sizeof out->message_en);
}

/* A problem of the header: reported at once, counted, and the import does not start. */
static void
header_problem(struct importer *im, const char *field, const char *code, const char *vi,
               const char *en)
{
    struct dd_person_issue is;
    make_issue(&is, field, code, vi, en);
    im->res->errors++;
    if (im->opt->on_issue)
        im->opt->on_issue(im->opt->arg, 1, "", &is);
}

static bool
is_required(int field)
{
    static const char *const required[] = {"id_number", "full_name", "birth_date", "sex"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (strcmp(dd_person_fields[field].name, required[i]) == 0)
            return true;
    return false;
}

static int
read_header(struct importer *im)
{
    struct dd_csv_record rec;
    int rc = dd_csv_reader_next(im->reader, &rec);
    if (rc < 0)
        return rc;
    if (rc == 0 || (rec.count == 1 && rec.len[0] == 0)) {
        header_problem(im, "", "header-missing", "Tệp trống hoặc thiếu dòng tiêu đề.",
                       "The file is empty or lacks its header row.");
        return DD_EINVAL;
    }
    if (rec.malformed != DD_CSV_WELL_FORMED) {
        header_problem(im, "", "csv-malformed", "Dòng tiêu đề sai cú pháp CSV (dấu nháy kép).",
                       "The header row is not well-formed CSV (quotes).");
        return DD_EINVAL;
    }
    bool seen[DD_PERSON_NFIELDS] = {false};
    int errors = 0;
    for (int c = 0; c < rec.count; c++) {
        const char *name = rec.field[c];
        int field = dd_person_field_index(name);
        char vi[200], en[200];
        if (field < 0) {
            snprintf(vi, sizeof vi, "Cột không có trong định dạng: \"%.60s\".", name);
            snprintf(en, sizeof en, "Unknown column \"%.60s\".", name);
            header_problem(im, name, "column-unknown", vi, en);
            errors++;
        } else if (seen[field]) {
            snprintf(vi, sizeof vi, "Cột \"%s\" xuất hiện hai lần.", name);
            snprintf(en, sizeof en, "Column \"%s\" appears twice.", name);
            header_problem(im, dd_person_fields[field].name, "column-duplicate", vi, en);
            errors++;
        } else {
            seen[field] = true;
        }
        im->column_field[c] = field;
    }
    for (int f = 0; f < DD_PERSON_NFIELDS; f++) {
        if (seen[f] || !is_required(f))
            continue;
        char vi[200], en[200];
        snprintf(vi, sizeof vi, "Thiếu cột bắt buộc \"%s\".", dd_person_fields[f].name);
        snprintf(en, sizeof en, "The required column \"%s\" is missing.", dd_person_fields[f].name);
        header_problem(im, dd_person_fields[f].name, "column-missing", vi, en);
        errors++;
    }
    im->ncolumns = rec.count;
    return errors ? DD_EINVAL : DD_OK;
}

static void
reject(struct importer *im, struct dd_people_load *l, long line, const char *field,
       const char *code, const char *vi, const char *en)
{
    (void)im;
    struct dd_person_issue is;
    make_issue(&is, field, code, vi, en);
    dd_people_load_reject(l, line, &is);
}

static void
reject_malformed(struct importer *im, struct dd_people_load *l, const struct dd_csv_record *rec)
{
    static const char *const vi[] = {
        [DD_CSV_QUOTE_INSIDE] = "Dấu nháy kép nằm giữa một trường không mở đầu bằng dấu nháy.",
        [DD_CSV_TEXT_AFTER_QUOTE] = "Có chữ sau dấu nháy đóng của một trường.",
        [DD_CSV_QUOTE_NOT_CLOSED] = "Dấu nháy mở một trường mà không đóng lại.",
    };
    static const char *const en[] = {
        [DD_CSV_QUOTE_INSIDE] = "A quote appears inside a field that does not start with one.",
        [DD_CSV_TEXT_AFTER_QUOTE] = "Text follows the closing quote of a field.",
        [DD_CSV_QUOTE_NOT_CLOSED] = "A quoted field is never closed.",
    };
    reject(im, l, rec->line, "", "csv-malformed", vi[rec->malformed], en[rec->malformed]);
}

/* Fills *p from a record; false (the row rejected) if a value is not UTF-8. */
static bool
to_person(struct importer *im, struct dd_people_load *l, const struct dd_csv_record *rec,
          struct dd_person *p)
{
    memset(p, 0, sizeof *p);
    for (int c = 0; c < rec->count; c++) {
        int field = im->column_field[c];
        const char *v = rec->field[c];
        if (memchr(v, '\0', rec->len[c]) != NULL) {
            reject(im, l, rec->line, dd_person_fields[field].name, "text-invalid",
                   "Giá trị chứa ký tự NUL.", "The value holds a NUL character.");
            return false;
        }
        switch (dd_pl_text_classify(v, rec->len[c])) {
        case DD_PL_TEXT_NFC:
            break;
        case DD_PL_TEXT_NORMALISE:
            v = dd_utf8_nfc(im->scratch, v);
            break;
        case DD_PL_TEXT_INVALID:
            reject(im, l, rec->line, dd_person_fields[field].name, "utf8-invalid",
                   "Giá trị không phải văn bản UTF-8.", "The value is not UTF-8 text.");
            return false;
        }
        dd_person_set(p, field, v);
    }
    dd_person_fill_empty(p);
    return true;
}

static int
import_rows(struct importer *im, struct dd_people_load *l, uint64_t total)
{
    struct dd_csv_record rec;
    int64_t rows = 0;
    int rc;
    while ((rc = dd_csv_reader_next(im->reader, &rec)) == 1) {
        if (rec.count == 1 && rec.len[0] == 0)
            continue; /* a blank line */
        if (++rows % PROGRESS_EVERY == 0 && im->opt->on_progress)
            im->opt->on_progress(im->opt->arg, rows, dd_csv_reader_offset(im->reader), total);
        dd_arena_reset(im->scratch);
        struct dd_person p;
        if (rec.malformed != DD_CSV_WELL_FORMED) {
            reject_malformed(im, l, &rec);
        } else if (rec.count != im->ncolumns) {
            char vi[200], en[200];
            snprintf(vi, sizeof vi, "Dòng có %d trường nhưng tiêu đề có %d cột.", rec.count,
                     im->ncolumns);
            snprintf(en, sizeof en, "The row has %d fields but the header has %d columns.",
                     rec.count, im->ncolumns);
            reject(im, l, rec.line, "", "field-count", vi, en);
        } else if (to_person(im, l, &rec, &p)) {
            rc = dd_people_load_add(l, &p, rec.line);
            if (rc != DD_OK)
                return DD_OK; /* the database failed: finishing says why */
        }
    }
    if (im->opt->on_progress)
        im->opt->on_progress(im->opt->arg, rows, dd_csv_reader_offset(im->reader), total);
    return rc;
}

static const char *
base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int
run(struct importer *im, struct dd_db *db, uint64_t total)
{
    const struct dd_people_import_options *opt = im->opt;
    int rc = read_header(im);
    if (rc != DD_OK) {
        if (rc != DD_EINVAL)
            snprintf(im->res->message, sizeof im->res->message, "%s",
                     dd_csv_reader_error(im->reader));
        return rc;
    }
    struct dd_people_load_options lo = {
        .source = opt->source ? opt->source : base_name(opt->path),
        .actor = opt->actor,
        .audit_actor = opt->audit_actor,
        .on_issue = opt->on_issue,
        .on_phase = opt->on_phase,
        .arg = opt->arg,
        .batch_rows = opt->batch_rows,
    };
    struct dd_people_load *l;
    rc = dd_people_load_begin(db, &lo, &l, im->res->message, sizeof im->res->message);
    if (rc != DD_OK)
        return rc;
    rc = import_rows(im, l, total);
    if (rc < 0) {
        snprintf(im->res->message, sizeof im->res->message, "%s", dd_csv_reader_error(im->reader));
        dd_people_load_abort(l);
        return rc;
    }
    return dd_people_load_finish(l, im->res);
}

int
dd_people_import_csv(struct dd_db *db, const struct dd_people_import_options *opt,
                     struct dd_people_load_result *res)
{
    memset(res, 0, sizeof *res);
    int fd = open(opt->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(res->message, sizeof res->message, "cannot open %s: %s", opt->path,
                 strerror(errno));
        return DD_EIO;
    }
    struct stat sb;
    uint64_t total = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    struct importer im = {
        .opt = opt,
        .reader = dd_csv_reader_new(fd),
        .scratch = dd_arena_new(64 * 1024),
        .res = res,
    };
    int rc = run(&im, db, total);
    dd_arena_free(im.scratch);
    dd_csv_reader_free(im.reader);
    close(fd);
    return rc;
}
