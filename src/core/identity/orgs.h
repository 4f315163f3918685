/*
 * orgs.h — organisations (establishments: hotels, guesthouses, hospitals, coach operators,
 * pawnshops, schools, security-service businesses…) and the staff who act for them
 * (docs/IDENTITY.md, "Organisations").
 *
 * Police officers register an organisation in their area and suspend or reinstate it; its
 * owner and managers add and end staff. A staff member has an account of kind `staff` and logs
 * in like anyone; the server then sees the organisation as the caller (DD_PRINCIPAL_ESTABLISHMENT
 * with the organisation's id and area, and the member's role in it). A role in an organisation
 * grants route scopes as an officer's role does (dd_org_role_grants).
 *
 * The `organisations` module holds the routes; the functions below serve the command line
 * (`dinhdanh org`) and the authenticator. Each takes its own transaction.
 */
#ifndef DD_CORE_IDENTITY_ORGS_H
#define DD_CORE_IDENTITY_ORGS_H

#include "http/route.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dd_db;

extern const struct dd_module dd_module_organisations;

/* A kind of organisation and the licence the law asks of it. */
struct dd_org_kind {
    const char *name;    /* "hotel" */
    const char *name_vi; /* "Khách sạn" */
    const char *licence; /* "security-order", "medical", "transport", "education" */
};

/* Every kind, ending with a row whose name is NULL. */
const struct dd_org_kind *dd_org_kinds(void);

/* The kind named `name`, or NULL. */
const struct dd_org_kind *dd_org_kind(const char *name);

/* The roles in an organisation ("owner", "manager", "clerk"), NULL-terminated. */
const char *const *dd_org_roles(void);

/* The scopes an organisation role grants, NULL-terminated; NULL for an unknown role. */
const char *const *dd_org_role_scopes(const char *role);

/* True if organisation role `role` grants `scope`; a NULL scope asks only that the role be
 * one of dd_org_roles(). */
bool dd_org_role_grants(const char *role, const char *scope);

/* True if a member with role `actor` may add or end a member with role `target`: an owner
 * manages managers and clerks, a manager clerks. Owners are added and ended by officers'
 * tools (the command line), never by another member. */
bool dd_org_role_manages(const char *actor, const char *target);

/* A new organisation as typed (the command line's flags, a request's fields); NULL or "" for
 * what is not given. */
struct dd_org_new {
    const char *kind;
    const char *name;                /* 1–120 bytes */
    const char *registration_number; /* enterprise / tax code: 10 digits, or 10-3 (a branch) */
    const char *licence_number;      /* the licence its kind needs, when recorded */
    const char *licence_issuer;
    const char *licence_issued_on;  /* YYYY-MM-DD, not in the future */
    const char *licence_expires_on; /* YYYY-MM-DD, not past */
    const char *address;            /* the address line in the commune, 1–200 bytes */
    const char *province;           /* 2 digits */
    const char *commune;            /* 5 digits, a commune of the province in force today */
    const char *phone;              /* +84… or 0 and 9 digits */
};

/* Registers an organisation, active, created by `actor` ("operator:ana"), and emits
 * organisation.created. DD_EINVAL with "field: sentence" in err for a bad field, DD_EEXIST if
 * another organisation has its registration number. *id (may be NULL) receives its id. */
int dd_org_create(struct dd_db *db, const struct dd_org_new *o, const char *actor, int64_t *id,
                  char *err, size_t errlen);

/* Suspends (`suspend` true, with a reason) or reinstates organisation `id`; its staff are
 * refused while it is suspended. DD_ENOTFOUND; DD_ECONFLICT if it already is in that state;
 * DD_EINVAL without a reason. */
int dd_org_set_suspended(struct dd_db *db, int64_t id, bool suspend, const char *reason,
                         const char *actor, char *err, size_t errlen);

/* Prints every organisation as an aligned table: id, kind, status, area, registration number,
 * name. */
int dd_org_list_print(struct dd_db *db, FILE *out, char *err, size_t errlen);

/* A new staff member as typed. */
struct dd_org_staff_new {
    int64_t org_id;
    const char *username;     /* 3–32 of a-z 0-9 . _ -, with a letter: their login */
    const char *display_name; /* 1–100 bytes */
    const char *role;         /* owner, manager, clerk */
    const char *phone;        /* contact: where codes go */
    const char *email;
    const char *id_number; /* the person in the register, when known */
};

/* Adds a staff member to organisation s->org_id with a new account (kind staff, level 1,
 * active), by `actor`; `password` may be NULL (no password yet: the member sets one with a
 * password reset, which needs a phone or e-mail). Emits account.created and
 * organisation.staff_added. DD_EINVAL with "field: sentence" in err, DD_ENOTFOUND for an
 * unknown organisation, DD_EEXIST if the username is taken. *account_id may be NULL. */
int dd_org_staff_add(struct dd_db *db, const struct dd_org_staff_new *s, const char *password,
                     const char *actor, int64_t *account_id, char *err, size_t errlen);

/* Ends the membership of `username` in organisation `org_id`: the account is disabled and its
 * sessions end. DD_ENOTFOUND if they are no current member of it. */
int dd_org_staff_end(struct dd_db *db, int64_t org_id, const char *username, const char *reason,
                     const char *actor, char *err, size_t errlen);

/* Prints the staff of organisation `org_id`, current and former. DD_ENOTFOUND for an unknown
 * organisation. */
int dd_org_staff_print(struct dd_db *db, int64_t org_id, FILE *out, char *err, size_t errlen);

#endif
