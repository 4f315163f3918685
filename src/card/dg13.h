/*
 * dg13.h — DG13 of the Vietnamese chip ID card: the holder's personal data in Vietnamese. DG13
 * is optional in ICAO 9303 (its content is the issuer's); on this card it holds SEQUENCEs of
 * (INTEGER field number, UTF8String value or values). The meaning of each number is not in a
 * published standard: it is what publicly documented readers of the card show (docs/CARD.md
 * says which numbers are certain and which are not). Unknown numbers are kept, not dropped.
 */
#ifndef DD_CARD_DG13_H
#define DD_CARD_DG13_H

#include <stddef.h>

#define DD_DG13_MAX_TEXT  512
#define DD_DG13_MAX_OTHER 8

struct dd_dg13 {
    char id_number[16];
    char full_name[DD_DG13_MAX_TEXT];
    char birth_date[48]; /* as written: DD/MM/YYYY */
    char birth_iso[11];  /* YYYY-MM-DD, "" when the date is not a whole DD/MM/YYYY */
    char sex[16];        /* "Nam" / "Nữ" */
    char nationality[64];
    char ethnicity[64];
    char religion[64];
    char hometown[DD_DG13_MAX_TEXT];  /* quê quán */
    char residence[DD_DG13_MAX_TEXT]; /* nơi thường trú */
    char identifying_marks[DD_DG13_MAX_TEXT];
    char issue_date[48], issue_iso[11];
    char expiry_date[48], expiry_iso[11]; /* may be "Không thời hạn" (no expiry) */
    char father_name[DD_DG13_MAX_TEXT];
    char mother_name[DD_DG13_MAX_TEXT];
    char spouse_name[DD_DG13_MAX_TEXT];
    char old_id_number[16];
    /* Numbers without a documented meaning: the number and the first value. */
    struct {
        int number;
        char value[128];
    } other[DD_DG13_MAX_OTHER];
    int nother;
    int nfields; /* numbered entries read */
};

/* Parses DG13 dg[0..n) (with its 0x6D tag). Every SEQUENCE found whose first element is an
 * INTEGER (1..99) followed by strings (UTF8String, PrintableString, IA5String, or a SEQUENCE of
 * them) is an entry, wherever it sits under the outer tag. Values too long for their field are
 * cut at a character boundary. Returns DD_OK; DD_EINVAL when the bytes are not well-formed TLV
 * or hold no entry. */
int dd_dg13_parse(const unsigned char *dg, size_t n, struct dd_dg13 *out);

#endif
