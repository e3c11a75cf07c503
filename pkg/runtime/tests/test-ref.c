/* SPDX-License-Identifier: Apache-2.0 */
/* Image references, WWW-Authenticate challenges, manifests and platform selection. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "runtime/rt.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Expected normalisations, from docker/distribution's reference/normalize_test.go. */
static const struct {
        const char *in, *out;
} ref_ok[] = {
        { "busybox", "docker.io/library/busybox:latest" },
        { "busybox:1.36", "docker.io/library/busybox:1.36" },
        { "library/busybox", "docker.io/library/busybox:latest" },
        { "docker.io/busybox", "docker.io/library/busybox:latest" },
        { "index.docker.io/library/busybox", "docker.io/library/busybox:latest" },
        { "user/repo", "docker.io/user/repo:latest" },
        { "localhost/x", "localhost/x:latest" },
        { "localhost:5000/x", "localhost:5000/x:latest" },
        { "localhost:5000/a/b/c:v1", "localhost:5000/a/b/c:v1" },
        { "127.0.0.1:5000/x:1", "127.0.0.1:5000/x:1" },
        { "Registry.Example.com/x", "Registry.Example.com/x:latest" },
        { "quay.io/a_b/c-d.e__f", "quay.io/a_b/c-d.e__f:latest" },
        { "a--b", "docker.io/library/a--b:latest" },
        { "busybox@sha256:" H64, "docker.io/library/busybox@sha256:" H64 },
        { "busybox:1@sha256:" H64, "docker.io/library/busybox:1@sha256:" H64 },
        { "localhost:5000/x@sha256:" H64, "localhost:5000/x@sha256:" H64 },
        { "x:_tag.-1", "docker.io/library/x:_tag.-1" },
};

static const char *const ref_bad[] = {
        "",
        "Busybox",
        "docker.io/Library/busybox",
        "busybox:",
        "busybox:-tag",
        "busybox@sha256:abc",
        "busybox@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "busybox@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
        "a//b",
        "/a",
        "a/",
        "a..b",
        "-a",
        "a-",
        "a___b",
        "host:port/x",
        "host:123456/x",
        "-bad.com/x",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "a b",
};

Test(ref, normalises_as_upstream)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(ref_ok); i++) {
                struct kl_rt_ref ref;
                kl_autoerr struct kl_err *e = NULL;
                int r = kl_rt_ref_parse(ref_ok[i].in, &ref, &e);

                cr_assert_eq(r, 0, "'%s': %s", ref_ok[i].in, kl_err_msg(e));
                kl_autofree char *s = kl_rt_ref_format(&ref);
                cr_expect_str_eq(s, ref_ok[i].out, "'%s'", ref_ok[i].in);
                kl_rt_ref_release(&ref);
        }
}

Test(ref, rejects_invalid)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(ref_bad); i++) {
                struct kl_rt_ref ref = { 0 };
                kl_autoerr struct kl_err *e = NULL;

                cr_expect_eq(kl_rt_ref_parse(ref_bad[i], &ref, &e), -EINVAL, "'%s' accepted",
                             ref_bad[i]);
                cr_expect_null(ref.domain);
        }
}

Test(ref, length_limits)
{
        struct kl_rt_ref ref;
        char tag[140], name[300];

        memset(tag, 'a', sizeof(tag));
        memcpy(tag, "x:", 2);
        tag[2 + 128] = '\0';
        cr_expect_eq(kl_rt_ref_parse(tag, &ref, NULL), 0, "a 128-character tag is fine");
        kl_rt_ref_release(&ref);
        tag[2 + 128] = 'a';
        tag[2 + 129] = '\0';
        cr_expect_eq(kl_rt_ref_parse(tag, &ref, NULL), -EINVAL);
        /* docker.io/library/ + 237 = 255 bytes of name is the most. */
        memset(name, 'b', sizeof(name));
        name[237] = '\0';
        cr_expect_eq(kl_rt_ref_parse(name, &ref, NULL), 0);
        kl_rt_ref_release(&ref);
        name[237] = 'b';
        name[238] = '\0';
        cr_expect_eq(kl_rt_ref_parse(name, &ref, NULL), -EINVAL);
}

Test(ref, parts)
{
        struct kl_rt_ref ref;

        cr_assert_eq(kl_rt_ref_parse("localhost:5000/a/b:v1", &ref, NULL), 0);
        cr_expect_str_eq(ref.domain, "localhost:5000");
        cr_expect_str_eq(ref.path, "a/b");
        cr_expect_str_eq(ref.tag, "v1");
        cr_expect_null(ref.digest);
        kl_rt_ref_release(&ref);
}

Test(digest, of_and_valid)
{
        kl_autofree char *d = kl_rt_digest_of("", 0);

        cr_expect_str_eq(d,
                         "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        cr_expect(kl_rt_digest_is_valid(d));
        cr_expect_not(kl_rt_digest_is_valid("sha256:" H64 "0"));
        cr_expect_not(kl_rt_digest_is_valid(NULL));
}

Test(challenge, bearer_docker_hub)
{
        struct kl_rt_challenge c;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_rt_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
                                           "service=\"registry.docker.io\","
                                           "scope=\"repository:library/busybox:pull\"",
                                           &c, &e),
                     0, "%s", kl_err_msg(e));
        cr_expect_str_eq(c.scheme, "bearer");
        cr_expect_str_eq(c.realm, "https://auth.docker.io/token");
        cr_expect_str_eq(c.service, "registry.docker.io");
        cr_expect_str_eq(c.scope, "repository:library/busybox:pull");
        kl_rt_challenge_release(&c);
}

Test(challenge, variants)
{
        struct kl_rt_challenge c;

        cr_assert_eq(kl_rt_challenge_parse("  basic REALM = \"a \\\"q\\\" b\" , x=y", &c, NULL), 0);
        cr_expect_str_eq(c.scheme, "basic");
        cr_expect_str_eq(c.realm, "a \"q\" b");
        cr_expect_null(c.service);
        kl_rt_challenge_release(&c);

        /* Only the first challenge counts. */
        cr_assert_eq(kl_rt_challenge_parse("Bearer realm=http://h/t, Basic realm=x", &c, NULL), 0);
        cr_expect_str_eq(c.realm, "http://h/t");
        kl_rt_challenge_release(&c);

        cr_expect_eq(kl_rt_challenge_parse("", &c, NULL), -EINVAL);
        cr_expect_eq(kl_rt_challenge_parse("Bearer realm=\"open", &c, NULL), -EINVAL);
        cr_expect_eq(kl_rt_challenge_parse("Bearer realm=a b=c", &c, NULL), -EINVAL);
}

static const char index_json[] =
        "{\"schemaVersion\":2,\"mediaType\":\"" KL_RT_MT_OCI_INDEX "\",\"manifests\":["
        "{\"mediaType\":\"" KL_RT_MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H64 "\",\"size\":1,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
        "{\"mediaType\":\"" KL_RT_MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H64 "\",\"size\":2,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
        "{\"mediaType\":\"" KL_RT_MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H64 "\",\"size\":3,"
        "\"platform\":{\"os\":\"windows\",\"architecture\":\"amd64\"}},"
        "{\"mediaType\":\"" KL_RT_MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H64 "\",\"size\":4,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
        "{\"mediaType\":\"" KL_RT_MT_OCI_MANIFEST "\",\"digest\":\"sha256:" H64 "\",\"size\":5,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}";

Test(manifest, index_platforms)
{
        struct kl_rt_manifest m;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_rt_manifest_parse(index_json, strlen(index_json), NULL, &m, &e), 0, "%s",
                     kl_err_msg(e));
        cr_expect(m.is_index);
        cr_expect_eq(m.n_entries, 5);
        cr_expect_eq(kl_rt_manifest_select(&m, "amd64", NULL), 3);
        cr_expect_eq(kl_rt_manifest_select(&m, "arm", "v7"), 1);
        cr_expect_eq(kl_rt_manifest_select(&m, "arm", "v6"), 0);
        cr_expect_eq(kl_rt_manifest_select(&m, "arm64", "v8"), 4);
        cr_expect_eq(kl_rt_manifest_select(&m, "s390x", NULL), -ENOENT);
        kl_rt_manifest_release(&m);
}

Test(manifest, docker_v2_and_errors)
{
        static const char man[] =
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" KL_RT_MT_DOCKER_CONFIG "\","
                "\"digest\":\"sha256:" H64 "\",\"size\":7},\"layers\":[{\"mediaType\":"
                "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"sha256:" H64
                "\",\"size\":9}]}";
        struct kl_rt_manifest m;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_rt_manifest_parse(man, strlen(man),
                                          KL_RT_MT_DOCKER_MANIFEST "; charset=utf-8", &m, &e),
                     0, "%s", kl_err_msg(e));
        cr_expect_not(m.is_index);
        cr_expect_eq(m.config.size, 7);
        cr_expect_eq(m.n_entries, 1);
        cr_expect_eq(m.entries[0].size, 9);
        kl_rt_manifest_release(&m);

        cr_expect_eq(kl_rt_manifest_parse("{}", 2, NULL, &m, NULL), -ENOENT);
        cr_expect_eq(kl_rt_manifest_parse(man, strlen(man), "text/html", &m, NULL),
                     -KL_EUNSUPPORTED_MEDIA);
        static const char bad_digest[] = "{\"schemaVersion\":2,\"config\":{\"digest\":\"md5:x\","
                                         "\"size\":1},\"layers\":[]}";
        cr_expect_eq(kl_rt_manifest_parse(bad_digest, strlen(bad_digest), NULL, &m, NULL), -EINVAL);
        static const char neg[] = "{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:" H64
                                  "\",\"size\":-1},\"layers\":[]}";
        cr_expect_eq(kl_rt_manifest_parse(neg, strlen(neg), NULL, &m, NULL), -EINVAL);
}
