/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The framing of a shim socket (ctr-internal.h "proto.c"): an 8-byte header
 * — type, three reserved zero bytes, the payload length big-endian — then
 * the payload, at most KL_CONTAINER__FRAME_MAX bytes. Both ends check every
 * header, so a confused or hostile peer gets -EPROTO before anything is
 * allocated for it.
 *
 * kl_container__frame_send() and _recv() are for blocking descriptors, the
 * shim's one-request connections and the client's request/reply. They also
 * work on a non-blocking one by waiting in poll() on EAGAIN, so a stream
 * whose fd the caller made non-blocking can still send a whole frame.
 */
#include "container/ctr-internal.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/base.h"

static bool type_is_valid(unsigned t)
{
        return t >= KL_CONTAINER__FRAME_REQUEST && t <= KL_CONTAINER__FRAME_EXIT;
}

static void put_header(uint8_t h[KL_CONTAINER__FRAME_HDR], enum kl_container__frame_type type,
                       size_t len)
{
        h[0] = (uint8_t)type;
        h[1] = h[2] = h[3] = 0;
        h[4] = (uint8_t)(len >> 24);
        h[5] = (uint8_t)(len >> 16);
        h[6] = (uint8_t)(len >> 8);
        h[7] = (uint8_t)len;
}

/*
 * Check the header bytes that are there (all eight or fewer): -EPROTO as
 * soon as a byte is wrong, else the payload length once it is known (0
 * before that).
 */
static ssize_t check_header(const uint8_t *buf, size_t len, size_t *ret_payload)
{
        size_t n;

        if (len >= 1 && !type_is_valid(buf[0]))
                return -EPROTO;
        for (size_t i = 1; i < 4 && i < len; i++)
                if (buf[i] != 0)
                        return -EPROTO;
        if (len < KL_CONTAINER__FRAME_HDR)
                return 0;
        n = (size_t)buf[4] << 24 | (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | (size_t)buf[7];
        if (n > KL_CONTAINER__FRAME_MAX)
                return -EPROTO;
        *ret_payload = n;
        return 1;
}

ssize_t kl_container__frame_parse(const uint8_t *buf, size_t len, struct kl_container__frame *ret)
{
        size_t n = 0;
        ssize_t r;

        r = check_header(buf, len, &n);
        if (r <= 0)
                return r;
        if (len - KL_CONTAINER__FRAME_HDR < n)
                return 0;
        *ret = (struct kl_container__frame){
                .type = (enum kl_container__frame_type)buf[0],
                .payload = buf + KL_CONTAINER__FRAME_HDR,
                .len = n,
        };
        return (ssize_t)(KL_CONTAINER__FRAME_HDR + n);
}

int kl_container__frame_put(struct kl_buf *out, enum kl_container__frame_type type,
                            const void *payload, size_t len)
{
        uint8_t h[KL_CONTAINER__FRAME_HDR];
        size_t old = out->len;
        int r;

        if (!type_is_valid(type))
                return -EINVAL;
        if (len > KL_CONTAINER__FRAME_MAX)
                return -EMSGSIZE;
        r = kl_buf_grow(out, sizeof(h) + len);
        if (r < 0)
                return r;
        put_header(h, type, len);
        r = kl_buf_append(out, h, sizeof(h));
        if (r == 0 && len > 0)
                r = kl_buf_append(out, payload, len);
        if (r < 0)
                kl_buf_truncate(out, old);
        return r;
}

/* Wait until `fd` is ready for `events` (a non-blocking fd said EAGAIN). */
static int wait_fd(int fd, short events)
{
        struct pollfd p = { .fd = fd, .events = events };

        for (;;) {
                int r = poll(&p, 1, -1);

                if (r >= 0)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

int kl_container__frame_send(int fd, enum kl_container__frame_type type, const void *payload,
                             size_t len)
{
        uint8_t h[KL_CONTAINER__FRAME_HDR];
        struct iovec iov[2];
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = len > 0 ? 2 : 1 };
        bool sock = true;

        if (!type_is_valid(type))
                return -EINVAL;
        if (len > KL_CONTAINER__FRAME_MAX)
                return -EMSGSIZE;
        put_header(h, type, len);
        iov[0] = (struct iovec){ .iov_base = h, .iov_len = sizeof(h) };
        iov[1] = (struct iovec){ .iov_base = (void *)payload, .iov_len = len };

        /*
         * sendmsg() with MSG_NOSIGNAL where it is a socket, so a peer that went
         * away is -EPIPE rather than a SIGPIPE for whoever called us; writev()
         * for a pipe.
         */
        while (msg.msg_iovlen > 0) {
                ssize_t n;

                n = sock ? sendmsg(fd, &msg, MSG_NOSIGNAL)
                         : writev(fd, msg.msg_iov, (int)msg.msg_iovlen);
                if (n < 0) {
                        int r = -errno;

                        if (r == -ENOTSOCK && sock) {
                                sock = false;
                                continue;
                        }
                        if (r == -EINTR)
                                continue;
                        if (r == -EAGAIN || r == -EWOULDBLOCK) {
                                r = wait_fd(fd, POLLOUT);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        return r;
                }
                for (size_t i = 0; i < (size_t)msg.msg_iovlen && n > 0; i++) {
                        size_t d = KL_MIN((size_t)n, msg.msg_iov[i].iov_len);

                        msg.msg_iov[i].iov_base = (char *)msg.msg_iov[i].iov_base + d;
                        msg.msg_iov[i].iov_len -= d;
                        n -= (ssize_t)d;
                }
                while (msg.msg_iovlen > 0 && msg.msg_iov[0].iov_len == 0) {
                        msg.msg_iov++;
                        msg.msg_iovlen--;
                }
        }
        return 0;
}

/* Read exactly `len` bytes: 0, -EPIPE at EOF before them, -errno. */
static int read_full(int fd, void *buf, size_t len)
{
        char *p = buf;

        while (len > 0) {
                ssize_t n = read(fd, p, len);

                if (n == 0)
                        return -EPIPE;
                if (n < 0) {
                        int r = -errno;

                        if (r == -EINTR)
                                continue;
                        if (r == -EAGAIN || r == -EWOULDBLOCK) {
                                r = wait_fd(fd, POLLIN);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        return r;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int kl_container__frame_recv(int fd, struct kl_buf *buf, struct kl_container__frame *ret)
{
        uint8_t h[KL_CONTAINER__FRAME_HDR];
        char chunk[16384];
        size_t n = 0, left;
        ssize_t c;
        int r;

        kl_buf_reset(buf);
        r = read_full(fd, h, sizeof(h));
        if (r < 0)
                return r;
        c = check_header(h, sizeof(h), &n);
        if (c < 0)
                return (int)c;
        /* The whole frame must fit the caller's bound before any of it is stored. */
        r = kl_buf_grow(buf, sizeof(h) + n);
        if (r < 0)
                return r;
        r = kl_buf_append(buf, h, sizeof(h));
        for (left = n; r == 0 && left > 0;) {
                size_t want = KL_MIN(left, sizeof(chunk));

                r = read_full(fd, chunk, want);
                if (r == 0)
                        r = kl_buf_append(buf, chunk, want);
                left -= want;
        }
        if (r < 0)
                return r;
        *ret = (struct kl_container__frame){
                .type = (enum kl_container__frame_type)h[0],
                .payload = (const uint8_t *)buf->buf + sizeof(h),
                .len = n,
        };
        return 0;
}
