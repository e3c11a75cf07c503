/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kl_nft_replace() against the kernel, with nft 1.0.6 as the oracle. Each test
 * runs in a network namespace of its own (Criterion forks a process per test,
 * and the namespace dies with it) and is skipped without root. `nft` runs via
 * fork() and exec() and inherits the namespace.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "nft/nft.h"
#include "tables.h"
#include "testing/testing.h"

static void enter_netns(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (a network namespace, CAP_NET_ADMIN)");
        cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
}

/* What argv[0] prints (stdout and stderr), with its wait status in *status. */
static char *run(const char *const *argv, int *status)
{
        struct kl_buf out = KL_BUF_INIT;
        char chunk[4096];
        int fds[2], st = -1;
        ssize_t n;
        pid_t pid;

        cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                (void)dup2(fds[1], STDOUT_FILENO);
                (void)dup2(fds[1], STDERR_FILENO);
                execvp(argv[0], (char *const *)argv);
                _exit(127);
        }
        (void)kl_close(fds[1]);
        while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
                if (n > 0)
                        cr_assert_eq(kl_buf_append(&out, chunk, (size_t)n), 0);
        (void)kl_close(fds[0]);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        if (status)
                *status = st;
        return kl_buf_detach(&out, NULL);
}

static char *nft_list(const char *family, const char *name)
{
        const char *argv[] = { "nft", "list", "table", family, name, NULL };

        return run(argv, NULL);
}

static char *print(const struct kl_nft_table *t)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_nft_print(t, &b);
        return kl_buf_detach(&b, NULL);
}

static struct kl_nft *open_nft(void)
{
        kl_autoerr struct kl_err *err = NULL;
        struct kl_nft *nl = NULL;

        cr_assert_eq(kl_nft_open(&nl, &err), 0, "%s", kl_err_msg(err));
        return nl;
}

static void replace_ok(struct kl_nft *nl, const struct kl_nft_table *t)
{
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_nft_replace(nl, t, &err), 0, "%s", kl_err_msg(err));
}

static void assert_listed(const struct kl_nft_table *t)
{
        kl_autofree char *want = print(t);
        kl_autofree char *got = NULL;
        char family[16], name[256];

        /* Family and name from the header line, "table ip NAME {". */
        cr_assert_eq(sscanf(want, "table %15s %255s {", family, name), 2);
        got = nft_list(family, name);

        cr_assert_str_eq(got, want, "nft lists:\n%s\nkl_nft_print:\n%s", got, want);
}

Test(nft_kernel, listing_equals_print_for_every_golden_table)
{
        struct kl_nft *nl;

        enter_netns();
        nl = open_nft();
        for (size_t i = 0; i < KL_ARRAY_SIZE(golden_tables); i++) {
                struct kl_nft_table *t = golden_tables[i].build();

                replace_ok(nl, t);
                assert_listed(t);
                /* Replacing with the same content again is a no-op for the listing. */
                replace_ok(nl, t);
                assert_listed(t);
                kl_nft_table_free(t);
        }
        kl_nft_close(nl);
}

static struct kl_nft_table *small_table(const char *name, const char *chain)
{
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, name);
        struct kl_nft_rule *r = kl_nft_rule_add(kl_nft_chain_add(t, chain));

        add_match(r, KL_NFT_IP_DADDR, false, v_ip("10.43.0.1"), 32);
        kl_nft_verdict(r, &v_accept);
        return t;
}

Test(nft_kernel, second_replace_leaves_only_the_new_content)
{
        struct kl_nft_table *a = table_proxy();
        struct kl_nft_table *b = small_table("kube-lite-proxy", "only");
        struct kl_nft *nl;

        enter_netns();
        nl = open_nft();
        replace_ok(nl, a);
        assert_listed(a);
        replace_ok(nl, b);
        assert_listed(b);
        kl_nft_table_free(a);
        kl_nft_table_free(b);
        kl_nft_close(nl);
}

Test(nft_kernel, failing_batch_keeps_previous_table_and_names_the_rule)
{
        struct kl_nft_table *good = table_proxy();
        struct kl_nft_table *bad = small_table("kube-lite-proxy", "c");
        struct kl_nft_verdict missing = v_jump("no-such-chain");
        kl_autoerr struct kl_err *err = NULL;
        struct kl_nft_chain *c2;
        struct kl_nft *nl;
        int r;

        enter_netns();
        nl = open_nft();
        replace_ok(nl, good);
        c2 = kl_nft_chain_add(bad, "svc-web-http");
        kl_nft_verdict(kl_nft_rule_add(c2), &v_accept);
        kl_nft_verdict(kl_nft_rule_add(c2), &v_drop);
        kl_nft_verdict(kl_nft_rule_add(c2), &missing);
        r = kl_nft_replace(nl, bad, &err);
        cr_assert_lt(r, 0);
        cr_assert_eq(r, -err->code);
        cr_assert(strstr(kl_err_msg(err), "chain svc-web-http: rule 3: ") != NULL, "%s",
                  kl_err_msg(err));
        assert_listed(good);
        kl_nft_table_free(good);
        kl_nft_table_free(bad);
        kl_nft_close(nl);
}

Test(nft_kernel, generation_moves_on_a_foreign_change)
{
        struct kl_nft_table *t = table_proxy();
        uint32_t g1 = 0, g2 = 0, g3 = 0;
        kl_autoerr struct kl_err *err = NULL;
        kl_autofree char *out = NULL;
        struct kl_nft *nl;
        int st = -1;

        enter_netns();
        nl = open_nft();
        replace_ok(nl, t);
        cr_assert_eq(kl_nft_generation(nl, &g1, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(kl_nft_generation(nl, &g2, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(g1, g2);
        out = run((const char *[]){ "nft", "add", "chain", "ip", "kube-lite-proxy", "intruder",
                                    NULL },
                  &st);
        cr_assert_eq(st, 0, "%s", out);
        cr_assert_eq(kl_nft_generation(nl, &g3, &err), 0, "%s", kl_err_msg(err));
        cr_assert_neq(g3, g1);
        /* Our own replace moves it as well, and puts our content back. */
        replace_ok(nl, t);
        cr_assert_eq(kl_nft_generation(nl, &g2, &err), 0, "%s", kl_err_msg(err));
        cr_assert_neq(g2, g3);
        assert_listed(t);
        kl_nft_table_free(t);
        kl_nft_close(nl);
}

Test(nft_kernel, delete_is_idempotent)
{
        struct kl_nft_table *t = table_proxy();
        kl_autoerr struct kl_err *err = NULL;
        kl_autofree char *out = NULL;
        struct kl_nft *nl;

        enter_netns();
        nl = open_nft();
        cr_assert_eq(kl_nft_delete(nl, KL_NFT_IP, "kube-lite-proxy", &err), 0, "%s",
                     kl_err_msg(err));
        replace_ok(nl, t);
        cr_assert_eq(kl_nft_delete(nl, KL_NFT_IP, "kube-lite-proxy", &err), 0, "%s",
                     kl_err_msg(err));
        out = run((const char *[]){ "nft", "list", "tables", NULL }, NULL);
        cr_assert_str_eq(out, "");
        kl_nft_table_free(t);
        kl_nft_close(nl);
}

static void run_ok(const char *const *argv)
{
        int st = -1;
        kl_autofree char *out = run(argv, &st);

        cr_assert_eq(st, 0, "%s: %s", argv[0], out);
}

/* connect() to addr:port; 0 or -errno. */
static int try_connect(const char *addr, uint16_t port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        struct timeval tv = { .tv_sec = 30 };
        kl_autoclose int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        cr_assert_geq(fd, 0);
        sa.sin_addr.s_addr = ip4(addr);
        /* Not an assertion on time: only keeps a broken rule from hanging the test. */
        cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
        return KL_NEG_ERRNO(connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0 ? -errno : 0;
}

Test(nft_kernel, packets_are_dnatted_and_rejected)
{
        struct sockaddr_in sa = { .sin_family = AF_INET };
        socklen_t len = sizeof(sa);
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "kube-lite-proxy");
        struct kl_nft_chain *out, *fw;
        struct kl_nft_rule *r;
        kl_autoclose int lfd = -EBADF;
        struct kl_nft *nl;

        enter_netns();
        run_ok((const char *[]){ "ip", "link", "set", "lo", "up", NULL });
        run_ok((const char *[]){ "ip", "route", "add", "10.43.0.0/16", "dev", "lo", NULL });
        lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        cr_assert_eq(listen(lfd, 8), 0);
        cr_assert_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);

        out = kl_nft_base_chain_add(t, "nat-output", KL_NFT_CHAIN_NAT, KL_NFT_OUTPUT, -100);
        add_match(r = kl_nft_rule_add(out), KL_NFT_IP_DADDR, false, v_ip("10.43.0.5"), 32);
        add_match(r, KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        add_match(r, KL_NFT_TH_DPORT, false, v_port(80), 0);
        kl_nft_dnat(r, htonl(INADDR_LOOPBACK), ntohs(sa.sin_port));
        fw = kl_nft_base_chain_add(t, "filter-output", KL_NFT_CHAIN_FILTER, KL_NFT_OUTPUT, 0);
        add_match(r = kl_nft_rule_add(fw), KL_NFT_IP_DADDR, false, v_ip("10.43.0.6"), 32);
        add_match(r, KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
        kl_nft_reject(r, KL_NFT_REJECT_TCP_RESET);

        nl = open_nft();
        replace_ok(nl, t);
        assert_listed(t);
        cr_assert_eq(try_connect("10.43.0.5", 80), 0);
        cr_assert_eq(try_connect("10.43.0.6", 80), -ECONNREFUSED);
        kl_nft_table_free(t);
        kl_nft_close(nl);
}

Test(nft_kernel, a_thousand_services_in_one_replace)
{
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "kube-lite-proxy");
        struct kl_nft_set *ips;
        struct kl_nft_chain *pre;
        struct kl_nft *nl;
        kl_autofree char *want = NULL, *got = NULL;

        enter_netns();
        ips = kl_nft_set_add(t, "service-ips", k_svc, 3, KL_NFT_VERDICT_DATA, 0, 0);
        pre = kl_nft_base_chain_add(t, "nat-prerouting", KL_NFT_CHAIN_NAT, KL_NFT_PREROUTING, -100);
        kl_nft_vmap(kl_nft_rule_add(pre), k_svc, 3, "service-ips");
        for (unsigned i = 0; i < 1000; i++) {
                char svc[32], ep[2][32];
                const char *eps[2] = { ep[0], ep[1] };
                struct kl_nft_verdict to = { KL_NFT_GOTO, svc };
                struct kl_nft_rule *r;

                (void)snprintf(svc, sizeof(svc), "svc-%u", i);
                add_elem3(ips, (union kl_nft_value){ .ip4 = htonl(0x0a2b0000u + i + 1) },
                          v_proto(IPPROTO_TCP), v_port(80), &to);
                add_match(r = kl_nft_rule_add(kl_nft_chain_add(t, svc)), KL_NFT_L4PROTO, false,
                          v_proto(IPPROTO_TCP), 0);
                for (unsigned j = 0; j < 2; j++)
                        (void)snprintf(ep[j], sizeof(ep[j]), "ep-%u-%u", i, j);
                kl_nft_numgen_vmap(r, eps, 2);
                for (unsigned j = 0; j < 2; j++) {
                        struct kl_nft_chain *c = kl_nft_chain_add(t, ep[j]);

                        add_match(r = kl_nft_rule_add(c), KL_NFT_IP_SADDR, false,
                                  (union kl_nft_value){ .ip4 = htonl(0x0a2a0000u + i * 2 + j) },
                                  32);
                        kl_nft_mark_or(r, 0x4000);
                        add_match(r = kl_nft_rule_add(c), KL_NFT_L4PROTO, false,
                                  v_proto(IPPROTO_TCP), 0);
                        kl_nft_dnat(r, htonl(0x0a2a0000u + i * 2 + j), 8080);
                }
        }
        nl = open_nft();
        replace_ok(nl, t);
        /* And once more: the old table (3,000 chains) goes in the same transaction. */
        replace_ok(nl, t);
        want = print(t);
        got = nft_list("ip", "kube-lite-proxy");
        cr_assert(strcmp(got, want) == 0, "1,000 services: nft lists something else");
        kl_nft_table_free(t);
        kl_nft_close(nl);
}

Test(nft_kernel, an_object_too_large_for_a_message_is_named_and_nothing_is_sent)
{
        struct kl_nft_table *good = table_proxy();
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, "kube-lite-proxy");
        struct kl_nft_rule *r = kl_nft_rule_add(kl_nft_chain_add(t, "huge"));
        kl_autoerr struct kl_err *err = NULL;
        struct kl_nft *nl;

        enter_netns();
        nl = open_nft();
        replace_ok(nl, good);
        /* About 100 bytes of expressions each: far more than 64 KiB. */
        for (unsigned i = 0; i < 2000; i++)
                add_match(r, KL_NFT_IP_DADDR, true, (union kl_nft_value){ .ip4 = htonl(i) }, 32);
        kl_nft_verdict(r, &v_accept);
        cr_assert_eq(kl_nft_replace(nl, t, &err), -E2BIG);
        cr_assert(strstr(kl_err_msg(err), "chain huge: rule 1: larger than one netlink message"),
                  "%s", kl_err_msg(err));
        assert_listed(good);
        kl_nft_table_free(t);
        kl_nft_table_free(good);
        kl_nft_close(nl);
}
