/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON patch, RFC 6902, with JSON pointers, RFC 6901.
 *
 * Operations apply in order to a private deep copy of the document, so a
 * failing operation leaves the caller's document as it was (all or nothing).
 * The failure texts are evanphx/json-patch's (the library kube-apiserver
 * uses), so that logs read like upstream's; upstream's Status hides them
 * behind KL_API_PATCH_INVALID_MSG (see patch.h).
 *
 * Every operation is charged to a work budget (values visited, copied or
 * compared, array elements shifted), because a few hundred bytes of patch can
 * otherwise ask for quadratic work: copy a large subtree repeatedly, or
 * insert at the front of a long array ten thousand times.
 */
#include "api/patch.h"

#include <string.h>

#include "api/patch-internal.h"
#include "base/base.h"

/* The state of one kl_api_patch_json() call. */
struct jp {
        json_t *root;  /* owned: the document being patched */
        size_t work;   /* units spent of KL_API_PATCH_MAX_WORK */
        size_t copied; /* values duplicated by `copy` so far */
        bool over;     /* the work budget ran out */
};

/* A parsed JSON pointer: tokens unescaped. */
struct ptr {
        const char *text; /* borrowed from the operation: the pointer as written */
        char **tokens;    /* owned, each owned */
        size_t n;
};

static void ptr_release(struct ptr *p)
{
        for (size_t i = 0; i < p->n; i++)
                free(p->tokens[i]);
        free(p->tokens);
        p->tokens = NULL;
        p->n = 0;
}

/* Parse RFC 6901 text into *p (empty on entry). -EINVAL for a malformed pointer. */
static int ptr_parse(const char *text, struct ptr *p)
{
        size_t n = 0;

        p->text = text;
        if (text[0] == '\0')
                return 0;
        if (text[0] != '/')
                return -EINVAL;
        for (const char *s = text; *s; s++)
                n += *s == '/';
        p->tokens = kl_calloc(n, sizeof(char *));

        for (const char *s = text + 1;; s++) {
                kl_autobuf struct kl_buf tok = KL_BUF_INIT;

                for (; *s && *s != '/'; s++) {
                        char c = *s;

                        if (c == '~') {
                                if (s[1] == '0')
                                        c = '~';
                                else if (s[1] == '1')
                                        c = '/';
                                else
                                        return -EINVAL;
                                s++;
                        }
                        (void)kl_buf_putc(&tok, c);
                }
                p->tokens[p->n++] = kl_buf_detach(&tok, NULL);
                if (!*s)
                        break;
        }
        kl_assert(p->n == n);
        return 0;
}

/*
 * An array index as RFC 6901 writes it: "0" or digits without a leading
 * zero; no sign, no "-" (callers handle the end marker themselves). Upstream
 * also takes "01" and negative indices; RFC 6902 does not.
 */
static int parse_index(const char *tok, size_t *ret)
{
        size_t v = 0, len = strlen(tok);

        if (len == 0 || len > 18 || (tok[0] == '0' && len > 1))
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (tok[i] < '0' || tok[i] > '9')
                        return -EINVAL;
                v = v * 10 + (size_t)(tok[i] - '0');
        }
        *ret = v;
        return 0;
}

/* The value at the first `n` tokens of `p`, borrowed from the document, or NULL. */
static json_t *walk(json_t *root, const struct ptr *p, size_t n)
{
        json_t *cur = root;

        for (size_t i = 0; i < n && cur; i++) {
                size_t idx;

                if (json_is_object(cur))
                        cur = json_object_get(cur, p->tokens[i]);
                else if (json_is_array(cur) && parse_index(p->tokens[i], &idx) == 0)
                        cur = json_array_get(cur, idx);
                else
                        cur = NULL;
        }
        return cur;
}

static bool charge(struct jp *jp, size_t units)
{
        if (units > KL_API_PATCH_MAX_WORK - jp->work) {
                jp->over = true;
                jp->work = KL_API_PATCH_MAX_WORK;
                return false;
        }
        jp->work += units;
        return true;
}

/*
 * How deeply containers nest in `v` (0 for a scalar, 1 for [] or {}), but
 * never more than `cap` + 1: the walk stops there, so the recursion is
 * bounded by `cap`. Each value visited is one unit of work and is counted in
 * *nodes.
 */
static size_t value_depth(struct jp *jp, const json_t *v, size_t cap, size_t *nodes)
{
        size_t best = 0;

        (*nodes)++;
        if (!charge(jp, 1) || (!json_is_object(v) && !json_is_array(v)))
                return 0;
        if (cap == 0)
                return 1;
        /* The recursive call stays outside KL_MAX(), which evaluates its arguments twice. */
        if (json_is_object(v)) {
                for (void *it = json_object_iter((json_t *)v); it && best < cap && !jp->over;
                     it = json_object_iter_next((json_t *)v, it)) {
                        size_t d = value_depth(jp, json_object_iter_value(it), cap - 1, nodes);

                        best = KL_MAX(best, d);
                }
        } else {
                for (size_t i = 0; i < json_array_size(v) && best < cap && !jp->over; i++) {
                        size_t d = value_depth(jp, json_array_get(v, i), cap - 1, nodes);

                        best = KL_MAX(best, d);
                }
        }
        return best + 1;
}

/*
 * RFC 6902 section 4.6 equality: numbers by value, objects regardless of
 * member order. 1 equal, 0 not, -E2BIG past KL_API_PATCH_MAX_DEPTH levels.
 */
static int values_equal(struct jp *jp, const json_t *a, const json_t *b, unsigned depth)
{
        if (depth > KL_API_PATCH_MAX_DEPTH)
                return -E2BIG;
        if (!charge(jp, 1) || !a || !b)
                return 0;

        if (json_is_number(a) && json_is_number(b)) {
                if (json_is_integer(a) && json_is_integer(b))
                        return json_integer_value(a) == json_integer_value(b);
                return json_number_value(a) == json_number_value(b);
        }
        if (json_typeof(a) != json_typeof(b))
                return 0;

        switch (json_typeof(a)) {
        case JSON_STRING:
                return json_string_length(a) == json_string_length(b) &&
                       memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) ==
                               0;
        case JSON_ARRAY:
                if (json_array_size(a) != json_array_size(b))
                        return 0;
                for (size_t i = 0; i < json_array_size(a); i++) {
                        int r = values_equal(jp, json_array_get(a, i), json_array_get(b, i),
                                             depth + 1);

                        if (r <= 0)
                                return r;
                }
                return 1;
        case JSON_OBJECT: {
                const char *key;
                json_t *va;

                if (json_object_size(a) != json_object_size(b))
                        return 0;
                json_object_foreach((json_t *)a, key, va) {
                        json_t *vb = json_object_get(b, key);
                        int r;

                        if (!vb)
                                return 0;
                        r = values_equal(jp, va, vb, depth + 1);
                        if (r <= 0)
                                return r;
                }
                return 1;
        }
        default:
                /* true, false, null: the type is the value. */
                return 1;
        }
}

static int op_string(const json_t *op, const char *member, const char *opname, const char *what,
                     const char **ret, struct kl_err **err)
{
        json_t *v = json_object_get(op, member);

        if (!v || json_is_null(v))
                return kl_err_set(err, -KL_EINVALID,
                                  "%s operation failed to decode %s: missing value", opname, what);
        if (!json_is_string(v))
                return kl_err_set(
                        err, -KL_EINVALID,
                        "%s operation failed to decode %s: json: cannot unmarshal %s into "
                        "Go value of type string",
                        opname, what, kl_api__patch_json_word(v));
        *ret = json_string_value(v);
        return 0;
}

static int op_pointer(const json_t *op, const char *member, const char *opname, struct ptr *ret,
                      struct kl_err **err)
{
        const char *text = "";
        int r;

        r = op_string(op, member, opname, member, &text, err);
        if (r < 0)
                return r;
        r = ptr_parse(text, ret);
        if (r < 0)
                return kl_err_set(err, -KL_EINVALID,
                                  "%s operation does not apply: doc is missing path: \"%s\": "
                                  "invalid JSON pointer",
                                  opname, text);
        return 0;
}

static int op_value(const json_t *op, const char *opname, json_t **ret, struct kl_err **err)
{
        json_t *v = json_object_get(op, "value");

        if (!v)
                return kl_err_set(
                        err, -KL_EINVALID,
                        "%s operation failed: operation, missing value field: missing value",
                        opname);
        *ret = v;
        return 0;
}

static int work_error(struct jp *jp, struct kl_err **err)
{
        kl_assert(jp->over);
        return kl_err_set(
                err, -E2BIG,
                "Request entity too large: the JSON patch needs more than %zu units of work",
                KL_API_PATCH_MAX_WORK);
}

/*
 * Check that `value` may go where `p` points: nested no deeper than
 * KL_API_PATCH_MAX_DEPTH there. Its size goes to *ret_nodes (may be NULL).
 */
static int check_depth(struct jp *jp, const char *opname, const struct ptr *p, const json_t *value,
                       size_t *ret_nodes, struct kl_err **err)
{
        size_t nodes = 0, depth;

        if (p->n > KL_API_PATCH_MAX_DEPTH)
                return kl_err_set(err, -KL_EINVALID,
                                  "%s operation does not apply: path '%s' is nested deeper than %d "
                                  "levels",
                                  opname, p->text, KL_API_PATCH_MAX_DEPTH);
        depth = value_depth(jp, value, KL_API_PATCH_MAX_DEPTH - p->n, &nodes);
        if (jp->over)
                return work_error(jp, err);
        if (p->n + depth > KL_API_PATCH_MAX_DEPTH)
                return kl_err_set(err, -KL_EINVALID,
                                  "%s operation does not apply: the value at '%s' would be nested "
                                  "deeper than %d levels",
                                  opname, p->text, KL_API_PATCH_MAX_DEPTH);
        if (ret_nodes)
                *ret_nodes = nodes;
        return 0;
}

/*
 * Put `value` (stolen) where `p` points, as `add` does: a new or replaced
 * object member, an array element inserted before the index, or appended for
 * "-". `verb` and `where` word the errors ("add", "path").
 */
static int insert(struct jp *jp, const struct ptr *p, json_t *value, const char *verb,
                  const char *where, struct kl_err **err)
{
        json_auto_t *v = value;
        const char *last;
        json_t *parent;
        size_t idx, size;
        int r;

        if (p->n == 0) {
                json_decref(jp->root);
                jp->root = KL_TAKE_PTR(v);
                return 0;
        }

        parent = walk(jp->root, p, p->n - 1);
        last = p->tokens[p->n - 1];
        if (json_is_object(parent)) {
                r = json_object_set_new_nocheck(parent, last, KL_TAKE_PTR(v));
                kl_assert(r == 0);
                return 0;
        }
        if (!json_is_array(parent))
                return kl_err_set(err, -KL_EINVALID,
                                  "%s operation does not apply: doc is missing %s: \"%s\": missing "
                                  "value",
                                  verb, where, p->text);

        size = json_array_size(parent);
        if (kl_streq(last, "-")) {
                idx = size;
        } else {
                if (parse_index(last, &idx) < 0)
                        return kl_err_set(err, -KL_EINVALID,
                                          "error in %s for path: '%s': value was not a proper "
                                          "array index: '%s'",
                                          verb, p->text, last);
                if (idx > size)
                        return kl_err_set(err, -KL_EINVALID,
                                          "error in %s for path: '%s': Unable to access invalid "
                                          "index: %zu: invalid index referenced",
                                          verb, p->text, idx);
        }
        if (!charge(jp, size - idx))
                return work_error(jp, err);
        r = json_array_insert_new(parent, idx, KL_TAKE_PTR(v));
        kl_assert(r == 0);
        return 0;
}

/* Remove what `p` points at; *ret_removed (may be NULL) gets it as a new reference. */
static int remove_at(struct jp *jp, const struct ptr *p, const char *verb, json_t **ret_removed,
                     struct kl_err **err)
{
        const char *last;
        json_t *parent, *old;
        size_t idx, size;

        if (p->n == 0)
                return kl_err_set(err, -KL_EINVALID,
                                  "%s operation does not apply: doc is missing path: \"\": missing "
                                  "value",
                                  verb);
        parent = walk(jp->root, p, p->n - 1);
        last = p->tokens[p->n - 1];
        if (json_is_object(parent)) {
                old = json_object_get(parent, last);
                if (!old)
                        return kl_err_set(err, -KL_EINVALID,
                                          "error in %s for path: '%s': unable to remove "
                                          "nonexistent key: %s: missing value",
                                          verb, p->text, last);
                if (ret_removed)
                        *ret_removed = json_incref(old);
                (void)json_object_del(parent, last);
                return 0;
        }
        if (!json_is_array(parent))
                return kl_err_set(err, -KL_EINVALID,
                                  "%s operation does not apply: doc is missing path: \"%s\": "
                                  "missing value",
                                  verb, p->text);

        size = json_array_size(parent);
        if (parse_index(last, &idx) < 0 || idx >= size)
                return kl_err_set(err, -KL_EINVALID,
                                  "error in %s for path: '%s': Unable to access invalid index: %s: "
                                  "invalid index referenced",
                                  verb, p->text, last);
        if (!charge(jp, size - idx))
                return work_error(jp, err);
        if (ret_removed)
                *ret_removed = json_incref(json_array_get(parent, idx));
        (void)json_array_remove(parent, idx);
        return 0;
}

static int do_add(struct jp *jp, const json_t *op, struct kl_err **err)
{
        kl_cleanup(ptr_release) struct ptr p = { 0 };
        json_t *value = NULL;
        size_t nodes = 0;
        int r;

        r = op_pointer(op, "path", "add", &p, err);
        if (r < 0)
                return r;
        r = op_value(op, "add", &value, err);
        if (r < 0)
                return r;
        r = check_depth(jp, "add", &p, value, &nodes, err);
        if (r < 0)
                return r;
        if (!charge(jp, nodes))
                return work_error(jp, err);
        return insert(jp, &p, json_deep_copy(value), "add", "path", err);
}

static int do_remove(struct jp *jp, const json_t *op, struct kl_err **err)
{
        kl_cleanup(ptr_release) struct ptr p = { 0 };
        int r;

        r = op_pointer(op, "path", "remove", &p, err);
        if (r < 0)
                return r;
        return remove_at(jp, &p, "remove", NULL, err);
}

static int do_replace(struct jp *jp, const json_t *op, struct kl_err **err)
{
        kl_cleanup(ptr_release) struct ptr p = { 0 };
        const char *last;
        json_t *value = NULL, *parent;
        size_t nodes = 0, idx = 0;
        bool found;
        int r;

        r = op_pointer(op, "path", "replace", &p, err);
        if (r < 0)
                return r;
        r = op_value(op, "replace", &value, err);
        if (r < 0)
                return r;
        r = check_depth(jp, "replace", &p, value, &nodes, err);
        if (r < 0)
                return r;
        if (!charge(jp, nodes))
                return work_error(jp, err);

        if (p.n == 0) {
                json_decref(jp->root);
                jp->root = json_deep_copy(value);
                return 0;
        }
        parent = walk(jp->root, &p, p.n - 1);
        last = p.tokens[p.n - 1];
        if (json_is_object(parent))
                found = json_object_get(parent, last) != NULL;
        else if (json_is_array(parent))
                found = parse_index(last, &idx) == 0 && idx < json_array_size(parent);
        else
                return kl_err_set(err, -KL_EINVALID,
                                  "replace operation does not apply: doc is missing path: %s: "
                                  "missing value",
                                  p.text);
        if (!found)
                return kl_err_set(err, -KL_EINVALID,
                                  "replace operation does not apply: doc is missing key: %s: "
                                  "missing value",
                                  p.text);
        if (json_is_object(parent))
                r = json_object_set_new_nocheck(parent, last, json_deep_copy(value));
        else
                r = json_array_set_new(parent, idx, json_deep_copy(value));
        kl_assert(r == 0);
        return 0;
}

static bool is_proper_prefix(const char *prefix, const char *path)
{
        const char *rest = kl_startswith(path, prefix);

        return rest && rest[0] == '/';
}

static int do_move(struct jp *jp, const json_t *op, struct kl_err **err)
{
        kl_cleanup(ptr_release) struct ptr from = { 0 };
        kl_cleanup(ptr_release) struct ptr p = { 0 };
        json_t *value;
        int r;

        r = op_pointer(op, "from", "move", &from, err);
        if (r < 0)
                return r;
        r = op_pointer(op, "path", "move", &p, err);
        if (r < 0)
                return r;

        value = walk(jp->root, &from, from.n);
        if (!value)
                return kl_err_set(err, -KL_EINVALID,
                                  "move operation does not apply: doc is missing from path: %s: "
                                  "missing value",
                                  from.text);
        if (is_proper_prefix(from.text, p.text))
                return kl_err_set(err, -KL_EINVALID,
                                  "move operation does not apply: cannot move '%s' into its own "
                                  "child '%s'",
                                  from.text, p.text);
        if (kl_streq(from.text, p.text))
                return 0;
        /* A value moved no deeper than it was cannot nest deeper than the document already did. */
        if (p.n > from.n) {
                r = check_depth(jp, "move", &p, value, NULL, err);
                if (r < 0)
                        return r;
        }

        r = remove_at(jp, &from, "move", &value, err);
        if (r < 0)
                return r;
        return insert(jp, &p, value, "move", "destination path", err);
}

static int do_copy(struct jp *jp, const json_t *op, struct kl_err **err)
{
        kl_cleanup(ptr_release) struct ptr from = { 0 };
        kl_cleanup(ptr_release) struct ptr p = { 0 };
        json_t *value;
        size_t nodes = 0;
        int r;

        r = op_pointer(op, "from", "copy", &from, err);
        if (r < 0)
                return r;
        r = op_pointer(op, "path", "copy", &p, err);
        if (r < 0)
                return r;

        value = walk(jp->root, &from, from.n);
        if (!value)
                return kl_err_set(err, -KL_EINVALID,
                                  "copy operation does not apply: doc is missing from path: %s: "
                                  "missing value",
                                  from.text);
        r = check_depth(jp, "copy", &p, value, &nodes, err);
        if (r < 0)
                return r;
        if (nodes > KL_API_PATCH_MAX_COPY_NODES - jp->copied)
                return kl_err_set(
                        err, -E2BIG,
                        "Request entity too large: Unable to complete the copy, the "
                        "accumulated size increase of copy is %zu, exceeding the limit %zu",
                        jp->copied + nodes, KL_API_PATCH_MAX_COPY_NODES);
        jp->copied += nodes;
        if (!charge(jp, nodes))
                return work_error(jp, err);
        return insert(jp, &p, json_deep_copy(value), "copy", "destination path", err);
}

static int do_test(struct jp *jp, const json_t *op, struct kl_err **err)
{
        kl_cleanup(ptr_release) struct ptr p = { 0 };
        json_t *want = NULL, *have;
        int r;

        r = op_pointer(op, "path", "test", &p, err);
        if (r < 0)
                return r;
        r = op_value(op, "test", &want, err);
        if (r < 0)
                return r;

        have = walk(jp->root, &p, p.n);
        if (!have)
                return kl_err_set(
                        err, -KL_EINVALID,
                        "test operation does not apply: is missing path: %s: missing value",
                        p.text);
        r = values_equal(jp, have, want, 0);
        if (jp->over)
                return work_error(jp, err);
        if (r < 0)
                return kl_err_set(err, -KL_EINVALID,
                                  "test operation does not apply: the values at '%s' are nested "
                                  "deeper than %d levels",
                                  p.text, KL_API_PATCH_MAX_DEPTH);
        if (r == 0)
                return kl_err_set(err, -KL_EINVALID, "testing value %s failed: test failed",
                                  p.text);
        return 0;
}

static int apply_op(struct jp *jp, const json_t *op, struct kl_err **err)
{
        static const struct {
                const char *name;
                int (*fn)(struct jp *jp, const json_t *op, struct kl_err **err);
        } ops[] = {
                { "add", do_add },   { "remove", do_remove }, { "replace", do_replace },
                { "move", do_move }, { "copy", do_copy },     { "test", do_test },
        };
        /* evanphx/json-patch's Operation.Kind(): anything but a string op is "unknown". */
        const char *kind = json_string_value(json_object_get(op, "op"));

        if (!kind)
                kind = "unknown";
        for (size_t i = 0; i < KL_ARRAY_SIZE(ops); i++)
                if (kl_streq(kind, ops[i].name))
                        return ops[i].fn(jp, op, err);
        return kl_err_set(err, -KL_EINVALID, "Unexpected kind: %s", kind);
}

int kl_api_patch_json(const json_t *doc, const json_t *patch, json_t **ret_doc, struct kl_err **err)
{
        json_auto_t *empty = NULL;
        struct jp jp = { 0 };
        size_t n;
        int r = 0;

        kl_assert(doc && patch);
        /* Upstream decodes the body into []Operation first: null is no operations at all. */
        if (!json_is_array(patch) && !json_is_null(patch))
                return kl_err_set(err, -EINVAL,
                                  "json: cannot unmarshal %s into Go value of type jsonpatch.Patch",
                                  kl_api__patch_json_word(patch));
        n = json_array_size(patch);
        for (size_t i = 0; i < n; i++) {
                const json_t *op = json_array_get(patch, i);

                if (!json_is_object(op) && !json_is_null(op))
                        return kl_err_set(err, -EINVAL,
                                          "json: cannot unmarshal %s into Go value of type "
                                          "jsonpatch.Operation",
                                          kl_api__patch_json_word(op));
        }
        if (n > KL_API_PATCH_MAX_OPS)
                return kl_err_set(err, -E2BIG,
                                  "Request entity too large: The allowed maximum operations in a "
                                  "JSON patch is %d, got %zu",
                                  KL_API_PATCH_MAX_OPS, n);

        jp.root = json_deep_copy(doc);
        kl_assert(jp.root);
        /* A null operation decodes to an empty Operation upstream: kind "unknown". */
        empty = json_object();
        for (size_t i = 0; i < n && r >= 0; i++) {
                const json_t *op = json_array_get(patch, i);

                r = apply_op(&jp, json_is_object(op) ? op : empty, err);
        }
        if (r < 0) {
                json_decref(jp.root);
                return r;
        }

        *ret_doc = jp.root;
        return 0;
}
