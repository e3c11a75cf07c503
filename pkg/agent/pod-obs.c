/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the pod workers observe of a pod's containers: the agent's view of a
 * runtime container (from the labels it put on it), the spec hash that tells
 * a changed container, the per-container restart back-off (upstream's
 * flowcontrol.Backoff) and the look-ups the planner and the status builder
 * share. Pure: no I/O, no clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/pod-internal.h"
#include "base/parse.h"
#include "client/client.h" /* before pod-internal.h, which names struct kl_client */

#define BACKOFF_BASE (10 * KL_USEC_PER_SEC)
#define BACKOFF_MAX  (300 * KL_USEC_PER_SEC)

void kl_agent__ctr_release(struct kl_agent__ctr *c)
{
        if (!c)
                return;
        free(c->id);
        free(c->name);
        free(c->hash);
        free(c->image);
        free(c->image_ref);
        free(c->error);
        free(c->message);
        memset(c, 0, sizeof(*c));
}

void kl_agent__ctr_info_release(struct kl_agent__ctr_info *i)
{
        if (!i)
                return;
        free(i->name);
        free(i->probe_message);
        free(i->waiting_reason);
        free(i->waiting_message);
        memset(i, 0, sizeof(*i));
}

const char *kl_agent__label(char *const *labels, const char *key)
{
        for (size_t i = 0; labels && labels[i]; i++) {
                const char *v = kl_startswith(labels[i], key);

                if (v && *v == '=')
                        return v + 1;
        }
        return NULL;
}

static bool is_hex(const char *s)
{
        if (kl_isempty(s))
                return false;
        for (; *s; s++)
                if (!strchr("0123456789abcdef", *s))
                        return false;
        return true;
}

int kl_agent__ctr_from_state(const struct kl_ctr_state *s, struct kl_agent__ctr *ret)
{
        const char *uid, *name, *attempt, *hash, *kind, *ref;
        enum kl_agent__ctr_kind k;
        unsigned a = 0;

        if (!s || kl_isempty(s->id))
                return -EINVAL;
        uid = kl_agent__label(s->labels, KL_AGENT__LABEL_POD_UID);
        name = kl_agent__label(s->labels, KL_AGENT__LABEL_CTR_NAME);
        attempt = kl_agent__label(s->labels, KL_AGENT__LABEL_ATTEMPT);
        hash = kl_agent__label(s->labels, KL_AGENT__LABEL_HASH);
        kind = kl_agent__label(s->labels, KL_AGENT__LABEL_KIND);
        ref = kl_agent__label(s->labels, KL_AGENT__LABEL_IMAGE_REF);
        if (kl_isempty(uid) || kl_isempty(name) || !attempt || !is_hex(hash) || !kind)
                return -EINVAL;
        if (kl_streq(kind, "init"))
                k = KL_AGENT__CTR_INIT;
        else if (kl_streq(kind, "app"))
                k = KL_AGENT__CTR_APP;
        else
                return -EINVAL;
        /* The API's restartCount is an int32. */
        if (kl_parse_uint(attempt, &a) < 0 || a > INT32_MAX)
                return -EINVAL;

        *ret = (struct kl_agent__ctr){
                .id = kl_strdup(s->id),
                .name = kl_strdup(name),
                .kind = k,
                .attempt = a,
                .hash = kl_strdup(hash),
                .image = s->image ? kl_strdup(s->image) : NULL,
                .image_ref = kl_isempty(ref) ? NULL : kl_strdup(ref),
                .status = s->status,
                .created_usec = s->created_usec,
                .started_usec = s->started_usec,
                .finished_usec = s->finished_usec,
                .exit_code = s->exit_code,
                .signal = s->signal,
                .oom_killed = s->oom_killed,
                .error = s->error ? kl_strdup(s->error) : NULL,
        };
        return 0;
}

/*
 * Upstream (v1.31 and later) hashes only the fields of a container that may
 * change in a running pod, name and image: the FNV-1a 32-bit hash of their
 * JSON, {"image":...,"name":...}, written in hex. Hashing only these keeps a
 * container running when the API server adds a defaulted field after an
 * upgrade.
 */
char *kl_agent__ctr_hash(const json_t *container)
{
        json_auto_t *picked = json_object();
        kl_autofree char *text = NULL;
        uint32_t h = 2166136261u;
        json_t *name = json_object_get(container, "name");
        json_t *image = json_object_get(container, "image");

        (void)json_object_set_new(
                picked, "image",
                json_string(json_is_string(image) ? json_string_value(image) : ""));
        (void)json_object_set_new(picked, "name",
                                  json_string(json_is_string(name) ? json_string_value(name) : ""));
        text = json_dumps(picked, JSON_COMPACT | JSON_SORT_KEYS);
        kl_assert(text);
        for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
                h ^= *p;
                h *= 16777619u;
        }
        return kl_asprintf("%x", (unsigned)h);
}

void kl_agent__backoff_next(struct kl_agent__ctr_info *info, const struct kl_agent__backoff_opts *o,
                            int64_t now_usec)
{
        kl_usec_t base = o && o->base ? o->base : BACKOFF_BASE;
        kl_usec_t max = o && o->max ? o->max : BACKOFF_MAX;

        /* Upstream's GC: a delay not raised for twice the maximum starts over. */
        if (info->backoff == 0 || now_usec - info->backoff_updated_usec > (int64_t)(2 * max))
                info->backoff = KL_MIN(base, max);
        else
                info->backoff = KL_MIN(info->backoff * 2, max);
        info->backoff_updated_usec = now_usec;
}

const struct kl_agent__ctr *kl_agent__obs_latest(const struct kl_agent__pod_obs *o,
                                                 enum kl_agent__ctr_kind kind, const char *name)
{
        const struct kl_agent__ctr *best = NULL;

        for (size_t i = 0; i < o->n_ctrs; i++) {
                const struct kl_agent__ctr *c = &o->ctrs[i];

                if (c->kind != kind || !kl_streq_null(c->name, name))
                        continue;
                if (!best || c->attempt > best->attempt ||
                    (c->attempt == best->attempt && c->created_usec > best->created_usec))
                        best = c;
        }
        return best;
}

const struct kl_agent__ctr_info *kl_agent__obs_info(const struct kl_agent__pod_obs *o,
                                                    enum kl_agent__ctr_kind kind, const char *name)
{
        for (size_t i = 0; i < o->n_info; i++)
                if (o->info[i].kind == kind && kl_streq_null(o->info[i].name, name))
                        return &o->info[i];
        return NULL;
}
