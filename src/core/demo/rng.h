/*
 * rng.h — the demo generator's own random numbers: splitmix64, so that one seed gives the same
 * province on every machine and every run (the C library's rand() is neither portable nor
 * seedable per use). Not for anything secret.
 */
#ifndef DD_CORE_DEMO_RNG_H
#define DD_CORE_DEMO_RNG_H

#include <stddef.h>
#include <stdint.h>

struct dd_demo_rng {
    uint64_t state;
};

/* Starts a stream from a seed; different seeds give unrelated streams. */
void dd_demo_rng_seed(struct dd_demo_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t dd_demo_rng_next(struct dd_demo_rng *r);

/* A uniform integer in [0, n); 0 when n is 0. Unbiased (rejection). */
uint32_t dd_demo_rng_below(struct dd_demo_rng *r, uint32_t n);

/* A uniform integer in [lo, hi] (lo <= hi). */
int dd_demo_rng_range(struct dd_demo_rng *r, int lo, int hi);

/* True with probability `per_mille` / 1000. */
int dd_demo_rng_chance(struct dd_demo_rng *r, unsigned per_mille);

/* An index drawn in proportion to weights[0..n) (all >= 0, sum > 0). */
size_t dd_demo_rng_weighted(struct dd_demo_rng *r, const unsigned *weights, size_t n);

/* Shuffles v[0..n) in place (Fisher–Yates). */
void dd_demo_rng_shuffle(struct dd_demo_rng *r, int32_t *v, size_t n);

#endif
