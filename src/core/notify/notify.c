/* notify.c — the notify-adapter setting, the checks every notice passes, and the dispatch. */
#include "core/notify/notify.h"
#include "base/config.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "base/utf8.h"
#include "core/notify/adapters.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum adapter { ADAPTER_NONE, ADAPTER_CONSOLE, ADAPTER_FILE, ADAPTER_SMTP };

/* Written by dd_notify_configure at start, read by every sender. */
static struct {
    enum adapter adapter;
    char data_dir[512];
    struct dd_smtp_settings smtp;
} settings;

int
dd_notify_configure(const struct dd_config *cfg, char *err, size_t errlen)
{
    enum adapter a;
    if (strcmp(cfg->notify_adapter, "console") == 0) {
        a = ADAPTER_CONSOLE;
    } else if (strcmp(cfg->notify_adapter, "file") == 0) {
        a = ADAPTER_FILE;
    } else if (strcmp(cfg->notify_adapter, "smtp") == 0) {
        a = ADAPTER_SMTP;
    } else {
        snprintf(err, errlen, "unknown notify-adapter '%s': expected console, file or smtp",
                 cfg->notify_adapter);
        return DD_EINVAL;
    }
    if (a == ADAPTER_SMTP && cfg->notify_smtp_host[0] == '\0') {
        snprintf(err, errlen, "notify-adapter smtp needs notify-smtp-host");
        return DD_EINVAL;
    }
    if (a == ADAPTER_SMTP && !dd_mail_address_ok(cfg->notify_from)) {
        snprintf(err, errlen, "notify-from '%s' is not an e-mail address (local@domain)",
                 cfg->notify_from);
        return DD_EINVAL;
    }
    settings.adapter = a;
    dd_strlcpy(settings.data_dir, cfg->data_dir, sizeof settings.data_dir);
    struct dd_smtp_settings *s = &settings.smtp;
    dd_strlcpy(s->host, cfg->notify_smtp_host, sizeof s->host);
    s->port = cfg->notify_smtp_port;
    dd_strlcpy(s->user, cfg->notify_smtp_user, sizeof s->user);
    dd_strlcpy(s->password, cfg->notify_smtp_password, sizeof s->password);
    dd_strlcpy(s->from, cfg->notify_from, sizeof s->from);
    s->tls = cfg->notify_smtp_tls;
    s->timeout_s = cfg->notify_smtp_timeout;
    return DD_OK;
}

static bool
phone_ok(const char *s)
{
    if (*s == '+')
        s++;
    size_t n = strlen(s);
    return n >= 8 && n <= 15 && dd_str_all_digits(s, n);
}

static bool
purpose_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
              *s == '-'))
            return false;
    return true;
}

/* True if s is valid UTF-8 of at most max bytes, without control characters other than the
 * line feeds (and tabs) a body may hold. */
static bool
text_ok(const char *s, size_t max, bool multiline)
{
    size_t n = strnlen(s, max + 1);
    if (n > max || !dd_utf8_valid(s, n, NULL))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f)
            return false;
    }
    return true;
}

/* Checks a notice against notify.h's rules; a sentence in err names the first broken one. */
static int
notice_check(const struct dd_notice *n, char *err, size_t errlen)
{
    const char *why = NULL;
    if (n->channel != DD_NOTIFY_EMAIL && n->channel != DD_NOTIFY_SMS)
        why = "unknown channel";
    else if (n->recipient == NULL || n->recipient[0] == '\0')
        why = "no recipient";
    else if (n->channel == DD_NOTIFY_EMAIL && !dd_mail_address_ok(n->recipient))
        why = "the recipient is not an e-mail address (local@domain)";
    else if (n->channel == DD_NOTIFY_SMS && !phone_ok(n->recipient))
        why = "the recipient is not a phone number (8-15 digits, optionally after '+')";
    else if (n->channel == DD_NOTIFY_EMAIL && (n->subject == NULL || n->subject[0] == '\0' ||
                                               !text_ok(n->subject, DD_NOTICE_SUBJECT_MAX, false)))
        why = "an e-mail needs a subject: one line of UTF-8, at most 200 bytes";
    else if (n->body == NULL || n->body[0] == '\0' || !text_ok(n->body, DD_NOTICE_BODY_MAX, true))
        why = "the body must be UTF-8 text of at most 16384 bytes";
    else if (n->purpose != NULL && !purpose_ok(n->purpose))
        why = "the purpose must be 1-64 of a-z 0-9 . _ -";
    if (why == NULL)
        return DD_OK;
    snprintf(err, errlen, "notice refused: %s", why);
    return DD_EINVAL;
}

int
dd_notify_send(const struct dd_notice *n, char *err, size_t errlen)
{
    char own[512];
    if (err == NULL || errlen == 0) {
        err = own;
        errlen = sizeof own;
    }
    err[0] = '\0';
    int rc = notice_check(n, err, errlen);
    if (rc == DD_OK) {
        switch (settings.adapter) {
        case ADAPTER_CONSOLE:
            rc = dd_notify_console(n);
            break;
        case ADAPTER_FILE:
            rc = dd_notify_outbox(settings.data_dir, n, err, errlen);
            break;
        case ADAPTER_SMTP:
            if (n->channel == DD_NOTIFY_SMS) {
                snprintf(err, errlen,
                         "cannot send an SMS: no SMS gateway configured (the smtp "
                         "adapter sends e-mail only)");
                rc = DD_EUNAVAIL;
            } else {
                rc = dd_notify_smtp(&settings.smtp, n, err, errlen);
            }
            break;
        case ADAPTER_NONE:
            snprintf(err, errlen, "notifications are not configured (dd_notify_configure)");
            rc = DD_EUNAVAIL;
            break;
        }
    }
    if (rc != DD_OK)
        dd_log(DD_LOG_WARN, "notify.failed", "%s%s%s", err, n->purpose ? " — purpose " : "",
               n->purpose ? n->purpose : "");
    return rc;
}
