/*
 * ids.c — the gateway's identifiers: members 'SYTE-KH', subsystems 'VN/GOV/<member>/<code>',
 * services '<subsystem-id>/<code>', and the consent service id of a consumer.
 */
#include "base/str.h"
#include "lgsp/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PREFIX "VN/GOV/"

static bool
chars_ok(const char *s, size_t max, const char *extra, bool lower)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !isalnum((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = isdigit(c) || (c >= 'A' && c <= 'Z') || (lower && c >= 'a' && c <= 'z') ||
                  strchr(extra, c) != NULL;
        if (!ok || c == '\0')
            return false;
    }
    return true;
}

bool
lgsp_member_code_valid(const char *s)
{
    return s && chars_ok(s, 32, "-", false);
}

bool
lgsp_code_valid(const char *s)
{
    return s && chars_ok(s, LGSP_CODE_MAX, "._-", true);
}

bool
lgsp_subsystem_id_valid(const char *s)
{
    if (s == NULL || strlen(s) >= LGSP_ID_MAX || !dd_str_has_prefix(s, PREFIX))
        return false;
    const char *member = s + strlen(PREFIX);
    const char *slash = strchr(member, '/');
    if (slash == NULL || (size_t)(slash - member) > 32)
        return false;
    char code[33];
    memcpy(code, member, (size_t)(slash - member));
    code[slash - member] = '\0';
    return lgsp_member_code_valid(code) && lgsp_code_valid(slash + 1);
}

bool
lgsp_service_id_split(const char *s, char subsystem[LGSP_ID_MAX], char code[LGSP_CODE_MAX + 1])
{
    if (s == NULL)
        return false;
    const char *slash = strrchr(s, '/');
    if (slash == NULL || (size_t)(slash - s) >= LGSP_ID_MAX)
        return false;
    memcpy(subsystem, s, (size_t)(slash - s));
    subsystem[slash - s] = '\0';
    if (!lgsp_subsystem_id_valid(subsystem) || !lgsp_code_valid(slash + 1))
        return false;
    dd_strlcpy(code, slash + 1, LGSP_CODE_MAX + 1);
    return true;
}

void
lgsp_consent_service(const char *consumer, char *out, size_t outlen)
{
    const char *rest = dd_str_has_prefix(consumer, PREFIX) ? consumer + strlen(PREFIX) : consumer;
    int n = snprintf(out, outlen, "lgsp:%s", rest);
    if (n < 0)
        return;
    for (char *p = out; *p; p++) {
        if (*p == '/')
            *p = ':';
        else
            *p = (char)tolower((unsigned char)*p);
    }
}
