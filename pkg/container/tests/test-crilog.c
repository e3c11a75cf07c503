/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CRI log writer and reader: entries as containerd writes them (one per
 * line, 16 KiB pieces, held partial lines per stream), rotation, and every
 * written entry read back with kl_ctr_log_parse_line().
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/testing.h"

#define PIECE ((size_t)16 << 10)

struct entry {
        enum kl_ctr_stream_kind stream;
        bool partial;
        int64_t time_usec;
        char *content; /* owned, NUL-terminated copy */
        size_t len;
};

struct entries {
        struct entry *v;
        size_t n, alloc;
};

static void entries_release(struct entries *es)
{
        for (size_t i = 0; i < es->n; i++)
                free(es->v[i].content);
        free(es->v);
        *es = (struct entries){ 0 };
}

/* Every line of `path` parsed; asserts each is a valid entry ending in '\n'. */
static struct entries read_entries(const char *path)
{
        struct entries es = { 0 };
        kl_autofree char *text = NULL;
        size_t len = 0;
        const char *p, *end;

        if (kl_read_file(path, 64 << 20, &text, &len) == -ENOENT)
                return es;
        cr_assert_not_null(text, "read '%s'", path);
        p = text;
        end = text + len;
        cr_assert(len == 0 || end[-1] == '\n', "'%s' ends inside an entry", path);
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                struct kl_ctr_log_line l;

                cr_assert_not_null(nl);
                cr_assert_eq(kl_ctr_log_parse_line(p, (size_t)(nl - p), &l), 0, "entry '%.*s'",
                             (int)KL_MIN(nl - p, 80), p);
                if (es.n == es.alloc) {
                        es.alloc = es.alloc ? 2 * es.alloc : 16;
                        es.v = kl_realloc(es.v, es.alloc * sizeof(*es.v));
                }
                es.v[es.n] = (struct entry){
                        .stream = l.stream,
                        .partial = l.partial,
                        .time_usec = l.time_usec,
                        .content = kl_malloc(l.len + 1),
                        .len = l.len,
                };
                /* Content may hold NUL bytes: copied by length. */
                memcpy(es.v[es.n].content, l.content, l.len);
                es.v[es.n++].content[l.len] = '\0';
                p = nl + 1;
        }
        return es;
}

static struct kl_container__log *open_log(const char *path, int64_t max_size, unsigned max_files)
{
        struct kl_container__log *l = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_container__log_open(path, max_size, max_files, &l, &e), 0, "%s",
                     kl_err_msg(e));
        return l;
}

static void wr(struct kl_container__log *l, enum kl_ctr_stream_kind s, const void *data, size_t len)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_container__log_write(l, s, data, len, &e), 0, "%s", kl_err_msg(e));
}

static void wrs(struct kl_container__log *l, enum kl_ctr_stream_kind s, const char *text)
{
        wr(l, s, text, strlen(text));
}

/* One temporary directory per test process. */
static const char *test_dir(void)
{
        static const char *dir;

        if (!dir)
                dir = kl_test_tmpdir();
        return dir;
}

static char *log_path(const char *name)
{
        return kl_asprintf("%s/%s", test_dir(), name);
}

static void expect_entry(const struct entries *es, size_t i, enum kl_ctr_stream_kind s,
                         bool partial, const char *content, size_t len)
{
        cr_assert_lt(i, es->n, "entry %zu missing (%zu entries)", i, es->n);
        cr_expect_eq(es->v[i].stream, s, "entry %zu stream", i);
        cr_expect_eq(es->v[i].partial, partial, "entry %zu tag", i);
        cr_assert_eq(es->v[i].len, len, "entry %zu: %zu bytes, want %zu", i, es->v[i].len, len);
        cr_expect_eq(memcmp(es->v[i].content, content, len), 0, "entry %zu content", i);
}

Test(crilog, one_entry_per_line_with_a_timestamp_of_now)
{
        kl_autofree char *path = log_path("c.log");
        struct kl_container__log *l = open_log(path, 0, 0);
        kl_autofree char *text = NULL;
        int64_t before = (int64_t)kl_now_realtime(), after;
        struct entries es;

        wrs(l, KL_CTR_STREAM_STDOUT, "a\nbb\n\nc c \r\n");
        after = (int64_t)kl_now_realtime();
        kl_container__log_free(l);

        es = read_entries(path);
        cr_assert_eq(es.n, 4);
        expect_entry(&es, 0, KL_CTR_STREAM_STDOUT, false, "a", 1);
        expect_entry(&es, 1, KL_CTR_STREAM_STDOUT, false, "bb", 2);
        expect_entry(&es, 2, KL_CTR_STREAM_STDOUT, false, "", 0);
        expect_entry(&es, 3, KL_CTR_STREAM_STDOUT, false, "c c \r", 5);
        for (size_t i = 0; i < es.n; i++) {
                cr_expect_geq(es.v[i].time_usec, before);
                cr_expect_leq(es.v[i].time_usec, after);
        }
        entries_release(&es);

        /* The format itself: RFC 3339 with nine fraction digits in UTC. */
        text = kl_test_read_file(path);
        cr_assert_geq(strlen(text), 31);
        for (size_t i = 0; i < 30; i++) {
                char c = text[i];

                if (i == 4 || i == 7)
                        cr_expect_eq(c, '-');
                else if (i == 10)
                        cr_expect_eq(c, 'T');
                else if (i == 13 || i == 16)
                        cr_expect_eq(c, ':');
                else if (i == 19)
                        cr_expect_eq(c, '.');
                else if (i == 29)
                        cr_expect_eq(c, 'Z');
                else
                        cr_expect(c >= '0' && c <= '9', "byte %zu of '%.30s'", i, text);
        }
        cr_expect_eq(memcmp(text + 26, "000Z stdout F a\n", 16), 0, "'%.40s'", text);
}

Test(crilog, partial_lines_are_held_until_the_newline_or_a_flush)
{
        kl_autofree char *path = log_path("c.log");
        struct kl_container__log *l = open_log(path, 0, 0);
        kl_autoerr struct kl_err *e = NULL;
        struct entries es;

        wrs(l, KL_CTR_STREAM_STDOUT, "abc");
        es = read_entries(path);
        cr_expect_eq(es.n, 0, "held output was written");
        entries_release(&es);

        wrs(l, KL_CTR_STREAM_STDOUT, "def\nxy");
        wrs(l, KL_CTR_STREAM_STDOUT, "");
        es = read_entries(path);
        cr_assert_eq(es.n, 1);
        expect_entry(&es, 0, KL_CTR_STREAM_STDOUT, false, "abcdef", 6);
        entries_release(&es);

        cr_assert_eq(kl_container__log_flush(l, &e), 0);
        cr_assert_eq(kl_container__log_flush(l, &e), 0);
        es = read_entries(path);
        cr_assert_eq(es.n, 2);
        expect_entry(&es, 1, KL_CTR_STREAM_STDOUT, false, "xy", 2);
        entries_release(&es);

        /* Freeing flushes too. */
        wrs(l, KL_CTR_STREAM_STDERR, "last words");
        kl_container__log_free(l);
        kl_container__log_free(NULL);
        es = read_entries(path);
        cr_assert_eq(es.n, 3);
        expect_entry(&es, 2, KL_CTR_STREAM_STDERR, false, "last words", 10);
        entries_release(&es);
}

static char *pattern(size_t len)
{
        char *s = kl_malloc(len + 1);

        for (size_t i = 0; i < len; i++)
                s[i] = (char)('a' + i % 26);
        s[len] = '\0';
        return s;
}

/* One line of `len` bytes written in `chunk`-byte writes: the pieces it becomes. */
static void check_pieces(size_t len, bool newline, size_t chunk, const size_t *want, size_t n_want)
{
        kl_autofree char *path = log_path("c.log");
        kl_autofree char *line = pattern(len + 1);
        struct kl_container__log *l = open_log(path, 0, 0);
        struct entries es;
        size_t off = 0;

        line[len] = '\n';
        for (size_t i = 0; i < len + newline; i += chunk)
                wr(l, KL_CTR_STREAM_STDOUT, line + i, KL_MIN(chunk, len + newline - i));
        kl_container__log_free(l);

        es = read_entries(path);
        cr_assert_eq(es.n, n_want, "%zu bytes in %zu-byte writes: %zu entries", len, chunk, es.n);
        for (size_t i = 0; i < n_want; i++) {
                expect_entry(&es, i, KL_CTR_STREAM_STDOUT, i + 1 < n_want, line + off, want[i]);
                off += want[i];
        }
        cr_expect_eq(off, len);
        entries_release(&es);
        (void)unlink(path);
}

Test(crilog, long_lines_become_16k_pieces)
{
        static const struct {
                size_t len;
                bool newline;
                size_t pieces[4];
                size_t n;
        } cases[] = {
                { 40 << 10, true, { PIECE, PIECE, 8 << 10 }, 3 },
                { PIECE, true, { PIECE }, 1 },
                { PIECE + 1, true, { PIECE, 1 }, 2 },
                { 2 * PIECE, true, { PIECE, PIECE }, 2 },
                { PIECE - 1, true, { PIECE - 1 }, 1 },
                /* Unterminated, then flushed as F. */
                { PIECE, false, { PIECE }, 1 },
                { 40 << 10, false, { PIECE, PIECE, 8 << 10 }, 3 },
        };
        static const size_t chunks[] = { 1 << 20, PIECE, 4096, 1000, 7 };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++)
                for (size_t c = 0; c < KL_ARRAY_SIZE(chunks); c++)
                        check_pieces(cases[i].len, cases[i].newline, chunks[c], cases[i].pieces,
                                     cases[i].n);
}

Test(crilog, streams_keep_separate_partial_lines)
{
        kl_autofree char *path = log_path("c.log");
        struct kl_container__log *l = open_log(path, 0, 0);
        struct entries es;

        wrs(l, KL_CTR_STREAM_STDOUT, "out1");
        wrs(l, KL_CTR_STREAM_STDERR, "err1");
        wrs(l, KL_CTR_STREAM_STDOUT, " more\nout2\n");
        wrs(l, KL_CTR_STREAM_STDERR, " more\n");
        wrs(l, KL_CTR_STREAM_STDERR, "err3");
        wrs(l, KL_CTR_STREAM_STDOUT, "out3");
        kl_container__log_free(l);

        es = read_entries(path);
        cr_assert_eq(es.n, 5);
        expect_entry(&es, 0, KL_CTR_STREAM_STDOUT, false, "out1 more", 9);
        expect_entry(&es, 1, KL_CTR_STREAM_STDOUT, false, "out2", 4);
        expect_entry(&es, 2, KL_CTR_STREAM_STDERR, false, "err1 more", 9);
        /* The flush at the end: stdout first. */
        expect_entry(&es, 3, KL_CTR_STREAM_STDOUT, false, "out3", 4);
        expect_entry(&es, 4, KL_CTR_STREAM_STDERR, false, "err3", 4);
        entries_release(&es);
}

/* A small deterministic generator (xorshift) so the stream test needs no seed file. */
static uint32_t next_rand(uint32_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        return *s;
}

Test(crilog, arbitrary_output_round_trips)
{
        kl_autofree char *path = log_path("c.log");
        struct kl_container__log *l = open_log(path, 0, 0);
        struct kl_buf in[2] = { KL_BUF_INIT, KL_BUF_INIT };
        struct kl_buf out[2] = { KL_BUF_INIT, KL_BUF_INIT };
        uint32_t seed = 0x6b6c6974;
        struct entries es;

        for (int round = 0; round < 400; round++) {
                int s = (int)(next_rand(&seed) % 2);
                size_t len = next_rand(&seed) % (round % 10 == 0 ? 50000 : 300);
                size_t start = in[s].len;

                for (size_t i = 0; i < len; i++) {
                        uint32_t r = next_rand(&seed);
                        /* Lines of every length: newlines now frequent, now rare. */
                        char c = r % (round % 3 == 0 ? 40000 : 30) == 0 ? '\n' : (char)(r >> 8);

                        cr_assert_eq(kl_buf_putc(&in[s], c), 0);
                }
                wr(l, s ? KL_CTR_STREAM_STDERR : KL_CTR_STREAM_STDOUT, in[s].buf + start, len);
        }
        kl_container__log_free(l);

        es = read_entries(path);
        for (size_t i = 0; i < es.n; i++) {
                int s = es.v[i].stream == KL_CTR_STREAM_STDERR;

                if (es.v[i].partial)
                        cr_assert_eq(es.v[i].len, PIECE, "a P entry of %zu bytes", es.v[i].len);
                else
                        cr_assert_leq(es.v[i].len, PIECE);
                cr_assert_eq(kl_buf_append(&out[s], es.v[i].content, es.v[i].len), 0);
                if (!es.v[i].partial)
                        cr_assert_eq(kl_buf_putc(&out[s], '\n'), 0);
        }
        for (int s = 0; s < 2; s++) {
                /* The flush ended an unterminated last line. */
                if (in[s].len > 0 && in[s].buf[in[s].len - 1] != '\n')
                        cr_assert_eq(kl_buf_putc(&in[s], '\n'), 0);
                cr_expect_eq(out[s].len, in[s].len, "stream %d: %zu bytes back of %zu", s,
                             out[s].len, in[s].len);
                cr_expect_eq(memcmp(out[s].buf, in[s].buf, KL_MIN(in[s].len, out[s].len)), 0,
                             "stream %d differs", s);
                kl_buf_release(&in[s]);
                kl_buf_release(&out[s]);
        }
        entries_release(&es);
}

static int64_t file_size(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* Write `n` numbered lines; every rotated file holds consecutive, newest-last lines. */
static void check_rotation(int64_t max_size, unsigned max_files, int n)
{
        kl_autofree char *name =
                kl_asprintf("rot-%lld-%u-%d.log", (long long)max_size, max_files, n);
        kl_autofree char *path = log_path(name);
        struct kl_container__log *l = open_log(path, max_size, max_files);
        int expect = n - 1;

        for (int i = 0; i < n; i++) {
                char line[32];

                (void)snprintf(line, sizeof(line), "line %04d\n", i);
                wrs(l, i % 2 ? KL_CTR_STREAM_STDERR : KL_CTR_STREAM_STDOUT, line);
        }
        kl_container__log_free(l);

        /* Newest first: <path>, <path>.1, ... each ends where the newer one begins. */
        for (unsigned f = 0; f < max_files; f++) {
                kl_autofree char *file = f ? kl_asprintf("%s.%u", path, f) : kl_strdup(path);
                struct entries es = read_entries(file);

                cr_assert_gt(es.n, 0, "'%s' missing or empty", file);
                cr_expect_leq(file_size(file), max_size, "'%s' too big", file);
                for (size_t i = es.n; i-- > 0;) {
                        char want[16];

                        (void)snprintf(want, sizeof(want), "line %04d", expect--);
                        cr_expect_str_eq(es.v[i].content, want, "'%s' entry %zu", file, i);
                }
                entries_release(&es);
        }
        {
                kl_autofree char *beyond = kl_asprintf("%s.%u", path, max_files);

                cr_expect_eq(access(beyond, F_OK), -1, "'%s' kept", beyond);
        }
}

Test(crilog, rotation_keeps_max_files_and_the_newest_content)
{
        /* Entries are 50 bytes: four fit in 200. */
        check_rotation(200, 3, 100);
        check_rotation(200, 1, 100);
        check_rotation(200, 2, 9);
        check_rotation(1000, 5, 500);
        check_rotation(50, 4, 20); /* exactly one entry per file */
}

Test(crilog, rotation_counts_an_existing_file_and_writes_oversized_entries)
{
        kl_autofree char *path = log_path("big.log");
        kl_autofree char *rotated = kl_asprintf("%s.1", path);
        kl_autofree char *long_line = pattern(1000);
        struct kl_container__log *l;
        struct entries es;

        free(kl_test_write_file(test_dir(), "big.log",
                                "2024-01-02T03:04:05.000000000Z stdout F old\n"));
        l = open_log(path, 100, 2);
        /* 44 bytes there; a 1000-byte line cannot fit: rotate, then write it whole anyway. */
        wrs(l, KL_CTR_STREAM_STDOUT, long_line);
        wrs(l, KL_CTR_STREAM_STDOUT, "\n");
        kl_container__log_free(l);

        es = read_entries(rotated);
        cr_assert_eq(es.n, 1);
        cr_expect_str_eq(es.v[0].content, "old");
        entries_release(&es);
        es = read_entries(path);
        cr_assert_eq(es.n, 1);
        expect_entry(&es, 0, KL_CTR_STREAM_STDOUT, false, long_line, 1000);
        entries_release(&es);
}

Test(crilog, new_files_are_0640)
{
        kl_autofree char *path = log_path("mode.log");
        struct kl_container__log *l;
        struct stat st;
        mode_t old = umask(022);

        l = open_log(path, 0, 0);
        cr_assert_eq(stat(path, &st), 0);
        cr_expect_eq(st.st_mode & 07777, 0640, "mode %o", st.st_mode & 07777);
        kl_container__log_free(l);
        (void)umask(old);
}

Test(crilog, bad_arguments)
{
        kl_autofree char *path = log_path("bad.log");
        kl_autofree char *missing = log_path("no/such/dir/x.log");
        struct kl_container__log *l = NULL;
        kl_autoerr struct kl_err *e = NULL, *e2 = NULL, *e3 = NULL;

        cr_expect_eq(kl_container__log_open(path, -1, 0, &l, &e), -EINVAL);
        cr_expect_null(l);
        cr_expect_eq(kl_container__log_open(missing, 0, 0, &l, &e2), -ENOENT);
        cr_expect_null(l);
        cr_expect_eq(kl_container__log_open(path, 0, 1025, &l, NULL), -EINVAL);
        cr_expect_null(l);
        cr_expect_eq(kl_ctr_log_parse_line(NULL, 0, &(struct kl_ctr_log_line){ 0 }), -EINVAL);
        l = open_log(path, 0, 0);
        cr_expect_eq(kl_container__log_write(l, KL_CTR_STREAM_STDIN, "x\n", 2, &e3), -EINVAL);
        cr_expect_eq(kl_container__log_write(l, KL_CTR_STREAM_EXIT, "x\n", 2, NULL), -EINVAL);
        kl_container__log_free(l);
}

Test(crilog, a_failed_write_is_reported_and_the_stream_goes_on)
{
        kl_autofree char *path = log_path("fault.log");
        struct kl_container__log *l = open_log(path, 0, 0);
        kl_autoerr struct kl_err *e = NULL;
        struct entries es;

        kl_fault_arm("container.crilog.write", 1, false, -ENOSPC);
        cr_assert_eq(kl_container__log_write(l, KL_CTR_STREAM_STDOUT, "lost\nkept\npart", 14, &e),
                     -ENOSPC);
        cr_assert_not_null(e);
        cr_expect_not_null(strstr(kl_err_msg(e), "fault.log"), "%s", kl_err_msg(e));
        kl_fault_reset();
        wrs(l, KL_CTR_STREAM_STDOUT, "ial\n");
        kl_container__log_free(l);

        es = read_entries(path);
        cr_assert_eq(es.n, 2);
        expect_entry(&es, 0, KL_CTR_STREAM_STDOUT, false, "kept", 4);
        expect_entry(&es, 1, KL_CTR_STREAM_STDOUT, false, "partial", 7);
        entries_release(&es);
}

Test(crilog_parse, valid_lines)
{
        static const struct {
                const char *line;
                int64_t usec;
                enum kl_ctr_stream_kind stream;
                bool partial;
                const char *content;
        } cases[] = {
                { "2024-01-02T03:04:05.123456789Z stdout F hello world", 1704164645123456,
                  KL_CTR_STREAM_STDOUT, false, "hello world" },
                { "2024-01-02T03:04:05.123456Z stderr P ", 1704164645123456, KL_CTR_STREAM_STDERR,
                  true, "" },
                { "2024-01-02T05:04:05.123456789+02:00 stdout F x", 1704164645123456,
                  KL_CTR_STREAM_STDOUT, false, "x" },
                { "2024-01-02T03:04:05.123456789+02:00 stdout F x", 1704157445123456,
                  KL_CTR_STREAM_STDOUT, false, "x" },
                { "2024-01-02T03:04:05.1234567Z stdout F   spaced  ", 1704164645123456,
                  KL_CTR_STREAM_STDOUT, false, "  spaced  " },
                { "1969-12-31T23:59:59.5Z stdout F before", -500000, KL_CTR_STREAM_STDOUT, false,
                  "before" },
                { "2024-01-02T03:04:05.123456Z stdout F F P stdout", 1704164645123456,
                  KL_CTR_STREAM_STDOUT, false, "F P stdout" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_ctr_log_line l;

                cr_assert_eq(kl_ctr_log_parse_line(cases[i].line, strlen(cases[i].line), &l), 0,
                             "'%s'", cases[i].line);
                cr_expect_eq(l.time_usec, cases[i].usec, "'%s': %lld", cases[i].line,
                             (long long)l.time_usec);
                cr_expect_eq(l.stream, cases[i].stream, "'%s'", cases[i].line);
                cr_expect_eq(l.partial, cases[i].partial, "'%s'", cases[i].line);
                cr_expect_eq(l.len, strlen(cases[i].content), "'%s'", cases[i].line);
                cr_expect_eq(memcmp(l.content, cases[i].content, l.len), 0, "'%s'", cases[i].line);
                cr_expect_eq(l.content + l.len, cases[i].line + strlen(cases[i].line));
        }
}

Test(crilog_parse, malformed_lines)
{
        static const char *const cases[] = {
                "",
                " ",
                "2024-01-02T03:04:05Z",
                "2024-01-02T03:04:05Z ",
                "2024-01-02T03:04:05Z stdout",
                "2024-01-02T03:04:05Z stdout ",
                "2024-01-02T03:04:05Z stdout F",
                "2024-01-02T03:04:05Z stdout P",
                "bad stdout F x",
                "2024-01-02 stdout F x",
                "2024-13-02T03:04:05Z stdout F x",
                "2024-01-02T03:04:05 stdout F x",
                "2024-01-02T03:04:05Z stdin F x",
                "2024-01-02T03:04:05Z Stdout F x",
                "2024-01-02T03:04:05Z stdoutx F x",
                "2024-01-02T03:04:05Z stdout X x",
                "2024-01-02T03:04:05Z stdout f x",
                "2024-01-02T03:04:05Z stdout FP x",
                "2024-01-02T03:04:05Z stdout F:x x",
                "2024-01-02T03:04:05Z  stdout F x",
                "2024-01-02T03:04:05Z stdout  F x",
                " 2024-01-02T03:04:05Z stdout F x",
                "2024-01-02T03:04:05.00000000000000000000000000000000000000000000000000000Z stdout F x",
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_ctr_log_line l = { .len = 99 };

                cr_expect_eq(kl_ctr_log_parse_line(cases[i], strlen(cases[i]), &l), -EINVAL, "'%s'",
                             cases[i]);
                cr_expect_eq(l.len, 99, "'%s': output written", cases[i]);
        }
}

Test(crilog_parse, length_not_nul_bounds_the_line)
{
        static const char nul_time[] = "2024-01-02T03:04:05Z\0x stdout F x";
        static const char line[] = "2024-01-02T03:04:05Z stdout F a\0b";
        struct kl_ctr_log_line l;

        cr_expect_eq(kl_ctr_log_parse_line(nul_time, sizeof(nul_time) - 1, &l), -EINVAL);
        cr_assert_eq(kl_ctr_log_parse_line(line, sizeof(line) - 1, &l), 0);
        cr_expect_eq(l.len, 3);
        /* Cut before the tag's space: malformed. */
        cr_expect_eq(kl_ctr_log_parse_line(line, 29, &l), -EINVAL);
        cr_assert_eq(kl_ctr_log_parse_line(line, 30, &l), 0);
        cr_expect_eq(l.len, 0);
}
