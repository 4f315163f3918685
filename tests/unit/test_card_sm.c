/*
 * test_card_sm.c — BAC and secure messaging against the worked example of ICAO Doc 9303
 * Part 11 (Eighth edition, 2021), Appendix D "Worked Example: Basic Access Control" (D.1 key
 * derivation from the MRZ information L898902C<369080619406236, D.2 authentication and session
 * keys, D.4 secure messaging: SELECT EF.COM, READ BINARY of its first 4 bytes and the answers).
 * Every hex value below is copied from that appendix. Then the AES path (no worked example in
 * the appendix) round-trips, and tampered or replayed responses are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "card/sm.h"

#include <string.h>

static size_t
unhex(const char *h, unsigned char *out)
{
    size_t n = 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v = 0;
        for (int i = 0; i < 2; i++) {
            char c = h[i];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[n++] = (unsigned char)v;
    }
    return n;
}

#define assert_hex(buf, len, hex)                                                                  \
    do {                                                                                           \
        unsigned char want_[512];                                                                  \
        size_t wn_ = unhex(hex, want_);                                                            \
        assert_int_equal((len), wn_);                                                              \
        assert_memory_equal((buf), want_, wn_);                                                    \
    } while (0)

static void
bac_keys_from_mrz_information_match_appendix_d1(void **state)
{
    (void)state;
    const char *info = "L898902C<369080619406236";
    unsigned char seed[16], kenc[16], kmac[16];
    dd_bac_seed(info, strlen(info), seed);
    assert_hex(seed, 16, "239AB9CB282DAF66231DC5A4DF6BFBAE");
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_ENC, kenc);
    assert_hex(kenc, 16, "AB94FDECF2674FDFB9B391F85D7F76F2");
    dd_sm_kdf(DD_SM_3DES, seed, 16, DD_SM_KDF_MAC, kmac);
    assert_hex(kmac, 16, "7962D9ECE03D1ACD4C76089DCE131543");
}

/* D.2/D.3 values shared by the next tests. */
static const char *KENC = "AB94FDECF2674FDFB9B391F85D7F76F2";
static const char *KMAC = "7962D9ECE03D1ACD4C76089DCE131543";
static const char *RND_IC = "4608F91988702212";
static const char *RND_IFD = "781723860C06C226";
static const char *K_IFD = "0B795240CB7049B01C19B33E32804F0B";
static const char *RESP = "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
                          "2F2D235D074D7449";

static void
start_session(struct dd_sm *sm)
{
    unsigned char kenc[16], kmac[16], ric[8], rifd[8], kifd[16], resp[40];
    unhex(KENC, kenc);
    unhex(KMAC, kmac);
    unhex(RND_IC, ric);
    unhex(RND_IFD, rifd);
    unhex(K_IFD, kifd);
    unhex(RESP, resp);
    assert_int_equal(dd_bac_session(kenc, kmac, rifd, ric, kifd, resp, sm), DD_OK);
}

static void
mutual_authentication_and_session_keys_match_appendix_d3(void **state)
{
    (void)state;
    unsigned char kenc[16], kmac[16], ric[8], rifd[8], kifd[16], cmd[40];
    unhex(KENC, kenc);
    unhex(KMAC, kmac);
    unhex(RND_IC, ric);
    unhex(RND_IFD, rifd);
    unhex(K_IFD, kifd);
    assert_int_equal(dd_bac_ifd_cryptogram(kenc, kmac, rifd, ric, kifd, cmd), DD_OK);
    assert_hex(cmd, 40,
               "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
               "5F1448EEA8AD90A7");
    struct dd_sm sm;
    start_session(&sm);
    assert_hex(sm.kenc, 16, "979EC13B1CBFE9DCD01AB0FED307EAE5");
    assert_hex(sm.kmac, 16, "F1CB1F1FB5ADF208806B89DC579DC1F8");
    assert_hex(sm.ssc, 8, "887022120C06C226");

    /* A chip answer with one bit changed, or from another terminal's challenge, is refused. */
    unsigned char resp[40];
    unhex(RESP, resp);
    resp[39] ^= 1;
    assert_int_equal(dd_bac_session(kenc, kmac, rifd, ric, kifd, resp, &sm), DD_EDENIED);
    unhex(RESP, resp);
    rifd[0] ^= 1;
    assert_int_equal(dd_bac_session(kenc, kmac, rifd, ric, kifd, resp, &sm), DD_EDENIED);
}

static void
protected_select_and_read_binary_match_appendix_d4(void **state)
{
    (void)state;
    struct dd_sm sm;
    start_session(&sm);
    unsigned char apdu[64], out[128];
    size_t n = unhex("00A4020C02011E", apdu), on = 0;
    assert_int_equal(dd_sm_protect(&sm, apdu, n, out, sizeof out, &on), DD_OK);
    assert_hex(out, on, "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
    assert_hex(sm.ssc, 8, "887022120C06C227");

    n = unhex("990290008E08FA855A5D4C50A8ED9000", apdu);
    assert_int_equal(dd_sm_unprotect(&sm, apdu, n, out, sizeof out, &on), DD_OK);
    assert_hex(out, on, "9000");

    n = unhex("00B0000004", apdu);
    assert_int_equal(dd_sm_protect(&sm, apdu, n, out, sizeof out, &on), DD_OK);
    assert_hex(out, on, "0CB000000D9701048E08ED6705417E96BA5500");

    n = unhex("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", apdu);
    struct dd_sm replay = sm;
    assert_int_equal(dd_sm_unprotect(&sm, apdu, n, out, sizeof out, &on), DD_OK);
    assert_hex(out, on, "60145F019000");

    /* The same answer again (the counter has moved on) or with a changed byte is refused. */
    assert_int_equal(dd_sm_unprotect(&sm, apdu, n, out, sizeof out, &on), DD_EDENIED);
    apdu[5] ^= 0x40;
    assert_int_equal(dd_sm_unprotect(&replay, apdu, n, out, sizeof out, &on), DD_EDENIED);
    /* No MAC at all: refused. */
    n = unhex("9000", apdu);
    assert_int_equal(dd_sm_unprotect(&sm, apdu, n, out, sizeof out, &on), DD_EDENIED);
}

static void
padding_method_2_round_trips_and_refuses_bad_padding(void **state)
{
    (void)state;
    unsigned char buf[32] = {1, 2, 3};
    assert_int_equal(dd_sm_pad(buf, 3, 8, buf, sizeof buf), 8);
    assert_hex(buf, 8, "0102038000000000");
    assert_int_equal(dd_sm_pad(buf, 8, 8, buf, sizeof buf), 16); /* a whole block more */
    size_t n = 0;
    assert_int_equal(dd_sm_unpad(buf, 16, &n), DD_OK);
    assert_int_equal(n, 8);
    unsigned char bad[8] = {1, 2, 3, 0, 0, 0, 0, 0};
    assert_int_equal(dd_sm_unpad(bad, 8, &n), DD_EINVAL);
    assert_int_equal(dd_sm_pad(buf, 16, 8, buf, 16), 0); /* no room */
}

/* AES: a terminal and a chip with the same keys and counter — the chip side built from the
 * primitives as Part 11 §9.8 describes — understand each other; a chip answer is checked. */
static void
aes_sessions_protect_and_check_both_ways(void **state)
{
    (void)state;
    for (enum dd_sm_cipher c = DD_SM_AES128; c <= DD_SM_AES256; c++) {
        struct dd_sm sm = {.cipher = c};
        unsigned char secret[16] = "0123456789abcdef";
        dd_sm_kdf(c, secret, 16, DD_SM_KDF_ENC, sm.kenc);
        dd_sm_kdf(c, secret, 16, DD_SM_KDF_MAC, sm.kmac);
        struct dd_sm chip = sm;
        unsigned char apdu[16], out[128];
        size_t n = unhex("00B0000004", apdu), on = 0;
        assert_int_equal(dd_sm_protect(&sm, apdu, n, out, sizeof out, &on), DD_OK);
        assert_int_equal(out[0], 0x0C);
        assert_int_equal(sm.ssc[15], 1);
        /* The chip answers 4 bytes: SSC+1, IV = E(K_enc, SSC), DO87 DO99 DO8E. */
        dd_sm_ssc_increment(&chip);
        dd_sm_ssc_increment(&chip);
        unsigned char iv[16], plain[16] = {0x60, 0x14, 0x5F, 0x01}, enc[16];
        assert_int_equal(dd_sm_encrypt(c, chip.kenc, NULL, chip.ssc, 16, iv), DD_OK);
        size_t pl = dd_sm_pad(plain, 4, 16, plain, sizeof plain);
        assert_int_equal(dd_sm_encrypt(c, chip.kenc, iv, plain, pl, enc), DD_OK);
        unsigned char r[64], m[80];
        size_t rn = 0;
        r[rn++] = 0x87;
        r[rn++] = 17;
        r[rn++] = 1;
        memcpy(r + rn, enc, 16);
        rn += 16;
        memcpy(r + rn, "\x99\x02\x90\x00", 4);
        rn += 4;
        memcpy(m, chip.ssc, 16);
        memcpy(m + 16, r, rn);
        size_t mn = dd_sm_pad(m, 16 + rn, 16, m, sizeof m);
        r[rn++] = 0x8E;
        r[rn++] = 8;
        assert_int_equal(dd_sm_mac(c, chip.kmac, m, mn, r + rn), DD_OK);
        rn += 8;
        r[rn++] = 0x90;
        r[rn++] = 0x00;
        struct dd_sm again = sm;
        assert_int_equal(dd_sm_unprotect(&sm, r, rn, out, sizeof out, &on), DD_OK);
        assert_hex(out, on, "60145F019000");
        r[4] ^= 1;
        assert_int_equal(dd_sm_unprotect(&again, r, rn, out, sizeof out, &on), DD_EDENIED);
    }
}

static void
malformed_apdus_are_refused(void **state)
{
    (void)state;
    struct dd_sm sm;
    start_session(&sm);
    unsigned char out[64];
    size_t on;
    /* Too short; Lc promising more data than there is; a response that is not TLV. */
    assert_int_equal(dd_sm_protect(&sm, (const unsigned char *)"\x00\xA4\x02", 3, out, 64, &on),
                     DD_EINVAL);
    assert_int_equal(
        dd_sm_protect(&sm, (const unsigned char *)"\x00\xA4\x02\x0C\x05\x01", 6, out, 64, &on),
        DD_EINVAL);
    assert_int_equal(
        dd_sm_unprotect(&sm, (const unsigned char *)"\x87\x40\x01\x90\x00", 5, out, 64, &on),
        DD_EINVAL);
    /* No room for the protected APDU. */
    assert_int_equal(
        dd_sm_protect(&sm, (const unsigned char *)"\x00\xA4\x02\x0C\x02\x01\x1E", 7, out, 8, &on),
        DD_ETOOBIG);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bac_keys_from_mrz_information_match_appendix_d1),
        cmocka_unit_test(mutual_authentication_and_session_keys_match_appendix_d3),
        cmocka_unit_test(protected_select_and_read_binary_match_appendix_d4),
        cmocka_unit_test(padding_method_2_round_trips_and_refuses_bad_padding),
        cmocka_unit_test(aes_sessions_protect_and_check_both_ways),
        cmocka_unit_test(malformed_apdus_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
