/* accesslog.c — the access-log line, built on the stack and written with one write(2). */
#include "http/accesslog.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/req.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static void
client_network(const struct dd_req *req, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci == NULL || ci->client_addr == NULL)
        return;
    if (ci->client_addr->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, ci->client_addr, sizeof sin);
        unsigned char *b = (unsigned char *)&sin.sin_addr;
        snprintf(out, size, "%u.%u.%u.0/24", b[0], b[1], b[2]);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, ci->client_addr, sizeof sin6);
        unsigned char *b = sin6.sin6_addr.s6_addr;
        snprintf(out, size, "%02x%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2], b[3], b[4], b[5]);
    }
}

static const char *
safe_method(const char *m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "other";
}

void
dd_accesslog_write(const struct dd_req *req, unsigned status, int64_t elapsed_ns, bool aborted)
{
    char storage[1024];
    struct dd_buf b;
    dd_buf_init_fixed(&b, storage, sizeof storage);
    char ts[32], net[64];
    dd_clock_iso8601(dd_clock_now_ms(), ts);
    client_network(req, net, sizeof net);
    uint64_t us = elapsed_ns > 0 ? (uint64_t)elapsed_ns / 1000 : 0;
    char frac[4] = {(char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10), (char)('0' + us % 10),
                    '\0'};
    /* Built with appends only: this runs once per request. */
    int rc = dd_buf_puts(&b, "{\"ts\":\"");
    rc |= dd_buf_puts(&b, ts);
    rc |= dd_buf_puts(&b, "\",\"level\":\"info\",\"event\":\"http.access\",\"request_id\":\"");
    rc |= dd_buf_puts(&b, req->request_id);
    rc |= dd_buf_puts(&b, "\",\"method\":\"");
    rc |= dd_buf_puts(&b, safe_method(req->method));
    rc |= dd_buf_puts(&b, "\",\"route\":\"");
    rc |= dd_buf_json_escape(&b, req->route_label);
    rc |= dd_buf_puts(&b, "\",\"status\":");
    rc |= dd_buf_put_uint(&b, status);
    rc |= dd_buf_puts(&b, ",\"bytes\":");
    rc |= dd_buf_put_uint(&b, req->bytes_out);
    rc |= dd_buf_puts(&b, ",\"duration_ms\":");
    rc |= dd_buf_put_uint(&b, us / 1000);
    rc |= dd_buf_putc(&b, '.');
    rc |= dd_buf_puts(&b, frac);
    rc |= dd_buf_puts(&b, ",\"client\":\"");
    rc |= dd_buf_puts(&b, net);
    rc |= dd_buf_puts(&b, aborted ? "\",\"aborted\":true}\n" : "\"}\n");
    if (rc == 0)
        dd_log_raw(b.data, b.len);
}
