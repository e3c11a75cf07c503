/* SPDX-License-Identifier: Apache-2.0 */
#include "base/parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"

static int parse_signed(const char *s, int base, long long *ret)
{
        char *end = NULL;
        long long v;

        if (!s || !*s || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, base);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || end == s || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_unsigned(const char *s, int base, unsigned long long *ret)
{
        char *end = NULL;
        unsigned long long v;

        /* strtoull() accepts and negates a leading '-': refuse it ourselves. */
        if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || end == s || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

int kl_parse_int64(const char *s, int64_t *ret)
{
        long long v;
        int r = parse_signed(s, 10, &v);

        if (r < 0)
                return r;
        *ret = (int64_t)v;
        return 0;
}

int kl_parse_uint64(const char *s, uint64_t *ret)
{
        unsigned long long v;
        int r = parse_unsigned(s, 10, &v);

        if (r < 0)
                return r;
        *ret = (uint64_t)v;
        return 0;
}

int kl_parse_int(const char *s, int *ret)
{
        long long v;
        int r = parse_signed(s, 10, &v);

        if (r < 0)
                return r;
        if (v < INT_MIN || v > INT_MAX)
                return -ERANGE;
        *ret = (int)v;
        return 0;
}

int kl_parse_uint(const char *s, unsigned *ret)
{
        unsigned long long v;
        int r = parse_unsigned(s, 10, &v);

        if (r < 0)
                return r;
        if (v > UINT_MAX)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

int kl_parse_port(const char *s, uint16_t *ret)
{
        unsigned v;
        int r = kl_parse_uint(s, &v);

        if (r < 0)
                return r;
        if (v == 0 || v > 65535)
                return -ERANGE;
        *ret = (uint16_t)v;
        return 0;
}

int kl_parse_pid(const char *s, pid_t *ret)
{
        unsigned v;
        int r = kl_parse_uint(s, &v);

        if (r < 0)
                return r;
        if (v == 0 || v > INT_MAX)
                return -ERANGE;
        *ret = (pid_t)v;
        return 0;
}

int kl_parse_mode(const char *s, unsigned *ret)
{
        unsigned long long v;
        int r = parse_unsigned(s, 8, &v);

        if (r < 0)
                return r;
        if (v > 07777)
                return -ERANGE;
        *ret = (unsigned)v;
        return 0;
}

int kl_parse_double(const char *s, double *ret)
{
        char *end = NULL;
        double v;

        /* strtod() also takes "inf", "nan" and hex floats, which no caller wants. */
        if (!s || !*s || s[strspn(s, "0123456789+-.eE")] != '\0')
                return -EINVAL;
        errno = 0;
        v = strtod(s, &end);
        if (end == s || *end != '\0')
                return -EINVAL;
        if (errno == ERANGE && isinf(v))
                return -ERANGE;
        *ret = v;
        return 0;
}

int kl_parse_bool(const char *s, bool *ret)
{
        static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < KL_ARRAY_SIZE(yes); i++) {
                if (kl_streq(s, yes[i])) {
                        *ret = true;
                        return 0;
                }
                if (kl_streq(s, no[i])) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int kl_parse_ipv4(const char *s, uint32_t *ret)
{
        struct in_addr a;

        /* inet_pton() takes exactly four decimal parts and refuses leading zeros. */
        if (!s || inet_pton(AF_INET, s, &a) != 1)
                return -EINVAL;
        *ret = ntohl(a.s_addr);
        return 0;
}

int kl_parse_ipv4_cidr(const char *s, uint32_t *ret_addr, unsigned *ret_prefix)
{
        char ip[INET_ADDRSTRLEN];
        const char *slash = s ? strchr(s, '/') : NULL;
        unsigned prefix;
        uint32_t addr;

        if (!slash || (size_t)(slash - s) >= sizeof(ip))
                return -EINVAL;
        memcpy(ip, s, (size_t)(slash - s));
        ip[slash - s] = '\0';
        if (kl_parse_ipv4(ip, &addr) < 0 || kl_parse_uint(slash + 1, &prefix) < 0 || prefix > 32 ||
            (slash[1] == '0' && slash[2] != '\0'))
                return -EINVAL;
        *ret_addr = addr;
        *ret_prefix = prefix;
        return 0;
}
