/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kube-lite: the command table and nothing else of substance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/base.h"
#include "commands.h"

struct command {
        const char *name;
        int (*handler)(int argc, char **argv);
        const char *summary;
};

static const struct command commands[] = {
        { "version", kl_cmd_version, "Print the versions of kube-lite and its libraries" },
};

static void usage(FILE *f)
{
        fprintf(f, "kube-lite: Kubernetes in one small binary\n\n"
                   "Usage: kube-lite COMMAND [OPTIONS]\n\nCommands:\n");
        for (size_t i = 0; i < KL_ARRAY_SIZE(commands); i++)
                fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nRun 'kube-lite COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
        const char *name;

        /* Before any thread exists (STYLE R9.8): jansson allocates through us. */
        json_set_alloc_funcs(kl_malloc, free);
        json_object_seed(0);

        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        name = argv[1];
        if (kl_streq(name, "--help") || kl_streq(name, "-h") || kl_streq(name, "help")) {
                usage(stdout);
                return 0;
        }
        if (kl_streq(name, "--version"))
                name = "version";
        for (size_t i = 0; i < KL_ARRAY_SIZE(commands); i++)
                if (kl_streq(name, commands[i].name))
                        return commands[i].handler(argc - 1, argv + 1);
        fprintf(stderr, "kube-lite: unknown command '%s'\n\n", name);
        usage(stderr);
        return 2;
}
