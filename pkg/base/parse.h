/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict number and boolean parsing. The only file allowed to call strtol and
 * friends (scripts/check-src.sh): everyone else uses these, which reject
 * leading whitespace, signs where none is allowed, trailing garbage, empty
 * strings and overflow. Return 0, -EINVAL (not a number) or -ERANGE.
 */
#ifndef KL_BASE_PARSE_H
#define KL_BASE_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

int kl_parse_int64(const char *s, int64_t *ret);
int kl_parse_uint64(const char *s, uint64_t *ret);
int kl_parse_int(const char *s, int *ret);
int kl_parse_uint(const char *s, unsigned *ret);
/* A port: 1..65535. */
int kl_parse_port(const char *s, uint16_t *ret);
int kl_parse_pid(const char *s, pid_t *ret);
/* A file mode in octal ("0644", "600"). */
int kl_parse_mode(const char *s, unsigned *ret);
/*
 * A finite decimal number in the C locale ("1.5", "-2e-3", "7"): no hex
 * floats, inf or nan. -ERANGE when the magnitude overflows a double; a value
 * too small for one reads as the nearest double (possibly 0), as Go's
 * strconv.ParseFloat does.
 */
int kl_parse_double(const char *s, double *ret);
/*
 * An IPv4 address in dotted decimal ("10.42.0.1", no leading zeros), in host
 * byte order.
 */
int kl_parse_ipv4(const char *s, uint32_t *ret);
/*
 * An IPv4 CIDR ("10.42.0.0/16"): the address as written, in host byte order,
 * and the prefix length (0..32). Whether host bits may be set is the caller's
 * to decide (kl_ipv4_mask()).
 */
int kl_parse_ipv4_cidr(const char *s, uint32_t *ret_addr, unsigned *ret_prefix);
/* The netmask of a prefix length, in host byte order: 24 -> 0xffffff00. */
static inline uint32_t kl_ipv4_mask(unsigned prefix)
{
        return prefix == 0 ? 0 : ~(uint32_t)0 << (32 - prefix);
}

/* Go's strconv.ParseBool, which k3s flags use: 1 t T TRUE true True, and the false forms. */
int kl_parse_bool(const char *s, bool *ret);

#endif
