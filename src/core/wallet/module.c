/*
 * module.c — the `wallet` module: its routes, and the base URL its identifiers start with.
 *
 * Public (no credentials): issuer metadata, issuer list, status lists, verification and a
 * presentation's check. Citizens (level 1) act on their own documents, presentations and
 * parcels. Officers: wallet:issue (an agency's document issuer), wallet:certify (commune
 * justice officer or notary), wallet:read (a procedure reading a referenced document),
 * land:read / land:write (land office); operators (the admin role) manage issuers and keys.
 */
#include "base/config.h"
#include "base/str.h"
#include "core/wallet/internal.h"

#include <stdio.h>
#include <string.h>

#define BODY (64 * 1024)

// clang-format off
static const struct dd_route wallet_routes[] = {
    DD_ROUTE("GET", "/.well-known/jwt-vc-issuer/issuers/{issuer}", wallet_metadata_get, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/wallet/issuers", wallet_issuers_list, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/wallet/issuers", wallet_issuers_create, DD_AUTH_OPERATOR, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/wallet/issuers/{issuer}/keys", wallet_keys_create, DD_AUTH_OPERATOR, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("GET", "/api/v1/wallet/status-lists/{issuer}", wallet_status_list_get, DD_AUTH_NONE, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/wallet/documents", wallet_documents_create, DD_AUTH_OFFICER, "wallet:issue", DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/wallet/documents/{id}/revocations", wallet_revocations_create, DD_AUTH_OFFICER, "wallet:issue", DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("GET", "/api/v1/wallet/documents/{id}/claims", wallet_document_claims_get, DD_AUTH_OFFICER, "wallet:read"),
    DD_ROUTE_BODY("POST", "/api/v1/wallet/certifications", wallet_certifications_create, DD_AUTH_OFFICER, "wallet:certify", DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/wallet/verifications", wallet_verifications_create, DD_AUTH_NONE, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("GET", "/api/v1/wallet/presentations/{id}", wallet_presentation_get, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/api/v1/me/wallet/documents", wallet_me_documents_list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/wallet/documents/{id}", wallet_me_documents_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE("GET", "/api/v1/me/wallet/documents/{id}/rendering", wallet_me_rendering_get, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/wallet/documents/{id}/presentations", wallet_me_presentations_create, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me/wallet/presentations", wallet_me_presentations_list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/me/wallet/presentations/{id}/revocations", wallet_me_presentation_revoke, DD_AUTH_CITIZEN_L1, NULL, DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/land/parcels", land_parcels_create, DD_AUTH_OFFICER, "land:write", DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("GET", "/api/v1/land/parcels", land_parcels_list, DD_AUTH_OFFICER, "land:read"),
    DD_ROUTE("GET", "/api/v1/land/parcels/{id}", land_parcels_get, DD_AUTH_OFFICER, "land:read"),
    DD_ROUTE_BODY("POST", "/api/v1/land/parcels/{id}/transfers", land_transfers_create, DD_AUTH_OFFICER, "land:write", DD_BODY_JSON, BODY, NULL),
    DD_ROUTE_BODY("POST", "/api/v1/land/parcels/{id}/certificates", land_certificates_create, DD_AUTH_OFFICER, "land:write", DD_BODY_JSON, BODY, NULL),
    DD_ROUTE("GET", "/api/v1/me/land/parcels", land_me_parcels_list, DD_AUTH_CITIZEN_L1, NULL),
    DD_ROUTES_END,
};
// clang-format on

const struct dd_module dd_module_wallet = {
    .name = "wallet",
    .routes = wallet_routes,
    .on_event = NULL,
};

void
dd_wallet_configure(const struct dd_config *cfg)
{
    if (cfg->issuer[0])
        dd_strlcpy(wallet_settings.base_url, cfg->issuer, sizeof wallet_settings.base_url);
    else
        snprintf(wallet_settings.base_url, sizeof wallet_settings.base_url, "%s://%s",
                 cfg->tls ? "https" : "http", cfg->listen);
    size_t n = strlen(wallet_settings.base_url);
    while (n > 0 && wallet_settings.base_url[n - 1] == '/')
        wallet_settings.base_url[--n] = '\0';
}
