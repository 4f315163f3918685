/*
 * history.h — where a unit came from and where it went, from the conversion table, as JSON for
 * the API. Internal to core/units/.
 */
#ifndef DD_CORE_UNITS_HISTORY_H
#define DD_CORE_UNITS_HISTORY_H

#include "core/units/units.h"

#include <jansson.h>

/* Sets "predecessors" (the units `u` was formed from, when it began with a conversion) and
 * "successors" (the units it went into, when it ended with one) on the object `into`, each a
 * list, empty when there is nothing to tell.
 *   commune: predecessors {province_code, province_name, district_code, district_name,
 *            commune_code, commune_name, note, whole}; successors {province_code, province_name,
 *            commune_code, commune_name, note, whole};
 *   province: {province_code, province_name} both ways;
 *   district: successors {province_code, province_name, commune_code, commune_name}.
 * Returns DD_OK or a database error. */
int dd_units_history_json(struct dd_db *db, const struct dd_unit *u, json_t *into);

#endif
