/*
 * oauth.c — the replies of the protocol endpoints. OAuth clients expect RFC 6749 §5.2 errors
 * ({"error","error_description"}), not problem+json, and token responses that no cache keeps.
 * Also builds redirect URIs with added query parameters.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "http/reply.h"
#include "http/req.h"
#include "sso/internal.h"

#include <string.h>

int
sso_oauth_error(struct dd_req *req, unsigned status, const char *code, const char *description)
{
    if (status == 401)
        dd_reply_header(req, "WWW-Authenticate", "Basic realm=\"dinhdanh\"");
    json_t *body = json_pack("{s:s, s:s}", "error", code, "error_description", description);
    return dd_reply_json(req, status, body);
}

int
sso_oauth_json(struct dd_req *req, json_t *body)
{
    dd_reply_header(req, "Pragma", "no-cache");
    return dd_reply_json(req, 200, body);
}

int
sso_redirect(struct dd_req *req, const char *location)
{
    dd_reply_header(req, "Location", location);
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_empty(req, 303);
}

int
sso_buf_urlencode(struct dd_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        int rc;
        if (plain) {
            rc = dd_buf_putc(b, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = dd_buf_append(b, esc, 3);
        }
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

const char *
sso_uri_with(struct dd_arena *a, const char *uri, const char *const *params)
{
    struct dd_buf b;
    dd_buf_init(&b, a, 16384);
    const char *hash = strchr(uri, '#');
    size_t base = hash ? (size_t)(hash - uri) : strlen(uri);
    dd_buf_append(&b, uri, base);
    char sep = memchr(uri, '?', base) ? '&' : '?';
    for (size_t i = 0; params[i]; i += 2) {
        if (params[i + 1] == NULL)
            continue;
        dd_buf_putc(&b, sep);
        sep = '&';
        dd_buf_puts(&b, params[i]);
        dd_buf_putc(&b, '=');
        sso_buf_urlencode(&b, params[i + 1]);
    }
    return b.data ? b.data : dd_arena_strdup(a, uri);
}

const char *
sso_url(struct dd_arena *a, const char *path)
{
    return dd_arena_printf(a, "%s%s", sso_settings.issuer, path);
}

int
sso_token_reply(struct dd_req *req, const char *access, const char *scope, const char *id_token,
                const char *refresh)
{
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 4 * DD_JWS_MAX);
    dd_buf_puts(&b, "{\"access_token\":\"");
    dd_buf_puts(&b, access);
    dd_buf_printf(&b, "\",\"token_type\":\"Bearer\",\"expires_in\":%d,\"scope\":\"",
                  SSO_ACCESS_TTL);
    dd_buf_json_escape(&b, scope ? scope : "");
    dd_buf_putc(&b, '"');
    if (id_token) {
        dd_buf_puts(&b, ",\"id_token\":\"");
        dd_buf_puts(&b, id_token);
        dd_buf_putc(&b, '"');
    }
    if (refresh) {
        dd_buf_puts(&b, ",\"refresh_token\":\"");
        dd_buf_puts(&b, refresh);
        dd_buf_putc(&b, '"');
    }
    if (dd_buf_putc(&b, '}') != DD_OK)
        return DD_ETOOBIG;
    dd_reply_header(req, "Cache-Control", "no-store");
    dd_reply_header(req, "Pragma", "no-cache");
    return dd_reply_bytes(req, 200, "application/json", b.data, b.len);
}
