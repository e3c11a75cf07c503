/* SPDX-License-Identifier: Apache-2.0 */
/* CRI log lines as the kubelet and `ctr logs` read them: parse without crashing or reading past the
 * line. */
#include <string.h>

#include "base/base.h"
#include "container/container.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *line = NULL;
        struct kl_ctr_log_line l;
        int r;

        if (size > (64 << 10))
                return 0;
        /* A copy of exactly `size` bytes, so ASan sees any read past the line. */
        line = kl_malloc(size ? size : 1);
        memcpy(line, data, size);
        r = kl_ctr_log_parse_line(line, size, &l);
        if (r < 0) {
                kl_assert(r == -EINVAL);
                return 0;
        }
        kl_assert(r == 0);
        kl_assert(l.stream == KL_CTR_STREAM_STDOUT || l.stream == KL_CTR_STREAM_STDERR);
        kl_assert(l.content >= line && l.content + l.len == line + size);
        /* Time, stream and tag with one space after each come first. */
        kl_assert((size_t)(l.content - line) >= strlen("0000-00-00T00:00:00Z stdout F "));
        kl_assert(l.content[-1] == ' ' && l.content[-2] == (l.partial ? 'P' : 'F'));
        return 0;
}
