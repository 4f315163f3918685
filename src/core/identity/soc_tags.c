/*
 * soc_tags.c — what a login's events carry for the security operations centre beyond the
 * network: a device fingerprint (the User-Agent as sent and the dd_device cookie when the browser
 * has one, hashed) for "an administrator on a new device", and a refused password's tag, 4 hex
 * digits of a BLAKE2b keyed with a random key made once per server process and never stored or
 * logged. The tag only lets the SOC count how many different passwords one network tried
 * (spraying: one password on many accounts; stuffing: a different one for each); with 65 536
 * values, a key nobody knows and a new key at every start it says nothing about any password.
 */
#include "base/str.h"
#include "core/identity/internal.h"
#include "crypto/hash.h"
#include "http/req.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static unsigned char tag_key[crypto_generichash_KEYBYTES];
static pthread_once_t tag_once = PTHREAD_ONCE_INIT;

static void
tag_key_make(void)
{
    dd_random_bytes(tag_key, sizeof tag_key);
}

void
id_password_tag(const char *password, char out[ID_PW_TAG_LEN + 1])
{
    out[0] = '\0';
    if (password == NULL || password[0] == '\0')
        return;
    pthread_once(&tag_once, tag_key_make);
    unsigned char h[crypto_generichash_BYTES_MIN];
    crypto_generichash(h, sizeof h, (const unsigned char *)password, strlen(password), tag_key,
                       sizeof tag_key);
    snprintf(out, ID_PW_TAG_LEN + 1, "%02x%02x", h[0], h[1]);
}

void
id_device_fingerprint(struct dd_req *req, char out[ID_DEVICE_LEN + 1])
{
    const char *ua = dd_req_header(req, "User-Agent");
    const char *cookie = id_cookie(req, "dd_device");
    char text[600];
    snprintf(text, sizeof text, "%s\n%s", ua ? ua : "", cookie ? cookie : "");
    char hex[2 * DD_SHA256_LEN + 1];
    dd_sha256_hex(text, strlen(text), hex);
    dd_strlcpy(out, hex, ID_DEVICE_LEN + 1);
}
