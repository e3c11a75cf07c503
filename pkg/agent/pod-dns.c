/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod's resolv.conf: upstream's kubelet GetPodDNS (which servers,
 * searches and options a pod gets for its dnsPolicy and dnsConfig) and the
 * runtime's rendering of them (search, then nameservers, then options, as
 * containerd writes the file). Pure.
 *
 *   ClusterFirst (not hostNetwork), ClusterFirstWithHostNet: the cluster DNS,
 *     `<ns>.svc.<domain> svc.<domain> <domain>` before the node's searches,
 *     `options ndots:5`; with no cluster DNS configured, as Default (and the
 *     caller says MissingClusterDNS).
 *   ClusterFirst with hostNetwork, Default: the node's nameservers, searches
 *     and options.
 *   None: dnsConfig alone.
 * dnsConfig is then appended: nameservers and searches without duplicates,
 * options merged by name (the pod's value wins). Limits as upstream: 3
 * nameservers, 32 search domains of at most 2048 characters in all.
 */
#include <string.h>

#include "agent/pods-internal.h"

#define MAX_NAMESERVERS   3
#define MAX_SEARCHES      32
#define MAX_SEARCH_CHARS  2048
#define RESOLV_LINE_WORDS 64

struct dns_config {
        char **servers;
        char **searches;
        char **options; /* "name" or "name:value" */
};

static void dns_config_release(struct dns_config *c)
{
        kl_strv_free(c->servers);
        kl_strv_free(c->searches);
        kl_strv_free(c->options);
}

static bool strv_has(char *const *v, const char *s)
{
        for (size_t i = 0; v && v[i]; i++)
                if (kl_streq(v[i], s))
                        return true;
        return false;
}

static void push_unique(char ***v, const char *s)
{
        if (!kl_isempty(s) && !strv_has(*v, s))
                kl_strv_push(v, s);
}

static size_t option_name_len(const char *opt)
{
        const char *colon = strchr(opt, ':');

        return colon ? (size_t)(colon - opt) : strlen(opt);
}

/* mergeDNSOptions: an option of the same name is replaced in place. */
static void merge_option(char ***v, const char *opt)
{
        size_t n = option_name_len(opt);

        for (size_t i = 0; *v && (*v)[i]; i++) {
                if (option_name_len((*v)[i]) == n && strncmp((*v)[i], opt, n) == 0) {
                        free((*v)[i]);
                        (*v)[i] = kl_strdup(opt);
                        return;
                }
        }
        kl_strv_push(v, opt);
}

/*
 * The node's resolver file: every nameserver, the last search line (a
 * resolver reads only the last one), every option. Trailing dots of search
 * domains go, as upstream's parser drops them.
 */
static void parse_host(const char *text, struct dns_config *ret)
{
        const char *line = text;

        while (line && *line) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                kl_autofree char *copy = kl_strndup(line, len);
                char *words[RESOLV_LINE_WORDS];
                size_t n = 0;
                char *save = NULL;

                for (char *w = strtok_r(copy, " \t\r", &save); w && n < RESOLV_LINE_WORDS;
                     w = strtok_r(NULL, " \t\r", &save))
                        words[n++] = w;
                line = end ? end + 1 : NULL;
                if (n == 0 || words[0][0] == '#' || words[0][0] == ';')
                        continue;
                if (kl_streq(words[0], "nameserver") && n > 1) {
                        kl_strv_push(&ret->servers, words[1]);
                } else if (kl_streq(words[0], "search")) {
                        kl_strv_free(ret->searches);
                        ret->searches = NULL;
                        for (size_t i = 1; i < n; i++) {
                                size_t wl = strlen(words[i]);

                                if (wl > 1 && words[i][wl - 1] == '.')
                                        words[i][wl - 1] = '\0';
                                push_unique(&ret->searches, words[i]);
                        }
                } else if (kl_streq(words[0], "options")) {
                        for (size_t i = 1; i < n; i++)
                                merge_option(&ret->options, words[i]);
                }
        }
}

/* formDNSConfigFitsLimits, without the events: the first that fit are kept. */
static void fit_limits(struct dns_config *c)
{
        size_t n = kl_strv_length(c->servers);
        size_t chars = 0, keep = 0;

        for (size_t i = MAX_NAMESERVERS; c->servers && i < n; i++) {
                free(c->servers[i]);
                c->servers[i] = NULL;
        }
        for (; c->searches && c->searches[keep]; keep++) {
                size_t add = strlen(c->searches[keep]) + (keep ? 1 : 0);

                if (keep == MAX_SEARCHES || chars + add > MAX_SEARCH_CHARS)
                        break;
                chars += add;
        }
        for (size_t i = keep; c->searches && c->searches[i]; i++) {
                free(c->searches[i]);
                c->searches[i] = NULL;
        }
}

static void put_words(struct kl_buf *b, const char *key, char *const *v)
{
        if (!v || !v[0])
                return;
        kl_buf_puts(b, key);
        for (size_t i = 0; v[i]; i++)
                kl_buf_printf(b, " %s", v[i]);
        kl_buf_puts(b, "\n");
}

char *kl_agent__pod_resolv_conf(const json_t *pod, const char *host_text,
                                const struct kl_agent__dns_opts *o, bool *ret_missing_dns)
{
        const json_t *spec = json_object_get(pod, "spec");
        const char *policy = jstr(spec, "dnsPolicy");
        const json_t *cfg = json_object_get(spec, "dnsConfig");
        bool host_net = json_is_true(json_object_get(spec, "hostNetwork"));
        bool cluster = kl_streq_null(policy, "ClusterFirstWithHostNet") ||
                       ((kl_isempty(policy) || kl_streq(policy, "ClusterFirst")) && !host_net);
        struct dns_config c = { 0 };
        struct kl_buf b;
        const json_t *v;
        size_t i;

        *ret_missing_dns = false;
        if (!kl_streq_null(policy, "None")) {
                parse_host(host_text ? host_text : "", &c);
                if (cluster && kl_isempty(o->cluster_dns)) {
                        *ret_missing_dns = true;
                } else if (cluster) {
                        const char *domain = o->cluster_domain;
                        const char *ns = meta_str(pod, "namespace") ?: "default";
                        char **host_searches = KL_TAKE_PTR(c.searches);

                        kl_strv_free(c.servers);
                        c.servers = NULL;
                        kl_strv_push(&c.servers, o->cluster_dns);
                        if (!kl_isempty(domain)) {
                                kl_strv_push_take(&c.searches,
                                                  kl_asprintf("%s.svc.%s", ns, domain));
                                kl_strv_push_take(&c.searches, kl_asprintf("svc.%s", domain));
                                kl_strv_push(&c.searches, domain);
                        }
                        for (i = 0; host_searches && host_searches[i]; i++)
                                push_unique(&c.searches, host_searches[i]);
                        kl_strv_free(host_searches);
                        kl_strv_free(c.options);
                        c.options = NULL;
                        kl_strv_push(&c.options, "ndots:5");
                }
        }
        json_array_foreach(json_object_get(cfg, "nameservers"), i, v)
                push_unique(&c.servers, json_string_value(v));
        json_array_foreach(json_object_get(cfg, "searches"), i, v)
                push_unique(&c.searches, json_string_value(v));
        json_array_foreach(json_object_get(cfg, "options"), i, v) {
                const char *name = jstr(v, "name");
                const char *val = jstr(v, "value");
                kl_autofree char *opt = NULL;

                if (kl_isempty(name))
                        continue;
                opt = val ? kl_asprintf("%s:%s", name, val) : kl_strdup(name);
                merge_option(&c.options, opt);
        }
        fit_limits(&c);

        kl_buf_init(&b, SIZE_MAX);
        put_words(&b, "search", c.searches);
        for (i = 0; c.servers && c.servers[i]; i++)
                kl_buf_printf(&b, "nameserver %s\n", c.servers[i]);
        put_words(&b, "options", c.options);
        dns_config_release(&c);
        return kl_buf_detach(&b, NULL);
}
