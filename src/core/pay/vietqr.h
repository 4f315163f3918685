/*
 * vietqr.h — VietQR payloads: the NAPAS profile of the EMVCo merchant-presented QR code.
 *
 * A payload is a chain of TLV fields, each a two-digit tag, a two-digit length and that many
 * characters. VietQR uses tag 00 (format "01"), 01 (initiation: "11" static, "12" dynamic),
 * 38 (the beneficiary: 00 GUID A000000727, 01 {00 bank BIN, 01 account or card number},
 * 02 service QRIBFTTA to an account or QRIBFTTC to a card), 52 (merchant category), 53 (currency
 * "704"), 54 (amount), 58 (country "VN"), 59/60 (merchant name and city), 62 (additional data:
 * 01 bill number, 02 mobile, 03 store, 04 loyalty, 05 reference, 06 customer, 07 terminal,
 * 08 purpose) and 63 (CRC-16/CCITT-FALSE, four upper-case hex digits, over every character up to
 * and including "6304"). Pure functions: no allocation, no state.
 */
#ifndef DD_CORE_PAY_VIETQR_H
#define DD_CORE_PAY_VIETQR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DD_VIETQR_MAX     512 /* characters of a payload we build or accept */
#define DD_VIETQR_GUID    "A000000727"
#define DD_VIETQR_TEXTMAX 100 /* a field's value: at most 99 characters, plus NUL */

/* What a payload says. Absent text fields are "". */
struct dd_vietqr {
    char version[3];    /* tag 00: "01" */
    char initiation[3]; /* tag 01: "11" static or "12" dynamic */
    char guid[DD_VIETQR_TEXTMAX];
    char bin[DD_VIETQR_TEXTMAX];     /* 38/01/00: the bank's 6-digit BIN */
    char account[DD_VIETQR_TEXTMAX]; /* 38/01/01: account or card number */
    char service[DD_VIETQR_TEXTMAX]; /* 38/02: QRIBFTTA (account) or QRIBFTTC (card) */
    char mcc[DD_VIETQR_TEXTMAX];     /* 52 */
    char currency[DD_VIETQR_TEXTMAX];
    char amount[DD_VIETQR_TEXTMAX]; /* 54, as written: "150000" */
    char country[DD_VIETQR_TEXTMAX];
    char merchant_name[DD_VIETQR_TEXTMAX];
    char merchant_city[DD_VIETQR_TEXTMAX];
    char bill_number[DD_VIETQR_TEXTMAX]; /* 62/01 */
    char mobile[DD_VIETQR_TEXTMAX];      /* 62/02 */
    char store[DD_VIETQR_TEXTMAX];       /* 62/03 */
    char loyalty[DD_VIETQR_TEXTMAX];     /* 62/04 */
    char reference[DD_VIETQR_TEXTMAX];   /* 62/05 */
    char customer[DD_VIETQR_TEXTMAX];    /* 62/06 */
    char terminal[DD_VIETQR_TEXTMAX];    /* 62/07 */
    char purpose[DD_VIETQR_TEXTMAX];     /* 62/08 */
    char crc[5];                         /* 63, as written */
    char error[160];                     /* why the payload is not valid; "" when it is */
};

/* What to build. NULL or "" leaves an optional field out. */
struct dd_vietqr_build {
    const char *bin;         /* 6 digits */
    const char *account;     /* 1–19 letters or digits */
    bool card;               /* a card number (QRIBFTTC) instead of an account (QRIBFTTA) */
    int64_t amount;          /* VND; 0: none, and the payload is static (11), else dynamic (12) */
    const char *purpose;     /* 62/08 */
    const char *reference;   /* 62/05 */
    const char *bill_number; /* 62/01 */
    const char *merchant_name;
    const char *merchant_city;
};

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR) of n bytes. */
uint16_t dd_vietqr_crc16(const void *p, size_t n);

/* Writes the payload for b into out (cap bytes with the NUL). DD_EINVAL with a sentence in err
 * when a field is not valid (bad BIN, account, amount, or text that is not printable ASCII or
 * too long); DD_ETOOBIG when out is too small. */
int dd_vietqr_build(const struct dd_vietqr_build *b, char *out, size_t cap, char *err,
                    size_t errlen);

/* Parses and validates a payload of n characters into *q: the TLV chain and the nesting of 38
 * and 62, each length, the CRC, and VietQR's required fields and values. DD_OK when valid;
 * DD_EINVAL otherwise, with q->error saying why (and the fields read so far in *q). */
int dd_vietqr_parse(const char *payload, size_t n, struct dd_vietqr *q);

#endif
