/*
 * hash.c — SHA-256 (in one call or in pieces) and random bytes through libsodium.
 *
 * SHA-256 runs on every API request (the bearer token's hash is the key of the token cache);
 * libsodium's one-shot function costs a fraction of OpenSSL 3's EVP_Digest, which looks the
 * algorithm up and builds a context on each call. Random bytes come from the kernel
 * (getrandom, through libsodium): each token issued takes some, and OpenSSL 3's RAND_bytes costs
 * several times more per call once many threads share it.
 */
#include "crypto/hash.h"
#include "base/str.h"
#include "crypto/random.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dd_sha256(const void *p, size_t n, unsigned char out[DD_SHA256_LEN])
{
    if (crypto_hash_sha256(out, p, n) != 0) {
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

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(struct dd_sha256_ctx),
               "struct dd_sha256_ctx holds libsodium's SHA-256 state");

/* The state is copied in and out (a few dozen bytes) rather than cast, so no object is read
 * through a type it does not have. */
void
dd_sha256_init(struct dd_sha256_ctx *ctx)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    memcpy(ctx->opaque, &st, sizeof st);
}

void
dd_sha256_update(struct dd_sha256_ctx *ctx, const void *p, size_t n)
{
    crypto_hash_sha256_state st;
    memcpy(&st, ctx->opaque, sizeof st);
    crypto_hash_sha256_update(&st, p, n);
    memcpy(ctx->opaque, &st, sizeof st);
}

void
dd_sha256_final_hex(struct dd_sha256_ctx *ctx, char out[2 * DD_SHA256_LEN + 1])
{
    crypto_hash_sha256_state st;
    unsigned char digest[DD_SHA256_LEN];
    memcpy(&st, ctx->opaque, sizeof st);
    crypto_hash_sha256_final(&st, digest);
    dd_hex_encode(digest, sizeof digest, out);
}

void
dd_random_bytes(void *p, size_t n)
{
    dd_sodium_init();
    randombytes_buf(p, n);
}
