/*
 * vietqr_json.h — a parsed VietQR payload as a JSON object.
 */
#ifndef DD_CORE_PAY_VIETQR_JSON_H
#define DD_CORE_PAY_VIETQR_JSON_H

#include <jansson.h>
#include <stdbool.h>

struct dd_vietqr;

/* A new object: "valid", "error" when not valid, then each field present ("bin", "account",
 * "amount" as a number when valid, "purpose", "reference", "crc", …) and "type" static/dynamic. */
json_t *dd_vietqr_json(const struct dd_vietqr *q, bool valid);

#endif
