/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label selectors: the string grammar of labels.Parse, the conversion of
 * metav1.LabelSelector objects, matching and the canonical string.
 *
 * The lexer and parser follow upstream's structure token for token rather
 * than a grammar of our own, because kubectl users see the parser's error
 * text: which token is "found" and what was "expected" falls out of the
 * order in which upstream looks ahead and consumes, and replaying that order
 * is the only reliable way to say the same thing for every bad input.
 */
#include "api/selector.h"

#include <stdlib.h>
#include <string.h>

#include "api/selector-internal.h"
#include "base/alloc.h"
#include "base/parse.h"
#include "base/str.h"
#include "json/json.h"

/*
 * Upstream lists every problem of a requirement; so do we, up to this many.
 * Only a LabelSelector object with thousands of bad values gets near it, and
 * a message listing all of them would help nobody.
 */
#define MAX_REPORTED_PROBLEMS 64

struct kl_api_label_selector {
        bool nothing;                  /* a null LabelSelector: matches nothing */
        char *text;                    /* owned; keys and values point into it */
        size_t n_reqs;                 /* sorted by key, stable */
        struct kl_api_label_req *reqs; /* owned; so is every reqs[i].values */
};

static const char empty_value[] = "";

void kl_api_label_selector_free(struct kl_api_label_selector *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n_reqs; i++)
                free(s->reqs[i].values);
        free(s->reqs);
        free(s->text);
        free(s);
}

/*
 * ---------------------------------------------------------------------------
 * Requirements (labels.NewRequirement) and their error text
 */

static char *quote(const char *s)
{
        struct kl_buf b = KL_BUF_INIT;

        (void)kl_api_go_quote(&b, s, strlen(s));
        return kl_buf_detach(&b, NULL);
}

/* A []string as Go's %#v prints it, which is how field errors show a value list. */
static char *go_slice(const char *const *vals, size_t n, bool nil)
{
        struct kl_buf b = KL_BUF_INIT;

        if (nil)
                return kl_strdup("[]string(nil)");
        (void)kl_buf_puts(&b, "[]string{");
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        (void)kl_buf_puts(&b, ", ");
                (void)kl_api_go_quote(&b, vals[i], strlen(vals[i]));
        }
        (void)kl_buf_putc(&b, '}');
        return kl_buf_detach(&b, NULL);
}

/* field.Invalid(path, value, detail).Error(); `repr` is the value already formatted. */
static void add_invalid(char ***problems, const char *path, const char *repr, const char *detail)
{
        if (kl_strv_length(*problems) >= MAX_REPORTED_PROBLEMS)
                return;
        kl_strv_push_take(problems, kl_asprintf("%s: Invalid value: %s: %s", path, repr, detail));
}

static char *join(char *const *v, const char *sep)
{
        struct kl_buf b = KL_BUF_INIT;

        for (size_t i = 0; v && v[i]; i++) {
                if (i > 0)
                        (void)kl_buf_puts(&b, sep);
                (void)kl_buf_puts(&b, v[i]);
        }
        return kl_buf_detach(&b, NULL);
}

/*
 * utilerrors.Aggregate's text for field.ErrorList.ToAggregate(): duplicates
 * dropped, one problem bare, several as "[a, b]".
 */
static void aggregate(char *const *problems, struct kl_buf *out)
{
        size_t n = kl_strv_length(problems), distinct = 0;
        kl_autostrv char **seen = NULL;

        for (size_t i = 0; i < n; i++) {
                if (!kl_strv_contains(seen, problems[i])) {
                        kl_strv_push(&seen, problems[i]);
                        distinct++;
                }
        }
        if (distinct == 1) {
                (void)kl_buf_puts(out, seen[0]);
                return;
        }
        (void)kl_buf_putc(out, '[');
        for (size_t i = 0; i < distinct; i++) {
                if (i > 0)
                        (void)kl_buf_puts(out, ", ");
                (void)kl_buf_puts(out, seen[i]);
        }
        (void)kl_buf_putc(out, ']');
}

/* "; "-joined qualified-name problems of `key`, or NULL when it is valid. */
static char *key_problems(const char *key)
{
        kl_autostrv char **msgs = NULL;

        if (kl_api_validate_qualified_name(key, &msgs) == 0)
                return NULL;
        return join(msgs, "; ");
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_key(const void *key, const void *elem)
{
        return strcmp((const char *)key, *(const char *const *)elem);
}

/*
 * labels.NewRequirement: check `key`, `op` and `vals` and fill *ret. `vals`
 * (n entries, NULL when n is 0; `nil` says whether upstream's slice would be
 * nil, which shows in one message) is owned by the requirement from here on,
 * freed on failure. The key is checked only when `check_key`: the parser has
 * already done it with its own wording. On failure the aggregated problems
 * are appended to `msg` and -EINVAL is returned.
 */
static int new_requirement(const char *key, enum kl_api_label_op op, const char **vals, size_t n,
                           bool nil, bool check_key, struct kl_api_label_req *ret,
                           struct kl_buf *msg)
{
        kl_autofree const char **owned = vals;
        kl_autostrv char **problems = NULL;
        kl_autofree char *why = NULL;
        kl_autofree char *slice = NULL;
        int64_t number = 0;

        if (check_key) {
                why = key_problems(key);
                if (why) {
                        kl_autofree char *q = quote(key);

                        add_invalid(&problems, "key", q, why);
                }
        }

        switch (op) {
        case KL_API_LABEL_OP_IN:
        case KL_API_LABEL_OP_NOT_IN:
                if (n == 0) {
                        slice = go_slice(vals, n, nil);
                        add_invalid(&problems, "values", slice,
                                    "for 'in', 'notin' operators, values set can't be empty");
                }
                break;
        case KL_API_LABEL_OP_EQUALS:
        case KL_API_LABEL_OP_DOUBLE_EQUALS:
        case KL_API_LABEL_OP_NOT_EQUALS:
                if (n != 1) {
                        slice = go_slice(vals, n, nil);
                        add_invalid(&problems, "values", slice,
                                    "exact-match compatibility requires one single value");
                }
                break;
        case KL_API_LABEL_OP_EXISTS:
        case KL_API_LABEL_OP_DOES_NOT_EXIST:
                if (n != 0) {
                        slice = go_slice(vals, n, nil);
                        add_invalid(&problems, "values", slice,
                                    "values set must be empty for exists and does not exist");
                }
                break;
        case KL_API_LABEL_OP_GT:
        case KL_API_LABEL_OP_LT:
                if (n != 1) {
                        slice = go_slice(vals, n, nil);
                        add_invalid(&problems, "values", slice,
                                    "for 'Gt', 'Lt' operators, exactly one value is required");
                }
                for (size_t i = 0; i < n; i++) {
                        if (kl_parse_int64(vals[i], &number) < 0) {
                                kl_autofree char *path = kl_asprintf("values[%zu]", i);
                                kl_autofree char *q = quote(vals[i]);

                                add_invalid(
                                        &problems, path, q,
                                        "for 'Gt', 'Lt' operators, the value must be an integer");
                        }
                }
                break;
        default:
                kl_bug("label selector operator out of range");
        }

        for (size_t i = 0; i < n; i++) {
                kl_autostrv char **msgs = NULL;

                if (kl_api_validate_label_value(vals[i], &msgs) > 0) {
                        kl_autofree char *path = kl_asprintf("values[%zu][%s]", i, key);
                        kl_autofree char *q = quote(vals[i]);
                        kl_autofree char *detail = join(msgs, "; ");

                        add_invalid(&problems, path, q, detail);
                }
        }

        if (problems) {
                aggregate(problems, msg);
                return -EINVAL;
        }

        /* Sorted once here so matching can bsearch and formatting need not sort. */
        if (n > 1)
                qsort(owned, n, sizeof(*owned), cmp_str);
        *ret = (struct kl_api_label_req){
                .key = key,
                .op = op,
                .n_values = n,
                .values = KL_TAKE_PTR(owned),
                .number = number,
        };
        return 0;
}

static void push_req(struct kl_api_label_selector *s, size_t *alloc,
                     const struct kl_api_label_req *r)
{
        if (s->n_reqs == *alloc) {
                *alloc = *alloc ? *alloc * 2 : 4;
                s->reqs = kl_realloc(s->reqs, *alloc * sizeof(*s->reqs));
        }
        s->reqs[s->n_reqs++] = *r;
}

/*
 * Sort by key, keeping the order of requirements on one key: upstream's
 * sort.Sort is an insertion sort at the sizes selectors have (up to 12
 * requirements), which is stable, so a stable merge sort gives the same
 * order there and a deterministic one beyond.
 */
static void sort_reqs(struct kl_api_label_req *reqs, size_t n)
{
        kl_autofree struct kl_api_label_req *tmp = NULL;

        if (n < 2)
                return;
        tmp = kl_malloc(n * sizeof(*tmp));
        for (size_t width = 1; width < n; width *= 2) {
                for (size_t lo = 0; lo < n; lo += 2 * width) {
                        size_t mid = KL_MIN(lo + width, n), hi = KL_MIN(lo + 2 * width, n);
                        size_t i = lo, j = mid, k = lo;

                        while (i < mid && j < hi)
                                tmp[k++] = strcmp(reqs[j].key, reqs[i].key) < 0 ? reqs[j++]
                                                                                : reqs[i++];
                        while (i < mid)
                                tmp[k++] = reqs[i++];
                        while (j < hi)
                                tmp[k++] = reqs[j++];
                }
                memcpy(reqs, tmp, n * sizeof(*reqs));
        }
}

/*
 * ---------------------------------------------------------------------------
 * The lexer (labels.Lexer)
 */

enum tok {
        TOK_ERROR,
        TOK_EOS,
        TOK_CLOSE_PAR,
        TOK_COMMA,
        TOK_NOT,
        TOK_DOUBLE_EQUALS,
        TOK_EQUALS,
        TOK_GT,
        TOK_IDENT,
        TOK_IN,
        TOK_LT,
        TOK_NOT_EQUALS,
        TOK_NOT_IN,
        TOK_OPEN_PAR,
};

struct token {
        enum tok tok;
        size_t start, len; /* the literal, in the input */
};

struct lexer {
        const char *s; /* borrowed: the input */
        size_t len, pos;
};

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(char c)
{
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

/* Upstream's read(): NUL at the end, which is also where a C string stops. */
static char lex_read(struct lexer *l)
{
        if (l->pos < l->len)
                return l->s[l->pos++];
        return '\0';
}

static enum tok special_token(const char *s, size_t n)
{
        static const struct {
                const char *lit;
                enum tok tok;
        } table[] = {
                { ")", TOK_CLOSE_PAR }, { ",", TOK_COMMA },
                { "!", TOK_NOT },       { "==", TOK_DOUBLE_EQUALS },
                { "=", TOK_EQUALS },    { ">", TOK_GT },
                { "<", TOK_LT },        { "!=", TOK_NOT_EQUALS },
                { "(", TOK_OPEN_PAR },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(table); i++)
                if (strlen(table[i].lit) == n && memcmp(table[i].lit, s, n) == 0)
                        return table[i].tok;
        return TOK_ERROR;
}

/*
 * The longest run of special characters that is still an operator: "!="
 * is one token, "=(" is "=" then "(". Every single special character is a
 * token, so this always finds one.
 */
static struct token lex_special(struct lexer *l)
{
        struct token last = { .tok = TOK_ERROR, .start = l->pos };

        for (;;) {
                char c = lex_read(l);
                enum tok t;

                if (c == '\0')
                        break;
                if (!is_special(c)) {
                        l->pos--;
                        break;
                }
                t = special_token(l->s + last.start, l->pos - last.start);
                if (t != TOK_ERROR) {
                        last.tok = t;
                        last.len = l->pos - last.start;
                } else if (last.tok != TOK_ERROR) {
                        l->pos--;
                        break;
                }
        }
        return last;
}

static struct token lex_ident(struct lexer *l)
{
        struct token t = { .tok = TOK_IDENT, .start = l->pos };

        for (;;) {
                char c = lex_read(l);

                if (c == '\0')
                        break;
                if (is_special(c) || is_blank(c)) {
                        l->pos--;
                        break;
                }
        }
        t.len = l->pos - t.start;
        if (t.len == 2 && memcmp(l->s + t.start, "in", 2) == 0)
                t.tok = TOK_IN;
        else if (t.len == 5 && memcmp(l->s + t.start, "notin", 5) == 0)
                t.tok = TOK_NOT_IN;
        return t;
}

static struct token lex(struct lexer *l)
{
        char c = lex_read(l);

        while (is_blank(c))
                c = lex_read(l);
        if (c == '\0')
                return (struct token){ .tok = TOK_EOS, .start = l->pos, .len = 0 };
        l->pos--;
        if (is_special(c))
                return lex_special(l);
        return lex_ident(l);
}

/*
 * ---------------------------------------------------------------------------
 * The parser (labels.Parser)
 */

/* In a value position "in" and "notin" are plain identifiers: `a in (in)`. */
enum ctx {
        CTX_KEY_AND_OPERATOR,
        CTX_VALUES,
};

struct parser {
        const char *input;  /* borrowed: the selector as given, for messages */
        char *text;         /* borrowed from the selector: the copy identifiers are cut from */
        struct token *toks; /* owned by the caller; the last one is TOK_EOS */
        size_t n_toks, pos;
        const char **vals; /* owned: values of the requirement being parsed */
        size_t n_vals, alloc_vals;
        struct kl_buf *msg; /* borrowed: the error text being built */
};

static struct token ctx_token(struct token t, enum ctx ctx)
{
        if (ctx == CTX_VALUES && (t.tok == TOK_IN || t.tok == TOK_NOT_IN))
                t.tok = TOK_IDENT;
        return t;
}

static struct token lookahead(const struct parser *p, enum ctx ctx)
{
        return ctx_token(p->toks[p->pos], ctx);
}

static struct token consume(struct parser *p, enum ctx ctx)
{
        struct token t = p->toks[p->pos];

        /* Stay on the final TOK_EOS: every path that reads past it fails first. */
        if (p->pos + 1 < p->n_toks)
                p->pos++;
        return ctx_token(t, ctx);
}

/* An identifier's text, NUL-terminated in the selector's copy of the input. */
static const char *ident(const struct parser *p, struct token t)
{
        return p->text + t.start;
}

static int found(struct parser *p, struct token t, const char *expected)
{
        (void)kl_buf_printf(p->msg, "found '%.*s', expected: %s", (int)t.len, p->input + t.start,
                            expected);
        return -EINVAL;
}

static void push_val(struct parser *p, const char *v)
{
        if (p->n_vals == p->alloc_vals) {
                p->alloc_vals = p->alloc_vals ? p->alloc_vals * 2 : 4;
                p->vals = kl_realloc(p->vals, p->alloc_vals * sizeof(*p->vals));
        }
        p->vals[p->n_vals++] = v;
}

/* The collected values as sets.String.List() has them: sorted, without duplicates. */
static const char **take_value_set(struct parser *p, size_t *ret_n)
{
        const char **v = p->vals;
        size_t n = p->n_vals, out = 0;

        if (n > 1)
                qsort(v, n, sizeof(*v), cmp_str);
        for (size_t i = 0; i < n; i++)
                if (out == 0 || strcmp(v[out - 1], v[i]) != 0)
                        v[out++] = v[i];
        p->vals = NULL;
        p->n_vals = p->alloc_vals = 0;
        *ret_n = out;
        return v;
}

static int parse_key_and_infer_operator(struct parser *p, const char **ret_key,
                                        enum kl_api_label_op *ret_op)
{
        enum kl_api_label_op op = KL_API_LABEL_OP__INVALID;
        kl_autofree char *why = NULL;
        struct token t = consume(p, CTX_VALUES);
        const char *key;

        if (t.tok == TOK_NOT) {
                op = KL_API_LABEL_OP_DOES_NOT_EXIST;
                t = consume(p, CTX_VALUES);
        }
        if (t.tok != TOK_IDENT)
                return found(p, t, "identifier");
        key = ident(p, t);
        why = key_problems(key);
        if (why) {
                kl_autofree char *q = quote(key);

                /* Upstream validates here with no field path, which prints as "<nil>". */
                (void)kl_buf_printf(p->msg, "<nil>: Invalid value: %s: %s", q, why);
                return -EINVAL;
        }
        t = lookahead(p, CTX_VALUES);
        if ((t.tok == TOK_EOS || t.tok == TOK_COMMA) && op != KL_API_LABEL_OP_DOES_NOT_EXIST)
                op = KL_API_LABEL_OP_EXISTS;
        *ret_key = key;
        *ret_op = op;
        return 0;
}

static int parse_operator(struct parser *p, enum kl_api_label_op *ret_op)
{
        struct token t = consume(p, CTX_KEY_AND_OPERATOR);

        switch (t.tok) {
        case TOK_IN:
                *ret_op = KL_API_LABEL_OP_IN;
                return 0;
        case TOK_EQUALS:
                *ret_op = KL_API_LABEL_OP_EQUALS;
                return 0;
        case TOK_DOUBLE_EQUALS:
                *ret_op = KL_API_LABEL_OP_DOUBLE_EQUALS;
                return 0;
        case TOK_GT:
                *ret_op = KL_API_LABEL_OP_GT;
                return 0;
        case TOK_LT:
                *ret_op = KL_API_LABEL_OP_LT;
                return 0;
        case TOK_NOT_IN:
                *ret_op = KL_API_LABEL_OP_NOT_IN;
                return 0;
        case TOK_NOT_EQUALS:
                *ret_op = KL_API_LABEL_OP_NOT_EQUALS;
                return 0;
        default:
                return found(p, t, "in, notin, =, ==, !=, gt, lt");
        }
}

/* A possibly empty list of possibly empty values, after '(' and up to ')'. */
static int parse_identifiers_list(struct parser *p)
{
        for (;;) {
                struct token t = consume(p, CTX_VALUES), next;

                switch (t.tok) {
                case TOK_IDENT:
                        push_val(p, ident(p, t));
                        next = lookahead(p, CTX_VALUES);
                        if (next.tok == TOK_COMMA)
                                continue;
                        if (next.tok == TOK_CLOSE_PAR)
                                return 0;
                        return found(p, next, "',' or ')'");
                case TOK_COMMA:
                        /* "(," and ",)" and ",," each stand for an empty value. */
                        if (p->n_vals == 0)
                                push_val(p, empty_value);
                        next = lookahead(p, CTX_VALUES);
                        if (next.tok == TOK_CLOSE_PAR) {
                                push_val(p, empty_value);
                                return 0;
                        }
                        if (next.tok == TOK_COMMA) {
                                (void)consume(p, CTX_VALUES);
                                push_val(p, empty_value);
                        }
                        continue;
                default:
                        return found(p, t, "',', or identifier");
                }
        }
}

static int parse_values(struct parser *p)
{
        struct token t = consume(p, CTX_VALUES);
        int r;

        if (t.tok != TOK_OPEN_PAR) {
                /* Upstream's wording, without the comma its other messages have. */
                (void)kl_buf_printf(p->msg, "found '%.*s' expected: '('", (int)t.len,
                                    p->input + t.start);
                return -EINVAL;
        }
        t = lookahead(p, CTX_VALUES);
        switch (t.tok) {
        case TOK_IDENT:
        case TOK_COMMA:
                r = parse_identifiers_list(p);
                if (r < 0)
                        return r;
                if (consume(p, CTX_VALUES).tok != TOK_CLOSE_PAR)
                        return found(p, t, "')'");
                return 0;
        case TOK_CLOSE_PAR:
                (void)consume(p, CTX_VALUES);
                push_val(p, empty_value);
                return 0;
        default:
                return found(p, t, "',', ')' or identifier");
        }
}

static int parse_exact_value(struct parser *p)
{
        struct token t = lookahead(p, CTX_VALUES);

        if (t.tok == TOK_EOS || t.tok == TOK_COMMA) {
                push_val(p, empty_value);
                return 0;
        }
        t = consume(p, CTX_VALUES);
        if (t.tok != TOK_IDENT)
                return found(p, t, "identifier");
        push_val(p, ident(p, t));
        return 0;
}

static int parse_requirement(struct parser *p, struct kl_api_label_req *ret)
{
        enum kl_api_label_op op = KL_API_LABEL_OP__INVALID;
        const char *key = NULL;
        const char **vals;
        size_t n;
        int r;

        r = parse_key_and_infer_operator(p, &key, &op);
        if (r < 0)
                return r;
        if (op == KL_API_LABEL_OP_EXISTS || op == KL_API_LABEL_OP_DOES_NOT_EXIST)
                return new_requirement(key, op, NULL, 0, false, false, ret, p->msg);

        r = parse_operator(p, &op);
        if (r < 0)
                return r;
        if (op == KL_API_LABEL_OP_IN || op == KL_API_LABEL_OP_NOT_IN)
                r = parse_values(p);
        else
                r = parse_exact_value(p);
        if (r < 0)
                return r;
        vals = take_value_set(p, &n);
        return new_requirement(key, op, vals, n, false, false, ret, p->msg);
}

static int parse_selector(struct parser *p, struct kl_api_label_selector *s, struct kl_err **err)
{
        size_t alloc = 0;

        for (;;) {
                struct token t = lookahead(p, CTX_VALUES), next;
                struct kl_api_label_req req;
                int r;

                switch (t.tok) {
                case TOK_IDENT:
                case TOK_NOT:
                        if (s->n_reqs == KL_API_SELECTOR_MAX_REQUIREMENTS)
                                return kl_err_set(err, -E2BIG,
                                                  "label selector has more than %zu requirements",
                                                  KL_API_SELECTOR_MAX_REQUIREMENTS);
                        (void)kl_buf_puts(p->msg, "unable to parse requirement: ");
                        r = parse_requirement(p, &req);
                        if (r < 0)
                                return kl_err_set(err, r, "%s", p->msg->buf);
                        kl_buf_reset(p->msg);
                        push_req(s, &alloc, &req);

                        t = consume(p, CTX_VALUES);
                        if (t.tok == TOK_EOS)
                                return 0;
                        if (t.tok != TOK_COMMA) {
                                r = found(p, t, "',' or 'end of string'");
                                return kl_err_set(err, r, "%s", p->msg->buf);
                        }
                        next = lookahead(p, CTX_VALUES);
                        if (next.tok != TOK_IDENT && next.tok != TOK_NOT) {
                                r = found(p, next, "identifier after ','");
                                return kl_err_set(err, r, "%s", p->msg->buf);
                        }
                        break;
                case TOK_EOS:
                        return 0;
                default:
                        r = found(p, t, "!, identifier, or 'end of string'");
                        return kl_err_set(err, r, "%s", p->msg->buf);
                }
        }
}

int kl_api_label_selector_parse(const char *text, struct kl_api_label_selector **ret,
                                struct kl_err **err)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s = NULL;
        kl_autofree struct token *toks = NULL;
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        size_t len = strnlen(text, KL_API_SELECTOR_MAX_LEN + 1), n_toks = 0, alloc = 0;
        struct lexer l = { .s = text, .len = len };
        struct parser p;
        int r;

        if (len > KL_API_SELECTOR_MAX_LEN)
                return kl_err_set(err, -E2BIG, "label selector is longer than %zu bytes",
                                  KL_API_SELECTOR_MAX_LEN);

        s = kl_new0(struct kl_api_label_selector);
        s->text = kl_memdup(text, len + 1);

        /* Tokenise everything first, as upstream does, then cut identifiers out of the copy. */
        for (;;) {
                struct token t = lex(&l);

                if (n_toks == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        toks = kl_realloc(toks, alloc * sizeof(*toks));
                }
                toks[n_toks++] = t;
                if (t.tok == TOK_EOS)
                        break;
        }
        for (size_t i = 0; i < n_toks; i++)
                if (toks[i].tok == TOK_IDENT || toks[i].tok == TOK_IN || toks[i].tok == TOK_NOT_IN)
                        s->text[toks[i].start + toks[i].len] = '\0';

        p = (struct parser){
                .input = text,
                .text = s->text,
                .toks = toks,
                .n_toks = n_toks,
                .msg = &msg,
        };
        r = parse_selector(&p, s, err);
        free(p.vals);
        if (r < 0)
                return r;

        sort_reqs(s->reqs, s->n_reqs);
        *ret = KL_TAKE_PTR(s);
        return 0;
}

/*
 * ---------------------------------------------------------------------------
 * metav1.LabelSelector
 */

/* One matchLabels entry or matchExpressions element, borrowed from the JSON. */
struct json_req {
        const char *key;
        const char *value;    /* matchLabels */
        const char *op;       /* matchExpressions */
        const json_t *values; /* matchExpressions: an array, or NULL */
};

/* A string member that may be absent or null (Go leaves the field ""). */
static int get_opt_str(const json_t *obj, const char *name, const char *path, const char **ret,
                       struct kl_err **err)
{
        const json_t *v = json_object_get(obj, name);

        if (!v || json_is_null(v)) {
                *ret = empty_value;
                return 0;
        }
        if (!json_is_string(v))
                return kl_err_set(err, -EINVAL, "'%s.%s': expected string, got %s", path, name,
                                  kl_json_type_name(v));
        *ret = json_string_value(v);
        return 0;
}

static int cmp_json_req_key(const void *a, const void *b)
{
        return strcmp(((const struct json_req *)a)->key, ((const struct json_req *)b)->key);
}

/*
 * Collect and type-check the entries of `ls` into *ret_reqs (borrowing from
 * `ls`), counting the bytes and values the selector will need.
 */
static int collect_json(const json_t *match_labels, const json_t *exprs, struct json_req **ret_reqs,
                        size_t *ret_n, size_t *ret_bytes, struct kl_err **err)
{
        size_t n_labels = match_labels ? json_object_size(match_labels) : 0;
        size_t n_exprs = exprs ? json_array_size(exprs) : 0;
        kl_autofree struct json_req *reqs = NULL;
        size_t n = 0, bytes = 0, values = 0;
        const char *k;
        json_t *v;

        if (n_labels > KL_API_SELECTOR_MAX_REQUIREMENTS ||
            n_exprs > KL_API_SELECTOR_MAX_REQUIREMENTS - n_labels)
                return kl_err_set(err, -E2BIG, "label selector has more than %zu requirements",
                                  KL_API_SELECTOR_MAX_REQUIREMENTS);
        reqs = kl_calloc(n_labels + n_exprs + 1, sizeof(*reqs));

        json_object_foreach((json_t *)match_labels, k, v) {
                if (!json_is_string(v) && !json_is_null(v))
                        return kl_err_set(err, -EINVAL,
                                          "'.matchLabels.%s': expected string, got %s", k,
                                          kl_json_type_name(v));
                reqs[n].key = k;
                reqs[n].value = json_is_string(v) ? json_string_value(v) : empty_value;
                bytes += strlen(k) + strlen(reqs[n].value) + 2;
                n++;
        }
        /* Go ranges over the map in random order; sorted keys make the first error stable. */
        qsort(reqs, n, sizeof(*reqs), cmp_json_req_key);

        for (size_t i = 0; i < n_exprs; i++) {
                const json_t *e = json_array_get(exprs, i);
                kl_autofree char *path = kl_asprintf(".matchExpressions[%zu]", i);
                const json_t *vals;
                int r;

                if (!json_is_object(e))
                        return kl_err_set(err, -EINVAL, "'%s': expected object, got %s", path,
                                          kl_json_type_name(e));
                r = get_opt_str(e, "key", path, &reqs[n].key, err);
                if (r < 0)
                        return r;
                r = get_opt_str(e, "operator", path, &reqs[n].op, err);
                if (r < 0)
                        return r;
                vals = json_object_get(e, "values");
                if (vals && !json_is_null(vals)) {
                        if (!json_is_array(vals))
                                return kl_err_set(err, -EINVAL,
                                                  "'%s.values': expected array, got %s", path,
                                                  kl_json_type_name(vals));
                        if (json_array_size(vals) > KL_API_SELECTOR_MAX_VALUES - values)
                                return kl_err_set(err, -E2BIG,
                                                  "label selector has more than %zu values",
                                                  KL_API_SELECTOR_MAX_VALUES);
                        values += json_array_size(vals);
                        for (size_t j = 0; j < json_array_size(vals); j++) {
                                const json_t *x = json_array_get(vals, j);

                                if (json_is_string(x))
                                        bytes += strlen(json_string_value(x)) + 1;
                                else if (!json_is_null(x))
                                        return kl_err_set(
                                                err, -EINVAL,
                                                "'%s.values[%zu]': expected string, got %s", path,
                                                j, kl_json_type_name(x));
                        }
                        reqs[n].values = vals;
                }
                bytes += strlen(reqs[n].key) + 1;
                n++;
        }
        *ret_reqs = KL_TAKE_PTR(reqs);
        *ret_n = n;
        *ret_bytes = bytes;
        return 0;
}

/* Copy `s` into the selector's text at *pos. */
static const char *place(char *text, size_t *pos, const char *s)
{
        size_t n = strlen(s) + 1;
        char *dst = text + *pos;

        memcpy(dst, s, n);
        *pos += n;
        return dst;
}

static int from_json_reqs(const json_t *match_labels, const json_t *exprs,
                          struct kl_api_label_selector **ret, struct kl_err **err)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s = NULL;
        kl_autofree struct json_req *reqs = NULL;
        kl_autobuf struct kl_buf msg = KL_BUF_INIT;
        size_t n = 0, bytes = 0, pos = 0, alloc = 0;
        int r;

        r = collect_json(match_labels, exprs, &reqs, &n, &bytes, err);
        if (r < 0)
                return r;

        s = kl_new0(struct kl_api_label_selector);
        s->text = kl_malloc(bytes + 1);
        for (size_t i = 0; i < n; i++) {
                const struct json_req *j = &reqs[i];
                const char *key = place(s->text, &pos, j->key);
                enum kl_api_label_op op;
                const char **vals = NULL;
                size_t n_vals = 0;
                struct kl_api_label_req req;

                if (!j->op) {
                        op = KL_API_LABEL_OP_EQUALS;
                        vals = kl_malloc(sizeof(*vals));
                        vals[n_vals++] = place(s->text, &pos, j->value);
                } else {
                        if (kl_streq(j->op, "In")) {
                                op = KL_API_LABEL_OP_IN;
                        } else if (kl_streq(j->op, "NotIn")) {
                                op = KL_API_LABEL_OP_NOT_IN;
                        } else if (kl_streq(j->op, "Exists")) {
                                op = KL_API_LABEL_OP_EXISTS;
                        } else if (kl_streq(j->op, "DoesNotExist")) {
                                op = KL_API_LABEL_OP_DOES_NOT_EXIST;
                        } else {
                                kl_autofree char *q = quote(j->op);

                                return kl_err_set(err, -EINVAL,
                                                  "%s is not a valid label selector operator", q);
                        }
                        if (j->values && json_array_size(j->values) > 0) {
                                vals = kl_malloc(json_array_size(j->values) * sizeof(*vals));
                                for (size_t k = 0; k < json_array_size(j->values); k++) {
                                        const json_t *x = json_array_get(j->values, k);
                                        const char *v =
                                                json_is_string(x) ? json_string_value(x) : "";

                                        vals[n_vals++] = place(s->text, &pos, v);
                                }
                        }
                }
                /* Upstream copies values with append([]string(nil), ...): nil when there are none.
                 */
                r = new_requirement(key, op, vals, n_vals, n_vals == 0, true, &req, &msg);
                if (r < 0)
                        return kl_err_set(err, r, "%s", msg.buf);
                push_req(s, &alloc, &req);
        }
        sort_reqs(s->reqs, s->n_reqs);
        *ret = KL_TAKE_PTR(s);
        return 0;
}

/* The member `name` of `obj`: an object or array as `want` says, NULL if absent or null. */
static int get_opt_member(const json_t *obj, const char *name, bool want_object, const json_t **ret,
                          struct kl_err **err)
{
        const json_t *v = json_object_get(obj, name);

        *ret = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (want_object ? !json_is_object(v) : !json_is_array(v))
                return kl_err_set(err, -EINVAL, "'.%s': expected %s, got %s", name,
                                  want_object ? "object" : "array", kl_json_type_name(v));
        *ret = v;
        return 0;
}

int kl_api_label_selector_from_json(const json_t *ls, struct kl_api_label_selector **ret,
                                    struct kl_err **err)
{
        const json_t *labels = NULL, *exprs = NULL;
        struct kl_api_label_selector *s;
        int r;

        if (!ls || json_is_null(ls)) {
                s = kl_new0(struct kl_api_label_selector);
                s->nothing = true;
                *ret = s;
                return 0;
        }
        if (!json_is_object(ls))
                return kl_err_set(err, -EINVAL, "label selector: expected object, got %s",
                                  kl_json_type_name(ls));
        r = get_opt_member(ls, "matchLabels", true, &labels, err);
        if (r < 0)
                return r;
        r = get_opt_member(ls, "matchExpressions", false, &exprs, err);
        if (r < 0)
                return r;
        return from_json_reqs(labels, exprs, ret, err);
}

int kl_api_label_selector_from_set(const json_t *set, struct kl_api_label_selector **ret,
                                   struct kl_err **err)
{
        if (set && !json_is_null(set) && !json_is_object(set))
                return kl_err_set(err, -EINVAL, "label set: expected object, got %s",
                                  kl_json_type_name(set));
        return from_json_reqs(json_is_object(set) ? set : NULL, NULL, ret, err);
}

/*
 * ---------------------------------------------------------------------------
 * Matching, formatting, introspection
 */

/*
 * A label's value, or NULL when absent. Go decodes a null map value as "",
 * present; any other non-string could not have been decoded into labels at
 * all, and counts as absent.
 */
static const char *label_get(const json_t *labels, const char *key)
{
        const json_t *v;

        if (!labels)
                return NULL;
        v = json_object_get(labels, key);
        if (json_is_null(v))
                return empty_value;
        return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool has_value(const struct kl_api_label_req *r, const char *v)
{
        return bsearch(v, r->values, r->n_values, sizeof(*r->values), cmp_key) != NULL;
}

static bool req_matches(const struct kl_api_label_req *r, const json_t *labels)
{
        const char *v = label_get(labels, r->key);
        int64_t n;

        switch (r->op) {
        case KL_API_LABEL_OP_IN:
        case KL_API_LABEL_OP_EQUALS:
        case KL_API_LABEL_OP_DOUBLE_EQUALS:
                return v && has_value(r, v);
        case KL_API_LABEL_OP_NOT_IN:
        case KL_API_LABEL_OP_NOT_EQUALS:
                return !v || !has_value(r, v);
        case KL_API_LABEL_OP_EXISTS:
                return v != NULL;
        case KL_API_LABEL_OP_DOES_NOT_EXIST:
                return v == NULL;
        case KL_API_LABEL_OP_GT:
        case KL_API_LABEL_OP_LT:
                /* A label that is not an integer matches neither, as upstream. */
                if (!v || kl_parse_int64(v, &n) < 0)
                        return false;
                return r->op == KL_API_LABEL_OP_GT ? n > r->number : n < r->number;
        default:
                return false;
        }
}

bool kl_api_label_selector_matches(const struct kl_api_label_selector *s, const json_t *labels)
{
        if (!s)
                return true;
        if (s->nothing)
                return false;
        if (!json_is_object(labels))
                labels = NULL;
        for (size_t i = 0; i < s->n_reqs; i++)
                if (!req_matches(&s->reqs[i], labels))
                        return false;
        return true;
}

bool kl_api_label_selector_is_empty(const struct kl_api_label_selector *s)
{
        return !s || (!s->nothing && s->n_reqs == 0);
}

bool kl_api_label_selector_is_nothing(const struct kl_api_label_selector *s)
{
        return s && s->nothing;
}

const struct kl_api_label_req *kl_api_label_selector_reqs(const struct kl_api_label_selector *s,
                                                          size_t *ret_n)
{
        *ret_n = s ? s->n_reqs : 0;
        return s ? s->reqs : NULL;
}

bool kl_api_label_selector_requires_exact(const struct kl_api_label_selector *s, const char *key,
                                          const char **ret_value)
{
        for (size_t i = 0; s && i < s->n_reqs; i++) {
                const struct kl_api_label_req *r = &s->reqs[i];

                if (!kl_streq(r->key, key))
                        continue;
                if ((r->op == KL_API_LABEL_OP_EQUALS || r->op == KL_API_LABEL_OP_DOUBLE_EQUALS ||
                     r->op == KL_API_LABEL_OP_IN) &&
                    r->n_values == 1) {
                        *ret_value = r->values[0];
                        return true;
                }
                return false;
        }
        return false;
}

static void format_req(const struct kl_api_label_req *r, struct kl_buf *b)
{
        static const char *const ops[KL_API_LABEL_OP__COUNT] = {
                [KL_API_LABEL_OP_IN] = " in (",
                [KL_API_LABEL_OP_NOT_IN] = " notin (",
                [KL_API_LABEL_OP_EQUALS] = "=",
                [KL_API_LABEL_OP_DOUBLE_EQUALS] = "==",
                [KL_API_LABEL_OP_NOT_EQUALS] = "!=",
                [KL_API_LABEL_OP_EXISTS] = "",
                [KL_API_LABEL_OP_DOES_NOT_EXIST] = "",
                [KL_API_LABEL_OP_GT] = ">",
                [KL_API_LABEL_OP_LT] = "<",
        };
        bool set = r->op == KL_API_LABEL_OP_IN || r->op == KL_API_LABEL_OP_NOT_IN;

        if (r->op == KL_API_LABEL_OP_DOES_NOT_EXIST)
                (void)kl_buf_putc(b, '!');
        (void)kl_buf_puts(b, r->key);
        if (r->op == KL_API_LABEL_OP_EXISTS || r->op == KL_API_LABEL_OP_DOES_NOT_EXIST)
                return;
        (void)kl_buf_puts(b, ops[r->op]);
        for (size_t i = 0; i < r->n_values; i++) {
                if (i > 0)
                        (void)kl_buf_putc(b, ',');
                (void)kl_buf_puts(b, r->values[i]);
        }
        if (set)
                (void)kl_buf_putc(b, ')');
}

int kl_api_label_selector_format(const struct kl_api_label_selector *s, struct kl_buf *out)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        for (size_t i = 0; s && !s->nothing && i < s->n_reqs; i++) {
                if (i > 0)
                        (void)kl_buf_putc(&b, ',');
                format_req(&s->reqs[i], &b);
        }
        return kl_buf_append(out, b.buf, b.len);
}
