/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VolumeBinding plugin in small: what a pod's PersistentVolumeClaims
 * ask of the node it lands on.
 *
 *   PreFilter  kl_scheduler__vols_prefilter(): every claim the pod mounts
 *              (persistentVolumeClaim, and "<pod>-<volume>" for a generic
 *              ephemeral volume) must exist and not be deleting; a bound
 *              claim contributes its volume's required node affinity; an
 *              unbound claim must be of a WaitForFirstConsumer class (else
 *              "pod has unbound immediate PersistentVolumeClaims") and is
 *              remembered: the volume is provisioned once the pod has a node.
 *              Failures are upstream's UnschedulableAndUnresolvable messages.
 *   Filter     kl_scheduler__filter_volumes(): a node must match the node
 *              affinity of every bound volume ("node(s) had volume node
 *              affinity conflict").
 *   PreBind    (scheduler.c) each remembered claim gets the annotation
 *              volume.kubernetes.io/selected-node before the pod is bound.
 *
 * Not done: matching unbound claims to existing unbound volumes (static
 * provisioning; claims of a class without a provisioner simply wait for the
 * PV controller), StorageClass allowedTopologies, and upstream's wait for
 * the claims to be bound before the pod is bound (the kubelet retries until
 * they are). Objects are borrowed from the scheduler's informers.
 */
#include <string.h>

#include "scheduler/sched-internal.h"

static const json_t *field(const json_t *obj, const char *a, const char *b)
{
        return json_object_get(json_object_get(obj, a), b);
}

static const char *field_str(const json_t *obj, const char *a, const char *b)
{
        return json_string_value(field(obj, a, b));
}

void kl_scheduler__vols_release(struct kl_scheduler_vols *v)
{
        for (size_t i = 0; i < v->n_affinity; i++)
                kl_scheduler__pod_free(v->affinity[i]);
        free(v->affinity);
        kl_strv_free(v->select);
        *v = (struct kl_scheduler_vols){ 0 };
}

/*
 * A volume's required node affinity, parsed by the pod parser as if it were
 * a pod's (same NodeSelectorTerms, same semantics); NULL when it has none.
 */
static int volume_affinity(const json_t *pv, struct kl_scheduler_pod **ret, struct kl_err **err)
{
        const json_t *req = json_object_get(field(pv, "spec", "nodeAffinity"), "required");
        json_t *fake;
        int r;

        *ret = NULL;
        if (!req)
                return 0;
        fake = json_pack("{s:{s:s, s:s}, s:{s:{s:{s:O}}}}", "metadata", "name",
                         json_string_value(field(pv, "metadata", "name")) ?: "", "namespace", "",
                         "spec", "affinity", "nodeAffinity",
                         "requiredDuringSchedulingIgnoredDuringExecution", req);
        r = kl_scheduler__pod_parse(fake, ret, err);
        json_decref(fake);
        return r;
}

/* One claim: 0 to go on, 1 with *ret_msg when the pod cannot be scheduled, < 0 an error. */
static int claim_check(const char *ns, const char *claim, const struct kl_scheduler_vol_lookup *lk,
                       struct kl_scheduler_vols *v, char **ret_msg, struct kl_err **err)
{
        const json_t *pvc = lk->get(lk->arg, KL_SCHEDULER_VOL_PVC, ns, claim), *pv, *sc;
        const char *volume, *class;
        struct kl_scheduler_pod *aff = NULL;
        int r;

        if (!pvc) {
                *ret_msg = kl_asprintf("persistentvolumeclaim \"%s\" not found", claim);
                return 1;
        }
        if (field(pvc, "metadata", "deletionTimestamp")) {
                *ret_msg = kl_asprintf("persistentvolumeclaim \"%s\" is being deleted", claim);
                return 1;
        }
        volume = field_str(pvc, "spec", "volumeName");
        if (!kl_isempty(volume)) {
                pv = lk->get(lk->arg, KL_SCHEDULER_VOL_PV, NULL, volume);
                if (!pv) {
                        *ret_msg = kl_asprintf("persistentvolume \"%s\" not found", volume);
                        return 1;
                }
                r = volume_affinity(pv, &aff, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "persistentvolume \"%s\"", volume);
                if (aff) {
                        v->affinity =
                                kl_realloc(v->affinity, (v->n_affinity + 1) * sizeof(*v->affinity));
                        v->affinity[v->n_affinity++] = aff;
                }
                return 0;
        }
        class = field_str(pvc, "spec", "storageClassName");
        sc = kl_isempty(class) ? NULL : lk->get(lk->arg, KL_SCHEDULER_VOL_SC, NULL, class);
        if (!kl_streq_null(json_string_value(json_object_get(sc, "volumeBindingMode")),
                           "WaitForFirstConsumer")) {
                *ret_msg = kl_strdup("pod has unbound immediate PersistentVolumeClaims");
                return 1;
        }
        if (kl_strv_length(v->select) >= KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "too many claims");
        if (!kl_strv_contains(v->select, claim))
                kl_strv_push(&v->select, claim);
        return 0;
}

int kl_scheduler__vols_prefilter(const json_t *pod, const struct kl_scheduler_vol_lookup *lk,
                                 struct kl_scheduler_vols *ret, char **ret_msg, struct kl_err **err)
{
        const char *ns = field_str(pod, "metadata", "namespace");
        const char *pod_name = field_str(pod, "metadata", "name");
        const json_t *vols = field(pod, "spec", "volumes"), *vol;
        size_t i;
        int r = 0;

        *ret = (struct kl_scheduler_vols){ 0 };
        *ret_msg = NULL;
        if (json_array_size(vols) > KL_SCHEDULER_MAX_LIST)
                return kl_err_set_msg(err, -E2BIG, "'spec.volumes': too many");
        json_array_foreach(vols, i, vol) {
                const char *claim = field_str(vol, "persistentVolumeClaim", "claimName");
                kl_autofree char *eph = NULL;

                if (!claim && json_object_get(vol, "ephemeral")) {
                        eph = kl_asprintf("%s-%s", pod_name ? pod_name : "",
                                          json_string_value(json_object_get(vol, "name")) ?: "");
                        claim = eph;
                }
                if (!claim)
                        continue;
                r = claim_check(ns ? ns : "", claim, lk, ret, ret_msg, err);
                if (r != 0)
                        break;
        }
        if (r != 0)
                kl_scheduler__vols_release(ret);
        return r;
}

bool kl_scheduler__filter_volumes(const struct kl_scheduler_vols *v,
                                  const struct kl_scheduler_node *n, struct kl_scheduler_status *st)
{
        for (size_t i = 0; i < v->n_affinity; i++) {
                const struct kl_scheduler_pod *a = v->affinity[i];
                bool ok = false;

                for (size_t t = 0; t < a->n_required && !ok; t++)
                        ok = kl_scheduler__node_term_matches(&a->required[t], n->name, n->labels);
                if (!ok) {
                        st->reasons |= 1U << KL_SCHEDULER_R_VOLUME_AFFINITY;
                        st->unresolvable = true;
                        return false;
                }
        }
        return true;
}

/*
 * FitError with a PreFilter message: no per-node histogram, and preemption
 * finds every node unresolvable; the PostFilter message gets FitError's
 * " %v." after its own period, as message.c words it too.
 */
char *kl_scheduler__prefilter_message(size_t n_all, const char *msg)
{
        return kl_asprintf("0/%zu nodes are available: %s. preemption: 0/%zu nodes are "
                           "available: %zu Preemption is not helpful for scheduling..",
                           n_all, msg, n_all, n_all);
}
