/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's dispatcher (STYLE R7.3): argument checks and limits, the backend
 * registry, continue tokens, and the objects every backend returns. Backends
 * never validate: whatever reaches them has been checked here.
 */
#include "store/store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "store/store-internal.h"

static const struct kl_store_ops *const backends[] = {
        &kl_store_sqlite_ops,
};

static const char *const sync_names[KL_STORE_SYNC__COUNT] = {
        [KL_STORE_SYNC_FULL] = "full",
        [KL_STORE_SYNC_RELAXED] = "relaxed",
};

enum kl_store_sync kl_store_sync_parse(const char *s)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(sync_names); i++)
                if (s && strcmp(s, sync_names[i]) == 0)
                        return (enum kl_store_sync)i;
        return KL_STORE_SYNC__INVALID;
}

const char *kl_store_sync_name(enum kl_store_sync sync)
{
        if (sync < 0 || sync >= KL_STORE_SYNC__COUNT)
                return NULL;
        return sync_names[sync];
}

const char *kl_store_backends(void)
{
        /* One backend today; the list is built by hand when a second one arrives. */
        return "sqlite";
}

const char *kl_store_backend_name(const struct kl_store *s)
{
        return s->ops->name;
}

/* Objects ------------------------------------------------------------------- */

struct kl_store_kv *kl_store__kv_new(const char *key, size_t key_len, const void *value, size_t len,
                                     int64_t create_rev, int64_t mod_rev)
{
        /* One allocation: the struct, the key and its NUL, the value and a NUL. */
        struct kl_store_kv *kv = kl_malloc(sizeof(*kv) + key_len + 1 + len + 1);
        char *k = (char *)(kv + 1), *v = k + key_len + 1;

        memcpy(k, key, key_len);
        k[key_len] = '\0';
        if (len > 0)
                memcpy(v, value, len);
        v[len] = '\0';
        *kv = (struct kl_store_kv){
                .key = k, .value = v, .len = len, .create_rev = create_rev, .mod_rev = mod_rev
        };
        return kv;
}

void kl_store_kv_free(struct kl_store_kv *kv)
{
        free(kv);
}

void kl_store_list_free(struct kl_store_list *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++)
                kl_store_kv_free(l->items[i]);
        free(l->items);
        free(l->continue_token);
        free(l);
}

struct kl_store_event *kl_store__event_new(enum kl_store_event_type type, const char *key,
                                           int64_t create_rev, int64_t mod_rev, const void *value,
                                           size_t len, bool has_prev, const void *prev_value,
                                           size_t prev_len, int64_t prev_create_rev,
                                           int64_t prev_mod_rev)
{
        size_t key_len = strlen(key);
        struct kl_store_event *ev;
        char *k, *v, *pv;

        /*
         * One allocation per event, whatever the number of watchers: the hub
         * shares it by reference. The key is stored once for kv and prev.
         */
        ev = kl_malloc(sizeof(*ev) + key_len + 1 + len + 1 + prev_len + 1);
        k = (char *)(ev + 1);
        v = k + key_len + 1;
        pv = v + len + 1;
        memcpy(k, key, key_len + 1);
        if (len > 0)
                memcpy(v, value, len);
        v[len] = '\0';
        if (prev_len > 0)
                memcpy(pv, prev_value, prev_len);
        pv[prev_len] = '\0';
        *ev = (struct kl_store_event){
                .type = type,
                .kv = { .key = k,
                        .value = v,
                        .len = len,
                        .create_rev = create_rev,
                        .mod_rev = mod_rev },
                .has_prev = has_prev,
                .prev = { .key = k,
                          .value = pv,
                          .len = prev_len,
                          .create_rev = has_prev ? prev_create_rev : 0,
                          .mod_rev = has_prev ? prev_mod_rev : 0 },
                .refs = 1,
        };
        return ev;
}

struct kl_store_event *kl_store_event_ref(struct kl_store_event *ev)
{
        unsigned old = __atomic_fetch_add(&ev->refs, 1, __ATOMIC_RELAXED);

        kl_assert(old > 0);
        return ev;
}

struct kl_store_event *kl_store_event_unref(struct kl_store_event *ev)
{
        unsigned old;

        if (!ev)
                return NULL;
        old = __atomic_fetch_sub(&ev->refs, 1, __ATOMIC_ACQ_REL);
        kl_assert(old > 0);
        if (old == 1)
                free(ev);
        return NULL;
}

/* Keys, prefixes and tokens ---------------------------------------------- */

static bool key_chars_valid(const char *key, size_t *ret_len)
{
        size_t n = 0;

        for (const char *p = key; *p; p++, n++) {
                /* Printable ASCII without space: keys sort bytewise, and '!' (0x21)
                 * is the smallest byte, which the continue logic relies on. */
                if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
                        return false;
                if (n >= KL_STORE_KEY_MAX)
                        return false;
        }
        *ret_len = n;
        return true;
}

bool kl_store__key_is_valid(const char *key)
{
        size_t n = 0;

        return key && key[0] == '/' && key_chars_valid(key, &n) && n >= 2;
}

static bool prefix_is_valid(const char *prefix)
{
        size_t n = 0;

        return prefix && prefix[0] == '/' && key_chars_valid(prefix, &n);
}

char *kl_store__prefix_end(const char *prefix)
{
        char *end = kl_strdup(prefix);
        size_t n = strlen(end);

        /* Keys are 0x21..0x7e, so bumping the last byte never overflows a char. */
        kl_assert(n > 0 && (unsigned char)end[n - 1] < 0x7f);
        end[n - 1]++;
        return end;
}

/* The smallest key after `key`: keys have no byte below '!', so key + "!" is it. */
static char *key_successor(const char *key)
{
        return kl_asprintf("%s!", key);
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64url_encode(const unsigned char *in, size_t n)
{
        char *out = kl_malloc((n + 2) / 3 * 4 + 1), *o = out;
        size_t i;

        for (i = 0; i + 2 < n; i += 3) {
                unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

                *o++ = b64url[v >> 18 & 63];
                *o++ = b64url[v >> 12 & 63];
                *o++ = b64url[v >> 6 & 63];
                *o++ = b64url[v & 63];
        }
        if (n - i == 1) {
                unsigned v = (unsigned)in[i] << 16;

                *o++ = b64url[v >> 18 & 63];
                *o++ = b64url[v >> 12 & 63];
        } else if (n - i == 2) {
                unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;

                *o++ = b64url[v >> 18 & 63];
                *o++ = b64url[v >> 12 & 63];
                *o++ = b64url[v >> 6 & 63];
        }
        *o = '\0';
        return out;
}

static int b64url_value(char c)
{
        const char *p = c ? strchr(b64url, c) : NULL;

        return p ? (int)(p - b64url) : -1;
}

/* Unpadded base64url into `out` (NUL-terminated). -EINVAL on any bad input. */
static int b64url_decode(const char *in, size_t n, char *out, size_t out_size, size_t *ret_len)
{
        size_t o = 0;
        unsigned acc = 0;
        int bits = 0;

        if (n % 4 == 1)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                int v = b64url_value(in[i]);

                if (v < 0)
                        return -EINVAL;
                acc = acc << 6 | (unsigned)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        if (o + 1 >= out_size)
                                return -EINVAL;
                        out[o++] = (char)(acc >> bits & 0xff);
                }
        }
        /* Canonical encodings only: leftover bits must be zero. */
        if (acc & ((1u << bits) - 1))
                return -EINVAL;
        out[o] = '\0';
        *ret_len = o;
        return 0;
}

char *kl_store__continue_format(int64_t rev, const char *last_key)
{
        kl_autofree char *raw = kl_asprintf("%" PRId64 ":%s", rev, last_key);

        return b64url_encode((const unsigned char *)raw, strlen(raw));
}

/* The longest token we accept: a revision, ':' and a key, in base64. */
#define CONTINUE_RAW_MAX ((size_t)20 + 1 + KL_STORE_KEY_MAX)
#define CONTINUE_MAX     ((CONTINUE_RAW_MAX + 2) / 3 * 4)

int kl_store__continue_parse(const char *token, const char *prefix, int64_t *ret_rev,
                             char **ret_last)
{
        char raw[CONTINUE_RAW_MAX + 1];
        size_t n = strnlen(token, CONTINUE_MAX + 1), raw_len;
        char *colon;
        int64_t rev;

        if (n == 0 || n > CONTINUE_MAX)
                return -EINVAL;
        if (b64url_decode(token, n, raw, sizeof(raw), &raw_len) < 0)
                return -EINVAL;
        if (memchr(raw, '\0', raw_len))
                return -EINVAL;
        colon = strchr(raw, ':');
        if (!colon)
                return -EINVAL;
        *colon = '\0';
        /* Canonical revisions only: no sign, no leading zero ("02" is not a token we made). */
        if (raw[0] < '1' || raw[0] > '9' || kl_parse_int64(raw, &rev) < 0 || rev <= 0)
                return -EINVAL;
        if (!kl_store__key_is_valid(colon + 1) || !kl_startswith(colon + 1, prefix))
                return -EINVAL;
        *ret_rev = rev;
        *ret_last = kl_strdup(colon + 1);
        return 0;
}

/* Opening and closing --------------------------------------------------- */

void kl_store__set_revs(struct kl_store *s, int64_t rev, int64_t compact_rev)
{
        if (!s->revs_known) {
                /* The first call comes from open, before any backend thread runs. */
                s->revs_known = true;
                s->base_rev = rev;
                if (s->hub)
                        kl_store__hub_set_start(s, rev);
        }
        __atomic_store_n(&s->compact_rev, compact_rev, __ATOMIC_RELEASE);
        __atomic_store_n(&s->rev, rev, __ATOMIC_RELEASE);
}

int64_t kl_store_revision(struct kl_store *s)
{
        return __atomic_load_n(&s->rev, __ATOMIC_ACQUIRE);
}

int64_t kl_store_compacted_revision(struct kl_store *s)
{
        return __atomic_load_n(&s->compact_rev, __ATOMIC_ACQUIRE);
}

bool kl_store__wants_events(const struct kl_store *s)
{
        return s->hub != NULL;
}

static const struct kl_store_ops *find_backend(const char *scheme, size_t n)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(backends); i++)
                if (strlen(backends[i]->name) == n && memcmp(backends[i]->name, scheme, n) == 0)
                        return backends[i];
        return NULL;
}

static int check_options(const struct kl_store_options *o, struct kl_err **err)
{
        if (o->sync < 0 || o->sync >= KL_STORE_SYNC__COUNT)
                return kl_err_set(err, -EINVAL, "invalid sync mode %d", (int)o->sync);
        if (o->compact_keep_revs < 0)
                return kl_err_set(err, -EINVAL,
                                  "compaction must keep a positive number of revisions");
        if (o->max_value_size > KL_STORE_VALUE_MAX_LIMIT)
                return kl_err_set(err, -EINVAL, "maximum value size %zu is above the limit of %zu",
                                  o->max_value_size, KL_STORE_VALUE_MAX_LIMIT);
        if (o->watch_buffer > (1u << 20) || o->watch_window > (1u << 20))
                return kl_err_set(err, -EINVAL, "watch buffers are limited to 1048576 events");
        return 0;
}

int kl_store_open(uv_loop_t *loop, const struct kl_store_options *opts, struct kl_store **ret,
                  struct kl_err **err)
{
        const struct kl_store_ops *ops;
        struct kl_store *s;
        const char *sep;
        int r;

        if (!opts->dsn)
                return kl_err_set(err, -EINVAL, "no datastore endpoint");
        r = check_options(opts, err);
        if (r < 0)
                return r;
        sep = strstr(opts->dsn, "://");
        if (!sep)
                return kl_err_set(err, -EINVAL,
                                  "datastore endpoint '%s' has no scheme (compiled in: %s)",
                                  opts->dsn, kl_store_backends());
        ops = find_backend(opts->dsn, (size_t)(sep - opts->dsn));
        if (!ops)
                return kl_err_set(
                        err, -EINVAL,
                        "datastore endpoint '%s': unknown backend '%.*s' (compiled in: %s)",
                        opts->dsn, (int)(sep - opts->dsn), opts->dsn, kl_store_backends());
        if (ops->version != KL_STORE_OPS_VERSION || ops->size < sizeof(struct kl_store))
                return kl_err_set(err, -EINVAL,
                                  "backend '%s' was written for store interface %u, not %u",
                                  ops->name, ops->version, KL_STORE_OPS_VERSION);
        if (loop)
                kl_loop_assert_loop_thread(loop);

        s = kl_calloc(1, ops->size);
        s->ops = ops;
        s->loop = loop;
        s->dsn = kl_strdup(opts->dsn);
        s->opts = *opts;
        s->opts.dsn = s->dsn;
        if (s->opts.compact_keep_revs == 0)
                s->opts.compact_keep_revs = KL_STORE_COMPACT_KEEP_REVS_DEFAULT;
        if (s->opts.compact_keep_usec == 0)
                s->opts.compact_keep_usec = KL_STORE_COMPACT_KEEP_USEC_DEFAULT;
        if (s->opts.max_value_size == 0)
                s->opts.max_value_size = KL_STORE_VALUE_MAX_DEFAULT;
        if (s->opts.watch_buffer == 0)
                s->opts.watch_buffer = KL_STORE_WATCH_BUFFER_DEFAULT;
        if (s->opts.watch_window == 0)
                s->opts.watch_window = KL_STORE_WATCH_WINDOW_DEFAULT;

        /* The hub first: the backend asks kl_store__wants_events() as it starts its writer. */
        if (loop) {
                r = kl_store__hub_new(s, err);
                if (r < 0) {
                        kl_store__free(s);
                        return r;
                }
        }
        r = ops->open(s, sep + 3, err);
        if (r < 0) {
                r = kl_err_wrap(err, r, "open store '%s'", opts->dsn);
                ops->release(s);
                s->released = true;
                if (s->hub)
                        kl_store__hub_close(s); /* frees s once its handle is closed */
                else
                        kl_store__free(s);
                return r;
        }
        *ret = s;
        return 0;
}

void kl_store__free(struct kl_store *s)
{
        free(s->dsn);
        free(s);
}

void kl_store_close(struct kl_store *s)
{
        if (!s)
                return;
        kl_assert(!s->closing);
        s->closing = true;
        if (s->hub) {
                kl_store__hub_close(s);
                return;
        }
        s->ops->release(s);
        s->released = true;
        kl_store__free(s);
}

/* Operations ---------------------------------------------------------------- */

static int check_key(const char *key, struct kl_err **err)
{
        if (!kl_store__key_is_valid(key))
                return kl_err_set(err, -EINVAL, "invalid key '%.64s'", key ? key : "(null)");
        return 0;
}

static int check_value(struct kl_store *s, const char *key, size_t len, struct kl_err **err)
{
        if (len > s->opts.max_value_size)
                return kl_err_set(err, -E2BIG,
                                  "value of '%s' is %zu bytes, more than the limit of %zu", key,
                                  len, s->opts.max_value_size);
        return 0;
}

static void check_thread(struct kl_store *s)
{
        kl_assert(!s->closing);
        kl_loop_assert_not_loop_thread();
}

int kl_store_get(struct kl_store *s, const char *key, int64_t rev, struct kl_store_kv **ret_kv,
                 struct kl_err **err)
{
        int r;

        check_thread(s);
        r = check_key(key, err);
        if (r < 0)
                return r;
        if (rev < 0)
                return kl_err_set(err, -EINVAL, "invalid revision %" PRId64, rev);
        return s->ops->get(s, key, rev, ret_kv, err);
}

int kl_store_list(struct kl_store *s, const char *prefix, int64_t rev, size_t limit,
                  const char *continue_token, struct kl_store_list **ret_list, struct kl_err **err)
{
        kl_autofree char *end = NULL, *start = NULL;
        struct kl_store_kv **items = NULL;
        struct kl_store_list *l;
        size_t n = 0;
        int64_t read_rev = 0;
        int r;

        check_thread(s);
        if (!prefix_is_valid(prefix))
                return kl_err_set(err, -EINVAL, "invalid key prefix '%.64s'",
                                  prefix ? prefix : "(null)");
        if (rev < 0)
                return kl_err_set(err, -EINVAL, "invalid revision %" PRId64, rev);
        if (continue_token) {
                kl_autofree char *last = NULL;
                int64_t token_rev;

                if (kl_store__continue_parse(continue_token, prefix, &token_rev, &last) < 0)
                        return kl_err_set(err, -EINVAL, "invalid continue token");
                if (rev != 0 && rev != token_rev)
                        return kl_err_set(err, -EINVAL,
                                          "continue token is for revision %" PRId64
                                          ", not %" PRId64,
                                          token_rev, rev);
                rev = token_rev;
                start = key_successor(last);
        } else {
                start = kl_strdup(prefix);
        }
        end = kl_store__prefix_end(prefix);
        /* limit + 1 tells whether another page exists; SIZE_MAX stays "all". */
        r = s->ops->list(s, start, end, rev, limit, &items, &n, &read_rev, err);
        if (r < 0)
                return r;
        l = kl_new0(struct kl_store_list);
        l->items = items;
        l->n = n;
        l->rev = read_rev;
        if (limit > 0 && n > limit) {
                kl_store_kv_free(l->items[limit]);
                l->n = limit;
                l->continue_token = kl_store__continue_format(read_rev, l->items[limit - 1]->key);
        }
        *ret_list = l;
        return 0;
}

int kl_store_count(struct kl_store *s, const char *prefix, int64_t *ret_count, struct kl_err **err)
{
        kl_autofree char *end = NULL;

        check_thread(s);
        if (!prefix_is_valid(prefix))
                return kl_err_set(err, -EINVAL, "invalid key prefix '%.64s'",
                                  prefix ? prefix : "(null)");
        end = kl_store__prefix_end(prefix);
        return s->ops->count(s, prefix, end, ret_count, err);
}

/* The checks every write passes before it reaches the backend, blocking or not. */
static int check_write(struct kl_store *s, const struct kl_store__write *w, struct kl_err **err)
{
        int r;

        r = check_key(w->key, err);
        if (r < 0)
                return r;
        r = check_value(s, w->key, w->len, err);
        if (r < 0)
                return r;
        if (w->expected_rev < 0)
                return kl_err_set(err, -EINVAL, "invalid revision %" PRId64, w->expected_rev);
        return 0;
}

static int do_write(struct kl_store *s, struct kl_store__write *w, int64_t *ret_rev,
                    struct kl_store_kv **ret_kv, struct kl_err **err)
{
        int r;

        check_thread(s);
        r = check_write(s, w, err);
        if (r < 0)
                return r;
        r = s->ops->write(s, w, err);
        if (ret_kv)
                *ret_kv = KL_TAKE_PTR(w->res.kv);
        else
                kl_store_kv_free(KL_TAKE_PTR(w->res.kv));
        if (r < 0)
                return r;
        if (ret_rev)
                *ret_rev = w->res.rev;
        return 0;
}

int kl_store_create(struct kl_store *s, const char *key, const void *value, size_t len,
                    kl_usec_t ttl, int64_t *ret_rev, struct kl_store_kv **ret_current,
                    struct kl_err **err)
{
        struct kl_store__write w = {
                .op = KL_STORE__CREATE, .key = key, .value = value, .len = len, .ttl = ttl
        };

        return do_write(s, &w, ret_rev, ret_current, err);
}

int kl_store_update(struct kl_store *s, const char *key, const void *value, size_t len,
                    int64_t expected_rev, kl_usec_t ttl, int64_t *ret_rev,
                    struct kl_store_kv **ret_current, struct kl_err **err)
{
        struct kl_store__write w = { .op = KL_STORE__UPDATE,
                                     .key = key,
                                     .value = value,
                                     .len = len,
                                     .expected_rev = expected_rev,
                                     .ttl = ttl };

        return do_write(s, &w, ret_rev, ret_current, err);
}

int kl_store_delete(struct kl_store *s, const char *key, int64_t expected_rev, int64_t *ret_rev,
                    struct kl_store_kv **ret_prev, struct kl_err **err)
{
        struct kl_store__write w = { .op = KL_STORE__DELETE,
                                     .key = key,
                                     .expected_rev = expected_rev };

        return do_write(s, &w, ret_rev, ret_prev, err);
}

/*
 * Asynchronous writes. The write object is the one allocation per request:
 * key and value stay the caller's (borrowed until the callback), so nothing
 * is copied here; the writer copies the value once into the database and
 * once into the watch event.
 */
static int submit_write(struct kl_store *s, const struct kl_store__write *tmpl,
                        kl_store_done_fn *cb, void *arg, struct kl_err **err)
{
        struct kl_store__write *w;
        int r;

        kl_assert(cb);
        if (!s->hub)
                return kl_err_set(err, -ENOTSUP,
                                  "write '%.64s': the store was opened without a loop",
                                  tmpl->key ? tmpl->key : "(null)");
        kl_loop_assert_loop_thread(s->loop);
        if (s->closing)
                return kl_err_set(err, -ECANCELED, "write '%.64s': the store is closing",
                                  tmpl->key ? tmpl->key : "(null)");
        r = check_write(s, tmpl, err);
        if (r < 0)
                return r;
        w = kl_malloc(sizeof(*w));
        *w = *tmpl;
        w->done = cb;
        w->done_arg = arg;
        s->ops->submit(s, w);
        return 0;
}

int kl_store_submit_create(struct kl_store *s, const char *key, const void *value, size_t len,
                           kl_usec_t ttl, kl_store_done_fn *cb, void *arg, struct kl_err **err)
{
        const struct kl_store__write w = {
                .op = KL_STORE__CREATE, .key = key, .value = value, .len = len, .ttl = ttl
        };

        return submit_write(s, &w, cb, arg, err);
}

int kl_store_submit_update(struct kl_store *s, const char *key, const void *value, size_t len,
                           int64_t expected_rev, kl_usec_t ttl, kl_store_done_fn *cb, void *arg,
                           struct kl_err **err)
{
        const struct kl_store__write w = { .op = KL_STORE__UPDATE,
                                           .key = key,
                                           .value = value,
                                           .len = len,
                                           .expected_rev = expected_rev,
                                           .ttl = ttl };

        return submit_write(s, &w, cb, arg, err);
}

int kl_store_submit_delete(struct kl_store *s, const char *key, int64_t expected_rev,
                           kl_store_done_fn *cb, void *arg, struct kl_err **err)
{
        const struct kl_store__write w = { .op = KL_STORE__DELETE,
                                           .key = key,
                                           .expected_rev = expected_rev };

        return submit_write(s, &w, cb, arg, err);
}

void kl_store__write_finish(struct kl_store__write *w)
{
        w->done(w->done_arg, &w->res);
        kl_store_kv_free(w->res.kv);
        kl_err_free(w->res.err);
        free(w);
}

int kl_store_compact(struct kl_store *s, int64_t rev, unsigned flags, struct kl_err **err)
{
        int64_t cur;

        check_thread(s);
        cur = kl_store_revision(s);
        if (rev > cur)
                return kl_err_set(err, -ERANGE,
                                  "cannot compact to revision %" PRId64 ": current is %" PRId64,
                                  rev, cur);
        if (rev <= kl_store_compacted_revision(s) && !(flags & KL_STORE_COMPACT_WAIT))
                return 0;
        return s->ops->compact(s, rev, flags, err);
}
