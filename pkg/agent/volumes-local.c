/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Volumes that are a host path (volumes.c sets them up): hostPath, and
 * persistentVolumeClaim (and generic ephemeral) volumes. The claim
 * (refs->pvcs) must be Bound, its volume (refs->pvs) a hostPath or local
 * PersistentVolume whose path is used, a local-path provisioner's directory
 * made 0777 when missing. The local-path volumes made here are recorded
 * (pod-internal.h) so that housekeeping can remove their directories once
 * their PersistentVolumes are gone.
 *
 * Blocking (disk): called on the pool by the pod worker, which owns every
 * struct here. /work/notes/readme-pods-volumes.md has the rules.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "json/json.h"

/* ------------------------------------------------------------------------- */
/* hostPath */

static const char *file_type(mode_t m)
{
        if (S_ISDIR(m))
                return "Directory";
        if (S_ISSOCK(m))
                return "Socket";
        if (S_ISCHR(m))
                return "CharDevice";
        if (S_ISBLK(m))
                return "BlockDevice";
        return "File";
}

/* An absolute path without a ".." element. */
static int host_path_check(const char *path, struct kl_err **err)
{
        if (kl_isempty(path) || path[0] != '/')
                return kl_err_set_msg(err, -EINVAL, "hostPath %s must be an absolute path",
                                      path ? path : "\"\"");
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return kl_err_set_msg(err, -EINVAL, "hostPath %s must not contain '..'",
                                              path);
                p += n;
                while (*p == '/')
                        p++;
        }
        return 0;
}

/*
 * Upstream's hostPath checkType on `hp` (a HostPathVolumeSource, of a pod
 * volume or of a PersistentVolume); stat(2) follows symlinks, as upstream's
 * os.Stat.
 */
int kl_agent__vol_setup_host_path(const json_t *hp, const char *name, bool readonly,
                                  struct kl_agent__volumes *out, struct kl_err **err)
{
        const char *path = kl_agent__vol_get_str(hp, "path");
        const char *type = kl_agent__vol_get_str(hp, "type");
        const char *want = NULL, *what = NULL;
        struct stat st;
        bool exists;
        int r = host_path_check(path, err);

        if (r < 0)
                return r;
        exists = stat(path, &st) == 0;
        if (!type || !*type) {
                /* HostPathUnset: nothing is checked. */
        } else if (kl_streq(type, "DirectoryOrCreate") || kl_streq(type, "Directory")) {
                if (!exists && kl_streq(type, "DirectoryOrCreate")) {
                        r = kl_mkdir_p(path, 0755);

                        if (r < 0)
                                return kl_err_set(err, r, "mkdir %s", path);
                        exists = stat(path, &st) == 0;
                }
                want = "Directory", what = "directory";
        } else if (kl_streq(type, "FileOrCreate") || kl_streq(type, "File")) {
                if (!exists && kl_streq(type, "FileOrCreate")) {
                        /* Parents must exist, as upstream's makeFile (no MkdirAll). */
                        kl_autoclose int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);

                        if (fd < 0)
                                return kl_err_set(err, -errno, "open %s", path);
                        exists = fstat(fd, &st) == 0;
                }
                want = "File", what = "file";
        } else if (kl_streq(type, "Socket")) {
                want = "Socket", what = "socket file";
        } else if (kl_streq(type, "CharDevice")) {
                want = "CharDevice", what = "character device";
        } else if (kl_streq(type, "BlockDevice")) {
                want = "BlockDevice", what = "block device";
        } else {
                return kl_err_set_msg(err, -EINVAL, "%s is an invalid volume type", type);
        }
        if (want) {
                /* Upstream's IsFile is "exists and not a directory": a socket passes File. */
                bool ok =
                        exists && (kl_streq(want, "File") ? !S_ISDIR(st.st_mode)
                                                          : kl_streq(file_type(st.st_mode), want));

                if (!ok)
                        return kl_err_set_msg(err, -EINVAL,
                                              "hostPath type check failed: %s is not a %s", path,
                                              what);
        }
        kl_agent__vol_add(out, name, path, readonly);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* persistentVolumeClaim and ephemeral: the claim's bound volume */

#define LOCAL_PATH_PROVISIONER "rancher.io/local-path"

/* The claim a volume names: claimName, or "<pod>-<volume>" for a generic ephemeral volume. */
static char *claim_of(const json_t *pod, const json_t *vol)
{
        const json_t *src = json_object_get(vol, "persistentVolumeClaim");

        if (src)
                return kl_strdup(kl_agent__vol_get_str(src, "claimName")
                                         ? kl_agent__vol_get_str(src, "claimName")
                                         : "");
        if (json_object_get(vol, "ephemeral"))
                return kl_asprintf(
                        "%s-%s",
                        kl_agent__vol_get_str(json_object_get(pod, "metadata"), "name")
                                ? kl_agent__vol_get_str(json_object_get(pod, "metadata"), "name")
                                : "",
                        kl_agent__vol_get_str(vol, "name") ? kl_agent__vol_get_str(vol, "name")
                                                           : "");
        return NULL;
}

void kl_agent__pod_pvc_names(const json_t *pod, char ***ret)
{
        json_auto_t *set = json_object();
        const json_t *vol;
        const char *k;
        json_t *v;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(pod, "spec"), "volumes"), i, vol) {
                kl_autofree char *claim = claim_of(pod, vol);

                if (!kl_isempty(claim))
                        (void)json_object_set_new(set, claim, json_true());
        }
        *ret = NULL;
        /* jansson keeps insertion order: sort as the other reference lists are. */
        json_object_foreach(set, k, v)
                kl_strv_push(ret, k);
        if (*ret)
                qsort(*ret, kl_strv_length(*ret), sizeof(**ret), kl_agent__vol_cmp_str);
}

/*
 * A local-path volume's directory: made when missing, 0777 as the
 * provisioner's helper makes it (mkdir -m 0777), so any user of the pod can
 * write. The storage directory above it is made 0755.
 */
static int local_path_dir(const char *path, struct kl_err **err)
{
        kl_autofree char *parent = kl_strdup(path);
        char *slash = strrchr(parent, '/');
        struct stat st;
        int r;

        r = host_path_check(path, err);
        if (r < 0)
                return r;
        if (lstat(path, &st) == 0)
                return S_ISDIR(st.st_mode) ? 0
                                           : kl_err_set_msg(err, -ENOTDIR,
                                                            "hostPath type check failed: %s is "
                                                            "not a directory",
                                                            path);
        if (slash && slash != parent) {
                *slash = '\0';
                r = kl_mkdir_p(parent, 0755);
                if (r < 0)
                        return kl_err_set(err, r, "mkdir %s", parent);
        }
        if (mkdir(path, 0777) < 0 && errno != EEXIST)
                return kl_err_set(err, -errno, "mkdir %s", path);
        /* The umask took bits away. */
        if (chmod(path, 0777) < 0)
                return kl_err_set(err, -errno, "chmod %s", path);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Local-path volumes made here (pod-internal.h) */

#define LOCAL_RECORD_MAX 8192

static bool pv_name_ok(const char *name)
{
        return !kl_isempty(name) && strlen(name) < 256 && !strchr(name, '/') && name[0] != '.';
}

/* Best effort: without a record the directory merely outlives its volume. */
static void local_volume_record(const struct kl_agent__vol_ctx *c, const char *pv, const char *path,
                                const char *claim)
{
        const char *dir = c->node->local_volumes_dir;
        const char *ns = kl_agent__vol_get_str(json_object_get(c->pod, "metadata"), "namespace");
        kl_autofree char *file = NULL;
        kl_autofree char *text = NULL;
        kl_autofree char *old = NULL;
        size_t len = 0;
        int r;

        if (kl_isempty(dir) || !pv_name_ok(pv) || kl_isempty(path) || strchr(path, '\n'))
                return;
        file = kl_asprintf("%s/%s", dir, pv);
        text = kl_asprintf("%s\n%s/%s\n", path, ns ? ns : "default", claim);
        if (kl_read_file(file, LOCAL_RECORD_MAX, &old, &len) == 0 && kl_streq(old, text))
                return;
        r = kl_mkdir_p(dir, 0700);
        if (r >= 0)
                r = kl_write_file_atomic(file, text, strlen(text), 0600, 0);
        if (r < 0)
                kl_log_warn(KL_LOG_AGENT, "record local volume %s in %s: %s", pv, dir,
                            strerror(-r));
}

void kl_agent__local_volumes_free(struct kl_agent__local_volume *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].pv);
                free(v[i].path);
                free(v[i].claim);
        }
        free(v);
}

int kl_agent__local_volumes_list(const char *dir, struct kl_agent__local_volume **ret,
                                 size_t *ret_n)
{
        struct kl_agent__local_volume *v = NULL;
        size_t n = 0;
        DIR *d = opendir(dir);

        *ret = NULL;
        *ret_n = 0;
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        for (struct dirent *de; (de = readdir(d));) {
                kl_autofree char *file = NULL;
                kl_autofree char *text = NULL;
                size_t len = 0;
                char *nl1, *nl2;

                if (!pv_name_ok(de->d_name) || strstr(de->d_name, ".tmp-"))
                        continue;
                file = kl_asprintf("%s/%s", dir, de->d_name);
                if (kl_read_file(file, LOCAL_RECORD_MAX, &text, &len) < 0)
                        continue;
                nl1 = strchr(text, '\n');
                nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
                if (!nl1 || !nl2 || text[0] != '/' || !strchr(nl1 + 1, '/'))
                        continue;
                *nl1 = *nl2 = '\0';
                v = kl_realloc(v, (n + 1) * sizeof(*v));
                v[n++] = (struct kl_agent__local_volume){ .pv = kl_strdup(de->d_name),
                                                          .path = kl_strdup(text),
                                                          .claim = kl_strdup(nl1 + 1) };
        }
        closedir(d);
        *ret = v;
        *ret_n = n;
        return 0;
}

int kl_agent__local_volume_remove(const char *dir, const struct kl_agent__local_volume *v,
                                  struct kl_err **err)
{
        kl_autofree char *parent = kl_strdup(v->path);
        kl_autofree char *record = NULL;
        char *slash = strrchr(parent, '/');
        kl_autoclose int fd = -EBADF;
        int r;

        if (!pv_name_ok(v->pv) || !slash || !slash[1] || kl_streq(slash + 1, "..") ||
            kl_streq(slash + 1, "."))
                return kl_err_set_msg(err, -EINVAL, "local volume %s: bad path `%s`", v->pv,
                                      v->path);
        *slash = '\0';
        /* The parent by a descriptor, each component without following links. */
        fd = open(*parent ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno != ENOENT)
                return kl_err_set(err, -errno, "open %s", parent);
        if (fd >= 0) {
                r = kl_agent__vol_rm_at(fd, slash + 1);
                if (r < 0)
                        return kl_err_set(err, r, "remove %s", v->path);
        }
        record = kl_asprintf("%s/%s", dir, v->pv);
        if (unlink(record) < 0 && errno != ENOENT)
                return kl_err_set(err, -errno, "remove %s", record);
        return 0;
}

int kl_agent__vol_setup_claim(const struct kl_agent__vol_ctx *c, const json_t *vol,
                              const char *name, struct kl_agent__volumes *out, struct kl_err **err)
{
        kl_autofree char *claim = claim_of(c->pod, vol);
        const json_t *pvc, *pv, *spec, *ref, *owner;
        const char *volume,
                *pod_uid = kl_agent__vol_get_str(json_object_get(c->pod, "metadata"), "uid");
        bool readonly =
                kl_agent__vol_get_bool(json_object_get(vol, "persistentVolumeClaim"), "readOnly");
        size_t i;
        int r;

        if (kl_isempty(claim))
                return kl_err_set_msg(err, -EINVAL, "persistentVolumeClaim.claimName is required");
        pvc = json_object_get(c->refs ? c->refs->pvcs : NULL, claim);
        if (!pvc)
                return kl_err_set_msg(err, -ENOENT, "persistentvolumeclaim \"%s\" not found",
                                      claim);
        if (json_object_get(json_object_get(pvc, "metadata"), "deletionTimestamp"))
                return kl_err_set_msg(err, -ENOENT, "persistentvolumeclaim \"%s\" is being deleted",
                                      claim);
        if (json_object_get(vol, "ephemeral")) {
                /* Only the pod's own claim, as upstream checks the owner. */
                bool mine = false;

                json_array_foreach(
                        json_object_get(json_object_get(pvc, "metadata"), "ownerReferences"), i,
                        owner)
                        mine |= kl_agent__vol_get_bool(owner, "controller") &&
                                kl_streq_null(kl_agent__vol_get_str(owner, "uid"), pod_uid);
                const char *ns =
                        kl_agent__vol_get_str(json_object_get(c->pod, "metadata"), "namespace");
                const char *pod =
                        kl_agent__vol_get_str(json_object_get(c->pod, "metadata"), "name");

                if (!mine)
                        return kl_err_set_msg(err, -EPERM,
                                              "PVC %s/%s was not created for pod %s/%s (pod is "
                                              "not owner)",
                                              ns ? ns : "", claim, ns ? ns : "", pod ? pod : "");
        }
        volume = kl_agent__vol_get_str(json_object_get(pvc, "spec"), "volumeName");
        if (kl_isempty(volume) ||
            !kl_streq_null(kl_agent__vol_get_str(json_object_get(pvc, "status"), "phase"), "Bound"))
                return kl_err_set_msg(err, -EAGAIN, "persistentvolumeclaim \"%s\" is not bound",
                                      claim);
        pv = json_object_get(c->refs ? c->refs->pvs : NULL, volume);
        if (!pv)
                return kl_err_set_msg(err, -ENOENT, "persistentvolume \"%s\" not found", volume);
        spec = json_object_get(pv, "spec");
        ref = json_object_get(spec, "claimRef");
        if (!ref)
                return kl_err_set_msg(err, -EAGAIN,
                                      "found PV object %s but it has a nil pv.Spec.ClaimRef "
                                      "indicating it is not yet bound to the claim",
                                      volume);
        if (!kl_streq_null(kl_agent__vol_get_str(ref, "uid"),
                           kl_agent__vol_get_str(json_object_get(pvc, "metadata"), "uid")))
                return kl_err_set_msg(
                        err, -EAGAIN,
                        "found PV object %s but its pv.Spec.ClaimRef.UID %s does "
                        "not point to claim.UID %s",
                        volume,
                        kl_agent__vol_get_str(ref, "uid") ? kl_agent__vol_get_str(ref, "uid") : "",
                        kl_agent__vol_get_str(json_object_get(pvc, "metadata"), "uid")
                                ? kl_agent__vol_get_str(json_object_get(pvc, "metadata"), "uid")
                                : "");
        if (kl_streq_null(kl_agent__vol_get_str(spec, "volumeMode"), "Block"))
                return kl_err_set_msg(err, -EOPNOTSUPP,
                                      "persistentvolume \"%s\": block volumes are not supported "
                                      "by kube-lite",
                                      volume);
        if (json_object_get(spec, "hostPath")) {
                const json_t *hp = json_object_get(spec, "hostPath");

                /* Not kl_agent__vol_get_str(): an annotation key has dots. */
                if (kl_streq_null(
                            json_string_value(json_object_get(
                                    json_object_get(json_object_get(pv, "metadata"), "annotations"),
                                    "pv.kubernetes.io/provisioned-by")),
                            LOCAL_PATH_PROVISIONER)) {
                        r = local_path_dir(kl_agent__vol_get_str(hp, "path"), err);
                        if (r < 0)
                                return r;
                        local_volume_record(c, volume, kl_agent__vol_get_str(hp, "path"), claim);
                }
                return kl_agent__vol_setup_host_path(hp, name, readonly, out, err);
        }
        if (json_object_get(spec, "local")) {
                /* A local volume's path must exist, as upstream's local plugin wants it. */
                json_auto_t *hp =
                        json_pack("{s:s?, s:s}", "path",
                                  kl_agent__vol_get_str(json_object_get(spec, "local"), "path"),
                                  "type", "Directory");

                return kl_agent__vol_setup_host_path(hp, name, readonly, out, err);
        }
        return kl_err_set_msg(err, -EOPNOTSUPP,
                              "persistentvolume \"%s\": only hostPath and local volumes are "
                              "supported by kube-lite",
                              volume);
}
