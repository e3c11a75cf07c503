/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-net: TCP between pods, against the ceiling of this machine, in one
 * run (issue 8). Each figure is the median of 3 runs of about one second:
 *
 *   bulk send     one connection, 256 KiB writes for 1 s; Gbit/s received
 *   connections   connect / accept / close, one at a time, for 1 s; per second
 *
 * measured three ways, printed side by side with the ratio to the first:
 *
 *   veth pair       two plain namespaces joined by one veth pair, MTU 1500:
 *                   the ceiling of any veth-based pod network here
 *   one node        two pods on one node: veth, kl0, veth (MTU of the
 *                   VXLAN backend, 1450, as a cluster would run)
 *   two nodes       a pod on each of two nodes joined by a veth pair, over
 *                   kl.vxlan (VXLAN encapsulation both ways)
 *
 * Everything happens in namespaces made here: the bench unshares its own
 * network and mount namespaces (node A), makes node B and the pods'
 * namespaces as the runtime does (a child unshares and bind-mounts its
 * namespace onto a file under a scratch directory in $KL_BENCH_DIR, default
 * /tmp), and removes the scratch directory at the end. Nothing leaves the
 * namespaces. Needs root; without it, says so and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net-internal.h"

#define ROUNDS  3
#define SECONDS 1.0
#define CHUNK   ((size_t)256 * 1024)
#define PORT    5201

static int self_ns = -1;
static char *scratch;

static KL_NORETURN void die(const char *what, const char *detail)
{
        fprintf(stderr, "bench-net: %s: %s\n", what, detail);
        abort();
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_ns(const char *path)
{
        int fd = open(path ? path : "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                die(path ? path : "own namespace", strerror(errno));
        return fd;
}

static void enter_ns(const char *path)
{
        int fd = path ? open_ns(path) : self_ns;

        if (setns(fd, CLONE_NEWNET) < 0)
                die("setns", strerror(errno));
        if (fd != self_ns)
                close(fd);
}

static char *new_netns(const char *name)
{
        char *path = kl_asprintf("%s/%s", scratch, name);
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        pid_t pid;
        int st;

        if (fd < 0)
                die(path, strerror(errno));
        close(fd);
        pid = fork();
        if (pid < 0)
                die("fork", strerror(errno));
        if (pid == 0) {
                if (unshare(CLONE_NEWNET) < 0 ||
                    mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                        _exit(1);
                _exit(0);
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                die("make a network namespace", path);
        return path;
}

static void check(int r, const char *what)
{
        if (r < 0)
                die(what, strerror(-r));
}

static void lo_up(struct nl_sock *sk)
{
        struct kl_net__link lo;

        check(kl_net__link_get(sk, "lo", &lo), "get lo");
        check(kl_net__link_set(sk, lo.ifindex, true, 0, -1, NULL), "set lo up");
}

/* veth `name` in ns a (NULL: ours) with ip_a/24 and its peer `name` in ns b with ip_b/24. */
static void veth(const char *a, const char *b, const char *name, const char *ip_a, const char *ip_b)
{
        struct nl_sock *sa = NULL, *sb = NULL;
        struct kl_net__link l;
        uint32_t ia, ib;
        int fd = open_ns(b);

        check(kl_net__nl_open(a, &sa, NULL), "netlink");
        check(kl_net__nl_open(b, &sb, NULL), "netlink");
        check(kl_net__veth_add(sa, name, 0, name, fd, NULL), "veth");
        close(fd);
        check(kl_parse_ipv4(ip_a, &ia), ip_a);
        check(kl_parse_ipv4(ip_b, &ib), ip_b);
        check(kl_net__link_get(sa, name, &l), "get veth");
        check(kl_net__addr_add(sa, l.ifindex, ia, 24), "address");
        check(kl_net__link_set(sa, l.ifindex, true, 0, -1, NULL), "veth up");
        check(kl_net__link_get(sb, name, &l), "get veth peer");
        check(kl_net__addr_add(sb, l.ifindex, ib, 24), "address");
        check(kl_net__link_set(sb, l.ifindex, true, 0, -1, NULL), "veth up");
        lo_up(sa);
        lo_up(sb);
        kl_net__nl_close(sa);
        kl_net__nl_close(sb);
}

static struct kl_net *node(const char *state, const char *cidr, const char *ip)
{
        struct kl_net_config cfg = {
                .state_dir = state,
                .pod_cidr = cidr,
                .cluster_cidr = "10.42.0.0/16",
                .node_ip = ip,
                .backend = KL_NET_BACKEND_VXLAN,
        };
        struct kl_err *e = NULL;
        struct kl_net *net = NULL;

        if (kl_net_new(&cfg, &net, &e) < 0)
                die("node set-up", kl_err_msg(e));
        return net;
}

static void pod(struct kl_net *net, const char *uid, const char *ns, struct kl_net_pod *p)
{
        struct kl_err *e = NULL;

        if (kl_net_pod_add(net, uid, ns, p, &e) < 0)
                die("pod set-up", kl_err_msg(e));
}

/* A socket of namespace ns (NULL: ours), made by entering it for the call. */
static int socket_in(const char *ns)
{
        int fd;

        enter_ns(ns);
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        enter_ns(NULL);
        if (fd < 0)
                die("socket", strerror(errno));
        return fd;
}

struct run {
        const char *from, *to; /* namespaces (NULL: ours) */
        struct sockaddr_in sa;
        int listener;
        double result;
};

static void *bulk_receiver(void *arg)
{
        struct run *r = arg;
        char *buf = kl_malloc(CHUNK);
        double bytes = 0, t0 = 0;
        ssize_t n;
        int a = accept4(r->listener, NULL, NULL, SOCK_CLOEXEC);

        if (a < 0)
                die("accept", strerror(errno));
        while ((n = read(a, buf, CHUNK)) > 0) {
                if (t0 == 0)
                        t0 = now();
                bytes += (double)n;
        }
        r->result = bytes * 8 / (now() - t0) / 1e9;
        close(a);
        free(buf);
        return NULL;
}

static double bulk(struct run *r)
{
        char *buf = kl_calloc(1, CHUNK);
        int c = socket_in(r->from);
        pthread_t t;
        double t0;

        if (pthread_create(&t, NULL, bulk_receiver, r) != 0)
                die("thread", "bulk receiver");
        if (connect(c, (struct sockaddr *)&r->sa, sizeof(r->sa)) < 0)
                die("connect", strerror(errno));
        t0 = now();
        while (now() - t0 < SECONDS)
                if (kl_write_all(c, buf, CHUNK) < 0)
                        die("write", strerror(errno));
        shutdown(c, SHUT_WR);
        pthread_join(t, NULL);
        close(c);
        free(buf);
        return r->result;
}

static volatile int stop_accepting;

static void *conn_server(void *arg)
{
        struct run *r = arg;

        for (;;) {
                int a = accept4(r->listener, NULL, NULL, SOCK_CLOEXEC);

                if (a < 0)
                        break;
                close(a); /* the server closes first: TIME_WAIT stays on its side */
                if (stop_accepting)
                        break;
        }
        return NULL;
}

static double conns(struct run *r)
{
        pthread_t t;
        double t0, elapsed;
        long n = 0;
        char b;

        stop_accepting = 0;
        if (pthread_create(&t, NULL, conn_server, r) != 0)
                die("thread", "server");
        /* This thread enters the client's namespace for the loop and comes back after. */
        enter_ns(r->from);
        t0 = now();
        do {
                int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

                if (c < 0 || connect(c, (struct sockaddr *)&r->sa, sizeof(r->sa)) < 0)
                        die("connect", strerror(errno));
                if (read(c, &b, 1) < 0) /* EOF: the server accepted and closed */
                        die("read", strerror(errno));
                close(c);
                n++;
                elapsed = now() - t0;
        } while (elapsed < SECONDS);
        stop_accepting = 1;
        {
                int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); /* wake the server */

                if (c >= 0) {
                        (void)connect(c, (struct sockaddr *)&r->sa, sizeof(r->sa));
                        close(c);
                }
        }
        enter_ns(NULL);
        pthread_join(t, NULL);
        return (double)n / elapsed;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return x < y ? -1 : x > y;
}

static void measure(const char *from, const char *to, const char *ip, double *ret_bulk,
                    double *ret_conns)
{
        struct run r = { .from = from, .to = to };
        double b[ROUNDS], c[ROUNDS];
        int one = 1;

        r.sa.sin_family = AF_INET;
        r.sa.sin_port = htons(PORT);
        if (inet_pton(AF_INET, ip, &r.sa.sin_addr) != 1)
                die("address", ip);
        r.listener = socket_in(to);
        (void)setsockopt(r.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(r.listener, (struct sockaddr *)&r.sa, sizeof(r.sa)) < 0 ||
            listen(r.listener, 128) < 0)
                die("listen", strerror(errno));
        for (int i = 0; i < ROUNDS; i++) {
                b[i] = bulk(&r);
                c[i] = conns(&r);
        }
        close(r.listener);
        qsort(b, ROUNDS, sizeof(double), cmp_double);
        qsort(c, ROUNDS, sizeof(double), cmp_double);
        *ret_bulk = b[ROUNDS / 2];
        *ret_conns = c[ROUNDS / 2];
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (flag == FTW_F)
                (void)umount2(path, MNT_DETACH); /* namespace files are bind mounts */
        (void)remove(path);
        return 0;
}

int main(void)
{
        const char *base = getenv("KL_BENCH_DIR");
        struct kl_net *a = NULL, *b = NULL;
        struct kl_net_pod a1, a2, b1;
        struct kl_err *e = NULL;
        char *x, *y, *nb, *pa1, *pa2, *pb1, *sa, *sb;
        double vb, vc, nb1, nc1, nb2, nc2;
        const struct kl_net_peer peers[] = {
                { "node-a", "192.168.77.1", "10.42.1.0/24" },
                { "node-b", "192.168.77.2", "10.42.2.0/24" },
        };

        if (geteuid() != 0) {
                printf("bench-net: needs root (network namespaces): skipped\n");
                return 0;
        }
        if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                die("unshare", strerror(errno));
        self_ns = open_ns(NULL);
        scratch = kl_asprintf("%s/bench-net-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(scratch))
                die(scratch, strerror(errno));

        /* The ceiling: two namespaces, one veth pair. */
        x = new_netns("x");
        y = new_netns("y");
        veth(x, y, "v", "10.99.0.1", "10.99.0.2");

        /* Node A (our namespace) with two pods; node B with one; joined by a veth pair. */
        nb = new_netns("node-b");
        pa1 = new_netns("pod-a1");
        pa2 = new_netns("pod-a2");
        pb1 = new_netns("pod-b1");
        veth(NULL, nb, "n0", "192.168.77.1", "192.168.77.2");
        sa = kl_asprintf("%s/state-a", scratch);
        sb = kl_asprintf("%s/state-b", scratch);
        a = node(sa, "10.42.1.0/24", "192.168.77.1");
        enter_ns(nb);
        b = node(sb, "10.42.2.0/24", "192.168.77.2");
        enter_ns(NULL);
        pod(a, "bench-a1", pa1, &a1);
        pod(a, "bench-a2", pa2, &a2);
        pod(b, "bench-b1", pb1, &b1);
        if (kl_net_set_peers(a, peers, 2, &e) < 0 || kl_net_set_peers(b, peers, 2, &e) < 0)
                die("peers", kl_err_msg(e));

        measure(x, y, "10.99.0.2", &vb, &vc);
        measure(pa1, pa2, a2.ip, &nb1, &nc1);
        measure(pa1, pb1, b1.ip, &nb2, &nc2);

        printf("pod network benchmark: TCP, one connection, medians of %d runs of %.0f s\n\n",
               ROUNDS, SECONDS);
        printf("                             bulk send                connections\n");
        printf("  veth pair (ceiling)    %7.2f Gbit/s            %8.0f /s\n", vb, vc);
        printf("  two pods, one node     %7.2f Gbit/s (%4.2fx)    %8.0f /s (%4.2fx)\n", nb1,
               nb1 / vb, nc1, nc1 / vc);
        printf("  two nodes, VXLAN       %7.2f Gbit/s (%4.2fx)    %8.0f /s (%4.2fx)\n", nb2,
               nb2 / vb, nc2, nc2 / vc);
        printf("  (pods' MTU %u; ratios to the veth pair)\n", kl_net_mtu(a));

        kl_net_free(a);
        kl_net_free(b);
        (void)nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}
