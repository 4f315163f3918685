/*
 * notify.h — sending a notice (a one-time code, a warning about the account) to a person by
 * e-mail or SMS, through the adapter chosen by the setting notify-adapter:
 *
 *   console  one log line at level info on standard error (recipient masked, body in clear) —
 *            for development;
 *   file     one JSON object per line appended to DATA_DIR/notify/outbox.jsonl and flushed to
 *            disk (fsync) before dd_notify_send returns — tests and developers read codes there:
 *            {"ts":"2025-07-01T09:05:00.123Z","channel":"email","recipient":"…","subject":"…",
 *             "body":"…","purpose":"…"} (subject and purpose are null when absent). It holds
 *            addresses and codes in clear: for development and tests, never production;
 *   smtp     e-mail through notify-smtp-host:notify-smtp-port with STARTTLS (unless
 *            notify-smtp-tls is off), AUTH when notify-smtp-user is set, as a UTF-8 text
 *            message from notify-from. There is no SMS gateway yet: an SMS notice fails.
 *
 * The caller writes the text in the person's language (vi or en); adapters never translate.
 */
#ifndef DD_CORE_NOTIFY_NOTIFY_H
#define DD_CORE_NOTIFY_NOTIFY_H

#include <stddef.h>

struct dd_config;

enum dd_notify_channel { DD_NOTIFY_EMAIL, DD_NOTIFY_SMS };

#define DD_NOTICE_SUBJECT_MAX 200   /* bytes */
#define DD_NOTICE_BODY_MAX    16384 /* bytes */

struct dd_notice {
    enum dd_notify_channel channel;
    const char *recipient; /* e-mail: local@domain (no spaces, quotes or angle brackets), up to
                              254 bytes; SMS: 8–15 digits, optionally after a '+' */
    const char *subject;   /* e-mail: required, one line of UTF-8; SMS: ignored (may be NULL) */
    const char *body;      /* required, UTF-8; lines end in "\n" */
    const char *purpose;   /* optional tag of a-z 0-9 . _ - (up to 64), such as "login-code":
                              written to the outbox and the console, never sent to the person */
};

/* Chooses the adapter and copies the settings it needs from `cfg` (notify-*, data-dir). Call it
 * at start, before any thread sends: it is not synchronised with dd_notify_send. DD_EINVAL with a
 * sentence in err for an unknown adapter or, for smtp, an empty host or a bad notify-from. The
 * previous choice stays then. */
int dd_notify_configure(const struct dd_config *cfg, char *err, size_t errlen);

/* Sends one notice with the configured adapter and returns when it has been handed over (logged,
 * written and flushed, or accepted by the SMTP server with 250). DD_OK, or with a sentence in
 * err (err may be NULL; the failure is logged as notify.failed either way):
 *   DD_EINVAL    a field breaks the rules above (nothing is sent);
 *   DD_EUNAVAIL  nothing configured yet, SMTP server unreachable, too slow (notify-smtp-timeout),
 *                TLS or AUTH refused, a 4xx/5xx reply (its text is in err), or an SMS notice
 *                with the smtp adapter ("no SMS gateway configured");
 *   DD_EIO       the outbox file cannot be written.
 * Safe to call from several threads at once. An SMTP send blocks the calling thread for up to a
 * few timeouts, and the process must ignore SIGPIPE (serve does): a TLS write to a server that
 * hung up raises it. */
int dd_notify_send(const struct dd_notice *n, char *err, size_t errlen);

#endif
