/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite images: the node's image store from the command line, as
 * `k3s crictl`/`k3s ctr images` are used — pull, import, ls, rm. Flags and
 * output only: the store, pulls and imports are pkg/runtime (rt.h), whose
 * store lives under <data-dir>/agent/images, where the agent reads it.
 *
 * `images` is a dispatcher with verbs, each with its own flag table. The
 * dispatcher's table also names the config-file keys of every verb (hidden),
 * because a shared config.yaml is checked against the tables of main.c's
 * command list: `insecure-registry:` there must not be an unknown key for
 * `kube-lite server` or `kube-lite images ls`.
 *
 * Everything runs on the main thread: there is no loop in these commands, so
 * the blocking calls of rt.h are called directly.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/base.h"
#include "commands.h"
#include "config/config.h"
#include "runtime/rt.h"
#include "json/json.h"

/* Options every verb shares; the dispatcher's and each verb's struct starts with them. */
struct images_common {
        struct kl_cmd_global global;
        char *config;
        char *data_dir;
};

/* Also what the dispatcher parses: the verbs' file keys, so the config file may carry them. */
struct pull_opts {
        struct images_common c;
        char **insecure;
        char *username;
        char *password;
        char *ca_file;
        char *platform;
};

/* import and rm. */
struct plain_opts {
        struct images_common c;
};

struct ls_opts {
        struct images_common c;
        bool quiet;
        char *output;
};

/* The rootless paths apply as for the server (config.h): a user without root gets ~/.kube-lite. */
static int default_data_dir(const void *opts, char **ret, struct kl_err **err)
{
        (void)opts;
        return kl_config_default_path(KL_CONFIG_PATH_DATA, kl_config_is_rootless(true), ret, err);
}

#define COMMON_FLAGS(T)                                                                          \
        KL_CONFIG_FILE_FLAG(T, c.config),                                                        \
        {                                                                                        \
                KL_CONFIG_STRING_AT(T, c.data_dir),                                              \
                        .name = "data-dir", .short_name = 'd', .metavar = "DIR",                 \
                        .default_fn = default_data_dir,                                          \
                        .default_help = "/var/lib/kube-lite, or ~/.kube-lite/data for non-root", \
                        .group = "Data",                                                         \
                        .help = "Folder to hold state; images are in DIR/agent/images"           \
        }

#define INSECURE_FLAG(T, extra)                                                                   \
        {                                                                                         \
                KL_CONFIG_STRINGS_AT(T, insecure),                                                \
                        .name = "insecure-registry", .metavar = "HOST:PORT", .group = "Registry", \
                        .flags = (extra),                                                         \
                        .help = "Reach this registry over plain http (repeatable)"                \
        }
#define CA_FLAG(T, extra)                                                                     \
        {                                                                                     \
                KL_CONFIG_STRING_AT(T, ca_file),                                              \
                        .name = "ca-file", .metavar = "FILE", .group = "Registry",            \
                        .flags = (extra),                                                     \
                        .help = "Trust the CA certificates in FILE too, for https registries" \
        }

#define O struct pull_opts
static const struct kl_config_flag dispatch_flags[] = {
        COMMON_FLAGS(O),
        INSECURE_FLAG(O, KL_CONFIG_HIDDEN),
        CA_FLAG(O, KL_CONFIG_HIDDEN),
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};

static const struct kl_config_flag pull_flags[] = {
        COMMON_FLAGS(O),
        INSECURE_FLAG(O, 0),
        CA_FLAG(O, 0),
        /* Credentials are not config-file keys: the file is shared by every command. */
        { KL_CONFIG_STRING_AT(O, username), .name = "username", .short_name = 'u',
          .metavar = "USER", .env = "KUBE_LITE_REGISTRY_USERNAME", .flags = KL_CONFIG_NO_FILE,
          .group = "Registry",
          .help = "User name for the registry (basic credentials, also sent to its token "
                  "service)" },
        { KL_CONFIG_STRING_AT(O, password), .name = "password", .short_name = 'p',
          .metavar = "PASSWORD", .env = "KUBE_LITE_REGISTRY_PASSWORD",
          .flags = KL_CONFIG_NO_FILE | KL_CONFIG_SECRET, .group = "Registry",
          .help = "Password for the registry" },
        { KL_CONFIG_STRING_AT(O, platform), .name = "platform", .metavar = "linux/ARCH[/VARIANT]",
          .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE, .default_help = "this machine's",
          .help = "Pull the image for this platform from a multi-platform image" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

#define O struct plain_opts
static const struct kl_config_flag plain_flags[] = {
        COMMON_FLAGS(O),
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

static const char *const ls_outputs[] = { "table", "json", NULL };

#define O struct ls_opts
static const struct kl_config_flag ls_flags[] = {
        COMMON_FLAGS(O),
        { KL_CONFIG_BOOL_AT(O, quiet), .name = "quiet", .short_name = 'q',
          .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE, .help = "Print only the image names" },
        { KL_CONFIG_STRING_AT(O, output), .name = "output", .short_name = 'o', .def = "table",
          .choices = ls_outputs, .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE,
          .help = "Print a table, or one JSON object" },
        KL_CMD_GLOBAL_FLAGS(O, c.global),
};
#undef O

static const struct kl_config_cmd pull_config = {
        .name = "kube-lite images pull",
        .synopsis = "[OPTIONS] IMAGE",
        .summary = "Pull an image from a registry",
        .description = "Pull IMAGE (a reference such as busybox, registry.example.com/app:1.2 or\n"
                       "name@sha256:...) into the image store: only the blobs the store lacks are\n"
                       "fetched, and each layer is unpacked once.",
        .flags = pull_flags,
        .n_flags = KL_ARRAY_SIZE(pull_flags),
        .min_args = 1,
        .max_args = 1,
};

static const struct kl_config_cmd import_config = {
        .name = "kube-lite images import",
        .synopsis = "[OPTIONS] FILE...",
        .summary = "Import images from docker-save or OCI archives",
        .description = "Import every named image of each archive (tar, tar.gz or tar.zst; `docker\n"
                       "save` output or an OCI image layout). Imported images are pinned: image\n"
                       "garbage collection never removes them.",
        .flags = plain_flags,
        .n_flags = KL_ARRAY_SIZE(plain_flags),
        .min_args = 1,
        .max_args = KL_CONFIG_ARGS_ANY,
};

static const struct kl_config_cmd ls_config = {
        .name = "kube-lite images ls",
        .synopsis = "[OPTIONS]",
        .summary = "List the images in the store",
        .description =
                "List the images in the store (alias: list). SIZE is the image's compressed\n"
                "size: its config and layers as the manifest declares them.",
        .flags = ls_flags,
        .n_flags = KL_ARRAY_SIZE(ls_flags),
};

static const struct kl_config_cmd rm_config = {
        .name = "kube-lite images rm",
        .synopsis = "[OPTIONS] IMAGE...",
        .summary = "Remove images from the store",
        .description =
                "Remove each named image (alias: remove), then every blob and unpacked layer\n"
                "no remaining image uses. Names are references: busybox means\n"
                "docker.io/library/busybox:latest.",
        .flags = plain_flags,
        .n_flags = KL_ARRAY_SIZE(plain_flags),
        .min_args = 1,
        .max_args = KL_CONFIG_ARGS_ANY,
};

static const struct kl_config_cmd *const verb_configs[] = {
        &pull_config, &import_config, &ls_config, &rm_config, NULL,
};

const struct kl_config_cmd kl_cmd_images_config = {
        .name = "kube-lite images",
        .synopsis = "[OPTIONS] COMMAND [ARGS...]",
        .summary = "Pull, import, list and remove the node's images",
        .description = "Manage the images of this node's image store (DIR/agent/images).",
        .footer = "Run 'kube-lite images COMMAND --help' for a command's options.",
        .flags = dispatch_flags,
        .n_flags = KL_ARRAY_SIZE(dispatch_flags),
        .max_args = KL_CONFIG_ARGS_ANY,
        .commands = verb_configs,
        .cmd_flags = KL_CONFIG_CMD_STOP_AT_ARG,
};

/* ---- helpers ---- */

static int fail(const struct kl_config_cmd *cmd, const struct kl_err *e)
{
        fprintf(stderr, "%s: %s\n", cmd->name, kl_err_msg(e));
        return 1;
}

static char *store_root(const struct images_common *c)
{
        return kl_asprintf("%s/agent/images", c->data_dir);
}

/*
 * Open the store. Without `create`, a store that does not exist yet is
 * *ret == NULL and 0: listing or removing must not create directories.
 */
static int open_store(const struct images_common *c, bool create, struct kl_rt_store **ret,
                      struct kl_err **err)
{
        kl_autofree char *root = store_root(c);
        struct stat st;

        if (!create && stat(root, &st) < 0 && errno == ENOENT) {
                *ret = NULL;
                return 0;
        }
        return kl_rt_store_open(root, ret, err);
}

/*
 * Sizes as crictl prints them (go-units HumanSizeWithPrecision(size, 3)):
 * decimal units, three significant digits, no space: "1.23MB", "512B".
 */
static void human_size(uint64_t bytes, char *buf, size_t size)
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
        double v = (double)bytes;
        size_t i = 0;

        while (v >= 1000.0 && i < KL_ARRAY_SIZE(units) - 1) {
                v /= 1000.0;
                i++;
        }
        (void)snprintf(buf, size, "%.3g%s", v, units[i]);
}

/* ---- pull ---- */

/* "linux/arm64" or "linux/arm/v7": arch and variant point into `s`, which is modified. */
static int parse_platform(char *s, const char **ret_arch, const char **ret_variant,
                          struct kl_err **err)
{
        char *arch, *variant;

        arch = strchr(s, '/');
        if (!arch || arch == s)
                return kl_err_set(err, -EINVAL, "--platform: expected OS/ARCH[/VARIANT], got '%s'",
                                  s);
        *arch++ = '\0';
        if (!kl_streq(s, "linux"))
                return kl_err_set(err, -EINVAL, "--platform: only linux images run here, not '%s'",
                                  s);
        variant = strchr(arch, '/');
        if (variant)
                *variant++ = '\0';
        if (kl_isempty(arch) || (variant && (kl_isempty(variant) || strchr(variant, '/'))))
                return kl_err_set(err, -EINVAL, "--platform: expected OS/ARCH[/VARIANT]");
        *ret_arch = arch;
        *ret_variant = variant;
        return 0;
}

static int images_pull(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_cleanup(kl_rt_image_release) struct kl_rt_image img = { 0 };
        kl_autoerr struct kl_err *e = NULL;
        struct kl_rt_store *s = NULL;
        struct pull_opts opts = { 0 };
        struct kl_rt_pull_opts po = { 0 };
        struct kl_rt_pull_stats st = { 0 };
        kl_autofree char *platform = NULL;
        char human[32];
        int r;

        r = kl_cmd_parse(&pull_config, &opts, &opts.c.global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (opts.platform) {
                platform = kl_strdup(opts.platform);
                if (parse_platform(platform, &po.arch, &po.variant, &e) < 0) {
                        fprintf(stderr, "%s: %s\nRun '%s --help' for usage.\n", pull_config.name,
                                kl_err_msg(e), pull_config.name);
                        return 2;
                }
        }
        if (opts.username && !opts.password) {
                fprintf(stderr,
                        "%s: --username needs a password (--password or "
                        "KUBE_LITE_REGISTRY_PASSWORD)\n",
                        pull_config.name);
                return 2;
        }
        po.insecure = opts.insecure;
        po.username = opts.username;
        po.password = opts.password;
        po.ca_file = opts.ca_file;

        r = open_store(&opts.c, true, &s, &e);
        if (r < 0)
                return fail(&pull_config, e);
        r = kl_rt_pull(s, kl_config_args(cfg)[0], &po, &img, &st, &e);
        kl_rt_store_free(s);
        if (r < 0)
                return fail(&pull_config, e);

        human_size(st.bytes, human, sizeof(human));
        printf("Image: %s\nDigest: %s\n", img.name, img.digest);
        if (!kl_streq(img.digest, img.manifest))
                printf("Manifest: %s\n", img.manifest);
        printf("Fetched: %u blob%s; received %s (%" PRIu64 " bytes) in %u request%s; "
               "unpacked %u layer%s\n",
               st.blobs_fetched, st.blobs_fetched == 1 ? "" : "s", human, st.bytes, st.requests,
               st.requests == 1 ? "" : "s", st.layers_unpacked, st.layers_unpacked == 1 ? "" : "s");
        return 0;
}

/* ---- import ---- */

static int images_import(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct plain_opts opts = { 0 };
        struct kl_rt_store *s = NULL;
        char *const *files;
        int r, status = 0;

        r = kl_cmd_parse(&import_config, &opts, &opts.c.global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        r = open_store(&opts.c, true, &s, &e);
        if (r < 0)
                return fail(&import_config, e);
        files = kl_config_args(cfg);
        /* Each archive stands alone: one that fails does not stop the others. */
        for (size_t i = 0; files[i]; i++) {
                kl_autostrv char **names = NULL;

                kl_err_free(KL_TAKE_PTR(e));
                r = kl_rt_import(s, files[i], &names, &e);
                if (r < 0) {
                        fprintf(stderr, "%s: '%s': %s\n", import_config.name, files[i],
                                kl_err_msg(e));
                        status = 1;
                        continue;
                }
                if (r == 0)
                        fprintf(stderr, "%s: '%s': no named image in it\n", import_config.name,
                                files[i]);
                for (size_t j = 0; names && names[j]; j++)
                        printf("%s\n", names[j]);
        }
        kl_rt_store_free(s);
        return status;
}

/* ---- ls ---- */

struct row {
        const struct kl_rt_image *img; /* borrowed from the listing */
        char *repo;                    /* owned: "docker.io/library/busybox" */
        char *tag;                     /* owned: "latest", or "<none>" */
        char *config;                  /* owned: the config digest (the image id), or NULL */
        int64_t size;                  /* config + layers from the manifest; -1 unknown */
};

static void row_release(struct row *row)
{
        free(row->repo);
        free(row->tag);
        free(row->config);
}

static int cmp_row(const void *a, const void *b)
{
        return strcmp(((const struct row *)a)->img->name, ((const struct row *)b)->img->name);
}

/* What the image's manifest says: its config digest and config + layer sizes. */
static int manifest_info(struct kl_rt_store *s, const struct kl_rt_image *img, struct row *row,
                         struct kl_err **err)
{
        return kl_rt_image_describe(s, img, &row->config, &row->size, err);
}

static void print_table(const struct row *rows, size_t n)
{
        static const char *const head[] = { "IMAGE", "TAG", "DIGEST", "SIZE", "PINNED" };
        char(*sizes)[32] = kl_calloc(n ? n : 1, sizeof(*sizes));
        size_t w[4];

        for (size_t c = 0; c < 4; c++)
                w[c] = strlen(head[c]);
        for (size_t i = 0; i < n; i++) {
                if (rows[i].size >= 0)
                        human_size((uint64_t)rows[i].size, sizes[i], sizeof(sizes[i]));
                else
                        (void)snprintf(sizes[i], sizeof(sizes[i]), "-");
                w[0] = KL_MAX(w[0], strlen(rows[i].repo));
                w[1] = KL_MAX(w[1], strlen(rows[i].tag));
                w[3] = KL_MAX(w[3], strlen(sizes[i]));
        }
        w[2] = KL_MAX(w[2], (size_t)12);
        /* crictl's tabwriter: cells at least 20 wide, 3 spaces of padding. */
        for (size_t c = 0; c < 4; c++)
                w[c] = KL_MAX(w[c] + 3, (size_t)20);
        printf("%-*s%-*s%-*s%-*s%s\n", (int)w[0], head[0], (int)w[1], head[1], (int)w[2], head[2],
               (int)w[3], head[3], head[4]);
        for (size_t i = 0; i < n; i++) {
                const char *hex = kl_startswith(rows[i].img->digest, "sha256:");

                printf("%-*s%-*s%-*.12s%-*s%s\n", (int)w[0], rows[i].repo, (int)w[1], rows[i].tag,
                       (int)w[2], hex ? hex : rows[i].img->digest, (int)w[3], sizes[i],
                       (rows[i].img->flags & KL_RT_IMAGE_PINNED) ? "true" : "false");
        }
        free(sizes);
}

static int print_json(const struct row *rows, size_t n)
{
        json_auto_t *root = json_object();
        json_t *list = json_array();
        kl_autobuf struct kl_buf text = KL_BUF_INIT;
        int r = 0;

        r |= json_object_set_new(root, "images", list);
        for (size_t i = 0; i < n; i++) {
                const struct kl_rt_image *img = rows[i].img;
                json_t *o = json_object();

                r |= json_array_append_new(list, o);
                r |= json_object_set_new(o, "name", json_string(img->name));
                r |= json_object_set_new(o, "repository", json_string(rows[i].repo));
                r |= json_object_set_new(o, "tag", json_string(rows[i].tag));
                r |= json_object_set_new(o, "digest", json_string(img->digest));
                r |= json_object_set_new(o, "manifest", json_string(img->manifest));
                r |= json_object_set_new(
                        o, "id", rows[i].config ? json_string(rows[i].config) : json_null());
                r |= json_object_set_new(
                        o, "size", rows[i].size >= 0 ? json_integer(rows[i].size) : json_null());
                r |= json_object_set_new(o, "pinned",
                                         json_boolean(img->flags & KL_RT_IMAGE_PINNED));
                r |= json_object_set_new(o, "lastUsed", json_integer(img->last_used));
        }
        if (r != 0)
                return -ENOMEM;
        r = kl_json_encode(root, KL_JSON_ENCODE_PRETTY, &text, NULL);
        if (r < 0)
                return r;
        printf("%s\n", text.buf);
        return 0;
}

static int images_ls(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct ls_opts opts = { 0 };
        struct kl_rt_store *s = NULL;
        struct kl_rt_image *imgs = NULL;
        struct row *rows;
        size_t n = 0;
        int r, status = 0;

        r = kl_cmd_parse(&ls_config, &opts, &opts.c.global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        r = open_store(&opts.c, false, &s, &e);
        if (r < 0)
                return fail(&ls_config, e);
        if (s) {
                r = kl_rt_store_image_list(s, &imgs, &n, &e);
                if (r < 0) {
                        kl_rt_store_free(s);
                        return fail(&ls_config, e);
                }
        }
        rows = kl_calloc(n ? n : 1, sizeof(*rows));
        for (size_t i = 0; i < n; i++) {
                kl_cleanup(kl_rt_ref_release) struct kl_rt_ref ref = { 0 };

                rows[i].img = &imgs[i];
                rows[i].size = -1;
                /* Names were normalised when recorded; one that no longer parses is shown whole. */
                if (kl_rt_ref_parse(imgs[i].name, &ref, NULL) == 0) {
                        rows[i].repo = kl_asprintf("%s/%s", ref.domain, ref.path);
                        rows[i].tag = kl_strdup(ref.tag ? ref.tag : "<none>");
                } else {
                        rows[i].repo = kl_strdup(imgs[i].name);
                        rows[i].tag = kl_strdup("<none>");
                }
                if (opts.quiet)
                        continue;
                /* A damaged image is listed and reported; the others still show. */
                kl_err_free(KL_TAKE_PTR(e));
                if (manifest_info(s, &imgs[i], &rows[i], &e) < 0) {
                        fprintf(stderr, "%s: %s\n", ls_config.name, kl_err_msg(e));
                        status = 1;
                }
        }
        qsort(rows, n, sizeof(*rows), cmp_row);
        if (opts.quiet) {
                for (size_t i = 0; i < n; i++)
                        printf("%s\n", rows[i].img->name);
        } else if (kl_streq(opts.output, "json")) {
                r = print_json(rows, n);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", ls_config.name, kl_strerror(r));
                        status = 1;
                }
        } else {
                print_table(rows, n);
        }
        for (size_t i = 0; i < n; i++)
                row_release(&rows[i]);
        free(rows);
        kl_rt_images_free(imgs, n);
        kl_rt_store_free(s);
        return status;
}

/* ---- rm ---- */

/*
 * After removing images, sweep what nothing uses any more. kl_rt_store_gc()
 * first removes unpinned images not in `in_use` whose last use is before
 * `older_than`, then every blob and snapshot no remaining image references.
 * Only the sweep is wanted: removing one image must never collect another, so
 * every remaining image is named as in use, which keeps them all whatever
 * their pin or last use (older_than = 0 alone would rely on no last-used time
 * in the index file being negative).
 *
 * The sweep sees the images recorded in the index, not a pull still running
 * in another process (the agent), whose committed blobs are not referenced
 * until it records its image: rt.h has no lock between the two yet.
 */
static int sweep(struct kl_rt_store *s, struct kl_err **err)
{
        kl_autostrv char **keep = NULL;
        struct kl_rt_image *imgs = NULL;
        size_t n = 0;
        int r;

        r = kl_rt_store_image_list(s, &imgs, &n, err);
        if (r < 0)
                return r;
        keep = kl_calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                keep[i] = kl_strdup(imgs[i].name);
        kl_rt_images_free(imgs, n);
        r = kl_rt_store_gc(s, keep, 0, err);
        return r < 0 ? r : 0;
}

static int images_rm(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct plain_opts opts = { 0 };
        struct kl_rt_store *s = NULL;
        char *const *names;
        int r, status = 0;

        r = kl_cmd_parse(&rm_config, &opts, &opts.c.global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        r = open_store(&opts.c, false, &s, &e);
        if (r < 0)
                return fail(&rm_config, e);
        names = kl_config_args(cfg);
        for (size_t i = 0; names[i]; i++) {
                kl_cleanup(kl_rt_ref_release) struct kl_rt_ref ref = { 0 };
                kl_autofree char *name = NULL;

                kl_err_free(KL_TAKE_PTR(e));
                r = kl_rt_ref_parse(names[i], &ref, &e);
                if (r < 0) {
                        fprintf(stderr, "%s: '%s': %s\n", rm_config.name, names[i], kl_err_msg(e));
                        status = 1;
                        continue;
                }
                name = kl_rt_ref_format(&ref);
                r = s ? kl_rt_store_image_remove(s, name, &e) : -ENOENT;
                if (r == -ENOENT) {
                        fprintf(stderr, "%s: no such image '%s'\n", rm_config.name, name);
                        status = 1;
                        continue;
                }
                if (r < 0) {
                        fprintf(stderr, "%s: '%s': %s\n", rm_config.name, name, kl_err_msg(e));
                        status = 1;
                        continue;
                }
                printf("Deleted: %s\n", name);
        }
        if (s) {
                kl_err_free(KL_TAKE_PTR(e));
                r = sweep(s, &e);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", rm_config.name, kl_err_msg(e));
                        status = 1;
                }
        }
        kl_rt_store_free(s);
        return status;
}

/* ---- the dispatcher ---- */

static const struct kl_cmd_verb verbs[] = {
        { "pull", NULL, images_pull, &pull_config },
        { "import", NULL, images_import, &import_config },
        { "ls", "list", images_ls, &ls_config },
        { "rm", "remove", images_rm, &rm_config },
};

int kl_cmd_images(int argc, char **argv)
{
        struct pull_opts opts = { 0 };

        return kl_cmd_dispatch(&kl_cmd_images_config, &opts, &opts.c.global, verbs,
                               KL_ARRAY_SIZE(verbs), argc, argv);
}
