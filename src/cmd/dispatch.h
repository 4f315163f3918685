/*
 * dispatch.h — the thread that delivers domain events to their consumers.
 *
 * Each module with an on_event function is a consumer named after the module; the audit log is
 * one more consumer ("audit") that records every event. The thread polls the outbox, delivers
 * in order with each consumer's stored cursor, and sleeps briefly when there is nothing new.
 */
#ifndef DD_CMD_DISPATCH_H
#define DD_CMD_DISPATCH_H

#include "http/route.h"

#include <stddef.h>

struct dd_dispatcher;

/* Starts delivering to the consumers among `modules`, plus the audit consumer. */
struct dd_dispatcher *dd_dispatcher_start(const struct dd_module *const *modules, size_t n);

/* Finishes the delivery in progress and joins the thread. */
void dd_dispatcher_stop(struct dd_dispatcher *d);

#endif
