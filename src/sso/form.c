/*
 * form.c — application/x-www-form-urlencoded parameters (the OAuth endpoints' bodies) and query
 * strings, read into the request's arena. A parameter given twice is marked, since OAuth refuses
 * repeated parameters (RFC 6749 §3.1); values must be UTF-8 without control characters.
 */
#include "base/arena.h"
#include "base/str.h"
#include "base/utf8.h"
#include "http/req.h"
#include "sso/internal.h"

#include <microhttpd.h>
#include <string.h>

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

const char *
sso_form_decode(struct dd_arena *a, const char *s, size_t n)
{
    char *out = dd_arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 1 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return NULL;
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (memchr(out, '\0', o) != NULL || !dd_utf8_valid(out, o, NULL) || dd_str_has_control(out))
        return NULL;
    return out;
}

void
sso_form_parse(struct dd_arena *a, const char *text, size_t len, struct sso_form *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr(text + i, '=', end - i);
            size_t nlen = eq ? (size_t)(eq - (text + i)) : end - i;
            const char *name = sso_form_decode(a, text + i, nlen);
            const char *value = eq ? sso_form_decode(a, eq + 1, (size_t)(text + end - eq - 1)) : "";
            if (name == NULL || value == NULL || out->n == SSO_FORM_MAX) {
                out->invalid = true;
                return;
            }
            for (int k = 0; k < out->n; k++)
                if (strcmp(out->names[k], name) == 0)
                    out->duplicate = true;
            out->names[out->n] = name;
            out->values[out->n] = value;
            out->n++;
        }
        i = end + 1;
    }
}

/* Adds one parameter (already decoded) to the form. */
static void
form_add(struct sso_form *f, struct dd_arena *a, const char *name, const char *value)
{
    if (f->n == SSO_FORM_MAX || name == NULL || !dd_utf8_valid(name, strlen(name), NULL) ||
        (value && (!dd_utf8_valid(value, strlen(value), NULL) || dd_str_has_control(value)))) {
        f->invalid = true;
        return;
    }
    for (int k = 0; k < f->n; k++)
        if (strcmp(f->names[k], name) == 0)
            f->duplicate = true;
    f->names[f->n] = dd_arena_strdup(a, name);
    f->values[f->n] = dd_arena_strdup(a, value ? value : "");
    f->n++;
}

struct query_walk {
    struct sso_form *form;
    struct dd_arena *arena;
};

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct query_walk *w = cls;
    form_add(w->form, w->arena, key, value);
    return MHD_YES;
}

void
sso_form_of_request(struct dd_req *req, struct sso_form *out)
{
    if (strcmp(req->method, "POST") == 0) {
        sso_form_parse(req->arena, req->body.data ? req->body.data : "", req->body.len, out);
        return;
    }
    memset(out, 0, sizeof *out);
    struct query_walk w = {out, req->arena};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_arg, &w);
}

const char *
sso_form_get(const struct sso_form *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->names[i], name) == 0)
            return f->values[i][0] ? f->values[i] : NULL;
    return NULL;
}
