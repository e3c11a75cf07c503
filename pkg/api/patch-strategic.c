/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strategic merge patch, as k8s.io/apimachinery/pkg/util/strategicpatch
 * applies it on the server (StrategicMergeMapPatch: parallel lists merged,
 * unmatched nulls ignored).
 *
 * The patch is merged into a private deep copy of the document. One object
 * is merged in three passes over the patch's keys, which makes the order of
 * the patch's members irrelevant (upstream walks a Go map, in random order):
 * first `$setElementOrder/F` (which also merges F), then every ordinary key,
 * then `$deleteFromPrimitiveList/F`, so a value both added and deleted ends up
 * deleted. `$patch` and `$retainKeys` act before all three.
 *
 * Merged lists are ordered the way upstream's normalizeElementOrder() and
 * mergeSortedSlice() order them. The patch's elements keep their order among
 * themselves (or $setElementOrder's), the document's other elements keep
 * theirs, and the two sequences are interleaved by taking a document element
 * first only when it stood before the patch element in the document. Upstream
 * finds positions by linear search inside a sort comparator; here every
 * element's key is computed once and looked up in a jansson object used as a
 * hash table, so a merge is O(n log n) in the list's length.
 *
 * Keys compare as Go's == compares the decoded interface{} values: a string
 * equals only the same string, an integer only the same integer (80 is not
 * 80.0). value_key() turns a value into a string with that equality.
 */
#include "api/patch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch-internal.h"
#include "base/base.h"
#include "json/json.h"

#define DIRECTIVE_MARKER       "$patch"
#define RETAIN_KEYS_DIRECTIVE  "$retainKeys"
#define SET_ORDER_PREFIX       "$setElementOrder"
#define DELETE_FROM_PRIMITIVES "$deleteFromPrimitiveList"

/* merge_map(): the patch object said "$patch": "delete". */
#define MERGE_DELETE 1

/* Error messages print values the way Go's %v prints them; at most this much of them. */
#define GO_FORMAT_MAX 2048

/* What the engine knows about an object it merges into. */
struct ctx {
        const void *type; /* borrowed from the schema: the struct its fields are looked up in */
        bool map;         /* a map: every member is described by `member` */
        struct kl_api_patch_field member; /* for maps; its pointers borrowed from the schema */
};

struct smp {
        kl_api_patch_lookup_fn lookup; /* NULL: nothing is described */
};

static const struct kl_api_patch_field unknown_field = {
        .value = KL_API_PATCH_VALUE_UNKNOWN,
        .elem = KL_API_PATCH_VALUE_UNKNOWN,
};

/* ---- Describing values ------------------------------------------------- */

/* Describe member `name` of an object in context `c`. True when the schema knows it. */
static bool describe(const struct smp *s, const struct ctx *c, const char *name,
                     struct kl_api_patch_field *ret)
{
        if (c->map) {
                *ret = c->member;
                return true;
        }
        if (c->type && s->lookup && s->lookup(c->type, name, ret) == 0)
                return true;
        *ret = unknown_field;
        return false;
}

/* The description of an element of list (or value of map) field `f`. */
static struct kl_api_patch_field elem_of(const struct kl_api_patch_field *f)
{
        if (f->value != KL_API_PATCH_VALUE_LIST && f->value != KL_API_PATCH_VALUE_MAP)
                return unknown_field;
        return (struct kl_api_patch_field){
                .value = f->elem,
                .elem = KL_API_PATCH_VALUE_UNKNOWN,
                .type = f->elem == KL_API_PATCH_VALUE_OBJECT ? f->type : NULL,
        };
}

/* The context of an object that field `f` holds. */
static struct ctx ctx_of(const struct kl_api_patch_field *f)
{
        switch (f->value) {
        case KL_API_PATCH_VALUE_OBJECT:
                return (struct ctx){ .type = f->type };
        case KL_API_PATCH_VALUE_MAP:
                return (struct ctx){ .map = true, .member = elem_of(f) };
        default:
                return (struct ctx){ 0 };
        }
}

/* ---- Go's view of values, for equality and for messages ---------------- */

/* The Go types upstream's decoded values have; they decide list merging and messages. */
enum go_kind {
        GO_MAP,
        GO_SLICE,
        GO_STRING,
        GO_INT64,
        GO_FLOAT64,
        GO_BOOL,
        GO_NIL,
};

static enum go_kind go_kind(const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return GO_MAP;
        case JSON_ARRAY:
                return GO_SLICE;
        case JSON_STRING:
                return GO_STRING;
        case JSON_INTEGER:
                return GO_INT64;
        case JSON_REAL:
                return GO_FLOAT64;
        case JSON_TRUE:
        case JSON_FALSE:
                return GO_BOOL;
        case JSON_NULL:
                break;
        }
        return GO_NIL;
}

/* reflect.TypeOf(v) as %s prints it. */
static const char *go_type(const json_t *v)
{
        static const char *const names[] = {
                [GO_MAP] = "map[string]interface {}",
                [GO_SLICE] = "[]interface {}",
                [GO_STRING] = "string",
                [GO_INT64] = "int64",
                [GO_FLOAT64] = "float64",
                [GO_BOOL] = "bool",
                [GO_NIL] = "%!s(<nil>)",
        };

        return names[go_kind(v)];
}

/* The decimal exponent of "%e" text ("1.5e+06" -> 6). */
static int exponent_of(const char *e_text)
{
        const char *e = strchr(e_text, 'e');
        int sign = 1, v = 0;

        if (!e)
                return 0;
        e++;
        if (*e == '-' || *e == '+')
                sign = *e++ == '-' ? -1 : 1;
        for (; *e >= '0' && *e <= '9'; e++)
                v = v * 10 + (*e - '0');
        return sign * v;
}

/* A float64 as %v prints it: shortest digits that read back, exponent form outside [1e-4, 1e6). */
static void go_format_float(struct kl_buf *b, double d)
{
        char mant[64];
        int prec, exp;

        for (prec = 1; prec < 17; prec++) {
                double back;

                (void)snprintf(mant, sizeof(mant), "%.*e", prec - 1, d);
                if (kl_parse_double(mant, &back) == 0 && back == d)
                        break;
        }
        (void)snprintf(mant, sizeof(mant), "%.*e", prec - 1, d);
        exp = exponent_of(mant);
        if (exp < -4 || exp >= 6)
                (void)kl_buf_puts(b, mant);
        else
                (void)kl_buf_printf(b, "%.*f", KL_MAX(prec - 1 - exp, 0), d);
}

static void go_format(struct kl_buf *b, const json_t *v, unsigned depth);

static int cmp_keys(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void go_format_map(struct kl_buf *b, const json_t *v, unsigned depth)
{
        kl_autofree const char **keys = NULL;
        size_t n = json_object_size(v), i = 0;
        const char *key;
        json_t *child;

        /* fmt prints maps with their keys sorted. */
        keys = kl_calloc(n ? n : 1, sizeof(*keys));
        json_object_foreach((json_t *)v, key, child)
                keys[i++] = key;
        qsort(keys, n, sizeof(*keys), cmp_keys);
        (void)kl_buf_puts(b, "map[");
        for (i = 0; i < n && b->len < GO_FORMAT_MAX; i++) {
                if (i > 0)
                        (void)kl_buf_putc(b, ' ');
                (void)kl_buf_printf(b, "%s:", keys[i]);
                go_format(b, json_object_get(v, keys[i]), depth + 1);
        }
        (void)kl_buf_putc(b, ']');
}

/* Go's %v of a decoded JSON value, cut short after GO_FORMAT_MAX bytes. */
static void go_format(struct kl_buf *b, const json_t *v, unsigned depth)
{
        if (b->len >= GO_FORMAT_MAX || depth > KL_API_PATCH_MAX_DEPTH) {
                (void)kl_buf_puts(b, "...");
                return;
        }
        switch (go_kind(v)) {
        case GO_MAP:
                go_format_map(b, v, depth);
                break;
        case GO_SLICE:
                (void)kl_buf_putc(b, '[');
                for (size_t i = 0; i < json_array_size(v) && b->len < GO_FORMAT_MAX; i++) {
                        if (i > 0)
                                (void)kl_buf_putc(b, ' ');
                        go_format(b, json_array_get(v, i), depth + 1);
                }
                (void)kl_buf_putc(b, ']');
                break;
        case GO_STRING:
                (void)kl_buf_append(b, json_string_value(v), json_string_length(v));
                break;
        case GO_INT64:
                (void)kl_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
                break;
        case GO_FLOAT64:
                go_format_float(b, json_real_value(v));
                break;
        case GO_BOOL:
                (void)kl_buf_puts(b, json_is_true(v) ? "true" : "false");
                break;
        case GO_NIL:
                (void)kl_buf_puts(b, "<nil>");
                break;
        }
}

/* "[a b]" for two lists, as fmt.Sprint of a [][]interface{} prints them. */
static void go_format_pair(struct kl_buf *b, const json_t *x, const json_t *y)
{
        (void)kl_buf_putc(b, '[');
        go_format(b, x, 1);
        (void)kl_buf_putc(b, ' ');
        go_format(b, y, 1);
        (void)kl_buf_putc(b, ']');
}

/*
 * A string that two values share exactly when Go's == finds them equal:
 * type tag, then the value. Objects and arrays, which Go cannot compare
 * (upstream panics), compare by their canonical JSON.
 */
static void value_key(struct kl_buf *b, const json_t *v)
{
        kl_buf_reset(b);
        switch (go_kind(v)) {
        case GO_STRING:
                (void)kl_buf_putc(b, 's');
                (void)kl_buf_append(b, json_string_value(v), json_string_length(v));
                break;
        case GO_INT64:
                (void)kl_buf_printf(b, "i%" JSON_INTEGER_FORMAT, json_integer_value(v));
                break;
        case GO_FLOAT64:
                (void)kl_buf_printf(b, "r%.17g", json_real_value(v));
                break;
        case GO_BOOL:
                (void)kl_buf_puts(b, json_is_true(v) ? "t" : "f");
                break;
        case GO_NIL:
                (void)kl_buf_putc(b, 'n');
                break;
        case GO_MAP:
        case GO_SLICE:
                (void)kl_buf_putc(b, 'j');
                if (kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, b, NULL) < 0)
                        (void)kl_buf_printf(b, "%p", (const void *)v);
                break;
        }
}

/* ---- Upstream's errors (k8s.io/apimachinery/pkg/util/mergepatch) ------- */

static int err_no_merge_key(const json_t *m, const char *mk, struct kl_err **err)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        go_format(&b, m, 0);
        return kl_err_set(err, -EINVAL, "map: %s does not contain declared merge key: %s", b.buf,
                          mk);
}

static int err_bad_arg_type(const char *expected, const json_t *actual, struct kl_err **err)
{
        return kl_err_set(err, -EINVAL, "expected a %s, but received a %s", expected,
                          go_type(actual));
}

static int err_bad_patch_type(const json_t *directive, const json_t *m, struct kl_err **err)
{
        kl_autobuf struct kl_buf t = KL_BUF_INIT;
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        /* Upstream formats the directive with %s: fmt's "%!s(int64=1)" for a non-string. */
        if (json_is_string(directive)) {
                go_format(&t, directive, 0);
        } else if (go_kind(directive) == GO_NIL) {
                (void)kl_buf_puts(&t, "%!s(<nil>)");
        } else {
                (void)kl_buf_printf(&t, "%%!s(%s=", go_type(directive));
                go_format(&t, directive, 0);
                (void)kl_buf_putc(&t, ')');
        }
        go_format(&b, m, 0);
        return kl_err_set(err, -EINVAL, "unknown patch type: %s in map: %s", t.buf, b.buf);
}

/* ---- Index maps: value key -> first position --------------------------- */

static bool index_get(const json_t *idx, const struct kl_buf *key, size_t *ret)
{
        json_t *v = json_object_getn(idx, key->buf, key->len);

        if (!v)
                return false;
        *ret = (size_t)json_integer_value(v);
        return true;
}

static void index_put_first(json_t *idx, const struct kl_buf *key, size_t pos)
{
        int r;

        if (json_object_getn(idx, key->buf, key->len))
                return;
        /* Keys are arbitrary bytes (a tag and a value): skip jansson's UTF-8 check. */
        r = json_object_setn_new_nocheck(idx, key->buf, key->len, json_integer((json_int_t)pos));
        kl_assert(r == 0);
}

/*
 * The key an element is matched by: its merge key's value for lists of
 * objects (`mk` set), the element itself otherwise. -EINVAL when an object
 * element lacks the merge key or the element is not an object.
 */
static int element_key(const json_t *e, const char *mk, struct kl_buf *key, struct kl_err **err)
{
        json_t *v;

        if (!mk) {
                value_key(key, e);
                return 0;
        }
        if (!json_is_object(e))
                return err_bad_arg_type("map[string]interface {}", e, err);
        v = json_object_get(e, mk);
        if (!v)
                return err_no_merge_key(e, mk, err);
        value_key(key, v);
        return 0;
}

/* An index of the elements of `list` by element_key(): key -> first position. */
static int index_list(const json_t *list, const char *mk, json_t **ret, struct kl_err **err)
{
        kl_autobuf struct kl_buf key = KL_BUF_INIT;
        json_auto_t *idx = json_object();
        int r;

        for (size_t i = 0; i < json_array_size(list); i++) {
                r = element_key(json_array_get(list, i), mk, &key, err);
                if (r < 0)
                        return r;
                index_put_first(idx, &key, i);
        }
        *ret = KL_TAKE_PTR(idx);
        return 0;
}

/* ---- Ordering ------------------------------------------------------------ */

struct item {
        json_t *value; /* borrowed from the merged list */
        size_t rank;   /* position in the order this group is sorted by */
        size_t server; /* position in the document's list, SIZE_MAX if not there */
        size_t pos;    /* position in the merged list: makes the sort stable */
};

static int cmp_items(const void *a, const void *b)
{
        const struct item *x = a, *y = b;

        if (x->rank != y->rank)
                return x->rank < y->rank ? -1 : 1;
        return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Order `merged` as upstream's normalizeElementOrder() does. Elements found
 * in `order_idx` (the patch's list or $setElementOrder) are sorted by their
 * position there; the others by their position in the document's list
 * (`server_idx`); then the two runs are interleaved, a document element going
 * first only when it stood before the patch element in the document. *ret is
 * a new array.
 */
static int arrange(const json_t *merged, const char *mk, const json_t *order_idx,
                   const json_t *server_idx, json_t **ret, struct kl_err **err)
{
        size_t n = json_array_size(merged), np = 0, ns = 0, i = 0, j = 0;
        kl_autobuf struct kl_buf key = KL_BUF_INIT;
        kl_autofree struct item *patch_items = NULL;
        kl_autofree struct item *server_items = NULL;
        json_auto_t *out = json_array();
        int r;

        patch_items = kl_calloc(n ? n : 1, sizeof(struct item));
        server_items = kl_calloc(n ? n : 1, sizeof(struct item));
        for (size_t k = 0; k < n; k++) {
                struct item it = { .value = json_array_get(merged, k), .pos = k };
                size_t rank;

                r = element_key(it.value, mk, &key, err);
                if (r < 0)
                        return r;
                if (!index_get(server_idx, &key, &it.server))
                        it.server = SIZE_MAX;
                if (index_get(order_idx, &key, &rank)) {
                        it.rank = rank;
                        patch_items[np++] = it;
                } else {
                        it.rank = it.server;
                        server_items[ns++] = it;
                }
        }
        qsort(patch_items, np, sizeof(struct item), cmp_items);
        qsort(server_items, ns, sizeof(struct item), cmp_items);

        while (i < ns || j < np) {
                const struct item *pick;

                if (j >= np || (i < ns && server_items[i].server != SIZE_MAX &&
                                patch_items[j].server != SIZE_MAX &&
                                server_items[i].server < patch_items[j].server))
                        pick = &server_items[i++];
                else
                        pick = &patch_items[j++];
                r = json_array_append(out, pick->value);
                kl_assert(r == 0);
        }
        *ret = KL_TAKE_PTR(out);
        return 0;
}

/*
 * Upstream's sliceElementType() over both lists: every element must have the
 * same Go type, and lists of lists are refused. *ret_kind gets the type
 * (GO_NIL for two empty lists).
 */
static int element_kind(const json_t *a, const json_t *b, enum go_kind *ret_kind,
                        struct kl_err **err)
{
        const json_t *lists[] = { a, b };
        bool first = true;
        enum go_kind kind = GO_NIL;

        for (size_t l = 0; l < KL_ARRAY_SIZE(lists); l++) {
                for (size_t i = 0; i < json_array_size(lists[l]); i++) {
                        enum go_kind k = go_kind(json_array_get(lists[l], i));

                        if (first) {
                                if (k == GO_SLICE)
                                        return kl_err_set(err, -KL_EINVALID,
                                                          "lists of lists are not supported");
                                kind = k;
                                first = false;
                        } else if (k != kind) {
                                kl_autobuf struct kl_buf msg = KL_BUF_INIT;

                                go_format_pair(&msg, a, b);
                                return kl_err_set(err, -EINVAL,
                                                  "list element types are not identical: %s",
                                                  msg.buf);
                        }
                }
        }
        *ret_kind = kind;
        return 0;
}

/* ---- Merging --------------------------------------------------------------- */

static int merge_map(const struct smp *s, json_t *dst, const json_t *patch, const struct ctx *c,
                     unsigned depth, struct kl_err **err);

static bool is_directive(const char *key)
{
        return kl_streq(key, DIRECTIVE_MARKER) || kl_streq(key, RETAIN_KEYS_DIRECTIVE) ||
               kl_startswith(key, SET_ORDER_PREFIX) || kl_startswith(key, DELETE_FROM_PRIMITIVES);
}

static void set_member(json_t *dst, const char *key, json_t *value)
{
        /* Keys come from jansson objects, which checked them already. */
        int r = json_object_set_new_nocheck(dst, key, value);

        kl_assert(r == 0);
}

static bool keys_equal(const struct kl_buf *a, const struct kl_buf *b)
{
        return a->len == b->len && memcmp(a->buf, b->buf, a->len) == 0;
}

/*
 * What patch value `v`, described by `f`, becomes where the document has
 * nothing of its kind: what upstream's typed decoding keeps of it. Objects
 * are merged into {} (so their nulls vanish and their directives act), list
 * elements carrying "$patch" are dropped, scalars are copied. *ret is new, or
 * NULL when "$patch": "delete" leaves nothing.
 */
static int materialize(const struct smp *s, const json_t *v, const struct kl_api_patch_field *f,
                       unsigned depth, json_t **ret, struct kl_err **err)
{
        int r;

        if (depth > KL_API_PATCH_MAX_DEPTH)
                return kl_api__patch_too_deep(err);

        if (json_is_object(v)) {
                json_auto_t *o = json_object();
                struct ctx c = ctx_of(f);

                r = merge_map(s, o, v, &c, depth, err);
                if (r < 0)
                        return r;
                *ret = r == MERGE_DELETE ? NULL : KL_TAKE_PTR(o);
                return 0;
        }

        if (json_is_array(v)) {
                json_auto_t *a = json_array();
                struct kl_api_patch_field ef = elem_of(f);

                for (size_t i = 0; i < json_array_size(v); i++) {
                        const json_t *e = json_array_get(v, i);
                        json_t *directive = json_object_get(e, DIRECTIVE_MARKER);
                        json_t *ev = NULL;

                        if (directive) {
                                const char *d = json_string_value(directive);

                                if (!kl_streq_null(d, "delete") && !kl_streq_null(d, "replace") &&
                                    !kl_streq_null(d, "merge"))
                                        return err_bad_patch_type(directive, e, err);
                                continue;
                        }
                        r = materialize(s, e, &ef, depth + 1, &ev, err);
                        if (r < 0)
                                return r;
                        if (ev) {
                                r = json_array_append_new(a, ev);
                                kl_assert(r == 0);
                        }
                }
                *ret = KL_TAKE_PTR(a);
                return 0;
        }

        /* jansson's json_copy() takes a non-const pointer; it only reads a scalar. */
        *ret = json_copy((json_t *)v);
        kl_assert(*ret);
        return 0;
}

/* A list of primitives with the merge strategy: the union, ordered as upstream orders it. */
static int merge_primitives(const json_t *ov, const json_t *pv, json_t **ret, struct kl_err **err)
{
        const json_t *lists[] = { ov, pv };
        kl_autobuf struct kl_buf key = KL_BUF_INIT;
        json_auto_t *merged = json_array();
        json_auto_t *seen = json_object();
        json_auto_t *order_idx = NULL;
        json_auto_t *server_idx = NULL;
        int r;

        for (size_t l = 0; l < KL_ARRAY_SIZE(lists); l++) {
                for (size_t i = 0; i < json_array_size(lists[l]); i++) {
                        json_t *e = json_array_get(lists[l], i);

                        value_key(&key, e);
                        if (json_object_getn(seen, key.buf, key.len))
                                continue;
                        index_put_first(seen, &key, 0);
                        r = json_array_append_new(merged, json_copy(e));
                        kl_assert(r == 0);
                }
        }
        r = index_list(pv, NULL, &order_idx, err);
        if (r < 0)
                return r;
        r = index_list(ov, NULL, &server_idx, err);
        if (r < 0)
                return r;
        return arrange(merged, NULL, order_idx, server_idx, ret, err);
}

/*
 * A list of objects with the merge strategy, matched by merge key `f->merge_key`:
 * upstream's mergeSliceWithSpecialElements() then
 * mergeSliceWithoutSpecialElements(), then the order. `ov` is the document's
 * list (ours: its elements are merged in place). *ret is a new array.
 *
 * *ret_server (if not NULL) gets what upstream's $setElementOrder step then
 * takes for the document's order, when that is not simply `ov`. Upstream
 * deletes elements by shifting the document's Go slice in place, and appends
 * new elements into the slots that frees (the API server's slices have no
 * spare capacity, ToUnstructured makes them exact), so the caller's view of
 * the document's list becomes "survivors, then the first d additions" for d
 * deletions. Its fixtures, and kubectl apply's results with an injected
 * sidecar, depend on that: it is reproduced here, as a new array, or NULL
 * when nothing was deleted.
 */
static int merge_objects(const struct smp *s, json_t *ov, const json_t *pv,
                         const struct kl_api_patch_field *f, unsigned depth, json_t **ret,
                         json_t **ret_server, struct kl_err **err)
{
        const char *mk = f->merge_key;
        struct kl_api_patch_field ef = elem_of(f);
        struct ctx ec = ctx_of(&ef);
        kl_autobuf struct kl_buf key = KL_BUF_INIT;
        kl_autofree const json_t **plain = NULL;
        json_auto_t *dels = json_object();
        json_auto_t *merged = json_array();
        json_auto_t *server_idx = NULL;
        json_auto_t *where = NULL;
        json_auto_t *order_idx = json_object();
        size_t np = 0, deleted, survivors, added = 0;
        bool replace = false;
        int r;

        /* The patch's directive elements first: deletions by key, or replace the whole list. */
        plain = kl_calloc(json_array_size(pv) + 1, sizeof(const json_t *));
        for (size_t i = 0; i < json_array_size(pv); i++) {
                const json_t *e = json_array_get(pv, i);
                json_t *directive = json_object_get(e, DIRECTIVE_MARKER);
                const char *d = json_string_value(directive);

                if (!directive) {
                        plain[np++] = e;
                } else if (kl_streq_null(d, "delete")) {
                        json_t *kv = json_object_get(e, mk);

                        if (!kv)
                                return err_no_merge_key(e, mk, err);
                        value_key(&key, kv);
                        index_put_first(dels, &key, 0);
                } else if (kl_streq_null(d, "replace")) {
                        replace = true;
                } else if (kl_streq_null(d, "merge")) {
                        return kl_err_set(err, -EINVAL,
                                          "merging lists cannot yet be specified in the patch");
                } else {
                        return err_bad_patch_type(directive, e, err);
                }
        }

        for (size_t i = 0; i < json_array_size(ov); i++) {
                json_t *e = json_array_get(ov, i);
                json_t *kv = json_object_get(e, mk);

                if (kv) {
                        value_key(&key, kv);
                        if (json_object_getn(dels, key.buf, key.len))
                                continue;
                }
                r = json_array_append(merged, e);
                kl_assert(r == 0);
        }
        deleted = json_array_size(ov) - json_array_size(merged);

        if (replace) {
                /* The list becomes the patch's other elements, in the patch's order. */
                json_auto_t *out = json_array();

                for (size_t i = 0; i < np; i++) {
                        json_t *ev = NULL;

                        r = materialize(s, plain[i], &ef, depth + 1, &ev, err);
                        if (r < 0)
                                return r;
                        /* NULL only for "$patch": "delete", which plain elements lack. */
                        if (KL_NEVER(!ev))
                                return -EIO;
                        r = json_array_append_new(out, ev);
                        kl_assert(r == 0);
                        r = element_key(ev, mk, &key, err);
                        if (r < 0)
                                return r;
                }
                if (ret_server && deleted > 0)
                        *ret_server = KL_TAKE_PTR(merged);
                *ret = KL_TAKE_PTR(out);
                return 0;
        }

        /* Every element of the document's list needs the merge key (upstream validates the order).
         */
        r = index_list(merged, mk, &server_idx, err);
        if (r < 0)
                return r;
        survivors = json_array_size(merged);
        where = json_copy(server_idx);
        kl_assert(where);

        for (size_t i = 0; i < np; i++) {
                size_t pos;

                r = element_key(plain[i], mk, &key, err);
                if (r < 0)
                        return r;
                index_put_first(order_idx, &key, i);
                if (index_get(where, &key, &pos)) {
                        r = merge_map(s, json_array_get(merged, pos), plain[i], &ec, depth + 1,
                                      err);
                        if (r < 0)
                                return r;
                } else {
                        json_t *ev = NULL;

                        r = materialize(s, plain[i], &ef, depth + 1, &ev, err);
                        if (r < 0)
                                return r;
                        if (KL_NEVER(!ev))
                                return -EIO;
                        r = json_array_append_new(merged, ev);
                        kl_assert(r == 0);
                        index_put_first(where, &key, json_array_size(merged) - 1);
                        added++;
                }
        }
        if (ret_server && deleted > 0) {
                json_auto_t *aliased = json_array();

                for (size_t i = 0; i < survivors + KL_MIN(deleted, added); i++) {
                        r = json_array_append(aliased, json_array_get(merged, i));
                        kl_assert(r == 0);
                }
                *ret_server = KL_TAKE_PTR(aliased);
        }
        return arrange(merged, mk, order_idx, server_idx, ret, err);
}

/* A list whose field has the merge strategy; *ret is a new array, *ret_server as merge_objects().
 */
static int merge_list(const struct smp *s, const char *name, json_t *ov, const json_t *pv,
                      const struct kl_api_patch_field *f, unsigned depth, json_t **ret,
                      json_t **ret_server, struct kl_err **err)
{
        enum go_kind kind = GO_NIL;
        int r;

        if (depth > KL_API_PATCH_MAX_DEPTH)
                return kl_api__patch_too_deep(err);
        if (json_array_size(ov) == 0 && json_array_size(pv) == 0) {
                *ret = json_array();
                return 0;
        }
        r = element_kind(ov, pv, &kind, err);
        if (r < 0)
                return r;
        if (kind != GO_MAP)
                return merge_primitives(ov, pv, ret, err);
        if (kl_isempty(f->merge_key))
                return kl_err_set(err, -EINVAL, "cannot merge lists without merge key for '%s'",
                                  name);
        return merge_objects(s, ov, pv, f, depth, ret, ret_server, err);
}

/*
 * Upstream's validatePatchWithSetOrderList(): the patch's list (less its
 * "$patch": "delete" elements) must appear in $setElementOrder, in the same
 * relative order.
 */
static int validate_order(const json_t *pl, const json_t *order, const char *mk,
                          struct kl_err **err)
{
        kl_autobuf struct kl_buf a = KL_BUF_INIT;
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        kl_autofree const json_t **kept = NULL;
        size_t n = 0, pi = 0, oi = 0, no = json_array_size(order);
        int r;

        if (!pl || no == 0 || json_array_size(pl) == 0)
                return 0;
        kept = kl_calloc(json_array_size(pl), sizeof(const json_t *));
        for (size_t i = 0; i < json_array_size(pl); i++) {
                const json_t *e = json_array_get(pl, i);

                if (mk && !json_is_object(e))
                        return err_bad_arg_type("map[string]interface {}", e, err);
                if (mk && kl_streq_null(json_string_value(json_object_get(e, DIRECTIVE_MARKER)),
                                        "delete"))
                        continue;
                kept[n++] = e;
        }

        while (pi < n && oi < no) {
                const json_t *o = json_array_get(order, oi);

                if (json_is_object(kept[pi]) && json_object_get(kept[pi], DIRECTIVE_MARKER)) {
                        pi++;
                        continue;
                }
                r = element_key(kept[pi], mk, &a, err);
                if (r < 0)
                        return r;
                r = element_key(o, mk, &b, err);
                if (r < 0)
                        return r;
                if (keys_equal(&a, &b))
                        pi++;
                oi++;
        }
        if (pi < n && oi >= no) {
                kl_buf_reset(&a);
                kl_buf_reset(&b);
                go_format(&a, pl, 0);
                go_format(&b, order, 0);
                return kl_err_set(err, -EINVAL,
                                  "the order in patch list:\n%s\n doesn't match " SET_ORDER_PREFIX
                                  " list:\n%s",
                                  a.buf, b.buf);
        }
        return 0;
}

/*
 * "$setElementOrder/F": merge list F as the ordinary pass would, then order
 * it by the directive. F is recorded in *done so the ordinary pass skips it.
 */
static int set_element_order(const struct smp *s, json_t *dst, const json_t *patch, const char *key,
                             const json_t *order, const struct ctx *c, unsigned depth,
                             json_t **done, struct kl_err **err)
{
        const char *lk = kl_startswith(key, SET_ORDER_PREFIX "/");
        struct kl_api_patch_field f;
        json_auto_t *merged = NULL;
        json_auto_t *order_idx = NULL;
        json_auto_t *server_idx = NULL;
        json_auto_t *empty = json_array();
        json_auto_t *server = NULL;
        json_t *ov, *pl, *out = NULL;
        const char *mk;
        enum go_kind kind = GO_NIL;
        int r;

        if (!lk)
                return kl_err_set(err, -EINVAL, "invalid patch format of setElementOrder list");
        if (!json_is_array(order))
                return err_bad_arg_type("[]interface {}", order, err);
        ov = json_object_get(dst, lk);
        pl = json_object_get(patch, lk);
        if (ov && !json_is_array(ov))
                return err_bad_arg_type("[]interface {}", ov, err);
        if (pl && !json_is_array(pl))
                return err_bad_arg_type("[]interface {}", pl, err);
        (void)describe(s, c, lk, &f);
        mk = kl_isempty(f.merge_key) ? NULL : f.merge_key;

        r = validate_order(pl, order, mk, err);
        if (r < 0)
                return r;
        if (!ov && !pl)
                return 0;
        if (!pl)
                merged = json_incref(ov);
        else if (ov && (f.strategy & KL_API_PATCH_MERGE))
                r = merge_list(s, lk, ov, pl, &f, depth + 1, &merged, &server, err);
        else
                r = materialize(s, pl, &f, depth + 1, &merged, err);
        if (r < 0)
                return r;

        if (json_array_size(merged) > 0) {
                r = element_kind(ov ? ov : empty, pl ? pl : empty, &kind, err);
                if (r < 0)
                        return r;
                if (kind != GO_MAP)
                        mk = NULL;
                r = index_list(order, mk, &order_idx, err);
                if (r < 0)
                        return r;
                /* The document's order, as upstream's slice aliasing leaves it (merge_objects()).
                 */
                r = index_list(server ? server : ov ? ov : empty, mk, &server_idx, err);
                if (r < 0)
                        return r;
                r = arrange(merged, mk, order_idx, server_idx, &out, err);
                if (r < 0)
                        return r;
        } else {
                out = KL_TAKE_PTR(merged);
        }
        set_member(dst, lk, out);

        if (!*done)
                *done = json_object();
        set_member(*done, lk, json_true());
        return 0;
}

/* "$deleteFromPrimitiveList/F": the listed values leave primitive list F. */
static int delete_from_list(json_t *dst, const char *key, const json_t *pv, struct kl_err **err)
{
        const char *lk = kl_startswith(key, DELETE_FROM_PRIMITIVES "/");
        kl_autobuf struct kl_buf k = KL_BUF_INIT;
        json_auto_t *del = NULL;
        json_auto_t *out = NULL;
        json_t *ov;
        enum go_kind kind = GO_NIL;
        size_t pos;
        int r;

        if (!lk)
                return kl_err_set(err, -EINVAL, "invalid patch format of primitive list");
        if (json_is_null(pv)) {
                /* Upstream treats a null deletion list as a null for the list itself. */
                (void)json_object_del(dst, lk);
                return 0;
        }
        ov = json_object_get(dst, lk);
        if (!json_is_array(ov) || !json_is_array(pv))
                return 0;
        if (json_array_size(ov) == 0 && json_array_size(pv) == 0)
                return 0;
        r = element_kind(ov, pv, &kind, err);
        if (r < 0)
                return r;
        if (kind == GO_MAP)
                return kl_err_set(err, -EINVAL, "invalid patch format of primitive list");

        r = index_list(pv, NULL, &del, err);
        if (r < 0)
                return r;
        out = json_array();
        for (size_t i = 0; i < json_array_size(ov); i++) {
                json_t *e = json_array_get(ov, i);

                value_key(&k, e);
                if (index_get(del, &k, &pos))
                        continue;
                r = json_array_append(out, e);
                kl_assert(r == 0);
        }
        set_member(dst, lk, KL_TAKE_PTR(out));
        return 0;
}

/*
 * "$retainKeys": clear the object's keys that are not listed; every key the
 * patch sets must be listed.
 */
static int retain_keys(json_t *dst, const json_t *patch, struct kl_err **err)
{
        json_t *list = json_object_get(patch, RETAIN_KEYS_DIRECTIVE);
        json_auto_t *keep = NULL;
        const char *key;
        json_t *v, *tmp;
        void *iter_tmp;
        int r;

        if (!list)
                return 0;
        if (!json_is_array(list))
                return kl_err_set(err, -EINVAL, "invalid patch format of retainKeys");
        keep = json_object();
        for (size_t i = 0; i < json_array_size(list); i++) {
                json_t *e = json_array_get(list, i);

                if (!json_is_string(e))
                        continue;
                r = json_object_setn_new_nocheck(keep, json_string_value(e), json_string_length(e),
                                                 json_true());
                kl_assert(r == 0);
        }
        json_object_foreach((json_t *)patch, key, v) {
                if (json_is_null(v) || is_directive(key))
                        continue;
                if (!json_object_get(keep, key))
                        return kl_err_set(err, -EINVAL, "invalid patch format of retainKeys");
        }
        json_object_foreach_safe(dst, iter_tmp, key, tmp) {
                if (!json_object_get(keep, key))
                        (void)json_object_del(dst, key);
        }
        return 0;
}

/* Merge `pv`, the patch's value for `key`, into object `dst` (ours). */
static int merge_member(const struct smp *s, json_t *dst, const char *key, const json_t *pv,
                        const struct ctx *c, unsigned depth, struct kl_err **err)
{
        struct kl_api_patch_field f;
        bool known = describe(s, c, key, &f);
        json_t *ov, *nv = NULL;
        int r;

        /*
         * Not a directive and not a field of the described struct: a misspelt
         * or unknown directive. Upstream would store it as a field; the typed
         * decoding that follows there drops it. In maps and free-form values
         * such keys are data.
         */
        if (key[0] == '$' && !known && c->type && !c->map)
                return kl_err_set(err, -EINVAL, "unknown strategic merge patch directive '%s'",
                                  key);

        if (json_is_null(pv)) {
                (void)json_object_del(dst, key);
                return 0;
        }
        ov = json_object_get(dst, key);
        if (json_is_object(ov) && json_is_object(pv) && !(f.strategy & KL_API_PATCH_REPLACE)) {
                struct ctx sub = ctx_of(&f);

                r = merge_map(s, ov, pv, &sub, depth + 1, err);
                if (r == MERGE_DELETE)
                        (void)json_object_del(dst, key);
                return r < 0 ? r : 0;
        }
        if (json_is_array(ov) && json_is_array(pv) && (f.strategy & KL_API_PATCH_MERGE)) {
                r = merge_list(s, key, ov, pv, &f, depth + 1, &nv, NULL, err);
                if (r < 0)
                        return r;
                set_member(dst, key, nv);
                return 0;
        }

        /* Absent, of another kind, a scalar, or a field whose strategy is to replace. */
        r = materialize(s, pv, &f, depth + 1, &nv, err);
        if (r < 0)
                return r;
        if (nv)
                set_member(dst, key, nv);
        else
                (void)json_object_del(dst, key);
        return 0;
}

/*
 * Merge patch object `patch` into object `dst` (ours, modified). Returns 0,
 * MERGE_DELETE when the patch says the object goes, or a negative code.
 */
static int merge_map(const struct smp *s, json_t *dst, const json_t *patch, const struct ctx *c,
                     unsigned depth, struct kl_err **err)
{
        /* jansson's iterators want a non-const object; nothing here modifies `patch`. */
        json_t *p = (json_t *)patch;
        json_auto_t *done = NULL;
        json_t *directive, *pv;
        const char *key;
        int r;

        if (depth > KL_API_PATCH_MAX_DEPTH)
                return kl_api__patch_too_deep(err);

        directive = json_object_get(patch, DIRECTIVE_MARKER);
        if (directive) {
                const char *d = json_string_value(directive);

                if (kl_streq_null(d, "delete"))
                        return MERGE_DELETE;
                if (kl_streq_null(d, "replace"))
                        json_object_clear(dst);
                else if (!kl_streq_null(d, "merge"))
                        return err_bad_patch_type(directive, patch, err);
        }

        r = retain_keys(dst, patch, err);
        if (r < 0)
                return r;

        json_object_foreach(p, key, pv) {
                if (!kl_startswith(key, SET_ORDER_PREFIX))
                        continue;
                r = set_element_order(s, dst, patch, key, pv, c, depth, &done, err);
                if (r < 0)
                        return r;
        }
        json_object_foreach(p, key, pv) {
                if (is_directive(key) || (done && json_object_get(done, key)))
                        continue;
                r = merge_member(s, dst, key, pv, c, depth, err);
                if (r < 0)
                        return r;
        }
        json_object_foreach(p, key, pv) {
                if (!kl_startswith(key, DELETE_FROM_PRIMITIVES))
                        continue;
                r = delete_from_list(dst, key, pv, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int kl_api_patch_strategic(const json_t *doc, const json_t *patch, kl_api_patch_lookup_fn lookup,
                           const void *type, json_t **ret_doc, struct kl_err **err)
{
        struct smp s = { .lookup = lookup };
        struct ctx c = { .type = type };
        json_auto_t *out = NULL;
        int r;

        kl_assert(doc && patch);
        if (!json_is_object(doc))
                return kl_err_set(err, -EINVAL, "invalid JSON document");
        /* Upstream decodes the body into a map first: null leaves it empty. */
        if (!json_is_object(patch) && !json_is_null(patch))
                return kl_err_set(err, -EINVAL,
                                  "json: cannot unmarshal %s into Go value of type "
                                  "map[string]interface {}",
                                  kl_api__patch_json_word(patch));

        out = json_deep_copy(doc);
        kl_assert(out);
        if (json_is_object(patch)) {
                r = merge_map(&s, out, patch, &c, 1, err);
                if (r < 0)
                        return r;
                /* "$patch": "delete" at the top: upstream returns an empty map. */
                if (r == MERGE_DELETE)
                        json_object_clear(out);
        }

        *ret_doc = KL_TAKE_PTR(out);
        return 0;
}
