/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event recorder: core/v1 Events as upstream's client-go recorder
 * writes them (tools/record), fire and forget.
 *
 * Each client remembers the events it recorded in a bounded LRU
 * (KL_CLIENT_EVENT_CACHE_MAX entries) keyed by (involved object, type,
 * reason, message). A repeat within KL_CLIENT_EVENT_DEDUP_USEC bumps count
 * and lastTimestamp of the Event already written (a strategic merge patch
 * of those two fields, upstream's patch), instead of creating another.
 *
 * At most one write per entry is in flight: repeats that arrive while one
 * is count only, and the callback of the write sends the next patch with
 * the count reached, so a burst of repeats costs two writes, not one each.
 * A patch that finds the Event gone (deleted, or the server's TTL) creates
 * it again under a new name, as upstream's recorder does.
 *
 * Entries are referenced by their in-flight write; one evicted from the LRU
 * meanwhile is unlinked and freed by that write's callback.
 *
 * Event writes yield to the client's other writes: at most
 * KL_CLIENT_EVENT_INFLIGHT_MAX are in flight per client, the others wait
 * their turn in order of recording (an entry waits once however often it
 * repeats meanwhile: its write, when it goes, carries the count reached).
 * Upstream's recorder is asynchronous too (a queue and a sink apart from the
 * component's own requests, throttled by the client's rate limit), so an
 * Event may trail what it reports, never hold it up: a burst of bindings
 * is not slowed down by the Scheduled event of each. An entry evicted from
 * the LRU while it waits is still written, then freed. At most
 * KL_CLIENT_EVENT_WAITING_MAX entries wait (R5.2); beyond that a new Event
 * is dropped, as upstream's broadcaster drops when its queue is full.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "client/client-internal.h"

struct entry {
        struct entry *lru_prev, *lru_next; /* in rec's LRU, most recent first */
        struct kl_client__recorder *rec;   /* borrowed; outlives the entry */
        char *key;                         /* owned: uid, type, reason, message */
        char *ns;                          /* owned */
        char *name;                        /* owned: the Event's name; NULL until created */
        json_t *event;                     /* owned: the Event to create */
        int64_t count;                     /* occurrences recorded */
        int64_t sent;                      /* count of the write in flight */
        int64_t written;                   /* count the server has */
        kl_usec_t last_seen;               /* monotonic */
        kl_usec_t last_real;               /* wall clock of the last occurrence */
        struct entry *wait_next;           /* in rec's waiting queue */
        bool inflight;
        bool waiting; /* in the waiting queue: its write goes when a slot frees */
        bool created; /* the server has the Event `name` */
        bool evicted; /* out of the map and the LRU; freed after its write */
};

struct kl_client__recorder {
        struct kl_client *client; /* borrowed: the recorder's owner */
        const struct kl_api_resource *res;
        struct kl_strmap map; /* key -> entry */
        struct entry *lru_head, *lru_tail;
        size_t n;
        struct entry *wait_head, *wait_tail; /* entries whose write waits for a slot */
        size_t n_waiting;
        unsigned n_inflight; /* event writes in flight, at most KL_CLIENT_EVENT_INFLIGHT_MAX */
        uint64_t last_ns;    /* the last name suffix used, so two names never collide */
        uint64_t dropped;    /* events not recorded because too many waited */
        bool closing;
};

static void entry_free(struct entry *e)
{
        free(e->key);
        free(e->ns);
        free(e->name);
        json_decref(e->event);
        free(e);
}

static void lru_unlink(struct kl_client__recorder *rec, struct entry *e)
{
        if (e->lru_prev)
                e->lru_prev->lru_next = e->lru_next;
        else
                rec->lru_head = e->lru_next;
        if (e->lru_next)
                e->lru_next->lru_prev = e->lru_prev;
        else
                rec->lru_tail = e->lru_prev;
        e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct kl_client__recorder *rec, struct entry *e)
{
        e->lru_prev = NULL;
        e->lru_next = rec->lru_head;
        if (rec->lru_head)
                rec->lru_head->lru_prev = e;
        rec->lru_head = e;
        if (!rec->lru_tail)
                rec->lru_tail = e;
}

/* Forget `e`: freed now, or by its write's callback when one is in flight. */
static void entry_drop(struct kl_client__recorder *rec, struct entry *e)
{
        (void)kl_strmap_remove(&rec->map, e->key);
        lru_unlink(rec, e);
        rec->n--;
        if (e->inflight || e->waiting)
                e->evicted = true;
        else
                entry_free(e);
}

static void timestamp(kl_usec_t t, char buf[KL_RFC3339_MAX])
{
        (void)kl_rfc3339_format(t, KL_RFC3339_SECONDS, buf, KL_RFC3339_MAX);
}

static void on_written(void *arg, int r, const json_t *obj, const struct kl_err *err);

/* A fresh name, "<involved name>.<hex nanoseconds>" as upstream's recorder makes it. */
static char *event_name(struct kl_client__recorder *rec, const char *involved_name)
{
        uint64_t ns = (uint64_t)kl_now_realtime() * 1000;

        if (ns <= rec->last_ns)
                ns = rec->last_ns + 1;
        rec->last_ns = ns;
        return kl_asprintf("%s.%llx", involved_name, (unsigned long long)ns);
}

static void send_create(struct entry *e)
{
        struct kl_client__recorder *rec = e->rec;
        json_t *ev = json_deep_copy(e->event);
        char ts[KL_RFC3339_MAX];
        const char *involved_name = json_string_value(
                json_object_get(json_object_get(e->event, "involvedObject"), "name"));

        free(e->name);
        e->name = event_name(rec, involved_name ? involved_name : "");
        timestamp(e->last_real, ts);
        (void)json_object_set_new(json_object_get(ev, "metadata"), "name", json_string(e->name));
        (void)json_object_set_new(ev, "count", json_integer(e->count));
        (void)json_object_set_new(ev, "lastTimestamp", json_string(ts));
        e->inflight = true;
        e->sent = e->count;
        kl_client_create(rec->client, rec->res, e->ns, ev, NULL, on_written, e);
}

static void send_patch(struct entry *e)
{
        struct kl_client__recorder *rec = e->rec;
        char ts[KL_RFC3339_MAX];

        timestamp(e->last_real, ts);
        e->inflight = true;
        e->sent = e->count;
        kl_client_patch(rec->client, rec->res, e->ns, e->name, NULL, KL_API_PATCH_TYPE_STRATEGIC,
                        json_pack("{sIss}", "count", (json_int_t)e->count, "lastTimestamp", ts),
                        NULL, on_written, e);
}

/* Write `e` (a create, or a patch of the count once created), now or when a slot frees. */
static void event_send(struct entry *e)
{
        struct kl_client__recorder *rec = e->rec;

        kl_assert(!e->inflight && !e->waiting);
        if (rec->n_inflight >= KL_CLIENT_EVENT_INFLIGHT_MAX) {
                e->waiting = true;
                e->wait_next = NULL;
                if (rec->wait_tail)
                        rec->wait_tail->wait_next = e;
                else
                        rec->wait_head = e;
                rec->wait_tail = e;
                rec->n_waiting++;
                return;
        }
        rec->n_inflight++;
        if (e->created)
                send_patch(e);
        else
                send_create(e);
}

/* A slot is free: the writes waiting longest go. Nothing new starts while closing. */
static void pump(struct kl_client__recorder *rec)
{
        while (!rec->closing && rec->wait_head && rec->n_inflight < KL_CLIENT_EVENT_INFLIGHT_MAX) {
                struct entry *e = rec->wait_head;

                rec->wait_head = e->wait_next;
                if (!rec->wait_head)
                        rec->wait_tail = NULL;
                rec->n_waiting--;
                e->wait_next = NULL;
                e->waiting = false;
                event_send(e);
        }
}

static void on_written(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        struct entry *e = arg;
        struct kl_client__recorder *rec = e->rec;

        (void)obj;
        e->inflight = false;
        kl_assert(rec->n_inflight > 0);
        rec->n_inflight--;
        if (e->evicted) {
                entry_free(e);
        } else if (r >= 0) {
                e->created = true;
                e->written = e->sent;
                if (!rec->closing && e->count > e->written)
                        event_send(e);
        } else {
                kl_log_debug(KL_LOG_API, "client: recording event %s/%s failed, ignoring: %s",
                             e->ns, e->name ? e->name : "", err ? kl_err_msg(err) : kl_strerror(r));
                if (!rec->closing && e->created && r == -ENOENT) {
                        /* The Event is gone (deleted, expired): write it anew, as upstream does. */
                        e->created = false;
                        event_send(e);
                } else {
                        /* Not written: forget it; the next occurrence starts afresh. */
                        entry_drop(rec, e);
                }
        }
        pump(rec);
}

static void record(struct kl_client *c, const char *component, const json_t *involved,
                   const char *type, const char *reason, const char *msg)
{
        struct kl_client__recorder *rec = c->recorder;
        const json_t *meta = json_object_get(involved, "metadata");
        const char *ns = json_string_value(json_object_get(meta, "namespace"));
        const char *name = json_string_value(json_object_get(meta, "name"));
        const char *uid = json_string_value(json_object_get(meta, "uid"));
        const char *kind = json_string_value(json_object_get(involved, "kind"));
        const char *api_version = json_string_value(json_object_get(involved, "apiVersion"));
        const char *rv = json_string_value(json_object_get(meta, "resourceVersion"));
        kl_usec_t now = kl_now_monotonic(), real = kl_now_realtime();
        char ts[KL_RFC3339_MAX];
        kl_autofree char *key = NULL;
        struct entry *e;
        json_t *involved_ref;

        if (!rec) {
                rec = kl_new0(struct kl_client__recorder);
                rec->client = c;
                rec->res = kl_api_resource_find("", "v1", "events");
                kl_assert(rec->res);
                c->recorder = rec;
        }
        /* Upstream's aggregation key: source, involved object, type, reason, message. */
        key = kl_asprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", component, uid ? uid : "",
                          kind ? kind : "", ns ? ns : "", name ? name : "", type, reason, msg);
        e = kl_strmap_get(&rec->map, key);
        if (e && now - e->last_seen <= KL_CLIENT_EVENT_DEDUP_USEC) {
                e->count++;
                e->last_seen = now;
                e->last_real = real;
                lru_unlink(rec, e);
                lru_push_front(rec, e);
                /*
                 * While a write is in flight its callback sends the patch; a
                 * waiting write carries the new count when it goes.
                 */
                if (!e->inflight && !e->waiting)
                        event_send(e);
                return;
        }
        if (e)
                entry_drop(rec, e);
        if (rec->n_waiting >= KL_CLIENT_EVENT_WAITING_MAX) {
                if (rec->dropped++ == 0)
                        kl_log_warn(KL_LOG_API,
                                    "client: %zu events wait to be written, dropping new ones",
                                    rec->n_waiting);
                return;
        }

        e = kl_new0(struct entry);
        e->rec = rec;
        e->key = KL_TAKE_PTR(key);
        e->ns = kl_strdup(kl_isempty(ns) ? "default" : ns);
        e->count = 1;
        e->last_seen = now;
        e->last_real = real;
        timestamp(real, ts);
        involved_ref = json_object();
        if (api_version)
                (void)json_object_set_new(involved_ref, "apiVersion", json_string(api_version));
        if (kind)
                (void)json_object_set_new(involved_ref, "kind", json_string(kind));
        if (!kl_isempty(ns))
                (void)json_object_set_new(involved_ref, "namespace", json_string(ns));
        if (name)
                (void)json_object_set_new(involved_ref, "name", json_string(name));
        if (uid)
                (void)json_object_set_new(involved_ref, "uid", json_string(uid));
        if (rv)
                (void)json_object_set_new(involved_ref, "resourceVersion", json_string(rv));
        e->event = json_pack("{sssss{ss}sosssssss{ss}sssssI}", "apiVersion", "v1", "kind", "Event",
                             "metadata", "namespace", e->ns, "involvedObject", involved_ref,
                             "reason", reason, "message", msg, "type", type, "source", "component",
                             component, "reportingComponent", component, "firstTimestamp", ts,
                             "count", (json_int_t)1);
        kl_assert(e->event);
        while (rec->n >= KL_CLIENT_EVENT_CACHE_MAX)
                entry_drop(rec, rec->lru_tail);
        kl_strmap_put(&rec->map, e->key, e);
        lru_push_front(rec, e);
        rec->n++;
        event_send(e);
}

static void recordv(struct kl_client *c, const char *component, const json_t *involved,
                    const char *type, const char *reason, const char *fmt, va_list ap)
        KL_PRINTF(6, 0);

static void recordv(struct kl_client *c, const char *component, const json_t *involved,
                    const char *type, const char *reason, const char *fmt, va_list ap)
{
        kl_autofree char *msg = kl_vasprintf(fmt, ap);

        if (strlen(msg) > KL_CLIENT_EVENT_MESSAGE_MAX)
                msg[KL_CLIENT_EVENT_MESSAGE_MAX] = '\0';
        if (kl_isempty(component))
                component = strrchr(c->user, ':') ? strrchr(c->user, ':') + 1 : c->user;
        record(c, component, involved, type, reason, msg);
}

void kl_client_event(struct kl_client *c, const json_t *involved, const char *type,
                     const char *reason, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        recordv(c, NULL, involved, type, reason, fmt, ap);
        va_end(ap);
}

void kl_client_event_from(struct kl_client *c, const char *component, const json_t *involved,
                          const char *type, const char *reason, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        recordv(c, component, involved, type, reason, fmt, ap);
        va_end(ap);
}

void kl_client__recorder_close(struct kl_client__recorder *rec)
{
        if (rec)
                rec->closing = true;
}

void kl_client__recorder_free(struct kl_client__recorder *rec)
{
        if (!rec)
                return;
        /* Waiting writes never went (closing starts none); those out of the LRU are freed here. */
        for (struct entry *e = rec->wait_head, *next; e; e = next) {
                next = e->wait_next;
                if (e->evicted)
                        entry_free(e);
        }
        for (struct entry *e = rec->lru_head, *next; e; e = next) {
                next = e->lru_next;
                /* The client completed every write before this: nothing is in flight. */
                kl_assert(!e->inflight);
                entry_free(e);
        }
        kl_strmap_release(&rec->map);
        free(rec);
}

size_t kl_client__recorder_size(const struct kl_client__recorder *rec)
{
        return rec ? rec->n : 0;
}

size_t kl_client__recorder_waiting(const struct kl_client__recorder *rec)
{
        return rec ? rec->n_waiting : 0;
}
