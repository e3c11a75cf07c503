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

/* libnl exports its run-time version as plain integers. */
extern const int nl_ver_maj, nl_ver_min, nl_ver_mic;

static void print_usage(FILE *f)
{
        fprintf(f, "Usage: kube-lite version [--short]\n\n"
                   "Print the versions of kube-lite, the Kubernetes API it serves and every\n"
                   "library linked into it.\n\n"
                   "Options:\n"
                   "  --short   print only kube-lite's version\n"
                   "  -h, --help\n");
}

int kl_cmd_version(int argc, char **argv)
{
        const struct scmp_version *seccomp = seccomp_version();
        bool short_form = false;

        for (int i = 1; i < argc; i++) {
                if (kl_streq(argv[i], "--help") || kl_streq(argv[i], "-h")) {
                        print_usage(stdout);
                        return 0;
                }
                if (kl_streq(argv[i], "--short")) {
                        short_form = true;
                        continue;
                }
                fprintf(stderr, "kube-lite version: unknown option '%s'\n", argv[i]);
                print_usage(stderr);
                return 2;
        }
        if (short_form) {
                printf("%s\n", KL_VERSION);
                return 0;
        }
        printf("kube-lite %s (commit %s)\n", KL_VERSION, KL_GIT_COMMIT);
        printf("%-11s %s\n", "kubernetes", KL_KUBE_VERSION);
        printf("%-11s %s\n", "libuv", uv_version_string());
        printf("%-11s %s\n", "sqlite", sqlite3_libversion());
        printf("%-11s %s\n", "libarchive", archive_version_details());
        printf("%-11s %s\n", "libcurl", curl_version());
        printf("%-11s %s\n", "openssl", OpenSSL_version(OPENSSL_VERSION));
        printf("%-11s %s\n", "zlib", zlibVersion());
        printf("%-11s %s\n", "zstd", ZSTD_versionString());
        printf("%-11s %u.%u.%u\n", "libseccomp", seccomp->major, seccomp->minor, seccomp->micro);
        printf("%-11s %d.%d.%d\n", "libnl", nl_ver_maj, nl_ver_min, nl_ver_mic);
        printf("%-11s %s\n", "jansson", jansson_version_str());
        printf("%-11s %s\n", "libyaml", yaml_get_version_string());
        return 0;
}
