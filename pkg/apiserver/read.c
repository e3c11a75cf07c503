/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read path of lists (README.md, "Reads"): which revision a LIST is
 * served at, upstream's continue tokens, and pages built from either the
 * watch cache or the store at an older revision.
 *
 * The cache holds one revision, the newest. A list is served from it when
 * the request accepts that revision (resourceVersion unset, "0", or
 * NotOlderThan one the cache has reached), or when what it asks for is the
 * cache's content anyway: an exact revision or a continue token at or after
 * the newest event of that cache. Everything else is read from the store at
 * the revision asked for, on a worker thread, so every page of a paged list
 * comes from the same revision however many writes happen between pages.
 */
#include <string.h>

#include "api/selector.h"
#include "apiserver/apiserver-internal.h"
#include "loop/loop.h"
#include "json/json.h"

/* Upstream's wording (apiserver/pkg/storage/etcd3/store.go). */
#define CONTINUE_EXPIRED_MSG                                                                   \
        "The provided continue parameter is too old to display a consistent list result. You " \
        "can start a new list without the continue parameter."
#define LIST_EXPIRED_MSG "The resourceVersion for the provided list is too old."

/* ------------------------------------------------------------------------- */
/* Continue tokens: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"} */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64url_encode(const char *in, size_t n)
{
        char *out = kl_malloc((n + 2) / 3 * 4 + 1), *o = out;
        size_t i;

        for (i = 0; i + 2 < n; i += 3) {
                uint32_t v = (uint32_t)(uint8_t)in[i] << 16 | (uint32_t)(uint8_t)in[i + 1] << 8 |
                             (uint8_t)in[i + 2];

                *o++ = b64url[v >> 18];
                *o++ = b64url[(v >> 12) & 63];
                *o++ = b64url[(v >> 6) & 63];
                *o++ = b64url[v & 63];
        }
        if (n - i == 1) {
                uint32_t v = (uint32_t)(uint8_t)in[i] << 16;

                *o++ = b64url[v >> 18];
                *o++ = b64url[(v >> 12) & 63];
        } else if (n - i == 2) {
                uint32_t v = (uint32_t)(uint8_t)in[i] << 16 | (uint32_t)(uint8_t)in[i + 1] << 8;

                *o++ = b64url[v >> 18];
                *o++ = b64url[(v >> 12) & 63];
                *o++ = b64url[(v >> 6) & 63];
        }
        *o = '\0';
        return out;
}

static int b64url_value(char c)
{
        const char *p = c ? strchr(b64url, c) : NULL;

        return p ? (int)(p - b64url) : -1;
}

/* Decode into `out` (n * 3 / 4 + 1 bytes or more); unpadded, as Go's RawURLEncoding. */
static int b64url_decode(const char *in, size_t n, char *out, size_t *ret_len)
{
        uint32_t acc = 0;
        unsigned bits = 0;
        size_t o = 0;

        for (size_t i = 0; i < n; i++) {
                int v = b64url_value(in[i]);

                if (v < 0)
                        return -EINVAL;
                acc = acc << 6 | (uint32_t)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (char)((acc >> bits) & 0xff);
                }
        }
        if (bits >= 6)
                return -EINVAL;
        out[o] = '\0';
        *ret_len = o;
        return 0;
}

char *kl_apiserver__continue_encode(int64_t rev, const char *last)
{
        kl_autofree char *raw = NULL;
        json_auto_t *tok = NULL;
        size_t need;

        /* "last\0": the first key after `last`, the way upstream resumes. */
        tok = json_pack("{sssIss%}", "v", "meta.k8s.io/v1", "rv", (json_int_t)rev, "start", last,
                        strlen(last) + 1);
        kl_assert(tok);
        need = json_dumpb(tok, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
        raw = kl_malloc(need);
        (void)json_dumpb(tok, raw, need, JSON_COMPACT | JSON_PRESERVE_ORDER);
        return b64url_encode(raw, need);
}

int kl_apiserver__continue_decode(const char *token, int64_t *ret_rev, char **ret_start,
                                  bool *ret_exclusive, struct kl_err **err)
{
        size_t n = strnlen(token, KL_APISERVER_CONTINUE_MAX + 1), raw_len, start_len;
        kl_autofree char *raw = NULL;
        json_auto_t *tok = NULL;
        const char *v = NULL, *start = NULL;
        json_int_t rev = 0;
        bool exclusive = false;

        if (n > KL_APISERVER_CONTINUE_MAX)
                return kl_err_set_msg(err, -EINVAL, "invalid continue token: too long");
        raw = kl_malloc(n * 3 / 4 + 2);
        if (b64url_decode(token, n, raw, &raw_len) < 0)
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid continue token: continue key is not valid: illegal "
                                      "base64 data");
        tok = json_loadb(raw, raw_len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, NULL);
        if (!tok || json_unpack(tok, "{s?s,s?I,s?s%}", "v", &v, "rv", &rev, "start", &start,
                                &start_len) < 0)
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid continue token: continue key is not valid: "
                                      "malformed token");
        if (!v || !kl_streq(v, "meta.k8s.io/v1"))
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid continue token: continue key is not valid: server "
                                      "does not recognize this encoded key");
        if (rev <= 0)
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid continue token: continue key is not valid: "
                                      "incorrect encoded start resourceVersion (version "
                                      "meta.k8s.io/v1)");
        if (!start || start_len == 0)
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid continue token: continue key is not valid: "
                                      "encoded continue key empty (version meta.k8s.io/v1)");
        if (start[start_len - 1] == '\0') {
                exclusive = true;
                start_len--;
        }
        /* Appended to the list's own prefix: it may not climb out of it (upstream: path.Clean). */
        if (memchr(start, '\0', start_len) || start[0] == '/' || strstr(start, "..") ||
            strstr(start, "//"))
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid continue token: continue key is not valid: %.64s",
                                      start);
        *ret_rev = rev;
        *ret_start = kl_strndup(start, start_len);
        *ret_exclusive = exclusive;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Objects as text */

/*
 * Index just past the JSON string starting at p[i] == '"', or 0 when
 * unterminated. Strings are most of an object's bytes: memchr() finds each
 * quote, and one is the end when an even run of backslashes precedes it.
 */
static size_t skip_string(const char *p, size_t n, size_t i)
{
        size_t first = i + 1;

        for (i = first; i < n;) {
                const char *q = memchr(p + i, '"', n - i);
                size_t at, run = 0;

                if (!q)
                        return 0;
                at = (size_t)(q - p);
                while (at - run > first && p[at - run - 1] == '\\')
                        run++;
                if (run % 2 == 0)
                        return at + 1;
                i = at + 1;
        }
        return 0;
}

static size_t skip_ws(const char *p, size_t n, size_t i)
{
        while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r'))
                i++;
        return i;
}

/* Index just past the value starting at p[i], or 0 when the text ends first. */
static size_t skip_value(const char *p, size_t n, size_t i)
{
        unsigned depth = 0;

        while (i < n) {
                char ch = p[i];

                if (ch == '"') {
                        i = skip_string(p, n, i);
                        if (i == 0)
                                return 0;
                        if (depth == 0)
                                return i;
                        continue;
                }
                if (ch == '{' || ch == '[') {
                        depth++;
                } else if (ch == '}' || ch == ']') {
                        if (depth == 0)
                                return i; /* end of the enclosing container */
                        if (--depth == 0)
                                return i + 1;
                } else if (depth == 0 && (ch == ',' || ch == ' ' || ch == '\n')) {
                        return i; /* end of a scalar */
                }
                i++;
        }
        return depth == 0 ? i : 0;
}

/*
 * Where `"resourceVersion":"N"` goes in the stored text of `o`: before the
 * closing brace of its top-level metadata (*ret_at), after a comma unless
 * metadata is empty (*ret_comma). -EINVAL when there is no metadata object,
 * -EEXIST when it already holds a resourceVersion.
 */
static int splice_point(const struct kl_apiserver__obj *o, size_t *ret_at, bool *ret_comma)
{
        const char *p = o->data;
        size_t n = o->len, i = skip_ws(p, n, 0);

        if (i >= n || p[i] != '{')
                return -EINVAL;
        i++;
        for (;;) {
                size_t key, key_end, v, v_end;

                i = skip_ws(p, n, i);
                if (i >= n || p[i] != '"')
                        return -EINVAL;
                key = i;
                key_end = skip_string(p, n, i);
                if (key_end == 0)
                        return -EINVAL;
                i = skip_ws(p, n, key_end);
                if (i >= n || p[i] != ':')
                        return -EINVAL;
                v = skip_ws(p, n, i + 1);
                v_end = skip_value(p, n, v);
                if (v_end == 0)
                        return -EINVAL;
                if (key_end - key == 10 && memcmp(p + key, "\"metadata\"", 10) == 0) {
                        size_t close = v_end - 1;

                        if (p[v] != '{' || p[close] != '}')
                                return -EINVAL;
                        /* Stored values carry no resourceVersion; if one does, decode instead. */
                        if (memmem(p + v, close - v, "\"resourceVersion\":", 18))
                                return -EEXIST;
                        *ret_at = close;
                        *ret_comma = skip_ws(p, n, v + 1) != close;
                        return 0;
                }
                i = skip_ws(p, n, v_end);
                if (i >= n || p[i] != ',')
                        return -EINVAL; /* no metadata */
                i++;
        }
}

/* The member spliced in: `,"resourceVersion":"N"`, into `out` (48 bytes); its length. */
static size_t rv_member(char *out, bool comma, int64_t rev)
{
        int len = snprintf(out, 48, "%s\"resourceVersion\":\"%lld\"", comma ? "," : "",
                           (long long)rev);

        kl_assert(len > 0 && len < 48);
        return (size_t)len;
}

static int append_spliced(const struct kl_apiserver__obj *o, size_t at, bool comma,
                          struct kl_buf *out)
{
        char rv[48];
        size_t len = rv_member(rv, comma, o->mod_rev);

        if (kl_buf_grow(out, o->len + len) < 0)
                return -E2BIG;
        (void)kl_buf_append(out, o->data, at);
        (void)kl_buf_append(out, rv, len);
        (void)kl_buf_append(out, o->data + at, o->len - at);
        return 0;
}

int kl_apiserver__obj_append_json(const struct kl_apiserver__obj *o, struct kl_buf *out)
{
        size_t at;
        bool comma;
        int r = splice_point(o, &at, &comma);

        if (r < 0)
                return r;
        return append_spliced(o, at, comma, out);
}

/*
 * One item of a list as text: the stored bytes with the resourceVersion
 * member spliced in at `at`, or, for an object whose bytes cannot be
 * spliced, its re-encoding (`text`).
 */
struct list_item {
        struct kl_apiserver__obj *o; /* ref; NULL once written */
        char *text;                  /* owned: the re-encoded object, or NULL */
        size_t at;                   /* splice point in o->data */
        size_t len;                  /* bytes the item takes in the list */
        bool comma;                  /* the spliced member needs a comma */
};

struct kl_apiserver__list_text {
        char *head; /* owned: `{"kind":...,"items":[` */
        size_t head_len;
        struct list_item *items; /* owned */
        size_t n, cap;
        size_t next;    /* the first item not written */
        bool head_sent; /* head is in the output */
        uint64_t size;  /* bytes of the whole text */
        uint64_t left;  /* bytes not yet produced */
};

/* Add `o` (a reference taken) to the items of `t`; -EINVAL when it cannot be encoded. */
static int text_add(struct kl_apiserver__list_text *t, struct kl_apiserver__obj *o)
{
        struct list_item *it;

        kl_assert(t->n < t->cap);
        it = &t->items[t->n];
        *it = (struct list_item){ 0 };
        if (splice_point(o, &it->at, &it->comma) == 0) {
                char rv[48];

                it->len = o->len + rv_member(rv, it->comma, o->mod_rev);
        } else {
                kl_autobuf struct kl_buf enc = KL_BUF_INIT;
                json_auto_t *v = kl_apiserver__obj_decode(o);

                if (!v || kl_json_encode(v, 0, &enc, NULL) < 0)
                        return -EINVAL;
                /* Without the newline of a response: the item sits inside the list. */
                if (enc.len > 0 && enc.buf[enc.len - 1] == '\n')
                        kl_buf_truncate(&enc, enc.len - 1);
                it->text = kl_buf_detach(&enc, &it->len);
        }
        it->o = kl_apiserver__obj_ref(o);
        t->size += it->len + (t->n > 0 ? 1 : 0);
        t->n++;
        return 0;
}

static void item_release(struct list_item *it)
{
        it->o = kl_apiserver__obj_unref(it->o);
        free(it->text);
        it->text = NULL;
}

void kl_apiserver__list_text_free(struct kl_apiserver__list_text *t)
{
        if (!t)
                return;
        for (size_t i = t->next; i < t->n; i++)
                item_release(&t->items[i]);
        free(t->items);
        free(t->head);
        free(t);
}

uint64_t kl_apiserver__list_text_size(const struct kl_apiserver__list_text *t)
{
        return t->size;
}

int kl_apiserver__list_text_next(struct kl_apiserver__list_text *t, struct kl_buf *out, size_t want)
{
        size_t mark = out->len;

        if (t->left == 0)
                return 0;
        if (!t->head_sent) {
                if (kl_buf_append(out, t->head, t->head_len) < 0)
                        return -E2BIG;
                t->head_sent = true;
        }
        while (t->next < t->n && out->len - mark < want) {
                struct list_item *it = &t->items[t->next];
                int r;

                if (t->next > 0 && kl_buf_putc(out, ',') < 0)
                        return -E2BIG;
                r = it->text ? kl_buf_append(out, it->text, it->len)
                             : append_spliced(it->o, it->at, it->comma, out);
                if (r < 0)
                        return -E2BIG;
                item_release(it);
                t->next++;
        }
        if (t->next == t->n && kl_buf_puts(out, "]}") < 0)
                return -E2BIG;
        kl_assert(out->len - mark <= t->left);
        t->left -= out->len - mark;
        kl_assert((t->left == 0) == (t->next == t->n));
        return t->left > 0;
}

/* ------------------------------------------------------------------------- */
/* Pages */

/* Index of the first key >= `prefix`-end, i.e. past every key with the prefix. */
static size_t prefix_end(struct kl_apiserver__obj *const *items, size_t n, const char *prefix)
{
        size_t lo = 0, hi = n, plen = strlen(prefix);

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (strncmp(items[mid]->key, prefix, plen) <= 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static size_t lower_bound(struct kl_apiserver__obj *const *items, size_t n, const char *key,
                          bool exclusive)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int cmp = strcmp(items[mid]->key, key);

                if (cmp < 0 || (cmp == 0 && exclusive))
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static bool selected(const struct kl_apiserver__page *p, const struct kl_apiserver__obj *o,
                     json_t **ret_obj)
{
        json_t *obj;

        if (!p->ls && !p->fs && !ret_obj)
                return true;
        obj = kl_apiserver__obj_decode(o);
        if (!obj)
                return false;
        if ((p->ls &&
             !kl_api_label_selector_matches(
                     p->ls, json_object_get(json_object_get(obj, "metadata"), "labels"))) ||
            (p->fs && !kl_api_field_selector_matches(p->fs, obj, kl_apiserver__field_get, NULL))) {
                json_decref(obj);
                return false;
        }
        if (ret_obj)
                *ret_obj = obj;
        else
                json_decref(obj);
        return true;
}

/*
 * The items of a page: decoded into `arr`, or as text into `t`; the
 * continue token (new, or NULL) and the count of what is left (-1: none).
 */
static int page_walk(struct kl_apiserver__obj *const *items, size_t n,
                     const struct kl_apiserver__page *p, json_t *arr,
                     struct kl_apiserver__list_text *t, char **ret_tok, int64_t *ret_remaining,
                     struct kl_err **err)
{
        kl_autofree char *from = NULL;
        size_t plen = strlen(p->prefix), i, end;
        int64_t served = 0;

        end = prefix_end(items, n, p->prefix);
        if (p->start) {
                from = kl_asprintf("%s%s", p->prefix, p->start);
                i = lower_bound(items, n, from, p->start_exclusive);
        } else {
                i = lower_bound(items, n, p->prefix, false);
        }
        if (t) {
                t->cap = end > i ? end - i : 0;
                if (p->limit > 0 && (uint64_t)p->limit < t->cap)
                        t->cap = (size_t)p->limit;
                t->items = kl_calloc(t->cap ? t->cap : 1, sizeof(*t->items));
        }
        *ret_tok = NULL;
        *ret_remaining = -1;
        for (; i < end; i++) {
                json_t *obj = NULL;

                if (p->limit > 0 && served == p->limit) {
                        *ret_tok = kl_apiserver__continue_encode(p->rev, items[i - 1]->key + plen);
                        /* Upstream counts what is left only when nothing is filtered. */
                        if (!p->ls && !p->fs)
                                *ret_remaining = (int64_t)(end - i);
                        break;
                }
                if (!selected(p, items[i], t ? NULL : &obj))
                        continue;
                if (!t)
                        (void)json_array_append_new(arr, obj);
                else if (text_add(t, items[i]) < 0)
                        return kl_err_set(err, -EIO, "encode '%s'", items[i]->key);
                served++;
        }
        return 0;
}

int kl_apiserver__list_text_new(const struct kl_api_resource *res,
                                struct kl_apiserver__obj *const *items, size_t n,
                                const struct kl_apiserver__page *p,
                                struct kl_apiserver__list_text **ret, struct kl_err **err)
{
        struct kl_apiserver__list_text *t = kl_new0(struct kl_apiserver__list_text);
        kl_autobuf struct kl_buf head = KL_BUF_INIT;
        kl_autofree char *tok = NULL;
        char api_version[128];
        int64_t remaining;
        int r;

        r = page_walk(items, n, p, NULL, t, &tok, &remaining, err);
        if (r < 0) {
                kl_apiserver__list_text_free(t);
                return r;
        }
        kl_api_resource_api_version(res, api_version, sizeof(api_version));
        /* The same members in the same order as the JSON form of kl_apiserver__list_page(). */
        (void)kl_buf_printf(&head,
                            "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{"
                            "\"resourceVersion\":\"%lld\"",
                            res->list_kind, api_version, (long long)p->rev);
        if (tok)
                (void)kl_buf_printf(&head, ",\"continue\":\"%s\"", tok);
        if (remaining >= 0)
                (void)kl_buf_printf(&head, ",\"remainingItemCount\":%lld", (long long)remaining);
        (void)kl_buf_puts(&head, "},\"items\":[");
        t->head = kl_buf_detach(&head, &t->head_len);
        t->size += t->head_len + 2; /* and "]}" */
        t->left = t->size;
        *ret = t;
        return 0;
}

int kl_apiserver__list_page(const struct kl_api_resource *res,
                            struct kl_apiserver__obj *const *items, size_t n,
                            const struct kl_apiserver__page *p, json_t **ret_list,
                            struct kl_buf *ret_text, struct kl_err **err)
{
        kl_autofree char *tok = NULL;
        json_auto_t *arr = NULL;
        char api_version[128], rv[24];
        int64_t remaining;
        json_t *meta, *list;
        int r;

        if (ret_text) {
                struct kl_apiserver__list_text *t = NULL;

                r = kl_apiserver__list_text_new(res, items, n, p, &t, err);
                if (r < 0)
                        return r;
                r = kl_apiserver__list_text_next(t, ret_text, SIZE_MAX);
                kl_apiserver__list_text_free(t);
                return r < 0 ? kl_err_set(err, r, "list") : 0;
        }
        arr = json_array();
        r = page_walk(items, n, p, arr, NULL, &tok, &remaining, err);
        if (r < 0)
                return r;
        kl_api_resource_api_version(res, api_version, sizeof(api_version));
        list = json_object();
        meta = json_object();
        (void)json_object_set_new(list, "kind", json_string(res->list_kind));
        (void)json_object_set_new(list, "apiVersion", json_string(api_version));
        (void)json_object_set_new(list, "metadata", meta);
        (void)json_object_set_new(list, "items", KL_TAKE_PTR(arr));
        (void)snprintf(rv, sizeof(rv), "%lld", (long long)p->rev);
        (void)json_object_set_new(meta, "resourceVersion", json_string(rv));
        if (tok)
                (void)json_object_set_new(meta, "continue", json_string(tok));
        if (remaining >= 0)
                (void)json_object_set_new(meta, "remainingItemCount",
                                          json_integer((json_int_t)remaining));
        *ret_list = list;
        return 0;
}

bool kl_apiserver__cache_is_at(const struct kl_apiserver__cache *c, int64_t cache_rev, int64_t rev)
{
        int64_t newest;

        if (rev > cache_rev)
                return false;
        newest = c->ring_len > 0
                         ? c->ring[(c->ring_head + c->ring_len - 1) % KL_APISERVER_WINDOW].rev
                         : c->window_rev;
        return newest <= rev;
}

/* ------------------------------------------------------------------------- */
/* Lists */

struct list_op {
        struct kl_apiserver *s;            /* borrowed; holds s->ops while on a worker */
        const struct kl_api_resource *res; /* static */
        struct kl_api_label_selector *ls;  /* owned; NULL when empty */
        struct kl_api_field_selector *fs;  /* owned; NULL when empty */
        char *prefix;                      /* owned */
        char *start;                       /* owned, NULL: from the beginning */
        bool start_exclusive;
        bool from_token; /* the revision came from a continue token */
        int64_t rev;     /* the revision to serve at; 0: the cache's */
        int64_t limit;
        bool not_older;                       /* rev is a lower bound, not exact */
        bool as_text;                         /* answer with `text`, not `list` */
        json_t *list;                         /* owned: the result */
        struct kl_apiserver__list_text *text; /* owned: the result as text */
        int r;
        struct kl_err *err; /* owned */
        kl_apiserver__list_fn *cb;
        void *arg;
};

static void list_op_free(struct list_op *op)
{
        kl_api_label_selector_free(op->ls);
        kl_api_field_selector_free(op->fs);
        free(op->prefix);
        free(op->start);
        json_decref(op->list);
        kl_apiserver__list_text_free(op->text);
        kl_err_free(op->err);
        free(op);
}

static void list_op_finish(struct list_op *op)
{
        if (op->r < 0)
                op->cb(op->arg, op->r, NULL, NULL, op->err);
        else
                op->cb(op->arg, op->r, op->list, KL_TAKE_PTR(op->text), NULL);
        list_op_free(op);
}

static struct kl_apiserver__page page_of(const struct list_op *op, int64_t rev)
{
        return (struct kl_apiserver__page){ .rev = rev,
                                            .prefix = op->prefix,
                                            .start = op->start,
                                            .start_exclusive = op->start_exclusive,
                                            .limit = op->limit,
                                            .ls = op->ls,
                                            .fs = op->fs };
}

static void store_work(void *arg)
{
        struct list_op *op = arg;
        kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;
        struct kl_apiserver__obj **objs;
        struct kl_apiserver__page p;
        int r;

        r = kl_store_list(op->s->store, op->prefix, op->rev, 0, NULL, &l, NULL);
        if (r == -KL_EEXPIRED) {
                op->r = kl_err_set_msg(&op->err, r, "%s",
                                       op->from_token ? CONTINUE_EXPIRED_MSG : LIST_EXPIRED_MSG);
                return;
        }
        if (r < 0) {
                op->r = kl_err_set(&op->err, r, "list '%s' at revision %lld", op->prefix,
                                   (long long)op->rev);
                return;
        }
        /* Fresh objects, touched by this thread only until the loop gets the list. */
        objs = kl_calloc(l->n ? l->n : 1, sizeof(*objs));
        for (size_t i = 0; i < l->n; i++)
                objs[i] = kl_apiserver__obj_new(l->items[i]->key, l->items[i]->value,
                                                l->items[i]->len, l->items[i]->mod_rev,
                                                l->items[i]->create_rev);
        p = page_of(op, l->rev);
        /* As text, the page keeps references on its objects only; the rest go now. */
        op->r = op->as_text
                        ? kl_apiserver__list_text_new(op->res, objs, l->n, &p, &op->text, &op->err)
                        : kl_apiserver__list_page(op->res, objs, l->n, &p, &op->list, NULL,
                                                  &op->err);
        for (size_t i = 0; i < l->n; i++)
                kl_apiserver__obj_unref(objs[i]);
        free(objs);
}

static void store_done(void *arg, int status)
{
        struct list_op *op = arg;
        struct kl_apiserver *s = op->s;

        kl_assert(s->ops > 0);
        s->ops--;
        if (status < 0 && op->r >= 0)
                op->r = kl_err_set(&op->err, -KL_EUNAVAILABLE, "the server is shutting down");
        list_op_finish(op);
        if (s->closing)
                kl_apiserver__close_step(s);
}

/* Serve `op` now that the cache has had its chance to reach op->rev. */
static void list_run(void *arg)
{
        struct list_op *op = arg;
        struct kl_apiserver *s = op->s;
        struct kl_apiserver__cache *c = kl_apiserver__cache_of(s, op->res);
        int r;

        if (s->closing) {
                op->r = kl_err_set(&op->err, -KL_EUNAVAILABLE, "the server is shutting down");
                list_op_finish(op);
                return;
        }
        if (op->rev > s->rev) {
                /* apiserver/pkg/storage/cacher: waitUntilFreshAndBlock()'s error. */
                op->r = kl_err_set_msg(&op->err, -ETIMEDOUT,
                                       "Too large resource version: %lld, current: %lld",
                                       (long long)op->rev, (long long)s->rev);
                list_op_finish(op);
                return;
        }
        if (op->rev == 0 || op->not_older || kl_apiserver__cache_is_at(c, s->rev, op->rev)) {
                struct kl_apiserver__page p =
                        page_of(op, op->rev && !op->not_older ? op->rev : s->rev);

                op->r = op->as_text ? kl_apiserver__list_text_new(op->res, c->items, c->n, &p,
                                                                  &op->text, &op->err)
                                    : kl_apiserver__list_page(op->res, c->items, c->n, &p,
                                                              &op->list, NULL, &op->err);
                list_op_finish(op);
                return;
        }
        s->ops++;
        r = kl_loop_run_blocking(s->loop, store_work, store_done, op);
        if (r < 0) {
                s->ops--;
                op->r = kl_err_set(&op->err, r, "queue work");
                list_op_finish(op);
        }
}

static int invalid_list_options(struct kl_err **err, const char *what)
{
        return kl_err_set_msg(err, -KL_EINVALID,
                              "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: "
                              "Forbidden: %s",
                              what);
}

void kl_apiserver__list_async(struct kl_apiserver *s, const struct kl_api_resource *res,
                              const char *ns, const struct kl_apiserver_list_opts *opts,
                              const char *rv_match, bool as_text, kl_apiserver__list_fn *cb,
                              void *arg)
{
        struct list_op *op = kl_new0(struct list_op);
        const char *rv = opts->resource_version;
        bool has_rv = !kl_isempty(rv), cont = !kl_isempty(opts->continue_token);
        int64_t n = 0;

        op->s = s;
        op->res = res;
        op->prefix = kl_api_storage_key(res, ns, NULL);
        op->limit = opts->limit;
        op->as_text = as_text;
        op->cb = cb;
        op->arg = arg;

        if (!kl_isempty(opts->label_selector)) {
                op->r = kl_api_label_selector_parse(opts->label_selector, &op->ls, &op->err);
                if (op->r < 0)
                        goto done;
        }
        if (!kl_isempty(opts->field_selector)) {
                op->r = kl_api_field_selector_parse(opts->field_selector, &op->fs, &op->err);
                if (op->r >= 0)
                        op->r = kl_api_field_selector_check(op->fs, res->field_selectors, &op->err);
                if (op->r < 0)
                        goto done;
        }
        if (has_rv && !kl_streq(rv, "0") && (kl_parse_int64(rv, &n) < 0 || n <= 0)) {
                op->r = kl_err_set_msg(&op->err, -EINVAL, "invalid resource version: %s", rv);
                goto done;
        }
        /* apimachinery ValidateListOptions, then the storage layer's own checks. */
        if (!kl_isempty(rv_match)) {
                if (!kl_streq(rv_match, "NotOlderThan") && !kl_streq(rv_match, "Exact")) {
                        op->r = kl_err_set_msg(
                                &op->err, -KL_EINVALID,
                                "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: "
                                "Unsupported value: \"%.64s\": supported values: \"Exact\", "
                                "\"NotOlderThan\", \"\"",
                                rv_match);
                        goto done;
                }
                if (cont) {
                        op->r = invalid_list_options(
                                &op->err, "resourceVersionMatch is forbidden when continue is "
                                          "provided");
                        goto done;
                }
                if (!has_rv) {
                        op->r = invalid_list_options(&op->err,
                                                     "resourceVersionMatch is forbidden unless "
                                                     "resourceVersion is provided");
                        goto done;
                }
                if (kl_streq(rv_match, "Exact") && kl_streq(rv, "0")) {
                        op->r = invalid_list_options(&op->err,
                                                     "resourceVersionMatch \"exact\" is forbidden "
                                                     "for resourceVersion \"0\"");
                        goto done;
                }
        }
        if (cont) {
                if (has_rv && !kl_streq(rv, "0")) {
                        op->r = kl_err_set_msg(&op->err, -EINVAL,
                                               "specifying resource version is not allowed when "
                                               "using continue");
                        goto done;
                }
                op->r = kl_apiserver__continue_decode(opts->continue_token, &op->rev, &op->start,
                                                      &op->start_exclusive, &op->err);
                if (op->r < 0)
                        goto done;
                op->from_token = true;
                /* A token from the future was not made by this store. */
                if (op->rev > s->rev) {
                        op->r = kl_err_set_msg(&op->err, -EINVAL,
                                               "invalid continue token: continue key is not "
                                               "valid: resourceVersion in the future");
                        goto done;
                }
        } else if (n > 0) {
                op->rev = n;
                /*
                 * Upstream: NotOlderThan when asked, and for an unset match without
                 * a limit; an unset match with a limit is the legacy exact read.
                 */
                op->not_older = kl_streq(rv_match ? rv_match : "", "NotOlderThan") ||
                                (kl_isempty(rv_match) && op->limit == 0);
        }
        if (op->rev > s->rev) {
                kl_apiserver__wait_rev(s, op->rev, list_run, op);
                return;
        }
        list_run(op);
        return;
done:
        list_op_finish(op);
}
