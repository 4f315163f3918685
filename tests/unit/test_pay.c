/*
 * test_pay.c — the payments core (src/core/pay/): the CRC-16/CCITT-FALSE check value; VietQR
 * payloads built and parsed against vectors (the static and dynamic payloads below are also what
 * the npm package vietnam-qr-pay 1.5.1 writes for the same fields), and refused with a reason for
 * a CRC that does not match, lengths that overrun (at the top and inside 38 and 62), a missing
 * CRC field, a wrong GUID, currency or amount, and a repeated field; QR images as PNG and SVG;
 * the VNPay-style signature against an HMAC-SHA512 computed independently (Python's hmac), a
 * tampered parameter, and the form decoding. On SQLite and PostgreSQL: an intent's creation and
 * moves, each with its transition row; `payment.paid` in the outbox exactly when the move
 * commits; moves not allowed and stale versions refused; expiry; bad input storing nothing.
 */
#include "db_fixture.h"

#include "base/arena.h"
#include "base/buf.h"
#include "core/pay/pay.h"
#include "core/pay/qr_image.h"
#include "core/pay/vietqr.h"
#include "core/pay/vnpay.h"

#include <ctype.h>

#define T0 1790000000000LL /* 2026-09-21T…Z */

/* vietnam-qr-pay 1.5.1: QRPay.initVietQR({bankBin: '970415', bankNumber: '113366668888'}) */
static const char static_vector[] =
    "00020101021138560010A0000007270126000697041501121133666688880208QRIBFTTA53037045802VN6304F443";
/* … with amount '79000' and purpose 'Thanh toan don hang' */
static const char dynamic_vector[] =
    "00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA530370454057900058"
    "02VN62230819Thanh toan don hang6304EAC8";

static void
crc_check_value(void **state)
{
    (void)state;
    /* The catalogued check value of CRC-16/CCITT-FALSE over "123456789". */
    assert_int_equal(dd_vietqr_crc16("123456789", 9), 0x29B1);
    assert_int_equal(dd_vietqr_crc16("", 0), 0xFFFF);
}

static void
build_matches_vectors(void **state)
{
    (void)state;
    char out[DD_VIETQR_MAX + 1], err[200];
    struct dd_vietqr_build b = {.bin = "970415", .account = "113366668888"};
    assert_int_equal(dd_vietqr_build(&b, out, sizeof out, err, sizeof err), DD_OK);
    assert_string_equal(out, static_vector);
    b.amount = 79000;
    b.purpose = "Thanh toan don hang";
    assert_int_equal(dd_vietqr_build(&b, out, sizeof out, err, sizeof err), DD_OK);
    assert_string_equal(out, dynamic_vector);
    /* A card, a reference and a bill number: 38/02 QRIBFTTC, 62/01 and 62/05. */
    struct dd_vietqr_build c = {.bin = "970436",
                                .account = "9704366614091234",
                                .card = true,
                                .amount = 150000,
                                .reference = "DDAB12CD34EF",
                                .bill_number = "HD-7"};
    assert_int_equal(dd_vietqr_build(&c, out, sizeof out, err, sizeof err), DD_OK);
    assert_non_null(strstr(out, "0208QRIBFTTC"));
    assert_non_null(strstr(out, "62240104HD-70512DDAB12CD34EF"));
    struct dd_vietqr q;
    assert_int_equal(dd_vietqr_parse(out, strlen(out), &q), DD_OK);
    assert_string_equal(q.account, "9704366614091234");
    assert_string_equal(q.service, "QRIBFTTC");
    assert_string_equal(q.reference, "DDAB12CD34EF");
    assert_string_equal(q.bill_number, "HD-7");
    assert_string_equal(q.amount, "150000");
}

static void
build_refuses_bad_fields(void **state)
{
    (void)state;
    char out[DD_VIETQR_MAX + 1], err[200];
    struct dd_vietqr_build b = {.bin = "97041", .account = "1"};
    assert_int_equal(dd_vietqr_build(&b, out, sizeof out, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "BIN"));
    b = (struct dd_vietqr_build){.bin = "970415", .account = "12345678901234567890"};
    assert_int_equal(dd_vietqr_build(&b, out, sizeof out, err, sizeof err), DD_EINVAL);
    b = (struct dd_vietqr_build){.bin = "970415", .account = "12", .purpose = "Lệ phí"};
    assert_int_equal(dd_vietqr_build(&b, out, sizeof out, err, sizeof err), DD_EINVAL);
    assert_non_null(strstr(err, "ASCII"));
    b = (struct dd_vietqr_build){.bin = "970415", .account = "12", .amount = -5};
    assert_int_equal(dd_vietqr_build(&b, out, sizeof out, err, sizeof err), DD_EINVAL);
    b = (struct dd_vietqr_build){.bin = "970415", .account = "12"};
    assert_int_equal(dd_vietqr_build(&b, out, 20, err, sizeof err), DD_ETOOBIG);
}

static void
parse_reads_vectors(void **state)
{
    (void)state;
    struct dd_vietqr q;
    assert_int_equal(dd_vietqr_parse(static_vector, strlen(static_vector), &q), DD_OK);
    assert_string_equal(q.initiation, "11");
    assert_string_equal(q.guid, "A000000727");
    assert_string_equal(q.bin, "970415");
    assert_string_equal(q.account, "113366668888");
    assert_string_equal(q.service, "QRIBFTTA");
    assert_string_equal(q.amount, "");
    assert_string_equal(q.crc, "F443");
    assert_int_equal(dd_vietqr_parse(dynamic_vector, strlen(dynamic_vector), &q), DD_OK);
    assert_string_equal(q.initiation, "12");
    assert_string_equal(q.amount, "79000");
    assert_string_equal(q.purpose, "Thanh toan don hang");
    assert_string_equal(q.currency, "704");
    assert_string_equal(q.country, "VN");
    /* The CRC may be written in lower case. */
    char lower[sizeof dynamic_vector];
    memcpy(lower, dynamic_vector, sizeof lower);
    lower[sizeof lower - 3] = 'c';
    assert_int_equal(dd_vietqr_parse(lower, strlen(lower), &q), DD_OK);
}

/* Parses `p` (NUL-terminated) expecting failure with `why` in the error. */
static void
refused(const char *p, const char *why)
{
    struct dd_vietqr q;
    assert_int_equal(dd_vietqr_parse(p, strlen(p), &q), DD_EINVAL);
    if (strstr(q.error, why) == NULL)
        fail_msg("\"%s\": error \"%s\" lacks \"%s\"", p, q.error, why);
}

/* A payload from `body` (everything before 6304) with its right CRC. */
static const char *
with_crc(char *buf, size_t cap, const char *body)
{
    char tmp[DD_VIETQR_MAX + 1];
    snprintf(tmp, sizeof tmp, "%s6304", body);
    snprintf(buf, cap, "%s%04X", tmp, dd_vietqr_crc16(tmp, strlen(tmp)));
    return buf;
}

static void
parse_refuses_bad_payloads(void **state)
{
    (void)state;
    char p[DD_VIETQR_MAX + 1];
    /* One character changed: the CRC no longer matches. */
    memcpy(p, dynamic_vector, sizeof dynamic_vector);
    p[60] = '8';
    refused(p, "CRC mismatch");
    /* The CRC field altered. */
    memcpy(p, static_vector, sizeof static_vector);
    p[strlen(p) - 1] = '4';
    refused(p, "CRC mismatch");
    refused("000201010211", "must end with field 63");
    memcpy(p, static_vector, sizeof static_vector);
    p[strlen(p) - 2] = 'G';
    refused(p, "hexadecimal");
    /* A length running past the end, at the top and inside 38/01 and 62. */
    refused(with_crc(p, sizeof p, "000201010211389900"), "only");
    refused(with_crc(p, sizeof p,
                     "00020101021138560010A0000007270126000697041501991133666688880208QRIBFTTA53"
                     "037045802VN"),
            "field 38/01");
    refused(with_crc(p, sizeof p,
                     "00020101021138560010A0000007270126000697041501121133666688880208QRIBFTTA53"
                     "037045802VN62050899x"),
            "field 62");
    /* Wrong GUID, currency, amount; a field twice; an unknown initiation. */
    refused(with_crc(p, sizeof p,
                     "00020101021138560010A0000007280126000697041501121133666688880208QRIBFTTA53"
                     "037045802VN"),
            "GUID");
    refused(with_crc(p, sizeof p,
                     "00020101021138560010A0000007270126000697041501121133666688880208QRIBFTTA53"
                     "038405802VN"),
            "currency");
    refused(with_crc(p, sizeof p,
                     "00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA"
                     "5303704540507900"
                     "5802VN"),
            "amount");
    refused(with_crc(p, sizeof p,
                     "00020101021138560010A0000007270126000697041501121133666688880208QRIBFTTA53"
                     "03704530370458 02VN"),
            "field");
    refused(with_crc(p, sizeof p,
                     "00020101021338560010A0000007270126000697041501121133666688880208QRIBFTTA53"
                     "037045802VN"),
            "initiation");
}

static void
qr_images(void **state)
{
    (void)state;
    struct dd_buf b;
    dd_buf_init(&b, NULL, 1 << 20);
    assert_int_equal(dd_qr_png(dynamic_vector, 4, &b), DD_OK);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    assert_memory_equal(b.data, sig, 8);
    assert_memory_equal(b.data + 12, "IHDR", 4);
    const unsigned char *w = (const unsigned char *)b.data + 16;
    uint32_t width = (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 | (uint32_t)w[2] << 8 | w[3];
    assert_int_equal(width % 4, 0);
    assert_true(width >= (21 + 8) * 4);
    assert_memory_equal(b.data + b.len - 8, "IEND", 4);
    dd_buf_release(&b);
    dd_buf_init(&b, NULL, 1 << 20);
    assert_int_equal(dd_qr_svg(static_vector, &b), DD_OK);
    assert_true(strncmp(b.data, "<svg ", 5) == 0);
    assert_non_null(strstr(b.data, "h1v1h-1z"));
    dd_buf_release(&b);
    dd_buf_init(&b, NULL, 1 << 20);
    assert_int_equal(dd_qr_png("", 4, &b), DD_EINVAL);
    assert_int_equal(dd_qr_png("x", 0, &b), DD_EINVAL);
    dd_buf_release(&b);
}

static void
vnpay_signature(void **state)
{
    (void)state;
    struct dd_vnpay_params p = {0};
    dd_vnpay_set(&p, "vnp_TxnRef", "DDABCDEFGH12");
    dd_vnpay_set(&p, "vnp_OrderInfo", "Thanh toan don hang #123");
    dd_vnpay_set(&p, "vnp_Amount", "1000000");
    char hash[DD_VNPAY_HASH_HEX + 1];
    assert_int_equal(dd_vnpay_sign(&p, "SECRETKEY", hash), DD_OK);
    /* hmac.new(b'SECRETKEY', b'vnp_Amount=1000000&vnp_OrderInfo=Thanh+toan+don+hang+%23123&'
     *          b'vnp_TxnRef=DDABCDEFGH12', hashlib.sha512).hexdigest() */
    assert_string_equal(hash, "8f9321172c26e2d5090f6d3a6c59665fd1ed275c3df09f7b01f03b2ff3cbcf62"
                              "42faa333d2059d028baecad30a2c2e1fff2e3cdd0d6b6d6b977f8ec2f7f55952");
    assert_false(dd_vnpay_verify(&p, "SECRETKEY"));
    dd_vnpay_set(&p, "vnp_SecureHash", hash);
    dd_vnpay_set(&p, "vnp_SecureHashType", "HmacSHA512");
    assert_true(dd_vnpay_verify(&p, "SECRETKEY"));
    assert_false(dd_vnpay_verify(&p, "OTHERKEY"));
    assert_false(dd_vnpay_verify(&p, ""));
    char upper[DD_VNPAY_HASH_HEX + 1];
    for (int i = 0; i <= DD_VNPAY_HASH_HEX; i++)
        upper[i] = (char)toupper((unsigned char)hash[i]);
    dd_vnpay_set(&p, "vnp_SecureHash", upper);
    assert_true(dd_vnpay_verify(&p, "SECRETKEY"));
    dd_vnpay_set(&p, "vnp_Amount", "100000000");
    assert_false(dd_vnpay_verify(&p, "SECRETKEY"));

    struct dd_buf b;
    dd_buf_init(&b, NULL, 4096);
    struct dd_vnpay_params q = {0};
    dd_vnpay_set(&q, "b", "x y");
    dd_vnpay_set(&q, "a", "1/2");
    assert_int_equal(dd_vnpay_query(&q, "k", &b), DD_OK);
    assert_true(strncmp(b.data, "a=1%2F2&b=x+y&vnp_SecureHash=", 29) == 0);
    struct dd_arena *a = dd_arena_new(0);
    struct dd_vnpay_params back;
    assert_int_equal(dd_vnpay_parse_form(a, b.data, b.len, &back), DD_OK);
    assert_string_equal(dd_vnpay_get(&back, "a"), "1/2");
    assert_string_equal(dd_vnpay_get(&back, "b"), "x y");
    assert_true(dd_vnpay_verify(&back, "k"));
    assert_int_equal(dd_vnpay_parse_form(a, "a=%4", 4, &back), DD_EINVAL);
    assert_int_equal(dd_vnpay_parse_form(a, "a=%zz", 5, &back), DD_EINVAL);
    assert_int_equal(dd_vnpay_parse_form(a, "a=1&a=2", 7, &back), DD_EINVAL);
    assert_string_equal(dd_vnpay_message("97"), "Invalid signature");
    dd_arena_free(a);
    dd_buf_release(&b);
}

static void
moves_allowed(void **state)
{
    (void)state;
    assert_true(dd_pay_can_move("created", "pending"));
    assert_true(dd_pay_can_move("pending", "paid"));
    assert_true(dd_pay_can_move("failed", "pending"));
    assert_true(dd_pay_can_move("paid", "refunded"));
    assert_false(dd_pay_can_move("paid", "pending"));
    assert_false(dd_pay_can_move("expired", "paid"));
    assert_false(dd_pay_can_move("refunded", "paid"));
    assert_false(dd_pay_can_move("pending", "created"));
    assert_true(dd_pay_purpose_valid("fine"));
    assert_false(dd_pay_purpose_valid("bribe"));
}

/* --- on both databases --- */

struct env {
    struct dbfx *fx;
    struct dd_arena *a;
};

static struct env
setup(void **state)
{
    struct env e = {.fx = dbfx_get(state), .a = dd_arena_new(0)};
    dbfx_migrate_core(e.fx->db);
    return e;
}

static const struct dd_pay_new fine = {
    .purpose = "fine",
    .description = "Phạt vi phạm giao thông",
    .amount = 800000,
    .payer_id_number = "056090001234",
    .module = "traffic",
    .object_type = "violation",
    .object_id = "BB-2026-001",
    .created_by = "officer:1",
};

static void
create(struct env *e, const struct dd_pay_new *n, struct dd_payment *p)
{
    assert_int_equal(dd_db_begin(e->fx->db), DD_OK);
    assert_int_equal(dd_pay_create(e->fx->db, e->a, n, T0, p), DD_OK);
    assert_int_equal(dd_db_commit(e->fx->db), DD_OK);
}

static int
move(struct env *e, struct dd_payment *p, const char *to, int64_t at, bool commit)
{
    struct dd_pay_move m = {.to = to,
                            .actor = "vnpay",
                            .method = "vnpay",
                            .gateway_txn = "1234",
                            .detail_json = "{\"code\":\"00\"}",
                            .now_ms = at};
    assert_int_equal(dd_db_begin(e->fx->db), DD_OK);
    int rc = dd_pay_move(e->fx->db, e->a, p, &m);
    if (rc == DD_OK && commit)
        assert_int_equal(dd_db_commit(e->fx->db), DD_OK);
    else
        assert_int_equal(dd_db_rollback(e->fx->db), DD_OK);
    return rc;
}

static void
intent_moves_are_recorded_with_their_events(void **state)
{
    struct env e = setup(state);
    struct dd_db *db = e.fx->db;
    struct dd_payment p;
    create(&e, &fine, &p);
    assert_string_equal(p.state, "created");
    assert_int_equal(strlen(p.reference), DD_PAY_REFERENCE_LEN);
    assert_true(strncmp(p.reference, "DD", 2) == 0);
    assert_string_equal(p.expires_at, "2026-09-22T14:13:20.000Z");
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM payment_transitions"), 1);

    assert_int_equal(move(&e, &p, "pending", T0 + 1000, true), DD_OK);
    struct dd_payment stale = p;
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type LIKE 'payment.%'"), 0);
    /* A move rolled back leaves neither the state, nor a transition, nor an event. */
    struct dd_payment copy = p;
    assert_int_equal(move(&e, &copy, "paid", T0 + 2000, false), DD_OK);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'payment.paid'"), 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM payment_transitions"), 2);
    struct dd_payment now;
    assert_int_equal(dd_pay_get(db, e.a, p.id, &now), DD_OK);
    assert_string_equal(now.state, "pending");

    assert_int_equal(move(&e, &p, "paid", T0 + 3000, true), DD_OK);
    assert_int_equal(strlen(p.receipt_code), 32);
    assert_int_equal(dd_pay_get_by_receipt(db, e.a, p.receipt_code, &now), DD_OK);
    assert_string_equal(now.state, "paid");
    assert_string_equal(now.method, "vnpay");
    assert_string_equal(now.gateway_txn, "1234");
    assert_string_equal(now.paid_at, "2026-09-21T14:13:23.000Z");
    assert_int_equal(now.version, 3);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'payment.paid'"), 1);
    char payload[2048];
    dbfx_text(db, "SELECT payload FROM events WHERE type = 'payment.paid'", payload,
              sizeof payload);
    assert_non_null(strstr(payload, "\"module\":\"traffic\""));
    assert_non_null(strstr(payload, "\"id\":\"BB-2026-001\""));
    assert_non_null(strstr(payload, "\"amount\":800000"));
    char subject[64];
    dbfx_text(db, "SELECT subject FROM events WHERE type = 'payment.paid'", subject,
              sizeof subject);
    assert_true(strncmp(subject, "payment:pay_", 12) == 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM payment_transitions WHERE to_state = "
                                  "'paid' AND actor = 'vnpay' AND detail = '{\"code\":\"00\"}'"),
                     1);

    /* Not allowed from paid; a stale copy is a conflict. */
    assert_int_equal(move(&e, &p, "pending", T0 + 4000, true), DD_EINVAL);
    assert_int_equal(move(&e, &stale, "failed", T0 + 4000, true), DD_ECONFLICT);
    assert_int_equal(move(&e, &p, "refunded", T0 + 5000, true), DD_OK);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'payment.refunded'"),
                     1);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM payment_transitions"), 4);
    dd_arena_free(e.a);
}

static void
due_intents_expire(void **state)
{
    struct env e = setup(state);
    struct dd_db *db = e.fx->db;
    struct dd_pay_new n = fine;
    n.ttl_seconds = 60;
    struct dd_payment short_one, long_one, paid;
    create(&e, &n, &short_one);
    create(&e, &fine, &long_one);
    create(&e, &n, &paid);
    assert_int_equal(move(&e, &paid, "paid", T0 + 1000, true), DD_OK);
    assert_false(dd_pay_due_to_expire(&short_one, T0 + 59000));
    assert_true(dd_pay_due_to_expire(&short_one, T0 + 60000));
    assert_false(dd_pay_due_to_expire(&paid, T0 + 60000));
    int count = -1;
    assert_int_equal(dd_pay_expire_due(db, T0 + 59000, 10, &count), DD_OK);
    assert_int_equal(count, 0);
    assert_int_equal(dd_pay_expire_due(db, T0 + 61000, 10, &count), DD_OK);
    assert_int_equal(count, 1);
    struct dd_payment now;
    assert_int_equal(dd_pay_get(db, e.a, short_one.id, &now), DD_OK);
    assert_string_equal(now.state, "expired");
    assert_int_equal(dd_pay_get(db, e.a, long_one.id, &now), DD_OK);
    assert_string_equal(now.state, "created");
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM events WHERE type = 'payment.expired'"), 1);
    assert_int_equal(dd_pay_expire_due(db, T0 + 62000, 10, &count), DD_OK);
    assert_int_equal(count, 0);
    dd_arena_free(e.a);
}

static void
bad_intents_store_nothing(void **state)
{
    struct env e = setup(state);
    struct dd_db *db = e.fx->db;
    struct dd_pay_new bad[5];
    for (int i = 0; i < 5; i++)
        bad[i] = fine;
    bad[0].amount = 0;
    bad[1].purpose = "gift";
    bad[2].payer_id_number = "";
    bad[3].ttl_seconds = DD_PAY_MAX_TTL + 1;
    bad[4].amount = DD_PAY_MAX_AMOUNT + 1;
    struct dd_payment p;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(dd_db_begin(db), DD_OK);
        assert_int_equal(dd_pay_create(db, e.a, &bad[i], T0, &p), DD_EINVAL);
        assert_int_equal(dd_db_rollback(db), DD_OK);
    }
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM payments"), 0);
    assert_int_equal(dbfx_int(db, "SELECT COUNT(*) FROM payment_transitions"), 0);
    assert_int_equal(dd_pay_get(db, e.a, "pay_00000000000000000000", &p), DD_ENOTFOUND);
    assert_int_equal(dd_pay_get_by_reference(db, e.a, "DD0000000000", &p), DD_ENOTFOUND);
    dd_arena_free(e.a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_check_value),
        cmocka_unit_test(build_matches_vectors),
        cmocka_unit_test(build_refuses_bad_fields),
        cmocka_unit_test(parse_reads_vectors),
        cmocka_unit_test(parse_refuses_bad_payloads),
        cmocka_unit_test(qr_images),
        cmocka_unit_test(vnpay_signature),
        cmocka_unit_test(moves_allowed),
        DB_TEST(intent_moves_are_recorded_with_their_events),
        DB_TEST(due_intents_expire),
        DB_TEST(bad_intents_store_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
