/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config-file layer: config.yaml and its drop-ins, k3s's semantics.
 *
 * Each file is decoded by pkg/yaml into JSON and its keys applied in document
 * order, file after file, straight into the options struct: a later file
 * overwrites a scalar, `key:` replaces a list and `key+:` appends to what
 * earlier files gave. Applying as we go, rather than merging the files first,
 * is what lets every error name the file and key it comes from.
 */
#include "config/config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "base/base.h"
#include "config/config-internal.h"
#include "yaml/yaml.h"

static const char *json_kind(const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return "a mapping";
        case JSON_ARRAY:
                return "a list";
        case JSON_STRING:
                return "a string";
        case JSON_INTEGER:
        case JSON_REAL:
                return "a number";
        case JSON_TRUE:
        case JSON_FALSE:
                return "a boolean";
        case JSON_NULL:
                return "null";
        }
        return "a value";
}

/*
 * A YAML scalar as the text a flag would carry, which is what k3s does with
 * its config file (every key becomes --key=value): `port: 6443` and
 * `port: "6443"` mean the same. -EINVAL for a list, a mapping or null,
 * -EILSEQ for a string holding a NUL byte.
 */
static int scalar_text(const json_t *v, char **ret)
{
        switch (json_typeof(v)) {
        case JSON_STRING:
                /* "a\0b" would reach the option as "a": refuse what C strings cannot hold. */
                if (memchr(json_string_value(v), '\0', json_string_length(v)))
                        return -EILSEQ;
                *ret = kl_strdup(json_string_value(v));
                return 0;
        case JSON_INTEGER:
                *ret = kl_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
                return 0;
        case JSON_REAL:
                *ret = kl_asprintf("%.15g", json_real_value(v));
                return 0;
        case JSON_TRUE:
                *ret = kl_strdup("true");
                return 0;
        case JSON_FALSE:
                *ret = kl_strdup("false");
                return 0;
        case JSON_NULL:
        case JSON_ARRAY:
        case JSON_OBJECT:
                break;
        }
        return -EINVAL;
}

static bool peer_has_key(const struct kl_config_parse_opts *popts, const char *name, size_t len)
{
        for (size_t p = 0; popts->peers && popts->peers[p]; p++) {
                const struct kl_config_cmd *peer = popts->peers[p];
                int idx = kl_config__find_long(peer, name, len);

                if (idx >= 0 && !(peer->flags[idx].flags & KL_CONFIG_NO_FILE))
                        return true;
        }
        return false;
}

static int apply_file_list(struct kl_config *cfg, size_t idx, const json_t *value, bool append,
                           const char *where, struct kl_err **err)
{
        kl_autostrv char **texts = NULL;
        kl_autofree char *one = NULL;
        const json_t *item;
        size_t i;

        if (!json_is_array(value)) {
                int r = scalar_text(value, &one);

                if (r == -EILSEQ)
                        return kl_err_set(err, -EINVAL, "%s: value holds a NUL byte", where);
                if (r < 0)
                        return kl_err_set(err, -EINVAL, "%s: expected a list, got %s", where,
                                          json_kind(value));
                kl_strv_push(&texts, one);
        }
        json_array_foreach(value, i, item) {
                char *t = NULL;
                int r = scalar_text(item, &t);

                if (r == -EILSEQ)
                        return kl_err_set(err, -EINVAL, "%s: item %zu holds a NUL byte", where,
                                          i + 1);
                if (r < 0)
                        return kl_err_set(err, -EINVAL, "%s: item %zu: expected a string, got %s",
                                          where, i + 1, json_kind(item));
                kl_strv_push_take(&texts, t);
        }
        return kl_config__assign_list(cfg, idx, texts, append, where, err);
}

/* Whether the decimal digits of `m` are all octal digits: `644` read as decimal. */
static bool looks_octal(json_int_t m)
{
        if (m <= 0)
                return false;
        for (; m > 0; m /= 10)
                if (m % 10 > 7)
                        return false;
        return true;
}

static int apply_file_scalar(struct kl_config *cfg, size_t idx, const json_t *value,
                             const char *where, struct kl_err **err)
{
        const struct kl_config_flag *f = &cfg->cmd->flags[idx];
        kl_autofree char *text = NULL;
        int r;

        if (f->type == KL_CONFIG_MODE && json_is_integer(value)) {
                json_int_t m = json_integer_value(value);

                /*
                 * The YAML decoder already read `0644` as octal (420), as Kubernetes
                 * reads defaultMode. `644` is decimal 644, beyond 0777: say how to
                 * write it rather than guess which one was meant.
                 */
                if ((m < 0 || m > 0777) && looks_octal(m))
                        return kl_err_set(
                                err, -EINVAL,
                                "%s: expected an octal file mode (0000-0777), got %" JSON_INTEGER_FORMAT
                                " (a YAML number without a leading 0 is decimal: write \"0%" JSON_INTEGER_FORMAT
                                "\")",
                                where, m, m);
                if (m < 0 || m > 0777)
                        return kl_err_set(
                                err, -EINVAL,
                                "%s: expected an octal file mode (0000-0777), got %" JSON_INTEGER_FORMAT,
                                where, m);
                text = kl_asprintf("0%o", (unsigned)m);
                return kl_config__assign_scalar(cfg, idx, text, where, err);
        }
        r = scalar_text(value, &text);
        if (r == -EILSEQ)
                return kl_err_set(err, -EINVAL, "%s: value holds a NUL byte", where);
        if (r < 0) {
                kl_autobuf struct kl_buf b = KL_BUF_INIT;

                kl_config__put_expected(&b, f);
                return kl_err_set(err, -EINVAL, "%s: expected %s, got %s", where, b.buf,
                                  json_kind(value));
        }
        return kl_config__assign_scalar(cfg, idx, text, where, err);
}

static int apply_file_key(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                          const char *path, const char *key, size_t klen, const json_t *value,
                          struct kl_err **err)
{
        const struct kl_config_cmd *cmd = cfg->cmd;
        bool plus = klen > 0 && key[klen - 1] == '+';
        size_t nlen = plus ? klen - 1 : klen;
        kl_autofree char *where = NULL;
        const struct kl_config_flag *f;
        int idx, r;

        idx = memchr(key, '\0', klen) ? -ENOENT : kl_config__find_long(cmd, key, nlen);
        if (idx < 0) {
                kl_autobuf struct kl_buf b = KL_BUF_INIT;
                const char *hint;

                if (peer_has_key(popts, key, nlen))
                        return 0;
                kl_config__put_quoted(&b, key, klen);
                hint = kl_config__suggest(cmd, key, nlen);
                if (hint)
                        return kl_err_set(err, -EINVAL, "%s: unknown key %s (did you mean '%s'?)",
                                          path, b.buf, hint);
                return kl_err_set(err, -EINVAL, "%s: unknown key %s", path, b.buf);
        }
        f = &cmd->flags[idx];
        if (f->flags & KL_CONFIG_NO_FILE)
                return kl_err_set(err, -EINVAL, "%s: key '%s' cannot be set in a config file", path,
                                  key);
        if (plus && !kl_config__is_list(f))
                return kl_err_set(err, -EINVAL,
                                  "%s: key '%s': '+' appends to a list, and '%s' is not a list",
                                  path, key, f->name);
        /* null is YAML's "nothing here" (`data-dir:` with no value): the key is not set. */
        if (json_is_null(value))
                return 0;
        where = kl_asprintf("%s: key '%s'", path, key);
        if (kl_config__is_list(f))
                /* k3s: `key+` appends to what earlier files gave, never to the default. */
                r = apply_file_list(cfg, (size_t)idx, value,
                                    plus && cfg->state[idx].source == KL_CONFIG_SOURCE_FILE, where,
                                    err);
        else
                r = apply_file_scalar(cfg, (size_t)idx, value, where, err);
        if (r < 0)
                return r;
        kl_config__record(cfg, (size_t)idx, KL_CONFIG_SOURCE_FILE, path, where);
        return 0;
}

int kl_config__apply_file_data(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                               const char *path, const char *data, size_t len, struct kl_err **err)
{
        const struct kl_yaml_limits limits = {
                .max_input = KL_CONFIG__MAX_FILE,
                .max_depth = 16,
                .max_nodes = 1 << 16,
        };
        json_auto_t *doc = NULL;
        const char *key;
        size_t klen;
        json_t *value;
        int r;

        kl_strv_push(&cfg->files, path);
        r = kl_yaml_decode_one(data, len, path, &limits, &doc, err);
        if (r < 0)
                return r;
        if (json_is_null(doc))
                return 0;
        if (!json_is_object(doc))
                return kl_err_set(err, -EINVAL,
                                  "%s: expected a mapping of option names to values, got %s", path,
                                  json_kind(doc));
        json_object_keylen_foreach(doc, key, klen, value) {
                r = apply_file_key(cfg, popts, path, key, klen, value, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_and_apply(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                          const char *path, bool must_exist, struct kl_err **err)
{
        kl_autofree char *data = NULL;
        size_t len = 0;
        int r;

        r = kl_read_file(path, KL_CONFIG__MAX_FILE, &data, &len);
        if (r == -ENOENT && !must_exist)
                return 0;
        if (r == -E2BIG)
                return kl_err_set(err, r, "config file '%s' is larger than %zu bytes", path,
                                  KL_CONFIG__MAX_FILE);
        if (r < 0)
                return kl_err_set(err, r, "read config file '%s'", path);
        return kl_config__apply_file_data(cfg, popts, path, data, len, err);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FILE.d/<name>.yaml, in byte order of their names (not the locale's), dot-files skipped. */
static int list_dropins(const char *dir, char ***ret, struct kl_err **err)
{
        kl_autoclosedir DIR *d = opendir(dir);
        kl_autostrv char **names = NULL;
        kl_autostrv char **paths = NULL;
        size_t n = 0;

        if (!d) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                return kl_err_set(err, -errno, "open config directory '%s'", dir);
        }
        for (;;) {
                struct dirent *de;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return kl_err_set(err, -errno, "read config directory '%s'", dir);
                        break;
                }
                if (de->d_name[0] == '.' || !kl_endswith(de->d_name, ".yaml"))
                        continue;
                if (n == KL_CONFIG__MAX_DROPINS)
                        return kl_err_set(err, -E2BIG,
                                          "config directory '%s' holds more than %d drop-ins", dir,
                                          KL_CONFIG__MAX_DROPINS);
                kl_strv_push(&names, de->d_name);
                n++;
        }
        if (n > 0)
                qsort(names, n, sizeof(*names), cmp_str);
        for (size_t i = 0; i < n; i++) {
                kl_autofree char *path = kl_asprintf("%s/%s", dir, names[i]);
                struct stat st;
                int r = KL_NEG_ERRNO(stat(path, &st));

                /* Directories and sockets named *.yaml are not config; a vanished file is fine. */
                if (r == -ENOENT || (r == 0 && !S_ISREG(st.st_mode)))
                        continue;
                if (r < 0)
                        return kl_err_set(err, r, "stat '%s'", path);
                kl_strv_push_take(&paths, KL_TAKE_PTR(path));
        }
        *ret = KL_TAKE_PTR(paths);
        return 0;
}

int kl_config__apply_files(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                           const char *path, bool must_exist, struct kl_err **err)
{
        kl_autofree char *dir = NULL;
        kl_autostrv char **dropins = NULL;
        int r;

        r = read_and_apply(cfg, popts, path, must_exist, err);
        if (r < 0)
                return r;
        /* k3s reads the drop-ins even when config.yaml itself does not exist. */
        dir = kl_asprintf("%s.d", path);
        r = list_dropins(dir, &dropins, err);
        if (r < 0)
                return r;
        for (size_t i = 0; dropins && dropins[i]; i++) {
                r = read_and_apply(cfg, popts, dropins[i], false, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
