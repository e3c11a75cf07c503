/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside pkg/dns: the wire format (wire.c), the zone's records (zone.c), the
 * answer function (answer.c), the forwarder's cache and upstream list
 * (forward.c). server.c puts them on the loop.
 */
#ifndef KL_DNS_DNS_INTERNAL_H
#define KL_DNS_DNS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/base.h"
#include "dns/dns.h"

/* ------------------------------------------------------------------------- */
/* Wire format (RFC 1035, RFC 6891) */

#define KL_DNS__HDR           12
#define KL_DNS__MSG_MAX       65535
#define KL_DNS__UDP_MIN       512  /* without OPT (RFC 1035 4.2.1) */
#define KL_DNS__UDP_MAX       4096 /* the largest EDNS size we honour or advertise */
#define KL_DNS__NAME_WIRE_MAX 255  /* a name on the wire, root label included */
#define KL_DNS__LABEL_MAX     63
/* A name as text: each byte may become a 4-byte escape, plus dots and the NUL. */
#define KL_DNS__NAME_TEXT_MAX (4 * KL_DNS__NAME_WIRE_MAX + 1)
#define KL_DNS__OPT_LEN       11 /* an OPT record without options */

enum {
        KL_DNS__T_A = 1,
        KL_DNS__T_NS = 2,
        KL_DNS__T_CNAME = 5,
        KL_DNS__T_SOA = 6,
        KL_DNS__T_PTR = 12,
        KL_DNS__T_MX = 15,
        KL_DNS__T_TXT = 16,
        KL_DNS__T_AAAA = 28,
        KL_DNS__T_SRV = 33,
        KL_DNS__T_OPT = 41,
        KL_DNS__T_ANY = 255,
};

enum {
        KL_DNS__C_IN = 1,
        KL_DNS__C_ANY = 255,
};

enum {
        KL_DNS__RCODE_NOERROR = 0,
        KL_DNS__RCODE_FORMERR = 1,
        KL_DNS__RCODE_SERVFAIL = 2,
        KL_DNS__RCODE_NXDOMAIN = 3,
        KL_DNS__RCODE_NOTIMP = 4,
        KL_DNS__RCODE_REFUSED = 5,
        KL_DNS__RCODE_BADVERS = 16, /* extended: needs OPT */
};

/* Header flag bits (the second 16-bit word). */
#define KL_DNS__F_QR         0x8000
#define KL_DNS__F_AA         0x0400
#define KL_DNS__F_TC         0x0200
#define KL_DNS__F_RD         0x0100
#define KL_DNS__F_RA         0x0080
#define KL_DNS__F_OPCODE(f)  (((f) >> 11) & 0xf)
#define KL_DNS__F_RCODE(f)   ((f)&0xf)
#define KL_DNS__TTL_OFFS_MAX 256

/*
 * A parsed message: the header, the one question, the OPT record if any, and
 * what the cache needs (the TTLs of the answer and authority sections and
 * where they are, the SOA of a negative answer). Every name in it has been
 * checked; nothing points into the input.
 */
struct kl_dns__msg {
        uint16_t id, flags;
        uint16_t qdcount, ancount, nscount, arcount;
        uint8_t qname[KL_DNS__NAME_WIRE_MAX]; /* uncompressed, as received (case kept) */
        size_t qname_len;
        uint16_t qtype, qclass;
        size_t question_end;   /* offset just past the question */
        size_t additional_off; /* offset of the additional section */
        bool has_opt;
        uint16_t udp_size; /* the OPT's payload size as sent (0 without OPT) */
        uint8_t edns_version;
        bool has_min_ttl;
        uint32_t min_ttl; /* smallest TTL of the answer and authority records */
        bool has_soa;
        uint32_t soa_ttl, soa_minimum; /* of the first SOA in the authority section */
        size_t ttl_offs[KL_DNS__TTL_OFFS_MAX];
        size_t n_ttl_offs;
        bool too_many_ttls; /* more records than ttl_offs holds: do not cache */
};

/*
 * Parse a whole message (query or response). Exactly one question is
 * required. -EBADMSG for anything malformed: short or trailing bytes,
 * lengths past the end, labels over 63 bytes, names over 255, compression
 * pointers that do not point backwards, more than one OPT. `err` may be NULL.
 */
int kl_dns__parse(const uint8_t *p, size_t n, struct kl_dns__msg *ret, struct kl_err **err);
/* Only the 12-byte header (id, flags, counts); -EBADMSG if shorter. */
int kl_dns__parse_header(const uint8_t *p, size_t n, struct kl_dns__msg *ret);

/*
 * Read the name at *off of p[0..n) into `out` (uncompressed, lowercase never
 * applied), advance *off past it as it sits in the message. -EBADMSG as above.
 */
int kl_dns__name_read(const uint8_t *p, size_t n, size_t *off, uint8_t out[KL_DNS__NAME_WIRE_MAX],
                      size_t *ret_len);
/*
 * A wire name as text without the final dot ("" for the root). With `lower`
 * ASCII letters are lowercased. Bytes that are not [A-Za-z0-9_*-] are written
 * \DDD (a dot in a label \.), so the text never equals a zone name by accident.
 * `out` holds KL_DNS__NAME_TEXT_MAX bytes. Returns the text's length.
 */
size_t kl_dns__name_to_text(const uint8_t *wire, bool lower, char *out);
/*
 * Text ("a.b.c", a final dot optional, no escapes) to an uncompressed wire
 * name. -EINVAL for empty labels (other than the root alone), labels over 63,
 * names over 255 bytes.
 */
int kl_dns__name_from_text(const char *text, uint8_t out[KL_DNS__NAME_WIRE_MAX], size_t *ret_len);
/* Case-insensitive equality of two uncompressed wire names. */
bool kl_dns__name_equal(const uint8_t *a, const uint8_t *b);

/*
 * A message being written into `out`, at most `max` bytes; names are
 * compressed against the names already written (except where the RFCs forbid
 * it: SRV targets). A write that does not fit fails with -EMSGSIZE and
 * leaves nothing half-written; kl_dns__writer_mark()/rollback() undo whole
 * records.
 */
#define KL_DNS__COMP_MAX 64
struct kl_dns__writer {
        struct kl_buf *out; /* borrowed; the message starts at `base` */
        size_t base;
        size_t max;
        uint16_t comp[KL_DNS__COMP_MAX]; /* offsets (from base) of names that may be pointed at */
        size_t n_comp;
        uint16_t counts[4]; /* qd, an, ns, ar as written */
};

void kl_dns__writer_init(struct kl_dns__writer *w, struct kl_buf *out, size_t max);
int kl_dns__put_header(struct kl_dns__writer *w, uint16_t id, uint16_t flags);
int kl_dns__put_question(struct kl_dns__writer *w, const uint8_t *name, uint16_t type,
                         uint16_t cls);
/* Sections for kl_dns__put_rr*(). */
enum kl_dns__section {
        KL_DNS__AN = 1,
        KL_DNS__NS = 2,
        KL_DNS__AR = 3
};
/* A record whose rdata is opaque bytes. */
int kl_dns__put_rr(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                   uint16_t type, uint32_t ttl, const void *rdata, size_t rdlen);
/* CNAME, PTR, NS: rdata is one name, compressed. */
int kl_dns__put_rr_name(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                        uint16_t type, uint32_t ttl, const uint8_t *target);
int kl_dns__put_srv(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                    uint32_t ttl, uint16_t prio, uint16_t weight, uint16_t port,
                    const uint8_t *target);
int kl_dns__put_soa(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *name,
                    uint32_t ttl, const uint8_t *mname, const uint8_t *rname, uint32_t serial,
                    uint32_t refresh, uint32_t retry, uint32_t expire, uint32_t minimum);
/* The OPT pseudo-record (additional section): our payload size, extended rcode high bits. */
int kl_dns__put_opt(struct kl_dns__writer *w, uint16_t udp_size, uint8_t ext_rcode);
/*
 * Copy the record at *off of message p[0..n) (already checked by
 * kl_dns__parse()), decompressing its owner and the names inside the rdata of
 * the types that have them (CNAME, PTR, NS, MX, SRV, SOA).
 */
int kl_dns__copy_rr(struct kl_dns__writer *w, enum kl_dns__section s, const uint8_t *p, size_t n,
                    size_t *off);
/* Skip the record at *off (already checked). */
int kl_dns__skip_rr(const uint8_t *p, size_t n, size_t *off);
size_t kl_dns__writer_mark(const struct kl_dns__writer *w);
void kl_dns__writer_rollback(struct kl_dns__writer *w, size_t mark, const uint16_t counts[4]);
/* Write the counts into the header and set `flags` bits (TC). */
void kl_dns__writer_finish(struct kl_dns__writer *w, uint16_t set_flags);

/* The largest response a UDP query may get: its EDNS size clamped to [512, 4096], or 512. */
size_t kl_dns__udp_limit(const struct kl_dns__msg *q);

/* An error response (header, the question when there is one, OPT if the query had one). */
void kl_dns__error_response(const struct kl_dns__msg *q, bool with_question, int rcode,
                            struct kl_buf *out);

/* Big-endian helpers. */
static inline uint16_t kl_dns__get16(const uint8_t *p)
{
        return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t kl_dns__get32(const uint8_t *p)
{
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void kl_dns__set16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}
static inline void kl_dns__set32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------------------- */
/* Answers (answer.c) */

/*
 * kl_dns_answer() on a parsed query. With KL_DNS_EXTERNAL, `ret_target`
 * (KL_DNS__NAME_WIRE_MAX bytes) receives the CNAME target to forward.
 */
int kl_dns__answer_msg(const struct kl_dns_zone *z, const struct kl_dns__msg *q, size_t max,
                       struct kl_buf *out, uint8_t *ret_target);

/*
 * The response to an ExternalName query once upstream has answered for the
 * CNAME target: our CNAME (owner q's name, `target`), then the answer
 * section of upstream's response `up` (parsed as `um`), upstream's rcode.
 * With `up` NULL (upstream failed) the CNAME alone.
 */
void kl_dns__external_merge(const struct kl_dns__msg *q, const uint8_t *target, const uint8_t *up,
                            size_t up_len, const struct kl_dns__msg *um, size_t max,
                            struct kl_buf *out);

/* ------------------------------------------------------------------------- */
/* The zone (zone.c) */

struct kl_dns__rr {
        uint16_t type;
        uint16_t prio, weight, port; /* SRV */
        uint8_t addr[16];            /* A: 4 bytes, AAAA: 16 */
        char *target;                /* owned: CNAME, PTR, SRV target; TXT text */
};

struct kl_dns__node {
        char *name; /* owned; lowercase text without the final dot; the map's key */
        struct kl_dns__rr *rrs;
        size_t n, cap;
};

struct kl_dns_zone {
        char *domain; /* owned; lowercase, no final dot */
        uint8_t domain_wire[KL_DNS__NAME_WIRE_MAX];
        size_t domain_wire_len;
        uint8_t soa_mname[KL_DNS__NAME_WIRE_MAX]; /* ns.dns.<domain> */
        uint8_t soa_rname[KL_DNS__NAME_WIRE_MAX]; /* hostmaster.<domain> */
        uint32_t serial;
        struct kl_strmap names; /* lowercase text -> struct kl_dns__node (owned) */
};

/* The node of `name` (lowercase text), or NULL. */
const struct kl_dns__node *kl_dns__zone_find(const struct kl_dns_zone *z, const char *name);
/* Whether `name` (lowercase text) is the domain or below it; *ret_rel_len: length before it. */
bool kl_dns__zone_contains(const struct kl_dns_zone *z, const char *name, size_t *ret_rel_len);
/*
 * A pod name "1-2-3-4.<ns>.pod.<domain>" (the part before the domain is
 * `rel`, rel_len bytes): the address (4 or 16 bytes, *ret_family AF_INET or
 * AF_INET6). false for anything else.
 */
bool kl_dns__pod_address(const char *rel, size_t rel_len, uint8_t ret_addr[16], int *ret_family);

/* ------------------------------------------------------------------------- */
/* The forwarder's pieces (forward.c) */

/* Up to three nameservers (glibc's MAXNS) of a resolv.conf text, as sockaddrs (port 53). */
#define KL_DNS__UPSTREAMS_MAX 3
struct kl_dns__upstreams {
        struct sockaddr_storage addrs[KL_DNS__UPSTREAMS_MAX];
        size_t n;
};
/* Parse resolv.conf text: "nameserver <IPv4|IPv6>" lines; anything else is ignored. */
void kl_dns__resolv_parse(const char *text, struct kl_dns__upstreams *ret);

/*
 * The cache of upstream answers: key (lowercased qname, qtype, qclass) ->
 * the response as it will be sent (additional section dropped), its TTL
 * offsets and its expiry. Bounded by entry count; least recently used go first.
 */
struct kl_dns__cache;
struct kl_dns__cache *kl_dns__cache_new(size_t max_entries);
void kl_dns__cache_free(struct kl_dns__cache *c);
/*
 * Store `resp` (n bytes, parsed as `m`) for the question of `m` at time
 * `now_ms`. Stored only when cacheable: NOERROR with answers (TTL: the
 * smallest, at most 3600 s), NXDOMAIN or NODATA with an SOA (TTL: min(SOA
 * TTL, SOA minimum), at most 1800 s), not truncated. Returns whether it was
 * stored.
 */
bool kl_dns__cache_put(struct kl_dns__cache *c, const uint8_t *resp, size_t n,
                       const struct kl_dns__msg *m, uint64_t now_ms);
/*
 * Look up the question of `q`; on a hit append the response for q (see
 * kl_dns__relay()) with TTLs lowered by the time spent in the cache. Returns
 * whether it hit.
 */
bool kl_dns__cache_get(struct kl_dns__cache *c, const struct kl_dns__msg *q, uint64_t now_ms,
                       size_t max, struct kl_buf *out);
size_t kl_dns__cache_len(const struct kl_dns__cache *c);

/*
 * Turn an upstream response into what the client gets: the header (with the
 * client's id and RD), question, answer and authority sections of `resp`,
 * the additional section dropped, our OPT if the client sent one; if that is
 * more than `max` bytes, the question alone with TC set. Appended to `out`.
 */
void kl_dns__relay(const uint8_t *resp, const struct kl_dns__msg *m, const struct kl_dns__msg *q,
                   size_t max, struct kl_buf *out);

#endif
