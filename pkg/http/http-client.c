/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP client (http.h "HTTP client"): libcurl's multi interface on the
 * loop, as curl's multi-uv example drives it. libcurl asks for socket
 * interest (on_curl_socket) and for one timer (on_curl_timer); the loop
 * tells it of readiness with curl_multi_socket_action(), and finished
 * transfers are collected from curl_multi_info_read() afterwards.
 *
 * libcurl forbids adding and removing easy handles from inside its own
 * callbacks (the write callback, which delivers stream data). So handles are
 * never added in kl_http_call_start(): the call is queued and a zero-delay
 * `kick` timer adds it from the loop. A cancel from inside a callback marks
 * the call; its next write aborts the transfer, and the kick removes and
 * frees it. Outside callbacks a cancel removes and frees at once.
 *
 * Ownership: the client owns its calls (list `calls`), each call its easy
 * handle, copied URL, body and headers and its response buffer. Each socket
 * has a `struct sock` with its uv_poll_t, freed when the poll handle closes;
 * the client itself is freed when its two timers have closed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http/http.h"

#define DEFAULT_CONNECT_TIMEOUT (10 * KL_USEC_PER_SEC)
#define DEFAULT_REQUEST_TIMEOUT (60 * KL_USEC_PER_SEC)
#define DEFAULT_MAX_RESPONSE    ((size_t)64 << 20)
#define DEFAULT_MAX_REQUESTS    8u
/* Error bodies of streaming calls are buffered up to this (a Status). */
#define STREAM_ERROR_BODY_MAX ((size_t)1 << 20)

struct kl_http_call {
        struct kl_http_call *next, *prev; /* in the client's `calls` */
        struct kl_http_client *c;         /* borrowed */
        CURL *easy;                       /* owned */
        struct curl_slist *headers;       /* owned */
        char *url;                        /* owned */
        char *body;                       /* owned; the request body */
        struct kl_buf resp;               /* the buffered response */
        kl_http_data_fn *data;
        kl_http_done_fn *done;
        void *arg;
        int abort_r;    /* why the write callback aborted, or 0 */
        bool added;     /* in the multi handle */
        bool stream;    /* a streaming call: not counted against max_requests */
        bool cancelled; /* waiting for the kick to remove and free it */
        char errbuf[CURL_ERROR_SIZE];
};

struct kl_http_client {
        uv_loop_t *loop;
        CURLM *multi;     /* owned */
        uv_timer_t timer; /* owned: libcurl's time-out */
        uv_timer_t kick;  /* owned: adds queued calls, frees cancelled ones */
        struct kl_http_call *calls, *calls_tail; /* oldest first */
        struct sock *socks;
        unsigned active, max_requests;  /* non-streaming calls in the multi handle */
        unsigned in_curl;               /* inside curl_multi_socket_action() */
        struct kl_http_call *finishing; /* whose `done` runs now (check_done()) */
        bool dead;                      /* freed from inside `done`: torn down after it */
        unsigned pending_closes;
        char *ca_pem, *cert_pem, *key_pem; /* owned */
        char *auth_header;                 /* owned: "Authorization: Bearer ..." or NULL */
        bool insecure;                     /* skip server verification */
        kl_usec_t connect_timeout, request_timeout;
        size_t max_response;
};

struct sock {
        struct sock *next, *prev; /* in the client's `socks` */
        uv_poll_t poll;
        curl_socket_t fd;
        struct kl_http_client *c; /* borrowed */
};

static void check_done(struct kl_http_client *c);
static void kick_start(struct kl_http_client *c);
static void client_teardown(struct kl_http_client *c);

/* ------------------------------------------------------------------------- */
/* The loop side of libcurl */

static void socket_action(struct kl_http_client *c, curl_socket_t fd, int events)
{
        int running;

        c->in_curl++;
        (void)curl_multi_socket_action(c->multi, fd, events, &running);
        c->in_curl--;
        check_done(c);
}

static void on_poll(uv_poll_t *h, int status, int events)
{
        struct sock *s = h->data;
        int flags = 0;

        if (status < 0)
                flags = CURL_CSELECT_ERR;
        if (events & UV_READABLE)
                flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
                flags |= CURL_CSELECT_OUT;
        socket_action(s->c, s->fd, flags);
}

static void on_sock_closed(uv_handle_t *h)
{
        free(h->data);
}

static void sock_close(struct sock *s)
{
        struct kl_http_client *c = s->c;

        if (s->prev)
                s->prev->next = s->next;
        else
                c->socks = s->next;
        if (s->next)
                s->next->prev = s->prev;
        (void)uv_poll_stop(&s->poll);
        uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
        struct kl_http_client *c = userp;
        struct sock *s = socketp;
        int events = 0;

        (void)easy;
        if (what == CURL_POLL_REMOVE) {
                if (s) {
                        sock_close(s);
                        (void)curl_multi_assign(c->multi, fd, NULL);
                }
                return 0;
        }
        if (!s) {
                s = kl_new0(struct sock);
                s->fd = fd;
                s->c = c;
                if (uv_poll_init_socket(c->loop, &s->poll, fd) < 0) {
                        free(s);
                        return -1;
                }
                s->poll.data = s;
                s->next = c->socks;
                if (c->socks)
                        c->socks->prev = s;
                c->socks = s;
                (void)curl_multi_assign(c->multi, fd, s);
        }
        if (what & CURL_POLL_IN)
                events |= UV_READABLE;
        if (what & CURL_POLL_OUT)
                events |= UV_WRITABLE;
        (void)uv_poll_start(&s->poll, events, on_poll);
        return 0;
}

static void on_timer(uv_timer_t *t)
{
        socket_action(t->data, CURL_SOCKET_TIMEOUT, 0);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
        struct kl_http_client *c = userp;

        (void)multi;
        if (timeout_ms < 0)
                (void)uv_timer_stop(&c->timer);
        else
                (void)uv_timer_start(&c->timer, on_timer, (uint64_t)timeout_ms, 0);
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Calls */

static void call_unlink(struct kl_http_call *call)
{
        struct kl_http_client *c = call->c;

        if (call->prev)
                call->prev->next = call->next;
        else
                c->calls = call->next;
        if (call->next)
                call->next->prev = call->prev;
        else
                c->calls_tail = call->prev;
        call->next = call->prev = NULL;
}

/* The call has left the multi handle: a queued one may take its place. */
static void call_removed(struct kl_http_call *call)
{
        struct kl_http_client *c = call->c;

        call->added = false;
        if (!call->stream) {
                kl_assert(c->active > 0);
                if (c->active-- == c->max_requests)
                        kick_start(c);
        }
}

/* Remove from the multi handle (outside libcurl's callbacks) and free. */
static void call_free(struct kl_http_call *call)
{
        if (call->added) {
                (void)curl_multi_remove_handle(call->c->multi, call->easy);
                call_removed(call);
        }
        call_unlink(call);
        curl_easy_cleanup(call->easy);
        curl_slist_free_all(call->headers);
        free(call->url);
        free(call->body);
        kl_buf_release(&call->resp);
        free(call);
}

static long response_status(const struct kl_http_call *call)
{
        long status = 0;

        (void)curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
        return status;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
        struct kl_http_call *call = userdata;
        size_t len = size * nmemb;
        long status;

        if (call->cancelled)
                return CURL_WRITEFUNC_ERROR;
        status = response_status(call);
        if (call->data && status >= 200 && status < 300) {
                int r = call->data(call->arg, ptr, len);

                if (call->cancelled)
                        return CURL_WRITEFUNC_ERROR;
                if (r == KL_HTTP_DATA_PAUSE) /* not taken; delivered again on resume */
                        return CURL_WRITEFUNC_PAUSE;
                if (r < 0) {
                        call->abort_r = r;
                        return CURL_WRITEFUNC_ERROR;
                }
                return len;
        }
        if (kl_buf_append(&call->resp, ptr, len) < 0) {
                call->abort_r = -E2BIG;
                return CURL_WRITEFUNC_ERROR;
        }
        return len;
}

/* A transport failure as a negative errno code. */
static int curl_code_to_errno(CURLcode cc)
{
        switch (cc) {
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_COULDNT_RESOLVE_HOST:
                return -EHOSTUNREACH;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
                return -EPROTO;
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
                return -ECONNRESET;
        default:
                return -EIO;
        }
}

static void call_finish(struct kl_http_call *call, CURLcode cc)
{
        kl_autoerr struct kl_err *e = NULL;
        long status = response_status(call);
        int r = 0;

        if (call->abort_r < 0) {
                r = call->abort_r;
                if (r == -E2BIG)
                        (void)kl_err_set_msg(&e, r,
                                             "HTTP %s: the response is larger than %zu bytes",
                                             call->url, call->resp.max);
                else
                        (void)kl_err_set_msg(&e, r, "HTTP %s: the stream was aborted: %s",
                                             call->url, kl_strerror(r));
        } else if (cc != CURLE_OK) {
                r = curl_code_to_errno(cc);
                (void)kl_err_set_msg(&e, r, "HTTP %s: %s", call->url,
                                     call->errbuf[0] ? call->errbuf : curl_easy_strerror(cc));
        }
        call->done(call->arg, r, r < 0 ? 0 : (int)status, call->resp.buf, call->resp.len, e);
}

/* Collect finished transfers: each call's `done`, then free it. */
static void check_done(struct kl_http_client *c)
{
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(c->multi, &left))) {
                struct kl_http_call *call = NULL;
                CURLcode cc = msg->data.result;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                (void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
                kl_assert(call);
                /* Out of the multi handle first: `done` may start or cancel other calls. */
                (void)curl_multi_remove_handle(c->multi, call->easy);
                call_removed(call);
                if (!call->cancelled) {
                        c->finishing = call;
                        call_finish(call, cc);
                        c->finishing = NULL;
                }
                call_free(call);
                if (c->dead) {
                        client_teardown(c);
                        return;
                }
        }
}

static void on_kick(uv_timer_t *t)
{
        struct kl_http_client *c = t->data;

        for (struct kl_http_call *call = c->calls, *next; call; call = next) {
                next = call->next;
                if (call->cancelled) {
                        call_free(call);
                        continue;
                }
                if (call->added)
                        continue;
                /* At most max_requests at once, oldest first; streams always start. */
                if (!call->stream && c->active >= c->max_requests)
                        continue;
                /* Fails only out of memory (or for misuse: in a callback, added twice). */
                kl_assert(curl_multi_add_handle(c->multi, call->easy) == CURLM_OK);
                call->added = true;
                if (!call->stream)
                        c->active++;
        }
}

static void kick_start(struct kl_http_client *c)
{
        (void)uv_timer_start(&c->kick, on_kick, 0, 0);
}

static long msec(kl_usec_t usec)
{
        return (long)((usec + KL_USEC_PER_MSEC - 1) / KL_USEC_PER_MSEC);
}

static void set_blob(CURL *easy, CURLoption opt, const char *pem)
{
        struct curl_blob blob = { .data = (void *)pem,
                                  .len = strlen(pem),
                                  .flags = CURL_BLOB_COPY };

        (void)curl_easy_setopt(easy, opt, &blob);
}

int kl_http_call_start(struct kl_http_client *c, const struct kl_http_call_opts *o,
                       struct kl_http_call **ret, struct kl_err **err)
{
        struct kl_http_call *call;
        kl_autobuf struct kl_buf hdr = KL_BUF_INIT;
        CURL *easy;

        if (!o->method || !o->url || !o->done)
                return kl_err_set_msg(err, -EINVAL, "HTTP call: method, url and done are required");
        easy = curl_easy_init();
        kl_assert(easy); /* only out of memory */
        call = kl_new0(struct kl_http_call);
        call->c = c;
        call->easy = easy;
        call->url = kl_strdup(o->url);
        call->data = o->data;
        call->stream = o->data != NULL;
        call->done = o->done;
        call->arg = o->arg;
        kl_buf_init(&call->resp, o->data ? STREAM_ERROR_BODY_MAX : c->max_response);

        (void)curl_easy_setopt(easy, CURLOPT_URL, call->url);
        (void)curl_easy_setopt(easy, CURLOPT_PRIVATE, call);
        (void)curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, call->errbuf);
        (void)curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
        (void)curl_easy_setopt(easy, CURLOPT_WRITEDATA, call);
        (void)curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        (void)curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        (void)curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
        (void)curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
        (void)curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, msec(c->connect_timeout));
        if (!o->data)
                (void)curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, msec(c->request_timeout));
        (void)curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, o->method);
        if (kl_streq(o->method, "HEAD"))
                (void)curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        if (c->ca_pem)
                set_blob(easy, CURLOPT_CAINFO_BLOB, c->ca_pem);
        if (c->insecure) {
                (void)curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
                (void)curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (c->cert_pem) {
                set_blob(easy, CURLOPT_SSLCERT_BLOB, c->cert_pem);
                (void)curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
        }
        if (c->key_pem) {
                set_blob(easy, CURLOPT_SSLKEY_BLOB, c->key_pem);
                (void)curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
        }
        if (c->auth_header)
                call->headers = curl_slist_append(call->headers, c->auth_header);
        kl_buf_reset(&hdr);
        (void)kl_buf_printf(&hdr, "Accept: %s", o->accept ? o->accept : "application/json");
        call->headers = curl_slist_append(call->headers, hdr.buf);
        if (o->content_type) {
                kl_buf_reset(&hdr);
                (void)kl_buf_printf(&hdr, "Content-Type: %s", o->content_type);
                call->headers = curl_slist_append(call->headers, hdr.buf);
                call->body = kl_malloc(o->body_len + 1);
                if (o->body_len)
                        memcpy(call->body, o->body, o->body_len);
                call->body[o->body_len] = '\0';
                (void)curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call->body);
                (void)curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
        }
        /* No "Expect: 100-continue" round trip for bodies. */
        call->headers = curl_slist_append(call->headers, "Expect:");
        kl_assert(call->headers);
        (void)curl_easy_setopt(easy, CURLOPT_HTTPHEADER, call->headers);

        call->prev = c->calls_tail;
        if (c->calls_tail)
                c->calls_tail->next = call;
        else
                c->calls = call;
        c->calls_tail = call;
        kick_start(c);
        if (ret)
                *ret = call;
        return 0;
}

/* Unpausing may run the write callback at once, so it counts as inside libcurl. */
void kl_http_call_resume(struct kl_http_call *call)
{
        if (!call || call->cancelled)
                return;
        call->c->in_curl++;
        (void)curl_easy_pause(call->easy, CURLPAUSE_CONT);
        call->c->in_curl--;
}

void kl_http_call_cancel(struct kl_http_call *call)
{
        if (!call)
                return;
        if (call->c->in_curl) {
                call->cancelled = true;
                kick_start(call->c);
                return;
        }
        call_free(call);
}

/* ------------------------------------------------------------------------- */
/* Life cycle */

static void global_init(void)
{
        kl_assert(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
}

int kl_http_client_new(uv_loop_t *loop, const struct kl_http_client_opts *opts,
                       struct kl_http_client **ret, struct kl_err **err)
{
        static uv_once_t once = UV_ONCE_INIT;
        static const struct kl_http_client_opts none = { 0 };
        struct kl_http_client *c;
        CURLM *multi;

        if (!opts)
                opts = &none;
        if (!opts->cert_pem != !opts->key_pem)
                return kl_err_set_msg(err, -EINVAL,
                                      "HTTP client: a client certificate needs its key");
        /* Process-wide and not thread-safe in old libcurls: once, before any handle. */
        uv_once(&once, global_init);
        multi = curl_multi_init();
        if (!multi)
                return kl_err_set_msg(err, -ENOMEM, "HTTP client: curl_multi_init failed");
        c = kl_new0(struct kl_http_client);
        c->loop = loop;
        c->multi = multi;
        c->ca_pem = opts->ca_pem ? kl_strdup(opts->ca_pem) : NULL;
        c->cert_pem = opts->cert_pem ? kl_strdup(opts->cert_pem) : NULL;
        c->key_pem = opts->key_pem ? kl_strdup(opts->key_pem) : NULL;
        if (!kl_isempty(opts->bearer_token))
                c->auth_header = kl_asprintf("Authorization: Bearer %s", opts->bearer_token);
        c->connect_timeout =
                opts->connect_timeout ? opts->connect_timeout : DEFAULT_CONNECT_TIMEOUT;
        c->request_timeout =
                opts->request_timeout ? opts->request_timeout : DEFAULT_REQUEST_TIMEOUT;
        c->max_response = opts->max_response ? opts->max_response : DEFAULT_MAX_RESPONSE;
        c->max_requests = opts->max_requests ? opts->max_requests : DEFAULT_MAX_REQUESTS;
        c->insecure = opts->insecure_skip_verify;
        kl_assert(uv_timer_init(loop, &c->timer) == 0);
        kl_assert(uv_timer_init(loop, &c->kick) == 0);
        c->timer.data = c;
        c->kick.data = c;
        (void)curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
        (void)curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, c);
        (void)curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
        (void)curl_multi_setopt(multi, CURLMOPT_TIMERDATA, c);
        *ret = c;
        return 0;
}

static void on_client_closed(uv_handle_t *h)
{
        struct kl_http_client *c = h->data;

        if (--c->pending_closes == 0)
                free(c);
}

static void client_teardown(struct kl_http_client *c)
{
        for (struct kl_http_call *call = c->calls, *next; call; call = next) {
                next = call->next;
                call_free(call);
        }
        /* Closes the cached connections; CURL_POLL_REMOVE closes their polls. */
        (void)curl_multi_cleanup(c->multi);
        /* Sockets libcurl did not report removed: their polls close here. */
        while (c->socks)
                sock_close(c->socks);
        free(c->ca_pem);
        free(c->cert_pem);
        if (c->key_pem) {
                explicit_bzero(c->key_pem, strlen(c->key_pem));
                free(c->key_pem);
        }
        if (c->auth_header) {
                explicit_bzero(c->auth_header, strlen(c->auth_header));
                free(c->auth_header);
        }
        c->pending_closes = 2;
        uv_close((uv_handle_t *)&c->timer, on_client_closed);
        uv_close((uv_handle_t *)&c->kick, on_client_closed);
}

void kl_http_client_free(struct kl_http_client *c)
{
        if (!c)
                return;
        kl_assert(!c->in_curl && !c->dead);
        if (c->finishing) {
                /* Inside a `done`: the others go now, the rest once it returns. */
                for (struct kl_http_call *call = c->calls, *next; call; call = next) {
                        next = call->next;
                        if (call != c->finishing)
                                call_free(call);
                }
                c->dead = true;
                return;
        }
        client_teardown(c);
}

void kl_http_escape(struct kl_buf *out, const char *s)
{
        static const char hex[] = "0123456789ABCDEF";

        for (; *s; s++) {
                unsigned char ch = (unsigned char)*s;

                if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
                        (void)kl_buf_putc(out, (char)ch);
                        continue;
                }
                (void)kl_buf_putc(out, '%');
                (void)kl_buf_putc(out, hex[ch >> 4]);
                (void)kl_buf_putc(out, hex[ch & 15]);
        }
}
