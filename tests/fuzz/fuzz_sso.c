/*
 * fuzz_sso.c — libFuzzer target for what the single sign-on endpoints parse from strangers:
 * compact JWS (client assertions, id_token_hint, bearer tokens), JWKs (a client's keys),
 * base64url and application/x-www-form-urlencoded bodies. The first byte chooses the parser.
 * A parse that succeeds must give what it promised (an object, the three parts, at most
 * SSO_FORM_MAX parameters); base64url that decodes must encode back to the same text.
 */
#include "base/arena.h"
#include "crypto/jws.h"
#include "sso/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
jws(struct dd_arena *a, const char *text)
{
    struct dd_jws j;
    if (dd_jws_parse(a, text, &j) != 0)
        return;
    if (!json_is_object(j.header) || !json_is_object(j.payload) || j.alg == DD_JWS_ALG_REFUSED ||
        j.signing_len >= strlen(text))
        abort();
    dd_jwt_check_times(j.payload, 1700000000, 30);
    dd_jwt_aud_has(j.payload, "x");
}

static void
jwk(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    EVP_PKEY *k = NULL;
    if (v && dd_jwk_parse(v, &k) == 0) {
        char tp[44];
        if (k == NULL || dd_jwk_thumbprint(k, tp) != 0 || strlen(tp) != 43)
            abort();
    }
    EVP_PKEY_free(k);
    json_decref(v);
}

static void
b64url(const char *text, size_t n)
{
    unsigned char out[4096];
    size_t len;
    if (n > 4096 || dd_b64url_decode(text, n, out, sizeof out, &len) != 0)
        return;
    char back[6000];
    if (dd_b64url_encode(out, len, back, sizeof back) != 0 || strlen(back) != n ||
        memcmp(back, text, n) != 0)
        abort();
}

static void
form(struct dd_arena *a, const char *text, size_t n)
{
    struct sso_form f;
    sso_form_parse(a, text, n, &f);
    if (f.n > SSO_FORM_MAX)
        abort();
    for (int i = 0; i < f.n; i++)
        if (f.names[i] == NULL || f.values[i] == NULL)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct dd_arena *a = dd_arena_new(0);
    char *text = dd_arena_strndup(a, (const char *)data + 1, size - 1);
    size_t n = strlen(text);
    switch (data[0] % 4) {
    case 0:
        jws(a, text);
        break;
    case 1:
        jwk(text);
        break;
    case 2:
        b64url(text, n);
        break;
    default:
        form(a, text, n);
        break;
    }
    dd_arena_free(a);
    return 0;
}
