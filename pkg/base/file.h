/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files: bounded reads and atomic writes. These return -errno and take no
 * `err`: the caller knows which file it was and adds the words (STYLE R4.1).
 */
#ifndef KL_BASE_FILE_H
#define KL_BASE_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read everything from `fd` up to `max` bytes. More than `max` bytes: -E2BIG.
 * On success `*ret` is a NUL-terminated string owned by the caller and
 * `*ret_len` (may be NULL) its length.
 */
int kl_read_all_fd(int fd, size_t max, char **ret, size_t *ret_len);
/* kl_read_all_fd() on a file opened by path. */
int kl_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

enum kl_write_file_flags {
        KL_WRITE_FILE_MKDIR = 1 << 0, /* create missing parent directories (0755) */
        KL_WRITE_FILE_NOSYNC = 1 << 1 /* skip fsync: for files that may be lost */
};

/*
 * Replace `path` atomically with `data`: write a temporary file in the same
 * directory, fsync it, set `mode`, rename it over `path`, fsync the directory.
 * Readers see either the old or the new contents, never a mix, even after a
 * power failure.
 */
int kl_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         unsigned flags);

/* mkdir -p; existing directories are fine. */
int kl_mkdir_p(const char *path, mode_t mode);
/* write() all of `data`, retrying short writes and EINTR. */
int kl_write_all(int fd, const void *data, size_t len);

#endif
