/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YAML -> JSON on libyaml's event API.
 *
 * Why events and not yaml_parser_load(): the document API builds libyaml's own
 * node graph first and would need a second, recursive walk; the event stream
 * lets one loop with an explicit stack of open collections build the jansson
 * values directly, so the converter never recurses and the nesting limit is a
 * plain comparison.
 *
 * Aliases are where YAML turns small input into large output. An alias is
 * first added as another reference to the anchored value (json_incref, O(1)),
 * after checking the node and depth budgets against the size and height
 * recorded for the anchor; only a document that is within every limit is then
 * deep-copied once, so the caller gets a tree in which no value is shared
 * (code downstream mutates these trees, and a shared subtree would change in
 * two places at once). A "billion laughs" document therefore fails on
 * arithmetic, before anything proportional to its expansion is allocated.
 *
 * Scalar resolution is the YAML 1.2 core schema with the Kubernetes
 * adjustments described in README.md; the decisions that are not obvious are
 * noted where they are made:
 *  - a decimal integer outside int64 becomes a float, as sigs.k8s.io/yaml
 *    makes it (go-yaml's float fallback), so the same manifest gives the same
 *    JSON number and typed fields reject it at validation as Kubernetes does;
 *    a hex or octal integer outside int64 stays a string (go-yaml does the
 *    same beyond uint64; nobody writes such masks or modes);
 *  - .inf, .nan and floats that overflow are errors: JSON cannot hold them,
 *    and kubectl fails on them too ("json: unsupported value: +Inf");
 *  - numbers are converted by jansson's own number parser (strtod is kept to
 *    pkg/base/parse.c by the style rules, and jansson's copes with the
 *    locale's decimal point), so a float read from YAML is bit-for-bit the
 *    double the same text gives in a JSON manifest.
 */
#include "yaml/yaml.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <yaml.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/macro.h"

#define TAG_PREFIX "tag:yaml.org,2002:"
#define NO_ANCHOR  SIZE_MAX
/* User text quoted in messages is cut here: messages end up in logs and Status objects. */
#define MSG_QUOTE_MAX 64

static void parser_delete(yaml_parser_t *p)
{
        yaml_parser_delete(p);
}
KL_DEFINE_CLEANUP_FUNC(yaml_parser_t, parser_delete);

static void event_delete(yaml_event_t *e)
{
        yaml_event_delete(e);
}
KL_DEFINE_CLEANUP_FUNC(yaml_event_t, event_delete);

enum frame_kind {
        FRAME_SEQUENCE,
        FRAME_MAPPING,
};

/* An open collection. */
struct frame {
        enum frame_kind kind;
        json_t *value;       /* owned: the array or object being filled */
        json_t *merges;      /* owned: mappings named by `<<`, in order; NULL until the first */
        size_t anchor;       /* index in conv.anchors, or NO_ANCHOR */
        size_t first_node;   /* conv.nodes before this collection: its size when it ends */
        size_t child_height; /* greatest height among the children so far */
        /* Mappings only: the key whose value comes next. */
        bool has_key;
        bool key_is_merge;
        char *key; /* owned; may hold NULs, hence key_len */
        size_t key_len;
        yaml_mark_t key_mark;
};

/* An anchored node of the current document. */
struct anchor {
        json_t *value; /* ref; NULL while the anchored collection is still open */
        char *key;     /* owned: what a scalar gives as a mapping key; NULL for collections */
        size_t key_len;
        size_t nodes;  /* nodes in the subtree, aliases inside it expanded */
        size_t height; /* 0 for a scalar, 1 + the tallest child for a collection */
};

struct conv {
        const char *name; /* borrowed: prefix of messages, or NULL */
        const char *data; /* borrowed: the input, to place reader errors */
        size_t len;
        size_t max_depth;
        size_t max_nodes;
        size_t max_docs; /* 0: any number */

        size_t nodes;           /* produced so far in the stream, aliases expanded */
        struct frame *stack;    /* owned: open collections, innermost last */
        size_t depth;           /* frames in use */
        size_t stack_alloc;     /* frames allocated */
        struct anchor *anchors; /* owned: the current document's anchors */
        size_t n_anchors;
        size_t anchors_alloc;
        /*
         * owned: anchor name -> integer index in `anchors`. jansson's hash table
         * is the one we already link; a linear search would make a document of
         * many anchors and aliases quadratic.
         */
        json_t *anchor_index;
        json_t *root;       /* owned: the current document's root, once complete */
        bool doc_has_alias; /* the root may share subtrees and must be copied */
        yaml_mark_t doc_mark;
        json_t *docs; /* owned: the result */
};

/* ---- messages ---- */

/*
 * User text fit for a message: at most MSG_QUOTE_MAX bytes, cut on a UTF-8
 * character boundary (the message may become a JSON string), control bytes
 * replaced so a key cannot forge log lines.
 */
static char *msg_quote(const char *s, size_t len)
{
        struct kl_buf b = KL_BUF_INIT;
        size_t n = len;

        if (n > MSG_QUOTE_MAX) {
                n = MSG_QUOTE_MAX;
                while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
                        n--;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)s[i];

                (void)kl_buf_putc(&b, ch < 0x20 || ch == 0x7f ? '?' : (char)ch);
        }
        if (n < len)
                (void)kl_buf_puts(&b, "...");
        return kl_buf_detach(&b, NULL);
}

/* "!!int" for the core tags, the tag itself otherwise. */
static char *tag_display(const char *tag)
{
        size_t plen = strlen(TAG_PREFIX);
        kl_autofree char *q = NULL;

        if (strncmp(tag, TAG_PREFIX, plen) == 0) {
                q = msg_quote(tag + plen, strlen(tag + plen));
                return kl_asprintf("!!%s", q);
        }
        return msg_quote(tag, strlen(tag));
}

static int conv_error(const struct conv *c, struct kl_err **err, int code, const yaml_mark_t *mark,
                      const char *fmt, ...) KL_PRINTF(5, 6);

/* "<name>: line L, column C: <what>", positions counted from 1. */
static int conv_error(const struct conv *c, struct kl_err **err, int code, const yaml_mark_t *mark,
                      const char *fmt, ...)
{
        kl_autofree char *what = NULL;
        va_list ap;

        va_start(ap, fmt);
        what = kl_vasprintf(fmt, ap);
        va_end(ap);
        return kl_err_set(err, code, "%s%sline %zu, column %zu: %s", c->name ? c->name : "",
                          c->name ? ": " : "", mark->line + 1, mark->column + 1, what);
}

static int parser_error(const struct conv *c, const yaml_parser_t *p, struct kl_err **err)
{
        const char *problem = p->problem ? p->problem : "unknown error";
        yaml_mark_t mark = { 0 };

        switch (p->error) {
        case YAML_MEMORY_ERROR:
                return kl_err_set(err, -ENOMEM, "%s%sparse YAML", c->name ? c->name : "",
                                  c->name ? ": " : "");
        case YAML_READER_ERROR:
                /*
                 * The reader reports a byte offset, not a mark: count lines
                 * ourselves so every message has the same shape.
                 */
                mark.index = KL_MIN(p->problem_offset, c->len);
                for (size_t i = 0; i < mark.index; i++) {
                        if (c->data[i] == '\n') {
                                mark.line++;
                                mark.column = 0;
                        } else {
                                mark.column++;
                        }
                }
                if (p->problem_value >= 0)
                        return conv_error(c, err, -EINVAL, &mark, "%s (#x%X)", problem,
                                          (unsigned)p->problem_value);
                return conv_error(c, err, -EINVAL, &mark, "%s", problem);
        case YAML_SCANNER_ERROR:
        case YAML_PARSER_ERROR:
                if (p->context)
                        return conv_error(c, err, -EINVAL, &p->problem_mark,
                                          "%s (%s at line %zu, column %zu)", problem, p->context,
                                          p->context_mark.line + 1, p->context_mark.column + 1);
                return conv_error(c, err, -EINVAL, &p->problem_mark, "%s", problem);
        default:
                return conv_error(c, err, -EINVAL, &p->problem_mark, "%s", problem);
        }
}

/* ---- scalars ---- */

enum tag {
        TAG_NONE,        /* no tag: resolve plain scalars by their text */
        TAG_NONSPECIFIC, /* "!": a string, whatever it looks like */
        TAG_STR,
        TAG_INT,
        TAG_FLOAT,
        TAG_BOOL,
        TAG_NULL,
        TAG_MERGE,
        TAG_MAP,
        TAG_SEQ,
        TAG_OTHER, /* ignored, as kubectl ignores it */
};

static enum tag tag_parse(const char *tag)
{
        static const struct {
                const char *name;
                enum tag tag;
        } core[] = {
                { "str", TAG_STR },
                { "int", TAG_INT },
                { "float", TAG_FLOAT },
                { "bool", TAG_BOOL },
                { "null", TAG_NULL },
                /* JSON has no bytes or times: both keep their text, as Secret.data expects. */
                { "binary", TAG_STR },
                { "timestamp", TAG_STR },
                { "merge", TAG_MERGE },
                { "map", TAG_MAP },
                { "seq", TAG_SEQ },
        };
        size_t plen = strlen(TAG_PREFIX);

        if (!tag)
                return TAG_NONE;
        if (strcmp(tag, "!") == 0)
                return TAG_NONSPECIFIC;
        if (strncmp(tag, TAG_PREFIX, plen) != 0)
                return TAG_OTHER;
        for (size_t i = 0; i < KL_ARRAY_SIZE(core); i++)
                if (strcmp(tag + plen, core[i].name) == 0)
                        return core[i].tag;
        return TAG_OTHER;
}

enum scalar_kind {
        SCALAR_STR,
        SCALAR_NULL,
        SCALAR_BOOL,
        SCALAR_INT,
        SCALAR_INT_RANGE, /* integer syntax, outside int64 */
        SCALAR_FLOAT,
        SCALAR_INF,
        SCALAR_NAN,
};

struct scalar {
        const char *text; /* borrowed from the event */
        size_t len;
        enum scalar_kind kind;
        bool boolean;
        bool as_float; /* !!float on an integer */
        int64_t integer;
        unsigned base; /* of SCALAR_INT and SCALAR_INT_RANGE */
};

static bool text_is(const char *s, size_t len, const char *word)
{
        return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool text_is_any(const char *s, size_t len, const char *const *words, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (text_is(s, len, words[i]))
                        return true;
        return false;
}

static bool is_digit(char ch)
{
        return ch >= '0' && ch <= '9';
}

static int digit_value(char ch)
{
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

/*
 * [-+]? then decimal, 0x hex, 0o octal, or a leading-zero octal ("0644":
 * Kubernetes documents file modes written that way). A sign is accepted on
 * every form, as Go's ParseInt(s, 0, 64) behind sigs.k8s.io/yaml accepts it.
 * 0: an int64 in *ret_value; -ERANGE: integer syntax, out of range;
 * -EINVAL: not an integer ("08" is not octal, so it stays a string).
 */
static int parse_integer(const char *s, size_t len, int64_t *ret_value, unsigned *ret_base)
{
        size_t i = 0;
        bool negative = false;
        bool overflow = false;
        unsigned base = 10;
        uint64_t limit, v = 0;

        if (i < len && (s[i] == '+' || s[i] == '-')) {
                negative = s[i] == '-';
                i++;
        }
        if (len - i >= 2 && s[i] == '0' && s[i + 1] == 'x') {
                base = 16;
                i += 2;
        } else if (len - i >= 2 && s[i] == '0' && s[i + 1] == 'o') {
                base = 8;
                i += 2;
        } else if (len - i >= 2 && s[i] == '0') {
                base = 8;
                i += 1;
        }
        if (i == len)
                return -EINVAL;
        limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (; i < len; i++) {
                int d = digit_value(s[i]);

                if (d < 0 || (unsigned)d >= base)
                        return -EINVAL;
                if (overflow || v > (limit - (unsigned)d) / base)
                        overflow = true;
                else
                        v = v * base + (unsigned)d;
        }
        *ret_base = base;
        if (overflow)
                return -ERANGE;
        if (negative)
                *ret_value = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
        else
                *ret_value = (int64_t)v;
        return 0;
}

/*
 * The core schema's float, [-+]? (\.[0-9]+ | [0-9]+(\.[0-9]*)?) ([eE][-+]?[0-9]+)?,
 * with a dot or an exponent: without either it was an integer, or "08".
 */
static bool is_float(const char *s, size_t len)
{
        size_t i = 0, int_digits = 0, frac_digits = 0, exp_digits = 0;
        bool dot = false, exponent = false;

        if (i < len && (s[i] == '+' || s[i] == '-'))
                i++;
        for (; i < len && is_digit(s[i]); i++)
                int_digits++;
        if (i < len && s[i] == '.') {
                dot = true;
                for (i++; i < len && is_digit(s[i]); i++)
                        frac_digits++;
        }
        if (int_digits == 0 && frac_digits == 0)
                return false;
        if (i < len && (s[i] == 'e' || s[i] == 'E')) {
                exponent = true;
                i++;
                if (i < len && (s[i] == '+' || s[i] == '-'))
                        i++;
                for (; i < len && is_digit(s[i]); i++)
                        exp_digits++;
                if (exp_digits == 0)
                        return false;
        }
        return i == len && (dot || exponent);
}

/* Resolve an untagged plain scalar by its text. */
static void scalar_classify(struct scalar *sc)
{
        static const char *const nulls[] = { "~", "null", "Null", "NULL" };
        static const char *const trues[] = { "true", "True", "TRUE" };
        static const char *const falses[] = { "false", "False", "FALSE" };
        static const char *const infs[] = { ".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                            "+.INF", "-.inf", "-.Inf", "-.INF" };
        static const char *const nans[] = { ".nan", ".NaN", ".NAN" };
        int r;

        sc->kind = SCALAR_STR;
        if (sc->len == 0 || text_is_any(sc->text, sc->len, nulls, KL_ARRAY_SIZE(nulls))) {
                sc->kind = SCALAR_NULL;
        } else if (text_is_any(sc->text, sc->len, trues, KL_ARRAY_SIZE(trues))) {
                sc->kind = SCALAR_BOOL;
                sc->boolean = true;
        } else if (text_is_any(sc->text, sc->len, falses, KL_ARRAY_SIZE(falses))) {
                sc->kind = SCALAR_BOOL;
                sc->boolean = false;
        } else if (text_is_any(sc->text, sc->len, infs, KL_ARRAY_SIZE(infs))) {
                sc->kind = SCALAR_INF;
        } else if (text_is_any(sc->text, sc->len, nans, KL_ARRAY_SIZE(nans))) {
                sc->kind = SCALAR_NAN;
        } else {
                r = parse_integer(sc->text, sc->len, &sc->integer, &sc->base);
                if (r == 0)
                        sc->kind = SCALAR_INT;
                else if (r == -ERANGE)
                        sc->kind = SCALAR_INT_RANGE;
                else if (is_float(sc->text, sc->len))
                        sc->kind = SCALAR_FLOAT;
        }
}

/* Apply the tag (or the lack of one) to a scalar event. */
static int scalar_resolve(const struct conv *c, const yaml_event_t *ev, struct scalar *ret,
                          struct kl_err **err)
{
        const char *tag = (const char *)ev->data.scalar.tag;
        bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        struct scalar sc = {
                .text = (const char *)ev->data.scalar.value,
                .len = ev->data.scalar.length,
                .kind = SCALAR_STR,
        };
        kl_autofree char *shown = NULL;
        kl_autofree char *quoted = NULL;
        bool ok = true;

        switch (tag_parse(tag)) {
        case TAG_NONE:
        case TAG_OTHER:
                /* Any quoted or block scalar is a string; only plain text is resolved. */
                if (plain)
                        scalar_classify(&sc);
                break;
        case TAG_NONSPECIFIC:
        case TAG_STR:
        case TAG_MERGE:
                break;
        case TAG_NULL:
                scalar_classify(&sc);
                ok = sc.kind == SCALAR_NULL;
                break;
        case TAG_BOOL:
                scalar_classify(&sc);
                ok = sc.kind == SCALAR_BOOL;
                break;
        case TAG_INT:
                scalar_classify(&sc);
                if (sc.kind == SCALAR_INT_RANGE) {
                        quoted = msg_quote(sc.text, sc.len);
                        return conv_error(c, err, -EINVAL, &ev->start_mark,
                                          "integer '%s' is out of range for !!int", quoted);
                }
                ok = sc.kind == SCALAR_INT;
                break;
        case TAG_FLOAT:
                scalar_classify(&sc);
                if (sc.kind == SCALAR_INT)
                        sc.as_float = true;
                else if (sc.kind == SCALAR_INT_RANGE && sc.base == 10)
                        sc.kind = SCALAR_FLOAT;
                ok = sc.kind == SCALAR_INT || sc.kind == SCALAR_FLOAT || sc.kind == SCALAR_INF ||
                     sc.kind == SCALAR_NAN;
                break;
        case TAG_MAP:
        case TAG_SEQ:
                shown = tag_display(tag);
                return conv_error(c, err, -EINVAL, &ev->start_mark,
                                  "tag '%s' cannot be applied to a scalar", shown);
        }
        if (!ok) {
                shown = tag_display(tag);
                quoted = msg_quote(sc.text, sc.len);
                return conv_error(c, err, -EINVAL, &ev->start_mark, "cannot decode '%s' as %s",
                                  quoted, shown);
        }
        *ret = sc;
        return 0;
}

/*
 * A float's text rewritten in JSON's number grammar ("-.5" -> "-0.5",
 * "1." -> "1.0", "007.5" -> "7.5", "1e3" -> "1.0e3") and read by jansson.
 * The fraction is always present so that jansson makes a real, not an integer.
 */
static int real_from_text(const char *s, size_t len, json_t **ret)
{
        kl_autofree char *buf = kl_malloc(len + 4);
        size_t n = 0, i = 0, start;
        json_error_t jerr;
        json_t *v;

        if (i < len && (s[i] == '+' || s[i] == '-')) {
                if (s[i] == '-')
                        buf[n++] = '-';
                i++;
        }
        for (start = i; i < len && is_digit(s[i]); i++)
                ;
        while (start + 1 < i && s[start] == '0')
                start++;
        if (start == i)
                buf[n++] = '0';
        memcpy(buf + n, s + start, i - start);
        n += i - start;
        buf[n++] = '.';
        if (i < len && s[i] == '.')
                i++;
        for (start = i; i < len && is_digit(s[i]); i++)
                ;
        if (start == i)
                buf[n++] = '0';
        memcpy(buf + n, s + start, i - start);
        n += i - start;
        memcpy(buf + n, s + i, len - i);
        n += len - i;

        v = json_loadb(buf, n, JSON_DECODE_ANY, &jerr);
        if (!v)
                return json_error_code(&jerr) == json_error_numeric_overflow ? -ERANGE : -EINVAL;
        if (!json_is_real(v)) {
                json_decref(v);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static json_t *json_or_oom(json_t *v)
{
        if (!v)
                kl_oom();
        return v;
}

static int scalar_to_real(const struct conv *c, const struct scalar *sc, const yaml_mark_t *mark,
                          json_t **ret, struct kl_err **err)
{
        kl_autofree char *quoted = NULL;
        int r;

        r = real_from_text(sc->text, sc->len, ret);
        if (r == -ERANGE) {
                quoted = msg_quote(sc->text, sc->len);
                return conv_error(c, err, -EINVAL, mark,
                                  "number '%s' is out of range; infinity is not representable "
                                  "in JSON",
                                  quoted);
        }
        if (r < 0) {
                quoted = msg_quote(sc->text, sc->len);
                return conv_error(c, err, -EINVAL, mark, "cannot convert '%s' to a JSON number",
                                  quoted);
        }
        return 0;
}

static int scalar_to_json(const struct conv *c, const struct scalar *sc, const yaml_mark_t *mark,
                          json_t **ret, struct kl_err **err)
{
        kl_autofree char *quoted = NULL;
        json_t *v = NULL;

        switch (sc->kind) {
        case SCALAR_NULL:
                v = json_null();
                break;
        case SCALAR_BOOL:
                v = json_boolean(sc->boolean);
                break;
        case SCALAR_INT:
                v = json_or_oom(sc->as_float ? json_real((double)sc->integer)
                                             : json_integer(sc->integer));
                break;
        case SCALAR_INT_RANGE:
                /* A decimal beyond int64 is a float, as sigs.k8s.io/yaml has it. */
                if (sc->base != 10) {
                        v = json_stringn(sc->text, sc->len);
                        break;
                }
                return scalar_to_real(c, sc, mark, ret, err);
        case SCALAR_FLOAT:
                return scalar_to_real(c, sc, mark, ret, err);
        case SCALAR_INF:
        case SCALAR_NAN:
                quoted = msg_quote(sc->text, sc->len);
                return conv_error(c, err, -EINVAL, mark, "float '%s' is not representable in JSON",
                                  quoted);
        case SCALAR_STR:
                v = json_stringn(sc->text, sc->len);
                break;
        }
        if (!v) {
                /* libyaml validates its input, so only a libyaml bug gets here. */
                return conv_error(c, err, -EINVAL, mark, "string is not valid UTF-8");
        }
        *ret = v;
        return 0;
}

/*
 * Mapping keys are strings in JSON. Like sigs.k8s.io/yaml, a key that resolves
 * to null, a boolean or an integer is written in canonical form ("~" -> "null",
 * "True" -> "true", "0x1F" -> "31"); unlike it, a float key keeps its text,
 * since reproducing Go's shortest float formatting buys nothing for keys.
 */
static char *scalar_key(const struct scalar *sc, size_t *ret_len)
{
        char *k;

        switch (sc->kind) {
        case SCALAR_NULL:
                k = kl_strdup("null");
                break;
        case SCALAR_BOOL:
                k = kl_strdup(sc->boolean ? "true" : "false");
                break;
        case SCALAR_INT:
                k = kl_asprintf("%" PRId64, sc->integer);
                break;
        default:
                *ret_len = sc->len;
                return kl_memdup(sc->text, sc->len + 1);
        }
        *ret_len = strlen(k);
        return k;
}

/* ---- the converter ---- */

static void frame_release(struct frame *f)
{
        json_decref(f->value);
        json_decref(f->merges);
        free(f->key);
        *f = (struct frame){ .anchor = NO_ANCHOR };
}

static void anchors_clear(struct conv *c)
{
        for (size_t i = 0; i < c->n_anchors; i++) {
                json_decref(c->anchors[i].value);
                free(c->anchors[i].key);
        }
        c->n_anchors = 0;
        json_object_clear(c->anchor_index);
}

static void conv_release(struct conv *c)
{
        for (size_t i = 0; i < c->depth; i++)
                frame_release(&c->stack[i]);
        free(c->stack);
        anchors_clear(c);
        free(c->anchors);
        json_decref(c->anchor_index);
        json_decref(c->root);
        json_decref(c->docs);
        *c = (struct conv){ 0 };
}

static struct frame *conv_top(struct conv *c)
{
        return c->depth > 0 ? &c->stack[c->depth - 1] : NULL;
}

/* The next node is a mapping key. */
static bool conv_wants_key(struct conv *c)
{
        struct frame *f = conv_top(c);

        return f && f->kind == FRAME_MAPPING && !f->has_key;
}

static int conv_count(struct conv *c, size_t n, const yaml_mark_t *mark, struct kl_err **err)
{
        if (n > c->max_nodes - c->nodes)
                return conv_error(c, err, -E2BIG, mark, "more than %zu nodes with aliases expanded",
                                  c->max_nodes);
        c->nodes += n;
        return 0;
}

/* Record an anchor; `value` is borrowed (NULL for a collection still open). Returns its index. */
static size_t conv_anchor_define(struct conv *c, const char *name, json_t *value, const char *key,
                                 size_t key_len)
{
        struct anchor *a;

        if (c->n_anchors == c->anchors_alloc) {
                c->anchors_alloc = c->anchors_alloc ? c->anchors_alloc * 2 : 8;
                c->anchors = kl_realloc(c->anchors, c->anchors_alloc * sizeof(*c->anchors));
        }
        a = &c->anchors[c->n_anchors];
        *a = (struct anchor){
                .value = json_incref(value),
                .key = key ? kl_memdup(key, key_len + 1) : NULL,
                .key_len = key_len,
                .nodes = 1,
        };
        /* A later anchor of the same name hides the earlier one, as YAML says. */
        if (json_object_set_new(c->anchor_index, name,
                                json_or_oom(json_integer((json_int_t)c->n_anchors))) < 0)
                kl_oom();
        return c->n_anchors++;
}

/* Add a `<<` value: a mapping or a sequence of mappings, merged when the mapping ends. */
static int frame_add_merge(const struct conv *c, struct frame *f, json_t *value, size_t height,
                           struct kl_err **err)
{
        json_auto_t *v = value;
        size_t i, child_height;
        json_t *m;

        if (json_is_object(v)) {
                child_height = height > 0 ? height - 1 : 0;
        } else if (json_is_array(v)) {
                json_array_foreach(v, i, m) {
                        if (!json_is_object(m))
                                return conv_error(c, err, -EINVAL, &f->key_mark,
                                                  "the merge key '<<' needs a mapping or a "
                                                  "sequence of mappings");
                }
                child_height = height > 1 ? height - 2 : 0;
        } else {
                return conv_error(c, err, -EINVAL, &f->key_mark,
                                  "the merge key '<<' needs a mapping or a sequence of mappings");
        }
        if (!f->merges)
                f->merges = json_or_oom(json_array());
        if (json_is_object(v) ? json_array_append(f->merges, v) : json_array_extend(f->merges, v))
                kl_oom();
        f->child_height = KL_MAX(f->child_height, child_height);
        return 0;
}

/*
 * Explicit keys win over merged ones wherever they appear, and among merged
 * mappings the earlier wins: the merge-key spec, which go-yaml v3 follows
 * (v2 let a later `<<` override explicit keys written before it).
 */
static void frame_apply_merges(struct frame *f)
{
        size_t i, key_len;
        const char *key;
        json_t *m, *v;

        json_array_foreach(f->merges, i, m) {
                json_object_keylen_foreach(m, key, key_len, v) {
                        if (json_object_getn(f->value, key, key_len))
                                continue;
                        if (json_object_setn(f->value, key, key_len, v) < 0)
                                kl_oom();
                }
        }
}

/* Hand a finished node (`value` is stolen) to the open collection, or make it the root. */
static int conv_add(struct conv *c, json_t *value, size_t height, struct kl_err **err)
{
        json_auto_t *v = value;
        kl_autofree char *key = NULL;
        kl_autofree char *quoted = NULL;
        struct frame *f = conv_top(c);
        size_t key_len;

        if (!f) {
                json_decref(c->root);
                c->root = KL_TAKE_PTR(v);
                return 0;
        }
        if (f->kind == FRAME_SEQUENCE) {
                f->child_height = KL_MAX(f->child_height, height);
                if (json_array_append_new(f->value, KL_TAKE_PTR(v)) < 0)
                        kl_oom();
                return 0;
        }
        kl_assert(f->has_key);
        f->has_key = false;
        key = KL_TAKE_PTR(f->key);
        key_len = f->key_len;
        if (f->key_is_merge)
                return frame_add_merge(c, f, KL_TAKE_PTR(v), height, err);
        if (json_object_getn(f->value, key, key_len)) {
                quoted = msg_quote(key, key_len);
                return conv_error(c, err, -EINVAL, &f->key_mark, "duplicate key '%s'", quoted);
        }
        f->child_height = KL_MAX(f->child_height, height);
        if (json_object_setn_new(f->value, key, key_len, KL_TAKE_PTR(v)) < 0)
                return conv_error(c, err, -EINVAL, &f->key_mark, "key is not valid UTF-8");
        return 0;
}

static void frame_set_key(struct frame *f, char *key, size_t key_len, bool is_merge,
                          const yaml_mark_t *mark)
{
        f->key = key;
        f->key_len = key_len;
        f->has_key = true;
        f->key_is_merge = is_merge;
        f->key_mark = *mark;
}

/* `<<` is the merge key only when plain and untagged, or tagged !!merge. */
static bool is_merge_key(const yaml_event_t *ev)
{
        const char *tag = (const char *)ev->data.scalar.tag;

        if (!text_is((const char *)ev->data.scalar.value, ev->data.scalar.length, "<<"))
                return false;
        if (tag)
                return tag_parse(tag) == TAG_MERGE;
        return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int conv_scalar(struct conv *c, const yaml_event_t *ev, struct kl_err **err)
{
        const char *anchor = (const char *)ev->data.scalar.anchor;
        bool as_key = conv_wants_key(c);
        json_auto_t *value = NULL;
        kl_autofree char *key = NULL;
        size_t key_len = 0;
        struct scalar sc;
        int r;

        r = conv_count(c, 1, &ev->start_mark, err);
        if (r < 0)
                return r;
        r = scalar_resolve(c, ev, &sc, err);
        if (r < 0)
                return r;
        if (!as_key || anchor) {
                r = scalar_to_json(c, &sc, &ev->start_mark, &value, err);
                if (r < 0)
                        return r;
        }
        if (as_key || anchor)
                key = scalar_key(&sc, &key_len);
        if (anchor)
                (void)conv_anchor_define(c, anchor, value, key, key_len);
        if (as_key) {
                frame_set_key(conv_top(c), KL_TAKE_PTR(key), key_len, is_merge_key(ev),
                              &ev->start_mark);
                return 0;
        }
        return conv_add(c, KL_TAKE_PTR(value), 0, err);
}

static int conv_alias(struct conv *c, const yaml_event_t *ev, struct kl_err **err)
{
        const char *name = (const char *)ev->data.alias.anchor;
        json_t *index = json_object_get(c->anchor_index, name);
        kl_autofree char *quoted = NULL;
        const struct anchor *a;
        int r;

        if (!index) {
                quoted = msg_quote(name, strlen(name));
                return conv_error(c, err, -EINVAL, &ev->start_mark, "unknown anchor '%s'", quoted);
        }
        /* The index only ever holds positions of this document's anchors. */
        if (KL_NEVER((size_t)json_integer_value(index) >= c->n_anchors))
                return kl_err_set(err, -EIO, "anchor index out of step");
        a = &c->anchors[json_integer_value(index)];
        if (!a->value) {
                quoted = msg_quote(name, strlen(name));
                return conv_error(c, err, -EINVAL, &ev->start_mark,
                                  "alias '*%s' refers to a node that contains it; recursive "
                                  "structures have no JSON form",
                                  quoted);
        }
        if (a->height > c->max_depth - c->depth) {
                quoted = msg_quote(name, strlen(name));
                return conv_error(c, err, -E2BIG, &ev->start_mark,
                                  "alias '*%s' nests deeper than %zu levels", quoted, c->max_depth);
        }
        r = conv_count(c, a->nodes, &ev->start_mark, err);
        if (r < 0)
                return r;
        if (conv_wants_key(c)) {
                if (!a->key) {
                        quoted = msg_quote(name, strlen(name));
                        return conv_error(c, err, -EINVAL, &ev->start_mark,
                                          "mapping key must be a scalar, but alias '*%s' is a %s",
                                          quoted,
                                          json_is_object(a->value) ? "mapping" : "sequence");
                }
                frame_set_key(conv_top(c), kl_memdup(a->key, a->key_len + 1), a->key_len, false,
                              &ev->start_mark);
                return 0;
        }
        c->doc_has_alias = true;
        return conv_add(c, json_incref(a->value), a->height, err);
}

static int conv_start(struct conv *c, const yaml_event_t *ev, enum frame_kind kind,
                      struct kl_err **err)
{
        const char *what = kind == FRAME_MAPPING ? "mapping" : "sequence";
        const char *tag, *anchor;
        kl_autofree char *shown = NULL;
        struct frame *f;
        size_t first_node = c->nodes;
        enum tag t;
        int r;

        if (kind == FRAME_MAPPING) {
                tag = (const char *)ev->data.mapping_start.tag;
                anchor = (const char *)ev->data.mapping_start.anchor;
        } else {
                tag = (const char *)ev->data.sequence_start.tag;
                anchor = (const char *)ev->data.sequence_start.anchor;
        }
        if (conv_wants_key(c))
                return conv_error(c, err, -EINVAL, &ev->start_mark,
                                  "mapping key must be a scalar, not a %s", what);
        t = tag_parse(tag);
        if (t != TAG_NONE && t != TAG_NONSPECIFIC && t != TAG_OTHER &&
            t != (kind == FRAME_MAPPING ? TAG_MAP : TAG_SEQ)) {
                shown = tag_display(tag);
                return conv_error(c, err, -EINVAL, &ev->start_mark,
                                  "tag '%s' cannot be applied to a %s", shown, what);
        }
        if (c->depth >= c->max_depth)
                return conv_error(c, err, -E2BIG, &ev->start_mark, "nesting deeper than %zu levels",
                                  c->max_depth);
        r = conv_count(c, 1, &ev->start_mark, err);
        if (r < 0)
                return r;
        if (c->depth == c->stack_alloc) {
                c->stack_alloc = c->stack_alloc ? c->stack_alloc * 2 : 16;
                c->stack = kl_realloc(c->stack, c->stack_alloc * sizeof(*c->stack));
        }
        f = &c->stack[c->depth++];
        *f = (struct frame){
                .kind = kind,
                .value = json_or_oom(kind == FRAME_MAPPING ? json_object() : json_array()),
                .anchor = anchor ? conv_anchor_define(c, anchor, NULL, NULL, 0) : NO_ANCHOR,
                .first_node = first_node,
        };
        return 0;
}

static int conv_end(struct conv *c, struct kl_err **err)
{
        struct frame *f = conv_top(c);
        json_auto_t *value = NULL;
        size_t height, anchor;

        /* libyaml pairs every start with an end and every key with a value. */
        if (KL_NEVER(!f || f->has_key))
                return kl_err_set(err, -EIO, "libyaml: unbalanced events");
        if (f->merges)
                frame_apply_merges(f);
        value = KL_TAKE_PTR(f->value);
        height = f->child_height + 1;
        anchor = f->anchor;
        if (anchor != NO_ANCHOR) {
                c->anchors[anchor].value = json_incref(value);
                c->anchors[anchor].nodes = c->nodes - f->first_node;
                c->anchors[anchor].height = height;
        }
        frame_release(f);
        c->depth--;
        return conv_add(c, KL_TAKE_PTR(value), height, err);
}

static void conv_document_start(struct conv *c, const yaml_event_t *ev)
{
        anchors_clear(c);
        json_decref(c->root);
        c->root = NULL;
        c->doc_has_alias = false;
        c->doc_mark = ev->start_mark;
}

/*
 * A document whose root is null (nothing, only comments, or `null` itself)
 * is skipped: kubectl's StreamVisitor skips documents that decode to null.
 */
static int conv_document_end(struct conv *c, struct kl_err **err)
{
        json_auto_t *root = KL_TAKE_PTR(c->root);

        anchors_clear(c);
        if (!root || json_is_null(root))
                return 0;
        if (c->max_docs && json_array_size(c->docs) >= c->max_docs)
                return conv_error(c, err, -EINVAL, &c->doc_mark,
                                  "expected a single document, found another");
        if (c->doc_has_alias) {
                /* Bounded by max_nodes and max_depth, which every alias was checked against. */
                json_t *copy = json_or_oom(json_deep_copy(root));

                json_decref(root);
                root = copy;
        }
        if (json_array_append_new(c->docs, KL_TAKE_PTR(root)) < 0)
                kl_oom();
        return 0;
}

static int conv_event(struct conv *c, const yaml_event_t *ev, struct kl_err **err)
{
        switch (ev->type) {
        case YAML_DOCUMENT_START_EVENT:
                conv_document_start(c, ev);
                return 0;
        case YAML_DOCUMENT_END_EVENT:
                return conv_document_end(c, err);
        case YAML_SCALAR_EVENT:
                return conv_scalar(c, ev, err);
        case YAML_ALIAS_EVENT:
                return conv_alias(c, ev, err);
        case YAML_SEQUENCE_START_EVENT:
                return conv_start(c, ev, FRAME_SEQUENCE, err);
        case YAML_MAPPING_START_EVENT:
                return conv_start(c, ev, FRAME_MAPPING, err);
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return conv_end(c, err);
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_STREAM_END_EVENT:
                return 0;
        }
        return 0;
}

static int conv_run(struct conv *c, yaml_parser_t *parser, struct kl_err **err)
{
        for (;;) {
                yaml_event_t storage;
                kl_cleanup(event_deletep) yaml_event_t *ev = NULL;
                int r;

                if (!yaml_parser_parse(parser, &storage))
                        return parser_error(c, parser, err);
                ev = &storage;
                r = conv_event(c, ev, err);
                if (r < 0)
                        return r;
                if (ev->type == YAML_STREAM_END_EVENT)
                        return 0;
        }
}

static size_t limit_or(size_t v, size_t def)
{
        return v ? v : def;
}

static int decode(const char *data, size_t len, const char *name,
                  const struct kl_yaml_limits *limits, size_t max_docs, json_t **ret_docs,
                  struct kl_err **err)
{
        yaml_parser_t parser_storage;
        kl_cleanup(parser_deletep) yaml_parser_t *parser = NULL;
        kl_cleanup(conv_release) struct conv c = {
                .name = name,
                .data = data ? data : "",
                .len = len,
                .max_depth = limit_or(limits ? limits->max_depth : 0, KL_YAML_DEFAULT_MAX_DEPTH),
                .max_nodes = limit_or(limits ? limits->max_nodes : 0, KL_YAML_DEFAULT_MAX_NODES),
                .max_docs = max_docs,
        };
        size_t max_input = limit_or(limits ? limits->max_input : 0, KL_YAML_DEFAULT_MAX_INPUT);
        int r;

        kl_assert(data || len == 0);
        kl_assert(ret_docs);
        if (len > max_input)
                return kl_err_set(err, -E2BIG, "%s%sinput is %zu bytes, more than the limit of %zu",
                                  name ? name : "", name ? ": " : "", len, max_input);
        if (!yaml_parser_initialize(&parser_storage))
                return kl_err_set(err, -ENOMEM, "%s%sinitialise the YAML parser", name ? name : "",
                                  name ? ": " : "");
        parser = &parser_storage;
        yaml_parser_set_input_string(parser, (const unsigned char *)c.data, len);
        c.docs = json_or_oom(json_array());
        c.anchor_index = json_or_oom(json_object());

        r = conv_run(&c, parser, err);
        if (r < 0)
                return r;
        *ret_docs = KL_TAKE_PTR(c.docs);
        return 0;
}

int kl_yaml_decode_stream(const char *data, size_t len, const char *name,
                          const struct kl_yaml_limits *limits, json_t **ret_docs,
                          struct kl_err **err)
{
        return decode(data, len, name, limits, 0, ret_docs, err);
}

int kl_yaml_decode_one(const char *data, size_t len, const char *name,
                       const struct kl_yaml_limits *limits, json_t **ret_doc, struct kl_err **err)
{
        json_auto_t *docs = NULL;
        int r;

        kl_assert(ret_doc);
        r = decode(data, len, name, limits, 1, &docs, err);
        if (r < 0)
                return r;
        if (json_array_size(docs) == 0)
                *ret_doc = json_null();
        else
                *ret_doc = json_incref(json_array_get(docs, 0));
        return 0;
}

const char *kl_yaml_library_version(void)
{
        return yaml_get_version_string();
}
