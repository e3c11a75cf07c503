/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Version conversion (convert.h): table-driven cases of upstream 1.32's
 * events/v1 and autoscaling/v1 conversions, the exact round-trip annotation
 * text upstream writes, and round trips in both directions.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "api/convert.h"
#include "base/base.h"
#include "json/json.h"

static json_t *parse(const char *text)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *v = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &v, &e), 0, "%s: %s",
                     text, kl_err_msg(e));
        return v;
}

static char *canonical(const json_t *v)
{
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, NULL), 0);
        return kl_buf_detach(&b, NULL);
}

static json_t *convert(const json_t *in, const char *g, const char *v, const char *tg,
                       const char *tv)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *out = NULL;

        cr_assert_eq(kl_api_convert(in, g, v, tg, tv, &out, &e), 0, "%s", kl_err_msg(e));
        return out;
}

static void assert_json_eq(const json_t *got, const char *want_text)
{
        json_auto_t *want = parse(want_text);
        kl_autofree char *g = canonical(got);
        kl_autofree char *w = canonical(want);

        cr_assert_str_eq(g, w);
}

struct conv_case {
        const char *name;
        const char *from_group, *from_version, *to_group, *to_version;
        const char *in;
        const char *want;
        bool round_trips; /* converting the result back gives `in` */
};

static const struct conv_case cases[] = {
        { "core event to events.k8s.io", "", "v1", "events.k8s.io", "v1",
          "{\"kind\":\"Event\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"e\",\"namespace\":"
          "\"default\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":"
          "\"default\"},\"reason\":\"Scheduled\",\"message\":\"ok\",\"source\":{\"component\":"
          "\"default-scheduler\"},\"firstTimestamp\":\"2024-01-01T00:00:00Z\",\"lastTimestamp\":"
          "\"2024-01-01T00:00:01Z\",\"count\":2,\"type\":\"Normal\",\"eventTime\":null,"
          "\"reportingComponent\":\"default-scheduler\",\"reportingInstance\":\"n1\",\"action\":"
          "\"Binding\",\"related\":{\"kind\":\"Node\",\"name\":\"n1\"},\"series\":{\"count\":3,"
          "\"lastObservedTime\":\"2024-01-01T00:00:02.000000Z\"}}",
          "{\"kind\":\"Event\",\"apiVersion\":\"events.k8s.io/v1\",\"metadata\":{\"name\":\"e\","
          "\"namespace\":\"default\"},\"regarding\":{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":"
          "\"default\"},\"reason\":\"Scheduled\",\"note\":\"ok\",\"deprecatedSource\":{"
          "\"component\":\"default-scheduler\"},\"deprecatedFirstTimestamp\":\"2024-01-01T00:00:"
          "00Z\",\"deprecatedLastTimestamp\":\"2024-01-01T00:00:01Z\",\"deprecatedCount\":2,"
          "\"type\":\"Normal\",\"eventTime\":null,\"reportingController\":\"default-scheduler\","
          "\"reportingInstance\":\"n1\",\"action\":\"Binding\",\"related\":{\"kind\":\"Node\","
          "\"name\":\"n1\"},\"series\":{\"count\":3,\"lastObservedTime\":\"2024-01-01T00:00:02."
          "000000Z\"}}",
          false },
        { "events.k8s.io event to core", "events.k8s.io", "v1", "", "v1",
          "{\"kind\":\"Event\",\"apiVersion\":\"events.k8s.io/v1\",\"metadata\":{\"name\":\"e\"},"
          "\"eventTime\":\"2024-01-01T00:00:00.000000Z\",\"regarding\":{\"kind\":\"Pod\",\"name\":"
          "\"p\"},\"note\":\"hi\",\"reason\":\"R\",\"type\":\"Warning\",\"reportingController\":"
          "\"c\",\"reportingInstance\":\"i\",\"action\":\"A\"}",
          "{\"kind\":\"Event\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"e\"},\"eventTime\":"
          "\"2024-01-01T00:00:00.000000Z\",\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},"
          "\"message\":\"hi\",\"reason\":\"R\",\"type\":\"Warning\",\"reportingComponent\":\"c\","
          "\"reportingInstance\":\"i\",\"action\":\"A\"}",
          true },
        /* kubectl autoscale --cpu-percent=50, stored as v2 */
        { "hpa v2 cpu utilization to v1", "autoscaling", "v2", "autoscaling", "v1",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v2\",\"metadata\":{"
          "\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":"
          "\"Deployment\",\"name\":\"web\"},\"minReplicas\":1,\"maxReplicas\":3,\"metrics\":[{"
          "\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":"
          "\"Utilization\",\"averageUtilization\":50}}}]},\"status\":{\"desiredReplicas\":0}}",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{"
          "\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":"
          "\"Deployment\",\"name\":\"web\"},\"minReplicas\":1,\"maxReplicas\":3,"
          "\"targetCPUUtilizationPercentage\":50},\"status\":{\"currentReplicas\":0,"
          "\"desiredReplicas\":0}}",
          false },
        { "hpa v1 without target gets cpu 80", "autoscaling", "v1", "autoscaling", "v2",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{"
          "\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":"
          "\"web\"},\"maxReplicas\":3}}",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v2\",\"metadata\":{"
          "\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":"
          "\"web\"},\"maxReplicas\":3,\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":"
          "\"cpu\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":80}}}]},"
          "\"status\":{\"desiredReplicas\":0}}",
          false },
        { "hpa v1 cpu and status", "autoscaling", "v1", "autoscaling", "v2",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{"
          "\"name\":\"h\"},\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"d\"},"
          "\"minReplicas\":2,\"maxReplicas\":5,\"targetCPUUtilizationPercentage\":70},"
          "\"status\":{\"currentReplicas\":2,\"desiredReplicas\":3,"
          "\"currentCPUUtilizationPercentage\":90,\"observedGeneration\":4}}",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v2\",\"metadata\":{"
          "\"name\":\"h\"},\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"d\"},"
          "\"minReplicas\":2,\"maxReplicas\":5,\"metrics\":[{\"type\":\"Resource\",\"resource\":{"
          "\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":70}}}]},"
          "\"status\":{\"currentReplicas\":2,\"desiredReplicas\":3,\"observedGeneration\":4,"
          "\"currentMetrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"current\":{"
          "\"averageUtilization\":90}}}]}}",
          false },
        /* Other metrics, current metrics, conditions and behavior go to the annotations. */
        { "hpa v2 everything to v1 annotations", "autoscaling", "v2", "autoscaling", "v1",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v2\",\"metadata\":{"
          "\"name\":\"h\",\"annotations\":{\"keep\":\"me\",\"autoscaling.alpha.kubernetes.io/"
          "metrics\":\"stale\"}},\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":"
          "\"d\"},\"minReplicas\":1,\"maxReplicas\":10,\"metrics\":[{\"type\":\"Resource\","
          "\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\","
          "\"averageUtilization\":60}}},{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"qps\"},"
          "\"target\":{\"type\":\"AverageValue\",\"averageValue\":\"1k\"}}},{\"type\":"
          "\"External\",\"external\":{\"metric\":{\"name\":\"queue\"},\"target\":{\"type\":"
          "\"Value\",\"value\":\"30\"}}}],\"behavior\":{\"scaleDown\":{"
          "\"stabilizationWindowSeconds\":300,\"selectPolicy\":\"Max\",\"policies\":[{\"type\":"
          "\"Percent\",\"value\":100,\"periodSeconds\":15}]}}},\"status\":{\"currentReplicas\":1,"
          "\"desiredReplicas\":1,\"currentMetrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":"
          "\"cpu\",\"current\":{\"averageUtilization\":12,\"averageValue\":\"12m\"}}}],"
          "\"conditions\":[{\"type\":\"AbleToScale\",\"status\":\"True\",\"lastTransitionTime\":"
          "\"2024-01-01T00:00:00Z\",\"reason\":\"ReadyForNewScale\",\"message\":\"m\"}]}}",
          "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{"
          "\"name\":\"h\",\"annotations\":{\"keep\":\"me\","
          "\"autoscaling.alpha.kubernetes.io/metrics\":\"[{\\\"type\\\":\\\"Pods\\\",\\\"pods\\\":"
          "{\\\"metricName\\\":\\\"qps\\\",\\\"targetAverageValue\\\":\\\"1k\\\"}},{\\\"type\\\":"
          "\\\"External\\\",\\\"external\\\":{\\\"metricName\\\":\\\"queue\\\",\\\"targetValue\\\":"
          "\\\"30\\\"}}]\","
          "\"autoscaling.alpha.kubernetes.io/current-metrics\":\"[{\\\"type\\\":\\\"Resource\\\","
          "\\\"resource\\\":{\\\"name\\\":\\\"cpu\\\",\\\"currentAverageUtilization\\\":12,"
          "\\\"currentAverageValue\\\":\\\"12m\\\"}}]\","
          "\"autoscaling.alpha.kubernetes.io/conditions\":\"[{\\\"type\\\":\\\"AbleToScale\\\","
          "\\\"status\\\":\\\"True\\\",\\\"lastTransitionTime\\\":\\\"2024-01-01T00:00:00Z\\\","
          "\\\"reason\\\":\\\"ReadyForNewScale\\\",\\\"message\\\":\\\"m\\\"}]\","
          "\"autoscaling.alpha.kubernetes.io/behavior\":\"{\\\"ScaleUp\\\":null,\\\"ScaleDown\\\":"
          "{\\\"StabilizationWindowSeconds\\\":300,\\\"SelectPolicy\\\":\\\"Max\\\","
          "\\\"Policies\\\":[{\\\"Type\\\":\\\"Percent\\\",\\\"Value\\\":100,"
          "\\\"PeriodSeconds\\\":15}]}}\"}},"
          "\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"d\"},\"minReplicas\":1,"
          "\"maxReplicas\":10,\"targetCPUUtilizationPercentage\":60},\"status\":{"
          "\"currentReplicas\":1,\"desiredReplicas\":1,\"currentCPUUtilizationPercentage\":12}}",
          false },
        { "a Status passes unchanged", "autoscaling", "v2", "autoscaling", "v1",
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}",
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}", true },
        { "a list converts item by item", "", "v1", "events.k8s.io", "v1",
          "{\"kind\":\"EventList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"5\"},"
          "\"items\":[{\"metadata\":{\"name\":\"a\"},\"message\":\"m\"}]}",
          "{\"kind\":\"EventList\",\"apiVersion\":\"events.k8s.io/v1\",\"metadata\":{"
          "\"resourceVersion\":\"5\"},\"items\":[{\"kind\":\"Event\",\"apiVersion\":"
          "\"events.k8s.io/v1\",\"metadata\":{\"name\":\"a\"},\"note\":\"m\",\"eventTime\":null}]}",
          false },
};

Test(convert, table)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                const struct conv_case *c = &cases[i];
                json_auto_t *in = parse(c->in);
                json_auto_t *got =
                        convert(in, c->from_group, c->from_version, c->to_group, c->to_version);

                cr_log_info("case %s", c->name);
                assert_json_eq(got, c->want);
                if (c->round_trips) {
                        json_auto_t *back = convert(got, c->to_group, c->to_version, c->from_group,
                                                    c->from_version);

                        assert_json_eq(back, c->in);
                }
        }
}

/* Every v2 metric kind survives v2 -> v1 -> v2 through the annotation. */
Test(convert, hpa_v2_round_trip_all_metric_kinds)
{
        static const char v2[] =
                "{\"kind\":\"HorizontalPodAutoscaler\",\"apiVersion\":\"autoscaling/v2\","
                "\"metadata\":{\"name\":\"h\"},\"spec\":{\"scaleTargetRef\":{\"kind\":"
                "\"Deployment\",\"name\":\"d\"},\"minReplicas\":1,\"maxReplicas\":4,\"metrics\":["
                "{\"type\":\"Object\",\"object\":{\"describedObject\":{\"kind\":\"Ingress\","
                "\"name\":\"i\",\"apiVersion\":\"networking.k8s.io/v1\"},\"metric\":{\"name\":"
                "\"rps\",\"selector\":{\"matchLabels\":{\"a\":\"b\"}}},\"target\":{\"type\":"
                "\"Value\",\"value\":\"10k\"}}},"
                "{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"p\"},\"target\":{\"type\":"
                "\"AverageValue\",\"averageValue\":\"1\"}}},"
                "{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"target\":{\"type\":"
                "\"AverageValue\",\"averageValue\":\"100Mi\"}}},"
                "{\"type\":\"ContainerResource\",\"containerResource\":{\"name\":\"cpu\","
                "\"container\":\"app\",\"target\":{\"type\":\"Utilization\","
                "\"averageUtilization\":40}}},"
                "{\"type\":\"External\",\"external\":{\"metric\":{\"name\":\"q\"},\"target\":{"
                "\"type\":\"AverageValue\",\"averageValue\":\"3\"}}},"
                "{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":"
                "\"Utilization\",\"averageUtilization\":55}}}],"
                "\"behavior\":{\"scaleUp\":{\"stabilizationWindowSeconds\":0,\"selectPolicy\":"
                "\"Max\",\"policies\":[{\"type\":\"Pods\",\"value\":4,\"periodSeconds\":15}]}}},"
                "\"status\":{\"currentReplicas\":2,\"desiredReplicas\":2,\"currentMetrics\":[{"
                "\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"p\"},\"current\":{"
                "\"averageValue\":\"2\"}}}]}}";
        json_auto_t *in = parse(v2);
        json_auto_t *v1 = convert(in, "autoscaling", "v2", "autoscaling", "v1");
        json_auto_t *back = convert(v1, "autoscaling", "v1", "autoscaling", "v2");

        cr_assert_eq(json_integer_value(json_object_get(json_object_get(v1, "spec"),
                                                        "targetCPUUtilizationPercentage")),
                     55);
        /* The cpu metric comes back last: upstream appends it after the annotation's. */
        assert_json_eq(json_object_get(json_object_get(back, "spec"), "metrics"),
                       "[{\"type\":\"Object\",\"object\":{\"describedObject\":{\"kind\":"
                       "\"Ingress\",\"name\":\"i\",\"apiVersion\":\"networking.k8s.io/v1\"},"
                       "\"metric\":{\"name\":\"rps\",\"selector\":{\"matchLabels\":{\"a\":\"b\"}}},"
                       "\"target\":{\"type\":\"Value\",\"value\":\"10k\"}}},"
                       "{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"p\"},\"target\":{"
                       "\"type\":\"AverageValue\",\"averageValue\":\"1\"}}},"
                       "{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"target\":{"
                       "\"type\":\"AverageValue\",\"averageValue\":\"100Mi\"}}},"
                       "{\"type\":\"ContainerResource\",\"containerResource\":{\"name\":\"cpu\","
                       "\"container\":\"app\",\"target\":{\"type\":\"Utilization\","
                       "\"averageUtilization\":40}}},"
                       "{\"type\":\"External\",\"external\":{\"metric\":{\"name\":\"q\"},"
                       "\"target\":{\"type\":\"AverageValue\",\"averageValue\":\"3\"}}},"
                       "{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{"
                       "\"type\":\"Utilization\",\"averageUtilization\":55}}}]");
        assert_json_eq(json_object_get(json_object_get(back, "spec"), "behavior"),
                       "{\"scaleUp\":{\"stabilizationWindowSeconds\":0,\"selectPolicy\":\"Max\","
                       "\"policies\":[{\"type\":\"Pods\",\"value\":4,\"periodSeconds\":15}]}}");
        assert_json_eq(json_object_get(json_object_get(back, "status"), "currentMetrics"),
                       "[{\"type\":\"Pods\",\"pods\":{\"metric\":{\"name\":\"p\"},\"current\":{"
                       "\"averageValue\":\"2\"}}}]");
        cr_assert_null(json_object_get(json_object_get(back, "metadata"), "annotations"),
                       "the round-trip annotations are dropped");
}

/* Go decodes the behavior's internal keys case-insensitively; a malformed one is ignored. */
Test(convert, hpa_v1_behavior_annotation)
{
        json_auto_t *lower =
                parse("{\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"h\","
                      "\"annotations\":{\"autoscaling.alpha.kubernetes.io/behavior\":"
                      "\"{\\\"scaleDown\\\":{\\\"selectPolicy\\\":\\\"Min\\\"}}\"}},"
                      "\"spec\":{\"maxReplicas\":2,\"targetCPUUtilizationPercentage\":10}}");
        json_auto_t *bad =
                parse("{\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"h\","
                      "\"annotations\":{\"autoscaling.alpha.kubernetes.io/behavior\":\"{x\"}},"
                      "\"spec\":{\"maxReplicas\":2}}");
        json_auto_t *a = convert(lower, "autoscaling", "v1", "autoscaling", "v2");
        json_auto_t *b = convert(bad, "autoscaling", "v1", "autoscaling", "v2");

        assert_json_eq(json_object_get(json_object_get(a, "spec"), "behavior"),
                       "{\"scaleDown\":{\"selectPolicy\":\"Min\"}}");
        cr_assert_null(json_object_get(json_object_get(b, "spec"), "behavior"));
        cr_assert_null(json_object_get(json_object_get(b, "metadata"), "annotations"));
}

/* A malformed metrics annotation fails the conversion, as upstream's json.Unmarshal. */
Test(convert, hpa_v1_bad_metrics_annotation)
{
        json_auto_t *in =
                parse("{\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"h\","
                      "\"annotations\":{\"autoscaling.alpha.kubernetes.io/metrics\":\"{}\"}},"
                      "\"spec\":{\"maxReplicas\":2}}");
        kl_autoerr struct kl_err *e = NULL;
        json_t *out = NULL;

        cr_assert_eq(kl_api_convert(in, "autoscaling", "v1", "autoscaling", "v2", &out, &e),
                     -EINVAL);
        cr_assert_null(out);
        cr_assert_not_null(strstr(kl_err_msg(e), "autoscaling.alpha.kubernetes.io/metrics"));
}

Test(convert, known_pairs)
{
        cr_assert(kl_api_convert_known("", "v1", "events.k8s.io", "v1"));
        cr_assert(kl_api_convert_known("autoscaling", "v1", "autoscaling", "v2"));
        cr_assert(kl_api_convert_known("apps", "v1", "apps", "v1"));
        cr_assert_not(kl_api_convert_known("apps", "v1", "autoscaling", "v2"));
}
