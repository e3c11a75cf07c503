/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lookups over the generated schema tables (layout in schema-internal.h).
 */
#include "api/schema.h"

#include <stdio.h>
#include <string.h>

#include "api/schema-internal.h"
#include "base/base.h"

static const char *message_package(const struct kl_api_message *m)
{
        return kl_api__str(kl_api__schema_packages[m->package]);
}

/* strcmp of `a` (NUL-terminated) against the `n` bytes at `b`, as if `b` ended there. */
static int cmp_n(const char *a, const char *b, size_t n)
{
        int c = strncmp(a, b, n);

        if (c != 0)
                return c;
        return a[n] == '\0' ? 0 : 1;
}

const struct kl_api_message *kl_api_schema_message(const char *name)
{
        const char *dot;
        size_t lo = 0, hi = kl_api__schema_n_messages;
        size_t plen;

        if (!name)
                return NULL;
        dot = strrchr(name, '.');
        if (!dot)
                return NULL;
        plen = (size_t)(dot - name);

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct kl_api_message *m = &kl_api__schema_messages[mid];
                /* Packages first, then short names: the generator's sort order. */
                int c = -cmp_n(message_package(m), name, plen);

                if (c == 0)
                        c = strcmp(dot + 1, kl_api__str(m->name));
                if (c == 0)
                        return m;
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return NULL;
}

/*
 * API groups served from compiled-in types, and the package label of each.
 * A table rather than "first label of the group" so that an aggregated or
 * custom group that happens to share a first label ("apps.example.com")
 * never decodes with a built-in type.
 */
static const struct {
        const char *group;
        const char *package;
} groups[] = {
        { "", "io.k8s.api.core" },
        { "admissionregistration.k8s.io", "io.k8s.api.admissionregistration" },
        { "apidiscovery.k8s.io", "io.k8s.api.apidiscovery" },
        { "apps", "io.k8s.api.apps" },
        { "authentication.k8s.io", "io.k8s.api.authentication" },
        { "authorization.k8s.io", "io.k8s.api.authorization" },
        { "autoscaling", "io.k8s.api.autoscaling" },
        { "batch", "io.k8s.api.batch" },
        { "coordination.k8s.io", "io.k8s.api.coordination" },
        { "discovery.k8s.io", "io.k8s.api.discovery" },
        { "events.k8s.io", "io.k8s.api.events" },
        { "meta.k8s.io", "io.k8s.apimachinery.pkg.apis.meta" },
        { "networking.k8s.io", "io.k8s.api.networking" },
        { "node.k8s.io", "io.k8s.api.node" },
        { "policy", "io.k8s.api.policy" },
        { "rbac.authorization.k8s.io", "io.k8s.api.rbac" },
        { "scheduling.k8s.io", "io.k8s.api.scheduling" },
        { "storage.k8s.io", "io.k8s.api.storage" },
};

const struct kl_api_message *kl_api_schema_message_for_kind(const char *api_version,
                                                            const char *kind)
{
        const struct kl_api_message *m;
        const char *slash, *version, *package = NULL;
        char name[KL_API_MESSAGE_NAME_MAX];
        size_t glen;
        int n;

        if (kl_isempty(api_version) || kl_isempty(kind))
                return NULL;
        slash = strchr(api_version, '/');
        glen = slash ? (size_t)(slash - api_version) : 0;
        version = slash ? slash + 1 : api_version;
        if (*version == '\0' || strchr(version, '/') || strchr(version, '.') || strchr(kind, '.'))
                return NULL;
        for (size_t i = 0; i < KL_ARRAY_SIZE(groups); i++)
                if (strlen(groups[i].group) == glen &&
                    strncmp(groups[i].group, api_version, glen) == 0)
                        package = groups[i].package;
        if (!package)
                return NULL;

        n = snprintf(name, sizeof(name), "%s.%s.%s", package, version, kind);
        if (n < 0 || (size_t)n >= sizeof(name))
                return NULL;
        /* Only types that embed TypeMeta are kinds (not DeploymentSpec, not PodTemplateSpec). */
        m = kl_api_schema_message(name);
        if (m)
                return (m->flags & KL_API_MESSAGE_TYPEMETA) ? m : NULL;

        /*
         * Every group serves the meta kinds (DeleteOptions, Status, ...):
         * kubectl's typed clients send DeleteOptions as "v1" or as the
         * resource's own group version.
         */
        n = snprintf(name, sizeof(name), "io.k8s.apimachinery.pkg.apis.meta.%s.%s", version, kind);
        if (n < 0 || (size_t)n >= sizeof(name))
                return NULL;
        m = kl_api_schema_message(name);
        if (m && (m->flags & KL_API_MESSAGE_TYPEMETA))
                return m;
        return NULL;
}

size_t kl_api_schema_n_messages(void)
{
        return kl_api__schema_n_messages;
}

const struct kl_api_message *kl_api_schema_message_at(size_t i)
{
        return i < kl_api__schema_n_messages ? &kl_api__schema_messages[i] : NULL;
}

const char *kl_api_message_short_name(const struct kl_api_message *m)
{
        return kl_api__str(m->name);
}

const char *kl_api_message_package(const struct kl_api_message *m)
{
        return message_package(m);
}

char *kl_api_message_name(const struct kl_api_message *m, char *buf, size_t size)
{
        (void)snprintf(buf, size, "%s.%s", message_package(m), kl_api__str(m->name));
        return buf;
}

char *kl_api_message_go_name(const struct kl_api_message *m, char *buf, size_t size)
{
        const char *pkg = message_package(m);
        const char *last = strrchr(pkg, '.');

        (void)snprintf(buf, size, "%s.%s", last ? last + 1 : pkg, kl_api__str(m->name));
        return buf;
}

enum kl_api_special kl_api_message_special(const struct kl_api_message *m)
{
        return (enum kl_api_special)m->special;
}

unsigned kl_api_message_flags(const struct kl_api_message *m)
{
        return m->flags;
}

enum kl_api_map_type kl_api_message_map_type(const struct kl_api_message *m)
{
        if (m->flags & KL_API_MESSAGE_STRUCT_ATOMIC)
                return KL_API_MAP_ATOMIC;
        if (m->flags & KL_API_MESSAGE_STRUCT_GRANULAR)
                return KL_API_MAP_GRANULAR;
        return KL_API_MAP_NONE;
}

size_t kl_api_message_n_fields(const struct kl_api_message *m)
{
        return m->n_fields;
}

const struct kl_api_field *kl_api_message_field_at(const struct kl_api_message *m, size_t i)
{
        return i < m->n_fields ? &kl_api__schema_fields[m->first + i] : NULL;
}

static const struct kl_api_field *field_by_name(const struct kl_api_message *m, const char *name,
                                                unsigned depth)
{
        const struct kl_api_field *fields = &kl_api__schema_fields[m->first];
        size_t lo = 0, hi = m->n_fields;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(name, kl_api__str(fields[mid].name));

                if (c == 0) {
                        /* An inline field's own name is not a JSON key. */
                        if (fields[mid].flags & KL_API_FIELD_INLINE)
                                break;
                        return &fields[mid];
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }

        /* Embedding nests at most twice (RuleWithOperations in NamedRule...); 8 is generous. */
        if (!(m->flags & KL_API_MESSAGE_HAS_INLINE) || depth >= 8)
                return NULL;
        for (size_t i = 0; i < m->n_fields; i++) {
                const struct kl_api_field *f;

                if (!(fields[i].flags & KL_API_FIELD_INLINE))
                        continue;
                f = field_by_name(kl_api__field_ref(&fields[i]), name, depth + 1);
                if (f)
                        return f;
        }
        return NULL;
}

const struct kl_api_field *kl_api_message_field(const struct kl_api_message *m, const char *name)
{
        if (!m || !name)
                return NULL;
        return field_by_name(m, name, 0);
}

const struct kl_api_field *kl_api_message_field_by_number(const struct kl_api_message *m,
                                                          unsigned number)
{
        uint8_t pos;

        if (!m || number > m->max_number)
                return NULL;
        pos = kl_api__schema_by_number[m->by_number + number];
        if (pos == KL_API__NO_FIELD)
                return NULL;
        return &kl_api__schema_fields[m->first + pos];
}

const char *kl_api_field_name(const struct kl_api_field *f)
{
        return kl_api__str(f->name);
}

unsigned kl_api_field_number(const struct kl_api_field *f)
{
        return f->number;
}

enum kl_api_type kl_api_field_type(const struct kl_api_field *f)
{
        return (enum kl_api_type)f->type;
}

unsigned kl_api_field_flags(const struct kl_api_field *f)
{
        return f->flags;
}

const struct kl_api_message *kl_api_field_message(const struct kl_api_field *f)
{
        return kl_api__field_ref(f);
}

unsigned kl_api_field_patch_strategy(const struct kl_api_field *f)
{
        return kl_api__schema_field_meta[f->meta].patch_strategy;
}

const char *kl_api_field_merge_key(const struct kl_api_field *f)
{
        uint16_t off = kl_api__schema_field_meta[f->meta].merge_key;

        return off ? kl_api__str(off) : NULL;
}

enum kl_api_list_type kl_api_field_list_type(const struct kl_api_field *f)
{
        return (enum kl_api_list_type)kl_api__schema_field_meta[f->meta].list_type;
}

const char *kl_api_field_list_map_key(const struct kl_api_field *f, size_t i)
{
        uint16_t start = kl_api__schema_field_meta[f->meta].list_map_keys;

        if (start == 0)
                return NULL;
        for (size_t k = 0; k <= i; k++)
                if (kl_api__schema_list_map_keys[start + k] == 0)
                        return NULL;
        return kl_api__str(kl_api__schema_list_map_keys[start + i]);
}

enum kl_api_map_type kl_api_field_map_type(const struct kl_api_field *f)
{
        return (enum kl_api_map_type)kl_api__schema_field_meta[f->meta].map_type;
}

const struct kl_api_message *kl_api__field_owner(const struct kl_api_field *f)
{
        size_t idx = (size_t)(f - kl_api__schema_fields);
        size_t lo = 0, hi = kl_api__schema_n_messages;

        /* Fields are laid out message after message, so `first` increases with the index. */
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct kl_api_message *m = &kl_api__schema_messages[mid];

                if (idx < m->first)
                        hi = mid;
                else if (idx >= (size_t)m->first + m->n_fields)
                        lo = mid + 1;
                else
                        return m;
        }
        kl_bug("field outside the schema tables");
}
