/*
 * vietqr.c — builds and parses VietQR payloads (vietqr.h). The field layout follows the EMVCo
 * merchant-presented QR specification and NAPAS's VietQR profile of it.
 */
#include "core/pay/vietqr.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

#include <stdio.h>
#include <string.h>

uint16_t
dd_vietqr_crc16(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(s[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

/* ---- building ---- */

/* True if the n bytes at s are all ASCII digits (s need not end there). */
static bool
digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool
printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return false;
    return true;
}

static bool
alnum_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return false;
    }
    return true;
}

static int
put_field(struct dd_buf *b, const char *tag, const char *value)
{
    size_t n = strlen(value);
    if (n > 99)
        return DD_EINVAL;
    return dd_buf_printf(b, "%s%02zu%s", tag, n, value);
}

static bool
given(const char *s)
{
    return s && s[0];
}

static int
build_error(char *err, size_t errlen, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return DD_EINVAL;
}

static int
check_text(const char *v, const char *name, size_t max, char *err, size_t errlen)
{
    if (!given(v))
        return DD_OK;
    if (!printable_ascii(v) || strlen(v) > max) {
        snprintf(err, errlen, "%s must be printable ASCII (no diacritics), at most %zu characters",
                 name, max);
        return DD_EINVAL;
    }
    return DD_OK;
}

static int
check_build(const struct dd_vietqr_build *b, char *err, size_t errlen)
{
    if (!given(b->bin) || strlen(b->bin) != 6 || !digits(b->bin, 6))
        return build_error(err, errlen, "the bank BIN must be 6 digits");
    if (!given(b->account) || !alnum_text(b->account, 19))
        return build_error(err, errlen,
                           "the account or card number must be 1 to 19 letters or digits");
    if (b->amount < 0 || b->amount > 9999999999999LL)
        return build_error(err, errlen, "the amount must be a whole number of VND, 1 to 13 digits");
    int rc = check_text(b->purpose, "the purpose", 50, err, errlen);
    if (rc == DD_OK)
        rc = check_text(b->reference, "the reference", 25, err, errlen);
    if (rc == DD_OK)
        rc = check_text(b->bill_number, "the bill number", 25, err, errlen);
    if (rc == DD_OK)
        rc = check_text(b->merchant_name, "the merchant name", 25, err, errlen);
    if (rc == DD_OK)
        rc = check_text(b->merchant_city, "the merchant city", 15, err, errlen);
    return rc;
}

int
dd_vietqr_build(const struct dd_vietqr_build *b, char *out, size_t cap, char *err, size_t errlen)
{
    int rc = check_build(b, err, errlen);
    if (rc != DD_OK)
        return rc;
    char acct[64], info[128], extra[256], amount[24];
    struct dd_buf ab, ib, xb, pb;
    dd_buf_init_fixed(&ab, acct, sizeof acct);
    dd_buf_init_fixed(&ib, info, sizeof info);
    dd_buf_init_fixed(&xb, extra, sizeof extra);
    dd_buf_init_fixed(&pb, out, cap);
    rc = put_field(&ab, "00", b->bin);
    if (rc == DD_OK)
        rc = put_field(&ab, "01", b->account);
    if (rc == DD_OK)
        rc = put_field(&ib, "00", DD_VIETQR_GUID);
    if (rc == DD_OK)
        rc = put_field(&ib, "01", acct);
    if (rc == DD_OK)
        rc = put_field(&ib, "02", b->card ? "QRIBFTTC" : "QRIBFTTA");
    if (rc == DD_OK && given(b->bill_number))
        rc = put_field(&xb, "01", b->bill_number);
    if (rc == DD_OK && given(b->reference))
        rc = put_field(&xb, "05", b->reference);
    if (rc == DD_OK && given(b->purpose))
        rc = put_field(&xb, "08", b->purpose);
    if (rc != DD_OK)
        return build_error(err, errlen, "the additional data is over 99 characters");
    snprintf(amount, sizeof amount, "%lld", (long long)b->amount);
    rc = put_field(&pb, "00", "01");
    if (rc == DD_OK)
        rc = put_field(&pb, "01", b->amount > 0 ? "12" : "11");
    if (rc == DD_OK)
        rc = put_field(&pb, "38", info);
    if (rc == DD_OK)
        rc = put_field(&pb, "53", "704");
    if (rc == DD_OK && b->amount > 0)
        rc = put_field(&pb, "54", amount);
    if (rc == DD_OK)
        rc = put_field(&pb, "58", "VN");
    if (rc == DD_OK && given(b->merchant_name))
        rc = put_field(&pb, "59", b->merchant_name);
    if (rc == DD_OK && given(b->merchant_city))
        rc = put_field(&pb, "60", b->merchant_city);
    if (rc == DD_OK && xb.len > 0)
        rc = put_field(&pb, "62", extra);
    if (rc == DD_OK)
        rc = dd_buf_puts(&pb, "6304");
    if (rc == DD_OK)
        rc = dd_buf_printf(&pb, "%04X", dd_vietqr_crc16(out, pb.len));
    if (rc != DD_OK) {
        snprintf(err, errlen, "the payload does not fit in %zu characters", cap - 1);
        return DD_ETOOBIG;
    }
    return DD_OK;
}

/* ---- parsing ---- */

/* One TLV field read from text. */
struct tlv {
    char tag[3];
    const char *value;
    size_t len;
};

/* Reads the field at p[*pos] of n: DD_OK, or DD_EINVAL with the reason in q->error. */
static int
next_tlv(const char *p, size_t n, size_t *pos, struct tlv *t, const char *where,
         struct dd_vietqr *q)
{
    size_t at = *pos;
    if (n - at < 4 || !digits(p + at, 4)) {
        snprintf(q->error, sizeof q->error,
                 "%s: a field at position %zu needs a two-digit tag and a two-digit length", where,
                 at);
        return DD_EINVAL;
    }
    t->tag[0] = p[at];
    t->tag[1] = p[at + 1];
    t->tag[2] = '\0';
    size_t len = (size_t)(p[at + 2] - '0') * 10 + (size_t)(p[at + 3] - '0');
    if (len > n - at - 4) {
        snprintf(q->error, sizeof q->error,
                 "%s: field %s at position %zu says %zu characters but only %zu remain", where,
                 t->tag, at, len, n - at - 4);
        return DD_EINVAL;
    }
    t->value = p + at + 4;
    t->len = len;
    *pos = at + 4 + len;
    return DD_OK;
}

static int
copy_value(const struct tlv *t, char *dst, const char *where, struct dd_vietqr *q)
{
    for (size_t i = 0; i < t->len; i++)
        if ((unsigned char)t->value[i] < 0x20) {
            snprintf(q->error, sizeof q->error, "%s: field %s holds a control character", where,
                     t->tag);
            return DD_EINVAL;
        }
    if (dst[0] != '\0') {
        snprintf(q->error, sizeof q->error, "%s: field %s appears twice", where, t->tag);
        return DD_EINVAL;
    }
    memcpy(dst, t->value, t->len);
    dst[t->len] = '\0';
    return DD_OK;
}

static int
parse_beneficiary(const struct tlv *outer, struct dd_vietqr *q)
{
    struct tlv t;
    size_t pos = 0;
    while (pos < outer->len) {
        if (next_tlv(outer->value, outer->len, &pos, &t, "field 38/01", q) != DD_OK)
            return DD_EINVAL;
        char *dst = strcmp(t.tag, "00") == 0   ? q->bin
                    : strcmp(t.tag, "01") == 0 ? q->account
                                               : NULL;
        if (dst && copy_value(&t, dst, "field 38/01", q) != DD_OK)
            return DD_EINVAL;
    }
    return DD_OK;
}

static int
parse_merchant(const struct tlv *outer, struct dd_vietqr *q)
{
    struct tlv t;
    size_t pos = 0;
    while (pos < outer->len) {
        if (next_tlv(outer->value, outer->len, &pos, &t, "field 38", q) != DD_OK)
            return DD_EINVAL;
        if (strcmp(t.tag, "00") == 0 && copy_value(&t, q->guid, "field 38", q) != DD_OK)
            return DD_EINVAL;
        if (strcmp(t.tag, "01") == 0 && parse_beneficiary(&t, q) != DD_OK)
            return DD_EINVAL;
        if (strcmp(t.tag, "02") == 0 && copy_value(&t, q->service, "field 38", q) != DD_OK)
            return DD_EINVAL;
    }
    return DD_OK;
}

static char *
additional_slot(struct dd_vietqr *q, const char *tag)
{
    static const char *const tags[] = {"01", "02", "03", "04", "05", "06", "07", "08"};
    char *slots[] = {q->bill_number, q->mobile,   q->store,    q->loyalty,
                     q->reference,   q->customer, q->terminal, q->purpose};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcmp(tag, tags[i]) == 0)
            return slots[i];
    return NULL;
}

static int
parse_additional(const struct tlv *outer, struct dd_vietqr *q)
{
    struct tlv t;
    size_t pos = 0;
    while (pos < outer->len) {
        if (next_tlv(outer->value, outer->len, &pos, &t, "field 62", q) != DD_OK)
            return DD_EINVAL;
        char *dst = additional_slot(q, t.tag);
        if (dst && copy_value(&t, dst, "field 62", q) != DD_OK)
            return DD_EINVAL;
    }
    return DD_OK;
}

static char *
top_slot(struct dd_vietqr *q, const char *tag)
{
    static const char *const tags[] = {"52", "53", "54", "58", "59", "60"};
    char *slots[] = {q->mcc,     q->currency,      q->amount,
                     q->country, q->merchant_name, q->merchant_city};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcmp(tag, tags[i]) == 0)
            return slots[i];
    return NULL;
}

static int
invalid(struct dd_vietqr *q, const char *why)
{
    snprintf(q->error, sizeof q->error, "%s", why);
    return DD_EINVAL;
}

/* Walks the top-level fields; the CRC field must be the last, at n - 8. */
static int
parse_fields(const char *p, size_t n, struct dd_vietqr *q, bool *saw_crc)
{
    struct tlv t;
    size_t pos = 0;
    while (pos < n) {
        if (next_tlv(p, n, &pos, &t, "payload", q) != DD_OK)
            return DD_EINVAL;
        int rc = DD_OK;
        if (strcmp(t.tag, "00") == 0 || strcmp(t.tag, "01") == 0) {
            char *dst = t.tag[1] == '0' ? q->version : q->initiation;
            if (t.len != 2)
                return invalid(q, t.tag[1] == '0'
                                      ? "field 00 (format) must be \"01\""
                                      : "field 01 (initiation) must be \"11\" or \"12\"");
            rc = copy_value(&t, dst, "payload", q);
        } else if (strcmp(t.tag, "38") == 0) {
            rc = parse_merchant(&t, q);
        } else if (strcmp(t.tag, "62") == 0) {
            rc = parse_additional(&t, q);
        } else if (strcmp(t.tag, "63") == 0) {
            if (t.len != 4 || pos != n)
                return invalid(q, "field 63 (CRC) must be the last field, with 4 characters");
            memcpy(q->crc, t.value, 4);
            q->crc[4] = '\0';
            *saw_crc = true;
        } else if (top_slot(q, t.tag)) {
            rc = copy_value(&t, top_slot(q, t.tag), "payload", q);
        }
        if (rc != DD_OK)
            return rc;
    }
    return DD_OK;
}

static bool
hex4(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
              (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static int
check_crc(const char *p, size_t n, struct dd_vietqr *q)
{
    if (!hex4(q->crc))
        return invalid(q, "field 63 (CRC) must be 4 hexadecimal digits");
    char want[5];
    snprintf(want, sizeof want, "%04X", dd_vietqr_crc16(p, n - 4));
    if (!dd_str_eq_nocase(want, q->crc)) {
        snprintf(q->error, sizeof q->error,
                 "CRC mismatch: the payload says %s, its content gives %s", q->crc, want);
        return DD_EINVAL;
    }
    return DD_OK;
}

static int
check_amount(struct dd_vietqr *q)
{
    size_t n = strlen(q->amount);
    if (n == 0)
        return DD_OK;
    if (n > 13 || !digits(q->amount, n) || (n > 1 && q->amount[0] == '0') ||
        strcmp(q->amount, "0") == 0)
        return invalid(q, "field 54 (amount) must be a whole number of VND, 1 to 13 digits");
    return DD_OK;
}

/* The VietQR rules over fields that parsed. */
static int
check_rules(struct dd_vietqr *q)
{
    if (strcmp(q->version, "01") != 0)
        return invalid(q, "field 00 (format) must be \"01\"");
    if (strcmp(q->initiation, "11") != 0 && strcmp(q->initiation, "12") != 0)
        return invalid(q, "field 01 (initiation) must be \"11\" (static) or \"12\" (dynamic)");
    if (strcmp(q->guid, DD_VIETQR_GUID) != 0)
        return invalid(q, "field 38 is not a VietQR beneficiary (GUID A000000727 expected)");
    if (strlen(q->bin) != 6 || !digits(q->bin, 6))
        return invalid(q, "field 38/01/00 (bank BIN) must be 6 digits");
    if (!alnum_text(q->account, 19))
        return invalid(q, "field 38/01/01 (account or card) must be 1 to 19 letters or digits");
    if (strcmp(q->service, "QRIBFTTA") != 0 && strcmp(q->service, "QRIBFTTC") != 0)
        return invalid(q, "field 38/02 (service) must be QRIBFTTA or QRIBFTTC");
    if (strcmp(q->currency, "704") != 0)
        return invalid(q, "field 53 (currency) must be \"704\" (VND)");
    if (strcmp(q->country, "VN") != 0)
        return invalid(q, "field 58 (country) must be \"VN\"");
    return check_amount(q);
}

int
dd_vietqr_parse(const char *payload, size_t n, struct dd_vietqr *q)
{
    memset(q, 0, sizeof *q);
    if (n > DD_VIETQR_MAX)
        return invalid(q, "the payload is over 512 characters");
    if (n < 8 || memcmp(payload + n - 8, "6304", 4) != 0)
        return invalid(q, "the payload must end with field 63 (\"6304\" and a 4-digit CRC)");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)payload[i] < 0x20 || (unsigned char)payload[i] == 0x7F)
            return invalid(q, "the payload holds a control character");
    bool saw_crc = false;
    if (parse_fields(payload, n, q, &saw_crc) != DD_OK)
        return DD_EINVAL;
    if (!saw_crc)
        return invalid(q, "the payload has no field 63 (CRC)");
    if (check_crc(payload, n, q) != DD_OK)
        return DD_EINVAL;
    return check_rules(q);
}
