/* SPDX-License-Identifier: Apache-2.0 */
#include "testing/testing.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "base/base.h"

static char *tmpdirs[16];
static size_t n_tmpdirs;

/*
 * A test's own mount below its directory (a network namespace bind-mounted
 * on a file, as the runtime makes them) is busy until detached; in the
 * test's mount namespace it may be, anywhere else the umount fails and
 * the entry stays.
 */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        if (remove(path) < 0 && errno == EBUSY && umount2(path, MNT_DETACH) == 0)
                (void)remove(path);
        return 0;
}

static void remove_tmpdirs(void)
{
        for (size_t i = 0; i < n_tmpdirs; i++) {
                (void)nftw(tmpdirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
                free(tmpdirs[i]);
        }
        n_tmpdirs = 0;
}

/*
 * A test that expects to abort (`.signal = SIGABRT`: an assertion, a
 * blocking call on the loop) never reaches atexit: remove the directories
 * on the way out, then die of the signal as expected. Not async-signal-safe
 * (nftw allocates), which is acceptable for a test process that aborts
 * outside the allocator, as kl_assert() and kl_new() do.
 */
static void remove_tmpdirs_on_abort(int sig)
{
        remove_tmpdirs();
        (void)raise(sig); /* SA_RESETHAND restored the default action */
}

static void arrange_tmpdir_removal(void)
{
        struct sigaction sa = { .sa_handler = remove_tmpdirs_on_abort,
                                .sa_flags = (int)SA_RESETHAND };

        cr_assert(atexit(remove_tmpdirs) == 0);
        cr_assert(sigaction(SIGABRT, &sa, NULL) == 0);
}

const char *kl_test_tmpdir(void)
{
        const char *base = getenv("TMPDIR");
        char *path;

        cr_assert(n_tmpdirs < KL_ARRAY_SIZE(tmpdirs), "too many temporary directories");
        path = kl_asprintf("%s/kl-test-XXXXXX", base && *base ? base : "/tmp");
        cr_assert(mkdtemp(path), "mkdtemp '%s': %s", path, strerror(errno));
        if (n_tmpdirs == 0)
                arrange_tmpdir_removal();
        tmpdirs[n_tmpdirs++] = path;
        return path;
}

char *kl_test_write_file(const char *dir, const char *name, const char *text)
{
        char *path = kl_asprintf("%s/%s", dir, name);
        int r = kl_write_file_atomic(path, text, strlen(text), 0644,
                                     KL_WRITE_FILE_MKDIR | KL_WRITE_FILE_NOSYNC);

        cr_assert(r >= 0, "write '%s': %s", path, strerror(-r));
        return path;
}

char *kl_test_data_path(const char *module, const char *name)
{
        const char *root = getenv("KL_SRCDIR");

        return kl_asprintf("%s/pkg/%s/tests/data/%s", root && *root ? root : ".", module, name);
}

char *kl_test_read_file(const char *path)
{
        char *text = NULL;
        int r = kl_read_file(path, 64 << 20, &text, NULL);

        cr_assert(r >= 0, "read '%s': %s", path, strerror(-r));
        return text;
}
