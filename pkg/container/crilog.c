/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CRI log file: what the shim writes for a container's stdout and
 * stderr, and what the kubelet (and `kube-lite ctr logs`) reads back.
 *
 * Each entry is one line, `<time> <stream> <tag> <content>\n`, as
 * containerd's CRI plugin writes it (internal/cri/io/logger.go): the time in
 * RFC 3339 with nanoseconds in UTC, the stream "stdout" or "stderr", the tag
 * F for a whole line or P for a piece of a longer one, then the bytes of the
 * line without its newline (a '\r' stays, as containerd keeps it). A line
 * longer than LOG_PIECE_MAX (containerd's default max_container_log_line_size)
 * becomes pieces of exactly that size tagged P, ended by the rest tagged F.
 *
 * Output without its newline is held per stream (at most one piece's worth)
 * until the line ends, grows past a piece, or is flushed; containerd writes
 * such a remainder with P at EOF, but the contract here is F (what the
 * process wrote last is a line of its own). An entry is built whole in one
 * buffer and written with one write() on an O_APPEND descriptor, so a reader
 * following the file never sees half an entry from us.
 *
 * Rotation happens before an entry that would take the file past max_size
 * (never for the first entry of a file, so an entry larger than max_size
 * still gets written): <path>.N-1 is removed, every <path>.i moves to
 * <path>.i+1, <path> becomes <path>.1 and a new <path> is started.
 */
#include "container/ctr-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"

#define LOG_PIECE_MAX         ((size_t)16 << 10)
#define LOG_DEFAULT_MAX_SIZE  ((int64_t)10 << 20)
#define LOG_DEFAULT_MAX_FILES 5u
/* Rotation renames every kept file: a bound on the work one entry can cost. */
#define LOG_MAX_FILES_LIMIT 1024u
#define LOG_MODE            0640
/* Room for "2024-01-02T03:04:05.123456789Z" (and then some). */
#define LOG_TIME_MAX (KL_RFC3339_MAX + 3)
/* time, "stdout", tag, three spaces, a piece and the newline */
#define LOG_ENTRY_MAX (LOG_TIME_MAX + 6 + 1 + 3 + LOG_PIECE_MAX + 1)
/* The longest timestamp the reader accepts (any fraction length is RFC 3339). */
#define LOG_TIME_PARSE_MAX 64

struct held {
        char data[LOG_PIECE_MAX];
        size_t len; /* bytes of an unterminated line; never more than one piece */
};

struct kl_container__log {
        char *path;   /* owned */
        int fd;       /* owned; -EBADF after a failed rotation, reopened at the next entry */
        int64_t size; /* bytes in the current file */
        int64_t max_size;
        unsigned max_files;
        struct held held[2]; /* stdout, stderr */
        char entry[LOG_ENTRY_MAX];
};

static const char *const stream_names[2] = { "stdout", "stderr" };

static int log_reopen(struct kl_container__log *l, struct kl_err **err)
{
        struct stat st;
        int fd;

        fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, LOG_MODE);
        if (fd < 0)
                return kl_err_set(err, -errno, "open '%s'", l->path);
        if (fstat(fd, &st) < 0) {
                int r = -errno;

                (void)kl_close(fd);
                return kl_err_set(err, r, "stat '%s'", l->path);
        }
        l->fd = fd;
        l->size = st.st_size;
        return 0;
}

static int rename_if_exists(const char *from, const char *to, struct kl_err **err)
{
        if (rename(from, to) < 0 && errno != ENOENT)
                return kl_err_set(err, -errno, "rename '%s' to '%s'", from, to);
        return 0;
}

static int log_rotate(struct kl_container__log *l, struct kl_err **err)
{
        int r;

        if (l->fd >= 0)
                (void)kl_close(l->fd);
        l->fd = -EBADF;

        if (l->max_files <= 1) {
                if (unlink(l->path) < 0 && errno != ENOENT)
                        return kl_err_set(err, -errno, "remove '%s'", l->path);
        } else {
                kl_autofree char *oldest = kl_asprintf("%s.%u", l->path, l->max_files - 1);

                if (unlink(oldest) < 0 && errno != ENOENT)
                        return kl_err_set(err, -errno, "remove '%s'", oldest);
                for (unsigned i = l->max_files - 2; i >= 1; i--) {
                        kl_autofree char *from = kl_asprintf("%s.%u", l->path, i);
                        kl_autofree char *to = kl_asprintf("%s.%u", l->path, i + 1);

                        r = rename_if_exists(from, to, err);
                        if (r < 0)
                                return r;
                }
                kl_autofree char *first = kl_asprintf("%s.1", l->path);

                r = rename_if_exists(l->path, first, err);
                if (r < 0)
                        return r;
        }
        return log_reopen(l, err);
}

/*
 * The time as containerd writes it. We have microseconds, so the nanoseconds
 * end in 000: "....ssssssZ" becomes "....ssssss000Z".
 */
static size_t format_time(char *buf)
{
        char t[KL_RFC3339_MAX];
        size_t n;

        kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_MICRO, t, sizeof(t));
        n = strlen(t);
        if (n == 0 || t[n - 1] != 'Z') {
                memcpy(buf, t, n);
                return n;
        }
        memcpy(buf, t, n - 1);
        memset(buf + n - 1, '0', 3);
        buf[n + 2] = 'Z';
        return n + 3;
}

/* One entry: the held bytes `a` and the new bytes `b` make up its content. */
static int log_entry(struct kl_container__log *l, int stream, bool partial, const char *a,
                     size_t alen, const char *b, size_t blen, struct kl_err **err)
{
        size_t n;
        int r;

        kl_assert(alen + blen <= LOG_PIECE_MAX);
        n = format_time(l->entry);
        l->entry[n++] = ' ';
        memcpy(l->entry + n, stream_names[stream], 6);
        n += 6;
        l->entry[n++] = ' ';
        l->entry[n++] = partial ? 'P' : 'F';
        l->entry[n++] = ' ';
        if (alen > 0)
                memcpy(l->entry + n, a, alen);
        n += alen;
        if (blen > 0)
                memcpy(l->entry + n, b, blen);
        n += blen;
        l->entry[n++] = '\n';

        if (l->fd >= 0 && l->size > 0 && l->size + (int64_t)n > l->max_size) {
                r = log_rotate(l, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "rotate log '%s'", l->path);
        }
        if (l->fd < 0) {
                r = log_reopen(l, err);
                if (r < 0)
                        return r;
                if (l->size > 0 && l->size + (int64_t)n > l->max_size) {
                        r = log_rotate(l, err);
                        if (r < 0)
                                return kl_err_wrap(err, r, "rotate log '%s'", l->path);
                }
        }

        r = KL_FAULT("container.crilog.write");
        if (r == 0)
                r = kl_write_all(l->fd, l->entry, n);
        if (r < 0)
                return kl_err_set(err, r, "write '%s'", l->path);
        l->size += (int64_t)n;
        return 0;
}

int kl_container__log_open(const char *path, int64_t max_size, unsigned max_files,
                           struct kl_container__log **ret, struct kl_err **err)
{
        struct kl_container__log *l;
        int r;

        if (max_size < 0)
                return kl_err_set(err, -EINVAL, "log '%s': negative maximum size %lld", path,
                                  (long long)max_size);
        if (max_files > LOG_MAX_FILES_LIMIT)
                return kl_err_set(err, -EINVAL, "log '%s': %u files to keep, more than %u", path,
                                  max_files, LOG_MAX_FILES_LIMIT);
        l = kl_new0(struct kl_container__log);
        l->path = kl_strdup(path);
        l->fd = -EBADF;
        l->max_size = max_size > 0 ? max_size : LOG_DEFAULT_MAX_SIZE;
        l->max_files = max_files > 0 ? max_files : LOG_DEFAULT_MAX_FILES;
        r = log_reopen(l, err);
        if (r < 0) {
                free(l->path);
                free(l);
                return r;
        }
        *ret = l;
        return 0;
}

int kl_container__log_write(struct kl_container__log *l, enum kl_ctr_stream_kind stream,
                            const void *data, size_t len, struct kl_err **err)
{
        const char *p = data, *end = p + len;
        struct held *h;
        int s, r, first = 0;

        if (stream != KL_CTR_STREAM_STDOUT && stream != KL_CTR_STREAM_STDERR)
                return kl_err_set(err, -EINVAL, "log: stream %d is not stdout or stderr",
                                  (int)stream);
        s = stream == KL_CTR_STREAM_STDOUT ? 0 : 1;
        h = &l->held[s];

        /*
         * Keep going after a failed entry, as containerd does: the rest of
         * the output is still consumed, so the held state stays in step with
         * the stream, and the first error is what the caller hears about.
         */
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *e = nl ? nl : end;

                /* A P piece only when more of the same line is known to follow it. */
                while (h->len + (size_t)(e - p) > LOG_PIECE_MAX) {
                        size_t take = LOG_PIECE_MAX - h->len;

                        r = log_entry(l, s, true, h->data, h->len, p, take, first ? NULL : err);
                        if (r < 0 && !first)
                                first = r;
                        h->len = 0;
                        p += take;
                }
                if (nl) {
                        r = log_entry(l, s, false, h->data, h->len, p, (size_t)(e - p),
                                      first ? NULL : err);
                        if (r < 0 && !first)
                                first = r;
                        h->len = 0;
                        p = nl + 1;
                } else {
                        memcpy(h->data + h->len, p, (size_t)(e - p));
                        h->len += (size_t)(e - p);
                        p = e;
                }
        }
        return first;
}

int kl_container__log_flush(struct kl_container__log *l, struct kl_err **err)
{
        int r, first = 0;

        for (int s = 0; s < 2; s++) {
                struct held *h = &l->held[s];

                if (h->len == 0)
                        continue;
                r = log_entry(l, s, false, h->data, h->len, NULL, 0, first ? NULL : err);
                if (r < 0 && !first)
                        first = r;
                h->len = 0;
        }
        return first;
}

void kl_container__log_free(struct kl_container__log *l)
{
        if (!l)
                return;
        (void)kl_container__log_flush(l, NULL);
        if (l->fd >= 0)
                (void)kl_close(l->fd);
        free(l->path);
        free(l);
}

/* The next field ending in one space: its length, or -1 when there is no space. */
static ssize_t field(const char *p, const char *end)
{
        const char *sp = memchr(p, ' ', (size_t)(end - p));

        return sp ? sp - p : -1;
}

int kl_ctr_log_parse_line(const char *line, size_t len, struct kl_ctr_log_line *ret)
{
        const char *p = line, *end = line + len;
        char t[LOG_TIME_PARSE_MAX + 1];
        struct kl_ctr_log_line l = { 0 };
        ssize_t n;

        if (!line)
                return -EINVAL;
        n = field(p, end);
        if (n <= 0 || n > LOG_TIME_PARSE_MAX || memchr(p, '\0', (size_t)n))
                return -EINVAL;
        memcpy(t, p, (size_t)n);
        t[n] = '\0';
        if (kl_rfc3339_parse(t, &l.time_usec) < 0)
                return -EINVAL;
        p += n + 1;

        n = field(p, end);
        if (n == 6 && memcmp(p, "stdout", 6) == 0)
                l.stream = KL_CTR_STREAM_STDOUT;
        else if (n == 6 && memcmp(p, "stderr", 6) == 0)
                l.stream = KL_CTR_STREAM_STDERR;
        else
                return -EINVAL;
        p += n + 1;

        n = field(p, end);
        if (n != 1 || (*p != 'F' && *p != 'P'))
                return -EINVAL;
        l.partial = *p == 'P';
        p += 2;

        l.content = p;
        l.len = (size_t)(end - p);
        *ret = l;
        return 0;
}
