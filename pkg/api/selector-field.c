/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Field selectors (fields.ParseSelector), matched through a per-kind getter.
 *
 * Upstream splits on unescaped commas, sorts the raw terms, splits each at
 * its first operator and unescapes the value. Where a value holds a
 * backslash, comma or equals sign it is decoded rune by rune, so bytes that
 * are not UTF-8 become U+FFFD there and only there; that is reproduced
 * because a watch cache keyed on the value must agree with what the client
 * meant, which upstream's decoding defines.
 */
#include "api/selector.h"

#include <stdlib.h>
#include <string.h>

#include "api/selector-internal.h"
#include "base/alloc.h"
#include "base/str.h"
#include "json/json.h"

struct kl_api_field_selector {
        char *text;                    /* owned; fields and values point into it */
        size_t n_reqs;                 /* in upstream's order: sorted by raw term */
        struct kl_api_field_req *reqs; /* owned */
};

/* A term of the input, and where its field and value went in the text. */
struct term {
        const char *s; /* borrowed from the input */
        size_t len;
        size_t field, value; /* offsets into the text being built */
        enum kl_api_field_op op;
};

void kl_api_field_selector_free(struct kl_api_field_selector *s)
{
        if (!s)
                return;
        free(s->reqs);
        free(s->text);
        free(s);
}

/* Go's string order: bytewise, a prefix first. */
static int cmp_term(const void *a, const void *b)
{
        const struct term *x = a, *y = b;
        int c = memcmp(x->s, y->s, KL_MIN(x->len, y->len));

        if (c != 0)
                return c;
        return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * Split at commas that no backslash escapes (splitTerms). Empty terms are
 * dropped here rather than after sorting: they sort first and are skipped,
 * so the order of the others is the same.
 */
static int split_terms(const char *text, size_t len, struct term **ret, size_t *ret_n,
                       struct kl_err **err)
{
        kl_autofree struct term *terms = NULL;
        size_t n = 0, alloc = 0, start = 0;
        bool in_slash = false;

        for (size_t i = 0; i <= len; i++) {
                if (i < len) {
                        if (in_slash) {
                                in_slash = false;
                                continue;
                        }
                        if (text[i] == '\\')
                                in_slash = true;
                        if (text[i] != ',')
                                continue;
                }
                if (i > start) {
                        if (n == KL_API_SELECTOR_MAX_REQUIREMENTS)
                                return kl_err_set(err, -E2BIG,
                                                  "field selector has more than %zu terms",
                                                  KL_API_SELECTOR_MAX_REQUIREMENTS);
                        if (n == alloc) {
                                alloc = alloc ? alloc * 2 : 4;
                                terms = kl_realloc(terms, alloc * sizeof(*terms));
                        }
                        terms[n++] = (struct term){ .s = text + start, .len = i - start };
                }
                start = i + 1;
        }
        *ret = KL_TAKE_PTR(terms);
        *ret_n = n;
        return 0;
}

/*
 * The first operator in the term, trying "!=", "==" and "=" at each position
 * (splitTerm): the field cannot hold an operator, the value can.
 */
static bool split_term(const struct term *t, size_t *ret_field_len, size_t *ret_value_start,
                       enum kl_api_field_op *ret_op)
{
        for (size_t i = 0; i < t->len; i++) {
                const char *p = t->s + i;
                size_t rest = t->len - i;

                if (rest >= 2 && p[0] == '!' && p[1] == '=') {
                        *ret_op = KL_API_FIELD_OP_NOT_EQUALS;
                        *ret_value_start = i + 2;
                } else if (rest >= 2 && p[0] == '=' && p[1] == '=') {
                        *ret_op = KL_API_FIELD_OP_EQUALS;
                        *ret_value_start = i + 2;
                } else if (p[0] == '=') {
                        *ret_op = KL_API_FIELD_OP_EQUALS;
                        *ret_value_start = i + 1;
                } else {
                        continue;
                }
                *ret_field_len = i;
                return true;
        }
        return false;
}

/* UnescapeValue: append the literal value of `s` to `out`. */
static int unescape(const char *s, size_t n, struct kl_buf *out, struct kl_err **err)
{
        bool in_slash = false;

        if (!memchr(s, '\\', n) && !memchr(s, ',', n) && !memchr(s, '=', n))
                return kl_buf_append(out, s, n);

        for (size_t i = 0; i < n;) {
                uint32_t c;
                size_t w = kl_api__utf8_decode(s + i, n - i, &c);

                i += w;
                if (in_slash) {
                        in_slash = false;
                        if (c == '\\' || c == ',' || c == '=') {
                                (void)kl_buf_putc(out, (char)c);
                                continue;
                        }
                        {
                                kl_autobuf struct kl_buf seq = KL_BUF_INIT;

                                (void)kl_buf_putc(&seq, '\\');
                                (void)kl_api__utf8_append(&seq, c);
                                return kl_err_set(err, -EINVAL,
                                                  "invalid field selector: invalid escape "
                                                  "sequence: %s",
                                                  seq.buf);
                        }
                }
                if (c == '\\')
                        in_slash = true;
                else if (c == ',' || c == '=')
                        /* Go prints the rune with %v: its code point in decimal. */
                        return kl_err_set(err, -EINVAL,
                                          "invalid field selector: unescaped character in value: "
                                          "%u",
                                          (unsigned)c);
                else
                        (void)kl_api__utf8_append(out, c);
        }
        if (in_slash)
                return kl_err_set(err, -EINVAL,
                                  "invalid field selector: invalid escape sequence: \\");
        return 0;
}

int kl_api_field_selector_parse(const char *text, struct kl_api_field_selector **ret,
                                struct kl_err **err)
{
        kl_autofree struct term *terms = NULL;
        kl_autobuf struct kl_buf strings = KL_BUF_INIT;
        struct kl_api_field_selector *s;
        size_t len = strnlen(text, KL_API_SELECTOR_MAX_LEN + 1), n = 0;
        int r;

        if (len > KL_API_SELECTOR_MAX_LEN)
                return kl_err_set(err, -E2BIG, "field selector is longer than %zu bytes",
                                  KL_API_SELECTOR_MAX_LEN);
        r = split_terms(text, len, &terms, &n, err);
        if (r < 0)
                return r;
        if (n > 1)
                qsort(terms, n, sizeof(*terms), cmp_term);

        for (size_t i = 0; i < n; i++) {
                struct term *t = &terms[i];
                size_t field_len = 0, value_start = 0, mark = strings.len;

                if (!split_term(t, &field_len, &value_start, &t->op))
                        return kl_err_set(err, -EINVAL,
                                          "invalid selector: '%s'; can't understand '%.*s'", text,
                                          (int)t->len, t->s);
                t->field = strings.len;
                (void)kl_buf_append(&strings, t->s, field_len);
                (void)kl_buf_putc(&strings, '\0');
                t->value = strings.len;
                r = unescape(t->s + value_start, t->len - value_start, &strings, err);
                if (r < 0)
                        return r;
                (void)kl_buf_putc(&strings, '\0');
                /*
                 * Upstream's Transform turns a term whose field and value are
                 * both empty ("=", "!=") into Everything and drops it.
                 */
                if (field_len == 0 && strings.len == t->value + 1) {
                        kl_buf_truncate(&strings, mark);
                        t->len = 0;
                }
        }

        /* Pointers only now that the text has stopped moving. */
        s = kl_new0(struct kl_api_field_selector);
        s->text = kl_buf_detach(&strings, NULL);
        s->reqs = kl_calloc(n + 1, sizeof(*s->reqs));
        for (size_t i = 0; i < n; i++) {
                if (terms[i].len == 0)
                        continue;
                s->reqs[s->n_reqs++] = (struct kl_api_field_req){
                        .field = s->text + terms[i].field,
                        .op = terms[i].op,
                        .value = s->text + terms[i].value,
                };
        }
        *ret = s;
        return 0;
}

int kl_api_field_selector_check(const struct kl_api_field_selector *s, const char *const *supported,
                                struct kl_err **err)
{
        for (size_t i = 0; s && i < s->n_reqs; i++) {
                const char *f = s->reqs[i].field;
                bool ok = kl_streq(f, "metadata.name") || kl_streq(f, "metadata.namespace");

                for (size_t j = 0; !ok && supported && supported[j]; j++)
                        ok = kl_streq(f, supported[j]);
                if (!ok)
                        return kl_err_set(err, -EINVAL, "field label not supported: %s", f);
        }
        return 0;
}

bool kl_api_field_selector_matches(const struct kl_api_field_selector *s, const void *obj,
                                   kl_api_field_get_fn *get, void *userdata)
{
        for (size_t i = 0; s && i < s->n_reqs; i++) {
                const struct kl_api_field_req *r = &s->reqs[i];
                const char *v = get(obj, r->field, userdata);
                bool equal = kl_streq(v ? v : "", r->value);

                if (equal != (r->op == KL_API_FIELD_OP_EQUALS))
                        return false;
        }
        return true;
}

const char *kl_api_field_get_json(const void *obj, const char *field, void *userdata)
{
        json_t *v = NULL;

        (void)userdata;
        if (kl_json_get(obj, field, &v, NULL) < 0)
                return NULL;
        if (json_is_string(v))
                return json_string_value(v);
        if (json_is_boolean(v))
                return json_is_true(v) ? "true" : "false";
        return NULL;
}

bool kl_api_field_selector_is_empty(const struct kl_api_field_selector *s)
{
        return !s || s->n_reqs == 0;
}

const struct kl_api_field_req *kl_api_field_selector_reqs(const struct kl_api_field_selector *s,
                                                          size_t *ret_n)
{
        *ret_n = s ? s->n_reqs : 0;
        return s ? s->reqs : NULL;
}

bool kl_api_field_selector_requires_exact(const struct kl_api_field_selector *s, const char *field,
                                          const char **ret_value)
{
        for (size_t i = 0; s && i < s->n_reqs; i++) {
                const struct kl_api_field_req *r = &s->reqs[i];

                if (r->op == KL_API_FIELD_OP_EQUALS && kl_streq(r->field, field)) {
                        *ret_value = r->value;
                        return true;
                }
        }
        return false;
}

int kl_api_field_selector_format(const struct kl_api_field_selector *s, struct kl_buf *out)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        for (size_t i = 0; s && i < s->n_reqs; i++) {
                const struct kl_api_field_req *r = &s->reqs[i];

                if (i > 0)
                        (void)kl_buf_putc(&b, ',');
                (void)kl_buf_puts(&b, r->field);
                (void)kl_buf_puts(&b, r->op == KL_API_FIELD_OP_EQUALS ? "=" : "!=");
                for (const char *c = r->value; *c; c++) {
                        if (*c == '\\' || *c == ',' || *c == '=')
                                (void)kl_buf_putc(&b, '\\');
                        (void)kl_buf_putc(&b, *c);
                }
        }
        return kl_buf_append(out, b.buf, b.len);
}
