/*
 * recovery.h — short secrets handed to a person: recovery codes for a lost second factor, and
 * 6-digit one-time codes sent by SMS or e-mail. Only salted hashes of them are stored.
 *
 * A recovery code is 12 characters from Crockford's base32 alphabet (digits and lower-case
 * letters without i, l, o and u), shown as "xxxx-xxxx-xxxx": 60 bits from the CSPRNG. Typed
 * input is read leniently: case, spaces and dashes do not matter, and o, i and l are read as 0, 1
 * and 1, the characters people mistake them for.
 *
 * Why SHA-256 and not Argon2id: a password is guessable, so its hash must be slow; a recovery
 * code is 60 random bits, so a fast hash is already out of reach of guessing (2^60 tries per
 * code), and a fast hash lets login check all of an account's codes cheaply. Each stored hash has
 * its own random salt, so one computation never tests codes of several accounts at once.
 *
 * A one-time code has only 10^6 values: its hash keeps the code out of the database, backups and
 * logs, but someone who reads a row could still try every value. What protects it is what the
 * caller must enforce: a life of minutes, a few attempts, and use at most once.
 *
 * Stored form of both: "sha256$" + 32 hex digits of salt + "$" + 64 hex digits of
 * SHA-256(salt ‖ normalised code).
 */
#ifndef DD_CRYPTO_RECOVERY_H
#define DD_CRYPTO_RECOVERY_H

#include <stddef.h>

#define DD_RECOVERY_CODE_SIZE     15  /* "xxxx-xxxx-xxxx" and its NUL */
#define DD_RECOVERY_COUNT_DEFAULT 10  /* codes given to a person at once */
#define DD_OTC_SIZE               7   /* 6 digits and the NUL */
#define DD_CODE_HASH_SIZE         105 /* "sha256$" 32 "$" 64, and the NUL */

/* Writes a new recovery code, "xxxx-xxxx-xxxx", each character drawn uniformly from the
 * alphabet with the CSPRNG. */
void dd_recovery_code_new(char code[DD_RECOVERY_CODE_SIZE]);

/* Makes n new codes and their stored forms: codes[i] is shown to the person once, hashes[i] is
 * kept. Use DD_RECOVERY_COUNT_DEFAULT for n unless there is a reason not to. */
void dd_recovery_codes_new(size_t n, char (*codes)[DD_RECOVERY_CODE_SIZE],
                           char (*hashes)[DD_CODE_HASH_SIZE]);

/* Reads a typed recovery code into its 12 canonical characters (lower case, no separators, o→0,
 * i/l→1) and a NUL. DD_EINVAL if anything else is left or there are not exactly 12. */
int dd_recovery_normalise(const char *input, char out[13]);

/* The stored form of a recovery code (typed or new), with a fresh salt. DD_EINVAL if the input
 * does not normalise. */
int dd_recovery_hash(const char *input, char out[DD_CODE_HASH_SIZE]);

/* Finds which of an account's n stored hashes a typed code matches, hashing against every one of
 * them (no early exit) and comparing in constant time. Returns the index (≥ 0) of the match —
 * the caller deletes or marks that code used, in the same transaction that accepts it —
 * DD_ENOTFOUND if none matches, DD_EINVAL if the input does not normalise. Malformed stored
 * entries never match. */
int dd_recovery_match(const char *input, const char *const *stored, size_t n);

/* Writes a new one-time code: 6 decimal digits with leading zeros, uniform over 000000–999999
 * (drawn without modulo bias). */
void dd_otc_new(char code[DD_OTC_SIZE]);

/* The stored form of a one-time code, with a fresh salt. Spaces in `code` are ignored; DD_EINVAL
 * unless 6 digits remain. */
int dd_otc_hash(const char *code, char out[DD_CODE_HASH_SIZE]);

/* DD_OK if a typed code (spaces ignored) matches a stored form, compared in constant time;
 * DD_EDENIED if not or if `stored` is malformed; DD_EINVAL unless the input is 6 digits. */
int dd_otc_verify(const char *stored, const char *input);

#endif
