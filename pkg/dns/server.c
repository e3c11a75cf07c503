/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server on the loop: a UDP and a TCP listener per address, the zone
 * rebuilt from the informers when they changed (lazily, at the next query),
 * and the forwarder: each query for a name outside the zone that the cache
 * cannot answer becomes a struct fwd with its own UDP socket (a fresh random
 * source port and a random id per query), a timer, and a TCP connection when
 * upstream's UDP answer is truncated.
 *
 * Ownership (STYLE R8.2, R8.3): struct kl_dns counts what is alive (listener
 * handles, connections, forwards) and is freed when it is closing and that
 * count reaches zero. A TCP connection is reference-counted: one for the
 * socket, one per write in flight, one per forward that will answer on it.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "dns/dns-internal.h"
#include "loop/loop.h"

#define TCP_FRAME_MAX   (2 + KL_DNS__MSG_MAX)
#define UPSTREAM_EDNS   1232 /* DNS flag day 2020: no fragmentation on the way back */
#define ATTEMPTS_PER_UP 2

struct listener {
        struct kl_dns *d;
        uv_udp_t udp; /* owned; closed by kl_dns_close() */
        uv_tcp_t tcp; /* owned; closed by kl_dns_close() */
        bool udp_open, tcp_open;
        uint8_t buf[KL_DNS__MSG_MAX + 1]; /* one datagram, handled before the next read */
};

struct conn {
        struct kl_dns *d;
        uv_tcp_t tcp;    /* owned */
        uv_timer_t idle; /* owned */
        unsigned refs;   /* socket + writes in flight + forwards answering here */
        unsigned pending_closes;
        bool closing;
        struct conn *prev, *next; /* d->conns */
        size_t rlen;
        uint8_t rbuf[TCP_FRAME_MAX];
};

/* Where an answer goes. */
struct reply {
        uv_udp_t *udp; /* borrowed from a listener, or NULL */
        struct sockaddr_storage addr;
        struct conn *conn; /* a reference, or NULL */
};

struct fwd {
        struct kl_dns *d;
        struct kl_dns__msg q; /* the client's query */
        struct reply to;
        size_t max;
        bool external; /* answering for an ExternalName's CNAME target */
        uint8_t target[KL_DNS__NAME_WIRE_MAX];
        uint8_t query[2 + 512]; /* length prefix for TCP, then the upstream query */
        size_t qlen;
        uint16_t up_id;
        size_t upstream;   /* index in d->up */
        unsigned attempts; /* sent so far */
        uv_udp_t sock;     /* owned */
        uv_timer_t timer;  /* owned */
        uv_tcp_t tcp;      /* owned once tcp_open */
        uv_connect_t connect;
        uv_write_t write;
        bool tcp_open, done;
        unsigned pending_closes;
        uint8_t *tbuf; /* owned once tcp_open: upstream's TCP bytes, TCP_FRAME_MAX */
        size_t tlen;
        struct fwd *prev, *next; /* d->fwds */
};

struct kl_dns {
        uv_loop_t *loop;
        struct kl_informer *services, *slices; /* borrowed */
        char *domain;                          /* owned */
        struct listener **ls;                  /* owned */
        size_t n_ls;
        struct kl_dns_zone *zone; /* owned */
        bool dirty;
        struct kl_dns__upstreams up;
        struct kl_dns__cache *cache; /* owned */
        kl_usec_t upstream_timeout, idle_timeout;
        unsigned max_conns, max_fwds;
        struct conn *conns;
        size_t n_conns;
        struct fwd *fwds;
        size_t n_fwds;
        struct kl_buf out; /* scratch for one response */
        struct kl_dns_stats stats;
        bool closing;
        size_t live; /* listener handles, connections and forwards not yet freed */
        void (*closed_cb)(void *arg);
        void *closed_arg;
};

static void dns_release(struct kl_dns *d)
{
        kl_assert(d->live > 0);
        if (--d->live > 0 || !d->closing)
                return;
        for (size_t i = 0; i < d->n_ls; i++)
                free(d->ls[i]);
        free(d->ls);
        kl_dns_zone_free(d->zone);
        kl_dns__cache_free(d->cache);
        kl_buf_release(&d->out);
        free(d->domain);
        if (d->closed_cb)
                d->closed_cb(d->closed_arg);
        free(d);
}

static uint64_t now_ms(const struct kl_dns *d)
{
        return uv_now(d->loop);
}

/* ------------------------------------------------------------------------- */
/* Sending */

struct udp_send {
        uv_udp_send_t req;
        size_t len;
        uint8_t data[];
};

static void on_udp_sent(uv_udp_send_t *req, int status)
{
        (void)status;
        free(kl_container_of(req, struct udp_send, req));
}

/* Send a datagram: at once when the socket takes it, else queued with a copy. */
static void udp_send(uv_udp_t *h, const struct sockaddr *addr, const void *data, size_t len)
{
        uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
        struct udp_send *s;
        int r = uv_udp_try_send(h, &b, 1, addr);

        if (r >= 0)
                return;
        if (r != UV_EAGAIN && r != UV_ENOSYS) {
                kl_log_debug(KL_LOG_DNS, "send: %s", uv_strerror(r));
                return;
        }
        s = kl_malloc(sizeof(*s) + len);
        s->len = len;
        memcpy(s->data, data, len);
        b = uv_buf_init((char *)s->data, (unsigned)len);
        if (uv_udp_send(&s->req, h, &b, 1, addr, on_udp_sent) < 0)
                free(s);
}

static void conn_close(struct conn *c);
static void conn_unref(struct conn *c);

struct tcp_send {
        uv_write_t req;
        struct conn *c; /* a reference */
        uint8_t data[];
};

static void on_tcp_sent(uv_write_t *req, int status)
{
        struct tcp_send *s = kl_container_of(req, struct tcp_send, req);

        if (status < 0 && !s->c->closing)
                conn_close(s->c);
        conn_unref(s->c);
        free(s);
}

static void tcp_send(struct conn *c, const void *data, size_t len)
{
        struct tcp_send *s;
        uv_buf_t b;

        if (c->closing || len > KL_DNS__MSG_MAX)
                return;
        s = kl_malloc(sizeof(*s) + 2 + len);
        s->c = c;
        kl_dns__set16(s->data, (uint16_t)len);
        memcpy(s->data + 2, data, len);
        b = uv_buf_init((char *)s->data, (unsigned)(2 + len));
        if (uv_write(&s->req, (uv_stream_t *)&c->tcp, &b, 1, on_tcp_sent) < 0) {
                free(s);
                conn_close(c);
                return;
        }
        c->refs++; /* the write's, dropped in on_tcp_sent (never called from uv_write) */
}

static void send_reply(struct kl_dns *d, const struct reply *to, const struct kl_buf *b)
{
        if (d->closing || b->len == 0)
                return;
        if (to->conn)
                tcp_send(to->conn, b->buf, b->len);
        else
                udp_send(to->udp, (const struct sockaddr *)&to->addr, b->buf, b->len);
        if (!to->conn && b->len >= 4 && (kl_dns__get16((const uint8_t *)b->buf + 2) & KL_DNS__F_TC))
                d->stats.truncated++;
}

/* ------------------------------------------------------------------------- */
/* The zone */

static void mark_dirty(struct kl_dns *d)
{
        if (!d->closing)
                d->dirty = true;
}

static void on_add(void *arg, const json_t *obj)
{
        (void)obj;
        mark_dirty(arg);
}

static void on_update(void *arg, const json_t *old, const json_t *obj)
{
        (void)old;
        (void)obj;
        mark_dirty(arg);
}

static void on_delete(void *arg, const json_t *obj)
{
        (void)obj;
        mark_dirty(arg);
}

static bool synced(const struct kl_dns *d)
{
        return (!d->services || kl_informer_synced(d->services)) &&
               (!d->slices || kl_informer_synced(d->slices));
}

static void ensure_zone(struct kl_dns *d)
{
        struct kl_objv svcs = { 0 }, slices = { 0 };
        struct kl_dns_zone *z = NULL;
        struct kl_err *err = NULL;

        if (!d->dirty && d->zone)
                return;
        if (d->services)
                kl_informer_list(d->services, NULL, &svcs);
        if (d->slices)
                kl_informer_list(d->slices, NULL, &slices);
        if (kl_dns_zone_new(d->domain, (const json_t *const *)svcs.items, svcs.n,
                            (const json_t *const *)slices.items, slices.n, &z, &err) == 0) {
                kl_dns_zone_free(d->zone);
                d->zone = z;
                d->dirty = false;
        } else {
                (void)kl_log_err(KL_LOG_ERROR, KL_LOG_DNS, err, "build the cluster zone");
                kl_err_free(err);
        }
        kl_objv_clear(&svcs);
        kl_objv_clear(&slices);
}

/* ------------------------------------------------------------------------- */
/* Forwarding */

static void fwd_on_closed(uv_handle_t *h)
{
        struct fwd *f = h->data;
        struct kl_dns *d = f->d;

        kl_assert(f->pending_closes > 0);
        if (--f->pending_closes > 0)
                return;
        if (f->to.conn)
                conn_unref(f->to.conn);
        free(f->tbuf);
        free(f);
        dns_release(d);
}

/* Finish: unlink, close the handles; the memory goes in fwd_on_closed(). */
static void fwd_end(struct fwd *f)
{
        struct kl_dns *d = f->d;

        if (f->done)
                return;
        f->done = true;
        if (f->prev)
                f->prev->next = f->next;
        else
                d->fwds = f->next;
        if (f->next)
                f->next->prev = f->prev;
        d->n_fwds--;
        f->pending_closes = f->tcp_open ? 3 : 2;
        uv_close((uv_handle_t *)&f->sock, fwd_on_closed);
        uv_close((uv_handle_t *)&f->timer, fwd_on_closed);
        if (f->tcp_open)
                uv_close((uv_handle_t *)&f->tcp, fwd_on_closed);
}

static void fwd_fail(struct fwd *f)
{
        struct kl_dns *d = f->d;

        kl_buf_reset(&d->out);
        if (f->external) {
                kl_dns__external_merge(&f->q, f->target, NULL, 0, NULL, f->max, &d->out);
        } else {
                kl_dns__error_response(&f->q, true, KL_DNS__RCODE_SERVFAIL, &d->out);
                d->stats.servfail++;
        }
        send_reply(d, &f->to, &d->out);
        fwd_end(f);
}

/* A response from upstream: ours if it answers our question with our id. */
static bool fwd_accept(struct fwd *f, const uint8_t *p, size_t n, struct kl_dns__msg *m)
{
        if (kl_dns__parse(p, n, m, NULL) < 0)
                return false;
        return m->id == f->up_id && (m->flags & KL_DNS__F_QR) &&
               kl_dns__name_equal(m->qname, f->external ? f->target : f->q.qname) &&
               m->qtype == f->q.qtype && m->qclass == f->q.qclass;
}

static void fwd_complete(struct fwd *f, const uint8_t *p, size_t n, const struct kl_dns__msg *m)
{
        struct kl_dns *d = f->d;

        (void)kl_dns__cache_put(d->cache, p, n, m, now_ms(d));
        kl_buf_reset(&d->out);
        if (f->external)
                kl_dns__external_merge(&f->q, f->target, p, n, m, f->max, &d->out);
        else
                kl_dns__relay(p, m, &f->q, f->max, &d->out);
        send_reply(d, &f->to, &d->out);
        fwd_end(f);
}

static void fwd_send(struct fwd *f);

static void fwd_on_timeout(uv_timer_t *t)
{
        struct fwd *f = kl_container_of(t, struct fwd, timer);

        if (f->tcp_open || f->attempts >= f->d->up.n * ATTEMPTS_PER_UP) {
                fwd_fail(f);
                return;
        }
        f->upstream = (f->upstream + 1) % f->d->up.n; /* the next server */
        fwd_send(f);
}

static void fwd_tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct fwd *f = kl_container_of((uv_tcp_t *)h, struct fwd, tcp);

        (void)suggested;
        *buf = uv_buf_init((char *)f->tbuf + f->tlen, (unsigned)(TCP_FRAME_MAX - f->tlen));
}

static void fwd_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
        struct fwd *f = kl_container_of((uv_tcp_t *)s, struct fwd, tcp);
        struct kl_dns__msg m;
        size_t want;

        (void)buf;
        if (f->done || nread == 0)
                return;
        if (nread < 0) {
                fwd_fail(f);
                return;
        }
        /* The bytes are in place already (alloc handed out the tail of tbuf, which holds a
         * whole frame, so a frame always completes before it fills). */
        f->tlen += (size_t)nread;
        if (f->tlen < 2)
                return;
        want = 2 + (size_t)kl_dns__get16(f->tbuf);
        if (f->tlen < want)
                return;
        if (fwd_accept(f, f->tbuf + 2, want - 2, &m))
                fwd_complete(f, f->tbuf + 2, want - 2, &m);
        else
                fwd_fail(f);
}

static void fwd_tcp_written(uv_write_t *req, int status)
{
        struct fwd *f = kl_container_of(req, struct fwd, write);

        if (status < 0 && !f->done)
                fwd_fail(f);
}

static void fwd_tcp_connected(uv_connect_t *req, int status)
{
        struct fwd *f = kl_container_of(req, struct fwd, connect);
        uv_buf_t b = uv_buf_init((char *)f->query, (unsigned)(2 + f->qlen));

        if (f->done)
                return;
        if (status < 0 || uv_read_start((uv_stream_t *)&f->tcp, fwd_tcp_alloc, fwd_tcp_read) < 0 ||
            uv_write(&f->write, (uv_stream_t *)&f->tcp, &b, 1, fwd_tcp_written) < 0)
                fwd_fail(f);
}

/* Upstream's UDP answer was truncated: ask the same server over TCP (once). */
static void fwd_retry_tcp(struct fwd *f)
{
        struct kl_dns *d = f->d;

        if (uv_tcp_init(d->loop, &f->tcp) < 0) {
                fwd_fail(f);
                return;
        }
        f->tcp.data = f;
        f->tcp_open = true;
        f->tbuf = kl_malloc(TCP_FRAME_MAX);
        (void)uv_timer_start(&f->timer, fwd_on_timeout, d->upstream_timeout / 1000, 0);
        if (uv_tcp_connect(&f->connect, &f->tcp, (const struct sockaddr *)&d->up.addrs[f->upstream],
                           fwd_tcp_connected) < 0)
                fwd_fail(f);
}

static void fwd_udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct fwd *f = kl_container_of((uv_udp_t *)h, struct fwd, sock);
        struct listener *l = f->d->ls[0];

        (void)suggested;
        /* One datagram at a time, handled before the next read: the listener's buffer. */
        *buf = uv_buf_init((char *)l->buf, sizeof(l->buf));
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr_storage *b)
{
        if (a->sa_family != b->ss_family)
                return false;
        if (a->sa_family == AF_INET)
                return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                              &((const struct sockaddr_in *)b)->sin_addr, 4) == 0 &&
                       ((const struct sockaddr_in *)a)->sin_port ==
                               ((const struct sockaddr_in *)b)->sin_port;
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0 &&
               ((const struct sockaddr_in6 *)a)->sin6_port ==
                       ((const struct sockaddr_in6 *)b)->sin6_port;
}

static void fwd_udp_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                         const struct sockaddr *addr, unsigned flags)
{
        struct fwd *f = kl_container_of(h, struct fwd, sock);
        struct kl_dns__msg m;

        (void)flags;
        if (f->done || f->tcp_open || nread <= 0 || !addr ||
            !same_addr(addr, &f->d->up.addrs[f->upstream]))
                return;
        if (!fwd_accept(f, (const uint8_t *)buf->base, (size_t)nread, &m))
                return; /* not ours: keep waiting (RFC 5452) */
        if (m.flags & KL_DNS__F_TC) {
                (void)uv_udp_recv_stop(&f->sock);
                fwd_retry_tcp(f);
                return;
        }
        fwd_complete(f, (const uint8_t *)buf->base, (size_t)nread, &m);
}

static void fwd_send(struct fwd *f)
{
        struct kl_dns *d = f->d;

        f->attempts++;
        udp_send(&f->sock, (const struct sockaddr *)&d->up.addrs[f->upstream], f->query + 2,
                 f->qlen);
        (void)uv_timer_start(&f->timer, fwd_on_timeout, d->upstream_timeout / 1000, 0);
}

/* The upstream query: a fresh id, RD, the question, our OPT. */
static int build_query(struct fwd *f)
{
        struct kl_buf b = KL_BUF_INIT;
        struct kl_dns__writer w;
        uint16_t id;
        int r = 0;

        if (getrandom(&id, sizeof(id), 0) != sizeof(id))
                id = (uint16_t)(uv_hrtime() ^ (uintptr_t)f);
        f->up_id = id;
        kl_dns__writer_init(&w, &b, 512);
        if (kl_dns__put_header(&w, id, KL_DNS__F_RD) < 0 ||
            kl_dns__put_question(&w, f->external ? f->target : f->q.qname, f->q.qtype,
                                 f->q.qclass) < 0 ||
            kl_dns__put_opt(&w, UPSTREAM_EDNS, 0) < 0)
                r = -EMSGSIZE;
        else
                kl_dns__writer_finish(&w, 0);
        if (r == 0) {
                kl_dns__set16(f->query, (uint16_t)b.len);
                memcpy(f->query + 2, b.buf, b.len);
                f->qlen = b.len;
        }
        kl_buf_release(&b);
        return r;
}

static void forward(struct kl_dns *d, const struct kl_dns__msg *q, const struct reply *to,
                    size_t max, const uint8_t *external_target)
{
        struct fwd *f;

        if (d->up.n == 0 || d->n_fwds >= d->max_fwds) {
                kl_buf_reset(&d->out);
                kl_dns__error_response(q, true, KL_DNS__RCODE_SERVFAIL, &d->out);
                d->stats.servfail++;
                send_reply(d, to, &d->out);
                return;
        }
        f = kl_new0(struct fwd);
        f->d = d;
        f->q = *q;
        f->to = *to;
        f->max = max;
        if (external_target) {
                f->external = true;
                memcpy(f->target, external_target, KL_DNS__NAME_WIRE_MAX);
        }
        if (build_query(f) < 0 || uv_udp_init(d->loop, &f->sock) < 0) {
                free(f);
                return;
        }
        kl_assert(uv_timer_init(d->loop, &f->timer) == 0);
        f->sock.data = f->timer.data = f;
        if (to->conn)
                to->conn->refs++;
        d->live++;
        f->next = d->fwds;
        if (d->fwds)
                d->fwds->prev = f;
        d->fwds = f;
        d->n_fwds++;
        d->stats.forwarded++;
        /* Binding happens on the first send; start reading on an ephemeral port. */
        {
                struct sockaddr_storage any = { 0 };

                any.ss_family = d->up.addrs[0].ss_family;
                if (uv_udp_bind(&f->sock, (const struct sockaddr *)&any, 0) < 0 ||
                    uv_udp_recv_start(&f->sock, fwd_udp_alloc, fwd_udp_read) < 0) {
                        fwd_fail(f);
                        return;
                }
        }
        fwd_send(f);
}

/* ------------------------------------------------------------------------- */
/* Queries */

static void handle_query(struct kl_dns *d, const uint8_t *p, size_t n, const struct reply *to)
{
        struct kl_dns__msg q;
        uint8_t target[KL_DNS__NAME_WIRE_MAX];
        size_t max;
        int r;

        d->stats.queries++;
        if (kl_dns__parse_header(p, n, &q) < 0 || (q.flags & KL_DNS__F_QR))
                return; /* nothing to answer, and never answer answers */
        kl_buf_reset(&d->out);
        if (kl_dns__parse(p, n, &q, NULL) < 0) {
                kl_dns__error_response(&q, false, KL_DNS__RCODE_FORMERR, &d->out);
                send_reply(d, to, &d->out);
                return;
        }
        ensure_zone(d);
        max = to->conn ? KL_DNS_MAX_TCP : kl_dns__udp_limit(&q);
        r = kl_dns__answer_msg(d->zone, &q, max, &d->out, target);
        if (r != KL_DNS_NOT_OURS && !synced(d)) {
                /* Not the whole cluster yet: no NXDOMAIN for what may exist (clients retry
                 * SERVFAIL with the next server or later; CoreDNS waits the same way). */
                kl_buf_reset(&d->out);
                kl_dns__error_response(&q, true, KL_DNS__RCODE_SERVFAIL, &d->out);
                send_reply(d, to, &d->out);
                return;
        }
        if (r == KL_DNS_ANSWERED) {
                d->stats.answered++;
                send_reply(d, to, &d->out);
                return;
        }
        if (r == KL_DNS_EXTERNAL) {
                struct kl_dns__msg tq = q, um;
                size_t tlen = 0;

                while (target[tlen] != 0)
                        tlen += 1 + (size_t)target[tlen];
                memcpy(tq.qname, target, tlen + 1);
                tq.qname_len = tlen + 1;
                tq.has_opt = false;
                kl_buf_reset(&d->out);
                if (kl_dns__cache_get(d->cache, &tq, now_ms(d), KL_DNS__MSG_MAX, &d->out) &&
                    kl_dns__parse((const uint8_t *)d->out.buf, d->out.len, &um, NULL) == 0) {
                        kl_autofree uint8_t *up = kl_malloc(d->out.len);
                        size_t up_len = d->out.len;

                        d->stats.cache_hits++;
                        memcpy(up, d->out.buf, up_len);
                        kl_buf_reset(&d->out);
                        kl_dns__external_merge(&q, target, up, up_len, &um, max, &d->out);
                        send_reply(d, to, &d->out);
                        return;
                }
                forward(d, &q, to, max, target);
                return;
        }
        if (kl_dns__cache_get(d->cache, &q, now_ms(d), max, &d->out)) {
                d->stats.cache_hits++;
                send_reply(d, to, &d->out);
                return;
        }
        forward(d, &q, to, max, NULL);
}

static void udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct listener *l = kl_container_of((uv_udp_t *)h, struct listener, udp);

        (void)suggested;
        *buf = uv_buf_init((char *)l->buf, sizeof(l->buf));
}

static void udp_read(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr,
                     unsigned flags)
{
        struct listener *l = kl_container_of(h, struct listener, udp);
        struct reply to = { .udp = h };

        if (l->d->closing || nread < 0 || !addr || (flags & UV_UDP_PARTIAL))
                return;
        if (addr->sa_family == AF_INET6)
                memcpy(&to.addr, addr, sizeof(struct sockaddr_in6));
        else
                memcpy(&to.addr, addr, sizeof(struct sockaddr_in));
        handle_query(l->d, (const uint8_t *)buf->base, (size_t)nread, &to);
}

/* ------------------------------------------------------------------------- */
/* TCP connections */

static void conn_unref(struct conn *c)
{
        struct kl_dns *d = c->d;

        kl_assert(c->refs > 0);
        if (--c->refs > 0)
                return;
        if (c->prev)
                c->prev->next = c->next;
        else
                d->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        d->n_conns--;
        free(c);
        dns_release(d);
}

static void conn_on_closed(uv_handle_t *h)
{
        struct conn *c = h->data;

        kl_assert(c->pending_closes > 0);
        if (--c->pending_closes == 0)
                conn_unref(c);
}

static void conn_close(struct conn *c)
{
        if (c->closing)
                return;
        c->closing = true;
        c->pending_closes = 2;
        uv_close((uv_handle_t *)&c->tcp, conn_on_closed);
        uv_close((uv_handle_t *)&c->idle, conn_on_closed);
}

static void conn_on_idle(uv_timer_t *t)
{
        conn_close(kl_container_of(t, struct conn, idle));
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
        struct conn *c = kl_container_of((uv_tcp_t *)h, struct conn, tcp);

        (void)suggested;
        *buf = uv_buf_init((char *)c->rbuf + c->rlen, (unsigned)(sizeof(c->rbuf) - c->rlen));
}

static void conn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
        struct conn *c = kl_container_of((uv_tcp_t *)s, struct conn, tcp);
        struct reply to = { .conn = c };
        size_t pos = 0;

        (void)buf;
        if (c->closing || nread == 0)
                return;
        if (nread < 0) { /* UV_EOF or an error: either way, done */
                conn_close(c);
                return;
        }
        c->rlen += (size_t)nread;
        (void)uv_timer_again(&c->idle);
        c->refs++; /* handle_query may close the connection */
        while (!c->closing && c->rlen - pos >= 2) {
                size_t len = kl_dns__get16(c->rbuf + pos);

                if (c->rlen - pos < 2 + len)
                        break;
                handle_query(c->d, c->rbuf + pos + 2, len, &to);
                pos += 2 + len;
        }
        memmove(c->rbuf, c->rbuf + pos, c->rlen - pos);
        c->rlen -= pos;
        conn_unref(c);
}

static void on_connection(uv_stream_t *server, int status)
{
        struct listener *l = kl_container_of((uv_tcp_t *)server, struct listener, tcp);
        struct kl_dns *d = l->d;
        struct conn *c;

        if (status < 0 || d->closing)
                return;
        c = kl_new0(struct conn);
        c->d = d;
        c->refs = 1;
        kl_assert(uv_tcp_init(d->loop, &c->tcp) == 0);
        kl_assert(uv_timer_init(d->loop, &c->idle) == 0);
        c->tcp.data = c->idle.data = c;
        d->live++;
        c->next = d->conns;
        if (d->conns)
                d->conns->prev = c;
        d->conns = c;
        d->n_conns++;
        if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 || d->n_conns > d->max_conns) {
                conn_close(c); /* over the limit: accepted only to be closed */
                return;
        }
        (void)uv_timer_start(&c->idle, conn_on_idle, d->idle_timeout / 1000,
                             d->idle_timeout / 1000);
        if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read) < 0)
                conn_close(c);
}

/* ------------------------------------------------------------------------- */
/* Set-up and tear-down */

static int parse_listen(const char *s, struct sockaddr_storage *ret)
{
        const char *colon = strrchr(s, ':');
        char host[64];
        unsigned port;
        size_t hlen;

        /* Port 0 is allowed: an ephemeral port (tests). */
        if (!colon || kl_parse_uint(colon + 1, &port) < 0 || port > 65535)
                return -EINVAL;
        hlen = (size_t)(colon - s);
        if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
                s++;
                hlen -= 2;
        }
        if (hlen == 0 || hlen >= sizeof(host))
                return -EINVAL;
        memcpy(host, s, hlen);
        host[hlen] = '\0';
        memset(ret, 0, sizeof(*ret));
        if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ret) == 0)
                return 0;
        if (uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)ret) == 0)
                return 0;
        return -EINVAL;
}

static void listener_on_closed(uv_handle_t *h)
{
        struct listener *l = h->data;

        dns_release(l->d);
}

static int listen_on(struct kl_dns *d, struct listener *l, const char *spec, struct kl_err **err)
{
        struct sockaddr_storage addr;
        int udp_fd, tcp_fd, r;

        if (parse_listen(spec, &addr) < 0)
                return kl_err_set(err, -EINVAL, "invalid listen address '%s'", spec);
        kl_assert(uv_udp_init(d->loop, &l->udp) == 0);
        l->udp.data = l;
        l->udp_open = true;
        d->live++;
        kl_assert(uv_tcp_init(d->loop, &l->tcp) == 0);
        l->tcp.data = l;
        l->tcp_open = true;
        d->live++;
        /* One port for both (port 0: one the kernel picks that both can have). */
        r = kl_loop_bind_udp_tcp((const struct sockaddr *)&addr, &udp_fd, &tcp_fd);
        if (r < 0)
                return kl_err_set(err, r, "listen on '%s'", spec);
        r = uv_udp_open(&l->udp, udp_fd);
        if (r < 0) {
                (void)kl_close(udp_fd);
                (void)kl_close(tcp_fd);
                return kl_err_set(err, r, "listen on '%s' (udp)", spec);
        }
        r = uv_tcp_open(&l->tcp, tcp_fd);
        if (r < 0) {
                (void)kl_close(tcp_fd);
                return kl_err_set(err, r, "listen on '%s' (tcp)", spec);
        }
        r = uv_udp_recv_start(&l->udp, udp_alloc, udp_read);
        if (r < 0)
                return kl_err_set(err, r, "listen on '%s' (udp)", spec);
        r = uv_listen((uv_stream_t *)&l->tcp, 128, on_connection);
        if (r < 0)
                return kl_err_set(err, r, "listen on '%s' (tcp)", spec);
        return 0;
}

static int read_upstreams(struct kl_dns *d, const char *path, struct kl_err **err)
{
        kl_autofree char *text = NULL;
        size_t len;
        int r;

        r = kl_read_file(path, (size_t)64 * 1024, &text, &len);
        if (r == -ENOENT) {
                kl_log_warn(KL_LOG_DNS, "no '%s': names outside the cluster get SERVFAIL", path);
                return 0;
        }
        if (r < 0)
                return kl_err_set(err, r, "read '%s'", path);
        kl_dns__resolv_parse(text, &d->up);
        return 0;
}

void kl_dns_close(struct kl_dns *d, void (*cb)(void *arg), void *arg)
{
        kl_assert(!d->closing);
        d->closing = true;
        d->closed_cb = cb;
        d->closed_arg = arg;
        d->live++; /* held until everything below has been started */
        while (d->fwds)
                fwd_end(d->fwds);
        for (struct conn *c = d->conns; c; c = c->next)
                conn_close(c);
        for (size_t i = 0; i < d->n_ls; i++) {
                if (d->ls[i]->udp_open)
                        uv_close((uv_handle_t *)&d->ls[i]->udp, listener_on_closed);
                if (d->ls[i]->tcp_open)
                        uv_close((uv_handle_t *)&d->ls[i]->tcp, listener_on_closed);
        }
        dns_release(d);
}

int kl_dns_new(const struct kl_dns_config *cfg, struct kl_dns **ret, struct kl_err **err)
{
        struct kl_dns *d;
        struct kl_dns_zone *z = NULL;
        int r;

        if (cfg->n_listen == 0)
                return kl_err_set(err, -EINVAL, "dns: no listen address");
        r = kl_dns_zone_new(cfg->domain, NULL, 0, NULL, 0, &z, err);
        if (r < 0)
                return r;
        d = kl_new0(struct kl_dns);
        d->loop = cfg->loop;
        d->services = cfg->services;
        d->slices = cfg->slices;
        d->domain = kl_strdup(kl_dns_zone_domain(z));
        d->zone = z;
        d->dirty = true;
        d->cache = kl_dns__cache_new(cfg->cache_max ? cfg->cache_max : 10000);
        d->upstream_timeout = cfg->upstream_timeout ? cfg->upstream_timeout : 2 * KL_USEC_PER_SEC;
        d->idle_timeout = cfg->tcp_idle_timeout ? cfg->tcp_idle_timeout : 10 * KL_USEC_PER_SEC;
        d->max_conns = cfg->max_tcp_conns ? cfg->max_tcp_conns : 256;
        d->max_fwds = cfg->max_forwards ? cfg->max_forwards : 1024;
        kl_buf_init(&d->out, KL_DNS__MSG_MAX);
        if (cfg->n_upstreams > 0) {
                r = 0;
                for (size_t i = 0; r == 0 && i < cfg->n_upstreams && i < KL_DNS__UPSTREAMS_MAX;
                     i++) {
                        r = parse_listen(cfg->upstreams[i], &d->up.addrs[d->up.n++]);
                        if (r < 0)
                                r = kl_err_set(err, r, "invalid upstream '%s'", cfg->upstreams[i]);
                }
        } else {
                r = read_upstreams(d, cfg->resolv_conf ? cfg->resolv_conf : "/etc/resolv.conf",
                                   err);
        }
        d->ls = kl_calloc(cfg->n_listen, sizeof(*d->ls));
        for (size_t i = 0; r == 0 && i < cfg->n_listen; i++) {
                d->ls[i] = kl_new0(struct listener);
                d->ls[i]->d = d;
                d->n_ls++;
                r = listen_on(d, d->ls[i], cfg->listen[i], err);
        }
        if (r < 0) {
                kl_dns_close(d, NULL, NULL);
                return r;
        }
        {
                struct kl_informer_handler h = {
                        .on_add = on_add, .on_update = on_update, .on_delete = on_delete, .arg = d
                };

                if (d->services)
                        kl_informer_add_handler(d->services, &h);
                if (d->slices)
                        kl_informer_add_handler(d->slices, &h);
        }
        *ret = d;
        return 0;
}

int kl_dns_port(const struct kl_dns *d, size_t i)
{
        struct sockaddr_storage addr;
        int len = sizeof(addr);

        if (i >= d->n_ls || uv_udp_getsockname(&d->ls[i]->udp, (struct sockaddr *)&addr, &len) < 0)
                return -EINVAL;
        if (addr.ss_family == AF_INET6)
                return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
        return ntohs(((struct sockaddr_in *)&addr)->sin_port);
}

void kl_dns_stats(const struct kl_dns *d, struct kl_dns_stats *ret)
{
        *ret = d->stats;
}
