/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.json: written by the shim at each transition (created, running,
 * stopped), read by everyone else. Times are realtime microseconds; the
 * cgroup directories are recorded so that whoever deletes or measures the
 * container finds its cgroup without knowing the shim's own cgroup.
 */
#include <errno.h>
#include <string.h>

#include "base/base.h"
#include "container/ctr-internal.h"
#include "json/json.h"

#define STATE_MAX  ((size_t)1 << 20)
#define DIRS_MAX   64
#define LABELS_MAX 4096

static const char *const status_names[] = {
        [KL_CTR_CREATED] = "created",
        [KL_CTR_RUNNING] = "running",
        [KL_CTR_STOPPED] = "stopped",
        [KL_CTR_UNKNOWN] = "unknown",
};

const char *kl_ctr_status_name(enum kl_ctr_status s)
{
        return s >= 0 && s < (int)KL_ARRAY_SIZE(status_names) ? status_names[s] : "unknown";
}

void kl_ctr_state_release(struct kl_ctr_state *s)
{
        free(s->id);
        free(s->image);
        kl_strv_free(s->labels);
        free(s->error);
        free(s->log_path);
        *s = (struct kl_ctr_state){ 0 };
}

void kl_ctr_states_free(struct kl_ctr_state *s, size_t n)
{
        for (size_t i = 0; s && i < n; i++)
                kl_ctr_state_release(&s[i]);
        free(s);
}

static json_t *strv_json(char *const *v)
{
        json_t *a = json_array();

        for (size_t i = 0; v && v[i]; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

char *kl_container__state_to_json(const struct kl_ctr_state *s, char *const *cgroup_dirs)
{
        json_auto_t *o = json_object();
        struct kl_buf out = KL_BUF_INIT;

        json_object_set_new(o, "id", json_string(s->id ? s->id : ""));
        if (s->image)
                json_object_set_new(o, "image", json_string(s->image));
        json_object_set_new(o, "labels", strv_json(s->labels));
        json_object_set_new(o, "status", json_string(kl_ctr_status_name(s->status)));
        json_object_set_new(o, "pid", json_integer(s->pid));
        json_object_set_new(o, "shim_pid", json_integer(s->shim_pid));
        json_object_set_new(o, "created", json_integer(s->created_usec));
        json_object_set_new(o, "started", json_integer(s->started_usec));
        json_object_set_new(o, "finished", json_integer(s->finished_usec));
        json_object_set_new(o, "exit_code", json_integer(s->exit_code));
        json_object_set_new(o, "signal", json_integer(s->signal));
        json_object_set_new(o, "oom_killed", json_boolean(s->oom_killed));
        if (s->error)
                json_object_set_new(o, "error", json_string(s->error));
        if (s->log_path)
                json_object_set_new(o, "log_path", json_string(s->log_path));
        if (cgroup_dirs)
                json_object_set_new(o, "cgroup_dirs", strv_json(cgroup_dirs));
        kl_assert(kl_json_encode(o, KL_JSON_ENCODE_PRETTY, &out, NULL) == 0);
        kl_assert(kl_buf_putc(&out, '\n') == 0);
        return kl_buf_detach(&out, NULL);
}

char *kl_ctr_state_format(const struct kl_ctr_state *s)
{
        return kl_container__state_to_json(s, NULL);
}

static int strv_from(const json_t *o, const char *key, size_t max, char ***ret, struct kl_err **err)
{
        json_t *a = NULL, *v;
        size_t i;

        *ret = kl_new0(char *);
        if (kl_json_get_array(o, key, &a, NULL) < 0)
                return 0;
        if (!json_is_array(a) || json_array_size(a) > max)
                return kl_err_set(err, -EINVAL, "state: '%s': expected at most %zu strings", key,
                                  max);
        json_array_foreach(a, i, v) {
                if (!json_is_string(v))
                        return kl_err_set(err, -EINVAL, "state: '%s[%zu]': expected string", key,
                                          i);
                kl_strv_push(ret, json_string_value(v));
        }
        return 0;
}

static int64_t int_or_zero(const json_t *o, const char *key)
{
        int64_t v = 0;

        return kl_json_get_int64(o, key, &v, NULL) == 0 ? v : 0;
}

static char *str_or_null(const json_t *o, const char *key)
{
        const char *v = NULL;

        return kl_json_get_str(o, key, &v, NULL) == 0 ? kl_strdup(v) : NULL;
}

int kl_container__state_from_json(const char *json, size_t len, struct kl_ctr_state *ret,
                                  char ***ret_cgroup_dirs, struct kl_err **err)
{
        json_auto_t *o = NULL;
        struct kl_ctr_state s = { 0 };
        kl_autostrv char **dirs = NULL;
        const char *status = NULL;
        bool oom = false;
        int r;

        r = kl_json_decode(json, len, STATE_MAX, &o, err);
        if (r < 0)
                return r;
        if (kl_json_get_str(o, "status", &status, NULL) < 0)
                return kl_err_set(err, -EINVAL, "state: no status");
        s.status = KL_CTR_UNKNOWN;
        for (size_t i = 0; i < KL_ARRAY_SIZE(status_names); i++)
                if (kl_streq(status, status_names[i]))
                        s.status = (enum kl_ctr_status)i;
        s.id = str_or_null(o, "id");
        s.image = str_or_null(o, "image");
        s.error = str_or_null(o, "error");
        s.log_path = str_or_null(o, "log_path");
        s.pid = (pid_t)int_or_zero(o, "pid");
        s.shim_pid = (pid_t)int_or_zero(o, "shim_pid");
        s.created_usec = int_or_zero(o, "created");
        s.started_usec = int_or_zero(o, "started");
        s.finished_usec = int_or_zero(o, "finished");
        s.exit_code = (int)int_or_zero(o, "exit_code");
        s.signal = (int)int_or_zero(o, "signal");
        (void)kl_json_get_bool(o, "oom_killed", &oom, NULL);
        s.oom_killed = oom;
        r = strv_from(o, "labels", LABELS_MAX, &s.labels, err);
        if (r >= 0)
                r = strv_from(o, "cgroup_dirs", DIRS_MAX, &dirs, err);
        if (r < 0 || !kl_ctr_id_is_valid(s.id)) {
                if (r >= 0)
                        r = kl_err_set(err, -EINVAL, "state: invalid id");
                kl_ctr_state_release(&s);
                return r;
        }
        *ret = s;
        if (ret_cgroup_dirs) {
                *ret_cgroup_dirs = dirs;
                dirs = NULL;
        }
        return 0;
}
