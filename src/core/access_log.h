/*
 * access_log.h — who read or changed a person's data, for that person to see.
 *
 * Every read or change of a person's data by someone other than the person is written here, in
 * the same transaction as a change, with who (officer, role, agency), when, which data and for
 * what purpose (Decree 13/2023/NĐ-CP). The identity module shows it to the citizen.
 *
 * The log has two parts (migrations/0007_access_log_recent.sqlite.sql): new rows are appended to
 * `access_log_recent`, which has no index by person, and dd_access_log_merge moves them in large
 * batches into `access_log_kept`, indexed by (day, id_number). The view `access_log` shows both.
 * The server's access-log writer (core/register/access.c) merges now and then; commands and tests
 * may call the merge themselves.
 */
#ifndef DD_CORE_ACCESS_LOG_H
#define DD_CORE_ACCESS_LOG_H

#include <stdint.h>

struct dd_db;
struct dd_req;

/* The INSERT that appends rows to the log; the writer adds "(?, …)" groups of ten values:
 * id_number, at, actor, actor_name, role, agency, action, data, purpose, request_id. */
#define DD_ACCESS_LOG_INSERT                                                                       \
    "INSERT INTO access_log_recent (id_number, at, actor, actor_name, role, agency, action, "      \
    "data, purpose, request_id) VALUES "

/* Records one access by the request's caller (req->who) to person `id_number`. `action` is
 * "read", "search", "change" or "export"; `data` names what was seen ("person", "history",
 * "household"); `purpose` is the caller's stated purpose (X-Purpose). Runs inside the caller's
 * transaction if one is open. */
int dd_access_log_write(struct dd_db *db, const struct dd_req *req, const char *id_number,
                        const char *action, const char *data, const char *purpose);

/* Moves the max_rows oldest rows of `access_log_recent` (all of them if max_rows <= 0) into
 * `access_log_kept`, in one transaction of its own (the connection must have none open). On
 * PostgreSQL rows of transactions not yet committed stay for a later merge. *moved (may be
 * NULL) gets the number of rows moved. Returns DD_OK or the database's error, with nothing
 * moved. */
int dd_access_log_merge(struct dd_db *db, int64_t max_rows, int64_t *moved);

#endif
