/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The resource handler layer (apiserver.h): reads from the watch cache on
 * the loop thread, writes on the pool (kl_loop_run_blocking(), R8.6).
 *
 * A write is one `struct op`, owned by the operation from submission to the
 * callback. The worker does all the work that touches JSON and the store's
 * reads (read, patch, validate, encode); the final write of a create or an
 * update is submitted from the loop with the store's asynchronous API
 * (op->commit, on_commit()), so no worker waits for a commit and the writes
 * in flight share commit groups (README.md, "Where a write runs"). Deletes,
 * cascades and Services still write from the worker. When the write is
 * done, the loop waits until the watch cache has seen its revision before
 * calling back, so a client that reads after its write reads what it wrote
 * (the store's watch delivers soon after the commit).
 */
#include <string.h>

#include "api/defaults.h"
#include "api/patch.h"
#include "api/schema.h"
#include "api/selector.h"
#include "api/validate.h"
#include "apiserver/apiserver-internal.h"
#include "loop/loop.h"
#include "json/json.h"

enum op_verb {
        OP_CREATE,
        OP_UPDATE,
        OP_PATCH,
        OP_DELETE,
};

/* What the watch cache said of the request's namespace when the op was submitted. */
enum op_ns_state {
        NS_UNKNOWN, /* not in the cache (or not asked): the worker reads the store */
        NS_ACTIVE,
        NS_TERMINATING,
};

enum op_commit {
        COMMIT_NONE, /* done on the worker (or nothing to write) */
        COMMIT_CREATE,
        COMMIT_UPDATE,
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
        bool ns_cleanup;         /* deleting a namespace's content: do not re-check the namespace */
        bool force;              /* server-side apply takes conflicting fields */
        const char *cascade_uid; /* borrowed: the owner whose dependents are being deleted */
        char *field_manager;     /* owned */
        int field_validation;
        kl_apiserver_write_fn *cb;
        void *arg;
        /* Results, written by the worker, read by the loop after it. */
        int r;
        struct kl_err *err; /* owned */
        json_t *result;     /* owned */
        json_t *failure;    /* owned: the whole Status of a failure that has details (422) */
        json_t *warnings;   /* owned: array of warning texts, or NULL */
        int status;
        int64_t rev;
        /*
         * The store write the worker computed and left to the loop
         * (kl_store_submit_*()): the worker never waits for a commit, so
         * writes of many requests share one commit group.
         */
        enum op_commit commit;
        char *key;                 /* owned: the storage key */
        struct kl_buf value;       /* owned: the canonical bytes to write */
        int64_t expected_rev;      /* update: the mod revision read */
        json_t *next;              /* owned: update: the new object, without its new revision */
        bool pinned;               /* update: a lost race is a 409, not a retry */
        int attempts;              /* update: read-modify-write rounds so far */
        bool blocking;             /* update: lost a race: the retries write from the worker */
        enum op_ns_state ns_state; /* of op->ns, looked up on the loop */
};

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
/* Writes: the worker side */

static bool has_status_sub(const struct kl_api_resource *res)
{
        return kl_api_resource_subresource(res, "status") != NULL;
}

static int encode_canonical(const json_t *obj, struct kl_buf *out, struct kl_err **err)
{
        json_t *meta = json_object_get(obj, "metadata");
        json_auto_t *copy = NULL;
        json_auto_t *meta_copy = NULL;

        /* resourceVersion is the key's mod revision, never part of the value (DESIGN §4). */
        if (!json_is_object(meta) || !json_object_get(meta, "resourceVersion"))
                return kl_json_encode(obj, KL_JSON_ENCODE_CANONICAL, out, err);
        /*
         * Shallow copies of the two levels that change: the rest of the tree
         * is shared (read only), where a deep copy cost one allocation per
         * value of the object on every write.
         */
        copy = json_copy((json_t *)obj);
        meta_copy = json_copy(meta);
        (void)json_object_del(meta_copy, "resourceVersion");
        (void)json_object_set(copy, "metadata", meta_copy);
        return kl_json_encode(copy, KL_JSON_ENCODE_CANONICAL, out, err);
}

/*
 * Unknown fields per fieldValidation: Strict fails (400), Warn collects
 * warnings for the response's Warning headers, Ignore looks for nothing.
 */
static int check_schema(struct op *op, const json_t *obj, struct kl_err **err)
{
        const struct kl_api_message *m =
                op->res->schema ? kl_api_schema_message(op->res->schema) : NULL;
        json_auto_t *warnings = NULL;
        int r;

        if (!m)
                return 0;
        r = kl_api_schema_check(m, obj, op->field_validation, &warnings, err);
        if (r < 0)
                return r;
        if (json_array_size(warnings) > 0) {
                if (!op->warnings)
                        op->warnings = json_array();
                (void)json_array_extend(op->warnings, warnings);
        }
        return 0;
}

/* Validation alone (status writes are validated, not defaulted, upstream too). */
static int validate(struct op *op, const json_t *obj, const json_t *old, struct kl_err **err)
{
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        kl_autofree char *msg = NULL;
        const char *name;

        if (kl_api_validate(op->res, obj, old, &errs) == 0)
                return 0;
        name = json_string_value(json_object_get(json_object_get(obj, "metadata"), "name"));
        kl_api_validate_status_parts(op->res, name, &errs, &msg, NULL);
        json_decref(op->failure);
        op->failure = kl_api_validate_status(op->res, name, &errs);
        return kl_err_set_msg(err, -KL_EINVALID, "%s", msg);
}

/*
 * Defaulting and validation of the main resource, in upstream's order
 * (decode and default, then the strategy, then validate). `old` is the
 * stored object for updates, NULL for creates. A 422 keeps its whole Status
 * (details.causes) in op->failure.
 */
static int admit(struct op *op, json_t *obj, const json_t *old, struct kl_err **err)
{
        (void)kl_api_defaults_apply(op->res, obj);
        if (old)
                kl_api_defaults_update(op->res, obj, old);
        if (!old && *op->res->group == '\0' && kl_streq(op->res->plural, "pods")) {
                /* The Pod strategy's PrepareForCreate: the status starts as Pending. */
                json_t *st = json_pack("{ss}", "phase", "Pending");

                (void)json_object_set_new(st, "qosClass", json_string(kl_api_pod_qos_class(obj)));
                (void)json_object_set_new(obj, "status", st);
                /* Admission (DefaultTolerationSeconds): evicted 5 minutes after a node is lost. */
                (void)kl_api_admit_default_tolerations(obj, KL_APISERVER_DEFAULT_TOLERATION_SEC);
        }
        if (!old && kl_streq(op->res->group, "batch") && kl_streq(op->res->plural, "jobs"))
                (void)kl_api_defaults_job_selector(
                        obj, json_string_value(
                                     json_object_get(json_object_get(obj, "metadata"), "uid")));
        return validate(op, obj, old, err);
}

static int check_namespace(struct op *op, const char *ns, const char *name, struct kl_err **err)
{
        const struct kl_api_resource *nsres = kl_api_resource_find("", "v1", "namespaces");
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        kl_autofree char *key = NULL;
        json_auto_t *nsobj = NULL;
        bool terminating;
        int r;

        kl_assert(nsres);
        if (op->ns_state != NS_UNKNOWN && kl_streq_null(op->ns, ns)) {
                /* Seen in the watch cache by op_submit(), as upstream's admission uses its lister.
                 */
                terminating = op->ns_state == NS_TERMINATING;
        } else {
                /* Not in the cache: read the store, as upstream falls back to a live lookup. */
                key = kl_api_storage_key(nsres, NULL, ns);
                r = kl_store_get(op->s->store, key, 0, &kv, NULL);
                if (r == -ENOENT)
                        return kl_apiserver__err_not_found(err, nsres, ns);
                if (r < 0)
                        return kl_err_set(err, r, "read namespace '%s'", ns);
                nsobj = kl_apiserver__object_decode_kv(kv);
                terminating = json_object_get(json_object_get(nsobj, "metadata"),
                                              "deletionTimestamp") != NULL;
        }
        if (terminating) {
                char q[128];

                /* NamespaceLifecycle admission's 403, resource named with its group. */
                return kl_err_set_msg(err, -EACCES,
                                      "%s \"%s\" is forbidden: unable to create new content in "
                                      "namespace %s because it is being terminated",
                                      kl_api_resource_qualified(op->res, q, sizeof(q)), name, ns);
        }
        return 0;
}

static bool is_core(const struct kl_api_resource *res, const char *plural)
{
        return *res->group == '\0' && kl_streq(res->plural, plural);
}

/* A Service's cluster IP and node ports (service-alloc.c), for this op. */
static int service_allocate(struct op *op, json_t *svc, const json_t *old, struct kl_err **err)
{
        struct kl_apiserver__service_alloc a = { op->s, op->res, op->dry_run, NULL };
        int r = kl_apiserver__service_allocate(&a, svc, old, err);

        if (a.failure) {
                json_decref(op->failure);
                op->failure = a.failure;
        }
        return r;
}

static void service_allocate_undo(struct op *op, const json_t *svc, const json_t *old)
{
        struct kl_apiserver__service_alloc a = { op->s, op->res, op->dry_run, NULL };

        kl_apiserver__service_allocate_undo(&a, svc, old);
}

/* The writer of `op` for managedFields; `api_version` is the caller's buffer. */
static struct kl_apiserver__manager manager_of(const struct op *op, char *api_version, size_t size)
{
        enum kl_apiserver__fields_scope scope = KL_APISERVER_FIELDS_ALL;

        if (op->sub && kl_streq(op->sub, "status"))
                scope = KL_APISERVER_FIELDS_STATUS;
        else if (has_status_sub(op->res))
                scope = KL_APISERVER_FIELDS_NO_STATUS;
        return (struct kl_apiserver__manager){
                .manager = op->field_manager,
                .api_version = kl_api_resource_api_version(op->res, api_version, size),
                .sub = op->sub,
                .now = kl_now_realtime(),
                .scope = scope,
        };
}

static const struct kl_api_message *message_of(const struct op *op)
{
        return op->res->schema ? kl_api_schema_message(op->res->schema) : NULL;
}

/* An ordinary write's managedFields entry (create: `old` NULL). */
static void record_update(struct op *op, json_t *next, const json_t *old)
{
        char av[128];
        struct kl_apiserver__manager who = manager_of(op, av, sizeof(av));

        kl_apiserver__managed_update(next, old, message_of(op), &who);
}

/*
 * Server-side apply of `config` to `live`: field ownership and conflicts
 * (managed.c). A conflict keeps upstream's whole 409 Status in op->failure.
 */
static int apply_fields(struct op *op, const json_t *live, const json_t *config, json_t **ret,
                        struct kl_err **err)
{
        char av[128];
        struct kl_apiserver__manager who = manager_of(op, av, sizeof(av));
        json_auto_t *conflicts = NULL;
        kl_autofree char *msg = NULL;
        int r;

        r = kl_apiserver__managed_apply(live, config, message_of(op), &who, op->force, ret,
                                        &conflicts, err);
        if (r != -KL_ECONFLICT || !conflicts)
                return r;
        json_decref(op->failure);
        op->failure = kl_apiserver__managed_conflict_status(op->res, op->name, conflicts, &msg);
        kl_err_free(*err);
        *err = NULL;
        return kl_err_set_msg(err, -KL_ECONFLICT, "%s", msg);
}

/* The answer to a create the store refused with `r`. */
static int create_failed(struct op *op, const char *key, const char *name, int r)
{
        if (r == -EEXIST) {
                char q[128];

                return kl_err_set_msg(&op->err, -EEXIST, "%s \"%s\" already exists",
                                      kl_api_resource_qualified(op->res, q, sizeof(q)), name);
        }
        return kl_err_set(&op->err, r, "create '%s'", key);
}

/* The answer to a create the store committed at `rev`. */
static void create_done(struct op *op, int64_t rev)
{
        if (rev > 0)
                kl_apiserver__object_set_rv(op->body, rev);
        op->result = op->body;
        op->body = NULL;
        op->status = 201;
        op->rev = rev;
}

static int create_do(struct op *op)
{
        json_auto_t *config = NULL; /* the manifest of a server-side apply that creates */
        struct kl_buf *value = &op->value;
        json_t *meta;
        const char *ns = NULL, *name;
        int64_t rev = 0;
        int r;

        r = check_schema(op, op->body, &op->err);
        if (r < 0)
                return r;
        if (op->verb == OP_PATCH)
                config = json_deep_copy(op->body);
        r = kl_apiserver__object_prepare_create(op->res, op->ns, op->body, kl_now_realtime(),
                                                has_status_sub(op->res), &op->err);
        if (r < 0)
                return r;
        meta = json_object_get(op->body, "metadata");
        name = json_string_value(json_object_get(meta, "name"));
        if (op->res->namespaced) {
                /* NamespaceLifecycle admission runs before validation upstream. */
                ns = json_string_value(json_object_get(meta, "namespace"));
                r = check_namespace(op, ns, name, &op->err);
                if (r < 0)
                        return r;
        }
        r = admit(op, op->body, NULL, &op->err);
        if (r < 0)
                return r;
        if (config) {
                /* Server-side apply that creates: the applier owns what it applied. */
                json_t *created = NULL;

                (void)json_object_del(json_object_get(op->body, "metadata"), "managedFields");
                r = apply_fields(op, op->body, config, &created, &op->err);
                if (r < 0)
                        return r;
                json_decref(op->body);
                op->body = created;
                meta = json_object_get(op->body, "metadata");
                name = json_string_value(json_object_get(meta, "name"));
                ns = json_string_value(json_object_get(meta, "namespace"));
        } else {
                (void)json_object_del(json_object_get(op->body, "metadata"), "managedFields");
                record_update(op, op->body, NULL);
        }
        if (is_core(op->res, "namespaces"))
                (void)json_object_set_new(op->body, "status", json_pack("{ss}", "phase", "Active"));
        if (is_core(op->res, "services")) {
                r = service_allocate(op, op->body, NULL, &op->err);
                if (r < 0)
                        return r;
        }
        free(op->key);
        op->key = kl_api_storage_key(op->res, ns, name);
        kl_buf_reset(value);
        r = encode_canonical(op->body, value, &op->err);
        if (r < 0)
                return r;
        if (!op->dry_run && !is_core(op->res, "services")) {
                /* The loop submits the write (op_done()); nothing here waits for the disk. */
                op->commit = COMMIT_CREATE;
                return 0;
        }
        if (!op->dry_run) {
                /* Services: a failed create gives back its allocations, from this worker. */
                r = kl_store_create(op->s->store, op->key, value->buf, value->len, 0, &rev, NULL,
                                    NULL);
                if (r < 0)
                        service_allocate_undo(op, op->body, NULL);
                if (r < 0)
                        return create_failed(op, op->key, name, r);
        }
        create_done(op, rev);
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
 * pods/binding (the scheduler's write): set spec.nodeName once and mark the
 * pod scheduled, as upstream's BindingREST does. Upstream writes the pod with
 * a plain guaranteed update (setPodNodeAndMetadata): no field manager (the
 * pod gets no managedFields entry for it) and no strategy validation, so
 * neither runs here. `pod` is the object read for this round, which nothing
 * reads after a binding (never a no-op: nodeName was empty): it is changed in
 * place, where a deep copy cost one allocation per value of the pod.
 */
static int bind_pod(struct op *op, json_t *pod, const json_t *binding, json_t **ret_new,
                    struct kl_err **err)
{
        const char *node =
                json_string_value(json_object_get(json_object_get(binding, "target"), "name"));
        const char *bound =
                json_string_value(json_object_get(json_object_get(pod, "spec"), "nodeName"));
        json_auto_t *next = NULL;
        json_t *status, *conds, *c;
        char ts[KL_RFC3339_MAX];
        size_t i;

        if (kl_isempty(node))
                return kl_err_set_msg(err, -KL_EINVALID,
                                      "Binding.meta.k8s.io \"%s\" is invalid: target.name: "
                                      "Required value",
                                      op->name);
        if (json_object_get(json_object_get(pod, "metadata"), "deletionTimestamp"))
                return kl_err_set_msg(
                        err, -KL_ECONFLICT,
                        "Operation cannot be fulfilled on pods/binding \"%s\": pod %s "
                        "is being deleted, cannot be assigned to a host",
                        op->name, op->name);
        if (!kl_isempty(bound))
                return kl_err_set_msg(
                        err, -KL_ECONFLICT,
                        "Operation cannot be fulfilled on pods/binding \"%s\": pod %s "
                        "is already assigned to node \"%s\"",
                        op->name, op->name, bound);
        next = json_incref(pod);
        (void)json_object_set_new(json_object_get(next, "spec"), "nodeName", json_string(node));
        status = json_object_get(next, "status");
        if (!json_is_object(status)) {
                status = json_object();
                (void)json_object_set_new(next, "status", status);
        }
        conds = json_object_get(status, "conditions");
        if (!json_is_array(conds)) {
                conds = json_array();
                (void)json_object_set_new(status, "conditions", conds);
        }
        for (i = json_array_size(conds); i-- > 0;)
                if (kl_streq_null(
                            json_string_value(json_object_get(json_array_get(conds, i), "type")),
                            "PodScheduled"))
                        (void)json_array_remove(conds, i);
        kl_rfc3339_format(kl_now_realtime(), KL_RFC3339_SECONDS, ts, sizeof(ts));
        c = json_pack("{sssssnss}", "type", "PodScheduled", "status", "True", "lastProbeTime",
                      "lastTransitionTime", ts);
        (void)json_array_append_new(conds, c);
        *ret_new = KL_TAKE_PTR(next);
        return 0;
}

/* Whether the client's patch itself sets metadata.resourceVersion. */
static bool patch_names_rv(const struct op *op)
{
        const json_t *o;
        size_t i;

        if (op->patch_type != KL_API_PATCH_TYPE_JSON)
                return !kl_isempty(json_string_value(
                        json_object_get(json_object_get(op->body, "metadata"), "resourceVersion")));
        json_array_foreach(op->body, i, o)
                if (kl_streq_null(json_string_value(json_object_get(o, "path")),
                                  "/metadata/resourceVersion"))
                        return true;
        return false;
}

/*
 * Compute the new object from the stored one for PUT and PATCH: the
 * subresource rules, the server-owned metadata, validation. On success
 * *ret_new is new; *ret_pinned says whether the client named a
 * resourceVersion (then a lost race is a 409, not a retry). `old` is left as
 * it is, except by pods/binding, which changes it in place (bind_pod()).
 */
static int compute_update(struct op *op, json_t *old, int64_t mod_rev, json_t **ret_new,
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
                case KL_API_PATCH_TYPE_APPLY_YAML:
                case KL_API_PATCH_TYPE_STRATEGIC: {
                        const struct kl_api_message *m =
                                scale ? kl_api_schema_message("io.k8s.api.autoscaling.v1.Scale")
                                      : kl_api_schema_message(op->res->schema);

                        /* Subresources merge an apply body as a strategic merge patch. */
                        if (op->patch_type == KL_API_PATCH_TYPE_APPLY_YAML && !op->sub)
                                r = apply_fields(op, base, op->body, &input, err);
                        else
                                r = kl_api_patch_strategic(
                                        base, op->body, kl_api_patch_schema_lookup, m, &input, err);
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
        /*
         * A patch's result carries the resourceVersion it was applied to; only
         * one the client wrote in the patch pins it (a patch without one is
         * applied again to the newer object, as upstream's patcher does).
         */
        *ret_pinned = r > 0 && (op->verb == OP_UPDATE || patch_names_rv(op));

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
                r = validate(op, next, old, err);
        } else if (op->sub && kl_streq(op->sub, "binding")) {
                r = bind_pod(op, old, input, &next, err);
                if (r < 0)
                        return r;
                *ret_new = KL_TAKE_PTR(next);
                return 0; /* no managedFields entry (bind_pod()) */
        } else if (op->sub && kl_streq(op->sub, "finalize")) {
                /* namespaces/finalize: only spec.finalizers changes. */
                json_t *fin = json_object_get(json_object_get(input, "spec"), "finalizers");

                next = json_deep_copy(old);
                if (!json_is_object(json_object_get(next, "spec")))
                        (void)json_object_set_new(next, "spec", json_object());
                if (json_array_size(fin) > 0)
                        (void)json_object_set_new(json_object_get(next, "spec"), "finalizers",
                                                  json_deep_copy(fin));
                else
                        (void)json_object_del(json_object_get(next, "spec"), "finalizers");
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
                if (r >= 0 && is_core(op->res, "services"))
                        kl_apiserver__service_drop_type_dependent(next, old);
                if (r >= 0)
                        r = admit(op, next, old, err);
        }
        if (r < 0)
                return r;
        if (op->verb != OP_PATCH || op->patch_type != KL_API_PATCH_TYPE_APPLY_YAML || op->sub)
                record_update(op, next, old);
        *ret_new = KL_TAKE_PTR(next);
        return 0;
}

static json_t *finalizers_of(const json_t *obj)
{
        json_t *f = json_object_get(json_object_get(obj, "metadata"), "finalizers");

        return json_is_array(f) ? f : NULL;
}

static bool deletion_done(const struct kl_api_resource *res, const json_t *obj);
static int store_remove(struct op *op, const struct kl_api_resource *res, const char *key,
                        const json_t *obj, int64_t mod_rev, int64_t *ret_rev);

static bool is_binding(const struct op *op)
{
        return op->sub && kl_streq(op->sub, "binding");
}

/*
 * The answer to an update the store committed at `rev`; takes `next`, which
 * may be NULL for a binding (its answer is a Status, not the pod).
 */
static void update_done(struct op *op, json_t *next, int64_t rev)
{
        if (is_binding(op)) {
                /* Upstream answers a binding with a bare Success, 201. */
                op->result = json_pack("{sssss{}sssi}", "kind", "Status", "apiVersion", "v1",
                                       "metadata", "status", "Success", "code", 201);
                op->status = 201;
        } else {
                kl_apiserver__object_set_rv(next, rev);
                op->result = op->sub && kl_streq(op->sub, "scale") ? kl_apiserver__scale_of(next)
                                                                   : json_incref(next);
        }
        op->rev = rev;
        json_decref(next);
}

static void update_work(void *arg)
{
        struct op *op = arg;
        kl_autofree char *key = kl_api_storage_key(op->res, op->ns, op->name);
        int r = 0;

        for (; op->attempts < KL_APISERVER__CAS_RETRIES; op->attempts++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                kl_autobuf struct kl_buf value = KL_BUF_INIT;
                json_auto_t *old = NULL;
                json_auto_t *next = NULL;
                bool pinned = false, allocated = false;
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
                old = kl_apiserver__object_decode_kv(kv);
                if (!old) {
                        r = kl_err_set(&op->err, -EIO, "stored object '%s' does not decode", key);
                        break;
                }
                r = compute_update(op, old, kv->mod_rev, &next, &pinned, &op->err);
                if (r < 0)
                        break;
                allocated = is_core(op->res, "services") && !op->sub;
                if (allocated) {
                        r = service_allocate(op, next, old, &op->err);
                        if (r < 0)
                                break;
                }
                r = encode_canonical(next, &value, &op->err);
                if (r < 0)
                        break;
                op->status = 200;
                /*
                 * The stored bytes are this server's canonical encoding, and
                 * decoding and encoding again gives the same bytes ("equal
                 * values give equal bytes", json.h): compare with them rather
                 * than encoding the old object once more.
                 */
                if (value.len == kv->len && memcmp(value.buf, kv->value, value.len) == 0) {
                        /* A no-op write changes nothing, not even the resourceVersion. */
                        op->result = KL_TAKE_PTR(old);
                        break;
                }
                if (op->dry_run) {
                        op->result = KL_TAKE_PTR(next);
                        break;
                }
                if (deletion_done(op->res, next)) {
                        /*
                         * The last finalizer is gone: the deletion it held up happens
                         * now (a pod in its grace period waits for its kubelet).
                         */
                        r = store_remove(op, op->res, key, next, kv->mod_rev, &rev);
                } else if (!allocated && !op->blocking) {
                        /*
                         * The loop submits the write (op_done()). A lost race comes
                         * back here and retries with the blocking write, as before:
                         * contenders for one key are then at most the pool's
                         * threads, so each wins within KL_APISERVER__CAS_RETRIES rounds.
                         */
                        op->commit = COMMIT_UPDATE;
                        kl_buf_release(&op->value);
                        op->value = value;
                        value = (struct kl_buf)KL_BUF_INIT;
                        free(op->key);
                        op->key = KL_TAKE_PTR(key);
                        op->expected_rev = kv->mod_rev;
                        json_decref(op->next);
                        /*
                         * A binding answers with a Status: the pod's tree is
                         * freed here, on the worker, not on the loop.
                         */
                        op->next = is_binding(op) ? NULL : KL_TAKE_PTR(next);
                        op->pinned = pinned;
                        r = 0;
                        break;
                } else {
                        r = kl_store_update(op->s->store, key, value.buf, value.len, kv->mod_rev, 0,
                                            &rev, NULL, NULL);
                }
                if (r < 0 && allocated)
                        service_allocate_undo(op, next, old);
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
                update_done(op, KL_TAKE_PTR(next), rev);
                break;
        }
        if (r == -KL_ECONFLICT && !op->err)
                r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
        op->r = r;
}

/* ------------------------------------------------------------------------- */
/* Deletion (kubectl-contract §12) */

/* How deep a Foreground cascade follows ownerReferences inline. */
#define MAX_CASCADE_DEPTH 8

enum propagation {
        PROPAGATE_BACKGROUND,
        PROPAGATE_FOREGROUND,
        PROPAGATE_ORPHAN,
};

/* The DeleteOptions that matter here, checked. */
struct delete_opts {
        enum propagation propagation;
        int64_t grace; /* gracePeriodSeconds; -1 when not given */
};

static int delete_opts_parse(const json_t *o, struct delete_opts *ret, struct kl_err **err)
{
        const json_t *pp = json_object_get(o, "propagationPolicy");
        const json_t *grace = json_object_get(o, "gracePeriodSeconds");
        const json_t *orphan = json_object_get(o, "orphanDependents");

        *ret = (struct delete_opts){ .propagation = PROPAGATE_BACKGROUND, .grace = -1 };
        if (json_is_integer(grace)) {
                ret->grace = json_integer_value(grace);
                if (ret->grace < 0)
                        ret->grace = 0;
        }
        if (json_is_string(pp)) {
                const char *v = json_string_value(pp);

                if (json_is_boolean(orphan))
                        return kl_err_set_msg(
                                err, -KL_EINVALID,
                                "DeleteOptions.meta.k8s.io \"\" is invalid: "
                                "propagationPolicy: Invalid value: \"%s\": orphanDependents "
                                "and deletionPropagation cannot be both set",
                                v);
                if (kl_streq(v, "Foreground"))
                        ret->propagation = PROPAGATE_FOREGROUND;
                else if (kl_streq(v, "Orphan"))
                        ret->propagation = PROPAGATE_ORPHAN;
                else if (!kl_streq(v, "Background"))
                        return kl_err_set_msg(err, -KL_EINVALID,
                                              "DeleteOptions.meta.k8s.io \"\" is invalid: "
                                              "propagationPolicy: Unsupported value: \"%s\": "
                                              "supported values: \"Foreground\", \"Background\", "
                                              "\"Orphan\", \"nil\"",
                                              v);
        } else if (json_is_true(orphan)) {
                ret->propagation = PROPAGATE_ORPHAN;
        }
        return 0;
}

static bool has_finalizer(const json_t *obj, const char *name)
{
        size_t i;
        json_t *f;

        json_array_foreach(finalizers_of(obj), i, f) {
                if (kl_streq_null(json_string_value(f), name))
                        return true;
        }
        return false;
}

static void finalizer_add(json_t *obj, const char *name)
{
        json_t *meta = json_object_get(obj, "metadata");

        if (has_finalizer(obj, name))
                return;
        if (!finalizers_of(obj))
                (void)json_object_set_new(meta, "finalizers", json_array());
        (void)json_array_append_new(json_object_get(meta, "finalizers"), json_string(name));
}

static void finalizer_remove(json_t *obj, const char *name)
{
        json_t *meta = json_object_get(obj, "metadata");
        json_t *f = finalizers_of(obj);

        for (size_t i = json_array_size(f); i-- > 0;)
                if (kl_streq_null(json_string_value(json_array_get(f, i)), name))
                        (void)json_array_remove(f, i);
        if (f && json_array_size(f) == 0)
                (void)json_object_del(meta, "finalizers");
}

/*
 * Is a deletion due: marked, no finalizers, no grace period left to wait
 * for (a pod's kubelet ends it with a zero-grace delete)? Namespaces also
 * wait for spec.finalizers (the namespace controller's "kubernetes").
 */
static bool deletion_done(const struct kl_api_resource *res, const json_t *obj)
{
        const json_t *meta = json_object_get(obj, "metadata");
        const json_t *spec_fin = json_object_get(json_object_get(obj, "spec"), "finalizers");

        return json_object_get(meta, "deletionTimestamp") &&
               json_integer_value(json_object_get(meta, "deletionGracePeriodSeconds")) == 0 &&
               json_array_size(finalizers_of(obj)) == 0 &&
               (!is_core(res, "namespaces") || json_array_size(spec_fin) == 0);
}

static const char *meta_str(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

/* Write `obj` over the key at `mod_rev` (CAS). */
static int store_put(struct op *op, const char *key, const json_t *obj, int64_t mod_rev,
                     int64_t *ret_rev, struct kl_err **err)
{
        kl_autobuf struct kl_buf value = KL_BUF_INIT;
        int r;

        r = encode_canonical(obj, &value, err);
        if (r < 0)
                return r;
        return kl_store_update(op->s->store, key, value.buf, value.len, mod_rev, 0, ret_rev, NULL,
                               NULL);
}

static int namespace_try_finish(struct op *op, const char *ns);
static void owners_recheck(struct op *op, const json_t *obj);
static int finalizer_release(struct op *op, const struct kl_api_resource *res, const char *key,
                             const char *name, json_t **ret_obj, bool *ret_gone, int64_t *ret_rev,
                             struct kl_err **err);

/*
 * Remove object `key` (stored as `obj` at `mod_rev`) from the store and do
 * what its removal implies: release a Service's allocations, let a
 * terminating namespace go once it is empty. -KL_ECONFLICT on a lost race.
 */
static int store_remove(struct op *op, const struct kl_api_resource *res, const char *key,
                        const json_t *obj, int64_t mod_rev, int64_t *ret_rev)
{
        int r = kl_store_delete(op->s->store, key, mod_rev, ret_rev, NULL, NULL);

        if (r < 0)
                return r;
        if (is_core(res, "services"))
                service_allocate_undo(op, obj, NULL);
        if (res->namespaced)
                (void)namespace_try_finish(op, meta_str(obj, "namespace"));
        owners_recheck(op, obj);
        return 0;
}

/* Calls fn for every stored object of namespace `ns` (NULL: cluster-scoped ones). */
typedef int each_fn(struct op *op, const struct kl_api_resource *res, struct kl_store_kv *kv,
                    void *arg);

static int for_each_object(struct op *op, const char *ns, each_fn *fn, void *arg)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);

        for (size_t i = 0; i < n; i++) {
                kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;
                kl_autofree char *prefix = NULL;
                int r;

                /* Rows that share another row's storage are covered by it. */
                if (rows[i].namespaced != (ns != NULL) || rows[i].storage_group)
                        continue;
                prefix = kl_api_storage_key(&rows[i], ns, NULL);
                r = kl_store_list(op->s->store, prefix, 0, 0, NULL, &l, &op->err);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < l->n; j++) {
                        r = fn(op, &rows[i], l->items[j], arg);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

static int delete_object(struct op *op, const struct kl_api_resource *res, const char *key,
                         const struct delete_opts *o, int depth, json_t **ret_obj, bool *ret_gone,
                         int64_t *ret_rev, struct kl_err **err);

/* Does namespace `ns` still hold anything? */
static int namespace_has_content(struct op *op, const char *ns, bool *ret)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);

        *ret = false;
        for (size_t i = 0; i < n && !*ret; i++) {
                kl_autofree char *prefix = NULL;
                int64_t count = 0;
                int r;

                if (!rows[i].namespaced || rows[i].storage_group)
                        continue;
                prefix = kl_api_storage_key(&rows[i], ns, NULL);
                r = kl_store_count(op->s->store, prefix, &count, NULL);
                if (r < 0)
                        return r;
                *ret = count > 0;
        }
        return 0;
}

/*
 * The namespace controller's last step, done inline: a terminating
 * namespace with no content left loses its "kubernetes" finalizer and,
 * when nothing else holds it, goes.
 */
static int namespace_try_finish(struct op *op, const char *ns)
{
        const struct kl_api_resource *nsres = kl_api_resource_find("", "v1", "namespaces");
        kl_autofree char *key = NULL;
        int r = 0;

        if (!ns || op->ns_cleanup)
                return 0;
        key = kl_api_storage_key(nsres, NULL, ns);
        for (int attempt = 0; attempt < KL_APISERVER__CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                json_auto_t *obj = NULL;
                json_t *fin;
                bool left;

                if (kl_store_get(op->s->store, key, 0, &kv, NULL) < 0)
                        return 0;
                obj = kl_apiserver__object_decode_kv(kv);
                if (!obj || !meta_str(obj, "deletionTimestamp"))
                        return 0;
                r = namespace_has_content(op, ns, &left);
                if (r < 0 || left)
                        return r;
                fin = json_object_get(json_object_get(obj, "spec"), "finalizers");
                for (size_t i = json_array_size(fin); i-- > 0;)
                        if (kl_streq_null(json_string_value(json_array_get(fin, i)), "kubernetes"))
                                (void)json_array_remove(fin, i);
                if (deletion_done(nsres, obj))
                        r = kl_store_delete(op->s->store, key, kv->mod_rev, NULL, NULL, NULL);
                else
                        r = store_put(op, key, obj, kv->mod_rev, NULL, NULL);
                if (r != -KL_ECONFLICT)
                        break;
        }
        return r;
}

struct cascade {
        const char *uid;
        const struct delete_opts *opts;
        int depth;
        bool orphan;
        size_t left; /* dependents still there */
};

/* One object of the owner's scope: delete it or drop the owner reference, if it is a dependent. */
static int cascade_one(struct op *op, const struct kl_api_resource *res, struct kl_store_kv *kv,
                       void *arg)
{
        struct cascade *c = arg;
        json_auto_t *obj = NULL;
        json_t *refs;
        bool dependent = false;
        size_t i;
        json_t *ref;
        int r;

        /* Cheap test first: most objects name no owner at all. */
        if (!memmem(kv->value, kv->len, c->uid, strlen(c->uid)))
                return 0;
        obj = kl_apiserver__object_decode_kv(kv);
        refs = json_object_get(json_object_get(obj, "metadata"), "ownerReferences");
        json_array_foreach(refs, i, ref) {
                dependent |= kl_streq_null(json_string_value(json_object_get(ref, "uid")), c->uid);
        }
        if (!dependent)
                return 0;
        if (c->orphan) {
                for (i = json_array_size(refs); i-- > 0;)
                        if (kl_streq_null(json_string_value(
                                                  json_object_get(json_array_get(refs, i), "uid")),
                                          c->uid))
                                (void)json_array_remove(refs, i);
                if (json_array_size(refs) == 0)
                        (void)json_object_del(json_object_get(obj, "metadata"), "ownerReferences");
                r = store_put(op, kv->key, obj, kv->mod_rev, NULL, NULL);
                if (r == -KL_ECONFLICT)
                        c->left++; /* changed meanwhile: the GC (issue 5) will see it */
                else if (r < 0)
                        return kl_err_set(&op->err, r, "orphan '%s'", kv->key);
                return 0;
        } else {
                json_auto_t *last = NULL;
                kl_autoerr struct kl_err *e = NULL;
                bool gone = false;

                r = delete_object(op, res, kv->key, c->opts, c->depth + 1, &last, &gone, NULL, &e);
                if (r < 0 && r != -ENOENT)
                        return kl_err_set(&op->err, r, "delete dependent '%s': %s", kv->key,
                                          kl_err_msg(e));
                if (r >= 0 && !gone)
                        c->left++;
                return 0;
        }
}

/*
 * What the garbage collector does for Foreground and Orphan deletions, done
 * inline until it exists (issue 5): dependents (objects whose
 * ownerReferences name `owner`'s uid, in its namespace, or among the
 * cluster-scoped objects for a cluster-scoped owner) are deleted (with the
 * same options, Foreground recursively) or lose their reference. Returns
 * the number of dependents still there (kept by their own finalizers).
 */
static int cascade(struct op *op, const json_t *owner, const struct delete_opts *o, int depth,
                   bool orphan, size_t *ret_left)
{
        struct cascade c = {
                .uid = meta_str(owner, "uid"),
                .opts = o,
                .depth = depth,
                .orphan = orphan,
        };
        const char *saved;
        int r;

        if (!c.uid || depth >= MAX_CASCADE_DEPTH) {
                *ret_left = 0;
                return 0;
        }
        saved = op->cascade_uid;
        op->cascade_uid = c.uid;
        r = for_each_object(op, meta_str(owner, "namespace"), cascade_one, &c);
        op->cascade_uid = saved;
        if (r < 0)
                return r;
        *ret_left = c.left;
        return 0;
}

static int count_dependent(struct op *op, const struct kl_api_resource *res, struct kl_store_kv *kv,
                           void *arg)
{
        struct cascade *c = arg;
        json_auto_t *obj = NULL;
        size_t i;
        json_t *ref;

        (void)op;
        (void)res;
        if (!memmem(kv->value, kv->len, c->uid, strlen(c->uid)))
                return 0;
        obj = kl_apiserver__object_decode_kv(kv);
        json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), i,
                           ref) {
                if (kl_streq_null(json_string_value(json_object_get(ref, "uid")), c->uid)) {
                        c->left++;
                        return 1;
                }
        }
        return 0;
}

/*
 * `obj` left the store: an owner waiting for its dependents (Foreground)
 * whose last dependent this was may go now. The garbage collector's
 * attemptToDelete, for the one case kubectl waits on (issue 5 does the rest).
 */
static void owners_recheck(struct op *op, const json_t *obj)
{
        size_t i;
        json_t *ref;

        json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), i,
                           ref) {
                const char *uid = json_string_value(json_object_get(ref, "uid"));
                const char *av = json_string_value(json_object_get(ref, "apiVersion"));
                const char *slash = av ? strchr(av, '/') : NULL;
                char group[128] = "";
                const struct kl_api_resource *ores;
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                kl_autofree char *key = NULL;
                kl_autoerr struct kl_err *e = NULL;
                json_auto_t *owner = NULL;
                json_auto_t *last = NULL;
                struct cascade c = { .uid = uid };
                bool gone;

                if (!uid || !av || kl_streq_null(uid, op->cascade_uid))
                        continue;
                if (slash)
                        (void)snprintf(group, sizeof(group), "%.*s", (int)(slash - av), av);
                ores = kl_api_resource_find_kind(group, slash ? slash + 1 : av,
                                                 json_string_value(json_object_get(ref, "kind")));
                if (!ores)
                        continue;
                key = kl_api_storage_key(ores, ores->namespaced ? meta_str(obj, "namespace") : NULL,
                                         json_string_value(json_object_get(ref, "name")));
                if (kl_store_get(op->s->store, key, 0, &kv, NULL) < 0)
                        continue;
                owner = kl_apiserver__object_decode_kv(kv);
                if (!owner || !kl_streq_null(meta_str(owner, "uid"), uid) ||
                    !meta_str(owner, "deletionTimestamp") ||
                    !has_finalizer(owner, "foregroundDeletion"))
                        continue;
                if (for_each_object(op, meta_str(owner, "namespace"), count_dependent, &c) < 0 ||
                    c.left > 0)
                        continue;
                (void)finalizer_release(op, ores, key, "foregroundDeletion", &last, &gone, NULL,
                                        &e);
        }
}

/* Every object of a terminating namespace, deleted as the namespace controller does. */
static int namespace_delete_one(struct op *op, const struct kl_api_resource *res,
                                struct kl_store_kv *kv, void *arg)
{
        static const struct delete_opts bg = { .propagation = PROPAGATE_BACKGROUND, .grace = -1 };
        json_auto_t *last = NULL;
        kl_autoerr struct kl_err *e = NULL;
        bool gone;
        int r;

        (void)arg;
        r = delete_object(op, res, kv->key, &bg, MAX_CASCADE_DEPTH, &last, &gone, NULL, &e);
        if (r < 0 && r != -ENOENT)
                return kl_err_set(&op->err, r, "delete '%s': %s", kv->key, kl_err_msg(e));
        return 0;
}

/* A pod bound to a node waits for it (the kubelet ends it); others go at once. */
static int64_t pod_grace(const json_t *pod, const struct delete_opts *o)
{
        const json_t *spec = json_object_get(pod, "spec");
        const char *phase =
                json_string_value(json_object_get(json_object_get(pod, "status"), "phase"));
        const json_t *tgps = json_object_get(spec, "terminationGracePeriodSeconds");

        if (kl_isempty(json_string_value(json_object_get(spec, "nodeName"))) ||
            kl_streq_null(phase, "Succeeded") || kl_streq_null(phase, "Failed"))
                return 0;
        if (o->grace >= 0)
                return o->grace;
        return json_is_integer(tgps) ? json_integer_value(tgps) : 30;
}

/*
 * Re-read `key`, drop finalizer `name` (NULL: none) and remove the object
 * when nothing holds it any more. *ret_obj is the last state.
 */
static int finalizer_release(struct op *op, const struct kl_api_resource *res, const char *key,
                             const char *name, json_t **ret_obj, bool *ret_gone, int64_t *ret_rev,
                             struct kl_err **err)
{
        int r = 0;

        for (int attempt = 0; attempt < KL_APISERVER__CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                json_auto_t *obj = NULL;
                int64_t rev = 0;

                r = kl_store_get(op->s->store, key, 0, &kv, NULL);
                if (r == -ENOENT) {
                        *ret_gone = true;
                        return 0;
                }
                if (r < 0)
                        return kl_err_set(err, r, "read '%s'", key);
                obj = kl_apiserver__object_decode_kv(kv);
                if (!obj)
                        return kl_err_set(err, -EIO, "stored object '%s' does not decode", key);
                if (name && has_finalizer(obj, name)) {
                        finalizer_remove(obj, name);
                } else if (!deletion_done(res, obj)) {
                        *ret_gone = false;
                        json_decref(*ret_obj);
                        *ret_obj = KL_TAKE_PTR(obj);
                        return 0;
                }
                if (deletion_done(res, obj))
                        r = store_remove(op, res, key, obj, kv->mod_rev, &rev);
                else
                        r = store_put(op, key, obj, kv->mod_rev, &rev, NULL);
                if (r == -KL_ECONFLICT)
                        continue;
                if (r == -ENOENT) {
                        /* The garbage collector finished this deletion meanwhile. */
                        *ret_gone = true;
                        return 0;
                }
                if (r < 0)
                        return kl_err_set(err, r, "write '%s'", key);
                if (ret_rev)
                        *ret_rev = rev;
                *ret_gone = deletion_done(res, obj);
                kl_apiserver__object_set_rv(obj, rev);
                json_decref(*ret_obj);
                *ret_obj = KL_TAKE_PTR(obj);
                return 0;
        }
        return kl_err_set(err, -KL_ECONFLICT, "finalize '%s'", key);
}

/*
 * After a deletion was marked on `obj` (borrowed): the work that upstream's
 * controllers do, done inline until they exist.
 */
static int delete_finish(struct op *op, const struct kl_api_resource *res, const char *key,
                         const json_t *obj, const struct delete_opts *o, int depth,
                         json_t **ret_obj, bool *ret_gone, int64_t *ret_rev, struct kl_err **err)
{
        const char *name = NULL;
        size_t left = 0;
        int r = 0;

        *ret_obj = json_deep_copy(obj);
        if (is_core(res, "namespaces")) {
                op->ns_cleanup = true;
                r = for_each_object(op, meta_str(obj, "name"), namespace_delete_one, NULL);
                op->ns_cleanup = false;
                if (r < 0)
                        return r;
                r = namespace_try_finish(op, meta_str(obj, "name"));
                /* The namespace controller may have finished it meanwhile. */
                if (r == -ENOENT)
                        r = 0;
                if (r < 0)
                        return kl_err_set(err, r, "finish namespace '%s'", meta_str(obj, "name"));
        } else if (has_finalizer(obj, "foregroundDeletion")) {
                r = cascade(op, obj, o, depth, false, &left);
                name = "foregroundDeletion";
        } else if (has_finalizer(obj, "orphan")) {
                r = cascade(op, obj, o, depth, true, &left);
                name = "orphan";
        }
        if (r < 0)
                return r;
        /* Dependents held by their own finalizers keep a Foreground owner waiting (issue 5). */
        return finalizer_release(op, res, key, left == 0 ? name : NULL, ret_obj, ret_gone, ret_rev,
                                 err);
}

/*
 * Delete object `key` of `res` with options `o`: preconditions are the
 * caller's. *ret_obj is its last state (new), *ret_gone whether it left
 * the store (or, dry run, would have). Objects held by finalizers, bound
 * pods in their grace period and namespaces with content stay, with
 * deletionTimestamp set. -ENOENT when it is not there.
 */
static int delete_object(struct op *op, const struct kl_api_resource *res, const char *key,
                         const struct delete_opts *o, int depth, json_t **ret_obj, bool *ret_gone,
                         int64_t *ret_rev, struct kl_err **err)
{
        int r = 0;

        for (int attempt = 0; attempt < KL_APISERVER__CAS_RETRIES; attempt++) {
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                json_auto_t *obj = NULL;
                json_t *meta;
                bool is_pod = is_core(res, "pods"), is_ns = is_core(res, "namespaces");
                int64_t grace = 0, rev = 0;
                char ts[KL_RFC3339_MAX];

                r = kl_store_get(op->s->store, key, 0, &kv, NULL);
                if (r < 0)
                        return r == -ENOENT ? r : kl_err_set(err, r, "read '%s'", key);
                obj = kl_apiserver__object_decode_kv(kv);
                if (!obj)
                        return kl_err_set(err, -EIO, "stored object '%s' does not decode", key);
                meta = json_object_get(obj, "metadata");
                if (is_pod)
                        grace = pod_grace(obj, o);
                if (json_object_get(meta, "deletionTimestamp")) {
                        /* Already going: only a forced (zero-grace) pod delete changes it. */
                        if (!is_pod || grace != 0 ||
                            json_integer_value(
                                    json_object_get(meta, "deletionGracePeriodSeconds")) == 0) {
                                *ret_gone = false;
                                *ret_obj = KL_TAKE_PTR(obj);
                                return 0;
                        }
                        if (json_array_size(finalizers_of(obj)) > 0) {
                                (void)json_object_set_new(meta, "deletionGracePeriodSeconds",
                                                          json_integer(0));
                                *ret_gone = false;
                                if (!op->dry_run) {
                                        r = store_put(op, key, obj, kv->mod_rev, &rev, err);
                                        if (r == -KL_ECONFLICT)
                                                continue;
                                        if (r < 0)
                                                return r;
                                        kl_apiserver__object_set_rv(obj, rev);
                                        if (ret_rev)
                                                *ret_rev = rev;
                                }
                                *ret_obj = KL_TAKE_PTR(obj);
                                return 0;
                        }
                } else if (grace > 0 || is_ns || json_array_size(finalizers_of(obj)) > 0 ||
                           o->propagation != PROPAGATE_BACKGROUND) {
                        /* Graceful: mark it, keep it; who finishes is named in README.md. */
                        kl_rfc3339_format(kl_now_realtime() + (kl_usec_t)grace * KL_USEC_PER_SEC,
                                          KL_RFC3339_SECONDS, ts, sizeof(ts));
                        (void)json_object_set_new(meta, "deletionTimestamp", json_string(ts));
                        (void)json_object_set_new(meta, "deletionGracePeriodSeconds",
                                                  json_integer(grace));
                        if (o->propagation == PROPAGATE_FOREGROUND)
                                finalizer_add(obj, "foregroundDeletion");
                        else if (o->propagation == PROPAGATE_ORPHAN)
                                finalizer_add(obj, "orphan");
                        if (is_ns)
                                (void)json_object_set_new(
                                        obj, "status", json_pack("{ss}", "phase", "Terminating"));
                        if (op->dry_run) {
                                *ret_gone = false;
                                *ret_obj = KL_TAKE_PTR(obj);
                                return 0;
                        }
                        r = store_put(op, key, obj, kv->mod_rev, &rev, err);
                        if (r == -KL_ECONFLICT)
                                continue;
                        if (r < 0)
                                return r;
                        kl_apiserver__object_set_rv(obj, rev);
                        if (ret_rev)
                                *ret_rev = rev;
                        return delete_finish(op, res, key, obj, o, depth, ret_obj, ret_gone,
                                             ret_rev, err);
                }
                if (op->dry_run) {
                        *ret_gone = true;
                        *ret_obj = KL_TAKE_PTR(obj);
                        return 0;
                }
                r = store_remove(op, res, key, obj, kv->mod_rev, &rev);
                if (r == -KL_ECONFLICT)
                        continue;
                if (r < 0)
                        return r == -ENOENT ? r : kl_err_set(err, r, "delete '%s'", key);
                if (ret_rev)
                        *ret_rev = rev;
                *ret_gone = true;
                *ret_obj = KL_TAKE_PTR(obj);
                return 0;
        }
        return kl_err_set(err, -KL_ECONFLICT, "delete '%s'", key);
}

static bool returns_object(const struct kl_api_resource *res)
{
        /* Upstream answers these deletes with the object, the rest with a Status. */
        return *res->group == '\0' &&
               (kl_streq(res->plural, "pods") || kl_streq(res->plural, "services") ||
                kl_streq(res->plural, "namespaces"));
}

static int delete_do(struct op *op)
{
        kl_autofree char *key = kl_api_storage_key(op->res, op->ns, op->name);
        const json_t *pre = json_object_get(op->body, "preconditions");
        json_t *dry = json_object_get(op->body, "dryRun");
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        json_auto_t *old = NULL;
        json_auto_t *last = NULL;
        struct delete_opts o;
        const char *uid, *want;
        bool gone = false;
        int64_t rev = 0;
        int r;

        if (json_is_array(dry) && json_array_size(dry) > 0)
                op->dry_run = true;
        r = delete_opts_parse(op->body, &o, &op->err);
        if (r < 0)
                return r;
        /* NamespaceLifecycle admission keeps the namespaces the system lives in. */
        if (is_core(op->res, "namespaces") &&
            (kl_streq(op->name, "default") || kl_streq(op->name, "kube-system") ||
             kl_streq(op->name, "kube-public")))
                return kl_err_set_msg(&op->err, -EACCES,
                                      "namespaces \"%s\" is forbidden: this namespace may not be "
                                      "deleted",
                                      op->name);
        r = kl_store_get(op->s->store, key, 0, &kv, NULL);
        if (r == -ENOENT)
                return kl_apiserver__err_not_found(&op->err, op->res, op->name);
        if (r < 0)
                return kl_err_set(&op->err, r, "read '%s'", key);
        old = kl_apiserver__object_decode_kv(kv);
        if (!old)
                return kl_err_set(&op->err, -EIO, "stored object '%s' does not decode", key);
        /*
         * Preconditions are checked against this read; a change between it and
         * the delete is a race the CAS inside delete_object() resolves for the
         * newer state, as upstream's preconditions do against its cache.
         */
        uid = meta_str(old, "uid");
        want = json_string_value(json_object_get(pre, "uid"));
        if (want && !kl_streq_null(want, uid))
                return kl_err_set_msg(&op->err, -KL_ECONFLICT,
                                      "Precondition failed: UID in precondition: %s, UID in "
                                      "object meta: %s",
                                      want, uid ? uid : "");
        want = json_string_value(json_object_get(pre, "resourceVersion"));
        if (want && !kl_streq_null(want, meta_str(old, "resourceVersion")))
                return kl_err_set_msg(&op->err, -KL_ECONFLICT,
                                      "Precondition failed: ResourceVersion in precondition: %s, "
                                      "ResourceVersion in object meta: %s",
                                      want, meta_str(old, "resourceVersion"));
        r = delete_object(op, op->res, key, &o, 0, &last, &gone, &rev, &op->err);
        if (r == -ENOENT) {
                /* Gone since the read (another delete, a finalize): upstream's 404. */
                kl_err_free(KL_TAKE_PTR(op->err));
                return kl_apiserver__err_not_found(&op->err, op->res, op->name);
        }
        if (r < 0)
                return r;
        op->status = 200;
        op->rev = rev;
        /* Upstream answers with the object while it stays, and for kinds that always do. */
        if (!gone || returns_object(op->res))
                op->result = KL_TAKE_PTR(last);
        else
                op->result = kl_apiserver__status_success(op->res, op->name, uid);
        return 0;
}

static void delete_work(void *arg)
{
        struct op *op = arg;
        int r = delete_do(op);

        if (r == -KL_ECONFLICT && !op->err)
                r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
        op->r = r;
}

/*
 * PATCH with application/apply-patch+yaml upserts: when the object does not
 * exist, the patch is the object to create (contract §11.4); otherwise it is
 * applied with field ownership (managed.c) by update_work().
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
                        op->r = create_failed(
                                op, op->key,
                                json_string_value(json_object_get(
                                        json_object_get(op->body, "metadata"), "name")),
                                r);
                else
                        create_done(op, res->rev);
                op_end(op);
                return;
        }
        if (r >= 0) {
                update_done(op, KL_TAKE_PTR(op->next), res->rev);
                op_end(op);
                return;
        }
        if (r == -KL_ECONFLICT || r == -ENOENT) {
                /* Lost a race: read, compute and try again on the pool, as update_work() would. */
                if (op->pinned || ++op->attempts >= KL_APISERVER__CAS_RETRIES) {
                        op->r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
                        op_end(op);
                        return;
                }
                op->status = 0;
                op->blocking = true;
                r = kl_loop_run_blocking(op->s->loop, update_work, op_done, op);
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
                return create_failed(op, op->key,
                                     json_string_value(json_object_get(
                                             json_object_get(op->body, "metadata"), "name")),
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
