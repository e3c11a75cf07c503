/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct kl_strmap: a hash map from strings to pointers, for in-memory
 * indexes (the scheduler's node and pod caches, the client's work queues and
 * event recorder). Keys are borrowed from the values: each value holds its
 * own key and outlives its entry, so the map allocates only its slots. Not
 * thread-safe: the owner's thread only. A zeroed struct is an empty map.
 */
#ifndef KL_BASE_STRMAP_H
#define KL_BASE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kl_strmap_slot {
        const char *key; /* borrowed from the value; NULL: empty; KL_STRMAP_TOMB: deleted */
        void *value;
        uint64_t hash;
};

struct kl_strmap {
        struct kl_strmap_slot *slots; /* owned */
        size_t cap, n, used;          /* cap a power of two; used counts tombstones */
};

extern const char kl_strmap_tomb[];
#define KL_STRMAP_TOMB kl_strmap_tomb

/* Add or replace `key` -> `value`; `key` must stay valid while the entry exists. */
void kl_strmap_put(struct kl_strmap *m, const char *key, void *value);
/* The value of `key`, or NULL. */
void *kl_strmap_get(const struct kl_strmap *m, const char *key);
/* Remove `key`; returns its value, or NULL. */
void *kl_strmap_remove(struct kl_strmap *m, const char *key);
/* Iterate: for (size_t i = 0; kl_strmap_next(m, &i, &v);) — no puts or removes meanwhile. */
bool kl_strmap_next(const struct kl_strmap *m, size_t *i, void **ret_value);
/* Free the map's memory (not the values); the map is empty again. */
void kl_strmap_release(struct kl_strmap *m);
/* Call `fn` (may be NULL) on every value, then release. `fn` must not use the map. */
void kl_strmap_drain(struct kl_strmap *m, void (*fn)(void *value));

#endif
