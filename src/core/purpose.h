/*
 * purpose.h — the purpose an officer states for reading or changing a citizen's data.
 *
 * The access log records, for every read of a person's data by someone else, what it was for
 * (Decree 13/2023/NĐ-CP); officers state it in the X-Purpose header. A header can carry only
 * Latin-1 reliably, so clients may percent-encode the UTF-8 (%XX). A purpose is 1–200 bytes of
 * valid UTF-8 without control characters once decoded, and is kept in NFC.
 */
#ifndef DD_CORE_PURPOSE_H
#define DD_CORE_PURPOSE_H

struct dd_req;

#define DD_PURPOSE_MAX_BYTES 200

/* X-Purpose decoded (%XX) and in NFC, in the request's arena; NULL when it is absent or breaks
 * the rules above. */
const char *dd_purpose(struct dd_req *req);

/* The purpose of an officer's read, as dd_purpose gives it, or NULL after a 400 reply
 * (validation-failed, error "purpose-required" on field X-Purpose). */
const char *dd_purpose_or_reply(struct dd_req *req);

#endif
