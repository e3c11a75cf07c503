/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client internals shared by the files of this module and its unit tests
 * (STYLE R2.1).
 *
 *   client.c     the kl_client_* wrappers, keys, object vectors
 *   event.c      the event recorder (kl_client_event)
 *   informer.c   informers: list, watch, relist, store, indexes, handlers
 *   workqueue.c  work queues: dedupe, back-off, delayed adds, workers
 *   map.c        a string-keyed hash map of pointers (work queue, recorder)
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

/* The client is being freed: writes completing now start no others. NULL is a no-op. */
void kl_client__recorder_close(struct kl_client__recorder *rec);
/* Free the recorder of a client (NULL is a no-op). Its writes have completed. */
void kl_client__recorder_free(struct kl_client__recorder *rec);
/* How many events the recorder remembers (tests). */
size_t kl_client__recorder_size(const struct kl_client__recorder *rec);

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

/*
 * A hash map from strings to pointers. Keys are borrowed from the values
 * (each value holds its own key and outlives its entry), so the map
 * allocates only its buckets and entries. Loop-thread state, no locks.
 */
struct kl_client__map_entry;
struct kl_client__map {
        struct kl_client__map_entry **buckets; /* owned */
        size_t n_buckets, n;
};

/* The value of `key`, or NULL. */
void *kl_client__map_get(const struct kl_client__map *m, const char *key);
/* Add `key` (borrowed: must stay valid until removed) -> `value`; the key must be absent. */
void kl_client__map_put(struct kl_client__map *m, const char *key, void *value);
/* Remove `key`; returns its value or NULL. */
void *kl_client__map_remove(struct kl_client__map *m, const char *key);
/* Free the map's memory (not the values). */
void kl_client__map_release(struct kl_client__map *m);
/* Call `fn` (may be NULL) on every value, then release the map. `fn` must not use the map. */
void kl_client__map_drain(struct kl_client__map *m, void (*fn)(void *value));
/* The back-off exponent a work queue keeps for `key` (tests). */
unsigned kl_client__workqueue_failures(const struct kl_workqueue *q, const char *key);

#endif
