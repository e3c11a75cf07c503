/* SPDX-License-Identifier: Apache-2.0 */
#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kl_oom(void)
{
        static const char msg[] = "kube-lite: out of memory\n";

        /* No stdio: it may itself need memory. */
        (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
        abort();
}

void *kl_malloc(size_t size)
{
        void *p = malloc(size ? size : 1);

        if (!p)
                kl_oom();
        return p;
}

void *kl_calloc(size_t n, size_t size)
{
        void *p = calloc(n ? n : 1, size ? size : 1);

        if (!p)
                kl_oom();
        return p;
}

void *kl_realloc(void *p, size_t size)
{
        void *q = realloc(p, size ? size : 1);

        if (!q)
                kl_oom();
        return q;
}

void *kl_memdup(const void *p, size_t size)
{
        void *q = kl_malloc(size);

        if (size)
                memcpy(q, p, size);
        return q;
}

char *kl_strdup(const char *s)
{
        return kl_memdup(s, strlen(s) + 1);
}

char *kl_strndup(const char *s, size_t n)
{
        size_t len = strnlen(s, n);
        char *q = kl_malloc(len + 1);

        memcpy(q, s, len);
        q[len] = '\0';
        return q;
}

char *kl_vasprintf(const char *fmt, va_list ap)
{
        char *s = NULL;

        if (vasprintf(&s, fmt, ap) < 0)
                kl_oom();
        return s;
}

char *kl_asprintf(const char *fmt, ...)
{
        va_list ap;
        char *s;

        va_start(ap, fmt);
        s = kl_vasprintf(fmt, ap);
        va_end(ap);
        return s;
}
