/*
 * chip_json.h — JSON of what a chip read gives beyond the MRZ and the passive-authentication
 * report (json.h): DG13's Vietnamese fields, the DG2 face image's description, the result of
 * active authentication. Shared by `dinhdanh card read` and anything that reports a chip.
 */
#ifndef DD_CARD_CHIP_JSON_H
#define DD_CARD_CHIP_JSON_H

#include "card/aa.h"
#include "card/dg13.h"
#include "card/dg2.h"

#include <jansson.h>

/* {"id_number", "full_name", "birth_date" (YYYY-MM-DD when whole, else as written), "sex",
 * "nationality", "ethnicity", "religion", "hometown", "residence", "identifying_marks",
 * "issue_date", "expiry_date", "father_name", "mother_name", "spouse_name", "old_id_number",
 * "other": [{"number", "value"}]}; absent fields are null. A new reference. */
json_t *dd_dg13_json(const struct dd_dg13 *d);

/* {"format", "mime", "width", "height", "bytes", "faces"}. A new reference. */
json_t *dd_dg2_face_json(const struct dd_dg2_face *f);

/* {"result", "algorithm"?, "detail"}. A new reference. */
json_t *dd_aa_json(const struct dd_aa_result *r);

#endif
