/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A real proxy against a real in-process API server, in a network namespace
 * of its own (root only; skipped otherwise): a Service and its EndpointSlice
 * appear in the kernel, go away again, and a rule flushed behind the proxy's
 * back is put back by the resync; a client pinned by sessionAffinity stays
 * pinned across an unrelated change. Debian's nft is the oracle: `nft list
 * table ip kube-lite-proxy` must equal kl_nft_print() of the render of what
 * the informers hold at that moment, up to the order of the set and chain
 * blocks (the proxy updates the table: the kernel lists chains and sets
 * created by an update after the kept ones).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apiserver/apiserver.h"
#include "apiserver/tests/support/testenv.h"
#include "client/client.h"
#include "loop/loop.h"
#include "nft/nft.h"
#include "proxy/proxy.h"
#include "testing/testing.h"
#include "json/json.h"

struct env {
        struct kl_testenv t; /* the server, the client (writing as kube-proxy) and the tick */
        struct kl_informer *services, *slices;
        struct kl_proxy *proxy;
        kl_usec_t last_event;           /* kl_now_monotonic() of the last informer event */
        struct kl_proxy_sync_info last; /* the last apply */
        uint64_t resyncs;
};

static void on_event(struct env *e)
{
        e->last_event = kl_now_monotonic();
}

static void ev_add(void *arg, const json_t *obj)
{
        (void)obj;
        on_event(arg);
}

static void ev_update(void *arg, const json_t *old, const json_t *obj)
{
        (void)old;
        (void)obj;
        on_event(arg);
}

static void ev_delete(void *arg, const json_t *obj)
{
        (void)obj;
        on_event(arg);
}

static void on_applied(void *arg, const struct kl_proxy_sync_info *info)
{
        struct env *e = arg;

        e->last = *info;
        e->resyncs += info->resync;
}

/* Run the loop until the proxy applied what the informers held after their last event. */
static void wait_applied(struct env *e)
{
        for (int i = 0; i < 30000; i++) {
                if (e->last.syncs > 0 && !e->last.resync && e->last.built_at >= e->last_event)
                        return;
                kl_testenv_tick(&e->t);
        }
        cr_assert_fail("the proxy never applied the change");
}

static void env_start(struct env *e)
{
        const struct kl_testenv_options opts = { .user = "system:kube-proxy" };
        struct kl_proxy_config cfg = {
                .loop = &e->t.loop,
                .net = { .node_name = "n1", .cluster_cidr = "10.42.0.0/16" },
                .resync_ms = 100,
                .on_applied = on_applied,
                .arg = e,
        };
        struct kl_informer_handler h = {
                .on_add = ev_add, .on_update = ev_update, .on_delete = ev_delete, .arg = e
        };
        struct kl_err *err = NULL;

        kl_testenv_start(&e->t, &opts);
        cr_assert_eq(kl_informer_new(e->t.client, kl_api_resource_find("", "v1", "services"), NULL,
                                     NULL, NULL, &e->services, &err),
                     0);
        cr_assert_eq(
                kl_informer_new(e->t.client,
                                kl_api_resource_find("discovery.k8s.io", "v1", "endpointslices"),
                                NULL, NULL, NULL, &e->slices, &err),
                0);
        kl_informer_add_handler(e->services, &h);
        kl_informer_add_handler(e->slices, &h);
        cfg.services = e->services;
        cfg.slices = e->slices;
        cr_assert_eq(kl_proxy_new(&cfg, &e->proxy, &err), 0, "%s", kl_err_msg(err));
        cr_assert_eq(kl_informer_start(e->services, NULL), 0);
        cr_assert_eq(kl_informer_start(e->slices, NULL), 0);
        cr_assert_eq(kl_proxy_start(e->proxy, &err), 0, "%s", kl_err_msg(err));
}

static void env_stop(struct env *e)
{
        kl_informer_free(e->services);
        kl_informer_free(e->slices);
        kl_proxy_close(e->proxy);
        kl_testenv_stop(&e->t);
}

struct wait {
        bool done;
        int r;
        char msg[512];
};

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct wait *w = arg;

        (void)obj;
        w->done = true;
        w->r = r;
        if (err)
                (void)snprintf(w->msg, sizeof(w->msg), "%s", kl_err_msg(err));
}

static void create(struct env *e, const char *group, const char *plural, const char *text)
{
        struct wait w = { 0 };
        json_t *obj = NULL;

        cr_assert_eq(kl_json_decode(text, strlen(text), KL_JSON_DEFAULT_MAX, &obj, NULL), 0);
        kl_client_create(e->t.client, kl_api_resource_find(group, "v1", plural), "default", obj,
                         NULL, on_write, &w);
        kl_testenv_run_until(&e->t, &w.done);
        cr_assert_eq(w.r, 0, "create %s: %s", plural, w.msg);
}

static void delete (struct env *e, const char *group, const char *plural, const char *name)
{
        struct wait w = { 0 };

        kl_client_delete(e->t.client, kl_api_resource_find(group, "v1", plural), "default", name,
                         NULL, NULL, on_write, &w);
        kl_testenv_run_until(&e->t, &w.done);
        cr_assert_eq(w.r, 0, "delete %s: %s", name, w.msg);
}

/* Run a command, its stdout into *ret (owned); the exit status. `quiet`: no stderr. */
static int run(const char *const argv[], bool quiet, char **ret)
{
        struct kl_buf out = KL_BUF_INIT;
        int fds[2], status = 0;
        pid_t pid;
        char buf[4096];
        ssize_t n;

        cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
                (void)dup2(fds[1], STDOUT_FILENO);
                if (quiet) {
                        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                        if (null >= 0)
                                (void)dup2(null, STDERR_FILENO);
                }
                execvp(argv[0], (char *const *)argv);
                _exit(127);
        }
        (void)close(fds[1]);
        while ((n = read(fds[0], buf, sizeof(buf))) > 0)
                cr_assert_eq(kl_buf_append(&out, buf, (size_t)n), 0);
        (void)close(fds[0]);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        *ret = kl_buf_detach(&out, NULL);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *nft_list(void)
{
        static const char *const argv[] = { "nft", "list", "table", "ip", KL_PROXY_TABLE, NULL };
        char *out = NULL;

        cr_assert_eq(run(argv, false, &out), 0, "nft list table failed");
        return out;
}

/* The render of what the informers hold now, as text. */
static char *want(struct env *e)
{
        static const struct kl_proxy_net net = { .node_name = "n1",
                                                 .cluster_cidr = "10.42.0.0/16" };
        struct kl_objv svcs = { 0 }, slices = { 0 };
        struct kl_proxy_state *st = NULL;
        struct kl_nft_table *t;
        struct kl_buf out = KL_BUF_INIT;

        kl_informer_list(e->services, NULL, &svcs);
        kl_informer_list(e->slices, NULL, &slices);
        cr_assert_eq(kl_proxy_state_build(&net, svcs.items, svcs.n, slices.items, slices.n, NULL, 0,
                                          &st, NULL),
                     0);
        t = kl_proxy_render(st);
        kl_nft_print(t, &out);
        kl_nft_table_free(t);
        kl_proxy_state_free(st);
        kl_objv_clear(&svcs);
        kl_objv_clear(&slices);
        return kl_buf_detach(&out, NULL);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A listing with its blocks ("\tset|map|chain NAME {" to "\t}") sorted. */
static char *sorted_blocks(const char *text)
{
        struct kl_buf out = KL_BUF_INIT;
        char *blocks[1024];
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

static void expect_kernel_is_render(struct env *e)
{
        kl_autofree char *got_text = nft_list();
        kl_autofree char *want_text = want(e);
        kl_autofree char *got = sorted_blocks(got_text);
        kl_autofree char *w = sorted_blocks(want_text);

        cr_expect_str_eq(got, w, "nft lists:\n%s\nthe render:\n%s", got_text, want_text);
}

static void enter_netns(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (a network namespace and nf_tables)");
        if (unshare(CLONE_NEWNET) < 0)
                cr_skip_test("unshare(CLONE_NEWNET): %s", strerror(errno));
}

Test(proxy_apply, follows_the_api_and_repairs)
{
        struct env e = { 0 };
        uint64_t before;

        enter_netns();
        env_start(&e);
        wait_applied(&e);
        expect_kernel_is_render(&e);

        create(&e, "", "services",
               "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"clusterIP\":\"10.43.0.50\","
               "\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080}]}}");
        create(&e, "discovery.k8s.io", "endpointslices",
               "{\"metadata\":{\"name\":\"web-1\",\"labels\":{\"kubernetes.io/service-name\":"
               "\"web\"}},\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\",\"port\":8080,"
               "\"protocol\":\"TCP\"}],\"endpoints\":[{\"addresses\":[\"10.42.0.3\"],"
               "\"conditions\":{\"ready\":true}},{\"addresses\":[\"10.42.0.4\"]}]}");
        wait_applied(&e);
        {
                kl_autofree char *got = nft_list();

                cr_expect(strstr(got, "goto svc-default/web/http"), "%s", got);
                cr_expect(strstr(got, "dnat to 10.42.0.4:8080"), "%s", got);
        }
        expect_kernel_is_render(&e);

        /* Behind the proxy's back: the resync (100 ms here) applies the table again. */
        {
                static const char *const flush[] = { "nft",          "flush",    "chain", "ip",
                                                     KL_PROXY_TABLE, "services", NULL };
                char *out = NULL;

                before = e.resyncs;
                cr_assert_eq(run(flush, false, &out), 0);
                free(out);
                for (int i = 0; i < 30000 && e.resyncs == before; i++) {
                        kl_testenv_tick(&e.t);
                }
                cr_assert_gt(e.resyncs, before);
                expect_kernel_is_render(&e);
        }

        delete (&e, "discovery.k8s.io", "endpointslices", "web-1");
        wait_applied(&e);
        {
                kl_autofree char *got = nft_list();

                /* No endpoints: rejected at once, not load-balanced. */
                cr_expect(strstr(got, "10.43.0.50 . tcp . 80 : goto reject-chain"), "%s", got);
                cr_expect_null(strstr(got, "svc-default/web/http"), "%s", got);
        }
        expect_kernel_is_render(&e);
        delete (&e, "", "services", "web");
        wait_applied(&e);
        expect_kernel_is_render(&e);

        env_stop(&e);
        /* Closing the proxy leaves the table; a flush removes it. */
        {
                kl_autofree char *still = nft_list();
                static const char *const argv[] = { "nft", "list",         "table",
                                                    "ip",  KL_PROXY_TABLE, NULL };
                char *out = NULL;

                cr_expect(strstr(still, "table ip kube-lite-proxy"));
                cr_assert_eq(kl_proxy_flush(NULL), 0);
                cr_expect_neq(run(argv, true, &out), 0, "the table is still there");
                free(out);
                cr_expect_eq(kl_proxy_flush(NULL), 0, "a second flush finds nothing, fine");
        }
}

/* The address of the first element of a timeout set in the listing ("A expires ..."), or NULL. */
static char *pinned_client(const char *listing)
{
        const char *x = strstr(listing, " expires "), *a = x;

        if (!x)
                return NULL;
        while (a > listing && a[-1] != ' ' && a[-1] != '{' && a[-1] != '\t')
                a--;
        return kl_strndup(a, (size_t)(x - a));
}

Test(proxy_apply, an_affinity_client_stays_pinned_across_an_unrelated_change)
{
        static const char *const lo_up[] = { "ip", "link", "set", "lo", "up", NULL };
        static const char *const route[] = {
                "ip", "route", "add", "10.43.0.0/16", "dev", "lo", NULL
        };
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(80) };
        kl_autofree char *before = NULL, *after = NULL, *client = NULL, *still = NULL;
        struct env e = { 0 };
        char *out = NULL;
        int fd;

        enter_netns();
        cr_assert_eq(run(lo_up, false, &out), 0);
        free(out);
        cr_assert_eq(run(route, false, &out), 0);
        free(out);
        env_start(&e);
        wait_applied(&e);
        create(&e, "", "services",
               "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"clusterIP\":\"10.43.0.50\","
               "\"sessionAffinity\":\"ClientIP\","
               "\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080}]}}");
        create(&e, "discovery.k8s.io", "endpointslices",
               "{\"metadata\":{\"name\":\"web-1\",\"labels\":{\"kubernetes.io/service-name\":"
               "\"web\"}},\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\",\"port\":8080,"
               "\"protocol\":\"TCP\"}],\"endpoints\":[{\"addresses\":[\"10.42.0.3\"],"
               "\"conditions\":{\"ready\":true}},{\"addresses\":[\"10.42.0.4\"]}]}");
        wait_applied(&e);
        expect_kernel_is_render(&e);

        /* A client from the packet path: the SYN's trip through nat output pins it (the
         * connection itself goes nowhere; the loop is not run, the proxy is idle). */
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0);
        sa.sin_addr.s_addr = inet_addr("10.43.0.50");
        (void)connect(fd, (struct sockaddr *)&sa, sizeof(sa));
        (void)close(fd);
        before = nft_list();
        client = pinned_client(before);
        cr_assert(client, "no client pinned:\n%s", before);

        /* Another Service and its endpoints: an update, not a replace. */
        create(&e, "", "services",
               "{\"metadata\":{\"name\":\"other\"},\"spec\":{\"clusterIP\":\"10.43.0.60\","
               "\"ports\":[{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\"}]}}");
        create(&e, "discovery.k8s.io", "endpointslices",
               "{\"metadata\":{\"name\":\"other-1\",\"labels\":{\"kubernetes.io/service-name\":"
               "\"other\"}},\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"dns\",\"port\":53,"
               "\"protocol\":\"UDP\"}],\"endpoints\":[{\"addresses\":[\"10.42.0.9\"],"
               "\"conditions\":{\"ready\":true}}]}");
        wait_applied(&e);
        cr_expect_not(e.last.replaced, "the change replaced the table whole");
        after = nft_list();
        cr_expect(strstr(after, "goto svc-default/other/dns"), "%s", after);
        still = pinned_client(after);
        cr_expect(still && strcmp(still, client) == 0, "client %s no longer pinned:\n%s", client,
                  after);
        env_stop(&e);
}
