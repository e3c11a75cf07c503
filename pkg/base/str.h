/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small string helpers and string vectors (NULL-terminated arrays of owned
 * strings, `char **`), the shape argv and list-valued flags have.
 */
#ifndef KL_BASE_STR_H
#define KL_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/macro.h"

static inline bool kl_streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

/* Both NULL, or both equal strings. */
static inline bool kl_streq_null(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static inline bool kl_isempty(const char *s)
{
        return !s || !*s;
}

/* If `s` starts with `prefix`, the rest of `s` (borrowed), else NULL. */
const char *kl_startswith(const char *s, const char *prefix) KL_PURE;
/* If `s` ends with `suffix`, a pointer to where the suffix starts, else NULL. */
const char *kl_endswith(const char *s, const char *suffix) KL_PURE;

/*
 * Untrusted input quoted for an error message: at most KL_STR_QUOTE_MAX bytes
 * of `s` (and at most `len`), everything but printable ASCII escaped as \xNN,
 * "..." when cut, so the message stays one valid line in a log or a JSON
 * Status. `buf` must hold KL_STR_QUOTE_SIZE bytes; returns it.
 */
#define KL_STR_QUOTE_MAX  64
#define KL_STR_QUOTE_SIZE (KL_STR_QUOTE_MAX * 4 + 8)
const char *kl_str_quote(const char *s, size_t len, char *buf, size_t size);

/* Number of strings in a vector; NULL counts as empty. */
size_t kl_strv_length(char *const *v) KL_PURE;
/* Append a copy of `s`; `*v` may be NULL (a new vector is made). */
void kl_strv_push(char ***v, const char *s);
/* Append `s`, taking ownership of it. */
void kl_strv_push_take(char ***v, char *s);
/* A deep copy; NULL stays NULL. */
char **kl_strv_copy(char *const *v);
bool kl_strv_contains(char *const *v, const char *s) KL_PURE;
/* Free every string and the vector; NULL is a no-op. Returns NULL. */
char **kl_strv_free(char **v);
/* Split on every occurrence of `sep`; empty fields are kept. Never NULL. */
char **kl_strv_split(const char *s, char sep);

static inline void kl_strv_freep(char ***v)
{
        kl_strv_free(*v);
}
#define kl_autostrv kl_cleanup(kl_strv_freep)

#endif
