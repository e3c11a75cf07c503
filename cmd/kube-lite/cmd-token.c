/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite token create|list|delete: bootstrap tokens for joining nodes
 * (issue 7 item 1), stored as kubeadm stores them: Secrets
 * kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token
 * with token-id, token-secret, expiration (RFC 3339), the usages,
 * auth-extra-groups and description. The API server authenticates them
 * (pkg/apiserver/join.c).
 *
 * The command talks to the server with the admin kubeconfig over HTTPS
 * through pkg/client's remote client on a loop of its own. `create` prints
 * the join token in k3s's secure form, K10<CA hash>::<id>.<secret>, the CA
 * hash being kl_pki_cert_hash() of the kubeconfig's CA: the hash the server
 * computes of the same certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "base/base.h"
#include "client/client.h"
#include "commands.h"
#include "config/config.h"
#include "loop/loop.h"
#include "pki/pki.h"

#define TOKEN_NS            "kube-system"
#define TOKEN_SECRET_PREFIX "bootstrap-token-"
#define TOKEN_SECRET_TYPE   "bootstrap.kubernetes.io/token"
#define DEFAULT_GROUP       "system:bootstrappers:kube-lite:default-node-token"
/* Longest --ttl: the expiry must stay a time RFC 3339 can write. */
#define MAX_TTL ((kl_usec_t)100 * 365 * 24 * 3600 * KL_USEC_PER_SEC)
/* Longest Secret data value decoded for `list` (base64 text). */
#define VALUE_MAX 4096

struct token_opts {
        struct kl_cmd_global global;
        char *kubeconfig;
        kl_usec_t ttl;
        char *description;
        char **groups;
};

static int default_kubeconfig(const void *opts, char **ret, struct kl_err **err)
{
        (void)opts;
        return kl_config_default_path(KL_CONFIG_PATH_KUBECONFIG, kl_config_is_rootless(true), ret,
                                      err);
}

#define O struct token_opts
#define KUBECONFIG_FLAG                                                                            \
        {                                                                                          \
                KL_CONFIG_STRING_AT(O, kubeconfig),                                                \
                        .name = "kubeconfig", .metavar = "FILE", .default_fn = default_kubeconfig, \
                        .env = "KUBECONFIG", .flags = KL_CONFIG_NO_FILE,                           \
                        .help = "The admin kubeconfig to reach the server with"                    \
        }

static const struct kl_config_flag plain_flags[] = {
        KUBECONFIG_FLAG,
        KL_CMD_GLOBAL_FLAGS(O, global),
};

static const struct kl_config_flag create_flags[] = {
        KUBECONFIG_FLAG,
        { KL_CONFIG_DURATION_AT(O, ttl), .name = "ttl", .def = "24h",
          .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE,
          .help = "How long the token is valid; 0 for ever" },
        { KL_CONFIG_STRING_AT(O, description), .name = "description", .metavar = "TEXT",
          .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE,
          .help = "A note on what the token is for" },
        { KL_CONFIG_STRINGS_AT(O, groups), .name = "groups", .metavar = "GROUP,...",
          .def = DEFAULT_GROUP, .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE,
          .help = "Extra groups the token authenticates as; each starts with "
                  "system:bootstrappers:" },
        KL_CMD_GLOBAL_FLAGS(O, global),
};
#undef O

static const struct kl_config_cmd create_config = {
        .name = "kube-lite token create",
        .synopsis = "[OPTIONS]",
        .summary = "Create a bootstrap token and print the join token",
        .description = "Create a bootstrap token (a Secret in kube-system, as kubeadm stores it)\n"
                       "and print the join token K10<CA hash>::<id>.<secret> for\n"
                       "`kube-lite agent --token`.",
        .flags = create_flags,
        .n_flags = KL_ARRAY_SIZE(create_flags),
};

static const struct kl_config_cmd list_config = {
        .name = "kube-lite token list",
        .synopsis = "[OPTIONS]",
        .summary = "List bootstrap tokens",
        .flags = plain_flags,
        .n_flags = KL_ARRAY_SIZE(plain_flags),
};

static const struct kl_config_cmd delete_config = {
        .name = "kube-lite token delete",
        .synopsis = "[OPTIONS] TOKEN-ID...",
        .summary = "Delete bootstrap tokens (by id, or by the whole token)",
        .flags = plain_flags,
        .n_flags = KL_ARRAY_SIZE(plain_flags),
        .min_args = 1,
        .max_args = KL_CONFIG_ARGS_ANY,
};

static const struct kl_config_cmd *const verb_configs[] = { &create_config, &delete_config,
                                                            &list_config, NULL };

const struct kl_config_cmd kl_cmd_token_config = {
        .name = "kube-lite token",
        .synopsis = "[OPTIONS] COMMAND [ARG...]",
        .summary = "Manage bootstrap tokens for joining nodes",
        .flags = plain_flags,
        .n_flags = KL_ARRAY_SIZE(plain_flags),
        .max_args = KL_CONFIG_ARGS_ANY,
        .commands = verb_configs,
        .cmd_flags = KL_CONFIG_CMD_STOP_AT_ARG,
};

/* ------------------------------------------------------------------------- */
/* A session with the server: a loop, a remote client, one call at a time */

struct session {
        uv_loop_t loop;
        struct kl_client *client;
        char ca_hash[KL_PKI_SHA256_HEX_SIZE];
        bool done;
        int r;
        json_t *obj;   /* ref: the last result */
        char msg[512]; /* the last error */
};

static int session_open(struct session *se, const char *kubeconfig, struct kl_err **err)
{
        kl_autokubeconfig struct kl_pki_kubeconfig kc = KL_PKI_KUBECONFIG_INIT;
        kl_cleanup(X509_freep) X509 *ca = NULL;
        int r;

        memset(se, 0, sizeof(*se));
        r = kl_pki_kubeconfig_load(kubeconfig, &kc, err);
        if (r < 0)
                return r;
        if (!kc.ca_pem)
                return kl_err_set_msg(err, -EINVAL,
                                      "%s: no certificate-authority-data: the join token needs "
                                      "the server CA's hash",
                                      kubeconfig);
        r = kl_pki_cert_from_pem(kc.ca_pem, strlen(kc.ca_pem), &ca, err);
        if (r >= 0)
                r = kl_pki_cert_hash(ca, se->ca_hash, err);
        if (r < 0)
                return kl_err_wrap(err, r, "%s", kubeconfig);
        r = kl_loop_init(&se->loop);
        if (r < 0)
                return kl_err_set(err, r, "loop");
        {
                const struct kl_client_remote_options ro = {
                        .server = kc.server,
                        .ca_pem = kc.ca_pem,
                        .cert_pem = kc.cert_pem,
                        .key_pem = kc.key_pem,
                        .token = kc.token,
                        .user = "kube-lite-token",
                };

                r = kl_client_remote_new(&se->loop, &ro, &se->client, err);
        }
        if (r < 0) {
                (void)kl_loop_finish(&se->loop);
                return r;
        }
        return 0;
}

static void session_close(struct session *se)
{
        kl_client_free(se->client);
        (void)kl_loop_run(&se->loop, UV_RUN_DEFAULT);
        (void)kl_loop_finish(&se->loop);
        json_decref(se->obj);
}

static void on_read(void *arg, int r, json_t *obj, const struct kl_err *err)
{
        struct session *se = arg;

        se->done = true;
        se->r = r;
        json_decref(se->obj);
        se->obj = obj;
        if (r < 0)
                (void)snprintf(se->msg, sizeof(se->msg), "%s", err ? kl_err_msg(err) : "");
}

static void on_write(void *arg, int r, const json_t *obj, const struct kl_err *err)
{
        on_read(arg, r, r >= 0 && obj ? json_incref((json_t *)obj) : NULL, err);
}

/* Run the loop until the call started just before has answered; its code. */
static int session_wait(struct session *se)
{
        while (!se->done)
                (void)kl_loop_run(&se->loop, UV_RUN_ONCE);
        se->done = false;
        return se->r;
}

/* ------------------------------------------------------------------------- */
/* Secret data */

static char *b64_encode(const char *s)
{
        size_t len = strlen(s);
        char *out = kl_malloc(4 * ((len + 2) / 3) + 1);

        (void)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
        return out;
}

/* data[key] of a Secret decoded as text (owned), or NULL when absent or malformed. */
static char *data_value(const json_t *secret, const char *key)
{
        const json_t *v = json_object_get(json_object_get(secret, "data"), key);
        const char *text = json_string_value(v);
        size_t len = json_string_length(v), pad = 0;
        char *out;
        int n;

        if (!text || len % 4 != 0 || len > VALUE_MAX)
                return NULL;
        out = kl_malloc(len / 4 * 3 + 1);
        n = len ? EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)text, (int)len) : 0;
        if (n < 0) {
                free(out);
                return NULL;
        }
        while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
                pad++;
        out[n - (int)pad] = '\0';
        return out;
}

static void set_data(json_t *data, const char *key, const char *value)
{
        kl_autofree char *enc = b64_encode(value);

        (void)json_object_set_new(data, key, json_string(enc));
}

/* ------------------------------------------------------------------------- */
/* Verbs */

static int parse_verb(const struct kl_config_cmd *cmd, struct token_opts *o, int argc, char **argv,
                      struct kl_config **cfg)
{
        memset(o, 0, sizeof(*o));
        return kl_cmd_parse(cmd, o, &o->global, argc, argv, cfg);
}

static int fail(const struct kl_config_cmd *cmd, const char *msg)
{
        fprintf(stderr, "%s: %s\n", cmd->name, msg);
        return 1;
}

static int token_create(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct kl_pki_bootstrap_token t;
        struct token_opts o;
        struct session se;
        kl_autosecret char *join = NULL;
        char tok[KL_PKI_BOOTSTRAP_TOKEN_SIZE], expires[KL_RFC3339_MAX];
        kl_autobuf struct kl_buf groups = KL_BUF_INIT;
        json_t *data, *secret;
        int r;

        r = parse_verb(&create_config, &o, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (o.ttl > MAX_TTL) {
                fprintf(stderr, "%s: --ttl: at most 100 years\n", create_config.name);
                return 2;
        }
        for (size_t i = 0; o.groups && o.groups[i]; i++) {
                const char *rest = kl_startswith(o.groups[i], "system:bootstrappers:");

                if (kl_isempty(rest)) {
                        fprintf(stderr,
                                "%s: --groups: \"%s\" does not start with "
                                "\"system:bootstrappers:\"\n",
                                create_config.name, o.groups[i]);
                        return 2;
                }
                (void)kl_buf_printf(&groups, "%s%s", i ? "," : "", o.groups[i]);
        }
        if (session_open(&se, o.kubeconfig, &e) < 0)
                return fail(&create_config, kl_err_msg(e));
        if (kl_pki_bootstrap_token_generate(&t, &e) < 0) {
                session_close(&se);
                return fail(&create_config, kl_err_msg(e));
        }
        data = json_object();
        set_data(data, "token-id", t.id);
        set_data(data, "token-secret", t.secret);
        if (o.ttl > 0)
                set_data(data, "expiration",
                         kl_rfc3339_format(kl_now_realtime() + o.ttl, 0, expires, sizeof(expires)));
        set_data(data, "usage-bootstrap-authentication", "true");
        set_data(data, "usage-bootstrap-signing", "true");
        if (groups.len)
                set_data(data, "auth-extra-groups", groups.buf);
        if (!kl_isempty(o.description))
                set_data(data, "description", o.description);
        secret = json_pack("{sssss{ss+ss}ssso}", "apiVersion", "v1", "kind", "Secret", "metadata",
                           "name", TOKEN_SECRET_PREFIX, t.id, "namespace", TOKEN_NS, "type",
                           TOKEN_SECRET_TYPE, "data", data);
        kl_assert(secret);
        kl_client_create(se.client, kl_api_resource_find("", "v1", "secrets"), TOKEN_NS, secret,
                         NULL, on_write, &se);
        r = session_wait(&se);
        if (r < 0) {
                explicit_bzero(&t, sizeof(t));
                r = fail(&create_config, se.msg);
                session_close(&se);
                return r;
        }
        {
                struct kl_pki_token jt = {
                        .password = kl_pki_bootstrap_token_format(&t, tok),
                };

                (void)snprintf(jt.ca_hash, sizeof(jt.ca_hash), "%s", se.ca_hash);
                r = kl_pki_token_format(&jt, &join, &e);
        }
        explicit_bzero(&t, sizeof(t));
        explicit_bzero(tok, sizeof(tok));
        session_close(&se);
        if (r < 0)
                return fail(&create_config, kl_err_msg(e));
        printf("%s\n", join);
        return 0;
}

/* upstream's duration.ShortHumanDuration, as `kubeadm token list` prints TTLs. */
static void short_duration(int64_t seconds, char *buf, size_t size)
{
        if (seconds < -1)
                (void)snprintf(buf, size, "<invalid>");
        else if (seconds < 0)
                (void)snprintf(buf, size, "0s");
        else if (seconds < 60)
                (void)snprintf(buf, size, "%llds", (long long)seconds);
        else if (seconds / 60 < 60)
                (void)snprintf(buf, size, "%lldm", (long long)(seconds / 60));
        else if (seconds / 3600 < 48)
                (void)snprintf(buf, size, "%lldh", (long long)(seconds / 3600));
        else if (seconds / 3600 < 24LL * 365 * 2)
                (void)snprintf(buf, size, "%lldd", (long long)(seconds / 86400));
        else
                (void)snprintf(buf, size, "%lldy", (long long)(seconds / (86400LL * 365)));
}

enum {
        COL_TOKEN,
        COL_TTL,
        COL_EXPIRES,
        COL_USAGES,
        COL_DESCRIPTION,
        COL_GROUPS,
        N_COLS
};

/* One row of the table: the cells (owned). */
static void add_row(char ***rows, size_t *n, const json_t *secret)
{
        kl_autofree char *id = data_value(secret, "token-id");
        kl_autofree char *exp = data_value(secret, "expiration");
        kl_autofree char *desc = data_value(secret, "description");
        kl_autofree char *groups = data_value(secret, "auth-extra-groups");
        kl_autofree char *auth = data_value(secret, "usage-bootstrap-authentication");
        kl_autofree char *sign = data_value(secret, "usage-bootstrap-signing");
        char **row;
        char ttl[32];
        int64_t when;

        if (!id || strlen(id) != KL_PKI_BOOTSTRAP_ID_LEN)
                return;
        row = kl_calloc(N_COLS + 1, sizeof(*row));
        row[COL_TOKEN] = kl_asprintf("%s.****************", id);
        if (exp && kl_rfc3339_parse(exp, &when) >= 0) {
                short_duration((when - (int64_t)kl_now_realtime()) / (int64_t)KL_USEC_PER_SEC, ttl,
                               sizeof(ttl));
                row[COL_TTL] = kl_strdup(ttl);
                row[COL_EXPIRES] = kl_strdup(exp);
        } else {
                row[COL_TTL] = kl_strdup("<forever>");
                row[COL_EXPIRES] = kl_strdup("<never>");
        }
        row[COL_USAGES] =
                kl_asprintf("%s%s%s", kl_streq_null(auth, "true") ? "authentication" : "",
                            kl_streq_null(auth, "true") && kl_streq_null(sign, "true") ? "," : "",
                            kl_streq_null(sign, "true") ? "signing" : "");
        row[COL_DESCRIPTION] = kl_strdup(kl_isempty(desc) ? "<none>" : desc);
        row[COL_GROUPS] = kl_strdup(groups ? groups : "");
        *rows = kl_realloc(*rows, (*n + 1) * sizeof(**rows) * N_COLS);
        for (size_t c = 0; c < N_COLS; c++)
                (*rows)[*n * N_COLS + c] = row[c];
        free(row);
        (*n)++;
}

/* kubeadm's tabwriter: columns at least 10 wide, 3 spaces between them. */
static void print_table(char **cells, size_t n)
{
        static const char *const head[N_COLS] = { "TOKEN",  "TTL",         "EXPIRES",
                                                  "USAGES", "DESCRIPTION", "EXTRA GROUPS" };
        size_t width[N_COLS];

        for (size_t c = 0; c < N_COLS; c++) {
                width[c] = strlen(head[c]);
                for (size_t i = 0; i < n; i++)
                        width[c] = KL_MAX(width[c], strlen(cells[i * N_COLS + c]));
                width[c] = KL_MAX(width[c] + 3, (size_t)10);
        }
        for (size_t i = 0; i <= n; i++) {
                kl_autobuf struct kl_buf line = KL_BUF_INIT;

                for (size_t c = 0; c < N_COLS; c++) {
                        const char *cell = i == 0 ? head[c] : cells[(i - 1) * N_COLS + c];

                        if (c + 1 < N_COLS)
                                (void)kl_buf_printf(&line, "%-*s", (int)width[c], cell);
                        else
                                (void)kl_buf_puts(&line, cell);
                }
                while (line.len && line.buf[line.len - 1] == ' ')
                        line.buf[--line.len] = '\0';
                printf("%s\n", line.buf);
        }
}

static int token_list(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        struct token_opts o;
        struct session se;
        char **cells = NULL;
        size_t n = 0, i;
        json_t *item;
        int r;

        r = parse_verb(&list_config, &o, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        if (session_open(&se, o.kubeconfig, &e) < 0)
                return fail(&list_config, kl_err_msg(e));
        kl_client_list(se.client, kl_api_resource_find("", "v1", "secrets"), TOKEN_NS, NULL,
                       on_read, &se);
        r = session_wait(&se);
        if (r < 0) {
                r = fail(&list_config, se.msg);
                session_close(&se);
                return r;
        }
        json_array_foreach(json_object_get(se.obj, "items"), i, item) {
                const char *name = json_string_value(
                        json_object_get(json_object_get(item, "metadata"), "name"));

                if (kl_streq_null(json_string_value(json_object_get(item, "type")),
                                  TOKEN_SECRET_TYPE) &&
                    name && kl_startswith(name, TOKEN_SECRET_PREFIX))
                        add_row(&cells, &n, item);
        }
        session_close(&se);
        print_table(cells, n);
        for (i = 0; i < n * N_COLS; i++)
                free(cells[i]);
        free(cells);
        return 0;
}

static bool valid_id(const char *id)
{
        if (strlen(id) != KL_PKI_BOOTSTRAP_ID_LEN)
                return false;
        for (const char *p = id; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
                        return false;
        return true;
}

static int token_delete(int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        char *const *args;
        struct token_opts o;
        struct session se;
        int r, status = 0;

        r = parse_verb(&delete_config, &o, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        args = kl_config_args(cfg);
        for (size_t i = 0; args[i]; i++) {
                /* The id, or the whole token (its id is what comes before the dot). */
                size_t idlen = strcspn(args[i], ".");
                char id[KL_PKI_BOOTSTRAP_ID_LEN + 1];

                (void)snprintf(id, sizeof(id), "%s", args[i]);
                if (idlen != KL_PKI_BOOTSTRAP_ID_LEN || !valid_id(id)) {
                        fprintf(stderr,
                                "%s: \"%.*s\" is not a token id: 6 characters of [a-z0-9]\n",
                                delete_config.name, (int)KL_MIN(idlen, (size_t)64), args[i]);
                        return 2;
                }
        }
        if (session_open(&se, o.kubeconfig, &e) < 0)
                return fail(&delete_config, kl_err_msg(e));
        for (size_t i = 0; args[i]; i++) {
                char id[KL_PKI_BOOTSTRAP_ID_LEN + 1];
                kl_autofree char *name = NULL;

                (void)snprintf(id, sizeof(id), "%s", args[i]);
                name = kl_asprintf(TOKEN_SECRET_PREFIX "%s", id);
                kl_client_delete(se.client, kl_api_resource_find("", "v1", "secrets"), TOKEN_NS,
                                 name, NULL, NULL, on_write, &se);
                r = session_wait(&se);
                if (r == -ENOENT) {
                        fprintf(stderr, "%s: bootstrap token \"%s\" not found\n",
                                delete_config.name, id);
                        status = 1;
                } else if (r < 0) {
                        fprintf(stderr, "%s: %s\n", delete_config.name, se.msg);
                        status = 1;
                } else {
                        printf("bootstrap token \"%s\" deleted\n", id);
                }
        }
        session_close(&se);
        return status;
}

static const struct kl_cmd_verb verbs[] = {
        { "create", NULL, token_create, &create_config },
        { "list", NULL, token_list, &list_config },
        { "delete", NULL, token_delete, &delete_config },
};

int kl_cmd_token(int argc, char **argv)
{
        struct token_opts o = { 0 };

        return kl_cmd_dispatch(&kl_cmd_token_config, &o, &o.global, verbs, KL_ARRAY_SIZE(verbs),
                               argc, argv);
}
