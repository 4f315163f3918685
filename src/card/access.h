/*
 * access.h — opening a session with an eMRTD chip the way ICAO 9303 Part 11 §4.2 orders it:
 * PACE first when the chip's EF.CardAccess offers it (with the MRZ or the CAN), BAC with the
 * MRZ when the chip has no PACE or PACE failed, then SELECT of the eMRTD application under
 * the secure messaging that was set up.
 */
#ifndef DD_CARD_ACCESS_H
#define DD_CARD_ACCESS_H

#include "card/emrtd.h"

#include <stdbool.h>

struct dd_emrtd_access {
    bool pace_offered; /* EF.CardAccess holds a PACEInfo */
    bool pace_tried;
    int pace_rc; /* DD_OK when PACE succeeded */
    char pace_detail[256];
    bool fell_back; /* PACE failed and BAC was used */
};

/* mrz_info (dd_mrz_bac_info) or can (digits) or both; one at least. Returns DD_OK with e->access
 * "PACE" or "BAC" and the application selected; DD_EDENIED when the chip refused every password
 * (e->error says why); DD_EINVAL when only a CAN is given and the chip has no PACE; DD_EUNAVAIL
 * when the card is lost; DD_ENOTFOUND when the chip has no eMRTD application. */
int dd_emrtd_open(struct dd_emrtd *e, const char *mrz_info, const char *can,
                  struct dd_emrtd_access *out);

#endif
