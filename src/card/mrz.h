/*
 * mrz.h — the machine-readable zone of ICAO 9303 documents: TD1 (ID cards, 3 lines of 30
 * characters, Part 5) and TD3 (passports, 2 lines of 44, Part 4), with every check digit and the
 * composite, and the conventions of the Vietnamese chip ID card (CCCD / căn cước): document
 * number = the last 9 digits of the 12-digit personal ID number, the full number at the start of
 * the optional data, and the ID number's century/sex and year digits agreeing with the MRZ.
 * The same parse gives the MRZ information that BAC keys are derived from (Part 11 §9.7.1).
 */
#ifndef DD_CARD_MRZ_H
#define DD_CARD_MRZ_H

#include <stdbool.h>
#include <stddef.h>

enum dd_mrz_format { DD_MRZ_UNKNOWN = 0, DD_MRZ_TD1, DD_MRZ_TD3 };

/* One verified check: the check digit found in the MRZ and the one computed (for the VN rules
 * `found`/`expected` are 0 and `reason` says what was compared). */
struct dd_mrz_check {
    const char *field; /* "document_number", "birth_date", "expiry_date", "optional_data",
                          "personal_number", "composite", "vn_id_number", "vn_id_birth" */
    char found;
    char expected;
    bool ok;
    char reason[120];
};

#define DD_MRZ_MAX_CHECKS 8
#define DD_MRZ_MAX_TEXT   256

struct dd_mrz {
    enum dd_mrz_format format;
    char document_code[3];
    char issuing_state[4];
    char document_number[32]; /* fillers removed; long TD1 numbers joined */
    char document_number_cd;
    char birth_date[7];  /* YYMMDD as written */
    char birth_iso[11];  /* YYYY-MM-DD (century from the VN ID number, else the newest past date) */
    char sex;            /* 'M', 'F' or '<' */
    char expiry_date[7]; /* YYMMDD */
    char expiry_iso[11]; /* 20YY-MM-DD */
    char nationality[4];
    char optional1[16]; /* TD1 line 1 optional data, TD3 personal number; trailing '<' removed */
    char optional2[16]; /* TD1 line 2 optional data */
    char surname[45];   /* '<' between words turned into spaces */
    char given_names[45];
    char id_number[13]; /* Vietnamese card: the 12-digit personal ID number, else "" */
    bool vietnamese;    /* issuing state VNM and an ID card (TD1, code I…) */
    struct dd_mrz_check checks[DD_MRZ_MAX_CHECKS];
    int nchecks;
    bool valid;
    char error[200]; /* the first reason the MRZ is not valid, naming the field; "" when valid */
};

/* The ICAO 9303 check digit (weights 7, 3, 1; 0–9, A–Z = 10–35, '<' = 0) of s[0..n), as '0'..'9',
 * or 0 if s holds another character. */
char dd_mrz_check_digit(const char *s, size_t n);

/* Parses an MRZ given as its lines separated by line breaks (CR, LF or both; trailing breaks and
 * spaces ignored) or as one run of 90 (TD1) or 88 (TD3) characters. Fills *out with every field
 * it could read and every check it made. Returns DD_OK when the MRZ is valid; DD_EINVAL with
 * out->error saying why otherwise: the length or the characters, a field that is not a date, a
 * wrong check digit ("document_number: check digit is 5, expected 3"), or a broken Vietnamese
 * rule. */
int dd_mrz_parse(const char *text, size_t len, struct dd_mrz *out);

/* The MRZ information for BAC: document number (at least 9 characters, '<'-filled) + its check
 * digit + birth date + check digit + expiry date + check digit. Returns its length, or 0 when
 * cap is too small. */
size_t dd_mrz_bac_info(const struct dd_mrz *m, char *out, size_t cap);

#endif
