/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Services' cluster IPs and node ports, as upstream's Service registry
 * allocates them: each range is a bitmap kept in the store as a
 * RangeAllocation (rebuilt from the stored Services when missing, so the
 * store stays the one truth), taken and released with compare-and-swap
 * writes that a racing writer makes retry. Runs on the pool, inside a
 * create or an update of a Service (write.c).
 */
#include <string.h>

#include "api/validate.h"
#include "apiserver/apiserver-internal.h"
#include "json/json.h"

static const char *spec_str(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(json_object_get(obj, "spec"), key));
}

/* The cluster IP a Service holds or asks for: NULL for none (headless, ExternalName). */
static const char *service_ip(const json_t *svc)
{
        const char *ip = spec_str(svc, "clusterIP");

        if (!svc || kl_streq_null(spec_str(svc, "type"), "ExternalName") ||
            kl_streq_null(ip, "None"))
                return NULL;
        return ip ? ip : "";
}

static bool service_has_node_ports(const json_t *svc)
{
        const char *type = spec_str(svc, "type");

        return svc && (kl_streq_null(type, "NodePort") || kl_streq_null(type, "LoadBalancer"));
}

/* Is node port `port` held by `svc`? */
static bool service_holds_port(const json_t *svc, json_int_t port)
{
        size_t i;
        json_t *p;

        if (!service_has_node_ports(svc))
                return false;
        json_array_foreach(json_object_get(json_object_get(svc, "spec"), "ports"), i, p) {
                if (json_integer_value(json_object_get(p, "nodePort")) == port)
                        return true;
        }
        return false;
}

/* Mark what `svc` holds in the bitmaps (rebuilding a missing RangeAllocation). */
static void service_mark(struct kl_apiserver *s, const json_t *svc, struct kl_apiserver__bitmap *b,
                         bool ips)
{
        const char *ip = service_ip(svc);
        size_t i;
        json_t *p;
        uint32_t off;

        if (ips) {
                if (!kl_isempty(ip) && kl_apiserver__range_offset(&s->service_ips, ip, &off) == 0)
                        kl_apiserver__bitmap_set(b, off, true);
                return;
        }
        if (!service_has_node_ports(svc))
                return;
        json_array_foreach(json_object_get(json_object_get(svc, "spec"), "ports"), i, p) {
                json_int_t port = json_integer_value(json_object_get(p, "nodePort"));

                if (port >= s->node_ports.base && port - s->node_ports.base < s->node_ports.size)
                        kl_apiserver__bitmap_set(b, (uint32_t)(port - s->node_ports.base), true);
        }
}

/*
 * Read the RangeAllocation at `key` into `b` (initialised here). When it is
 * missing (first start, an older data directory) or for another range, it
 * is rebuilt from the stored Services: the store stays the one truth.
 * *ret_rev is the key's revision, 0 when it has to be created.
 */
static int range_load(struct kl_apiserver__service_alloc *a, const char *key, bool ips,
                      struct kl_apiserver__bitmap *b, int64_t *ret_rev, struct kl_err **err)
{
        struct kl_apiserver *s = a->s;
        const struct kl_apiserver__range *range = ips ? &s->service_ips : &s->node_ports;
        const struct kl_api_resource *svc = kl_api_resource_find("", "v1", "services");
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;
        kl_autofree char *prefix = NULL;
        json_auto_t *obj = NULL;
        int r;

        r = kl_store_get(s->store, key, 0, &kv, NULL);
        if (r < 0 && r != -ENOENT)
                return kl_err_set(err, r, "read '%s'", key);
        *ret_rev = kv ? kv->mod_rev : 0;
        if (kv && kl_json_decode(kv->value, kv->len, KL_STORE_VALUE_MAX_LIMIT, &obj, NULL) == 0 &&
            kl_apiserver__bitmap_decode(obj, range, b) == 0)
                return 0;
        if (!b->bits)
                kl_apiserver__bitmap_init(b, range->size); /* missing, or not JSON at all */
        prefix = kl_api_storage_key(svc, NULL, NULL);
        r = kl_store_list(s->store, prefix, 0, 0, NULL, &l, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l->n; i++) {
                json_auto_t *o = kl_apiserver__object_decode_kv(l->items[i]);

                service_mark(s, o, b, ips);
        }
        return 0;
}

static int range_store(struct kl_apiserver__service_alloc *a, const char *key, bool ips,
                       const struct kl_apiserver__bitmap *b, int64_t rev, struct kl_err **err)
{
        const struct kl_apiserver__range *range = ips ? &a->s->service_ips : &a->s->node_ports;
        json_auto_t *obj = kl_apiserver__bitmap_encode(b, range);
        kl_autobuf struct kl_buf value = KL_BUF_INIT;
        int r;

        r = kl_json_encode(obj, KL_JSON_ENCODE_CANONICAL, &value, err);
        if (r < 0)
                return r;
        if (rev == 0)
                r = kl_store_create(a->s->store, key, value.buf, value.len, 0, NULL, NULL, NULL);
        else
                r = kl_store_update(a->s->store, key, value.buf, value.len, rev, 0, NULL, NULL,
                                    NULL);
        if (r == -EEXIST || r == -ENOENT)
                r = -KL_ECONFLICT;
        if (r < 0 && r != -KL_ECONFLICT)
                return kl_err_set(err, r, "write '%s'", key);
        return r;
}

/* A 422 for an allocation, worded as upstream's Service registry words it. */
static int alloc_invalid(struct kl_apiserver__service_alloc *a, const json_t *svc,
                         const char *field, char *value, const char *detail, struct kl_err **err)
{
        kl_autofielderrs struct kl_api_field_errors errs = KL_API_FIELD_ERRORS_INIT;
        kl_autofree char *msg = NULL;
        const char *name =
                json_string_value(json_object_get(json_object_get(svc, "metadata"), "name"));

        kl_api_field_errors_add_take(&errs, KL_API_FIELD_ERR_INVALID, field, value, detail);
        kl_api_validate_status_parts(a->res, name, &errs, &msg, NULL);
        json_decref(a->failure);
        a->failure = kl_api_validate_status(a->res, name, &errs);
        return kl_err_set_msg(err, -KL_EINVALID, "%s", msg);
}

/* One pass over the IP range: -KL_ECONFLICT when another writer got there first. */
static int service_ips_pass(struct kl_apiserver__service_alloc *a, json_t *svc, const json_t *old,
                            struct kl_err **err)
{
        struct kl_apiserver *s = a->s;
        const char *want = service_ip(svc);
        const char *had = service_ip(old);
        struct kl_apiserver__bitmap b = { 0 };
        char ip[48];
        uint32_t off;
        int64_t rev = 0;
        int r;

        if (kl_isempty(had))
                had = NULL;
        if (want && had && kl_streq(want, had))
                return 0;
        if (!want && !had)
                return 0;
        r = range_load(a, KL_APISERVER_RANGE_IPS_KEY, true, &b, &rev, err);
        if (r < 0) {
                kl_apiserver__bitmap_release(&b);
                return r;
        }
        if (had && kl_apiserver__range_offset(&s->service_ips, had, &off) == 0)
                kl_apiserver__bitmap_set(&b, off, false);
        if (want && *want) {
                r = kl_apiserver__range_offset(&s->service_ips, want, &off);
                if (r == 0 && kl_apiserver__bitmap_test(&b, off))
                        r = -EADDRINUSE;
                if (r < 0) {
                        char detail[256];

                        kl_apiserver__bitmap_release(&b);
                        if (r == -EADDRINUSE)
                                (void)snprintf(detail, sizeof(detail),
                                               "failed to allocate IP %s: provided IP is already "
                                               "allocated",
                                               want);
                        else
                                (void)snprintf(detail, sizeof(detail),
                                               "failed to allocate IP %s: provided IP is not in "
                                               "the valid range. The range of valid IPs is %s",
                                               want, s->service_ips.text);
                        return alloc_invalid(a, svc, "spec.clusterIPs",
                                             kl_asprintf("[]string{\"%s\"}", want), detail, err);
                }
                kl_apiserver__bitmap_set(&b, off, true);
        } else if (want) {
                /* .1 is the `kubernetes` Service's, .10 the cluster DNS's (k3s's convention). */
                static const uint32_t reserved[] = { 1, 10 };

                r = kl_apiserver__bitmap_take_any(&b, 1, s->service_ips.size - 1, reserved,
                                                  KL_ARRAY_SIZE(reserved), &off);
                if (r < 0) {
                        kl_apiserver__bitmap_release(&b);
                        return alloc_invalid(a, svc, "spec.clusterIPs", kl_strdup("[]string(nil)"),
                                             "failed to allocate a serviceIP: range is full", err);
                }
                kl_apiserver__range_format(&s->service_ips, off, ip, sizeof(ip));
                (void)json_object_set_new(json_object_get(svc, "spec"), "clusterIP",
                                          json_string(ip));
        }
        if (want) {
                json_t *spec = json_object_get(svc, "spec");

                (void)json_object_set_new(spec, "clusterIPs",
                                          json_pack("[s]", spec_str(svc, "clusterIP")));
                if (!json_object_get(spec, "ipFamilies"))
                        (void)json_object_set_new(spec, "ipFamilies", json_pack("[s]", "IPv4"));
        }
        r = a->dry_run ? 0 : range_store(a, KL_APISERVER_RANGE_IPS_KEY, true, &b, rev, err);
        kl_apiserver__bitmap_release(&b);
        return r;
}

static int service_ports_pass(struct kl_apiserver__service_alloc *a, json_t *svc, const json_t *old,
                              struct kl_err **err)
{
        struct kl_apiserver *s = a->s;
        const json_t *old_ports = json_object_get(json_object_get(old, "spec"), "ports");
        json_t *ports = json_object_get(json_object_get(svc, "spec"), "ports");
        struct kl_apiserver__bitmap b = { 0 };
        bool want = service_has_node_ports(svc), changed = false;
        int64_t rev = 0;
        size_t i;
        json_t *p;
        int r;

        if (!want && !service_has_node_ports(old))
                return 0;
        r = range_load(a, KL_APISERVER_RANGE_PORTS_KEY, false, &b, &rev, err);
        if (r < 0) {
                kl_apiserver__bitmap_release(&b);
                return r;
        }
        json_array_foreach(service_has_node_ports(old) ? old_ports : NULL, i, p) {
                json_int_t port = json_integer_value(json_object_get(p, "nodePort"));

                if (port > 0 && !service_holds_port(svc, port)) {
                        kl_apiserver__bitmap_set(&b, (uint32_t)(port - s->node_ports.base), false);
                        changed = true;
                }
        }
        json_array_foreach(want ? ports : NULL, i, p) {
                json_int_t port = json_integer_value(json_object_get(p, "nodePort"));
                char field[64], text[24];
                uint32_t off;

                if (port > 0 && service_holds_port(old, port))
                        continue;
                changed = true;
                if (port <= 0) {
                        r = kl_apiserver__bitmap_take_any(&b, 0, s->node_ports.size, NULL, 0, &off);
                        if (r < 0) {
                                kl_apiserver__bitmap_release(&b);
                                return alloc_invalid(a, svc, "spec.ports", kl_strdup("0"),
                                                     "failed to allocate a nodePort: range is full",
                                                     err);
                        }
                        (void)json_object_set_new(p, "nodePort",
                                                  json_integer(s->node_ports.base + off));
                        continue;
                }
                (void)snprintf(text, sizeof(text), "%lld", (long long)port);
                r = kl_apiserver__range_offset(&s->node_ports, text, &off);
                /* One port may serve several protocols of the same Service. */
                if (r == 0 && kl_apiserver__bitmap_test(&b, off)) {
                        bool own = false;

                        for (size_t j = 0; j < i; j++)
                                own |= json_integer_value(json_object_get(json_array_get(ports, j),
                                                                          "nodePort")) == port;
                        r = own ? 0 : -EADDRINUSE;
                }
                if (r < 0) {
                        char detail[128];

                        kl_apiserver__bitmap_release(&b);
                        (void)snprintf(field, sizeof(field), "spec.ports[%zu].nodePort", i);
                        if (r == -EADDRINUSE)
                                (void)snprintf(detail, sizeof(detail),
                                               "provided port is already allocated");
                        else
                                (void)snprintf(detail, sizeof(detail),
                                               "provided port is not in the valid range. The "
                                               "range of valid ports is %s",
                                               s->node_ports.text);
                        return alloc_invalid(a, svc, field, kl_strdup(text), detail, err);
                }
                kl_apiserver__bitmap_set(&b, off, true);
        }
        r = a->dry_run || !changed
                    ? 0
                    : range_store(a, KL_APISERVER_RANGE_PORTS_KEY, false, &b, rev, err);
        kl_apiserver__bitmap_release(&b);
        return r;
}

/* Drop member `key` of `spec` when it equals the old spec's (the client did not set it anew). */
static void drop_if_same(json_t *spec, const json_t *old_spec, const char *key)
{
        const json_t *v = json_object_get(spec, key);

        if (v && json_equal(v, json_object_get(old_spec, key)))
                (void)json_object_del(spec, key);
}

/*
 * The Service strategy's dropTypeDependentFields: a type change that leaves
 * node ports, externalTrafficPolicy, healthCheckNodePort or
 * allocateLoadBalancerNodePorts behind as they were (a patch of the type
 * alone) drops them instead of failing validation; values the client set
 * anew stay and are validated.
 */
void kl_apiserver__service_drop_type_dependent(json_t *svc, const json_t *old)
{
        json_t *spec = json_object_get(svc, "spec");
        const json_t *old_spec = json_object_get(old, "spec");
        bool lb = kl_streq_null(spec_str(svc, "type"), "LoadBalancer");
        bool old_lb = kl_streq_null(spec_str(old, "type"), "LoadBalancer");
        size_t i;
        json_t *p;

        if (!json_is_object(spec))
                return;
        if (service_has_node_ports(old) && !service_has_node_ports(svc)) {
                json_array_foreach(json_object_get(spec, "ports"), i, p) {
                        json_int_t port = json_integer_value(json_object_get(p, "nodePort"));

                        if (port > 0 && service_holds_port(old, port))
                                (void)json_object_del(p, "nodePort");
                }
                drop_if_same(spec, old_spec, "externalTrafficPolicy");
        }
        if (old_lb && !lb) {
                drop_if_same(spec, old_spec, "healthCheckNodePort");
                drop_if_same(spec, old_spec, "allocateLoadBalancerNodePorts");
        }
}

/*
 * Allocate what Service `svc` (modified: the allocated values are filled
 * in) asks for and `old` did not hold; release what `old` held and `svc`
 * no longer does. `svc` NULL releases everything `old` held (delete),
 * `old` NULL allocates everything (create). Dry runs compute but do not
 * persist.
 */
int kl_apiserver__service_allocate(struct kl_apiserver__service_alloc *a, json_t *svc,
                                   const json_t *old, struct kl_err **err)
{
        int r = -KL_ECONFLICT;

        for (int i = 0; i < KL_APISERVER__CAS_RETRIES && r == -KL_ECONFLICT; i++)
                r = service_ips_pass(a, svc, old, err);
        if (r < 0)
                return r == -KL_ECONFLICT ? kl_err_set(err, r, "allocate a cluster IP") : r;
        r = -KL_ECONFLICT;
        for (int i = 0; i < KL_APISERVER__CAS_RETRIES && r == -KL_ECONFLICT; i++)
                r = service_ports_pass(a, svc, old, err);
        if (r == -KL_ECONFLICT)
                return kl_err_set(err, r, "allocate a node port");
        return r;
}

/* Undo an allocation after the write it was for failed; errors are only logged. */
void kl_apiserver__service_allocate_undo(struct kl_apiserver__service_alloc *a, const json_t *svc,
                                         const json_t *old)
{
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *back = old ? json_deep_copy(old) : NULL;
        json_t *saved = a->failure;

        a->failure = NULL;
        if (kl_apiserver__service_allocate(a, back, svc, &e) < 0)
                kl_log_warn(KL_LOG_API, "release allocations of a failed Service write: %s",
                            kl_err_msg(e));
        json_decref(a->failure);
        a->failure = saved;
}
