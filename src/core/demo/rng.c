/*
 * rng.c — splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014), with unbiased bounded draws.
 */
#include "core/demo/rng.h"

void
dd_demo_rng_seed(struct dd_demo_rng *r, uint64_t seed)
{
    r->state = seed ^ 0x6a09e667f3bcc908ULL;
}

uint64_t
dd_demo_rng_next(struct dd_demo_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t
dd_demo_rng_below(struct dd_demo_rng *r, uint32_t n)
{
    if (n == 0)
        return 0;
    uint32_t limit = UINT32_MAX - UINT32_MAX % n;
    for (;;) {
        uint32_t v = (uint32_t)(dd_demo_rng_next(r) >> 32);
        if (v < limit)
            return v % n;
    }
}

int
dd_demo_rng_range(struct dd_demo_rng *r, int lo, int hi)
{
    return lo + (int)dd_demo_rng_below(r, (uint32_t)(hi - lo + 1));
}

int
dd_demo_rng_chance(struct dd_demo_rng *r, unsigned per_mille)
{
    return dd_demo_rng_below(r, 1000) < per_mille;
}

size_t
dd_demo_rng_weighted(struct dd_demo_rng *r, const unsigned *weights, size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += weights[i];
    uint64_t pick = total ? dd_demo_rng_next(r) % total : 0;
    for (size_t i = 0; i < n; i++) {
        if (pick < weights[i])
            return i;
        pick -= weights[i];
    }
    return n ? n - 1 : 0;
}

void
dd_demo_rng_shuffle(struct dd_demo_rng *r, int32_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = dd_demo_rng_below(r, (uint32_t)i);
        int32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}
