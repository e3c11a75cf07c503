/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layer tars (plain, gzip, zstd) unpacked for real into a scratch directory:
 * whatever the input, nothing may appear beside fs/ and the whiteout list,
 * which is where an escaping entry would land first.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "runtime/rt-internal.h"
#include "testing/fuzz.h"

static char *scratch; /* the fuzzing process's directory, made once */

static void check_only_expected(const char *dir)
{
        kl_autoclosedir DIR *d = opendir(dir);
        struct dirent *de;

        kl_assert(d);
        while ((de = readdir(d))) {
                const char *n = de->d_name;
                kl_assert(kl_streq(n, ".") || kl_streq(n, "..") || kl_streq(n, "fs") ||
                          kl_streq(n, "whiteouts") || kl_streq(n, "blob") || kl_streq(n, "run"));
        }
}

static void remove_scratch(void)
{
        (void)kl_runtime__rm_rf(scratch);
        free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autoerr struct kl_err *e = NULL;

        if (size > ((size_t)1 << 20))
                return 0;
        if (!scratch) {
                char tmpl[] = "/tmp/kl-fuzz-layer-XXXXXX";
                kl_assert(mkdtemp(tmpl));
                scratch = realpath(tmpl, NULL);
                kl_assert(scratch);
                kl_assert(atexit(remove_scratch) == 0);
        }
        kl_autofree char *blob = kl_asprintf("%s/blob", scratch);
        kl_autofree char *run = kl_asprintf("%s/run", scratch);
        kl_assert(kl_write_file_atomic(blob, data, size, 0600, KL_WRITE_FILE_NOSYNC) == 0);
        (void)kl_runtime__rm_rf(run);
        (void)kl_runtime__layer_extract(blob, run, &e);
        check_only_expected(scratch);
        check_only_expected(run);
        (void)kl_runtime__rm_rf(run);
        return 0;
}
