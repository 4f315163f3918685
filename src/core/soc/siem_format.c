/*
 * siem_format.c — the two shapes an event takes on its way to a SIEM: a JSON object, and an
 * RFC 5424 syslog message (with RFC 6587 octet counting) whose structured data carries the
 * uniform fields and whose message is that JSON. Pure functions.
 */
#include "base/buf.h"
#include "base/err.h"
#include "core/events.h"
#include "core/soc/siem.h"
#include "core/soc/soc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACILITY_LOG_AUDIT 13 /* RFC 5424 table 1 */

int
dd_siem_json(struct dd_buf *b, const struct dd_event *ev, const struct dd_soc_event *se)
{
    json_t *details = json_loads(ev->payload ? ev->payload : "{}", 0, NULL);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "event_id",
                          (json_int_t)ev->id, "at", ev->created_at, "type", ev->type, "module",
                          se->module, "actor", se->actor, "subject", se->subject, "source",
                          se->source, "outcome", se->outcome, "amount", (json_int_t)se->amount,
                          "details", details ? details : json_object());
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    int rc = text ? dd_buf_puts(b, text) : DD_EINTERNAL;
    free(text);
    return rc;
}

/* RFC 5424 severity: an alert's by its rule, else warning for failures, informational. */
static int
severity_of(const struct dd_event *ev, const struct dd_soc_event *se)
{
    if (strcmp(ev->type, "soc.alert") == 0) {
        json_t *p = json_loads(ev->payload, 0, NULL);
        const char *s = json_string_value(json_object_get(p, "severity"));
        int sev = s == NULL                    ? 4
                  : strcmp(s, "critical") == 0 ? 2
                  : strcmp(s, "high") == 0     ? 3
                  : strcmp(s, "medium") == 0   ? 4
                                               : 5;
        json_decref(p);
        return sev;
    }
    return strcmp(se->outcome, "failure") == 0 ? 4 : 6;
}

/* A PARAM-VALUE: '"', '\' and ']' escaped with '\' (RFC 5424 section 6.3.3). */
static int
param(struct dd_buf *b, const char *name, const char *value)
{
    int rc = dd_buf_printf(b, " %s=\"", name);
    for (const char *p = value; rc == DD_OK && *p; p++) {
        if (*p == '"' || *p == '\\' || *p == ']')
            rc = dd_buf_putc(b, '\\');
        if (rc == DD_OK)
            rc = dd_buf_putc(b, *p);
    }
    return rc == DD_OK ? dd_buf_putc(b, '"') : rc;
}

/* MSGID: printable US-ASCII, at most 32 characters. */
static void
msgid(const char *type, char out[33])
{
    size_t i = 0;
    for (; i < 32 && type[i]; i++)
        out[i] = type[i] > 32 && type[i] < 127 ? type[i] : '_';
    out[i] = '\0';
}

int
dd_siem_syslog(struct dd_buf *b, const struct dd_event *ev, const struct dd_soc_event *se,
               const char *host, long pid)
{
    struct dd_buf m;
    dd_buf_init(&m, NULL, 2 * DD_EVENT_MAX_PAYLOAD);
    char id[33], eid[24];
    msgid(ev->type, id);
    snprintf(eid, sizeof eid, "%lld", (long long)ev->id);
    int rc = dd_buf_printf(&m, "<%d>1 %s %s dinhdanh %ld %s [%s",
                           FACILITY_LOG_AUDIT * 8 + severity_of(ev, se), ev->created_at,
                           host && host[0] ? host : "-", pid, id, DD_SIEM_SD_ID);
    if (rc == DD_OK)
        rc = param(&m, "event_id", eid);
    if (rc == DD_OK)
        rc = param(&m, "module", se->module);
    if (rc == DD_OK && se->actor[0])
        rc = param(&m, "actor", se->actor);
    if (rc == DD_OK && se->subject[0])
        rc = param(&m, "subject", se->subject);
    if (rc == DD_OK && se->source[0])
        rc = param(&m, "source", se->source);
    if (rc == DD_OK)
        rc = param(&m, "outcome", se->outcome);
    if (rc == DD_OK)
        rc = dd_buf_puts(&m, "] \xEF\xBB\xBF");
    if (rc == DD_OK)
        rc = dd_siem_json(&m, ev, se);
    if (rc == DD_OK)
        rc = dd_buf_printf(b, "%zu ", m.len);
    if (rc == DD_OK)
        rc = dd_buf_append(b, m.data, m.len);
    dd_buf_release(&m);
    return rc;
}
