/* SPDX-License-Identifier: Apache-2.0 */
/* The shim socket's frames: parsing, building, and whole frames over a socketpair. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"

#define HDR KL_CONTAINER__FRAME_HDR
#define MAX KL_CONTAINER__FRAME_MAX

Test(frame, round_trips_every_type)
{
        static const struct {
                enum kl_container__frame_type type;
                const char *payload;
                size_t len;
        } cases[] = {
                { KL_CONTAINER__FRAME_REQUEST, "{\"op\":\"start\"}", 14 },
                { KL_CONTAINER__FRAME_REPLY, "{}", 2 },
                { KL_CONTAINER__FRAME_STDIN, "a\0b", 3 },
                { KL_CONTAINER__FRAME_STDOUT, "hello\n", 6 },
                { KL_CONTAINER__FRAME_STDERR, "", 0 },
                { KL_CONTAINER__FRAME_STDIN_EOF, "", 0 },
                { KL_CONTAINER__FRAME_RESIZE, "\0\x18\0\x50", 4 },
                { KL_CONTAINER__FRAME_EXIT, "\0\0\0\x89", 4 },
        };
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        size_t off = 0;

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                cr_assert_eq(
                        kl_container__frame_put(&b, cases[i].type, cases[i].payload, cases[i].len),
                        0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_container__frame f;
                ssize_t n =
                        kl_container__frame_parse((const uint8_t *)b.buf + off, b.len - off, &f);

                cr_assert_eq(n, (ssize_t)(HDR + cases[i].len), "frame %zu", i);
                cr_expect_eq(f.type, cases[i].type);
                cr_expect_eq(f.len, cases[i].len);
                cr_expect_eq(memcmp(f.payload, cases[i].payload, f.len), 0);
                off += (size_t)n;
        }
        cr_expect_eq(off, b.len);
}

Test(frame, header_is_big_endian_with_zero_reserved_bytes)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        kl_autofree char *payload = kl_calloc(1, 0x10203);

        cr_assert_eq(kl_container__frame_put(&b, KL_CONTAINER__FRAME_STDOUT, payload, 0x10203),
                     -EMSGSIZE, "over the maximum");
        cr_assert_eq(b.len, 0);
        cr_assert_eq(kl_container__frame_put(&b, KL_CONTAINER__FRAME_STDOUT, payload, 0x0203), 0);
        cr_assert_eq(b.len, HDR + 0x0203);
        cr_expect_eq(memcmp(b.buf, (const uint8_t[]){ 4, 0, 0, 0, 0, 0, 0x02, 0x03 }, HDR), 0);
        kl_buf_reset(&b);
        cr_assert_eq(kl_container__frame_put(&b, KL_CONTAINER__FRAME_STDOUT, payload, MAX), 0);
        cr_expect_eq(memcmp(b.buf, (const uint8_t[]){ 4, 0, 0, 0, 0, 1, 0, 0 }, HDR), 0);
}

Test(frame, partial_input_returns_zero)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        struct kl_container__frame f;

        cr_assert_eq(kl_container__frame_put(&b, KL_CONTAINER__FRAME_STDOUT, "0123456789", 10), 0);
        for (size_t len = 0; len < b.len; len++)
                cr_expect_eq(kl_container__frame_parse((const uint8_t *)b.buf, len, &f), 0,
                             "%zu bytes", len);
        cr_expect_eq(kl_container__frame_parse((const uint8_t *)b.buf, b.len, &f), HDR + 10);
        /* Bytes after the frame belong to the next one. */
        cr_assert_eq(kl_buf_append(&b, "\x04", 1), 0);
        cr_expect_eq(kl_container__frame_parse((const uint8_t *)b.buf, b.len, &f), HDR + 10);
}

Test(frame, bad_headers_are_eproto)
{
        static const struct {
                const char *name;
                uint8_t hdr[HDR];
                size_t len; /* bytes of hdr given */
        } cases[] = {
                { "type 0", { 0, 0, 0, 0, 0, 0, 0, 0 }, HDR },
                { "type 9", { 9, 0, 0, 0, 0, 0, 0, 1 }, HDR },
                { "type 255", { 255, 0, 0, 0, 0, 0, 0, 0 }, HDR },
                { "type 0 alone", { 0 }, 1 },
                { "reserved byte 1", { 1, 1, 0, 0, 0, 0, 0, 0 }, HDR },
                { "reserved byte 2", { 1, 0, 1, 0, 0, 0, 0, 0 }, HDR },
                { "reserved byte 3", { 1, 0, 0, 0x80, 0, 0, 0, 0 }, HDR },
                { "reserved, short", { 2, 0, 7 }, 3 },
                { "max + 1", { 4, 0, 0, 0, 0, 1, 0, 1 }, HDR },
                { "4 GiB - 1", { 4, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }, HDR },
                { "1 << 24", { 4, 0, 0, 0, 1, 0, 0, 0 }, HDR },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_container__frame f;

                cr_expect_eq(kl_container__frame_parse(cases[i].hdr, cases[i].len, &f), -EPROTO,
                             "%s", cases[i].name);
        }
}

Test(frame, put_refuses_a_bounded_buffer_overflow_and_bad_types)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT_MAX(HDR + 3);

        cr_expect_eq(kl_container__frame_put(&b, KL_CONTAINER__FRAME_STDOUT, "abcd", 4), -E2BIG);
        cr_expect_eq(b.len, 0);
        cr_expect_eq(kl_container__frame_put(&b, KL_CONTAINER__FRAME_STDOUT, "abc", 3), 0);
        cr_expect_eq(kl_container__frame_put(&b, (enum kl_container__frame_type)0, "", 0), -EINVAL);
        cr_expect_eq(kl_container__frame_put(&b, (enum kl_container__frame_type)9, "", 0), -EINVAL);
        cr_expect_eq(b.len, HDR + 3);
}

static void make_pair(int sv[2])
{
        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

struct sender {
        int fd;
        enum kl_container__frame_type type;
        const void *payload;
        size_t len;
        int r;
};

static void *send_thread(void *arg)
{
        struct sender *s = arg;

        s->r = kl_container__frame_send(s->fd, s->type, s->payload, s->len);
        return NULL;
}

Test(frame, send_recv_over_a_socketpair)
{
        static const size_t sizes[] = { 0, 1, 4096, 65535, MAX };
        kl_autoclose int a = -EBADF, b = -EBADF;
        kl_autobuf struct kl_buf buf = KL_BUF_INIT_MAX(HDR + MAX);
        int sv[2];

        make_pair(sv);
        a = sv[0];
        b = sv[1];
        for (size_t i = 0; i < KL_ARRAY_SIZE(sizes); i++) {
                kl_autofree uint8_t *payload = kl_malloc(sizes[i] + 1);
                struct kl_container__frame f;
                struct sender s = { a, KL_CONTAINER__FRAME_STDERR, payload, sizes[i], -1 };
                pthread_t t;

                for (size_t j = 0; j < sizes[i]; j++)
                        payload[j] = (uint8_t)(j * 31 + i);
                /* A frame larger than the socket buffer needs the reader running meanwhile. */
                cr_assert_eq(pthread_create(&t, NULL, send_thread, &s), 0);
                cr_assert_eq(kl_container__frame_recv(b, &buf, &f), 0, "size %zu", sizes[i]);
                cr_assert_eq(pthread_join(t, NULL), 0);
                cr_assert_eq(s.r, 0);
                cr_expect_eq(f.type, KL_CONTAINER__FRAME_STDERR);
                cr_assert_eq(f.len, sizes[i]);
                cr_expect_eq(memcmp(f.payload, payload, sizes[i]), 0, "size %zu", sizes[i]);
                cr_expect_eq(buf.len, HDR + sizes[i]);
        }
}

Test(frame, send_refuses_oversize_and_reports_a_closed_peer)
{
        kl_autoclose int a = -EBADF;
        kl_autofree char *big = kl_calloc(1, MAX + 1);
        int sv[2];

        make_pair(sv);
        a = sv[0];
        cr_expect_eq(kl_container__frame_send(a, KL_CONTAINER__FRAME_STDOUT, big, MAX + 1),
                     -EMSGSIZE);
        cr_expect_eq(kl_container__frame_send(a, (enum kl_container__frame_type)0, "", 0), -EINVAL);
        cr_assert_eq(close(sv[1]), 0);
        /* MSG_NOSIGNAL: an error, not a SIGPIPE that would end this test. */
        cr_expect_eq(kl_container__frame_send(a, KL_CONTAINER__FRAME_STDOUT, "x", 1), -EPIPE);
}

Test(frame, send_works_on_a_pipe)
{
        kl_autoclose int r = -EBADF, w = -EBADF;
        kl_autobuf struct kl_buf buf = KL_BUF_INIT_MAX(HDR + MAX);
        struct kl_container__frame f;
        int p[2];

        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        r = p[0];
        w = p[1];
        cr_assert_eq(kl_container__frame_send(w, KL_CONTAINER__FRAME_EXIT, "\0\0\0\x01", 4), 0);
        cr_assert_eq(kl_container__frame_recv(r, &buf, &f), 0);
        cr_expect_eq(f.type, KL_CONTAINER__FRAME_EXIT);
        cr_expect_eq(f.len, 4);
        cr_expect_eq(f.payload[3], 1);
}

/* Write raw bytes to the peer, then close it: what recv makes of them. */
static int recv_raw(const void *data, size_t len, size_t buf_max)
{
        kl_autoclose int a = -EBADF, b = -EBADF;
        kl_autobuf struct kl_buf buf = KL_BUF_INIT_MAX(buf_max);
        struct kl_container__frame f;
        int sv[2];

        make_pair(sv);
        a = sv[0];
        b = sv[1];
        cr_assert_eq(kl_write_all(a, data, len), 0);
        cr_assert_eq(close(KL_TAKE_FD(a)), 0);
        return kl_container__frame_recv(b, &buf, &f);
}

Test(frame, recv_errors)
{
        static const struct {
                const char *name;
                const char *data;
                size_t len;
                size_t buf_max;
                int want;
        } cases[] = {
                { "EOF before any byte", "", 0, HDR + MAX, -EPIPE },
                { "EOF inside the header", "\x04\0\0", 3, HDR + MAX, -EPIPE },
                { "EOF inside the payload",
                  "\x04\0\0\0\0\0\0\x05"
                  "abc",
                  11, HDR + MAX, -EPIPE },
                { "bad type", "\x0a\0\0\0\0\0\0\0", 8, HDR + MAX, -EPROTO },
                { "reserved byte", "\x04\0\x01\0\0\0\0\0", 8, HDR + MAX, -EPROTO },
                { "over the maximum", "\x04\0\0\0\0\x01\0\x01", 8, HDR + MAX, -EPROTO },
                { "over the caller's buffer",
                  "\x04\0\0\0\0\0\0\x05"
                  "abcde",
                  13, HDR + 4, -E2BIG },
                { "whole frame",
                  "\x04\0\0\0\0\0\0\x05"
                  "abcde",
                  13, HDR + 5, 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                cr_expect_eq(recv_raw(cases[i].data, cases[i].len, cases[i].buf_max), cases[i].want,
                             "%s", cases[i].name);
}

Test(frame, recv_reads_frames_in_sequence_and_resets_the_buffer)
{
        kl_autoclose int a = -EBADF, b = -EBADF;
        kl_autobuf struct kl_buf buf = KL_BUF_INIT_MAX(HDR + MAX);
        struct kl_container__frame f;
        int sv[2];

        make_pair(sv);
        a = sv[0];
        b = sv[1];
        cr_assert_eq(
                kl_container__frame_send(a, KL_CONTAINER__FRAME_REQUEST, "{\"op\":\"wait\"}", 13),
                0);
        cr_assert_eq(kl_container__frame_send(a, KL_CONTAINER__FRAME_STDIN_EOF, NULL, 0), 0);
        cr_assert_eq(kl_container__frame_recv(b, &buf, &f), 0);
        cr_expect_eq(f.type, KL_CONTAINER__FRAME_REQUEST);
        cr_expect_eq(f.len, 13);
        cr_expect_eq(memcmp(f.payload, "{\"op\":\"wait\"}", 13), 0);
        cr_assert_eq(kl_container__frame_recv(b, &buf, &f), 0);
        cr_expect_eq(f.type, KL_CONTAINER__FRAME_STDIN_EOF);
        cr_expect_eq(f.len, 0);
        cr_expect_eq(buf.len, HDR);
}
