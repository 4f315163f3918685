/*
 * mtls.c — a consumer's client certificate on the gateway's TLS listener.
 *
 * When DATA_DIR/tls/client-ca.pem exists, the server (http/server.c) asks every TLS client for a
 * certificate issued by one of those CAs; clients without one go on as before. The gateway takes
 * the certificate a connection presented, checks it against those CAs (its signature and its
 * dates, with GnuTLS), and names the caller by the SHA-256 of its DER: the thumbprint the LGSP
 * administrator registered for a consumer subsystem. The TLS handshake has proved that the
 * client holds the certificate's private key.
 */
#include "crypto/hash.h"
#include "http/req.h"
#include "lgsp/internal.h"

#include <gnutls/gnutls.h>
#include <microhttpd.h>

bool
lgsp_client_cert(struct dd_req *req, char out[65])
{
    if (req->conn == NULL)
        return false;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci == NULL || ci->tls_session == NULL)
        return false;
    gnutls_session_t session = (gnutls_session_t)ci->tls_session;
    unsigned n = 0;
    const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &n);
    if (certs == NULL || n == 0)
        return false;
    unsigned status = 0;
    if (gnutls_certificate_verify_peers2(session, &status) != GNUTLS_E_SUCCESS || status != 0)
        return false;
    dd_sha256_hex(certs[0].data, certs[0].size, out);
    return true;
}
