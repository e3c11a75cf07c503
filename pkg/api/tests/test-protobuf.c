/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The protobuf decoder against hand-built bodies. A tiny encoder below writes
 * the wire format from field numbers (taken from the v1.32 .proto files, so a
 * wrong table entry shows up as a wrong JSON name), wraps it in the `k8s\0`
 * envelope, and the decoded JSON is compared with what the same request
 * would have sent as JSON.
 *
 * KL_TEST_CORPUS_DIR=dir writes every well-formed envelope built here into
 * `dir` as a seed for fuzz-protobuf (that is how its corpus was made).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/schema.h"
#include "base/base.h"
#include "json/json.h"

/* ---- A test-only protobuf encoder ------------------------------------- */

#define PBW_DEPTH 16

struct pbw {
        struct kl_buf stack[PBW_DEPTH]; /* owned; [0] is the message being built */
        unsigned nums[PBW_DEPTH];       /* field number of each open sub-message */
        int top;
};

static void pbw_init(struct pbw *w)
{
        w->top = 0;
        kl_buf_init(&w->stack[0], SIZE_MAX);
}

static void put_varint(struct kl_buf *b, uint64_t v)
{
        do {
                uint8_t c = v & 0x7f;

                v >>= 7;
                if (v)
                        c |= 0x80;
                cr_assert_eq(kl_buf_putc(b, (char)c), 0);
        } while (v);
}

static struct kl_buf *cur(struct pbw *w)
{
        return &w->stack[w->top];
}

static void pb_tag(struct pbw *w, unsigned num, unsigned wt)
{
        put_varint(cur(w), (uint64_t)num << 3 | wt);
}

static void pb_int(struct pbw *w, unsigned num, int64_t v)
{
        pb_tag(w, num, 0);
        put_varint(cur(w), (uint64_t)v);
}

static void pb_bool(struct pbw *w, unsigned num, bool v)
{
        pb_int(w, num, v);
}

static void pb_bytes(struct pbw *w, unsigned num, const void *p, size_t n)
{
        pb_tag(w, num, 2);
        put_varint(cur(w), n);
        cr_assert_eq(kl_buf_append(cur(w), p, n), 0);
}

static void pb_str(struct pbw *w, unsigned num, const char *s)
{
        pb_bytes(w, num, s, strlen(s));
}

static void pb_begin(struct pbw *w, unsigned num)
{
        cr_assert_lt(w->top + 1, PBW_DEPTH);
        w->nums[++w->top] = num;
        kl_buf_init(&w->stack[w->top], SIZE_MAX);
}

static void pb_end(struct pbw *w)
{
        struct kl_buf *child;

        cr_assert_gt(w->top, 0);
        child = &w->stack[w->top--];
        pb_bytes(w, w->nums[w->top + 1], child->buf, child->len);
        kl_buf_release(child);
}

/* An empty sub-message: what gogo writes for a zero-valued struct field. */
static void pb_empty(struct pbw *w, unsigned num)
{
        pb_begin(w, num);
        pb_end(w);
}

static void pb_map_str(struct pbw *w, unsigned num, const char *k, const char *v)
{
        pb_begin(w, num);
        pb_str(w, 1, k);
        pb_str(w, 2, v);
        pb_end(w);
}

/* The `k8s\0` envelope around the message built in `w` (released). */
static void envelope(struct pbw *w, const char *api_version, const char *kind, struct kl_buf *out)
{
        struct pbw e;

        cr_assert_eq(w->top, 0);
        pbw_init(&e);
        pb_begin(&e, 1);
        pb_str(&e, 1, api_version);
        pb_str(&e, 2, kind);
        pb_end(&e);
        pb_bytes(&e, 2, w->stack[0].buf, w->stack[0].len);
        pb_str(&e, 3, "");
        pb_str(&e, 4, "");
        kl_buf_init(out, SIZE_MAX);
        cr_assert_eq(kl_buf_append(out, "k8s\0", 4), 0);
        cr_assert_eq(kl_buf_append(out, e.stack[0].buf, e.stack[0].len), 0);
        kl_buf_release(&e.stack[0]);
        kl_buf_release(&w->stack[0]);
}

static void save_seed(const char *name, const struct kl_buf *b)
{
        const char *dir = getenv("KL_TEST_CORPUS_DIR");
        kl_autofree char *path = NULL;
        FILE *f;

        if (!dir)
                return;
        path = kl_asprintf("%s/%s", dir, name);
        f = fopen(path, "we");
        cr_assert(f, "open '%s'", path);
        cr_assert_eq(fwrite(b->buf, 1, b->len, f), b->len);
        cr_assert_eq(fclose(f), 0);
}

static json_t *parse(const char *text)
{
        json_t *v = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), SIZE_MAX, &v, &e), 0, "%s", kl_err_msg(e));
        return v;
}

static char *show(const json_t *v)
{
        struct kl_buf b = KL_BUF_INIT;

        cr_assert_eq(kl_json_encode(v, KL_JSON_ENCODE_CANONICAL, &b, NULL), 0);
        return kl_buf_detach(&b, NULL);
}

static void expect_json(const json_t *got, const char *want_text)
{
        json_auto_t *want = parse(want_text);
        kl_autofree char *g = show(got), *w = show(want);

        cr_assert_str_eq(g, w);
}

/* Envelope `w`, save it as a seed, decode it, compare with `want`. */
static void check_decode(const char *seed, struct pbw *w, const char *api_version, const char *kind,
                         const char *want)
{
        kl_autobuf struct kl_buf body = KL_BUF_INIT;
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *obj = NULL;
        int r;

        envelope(w, api_version, kind, &body);
        save_seed(seed, &body);
        r = kl_api_protobuf_decode(body.buf, body.len, KL_JSON_DEFAULT_MAX, &obj, &e);
        cr_assert_eq(r, 0, "%s", kl_err_msg(e));
        expect_json(obj, want);
}

/* Decode `body` and expect -EINVAL (or `code`) with `needle` in the message. */
static void check_fail(const void *body, size_t len, int code, const char *needle)
{
        kl_autoerr struct kl_err *e = NULL;
        json_t *obj = NULL;
        int r;

        r = kl_api_protobuf_decode(body, len, KL_JSON_DEFAULT_MAX, &obj, &e);
        cr_assert_eq(r, code, "got %d (%s)", r, kl_err_msg(e));
        cr_assert_null(obj);
        cr_assert(e && e->code == -code);
        cr_assert(strstr(e->msg, needle), "message '%s' lacks '%s'", e->msg, needle);
}

static void check_fail_msg(struct pbw *w, const char *api_version, const char *kind,
                           const char *needle)
{
        kl_autobuf struct kl_buf body = KL_BUF_INIT;

        envelope(w, api_version, kind, &body);
        check_fail(body.buf, body.len, -EINVAL, needle);
}

/* ObjectMeta as kubectl's typed clients send it: zero fields written too. */
static void meta(struct pbw *w, const char *name, const char *ns)
{
        pb_begin(w, 1);
        pb_str(w, 1, name);
        pb_str(w, 2, "");
        pb_str(w, 3, ns);
        pb_str(w, 4, "");
        pb_str(w, 5, "");
        pb_str(w, 6, "");
        pb_int(w, 7, 0);
        pb_empty(w, 8); /* creationTimestamp: the zero time is an empty message */
}

/* ---- Objects ---------------------------------------------------------- */

Test(protobuf, configmap)
{
        struct pbw w;
        static const uint8_t bin[] = { 0x00, 0xff, 0x10 };

        pbw_init(&w);
        meta(&w, "cm", "default");
        pb_end(&w);
        pb_map_str(&w, 2, "a", "1");
        pb_map_str(&w, 2, "empty", "");
        pb_begin(&w, 3);
        pb_str(&w, 1, "bin");
        pb_bytes(&w, 2, bin, sizeof(bin));
        pb_end(&w);
        pb_bool(&w, 4, false); /* *bool immutable set to false: meaningful, kept */
        check_decode("configmap", &w, "v1", "ConfigMap",
                     "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                     "\"metadata\":{\"name\":\"cm\",\"namespace\":\"default\"},"
                     "\"data\":{\"a\":\"1\",\"empty\":\"\"},\"binaryData\":{\"bin\":\"AP8Q\"},"
                     "\"immutable\":false}");
}

Test(protobuf, secret_bytes_are_base64)
{
        struct pbw w;

        pbw_init(&w);
        meta(&w, "s", "default");
        pb_begin(&w, 11); /* labels */
        pb_str(&w, 1, "app");
        pb_str(&w, 2, "web");
        pb_end(&w);
        pb_end(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "password");
        pb_bytes(&w, 2, "hunter2", 7);
        pb_end(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "one");
        pb_bytes(&w, 2, "a", 1);
        pb_end(&w);
        pb_begin(&w, 2); /* a value of no bytes: still a key */
        pb_str(&w, 1, "none");
        pb_end(&w);
        pb_str(&w, 3, "Opaque");
        check_decode("secret", &w, "v1", "Secret",
                     "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\","
                     "\"namespace\":\"default\",\"labels\":{\"app\":\"web\"}},"
                     "\"data\":{\"password\":\"aHVudGVyMg==\",\"one\":\"YQ==\",\"none\":\"\"},"
                     "\"type\":\"Opaque\"}");
}

/* A container as gogo writes a Go Container value: every non-pointer field present. */
static void container(struct pbw *w, const char *name, const char *image)
{
        pb_begin(w, 2);
        pb_str(w, 1, name);
        pb_str(w, 2, image);
        pb_str(w, 5, "");
        pb_empty(w, 8); /* resources: a struct value, shown upstream as {} */
        pb_str(w, 13, "");
        pb_str(w, 14, "");
        pb_bool(w, 16, false);
        pb_bool(w, 17, false);
        pb_bool(w, 18, false);
        pb_str(w, 20, "");
        pb_end(w);
}

/* `kubectl create deployment d2 --image=nginx --replicas=N` (kubectl-contract §6.1). */
static void deployment(struct pbw *w, int replicas)
{
        pbw_init(w);
        meta(w, "d2", "");
        pb_map_str(w, 11, "app", "d2");
        pb_end(w);
        pb_begin(w, 2);
        pb_int(w, 1, replicas);
        pb_begin(w, 2);
        pb_map_str(w, 1, "app", "d2");
        pb_end(w);
        pb_begin(w, 3); /* template */
        pb_begin(w, 1);
        pb_str(w, 1, "");
        pb_int(w, 7, 0);
        pb_empty(w, 8);
        pb_map_str(w, 11, "app", "d2");
        pb_end(w);
        pb_begin(w, 2);
        container(w, "nginx", "nginx");
        pb_str(w, 3, "");
        pb_str(w, 6, "");
        pb_str(w, 8, "");
        pb_bool(w, 11, false);
        pb_bool(w, 12, false);
        pb_bool(w, 13, false);
        pb_str(w, 19, "");
        pb_end(w);
        pb_end(w);
        pb_empty(w, 4); /* strategy */
        pb_int(w, 5, 0);
        pb_bool(w, 7, false);
        pb_end(w);
        pb_begin(w, 3); /* status: the server drops it on create */
        pb_int(w, 1, 0);
        pb_int(w, 2, 0);
        pb_end(w);
}

Test(protobuf, deployment_as_kubectl_create_sends_it)
{
        struct pbw w;

        deployment(&w, 2);
        check_decode("deployment", &w, "apps/v1", "Deployment",
                     "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                     "\"metadata\":{\"name\":\"d2\",\"labels\":{\"app\":\"d2\"}},"
                     "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"d2\"}},"
                     "\"template\":{\"metadata\":{\"labels\":{\"app\":\"d2\"}},"
                     "\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\","
                     "\"resources\":{}}]}},\"strategy\":{}},"
                     "\"status\":{\"observedGeneration\":0,\"replicas\":0}}");
}

Test(protobuf, explicit_zero_replicas_is_kept)
{
        kl_autobuf struct kl_buf body = KL_BUF_INIT;
        json_auto_t *obj = NULL;
        int64_t replicas = -1;
        struct pbw w;

        deployment(&w, 0);
        envelope(&w, "apps/v1", "Deployment", &body);
        cr_assert_eq(kl_api_protobuf_decode(body.buf, body.len, body.len, &obj, NULL), 0);
        cr_assert_eq(kl_json_get_int64(obj, "spec.replicas", &replicas, NULL), 0);
        cr_assert_eq(replicas, 0);
        cr_assert_eq(kl_json_get(obj, "spec.minReadySeconds", NULL, NULL), -ENOENT);
        cr_assert_eq(kl_json_get(obj, "metadata.generation", NULL, NULL), -ENOENT);
}

Test(protobuf, service_int_or_string)
{
        struct pbw w;

        pbw_init(&w);
        meta(&w, "web", "default");
        pb_end(&w);
        pb_begin(&w, 2);
        pb_begin(&w, 1); /* ports[0]: targetPort 8080 */
        pb_str(&w, 1, "5678-8080");
        pb_str(&w, 2, "TCP");
        pb_int(&w, 3, 5678);
        pb_begin(&w, 4);
        pb_int(&w, 1, 0);
        pb_int(&w, 2, 8080);
        pb_str(&w, 3, "");
        pb_end(&w);
        pb_int(&w, 5, 0);
        pb_end(&w);
        pb_begin(&w, 1); /* ports[1]: a named target port */
        pb_str(&w, 1, "http");
        pb_int(&w, 3, 80);
        pb_begin(&w, 4);
        pb_int(&w, 1, 1);
        pb_str(&w, 3, "http");
        pb_end(&w);
        pb_end(&w);
        pb_map_str(&w, 2, "app", "web");
        pb_str(&w, 3, "");
        pb_str(&w, 4, "ClusterIP");
        pb_int(&w, 12, 0);
        pb_bool(&w, 13, false);
        pb_end(&w);
        pb_empty(&w, 3);
        check_decode("service", &w, "v1", "Service",
                     "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\","
                     "\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"5678-8080\","
                     "\"protocol\":\"TCP\",\"port\":5678,\"targetPort\":8080},{\"name\":\"http\","
                     "\"port\":80,\"targetPort\":\"http\"}],\"selector\":{\"app\":\"web\"},"
                     "\"type\":\"ClusterIP\"},\"status\":{}}");
}

Test(protobuf, resource_quota_quantities)
{
        struct pbw w;

        pbw_init(&w);
        meta(&w, "q", "default");
        pb_end(&w);
        pb_begin(&w, 2);
        pb_begin(&w, 1);
        pb_str(&w, 1, "cpu");
        pb_begin(&w, 2);
        pb_str(&w, 1, "1000m"); /* not canonical: Kubernetes answers "1" */
        pb_end(&w);
        pb_end(&w);
        pb_begin(&w, 1);
        pb_str(&w, 1, "memory");
        pb_begin(&w, 2);
        pb_str(&w, 1, "1Gi");
        pb_end(&w);
        pb_end(&w);
        pb_begin(&w, 1);
        pb_str(&w, 1, "pods");
        pb_begin(&w, 2);
        pb_str(&w, 1, "10");
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        check_decode(
                "quota", &w, "v1", "ResourceQuota",
                "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q\","
                "\"namespace\":\"default\"},\"spec\":{\"hard\":{\"cpu\":\"1\","
                "\"memory\":\"1Gi\",\"pods\":\"10\"}}}");
}

Test(protobuf, times)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 1);
        pb_str(&w, 1, "l");
        pb_begin(&w, 8);
        pb_int(&w, 1, 1700000000);
        pb_int(&w, 2, 999999999); /* Time drops the fraction */
        pb_end(&w);
        pb_begin(&w, 9);
        pb_int(&w, 1, INT64_C(-62135596800)); /* the first second of year 1 */
        pb_end(&w);
        pb_end(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "holder");
        pb_begin(&w, 3);
        pb_int(&w, 1, 1700000000);
        pb_int(&w, 2, 123456789);
        pb_end(&w);
        pb_begin(&w, 4);
        pb_int(&w, 1, 253402300799); /* the last second of year 9999 */
        pb_end(&w);
        pb_int(&w, 5, 0); /* *int32 leaseTransitions: 0 kept */
        pb_end(&w);
        check_decode("lease", &w, "coordination.k8s.io/v1", "Lease",
                     "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\","
                     "\"metadata\":{\"name\":\"l\",\"creationTimestamp\":\"2023-11-14T22:13:20Z\","
                     "\"deletionTimestamp\":\"0001-01-01T00:00:00Z\"},"
                     "\"spec\":{\"holderIdentity\":\"holder\","
                     "\"acquireTime\":\"2023-11-14T22:13:20.123456Z\","
                     "\"renewTime\":\"9999-12-31T23:59:59.000000Z\",\"leaseTransitions\":0}}");
}

Test(protobuf, time_out_of_range)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 1);
        pb_begin(&w, 8);
        pb_int(&w, 1, 253402300800);
        pb_end(&w);
        pb_end(&w);
        check_fail_msg(&w, "v1", "ConfigMap", "outside years 1 to 9999");
}

Test(protobuf, delete_options)
{
        struct pbw w;

        pbw_init(&w);
        pb_int(&w, 1, 0); /* gracePeriodSeconds 0: delete now, must survive */
        pb_begin(&w, 2);
        pb_str(&w, 1, "uid-1");
        pb_end(&w);
        pb_str(&w, 4, "Foreground");
        pb_str(&w, 5, "All");
        check_decode("deleteoptions", &w, "v1", "DeleteOptions",
                     "{\"apiVersion\":\"v1\",\"kind\":\"DeleteOptions\",\"gracePeriodSeconds\":0,"
                     "\"preconditions\":{\"uid\":\"uid-1\"},\"propagationPolicy\":\"Foreground\","
                     "\"dryRun\":[\"All\"]}");

        /* The typed clients of other groups send it with their own group version. */
        pbw_init(&w);
        pb_bool(&w, 3, true);
        check_decode("deleteoptions-apps", &w, "apps/v1", "DeleteOptions",
                     "{\"apiVersion\":\"apps/v1\",\"kind\":\"DeleteOptions\","
                     "\"orphanDependents\":true}");
}

Test(protobuf, token_request)
{
        struct pbw w;

        pbw_init(&w);
        meta(&w, "default", "default");
        pb_end(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "https://kubernetes.default.svc");
        pb_int(&w, 4, 600);
        pb_end(&w);
        pb_begin(&w, 3);
        pb_str(&w, 1, "");
        pb_empty(&w, 2);
        pb_end(&w);
        check_decode("tokenrequest", &w, "authentication.k8s.io/v1", "TokenRequest",
                     "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\","
                     "\"metadata\":{\"name\":\"default\",\"namespace\":\"default\"},"
                     "\"spec\":{\"audiences\":[\"https://kubernetes.default.svc\"],"
                     "\"expirationSeconds\":600},\"status\":{}}");
}

Test(protobuf, string_lists_in_maps)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 3);
        pb_bool(&w, 1, true);
        pb_begin(&w, 2);
        pb_str(&w, 1, "alice");
        pb_str(&w, 3, "dev");
        pb_begin(&w, 4);
        pb_str(&w, 1, "scopes");
        pb_begin(&w, 2);
        pb_str(&w, 1, "a");
        pb_str(&w, 1, "b");
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        check_decode("tokenreview", &w, "authentication.k8s.io/v1", "TokenReview",
                     "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                     "\"status\":{\"authenticated\":true,\"user\":{\"username\":\"alice\","
                     "\"groups\":[\"dev\"],\"extra\":{\"scopes\":[\"a\",\"b\"]}}}}");
}

Test(protobuf, packed_and_unpacked_repeated_scalars)
{
        struct pbw w;
        struct kl_buf packed = KL_BUF_INIT;

        put_varint(&packed, 1);
        put_varint(&packed, (uint64_t)(int64_t)-2); /* int32 -2: ten bytes, sign-extended */
        pbw_init(&w);
        pb_begin(&w, 2);
        pb_begin(&w, 11);
        pb_begin(&w, 1);
        pb_str(&w, 1, "FailJob");
        pb_begin(&w, 2);
        pb_str(&w, 2, "In");
        pb_bytes(&w, 3, packed.buf, packed.len);
        pb_int(&w, 3, 42);
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        kl_buf_release(&packed);
        check_decode("job", &w, "batch/v1", "Job",
                     "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"spec\":{\"podFailurePolicy\":"
                     "{\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":{\"operator\":\"In\","
                     "\"values\":[1,-2,42]}}]}}}");
}

Test(protobuf, inline_structs_and_probes)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 2);
        pb_begin(&w, 1); /* volumes[0]: emptyDir {}, meaningful though empty */
        pb_str(&w, 1, "scratch");
        pb_begin(&w, 2);
        pb_empty(&w, 2);
        pb_end(&w);
        pb_end(&w);
        pb_begin(&w, 1); /* volumes[1]: configMap, whose name is an embedded struct's */
        pb_str(&w, 1, "cfg");
        pb_begin(&w, 2);
        pb_begin(&w, 19);
        pb_begin(&w, 1);
        pb_str(&w, 1, "app-config");
        pb_end(&w);
        pb_int(&w, 3, 420);
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "app");
        pb_begin(&w, 10); /* livenessProbe: the handler is embedded too */
        pb_begin(&w, 1);
        pb_begin(&w, 2);
        pb_str(&w, 1, "/healthz");
        pb_begin(&w, 2);
        pb_int(&w, 1, 0);
        pb_int(&w, 2, 8080);
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        pb_int(&w, 2, 0);
        pb_int(&w, 4, 10);
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        check_decode(
                "pod", &w, "v1", "Pod",
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"volumes\":["
                "{\"name\":\"scratch\",\"emptyDir\":{}},"
                "{\"name\":\"cfg\",\"configMap\":{\"name\":\"app-config\",\"defaultMode\":420}}],"
                "\"containers\":[{\"name\":\"app\",\"livenessProbe\":{\"httpGet\":{"
                "\"path\":\"/healthz\",\"port\":8080},\"periodSeconds\":10}}]}}");
}

Test(protobuf, empty_storage_class_is_kept)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "ReadWriteOnce");
        pb_str(&w, 3, "");
        pb_str(&w, 5, "");
        pb_end(&w);
        check_decode("pvc", &w, "v1", "PersistentVolumeClaim",
                     "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"spec\":{"
                     "\"accessModes\":[\"ReadWriteOnce\"],\"storageClassName\":\"\"}}");
}

Test(protobuf, raw_json_and_fields_v1)
{
        static const char fields[] = "{\"f:data\":{\"f:a\":{}}}";
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 1);
        pb_str(&w, 1, "rev");
        pb_begin(&w, 17);
        pb_str(&w, 1, "kubectl");
        pb_str(&w, 2, "Update");
        pb_str(&w, 6, "FieldsV1");
        pb_begin(&w, 7);
        pb_str(&w, 1, fields);
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "{\"spec\":{\"replicas\":3}}");
        pb_end(&w);
        pb_int(&w, 3, 7);
        check_decode("controllerrevision", &w, "apps/v1", "ControllerRevision",
                     "{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\","
                     "\"metadata\":{\"name\":\"rev\",\"managedFields\":[{\"manager\":\"kubectl\","
                     "\"operation\":\"Update\",\"fieldsType\":\"FieldsV1\","
                     "\"fieldsV1\":{\"f:data\":{\"f:a\":{}}}}]},"
                     "\"data\":{\"spec\":{\"replicas\":3}},\"revision\":7}");
}

Test(protobuf, raw_extension_with_an_embedded_envelope)
{
        kl_autobuf struct kl_buf inner = KL_BUF_INIT;
        struct pbw w;

        pbw_init(&w);
        meta(&w, "inner", "");
        pb_end(&w);
        envelope(&w, "v1", "ConfigMap", &inner);

        pbw_init(&w);
        pb_begin(&w, 2);
        pb_bytes(&w, 1, inner.buf, inner.len);
        pb_end(&w);
        check_decode(
                "controllerrevision-nested", &w, "apps/v1", "ControllerRevision",
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\",\"data\":{"
                "\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"inner\"}}}");
}

Test(protobuf, unknown_fields_are_skipped)
{
        static const uint8_t eight[8] = { 0 };
        struct pbw w;

        pbw_init(&w);
        pb_int(&w, 99, 12345);
        pb_tag(&w, 100, 1);
        cr_assert_eq(kl_buf_append(cur(&w), eight, 8), 0);
        pb_str(&w, 101, "future");
        pb_tag(&w, 102, 5);
        cr_assert_eq(kl_buf_append(cur(&w), eight, 4), 0);
        pb_map_str(&w, 2, "k", "v");
        check_decode("configmap-unknown-fields", &w, "v1", "ConfigMap",
                     "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"k\":\"v\"}}");
}

Test(protobuf, decode_message_without_envelope)
{
        const struct kl_api_message *m =
                kl_api_schema_message("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        static const uint8_t str[] = { 0x08, 0x01, 0x1a, 0x02, '2', '5' };
        static const uint8_t num[] = { 0x10, 0x2a };
        json_auto_t *a = NULL, *b = NULL, *c = NULL;

        cr_assert_not_null(m);
        cr_assert_eq(kl_api_protobuf_decode_message(m, str, sizeof(str), &a, NULL), 0);
        cr_assert_str_eq(json_string_value(a), "25");
        cr_assert_eq(kl_api_protobuf_decode_message(m, num, sizeof(num), &b, NULL), 0);
        cr_assert_eq(json_integer_value(b), 42);
        m = kl_api_schema_message("io.k8s.apimachinery.pkg.apis.meta.v1.Duration");
        {
                static const uint8_t hour[] = { 0x08, 0x80, 0xc0, 0xe2, 0x85, 0xe3, 0x68 };

                cr_assert_eq(kl_api_protobuf_decode_message(m, hour, sizeof(hour), &c, NULL), 0);
                cr_assert_str_eq(json_string_value(c), "1h0m0s");
        }
}

/* ---- Malformed input -------------------------------------------------- */

Test(protobuf, bad_magic)
{
        check_fail("k8s", 3, -EINVAL, "'k8s\\0' magic");
        check_fail("{\"kind\":\"Pod\"}", 14, -EINVAL, "'k8s\\0' magic");
        check_fail("", 0, -EINVAL, "magic");
}

Test(protobuf, too_large)
{
        static const char body[16] = "k8s";
        kl_autoerr struct kl_err *e = NULL;
        json_t *obj = NULL;

        cr_assert_eq(kl_api_protobuf_decode(body, sizeof(body), 8, &obj, &e), -E2BIG);
        cr_assert(strstr(e->msg, "exceeds the limit of 8"));
}

Test(protobuf, truncated_varint)
{
        static const uint8_t body[] = { 'k', '8', 's', 0, 0x0a, 0x80 };

        check_fail(body, sizeof(body), -EINVAL, "truncated varint at byte 5");
}

Test(protobuf, varint_too_long)
{
        static const uint8_t body[] = { 'k',  '8',  's',  0,    0x0a, 0x80, 0x80, 0x80,
                                        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };

        check_fail(body, sizeof(body), -EINVAL, "varint");
}

Test(protobuf, length_beyond_end)
{
        static const uint8_t body[] = { 'k', '8', 's', 0, 0x12, 0x7f, 0x0a, 0x00 };

        check_fail(body, sizeof(body), -EINVAL, "length 127 runs past the end (2 bytes left)");
}

Test(protobuf, length_beyond_end_inside_object)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 1);
        pb_tag(&w, 1, 2);
        put_varint(cur(&w), 50); /* name: 50 bytes promised, none given */
        pb_end(&w);
        check_fail_msg(&w, "v1", "ConfigMap", "'metadata.name': length 50 runs past the end");
}

Test(protobuf, unknown_kind)
{
        struct pbw w;

        pbw_init(&w);
        check_fail_msg(&w, "v1", "Gadget", "no built-in kind 'Gadget' in 'v1'");
        pbw_init(&w);
        check_fail_msg(&w, "example.com/v1", "Widget", "no built-in kind 'Widget'");
        pbw_init(&w);
        check_fail_msg(&w, "", "Pod", "no apiVersion and kind");
}

Test(protobuf, wire_type_mismatch)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 2);
        pb_str(&w, 1, "two"); /* replicas as a string */
        pb_end(&w);
        check_fail_msg(&w, "apps/v1", "Deployment",
                       "'spec.replicas': field 1 has wire type length-delimited, expected varint");
}

Test(protobuf, group_wire_type)
{
        struct pbw w;

        pbw_init(&w);
        pb_tag(&w, 50, 3);
        check_fail_msg(&w, "v1", "ConfigMap", "unsupported wire type 3");
}

Test(protobuf, invalid_utf8)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 1);
        pb_bytes(&w, 1, "\xc3\x28", 2);
        pb_end(&w);
        check_fail_msg(&w, "v1", "ConfigMap", "not valid UTF-8");
        pbw_init(&w);
        pb_begin(&w, 1);
        pb_bytes(&w, 1, "a\0b", 3);
        pb_end(&w);
        check_fail_msg(&w, "v1", "ConfigMap", "contains NUL");
}

Test(protobuf, invalid_quantity)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 2);
        pb_begin(&w, 1);
        pb_str(&w, 1, "cpu");
        pb_begin(&w, 2);
        pb_str(&w, 1, "lots");
        pb_end(&w);
        pb_end(&w);
        pb_end(&w);
        check_fail_msg(&w, "v1", "ResourceQuota", "'spec.hard.cpu': invalid quantity 'lots'");
}

Test(protobuf, content_encoding_refused)
{
        struct pbw e;
        kl_autobuf struct kl_buf body = KL_BUF_INIT;

        pbw_init(&e);
        pb_begin(&e, 1);
        pb_str(&e, 1, "v1");
        pb_str(&e, 2, "ConfigMap");
        pb_end(&e);
        pb_str(&e, 3, "gzip");
        cr_assert_eq(kl_buf_append(&body, "k8s\0", 4), 0);
        cr_assert_eq(kl_buf_append(&body, e.stack[0].buf, e.stack[0].len), 0);
        kl_buf_release(&e.stack[0]);
        check_fail(body.buf, body.len, -EINVAL, "content encoding 'gzip' is not supported");
}

Test(protobuf, nesting_is_bounded)
{
        kl_autobuf struct kl_buf body = KL_BUF_INIT;
        kl_autobuf struct kl_buf raw = KL_BUF_INIT;
        kl_autobuf struct kl_buf next = KL_BUF_INIT;

        /* RawExtension inside RawExtension...: each level is a ControllerRevision envelope. */
        for (int i = 0; i < KL_API_PROTOBUF_MAX_DEPTH; i++) {
                struct pbw w;

                pbw_init(&w);
                if (raw.len > 0) {
                        pb_begin(&w, 2);
                        pb_bytes(&w, 1, raw.buf, raw.len);
                        pb_end(&w);
                }
                kl_buf_release(&next);
                envelope(&w, "apps/v1", "ControllerRevision", &next);
                kl_buf_reset(&raw);
                cr_assert_eq(kl_buf_append(&raw, next.buf, next.len), 0);
        }
        cr_assert_eq(kl_buf_append(&body, raw.buf, raw.len), 0);
        check_fail(body.buf, body.len, -EINVAL, "nested deeper than 64");
}

Test(protobuf, repeated_scalars_merge_and_last_wins)
{
        struct pbw w;

        pbw_init(&w);
        pb_begin(&w, 1);
        pb_str(&w, 1, "first");
        pb_str(&w, 14, "a"); /* finalizers: repeated, in pieces */
        pb_end(&w);
        pb_begin(&w, 1); /* metadata again: merged into the first */
        pb_str(&w, 1, "second");
        pb_str(&w, 3, "ns");
        pb_str(&w, 14, "b");
        pb_end(&w);
        pb_str(&w, 3, "Opaque");
        pb_str(&w, 3, "kubernetes.io/tls");
        check_decode("secret-merged", &w, "v1", "Secret",
                     "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"second\","
                     "\"namespace\":\"ns\",\"finalizers\":[\"a\",\"b\"]},"
                     "\"type\":\"kubernetes.io/tls\"}");
}
