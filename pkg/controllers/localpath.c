/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The local-path provisioner, k3s-style (rancher/local-path-provisioner),
 * together with the part of upstream's PersistentVolume controller that
 * binds what it provisions.
 *
 * The StorageClass "local-path" (provisioner rancher.io/local-path,
 * volumeBindingMode WaitForFirstConsumer, reclaimPolicy Delete, the default
 * class) is created at start-up when absent. A claim of a class with that provisioner
 * waits until a pod using it has a node (the claim's
 * volume.kubernetes.io/selected-node annotation when a scheduler set it,
 * else a pod of the namespace with spec.nodeName that mounts the claim);
 * until then it stays Pending with the event WaitForFirstConsumer, as
 * upstream's PV controller words it. Then, one step per sync:
 *
 *   1. a PersistentVolume "pvc-<claim uid>" is created: a hostPath
 *      (DirectoryOrCreate) at "<local_path_dir>/pvc-<uid>_<ns>_<name>" with a
 *      node affinity to that node, the claim's request as capacity, a
 *      claimRef to the claim, and pv.kubernetes.io/provisioned-by;
 *   2. the claim is bound as upstream's PV controller would bind it (we do
 *      it here, there is no separate PV controller): spec.volumeName and the
 *      bind-completed / bound-by-controller annotations, status Bound with
 *      the volume's access modes and capacity, and the volume's status Bound.
 *
 * Claims without storageClassName get the default class (upstream's
 * retroactive default StorageClass assignment), since no admission plugin
 * sets it here. When a claim is deleted (or replaced by one of another
 * uid), its provisioned volume is deleted (reclaimPolicy Delete) or marked
 * Released (Retain).
 *
 * This controller never touches a filesystem: the directory is created by
 * the kubelet of the node when it mounts the hostPath (DirectoryOrCreate),
 * and removing the directory of a deleted volume is the node agent's job.
 * Volumes bound statically (spec.volumeName set by the user) are not ours
 * and are left alone; Immediate binding waits for a consumer as well (a
 * local volume needs a node).
 *
 * Keys: "ns/name" of a claim; "local-path" for the StorageClass.
 */
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

#define ANN_DEFAULT_CLASS   "storageclass.kubernetes.io/is-default-class"
#define ANN_PROVISIONED_BY  "pv.kubernetes.io/provisioned-by"
#define ANN_SELECTED_NODE   "volume.kubernetes.io/selected-node"
#define ANN_BIND_COMPLETED  "pv.kubernetes.io/bind-completed"
#define ANN_BOUND_BY_CTRL   "pv.kubernetes.io/bound-by-controller"
#define ANN_PROVISIONER     "volume.kubernetes.io/storage-provisioner"
#define ANN_PROVISIONER_OLD "volume.beta.kubernetes.io/storage-provisioner"
#define LABEL_HOSTNAME      "kubernetes.io/hostname"

static const json_t *field(const json_t *obj, const char *a, const char *b)
{
        return json_object_get(json_object_get(obj, a), b);
}

static const char *field_str(const json_t *obj, const char *a, const char *b)
{
        return json_string_value(field(obj, a, b));
}

static const char *annotation(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(field(obj, "metadata", "annotations"), key));
}

void kl_controllers__localpath_class_reconcile(const json_t *sc, struct kl_ctrl_actions *out)
{
        if (sc)
                return;
        kl_ctrl_create(out, kl_ctrl_res("storage.k8s.io", "storageclasses"), NULL,
                       json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:s, s:s, s:s}", "apiVersion",
                                 "storage.k8s.io/v1", "kind", "StorageClass", "metadata", "name",
                                 KL_CTRL_LOCALPATH_CLASS, "annotations", ANN_DEFAULT_CLASS, "true",
                                 "provisioner", KL_CTRL_LOCALPATH_PROVISIONER, "reclaimPolicy",
                                 "Delete", "volumeBindingMode", "WaitForFirstConsumer"));
}

/* Whether `pod` mounts claim `name` (a persistentVolumeClaim or a generic ephemeral volume). */
static bool pod_uses_claim(const json_t *pod, const char *name)
{
        const char *pod_name = kl_ctrl_meta_str(pod, "name");
        size_t i;
        json_t *v;

        json_array_foreach(field(pod, "spec", "volumes"), i, v) {
                const char *vname = json_string_value(json_object_get(v, "name"));

                if (kl_streq_null(field_str(v, "persistentVolumeClaim", "claimName"), name))
                        return true;
                /* An ephemeral volume's claim is "<pod>-<volume>". */
                if (json_object_get(v, "ephemeral") && pod_name && vname &&
                    strlen(pod_name) + 1 + strlen(vname) == strlen(name) &&
                    strncmp(name, pod_name, strlen(pod_name)) == 0 &&
                    name[strlen(pod_name)] == '-' && kl_streq(name + strlen(pod_name) + 1, vname))
                        return true;
        }
        return false;
}

/* The node the claim's volume must live on, or NULL while no consumer has one. */
static const char *selected_node(const struct kl_controllers__localpath_in *in)
{
        const char *node = annotation(in->pvc, ANN_SELECTED_NODE);

        if (!kl_isempty(node))
                return node;
        for (size_t i = 0; i < in->n_pods; i++) {
                const json_t *pod = in->pods[i];
                const char *n = field_str(pod, "spec", "nodeName");

                if (!kl_isempty(n) && kl_ctrl_pod_is_active(pod) && pod_uses_claim(pod, in->name))
                        return n;
        }
        return NULL;
}

static json_t *new_volume(const struct kl_controllers__localpath_in *in, const char *pv_name,
                          const char *node)
{
        const json_t *pvc = in->pvc;
        const json_t *modes = field(pvc, "spec", "accessModes");
        const char *mode = field_str(pvc, "spec", "volumeMode");
        const char *reclaim = json_string_value(json_object_get(in->sc, "reclaimPolicy"));
        json_t *path = json_sprintf("%s/%s_%s_%s", in->dir, pv_name, in->ns, in->name);
        json_t *rwo = json_pack("[s]", "ReadWriteOnce"), *pv;

        pv = json_pack("{s:s, s:s,"
                       " s:{s:s, s:{s:s, s:s}},"
                       " s:{s:{s:O}, s:O, s:s, s:s, s:s,"
                       "    s:{s:o, s:s},"
                       "    s:{s:{s:[{s:[{s:s, s:s, s:[s]}]}]}},"
                       "    s:{s:s, s:s, s:s, s:s, s:s?, s:s?}}}",
                       "apiVersion", "v1", "kind", "PersistentVolume", "metadata", "name", pv_name,
                       "annotations", ANN_PROVISIONED_BY, KL_CTRL_LOCALPATH_PROVISIONER,
                       "local.path.provisioner/selected-node", node, "spec", "capacity", "storage",
                       field(field(pvc, "spec", "resources"), "requests", "storage"), "accessModes",
                       json_array_size(modes) ? modes : rwo, "persistentVolumeReclaimPolicy",
                       reclaim ? reclaim : "Delete", "storageClassName",
                       kl_ctrl_meta_str(in->sc, "name"), "volumeMode", mode ? mode : "Filesystem",
                       "hostPath", "path", path, "type", "DirectoryOrCreate", "nodeAffinity",
                       "required", "nodeSelectorTerms", "matchExpressions", "key", LABEL_HOSTNAME,
                       "operator", "In", "values", node, "claimRef", "apiVersion", "v1", "kind",
                       "PersistentVolumeClaim", "namespace", in->ns, "name", in->name, "uid",
                       kl_ctrl_meta_str(pvc, "uid"), "resourceVersion",
                       kl_ctrl_meta_str(pvc, "resourceVersion"));
        json_decref(rwo);
        return pv;
}

/* The node of a volume's (our) node affinity. */
static const char *volume_node(const json_t *pv)
{
        const json_t *terms =
                field(field(pv, "spec", "nodeAffinity"), "required", "nodeSelectorTerms");
        const json_t *expr =
                json_array_get(json_object_get(json_array_get(terms, 0), "matchExpressions"), 0);

        return json_string_value(json_array_get(json_object_get(expr, "values"), 0));
}

/*
 * Claim and volume both Bound, as upstream's PV controller does it: the
 * volume's status; the claim's spec.volumeName and annotations; then, once
 * the claim names the volume (next sync), the claim's status.
 */
static void bind_claim(const struct kl_controllers__localpath_in *in, const json_t *pv,
                       struct kl_ctrl_actions *out)
{
        const struct kl_api_resource *pvcs = kl_ctrl_res("", "persistentvolumeclaims");
        const struct kl_api_resource *pvs = kl_ctrl_res("", "persistentvolumes");
        const char *pv_name = kl_ctrl_meta_str(pv, "name");
        const char *node = volume_node(pv);

        if (!kl_streq_null(field_str(pv, "status", "phase"), "Bound"))
                kl_ctrl_patch(out, pvs, NULL, pv_name, "status", KL_API_PATCH_TYPE_MERGE,
                              json_pack("{s:{s:s}}", "status", "phase", "Bound"));
        if (!kl_streq_null(field_str(in->pvc, "spec", "volumeName"), pv_name)) {
                json_t *ann = json_pack("{s:s, s:s, s:s, s:s}", ANN_BIND_COMPLETED, "yes",
                                        ANN_BOUND_BY_CTRL, "yes", ANN_PROVISIONER,
                                        KL_CTRL_LOCALPATH_PROVISIONER, ANN_PROVISIONER_OLD,
                                        KL_CTRL_LOCALPATH_PROVISIONER);

                if (node && !annotation(in->pvc, ANN_SELECTED_NODE))
                        json_object_set_new(ann, ANN_SELECTED_NODE, json_string(node));
                kl_ctrl_patch(out, pvcs, in->ns, in->name, NULL, KL_API_PATCH_TYPE_MERGE,
                              json_pack("{s:{s:o}, s:{s:s}}", "metadata", "annotations", ann,
                                        "spec", "volumeName", pv_name));
                return;
        }
        if (!kl_streq_null(field_str(in->pvc, "status", "phase"), "Bound"))
                kl_ctrl_patch(out, pvcs, in->ns, in->name, "status", KL_API_PATCH_TYPE_MERGE,
                              json_pack("{s:{s:s, s:O?, s:O?}}", "status", "phase", "Bound",
                                        "accessModes", field(pv, "spec", "accessModes"), "capacity",
                                        field(pv, "spec", "capacity")));
}

/* Volumes whose claim is gone: deleted (Delete) or Released (Retain), as upstream reclaims. */
static void reclaim(const struct kl_controllers__localpath_in *in, struct kl_ctrl_actions *out)
{
        const struct kl_api_resource *pvs = kl_ctrl_res("", "persistentvolumes");
        const char *uid = in->pvc ? kl_ctrl_meta_str(in->pvc, "uid") : NULL;

        for (size_t i = 0; i < in->n_pvs; i++) {
                const json_t *pv = in->pvs[i];
                const char *policy = field_str(pv, "spec", "persistentVolumeReclaimPolicy");

                if (uid && kl_streq_null(json_string_value(json_object_get(
                                                 field(pv, "spec", "claimRef"), "uid")),
                                         uid))
                        continue;
                if (!kl_streq_null(annotation(pv, ANN_PROVISIONED_BY),
                                   KL_CTRL_LOCALPATH_PROVISIONER) ||
                    kl_ctrl_is_deleting(pv))
                        continue;
                if (kl_streq_null(policy, "Retain")) {
                        if (!kl_streq_null(field_str(pv, "status", "phase"), "Released"))
                                kl_ctrl_patch(
                                        out, pvs, NULL, kl_ctrl_meta_str(pv, "name"), "status",
                                        KL_API_PATCH_TYPE_MERGE,
                                        json_pack("{s:{s:s}}", "status", "phase", "Released"));
                        continue;
                }
                kl_ctrl_delete(out, pvs, NULL, kl_ctrl_meta_str(pv, "name"),
                               json_pack("{s:{s:s?}}", "preconditions", "uid",
                                         kl_ctrl_meta_str(pv, "uid")));
        }
}

void kl_controllers__localpath_reconcile(const struct kl_controllers__localpath_in *in,
                                         struct kl_ctrl_actions *out)
{
        const json_t *pvc = in->pvc, *class, *pv = NULL;
        kl_autofree char *pv_name = NULL;
        const char *node;

        reclaim(in, out);
        if (!pvc || kl_ctrl_is_deleting(pvc))
                return;
        class = field(pvc, "spec", "storageClassName");
        if (!class) {
                /* No class at all (not ""): the default one, set retroactively while unbound. */
                if (in->default_sc && kl_isempty(field_str(pvc, "spec", "volumeName")))
                        kl_ctrl_patch(out, kl_ctrl_res("", "persistentvolumeclaims"), in->ns,
                                      in->name, NULL, KL_API_PATCH_TYPE_MERGE,
                                      json_pack("{s:{s:s?}}", "spec", "storageClassName",
                                                kl_ctrl_meta_str(in->default_sc, "name")));
                return;
        }
        if (!in->sc || !kl_streq_null(json_string_value(json_object_get(in->sc, "provisioner")),
                                      KL_CTRL_LOCALPATH_PROVISIONER))
                return;

        if (!kl_ctrl_meta_str(pvc, "uid"))
                return;
        pv_name = kl_asprintf("pvc-%s", kl_ctrl_meta_str(pvc, "uid"));
        for (size_t i = 0; i < in->n_pvs; i++)
                if (kl_streq_null(kl_ctrl_meta_str(in->pvs[i], "name"), pv_name) &&
                    kl_streq_null(json_string_value(json_object_get(
                                          field(in->pvs[i], "spec", "claimRef"), "uid")),
                                  kl_ctrl_meta_str(pvc, "uid")))
                        pv = in->pvs[i];
        if (pv) {
                bind_claim(in, pv, out);
                return;
        }
        /* Bound to a volume we did not make: not ours. */
        if (!kl_isempty(field_str(pvc, "spec", "volumeName")))
                return;
        if (!field(field(pvc, "spec", "resources"), "requests", "storage"))
                return;
        if (!(node = selected_node(in))) {
                if (kl_streq_null(json_string_value(json_object_get(in->sc, "volumeBindingMode")),
                                  "WaitForFirstConsumer"))
                        kl_ctrl_event(out, pvc, "Normal", "WaitForFirstConsumer",
                                      "waiting for first consumer to be created before binding");
                return;
        }
        /* The events of k3s' PV controller and provisioner, in their order. */
        kl_ctrl_event(out, pvc, "Normal", "ExternalProvisioning",
                      "Waiting for a volume to be created either by the external provisioner "
                      "'%s' or manually by the system administrator. If volume creation is "
                      "delayed, please verify that the provisioner is running and correctly "
                      "registered.",
                      KL_CTRL_LOCALPATH_PROVISIONER);
        kl_ctrl_event(out, pvc, "Normal", "Provisioning",
                      "External provisioner is provisioning volume for claim \"%s/%s\"", in->ns,
                      in->name);
        kl_ctrl_create(out, kl_ctrl_res("", "persistentvolumes"), NULL,
                       new_volume(in, pv_name, node));
        kl_ctrl_event(out, pvc, "Normal", "ProvisioningSucceeded",
                      "Successfully provisioned volume %s", pv_name);
}

/* ------------------------------------------------------------------------- */
/* The controller */

static void enqueue_claim(struct kl_ctrl *c, const char *ns, const char *name)
{
        kl_autofree char *key = NULL;

        if (!ns || !name)
                return;
        key = kl_asprintf("%s/%s", ns, name);
        kl_ctrl_enqueue(c, key);
}

static void localpath_enqueue(struct kl_ctrl *c, enum kl_ctrl_inf i, const json_t *old,
                              const json_t *obj)
{
        const json_t *o = obj ? obj : old;
        const json_t *ref;
        const char *node;
        size_t k;
        json_t *v;

        switch (i) {
        case KL_CTRL_INF_PVCS:
                kl_ctrl_enqueue_obj(c, o);
                break;
        case KL_CTRL_INF_PVS:
                ref = field(o, "spec", "claimRef");
                enqueue_claim(c, json_string_value(json_object_get(ref, "namespace")),
                              json_string_value(json_object_get(ref, "name")));
                break;
        case KL_CTRL_INF_PODS:
                /* A consumer landing on a node is what a waiting claim waits for. */
                node = field_str(obj, "spec", "nodeName");
                if (!obj || kl_isempty(node) ||
                    (old && kl_streq_null(field_str(old, "spec", "nodeName"), node)))
                        return;
                json_array_foreach(field(obj, "spec", "volumes"), k, v) {
                        const char *claim = field_str(v, "persistentVolumeClaim", "claimName");
                        kl_autofree char *eph = NULL;

                        if (!claim && json_object_get(v, "ephemeral")) {
                                eph = kl_asprintf("%s-%s", kl_ctrl_meta_str(obj, "name"),
                                                  json_string_value(json_object_get(v, "name")));
                                claim = eph;
                        }
                        enqueue_claim(c, kl_ctrl_meta_str(obj, "namespace"), claim);
                }
                break;
        default:
                break;
        }
}

/*
 * The class is made once per start, as k3s deploys its manifest: a class an
 * administrator deleted stays deleted until the server restarts.
 */
static void localpath_start(struct kl_ctrl *c)
{
        kl_ctrl_enqueue(c, KL_CTRL_LOCALPATH_CLASS);
}

/* The default StorageClass: the newest of those annotated so, as upstream picks. */
static const json_t *default_class(const struct kl_informer *inf)
{
        kl_cleanup(kl_objv_clearp) struct kl_objv all = { 0 };
        const json_t *best = NULL;

        kl_informer_list(inf, NULL, &all);
        for (size_t i = 0; i < all.n; i++) {
                if (!kl_streq_null(annotation(all.items[i], ANN_DEFAULT_CLASS), "true") &&
                    !kl_streq_null(annotation(all.items[i],
                                              "storageclass.beta.kubernetes.io/is-default-class"),
                                   "true"))
                        continue;
                if (!best || kl_ctrl_time(field(all.items[i], "metadata", "creationTimestamp")) >
                                     kl_ctrl_time(field(best, "metadata", "creationTimestamp")))
                        best = all.items[i];
        }
        return best;
}

static int localpath_sync(const struct kl_ctrl_env *env, const char *key,
                          struct kl_ctrl_actions *out, kl_usec_t *requeue_after,
                          struct kl_err **err)
{
        const struct kl_informer *scs = kl_ctrl_informer(env, KL_CTRL_INF_STORAGECLASSES);
        kl_cleanup(kl_objv_clearp) struct kl_objv all_pvs = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv pvs = { 0 };
        kl_cleanup(kl_objv_clearp) struct kl_objv pods = { 0 };
        kl_autofree char *ns = NULL, *name = NULL;
        struct kl_controllers__localpath_in in = { 0 };
        const char *class;

        (void)requeue_after;
        (void)err;
        kl_client_key_split(key, &ns, &name);
        if (!ns) {
                if (kl_streq(name, KL_CTRL_LOCALPATH_CLASS))
                        kl_controllers__localpath_class_reconcile(
                                kl_informer_get(scs, NULL, KL_CTRL_LOCALPATH_CLASS), out);
                return 0;
        }
        in.ns = ns;
        in.name = name;
        in.dir = env->opts->local_path_dir;
        in.pvc = kl_informer_get(kl_ctrl_informer(env, KL_CTRL_INF_PVCS), ns, name);
        class = field_str(in.pvc, "spec", "storageClassName");
        in.sc = class ? kl_informer_get(scs, NULL, class) : NULL;
        in.default_sc =
                in.pvc && !field(in.pvc, "spec", "storageClassName") ? default_class(scs) : NULL;
        /* Volumes are few (one per claim): a scan beats keeping an index. */
        kl_informer_list(kl_ctrl_informer(env, KL_CTRL_INF_PVS), NULL, &all_pvs);
        for (size_t i = 0; i < all_pvs.n; i++) {
                const json_t *ref = field(all_pvs.items[i], "spec", "claimRef");

                if (kl_streq_null(json_string_value(json_object_get(ref, "namespace")), ns) &&
                    kl_streq_null(json_string_value(json_object_get(ref, "name")), name))
                        kl_objv_push(&pvs, all_pvs.items[i]);
        }
        in.pvs = pvs.items;
        in.n_pvs = pvs.n;
        kl_informer_by_index(kl_ctrl_informer(env, KL_CTRL_INF_PODS), KL_INDEX_NAMESPACE, ns,
                             &pods);
        in.pods = pods.items;
        in.n_pods = pods.n;
        kl_controllers__localpath_reconcile(&in, out);
        return 0;
}

static const enum kl_ctrl_inf localpath_watches[] = {
        KL_CTRL_INF_PVCS,
        KL_CTRL_INF_PVS,
        KL_CTRL_INF_PODS,
        KL_CTRL_INF__COUNT,
};
static const enum kl_ctrl_inf localpath_reads[] = { KL_CTRL_INF_STORAGECLASSES,
                                                    KL_CTRL_INF__COUNT };

const struct kl_ctrl_def kl_ctrl_localpath = {
        .name = "localpath",
        /* Events read "From persistentvolume-controller", as most of upstream's do. */
        .user = "system:serviceaccount:kube-system:persistentvolume-controller",
        .watches = localpath_watches,
        .reads = localpath_reads,
        .enqueue = localpath_enqueue,
        .sync = localpath_sync,
        .start = localpath_start,
};
