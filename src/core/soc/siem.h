/*
 * siem.h — forwarding the SOC's events and alerts to an external SIEM (Wazuh, Elastic, …):
 * each security event of the outbox (dd_soc_normalise), alerts included (soc.alert), as an
 * RFC 5424 syslog message framed by octet counting (RFC 6587 section 3.4.1) over TCP or over
 * TLS (RFC 5425), and/or as one JSON line in a file.
 *
 * The forwarder is the event consumer "siem" run by `dinhdanh soc forward`: a message is sent
 * before the consumer's cursor moves past its event, so a SIEM gets every event at least once
 * (a resend after a failure may repeat the last few).
 */
#ifndef DD_CORE_SOC_SIEM_H
#define DD_CORE_SOC_SIEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dd_buf;
struct dd_event;
struct dd_soc_event;

#define DD_SIEM_SD_ID                                                                              \
    "dinhdanh@32473" /* 32473: the private enterprise number RFC 5612                              \
                        reserves for documentation */

/* Appends the JSON object of a security event (no newline) to b. DD_OK, or the DD_E… code of a
 * message over its bound. */
int dd_siem_json(struct dd_buf *b, const struct dd_event *ev, const struct dd_soc_event *se);

/* Appends one octet-counted RFC 5424 message ("LEN SP <PRI>1 TIMESTAMP HOST APP PROCID MSGID
 * [SD] BOM JSON") to b. `host` is the sender's host name (printable ASCII, at most 255; "-" when
 * empty). DD_OK, or the DD_E… code of a message over its bound. */
int dd_siem_syslog(struct dd_buf *b, const struct dd_event *ev, const struct dd_soc_event *se,
                   const char *host, long pid);

struct dd_siem_settings {
    const char *syslog_url; /* "tcp://HOST:PORT" or "tls://HOST:PORT", or NULL */
    const char *ca_file;    /* TLS: the CA bundle to trust; NULL: the system's */
    const char *jsonl_path; /* a file to append JSON lines to, or NULL */
    int timeout_ms;
};

struct dd_siem;

/* Opens the outputs (connects to the syslog receiver, opens the file). NULL with a sentence in
 * err. */
struct dd_siem *dd_siem_open(const struct dd_siem_settings *s, char *err, size_t errlen);
void dd_siem_close(struct dd_siem *f);

/* Delivers up to `max` pending events (0: all) of the outbox through consumer "siem";
 * *sent counts the events sent. A failed write returns its error; those events come again. */
int dd_siem_forward(struct dd_siem *f, struct dd_db *db, size_t max, size_t *sent, char *err,
                    size_t errlen);

#endif
