/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deployment, ReplicaSet, StatefulSet and DaemonSet validation (upstream's
 * pkg/apis/apps/validation and the apps/v1 strategies' update rules).
 *
 * Checked: selector required, non-empty, valid and matching the template
 * labels; the pod template (restartPolicy Always, no activeDeadlineSeconds,
 * everything of kl_api__v_pod_template()); replicas, minReadySeconds,
 * revisionHistoryLimit, progressDeadlineSeconds; the update strategies;
 * on update an immutable selector, and for StatefulSets upstream's list of
 * the only spec fields that may change. Not yet: volumeClaimTemplates'
 * own PersistentVolumeClaim rules, StatefulSet ordinals and serviceName.
 */
#include <string.h>

#include "api/selector.h"
#include "api/validate-internal.h"
#include "base/base.h"

static const char *const only_always[] = { "Always", NULL };

/*
 * The selector rules of ValidateDeploymentSpec and its siblings, then
 * ValidatePodTemplateSpecForReplicaSet (which the others resemble): the
 * template must carry labels the selector matches, restart Always and
 * have no activeDeadlineSeconds.
 */
static void v_selector_and_template(struct kl_api__vctx *v, const json_t *spec, const char *what,
                                    const char *deadline_kind)
{
        json_t *sel = json_object_get(spec, "selector");
        json_t *tmpl = kl_api__jobj(spec, "template");
        json_t *tspec = kl_api__jobj(tmpl, "spec");
        json_t *labels = kl_api__jobj(kl_api__jobj(tmpl, "metadata"), "labels");
        kl_cleanup(kl_api_label_selector_freep) struct kl_api_label_selector *s = NULL;
        size_t mark;
        int r;

        if (!json_is_object(sel)) {
                kl_api__v_required(v, "selector", "");
        } else {
                kl_api__v_label_selector(v, "selector", sel);
                if (kl_api__jlen(kl_api__jobj(sel, "matchLabels")) +
                            kl_api__jlen(kl_api__jarr(sel, "matchExpressions")) ==
                    0) {
                        kl_autofree char *d = kl_asprintf("empty selector is invalid for %s", what);

                        kl_api__v_invalid_take(v, "selector", kl_api__go_selector(sel), d);
                }
        }
        r = kl_api_label_selector_from_json(json_is_object(sel) ? sel : NULL, &s, NULL);
        if (r < 0) {
                kl_api__v_invalid_take(v, "selector", kl_api__go_selector(sel),
                                       "invalid label selector");
                return;
        }
        mark = kl_api__vpush(v, "template");
        if (!tmpl) {
                kl_api__v_required(v, NULL, "");
                kl_api__vpop(v, mark);
                return;
        }
        if (!kl_api_label_selector_is_empty(s) && !kl_api_label_selector_matches(s, labels)) {
                char *value = NULL;

                if (labels) {
                        value = kl_api__go_json(labels);
                } else {
                        value = kl_strdup("map[string]string(nil)");
                }
                kl_api__v_invalid_take(v, "metadata.labels", value,
                                       "`selector` does not match template `labels`");
        }
        kl_api__v_pod_template(v, tmpl);
        if (!kl_streq(kl_api__jstr0(tspec, "restartPolicy"), "Always"))
                kl_api__v_not_supported(v, "spec.restartPolicy",
                                        kl_api__jstr0(tspec, "restartPolicy"), only_always);
        if (kl_api__jhas(tspec, "activeDeadlineSeconds")) {
                kl_autofree char *d =
                        kl_asprintf("activeDeadlineSeconds in %s is not Supported", deadline_kind);
                int64_t ads = 0;

                /* The DaemonSet rule is an Invalid with the value, the others a Forbidden. */
                if (kl_streq(deadline_kind, "DaemonSet") &&
                    kl_api__jint(tspec, "activeDeadlineSeconds", &ads))
                        kl_api__v_invalid_int(v, "spec.activeDeadlineSeconds", ads, d);
                else
                        kl_api__v_forbidden(v, "spec.activeDeadlineSeconds", d);
        }
        kl_api__vpop(v, mark);
}

/* ValidatePositiveIntOrPercent; returns the integer or percentage for the both-zero check. */
static int64_t v_int_or_percent(struct kl_api__vctx *v, const json_t *o, const char *key,
                                bool *ret_set)
{
        json_t *m = json_object_get(o, key);
        int64_t n = 0;

        *ret_set = true;
        if (json_is_string(m)) {
                const char *s = json_string_value(m);
                size_t len = strlen(s), i;
                bool ok = len >= 2 && s[len - 1] == '%';

                for (i = 0; ok && i + 1 < len; i++) {
                        ok = s[i] >= '0' && s[i] <= '9';
                        if (ok && n < INT32_MAX)
                                n = n * 10 + (s[i] - '0');
                }
                if (!ok) {
                        kl_api__v_invalid_take(v, key, kl_strdup(s),
                                               "a valid percent string must be a numeric string "
                                               "followed by an ending '%' (e.g. '1%',  or '93%', "
                                               "regex used for validation is '[0-9]+%')");
                        return -1;
                }
                if (n > 100 && kl_streq(key, "maxUnavailable"))
                        kl_api__v_invalid_take(v, key, kl_strdup(s),
                                               "must not be greater than 100%");
                return n;
        }
        if (json_is_integer(m)) {
                n = json_integer_value(m);
                if (n < 0)
                        kl_api__v_invalid_int(v, key, n, "must be greater than or equal to 0");
                return n;
        }
        *ret_set = false;
        return 0;
}

/* ValidateRollingUpdateDeployment and ValidateRollingUpdateDaemonSet alike. */
static void v_rolling_update(struct kl_api__vctx *v, const json_t *ru)
{
        bool su, ss;
        int64_t unavailable = v_int_or_percent(v, ru, "maxUnavailable", &su);
        int64_t surge = v_int_or_percent(v, ru, "maxSurge", &ss);

        if (unavailable == 0 && surge == 0)
                kl_api__v_invalid_take(v, "maxUnavailable",
                                       kl_api__go_intstr(json_object_get(ru, "maxUnavailable")),
                                       "may not be 0 when `maxSurge` is 0");
}

static void v_immutable_selector(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *sel = json_object_get(kl_api__jobj(obj, "spec"), "selector");
        json_t *old_sel = json_object_get(kl_api__jobj(old, "spec"), "selector");

        if ((!sel || json_is_null(sel)) && (!old_sel || json_is_null(old_sel)))
                return;
        if (sel && old_sel && json_equal(sel, old_sel))
                return;
        kl_api__v_invalid_take(v, "spec.selector", kl_api__go_selector(sel), "field is immutable");
}

void kl_api__validate_deployment(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *spec = kl_api__jobj(obj, "spec");
        json_t *strategy = kl_api__jobj(spec, "strategy");
        const char *type = kl_api__jstr0(strategy, "type");
        int64_t pds, mrs = 0;
        size_t mark;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        mark = kl_api__vpush(v, "spec");
        kl_api__v_nonneg(v, spec, "replicas");
        v_selector_and_template(v, spec, "deployment", "ReplicaSet");
        {
                size_t m2 = kl_api__vpush(v, "strategy");

                if (kl_streq(type, "Recreate")) {
                        if (kl_api__jhas(strategy, "rollingUpdate"))
                                kl_api__v_forbidden(v, "rollingUpdate",
                                                    "may not be specified when strategy `type` is "
                                                    "'Recreate'");
                } else if (kl_streq(type, "RollingUpdate")) {
                        json_t *ru = kl_api__jobj(strategy, "rollingUpdate");

                        if (!ru) {
                                kl_api__v_required(v, "rollingUpdate",
                                                   "this should be defaulted and never be nil");
                        } else {
                                size_t m3 = kl_api__vpush(v, "rollingUpdate");

                                v_rolling_update(v, ru);
                                kl_api__vpop(v, m3);
                        }
                } else {
                        /* Upstream passes the whole strategy struct as the value. */
                        kl_autofree char *t = kl_api_go_quoted(type);

                        kl_api__v_add_take(
                                v, KL_API_FIELD_ERR_NOT_SUPPORTED, NULL,
                                kl_asprintf("apps.DeploymentStrategy{Type:%s, "
                                            "RollingUpdate:(*apps.RollingUpdateDeployment)"
                                            "(nil)}",
                                            t),
                                "supported values: \"Recreate\", \"RollingUpdate\"");
                }
                kl_api__vpop(v, m2);
        }
        kl_api__v_nonneg(v, spec, "minReadySeconds");
        kl_api__v_nonneg(v, spec, "revisionHistoryLimit");
        if (kl_api__jint(spec, "progressDeadlineSeconds", &pds)) {
                (void)kl_api__jint(spec, "minReadySeconds", &mrs);
                kl_api__v_nonneg(v, spec, "progressDeadlineSeconds");
                if (pds <= mrs)
                        kl_api__v_invalid_int(v, "progressDeadlineSeconds", pds,
                                              "must be greater than minReadySeconds");
        }
        kl_api__vpop(v, mark);
        if (old) {
                kl_api__v_object_meta_update(v, obj, old);
                v_immutable_selector(v, obj, old);
        }
}

void kl_api__validate_replicaset(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *spec = kl_api__jobj(obj, "spec");
        size_t mark;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        mark = kl_api__vpush(v, "spec");
        kl_api__v_nonneg(v, spec, "replicas");
        kl_api__v_nonneg(v, spec, "minReadySeconds");
        v_selector_and_template(v, spec, "deployment", "ReplicaSet");
        kl_api__vpop(v, mark);
        if (old) {
                kl_api__v_object_meta_update(v, obj, old);
                v_immutable_selector(v, obj, old);
        }
}

void kl_api__validate_statefulset(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *spec = kl_api__jobj(obj, "spec");
        json_t *us = kl_api__jobj(spec, "updateStrategy");
        const char *pmp = kl_api__jstr0(spec, "podManagementPolicy");
        const char *type = kl_api__jstr0(us, "type");
        json_t *ret = kl_api__jobj(spec, "persistentVolumeClaimRetentionPolicy");
        size_t mark;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        mark = kl_api__vpush(v, "spec");
        if (!*pmp)
                kl_api__v_required(v, "podManagementPolicy", "");
        else if (!kl_streq(pmp, "OrderedReady") && !kl_streq(pmp, "Parallel"))
                kl_api__v_invalid_str(v, "podManagementPolicy", pmp,
                                      "must be 'OrderedReady' or 'Parallel'");
        if (!*type) {
                kl_api__v_required(v, "updateStrategy", "");
        } else if (kl_streq(type, "OnDelete")) {
                if (kl_api__jhas(us, "rollingUpdate"))
                        kl_api__v_invalid_take(
                                v, "updateStrategy.rollingUpdate",
                                kl_api__json_compact(json_object_get(us, "rollingUpdate")),
                                "only allowed for updateStrategy 'RollingUpdate'");
        } else if (kl_streq(type, "RollingUpdate")) {
                json_t *ru = kl_api__jobj(us, "rollingUpdate");

                if (ru) {
                        size_t m2 = kl_api__vpush(v, "updateStrategy.rollingUpdate");

                        kl_api__v_nonneg(v, ru, "partition");
                        kl_api__vpop(v, m2);
                }
        } else {
                kl_api__v_invalid_take(v, "updateStrategy", kl_api__json_compact(us),
                                       "must be 'RollingUpdate' or 'OnDelete'");
        }
        if (ret) {
                static const char *const policies[] = { "Retain", "Delete", NULL };
                static const char *const keys[] = { "whenDeleted", "whenScaled", NULL };

                for (size_t i = 0; keys[i]; i++) {
                        const char *p = kl_api__jstr0(ret, keys[i]);
                        size_t m2 = kl_api__vpush(v, "persistentVolumeClaimRetentionPolicy");

                        if (!kl_streq(p, "Retain") && !kl_streq(p, "Delete"))
                                kl_api__v_not_supported(v, keys[i], p, policies);
                        kl_api__vpop(v, m2);
                }
        }
        kl_api__v_nonneg(v, spec, "replicas");
        kl_api__v_nonneg(v, spec, "minReadySeconds");
        /*
         * Containers mount the claims of volumeClaimTemplates by name; the
         * controller adds those volumes to each pod. (Upstream does not
         * validate the template's pod spec at all here; we do, knowing them.)
         */
        v->implied_volumes = kl_api__jarr(spec, "volumeClaimTemplates");
        v_selector_and_template(v, spec, "statefulset", "StatefulSet");
        v->implied_volumes = NULL;
        kl_api__vpop(v, mark);

        if (old) {
                json_t *old_spec = kl_api__jobj(old, "spec");
                static const char *const mutable_fields[] = {
                        "replicas",
                        "template",
                        "updateStrategy",
                        "minReadySeconds",
                        "ordinals",
                        "revisionHistoryLimit",
                        "persistentVolumeClaimRetentionPolicy",
                        NULL,
                };
                json_auto_t *a = json_deep_copy(spec ? spec : json_null());
                json_auto_t *b = json_deep_copy(old_spec ? old_spec : json_null());

                kl_api__v_object_meta_update(v, obj, old);
                if (json_is_object(a) && json_is_object(b)) {
                        for (size_t i = 0; mutable_fields[i]; i++) {
                                (void)json_object_del(a, mutable_fields[i]);
                                (void)json_object_del(b, mutable_fields[i]);
                        }
                        if (!json_equal(a, b))
                                kl_api__v_forbidden(
                                        v, "spec",
                                        "updates to statefulset spec for fields other than "
                                        "'replicas', 'ordinals', 'template', 'updateStrategy', "
                                        "'revisionHistoryLimit', "
                                        "'persistentVolumeClaimRetentionPolicy' and "
                                        "'minReadySeconds' are forbidden");
                }
        }
}

void kl_api__validate_daemonset(struct kl_api__vctx *v, const json_t *obj, const json_t *old)
{
        json_t *spec = kl_api__jobj(obj, "spec");
        json_t *us = kl_api__jobj(spec, "updateStrategy");
        const char *type = kl_api__jstr0(us, "type");
        size_t mark;

        kl_api__v_object_meta(v, obj, true, kl_api__name_dns1123_subdomain);
        mark = kl_api__vpush(v, "spec");
        v_selector_and_template(v, spec, "daemonset", "DaemonSet");
        kl_api__v_nonneg(v, spec, "minReadySeconds");
        kl_api__v_nonneg(v, spec, "revisionHistoryLimit");
        {
                size_t m2 = kl_api__vpush(v, "updateStrategy");

                if (kl_streq(type, "RollingUpdate")) {
                        json_t *ru = kl_api__jobj(us, "rollingUpdate");

                        if (!ru) {
                                kl_api__v_required(v, "rollingUpdate", "");
                        } else {
                                size_t m3 = kl_api__vpush(v, "rollingUpdate");

                                v_rolling_update(v, ru);
                                kl_api__vpop(v, m3);
                        }
                } else if (!kl_streq(type, "OnDelete")) {
                        kl_api__v_add_take(v, KL_API_FIELD_ERR_NOT_SUPPORTED, NULL,
                                           kl_api__json_compact(us),
                                           "supported values: \"RollingUpdate\", \"OnDelete\"");
                }
                kl_api__vpop(v, m2);
        }
        kl_api__vpop(v, mark);
        if (old) {
                kl_api__v_object_meta_update(v, obj, old);
                v_immutable_selector(v, obj, old);
        }
}
