/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A chained hash map from borrowed strings to pointers, for the work queue's
 * keys and the event recorder's de-duplication cache. Separate chaining with
 * FNV-1a and a power-of-two bucket count that doubles at load factor 1.
 */
#include <stdlib.h>
#include <string.h>

#include "client/client-internal.h"

struct kl_client__map_entry {
        struct kl_client__map_entry *next;
        const char *key; /* borrowed from the value */
        size_t hash;
        void *value; /* borrowed */
};

static size_t hash_str(const char *s)
{
        uint64_t h = 1469598103934665603ULL;

        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 1099511628211ULL;
        }
        return (size_t)h;
}

void *kl_client__map_get(const struct kl_client__map *m, const char *key)
{
        size_t h;

        if (m->n_buckets == 0)
                return NULL;
        h = hash_str(key);
        for (struct kl_client__map_entry *e = m->buckets[h & (m->n_buckets - 1)]; e; e = e->next)
                if (e->hash == h && kl_streq(e->key, key))
                        return e->value;
        return NULL;
}

static void grow(struct kl_client__map *m)
{
        size_t nb = m->n_buckets ? m->n_buckets * 2 : 16;
        struct kl_client__map_entry **b = kl_calloc(nb, sizeof(*b));

        for (size_t i = 0; i < m->n_buckets; i++) {
                struct kl_client__map_entry *e = m->buckets[i], *next;

                for (; e; e = next) {
                        next = e->next;
                        e->next = b[e->hash & (nb - 1)];
                        b[e->hash & (nb - 1)] = e;
                }
        }
        free(m->buckets);
        m->buckets = b;
        m->n_buckets = nb;
}

void kl_client__map_put(struct kl_client__map *m, const char *key, void *value)
{
        struct kl_client__map_entry *e;
        size_t i;

        kl_assert_debug(!kl_client__map_get(m, key));
        if (m->n >= m->n_buckets)
                grow(m);
        e = kl_new0(struct kl_client__map_entry);
        e->key = key;
        e->hash = hash_str(key);
        e->value = value;
        i = e->hash & (m->n_buckets - 1);
        e->next = m->buckets[i];
        m->buckets[i] = e;
        m->n++;
}

void *kl_client__map_remove(struct kl_client__map *m, const char *key)
{
        struct kl_client__map_entry **pp;
        size_t h;

        if (m->n_buckets == 0)
                return NULL;
        h = hash_str(key);
        for (pp = &m->buckets[h & (m->n_buckets - 1)]; *pp; pp = &(*pp)->next) {
                struct kl_client__map_entry *e = *pp;
                void *value;

                if (e->hash != h || !kl_streq(e->key, key))
                        continue;
                *pp = e->next;
                value = e->value;
                free(e);
                m->n--;
                return value;
        }
        return NULL;
}

void kl_client__map_drain(struct kl_client__map *m, void (*fn)(void *value))
{
        for (size_t i = 0; i < m->n_buckets; i++) {
                struct kl_client__map_entry *e = m->buckets[i], *next;

                for (; e; e = next) {
                        next = e->next;
                        if (fn)
                                fn(e->value);
                        free(e);
                }
        }
        free(m->buckets);
        m->buckets = NULL;
        m->n_buckets = m->n = 0;
}

void kl_client__map_release(struct kl_client__map *m)
{
        kl_client__map_drain(m, NULL);
}
