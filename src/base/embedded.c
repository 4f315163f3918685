/* embedded.c — lookup in the table that tools/embed.c generates at build time. */
#include "base/embedded.h"

#include <string.h>

const struct dd_embedded *
dd_embedded_find(const char *path)
{
    for (size_t i = 0; i < dd_embedded_count; i++)
        if (strcmp(dd_embedded_files[i].path, path) == 0)
            return &dd_embedded_files[i];
    return NULL;
}
