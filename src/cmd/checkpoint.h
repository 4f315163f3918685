/*
 * checkpoint.h — the thread that copies SQLite's write-ahead log into the database file.
 *
 * serve opens its connections with manual checkpoints (store.h, dd_db_options): a commit only
 * appends to the log. Left to SQLite, the commit that fills the log past 1000 pages copies it
 * into the database and flushes both, while its writer still holds the turn to write; every
 * writer queued behind it (the group commit of check-ins and token rotations, the event
 * dispatcher) waits as long. This thread does that work instead, every CHECKPOINT_MS, with a
 * passive checkpoint that neither waits for nor blocks writers. serve starts it for SQLite only.
 */
#ifndef DD_CMD_CHECKPOINT_H
#define DD_CMD_CHECKPOINT_H

struct dd_checkpointer;

/* Starts the thread (on the pool's database, dd_db_pool_init done). NULL if it cannot start
 * (logged): the log then only grows until the next start, which checkpoints as it opens. */
struct dd_checkpointer *dd_checkpointer_start(void);

/* Runs a last checkpoint and joins the thread; NULL is allowed. */
void dd_checkpointer_stop(struct dd_checkpointer *c);

#endif
