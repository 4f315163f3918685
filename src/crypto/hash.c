/*
 * hash.c — SHA-256 (in one call or in pieces) and random bytes.
 *
 * SHA-256 runs on every API request (the bearer token's hash is the key of the token cache) and
 * several times for each token issued (the signed text of a JWT, at_hash, the keys of refresh
 * tokens). The one-call form uses OpenSSL's SHA-256 functions on a state on the stack: they run
 * the CPU's SHA instructions where there are some (about five times faster than libsodium's
 * portable code on 1 KiB), and unlike EVP_Digest they allocate nothing (EVP makes and frees a
 * context and the provider's state on every call: 0.35 µs for 60 bytes against 0.13 µs, on the
 * benchmark machine). They belong to the interface OpenSSL 3 marks deprecated (still supported),
 * hence OPENSSL_SUPPRESS_DEPRECATED in this file. The piecewise form (uploads) keeps
 * libsodium's state, which lives in the caller's struct without an allocation. Random bytes
 * come from the kernel (getrandom, through libsodium), a kilobyte at a time per thread for small
 * draws (see dd_random_bytes): each token issued takes some, and OpenSSL 3's RAND_bytes costs
 * several times more per call once many threads share it.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/hash.h"
#include "base/str.h"
#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
dd_sha256(const void *p, size_t n, unsigned char out[DD_SHA256_LEN])
{
    SHA256_CTX c;
    if (SHA256_Init(&c) != 1 || SHA256_Update(&c, p, n) != 1 || SHA256_Final(out, &c) != 1) {
        fprintf(stderr, "dinhdanh: SHA-256 failed\n");
        abort();
    }
    OPENSSL_cleanse(&c, sizeof c); /* what was hashed may be a secret */
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

/* Small draws (tokens, identifiers: a few dozen bytes each) come out of a per-thread buffer
 * filled from the kernel RANDOM_BUFFER bytes at a time, so that a token issued costs no system
 * call of its own. Each byte is handed out once and wiped from the buffer as it goes. A child
 * process starts with an empty buffer (pthread_atfork), so parent and child never hand out the
 * same bytes. Larger draws go to the kernel directly. */
#define RANDOM_BUFFER 1024
#define RANDOM_SMALL  64

static __thread unsigned char random_buffer[RANDOM_BUFFER];
static __thread size_t random_left; /* unused bytes at the end of random_buffer */
static pthread_once_t random_once = PTHREAD_ONCE_INIT;

static void
random_forget(void)
{
    sodium_memzero(random_buffer, sizeof random_buffer);
    random_left = 0;
}

static void
random_setup(void)
{
    dd_sodium_init();
    if (pthread_atfork(NULL, NULL, random_forget) != 0) {
        fprintf(stderr, "dinhdanh: cannot guard random bytes across fork\n");
        abort();
    }
}

void
dd_random_bytes(void *p, size_t n)
{
    pthread_once(&random_once, random_setup);
    if (n > RANDOM_SMALL) {
        randombytes_buf(p, n);
        return;
    }
    if (random_left < n) {
        randombytes_buf(random_buffer, sizeof random_buffer);
        random_left = sizeof random_buffer;
    }
    unsigned char *from = random_buffer + sizeof random_buffer - random_left;
    memcpy(p, from, n);
    sodium_memzero(from, n);
    random_left -= n;
}
