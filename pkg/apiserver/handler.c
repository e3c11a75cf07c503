/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource handler layer (apiserver.h): reads from the watch cache on
 * the loop thread, writes on the pool (kl_loop_run_blocking(), R8.6).
 *
 * A write is one `struct op`, owned by the operation from submission to the
 * callback. The worker does all the work that touches JSON and the store
 * (read, patch, validate, encode, compare-and-swap); the loop only starts it
 * and, when it is done, waits until the watch cache has seen the write's
 * revision before calling back, so a client that reads after its write
 * reads what it wrote (the store's watch delivers soon after the commit).
 */
#include <string.h>

#include "api/patch.h"
#include "api/schema.h"
#include "api/selector.h"
#include "apiserver/apiserver-internal.h"
#include "loop/loop.h"
#include "json/json.h"

/* Retries of a read-modify-write that lost a compare-and-swap race. */
#define MAX_CAS_RETRIES 16

enum op_verb {
        OP_CREATE,
        OP_UPDATE,
        OP_PATCH,
        OP_DELETE,
};

struct op {
        struct kl_apiserver *s; /* borrowed; holds s->ops */
        enum op_verb verb;
        const struct kl_api_resource *res; /* static */
        char *ns;                          /* owned */
        char *name;                        /* owned */
        char *sub;                         /* owned */
        json_t *body;                      /* owned: object, patch or DeleteOptions */
        int patch_type;
        bool dry_run;
        int field_validation;
        kl_apiserver_write_fn *cb;
        void *arg;
        /* Results, written by the worker, read by the loop after it. */
        int r;
        struct kl_err *err; /* owned */
        json_t *result;     /* owned */
        int status;
        int64_t rev;
};

static void op_free(struct op *op)
{
        free(op->ns);
        free(op->name);
        free(op->sub);
        json_decref(op->body);
        json_decref(op->result);
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

int kl_apiserver_get(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                     const char *name, json_t **ret_obj, struct kl_err **err)
{
        kl_autofree char *key = kl_api_storage_key(res, ns, name);
        struct kl_apiserver__obj *o = kl_apiserver__cache_find(kl_apiserver__cache_of(s, res), key);
        json_t *v;

        if (!o)
                return kl_apiserver__err_not_found(err, res, name);
        v = kl_apiserver__obj_decode(o);
        if (!v)
                return kl_err_set(err, -EIO, "stored object '%s' does not decode", key);
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
        struct kl_apiserver__cache *c = kl_apiserver__cache_of(s, res);
        json_auto_t *list = json_object();
        json_t *items = json_array();
        json_t *meta = json_object();
        char api_version[128], rv[24];
        size_t i, plen = strlen(prefix);
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

        (void)json_object_set_new(list, "kind", json_string(res->list_kind));
        (void)json_object_set_new(
                list, "apiVersion",
                json_string(kl_api_resource_api_version(res, api_version, sizeof(api_version))));
        (void)json_object_set_new(list, "metadata", meta);
        (void)json_object_set_new(list, "items", items);

        if (!kl_isempty(opts->continue_token)) {
                /* The token is the last key served; it must lie in this list's range. */
                if (!kl_startswith(opts->continue_token, prefix))
                        return kl_err_set_msg(err, -KL_EEXPIRED,
                                              "The provided continue parameter is too old to "
                                              "display a consistent list result. You can start a "
                                              "new list without the continue parameter.");
                i = kl_apiserver__cache_lower_bound(c, opts->continue_token, false);
        } else {
                i = kl_apiserver__cache_lower_bound(c, prefix, true);
        }
        for (; i < c->n && strncmp(c->items[i]->key, prefix, plen) == 0; i++) {
                json_t *obj;

                if (opts->limit > 0 && (int64_t)json_array_size(items) == opts->limit) {
                        (void)json_object_set_new(meta, "continue",
                                                  json_string(c->items[i - 1]->key));
                        break;
                }
                obj = kl_apiserver__obj_decode(c->items[i]);
                if (!obj)
                        continue;
                if (!kl_api_label_selector_matches(
                            ls, json_object_get(json_object_get(obj, "metadata"), "labels")) ||
                    !kl_api_field_selector_matches(fs, obj, kl_apiserver__field_get, NULL)) {
                        json_decref(obj);
                        continue;
                }
                (void)json_array_append_new(items, obj);
        }
        (void)snprintf(rv, sizeof(rv), "%lld", (long long)s->rev);
        (void)json_object_set_new(meta, "resourceVersion", json_string(rv));
        *ret_list = KL_TAKE_PTR(list);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Writes: the worker side */

static bool has_status_sub(const struct kl_api_resource *res)
{
        return kl_api_resource_subresource(res, "status") != NULL;
}

static int encode_canonical(const json_t *obj, struct kl_buf *out, struct kl_err **err)
{
        json_auto_t *copy = json_deep_copy(obj);
        json_t *meta = json_object_get(copy, "metadata");

        /* resourceVersion is the key's mod revision, never part of the value (DESIGN §4). */
        if (json_is_object(meta))
                (void)json_object_del(meta, "resourceVersion");
        return kl_json_encode(copy, KL_JSON_ENCODE_CANONICAL, out, err);
}

static json_t *decode_kv(const struct kl_store_kv *kv)
{
        json_t *v = NULL;

        if (kl_json_decode(kv->value, kv->len, KL_STORE_VALUE_MAX_LIMIT, &v, NULL) < 0)
                return NULL;
        kl_apiserver__object_set_rv(v, kv->mod_rev);
        return v;
}

static int check_schema(const struct op *op, const json_t *obj, struct kl_err **err)
{
        const struct kl_api_message *m =
                op->res->schema ? kl_api_schema_message(op->res->schema) : NULL;

        if (!m)
                return 0;
        return kl_api_schema_check(m, obj, op->field_validation, NULL, err);
}

static int check_namespace(struct op *op, const char *ns, const char *name, struct kl_err **err)
{
        const struct kl_api_resource *nsres = kl_api_resource_find("", "v1", "namespaces");
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        kl_autofree char *key = NULL;
        json_auto_t *nsobj = NULL;
        int r;

        kl_assert(nsres);
        key = kl_api_storage_key(nsres, NULL, ns);
        r = kl_store_get(op->s->store, key, 0, &kv, NULL);
        if (r == -ENOENT)
                return kl_apiserver__err_not_found(err, nsres, ns);
        if (r < 0)
                return kl_err_set(err, r, "read namespace '%s'", ns);
        nsobj = decode_kv(kv);
        if (json_object_get(json_object_get(nsobj, "metadata"), "deletionTimestamp"))
                return kl_err_set_msg(err, -EACCES,
                                      "%s \"%s\" is forbidden: unable to create new content in "
                                      "namespace %s because it is being terminated",
                                      op->res->plural, name, ns);
        return 0;
}

/* Defaults the output and kubectl's logic depend on (contract §4). */
static void apply_defaults(const struct kl_api_resource *res, json_t *obj)
{
        if (*res->group == '\0' && kl_streq(res->plural, "namespaces")) {
                json_t *spec = json_object_get(obj, "spec");
                json_t *status = json_object();

                if (!json_is_object(spec)) {
                        spec = json_object();
                        (void)json_object_set_new(obj, "spec", spec);
                }
                if (!json_object_get(spec, "finalizers"))
                        (void)json_object_set_new(spec, "finalizers",
                                                  json_pack("[s]", "kubernetes"));
                (void)json_object_set_new(status, "phase", json_string("Active"));
                (void)json_object_set_new(obj, "status", status);
        }
}

static int create_do(struct op *op)
{
        kl_autobuf struct kl_buf value = KL_BUF_INIT;
        kl_autofree char *key = NULL;
        json_t *meta;
        const char *ns = NULL, *name;
        int64_t rev = 0;
        int r;

        r = check_schema(op, op->body, &op->err);
        if (r < 0)
                return r;
        r = kl_apiserver__object_prepare_create(op->res, op->ns, op->body, kl_now_realtime(),
                                                has_status_sub(op->res), &op->err);
        if (r < 0)
                return r;
        apply_defaults(op->res, op->body);
        meta = json_object_get(op->body, "metadata");
        name = json_string_value(json_object_get(meta, "name"));
        if (op->res->namespaced) {
                ns = json_string_value(json_object_get(meta, "namespace"));
                r = check_namespace(op, ns, name, &op->err);
                if (r < 0)
                        return r;
        }
        key = kl_api_storage_key(op->res, ns, name);
        r = encode_canonical(op->body, &value, &op->err);
        if (r < 0)
                return r;
        if (!op->dry_run) {
                r = kl_store_create(op->s->store, key, value.buf, value.len, 0, &rev, NULL, NULL);
                if (r == -EEXIST) {
                        char q[128];

                        return kl_err_set_msg(&op->err, -EEXIST, "%s \"%s\" already exists",
                                              kl_api_resource_qualified(op->res, q, sizeof(q)),
                                              name);
                }
                if (r < 0)
                        return kl_err_set(&op->err, r, "create '%s'", key);
                kl_apiserver__object_set_rv(op->body, rev);
        }
        op->result = op->body;
        op->body = NULL;
        op->status = 201;
        op->rev = rev;
        return 0;
}

static void create_work(void *arg)
{
        struct op *op = arg;

        op->r = create_do(op);
}

/* The Scale view of an object (autoscaling/v1). New. */
json_t *kl_apiserver__scale_of(const json_t *obj)
{
        const json_t *meta = json_object_get(obj, "metadata");
        const json_t *spec = json_object_get(obj, "spec");
        const json_t *status = json_object_get(obj, "status");
        json_t *sel = json_object_get(status, "selector");
        json_t *scale = json_object();
        json_t *smeta = json_object();
        static const char *const keys[] = { "name", "namespace", "uid", "resourceVersion",
                                            "creationTimestamp" };
        json_int_t replicas = json_is_integer(json_object_get(spec, "replicas"))
                                      ? json_integer_value(json_object_get(spec, "replicas"))
                                      : 1;

        for (size_t i = 0; i < KL_ARRAY_SIZE(keys); i++) {
                json_t *v = json_object_get(meta, keys[i]);

                if (v)
                        (void)json_object_set_new(smeta, keys[i], json_deep_copy(v));
        }
        (void)json_object_set_new(scale, "kind", json_string("Scale"));
        (void)json_object_set_new(scale, "apiVersion", json_string("autoscaling/v1"));
        (void)json_object_set_new(scale, "metadata", smeta);
        (void)json_object_set_new(scale, "spec", json_pack("{sI}", "replicas", replicas));
        (void)json_object_set_new(scale, "status",
                                  json_pack("{sIss}", "replicas",
                                            json_integer_value(json_object_get(status, "replicas")),
                                            "selector",
                                            json_is_string(sel) ? json_string_value(sel) : ""));
        return scale;
}

/* Compare a resourceVersion a client sent with the stored one: 0 when absent or equal. */
static int check_rv(const struct op *op, const json_t *obj, int64_t mod_rev, struct kl_err **err)
{
        const char *rv = json_string_value(
                json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
        int64_t v;

        if (kl_isempty(rv))
                return 0;
        if (kl_parse_int64(rv, &v) < 0 || v != mod_rev)
                return kl_apiserver__err_conflict(err, op->res, op->name);
        return 1;
}

/*
 * Compute the new object from the stored one for PUT and PATCH: the
 * subresource rules, the server-owned metadata, validation. On success
 * *ret_new is new; *ret_pinned says whether the client named a
 * resourceVersion (then a lost race is a 409, not a retry).
 */
static int compute_update(struct op *op, const json_t *old, int64_t mod_rev, json_t **ret_new,
                          bool *ret_pinned, struct kl_err **err)
{
        json_auto_t *input = NULL; /* what the client's body makes of the object or Scale */
        json_auto_t *next = NULL;
        bool scale = op->sub && kl_streq(op->sub, "scale");
        int r;

        if (op->verb == OP_UPDATE) {
                input = json_deep_copy(op->body);
        } else {
                json_auto_t *base = scale ? kl_apiserver__scale_of(old) : json_deep_copy(old);

                switch (op->patch_type) {
                case KL_API_PATCH_TYPE_MERGE:
                        r = kl_api_patch_merge(base, op->body, &input, err);
                        break;
                case KL_API_PATCH_TYPE_JSON:
                        r = kl_api_patch_json(base, op->body, &input, err);
                        break;
                case KL_API_PATCH_TYPE_STRATEGIC:
                case KL_API_PATCH_TYPE_APPLY_YAML: {
                        const struct kl_api_message *m =
                                scale ? kl_api_schema_message("io.k8s.api.autoscaling.v1.Scale")
                                      : kl_api_schema_message(op->res->schema);

                        r = kl_api_patch_strategic(base, op->body, kl_api_patch_schema_lookup, m,
                                                   &input, err);
                        break;
                }
                default:
                        return kl_err_set(err, -KL_EUNSUPPORTED_MEDIA, "unsupported patch type");
                }
                if (r < 0)
                        return r;
                if (!json_is_object(input))
                        return kl_err_set_msg(err, -EINVAL,
                                              "json: cannot unmarshal %s into Go value of type "
                                              "map[string]interface {}",
                                              kl_json_type_name(input));
        }
        r = check_rv(op, input, mod_rev, err);
        if (r < 0)
                return r;
        *ret_pinned = r > 0;

        if (scale) {
                json_t *replicas = json_object_get(json_object_get(input, "spec"), "replicas");

                if (!json_is_integer(replicas) || json_integer_value(replicas) < 0)
                        return kl_err_set_msg(err, -KL_EINVALID,
                                              "Scale.autoscaling \"%s\" is invalid: spec.replicas: "
                                              "Invalid value: %s: must be greater than or equal "
                                              "to 0",
                                              op->name, json_is_integer(replicas) ? "-1" : "null");
                next = json_deep_copy(old);
                (void)json_object_set_new(json_object_get(next, "spec"), "replicas",
                                          json_integer(json_integer_value(replicas)));
                r = kl_apiserver__object_prepare_update(op->res, old, next, true, err);
        } else if (op->sub && kl_streq(op->sub, "status")) {
                json_t *status = json_object_get(input, "status");

                next = json_deep_copy(old);
                if (status)
                        (void)json_object_set_new(next, "status", json_deep_copy(status));
                else
                        (void)json_object_del(next, "status");
                r = 0;
        } else if (op->sub) {
                return kl_err_set_msg(err, -ENOENT,
                                      "the server could not find the requested resource");
        } else {
                r = check_schema(op, input, err);
                if (r < 0)
                        return r;
                next = KL_TAKE_PTR(input);
                r = kl_apiserver__object_prepare_update(op->res, old, next, has_status_sub(op->res),
                                                        err);
        }
        if (r < 0)
                return r;
        *ret_new = KL_TAKE_PTR(next);
        return 0;
}

static json_t *finalizers_of(const json_t *obj)
{
        json_t *f = json_object_get(json_object_get(obj, "metadata"), "finalizers");

        return json_is_array(f) ? f : NULL;
}

static void update_work(void *arg)
{
        struct op *op = arg;
        kl_autofree char *key = kl_api_storage_key(op->res, op->ns, op->name);
        int r = 0;

        for (int attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                kl_autobuf struct kl_buf value = KL_BUF_INIT;
                kl_autobuf struct kl_buf oldv = KL_BUF_INIT;
                json_auto_t *old = NULL;
                json_auto_t *next = NULL;
                bool pinned = false;
                int64_t rev = 0;

                r = kl_store_get(op->s->store, key, 0, &kv, NULL);
                if (r == -ENOENT) {
                        r = kl_apiserver__err_not_found(&op->err, op->res, op->name);
                        break;
                }
                if (r < 0) {
                        r = kl_err_set(&op->err, r, "read '%s'", key);
                        break;
                }
                old = decode_kv(kv);
                if (!old) {
                        r = kl_err_set(&op->err, -EIO, "stored object '%s' does not decode", key);
                        break;
                }
                r = compute_update(op, old, kv->mod_rev, &next, &pinned, &op->err);
                if (r < 0)
                        break;
                r = encode_canonical(next, &value, &op->err);
                if (r < 0)
                        break;
                op->status = 200;
                (void)encode_canonical(old, &oldv, NULL);
                if (value.len == oldv.len && memcmp(value.buf, oldv.buf, value.len) == 0) {
                        /* A no-op write changes nothing, not even the resourceVersion. */
                        op->result = KL_TAKE_PTR(old);
                        break;
                }
                if (op->dry_run) {
                        op->result = KL_TAKE_PTR(next);
                        break;
                }
                if (json_object_get(json_object_get(next, "metadata"), "deletionTimestamp") &&
                    json_array_size(finalizers_of(next)) == 0) {
                        /* The last finalizer is gone: the deletion it held up happens now. */
                        r = kl_store_delete(op->s->store, key, kv->mod_rev, &rev, NULL, NULL);
                } else {
                        r = kl_store_update(op->s->store, key, value.buf, value.len, kv->mod_rev, 0,
                                            &rev, NULL, NULL);
                }
                if (r == -KL_ECONFLICT || r == -ENOENT) {
                        if (pinned) {
                                r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
                                break;
                        }
                        continue;
                }
                if (r < 0) {
                        r = kl_err_set(&op->err, r, "update '%s'", key);
                        break;
                }
                kl_apiserver__object_set_rv(next, rev);
                op->result = op->sub && kl_streq(op->sub, "scale") ? kl_apiserver__scale_of(next)
                                                                   : json_incref(next);
                op->rev = rev;
                break;
        }
        if (r == -KL_ECONFLICT && !op->err)
                r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
        op->r = r;
}

/* Delete every object of namespace `ns`: upstream's namespace controller, done inline for now. */
static int delete_namespace_contents(struct op *op, const char *ns)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);

        for (size_t i = 0; i < n; i++) {
                kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;
                kl_autofree char *prefix = NULL;
                int r;

                if (!rows[i].namespaced || rows[i].storage_group)
                        continue; /* rows that share another row's storage are covered by it */
                prefix = kl_api_storage_key(&rows[i], ns, NULL);
                r = kl_store_list(op->s->store, prefix, 0, 0, NULL, &l, &op->err);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < l->n; j++) {
                        r = kl_store_delete(op->s->store, l->items[j]->key, 0, NULL, NULL, NULL);
                        if (r < 0 && r != -ENOENT)
                                return kl_err_set(&op->err, r, "delete '%s'", l->items[j]->key);
                }
        }
        return 0;
}

static bool returns_object(const struct kl_api_resource *res)
{
        /* Upstream answers these deletes with the object, the rest with a Status. */
        return *res->group == '\0' &&
               (kl_streq(res->plural, "pods") || kl_streq(res->plural, "services") ||
                kl_streq(res->plural, "namespaces"));
}

static void delete_work(void *arg)
{
        struct op *op = arg;
        kl_autofree char *key = kl_api_storage_key(op->res, op->ns, op->name);
        const json_t *pre = json_object_get(op->body, "preconditions");
        json_t *dry = json_object_get(op->body, "dryRun");
        bool is_ns = *op->res->group == '\0' && kl_streq(op->res->plural, "namespaces");
        int r = 0;

        if (json_is_array(dry) && json_array_size(dry) > 0)
                op->dry_run = true;
        for (int attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                json_auto_t *old = NULL;
                const char *uid, *want;
                int64_t rev = 0;

                r = kl_store_get(op->s->store, key, 0, &kv, NULL);
                if (r == -ENOENT) {
                        r = kl_apiserver__err_not_found(&op->err, op->res, op->name);
                        break;
                }
                if (r < 0) {
                        r = kl_err_set(&op->err, r, "read '%s'", key);
                        break;
                }
                old = decode_kv(kv);
                if (!old) {
                        r = kl_err_set(&op->err, -EIO, "stored object '%s' does not decode", key);
                        break;
                }
                uid = json_string_value(json_object_get(json_object_get(old, "metadata"), "uid"));
                want = json_string_value(json_object_get(pre, "uid"));
                if (want && !kl_streq_null(want, uid)) {
                        r = kl_err_set_msg(&op->err, -KL_ECONFLICT,
                                           "Precondition failed: UID in precondition: %s, UID in "
                                           "object meta: %s",
                                           want, uid ? uid : "");
                        break;
                }
                if (json_object_get(pre, "resourceVersion")) {
                        json_auto_t *p = json_pack("{s{sO}}", "metadata", "resourceVersion",
                                                   json_object_get(pre, "resourceVersion"));

                        r = check_rv(op, p, kv->mod_rev, &op->err);
                        if (r < 0)
                                break;
                }
                op->status = 200;
                if (json_array_size(finalizers_of(old)) > 0) {
                        kl_autobuf struct kl_buf value = KL_BUF_INIT;
                        json_t *meta = json_object_get(old, "metadata");
                        char ts[KL_RFC3339_MAX];

                        if (json_object_get(meta, "deletionTimestamp")) {
                                op->result = KL_TAKE_PTR(old);
                                break;
                        }
                        kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_SECONDS, ts, sizeof(ts));
                        (void)json_object_set_new(meta, "deletionTimestamp", json_string(ts));
                        (void)json_object_set_new(meta, "deletionGracePeriodSeconds",
                                                  json_integer(0));
                        if (op->dry_run) {
                                op->result = KL_TAKE_PTR(old);
                                break;
                        }
                        r = encode_canonical(old, &value, &op->err);
                        if (r < 0)
                                break;
                        r = kl_store_update(op->s->store, key, value.buf, value.len, kv->mod_rev, 0,
                                            &rev, NULL, NULL);
                } else if (op->dry_run) {
                        r = 0;
                } else {
                        if (is_ns) {
                                r = delete_namespace_contents(op, op->name);
                                if (r < 0)
                                        break;
                        }
                        r = kl_store_delete(op->s->store, key, kv->mod_rev, &rev, NULL, NULL);
                }
                if (r == -KL_ECONFLICT)
                        continue;
                if (r == -ENOENT) {
                        r = kl_apiserver__err_not_found(&op->err, op->res, op->name);
                        break;
                }
                if (r < 0) {
                        r = kl_err_set(&op->err, r, "delete '%s'", key);
                        break;
                }
                op->rev = rev;
                if (rev)
                        kl_apiserver__object_set_rv(old, rev);
                if (json_object_get(json_object_get(old, "metadata"), "deletionTimestamp") ||
                    returns_object(op->res))
                        op->result = KL_TAKE_PTR(old);
                else
                        op->result = kl_apiserver__status_success(op->res, op->name, uid);
                break;
        }
        if (r == -KL_ECONFLICT && !op->err)
                r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
        op->r = r;
}

/*
 * PATCH with application/apply-patch+yaml upserts: when the object does not
 * exist, the patch is the object to create (contract §11.4). Server-side
 * apply's field ownership is not implemented yet: the body merges as a
 * strategic merge patch.
 */
static void patch_work(void *arg)
{
        struct op *op = arg;

        if (op->patch_type == KL_API_PATCH_TYPE_APPLY_YAML && !op->sub) {
                kl_autofree char *key = kl_api_storage_key(op->res, op->ns, op->name);
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;

                if (kl_store_get(op->s->store, key, 0, &kv, NULL) == -ENOENT) {
                        create_work(op);
                        return;
                }
        }
        update_work(op);
}

/* ------------------------------------------------------------------------- */
/* Writes: the loop side */

static void op_finish(void *arg)
{
        struct op *op = arg;
        struct kl_apiserver_result res = { .status = op->status,
                                           .obj = op->result,
                                           .rev = op->rev };

        op->cb(op->arg, op->r, op->r < 0 ? NULL : &res, op->err);
        op_free(op);
}

static void op_done(void *arg, int status)
{
        struct op *op = arg;
        struct kl_apiserver *s = op->s;

        kl_assert(s->ops > 0);
        s->ops--;
        if (status < 0 && op->r >= 0)
                op->r = kl_err_set(&op->err, -KL_EUNAVAILABLE, "the server is shutting down");
        if (op->r >= 0 && op->rev > 0)
                kl_apiserver__wait_rev(s, op->rev, op_finish, op);
        else
                op_finish(op);
        if (s->closing)
                kl_apiserver__close_step(s);
}

static void op_submit(struct op *op)
{
        struct kl_apiserver *s = op->s;
        kl_loop_work_fn *work;
        int r;

        switch (op->verb) {
        case OP_CREATE:
                work = create_work;
                break;
        case OP_UPDATE:
                work = update_work;
                break;
        case OP_PATCH:
                work = patch_work;
                break;
        default:
                work = delete_work;
                break;
        }
        if (s->closing) {
                op->r = kl_err_set(&op->err, -KL_EUNAVAILABLE, "the server is shutting down");
                op_finish(op);
                return;
        }
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
        op->dry_run = o && o->dry_run;
        op->field_validation = o ? o->field_validation : KL_API_FIELD_VALIDATION_IGNORE;
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

void kl_apiserver_patch(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                        const char *name, const char *sub, int type, json_t *patch,
                        const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                        void *arg)
{
        struct op *op = op_new(s, OP_PATCH, res, ns, name, sub, patch, opts, cb, arg);

        op->patch_type = type;
        /* The apply body is a whole object: it names the object it creates. */
        if (type == KL_API_PATCH_TYPE_APPLY_YAML && json_is_object(patch)) {
                json_t *meta = json_object_get(patch, "metadata");

                if (json_is_object(meta) && !json_object_get(meta, "name"))
                        (void)json_object_set_new(meta, "name", json_string(name));
        }
        op_submit(op);
}

void kl_apiserver_delete(struct kl_apiserver *s, const struct kl_api_resource *res, const char *ns,
                         const char *name, json_t *delete_opts,
                         const struct kl_apiserver_write_opts *opts, kl_apiserver_write_fn *cb,
                         void *arg)
{
        op_submit(op_new(s, OP_DELETE, res, ns, name, NULL, delete_opts, opts, cb, arg));
}
