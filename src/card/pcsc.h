/*
 * pcsc.h — the PC/SC transport (pcsc-lite): lists the readers pcscd knows, waits (bounded) for a
 * card on one of them, connects, and sends APDUs through SCardTransmit behind the apdu.h
 * interface. A removed card, a reset card, a vanished reader or a stopped pcscd becomes
 * DD_EUNAVAIL with a sentence saying which; nothing here waits without a deadline of its own
 * except SCardTransmit, whose wait is the reader driver's (see dd_pcsc_open).
 */
#ifndef DD_CARD_PCSC_H
#define DD_CARD_PCSC_H

#include "card/apdu.h"

#include <stdbool.h>
#include <stddef.h>

#define DD_PCSC_MAX_READERS 16
#define DD_PCSC_NAME        128

struct dd_pcsc_readers {
    int count;
    char name[DD_PCSC_MAX_READERS][DD_PCSC_NAME];
    bool card_present[DD_PCSC_MAX_READERS];
};

/* Lists the readers (in pcscd's order, which --reader N counts from 0) and whether a card is in
 * each. Returns DD_OK (count may be 0), or DD_EUNAVAIL with err set when pcscd cannot be
 * reached. */
int dd_pcsc_list(struct dd_pcsc_readers *out, char *err, size_t errlen);

struct dd_pcsc;

struct dd_pcsc_options {
    int reader;       /* index in dd_pcsc_list's order */
    int card_wait_ms; /* how long to wait for a card to be put on the reader (0: none) */
    bool extended;    /* allow extended-length APDUs even when the reader does not say */
};

/* Connects to the card on reader opts->reader (T=1, else T=0), waiting at most card_wait_ms for
 * one. t is set up as the transport: max_command/max_response are 65536 when the reader's
 * driver reports a maximum message size that takes extended APDUs (SCARD_ATTR_MAXINPUT) or when
 * opts->extended is set, 256 otherwise. A transmit returns DD_EUNAVAIL, with dd_pcsc_error
 * saying why, when the card was removed or reset, the reader went away or pcscd stopped.
 * Returns DD_OK; DD_ENOTFOUND (no such reader, or no card in time); DD_EUNAVAIL; err is set in
 * every failure. */
int dd_pcsc_open(const struct dd_pcsc_options *opts, struct dd_pcsc **out,
                 struct dd_apdu_transport *t, char *err, size_t errlen);

/* The ATR of the connected card. */
const unsigned char *dd_pcsc_atr(const struct dd_pcsc *p, size_t *len);

/* The reader's name. */
const char *dd_pcsc_reader_name(const struct dd_pcsc *p);

/* The last transmit error as a sentence ("the card was removed"), "" if none. */
const char *dd_pcsc_error(const struct dd_pcsc *p);

/* Disconnects (leaving the card as it is) and frees; NULL is allowed. */
void dd_pcsc_close(struct dd_pcsc *p);

#endif
