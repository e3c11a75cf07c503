/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pod-env.c on what a user controls: $(VAR) expansion and fieldRef paths
 * on arbitrary strings, and a pod (with the ConfigMaps, Secrets and
 * Services it would see, under "refs") through the names it refers to, the
 * environment of each of its containers and the pull keyring. Whatever
 * succeeds is well formed ("K=V" entries, unique names); whatever fails
 * comes with a message.
 *
 * Input: either a JSON object, a pod with an optional "refs" member
 * {"configmaps": {...}, "secrets": {...}, "services": [...]}, or any other
 * text, used as an expansion input and a fieldRef path.
 */
#include <string.h>

#include "agent/pod-internal.h"
#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

#define INPUT_MAX ((size_t)64 << 10)

static const struct kl_agent__node_facts node = {
        .node_name = "node-1",
        .host_ip = "10.0.0.1",
        .pod_ips = (const char *const[]){ "10.42.0.5", "fd00::5", NULL },
        .alloc_cpu_milli = 2000,
        .alloc_memory = (int64_t)1 << 30,
        .alloc_ephemeral = (int64_t)10 << 30,
};

static void check_string(const char *s)
{
        char *env[] = { (char *)"A=1", (char *)"B=$(A)", (char *)"A=2", NULL };
        kl_autofree char *x = kl_agent__expand(s, env), *y = NULL, *v = NULL;
        json_auto_t *pod =
                json_pack("{s:{s:s, s:s, s:{s:s}}, s:{s:s}}", "metadata", "name", "p", "namespace",
                          "ns", "labels", "app", "web", "spec", "nodeName", "node-1");
        struct kl_err *err = NULL;
        int r;

        kl_assert(x);
        /* Without '$' nothing changes. */
        if (!strchr(s, '$'))
                kl_assert(kl_streq(x, s));
        y = kl_agent__expand(s, NULL);
        kl_assert(y);
        r = kl_agent__field_ref(pod, &node, s, &v, &err);
        if (r < 0) {
                kl_assert(err && *kl_err_msg(err));
                kl_err_free(err);
        } else {
                kl_assert(v);
        }
}

static void check_env(char **env)
{
        json_auto_t *names = json_object();

        for (size_t i = 0; env[i]; i++) {
                const char *eq = strchr(env[i], '=');

                kl_assert(eq && eq != env[i]);
                kl_assert(!json_object_getn(names, env[i], (size_t)(eq - env[i])));
                (void)json_object_setn_new(names, env[i], (size_t)(eq - env[i]), json_true());
        }
}

static void check_containers(const json_t *pod, const json_t *list,
                             const struct kl_agent__pod_refs *refs)
{
        const json_t *c;
        size_t i;

        json_array_foreach(list, i, c) {
                char **env = NULL;
                struct kl_err *err = NULL;
                const char *image = json_string_value(json_object_get(c, "image"));
                char *user = NULL, *password = NULL;
                int r = kl_agent__container_env(pod, c, refs, &node, &env, &err);

                if (r < 0) {
                        kl_assert(err && *kl_err_msg(err) && !env);
                        kl_err_free(err);
                } else {
                        check_env(env);
                        kl_strv_free(env);
                }
                if (image && kl_agent__pull_auth(pod, refs, image, &user, &password) == 1)
                        kl_assert(user && password);
                free(user);
                free(password);
        }
}

static void check_pod(const json_t *pod)
{
        const json_t *refs_json = json_object_get(pod, "refs");
        const json_t *spec = json_object_get(pod, "spec");
        struct kl_agent__pod_refs refs = {
                .configmaps = json_incref(json_object_get(refs_json, "configmaps")),
                .secrets = json_incref(json_object_get(refs_json, "secrets")),
                .services = json_incref(json_object_get(refs_json, "services")),
        };
        char **cms = NULL, **secrets = NULL;

        kl_agent__pod_ref_names(pod, &cms, &secrets);
        for (size_t i = 0; cms && cms[i]; i++)
                kl_assert(*cms[i] && (!cms[i + 1] || strcmp(cms[i], cms[i + 1]) < 0));
        for (size_t i = 0; secrets && secrets[i]; i++)
                kl_assert(*secrets[i] &&
                          (!secrets[i + 1] || strcmp(secrets[i], secrets[i + 1]) < 0));
        kl_strv_free(cms);
        kl_strv_free(secrets);
        check_containers(pod, json_object_get(spec, "initContainers"), &refs);
        check_containers(pod, json_object_get(spec, "containers"), &refs);
        kl_agent__pod_refs_release(&refs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kl_autofree char *s = NULL;
        json_auto_t *doc = NULL;

        if (size > INPUT_MAX || memchr(data, '\0', size))
                return 0;
        s = kl_strndup((const char *)data, size);
        check_string(s);
        if (kl_json_decode(s, size, INPUT_MAX, &doc, NULL) == 0 && json_is_object(doc))
                check_pod(doc);
        return 0;
}
