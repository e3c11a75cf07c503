/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capabilities: the names, the sets Kubernetes and containerd compute (the
 * default set, "ALL", add and drop), and the child-side calls that apply a
 * set to the container's process.
 *
 * A set is a uint64_t, bit n = capability n. Linux numbers capabilities from
 * 0 to CAP_LAST_CAP (40 on 6.x kernels); a kernel newer than this table may
 * know more, which kl_ctr_caps_all() learns from /proc/sys/kernel/cap_last_cap
 * and kl_container__caps_bound() from PR_CAPBSET_READ. Capabilities above 63
 * cannot be named in a set, so they are always dropped from the bounding set.
 *
 * The child side calls capset(2) directly (version 3, two 32-bit words per
 * set) instead of using libcap: it is three system calls, and the shim stays
 * free of another library. Ordering is the caller's (spawn.c): keep
 * capabilities across setuid with PR_SET_KEEPCAPS, drop the bounding set
 * while still root (PR_CAPBSET_DROP needs CAP_SETPCAP), change uid and gid,
 * then set effective, permitted and inheritable with caps_set.
 */
#include "container/ctr-internal.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/base.h"

/* Indexed by capability number (linux/capability.h); names as the kernel and runc spell them. */
static const char *const cap_names[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};

/* The table and the kernel headers agree where the headers know a capability. */
_Static_assert(CAP_CHOWN == 0 && CAP_SETFCAP == 31 && CAP_AUDIT_READ == 37, "capability numbers");
#ifdef CAP_CHECKPOINT_RESTORE
_Static_assert(CAP_CHECKPOINT_RESTORE == 40, "capability numbers");
#endif
_Static_assert(KL_ARRAY_SIZE(cap_names) == 41, "capability table");

/* Bounded probing: no kernel will have this many capabilities in our lifetime. */
#define CAP_PROBE_MAX 255

#define BIT(c) ((uint64_t)1 << (c))

const char *kl_container__cap_name(int cap)
{
        if (cap < 0 || (size_t)cap >= KL_ARRAY_SIZE(cap_names))
                return NULL;
        return cap_names[cap];
}

int kl_container__cap_parse(const char *name, int *ret)
{
        char up[32];
        size_t n;

        if (!name)
                return -EINVAL;
        n = strlen(name);
        if (n + sizeof("CAP_") > sizeof(up))
                return -EINVAL;
        for (size_t i = 0; i <= n; i++)
                up[i] = (char)toupper((unsigned char)name[i]);
        for (size_t i = 0; i < KL_ARRAY_SIZE(cap_names); i++) {
                const char *bare = cap_names[i] + 4;

                if (kl_streq(up, cap_names[i]) || kl_streq(up, bare)) {
                        *ret = (int)i;
                        return 0;
                }
        }
        return -EINVAL;
}

uint64_t kl_ctr_caps_default(void)
{
        /* containerd's and runc's default set (oci.defaultUnixCaps). */
        return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) |
               BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |
               BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
               BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);
}

/* The kernel's last capability: cap_last_cap, else probing the bounding set, else the table. */
static int cap_last(void)
{
        kl_autofree char *text = NULL;
        int last;

        if (kl_read_file("/proc/sys/kernel/cap_last_cap", 32, &text, NULL) >= 0) {
                size_t n = strlen(text);

                while (n > 0 && text[n - 1] == '\n')
                        text[--n] = '\0';
                if (kl_parse_int(text, &last) == 0 && last >= 0 && last <= CAP_PROBE_MAX)
                        return last;
        }
        /* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability. */
        for (last = 0; last < CAP_PROBE_MAX; last++)
                if (prctl(PR_CAPBSET_READ, (unsigned long)last + 1, 0, 0, 0) < 0 && errno == EINVAL)
                        return last;
        return (int)KL_ARRAY_SIZE(cap_names) - 1;
}

uint64_t kl_ctr_caps_all(void)
{
        int last = cap_last();

        if (last >= 63)
                return UINT64_MAX;
        return BIT(last + 1) - 1;
}

static bool is_all(const char *s)
{
        return s && strcasecmp(s, "ALL") == 0;
}

static int caps_of(char *const *names, const char *what, uint64_t *ret, struct kl_err **err)
{
        uint64_t set = 0;

        for (size_t i = 0; names && names[i]; i++) {
                char q[KL_STR_QUOTE_SIZE];
                int cap;

                if (is_all(names[i]))
                        continue;
                if (kl_container__cap_parse(names[i], &cap) < 0)
                        return kl_err_set(err, -EINVAL, "%s capability '%s': unknown capability",
                                          what, kl_str_quote(names[i], SIZE_MAX, q, sizeof(q)));
                set |= BIT(cap);
        }
        *ret = set;
        return 0;
}

/*
 * containerd's CRI (WithCapabilities): "ALL" in add starts from every
 * capability, "ALL" in drop from none (in that order), then the named
 * additions, then the named drops. So drop [ALL] with add [NET_BIND_SERVICE]
 * keeps NET_BIND_SERVICE, and a capability both added and dropped by name
 * is dropped.
 */
int kl_ctr_caps_adjust(uint64_t base, char *const *add, char *const *drop, uint64_t *ret,
                       struct kl_err **err)
{
        uint64_t set = base, add_set = 0, drop_set = 0;
        bool add_all = false, drop_all = false;
        int r;

        r = caps_of(add, "add", &add_set, err);
        if (r < 0)
                return r;
        r = caps_of(drop, "drop", &drop_set, err);
        if (r < 0)
                return r;
        for (size_t i = 0; add && add[i]; i++)
                add_all = add_all || is_all(add[i]);
        for (size_t i = 0; drop && drop[i]; i++)
                drop_all = drop_all || is_all(drop[i]);
        if (add_all)
                set = kl_ctr_caps_all();
        if (drop_all)
                set = 0;
        set = (set | add_set) & ~drop_set;
        *ret = set;
        return 0;
}

int kl_container__caps_bound(uint64_t keep, struct kl_err **err)
{
        for (int cap = 0; cap <= CAP_PROBE_MAX; cap++) {
                int r = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);

                if (r < 0) {
                        if (errno == EINVAL)
                                return 0; /* past the kernel's last capability */
                        return kl_err_set(err, -errno, "read bounding capability %d", cap);
                }
                if (r == 0 || (cap < 64 && (keep & BIT(cap))))
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0) {
                        const char *name = kl_container__cap_name(cap);

                        if (name)
                                return kl_err_set(err, -errno, "drop %s from the bounding set",
                                                  name);
                        return kl_err_set(err, -errno, "drop capability %d from the bounding set",
                                          cap);
                }
        }
        return 0;
}

int kl_container__caps_set(uint64_t caps, struct kl_err **err)
{
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[2];

        for (size_t i = 0; i < 2; i++) {
                uint32_t word = (uint32_t)(caps >> (32 * i));

                data[i].effective = word;
                data[i].permitted = word;
                data[i].inheritable = word;
        }
        if (syscall(SYS_capset, &hdr, data) < 0)
                return kl_err_set(err, -errno, "set capabilities %016llx",
                                  (unsigned long long)caps);
        /*
         * Ambient capabilities would survive execve() of an unprivileged
         * program; a container gets none (PR_CAP_AMBIENT exists since 4.3;
         * EINVAL before that means there is nothing to clear).
         */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return kl_err_set(err, -errno, "clear the ambient capabilities");
        return 0;
}
