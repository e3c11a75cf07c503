/* SPDX-License-Identifier: Apache-2.0 */
#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/cleanup.h"

int kl_close(int fd)
{
        int saved = errno, r;

        /* Linux releases the fd even when close() fails with EINTR: never retry. */
        r = close(fd) < 0 ? -errno : 0;
        errno = saved;
        return r == -EINTR ? 0 : r;
}

int kl_write_all(int fd, const void *data, size_t len)
{
        const char *p = data;

        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int kl_read_all_fd(int fd, size_t max, char **ret, size_t *ret_len)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT_MAX(max);

        for (;;) {
                size_t want;
                ssize_t n;
                int r;

                if (b.len == max) {
                        /* Full: one more byte means the input is too big. */
                        char c;

                        n = read(fd, &c, 1);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return -errno;
                        if (n > 0)
                                return -E2BIG;
                        break;
                }
                want = KL_MIN((size_t)65536, max - b.len);
                r = kl_buf_grow(&b, want);
                if (r < 0)
                        return r;
                n = read(fd, b.buf + b.len, want);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                b.len += (size_t)n;
                b.buf[b.len] = '\0';
        }
        *ret = kl_buf_detach(&b, ret_len);
        return 0;
}

int kl_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
        kl_autoclose int fd = -EBADF;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return kl_read_all_fd(fd, max, ret, ret_len);
}

int kl_mkdir_p(const char *path, mode_t mode)
{
        kl_autofree char *p = kl_strdup(path);

        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

static int fsync_parent(const char *path)
{
        kl_autofree char *dir = kl_strdup(path);
        kl_autoclose int fd = -EBADF;
        char *slash = strrchr(dir, '/');

        if (!slash)
                return 0;
        if (slash == dir)
                slash[1] = '\0';
        else
                *slash = '\0';
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

int kl_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                         unsigned flags)
{
        kl_autofree char *tmp = kl_asprintf("%s.tmp-XXXXXX", path);
        kl_autoclose int fd = -EBADF;
        int r;

        if (flags & KL_WRITE_FILE_MKDIR) {
                kl_autofree char *dir = kl_strdup(path);
                char *slash = strrchr(dir, '/');

                if (slash && slash != dir) {
                        *slash = '\0';
                        r = kl_mkdir_p(dir, 0755);
                        if (r < 0)
                                return r;
                }
        }
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        r = kl_write_all(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && !(flags & KL_WRITE_FILE_NOSYNC) && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void)unlink(tmp);
                return r;
        }
        if (!(flags & KL_WRITE_FILE_NOSYNC))
                return fsync_parent(path);
        return 0;
}
