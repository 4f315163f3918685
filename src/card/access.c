/*
 * access.c — PACE, else BAC, then SELECT of the application.
 */
#include "card/access.h"
#include "base/err.h"
#include "card/pace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
dd_emrtd_open(struct dd_emrtd *e, const char *mrz_info, const char *can,
              struct dd_emrtd_access *out)
{
    memset(out, 0, sizeof *out);
    unsigned char *ca = NULL;
    size_t ca_len = 0;
    int rc = dd_emrtd_read_card_access(e, &ca, &ca_len);
    if (rc == DD_EUNAVAIL)
        return rc;
    if (rc == DD_OK) {
        out->pace_offered = true;
        out->pace_tried = true;
        rc = dd_emrtd_pace(e, ca, ca_len, can ? DD_PACE_CAN : DD_PACE_MRZ, can ? can : mrz_info);
        out->pace_rc = rc;
        snprintf(out->pace_detail, sizeof out->pace_detail, "%s",
                 rc == DD_OK ? "PACE succeeded" : e->error);
        free(ca);
        if (rc == DD_EUNAVAIL)
            return rc;
        if (rc == DD_OK)
            return dd_emrtd_select_application(e);
        if (!mrz_info)
            return rc;
        out->fell_back = true;
    } else if (!mrz_info) {
        snprintf(e->error, sizeof e->error,
                 "the chip does not offer PACE (no EF.CardAccess), and BAC needs the MRZ");
        return DD_EINVAL;
    }
    e->sm_on = false;
    rc = dd_emrtd_select_application(e);
    if (rc != DD_OK)
        return rc;
    return dd_emrtd_bac(e, mrz_info);
}
