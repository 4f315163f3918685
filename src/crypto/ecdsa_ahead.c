/*
 * ecdsa_ahead.c — the pool of precomputed ECDSA halves (ecdsa_ahead.h).
 *
 * A half is k⁻¹ mod n and r = x(k·G) mod n for a fresh random k; ECDSA_do_sign_ex finishes a
 * signature with one (OpenSSL's own split: ECDSA_sign_setup makes a half the same way, one at
 * a time). Halves are made here in batches, because most of a lone half's cost is two modular
 * inversions, and a batch needs one of each kind (Montgomery's trick):
 *
 *   1. k = (c mod (n − 1)) + 1 for c of 320 random bits (FIPS 186-4 B.5.1, "extra random
 *      bits"), from OpenSSL's private generator;
 *   2. k·G for each k (OpenSSL's constant-time fixed-base multiplication), then all points made
 *      affine at once (EC_POINTs_make_affine: one field inversion), r = x mod n;
 *   3. every k⁻¹ from one inversion of the product of the batch's k, by prefix products in
 *      Montgomery form (three multiplications a half) and Fermat's little theorem in constant
 *      time (BN_mod_exp_mont_consttime).
 * Every secret number is marked BN_FLG_CONSTTIME and wiped after use. A half of P-256 costs
 * about 15 µs this way on the benchmark machine, against 28 µs through ECDSA_sign_setup.
 *
 * The halves depend on the curve alone, so any P-256 key can use them (a rotation of the
 * signing keys keeps the pool). EC_POINTs_make_affine, EC_POINT_get_Jprojective_coordinates_GFp
 * and the EC_KEY signing calls belong to the interface that OpenSSL 3 marks deprecated (still
 * supported, with no EVP equivalent), hence OPENSSL_SUPPRESS_DEPRECATED in this file only.
 *
 * The pool is a stack under one mutex: the filler adds whole batches while one fits and sleeps
 * on a condition otherwise; a signature wakes it once a batch fits again (so it wakes once
 * per BATCH signatures, not for each, and every batch shares its inversions fully). A signature
 * that finds the pool empty while the filler runs (the CPU has been busy for a while) makes a small
 * batch on its own thread: cheaper than one signature in full.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/ecdsa_ahead.h"
#include "base/err.h"
#include "base/log.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#define POOL_SIZE   1024 /* about 200 KiB; two answers' signatures each take one */
#define BATCH       32   /* halves made at once by the filler and dd_ecdsa_ahead_fill */
#define MISS_BATCH  8    /* made by a signature that found the pool empty */
#define NONCE_BYTES 40   /* 320 bits: 64 more than n, as FIPS 186-4 B.5.1 asks */

struct half {
    BIGNUM *kinv; /* k⁻¹ mod n */
    BIGNUM *r;    /* x(k·G) mod n */
};

/* What makes halves: the curve, numbers of its order, and scratch space for one batch. Used by
 * one thread at a time; spare ones wait in a list for the next caller. */
struct maker {
    EC_GROUP *group;
    const BIGNUM *n; /* the group's order */
    BIGNUM *n_minus_1, *n_minus_2;
    BN_MONT_CTX *mont; /* Montgomery form modulo n */
    BN_CTX *bn;
    BIGNUM *x, *z, *inv, *tmp;
    EC_POINT *points[BATCH];
    BIGNUM *k[BATCH];      /* the nonces, in Montgomery form once their points are made */
    BIGNUM *prefix[BATCH]; /* k₀·…·kᵢ, in Montgomery form */
    struct maker *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t room = PTHREAD_COND_INITIALIZER; /* a whole batch fits in the pool */
static struct half pool[POOL_SIZE];
static size_t ready;
static bool running, stopping;
static pthread_t thread;
static uint64_t taken, missed;
static struct maker *spare_makers;

static void
half_wipe(struct half *h)
{
    BN_clear_free(h->kinv);
    BN_clear_free(h->r);
    h->kinv = h->r = NULL;
}

static void
maker_free(struct maker *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < BATCH; i++) {
        EC_POINT_clear_free(m->points[i]);
        BN_clear_free(m->k[i]);
        BN_clear_free(m->prefix[i]);
    }
    BN_clear_free(m->x);
    BN_clear_free(m->z);
    BN_clear_free(m->inv);
    BN_clear_free(m->tmp);
    BN_free(m->n_minus_1);
    BN_free(m->n_minus_2);
    BN_MONT_CTX_free(m->mont);
    BN_CTX_free(m->bn);
    EC_GROUP_free(m->group);
    OPENSSL_free(m);
}

/* A new BIGNUM for secrets (constant-time operations), or NULL. */
static BIGNUM *
secret_bn(void)
{
    BIGNUM *b = BN_new();
    if (b)
        BN_set_flags(b, BN_FLG_CONSTTIME);
    return b;
}

/* A maker of P-256 halves, or NULL when OpenSSL cannot give one. */
static struct maker *
maker_new(void)
{
    struct maker *m = OPENSSL_zalloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    m->bn = BN_CTX_new();
    m->mont = BN_MONT_CTX_new();
    m->n = m->group ? EC_GROUP_get0_order(m->group) : NULL;
    m->n_minus_1 = m->n ? BN_dup(m->n) : NULL;
    m->n_minus_2 = m->n ? BN_dup(m->n) : NULL;
    bool ok = m->bn && m->mont && m->n_minus_1 && m->n_minus_2 && BN_sub_word(m->n_minus_1, 1) &&
              BN_sub_word(m->n_minus_2, 2) && BN_MONT_CTX_set(m->mont, m->n, m->bn);
    ok = ok && (m->x = BN_new()) && (m->z = BN_new()) && (m->inv = secret_bn()) &&
         (m->tmp = secret_bn());
    for (size_t i = 0; ok && i < BATCH; i++)
        ok = (m->points[i] = EC_POINT_new(m->group)) && (m->k[i] = secret_bn()) &&
             (m->prefix[i] = secret_bn());
    if (!ok) {
        maker_free(m);
        return NULL;
    }
    return m;
}

/* A spare maker, or a new one; NULL on failure. */
static struct maker *
maker_take(void)
{
    pthread_mutex_lock(&mu);
    struct maker *m = spare_makers;
    if (m)
        spare_makers = m->next;
    pthread_mutex_unlock(&mu);
    return m ? m : maker_new();
}

static void
maker_give(struct maker *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&mu);
    m->next = spare_makers;
    spare_makers = m;
    pthread_mutex_unlock(&mu);
}

/* Step 1: count fresh nonces into m->k, uniform in [1, n − 1] up to a bias below 2⁻⁶⁴. */
static bool
make_nonces(struct maker *m, size_t count)
{
    unsigned char bytes[BATCH * NONCE_BYTES];
    bool ok = RAND_priv_bytes(bytes, (int)(count * NONCE_BYTES)) == 1;
    for (size_t i = 0; ok && i < count; i++)
        ok = BN_bin2bn(bytes + i * NONCE_BYTES, NONCE_BYTES, m->tmp) &&
             BN_nnmod(m->k[i], m->tmp, m->n_minus_1, m->bn) && BN_add_word(m->k[i], 1);
    OPENSSL_cleanse(bytes, sizeof bytes);
    return ok;
}

/* Step 2: out[i].r = x(kᵢ·G) mod n. */
static bool
make_rs(struct maker *m, size_t count, struct half *out)
{
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++)
        ok = EC_POINT_mul(m->group, m->points[i], m->k[i], NULL, NULL, m->bn) == 1;
    ok = ok && EC_POINTs_make_affine(m->group, count, m->points, m->bn) == 1;
    for (size_t i = 0; ok && i < count; i++)
        ok = EC_POINT_get_Jprojective_coordinates_GFp(m->group, m->points[i], m->x, NULL, m->z,
                                                      m->bn) == 1 &&
             BN_is_one(m->z) && (out[i].r = BN_new()) && BN_nnmod(out[i].r, m->x, m->n, m->bn) &&
             !BN_is_zero(out[i].r);
    return ok;
}

/* Step 3: out[i].kinv = kᵢ⁻¹ mod n, with one inversion for the batch. In Montgomery form (a value
 * a is held as aR; mont(a, b) = abR⁻¹), prefixᵢ = k₀…kᵢ·R; going down from the inverse of the
 * whole product, (k₀…kᵢ)⁻¹R × prefixᵢ₋₁ = kᵢ⁻¹R, and (k₀…kᵢ)⁻¹R × kᵢR = (k₀…kᵢ₋₁)⁻¹R. */
static bool
make_inverses(struct maker *m, size_t count, struct half *out)
{
    BN_MONT_CTX *mont = m->mont;
    BN_CTX *bn = m->bn;
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++)
        ok = BN_to_montgomery(m->k[i], m->k[i], mont, bn) &&
             (i == 0 ? BN_copy(m->prefix[0], m->k[0]) != NULL
                     : BN_mod_mul_montgomery(m->prefix[i], m->prefix[i - 1], m->k[i], mont, bn));
    /* inv = (k₀…k_last)⁻¹R */
    ok = ok && BN_from_montgomery(m->tmp, m->prefix[count - 1], mont, bn) &&
         BN_mod_exp_mont_consttime(m->inv, m->tmp, m->n_minus_2, m->n, bn, mont) &&
         BN_to_montgomery(m->inv, m->inv, mont, bn);
    for (size_t i = count - 1; ok && i > 0; i--) {
        ok = (out[i].kinv = secret_bn()) &&
             BN_mod_mul_montgomery(m->tmp, m->inv, m->prefix[i - 1], mont, bn) &&
             BN_from_montgomery(out[i].kinv, m->tmp, mont, bn) &&
             BN_mod_mul_montgomery(m->inv, m->inv, m->k[i], mont, bn);
    }
    ok = ok && (out[0].kinv = secret_bn()) && BN_from_montgomery(out[0].kinv, m->inv, mont, bn);
    return ok;
}

/* Makes count (1..BATCH) halves into out. On failure every half of out is wiped; the scratch
 * numbers are cleared either way. */
static bool
make_batch(struct maker *m, size_t count, struct half *out)
{
    for (size_t i = 0; i < count; i++)
        out[i].kinv = out[i].r = NULL;
    bool ok = make_nonces(m, count) && make_rs(m, count, out) && make_inverses(m, count, out);
    for (size_t i = 0; i < count; i++) {
        BN_clear(m->k[i]);
        BN_clear(m->prefix[i]);
        if (!ok)
            half_wipe(&out[i]);
    }
    BN_clear(m->inv);
    BN_clear(m->tmp);
    return ok;
}

/* Makes up to want halves (at most BATCH) and puts as many as there is room for in the pool;
 * wipes the others. False when OpenSSL failed. */
static bool
add_batch(struct maker *m, size_t want)
{
    struct half made[BATCH];
    size_t count = want < BATCH ? want : BATCH;
    if (count == 0)
        return true;
    if (!make_batch(m, count, made))
        return false;
    size_t kept = 0;
    pthread_mutex_lock(&mu);
    while (kept < count && ready < POOL_SIZE)
        pool[ready++] = made[kept++];
    pthread_mutex_unlock(&mu);
    while (kept < count)
        half_wipe(&made[kept++]);
    return true;
}

/* Runs at idle priority; makes halves while the pool has room. */
static void *
filler(void *unused)
{
    (void)unused;
    struct sched_param idle = {0};
    int err = pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
    if (err != 0)
        dd_log(DD_LOG_WARN, "ecdsa_ahead.priority",
               "the signature pool's thread runs at normal priority (SCHED_IDLE refused: %d)", err);
    struct maker *m = maker_take();
    bool ok = m != NULL;
    if (!ok)
        dd_log(DD_LOG_WARN, "ecdsa_ahead.setup", "no signature pool: P-256 is not available");
    pthread_mutex_lock(&mu);
    while (ok && !stopping) {
        if (ready > POOL_SIZE - BATCH) { /* woken for whole batches only */
            pthread_cond_wait(&room, &mu);
            continue;
        }
        size_t want = POOL_SIZE - ready;
        pthread_mutex_unlock(&mu);
        ok = add_batch(m, want);
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    maker_give(m);
    return NULL;
}

int
dd_ecdsa_ahead_fill(size_t n)
{
    struct maker *m = maker_take();
    bool ok = m != NULL;
    for (size_t done = 0; ok && done < n; done += BATCH)
        ok = add_batch(m, n - done);
    maker_give(m);
    return ok ? DD_OK : DD_EINVAL;
}

void
dd_ecdsa_ahead_start(void)
{
    pthread_mutex_lock(&mu);
    if (!running) {
        stopping = false;
        running = pthread_create(&thread, NULL, filler, NULL) == 0;
    }
    pthread_mutex_unlock(&mu);
}

void
dd_ecdsa_ahead_stop(void)
{
    pthread_mutex_lock(&mu);
    bool was = running;
    stopping = true;
    pthread_cond_signal(&room);
    pthread_mutex_unlock(&mu);
    if (was)
        pthread_join(thread, NULL);
    pthread_mutex_lock(&mu);
    while (ready)
        half_wipe(&pool[--ready]);
    running = false;
    struct maker *spare = spare_makers;
    spare_makers = NULL;
    pthread_mutex_unlock(&mu);
    while (spare) {
        struct maker *next = spare->next;
        maker_free(spare);
        spare = next;
    }
}

/* The key's EC_KEY when it is a P-256 private key, else NULL. */
static EC_KEY *
p256_key(EVP_PKEY *key)
{
    EC_KEY *ec = EVP_PKEY_get1_EC_KEY(key);
    const EC_GROUP *g = ec ? EC_KEY_get0_group(ec) : NULL;
    if (g && EC_GROUP_get_curve_name(g) == NID_X9_62_prime256v1 && EC_KEY_get0_private_key(ec))
        return ec;
    EC_KEY_free(ec);
    return NULL;
}

/* Takes a half out of the pool into *h; false when it is empty. Sets *filling to whether the
 * filler runs. */
static bool
take_half(struct half *h, bool *filling)
{
    pthread_mutex_lock(&mu);
    bool got = ready > 0;
    if (got) {
        *h = pool[--ready];
        pool[ready].kinv = pool[ready].r = NULL;
        taken++;
        if (ready <= POOL_SIZE - BATCH) /* a batch fits: wakes the filler if it sleeps */
            pthread_cond_signal(&room);
    }
    *filling = running && !stopping;
    pthread_mutex_unlock(&mu);
    return got;
}

int
dd_ecdsa_ahead_sign(EVP_PKEY *key, const unsigned char digest[32], unsigned char raw[64])
{
    struct half h = {NULL, NULL};
    bool filling;
    if (!take_half(&h, &filling)) {
        pthread_mutex_lock(&mu);
        missed++;
        pthread_mutex_unlock(&mu);
        /* Other signatures may take what this makes: then this one is made in full. */
        if (!filling || dd_ecdsa_ahead_fill(MISS_BATCH) != DD_OK || !take_half(&h, &filling))
            return DD_ENOTFOUND;
    }
    EC_KEY *ec = p256_key(key);
    ECDSA_SIG *sig = ec ? ECDSA_do_sign_ex(digest, 32, h.kinv, h.r, ec) : NULL;
    half_wipe(&h); /* used or not, never used again */
    EC_KEY_free(ec);
    const BIGNUM *r, *s;
    if (sig)
        ECDSA_SIG_get0(sig, &r, &s);
    bool ok = sig && BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    return ok ? DD_OK : DD_EINVAL;
}

void
dd_ecdsa_ahead_stats(struct dd_ecdsa_ahead_stats *out)
{
    pthread_mutex_lock(&mu);
    out->ready = ready;
    out->taken = taken;
    out->missed = missed;
    pthread_mutex_unlock(&mu);
}
