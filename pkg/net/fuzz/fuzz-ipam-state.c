/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IPAM state files read from disk at start: an entry (file name = the
 * address, content = the pod uid) and the cursor. The input's first line is
 * the file name, the rest its content; the same bytes are also parsed as a
 * cursor. Accepted entries lie in the pool and hold a valid uid that formats
 * back to the same file; rejections are -EINVAL or -ERANGE.
 */
#include <string.h>

#include "base/base.h"
#include "net/net-internal.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct kl_net__cidr ranges[] = {
                { .addr = 0x0a2a0100, .prefix = 24 },
                { .addr = 0x0a2a0000, .prefix = 16 },
                { .addr = 0x0a2a0108, .prefix = 29 },
        };
        const char *text = (const char *)data;
        const char *nl;
        kl_autofree char *name = NULL;
        size_t name_len;

        if (size > KL_NET__IPAM_FILE_MAX + 64)
                return 0;
        nl = memchr(text, '\n', size);
        name_len = nl ? (size_t)(nl - text) : size;
        name = kl_strndup(text, name_len);
        for (size_t i = 0; i < KL_ARRAY_SIZE(ranges); i++) {
                const struct kl_net__cidr *c = &ranges[i];
                const char *content = nl ? nl + 1 : text + size;
                size_t len = size - (size_t)(content - text);
                struct kl_net__ipam_entry e;
                char ip[16];
                uint32_t cursor;
                int r;

                r = kl_net__ipam_parse_entry(c, name, content, len, &e);
                if (r < 0) {
                        kl_assert(r == -EINVAL || r == -ERANGE);
                } else {
                        kl_assert(kl_net__cidr_contains(c, e.ip));
                        kl_assert(e.ip > c->addr + 1);
                        kl_net__ip_format(e.ip, ip);
                        kl_assert(strcmp(ip, name) == 0);
                        kl_assert(kl_net__uid_is_valid(e.uid, strlen(e.uid)));
                }
                r = kl_net__ipam_parse_cursor(c, text, size, &cursor);
                if (r < 0)
                        kl_assert(r == -EINVAL || r == -ERANGE);
                else
                        kl_assert(kl_net__cidr_contains(c, cursor));
        }
        return 0;
}
