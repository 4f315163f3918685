/* password.c — Argon2id through libsodium on the NFC form of a password, and the password rules. */
#include "crypto/password.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "base/utf8.h"
#include "crypto/random.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* The cost of new hashes; set before serving, read by every hashing thread. */
static unsigned long long cost_ops = DD_PASSWORD_OPSLIMIT_DEFAULT;
static size_t cost_mem = (size_t)DD_PASSWORD_MEMLIMIT_KIB_DEFAULT * 1024;

/* The hash dd_password_verify_dummy checks against, made at the cost it records. */
static struct {
    pthread_mutex_t lock;
    char hash[DD_PASSWORD_HASH_MAX];
    unsigned long long ops;
    size_t mem;
} dummy = {.lock = PTHREAD_MUTEX_INITIALIZER};

int
dd_password_configure(long opslimit, long memlimit_kib)
{
    if (opslimit < (long)crypto_pwhash_argon2id_OPSLIMIT_MIN || memlimit_kib < 8 ||
        (unsigned long long)opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX ||
        (unsigned long long)memlimit_kib > crypto_pwhash_argon2id_MEMLIMIT_MAX / 1024)
        return DD_EINVAL;
    cost_ops = (unsigned long long)opslimit;
    cost_mem = (size_t)memlimit_kib * 1024;
    return DD_OK;
}

/* The NFC form of a password in a heap copy the caller wipes with free_secret; NULL with *rc set
 * if it is too long or not UTF-8. */
static char *
nfc_secret(const char *pw, size_t *len, int *rc)
{
    size_t n = strnlen(pw, DD_PASSWORD_MAX_BYTES + 1);
    if (n > DD_PASSWORD_MAX_BYTES) {
        *rc = DD_ETOOBIG;
        return NULL;
    }
    if (!dd_utf8_valid(pw, n, NULL)) {
        *rc = DD_EINVAL;
        return NULL;
    }
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t m = utf8proc_map((const utf8proc_uint8_t *)pw, (utf8proc_ssize_t)n, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (m < 0) {
        *rc = DD_EINVAL;
        return NULL;
    }
    *len = (size_t)m;
    return (char *)out;
}

static void
free_secret(char *s, size_t len)
{
    if (s == NULL)
        return;
    sodium_memzero(s, len);
    free(s);
}

int
dd_password_hash(const char *pw, char out[DD_PASSWORD_HASH_MAX])
{
    dd_sodium_init();
    size_t len = 0;
    int rc = DD_OK;
    char *nfc = nfc_secret(pw, &len, &rc);
    if (nfc == NULL)
        return rc;
    if (crypto_pwhash_str_alg(out, nfc, len, cost_ops, cost_mem, crypto_pwhash_ALG_ARGON2ID13) !=
        0) {
        dd_log(DD_LOG_ERROR, "password.hash_failed", "Argon2id failed (out of memory?)");
        rc = DD_EINTERNAL;
    }
    free_secret(nfc, len);
    return rc;
}

static bool
looks_like_argon2(const char *hash)
{
    return strnlen(hash, DD_PASSWORD_HASH_MAX) < DD_PASSWORD_HASH_MAX &&
           (dd_str_has_prefix(hash, "$argon2id$") || dd_str_has_prefix(hash, "$argon2i$"));
}

int
dd_password_verify(const char *hash, const char *pw)
{
    dd_sodium_init();
    if (!looks_like_argon2(hash))
        return DD_EINVAL;
    size_t len = 0;
    int rc = DD_OK;
    char *nfc = nfc_secret(pw, &len, &rc);
    if (nfc == NULL)
        return rc;
    rc = crypto_pwhash_str_verify(hash, nfc, len) == 0 ? DD_OK : DD_EDENIED;
    free_secret(nfc, len);
    return rc;
}

bool
dd_password_needs_rehash(const char *hash)
{
    dd_sodium_init();
    if (strnlen(hash, DD_PASSWORD_HASH_MAX) >= DD_PASSWORD_HASH_MAX)
        return true;
    /* 0: Argon2id at this cost; 1: another cost; -1: not an Argon2id hash (an Argon2i one too,
     * which the generic crypto_pwhash_str_needs_rehash would leave alone). */
    return crypto_pwhash_argon2id_str_needs_rehash(hash, cost_ops, cost_mem) != 0;
}

/* Makes the dummy hash if it is missing or was made at another cost. */
static void
dummy_refresh(void)
{
    pthread_mutex_lock(&dummy.lock);
    if (dummy.hash[0] == '\0' || dummy.ops != cost_ops || dummy.mem != cost_mem) {
        unsigned char secret[24];
        char text[2 * sizeof secret + 1];
        randombytes_buf(secret, sizeof secret);
        dd_hex_encode(secret, sizeof secret, text);
        if (dd_password_hash(text, dummy.hash) == DD_OK) {
            dummy.ops = cost_ops;
            dummy.mem = cost_mem;
        } else {
            dummy.hash[0] = '\0';
        }
        sodium_memzero(text, sizeof text);
        sodium_memzero(secret, sizeof secret);
    }
    pthread_mutex_unlock(&dummy.lock);
}

void
dd_password_verify_dummy(const char *pw)
{
    dd_sodium_init();
    dummy_refresh();
    char hash[DD_PASSWORD_HASH_MAX];
    pthread_mutex_lock(&dummy.lock);
    memcpy(hash, dummy.hash, sizeof hash);
    pthread_mutex_unlock(&dummy.lock);
    if (hash[0] == '\0')
        return;
    (void)dd_password_verify(hash, pw);
}

/* --- The rules ------------------------------------------------------------------------------ */

static const struct dd_password_rule_info rule_infos[DD_PASSWORD_RULE_COUNT] = {
    [DD_PASSWORD_OK] = {"password-ok", "Mật khẩu hợp lệ.", "The password is acceptable."},
    [DD_PASSWORD_INVALID_UTF8] = {"password-invalid-utf8", "Mật khẩu chứa ký tự không hợp lệ.",
                                  "The password holds characters that are not valid UTF-8."},
    [DD_PASSWORD_TOO_SHORT] = {"password-too-short", "Mật khẩu phải có ít nhất 10 ký tự.",
                               "The password must be at least 10 characters long."},
    [DD_PASSWORD_TOO_LONG] = {"password-too-long", "Mật khẩu không được dài quá 128 ký tự.",
                              "The password must be at most 128 characters long."},
    [DD_PASSWORD_ONE_CHARACTER] = {"password-one-character",
                                   "Mật khẩu không được chỉ lặp lại một ký tự.",
                                   "The password must not be one character repeated."},
    [DD_PASSWORD_IS_USERNAME] = {"password-is-username",
                                 "Mật khẩu không được trùng với tên đăng nhập.",
                                 "The password must not be the same as the username."},
    [DD_PASSWORD_IS_ID_NUMBER] = {"password-is-id-number",
                                  "Mật khẩu không được trùng với số định danh cá nhân.",
                                  "The password must not be the same as the personal ID number."},
};

static const struct dd_password_rule_info generic_info = {
    "password-invalid", "Mật khẩu không hợp lệ.", "The password is not acceptable."};

const struct dd_password_rule_info *
dd_password_rule_info(enum dd_password_rule rule)
{
    if ((int)rule < 0 || rule >= DD_PASSWORD_RULE_COUNT)
        return &generic_info;
    return &rule_infos[rule];
}

/* Counts the code points of valid UTF-8 and tells whether they are all the same. */
static size_t
count_code_points(const char *s, size_t n, bool *all_same)
{
    size_t count = 0;
    utf8proc_int32_t first = -1;
    *all_same = true;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (step <= 0)
            break;
        if (count == 0)
            first = cp;
        else if (cp != first)
            *all_same = false;
        count++;
        i += (size_t)step;
    }
    return count;
}

enum dd_password_rule
dd_password_check(const char *pw, const char *username, const char *id_number)
{
    size_t len = 0;
    int rc = DD_OK;
    char *nfc = nfc_secret(pw, &len, &rc);
    if (nfc == NULL)
        return rc == DD_ETOOBIG ? DD_PASSWORD_TOO_LONG : DD_PASSWORD_INVALID_UTF8;
    bool all_same;
    size_t chars = count_code_points(nfc, len, &all_same);
    enum dd_password_rule rule = DD_PASSWORD_OK;
    if (chars < DD_PASSWORD_MIN_CHARS)
        rule = DD_PASSWORD_TOO_SHORT;
    else if (chars > DD_PASSWORD_MAX_CHARS)
        rule = DD_PASSWORD_TOO_LONG;
    else if (all_same)
        rule = DD_PASSWORD_ONE_CHARACTER;
    else if (username != NULL && username[0] != '\0' && dd_str_eq_nocase(nfc, username))
        rule = DD_PASSWORD_IS_USERNAME;
    else if (id_number != NULL && id_number[0] != '\0' && strcmp(nfc, id_number) == 0)
        rule = DD_PASSWORD_IS_ID_NUMBER;
    free_secret(nfc, len);
    return rule;
}
