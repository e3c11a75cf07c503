/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The static token file (kube-apiserver's --token-auth-file): a CSV reader
 * with Go encoding/csv's rules, and a constant-time lookup.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "pki/pki-internal.h"

/* Columns the file defines; later ones are read (to find the record's end) and dropped. */
#define COLUMNS 4

struct token_entry {
        unsigned char digest[SHA256_DIGEST_LENGTH]; /* SHA-256 of the token */
        char *name;                                 /* owned */
        char *uid;                                  /* owned */
        char **groups;                              /* owned strv */
        struct kl_pki_token_user user;              /* points into the fields above */
};

struct kl_pki_token_file {
        struct token_entry *entries; /* owned */
        size_t n;
        size_t alloc;
};

void kl_pki_token_file_free(struct kl_pki_token_file *f)
{
        if (!f)
                return;
        for (size_t i = 0; i < f->n; i++) {
                free(f->entries[i].name);
                free(f->entries[i].uid);
                kl_strv_free(f->entries[i].groups);
        }
        if (f->entries)
                explicit_bzero(f->entries, f->alloc * sizeof(*f->entries));
        free(f->entries);
        free(f);
}

size_t kl_pki_token_file_count(const struct kl_pki_token_file *f)
{
        return f->n;
}

/* A CSV reader over one buffer; `line` counts from 1 and follows the cursor. */
struct csv {
        const char *p;
        const char *end;
        unsigned line;
        const char *name; /* for messages */
};

/* One record: up to COLUMNS fields kept, the rest counted. */
struct record {
        struct kl_buf fields[COLUMNS];
        size_t n_fields;
        unsigned line;
};

static void record_release(struct record *rec)
{
        for (size_t i = 0; i < COLUMNS; i++) {
                explicit_bzero(rec->fields[i].buf, rec->fields[i].len);
                kl_buf_release(&rec->fields[i]);
        }
}

/* "\r\n" counts as "\n", as Go's reader has it; a lone '\r' is data. */
static size_t newline_at(const struct csv *c, const char *p)
{
        if (p < c->end && *p == '\n')
                return 1;
        if (p + 1 < c->end && p[0] == '\r' && p[1] == '\n')
                return 2;
        return 0;
}

static int csv_error(const struct csv *c, unsigned line, struct kl_err **err, const char *what)
{
        return kl_err_set(err, -EINVAL, "token file '%s': line %u: %s", c->name, line, what);
}

/*
 * Read one field into `out` (NULL: read and drop). Leaves the cursor on the
 * ',' or newline that ends it, or at the end of input.
 */
static int csv_field(struct csv *c, struct kl_buf *out, struct kl_err **err)
{
        if (c->p < c->end && *c->p == '"') {
                unsigned start = c->line;

                c->p++;
                for (;;) {
                        size_t nl;

                        if (c->p >= c->end)
                                return csv_error(
                                        c, start, err,
                                        "quoted field not closed (extraneous or missing \" in quoted field)");
                        if (*c->p == '"') {
                                if (c->p + 1 < c->end && c->p[1] == '"') {
                                        if (out)
                                                (void)kl_buf_putc(out, '"');
                                        c->p += 2;
                                        continue;
                                }
                                c->p++;
                                if (c->p < c->end && *c->p != ',' && !newline_at(c, c->p))
                                        return csv_error(
                                                c, c->line, err,
                                                "extraneous or missing \" in quoted field");
                                return 0;
                        }
                        nl = newline_at(c, c->p);
                        if (nl) {
                                /* Go folds "\r\n" inside a quoted field into "\n" too. */
                                if (out)
                                        (void)kl_buf_putc(out, '\n');
                                c->p += nl;
                                c->line++;
                                continue;
                        }
                        if (*c->p == '\0')
                                return csv_error(c, c->line, err, "NUL byte");
                        if (out)
                                (void)kl_buf_putc(out, *c->p);
                        c->p++;
                }
        }
        while (c->p < c->end && *c->p != ',' && !newline_at(c, c->p)) {
                if (*c->p == '"')
                        return csv_error(c, c->line, err, "bare \" in a field that is not quoted");
                if (*c->p == '\0')
                        return csv_error(c, c->line, err, "NUL byte");
                if (out)
                        (void)kl_buf_putc(out, *c->p);
                c->p++;
        }
        return 0;
}

/*
 * Read the next record. Returns 1 with a record, 0 at the end of input.
 * Empty lines are skipped, as Go's reader does; a line of spaces is a record.
 */
static int csv_record(struct csv *c, struct record *rec, struct kl_err **err)
{
        size_t nl;
        int r;

        while ((nl = newline_at(c, c->p)) > 0) {
                c->p += nl;
                c->line++;
        }
        if (c->p >= c->end)
                return 0;
        rec->line = c->line;
        for (;;) {
                r = csv_field(c, rec->n_fields < COLUMNS ? &rec->fields[rec->n_fields] : NULL, err);
                if (r < 0)
                        return r;
                rec->n_fields++;
                if (c->p < c->end && *c->p == ',') {
                        c->p++;
                        continue;
                }
                nl = newline_at(c, c->p);
                c->p += nl;
                if (nl)
                        c->line++;
                return 1;
        }
}

static int entry_cmp(const void *a, const void *b)
{
        const struct token_entry *x = a, *y = b;
        int d = memcmp(x->digest, y->digest, sizeof(x->digest));

        if (d != 0)
                return d;
        return x->user.line < y->user.line ? -1 : x->user.line > y->user.line;
}

static void add_entry(struct kl_pki_token_file *f, struct record *rec)
{
        struct token_entry *e;

        if (f->n == f->alloc) {
                f->alloc = f->alloc ? 2 * f->alloc : 16;
                f->entries = kl_realloc(f->entries, f->alloc * sizeof(*f->entries));
        }
        e = &f->entries[f->n++];
        memset(e, 0, sizeof(*e));
        (void)SHA256((const unsigned char *)rec->fields[0].buf, rec->fields[0].len, e->digest);
        e->name = kl_buf_detach(&rec->fields[1], NULL);
        e->uid = kl_buf_detach(&rec->fields[2], NULL);
        /* kube-apiserver splits on ',' and keeps empty names; a group called "" helps nobody. */
        if (rec->n_fields >= 4) {
                kl_autostrv char **split = kl_strv_split(rec->fields[3].buf, ',');

                for (size_t i = 0; split[i]; i++)
                        if (split[i][0])
                                kl_strv_push(&e->groups, split[i]);
        }
        if (!e->groups)
                e->groups = kl_calloc(1, sizeof(char *));
        e->user.line = rec->line;
}

int kl_pki_token_file_parse(const char *data, size_t len, const char *name,
                            struct kl_pki_token_file **ret, struct kl_err **err)
{
        kl_cleanup(kl_pki_token_file_freep) struct kl_pki_token_file *f = NULL;
        struct csv c = { .p = data, .end = data + len, .line = 1, .name = name };
        int r;

        if (len > KL_PKI_TOKEN_FILE_MAX)
                return kl_err_set(err, -E2BIG, "token file '%s': larger than %zu bytes", name,
                                  KL_PKI_TOKEN_FILE_MAX);
        f = kl_new0(struct kl_pki_token_file);
        for (;;) {
                struct record rec = { .n_fields = 0 };

                for (size_t i = 0; i < COLUMNS; i++)
                        kl_buf_init(&rec.fields[i], SIZE_MAX);
                r = csv_record(&c, &rec, err);
                if (r > 0 && rec.n_fields < 3)
                        r = kl_err_set(
                                err, -EINVAL,
                                "token file '%s': line %u: expected at least 3 columns (token, user name, uid), found %zu",
                                name, rec.line, rec.n_fields);
                if (r > 0 && rec.fields[0].len > 0 && rec.fields[1].len == 0)
                        r = kl_err_set(err, -EINVAL, "token file '%s': line %u: empty user name",
                                       name, rec.line);
                /* An empty token authenticates nobody; kube-apiserver skips it too. */
                if (r > 0 && rec.fields[0].len > 0)
                        add_entry(f, &rec);
                record_release(&rec);
                if (r <= 0)
                        break;
        }
        if (r < 0)
                return r;

        /* Sorted by digest, a duplicate token is a neighbour. */
        if (f->n > 0)
                qsort(f->entries, f->n, sizeof(*f->entries), entry_cmp);
        for (size_t i = 0; i + 1 < f->n; i++)
                if (memcmp(f->entries[i].digest, f->entries[i + 1].digest, SHA256_DIGEST_LENGTH) ==
                    0)
                        return kl_err_set(
                                err, -EINVAL,
                                "token file '%s': line %u: duplicate token (first on line %u)",
                                name, f->entries[i + 1].user.line, f->entries[i].user.line);
        /* Pointers into the entries are taken only now that the array no longer moves. */
        for (size_t i = 0; i < f->n; i++) {
                struct token_entry *e = &f->entries[i];

                e->user.name = e->name;
                e->user.uid = e->uid;
                e->user.groups = (const char *const *)e->groups;
        }
        *ret = KL_TAKE_PTR(f);
        return 0;
}

int kl_pki_token_file_load(const char *path, struct kl_pki_token_file **ret, struct kl_err **err)
{
        kl_autosecret char *data = NULL;
        size_t len = 0;
        int r;

        r = kl_read_file(path, KL_PKI_TOKEN_FILE_MAX, &data, &len);
        if (r == -E2BIG)
                return kl_err_set(err, r, "token file '%s': larger than %zu bytes", path,
                                  KL_PKI_TOKEN_FILE_MAX);
        if (r < 0)
                return kl_err_set(err, r, "read token file '%s'", path);
        return kl_pki_token_file_parse(data, len, path, ret, err);
}

const struct kl_pki_token_user *kl_pki_token_file_lookup(const struct kl_pki_token_file *f,
                                                         const char *token, size_t len)
{
        unsigned char digest[SHA256_DIGEST_LENGTH];
        const struct kl_pki_token_user *found = NULL;

        /*
         * Every entry is compared, with CRYPTO_memcmp and without stopping at
         * a match, so the time depends only on the number of users. Comparing
         * digests also hides the tokens' lengths.
         */
        (void)SHA256((const unsigned char *)token, len, digest);
        for (size_t i = 0; i < f->n; i++) {
                bool eq = CRYPTO_memcmp(digest, f->entries[i].digest, sizeof(digest)) == 0;

                if (eq)
                        found = &f->entries[i].user;
        }
        explicit_bzero(digest, sizeof(digest));
        return found;
}
