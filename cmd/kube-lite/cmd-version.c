/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite version: kube-lite's own version and commit, the Kubernetes API
 * version it serves, and the run-time version of every library linked in.
 *
 * This is the one file outside a library's own module that includes the
 * library's header (STYLE R9.9, R9.10): it reads version functions and nothing
 * else, and a bug report needs them all in one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netlink/version.h>
#include <openssl/crypto.h>
#include <seccomp.h>
#include <sqlite3.h>
#include <uv.h>
#include <yaml.h>
#include <zlib.h>
#include <zstd.h>

#include "base/base.h"
#include "commands.h"
#include "config/config.h"
#include "json/json.h"

/* libnl exports its run-time version as plain integers. */
extern const int nl_ver_maj, nl_ver_min, nl_ver_mic;

struct version_opts {
        struct kl_cmd_global global;
        char *output;
        bool short_form;
};

static const char *const output_formats[] = { "text", "json", NULL };

/* Presentation flags are per invocation: no environment variable, no config-file key. */
#define O struct version_opts
static const struct kl_config_flag version_flags[] = {
        { KL_CONFIG_STRING_AT(O, output), .name = "output", .short_name = 'o', .def = "text",
          .choices = output_formats, .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE,
          .help = "Print text, or one JSON object" },
        { KL_CONFIG_BOOL_AT(O, short_form), .name = "short",
          .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE, .help = "Print only kube-lite's version" },
        KL_CMD_GLOBAL_FLAGS(O, global),
};
#undef O

const struct kl_config_cmd kl_cmd_version_config = {
        .name = "kube-lite version",
        .summary = "Print the versions of kube-lite and its libraries",
        .description = "Print the versions of kube-lite, the Kubernetes API it serves and every\n"
                       "library linked into it.",
        .flags = version_flags,
        .n_flags = KL_ARRAY_SIZE(version_flags),
};

struct library {
        const char *name;
        const char *version; /* borrowed: static storage of the library, or of lib_versions() */
};

#define N_LIBRARIES 11

/* The libraries in the order `kube-lite version` has always printed them. */
static void lib_versions(struct library libs[N_LIBRARIES], char *seccomp_buf, char *nl_buf,
                         size_t size)
{
        const struct scmp_version *seccomp = seccomp_version();
        size_t n = 0;

        (void)snprintf(seccomp_buf, size, "%u.%u.%u", seccomp->major, seccomp->minor,
                       seccomp->micro);
        (void)snprintf(nl_buf, size, "%d.%d.%d", nl_ver_maj, nl_ver_min, nl_ver_mic);
        libs[n++] = (struct library){ "libuv", uv_version_string() };
        libs[n++] = (struct library){ "sqlite", sqlite3_libversion() };
        libs[n++] = (struct library){ "libarchive", archive_version_details() };
        libs[n++] = (struct library){ "libcurl", curl_version() };
        libs[n++] = (struct library){ "openssl", OpenSSL_version(OPENSSL_VERSION) };
        libs[n++] = (struct library){ "zlib", zlibVersion() };
        libs[n++] = (struct library){ "zstd", ZSTD_versionString() };
        libs[n++] = (struct library){ "libseccomp", seccomp_buf };
        libs[n++] = (struct library){ "libnl", nl_buf };
        libs[n++] = (struct library){ "jansson", jansson_version_str() };
        libs[n++] = (struct library){ "libyaml", yaml_get_version_string() };
        kl_assert(n == N_LIBRARIES);
}

static int print_json(const struct library *libs, bool short_form)
{
        json_auto_t *root = json_object();
        kl_autobuf struct kl_buf text = KL_BUF_INIT;
        int r = 0;

        /* The _new setters steal their value even when they fail: no leak on any path. */
        r |= json_object_set_new(root, "version", json_string(KL_VERSION));
        if (!short_form) {
                json_t *l = json_object();

                r |= json_object_set_new(root, "gitCommit", json_string(KL_GIT_COMMIT));
                r |= json_object_set_new(root, "kubernetesVersion", json_string(KL_KUBE_VERSION));
                for (size_t i = 0; i < N_LIBRARIES; i++)
                        r |= json_object_set_new(l, libs[i].name, json_string(libs[i].version));
                r |= json_object_set_new(root, "libraries", l);
        }
        if (r != 0)
                return -ENOMEM;
        r = kl_json_encode(root, KL_JSON_ENCODE_PRETTY, &text, NULL);
        if (r < 0)
                return r;
        printf("%s\n", text.buf);
        return 0;
}

int kl_cmd_version(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        struct version_opts opts = { 0 };
        struct library libs[N_LIBRARIES];
        char seccomp_buf[32], nl_buf[32];
        int r;

        r = kl_cmd_parse(&kl_cmd_version_config, &opts, &opts.global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;

        lib_versions(libs, seccomp_buf, nl_buf, sizeof(seccomp_buf));
        if (kl_streq(opts.output, "json")) {
                r = print_json(libs, opts.short_form);
                if (r < 0) {
                        fprintf(stderr, "kube-lite version: %s\n", kl_strerror(r));
                        return 1;
                }
                return 0;
        }
        if (opts.short_form) {
                printf("%s\n", KL_VERSION);
                return 0;
        }
        printf("kube-lite %s (commit %s)\n", KL_VERSION, KL_GIT_COMMIT);
        printf("%-11s %s\n", "kubernetes", KL_KUBE_VERSION);
        for (size_t i = 0; i < N_LIBRARIES; i++)
                printf("%-11s %s\n", libs[i].name, libs[i].version);
        return 0;
}
