/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up and shutdown of the API server, the bootstrap objects, the store
 * watch that feeds the caches, and the waiters of writes that want their
 * change visible in the cache before they answer.
 */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

#include "api/defaults.h"
#include "apiserver/apiserver-internal.h"
#include "loop/loop.h"
#include "json/json.h"

struct kl_apiserver__waiter {
        struct kl_apiserver__waiter *next;
        int64_t rev;
        uint64_t deadline; /* uv_now() ms */
        void (*fn)(void *arg);
        void *arg;
};

/* ------------------------------------------------------------------------- */
/* Waiters */

void kl_apiserver__wait_rev(struct kl_apiserver *s, int64_t rev, void (*fn)(void *arg), void *arg)
{
        struct kl_apiserver__waiter *w, **pp;

        if (s->rev >= rev || s->closing) {
                fn(arg);
                return;
        }
        w = kl_new0(struct kl_apiserver__waiter);
        w->rev = rev;
        w->deadline = uv_now(s->loop) + KL_APISERVER_CATCH_UP_USEC / 1000;
        w->fn = fn;
        w->arg = arg;
        for (pp = &s->waiters; *pp && (*pp)->rev <= rev; pp = &(*pp)->next)
                ;
        w->next = *pp;
        *pp = w;
}

void kl_apiserver__waiters_run(struct kl_apiserver *s, bool all)
{
        uint64_t now = uv_now(s->loop);
        struct kl_apiserver__waiter **pp = &s->waiters;

        while (*pp) {
                struct kl_apiserver__waiter *w = *pp;

                if (all || w->rev <= s->rev || now >= w->deadline) {
                        *pp = w->next;
                        w->fn(w->arg);
                        free(w);
                        /* The callback may have added waiters: start over from the head. */
                        pp = &s->waiters;
                        continue;
                }
                pp = &w->next;
        }
}

/* ------------------------------------------------------------------------- */
/* The store watch */

static struct kl_apiserver__cache *cache_for_key(struct kl_apiserver *s, const char *key)
{
        for (size_t i = 0; i < s->n_caches; i++)
                if (kl_startswith(key, s->caches[i].prefix))
                        return &s->caches[i];
        return NULL;
}

static void on_store_watch(struct kl_store_watch *sw, void *arg);

static int store_watch_start(struct kl_apiserver *s, int64_t from, struct kl_err **err)
{
        int r = kl_store_watch_start(s->store, "/registry/", from, on_store_watch, s,
                                     &s->store_watch, err);

        /* The callback only comes after a drain has found nothing (store.h): drain now. */
        if (r >= 0)
                on_store_watch(s->store_watch, s);
        return r;
}

static void on_store_watch(struct kl_store_watch *sw, void *arg)
{
        struct kl_apiserver *s = arg;
        int r;

        for (;;) {
                kl_cleanup(kl_store_event_unrefp) struct kl_store_event *ev = NULL;
                struct kl_apiserver__cache *c;

                r = kl_store_watch_next(sw, &ev);
                if (r <= 0)
                        break;
                c = cache_for_key(s, ev->kv.key);
                if (c)
                        kl_apiserver__cache_apply(c,
                                                  ev->type == KL_STORE_EVENT_PUT
                                                          ? KL_APISERVER_CHANGE_PUT
                                                          : KL_APISERVER_CHANGE_DELETE,
                                                  ev->kv.key, ev->kv.value, ev->kv.len,
                                                  ev->kv.mod_rev, ev->kv.create_rev);
                if (ev->kv.mod_rev > s->rev)
                        s->rev = ev->kv.mod_rev;
        }
        kl_apiserver__waiters_run(s, false);
        if (r < 0 && r != -ECANCELED && !s->closing) {
                kl_autoerr struct kl_err *e = NULL;

                /* Behind (-ENOBUFS): the store keeps history; resume after the last event. */
                kl_store_watch_stop(sw);
                s->store_watch = NULL;
                if (store_watch_start(s, s->rev + 1, &e) < 0)
                        kl_log_err(KL_LOG_ERROR, KL_LOG_API, e,
                                   "watch cache: cannot resume the store watch at %lld",
                                   (long long)s->rev + 1);
        }
}

/* ------------------------------------------------------------------------- */
/* Start-up */

/*
 * A Service written here, past the allocator: mark its address taken in the
 * stored bitmap. No RangeAllocation yet, or one for another range: the
 * allocator rebuilds it from the stored Services, this one included.
 */
static int mark_service_ip(struct kl_apiserver *s, uint32_t off, struct kl_err **err)
{
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        kl_autobuf struct kl_buf value = KL_BUF_INIT;
        struct kl_apiserver__bitmap b = { 0 };
        json_auto_t *obj = NULL;
        json_auto_t *enc = NULL;
        int r;

        r = kl_store_get(s->store, KL_APISERVER_RANGE_IPS_KEY, 0, &kv, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return kl_err_set(err, r, "read '%s'", KL_APISERVER_RANGE_IPS_KEY);
        if (kl_json_decode(kv->value, kv->len, KL_STORE_VALUE_MAX_LIMIT, &obj, NULL) < 0 ||
            kl_apiserver__bitmap_decode(obj, &s->service_ips, &b) < 0) {
                kl_apiserver__bitmap_release(&b);
                return 0;
        }
        kl_apiserver__bitmap_set(&b, off, true);
        enc = kl_apiserver__bitmap_encode(&b, &s->service_ips);
        kl_apiserver__bitmap_release(&b);
        r = kl_json_encode(enc, KL_JSON_ENCODE_CANONICAL, &value, err);
        if (r < 0)
                return r;
        /* Nobody else writes yet: the server does not listen before the bootstrap. */
        r = kl_store_update(s->store, KL_APISERVER_RANGE_IPS_KEY, value.buf, value.len, kv->mod_rev,
                            0, NULL, NULL, NULL);
        if (r < 0)
                return kl_err_set(err, r, "write '%s'", KL_APISERVER_RANGE_IPS_KEY);
        return 0;
}

/* The objects every cluster starts with (issue 4 §10), created when absent. */
static int bootstrap(struct kl_apiserver *s, struct kl_err **err)
{
        static const char *const namespaces[] = { "default", "kube-system", "kube-public",
                                                  "kube-node-lease" };
        const struct kl_api_resource *nsres = kl_api_resource_find("", "v1", "namespaces");
        const struct kl_api_resource *svc = kl_api_resource_find("", "v1", "services");
        kl_usec_t now = kl_now_realtime();
        int r;

        kl_assert(nsres && svc);
        for (size_t i = 0; i < KL_ARRAY_SIZE(namespaces) + 1; i++) {
                const struct kl_api_resource *res = i < KL_ARRAY_SIZE(namespaces) ? nsres : svc;
                kl_autobuf struct kl_buf value = KL_BUF_INIT;
                kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
                kl_autofree char *key = NULL;
                json_auto_t *obj = NULL;

                if (res == nsres) {
                        obj = json_pack("{s{ss}s{s[s]}s{ss}}", "metadata", "name", namespaces[i],
                                        "spec", "finalizers", "kubernetes", "status", "phase",
                                        "Active");
                        key = kl_api_storage_key(res, NULL, namespaces[i]);
                } else {
                        char ip[INET_ADDRSTRLEN];

                        /* The `kubernetes` Service: the API server's address inside the cluster. */
                        kl_apiserver__range_format(&s->service_ips, 1, ip, sizeof(ip));
                        obj = json_pack("{s{sss{ssss}}s{sss[s]s[s]sss[{sssssisi}]ss}}", "metadata",
                                        "name", "kubernetes", "labels", "component", "apiserver",
                                        "provider", "kubernetes", "spec", "clusterIP", ip,
                                        "clusterIPs", ip, "ipFamilies", "IPv4", "ipFamilyPolicy",
                                        "SingleStack", "ports", "name", "https", "protocol", "TCP",
                                        "port", 443, "targetPort", 6443, "type", "ClusterIP");
                        key = kl_api_storage_key(res, "default", "kubernetes");
                }
                r = kl_store_get(s->store, key, 0, &kv, NULL);
                if (r == 0)
                        continue;
                r = kl_apiserver__object_prepare_create(res, res == svc ? "default" : NULL, obj,
                                                        now, false, err);
                if (r < 0)
                        return r;
                r = kl_json_encode(obj, KL_JSON_ENCODE_CANONICAL, &value, err);
                if (r < 0)
                        return r;
                r = kl_store_create(s->store, key, value.buf, value.len, 0, NULL, NULL, NULL);
                if (r < 0 && r != -EEXIST)
                        return kl_err_set(err, r, "create '%s'", key);
        }
        return 0;
}

/*
 * The cluster DNS Service, kube-system/kube-dns, as k3s's coredns manifest
 * has it, at --cluster-dns: created when absent (a changed or deleted-and-
 * recreated one is the user's), never when another Service already holds
 * the address (logged; the user's Service wins, as applying k3s's manifest
 * would fail then). The DNS server itself runs in every agent; the proxy
 * sends this address to it, so the Service has a selector but no endpoints.
 */
static int bootstrap_kube_dns(struct kl_apiserver *s, const char *dns_ip, kl_usec_t now,
                              struct kl_err **err)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "services");
        kl_cleanup(kl_store_kv_freep) struct kl_store_kv *kv = NULL;
        kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;
        kl_autobuf struct kl_buf value = KL_BUF_INIT;
        kl_autofree char *key = kl_api_storage_key(res, "kube-system", "kube-dns");
        kl_autofree char *prefix = kl_api_storage_key(res, NULL, NULL);
        json_auto_t *obj = NULL;
        uint32_t off;
        int r;

        r = kl_apiserver__range_offset(&s->service_ips, dns_ip, &off);
        if (r < 0)
                return kl_err_set(err, -EINVAL,
                                  "cluster DNS '%s': not an address of the service "
                                  "CIDR '%s'",
                                  dns_ip, s->service_ips.text);
        r = kl_store_get(s->store, key, 0, &kv, NULL);
        if (r == 0)
                return 0;
        r = kl_store_list(s->store, prefix, 0, 0, NULL, &l, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l->n; i++) {
                json_auto_t *o = kl_apiserver__object_decode_kv(l->items[i]);
                const json_t *spec = json_object_get(o, "spec");

                if (kl_streq_null(json_string_value(json_object_get(spec, "clusterIP")), dns_ip)) {
                        kl_log_warn(KL_LOG_API,
                                    "cluster DNS: %s is held by another Service, no kube-dns "
                                    "Service is created",
                                    dns_ip);
                        return 0;
                }
        }
        obj = json_pack("{s{sss{ssss}s{ssssss}}s{s{ss}sss[s]s[s]sss[{sssssisi}{sssssisi}"
                        "{sssssisi}]ss}}",
                        "metadata", "name", "kube-dns", "annotations", "prometheus.io/port", "9153",
                        "prometheus.io/scrape", "true", "labels", "k8s-app", "kube-dns",
                        "kubernetes.io/cluster-service", "true", "kubernetes.io/name", "CoreDNS",
                        "spec", "selector", "k8s-app", "kube-dns", "clusterIP", dns_ip,
                        "clusterIPs", dns_ip, "ipFamilies", "IPv4", "ipFamilyPolicy", "SingleStack",
                        "ports", "name", "dns", "protocol", "UDP", "port", 53, "targetPort", 53,
                        "name", "dns-tcp", "protocol", "TCP", "port", 53, "targetPort", 53, "name",
                        "metrics", "protocol", "TCP", "port", 9153, "targetPort", 9153, "type",
                        "ClusterIP");
        kl_assert(obj);
        r = kl_api_defaults_apply(res, obj);
        if (r < 0)
                return kl_err_set(err, r, "default the kube-dns Service");
        r = kl_apiserver__object_prepare_create(res, "kube-system", obj, now, false, err);
        if (r < 0)
                return r;
        r = kl_json_encode(obj, KL_JSON_ENCODE_CANONICAL, &value, err);
        if (r < 0)
                return r;
        r = kl_store_create(s->store, key, value.buf, value.len, 0, NULL, NULL, NULL);
        if (r < 0 && r != -EEXIST)
                return kl_err_set(err, r, "create '%s'", key);
        return mark_service_ip(s, off, err);
}

/* One cache per storage prefix; rows sharing storage share the cache. */
static int caches_load(struct kl_apiserver *s, struct kl_err **err)
{
        size_t n;
        const struct kl_api_resource *rows = kl_api_resources(&n);
        kl_cleanup(kl_store_list_freep) struct kl_store_list *l = NULL;
        int r;

        r = kl_store_list(s->store, "/registry/", 0, 0, NULL, &l, err);
        if (r < 0)
                return r;
        s->rev = l->rev;
        s->caches = kl_calloc(n, sizeof(*s->caches));
        s->by_row = kl_calloc(n, sizeof(*s->by_row));
        for (size_t i = 0; i < n; i++) {
                kl_autofree char *prefix = kl_api_storage_key(&rows[i], NULL, NULL);
                struct kl_apiserver__cache *c = NULL;

                for (size_t j = 0; j < s->n_caches; j++)
                        if (kl_streq(s->caches[j].prefix, prefix))
                                c = &s->caches[j];
                if (!c) {
                        c = &s->caches[s->n_caches++];
                        kl_apiserver__cache_init(c, prefix, l->rev);
                }
                s->by_row[i] = c;
        }
        for (size_t i = 0; i < l->n; i++) {
                const struct kl_store_kv *kv = l->items[i];
                struct kl_apiserver__cache *c = cache_for_key(s, kv->key);

                if (c)
                        kl_apiserver__cache_load(c, kl_apiserver__obj_new(kv->key, kv->value,
                                                                          kv->len, kv->mod_rev,
                                                                          kv->create_rev));
                /* Freed as copied: the next copy reuses the memory, so loading costs 1x, not 2x. */
                kl_store_kv_free(l->items[i]);
                l->items[i] = NULL;
        }
        return 0;
}

static void on_tick(uv_timer_t *t)
{
        struct kl_apiserver *s = kl_container_of(t, struct kl_apiserver, tick);

        kl_apiserver__waiters_run(s, false);
        kl_apiserver__http_watches_tick(s);
        kl_apiserver__watches_tick(s);
}

static void server_free(struct kl_apiserver *s)
{
        for (size_t i = 0; i < s->n_caches; i++)
                kl_apiserver__cache_release(&s->caches[i]);
        free(s->caches);
        free(s->by_row);
        kl_pki_server_free(s->pki);
        kl_pki_token_file_free(s->tokens);
        json_decref(s->openapi);
        kl_apiserver__proxy_free(s);
        kl_apiserver__http_release(s);
        free(s->server_address);
        free(s);
}

/* The serving SANs: the caller's plus this host's name. */
static char **serving_sans(const char *const *extra)
{
        char **sans = NULL;
        char host[256];

        if (gethostname(host, sizeof(host)) == 0) {
                host[sizeof(host) - 1] = '\0';
                kl_strv_push(&sans, host);
        }
        for (size_t i = 0; extra && extra[i]; i++)
                kl_strv_push(&sans, extra[i]);
        return sans;
}

static int server_start(struct kl_apiserver *s, const struct kl_apiserver_options *o,
                        struct kl_err **err)
{
        kl_autofree char *tls_dir = kl_asprintf("%s/server/tls", o->data_dir);
        kl_autofree char *db_dir = kl_asprintf("%s/server/db", o->data_dir);
        kl_autofree char *dsn = kl_asprintf("sqlite://%s/state.db", db_dir);
        kl_autostrv char **sans = serving_sans(o->tls_sans);
        struct kl_pki_server_opts po = { .dir = tls_dir, .sans = (const char *const *)sans };
        struct kl_store_options so = { .dsn = dsn, .sync = o->sync };
        struct kl_http_tls_config tls = { 0 };
        struct kl_http_server_config hc = { .handler = kl_apiserver__http_handler, .userdata = s };
        const char *bind = o->bind_address ? o->bind_address : "0.0.0.0";
        const char *cidr = o->service_cidr ? o->service_cidr : "10.43.0.0/16";
        int r;

        r = kl_apiserver__range_parse_cidr(cidr, &s->service_ips);
        if (r < 0)
                return kl_err_set(err, -EINVAL,
                                  "service CIDR '%s': expected an IPv4 CIDR with a prefix of 12 to "
                                  "30 bits",
                                  cidr);
        kl_apiserver__range_ports(KL_APISERVER_NODE_PORT_FIRST, KL_APISERVER_NODE_PORT_LAST,
                                  &s->node_ports);
        r = kl_pki_server_ensure(&po, &s->pki, err);
        if (r < 0)
                return kl_err_wrap(err, r, "certificates in '%s'", tls_dir);
        r = kl_apiserver__proxy_new(s, tls_dir, err); /* the kubelet client certificate */
        if (r < 0)
                return kl_err_wrap(err, r, "certificates in '%s'", tls_dir);
        if (o->token_file) {
                r = kl_pki_token_file_load(o->token_file, &s->tokens, err);
                if (r < 0)
                        return r;
        }
        r = kl_mkdir_p(db_dir, 0700);
        if (r < 0)
                return kl_err_set(err, r, "create '%s'", db_dir);
        r = kl_store_open(s->loop, &so, &s->store, err);
        if (r < 0)
                return r;
        r = bootstrap(s, err);
        if (r >= 0 && o->cluster_dns)
                r = bootstrap_kube_dns(s, o->cluster_dns, kl_now_realtime(), err);
        if (r < 0)
                return kl_err_wrap(err, r, "bootstrap objects");
        r = caches_load(s, err);
        if (r < 0)
                return kl_err_wrap(err, r, "fill the watch cache");
        r = store_watch_start(s, s->rev + 1, err);
        if (r < 0)
                return r;

        tls.cert_file = kl_pki_server_path(s->pki, KL_PKI_SERVING_CERT);
        tls.key_file = kl_pki_server_path(s->pki, KL_PKI_SERVING_KEY);
        tls.client_ca_file = kl_pki_server_path(s->pki, KL_PKI_CLIENT_CA_CERT);
        hc.tls = &tls;
        r = kl_http_server_new(s->loop, &hc, &s->http, err);
        if (r < 0)
                return r;
        r = kl_http_server_listen(s->http, bind, o->port, err);
        if (r < 0)
                return r;
        s->server_address = kl_asprintf("%s:%d", kl_streq(bind, "0.0.0.0") ? "127.0.0.1" : bind,
                                        kl_http_server_port(s->http));
        if (o->kubeconfig) {
                kl_autofree char *url =
                        kl_asprintf("https://127.0.0.1:%d", kl_http_server_port(s->http));

                r = kl_pki_server_write_kubeconfig(
                        s->pki, url, o->kubeconfig,
                        o->kubeconfig_mode ? o->kubeconfig_mode : KL_PKI_KUBECONFIG_MODE, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void on_handle_closed(uv_handle_t *h)
{
        struct kl_apiserver *s = h->data;

        kl_assert(s->pending_closes > 0);
        s->pending_closes--;
        kl_apiserver__close_step(s);
}

int kl_apiserver_new(uv_loop_t *loop, const struct kl_apiserver_options *opts,
                     struct kl_apiserver **ret, struct kl_err **err)
{
        struct kl_apiserver *s = kl_new0(struct kl_apiserver);
        int r;

        s->loop = loop;
        kl_assert(uv_timer_init(loop, &s->tick) == 0);
        kl_assert(uv_timer_init(loop, &s->kick) == 0);
        s->tick.data = s;
        s->kick.data = s;
        r = server_start(s, opts, err);
        if (r < 0) {
                /* Half-built: close what exists; the loop's owner runs it until idle. */
                s->closing = true;
                s->http_closed = s->http == NULL;
                kl_apiserver_close(s, 0, NULL, NULL);
                return r;
        }
        (void)uv_timer_start(&s->tick, on_tick, 1000, 1000);
        *ret = s;
        return 0;
}

int kl_apiserver_port(const struct kl_apiserver *s)
{
        return kl_http_server_port(s->http);
}

static void on_http_closed(struct kl_http_server *h, void *userdata)
{
        struct kl_apiserver *s = userdata;

        (void)h;
        s->http = NULL;
        s->http_closed = true;
        kl_apiserver__close_step(s);
}

void kl_apiserver__close_step(struct kl_apiserver *s)
{
        kl_apiserver_closed_fn *cb;
        void *arg;

        if (!s->closing || !s->http_closed || s->ops > 0 || s->pending_closes > 0)
                return;
        kl_apiserver__waiters_run(s, true);
        /* Watches of the in-process API (none yet besides HTTP ones) end with the server. */
        while (s->watches)
                kl_apiserver_watch_stop(s->watches);
        kl_store_watch_stop(s->store_watch);
        s->store_watch = NULL;
        kl_store_close(s->store);
        s->store = NULL;
        cb = s->closed_cb;
        arg = s->closed_arg;
        server_free(s);
        if (cb)
                cb(arg);
}

void kl_apiserver_close(struct kl_apiserver *s, kl_usec_t grace, kl_apiserver_closed_fn *cb,
                        void *userdata)
{
        s->closing = true;
        s->closed_cb = cb;
        s->closed_arg = userdata;
        kl_apiserver__http_watches_end_all(s);
        kl_apiserver__proxy_close(s);
        kl_apiserver__waiters_run(s, true);
        s->pending_closes += 2;
        uv_close((uv_handle_t *)&s->tick, on_handle_closed);
        uv_close((uv_handle_t *)&s->kick, on_handle_closed);
        if (s->http)
                kl_http_server_close(s->http, grace, on_http_closed, s);
        else
                s->http_closed = true;
}
