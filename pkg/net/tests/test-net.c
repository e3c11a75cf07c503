/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod network in the kernel. Every test runs as root in network and
 * mount namespaces of its own (Criterion forks a process per test, so they
 * die with it) and is skipped otherwise. Pods' namespaces are made as the
 * runtime makes them: a child unshares its network namespace and bind-mounts
 * it onto a file. `ip`, `bridge` and `nft` inside the namespaces are the
 * oracle of what the kernel holds; connectivity is a real TCP connection
 * between sockets created in the namespaces.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/base.h"
#include "net/net-internal.h"
#include "testing/testing.h"

KL_DEFINE_CLEANUP_FUNC(struct kl_net, kl_net_free);
KL_DEFINE_CLEANUP_FUNC(struct nl_sock, kl_net__nl_close);

static int self_ns = -1; /* the test's own network namespace ("node A") */

static void enter(int fd)
{
        cr_assert_eq(setns(fd, CLONE_NEWNET), 0, "setns: %s", strerror(errno));
}

static int ns_fd(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
        return fd;
}

/* A new network namespace bind-mounted on <tmpdir>/<name>, as the runtime does it. */
static char *new_netns(const char *name)
{
        char *path = kl_asprintf("%s/%s", kl_test_tmpdir(), name);
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
        pid_t pid;
        int st;

        cr_assert_geq(fd, 0);
        close(fd);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNET) < 0 ||
                    mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                        _exit(1);
                _exit(0);
        }
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "netns %s", path);
        return path;
}

static void setup(void)
{
        struct kl_net__link lo;
        kl_cleanup(kl_net__nl_closep) struct nl_sock *sk = NULL;

        if (geteuid() != 0)
                cr_skip_test("needs root (network namespaces)");
        cr_assert_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0, "unshare: %s", strerror(errno));
        cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
        self_ns = ns_fd("/proc/thread-self/ns/net");
        cr_assert_eq(kl_net__nl_open(NULL, &sk, NULL), 0);
        cr_assert_eq(kl_net__link_get(sk, "lo", &lo), 0);
        cr_assert_eq(kl_net__link_set(sk, lo.ifindex, true, 0, -1, NULL), 0);
}

/* What a shell command prints on stdout (run in the calling thread's namespace). */
static char *sh(const char *fmt, ...) KL_PRINTF(1, 2);
static char *sh(const char *fmt, ...)
{
        kl_autobuf struct kl_buf out = KL_BUF_INIT;
        kl_autofree char *cmd = NULL;
        va_list ap;
        char chunk[4096];
        int fds[2], st;
        ssize_t n;
        pid_t pid;

        va_start(ap, fmt);
        cmd = kl_vasprintf(fmt, ap);
        va_end(ap);
        cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                (void)dup2(fds[1], STDOUT_FILENO);
                execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
                _exit(127);
        }
        (void)kl_close(fds[1]);
        while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
                if (n > 0)
                        cr_assert_eq(kl_buf_append(&out, chunk, (size_t)n), 0);
        (void)kl_close(fds[0]);
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "'%s' failed", cmd);
        return kl_buf_detach(&out, NULL);
}

#define assert_has(text, needle) \
        cr_assert(strstr((text), (needle)), "expected '%s' in:\n%s", (needle), (text))
#define assert_lacks(text, needle) \
        cr_assert(!strstr((text), (needle)), "did not expect '%s' in:\n%s", (needle), (text))

/* A socket of the namespace at ns (NULL: the test's own). */
static int socket_in(const char *ns)
{
        int fd;

        if (ns) {
                int target = ns_fd(ns);

                enter(target);
                close(target);
        }
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        enter(self_ns);
        cr_assert_geq(fd, 0);
        return fd;
}

/*
 * A TCP connection from the namespace `from` to `ip` in the namespace `to`
 * (NULL: the test's own), one byte each way. The time-outs only keep a broken
 * network from hanging the test.
 */
static void tcp_check(const char *from, const char *to, const char *ip)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(7777) };
        struct timeval tv = { .tv_sec = 20 };
        int l = socket_in(to), c = socket_in(from), a, one = 1;
        char byte = 'x';

        cr_assert_eq(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
        cr_assert_eq(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
        cr_assert_eq(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0, "bind %s: %s", ip,
                     strerror(errno));
        cr_assert_eq(listen(l, 4), 0);
        cr_assert_eq(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
        cr_assert_eq(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
        cr_assert_eq(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0, "connect %s: %s", ip,
                     strerror(errno));
        a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        cr_assert_geq(a, 0);
        cr_assert_eq(write(c, &byte, 1), 1);
        byte = 0;
        cr_assert_eq(read(a, &byte, 1), 1);
        cr_assert_eq(byte, 'x');
        cr_assert_eq(write(a, &byte, 1), 1);
        cr_assert_eq(read(c, &byte, 1), 1);
        close(a);
        close(c);
        close(l);
}

/* The node's uplink: veth `n0` here (peer `n0` in peer_ns, or `n0p` here), up, with ip/24. */
static void uplink(const char *ip, const char *peer_ns, const char *peer_ip)
{
        kl_cleanup(kl_net__nl_closep) struct nl_sock *sk = NULL;
        kl_cleanup(kl_net__nl_closep) struct nl_sock *psk = NULL;
        struct kl_net__link l;
        uint32_t a;
        int pfd = peer_ns ? ns_fd(peer_ns) : -1;

        cr_assert_eq(kl_net__nl_open(NULL, &sk, NULL), 0);
        cr_assert_eq(kl_net__nl_open(peer_ns, &psk, NULL), 0);
        cr_assert_eq(kl_net__veth_add(sk, "n0", 0, peer_ns ? "n0" : "n0p", pfd, NULL), 0);
        if (pfd >= 0)
                close(pfd);
        cr_assert_eq(kl_net__link_get(sk, "n0", &l), 0);
        cr_assert_eq(kl_parse_ipv4(ip, &a), 0);
        cr_assert_eq(kl_net__addr_add(sk, l.ifindex, a, 24), 0);
        cr_assert_eq(kl_net__link_set(sk, l.ifindex, true, 0, -1, NULL), 0);
        cr_assert_eq(kl_net__link_get(psk, peer_ns ? "n0" : "n0p", &l), 0);
        if (peer_ip) {
                cr_assert_eq(kl_parse_ipv4(peer_ip, &a), 0);
                cr_assert_eq(kl_net__addr_add(psk, l.ifindex, a, 24), 0);
        }
        cr_assert_eq(kl_net__link_set(psk, l.ifindex, true, 0, -1, NULL), 0);
}

static struct kl_net *node(const char *state, const char *pod_cidr, const char *node_ip,
                           enum kl_net_backend backend)
{
        struct kl_net_config cfg = {
                .state_dir = state,
                .pod_cidr = pod_cidr,
                .cluster_cidr = "10.42.0.0/16",
                .node_ip = node_ip,
                .backend = backend,
        };
        kl_autoerr struct kl_err *e = NULL;
        struct kl_net *net = NULL;

        cr_assert_eq(kl_net_new(&cfg, &net, &e), 0, "kl_net_new: %s", kl_err_msg(e));
        return net;
}

static void pod_add(struct kl_net *net, const char *uid, const char *ns, struct kl_net_pod *ret)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_net_pod_add(net, uid, ns, ret, &e), 0, "pod_add %s: %s", uid,
                     kl_err_msg(e));
}

static char *read_sysctl(const char *key)
{
        kl_autofree char *path = kl_asprintf("/proc/sys/%s", key);
        char *text = NULL;

        cr_assert_eq(kl_read_file(path, 64, &text, NULL), 0, "%s", path);
        return text;
}

Test(net, node_setup_creates_bridge_vxlan_sysctls_and_table, .init = setup)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = NULL;
        kl_autofree char *link = NULL, *addr = NULL, *vx = NULL, *vxaddr = NULL, *table = NULL;
        kl_autofree char *fwd = NULL, *brnf = NULL;
        struct kl_net__link before, after;

        uplink("192.168.50.1", NULL, NULL);
        net = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
        cr_assert_eq(kl_net_mtu(net), 1450);

        link = sh("ip -d link show kl0");
        assert_has(link, "MULTICAST,UP"); /* no carrier before its first port */
        assert_has(link, "link/ether 0a:58:0a:2a:01:01");
        assert_has(link, "bridge forward_delay");
        addr = sh("ip -4 addr show dev kl0");
        assert_has(addr, "inet 10.42.1.1/24 brd 10.42.1.255 scope global kl0");
        fwd = read_sysctl("net/ipv4/ip_forward");
        cr_assert_str_eq(fwd, "1\n");
        brnf = read_sysctl("net/bridge/bridge-nf-call-iptables");
        cr_assert_str_eq(brnf, "1\n");
        vx = sh("ip -d link show kl.vxlan");
        assert_has(vx, "mtu 1450");
        assert_has(vx, "link/ether 0e:6b:0a:2a:01:00");
        assert_has(vx, "vxlan id 1 local 192.168.50.1 dev n0");
        assert_has(vx, "dstport 8472 nolearning");
        vxaddr = sh("ip -4 addr show dev kl.vxlan");
        assert_has(vxaddr, "inet 10.42.1.0/32 scope global kl.vxlan");
        table = sh("nft list table ip kube-lite-net");
        assert_has(table, "type nat hook postrouting priority srcnat; policy accept;");
        assert_has(table, "ip saddr 10.42.0.0/16 ip daddr != 10.42.0.0/16 oifname != \"kl0\" "
                          "masquerade fully-random");
        assert_has(table, "iifname \"kl0\" accept");
        assert_has(table, "oifname \"kl0\" accept");

        /* An agent restart: the same links, reused. */
        {
                kl_cleanup(kl_net__nl_closep) struct nl_sock *sk = NULL;
                kl_cleanup(kl_net_freep) struct kl_net *again = NULL;

                cr_assert_eq(kl_net__nl_open(NULL, &sk, NULL), 0);
                cr_assert_eq(kl_net__link_get(sk, "kl0", &before), 0);
                again = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1",
                             KL_NET_BACKEND_VXLAN);
                cr_assert_eq(kl_net__link_get(sk, "kl0", &after), 0);
                cr_assert_eq(before.ifindex, after.ifindex);
                cr_assert_eq(kl_net_mtu(again), 1450);
        }
}

Test(net, teardown_removes_what_setup_made, .init = setup)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = NULL;
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *links = NULL, *table = NULL;

        uplink("192.168.50.1", NULL, NULL);
        net = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
        cr_assert_eq(kl_net_teardown(net, &e), 0, "%s", kl_err_msg(e));
        links = sh("ip -o link show");
        assert_lacks(links, "kl0");
        assert_lacks(links, "kl.vxlan");
        assert_has(links, "n0");
        table = sh("nft list tables");
        assert_lacks(table, "kube-lite-net");
}

Test(net, config_errors, .init = setup)
{
        static const struct {
                struct kl_net_config cfg;
                const char *msg;
        } cases[] = {
                { { .state_dir = "/x",
                    .pod_cidr = "10.42.1.1/24",
                    .cluster_cidr = "10.42.0.0/16",
                    .backend = KL_NET_BACKEND_NONE },
                  "pod CIDR '10.42.1.1/24': not an IPv4 network /8 to /30" },
                { { .state_dir = "/x",
                    .pod_cidr = "10.43.1.0/24",
                    .cluster_cidr = "10.42.0.0/16",
                    .backend = KL_NET_BACKEND_NONE },
                  "pod CIDR '10.43.1.0/24' is not inside cluster CIDR '10.42.0.0/16'" },
                { { .state_dir = "/x",
                    .pod_cidr = "10.42.1.0/24",
                    .cluster_cidr = "10.42.0.0/16",
                    .backend = KL_NET_BACKEND_VXLAN },
                  "backend vxlan needs the node's IP" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_net *net = NULL;

                cr_assert_eq(kl_net_new(&cases[i].cfg, &net, &e), -EINVAL);
                cr_assert_str_eq(kl_err_msg(e), cases[i].msg);
                cr_assert_null(net);
        }
        {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_net *net = NULL;
                struct kl_net_config cfg = {
                        .state_dir = kl_test_tmpdir(),
                        .pod_cidr = "10.42.1.0/24",
                        .cluster_cidr = "10.42.0.0/16",
                        .node_ip = "192.168.99.1",
                };

                cr_assert_eq(kl_net_new(&cfg, &net, &e), -EADDRNOTAVAIL);
                assert_has(kl_err_msg(e), "node address 192.168.99.1 is on no link");
        }
}

Test(net, pod_gets_eth0_with_address_route_and_reaches_gateway, .init = setup)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = NULL;
        kl_autofree char *ns = new_netns("pod-a");
        kl_autofree char *addr = NULL, *route = NULL, *host = NULL, *lo = NULL, *brl = NULL;
        struct kl_net_pod p, q;

        uplink("192.168.50.1", NULL, NULL);
        net = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
        pod_add(net, "uid-a", ns, &p);
        cr_assert_str_eq(p.ip, "10.42.1.2");
        cr_assert_eq(p.prefix, 24);
        cr_assert_str_eq(p.gateway, "10.42.1.1");
        cr_assert_str_eq(p.mac, "0a:58:0a:2a:01:02");
        cr_assert_eq(strlen(p.host_if), 13);
        cr_assert_eq(kl_net_pod_lookup(net, "uid-a", &q), 0);
        cr_assert_str_eq(q.ip, p.ip);
        cr_assert_eq(kl_net_pod_lookup(net, "uid-none", &q), -ENOENT);

        addr = sh("nsenter --net=%s ip addr show dev eth0", ns);
        assert_has(addr, "mtu 1450");
        assert_has(addr, "state UP");
        assert_has(addr, "link/ether 0a:58:0a:2a:01:02");
        assert_has(addr, "inet 10.42.1.2/24 brd 10.42.1.255 scope global eth0");
        route = sh("nsenter --net=%s ip route", ns);
        assert_has(route, "default via 10.42.1.1 dev eth0 proto static");
        lo = sh("nsenter --net=%s ip link show lo", ns);
        assert_has(lo, "LOOPBACK,UP");
        host = sh("ip -d link show %s", p.host_if);
        assert_has(host, "master kl0 state UP");
        assert_has(host, "mtu 1450");
        assert_has(host, "alias uid-a");
        brl = sh("bridge -d link show dev %s", p.host_if);
        assert_has(brl, "hairpin on");

        tcp_check(ns, NULL, "10.42.1.1");
}

Test(net, two_pods_reach_each_other_and_del_frees, .init = setup)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = NULL;
        kl_autofree char *a = new_netns("pod-a"), *b = new_netns("pod-b");
        kl_autofree char *c = new_netns("pod-c");
        kl_autofree char *links = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_net_pod pa, pb, pc;

        uplink("192.168.50.1", NULL, NULL);
        net = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
        pod_add(net, "uid-a", a, &pa);
        pod_add(net, "uid-b", b, &pb);
        cr_assert_str_eq(pb.ip, "10.42.1.3");
        tcp_check(a, b, pb.ip);
        tcp_check(b, a, pa.ip);

        cr_assert_eq(kl_net_pod_del(net, "uid-a", a, &e), 0, "%s", kl_err_msg(e));
        links = sh("ip -o link show");
        assert_lacks(links, pa.host_if);
        assert_has(links, pb.host_if);
        cr_assert_eq(kl_net_pod_lookup(net, "uid-a", &pa), -ENOENT);
        cr_assert_eq(kl_net_pod_del(net, "uid-a", NULL, &e), 0); /* twice: fine */
        pod_add(net, "uid-c", c, &pc);
        cr_assert_str_eq(pc.ip, "10.42.1.4"); /* the freed .2 waits its turn */
}

Test(net, pod_add_is_idempotent_across_restarts_and_repairs, .init = setup)
{
        const char *state = kl_test_tmpdir();
        kl_autofree char *ns = new_netns("pod-a");
        kl_autofree char *addr = NULL;
        kl_cleanup(kl_net__nl_closep) struct nl_sock *sk = NULL;
        kl_cleanup(kl_net__nl_closep) struct nl_sock *psk = NULL;
        struct kl_net_pod p1, p2, p3;
        struct kl_net__link h1, h2, eth0;
        uint32_t ip;

        uplink("192.168.50.1", NULL, NULL);
        cr_assert_eq(kl_net__nl_open(NULL, &sk, NULL), 0);
        {
                kl_cleanup(kl_net_freep) struct kl_net *net = NULL;

                net = node(state, "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
                pod_add(net, "uid-a", ns, &p1);
                cr_assert_eq(kl_net__link_get(sk, p1.host_if, &h1), 0);
                pod_add(net, "uid-a", ns, &p2);
                cr_assert_eq(kl_net__link_get(sk, p1.host_if, &h2), 0);
                cr_assert_str_eq(p2.ip, p1.ip);
                cr_assert_eq(h2.ifindex, h1.ifindex); /* complete: left alone */
        }
        {
                /* A restarted agent: a new struct over the same state and kernel. */
                kl_cleanup(kl_net_freep) struct kl_net *net = NULL;

                net = node(state, "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
                pod_add(net, "uid-a", ns, &p3);
                cr_assert_str_eq(p3.ip, p1.ip);
                cr_assert_eq(kl_net__link_get(sk, p1.host_if, &h2), 0);
                cr_assert_eq(h2.ifindex, h1.ifindex);

                /* Half-made: the pod lost its address. Repaired with the same one. */
                cr_assert_eq(kl_net__nl_open(ns, &psk, NULL), 0);
                cr_assert_eq(kl_net__link_get(psk, "eth0", &eth0), 0);
                cr_assert_eq(kl_parse_ipv4(p1.ip, &ip), 0);
                cr_assert_eq(kl_net__addr_del(psk, eth0.ifindex, ip, 24), 0);
                pod_add(net, "uid-a", ns, &p3);
                cr_assert_str_eq(p3.ip, p1.ip);
                addr = sh("nsenter --net=%s ip -4 addr show dev eth0", ns);
                assert_has(addr, "inet 10.42.1.2/24");
                tcp_check(ns, NULL, "10.42.1.1");

                /* Half-made the other way: the host end is gone with its peer. */
                cr_assert_eq(kl_net__link_get(sk, p1.host_if, &h2), 0);
                cr_assert_eq(kl_net__link_del(sk, h2.ifindex), 0);
                pod_add(net, "uid-a", ns, &p3);
                tcp_check(ns, NULL, "10.42.1.1");
        }
}

Test(net, gc_frees_pods_not_listed, .init = setup)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = NULL;
        kl_autofree char *a = new_netns("pod-a"), *b = new_netns("pod-b");
        kl_autofree char *links = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const char *live[] = { "uid-a" };
        struct kl_net_pod pa, pb;

        uplink("192.168.50.1", NULL, NULL);
        net = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
        pod_add(net, "uid-a", a, &pa);
        pod_add(net, "uid-b", b, &pb);
        cr_assert_eq(kl_net_gc(net, live, 1, &e), 1, "%s", kl_err_msg(e));
        links = sh("ip -o link show");
        assert_has(links, pa.host_if);
        assert_lacks(links, pb.host_if);
        cr_assert_eq(kl_net_pod_lookup(net, "uid-b", &pb), -ENOENT);
        cr_assert_eq(kl_net_pod_lookup(net, "uid-a", &pa), 0);
        cr_assert_eq(kl_net_gc(net, live, 1, &e), 0);
}

Test(net, set_peers_programs_fdb_neigh_routes, .init = setup)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const struct kl_net_peer peers[] = {
                { "n1", "192.168.50.1", "10.42.1.0/24" }, /* ourselves: skipped */
                { "n2", "192.168.50.2", "10.42.2.0/24" },
                { "n3", "192.168.50.3", "10.42.3.0/24" },
                { "bad", "x", "10.42.4.0/24" },
        };
        kl_autofree char *routes = NULL, *neigh = NULL, *fdb = NULL;
        kl_autofree char *routes2 = NULL, *neigh2 = NULL, *fdb2 = NULL;
        kl_autofree char *routes3 = NULL, *neigh3 = NULL, *fdb3 = NULL;

        uplink("192.168.50.1", NULL, NULL);
        net = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_VXLAN);
        cr_assert_eq(kl_net_set_peers(net, peers, KL_ARRAY_SIZE(peers), &e), 8, "%s",
                     kl_err_msg(e));
        routes = sh("ip route show");
        neigh = sh("ip neigh show dev kl.vxlan");
        fdb = sh("bridge fdb show dev kl.vxlan");
        assert_has(routes, "10.42.2.0/24 via 10.42.2.0 dev kl.vxlan proto 107 onlink");
        assert_has(routes, "10.42.3.0/24 via 10.42.3.0 dev kl.vxlan proto 107 onlink");
        assert_lacks(routes, "10.42.4.0");
        assert_has(neigh, "10.42.2.0 lladdr 0e:6b:0a:2a:02:00 PERMANENT");
        assert_has(neigh, "10.42.3.0 lladdr 0e:6b:0a:2a:03:00 PERMANENT");
        assert_has(fdb, "00:00:00:00:00:00 dst 192.168.50.2 self permanent");
        assert_has(fdb, "00:00:00:00:00:00 dst 192.168.50.3 self permanent");
        assert_has(fdb, "0e:6b:0a:2a:02:00 dst 192.168.50.2 self permanent");
        assert_has(fdb, "0e:6b:0a:2a:03:00 dst 192.168.50.3 self permanent");

        /* The same set again: nothing to do, nothing changed. */
        cr_assert_eq(kl_net_set_peers(net, peers, KL_ARRAY_SIZE(peers), &e), 0);
        routes2 = sh("ip route show");
        neigh2 = sh("ip neigh show dev kl.vxlan");
        fdb2 = sh("bridge fdb show dev kl.vxlan");
        cr_assert_str_eq(routes2, routes);
        cr_assert_str_eq(neigh2, neigh);
        cr_assert_str_eq(fdb2, fdb);

        /* n3 left: its route, neighbour and two fdb entries go. */
        cr_assert_eq(kl_net_set_peers(net, peers, 2, &e), 4);
        routes3 = sh("ip route show");
        neigh3 = sh("ip neigh show dev kl.vxlan");
        fdb3 = sh("bridge fdb show dev kl.vxlan");
        assert_lacks(routes3, "10.42.3.0");
        assert_has(routes3, "10.42.2.0/24 via 10.42.2.0 dev kl.vxlan proto 107 onlink");
        assert_lacks(neigh3, "10.42.3.0");
        assert_lacks(fdb3, "192.168.50.3");
        assert_has(fdb3, "00:00:00:00:00:00 dst 192.168.50.2 self permanent");
}

Test(net, set_peers_host_gw_routes, .init = setup)
{
        kl_cleanup(kl_net_freep) struct kl_net *net = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const struct kl_net_peer peers[] = {
                { "n2", "192.168.50.2", "10.42.2.0/24" },
                { "n3", "192.168.50.3", "10.42.3.0/24" },
        };
        kl_autofree char *routes = NULL, *links = NULL, *routes2 = NULL;

        uplink("192.168.50.1", NULL, NULL);
        net = node(kl_test_tmpdir(), "10.42.1.0/24", "192.168.50.1", KL_NET_BACKEND_HOST_GW);
        cr_assert_eq(kl_net_mtu(net), 1500);
        links = sh("ip -o link show");
        assert_lacks(links, "kl.vxlan");
        cr_assert_eq(kl_net_set_peers(net, peers, 2, &e), 2, "%s", kl_err_msg(e));
        routes = sh("ip route show");
        assert_has(routes, "10.42.2.0/24 via 192.168.50.2 dev n0 proto 107");
        assert_has(routes, "10.42.3.0/24 via 192.168.50.3 dev n0 proto 107");
        cr_assert_eq(kl_net_set_peers(net, peers, 2, &e), 0);
        cr_assert_eq(kl_net_set_peers(net, NULL, 0, &e), 2);
        routes2 = sh("ip route show");
        assert_lacks(routes2, "proto 107");
}

/* Two nodes joined by a veth (A: the test's namespace, B: its own), a pod on each. */
static void two_nodes(enum kl_net_backend backend)
{
        kl_autofree char *nb = new_netns("node-b");
        kl_autofree char *pa_ns = new_netns("pod-a"), *pb_ns = new_netns("pod-b");
        kl_autofree char *state_a = kl_asprintf("%s/a", kl_test_tmpdir());
        kl_autofree char *state_b = kl_asprintf("%s/b", kl_test_tmpdir());
        kl_cleanup(kl_net_freep) struct kl_net *a = NULL;
        kl_cleanup(kl_net_freep) struct kl_net *b = NULL;
        kl_autoerr struct kl_err *e = NULL;
        const struct kl_net_peer peers[] = {
                { "node-a", "192.168.50.1", "10.42.1.0/24" },
                { "node-b", "192.168.50.2", "10.42.2.0/24" },
        };
        struct kl_net_pod pa, pb;
        int fd_b = -1;

        uplink("192.168.50.1", nb, "192.168.50.2");
        a = node(state_a, "10.42.1.0/24", "192.168.50.1", backend);
        fd_b = ns_fd(nb);
        enter(fd_b); /* kl_net_new works on the calling thread's namespace */
        b = node(state_b, "10.42.2.0/24", "192.168.50.2", backend);
        enter(self_ns);
        close(fd_b);

        pod_add(a, "uid-a", pa_ns, &pa);
        pod_add(b, "uid-b", pb_ns, &pb);
        cr_assert_str_eq(pa.ip, "10.42.1.2");
        cr_assert_str_eq(pb.ip, "10.42.2.2");
        cr_assert_geq(kl_net_set_peers(a, peers, 2, &e), 1, "%s", kl_err_msg(e));
        cr_assert_geq(kl_net_set_peers(b, peers, 2, &e), 1, "%s", kl_err_msg(e));

        tcp_check(pa_ns, pb_ns, pb.ip);
        tcp_check(pb_ns, pa_ns, pa.ip);
        /* A pod reaches the other node's gateway too. */
        tcp_check(pa_ns, nb, "10.42.2.1");
}

Test(net, two_nodes_over_vxlan, .init = setup)
{
        two_nodes(KL_NET_BACKEND_VXLAN);
}

Test(net, two_nodes_over_host_gw, .init = setup)
{
        two_nodes(KL_NET_BACKEND_HOST_GW);
}
