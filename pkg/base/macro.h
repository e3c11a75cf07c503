/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compiler attributes, assertions and the small macros every file uses.
 *
 * kl_assert() is for bugs and stays on in release builds: a control plane that
 * continues after a broken invariant corrupts cluster state. Input from the
 * network, the store, the kernel or the user is never checked with it.
 */
#ifndef KL_BASE_MACRO_H
#define KL_BASE_MACRO_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#define KL_PRINTF(fmt, args)  __attribute__((format(printf, fmt, args)))
#define KL_UNUSED             __attribute__((unused))
#define KL_PURE               __attribute__((pure))
#define KL_NORETURN           __attribute__((noreturn))
#define KL_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define KL_LIKELY(x)          __builtin_expect(!!(x), 1)
#define KL_UNLIKELY(x)        __builtin_expect(!!(x), 0)

#define KL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KL_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KL_MAX(a, b) ((a) > (b) ? (a) : (b))

/* The owner of a member, from a pointer to the member (libuv's idiom). */
#define kl_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Move a value out of a cleanup variable: the variable is left empty. */
#define KL_TAKE_PTR(p)                            \
        ({                                        \
                __typeof__(p) kl_take_tmp_ = (p); \
                (p) = NULL;                       \
                kl_take_tmp_;                     \
        })
#define KL_TAKE_FD(fd)                  \
        ({                              \
                int kl_take_fd_ = (fd); \
                (fd) = -EBADF;          \
                kl_take_fd_;            \
        })

/* Turn libc's -1/errno convention into a negative errno on the spot. */
#define KL_NEG_ERRNO(expr)                             \
        ({                                             \
                long kl_ne_r_ = (long)(expr);          \
                kl_ne_r_ < 0 ? -errno : (int)kl_ne_r_; \
        })

/* static in product builds, visible to unit tests in test builds (curl's UNITTEST). */
#ifdef KL_TEST_BUILD
#define KL_TESTABLE
#else
#define KL_TESTABLE static
#endif

KL_NORETURN void kl__assert_fail(const char *expr, const char *file, int line, const char *func);

#define kl_assert(expr)                                                       \
        do {                                                                  \
                if (KL_UNLIKELY(!(expr)))                                     \
                        kl__assert_fail(#expr, __FILE__, __LINE__, __func__); \
        } while (0)

#define kl_bug(msg) kl__assert_fail(msg, __FILE__, __LINE__, __func__)

#ifdef NDEBUG
#define kl_assert_debug(expr) ((void)0)
/* Believed impossible; in release a plain test so a wrong belief cannot crash. */
#define KL_NEVER(x) (x)
#else
#define kl_assert_debug(expr) kl_assert(expr)
#define KL_NEVER(x)           ((x) ? (kl__assert_fail(#x, __FILE__, __LINE__, __func__), 1) : 0)
#endif

#endif
