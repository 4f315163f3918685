/*
 * sm.h — Basic Access Control and secure messaging (ICAO 9303 Part 11 §9.7–9.8) as pure
 * functions: the BAC key seed from the MRZ information, the key derivation function for 3DES
 * and AES keys, ISO/IEC 9797-1 padding method 2, 3DES and AES in CBC mode, the MACs (ISO/IEC
 * 9797-1 MAC algorithm 3 "retail MAC" with DES, AES-CMAC truncated to 8 bytes), the BAC mutual
 * authentication cryptograms, the session keys and send sequence counter, and the protection of
 * a command APDU and checking of a response APDU. No I/O: a reader (apdu.h) calls these.
 */
#ifndef DD_CARD_SM_H
#define DD_CARD_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dd_sm_cipher { DD_SM_3DES, DD_SM_AES128, DD_SM_AES192, DD_SM_AES256 };

/* Counters of the key derivation function (Part 11 §9.7.1). */
#define DD_SM_KDF_ENC  1
#define DD_SM_KDF_MAC  2
#define DD_SM_KDF_PACE 3

#define DD_SM_MAX_APDU 65544 /* an extended APDU with 64 KiB of data and its SM objects */

/* The key length of a cipher in bytes (16 for two-key 3DES). */
size_t dd_sm_key_len(enum dd_sm_cipher c);

/* The block length: 8 for 3DES, 16 for AES. */
size_t dd_sm_block_len(enum dd_sm_cipher c);

/* K_seed = the first 16 bytes of SHA-1(MRZ information). */
void dd_bac_seed(const char *mrz_info, size_t n, unsigned char kseed[16]);

/* KDF(K, c): SHA-1 (3DES, AES-128) or SHA-256 (AES-192/256) of secret || c as 32 bits big-endian,
 * cut to the key length; 3DES keys get odd DES parity. Writes dd_sm_key_len(c) bytes. */
void dd_sm_kdf(enum dd_sm_cipher c, const unsigned char *secret, size_t n, uint32_t counter,
               unsigned char *key);

/* Padding method 2: appends 0x80 then zeros up to a multiple of `block`. Returns the padded
 * length, or 0 when cap is too small. `in` and `out` may be the same buffer. */
size_t dd_sm_pad(const unsigned char *in, size_t n, size_t block, unsigned char *out, size_t cap);

/* The length of p[0..n) without its method-2 padding, or DD_EINVAL if it is not so padded. */
int dd_sm_unpad(const unsigned char *p, size_t n, size_t *len);

/* CBC encryption/decryption of n bytes (a multiple of the block) without padding; iv NULL means
 * zeros. Returns DD_OK or DD_EINVAL. */
int dd_sm_encrypt(enum dd_sm_cipher c, const unsigned char *key, const unsigned char *iv,
                  const unsigned char *in, size_t n, unsigned char *out);
int dd_sm_decrypt(enum dd_sm_cipher c, const unsigned char *key, const unsigned char *iv,
                  const unsigned char *in, size_t n, unsigned char *out);

/* The 8-byte MAC of already padded data (a multiple of the block): retail MAC for 3DES, CMAC
 * cut to 8 bytes for AES. Returns DD_OK or DD_EINVAL. */
int dd_sm_mac(enum dd_sm_cipher c, const unsigned char *key, const unsigned char *in, size_t n,
              unsigned char mac[8]);

/* A secure-messaging session: keys and the send sequence counter (8 bytes for 3DES, 16 for
 * AES, big-endian). */
struct dd_sm {
    enum dd_sm_cipher cipher;
    unsigned char kenc[32];
    unsigned char kmac[32];
    unsigned char ssc[16];
};

/* BAC step 1 (terminal): E_IFD || M_IFD for EXTERNAL AUTHENTICATE, 40 bytes, from the basic
 * keys, RND.IFD, RND.ICC (from GET CHALLENGE) and K.IFD. */
int dd_bac_ifd_cryptogram(const unsigned char kenc[16], const unsigned char kmac[16],
                          const unsigned char rnd_ifd[8], const unsigned char rnd_icc[8],
                          const unsigned char k_ifd[16], unsigned char out[40]);

/* BAC step 2 (terminal): checks the chip's 40-byte answer (its MAC, RND.ICC and RND.IFD echoed)
 * and sets *sm to the session keys (KDF of K.IFD xor K.ICC) and SSC = RND.ICC[4..8) ||
 * RND.IFD[4..8). Returns DD_OK, or DD_EDENIED when the chip's answer does not check out. */
int dd_bac_session(const unsigned char kenc[16], const unsigned char kmac[16],
                   const unsigned char rnd_ifd[8], const unsigned char rnd_icc[8],
                   const unsigned char k_ifd[16], const unsigned char resp[40], struct dd_sm *sm);

/* Adds one to the send sequence counter. */
void dd_sm_ssc_increment(struct dd_sm *sm);

/* Protects a plain command APDU (cases 1–4, short or extended): increments the SSC, encrypts the
 * data into DO'87' (DO'85' for an odd INS), puts Le in DO'97', the MAC in DO'8E', and sets the
 * SM bits of CLA. Returns DD_OK, or DD_EINVAL for a malformed APDU / DD_ETOOBIG for cap. */
int dd_sm_protect(struct dd_sm *sm, const unsigned char *apdu, size_t n, unsigned char *out,
                  size_t cap, size_t *outlen);

/* Checks a protected response APDU: increments the SSC, verifies DO'8E' over DO'85'/'87' and
 * DO'99', decrypts the data. Writes data || SW1 SW2 to out. Returns DD_OK, DD_EDENIED when the
 * MAC is wrong or missing, DD_EINVAL when malformed, DD_ETOOBIG for cap. */
int dd_sm_unprotect(struct dd_sm *sm, const unsigned char *rapdu, size_t n, unsigned char *out,
                    size_t cap, size_t *outlen);

#endif
