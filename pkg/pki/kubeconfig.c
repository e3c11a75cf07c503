/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kubeconfigs: written in k3s's shape by hand (the shape is fixed, and the
 * scalars are quoted here), read back through pkg/yaml and pkg/json.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "pki/pki-internal.h"
#include "yaml/yaml.h"
#include "json/json.h"

/* Largest kubeconfig read, in bytes; real ones are a few KiB. */
#define KUBECONFIG_MAX ((size_t)1 << 20)

void kl_pki_kubeconfig_release(struct kl_pki_kubeconfig *kc)
{
        free(kc->server);
        free(kc->ca_pem);
        free(kc->cert_pem);
        kl_pki_secret_free(kc->key_pem);
        kl_pki_secret_free(kc->token);
        *kc = (struct kl_pki_kubeconfig)KL_PKI_KUBECONFIG_INIT;
}

/*
 * Words a YAML 1.1 reader (Go's yaml.v2, PyYAML) would take for a boolean or
 * null. YAML 1.2 readers only know true/false/null, but a kubeconfig is read
 * by both kinds.
 */
static bool yaml_reserved(const char *s)
{
        static const char *const words[] = { "true", "false", "yes", "no",   "on",
                                             "off",  "y",     "n",   "null", "~" };

        for (size_t i = 0; i < KL_ARRAY_SIZE(words); i++)
                if (strcasecmp(s, words[i]) == 0)
                        return true;
        return false;
}

/*
 * Whether `s` can be written as a plain scalar and be read back as the same
 * string by any YAML reader. Deliberately narrow: a letter first (so it is
 * never a number, a timestamp, an indicator or an alias), then only
 * characters with no meaning in a plain scalar, and not ending in ':' (which
 * would make it a key). URLs and base64 data pass; anything else is quoted.
 */
static bool yaml_plain_ok(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
                return false;
        if (s[len - 1] == ':' || yaml_reserved(s))
                return false;
        for (const char *p = s; *p; p++) {
                char c = *p;

                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                        continue;
                if (!strchr("._/:@%+=-", c))
                        return false;
        }
        return true;
}

/*
 * Code points YAML does not allow raw inside a quoted scalar: line breaks
 * other than '\n' (NEL, LINE and PARAGRAPH SEPARATOR, which libyaml folds
 * into a space), the byte-order mark, and the non-characters U+FFFE/U+FFFF
 * (outside YAML's printable set).
 */
static bool yaml_needs_escape(uint32_t cp)
{
        return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff ||
               cp == 0xfffe || cp == 0xffff;
}

/* The code point of the UTF-8 sequence at `p` and its length; `s` is valid UTF-8. */
static uint32_t utf8_decode(const unsigned char *p, size_t *ret_len)
{
        if (p[0] < 0xe0) {
                *ret_len = 2;
                return ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
        }
        if (p[0] < 0xf0) {
                *ret_len = 3;
                return ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
                       (p[2] & 0x3f);
        }
        *ret_len = 4;
        return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
               ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

/*
 * Append `s` (valid UTF-8) as a YAML scalar: plain when safe, else
 * double-quoted, escaping what a reader would otherwise change.
 */
static void yaml_scalar(struct kl_buf *b, const char *s)
{
        if (yaml_plain_ok(s)) {
                (void)kl_buf_puts(b, s);
                return;
        }
        (void)kl_buf_putc(b, '"');
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t n = 1;
                uint32_t cp;

                if (*p == '"' || *p == '\\') {
                        (void)kl_buf_putc(b, '\\');
                        (void)kl_buf_putc(b, (char)*p++);
                        continue;
                }
                if (*p < 0x20 || *p == 0x7f) {
                        (void)kl_buf_printf(b, "\\x%02x", *p++);
                        continue;
                }
                if (*p < 0x80) {
                        (void)kl_buf_putc(b, (char)*p++);
                        continue;
                }
                cp = utf8_decode(p, &n);
                if (yaml_needs_escape(cp))
                        (void)kl_buf_printf(b, "\\u%04x", (unsigned)cp);
                else
                        (void)kl_buf_append(b, p, n);
                p += n;
        }
        (void)kl_buf_putc(b, '"');
}

static void yaml_field(struct kl_buf *b, const char *indent, const char *key, const char *value)
{
        (void)kl_buf_printf(b, "%s%s: ", indent, key);
        yaml_scalar(b, value);
        (void)kl_buf_putc(b, '\n');
}

static void yaml_data_field(struct kl_buf *b, const char *indent, const char *key,
                            const char *value)
{
        kl_autosecret char *b64 = kl_pki__base64_encode(value, strlen(value));

        yaml_field(b, indent, key, b64);
}

/* Values must be UTF-8 text: a YAML document cannot carry anything else. */
static int check_text(const char *field, const char *value, struct kl_err **err)
{
        if (value && !kl_pki__text_valid(value, strlen(value)))
                return kl_err_set(err, -EINVAL,
                                  "kubeconfig %s: not UTF-8 text without control characters",
                                  field);
        return 0;
}

static int kubeconfig_check(const struct kl_pki_kubeconfig *kc, struct kl_err **err)
{
        int r;

        if (kl_isempty(kc->server))
                return kl_err_set(err, -EINVAL, "kubeconfig: no server URL");
        r = check_text("server", kc->server, err);
        if (r >= 0)
                r = check_text("token", kc->token, err);
        return r;
}

/* The YAML text of a checked kubeconfig (owned, a secret). */
static char *kubeconfig_render(const struct kl_pki_kubeconfig *kc)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        /* Keys in the order kubectl itself writes them (sorted), as k3s's file has them. */
        (void)kl_buf_puts(&b, "apiVersion: v1\nclusters:\n- cluster:\n");
        if (kc->ca_pem)
                yaml_data_field(&b, "    ", "certificate-authority-data", kc->ca_pem);
        yaml_field(&b, "    ", "server", kc->server);
        (void)kl_buf_puts(&b, "  name: default\n"
                              "contexts:\n"
                              "- context:\n"
                              "    cluster: default\n"
                              "    user: default\n"
                              "  name: default\n"
                              "current-context: default\n"
                              "kind: Config\n"
                              "preferences: {}\n"
                              "users:\n"
                              "- name: default\n");
        if (!kc->cert_pem && !kc->key_pem && !kc->token) {
                (void)kl_buf_puts(&b, "  user: {}\n");
        } else {
                (void)kl_buf_puts(&b, "  user:\n");
                if (kc->cert_pem)
                        yaml_data_field(&b, "    ", "client-certificate-data", kc->cert_pem);
                if (kc->key_pem)
                        yaml_data_field(&b, "    ", "client-key-data", kc->key_pem);
                if (kc->token)
                        yaml_field(&b, "    ", "token", kc->token);
        }
        return kl_buf_detach(&b, NULL);
}

int kl_pki_kubeconfig_format(const struct kl_pki_kubeconfig *kc, char **ret_yaml,
                             struct kl_err **err)
{
        int r = kubeconfig_check(kc, err);

        if (r < 0)
                return r;
        *ret_yaml = kubeconfig_render(kc);
        return 0;
}

int kl_pki_kubeconfig_write(const char *path, const struct kl_pki_kubeconfig *kc, mode_t mode,
                            struct kl_err **err)
{
        kl_autosecret char *yaml = NULL;
        int r;

        r = kubeconfig_check(kc, err);
        if (r < 0)
                return kl_err_wrap(err, r, "write kubeconfig '%s'", path);
        yaml = kubeconfig_render(kc);
        r = kl_write_file_atomic(path, yaml, strlen(yaml), mode, KL_WRITE_FILE_MKDIR);
        if (r < 0)
                return kl_err_set(err, r, "write kubeconfig '%s'", path);
        return 0;
}

/*
 * Optional fields: 1 and *ret when present, 0 when absent (missing or null),
 * an error for a value of the wrong type. A "not found" never reaches `err`.
 */
static int opt_str(const json_t *obj, const char *path, const char **ret, struct kl_err **err)
{
        kl_autoerr struct kl_err *tmp = NULL;
        int r = kl_json_get_str(obj, path, ret, &tmp);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return kl_err_set(err, r, "%s", kl_err_msg(tmp));
        return 1;
}

static int opt_object(const json_t *obj, const char *path, json_t **ret, struct kl_err **err)
{
        kl_autoerr struct kl_err *tmp = NULL;
        int r = kl_json_get_object(obj, path, ret, &tmp);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return kl_err_set(err, r, "%s", kl_err_msg(tmp));
        return 1;
}

/* The entry of `list` (clusters, contexts, users) whose "name" is `want`; borrowed. */
static int named_entry(const json_t *doc, const char *list, const char *want, json_t **ret,
                       struct kl_err **err)
{
        json_t *arr = NULL, *entry;
        size_t i;
        int r;

        r = kl_json_get_array(doc, list, &arr, err);
        if (r < 0)
                return r;
        json_array_foreach(arr, i, entry) {
                const char *name = NULL;

                if (json_is_object(entry) && kl_json_get_str(entry, "name", &name, NULL) >= 0 &&
                    kl_streq(name, want)) {
                        *ret = entry;
                        return 0;
                }
        }
        return kl_err_set(err, -EINVAL, "'%s': no entry named '%s'", list, want);
}

/* A *-data field: base64 of text (PEM). Absent: *ret stays NULL. */
static int data_field(const json_t *obj, const char *path, char **ret, struct kl_err **err)
{
        const char *b64 = NULL;
        char *data = NULL;
        size_t len = 0;
        int r;

        r = opt_str(obj, path, &b64, err);
        if (r <= 0)
                return r;
        r = kl_pki__base64_decode(b64, strlen(b64), &data, &len);
        if (r < 0)
                return kl_err_set(err, -EINVAL, "'%s': not base64", path);
        if (memchr(data, '\0', len)) {
                kl_pki_secret_free(data);
                return kl_err_set(err, -EINVAL, "'%s': decodes to binary data, not PEM text", path);
        }
        *ret = data;
        return 0;
}

/* A string field; absent: *ret stays NULL. */
static int str_field(const json_t *obj, const char *path, char **ret, struct kl_err **err)
{
        const char *s = NULL;
        int r;

        r = opt_str(obj, path, &s, err);
        if (r <= 0)
                return r;
        *ret = kl_strdup(s);
        return 0;
}

/*
 * kube-lite reads kubeconfigs it wrote or that a person handed it for
 * joining; following a file reference would let a config name any file on
 * the machine (a key the reader may open but the writer may not), so they are
 * refused rather than resolved.
 */
static int no_file_ref(const json_t *obj, const char *field, struct kl_err **err)
{
        json_t *v = NULL;

        if (kl_json_get(obj, field, &v, NULL) >= 0)
                return kl_err_set(err, -EINVAL,
                                  "'%s': file references are not supported, embed the data instead",
                                  field);
        return 0;
}

/* Which context to read: current-context, or the only one when that is absent. */
static int pick_context(const json_t *doc, const char **ret, struct kl_err **err)
{
        json_t *contexts = NULL;
        int r;

        r = opt_str(doc, "current-context", ret, err);
        if (r < 0)
                return r;
        if (r > 0 && (*ret)[0] != '\0')
                return 0;
        r = kl_json_get_array(doc, "contexts", &contexts, err);
        if (r < 0)
                return r;
        if (json_array_size(contexts) != 1)
                return kl_err_set(err, -EINVAL,
                                  "no current-context and %zu contexts to choose from",
                                  json_array_size(contexts));
        return kl_json_get_str(doc, "contexts[0].name", ret, err);
}

static int kubeconfig_from_json(const json_t *doc, struct kl_pki_kubeconfig *kc,
                                struct kl_err **err)
{
        const char *current = NULL, *cluster_name = NULL, *user_name = NULL, *kind = NULL;
        json_t *context = NULL, *cluster = NULL, *user = NULL;
        int r;

        if (!json_is_object(doc))
                return kl_err_set(err, -EINVAL, "not a mapping");
        r = opt_str(doc, "kind", &kind, err);
        if (r < 0)
                return r;
        if (r > 0 && !kl_streq(kind, "Config"))
                return kl_err_set(err, -EINVAL, "'kind': expected Config, got '%s'", kind);

        r = pick_context(doc, &current, err);
        if (r < 0)
                return r;
        r = named_entry(doc, "contexts", current, &context, err);
        if (r >= 0)
                r = kl_json_get_str(context, "context.cluster", &cluster_name, err);
        if (r >= 0)
                r = kl_json_get_str(context, "context.user", &user_name, err);
        if (r < 0)
                return kl_err_wrap(err, r, "context '%s'", current);

        r = named_entry(doc, "clusters", cluster_name, &cluster, err);
        if (r >= 0)
                r = kl_json_get_object(cluster, "cluster", &cluster, err);
        if (r >= 0)
                r = no_file_ref(cluster, "certificate-authority", err);
        if (r >= 0)
                r = str_field(cluster, "server", &kc->server, err);
        if (r >= 0 && kl_isempty(kc->server))
                r = kl_err_set(err, -EINVAL, "'server': not found");
        if (r >= 0)
                r = data_field(cluster, "certificate-authority-data", &kc->ca_pem, err);
        if (r < 0)
                return kl_err_wrap(err, r, "cluster '%s'", cluster_name);

        r = named_entry(doc, "users", user_name, &user, err);
        /* "user: {}" or "user:" alone: a user without credentials. */
        if (r >= 0)
                r = opt_object(user, "user", &user, err);
        if (r == 0)
                return 0;
        if (r > 0)
                r = no_file_ref(user, "client-certificate", err);
        if (r >= 0)
                r = no_file_ref(user, "client-key", err);
        if (r >= 0)
                r = no_file_ref(user, "tokenFile", err);
        if (r >= 0)
                r = data_field(user, "client-certificate-data", &kc->cert_pem, err);
        if (r >= 0)
                r = data_field(user, "client-key-data", &kc->key_pem, err);
        if (r >= 0)
                r = str_field(user, "token", &kc->token, err);
        if (r < 0)
                return kl_err_wrap(err, r, "user '%s'", user_name);
        return 0;
}

int kl_pki_kubeconfig_parse(const char *data, size_t len, const char *name,
                            struct kl_pki_kubeconfig *ret, struct kl_err **err)
{
        const struct kl_yaml_limits limits = {
                .max_input = KUBECONFIG_MAX,
                .max_depth = 32,
                .max_nodes = 100000,
        };
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        json_auto_t *doc = NULL;
        int r;

        /* pkg/yaml's messages start with `name` already. */
        r = kl_yaml_decode_one(data, len, name, &limits, &doc, err);
        if (r < 0)
                return kl_err_wrap(err, r, "kubeconfig");
        r = kubeconfig_from_json(doc, &kc, err);
        if (r < 0)
                return kl_err_wrap(err, r, "kubeconfig '%s'", name ? name : "<input>");
        *ret = kc;
        kc = (struct kl_pki_kubeconfig)KL_PKI_KUBECONFIG_INIT;
        return 0;
}

int kl_pki_kubeconfig_load(const char *path, struct kl_pki_kubeconfig *ret, struct kl_err **err)
{
        kl_autosecret char *data = NULL;
        size_t len = 0;
        int r;

        r = kl_read_file(path, KUBECONFIG_MAX, &data, &len);
        if (r < 0)
                return kl_err_set(err, r, "read kubeconfig '%s'", path);
        return kl_pki_kubeconfig_parse(data, len, path, ret, err);
}
