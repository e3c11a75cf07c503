/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image manifests, indexes and Docker manifest lists, decoded into
 * descriptors, and platform selection from an index.
 */
#include "runtime/rt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/base.h"
#include "json/json.h"

static void descriptor_release(struct kl_rt_descriptor *d)
{
        free(d->media_type);
        free(d->digest);
        free(d->os);
        free(d->arch);
        free(d->variant);
        *d = (struct kl_rt_descriptor){ 0 };
}

void kl_rt_manifest_release(struct kl_rt_manifest *m)
{
        free(m->media_type);
        descriptor_release(&m->config);
        for (size_t i = 0; i < m->n_entries; i++)
                descriptor_release(&m->entries[i]);
        free(m->entries);
        *m = (struct kl_rt_manifest){ 0 };
}

static char *opt_str(const json_t *o, const char *path)
{
        const char *s;

        return kl_json_get_str(o, path, &s, NULL) == 0 ? kl_strdup(s) : NULL;
}

static int descriptor_parse(const json_t *o, const char *what, size_t i,
                            struct kl_rt_descriptor *ret, struct kl_err **err)
{
        struct kl_rt_descriptor d = { 0 };
        const char *digest;
        int64_t size;
        int r;

        r = kl_json_get_str(o, "digest", &digest, err);
        if (r < 0)
                return kl_err_wrap(err, r, "%s[%zu]", what, i);
        if (!kl_rt_digest_is_valid(digest))
                return kl_err_set(err, -EINVAL, "%s[%zu]: unsupported digest '%s'", what, i,
                                  digest);
        r = kl_json_get_int64(o, "size", &size, err);
        if (r < 0)
                return kl_err_wrap(err, r, "%s[%zu]", what, i);
        if (size < 0)
                return kl_err_set(err, -EINVAL, "%s[%zu]: negative size", what, i);
        d.digest = kl_strdup(digest);
        d.size = size;
        d.media_type = opt_str(o, "mediaType");
        d.os = opt_str(o, "platform.os");
        d.arch = opt_str(o, "platform.architecture");
        d.variant = opt_str(o, "platform.variant");
        *ret = d;
        return 0;
}

int kl_rt_manifest_parse(const char *data, size_t len, const char *media_type,
                         struct kl_rt_manifest *ret, struct kl_err **err)
{
        kl_cleanup(kl_rt_manifest_release) struct kl_rt_manifest m = { 0 };
        json_auto_t *doc = NULL;
        json_t *list = NULL, *item;
        const char *field_mt = NULL;
        int64_t schema;
        size_t i;
        int r;

        r = kl_json_decode(data, len, KL_RT_MANIFEST_MAX, &doc, err);
        if (r < 0)
                return kl_err_wrap(err, r, "manifest");
        if (!json_is_object(doc))
                return kl_err_set(err, -EINVAL, "manifest: not a JSON object");
        r = kl_json_get_int64(doc, "schemaVersion", &schema, err);
        if (r < 0)
                return kl_err_wrap(err, r, "manifest");
        if (schema != 2)
                return kl_err_set(err, -EINVAL, "manifest: unsupported schemaVersion %lld",
                                  (long long)schema);
        (void)kl_json_get_str(doc, "mediaType", &field_mt, NULL);
        /*
         * Content-Type parameters ("; charset=utf-8") are not part of the type.
         * An empty or generic type defers to the document.
         */
        kl_autofree char *ct =
                media_type ? kl_strndup(media_type, strcspn(media_type, "; ")) : NULL;
        if (kl_isempty(ct) || kl_streq(ct, "application/json") ||
            kl_streq(ct, "application/octet-stream")) {
                free(ct);
                ct = field_mt ? kl_strdup(field_mt) : NULL;
        }
        if (!ct)
                ct = kl_strdup(json_object_get(doc, "manifests") ? KL_RT_MT_OCI_INDEX
                                                                 : KL_RT_MT_OCI_MANIFEST);
        if (kl_streq(ct, KL_RT_MT_OCI_INDEX) || kl_streq(ct, KL_RT_MT_DOCKER_LIST))
                m.is_index = true;
        else if (!kl_streq(ct, KL_RT_MT_OCI_MANIFEST) && !kl_streq(ct, KL_RT_MT_DOCKER_MANIFEST))
                return kl_err_set(err, -KL_EUNSUPPORTED_MEDIA, "manifest: unsupported type '%s'",
                                  ct);
        m.media_type = KL_TAKE_PTR(ct);

        if (m.is_index) {
                r = kl_json_get_array(doc, "manifests", &list, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "index");
        } else {
                json_t *cfg;
                r = kl_json_get_object(doc, "config", &cfg, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "manifest");
                r = descriptor_parse(cfg, "config", 0, &m.config, err);
                if (r < 0)
                        return r;
                r = kl_json_get_array(doc, "layers", &list, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "manifest");
                if (json_array_size(list) > KL_RT_LAYERS_MAX)
                        return kl_err_set(err, -E2BIG, "manifest: %zu layers, at most %d",
                                          json_array_size(list), KL_RT_LAYERS_MAX);
        }
        m.entries = kl_calloc(json_array_size(list) + 1, sizeof(*m.entries));
        json_array_foreach(list, i, item) {
                if (!json_is_object(item))
                        return kl_err_set(err, -EINVAL, "manifest: entry %zu is not an object", i);
                r = descriptor_parse(item, m.is_index ? "manifests" : "layers", i, &m.entries[i],
                                     err);
                if (r < 0)
                        return r;
                m.n_entries++;
        }
        *ret = m;
        memset(&m, 0, sizeof(m)); /* moved to *ret: the cleanup must not free it */
        return 0;
}

int kl_rt_manifest_select(const struct kl_rt_manifest *m, const char *arch, const char *variant)
{
        int fallback = -ENOENT;

        if (!m->is_index)
                return -ENOENT;
        for (size_t i = 0; i < m->n_entries; i++) {
                const struct kl_rt_descriptor *d = &m->entries[i];
                if (!kl_streq_null(d->os, "linux") || !kl_streq_null(d->arch, arch))
                        continue;
                if (!variant || kl_streq_null(d->variant, variant))
                        return (int)i;
                /* containerd's platform matcher: arm64 "v8" is also the entry without variant. */
                if (kl_streq(arch, "arm64") && kl_streq(variant, "v8") && !d->variant &&
                    fallback < 0)
                        fallback = (int)i;
        }
        return fallback;
}

void kl_rt_platform_host(const char **ret_arch, const char **ret_variant)
{
        struct utsname u;
        const char *arch = "amd64", *variant = NULL;

        if (uname(&u) == 0) {
                if (kl_streq(u.machine, "aarch64")) {
                        arch = "arm64";
                        variant = "v8";
                } else if (kl_startswith(u.machine, "armv7")) {
                        arch = "arm";
                        variant = "v7";
                } else if (kl_startswith(u.machine, "armv6")) {
                        arch = "arm";
                        variant = "v6";
                } else if (kl_streq(u.machine, "i686") || kl_streq(u.machine, "i386")) {
                        arch = "386";
                } else if (kl_streq(u.machine, "ppc64le") || kl_streq(u.machine, "s390x") ||
                           kl_streq(u.machine, "riscv64")) {
                        arch = kl_streq(u.machine, "ppc64le") ? "ppc64le"
                               : kl_streq(u.machine, "s390x") ? "s390x"
                                                              : "riscv64";
                }
        }
        *ret_arch = arch;
        *ret_variant = variant;
}
