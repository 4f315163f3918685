/*
 * normalise.c — the one place that knows how each module's events read as security events: a
 * table of event types with their module and outcome, and how the actor, subject and source
 * address are found in the payload. An event whose type is not in the table is not a security
 * event.
 */
#include "core/events.h"
#include "core/soc/soc.h"
#include "base/str.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct kind {
    const char *type; /* exact type, or a prefix ending in '.' */
    const char *module;
    const char *outcome;
};

static const struct kind kinds[] = {
    {"auth.failed", "identity", "failure"},
    {"auth.succeeded", "identity", "success"},
    {"account.", "identity", "info"},
    {"officer.", "identity", "info"},
    {"organisation.staff_", "identity", "info"},
    {"access.", "register", "info"},
    {"export.", "register", "info"},
    {"lgsp.refused", "lgsp", "failure"},
    {"lgsp.", "lgsp", "info"},
    {"card.verification_failed", "card", "failure"},
    {"audit.verified", "audit", "success"},
    {"audit.verify_failed", "audit", "failure"},
    {"config.", "config", "info"},
    {"keys.", "config", "info"},
    {"security.csp_violation", "web", "failure"},
    {"stay.watch_hit", "stays", "info"},
    {"soc.", "soc", "info"},
};

static const struct kind *
kind_of(const char *type)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].type);
        if (kinds[i].type[n - 1] == '.' ? strncmp(type, kinds[i].type, n) == 0
                                        : strcmp(type, kinds[i].type) == 0)
            return &kinds[i];
    }
    return NULL;
}

static const char *
str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The network of an address as the SOC keeps it (/24 for IPv4, /48 for IPv6, as the identity
 * module writes it); a network is kept as it is, anything else is dropped. */
static void
network_of(const char *ip, char *out, size_t n)
{
    unsigned char a[16];
    out[0] = '\0';
    if (strchr(ip, '/'))
        dd_strlcpy(out, ip, n);
    else if (inet_pton(AF_INET, ip, a) == 1)
        snprintf(out, n, "%u.%u.%u.0/24", a[0], a[1], a[2]);
    else if (inet_pton(AF_INET6, ip, a) == 1)
        snprintf(out, n, "%02x%02x:%02x%02x:%02x%02x::/48", a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* "by" of account events is "self", "failures", "officer:3" or "system": an actor only when it
 * names someone. */
static void
actor_from_by(const char *by, const char *subject, char *out, size_t n)
{
    if (strcmp(by, "self") == 0)
        dd_strlcpy(out, subject, n);
    else if (strchr(by, ':'))
        dd_strlcpy(out, by, n);
}

bool
dd_soc_normalise(const struct dd_event *ev, struct dd_soc_event *out)
{
    const struct kind *k = kind_of(ev->type);
    if (k == NULL)
        return false;
    memset(out, 0, sizeof *out);
    out->module = k->module;
    out->outcome = k->outcome;
    out->amount = 1;
    const char *subject = ev->subject ? ev->subject : "";
    dd_strlcpy(out->subject, subject, sizeof out->subject);
    json_t *p = json_loads(ev->payload ? ev->payload : "{}", 0, NULL);
    if (strncmp(ev->type, "auth.", 5) == 0) {
        dd_strlcpy(out->source, str_of(p, "network"), sizeof out->source);
        if (subject[0])
            dd_strlcpy(out->actor, subject, sizeof out->actor);
        else if (str_of(p, "login_hash")[0])
            snprintf(out->subject, sizeof out->subject, "login:%s", str_of(p, "login_hash"));
    } else if (strncmp(ev->type, "account.", 8) == 0 || strncmp(ev->type, "officer.", 8) == 0 ||
               strncmp(ev->type, "organisation.", 13) == 0) {
        actor_from_by(str_of(p, "by"), subject, out->actor, sizeof out->actor);
    } else if (strncmp(ev->type, "lgsp.", 5) == 0) {
        const char *consumer = str_of(p, "consumer");
        if (consumer[0])
            snprintf(out->actor, sizeof out->actor, "lgsp:%s", consumer);
        network_of(str_of(p, "ip"), out->source, sizeof out->source);
        if (strcmp(ev->type, "lgsp.consumer_suspended") == 0 ||
            strcmp(ev->type, "lgsp.consumer_reinstated") == 0)
            dd_strlcpy(out->actor, str_of(p, "actor"), sizeof out->actor);
        else if (str_of(p, "by")[0]) /* an administrator's change: rights, certificates */
            dd_strlcpy(out->actor, str_of(p, "by"), sizeof out->actor);
    } else {
        dd_strlcpy(out->actor, str_of(p, "actor"), sizeof out->actor);
        dd_strlcpy(out->source, str_of(p, "network"), sizeof out->source);
    }
    /* The actor's role and area (officers), a login's device, a refused password's tag. */
    if (str_of(p, "role")[0])
        snprintf(out->actor_group, sizeof out->actor_group, "%s@%s", str_of(p, "role"),
                 str_of(p, "area"));
    dd_strlcpy(out->device, str_of(p, "device"), sizeof out->device);
    dd_strlcpy(out->pw_tag, str_of(p, "pw_tag"), sizeof out->pw_tag);
    json_t *amount = json_object_get(p, "count");
    if (json_is_integer(amount) && json_integer_value(amount) > 0)
        out->amount = json_integer_value(amount);
    json_decref(p);
    return true;
}
