/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The content store: blobs by digest, the image index, and garbage
 * collection. README.md describes the layout and why it is crash-safe.
 */
#include "runtime/rt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/base.h"
#include "runtime/rt-internal.h"
#include "json/json.h"

#define INDEX_MAX ((size_t)16 << 20)
#define ANN_NAME  "org.opencontainers.image.ref.name"
#define ANN_MAN   "io.kube-lite.manifest"
#define ANN_PIN   "io.kube-lite.pinned"
#define ANN_USED  "io.kube-lite.last-used"

int kl_runtime__rm_rf(const char *path)
{
        struct stat st;
        int r = 0;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode)) {
                kl_autoclosedir DIR *d = NULL;
                struct dirent *de;

                /* A layer may hold directories without write permission for us. */
                (void)chmod(path, 0700);
                d = opendir(path);
                if (!d)
                        return -errno;
                while ((de = readdir(d))) {
                        if (kl_streq(de->d_name, ".") || kl_streq(de->d_name, ".."))
                                continue;
                        kl_autofree char *sub = kl_asprintf("%s/%s", path, de->d_name);
                        int q = kl_runtime__rm_rf(sub);
                        if (q < 0 && r == 0)
                                r = q;
                }
                if (rmdir(path) < 0 && r == 0)
                        r = -errno;
                return r;
        }
        return KL_NEG_ERRNO(unlink(path));
}

int kl_rt_store_open(const char *root, struct kl_rt_store **ret, struct kl_err **err)
{
        static const char *const dirs[] = { "blobs/sha256", "ingest", "snapshots" };
        kl_autofree char *real = NULL;
        struct kl_rt_store *s;
        int r;

        r = kl_mkdir_p(root, 0700);
        if (r < 0)
                return kl_err_set(err, r, "create store '%s'", root);
        real = realpath(root, NULL);
        if (!real)
                return kl_err_set(err, -errno, "resolve store '%s'", root);
        for (size_t i = 0; i < KL_ARRAY_SIZE(dirs); i++) {
                kl_autofree char *p = kl_asprintf("%s/%s", real, dirs[i]);
                r = kl_mkdir_p(p, 0700);
                if (r < 0)
                        return kl_err_set(err, r, "create '%s'", p);
        }
        kl_autofree char *layout = kl_asprintf("%s/oci-layout", real);
        if (access(layout, F_OK) < 0) {
                static const char text[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
                r = kl_write_file_atomic(layout, text, sizeof(text) - 1, 0644, 0);
                if (r < 0)
                        return kl_err_set(err, r, "write '%s'", layout);
        }
        s = kl_calloc(1, sizeof(*s));
        s->root = KL_TAKE_PTR(real);
        *ret = s;
        return 0;
}

void kl_rt_store_free(struct kl_rt_store *s)
{
        if (!s)
                return;
        free(s->root);
        free(s);
}

const char *kl_rt_store_root(const struct kl_rt_store *s)
{
        return s->root;
}

char *kl_rt_store_blob_path(const struct kl_rt_store *s, const char *digest)
{
        kl_assert(kl_rt_digest_is_valid(digest));
        return kl_asprintf("%s/blobs/sha256/%s", s->root, digest + 7);
}

bool kl_rt_store_has_blob(struct kl_rt_store *s, const char *digest, int64_t size)
{
        kl_autofree char *p = kl_rt_store_blob_path(s, digest);
        struct stat st;

        if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
                return false;
        return size < 0 || st.st_size == size;
}

/* ---- streaming writer ---- */

struct kl_rt_blob_writer {
        struct kl_rt_store *store; /* borrowed; outlives the writer */
        char *digest;              /* owned */
        char *tmp;                 /* owned: ingest/<hex> */
        int fd;                    /* owned, flock()ed */
        int64_t size, offset;
        EVP_MD_CTX *md; /* owned */
        bool committed;
};

void kl_rt_blob_writer_free(struct kl_rt_blob_writer *w)
{
        if (!w)
                return;
        if (w->fd >= 0)
                (void)kl_close(w->fd);
        EVP_MD_CTX_free(w->md);
        free(w->digest);
        free(w->tmp);
        free(w);
}

KL_DEFINE_CLEANUP_FUNC(struct kl_rt_blob_writer, kl_rt_blob_writer_free);

static int rehash(struct kl_rt_blob_writer *w)
{
        char chunk[65536];
        ssize_t n;

        if (lseek(w->fd, 0, SEEK_SET) < 0)
                return -errno;
        while ((n = read(w->fd, chunk, sizeof(chunk))) > 0) {
                kl_assert(EVP_DigestUpdate(w->md, chunk, (size_t)n) == 1);
                w->offset += n;
        }
        return n < 0 ? -errno : 0;
}

int kl_rt_blob_writer_restart(struct kl_rt_blob_writer *w, struct kl_err **err)
{
        if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
                return kl_err_set(err, -errno, "truncate '%s'", w->tmp);
        kl_assert(EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) == 1);
        w->offset = 0;
        return 0;
}

int kl_rt_blob_writer_open(struct kl_rt_store *s, const char *digest, int64_t size, unsigned flags,
                           struct kl_rt_blob_writer **ret, struct kl_err **err)
{
        kl_cleanup(kl_rt_blob_writer_freep) struct kl_rt_blob_writer *w = NULL;
        int r;

        if (!kl_rt_digest_is_valid(digest))
                return kl_err_set(err, -EINVAL, "unsupported digest '%s'", digest);
        if (size < 0)
                return kl_err_set(err, -EINVAL, "blob '%s': negative size", digest);
        w = kl_calloc(1, sizeof(*w));
        w->fd = -EBADF;
        w->store = s;
        w->digest = kl_strdup(digest);
        w->size = size;
        w->tmp = kl_asprintf("%s/ingest/%s", s->root, digest + 7);
        w->md = EVP_MD_CTX_new();
        kl_assert(w->md && EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) == 1);
        w->fd = open(w->tmp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (w->fd < 0)
                return kl_err_set(err, -errno, "open '%s'", w->tmp);
        /* Two pulls of one blob must not interleave their bytes in one ingest file. */
        for (;;) {
                if (flock(w->fd, LOCK_EX | ((flags & KL_RT_BLOB_WAIT) ? 0 : LOCK_NB)) == 0)
                        break;
                if (errno != EINTR)
                        return kl_err_set(err, errno == EWOULDBLOCK ? -EBUSY : -errno,
                                          "lock '%s': another download of this blob is running",
                                          w->tmp);
        }
        /*
         * The previous holder may have committed: then our fd is the published blob
         * (renamed away under us), which must never be written again.
         */
        if (kl_rt_store_has_blob(s, digest, size))
                return kl_err_set(err, -EEXIST, "blob '%s' already stored", digest);
        if (flags & KL_RT_BLOB_RESUME) {
                r = rehash(w);
                if (r < 0)
                        return kl_err_set(err, r, "read '%s'", w->tmp);
                if (w->offset > w->size) {
                        r = kl_rt_blob_writer_restart(w, err);
                        if (r < 0)
                                return r;
                }
        } else {
                r = kl_rt_blob_writer_restart(w, err);
                if (r < 0)
                        return r;
        }
        *ret = KL_TAKE_PTR(w);
        return 0;
}

int64_t kl_rt_blob_writer_offset(const struct kl_rt_blob_writer *w)
{
        return w->offset;
}

int kl_rt_blob_writer_write(struct kl_rt_blob_writer *w, const void *data, size_t len,
                            struct kl_err **err)
{
        int r;

        if (len > (uint64_t)(w->size - w->offset))
                return kl_err_set(err, -E2BIG, "blob '%s': more than the declared %lld bytes",
                                  w->digest, (long long)w->size);
        r = kl_write_all(w->fd, data, len);
        if (r < 0)
                return kl_err_set(err, r, "write '%s'", w->tmp);
        kl_assert(EVP_DigestUpdate(w->md, data, len) == 1);
        w->offset += (int64_t)len;
        return 0;
}

static int fsync_dir(const char *dir)
{
        kl_autoclose int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return KL_NEG_ERRNO(fsync(fd));
}

int kl_rt_blob_writer_commit(struct kl_rt_blob_writer *w, struct kl_err **err)
{
        unsigned char md[32];
        unsigned int mdlen = 0;
        char hex[65];
        int r;

        if (w->offset != w->size)
                return kl_err_set(err, -EIO, "blob '%s': %lld of %lld bytes", w->digest,
                                  (long long)w->offset, (long long)w->size);
        kl_assert(EVP_DigestFinal_ex(w->md, md, &mdlen) == 1 && mdlen == 32);
        kl_assert(EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) == 1);
        for (size_t i = 0; i < 32; i++) {
                hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
                hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
        }
        hex[64] = '\0';
        if (!kl_streq(hex, w->digest + 7)) {
                /* Wrong bytes are never worth resuming. */
                (void)unlink(w->tmp);
                w->offset = 0;
                return kl_err_set(err, -EILSEQ, "blob '%s': content has digest sha256:%s",
                                  w->digest, hex);
        }
        if (fsync(w->fd) < 0)
                return kl_err_set(err, -errno, "fsync '%s'", w->tmp);
        kl_autofree char *dst = kl_rt_store_blob_path(w->store, w->digest);
        if (rename(w->tmp, dst) < 0)
                return kl_err_set(err, -errno, "rename '%s' to '%s'", w->tmp, dst);
        kl_autofree char *dir = kl_asprintf("%s/blobs/sha256", w->store->root);
        r = fsync_dir(dir);
        if (r < 0)
                return kl_err_set(err, r, "fsync '%s'", dir);
        w->committed = true;
        return 0;
}

int kl_rt_store_put_blob(struct kl_rt_store *s, const void *data, size_t len, const char *digest,
                         char **ret_digest, struct kl_err **err)
{
        kl_cleanup(kl_rt_blob_writer_freep) struct kl_rt_blob_writer *w = NULL;
        kl_autofree char *actual = kl_rt_digest_of(data, len);
        int r;

        if (digest && !kl_streq(digest, actual))
                return kl_err_set(err, -EILSEQ, "blob '%s': content has digest %s", digest, actual);
        if (!kl_rt_store_has_blob(s, actual, (int64_t)len)) {
                r = kl_rt_blob_writer_open(s, actual, (int64_t)len, KL_RT_BLOB_WAIT, &w, err);
                if (r == -EEXIST) {
                        /* Another writer stored the same bytes meanwhile. */
                        if (err) {
                                kl_err_free(*err);
                                *err = NULL;
                        }
                        if (ret_digest)
                                *ret_digest = KL_TAKE_PTR(actual);
                        return 0;
                }
                if (r < 0)
                        return r;
                kl_assert(w);
                r = kl_rt_blob_writer_write(w, data, len, err);
                if (r < 0)
                        return r;
                r = kl_rt_blob_writer_commit(w, err);
                if (r < 0)
                        return r;
        }
        if (ret_digest)
                *ret_digest = KL_TAKE_PTR(actual);
        return 0;
}

int kl_rt_store_read_blob(struct kl_rt_store *s, const char *digest, size_t max, char **ret,
                          size_t *ret_len, struct kl_err **err)
{
        kl_autofree char *path = NULL, *data = NULL, *actual = NULL;
        size_t len = 0;
        int r;

        if (!kl_rt_digest_is_valid(digest))
                return kl_err_set(err, -EINVAL, "unsupported digest '%s'", digest);
        path = kl_rt_store_blob_path(s, digest);
        r = kl_read_file(path, max, &data, &len);
        if (r < 0)
                return kl_err_set(err, r, "read blob '%s'", digest);
        actual = kl_rt_digest_of(data, len);
        if (!kl_streq(actual, digest)) {
                (void)unlink(path);
                return kl_err_set(err, -EIO, "blob '%s' damaged on disk (has %s), removed", digest,
                                  actual);
        }
        *ret = KL_TAKE_PTR(data);
        if (ret_len)
                *ret_len = len;
        return 0;
}

/* ---- the image index ---- */

void kl_rt_image_release(struct kl_rt_image *img)
{
        free(img->name);
        free(img->digest);
        free(img->manifest);
        *img = (struct kl_rt_image){ 0 };
}

void kl_rt_images_free(struct kl_rt_image *imgs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                kl_rt_image_release(&imgs[i]);
        free(imgs);
}

static int index_load(struct kl_rt_store *s, json_t **ret, struct kl_err **err)
{
        kl_autofree char *path = kl_asprintf("%s/index.json", s->root);
        kl_autofree char *text = NULL;
        json_auto_t *doc = NULL;
        size_t len = 0;
        int r;

        r = kl_read_file(path, INDEX_MAX, &text, &len);
        if (r == -ENOENT) {
                doc = json_pack("{s:i, s:[]}", "schemaVersion", 2, "manifests");
                kl_assert(doc);
                *ret = KL_TAKE_PTR(doc);
                return 0;
        }
        if (r < 0)
                return kl_err_set(err, r, "read '%s'", path);
        r = kl_json_decode(text, len, INDEX_MAX, &doc, err);
        if (r < 0)
                return kl_err_wrap(err, r, "'%s'", path);
        if (!json_is_array(json_object_get(doc, "manifests")))
                return kl_err_set(err, -EINVAL, "'%s': no manifests array", path);
        *ret = KL_TAKE_PTR(doc);
        return 0;
}

static int index_save(struct kl_rt_store *s, const json_t *doc, struct kl_err **err)
{
        kl_autofree char *path = kl_asprintf("%s/index.json", s->root);
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        int r;

        r = kl_json_encode(doc, KL_JSON_ENCODE_CANONICAL, &b, err);
        if (r < 0)
                return r;
        r = kl_write_file_atomic(path, b.buf, b.len, 0644, 0);
        if (r < 0)
                return kl_err_set(err, r, "write '%s'", path);
        return 0;
}

static const char *ann(const json_t *d, const char *key)
{
        return json_string_value(json_object_get(json_object_get(d, "annotations"), key));
}

static int index_find(const json_t *doc, const char *name)
{
        json_t *d;
        size_t i;

        json_array_foreach(json_object_get(doc, "manifests"), i, d)
                if (kl_streq_null(ann(d, ANN_NAME), name))
                        return (int)i;
        return -ENOENT;
}

static int image_from_json(const json_t *d, struct kl_rt_image *ret)
{
        const char *name = ann(d, ANN_NAME),
                   *digest = json_string_value(json_object_get(d, "digest"));
        const char *man = ann(d, ANN_MAN), *used = ann(d, ANN_USED);
        int64_t t = 0;

        if (!name || !kl_rt_digest_is_valid(digest))
                return -EINVAL;
        if (used)
                (void)kl_parse_int64(used, &t);
        *ret = (struct kl_rt_image){
                .name = kl_strdup(name),
                .digest = kl_strdup(digest),
                .manifest = kl_strdup(man && kl_rt_digest_is_valid(man) ? man : digest),
                .flags = kl_streq_null(ann(d, ANN_PIN), "true") ? KL_RT_IMAGE_PINNED : 0,
                .last_used = t,
        };
        return 0;
}

int kl_rt_store_image_put(struct kl_rt_store *s, const struct kl_rt_image *img, struct kl_err **err)
{
        json_auto_t *doc = NULL;
        json_t *d, *a;
        struct stat st;
        int i, r;

        if (!kl_rt_digest_is_valid(img->digest) ||
            (img->manifest && !kl_rt_digest_is_valid(img->manifest)))
                return kl_err_set(err, -EINVAL, "image '%s': bad digest", img->name);
        kl_autofree char *path = kl_rt_store_blob_path(s, img->digest);
        if (stat(path, &st) < 0)
                return kl_err_set(err, -errno, "image '%s': manifest blob '%s'", img->name,
                                  img->digest);
        /* The descriptor's mediaType is the manifest's own, so that the root stays a valid OCI
         * layout. */
        kl_autofree char *text = NULL;
        size_t len = 0;
        struct kl_rt_manifest m = { 0 };
        r = kl_rt_store_read_blob(s, img->digest, KL_RT_MANIFEST_MAX, &text, &len, err);
        if (r < 0)
                return kl_err_wrap(err, r, "image '%s'", img->name);
        r = kl_rt_manifest_parse(text, len, NULL, &m, err);
        if (r < 0)
                return kl_err_wrap(err, r, "image '%s'", img->name);
        kl_autofree char *media_type = KL_TAKE_PTR(m.media_type);
        kl_rt_manifest_release(&m);
        r = index_load(s, &doc, err);
        if (r < 0)
                return r;
        kl_autofree char *used = kl_asprintf("%lld", (long long)time(NULL));
        a = json_pack("{s:s, s:s, s:s}", ANN_NAME, img->name, ANN_MAN,
                      img->manifest ? img->manifest : img->digest, ANN_USED, used);
        kl_assert(a);
        if (img->flags & KL_RT_IMAGE_PINNED)
                kl_assert(json_object_set_new(a, ANN_PIN, json_string("true")) == 0);
        d = json_pack("{s:s, s:s, s:I, s:o}", "mediaType", media_type, "digest", img->digest,
                      "size", (json_int_t)st.st_size, "annotations", a);
        kl_assert(d);
        i = index_find(doc, img->name);
        if (i >= 0)
                kl_assert(json_array_set_new(json_object_get(doc, "manifests"), (size_t)i, d) == 0);
        else
                kl_assert(json_array_append_new(json_object_get(doc, "manifests"), d) == 0);
        return index_save(s, doc, err);
}

int kl_rt_store_image_get(struct kl_rt_store *s, const char *name, struct kl_rt_image *ret,
                          struct kl_err **err)
{
        json_auto_t *doc = NULL;
        int i, r;

        r = index_load(s, &doc, err);
        if (r < 0)
                return r;
        i = index_find(doc, name);
        if (i < 0)
                return kl_err_set(err, -ENOENT, "image '%s' not found", name);
        r = image_from_json(json_array_get(json_object_get(doc, "manifests"), (size_t)i), ret);
        if (r < 0)
                return kl_err_set(err, r, "image '%s': bad index entry", name);
        return 0;
}

int kl_rt_store_image_touch(struct kl_rt_store *s, const char *name, struct kl_err **err)
{
        json_auto_t *doc = NULL;
        json_t *a;
        int i, r;

        r = index_load(s, &doc, err);
        if (r < 0)
                return r;
        i = index_find(doc, name);
        if (i < 0)
                return kl_err_set(err, -ENOENT, "image '%s' not found", name);
        a = json_object_get(json_array_get(json_object_get(doc, "manifests"), (size_t)i),
                            "annotations");
        kl_autofree char *used = kl_asprintf("%lld", (long long)time(NULL));
        kl_assert(json_object_set_new(a, ANN_USED, json_string(used)) == 0);
        return index_save(s, doc, err);
}

int kl_rt_store_image_remove(struct kl_rt_store *s, const char *name, struct kl_err **err)
{
        json_auto_t *doc = NULL;
        int i, r;

        r = index_load(s, &doc, err);
        if (r < 0)
                return r;
        i = index_find(doc, name);
        if (i < 0)
                return kl_err_set(err, -ENOENT, "image '%s' not found", name);
        kl_assert(json_array_remove(json_object_get(doc, "manifests"), (size_t)i) == 0);
        return index_save(s, doc, err);
}

int kl_rt_store_image_list(struct kl_rt_store *s, struct kl_rt_image **ret, size_t *ret_n,
                           struct kl_err **err)
{
        json_auto_t *doc = NULL;
        json_t *list, *d;
        struct kl_rt_image *imgs;
        size_t i, n = 0;
        int r;

        r = index_load(s, &doc, err);
        if (r < 0)
                return r;
        list = json_object_get(doc, "manifests");
        imgs = kl_calloc(json_array_size(list) + 1, sizeof(*imgs));
        json_array_foreach(list, i, d)
                if (image_from_json(d, &imgs[n]) == 0)
                        n++;
        *ret = imgs;
        *ret_n = n;
        return 0;
}

/* ---- garbage collection ---- */

int kl_runtime__config_diff_ids(struct kl_rt_store *s, const char *config_digest, char ***ret,
                                struct kl_err **err)
{
        kl_autofree char *text = NULL;
        json_auto_t *cfg = NULL;
        json_t *ids, *v;
        char **out = NULL;
        size_t len = 0, i;
        int r;

        r = kl_rt_store_read_blob(s, config_digest, KL_RT_CONFIG_MAX, &text, &len, err);
        if (r < 0)
                return r;
        r = kl_json_decode(text, len, KL_RT_CONFIG_MAX, &cfg, err);
        if (r < 0)
                return kl_err_wrap(err, r, "image config '%s'", config_digest);
        r = kl_json_get_array(cfg, "rootfs.diff_ids", &ids, err);
        if (r < 0)
                return kl_err_wrap(err, r, "image config '%s'", config_digest);
        if (json_array_size(ids) > KL_RT_LAYERS_MAX)
                return kl_err_set(err, -E2BIG, "image config '%s': too many layers", config_digest);
        json_array_foreach(ids, i, v) {
                const char *d = json_string_value(v);
                if (!kl_rt_digest_is_valid(d)) {
                        kl_strv_free(out);
                        return kl_err_set(err, -EINVAL, "image config '%s': bad diff id %zu",
                                          config_digest, i);
                }
                kl_strv_push(&out, d);
        }
        if (!out)
                out = kl_calloc(1, sizeof(char *));
        *ret = out;
        return 0;
}

/* Add every blob and snapshot an image needs to `keep` (digests; snapshots as diff ids). */
static void mark_image(struct kl_rt_store *s, const struct kl_rt_image *img, char ***keep)
{
        kl_autofree char *text = NULL;
        struct kl_rt_manifest m = { 0 };
        size_t len = 0;

        kl_strv_push(keep, img->digest);
        kl_strv_push(keep, img->manifest);
        if (kl_rt_store_read_blob(s, img->digest, KL_RT_MANIFEST_MAX, &text, &len, NULL) == 0 &&
            kl_rt_manifest_parse(text, len, NULL, &m, NULL) == 0 && m.is_index) {
                /* Keep every platform's manifest the index names that the store has. */
                for (size_t i = 0; i < m.n_entries; i++)
                        kl_strv_push(keep, m.entries[i].digest);
        }
        kl_rt_manifest_release(&m);
        free(KL_TAKE_PTR(text));
        if (kl_rt_store_read_blob(s, img->manifest, KL_RT_MANIFEST_MAX, &text, &len, NULL) < 0 ||
            kl_rt_manifest_parse(text, len, NULL, &m, NULL) < 0)
                return;
        if (!m.is_index) {
                char **ids = NULL;
                kl_strv_push(keep, m.config.digest);
                for (size_t i = 0; i < m.n_entries; i++)
                        kl_strv_push(keep, m.entries[i].digest);
                if (kl_runtime__config_diff_ids(s, m.config.digest, &ids, NULL) == 0)
                        for (char **p = ids; p && *p; p++)
                                kl_strv_push(keep, *p);
                kl_strv_free(ids);
        }
        kl_rt_manifest_release(&m);
}

/* Remove the entries of `dir` whose "sha256:<name>" is not in `keep`. */
static int sweep(const char *dir, char *const *keep)
{
        kl_autoclosedir DIR *d = opendir(dir);
        struct dirent *de;
        int r = 0;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((de = readdir(d))) {
                /* A .tmp- directory is an unpack a crash interrupted: never in use here. */
                if (de->d_name[0] == '.' && !kl_startswith(de->d_name, ".tmp-"))
                        continue;
                kl_autofree char *digest = kl_asprintf("sha256:%s", de->d_name);
                if (kl_strv_contains(keep, digest))
                        continue;
                kl_autofree char *p = kl_asprintf("%s/%s", dir, de->d_name);
                int q = kl_runtime__rm_rf(p);
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

static int cmp_last_used(const void *a, const void *b)
{
        const struct kl_rt_image *x = a, *y = b;

        return (x->last_used > y->last_used) - (x->last_used < y->last_used);
}

int kl_rt_store_gc(struct kl_rt_store *s, char *const *in_use, int64_t older_than,
                   struct kl_err **err)
{
        struct kl_rt_image *imgs = NULL;
        kl_cleanup(kl_strv_freep) char **keep = NULL;
        size_t n = 0;
        int removed = 0, r;

        r = kl_rt_store_image_list(s, &imgs, &n, err);
        if (r < 0)
                return r;
        qsort(imgs, n, sizeof(*imgs), cmp_last_used);
        for (size_t i = 0; i < n; i++) {
                bool used = in_use && kl_strv_contains(in_use, imgs[i].name);
                if (used || (imgs[i].flags & KL_RT_IMAGE_PINNED) ||
                    imgs[i].last_used >= older_than) {
                        mark_image(s, &imgs[i], &keep);
                        continue;
                }
                r = kl_rt_store_image_remove(s, imgs[i].name, err);
                if (r < 0) {
                        kl_rt_images_free(imgs, n);
                        return r;
                }
                removed++;
        }
        kl_rt_images_free(imgs, n);
        if (!keep)
                keep = kl_calloc(1, sizeof(char *));
        kl_autofree char *blobs = kl_asprintf("%s/blobs/sha256", s->root);
        kl_autofree char *snaps = kl_asprintf("%s/snapshots", s->root);
        r = sweep(blobs, keep);
        if (r < 0)
                return kl_err_set(err, r, "gc '%s'", blobs);
        r = sweep(snaps, keep);
        if (r < 0)
                return kl_err_set(err, r, "gc '%s'", snaps);
        return removed;
}
