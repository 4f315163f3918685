/*
 * receipt.c — GET /api/v1/receipts/{code}: the electronic receipt of a paid intent, as JSON,
 * HTML or PDF (?format=json|html|pdf).
 *
 * The code is 128 random bits given to the intent when it is paid; the receipt carries it as a
 * QR code of this route's URL, so that anyone holding the receipt can check it online. The route
 * therefore needs no credentials, and shows only what the receipt itself shows (the payer's ID
 * number masked to its last four digits). A refunded payment's receipt still verifies, with
 * its state saying so. The PDF is written here: one A4 page, the standard Helvetica font (text
 * folded to ASCII, since the standard fonts have no Vietnamese letters), the QR code drawn as
 * filled squares.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"
#include "core/pay/internal.h"
#include "core/pay/qr_image.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define RECEIPT_MAX (256 * 1024)

struct receipt {
    const struct dd_payment *p;
    const char *url;   /* the verification URL, in the QR code */
    const char *payer; /* masked ID number */
    bool valid;        /* paid (not refunded) */
};

static const char *
masked(struct dd_req *req, const char *id)
{
    size_t n = strlen(id);
    return dd_arena_printf(req->arena, "********%s", n >= 4 ? id + n - 4 : id);
}

static int
receipt_json(struct dd_req *req, const struct receipt *r)
{
    const struct dd_payment *p = r->p;
    return dd_reply_json(
        req, 200,
        json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "valid",
                  r->valid, "receipt_code", p->receipt_code, "verify_url", r->url, "reference",
                  p->reference, "purpose", p->purpose, "description", p->description, "amount",
                  (json_int_t)p->amount, "currency", "VND", "state", p->state, "method", p->method,
                  "paid_at", p->paid_at, "payer_id_number", r->payer, "payment_id", p->id));
}

static void
row(struct dd_buf *b, const char *label, const char *value, const char *id)
{
    dd_buf_printf(b, "<tr><th>%s</th><td id=\"%s\">", label, id);
    pay_html_escape(b, value);
    dd_buf_puts(b, "</td></tr>\n");
}

static int
receipt_html(struct dd_req *req, const struct receipt *r)
{
    const struct dd_payment *p = r->p;
    struct dd_buf b;
    dd_buf_init(&b, req->arena, RECEIPT_MAX);
    pay_html_start(&b, "vi", "Biên lai thu tiền điện tử");
    dd_buf_puts(&b, "<h1>Biên lai thu tiền điện tử / Electronic receipt</h1>\n");
    if (!r->valid)
        dd_buf_puts(&b, "<p id=\"refunded\"><strong>Khoản này đã được hoàn tiền / This payment was "
                        "refunded.</strong></p>\n");
    dd_buf_puts(&b, "<table>\n");
    row(&b, "Mã biên lai / Receipt", p->receipt_code, "receipt-code");
    row(&b, "Mã thanh toán / Reference", p->reference, "reference");
    row(&b, "Nội dung / For", p->description, "description");
    row(&b, "Số tiền / Amount", pay_vnd(req, p->amount), "amount");
    row(&b, "Người nộp / Payer", r->payer, "payer");
    row(&b, "Hình thức / Method", p->method, "method");
    row(&b, "Thời điểm / Paid at (UTC)", p->paid_at, "paid-at");
    dd_buf_puts(&b, "</table>\n<figure>");
    dd_qr_svg(r->url, &b);
    dd_buf_puts(&b, "<figcaption>Quét để kiểm tra / Scan to verify: ");
    pay_html_escape(&b, r->url);
    dd_buf_puts(&b, "</figcaption></figure>\n");
    return pay_html_reply(req, 200, &b);
}

/* s folded to printable ASCII for the PDF's standard font: diacritics removed, đ → d. */
static const char *
ascii(struct dd_req *req, const char *s)
{
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n =
        utf8proc_map((const utf8proc_uint8_t *)s, 0, &folded,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
    struct dd_buf b;
    dd_buf_init(&b, req->arena, 4096);
    for (utf8proc_ssize_t i = 0; n > 0 && i < n; i++) {
        unsigned char c = folded[i];
        if (c == 0xC4 && i + 1 < n && (folded[i + 1] == 0x91 || folded[i + 1] == 0x90)) {
            dd_buf_putc(&b, folded[i + 1] == 0x91 ? 'd' : 'D');
            i++;
        } else if (c >= 0x20 && c < 0x7F) {
            dd_buf_putc(&b, (char)c);
        } else if (c >= 0xC0) {
            dd_buf_putc(&b, '?');
        }
    }
    free(folded);
    return b.data ? b.data : "";
}

/* A PDF string literal: ( ) and \ escaped. */
static void
pdf_text(struct dd_buf *b, const char *s)
{
    dd_buf_putc(b, '(');
    for (; *s; s++) {
        if (*s == '(' || *s == ')' || *s == '\\')
            dd_buf_putc(b, '\\');
        dd_buf_putc(b, *s);
    }
    dd_buf_putc(b, ')');
}

static void
pdf_line(struct dd_req *req, struct dd_buf *c, int size, int x, int y, const char *text)
{
    dd_buf_printf(c, "BT /F1 %d Tf %d %d Td ", size, x, y);
    pdf_text(c, ascii(req, text));
    dd_buf_puts(c, " Tj ET\n");
}

/* The page's content stream. */
static void
pdf_content(struct dd_req *req, const struct receipt *r, struct dd_buf *c)
{
    const struct dd_payment *p = r->p;
    pdf_line(req, c, 18, 50, 780, "Biên lai thu tiền điện tử / Electronic receipt");
    if (!r->valid)
        pdf_line(req, c, 12, 50, 756, "Khoản này đã được hoàn tiền / This payment was refunded.");
    const char *labels[][2] = {
        {"Mã biên lai / Receipt", p->receipt_code},
        {"Mã thanh toán / Reference", p->reference},
        {"Nội dung / For", p->description},
        {"Số tiền / Amount (VND)", dd_arena_printf(req->arena, "%lld", (long long)p->amount)},
        {"Người nộp / Payer", r->payer},
        {"Hình thức / Method", p->method},
        {"Thời điểm / Paid at (UTC)", p->paid_at},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        int y = 720 - (int)i * 22;
        pdf_line(req, c, 11, 50, y, labels[i][0]);
        pdf_line(req, c, 11, 230, y, labels[i][1]);
    }
    pdf_line(req, c, 9, 50, 330, "Quét mã để kiểm tra / Scan to verify:");
    pdf_line(req, c, 9, 50, 316, r->url);
    QRcode *qr = QRcode_encodeString8bit(r->url, 0, QR_ECLEVEL_M);
    if (qr == NULL)
        return;
    const int cell = 3, x0 = 50, top = 550;
    dd_buf_puts(c, "0 g\n");
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++)
            if (qr->data[y * qr->width + x] & 1)
                dd_buf_printf(c, "%d %d %d %d re\n", x0 + x * cell, top - (y + 1) * cell, cell,
                              cell);
    dd_buf_puts(c, "f\n");
    QRcode_free(qr);
}

static int
receipt_pdf(struct dd_req *req, const struct receipt *r)
{
    struct dd_buf c, b;
    dd_buf_init(&c, req->arena, RECEIPT_MAX);
    dd_buf_init(&b, req->arena, RECEIPT_MAX);
    pdf_content(req, r, &c);
    size_t off[6];
    dd_buf_puts(&b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    off[1] = b.len;
    dd_buf_puts(&b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = b.len;
    dd_buf_puts(&b, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = b.len;
    dd_buf_puts(&b, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>\nendobj\n");
    off[4] = b.len;
    dd_buf_puts(&b, "4 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                    "/Encoding /WinAnsiEncoding >>\nendobj\n");
    off[5] = b.len;
    dd_buf_printf(&b, "5 0 obj\n<< /Length %zu >>\nstream\n", c.len);
    dd_buf_append(&b, c.data, c.len);
    dd_buf_puts(&b, "endstream\nendobj\n");
    size_t xref = b.len;
    dd_buf_puts(&b, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i <= 5; i++)
        dd_buf_printf(&b, "%010zu 00000 n \n", off[i]);
    if (dd_buf_printf(&b, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref) !=
        DD_OK)
        return DD_ETOOBIG;
    dd_reply_header(
        req, "Content-Disposition",
        dd_arena_printf(req->arena, "inline; filename=\"receipt-%s.pdf\"", r->p->reference));
    return dd_reply_bytes(req, 200, "application/pdf", b.data, b.len);
}

static bool
code_valid(const char *code)
{
    if (code == NULL || strlen(code) != 32)
        return false;
    for (const char *c = code; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

/* GET /api/v1/receipts/{code}?format=json|html|pdf — 404 for a code no payment holds. */
int
pay_receipt(struct dd_req *req)
{
    const char *format = dd_req_query(req, "format");
    if (format == NULL)
        format = "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0) {
        json_t *ext =
            dd_problem_add_error(NULL, req, "format", "format-invalid",
                                 "Một trong: json, html, pdf.", "One of: json, html, pdf.");
        return dd_reply_problem(req, DD_PROBLEM_VALIDATION_FAILED, ext);
    }
    const char *code = dd_req_param(req, "code");
    struct dd_db *db = code_valid(code) ? dd_req_db_or_reply(req) : NULL;
    if (code_valid(code) && db == NULL)
        return DD_DONE;
    struct dd_payment p;
    int rc = db ? dd_pay_get_by_receipt(db, req->arena, code, &p) : DD_ENOTFOUND;
    if (rc == DD_ENOTFOUND)
        return dd_reply_problem_detail(req, DD_PROBLEM_NOT_FOUND, "Không có biên lai với mã này.",
                                       "No receipt has this code.", NULL);
    if (rc != DD_OK)
        return pay_fail(req, db, rc);
    struct receipt r = {
        .p = &p,
        .url = dd_arena_printf(req->arena, "%s/api/v1/receipts/%s", pay_settings.base_url, code),
        .payer = masked(req, p.payer_id_number),
        .valid = strcmp(p.state, "paid") == 0,
    };
    if (strcmp(format, "html") == 0)
        return receipt_html(req, &r);
    if (strcmp(format, "pdf") == 0)
        return receipt_pdf(req, &r);
    return receipt_json(req, &r);
}
