/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kl_client_* wrappers (STYLE R7.2 item 7: callers never call through
 * ops), object keys and the borrowed-object vector of informer lookups.
 * The event recorder is event.c, informers informer.c, work queues
 * workqueue.c.
 */
#include <stdlib.h>
#include <string.h>

#include "client/client-internal.h"

void kl_client_init(struct kl_client *c, const struct kl_client_ops *ops, uv_loop_t *loop,
                    const char *user)
{
        c->ops = ops;
        c->loop = loop;
        c->user = kl_strdup(user);
        c->recorder = NULL;
}

/* The callback of a fire-and-forget write: nobody is waiting, so a failure is only noted. */
static void write_ignored(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        (void)arg;
        (void)obj;
        if (r < 0)
                kl_log_debug(KL_LOG_API, "client: write without a callback failed: %s",
                             err ? kl_err_msg(err) : kl_strerror(r));
}

void kl_client_get(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                   const char *name, kl_client_read_fn *cb, void *arg)
{
        kl_assert(cb);
        c->ops->get(c, res, ns, name, cb, arg);
}

void kl_client_list(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                    const struct kl_client_list_opts *opts, kl_client_read_fn *cb, void *arg)
{
        static const struct kl_client_list_opts none = { 0 };

        kl_assert(cb);
        c->ops->list(c, res, ns, opts ? opts : &none, cb, arg);
}

void kl_client_create(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                      json_t *obj, const struct kl_client_write_opts *opts, kl_client_write_fn *cb,
                      void *arg)
{
        c->ops->create(c, res, ns, obj, opts, cb ? cb : write_ignored, arg);
}

void kl_client_update(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                      const char *name, const char *sub, json_t *obj,
                      const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg)
{
        c->ops->update(c, res, ns, name, sub, obj, opts, cb ? cb : write_ignored, arg);
}

void kl_client_patch(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                     const char *name, const char *sub, int patch_type, json_t *patch,
                     const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg)
{
        c->ops->patch(c, res, ns, name, sub, patch_type, patch, opts, cb ? cb : write_ignored, arg);
}

void kl_client_delete(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                      const char *name, json_t *delete_opts,
                      const struct kl_client_write_opts *opts, kl_client_write_fn *cb, void *arg)
{
        c->ops->delete (c, res, ns, name, delete_opts, opts, cb ? cb : write_ignored, arg);
}

int kl_client_watch_start(struct kl_client *c, const struct kl_api_resource *res, const char *ns,
                          const struct kl_client_list_opts *opts, kl_client_watch_fn *cb, void *arg,
                          struct kl_client_watch **ret, struct kl_err **err)
{
        static const struct kl_client_list_opts none = { 0 };

        kl_assert(cb);
        return c->ops->watch_start(c, res, ns, opts ? opts : &none, cb, arg, ret, err);
}

void kl_client_watch_stop(struct kl_client *c, struct kl_client_watch *w)
{
        if (w)
                c->ops->watch_stop(w);
}

void kl_client_free(struct kl_client *c)
{
        struct kl_client__recorder *rec;
        char *user;

        if (!c)
                return;
        /*
         * The implementation completes the writes still in flight, the
         * recorder's among them, before it frees itself: the recorder must
         * outlive that, and its callbacks never reach the client.
         */
        rec = c->recorder;
        user = c->user;
        kl_client__recorder_close(rec);
        c->ops->free(c);
        kl_client__recorder_free(rec);
        free(user);
}

/* ------------------------------------------------------------------------- */
/* Keys */

char *kl_client_key(const json_t *obj)
{
        const json_t *meta = json_object_get(obj, "metadata");
        const char *ns = json_string_value(json_object_get(meta, "namespace"));
        const char *name = json_string_value(json_object_get(meta, "name"));

        if (!name)
                name = "";
        if (kl_isempty(ns))
                return kl_strdup(name);
        return kl_asprintf("%s/%s", ns, name);
}

void kl_client_key_split(const char *key, char **ret_ns, char **ret_name)
{
        const char *slash = strchr(key, '/');

        if (!slash) {
                *ret_ns = NULL;
                *ret_name = kl_strdup(key);
                return;
        }
        *ret_ns = kl_strndup(key, (size_t)(slash - key));
        *ret_name = kl_strdup(slash + 1);
}

int kl_client__key_cmp(const char *a, const char *b)
{
        const char *sa = strchr(a, '/'), *sb = strchr(b, '/');
        size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;
        int r;

        /* (namespace, name): "a/x" sorts before "a-b/x" although '-' < '/'. */
        r = memcmp(a, b, KL_MIN(la, lb));
        if (r != 0)
                return r;
        if (la != lb)
                return la < lb ? -1 : 1;
        return strcmp(sa ? sa + 1 : a, sb ? sb + 1 : b);
}

/* ------------------------------------------------------------------------- */
/* Object vectors */

void kl_objv_push(struct kl_objv *v, const json_t *obj)
{
        if (v->n == v->cap) {
                v->cap = v->cap ? v->cap * 2 : 16;
                v->items = kl_realloc(v->items, v->cap * sizeof(*v->items));
        }
        v->items[v->n++] = obj;
}

void kl_objv_clear(struct kl_objv *v)
{
        free(v->items);
        v->items = NULL;
        v->n = v->cap = 0;
}
