/*
 * qr_image.h — a QR code of some text as a PNG or an SVG image (libqrencode for the modules,
 * zlib for the PNG's compressed data). Error correction level M, byte mode, four modules of
 * quiet zone around the symbol.
 */
#ifndef DD_CORE_PAY_QR_IMAGE_H
#define DD_CORE_PAY_QR_IMAGE_H

#include <stddef.h>

struct dd_buf;

#define DD_QR_TEXT_MAX 1024 /* bytes of text encoded */

/* Appends a 1-bit grayscale PNG of `text`'s QR code to out, each module `scale` pixels (1–20).
 * DD_EINVAL for empty or too long text or a bad scale, DD_ETOOBIG when out is full, DD_EINTERNAL
 * if the encoder fails. */
int dd_qr_png(const char *text, int scale, struct dd_buf *out);

/* Appends an SVG image of `text`'s QR code to out: one path, one unit per module. Errors as
 * dd_qr_png. */
int dd_qr_svg(const char *text, struct dd_buf *out);

#endif
