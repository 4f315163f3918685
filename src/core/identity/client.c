/*
 * client.c — what the identity module records about where a request came from: the client's
 * network (never its address: /24 for IPv4, /48 for IPv6, as the access log writes it), a short
 * summary of its User-Agent ("Firefox on Linux"), and the session cookie.
 */
#include "base/arena.h"
#include "base/str.h"
#include "core/identity/internal.h"
#include "http/req.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

void
id_client_network(struct dd_req *req, char *out, size_t size)
{
    out[0] = '\0';
    if (req->conn == NULL)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, ci->client_addr, sizeof sin);
        const unsigned char *b = (const unsigned char *)&sin.sin_addr;
        snprintf(out, size, "%u.%u.%u.0/24", b[0], b[1], b[2]);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, ci->client_addr, sizeof sin6);
        const unsigned char *b = sin6.sin6_addr.s6_addr;
        snprintf(out, size, "%02x%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2], b[3], b[4], b[5]);
    }
}

/* The first of `names` found in the User-Agent, in order: more specific names come first. */
static const char *
first_found(const char *ua, const char *const (*names)[2], size_t n, const char *none)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(ua, names[i][0]))
            return names[i][1];
    return none;
}

static void
user_agent_summary(const char *ua, char *out, size_t size)
{
    static const char *const browsers[][2] = {
        {"Edg/", "Edge"},          {"OPR/", "Opera"},        {"CocCoc", "Cốc Cốc"},
        {"Zalo", "Zalo"},          {"Firefox/", "Firefox"},  {"Chrome/", "Chrome"},
        {"Safari/", "Safari"},     {"curl/", "curl"},        {"node", "Node.js"},
        {"okhttp", "Android app"}, {"CFNetwork", "iOS app"},
    };
    static const char *const systems[][2] = {
        {"Android", "Android"}, {"iPhone", "iOS"},    {"iPad", "iPadOS"}, {"Windows", "Windows"},
        {"Mac OS X", "macOS"},  {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
    };
    if (ua == NULL || ua[0] == '\0') {
        snprintf(out, size, "unknown");
        return;
    }
    const char *browser = first_found(ua, browsers, sizeof browsers / sizeof browsers[0], "other");
    const char *system = first_found(ua, systems, sizeof systems / sizeof systems[0], NULL);
    if (system)
        snprintf(out, size, "%s on %s", browser, system);
    else
        snprintf(out, size, "%s", browser);
}

void
id_client_read(struct dd_req *req, struct id_client *c)
{
    id_client_network(req, c->network, sizeof c->network);
    user_agent_summary(dd_req_header(req, "User-Agent"), c->user_agent, sizeof c->user_agent);
    id_device_fingerprint(req, c->device);
    c->service = "web";
}

const char *
id_cookie(struct dd_req *req, const char *name)
{
    const char *h = dd_req_header(req, "Cookie");
    size_t nlen = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        size_t len = strcspn(h, ";");
        if (len > nlen && strncmp(h, name, nlen) == 0 && h[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            while (vlen > 0 && h[nlen + vlen] == ' ')
                vlen--;
            return dd_arena_strndup(req->arena, h + nlen + 1, vlen);
        }
        h += len;
    }
    return NULL;
}
