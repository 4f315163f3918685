/*
 * totp.h — time-based one-time passwords (RFC 6238) for the second factor, with their secrets in
 * base32 (RFC 4648) and the otpauth:// URI authenticator apps read from a QR code.
 *
 * dinhdanh uses what every authenticator app supports: HMAC-SHA1, 6 digits, a 30-second step,
 * and a code from the step before or after the current one is still accepted (clocks drift).
 * Replay is the caller's to refuse: dd_totp_verify reports the step a code matched, the caller
 * stores it with the account and passes it back next time, and no step at or before it is
 * accepted again.
 */
#ifndef DD_CRYPTO_TOTP_H
#define DD_CRYPTO_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define DD_TOTP_SECRET_LEN 20 /* bytes: 160 bits, the HMAC-SHA1 output size (RFC 4226 §4) */
#define DD_TOTP_STEP       30 /* seconds */
#define DD_TOTP_DIGITS     6
#define DD_TOTP_WINDOW     1 /* steps accepted either side of the current one */

/* Characters of the base32 text of n bytes, without padding, plus the NUL. */
#define DD_BASE32_SIZE(n) ((((n)*8) + 4) / 5 + 1)

/* Writes the base32 text (RFC 4648 §6 alphabet, upper case, no '=' padding) of p[0..n) and a
 * NUL. DD_ETOOBIG (out untouched past outsize) if outsize < DD_BASE32_SIZE(n). */
int dd_base32_encode(const unsigned char *p, size_t n, char *out, size_t outsize);

/* Decodes base32 text into out[0..*outlen). Accepts upper and lower case, and ignores spaces and
 * trailing '=' padding, as people and apps write secrets; DD_EINVAL for any other character, for
 * a length no byte count encodes to (1, 3 or 6 characters past a multiple of 8), or for non-zero
 * unused bits at the end; DD_ETOOBIG if the bytes do not fit in outsize. */
int dd_base32_decode(const char *s, unsigned char *out, size_t outsize, size_t *outlen);

/* Fills a new TOTP secret from the CSPRNG. */
void dd_totp_secret_new(unsigned char secret[DD_TOTP_SECRET_LEN]);

/* The HOTP value (RFC 4226 §5.3) of `counter` under `key`, as `digits` (6 to 8) decimal digits
 * with leading zeros, NUL-terminated in out[digits + 1]. DD_EINVAL for digits out of range or a
 * key shorter than 16 or longer than 64 bytes. */
int dd_hotp(const unsigned char *key, size_t keylen, uint64_t counter, int digits, char *out);

/* The time step of a Unix time (RFC 6238 §4.2, T0 = 0): floor(unix_seconds / 30). Times before
 * 1970 give negative steps, which dd_totp_verify never accepts. */
int64_t dd_totp_step(int64_t unix_seconds);

/* Checks a 6-digit code typed by a person at Unix time `now` against the steps now-1, now and
 * now+1, comparing in constant time and without stopping at the first match. Spaces in `code`
 * are ignored ("123 456"). Steps at or before `after_step` are refused: pass the step stored from
 * the account's last successful code, or -1 if there is none. DD_OK with *matched_step set (the
 * caller stores it); DD_EDENIED if no acceptable step matches (a wrong code and a replayed code
 * look the same); DD_EINVAL if `code` is not 6 digits or the key is not 16–64 bytes. */
int dd_totp_verify(const unsigned char *key, size_t keylen, const char *code, int64_t now,
                   int64_t after_step, int64_t *matched_step);

/* Writes the provisioning URI for an authenticator app:
 *   otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 * with ISSUER and ACCOUNT percent-encoded (everything but RFC 3986's unreserved characters, so a
 * ':' or a Vietnamese letter in them is encoded too). `issuer` is the setting totp-issuer
 * ("dinhdanh" by default); `secret_b32` is dd_base32_encode's text. DD_EINVAL if issuer or
 * account is empty or the secret is not base32; DD_ETOOBIG if out is too small. */
int dd_totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
                size_t outsize);

#endif
