/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The metadata the server owns (kubectl-contract §4): what create fills in,
 * what update carries over from the stored object. Pure functions over
 * jansson values; the worker threads of write.c call them.
 */
#include <string.h>
#include <sys/random.h>

#include "api/selector.h"
#include "apiserver/apiserver-internal.h"
#include "json/json.h"

static void random_bytes(void *buf, size_t n)
{
        uint8_t *p = buf;

        while (n > 0) {
                ssize_t got = getrandom(p, n, 0);

                /* getrandom() on Linux >= 3.17 only fails with EINTR before the pool is ready. */
                if (got < 0) {
                        kl_assert(errno == EINTR);
                        continue;
                }
                p += got;
                n -= (size_t)got;
        }
}

void kl_apiserver__uuid(char buf[37])
{
        uint8_t b[16];
        static const char hex[] = "0123456789abcdef";
        size_t j = 0;

        random_bytes(b, sizeof(b));
        b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
        b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
        for (size_t i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        buf[j++] = '-';
                buf[j++] = hex[b[i] >> 4];
                buf[j++] = hex[b[i] & 15];
        }
        buf[j] = '\0';
}

void kl_apiserver__random_suffix(char *buf, size_t n)
{
        /* apimachinery's utilrand alphabet: no vowels, no confusable characters. */
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        uint8_t b[64];

        kl_assert(n < sizeof(b));
        random_bytes(b, n);
        for (size_t i = 0; i < n; i++)
                buf[i] = alphabet[b[i] % (sizeof(alphabet) - 1)];
        buf[n] = '\0';
}

void kl_apiserver__object_set_rv(json_t *obj, int64_t rev)
{
        json_t *meta = json_object_get(obj, "metadata");
        char s[24];

        if (!json_is_object(meta)) {
                meta = json_object();
                (void)json_object_set_new(obj, "metadata", meta);
        }
        (void)snprintf(s, sizeof(s), "%lld", (long long)rev);
        (void)json_object_set_new(meta, "resourceVersion", json_string(s));
}

static const char *str_member(const json_t *o, const char *key)
{
        const json_t *v = json_object_get(o, key);

        return json_is_string(v) ? json_string_value(v) : NULL;
}

int kl_apiserver__object_prepare_create(const struct kl_api_resource *res, const char *ns,
                                        json_t *obj, kl_usec_t now, bool drop_status,
                                        struct kl_err **err)
{
        char api_version[128], uid[37], ts[KL_RFC3339_MAX];
        json_t *meta;
        const char *name, *gen, *obj_ns;
        int r = 0;

        if (!json_is_object(obj))
                return kl_err_set(err, -EINVAL, "the body of the request must be a JSON object");
        meta = json_object_get(obj, "metadata");
        if (!meta) {
                meta = json_object();
                (void)json_object_set_new(obj, "metadata", meta);
        }
        if (!json_is_object(meta))
                return kl_err_set_msg(err, -EINVAL,
                                      "json: cannot unmarshal %s into Go struct field "
                                      "%s.metadata of type v1.ObjectMeta",
                                      kl_json_type_name(meta), res->kind);
        r |= json_object_set_new(
                obj, "apiVersion",
                json_string(kl_api_resource_api_version(res, api_version, sizeof(api_version))));
        r |= json_object_set_new(obj, "kind", json_string(res->kind));

        obj_ns = str_member(meta, "namespace");
        if (res->namespaced) {
                if (ns && !kl_isempty(obj_ns) && !kl_streq(ns, obj_ns))
                        return kl_err_set_msg(err, -EINVAL,
                                              "the namespace of the provided object does not "
                                              "match the namespace sent on the request");
                if (ns)
                        r |= json_object_set_new(meta, "namespace", json_string(ns));
                else if (kl_isempty(obj_ns))
                        r |= json_object_set_new(meta, "namespace", json_string("default"));
        } else {
                (void)json_object_del(meta, "namespace");
        }

        name = str_member(meta, "name");
        gen = str_member(meta, "generateName");
        if (kl_isempty(name)) {
                char suffix[6];

                if (kl_isempty(gen))
                        return kl_err_set_msg(err, -KL_EINVALID,
                                              "%s \"\" is invalid: metadata.name: Required value: "
                                              "name or generateName is required",
                                              res->kind);
                kl_apiserver__random_suffix(suffix, 5);
                r |= json_object_set_new(meta, "name", json_sprintf("%s%s", gen, suffix));
        }

        kl_apiserver__uuid(uid);
        r |= json_object_set_new(meta, "uid", json_string(uid));
        kl_rfc3339_format(now, KL_RFC3339_SECONDS, ts, sizeof(ts));
        r |= json_object_set_new(meta, "creationTimestamp", json_string(ts));
        if (res->has_spec)
                r |= json_object_set_new(meta, "generation", json_integer(1));
        else
                (void)json_object_del(meta, "generation");
        (void)json_object_del(meta, "resourceVersion");
        (void)json_object_del(meta, "deletionTimestamp");
        (void)json_object_del(meta, "deletionGracePeriodSeconds");
        (void)json_object_del(meta, "selfLink");
        if (drop_status)
                (void)json_object_del(obj, "status");
        if (r != 0)
                return kl_err_set(err, -ENOMEM, "build object");
        return 0;
}

/* Copy member `key` of `from` into `to`, or delete it from `to` when `from` lacks it. */
static int carry(json_t *to, const json_t *from, const char *key)
{
        json_t *v = json_object_get(from, key);

        if (!v) {
                (void)json_object_del(to, key);
                return 0;
        }
        return json_object_set_new(to, key, json_deep_copy(v));
}

int kl_apiserver__object_prepare_update(const struct kl_api_resource *res, const json_t *old,
                                        json_t *obj, bool keep_status, struct kl_err **err)
{
        const json_t *old_meta = json_object_get(old, "metadata");
        char api_version[128];
        json_t *meta;
        int r = 0;

        if (!json_is_object(obj))
                return kl_err_set(err, -EINVAL, "the body of the request must be a JSON object");
        meta = json_object_get(obj, "metadata");
        if (!json_is_object(meta)) {
                meta = json_object();
                (void)json_object_set_new(obj, "metadata", meta);
        }
        if (!kl_streq_null(str_member(meta, "name"), str_member(old_meta, "name"))) {
                if (str_member(meta, "name"))
                        return kl_err_set_msg(err, -EINVAL,
                                              "the name of the object (%s) does not match the "
                                              "name on the URL (%s)",
                                              str_member(meta, "name"),
                                              str_member(old_meta, "name"));
                r |= carry(meta, old_meta, "name");
        }
        if (res->namespaced) {
                const char *ns = str_member(meta, "namespace");

                if (!kl_isempty(ns) && !kl_streq(ns, str_member(old_meta, "namespace")))
                        return kl_err_set_msg(err, -EINVAL,
                                              "the namespace of the provided object does not "
                                              "match the namespace sent on the request");
                r |= carry(meta, old_meta, "namespace");
        }
        r |= json_object_set_new(
                obj, "apiVersion",
                json_string(kl_api_resource_api_version(res, api_version, sizeof(api_version))));
        r |= json_object_set_new(obj, "kind", json_string(res->kind));
        r |= carry(meta, old_meta, "uid");
        r |= carry(meta, old_meta, "creationTimestamp");
        r |= carry(meta, old_meta, "deletionTimestamp");
        r |= carry(meta, old_meta, "deletionGracePeriodSeconds");
        (void)json_object_del(meta, "resourceVersion");
        (void)json_object_del(meta, "selfLink");
        if (res->has_spec) {
                json_int_t gen = json_integer_value(json_object_get(old_meta, "generation"));

                if (gen <= 0)
                        gen = 1;
                if (!json_equal(json_object_get(obj, "spec"), json_object_get(old, "spec")) &&
                    (json_object_get(obj, "spec") || json_object_get(old, "spec")))
                        gen++;
                r |= json_object_set_new(meta, "generation", json_integer(gen));
        }
        if (keep_status)
                r |= carry(obj, old, "status");
        if (r != 0)
                return kl_err_set(err, -ENOMEM, "build object");
        return 0;
}

json_t *kl_apiserver__object_decode_kv(const struct kl_store_kv *kv)
{
        json_t *v = NULL;

        if (kl_json_decode(kv->value, kv->len, KL_STORE_VALUE_MAX_LIMIT, &v, NULL) < 0)
                return NULL;
        kl_apiserver__object_set_rv(v, kv->mod_rev);
        return v;
}
