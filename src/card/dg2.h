/*
 * dg2.h — the face image in DG2 (ICAO 9303 Part 10 §4.7.2): the biometric information template
 * group 7F61 holds one biometric information template 7F60 per face, each with its biometric
 * data block (5F2E, or 7F2E when encoded) in the ISO/IEC 19794-5 facial record format: the
 * "FAC" record header, a facial record header with its feature points, the image information
 * (image data type 0 = JPEG, 1 = JPEG 2000; width; height) and the image. Nothing is copied:
 * the image points into DG2.
 */
#ifndef DD_CARD_DG2_H
#define DD_CARD_DG2_H

#include <stddef.h>

struct dd_dg2_face {
    const unsigned char *image; /* into the DG2 bytes */
    size_t len;
    const char *format; /* "jpeg" or "jpeg2000" */
    const char *mime;   /* "image/jpeg" or "image/jp2" */
    unsigned width, height;
    int faces; /* how many biometric templates DG2 holds */
};

/* Finds the first face image of DG2 dg2[0..n) (with its 0x75 tag). Returns DD_OK; DD_ENOTFOUND
 * when DG2 holds no face; DD_EINVAL when it is malformed or the image type is neither JPEG nor
 * JPEG 2000 (or the image bytes do not start as that type says). */
int dd_dg2_face(const unsigned char *dg2, size_t n, struct dd_dg2_face *out);

#endif
