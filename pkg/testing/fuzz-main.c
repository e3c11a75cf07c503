/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replays fuzz inputs without libFuzzer: every file named on the command line,
 * or every file in the directories named, goes through LLVMFuzzerTestOneInput()
 * once. Prints TAP, one line per input, so `make check` counts them. A crash
 * is the failure signal, as under libFuzzer; sanitizers make it loud.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"
#include "testing/fuzz.h"

static char **inputs;

static int collect(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "fuzz-main: stat '%s': %s\n", path, strerror(errno));
                return -errno;
        }
        if (S_ISDIR(st.st_mode)) {
                struct dirent **names = NULL;
                int n = scandir(path, &names, NULL, alphasort);

                if (n < 0)
                        return -errno;
                for (int i = 0; i < n; i++) {
                        if (names[i]->d_name[0] != '.') {
                                kl_autofree char *p = kl_asprintf("%s/%s", path, names[i]->d_name);

                                (void)collect(p);
                        }
                        free(names[i]);
                }
                free(names);
                return 0;
        }
        kl_strv_push(&inputs, path);
        return 0;
}

int main(int argc, char **argv)
{
        size_t n;

        for (int i = 1; i < argc; i++)
                if (collect(argv[i]) < 0)
                        return 1;
        n = kl_strv_length(inputs);
        printf("1..%zu\n", n);
        if (n == 0)
                printf("# no inputs\n");
        for (size_t i = 0; i < n; i++) {
                kl_autofree char *data = NULL;
                size_t len = 0;
                int r = kl_read_file(inputs[i], 16 << 20, &data, &len);

                if (r < 0) {
                        printf("not ok %zu - %s: %s\n", i + 1, inputs[i], strerror(-r));
                        continue;
                }
                fflush(stdout);
                (void)LLVMFuzzerTestOneInput((const uint8_t *)data, len);
                printf("ok %zu - %s\n", i + 1, inputs[i]);
        }
        kl_strv_free(inputs);
        return 0;
}
