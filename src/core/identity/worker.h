/*
 * worker.h — between the identity worker (worker.c) and the notice queue (notices.c).
 */
#ifndef DD_CORE_IDENTITY_WORKER_H
#define DD_CORE_IDENTITY_WORKER_H

#include <stdbool.h>
#include <stdint.h>

/* The queue takes notices from now on. */
void id_notices_open(void);

/* Waits up to `ms` for a notice (or a stop); false once the worker is asked to stop. */
bool id_notices_wait(int64_t ms);

/* Sends every queued notice. */
void id_notices_send_queued(void);

/* The queue takes no more notices (they are sent at once), and the waiting worker wakes. */
void id_notices_close(void);

#endif
