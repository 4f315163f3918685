/*
 * group_commit.h — writes that many requests make at once, committed together.
 *
 * Each commit waits for the disk (SQLite synchronous=FULL, PostgreSQL's WAL flush). A request
 * that must not answer before its write is durable (a refresh-token rotation, a guest's
 * check-in) hands the write to the group-commit thread instead of committing on its own: its
 * request is parked (http/req.h, dd_req_park) and its thread serves other connections; the
 * group thread takes every write waiting, runs each in a savepoint of one transaction on its own
 * connection and commits once without waiting for the disk; a second thread then waits for the
 * disk once for every group committed meanwhile (store.h, dd_db_wait_durable) and unparks each
 * request, whose answer then runs on its own thread with the write's result. The next group is
 * written while the last one is flushed; no request is answered before its write is durable. A
 * write that fails rolls back alone (its savepoint); a commit that fails fails every write of its
 * group, and nothing of the group is stored. Whatever arrives during a commit goes into the next
 * one.
 *
 * Without the thread (commands, unit tests), or for a caller inside a transaction of its own,
 * the write runs at once on the caller's connection (in a transaction of its own unless the
 * caller has one) and the answer is called directly.
 *
 *     static int write(struct dd_db *db, void *arg) { …SQL…; return DD_OK; }
 *     static int answer(struct dd_req *req, void *arg, int rc) { …reply…; }
 *     return dd_group_commit(req, db, write, answer, state);
 */
#ifndef DD_CORE_GROUP_COMMIT_H
#define DD_CORE_GROUP_COMMIT_H

struct dd_db;
struct dd_req;

/* The write: runs inside the group's transaction (never commits or rolls back itself); returns
 * DD_OK or a DD_E… code (which rolls back this write only). It runs on the group thread while
 * the request is parked: it may use `arg` and the request's arena, never the connection of the
 * request's thread or the request's reply. */
typedef int (*dd_group_write_fn)(struct dd_db *db, void *arg);

/* The answer, on the request's own thread: rc is the write's result, or the commit's failure.
 * Replies, or returns a DD_E… code answered as a handler's would be. */
typedef int (*dd_group_answer_fn)(struct dd_req *req, void *arg, int rc);

/* Commits `write` with the writes of other requests arriving at once, then answers. Returns
 * DD_DONE when the request was parked (return that from the handler), else what the answer
 * returned. `arg` must live as long as the request (allocate it in the request's arena). */
int dd_group_commit(struct dd_req *req, struct dd_db *db, dd_group_write_fn write,
                    dd_group_answer_fn answer, void *arg);

/* Starts the group-commit threads (serve, after the server has started) and stops them (after
 * the server has stopped: every parked request has been answered by then). */
void dd_group_commit_start(void);
void dd_group_commit_stop(void);

#endif
