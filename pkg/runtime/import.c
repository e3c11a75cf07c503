/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image import from archives: OCI image layouts and `docker save` output,
 * as tar, tar+gzip or tar+zstd, read in one pass.
 */
#include "runtime/rt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "runtime/rt-internal.h"
#include "json/json.h"

/* Small metadata files kept in memory while the archive streams by. */
#define META_MAX       ((size_t)4 << 20)
#define META_COUNT_MAX 4096
#define BLOCK          65536
#define ANN_CONTAINERD "io.containerd.image.name"
#define ANN_REF        "org.opencontainers.image.ref.name"

struct meta {
        char *name; /* owned: the entry's path in the archive */
        char *data; /* owned: contents, or NULL when stored as a blob */
        size_t len;
        char *digest; /* owned: the blob it was stored as, or NULL */
};

struct import {
        struct kl_rt_store *s; /* borrowed */
        struct meta *files;    /* owned */
        size_t n_files;
        char **names; /* owned: images recorded */
};

static void import_release(struct import *im)
{
        for (size_t i = 0; i < im->n_files; i++) {
                free(im->files[i].name);
                free(im->files[i].data);
                free(im->files[i].digest);
        }
        free(im->files);
        kl_strv_free(im->names);
}

static void archive_freep(struct archive **a)
{
        if (*a)
                (void)archive_read_free(*a);
}

static const struct meta *find(const struct import *im, const char *name)
{
        for (size_t i = 0; i < im->n_files; i++)
                if (kl_streq(im->files[i].name, name))
                        return &im->files[i];
        return NULL;
}

static bool is_metadata(const char *name)
{
        const char *base = strrchr(name, '/');

        base = base ? base + 1 : name;
        return kl_endswith(base, ".json") || kl_streq(base, "oci-layout") ||
               kl_streq(base, "repositories") || kl_streq(base, "VERSION") ||
               kl_streq(base, "json");
}

/* A blob whose digest is not known in advance: hash while copying, then rename by content. */
static int store_by_content(struct import *im, struct archive *a, const char *name,
                            char **ret_digest, struct kl_err **err)
{
        kl_autofree char *tmp = kl_asprintf("%s/ingest/import-XXXXXX", im->s->root);
        kl_autoclose int fd = mkostemp(tmp, O_CLOEXEC);
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        unsigned char out[32];
        unsigned int outlen = 0;
        const void *buf;
        size_t size;
        la_int64_t off;
        int r;

        kl_assert(md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1);
        if (fd < 0) {
                EVP_MD_CTX_free(md);
                return kl_err_set(err, -errno, "create '%s'", tmp);
        }
        while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
                /* Sparse tar entries are not images' business: refuse holes. */
                if (lseek(fd, 0, SEEK_CUR) != off) {
                        r = ARCHIVE_FATAL;
                        break;
                }
                if (kl_write_all(fd, buf, size) < 0) {
                        r = ARCHIVE_FATAL;
                        break;
                }
                kl_assert(EVP_DigestUpdate(md, buf, size) == 1);
        }
        kl_assert(EVP_DigestFinal_ex(md, out, &outlen) == 1);
        EVP_MD_CTX_free(md);
        if (r != ARCHIVE_EOF || fsync(fd) < 0) {
                (void)unlink(tmp);
                return kl_err_set(err, -EIO, "import '%s': %s", name,
                                  archive_error_string(a) ? archive_error_string(a)
                                                          : "write failed");
        }
        char *digest = kl_malloc(72);
        memcpy(digest, "sha256:", 7);
        for (size_t i = 0; i < 32; i++) {
                digest[7 + 2 * i] = "0123456789abcdef"[out[i] >> 4];
                digest[8 + 2 * i] = "0123456789abcdef"[out[i] & 15];
        }
        digest[71] = '\0';
        kl_autofree char *dst = kl_rt_store_blob_path(im->s, digest);
        if (rename(tmp, dst) < 0) {
                r = -errno;
                (void)unlink(tmp);
                free(digest);
                return kl_err_set(err, r, "rename '%s'", tmp);
        }
        *ret_digest = digest;
        return 0;
}

/* blobs/sha256/<hex>: the name is the digest, checked while streaming. */
static int store_named_blob(struct import *im, struct archive *a, const char *digest, int64_t size,
                            struct kl_err **err)
{
        struct kl_rt_blob_writer *w = NULL;
        const void *buf;
        size_t n;
        la_int64_t off;
        int r;

        if (kl_rt_store_has_blob(im->s, digest, size))
                return archive_read_data_skip(a) == ARCHIVE_OK
                               ? 0
                               : kl_err_set(err, -EIO, "read archive: %s", archive_error_string(a));
        r = kl_rt_blob_writer_open(im->s, digest, size, 0, &w, err);
        if (r < 0)
                return r;
        while ((r = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
                if (off != kl_rt_blob_writer_offset(w)) {
                        kl_rt_blob_writer_free(w);
                        return kl_err_set(err, -EINVAL, "blob '%s': sparse entry", digest);
                }
                r = kl_rt_blob_writer_write(w, buf, n, err);
                if (r < 0) {
                        kl_rt_blob_writer_free(w);
                        return r;
                }
        }
        if (r != ARCHIVE_EOF) {
                kl_rt_blob_writer_free(w);
                return kl_err_set(err, -EIO, "read archive: %s", archive_error_string(a));
        }
        r = kl_rt_blob_writer_commit(w, err);
        kl_rt_blob_writer_free(w);
        return r;
}

static int read_archive(struct import *im, const char *path, struct kl_err **err)
{
        kl_cleanup(archive_freep) struct archive *a = archive_read_new();
        struct archive_entry *e;
        int r;

        kl_assert(a);
        (void)archive_read_support_filter_gzip(a);
        (void)archive_read_support_filter_zstd(a);
        (void)archive_read_support_filter_none(a);
        (void)archive_read_support_format_tar(a);
        if (archive_read_open_filename(a, path, BLOCK) != ARCHIVE_OK)
                return kl_err_set(err, -EINVAL, "open '%s': %s", path, archive_error_string(a));
        for (;;) {
                const char *name, *hex;
                struct meta m = { 0 };

                r = archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return kl_err_set(err, -EINVAL, "read '%s': %s", path,
                                          archive_error_string(a));
                if (archive_entry_filetype(e) != AE_IFREG)
                        continue;
                name = archive_entry_pathname(e);
                if (!name)
                        return kl_err_set(err, -EINVAL, "read '%s': an entry without a name", path);
                if (kl_startswith(name, "./"))
                        name += 2;
                if (im->n_files >= META_COUNT_MAX)
                        return kl_err_set(err, -E2BIG, "'%s': more than %d files", path,
                                          META_COUNT_MAX);
                hex = kl_startswith(name, "blobs/sha256/");
                m.name = kl_strdup(name);
                if (hex) {
                        kl_autofree char *digest = kl_asprintf("sha256:%s", hex);
                        if (!kl_rt_digest_is_valid(digest)) {
                                free(m.name);
                                return kl_err_set(err, -EINVAL, "'%s': bad blob name '%s'", path,
                                                  name);
                        }
                        r = store_named_blob(im, a, digest, archive_entry_size(e), err);
                        m.digest = KL_TAKE_PTR(digest);
                } else if (is_metadata(name)) {
                        if (archive_entry_size(e) > (la_int64_t)META_MAX) {
                                free(m.name);
                                return kl_err_set(err, -E2BIG, "'%s': '%s' is too large", path,
                                                  name);
                        }
                        m.len = (size_t)archive_entry_size(e);
                        m.data = kl_malloc(m.len + 1);
                        r = archive_read_data(a, m.data, m.len) == (la_ssize_t)m.len
                                    ? 0
                                    : kl_err_set(err, -EIO, "read '%s' in '%s'", name, path);
                        m.data[m.len] = '\0';
                } else {
                        r = store_by_content(im, a, name, &m.digest, err);
                }
                im->files = kl_realloc(im->files, (im->n_files + 1) * sizeof(*im->files));
                im->files[im->n_files++] = m;
                if (r < 0)
                        return kl_err_wrap(err, r, "import '%s'", path);
        }
        return 0;
}

/* Unpack the layers of an image manifest already in the store, then record the image. */
static int finish_image(struct import *im, const char *name, const char *top,
                        const char *manifest_digest, struct kl_err **err)
{
        kl_cleanup(kl_rt_manifest_release) struct kl_rt_manifest m = { 0 };
        kl_cleanup(kl_strv_freep) char **ids = NULL;
        kl_autofree char *text = NULL;
        size_t len = 0;
        int r;

        r = kl_rt_store_read_blob(im->s, manifest_digest, KL_RT_MANIFEST_MAX, &text, &len, err);
        if (r < 0)
                return r;
        r = kl_rt_manifest_parse(text, len, NULL, &m, err);
        if (r < 0)
                return r;
        if (m.is_index)
                return kl_err_set(err, -EINVAL, "image '%s': index inside an index", name);
        for (size_t i = 0; i < m.n_entries; i++)
                if (!kl_rt_store_has_blob(im->s, m.entries[i].digest, m.entries[i].size))
                        return kl_err_set(err, -ENOENT, "image '%s': layer '%s' missing", name,
                                          m.entries[i].digest);
        r = kl_runtime__config_diff_ids(im->s, m.config.digest, &ids, err);
        if (r < 0)
                return r;
        if (kl_strv_length(ids) != m.n_entries)
                return kl_err_set(err, -EINVAL, "image '%s': %zu layers but %zu diff ids", name,
                                  m.n_entries, kl_strv_length(ids));
        for (size_t i = 0; i < m.n_entries; i++) {
                r = kl_rt_layer_unpack(im->s, m.entries[i].digest, ids[i], err);
                if (r < 0)
                        return r;
        }
        struct kl_rt_image img = {
                .name = (char *)name,
                .digest = (char *)top,
                .manifest = (char *)manifest_digest,
                .flags = KL_RT_IMAGE_PINNED,
        };
        r = kl_rt_store_image_put(im->s, &img, err);
        if (r < 0)
                return r;
        kl_strv_push(&im->names, name);
        return 0;
}

static int normalise(const char *ref, char **ret, struct kl_err **err)
{
        struct kl_rt_ref parsed;
        int r = kl_rt_ref_parse(ref, &parsed, err);

        if (r < 0)
                return r;
        *ret = kl_rt_ref_format(&parsed);
        kl_rt_ref_release(&parsed);
        return 0;
}

/* docker save: manifest.json lists Config, RepoTags and Layers by file name. */
static int import_docker(struct import *im, const struct meta *mj, struct kl_err **err)
{
        json_auto_t *doc = NULL;
        json_t *item;
        size_t i;
        int r;

        r = kl_json_decode(mj->data, mj->len, META_MAX, &doc, err);
        if (r < 0)
                return kl_err_wrap(err, r, "manifest.json");
        if (!json_is_array(doc))
                return kl_err_set(err, -EINVAL, "manifest.json: not an array");
        json_array_foreach(doc, i, item) {
                const char *cfg_name;
                json_t *layers = NULL, *tags, *l, *t;
                size_t j;
                kl_autofree char *cfg_digest = NULL, *man_digest = NULL;
                kl_autobuf struct kl_buf man = KL_BUF_INIT;

                r = kl_json_get_str(item, "Config", &cfg_name, err);
                if (r == 0)
                        r = kl_json_get_array(item, "Layers", &layers, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "manifest.json[%zu]", i);
                const struct meta *cfg = find(im, cfg_name);
                if (!cfg)
                        return kl_err_set(err, -ENOENT, "manifest.json[%zu]: no '%s'", i, cfg_name);
                if (cfg->data) {
                        r = kl_rt_store_put_blob(im->s, cfg->data, cfg->len, NULL, &cfg_digest,
                                                 err);
                        if (r < 0)
                                return r;
                } else {
                        cfg_digest = kl_strdup(cfg->digest);
                }
                kl_autofree char *cfg_path = kl_rt_store_blob_path(im->s, cfg_digest);
                struct stat st;
                if (stat(cfg_path, &st) < 0)
                        return kl_err_set(err, -errno, "config '%s'", cfg_digest);
                (void)kl_buf_printf(&man,
                                    "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{"
                                    "\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%lld},"
                                    "\"layers\":[",
                                    KL_RT_MT_DOCKER_MANIFEST, KL_RT_MT_DOCKER_CONFIG, cfg_digest,
                                    (long long)st.st_size);
                json_array_foreach(layers, j, l) {
                        const struct meta *lm =
                                json_is_string(l) ? find(im, json_string_value(l)) : NULL;
                        if (!lm || !lm->digest)
                                return kl_err_set(err, -ENOENT,
                                                  "manifest.json[%zu]: layer %zu "
                                                  "missing",
                                                  i, j);
                        kl_autofree char *lp = kl_rt_store_blob_path(im->s, lm->digest);
                        if (stat(lp, &st) < 0)
                                return kl_err_set(err, -errno, "layer '%s'", lm->digest);
                        (void)kl_buf_printf(&man,
                                            "%s{\"mediaType\":\"application/vnd.docker.image."
                                            "rootfs.diff.tar\",\"digest\":\"%s\",\"size\":%lld}",
                                            j ? "," : "", lm->digest, (long long)st.st_size);
                }
                (void)kl_buf_puts(&man, "]}");
                r = kl_rt_store_put_blob(im->s, man.buf, man.len, NULL, &man_digest, err);
                if (r < 0)
                        return r;
                if (kl_json_get_array(item, "RepoTags", &tags, NULL) < 0)
                        continue; /* untagged: the blobs are in, but nothing names them */
                json_array_foreach(tags, j, t) {
                        kl_autofree char *name = NULL;
                        if (!json_is_string(t))
                                continue;
                        r = normalise(json_string_value(t), &name, err);
                        if (r == 0)
                                r = finish_image(im, name, man_digest, man_digest, err);
                        if (r < 0)
                                return kl_err_wrap(err, r, "manifest.json[%zu]", i);
                }
        }
        return 0;
}

/* OCI layout: index.json descriptors named by annotation. */
static int import_oci(struct import *im, const struct meta *ij, struct kl_err **err)
{
        json_auto_t *doc = NULL;
        json_t *list, *d;
        const char *arch, *variant;
        size_t i;
        int r;

        kl_rt_platform_host(&arch, &variant);
        r = kl_json_decode(ij->data, ij->len, META_MAX, &doc, err);
        if (r < 0)
                return kl_err_wrap(err, r, "index.json");
        r = kl_json_get_array(doc, "manifests", &list, err);
        if (r < 0)
                return kl_err_wrap(err, r, "index.json");
        json_array_foreach(list, i, d) {
                const char *ref = NULL, *top = NULL;
                kl_autofree char *name = NULL, *text = NULL;
                kl_cleanup(kl_rt_manifest_release) struct kl_rt_manifest m = { 0 };
                size_t len = 0;

                /* containerd's full name first; ref.name may be only a tag. */
                if (kl_json_get_str(d, "annotations[\"" ANN_CONTAINERD "\"]", &ref, NULL) < 0 &&
                    kl_json_get_str(d, "annotations[\"" ANN_REF "\"]", &ref, NULL) < 0)
                        continue;
                r = kl_json_get_str(d, "digest", &top, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "index.json[%zu]", i);
                r = normalise(ref, &name, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "index.json[%zu]", i);
                if (!kl_rt_digest_is_valid(top))
                        return kl_err_set(err, -EINVAL, "index.json[%zu]: bad digest", i);
                r = kl_rt_store_read_blob(im->s, top, KL_RT_MANIFEST_MAX, &text, &len, err);
                if (r == 0)
                        r = kl_rt_manifest_parse(text, len, NULL, &m, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "image '%s'", name);
                if (m.is_index) {
                        int k = kl_rt_manifest_select(&m, arch, variant);
                        if (k < 0)
                                return kl_err_set(err, -ENOENT,
                                                  "image '%s': no manifest for "
                                                  "linux/%s",
                                                  name, arch);
                        r = finish_image(im, name, top, m.entries[k].digest, err);
                } else {
                        r = finish_image(im, name, top, top, err);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

int kl_rt_import(struct kl_rt_store *s, const char *path, char ***ret_names, struct kl_err **err)
{
        kl_cleanup(import_release) struct import im = { .s = s };
        const struct meta *mj, *ij;
        int r;

        r = read_archive(&im, path, err);
        if (r < 0)
                return r;
        /* Newer docker writes both; manifest.json names images by RepoTags, as docker load does. */
        mj = find(&im, "manifest.json");
        ij = find(&im, "index.json");
        if (mj && mj->data)
                r = import_docker(&im, mj, err);
        else if (ij && ij->data)
                r = import_oci(&im, ij, err);
        else
                return kl_err_set(err, -EINVAL, "import '%s': neither manifest.json nor index.json",
                                  path);
        if (r < 0)
                return kl_err_wrap(err, r, "import '%s'", path);
        r = (int)kl_strv_length(im.names);
        if (ret_names) {
                if (!im.names)
                        im.names = kl_calloc(1, sizeof(char *));
                *ret_names = KL_TAKE_PTR(im.names);
        }
        return r;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int kl_rt_import_dir(struct kl_rt_store *s, const char *dir, struct kl_err **err)
{
        kl_autoclosedir DIR *d = opendir(dir);
        kl_cleanup(kl_strv_freep) char **files = NULL;
        struct dirent *de;
        int total = 0, r;

        if (!d)
                return errno == ENOENT ? 0 : kl_err_set(err, -errno, "open '%s'", dir);
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (kl_endswith(de->d_name, ".tar") || kl_endswith(de->d_name, ".tar.gz") ||
                    kl_endswith(de->d_name, ".tgz") || kl_endswith(de->d_name, ".tar.zst"))
                        kl_strv_push(&files, de->d_name);
        }
        if (!files)
                return 0;
        /* A fixed order: when two archives name the same image, the last one wins every time. */
        qsort(files, kl_strv_length(files), sizeof(char *), cmp_str);
        for (char **f = files; *f; f++) {
                kl_autofree char *path = kl_asprintf("%s/%s", dir, *f);
                r = kl_rt_import(s, path, NULL, err);
                if (r < 0)
                        return r;
                total += r;
        }
        return total;
}
