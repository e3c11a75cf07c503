/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seccomp profiles in the docker/containerd JSON format: resolve, compile
 * with libseccomp and export. The first byte picks the capability set the
 * includes/excludes conditions are evaluated against.
 */
#include <string.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "testing/fuzz.h"

/*
 * libseccomp 2.5.4 leaks rule trees when argument conditions on the x86
 * ipc(2) multiplexer meet conditions on the calls it multiplexes (msgget,
 * msgrcv, ... with args, plus ipc itself with args). The leak is inside the
 * library and only with such hand-written profiles; our own releases are
 * checked by the unit tests under ASan, which run without this suppression.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
        return "leak:libseccomp.so\n";
}

/* Inputs stay small: libseccomp's generator is the slow part, not our parser. */
#define FUZZ_MAX ((size_t)64 << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const uint64_t caps_of[] = {
                0,
                0xa80425fbULL,                /* the default set */
                0xa80425fbULL | (1ULL << 21), /* + CAP_SYS_ADMIN */
                UINT64_MAX,
        };
        kl_autoerr struct kl_err *e = NULL;
        struct kl_container__bpf b = { 0 };
        int r;

        if (size < 1 || size > FUZZ_MAX)
                return 0;
        r = kl_container__seccomp_from_json((const char *)data + 1, size - 1,
                                            caps_of[data[0] % KL_ARRAY_SIZE(caps_of)], &b, &e);
        if (r < 0) {
                kl_assert(e && e->code == -r);
                kl_assert(b.insns == NULL && b.n == 0);
                return 0;
        }
        kl_assert(b.n > 0 && b.n <= 4096 && b.insns);
        kl_container__bpf_release(&b);
        return 0;
}
