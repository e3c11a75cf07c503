/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource handler layer (apiserver.h): reads from the watch cache on
 * the loop thread, writes on the pool (kl_loop_run_blocking(), R8.6).
 *
 * A write is one `struct op` (op-internal.h), owned by the operation from
 * submission to the callback. The worker does all the work that touches
 * JSON and the store's reads (read, patch, validate, encode: write.c and
 * delete.c); the final write of a create or an update is submitted from
 * the loop with the store's asynchronous API (op->commit, on_commit()), so
 * no worker waits for a commit and the writes in flight share commit
 * groups (README.md, "Where a write runs"). Deletes, cascades and Services
 * still write from the worker. When the write is done, the loop waits
 * until the watch cache has seen its revision before calling back, so a
 * client that reads after its write reads what it wrote (the store's watch
 * delivers soon after the commit).
 *
 * This file: lookups, get and list, the public write entry points and the
 * op machinery on the loop.
 */
#include <string.h>

#include "api/patch.h"
#include "api/selector.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/convert-internal.h"
#include "apiserver/op-internal.h"
#include "loop/loop.h"
#include "json/json.h"

static void op_free(struct op *op)
{
        free(op->ns);
        free(op->name);
        free(op->sub);
        free(op->field_manager);
        json_decref(op->body);
        json_decref(op->result);
        json_decref(op->failure);
        json_decref(op->warnings);
        json_decref(op->next);
        free(op->key);
        kl_buf_release(&op->value);
        kl_err_free(op->err);
        free(op);
}

struct kl_apiserver__cache *kl_apiserver__cache_of(struct kl_apiserver *s,
                                                   const struct kl_api_resource *res)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);

        kl_assert(res >= rows && res < rows + n);
        return (struct kl_apiserver__cache *)s->by_row[res - rows];
}

/* ------------------------------------------------------------------------- */
/* Reads */

const struct kl_apiserver__obj *kl_apiserver__lookup(struct kl_apiserver *s,
                                                     const struct kl_api_resource *res,
                                                     const char *ns, const char *name,
                                                     struct kl_err **err)
{
        kl_autofree char *key = kl_api_storage_key(res, ns, name);
        const struct kl_apiserver__obj *o =
                kl_apiserver__cache_find(kl_apiserver__cache_of(s, res), key);

        if (!o)
                (void)kl_apiserver__err_not_found(err, res, name);
        return o;
}

int kl_apiserver_get(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                     const char *name, json_t **ret_obj, struct kl_err **err)
{
        const struct kl_apiserver__obj *o = kl_apiserver__lookup(s, res, ns, name, err);
        json_t *v;

        if (!o)
                return -ENOENT;
        v = kl_apiserver__obj_decode(o);
        if (!v)
                return kl_err_set(err, -EIO, "stored object '%s' does not decode", o->key);
        *ret_obj = v;
        return 0;
}

const char *kl_apiserver__field_get(const void *obj, const char *field, void *userdata)
{
        const char *v = kl_api_field_get_json(obj, field, userdata);

        /* Upstream's field sets default these when the object has no value. */
        if (!v && kl_streq(field, "spec.unschedulable"))
                return "false";
        return v;
}

int kl_apiserver_list(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                      const struct kl_apiserver_list_opts *opts, json_t **ret_list,
                      struct kl_err **err)
{
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *ls = NULL;
        kl_cleanup(kl_api_field_selector_freep) struct kl_api_field_selector *fs = NULL;
        kl_autofree char *prefix = kl_api_storage_key(res, ns, NULL);
        kl_autofree char *start = NULL;
        struct kl_apiserver__cache *c = kl_apiserver__cache_of(s, res);
        struct kl_apiserver__page p = { .rev = s->rev, .prefix = prefix, .limit = opts->limit };
        int r;

        r = kl_api_label_selector_parse(opts->label_selector ? opts->label_selector : "", &ls, err);
        if (r < 0)
                return r;
        r = kl_api_field_selector_parse(opts->field_selector ? opts->field_selector : "", &fs, err);
        if (r < 0)
                return r;
        r = kl_api_field_selector_check(fs, res->field_selectors, err);
        if (r < 0)
                return r;
        p.ls = ls;
        p.fs = fs;
        if (!kl_isempty(opts->continue_token)) {
                int64_t token_rev = 0;

                /* The same tokens as the HTTP lists (read.c); the cache holds one revision. */
                r = kl_apiserver__continue_decode(opts->continue_token, &token_rev, &start,
                                                  &p.start_exclusive, err);
                if (r < 0)
                        return r;
                if (token_rev != s->rev)
                        return kl_err_set_msg(err, -KL_EEXPIRED,
                                              "The provided continue parameter is too old to "
                                              "display a consistent list result. You can start a "
                                              "new list without the continue parameter.");
                p.start = start;
        }
        return kl_apiserver__list_page(res, c->items, c->n, &p, ret_list, NULL, err);
}

/* ------------------------------------------------------------------------- */
/* Writes: the loop side */

static void op_finish(void *arg)
{
        struct op *op = arg;
        struct kl_apiserver_result res = { .status = op->status,
                                           .obj = op->r < 0 ? op->failure : op->result,
                                           .rev = op->rev,
                                           .warnings = op->warnings };

        op->cb(op->arg, op->r, op->r >= 0 || op->failure ? &res : NULL, op->err);
        op_free(op);
}

/* The write is over (s->ops counted it until now): answer once the cache has it. */
static void op_end(struct op *op)
{
        struct kl_apiserver *s = op->s;

        kl_assert(s->ops > 0);
        s->ops--;
        if (op->r >= 0 && op->rev > 0)
                kl_apiserver__wait_rev(s, op->rev, op_finish, op);
        else
                op_finish(op);
        if (s->closing)
                kl_apiserver__close_step(s);
}

static void op_done(void *arg, int status);

/* The outcome of the store write submitted by commit_submit(). */
static void on_commit(void *arg, struct kl_store_result *res)
{
        struct op *op = arg;
        enum op_commit commit = op->commit;
        int r = res->r;

        op->commit = COMMIT_NONE;
        if (commit == COMMIT_CREATE) {
                if (r < 0)
                        op->r = kl_apiserver__op_create_failed(
                                op, op->key,
                                json_string_value(json_object_get(
                                        json_object_get(op->body, "metadata"), "name")),
                                r);
                else
                        kl_apiserver__op_create_done(op, res->rev);
                op_end(op);
                return;
        }
        if (r >= 0) {
                kl_apiserver__op_update_done(op, KL_TAKE_PTR(op->next), res->rev);
                op_end(op);
                return;
        }
        if (r == -KL_ECONFLICT || r == -ENOENT) {
                /* Lost a race: read, compute and try again on the pool, as
                 * kl_apiserver__op_update_work() would. */
                if (op->pinned || ++op->attempts >= KL_APISERVER__CAS_RETRIES) {
                        op->r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
                        op_end(op);
                        return;
                }
                op->status = 0;
                op->blocking = true;
                r = kl_loop_run_blocking(op->s->loop, kl_apiserver__op_update_work, op_done, op);
                if (r >= 0)
                        return;
                op->r = kl_err_set(&op->err, r, "queue work");
                op_end(op);
                return;
        }
        op->r = kl_err_set(&op->err, r, "update '%s'", op->key);
        op_end(op);
}

/* Submit the store write the worker left to the loop; it ends in on_commit(). */
static int commit_submit(struct op *op)
{
        struct kl_store *st = op->s->store;
        enum op_commit commit = op->commit;
        kl_autoerr struct kl_err *e = NULL;
        int r;

        /*
         * The tree just encoded stands for the decode of the same bytes when
         * the change reaches the watch cache (kl_apiserver__cache_offer()):
         * a decode fewer per write on the loop. Read only from here on.
         */
        if (commit == COMMIT_CREATE ? op->body != NULL : op->next != NULL)
                kl_apiserver__cache_offer(
                        kl_apiserver__cache_of(op->s, op->res), op->key, op->value.buf,
                        op->value.len, json_incref(commit == COMMIT_CREATE ? op->body : op->next));
        if (commit == COMMIT_CREATE)
                r = kl_store_submit_create(st, op->key, op->value.buf, op->value.len, 0, on_commit,
                                           op, &e);
        else
                r = kl_store_submit_update(st, op->key, op->value.buf, op->value.len,
                                           op->expected_rev, 0, on_commit, op, &e);
        if (r >= 0)
                return 0;
        /* Refused before queueing (closing, too large): what the blocking call would say. */
        op->commit = COMMIT_NONE;
        if (r == -ECANCELED)
                return kl_err_set(&op->err, -KL_EUNAVAILABLE, "the server is shutting down");
        if (commit == COMMIT_CREATE)
                return kl_apiserver__op_create_failed(
                        op, op->key,
                        json_string_value(
                                json_object_get(json_object_get(op->body, "metadata"), "name")),
                        r);
        return kl_err_set(&op->err, r, "update '%s'", op->key);
}

static void op_done(void *arg, int status)
{
        struct op *op = arg;

        if (status < 0 && op->r >= 0)
                op->r = kl_err_set(&op->err, -KL_EUNAVAILABLE, "the server is shutting down");
        /*
         * Also while closing: the store stays open until every op has ended
         * (kl_apiserver__close_step()), as a blocking write would have
         * finished on the worker.
         */
        if (op->r >= 0 && op->commit != COMMIT_NONE) {
                op->r = commit_submit(op);
                if (op->r >= 0)
                        return; /* s->ops still counts it: on_commit() ends it */
        }
        op_end(op);
}

/* The namespace of a create as the watch cache has it (loop thread). */
static enum op_ns_state ns_state_of(struct kl_apiserver *s, const char *ns)
{
        const struct kl_api_resource *nsres = kl_api_resource_find("", "v1", "namespaces");
        kl_autofree char *key = kl_api_storage_key(nsres, NULL, ns);
        const struct kl_apiserver__obj *o =
                kl_apiserver__cache_find(kl_apiserver__cache_of(s, nsres), key);
        static const char mark[] = "\"deletionTimestamp\"";
        json_auto_t *nsobj = NULL;

        if (!o)
                return NS_UNKNOWN;
        /* Most namespaces are not terminating: decode only when the text could say so. */
        if (!memmem(o->data, o->len, mark, sizeof(mark) - 1))
                return NS_ACTIVE;
        nsobj = kl_apiserver__obj_decode(o);
        if (!nsobj)
                return NS_UNKNOWN;
        return json_object_get(json_object_get(nsobj, "metadata"), "deletionTimestamp")
                       ? NS_TERMINATING
                       : NS_ACTIVE;
}

static void op_submit(struct op *op)
{
        struct kl_apiserver *s = op->s;
        kl_loop_work_fn *work;
        int r;

        switch (op->verb) {
        case OP_CREATE:
                work = kl_apiserver__op_create_work;
                break;
        case OP_UPDATE:
                work = kl_apiserver__op_update_work;
                break;
        case OP_PATCH:
                work = kl_apiserver__op_patch_work;
                break;
        default:
                work = kl_apiserver__op_delete_work;
                break;
        }
        if (s->closing) {
                op->r = kl_err_set(&op->err, -KL_EUNAVAILABLE, "the server is shutting down");
                op_finish(op);
                return;
        }
        if (op->res->namespaced && op->ns &&
            (op->verb == OP_CREATE ||
             (op->verb == OP_PATCH && op->patch_type == KL_API_PATCH_TYPE_APPLY_YAML)))
                op->ns_state = ns_state_of(s, op->ns);
        s->ops++;
        r = kl_loop_run_blocking(s->loop, work, op_done, op);
        if (r < 0) {
                s->ops--;
                op->r = kl_err_set(&op->err, r, "queue work");
                op_finish(op);
        }
}

static struct op *op_new(struct kl_apiserver *s, enum op_verb verb,
                         const struct kl_api_resource *res, const char *ns, const char *name,
                         const char *sub, json_t *body, const struct kl_apiserver_write_opts *o,
                         kl_apiserver_write_fn *cb, void *arg)
{
        struct op *op = kl_new0(struct op);

        op->s = s;
        op->verb = verb;
        op->res = res;
        op->ns = res->namespaced && ns ? kl_strdup(ns) : NULL;
        op->name = name ? kl_strdup(name) : NULL;
        op->sub = sub ? kl_strdup(sub) : NULL;
        op->body = body;
        op->value = (struct kl_buf)KL_BUF_INIT;
        op->dry_run = o && o->dry_run;
        op->field_validation = o ? o->field_validation : KL_API_FIELD_VALIDATION_IGNORE;
        op->field_manager =
                kl_strdup(o && !kl_isempty(o->field_manager) ? o->field_manager : "unknown");
        op->force = o && o->force;
        op->cb = cb;
        op->arg = arg;
        return op;
}

void kl_apiserver_create(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                         json_t *obj, const struct kl_apiserver_write_opts *opts,
                         kl_apiserver_write_fn *cb, void *arg)
{
        op_submit(op_new(s, OP_CREATE, res, ns, NULL, NULL, obj, opts, cb, arg));
}

void kl_apiserver_update(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                         const char *name, const char *sub, json_t *obj,
                         const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                         void *arg)
{
        op_submit(op_new(s, OP_UPDATE, res, ns, name, sub, obj, opts, cb, arg));
}

static struct op *patch_op_new(struct kl_apiserver *s, const struct kl_api_resource *res,
                               const char *ns, const char *name, const char *sub, int type,
                               json_t *patch, const struct kl_apiserver_write_opts *opts,
                               kl_apiserver_write_fn *cb, void *arg)
{
        struct op *op = op_new(s, OP_PATCH, res, ns, name, sub, patch, opts, cb, arg);

        op->patch_type = type;
        /* The apply body is a whole object: it names the object it creates. */
        if (type == KL_API_PATCH_TYPE_APPLY_YAML && json_is_object(patch)) {
                json_t *meta = json_object_get(patch, "metadata");

                if (json_is_object(meta) && !json_object_get(meta, "name"))
                        (void)json_object_set_new(meta, "name", json_string(name));
        }
        return op;
}

void kl_apiserver_patch(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                        const char *name, const char *sub, int type, json_t *patch,
                        const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                        void *arg)
{
        op_submit(patch_op_new(s, res, ns, name, sub, type, patch, opts, cb, arg));
}

void kl_apiserver__apply_view(struct kl_apiserver *s, const struct kl_api_resource *view,
                              const char *ns, const char *name, json_t *config,
                              const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                              void *arg)
{
        struct op *op = patch_op_new(s, kl_apiserver__storage_row(view), ns, name, NULL,
                                     KL_API_PATCH_TYPE_APPLY_YAML, config, opts, cb, arg);

        op->view = view;
        op_submit(op);
}

void kl_apiserver_delete(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                         const char *name, json_t *delete_opts,
                         const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                         void *arg)
{
        op_submit(op_new(s, OP_DELETE, res, ns, name, NULL, delete_opts, opts, cb, arg));
}
