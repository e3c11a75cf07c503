/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version conversion of the kinds served in more than one version (convert.h).
 *
 * Events: events.k8s.io/v1 renames the core fields (involvedObject ->
 * regarding, message -> note, source/firstTimestamp/lastTimestamp/count ->
 * deprecated*, reportingComponent -> reportingController); everything else
 * carries over.
 *
 * HorizontalPodAutoscalers (upstream pkg/apis/autoscaling/v1/conversion.go):
 * v2 -> v1 keeps the first cpu Utilization Resource metric as
 * targetCPUUtilizationPercentage and writes every other metric, the current
 * metrics, the conditions and the behavior into round-trip annotations, in
 * the JSON upstream marshals there: v1 MetricSpec/MetricStatus/Condition
 * shapes, and for the behavior upstream's *internal* Go type, whose keys are
 * the Go field names ("ScaleUp", "StabilizationWindowSeconds", ...). v1 -> v2
 * reads them back (Go's decoder matches keys case-insensitively), drops them,
 * and defaults a v1 object without any metric to cpu Utilization 80.
 */
#include <errno.h>
#include <strings.h>

#include "api/convert.h"
#include "base/base.h"
#include "json/json.h"

#define ANN_METRICS    "autoscaling.alpha.kubernetes.io/metrics"
#define ANN_CURRENT    "autoscaling.alpha.kubernetes.io/current-metrics"
#define ANN_CONDITIONS "autoscaling.alpha.kubernetes.io/conditions"
#define ANN_BEHAVIOR   "autoscaling.alpha.kubernetes.io/behavior"
/* autoscaling.DefaultCPUUtilization */
#define DEFAULT_CPU_UTILIZATION 80

static const char *const round_trip_annotations[] = {
        ANN_METRICS,
        ANN_CURRENT,
        ANN_CONDITIONS,
        ANN_BEHAVIOR,
        "autoscaling.alpha.kubernetes.io/scale-down-tolerance",
        "autoscaling.alpha.kubernetes.io/scale-up-tolerance",
};

/* A member that is there and not null. */
static json_t *present(const json_t *obj, const char *key)
{
        json_t *v = json_object_get(obj, key);

        return json_is_null(v) ? NULL : v;
}

/* out[okey] = deep copy of in[ikey], when that is present. */
static void carry(json_t *out, const char *okey, const json_t *in, const char *ikey)
{
        json_t *v = present(in, ikey);

        if (v)
                (void)json_object_set_new(out, okey, json_deep_copy(v));
}

/* A Go resource.Quantity that is not a pointer: the zero value marshals as "0". */
static void carry_quantity(json_t *out, const char *okey, const json_t *in, const char *ikey)
{
        json_t *v = present(in, ikey);

        (void)json_object_set_new(out, okey, v ? json_deep_copy(v) : json_string("0"));
}

static const char *str_or_empty(const char *s)
{
        return s ? s : "";
}

static json_t *object_or_empty(const json_t *v)
{
        return json_is_object(v) ? (json_t *)v : NULL;
}

/* ------------------------------------------------------------------------- */
/* Events */

/* Core field, events.k8s.io field; the rest keep their names. */
static const char *const event_renames[][2] = {
        { "involvedObject", "regarding" },
        { "message", "note" },
        { "source", "deprecatedSource" },
        { "firstTimestamp", "deprecatedFirstTimestamp" },
        { "lastTimestamp", "deprecatedLastTimestamp" },
        { "count", "deprecatedCount" },
        { "reportingComponent", "reportingController" },
};

static const char *const event_same[] = {
        "metadata", "eventTime", "series",  "reportingInstance",
        "action",   "reason",    "related", "type",
};

static json_t *event_convert(const json_t *in, bool to_events)
{
        json_t *out = json_object();

        (void)json_object_set_new(out, "kind", json_string("Event"));
        (void)json_object_set_new(out, "apiVersion",
                                  json_string(to_events ? "events.k8s.io/v1" : "v1"));
        for (size_t i = 0; i < KL_ARRAY_SIZE(event_same); i++)
                carry(out, event_same[i], in, event_same[i]);
        for (size_t i = 0; i < KL_ARRAY_SIZE(event_renames); i++)
                carry(out, event_renames[i][to_events], in, event_renames[i][!to_events]);
        /* events.k8s.io/v1 eventTime has no omitempty: upstream always writes it. */
        if (to_events && !json_object_get(out, "eventTime"))
                (void)json_object_set_new(out, "eventTime", json_null());
        return out;
}

/* ------------------------------------------------------------------------- */
/* HPA metrics: v2 -> v1 shapes (for the annotations) */

static json_t *ref_v1(const json_t *in)
{
        json_t *out = json_object();

        carry(out, "kind", in, "kind");
        carry(out, "name", in, "name");
        carry(out, "apiVersion", in, "apiVersion");
        return out;
}

static json_t *metric_spec_v1(const json_t *m)
{
        const char *type = json_string_value(json_object_get(m, "type"));
        json_t *out = json_object();
        json_t *src, *t, *o;

        (void)json_object_set_new(out, "type", json_string(type ? type : ""));
        if ((src = object_or_empty(present(m, "object")))) {
                t = json_object_get(src, "target");
                o = json_object();
                (void)json_object_set_new(o, "target",
                                          ref_v1(json_object_get(src, "describedObject")));
                carry(o, "metricName", json_object_get(src, "metric"), "name");
                carry_quantity(o, "targetValue", t, "value");
                carry(o, "selector", json_object_get(src, "metric"), "selector");
                carry(o, "averageValue", t, "averageValue");
                (void)json_object_set_new(out, "object", o);
        }
        if ((src = object_or_empty(present(m, "pods")))) {
                o = json_object();
                carry(o, "metricName", json_object_get(src, "metric"), "name");
                carry_quantity(o, "targetAverageValue", json_object_get(src, "target"),
                               "averageValue");
                carry(o, "selector", json_object_get(src, "metric"), "selector");
                (void)json_object_set_new(out, "pods", o);
        }
        if ((src = object_or_empty(present(m, "resource")))) {
                t = json_object_get(src, "target");
                o = json_object();
                carry(o, "name", src, "name");
                carry(o, "targetAverageUtilization", t, "averageUtilization");
                carry(o, "targetAverageValue", t, "averageValue");
                (void)json_object_set_new(out, "resource", o);
        }
        if ((src = object_or_empty(present(m, "containerResource")))) {
                t = json_object_get(src, "target");
                o = json_object();
                carry(o, "name", src, "name");
                carry(o, "targetAverageUtilization", t, "averageUtilization");
                carry(o, "targetAverageValue", t, "averageValue");
                carry(o, "container", src, "container");
                (void)json_object_set_new(out, "containerResource", o);
        }
        if ((src = object_or_empty(present(m, "external")))) {
                t = json_object_get(src, "target");
                o = json_object();
                carry(o, "metricName", json_object_get(src, "metric"), "name");
                carry(o, "metricSelector", json_object_get(src, "metric"), "selector");
                carry(o, "targetValue", t, "value");
                carry(o, "targetAverageValue", t, "averageValue");
                (void)json_object_set_new(out, "external", o);
        }
        return out;
}

static json_t *metric_status_v1(const json_t *m)
{
        const char *type = json_string_value(json_object_get(m, "type"));
        json_t *out = json_object();
        json_t *src, *c, *o;

        (void)json_object_set_new(out, "type", json_string(type ? type : ""));
        if ((src = object_or_empty(present(m, "object")))) {
                c = json_object_get(src, "current");
                o = json_object();
                (void)json_object_set_new(o, "target",
                                          ref_v1(json_object_get(src, "describedObject")));
                carry(o, "metricName", json_object_get(src, "metric"), "name");
                carry_quantity(o, "currentValue", c, "value");
                carry(o, "selector", json_object_get(src, "metric"), "selector");
                carry(o, "averageValue", c, "averageValue");
                (void)json_object_set_new(out, "object", o);
        }
        if ((src = object_or_empty(present(m, "pods")))) {
                o = json_object();
                carry(o, "metricName", json_object_get(src, "metric"), "name");
                carry_quantity(o, "currentAverageValue", json_object_get(src, "current"),
                               "averageValue");
                carry(o, "selector", json_object_get(src, "metric"), "selector");
                (void)json_object_set_new(out, "pods", o);
        }
        if ((src = object_or_empty(present(m, "resource")))) {
                c = json_object_get(src, "current");
                o = json_object();
                carry(o, "name", src, "name");
                carry(o, "currentAverageUtilization", c, "averageUtilization");
                carry_quantity(o, "currentAverageValue", c, "averageValue");
                (void)json_object_set_new(out, "resource", o);
        }
        if ((src = object_or_empty(present(m, "containerResource")))) {
                c = json_object_get(src, "current");
                o = json_object();
                carry(o, "name", src, "name");
                carry(o, "currentAverageUtilization", c, "averageUtilization");
                carry_quantity(o, "currentAverageValue", c, "averageValue");
                carry(o, "container", src, "container");
                (void)json_object_set_new(out, "containerResource", o);
        }
        if ((src = object_or_empty(present(m, "external")))) {
                c = json_object_get(src, "current");
                o = json_object();
                carry(o, "metricName", json_object_get(src, "metric"), "name");
                carry(o, "metricSelector", json_object_get(src, "metric"), "selector");
                carry_quantity(o, "currentValue", c, "value");
                carry(o, "currentAverageValue", c, "averageValue");
                (void)json_object_set_new(out, "external", o);
        }
        return out;
}

static json_t *condition_v1(const json_t *c)
{
        json_t *out = json_object();
        json_t *t = present(c, "lastTransitionTime");

        carry(out, "type", c, "type");
        carry(out, "status", c, "status");
        /* metav1.Time is a struct: omitempty does not drop it, the zero time is null. */
        (void)json_object_set_new(out, "lastTransitionTime", t ? json_deep_copy(t) : json_null());
        carry(out, "reason", c, "reason");
        carry(out, "message", c, "message");
        return out;
}

/* A pointer or slice of the internal behavior type: absent marshals as null. */
static void set_or_null(json_t *out, const char *okey, const json_t *in, const char *ikey)
{
        json_t *v = present(in, ikey);

        (void)json_object_set_new(out, okey, v ? json_deep_copy(v) : json_null());
}

static json_t *rules_internal(const json_t *r)
{
        json_t *out, *policies, *p;
        size_t i;

        if (!json_is_object(r))
                return json_null();
        out = json_object();
        set_or_null(out, "StabilizationWindowSeconds", r, "stabilizationWindowSeconds");
        set_or_null(out, "SelectPolicy", r, "selectPolicy");
        if (!json_is_array(present(r, "policies"))) {
                (void)json_object_set_new(out, "Policies", json_null());
                return out;
        }
        policies = json_array();
        json_array_foreach(json_object_get(r, "policies"), i, p) {
                json_t *q = json_object();

                (void)json_object_set_new(
                        q, "Type",
                        json_string(str_or_empty(json_string_value(json_object_get(p, "type")))));
                (void)json_object_set_new(
                        q, "Value", json_integer(json_integer_value(json_object_get(p, "value"))));
                (void)json_object_set_new(
                        q, "PeriodSeconds",
                        json_integer(json_integer_value(json_object_get(p, "periodSeconds"))));
                (void)json_array_append_new(policies, q);
        }
        (void)json_object_set_new(out, "Policies", policies);
        return out;
}

static json_t *behavior_internal(const json_t *b)
{
        json_t *out = json_object();

        (void)json_object_set_new(out, "ScaleUp", rules_internal(json_object_get(b, "scaleUp")));
        (void)json_object_set_new(out, "ScaleDown",
                                  rules_internal(json_object_get(b, "scaleDown")));
        return out;
}

static char *compact(const json_t *v)
{
        return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

static void annotate(json_t *annotations, const char *key, const json_t *value)
{
        char *text = compact(value);

        kl_assert(text);
        (void)json_object_set_new(annotations, key, json_string(text));
        free(text);
}

static bool is_cpu_resource(const json_t *m, const char *member)
{
        json_t *r = json_object_get(m, "resource");

        return kl_streq_null(json_string_value(json_object_get(m, "type")), "Resource") &&
               json_is_object(r) &&
               kl_streq_null(json_string_value(json_object_get(r, "name")), "cpu") &&
               json_is_integer(json_object_get(json_object_get(r, member), "averageUtilization"));
}

static json_t *copy_metadata_without_round_trip(const json_t *in)
{
        json_t *meta = json_is_object(json_object_get(in, "metadata"))
                               ? json_deep_copy(json_object_get(in, "metadata"))
                               : json_object();
        json_t *ann = json_object_get(meta, "annotations");

        for (size_t i = 0; i < KL_ARRAY_SIZE(round_trip_annotations); i++)
                (void)json_object_del(ann, round_trip_annotations[i]);
        if (json_is_object(ann) && json_object_size(ann) == 0)
                (void)json_object_del(meta, "annotations");
        return meta;
}

static json_t *annotations_of(json_t *meta)
{
        json_t *ann = json_object_get(meta, "annotations");

        if (!json_is_object(ann)) {
                ann = json_object();
                (void)json_object_set_new(meta, "annotations", ann);
        }
        return ann;
}

static json_t *hpa_v2_to_v1(const json_t *in)
{
        json_t *spec = json_object_get(in, "spec");
        json_t *status = json_object_get(in, "status");
        json_t *metrics = json_object_get(spec, "metrics");
        json_t *current = json_object_get(status, "currentMetrics");
        json_t *conditions = json_object_get(status, "conditions");
        json_t *out = json_object();
        json_t *meta = copy_metadata_without_round_trip(in);
        json_t *ospec = json_object();
        json_t *ostatus = json_object();
        json_auto_t *other = json_array();
        json_t *m;
        size_t i;

        (void)json_object_set_new(out, "kind", json_string("HorizontalPodAutoscaler"));
        (void)json_object_set_new(out, "apiVersion", json_string("autoscaling/v1"));
        (void)json_object_set_new(out, "metadata", meta);

        if (json_is_object(present(spec, "scaleTargetRef")))
                (void)json_object_set_new(ospec, "scaleTargetRef",
                                          ref_v1(json_object_get(spec, "scaleTargetRef")));
        carry(ospec, "minReplicas", spec, "minReplicas");
        (void)json_object_set_new(
                ospec, "maxReplicas",
                json_integer(json_integer_value(json_object_get(spec, "maxReplicas"))));
        /* The first cpu Resource metric decides, whether or not it has a utilization. */
        json_array_foreach(metrics, i, m) {
                json_t *r = json_object_get(m, "resource");

                if (kl_streq_null(json_string_value(json_object_get(m, "type")), "Resource") &&
                    json_is_object(r) &&
                    kl_streq_null(json_string_value(json_object_get(r, "name")), "cpu")) {
                        carry(ospec, "targetCPUUtilizationPercentage", json_object_get(r, "target"),
                              "averageUtilization");
                        break;
                }
        }
        json_array_foreach(metrics, i, m) {
                if (!is_cpu_resource(m, "target"))
                        (void)json_array_append_new(other, metric_spec_v1(m));
        }
        (void)json_object_set_new(out, "spec", ospec);

        carry(ostatus, "observedGeneration", status, "observedGeneration");
        carry(ostatus, "lastScaleTime", status, "lastScaleTime");
        (void)json_object_set_new(
                ostatus, "currentReplicas",
                json_integer(json_integer_value(json_object_get(status, "currentReplicas"))));
        (void)json_object_set_new(
                ostatus, "desiredReplicas",
                json_integer(json_integer_value(json_object_get(status, "desiredReplicas"))));
        /* Every cpu Resource status with a utilization; the last wins, as upstream's loop. */
        json_array_foreach(current, i, m) {
                if (is_cpu_resource(m, "current"))
                        carry(ostatus, "currentCPUUtilizationPercentage",
                              json_object_get(json_object_get(m, "resource"), "current"),
                              "averageUtilization");
        }
        (void)json_object_set_new(out, "status", ostatus);

        if (json_array_size(other) > 0)
                annotate(annotations_of(meta), ANN_METRICS, other);
        if (json_array_size(current) > 0) {
                json_auto_t *a = json_array();

                json_array_foreach(current, i, m) {
                        (void)json_array_append_new(a, metric_status_v1(m));
                }
                annotate(annotations_of(meta), ANN_CURRENT, a);
        }
        if (json_array_size(conditions) > 0) {
                json_auto_t *a = json_array();

                json_array_foreach(conditions, i, m) {
                        (void)json_array_append_new(a, condition_v1(m));
                }
                annotate(annotations_of(meta), ANN_CONDITIONS, a);
        }
        if (json_is_object(present(spec, "behavior"))) {
                json_auto_t *b = behavior_internal(json_object_get(spec, "behavior"));

                annotate(annotations_of(meta), ANN_BEHAVIOR, b);
        }
        return out;
}

/* ------------------------------------------------------------------------- */
/* HPA metrics: v1 shapes (annotations) -> v2 */

static json_t *ref_v2(const json_t *in)
{
        return ref_v1(in);
}

static json_t *metric_id(const json_t *in, const char *name_key, const char *selector_key)
{
        json_t *out = json_object();

        (void)json_object_set_new(
                out, "name",
                json_string(str_or_empty(json_string_value(json_object_get(in, name_key)))));
        carry(out, "selector", in, selector_key);
        return out;
}

static json_t *target(const char *type)
{
        json_t *out = json_object();

        (void)json_object_set_new(out, "type", json_string(type));
        return out;
}

static json_t *metric_spec_v2(const json_t *m)
{
        const char *type = json_string_value(json_object_get(m, "type"));
        json_t *out = json_object();
        json_t *src, *t, *o;

        (void)json_object_set_new(out, "type", json_string(type ? type : ""));
        if ((src = object_or_empty(present(m, "object")))) {
                o = json_object();
                (void)json_object_set_new(o, "describedObject",
                                          ref_v2(json_object_get(src, "target")));
                (void)json_object_set_new(o, "metric", metric_id(src, "metricName", "selector"));
                t = target(present(src, "averageValue") ? "AverageValue" : "Value");
                carry_quantity(t, "value", src, "targetValue");
                carry(t, "averageValue", src, "averageValue");
                (void)json_object_set_new(o, "target", t);
                (void)json_object_set_new(out, "object", o);
        }
        if ((src = object_or_empty(present(m, "pods")))) {
                o = json_object();
                (void)json_object_set_new(o, "metric", metric_id(src, "metricName", "selector"));
                t = target("AverageValue");
                carry_quantity(t, "averageValue", src, "targetAverageValue");
                (void)json_object_set_new(o, "target", t);
                (void)json_object_set_new(out, "pods", o);
        }
        for (int k = 0; k < 2; k++) {
                const char *key = k ? "containerResource" : "resource";

                if (!(src = object_or_empty(present(m, key))))
                        continue;
                o = json_object();
                carry(o, "name", src, "name");
                t = target(present(src, "targetAverageUtilization") ? "Utilization"
                                                                    : "AverageValue");
                carry(t, "averageUtilization", src, "targetAverageUtilization");
                carry(t, "averageValue", src, "targetAverageValue");
                (void)json_object_set_new(o, "target", t);
                if (k)
                        carry(o, "container", src, "container");
                (void)json_object_set_new(out, key, o);
        }
        if ((src = object_or_empty(present(m, "external")))) {
                o = json_object();
                (void)json_object_set_new(o, "metric",
                                          metric_id(src, "metricName", "metricSelector"));
                t = target(present(src, "targetValue") ? "Value" : "AverageValue");
                carry(t, "value", src, "targetValue");
                carry(t, "averageValue", src, "targetAverageValue");
                (void)json_object_set_new(o, "target", t);
                (void)json_object_set_new(out, "external", o);
        }
        return out;
}

static json_t *metric_status_v2(const json_t *m)
{
        const char *type = json_string_value(json_object_get(m, "type"));
        json_t *out = json_object();
        json_t *src, *c, *o;

        (void)json_object_set_new(out, "type", json_string(type ? type : ""));
        if ((src = object_or_empty(present(m, "object")))) {
                o = json_object();
                (void)json_object_set_new(o, "metric", metric_id(src, "metricName", "selector"));
                c = json_object();
                carry_quantity(c, "value", src, "currentValue");
                carry(c, "averageValue", src, "averageValue");
                (void)json_object_set_new(o, "current", c);
                (void)json_object_set_new(o, "describedObject",
                                          ref_v2(json_object_get(src, "target")));
                (void)json_object_set_new(out, "object", o);
        }
        if ((src = object_or_empty(present(m, "pods")))) {
                o = json_object();
                (void)json_object_set_new(o, "metric", metric_id(src, "metricName", "selector"));
                c = json_object();
                carry_quantity(c, "averageValue", src, "currentAverageValue");
                (void)json_object_set_new(o, "current", c);
                (void)json_object_set_new(out, "pods", o);
        }
        for (int k = 0; k < 2; k++) {
                const char *key = k ? "containerResource" : "resource";

                if (!(src = object_or_empty(present(m, key))))
                        continue;
                o = json_object();
                carry(o, "name", src, "name");
                c = json_object();
                carry(c, "averageUtilization", src, "currentAverageUtilization");
                carry_quantity(c, "averageValue", src, "currentAverageValue");
                (void)json_object_set_new(o, "current", c);
                if (k)
                        carry(o, "container", src, "container");
                (void)json_object_set_new(out, key, o);
        }
        if ((src = object_or_empty(present(m, "external")))) {
                o = json_object();
                (void)json_object_set_new(o, "metric",
                                          metric_id(src, "metricName", "metricSelector"));
                c = json_object();
                carry_quantity(c, "value", src, "currentValue");
                carry(c, "averageValue", src, "currentAverageValue");
                (void)json_object_set_new(o, "current", c);
                (void)json_object_set_new(out, "external", o);
        }
        return out;
}

static json_t *condition_v2(const json_t *c)
{
        json_t *out = json_object();

        carry(out, "type", c, "type");
        carry(out, "status", c, "status");
        carry(out, "lastTransitionTime", c, "lastTransitionTime");
        carry(out, "reason", c, "reason");
        carry(out, "message", c, "message");
        return out;
}

/* Go's encoding/json: an exact key first, else the first case-insensitive match. */
static json_t *go_get(const json_t *obj, const char *key)
{
        const char *k;
        json_t *v;

        if (!json_is_object(obj))
                return NULL;
        v = json_object_get(obj, key);
        if (v)
                return v;
        json_object_foreach((json_t *)obj, k, v) {
                if (strcasecmp(k, key) == 0)
                        return v;
        }
        return NULL;
}

/* One HPAScalingRules of the internal type back to v2; NULL when null or not an object. */
static json_t *rules_v2(const json_t *r, bool *bad)
{
        json_t *out, *v, *p;
        size_t i;

        if (json_is_null(r) || !r)
                return NULL;
        if (!json_is_object(r)) {
                *bad = true;
                return NULL;
        }
        out = json_object();
        v = go_get(r, "StabilizationWindowSeconds");
        if (json_is_integer(v))
                (void)json_object_set(out, "stabilizationWindowSeconds", v);
        else if (v && !json_is_null(v))
                *bad = true;
        v = go_get(r, "SelectPolicy");
        if (json_is_string(v))
                (void)json_object_set(out, "selectPolicy", v);
        else if (v && !json_is_null(v))
                *bad = true;
        v = go_get(r, "Policies");
        if (json_is_array(v)) {
                json_t *policies = json_array();

                json_array_foreach(v, i, p) {
                        json_t *q = json_object();
                        json_t *t = go_get(p, "Type");
                        json_t *n = go_get(p, "Value");
                        json_t *ps = go_get(p, "PeriodSeconds");

                        if (!json_is_object(p) || (t && !json_is_string(t) && !json_is_null(t)) ||
                            (n && !json_is_integer(n) && !json_is_null(n)) ||
                            (ps && !json_is_integer(ps) && !json_is_null(ps)))
                                *bad = true;
                        (void)json_object_set_new(q, "type",
                                                  json_string(str_or_empty(json_string_value(t))));
                        (void)json_object_set_new(q, "value", json_integer(json_integer_value(n)));
                        (void)json_object_set_new(q, "periodSeconds",
                                                  json_integer(json_integer_value(ps)));
                        (void)json_array_append_new(policies, q);
                }
                (void)json_object_set_new(out, "policies", policies);
        } else if (v && !json_is_null(v)) {
                *bad = true;
        }
        return out;
}

static int parse_annotation(const json_t *ann, const char *key, bool want_array, json_t **ret,
                            struct kl_err **err)
{
        const char *text = json_string_value(json_object_get(ann, key));
        json_t *v = NULL;

        *ret = NULL;
        if (!text)
                return 0;
        if (kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, NULL) < 0 ||
            (want_array && !json_is_array(v) && !json_is_null(v))) {
                json_decref(v);
                return kl_err_set_msg(err, -EINVAL, "invalid annotation %s: not a JSON %s", key,
                                      want_array ? "list" : "object");
        }
        *ret = v;
        return 0;
}

static int hpa_v1_to_v2(const json_t *in, json_t **ret, struct kl_err **err)
{
        json_t *spec = json_object_get(in, "spec");
        json_t *status = json_object_get(in, "status");
        json_t *ann = json_object_get(json_object_get(in, "metadata"), "annotations");
        json_auto_t *other = NULL;
        json_auto_t *current = NULL;
        json_auto_t *conditions = NULL;
        json_auto_t *behavior = NULL;
        json_auto_t *out = NULL;
        json_t *ospec, *ostatus, *metrics, *m;
        size_t i;
        int r;

        r = parse_annotation(ann, ANN_METRICS, true, &other, err);
        if (r >= 0)
                r = parse_annotation(ann, ANN_CURRENT, true, &current, err);
        if (r >= 0)
                r = parse_annotation(ann, ANN_CONDITIONS, true, &conditions, err);
        if (r < 0)
                return r;
        /* A malformed behavior is ignored, as upstream does ("only well-formed data"). */
        (void)parse_annotation(ann, ANN_BEHAVIOR, false, &behavior, NULL);

        out = json_object();
        ospec = json_object();
        ostatus = json_object();
        (void)json_object_set_new(out, "kind", json_string("HorizontalPodAutoscaler"));
        (void)json_object_set_new(out, "apiVersion", json_string("autoscaling/v2"));
        (void)json_object_set_new(out, "metadata", copy_metadata_without_round_trip(in));

        if (json_is_object(present(spec, "scaleTargetRef")))
                (void)json_object_set_new(ospec, "scaleTargetRef",
                                          ref_v2(json_object_get(spec, "scaleTargetRef")));
        carry(ospec, "minReplicas", spec, "minReplicas");
        (void)json_object_set_new(
                ospec, "maxReplicas",
                json_integer(json_integer_value(json_object_get(spec, "maxReplicas"))));
        metrics = json_array();
        json_array_foreach(other, i, m) {
                (void)json_array_append_new(metrics, metric_spec_v2(m));
        }
        {
                json_t *cpu = present(spec, "targetCPUUtilizationPercentage");
                bool none = json_array_size(metrics) == 0 && !cpu;

                if (cpu || none) {
                        json_t *t = target("Utilization");

                        (void)json_object_set_new(t, "averageUtilization",
                                                  cpu ? json_deep_copy(cpu)
                                                      : json_integer(DEFAULT_CPU_UTILIZATION));
                        (void)json_array_append_new(metrics, json_pack("{sss{sssO}}", "type",
                                                                       "Resource", "resource",
                                                                       "name", "cpu", "target", t));
                        json_decref(t);
                }
        }
        (void)json_object_set_new(ospec, "metrics", metrics);
        if (json_is_object(behavior)) {
                bool bad = false;
                json_t *up = rules_v2(go_get(behavior, "ScaleUp"), &bad);
                json_t *down = rules_v2(go_get(behavior, "ScaleDown"), &bad);

                if (!bad && (up || down)) {
                        json_t *b = json_object();

                        if (up)
                                (void)json_object_set_new(b, "scaleUp", up);
                        if (down)
                                (void)json_object_set_new(b, "scaleDown", down);
                        (void)json_object_set_new(ospec, "behavior", b);
                } else {
                        json_decref(up);
                        json_decref(down);
                }
        }
        (void)json_object_set_new(out, "spec", ospec);

        carry(ostatus, "observedGeneration", status, "observedGeneration");
        carry(ostatus, "lastScaleTime", status, "lastScaleTime");
        carry(ostatus, "currentReplicas", status, "currentReplicas");
        (void)json_object_set_new(
                ostatus, "desiredReplicas",
                json_integer(json_integer_value(json_object_get(status, "desiredReplicas"))));
        if (current) {
                /* The annotation has more than the cpu percentage: it wins. */
                json_t *a = json_array();

                json_array_foreach(current, i, m) {
                        (void)json_array_append_new(a, metric_status_v2(m));
                }
                (void)json_object_set_new(ostatus, "currentMetrics", a);
        } else if (present(status, "currentCPUUtilizationPercentage")) {
                (void)json_object_set_new(
                        ostatus, "currentMetrics",
                        json_pack("[{sss{sss{sO}}}]", "type", "Resource", "resource", "name", "cpu",
                                  "current", "averageUtilization",
                                  json_object_get(status, "currentCPUUtilizationPercentage")));
        }
        if (conditions) {
                json_t *a = json_array();

                json_array_foreach(conditions, i, m) {
                        (void)json_array_append_new(a, condition_v2(m));
                }
                (void)json_object_set_new(ostatus, "conditions", a);
        }
        (void)json_object_set_new(out, "status", ostatus);
        *ret = KL_TAKE_PTR(out);
        return 0;
}

/* ------------------------------------------------------------------------- */

enum pair {
        PAIR_NONE,
        PAIR_SAME,
        PAIR_EVENT_TO_EVENTS,
        PAIR_EVENTS_TO_EVENT,
        PAIR_HPA_V2_TO_V1,
        PAIR_HPA_V1_TO_V2,
};

static enum pair pair_of(const char *g, const char *v, const char *tg, const char *tv)
{
        if (kl_streq_null(g, tg) && kl_streq_null(v, tv))
                return PAIR_SAME;
        if (kl_streq_null(v, "v1") && kl_streq_null(tv, "v1")) {
                if (kl_streq_null(g, "") && kl_streq_null(tg, "events.k8s.io"))
                        return PAIR_EVENT_TO_EVENTS;
                if (kl_streq_null(g, "events.k8s.io") && kl_streq_null(tg, ""))
                        return PAIR_EVENTS_TO_EVENT;
        }
        if (kl_streq_null(g, "autoscaling") && kl_streq_null(tg, "autoscaling")) {
                if (kl_streq_null(v, "v2") && kl_streq_null(tv, "v1"))
                        return PAIR_HPA_V2_TO_V1;
                if (kl_streq_null(v, "v1") && kl_streq_null(tv, "v2"))
                        return PAIR_HPA_V1_TO_V2;
        }
        return PAIR_NONE;
}

bool kl_api_convert_known(const char *group, const char *version, const char *to_group,
                          const char *to_version)
{
        return pair_of(group, version, to_group, to_version) != PAIR_NONE;
}

static int convert_one(const json_t *obj, enum pair p, json_t **ret, struct kl_err **err)
{
        const char *kind = json_string_value(json_object_get(obj, "kind"));
        bool events = p == PAIR_EVENT_TO_EVENTS || p == PAIR_EVENTS_TO_EVENT;

        /* Only the kind itself converts: a Status or anything else passes as it is. */
        if (p == PAIR_SAME || !json_is_object(obj) ||
            (kind && !kl_streq_null(kind, events ? "Event" : "HorizontalPodAutoscaler"))) {
                *ret = json_deep_copy(obj);
                return 0;
        }
        switch (p) {
        case PAIR_EVENT_TO_EVENTS:
                *ret = event_convert(obj, true);
                return 0;
        case PAIR_EVENTS_TO_EVENT:
                *ret = event_convert(obj, false);
                return 0;
        case PAIR_HPA_V2_TO_V1:
                *ret = hpa_v2_to_v1(obj);
                return 0;
        case PAIR_HPA_V1_TO_V2:
                return hpa_v1_to_v2(obj, ret, err);
        default:
                kl_assert(false);
                return -EINVAL;
        }
}

int kl_api_convert(const json_t *obj, const char *group, const char *version, const char *to_group,
                   const char *to_version, json_t **ret, struct kl_err **err)
{
        enum pair p = pair_of(group, version, to_group, to_version);
        const char *kind = json_string_value(json_object_get(obj, "kind"));
        json_auto_t *out = NULL;
        json_t *items, *item;
        size_t i;
        int r;

        *ret = NULL;
        if (p == PAIR_NONE)
                return kl_err_set_msg(err, -EINVAL, "no conversion from %s/%s to %s/%s", group,
                                      version, to_group, to_version);
        items = json_object_get(obj, "items");
        if (!kind || !kl_endswith(kind, "List") || !json_is_array(items))
                return convert_one(obj, p, ret, err);
        out = json_deep_copy(obj);
        if (p != PAIR_SAME) {
                char av[128];

                (void)snprintf(av, sizeof(av), "%s%s%s", to_group, *to_group ? "/" : "",
                               to_version);
                (void)json_object_set_new(out, "apiVersion", json_string(av));
        }
        items = json_object_get(out, "items");
        json_array_foreach(items, i, item) {
                json_t *c = NULL;

                r = convert_one(item, p, &c, err);
                if (r < 0)
                        return r;
                (void)json_array_set_new(items, i, c);
        }
        *ret = KL_TAKE_PTR(out);
        return 0;
}
