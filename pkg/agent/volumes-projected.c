/* SPDX-License-Identifier: Apache-2.0 */
/*
 * configMap, secret, downwardAPI and projected volumes (volumes.c sets them
 * up): the files each should hold (a payload), and the atomic writer that
 * puts them on disk. The writer is upstream's
 * (pkg/volume/util/atomic_writer.go): the files go into a fresh hidden
 * directory ..<UTC timestamp>.<nanoseconds>, a ..data symlink is swapped to
 * it by rename(2), and each top-level name is a symlink name -> ..data/name,
 * so a container sees either the whole old set or the whole new one. All of
 * it is done relative to directory descriptors opened with O_NOFOLLOW.
 *
 * Blocking (disk, mounts): called on the pool by the pod worker, which
 * owns every struct here. /work/notes/readme-pods-volumes.md has the rules.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "json/json.h"

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
/* What an old data directory may hold before we stop comparing and rewrite it. */
#define MAX_OLD_ENTRIES 65536
#define MAX_OLD_DEPTH   64

#define DEFAULT_MODE 0644

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
                qsort(p->tops, p->n_tops, sizeof(*p->tops), kl_agent__vol_cmp_str);
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
                const char *key = kl_agent__vol_get_str(item, "key");
                const char *path = kl_agent__vol_get_str(item, "path");
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
        const char *name = kl_agent__vol_get_str(src, name_key);
        bool optional = kl_agent__vol_get_bool(src, "optional");
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
                        if (name && kl_streq_null(kl_agent__vol_get_str(c, "name"), name))
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
                        const char *fp = kl_agent__vol_get_str(fref, "fieldPath");

                        r = kl_agent__field_ref(pod, node, fp ? fp : "", &value, &e);
                } else if (r >= 0 && rref) {
                        const char *cname = kl_agent__vol_get_str(rref, "containerName");
                        const char *res = kl_agent__vol_get_str(rref, "resource");
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
                        const char *path = kl_agent__vol_get_str(item, "path");

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
                        const char *path = kl_agent__vol_get_str(sub, "path");

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
        struct dirent *de;
        int r = kl_agent__vol_opendir_fd(fd, &d);

        if (r < 0)
                return r;
        while ((de = kl_agent__vol_next_entry(d, &r))) {
                struct stat st;

                if (++*count > MAX_OLD_ENTRIES) {
                        *count = SIZE_MAX;
                        return 0;
                }
                if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISDIR(st.st_mode)) {
                        kl_autoclose int sub = -EBADF;

                        if (depth >= MAX_OLD_DEPTH) {
                                *count = SIZE_MAX;
                                return 0;
                        }
                        sub = kl_agent__vol_open_dir_at(fd, de->d_name);
                        if (sub < 0)
                                return -errno;
                        r = count_entries(sub, depth + 1, count);
                        if (r < 0 || *count == SIZE_MAX)
                                return r;
                }
        }
        return r;
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
        kl_autoclose int fd = kl_agent__vol_open_dir_at(target, old);
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

                        (void)kl_agent__vol_rm_at(target, name);
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
        return p->n_tops > 0 &&
               bsearch(&name, p->tops, p->n_tops, sizeof(*p->tops), kl_agent__vol_cmp_str);
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
                        r = kl_agent__vol_rm_at(target, name); /* not a symlink: not ours to keep */
                        if (r < 0)
                                return r;
                }
                r = kl_agent__vol_rm_at(target, LINK_TMP);
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
        struct dirent *de;
        int r = kl_agent__vol_opendir_fd(target, &d);

        if (r < 0)
                return r;
        while ((de = kl_agent__vol_next_entry(d, &r))) {
                const char *n = de->d_name;

                if (kl_streq(n, DATA_DIR) || kl_streq(n, current))
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
        if (r < 0)
                return r;
        for (char **n = doomed; n && *n; n++) {
                r = kl_agent__vol_rm_at(target, *n);
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
                r = kl_agent__vol_rm_at(target, DATA_DIR);
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
                kl_autoclose int fd = kl_agent__vol_open_dir_at(target, fresh);

                r = fd < 0 ? -errno : write_payload(fd, p);
        }
        if (r < 0) {
                (void)kl_agent__vol_rm_at(target, fresh);
                return kl_err_set(err, r, "write '%s/%s'", dir, fresh);
        }
        r = make_visible_links(target, p);
        if (r < 0) {
                (void)kl_agent__vol_rm_at(target, fresh);
                return kl_err_set(err, r, "create links in '%s'", dir);
        }
        r = kl_agent__vol_rm_at(target, DATA_DIR_TMP);
        if (r >= 0)
                r = KL_NEG_ERRNO(symlinkat(fresh, target, DATA_DIR_TMP));
        if (r >= 0)
                r = KL_NEG_ERRNO(renameat(target, DATA_DIR_TMP, target, DATA_DIR));
        if (r < 0) {
                (void)kl_agent__vol_rm_at(target, DATA_DIR_TMP);
                (void)kl_agent__vol_rm_at(target, fresh);
                return kl_err_set(err, r, "swap '%s/" DATA_DIR "'", dir);
        }
        r = sweep(target, fresh, p);
        if (r < 0)
                return kl_err_set(err, r, "remove old data in '%s'", dir);
        return 1;
}

/* ------------------------------------------------------------------------- */
/* The set-up (pod-internal.h) */

/* configMap, secret, downwardAPI and projected: a payload through the atomic writer. */
int kl_agent__vol_setup_payload(const struct kl_agent__vol_ctx *c, const json_t *vol,
                                const char *name, const char *type, struct kl_agent__volumes *out,
                                struct kl_err **err)
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
                r = kl_agent__vol_plugin_dir(c, plugin, name, &dir, err);
        if (r >= 0)
                r = kl_agent__vol_ensure_dir(dir, 0777, !tmpfs, err);
        if (r >= 0 && tmpfs)
                r = kl_agent__vol_ensure_tmpfs(dir, kl_agent__vol_memory_size(c->pod, c->node, 0),
                                               err);
        if (r >= 0)
                r = atomic_write(dir, &p, err);
        payload_release(&p);
        if (r < 0)
                return r;
        kl_agent__vol_add(out, name, dir, true);
        return 0;
}
