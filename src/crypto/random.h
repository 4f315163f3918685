/*
 * random.h — libsodium set up once, and unbiased random integers.
 *
 * Random bytes for keys and tokens come from dd_random_bytes (crypto/hash.h: the kernel's, through
 * libsodium). This file
 * adds what libsodium is needed for: its one-time initialisation, which every user of libsodium
 * in dinhdanh goes through, and integers drawn uniformly from a range without modulo bias (for
 * one-time codes and characters of recovery codes).
 */
#ifndef DD_CRYPTO_RANDOM_H
#define DD_CRYPTO_RANDOM_H

#include <stdint.h>

/* Initialises libsodium exactly once, whichever thread calls first; later calls return at once.
 * Aborts if libsodium cannot start (no usable entropy source): nothing secure can run then. */
void dd_sodium_init(void);

/* Returns a number in [0, upper) drawn uniformly from the CSPRNG (libsodium rejects the draws
 * that would bias the result, so every value is equally likely). `upper` must be at least 1;
 * 0 and 1 both return 0. */
uint32_t dd_random_uniform(uint32_t upper);

#endif
