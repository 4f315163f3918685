/* hash.c — thin wrappers over OpenSSL's one-shot digest and RAND_bytes. */
#include "crypto/hash.h"
#include "base/str.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>

void
dd_sha256(const void *p, size_t n, unsigned char out[DD_SHA256_LEN])
{
    unsigned int len = 0;
    if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != DD_SHA256_LEN) {
        fprintf(stderr, "dinhdanh: SHA-256 failed\n");
        abort();
    }
}

void
dd_sha256_hex(const void *p, size_t n, char out[2 * DD_SHA256_LEN + 1])
{
    unsigned char digest[DD_SHA256_LEN];
    dd_sha256(p, n, digest);
    dd_hex_encode(digest, sizeof digest, out);
}

void
dd_random_bytes(void *p, size_t n)
{
    if (RAND_bytes(p, (int)n) != 1) {
        fprintf(stderr, "dinhdanh: the random number generator failed\n");
        abort();
    }
}
