/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scope-bound cleanup (STYLE §6).
 *
 * Every cleanup variable is initialised at its declaration to its empty value
 * (NULL, -EBADF, KL_BUF_INIT) and every cleanup function does nothing for the
 * empty value. Never mix goto and cleanup variables in one function: gcc
 * silently runs the cleanup on an uninitialised value when a goto jumps over
 * the declaration. Anything owning a libuv handle is closed explicitly, never
 * by leaving a scope.
 */
#ifndef KL_BASE_CLEANUP_H
#define KL_BASE_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/macro.h"

#define kl_cleanup(fn) __attribute__((cleanup(fn)))

/* Define `static inline void fnp(type **p)` calling `fn(*p)` when *p is not NULL. */
#define KL_DEFINE_CLEANUP_FUNC(type, fn)   \
        static inline void fn##p(type **p) \
        {                                  \
                if (*p)                    \
                        fn(*p);            \
        }                                  \
        struct kl__cleanup_##fn##_semicolon_eater_

static inline void kl_freep(void *p)
{
        free(*(void **)p);
}

/* close() that keeps errno and never retries: on Linux the fd is gone even on EINTR. */
int kl_close(int fd);

static inline void kl_closep(int *fd)
{
        if (*fd >= 0)
                (void)kl_close(*fd);
}

static inline void kl_fclosep(FILE **f)
{
        if (*f)
                (void)fclose(*f);
}

static inline void kl_closedirp(DIR **d)
{
        if (*d)
                (void)closedir(*d);
}

static inline void kl_err_freep(struct kl_err **e)
{
        kl_err_free(*e);
}

#define kl_autofree     kl_cleanup(kl_freep)
#define kl_autoclose    kl_cleanup(kl_closep)
#define kl_autofclose   kl_cleanup(kl_fclosep)
#define kl_autoclosedir kl_cleanup(kl_closedirp)
#define kl_autoerr      kl_cleanup(kl_err_freep)
#define kl_autobuf      kl_cleanup(kl_buf_release)

#endif
