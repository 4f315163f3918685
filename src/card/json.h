/*
 * json.h — the card library's results as JSON (jansson), the same for the command line and the
 * HTTP API: an MRZ with its checks, the QR fields, the passive-authentication report.
 */
#ifndef DD_CARD_JSON_H
#define DD_CARD_JSON_H

#include "card/mrz.h"
#include "card/pa.h"
#include "card/qr.h"

#include <jansson.h>

/* {"valid", "error"?, "format", fields…, "checks": [{"field","ok","found","expected","reason"}],
 * "vietnamese", "id_number"?, "bac_key_info"?}. A new reference; never NULL. */
json_t *dd_card_mrz_json(const struct dd_mrz *m);

/* {"valid", "error"?, "field"?, "id_number", "old_id_number", "full_name", "birth_date", "sex",
 * "address", "issue_date"} (fields only when valid). A new reference. */
json_t *dd_card_qr_json(const struct dd_card_qr *q);

/* {"ok", "checked_at", "checks": {"sod","hashes","signature","chain","dates": {"result",
 * "detail"}}, "hash_algorithm", "signature_algorithm", "data_groups": [{"dg","status",
 * "expected","actual"}], "document_signer", "csca", "crl_checked"}. A new reference. */
json_t *dd_pa_report_json(const struct dd_pa_report *r);

#endif
