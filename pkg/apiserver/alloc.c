/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Service allocators' pure half: the service CIDR, the node-port range
 * and the bitmap of what is taken, kept in the store as a RangeAllocation
 * (service-alloc.c does the compare-and-swap). IPv4 only, as the rest of the
 * cluster network is for now.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/random.h>

#include "apiserver/apiserver-internal.h"

int kl_apiserver__range_parse_cidr(const char *cidr, struct kl_apiserver__range *ret)
{
        uint32_t addr;
        unsigned prefix;

        if (kl_parse_ipv4_cidr(cidr, &addr, &prefix) < 0 || prefix < 12 || prefix > 30)
                return -EINVAL;
        *ret = (struct kl_apiserver__range){
                .base = addr & kl_ipv4_mask(prefix),
                .size = (uint32_t)(1ull << (32 - prefix)),
                .is_ip = true,
        };
        (void)snprintf(ret->text, sizeof(ret->text), "%s", cidr);
        return 0;
}

void kl_apiserver__range_ports(uint32_t first, uint32_t last, struct kl_apiserver__range *ret)
{
        kl_assert(first <= last);
        *ret = (struct kl_apiserver__range){ .base = first, .size = last - first + 1 };
        (void)snprintf(ret->text, sizeof(ret->text), "%u-%u", first, last);
}

int kl_apiserver__range_offset(const struct kl_apiserver__range *r, const char *value,
                               uint32_t *ret)
{
        uint32_t v;

        if (r->is_ip) {
                struct in_addr in;

                if (inet_pton(AF_INET, value, &in) != 1)
                        return -EINVAL;
                v = ntohl(in.s_addr);
        } else {
                unsigned u;

                if (kl_parse_uint(value, &u) < 0)
                        return -EINVAL;
                v = u;
        }
        /* The network and broadcast addresses are never handed out. */
        if (v < r->base || v - r->base >= r->size ||
            (r->is_ip && (v == r->base || v - r->base == r->size - 1)))
                return -ERANGE;
        *ret = v - r->base;
        return 0;
}

void kl_apiserver__range_format(const struct kl_apiserver__range *r, uint32_t off, char *buf,
                                size_t size)
{
        uint32_t v = r->base + off;

        if (r->is_ip)
                (void)snprintf(buf, size, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255,
                               v & 255);
        else
                (void)snprintf(buf, size, "%u", v);
}

void kl_apiserver__bitmap_init(struct kl_apiserver__bitmap *b, uint32_t size)
{
        b->size = size;
        b->bits = kl_calloc((size + 7) / 8, 1);
}

void kl_apiserver__bitmap_release(struct kl_apiserver__bitmap *b)
{
        free(b->bits);
        b->bits = NULL;
        b->size = 0;
}

bool kl_apiserver__bitmap_test(const struct kl_apiserver__bitmap *b, uint32_t off)
{
        return off < b->size && (b->bits[off / 8] >> (off % 8)) & 1;
}

void kl_apiserver__bitmap_set(struct kl_apiserver__bitmap *b, uint32_t off, bool on)
{
        if (off >= b->size)
                return;
        if (on)
                b->bits[off / 8] |= (uint8_t)(1u << (off % 8));
        else
                b->bits[off / 8] &= (uint8_t) ~(1u << (off % 8));
}

int kl_apiserver__bitmap_take_any(struct kl_apiserver__bitmap *b, uint32_t lo, uint32_t hi,
                                  const uint32_t *skip, size_t n_skip, uint32_t *ret)
{
        uint32_t start, span;

        if (lo >= hi || hi > b->size)
                return -ENOSPC;
        span = hi - lo;
        /* A random start spreads allocations as upstream's random scan does. */
        if (getrandom(&start, sizeof(start), GRND_NONBLOCK) != sizeof(start))
                start = 0;
        start %= span;
        for (uint32_t i = 0; i < span; i++) {
                uint32_t off = lo + (start + i) % span;
                bool skipped = false;

                for (size_t j = 0; j < n_skip; j++)
                        skipped |= skip[j] == off;
                if (skipped || kl_apiserver__bitmap_test(b, off))
                        continue;
                kl_apiserver__bitmap_set(b, off, true);
                *ret = off;
                return 0;
        }
        return -ENOSPC;
}

json_t *kl_apiserver__bitmap_encode(const struct kl_apiserver__bitmap *b,
                                    const struct kl_apiserver__range *r)
{
        json_t *taken = json_array();

        for (uint32_t byte = 0; byte < (b->size + 7) / 8; byte++) {
                if (b->bits[byte] == 0)
                        continue;
                for (uint32_t off = byte * 8; off < byte * 8 + 8; off++)
                        if (kl_apiserver__bitmap_test(b, off))
                                (void)json_array_append_new(taken, json_integer(off));
        }
        return json_pack("{ssssssso}", "kind", "RangeAllocation", "apiVersion", "v1", "range",
                         r->text, "allocated", taken);
}

int kl_apiserver__bitmap_decode(const json_t *obj, const struct kl_apiserver__range *r,
                                struct kl_apiserver__bitmap *b)
{
        const json_t *taken = json_object_get(obj, "allocated");
        size_t i;
        json_t *v;

        kl_apiserver__bitmap_init(b, r->size);
        /* A range that changed (a new --service-cidr) starts over; service-alloc.c rebuilds it. */
        if (!kl_streq_null(json_string_value(json_object_get(obj, "range")), r->text) ||
            !json_is_array(taken))
                return -ESTALE;
        json_array_foreach(taken, i, v) {
                if (json_is_integer(v) && json_integer_value(v) >= 0)
                        kl_apiserver__bitmap_set(b, (uint32_t)json_integer_value(v), true);
        }
        return 0;
}
