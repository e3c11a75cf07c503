/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod address allocator (host-local's model): one file per allocated
 * address, <dir>/<ip>, holding the pod uid and a newline, and <dir>/last, the
 * last address handed out.
 *
 * Why link(): a claim must be atomic (a reader never sees an empty or half
 * written file, even after a crash) and exclusive (two allocators on one
 * directory, say an agent and its replacement during a restart, never hand
 * out one address twice). The uid is written to a temporary file once and
 * fsync'd, then link()ed to each candidate's name in turn: link() fails with
 * EEXIST on a taken address and creates the final name whole on a free one.
 *
 * Why a cursor: a freed address is not handed out again at once (a peer may
 * still hold connections or conntrack entries for it); the search starts
 * after the last address handed out and wraps, as upstream host-local does.
 *
 * Files that do not parse (wrong name, out of range, bad uid, too big) are
 * logged and skipped; their addresses stay taken, because link() still finds
 * the name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net-internal.h"

#define CURSOR_FILE "last" /* and its temporary files, "last.tmp-*" */
#define TMP_PREFIX  ".tmp-"
#define DIR_SLACK   1024 /* names we tolerate beyond the range's size in the directory */

struct kl_net__ipam {
        char *dir; /* owned */
        struct kl_net__cidr range;
        uint32_t first, last; /* the addresses handed out: network+2 ... broadcast-1 */
};

static void ipam_bounds(const struct kl_net__cidr *range, uint32_t *first, uint32_t *last)
{
        uint32_t hostmask = range->prefix ? 0xffffffffu >> range->prefix : 0xffffffffu;

        *first = range->addr + 2;
        *last = (range->addr | hostmask) - 1;
}

int kl_net__ipam_new(const char *dir, const struct kl_net__cidr *range, struct kl_net__ipam **ret,
                     struct kl_err **err)
{
        struct kl_net__ipam *ipam;
        int r;

        if (range->prefix < 8 || range->prefix > 30)
                return kl_err_set(err, -EINVAL, "pod CIDR prefix /%u: must be /8 to /30",
                                  range->prefix);
        r = kl_mkdir_p(dir, 0700);
        if (r < 0)
                return kl_err_set(err, r, "create '%s'", dir);
        ipam = kl_new0(struct kl_net__ipam);
        ipam->dir = kl_strdup(dir);
        ipam->range = *range;
        ipam_bounds(range, &ipam->first, &ipam->last);
        *ret = ipam;
        return 0;
}

void kl_net__ipam_free(struct kl_net__ipam *ipam)
{
        if (!ipam)
                return;
        free(ipam->dir);
        free(ipam);
}

static int strip_newline(const char *data, size_t len, size_t *ret)
{
        if (len > 0 && data[len - 1] == '\n')
                len--;
        if (len > 0 && (memchr(data, '\0', len) || memchr(data, '\n', len)))
                return -EINVAL;
        *ret = len;
        return 0;
}

int kl_net__ipam_parse_entry(const struct kl_net__cidr *range, const char *name, const char *data,
                             size_t len, struct kl_net__ipam_entry *ret)
{
        uint32_t ip, first, last;

        if (kl_parse_ipv4(name, &ip) < 0)
                return -EINVAL;
        ipam_bounds(range, &first, &last);
        if (!kl_net__cidr_contains(range, ip) || ip < first || ip > last)
                return -ERANGE;
        if (strip_newline(data, len, &len) < 0 || len == 0 || len >= sizeof(ret->uid) ||
            !kl_net__uid_is_valid(data, len))
                return -EINVAL;
        ret->ip = ip;
        memcpy(ret->uid, data, len);
        ret->uid[len] = '\0';
        return 0;
}

int kl_net__ipam_parse_cursor(const struct kl_net__cidr *range, const char *data, size_t len,
                              uint32_t *ret)
{
        char text[16];
        uint32_t ip, first, last;

        if (strip_newline(data, len, &len) < 0 || len >= sizeof(text))
                return -EINVAL;
        memcpy(text, data, len);
        text[len] = '\0';
        if (kl_parse_ipv4(text, &ip) < 0)
                return -EINVAL;
        ipam_bounds(range, &first, &last);
        if (ip < first || ip > last || !kl_net__cidr_contains(range, ip))
                return -ERANGE;
        *ret = ip;
        return 0;
}

static int cmp_entry(const void *a, const void *b)
{
        const struct kl_net__ipam_entry *x = a, *y = b;

        return x->ip < y->ip ? -1 : x->ip > y->ip;
}

static int read_at(int dfd, const char *name, char **ret, size_t *ret_len)
{
        kl_autoclose int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        return kl_read_all_fd(fd, KL_NET__IPAM_FILE_MAX, ret, ret_len);
}

int kl_net__ipam_list(struct kl_net__ipam *ipam, struct kl_net__ipam_entry **ret, size_t *ret_n,
                      size_t *ret_corrupt, struct kl_err **err)
{
        kl_autoclosedir DIR *d = NULL;
        kl_autofree struct kl_net__ipam_entry *v = NULL;
        size_t n = 0, alloc = 0, corrupt = 0, seen = 0;
        size_t max = (size_t)(ipam->last - ipam->first + 1) + DIR_SLACK;
        struct dirent *de;

        d = opendir(ipam->dir);
        if (!d)
                return kl_err_set(err, -errno, "open '%s'", ipam->dir);
        while ((errno = 0, de = readdir(d))) {
                kl_autofree char *data = NULL;
                struct kl_net__ipam_entry e;
                size_t len = 0;
                int r;

                if (kl_streq(de->d_name, ".") || kl_streq(de->d_name, "..") ||
                    kl_startswith(de->d_name, CURSOR_FILE) || kl_startswith(de->d_name, TMP_PREFIX))
                        continue;
                if (++seen > max)
                        return kl_err_set(err, -E2BIG, "'%s': more than %zu files", ipam->dir, max);
                r = read_at(dirfd(d), de->d_name, &data, &len);
                if (r == -ENOENT)
                        continue; /* freed meanwhile */
                if (r >= 0)
                        r = kl_net__ipam_parse_entry(&ipam->range, de->d_name, data, len, &e);
                if (r < 0) {
                        uint32_t ip;

                        kl_log_warn(KL_LOG_NET, "ipam: skipping '%s/%s': %s", ipam->dir, de->d_name,
                                    kl_parse_ipv4(de->d_name, &ip) < 0 ? "not an address"
                                    : r == -ERANGE ? "address outside the pod CIDR's pool"
                                    : r == -E2BIG  ? "too large"
                                    : r == -EINVAL ? "not a pod uid"
                                                   : kl_strerror(r));
                        corrupt++;
                        continue;
                }
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        v = kl_realloc(v, alloc * sizeof(*v));
                }
                v[n++] = e;
        }
        if (errno != 0)
                return kl_err_set(err, -errno, "read '%s'", ipam->dir);
        if (n > 1)
                qsort(v, n, sizeof(*v), cmp_entry);
        *ret = KL_TAKE_PTR(v);
        *ret_n = n;
        if (ret_corrupt)
                *ret_corrupt = corrupt;
        return 0;
}

int kl_net__ipam_find(struct kl_net__ipam *ipam, const char *uid, uint32_t *ret,
                      struct kl_err **err)
{
        kl_autofree struct kl_net__ipam_entry *v = NULL;
        size_t n = 0;
        int r;

        r = kl_net__ipam_list(ipam, &v, &n, NULL, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (kl_streq(v[i].uid, uid)) {
                        *ret = v[i].ip;
                        return 0;
                }
        return -ENOENT;
}

static uint32_t read_cursor(struct kl_net__ipam *ipam)
{
        kl_autofree char *path = kl_asprintf("%s/%s", ipam->dir, CURSOR_FILE);
        kl_autofree char *data = NULL;
        size_t len = 0;
        uint32_t ip;

        if (kl_read_file(path, KL_NET__IPAM_FILE_MAX, &data, &len) < 0 ||
            kl_net__ipam_parse_cursor(&ipam->range, data, len, &ip) < 0)
                return ipam->last; /* none or unreadable: start at the beginning */
        return ip;
}

static void unlink_tmp(char **path)
{
        if (*path) {
                (void)unlink(*path);
                free(*path);
                *path = NULL;
        }
}

int kl_net__ipam_alloc(struct kl_net__ipam *ipam, const char *uid, uint32_t *ret,
                       struct kl_err **err)
{
        kl_cleanup(unlink_tmp) char *tmp = NULL;
        kl_autoclose int fd = -EBADF;
        kl_autofree char *content = NULL;
        uint32_t cursor, n = ipam->last - ipam->first + 1;
        char ipbuf[16];
        int r;

        if (!kl_net__uid_is_valid(uid, strlen(uid)))
                return kl_err_set(err, -EINVAL, "pod uid '%s': not 1-128 of [A-Za-z0-9._-]", uid);
        r = kl_net__ipam_find(ipam, uid, ret, err);
        if (r != -ENOENT)
                return r;

        tmp = kl_asprintf("%s/" TMP_PREFIX "%d-%s", ipam->dir, (int)getpid(), uid);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return kl_err_set(err, -errno, "create '%s'", tmp);
        content = kl_asprintf("%s\n", uid);
        r = kl_write_all(fd, content, strlen(content));
        if (r >= 0)
                r = KL_NEG_ERRNO(fsync(fd));
        if (r < 0)
                return kl_err_set(err, r, "write '%s'", tmp);

        cursor = read_cursor(ipam);
        for (uint32_t i = 1; i <= n; i++) {
                uint32_t ip = ipam->first + (cursor - ipam->first + i) % n;
                kl_autofree char *path = NULL;

                kl_net__ip_format(ip, ipbuf);
                path = kl_asprintf("%s/%s", ipam->dir, ipbuf);
                if (link(tmp, path) < 0) {
                        if (errno == EEXIST)
                                continue;
                        return kl_err_set(err, -errno, "create '%s'", path);
                }
                {
                        kl_autoclose int dfd = open(ipam->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                        if (dfd >= 0)
                                (void)fsync(dfd);
                }
                kl_autofree char *cpath = kl_asprintf("%s/%s", ipam->dir, CURSOR_FILE);
                kl_autofree char *ctext = kl_asprintf("%s\n", ipbuf);
                /* Losing the cursor costs only the round robin: no fsync. */
                (void)kl_write_file_atomic(cpath, ctext, strlen(ctext), 0600, KL_WRITE_FILE_NOSYNC);
                *ret = ip;
                return 0;
        }
        kl_net__ip_format(ipam->range.addr, ipbuf);
        return kl_err_set_msg(err, -ENOSPC, "no free pod address in %s/%u", ipbuf,
                              ipam->range.prefix);
}

int kl_net__ipam_release(struct kl_net__ipam *ipam, const char *uid, struct kl_err **err)
{
        kl_autofree struct kl_net__ipam_entry *v = NULL;
        size_t n = 0;
        int r, freed = 0;

        r = kl_net__ipam_list(ipam, &v, &n, NULL, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char ipbuf[16];
                kl_autofree char *path = NULL;

                if (!kl_streq(v[i].uid, uid))
                        continue;
                kl_net__ip_format(v[i].ip, ipbuf);
                path = kl_asprintf("%s/%s", ipam->dir, ipbuf);
                if (unlink(path) < 0 && errno != ENOENT)
                        return kl_err_set(err, -errno, "remove '%s'", path);
                freed++;
        }
        return freed;
}
