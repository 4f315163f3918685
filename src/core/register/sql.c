/*
 * sql.c — SQL text built in pieces with its parameters kept beside it, for the queries whose
 * shape depends on the request (search filters, the officer's area). Each distinct shape is one
 * text in the statement cache; parameters are always bound, never written into the text.
 */
#include "base/err.h"
#include "base/log.h"
#include "core/register/api.h"
#include "store/store.h"

#define MAX_SQL_BYTES 8192

void
reg_sql_init(struct reg_sql *q, struct dd_arena *a)
{
    dd_buf_init(&q->text, a, MAX_SQL_BYTES);
    q->n = 0;
}

void
reg_sql_add(struct reg_sql *q, const char *text)
{
    dd_buf_puts(&q->text, text);
}

static void
add_bind(struct reg_sql *q, const char *s, int64_t v, bool is_int)
{
    if (q->n >= REG_SQL_MAX_BINDS) {
        q->n = REG_SQL_MAX_BINDS + 1; /* reported by reg_sql_prepare */
        return;
    }
    q->binds[q->n].s = s;
    q->binds[q->n].v = v;
    q->binds[q->n].is_int = is_int;
    q->n++;
}

void
reg_sql_text(struct reg_sql *q, const char *s)
{
    add_bind(q, s ? s : "", 0, false);
}

void
reg_sql_int(struct reg_sql *q, int64_t v)
{
    add_bind(q, NULL, v, true);
}

int
reg_sql_prepare(struct dd_db *db, struct reg_sql *q, struct dd_stmt **st)
{
    if (q->n > REG_SQL_MAX_BINDS || q->text.data == NULL) {
        dd_log(DD_LOG_ERROR, "register.sql", "query built with too many parameters");
        return DD_EINTERNAL;
    }
    int rc = dd_db_prepare(db, q->text.data, st);
    if (rc != DD_OK)
        return rc;
    for (int i = 0; i < q->n; i++) {
        if (q->binds[i].is_int)
            dd_stmt_bind_int64(*st, i + 1, q->binds[i].v);
        else
            dd_stmt_bind_text(*st, i + 1, q->binds[i].s);
    }
    return DD_OK;
}
