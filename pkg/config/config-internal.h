/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside pkg/config only (and its tests and fuzz targets): the parse entry
 * point with config files given as bytes instead of read from disk, and the
 * helpers shared by config.c and config-help.c.
 */
#ifndef KL_CONFIG_CONFIG_INTERNAL_H
#define KL_CONFIG_CONFIG_INTERNAL_H

#include "config/config.h"

/* Largest config file (main or drop-in) read; a config file is a page of keys. */
#define KL_CONFIG__MAX_FILE ((size_t)1 << 20)
/* Most drop-ins read from FILE.d/. */
#define KL_CONFIG__MAX_DROPINS 256

/* A config file's name and contents, as the disk reader would produce them. */
struct kl_config__file {
        const char *name; /* borrowed */
        const char *data; /* borrowed */
        size_t len;
};

/**
 * kl_config_parse(), except that when `files` is not NULL the config-file
 * layer applies those `n_files` buffers in order instead of reading the
 * config file and its drop-ins from disk (the fuzz target and tests).
 */
int kl_config__parse(const struct kl_config_cmd *cmd, void *opts, int argc, char **argv,
                     const struct kl_config_parse_opts *popts, const struct kl_config__file *files,
                     size_t n_files, struct kl_config **ret, struct kl_err **err);

/* The result of a parse; defined here so config-file.c can apply values to it. */
struct flag_state {
        enum kl_config_source source;
        char *origin; /* owned: "--data-dir" or "-d" as typed, "KUBE_LITE_X", a file path, "default"
                       */
        char *where;  /* owned: how errors about this value begin; see kl_config_origin() */
};

struct kl_config {
        const struct kl_config_cmd *cmd; /* borrowed: a static table */
        void *opts;                      /* borrowed; the fields the table names are owned by us */
        struct flag_state *state;        /* owned; one per cmd->flags entry */
        char **args;                     /* owned; positional arguments, never NULL */
        char **files;                    /* owned; config files applied, in order, never NULL */
        char **flag_tokens;              /* owned; "--name=value" per command-line flag */
};

/*
 * Store `text` (a scalar option) or the comma-split items of `texts` (a list
 * option; `append` keeps what the list held) into the option `idx`, checking
 * the value. Errors: -EINVAL "<where>: expected <what>, got '<text>'".
 */
int kl_config__assign_scalar(struct kl_config *cfg, size_t idx, const char *text, const char *where,
                             struct kl_err **err);
int kl_config__assign_list(struct kl_config *cfg, size_t idx, char *const *texts, bool append,
                           const char *where, struct kl_err **err);
/* Remember that `source` set option `idx`; see kl_config_origin() for `where`. */
void kl_config__record(struct kl_config *cfg, size_t idx, enum kl_config_source source,
                       const char *origin, const char *where);

/* Index of the flag called name[0..len), or -ENOENT. */
int kl_config__find_long(const struct kl_config_cmd *cmd, const char *name, size_t len);
/* A visible flag name close enough to a mistyped one to suggest it, or NULL. */
const char *kl_config__suggest(const struct kl_config_cmd *cmd, const char *name, size_t len);
/* 'text' for a message, control bytes escaped, cut after 64 bytes. */
void kl_config__put_quoted(struct kl_buf *b, const char *s, size_t len);
/* What a value of this option must look like: "a port number (1-65535)". */
void kl_config__put_expected(struct kl_buf *b, const struct kl_config_flag *f);

/*
 * The file layer (config-file.c): apply the file at `path` (missing is an
 * error only when `must_exist`) and then its drop-ins `path`.d/<name>.yaml; or one
 * file's contents.
 */
int kl_config__apply_files(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                           const char *path, bool must_exist, struct kl_err **err);
int kl_config__apply_file_data(struct kl_config *cfg, const struct kl_config_parse_opts *popts,
                               const char *path, const char *data, size_t len, struct kl_err **err);

/* The metavariable --help shows for a flag taking a value: "DIR", "text|json", ... */
void kl_config__metavar(const struct kl_config_flag *f, struct kl_buf *out);

static inline bool kl_config__is_list(const struct kl_config_flag *f)
{
        return f->type == KL_CONFIG_STRINGS || f->type == KL_CONFIG_KVS;
}

#endif
