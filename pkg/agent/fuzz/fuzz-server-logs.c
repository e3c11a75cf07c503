/* SPDX-License-Identifier: Apache-2.0 */
/*
 * containerLogs input: the first line of the input is a query string, the
 * rest a log file. Whatever the options parse to, the reader turns the file
 * into output whatever its bytes (fed whole and in pieces, which must give
 * the same output), never writes more than limitBytes, and the tail start
 * it computes is inside the file. Rejected options come with a message.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "agent/server-internal.h"
#include "base/base.h"
#include "testing/fuzz.h"

static char *read_with(const struct kl_agent__log_opts *o, const char *data, size_t len,
                       size_t step, size_t *ret_len)
{
        struct kl_agent__log_reader r;
        struct kl_buf out = KL_BUF_INIT;
        size_t off = 0;

        kl_agent__log_reader_init(&r, o);
        do {
                size_t n = KL_MIN(step, len - off);

                if (kl_agent__log_reader_feed(&r, data + off, n, off + n == len, &out))
                        break;
                off += n;
        } while (off < len);
        kl_agent__log_reader_release(&r);
        return kl_buf_detach(&out, ret_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *nl = memchr(data, '\n', size);
        size_t qlen = nl ? (size_t)(nl - (const char *)data) : size;
        const char *file = nl ? nl + 1 : "";
        size_t flen = nl ? size - qlen - 1 : 0;
        kl_autofree char *query = NULL, *whole = NULL, *pieces = NULL;
        kl_autostrv char **all = NULL;
        struct kl_agent__log_opts o = { 0 };
        struct kl_err *err = NULL;
        size_t wlen = 0, plen = 0;
        int64_t off = -1;
        char ts[80];
        int fd, r;

        if (size > (size_t)1 << 20 || memchr(data, '\0', qlen))
                return 0;
        query = kl_strndup((const char *)data, qlen);
        all = kl_agent__query_all(query, "command");
        kl_assert(all);
        (void)kl_agent__query_bool(query, "stdin");

        r = kl_agent__log_opts_parse(query, (int64_t)1700000000 * 1000000, &o, &err);
        if (r < 0) {
                kl_assert((r == -EINVAL || r == -KL_EINVALID) && err && *kl_err_msg(err));
                kl_err_free(err);
                /* Read the file anyway, with every option on. */
                o = (struct kl_agent__log_opts){
                        .timestamps = true, .tail = -1, .limit_bytes = -1, .since_usec = INT64_MIN
                };
        }
        kl_assert(o.tail >= -1 && (o.limit_bytes == -1 || o.limit_bytes >= 1));

        whole = read_with(&o, file, flen, flen ? flen : 1, &wlen);
        pieces = read_with(&o, file, flen, 3, &plen);
        kl_assert(wlen == plen && memcmp(whole, pieces, wlen) == 0);
        if (o.limit_bytes >= 0)
                kl_assert((int64_t)wlen <= o.limit_bytes);

        (void)kl_agent__log_time_format(file, KL_MIN(flen, (size_t)40), ts, sizeof(ts));

        fd = memfd_create("log", MFD_CLOEXEC);
        if (fd >= 0) {
                if (kl_write_all(fd, file, flen) == 0 &&
                    kl_agent__log_tail_start(fd, (int64_t)flen, o.tail >= 0 ? o.tail : 3, &off) ==
                            0)
                        kl_assert(off >= 0 && off <= (int64_t)flen);
                (void)kl_close(fd);
        }
        return 0;
}
