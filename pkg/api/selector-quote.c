/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go's UTF-8 decoding and %q quoting, as far as the selectors and their
 * error messages need them.
 */
#include "api/selector.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "api/selector-internal.h"
#include "base/buf.h"

#define RUNE_ERROR 0xfffdu

size_t kl_api__utf8_decode(const char *s, size_t n, uint32_t *ret_rune)
{
        const unsigned char *p = (const unsigned char *)s;
        unsigned char lo = 0x80, hi = 0xbf;
        size_t width;
        uint32_t r;

        if (p[0] < 0x80) {
                *ret_rune = p[0];
                return 1;
        }
        /*
         * The second byte's range depends on the first: that is what rules
         * out overlong forms (E0, F0), surrogates (ED) and code points above
         * U+10FFFF (F4), the same table Go's decoder uses.
         */
        if (p[0] >= 0xc2 && p[0] <= 0xdf) {
                width = 2;
                r = p[0] & 0x1fu;
        } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
                width = 3;
                r = p[0] & 0x0fu;
                if (p[0] == 0xe0)
                        lo = 0xa0;
                else if (p[0] == 0xed)
                        hi = 0x9f;
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
                width = 4;
                r = p[0] & 0x07u;
                if (p[0] == 0xf0)
                        lo = 0x90;
                else if (p[0] == 0xf4)
                        hi = 0x8f;
        } else {
                *ret_rune = RUNE_ERROR;
                return 1;
        }
        if (n < width || p[1] < lo || p[1] > hi) {
                *ret_rune = RUNE_ERROR;
                return 1;
        }
        r = (r << 6) | (p[1] & 0x3fu);
        for (size_t i = 2; i < width; i++) {
                if (p[i] < 0x80 || p[i] > 0xbf) {
                        *ret_rune = RUNE_ERROR;
                        return 1;
                }
                r = (r << 6) | (p[i] & 0x3fu);
        }
        *ret_rune = r;
        return width;
}

int kl_api__utf8_append(struct kl_buf *out, uint32_t r)
{
        char b[4];
        size_t n;

        if (r < 0x80) {
                b[0] = (char)r;
                n = 1;
        } else if (r < 0x800) {
                b[0] = (char)(0xc0 | (r >> 6));
                b[1] = (char)(0x80 | (r & 0x3f));
                n = 2;
        } else if (r < 0x10000) {
                b[0] = (char)(0xe0 | (r >> 12));
                b[1] = (char)(0x80 | ((r >> 6) & 0x3f));
                b[2] = (char)(0x80 | (r & 0x3f));
                n = 3;
        } else {
                b[0] = (char)(0xf0 | (r >> 18));
                b[1] = (char)(0x80 | ((r >> 12) & 0x3f));
                b[2] = (char)(0x80 | ((r >> 6) & 0x3f));
                b[3] = (char)(0x80 | (r & 0x3f));
                n = 4;
        }
        return kl_buf_append(out, b, n);
}

/*
 * unicode.IsPrint for code points above U+00FF without Go's tables: letters,
 * marks, numbers, punctuation and symbols are printable; spaces other than
 * U+0020, format and private-use characters, and non-characters are not.
 * Unassigned code points are the one difference (Go escapes them); keeping a
 * copy of the Unicode tables for error text about invalid label keys is not
 * worth it.
 */
static bool is_print_wide(uint32_t r)
{
        static const struct {
                uint32_t lo, hi;
        } hidden[] = {
                { 0x0600, 0x0605 },   { 0x061c, 0x061c },   { 0x06dd, 0x06dd },
                { 0x070f, 0x070f },   { 0x08e2, 0x08e2 },   { 0x1680, 0x1680 },
                { 0x180e, 0x180e },   { 0x2000, 0x200f },   { 0x2028, 0x202f },
                { 0x205f, 0x2064 },   { 0x2066, 0x206f },   { 0x3000, 0x3000 },
                { 0xd800, 0xf8ff },   { 0xfdd0, 0xfdef },   { 0xfeff, 0xfeff },
                { 0xfff9, 0xfffb },   { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
                { 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
                { 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f }, { 0xf0000, 0x10ffff },
        };

        if ((r & 0xfffe) == 0xfffe)
                return false;
        for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
                if (r >= hidden[i].lo && r <= hidden[i].hi)
                        return false;
        return true;
}

static bool is_print(uint32_t r)
{
        if (r < 0x80)
                return r >= 0x20 && r < 0x7f;
        if (r <= 0xff)
                return r >= 0xa1 && r != 0xad;
        return is_print_wide(r);
}

static int quote_rune(struct kl_buf *b, uint32_t r)
{
        static const char hex[] = "0123456789abcdef";
        char esc[10];
        size_t n = 0;

        if (r == '"' || r == '\\') {
                esc[n++] = '\\';
                esc[n++] = (char)r;
                return kl_buf_append(b, esc, n);
        }
        if (is_print(r))
                return kl_api__utf8_append(b, r);
        esc[n++] = '\\';
        switch (r) {
        case '\a':
                esc[n++] = 'a';
                break;
        case '\b':
                esc[n++] = 'b';
                break;
        case '\f':
                esc[n++] = 'f';
                break;
        case '\n':
                esc[n++] = 'n';
                break;
        case '\r':
                esc[n++] = 'r';
                break;
        case '\t':
                esc[n++] = 't';
                break;
        case '\v':
                esc[n++] = 'v';
                break;
        default:
                if (r < 0x20 || r == 0x7f) {
                        esc[n++] = 'x';
                        esc[n++] = hex[r >> 4];
                        esc[n++] = hex[r & 0xf];
                } else if (r < 0x10000) {
                        esc[n++] = 'u';
                        for (int shift = 12; shift >= 0; shift -= 4)
                                esc[n++] = hex[(r >> shift) & 0xf];
                } else {
                        esc[n++] = 'U';
                        for (int shift = 28; shift >= 0; shift -= 4)
                                esc[n++] = hex[(r >> shift) & 0xf];
                }
                break;
        }
        return kl_buf_append(b, esc, n);
}

int kl_api_go_quote(struct kl_buf *out, const char *s, size_t len)
{
        size_t start = out->len;
        size_t i = 0;
        int r;

        r = kl_buf_putc(out, '"');
        while (r == 0 && i < len) {
                uint32_t rune;
                size_t w = kl_api__utf8_decode(s + i, len - i, &rune);

                if (w == 1 && rune == RUNE_ERROR) {
                        /* A byte that is not UTF-8 is shown as such, not as U+FFFD. */
                        static const char hex[] = "0123456789abcdef";
                        unsigned char c = (unsigned char)s[i];
                        char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 0xf] };

                        r = kl_buf_append(out, esc, sizeof(esc));
                } else {
                        r = quote_rune(out, rune);
                }
                i += w;
        }
        if (r == 0)
                r = kl_buf_putc(out, '"');
        if (r < 0)
                kl_buf_truncate(out, start);
        return r;
}

char *kl_api_go_quoted(const char *s)
{
        struct kl_buf b = KL_BUF_INIT;

        (void)kl_api_go_quote(&b, s ? s : "", s ? strlen(s) : 0);
        return kl_buf_detach(&b, NULL);
}
