/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a container needs to know about its image: the process defaults of
 * the image config (Entrypoint, Cmd, Env, WorkingDir, User, StopSignal) and
 * the unpacked layers, top first, as overlayfs wants its lowerdir.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "runtime/rt-internal.h"
#include "json/json.h"

void kl_rt_image_config_release(struct kl_rt_image_config *c)
{
        kl_strv_free(c->entrypoint);
        kl_strv_free(c->cmd);
        kl_strv_free(c->env);
        free(c->working_dir);
        free(c->user);
        free(c->stop_signal);
        kl_strv_free(c->layers);
        *c = (struct kl_rt_image_config){ 0 };
}

/* A string array of the config, or NULL when absent or null (as Docker writes "Cmd": null). */
static int strv_of(const json_t *cfg, const char *path, char ***ret, struct kl_err **err)
{
        json_t *a = NULL, *v;
        size_t i;
        int r = kl_json_get_array(cfg, path, &a, NULL);

        *ret = NULL;
        if (r == -ENOENT)
                return 0;
        if (r < 0 || !json_is_array(a))
                return kl_err_set(err, -EINVAL, "image config: '%s': expected an array", path);
        *ret = kl_new0(char *);
        json_array_foreach(a, i, v) {
                if (!json_is_string(v))
                        return kl_err_set(err, -EINVAL, "image config: '%s[%zu]': expected string",
                                          path, i);
                kl_strv_push(ret, json_string_value(v));
        }
        return 0;
}

static char *str_of(const json_t *cfg, const char *path)
{
        const char *s = NULL;

        return kl_json_get_str(cfg, path, &s, NULL) == 0 && *s ? kl_strdup(s) : NULL;
}

int kl_rt_image_config_get(struct kl_rt_store *s, const char *name, struct kl_rt_image_config *ret,
                           struct kl_err **err)
{
        struct kl_rt_image img = { 0 };
        struct kl_rt_manifest m = { 0 };
        struct kl_rt_image_config c = { 0 };
        kl_autofree char *text = NULL;
        json_auto_t *cfg = NULL;
        kl_autostrv char **ids = NULL;
        size_t len = 0, n;
        int r;

        r = kl_rt_store_image_get(s, name, &img, err);
        if (r < 0)
                return r;
        r = kl_rt_store_read_blob(s, img.manifest, KL_RT_MANIFEST_MAX, &text, &len, err);
        if (r >= 0)
                r = kl_rt_manifest_parse(text, len, NULL, &m, err);
        if (r >= 0 && m.is_index)
                r = kl_err_set(err, -EINVAL, "image '%s': its manifest is an index", name);
        free(KL_TAKE_PTR(text));
        if (r >= 0)
                r = kl_rt_store_read_blob(s, m.config.digest, KL_RT_CONFIG_MAX, &text, &len, err);
        if (r >= 0)
                r = kl_json_decode(text, len, KL_RT_CONFIG_MAX, &cfg, err);
        if (r >= 0)
                r = strv_of(cfg, "config.Entrypoint", &c.entrypoint, err);
        if (r >= 0)
                r = strv_of(cfg, "config.Cmd", &c.cmd, err);
        if (r >= 0)
                r = strv_of(cfg, "config.Env", &c.env, err);
        if (r >= 0) {
                c.working_dir = str_of(cfg, "config.WorkingDir");
                c.user = str_of(cfg, "config.User");
                c.stop_signal = str_of(cfg, "config.StopSignal");
                r = kl_runtime__config_diff_ids(s, m.config.digest, &ids, err);
        }
        if (r >= 0) {
                /* overlayfs lists the top layer first; the config lists the base first. */
                n = kl_strv_length(ids);
                c.layers = kl_new0(char *);
                for (size_t i = n; i-- > 0;) {
                        char *path = kl_rt_snapshot_path(s, ids[i]);
                        struct stat st;

                        if (stat(path, &st) < 0) {
                                r = kl_err_set(err, -ENOENT, "image '%s': layer %s is not unpacked",
                                               name, ids[i]);
                                free(path);
                                break;
                        }
                        kl_strv_push_take(&c.layers, path);
                }
        }
        kl_rt_manifest_release(&m);
        kl_rt_image_release(&img);
        if (r < 0) {
                kl_rt_image_config_release(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int kl_rt_image_describe(struct kl_rt_store *s, const struct kl_rt_image *img, char **ret_config,
                         int64_t *ret_size, struct kl_err **err)
{
        kl_cleanup(kl_rt_manifest_release) struct kl_rt_manifest m = { 0 };
        kl_autofree char *text = NULL;
        size_t len = 0;
        int64_t size;
        int r;

        r = kl_rt_store_read_blob(s, img->manifest, KL_RT_MANIFEST_MAX, &text, &len, err);
        if (r < 0)
                return kl_err_wrap(err, r, "image '%s': manifest", img->name);
        r = kl_rt_manifest_parse(text, len, NULL, &m, err);
        if (r < 0)
                return kl_err_wrap(err, r, "image '%s': manifest", img->name);
        if (m.is_index)
                return kl_err_set(err, -EINVAL, "image '%s': manifest '%s' is an index", img->name,
                                  img->manifest);
        /* Each size is >= 0 and at most KL_RT_LAYERS_MAX of them: the sum cannot overflow
         * unless a declared size is absurd, which is then reported rather than wrapped. */
        size = m.config.size;
        for (size_t i = 0; i < m.n_entries; i++) {
                if (m.entries[i].size > INT64_MAX - size)
                        return kl_err_set(err, -EINVAL, "image '%s': layer sizes overflow",
                                          img->name);
                size += m.entries[i].size;
        }
        if (ret_config)
                *ret_config = kl_strdup(m.config.digest);
        *ret_size = size;
        return 0;
}
