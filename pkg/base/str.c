/* SPDX-License-Identifier: Apache-2.0 */
#include "base/str.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"

const char *kl_startswith(const char *s, const char *prefix)
{
        size_t n = strlen(prefix);

        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

const char *kl_endswith(const char *s, const char *suffix)
{
        size_t ls = strlen(s), lx = strlen(suffix);

        if (lx > ls)
                return NULL;
        return memcmp(s + ls - lx, suffix, lx) == 0 ? s + ls - lx : NULL;
}

const char *kl_str_quote(const char *s, size_t len, char *buf, size_t size)
{
        size_t n = 0, i;

        for (i = 0; i < len && s[i] && i < KL_STR_QUOTE_MAX && n + 5 < size; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
                        buf[n++] = (char)c;
                else
                        n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
        }
        if (i < len && s[i] && n + 4 < size) {
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = '\0';
        return buf;
}

size_t kl_strv_length(char *const *v)
{
        size_t n = 0;

        if (v)
                while (v[n])
                        n++;
        return n;
}

void kl_strv_push_take(char ***v, char *s)
{
        size_t n = kl_strv_length(*v);

        *v = kl_realloc(*v, (n + 2) * sizeof(char *));
        (*v)[n] = s;
        (*v)[n + 1] = NULL;
}

void kl_strv_push(char ***v, const char *s)
{
        kl_strv_push_take(v, kl_strdup(s));
}

char **kl_strv_copy(char *const *v)
{
        char **c;
        size_t n;

        if (!v)
                return NULL;
        n = kl_strv_length(v);
        c = kl_calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                c[i] = kl_strdup(v[i]);
        return c;
}

bool kl_strv_contains(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

char **kl_strv_free(char **v)
{
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
        return NULL;
}

char **kl_strv_split(const char *s, char sep)
{
        char **v = kl_calloc(1, sizeof(char *));

        for (;;) {
                const char *e = strchr(s, sep);

                if (!e) {
                        kl_strv_push(&v, s);
                        return v;
                }
                kl_strv_push_take(&v, kl_strndup(s, (size_t)(e - s)));
                s = e + 1;
        }
}
