/* random.c — libsodium's one-time start (pthread_once) and uniform integers from it. */
#include "crypto/random.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void
sodium_start(void)
{
    /* 0: started now; 1: already started by someone else; -1: no entropy source. */
    if (sodium_init() < 0) {
        fprintf(stderr, "dinhdanh: libsodium could not be initialised\n");
        abort();
    }
}

void
dd_sodium_init(void)
{
    pthread_once(&sodium_once, sodium_start);
}

uint32_t
dd_random_uniform(uint32_t upper)
{
    dd_sodium_init();
    if (upper < 2)
        return 0;
    return randombytes_uniform(upper);
}
