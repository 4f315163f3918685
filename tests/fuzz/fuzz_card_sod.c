/*
 * fuzz_card_sod.c — libFuzzer target for EF.SOD and the LDS security object (OpenSSL's CMS
 * parser and the TLV walk of the security object): any bytes give a complete report, with
 * the SOD check failing exactly when the result is DD_EINVAL; nothing passes without a CSCA.
 */
#include "base/err.h"
#include "card/json.h"
#include "card/pa.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char dg1[] = {0x61, 0x03, 0x5F, 0x1F, 0x00};
    struct dd_pa_dg dg = {1, dg1, sizeof dg1};
    struct dd_pa_report r;
    int rc = dd_pa_verify(data, size, &dg, 1, NULL, 1700000000, &r);
    if (rc == DD_OK || r.ok || (rc == DD_EINVAL) != (r.sod.result == DD_PA_FAIL) ||
        r.chain.result == DD_PA_PASS || r.ndgs > DD_PA_MAX_DG)
        abort();
    json_decref(dd_pa_report_json(&r));
    return 0;
}
