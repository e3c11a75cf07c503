/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The labels of a runtime container (one "key=value" a line, as state.json
 * holds them), read back into the agent's view of the container: whatever
 * is accepted has a name, a kind, a lowercase hex hash and an attempt that
 * print back to labels giving the same container; whatever is refused is
 * -EINVAL. Then the planner and the status builder run over it, so no label
 * value can crash them.
 */
#include <string.h>

#include "agent/pod-internal.h"
#include "base/base.h"
#include "client/client.h" /* before pod-internal.h, which names struct kl_client */
#include "testing/fuzz.h"

static void plan_and_status(const struct kl_agent__ctr *c)
{
        json_auto_t *name = json_string(c->name);
        /* A name that is not UTF-8 cannot be in a spec: plan for another one. */
        const char *spec_name = name ? c->name : "x";
        json_auto_t *pod =
                json_pack("{s:{s:s,s:s,s:s},s:{s:[{s:s,s:s,s:s}],s:[{s:s,s:s}]},s:{}}", "metadata",
                          "name", "p", "namespace", "ns", "uid", "u1", "spec", "initContainers",
                          "name", spec_name, "image", "busybox", "restartPolicy", "Always",
                          "containers", "name", spec_name, "image", "nginx", "status");
        struct kl_agent__pod_obs o = { .pod = pod, .sandbox = true, .ctrs = c, .n_ctrs = 1 };
        struct kl_agent__plan p;
        json_t *status;

        kl_assert(pod);
        kl_agent__pod_plan(&o, NULL, 1750000000 * (int64_t)KL_USEC_PER_SEC, &p);
        status = kl_agent__pod_status(&o, NULL, 1750000000 * (int64_t)KL_USEC_PER_SEC);
        kl_assert(json_is_object(status));
        json_decref(status);
        kl_agent__plan_release(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *text = NULL, *id = NULL;
        kl_autostrv char **labels = NULL, **again_labels = NULL;
        struct kl_ctr_state s = { 0 };
        struct kl_agent__ctr c = { 0 }, again = { 0 };

        if (size > 4096 || memchr(data, '\0', size))
                return 0;
        text = kl_strndup((const char *)data, size);
        labels = kl_strv_split(text, '\n');
        id = kl_strdup("fuzz");
        s.id = id;
        s.labels = labels;
        s.status = KL_CTR_STOPPED;
        if (kl_agent__ctr_from_state(&s, &c) < 0)
                return 0;
        kl_assert(c.name && *c.name && c.hash && *c.hash);
        for (const char *p = c.hash; *p; p++)
                kl_assert(strchr("0123456789abcdef", *p));
        kl_assert(c.kind == KL_AGENT__CTR_INIT || c.kind == KL_AGENT__CTR_APP);

        kl_strv_push_take(&again_labels, kl_asprintf(KL_AGENT__LABEL_POD_UID "=u"));
        kl_strv_push_take(&again_labels, kl_asprintf(KL_AGENT__LABEL_CTR_NAME "=%s", c.name));
        kl_strv_push_take(&again_labels, kl_asprintf(KL_AGENT__LABEL_ATTEMPT "=%u", c.attempt));
        kl_strv_push_take(&again_labels, kl_asprintf(KL_AGENT__LABEL_HASH "=%s", c.hash));
        kl_strv_push_take(&again_labels,
                          kl_asprintf(KL_AGENT__LABEL_KIND "=%s",
                                      c.kind == KL_AGENT__CTR_INIT ? "init" : "app"));
        s.labels = again_labels;
        kl_assert(kl_agent__ctr_from_state(&s, &again) == 0);
        kl_assert(kl_streq(again.name, c.name) && kl_streq(again.hash, c.hash) &&
                  again.attempt == c.attempt && again.kind == c.kind);
        plan_and_status(&c);
        kl_agent__ctr_release(&again);
        kl_agent__ctr_release(&c);
        return 0;
}
