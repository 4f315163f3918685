/*
 * text.h — checking imported text cheaply: UTF-8 validity and whether NFC normalisation can
 * change it, in one pass and without utf8proc for the usual Vietnamese text.
 */
#ifndef DD_CORE_PEOPLE_CSV_TEXT_H
#define DD_CORE_PEOPLE_CSV_TEXT_H

#include <stdbool.h>
#include <stddef.h>

enum dd_pl_text {
    DD_PL_TEXT_NFC,       /* valid UTF-8 that NFC leaves as it is */
    DD_PL_TEXT_NORMALISE, /* valid UTF-8 that may need NFC */
    DD_PL_TEXT_INVALID,   /* not UTF-8 */
};

/* Classifies s[0..n). Text made only of ASCII and of the code points in the ranges below (the
 * Latin letters with their precomposed diacritics — all of Vietnamese — and common
 * punctuation) is NFC already: each of those code points is its own NFC form and none combines
 * with its neighbour. Anything else is given to NFC to decide. */
enum dd_pl_text dd_pl_text_classify(const char *s, size_t n);

/* The ranges of code points treated as NFC-stable, for the tests: pairs {first, last}, ending
 * with {0, 0}. */
extern const unsigned dd_pl_text_stable_ranges[][2];

#endif
