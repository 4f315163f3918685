/*
 * services.h — online public services (models 1, 2, 3): the procedure catalogue (data files in
 * data/procedures/, built into the binary), citizens' dossiers and officers' work on them, legal
 * deadlines in working days, approval effects on the register and results into the wallet,
 * fees through the payments core, inter-agency bundles, ratings and statistics.
 * docs/SERVICES.md is the guide.
 */
#ifndef DD_CORE_SERVICES_SERVICES_H
#define DD_CORE_SERVICES_SERVICES_H

#include "http/route.h"

#include <stdbool.h>
#include <stdint.h>

extern const struct dd_module dd_module_services;

struct dd_config;
/* Takes the upload settings from cfg: upload-max-bytes, and DATA_DIR/uploads for the files.
 * Call once at start, before serving. */
void dd_services_configure(const struct dd_config *cfg);

/* Whether the year of now_ms in Vietnam is past the last year of data/holidays-vn.csv; logs a
 * warning (services.calendar) when it is. The server calls it at start. */
bool dd_services_calendar_check(int64_t now_ms);

#endif
