/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The server over TLS, with an OpenSSL client and the committed test PKI
 * (tests/data/make-certs.sh): keep-alive, ALPN, client certificates (verified,
 * absent, from an unknown CA), in-memory PEM, configuration errors, protocol
 * versions, and streaming through the memory BIOs.
 */
#include "http-test.h"

struct seen {
        int requests;
        bool tls;
        bool has_cert;
        char cn[64];
        char orgs[128];
        size_t n_orgs;
};

struct tls_state {
        struct seen seen;
        struct kl_http_req *held; /* a stream the test ends; loop thread only */
};

#define BIG_SIZE ((size_t)1 << 20)

static void handler(struct kl_http_req *req, void *userdata)
{
        struct ht_server *h = userdata;
        struct tls_state *ts = h->test;
        struct seen *seen = &ts->seen;
        const struct kl_http_client_cert *cert = kl_http_req_client_cert(req);
        const char *path = kl_http_req_path(req);

        uv_mutex_lock(&h->mu);
        seen->requests++;
        seen->tls = kl_http_req_is_tls(req);
        seen->has_cert = cert != NULL;
        seen->cn[0] = seen->orgs[0] = '\0';
        seen->n_orgs = 0;
        if (cert) {
                snprintf(seen->cn, sizeof(seen->cn), "%s", cert->common_name);
                for (size_t i = 0; i < cert->n_organizations; i++) {
                        size_t l = strlen(seen->orgs);

                        snprintf(seen->orgs + l, sizeof(seen->orgs) - l, "%s%s", i ? "," : "",
                                 cert->organizations[i]);
                }
                cr_assert_null(cert->organizations[cert->n_organizations]);
                seen->n_orgs = cert->n_organizations;
        }
        uv_mutex_unlock(&h->mu);

        if (kl_streq(path, "/stream")) {
                (void)kl_http_stream_start(req, 200, "application/json");
                (void)kl_http_stream_write(req, "{\"type\":\"ADDED\"}\n", 17);
                uv_mutex_lock(&h->mu);
                ts->held = req; /* ended by the test through ht_call() */
                uv_mutex_unlock(&h->mu);
        } else if (kl_streq(path, "/big")) {
                char *body = kl_malloc(BIG_SIZE);

                for (size_t i = 0; i < BIG_SIZE; i++)
                        body[i] = (char)('a' + i % 26);
                (void)kl_http_respond_take(req, 200, "application/octet-stream", body, BIG_SIZE);
        } else {
                (void)kl_http_respond(req, 200, "text/plain", "secure\n", 7);
        }
}

#define TLS_SERVER(h, ts, client_ca) \
        struct tls_state ts;         \
        struct ht_server h;          \
        memset(&ts, 0, sizeof(ts));  \
        ht_init(&h, handler, &ts);   \
        ht_use_tls(&h, client_ca)

Test(tls, get_with_keep_alive)
{
        TLS_SERVER(h, ts, false);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, NULL), 1);
        cr_assert_geq(SSL_version(c.ssl), TLS1_2_VERSION);
        for (int i = 0; i < 3; i++) {
                ht_get(&c, "/", &r);
                cr_assert_eq(r.status, 200);
                cr_assert_str_eq(r.body, "secure\n");
                ht_resp_release(&r);
        }
        ht_close(&c);
        ht_stop(&h);
        cr_assert_eq(ts.seen.requests, 3);
        cr_assert(ts.seen.tls);
        cr_assert_not(ts.seen.has_cert);
}

Test(tls, alpn_selects_http11_only)
{
        TLS_SERVER(h, ts, false);
        struct ht_client c;
        struct ht_resp r;
        const unsigned char *proto = NULL;
        unsigned len = 0;
        /* What Go's net/http offers. */
        struct ht_tls_opts go = { .alpn = "\x02h2\x08http/1.1", .alpn_len = 12 };
        struct ht_tls_opts h2_only = { .alpn = "\x02h2", .alpn_len = 3 };

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, &go), 1);
        SSL_get0_alpn_selected(c.ssl, &proto, &len);
        cr_assert_eq(len, 8);
        cr_assert_eq(memcmp(proto, "http/1.1", 8), 0);
        ht_get(&c, "/", &r);
        cr_assert_eq(r.status, 200);
        ht_resp_release(&r);
        ht_close(&c);

        /* No common protocol: no ALPN answer, and the connection still works. */
        cr_assert_eq(ht_connect_tls(&c, h.port, &h2_only), 1);
        SSL_get0_alpn_selected(c.ssl, &proto, &len);
        cr_assert_eq(len, 0);
        ht_get(&c, "/", &r);
        cr_assert_eq(r.status, 200);
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

Test(tls, client_certificate_identity)
{
        TLS_SERVER(h, ts, true);
        struct ht_client c;
        struct ht_resp r;
        struct ht_tls_opts admin = { .cert = "client.pem", .key = "client-key.pem" };

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, &admin), 1);
        ht_get(&c, "/", &r);
        cr_assert_eq(r.status, 200);
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
        cr_assert(ts.seen.has_cert);
        cr_assert_str_eq(ts.seen.cn, "admin");
        cr_assert_eq(ts.seen.n_orgs, 2);
        cr_assert_str_eq(ts.seen.orgs, "system:masters,devs");
}

Test(tls, no_client_certificate_still_connects)
{
        TLS_SERVER(h, ts, true);
        struct ht_client c;
        struct ht_resp r;

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, NULL), 1);
        ht_get(&c, "/", &r);
        cr_assert_eq(r.status, 200);
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
        cr_assert(ts.seen.tls);
        cr_assert_not(ts.seen.has_cert);
}

Test(tls, untrusted_client_certificate_is_no_identity)
{
        TLS_SERVER(h, ts, true);
        struct ht_client c;
        struct ht_resp r;
        struct ht_tls_opts rogue = { .cert = "rogue-client.pem", .key = "rogue-client-key.pem" };

        ht_start(&h);
        /* The handshake succeeds (the token path stays open); the identity does not count. */
        cr_assert_eq(ht_connect_tls(&c, h.port, &rogue), 1);
        ht_get(&c, "/", &r);
        cr_assert_eq(r.status, 200);
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
        cr_assert_not(ts.seen.has_cert);
        cr_assert_str_eq(ts.seen.cn, "");
}

Test(tls, certificate_without_client_ca_is_ignored)
{
        TLS_SERVER(h, ts, false);
        struct ht_client c;
        struct ht_resp r;
        struct ht_tls_opts admin = { .cert = "client.pem", .key = "client-key.pem" };

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, &admin), 1);
        ht_get(&c, "/", &r);
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
        cr_assert_not(ts.seen.has_cert);
}

Test(tls, pem_in_memory)
{
        TLS_SERVER(h, ts, true);
        struct ht_client c;
        struct ht_resp r;
        struct ht_tls_opts admin = { .cert = "client.pem", .key = "client-key.pem" };
        kl_autofree char *cert = kl_test_read_file(h.tls.cert_file);
        kl_autofree char *key = kl_test_read_file(h.tls.key_file);
        kl_autofree char *ca = kl_test_read_file(h.tls.client_ca_file);
        kl_autofree char *bundle = NULL;
        kl_autofree char *rogue_path = ht_data("rogue-ca.pem");
        kl_autofree char *rogue = kl_test_read_file(rogue_path);

        /* A bundle of two CAs, the right one second. */
        bundle = kl_asprintf("%s%s", rogue, ca);
        free((char *)h.tls.cert_file);
        free((char *)h.tls.key_file);
        free((char *)h.tls.client_ca_file);
        h.tls = (struct kl_http_tls_config){ .cert_pem = cert,
                                             .key_pem = key,
                                             .client_ca_pem = bundle };
        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, &admin), 1);
        ht_get(&c, "/", &r);
        cr_assert_eq(r.status, 200);
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
        cr_assert(ts.seen.has_cert);
        cr_assert_str_eq(ts.seen.cn, "admin");
}

static int try_config(const struct kl_http_tls_config *tls, char **ret_msg)
{
        uv_loop_t loop;
        struct kl_http_server_config cfg = { .tls = tls };
        struct kl_http_server *s = NULL;
        struct kl_err *err = NULL;
        int r;

        cr_assert_eq(kl_loop_init(&loop), 0);
        r = kl_http_server_new(&loop, &cfg, &s, &err);
        if (r < 0) {
                cr_assert_null(s);
                cr_assert_eq(-err->code, r);
                *ret_msg = kl_strdup(kl_err_msg(err));
                kl_err_free(err);
        } else {
                kl_http_server_close(s, 0, NULL, NULL);
                *ret_msg = NULL;
        }
        cr_assert_eq(kl_loop_finish(&loop), 0);
        return r;
}

Test(tls, configuration_errors)
{
        kl_autofree char *cert = ht_data("server.pem"), *key = ht_data("server-key.pem");
        kl_autofree char *other_key = ht_data("client-key.pem");
        kl_autofree char *cert_pem = kl_test_read_file(cert);
        char *msg = NULL;

        cr_assert_eq(try_config(&(struct kl_http_tls_config){ .cert_file = cert, .key_file = key },
                                &msg),
                     0);
        cr_assert_eq(try_config(&(struct kl_http_tls_config){ .cert_file = "/nonexistent.pem",
                                                              .key_file = key },
                                &msg),
                     -ENOENT);
        cr_assert(strstr(msg, "'/nonexistent.pem'"), "%s", msg);
        free(msg);
        cr_assert_eq(
                try_config(&(struct kl_http_tls_config){ .cert_file = cert, .key_file = other_key },
                           &msg),
                -EINVAL);
        cr_assert(strstr(msg, "mismatch") || strstr(msg, "does not match"), "%s", msg);
        free(msg);
        cr_assert_eq(
                try_config(&(struct kl_http_tls_config){ .cert_pem = "garbage", .key_file = key },
                           &msg),
                -EINVAL);
        free(msg);
        cr_assert_eq(try_config(&(struct kl_http_tls_config){ .cert_file = cert,
                                                              .cert_pem = cert_pem,
                                                              .key_file = key },
                                &msg),
                     -EINVAL);
        free(msg);
        cr_assert_eq(try_config(&(struct kl_http_tls_config){ .key_file = key }, &msg), -EINVAL);
        free(msg);
        cr_assert_eq(try_config(&(struct kl_http_tls_config){ .cert_file = cert,
                                                              .key_file = key,
                                                              .client_ca_pem = "nope" },
                                &msg),
                     -EINVAL);
        free(msg);
}

Test(tls, protocol_versions)
{
        TLS_SERVER(h, ts, false);
        struct ht_client c;
        struct ht_resp r;
        struct ht_tls_opts tls12 = { .max_version = TLS1_2_VERSION };
        struct ht_tls_opts tls11 = { .max_version = TLS1_1_VERSION };

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, &tls12), 1);
        cr_assert_eq(SSL_version(c.ssl), TLS1_2_VERSION);
        ht_get(&c, "/", &r);
        cr_assert_eq(r.status, 200);
        ht_resp_release(&r);
        ht_close(&c);
        cr_assert_neq(ht_connect_tls(&c, h.port, &tls11), 1);
        ht_close(&c);
        ht_stop(&h);
}

Test(tls, plain_http_to_the_tls_port_is_dropped)
{
        TLS_SERVER(h, ts, false);
        struct ht_client c;

        ht_start(&h);
        ht_connect(&c, h.port);
        ht_sends(&c, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        /* An alert or nothing, then the end: never an HTTP response. */
        while (ht_fill(&c))
                ;
        cr_assert(c.len == 0 || memmem(c.buf, c.len, "HTTP/1.1", 8) == NULL);
        ht_close(&c);
        ht_stop(&h);
        cr_assert_eq(ts.seen.requests, 0);
}

static void end_stream(struct ht_server *h, void *arg)
{
        struct tls_state *ts = arg;

        (void)h;
        cr_assert_eq(kl_http_stream_write(ts->held, "{\"type\":\"DELETED\"}\n", 19), 0);
        cr_assert_eq(kl_http_stream_end(ts->held), 0);
        ts->held = NULL;
}

static bool stream_held(struct ht_server *h)
{
        return ((struct tls_state *)h->test)->held != NULL;
}

Test(tls, streaming_through_the_memory_bios)
{
        TLS_SERVER(h, ts, false);
        struct ht_client c;
        struct ht_resp r;
        char *chunk = NULL;

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, NULL), 1);
        ht_sends(&c, "GET /stream HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(ht_read_head(&c, &r));
        cr_assert_str_eq(ht_header(&r, "Transfer-Encoding"), "chunked");
        cr_assert_eq(ht_read_chunk(&c, &chunk), 17);
        cr_assert_str_eq(chunk, "{\"type\":\"ADDED\"}\n");
        free(chunk);
        cr_assert(ht_wait_for(&h, stream_held, 5000));
        ht_call(&h, end_stream, &ts);
        cr_assert_eq(ht_read_chunk(&c, &chunk), 19);
        free(chunk);
        cr_assert_eq(ht_read_chunk(&c, &chunk), 0);
        free(chunk);
        ht_get(&c, "/", &r);
        cr_assert_str_eq(r.body, "secure\n");
        ht_resp_release(&r);
        ht_close(&c);
        ht_stop(&h);
}

Test(tls, large_response_and_pipelining)
{
        TLS_SERVER(h, ts, false);
        struct ht_client c;
        struct ht_resp r;
        kl_autobuf struct kl_buf reqs = KL_BUF_INIT;

        ht_start(&h);
        cr_assert_eq(ht_connect_tls(&c, h.port, NULL), 1);
        for (int i = 0; i < 20; i++)
                (void)kl_buf_puts(&reqs, i % 5 == 2 ? "GET /big HTTP/1.1\r\nHost: t\r\n\r\n"
                                                    : "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
        ht_send(&c, reqs.buf, reqs.len);
        for (int i = 0; i < 20; i++) {
                cr_assert(ht_read_response(&c, &r, false));
                if (i % 5 == 2) {
                        cr_assert_eq(r.body_len, BIG_SIZE);
                        for (size_t k = 0; k < BIG_SIZE; k += 4099)
                                cr_assert_eq(r.body[k], (char)('a' + k % 26));
                } else {
                        cr_assert_str_eq(r.body, "secure\n");
                }
                ht_resp_release(&r);
        }
        ht_close(&c);
        ht_stop(&h);
        cr_assert_eq(ts.seen.requests, 20);
}
