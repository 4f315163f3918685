/*
 * load.c — a people load from start to end: the options and the transaction, each row checked
 * (load_check.c) and queued for the writing thread (queue.c), and the end: the remaining
 * checks, the households, the indexes, the event, the audit row, then commit or rollback.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/str.h"
#include "core/people_csv/load_impl.h"
#include "core/register/person.h"
#include "core/register/register.h"
#include "core/audit.h"
#include "core/events.h"
#include "core/units/units.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int64_t
process_cpu_ms(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (int64_t)ru.ru_utime.tv_sec * 1000 + ru.ru_utime.tv_usec / 1000 +
           (int64_t)ru.ru_stime.tv_sec * 1000 + ru.ru_stime.tv_usec / 1000;
}

/* Logs (at debug level) how long the step that ends now took, and the CPU it used. */
void
dd_pl_step_done(struct dd_people_load *l, const char *step)
{
    int64_t now = dd_clock_mono_ns(), cpu = process_cpu_ms();
    dd_log(DD_LOG_DEBUG, "import.step", "%s: %.3f s (CPU %.3f s)", step,
           (double)(now - l->step_ns) / 1e9, (double)(cpu - l->step_cpu_ms) / 1000);
    l->step_ns = now;
    l->step_cpu_ms = cpu;
}

/* --- problems --- */

void
dd_pl_add_issue(struct dd_person_check *chk, const char *field, const char *code, bool warning,
                const char *vi, const char *en)
{
    if (chk->count >= DD_PERSON_MAX_ISSUES)
        return;
    struct dd_person_issue *i = &chk->issues[chk->count++];
    i->field = field;
    i->code = code;
    i->warning = warning;
    dd_strlcpy(i->message_vi, vi, sizeof i->message_vi);
    dd_strlcpy(i->message_en, en, sizeof i->message_en);
    if (!warning)
        chk->errors++;
}

void
dd_pl_report(struct dd_people_load *l, long line, const char *id, const struct dd_person_issue *is)
{
    if (is->warning)
        l->res.warnings++;
    else
        l->res.errors++;
    if (l->opt.on_issue)
        l->opt.on_issue(l->opt.arg, line, id ? id : "", is);
}

void
dd_pl_report_one(struct dd_people_load *l, long line, const char *id, const char *field,
                 const char *code, bool warning, const char *vi, const char *en)
{
    struct dd_person_check chk = {0};
    dd_pl_add_issue(&chk, field, code, warning, vi, en);
    dd_pl_report(l, line, id, &chk.issues[0]);
}

int
dd_pl_db_failed(struct dd_people_load *l, int rc, const char *what)
{
    snprintf(l->res.message, sizeof l->res.message, "%s: %s", what, dd_db_errmsg(l->db));
    return rc;
}

/* --- begin --- */

static const char *
opt_or(struct dd_arena *a, const char *v, const char *fallback)
{
    return dd_arena_strdup(a, v && v[0] ? v : fallback);
}

static void
release(struct dd_people_load *l)
{
    dd_pl_queue_stop(l);
    if (l->writer_state)
        l->kind == DD_DB_SQLITE ? dd_pl_sqlite_close(l) : dd_pl_pg_close(l);
    if (dd_db_in_transaction(l->db))
        dd_db_rollback(l->db);
    if (l->kind == DD_DB_SQLITE)
        dd_pl_sqlite_untune(l);
    dd_idset_free(&l->ids);
    dd_pl_name_keys_free(&l->names);
    dd_pl_households_free(&l->households);
    free(l->links);
    free(l->communes);
    dd_arena_free(l->scratch);
    dd_arena_free(l->arena);
    free(l);
}

int
dd_people_load_begin(struct dd_db *db, const struct dd_people_load_options *opt,
                     struct dd_people_load **out, char *err, size_t errlen)
{
    *out = NULL;
    if (opt == NULL || opt->source == NULL || opt->source[0] == '\0') {
        snprintf(err, errlen, "a load needs the name of its source");
        return DD_EINVAL;
    }
    if (dd_db_in_transaction(db)) {
        snprintf(err, errlen, "a load needs a connection without an open transaction");
        return DD_EINVAL;
    }
    struct dd_people_load *l = dd_xcalloc(1, sizeof *l);
    l->db = db;
    l->kind = dd_db_kind(db);
    l->arena = dd_arena_new(0);
    l->scratch = dd_arena_new(0);
    l->opt = *opt;
    l->opt.source = dd_arena_strdup(l->arena, opt->source);
    l->opt.actor = opt_or(l->arena, opt->actor, "import");
    l->opt.kind = opt_or(l->arena, opt->kind, "imported");
    l->opt.audit_actor = opt_or(l->arena, opt->audit_actor, l->opt.actor);
    l->batch_rows = opt->batch_rows > 0 && opt->batch_rows < DD_PL_BATCH_ROWS ? opt->batch_rows
                                                                              : DD_PL_BATCH_ROWS;
    dd_clock_iso8601(dd_clock_now_ms(), l->now);
    l->now_len = (uint32_t)strlen(l->now);
    dd_strlcpy(l->since, opt->since && opt->since[0] ? opt->since : l->now, 11);
    l->step_ns = dd_clock_mono_ns();
    l->step_cpu_ms = process_cpu_ms();
    atomic_init(&l->write_rc, DD_OK);
    atomic_init(&l->stop_writing, false);
    dd_pl_households_init(&l->households);
    dd_pl_name_keys_init(&l->names);

    int rc = dd_units_ensure_loaded(db, NULL, l->res.message, sizeof l->res.message);
    if (rc == DD_OK && l->kind == DD_DB_SQLITE)
        rc = dd_pl_sqlite_tune(l);
    if (rc == DD_OK) {
        rc = dd_db_begin(db);
        if (rc != DD_OK)
            dd_pl_db_failed(l, rc, "starting the transaction");
    }
    if (rc == DD_OK)
        rc = dd_pl_prepare_tables(l);
    if (rc != DD_OK) {
        snprintf(err, errlen, "%s", l->res.message);
        release(l);
        return rc;
    }
    dd_pl_step_done(l, "reading the register");
    dd_pl_queue_start(l);
    *out = l;
    return DD_OK;
}

/* --- queueing a row --- */

/* Copies a field into the batch, measuring it once for the writer. */
static void
keep(struct dd_pl_batch *b, struct dd_pl_row *r, int field, const char *v)
{
    size_t n = strlen(v);
    dd_person_set(&r->p, field, dd_arena_strndup(b->arena, v, n));
    r->len[field] = (uint32_t)n;
}

/* people.residences for the periods the load opens: the permanent one, and the temporary one
 * unless it has already ended. */
static void
residences_json(const struct dd_people_load *l, struct dd_pl_batch *b, struct dd_pl_row *r)
{
    const struct dd_person *p = &r->p;
    struct dd_buf j;
    dd_buf_init(&j, b->arena, 64 * 1024);
    dd_buf_putc(&j, '[');
    if (p->permanent_commune[0] != '\0')
        dd_reg_residence_json(&j, "permanent", p->permanent_province, p->permanent_commune,
                              p->permanent_address, l->since, "");
    if (p->temporary_commune[0] != '\0' &&
        (p->temporary_until[0] == '\0' || strncmp(p->temporary_until, l->now, 10) >= 0)) {
        if (j.len > 1)
            dd_buf_putc(&j, ',');
        dd_reg_residence_json(&j, "temporary", p->temporary_province, p->temporary_commune,
                              p->temporary_address, l->since, p->temporary_until);
    }
    dd_buf_putc(&j, ']');
    r->residences = j.data;
    r->residences_len = (uint32_t)j.len;
}

static void
queue_row(struct dd_people_load *l, const struct dd_person *p, int64_t household_id)
{
    struct dd_pl_batch *b = l->current;
    struct dd_pl_row *r = &b->rows[b->count++];
    for (int i = 0; i < DD_PERSON_NFIELDS; i++)
        keep(b, r, i, dd_person_get(p, i));
    if (r->p.status[0] == '\0')
        keep(b, r, DD_PL_FIELD(status), "alive");
    if (r->p.nationality[0] == '\0')
        keep(b, r, DD_PL_FIELD(nationality), "VN");
    struct dd_pl_name_key scratch;
    const struct dd_pl_name_key *k = dd_pl_name_keys_get(&l->names, b->arena, r->p.full_name,
                                                         r->len[DD_PL_FIELD(full_name)], &scratch);
    r->name_folded = k->folded;
    r->given_folded = k->given;
    r->name_len = k->folded_len;
    r->given_len = k->given_len;
    int year = dd_partial_date_year(r->p.birth_date);
    r->birth_year = year > 0 ? year : 0;
    r->household_id = household_id;
    r->id_key = dd_idset_key(r->p.id_number);
    residences_json(l, b, r);
    if (b->count == l->batch_rows)
        dd_pl_queue_submit(l);
}

int
dd_people_load_add(struct dd_people_load *l, const struct dd_person *in, long line)
{
    int rc = atomic_load(&l->write_rc);
    if (rc != DD_OK)
        return rc;
    l->res.rows++;
    struct dd_person p = *in;
    dd_person_fill_empty(&p);
    struct dd_person_check chk;
    int64_t household_id = dd_pl_check_row(l, &p, line, &chk);
    for (int i = 0; i < chk.count; i++)
        dd_pl_report(l, line, p.id_number, &chk.issues[i]);
    if (chk.errors > 0) {
        l->res.bad_rows++;
        l->rows_failed = true;
        atomic_store(&l->stop_writing, true);
        return DD_OK;
    }
    if (!l->rows_failed)
        queue_row(l, &p, household_id);
    return DD_OK;
}

void
dd_people_load_reject(struct dd_people_load *l, long line, const struct dd_person_issue *issue)
{
    struct dd_person_issue copy = *issue;
    copy.warning = false;
    l->res.rows++;
    l->res.bad_rows++;
    l->rows_failed = true;
    atomic_store(&l->stop_writing, true);
    dd_pl_report(l, line, "", &copy);
}

/* --- finishing --- */

static int
write_households(struct dd_people_load *l)
{
    int rc = l->kind == DD_DB_SQLITE ? dd_pl_sqlite_households(l) : dd_pl_pg_households(l);
    if (rc != DD_OK)
        snprintf(l->res.message, sizeof l->res.message, "%s", l->write_msg);
    return rc;
}

static int64_t
households_created(const struct dd_people_load *l)
{
    int64_t n = 0;
    for (size_t i = 0; i < l->households.count; i++)
        n += !l->households.items[i].in_register;
    return n;
}

static const char *
counts_json(struct dd_people_load *l)
{
    struct dd_buf b;
    dd_buf_init(&b, l->arena, 8192);
    dd_buf_puts(&b, "{\"source\":\"");
    dd_buf_json_escape(&b, l->opt.source);
    dd_buf_printf(&b, "\",\"people\":%lld,\"households\":%lld,\"warnings\":%lld}",
                  (long long)l->res.stored, (long long)l->res.households,
                  (long long)l->res.warnings);
    return b.data;
}

static int
record(struct dd_people_load *l)
{
    const char *detail = counts_json(l);
    int rc = dd_event_emit(l->db, "register.imported", NULL, detail);
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "emitting register.imported");
    struct dd_audit_entry e = {
        .actor = l->opt.audit_actor,
        .action = "register.import",
        .object = l->opt.source,
        .detail = detail,
    };
    rc = dd_audit_append(l->db, &e);
    return rc == DD_OK ? DD_OK : dd_pl_db_failed(l, rc, "appending the audit row");
}

/* The number of people the load stored, on its person_imports row. */
static int
count_import(struct dd_people_load *l)
{
    struct dd_stmt *st;
    int rc = dd_db_prepare(l->db, "UPDATE person_imports SET people = ? WHERE id = ?", &st);
    if (rc == DD_OK) {
        dd_stmt_bind_int64(st, 1, l->res.stored);
        dd_stmt_bind_int64(st, 2, l->import_id);
        rc = dd_stmt_step(st);
        dd_stmt_reset(st);
    }
    return rc < 0 ? dd_pl_db_failed(l, rc, "counting the people of the load") : DD_OK;
}

static int
commit(struct dd_people_load *l)
{
    l->res.stored = l->written;
    l->res.households = households_created(l);
    int rc = count_import(l);
    if (rc == DD_OK)
        rc = write_households(l);
    dd_pl_step_done(l, "writing households");
    if (rc == DD_OK)
        rc = dd_pl_rebuild_indexes(l);
    dd_pl_step_done(l, "building indexes");
    if (rc == DD_OK)
        rc = record(l);
    if (rc != DD_OK)
        return rc;
    if (l->opt.on_phase)
        l->opt.on_phase(l->opt.arg, "committing");
    rc = dd_db_commit(l->db);
    dd_pl_step_done(l, "committing");
    if (rc != DD_OK)
        return dd_pl_db_failed(l, rc, "committing");
    l->res.committed = true;
    if (l->kind == DD_DB_SQLITE && !l->alone) {
        dd_db_exec(l->db, "PRAGMA wal_checkpoint(TRUNCATE)"); /* best effort: shrink the WAL */
        dd_pl_step_done(l, "checkpoint");
    }
    return DD_OK;
}

int
dd_people_load_finish(struct dd_people_load *l, struct dd_people_load_result *res)
{
    dd_pl_queue_stop(l);
    dd_pl_step_done(l, "checking and writing the rows");
    dd_log(DD_LOG_DEBUG, "import.step", "CPU used: checking %.3f s, writing %.3f s",
           (double)l->checker_cpu_ms / 1000, (double)l->writer_cpu_ms / 1000);
    dd_pl_check_links(l);
    dd_pl_check_heads(l);
    int rc = atomic_load(&l->write_rc);
    if (rc != DD_OK)
        snprintf(l->res.message, sizeof l->res.message, "%s", l->write_msg);
    else if (l->rows_failed)
        rc = DD_EINVAL;
    else
        rc = commit(l);
    if (!l->res.committed) {
        l->res.stored = 0;
        l->res.households = 0;
    }
    *res = l->res;
    release(l);
    return rc;
}

void
dd_people_load_abort(struct dd_people_load *l)
{
    if (l != NULL)
        release(l);
}

int
dd_pl_write_failed(struct dd_people_load *l, int rc, const char *what)
{
    snprintf(l->write_msg, sizeof l->write_msg, "%s: %s", what, dd_db_errmsg(l->db));
    return rc;
}
