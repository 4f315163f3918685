/*
 * ecdsa_ahead.c — the pool of precomputed ECDSA halves (ecdsa_ahead.h).
 *
 * OpenSSL splits the signature this way itself: ECDSA_sign_setup makes k⁻¹ and r for a group,
 * and ECDSA_do_sign_ex finishes a signature with them. Both belong to the EC_KEY interface that
 * OpenSSL 3 marks deprecated (still supported, with no EVP equivalent), hence
 * OPENSSL_SUPPRESS_DEPRECATED in this file only. The halves depend on the curve alone, so the
 * filler computes them with a throwaway key of its own and any P-256 key can use them (a
 * rotation of the signing keys keeps the pool).
 *
 * The pool is a stack under one mutex: the filler pushes while it is below POOL_SIZE and sleeps
 * on a condition otherwise; a signature pops one half and signals the filler.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/ecdsa_ahead.h"
#include "base/err.h"
#include "base/log.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#define POOL_SIZE 1024 /* about 200 KiB; two answers' signatures each take one */

struct half {
    BIGNUM *kinv; /* k⁻¹ mod n */
    BIGNUM *r;    /* x(k·G) mod n */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t room = PTHREAD_COND_INITIALIZER; /* the pool fell below its size */
static struct half pool[POOL_SIZE];
static size_t ready;
static bool running, stopping;
static pthread_t thread;
static uint64_t taken, missed;

static void
half_wipe(struct half *h)
{
    BN_clear_free(h->kinv);
    BN_clear_free(h->r);
    h->kinv = h->r = NULL;
}

/* A throwaway P-256 key to compute halves with (they depend on the curve alone), or NULL. */
static EC_KEY *
setup_key(void)
{
    EC_KEY *key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    if (key && EC_KEY_generate_key(key) == 1)
        return key;
    EC_KEY_free(key);
    return NULL;
}

/* Computes one half and adds it to the pool if there is room. Called without the mutex. */
static bool
add_half(EC_KEY *key, BN_CTX *bn)
{
    struct half h = {NULL, NULL};
    if (ECDSA_sign_setup(key, bn, &h.kinv, &h.r) != 1)
        return false;
    pthread_mutex_lock(&mu);
    bool room_left = ready < POOL_SIZE;
    if (room_left)
        pool[ready++] = h;
    pthread_mutex_unlock(&mu);
    if (!room_left)
        half_wipe(&h);
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
    EC_KEY *key = setup_key();
    BN_CTX *bn = BN_CTX_new();
    bool ok = key && bn;
    if (!ok)
        dd_log(DD_LOG_WARN, "ecdsa_ahead.setup", "no signature pool: P-256 is not available");
    pthread_mutex_lock(&mu);
    while (ok && !stopping) {
        if (ready == POOL_SIZE) {
            pthread_cond_wait(&room, &mu);
            continue;
        }
        pthread_mutex_unlock(&mu);
        ok = add_half(key, bn);
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    BN_CTX_free(bn);
    EC_KEY_free(key);
    return NULL;
}

int
dd_ecdsa_ahead_fill(size_t n)
{
    EC_KEY *key = setup_key();
    BN_CTX *bn = BN_CTX_new();
    bool ok = key && bn;
    for (size_t i = 0; ok && i < n; i++)
        ok = add_half(key, bn);
    BN_CTX_free(bn);
    EC_KEY_free(key);
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
    pthread_mutex_unlock(&mu);
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

int
dd_ecdsa_ahead_sign(EVP_PKEY *key, const unsigned char digest[32], unsigned char raw[64])
{
    struct half h = {NULL, NULL};
    pthread_mutex_lock(&mu);
    if (ready) {
        h = pool[--ready];
        pool[ready].kinv = pool[ready].r = NULL;
        taken++;
        pthread_cond_signal(&room);
    } else {
        missed++;
    }
    pthread_mutex_unlock(&mu);
    if (h.kinv == NULL)
        return DD_ENOTFOUND;
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
