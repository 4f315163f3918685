/*
 * ecdsa_ahead.h — P-256 ECDSA signatures whose costly half is computed ahead, in idle time.
 *
 * An ECDSA signature (r, s) spends nearly all its time on what does not depend on the message
 * or the key: a random nonce k, the point k·G, r = x(k·G) mod n and k⁻¹ mod n. Only
 * s = k⁻¹·(z + r·d) needs the digest z and the key d, and takes about a microsecond. A thread
 * of idle priority (SCHED_IDLE: it runs only when nothing else wants the CPU) keeps a pool of
 * such halves ready; each signature takes one out, so no nonce is ever used twice, and its
 * numbers are wiped once used. Halves are made in batches, for a little over half the cost of
 * one made alone (ecdsa_ahead.c says how). When the pool is empty while the thread runs, the
 * signature makes a small batch on its own thread; when the thread was never started (commands,
 * tests), the caller signs in full (crypto/jws.c, through EVP_PKEY_sign). The token endpoint signs
 * one or two JWTs per answer: under bursts of load it signs from the pool, and under steady load
 * the pool is refilled whenever the server waits (on the disk, on the network).
 */
#ifndef DD_CRYPTO_ECDSA_AHEAD_H
#define DD_CRYPTO_ECDSA_AHEAD_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/* Starts the thread that fills the pool (once; later calls do nothing). */
void dd_ecdsa_ahead_start(void);

/* Stops the thread and wipes the pool; signatures are then made in full. */
void dd_ecdsa_ahead_stop(void);

/* Computes up to n halves now, on the caller's thread, into the pool (as far as it has room).
 * DD_OK, or DD_EINVAL when OpenSSL cannot make them. */
int dd_ecdsa_ahead_fill(size_t n);

/* Signs a SHA-256 digest with a P-256 key into raw r||s (the JWS form) with a precomputed half
 * from the pool, making a few on this thread if the pool is empty while its thread runs. DD_OK;
 * DD_ENOTFOUND when no half could be had (the thread is not running, or others took the halves
 * made here: the caller signs in full); DD_EINVAL when the key is not a P-256 private key or the
 * signature fails. */
int dd_ecdsa_ahead_sign(EVP_PKEY *key, const unsigned char digest[32], unsigned char raw[64]);

/* What the pool did: halves ready now, halves taken by signatures, and signatures that found
 * it empty. */
struct dd_ecdsa_ahead_stats {
    size_t ready;
    uint64_t taken;
    uint64_t missed;
};
void dd_ecdsa_ahead_stats(struct dd_ecdsa_ahead_stats *out);

#endif
