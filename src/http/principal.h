/*
 * principal.h — who is calling: what the authenticator found behind a request's credentials.
 *
 * The authenticator (installed with dd_server_set_authenticator) fills req->who before a
 * handler runs; routes with DD_AUTH_NONE see NULL.
 */
#ifndef DD_HTTP_PRINCIPAL_H
#define DD_HTTP_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

enum dd_principal_kind {
    DD_PRINCIPAL_OFFICER = 1,
    DD_PRINCIPAL_CITIZEN,
    DD_PRINCIPAL_ESTABLISHMENT,
    DD_PRINCIPAL_CLIENT,
};

struct dd_principal {
    enum dd_principal_kind kind;
    int64_t id;
    char name[64];          /* username or client id */
    char display_name[128]; /* for the person's access log */
    char role[32];          /* officers: "commune-police", "admin", … */
    char agency[128];
    char province[4];   /* area: a province code … */
    char commune[8];    /* … and, unless the role is province-wide, a commune code */
    int64_t account_id; /* the login account (core/identity), 0 for officers' API tokens */
    char id_number[16]; /* the person behind the account (citizens; others when known), or "" */
    int level;          /* e-identity level: 1 or 2 (officers: 2) */
};

/* True when the principal's area is the whole province (no commune). */
static inline bool
dd_principal_province_wide(const struct dd_principal *p)
{
    return p->commune[0] == '\0';
}

#endif
