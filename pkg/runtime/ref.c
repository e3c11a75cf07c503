/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image references, digests and WWW-Authenticate challenges: the small
 * parsers of text that comes from users and registries.
 */
#include "runtime/rt.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/base.h"

/* docker/distribution's NameTotalLengthMax. */
#define REF_NAME_MAX 255
/* A reference longer than this is not worth reading further. */
#define REF_TEXT_MAX 1024

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_hex_lower(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool kl_rt_digest_is_valid(const char *digest)
{
        const char *hex = digest ? kl_startswith(digest, "sha256:") : NULL;

        if (!hex || strlen(hex) != 64)
                return false;
        for (size_t i = 0; i < 64; i++)
                if (!is_hex_lower(hex[i]))
                        return false;
        return true;
}

char *kl_rt_digest_of(const void *data, size_t len)
{
        unsigned char md[32];
        unsigned int mdlen = 0;
        char *out = kl_malloc(7 + 64 + 1);

        kl_assert(EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32);
        memcpy(out, "sha256:", 7);
        for (size_t i = 0; i < 32; i++) {
                out[7 + 2 * i] = "0123456789abcdef"[md[i] >> 4];
                out[8 + 2 * i] = "0123456789abcdef"[md[i] & 15];
        }
        out[71] = '\0';
        return out;
}

/*
 * One path component: [a-z0-9]+ joined by separators "." or "_" or "__" or
 * one or more "-" (distribution's reference/regexp.go).
 */
static bool path_component_ok(const char *s, size_t n)
{
        size_t i = 0;

        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        while (i < n) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                size_t j = i;
                while (j < n && !is_lower_alnum(s[j]))
                        j++;
                size_t sep = j - i;
                bool ok = (sep == 1 && (s[i] == '.' || s[i] == '_')) ||
                          (sep == 2 && s[i] == '_' && s[i + 1] == '_');
                if (!ok) {
                        ok = true;
                        for (size_t k = i; k < j; k++)
                                if (s[k] != '-')
                                        ok = false;
                }
                if (!ok)
                        return false;
                i = j;
        }
        return true;
}

/* host[:port], host being dot-separated labels of [a-zA-Z0-9-] not starting or ending with '-'. */
static bool domain_ok(const char *s, size_t n)
{
        const char *colon = memchr(s, ':', n);
        size_t host_n = colon ? (size_t)(colon - s) : n;
        size_t label = 0;

        if (host_n == 0)
                return false;
        for (size_t i = 0; i < host_n; i++) {
                char c = s[i];
                if (c == '.') {
                        if (label == 0 || s[i - 1] == '-')
                                return false;
                        label = 0;
                        continue;
                }
                if (!isalnum((unsigned char)c) && c != '-')
                        return false;
                if (label == 0 && c == '-')
                        return false;
                label++;
        }
        if (label == 0 || s[host_n - 1] == '-')
                return false;
        if (colon) {
                size_t pn = n - host_n - 1;
                if (pn == 0 || pn > 5)
                        return false;
                for (size_t i = host_n + 1; i < n; i++)
                        if (!isdigit((unsigned char)s[i]))
                                return false;
        }
        return true;
}

/* [\w][\w.-]{0,127} */
static bool tag_ok(const char *t)
{
        size_t n = strlen(t);

        if (n == 0 || n > 128)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = t[i];
                bool w = isalnum((unsigned char)c) || c == '_';
                if (!w && (i == 0 || (c != '.' && c != '-')))
                        return false;
        }
        return true;
}

void kl_rt_ref_release(struct kl_rt_ref *ref)
{
        free(ref->domain);
        free(ref->path);
        free(ref->tag);
        free(ref->digest);
        *ref = (struct kl_rt_ref){ 0 };
}

int kl_rt_ref_parse(const char *s, struct kl_rt_ref *ret, struct kl_err **err)
{
        kl_cleanup(kl_rt_ref_release) struct kl_rt_ref ref = { 0 };
        kl_autofree char *text = NULL;
        char *name, *at, *slash, *colon, *rest;

        if (strnlen(s, REF_TEXT_MAX + 1) > REF_TEXT_MAX)
                return kl_err_set(err, -EINVAL, "invalid reference: longer than %d bytes",
                                  REF_TEXT_MAX);
        if (kl_isempty(s))
                return kl_err_set(err, -EINVAL, "invalid reference: empty");
        text = kl_strdup(s);
        name = text;

        at = strchr(name, '@');
        if (at) {
                *at = '\0';
                if (!kl_rt_digest_is_valid(at + 1))
                        return kl_err_set(err, -EINVAL, "invalid reference '%s': bad digest", s);
                ref.digest = kl_strdup(at + 1);
        }
        /* A tag is after the last ':' that follows the last '/'; a ':' before it is a port. */
        slash = strrchr(name, '/');
        colon = strrchr(slash ? slash : name, ':');
        if (colon) {
                *colon = '\0';
                if (!tag_ok(colon + 1))
                        return kl_err_set(err, -EINVAL, "invalid reference '%s': bad tag", s);
                ref.tag = kl_strdup(colon + 1);
        }

        slash = strchr(name, '/');
        if (slash && (memchr(name, '.', (size_t)(slash - name)) ||
                      memchr(name, ':', (size_t)(slash - name)) ||
                      (slash - name == 9 && memcmp(name, "localhost", 9) == 0))) {
                if (!domain_ok(name, (size_t)(slash - name)))
                        return kl_err_set(err, -EINVAL, "invalid reference '%s': bad registry", s);
                ref.domain = kl_strndup(name, (size_t)(slash - name));
                rest = slash + 1;
        } else {
                ref.domain = kl_strdup("docker.io");
                rest = name;
        }
        if (kl_streq(ref.domain, "index.docker.io")) {
                free(ref.domain);
                ref.domain = kl_strdup("docker.io");
        }
        if (kl_streq(ref.domain, "docker.io") && !strchr(rest, '/'))
                ref.path = kl_asprintf("library/%s", rest);
        else
                ref.path = kl_strdup(rest);

        for (const char *p = ref.path;;) {
                const char *e = strchr(p, '/');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (!path_component_ok(p, n))
                        return kl_err_set(err, -EINVAL,
                                          "invalid reference '%s': repository name must be "
                                          "lowercase components of [a-z0-9._-]",
                                          s);
                if (!e)
                        break;
                p = e + 1;
        }
        /* Upstream refuses a bare image id where a name is expected. */
        if (strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64)
                return kl_err_set(err, -EINVAL,
                                  "invalid reference '%s': cannot specify 64-byte hexadecimal "
                                  "strings",
                                  s);
        if (strlen(ref.domain) + 1 + strlen(ref.path) > REF_NAME_MAX)
                return kl_err_set(err, -EINVAL, "invalid reference '%s': name longer than %d", s,
                                  REF_NAME_MAX);
        if (!ref.tag && !ref.digest)
                ref.tag = kl_strdup("latest");

        *ret = ref;
        memset(&ref, 0, sizeof(ref)); /* moved to *ret: the cleanup must not free it */
        return 0;
}

char *kl_rt_ref_format(const struct kl_rt_ref *ref)
{
        return kl_asprintf("%s/%s%s%s%s%s", ref->domain, ref->path, ref->tag ? ":" : "",
                           ref->tag ? ref->tag : "", ref->digest ? "@" : "",
                           ref->digest ? ref->digest : "");
}

/* ---- WWW-Authenticate ---- */

void kl_rt_challenge_release(struct kl_rt_challenge *c)
{
        free(c->scheme);
        free(c->realm);
        free(c->service);
        free(c->scope);
        *c = (struct kl_rt_challenge){ 0 };
}

static bool is_tchar(char c)
{
        return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

int kl_rt_challenge_parse(const char *value, struct kl_rt_challenge *ret, struct kl_err **err)
{
        kl_cleanup(kl_rt_challenge_release) struct kl_rt_challenge c = { 0 };
        const char *p = skip_ws(value);
        const char *start = p;

        while (is_tchar(*p))
                p++;
        if (p == start)
                return kl_err_set(err, -EINVAL, "invalid WWW-Authenticate: no scheme");
        c.scheme = kl_strndup(start, (size_t)(p - start));
        for (char *q = c.scheme; *q; q++)
                *q = (char)tolower((unsigned char)*q);

        for (;;) {
                struct kl_buf val = KL_BUF_INIT;
                kl_autofree char *name = NULL;
                char **slot = NULL;

                p = skip_ws(p);
                if (*p == ',')
                        p = skip_ws(p + 1);
                if (*p == '\0')
                        break;
                start = p;
                while (is_tchar(*p))
                        p++;
                if (p == start || *skip_ws(p) != '=')
                        break; /* token68 or the next challenge: only the first one counts */
                name = kl_strndup(start, (size_t)(p - start));
                p = skip_ws(skip_ws(p) + 1);
                if (*p == '"') {
                        for (p++; *p != '"'; p++) {
                                if (*p == '\\' && p[1])
                                        p++;
                                if (*p == '\0') {
                                        kl_buf_release(&val);
                                        return kl_err_set(err, -EINVAL,
                                                          "invalid WWW-Authenticate: "
                                                          "unterminated quoted string");
                                }
                                (void)kl_buf_putc(&val, *p);
                        }
                        p++;
                } else {
                        start = p;
                        while (is_tchar(*p) || *p == '/' || *p == ':')
                                p++;
                        (void)kl_buf_append(&val, start, (size_t)(p - start));
                }
                if (strcasecmp(name, "realm") == 0)
                        slot = &c.realm;
                else if (strcasecmp(name, "service") == 0)
                        slot = &c.service;
                else if (strcasecmp(name, "scope") == 0)
                        slot = &c.scope;
                if (slot) {
                        free(*slot);
                        *slot = kl_buf_detach(&val, NULL);
                }
                kl_buf_release(&val);
                p = skip_ws(p);
                if (*p != ',' && *p != '\0')
                        return kl_err_set(err, -EINVAL,
                                          "invalid WWW-Authenticate: junk after parameter '%s'",
                                          name);
        }
        *ret = c;
        memset(&c, 0, sizeof(c)); /* moved to *ret: the cleanup must not free it */
        return 0;
}
