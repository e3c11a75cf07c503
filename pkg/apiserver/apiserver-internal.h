/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apiserver internals shared by the files of this module and its unit tests.
 * Nothing here is for other modules (STYLE R2.1).
 *
 *   request.c    URL routing, query parsing, Accept/Content-Type negotiation (pure)
 *   status.c     Status objects (pure)
 *   object.c     object lifecycle on create/update: uid, timestamps, generation (pure)
 *   alloc.c      Service cluster IP and node port ranges and their bitmaps (pure)
 *   managed.c    managedFields: field sets (FieldsV1), ownership, apply conflicts (pure)
 *   cache.c      the watch cache: objects as stored bytes, the event window
 *   handler.c    the resource handler layer (apiserver.h): reads, the write ops on the loop
 *   write.c      create, update, patch and apply computed on workers (op-internal.h)
 *   delete.c     deletion on workers: finalizers, cascades, namespaces (op-internal.h)
 *   service-alloc.c  Services' cluster IPs and node ports, taken in the store
 *   watch.c      cache watchers and the apiserver watch API
 *   read.c       lists at a revision, continue tokens, pages and objects as text
 *   discovery.c  aggregated and legacy discovery documents (pure)
 *   openapi.c    OpenAPI v3 index and per-group-version documents
 *   http-api.c   the HTTP routes: authn, authz, negotiation, responses, watch streams
 *   server.c     start-up, bootstrap objects, shutdown
 *   client.c     the in-process client (apiserver.h)
 *   convert-hooks.c  versions that are views of another's storage
 *                (convert-internal.h): bodies in, objects out
 *   evict.c      pods/eviction with PodDisruptionBudgets (evict-internal.h)
 *   join.c       joining nodes: bootstrap tokens, /cacerts, node certificates
 *   proxy.c      pods/log, pods/exec, pods/attach relayed to the node's kubelet
 */
#ifndef KL_APISERVER_APISERVER_INTERNAL_H
#define KL_APISERVER_APISERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "api/resource.h"
#include "apiserver/apiserver.h"
#include "base/base.h"
#include "base/pool.h"
#include "http/http.h"
#include "pki/pki.h"
#include "store/store.h"

/* The minor version kubectl's dispatcher reads (kubectl-contract §0.1). */
#define KL_APISERVER_GIT_VERSION "v1.32.0+kube-lite"
/* Upstream's --default-not-ready/unreachable-toleration-seconds. */
#define KL_APISERVER_DEFAULT_TOLERATION_SEC 300
/* Recent events kept per resource for watches that resume (R5.2: bounded). */
#define KL_APISERVER_WINDOW 1024u
/* Trees offered to one cache for writes not yet seen (kl_apiserver__cache_offer()). */
#define KL_APISERVER_OFFERS_MAX 512u
/* Longest a write waits for its change to reach the watch cache before answering anyway. */
#define KL_APISERVER_CATCH_UP_USEC (5 * KL_USEC_PER_SEC)
/* A watch without timeoutSeconds ends after this long (upstream picks 30-60 min). */
#define KL_APISERVER_WATCH_MAX_SEC 1800
/* Bookmarks go out this often to watches that allow them. */
#define KL_APISERVER_BOOKMARK_SEC 30
/* Query parameters per request (R5.2). */
#define KL_APISERVER_MAX_QUERY_PARAMS 64

/* ------------------------------------------------------------------------- */
/* request.c: routing and negotiation, pure functions over request text */

enum kl_apiserver__route_kind {
        KL_APISERVER_ROUTE_NOT_FOUND,
        KL_APISERVER_ROUTE_VERSION,       /* /version */
        KL_APISERVER_ROUTE_HEALTH,        /* /healthz, /livez, /readyz (and their sub-paths) */
        KL_APISERVER_ROUTE_API,           /* /api */
        KL_APISERVER_ROUTE_APIS,          /* /apis */
        KL_APISERVER_ROUTE_GROUP,         /* /apis/{g} */
        KL_APISERVER_ROUTE_GROUP_VERSION, /* /api/v1, /apis/{g}/{v} */
        KL_APISERVER_ROUTE_OPENAPI_V3,    /* /openapi/v3 */
        KL_APISERVER_ROUTE_OPENAPI_V3_GV, /* /openapi/v3/api/v1, /openapi/v3/apis/{g}/{v} */
        KL_APISERVER_ROUTE_RESOURCE,      /* a resource URL: see the other fields */
        KL_APISERVER_ROUTE_KIND__COUNT,
        KL_APISERVER_ROUTE_KIND__INVALID = -EINVAL,
};

/* A parsed request path. Strings point into the pool given to the parser. */
struct kl_apiserver__route {
        enum kl_apiserver__route_kind kind;
        const char *group; /* "" for core; set for GROUP, GROUP_VERSION, OPENAPI_V3_GV, RESOURCE */
        const char *version; /* set for GROUP_VERSION, OPENAPI_V3_GV, RESOURCE */
        const char *plural;  /* RESOURCE */
        const char *ns;      /* RESOURCE: the namespace segment, or NULL */
        const char *name;    /* RESOURCE: the object's name, or NULL for a collection */
        const char *sub;     /* RESOURCE: the subresource, or NULL */
};

/**
 * Parse a request path (not decoded, as kl_http_req_path() gives it) into
 * `*ret`. Segments are percent-decoded into `pool`. A path that names no
 * route gives KL_APISERVER_ROUTE_NOT_FOUND; -EINVAL for a bad escape.
 * Resources are not looked up here: `plural` is whatever the URL says.
 */
int kl_apiserver__route_parse(const char *path, struct kl_pool *pool,
                              struct kl_apiserver__route *ret);

struct kl_apiserver__query {
        size_t n;
        const char *keys[KL_APISERVER_MAX_QUERY_PARAMS];   /* decoded, in the pool */
        const char *values[KL_APISERVER_MAX_QUERY_PARAMS]; /* decoded; "" when no '=' */
};

/**
 * Parse a query string (after '?', not decoded): `a=b&c=d`, '+' is a space,
 * %XX escapes. -E2BIG past KL_APISERVER_MAX_QUERY_PARAMS, -EINVAL for a bad
 * escape.
 */
int kl_apiserver__query_parse(const char *query, struct kl_pool *pool,
                              struct kl_apiserver__query *ret);
/* The first value of `key`, or NULL. Borrowed from `q`. */
const char *kl_apiserver__query_get(const struct kl_apiserver__query *q, const char *key);
/* `key` as a boolean: "true"/"1" (Go's ParseBool forms); absent or unparsable: false. */
bool kl_apiserver__query_bool(const struct kl_apiserver__query *q, const char *key);

enum kl_apiserver__output {
        KL_APISERVER_OUTPUT_JSON,
        KL_APISERVER_OUTPUT_TABLE,
        KL_APISERVER_OUTPUT_DISCOVERY_V2,      /* application/json;g=apidiscovery.k8s.io;v=v2 */
        KL_APISERVER_OUTPUT_DISCOVERY_V2BETA1, /* the same, v2beta1 */
        KL_APISERVER_OUTPUT__COUNT,
        KL_APISERVER_OUTPUT__INVALID = -EINVAL,
};

/**
 * What to answer with, from an Accept header (NULL: JSON). Media ranges are
 * tried in order; the first we can produce wins: the Table form
 * (`application/json;as=Table;g=meta.k8s.io;v=v1|v1beta1`), aggregated
 * discovery (`as=APIGroupDiscoveryList`, only when `discovery` is set), plain
 * JSON (application/json, any type, any application type). Protobuf is never
 * produced: a range of it alone falls through to JSON, which kubectl's typed
 * clients accept (contract §6). Nothing acceptable at all: JSON as well,
 * since every kubectl request lists JSON somewhere.
 */
enum kl_apiserver__output kl_apiserver__negotiate(const char *accept, bool discovery);

enum kl_apiserver__body_type {
        KL_APISERVER_BODY_JSON,
        KL_APISERVER_BODY_YAML,
        KL_APISERVER_BODY_PROTOBUF,
        KL_APISERVER_BODY_TYPE__COUNT,
        KL_APISERVER_BODY_TYPE__INVALID = -EINVAL,
};

/**
 * The encoding of a create/update body from its Content-Type. A missing
 * header is JSON (kubectl's PUT of /scale sends none, contract §6).
 * -KL_EUNSUPPORTED_MEDIA (415) with upstream's message otherwise.
 */
int kl_apiserver__body_type(const char *content_type, enum kl_apiserver__body_type *ret,
                            struct kl_err **err);

/**
 * Decode a request body into a new JSON value (*ret): JSON, the first YAML
 * document, or a Kubernetes protobuf envelope. Errors -EINVAL (400) with
 * the decoder's message, -E2BIG (413).
 */
int kl_apiserver__body_decode(enum kl_apiserver__body_type type, const char *body, size_t len,
                              json_t **ret, struct kl_err **err);

/* ------------------------------------------------------------------------- */
/* status.c */

/**
 * A Status object for an error (new reference): code and reason from the
 * error code (base/err.h), message verbatim, details {name, group, kind}
 * when `res` is given (kind is the plural, as upstream).
 */
json_t *kl_apiserver__status_error(int code, const char *message, const struct kl_api_resource *res,
                                   const char *name);
/* The Success Status of a delete (new): details {name, group, kind, uid}. */
json_t *kl_apiserver__status_success(const struct kl_api_resource *res, const char *name,
                                     const char *uid);
/* upstream's `pods "x" not found` / `deployments.apps "x" not found`, into *err. */
int kl_apiserver__err_not_found(struct kl_err **err, const struct kl_api_resource *res,
                                const char *name);
/* upstream's 409 `Operation cannot be fulfilled on deployments.apps "web": ...`. */
int kl_apiserver__err_conflict(struct kl_err **err, const struct kl_api_resource *res,
                               const char *name);

/* ------------------------------------------------------------------------- */
/* object.c: the lifecycle of an object's metadata, pure */

/**
 * Prepare `obj` (borrowed, modified) for create into namespace `ns` (NULL
 * for cluster-scoped kinds): kind/apiVersion, namespace (filled when empty;
 * -EINVAL 400 when it differs), generateName, uid, creationTimestamp
 * (`now`), generation 1 for kinds with a spec; drops resourceVersion and
 * the deletion fields; status is dropped when `drop_status` (kinds with a
 * status subresource). A missing name and generateName is -KL_EINVALID;
 * the name's syntax is kl_api_validate()'s (handler.c), which reports it
 * with details.causes.
 */
int kl_apiserver__object_prepare_create(const struct kl_api_resource *res, const char *ns,
                                        json_t *obj, kl_usec_t now, bool drop_status,
                                        struct kl_err **err);

/**
 * Carry over what a client may not change from `old` into `obj` (both
 * borrowed; `obj` modified) for an update of the main resource: uid,
 * creationTimestamp, generation (bumped when spec changed), deletion fields,
 * status when `keep_status`. Checks name/namespace match (400).
 */
int kl_apiserver__object_prepare_update(const struct kl_api_resource *res, const json_t *old,
                                        json_t *obj, bool keep_status, struct kl_err **err);

/* A random v4 UUID, lowercase, into `buf` (37 bytes). */
void kl_apiserver__uuid(char buf[37]);
/* Fill `buf` with `n` random characters of [bcdfghjklmnpqrstvwxz2456789] (upstream's alphabet). */
void kl_apiserver__random_suffix(char *buf, size_t n);

/* Set metadata.resourceVersion of `obj` (modified) to `rev`. */
void kl_apiserver__object_set_rv(json_t *obj, int64_t rev);
/* A stored object as JSON with its resourceVersion (new reference), or NULL if it is not JSON. */
json_t *kl_apiserver__object_decode_kv(const struct kl_store_kv *kv);

/* ------------------------------------------------------------------------- */
/* alloc.c: the Service allocators (pure; handler.c persists them) */

/* Where allocations are stored (RangeAllocation objects, outside every cache). */
#define KL_APISERVER_RANGE_IPS_KEY   "/registry/ranges/serviceips"
#define KL_APISERVER_RANGE_PORTS_KEY "/registry/ranges/servicenodeports"
/* Upstream's default --service-node-port-range. */
#define KL_APISERVER_NODE_PORT_FIRST 30000u
#define KL_APISERVER_NODE_PORT_LAST  32767u

/* A range of IPv4 addresses (a CIDR) or of ports; offsets count from base. */
struct kl_apiserver__range {
        uint32_t base; /* first address (host order) or first port */
        uint32_t size;
        bool is_ip;
        char text[48]; /* "10.43.0.0/16", "30000-32767" */
};

/* Parse an IPv4 CIDR with a prefix of 12..30 bits. -EINVAL otherwise. */
int kl_apiserver__range_parse_cidr(const char *cidr, struct kl_apiserver__range *ret);
void kl_apiserver__range_ports(uint32_t first, uint32_t last, struct kl_apiserver__range *ret);
/*
 * The offset of an address or port (text) in the range: -EINVAL when it
 * does not parse, -ERANGE when outside (the network and broadcast addresses
 * of a CIDR count as outside).
 */
int kl_apiserver__range_offset(const struct kl_apiserver__range *r, const char *value,
                               uint32_t *ret);
/* The text of offset `off` into `buf`. */
void kl_apiserver__range_format(const struct kl_apiserver__range *r, uint32_t off, char *buf,
                                size_t size);

struct kl_apiserver__bitmap {
        uint8_t *bits; /* owned */
        uint32_t size;
};

void kl_apiserver__bitmap_init(struct kl_apiserver__bitmap *b, uint32_t size);
void kl_apiserver__bitmap_release(struct kl_apiserver__bitmap *b);
bool kl_apiserver__bitmap_test(const struct kl_apiserver__bitmap *b, uint32_t off);
void kl_apiserver__bitmap_set(struct kl_apiserver__bitmap *b, uint32_t off, bool on);
/*
 * Take a free offset in [lo, hi), not one of `skip`, starting the scan at a
 * random place; -ENOSPC when none is left.
 */
int kl_apiserver__bitmap_take_any(struct kl_apiserver__bitmap *b, uint32_t lo, uint32_t hi,
                                  const uint32_t *skip, size_t n_skip, uint32_t *ret);
/* The RangeAllocation object to store (new): {range, allocated: [offsets]}. */
json_t *kl_apiserver__bitmap_encode(const struct kl_apiserver__bitmap *b,
                                    const struct kl_apiserver__range *r);
/*
 * Fill `b` (initialised here, release it in every case) from a stored
 * RangeAllocation. -ESTALE when it is for another range or malformed: the
 * caller rebuilds it from the Services.
 */
int kl_apiserver__bitmap_decode(const json_t *obj, const struct kl_apiserver__range *r,
                                struct kl_apiserver__bitmap *b);

/* ------------------------------------------------------------------------- */
/* managed.c: managedFields (pure) */

struct kl_api_message;

/* Which part of an object a write may own: the main resource leaves status to /status. */
enum kl_apiserver__fields_scope {
        KL_APISERVER_FIELDS_ALL,       /* kinds without a status subresource */
        KL_APISERVER_FIELDS_NO_STATUS, /* the main resource of kinds with one */
        KL_APISERVER_FIELDS_STATUS,    /* the status subresource */
};

/*
 * Converts `obj` (borrowed) of apiVersion `from` ("autoscaling/v1") to `to`:
 * a new object, or NULL when the two do not convert into each other. Must be
 * pure (workers call it).
 */
typedef json_t *kl_apiserver__convert_fn(const json_t *obj, const char *from, const char *to);

/* Who writes, for the managedFields entry. Strings borrowed for the call. */
struct kl_apiserver__manager {
        const char *manager;     /* fieldManager */
        const char *api_version; /* "apps/v1": the version of the objects passed in */
        const char *sub;         /* "status", "scale", ...; NULL for the main resource */
        kl_usec_t now;
        enum kl_apiserver__fields_scope scope;
        /*
         * How to see the objects in another manager's version (NULL: every
         * entry is taken to be of api_version). An entry of another version
         * holds field paths of that version, so what a write changes is
         * compared there, as structured-merge-diff's versioned field sets
         * are: an apply's conflicts with it and an update's taking of its
         * fields. Entries of versions that do not convert are compared as
         * api_version ones.
         */
        kl_apiserver__convert_fn *convert;
};

/*
 * The field set (FieldsV1 tree, new) of `obj` (borrowed) described by
 * message `m` (may be NULL: maps all the way down): every member but
 * apiVersion, kind and server-owned metadata (only labels, annotations,
 * finalizers and ownerReferences count).
 */
json_t *kl_apiserver__fields_of(const json_t *obj, const struct kl_api_message *m,
                                enum kl_apiserver__fields_scope scope);
/* Field-set algebra on FieldsV1 trees: `a` modified, `b` borrowed. */
void kl_apiserver__fields_subtract(json_t *a, const json_t *b);
void kl_apiserver__fields_union(json_t *a, const json_t *b);

/**
 * Record an ordinary write (create when `old` is NULL, update, patch) in
 * `next`'s managedFields (modified): the writer's Update entry gains the
 * fields whose value it set or changed, every other entry loses them, and
 * fields that disappeared leave every entry (an entry of another version
 * loses the fields whose value changed seen in its version, who->convert).
 * When the client wrote managedFields itself (they differ from `old`'s),
 * they are kept as given.
 */
void kl_apiserver__managed_update(json_t *next, const json_t *old, const struct kl_api_message *m,
                                  const struct kl_apiserver__manager *who);

/**
 * Server-side apply of `config` (borrowed, the applied manifest) to `live`
 * (borrowed, the stored object): merge (strategic merge rules), find the
 * fields that other managers own and whose value `config` changes, and
 * record the applier's Apply entry. Without `force` any conflict fails
 * with -KL_ECONFLICT and *ret_conflicts (new array of {manager, field}).
 * With it the applier takes those fields. Fields the applier applied
 * before, no longer applies and nobody else owns are removed. On success
 * *ret_obj is new. -EINVAL for a config the merge rejects. `live`, `config`
 * and `m` are of who->api_version; an entry of another version conflicts
 * where the merge changes one of its fields seen in its version
 * (who->convert), and the field is named in that version's path.
 */
int kl_apiserver__managed_apply(const json_t *live, const json_t *config,
                                const struct kl_api_message *m,
                                const struct kl_apiserver__manager *who, bool force,
                                json_t **ret_obj, json_t **ret_conflicts, struct kl_err **err);

/*
 * The scale subresource's managedFields, upstream's ScaleHandler: the
 * entries of the parent (`parent`, borrowed managedFields array) that own
 * spec.replicas, each reduced to that one field (the Scale's spec.replicas),
 * keeping manager, operation, apiVersion, subresource and time, so that an
 * apply of a Scale conflicts with them (new array).
 */
json_t *kl_apiserver__scale_entries_of(const json_t *parent);
/*
 * The parent's managedFields after a write of the Scale (new array):
 * `scale` (borrowed) is what kl_apiserver__scale_entries_of() gave, after
 * the Scale's apply. Parent entries that lost spec.replicas on the Scale
 * lose it (and go when left empty), the others stay as they are; a
 * manager that owns spec.replicas only on the Scale gets an entry of
 * `api_version` (the parent's, "apps/v1") owning f:spec.f:replicas.
 */
json_t *kl_apiserver__scale_entries_to_parent(const json_t *parent, const json_t *scale,
                                              const char *api_version);

/*
 * upstream's 409 for apply conflicts (new Status, details.causes of reason
 * FieldManagerConflict) and its message (*ret_message, owned).
 */
json_t *kl_apiserver__managed_conflict_status(const struct kl_api_resource *res, const char *name,
                                              const json_t *conflicts, char **ret_message);

/* ------------------------------------------------------------------------- */
/* cache.c: the watch cache */

/*
 * One stored object as the store holds it: canonical JSON bytes (without
 * resourceVersion, which is the key's mod revision), immutable and
 * ref-counted so the items array, the event window and in-flight responses
 * share it. Loop thread only.
 */
struct kl_apiserver__obj {
        unsigned refs;
        int64_t mod_rev;
        int64_t create_rev;
        size_t len;       /* bytes of JSON at data */
        const char *key;  /* NUL-terminated: in buf, or base's */
        const char *data; /* JSON text and a NUL: in buf, or base's */
        /*
         * Referenced when the bytes are another object's: a DELETED event carries
         * the last state at the delete's revision without a second copy.
         */
        struct kl_apiserver__obj *base;
        char buf[]; /* JSON text, NUL, key, NUL (empty when base is set) */
};

struct kl_apiserver__obj *kl_apiserver__obj_new(const char *key, const void *data, size_t len,
                                                int64_t mod_rev, int64_t create_rev);
/* The bytes and key of `base` (a reference taken) at another mod revision. */
struct kl_apiserver__obj *kl_apiserver__obj_at(struct kl_apiserver__obj *base, int64_t mod_rev);
struct kl_apiserver__obj *kl_apiserver__obj_ref(struct kl_apiserver__obj *o);
/* NULL is a no-op; returns NULL. */
struct kl_apiserver__obj *kl_apiserver__obj_unref(struct kl_apiserver__obj *o);
/* The object as a new JSON value with metadata.resourceVersion set; NULL if it does not parse. */
json_t *kl_apiserver__obj_decode(const struct kl_apiserver__obj *o);

enum kl_apiserver__change {
        KL_APISERVER_CHANGE_PUT,
        KL_APISERVER_CHANGE_DELETE,
};

/* One change in the window. */
struct kl_apiserver__event {
        enum kl_apiserver__change type;
        int64_t rev;
        struct kl_apiserver__obj *obj;  /* ref: the new state (PUT), or the last state (DELETE) */
        struct kl_apiserver__obj *prev; /* ref: the state before, NULL for a create */
};

/*
 * The decoded forms of one event while it is being delivered: each decoded
 * on the first watcher's request, then shared by every other watcher of the
 * event, and freed when the delivery ends. Most watchers never ask for the
 * previous state (only a selector's "left the selection" needs it), and a
 * watcher of another namespace asks for nothing.
 */
struct kl_apiserver__event_json {
        const struct kl_apiserver__event *ev; /* borrowed */
        json_t *obj, *prev;                   /* owned; NULL until decoded */
        bool obj_done, prev_done;             /* decoded (or found damaged) */
};

/* The event's object, decoded once; borrowed for the delivery. NULL: a damaged row. */
const json_t *kl_apiserver__event_obj(struct kl_apiserver__event_json *ej);
/* The state before (PUT of an existing key, DELETE); NULL for a create or a damaged row. */
const json_t *kl_apiserver__event_prev(struct kl_apiserver__event_json *ej);

struct kl_apiserver__cache_watcher;
/* An event for a cache watcher; `ej` decodes on request (borrowed for the call). */
typedef void kl_apiserver__cache_fn(struct kl_apiserver__cache_watcher *cw,
                                    const struct kl_apiserver__event *ev,
                                    struct kl_apiserver__event_json *ej);

struct kl_apiserver__cache_watcher {
        struct kl_apiserver__cache_watcher *next, *prev; /* in the cache's list */
        kl_apiserver__cache_fn *fn;
        int64_t after_rev; /* deliver only events with rev > after_rev */
};

/*
 * The objects of one storage prefix ("/registry/apps/deployments/"): sorted
 * by key, plus a ring of the last KL_APISERVER_WINDOW events. Every event
 * with a revision above `window_rev` is in the ring.
 */
struct kl_apiserver__cache {
        char *prefix;                     /* owned */
        struct kl_apiserver__obj **items; /* owned array of refs, sorted by key */
        size_t n, alloc;
        struct kl_apiserver__event *ring; /* owned, KL_APISERVER_WINDOW entries */
        size_t ring_head, ring_len;       /* oldest entry, entries used */
        int64_t window_rev;
        struct kl_apiserver__cache_watcher *watchers; /* borrowed; owners unlink themselves */
        struct kl_apiserver__offer *offers;           /* owned array, unordered */
        size_t n_offers;
};

/*
 * A writer's tree for a change it is about to submit to the store: `tree`
 * (a reference taken; read only from now on, by every thread) encodes to
 * exactly `value` (the bytes submitted, copied) under `key`. When the change
 * reaches the cache, the watchers get a shallow copy of the tree with its
 * resourceVersion set instead of a decode of the bytes. An offer is matched
 * by its key and the stored bytes, so a write that lost a race or failed is
 * never taken for another: the next change of the key drops it. At most
 * KL_APISERVER_OFFERS_MAX are kept (an arbitrary one is dropped beyond).
 */
void kl_apiserver__cache_offer(struct kl_apiserver__cache *c, const char *key, const void *value,
                               size_t len, json_t *tree);

void kl_apiserver__cache_init(struct kl_apiserver__cache *c, const char *prefix, int64_t rev);
void kl_apiserver__cache_release(struct kl_apiserver__cache *c);
/* Insert or replace (takes the reference `o`), used while loading. */
void kl_apiserver__cache_load(struct kl_apiserver__cache *c, struct kl_apiserver__obj *o);
/* The object at `key`, borrowed, or NULL. */
/*
 * The cached object `name` of `res` in `ns` (borrowed, valid until the cache
 * changes), or NULL with `*err` set to upstream's `pods "x" not found`
 * (-ENOENT). Loop thread.
 */
const struct kl_apiserver__obj *kl_apiserver__lookup(struct kl_apiserver *s,
                                                     const struct kl_api_resource *res,
                                                     const char *ns, const char *name,
                                                     struct kl_err **err);
struct kl_apiserver__obj *kl_apiserver__cache_find(const struct kl_apiserver__cache *c,
                                                   const char *key);
/* Index of the first item with key > `key` (or >= when `inclusive`). */
size_t kl_apiserver__cache_lower_bound(const struct kl_apiserver__cache *c, const char *key,
                                       bool inclusive);
/**
 * Apply one store change (loop thread): update the items, push it into the
 * ring, deliver it to the watchers. `value` NULL for a delete.
 */
void kl_apiserver__cache_apply(struct kl_apiserver__cache *c, enum kl_apiserver__change type,
                               const char *key, const void *value, size_t len, int64_t rev,
                               int64_t create_rev);
/**
 * Register a watcher that wants events after `after_rev`; events of the
 * window newer than that are replayed into it now. -KL_EEXPIRED when
 * `after_rev` is older than the window.
 */
int kl_apiserver__cache_watch(struct kl_apiserver__cache *c, struct kl_apiserver__cache_watcher *cw,
                              int64_t after_rev);
void kl_apiserver__cache_unwatch(struct kl_apiserver__cache *c,
                                 struct kl_apiserver__cache_watcher *cw);

/* ------------------------------------------------------------------------- */
/* read.c: lists at a revision, continue tokens, pages (pure except the last) */

/* The longest continue token accepted (R5.2): a key and some JSON, in base64. */
#define KL_APISERVER_CONTINUE_MAX 4096

/**
 * Upstream's continue token for a list at `rev` whose last item served has
 * the key `last` relative to the list's prefix: base64url (unpadded) of
 * {"v":"meta.k8s.io/v1","rv":rev,"start":"<last>\u0000"}. New string.
 */
char *kl_apiserver__continue_encode(int64_t rev, const char *last);
/**
 * Decode a continue token: its revision, the relative key to resume at
 * (*ret_start, new) and whether that key itself is excluded (upstream's
 * trailing NUL). -EINVAL (400) worded as upstream's `invalid continue
 * token: ...`; a start key that could leave the list's prefix is refused.
 */
int kl_apiserver__continue_decode(const char *token, int64_t *ret_rev, char **ret_start,
                                  bool *ret_exclusive, struct kl_err **err);

struct kl_api_label_selector;
struct kl_api_field_selector;

/* One page of a list; strings and selectors borrowed. */
struct kl_apiserver__page {
        int64_t rev;        /* metadata.resourceVersion, and the revision in continue tokens */
        const char *prefix; /* storage prefix of the list ("/registry/pods/default/") */
        const char *start;  /* resume at prefix + start; NULL: from the beginning */
        bool start_exclusive;
        int64_t limit;                          /* 0: all */
        const struct kl_api_label_selector *ls; /* NULL: everything */
        const struct kl_api_field_selector *fs; /* NULL: everything */
};

/**
 * Build a `<Kind>List` from `items` (sorted by key, borrowed): the items
 * under p->prefix from p->start on that match the selectors, at most
 * p->limit of them; metadata.continue when more keys remain (resuming after
 * the last key examined, as upstream), and remainingItemCount when no
 * selector filtered. Into *ret_list (new) when `ret_list` is given, else as
 * JSON text appended to `ret_text`, spliced from the stored bytes without a
 * decode (kl_apiserver__obj_append_json()). Any thread: it only reads
 * `items` and decodes.
 */
int kl_apiserver__list_page(const struct kl_api_resource *res,
                            struct kl_apiserver__obj *const *items, size_t n,
                            const struct kl_apiserver__page *p, json_t **ret_list,
                            struct kl_buf *ret_text, struct kl_err **err);
/*
 * A page of a list resolved for writing as JSON text a slice at a time
 * (README.md, "Reads"): references on the page's objects, where each one's
 * resourceVersion goes, and the list's metadata, so the size of the whole
 * text is known before any of it is produced. Owned by one thread at a time;
 * the references are released as their items are produced.
 */
struct kl_apiserver__list_text;

/**
 * Resolve the page `p` of `items` (sorted by key, borrowed) as
 * kl_apiserver__list_page() would build it as text. Selectors are matched
 * here (decoding), and an object whose stored bytes cannot be spliced is
 * re-encoded here, so producing the text cannot fail afterwards. Any thread.
 */
int kl_apiserver__list_text_new(const struct kl_api_resource *res,
                                struct kl_apiserver__obj *const *items, size_t n,
                                const struct kl_apiserver__page *p,
                                struct kl_apiserver__list_text **ret, struct kl_err **err);
/** Bytes of the whole text (a Content-Length). */
uint64_t kl_apiserver__list_text_size(const struct kl_apiserver__list_text *t);
/**
 * Append the next part of the text to `out`: whole items until at least
 * `want` bytes were appended or none is left (SIZE_MAX: everything). 1 when
 * more follows, 0 once the text is complete, -E2BIG when `out` reached its
 * maximum (nothing of the failed item was taken; retrying needs room).
 */
int kl_apiserver__list_text_next(struct kl_apiserver__list_text *t, struct kl_buf *out,
                                 size_t want);
/** NULL is a no-op. Releases the references of the items not produced. */
void kl_apiserver__list_text_free(struct kl_apiserver__list_text *t);
/**
 * http-api.c: answer `req` with `text` (handed over): 200, Content-Length,
 * then the text about 128 KiB at a time, each slice produced once the
 * connection has written the one before. A client that goes away (or a
 * server shutting down) ends it early: the connection is closed and the
 * references released.
 */
void kl_apiserver__respond_list_text(struct kl_http_req *req, struct kl_apiserver__list_text *text);

/**
 * Append the JSON text of `o` with metadata.resourceVersion set, as
 * kl_apiserver__obj_decode() and an encode would give it, straight from the
 * stored bytes: the member goes at the end of metadata. -EINVAL when the text
 * has no top-level metadata object, -EEXIST when metadata already holds a
 * resourceVersion (callers then decode); `out` may hold a partial append.
 */
int kl_apiserver__obj_append_json(const struct kl_apiserver__obj *o, struct kl_buf *out);
/**
 * True when cache `c`, whose server is at `cache_rev`, holds exactly what
 * the store held at `rev` under its prefix: no event of it is newer than
 * `rev` (and `rev` is not in the future).
 */
bool kl_apiserver__cache_is_at(const struct kl_apiserver__cache *c, int64_t cache_rev, int64_t rev);

/* ------------------------------------------------------------------------- */
/* The server */

struct kl_apiserver__waiter; /* a write waiting for the cache to catch up */
struct kl_apiserver__http_watch;

struct kl_apiserver {
        uv_loop_t *loop;                    /* borrowed */
        struct kl_store *store;             /* owned; closed last */
        struct kl_http_server *http;        /* owned; closed by kl_apiserver_close() */
        struct kl_pki_server *pki;          /* owned */
        struct kl_pki_token_file *tokens;   /* owned; NULL without --token-file */
        struct kl_store_watch *store_watch; /* owned */
        struct kl_apiserver__cache *caches; /* owned, one per storage prefix */
        size_t n_caches;
        const struct kl_apiserver__cache **by_row; /* owned array, borrowed entries: row -> cache */
        int64_t rev;                               /* the watch cache's revision */
        uv_timer_t tick;         /* owned: waiter time-outs, watch deadlines, bookmarks */
        uv_timer_t kick;         /* owned: delivers watches' initial events */
        unsigned pending_closes; /* handles whose close callback has not run */
        unsigned ops;            /* writes on worker threads */
        bool closing;
        bool http_closed;
        struct kl_apiserver__waiter *waiters;          /* owned list, by revision */
        struct kl_apiserver_watch *watches;            /* borrowed list of live watches */
        struct kl_apiserver__http_watch *http_watches; /* borrowed list of HTTP watch streams */
        char *server_address;                          /* owned: "127.0.0.1:6443" for /api */
        struct kl_apiserver__range service_ips;        /* --service-cidr */
        struct kl_apiserver__range node_ports;         /* 30000-32767 */
        struct kl_apiserver__proxy *proxy;             /* owned (proxy.c): pods/log, exec, attach */
        json_t *openapi; /* owned, built on first use: {"index": doc, "docs": {"api/v1": text}} */
        /*
         * The last watch event line encoded (http-api.c): every watcher of one
         * change gets the same decoded object, so one encoding serves them all.
         * The reference on the object keeps its address from being reused.
         */
        struct {
                json_t *obj; /* ref */
                int type;
                char *line; /* owned */
                size_t len;
        } watch_line;
        kl_apiserver_closed_fn *closed_cb;
        void *closed_arg;
};

/* The cache of a resource row (never NULL for a row of the table). */
struct kl_apiserver__cache *kl_apiserver__cache_of(struct kl_apiserver *s,
                                                   const struct kl_api_resource *res);

/**
 * Call `fn(arg)` once the cache has reached revision `rev` (at once if it
 * has), or after KL_APISERVER_CATCH_UP_USEC at the latest, or when closing.
 */
void kl_apiserver__wait_rev(struct kl_apiserver *s, int64_t rev, void (*fn)(void *arg), void *arg);
/* Deliver due waiters (after the revision moved, or on the tick). */
void kl_apiserver__waiters_run(struct kl_apiserver *s, bool all);

/* watch.c */
void kl_apiserver__watches_kick(struct kl_apiserver *s);
void kl_apiserver__watches_tick(struct kl_apiserver *s);

/* http-api.c */
void kl_apiserver__http_handler(struct kl_http_req *req, void *userdata);
void kl_apiserver__http_watches_tick(struct kl_apiserver *s);
void kl_apiserver__http_watches_end_all(struct kl_apiserver *s);
/* Free what the HTTP layer keeps in `s` (server.c, when freeing). */
void kl_apiserver__http_release(struct kl_apiserver *s);

/* discovery.c: new documents */
json_t *kl_apiserver__discovery_aggregated(bool core, bool v2beta1);
json_t *kl_apiserver__discovery_api_versions(const char *server_address);
json_t *kl_apiserver__discovery_group_list(void);
/* NULL when the group is not served. */
json_t *kl_apiserver__discovery_group(const char *group);
/* NULL when the group/version is not served. */
json_t *kl_apiserver__discovery_resource_list(const char *group, const char *version);
json_t *kl_apiserver__version_info(void);

/* openapi.c: new documents, NULL when the group/version is not served */
json_t *kl_apiserver__openapi_index(void);
json_t *kl_apiserver__openapi_gv(const char *group, const char *version);

/* write.c: the autoscaling/v1 Scale view of an object (new) */
json_t *kl_apiserver__scale_of(const json_t *obj);
/* Continue shutting down when the last write or handle is gone (server.c). */
void kl_apiserver__close_step(struct kl_apiserver *s);

/* handler.c: field getter for selectors of a resource (pods' spec.nodeName ...) */
const char *kl_apiserver__field_get(const void *obj, const char *field, void *userdata);

/*
 * read.c: a list as the HTTP layer asks for it. `cb(arg, r, list, text, err)`
 * runs on the loop thread exactly once, maybe from inside this call; `list`
 * and `err` are borrowed for the call, `text` is handed over (the callback
 * frees it, kl_apiserver__list_text_free()).
 */
typedef void kl_apiserver__list_fn(void *arg, int r, const json_t *list,
                                   struct kl_apiserver__list_text *text, const struct kl_err *err);
/**
 * List with upstream's resourceVersion semantics: unset or "0" from the
 * cache; N with NotOlderThan (or no match and no limit) from the cache once
 * it has reached N (504 `Too large resource version` after waiting);
 * Exact (or no match with a limit, upstream's legacy rule) and continue
 * tokens at the revision asked for, from the cache when it is at that
 * revision and otherwise from the store on a worker; 410 with upstream's
 * words when that revision is compacted. `rv_match` is
 * resourceVersionMatch (NULL or "" when absent); 400/422 for the
 * combinations upstream refuses. With `as_text` the list comes as a
 * kl_apiserver__list_text (`list` NULL) to be produced a slice at a time from
 * the stored bytes.
 */
void kl_apiserver__list_async(struct kl_apiserver *s, const struct kl_api_resource *res,
                              const char *ns, const struct kl_apiserver_list_opts *opts,
                              const char *rv_match, bool as_text, kl_apiserver__list_fn *cb,
                              void *arg);

/* ------------------------------------------------------------------------- */
/* authz.c: who may do what (the one authorizer), and the review APIs asking it */

#define KL_APISERVER_ADMIN_GROUP         "system:masters"
#define KL_APISERVER_AUTHENTICATED_GROUP "system:authenticated"

/* Who is asking. Strings borrowed from the request's pool, the token file or a certificate. */
struct kl_apiserver__user {
        const char *name;
        const char *uid; /* NULL or "" when unknown */
        const char *const *groups;
        size_t n_groups;
};

/*
 * What is asked (upstream's authorizer.Attributes). A resource request has
 * `resource` set; a non-resource request has `path` instead. Empty strings
 * and NULL mean the same: `ns` empty is the cluster scope (or, in a review,
 * every namespace).
 */
struct kl_apiserver__attrs {
        const char *verb; /* "get", "create", ...; non-resource: the lowercase method */
        const char *group;
        const char *resource;
        const char *sub;
        const char *ns;
        const char *name;
        const char *path;
};

/*
 * One grant: `verbs` (NULL-terminated) on `plural` (subresource `sub`, NULL
 * for the resource itself) of `group`, in namespace `ns` (NULL: every
 * namespace and the cluster scope). Static data.
 */
struct kl_apiserver__rule {
        const char *group;
        const char *plural;
        const char *sub;
        const char *ns;
        const char *const *verbs;
};

/** Whether `rule` grants the resource request `a` (exact names; "*" only matches "*"). */
bool kl_apiserver__rule_allows(const struct kl_apiserver__rule *rule,
                               const struct kl_apiserver__attrs *a);

/**
 * The authorizer, until RBAC exists: the request path and every review ask
 * it, so their answers cannot disagree. Allowed: anything for members of
 * system:masters; for nodes the rules of join.c; for every user in
 * system:authenticated the self reviews (create) and GET of the discovery
 * and health paths (upstream's system:basic-user, system:discovery and
 * system:public-info-viewer roles). Everything else is denied (no opinion).
 * `*ret_reason` (may be NULL) gets upstream's reason text or NULL (static).
 */
bool kl_apiserver__authorize(const struct kl_apiserver__user *u,
                             const struct kl_apiserver__attrs *a, const char **ret_reason);

/**
 * Authenticate a bearer token as the request path does: the token file
 * (when the server has one), then bootstrap tokens. Fills *ret (strings in
 * `pool` or the token file) without system:authenticated. -ENOENT when the
 * server has no token file and the token is not bootstrap-shaped (the
 * caller may try other credentials), -KL_EUNAUTHORIZED when refused. Loop
 * thread.
 */
int kl_apiserver__authenticate_token(struct kl_apiserver *s, const char *token,
                                     struct kl_pool *pool, struct kl_apiserver__user *ret);

/** Append system:authenticated to u's groups (a copy in `pool`) unless already there. */
void kl_apiserver__user_add_authenticated(struct kl_apiserver__user *u, struct kl_pool *pool);

/** Whether `res` is one of the review rows (authorization.k8s.io, authentication.k8s.io). */
bool kl_apiserver__is_review(const struct kl_api_resource *res);

/**
 * Answer a POSTed review `body` (stolen) of row `res` for user `u` (already
 * allowed to create it), `ns` the URL's namespace (NULL: none). 0 and
 * *ret the review with its status (201); -KL_EINVALID and *ret upstream's
 * 422 Status; another negative code with `err` (400 for malformed bodies).
 * Never stores anything. Loop thread (TokenReview reads the watch cache).
 */
int kl_apiserver__review(struct kl_apiserver *s, const struct kl_apiserver__user *u,
                         const struct kl_api_resource *res, const char *ns, json_t *body,
                         struct kl_pool *pool, json_t **ret, struct kl_err **err);

/* ------------------------------------------------------------------------- */
/* join.c: joining nodes: bootstrap tokens, /cacerts, node certificates, nodes' rights */

#define KL_APISERVER_CACERTS_PATH     "/cacerts"
#define KL_APISERVER_NODE_CERT_PATH   "/v1-kube-lite/node-certificate"
#define KL_APISERVER_BOOTSTRAP_GROUP  "system:bootstrappers"
#define KL_APISERVER_NODES_GROUP      "system:nodes"
#define KL_APISERVER_NODE_USER_PREFIX "system:node:"

/**
 * Authenticate a bearer token shaped like a bootstrap token ("<id>.<secret>")
 * against the Secret kube-system/bootstrap-token-<id> in the watch cache, as
 * upstream's bootstrap authenticator: type bootstrap.kubernetes.io/token, not
 * being deleted, token-secret equal (constant time), expiration (RFC 3339)
 * in the future when set, usage-bootstrap-authentication "true", and every
 * auth-extra-groups entry "system:bootstrappers:...". On success the user is
 * system:bootstrap:<id> with groups system:bootstrappers plus the extra ones
 * (strings in `pool`). -ENOENT when the token is not bootstrap-shaped,
 * -KL_EUNAUTHORIZED when it is and is refused. Loop thread.
 */
int kl_apiserver__bootstrap_authenticate(struct kl_apiserver *s, const char *token,
                                         struct kl_pool *pool, const char **ret_name,
                                         const char *const **ret_groups, size_t *ret_n);

/**
 * Whether a node (user system:node:<name> in group system:nodes) may do
 * `verb` on the resource `group`/`resource` (subresource `sub`, NULL for
 * none) in `ns` (NULL: cluster scope): what a kubelet needs, nothing else
 * (join.c has the table).
 */
bool kl_apiserver__node_allows(const char *user, const char *const *groups, size_t n_groups,
                               const char *verb, const char *group, const char *resource,
                               const char *ns, const char *sub);
/** Whether the user is a node: named system:node:<name> and in group system:nodes. */
bool kl_apiserver__is_node(const char *user, const char *const *groups, size_t n_groups);
/** The rules a node is granted (static table; authz.c reports them in rules reviews). */
const struct kl_apiserver__rule *kl_apiserver__node_rules(size_t *ret_n);

/* GET /cacerts: the server CA as PEM; unauthenticated. */
void kl_apiserver__serve_cacerts(struct kl_apiserver *s, struct kl_http_req *req);

/**
 * POST /v1-kube-lite/node-certificate for an authenticated user (bootstrap
 * token, admin, or the node itself): {"nodeName", "nodePassword"} in, a new
 * client certificate {"certificate", "key", "ca", "clientCA"} out (PEM); 403
 * "node password mismatch" when the name's stored password differs.
 */
void kl_apiserver__serve_node_certificate(struct kl_apiserver *s, struct kl_http_req *req,
                                          const char *user, const char *const *groups,
                                          size_t n_groups);

/** Answer with `obj` as JSON (content_type NULL: application/json); 500 if it cannot be encoded. */
void kl_apiserver__respond_json(struct kl_http_req *req, int status, const json_t *obj,
                                const char *content_type);

/* ---- proxy.c: pods/log, pods/exec, pods/attach relayed to the kubelet ---- */

struct kl_apiserver__proxy;

/**
 * Make sure the kubelet client certificate exists (<tls_dir>/client-kube-
 * apiserver-kubelet.{crt,key}: CN kube-apiserver-kubelet-client, O
 * system:masters, from the client CA) and set up s->proxy. Start-up only
 * (blocking file I/O).
 */
int kl_apiserver__proxy_new(struct kl_apiserver *s, const char *tls_dir, struct kl_err **err);
/* True for the pod subresources proxy.c serves. */
bool kl_apiserver__proxy_handles(const char *sub);
/* Serve an authorized request for pods/{name}/{log,exec,attach}. */
void kl_apiserver__proxy_serve(struct kl_apiserver *s, struct kl_http_req *req,
                               const struct kl_api_resource *res,
                               const struct kl_apiserver__route *rt,
                               const struct kl_apiserver__query *q);
/* Closing: end every session, close the proxy's handle (counted in s->pending_closes). */
void kl_apiserver__proxy_close(struct kl_apiserver *s);
/* Free s->proxy (server_free); NULL is fine. */
void kl_apiserver__proxy_free(struct kl_apiserver *s);

/* ---- service-alloc.c: Services' cluster IPs and node ports ---- */

/* Retries of a read-modify-write that lost a compare-and-swap race. */
#define KL_APISERVER__CAS_RETRIES 16

struct kl_apiserver__service_alloc {
        struct kl_apiserver *s;
        const struct kl_api_resource *res; /* the Services row: names the 422 */
        bool dry_run;                      /* check, take nothing */
        json_t *failure;                   /* out, owned: the Status of a 422 with details */
};

/*
 * Give `svc` (new, or updated from `old`, which may be NULL) its cluster IP
 * and node ports and release what `old` held and `svc` no longer does: the
 * ones asked for if free (422 otherwise), free ones for those left empty.
 */
int kl_apiserver__service_allocate(struct kl_apiserver__service_alloc *a, json_t *svc,
                                   const json_t *old, struct kl_err **err);
/* Undo kl_apiserver__service_allocate() after the write it was for failed (errors logged). */
void kl_apiserver__service_allocate_undo(struct kl_apiserver__service_alloc *a, const json_t *svc,
                                         const json_t *old);
/* Drop what an update's new type no longer has (node ports, cluster IP), as upstream. */
void kl_apiserver__service_drop_type_dependent(json_t *svc, const json_t *old);

#endif
