/*
 * test_card_chip.c — what a chip read is made of, without a reader: DG13 of the Vietnamese card
 * built here in the layouts the parser accepts (flat, inside a SET, behind a version wrapper,
 * the parents as two strings or two SEQUENCEs), with long, unknown and missing entries and
 * malformed bytes; the DG2 face (JPEG and JPEG 2000, a wrong image type, no face, truncation);
 * active authentication signatures made here (RSA ISO/IEC 9796-2 scheme 1 with SHA-1 and with
 * SHA-256, ECDSA P-256 plain r || s), each also with another key or another challenge; DG14
 * without chip authentication in it; and the EF.COM tag list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/err.h"
#include "card/aa.h"
#include "card/ca.h"
#include "card/dg13.h"
#include "card/dg2.h"
#include "card/emrtd.h"

#include "card_fixture.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <stdlib.h>
#include <string.h>

/* --- DG13 ---------------------------------------------------------------------------------- */

static void
entry(struct buf *to, int number, const char *a, const char *b, bool nested)
{
    struct buf e = {.n = 0};
    unsigned char num = (unsigned char)number;
    put(&e, 0x02, &num, 1);
    const char *v[] = {a, b};
    for (int i = 0; i < 2 && v[i]; i++) {
        if (nested) {
            struct buf s = {.n = 0};
            put(&s, 0x0C, v[i], strlen(v[i]));
            put(&e, 0x30, s.p, s.n);
        } else {
            put(&e, 0x0C, v[i], strlen(v[i]));
        }
    }
    put(to, 0x30, e.p, e.n);
}

static void
all_entries(struct buf *to, bool nested_parents)
{
    entry(to, 1, "079088001234", NULL, false);
    entry(to, 2, "Lê Thị Hồng Nhung", NULL, false);
    entry(to, 3, "02/09/1988", NULL, false);
    entry(to, 4, "Nữ", NULL, false);
    entry(to, 5, "Việt Nam", NULL, false);
    entry(to, 6, "Kinh", NULL, false);
    entry(to, 7, "Phật giáo", NULL, false);
    entry(to, 8, "Phường 7, Quận 3, TP. Hồ Chí Minh", NULL, false);
    entry(to, 9, "45 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", NULL, false);
    entry(to, 10, "Sẹo chấm C:1cm dưới sau đuôi mắt trái", NULL, false);
    entry(to, 11, "10/05/2021", NULL, false);
    entry(to, 12, "02/09/2028", NULL, false);
    entry(to, 13, "Lê Văn Tâm", "Phạm Thị Hoa", nested_parents);
    entry(to, 14, "Trần Minh Quân", NULL, false);
    entry(to, 15, "025123456", NULL, false);
    entry(to, 16, "0123ABC", NULL, false);
}

static void
check_all(const struct dd_dg13 *d)
{
    assert_string_equal(d->id_number, "079088001234");
    assert_string_equal(d->full_name, "Lê Thị Hồng Nhung");
    assert_string_equal(d->birth_date, "02/09/1988");
    assert_string_equal(d->birth_iso, "1988-09-02");
    assert_string_equal(d->sex, "Nữ");
    assert_string_equal(d->nationality, "Việt Nam");
    assert_string_equal(d->ethnicity, "Kinh");
    assert_string_equal(d->religion, "Phật giáo");
    assert_string_equal(d->hometown, "Phường 7, Quận 3, TP. Hồ Chí Minh");
    assert_string_equal(d->residence, "45 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh");
    assert_string_equal(d->identifying_marks, "Sẹo chấm C:1cm dưới sau đuôi mắt trái");
    assert_string_equal(d->issue_iso, "2021-05-10");
    assert_string_equal(d->expiry_iso, "2028-09-02");
    assert_string_equal(d->father_name, "Lê Văn Tâm");
    assert_string_equal(d->mother_name, "Phạm Thị Hoa");
    assert_string_equal(d->spouse_name, "Trần Minh Quân");
    assert_string_equal(d->old_id_number, "025123456");
    assert_int_equal(d->nother, 1);
    assert_int_equal(d->other[0].number, 16);
    assert_string_equal(d->other[0].value, "0123ABC");
    assert_int_equal(d->nfields, 16);
}

static void
dg13_of(const struct buf *inner, unsigned wrap, struct buf *dg)
{
    struct buf w = {.n = 0};
    if (wrap) {
        put(&w, wrap, inner->p, inner->n);
    } else {
        memcpy(w.p, inner->p, inner->n);
        w.n = inner->n;
    }
    dg->n = 0;
    put(dg, 0x6D, w.p, w.n);
}

static void
dg13_fields_are_read_in_every_layout(void **state)
{
    (void)state;
    struct dd_dg13 d;
    struct buf entries = {.n = 0}, dg;
    all_entries(&entries, false);
    dg13_of(&entries, 0, &dg); /* 6D { 30 {…} 30 {…} … } */
    assert_int_equal(dd_dg13_parse(dg.p, dg.n, &d), DD_OK);
    check_all(&d);
    dg13_of(&entries, 0x31, &dg); /* 6D { 31 { 30 {…} … } } */
    assert_int_equal(dd_dg13_parse(dg.p, dg.n, &d), DD_OK);
    check_all(&d);
    /* 6D { 30 { 02 01 01 (a version), 31 { entries } } }: the wrapper is not an entry. */
    struct buf set = {.n = 0}, wrapped = {.n = 0};
    unsigned char one = 1;
    put(&wrapped, 0x02, &one, 1);
    put(&set, 0x31, entries.p, entries.n);
    memcpy(wrapped.p + wrapped.n, set.p, set.n);
    wrapped.n += set.n;
    dg13_of(&wrapped, 0x30, &dg);
    assert_int_equal(dd_dg13_parse(dg.p, dg.n, &d), DD_OK);
    check_all(&d);
    /* The parents as two SEQUENCEs of one string each. */
    struct buf nested = {.n = 0};
    all_entries(&nested, true);
    dg13_of(&nested, 0x31, &dg);
    assert_int_equal(dd_dg13_parse(dg.p, dg.n, &d), DD_OK);
    check_all(&d);
}

static void
dg13_missing_long_and_odd_values(void **state)
{
    (void)state;
    struct dd_dg13 d;
    struct buf e = {.n = 0}, dg;
    entry(&e, 2, "Nguyễn Văn An", NULL, false);
    entry(&e, 12, "Không thời hạn", NULL, false); /* "no expiry" */
    entry(&e, 14, "", NULL, false);
    char long_name[700];
    size_t k = 0;
    while (k + 3 < sizeof long_name - 1) { /* "ễ" is 3 bytes: the cut must not split one */
        memcpy(long_name + k, "ễ", 3);
        k += 3;
    }
    long_name[k] = '\0';
    entry(&e, 10, long_name, NULL, false);
    dg13_of(&e, 0x31, &dg);
    assert_int_equal(dd_dg13_parse(dg.p, dg.n, &d), DD_OK);
    assert_string_equal(d.full_name, "Nguyễn Văn An");
    assert_string_equal(d.expiry_date, "Không thời hạn");
    assert_string_equal(d.expiry_iso, "");
    assert_string_equal(d.spouse_name, "");
    assert_string_equal(d.id_number, "");
    size_t len = strlen(d.identifying_marks);
    assert_true(len < DD_DG13_MAX_TEXT && len % 3 == 0 && len > 400);
    assert_int_equal(d.nfields, 4);
}

static void
dg13_malformed_or_empty_is_refused(void **state)
{
    (void)state;
    struct dd_dg13 d;
    static const unsigned char not_dg13[] = {0x61, 0x03, 0x30, 0x01, 0x00};
    static const unsigned char empty[] = {0x6D, 0x00};
    static const unsigned char no_entry[] = {0x6D, 0x05, 0x30, 0x03, 0x0C, 0x01, 'x'};
    static const unsigned char truncated[] = {0x6D, 0x08, 0x30, 0x06, 0x02, 0x01, 0x01, 0x0C, 0x05};
    static const unsigned char inner_bad[] = {0x6D, 0x04, 0x31, 0x02, 0x30, 0x05};
    assert_int_equal(dd_dg13_parse(not_dg13, sizeof not_dg13, &d), DD_EINVAL);
    assert_int_equal(dd_dg13_parse(empty, sizeof empty, &d), DD_EINVAL);
    assert_int_equal(dd_dg13_parse(no_entry, sizeof no_entry, &d), DD_EINVAL);
    assert_int_equal(dd_dg13_parse(truncated, sizeof truncated, &d), DD_EINVAL);
    assert_int_equal(dd_dg13_parse(inner_bad, sizeof inner_bad, &d), DD_EINVAL);
    /* Nesting deeper than the parser goes is refused, not recursed without end. */
    unsigned char deep[64];
    size_t n = 0;
    for (int i = 0; i < 20; i++) {
        deep[n++] = 0x31;
        deep[n++] = (unsigned char)(2 * (19 - i));
    }
    unsigned char dg[80] = {0x6D, (unsigned char)n};
    memcpy(dg + 2, deep, n);
    assert_int_equal(dd_dg13_parse(dg, n + 2, &d), DD_EINVAL);
}

/* --- DG2 ----------------------------------------------------------------------------------- */

static void
make_dg2(const unsigned char *img, size_t n, int type, bool with_template, struct buf *dg)
{
    unsigned char rec[512] = {'F', 'A', 'C', 0, '0', '1', '0', 0};
    size_t rl = 14 + 20 + 8 + 12 + n, block = 20 + 8 + 12 + n;
    rec[11] = (unsigned char)rl;
    rec[13] = 1;
    rec[17] = (unsigned char)block;
    rec[14 + 5] = 1; /* one feature point (8 bytes) */
    unsigned char *info = rec + 14 + 20 + 8;
    info[1] = (unsigned char)type;
    info[3] = 200; /* width 200 */
    info[5] = 250; /* height 250 */
    memcpy(info + 12, img, n);
    struct buf t = {.n = 0}, g = {.n = 0}, v = {.n = 0};
    static const unsigned char bht[] = {0x81, 0x01, 0x02};
    put(&t, 0xA1, bht, sizeof bht);
    put(&t, 0x5F2E, rec, rl);
    unsigned char one = 1;
    put(&g, 0x02, &one, 1);
    if (with_template)
        put(&g, 0x7F60, t.p, t.n);
    put(&v, 0x7F61, g.p, g.n);
    dg->n = 0;
    put(dg, 0x75, v.p, v.n);
}

static void
dg2_faces_in_jpeg_and_jpeg2000(void **state)
{
    (void)state;
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9};
    static const unsigned char jp2[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20,
                                        0x20, 0x0D, 0x0A, 0x87, 0x0A, 9,    9};
    static const unsigned char j2k[] = {0xFF, 0x4F, 0xFF, 0x51, 0, 1};
    struct buf dg;
    struct dd_dg2_face f;
    make_dg2(jpeg, sizeof jpeg, 0, true, &dg);
    assert_int_equal(dd_dg2_face(dg.p, dg.n, &f), DD_OK);
    assert_string_equal(f.format, "jpeg");
    assert_string_equal(f.mime, "image/jpeg");
    assert_int_equal(f.width, 200);
    assert_int_equal(f.height, 250);
    assert_int_equal(f.faces, 1);
    assert_int_equal(f.len, sizeof jpeg);
    assert_memory_equal(f.image, jpeg, sizeof jpeg);
    make_dg2(jp2, sizeof jp2, 1, true, &dg);
    assert_int_equal(dd_dg2_face(dg.p, dg.n, &f), DD_OK);
    assert_string_equal(f.format, "jpeg2000");
    assert_int_equal(f.len, sizeof jp2);
    make_dg2(j2k, sizeof j2k, 1, true, &dg);
    assert_int_equal(dd_dg2_face(dg.p, dg.n, &f), DD_OK);
    assert_string_equal(f.mime, "image/jp2");
}

static void
dg2_without_a_face_or_malformed_is_refused(void **state)
{
    (void)state;
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9};
    struct buf dg;
    struct dd_dg2_face f;
    make_dg2(jpeg, sizeof jpeg, 1, true, &dg); /* says JPEG 2000, holds a JPEG */
    assert_int_equal(dd_dg2_face(dg.p, dg.n, &f), DD_EINVAL);
    make_dg2(jpeg, sizeof jpeg, 7, true, &dg); /* an unknown image type */
    assert_int_equal(dd_dg2_face(dg.p, dg.n, &f), DD_EINVAL);
    make_dg2(jpeg, sizeof jpeg, 0, false, &dg); /* no biometric template */
    assert_int_equal(dd_dg2_face(dg.p, dg.n, &f), DD_ENOTFOUND);
    make_dg2(jpeg, sizeof jpeg, 0, true, &dg);
    for (size_t cut = 1; cut < dg.n; cut += 7)
        assert_int_equal(dd_dg2_face(dg.p, dg.n - cut, &f), DD_EINVAL);
    dg.p[0] = 0x61;
    assert_int_equal(dd_dg2_face(dg.p, dg.n, &f), DD_EINVAL);
}

/* --- active authentication ----------------------------------------------------------------- */

static void
dg15_of(EVP_PKEY *k, struct buf *dg)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    dg->n = 0;
    put(dg, 0x6F, der, (size_t)n);
    OPENSSL_free(der);
}

/* An ISO/IEC 9796-2 scheme 1 signature of M1 (random) || m2 with `md`: trailer BC for SHA-1,
 * else id CC. */
static size_t
sign_9796(EVP_PKEY *k, const EVP_MD *md, unsigned id, const unsigned char m2[8], unsigned char *sig)
{
    size_t kl = (size_t)EVP_PKEY_get_size(k), hl = (size_t)EVP_MD_get_size(md),
           t = md == EVP_sha1() ? 1 : 2, m1n = kl - hl - t - 1;
    unsigned char f[512], m[520];
    f[0] = 0x6A;
    for (size_t i = 0; i < m1n; i++)
        f[1 + i] = m[i] = (unsigned char)(i * 13 + 5);
    memcpy(m + m1n, m2, 8);
    EVP_Digest(m, m1n + 8, f + 1 + m1n, NULL, md, NULL);
    if (t == 1) {
        f[kl - 1] = 0xBC;
    } else {
        f[kl - 2] = (unsigned char)id;
        f[kl - 1] = 0xCC;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k, NULL);
    size_t sl = kl;
    assert_true(EVP_PKEY_sign_init(ctx) > 0);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0);
    assert_true(EVP_PKEY_sign(ctx, sig, &sl, f, kl) > 0);
    EVP_PKEY_CTX_free(ctx);
    return sl;
}

static void
rsa_active_authentication(void **state)
{
    (void)state;
    EVP_PKEY *k = EVP_RSA_gen(1024), *other = EVP_RSA_gen(1024);
    struct buf dg15, other15;
    dg15_of(k, &dg15);
    dg15_of(other, &other15);
    const unsigned char challenge[8] = {1, 2, 3, 4, 5, 6, 7, 8},
                        wrong[8] = {1, 2, 3, 4, 5, 6, 7, 9};
    unsigned char sig[256];
    struct dd_aa_result r;
    size_t sl = sign_9796(k, EVP_sha1(), 0, challenge, sig);
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, NULL, 0, challenge, sig, sl, &r), DD_OK);
    assert_int_equal(r.result, DD_PA_PASS);
    assert_string_equal(r.algorithm, "rsa-iso9796-2-sha1");
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, NULL, 0, wrong, sig, sl, &r), DD_EDENIED);
    assert_int_equal(r.result, DD_PA_FAIL);
    assert_int_equal(dd_aa_verify(other15.p, other15.n, NULL, 0, challenge, sig, sl, &r),
                     DD_EDENIED);
    sl = sign_9796(k, EVP_sha256(), 0x34, challenge, sig);
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, NULL, 0, challenge, sig, sl, &r), DD_OK);
    assert_string_equal(r.algorithm, "rsa-iso9796-2-sha256");
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, NULL, 0, challenge, sig, sl - 1, &r), DD_EDENIED);
    static const unsigned char bad15[] = {0x6F, 0x03, 0x30, 0x01, 0x00};
    assert_int_equal(dd_aa_verify(bad15, sizeof bad15, NULL, 0, challenge, sig, sl, &r), DD_EINVAL);
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

static size_t
sign_ec(EVP_PKEY *k, const unsigned char m[8], unsigned char *sig)
{
    unsigned char der[128];
    size_t dl = sizeof der;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    assert_true(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) > 0);
    assert_true(EVP_DigestSign(ctx, der, &dl, m, 8) > 0);
    EVP_MD_CTX_free(ctx);
    const unsigned char *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + 32, 32);
    ECDSA_SIG_free(s);
    return 64;
}

static void
ecdsa_active_authentication(void **state)
{
    (void)state;
    EVP_PKEY *k = new_key(), *other = new_key();
    struct buf dg15, other15;
    dg15_of(k, &dg15);
    dg15_of(other, &other15);
    const unsigned char challenge[8] = {8, 7, 6, 5, 4, 3, 2, 1}, wrong[8] = {0};
    unsigned char sig[64];
    struct dd_aa_result r;
    size_t sl = sign_ec(k, challenge, sig);
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, NULL, 0, challenge, sig, sl, &r), DD_OK);
    assert_string_equal(r.algorithm, "ecdsa-sha256");
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, NULL, 0, wrong, sig, sl, &r), DD_EDENIED);
    assert_int_equal(dd_aa_verify(other15.p, other15.n, NULL, 0, challenge, sig, sl, &r),
                     DD_EDENIED);
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, NULL, 0, challenge, sig, 63, &r), DD_EDENIED);
    /* DG14 naming ecdsa-plain-SHA1 makes SHA-256 signatures fail. */
    static const unsigned char dg14[] = {0x6E, 0x0E, 0x06, 0x0A, 0x04, 0x00, 0x7F, 0x00,
                                         0x07, 0x01, 0x01, 0x04, 0x01, 0x01, 0x00, 0x00};
    assert_int_equal(dd_aa_verify(dg15.p, dg15.n, dg14, sizeof dg14, challenge, sig, sl, &r),
                     DD_EDENIED);
    assert_string_equal(r.algorithm, "ecdsa-sha1");
    EVP_PKEY_free(k);
    EVP_PKEY_free(other);
}

/* Chip authentication stops before sending anything when DG14 offers none or is malformed. */
static void
chip_authentication_needs_an_ecdh_key_and_protocol_in_dg14(void **state)
{
    (void)state;
    struct dd_emrtd e;
    memset(&e, 0, sizeof e); /* no transport: nothing may be sent */
    struct dd_ca_result r;
    static const unsigned char com[] = {0x60, 0x00};
    /* Only an ActiveAuthenticationInfo. */
    static const unsigned char aa_only[] = {0x6E, 0x0F, 0x31, 0x0D, 0x30, 0x0B, 0x06, 0x06, 0x67,
                                            0x81, 0x08, 0x01, 0x01, 0x05, 0x02, 0x01, 0x01};
    assert_int_equal(dd_emrtd_chip_auth(&e, aa_only, sizeof aa_only, com, sizeof com, &r),
                     DD_ENOTFOUND);
    assert_int_equal(r.result, DD_PA_NOT_CHECKED);
    /* A ChipAuthenticationInfo without the public key. */
    static const unsigned char no_key[] = {0x6E, 0x13, 0x31, 0x11, 0x30, 0x0F, 0x06,
                                           0x0A, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x02,
                                           0x02, 0x03, 0x02, 0x02, 0x02, 0x01, 0x01};
    assert_int_equal(dd_emrtd_chip_auth(&e, no_key, sizeof no_key, com, sizeof com, &r),
                     DD_ENOTFOUND);
    static const unsigned char not_dg14[] = {0x6F, 0x02, 0x31, 0x00};
    assert_int_equal(dd_emrtd_chip_auth(&e, not_dg14, sizeof not_dg14, com, sizeof com, &r),
                     DD_EINVAL);
    assert_int_equal(r.result, DD_PA_FAIL);
    static const unsigned char truncated[] = {0x6E, 0x08, 0x31, 0x06, 0x30, 0x09, 0x06};
    assert_int_equal(dd_emrtd_chip_auth(&e, truncated, sizeof truncated, com, sizeof com, &r),
                     DD_EINVAL);
    assert_int_equal(e.apdus, 0);
}

static void
ef_com_lists_the_data_groups(void **state)
{
    (void)state;
    static const unsigned char com[] = {0x60, 0x0D, 0x5F, 0x01, 0x02, '0',  '1', 0x5C,
                                        0x06, 0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F};
    int dgs[16];
    assert_int_equal(dd_emrtd_com_dgs(com, sizeof com, dgs, 16), 6);
    int want[] = {1, 2, 3, 13, 14, 15};
    for (int i = 0; i < 6; i++)
        assert_int_equal(dgs[i], want[i]);
    static const unsigned char no_list[] = {0x60, 0x03, 0x5F, 0x01, 0x00};
    assert_int_equal(dd_emrtd_com_dgs(no_list, sizeof no_list, dgs, 16), DD_EINVAL);
    assert_int_equal(dd_emrtd_dg_fid(1), 0x0101);
    assert_int_equal(dd_emrtd_dg_fid(15), 0x010F);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dg13_fields_are_read_in_every_layout),
        cmocka_unit_test(dg13_missing_long_and_odd_values),
        cmocka_unit_test(dg13_malformed_or_empty_is_refused),
        cmocka_unit_test(dg2_faces_in_jpeg_and_jpeg2000),
        cmocka_unit_test(dg2_without_a_face_or_malformed_is_refused),
        cmocka_unit_test(rsa_active_authentication),
        cmocka_unit_test(ecdsa_active_authentication),
        cmocka_unit_test(chip_authentication_needs_an_ecdh_key_and_protocol_in_dg14),
        cmocka_unit_test(ef_com_lists_the_data_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
