/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testing: helpers for unit tests, on top of Criterion. Never linked into the
 * product.
 *
 *   kl_test_tmpdir()       a fresh directory under $TMPDIR, removed at exit or abort
 *   kl_test_write_file()   write a fixture file (asserts on failure)
 *   kl_test_data_path()    path of a committed fixture under pkg/<m>/tests/data/
 *
 * Criterion runs each test in its own process, so a helper may abort the test
 * with cr_assert; cleanup registered with atexit() runs when that process ends.
 */
#ifndef KL_TESTING_TESTING_H
#define KL_TESTING_TESTING_H

#include <stddef.h>
#include <sys/types.h>

/* A new empty directory, removed recursively when the test process exits. Owned by the helper. */
const char *kl_test_tmpdir(void);
/* Write `text` to `dir/name` (mode 0644), creating parent directories. Returns the path (owned). */
char *kl_test_write_file(const char *dir, const char *name, const char *text);
/* `<source root>/pkg/<module>/tests/data/<name>`; owned by the caller. */
char *kl_test_data_path(const char *module, const char *name);
/* Read a whole file (asserts on failure); owned by the caller. */
char *kl_test_read_file(const char *path);

#endif
