/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client internals shared by the files of this module and its unit tests
 * (STYLE R2.1).
 *
 *   client.c     the kl_client_* wrappers, keys, object vectors
 *   event.c      the event recorder (kl_client_event)
 *   informer.c   informers: list, watch, relist, store, indexes, handlers
 *   workqueue.c  work queues: dedupe, back-off, delayed adds, workers
 */
#ifndef KL_CLIENT_CLIENT_INTERNAL_H
#define KL_CLIENT_CLIENT_INTERNAL_H

#include "client/client.h"

/* Events remembered for de-duplication (R5.2: bounded), as upstream's LRU. */
#define KL_CLIENT_EVENT_CACHE_MAX 4096u
/* A repeat within this long bumps the existing Event instead of making another. */
#define KL_CLIENT_EVENT_DEDUP_USEC (10 * KL_USEC_PER_MIN)
/* Longest Event message kept (longer ones are cut, as upstream's recorder does). */
#define KL_CLIENT_EVENT_MESSAGE_MAX 1024u
/* Event writes in flight per client; more wait their turn (event.c: events yield). */
#define KL_CLIENT_EVENT_INFLIGHT_MAX 8u
/* Events waiting for a write slot (R5.2); a new one beyond this is dropped. */
#define KL_CLIENT_EVENT_WAITING_MAX 16384u

/* The client is being freed: writes completing now start no others. NULL is a no-op. */
void kl_client__recorder_close(struct kl_client__recorder *rec);
/* Free the recorder of a client (NULL is a no-op). Its writes have completed. */
void kl_client__recorder_free(struct kl_client__recorder *rec);
/* How many events the recorder remembers (tests). */
size_t kl_client__recorder_size(const struct kl_client__recorder *rec);
/* How many events wait for a write slot (tests). */
size_t kl_client__recorder_waiting(const struct kl_client__recorder *rec);

/*
 * Informer test hooks: stop the watch as a dropped connection would
 * (nothing more arrives), and watch again from the last resourceVersion
 * seen, as the informer does after a dropped watch.
 */
void kl_client__informer_pause(struct kl_informer *inf);
void kl_client__informer_resume(struct kl_informer *inf);
/* How many values index `index` holds (tests: entries are removed with their objects). */
size_t kl_client__informer_index_size(const struct kl_informer *inf, const char *index);

/* Order of store keys: by namespace, then name (upstream's list order). */
int kl_client__key_cmp(const char *a, const char *b);

/* The back-off exponent a work queue keeps for `key` (tests). */
unsigned kl_client__workqueue_failures(const struct kl_workqueue *q, const char *key);

/*
 * The remote client's parsers of server output (client-remote.c), fuzzed by
 * fuzz/fuzz-watch-stream.c.
 *
 * A watch stream is newline-delimited JSON {"type": ..., "object": {...}}.
 * The decoder keeps the partial last line (at most `max` bytes: longer lines
 * fail with -E2BIG) and calls `fn` for each complete event with the object
 * (a new reference, stolen by fn). `fn` returns 0 to go on, or 1 to stop
 * decoding at once (the rest of `data` is dropped). A malformed line or an
 * unknown type fails with -EINVAL; the decoder is then unusable.
 */
struct kl_client__watch_decoder {
        struct kl_buf line;
        size_t max;
};
typedef int kl_client__watch_event_fn(void *arg, enum kl_client_event_type t, json_t *obj);
void kl_client__watch_decoder_init(struct kl_client__watch_decoder *d, size_t max);
void kl_client__watch_decoder_release(struct kl_client__watch_decoder *d);
/* Returns 0, 1 when fn stopped it, or a negative code with err set. */
int kl_client__watch_decode(struct kl_client__watch_decoder *d, const char *data, size_t len,
                            kl_client__watch_event_fn *fn, void *arg, struct kl_err **err);
/*
 * The error of a non-2xx answer with `body` (a Status or anything else):
 * returns the negative code (see kl_client_remote_new()) with err set to
 * the Status message, or "the server answered <status>" without one.
 */
int kl_client__status_error(int status, const char *body, size_t len, struct kl_err **err);
/* A Status object for a watch that ended with `code` (negative) and `msg`. New reference. */
json_t *kl_client__status_new(int code, const char *msg);
/* Decode a response body that must be a JSON object (at most `max` bytes). */
int kl_client__decode_object(const char *body, size_t len, size_t max, json_t **ret,
                             struct kl_err **err);

#endif
