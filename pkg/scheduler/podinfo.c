/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A pod parsed once, when the informer hands it over, into what the filters
 * and scores read: numbers in milli-CPU and bytes, small arrays of
 * tolerations and terms, pre-built label selectors. The scheduling loop then
 * never touches JSON or parses a quantity.
 *
 * Requests follow upstream's PodRequests (component-helpers resource
 * helpers, v1.32): the sum over containers; each init container counts as
 * itself plus the restartable (sidecar) init containers started before it;
 * sidecars also add to the sum; the result is the larger of the two, plus
 * spec.overhead. The non-zero variant used by scoring applies the same
 * formula with 100m CPU and 200Mi memory for a container that requests none
 * (upstream's DefaultMilliCPURequest and DefaultMemoryRequest).
 */
#include <string.h>

#include "scheduler/sched-internal.h"
#include "json/json.h"

#define DEFAULT_MILLI_CPU 100
#define DEFAULT_MEMORY    (200LL * 1024 * 1024)

/*
 * Bounds that keep every sum in int64 (STYLE R5.2 for numbers): one
 * resource value at most 2^50 (a PiB, a million million millicores), a
 * pod's total at most 2^44 (16 TiB), so half a million pods on one node
 * still add up exactly. Validation allows more; nothing real comes near.
 */
#define MAX_VALUE   ((int64_t)1 << 50)
#define MAX_POD_SUM ((int64_t)1 << 44)

/* ---- resources ----------------------------------------------------------- */

/* schedutil.IsScalarResourceName: extended resources, hugepages, attachable volumes. */
static bool is_scalar_name(const char *name)
{
        if (kl_startswith(name, "hugepages-") || kl_startswith(name, "attachable-volumes-"))
                return true;
        if (!strchr(name, '/'))
                return false;
        return !strstr(name, "kubernetes.io/") && !kl_startswith(name, "requests.");
}

static struct kl_scheduler_scalar *scalar_slot(struct kl_scheduler_res *r, const char *name)
{
        for (size_t i = 0; i < r->n_scalars; i++)
                if (strcmp(r->scalars[i].name, name) == 0)
                        return &r->scalars[i];
        r->scalars = kl_realloc(r->scalars, (r->n_scalars + 1) * sizeof(*r->scalars));
        r->scalars[r->n_scalars] = (struct kl_scheduler_scalar){ .name = kl_strdup(name) };
        return &r->scalars[r->n_scalars++];
}

int64_t kl_scheduler__res_scalar(const struct kl_scheduler_res *r, const char *name)
{
        for (size_t i = 0; i < r->n_scalars; i++)
                if (strcmp(r->scalars[i].name, name) == 0)
                        return r->scalars[i].value;
        return 0;
}

void kl_scheduler__res_release(struct kl_scheduler_res *r)
{
        for (size_t i = 0; i < r->n_scalars; i++)
                free(r->scalars[i].name);
        free(r->scalars);
        *r = (struct kl_scheduler_res){ 0 };
}

static int quantity_of(const json_t *v, const char *path, const char *name, struct kl_quantity *ret,
                       struct kl_err **err)
{
        json_auto_t *wrap = NULL;
        int r;

        if (json_is_string(v)) {
                r = kl_quantity_parse(json_string_value(v), ret, err);
                return r < 0 ? kl_err_wrap(err, r, "'%s.%s'", path, name) : 0;
        }
        wrap = json_pack("{sO}", "v", v);
        r = kl_json_get_quantity(wrap, "v", ret, err);
        return r < 0 ? kl_err_wrap(err, r, "'%s.%s'", path, name) : 0;
}

int kl_scheduler__res_add_list(struct kl_scheduler_res *r, const json_t *list, const char *path,
                               struct kl_err **err)
{
        const char *name;
        json_t *v;

        if (!list || json_is_null(list))
                return 0;
        if (!json_is_object(list))
                return kl_err_set_msg(err, -EINVAL, "'%s': expected object, got %s", path,
                                      kl_json_type_name(list));
        if (json_object_size(list) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'%s': too many resources", path);
        json_object_foreach((json_t *)list, name, v) {
                struct kl_quantity q;
                int64_t x;
                int rr = quantity_of(v, path, name, &q, err);

                if (rr < 0)
                        return rr;
                if (strcmp(name, "cpu") == 0)
                        rr = kl_quantity_milli_value(&q, &x);
                else
                        rr = kl_quantity_value(&q, &x);
                if (rr < 0 || x > MAX_VALUE)
                        return kl_err_set_msg(err, -ERANGE, "'%s.%s': value out of range", path,
                                              name);
                if (x < 0)
                        return kl_err_set_msg(err, -EINVAL, "'%s.%s': must be non-negative", path,
                                              name);
                if (strcmp(name, "cpu") == 0)
                        r->milli_cpu += x;
                else if (strcmp(name, "memory") == 0)
                        r->memory += x;
                else if (strcmp(name, "ephemeral-storage") == 0)
                        r->ephemeral += x;
                else if (strcmp(name, "pods") == 0)
                        r->pods += x;
                else if (is_scalar_name(name))
                        scalar_slot(r, name)->value += x;
        }
        return 0;
}

static void res_add(struct kl_scheduler_res *dst, const struct kl_scheduler_res *src)
{
        dst->milli_cpu += src->milli_cpu;
        dst->memory += src->memory;
        dst->ephemeral += src->ephemeral;
        for (size_t i = 0; i < src->n_scalars; i++)
                scalar_slot(dst, src->scalars[i].name)->value += src->scalars[i].value;
}

static void res_max(struct kl_scheduler_res *dst, const struct kl_scheduler_res *src)
{
        dst->milli_cpu = KL_MAX(dst->milli_cpu, src->milli_cpu);
        dst->memory = KL_MAX(dst->memory, src->memory);
        dst->ephemeral = KL_MAX(dst->ephemeral, src->ephemeral);
        for (size_t i = 0; i < src->n_scalars; i++) {
                struct kl_scheduler_scalar *s = scalar_slot(dst, src->scalars[i].name);

                s->value = KL_MAX(s->value, src->scalars[i].value);
        }
}

/* One container's requests, and the non-zero variant (cpu and memory only). */
static int container_requests(const json_t *c, const char *path, struct kl_scheduler_res *ret,
                              struct kl_scheduler_res *ret_nz, struct kl_err **err)
{
        const json_t *reqs = json_object_get(json_object_get(c, "resources"), "requests");
        int r = kl_scheduler__res_add_list(ret, reqs, path, err);

        if (r < 0)
                return r;
        ret_nz->milli_cpu = json_object_get(reqs, "cpu") ? ret->milli_cpu : DEFAULT_MILLI_CPU;
        ret_nz->memory = json_object_get(reqs, "memory") ? ret->memory : DEFAULT_MEMORY;
        return 0;
}

static int pod_requests(struct kl_scheduler_pod *p, const json_t *spec, struct kl_err **err)
{
        struct kl_scheduler_res sum = { 0 }, nz = { 0 }, side = { 0 }, side_nz = { 0 };
        struct kl_scheduler_res init = { 0 }, init_nz = { 0 };
        const json_t *cs = json_object_get(spec, "containers");
        const json_t *ics = json_object_get(spec, "initContainers");
        const json_t *c;
        size_t i;
        int r = 0;

        if (json_array_size(cs) + json_array_size(ics) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'.spec.containers': too many containers");
        json_array_foreach(cs, i, c) {
                struct kl_scheduler_res one = { 0 }, one_nz = { 0 };

                r = container_requests(c, ".spec.containers[].resources.requests", &one, &one_nz,
                                       err);
                if (r >= 0) {
                        res_add(&sum, &one);
                        res_add(&nz, &one_nz);
                }
                kl_scheduler__res_release(&one);
                kl_scheduler__res_release(&one_nz);
                if (r < 0)
                        goto out;
        }
        json_array_foreach(ics, i, c) {
                struct kl_scheduler_res one = { 0 }, one_nz = { 0 };
                const char *policy = json_string_value(json_object_get(c, "restartPolicy"));

                r = container_requests(c, ".spec.initContainers[].resources.requests", &one,
                                       &one_nz, err);
                if (r < 0) {
                        kl_scheduler__res_release(&one);
                        kl_scheduler__res_release(&one_nz);
                        goto out;
                }
                if (kl_streq_null(policy, "Always")) {
                        res_add(&sum, &one);
                        res_add(&nz, &one_nz);
                        res_add(&side, &one);
                        res_add(&side_nz, &one_nz);
                        res_max(&init, &side);
                        res_max(&init_nz, &side_nz);
                } else {
                        res_add(&one, &side);
                        res_add(&one_nz, &side_nz);
                        res_max(&init, &one);
                        res_max(&init_nz, &one_nz);
                }
                kl_scheduler__res_release(&one);
                kl_scheduler__res_release(&one_nz);
        }
        res_max(&sum, &init);
        res_max(&nz, &init_nz);
        r = kl_scheduler__res_add_list(&sum, json_object_get(spec, "overhead"), ".spec.overhead",
                                       err);
        if (r < 0)
                goto out;
        r = kl_scheduler__res_add_list(&nz, json_object_get(spec, "overhead"), ".spec.overhead",
                                       err);
        if (r < 0)
                goto out;
        if (sum.milli_cpu > MAX_POD_SUM || sum.memory > MAX_POD_SUM ||
            sum.ephemeral > MAX_POD_SUM || nz.milli_cpu > MAX_POD_SUM || nz.memory > MAX_POD_SUM) {
                r = kl_err_set_msg(err, -ERANGE, "'.spec': resource requests out of range");
                goto out;
        }
        for (i = 0; i < sum.n_scalars; i++)
                if (sum.scalars[i].value > MAX_POD_SUM) {
                        r = kl_err_set_msg(err, -ERANGE, "'.spec': resource requests out of range");
                        goto out;
                }
        sum.pods = 1;
        p->req = sum;
        sum = (struct kl_scheduler_res){ 0 };
        p->nz_milli_cpu = nz.milli_cpu;
        p->nz_memory = nz.memory;
out:
        kl_scheduler__res_release(&sum);
        kl_scheduler__res_release(&nz);
        kl_scheduler__res_release(&side);
        kl_scheduler__res_release(&side_nz);
        kl_scheduler__res_release(&init);
        kl_scheduler__res_release(&init_nz);
        return r;
}

/* ---- taints and tolerations ----------------------------------------------- */

static enum kl_scheduler_effect effect_parse(const char *s)
{
        if (kl_isempty(s))
                return KL_SCHEDULER_EFFECT_ALL;
        if (strcmp(s, "NoSchedule") == 0)
                return KL_SCHEDULER_EFFECT_NO_SCHEDULE;
        if (strcmp(s, "PreferNoSchedule") == 0)
                return KL_SCHEDULER_EFFECT_PREFER_NO_SCHEDULE;
        if (strcmp(s, "NoExecute") == 0)
                return KL_SCHEDULER_EFFECT_NO_EXECUTE;
        return KL_SCHEDULER_EFFECT__INVALID;
}

/* v1.Toleration.ToleratesTaint. */
bool kl_scheduler__tolerates(const struct kl_scheduler_toleration *t, size_t n,
                             const struct kl_scheduler_taint *taint)
{
        for (size_t i = 0; i < n; i++) {
                if (t[i].effect != KL_SCHEDULER_EFFECT_ALL && t[i].effect != taint->effect)
                        continue;
                if (!(t[i].key[0] == '\0' && t[i].exists) && strcmp(t[i].key, taint->key) != 0)
                        continue;
                if (t[i].exists || strcmp(t[i].value, taint->value) == 0)
                        return true;
        }
        return false;
}

static int tolerations_parse(struct kl_scheduler_pod *p, const json_t *list, struct kl_err **err)
{
        const json_t *t;
        size_t i;

        if (json_array_size(list) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'.spec.tolerations': too many tolerations");
        p->tols = kl_calloc(json_array_size(list) + 1, sizeof(*p->tols));
        json_array_foreach(list, i, t) {
                const char *key = json_string_value(json_object_get(t, "key"));
                const char *op = json_string_value(json_object_get(t, "operator"));
                const char *value = json_string_value(json_object_get(t, "value"));
                enum kl_scheduler_effect e =
                        effect_parse(json_string_value(json_object_get(t, "effect")));
                struct kl_scheduler_toleration *x = &p->tols[p->n_tols];

                if (e < 0)
                        return kl_err_set_msg(err, -EINVAL,
                                              "'.spec.tolerations[%zu].effect': invalid", i);
                if (!kl_isempty(op) && strcmp(op, "Exists") != 0 && strcmp(op, "Equal") != 0)
                        return kl_err_set_msg(err, -EINVAL,
                                              "'.spec.tolerations[%zu].operator': invalid", i);
                x->key = kl_strdup(key ? key : "");
                x->value = kl_strdup(value ? value : "");
                x->exists = kl_streq_null(op, "Exists");
                x->effect = e;
                p->n_tols++;
        }
        return 0;
}

/* ---- node selector terms -------------------------------------------------- */

static enum kl_scheduler_node_op node_op_parse(const char *s)
{
        static const char *const names[] = { "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt" };

        for (size_t i = 0; s && i < KL_ARRAY_SIZE(names); i++)
                if (strcmp(s, names[i]) == 0)
                        return (enum kl_scheduler_node_op)i;
        return KL_SCHEDULER_OP__INVALID;
}

static int reqs_parse(const json_t *list, const char *path, struct kl_scheduler_node_req **ret,
                      size_t *ret_n, struct kl_err **err)
{
        const json_t *e;
        size_t i;

        if (json_array_size(list) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'%s': too many requirements", path);
        *ret = kl_calloc(json_array_size(list) + 1, sizeof(**ret));
        json_array_foreach(list, i, e) {
                struct kl_scheduler_node_req *q = &(*ret)[*ret_n];
                const char *key = json_string_value(json_object_get(e, "key"));
                const json_t *vals = json_object_get(e, "values");
                const json_t *v;
                size_t j;

                q->op = node_op_parse(json_string_value(json_object_get(e, "operator")));
                if (q->op < 0)
                        return kl_err_set_msg(err, -EINVAL, "'%s[%zu].operator': invalid", path, i);
                if (json_array_size(vals) > KL_SCHEDULER_MAX_LIST)
                        return kl_err_set_msg(err, -E2BIG, "'%s[%zu].values': too many", path, i);
                q->key = kl_strdup(key ? key : "");
                (*ret_n)++;
                json_array_foreach(vals, j, v)
                        kl_strv_push(&q->values, json_string_value(v) ? json_string_value(v) : "");
                if (q->op == KL_SCHEDULER_OP_GT || q->op == KL_SCHEDULER_OP_LT)
                        q->bad = kl_strv_length(q->values) != 1 ||
                                 kl_parse_int64(q->values[0], &q->number) < 0;
        }
        return 0;
}

static void reqs_free(struct kl_scheduler_node_req *r, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(r[i].key);
                kl_strv_free(r[i].values);
        }
        free(r);
}

static int term_parse(const json_t *t, const char *path, struct kl_scheduler_node_term *ret,
                      struct kl_err **err)
{
        int r = reqs_parse(json_object_get(t, "matchExpressions"), path, &ret->exprs, &ret->n_exprs,
                           err);

        if (r < 0)
                return r;
        return reqs_parse(json_object_get(t, "matchFields"), path, &ret->fields, &ret->n_fields,
                          err);
}

static void terms_free(struct kl_scheduler_node_term *t, size_t n)
{
        for (size_t i = 0; t && i < n; i++) {
                reqs_free(t[i].exprs, t[i].n_exprs);
                reqs_free(t[i].fields, t[i].n_fields);
        }
        free(t);
}

/* NodeSelectorRequirement against one value (`value` NULL: the key is absent). */
static bool req_matches(const struct kl_scheduler_node_req *q, const char *value)
{
        int64_t x;

        switch (q->op) {
        case KL_SCHEDULER_OP_IN:
                return value && kl_strv_contains(q->values, value);
        case KL_SCHEDULER_OP_NOT_IN:
                return !value || !kl_strv_contains(q->values, value);
        case KL_SCHEDULER_OP_EXISTS:
                return value != NULL;
        case KL_SCHEDULER_OP_DOES_NOT_EXIST:
                return value == NULL;
        case KL_SCHEDULER_OP_GT:
        case KL_SCHEDULER_OP_LT:
                if (!value || q->bad || kl_parse_int64(value, &x) < 0)
                        return false;
                return q->op == KL_SCHEDULER_OP_GT ? x > q->number : x < q->number;
        default:
                return false;
        }
}

bool kl_scheduler__node_term_matches(const struct kl_scheduler_node_term *t, const char *node_name,
                                     const json_t *labels)
{
        if (t->n_exprs == 0 && t->n_fields == 0)
                return false;
        for (size_t i = 0; i < t->n_exprs; i++)
                if (!req_matches(&t->exprs[i],
                                 json_string_value(json_object_get(labels, t->exprs[i].key))))
                        return false;
        for (size_t i = 0; i < t->n_fields; i++) {
                /* metadata.name is the only field upstream supports; In and NotIn only. */
                if (strcmp(t->fields[i].key, "metadata.name") != 0 ||
                    (t->fields[i].op != KL_SCHEDULER_OP_IN &&
                     t->fields[i].op != KL_SCHEDULER_OP_NOT_IN))
                        return false;
                if (!req_matches(&t->fields[i], node_name))
                        return false;
        }
        return true;
}

static int node_affinity_parse(struct kl_scheduler_pod *p, const json_t *spec, struct kl_err **err)
{
        const json_t *sel = json_object_get(spec, "nodeSelector");
        const json_t *na = json_object_get(json_object_get(spec, "affinity"), "nodeAffinity");
        const json_t *req = json_object_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
        const json_t *terms = json_object_get(req, "nodeSelectorTerms");
        const json_t *pref = json_object_get(na, "preferredDuringSchedulingIgnoredDuringExecution");
        const char *k;
        const json_t *v;
        size_t i;
        int r;

        if (json_object_size(sel) > KL_SCHEDULER_MAX_LIST ||
            json_array_size(terms) > KL_SCHEDULER_MAX_LIST ||
            json_array_size(pref) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'.spec.affinity': too many terms");
        p->node_selector = kl_calloc(json_object_size(sel) + 1, sizeof(*p->node_selector));
        json_object_foreach((json_t *)sel, k, v) {
                struct kl_scheduler_node_req *q = &p->node_selector[p->n_node_selector++];

                q->key = kl_strdup(k);
                q->op = KL_SCHEDULER_OP_IN;
                kl_strv_push(&q->values, json_string_value(v) ? json_string_value(v) : "");
        }
        if (req) {
                /* A required affinity with no terms matches no node (upstream's nodeaffinity). */
                p->required = kl_calloc(json_array_size(terms) + 1, sizeof(*p->required));
                json_array_foreach(terms, i, v) {
                        r = term_parse(v, ".spec.affinity.nodeAffinity.required", &p->required[i],
                                       err);
                        p->n_required = i + 1;
                        if (r < 0)
                                return r;
                }
        }
        p->preferred = kl_calloc(json_array_size(pref) + 1, sizeof(*p->preferred));
        json_array_foreach(pref, i, v) {
                json_int_t w = json_integer_value(json_object_get(v, "weight"));

                r = term_parse(json_object_get(v, "preference"),
                               ".spec.affinity.nodeAffinity.preferred", &p->preferred[i], err);
                p->n_preferred = i + 1;
                if (r < 0)
                        return r;
                p->preferred[i].weight = (int32_t)KL_MAX(KL_MIN(w, 100), 0);
        }
        return 0;
}

/* ---- ports --------------------------------------------------------------- */

static int ports_parse(struct kl_scheduler_pod *p, const json_t *spec, struct kl_err **err)
{
        const json_t *cs = json_object_get(spec, "containers");
        const json_t *c, *port;
        size_t i, j, n = 0;

        json_array_foreach(cs, i, c)
                n += json_array_size(json_object_get(c, "ports"));
        if (n > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'.spec.containers[].ports': too many ports");
        p->ports = kl_calloc(n + 1, sizeof(*p->ports));
        json_array_foreach(cs, i, c) {
                json_array_foreach(json_object_get(c, "ports"), j, port) {
                        json_int_t hp = json_integer_value(json_object_get(port, "hostPort"));
                        const char *ip = json_string_value(json_object_get(port, "hostIP"));
                        const char *proto = json_string_value(json_object_get(port, "protocol"));
                        struct kl_scheduler_port *x;

                        if (hp <= 0)
                                continue;
                        x = &p->ports[p->n_ports++];
                        x->port = (int32_t)hp;
                        (void)snprintf(x->ip, sizeof(x->ip), "%s", kl_isempty(ip) ? "0.0.0.0" : ip);
                        x->proto = kl_streq_null(proto, "UDP")    ? 1
                                   : kl_streq_null(proto, "SCTP") ? 2
                                                                  : 0;
                }
        }
        return 0;
}

/* ---- pod affinity and topology spread ------------------------------------ */

static int pod_terms_parse(const json_t *list, const char *path, struct kl_scheduler_pod_term **ret,
                           size_t *ret_n, struct kl_err **err)
{
        const json_t *t;
        size_t i;

        if (json_array_size(list) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'%s': too many terms", path);
        *ret = kl_calloc(json_array_size(list) + 1, sizeof(**ret));
        json_array_foreach(list, i, t) {
                struct kl_scheduler_pod_term *x = &(*ret)[i];
                const json_t *nss = json_object_get(t, "namespaces");
                const json_t *nsel = json_object_get(t, "namespaceSelector");
                const char *key = json_string_value(json_object_get(t, "topologyKey"));
                const json_t *v;
                size_t j;
                int r;

                *ret_n = i + 1;
                x->topology_key = kl_strdup(key ? key : "");
                r = kl_api_label_selector_from_json(json_object_get(t, "labelSelector"),
                                                    &x->selector, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "'%s[%zu].labelSelector'", path, i);
                if (nsel && !json_is_null(nsel)) {
                        r = kl_api_label_selector_from_json(nsel, &x->ns_selector, err);
                        if (r < 0)
                                return kl_err_wrap(err, r, "'%s[%zu].namespaceSelector'", path, i);
                }
                if (json_array_size(nss) > KL_SCHEDULER_MAX_LIST)
                        return kl_err_set_msg(err, -E2BIG, "'%s[%zu].namespaces': too many", path,
                                              i);
                json_array_foreach(nss, j, v)
                        if (json_string_value(v))
                                kl_strv_push(&x->namespaces, json_string_value(v));
        }
        return 0;
}

static void pod_terms_free(struct kl_scheduler_pod_term *t, size_t n)
{
        for (size_t i = 0; t && i < n; i++) {
                kl_api_label_selector_free(t[i].selector);
                kl_api_label_selector_free(t[i].ns_selector);
                kl_strv_free(t[i].namespaces);
                free(t[i].topology_key);
        }
        free(t);
}

/*
 * Whether pod `p` is selected by a term of a pod in `term_owner_ns`:
 * upstream's AffinityTerm.Matches (namespaces, or the namespace selector, or
 * the owner's own namespace when neither is given; then the label selector).
 */
bool kl_scheduler__pod_term_matches(const struct kl_scheduler_pod_term *t,
                                    const char *term_owner_ns, const struct kl_scheduler_pod *p,
                                    const json_t *ns_labels)
{
        bool ns_ok;

        if (!t->namespaces && !t->ns_selector)
                ns_ok = strcmp(term_owner_ns, p->ns) == 0;
        else
                ns_ok = kl_strv_contains(t->namespaces, p->ns) ||
                        (t->ns_selector &&
                         kl_api_label_selector_matches(t->ns_selector, ns_labels));
        return ns_ok && kl_api_label_selector_matches(t->selector, p->labels);
}

static int spread_parse(struct kl_scheduler_pod *p, const json_t *list, struct kl_err **err)
{
        const json_t *c;
        size_t i;

        if (json_array_size(list) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'.spec.topologySpreadConstraints': too many");
        p->spread = kl_calloc(json_array_size(list) + 1, sizeof(*p->spread));
        json_array_foreach(list, i, c) {
                struct kl_scheduler_spread *s = &p->spread[i];
                const char *key = json_string_value(json_object_get(c, "topologyKey"));
                const char *when = json_string_value(json_object_get(c, "whenUnsatisfiable"));
                const char *aff = json_string_value(json_object_get(c, "nodeAffinityPolicy"));
                const char *tnt = json_string_value(json_object_get(c, "nodeTaintsPolicy"));
                const json_t *keys = json_object_get(c, "matchLabelKeys");
                json_auto_t *ls = NULL;
                const json_t *k;
                size_t j;
                int r;

                p->n_spread = i + 1;
                s->topology_key = kl_strdup(key ? key : "");
                s->max_skew = (int32_t)json_integer_value(json_object_get(c, "maxSkew"));
                s->min_domains = (int32_t)json_integer_value(json_object_get(c, "minDomains"));
                if (s->min_domains <= 0)
                        s->min_domains = 1;
                s->hard = !kl_streq_null(when, "ScheduleAnyway");
                s->honor_affinity = !kl_streq_null(aff, "Ignore");
                s->honor_taints = kl_streq_null(tnt, "Honor");
                /*
                 * matchLabelKeys: each key's value in the pod's labels becomes
                 * a `key in (value)` requirement of the selector, as upstream
                 * merges them; keys the pod lacks are ignored.
                 */
                ls = json_deep_copy(json_object_get(c, "labelSelector"));
                if (json_array_size(keys) > 0) {
                        json_t *exprs;

                        if (!ls)
                                ls = json_object();
                        exprs = json_object_get(ls, "matchExpressions");
                        if (!json_is_array(exprs)) {
                                exprs = json_array();
                                (void)json_object_set_new(ls, "matchExpressions", exprs);
                        }
                        json_array_foreach(keys, j, k) {
                                const char *val = json_string_value(
                                        json_object_get(p->labels, json_string_value(k)));

                                if (val && json_string_value(k))
                                        (void)json_array_append_new(
                                                exprs,
                                                json_pack("{sssss[s]}", "key", json_string_value(k),
                                                          "operator", "In", "values", val));
                        }
                }
                r = kl_api_label_selector_from_json(ls, &s->selector, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "'.spec.topologySpreadConstraints[%zu]'", i);
                s->self_match = kl_api_label_selector_matches(s->selector, p->labels);
        }
        return 0;
}

/* ---- the pod ------------------------------------------------------------- */

int kl_scheduler__pod_parse(const json_t *obj, struct kl_scheduler_pod **ret, struct kl_err **err)
{
        kl_cleanup(kl_scheduler__pod_freep) struct kl_scheduler_pod *p =
                kl_new0(struct kl_scheduler_pod);
        const json_t *md = json_object_get(obj, "metadata");
        const json_t *spec = json_object_get(obj, "spec");
        const json_t *aff = json_object_get(spec, "affinity");
        const char *ns = json_string_value(json_object_get(md, "namespace"));
        const char *name = json_string_value(json_object_get(md, "name"));
        const char *sched = json_string_value(json_object_get(spec, "schedulerName"));
        const char *node = json_string_value(json_object_get(spec, "nodeName"));
        const char *phase =
                json_string_value(json_object_get(json_object_get(obj, "status"), "phase"));
        const char *policy = json_string_value(json_object_get(spec, "preemptionPolicy"));
        int r;

        if (!json_is_object(obj) || kl_isempty(name))
                return kl_err_set_msg(err, -EINVAL, "'.metadata.name': not found");
        p->obj = json_incref((json_t *)obj);
        p->ns = kl_strdup(ns ? ns : "");
        p->name = kl_strdup(name);
        p->key = kl_asprintf("%s/%s", p->ns, p->name);
        p->labels = json_object_get(md, "labels");
        p->priority = (int32_t)json_integer_value(json_object_get(spec, "priority"));
        p->preempt_never = kl_streq_null(policy, "Never");
        p->terminating = json_object_get(md, "deletionTimestamp") &&
                         !json_is_null(json_object_get(md, "deletionTimestamp"));
        p->terminated = kl_streq_null(phase, "Succeeded") || kl_streq_null(phase, "Failed");
        p->ours = kl_isempty(sched) || strcmp(sched, "default-scheduler") == 0;
        if (!kl_isempty(node))
                p->node_name = kl_strdup(node);
        r = pod_requests(p, spec, err);
        if (r < 0)
                return r;
        r = tolerations_parse(p, json_object_get(spec, "tolerations"), err);
        if (r < 0)
                return r;
        r = node_affinity_parse(p, spec, err);
        if (r < 0)
                return r;
        r = ports_parse(p, spec, err);
        if (r < 0)
                return r;
        r = pod_terms_parse(json_object_get(json_object_get(aff, "podAffinity"),
                                            "requiredDuringSchedulingIgnoredDuringExecution"),
                            ".spec.affinity.podAffinity.required", &p->affinity, &p->n_affinity,
                            err);
        if (r < 0)
                return r;
        r = pod_terms_parse(json_object_get(json_object_get(aff, "podAntiAffinity"),
                                            "requiredDuringSchedulingIgnoredDuringExecution"),
                            ".spec.affinity.podAntiAffinity.required", &p->anti, &p->n_anti, err);
        if (r < 0)
                return r;
        r = spread_parse(p, json_object_get(spec, "topologySpreadConstraints"), err);
        if (r < 0)
                return r;
        *ret = KL_TAKE_PTR(p);
        return 0;
}

void kl_scheduler__pod_free(struct kl_scheduler_pod *p)
{
        if (!p)
                return;
        free(p->key);
        free(p->ns);
        free(p->name);
        free(p->node_name);
        json_decref(p->obj);
        kl_scheduler__res_release(&p->req);
        for (size_t i = 0; i < p->n_tols; i++) {
                free(p->tols[i].key);
                free(p->tols[i].value);
        }
        free(p->tols);
        reqs_free(p->node_selector, p->n_node_selector);
        terms_free(p->required, p->n_required);
        terms_free(p->preferred, p->n_preferred);
        free(p->ports);
        pod_terms_free(p->affinity, p->n_affinity);
        pod_terms_free(p->anti, p->n_anti);
        for (size_t i = 0; i < p->n_spread; i++) {
                free(p->spread[i].topology_key);
                kl_api_label_selector_free(p->spread[i].selector);
        }
        free(p->spread);
        free(p);
}

/* ---- nodes --------------------------------------------------------------- */

static int taints_parse(struct kl_scheduler_node *n, const json_t *list, const char *implicit,
                        struct kl_err **err)
{
        const json_t *t;
        size_t i;

        if (json_array_size(list) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'.spec.taints': too many taints");
        n->taints = kl_calloc(json_array_size(list) + 2, sizeof(*n->taints));
        json_array_foreach(list, i, t) {
                const char *key = json_string_value(json_object_get(t, "key"));
                const char *value = json_string_value(json_object_get(t, "value"));
                enum kl_scheduler_effect e =
                        effect_parse(json_string_value(json_object_get(t, "effect")));

                if (e <= KL_SCHEDULER_EFFECT_ALL)
                        return kl_err_set_msg(err, -EINVAL, "'.spec.taints[%zu].effect': invalid",
                                              i);
                if (implicit && kl_streq_null(key, implicit) &&
                    e == KL_SCHEDULER_EFFECT_NO_SCHEDULE)
                        implicit = NULL;
                n->taints[n->n_taints++] = (struct kl_scheduler_taint){
                        .key = kl_strdup(key ? key : ""),
                        .value = kl_strdup(value ? value : ""),
                        .effect = e,
                };
                if (e == KL_SCHEDULER_EFFECT_PREFER_NO_SCHEDULE)
                        n->has_prefer_taint = true;
        }
        /*
         * A node whose Ready condition is not True is tainted NoSchedule by
         * upstream's node lifecycle controller (TaintNodesByCondition:
         * not-ready for False, unreachable for Unknown or missing), and the
         * scheduler refuses it through TaintToleration. Until that taint is
         * written we add it here, so the filter and its message, and pods
         * that tolerate it (DaemonSets), behave as they will once it is.
         */
        if (implicit)
                n->taints[n->n_taints++] = (struct kl_scheduler_taint){
                        .key = kl_strdup(implicit),
                        .value = kl_strdup(""),
                        .effect = KL_SCHEDULER_EFFECT_NO_SCHEDULE,
                };
        return 0;
}

int kl_scheduler__node_parse(const json_t *obj, struct kl_scheduler_node **ret, struct kl_err **err)
{
        kl_cleanup(kl_scheduler__node_freep) struct kl_scheduler_node *n =
                kl_new0(struct kl_scheduler_node);
        const json_t *md = json_object_get(obj, "metadata");
        const json_t *spec = json_object_get(obj, "spec");
        const json_t *status = json_object_get(obj, "status");
        const char *name = json_string_value(json_object_get(md, "name"));
        const char *ready = NULL, *implicit;
        const json_t *c;
        size_t i;
        int r;

        if (!json_is_object(obj) || kl_isempty(name))
                return kl_err_set_msg(err, -EINVAL, "'.metadata.name': not found");
        n->name = kl_strdup(name);
        n->obj = json_incref((json_t *)obj);
        n->labels = json_object_get(md, "labels");
        n->idx = SIZE_MAX;
        n->unschedulable = json_is_true(json_object_get(spec, "unschedulable"));
        r = kl_scheduler__res_add_list(&n->alloc, json_object_get(status, "allocatable"),
                                       ".status.allocatable", err);
        if (r < 0)
                return r;
        json_array_foreach(json_object_get(status, "conditions"), i, c)
                if (kl_streq_null(json_string_value(json_object_get(c, "type")), "Ready"))
                        ready = json_string_value(json_object_get(c, "status"));
        implicit = kl_streq_null(ready, "True")    ? NULL
                   : kl_streq_null(ready, "False") ? "node.kubernetes.io/not-ready"
                                                   : "node.kubernetes.io/unreachable";
        r = taints_parse(n, json_object_get(spec, "taints"), implicit, err);
        if (r < 0)
                return r;
        *ret = KL_TAKE_PTR(n);
        return 0;
}

void kl_scheduler__node_free(struct kl_scheduler_node *n)
{
        if (!n)
                return;
        free(n->name);
        json_decref(n->obj);
        kl_scheduler__res_release(&n->alloc);
        kl_scheduler__res_release(&n->requested);
        for (size_t i = 0; i < n->n_taints; i++) {
                free(n->taints[i].key);
                free(n->taints[i].value);
        }
        free(n->taints);
        free(n->pods);
        free(n);
}
