/* recovery.c — recovery codes and one-time codes, and their salted SHA-256 stored forms. */
#include "crypto/recovery.h"
#include "base/err.h"
#include "base/str.h"
#include "crypto/hash.h"
#include "crypto/random.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SALT_LEN   16
#define CODE_CHARS 12

/* Crockford's base32 in lower case: no i, l, o or u. */
static const char code_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

static const char hash_prefix[] = "sha256$";

/* Writes "sha256$SALT$HASH" for a normalised code and a given salt. */
static void
hash_with_salt(const char *norm, const unsigned char salt[SALT_LEN], char out[DD_CODE_HASH_SIZE])
{
    unsigned char input[SALT_LEN + 16];
    size_t n = strlen(norm);
    memcpy(input, salt, SALT_LEN);
    memcpy(input + SALT_LEN, norm, n);
    unsigned char digest[DD_SHA256_LEN];
    dd_sha256(input, SALT_LEN + n, digest);
    size_t p = sizeof hash_prefix - 1;
    memcpy(out, hash_prefix, p);
    dd_hex_encode(salt, SALT_LEN, out + p);
    p += 2 * SALT_LEN;
    out[p++] = '$';
    dd_hex_encode(digest, sizeof digest, out + p);
}

static void
hash_new(const char *norm, char out[DD_CODE_HASH_SIZE])
{
    unsigned char salt[SALT_LEN];
    dd_random_bytes(salt, sizeof salt);
    hash_with_salt(norm, salt, out);
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads the salt of a stored form; false if the form is malformed. */
static bool
parse_stored(const char *stored, unsigned char salt[SALT_LEN])
{
    size_t p = sizeof hash_prefix - 1;
    if (strnlen(stored, DD_CODE_HASH_SIZE) != DD_CODE_HASH_SIZE - 1 ||
        strncmp(stored, hash_prefix, p) != 0 || stored[p + 2 * SALT_LEN] != '$')
        return false;
    for (size_t i = 0; i < SALT_LEN; i++) {
        int hi = hex_value(stored[p + 2 * i]), lo = hex_value(stored[p + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        salt[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

/* True if a normalised code hashes to `stored` (constant-time comparison). */
static bool
matches(const char *stored, const char *norm)
{
    unsigned char salt[SALT_LEN];
    if (!parse_stored(stored, salt))
        return false;
    char again[DD_CODE_HASH_SIZE];
    hash_with_salt(norm, salt, again);
    return CRYPTO_memcmp(again, stored, DD_CODE_HASH_SIZE - 1) == 0;
}

/* --- Recovery codes ------------------------------------------------------------------------- */

void
dd_recovery_code_new(char code[DD_RECOVERY_CODE_SIZE])
{
    size_t o = 0;
    for (int i = 0; i < CODE_CHARS; i++) {
        if (i > 0 && i % 4 == 0)
            code[o++] = '-';
        code[o++] = code_alphabet[dd_random_uniform(sizeof code_alphabet - 1)];
    }
    code[o] = '\0';
}

void
dd_recovery_codes_new(size_t n, char (*codes)[DD_RECOVERY_CODE_SIZE],
                      char (*hashes)[DD_CODE_HASH_SIZE])
{
    for (size_t i = 0; i < n; i++) {
        dd_recovery_code_new(codes[i]);
        if (dd_recovery_hash(codes[i], hashes[i]) != DD_OK)
            hashes[i][0] = '\0'; /* cannot happen: a new code always normalises */
    }
}

int
dd_recovery_normalise(const char *input, char out[13])
{
    size_t n = 0;
    for (; *input; input++) {
        char c = *input;
        if (c == ' ' || c == '-' || c == '\t')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c == 'o')
            c = '0';
        else if (c == 'i' || c == 'l')
            c = '1';
        if (c == '\0' || strchr(code_alphabet, c) == NULL || n == CODE_CHARS)
            return DD_EINVAL;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == CODE_CHARS ? DD_OK : DD_EINVAL;
}

int
dd_recovery_hash(const char *input, char out[DD_CODE_HASH_SIZE])
{
    char norm[CODE_CHARS + 1];
    if (dd_recovery_normalise(input, norm) != DD_OK)
        return DD_EINVAL;
    hash_new(norm, out);
    return DD_OK;
}

int
dd_recovery_match(const char *input, const char *const *stored, size_t n)
{
    char norm[CODE_CHARS + 1];
    if (dd_recovery_normalise(input, norm) != DD_OK)
        return DD_EINVAL;
    int found = DD_ENOTFOUND;
    for (size_t i = 0; i < n; i++)
        if (stored[i] != NULL && matches(stored[i], norm) && found == DD_ENOTFOUND)
            found = (int)i;
    return found;
}

/* --- One-time codes ------------------------------------------------------------------------- */

void
dd_otc_new(char code[DD_OTC_SIZE])
{
    uint32_t v = dd_random_uniform(1000000);
    for (int i = DD_OTC_SIZE - 2; i >= 0; i--) {
        code[i] = (char)('0' + v % 10);
        v /= 10;
    }
    code[DD_OTC_SIZE - 1] = '\0';
}

/* Copies the digits of a typed code, skipping spaces; false unless exactly 6 digits. */
static bool
otc_normalise(const char *code, char out[DD_OTC_SIZE])
{
    size_t n = 0;
    for (; *code; code++) {
        if (*code == ' ')
            continue;
        if (*code < '0' || *code > '9' || n == DD_OTC_SIZE - 1)
            return false;
        out[n++] = *code;
    }
    out[n] = '\0';
    return n == DD_OTC_SIZE - 1;
}

int
dd_otc_hash(const char *code, char out[DD_CODE_HASH_SIZE])
{
    char norm[DD_OTC_SIZE];
    if (!otc_normalise(code, norm))
        return DD_EINVAL;
    hash_new(norm, out);
    return DD_OK;
}

int
dd_otc_verify(const char *stored, const char *input)
{
    char norm[DD_OTC_SIZE];
    if (!otc_normalise(input, norm))
        return DD_EINVAL;
    return matches(stored, norm) ? DD_OK : DD_EDENIED;
}
