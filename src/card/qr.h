/*
 * qr.h — the QR code printed on the Vietnamese chip ID card (CCCD, Circular 06/2021/TT-BCA;
 * its content named in Circular 59/2021/TT-BCA Art. 12): seven fields separated by '|' — the
 * 12-digit personal ID number, the old 9-digit ID number (empty when there was none), the full
 * name, the date of birth (DDMMYYYY), the sex ("Nam" or "Nữ"), the place of permanent residence,
 * and the card's issue date (DDMMYYYY).
 *
 * Accepted variants, and nothing else: the old ID number empty; "Nữ" written precomposed (NFC)
 * or decomposed (NFD), and either word in capitals ("NAM", "NỮ"); line breaks and spaces that
 * scanners add after the text. Any other number of fields is refused with the count found.
 */
#ifndef DD_CARD_QR_H
#define DD_CARD_QR_H

#include <stdbool.h>
#include <stddef.h>

#define DD_CARD_QR_MAX 1024 /* bytes of text: the card's QR holds far less */

struct dd_card_qr {
    char id_number[13];
    char old_id_number[10]; /* "" when the field is empty */
    char full_name[256];    /* as written (valid UTF-8) */
    char birth_date[11];    /* YYYY-MM-DD */
    char sex[7];            /* "male" or "female" */
    char address[512];
    char issue_date[11]; /* YYYY-MM-DD */
    int nfields;
    bool valid;
    const char *field; /* the field that failed ("id_number", …), NULL when valid */
    char error[200];   /* why, naming the field; "" when valid */
};

/* Parses and checks the QR text p[0..n): the layout, each field's form, real dates, the issue
 * date not before birth nor after `today` (YYYY-MM-DD, NULL for the current UTC date), and the ID
 * number's century/sex digit and year digits against the sex and date of birth. Returns DD_OK
 * when valid, DD_EINVAL with out->field and out->error set otherwise. */
int dd_card_qr_parse(const char *p, size_t n, const char *today, struct dd_card_qr *out);

#endif
