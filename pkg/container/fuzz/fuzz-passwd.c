/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Users and groups from an image's /etc/passwd and /etc/group. The input is
 * a flags byte (bit 0: no passwd file, bit 1: no group file), the user spec
 * up to the first newline, then the passwd text up to the first NUL byte and
 * the group text after it.
 */
#include <string.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *p = (const char *)data + 1, *end = (const char *)data + size, *nl, *nul;
        kl_autofree char *spec = NULL;
        const char *pw, *gr;
        size_t pw_len, gr_len;
        struct kl_container__user u = { 0 }, again = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        int r;

        if (size < 1 || size > (4 << 20))
                return 0;
        nl = memchr(p, '\n', (size_t)(end - p));
        spec = kl_strndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
        p = nl ? nl + 1 : end;
        nul = memchr(p, '\0', (size_t)(end - p));
        pw = data[0] & 1 ? NULL : p;
        pw_len = pw ? (nul ? (size_t)(nul - p) : (size_t)(end - p)) : 0;
        gr = data[0] & 2 || !nul ? NULL : nul + 1;
        gr_len = gr ? (size_t)(end - gr) : 0;

        r = kl_container__user_resolve(spec, pw, pw_len, gr, gr_len, &u, &e);
        if (r < 0) {
                kl_assert(e && e->code == -r);
                kl_assert(r == -ENOENT || r == -ERANGE || r == -E2BIG);
                kl_assert(!u.home && !u.groups);
                return 0;
        }
        kl_assert(r == 0 && !e);
        kl_assert(u.uid <= 2147483647u && u.gid <= 2147483647u);
        kl_assert(u.home && *u.home);
        kl_assert(strcmp(u.home, "/") == 0 || (pw && memmem(pw, pw_len, u.home, strlen(u.home))));
        kl_assert(u.n_groups == 0 || gr);
        for (size_t i = 0; i < u.n_groups; i++) {
                kl_assert(u.groups[i] != u.gid && u.groups[i] <= 2147483647u);
                for (size_t j = 0; j < i; j++)
                        kl_assert(u.groups[i] != u.groups[j]);
        }
        /* The same input, the same answer. */
        kl_assert(kl_container__user_resolve(spec, pw, pw_len, gr, gr_len, &again, NULL) == 0);
        kl_assert(again.uid == u.uid && again.gid == u.gid && strcmp(again.home, u.home) == 0);
        kl_assert(again.n_groups == u.n_groups);
        kl_assert(u.n_groups == 0 ||
                  memcmp(again.groups, u.groups, u.n_groups * sizeof(*u.groups)) == 0);
        kl_container__user_release(&again);
        kl_container__user_release(&u);
        return 0;
}
