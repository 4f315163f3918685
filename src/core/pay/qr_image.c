/*
 * qr_image.c — QR codes as images (qr_image.h). The PNG is written by hand: signature, IHDR
 * (1-bit grayscale), one IDAT holding the zlib stream of the rows (each with filter byte 0),
 * IEND; each chunk's CRC-32 comes from zlib.
 */
#include "core/pay/qr_image.h"
#include "base/buf.h"
#include "base/err.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define QUIET 4

static QRcode *
encode_or_null(const char *text)
{
    size_t n = text ? strlen(text) : 0;
    if (n == 0 || n > DD_QR_TEXT_MAX)
        return NULL;
    return QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
}

static int
dark(const QRcode *qr, int x, int y)
{
    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
        return 0;
    return qr->data[y * qr->width + x] & 1;
}

static void
put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static int
put_chunk(struct dd_buf *out, const char *type, const unsigned char *data, size_t n)
{
    unsigned char head[8];
    put_be32(head, (uint32_t)n);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, (const Bytef *)type, 4);
    if (n > 0)
        crc = crc32(crc, data, (uInt)n);
    unsigned char tail[4];
    put_be32(tail, (uint32_t)crc);
    int rc = dd_buf_append(out, head, sizeof head);
    if (rc == DD_OK && n > 0)
        rc = dd_buf_append(out, data, n);
    if (rc == DD_OK)
        rc = dd_buf_append(out, tail, sizeof tail);
    return rc;
}

/* The raw image rows: per row a filter byte 0 then the pixels, 8 to a byte, 1 = white. */
static unsigned char *
raster(const QRcode *qr, int scale, size_t *size, size_t *rowbytes, int *side)
{
    *side = (qr->width + 2 * QUIET) * scale;
    *rowbytes = (size_t)(*side + 7) / 8;
    *size = (*rowbytes + 1) * (size_t)*side;
    unsigned char *img = calloc(1, *size);
    if (img == NULL)
        abort();
    for (int py = 0; py < *side; py++) {
        unsigned char *row = img + (size_t)py * (*rowbytes + 1) + 1;
        for (int px = 0; px < *side; px++) {
            int mx = px / scale - QUIET, my = py / scale - QUIET;
            if (!dark(qr, mx, my))
                row[px / 8] |= (unsigned char)(0x80 >> (px % 8));
        }
        for (int px = *side; px < (int)*rowbytes * 8; px++)
            row[px / 8] |= (unsigned char)(0x80 >> (px % 8));
    }
    return img;
}

int
dd_qr_png(const char *text, int scale, struct dd_buf *out)
{
    if (scale < 1 || scale > 20)
        return DD_EINVAL;
    QRcode *qr = encode_or_null(text);
    if (qr == NULL)
        return text && text[0] && strlen(text) <= DD_QR_TEXT_MAX ? DD_EINTERNAL : DD_EINVAL;
    size_t size, rowbytes;
    int side;
    unsigned char *img = raster(qr, scale, &size, &rowbytes, &side);
    QRcode_free(qr);
    uLongf zlen = compressBound((uLong)size);
    unsigned char *z = malloc(zlen);
    if (z == NULL)
        abort();
    int rc = compress2(z, &zlen, img, (uLong)size, 9) == Z_OK ? DD_OK : DD_EINTERNAL;
    free(img);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char ihdr[13];
    put_be32(ihdr, (uint32_t)side);
    put_be32(ihdr + 4, (uint32_t)side);
    ihdr[8] = 1;  /* bit depth */
    ihdr[9] = 0;  /* grayscale */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    if (rc == DD_OK)
        rc = dd_buf_append(out, sig, sizeof sig);
    if (rc == DD_OK)
        rc = put_chunk(out, "IHDR", ihdr, sizeof ihdr);
    if (rc == DD_OK)
        rc = put_chunk(out, "IDAT", z, zlen);
    if (rc == DD_OK)
        rc = put_chunk(out, "IEND", NULL, 0);
    free(z);
    return rc;
}

int
dd_qr_svg(const char *text, struct dd_buf *out)
{
    QRcode *qr = encode_or_null(text);
    if (qr == NULL)
        return text && text[0] && strlen(text) <= DD_QR_TEXT_MAX ? DD_EINTERNAL : DD_EINVAL;
    int side = qr->width + 2 * QUIET;
    int rc = dd_buf_printf(out,
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                           "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
                           "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                           side, side, side, side);
    for (int y = 0; rc == DD_OK && y < qr->width; y++)
        for (int x = 0; rc == DD_OK && x < qr->width; x++)
            if (dark(qr, x, y))
                rc = dd_buf_printf(out, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
    if (rc == DD_OK)
        rc = dd_buf_puts(out, "\"/></svg>\n");
    QRcode_free(qr);
    return rc;
}
