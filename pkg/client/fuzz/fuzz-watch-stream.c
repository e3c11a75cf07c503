/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the remote client parses of a server's output (client-remote.c): the
 * watch stream framing, fed whole and again in pieces whose sizes come from
 * the input, must give the same events and the same verdict; every line
 * kept stays within the decoder's bound; failures come with a message.
 * Status bodies of error answers map to a negative code with a message, and
 * response bodies decode to an object or fail with one.
 *
 * Input: byte 0 picks the piece size (1..64), byte 1 the HTTP status
 * (400 + b % 200), the rest is the stream and the body.
 */
#include <string.h>

#include "base/base.h"
#include "client/client-internal.h"
#include "testing/fuzz.h"

#define MAX_LINE 4096

struct events {
        char types[64];
        size_t n;
};

static int on_event(void *arg, enum kl_client_event_type t, json_t *obj)
{
        struct events *ev = arg;

        if (!json_is_object(obj) || t >= KL_CLIENT_EVENT_TYPE__COUNT)
                __builtin_trap();
        json_decref(obj);
        if (ev->n < sizeof(ev->types))
                ev->types[ev->n] = (char)('A' + t);
        ev->n++;
        return 0;
}

static int decode(const char *data, size_t len, size_t piece, struct events *ev)
{
        struct kl_client__watch_decoder dec;
        struct kl_err *err = NULL;
        int r = 0;

        kl_client__watch_decoder_init(&dec, MAX_LINE);
        for (size_t off = 0; off < len && r == 0; off += piece) {
                r = kl_client__watch_decode(&dec, data + off, KL_MIN(piece, len - off), on_event,
                                            ev, &err);
                if (dec.line.len > MAX_LINE)
                        __builtin_trap();
        }
        if (r < 0 && (!err || kl_isempty(kl_err_msg(err)) || err->code != -r))
                __builtin_trap();
        kl_err_free(err);
        kl_client__watch_decoder_release(&dec);
        return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct events whole = { 0 }, pieces = { 0 };
        struct kl_err *err = NULL;
        const char *text;
        size_t len, piece;
        json_t *obj = NULL;
        int status, r1, r2;

        if (size < 2)
                return 0;
        piece = (size_t)(data[0] % 64) + 1;
        status = 400 + data[1] % 200;
        text = (const char *)data + 2;
        len = size - 2;

        r1 = decode(text, len, len ? len : 1, &whole);
        r2 = decode(text, len, piece, &pieces);
        /* A failure stops at the same line either way; before it, the same events. */
        if (r1 != r2 || whole.n != pieces.n ||
            memcmp(whole.types, pieces.types, KL_MIN(whole.n, sizeof(whole.types))) != 0)
                __builtin_trap();

        r1 = kl_client__status_error(status, text, len, &err);
        if (r1 >= 0 || !err || err->code != -r1 || kl_isempty(kl_err_msg(err)))
                __builtin_trap();
        kl_err_free(err);
        err = NULL;

        r1 = kl_client__decode_object(text, len, MAX_LINE, &obj, &err);
        if (r1 == 0 ? !json_is_object(obj) : !err)
                __builtin_trap();
        json_decref(obj);
        kl_err_free(err);
        return 0;
}
