/* fd.c — writing to a file descriptor (fd.h). */
#include "base/fd.h"
#include "base/err.h"

#include <errno.h>
#include <unistd.h>

int
dd_fd_write_all(int fd, const void *p, size_t n)
{
    const char *at = p;
    while (n > 0) {
        ssize_t w = write(fd, at, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return DD_EIO;
        at += w;
        n -= (size_t)w;
    }
    return DD_OK;
}
