/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the selector files share inside pkg/api and nobody else needs.
 */
#ifndef KL_API_SELECTOR_INTERNAL_H
#define KL_API_SELECTOR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * Decode one UTF-8 sequence at the start of `s` (`n` > 0 bytes) the way Go's
 * utf8.DecodeRuneInString does, because upstream's field selector unescaping
 * and quoting walk strings rune by rune: returns the width (1-4) and sets
 * *ret_rune; anything that is not valid UTF-8 (truncated, overlong, a
 * surrogate, above U+10FFFF) is U+FFFD with width 1.
 */
size_t kl_api__utf8_decode(const char *s, size_t n, uint32_t *ret_rune);

/* Append code point `r` (a valid one) as UTF-8. 0 or -E2BIG (out unchanged). */
int kl_api__utf8_append(struct kl_buf *out, uint32_t r);

#endif
