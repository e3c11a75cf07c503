/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The desired state between proxy-state.c (which builds it from API objects)
 * and proxy-render.c (which turns it into nf_tables). Plain C, no JSON
 * (STYLE R9.7). Every array is sorted as proxy.h says, and nothing changes
 * after kl_proxy_state_build() returns. Addresses are in network byte
 * order, ports in host byte order.
 */
#ifndef KL_PROXY_PROXY_INTERNAL_H
#define KL_PROXY_PROXY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy/proxy.h"

/* Longest namespace, Service, Pod or port name the state accepts (DNS label, 63). */
#define KL_PROXY__NAME_MAX 63
/* Most ports, endpoints and load-balancer IPs kept per service / service port. */
#define KL_PROXY__PORTS_MAX     256
#define KL_PROXY__ENDPOINTS_MAX 4096
#define KL_PROXY__LB_IPS_MAX    32

struct kl_proxy__endpoint {
        uint32_t ip;   /* addresses[0] */
        uint16_t port; /* the slice port of the same name and protocol */
        bool ready, serving, terminating;
        bool local; /* nodeName is this node */
};

struct kl_proxy__port {
        char *name;                     /* owned; the port name, or the port number when unnamed */
        uint8_t proto;                  /* IPPROTO_TCP, _UDP, _SCTP */
        uint16_t port;                  /* the service port */
        uint16_t node_port;             /* 0: none (or not a NodePort/LoadBalancer service) */
        struct kl_proxy__endpoint *eps; /* owned, sorted by ip, one per ip */
        size_t n_eps;
};

struct kl_proxy__service {
        char *ns, *name; /* owned */
        uint32_t cluster_ip;
        uint32_t *lb_ips; /* owned; status.loadBalancer.ingress[].ip, sorted, unique */
        size_t n_lb_ips;
        bool etp_local;               /* externalTrafficPolicy Local (NodePort, LoadBalancer) */
        bool itp_local;               /* internalTrafficPolicy Local */
        uint32_t affinity_timeout;    /* sessionAffinity ClientIP: seconds; 0: no affinity */
        struct kl_proxy__port *ports; /* owned, sorted by name */
        size_t n_ports;
};

struct kl_proxy__hostport {
        char *ns, *pod; /* owned */
        uint8_t proto;
        uint16_t host_port;
        uint32_t host_ip; /* 0: every local address */
        uint32_t pod_ip;
        uint16_t container_port;
};

struct kl_proxy_state {
        uint32_t cluster_net; /* cluster CIDR */
        unsigned cluster_prefix;
        uint32_t cluster_dns; /* 0: no DNS redirect */
        uint32_t dns_address;
        uint16_t dns_port;
        struct kl_proxy__service *svcs; /* owned, sorted by ns/name */
        size_t n_svcs;
        struct kl_proxy__hostport *hostports; /* owned, sorted by proto, port, host ip */
        size_t n_hostports;
};

/* "10.42.0.0/16" -> address (network order) and prefix; -EINVAL otherwise. */
int kl_proxy__parse_cidr(const char *s, uint32_t *ret_net, unsigned *ret_prefix);
/* "10.42.0.3" -> address (network order); -EINVAL otherwise (also for "" and IPv6). */
int kl_proxy__parse_ip4(const char *s, uint32_t *ret);

#endif /* KL_PROXY_PROXY_INTERNAL_H */
