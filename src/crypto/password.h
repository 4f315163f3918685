/*
 * password.h — password hashing (Argon2id, libsodium), upgrade on login, and the password rules.
 *
 * Hashes are libsodium's encoded strings, "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>": the
 * salt and the cost are kept with the hash, so the cost can be raised at any time; hashes made
 * at the old cost still verify, and dd_password_needs_rehash tells the login code to store a
 * new hash while it holds the password.
 *
 * Passwords are Unicode text: hashing and verifying both work on the NFC form, so the same
 * password typed on keyboards that compose accents differently (NFC or NFD) still matches.
 *
 * Cost: memory 19 MiB (19456 KiB), 2 passes, 1 lane — OWASP's recommended minimum for Argon2id
 * (m=19 MiB, t=2, p=1; libsodium always uses one lane). On the 2-core server (AMD EPYC) one hash
 * takes about 46 ms, so a core verifies about 21 passwords a second and the server about 43,
 * with 19 MiB per login in progress. libsodium's "interactive" cost (64 MiB, 2 passes) took
 * 147 ms here, about 7 logins a second per core: a morning burst of several hundred citizens
 * would queue for tens of seconds and starve the rest of the API of CPU. Operators with more
 * cores may raise both through the settings password-opslimit and password-memlimit-kib;
 * stored hashes then upgrade at each user's next login.
 */
#ifndef DD_CRYPTO_PASSWORD_H
#define DD_CRYPTO_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define DD_PASSWORD_HASH_MAX             128 /* bytes of an encoded hash with its NUL */
#define DD_PASSWORD_OPSLIMIT_DEFAULT     2
#define DD_PASSWORD_MEMLIMIT_KIB_DEFAULT 19456
#define DD_PASSWORD_MIN_CHARS            10   /* code points */
#define DD_PASSWORD_MAX_CHARS            128  /* code points */
#define DD_PASSWORD_MAX_BYTES            1024 /* longest input hash and verify accept */

/* Sets the cost of new hashes: opslimit passes over memlimit_kib KiB of memory. Call it once at
 * start, before any thread hashes (it is not synchronised with hashing). DD_EINVAL if a value is
 * outside libsodium's bounds for Argon2id (opslimit ≥ 1, memlimit_kib ≥ 8); the cost is then
 * unchanged. Until it is called the defaults above apply. */
int dd_password_configure(long opslimit, long memlimit_kib);

/* Hashes a password at the configured cost with a fresh random salt and writes the encoded
 * string (NUL-terminated) to `out`. DD_EINVAL if `pw` is not valid UTF-8, DD_ETOOBIG if it is
 * longer than DD_PASSWORD_MAX_BYTES, DD_EINTERNAL if libsodium fails (out of memory). The
 * password rules are not checked here: call dd_password_check first. */
int dd_password_hash(const char *pw, char out[DD_PASSWORD_HASH_MAX]);

/* Checks a password against a stored hash, in time that does not depend on where they differ.
 * DD_OK if it matches; DD_EDENIED if it does not; DD_EINVAL if the hash is not an Argon2
 * encoded string or `pw` is not valid UTF-8; DD_ETOOBIG for a password over
 * DD_PASSWORD_MAX_BYTES. Works with hashes of any cost. */
int dd_password_verify(const char *hash, const char *pw);

/* True if `hash` was made at another cost than the configured one, by another algorithm, or is
 * not a valid hash: after a successful verify, hash the password again and store the result. */
bool dd_password_needs_rehash(const char *hash);

/* Does the work of dd_password_verify against a hash of a random password at the configured cost,
 * and throws the result away. Call it when the account asked for does not exist, so that a login
 * takes the same time whether or not it does. The hash is made on the first call (and again
 * after the cost changes), so a server should call it once at start to warm it. */
void dd_password_verify_dummy(const char *pw);

/* What the password rules found. The numbers are stable; each has a code and messages. */
enum dd_password_rule {
    DD_PASSWORD_OK = 0,
    DD_PASSWORD_INVALID_UTF8,  /* not well-formed UTF-8 */
    DD_PASSWORD_TOO_SHORT,     /* fewer than DD_PASSWORD_MIN_CHARS code points (NFC) */
    DD_PASSWORD_TOO_LONG,      /* more than DD_PASSWORD_MAX_CHARS code points (NFC) */
    DD_PASSWORD_ONE_CHARACTER, /* the same character repeated */
    DD_PASSWORD_IS_USERNAME,   /* equal to the username, ignoring case */
    DD_PASSWORD_IS_ID_NUMBER,  /* equal to the person's ID number */
    DD_PASSWORD_RULE_COUNT
};

struct dd_password_rule_info {
    const char *code;       /* stable, for problem "errors": "password-too-short", … */
    const char *message_vi; /* a sentence for the person, in Vietnamese */
    const char *message_en; /* the same in English */
};

/* Checks a new password against the rules, in the order of the enum (the first broken rule is
 * returned). `username` and `id_number` may be NULL or empty when there is none. */
enum dd_password_rule dd_password_check(const char *pw, const char *username,
                                        const char *id_number);

/* The code and messages of a rule (never NULL; a value outside the enum gets a generic row with
 * code "password-invalid"). For the HTTP layer:
 *   dd_problem_add_error(ext, req, "password", i->code, i->message_vi, i->message_en). */
const struct dd_password_rule_info *dd_password_rule_info(enum dd_password_rule rule);

#endif
