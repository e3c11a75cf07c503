/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The work step of a pod worker's sync, on libuv's pool: everything that
 * blocks (pods.c has the whole story). It reads the runtime state of the
 * pod's containers, plans (pod-plan.c) and acts: the sandbox and the files
 * of the pod directory (/etc/hosts, /etc/hostname, resolv.conf), volumes,
 * image pulls, create and start, hooks, stop signals and SIGKILL after the
 * grace period, removal; then reads the states again. It touches no loop
 * state: its inputs are copies, its outputs go back in the job.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent-internal.h"
#include "agent/pods-internal.h"
#include "agent/server-internal.h"
#include "pki/pki.h"

const json_t *kl_agent__spec_container(const json_t *pod, enum kl_agent__ctr_kind kind,
                                       const char *name)
{
        const json_t *list =
                spec_get(pod, kind == KL_AGENT__CTR_INIT ? "initContainers" : "containers");
        size_t i;
        const json_t *c;

        json_array_foreach(list, i, c)
                if (kl_streq_null(jstr(c, "name"), name))
                        return c;
        return NULL;
}

char *kl_agent__pod_dir(const struct kl_agent__pods *m, const char *uid)
{
        return kl_asprintf("%s/%s", m->pods_dir, uid);
}

static void strv_remove(char **v, const char *s)
{
        size_t j = 0;

        if (!v)
                return;
        for (size_t i = 0; v[i]; i++) {
                if (kl_streq(v[i], s))
                        free(v[i]);
                else
                        v[j++] = v[i];
        }
        v[j] = NULL;
}

/* ------------------------------------------------------------------------- */
/* Files of the pod directory the containers mount */

/* upstream's managedHostsFileContent, with the pod's IPs when it has any. */
static char *render_hosts(const struct kl_agent__pods *m, const json_t *pod,
                          const char *const *pod_ips)
{
        struct kl_buf b;
        const char *hostname = jstr(json_object_get(pod, "spec"), "hostname");
        const char *subdomain = jstr(json_object_get(pod, "spec"), "subdomain");
        const json_t *aliases = spec_get(pod, "hostAliases");

        kl_buf_init(&b, SIZE_MAX);
        if (kl_isempty(hostname))
                hostname = meta_str(pod, "name");
        kl_buf_puts(&b, "# Kubernetes-managed hosts file.\n"
                        "127.0.0.1\tlocalhost\n"
                        "::1\tlocalhost ip6-localhost ip6-loopback\n"
                        "fe00::0\tip6-localnet\n"
                        "fe00::0\tip6-mcastprefix\n"
                        "fe00::1\tip6-allnodes\n"
                        "fe00::2\tip6-allrouters\n");
        for (size_t i = 0; pod_ips && pod_ips[i]; i++) {
                if (!kl_isempty(subdomain))
                        kl_buf_printf(&b, "%s\t%s.%s.%s.svc.%s\t%s\n", pod_ips[i], hostname,
                                      subdomain, meta_str(pod, "namespace"), m->cluster_domain,
                                      hostname);
                else
                        kl_buf_printf(&b, "%s\t%s\n", pod_ips[i], hostname);
        }
        if (json_array_size(aliases) > 0) {
                size_t i;
                const json_t *a;

                kl_buf_puts(&b, "\n# Entries added by HostAliases.\n");
                json_array_foreach(aliases, i, a) {
                        size_t j;
                        const json_t *h;

                        if (!jstr(a, "ip"))
                                continue;
                        kl_buf_puts(&b, jstr(a, "ip"));
                        kl_buf_puts(&b, "\t");
                        json_array_foreach(json_object_get(a, "hostnames"), j, h) {
                                if (j)
                                        kl_buf_puts(&b, "\t");
                                kl_buf_puts(&b, json_string_value(h) ? json_string_value(h) : "");
                        }
                        kl_buf_puts(&b, "\n");
                }
        }
        return kl_buf_detach(&b, NULL);
}

/* The pod's resolv.conf over the node's (pod-dns.c). */
static char *render_resolv(const struct kl_agent__pods *m, const json_t *pod, bool *missing_dns)
{
        struct kl_agent__dns_opts o = { .cluster_dns = m->cluster_dns,
                                        .cluster_domain = m->cluster_domain };
        kl_autofree char *host = NULL;
        size_t len = 0;

        if (kl_read_file(m->resolv_conf, (size_t)64 << 10, &host, &len) < 0)
                host = NULL;
        return kl_agent__pod_resolv_conf(pod, host, &o, missing_dns);
}

/* The pod directory's files live on the node's tmpfs-like lifetime: no fsync. */
static int write_if_changed(const char *path, const char *text, struct kl_err **err)
{
        kl_autofree char *old = NULL;
        size_t len = 0;
        int r;

        if (kl_read_file(path, (size_t)1 << 20, &old, &len) == 0 && len == strlen(text) &&
            memcmp(old, text, len) == 0)
                return 0;
        r = kl_write_file_atomic(path, text, strlen(text), 0644, KL_WRITE_FILE_NOSYNC);
        return r < 0 ? kl_err_set(err, r, "write `%s`", path) : 0;
}

/* ------------------------------------------------------------------------- */
/* The job */

static void job_event(struct kl_agent__job *j, const char *type, const char *reason,
                      const char *fmt, ...) KL_PRINTF(4, 5);
static void job_event(struct kl_agent__job *j, const char *type, const char *reason,
                      const char *fmt, ...)
{
        va_list ap;

        j->events = kl_realloc(j->events, (j->n_events + 1) * sizeof(*j->events));
        va_start(ap, fmt);
        j->events[j->n_events++] =
                (struct kl_agent__job_event){ type, reason, kl_vasprintf(fmt, ap) };
        va_end(ap);
}

static struct kl_agent__ctr_info *job_info(struct kl_agent__job *j, enum kl_agent__ctr_kind kind,
                                           const char *name)
{
        for (size_t i = 0; i < j->n_info; i++)
                if (j->info[i].kind == kind && kl_streq(j->info[i].name, name))
                        return &j->info[i];
        return NULL;
}

static void set_waiting(struct kl_agent__ctr_info *info, const char *reason, const char *message)
{
        if (!info)
                return;
        free(info->waiting_reason);
        free(info->waiting_message);
        info->waiting_reason = reason ? kl_strdup(reason) : NULL;
        info->waiting_message = message ? kl_strdup(message) : NULL;
}

static void ctrs_free(struct kl_agent__ctr *c, size_t n)
{
        for (size_t i = 0; i < n; i++)
                kl_agent__ctr_release(&c[i]);
        free(c);
}

/*
 * The tail of a container's log as upstream's FallbackToLogsOnError reads
 * it: the last `lines` lines, at most `bytes` bytes of content — the
 * containerLogs reader (server-logs.c) with tailLines and limitBytes.
 */
static char *log_tail(const char *path, int64_t lines, int64_t bytes)
{
        struct kl_agent__log_opts o = { .tail = lines,
                                        .limit_bytes = bytes,
                                        .since_usec = INT64_MIN };
        struct kl_agent__log_reader r;
        struct kl_buf out;
        char buf[16384];
        struct stat st;
        int64_t off = 0;
        bool done = false;
        ssize_t n;
        int fd;

        if (!path)
                return NULL;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return NULL;
        if (fstat(fd, &st) < 0 || kl_agent__log_tail_start(fd, st.st_size, lines, &off) < 0) {
                close(fd);
                return NULL;
        }
        kl_agent__log_reader_init(&r, &o);
        kl_buf_init(&out, SIZE_MAX);
        while (!done && (n = pread(fd, buf, sizeof(buf), off)) > 0) {
                off += n;
                done = kl_agent__log_reader_feed(&r, buf, (size_t)n, false, &out);
        }
        if (!done)
                (void)kl_agent__log_reader_feed(&r, "", 0, true, &out);
        kl_agent__log_reader_release(&r);
        close(fd);
        return kl_buf_detach(&out, NULL);
}

/* The termination message of a stopped container: its file, else the log's tail on error. */
static char *read_termination_message(const struct kl_agent__job *j, const struct kl_agent__ctr *c,
                                      const char *pod_dir, const char *log_path)
{
        const json_t *spec = kl_agent__spec_container(j->pod, c->kind, c->name);
        kl_autofree char *path = kl_asprintf("%s/containers/%s/%s", pod_dir, c->name, c->id);
        char *msg = NULL;
        size_t len = 0;

        if (kl_read_file(path, TERM_MESSAGE_MAX, &msg, &len) == 0 && len > 0)
                return msg;
        free(msg);
        if (c->exit_code != 0 &&
            kl_streq_null(jstr(spec, "terminationMessagePolicy"), "FallbackToLogsOnError"))
                return log_tail(log_path, TERM_LOG_LINES, TERM_LOG_BYTES);
        return NULL;
}

/* Read the runtime's state of every container of the job. */
static void job_observe(struct kl_agent__job *j, const char *pod_dir)
{
        kl_autofree char *netns = kl_ctr_sandbox_ns_path(j->m->rt, j->uid, KL_CTR_NS_NET);
        kl_autofree char *ipc = kl_ctr_sandbox_ns_path(j->m->rt, j->uid, KL_CTR_NS_IPC);
        size_t k = 0;

        ctrs_free(j->ctrs, j->n_ctrs);
        j->ctrs = kl_calloc(kl_strv_length(j->ids) + 1, sizeof(*j->ctrs));
        j->n_ctrs = 0;
        for (size_t i = 0; j->ids && j->ids[i]; i++) {
                struct kl_ctr_state st;
                struct kl_agent__ctr c;

                if (kl_ctr_state(j->m->rt, j->ids[i], &st, NULL) < 0) {
                        free(j->ids[i]);
                        continue; /* gone behind our back */
                }
                if (kl_agent__ctr_from_state(&st, &c) == 0) {
                        if (c.status == KL_CTR_STOPPED)
                                c.message = read_termination_message(j, &c, pod_dir, st.log_path);
                        j->ctrs[j->n_ctrs++] = c;
                }
                kl_ctr_state_release(&st);
                j->ids[k++] = j->ids[i];
        }
        if (j->ids)
                j->ids[k] = NULL;
        /* The sandbox exists when the namespaces it needs are bound. */
        j->sandbox = access(spec_bool(j->pod, "hostNetwork") ? ipc : netns, F_OK) == 0;
        j->now = (int64_t)kl_now_realtime();
}

static int64_t ctr_grace(const struct kl_agent__kill *k)
{
        return k->grace_sec < MIN_GRACE_SEC ? MIN_GRACE_SEC : k->grace_sec;
}

static struct kl_agent__term *find_term(struct kl_agent__job *j, const char *id)
{
        for (size_t i = 0; i < j->n_terms; i++)
                if (kl_streq(j->terms[i].id, id))
                        return &j->terms[i];
        return NULL;
}

/* The probe target of a container, for hooks. */
static void hook_target(struct kl_agent__job *j, const char *id, const json_t *spec, char **netns,
                        struct kl_agent__probe_target *t)
{
        *netns = spec_bool(j->pod, "hostNetwork")
                         ? NULL
                         : kl_ctr_sandbox_ns_path(j->m->rt, j->uid, KL_CTR_NS_NET);
        *t = (struct kl_agent__probe_target){
                .rt = j->m->rt, .ctr_id = id, .netns = *netns, .pod_ip = NULL, .container = spec
        };
}

/*
 * Run a lifecycle handler (exec, httpGet, tcpSocket, sleep) with at most
 * `timeout_sec`. Returns 0, or -EIO with *ret_message saying why.
 */
static int run_hook(struct kl_agent__job *j, const char *id, const json_t *spec,
                    const json_t *handler, int64_t timeout_sec, char **ret_message)
{
        const json_t *sleep_action = json_object_get(handler, "sleep");
        kl_autofree char *netns = NULL;
        struct kl_agent__probe_target t;
        json_t *probe;
        enum kl_agent__probe_result r;

        *ret_message = NULL;
        if (sleep_action) {
                int64_t s = json_integer_value(json_object_get(sleep_action, "seconds"));
                struct timespec ts = { .tv_sec = s < timeout_sec ? s : timeout_sec };

                while (ts.tv_sec > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
                        ;
                return 0;
        }
        probe = json_deep_copy(handler);
        json_object_set_new(probe, "timeoutSeconds",
                            json_integer(timeout_sec > 0 ? timeout_sec : 1));
        hook_target(j, id, spec, &netns, &t);
        r = kl_agent__probe_run(probe, &t, ret_message);
        json_decref(probe);
        return r == KL_AGENT__PROBE_SUCCESS ? 0 : -EIO;
}

static void job_kill(struct kl_agent__job *j, const struct kl_agent__kill *k)
{
        struct kl_agent__term *t = find_term(j, k->id);
        const json_t *spec = kl_agent__spec_container(j->pod, k->kind, k->name);
        int64_t grace = ctr_grace(k);
        kl_autoerr struct kl_err *e = NULL;
        int r;

        if (t) {
                /* A shorter grace period (a second delete) brings SIGKILL forward. */
                if (j->now + grace * (int64_t)KL_USEC_PER_SEC < t->deadline_usec)
                        t->deadline_usec = j->now + grace * (int64_t)KL_USEC_PER_SEC;
                if (j->now < t->deadline_usec)
                        return;
                r = kl_ctr_kill(j->m->rt, k->id, SIGKILL, true, &e);
                if (r < 0 && r != -ESRCH)
                        kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, e, "SIGKILL container %s", k->id);
                return;
        }
        if (k->message)
                job_event(j, "Normal", "Killing", "%s", k->message);
        else
                job_event(j, "Normal", "Killing", "Stopping container %s", k->name);
        if (json_object_get(json_object_get(spec, "lifecycle"), "preStop")) {
                kl_autofree char *msg = NULL;
                int64_t t0 = (int64_t)kl_now_realtime();

                if (run_hook(j, k->id, spec,
                             json_object_get(json_object_get(spec, "lifecycle"), "preStop"), grace,
                             &msg) < 0)
                        job_event(j, "Warning", "FailedPreStopHook", "PreStopHook failed: %s",
                                  msg ? msg : "");
                /* The hook's time comes out of the grace period, as upstream. */
                grace -= ((int64_t)kl_now_realtime() - t0) / (int64_t)KL_USEC_PER_SEC;
                if (grace < MIN_GRACE_SEC)
                        grace = MIN_GRACE_SEC;
        }
        r = kl_ctr_stop_signal(j->m->rt, k->id, &e);
        if (r < 0) {
                kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, e, "stop container %s", k->id);
                return;
        }
        j->terms = kl_realloc(j->terms, (j->n_terms + 1) * sizeof(*j->terms));
        j->terms[j->n_terms++] = (struct kl_agent__term){
                kl_strdup(k->id), (int64_t)kl_now_realtime() + grace * (int64_t)KL_USEC_PER_SEC
        };
}

/*
 * The image of a container, present in the store per imagePullPolicy.
 * Returns 0 with its normalised name and ref (name@digest), or < 0 with
 * the waiting reason and message set.
 */
static int job_image(struct kl_agent__job *j, const json_t *spec, struct kl_agent__ctr_info *info,
                     char **ret_name, char **ret_ref)
{
        struct kl_agent__pods *m = j->m;
        const char *image = jstr(spec, "image");
        const char *policy = jstr(spec, "imagePullPolicy");
        kl_cleanup(kl_rt_ref_release) struct kl_rt_ref ref = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        struct kl_rt_image img = { 0 };
        kl_autofree char *name = NULL;
        bool present;
        int r;

        if (kl_isempty(image) || kl_rt_ref_parse(image, &ref, &e) < 0) {
                kl_autofree char *msg = kl_asprintf("Failed to apply default image tag \"%s\": %s",
                                                    image ? image : "", kl_err_msg(e));

                set_waiting(info, "InvalidImageName", msg);
                job_event(j, "Warning", "InspectFailed", "%s", msg);
                return -EINVAL;
        }
        name = kl_rt_ref_format(&ref);
        pthread_mutex_lock(m->images_lock);
        present = kl_rt_store_image_get(m->images, name, &img, NULL) == 0;
        pthread_mutex_unlock(m->images_lock);
        if (kl_streq_null(policy, "Never") && !present) {
                kl_autofree char *msg = kl_asprintf(
                        "Container image \"%s\" is not present with pull policy of Never", image);

                set_waiting(info, "ErrImageNeverPull", msg);
                job_event(j, "Warning", "ErrImageNeverPull", "%s", msg);
                return -ENOENT;
        }
        if (present && !kl_streq_null(policy, "Always")) {
                job_event(j, "Normal", "Pulled",
                          "Container image \"%s\" already present on machine", image);
        } else {
                int64_t t0 = (int64_t)kl_now_monotonic();
                struct kl_rt_pull_opts po = m->pull ? *m->pull : (struct kl_rt_pull_opts){ 0 };
                kl_autofree char *user = NULL;
                kl_autofree char *password = NULL;

                if (kl_agent__pull_auth(j->pod, &j->refs, name, &user, &password) == 1) {
                        po.username = user;
                        po.password = password;
                }
                kl_rt_image_release(&img);
                job_event(j, "Normal", "Pulling", "Pulling image \"%s\"", image);
                pthread_mutex_lock(m->images_lock);
                r = kl_rt_pull(m->images, name, &po, &img, NULL, &e);
                pthread_mutex_unlock(m->images_lock);
                if (password)
                        explicit_bzero(password, strlen(password));
                if (r < 0) {
                        kl_autofree char *msg = kl_asprintf("Failed to pull image \"%s\": %s",
                                                            image, kl_err_msg(e));

                        set_waiting(info, "ErrImagePull", msg);
                        /* The next pull waits its back-off (ImagePullBackOff), as upstream's. */
                        kl_agent__backoff_next(info, &m->backoff, j->now);
                        job_event(j, "Warning", "Failed", "%s", msg);
                        job_event(j, "Warning", "Failed", "Error: ErrImagePull");
                        return r;
                }
                {
                        int64_t ms = ((int64_t)kl_now_monotonic() - t0) / 1000;

                        job_event(j, "Normal", "Pulled",
                                  "Successfully pulled image \"%s\" in %" PRId64 ".%03" PRId64
                                  "s (%" PRId64 ".%03" PRId64 "s including waiting)",
                                  image, ms / 1000, ms % 1000, ms / 1000, ms % 1000);
                }
        }
        *ret_ref = kl_asprintf("%s/%s@%s", ref.domain, ref.path, img.digest ? img.digest : "");
        kl_rt_image_release(&img);
        *ret_name = KL_TAKE_PTR(name);
        return 0;
}

/*
 * The subPath mounts of a container (bind sources below a volume's
 * directory): created when missing, as upstream does, and checked to stay
 * inside their volume once symlinks are resolved (upstream's "subpath ...
 * not within volume path"): a container that planted a symlink in a shared
 * volume must not get another pod's files, or the node's, mounted. The
 * runtime binds the path a moment later; an exchange of symlinks in
 * between is not caught (upstream closes that window by binding an open
 * file descriptor).
 */
static int prepare_subpaths(const struct kl_ctr_config *cfg, const struct kl_agent__volumes *vols,
                            struct kl_err **err)
{
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                const struct kl_ctr_mount *mt = &cfg->mounts[i];

                for (size_t v = 0; !mt->type && v < vols->n; v++) {
                        const char *rest = kl_startswith(mt->source, vols->v[v].path);
                        kl_autofree char *real = NULL;
                        kl_autofree char *base = NULL;
                        const char *in;

                        if (!rest || rest[0] != '/')
                                continue;
                        if (access(mt->source, F_OK) < 0 && kl_mkdir_p(mt->source, 0750) < 0)
                                return kl_err_set(err, -errno, "create subPath `%s`", mt->source);
                        real = realpath(mt->source, NULL);
                        base = realpath(vols->v[v].path, NULL);
                        in = real && base ? kl_startswith(real, base) : NULL;
                        if (!in || (in[0] != '/' && in[0] != '\0'))
                                return kl_err_set(err, -EPERM,
                                                  "subpath \"%s\" not within volume path \"%s\"",
                                                  real ? real : mt->source, vols->v[v].path);
                }
        }
        return 0;
}

/* Create and start one container of the plan. */
static void job_start(struct kl_agent__job *j, const struct kl_agent__start *s, const char *pod_dir,
                      const struct kl_agent__volumes *vols)
{
        struct kl_agent__pods *m = j->m;
        const json_t *spec = kl_agent__spec_container(j->pod, s->kind, s->name);
        struct kl_agent__ctr_info *info = job_info(j, s->kind, s->name);
        struct kl_rt_image_config icfg = { 0 };
        struct kl_ctr_config cfg;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *name = NULL;
        kl_autofree char *image_ref = NULL;
        kl_autofree char *id = NULL;
        kl_autofree char *log_path = kl_agent__log_path(m->log_dir, j->pod, s->name, s->attempt);
        kl_autofree char *term_dir = kl_asprintf("%s/containers/%s", pod_dir, s->name);
        kl_autofree char *term_file = NULL;
        kl_autofree char *log_dir = NULL;
        kl_autofree char *hostname = NULL;
        char **env = NULL;
        int r;

        if (!spec || !info)
                return;
        if (kl_pki_random_hex(32, &id, &e) < 0) {
                set_waiting(info, "CreateContainerError", kl_err_msg(e));
                return;
        }
        term_file = kl_asprintf("%s/%s", term_dir, id);
        if (job_image(j, spec, info, &name, &image_ref) < 0)
                return;
        pthread_mutex_lock(m->images_lock);
        r = kl_rt_image_config_get(m->images, name, &icfg, &e);
        if (r >= 0)
                (void)kl_rt_store_image_touch(m->images, name, NULL);
        pthread_mutex_unlock(m->images_lock);
        if (r < 0) {
                set_waiting(info, "CreateContainerError", kl_err_msg(e));
                job_event(j, "Warning", "Failed", "Error: %s", kl_err_msg(e));
                return;
        }
        r = kl_agent__container_env(j->pod, spec, &j->refs, &j->facts, &env, &e);
        if (r < 0) {
                set_waiting(info, "CreateContainerConfigError", kl_err_msg(e));
                job_event(j, "Warning", "Failed", "Error: %s", kl_err_msg(e));
                kl_rt_image_config_release(&icfg);
                return;
        }
        hostname = kl_strdup(jstr(json_object_get(j->pod, "spec"), "hostname")
                                     ?: meta_str(j->pod, "name"));
        {
                struct kl_agent__ctr_inputs in = {
                        .pod = j->pod,
                        .container = spec,
                        .kind = s->kind,
                        .attempt = s->attempt,
                        .id = id,
                        .image = &icfg,
                        .image_ref = image_ref,
                        .env = env,
                        .volumes = vols,
                        .rt = m->rt,
                        .sandbox_id = j->uid,
                        .pod_dir = pod_dir,
                        .log_path = log_path,
                        .hostname = hostname,
                };

                r = kl_agent__ctr_config(&in, &cfg, &e);
        }
        kl_strv_free(env);
        kl_rt_image_config_release(&icfg);
        if (r < 0) {
                set_waiting(info, "CreateContainerConfigError", kl_err_msg(e));
                job_event(j, "Warning", "Failed", "Error: %s", kl_err_msg(e));
                return;
        }
        r = prepare_subpaths(&cfg, vols, &e);
        if (r < 0) {
                set_waiting(info, "CreateContainerConfigError", kl_err_msg(e));
                job_event(j, "Warning", "Failed", "Error: %s", kl_err_msg(e));
                kl_ctr_config_release(&cfg);
                return;
        }
        log_dir = kl_strdup(log_path);
        *strrchr(log_dir, '/') = '\0';
        r = kl_mkdir_p(log_dir, 0755) < 0 || kl_mkdir_p(term_dir, 0755) < 0 ? -errno : 0;
        if (r == 0)
                r = kl_write_file_atomic(term_file, "", 0, 0666, KL_WRITE_FILE_NOSYNC);
        if (r < 0) {
                kl_err_set(&e, r, "create `%s`", term_file);
                set_waiting(info, "CreateContainerError", kl_err_msg(e));
                job_event(j, "Warning", "Failed", "Error: %s", kl_err_msg(e));
                kl_ctr_config_release(&cfg);
                return;
        }
        r = kl_ctr_create(m->rt, &cfg, &e);
        kl_ctr_config_release(&cfg);
        if (r < 0) {
                set_waiting(info, "CreateContainerError", kl_err_msg(e));
                job_event(j, "Warning", "Failed", "Error: %s", kl_err_msg(e));
                return;
        }
        /* Known from now on, whatever happens next: its exit is watched for. */
        kl_strv_push(&j->ids, id);
        if (m->inotify_fd >= 0) {
                kl_autofree char *dir = kl_asprintf("%s/%s", kl_ctr_runtime_state_dir(m->rt), id);

                (void)inotify_add_watch(m->inotify_fd, dir, IN_MOVED_TO | IN_ONLYDIR);
        }
        set_waiting(info, NULL, NULL);
        if (s->restart)
                kl_agent__backoff_next(info, &m->backoff, j->now);
        job_event(j, "Normal", "Created", "Created container: %s", s->name);
        r = kl_ctr_start(m->rt, id, &e);
        if (r < 0) {
                job_event(j, "Warning", "Failed", "Error: %s", kl_err_msg(e));
                return;
        }
        job_event(j, "Normal", "Started", "Started container %s", s->name);
        if (json_object_get(json_object_get(spec, "lifecycle"), "postStart")) {
                kl_autofree char *msg = NULL;
                int64_t grace =
                        json_integer_value(spec_get(j->pod, "terminationGracePeriodSeconds"));

                if (run_hook(j, id, spec,
                             json_object_get(json_object_get(spec, "lifecycle"), "postStart"),
                             grace > 0 ? grace : 30, &msg) < 0) {
                        job_event(j, "Warning", "FailedPostStartHook", "PostStartHook failed: %s",
                                  msg ? msg : "");
                        (void)kl_ctr_kill(m->rt, id, SIGKILL, true, NULL);
                }
        }
}

/* Remove everything of the pod from the node: containers, sandbox, volumes. */
static void job_cleanup(struct kl_agent__job *j, const char *pod_dir)
{
        kl_autoerr struct kl_err *e = NULL;
        bool ok = true;

        for (size_t i = 0; j->ids && j->ids[i]; i++) {
                if (kl_ctr_delete(j->m->rt, j->ids[i], true, &e) < 0 && e && e->code != -ENOENT) {
                        kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, e, "remove container %s", j->ids[i]);
                        ok = false;
                }
                kl_err_free(KL_TAKE_PTR(e));
        }
        if (ok) {
                kl_strv_free(j->ids);
                j->ids = NULL;
        }
        if (j->m->network) {
                kl_autofree char *netns = kl_ctr_sandbox_ns_path(j->m->rt, j->uid, KL_CTR_NS_NET);

                kl_agent__network_pod_del(j->m->network, j->uid, netns);
        }
        if (kl_ctr_sandbox_delete(j->m->rt, j->uid, &e) < 0) {
                kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, e, "remove the sandbox of pod %s", j->uid);
                ok = false;
        }
        kl_err_free(KL_TAKE_PTR(e));
        if (kl_agent__volumes_teardown(pod_dir, &e) < 0) {
                kl_log_err(KL_LOG_WARN, KL_LOG_AGENT, e, "remove the volumes of pod %s", j->uid);
                ok = false;
        }
        j->cleaned = ok;
}

static bool any_running(const struct kl_agent__job *j)
{
        for (size_t i = 0; i < j->n_ctrs; i++)
                if (j->ctrs[i].status == KL_CTR_RUNNING || j->ctrs[i].status == KL_CTR_CREATED)
                        return true;
        return false;
}

/* The hostname of the pod's UTS namespace: spec.hostname, else the pod's name. */
static const char *pod_hostname(const json_t *pod)
{
        const char *h = jstr(json_object_get(pod, "spec"), "hostname");

        return kl_isempty(h) ? meta_str(pod, "name") : h;
}

/*
 * The pod's interface on the pod network: made with a new sandbox, looked up
 * again (the same address) when the worker does not know it yet — after an
 * agent restart. Failing: FailedCreatePodSandBox, and the worker tries again
 * soon.
 */
static int job_network(struct kl_agent__job *j, bool created)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *netns = NULL;

        if (!j->m->network || spec_bool(j->pod, "hostNetwork") || (j->pod_ip[0] && !created))
                return 0;
        netns = kl_ctr_sandbox_ns_path(j->m->rt, j->uid, KL_CTR_NS_NET);
        if (kl_agent__network_pod_add(j->m->network, j->uid, netns, j->pod_ip, &e) < 0) {
                j->pod_ip[0] = '\0';
                job_event(j, "Warning", "FailedCreatePodSandBox",
                          "Failed to create pod sandbox: failed to set up the network of sandbox "
                          "%s: %s",
                          j->uid, kl_err_msg(e));
                j->retry_soon = true;
                return -EAGAIN;
        }
        return 0;
}

static void job_sandbox(struct kl_agent__job *j, const char *pod_dir, bool *ok)
{
        kl_autoerr struct kl_err *e = NULL;
        unsigned flags = 0;
        const char *const *ips = NULL;
        kl_autofree char *hosts = NULL;
        kl_autofree char *resolv = NULL;
        kl_autofree char *hosts_path = kl_asprintf("%s/etc-hosts", pod_dir);
        kl_autofree char *hostname_path = kl_asprintf("%s/etc-hostname", pod_dir);
        kl_autofree char *resolv_path = kl_asprintf("%s/resolv.conf", pod_dir);
        kl_autofree char *hostname_text = NULL;
        bool missing_dns = false;
        bool created = false;

        *ok = false;
        if (kl_mkdir_p(pod_dir, 0750) < 0) {
                job_event(j, "Warning", "FailedCreatePodSandBox",
                          "Failed to create pod sandbox: create %s: %s", pod_dir, strerror(errno));
                return;
        }
        if (spec_bool(j->pod, "hostNetwork"))
                ips = (const char *const *)j->m->node_ips;
        else
                flags |= KL_CTR_SANDBOX_NET | KL_CTR_SANDBOX_UTS;
        if (!spec_bool(j->pod, "hostIPC"))
                flags |= KL_CTR_SANDBOX_IPC;
        if (!j->sandbox) {
                int r = kl_ctr_sandbox_create(j->m->rt, j->uid, flags, pod_hostname(j->pod), &e);

                if (r == -EEXIST) {
                        /* Half made by an agent that died: start again. */
                        kl_err_free(KL_TAKE_PTR(e));
                        (void)kl_ctr_sandbox_delete(j->m->rt, j->uid, NULL);
                        r = kl_ctr_sandbox_create(j->m->rt, j->uid, flags, pod_hostname(j->pod),
                                                  &e);
                }
                if (r < 0) {
                        job_event(j, "Warning", "FailedCreatePodSandBox",
                                  "Failed to create pod sandbox: %s", kl_err_msg(e));
                        return;
                }
                j->sandbox = true;
                created = true;
        }
        if (job_network(j, created) < 0)
                return;
        if (j->pod_ip[0]) {
                ips = j->facts_ips;
                j->facts.pod_ips = j->facts_ips;
        }
        if (spec_bool(j->pod, "hostNetwork")) {
                size_t len = 0;

                if (kl_read_file("/etc/hosts", (size_t)1 << 20, &hosts, &len) < 0)
                        hosts = kl_strdup("");
        } else {
                hosts = render_hosts(j->m, j->pod, ips);
        }
        resolv = render_resolv(j->m, j->pod, &missing_dns);
        if (missing_dns)
                job_event(j, "Warning", "MissingClusterDNS",
                          "pod: \"%s_%s(%s)\". kubelet does not have ClusterDNS IP configured "
                          "and cannot create Pod using \"ClusterFirst\" policy. Falling back "
                          "to \"Default\" policy.",
                          meta_str(j->pod, "name"), meta_str(j->pod, "namespace"), j->uid);
        hostname_text = kl_asprintf("%s\n", pod_hostname(j->pod));
        if (write_if_changed(hosts_path, hosts, &e) < 0 ||
            write_if_changed(hostname_path, hostname_text, &e) < 0 ||
            write_if_changed(resolv_path, resolv, &e) < 0) {
                job_event(j, "Warning", "FailedCreatePodSandBox",
                          "Failed to create pod sandbox: %s", kl_err_msg(e));
                return;
        }
        *ok = true;
}

void kl_agent__job_work(void *arg)
{
        struct kl_agent__job *j = arg;
        struct kl_agent__pods *m = j->m;
        kl_autofree char *pod_dir = kl_agent__pod_dir(m, j->uid);
        kl_autoerr struct kl_err *e = NULL;
        struct kl_agent__pod_obs obs;

        job_observe(j, pod_dir);
        /* An adopted sandbox: its address, for the status. */
        if (j->sandbox && !j->pod_ip[0])
                (void)job_network(j, false);
        j->facts = m->facts;
        j->facts_ips[0] = j->pod_ip;
        if (j->pod_ip[0])
                j->facts.pod_ips = j->facts_ips;
        obs = (struct kl_agent__pod_obs){ .pod = j->pod,
                                          .sandbox = j->sandbox,
                                          .ctrs = j->ctrs,
                                          .n_ctrs = j->n_ctrs,
                                          .info = j->info,
                                          .n_info = j->n_info };
        kl_agent__pod_plan(&obs, &m->backoff, j->now, &j->plan);

        for (size_t i = 0; i < j->plan.n_kill; i++)
                job_kill(j, &j->plan.kill[i]);
        for (size_t i = 0; j->plan.remove && j->plan.remove[i]; i++) {
                if (kl_ctr_delete(m->rt, j->plan.remove[i], false, &e) == 0)
                        strv_remove(j->ids, j->plan.remove[i]);
                kl_err_free(KL_TAKE_PTR(e));
        }
        if (!j->plan.kill_pod && (j->plan.create_sandbox || j->plan.n_start > 0 || j->sandbox)) {
                struct kl_agent__volumes vols = { 0 };
                bool ok = true;

                if (j->plan.create_sandbox || j->plan.n_start > 0)
                        job_sandbox(j, pod_dir, &ok);
                if (ok &&
                    kl_agent__volumes_setup(j->pod, &j->refs, &j->facts, pod_dir, &vols, &e) < 0) {
                        /* volumes.c words it as upstream's event: "MountVolume.SetUp failed
                         * for volume ...". The worker tries again soon. */
                        job_event(j, "Warning", "FailedMount", "%s", kl_err_msg(e));
                        j->retry_soon = true;
                        ok = false;
                }
                for (size_t i = 0; ok && i < j->plan.n_start; i++)
                        job_start(j, &j->plan.start[i], pod_dir, &vols);
                kl_agent__volumes_release(&vols);
        }
        job_observe(j, pod_dir);
        /* Terminations that are over need no SIGKILL any more. */
        for (size_t i = 0; i < j->n_terms;) {
                bool running = false;

                for (size_t k = 0; k < j->n_ctrs; k++)
                        if (kl_streq(j->ctrs[k].id, j->terms[i].id))
                                running = j->ctrs[k].status == KL_CTR_RUNNING ||
                                          j->ctrs[k].status == KL_CTR_CREATED;
                if (running) {
                        i++;
                        continue;
                }
                free(j->terms[i].id);
                j->terms[i] = j->terms[--j->n_terms];
        }
        /* A pod that is over and has nothing running leaves nothing behind. */
        if (j->plan.kill_pod && !any_running(j) &&
            (j->gone || json_object_get(json_object_get(j->pod, "metadata"), "deletionTimestamp")))
                job_cleanup(j, pod_dir);
}

void kl_agent__job_free(struct kl_agent__job *j)
{
        json_decref(j->pod);
        free(j->uid);
        kl_agent__pod_refs_release(&j->refs);
        kl_strv_free(j->ids);
        for (size_t i = 0; i < j->n_info; i++)
                kl_agent__ctr_info_release(&j->info[i]);
        free(j->info);
        for (size_t i = 0; i < j->n_terms; i++)
                free(j->terms[i].id);
        free(j->terms);
        ctrs_free(j->ctrs, j->n_ctrs);
        kl_agent__plan_release(&j->plan);
        for (size_t i = 0; i < j->n_events; i++)
                free(j->events[i].message);
        free(j->events);
        free(j);
}
