/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Raw upgrades (http.h, "Raw upgrades"): the server side of the HTTP/1.1
 * `Upgrade: SPDY/3.1` handshake that client-go's SPDY round tripper makes
 * for exec, attach and port-forward (kubectl-contract.md §16.3, §17.1).
 *
 * After the 101 the connection is an unframed byte pipe. It is handed out as
 * a struct kl_http_ws in raw mode, so it has the WebSocket's life cycle
 * exactly: the connection is UPGRADED (no time-outs), output beyond
 * limits.max_stream_queued is refused with -ENOBUFS, kl_http_ws_pause() is
 * the back-pressure, the server's shutdown ends it. What differs lives in
 * the raw branches of http-ws.c: input bytes go to on_message as they
 * arrive, sends are written as they are, and closing means "close once the
 * queued output is written".
 *
 * Ownership as for kl_http_ws_accept(): the request is finished, the
 * returned handle holds a reference to it.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "http/http-internal.h"
#include "loop/loop.h"

bool kl_http_req_is_spdy(const struct kl_http_req *req)
{
        const struct kl_http__msg *m = &req->msg;
        const char *up = kl_http__msg_header(m, "Upgrade");

        /* client-go sends exactly "SPDY/3.1"; the token compares case-insensitively. */
        return m->version_minor >= 1 && (m->flags & KL_HTTP__MSG_CONN_UPGRADE) && up &&
               strcasecmp(up, KL_HTTP_SPDY_UPGRADE) == 0;
}

bool kl_http_req_stream_offers(const struct kl_http_req *req, const char *protocol)
{
        const struct kl_http__msg *m = &req->msg;

        /* One header field per version (client-go), or a comma list: both count. */
        for (size_t i = 0; i < m->n_headers; i++)
                if (strcasecmp(m->headers[i].name, "X-Stream-Protocol-Version") == 0 &&
                    kl_http__list_has_token(m->headers[i].value, protocol))
                        return true;
        return false;
}

int kl_http_spdy_accept(struct kl_http_req *req, const char *protocol,
                        const struct kl_http_ws_callbacks *cbs, void *userdata,
                        struct kl_http_ws **ret, struct kl_err **err)
{
        struct kl_http__conn *c = req->conn;
        kl_autobuf struct kl_buf head = KL_BUF_INIT;
        struct kl_http_ws *ws;
        int r;

        kl_loop_assert_loop_thread(c->tcp.loop);
        if (req->resp != KL_HTTP__RESP_NONE)
                return kl_err_set(err, -EALREADY, "spdy accept: response already started");
        if (!kl_http_req_is_spdy(req))
                return kl_err_set(err, -EINVAL, "spdy accept: not an upgrade request");
        if (protocol &&
            (!kl_http__is_subprotocol(protocol) || !kl_http_req_stream_offers(req, protocol)))
                return kl_err_set(err, -EINVAL, "spdy accept: protocol '%s' not offered", protocol);
        if (c->closing) {
                kl_http__req_finish(req);
                return kl_err_set(err, -ECONNRESET, "spdy accept: connection closed");
        }
        (void)kl_buf_puts(&head, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                                 "Upgrade: " KL_HTTP_SPDY_UPGRADE "\r\n");
        if (protocol)
                (void)kl_buf_printf(&head, "X-Stream-Protocol-Version: %s\r\n", protocol);
        for (size_t i = 0; i < req->n_resp_headers; i++)
                (void)kl_buf_printf(&head, "%s: %s\r\n", req->resp_headers[i].name,
                                    req->resp_headers[i].value);
        (void)kl_buf_puts(&head, "\r\n");

        ws = kl_new0(struct kl_http_ws);
        ws->refs = 1;
        ws->req = kl_http_req_ref(req);
        if (cbs)
                ws->cbs = *cbs;
        ws->userdata = userdata;
        ws->open = true;
        ws->raw = true;
        kl_http__ws_decoder_init(&ws->dec, 0); /* unused in raw mode */

        c->state = KL_HTTP__CONN_UPGRADED;
        c->close_after = false;
        r = kl_http__conn_send(c, head.buf, head.len, NULL, 0);
        kl_http__req_finish(req);
        if (r < 0) {
                kl_http_ws_unref(ws);
                return kl_err_set(err, r, "spdy accept: connection closed");
        }
        c->ws = ws;
        kl_http__conn_arm_timer(c);
        if (c->server->closing)
                kl_http__ws_shutdown(ws);
        *ret = ws;
        return 0;
}
