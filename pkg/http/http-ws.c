/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WebSocket (RFC 6455): the handshake answer, an incremental decoder of client
 * frames, and the session that sits on an upgraded connection.
 *
 * The decoder is pure (no I/O) so it can be fuzzed and unit-tested alone. It
 * enforces what the RFC makes mandatory for a server: client frames are
 * masked, reserved bits and opcodes are unused (we negotiate no extensions),
 * control frames are short and unfragmented, continuation frames continue
 * something, and text messages are UTF-8. The size of a message is checked
 * against the limit from the frame header, before any payload byte is
 * stored, so a 2^63-byte length costs nothing.
 *
 * The session answers pings itself (kubectl extends its read deadline only
 * on pongs, see kubectl-contract.md §16.1) and runs the close handshake:
 * whoever closes first, the server closes the TCP connection once both close
 * frames are exchanged (RFC 6455 §7.1.1).
 */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "http/http-internal.h"
#include "loop/loop.h"

enum decoder_state {
        D_HEADER,
        D_PAYLOAD,
};

/* How long a close frame we sent waits for the peer's answer before the connection goes. */
#define WS_CLOSE_WAIT_MS 5000

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void kl_http__ws_decoder_init(struct kl_http__ws_decoder *d, size_t max_message)
{
        *d = (struct kl_http__ws_decoder){
                .max_message = max_message,
                .state = D_HEADER,
                .hdr_need = 2,
        };
        kl_buf_init(&d->message, max_message);
}

void kl_http__ws_decoder_release(struct kl_http__ws_decoder *d)
{
        kl_buf_release(&d->message);
}

static int ws_fail(struct kl_http__ws_decoder *d, int close_code, const char *why)
{
        d->close_code = close_code;
        d->error = why;
        return -EBADMSG;
}

bool kl_http__utf8_valid(const uint8_t *s, size_t len)
{
        size_t i = 0;

        while (i < len) {
                uint8_t c = s[i];
                size_t n;
                uint32_t cp, min;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if ((c & 0xe0) == 0xc0) {
                        n = 1;
                        cp = c & 0x1f;
                        min = 0x80;
                } else if ((c & 0xf0) == 0xe0) {
                        n = 2;
                        cp = c & 0x0f;
                        min = 0x800;
                } else if ((c & 0xf8) == 0xf0) {
                        n = 3;
                        cp = c & 0x07;
                        min = 0x10000;
                } else {
                        return false;
                }
                if (len - i - 1 < n)
                        return false;
                for (size_t k = 1; k <= n; k++) {
                        if ((s[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3f);
                }
                /* Overlong forms, UTF-16 surrogates, beyond Unicode. */
                if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return false;
                i += n + 1;
        }
        return true;
}

/* The whole header is in d->hdr: validate it and set up the payload. */
static int header_done(struct kl_http__ws_decoder *d)
{
        const uint8_t *h = d->hdr;
        bool is_control;
        uint64_t len = h[1] & 0x7f;
        size_t off = 2;

        d->fin = h[0] & 0x80;
        d->opcode = h[0] & 0x0f;
        if (h[0] & 0x70)
                return ws_fail(d, 1002, "reserved bits set");
        /* Clients mask every frame, servers none (RFC 6455 §5.1); the WebSocket client
         * (http-ws-client.c) reads servers'. */
        if (!(h[1] & 0x80) && !d->from_server)
                return ws_fail(d, 1002, "unmasked client frame");
        if ((h[1] & 0x80) && d->from_server)
                return ws_fail(d, 1002, "masked server frame");
        if (len == 126) {
                len = (uint64_t)h[2] << 8 | h[3];
                off = 4;
        } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++)
                        len = len << 8 | h[2 + i];
                off = 10;
                if (len >> 63)
                        return ws_fail(d, 1002, "frame length out of range");
        }
        if (d->from_server)
                memset(d->mask, 0, sizeof(d->mask));
        else
                memcpy(d->mask, h + off, 4);

        is_control = d->opcode & 0x8;
        switch (d->opcode) {
        case KL_HTTP__WS_CONT:
                if (!d->msg_opcode)
                        return ws_fail(d, 1002, "continuation frame outside a message");
                break;
        case KL_HTTP__WS_TEXT:
        case KL_HTTP__WS_BINARY:
                if (d->msg_opcode)
                        return ws_fail(d, 1002, "new message inside a fragmented one");
                break;
        case KL_HTTP__WS_CLOSE:
        case KL_HTTP__WS_PING:
        case KL_HTTP__WS_PONG:
                break;
        default:
                return ws_fail(d, 1002, "reserved opcode");
        }
        if (is_control) {
                if (!d->fin)
                        return ws_fail(d, 1002, "fragmented control frame");
                if (len > sizeof(d->control))
                        return ws_fail(d, 1002, "control frame too long");
                d->control_len = 0;
        } else {
                /* Bounded before anything is stored (STYLE R5.2). */
                if (len > d->max_message - d->message.len)
                        return ws_fail(d, 1009, "message too big");
                if (d->opcode != KL_HTTP__WS_CONT)
                        d->msg_opcode = d->opcode;
        }
        d->remaining = len;
        d->offset = 0;
        d->state = D_PAYLOAD;
        return 0;
}

/* A frame is complete: is that an event? */
static int frame_done(struct kl_http__ws_decoder *d)
{
        d->state = D_HEADER;
        d->hdr_len = 0;
        d->hdr_need = 2;
        if (d->opcode & 0x8) {
                d->ctl_opcode = d->opcode;
                return KL_HTTP__WS_EV_CONTROL;
        }
        if (!d->fin)
                return KL_HTTP__WS_EV_AGAIN;
        if (d->msg_opcode == KL_HTTP__WS_TEXT &&
            !kl_http__utf8_valid((const uint8_t *)d->message.buf, d->message.len))
                return ws_fail(d, 1007, "text message is not UTF-8");
        d->msg_done = true;
        return KL_HTTP__WS_EV_MESSAGE;
}

int kl_http__ws_decoder_feed(struct kl_http__ws_decoder *d, const uint8_t *data, size_t len,
                             size_t *ret_used)
{
        size_t i = 0;
        int r;

        *ret_used = 0;
        if (d->close_code)
                return -EBADMSG;
        if (d->msg_done) {
                kl_buf_reset(&d->message);
                d->msg_opcode = 0;
                d->msg_done = false;
        }
        while (i < len) {
                if (d->state == D_HEADER) {
                        size_t n = KL_MIN(d->hdr_need - d->hdr_len, len - i);

                        memcpy(d->hdr + d->hdr_len, data + i, n);
                        d->hdr_len += n;
                        i += n;
                        if (d->hdr_len == 2) {
                                uint8_t l7 = d->hdr[1] & 0x7f;

                                /* The mask is always there in valid input; header_done() checks. */
                                d->hdr_need = 2 +
                                              (l7 == 126   ? 2
                                               : l7 == 127 ? 8
                                                           : 0) +
                                              ((d->hdr[1] & 0x80) ? 4 : 0);
                        }
                        if (d->hdr_len < d->hdr_need)
                                continue;
                        r = header_done(d);
                        if (r < 0) {
                                *ret_used = i;
                                return r;
                        }
                        if (d->remaining > 0)
                                continue;
                } else {
                        size_t n = (size_t)KL_MIN((uint64_t)(len - i), d->remaining);
                        uint8_t *dst;

                        if (d->opcode & 0x8) {
                                dst = d->control + d->control_len;
                                d->control_len += n;
                        } else {
                                /* Cannot fail: header_done() checked the whole frame fits. */
                                kl_assert(kl_buf_grow(&d->message, n) == 0);
                                dst = (uint8_t *)d->message.buf + d->message.len;
                                d->message.len += n;
                                d->message.buf[d->message.len] = '\0';
                        }
                        for (size_t k = 0; k < n; k++)
                                dst[k] = data[i + k] ^ d->mask[(d->offset + k) & 3];
                        d->offset += n;
                        d->remaining -= n;
                        i += n;
                        if (d->remaining > 0)
                                continue;
                }
                r = frame_done(d);
                if (r != KL_HTTP__WS_EV_AGAIN) {
                        *ret_used = i;
                        return r;
                }
        }
        *ret_used = i;
        return KL_HTTP__WS_EV_AGAIN;
}

size_t kl_http__ws_frame_header(uint8_t out[10], int opcode, uint64_t len)
{
        out[0] = (uint8_t)(0x80 | opcode);
        if (len < 126) {
                out[1] = (uint8_t)len;
                return 2;
        }
        if (len <= 0xffff) {
                out[1] = 126;
                out[2] = (uint8_t)(len >> 8);
                out[3] = (uint8_t)len;
                return 4;
        }
        out[1] = 127;
        for (int i = 0; i < 8; i++)
                out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
        return 10;
}

int kl_http__ws_accept_key(const char *key, char out[29])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int md_len = 0;
        kl_autofree char *text = kl_asprintf("%s%s", key, ws_guid);

        if (EVP_Digest(text, strlen(text), md, &md_len, EVP_sha1(), NULL) != 1 || md_len != 20)
                return -EIO;
        /* 20 bytes encode to 28 characters plus the NUL EVP_EncodeBlock writes. */
        if (EVP_EncodeBlock((unsigned char *)out, md, 20) != 28)
                return -EIO;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Handshake */

bool kl_http_req_is_websocket(const struct kl_http_req *req)
{
        const struct kl_http__msg *m = &req->msg;
        const char *version, *key;
        size_t klen;

        if (strcmp(m->method, "GET") != 0 || m->version_minor < 1 ||
            !(m->flags & KL_HTTP__MSG_UPGRADE_WS) || !(m->flags & KL_HTTP__MSG_CONN_UPGRADE))
                return false;
        version = kl_http__msg_header(m, "Sec-WebSocket-Version");
        key = kl_http__msg_header(m, "Sec-WebSocket-Key");
        if (!version || strcmp(version, "13") != 0 || !key)
                return false;
        /* base64 of 16 random bytes: 22 characters and "==" (RFC 6455 §4.1). */
        klen = strlen(key);
        if (klen != 24 || strcmp(key + 22, "==") != 0)
                return false;
        for (size_t i = 0; i < 22; i++) {
                char c = key[i];

                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '+' || c == '/'))
                        return false;
        }
        return true;
}

bool kl_http_req_ws_offers(const struct kl_http_req *req, const char *protocol)
{
        const struct kl_http__msg *m = &req->msg;

        for (size_t i = 0; i < m->n_headers; i++)
                if (strcasecmp(m->headers[i].name, "Sec-WebSocket-Protocol") == 0 &&
                    kl_http__list_has_token(m->headers[i].value, protocol))
                        return true;
        return false;
}

static struct kl_http__conn *ws_conn(const struct kl_http_ws *ws)
{
        return ws->req->conn;
}

int kl_http_ws_accept(struct kl_http_req *req, const char *subprotocol,
                      const struct kl_http_ws_callbacks *cbs, void *userdata,
                      struct kl_http_ws **ret_ws, struct kl_err **err)
{
        struct kl_http__conn *c = req->conn;
        kl_autobuf struct kl_buf head = KL_BUF_INIT;
        struct kl_http_ws *ws;
        char accept[29];
        int r;

        kl_loop_assert_loop_thread(c->tcp.loop);
        if (req->resp != KL_HTTP__RESP_NONE)
                return kl_err_set(err, -EALREADY, "websocket accept: response already started");
        if (!kl_http_req_is_websocket(req))
                return kl_err_set(err, -EINVAL, "websocket accept: not an upgrade request");
        if (subprotocol &&
            (!kl_http__is_subprotocol(subprotocol) || !kl_http_req_ws_offers(req, subprotocol)))
                return kl_err_set(err, -EINVAL, "websocket accept: subprotocol '%s' not offered",
                                  subprotocol);
        if (c->closing) {
                kl_http__req_finish(req);
                return kl_err_set(err, -ECONNRESET, "websocket accept: connection closed");
        }
        r = kl_http__ws_accept_key(kl_http__msg_header(&req->msg, "Sec-WebSocket-Key"), accept);
        if (r < 0)
                return kl_err_set(err, r, "websocket accept: SHA-1");

        (void)kl_buf_printf(&head,
                            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n",
                            accept);
        if (subprotocol)
                (void)kl_buf_printf(&head, "Sec-WebSocket-Protocol: %s\r\n", subprotocol);
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
        kl_http__ws_decoder_init(&ws->dec, c->server->limits.max_ws_message);

        /* Switch before finishing, so finishing does not start the next request. */
        c->state = KL_HTTP__CONN_UPGRADED;
        c->close_after = false;
        r = kl_http__conn_send(c, head.buf, head.len, NULL, 0);
        kl_http__req_finish(req);
        if (r < 0) {
                /* Not attached yet, so on_close never runs for this one. */
                kl_http_ws_unref(ws);
                return kl_err_set(err, r, "websocket accept: connection closed");
        }
        c->ws = ws;
        kl_http__conn_arm_timer(c);
        if (c->server->closing)
                kl_http__ws_shutdown(ws);
        /*
         * Frames the client sent right behind its request wait in the
         * connection until the 101 is written (conn_on_write()), so no callback
         * runs before this function returns.
         */
        *ret_ws = ws;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Session */

/* The WebSocket is over: tell the application, exactly once. */
static void ws_finish(struct kl_http_ws *ws, int code)
{
        struct kl_http__conn *c = ws_conn(ws);

        if (!ws->open)
                return;
        ws->open = false;
        if (c->ws == ws)
                c->ws = NULL;
        if (ws->cbs.on_close) {
                kl_http_ws_ref(ws);
                ws->cbs.on_close(ws, code, ws->userdata);
                kl_http_ws_unref(ws);
        }
}

static int ws_send_frame(struct kl_http_ws *ws, int opcode, const void *data, size_t len)
{
        uint8_t hdr[10];
        size_t n = kl_http__ws_frame_header(hdr, opcode, len);

        return kl_http__conn_send(ws_conn(ws), hdr, n, data, len);
}

static void ws_send_close(struct kl_http_ws *ws, uint16_t code, const char *reason)
{
        uint8_t payload[125];
        size_t rlen = reason ? KL_MIN(strlen(reason), sizeof(payload) - 2) : 0;

        if (ws->close_sent)
                return;
        ws->close_sent = true;
        payload[0] = (uint8_t)(code >> 8);
        payload[1] = (uint8_t)code;
        /* A frame payload, not a string: no NUL belongs in it. */
        if (rlen)
                memcpy(payload + 2, reason, rlen); /* NOLINT(bugprone-not-null-terminated-result) */
        (void)ws_send_frame(ws, KL_HTTP__WS_CLOSE, payload, 2 + rlen);
}

/* RFC 6455 §7.4: the codes an endpoint may receive in a close frame. */
static bool close_code_valid(unsigned code)
{
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
               (code >= 3000 && code <= 4999);
}

static void ws_on_close_frame(struct kl_http_ws *ws)
{
        struct kl_http__ws_decoder *d = &ws->dec;
        struct kl_http__conn *c = ws_conn(ws);
        int code = 1005;

        if (d->control_len == 1) {
                code = 1002;
        } else if (d->control_len >= 2) {
                code = d->control[0] << 8 | d->control[1];
                if (!close_code_valid((unsigned)code))
                        code = 1002;
                else if (!kl_http__utf8_valid(d->control + 2, d->control_len - 2))
                        code = 1007;
        }
        ws->close_received = true;
        /* Echo the peer's code, or say what was wrong with its close frame. */
        ws_send_close(ws, code == 1005 ? 1000 : (uint16_t)code, NULL);
        kl_http__conn_close_after_write(c);
        ws_finish(ws, code);
}

void kl_http__ws_input(struct kl_http_ws *ws, const char *data, size_t len, size_t *ret_used)
{
        struct kl_http__conn *c = ws_conn(ws);
        size_t i = 0;

        kl_http_ws_ref(ws);
        if (ws->raw) {
                /* Unframed: the bytes as they came; dropped once we are closing. */
                if (ws->cbs.on_message && !ws->close_sent && len > 0)
                        ws->cbs.on_message(ws, KL_HTTP_WS_BINARY, data, len, ws->userdata);
                *ret_used = len;
                kl_http_ws_unref(ws);
                return;
        }
        /*
         * The reference above keeps ws (and through its request, c) alive while
         * callbacks drop theirs; the analyzer cannot count references.
         */
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
        while (i < len && ws->open && !ws->paused && !c->closing) {
                size_t used = 0;
                int r = kl_http__ws_decoder_feed(&ws->dec, (const uint8_t *)data + i, len - i,
                                                 &used);

                i += used;
                if (r < 0) {
                        kl_log_debug(KL_LOG_HTTP, "websocket protocol error peer=%s: %s", c->peer,
                                     ws->dec.error);
                        ws_send_close(ws, (uint16_t)ws->dec.close_code, NULL);
                        kl_http__conn_close_after_write(c);
                        ws_finish(ws, ws->dec.close_code);
                        break;
                }
                if (r == KL_HTTP__WS_EV_MESSAGE) {
                        /* After our close frame the application has said it is done. */
                        if (ws->cbs.on_message && !ws->close_sent)
                                ws->cbs.on_message(ws, (enum kl_http_ws_opcode)ws->dec.msg_opcode,
                                                   ws->dec.message.buf, ws->dec.message.len,
                                                   ws->userdata);
                } else if (r == KL_HTTP__WS_EV_CONTROL) {
                        if (ws->dec.ctl_opcode == KL_HTTP__WS_PING && !ws->close_sent)
                                (void)ws_send_frame(ws, KL_HTTP__WS_PONG, ws->dec.control,
                                                    ws->dec.control_len);
                        else if (ws->dec.ctl_opcode == KL_HTTP__WS_CLOSE)
                                ws_on_close_frame(ws);
                }
        }
        /* Once closed, whatever follows is dropped. */
        /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc): still our reference, see above. */
        *ret_used = ws->open && !c->closing ? i : len;
        kl_http_ws_unref(ws);
}

void kl_http__ws_conn_closed(struct kl_http_ws *ws)
{
        /*
         * Without a completed close handshake the end is abnormal (RFC 6455
         * §7.1.5). A raw connection has no handshake: our own close is normal.
         */
        ws_finish(ws, ws->raw && ws->close_sent ? 1000 : 1006);
}

void kl_http__ws_shutdown(struct kl_http_ws *ws)
{
        (void)kl_http_ws_close(ws, 1001, "server shutting down");
}

/* A raw connection ends by closing once what is queued is written. */
static void raw_close(struct kl_http_ws *ws)
{
        struct kl_http__conn *c = ws_conn(ws);

        if (ws->close_sent)
                return;
        ws->close_sent = true;
        if (ws->paused) {
                ws->paused = false;
                if (c->ws == ws)
                        kl_http__conn_set_paused(c, false);
        }
        kl_http__conn_close_after_write(c);
}

int kl_http_ws_send(struct kl_http_ws *ws, enum kl_http_ws_opcode op, const void *data, size_t len)
{
        struct kl_http__conn *c = ws_conn(ws);

        kl_loop_assert_loop_thread(c->tcp.loop);
        if (op != KL_HTTP_WS_TEXT && op != KL_HTTP_WS_BINARY)
                return -EINVAL;
        if (!ws->open || ws->close_sent || c->closing)
                return -ECONNRESET;
        if (kl_http__conn_unsent(c) > c->server->limits.max_stream_queued)
                return -ENOBUFS;
        if (ws->raw)
                return len > 0 ? kl_http__conn_send(c, data, len, NULL, 0) : 0;
        return ws_send_frame(ws, op, data, len);
}

int kl_http_ws_close(struct kl_http_ws *ws, uint16_t code, const char *reason)
{
        struct kl_http__conn *c = ws_conn(ws);

        kl_loop_assert_loop_thread(c->tcp.loop);
        if (!ws->open || ws->close_sent || c->closing)
                return 0;
        if (ws->raw) {
                raw_close(ws);
                return 0;
        }
        ws_send_close(ws, code, reason);
        c->deadline_ms = uv_now(c->tcp.loop) + WS_CLOSE_WAIT_MS;
        kl_http__conn_arm_timer(c);
        return 0;
}

size_t kl_http_ws_output_queued(const struct kl_http_ws *ws)
{
        return kl_http__conn_unsent(ws_conn(ws));
}

void kl_http_ws_pause(struct kl_http_ws *ws, bool pause)
{
        struct kl_http__conn *c = ws_conn(ws);

        kl_loop_assert_loop_thread(c->tcp.loop);
        if (ws->paused == pause)
                return;
        ws->paused = pause;
        if (!c->closing && c->ws == ws)
                kl_http__conn_set_paused(c, pause);
}

struct kl_http_req *kl_http_ws_req(struct kl_http_ws *ws)
{
        return ws->req;
}

struct kl_http_ws *kl_http_ws_ref(struct kl_http_ws *ws)
{
        kl_assert(ws->refs > 0);
        ws->refs++;
        return ws;
}

struct kl_http_ws *kl_http_ws_unref(struct kl_http_ws *ws)
{
        struct kl_http__conn *c;

        if (!ws)
                return NULL;
        kl_assert(ws->refs > 0);
        if (--ws->refs > 0)
                return NULL;
        c = ws_conn(ws);
        if (ws->open) {
                /* The application let go of an open WebSocket: end it, quietly. */
                ws->open = false;
                if (c->ws == ws)
                        c->ws = NULL;
                if (!c->closing) {
                        if (!ws->raw)
                                ws_send_close(ws, 1001, NULL);
                        kl_http__conn_close_after_write(c);
                }
        }
        kl_http__ws_decoder_release(&ws->dec);
        kl_http_req_unref(ws->req);
        free(ws);
        return NULL;
}
