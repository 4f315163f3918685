/*
 * token.c — POST /sso/token: authenticates the client, then hands the request to its grant
 * (grant_code.c, grant_refresh.c, grant_client_credentials.c). A client may use only the grant
 * it was registered for (and refresh_token with authorization_code).
 */
#include "base/err.h"
#include "http/req.h"
#include "sso/internal.h"

#include <string.h>

int
sso_token(struct dd_req *req)
{
    struct dd_db *db;
    struct sso_form f;
    struct sso_client c;
    int rc = sso_client_request(req, "/sso/token", &db, &f, &c);
    if (rc != DD_OK)
        return rc;
    const char *grant = sso_form_get(&f, "grant_type");
    if (grant == NULL)
        return sso_oauth_error(req, 400, "invalid_request", "grant_type is missing.");
    bool code_client = strcmp(c.grant_type, "authorization_code") == 0;
    if (strcmp(grant, "client_credentials") == 0) {
        if (code_client)
            return sso_oauth_error(req, 400, "unauthorized_client",
                                   "This client may not use client_credentials.");
        return sso_grant_client_credentials(req, db, &f, &c);
    }
    if (strcmp(grant, "authorization_code") == 0 || strcmp(grant, "refresh_token") == 0) {
        if (!code_client)
            return sso_oauth_error(req, 400, "unauthorized_client",
                                   "This client may only use client_credentials.");
        return grant[0] == 'a' ? sso_grant_code(req, db, &f, &c)
                               : sso_grant_refresh(req, db, &f, &c);
    }
    return sso_oauth_error(req, 400, "unsupported_grant_type", "This grant type is not supported.");
}
