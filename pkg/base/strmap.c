/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A string-keyed hash map with open addressing and linear probing. Keys are
 * borrowed from the values (a pod's "ns/name", a work-queue item's key), so
 * an entry is two pointers and a hash. Deleted slots become tombstones,
 * cleaned up when the table is rebuilt; the table grows at 70% occupancy
 * counting them.
 */
#include "base/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

const char kl_strmap_tomb[] = "";

static uint64_t hash_str(const char *s)
{
        uint64_t h = 1469598103934665603ULL; /* FNV-1a */

        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 1099511628211ULL;
        }
        return h ^ (h >> 29);
}

static void rehash(struct kl_strmap *m, size_t cap)
{
        struct kl_strmap_slot *old = m->slots;
        size_t old_cap = m->cap;

        m->slots = kl_calloc(cap, sizeof(*m->slots));
        m->cap = cap;
        m->used = m->n;
        for (size_t i = 0; i < old_cap; i++) {
                size_t j;

                if (!old[i].key || old[i].key == KL_STRMAP_TOMB)
                        continue;
                for (j = old[i].hash & (cap - 1); m->slots[j].key; j = (j + 1) & (cap - 1))
                        ;
                m->slots[j] = old[i];
        }
        free(old);
}

static size_t find(const struct kl_strmap *m, const char *key, uint64_t h)
{
        if (m->cap == 0)
                return SIZE_MAX;
        for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
                const struct kl_strmap_slot *s = &m->slots[j];

                if (!s->key)
                        return SIZE_MAX;
                if (s->key != KL_STRMAP_TOMB && s->hash == h && strcmp(s->key, key) == 0)
                        return j;
        }
}

void kl_strmap_put(struct kl_strmap *m, const char *key, void *value)
{
        uint64_t h = hash_str(key);
        size_t j = find(m, key, h);

        if (j != SIZE_MAX) {
                m->slots[j].key = key;
                m->slots[j].value = value;
                return;
        }
        if ((m->used + 1) * 10 >= m->cap * 7)
                rehash(m, m->cap == 0 ? 16 : (m->n * 2 >= m->cap ? m->cap * 2 : m->cap));
        for (j = h & (m->cap - 1); m->slots[j].key && m->slots[j].key != KL_STRMAP_TOMB;
             j = (j + 1) & (m->cap - 1))
                ;
        if (!m->slots[j].key)
                m->used++;
        m->slots[j] = (struct kl_strmap_slot){ .key = key, .value = value, .hash = h };
        m->n++;
}

void *kl_strmap_get(const struct kl_strmap *m, const char *key)
{
        size_t j = find(m, key, hash_str(key));

        return j == SIZE_MAX ? NULL : m->slots[j].value;
}

void *kl_strmap_remove(struct kl_strmap *m, const char *key)
{
        size_t j = find(m, key, hash_str(key));
        void *v;

        if (j == SIZE_MAX)
                return NULL;
        v = m->slots[j].value;
        m->slots[j].key = KL_STRMAP_TOMB;
        m->slots[j].value = NULL;
        m->n--;
        return v;
}

bool kl_strmap_next(const struct kl_strmap *m, size_t *i, void **ret_value)
{
        for (; *i < m->cap; (*i)++) {
                const struct kl_strmap_slot *s = &m->slots[*i];

                if (s->key && s->key != KL_STRMAP_TOMB) {
                        *ret_value = s->value;
                        (*i)++;
                        return true;
                }
        }
        return false;
}

void kl_strmap_release(struct kl_strmap *m)
{
        free(m->slots);
        *m = (struct kl_strmap){ 0 };
}

void kl_strmap_drain(struct kl_strmap *m, void (*fn)(void *value))
{
        void *v;

        for (size_t i = 0; fn && kl_strmap_next(m, &i, &v);)
                fn(v);
        kl_strmap_release(m);
}
