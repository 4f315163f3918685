/*
 * access_log.h — who read or changed a person's data, for that person to see.
 *
 * Every read or change of a person's data by someone other than the person is written here, in
 * the same transaction as a change, with who (officer, role, agency), when, which data and for
 * what purpose (Decree 13/2023/NĐ-CP). The identity module shows it to the citizen.
 *
 * `access_log` has no index by person, so that recording a read is an append
 * (migrations/0007_access_log_by_person.sqlite.sql). A person's rows are found through
 * `access_log_by_person` (day, id_number, id), probed by days from the newest, plus the rows past
 * `access_log_indexed.upto` (the log's tail, not indexed yet). Days are counted in Vietnam's time
 * (UTC+7) from 1970-01-01. On SQLite dd_access_log_index adds the tail to `access_log_by_person`
 * in one sorted batch (the server's access-log writer calls it every ten minutes, when it starts
 * and when it stops); on PostgreSQL both names are views over an ordinary index and the function
 * does nothing.
 */
#ifndef DD_CORE_ACCESS_LOG_H
#define DD_CORE_ACCESS_LOG_H

#include <stddef.h>
#include <stdint.h>

struct dd_db;
struct dd_principal;
struct dd_req;

/* The INSERT that appends rows to the log; the writer adds "(?, …)" groups of eleven values:
 * id_number, day, at, actor, actor_name, role, agency, action, data, purpose, request_id. */
#define DD_ACCESS_LOG_INSERT                                                                       \
    "INSERT INTO access_log (id_number, day, at, actor, actor_name, role, agency, action, data, "  \
    "purpose, request_id) VALUES "
#define DD_ACCESS_LOG_VALUES "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

/* The day a row belongs to: days since 1970-01-01 in Vietnam's time (UTC+7, no daylight saving)
 * of a time in milliseconds since the epoch. */
int64_t dd_access_log_day(int64_t ms);

/* Writes who the caller is as the log names them: "officer:12", "citizen:7" (an account),
 * "establishment:3", "client:hospital-app". */
void dd_access_log_actor(const struct dd_principal *p, char *out, size_t outlen);

/* Records one access by the request's caller (req->who) to person `id_number`. `action` is
 * "read", "search", "change" or "export"; `data` names what was seen ("person", "history",
 * "household"); `purpose` is the caller's stated purpose (X-Purpose). Runs inside the caller's
 * transaction if one is open. */
int dd_access_log_write(struct dd_db *db, const struct dd_req *req, const char *id_number,
                        const char *action, const char *data, const char *purpose);

/* SQLite: adds the rows past access_log_indexed.upto of days before `before_day` (and any row
 * with a smaller id) to access_log_by_person, sorted, and moves upto, in one transaction of its
 * own (the connection must have none open). *added (may be NULL) gets the number of rows.
 * PostgreSQL: does nothing (*added = 0). Returns DD_OK or the database's error, with nothing
 * changed. */
int dd_access_log_index(struct dd_db *db, int64_t before_day, int64_t *added);

#endif
