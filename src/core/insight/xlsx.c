/*
 * xlsx.c — a spreadsheet (Office Open XML, ECMA-376) of one sheet, written without a library.
 *
 * An XLSX file is a ZIP package (PKWARE APPNOTE 6.3: local headers, data, central directory,
 * end record) of five XML parts: the content types, the package relationships, the workbook, its
 * relationships, and the sheet. The parts are stored uncompressed with their CRC-32 (zlib);
 * strings are inline (no shared-strings part), decimal integers are numbers.
 */
#include "base/buf.h"
#include "base/err.h"
#include "core/insight/insight.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define PART_MAX (64 * 1024 * 1024)

static void
put16(struct dd_buf *b, unsigned v)
{
    unsigned char p[2] = {(unsigned char)(v & 0xff), (unsigned char)((v >> 8) & 0xff)};
    dd_buf_append(b, p, 2);
}

static void
put32(struct dd_buf *b, uint32_t v)
{
    unsigned char p[4] = {(unsigned char)(v & 0xff), (unsigned char)((v >> 8) & 0xff),
                          (unsigned char)((v >> 16) & 0xff), (unsigned char)((v >> 24) & 0xff)};
    dd_buf_append(b, p, 4);
}

struct entry {
    const char *name;
    uint32_t crc, size, offset;
};

/* 1980-01-01 00:00 in MS-DOS time: the parts carry no meaningful date. */
#define DOS_TIME 0
#define DOS_DATE 0x21

static void
local_file(struct dd_buf *out, struct entry *e, const char *data, size_t len)
{
    e->crc = (uint32_t)crc32(0L, (const Bytef *)data, (uInt)len);
    e->size = (uint32_t)len;
    e->offset = (uint32_t)out->len;
    put32(out, 0x04034b50);
    put16(out, 20);     /* version needed: 2.0 */
    put16(out, 0x0800); /* names in UTF-8 */
    put16(out, 0);      /* stored */
    put16(out, DOS_TIME);
    put16(out, DOS_DATE);
    put32(out, e->crc);
    put32(out, e->size);
    put32(out, e->size);
    put16(out, (unsigned)strlen(e->name));
    put16(out, 0);
    dd_buf_puts(out, e->name);
    dd_buf_append(out, data, len);
}

static void
central(struct dd_buf *out, const struct entry *e, size_t n)
{
    uint32_t start = (uint32_t)out->len;
    for (size_t i = 0; i < n; i++) {
        put32(out, 0x02014b50);
        put16(out, 20);
        put16(out, 20);
        put16(out, 0x0800);
        put16(out, 0);
        put16(out, DOS_TIME);
        put16(out, DOS_DATE);
        put32(out, e[i].crc);
        put32(out, e[i].size);
        put32(out, e[i].size);
        put16(out, (unsigned)strlen(e[i].name));
        put16(out, 0); /* extra */
        put16(out, 0); /* comment */
        put16(out, 0); /* disk */
        put16(out, 0); /* internal attributes */
        put32(out, 0); /* external attributes */
        put32(out, e[i].offset);
        dd_buf_puts(out, e[i].name);
    }
    uint32_t size = (uint32_t)out->len - start;
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, (unsigned)n);
    put16(out, (unsigned)n);
    put32(out, size);
    put32(out, start);
    put16(out, 0);
}

static void
xml_text(struct dd_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '&')
            dd_buf_puts(b, "&amp;");
        else if (c == '<')
            dd_buf_puts(b, "&lt;");
        else if (c == '>')
            dd_buf_puts(b, "&gt;");
        else if (c == '"')
            dd_buf_puts(b, "&quot;");
        else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            continue; /* not allowed in XML 1.0 */
        else
            dd_buf_putc(b, (char)c);
    }
}

static bool
is_integer(const char *s)
{
    size_t i = s[0] == '-' ? 1 : 0;
    size_t n = strlen(s);
    if (n == i || n - i > 15 || (s[i] == '0' && n - i > 1))
        return false;
    return strspn(s + i, "0123456789") == n - i;
}

static void
cell_ref(size_t col, size_t row, char out[24])
{
    char letters[8];
    int n = 0;
    for (size_t c = col + 1; c > 0 && n < 7; c = (c - 1) / 26)
        letters[n++] = (char)('A' + (c - 1) % 26);
    char *p = out;
    while (n > 0)
        *p++ = letters[--n];
    snprintf(p, 16, "%zu", row + 1);
}

static void
cell(struct dd_buf *b, size_t col, size_t row, const char *v)
{
    char ref[24];
    cell_ref(col, row, ref);
    if (is_integer(v)) {
        dd_buf_printf(b, "<c r=\"%s\"><v>%s</v></c>", ref, v);
        return;
    }
    dd_buf_printf(b, "<c r=\"%s\" t=\"inlineStr\"><is><t xml:space=\"preserve\">", ref);
    xml_text(b, v);
    dd_buf_puts(b, "</t></is></c>");
}

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN  "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL   "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG   "http://schemas.openxmlformats.org/package/2006/relationships"
#define CT_SHEET "application/vnd.openxmlformats-officedocument.spreadsheetml"

int
dd_xlsx_write(struct dd_buf *out, const char *sheet, const char *const *headers, size_t ncols,
              const char *const *cells, size_t nrows)
{
    struct dd_buf ws;
    dd_buf_init(&ws, out->arena, PART_MAX);
    dd_buf_puts(&ws, XML_HEAD "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>");
    for (size_t r = 0; r <= nrows; r++) {
        dd_buf_printf(&ws, "<row r=\"%zu\">", r + 1);
        for (size_t c = 0; c < ncols; c++)
            cell(&ws, c, r, r == 0 ? headers[c] : cells[(r - 1) * ncols + c]);
        if (dd_buf_puts(&ws, "</row>") != DD_OK)
            return DD_ETOOBIG;
    }
    if (dd_buf_puts(&ws, "</sheetData></worksheet>") != DD_OK)
        return DD_ETOOBIG;
    struct dd_buf wb;
    dd_buf_init(&wb, out->arena, 4096);
    dd_buf_puts(&wb, XML_HEAD "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL
                              "\"><sheets><sheet name=\"");
    xml_text(&wb, sheet);
    dd_buf_puts(&wb, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
    static const char types[] =
        XML_HEAD "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                 "<Default Extension=\"rels\" "
                 "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                 "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                 "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT_SHEET
                 ".sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" "
                 "ContentType=\"" CT_SHEET ".worksheet+xml\"/></Types>";
    static const char rels[] =
        XML_HEAD "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" Type=\"" NS_REL
                 "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
    static const char wb_rels[] =
        XML_HEAD "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" Type=\"" NS_REL
                 "/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
    struct entry e[5] = {{.name = "[Content_Types].xml"},
                         {.name = "_rels/.rels"},
                         {.name = "xl/workbook.xml"},
                         {.name = "xl/_rels/workbook.xml.rels"},
                         {.name = "xl/worksheets/sheet1.xml"}};
    local_file(out, &e[0], types, sizeof types - 1);
    local_file(out, &e[1], rels, sizeof rels - 1);
    local_file(out, &e[2], wb.data, wb.len);
    local_file(out, &e[3], wb_rels, sizeof wb_rels - 1);
    local_file(out, &e[4], ws.data, ws.len);
    size_t before = out->len;
    central(out, e, 5);
    return out->len > before ? DD_OK : DD_ETOOBIG;
}
