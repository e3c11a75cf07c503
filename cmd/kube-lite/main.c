/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite: the command table, the global options and the dispatch.
 *
 * The table below is the one place that lists subcommands: `kube-lite
 * --help` lists them from it, and the config-file keys of every subcommand
 * are known to every other through it (a shared config.yaml may hold
 * server-only keys when the agent reads it). A subcommand that is not built
 * yet is absent, never a stub.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/base.h"
#include "commands.h"
#include "config/config.h"

struct command {
        const char *name;
        int (*handler)(int argc, char **argv);
        const struct kl_config_cmd *config; /* its flag table; the summary comes from here */
};

static const struct command commands[] = {
        { "agent", kl_cmd_agent, &kl_cmd_agent_config },
        { "ctr", kl_cmd_ctr, &kl_cmd_ctr_config },
        { "images", kl_cmd_images, &kl_cmd_images_config },
        { "server", kl_cmd_server, &kl_cmd_server_config },
        { "token", kl_cmd_token, &kl_cmd_token_config },
        { "version", kl_cmd_version, &kl_cmd_version_config },
};

/* Every subcommand's flag table, NULL-terminated; filled from commands[] in main(). */
static const struct kl_config_cmd *command_configs[KL_ARRAY_SIZE(commands) + 1];

/* Must stay the names base/log.c parses: they are checked at start-up in apply_global(). */
const char *const kl_cmd_log_levels[] = { "error", "warn", "info", "debug", "trace", NULL };
const char *const kl_cmd_log_formats[] = { "text", "json", NULL };

struct main_opts {
        struct kl_cmd_global global;
        bool version;
};

static const struct kl_config_flag main_flags[] = {
        { KL_CONFIG_BOOL_AT(struct main_opts, version), .name = "version",
          .flags = KL_CONFIG_NO_ENV | KL_CONFIG_NO_FILE, .help = "Same as 'kube-lite version'" },
        KL_CMD_GLOBAL_FLAGS(struct main_opts, global),
};

static int apply_global(const struct kl_cmd_global *g, const struct kl_config *cfg,
                        struct kl_err **err)
{
        enum kl_log_level level = kl_log_level_parse(g->log_level);
        enum kl_log_format format = kl_log_format_parse(g->log_format);
        kl_autobuf struct kl_buf trace = KL_BUF_INIT;
        int r;

        /* The flag table only lets through the names these parsers know. */
        kl_assert(level >= 0 && format >= 0);
        if (g->debug && level < KL_LOG_DEBUG)
                level = KL_LOG_DEBUG;
        kl_log_set_level(level);
        kl_log_set_format(format);
        for (size_t i = 0; g->log_trace && g->log_trace[i]; i++)
                (void)kl_buf_printf(&trace, "%s%s", i ? "," : "", g->log_trace[i]);
        r = kl_log_trace_parse(trace.buf, err);
        if (r < 0)
                return kl_err_wrap(err, r, "%s", kl_config_origin(cfg, "log-trace"));
        return 0;
}

static void print_help(const struct kl_config_cmd *cmd, FILE *f)
{
        kl_autobuf struct kl_buf help = KL_BUF_INIT;

        kl_config_help(cmd, &help);
        (void)fputs(help.buf, f);
}

int kl_cmd_parse(const struct kl_config_cmd *cmd, void *opts, const struct kl_cmd_global *global,
                 int argc, char **argv, struct kl_config **ret)
{
        const struct kl_config_parse_opts popts = { .peers = command_configs };
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        int r;

        r = kl_config_parse(cmd, opts, argc, argv, &popts, &cfg, &e);
        if (r == KL_CONFIG_HELP) {
                print_help(cmd, stdout);
                return 0;
        }
        if (r == 0)
                r = apply_global(global, cfg, &e);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", cmd->name, kl_err_msg(e));
                if (r != -EINVAL)
                        return 1;
                fprintf(stderr, "Run '%s --help' for usage.\n", cmd->name);
                return 2;
        }
        *ret = KL_TAKE_PTR(cfg);
        return KL_CMD_CONTINUE;
}

int kl_cmd_dispatch(const struct kl_config_cmd *cmd, void *opts, const struct kl_cmd_global *global,
                    const struct kl_cmd_verb *verbs, size_t n_verbs, int argc, char **argv)
{
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        char *const *args;
        int r;

        r = kl_cmd_parse(cmd, opts, global, argc, argv, &cfg);
        if (r != KL_CMD_CONTINUE)
                return r;
        args = kl_config_args(cfg);
        if (!args[0]) {
                print_help(cmd, stderr);
                return 2;
        }
        for (size_t i = 0; i < n_verbs; i++) {
                const struct kl_cmd_verb *v = &verbs[i];
                char *const *flags = kl_config_flag_tokens(cfg);
                kl_autostrv char **vargv = NULL;

                if (!kl_streq(args[0], v->name) && !kl_streq_null(args[0], v->alias))
                        continue;
                kl_strv_push(&vargv, v->config->name);
                for (size_t k = 0; flags[k]; k++)
                        kl_strv_push(&vargv, flags[k]);
                for (size_t k = 1; args[k]; k++)
                        kl_strv_push(&vargv, args[k]);
                return v->handler((int)kl_strv_length(vargv), vargv);
        }
        fprintf(stderr, "%s: unknown command '%s'\nRun '%s --help' for usage.\n", cmd->name,
                args[0], cmd->name);
        return 2;
}

static const struct command *find_command(const char *name)
{
        for (size_t i = 0; i < KL_ARRAY_SIZE(commands); i++)
                if (kl_streq(name, commands[i].name))
                        return &commands[i];
        return NULL;
}

/*
 * Run `c` with argv: its name, the global flags given before it (as canonical
 * --name=value tokens, so the subcommand's own parse applies them with flag
 * precedence), then everything after its name.
 */
static int run(const struct command *c, char *const *global_flags, char *const *rest)
{
        kl_autostrv char **argv = NULL;

        kl_strv_push(&argv, c->name);
        for (size_t i = 0; global_flags[i]; i++)
                /* --version belongs to the dispatcher, not to the subcommands. */
                if (!kl_startswith(global_flags[i], "--version="))
                        kl_strv_push(&argv, global_flags[i]);
        for (size_t i = 0; rest[i]; i++)
                kl_strv_push(&argv, rest[i]);
        return c->handler((int)kl_strv_length(argv), argv);
}

int main(int argc, char **argv)
{
        struct kl_config_cmd root = {
                .name = "kube-lite",
                .synopsis = "[OPTIONS] COMMAND [ARGS...]",
                .description = "Kubernetes in one small binary.",
                .footer = "Run 'kube-lite COMMAND --help' for a command's options.",
                .flags = main_flags,
                .n_flags = KL_ARRAY_SIZE(main_flags),
                .max_args = KL_CONFIG_ARGS_ANY,
                .commands = command_configs,
                .cmd_flags = KL_CONFIG_CMD_STOP_AT_ARG,
        };
        /* Only the syntax is checked here: the subcommand parses these again with the
         * environment and config file, where they take their precedence. */
        const struct kl_config_parse_opts popts = {
                .flags = KL_CONFIG_PARSE_NO_ENV | KL_CONFIG_PARSE_NO_FILE,
        };
        kl_cleanup(kl_config_freep) struct kl_config *cfg = NULL;
        kl_autoerr struct kl_err *e = NULL;
        static char *const help[] = { (char *)"--help", NULL };
        const struct command *c;
        struct main_opts opts = { 0 };
        char *const *args, *const *rest;
        const char *name;
        int r;

        /* Before any thread exists (STYLE R9.8): jansson allocates through us. */
        json_set_alloc_funcs(kl_malloc, free);
        json_object_seed(0);
        /*
         * The container monitor (internal, not listed): it stays for a container's
         * whole life, so nothing it does not use is initialised — no libcurl, no
         * OpenSSL, no flag tables.
         */
        if (argc > 1 && kl_streq(argv[1], "shim"))
                return kl_cmd_shim(argc - 1, argv + 1);
        /*
         * A peer that goes away while we write to it is an EPIPE for the writer
         * (libuv writes with plain writev), never the end of the server. Not for
         * the shim above: the dispositions it leaves set carry into containers.
         */
        {
                struct sigaction ign = { .sa_handler = SIG_IGN };

                (void)sigaction(SIGPIPE, &ign, NULL);
        }
        /* Before any thread, once (STYLE R9.12): image pulls use libcurl. */
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                fprintf(stderr, "kube-lite: libcurl failed to initialise\n");
                return 1;
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(commands); i++)
                command_configs[i] = commands[i].config;

        r = kl_config_parse(&root, &opts, argc, argv, &popts, &cfg, &e);
        if (r == KL_CONFIG_HELP) {
                print_help(&root, stdout);
                return 0;
        }
        if (r < 0) {
                fprintf(stderr, "kube-lite: %s\nRun 'kube-lite --help' for usage.\n",
                        kl_err_msg(e));
                return 2;
        }
        args = kl_config_args(cfg);
        name = args[0];
        rest = args[0] ? args + 1 : args;
        if (opts.version) {
                name = "version";
                rest = args;
        }
        if (!name) {
                print_help(&root, stderr);
                return 2;
        }
        /* `kube-lite help` and `kube-lite help COMMAND`, as git and urfave/cli have them. */
        if (kl_streq(name, "help")) {
                if (!args[1]) {
                        print_help(&root, stdout);
                        return 0;
                }
                name = args[1];
                rest = help;
        }
        c = find_command(name);
        if (!c) {
                fprintf(stderr,
                        "kube-lite: unknown command '%s'\nRun 'kube-lite --help' for usage.\n",
                        name);
                return 2;
        }
        return run(c, kl_config_flag_tokens(cfg), rest);
}
