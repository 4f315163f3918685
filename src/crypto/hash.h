/*
 * hash.h — SHA-256 (libsodium) and random bytes (OpenSSL).
 */
#ifndef DD_CRYPTO_HASH_H
#define DD_CRYPTO_HASH_H

#include <stddef.h>

#define DD_SHA256_LEN 32

/* out = SHA-256(p[0..n)). */
void dd_sha256(const void *p, size_t n, unsigned char out[DD_SHA256_LEN]);

/* Writes the 64 lowercase hex digits of SHA-256(p[0..n)) and a NUL. */
void dd_sha256_hex(const void *p, size_t n, char out[2 * DD_SHA256_LEN + 1]);

/* SHA-256 over data given in pieces (a streamed upload): init, update for each piece, then
 * final, which writes the 64 lowercase hex digits and a NUL. The state is libsodium's, held
 * here without its header. */
struct dd_sha256_ctx {
    unsigned char opaque[128];
};
void dd_sha256_init(struct dd_sha256_ctx *ctx);
void dd_sha256_update(struct dd_sha256_ctx *ctx, const void *p, size_t n);
void dd_sha256_final_hex(struct dd_sha256_ctx *ctx, char out[2 * DD_SHA256_LEN + 1]);

/* Fills p with n bytes from the system's CSPRNG (small draws through a per-thread buffer of
 * its bytes, each handed out once); aborts if it fails. */
void dd_random_bytes(void *p, size_t n);

#endif
