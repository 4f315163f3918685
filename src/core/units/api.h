/*
 * api.h — the `units` module: Vietnam's administrative units over HTTP, public reference data
 * that anyone may read (GET /api/v1/units, GET /api/v1/units/{code}).
 */
#ifndef DD_CORE_UNITS_API_H
#define DD_CORE_UNITS_API_H

#include "http/route.h"

extern const struct dd_module dd_module_units;

#endif
