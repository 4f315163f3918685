/*
 * req.c — accessors over libmicrohttpd's view of a request, request ids and language choice.
 */
#include "http/req.h"
#include "crypto/hash.h"
#include "http/problem.h"
#include "store/store.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *
dd_req_param(const struct dd_req *req, const char *name)
{
    for (int i = 0; i < req->match.nparams; i++)
        if (strcmp(req->match.names[i], name) == 0)
            return req->match.values[i];
    return NULL;
}

const char *
dd_req_query(const struct dd_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
dd_req_header(const struct dd_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* Reads one "tag;q=0.8" item; returns its quality in thousandths (1000 when absent). */
static int
item_quality(const char *item, size_t len)
{
    const char *q = memchr(item, ';', len);
    if (q == NULL)
        return 1000;
    const char *end = item + len;
    for (q++; q < end && (*q == ' ' || *q == '\t'); q++)
        ;
    if (end - q < 3 || q[0] != 'q' || q[1] != '=')
        return 1000;
    q += 2;
    int whole = *q == '1' ? 1000 : 0;
    int frac = 0, scale = 100;
    if (q < end && (*q == '0' || *q == '1'))
        q++;
    if (q < end && *q == '.')
        for (q++; q < end && *q >= '0' && *q <= '9' && scale > 0; q++, scale /= 10)
            frac += (*q - '0') * scale;
    return whole ? 1000 : frac;
}

enum dd_lang
dd_req_lang_from_header(const char *al)
{
    if (al == NULL)
        return DD_LANG_VI;
    int best_vi = -1, best_en = -1;
    while (*al) {
        while (*al == ' ' || *al == ',')
            al++;
        size_t len = strcspn(al, ",");
        if (len == 0)
            break;
        int q = item_quality(al, len);
        if (len >= 2 && strncasecmp(al, "vi", 2) == 0 && (len == 2 || al[2] == '-' || al[2] == ';'))
            best_vi = q > best_vi ? q : best_vi;
        else if (len >= 2 && strncasecmp(al, "en", 2) == 0 &&
                 (len == 2 || al[2] == '-' || al[2] == ';'))
            best_en = q > best_en ? q : best_en;
        al += len;
    }
    return best_en > 0 && best_en > best_vi ? DD_LANG_EN : DD_LANG_VI;
}

static bool
request_id_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok || n >= DD_REQUEST_ID_MAX)
            return false;
    }
    return n > 0;
}

/* Fresh ids are a per-thread random prefix and a per-thread counter: unique without a system
 * call per request. */
static _Thread_local unsigned char id_prefix[6];
static _Thread_local uint64_t id_counter;

void
dd_req_make_id(const char *incoming, char out[DD_REQUEST_ID_MAX + 1])
{
    if (incoming && request_id_ok(incoming)) {
        memcpy(out, incoming, strlen(incoming) + 1);
        return;
    }
    if (id_counter == 0)
        dd_random_bytes(id_prefix, sizeof id_prefix);
    id_counter++;
    static const char digits[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 6; i++) {
        *o++ = digits[id_prefix[i] >> 4];
        *o++ = digits[id_prefix[i] & 15];
    }
    for (int shift = 36; shift >= 0; shift -= 4)
        *o++ = digits[(id_counter >> shift) & 15];
    *o = '\0';
}

struct dd_db *
dd_req_db_or_reply(struct dd_req *req)
{
    struct dd_db *db = dd_db_pool_get();
    if (db == NULL)
        dd_reply_problem(req, DD_PROBLEM_SERVICE_UNAVAILABLE, NULL);
    return db;
}

bool
dd_req_can_park(const struct dd_req *req)
{
    return req->conn != NULL && !req->replied && req->resume == NULL;
}

void
dd_req_park(struct dd_req *req, int (*answer)(struct dd_req *req, void *arg), void *arg)
{
    req->resume = answer;
    req->resume_arg = arg;
    MHD_suspend_connection(req->conn);
}

void
dd_req_unpark(struct dd_req *req)
{
    MHD_resume_connection(req->conn);
}
