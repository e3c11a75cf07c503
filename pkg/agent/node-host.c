/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the host tells about itself, for the Node's status: the identity
 * read once at start (nodeInfo) and the figures read once per status period
 * (CPUs, memory, huge pages, the data directory's file system). Every file
 * here is a small kernel or distribution file read with a size cap; a file
 * that is missing or unreadable leaves its field unknown rather than failing
 * the status.
 */
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent/agent-internal.h"

#define SMALL_FILE_MAX ((size_t)64 << 10)

/* The first line of a file, trimmed; "" when it cannot be read. */
static char *read_line(const char *path)
{
        kl_autofree char *text = NULL;
        size_t len = 0;

        if (kl_read_file(path, SMALL_FILE_MAX, &text, &len) < 0)
                return kl_strdup("");
        len = strcspn(text, "\n");
        while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
                len--;
        return kl_strndup(text, len);
}

const char *kl_agent__goarch(const char *machine)
{
        static const struct {
                const char *uname, *go;
        } map[] = {
                { "x86_64", "amd64" }, { "aarch64", "arm64" },   { "arm64", "arm64" },
                { "i386", "386" },     { "i686", "386" },        { "ppc64le", "ppc64le" },
                { "s390x", "s390x" },  { "riscv64", "riscv64" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(map); i++)
                if (kl_streq(machine, map[i].uname))
                        return map[i].go;
        if (kl_startswith(machine, "armv"))
                return "arm";
        return machine;
}

char *kl_agent__os_release_pretty(const char *text)
{
        const char *p = text;

        while (p && *p) {
                size_t len = strcspn(p, "\n");
                const char *v = kl_startswith(p, "PRETTY_NAME=");

                if (v && v < p + len) {
                        size_t n = (size_t)(p + len - v);
                        struct kl_buf out = KL_BUF_INIT;
                        char quote = 0;

                        /* Shell-style: optionally quoted, backslash escapes inside quotes. */
                        if (n > 0 && (*v == '"' || *v == '\'')) {
                                quote = *v++;
                                n--;
                        }
                        for (size_t i = 0; i < n; i++) {
                                if (quote && v[i] == quote)
                                        break;
                                if (quote == '"' && v[i] == '\\' && i + 1 < n)
                                        i++;
                                (void)kl_buf_append(&out, &v[i], 1);
                        }
                        if (out.len > 0)
                                return kl_buf_detach(&out, NULL);
                        kl_buf_release(&out);
                }
                p += len;
                if (*p == '\n')
                        p++;
        }
        return kl_strdup("Linux");
}

void kl_agent__host_read(struct kl_agent__host *h)
{
        static const char *const os_release[] = { "/etc/os-release", "/usr/lib/os-release" };
        kl_autofree char *text = NULL;
        struct utsname u;

        *h = (struct kl_agent__host){ 0 };
        h->machine_id = read_line("/etc/machine-id");
        /* Readable by root only; the kubelet (cadvisor) falls back the same way. */
        h->system_uuid = read_line("/sys/class/dmi/id/product_uuid");
        if (!*h->system_uuid) {
                free(h->system_uuid);
                h->system_uuid = kl_strdup(h->machine_id);
        }
        h->boot_id = read_line("/proc/sys/kernel/random/boot_id");
        if (uname(&u) == 0) {
                h->kernel_version = kl_strdup(u.release);
                h->arch = kl_strdup(kl_agent__goarch(u.machine));
        } else {
                h->kernel_version = kl_strdup("");
                h->arch = kl_strdup("");
        }
        for (size_t i = 0; i < KL_ARRAY_SIZE(os_release) && !text; i++)
                if (kl_read_file(os_release[i], SMALL_FILE_MAX, &text, NULL) < 0)
                        text = NULL;
        h->os_image = kl_agent__os_release_pretty(text);
}

void kl_agent__host_release(struct kl_agent__host *h)
{
        free(h->machine_id);
        free(h->system_uuid);
        free(h->boot_id);
        free(h->kernel_version);
        free(h->os_image);
        free(h->arch);
        *h = (struct kl_agent__host){ 0 };
}

/* A "Key:   N kB" line of /proc/meminfo, in bytes; -1 if absent. */
static int64_t meminfo_field(const char *text, const char *key)
{
        const char *p = text;
        size_t klen = strlen(key);

        while (p && *p) {
                size_t len = strcspn(p, "\n");

                if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == ':') {
                        char num[32];
                        const char *s = p + klen + 1;
                        size_t n = 0;
                        uint64_t kib;

                        while (*s == ' ' || *s == '\t')
                                s++;
                        while (s[n] >= '0' && s[n] <= '9' && n < sizeof(num) - 1)
                                n++;
                        memcpy(num, s, n);
                        num[n] = '\0';
                        if (kl_parse_uint64(num, &kib) < 0 || kib > (uint64_t)INT64_MAX / 1024)
                                return -1;
                        return (int64_t)kib * 1024;
                }
                p += len;
                if (*p == '\n')
                        p++;
        }
        return -1;
}

void kl_agent__facts_read(struct kl_agent__facts *f, const char *data_dir)
{
        kl_autofree char *meminfo = NULL;
        kl_autofree char *nr = NULL;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        struct statfs st;
        uint64_t pages;

        f->cpus = cpus > 0 ? cpus : -1;
        f->mem_total = f->mem_available = -1;
        if (kl_read_file("/proc/meminfo", SMALL_FILE_MAX, &meminfo, NULL) == 0) {
                f->mem_total = meminfo_field(meminfo, "MemTotal");
                f->mem_available = meminfo_field(meminfo, "MemAvailable");
        }
        nr = read_line("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
        f->hugepages_2mi = kl_parse_uint64(nr, &pages) == 0 && pages < ((uint64_t)1 << 40)
                                   ? (int64_t)pages << 21
                                   : 0;
        f->fs_total = f->fs_available = -1;
        if (statfs(data_dir, &st) == 0 && st.f_frsize > 0) {
                f->fs_total = (int64_t)st.f_blocks * st.f_frsize;
                f->fs_available = (int64_t)st.f_bavail * st.f_frsize;
        }
}
