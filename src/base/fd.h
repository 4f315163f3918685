/*
 * fd.h — writing to a file descriptor.
 */
#ifndef DD_BASE_FD_H
#define DD_BASE_FD_H

#include <stddef.h>

/* Writes all `n` bytes of `p` to `fd`, again after a short write or an interrupted one. DD_OK,
 * or DD_EIO when the descriptor refuses (errno says why). */
int dd_fd_write_all(int fd, const void *p, size_t n);

#endif
