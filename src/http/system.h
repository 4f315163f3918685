/* system.h — the module of the platform's own endpoints (/healthz, /readyz, /metrics, …). */
#ifndef DD_HTTP_SYSTEM_H
#define DD_HTTP_SYSTEM_H

#include "http/route.h"

extern const struct dd_module dd_module_system;

#endif
