/*
 * confirm.h — confirmations by one-time code, shared by the registration and the password reset.
 */
#ifndef DD_CORE_IDENTITY_CONFIRM_H
#define DD_CORE_IDENTITY_CONFIRM_H

#include "core/identity/internal.h"

struct id_confirm {
    int64_t now_ms;
    const char *login; /* canonical, "" when the typed one cannot be a login */
    struct id_client client;
    struct dd_guess_keys keys;
    struct id_account acc;
};

/* Checks throttling, loads the account of `typed_login`, which must be in `status`, and checks
 * `code` for purpose `p`. 0 with a transaction open (the code marked used) and c->acc loaded;
 * otherwise -1 after replying (429, 422 code-invalid, or a failure), the failure written and
 * committed. */
int id_confirm_begin_or_reply(struct dd_req *req, struct dd_db *db, struct id_confirm *c,
                              const char *typed_login, const char *code, enum id_code_purpose p,
                              const char *status);

/* Writes the success to the history and clears the login's throttling, inside the open
 * transaction. */
int id_confirm_succeeded(struct dd_db *db, struct id_confirm *c, const char *reason);

#endif
