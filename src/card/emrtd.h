/*
 * emrtd.h — talking to an eMRTD chip (ICAO 9303 Part 10 and 11) through an apdu.h transport:
 * SELECT the eMRTD application, Basic Access Control from the MRZ information, then secure
 * messaging on every command, SELECT and READ BINARY of the elementary files (short and
 * extended length; the odd-INS READ BINARY past offset 32767). dd_emrtd_read_all reads the
 * files a reader reads (EF.COM, EF.SOD and the data groups EF.COM lists but DG3/DG4, which need
 * terminal authentication). Errors name the step and the status word; a wrong MRZ is DD_EDENIED
 * ("BAC refused"), a lost card DD_EUNAVAIL.
 */
#ifndef DD_CARD_EMRTD_H
#define DD_CARD_EMRTD_H

#include "card/apdu.h"
#include "card/sm.h"

#include <stdbool.h>
#include <stddef.h>

#define DD_EMRTD_MAX_FILE (512 * 1024) /* the largest file read (a DG2 with a big image) */

struct dd_emrtd {
    struct dd_apdu_transport *t;
    struct dd_sm sm;
    bool sm_on;
    bool extended;       /* use extended-length READ BINARY (the transport and card allow it) */
    char access[8];      /* "BAC" once access control succeeded */
    char error[256];     /* the last failure as a sentence */
    unsigned long apdus; /* commands sent */
};

/* Starts a session over t (nothing is sent). `extended` asks for extended-length reads; they are
 * used only when the transport takes responses over 256 bytes. */
void dd_emrtd_init(struct dd_emrtd *e, struct dd_apdu_transport *t, bool extended);

/* Sends apdu[0..n): protected with secure messaging once BAC succeeded. resp gets the (plain)
 * response data and *sw the status word. Returns DD_OK whatever the status word; DD_EUNAVAIL when
 * the transport failed; DD_EDENIED when a protected response's MAC is wrong. */
int dd_emrtd_transmit(struct dd_emrtd *e, const unsigned char *apdu, size_t n, unsigned char *resp,
                      size_t cap, size_t *resp_len, unsigned *sw);

/* SELECT the eMRTD application (AID A0 00 00 02 47 10 01). DD_ENOTFOUND if the chip has none. */
int dd_emrtd_select_application(struct dd_emrtd *e);

/* Basic Access Control with the MRZ information (document number, check digit, birth date,
 * check digit, expiry date, check digit: dd_mrz_bac_info). On success secure messaging is on.
 * Returns DD_OK; DD_EDENIED when the chip refuses (a wrong MRZ: status 6300 / 6982 to EXTERNAL
 * AUTHENTICATE) or its answer does not check out; DD_EUNAVAIL when the card is lost. */
int dd_emrtd_bac(struct dd_emrtd *e, const char *mrz_info);

/* Selects EF `fid` (0x011E EF.COM, 0x011D EF.SOD, 0x0101 + n - 1 DGn) and reads it whole into
 * a new buffer (free with free()). Returns DD_OK; DD_ENOTFOUND when the chip has no such file;
 * DD_EDENIED when access is refused (6982: e.g. DG3 without terminal authentication);
 * DD_EINVAL for a file that is not one TLV object; DD_ETOOBIG over DD_EMRTD_MAX_FILE;
 * DD_EUNAVAIL when the card is lost. */
int dd_emrtd_read_file(struct dd_emrtd *e, unsigned fid, unsigned char **data, size_t *len);

/* The file identifier of DGn (1..16); EF.COM and EF.SOD below. */
unsigned dd_emrtd_dg_fid(int n);
#define DD_EMRTD_FID_COM 0x011E
#define DD_EMRTD_FID_SOD 0x011D

/* The data-group numbers EF.COM lists (its tag list 0x5C), in order. Returns the count, or
 * DD_EINVAL for a malformed EF.COM. */
int dd_emrtd_com_dgs(const unsigned char *com, size_t n, int *dgs, int max);

/* What dd_emrtd_read_all got. */
struct dd_emrtd_files {
    unsigned char *com, *sod;
    size_t com_len, sod_len;
    unsigned char *dg[17]; /* dg[1..16]; NULL when not read */
    size_t dg_len[17];
    char skipped[17][80]; /* why a listed data group was not read ("" when read or unlisted) */
};

/* Reads EF.COM, EF.SOD and every data group EF.COM lists except DG3 and DG4 (a listed one the
 * chip refuses or lacks is noted in skipped[]). Needs a session after BAC. Returns DD_OK, or the
 * first error that stopped the reading (EF.COM or EF.SOD unreadable, card lost), with e->error
 * set; files read before an error stay in *out. */
int dd_emrtd_read_all(struct dd_emrtd *e, struct dd_emrtd_files *out);

void dd_emrtd_files_free(struct dd_emrtd_files *f);

#endif
