/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config: command-line flags, environment variables and config files, all
 * generated from one table of flags per subcommand.
 *
 * A subcommand declares a `struct kl_config_cmd` whose flag table says, for
 * each option, its long name (k3s's where k3s has the idea), short name, type,
 * where its value is stored (a field of the subcommand's options struct),
 * default, help text and environment variable. kl_config_parse() fills the
 * options struct from four sources, highest first:
 *
 *   --flag (command line)  >  KUBE_LITE_FLAG (environment)  >  config file  >  default
 *
 * The config file is `--config/-c FILE` (env KUBE_LITE_CONFIG_FILE), by
 * default /etc/kube-lite/config.yaml, plus the drop-ins `FILE.d/<name>.yaml` in
 * lexical order after it. Keys are the long flag names (`data-dir: /x`); a
 * later file overrides a key of an earlier one, and `key+:` appends to a
 * list value instead of replacing it, as k3s's config.yaml.d does. A higher
 * source replaces a list value of a lower one as a whole.
 *
 * The same table generates `--help` and records, for each option, which
 * source set it (kl_config_source(), kl_config_origin()), so `check-config`
 * and debug logs can say where a value came from. Errors name the source the
 * way a user would look for it:
 *
 *   --https-listen-port: expected a port number (1-65535), got 'abc'
 *   KUBE_LITE_HTTPS_LISTEN_PORT: expected a port number (1-65535), got 'abc'
 *   /etc/kube-lite/config.yaml: key 'https-listen-port': expected a port number (1-65535), got
 * 'abc'
 *
 * Ownership: tables are static and borrowed for the life of the parse
 * result. The strings and vectors kl_config_parse() stores into the options
 * struct are owned by the returned `struct kl_config` and freed by
 * kl_config_free(), so keep the result as long as the options are used.
 *
 * Not thread-safe and meant for start-up: parsing reads the environment.
 * pkg/config/README.md explains the design and the choices behind it.
 */
#ifndef KL_CONFIG_CONFIG_H
#define KL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/macro.h"
#include "base/time.h"

/*
 * Option types and the C type of the field each one is stored in (checked at
 * compile time by the KL_CONFIG_*_AT() macros below).
 */
enum kl_config_type {
        KL_CONFIG_STRING,   /* char * (owned by the kl_config); NULL when unset */
        KL_CONFIG_BOOL,     /* bool; `--flag`, `--flag=false`, Go's ParseBool forms */
        KL_CONFIG_INT,      /* int */
        KL_CONFIG_PORT,     /* uint16_t, 1-65535 */
        KL_CONFIG_MODE,     /* unsigned, a permission mode 0000-0777, written in octal */
        KL_CONFIG_DURATION, /* kl_usec_t; Go's syntax ("30s", "1h30m"), not negative */
        KL_CONFIG_STRINGS,  /* char ** string vector, NULL when empty: repeatable, "a,b" splits */
        KL_CONFIG_KVS,      /* char ** of "key=value" entries, like KL_CONFIG_STRINGS */
        KL_CONFIG_TYPE__COUNT,
        KL_CONFIG_TYPE__INVALID = -EINVAL,
};

enum kl_config_flag_flags {
        KL_CONFIG_HIDDEN = 1 << 0,      /* parsed, but not listed by --help */
        KL_CONFIG_NO_ENV = 1 << 1,      /* no environment variable */
        KL_CONFIG_NO_FILE = 1 << 2,     /* not accepted as a config-file key */
        KL_CONFIG_SECRET = 1 << 3,      /* value never shown (kl_config_format_values) */
        KL_CONFIG_CONFIG_PATH = 1 << 4, /* this flag names the config file (KL_CONFIG_FILE_FLAG) */
};

/**
 * Computes a default that depends on other options, after every source has
 * been applied (e.g. a data directory under $HOME for a rootless server).
 * `opts` is the options struct, with every other option resolved. On success
 * `*ret` is the default as text (owned by the caller, parsed like any value)
 * or NULL to keep the table's `def`. Must read only options that have no
 * default_fn themselves.
 */
typedef int kl_config_default_fn(const void *opts, char **ret, struct kl_err **err);

struct kl_config_flag {
        const char *name;           /* long name without dashes; also the file key */
        char short_name;            /* 'c' for -c, or 0 */
        enum kl_config_type type;   /* set by KL_CONFIG_*_AT() */
        size_t offset;              /* of the field in the options struct; KL_CONFIG_*_AT() */
        const char *def;            /* default as text ("6443", "a,b"); NULL: zero/empty */
        const char *metavar;        /* "DIR" in `--data-dir DIR`; NULL: from the type */
        const char *help;           /* one sentence, no final full stop */
        const char *group;          /* --help section ("Listener"); NULL: "Options" */
        const char *env;            /* NULL: KUBE_LITE_<NAME> with '-' as '_' */
        const char *env_alias;      /* a second variable, read when `env` is unset; or NULL */
        const char *const *choices; /* KL_CONFIG_STRING only: allowed values, NULL-terminated */
        kl_config_default_fn *default_fn; /* or NULL */
        const char *default_help;         /* --help's text for the default when `def` is not it */
        unsigned flags;                   /* enum kl_config_flag_flags */
};

/*
 * Where each value is stored: the type, the offset of `field` in `T`, and a
 * compile-time check that the field has the C type the option type needs.
 *
 *   { KL_CONFIG_STRING_AT(struct server_opts, data_dir), .name = "data-dir", ... },
 */
#define KL_CONFIG__FIELD(T, field, ctype)                                                     \
        (offsetof(T, field) +                                                                 \
         0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((T *)0)->field), ctype) ? 1 \
                                                                                          : -1]))
#define KL_CONFIG_STRING_AT(T, f) .type = KL_CONFIG_STRING, .offset = KL_CONFIG__FIELD(T, f, char *)
#define KL_CONFIG_BOOL_AT(T, f)   .type = KL_CONFIG_BOOL, .offset = KL_CONFIG__FIELD(T, f, bool)
#define KL_CONFIG_INT_AT(T, f)    .type = KL_CONFIG_INT, .offset = KL_CONFIG__FIELD(T, f, int)
#define KL_CONFIG_PORT_AT(T, f)   .type = KL_CONFIG_PORT, .offset = KL_CONFIG__FIELD(T, f, uint16_t)
#define KL_CONFIG_MODE_AT(T, f)   .type = KL_CONFIG_MODE, .offset = KL_CONFIG__FIELD(T, f, unsigned)
#define KL_CONFIG_DURATION_AT(T, f) \
        .type = KL_CONFIG_DURATION, .offset = KL_CONFIG__FIELD(T, f, kl_usec_t)
#define KL_CONFIG_STRINGS_AT(T, f) \
        .type = KL_CONFIG_STRINGS, .offset = KL_CONFIG__FIELD(T, f, char **)
#define KL_CONFIG_KVS_AT(T, f) .type = KL_CONFIG_KVS, .offset = KL_CONFIG__FIELD(T, f, char **)

#define KL_CONFIG_DEFAULT_FILE "/etc/kube-lite/config.yaml"

/*
 * The `--config/-c FILE` entry of a command that reads config files. The
 * option stores the path actually used (the default when none was given).
 */
#define KL_CONFIG_FILE_FLAG(T, f)                                                               \
        {                                                                                       \
                KL_CONFIG_STRING_AT(T, f),                                                      \
                        .name = "config", .short_name = 'c', .metavar = "FILE",                 \
                        .def = KL_CONFIG_DEFAULT_FILE, .env = "KUBE_LITE_CONFIG_FILE",          \
                        .group = "Config",                                                      \
                        .help = "Load options from FILE, then from the drop-ins FILE.d/*.yaml", \
                        .flags = KL_CONFIG_NO_FILE | KL_CONFIG_CONFIG_PATH,                     \
        }

/* Positional-argument limit meaning "any number". */
#define KL_CONFIG_ARGS_ANY SIZE_MAX

enum kl_config_cmd_flags {
        /*
         * Everything from the first positional argument on is positional, flags
         * included (a command dispatcher, or `kube-lite kubectl ARGS...`).
         * Without it flags and arguments may be mixed: `agent join URL --token T`.
         */
        KL_CONFIG_CMD_STOP_AT_ARG = 1 << 0,
};

struct kl_config_cmd {
        const char *name;        /* the command line that runs it: "kube-lite server" */
        const char *synopsis;    /* after the name in "Usage:": "[OPTIONS] URL" */
        const char *summary;     /* one line for a parent's command list */
        const char *description; /* paragraph(s) under the usage line, or NULL */
        const char *footer;      /* text at the end of --help, or NULL */
        const struct kl_config_flag *flags;
        size_t n_flags;
        size_t min_args, max_args;                   /* positional arguments; 0, 0: none */
        const struct kl_config_cmd *const *commands; /* for --help only, NULL-terminated */
        unsigned cmd_flags;                          /* enum kl_config_cmd_flags */
};

enum kl_config_source {
        KL_CONFIG_SOURCE_DEFAULT,
        KL_CONFIG_SOURCE_FILE,
        KL_CONFIG_SOURCE_ENV,
        KL_CONFIG_SOURCE_FLAG,
        KL_CONFIG_SOURCE__COUNT,
        KL_CONFIG_SOURCE__INVALID = -EINVAL,
};

enum kl_config_parse_flags {
        KL_CONFIG_PARSE_NO_ENV = 1 << 0,  /* ignore the environment */
        KL_CONFIG_PARSE_NO_FILE = 1 << 1, /* read no config file even if the command has --config */
};

struct kl_config_parse_opts {
        /* The config file when neither --config nor KUBE_LITE_CONFIG_FILE names one; NULL:
         * KL_CONFIG_DEFAULT_FILE. A default file that does not exist is no error. */
        const char *default_config_file;
        /* Other commands reading the same config file, NULL-terminated: their keys are
         * skipped rather than reported as unknown (agent ignores server's cluster-cidr). */
        const struct kl_config_cmd *const *peers;
        unsigned flags; /* enum kl_config_parse_flags */
};

/* kl_config_parse() returns this when --help or -h was given: print kl_config_help(). */
#define KL_CONFIG_HELP 1

struct kl_config;

/**
 * Parse `argv` (argv[0] is the command's name and skipped) into `opts`, the
 * options struct the table's offsets point into, reading the environment and
 * the config files as described above. `popts` may be NULL.
 *
 * Every field named by the table is overwritten without freeing what it held
 * before; other fields are untouched. On 0, `*ret` owns the strings and vectors
 * stored into `opts`, the positional arguments and the source of every value.
 *
 * Returns 0, KL_CONFIG_HELP (nothing stored, `*ret` untouched), or -EINVAL
 * for an unknown flag or key, a bad value or a wrong number of arguments, or
 * the error of reading a config file (-ENOENT for an explicitly named file
 * that is missing, -EACCES, -E2BIG for a file over 1 MiB...). On failure
 * every table field of `opts` is left zeroed, unless the table itself is
 * broken (a duplicate name, a short -h...: -EINVAL naming the table), which
 * is a bug found by the first run.
 */
int kl_config_parse(const struct kl_config_cmd *cmd, void *opts, int argc, char **argv,
                    const struct kl_config_parse_opts *popts, struct kl_config **ret,
                    struct kl_err **err);

/* Free the result and every string and vector it stored in the options struct,
 * zeroing those fields. NULL is a no-op. */
void kl_config_free(struct kl_config *cfg);
static inline void kl_config_freep(struct kl_config **cfg)
{
        kl_config_free(*cfg);
}

/* The positional arguments, NULL-terminated (never NULL); borrowed from `cfg`. */
char *const *kl_config_args(const struct kl_config *cfg);
/* The config files read, in the order applied, NULL-terminated; borrowed. */
char *const *kl_config_files(const struct kl_config *cfg);
/*
 * The flags given on the command line, each as one canonical "--name=value"
 * token ("--debug=true" for a bare --debug), in order; borrowed. A dispatcher
 * hands its global flags on to the subcommand's parse with these.
 */
char *const *kl_config_flag_tokens(const struct kl_config *cfg);

/* Which source set the option called `name`; KL_CONFIG_SOURCE__INVALID for no such option. */
enum kl_config_source kl_config_source(const struct kl_config *cfg, const char *name);
const char *kl_config_source_name(enum kl_config_source source); /* "flag", "env", ... */

/**
 * Where the value of `name` came from, worded as errors about it begin:
 * "--data-dir" (or "-d", as typed), "KUBE_LITE_DATA_DIR",
 * "/etc/kube-lite/config.yaml: key 'data-dir'", or "default". A caller that
 * checks a value further writes `kl_err_set(err, -EINVAL, "%s: ...",
 * kl_config_origin(cfg, "log-trace"))`. Borrowed; NULL for no such option.
 */
const char *kl_config_origin(const struct kl_config *cfg, const char *name);

/**
 * Append one line per option, in table order, to `out`:
 * "data-dir = /var/lib/kube-lite (default)". KL_CONFIG_SECRET values show as
 * "<redacted>". For `check-config` and debug logging.
 */
void kl_config_format_values(const struct kl_config *cfg, struct kl_buf *out);

/**
 * Append the --help text of `cmd` to `out`: usage, description, commands,
 * then the visible flags by group in table order, each with its default and
 * environment variables, wrapped at 100 columns.
 */
void kl_config_help(const struct kl_config_cmd *cmd, struct kl_buf *out);

/* "KUBE_LITE_" followed by `name` in upper case with '-' as '_'; owned by the caller. */
char *kl_config_env_name(const char *name);

/*
 * Default paths (DESIGN.md §1). Root, and a non-root user running an agent,
 * use the system paths; a non-root user running `server --disable-agent`
 * ("rootless") gets paths under ~/.kube-lite instead:
 *
 *   path                     system                          rootless
 *   KL_CONFIG_PATH_DATA      /var/lib/kube-lite              ~/.kube-lite/data
 *   KL_CONFIG_PATH_KUBECONFIG /etc/kube-lite/kube-lite.yaml  ~/.kube-lite/kube-lite.yaml
 *   KL_CONFIG_PATH_CONFIG    /etc/kube-lite/config.yaml      (same: see below)
 *   KL_CONFIG_PATH_RUN       /run/kube-lite                  $XDG_RUNTIME_DIR/kube-lite,
 *                                                            else ~/.kube-lite/run
 *   KL_CONFIG_PATH_POD_LOGS  /var/log/pods                   ~/.kube-lite/logs
 *
 * The config file is the same for everyone because it is read before the
 * options that decide rootlessness are known (it may set disable-agent
 * itself); a missing default config file is no error.
 */
enum kl_config_path {
        KL_CONFIG_PATH_DATA,
        KL_CONFIG_PATH_KUBECONFIG,
        KL_CONFIG_PATH_CONFIG,
        KL_CONFIG_PATH_RUN,
        KL_CONFIG_PATH_POD_LOGS,
        KL_CONFIG_PATH__COUNT,
        KL_CONFIG_PATH__INVALID = -EINVAL,
};

/* Whether this process gets the rootless paths: not root, and no agent to run. */
bool kl_config_is_rootless(bool disable_agent);

/**
 * The default `which` path, in `*ret` (owned by the caller). Rootless paths
 * need $HOME to be an absolute path: -EINVAL otherwise.
 */
int kl_config_default_path(enum kl_config_path which, bool rootless, char **ret,
                           struct kl_err **err);

#endif
