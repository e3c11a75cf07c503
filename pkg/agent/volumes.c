/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's volumes on disk (upstream's volume plugins, the part a
 * kubelet without attach/detach needs). Everything lives under the pod's
 * directory, <pod_dir>/volumes/<plugin>/<name>, with upstream's plugin
 * names, so a node's layout reads like a kubelet's:
 *
 *   kubernetes.io~empty-dir     a 0777 directory, or a tmpfs (medium Memory)
 *   kubernetes.io~configmap     files written by the atomic writer, on disk
 *   kubernetes.io~secret        files written by the atomic writer, on a tmpfs
 *   kubernetes.io~projected     files written by the atomic writer, on a tmpfs
 *   kubernetes.io~downward-api  files written by the atomic writer, on disk
 *
 * hostPath volumes are the host path itself; so are persistentVolumeClaim
 * (and generic ephemeral) volumes: the claim (refs->pvcs) must be Bound,
 * its volume (refs->pvs) a hostPath or local PersistentVolume whose path is
 * used, a local-path provisioner's directory made 0777 when missing. The atomic writer is
 * upstream's (pkg/volume/util/atomic_writer.go): the files go into a fresh
 * hidden directory ..<UTC timestamp>.<nanoseconds>, a ..data symlink is
 * swapped to it by rename(2), and each top-level name is a symlink
 * name -> ..data/name, so a container sees either the whole old set or
 * the whole new one. All of it is done relative to directory descriptors
 * opened with O_NOFOLLOW, and the recursive removal never follows a
 * symlink nor leaves its file system: nothing a container wrote into a
 * volume can point the agent at a host file.
 *
 * Blocking (disk, mounts): called on the pool by the pod worker, which
 * owns every struct here. /work/notes/readme-pods-volumes.md has the rules.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "json/json.h"

#define PLUGIN_EMPTY_DIR "kubernetes.io~empty-dir"
#define PLUGIN_CONFIGMAP "kubernetes.io~configmap"
#define PLUGIN_SECRET    "kubernetes.io~secret"
#define PLUGIN_PROJECTED "kubernetes.io~projected"
#define PLUGIN_DOWNWARD  "kubernetes.io~downward-api"

/* The atomic writer's reserved names. */
#define DATA_DIR     "..data"
#define DATA_DIR_TMP "..data_tmp"
#define LINK_TMP     "..link_tmp"

/* Upstream's validatePath limits. */
#define MAX_PATH_LEN 4096
#define MAX_NAME_LEN 255
/* A volume name is a DNS label (63) upstream; this only keeps paths sane. */
#define MAX_VOLUME_NAME 253
/* What an old data directory may hold before we stop comparing and rewrite it. */
#define MAX_OLD_ENTRIES 65536
#define MAX_OLD_DEPTH   64
/* /proc/self/mountinfo of a busy node: thousands of mounts of ~150 bytes. */
#define MOUNTINFO_MAX ((size_t)16 << 20)
/* Mounts stacked on one another under a pod directory: give up after this many rounds. */
#define MAX_UNMOUNT_ROUNDS 64

#define DEFAULT_MODE 0644

/* ------------------------------------------------------------------------- */
/* Results */

void kl_agent__volumes_release(struct kl_agent__volumes *v)
{
        if (!v)
                return;
        for (size_t i = 0; i < v->n; i++) {
                free(v->v[i].name);
                free(v->v[i].path);
        }
        free(v->v);
        v->v = NULL;
        v->n = 0;
}

const struct kl_agent__volume *kl_agent__volumes_find(const struct kl_agent__volumes *v,
                                                      const char *name)
{
        if (!v || !name)
                return NULL;
        for (size_t i = 0; i < v->n; i++)
                if (kl_streq(v->v[i].name, name))
                        return &v->v[i];
        return NULL;
}

static void volumes_add(struct kl_agent__volumes *v, const char *name, const char *path,
                        bool readonly)
{
        v->v = kl_realloc(v->v, (v->n + 1) * sizeof(*v->v));
        v->v[v->n++] = (struct kl_agent__volume){
                .name = kl_strdup(name),
                .path = kl_strdup(path),
                .readonly = readonly,
        };
}

static void volumes_releasep(struct kl_agent__volumes *v)
{
        kl_agent__volumes_release(v);
}

/* ------------------------------------------------------------------------- */
/* Payloads: the files a volume should hold */

struct file_proj {
        char *path; /* owned; cleaned, relative, validated */
        char *data; /* owned */
        size_t len;
        mode_t mode;
        size_t seq; /* order of arrival: of two equal paths the later wins */
};

/*
 * Files are appended in any order; payload_finish() sorts them by path,
 * keeps the last of equal paths and lists the top-level names, so that
 * every later lookup is a binary search (a ConfigMap may hold many keys).
 */
struct payload {
        struct file_proj *f; /* owned */
        size_t n;
        char **tops; /* owned: the top-level names, sorted, unique (after payload_finish) */
        size_t n_tops;
};

static void payload_release(struct payload *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->f[i].path);
                free(p->f[i].data);
        }
        free(p->f);
        kl_strv_free(p->tops);
        *p = (struct payload){ 0 };
}

/*
 * Upstream's validatePath, then filepath.Clean: not empty, not absolute,
 * at most 4096 bytes, no ".." element, no element over 255 bytes, and not
 * starting with ".." (the writer's own names). The first element is
 * checked again after cleaning, which upstream does not do ("./..data"
 * would otherwise reach the reserved names).
 */
static int clean_path(const char *path, char **ret, struct kl_err **err)
{
        struct kl_buf out = KL_BUF_INIT;
        const char *p = path;
        bool first = true;

        if (kl_isempty(path))
                return kl_err_set_msg(err, -EINVAL, "invalid path: must not be empty: \"\"");
        if (path[0] == '/')
                return kl_err_set_msg(err, -EINVAL, "invalid path: must be relative path: %s",
                                      path);
        if (strlen(path) > MAX_PATH_LEN)
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid path: must be less than or equal to %d characters",
                                      MAX_PATH_LEN);
        while (*p) {
                size_t n = strcspn(p, "/");

                if (n == 2 && p[0] == '.' && p[1] == '.') {
                        kl_buf_release(&out);
                        return kl_err_set_msg(err, -EINVAL,
                                              "invalid path: must not contain '..': %s", path);
                }
                if (n > MAX_NAME_LEN) {
                        kl_buf_release(&out);
                        return kl_err_set_msg(
                                err, -EINVAL,
                                "invalid path: filenames must be less than or equal to %d characters",
                                MAX_NAME_LEN);
                }
                if (first && n > 2 && p[0] == '.' && p[1] == '.') {
                        kl_buf_release(&out);
                        return kl_err_set_msg(err, -EINVAL,
                                              "invalid path: must not start with '..': %s", path);
                }
                first = false;
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (out.len > 0)
                                (void)kl_buf_putc(&out, '/');
                        (void)kl_buf_append(&out, p, n);
                }
                p += n;
                if (*p == '/')
                        p++;
        }
        if (out.len == 0 || kl_startswith(out.buf, "..")) {
                kl_buf_release(&out);
                return kl_err_set_msg(err, -EINVAL, "invalid path: %s", path);
        }
        *ret = kl_buf_detach(&out, NULL);
        return 0;
}

/* Append (a later equal path wins in payload_finish(), as in upstream's payload map). */
static void payload_put_take(struct payload *p, char *path, char *data, size_t len, mode_t mode)
{
        p->f = kl_realloc(p->f, (p->n + 1) * sizeof(*p->f));
        p->f[p->n] = (struct file_proj){
                .path = path, .data = data, .len = len, .mode = mode, .seq = p->n
        };
        p->n++;
}

static int payload_put(struct payload *p, const char *raw_path, const char *data, size_t len,
                       mode_t mode, struct kl_err **err)
{
        char *path = NULL;
        int r = clean_path(raw_path, &path, err);

        if (r < 0)
                return r;
        payload_put_take(p, path, kl_memdup(data, len + 1), len, mode);
        return 0;
}

static int cmp_file_proj(const void *a, const void *b)
{
        const struct file_proj *x = a, *y = b;
        int c = strcmp(x->path, y->path);

        if (c != 0)
                return c;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, and no path both a file and a directory ("a" and "a/b"). */
static int payload_finish(struct payload *p, struct kl_err **err)
{
        size_t kept = 0;

        if (p->n > 1)
                qsort(p->f, p->n, sizeof(*p->f), cmp_file_proj);
        for (size_t i = 0; i < p->n; i++) {
                if (i + 1 < p->n && kl_streq(p->f[i].path, p->f[i + 1].path)) {
                        free(p->f[i].path);
                        free(p->f[i].data);
                        continue;
                }
                p->f[kept++] = p->f[i];
        }
        p->n = kept;
        for (size_t i = 0; i < p->n; i++) {
                const char *path = p->f[i].path;
                size_t len = strcspn(path, "/");

                /* Sorted: the paths of one top-level name are next to each other. */
                if (i > 0 && strncmp(p->f[i - 1].path, path, len) == 0 &&
                    (p->f[i - 1].path[len] == '/' || p->f[i - 1].path[len] == '\0'))
                        continue;
                kl_strv_push_take(&p->tops, kl_strndup(path, len));
                p->n_tops++;
        }
        if (p->n_tops > 1)
                qsort(p->tops, p->n_tops, sizeof(*p->tops), cmp_str);
        /* Sorted: the paths that start with "a" follow "a" in one block. */
        for (size_t i = 0; i < p->n; i++) {
                for (size_t j = i + 1; j < p->n; j++) {
                        const char *rest = kl_startswith(p->f[j].path, p->f[i].path);

                        if (!rest)
                                break;
                        if (*rest == '/')
                                return kl_err_set_msg(
                                        err, -EINVAL,
                                        "invalid payload: path %s is both a file and a directory",
                                        p->f[i].path);
                }
        }
        return 0;
}

/* A file mode from the spec: 0..0777, as upstream's validation allows. */
static int get_mode(const json_t *obj, const char *key, mode_t fallback, mode_t *ret,
                    struct kl_err **err)
{
        int64_t v = 0;
        int r = kl_json_get_int64(obj, key, &v, NULL);

        if (r == -ENOENT) {
                *ret = fallback;
                return 0;
        }
        if (r < 0 || v < 0 || v > 0777)
                return kl_err_set_msg(err, -EINVAL,
                                      "invalid %s: must be a number between 0 and 0777 (octal), "
                                      "both inclusive",
                                      key);
        *ret = (mode_t)v;
        return 0;
}

static bool get_bool(const json_t *obj, const char *key)
{
        bool b = false;

        return kl_json_get_bool(obj, key, &b, NULL) == 0 && b;
}

static const char *get_str(const json_t *obj, const char *key)
{
        const char *s = NULL;

        return kl_json_get_str(obj, key, &s, NULL) == 0 ? s : NULL;
}

/* Strict base64 (standard alphabet, padded), as Go's encoding/json reads []byte. */
static int base64_decode(const char *in, size_t len, char **ret, size_t *ret_len)
{
        static const char alphabet[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        kl_autofree char *out = NULL;
        size_t o = 0;

        if (len % 4 != 0)
                return -EINVAL;
        out = kl_malloc(len / 4 * 3 + 1);
        for (size_t i = 0; i < len; i += 4) {
                unsigned v = 0;
                int pad = 0;

                for (size_t k = 0; k < 4; k++) {
                        const char *c;

                        if (in[i + k] == '=' && i + 4 == len && k >= 2) {
                                pad++;
                                v <<= 6;
                                continue;
                        }
                        if (pad || in[i + k] == '\0')
                                return -EINVAL;
                        c = strchr(alphabet, in[i + k]);
                        if (!c || in[i + k] == '=')
                                return -EINVAL;
                        v = (v << 6) | (unsigned)(c - alphabet);
                }
                out[o++] = (char)(v >> 16);
                if (pad < 2)
                        out[o++] = (char)(v >> 8 & 0xff);
                if (pad < 1)
                        out[o++] = (char)(v & 0xff);
        }
        out[o] = '\0';
        *ret = KL_TAKE_PTR(out);
        *ret_len = o;
        return 0;
}

/* A key of a ConfigMap (data, then binaryData) or a Secret (data, base64). 1 found, 0 not. */
static int object_key(const json_t *obj, bool secret, const char *key, char **ret, size_t *ret_len,
                      struct kl_err **err)
{
        const char *kind = secret ? "secret" : "configmap";
        json_t *v = json_object_get(json_object_get(obj, "data"), key);
        bool base64 = secret;

        if (!v && !secret) {
                v = json_object_get(json_object_get(obj, "binaryData"), key);
                base64 = true;
        }
        if (!v)
                return 0;
        /* The API server's types make these strings; anything else is a broken object. */
        if (!json_is_string(v))
                return kl_err_set_msg(err, -EINVAL, "%s key %s: not a string", kind, key);
        if (!base64) {
                *ret = kl_memdup(json_string_value(v), json_string_length(v) + 1);
                *ret_len = json_string_length(v);
                return 1;
        }
        if (base64_decode(json_string_value(v), json_string_length(v), ret, ret_len) < 0)
                return kl_err_set_msg(err, -EINVAL, "%s key %s: invalid base64 data", kind, key);
        return 1;
}

/* Every key of the object, sorted (jansson iterates in insertion order). */
static char **object_keys(const json_t *obj, bool secret)
{
        char **keys = NULL;
        const char *k;
        json_t *v;

        /* A key in both data and binaryData (refused by the API) is written once. */
        json_object_foreach(json_object_get(obj, "data"), k, v)
                kl_strv_push(&keys, k);
        if (!secret)
                json_object_foreach(json_object_get(obj, "binaryData"), k, v)
                        kl_strv_push(&keys, k);
        return keys;
}

/*
 * Upstream's configmap.MakePayload and secret.MakePayload: without items,
 * every key under defaultMode; with items, each named key at its path
 * (its own mode, else defaultMode), a missing key an error unless the
 * source is optional. `obj` NULL: an optional object that does not exist.
 */
static int make_key_payload(const json_t *items, const json_t *obj, bool secret,
                            mode_t default_mode, bool optional, struct payload *p,
                            struct kl_err **err)
{
        size_t idx;
        json_t *item;
        int r;

        if (json_array_size(items) == 0) {
                kl_autostrv char **keys = object_keys(obj, secret);

                for (char **k = keys; k && *k; k++) {
                        kl_autofree char *data = NULL;
                        size_t len = 0;

                        r = object_key(obj, secret, *k, &data, &len, err);
                        if (r < 0)
                                return r;
                        if (KL_NEVER(r == 0))
                                continue;
                        r = payload_put(p, *k, data, len, default_mode, err);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        json_array_foreach(items, idx, item) {
                const char *key = get_str(item, "key");
                const char *path = get_str(item, "path");
                kl_autofree char *data = NULL;
                size_t len = 0;
                mode_t mode = default_mode;

                r = key ? object_key(obj, secret, key, &data, &len, err) : 0;
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (optional)
                                continue;
                        if (secret)
                                return kl_err_set_msg(err, -ENOENT,
                                                      "references non-existent secret key: %s",
                                                      key ? key : "");
                        return kl_err_set_msg(err, -ENOENT,
                                              "configmap references non-existent config key: %s",
                                              key ? key : "");
                }
                r = get_mode(item, "mode", default_mode, &mode, err);
                if (r < 0)
                        return r;
                r = payload_put(p, path ? path : "", data, len, mode, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static const json_t *find_ref(const json_t *map, const char *name)
{
        return name ? json_object_get(map, name) : NULL;
}

/* A configMap or secret source: the object, or NULL when optional and missing. */
static int key_source_payload(const json_t *src, const char *name_key,
                              const struct kl_agent__pod_refs *refs, bool secret,
                              mode_t default_mode, struct payload *p, struct kl_err **err)
{
        const char *name = get_str(src, name_key);
        bool optional = get_bool(src, "optional");
        const json_t *obj =
                find_ref(refs ? (secret ? refs->secrets : refs->configmaps) : NULL, name);

        if (!obj && !optional)
                return kl_err_set_msg(err, -ENOENT, "%s \"%s\" not found",
                                      secret ? "secret" : "configmap", name ? name : "");
        return make_key_payload(json_object_get(src, "items"), obj, secret, default_mode, optional,
                                p, err);
}

static const json_t *find_container(const json_t *pod, const char *name)
{
        static const char *const lists[] = { "containers", "initContainers" };

        for (size_t l = 0; l < KL_ARRAY_SIZE(lists); l++) {
                json_t *arr = json_object_get(json_object_get(pod, "spec"), lists[l]);
                size_t i;
                json_t *c;

                json_array_foreach(arr, i, c)
                        if (name && kl_streq_null(get_str(c, "name"), name))
                                return c;
        }
        return NULL;
}

/*
 * Errors of several sources, as upstream's utilerrors.NewAggregate prints
 * them: one error alone, or "[a, b]". Returns the first code.
 */
struct agg {
        struct kl_buf msg;
        size_t n;
        int code;
        char *first; /* owned: the first message, for n == 1 */
};

static void agg_add(struct agg *a, int r, struct kl_err *e)
{
        if (a->n == 0) {
                a->code = r;
                a->first = kl_strdup(kl_err_msg(e));
        }
        (void)kl_buf_printf(&a->msg, "%s%s", a->n ? ", " : "", kl_err_msg(e));
        a->n++;
}

static int agg_finish(struct agg *a, struct kl_err **err)
{
        int r = 0;

        if (a->n == 1)
                r = kl_err_set_msg(err, a->code, "%s", a->first);
        else if (a->n > 1)
                r = kl_err_set_msg(err, a->code, "[%s]", a->msg.buf);
        kl_buf_release(&a->msg);
        free(a->first);
        return r;
}

/* Upstream's downwardapi.CollectData: fieldRef and resourceFieldRef items, errors aggregated. */
static int downward_payload(const json_t *items, const json_t *pod,
                            const struct kl_agent__node_facts *node, mode_t default_mode,
                            struct payload *p, struct kl_err **err)
{
        struct agg agg = { .msg = KL_BUF_INIT };
        size_t idx;
        json_t *item;

        json_array_foreach(items, idx, item) {
                kl_autoerr struct kl_err *e = NULL;
                kl_autofree char *value = NULL;
                const json_t *fref = json_object_get(item, "fieldRef");
                const json_t *rref = json_object_get(item, "resourceFieldRef");
                mode_t mode = default_mode;
                int r;

                r = get_mode(item, "mode", default_mode, &mode, &e);
                if (r >= 0 && fref) {
                        const char *fp = get_str(fref, "fieldPath");

                        r = kl_agent__field_ref(pod, node, fp ? fp : "", &value, &e);
                } else if (r >= 0 && rref) {
                        const char *cname = get_str(rref, "containerName");
                        const char *res = get_str(rref, "resource");
                        const json_t *ctr = find_container(pod, cname);
                        struct kl_quantity q;
                        char div[KL_QUANTITY_STRING_MAX];
                        bool has_div = kl_json_get_quantity(rref, "divisor", &q, NULL) == 0;

                        if (has_div)
                                (void)kl_quantity_format(&q, div, sizeof(div));
                        if (!ctr)
                                r = kl_err_set_msg(&e, -ENOENT, "container %s not found",
                                                   cname ? cname : "");
                        else
                                r = kl_agent__resource_ref(ctr, node, res ? res : "",
                                                           has_div ? div : NULL, &value, &e);
                }
                if (r >= 0) {
                        const char *v = value ? value : "";
                        const char *path = get_str(item, "path");

                        r = payload_put(p, path ? path : "", v, strlen(v), mode, &e);
                }
                if (r < 0)
                        agg_add(&agg, r, e);
        }
        return agg_finish(&agg, err);
}

/* Upstream's projected collectData: every source in order, later paths win, errors aggregated. */
static int projected_payload(const json_t *vol, const json_t *pod,
                             const struct kl_agent__pod_refs *refs,
                             const struct kl_agent__node_facts *node, struct payload *p,
                             struct kl_err **err)
{
        const json_t *src = json_object_get(vol, "projected");
        struct agg agg = { .msg = KL_BUF_INIT };
        mode_t default_mode = DEFAULT_MODE;
        size_t idx;
        json_t *s;
        int r;

        r = get_mode(src, "defaultMode", DEFAULT_MODE, &default_mode, err);
        if (r < 0) {
                kl_buf_release(&agg.msg);
                return r;
        }
        json_array_foreach(json_object_get(src, "sources"), idx, s) {
                kl_autoerr struct kl_err *e = NULL;
                const json_t *sub;

                r = 0;
                if ((sub = json_object_get(s, "secret"))) {
                        r = key_source_payload(sub, "name", refs, true, default_mode, p, &e);
                } else if ((sub = json_object_get(s, "configMap"))) {
                        r = key_source_payload(sub, "name", refs, false, default_mode, p, &e);
                } else if ((sub = json_object_get(s, "downwardAPI"))) {
                        r = downward_payload(json_object_get(sub, "items"), pod, node, default_mode,
                                             p, &e);
                } else if ((sub = json_object_get(s, "serviceAccountToken"))) {
                        /*
                         * The node's one token, when it has one: kube-lite
                         * has no TokenRequest yet, so audience and
                         * expirationSeconds are not honoured (see the note).
                         */
                        const char *tok = node ? node->service_account_token : NULL;
                        const char *path = get_str(sub, "path");

                        if (tok)
                                r = payload_put(p, path ? path : "", tok, strlen(tok), default_mode,
                                                &e);
                }
                /* clusterTrustBundle: not supported yet, skipped (see the note). */
                if (r < 0)
                        agg_add(&agg, r, e);
        }
        return agg_finish(&agg, err);
}

/* ------------------------------------------------------------------------- */
/* Removing trees: no symlink followed, no file system left */

/* A directory below `dirfd`, never through a symlink. */
static int open_dir_at(int dirfd, const char *name)
{
        return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * One pass over the directory `fd`: unlink everything but directories,
 * rmdir empty directories. Returns 1 with *ret_child (a new descriptor)
 * when a non-empty directory needs a visit first, 0 when the pass found
 * nothing left, 2 when it removed something (another pass is due: readdir
 * may skip entries while the directory changes).
 */
static int rm_pass(int fd, dev_t dev, int *ret_child)
{
        kl_autoclosedir DIR *d = NULL;
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        bool removed = false;
        struct dirent *de;

        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                int r = -errno;

                (void)kl_close(dfd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat st;

                if (kl_streq(de->d_name, ".") || kl_streq(de->d_name, ".."))
                        continue;
                if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
                                return -errno;
                        removed = true;
                        continue;
                }
                if (st.st_dev != dev)
                        return -EBUSY; /* a mount point: never removed through */
                if (unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0) {
                        removed = true;
                        continue;
                }
                if (errno == ENOENT)
                        continue;
                if (errno != ENOTEMPTY && errno != EEXIST)
                        return -errno;
                {
                        int child = open_dir_at(fd, de->d_name);
                        struct stat cst;

                        if (child < 0)
                                return errno == ENOENT ? 2 : -errno;
                        if (fstat(child, &cst) < 0 || cst.st_dev != dev ||
                            cst.st_ino != st.st_ino) {
                                (void)kl_close(child);
                                return -EBUSY;
                        }
                        *ret_child = child;
                        return 1;
                }
        }
        if (errno != 0)
                return -errno;
        return removed ? 2 : 0;
}

/*
 * Empty the directory `root` (a descriptor, borrowed). Depth-first without
 * recursion: it walks down into a non-empty subdirectory and back up
 * through "..", holding two descriptors at most, so a tree of any depth a
 * container made is removed. It never leaves the file system of `root`.
 */
static int rm_contents(int root)
{
        kl_autoclose int fd = fcntl(root, F_DUPFD_CLOEXEC, 3);
        size_t depth = 0;
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        for (;;) {
                int child = -EBADF;
                int r = rm_pass(fd, st.st_dev, &child);

                if (r < 0)
                        return r;
                if (r == 2)
                        continue;
                if (r == 1) {
                        (void)kl_close(fd);
                        fd = child;
                        depth++;
                        continue;
                }
                if (depth == 0)
                        return 0;
                {
                        int parent = open_dir_at(fd, "..");

                        if (parent < 0)
                                return -errno;
                        (void)kl_close(fd);
                        fd = parent;
                        depth--;
                }
        }
}

/* Remove `name` in `dirfd`, whatever it is; a directory with everything under it. ENOENT is 0. */
static int rm_at(int dirfd, const char *name)
{
        kl_autoclose int fd = -EBADF;
        struct stat st, dst;
        int r;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        if (fstat(dirfd, &dst) < 0)
                return -errno;
        if (dst.st_dev != st.st_dev)
                return -EBUSY;
        fd = open_dir_at(dirfd, name);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = rm_contents(fd);
        if (r < 0)
                return r;
        return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

/* ------------------------------------------------------------------------- */
/* The atomic writer */

/*
 * Add the entries below the directory `fd` (files and directories) to
 * *count. Deeper than MAX_OLD_DEPTH (a descriptor per level) or more than
 * MAX_OLD_ENTRIES: *count is SIZE_MAX, which no payload matches, and the
 * set is simply written again.
 */
static int count_entries(int fd, unsigned depth, size_t *count)
{
        kl_autoclosedir DIR *d = NULL;
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        struct dirent *de;

        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                int r = -errno;

                (void)kl_close(dfd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat st;

                if (kl_streq(de->d_name, ".") || kl_streq(de->d_name, ".."))
                        continue;
                if (++*count > MAX_OLD_ENTRIES) {
                        *count = SIZE_MAX;
                        return 0;
                }
                if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISDIR(st.st_mode)) {
                        kl_autoclose int sub = -EBADF;
                        int r;

                        if (depth >= MAX_OLD_DEPTH) {
                                *count = SIZE_MAX;
                                return 0;
                        }
                        sub = open_dir_at(fd, de->d_name);
                        if (sub < 0)
                                return -errno;
                        r = count_entries(sub, depth + 1, count);
                        if (r < 0 || *count == SIZE_MAX)
                                return r;
                }
        }
        return errno ? -errno : 0;
}

/* The paths a payload makes: its files and every parent directory. */
static size_t payload_tree_size(const struct payload *p)
{
        size_t n = 0;

        /* Sorted: a directory is new unless the previous path is under it too. */
        for (size_t i = 0; i < p->n; i++) {
                const char *path = p->f[i].path;
                const char *prev = i > 0 ? p->f[i - 1].path : "";

                n++;
                for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/'))
                        if (strncmp(prev, path, (size_t)(s - path) + 1) != 0)
                                n++;
        }
        return n;
}

static bool file_matches(int dirfd, const struct file_proj *f)
{
        kl_autoclose int fd = openat(dirfd, f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        kl_autofree char *text = NULL;
        struct stat st;
        size_t len = 0;

        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return false;
        if ((st.st_mode & 07777) != f->mode || (size_t)st.st_size != f->len)
                return false;
        if (kl_read_all_fd(fd, f->len, &text, &len) < 0 || len != f->len)
                return false;
        return memcmp(text, f->data, f->len) == 0;
}

/*
 * 1 when the data directory `old` holds exactly `p`: the same paths (no
 * more entries than the payload's files and their directories), the same
 * bytes and modes. 0 when it differs or is gone.
 */
static int payload_unchanged(int target, const char *old, const struct payload *p)
{
        kl_autoclose int fd = open_dir_at(target, old);
        size_t count = 0;
        int r;

        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = count_entries(fd, 0, &count);
        if (r < 0)
                return r;
        if (count != payload_tree_size(p))
                return 0;
        for (size_t i = 0; i < p->n; i++)
                if (!file_matches(fd, &p->f[i]))
                        return 0;
        return 1;
}

/* A new ..YYYY_MM_DD_HH_MM_SS.NNNNNNNNN directory (upstream's timestamp layout). */
static int make_ts_dir(int target, char **ret)
{
        struct timespec ts;
        struct tm tm;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return -errno;
        if (!gmtime_r(&ts.tv_sec, &tm))
                return -EOVERFLOW;
        for (long i = 0; i < 1000; i++) {
                char name[64];
                long ns = (ts.tv_nsec + i) % 1000000000L;

                (void)snprintf(name, sizeof(name), "..%04d_%02d_%02d_%02d_%02d_%02d.%09ld",
                               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                               tm.tm_sec, ns);
                if (mkdirat(target, name, 0755) < 0) {
                        if (errno == EEXIST)
                                continue;
                        return -errno;
                }
                /* 0755 whatever the umask: group and others must reach the files. */
                if (fchmodat(target, name, 0755, 0) < 0) {
                        int r = -errno;

                        (void)rm_at(target, name);
                        return r;
                }
                *ret = kl_strdup(name);
                return 0;
        }
        return -EEXIST;
}

static int write_payload(int dirfd, const struct payload *p)
{
        for (size_t i = 0; i < p->n; i++) {
                const struct file_proj *f = &p->f[i];
                kl_autoclose int fd = -EBADF;
                int r;

                for (const char *s = strchr(f->path, '/'); s; s = strchr(s + 1, '/')) {
                        kl_autofree char *dir = kl_strndup(f->path, (size_t)(s - f->path));

                        if (mkdirat(dirfd, dir, 0755) < 0) {
                                if (errno != EEXIST)
                                        return -errno;
                        } else if (fchmodat(dirfd, dir, 0755, 0) < 0) {
                                return -errno;
                        }
                }
                fd = openat(dirfd, f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            0600);
                if (fd < 0)
                        return -errno;
                r = kl_write_all(fd, f->data, f->len);
                if (r < 0)
                        return r;
                /* The mode as given, whatever the umask (upstream chmods after writing too). */
                if (fchmod(fd, f->mode) < 0)
                        return -errno;
        }
        return 0;
}

static bool payload_has_top(const struct payload *p, const char *name)
{
        return p->n_tops > 0 && bsearch(&name, p->tops, p->n_tops, sizeof(*p->tops), cmp_str);
}

/* Each top-level name a symlink to ..data/name; anything else in its place is replaced. */
static int make_visible_links(int target, const struct payload *p)
{
        for (size_t i = 0; i < p->n_tops; i++) {
                const char *name = p->tops[i];
                kl_autofree char *want = kl_asprintf(DATA_DIR "/%s", name);
                char have[MAX_PATH_LEN];
                ssize_t n = readlinkat(target, name, have, sizeof(have) - 1);
                int r;

                if (n >= 0) {
                        have[n] = '\0';
                        if (kl_streq(have, want))
                                continue;
                } else if (errno != ENOENT) {
                        r = rm_at(target, name); /* not a symlink: not ours to keep */
                        if (r < 0)
                                return r;
                }
                r = rm_at(target, LINK_TMP);
                if (r < 0)
                        return r;
                if (symlinkat(want, target, LINK_TMP) < 0)
                        return -errno;
                if (renameat(target, LINK_TMP, target, name) < 0)
                        return -errno;
        }
        return 0;
}

/*
 * Remove what the current data set does not use: other hidden entries
 * (old timestamped directories, a ..data_tmp left by a crash) and
 * top-level symlinks into ..data for names the payload no longer has.
 */
static int sweep(int target, const char *current, const struct payload *p)
{
        kl_autoclosedir DIR *d = NULL;
        kl_autostrv char **doomed = NULL;
        int dfd = fcntl(target, F_DUPFD_CLOEXEC, 3);
        struct dirent *de;

        if (dfd < 0)
                return -errno;
        d = fdopendir(dfd);
        if (!d) {
                int r = -errno;

                (void)kl_close(dfd);
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                const char *n = de->d_name;

                if (kl_streq(n, ".") || kl_streq(n, "..") || kl_streq(n, DATA_DIR) ||
                    kl_streq(n, current))
                        continue;
                if (kl_startswith(n, "..")) {
                        kl_strv_push(&doomed, n);
                } else if (!payload_has_top(p, n)) {
                        char have[MAX_PATH_LEN];
                        ssize_t len = readlinkat(target, n, have, sizeof(have) - 1);

                        if (len >= 0) {
                                have[len] = '\0';
                                if (kl_startswith(have, DATA_DIR "/"))
                                        kl_strv_push(&doomed, n);
                        }
                }
        }
        if (errno != 0)
                return -errno;
        for (char **n = doomed; n && *n; n++) {
                int r = rm_at(target, *n);

                if (r < 0)
                        return r;
        }
        return 0;
}

/*
 * Bring the directory `dir` to `p` (upstream's AtomicWriter.Write). 0:
 * nothing to do, 1: a new data set was written and swapped in.
 */
static int atomic_write(const char *dir, const struct payload *p, struct kl_err **err)
{
        kl_autoclose int target = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        kl_autofree char *fresh = NULL;
        char old[MAX_NAME_LEN + 1] = "";
        ssize_t n;
        int r;

        if (target < 0)
                return kl_err_set(err, -errno, "open '%s'", dir);
        n = readlinkat(target, DATA_DIR, old, sizeof(old) - 1);
        if (n < 0 && errno == EINVAL) {
                /* Not a symlink: nothing of ours; it would block the rename below. */
                r = rm_at(target, DATA_DIR);
                if (r < 0)
                        return kl_err_set(err, r, "remove '%s/" DATA_DIR "'", dir);
        } else if (n < 0 && errno != ENOENT) {
                return kl_err_set(err, -errno, "read link '%s/" DATA_DIR "'", dir);
        }
        old[n > 0 ? n : 0] = '\0';
        /* Only one of ours counts: "..<timestamp>", one element. */
        if (!kl_startswith(old, "..") || strchr(old, '/') || kl_streq(old, "..") ||
            kl_streq(old, DATA_DIR))
                old[0] = '\0';

        if (old[0]) {
                r = payload_unchanged(target, old, p);
                if (r < 0)
                        return kl_err_set(err, r, "read '%s/%s'", dir, old);
                if (r > 0) {
                        /* Up to date; the links may still be missing (upstream #121472). */
                        r = make_visible_links(target, p);
                        if (r >= 0)
                                r = sweep(target, old, p);
                        if (r < 0)
                                return kl_err_set(err, r, "update links in '%s'", dir);
                        return 0;
                }
        }

        r = make_ts_dir(target, &fresh);
        if (r < 0 || KL_NEVER(!fresh))
                return kl_err_set(err, r < 0 ? r : -EIO, "create a data directory in '%s'", dir);
        {
                kl_autoclose int fd = open_dir_at(target, fresh);

                r = fd < 0 ? -errno : write_payload(fd, p);
        }
        if (r < 0) {
                (void)rm_at(target, fresh);
                return kl_err_set(err, r, "write '%s/%s'", dir, fresh);
        }
        r = make_visible_links(target, p);
        if (r < 0) {
                (void)rm_at(target, fresh);
                return kl_err_set(err, r, "create links in '%s'", dir);
        }
        r = rm_at(target, DATA_DIR_TMP);
        if (r >= 0)
                r = KL_NEG_ERRNO(symlinkat(fresh, target, DATA_DIR_TMP));
        if (r >= 0)
                r = KL_NEG_ERRNO(renameat(target, DATA_DIR_TMP, target, DATA_DIR));
        if (r < 0) {
                (void)rm_at(target, DATA_DIR_TMP);
                (void)rm_at(target, fresh);
                return kl_err_set(err, r, "swap '%s/" DATA_DIR "'", dir);
        }
        r = sweep(target, fresh, p);
        if (r < 0)
                return kl_err_set(err, r, "remove old data in '%s'", dir);
        return 1;
}

/* ------------------------------------------------------------------------- */
/* Directories and tmpfs */

/* A directory at `path` (not a symlink), made with `mode` when missing (chmod'ed to it). */
static int ensure_dir(const char *path, mode_t mode, bool force_mode, struct kl_err **err)
{
        struct stat st;

        if (mkdir(path, mode) == 0) {
                if (chmod(path, mode) < 0)
                        return kl_err_set(err, -errno, "chmod '%s'", path);
                return 0;
        }
        if (errno != EEXIST)
                return kl_err_set(err, -errno, "create '%s'", path);
        if (lstat(path, &st) < 0)
                return kl_err_set(err, -errno, "stat '%s'", path);
        if (!S_ISDIR(st.st_mode))
                return kl_err_set_msg(err, -ENOTDIR, "'%s' exists and is not a directory", path);
        if (force_mode && (st.st_mode & 07777) != mode && chmod(path, mode) < 0)
                return kl_err_set(err, -errno, "chmod '%s'", path);
        return 0;
}

/* Whether `path` is the root of a tmpfs mount: its own device, and tmpfs. */
static int is_tmpfs_root(const char *path)
{
        kl_autofree char *parent = kl_asprintf("%s/..", path);
        struct stat st, pst;
        struct statfs sfs;

        if (lstat(path, &st) < 0 || lstat(parent, &pst) < 0 || statfs(path, &sfs) < 0)
                return -errno;
        return st.st_dev != pst.st_dev && sfs.f_type == TMPFS_MAGIC;
}

/* A tmpfs at `path` (once: setup runs at every sync). size 0: no size option (the kernel's half of
 * RAM). */
static int ensure_tmpfs(const char *path, int64_t size, struct kl_err **err)
{
        char opts[64] = "";
        int r = is_tmpfs_root(path);

        if (r < 0)
                return kl_err_set(err, r, "stat '%s'", path);
        if (r > 0)
                return 0;
        if (size > 0)
                (void)snprintf(opts, sizeof(opts), "size=%lld", (long long)size);
        if (mount("tmpfs", path, "tmpfs", 0, opts[0] ? opts : NULL) < 0)
                return kl_err_set(err, -errno, "mount tmpfs on '%s'", path);
        return 0;
}

/* A quantity in bytes from `obj` at `path`; 0 when absent or not positive. */
static int64_t get_bytes(const json_t *obj, const char *path)
{
        struct kl_quantity q;
        int64_t v = 0;

        if (kl_json_get_quantity(obj, path, &q, NULL) < 0 || kl_quantity_value(&q, &v) < 0)
                return 0;
        return v > 0 ? v : 0;
}

/*
 * The pod's memory limit as upstream's ResourceConfigForPod sees it: only
 * when every container declares one; app containers and sidecars add up,
 * an init container counts with the sidecars started before it, the larger
 * wins, plus spec.overhead. 0: not limited.
 */
static int64_t pod_memory_limit(const json_t *pod)
{
        const json_t *spec = json_object_get(pod, "spec");
        int64_t apps = 0, sidecars = 0, init_max = 0, total;
        size_t i;
        json_t *c;

        json_array_foreach(json_object_get(spec, "initContainers"), i, c) {
                int64_t m = get_bytes(c, "resources.limits.memory");
                const char *rp = get_str(c, "restartPolicy");

                if (m <= 0)
                        return 0;
                if (rp && kl_streq(rp, "Always")) {
                        sidecars += m;
                } else if (m + sidecars > init_max) {
                        init_max = m + sidecars;
                }
        }
        json_array_foreach(json_object_get(spec, "containers"), i, c) {
                int64_t m = get_bytes(c, "resources.limits.memory");

                if (m <= 0)
                        return 0;
                apps += m;
        }
        total = KL_MAX(apps + sidecars, init_max);
        return total + get_bytes(spec, "overhead.memory");
}

/*
 * The size of a memory-backed emptyDir (upstream's
 * calculateEmptyDirMemorySize): the node's allocatable memory, lowered to
 * the pod's memory limit, lowered to the volume's sizeLimit; each only
 * when it is positive and not above the current bound. 0: no size option.
 */
static int64_t memory_volume_size(const json_t *pod, const struct kl_agent__node_facts *node,
                                  int64_t size_limit)
{
        int64_t size = node && node->alloc_memory > 0 ? node->alloc_memory : 0;
        int64_t pod_limit = pod_memory_limit(pod);

        if (pod_limit > 0 && (size == 0 || pod_limit <= size))
                size = pod_limit;
        if (size_limit > 0 && (size == 0 || size_limit <= size))
                size = size_limit;
        return size;
}

/* ------------------------------------------------------------------------- */
/* The volume types */

struct ctx {
        const json_t *pod;
        const struct kl_agent__pod_refs *refs;
        const struct kl_agent__node_facts *node;
        const char *pod_dir;
};

static int plugin_dir(const struct ctx *c, const char *plugin, const char *name, char **ret,
                      struct kl_err **err)
{
        kl_autofree char *vols = kl_asprintf("%s/volumes", c->pod_dir);
        kl_autofree char *pdir = kl_asprintf("%s/%s", vols, plugin);
        int r;

        r = ensure_dir(vols, 0750, false, err);
        if (r >= 0)
                r = ensure_dir(pdir, 0750, false, err);
        if (r < 0)
                return r;
        *ret = kl_asprintf("%s/%s", pdir, name);
        return 0;
}

static int setup_empty_dir(const struct ctx *c, const json_t *vol, const char *name,
                           struct kl_agent__volumes *out, struct kl_err **err)
{
        const json_t *ed = json_object_get(vol, "emptyDir");
        const char *medium = get_str(ed, "medium");
        kl_autofree char *dir = NULL;
        int r;

        if (medium && *medium && !kl_streq(medium, "Memory")) {
                if (kl_startswith(medium, "HugePages"))
                        return kl_err_set_msg(err, -EOPNOTSUPP,
                                              "medium %s is not supported by kube-lite yet",
                                              medium);
                return kl_err_set_msg(err, -EINVAL, "unknown storage medium \"%s\"", medium);
        }
        r = plugin_dir(c, PLUGIN_EMPTY_DIR, name, &dir, err);
        if (r < 0)
                return r;
        if (medium && kl_streq(medium, "Memory")) {
                /* The directory's own mode is hidden by the tmpfs root's (1777), as upstream. */
                r = ensure_dir(dir, 0777, false, err);
                if (r >= 0)
                        r = ensure_tmpfs(
                                dir,
                                memory_volume_size(c->pod, c->node, get_bytes(ed, "sizeLimit")),
                                err);
        } else {
                r = ensure_dir(dir, 0777, true, err);
        }
        if (r < 0)
                return r;
        volumes_add(out, name, dir, false);
        return 0;
}

/* configMap, secret, downwardAPI and projected: a payload through the atomic writer. */
static int setup_payload(const struct ctx *c, const json_t *vol, const char *name, const char *type,
                         struct kl_agent__volumes *out, struct kl_err **err)
{
        const json_t *src = json_object_get(vol, type);
        struct payload p = { 0 };
        kl_autofree char *dir = NULL;
        const char *plugin;
        bool tmpfs = false;
        mode_t default_mode = DEFAULT_MODE;
        int r = 0;

        if (kl_streq(type, "configMap")) {
                plugin = PLUGIN_CONFIGMAP;
                r = get_mode(src, "defaultMode", DEFAULT_MODE, &default_mode, err);
                if (r >= 0)
                        r = key_source_payload(src, "name", c->refs, false, default_mode, &p, err);
        } else if (kl_streq(type, "secret")) {
                plugin = PLUGIN_SECRET;
                tmpfs = true;
                r = get_mode(src, "defaultMode", DEFAULT_MODE, &default_mode, err);
                if (r >= 0)
                        r = key_source_payload(src, "secretName", c->refs, true, default_mode, &p,
                                               err);
        } else if (kl_streq(type, "downwardAPI")) {
                plugin = PLUGIN_DOWNWARD;
                r = get_mode(src, "defaultMode", DEFAULT_MODE, &default_mode, err);
                if (r >= 0)
                        r = downward_payload(json_object_get(src, "items"), c->pod, c->node,
                                             default_mode, &p, err);
        } else {
                plugin = PLUGIN_PROJECTED;
                tmpfs = true; /* upstream projects every source on a tmpfs */
                r = projected_payload(vol, c->pod, c->refs, c->node, &p, err);
        }
        if (r >= 0)
                r = payload_finish(&p, err);
        if (r >= 0)
                r = plugin_dir(c, plugin, name, &dir, err);
        if (r >= 0)
                r = ensure_dir(dir, 0777, !tmpfs, err);
        if (r >= 0 && tmpfs)
                r = ensure_tmpfs(dir, memory_volume_size(c->pod, c->node, 0), err);
        if (r >= 0)
                r = atomic_write(dir, &p, err);
        payload_release(&p);
        if (r < 0)
                return r;
        volumes_add(out, name, dir, true);
        return 0;
}

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
static int setup_host_path(const json_t *hp, const char *name, bool readonly,
                           struct kl_agent__volumes *out, struct kl_err **err)
{
        const char *path = get_str(hp, "path");
        const char *type = get_str(hp, "type");
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
        volumes_add(out, name, path, readonly);
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
                return kl_strdup(get_str(src, "claimName") ? get_str(src, "claimName") : "");
        if (json_object_get(vol, "ephemeral"))
                return kl_asprintf("%s-%s",
                                   get_str(json_object_get(pod, "metadata"), "name")
                                           ? get_str(json_object_get(pod, "metadata"), "name")
                                           : "",
                                   get_str(vol, "name") ? get_str(vol, "name") : "");
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
                qsort(*ret, kl_strv_length(*ret), sizeof(**ret), cmp_str);
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
static void local_volume_record(const struct ctx *c, const char *pv, const char *path,
                                const char *claim)
{
        const char *dir = c->node->local_volumes_dir;
        const char *ns = get_str(json_object_get(c->pod, "metadata"), "namespace");
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
                r = rm_at(fd, slash + 1);
                if (r < 0)
                        return kl_err_set(err, r, "remove %s", v->path);
        }
        record = kl_asprintf("%s/%s", dir, v->pv);
        if (unlink(record) < 0 && errno != ENOENT)
                return kl_err_set(err, -errno, "remove %s", record);
        return 0;
}

static int setup_claim(const struct ctx *c, const json_t *vol, const char *name,
                       struct kl_agent__volumes *out, struct kl_err **err)
{
        kl_autofree char *claim = claim_of(c->pod, vol);
        const json_t *pvc, *pv, *spec, *ref, *owner;
        const char *volume, *pod_uid = get_str(json_object_get(c->pod, "metadata"), "uid");
        bool readonly = get_bool(json_object_get(vol, "persistentVolumeClaim"), "readOnly");
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
                        mine |= get_bool(owner, "controller") &&
                                kl_streq_null(get_str(owner, "uid"), pod_uid);
                const char *ns = get_str(json_object_get(c->pod, "metadata"), "namespace");
                const char *pod = get_str(json_object_get(c->pod, "metadata"), "name");

                if (!mine)
                        return kl_err_set_msg(err, -EPERM,
                                              "PVC %s/%s was not created for pod %s/%s (pod is "
                                              "not owner)",
                                              ns ? ns : "", claim, ns ? ns : "", pod ? pod : "");
        }
        volume = get_str(json_object_get(pvc, "spec"), "volumeName");
        if (kl_isempty(volume) ||
            !kl_streq_null(get_str(json_object_get(pvc, "status"), "phase"), "Bound"))
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
        if (!kl_streq_null(get_str(ref, "uid"), get_str(json_object_get(pvc, "metadata"), "uid")))
                return kl_err_set_msg(err, -EAGAIN,
                                      "found PV object %s but its pv.Spec.ClaimRef.UID %s does "
                                      "not point to claim.UID %s",
                                      volume, get_str(ref, "uid") ? get_str(ref, "uid") : "",
                                      get_str(json_object_get(pvc, "metadata"), "uid")
                                              ? get_str(json_object_get(pvc, "metadata"), "uid")
                                              : "");
        if (kl_streq_null(get_str(spec, "volumeMode"), "Block"))
                return kl_err_set_msg(err, -EOPNOTSUPP,
                                      "persistentvolume \"%s\": block volumes are not supported "
                                      "by kube-lite",
                                      volume);
        if (json_object_get(spec, "hostPath")) {
                const json_t *hp = json_object_get(spec, "hostPath");

                /* Not get_str(): an annotation key has dots. */
                if (kl_streq_null(
                            json_string_value(json_object_get(
                                    json_object_get(json_object_get(pv, "metadata"), "annotations"),
                                    "pv.kubernetes.io/provisioned-by")),
                            LOCAL_PATH_PROVISIONER)) {
                        r = local_path_dir(get_str(hp, "path"), err);
                        if (r < 0)
                                return r;
                        local_volume_record(c, volume, get_str(hp, "path"), claim);
                }
                return setup_host_path(hp, name, readonly, out, err);
        }
        if (json_object_get(spec, "local")) {
                /* A local volume's path must exist, as upstream's local plugin wants it. */
                json_auto_t *hp = json_pack("{s:s?, s:s}", "path",
                                            get_str(json_object_get(spec, "local"), "path"), "type",
                                            "Directory");

                return setup_host_path(hp, name, readonly, out, err);
        }
        return kl_err_set_msg(err, -EOPNOTSUPP,
                              "persistentvolume \"%s\": only hostPath and local volumes are "
                              "supported by kube-lite",
                              volume);
}

/* Volume types a kube-lite node cannot mount (yet). */
static const char *const unsupported[] = {
        "csi",
        "image",
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "nfs",
        "iscsi",
        "glusterfs",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "fc",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
};

static int setup_one(const struct ctx *c, const json_t *vol, const char *name,
                     struct kl_agent__volumes *out, struct kl_err **err)
{
        static const char *const payload_types[] = { "configMap", "secret", "downwardAPI",
                                                     "projected" };

        if (json_object_get(vol, "hostPath"))
                return setup_host_path(json_object_get(vol, "hostPath"), name, false, out, err);
        if (json_object_get(vol, "persistentVolumeClaim") || json_object_get(vol, "ephemeral"))
                return setup_claim(c, vol, name, out, err);
        if (json_object_get(vol, "emptyDir"))
                return setup_empty_dir(c, vol, name, out, err);
        for (size_t i = 0; i < KL_ARRAY_SIZE(payload_types); i++)
                if (json_object_get(vol, payload_types[i]))
                        return setup_payload(c, vol, name, payload_types[i], out, err);
        for (size_t i = 0; i < KL_ARRAY_SIZE(unsupported); i++)
                if (json_object_get(vol, unsupported[i]))
                        return kl_err_set_msg(err, -EOPNOTSUPP,
                                              "%s volumes are not supported by kube-lite yet",
                                              unsupported[i]);
        /* No source at all: upstream's defaulting makes it an emptyDir. */
        return setup_empty_dir(c, vol, name, out, err);
}

static bool volume_name_ok(const char *name)
{
        return !kl_isempty(name) && strlen(name) <= MAX_VOLUME_NAME && !strchr(name, '/') &&
               !kl_streq(name, ".") && !kl_streq(name, "..");
}

int kl_agent__volumes_setup(const json_t *pod, const struct kl_agent__pod_refs *refs,
                            const struct kl_agent__node_facts *node, const char *pod_dir,
                            struct kl_agent__volumes *ret, struct kl_err **err)
{
        static const struct kl_agent__node_facts no_facts = { 0 };
        kl_cleanup(volumes_releasep) struct kl_agent__volumes out = { 0 };
        struct ctx c = {
                .pod = pod, .refs = refs, .node = node ? node : &no_facts, .pod_dir = pod_dir
        };
        size_t i;
        json_t *vol;
        int r;

        r = kl_mkdir_p(pod_dir, 0750);
        if (r < 0)
                return kl_err_set(err, r, "create '%s'", pod_dir);
        json_array_foreach(json_object_get(json_object_get(pod, "spec"), "volumes"), i, vol) {
                const char *name = get_str(vol, "name");

                if (!volume_name_ok(name))
                        return kl_err_set_msg(err, -EINVAL, "invalid volume name \"%s\"",
                                              name ? name : "");
                r = setup_one(&c, vol, name, &out, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "MountVolume.SetUp failed for volume \"%s\" ",
                                           name);
        }
        *ret = out;
        out = (struct kl_agent__volumes){ 0 };
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Teardown */

/* mountinfo's octal escapes (\040 for a space, ...) undone in place. */
static void unescape_octal(char *s)
{
        char *o = s;

        for (char *p = s; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        *o++ = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
                        p += 3;
                } else {
                        *o++ = *p;
                }
        }
        *o = '\0';
}

/* The mount points at or below `root` (a canonical path), deepest first. */
static int mounts_below(const char *root, char ***ret, struct kl_err **err)
{
        kl_autofree char *text = NULL;
        kl_autostrv char **found = NULL;
        size_t rlen = strlen(root);
        char *save = NULL;
        int r = kl_read_file("/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL);

        if (r < 0)
                return kl_err_set(err, r, "read '/proc/self/mountinfo'");
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[5] = { 0 };
                char *fsave = NULL;
                size_t n = 0;

                for (char *t = strtok_r(line, " ", &fsave); t && n < KL_ARRAY_SIZE(f);
                     t = strtok_r(NULL, " ", &fsave))
                        f[n++] = t;
                if (n < 5)
                        continue;
                unescape_octal(f[4]);
                if (strncmp(f[4], root, rlen) == 0 && (f[4][rlen] == '/' || f[4][rlen] == '\0'))
                        kl_strv_push(&found, f[4]);
        }
        /* Deepest first: a longer path is never the parent of a shorter one. */
        for (size_t a = 0; found && found[a]; a++)
                for (size_t b = a + 1; found[b]; b++)
                        if (strlen(found[b]) > strlen(found[a])) {
                                char *t = found[a];

                                found[a] = found[b];
                                found[b] = t;
                        }
        *ret = KL_TAKE_PTR(found);
        return 0;
}

int kl_agent__volumes_teardown(const char *pod_dir, struct kl_err **err)
{
        kl_autofree char *real = realpath(pod_dir, NULL);
        kl_autofree char *parent = NULL;
        kl_autoclose int pfd = -EBADF;
        const char *base;
        int r;

        if (!real) {
                if (errno == ENOENT)
                        return 0;
                return kl_err_set(err, -errno, "resolve '%s'", pod_dir);
        }
        /*
         * Every mount below the pod's directory goes first, whatever its
         * type (tmpfs volumes, and anything else someone mounted there):
         * removing through a mount would delete what it shows. A busy
         * mount is detached (MNT_DETACH), as a kubelet's unmount of a
         * volume still held open somewhere would wait forever otherwise.
         */
        for (int round = 0;; round++) {
                kl_autostrv char **mounts = NULL;

                r = mounts_below(real, &mounts, err);
                if (r < 0)
                        return r;
                if (!mounts)
                        break;
                if (round == MAX_UNMOUNT_ROUNDS)
                        return kl_err_set_msg(err, -EBUSY, "cannot unmount '%s'", mounts[0]);
                for (char **m = mounts; *m; m++) {
                        if (umount2(*m, UMOUNT_NOFOLLOW) == 0 || errno == EINVAL || errno == ENOENT)
                                continue;
                        if (errno != EBUSY || umount2(*m, UMOUNT_NOFOLLOW | MNT_DETACH) < 0)
                                return kl_err_set(err, -errno, "unmount '%s'", *m);
                }
        }
        base = strrchr(real, '/');
        if (!base || kl_streq(real, "/"))
                return kl_err_set_msg(err, -EINVAL, "refusing to remove '%s'", real);
        parent = base == real ? kl_strdup("/") : kl_strndup(real, (size_t)(base - real));
        pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return kl_err_set(err, -errno, "open '%s'", parent);
        r = rm_at(pfd, base + 1);
        if (r < 0)
                return kl_err_set(err, r, "remove '%s'", real);
        return 0;
}
