/*
 * access_log.h — who read or changed a person's data, for that person to see.
 *
 * Every read or change of a person's data by someone other than the person is written here, in
 * the same transaction as a change, with who (officer, role, agency), when, which data and for
 * what purpose (Decree 13/2023/NĐ-CP). The identity module shows it to the citizen.
 */
#ifndef DD_CORE_ACCESS_LOG_H
#define DD_CORE_ACCESS_LOG_H

struct dd_db;
struct dd_req;

/* Records one access by the request's caller (req->who) to person `id_number`. `action` is
 * "read", "search", "change" or "export"; `data` names what was seen ("person", "history",
 * "household"); `purpose` is the caller's stated purpose (X-Purpose). */
int dd_access_log_write(struct dd_db *db, const struct dd_req *req, const char *id_number,
                        const char *action, const char *data, const char *purpose);

#endif
