/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-proxy: the service proxy against references taken in the same run
 * (issue 8, the `make bench` acceptance items), in a network namespace of its
 * own (root; unshare(CLONE_NEWNET) first thing, nothing touches the host's):
 *
 *   change to rules   an in-process API server, 1,000 ClusterIP Services
 *                     with an EndpointSlice of 3 endpoints each, a real
 *                     proxy (10 ms debounce) applying into the kernel. Then
 *                     200 EndpointSlice updates one after another (an
 *                     endpoint's ready condition flipped): time from the
 *                     client's update call to the proxy's apply committed
 *                     (a build that read the informers after the change);
 *                     p50 and p99, and the split build (state + render) /
 *                     apply (kl_nft_update: only the differences) of those
 *                     syncs, p50 and p99, with how many replaced the table
 *                     whole (none should: only the first apply). Beside it the
 *                     same ruleset, printed by kl_nft_print(), applied with
 *                     `nft -f` (a process, as ENVIRONMENT.md's "nft about
 *                     12 ms" was measured), and with kl_nft_replace() alone,
 *                     p50 of 20 each. Goal of the issue: p99 <= 100 ms.
 *   connections/s     a second namespace ("pod", 10.42.0.3, an accept loop
 *                     that closes each connection) joined by a veth to ours
 *                     ("client", 10.42.0.2); the proxy's render of one
 *                     Service (ClusterIP 10.43.0.50:80 -> 10.42.0.3:8080)
 *                     applied here (nat output hook; 10.43.0.0/16 routed
 *                     via the veth). connect()/close() for 1 s to the pod IP
 *                     directly, then 1 s to the ClusterIP, closed with RST
 *                     (SO_LINGER 0) both ways so neither runs out of ports;
 *                     the ratio is ClusterIP / direct.
 *
 * The links are made with `ip` (iproute2), run as a process: bench set-up,
 * not product code. Everything goes away with the two namespaces when the
 * bench and its child exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apiserver/apiserver.h"
#include "client/client.h"
#include "loop/loop.h"
#include "nft/nft.h"
#include "proxy/proxy.h"
#include "json/json.h"

#define SERVICES  1000
#define ENDPOINTS 3
#define CHANGES   200
#define REF_RUNS  20

struct bench {
        uv_loop_t loop;
        struct kl_apiserver *s;
        struct kl_client *c;
        struct kl_informer *services, *slices;
        struct kl_proxy *proxy;
        kl_usec_t last_event;
        struct kl_proxy_sync_info last;
};

/* The build and apply times of the sync that ended each change, in ms. */
static double build_ms[CHANGES], apply_ms[CHANGES];
static unsigned replaced_changes;

static void die(const char *what, const char *detail)
{
        fprintf(stderr, "bench-proxy: %s: %s\n", what, detail);
        abort();
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, unsigned p)
{
        qsort(v, n, sizeof(*v), cmp_double);
        return v[KL_MIN(n - 1, n * p / 100)];
}

static double ms(kl_usec_t us)
{
        return (double)us / 1000.0;
}

/* ------------------------------------------------------------------------- */
/* Processes: `ip` for the links, `nft -f` for the reference */

static int run(const char *const argv[])
{
        int status = 0;
        pid_t pid = fork();

        if (pid < 0)
                die("fork", strerror(errno));
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

                if (null >= 0)
                        (void)dup2(null, STDOUT_FILENO);
                execvp(argv[0], (char *const *)argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) != pid)
                die("waitpid", strerror(errno));
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void must(const char *const argv[])
{
        if (run(argv) != 0)
                die("command failed", argv[0]);
}

/* ------------------------------------------------------------------------- */
/* Part 1: EndpointSlice change to rules applied */

static void on_event(struct bench *b)
{
        b->last_event = kl_now_monotonic();
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
        struct bench *b = arg;

        if (!info->resync)
                b->last = *info;
}

static bool applied_since_last_event(const struct bench *b)
{
        return b->last.syncs > 0 && b->last.built_at >= b->last_event;
}

static void on_setup_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        unsigned *left = arg;

        (void)obj;
        if (r < 0)
                die("setup write", err ? kl_err_msg(err) : strerror(-r));
        (*left)--;
}

static json_t *make_service(unsigned i)
{
        char ip[INET_ADDRSTRLEN];
        kl_autofree char *name = kl_asprintf("svc-%u", i);

        /* 10.43.4.0 and up: clear of the kubernetes (.0.1) and DNS (.0.10) addresses. */
        (void)snprintf(ip, sizeof(ip), "10.43.%u.%u", 4 + i / 250, 1 + i % 250);
        return json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:[{s:s, s:i, s:i}]}}", "apiVersion", "v1",
                         "kind", "Service", "metadata", "name", name, "spec", "clusterIP", ip,
                         "ports", "name", "http", "port", 80, "targetPort", 8080);
}

static json_t *make_slice(unsigned i)
{
        json_t *eps = json_array();
        kl_autofree char *svc = kl_asprintf("svc-%u", i);
        kl_autofree char *name = kl_asprintf("svc-%u-1", i);

        for (unsigned k = 0; k < ENDPOINTS; k++) {
                unsigned idx = i * ENDPOINTS + k;
                char ip[INET_ADDRSTRLEN];

                (void)snprintf(ip, sizeof(ip), "10.42.%u.%u", 1 + idx / 250, 1 + idx % 250);
                json_array_append_new(eps, json_pack("{s:[s], s:{s:b}, s:s}", "addresses", ip,
                                                     "conditions", "ready", 1, "nodeName",
                                                     k == 0 ? "n1" : "n2"));
        }
        return json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:s, s:[{s:s, s:i, s:s}], s:o}",
                         "apiVersion", "discovery.k8s.io/v1", "kind", "EndpointSlice", "metadata",
                         "name", name, "labels", "kubernetes.io/service-name", svc, "addressType",
                         "IPv4", "ports", "name", "http", "port", 8080, "protocol", "TCP",
                         "endpoints", eps);
}

static void create_all(struct bench *b)
{
        const struct kl_api_resource *svcs = kl_api_resource_find("", "v1", "services");
        const struct kl_api_resource *slices =
                kl_api_resource_find("discovery.k8s.io", "v1", "endpointslices");
        unsigned left = 2 * SERVICES;

        for (unsigned i = 0; i < SERVICES; i++) {
                kl_client_create(b->c, svcs, "default", make_service(i), NULL, on_setup_write,
                                 &left);
                kl_client_create(b->c, slices, "default", make_slice(i), NULL, on_setup_write,
                                 &left);
                /* At most ~100 in flight. */
                while (left > 2 * SERVICES - 2 * (i + 1) + 100)
                        (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
        }
        while (left > 0)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
}

static void wait_applied(struct bench *b)
{
        while (!applied_since_last_event(b))
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
}

struct flip {
        bool done;
        int r;
};

static void on_flip(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct flip *f = arg;

        (void)obj;
        if (r < 0)
                die("update slice", err ? kl_err_msg(err) : strerror(-r));
        f->done = true;
        f->r = r;
}

/* Flip endpoints[2].conditions.ready of slice i; the time from the call to the apply. */
static kl_usec_t change(struct bench *b, unsigned i)
{
        const struct kl_api_resource *slices =
                kl_api_resource_find("discovery.k8s.io", "v1", "endpointslices");
        kl_autofree char *name = kl_asprintf("svc-%u-1", i);
        const json_t *cur = kl_informer_get(b->slices, "default", name);
        json_t *obj, *cond;
        struct flip f = { 0 };
        kl_usec_t t0;

        if (!cur)
                die("slice missing from the informer", name);
        obj = json_deep_copy(cur);
        cond = json_object_get(json_array_get(json_object_get(obj, "endpoints"), 2), "conditions");
        json_object_set_new(cond, "ready",
                            json_boolean(!json_is_true(json_object_get(cond, "ready"))));
        t0 = kl_now_monotonic();
        kl_client_update(b->c, slices, "default", name, NULL, obj, NULL, on_flip, &f);
        while (!f.done)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
        /* The informer's event comes after the write's answer or before; either way: */
        while (b->last_event < t0)
                (void)kl_loop_run(&b->loop, UV_RUN_ONCE);
        wait_applied(b);
        return b->last.applied_at - t0;
}

static char *render_informers(struct bench *b, struct kl_nft_table **ret_table)
{
        static const struct kl_proxy_net net = { .node_name = "n1",
                                                 .cluster_cidr = "10.42.0.0/16" };
        struct kl_objv svcs = { 0 }, slices = { 0 };
        struct kl_proxy_state *st = NULL;
        struct kl_buf out = KL_BUF_INIT;

        kl_informer_list(b->services, NULL, &svcs);
        kl_informer_list(b->slices, NULL, &slices);
        if (kl_proxy_state_build(&net, svcs.items, svcs.n, slices.items, slices.n, NULL, 0, &st,
                                 NULL) < 0)
                die("build", "state");
        *ret_table = kl_proxy_render(st);
        kl_nft_print(*ret_table, &out);
        kl_proxy_state_free(st);
        kl_objv_clear(&svcs);
        kl_objv_clear(&slices);
        return kl_buf_detach(&out, NULL);
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
        (void)sb;
        (void)ftw;
        if (remove(path) < 0)
                fprintf(stderr, "bench-proxy: remove '%s' (%d): %s\n", path, type, strerror(errno));
        return 0;
}

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

static void bench_changes(const char *scratch)
{
        struct bench b = { 0 };
        struct kl_apiserver_options opts = { .bind_address = "127.0.0.1",
                                             .sync = KL_STORE_SYNC_RELAXED };
        struct kl_proxy_config cfg = {
                .net = { .node_name = "n1", .cluster_cidr = "10.42.0.0/16" },
                .on_applied = on_applied,
                .arg = &b,
        };
        struct kl_informer_handler h = {
                .on_add = ev_add, .on_update = ev_update, .on_delete = ev_delete, .arg = &b
        };
        kl_autofree char *dir = kl_asprintf("%s/proxy-XXXXXX", scratch);
        kl_autofree char *file = NULL;
        kl_autofree char *text = NULL;
        struct kl_nft_table *table = NULL;
        struct kl_nft *nl = NULL;
        struct kl_err *err = NULL;
        struct kl_proxy_stats stats;
        double lat[CHANGES], ref_nft[REF_RUNS], ref_lib[REF_RUNS];
        kl_usec_t t_setup;
        bool closed = false;
        FILE *f;

        if (!mkdtemp(dir))
                die("mkdtemp", strerror(errno));
        opts.data_dir = dir;
        if (kl_loop_init(&b.loop) < 0 || kl_apiserver_new(&b.loop, &opts, &b.s, &err) < 0)
                die("API server", kl_err_msg(err));
        b.c = kl_apiserver_client_new(b.s, "system:kube-proxy");
        if (kl_informer_new(b.c, kl_api_resource_find("", "v1", "services"), NULL, NULL, NULL,
                            &b.services, &err) < 0 ||
            kl_informer_new(b.c, kl_api_resource_find("discovery.k8s.io", "v1", "endpointslices"),
                            NULL, NULL, NULL, &b.slices, &err) < 0)
                die("informer", kl_err_msg(err));
        kl_informer_add_handler(b.services, &h);
        kl_informer_add_handler(b.slices, &h);
        cfg.loop = &b.loop;
        cfg.services = b.services;
        cfg.slices = b.slices;
        if (kl_proxy_new(&cfg, &b.proxy, &err) < 0)
                die("proxy", kl_err_msg(err));
        (void)kl_informer_start(b.services, NULL);
        (void)kl_informer_start(b.slices, NULL);
        if (kl_proxy_start(b.proxy, &err) < 0)
                die("proxy", kl_err_msg(err));

        t_setup = kl_now_monotonic();
        create_all(&b);
        wait_applied(&b);
        if (b.last.services < SERVICES)
                die("set-up", "not every Service was applied");
        printf("  set-up: %u Services + EndpointSlices (%u endpoints each) created and applied "
               "in %.2f s\n",
               SERVICES, ENDPOINTS, ms(kl_now_monotonic() - t_setup) / 1000);

        for (unsigned j = 0; j < CHANGES; j++) {
                lat[j] = ms(change(&b, (j * 7919) % SERVICES));
                build_ms[j] = ms(b.last.build_usec);
                apply_ms[j] = ms(b.last.apply_usec);
                replaced_changes += b.last.replaced;
        }
        kl_proxy_stats(b.proxy, &stats);
        printf("  EndpointSlice update -> rules applied (%u services, %u changes one after "
               "another, 10 ms debounce included)\n",
               SERVICES, CHANGES);
        printf("  %-40s %8.1f ms\n", "p50", pct(lat, CHANGES, 50));
        printf("  %-40s %8.1f ms   (goal <= 100 ms)\n", "p99", pct(lat, CHANGES, 99));
        printf("  %-40s %8.1f ms, p99 %.1f ms\n", "build (state + render) p50",
               pct(build_ms, CHANGES, 50), pct(build_ms, CHANGES, 99));
        printf("  %-40s %8.1f ms, p99 %.1f ms\n", "apply (kl_nft_update) p50",
               pct(apply_ms, CHANGES, 50), pct(apply_ms, CHANGES, 99));
        printf("  %-40s %8u of %u (%llu replaces in all, the first apply included)\n",
               "changes applied by a whole replace", replaced_changes, CHANGES,
               (unsigned long long)stats.replaces);

        /* The references: the same ruleset, by nft -f and by kl_nft_replace() alone. */
        text = render_informers(&b, &table);
        file = kl_asprintf("%s/rules.nft", dir);
        f = fopen(file, "we");
        if (!f)
                die("fopen", strerror(errno));
        /* Replace as the proxy does: create (if missing), delete, define, in one transaction. */
        fprintf(f, "table ip %s\ndelete table ip %s\n%s", KL_PROXY_TABLE, KL_PROXY_TABLE, text);
        if (fclose(f) != 0)
                die("write", file);
        if (kl_nft_open(&nl, &err) < 0)
                die("nft", kl_err_msg(err));
        for (unsigned j = 0; j < REF_RUNS; j++) {
                const char *const argv[] = { "nft", "-f", file, NULL };
                kl_usec_t t0 = kl_now_monotonic();

                must(argv);
                ref_nft[j] = ms(kl_now_monotonic() - t0);
                t0 = kl_now_monotonic();
                if (kl_nft_replace(nl, table, &err) < 0)
                        die("kl_nft_replace", kl_err_msg(err));
                ref_lib[j] = ms(kl_now_monotonic() - t0);
        }
        printf("  reference, same run: the same ruleset (%zu bytes as text), p50 of %u\n",
               strlen(text), REF_RUNS);
        printf("  %-40s %8.1f ms\n", "nft -f (a process)", pct(ref_nft, REF_RUNS, 50));
        printf("  %-40s %8.1f ms\n", "kl_nft_replace() alone", pct(ref_lib, REF_RUNS, 50));
        kl_nft_close(nl);
        kl_nft_table_free(table);

        kl_informer_free(b.services);
        kl_informer_free(b.slices);
        kl_proxy_close(b.proxy);
        kl_client_free(b.c);
        kl_apiserver_close(b.s, 0, on_closed, &closed);
        while (!closed)
                (void)kl_loop_run(&b.loop, UV_RUN_ONCE);
        (void)kl_loop_finish(&b.loop);
        (void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------------- */
/* Part 2: connections per second through a ClusterIP */

static void sa(struct sockaddr_in *a, const char *ip, uint16_t port)
{
        *a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port) };
        (void)inet_pton(AF_INET, ip, &a->sin_addr);
}

struct pod {
        pid_t pid;
        int go;    /* write end: the links are up, listen */
        int ready; /* read end: one byte when the namespace exists, one when listening */
};

/* The "pod": its own network namespace; accepts and closes until killed. */
static struct pod start_pod(void)
{
        int go[2], ready[2];
        char c;
        pid_t pid;

        if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
                die("pipe", strerror(errno));
        pid = fork();
        if (pid < 0)
                die("fork", strerror(errno));
        if (pid == 0) {
                struct sockaddr_in a;
                int fd, one = 1;

                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                if (write(ready[1], "n", 1) != 1 || read(go[0], &c, 1) != 1)
                        _exit(1);
                fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                sa(&a, "10.42.0.3", 8080);
                if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
                    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4096) < 0)
                        _exit(1);
                if (write(ready[1], "l", 1) != 1)
                        _exit(1);
                for (;;) {
                        int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

                        if (conn >= 0)
                                (void)close(conn);
                }
        }
        (void)close(go[0]);
        (void)close(ready[1]);
        if (read(ready[0], &c, 1) != 1)
                die("pod", "namespace not made");
        return (struct pod){ .pid = pid, .go = go[1], .ready = ready[0] };
}

static double connect_rate(const char *ip, uint16_t port)
{
        struct sockaddr_in a;
        struct linger lg = { .l_onoff = 1, .l_linger = 0 };
        kl_usec_t t0 = kl_now_monotonic(), end = t0 + KL_USEC_PER_SEC;
        unsigned n = 0, failed = 0;

        sa(&a, ip, port);
        while (kl_now_monotonic() < end) {
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

                if (fd < 0)
                        die("socket", strerror(errno));
                if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
                        n++;
                else
                        failed++;
                (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
                (void)close(fd);
        }
        if (failed > 0)
                fprintf(stderr, "bench-proxy: %u connects to %s failed\n", failed, ip);
        return n / ((double)(kl_now_monotonic() - t0) / KL_USEC_PER_SEC);
}

static void bench_connections(void)
{
        static const struct kl_proxy_net net = { .node_name = "n1",
                                                 .cluster_cidr = "10.42.0.0/16" };
        const char *svc = "{\"metadata\":{\"namespace\":\"default\",\"name\":\"web\"},"
                          "\"spec\":{\"clusterIP\":\"10.43.0.50\",\"ports\":[{\"name\":\"http\","
                          "\"port\":80}]}}";
        const char *slice = "{\"metadata\":{\"namespace\":\"default\",\"name\":\"web-1\","
                            "\"labels\":{\"kubernetes.io/service-name\":\"web\"}},"
                            "\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\","
                            "\"port\":8080}],\"endpoints\":[{\"addresses\":[\"10.42.0.3\"]}]}";
        json_t *objs[2] = { json_loads(svc, 0, NULL), json_loads(slice, 0, NULL) };
        struct kl_proxy_state *st = NULL;
        struct kl_nft_table *t;
        struct kl_nft *nl = NULL;
        struct kl_err *err = NULL;
        struct pod pod = start_pod();
        kl_autofree char *pid = kl_asprintf("%d", (int)pod.pid);
        const char *const add[] = { "ip",   "link", "add",        "kl-bench-c", "type", "veth",
                                    "peer", "name", "kl-bench-p", "netns",      pid,    NULL };
        const char *const addr_c[] = { "ip",  "addr",       "add", "10.42.0.2/24",
                                       "dev", "kl-bench-c", NULL };
        const char *const up_c[] = { "ip", "link", "set", "kl-bench-c", "up", NULL };
        const char *const up_lo[] = { "ip", "link", "set", "lo", "up", NULL };
        const char *const route[] = { "ip",  "route",      "add", "10.43.0.0/16",
                                      "dev", "kl-bench-c", NULL };
        const char *const addr_p[] = { "nsenter", "-t",           pid,   "-n",         "ip", "addr",
                                       "add",     "10.42.0.3/24", "dev", "kl-bench-p", NULL };
        const char *const up_p[] = { "nsenter", "-t",  pid,          "-n", "ip",
                                     "link",    "set", "kl-bench-p", "up", NULL };
        char c;
        double direct, cluster;

        if (!objs[0] || !objs[1])
                die("bench", "bad JSON");
        must(add);
        must(addr_c);
        must(up_c);
        must(up_lo);
        must(route);
        must(addr_p);
        must(up_p);
        if (write(pod.go, "g", 1) != 1 || read(pod.ready, &c, 1) != 1)
                die("pod", "did not listen");

        if (kl_proxy_state_build(&net, (const json_t *const *)&objs[0], 1,
                                 (const json_t *const *)&objs[1], 1, NULL, 0, &st, NULL) < 0)
                die("build", "state");
        t = kl_proxy_render(st);
        if (kl_nft_open(&nl, &err) < 0 || kl_nft_replace(nl, t, &err) < 0)
                die("apply", kl_err_msg(err));

        direct = connect_rate("10.42.0.3", 8080);
        cluster = connect_rate("10.43.0.50", 80);
        printf("  TCP connect+close per second, one client, 1 s each (veth between two "
               "namespaces)\n");
        printf("  %-40s %8.0f /s\n", "through ClusterIP 10.43.0.50:80", cluster);
        printf("  reference, same run:\n");
        printf("  %-40s %8.0f /s\n", "direct to the pod 10.42.0.3:8080", direct);
        printf("  ratio (ClusterIP / direct): %.2f\n", cluster / direct);

        kl_nft_close(nl);
        kl_nft_table_free(t);
        kl_proxy_state_free(st);
        json_decref(objs[0]);
        json_decref(objs[1]);
        (void)kill(pod.pid, SIGKILL);
        (void)waitpid(pod.pid, NULL, 0);
        (void)close(pod.go);
        (void)close(pod.ready);
}

int main(void)
{
        const char *scratch = getenv("KL_BENCH_DIR");

        if (geteuid() != 0) {
                printf("  skipped: needs root (a network namespace of its own)\n");
                return 0;
        }
        if (unshare(CLONE_NEWNET) < 0)
                die("unshare(CLONE_NEWNET)", strerror(errno));
        bench_changes(scratch ? scratch : "/tmp");
        bench_connections();
        return 0;
}
