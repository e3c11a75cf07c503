/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kl_nft_update() against the kernel, with nft 1.0.6 as the oracle: after a
 * sequence of updates the kernel lists what kl_nft_print() prints for the
 * wanted table. The kernel lists chains and sets in creation order, and an
 * update creates new ones after the kept ones, so most checks compare the
 * listings block by block, sorted (the order of chains and sets in a table
 * means nothing to a packet); one checks the exact bytes where new objects
 * come last in the wanted table too. Each test runs in a network namespace
 * of its own and is skipped without root.
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

#define TABLE "kube-lite-proxy"

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

static void run_ok(const char *const *argv)
{
        int st = -1;
        kl_autofree char *out = run(argv, &st);

        cr_assert_eq(st, 0, "%s: %s", argv[0], out);
}

static char *nft_list(void)
{
        const char *argv[] = { "nft", "list", "table", "ip", TABLE, NULL };

        return run(argv, NULL);
}

static char *print(const struct kl_nft_table *t)
{
        struct kl_buf b = KL_BUF_INIT;

        kl_nft_print(t, &b);
        return kl_buf_detach(&b, NULL);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A listing with its set and chain blocks sorted: "table ... {", the blocks
 * (each from "\tset|map|chain NAME {" to "\t}") in byte order, "}".
 */
static char *sorted_blocks(const char *text)
{
        struct kl_buf out = KL_BUF_INIT;
        char *blocks[16384];
        size_t n = 0;
        const char *p = strchr(text, '\n'), *end;

        cr_assert(p, "no header line: %s", text);
        cr_assert_eq(kl_buf_append(&out, text, (size_t)(p + 1 - text)), 0);
        p++;
        while ((end = strstr(p, "\n\t}\n")) != NULL) {
                while (*p == '\n')
                        p++;
                cr_assert_lt(n, KL_ARRAY_SIZE(blocks));
                blocks[n++] = kl_strndup(p, (size_t)(end + 4 - p));
                p = end + 4;
        }
        cr_assert_str_eq(p, "}\n", "unexpected tail: %s", p);
        qsort(blocks, n, sizeof(*blocks), cmp_str);
        for (size_t i = 0; i < n; i++) {
                cr_assert_eq(kl_buf_append(&out, blocks[i], strlen(blocks[i])), 0);
                free(blocks[i]);
        }
        cr_assert_eq(kl_buf_append(&out, "}\n", 2), 0);
        return kl_buf_detach(&out, NULL);
}

/* The kernel holds t, up to the order of the blocks. */
static void assert_holds(const struct kl_nft_table *t)
{
        kl_autofree char *want_text = print(t);
        kl_autofree char *got_text = nft_list();
        kl_autofree char *want = sorted_blocks(want_text);
        kl_autofree char *got = sorted_blocks(got_text);

        cr_assert_str_eq(got, want, "nft lists:\n%s\nkl_nft_print:\n%s", got_text, want_text);
}

/* The kernel holds t, byte for byte. */
static void assert_listed(const struct kl_nft_table *t)
{
        kl_autofree char *want = print(t);
        kl_autofree char *got = nft_list();

        cr_assert_str_eq(got, want, "nft lists:\n%s\nkl_nft_print:\n%s", got, want);
}

static struct kl_nft *open_nft(void)
{
        kl_autoerr struct kl_err *err = NULL;
        struct kl_nft *nl = NULL;

        cr_assert_eq(kl_nft_open(&nl, &err), 0, "%s", kl_err_msg(err));
        return nl;
}

static uint32_t generation(struct kl_nft *nl)
{
        kl_autoerr struct kl_err *err = NULL;
        uint32_t g = 0;

        cr_assert_eq(kl_nft_generation(nl, &g, &err), 0, "%s", kl_err_msg(err));
        return g;
}

static void update_ok(struct kl_nft *nl, const struct kl_nft_table *old,
                      const struct kl_nft_table *want)
{
        kl_autoerr struct kl_err *err = NULL;

        cr_assert_eq(kl_nft_update(nl, old, want, &err), 0, "%s", kl_err_msg(err));
}

/* A service: its number, and the numbers of its endpoints (none: the map drops). */
struct svc {
        unsigned id;
        unsigned eps[4];
        size_t neps;
};

struct shape {
        const struct svc *svcs;
        size_t n;
        int nat_priority;     /* of nat-output */
        uint32_t aff_timeout; /* of the dynamic set `aff` */
        bool aff_map;         /* `aff` keyed by ip saddr . ip daddr instead */
};

/*
 * A proxy-like table: a verdict map of services to chains that load-balance
 * with numgen over endpoint chains, a dynamic timeout set fed by a rule.
 */
static struct kl_nft_table *build(const struct shape *sh)
{
        static const enum kl_nft_field k_saddr = KL_NFT_IP_SADDR;
        static const enum kl_nft_field k_pair[] = { KL_NFT_IP_SADDR, KL_NFT_IP_DADDR };
        struct kl_nft_table *t = kl_nft_table_new(KL_NFT_IP, TABLE);
        struct kl_nft_set *ips;
        struct kl_nft_rule *r;

        (void)kl_nft_set_add(t, "aff", sh->aff_map ? k_pair : &k_saddr, sh->aff_map ? 2 : 1,
                             KL_NFT_SET_ONLY, KL_NFT_SET_TIMEOUT | KL_NFT_SET_DYNAMIC,
                             sh->aff_timeout);
        ips = kl_nft_set_add(t, "service-ips", k_svc, 3, KL_NFT_VERDICT_DATA, 0, 0);
        kl_nft_vmap(kl_nft_rule_add(kl_nft_base_chain_add(t, "nat-output", KL_NFT_CHAIN_NAT,
                                                          KL_NFT_OUTPUT, sh->nat_priority)),
                    k_svc, 3, "service-ips");
        r = kl_nft_rule_add(
                kl_nft_base_chain_add(t, "filter-output", KL_NFT_CHAIN_FILTER, KL_NFT_OUTPUT, 0));
        add_match(r, KL_NFT_IP_DADDR, false, v_ip("127.0.0.2"), 32);
        if (!sh->aff_map)
                kl_nft_update_set(r, "aff", KL_NFT_IP_SADDR);
        else
                kl_nft_counter(r);
        for (size_t i = 0; i < sh->n; i++) {
                const struct svc *s = &sh->svcs[i];
                char name[32], ep[4][32];
                const char *eps[4];
                struct kl_nft_verdict to = v_goto(name);
                union kl_nft_value cip = { .ip4 = htonl(0x0a2b0000u + s->id) };

                (void)snprintf(name, sizeof(name), "svc-%u", s->id);
                if (!s->neps) {
                        add_elem3(ips, cip, v_proto(IPPROTO_TCP), v_port(80), &v_drop);
                        continue;
                }
                add_elem3(ips, cip, v_proto(IPPROTO_TCP), v_port(80), &to);
                r = kl_nft_rule_add(kl_nft_chain_add(t, name));
                add_match(r, KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
                for (size_t j = 0; j < s->neps; j++) {
                        (void)snprintf(ep[j], sizeof(ep[j]), "ep-%u-%u", s->id, s->eps[j]);
                        eps[j] = ep[j];
                }
                kl_nft_numgen_vmap(r, eps, s->neps);
                for (size_t j = 0; j < s->neps; j++) {
                        struct kl_nft_rule *er = kl_nft_rule_add(kl_nft_chain_add(t, ep[j]));

                        add_match(er, KL_NFT_L4PROTO, false, v_proto(IPPROTO_TCP), 0);
                        kl_nft_dnat(er, htonl(0x0a2a0000u + s->id * 256 + s->eps[j]), 8080);
                }
        }
        return t;
}

static const struct svc svcs_a[] = {
        { 1, { 1, 2 }, 2 },
        { 2, { 1 }, 1 },
        { 3, { 1, 2, 3 }, 3 },
};
/* 2 loses its endpoints, 3 changes them, 4 is new. */
static const struct svc svcs_b[] = {
        { 1, { 1, 2 }, 2 },
        { 2, { 0 }, 0 },
        { 3, { 2, 3, 4 }, 3 },
        { 4, { 1 }, 1 },
};
/* 1 and 2 gone, 4 grows, 5 is new. */
static const struct svc svcs_c[] = {
        { 3, { 2, 3, 4 }, 3 },
        { 4, { 1, 2 }, 2 },
        { 5, { 1 }, 1 },
};

Test(nft_update, a_sequence_of_updates_ends_as_printed)
{
        const struct shape shapes[] = {
                { svcs_a, KL_ARRAY_SIZE(svcs_a), -100, 10800, false },
                /* Chains removed and added while the map's elements move to them. */
                { svcs_b, KL_ARRAY_SIZE(svcs_b), -100, 10800, false },
                /* Redefined: the base chain's priority, the dynamic set's timeout. */
                { svcs_c, KL_ARRAY_SIZE(svcs_c), -90, 3600, false },
                /* Redefined: the set's key, and no rule updates it any more. */
                { svcs_c, KL_ARRAY_SIZE(svcs_c), -90, 3600, true },
                /* And back: everything removed comes again. */
                { svcs_a, KL_ARRAY_SIZE(svcs_a), -100, 10800, false },
                { NULL, 0, -100, 10800, false },
                { svcs_b, KL_ARRAY_SIZE(svcs_b), -100, 10800, false },
        };
        struct kl_nft_table *old = NULL;
        struct kl_nft *nl;

        enter_netns();
        nl = open_nft();
        for (size_t i = 0; i < KL_ARRAY_SIZE(shapes); i++) {
                struct kl_nft_table *want = build(&shapes[i]);

                /* The first: old is NULL, a full replace. */
                update_ok(nl, old, want);
                assert_holds(want);
                kl_nft_table_free(old);
                old = want;
        }
        kl_nft_table_free(old);
        kl_nft_close(nl);
}

Test(nft_update, new_objects_last_list_byte_for_byte)
{
        /* svcs_a with a fourth service appended: everything new comes last. */
        static const struct svc more[] = {
                { 1, { 1, 2 }, 2 },
                { 2, { 1 }, 1 },
                { 3, { 1, 2, 3 }, 3 },
                { 4, { 7, 8 }, 2 },
        };
        const struct shape sa = { svcs_a, KL_ARRAY_SIZE(svcs_a), -100, 10800, false };
        const struct shape sb = { more, KL_ARRAY_SIZE(more), -100, 10800, false };
        struct kl_nft_table *a = build(&sa), *b = build(&sb);
        struct kl_nft *nl;

        enter_netns();
        nl = open_nft();
        update_ok(nl, NULL, a);
        assert_listed(a);
        update_ok(nl, a, b);
        assert_listed(b);
        kl_nft_table_free(a);
        kl_nft_table_free(b);
        kl_nft_close(nl);
}

Test(nft_update, no_difference_sends_nothing)
{
        const struct shape sh = { svcs_b, KL_ARRAY_SIZE(svcs_b), -100, 10800, false };
        struct kl_nft_table *a = build(&sh), *b = build(&sh);
        struct kl_nft *nl;
        uint32_t g;

        enter_netns();
        nl = open_nft();
        update_ok(nl, NULL, a);
        g = generation(nl);
        update_ok(nl, a, b);
        update_ok(nl, a, a);
        cr_assert_eq(generation(nl), g, "an update without differences moved the generation");
        assert_listed(b);
        kl_nft_table_free(a);
        kl_nft_table_free(b);
        kl_nft_close(nl);
}

Test(nft_update, a_failing_update_leaves_the_kernel_as_it_was)
{
        const struct shape sa = { svcs_a, KL_ARRAY_SIZE(svcs_a), -100, 10800, false };
        const struct shape sb = { svcs_b, KL_ARRAY_SIZE(svcs_b), -100, 10800, false };
        struct kl_nft_table *a = build(&sa), *bad = build(&sb);
        struct kl_nft_verdict missing = v_jump("no-such-chain");
        kl_autoerr struct kl_err *err = NULL;
        struct kl_nft_chain *c;
        struct kl_nft *nl;
        int r;

        enter_netns();
        nl = open_nft();
        update_ok(nl, NULL, a);
        c = kl_nft_chain_add(bad, "broken");
        kl_nft_verdict(kl_nft_rule_add(c), &v_accept);
        kl_nft_verdict(kl_nft_rule_add(c), &missing);
        r = kl_nft_update(nl, a, bad, &err);
        cr_assert_lt(r, 0);
        cr_assert_eq(r, -err->code);
        cr_assert(strstr(kl_err_msg(err), "update table ip kube-lite-proxy") != NULL, "%s",
                  kl_err_msg(err));
        cr_assert(strstr(kl_err_msg(err), "chain broken: rule 2: ") != NULL, "%s", kl_err_msg(err));
        assert_listed(a);
        kl_nft_table_free(a);
        kl_nft_table_free(bad);
        kl_nft_close(nl);
}

Test(nft_update, a_chain_turning_base_is_a_full_replace)
{
        struct kl_nft_table *a = kl_nft_table_new(KL_NFT_IP, TABLE);
        struct kl_nft_table *b = kl_nft_table_new(KL_NFT_IP, TABLE);
        struct kl_nft_verdict to_x = v_jump("x");
        struct kl_nft *nl;

        kl_nft_verdict(kl_nft_rule_add(kl_nft_base_chain_add(a, "in", KL_NFT_CHAIN_FILTER,
                                                             KL_NFT_INPUT, 0)),
                       &to_x);
        kl_nft_verdict(kl_nft_rule_add(kl_nft_chain_add(a, "x")), &v_accept);
        kl_nft_verdict(kl_nft_rule_add(
                               kl_nft_base_chain_add(b, "x", KL_NFT_CHAIN_FILTER, KL_NFT_INPUT, 0)),
                       &v_accept);
        enter_netns();
        nl = open_nft();
        update_ok(nl, NULL, a);
        assert_listed(a);
        update_ok(nl, a, b);
        assert_listed(b);
        kl_nft_table_free(a);
        kl_nft_table_free(b);
        kl_nft_close(nl);
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

Test(nft_update, a_dynamic_set_keeps_its_elements_across_updates)
{
        const struct shape sa = { svcs_a, KL_ARRAY_SIZE(svcs_a), -100, 10800, false };
        const struct shape sb = { svcs_b, KL_ARRAY_SIZE(svcs_b), -100, 10800, false };
        const struct shape sc = { svcs_c, KL_ARRAY_SIZE(svcs_c), -90, 10800, false };
        struct kl_nft_table *a = build(&sa), *b = build(&sb), *c = build(&sc);
        struct kl_nft *nl;

        enter_netns();
        run_ok((const char *[]){ "ip", "link", "set", "lo", "up", NULL });
        nl = open_nft();
        update_ok(nl, NULL, a);
        /* One element from the packet path (filter-output: `update @aff { ip saddr }`
         * for packets to 127.0.0.2, from 127.0.0.1), one from nft. */
        cr_assert_eq(try_connect("127.0.0.2", 9), -ECONNREFUSED);
        run_ok((const char *[]){ "nft", "add", "element", "ip", TABLE, "aff", "{ 10.9.9.9 }",
                                 NULL });
        update_ok(nl, a, b);
        update_ok(nl, b, c);
        {
                kl_autofree char *set = run(
                        (const char *[]){ "nft", "list", "set", "ip", TABLE, "aff", NULL }, NULL);
                kl_autofree char *all = nft_list();

                cr_assert(strstr(set, "127.0.0.1 expires") != NULL, "%s", set);
                cr_assert(strstr(set, "10.9.9.9 expires") != NULL, "%s", set);
                /* The updates did happen. */
                cr_assert(strstr(all, "chain svc-5 {") != NULL, "%s", all);
                cr_assert(strstr(all, "chain svc-1 {") == NULL, "%s", all);
                cr_assert(strstr(all, "priority -90;") != NULL, "%s", all);
        }
        kl_nft_table_free(a);
        kl_nft_table_free(b);
        kl_nft_table_free(c);
        kl_nft_close(nl);
}

Test(nft_update, a_thousand_services_one_changes)
{
        struct svc *svcs = calloc(1000, sizeof(*svcs));
        struct shape sh = { svcs, 1000, -100, 10800, false };
        struct kl_nft_table *a, *b;
        struct kl_nft *nl;

        cr_assert(svcs);
        for (unsigned i = 0; i < 1000; i++)
                svcs[i] = (struct svc){ i + 1, { 1, 2 }, 2 };
        a = build(&sh);
        svcs[500].eps[1] = 3;
        svcs[700].neps = 0;
        b = build(&sh);
        enter_netns();
        nl = open_nft();
        update_ok(nl, NULL, a);
        update_ok(nl, a, b);
        assert_holds(b);
        kl_nft_table_free(a);
        kl_nft_table_free(b);
        kl_nft_close(nl);
        free(svcs);
}
