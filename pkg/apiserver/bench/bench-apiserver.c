/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The API server over TLS on loopback, measured against Debian's nginx
 * serving the same bytes as a static file over TLS in the same run (issue 4,
 * Acceptance). `kube-lite server` runs as a child on a fresh data directory
 * with full durability; nginx runs as a child with a temporary config and the
 * server's own certificate and key, so both pay the same TLS. The load
 * generator is ours: one blocking thread per keep-alive connection, one
 * request in flight on each (as Go's clients do), the admin client
 * certificate for authentication.
 *
 *   start-up        fork to the first 200 from /readyz, fresh data dir (and a
 *                   restart with every pod stored)
 *   CREATE          10,000 pods (1,000 in their own namespace), N connections,
 *                   then each pod's status as a node's agent writes it (PATCH)
 *   GET one pod     N connections for KL_BENCH_SECONDS, nginx beside it
 *   LIST 1,000      the same
 *   watch fan-out   1,000 watch streams, one change at a time; latency from
 *                   sending the write to each watcher reading its event
 *                   (so it includes the write's commit), p50/p99/max
 *   peak RSS        VmHWM of the server from /proc/<pid>/status
 *
 *   peak RSS, stored  a restart with every pod (and its status) stored: VmHWM once
 *                    ready, beside the size of the pods' JSON as a LIST serves it
 *   peak RSS, LISTs   then every connection LISTs all the pods for KL_BENCH_SECONDS:
 *                    VmHWM meanwhile (a LIST is written as the socket takes it)
 *
 * The server runs as the API server alone (--disable-agent, -scheduler,
 * -controller-manager): the scheduler would fill the store with FailedScheduling
 * events and its and the controllers' caches would be measured with it.
 *
 *   KL_BENCH_BIN      the kube-lite binary (scripts/bench.sh sets it; KL_BIN also works;
 *                     default: next to the build's bench dir)
 *   KL_BENCH_FULL     1: run the whole control plane (scheduler, controllers, agent)
 *   KL_BENCH_DIR      scratch directory (scripts/bench.sh sets it)
 *   KL_BENCH_SECONDS  seconds per rate measurement (default 3)
 *   KL_BENCH_CONNS    client connections (default 8)
 *   KL_BENCH_WATCHERS watch streams (default 1000)
 *   KL_BENCH_PODS     pods created (default 10000)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <uv.h>

#include "base/base.h"

#define LIST_PODS 1000
#define CHANGES   20

struct conn {
        int fd;
        SSL *ssl;
};

static SSL_CTX *client_ctx(const char *cert, const char *key)
{
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

        kl_assert(ctx);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        if (cert && (SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
                     SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)) {
                fprintf(stderr, "bench-apiserver: client certificate '%s' unusable\n", cert);
                abort();
        }
        return ctx;
}

static int conn_open(struct conn *c, SSL_CTX *ctx, int port)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        int one = 1;

        c->ssl = NULL;
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0)
                return -errno;
        (void)inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
                int r = -errno;

                close(c->fd);
                return r;
        }
        c->ssl = SSL_new(ctx);
        SSL_set_fd(c->ssl, c->fd);
        if (SSL_connect(c->ssl) != 1) {
                SSL_free(c->ssl);
                c->ssl = NULL;
                close(c->fd);
                return -EPROTO;
        }
        return 0;
}

static void conn_close(struct conn *c)
{
        if (c->ssl) {
                SSL_free(c->ssl);
                close(c->fd);
        }
        c->ssl = NULL;
}

static int write_all(struct conn *c, const char *p, size_t n)
{
        while (n > 0) {
                int w = SSL_write(c->ssl, p, (int)n);

                if (w <= 0)
                        return -EIO;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* The Content-Length of a response head (both servers frame these answers with it). */
static size_t content_length(const char *head, const char *end)
{
        const char *p = strcasestr(head, "\r\ncontent-length:");
        size_t cl = 0;

        if (!p || p > end)
                return SIZE_MAX;
        for (p += strlen("\r\ncontent-length:"); *p == ' '; p++)
                ;
        for (; *p >= '0' && *p <= '9'; p++)
                cl = cl * 10 + (size_t)(*p - '0');
        return cl;
}

/* Read one whole response; *ret_len is the body's size. Returns the status. */
static int conn_recv(struct conn *c, size_t *ret_len)
{
        char head[8192];
        size_t have = 0, body, cl;
        char *end = NULL;

        while (!end) {
                int n;

                if (have >= sizeof(head) - 1)
                        return -E2BIG;
                n = SSL_read(c->ssl, head + have, (int)(sizeof(head) - 1 - have));
                if (n <= 0)
                        return -EIO;
                have += (size_t)n;
                head[have] = '\0';
                end = strstr(head, "\r\n\r\n");
        }
        cl = content_length(head, end);
        if (cl == SIZE_MAX)
                return -EPROTO;
        body = have - (size_t)(end + 4 - head);
        while (body < cl) {
                char sink[65536];
                size_t want = cl - body < sizeof(sink) ? cl - body : sizeof(sink);
                int n = SSL_read(c->ssl, sink, (int)want);

                if (n <= 0)
                        return -EIO;
                body += (size_t)n;
        }
        if (ret_len)
                *ret_len = cl;
        return (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
}

static int conn_do(struct conn *c, const char *req, size_t len, size_t *ret_len)
{
        if (write_all(c, req, len) < 0)
                return -EIO;
        return conn_recv(c, ret_len);
}

static char *request(const char *method, const char *path, const char *body)
{
        if (!body)
                return kl_asprintf("%s %s HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n"
                                   "\r\n",
                                   method, path);
        return kl_asprintf("%s %s HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n"
                           "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
                           method, path,
                           kl_streq(method, "PATCH") ? "application/merge-patch+json"
                                                     : "application/json",
                           strlen(body), body);
}

/* ------------------------------------------------------------------------- */
/* Children */

static pid_t spawn(char *const argv[], const char *log)
{
        pid_t pid = fork();

        kl_assert(pid >= 0);
        if (pid == 0) {
                int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

                if (fd >= 0) {
                        (void)dup2(fd, 1);
                        (void)dup2(fd, 2);
                }
                execv(argv[0], argv);
                _exit(127);
        }
        return pid;
}

static void stop(pid_t pid)
{
        int st;

        if (pid <= 0)
                return;
        (void)kill(pid, SIGTERM);
        (void)waitpid(pid, &st, 0);
}

static int free_port(void)
{
        struct sockaddr_in a = { .sin_family = AF_INET };
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

        (void)inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        kl_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
                  getsockname(fd, (struct sockaddr *)&a, &len) == 0);
        port = ntohs(a.sin_port);
        close(fd);
        return port;
}

/* Microseconds from `start` until /readyz answers 200, or 0 after 20 s. */
static kl_usec_t wait_ready(int port, kl_usec_t start)
{
        SSL_CTX *ctx = client_ctx(NULL, NULL);
        static const char req[] = "GET /readyz HTTP/1.1\r\nHost: bench\r\n\r\n";
        kl_usec_t took = 0;

        while (kl_now_monotonic() - start < 20 * KL_USEC_PER_SEC) {
                struct conn c;

                if (conn_open(&c, ctx, port) == 0) {
                        int st = conn_do(&c, req, sizeof(req) - 1, NULL);

                        conn_close(&c);
                        if (st == 200) {
                                took = kl_now_monotonic() - start;
                                break;
                        }
                }
                (void)usleep(1000);
        }
        SSL_CTX_free(ctx);
        return took;
}

/* nginx has no /readyz: wait until it accepts TLS connections. */
static int wait_listen(int port)
{
        SSL_CTX *ctx = client_ctx(NULL, NULL);
        kl_usec_t start = kl_now_monotonic();
        int r = -ETIMEDOUT;

        while (kl_now_monotonic() - start < 10 * KL_USEC_PER_SEC) {
                struct conn c;

                if (conn_open(&c, ctx, port) == 0) {
                        conn_close(&c);
                        r = 0;
                        break;
                }
                (void)usleep(2000);
        }
        SSL_CTX_free(ctx);
        return r;
}

static long proc_status_kb(pid_t pid, const char *field)
{
        char path[64], line[256];
        size_t flen = strlen(field);
        long kb = -1;
        FILE *f;

        (void)snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f)) {
                if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
                        const char *p = line + flen + 1;

                        while (*p == ' ' || *p == '\t')
                                p++;
                        kb = 0;
                        for (; *p >= '0' && *p <= '9'; p++)
                                kb = kb * 10 + (*p - '0');
                }
        }
        fclose(f);
        return kb;
}

/*
 * VmHWM since the last call, then reset (writing 5 to clear_refs sets the peak back to
 * the current RSS), so each phase of the run gets its own peak. The run's peak is the
 * largest of them.
 */
static long phase_peak_kb(pid_t pid)
{
        char path[64];
        long kb = proc_status_kb(pid, "VmHWM");
        int fd;

        (void)snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                (void)!write(fd, "5", 1);
                close(fd);
        }
        return kb;
}

/* ------------------------------------------------------------------------- */
/* Load */

struct load {
        SSL_CTX *ctx;
        int port;
        const char *req; /* fixed request, or NULL to create pods */
        size_t req_len;
        atomic_bool running;
        atomic_ulong done;
        atomic_ulong errors;
        atomic_ulong next_pod;  /* creates: the next pod number */
        unsigned long pods;     /* creates: how many */
        bool status;            /* creates: write the pods' status instead */
        atomic_size_t body_len; /* bytes of the last answer */
};

struct worker {
        struct load *l;
        uv_thread_t thread;
};

/* A pod as a Deployment would make it: labels, one container with ports, env, resources, probe. */
static const char pod_fmt[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-%06lu\","
        "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"5d8f7c9b4\",\"tier\":\"frontend\"},"
        "\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"2026-01-01T00:00:00Z\"}},"
        "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"registry.example/web:1.2.3\","
        "\"ports\":[{\"containerPort\":8080,\"name\":\"http\"}],\"env\":[{\"name\":\"MODE\","
        "\"value\":\"production\"},{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}],"
        "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":"
        "{\"memory\":\"256Mi\"}},\"readinessProbe\":{\"httpGet\":{\"path\":\"/healthz\","
        "\"port\":8080},\"periodSeconds\":5}}],\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"}}}";

/*
 * The status the node's agent then writes: five conditions, the addresses, one running
 * container with its image and container IDs. With it a stored pod is about 2.5 KiB.
 */
#define COND(type)                                                           \
        "{\"type\":\"" type "\",\"status\":\"True\",\"lastProbeTime\":null," \
        "\"lastTransitionTime\":\"2026-01-01T00:00:02Z\"}"
static const char status_fmt[] =
        "{\"status\":{\"phase\":\"Running\",\"conditions\":[" COND("PodReadyToStartContainers") "," COND("Initialized") "," COND(
                "Ready") "," COND("ContainersReady") "," COND("PodScheduled") "],\"hostIP\":\"192.168.1.7\",\"hostIPs\":[{\"ip\":\"192.168.1.7\"}],"
                                                                              "\"podIP\":\"10.42.%lu.%lu\",\"podIPs\":[{\"ip\":\"10.42.%lu.%lu\"}],"
                                                                              "\"startTime\":\"2026-01-01T00:00:01Z\",\"containerStatuses\":[{\"name\":\"web\","
                                                                              "\"state\":{\"running\":{\"startedAt\":\"2026-01-01T00:00:02Z\"}},\"lastState\":{},"
                                                                              "\"ready\":true,\"restartCount\":0,\"image\":\"registry.example/web:1.2.3\","
                                                                              "\"imageID\":\"registry.example/web@sha256:"
                                                                              "3f1c6e0f5d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c\","
                                                                              "\"containerID\":\"containerd://%064lx\",\"started\":true}],"
                                                                              "\"qosClass\":\"Burstable\"}}";
#undef COND

static char *pod_request(unsigned long i, bool status)
{
        const char *ns = i < LIST_PODS ? "list" : "default";
        kl_autofree char *path = NULL;
        kl_autofree char *body = NULL;

        if (!status) {
                path = kl_asprintf("/api/v1/namespaces/%s/pods", ns);
                body = kl_asprintf(pod_fmt, i);
                return request("POST", path, body);
        }
        path = kl_asprintf("/api/v1/namespaces/%s/pods/web-%06lu/status", ns, i);
        body = kl_asprintf(status_fmt, i / 250, i % 250 + 1, i / 250, i % 250 + 1,
                           i * 0x9e3779b97f4a7c15UL);
        return request("PATCH", path, body);
}

static void worker_run(void *arg)
{
        struct worker *w = arg;
        struct load *l = w->l;
        struct conn c;

        if (conn_open(&c, l->ctx, l->port) < 0) {
                atomic_fetch_add(&l->errors, 1);
                return;
        }
        while (atomic_load(&l->running)) {
                size_t blen = 0;
                int st;

                if (l->req) {
                        st = conn_do(&c, l->req, l->req_len, &blen);
                } else {
                        unsigned long i = atomic_fetch_add(&l->next_pod, 1);
                        kl_autofree char *req = NULL;

                        if (i >= l->pods)
                                break;
                        req = pod_request(i, l->status);
                        st = conn_do(&c, req, strlen(req), &blen);
                }
                if (st < 200 || st >= 300) {
                        atomic_fetch_add(&l->errors, 1);
                        if (st < 0)
                                break;
                        continue;
                }
                atomic_store(&l->body_len, blen);
                atomic_fetch_add(&l->done, 1);
        }
        conn_close(&c);
}

/* Requests per second with `conns` connections for `seconds` (0: until the pods are made). */
static double run_load(struct load *l, unsigned conns, unsigned seconds)
{
        struct worker *ws = kl_calloc(conns, sizeof(*ws));
        kl_usec_t start, took;

        atomic_store(&l->running, true);
        atomic_store(&l->done, 0);
        atomic_store(&l->errors, 0);
        start = kl_now_monotonic();
        for (unsigned i = 0; i < conns; i++) {
                ws[i].l = l;
                kl_assert(uv_thread_create(&ws[i].thread, worker_run, &ws[i]) == 0);
        }
        if (seconds > 0) {
                (void)sleep(seconds);
                atomic_store(&l->running, false);
        }
        for (unsigned i = 0; i < conns; i++)
                uv_thread_join(&ws[i].thread);
        took = kl_now_monotonic() - start;
        free(ws);
        if (atomic_load(&l->errors) > 0)
                fprintf(stderr, "bench-apiserver: %lu failed requests\n", atomic_load(&l->errors));
        return (double)atomic_load(&l->done) * (double)KL_USEC_PER_SEC / (double)took;
}

static double rate(SSL_CTX *ctx, int port, const char *path, unsigned conns, unsigned seconds,
                   size_t *ret_len)
{
        kl_autofree char *req = request("GET", path, NULL);
        struct load l = { .ctx = ctx, .port = port, .req = req, .req_len = strlen(req) };
        double r = run_load(&l, conns, seconds);

        if (ret_len)
                *ret_len = atomic_load(&l.body_len);
        return r;
}

/* ------------------------------------------------------------------------- */
/* Watch fan-out */

struct fan_result {
        double p50, p99, max; /* ms, from sending the write to a watcher reading its event */
        double write_p50;     /* ms, from sending the write to its answer */
};

static int cmp_usec(const void *a, const void *b)
{
        kl_usec_t x = *(const kl_usec_t *)a, y = *(const kl_usec_t *)b;

        return x < y ? -1 : x > y;
}

/*
 * Open the watch streams, read each one's head and the synthetic ADDED of
 * the target, and add them to the epoll set `ep` (data: the index).
 */
static int fan_open(SSL_CTX *ctx, int port, struct conn *ws, int ep, unsigned n)
{
        kl_autofree char *watch =
                request("GET", "/api/v1/namespaces/fan/pods?watch=true&resourceVersion=0", NULL);

        for (unsigned i = 0; i < n; i++) {
                char head[4096];
                int got;

                if (conn_open(&ws[i], ctx, port) < 0 || write_all(&ws[i], watch, strlen(watch)) < 0)
                        return -EIO;
                do {
                        got = SSL_read(ws[i].ssl, head, sizeof(head) - 1);
                        if (got <= 0)
                                return -EIO;
                        head[got] = '\0';
                } while (!strstr(head, "\"ADDED\""));
                (void)fcntl(ws[i].fd, F_SETFL, O_NONBLOCK);
                if (epoll_ctl(ep, EPOLL_CTL_ADD, ws[i].fd,
                              &(struct epoll_event){ .events = EPOLLIN, .data.u32 = i }) < 0)
                        return -errno;
        }
        return 0;
}

/* Read what watcher `i` has; true when a MODIFIED event was among it. */
static bool fan_read(struct conn *c, char tail[32])
{
        bool found = false;

        for (;;) {
                char buf[4096 + 32];
                size_t tl = strlen(tail), keep;
                int n;

                /* The tail of the last read: an event's type may straddle two reads. */
                memcpy(buf, tail, tl);
                n = SSL_read(c->ssl, buf + tl, 4096);
                if (n <= 0)
                        break;
                buf[tl + (size_t)n] = '\0';
                if (strstr(buf, "\"MODIFIED\""))
                        found = true;
                keep = tl + (size_t)n < 16 ? tl + (size_t)n : 16;
                memcpy(tail, buf + tl + (size_t)n - keep, keep + 1);
        }
        return found;
}

/*
 * The watchers are read through epoll, which costs per ready stream: a
 * poll() over all 1,000 of them for every few that were ready made the
 * client's cost grow with the number of streams, on the two cores the
 * server needs.
 */
static int fan_out(SSL_CTX *ctx, int port, unsigned watchers, struct fan_result *ret)
{
        struct conn *ws = kl_calloc(watchers, sizeof(*ws));
        struct epoll_event evs[256];
        int ep = epoll_create1(EPOLL_CLOEXEC);
        kl_usec_t *lat = kl_calloc((size_t)watchers * CHANGES, sizeof(*lat));
        kl_usec_t wlat[CHANGES] = { 0 };
        bool *got = kl_calloc(watchers, sizeof(*got));
        char(*tail)[32] = kl_calloc(watchers, sizeof(*tail));
        kl_autofree char *create = request(
                "POST", "/api/v1/namespaces/fan/pods",
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"target\"},"
                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
        size_t n_lat = 0;
        struct conn w = { .fd = -1 };
        int r = 0;

        if (conn_open(&w, ctx, port) < 0 || conn_do(&w, create, strlen(create), NULL) != 201)
                r = -EIO;
        if (ep < 0)
                r = -errno;
        if (r == 0)
                r = fan_open(ctx, port, ws, ep, watchers);
        for (unsigned k = 0; k < CHANGES && r == 0; k++) {
                kl_autofree char *body =
                        kl_asprintf("{\"metadata\":{\"labels\":{\"k\":\"%u\"}}}", k);
                kl_autofree char *patch =
                        request("PATCH", "/api/v1/namespaces/fan/pods/target", body);
                unsigned left = watchers;
                kl_usec_t t0 = kl_now_monotonic();

                memset(got, 0, watchers * sizeof(*got));
                /* The answer comes after the events went out: read it afterwards. */
                if (write_all(&w, patch, strlen(patch)) < 0) {
                        r = -EIO;
                        break;
                }
                while (left > 0) {
                        if (kl_now_monotonic() - t0 > 10 * KL_USEC_PER_SEC) {
                                r = -ETIMEDOUT;
                                break;
                        }
                        int n = epoll_wait(ep, evs, (int)KL_ARRAY_SIZE(evs), 100);

                        for (int j = 0; j < n; j++) {
                                unsigned i = evs[j].data.u32;

                                if (got[i])
                                        continue;
                                if (fan_read(&ws[i], tail[i])) {
                                        got[i] = true;
                                        lat[n_lat++] = kl_now_monotonic() - t0;
                                        left--;
                                }
                        }
                }
                if (r == 0 && conn_recv(&w, NULL) != 200)
                        r = -EIO;
                wlat[k] = kl_now_monotonic() - t0;
        }
        if (r == 0 && n_lat > 0) {
                size_t mid = n_lat / 2, p99 = n_lat * 99 / 100, wmid = CHANGES / 2;

                qsort(lat, n_lat, sizeof(*lat), cmp_usec);
                qsort(wlat, CHANGES, sizeof(*wlat), cmp_usec);
                ret->p50 = (double)lat[mid] / 1000.0;
                ret->p99 = (double)lat[p99] / 1000.0;
                ret->max = (double)lat[n_lat - 1] / 1000.0;
                ret->write_p50 = (double)wlat[wmid] / 1000.0;
        }
        for (unsigned i = 0; i < watchers; i++)
                conn_close(&ws[i]);
        conn_close(&w);
        free(ws);
        if (ep >= 0)
                (void)close(ep);
        free(lat);
        free(got);
        free(tail);
        return r;
}

/* ------------------------------------------------------------------------- */

static unsigned env_uint(const char *name, unsigned def)
{
        const char *v = getenv(name);
        unsigned r;

        return v && kl_parse_uint(v, &r) == 0 && r > 0 ? r : def;
}

static int write_file(const char *path, const char *text, size_t len)
{
        FILE *f = fopen(path, "we");

        if (!f)
                return -errno;
        if (fwrite(text, 1, len, f) != len) {
                fclose(f);
                return -EIO;
        }
        return fclose(f) == 0 ? 0 : -errno;
}

/* Fetch `path` once and store its body as `file` (under nginx's root). */
static int mirror(SSL_CTX *ctx, int port, const char *path, const char *file)
{
        kl_autofree char *req = request("GET", path, NULL);
        kl_autobuf struct kl_buf resp = KL_BUF_INIT;
        struct conn c;
        char buf[65536];
        char *end = NULL;
        size_t cl = SIZE_MAX;

        if (conn_open(&c, ctx, port) < 0)
                return -EIO;
        if (write_all(&c, req, strlen(req)) < 0) {
                conn_close(&c);
                return -EIO;
        }
        for (;;) {
                int n = SSL_read(c.ssl, buf, sizeof(buf));

                if (n <= 0)
                        break;
                (void)kl_buf_append(&resp, buf, (size_t)n);
                end = strstr(resp.buf, "\r\n\r\n");
                if (end && cl == SIZE_MAX)
                        cl = content_length(resp.buf, end);
                if (end && cl != SIZE_MAX && resp.len >= (size_t)(end + 4 - resp.buf) + cl)
                        break;
        }
        conn_close(&c);
        if (!end || cl == SIZE_MAX || resp.len < (size_t)(end + 4 - resp.buf) + cl)
                return -EIO;
        return write_file(file, end + 4, cl);
}

static pid_t nginx_start(const char *dir, int port, const char *cert, const char *key)
{
        kl_autofree char *conf = kl_asprintf("%s/nginx.conf", dir);
        kl_autofree char *log = kl_asprintf("%s/nginx.log", dir);
        kl_autofree char *text = kl_asprintf(
                "%sdaemon off;\nworker_processes 2;\npid %s/nginx.pid;\nerror_log %s/error.log;\n"
                "events { worker_connections 4096; }\n"
                "http {\n  access_log off;\n  keepalive_requests 100000000;\n"
                "  client_body_temp_path %s/tmp;\n  proxy_temp_path %s/tmp;\n"
                "  fastcgi_temp_path %s/tmp;\n  uwsgi_temp_path %s/tmp;\n  scgi_temp_path %s/tmp;\n"
                "  server {\n    listen 127.0.0.1:%d ssl;\n    ssl_certificate %s;\n"
                "    ssl_certificate_key %s;\n    default_type application/json;\n"
                "    location / { root %s/www; }\n  }\n}\n",
                geteuid() == 0 ? "user root;\n" : "", dir, dir, dir, dir, dir, dir, dir, port, cert,
                key, dir);
        char *argv[] = { (char *)"/usr/sbin/nginx", (char *)"-e", log, (char *)"-c", conf, NULL };

        if (access("/usr/sbin/nginx", X_OK) != 0 || write_file(conf, text, strlen(text)) < 0)
                return -1;
        return spawn(argv, log);
}

static void row(const char *what, double ours, double ref, const char *goal)
{
        if (ref > 0)
                printf("  %-34s %10.0f /s   nginx %10.0f /s   %6.1f%%   %s\n", what, ours, ref,
                       100.0 * ours / ref, goal);
        else
                printf("  %-34s %10.0f /s   %-27s %s\n", what, ours, "", goal);
}

static bool full_control_plane(void)
{
        const char *v = getenv("KL_BENCH_FULL");

        return v && kl_streq(v, "1");
}

/*
 * The API server alone, as issue 4 measures it: no agent, scheduler or controllers in the
 * process (KL_BENCH_FULL=1 runs the whole control plane instead).
 */
static pid_t server_start(char *bin, char *data, char *port, char *kc, const char *log)
{
        bool full = full_control_plane();
        char *argv[] = { bin,
                         (char *)"server",
                         (char *)"--data-dir",
                         data,
                         (char *)"--https-listen-port",
                         port,
                         (char *)"--bind-address",
                         (char *)"127.0.0.1",
                         (char *)"--write-kubeconfig",
                         kc,
                         (char *)"--disable-agent",
                         (char *)"--disable-scheduler",
                         (char *)"--disable-controller-manager",
                         NULL };

        /* The whole control plane: an agent too, but never a pod network in our namespace. */
        if (full) {
                argv[10] = (char *)"--network-backend=none";
                argv[11] = NULL;
        }

        return spawn(argv, log);
}

static int create_namespace(SSL_CTX *ctx, int port, const char *name)
{
        kl_autofree char *body = kl_asprintf(
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}",
                name);
        kl_autofree char *req = request("POST", "/api/v1/namespaces", body);
        struct conn c;
        int st;

        if (conn_open(&c, ctx, port) < 0)
                return -EIO;
        st = conn_do(&c, req, strlen(req), NULL);
        conn_close(&c);
        return st == 201 ? 0 : -EIO;
}

int main(int argc, char **argv)
{
        unsigned seconds = env_uint("KL_BENCH_SECONDS", 3), conns = env_uint("KL_BENCH_CONNS", 8);
        unsigned watchers = env_uint("KL_BENCH_WATCHERS", 1000);
        unsigned pods = env_uint("KL_BENCH_PODS", 10000);
        const char *scratch = getenv("KL_BENCH_DIR");
        kl_autofree char *bin = NULL;
        kl_autofree char *dir = NULL;
        kl_autofree char *data = NULL;
        kl_autofree char *tls = NULL;
        kl_autofree char *cert = NULL;
        kl_autofree char *key = NULL;
        kl_autofree char *ccert = NULL;
        kl_autofree char *ckey = NULL;
        kl_autofree char *log = NULL;
        kl_autofree char *kc = NULL;
        kl_autofree char *www = NULL;
        kl_autofree char *tmp = NULL;
        kl_autofree char *f_pod = NULL;
        kl_autofree char *f_list = NULL;
        char pod_path[96];
        static const char list_path[] = "/api/v1/namespaces/list/pods";
        char port_s[16], what[96];
        double get_ours, get_ref = 0, list_ours, list_ref = 0, create, patch;
        struct fan_result fan = { 0 };
        struct load cl = { 0 };
        size_t get_len = 0, list_len = 0, all_len = 0;
        kl_usec_t start, startup, restart;
        long hwm, rss, hwm2, anon2, file2, hwm_write, hwm_read, hwm_fan, hwm_all;
        double list_all;
        pid_t server, nginx = -1;
        SSL_CTX *ctx;
        int port, nport = 0, r;

        (void)argc;
        if (getenv("KL_BENCH_BIN") || getenv("KL_BIN")) {
                bin = kl_strdup(getenv("KL_BENCH_BIN") ? getenv("KL_BENCH_BIN") : getenv("KL_BIN"));
        } else {
                /* build/<variant>/pkg/apiserver/bench/bench-apiserver -> build/<variant>/kube-lite
                 */
                const char *slash = strrchr(argv[0], '/');

                bin = kl_asprintf("%.*s/../../../kube-lite", slash ? (int)(slash - argv[0]) : 1,
                                  slash ? argv[0] : ".");
        }
        dir = kl_asprintf("%s/apiserver-XXXXXX", scratch ? scratch : "/tmp");
        if (!mkdtemp(dir)) {
                perror("bench-apiserver: mkdtemp");
                return 1;
        }
        data = kl_asprintf("%s/data", dir);
        tls = kl_asprintf("%s/server/tls", data);
        cert = kl_asprintf("%s/serving-kube-apiserver.crt", tls);
        key = kl_asprintf("%s/serving-kube-apiserver.key", tls);
        ccert = kl_asprintf("%s/client-admin.crt", tls);
        ckey = kl_asprintf("%s/client-admin.key", tls);
        log = kl_asprintf("%s/server.log", dir);
        kc = kl_asprintf("%s/kubeconfig", dir);
        www = kl_asprintf("%s/www", dir);
        tmp = kl_asprintf("%s/tmp", dir);
        f_pod = kl_asprintf("%s/pod.json", www);
        f_list = kl_asprintf("%s/list.json", www);
        port = free_port();
        (void)snprintf(port_s, sizeof(port_s), "%d", port);
        /* The pod GET reads: the middle one of those in default (or of all, when few). */
        {
                unsigned long mid =
                        pods > LIST_PODS ? LIST_PODS + (pods - LIST_PODS) / 2 : pods / 2;

                (void)snprintf(pod_path, sizeof(pod_path), "/api/v1/namespaces/%s/pods/web-%06lu",
                               mid < LIST_PODS ? "list" : "default", mid);
        }

        start = kl_now_monotonic();
        server = server_start(bin, data, port_s, kc, log);
        startup = wait_ready(port, start);
        if (startup == 0) {
                fprintf(stderr, "bench-apiserver: '%s' did not become ready (see %s)\n", bin, log);
                stop(server);
                return 1;
        }
        ctx = client_ctx(ccert, ckey);
        if (create_namespace(ctx, port, "list") < 0 || create_namespace(ctx, port, "fan") < 0) {
                fprintf(stderr, "bench-apiserver: creating namespaces failed (see %s)\n", log);
                stop(server);
                SSL_CTX_free(ctx);
                return 1;
        }
        /* The first LIST_PODS pods go to their own namespace, the rest to default. */
        cl = (struct load){ .ctx = ctx, .port = port, .pods = pods };
        create = run_load(&cl, conns, 0);
        cl = (struct load){ .ctx = ctx, .port = port, .pods = pods, .status = true };
        patch = run_load(&cl, conns, 0);
        hwm_write = phase_peak_kb(server);

        /* nginx serves what the server answers, byte for byte, with the same certificate. */
        (void)mkdir(www, 0755);
        (void)mkdir(tmp, 0755);
        if (mirror(ctx, port, pod_path, f_pod) == 0 && mirror(ctx, port, list_path, f_list) == 0) {
                nport = free_port();
                nginx = nginx_start(dir, nport, cert, key);
                if (nginx > 0 && wait_listen(nport) < 0) {
                        stop(nginx);
                        nginx = -1;
                }
        }
        if (nginx <= 0)
                fprintf(stderr, "bench-apiserver: no nginx reference (install nginx-light)\n");

        get_ours = rate(ctx, port, pod_path, conns, seconds, &get_len);
        list_ours = rate(ctx, port, list_path, conns, seconds, &list_len);
        if (nginx > 0) {
                get_ref = rate(ctx, nport, "/pod.json", conns, seconds, NULL);
                list_ref = rate(ctx, nport, "/list.json", conns, seconds, NULL);
                stop(nginx);
        }
        hwm_read = phase_peak_kb(server);
        r = fan_out(ctx, port, watchers, &fan);
        if (r < 0)
                fprintf(stderr, "bench-apiserver: watch fan-out: %s\n", kl_strerror(r));
        rss = proc_status_kb(server, "VmRSS");
        hwm_fan = phase_peak_kb(server);
        hwm = hwm_write > hwm_read ? hwm_write : hwm_read;
        hwm = hwm > hwm_fan ? hwm : hwm_fan;
        stop(server);
        SSL_CTX_free(ctx);

        /* A restart loads every pod into the watch cache before it is ready. */
        start = kl_now_monotonic();
        server = server_start(bin, data, port_s, kc, log);
        restart = wait_ready(port, start);
        hwm2 = proc_status_kb(server, "VmHWM");
        anon2 = proc_status_kb(server, "RssAnon");
        file2 = proc_status_kb(server, "RssFile");
        /* The reference, read after the figures: the pods' JSON, as one LIST of all serves it. */
        ctx = client_ctx(ccert, ckey);
        {
                kl_autofree char *req = request("GET", "/api/v1/pods", NULL);
                struct conn c;

                if (conn_open(&c, ctx, port) == 0) {
                        if (conn_do(&c, req, strlen(req), &all_len) != 200)
                                all_len = 0;
                        conn_close(&c);
                }
        }
        /* Every client LISTs all the pods at once: what a LIST costs in memory while it is sent. */
        (void)phase_peak_kb(server);
        list_all = rate(ctx, port, "/api/v1/pods", conns, seconds, NULL);
        hwm_all = phase_peak_kb(server);
        SSL_CTX_free(ctx);
        stop(server);

        printf("kube-lite server (%s) over TLS on loopback, %u keep-alive connections, %u s per "
               "rate, full durability\n",
               full_control_plane() ? "whole control plane and agent" : "API server alone", conns,
               seconds);
        printf("  %-34s %10.1f ms   goal < 300 ms\n", "start-up to /readyz (fresh dir)",
               (double)startup / 1000.0);
        printf("  %-34s %10.1f ms   (%u pods loaded)\n", "restart to /readyz",
               (double)restart / 1000.0, pods);
        (void)snprintf(what, sizeof(what), "CREATE pod (%u in all)", pods);
        row(what, create, 0, "goal >= 3000/s");
        row("PATCH pod status (merge patch)", patch, 0, "");
        (void)snprintf(what, sizeof(what), "GET one pod (%zu B)", get_len);
        row(what, get_ours, get_ref, "goal >= 50% of nginx");
        (void)snprintf(what, sizeof(what), "LIST %u pods (%zu KiB)",
                       pods < LIST_PODS ? pods : LIST_PODS, list_len / 1024);
        row(what, list_ours, list_ref, "");
        printf("  %-34s p50 %.2f ms, p99 %.2f ms, max %.2f ms   goal p99 <= 20 ms\n",
               "watch fan-out", fan.p50, fan.p99, fan.max);
        printf("  %-34s (%u watchers x %d changes, timed from sending the write; the write\n"
               "  %-34s  itself is answered after %.2f ms p50)\n",
               "", watchers, CHANGES, "", fan.write_p50);
        /* The goal is about the pods stored (the line after next); this is the whole load. */
        printf("  %-34s %10.1f MB   with %u TLS watch streams (VmRSS at end %.1f MB)\n",
               "peak RSS during the run (VmHWM)", (double)hwm / 1024.0, watchers,
               (double)rss / 1024.0);
        printf("  %-34s (peak while writing %.1f MB, while reading %.1f MB, during the fan-out\n"
               "  %-34s  %.1f MB)\n",
               "", (double)hwm_write / 1024.0, (double)hwm_read / 1024.0, "",
               (double)hwm_fan / 1024.0);
        (void)snprintf(what, sizeof(what), "peak RSS, %u pods stored", pods);
        printf("  %-34s %10.1f MB   goal <= 60 MB; restarted, VmHWM once ready (RssAnon %.1f MB,\n"
               "  %-34s  RssFile %.1f MB); the pods' JSON (LIST of all): %.1f MB\n",
               what, (double)hwm2 / 1024.0, (double)anon2 / 1024.0, "", (double)file2 / 1024.0,
               (double)all_len / 1048576.0);
        (void)snprintf(what, sizeof(what), "peak RSS while %u clients LIST all %u pods", conns,
                       pods);
        printf("  %-34s %10.1f MB   (restarted; %.1f LISTs/s of %.1f MB each)\n", what,
               (double)hwm_all / 1024.0, list_all, (double)all_len / 1048576.0);
        return 0;
}
