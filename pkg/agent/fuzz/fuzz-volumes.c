/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's volumes from whatever a pod and its ConfigMaps and Secrets may
 * say: {"pod": Pod, "configmaps": {name: ConfigMap}, "secrets": {name:
 * Secret}}. Setup runs for real in a fresh directory (item paths, modes,
 * base64, the atomic writer) and must either succeed with every volume
 * under the pod's directory or fail with a message; a second setup changes
 * nothing; teardown always leaves nothing. hostPath volumes are dropped
 * from the input: they would touch the host.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "base/base.h"
#include "testing/fuzz.h"
#include "json/json.h"

static void drop_host_paths(json_t *pod)
{
        json_t *vols = json_object_get(json_object_get(pod, "spec"), "volumes");

        for (size_t i = json_array_size(vols); i > 0; i--)
                if (json_object_get(json_array_get(vols, i - 1), "hostPath"))
                        (void)json_array_remove(vols, i - 1);
}

/* Each volume's path and its ..data target ("" without one), one string per volume. */
static char **data_links(const struct kl_agent__volumes *v)
{
        char **out = NULL;

        for (size_t i = 0; i < v->n; i++) {
                kl_autofree char *link = kl_asprintf("%s/..data", v->v[i].path);
                char target[256];
                ssize_t n = readlink(link, target, sizeof(target) - 1);

                target[n > 0 ? n : 0] = '\0';
                kl_strv_push_take(&out, kl_asprintf("%s %s", v->v[i].path, target));
        }
        return out;
}

/* Set up; on success *ret_links (owned) gets data_links(). Returns setup's result. */
static int setup_once(const json_t *pod, const struct kl_agent__pod_refs *refs,
                      const struct kl_agent__node_facts *node, const char *pod_dir,
                      char ***ret_links)
{
        struct kl_agent__volumes v = { 0 };
        struct kl_err *err = NULL;
        int r = kl_agent__volumes_setup(pod, refs, node, pod_dir, &v, &err);

        if (r < 0) {
                kl_assert(err && *kl_err_msg(err) && -err->code == r);
                kl_assert(v.n == 0 && !v.v);
                kl_err_free(err);
                return r;
        }
        kl_assert(!err);
        kl_assert(v.n == json_array_size(json_object_get(json_object_get(pod, "spec"), "volumes")));
        for (size_t i = 0; i < v.n; i++) {
                const char *rest = kl_startswith(v.v[i].path, pod_dir);

                kl_assert(rest && rest[0] == '/');
                kl_assert(kl_agent__volumes_find(&v, v.v[i].name));
                kl_assert(access(v.v[i].path, F_OK) == 0);
        }
        *ret_links = data_links(&v);
        kl_agent__volumes_release(&v);
        return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct kl_agent__node_facts node = {
                .node_name = "n1",
                .alloc_memory = (int64_t)64 << 20,
                .alloc_cpu_milli = 1000,
                .service_account_token = "token",
        };
        json_auto_t *doc = NULL;
        struct kl_agent__pod_refs refs = { 0 };
        kl_autofree char *dir = NULL, *pod_dir = NULL;
        kl_autostrv char **first = NULL, **again = NULL;
        struct kl_err *err = NULL;
        json_t *pod;

        if (kl_json_decode((const char *)data, size, (size_t)64 << 10, &doc, NULL) < 0)
                return 0;
        pod = json_object_get(doc, "pod");
        if (!json_is_object(pod))
                return 0;
        drop_host_paths(pod);
        refs.configmaps = json_object_get(doc, "configmaps");
        refs.secrets = json_object_get(doc, "secrets");

        dir = kl_strdup("/tmp/kl-fuzz-volumes-XXXXXX");
        kl_assert(mkdtemp(dir));
        pod_dir = kl_asprintf("%s/pod", dir);
        if (setup_once(pod, &refs, &node, pod_dir, &first) >= 0) {
                /* Nothing changed in between: the same data sets, nothing rewritten. */
                kl_assert(setup_once(pod, &refs, &node, pod_dir, &again) >= 0);
                kl_assert(kl_strv_length(first) == kl_strv_length(again));
                for (size_t i = 0; first && first[i]; i++)
                        kl_assert(kl_streq(first[i], again[i]));
        }
        kl_assert(kl_agent__volumes_teardown(pod_dir, &err) == 0);
        kl_assert(access(pod_dir, F_OK) < 0);
        kl_assert(rmdir(dir) == 0);
        return 0;
}
