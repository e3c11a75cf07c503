/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server end to end: a real in-process API server, informers for
 * Services and EndpointSlices, the DNS server on 127.0.0.1:0, and a fake
 * upstream resolver (UDP and TCP on one port of 127.0.0.1) in the same loop.
 * Queries go over real sockets: cluster names over UDP and TCP (several
 * queries on one connection), Services appearing and changing, forwarding,
 * the cache (a second query does not reach upstream), upstream truncation
 * (retried over TCP), upstream silence (SERVFAIL), ExternalName chasing.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "apiserver/apiserver.h"
#include "apiserver/tests/support/testenv.h"
#include "dns-test.h"
#include "loop/loop.h"
#include "testing/testing.h"

#define SEC KL_USEC_PER_SEC

struct upstream {
        uv_udp_t udp;
        uv_tcp_t tcp;
        uv_tcp_t conn; /* one TCP client at a time is enough here */
        bool conn_open;
        uint8_t rbuf[70000];
        size_t rlen;
        unsigned udp_queries, tcp_queries;
        char last[KL_DNS__NAME_TEXT_MAX];
};

struct env {
        struct kl_testenv t; /* the server, the client (writing as the DNS server) and the tick */
        struct kl_informer *svcs, *slices;
        struct kl_dns *dns;
        struct upstream up;
        int port, up_port;
        unsigned max_conns; /* 0: the default */
        kl_usec_t idle;     /* 0: the default */
};

/* ------------------------------------------------------------------------- */
/* The fake upstream: www.example.com A 192.0.2.80 (TTL 300); big.example.com
 * truncated over UDP, 3 addresses over TCP; silent.example.com: no answer;
 * anything else NXDOMAIN with an SOA (minimum 60). */

static void up_answer(struct upstream *u, const uint8_t *p, size_t n, bool tcp, struct kl_buf *out)
{
        struct kl_dns__msg q;
        struct kl_dns__writer w;
        uint8_t zone[KL_DNS__NAME_WIRE_MAX];
        size_t len;
        int rcode = 0;

        if (kl_dns__parse(p, n, &q, NULL) < 0)
                return;
        (void)kl_dns__name_to_text(q.qname, true, u->last);
        if (strcmp(u->last, "silent.example.com") == 0)
                return;
        cr_assert_eq(kl_dns__name_from_text("example.com", zone, &len), 0);
        kl_dns__writer_init(&w, out, 4096);
        (void)kl_dns__put_header(&w, q.id, KL_DNS__F_QR | KL_DNS__F_RA | KL_DNS__F_RD);
        (void)kl_dns__put_question(&w, q.qname, q.qtype, q.qclass);
        if (strcmp(u->last, "www.example.com") == 0 && q.qtype == KL_DNS__T_A) {
                static const uint8_t a[4] = { 192, 0, 2, 80 };

                (void)kl_dns__put_rr(&w, KL_DNS__AN, q.qname, KL_DNS__T_A, 300, a, 4);
        } else if (strcmp(u->last, "big.example.com") == 0 && !tcp) {
                kl_dns__writer_finish(&w, KL_DNS__F_TC);
                return;
        } else if (strcmp(u->last, "big.example.com") == 0) {
                for (uint8_t i = 1; i <= 3; i++) {
                        uint8_t a[4] = { 192, 0, 2, i };

                        (void)kl_dns__put_rr(&w, KL_DNS__AN, q.qname, KL_DNS__T_A, 300, a, 4);
                }
        } else {
                rcode = KL_DNS__RCODE_NXDOMAIN;
                (void)kl_dns__put_soa(&w, KL_DNS__NS, zone, 3600, zone, zone, 1, 2, 3, 4, 60);
        }
        if (q.has_opt)
                (void)kl_dns__put_opt(&w, 1232, 0);
        kl_dns__writer_finish(&w, (uint16_t)rcode);
}

static void up_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        static uint8_t mem[70000];

        (void)h;
        (void)suggested;
        *buf = uv_buf_init((char *)mem, sizeof(mem));
}

static void up_udp_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *addr, unsigned flags)
{
        struct upstream *u = kl_container_of(h, struct upstream, udp);
        struct kl_buf out = KL_BUF_INIT;

        (void)flags;
        if (nread <= 0 || !addr)
                return;
        u->udp_queries++;
        up_answer(u, (const uint8_t *)buf->base, (size_t)nread, false, &out);
        if (out.len > 0) {
                uv_buf_t b = uv_buf_init(out.buf, (unsigned)out.len);

                cr_assert(uv_udp_try_send(h, &b, 1, addr) > 0);
        }
        kl_buf_release(&out);
}

static void up_conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct upstream *u = kl_container_of((uv_tcp_t *)h, struct upstream, conn);

        (void)suggested;
        *buf = uv_buf_init((char *)u->rbuf + u->rlen, (unsigned)(sizeof(u->rbuf) - u->rlen));
}

static void up_conn_closed(uv_handle_t *h)
{
        struct upstream *u = kl_container_of((uv_tcp_t *)h, struct upstream, conn);

        u->conn_open = false;
}

static void up_conn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
        struct upstream *u = kl_container_of((uv_tcp_t *)s, struct upstream, conn);

        (void)buf;
        if (nread < 0) {
                uv_close((uv_handle_t *)s, up_conn_closed);
                return;
        }
        u->rlen += (size_t)nread;
        while (u->rlen >= 2 && u->rlen >= 2 + (size_t)kl_dns__get16(u->rbuf)) {
                size_t len = kl_dns__get16(u->rbuf);
                struct kl_buf out = KL_BUF_INIT;

                u->tcp_queries++;
                (void)kl_buf_append(&out, "\0\0", 2);
                up_answer(u, u->rbuf + 2, len, true, &out);
                kl_dns__set16((uint8_t *)out.buf, (uint16_t)(out.len - 2));
                {
                        uv_buf_t b = uv_buf_init(out.buf, (unsigned)out.len);

                        cr_assert_eq(uv_try_write(s, &b, 1), (int)out.len);
                }
                kl_buf_release(&out);
                memmove(u->rbuf, u->rbuf + 2 + len, u->rlen - 2 - len);
                u->rlen -= 2 + len;
        }
}

static void up_on_connection(uv_stream_t *server, int status)
{
        struct upstream *u = kl_container_of((uv_tcp_t *)server, struct upstream, tcp);

        cr_assert_eq(status, 0);
        cr_assert_not(u->conn_open);
        cr_assert_eq(uv_tcp_init(server->loop, &u->conn), 0);
        u->conn_open = true;
        u->rlen = 0;
        cr_assert_eq(uv_accept(server, (uv_stream_t *)&u->conn), 0);
        cr_assert_eq(uv_read_start((uv_stream_t *)&u->conn, up_conn_alloc, up_conn_read), 0);
}

static int upstream_start(uv_loop_t *loop, struct upstream *u)
{
        struct sockaddr_in addr;
        struct sockaddr_storage bound;
        int len = sizeof(bound), udp_fd, tcp_fd;

        cr_assert_eq(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
        cr_assert_eq(kl_loop_bind_udp_tcp((const struct sockaddr *)&addr, &udp_fd, &tcp_fd), 0);
        cr_assert_eq(uv_udp_init(loop, &u->udp), 0);
        cr_assert_eq(uv_udp_open(&u->udp, udp_fd), 0);
        cr_assert_eq(uv_udp_getsockname(&u->udp, (struct sockaddr *)&bound, &len), 0);
        cr_assert_eq(uv_udp_recv_start(&u->udp, up_alloc, up_udp_read), 0);
        cr_assert_eq(uv_tcp_init(loop, &u->tcp), 0);
        cr_assert_eq(uv_tcp_open(&u->tcp, tcp_fd), 0);
        cr_assert_eq(uv_listen((uv_stream_t *)&u->tcp, 8, up_on_connection), 0);
        return ntohs(((struct sockaddr_in *)&bound)->sin_port);
}

/* ------------------------------------------------------------------------- */
/* The environment */

static void ask_udp(struct env *e, const char *name, uint16_t type, uint16_t edns,
                    struct test_resp *r);

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 200000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static void on_synced(void *arg)
{
        (*(int *)arg)++;
}

static void env_start(struct env *e)
{
        const struct kl_testenv_options opts = { .user = "system:kube-lite:dns" };
        struct kl_err *err = NULL;
        static const char *listen[] = { "127.0.0.1:0" };
        char up[64];
        const char *ups[] = { up };
        struct kl_dns_config cfg = { .listen = listen, .n_listen = 1 };
        int synced = 0;
        bool done;

        kl_testenv_start(&e->t, &opts);
        cr_assert_eq(kl_informer_new(e->t.client, kl_api_resource_find("", "v1", "services"), NULL,
                                     NULL, NULL, &e->svcs, &err),
                     0);
        cr_assert_eq(
                kl_informer_new(e->t.client,
                                kl_api_resource_find("discovery.k8s.io", "v1", "endpointslices"),
                                NULL, NULL, NULL, &e->slices, &err),
                0);
        e->up_port = upstream_start(&e->t.loop, &e->up);
        (void)snprintf(up, sizeof(up), "127.0.0.1:%d", e->up_port);
        cfg.loop = &e->t.loop;
        cfg.services = e->svcs;
        cfg.slices = e->slices;
        cfg.upstreams = ups;
        cfg.n_upstreams = 1;
        cfg.upstream_timeout = SEC / 5;
        cfg.max_tcp_conns = e->max_conns;
        cfg.tcp_idle_timeout = e->idle;
        cr_assert_eq(kl_dns_new(&cfg, &e->dns, &err), 0, "%s", kl_err_msg(err));
        e->port = kl_dns_port(e->dns, 0);
        cr_assert(e->port > 0);
        /* Before the informers have synced, cluster names are SERVFAIL, not NXDOMAIN. */
        {
                struct test_resp *r = kl_new0(struct test_resp);

                ask_udp(e, "web.default.svc.cluster.local", KL_DNS__T_A, 0, r);
                cr_expect_eq(r->rcode, KL_DNS__RCODE_SERVFAIL);
                free(r);
        }
        kl_informer_on_synced(e->svcs, on_synced, &synced);
        kl_informer_on_synced(e->slices, on_synced, &synced);
        cr_assert_eq(kl_informer_start(e->svcs, &err), 0);
        cr_assert_eq(kl_informer_start(e->slices, &err), 0);
        for (int i = 0; i < 200000 && synced < 2; i++)
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        done = synced == 2;
        cr_assert(done);
}

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

static void env_stop(struct env *e)
{
        bool dns_closed = false;

        kl_dns_close(e->dns, on_closed, &dns_closed);
        kl_informer_free(e->svcs);
        kl_informer_free(e->slices);
        run_until(&e->t.loop, &dns_closed);
        uv_close((uv_handle_t *)&e->up.udp, NULL);
        uv_close((uv_handle_t *)&e->up.tcp, NULL);
        if (e->up.conn_open)
                uv_close((uv_handle_t *)&e->up.conn, up_conn_closed);
        kl_testenv_stop(&e->t);
}

struct wait {
        bool done;
        int r;
        char msg[256];
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

static void create(struct env *e, const char *group, const char *plural, const char *ns,
                   const char *text)
{
        struct wait w = { 0 };
        json_t *obj = json_loads(text, 0, NULL);

        cr_assert(obj, "%s", text);
        kl_client_create(e->t.client, kl_api_resource_find(group, "v1", plural), ns, obj, NULL,
                         on_write, &w);
        run_until(&e->t.loop, &w.done);
        cr_assert_eq(w.r, 0, "create %s: %s", plural, w.msg);
}

/* ------------------------------------------------------------------------- */
/* A UDP client in the loop */

struct udp_client {
        uv_udp_t h;
        bool done, closed;
        uint8_t resp[70000];
        size_t len;
};

static void client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct udp_client *c = kl_container_of((uv_udp_t *)h, struct udp_client, h);

        (void)suggested;
        *buf = uv_buf_init((char *)c->resp, sizeof(c->resp));
}

static void client_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *addr, unsigned flags)
{
        struct udp_client *c = kl_container_of(h, struct udp_client, h);

        (void)buf;
        (void)flags;
        if (nread <= 0 || !addr)
                return;
        c->len = (size_t)nread;
        c->done = true;
}

static void client_closed(uv_handle_t *h)
{
        kl_container_of((uv_udp_t *)h, struct udp_client, h)->closed = true;
}

/* Ask over UDP; the decoded answer in *r. */
static void ask_udp(struct env *e, const char *name, uint16_t type, uint16_t edns,
                    struct test_resp *r)
{
        struct udp_client *c = kl_new0(struct udp_client);
        uint8_t q[600];
        size_t n = test_query(q, sizeof(q), 0x5151, name, type, edns);
        struct sockaddr_in to;
        uv_buf_t b = uv_buf_init((char *)q, (unsigned)n);

        cr_assert_eq(uv_ip4_addr("127.0.0.1", e->port, &to), 0);
        cr_assert_eq(uv_udp_init(&e->t.loop, &c->h), 0);
        cr_assert_eq(uv_udp_recv_start(&c->h, client_alloc, client_read), 0);
        cr_assert(uv_udp_try_send(&c->h, &b, 1, (const struct sockaddr *)&to) > 0);
        run_until(&e->t.loop, &c->done);
        test_decode(c->resp, c->len, r);
        cr_expect_eq(r->id, 0x5151);
        uv_close((uv_handle_t *)&c->h, client_closed);
        run_until(&e->t.loop, &c->closed);
        free(c);
}

/* Poll (UDP) until `name` has `want` answers: the informers take a moment. */
static void wait_answers(struct env *e, const char *name, uint16_t type, size_t want,
                         struct test_resp *r)
{
        for (int i = 0; i < 500; i++) {
                ask_udp(e, name, type, 0, r);
                if (r->n_an == want)
                        return;
                /* Let the watch deliver (the 10 ms tick keeps the loop turning). */
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        }
        cr_assert_fail("%s: %zu answers, want %zu", name, r->n_an, want);
}

/* ------------------------------------------------------------------------- */
/* A TCP client in the loop: several queries on one connection */

struct tcp_client {
        uv_tcp_t h;
        uv_connect_t conn;
        uv_write_t wr;
        bool connected, closed, eof;
        uint8_t rbuf[140000];
        size_t rlen;
        size_t want, got;
};

static void tcp_client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct tcp_client *c = kl_container_of((uv_tcp_t *)h, struct tcp_client, h);

        (void)suggested;
        *buf = uv_buf_init((char *)c->rbuf + c->rlen, (unsigned)(sizeof(c->rbuf) - c->rlen));
}

static void tcp_client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
        struct tcp_client *c = kl_container_of((uv_tcp_t *)s, struct tcp_client, h);
        size_t pos = 0;

        (void)buf;
        if (nread < 0)
                c->eof = true;
        if (nread <= 0)
                return;
        c->rlen += (size_t)nread;
        c->got = 0;
        while (c->rlen - pos >= 2 && c->rlen - pos >= 2 + (size_t)kl_dns__get16(c->rbuf + pos)) {
                pos += 2 + kl_dns__get16(c->rbuf + pos);
                c->got++;
        }
}

static void tcp_client_connected(uv_connect_t *req, int status)
{
        struct tcp_client *c = kl_container_of(req, struct tcp_client, conn);

        cr_assert_eq(status, 0);
        c->connected = true;
}

static void tcp_client_closed(uv_handle_t *h)
{
        kl_container_of((uv_tcp_t *)h, struct tcp_client, h)->closed = true;
}

/* ------------------------------------------------------------------------- */

Test(server, cluster_names_over_udp_and_tcp_follow_the_api)
{
        struct env e = { 0 };
        struct test_resp *r = kl_new0(struct test_resp);

        env_start(&e);
        /* Before any Service: NXDOMAIN, authoritative. */
        ask_udp(&e, "web.default.svc.cluster.local", KL_DNS__T_A, 0, r);
        cr_expect_eq(r->rcode, KL_DNS__RCODE_NXDOMAIN);
        cr_expect(r->flags & KL_DNS__F_AA);

        create(&e, "", "services", "default",
               "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"clusterIP\":\"10.43.0.77\","
               "\"ports\":[{\"name\":\"http\",\"port\":80}]}}");
        wait_answers(&e, "web.default.svc.cluster.local", KL_DNS__T_A, 1, r);
        cr_expect_str_eq(r->an[0], "A 10.43.0.77");
        ask_udp(&e, "_http._tcp.web.default.svc.cluster.local", KL_DNS__T_SRV, 0, r);
        cr_expect_str_eq(r->an[0], "SRV 0 100 80 web.default.svc.cluster.local.");

        /* A headless Service without a selector, its EndpointSlice written by hand. */
        create(&e, "", "services", "default",
               "{\"metadata\":{\"name\":\"db\"},\"spec\":{\"clusterIP\":\"None\","
               "\"ports\":[{\"name\":\"pg\",\"port\":5432}]}}");
        create(&e, "discovery.k8s.io", "endpointslices", "default",
               "{\"metadata\":{\"name\":\"db-1\",\"labels\":{\"kubernetes.io/service-name\":"
               "\"db\"}},\"addressType\":\"IPv4\",\"endpoints\":["
               "{\"addresses\":[\"10.42.0.5\"],\"hostname\":\"db-0\",\"conditions\":{\"ready\":"
               "true}},{\"addresses\":[\"10.42.0.6\"],\"conditions\":{\"ready\":true}},"
               "{\"addresses\":[\"10.42.0.7\"],\"conditions\":{\"ready\":false}}],"
               "\"ports\":[{\"name\":\"pg\",\"port\":5432,\"protocol\":\"TCP\"}]}");
        wait_answers(&e, "db.default.svc.cluster.local", KL_DNS__T_A, 2, r);
        cr_expect(test_has(r, "A 10.42.0.5"));
        cr_expect(test_has(r, "A 10.42.0.6"));
        ask_udp(&e, "db-0.db.default.svc.cluster.local", KL_DNS__T_A, 0, r);
        cr_expect_str_eq(r->an[0], "A 10.42.0.5");
        ask_udp(&e, "5.0.42.10.in-addr.arpa", KL_DNS__T_PTR, 0, r);
        cr_expect_str_eq(r->an[0], "PTR db-0.db.default.svc.cluster.local.");

        /* TCP: three queries written at once on one connection, three answers. */
        {
                struct tcp_client *c = kl_new0(struct tcp_client);
                struct sockaddr_in to;
                uint8_t q[3 * 600];
                size_t n = 0;
                const char *names[] = { "web.default.svc.cluster.local",
                                        "db.default.svc.cluster.local",
                                        "nope.default.svc.cluster.local" };
                uv_buf_t b;
                size_t pos = 0;

                for (size_t i = 0; i < 3; i++) {
                        size_t l = test_query(q + n + 2, 600, (uint16_t)(100 + i), names[i],
                                              KL_DNS__T_A, 0);

                        kl_dns__set16(q + n, (uint16_t)l);
                        n += 2 + l;
                }
                cr_assert_eq(uv_ip4_addr("127.0.0.1", e.port, &to), 0);
                cr_assert_eq(uv_tcp_init(&e.t.loop, &c->h), 0);
                cr_assert_eq(uv_tcp_connect(&c->conn, &c->h, (const struct sockaddr *)&to,
                                            tcp_client_connected),
                             0);
                run_until(&e.t.loop, &c->connected);
                b = uv_buf_init((char *)q, (unsigned)n);
                cr_assert_eq(uv_try_write((uv_stream_t *)&c->h, &b, 1), (int)n);
                cr_assert_eq(uv_read_start((uv_stream_t *)&c->h, tcp_client_alloc, tcp_client_read),
                             0);
                for (int i = 0; i < 200000 && c->got < 3; i++)
                        (void)kl_loop_run(&e.t.loop, UV_RUN_ONCE);
                cr_assert_eq(c->got, 3);
                for (size_t i = 0; i < 3; i++) {
                        size_t l = kl_dns__get16(c->rbuf + pos);

                        test_decode(c->rbuf + pos + 2, l, r);
                        cr_expect_eq(r->id, 100 + i);
                        cr_expect_eq(r->n_an, i == 0 ? 1 : i == 1 ? 2 : 0, "%s", names[i]);
                        cr_expect_eq(r->rcode, i == 2 ? KL_DNS__RCODE_NXDOMAIN : 0);
                        pos += 2 + l;
                }
                uv_close((uv_handle_t *)&c->h, tcp_client_closed);
                run_until(&e.t.loop, &c->closed);
                free(c);
        }
        free(r);
        env_stop(&e);
}

Test(server, forwarding_cache_truncation_and_failure)
{
        struct env e = { 0 };
        struct test_resp *r = kl_new0(struct test_resp);
        struct kl_dns_stats st;
        unsigned before;

        env_start(&e);
        ask_udp(&e, "www.example.com", KL_DNS__T_A, 0, r);
        cr_expect_eq(r->rcode, 0);
        cr_assert_eq(r->n_an, 1);
        cr_expect_str_eq(r->an[0], "A 192.0.2.80");
        cr_expect_not(r->flags & KL_DNS__F_AA, "forwarded answers are not ours");
        cr_expect_eq(e.up.udp_queries, 1);

        /* The second query is answered from the cache (case does not matter). */
        ask_udp(&e, "WWW.Example.com", KL_DNS__T_A, 1232, r);
        cr_expect_str_eq(r->qname, "WWW.Example.com");
        cr_expect_str_eq(r->an[0], "A 192.0.2.80");
        cr_expect(r->has_opt);
        cr_expect_eq(e.up.udp_queries, 1, "not asked again");

        /* NXDOMAIN from upstream, cached by its SOA minimum. */
        ask_udp(&e, "nx.example.com", KL_DNS__T_A, 0, r);
        cr_expect_eq(r->rcode, KL_DNS__RCODE_NXDOMAIN);
        cr_expect_eq(r->n_ns, 1);
        ask_udp(&e, "nx.example.com", KL_DNS__T_A, 0, r);
        cr_expect_eq(r->rcode, KL_DNS__RCODE_NXDOMAIN);
        cr_expect_eq(e.up.udp_queries, 2);

        /* Truncated over UDP upstream: asked again over TCP. */
        ask_udp(&e, "big.example.com", KL_DNS__T_A, 0, r);
        cr_expect_eq(r->n_an, 3);
        cr_expect_eq(e.up.tcp_queries, 1);

        /* Silence: each attempt times out (200 ms here), then SERVFAIL. */
        before = e.up.udp_queries;
        ask_udp(&e, "silent.example.com", KL_DNS__T_A, 0, r);
        cr_expect_eq(r->rcode, KL_DNS__RCODE_SERVFAIL);
        cr_expect_eq(e.up.udp_queries - before, 2, "two attempts at the one upstream");

        kl_dns_stats(e.dns, &st);
        cr_expect_eq(st.cache_hits, 2);
        cr_expect_eq(st.servfail, 1);
        cr_expect_eq(st.forwarded, 4);
        free(r);
        env_stop(&e);
}

Test(server, external_name_is_followed_upstream)
{
        struct env e = { 0 };
        struct test_resp *r = kl_new0(struct test_resp);

        env_start(&e);
        create(&e, "", "services", "default",
               "{\"metadata\":{\"name\":\"ext\"},\"spec\":{\"type\":\"ExternalName\","
               "\"externalName\":\"www.example.com\"}}");
        wait_answers(&e, "ext.default.svc.cluster.local", KL_DNS__T_A, 2, r);
        cr_expect_str_eq(r->an[0], "CNAME www.example.com.");
        cr_expect_str_eq(r->an[1], "A 192.0.2.80");
        cr_expect_str_eq(e.up.last, "www.example.com");
        /* Asked for the CNAME itself: no chase. */
        ask_udp(&e, "ext.default.svc.cluster.local", KL_DNS__T_CNAME, 0, r);
        cr_expect_eq(r->n_an, 1);
        free(r);
        env_stop(&e);
}

static struct tcp_client *tcp_connect(struct env *e)
{
        struct tcp_client *c = kl_new0(struct tcp_client);
        struct sockaddr_in to;

        cr_assert_eq(uv_ip4_addr("127.0.0.1", e->port, &to), 0);
        cr_assert_eq(uv_tcp_init(&e->t.loop, &c->h), 0);
        cr_assert_eq(
                uv_tcp_connect(&c->conn, &c->h, (const struct sockaddr *)&to, tcp_client_connected),
                0);
        run_until(&e->t.loop, &c->connected);
        cr_assert_eq(uv_read_start((uv_stream_t *)&c->h, tcp_client_alloc, tcp_client_read), 0);
        return c;
}

static void tcp_free(struct env *e, struct tcp_client *c)
{
        uv_close((uv_handle_t *)&c->h, tcp_client_closed);
        run_until(&e->t.loop, &c->closed);
        free(c);
}

Test(server, tcp_connections_are_bounded_and_idle_ones_closed)
{
        struct env e = { .max_conns = 1, .idle = SEC / 5 };
        struct tcp_client *a, *b;

        env_start(&e);
        a = tcp_connect(&e);
        /* The second connection is over the limit: accepted, then closed at once. */
        b = tcp_connect(&e);
        run_until(&e.t.loop, &b->eof);
        cr_expect_not(a->eof);
        tcp_free(&e, b);
        /* The first says nothing: closed after the idle time-out. */
        run_until(&e.t.loop, &a->eof);
        tcp_free(&e, a);
        env_stop(&e);
}

Test(server, bad_and_busy_listen_addresses_fail_cleanly)
{
        uv_loop_t loop;
        static const char *bad[] = { "127.0.0.1", "localhost:53", "127.0.0.1:99999" };
        static const char *ups[] = { "127.0.0.1:9" };
        struct kl_dns *first = NULL;
        bool closed = false;
        char busy[64];
        const char *busy_list[] = { busy };

        cr_assert_eq(kl_loop_init(&loop), 0);
        for (size_t i = 0; i < KL_ARRAY_SIZE(bad); i++) {
                struct kl_dns_config cfg = { .loop = &loop,
                                             .listen = &bad[i],
                                             .n_listen = 1,
                                             .upstreams = ups,
                                             .n_upstreams = 1 };
                struct kl_dns *d = NULL;
                struct kl_err *err = NULL;

                cr_expect_eq(kl_dns_new(&cfg, &d, &err), -EINVAL, "%s", bad[i]);
                cr_expect(strstr(kl_err_msg(err), bad[i]), "%s", kl_err_msg(err));
                cr_expect_null(d);
                kl_err_free(err);
        }
        {
                static const char *any[] = { "127.0.0.1:0" };
                struct kl_dns_config cfg = { .loop = &loop,
                                             .listen = any,
                                             .n_listen = 1,
                                             .upstreams = ups,
                                             .n_upstreams = 1 };
                struct kl_dns *d = NULL;
                struct kl_err *err = NULL;

                cr_assert_eq(kl_dns_new(&cfg, &first, &err), 0, "%s", kl_err_msg(err));
                (void)snprintf(busy, sizeof(busy), "127.0.0.1:%d", kl_dns_port(first, 0));
                cfg.listen = busy_list;
                cr_expect_eq(kl_dns_new(&cfg, &d, &err), -EADDRINUSE);
                cr_expect(strstr(kl_err_msg(err), busy), "%s", kl_err_msg(err));
                kl_err_free(err);
        }
        kl_dns_close(first, on_closed, &closed);
        run_until(&loop, &closed);
        (void)kl_loop_run(&loop, UV_RUN_NOWAIT);
        cr_expect_eq(kl_loop_finish(&loop), 0);
}
