/* SPDX-License-Identifier: Apache-2.0 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "base/duration.h"
#include "config/config-internal.h"

/* Values quoted in error messages are cut here: enough to recognise, never a whole file. */
#define QUOTE_MAX 64

/* One flag given on the command line, applied after the file and environment layers. */
struct flag_set {
        size_t idx;        /* into cmd->flags */
        const char *value; /* borrowed from argv, or "true" for a bare boolean */
        char *typed;       /* owned: the flag as the user wrote it, "--data-dir" or "-d" */
};

struct cmdline {
        struct flag_set *sets; /* owned; at most argc entries */
        size_t n;
};

static void cmdline_release(struct cmdline *cl)
{
        for (size_t i = 0; i < cl->n; i++)
                free(cl->sets[i].typed);
        free(cl->sets);
}

static void *field_of(const struct kl_config *cfg, const struct kl_config_flag *f)
{
        return (char *)cfg->opts + f->offset;
}

/* Store the zero value without freeing: the field may hold anything on entry. */
static void field_zero(void *p, enum kl_config_type type)
{
        switch (type) {
        case KL_CONFIG_STRING:
                *(char **)p = NULL;
                break;
        case KL_CONFIG_BOOL:
                *(bool *)p = false;
                break;
        case KL_CONFIG_INT:
                *(int *)p = 0;
                break;
        case KL_CONFIG_PORT:
                *(uint16_t *)p = 0;
                break;
        case KL_CONFIG_MODE:
                *(unsigned *)p = 0;
                break;
        case KL_CONFIG_DURATION:
                *(kl_usec_t *)p = 0;
                break;
        case KL_CONFIG_STRINGS:
        case KL_CONFIG_KVS:
                *(char ***)p = NULL;
                break;
        case KL_CONFIG_TYPE__COUNT:
        case KL_CONFIG_TYPE__INVALID:
                kl_bug("bad option type");
        }
}

static void field_release(void *p, enum kl_config_type type)
{
        if (type == KL_CONFIG_STRING)
                free(*(char **)p);
        else if (type == KL_CONFIG_STRINGS || type == KL_CONFIG_KVS)
                kl_strv_free(*(char ***)p);
        field_zero(p, type);
}

void kl_config_free(struct kl_config *cfg)
{
        if (!cfg)
                return;
        for (size_t i = 0; i < cfg->cmd->n_flags; i++) {
                const struct kl_config_flag *f = &cfg->cmd->flags[i];

                field_release(field_of(cfg, f), f->type);
                free(cfg->state[i].origin);
                free(cfg->state[i].where);
        }
        free(cfg->state);
        kl_strv_free(cfg->args);
        kl_strv_free(cfg->files);
        kl_strv_free(cfg->flag_tokens);
        free(cfg);
}

/* 'value', with control bytes escaped and long values cut, for error messages. */
void kl_config__put_quoted(struct kl_buf *b, const char *s, size_t len)
{
        size_t n = KL_MIN(len, (size_t)QUOTE_MAX);

        (void)kl_buf_putc(b, '\'');
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];

                if (c < 0x20 || c == 0x7f)
                        (void)kl_buf_printf(b, "\\x%02x", c);
                else
                        (void)kl_buf_putc(b, (char)c);
        }
        if (len > n)
                (void)kl_buf_puts(b, "...");
        (void)kl_buf_putc(b, '\'');
}

void kl_config__put_expected(struct kl_buf *b, const struct kl_config_flag *f)
{
        switch (f->type) {
        case KL_CONFIG_STRING:
                if (!f->choices) {
                        (void)kl_buf_puts(b, "a string");
                        break;
                }
                (void)kl_buf_puts(b, "one of ");
                for (size_t i = 0; f->choices[i]; i++)
                        (void)kl_buf_printf(b, "%s%s", i ? ", " : "", f->choices[i]);
                break;
        case KL_CONFIG_BOOL:
                (void)kl_buf_puts(b, "a boolean (true or false)");
                break;
        case KL_CONFIG_INT:
                (void)kl_buf_puts(b, "an integer");
                break;
        case KL_CONFIG_PORT:
                (void)kl_buf_puts(b, "a port number (1-65535)");
                break;
        case KL_CONFIG_MODE:
                (void)kl_buf_puts(b, "an octal file mode (0000-0777)");
                break;
        case KL_CONFIG_DURATION:
                (void)kl_buf_puts(b, "a duration (e.g. 30s, 5m, 1h30m)");
                break;
        case KL_CONFIG_STRINGS:
                (void)kl_buf_puts(b, "a string");
                break;
        case KL_CONFIG_KVS:
                (void)kl_buf_puts(b, "key=value");
                break;
        case KL_CONFIG_TYPE__COUNT:
        case KL_CONFIG_TYPE__INVALID:
                kl_bug("bad option type");
        }
}

/* "<where>: expected <what the type takes>, got '<text>'" */
static int bad_value(const char *where, const struct kl_config_flag *f, const char *text,
                     struct kl_err **err)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

        kl_config__put_expected(&b, f);
        (void)kl_buf_puts(&b, ", got ");
        kl_config__put_quoted(&b, text, strlen(text));
        return kl_err_set(err, -EINVAL, "%s: expected %s", where, b.buf);
}

int kl_config__find_long(const struct kl_config_cmd *cmd, const char *name, size_t len)
{
        for (size_t i = 0; i < cmd->n_flags; i++) {
                const char *n = cmd->flags[i].name;

                if (strlen(n) == len && memcmp(n, name, len) == 0)
                        return (int)i;
        }
        return -ENOENT;
}

static int find_short(const struct kl_config_cmd *cmd, char c)
{
        for (size_t i = 0; i < cmd->n_flags; i++)
                if (cmd->flags[i].short_name == c)
                        return (int)i;
        return -ENOENT;
}

static int find_name(const struct kl_config *cfg, const char *name)
{
        return kl_config__find_long(cfg->cmd, name, strlen(name));
}

/* Levenshtein distance of two short strings; SIZE_MAX when either is too long to bother. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
        size_t row[65];

        if (la >= KL_ARRAY_SIZE(row) || lb >= KL_ARRAY_SIZE(row))
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];

                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t best = KL_MIN(row[j] + 1, row[j - 1] + 1);

                        row[j] = KL_MIN(best, diag + (a[i - 1] == b[j - 1] ? 0 : 1));
                        diag = up;
                }
        }
        return row[lb];
}

/* The visible flag whose name is closest to a mistyped one, if it is close enough to be meant. */
const char *kl_config__suggest(const struct kl_config_cmd *cmd, const char *name, size_t len)
{
        const char *best = NULL;
        size_t best_d = SIZE_MAX;

        for (size_t i = 0; i < cmd->n_flags; i++) {
                const struct kl_config_flag *f = &cmd->flags[i];
                size_t d;

                if (f->flags & KL_CONFIG_HIDDEN)
                        continue;
                d = edit_distance(name, len, f->name, strlen(f->name));
                if (d < best_d) {
                        best_d = d;
                        best = f->name;
                }
        }
        /* Two edits turn "tls" into "log"; only suggest when most of the name survives. */
        if (best_d <= 2 && best_d * 3 <= len)
                return best;
        return NULL;
}

static int unknown_flag(const struct kl_config_cmd *cmd, const char *arg, struct kl_err **err)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;
        bool single_dash = arg[1] != '-';
        const char *name = single_dash ? arg + 1 : arg + 2;
        size_t len = strcspn(name, "=");
        const char *hint = NULL;
        int idx;

        kl_config__put_quoted(&b, arg, (size_t)(name - arg) + len);
        /* Go's flag package, which k3s users know, accepts -data-dir; we do not, but say so. */
        if (single_dash && len > 1) {
                idx = kl_config__find_long(cmd, name, len);
                if (idx >= 0)
                        hint = cmd->flags[idx].name;
        }
        if (!hint && len > 1)
                hint = kl_config__suggest(cmd, name, len);
        if (hint)
                return kl_err_set(err, -EINVAL, "unknown flag %s (did you mean '--%s'?)", b.buf,
                                  hint);
        return kl_err_set(err, -EINVAL, "unknown flag %s", b.buf);
}

void kl_config__record(struct kl_config *cfg, size_t idx, enum kl_config_source source,
                       const char *origin, const char *where)
{
        struct flag_state *st = &cfg->state[idx];

        st->source = source;
        free(st->origin);
        st->origin = kl_strdup(origin);
        free(st->where);
        st->where = kl_strdup(where);
}

int kl_config__assign_scalar(struct kl_config *cfg, size_t idx, const char *text, const char *where,
                             struct kl_err **err)
{
        const struct kl_config_flag *f = &cfg->cmd->flags[idx];
        void *p = field_of(cfg, f);

        switch (f->type) {
        case KL_CONFIG_STRING: {
                char **s = p;

                if (f->choices && !kl_strv_contains((char *const *)f->choices, text))
                        return bad_value(where, f, text, err);
                free(*s);
                *s = kl_strdup(text);
                return 0;
        }
        case KL_CONFIG_BOOL:
                if (kl_parse_bool(text, p) < 0)
                        return bad_value(where, f, text, err);
                return 0;
        case KL_CONFIG_INT:
                if (kl_parse_int(text, p) < 0)
                        return bad_value(where, f, text, err);
                return 0;
        case KL_CONFIG_PORT:
                if (kl_parse_port(text, p) < 0)
                        return bad_value(where, f, text, err);
                return 0;
        case KL_CONFIG_MODE: {
                unsigned mode;

                /* Permission bits only: setuid, setgid and sticky are no file mode to configure. */
                if (kl_parse_mode(text, &mode) < 0 || mode > 0777)
                        return bad_value(where, f, text, err);
                *(unsigned *)p = mode;
                return 0;
        }
        case KL_CONFIG_DURATION: {
                int64_t usec;

                if (kl_duration_parse(text, &usec, NULL) < 0 || usec < 0)
                        return bad_value(where, f, text, err);
                *(kl_usec_t *)p = (kl_usec_t)usec;
                return 0;
        }
        case KL_CONFIG_STRINGS:
        case KL_CONFIG_KVS:
        case KL_CONFIG_TYPE__COUNT:
        case KL_CONFIG_TYPE__INVALID:
                break;
        }
        kl_bug("assign_scalar on a list option");
}

static char *trim(const char *s)
{
        size_t len;

        s += strspn(s, " \t");
        len = strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
        return kl_strndup(s, len);
}

/*
 * Every text is split on commas, as k3s's string-slice flags split "a,b", and
 * each item is checked before the list is touched. `append` keeps what the
 * list holds; otherwise the items replace it.
 */
int kl_config__assign_list(struct kl_config *cfg, size_t idx, char *const *texts, bool append,
                           const char *where, struct kl_err **err)
{
        const struct kl_config_flag *f = &cfg->cmd->flags[idx];
        char ***list = field_of(cfg, f);
        kl_autostrv char **items = NULL;

        for (size_t i = 0; texts && texts[i]; i++) {
                kl_autostrv char **parts = kl_strv_split(texts[i], ',');

                for (size_t j = 0; parts[j]; j++) {
                        char *item = trim(parts[j]);
                        const char *eq = strchr(item, '=');

                        if (!*item) {
                                free(item);
                                continue;
                        }
                        if (f->type == KL_CONFIG_KVS && (!eq || eq == item)) {
                                int r = bad_value(where, f, item, err);

                                free(item);
                                return r;
                        }
                        kl_strv_push_take(&items, item);
                }
        }
        if (!append)
                *list = kl_strv_free(*list);
        for (size_t i = 0; items && items[i]; i++)
                kl_strv_push(list, items[i]);
        return 0;
}

static int assign_text(struct kl_config *cfg, size_t idx, const char *text, bool append,
                       const char *where, struct kl_err **err)
{
        if (kl_config__is_list(&cfg->cmd->flags[idx])) {
                char *const texts[] = { (char *)text, NULL };

                return kl_config__assign_list(cfg, idx, texts, append, where, err);
        }
        return kl_config__assign_scalar(cfg, idx, text, where, err);
}

char *kl_config_env_name(const char *name)
{
        char *env = kl_asprintf("KUBE_LITE_%s", name);

        for (char *p = env; *p; p++)
                *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
        return env;
}

static bool valid_name(const char *name)
{
        if (!name || !*name || *name == '-' || kl_streq(name, "help"))
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return false;
        return true;
}

/* Table mistakes are bugs, but reporting them as errors names the table and the flag. */
static int check_table(const struct kl_config_cmd *cmd, struct kl_err **err)
{
        bool have_config = false;

        for (size_t i = 0; i < cmd->n_flags; i++) {
                const struct kl_config_flag *f = &cmd->flags[i];

                if (!valid_name(f->name))
                        return kl_err_set(err, -EINVAL, "flag table of '%s': bad name '%s'",
                                          cmd->name, f->name ? f->name : "(null)");
                if (f->type < 0 || f->type >= KL_CONFIG_TYPE__COUNT)
                        return kl_err_set(err, -EINVAL, "flag table of '%s': '%s': bad type",
                                          cmd->name, f->name);
                if (f->short_name &&
                    (f->short_name == 'h' || !isalnum((unsigned char)f->short_name)))
                        return kl_err_set(err, -EINVAL,
                                          "flag table of '%s': '%s': bad short name '%c'",
                                          cmd->name, f->name, f->short_name);
                if (f->choices && f->type != KL_CONFIG_STRING)
                        return kl_err_set(err, -EINVAL,
                                          "flag table of '%s': '%s': choices need a string option",
                                          cmd->name, f->name);
                if (f->flags & KL_CONFIG_CONFIG_PATH) {
                        if (have_config || f->type != KL_CONFIG_STRING ||
                            !(f->flags & KL_CONFIG_NO_FILE))
                                return kl_err_set(err, -EINVAL,
                                                  "flag table of '%s': '%s': bad config-path flag",
                                                  cmd->name, f->name);
                        have_config = true;
                }
                for (size_t j = 0; j < i; j++) {
                        if (kl_streq(cmd->flags[j].name, f->name))
                                return kl_err_set(err, -EINVAL,
                                                  "flag table of '%s': duplicate flag '%s'",
                                                  cmd->name, f->name);
                        if (f->short_name && cmd->flags[j].short_name == f->short_name)
                                return kl_err_set(err, -EINVAL,
                                                  "flag table of '%s': duplicate short flag '%c'",
                                                  cmd->name, f->short_name);
                }
        }
        return 0;
}

static int tokenize(struct kl_config *cfg, int argc, char **argv, struct cmdline *cl,
                    struct kl_err **err)
{
        const struct kl_config_cmd *cmd = cfg->cmd;
        bool only_args = false;

        cl->sets = kl_calloc(argc > 0 ? (size_t)argc : 1, sizeof(*cl->sets));
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                const char *eq, *value;
                const struct kl_config_flag *f;
                size_t prefix;
                int idx;

                if (only_args || a[0] != '-' || a[1] == '\0') {
                        kl_strv_push(&cfg->args, a);
                        if (cmd->cmd_flags & KL_CONFIG_CMD_STOP_AT_ARG)
                                only_args = true;
                        continue;
                }
                if (kl_streq(a, "--")) {
                        only_args = true;
                        continue;
                }
                if (a[1] == '-') {
                        if (kl_streq(a, "--help"))
                                return KL_CONFIG_HELP;
                        eq = strchr(a, '=');
                        prefix = eq ? (size_t)(eq - a) : strlen(a);
                        idx = kl_config__find_long(cmd, a + 2, prefix - 2);
                } else {
                        /* -x, -x VALUE, -x=VALUE; no bundling (-abc), as Go's flag package. */
                        if (a[2] != '\0' && a[2] != '=')
                                return unknown_flag(cmd, a, err);
                        if (kl_streq(a, "-h"))
                                return KL_CONFIG_HELP;
                        eq = a[2] == '=' ? a + 2 : NULL;
                        prefix = 2;
                        idx = find_short(cmd, a[1]);
                }
                if (idx < 0)
                        return unknown_flag(cmd, a, err);
                f = &cmd->flags[idx];
                cl->sets[cl->n].idx = (size_t)idx;
                cl->sets[cl->n].typed = kl_strndup(a, prefix);
                cl->n++;
                /* A boolean never takes the next argument: `--debug false` is a flag and an
                 * argument. */
                if (eq)
                        value = eq + 1;
                else if (f->type == KL_CONFIG_BOOL)
                        value = "true";
                else if (i + 1 < argc)
                        value = argv[++i];
                else
                        return kl_err_set(err, -EINVAL, "%s: missing value",
                                          cl->sets[cl->n - 1].typed);
                cl->sets[cl->n - 1].value = value;
                kl_strv_push_take(&cfg->flag_tokens, kl_asprintf("--%s=%s", f->name, value));
        }
        return 0;
}

static int check_args(const struct kl_config *cfg, struct kl_err **err)
{
        const struct kl_config_cmd *cmd = cfg->cmd;
        size_t n = kl_strv_length(cfg->args);

        if (n > cmd->max_args) {
                kl_autobuf struct kl_buf b = KL_BUF_INIT;
                const char *a = cfg->args[cmd->max_args];

                kl_config__put_quoted(&b, a, strlen(a));
                return kl_err_set(err, -EINVAL, "unexpected argument %s", b.buf);
        }
        if (n < cmd->min_args)
                return kl_err_set(err, -EINVAL, "missing arguments (usage: %s %s)", cmd->name,
                                  cmd->synopsis ? cmd->synopsis : "");
        return 0;
}

static int apply_defaults(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                          struct kl_err **err)
{
        for (size_t i = 0; i < cfg->cmd->n_flags; i++) {
                const struct kl_config_flag *f = &cfg->cmd->flags[i];
                const char *def = f->def;

                if ((f->flags & KL_CONFIG_CONFIG_PATH) && popts->default_config_file)
                        def = popts->default_config_file;
                if (def) {
                        kl_autofree char *where = kl_asprintf("default of '--%s'", f->name);
                        int r = assign_text(cfg, i, def, false, where, err);

                        if (r < 0)
                                return r;
                }
                kl_config__record(cfg, i, KL_CONFIG_SOURCE_DEFAULT, "default", "default");
        }
        return 0;
}

/* The value of a flag's environment variable, or NULL; an empty variable counts as unset. */
static const char *env_lookup(const struct kl_config_flag *f, char **ret_name)
{
        kl_autofree char *name = f->env ? kl_strdup(f->env) : kl_config_env_name(f->name);
        const char *v = getenv(name);

        if (v && *v) {
                *ret_name = KL_TAKE_PTR(name);
                return v;
        }
        if (f->env_alias) {
                v = getenv(f->env_alias);
                if (v && *v) {
                        *ret_name = kl_strdup(f->env_alias);
                        return v;
                }
        }
        return NULL;
}

static int apply_env(struct kl_config *cfg, struct kl_err **err)
{
        for (size_t i = 0; i < cfg->cmd->n_flags; i++) {
                const struct kl_config_flag *f = &cfg->cmd->flags[i];
                kl_autofree char *name = NULL;
                const char *v;
                int r;

                if (f->flags & KL_CONFIG_NO_ENV)
                        continue;
                v = env_lookup(f, &name);
                if (!v)
                        continue;
                r = assign_text(cfg, i, v, false, name, err);
                if (r < 0)
                        return r;
                kl_config__record(cfg, i, KL_CONFIG_SOURCE_ENV, name, name);
        }
        return 0;
}

static int apply_flags(struct kl_config *cfg, const struct cmdline *cl, struct kl_err **err)
{
        for (size_t i = 0; i < cl->n; i++) {
                const struct flag_set *s = &cl->sets[i];
                /* A repeated list flag adds to itself but replaces what lower sources gave. */
                bool append = cfg->state[s->idx].source == KL_CONFIG_SOURCE_FLAG;
                int r = assign_text(cfg, s->idx, s->value, append, s->typed, err);

                if (r < 0)
                        return r;
                kl_config__record(cfg, s->idx, KL_CONFIG_SOURCE_FLAG, s->typed, s->typed);
        }
        return 0;
}

static int apply_default_fns(struct kl_config *cfg, struct kl_err **err)
{
        for (size_t i = 0; i < cfg->cmd->n_flags; i++) {
                const struct kl_config_flag *f = &cfg->cmd->flags[i];
                kl_autofree char *text = NULL;
                kl_autofree char *where = NULL;
                int r;

                if (!f->default_fn || cfg->state[i].source != KL_CONFIG_SOURCE_DEFAULT)
                        continue;
                r = f->default_fn(cfg->opts, &text, err);
                if (r < 0)
                        return kl_err_wrap(err, r, "default of '--%s'", f->name);
                if (!text)
                        continue;
                where = kl_asprintf("default of '--%s'", f->name);
                r = assign_text(cfg, i, text, false, where, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_files(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                       const struct cmdline *cl, const struct kl_config__file *files,
                       size_t n_files, struct kl_err **err)
{
        kl_autofree char *env_name = NULL;
        const struct kl_config_flag *f = NULL;
        const char *path = NULL;
        bool explicit = false;
        size_t ci = 0;

        for (size_t i = 0; i < cfg->cmd->n_flags; i++)
                if (cfg->cmd->flags[i].flags & KL_CONFIG_CONFIG_PATH) {
                        f = &cfg->cmd->flags[i];
                        ci = i;
                }
        if (!f || (popts->flags & KL_CONFIG_PARSE_NO_FILE))
                return 0;

        if (files) {
                for (size_t i = 0; i < n_files; i++) {
                        int r = kl_config__apply_file_data(cfg, popts, files[i].name, files[i].data,
                                                           files[i].len, err);

                        if (r < 0)
                                return r;
                }
                return 0;
        }

        /* The path follows the usual precedence, minus the file layer it selects. */
        for (size_t i = 0; i < cl->n; i++)
                if (cl->sets[i].idx == ci) {
                        path = cl->sets[i].value;
                        explicit = true;
                }
        if (!path && !(f->flags & KL_CONFIG_NO_ENV) && !(popts->flags & KL_CONFIG_PARSE_NO_ENV)) {
                path = env_lookup(f, &env_name);
                explicit = path != NULL;
        }
        if (!path)
                path = popts->default_config_file ? popts->default_config_file : f->def;
        if (kl_isempty(path))
                return 0;
        return kl_config__apply_files(cfg, popts, path, explicit, err);
}

int kl_config__parse(const struct kl_config_cmd *cmd, void *opts, int argc, char **argv,
                     const struct kl_config_parse_opts *popts, const struct kl_config__file *files,
                     size_t n_files, struct kl_config **ret, struct kl_err **err)
{
        static const struct kl_config_parse_opts no_popts;
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_cleanup(cmdline_release) struct cmdline cl = { 0 };
        int r;

        if (!popts)
                popts = &no_popts;
        r = check_table(cmd, err);
        if (r < 0)
                return r;

        /* Zero first: from here on kl_config_free() may release these fields. */
        for (size_t i = 0; i < cmd->n_flags; i++)
                field_zero((char *)opts + cmd->flags[i].offset, cmd->flags[i].type);
        cfg = kl_new0(struct kl_config);
        cfg->cmd = cmd;
        cfg->opts = opts;
        cfg->state = kl_calloc(cmd->n_flags ? cmd->n_flags : 1, sizeof(*cfg->state));
        cfg->args = kl_calloc(1, sizeof(char *));
        cfg->files = kl_calloc(1, sizeof(char *));
        cfg->flag_tokens = kl_calloc(1, sizeof(char *));

        r = tokenize(cfg, argc, argv, &cl, err);
        if (r != 0)
                return r;
        r = check_args(cfg, err);
        if (r < 0)
                return r;
        r = apply_defaults(cfg, popts, err);
        if (r < 0)
                return r;
        r = apply_files(cfg, popts, &cl, files, n_files, err);
        if (r < 0)
                return r;
        if (!(popts->flags & KL_CONFIG_PARSE_NO_ENV)) {
                r = apply_env(cfg, err);
                if (r < 0)
                        return r;
        }
        r = apply_flags(cfg, &cl, err);
        if (r < 0)
                return r;
        r = apply_default_fns(cfg, err);
        if (r < 0)
                return r;

        *ret = KL_TAKE_PTR(cfg);
        return 0;
}

int kl_config_parse(const struct kl_config_cmd *cmd, void *opts, int argc, char **argv,
                    const struct kl_config_parse_opts *popts, struct kl_config **ret,
                    struct kl_err **err)
{
        return kl_config__parse(cmd, opts, argc, argv, popts, NULL, 0, ret, err);
}

char *const *kl_config_args(const struct kl_config *cfg)
{
        return cfg->args;
}

char *const *kl_config_files(const struct kl_config *cfg)
{
        return cfg->files;
}

char *const *kl_config_flag_tokens(const struct kl_config *cfg)
{
        return cfg->flag_tokens;
}

enum kl_config_source kl_config_source(const struct kl_config *cfg, const char *name)
{
        int idx = find_name(cfg, name);

        if (idx < 0)
                return KL_CONFIG_SOURCE__INVALID;
        return cfg->state[idx].source;
}

const char *kl_config_source_name(enum kl_config_source source)
{
        static const char *const names[KL_CONFIG_SOURCE__COUNT] = {
                [KL_CONFIG_SOURCE_DEFAULT] = "default",
                [KL_CONFIG_SOURCE_FILE] = "file",
                [KL_CONFIG_SOURCE_ENV] = "env",
                [KL_CONFIG_SOURCE_FLAG] = "flag",
        };

        if (source < 0 || source >= KL_CONFIG_SOURCE__COUNT)
                return "?";
        return names[source];
}

const char *kl_config_origin(const struct kl_config *cfg, const char *name)
{
        int idx = find_name(cfg, name);

        if (idx < 0)
                return NULL;
        return cfg->state[idx].where;
}

static void put_value(const struct kl_config *cfg, const struct kl_config_flag *f,
                      struct kl_buf *out)
{
        const void *p = field_of(cfg, f);

        switch (f->type) {
        case KL_CONFIG_STRING: {
                const char *s = *(char *const *)p;

                if (s && *s && (f->flags & KL_CONFIG_SECRET))
                        (void)kl_buf_puts(out, "<redacted>");
                else if (s)
                        (void)kl_buf_puts(out, s);
                break;
        }
        case KL_CONFIG_BOOL:
                (void)kl_buf_puts(out, *(const bool *)p ? "true" : "false");
                break;
        case KL_CONFIG_INT:
                (void)kl_buf_printf(out, "%d", *(const int *)p);
                break;
        case KL_CONFIG_PORT:
                (void)kl_buf_printf(out, "%u", (unsigned)*(const uint16_t *)p);
                break;
        case KL_CONFIG_MODE:
                (void)kl_buf_printf(out, "%04o", *(const unsigned *)p);
                break;
        case KL_CONFIG_DURATION: {
                char d[KL_DURATION_STRING_MAX];

                (void)kl_buf_puts(
                        out, kl_duration_format((int64_t) * (const kl_usec_t *)p, d, sizeof(d)));
                break;
        }
        case KL_CONFIG_STRINGS:
        case KL_CONFIG_KVS: {
                char *const *v = *(char **const *)p;

                if (v && v[0] && (f->flags & KL_CONFIG_SECRET)) {
                        (void)kl_buf_puts(out, "<redacted>");
                        break;
                }
                for (size_t i = 0; v && v[i]; i++)
                        (void)kl_buf_printf(out, "%s%s", i ? "," : "", v[i]);
                break;
        }
        case KL_CONFIG_TYPE__COUNT:
        case KL_CONFIG_TYPE__INVALID:
                kl_bug("bad option type");
        }
}

void kl_config_format_values(const struct kl_config *cfg, struct kl_buf *out)
{
        for (size_t i = 0; i < cfg->cmd->n_flags; i++) {
                const struct kl_config_flag *f = &cfg->cmd->flags[i];

                (void)kl_buf_printf(out, "%s = ", f->name);
                put_value(cfg, f, out);
                (void)kl_buf_printf(out, " (%s)\n", cfg->state[i].origin);
        }
}
