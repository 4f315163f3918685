/*
 * dir.h — making the folders the program keeps its files in (the data folder and those under it).
 */
#ifndef DD_BASE_DIR_H
#define DD_BASE_DIR_H

#include <stddef.h>

/* Makes folder `path` and every missing folder above it, each readable by the owner only
 * (0700); an existing folder is fine. DD_OK, or DD_EIO with a sentence naming the folder in
 * err. */
int dd_dir_make(const char *path, char *err, size_t errlen);

#endif
