/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runtime: images for the node — references, the content store, pulls over
 * the OCI distribution API, and layers unpacked once into snapshots.
 *
 *   kl_rt_ref_parse()        image reference → normalised parts, as upstream
 *   kl_rt_store_open()       the content store under a root directory
 *   kl_rt_blob_writer_*()    a blob written by streaming, verified, renamed
 *   kl_rt_pull()             fetch an image (only the blobs the store lacks)
 *   kl_rt_layer_unpack()     one layer into snapshots/<diffid>/ (once)
 *   kl_rt_import()           docker-save and OCI layout archives into the store
 *   kl_rt_import_dir()       every archive of an air-gap images directory
 *   kl_rt_store_gc()         drop images by last use, then unreferenced blobs
 *   kl_rt_image_config_get() an image's process defaults and its layers, top first
 *
 * On disk, under the store's root (see README.md for the reasons):
 *
 *   oci-layout, index.json   an OCI image layout: one descriptor per image name
 *   blobs/sha256/<hex>       content-addressed blobs, only ever complete and verified
 *   ingest/<hex>             partial downloads, resumed with a Range request
 *   snapshots/<hex>/fs/      one unpacked layer per diff id (an overlayfs lowerdir)
 *
 * Invariant: a file under blobs/ or snapshots/ is complete and verified; it
 * appears there by rename(2) of a finished temporary. A crash leaves at most
 * a stale temporary: an ingest file (resumed or replaced by the next writer
 * of that digest) or a snapshots/.tmp-* directory (removed by GC).
 *
 * Threads: a struct kl_rt_store is used by one thread at a time (the caller
 * serialises); blob writers for different digests may run on any threads.
 * Pulls, imports and unpacks block (network, disk): never call them on the
 * loop thread — use kl_loop_run_blocking(). Pulls need curl_global_init()
 * done in main() (STYLE R9.12).
 */
#ifndef KL_RUNTIME_RT_H
#define KL_RUNTIME_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Media types the runtime reads. */
#define KL_RT_MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define KL_RT_MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define KL_RT_MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define KL_RT_MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define KL_RT_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define KL_RT_MT_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"

/* Limits: a manifest or index, an image config. Layers are capped by their declared size. */
#define KL_RT_MANIFEST_MAX ((size_t)4 << 20)
#define KL_RT_CONFIG_MAX   ((size_t)8 << 20)
/* The most layers one image may have (docker's and containerd's practical limit is 127). */
#define KL_RT_LAYERS_MAX 128

/* ---- references ---- */

/* A parsed image reference. Every string is owned; `tag` and `digest` may be NULL, not both. */
struct kl_rt_ref {
        char *domain; /* "docker.io", "localhost:5000", "registry.example.com" */
        char *path;   /* "library/busybox" */
        char *tag;    /* "latest", or NULL when only a digest was given */
        char *digest; /* "sha256:<64 lowercase hex>" or NULL */
};

/**
 * Parse and normalise `s` the way docker/distribution's ParseNormalizedNamed
 * and TagNameOnly do: `busybox` → docker.io/library/busybox:latest, `index.docker.io`
 * → docker.io, a first component with '.' or ':' or equal to "localhost" is a
 * registry, a name without tag or digest gets "latest". Upper case in the
 * path, a 64-hex name, a name over 255 bytes, a malformed tag or digest:
 * -EINVAL with the reason. *ret is written only on success; release it with
 * kl_rt_ref_release().
 */
int kl_rt_ref_parse(const char *s, struct kl_rt_ref *ret, struct kl_err **err);
void kl_rt_ref_release(struct kl_rt_ref *ref);
/* "domain/path:tag@digest" (tag and digest when present); owned by the caller. */
char *kl_rt_ref_format(const struct kl_rt_ref *ref);

/* ---- digests ---- */

/* True for "sha256:" followed by 64 lowercase hex digits (the only algorithm accepted). */
bool kl_rt_digest_is_valid(const char *digest);
/* "sha256:<hex>" of `len` bytes; owned by the caller. */
char *kl_rt_digest_of(const void *data, size_t len);

/* ---- WWW-Authenticate ---- */

/* One challenge from a registry's 401 (RFC 7235). Strings owned; absent ones NULL. */
struct kl_rt_challenge {
        char *scheme; /* "bearer" or "basic", lowercased */
        char *realm;
        char *service;
        char *scope;
};

/**
 * Parse the first challenge of a WWW-Authenticate value. Parameters are
 * token=token or token="quoted" with \-escapes; names are case-insensitive.
 * Values are bounded by the header itself. -EINVAL for malformed input.
 */
int kl_rt_challenge_parse(const char *value, struct kl_rt_challenge *ret, struct kl_err **err);
void kl_rt_challenge_release(struct kl_rt_challenge *c);

/* ---- manifests ---- */

struct kl_rt_descriptor {
        char *media_type;          /* owned; may be NULL in an index entry */
        char *digest;              /* owned, valid per kl_rt_digest_is_valid() */
        int64_t size;              /* >= 0 */
        char *os, *arch, *variant; /* owned, index entries only; NULL when absent */
};

/* An image manifest or an index/manifest list, decoded and checked. */
struct kl_rt_manifest {
        bool is_index;
        char *media_type;                 /* owned */
        struct kl_rt_descriptor config;   /* image manifests only */
        struct kl_rt_descriptor *entries; /* owned: layers, or an index's manifests */
        size_t n_entries;
};

/**
 * Decode a manifest or index of `len` bytes (at most KL_RT_MANIFEST_MAX).
 * `media_type` is the Content-Type it came with (may be NULL: then the
 * document's mediaType field, then its shape, decides). Every descriptor
 * must have a valid sha256 digest and a size >= 0; a manifest has at most
 * KL_RT_LAYERS_MAX layers. -EINVAL with the reason otherwise.
 */
int kl_rt_manifest_parse(const char *data, size_t len, const char *media_type,
                         struct kl_rt_manifest *ret, struct kl_err **err);
void kl_rt_manifest_release(struct kl_rt_manifest *m);

/**
 * The index entry for linux/`arch` (`variant` may be NULL: any; "v8" also
 * matches an entry without variant for arm64, as upstream). Returns the
 * index into m->entries, or -ENOENT.
 */
int kl_rt_manifest_select(const struct kl_rt_manifest *m, const char *arch, const char *variant);
/* The running machine's GOARCH ("amd64", "arm64", "arm") and arm variant (NULL if none). */
void kl_rt_platform_host(const char **ret_arch, const char **ret_variant);

/* ---- the content store ---- */

struct kl_rt_store;

/* Open (creating if needed) the store under `root`. */
int kl_rt_store_open(const char *root, struct kl_rt_store **ret, struct kl_err **err);
void kl_rt_store_free(struct kl_rt_store *s); /* NULL is a no-op */
/* The root directory; borrowed from the store. */
const char *kl_rt_store_root(const struct kl_rt_store *s);

/* True when blobs/sha256/<hex> exists with `size` bytes (size < 0: any). */
bool kl_rt_store_has_blob(struct kl_rt_store *s, const char *digest, int64_t size);
/* Path of a blob's file (which may not exist); owned by the caller. */
char *kl_rt_store_blob_path(const struct kl_rt_store *s, const char *digest);
/**
 * Read a whole blob of at most `max` bytes, verifying its digest (a blob
 * damaged on disk is -EIO and removed). *ret is NUL-terminated and owned.
 */
int kl_rt_store_read_blob(struct kl_rt_store *s, const char *digest, size_t max, char **ret,
                          size_t *ret_len, struct kl_err **err);
/* Store `len` bytes; if `digest` is not NULL it must match (-EILSEQ otherwise). */
int kl_rt_store_put_blob(struct kl_rt_store *s, const void *data, size_t len, const char *digest,
                         char **ret_digest, struct kl_err **err);

/*
 * Streaming writer for one blob whose digest and size are known in advance.
 * Bytes go to ingest/<hex>; commit verifies the size and the sha256 computed
 * while writing, fsyncs, and renames into blobs/. Writing more than `size`
 * bytes fails with -E2BIG at once.
 */
struct kl_rt_blob_writer;

enum kl_rt_blob_writer_flags {
        /* Keep bytes already in ingest/<hex> (re-hashed on open): resume a download. */
        KL_RT_BLOB_RESUME = 1 << 0,
        /* Wait for another writer of this blob instead of failing with -EBUSY. */
        KL_RT_BLOB_WAIT = 1 << 1,
};

int kl_rt_blob_writer_open(struct kl_rt_store *s, const char *digest, int64_t size, unsigned flags,
                           struct kl_rt_blob_writer **ret, struct kl_err **err);
/*
 * Open fails with -EBUSY while another writer holds the blob (unless WAIT) and
 * with -EEXIST when the blob is stored by the time the writer would start.
 */

/* Bytes already written (after a resume: the partial file's length). */
int64_t kl_rt_blob_writer_offset(const struct kl_rt_blob_writer *w);
/* Drop what was written and start from zero (the server ignored a Range). */
int kl_rt_blob_writer_restart(struct kl_rt_blob_writer *w, struct kl_err **err);
int kl_rt_blob_writer_write(struct kl_rt_blob_writer *w, const void *data, size_t len,
                            struct kl_err **err);
/*
 * Verify and publish. -EILSEQ for a wrong digest (the partial file is removed), -EIO for a
 * short blob (kept for a resume). After a failed commit the writer can only be freed.
 */
int kl_rt_blob_writer_commit(struct kl_rt_blob_writer *w, struct kl_err **err);
/* Close; an uncommitted partial file stays in ingest/ for a later resume. NULL is a no-op. */
void kl_rt_blob_writer_free(struct kl_rt_blob_writer *w);

/* ---- images in the store's index ---- */

enum kl_rt_image_flags {
        KL_RT_IMAGE_PINNED = 1 << 0, /* imported or pinned: never collected */
};

struct kl_rt_image {
        char *name;        /* owned: normalised reference, "docker.io/library/busybox:latest" */
        char *digest;      /* owned: top-level manifest or index digest */
        char *manifest;    /* owned: the platform's image manifest digest */
        unsigned flags;    /* enum kl_rt_image_flags */
        int64_t last_used; /* unix seconds */
};

void kl_rt_image_release(struct kl_rt_image *img);
/**
 * Record (or replace) an image under its name, touching last_used. The
 * index is rewritten atomically.
 */
int kl_rt_store_image_put(struct kl_rt_store *s, const struct kl_rt_image *img,
                          struct kl_err **err);
/* Look an image up by normalised name; -ENOENT when absent. *ret owned, release it. */
int kl_rt_store_image_get(struct kl_rt_store *s, const char *name, struct kl_rt_image *ret,
                          struct kl_err **err);
/* Mark an image used now (what the agent calls when a container starts). */
int kl_rt_store_image_touch(struct kl_rt_store *s, const char *name, struct kl_err **err);
int kl_rt_store_image_remove(struct kl_rt_store *s, const char *name, struct kl_err **err);
/* Every image; *ret is an array of *ret_n images, owned: free with kl_rt_images_free(). */
int kl_rt_store_image_list(struct kl_rt_store *s, struct kl_rt_image **ret, size_t *ret_n,
                           struct kl_err **err);
void kl_rt_images_free(struct kl_rt_image *imgs, size_t n);

/**
 * Image GC: remove unpinned images not named in `in_use` (a NULL-terminated
 * list of names, may be NULL) whose last use is before `older_than` (unix
 * seconds), oldest first, then every blob and snapshot no remaining image
 * references. Returns the number of images removed.
 */
int kl_rt_store_gc(struct kl_rt_store *s, char *const *in_use, int64_t older_than,
                   struct kl_err **err);

/* ---- layers ---- */

/**
 * Unpack the layer blob `digest` (tar, tar+gzip or tar+zstd) into
 * snapshots/<hex of diff_id>/ unless that snapshot exists. The decompressed
 * stream must hash to `diff_id` (-EILSEQ otherwise). Entries escaping the
 * root (`..`, absolute names, links or writes through symlinks) fail with
 * -EPERM. Whiteouts become overlayfs markers (README.md, "Whiteouts").
 * Returns 1 when unpacked now, 0 when it was already there.
 */
int kl_rt_layer_unpack(struct kl_rt_store *s, const char *digest, const char *diff_id,
                       struct kl_err **err);
/* A layer's unpacked tree, snapshots/<hex>/fs (its overlayfs lowerdir); owned by the caller. */
char *kl_rt_snapshot_path(const struct kl_rt_store *s, const char *diff_id);

/* ---- image configs ---- */

/* What a container takes from its image (the config's "config" object) and its layers. */
struct kl_rt_image_config {
        char **entrypoint; /* owned, NULL-terminated; NULL when the image has none */
        char **cmd;        /* likewise */
        char **env;        /* "K=V"; NULL when none */
        char *working_dir; /* NULL when unset */
        char *user;        /* NULL when unset */
        char *stop_signal; /* "SIGQUIT", "3"; NULL when unset */
        char **layers;     /* snapshot dirs, top layer first (an overlayfs lowerdir) */
};

/**
 * The config and unpacked layers of the image recorded as `name` (normalised).
 * -ENOENT when the image or one of its snapshots is missing.
 */
int kl_rt_image_config_get(struct kl_rt_store *s, const char *name, struct kl_rt_image_config *ret,
                           struct kl_err **err);
void kl_rt_image_config_release(struct kl_rt_image_config *c);

/**
 * What an image's platform manifest declares: its config digest (the image
 * id; *ret_config owned, may be NULL when not wanted) and the size of its
 * config and layers together, as `crictl images` and the Node's
 * status.images report it.
 */
int kl_rt_image_describe(struct kl_rt_store *s, const struct kl_rt_image *img, char **ret_config,
                         int64_t *ret_size, struct kl_err **err);

/* ---- import ---- */

/**
 * Import the images of an archive (tar, tar+gzip or tar+zstd, detected):
 * `docker save` output (manifest.json; images named by RepoTags) or an OCI
 * image layout (index.json; named by the io.containerd.image.name
 * annotation, else org.opencontainers.image.ref.name, normalised as a
 * reference). Blobs named by digest are verified while streaming; layers are
 * unpacked; images are recorded pinned (GC never removes them). Untagged
 * images leave their blobs and no name. Returns the number of images
 * recorded; `ret_names` (may be NULL) gets their names, NULL-terminated, owned.
 */
int kl_rt_import(struct kl_rt_store *s, const char *path, char ***ret_names, struct kl_err **err);

/**
 * Import every `*.tar`, `*.tar.gz`, `*.tgz` and `*.tar.zst` in `dir`, in name
 * order (the k3s-style air-gap images directory, scanned at start). A missing
 * directory imports nothing. Stops at the first archive that fails. Returns
 * the number of images recorded.
 */
int kl_rt_import_dir(struct kl_rt_store *s, const char *dir, struct kl_err **err);

/* ---- pulls ---- */

struct kl_rt_pull_opts {
        char *const *insecure; /* borrowed: registries ("host:port") reached over http:// */
        const char *username;  /* borrowed: basic credentials or NULL */
        const char *password;
        const char *arch; /* platform override; NULL: the host's */
        const char *variant;
        const char *ca_file; /* borrowed: extra CA bundle for https, or NULL */
        unsigned parallel;   /* layer downloads at once; 0: 4 */
        bool no_unpack;      /* fetch blobs only */
};

/* What one pull did, for callers and tests. */
struct kl_rt_pull_stats {
        unsigned requests;      /* HTTP requests sent */
        unsigned blobs_fetched; /* blobs downloaded (complete or resumed) */
        unsigned blobs_resumed; /* of those, continued from a partial file */
        uint64_t bytes;         /* body bytes received */
        unsigned layers_unpacked;
};

/**
 * Pull `ref` into the store and record it in the index: resolve the manifest
 * (with the full Accept list), select the platform from an index, fetch the
 * config and the missing layers (several at once, each capped by its declared
 * size and verified), unpack each layer once. Auth: anonymous first; on 401
 * the WWW-Authenticate challenge decides between a Bearer token from its
 * realm and basic credentials. `ret_stats` may be NULL. Errors carry the
 * registry's status and the step.
 */
int kl_rt_pull(struct kl_rt_store *s, const char *ref, const struct kl_rt_pull_opts *opts,
               struct kl_rt_image *ret_image, struct kl_rt_pull_stats *ret_stats,
               struct kl_err **err);

#endif
