/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod address allocator and the address arithmetic, without privileges:
 * host-local's behaviour (round robin after the last address handed out, the
 * same address again for the same pod, a clear error when the range is
 * full), state that survives a restart, two allocators on one directory, and
 * corrupt state files reported and skipped.
 */
#include <criterion/criterion.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net-internal.h"
#include "testing/testing.h"

static struct kl_net__ipam *ipam_at(const char *dir, const char *cidr)
{
        struct kl_net__cidr c;
        struct kl_net__ipam *ipam = NULL;
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_net__cidr_parse(cidr, &c), 0, "%s", cidr);
        cr_assert_eq(kl_net__ipam_new(dir, &c, &ipam, &e), 0, "%s", kl_err_msg(e));
        return ipam;
}

static char *alloc_text(struct kl_net__ipam *ipam, const char *uid)
{
        kl_autoerr struct kl_err *e = NULL;
        uint32_t ip;
        char text[16];

        cr_assert_eq(kl_net__ipam_alloc(ipam, uid, &ip, &e), 0, "%s: %s", uid, kl_err_msg(e));
        kl_net__ip_format(ip, text);
        return kl_strdup(text);
}

Test(cidr, parse_table)
{
        static const struct {
                const char *in;
                const char *addr;
                int r;
                unsigned prefix;
        } cases[] = {
                { "10.42.1.0/24", "10.42.1.0", 0, 24 }, { "10.42.0.0/16", "10.42.0.0", 0, 16 },
                { "0.0.0.0/0", "0.0.0.0", 0, 0 },       { "192.168.7.4/30", "192.168.7.4", 0, 30 },
                { "10.42.1.1/24", NULL, -EINVAL, 0 }, /* host bits set */
                { "10.42.1.0/33", NULL, -EINVAL, 0 },   { "10.42.1.0/024", NULL, -EINVAL, 0 },
                { "10.42.1.0", NULL, -EINVAL, 0 },      { "10.42.01.0/24", NULL, -EINVAL, 0 },
                { "10.42.1/24", NULL, -EINVAL, 0 },     { "10.42.1.256/24", NULL, -EINVAL, 0 },
                { "fd00::/64", NULL, -EINVAL, 0 },      { "", NULL, -EINVAL, 0 },
                { "10.42.1.0/", NULL, -EINVAL, 0 },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                struct kl_net__cidr c;
                char text[16];

                cr_assert_eq(kl_net__cidr_parse(cases[i].in, &c), cases[i].r, "%s", cases[i].in);
                if (cases[i].r < 0)
                        continue;
                kl_net__ip_format(c.addr, text);
                cr_assert_str_eq(text, cases[i].addr);
                cr_assert_eq(c.prefix, cases[i].prefix);
        }
}

Test(cidr, names_are_deterministic)
{
        char a[16], b[16], mac[18];

        kl_net__host_ifname("0b6a8d2e-7a54-4c1e-9d35-5f2b3c4d5e6f", a);
        kl_net__host_ifname("0b6a8d2e-7a54-4c1e-9d35-5f2b3c4d5e6f", b);
        cr_assert_str_eq(a, b);
        cr_assert_eq(strlen(a), 13); /* "kl" + 11: within IFNAMSIZ */
        cr_assert(kl_startswith(a, "kl"));
        kl_net__host_ifname("another-pod", b);
        cr_assert_str_neq(a, b);

        cr_assert_eq(kl_net_vtep_mac("10.42.1.0/24", mac), 0);
        cr_assert_str_eq(mac, "0e:6b:0a:2a:01:00");
        cr_assert_eq(kl_net_vtep_mac("10.42.2.0/24", mac), 0);
        cr_assert_str_eq(mac, "0e:6b:0a:2a:02:00");
        cr_assert_eq(kl_net_vtep_mac("10.42.2.1/24", mac), -EINVAL);

        cr_assert_eq(kl_net_backend_parse("vxlan"), KL_NET_BACKEND_VXLAN);
        cr_assert_eq(kl_net_backend_parse("host-gw"), KL_NET_BACKEND_HOST_GW);
        cr_assert_eq(kl_net_backend_parse("none"), KL_NET_BACKEND_NONE);
        cr_assert_eq(kl_net_backend_parse("udp"), KL_NET_BACKEND__INVALID);
}

Test(ipam, allocates_from_two_and_returns_the_same_for_a_uid)
{
        kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;
        kl_autofree char *a = NULL, *b = NULL, *a2 = NULL;
        const char *dir = kl_test_tmpdir();

        ipam = ipam_at(dir, "10.42.1.0/24");
        a = alloc_text(ipam, "pod-a");
        b = alloc_text(ipam, "pod-b");
        a2 = alloc_text(ipam, "pod-a");
        cr_assert_str_eq(a, "10.42.1.2"); /* .1 is the gateway */
        cr_assert_str_eq(b, "10.42.1.3");
        cr_assert_str_eq(a2, a);
}

Test(ipam, freed_address_is_not_reused_at_once)
{
        kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;
        kl_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
        kl_autoerr struct kl_err *e = NULL;
        uint32_t ip;

        ipam = ipam_at(kl_test_tmpdir(), "10.42.1.0/24");
        a = alloc_text(ipam, "pod-a");
        b = alloc_text(ipam, "pod-b");
        cr_assert_str_eq(a, "10.42.1.2");
        cr_assert_str_eq(b, "10.42.1.3");
        cr_assert_eq(kl_net__ipam_release(ipam, "pod-a", &e), 1);
        cr_assert_eq(kl_net__ipam_release(ipam, "pod-a", &e), 0); /* twice: nothing left */
        cr_assert_eq(kl_net__ipam_find(ipam, "pod-a", &ip, NULL), -ENOENT);
        c = alloc_text(ipam, "pod-c");
        cr_assert_str_eq(c, "10.42.1.4"); /* after the cursor, not the freed .2 */
        d = alloc_text(ipam, "pod-a");
        cr_assert_str_eq(d, "10.42.1.5");
}

Test(ipam, wraps_and_reports_exhaustion)
{
        kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *x = NULL, *y = NULL, *z = NULL;
        uint32_t ip;

        /* A /29: .1 gateway, .2-.6 for pods, .7 broadcast. */
        ipam = ipam_at(kl_test_tmpdir(), "10.42.9.0/29");
        for (int i = 0; i < 5; i++) {
                kl_autofree char *uid = kl_asprintf("pod-%d", i);
                kl_autofree char *ipt = alloc_text(ipam, uid);
                kl_autofree char *want = kl_asprintf("10.42.9.%d", i + 2);

                cr_assert_str_eq(ipt, want);
        }
        cr_assert_eq(kl_net__ipam_alloc(ipam, "pod-full", &ip, &e), -ENOSPC);
        cr_assert_str_eq(kl_err_msg(e), "no free pod address in 10.42.9.0/29");
        cr_assert_eq(kl_net__ipam_release(ipam, "pod-3", NULL), 1);
        x = alloc_text(ipam, "pod-new");
        cr_assert_str_eq(x, "10.42.9.5"); /* the only free one, found by wrapping */
        cr_assert_eq(kl_net__ipam_release(ipam, "pod-0", NULL), 1);
        cr_assert_eq(kl_net__ipam_release(ipam, "pod-1", NULL), 1);
        y = alloc_text(ipam, "pod-y");
        z = alloc_text(ipam, "pod-z");
        cr_assert_str_eq(y, "10.42.9.2");
        cr_assert_str_eq(z, "10.42.9.3");
}

Test(ipam, state_survives_a_restart)
{
        const char *dir = kl_test_tmpdir();
        kl_autofree char *a = NULL, *b = NULL, *c = NULL, *a2 = NULL;
        kl_autofree char *file = NULL, *cursor = NULL, *text = NULL;

        {
                kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;

                ipam = ipam_at(dir, "10.42.1.0/24");
                a = alloc_text(ipam, "pod-a");
                b = alloc_text(ipam, "pod-b");
                cr_assert_str_eq(b, "10.42.1.3");
                cr_assert_eq(kl_net__ipam_release(ipam, "pod-b", NULL), 1);
        }
        file = kl_asprintf("%s/10.42.1.2", dir);
        text = kl_test_read_file(file);
        cr_assert_str_eq(text, "pod-a\n");
        free(text);
        cursor = kl_asprintf("%s/last", dir);
        text = kl_test_read_file(cursor);
        cr_assert_str_eq(text, "10.42.1.3\n");
        {
                kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;

                ipam = ipam_at(dir, "10.42.1.0/24");
                a2 = alloc_text(ipam, "pod-a");
                c = alloc_text(ipam, "pod-c");
        }
        cr_assert_str_eq(a2, a);
        cr_assert_str_eq(c, "10.42.1.4");
}

Test(ipam, two_allocators_never_share_an_address)
{
        const char *dir = kl_test_tmpdir();
        pid_t kids[2];
        kl_autofree struct kl_net__ipam_entry *v = NULL;
        kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;
        size_t n = 0, corrupt = 0;

        /* Two processes, 60 pods each, race on one directory of a /25 (125 addresses). */
        for (int k = 0; k < 2; k++) {
                kids[k] = fork();
                cr_assert_geq(kids[k], 0);
                if (kids[k] == 0) {
                        struct kl_net__ipam *mine = ipam_at(dir, "10.42.1.0/25");

                        for (int i = 0; i < 60; i++) {
                                kl_autofree char *uid = kl_asprintf("p%d-%d", k, i);
                                uint32_t ip;

                                if (kl_net__ipam_alloc(mine, uid, &ip, NULL) < 0)
                                        _exit(1);
                        }
                        kl_net__ipam_free(mine);
                        _exit(0);
                }
        }
        for (int k = 0; k < 2; k++) {
                int st;

                cr_assert_eq(waitpid(kids[k], &st, 0), kids[k]);
                cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        }
        ipam = ipam_at(dir, "10.42.1.0/25");
        cr_assert_eq(kl_net__ipam_list(ipam, &v, &n, &corrupt, NULL), 0);
        cr_assert_eq(n, 120);
        cr_assert_eq(corrupt, 0);
        for (size_t i = 1; i < n; i++)
                cr_assert_neq(v[i].ip, v[i - 1].ip); /* sorted: equal neighbours = shared */
}

Test(ipam, corrupt_files_are_reported_and_skipped)
{
        const char *dir = kl_test_tmpdir();
        kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;
        kl_autofree struct kl_net__ipam_entry *v = NULL;
        kl_autofree char *big = NULL;
        kl_autofree char *x = NULL;
        size_t n = 0, corrupt = 0;
        uint32_t ip;
        char text[16];

        free(kl_test_write_file(dir, "10.42.1.2", "pod-good\n"));
        free(kl_test_write_file(dir, "10.42.1.3", "bad uid with spaces\n"));
        free(kl_test_write_file(dir, "10.42.1.4", ""));
        free(kl_test_write_file(dir, "10.42.2.5", "pod-elsewhere\n")); /* another range */
        free(kl_test_write_file(dir, "10.42.1.255", "pod-broadcast\n"));
        free(kl_test_write_file(dir, "not-an-ip", "pod-x\n"));
        big = kl_malloc(KL_NET__IPAM_FILE_MAX + 2);
        memset(big, 'a', KL_NET__IPAM_FILE_MAX + 1);
        big[KL_NET__IPAM_FILE_MAX + 1] = '\0';
        free(kl_test_write_file(dir, "10.42.1.6", big));
        free(kl_test_write_file(dir, "last", "garbage"));

        ipam = ipam_at(dir, "10.42.1.0/24");
        cr_assert_eq(kl_net__ipam_list(ipam, &v, &n, &corrupt, NULL), 0);
        cr_assert_eq(n, 1);
        cr_assert_str_eq(v[0].uid, "pod-good");
        cr_assert_eq(corrupt, 6);
        cr_assert_eq(kl_net__ipam_find(ipam, "pod-x", &ip, NULL), -ENOENT);
        /* The corrupt files' addresses stay taken: the next free one is .5. */
        x = alloc_text(ipam, "pod-new");
        cr_assert_str_eq(x, "10.42.1.5");
        cr_assert_eq(kl_net__ipam_find(ipam, "pod-good", &ip, NULL), 0);
        kl_net__ip_format(ip, text);
        cr_assert_str_eq(text, "10.42.1.2");
}

Test(ipam, rejects_bad_uids_and_ranges)
{
        kl_cleanup(kl_net__ipam_freep) struct kl_net__ipam *ipam = NULL;
        struct kl_net__ipam *none = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_net__cidr c = { .addr = 0x0a2a0100, .prefix = 31 };
        uint32_t ip;

        cr_assert_eq(kl_net__ipam_new(kl_test_tmpdir(), &c, &none, &e), -EINVAL);
        cr_assert_null(none);
        ipam = ipam_at(kl_test_tmpdir(), "10.42.1.0/24");
        cr_assert_eq(kl_net__ipam_alloc(ipam, "../etc", &ip, NULL), -EINVAL);
        cr_assert_eq(kl_net__ipam_alloc(ipam, "", &ip, NULL), -EINVAL);
}

Test(ipam, parsers_table)
{
        struct kl_net__cidr c = { .addr = 0x0a2a0100, .prefix = 24 };
        struct kl_net__ipam_entry en;
        uint32_t ip;

        cr_assert_eq(kl_net__ipam_parse_entry(&c, "10.42.1.2", "u\n", 2, &en), 0);
        cr_assert_str_eq(en.uid, "u");
        cr_assert_eq(kl_net__ipam_parse_entry(&c, "10.42.1.254", "u", 1, &en), 0);
        cr_assert_eq(kl_net__ipam_parse_entry(&c, "10.42.1.1", "u", 1, &en), -ERANGE);
        cr_assert_eq(kl_net__ipam_parse_entry(&c, "10.42.1.255", "u", 1, &en), -ERANGE);
        cr_assert_eq(kl_net__ipam_parse_entry(&c, "10.42.1.2", "u\n\n", 3, &en), -EINVAL);
        cr_assert_eq(kl_net__ipam_parse_entry(&c, "10.42.1.2", "u\0v", 3, &en), -EINVAL);
        cr_assert_eq(kl_net__ipam_parse_cursor(&c, "10.42.1.7\n", 10, &ip), 0);
        cr_assert_eq(ip, 0x0a2a0107);
        cr_assert_eq(kl_net__ipam_parse_cursor(&c, "10.42.2.7\n", 10, &ip), -ERANGE);
        cr_assert_eq(kl_net__ipam_parse_cursor(&c, "10.42.1.77777\n", 14, &ip), -EINVAL);
}
