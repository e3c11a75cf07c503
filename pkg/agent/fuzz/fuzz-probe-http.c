/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a container's server answers a probe with: HTTP/1.x responses (for
 * httpGet), and HTTP/2 frames with HPACK header blocks (for grpc). The first
 * byte picks the parser and the second where the input is split in two
 * feeds. Whatever is accepted is bounded (the body, the decoded headers),
 * and the result does not depend on how the bytes were split; what is
 * rejected comes with a message.
 */
#include <string.h>

#include "agent/probe-internal.h"
#include "base/base.h"
#include "testing/fuzz.h"

struct h1_result {
        int r;
        int status;
        size_t body_len;
        bool has_location;
};

static struct h1_result h1_run(const char *p, size_t n, size_t split)
{
        struct kl_agent__http1 h;
        struct kl_err *err = NULL;
        struct h1_result res = { 0 };

        kl_agent__http1_init(&h);
        /* A feed of 0 bytes is the end of the connection: only whole feeds here. */
        res.r = split > 0 ? kl_agent__http1_feed(&h, p, split, &err) : 0;
        if (res.r == 0 && n > split)
                res.r = kl_agent__http1_feed(&h, p + split, n - split, &err);
        if (res.r == 0)
                res.r = kl_agent__http1_feed(&h, NULL, 0, &err);
        if (res.r < 0) {
                kl_assert(res.r == -EINVAL && err && *kl_err_msg(err));
                kl_err_free(err);
                res.r = -1;
        } else {
                kl_assert(res.r == 1 && !err);
                kl_assert(h.status >= 100 && h.status <= 999);
                kl_assert(h.body.len <= KL_AGENT__PROBE_OUTPUT_MAX);
                res.status = h.status;
                res.body_len = h.body.len;
                res.has_location = h.location != NULL;
        }
        kl_agent__http1_release(&h);
        return res;
}

static void check_http1(const char *p, size_t n, size_t split)
{
        struct h1_result a = h1_run(p, n, n), b = h1_run(p, n, split);

        kl_assert(a.r == b.r && a.status == b.status && a.body_len == b.body_len &&
                  a.has_location == b.has_location);
}

struct grpc_result {
        int r;
        int http_status, grpc_status, health;
        bool reset;
        size_t out_len;
};

static struct grpc_result grpc_run(const uint8_t *p, size_t n, size_t split)
{
        struct kl_agent__grpc_call c;
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        struct kl_err *err = NULL;
        struct grpc_result res = { 0 };

        kl_agent__grpc_call_init(&c);
        res.r = split > 0 ? kl_agent__grpc_feed(&c, p, split, &out, &err) : 0;
        if (res.r == 0 && n > split)
                res.r = kl_agent__grpc_feed(&c, p + split, n - split, &out, &err);
        if (res.r < 0) {
                kl_assert(err && *kl_err_msg(err));
                kl_err_free(err);
                res.r = -1;
        } else if (res.r == 1) {
                res.http_status = c.http_status;
                res.grpc_status = c.grpc_status;
                res.health = c.health;
                res.reset = c.reset;
        }
        res.out_len = out.len;
        kl_agent__grpc_call_release(&c);
        return res;
}

static void check_grpc(const uint8_t *p, size_t n, size_t split)
{
        struct grpc_result a = grpc_run(p, n, n), b = grpc_run(p, n, split);

        kl_assert(a.r == b.r && a.http_status == b.http_status && a.grpc_status == b.grpc_status &&
                  a.health == b.health && a.reset == b.reset);
        /* The acknowledgements are the same whatever the split, up to where it ended. */
        kl_assert(a.r != 1 || a.out_len == b.out_len);
}

static int count_field(void *arg, const char *name, const char *value)
{
        size_t *n = arg;

        kl_assert(strlen(name) <= KL_AGENT__H2_BLOCK_MAX &&
                  strlen(value) <= KL_AGENT__H2_BLOCK_MAX);
        (*n)++;
        return 0;
}

static void check_hpack(const uint8_t *p, size_t n)
{
        struct kl_agent__hpack h;
        size_t fields = 0;
        int r;

        kl_agent__hpack_init(&h, KL_AGENT__HPACK_TABLE_SIZE);
        r = kl_agent__hpack_decode(&h, p, n, count_field, &fields);
        kl_assert(r == 0 || r == -EINVAL || r == -E2BIG);
        kl_assert(h.size <= h.max_size && h.max_size <= KL_AGENT__HPACK_TABLE_SIZE);
        kl_agent__hpack_release(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t split;

        if (size < 2 || size > (size_t)128 * 1024)
                return 0;
        split = (size_t)data[1] * (size - 2) / 255;
        switch (data[0] % 3) {
        case 0:
                check_http1((const char *)data + 2, size - 2, split);
                break;
        case 1:
                check_grpc(data + 2, size - 2, split);
                break;
        default:
                check_hpack(data + 2, size - 2);
                break;
        }
        return 0;
}
