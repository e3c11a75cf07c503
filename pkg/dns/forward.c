/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pure parts of forwarding: the upstream list from resolv.conf, the
 * cache of upstream answers, and the rewriting of an upstream response into
 * the one the client gets. server.c does the sockets.
 *
 * What the client gets is upstream's header, question, answer and authority
 * sections; the additional section is dropped (it is optional, and dropping
 * it drops upstream's OPT, which must not reach a client that sent none),
 * and our own OPT is added when the client sent one. Compression pointers
 * only point backwards (kl_dns__parse() checks it), so cutting the message
 * before the additional section leaves every pointer valid.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "dns/dns-internal.h"

/* RFC 8767-style caps, as CoreDNS's cache plugin: success 3600 s, denial 1800 s. */
#define CACHE_TTL_MAX      3600
#define CACHE_NEG_TTL_MAX  1800
#define CACHE_RESPONSE_MAX KL_DNS__UDP_MAX

void kl_dns__resolv_parse(const char *text, struct kl_dns__upstreams *ret)
{
        kl_autofree char *copy = kl_strdup(text);
        char *line = copy, *next;

        ret->n = 0;
        for (; line && ret->n < KL_DNS__UPSTREAMS_MAX; line = next) {
                char *p = line, *end;

                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!kl_startswith(p, "nameserver") || (p[10] != ' ' && p[10] != '\t'))
                        continue;
                p += 10;
                while (*p == ' ' || *p == '\t')
                        p++;
                end = p;
                while (*end && *end != ' ' && *end != '\t' && *end != '\r' && *end != '#' &&
                       *end != ';' && *end != '%')
                        end++;
                *end = '\0';
                {
                        struct sockaddr_storage *ss = &ret->addrs[ret->n];
                        struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
                        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

                        memset(ss, 0, sizeof(*ss));
                        if (inet_pton(AF_INET, p, &in4->sin_addr) == 1) {
                                in4->sin_family = AF_INET;
                                in4->sin_port = htons(53);
                                ret->n++;
                        } else if (inet_pton(AF_INET6, p, &in6->sin6_addr) == 1) {
                                in6->sin6_family = AF_INET6;
                                in6->sin6_port = htons(53);
                                ret->n++;
                        }
                }
        }
}

/* The question of `m` answered with the header flags of `flags_from`, TC set: what fits. */
static void question_only(const struct kl_dns__msg *q, uint16_t flags, struct kl_buf *out)
{
        struct kl_dns__writer w;

        kl_dns__writer_init(&w, out, KL_DNS__UDP_MIN);
        (void)kl_dns__put_header(&w, q->id,
                                 (uint16_t)((flags & ~KL_DNS__F_RD) | (q->flags & KL_DNS__F_RD)));
        (void)kl_dns__put_question(&w, q->qname, q->qtype, q->qclass);
        if (q->has_opt)
                (void)kl_dns__put_opt(&w, KL_DNS__UDP_MAX, 0);
        kl_dns__writer_finish(&w, KL_DNS__F_TC);
}

/* `base` (header, question, answers, authority; arcount 0) made the response to `q`. */
static void deliver(const uint8_t *base, size_t len, const struct kl_dns__msg *q, size_t max,
                    struct kl_buf *out)
{
        uint16_t flags = kl_dns__get16(base + 2);
        size_t start = out->len;
        uint8_t *h;

        if (len + (q->has_opt ? KL_DNS__OPT_LEN : 0) > max || kl_buf_append(out, base, len) < 0) {
                question_only(q, flags, out);
                return;
        }
        h = (uint8_t *)out->buf + start;
        kl_dns__set16(h, q->id);
        kl_dns__set16(h + 2, (uint16_t)((flags & ~KL_DNS__F_RD) | (q->flags & KL_DNS__F_RD)));
        kl_dns__set16(h + 10, 0);
        /* Same name but for case: echo the client's. */
        memcpy(h + KL_DNS__HDR, q->qname, q->qname_len);
        if (q->has_opt) {
                static const uint8_t opt[KL_DNS__OPT_LEN] = { 0, 0, KL_DNS__T_OPT,
                                                              KL_DNS__UDP_MAX >> 8,
                                                              KL_DNS__UDP_MAX & 0xff };

                if (kl_buf_append(out, opt, sizeof(opt)) == 0)
                        kl_dns__set16((uint8_t *)out->buf + start + 10, 1);
        }
}

void kl_dns__relay(const uint8_t *resp, const struct kl_dns__msg *m, const struct kl_dns__msg *q,
                   size_t max, struct kl_buf *out)
{
        kl_autofree uint8_t *base = kl_malloc(m->additional_off);

        memcpy(base, resp, m->additional_off);
        kl_dns__set16(base + 10, 0);
        deliver(base, m->additional_off, q, max, out);
}

/* ------------------------------------------------------------------------- */
/* Cache */

struct entry {
        char *key;     /* owned */
        uint8_t *resp; /* owned: the base form (no additional section) */
        size_t len;
        size_t *ttl_offs; /* owned */
        size_t n_ttl_offs;
        uint64_t stored_ms, expires_ms;
        struct entry *prev, *next; /* LRU list: head most recent */
};

struct kl_dns__cache {
        struct kl_strmap map; /* key -> struct entry (owned) */
        struct entry *head, *tail;
        size_t n, max;
};

struct kl_dns__cache *kl_dns__cache_new(size_t max_entries)
{
        struct kl_dns__cache *c = kl_new0(struct kl_dns__cache);

        c->max = max_entries ? max_entries : 1;
        return c;
}

static void entry_free(struct entry *e)
{
        free(e->key);
        free(e->resp);
        free(e->ttl_offs);
        free(e);
}

static void unlink_entry(struct kl_dns__cache *c, struct entry *e)
{
        if (e->prev)
                e->prev->next = e->next;
        else
                c->head = e->next;
        if (e->next)
                e->next->prev = e->prev;
        else
                c->tail = e->prev;
        e->prev = e->next = NULL;
}

static void push_front(struct kl_dns__cache *c, struct entry *e)
{
        e->next = c->head;
        e->prev = NULL;
        if (c->head)
                c->head->prev = e;
        c->head = e;
        if (!c->tail)
                c->tail = e;
}

static void drop(struct kl_dns__cache *c, struct entry *e)
{
        unlink_entry(c, e);
        (void)kl_strmap_remove(&c->map, e->key);
        c->n--;
        entry_free(e);
}

void kl_dns__cache_free(struct kl_dns__cache *c)
{
        if (!c)
                return;
        while (c->head)
                drop(c, c->head);
        kl_strmap_release(&c->map);
        free(c);
}

size_t kl_dns__cache_len(const struct kl_dns__cache *c)
{
        return c->n;
}

static char *cache_key(const struct kl_dns__msg *m)
{
        char text[KL_DNS__NAME_TEXT_MAX];

        (void)kl_dns__name_to_text(m->qname, true, text);
        return kl_asprintf("%u/%u/%s", m->qtype, m->qclass, text);
}

bool kl_dns__cache_put(struct kl_dns__cache *c, const uint8_t *resp, size_t n,
                       const struct kl_dns__msg *m, uint64_t now_ms)
{
        unsigned rcode = KL_DNS__F_RCODE(m->flags);
        uint32_t ttl;
        struct entry *e, *old;

        (void)n;
        if ((m->flags & KL_DNS__F_TC) || m->too_many_ttls || m->additional_off > CACHE_RESPONSE_MAX)
                return false;
        if (rcode == KL_DNS__RCODE_NOERROR && m->ancount > 0) {
                ttl = m->min_ttl < CACHE_TTL_MAX ? m->min_ttl : CACHE_TTL_MAX;
        } else if ((rcode == KL_DNS__RCODE_NXDOMAIN || rcode == KL_DNS__RCODE_NOERROR) &&
                   m->has_soa) {
                /* RFC 2308 5: the smaller of the SOA's TTL and its minimum field. */
                ttl = m->soa_ttl < m->soa_minimum ? m->soa_ttl : m->soa_minimum;
                if (ttl > CACHE_NEG_TTL_MAX)
                        ttl = CACHE_NEG_TTL_MAX;
        } else {
                return false;
        }
        if (ttl == 0)
                return false;

        e = kl_new0(struct entry);
        e->key = cache_key(m);
        e->len = m->additional_off;
        e->resp = kl_malloc(e->len);
        memcpy(e->resp, resp, e->len);
        kl_dns__set16(e->resp + 10, 0);
        e->n_ttl_offs = m->n_ttl_offs;
        e->ttl_offs = kl_calloc(m->n_ttl_offs ? m->n_ttl_offs : 1, sizeof(size_t));
        memcpy(e->ttl_offs, m->ttl_offs, m->n_ttl_offs * sizeof(size_t));
        e->stored_ms = now_ms;
        e->expires_ms = now_ms + (uint64_t)ttl * 1000;

        old = kl_strmap_get(&c->map, e->key);
        if (old)
                drop(c, old);
        while (c->n >= c->max && c->tail)
                drop(c, c->tail);
        kl_strmap_put(&c->map, e->key, e);
        push_front(c, e);
        c->n++;
        return true;
}

bool kl_dns__cache_get(struct kl_dns__cache *c, const struct kl_dns__msg *q, uint64_t now_ms,
                       size_t max, struct kl_buf *out)
{
        kl_autofree char *key = cache_key(q);
        kl_autofree uint8_t *copy = NULL;
        struct entry *e = kl_strmap_get(&c->map, key);
        uint32_t elapsed;

        if (!e)
                return false;
        if (now_ms >= e->expires_ms) {
                drop(c, e);
                return false;
        }
        unlink_entry(c, e);
        push_front(c, e);
        elapsed = (uint32_t)((now_ms - e->stored_ms) / 1000);
        copy = kl_malloc(e->len);
        memcpy(copy, e->resp, e->len);
        for (size_t i = 0; i < e->n_ttl_offs; i++) {
                uint32_t t = kl_dns__get32(copy + e->ttl_offs[i]);

                if (t & 0x80000000u)
                        t = 0;
                kl_dns__set32(copy + e->ttl_offs[i], t > elapsed ? t - elapsed : 0);
        }
        deliver(copy, e->len, q, max, out);
        return true;
}
