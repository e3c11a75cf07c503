/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation that never returns NULL.
 *
 * kube-lite's real memory risk is unbounded input, which every module bounds
 * before allocating (STYLE R5.2). Running out of memory anyway is not something
 * a control plane can recover from cleanly, so these helpers log "out of
 * memory" and abort, and every caller may assume allocation succeeds.
 */
#ifndef KL_BASE_ALLOC_H
#define KL_BASE_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "base/macro.h"

void *kl_malloc(size_t size);
void *kl_calloc(size_t n, size_t size); /* zeroed; n * size overflow aborts */
void *kl_realloc(void *p, size_t size);
void *kl_memdup(const void *p, size_t size);
char *kl_strdup(const char *s);
char *kl_strndup(const char *s, size_t n);
char *kl_asprintf(const char *fmt, ...) KL_PRINTF(1, 2);
char *kl_vasprintf(const char *fmt, va_list ap) KL_PRINTF(1, 0);

/* Allocate one zeroed object of the pointed-to type: `p = kl_new0(struct foo);` */
#define kl_new0(type) ((type *)kl_calloc(1, sizeof(type)))

KL_NORETURN void kl_oom(void);

#endif
