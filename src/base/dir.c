/*
 * dir.c — folders made on demand, parents first, as `mkdir -p` does.
 */
#include "base/dir.h"
#include "base/err.h"
#include "base/str.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Makes one folder; an existing one is fine. */
static int
make_one(const char *path, const char *shown, char *err, size_t errlen)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return DD_OK;
    snprintf(err, errlen, "cannot create %s: %s", shown, strerror(errno));
    return DD_EIO;
}

int
dd_dir_make(const char *path, char *err, size_t errlen)
{
    char partial[4096];
    if (dd_strlcpy(partial, path, sizeof partial) != DD_OK || partial[0] == '\0') {
        snprintf(err, errlen, "cannot create %s: the name is empty or too long", path);
        return DD_EIO;
    }
    for (char *p = partial + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = make_one(partial, path, err, errlen);
        *p = '/';
        if (rc != DD_OK)
            return rc;
    }
    return make_one(partial, path, err, errlen);
}
