/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Create, update and patch of the resource handler layer, computed on the
 * pool (op-internal.h): unknown fields per fieldValidation, server-owned
 * metadata, namespace lifecycle, defaulting and validation (admit()),
 * managedFields and server-side apply (managed.c), the subresources
 * (status, scale, binding, finalize) and Service allocations. A create or
 * an update leaves its store write to the loop (op->commit, handler.c);
 * an update that lost a race, and Services, write from here.
 */
#include <string.h>

#include "api/convert.h"
#include "api/defaults.h"
#include "api/patch.h"
#include "api/schema.h"
#include "api/validate.h"
#include "apiserver/apiserver-internal.h"
#include "apiserver/op-internal.h"
#include "json/json.h"

/* ------------------------------------------------------------------------- */
/* Writes: the worker side */

int kl_apiserver__encode_canonical(const json_t *obj, struct kl_buf *out, struct kl_err **err)
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
static int check_schema(struct op *op, const struct kl_api_resource *res, const json_t *obj,
                        struct kl_err **err)
{
        const struct kl_api_message *m = res->schema ? kl_api_schema_message(res->schema) : NULL;
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

/* "autoscaling/v1" -> group "autoscaling" (in `group`), version "v1"; "v1" -> "", "v1". */
static const char *split_api_version(const char *av, char *group, size_t size)
{
        const char *slash = strchr(av, '/');

        if (!slash) {
                *group = '\0';
                return av;
        }
        (void)snprintf(group, size, "%.*s", (int)(slash - av), av);
        return slash + 1;
}

/* managed.c's hook: an object seen in another version of its kind (NULL: none). */
static json_t *convert_api_version(const json_t *obj, const char *from, const char *to)
{
        char fg[128], tg[128];
        const char *fv = split_api_version(from, fg, sizeof(fg));
        const char *tv = split_api_version(to, tg, sizeof(tg));
        json_t *out = NULL;

        if (!kl_api_convert_known(fg, fv, tg, tv) ||
            kl_api_convert(obj, fg, fv, tg, tv, &out, NULL) < 0)
                return NULL;
        return out;
}

/*
 * The writer of `op` for managedFields; `api_version` is the caller's
 * buffer. An apply through a view writes in the view's version.
 */
static struct kl_apiserver__manager manager_of(const struct op *op, char *api_version, size_t size)
{
        enum kl_apiserver__fields_scope scope = KL_APISERVER_FIELDS_ALL;

        if (op->sub && kl_streq(op->sub, "status"))
                scope = KL_APISERVER_FIELDS_STATUS;
        else if (has_status_sub(op->res))
                scope = KL_APISERVER_FIELDS_NO_STATUS;
        return (struct kl_apiserver__manager){
                .manager = op->field_manager,
                .api_version = kl_api_resource_api_version(op->view ? op->view : op->res,
                                                           api_version, size),
                .sub = op->sub,
                .now = kl_now_realtime(),
                .scope = scope,
                .convert = convert_api_version,
        };
}

static const struct kl_api_message *message_of(const struct op *op)
{
        const struct kl_api_resource *res = op->view ? op->view : op->res;

        return res->schema ? kl_api_schema_message(res->schema) : NULL;
}

/* An ordinary write's managedFields entry (create: `old` NULL). */
static void record_update(struct op *op, json_t *next, const json_t *old)
{
        char av[128];
        struct kl_apiserver__manager who = manager_of(op, av, sizeof(av));

        kl_apiserver__managed_update(next, old, message_of(op), &who);
}

/*
 * An apply that failed with `r`: conflicts (managed.c's list, borrowed) keep
 * upstream's whole 409 Status in op->failure.
 */
static int apply_failed(struct op *op, int r, const json_t *conflicts, struct kl_err **err)
{
        kl_autofree char *msg = NULL;

        if (r != -KL_ECONFLICT || !conflicts)
                return r;
        json_decref(op->failure);
        op->failure = kl_apiserver__managed_conflict_status(op->res, op->name, conflicts, &msg);
        kl_err_free(*err);
        *err = NULL;
        return kl_err_set_msg(err, -KL_ECONFLICT, "%s", msg);
}

/*
 * What upstream's field manager asks of an applied configuration before it
 * merges anything: the request's apiVersion (`expected`: the resource's, a
 * view's, or autoscaling/v1 for a Scale) and no managedFields. A 400.
 */
static int check_applied(const json_t *config, const char *expected, struct kl_err **err)
{
        const char *v = json_string_value(json_object_get(config, "apiVersion"));

        if (!kl_streq_null(v, expected))
                return kl_err_set_msg(err, -EINVAL,
                                      "Incorrect version specified in apply patch. Specified "
                                      "patch version: %s, expected: %s",
                                      v ? v : "", expected);
        if (json_object_get(json_object_get(config, "metadata"), "managedFields"))
                return kl_err_set_msg(err, -EINVAL, "metadata.managedFields must be nil");
        return 0;
}

/*
 * Server-side apply of `config` to `live` (of the storage version): field
 * ownership and conflicts (managed.c). A conflict keeps upstream's whole
 * 409 Status in op->failure. Through a view (op->view, autoscaling/v1) the
 * apply runs in the view's version, as upstream's field manager runs it in
 * the request's: `live` is converted to it, `config` (of that version)
 * merged there, the applier's entry recorded with that apiVersion, and the
 * result converted back; status stays the stored one (the status
 * subresource's), whatever the round trip makes of it.
 */
static int apply_fields(struct op *op, const json_t *live, const json_t *config, json_t **ret,
                        struct kl_err **err)
{
        char av[128];
        struct kl_apiserver__manager who = manager_of(op, av, sizeof(av));
        const json_t *stored = live;
        json_auto_t *live_view = NULL;
        json_auto_t *merged = NULL;
        json_auto_t *conflicts = NULL;
        json_t *status;
        int r;

        r = check_applied(config, who.api_version, err);
        if (r < 0)
                return r;
        if (op->view) {
                r = kl_api_convert(live, op->res->group, op->res->version, op->view->group,
                                   op->view->version, &live_view, err);
                if (r < 0)
                        return r;
                live = live_view;
        }
        r = kl_apiserver__managed_apply(live, config, message_of(op), &who, op->force, &merged,
                                        &conflicts, err);
        if (r < 0)
                return apply_failed(op, r, conflicts, err);
        if (!op->view) {
                *ret = KL_TAKE_PTR(merged);
                return 0;
        }
        r = kl_api_convert(merged, op->view->group, op->view->version, op->res->group,
                           op->res->version, ret, err);
        if (r < 0)
                return r;
        if (!has_status_sub(op->res))
                return 0;
        status = json_object_get(stored, "status");
        if (status)
                (void)json_object_set_new(*ret, "status", json_deep_copy(status));
        else
                (void)json_object_del(*ret, "status");
        return 0;
}

/*
 * Server-side apply of the autoscaling/v1 Scale `config` to the Scale of
 * the stored `old`, as upstream's scale handler runs it: the parent's
 * entries that own spec.replicas are seen as owners of the Scale's
 * spec.replicas (managed.c's kl_apiserver__scale_entries_of()), the apply
 * runs on the Scale with conflicts against them, and the result's entries
 * go back to the parent (kl_apiserver__scale_entries_to_parent()): *ret is
 * the merged Scale carrying the parent's new managedFields.
 */
static int apply_scale(struct op *op, const json_t *old, const json_t *config, json_t **ret,
                       struct kl_err **err)
{
        char av[128];
        struct kl_apiserver__manager who = manager_of(op, av, sizeof(av));
        const json_t *parent = json_object_get(json_object_get(old, "metadata"), "managedFields");
        json_auto_t *scale = kl_apiserver__scale_of(old);
        json_auto_t *merged = NULL;
        json_auto_t *conflicts = NULL;
        json_t *entries;
        int r;

        r = check_applied(config, "autoscaling/v1", err);
        if (r < 0)
                return r;
        /* The Scale's paths are one version's; its status is read-only (nobody's). */
        who.scope = KL_APISERVER_FIELDS_NO_STATUS;
        who.convert = NULL;
        (void)json_object_set_new(json_object_get(scale, "metadata"), "managedFields",
                                  kl_apiserver__scale_entries_of(parent));
        r = kl_apiserver__managed_apply(scale, config,
                                        kl_api_schema_message("io.k8s.api.autoscaling.v1.Scale"),
                                        &who, op->force, &merged, &conflicts, err);
        if (r < 0)
                return apply_failed(op, r, conflicts, err);
        entries = kl_apiserver__scale_entries_to_parent(
                parent, json_object_get(json_object_get(merged, "metadata"), "managedFields"),
                who.api_version);
        (void)json_object_set_new(json_object_get(merged, "metadata"), "managedFields", entries);
        *ret = KL_TAKE_PTR(merged);
        return 0;
}

/* `next`'s managedFields become those an apply to a subresource computed in `input`. */
static void take_entries(json_t *next, const json_t *input)
{
        json_t *meta = json_object_get(next, "metadata");
        json_t *entries = json_object_get(json_object_get(input, "metadata"), "managedFields");

        if (json_array_size(entries) > 0)
                (void)json_object_set_new(meta, "managedFields", json_deep_copy(entries));
        else
                (void)json_object_del(meta, "managedFields");
}

/* The answer to a create the store refused with `r`. */
int kl_apiserver__op_create_failed(struct op *op, const char *key, const char *name, int r)
{
        if (r == -EEXIST) {
                char q[128];

                return kl_err_set_msg(&op->err, -EEXIST, "%s \"%s\" already exists",
                                      kl_api_resource_qualified(op->res, q, sizeof(q)), name);
        }
        return kl_err_set(&op->err, r, "create '%s'", key);
}

/* The answer to a create the store committed at `rev`. */
void kl_apiserver__op_create_done(struct op *op, int64_t rev)
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

        r = check_schema(op, op->view ? op->view : op->res, op->body, &op->err);
        if (r < 0)
                return r;
        if (op->verb == OP_PATCH)
                config = json_deep_copy(op->body);
        if (op->view) {
                /* Apply through a view that creates: the object is stored in the storage version.
                 */
                json_t *body = NULL;

                r = kl_api_convert(op->body, op->view->group, op->view->version, op->res->group,
                                   op->res->version, &body, &op->err);
                if (r < 0)
                        return r;
                json_decref(op->body);
                op->body = body;
        }
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
        r = kl_apiserver__encode_canonical(op->body, value, &op->err);
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
                        return kl_apiserver__op_create_failed(op, op->key, name, r);
        }
        kl_apiserver__op_create_done(op, rev);
        return 0;
}

void kl_apiserver__op_create_work(void *arg)
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
 * Is `op` a server-side apply to a subresource with field ownership of its
 * own (/status, /scale)? Others (/finalize) merge an apply body as a
 * strategic merge patch.
 */
static bool applied_sub(const struct op *op)
{
        return op->verb == OP_PATCH && op->patch_type == KL_API_PATCH_TYPE_APPLY_YAML && op->sub &&
               (kl_streq(op->sub, "status") || kl_streq(op->sub, "scale"));
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

                        if (op->patch_type == KL_API_PATCH_TYPE_APPLY_YAML && !op->sub) {
                                /* A view's manifest is checked in its version, before the merge. */
                                r = op->view ? check_schema(op, op->view, op->body, err) : 0;
                                if (r >= 0)
                                        r = apply_fields(op, base, op->body, &input, err);
                        } else if (applied_sub(op) && scale) {
                                r = apply_scale(op, old, op->body, &input, err);
                        } else if (applied_sub(op)) {
                                /* /status: a whole object, of which status is owned (scope). */
                                r = apply_fields(op, base, op->body, &input, err);
                        } else {
                                r = kl_api_patch_strategic(
                                        base, op->body, kl_api_patch_schema_lookup, m, &input, err);
                        }
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
                /*
                 * The Scale's replicas is a plain int32 upstream: absent or null
                 * decodes to 0 (an applier that stops applying it, a merge patch
                 * that deletes it: scaled to zero).
                 */
                json_int_t n = json_is_integer(replicas) ? json_integer_value(replicas) : 0;

                if ((replicas && !json_is_null(replicas) && !json_is_integer(replicas)) || n < 0) {
                        kl_autofree char *v = json_dumps(replicas, JSON_COMPACT | JSON_ENCODE_ANY);

                        return kl_err_set_msg(err, -KL_EINVALID,
                                              "Scale.autoscaling \"%s\" is invalid: spec.replicas: "
                                              "Invalid value: %s: must be greater than or equal "
                                              "to 0",
                                              op->name, v ? v : "null");
                }
                next = json_deep_copy(old);
                (void)json_object_set_new(json_object_get(next, "spec"), "replicas",
                                          json_integer(n));
                if (applied_sub(op))
                        take_entries(next, input);
                r = kl_apiserver__object_prepare_update(op->res, old, next, true, err);
        } else if (op->sub && kl_streq(op->sub, "status")) {
                json_t *status = json_object_get(input, "status");

                next = json_deep_copy(old);
                if (status)
                        (void)json_object_set_new(next, "status", json_deep_copy(status));
                else
                        (void)json_object_del(next, "status");
                if (applied_sub(op))
                        take_entries(next, input);
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
                r = check_schema(op, op->res, input, err);
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
        if (op->verb != OP_PATCH || op->patch_type != KL_API_PATCH_TYPE_APPLY_YAML ||
            (op->sub && !applied_sub(op)))
                record_update(op, next, old);
        *ret_new = KL_TAKE_PTR(next);
        return 0;
}

static bool is_binding(const struct op *op)
{
        return op->sub && kl_streq(op->sub, "binding");
}

/* What an update answers with `obj` (taken): /scale answers with the Scale. */
static json_t *answer_of(const struct op *op, json_t *obj)
{
        json_t *scale;

        if (!op->sub || !kl_streq(op->sub, "scale"))
                return obj;
        scale = kl_apiserver__scale_of(obj);
        json_decref(obj);
        return scale;
}

/*
 * The answer to an update the store committed at `rev`; takes `next`, which
 * may be NULL for a binding (its answer is a Status, not the pod).
 */
void kl_apiserver__op_update_done(struct op *op, json_t *next, int64_t rev)
{
        if (is_binding(op)) {
                /* Upstream answers a binding with a bare Success, 201. */
                op->result = json_pack("{sssss{}sssi}", "kind", "Status", "apiVersion", "v1",
                                       "metadata", "status", "Success", "code", 201);
                op->status = 201;
        } else {
                kl_apiserver__object_set_rv(next, rev);
                op->result = answer_of(op, json_incref(next));
        }
        op->rev = rev;
        json_decref(next);
}

void kl_apiserver__op_update_work(void *arg)
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
                r = kl_apiserver__encode_canonical(next, &value, &op->err);
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
                        op->result = answer_of(op, KL_TAKE_PTR(old));
                        break;
                }
                if (op->dry_run) {
                        op->result = answer_of(op, KL_TAKE_PTR(next));
                        break;
                }
                if (kl_apiserver__deletion_done(op->res, next)) {
                        /*
                         * The last finalizer is gone: the deletion it held up happens
                         * now (a pod in its grace period waits for its kubelet).
                         */
                        r = kl_apiserver__op_store_remove(op, op->res, key, next, kv->mod_rev,
                                                          &rev);
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
                         * Kept for a binding too, although it answers with a
                         * Status: the watch cache takes the tree instead of
                         * decoding the pod (commit_submit()).
                         */
                        op->next = KL_TAKE_PTR(next);
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
                kl_apiserver__op_update_done(op, KL_TAKE_PTR(next), rev);
                break;
        }
        if (r == -KL_ECONFLICT && !op->err)
                r = kl_apiserver__err_conflict(&op->err, op->res, op->name);
        op->r = r;
}

/*
 * PATCH with application/apply-patch+yaml upserts: when the object does not
 * exist, the patch is the object to create (contract §11.4); otherwise it is
 * applied with field ownership (managed.c) by kl_apiserver__op_update_work().
 */
void kl_apiserver__op_patch_work(void *arg)
{
        struct op *op = arg;

        if (op->patch_type == KL_API_PATCH_TYPE_APPLY_YAML && !op->sub) {
                kl_autofree char *key = kl_api_storage_key(op->res, op->ns, op->name);
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;

                if (kl_store_get(op->s->store, key, 0, &kv, NULL) == -ENOENT) {
                        kl_apiserver__op_create_work(op);
                        return;
                }
        }
        kl_apiserver__op_update_work(op);
}
