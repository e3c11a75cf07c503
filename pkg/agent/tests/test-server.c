/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The streaming server end to end: a real server on its own loop thread,
 * real containers (busybox-static layers, the test binary as its own shim,
 * as in pkg/container/tests/test-container.c), and small blocking clients
 * written here: HTTP/1.1 over TLS with client certificates, and a WebSocket
 * client (masked frames, fragments reassembled) speaking the channel
 * protocol as kubectl does (kubectl-contract.md §15-16), and a SPDY/3.1
 * client (the upgrade, streams, header blocks deflated with the SPDY/3
 * dictionary by zlib here) as kubectl's fallback does (§16.3).
 *
 * Tests that need containers skip without root or busybox-static.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <zlib.h>

#include "agent/agent.h"
#include "agent/pod-internal.h"
#include "agent/server-internal.h"
#include "base/base.h"
#include "container/container.h"
#include "loop/loop.h"
#include "pki/pki.h"
#include "testing/testing.h"

static const char *const applets[] = { "sh",     "echo", "cat",  "sleep", "stty",
                                       "printf", "seq",  "true", "false", "read" };

/* ------------------------------------------------------------------------- */
/* Fixture: a runtime, a rootfs layer, a PKI */

struct ident {
        char *cert;
        char *key;
};

static struct {
        char *dir;
        char *layers[2];
        struct kl_ctr_runtime *rt;
        bool containers; /* root and busybox: containers can run */
        struct kl_pki_ca *ca, *other_ca;
        char *ca_pem;
        char *cgroup_parent;
        struct ident admin, apiserver, node, stranger;
} fx;

static void issue(struct kl_pki_ca *ca, const char *cn, const char *org, struct ident *ret)
{
        kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;
        kl_cleanup(X509_freep) X509 *cert = NULL;
        const char *orgs[] = { org, NULL };

        cr_assert_eq(kl_pki_key_generate(KL_PKI_KEY_ECDSA_P256, &key, NULL), 0);
        cr_assert_eq(kl_pki_cert_issue(ca,
                                       &(struct kl_pki_cert_req){ .kind = KL_PKI_CERT_CLIENT,
                                                                  .cn = cn,
                                                                  .orgs = org ? orgs : NULL },
                                       key, &cert, NULL),
                     0);
        cr_assert_eq(kl_pki_cert_to_pem(cert, &ret->cert, NULL), 0);
        cr_assert_eq(kl_pki_key_to_pem(key, &ret->key, NULL), 0);
}

static void build_layer(void)
{
        kl_autofree char *bin = kl_asprintf("%s/layer/bin", fx.dir);
        kl_autofree char *busybox = kl_asprintf("%s/busybox", bin);
        char *data = NULL;
        size_t len = 0;

        cr_assert_eq(kl_mkdir_p(bin, 0755), 0);
        for (const char *d = "proc\0sys\0dev\0tmp\0etc\0"; *d; d += strlen(d) + 1) {
                kl_autofree char *p = kl_asprintf("%s/layer/%s", fx.dir, d);

                cr_assert_eq(kl_mkdir_p(p, 0755), 0);
        }
        cr_assert_eq(kl_read_file("/bin/busybox", (size_t)64 << 20, &data, &len), 0);
        cr_assert_eq(kl_write_file_atomic(busybox, data, len, 0755, KL_WRITE_FILE_NOSYNC), 0);
        free(data);
        for (size_t i = 0; i < KL_ARRAY_SIZE(applets); i++) {
                kl_autofree char *l = kl_asprintf("%s/%s", bin, applets[i]);

                cr_assert_eq(symlink("busybox", l), 0);
        }
        free(kl_test_write_file(fx.dir, "layer/etc/passwd", "root:x:0:0:root:/:/bin/sh\n"));
        free(kl_test_write_file(fx.dir, "layer/etc/group", "root:x:0:\n"));
        fx.layers[0] = kl_asprintf("%s/layer", fx.dir);
}

static void setup(void)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *state = NULL, *data = NULL;

        fx.dir = kl_strdup(kl_test_tmpdir());
        fx.containers = geteuid() == 0 && access("/bin/busybox", X_OK) == 0;
        if (fx.containers)
                build_layer();
        state = kl_asprintf("%s/state", fx.dir);
        data = kl_asprintf("%s/data", fx.dir);
        if (fx.containers)
                fx.cgroup_parent = kl_asprintf("kl-test-srv-%d", (int)getpid());
        cr_assert_eq(kl_ctr_runtime_open(
                             &(struct kl_ctr_runtime_opts){ .state_dir = state,
                                                            .data_dir = data,
                                                            .cgroup_parent = fx.cgroup_parent },
                             &fx.rt, &e),
                     0, "%s", kl_err_msg(e));
        cr_assert_eq(kl_pki_ca_new("test-client-ca", KL_PKI_KEY_ECDSA_P256, &fx.ca, NULL), 0);
        cr_assert_eq(kl_pki_ca_new("another-ca", KL_PKI_KEY_ECDSA_P256, &fx.other_ca, NULL), 0);
        cr_assert_eq(kl_pki_cert_to_pem(kl_pki_ca_cert(fx.ca), &fx.ca_pem, NULL), 0);
        issue(fx.ca, "system:admin", "system:masters", &fx.admin);
        issue(fx.ca, KL_AGENT_SERVER_APISERVER_CN, NULL, &fx.apiserver);
        issue(fx.ca, "system:node:x", "system:nodes", &fx.node);
        issue(fx.other_ca, "system:admin", "system:masters", &fx.stranger);
}

static void ident_release(struct ident *i)
{
        free(i->cert);
        kl_pki_secret_free(i->key);
}

/* Remove our cgroup parent from every hierarchy we are in (its leaves are gone by then). */
static void remove_cgroup_parent(void)
{
        kl_autofree char *self = NULL;
        kl_autostrv char **lines = NULL;

        if (!fx.cgroup_parent || kl_read_file("/proc/self/cgroup", 65536, &self, NULL) < 0)
                return;
        lines = kl_strv_split(self, '\n');
        for (size_t i = 0; lines[i]; i++) {
                /* "4:memory:/process_api/x" or "0::/path" */
                char *c1 = strchr(lines[i], ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                kl_autofree char *ctrl = NULL;
                kl_autostrv char **names = NULL;

                if (!c2)
                        continue;
                ctrl = kl_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
                names = kl_strv_split(*ctrl ? ctrl : "unified", ',');
                for (size_t k = 0; names[k]; k++) {
                        const char *n = kl_startswith(names[k], "name=") ?: names[k];
                        kl_autofree char *p =
                                kl_asprintf("/sys/fs/cgroup/%s%s/%s", n,
                                            kl_streq(c2 + 1, "/") ? "" : c2 + 1, fx.cgroup_parent);

                        (void)rmdir(p);
                }
        }
}

static void teardown(void)
{
        struct kl_ctr_state *v = NULL;
        size_t n = 0;

        if (fx.rt && kl_ctr_list(fx.rt, &v, &n, NULL) == 0) {
                for (size_t i = 0; i < n; i++)
                        (void)kl_ctr_delete(fx.rt, v[i].id, true, NULL);
                kl_ctr_states_free(v, n);
        }
        kl_ctr_runtime_free(fx.rt);
        remove_cgroup_parent();
        free(fx.cgroup_parent);
        kl_pki_ca_free(fx.ca);
        kl_pki_ca_free(fx.other_ca);
        ident_release(&fx.admin);
        ident_release(&fx.apiserver);
        ident_release(&fx.node);
        ident_release(&fx.stranger);
        free(fx.ca_pem);
        free(fx.layers[0]);
        free(fx.dir);
}

TestSuite(server, .init = setup, .fini = teardown, .timeout = 120);

static void need_containers(void)
{
        if (!fx.containers)
                cr_skip_test("needs root and busybox-static (apt-get install busybox-static)");
}

/* ------------------------------------------------------------------------- */
/* The server on its own loop thread */

struct server {
        pthread_t thread;
        uv_loop_t loop;
        uv_async_t stop;
        struct kl_agent_server *s;
        bool insecure;
        int port;
        char *cert_pem;
        int start_r;
        char *start_err;
        int finish_r;
        bool stopped_cb;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool ready;
};

static struct server srv;

static void on_stopped(void *arg)
{
        ((struct server *)arg)->stopped_cb = true;
}

static void on_stop(uv_async_t *a)
{
        kl_agent_server_stop(srv.s, on_stopped, &srv);
        uv_close((uv_handle_t *)a, NULL);
}

static void *server_thread(void *arg)
{
        kl_autoerr struct kl_err *e = NULL;
        const char *ips[] = { "10.0.0.7", NULL };

        (void)arg;
        kl_assert(kl_loop_init(&srv.loop) == 0);
        kl_assert(uv_async_init(&srv.loop, &srv.stop, on_stop) == 0);
        srv.start_r = kl_agent_server_start(
                &(struct kl_agent_server_options){
                        .loop = &srv.loop,
                        .runtime = fx.rt,
                        .address = "127.0.0.1",
                        .client_ca_pem = srv.insecure ? NULL : fx.ca_pem,
                        .node_name = "node-a",
                        .node_ips = ips,
                        .insecure_no_tls = srv.insecure,
                        .queue_high = 64 << 10,
                },
                &srv.s, &e);
        if (srv.start_r == 0) {
                srv.port = kl_agent_server_port(srv.s);
                if (kl_agent_server_cert_pem(srv.s))
                        srv.cert_pem = kl_strdup(kl_agent_server_cert_pem(srv.s));
        } else {
                srv.start_err = kl_strdup(kl_err_msg(e));
                uv_close((uv_handle_t *)&srv.stop, NULL);
        }
        pthread_mutex_lock(&srv.lock);
        srv.ready = true;
        pthread_cond_signal(&srv.cond);
        pthread_mutex_unlock(&srv.lock);
        kl_loop_run(&srv.loop, UV_RUN_DEFAULT);
        srv.finish_r = kl_loop_finish(&srv.loop);
        return NULL;
}

static void server_start(bool insecure)
{
        srv = (struct server){ .insecure = insecure };
        pthread_mutex_init(&srv.lock, NULL);
        pthread_cond_init(&srv.cond, NULL);
        cr_assert_eq(pthread_create(&srv.thread, NULL, server_thread, NULL), 0);
        pthread_mutex_lock(&srv.lock);
        while (!srv.ready)
                pthread_cond_wait(&srv.cond, &srv.lock);
        pthread_mutex_unlock(&srv.lock);
        cr_assert_eq(srv.start_r, 0, "start: %s", srv.start_err ? srv.start_err : "");
        cr_assert_gt(srv.port, 0);
}

/* Stop it and check that everything closed: no handle left, the callback ran. */
static void server_stop(void)
{
        if (srv.start_r == 0)
                uv_async_send(&srv.stop);
        cr_assert_eq(pthread_join(srv.thread, NULL), 0);
        cr_assert_eq(srv.finish_r, 0, "handles left on the server's loop");
        if (srv.start_r == 0)
                cr_assert(srv.stopped_cb);
        free(srv.cert_pem);
        free(srv.start_err);
}

/* ------------------------------------------------------------------------- */
/* A blocking client connection: TCP, optionally TLS with a client certificate */

struct conn {
        int fd;
        SSL_CTX *ctx;
        SSL *ssl;
};

static void conn_open(struct conn *c, const struct ident *id)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)srv.port) };
        struct timeval tv = { .tv_sec = 60 };

        *c = (struct conn){ .fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) };
        cr_assert_geq(c->fd, 0);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert_eq(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
        /* No upper time bound on behaviour: only a guard against a hung test. */
        (void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (srv.insecure)
                return;
        c->ctx = SSL_CTX_new(TLS_client_method());
        cr_assert_not_null(c->ctx);
        if (id) {
                kl_cleanup(X509_freep) X509 *cert = NULL;
                kl_cleanup(EVP_PKEY_freep) EVP_PKEY *key = NULL;

                cr_assert_eq(kl_pki_cert_from_pem(id->cert, strlen(id->cert), &cert, NULL), 0);
                cr_assert_eq(kl_pki_key_from_pem(id->key, strlen(id->key), &key, NULL), 0);
                cr_assert_eq(SSL_CTX_use_certificate(c->ctx, cert), 1);
                cr_assert_eq(SSL_CTX_use_PrivateKey(c->ctx, key), 1);
        }
        c->ssl = SSL_new(c->ctx);
        SSL_set_fd(c->ssl, c->fd);
        cr_assert_eq(SSL_connect(c->ssl), 1, "TLS handshake failed");
}

static void conn_close(struct conn *c)
{
        if (c->ssl)
                SSL_free(c->ssl);
        if (c->ctx)
                SSL_CTX_free(c->ctx);
        if (c->fd >= 0)
                close(c->fd);
        c->fd = -1;
        c->ssl = NULL;
        c->ctx = NULL;
}

static void conn_write(struct conn *c, const void *data, size_t len)
{
        const char *p = data;

        while (len > 0) {
                ssize_t n = c->ssl ? SSL_write(c->ssl, p, (int)len) : write(c->fd, p, len);

                cr_assert_gt(n, 0, "write failed");
                p += n;
                len -= (size_t)n;
        }
}

/* Some bytes, 0 at EOF. */
static ssize_t conn_read(struct conn *c, void *buf, size_t size)
{
        ssize_t n;

        if (c->ssl) {
                n = SSL_read(c->ssl, buf, (int)size);
                if (n <= 0) {
                        int e = SSL_get_error(c->ssl, (int)n);

                        cr_assert(e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
                                          e == SSL_ERROR_SSL,
                                  "SSL_read: %d", e);
                        return 0;
                }
                return n;
        }
        do
                n = read(c->fd, buf, size);
        while (n < 0 && errno == EINTR);
        cr_assert_geq(n, 0, "read: %s (a hung test?)", strerror(errno));
        return n;
}

static void conn_read_full(struct conn *c, void *buf, size_t len)
{
        char *p = buf;

        while (len > 0) {
                ssize_t n = conn_read(c, p, len);

                cr_assert_gt(n, 0, "unexpected EOF");
                p += n;
                len -= (size_t)n;
        }
}

/* The response head: status code, head text (owned) in *ret_head. Byte by byte: tiny. */
static int read_head(struct conn *c, char **ret_head)
{
        struct kl_buf h = KL_BUF_INIT;
        int code = 0;

        while (h.len < 4 || memcmp(h.buf + h.len - 4, "\r\n\r\n", 4) != 0) {
                char ch;

                cr_assert_eq(conn_read(c, &ch, 1), 1, "EOF in the response head: %s", h.buf);
                cr_assert_eq(kl_buf_putc(&h, ch), 0);
        }
        cr_assert_eq(sscanf(h.buf, "HTTP/1.1 %d", &code), 1, "%s", h.buf);
        *ret_head = kl_buf_detach(&h, NULL);
        return code;
}

struct response {
        int code;
        char *head;
        struct kl_buf body;
};

static void response_release(struct response *r)
{
        free(r->head);
        kl_buf_release(&r->body);
}

/* GET `path` (Connection: close) and read the whole response, chunks decoded. */
static void http_get(const struct ident *id, const char *path, struct response *r)
{
        struct conn c;
        kl_autofree char *req =
                kl_asprintf("GET %s HTTP/1.1\r\nHost: node-a\r\nConnection: close\r\n\r\n", path);
        char buf[4096];
        ssize_t n;

        *r = (struct response){ .body = KL_BUF_INIT };
        conn_open(&c, id);
        conn_write(&c, req, strlen(req));
        r->code = read_head(&c, &r->head);
        if (strcasestr(r->head, "transfer-encoding: chunked")) {
                for (;;) {
                        char line[64];
                        size_t len = 0, size = 0;

                        while (len < sizeof(line) - 1) {
                                conn_read_full(&c, line + len, 1);
                                if (line[len++] == '\n')
                                        break;
                        }
                        line[len] = '\0';
                        cr_assert_eq(sscanf(line, "%zx", &size), 1, "chunk line '%s'", line);
                        if (size == 0)
                                break;
                        while (size > 0) {
                                size_t want = KL_MIN(size, sizeof(buf));

                                conn_read_full(&c, buf, want);
                                cr_assert_eq(kl_buf_append(&r->body, buf, want), 0);
                                size -= want;
                        }
                        conn_read_full(&c, buf, 2); /* CRLF */
                }
        } else {
                while ((n = conn_read(&c, buf, sizeof(buf))) > 0)
                        cr_assert_eq(kl_buf_append(&r->body, buf, (size_t)n), 0);
        }
        conn_close(&c);
}

/* A Status response: its code, reason and message. */
static void assert_status(const struct response *r, int code, const char *reason,
                          const char *message)
{
        json_auto_t *st = json_loads(r->body.buf, 0, NULL);

        cr_assert_eq(r->code, code, "%d: %s", r->code, r->body.buf);
        cr_assert_not_null(st, "not JSON: %s", r->body.buf);
        cr_assert_str_eq(json_string_value(json_object_get(st, "kind")), "Status");
        cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "Failure");
        cr_assert_str_eq(json_string_value(json_object_get(st, "reason")), reason);
        cr_assert_str_eq(json_string_value(json_object_get(st, "message")), message);
        cr_assert_eq(json_integer_value(json_object_get(st, "code")), code);
}

/* ------------------------------------------------------------------------- */
/* A WebSocket client */

static void ws_send(struct conn *c, int opcode, const void *data, size_t len, size_t fragment)
{
        const uint8_t *p = data;
        size_t off = 0;
        bool first = true;

        do {
                size_t n = fragment && len - off > fragment ? fragment : len - off;
                bool fin = off + n == len;
                uint8_t h[14], mask[4];
                size_t hl = 0;
                uint8_t *payload = kl_malloc(n + 1);

                h[hl++] = (uint8_t)((fin ? 0x80 : 0) | (first ? opcode : 0));
                if (n < 126) {
                        h[hl++] = (uint8_t)(0x80 | n);
                } else if (n < 65536) {
                        h[hl++] = 0x80 | 126;
                        h[hl++] = (uint8_t)(n >> 8);
                        h[hl++] = (uint8_t)n;
                } else {
                        h[hl++] = 0x80 | 127;
                        for (int i = 7; i >= 0; i--)
                                h[hl++] = (uint8_t)((uint64_t)n >> (8 * i));
                }
                cr_assert_eq(RAND_bytes(mask, 4), 1);
                memcpy(h + hl, mask, 4);
                hl += 4;
                for (size_t i = 0; i < n; i++)
                        payload[i] = p[off + i] ^ mask[i % 4];
                conn_write(c, h, hl);
                conn_write(c, payload, n);
                free(payload);
                off += n;
                first = false;
        } while (off < len);
}

static void ws_send_channel(struct conn *c, uint8_t ch, const char *data, size_t len,
                            size_t fragment)
{
        kl_autofree uint8_t *m = kl_malloc(len + 1);

        m[0] = ch;
        memcpy(m + 1, data, len);
        ws_send(c, 2, m, len + 1, fragment);
}

/* The next message (fragments joined; control frames other than close skipped). -1 at EOF. */
static int ws_recv(struct conn *c, struct kl_buf *msg, int *ret_close)
{
        int opcode = -1;

        kl_buf_reset(msg);
        for (;;) {
                uint8_t h[2], ext[8];
                uint64_t len;
                uint8_t *payload;

                if (conn_read(c, h, 1) == 0)
                        return -1;
                conn_read_full(c, h + 1, 1);
                cr_assert_eq(h[1] & 0x80, 0, "server frames are not masked");
                len = h[1] & 0x7f;
                if (len == 126) {
                        conn_read_full(c, ext, 2);
                        len = (uint64_t)ext[0] << 8 | ext[1];
                } else if (len == 127) {
                        conn_read_full(c, ext, 8);
                        len = 0;
                        for (int i = 0; i < 8; i++)
                                len = len << 8 | ext[i];
                }
                cr_assert_lt(len, (uint64_t)64 << 20);
                payload = kl_malloc((size_t)len + 1);
                conn_read_full(c, payload, (size_t)len);
                if ((h[0] & 0x0f) == 8) {
                        *ret_close = len >= 2 ? payload[0] << 8 | payload[1] : 1005;
                        free(payload);
                        return 8;
                }
                if ((h[0] & 0x0f) >= 8) {
                        free(payload);
                        continue;
                }
                if ((h[0] & 0x0f) != 0)
                        opcode = h[0] & 0x0f;
                cr_assert_eq(kl_buf_append(msg, payload, (size_t)len), 0);
                free(payload);
                if (h[0] & 0x80)
                        return opcode;
        }
}

/* Upgrade `path`; the status code, and the protocol the server chose in *ret_proto. */
static int ws_open(struct conn *c, const struct ident *id, const char *path, const char *protos,
                   char **ret_head)
{
        kl_autofree char *req = kl_asprintf(
                "GET %s HTTP/1.1\r\nHost: node-a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: %s\r\n\r\n",
                path, protos);

        conn_open(c, id);
        conn_write(c, req, strlen(req));
        return read_head(c, ret_head);
}

/* What a session brought: channels 1, 2, 3 and the close code. */
struct session_out {
        struct kl_buf out, err;
        char *status; /* channel 3, or NULL */
        int close_code;
};

static void session_out_release(struct session_out *o)
{
        kl_buf_release(&o->out);
        kl_buf_release(&o->err);
        free(o->status);
}

static void ws_collect(struct conn *c, struct session_out *o, const char *until_out)
{
        struct kl_buf m = KL_BUF_INIT;
        int op;

        for (;;) {
                if (until_out && strstr(o->out.buf, until_out))
                        break;
                op = ws_recv(c, &m, &o->close_code);
                if (op < 0)
                        break;
                if (op == 8) {
                        /*
                         * Answer the close handshake, as a client does; best
                         * effort: the server may have closed already.
                         */
                        uint8_t frame[8] = { 0x88,
                                             0x82,
                                             0,
                                             0,
                                             0,
                                             0,
                                             (uint8_t)(o->close_code >> 8),
                                             (uint8_t)o->close_code };

                        if (c->ssl)
                                (void)SSL_write(c->ssl, frame, sizeof(frame));
                        else
                                (void)!write(c->fd, frame, sizeof(frame));
                        break;
                }
                cr_assert_eq(op, 2, "binary messages only");
                cr_assert_geq(m.len, 1);
                switch ((uint8_t)m.buf[0]) {
                case 1:
                        cr_assert_eq(kl_buf_append(&o->out, m.buf + 1, m.len - 1), 0);
                        break;
                case 2:
                        cr_assert_eq(kl_buf_append(&o->err, m.buf + 1, m.len - 1), 0);
                        break;
                case 3:
                        cr_assert_null(o->status, "one status only");
                        o->status = kl_strndup(m.buf + 1, m.len - 1);
                        break;
                default:
                        cr_assert_fail("message on channel %d", m.buf[0]);
                }
        }
        kl_buf_release(&m);
}

/* ------------------------------------------------------------------------- */
/* Containers with the agent's labels */

static char *log_path(const char *id)
{
        return kl_asprintf("%s/logs/%s.log", fx.dir, id);
}

static void run_container(const char *id, const char *pod, const char *name, unsigned attempt,
                          const char *script, bool stdin_open, int64_t log_max)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *logs = kl_asprintf("%s/logs", fx.dir);
        struct kl_ctr_config c;

        cr_assert_eq(kl_mkdir_p(logs, 0755), 0);
        kl_ctr_config_init(&c);
        c.id = kl_strdup(id);
        c.image = kl_strdup("test/busybox:1");
        c.layers = kl_strv_copy(fx.layers);
        kl_strv_push(&c.process.args, "/bin/sh");
        kl_strv_push(&c.process.args, "-c");
        kl_strv_push(&c.process.args, script);
        c.process.stdin_open = stdin_open;
        c.log_path = log_path(id);
        c.log_max_size = log_max;
        c.log_max_files = 3;
        kl_strv_push_take(&c.labels, kl_asprintf("%s=default", KL_AGENT__LABEL_POD_NS));
        kl_strv_push_take(&c.labels, kl_asprintf("%s=%s", KL_AGENT__LABEL_POD_NAME, pod));
        kl_strv_push_take(&c.labels, kl_asprintf("%s=%s", KL_AGENT__LABEL_CTR_NAME, name));
        kl_strv_push_take(&c.labels, kl_asprintf("%s=%u", KL_AGENT__LABEL_ATTEMPT, attempt));
        cr_assert_eq(kl_ctr_create(fx.rt, &c, &e), 0, "create: %s", kl_err_msg(e));
        cr_assert_eq(kl_ctr_start(fx.rt, id, &e), 0, "start: %s", kl_err_msg(e));
        kl_ctr_config_release(&c);
}

static void wait_container(const char *id)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_ctr_wait(fx.rt, id, -1, NULL, &e), 0, "%s", kl_err_msg(e));
}

/* ------------------------------------------------------------------------- */
/* Tests: security */

Test(server, authentication_and_authorization)
{
        struct response r;
        kl_cleanup(X509_freep) X509 *cert = NULL;

        server_start(false);

        /* The self-signed serving certificate names the node. */
        cr_assert_not_null(srv.cert_pem);
        cr_assert_eq(kl_pki_cert_from_pem(srv.cert_pem, strlen(srv.cert_pem), &cert, NULL), 0);
        cr_assert(kl_pki_cert_has_san(cert, "node-a"));
        cr_assert(kl_pki_cert_has_san(cert, "10.0.0.7"));
        cr_assert(kl_pki_cert_has_san(cert, "127.0.0.1"));
        {
                const char *ca = strstr(srv.cert_pem + 1, "-----BEGIN CERTIFICATE");

                cr_assert_not_null(ca, "the chain has the CA");
                cr_assert_eq(kl_pki_verify_pem(srv.cert_pem, strlen(srv.cert_pem), ca, strlen(ca),
                                               KL_PKI_CERT_SERVER, "127.0.0.1", NULL),
                             0, "the chain verifies against its own CA");
        }

        http_get(&fx.admin, "/healthz", &r);
        cr_assert_eq(r.code, 200);
        cr_assert_str_eq(r.body.buf, "ok");
        response_release(&r);

        http_get(&fx.apiserver, "/healthz", &r);
        cr_assert_eq(r.code, 200, "the API server's kubelet client is allowed");
        response_release(&r);

        http_get(NULL, "/healthz", &r);
        assert_status(&r, 401, "Unauthorized", "Unauthorized");
        response_release(&r);

        http_get(&fx.stranger, "/containerLogs/default/p/c", &r);
        assert_status(&r, 401, "Unauthorized", "Unauthorized");
        response_release(&r);

        http_get(&fx.node, "/containerLogs/default/p/c", &r);
        assert_status(&r, 403, "Forbidden",
                      "Forbidden (user=system:node:x, verb=get, resource=nodes, "
                      "subresource=proxy)");
        response_release(&r);

        http_get(&fx.admin, "/pods", &r);
        assert_status(&r, 404, "NotFound", "the server could not find the requested resource");
        response_release(&r);

        /* Exactly three non-empty segments, no encoded slash. */
        static const char *const bad_paths[] = {
                "/containerLogs/default/p",
                "/containerLogs/default//c",
                "/containerLogs/default/p/c/extra",
                "/containerLogs/default/p%2Fq/c",
                "/exec/default/p",
        };
        for (size_t i = 0; i < KL_ARRAY_SIZE(bad_paths); i++) {
                http_get(&fx.admin, bad_paths[i], &r);
                assert_status(&r, 400, "BadRequest",
                              "Missing podNamespace, podID or containerName.");
                response_release(&r);
        }

        /* A pod the runtime does not have. */
        http_get(&fx.admin, "/containerLogs/default/p%2Dx/c", &r);
        assert_status(&r, 404, "NotFound", "pod \"p-x\" does not exist");
        response_release(&r);

        server_stop();
}

/* ------------------------------------------------------------------------- */
/* Tests: logs */

static void logs(const char *query, struct response *r)
{
        http_get(&fx.admin, query, r);
}

Test(server, logs_options)
{
        struct response r;
        regex_t re;

        need_containers();
        run_container("lg-0", "lg", "c", 0,
                      /* stdout and stderr are two pipes: pauses order the lines. */
                      "echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; "
                      "printf 'no newline'",
                      false, 0);
        wait_container("lg-0");
        server_start(false);

        struct {
                const char *query, *want;
        } cases[] = {
                { "", "one\ntwo\nthree\nno newline\n" },
                { "?tailLines=2", "three\nno newline\n" },
                { "?tailLines=0", "" },
                { "?limitBytes=6", "one\ntw" },
                { "?sinceSeconds=3600", "one\ntwo\nthree\nno newline\n" },
                { "?sinceTime=2999-01-01T00:00:00Z", "" },
                { "?follow=true", "one\ntwo\nthree\nno newline\n" },
        };
        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *path =
                        kl_asprintf("/containerLogs/default/lg/c%s", cases[i].query);

                logs(path, &r);
                cr_assert_eq(r.code, 200, "%s: %s", cases[i].query, r.body.buf);
                cr_assert(strcasestr(r.head, "content-type: text/plain"), "%s", r.head);
                cr_assert_str_eq(r.body.buf, cases[i].want, "'%s': '%s'", cases[i].query,
                                 r.body.buf);
                response_release(&r);
        }

        logs("/containerLogs/default/lg/c?timestamps=true&tailLines=1", &r);
        cr_assert_eq(r.code, 200, "%s", r.body.buf);
        cr_assert_eq(regcomp(&re,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z "
                             "no newline\n$",
                             REG_EXTENDED),
                     0);
        cr_assert_eq(regexec(&re, r.body.buf, 0, NULL, 0), 0, "'%s'", r.body.buf);
        regfree(&re);
        response_release(&r);

        logs("/containerLogs/default/lg/c?tailLines=-1", &r);
        cr_assert_eq(r.code, 422, "%s", r.body.buf);
        response_release(&r);

        server_stop();
}

Test(server, logs_errors_and_previous)
{
        struct response r;

        need_containers();
        run_container("pv-0", "pv", "c", 0, "echo first run", false, 0);
        wait_container("pv-0");
        run_container("pv-1", "pv", "c", 1, "echo second run", false, 0);
        wait_container("pv-1");
        server_start(false);

        logs("/containerLogs/default/pv/c", &r);
        cr_assert_eq(r.code, 200);
        cr_assert_str_eq(r.body.buf, "second run\n");
        response_release(&r);

        logs("/containerLogs/default/pv/c?previous=true", &r);
        cr_assert_eq(r.code, 200);
        cr_assert_str_eq(r.body.buf, "first run\n");
        response_release(&r);

        logs("/containerLogs/default/pv/other?previous=true", &r);
        assert_status(&r, 400, "BadRequest",
                      "previous terminated container \"other\" in pod \"pv\" not found");
        response_release(&r);

        logs("/containerLogs/default/pv/other", &r);
        assert_status(&r, 400, "BadRequest",
                      "container \"other\" in pod \"pv\" is waiting to start: ContainerCreating");
        response_release(&r);

        logs("/containerLogs/default/nope/c", &r);
        assert_status(&r, 404, "NotFound", "pod \"nope\" does not exist");
        response_release(&r);

        server_stop();
}

Test(server, logs_previous_not_found)
{
        struct response r;

        need_containers();
        run_container("np-0", "np", "c", 0, "echo only", false, 0);
        wait_container("np-0");
        server_start(false);
        logs("/containerLogs/default/np/c?previous=true", &r);
        assert_status(&r, 400, "BadRequest",
                      "previous terminated container \"c\" in pod \"np\" not found");
        response_release(&r);
        server_stop();
}

/* follow ends when the container has exited and its log is drained; rotation is followed. */
Test(server, logs_follow_until_exit_across_rotation)
{
        struct response r;
        struct kl_buf want = KL_BUF_INIT;

        need_containers();
        /* 200-byte files: the shim rotates several times while we follow. */
        run_container("fl-0", "fl", "c", 0,
                      "sleep 0.5; for i in $(seq 1 40); do echo line-$i; sleep 0.05; done", false,
                      200);
        server_start(false);
        logs("/containerLogs/default/fl/c?follow=true", &r);
        cr_assert_eq(r.code, 200, "%s", r.body.buf);
        for (int i = 1; i <= 40; i++)
                cr_assert_eq(kl_buf_printf(&want, "line-%d\n", i), 0);
        cr_assert_str_eq(r.body.buf, want.buf);
        response_release(&r);
        kl_buf_release(&want);
        server_stop();
}

/* ------------------------------------------------------------------------- */
/* Tests: exec and attach */

static void exec_session(const char *path, const char *protos, const char *stdin_data,
                         bool close_stdin, struct session_out *o)
{
        kl_autofree char *head = NULL;
        struct conn c;

        *o = (struct session_out){ .out = KL_BUF_INIT, .err = KL_BUF_INIT };
        cr_assert_eq(ws_open(&c, &fx.admin, path, protos, &head), 101, "%s", head);
        cr_assert(strcasestr(head, "sec-websocket-protocol: v5.channel.k8s.io") ||
                          !strstr(protos, "v5"),
                  "%s", head);
        if (stdin_data)
                ws_send_channel(&c, 0, stdin_data, strlen(stdin_data), 3);
        if (close_stdin)
                ws_send(&c, 2, "\xff\x00", 2, 0);
        ws_collect(&c, o, NULL);
        conn_close(&c);
}

Test(server, exec_streams_and_exit_codes)
{
        struct session_out o;

        need_containers();
        run_container("ex-0", "ex", "c", 0, "sleep 600", false, 0);
        server_start(false);

        exec_session("/exec/default/ex/c?command=sh&command=-c&command=echo%20out%3B%20echo%20err"
                     "%20%3E%262%3B%20exit%203&stdout=true&stderr=true",
                     "v5.channel.k8s.io", NULL, false, &o);
        cr_assert_str_eq(o.out.buf, "out\n");
        cr_assert_str_eq(o.err.buf, "err\n");
        cr_assert_str_eq(o.status,
                         "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command "
                         "terminated with non-zero exit code: exit status 3\",\"reason\":"
                         "\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                         "\"message\":\"3\"}]}}");
        cr_assert_eq(o.close_code, 1000);
        session_out_release(&o);

        exec_session("/exec/default/ex/c?command=echo&command=hi&stdout=1", "v5.channel.k8s.io",
                     NULL, false, &o);
        cr_assert_str_eq(o.out.buf, "hi\n");
        cr_assert_str_eq(o.status, "{\"metadata\":{},\"status\":\"Success\"}");
        cr_assert_eq(o.close_code, 1000);
        session_out_release(&o);

        /* stdin, in fragmented messages, then the v5 close signal: the process sees EOF. */
        exec_session("/exec/default/ex/c?command=cat&stdin=true&stdout=true&stderr=true",
                     "v5.channel.k8s.io", "hello\nworld\n", true, &o);
        cr_assert_str_eq(o.out.buf, "hello\nworld\n");
        cr_assert_str_eq(o.status, "{\"metadata\":{},\"status\":\"Success\"}");
        session_out_release(&o);

        /* v4: the same Status; the channel.k8s.io protocol: plain text, only on failure. */
        exec_session("/exec/default/ex/c?command=false&stdout=true", "v4.channel.k8s.io", NULL,
                     false, &o);
        cr_assert_not_null(strstr(o.status, "exit status 1"));
        cr_assert_not_null(strstr(o.status, "\"NonZeroExitCode\""));
        session_out_release(&o);
        exec_session("/exec/default/ex/c?command=false&stdout=true", "channel.k8s.io", NULL, false,
                     &o);
        cr_assert_str_eq(o.status, "command terminated with non-zero exit code: exit status 1");
        session_out_release(&o);

        /* A command that does not exist: an InternalError Status on channel 3. */
        exec_session("/exec/default/ex/c?command=/nope&stdout=true", "v5.channel.k8s.io", NULL,
                     false, &o);
        cr_assert_not_null(o.status);
        cr_assert_not_null(strstr(o.status, "\"InternalError\""), "%s", o.status);
        session_out_release(&o);

        server_stop();
}

/* ------------------------------------------------------------------------- */
/* SPDY/3.1: kubectl's fallback */

static void spdy_put32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static uint32_t spdy_get32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void spdy_frame(struct conn *c, bool control, uint32_t first, uint8_t flags,
                       const void *payload, size_t len)
{
        uint8_t h[8];

        spdy_put32(h, control ? (0x80000000u | 3u << 16 | first) : first);
        spdy_put32(h + 4, (uint32_t)flags << 24 | (uint32_t)len);
        conn_write(c, h, 8);
        if (len)
                conn_write(c, payload, len);
}

/* SYN_STREAM with the header streamtype, deflated on the session's stream `z`. */
static void spdy_syn(struct conn *c, z_stream *z, uint32_t id, const char *type)
{
        uint8_t raw[128], p[512];
        size_t n = 0, tl = strlen(type);

        spdy_put32(raw, 1);
        spdy_put32(raw + 4, 10);
        /* A header block is length-prefixed bytes, not strings: no NUL belongs in it. */
        memcpy(raw + 8, "streamtype", 10); /* NOLINT(bugprone-not-null-terminated-result) */
        spdy_put32(raw + 18, (uint32_t)tl);
        memcpy(raw + 22, type, tl); /* NOLINT(bugprone-not-null-terminated-result) */
        memset(p, 0, 10);
        spdy_put32(p, id);
        z->next_in = raw;
        z->avail_in = (uInt)(22 + tl);
        z->next_out = p + 10;
        z->avail_out = sizeof(p) - 10;
        cr_assert_eq(deflate(z, Z_SYNC_FLUSH), Z_OK);
        n = sizeof(p) - z->avail_out;
        spdy_frame(c, true, KL_AGENT__SPDY_SYN_STREAM, 0, p, n);
}

/*
 * An exec over SPDY as client-go runs it: streams error (1), stdout (3), stderr (5) and,
 * with stdin, stdin (7) whose data ends with a FIN. Collects until the server closes; each
 * stream of ours must have been replied to, and stdout, stderr and error FINned.
 */
static void spdy_exec_session(const char *path, const char *stdin_data, struct session_out *o)
{
        kl_autofree char *head = NULL;
        kl_autofree char *req =
                kl_asprintf("POST %s HTTP/1.1\r\nHost: node-a\r\nContent-Length: 0\r\n"
                            "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                            "X-Stream-Protocol-Version: v5.channel.k8s.io\r\n"
                            "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
                            "X-Stream-Protocol-Version: channel.k8s.io\r\n\r\n",
                            path);
        struct kl_buf in = KL_BUF_INIT, status = KL_BUF_INIT;
        unsigned replies = 0, fins = 0;
        const uint8_t *dict;
        size_t dlen, off = 0;
        struct conn c;
        z_stream z;

        *o = (struct session_out){ .out = KL_BUF_INIT, .err = KL_BUF_INIT };
        conn_open(&c, &fx.admin);
        conn_write(&c, req, strlen(req));
        cr_assert_eq(read_head(&c, &head), 101, "%s", head);
        cr_assert(strcasestr(head, "\r\nupgrade: spdy/3.1\r\n"), "%s", head);
        cr_assert(strcasestr(head, "\r\nx-stream-protocol-version: v4.channel.k8s.io\r\n"), "%s",
                  head);
        memset(&z, 0, sizeof(z));
        cr_assert_eq(deflateInit(&z, 6), Z_OK);
        dict = kl_agent__spdy_dictionary(&dlen);
        cr_assert_eq(deflateSetDictionary(&z, dict, (uInt)dlen), Z_OK);
        spdy_syn(&c, &z, 1, "error");
        spdy_syn(&c, &z, 3, "stdout");
        spdy_syn(&c, &z, 5, "stderr");
        if (stdin_data) {
                spdy_syn(&c, &z, 7, "stdin");
                spdy_frame(&c, false, 7, 0, stdin_data, strlen(stdin_data));
                spdy_frame(&c, false, 7, KL_AGENT__SPDY_FLAG_FIN, NULL, 0);
        }
        deflateEnd(&z);
        for (;;) {
                char buf[16384];
                ssize_t n = conn_read(&c, buf, sizeof(buf));

                if (n == 0)
                        break;
                cr_assert_eq(kl_buf_append(&in, buf, (size_t)n), 0);
        }
        conn_close(&c);
        while (off + 8 <= in.len) {
                const uint8_t *p = (const uint8_t *)in.buf + off;
                size_t len = spdy_get32(p + 4) & 0xffffff;

                cr_assert_leq(off + 8 + len, in.len, "a frame cut short");
                if (p[0] & 0x80) {
                        if ((p[2] << 8 | p[3]) == KL_AGENT__SPDY_SYN_REPLY)
                                replies++;
                } else {
                        uint32_t id = spdy_get32(p);
                        struct kl_buf *dst = id == 3 ? &o->out : id == 5 ? &o->err : &status;

                        cr_assert(id == 1 || id == 3 || id == 5, "DATA on stream %u", id);
                        cr_assert_eq(kl_buf_append(dst, p + 8, len), 0);
                        if (p[4] & KL_AGENT__SPDY_FLAG_FIN)
                                fins++;
                }
                off += 8 + len;
        }
        cr_assert_eq(off, in.len);
        cr_assert_eq(replies, stdin_data ? 4u : 3u);
        cr_assert_eq(fins, 3u, "stdout, stderr and error end with a FIN");
        o->status = status.len ? kl_strndup(status.buf, status.len) : NULL;
        kl_buf_release(&status);
        kl_buf_release(&in);
}

Test(server, exec_over_spdy)
{
        static const char refuse[] =
                "POST /exec/default/sp/c?command=ls&stdout=true HTTP/1.1\r\nHost: n\r\n"
                "Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                "X-Stream-Protocol-Version: v9.channel.k8s.io\r\n\r\n";
        struct session_out o;
        kl_autofree char *head = NULL;
        struct conn c;

        need_containers();
        run_container("sp-0", "sp", "c", 0, "sleep 600", false, 0);
        server_start(false);

        spdy_exec_session("/exec/default/sp/c?command=sh&command=-c&command=echo%20out%3B%20echo"
                          "%20err%20%3E%262%3B%20exit%203&stdout=true&stderr=true",
                          NULL, &o);
        cr_assert_str_eq(o.out.buf, "out\n");
        cr_assert_str_eq(o.err.buf, "err\n");
        cr_assert_str_eq(o.status,
                         "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command "
                         "terminated with non-zero exit code: exit status 3\",\"reason\":"
                         "\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                         "\"message\":\"3\"}]}}");
        session_out_release(&o);

        /* stdin's data, then its FIN: the process sees EOF. */
        spdy_exec_session("/exec/default/sp/c?command=cat&stdin=true&stdout=true&stderr=true",
                          "hello\nworld\n", &o);
        cr_assert_str_eq(o.out.buf, "hello\nworld\n");
        cr_assert_str_eq(o.status, "{\"metadata\":{},\"status\":\"Success\"}");
        session_out_release(&o);

        /* No version of ours offered: refused before the upgrade. */
        conn_open(&c, &fx.admin);
        conn_write(&c, refuse, sizeof(refuse) - 1);
        cr_assert_eq(read_head(&c, &head), 400, "%s", head);
        conn_close(&c);
        server_stop();
}

Test(server, exec_tty_and_resize)
{
        kl_autofree char *head = NULL;
        struct session_out o = { .out = KL_BUF_INIT, .err = KL_BUF_INIT };
        struct conn c;
        const char *resize = "{\"Width\":100,\"Height\":30}\n";

        need_containers();
        run_container("tt-0", "tt", "c", 0, "sleep 600", false, 0);
        server_start(false);
        cr_assert_eq(ws_open(&c, &fx.admin,
                             "/exec/default/tt/c?command=sh&command=-c&command=read%20x%3B%20stty"
                             "%20size&stdin=true&stdout=true&tty=true",
                             "v5.channel.k8s.io", &head),
                     101, "%s", head);
        ws_send_channel(&c, 4, resize, strlen(resize), 0);
        ws_send_channel(&c, 0, "go\n", 3, 0);
        ws_collect(&c, &o, NULL);
        conn_close(&c);
        cr_assert_not_null(strstr(o.out.buf, "30 100"), "'%s'", o.out.buf);
        cr_assert_eq(o.err.len, 0, "a terminal has one stream");
        cr_assert_str_eq(o.status, "{\"metadata\":{},\"status\":\"Success\"}");
        session_out_release(&o);
        server_stop();
}

Test(server, attach)
{
        kl_autofree char *head = NULL;
        struct session_out o = { .out = KL_BUF_INIT, .err = KL_BUF_INIT };
        struct conn c;

        need_containers();
        run_container("at-0", "at", "c", 0, "while read l; do echo got $l; done; echo bye", true,
                      0);
        server_start(false);
        cr_assert_eq(ws_open(&c, &fx.admin,
                             "/attach/default/at/c?stdin=true&stdout=true&stderr=true",
                             "v5.channel.k8s.io", &head),
                     101, "%s", head);
        ws_send_channel(&c, 0, "hi\n", 3, 0);
        ws_collect(&c, &o, "got hi\n");
        cr_assert_str_eq(o.out.buf, "got hi\n");
        /* stdin's end ends the container; attach then ends with Success. */
        ws_send(&c, 2, "\xff\x00", 2, 0);
        ws_collect(&c, &o, NULL);
        conn_close(&c);
        cr_assert_str_eq(o.out.buf, "got hi\nbye\n");
        cr_assert_str_eq(o.status, "{\"metadata\":{},\"status\":\"Success\"}");
        cr_assert_eq(o.close_code, 1000);
        session_out_release(&o);
        server_stop();
}

Test(server, exec_errors)
{
        struct response r;
        kl_autofree char *head = NULL;
        struct conn c;

        need_containers();
        run_container("er-0", "er", "c", 0, "true", false, 0);
        wait_container("er-0");
        server_start(false);

        /* Not a WebSocket upgrade (kubectl would retry with SPDY). */
        http_get(&fx.admin, "/exec/default/er/c?command=ls&stdout=true", &r);
        cr_assert_eq(r.code, 400, "%s", r.body.buf);
        response_release(&r);

        cr_assert_eq(ws_open(&c, &fx.admin, "/exec/default/nope/c?command=ls&stdout=true",
                             "v5.channel.k8s.io", &head),
                     404, "%s", head);
        conn_close(&c);
        free(head);
        head = NULL;
        cr_assert_eq(ws_open(&c, &fx.admin, "/exec/default/er/c?command=ls&stdout=true",
                             "v5.channel.k8s.io", &head),
                     404, "a stopped container: %s", head);
        conn_close(&c);
        free(head);
        head = NULL;
        cr_assert_eq(ws_open(&c, &fx.admin, "/exec/default/er/c?stdout=true", "v5.channel.k8s.io",
                             &head),
                     400, "no command: %s", head);
        conn_close(&c);
        free(head);
        head = NULL;
        cr_assert_eq(ws_open(&c, &fx.admin, "/exec/default/er/c?command=ls&stdout=true",
                             "v9.channel.k8s.io", &head),
                     400, "no protocol in common: %s", head);
        conn_close(&c);
        server_stop();
}

/*
 * Output far beyond the server's queue bound (64 KiB in these tests): the log
 * and the exec stream pause and resume, and nothing is lost.
 */
Test(server, back_pressure)
{
        struct kl_buf want = KL_BUF_INIT;
        struct session_out o;
        struct response r;

        need_containers();
        run_container("bp-0", "bp", "c", 0, "seq 1 100000; sleep 600", false, 0);
        for (int i = 1; i <= 100000; i++)
                cr_assert_eq(kl_buf_printf(&want, "%d\n", i), 0);
        server_start(false);

        /* The log is complete once a limited read of its whole size returns it all. */
        for (;;) {
                kl_autofree char *path =
                        kl_asprintf("/containerLogs/default/bp/c?limitBytes=%zu", want.len);

                logs(path, &r);
                cr_assert_eq(r.code, 200);
                if (r.body.len == want.len)
                        break;
                response_release(&r);
                usleep(100 * 1000);
        }
        cr_assert_str_eq(r.body.buf, want.buf);
        response_release(&r);

        exec_session("/exec/default/bp/c?command=seq&command=1&command=100000&stdout=true",
                     "v5.channel.k8s.io", NULL, false, &o);
        cr_assert_eq(o.out.len, want.len);
        cr_assert_str_eq(o.out.buf, want.buf);
        cr_assert_str_eq(o.status, "{\"metadata\":{},\"status\":\"Success\"}");
        session_out_release(&o);
        kl_buf_release(&want);
        server_stop();
}

/* Stopping with a log being followed and an exec running: both end, nothing is left. */
Test(server, stop_with_streams_open)
{
        kl_autofree char *head = NULL, *lhead = NULL;
        struct session_out o = { .out = KL_BUF_INIT, .err = KL_BUF_INIT };
        struct conn ws, lc;
        const char *req = "GET /containerLogs/default/st/c?follow=true HTTP/1.1\r\n"
                          "Host: node-a\r\n\r\n";
        char buf[256];

        need_containers();
        run_container("st-0", "st", "c", 0, "echo started; sleep 600", false, 0);
        server_start(false);
        conn_open(&lc, &fx.admin);
        conn_write(&lc, req, strlen(req));
        cr_assert_eq(read_head(&lc, &lhead), 200, "%s", lhead);
        cr_assert_eq(ws_open(&ws, &fx.admin,
                             "/exec/default/st/c?command=sh&command=-c&command=echo%20in%3B%20"
                             "sleep%20600&stdout=true",
                             "v5.channel.k8s.io", &head),
                     101, "%s", head);
        ws_collect(&ws, &o, "in\n");

        server_stop();

        /* The follow ended properly (the last chunk), the WebSocket with 1001. */
        {
                struct kl_buf rest = KL_BUF_INIT;
                ssize_t n;

                while ((n = conn_read(&lc, buf, sizeof(buf))) > 0)
                        cr_assert_eq(kl_buf_append(&rest, buf, (size_t)n), 0);
                cr_assert(kl_endswith(rest.buf, "0\r\n\r\n"), "'%s'", rest.buf);
                kl_buf_release(&rest);
        }
        ws_collect(&ws, &o, NULL);
        cr_assert_eq(o.close_code, 1001);
        conn_close(&lc);
        conn_close(&ws);
        session_out_release(&o);
}

/* Plain HTTP for tests: no authentication at all. */
Test(server, insecure_for_tests)
{
        struct response r;

        server_start(true);
        cr_assert_null(srv.cert_pem);
        http_get(NULL, "/healthz", &r);
        cr_assert_eq(r.code, 200);
        response_release(&r);
        server_stop();
}

int main(int argc, char **argv)
{
        struct criterion_test_set *tests;
        int r = 0;

        json_set_alloc_funcs(kl_malloc, free);
        /*
         * As a daemon must: a client that goes away makes a write fail with
         * EPIPE instead of killing the process (libuv writes with plain writev).
         */
        (void)sigaction(SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
        if (argc > 1 && kl_streq(argv[1], "shim"))
                return kl_ctr_shim_main(argc - 1, argv + 1);
        tests = criterion_initialize();
        if (criterion_handle_args(argc, argv, true))
                r = !criterion_run_all_tests(tests);
        criterion_finalize(tests);
        return r;
}
