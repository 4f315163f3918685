/*
 * pcsc.c — the PC/SC transport over pcsc-lite's winscard API. The card is waited for with
 * SCardGetStatusChange and a timeout; transmit errors are translated into one sentence each.
 */
#include "card/pcsc.h"
#include "base/err.h"

#include <PCSC/reader.h>
#include <PCSC/winscard.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dd_pcsc {
    SCARDCONTEXT ctx;
    SCARDHANDLE card;
    DWORD protocol;
    unsigned char atr[MAX_ATR_SIZE];
    size_t atr_len;
    char reader[DD_PCSC_NAME];
    char error[160];
};

/* pcsc-lite's result codes as sentences. */
static const char *
pcsc_reason(LONG rv)
{
    switch (rv) {
    case SCARD_W_REMOVED_CARD:
    case SCARD_E_NO_SMARTCARD:
        return "the card was removed";
    case SCARD_W_RESET_CARD:
        return "the card was reset by another program";
    case SCARD_W_UNPOWERED_CARD:
    case SCARD_W_UNRESPONSIVE_CARD:
        return "the card does not answer";
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_UNKNOWN_READER:
        return "the reader is no longer available";
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
        return "pcscd is not running";
    case SCARD_E_NO_READERS_AVAILABLE:
        return "no smart-card reader is connected";
    case SCARD_E_TIMEOUT:
        return "timed out";
    case SCARD_E_NOT_TRANSACTED:
    case SCARD_F_COMM_ERROR:
        return "the reader failed to exchange the command with the card";
    case SCARD_E_SHARING_VIOLATION:
        return "another program holds the card";
    case SCARD_E_PROTO_MISMATCH:
        return "the card speaks neither T=0 nor T=1";
    default:
        return NULL;
    }
}

static void
set_err(char *err, size_t errlen, const char *what, LONG rv)
{
    const char *r = pcsc_reason(rv);
    if (r)
        snprintf(err, errlen, "%s: %s", what, r);
    else
        snprintf(err, errlen, "%s: %s (0x%08lX)", what, pcsc_stringify_error(rv),
                 (unsigned long)rv);
}

/* The readers as a multi-string, in buf. */
static LONG
reader_names(SCARDCONTEXT ctx, char *buf, DWORD *len)
{
    return SCardListReaders(ctx, NULL, buf, len);
}

int
dd_pcsc_list(struct dd_pcsc_readers *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS) {
        set_err(err, errlen, "PC/SC", rv);
        return DD_EUNAVAIL;
    }
    char names[DD_PCSC_MAX_READERS * DD_PCSC_NAME];
    DWORD len = sizeof names;
    rv = reader_names(ctx, names, &len);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) {
        SCardReleaseContext(ctx);
        return DD_OK;
    }
    if (rv != SCARD_S_SUCCESS) {
        set_err(err, errlen, "listing the readers", rv);
        SCardReleaseContext(ctx);
        return DD_EUNAVAIL;
    }
    SCARD_READERSTATE st[DD_PCSC_MAX_READERS];
    memset(st, 0, sizeof st);
    for (const char *p = names; *p && out->count < DD_PCSC_MAX_READERS; p += strlen(p) + 1) {
        size_t l = strnlen(p, DD_PCSC_NAME - 1);
        memcpy(out->name[out->count], p, l);
        out->name[out->count][l] = '\0';
        st[out->count].szReader = out->name[out->count];
        st[out->count].dwCurrentState = SCARD_STATE_UNAWARE;
        out->count++;
    }
    if (out->count > 0 && SCardGetStatusChange(ctx, 0, st, (DWORD)out->count) == SCARD_S_SUCCESS)
        for (int i = 0; i < out->count; i++)
            out->card_present[i] = (st[i].dwEventState & SCARD_STATE_PRESENT) != 0;
    SCardReleaseContext(ctx);
    return DD_OK;
}

static int
pcsc_transmit(void *vctx, const unsigned char *apdu, size_t n, unsigned char *resp, size_t cap,
              size_t *resp_len)
{
    struct dd_pcsc *p = vctx;
    const SCARD_IO_REQUEST *pci = p->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    DWORD rl = (DWORD)cap;
    LONG rv = SCardTransmit(p->card, pci, apdu, (DWORD)n, NULL, resp, &rl);
    if (rv == SCARD_E_INSUFFICIENT_BUFFER) {
        snprintf(p->error, sizeof p->error, "the card's answer is larger than %zu bytes", cap);
        return DD_ETOOBIG;
    }
    if (rv != SCARD_S_SUCCESS) {
        set_err(p->error, sizeof p->error, "transmit", rv);
        return DD_EUNAVAIL;
    }
    if (rl < 2) {
        /* Some drivers (vpcd) give an empty answer when the card went away. */
        DWORD state = 0, proto = 0, al = 0;
        rv = SCardStatus(p->card, NULL, NULL, &state, &proto, NULL, &al);
        if (rv != SCARD_S_SUCCESS && pcsc_reason(rv))
            set_err(p->error, sizeof p->error, "transmit", rv);
        else
            snprintf(p->error, sizeof p->error,
                     "transmit: the card stopped answering (taken off the reader?)");
        return DD_EUNAVAIL;
    }
    *resp_len = rl;
    return DD_OK;
}

/* Waits up to ms for a card on `reader`. */
static LONG
wait_for_card(SCARDCONTEXT ctx, const char *reader, int ms)
{
    SCARD_READERSTATE st = {.szReader = reader, .dwCurrentState = SCARD_STATE_UNAWARE};
    LONG rv = SCardGetStatusChange(ctx, 0, &st, 1);
    if (rv != SCARD_S_SUCCESS)
        return rv;
    if (st.dwEventState & SCARD_STATE_PRESENT)
        return SCARD_S_SUCCESS;
    if (ms <= 0)
        return SCARD_E_NO_SMARTCARD;
    st.dwCurrentState = st.dwEventState;
    rv = SCardGetStatusChange(ctx, (DWORD)ms, &st, 1);
    if (rv != SCARD_S_SUCCESS)
        return rv == SCARD_E_TIMEOUT ? SCARD_E_NO_SMARTCARD : rv;
    return (st.dwEventState & SCARD_STATE_PRESENT) ? SCARD_S_SUCCESS : SCARD_E_NO_SMARTCARD;
}

int
dd_pcsc_open(const struct dd_pcsc_options *opts, struct dd_pcsc **out, struct dd_apdu_transport *t,
             char *err, size_t errlen)
{
    struct dd_pcsc_readers list;
    int rc = dd_pcsc_list(&list, err, errlen);
    if (rc != DD_OK)
        return rc;
    if (list.count == 0) {
        snprintf(err, errlen, "no smart-card reader is connected");
        return DD_ENOTFOUND;
    }
    if (opts->reader < 0 || opts->reader >= list.count) {
        snprintf(err, errlen, "there is no reader %d (%d reader%s: 0 to %d)", opts->reader,
                 list.count, list.count == 1 ? "" : "s", list.count - 1);
        return DD_ENOTFOUND;
    }
    struct dd_pcsc *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    memcpy(p->reader, list.name[opts->reader], sizeof p->reader);
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
    if (rv != SCARD_S_SUCCESS) {
        set_err(err, errlen, "PC/SC", rv);
        free(p);
        return DD_EUNAVAIL;
    }
    rv = wait_for_card(p->ctx, p->reader, opts->card_wait_ms);
    if (rv == SCARD_E_NO_SMARTCARD) {
        snprintf(err, errlen, "no card on reader %d (%s)", opts->reader, p->reader);
        dd_pcsc_close(p);
        return DD_ENOTFOUND;
    }
    if (rv == SCARD_S_SUCCESS)
        rv = SCardConnect(p->ctx, p->reader, SCARD_SHARE_EXCLUSIVE,
                          SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0, &p->card, &p->protocol);
    if (rv != SCARD_S_SUCCESS) {
        set_err(err, errlen, "connecting to the card", rv);
        SCardReleaseContext(p->ctx);
        free(p);
        return DD_EUNAVAIL;
    }
    DWORD al = sizeof p->atr;
    if (SCardGetAttrib(p->card, SCARD_ATTR_ATR_STRING, p->atr, &al) == SCARD_S_SUCCESS)
        p->atr_len = al;
    unsigned char maxin[4];
    DWORD ml = sizeof maxin;
    size_t max = 256;
    if (SCardGetAttrib(p->card, SCARD_ATTR_MAXINPUT, maxin, &ml) == SCARD_S_SUCCESS && ml == 4) {
        unsigned long m = (unsigned long)maxin[0] | (unsigned long)maxin[1] << 8 |
                          (unsigned long)maxin[2] << 16 | (unsigned long)maxin[3] << 24;
        if (m > 261 + 10)
            max = m - 10 > 65536 ? 65536 : m - 10; /* the CCID header is 10 bytes */
    }
    if (opts->extended)
        max = 65536;
    *t = (struct dd_apdu_transport){
        .transmit = pcsc_transmit, .max_command = max, .max_response = max, .ctx = p};
    *out = p;
    return DD_OK;
}

const unsigned char *
dd_pcsc_atr(const struct dd_pcsc *p, size_t *len)
{
    *len = p->atr_len;
    return p->atr;
}

const char *
dd_pcsc_reader_name(const struct dd_pcsc *p)
{
    return p->reader;
}

const char *
dd_pcsc_error(const struct dd_pcsc *p)
{
    return p->error;
}

void
dd_pcsc_close(struct dd_pcsc *p)
{
    if (!p)
        return;
    if (p->card)
        SCardDisconnect(p->card, SCARD_LEAVE_CARD);
    SCardReleaseContext(p->ctx);
    free(p);
}
