/*
 * fuzz_vietqr.c — libFuzzer target for VietQR payloads: any bytes give DD_OK or DD_EINVAL with a
 * reason; an accepted payload has the CRC its content gives, a 6-digit BIN, and builds again
 * (from its BIN, account, card flag, amount, purpose, reference and bill number) into a payload
 * that parses to the same fields.
 */
#include "base/err.h"
#include "core/pay/vietqr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dd_vietqr q;
    int rc = dd_vietqr_parse((const char *)data, size, &q);
    if (rc != DD_OK) {
        if (rc != DD_EINVAL || q.error[0] == '\0')
            abort();
        return 0;
    }
    char crc[5];
    snprintf(crc, sizeof crc, "%04X", dd_vietqr_crc16(data, size - 4));
    if (strlen(q.bin) != 6 || strncasecmp(crc, q.crc, 4) != 0)
        abort();
    struct dd_vietqr_build b = {
        .bin = q.bin,
        .account = q.account,
        .card = strcmp(q.service, "QRIBFTTC") == 0,
        .amount = q.amount[0] ? strtoll(q.amount, NULL, 10) : 0,
        .purpose = q.purpose,
        .reference = q.reference,
        .bill_number = q.bill_number,
    };
    char out[DD_VIETQR_MAX + 1], err[200];
    if (dd_vietqr_build(&b, out, sizeof out, err, sizeof err) != DD_OK)
        return 0; /* read leniently (long or non-ASCII text), not ours to write */
    struct dd_vietqr again;
    if (dd_vietqr_parse(out, strlen(out), &again) != DD_OK || strcmp(again.bin, q.bin) != 0 ||
        strcmp(again.account, q.account) != 0 || strcmp(again.amount, q.amount) != 0 ||
        strcmp(again.purpose, q.purpose) != 0 || strcmp(again.reference, q.reference) != 0)
        abort();
    return 0;
}
