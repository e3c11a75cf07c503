/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Users and groups from a container's /etc/passwd and /etc/group, resolved
 * the way runc's libcontainer/user GetExecUser() does, with the
 * supplementary groups containerd's CRI plugin adds (oci.WithAdditionalGIDs).
 *
 * The caller reads both files from the container's root filesystem, bounded
 * (kl_read_file() with USER_FILE_MAX is enough): only the first USER_FILE_MAX
 * bytes of each are considered here, up to the last complete line inside
 * them, so a larger file cannot make this slower or bigger. Nothing is
 * allocated from the input except the home directory and the group list,
 * both bounded by the input's size.
 *
 * Differences from runc, each for a reason:
 *   - passwd lines starting with '#' are comments (runc skips them only in
 *     /etc/group; in /etc/passwd a comment line parses as a user with uid 0,
 *     which a lookup of uid 0 could pick up before root's own entry);
 *   - a line whose name is empty or whose ids are not decimal numbers in
 *     0..2^31-1 is skipped as glibc does (runc reads an unparsable id as 0);
 *   - supplementary groups come from the user's name whenever the user has a
 *     passwd entry, also in the "user:group" form, as containerd computes
 *     AdditionalGids from the user part alone; the primary gid is left out
 *     and duplicates are dropped.
 */
#include "container/ctr-internal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "base/base.h"

/* How much of each file is considered, and the longest line (bufio.Scanner's default). */
#define USER_FILE_MAX ((size_t)1 << 20)
#define USER_LINE_MAX ((size_t)64 << 10)
/* runc's maxID: ids must fit a signed 32-bit integer on every platform. */
#define USER_ID_MAX INT64_C(2147483647)
/* Longest name quoted in an error message. */
#define USER_NAME_SHOW_MAX 256

struct span {
        const char *p; /* borrowed from the input */
        size_t n;
};

struct lines {
        const char *p, *end; /* borrowed from the input */
        size_t lineno;
};

static void lines_init(struct lines *it, const char *text, size_t len)
{
        if (!text)
                len = 0;
        if (len > USER_FILE_MAX) {
                /* Keep whole lines only: a line cut by the bound is not what the file says. */
                const char *nl = memrchr(text, '\n', USER_FILE_MAX);

                len = nl ? (size_t)(nl - text) + 1 : 0;
        }
        it->p = text;
        it->end = text ? text + len : NULL;
        it->lineno = 0;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * The next line that is neither blank nor a comment, with surrounding white
 * space removed (glibc's and runc's reading): 1, 0 at the end, -E2BIG for a
 * line longer than USER_LINE_MAX.
 */
static int lines_next(struct lines *it, struct span *ret)
{
        while (it->p && it->p < it->end) {
                const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
                const char *s = it->p, *e = nl ? nl : it->end;

                it->p = nl ? nl + 1 : it->end;
                it->lineno++;
                if ((size_t)(e - s) > USER_LINE_MAX)
                        return -E2BIG;
                while (s < e && is_space(*s))
                        s++;
                while (e > s && is_space(e[-1]))
                        e--;
                if (s == e || *s == '#')
                        continue;
                ret->p = s;
                ret->n = (size_t)(e - s);
                return 1;
        }
        return 0;
}

/* Split on ':' into at most `max` fields; returns how many there are in all. */
static size_t split_fields(struct span line, struct span *f, size_t max)
{
        const char *p = line.p, *end = line.p + line.n;
        size_t n = 0;

        for (;;) {
                const char *c = memchr(p, ':', (size_t)(end - p));
                const char *e = c ? c : end;

                if (n < max)
                        f[n] = (struct span){ p, (size_t)(e - p) };
                n++;
                if (!c)
                        return n;
                p = c + 1;
        }
}

static bool span_eq(struct span a, struct span b)
{
        return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* An id field of a file: plain decimal digits, 0..USER_ID_MAX. */
static bool parse_file_id(struct span s, uint32_t *ret)
{
        int64_t v = 0;

        if (s.n == 0)
                return false;
        for (size_t i = 0; i < s.n; i++) {
                if (s.p[i] < '0' || s.p[i] > '9')
                        return false;
                v = v * 10 + (s.p[i] - '0');
                if (v > USER_ID_MAX)
                        return false;
        }
        *ret = (uint32_t)v;
        return true;
}

/*
 * A number in the user spec as Go's strconv.Atoi reads it (runc tells names
 * from ids with it): an optional sign, decimal digits, within int64. Range
 * is checked later, as runc does, so "-1" is an id out of range rather than
 * a name.
 */
static bool parse_spec_id(struct span s, int64_t *ret)
{
        size_t i = 0;
        bool neg = false;
        uint64_t v = 0;

        if (s.n > 0 && (s.p[0] == '+' || s.p[0] == '-')) {
                neg = s.p[0] == '-';
                i = 1;
        }
        if (i == s.n)
                return false;
        for (; i < s.n; i++) {
                if (s.p[i] < '0' || s.p[i] > '9')
                        return false;
                v = v * 10 + (uint64_t)(s.p[i] - '0');
                if (v > (uint64_t)INT64_MAX + neg)
                        return false;
        }
        *ret = neg ? (int64_t)(0 - v) : (int64_t)v;
        return true;
}

struct pw_entry {
        struct span name, home; /* borrowed from the passwd text */
        uint32_t uid, gid;
};

/* name:password:uid:gid:gecos:home:shell; the fields after gid may be missing. */
static bool pw_parse(struct span line, struct pw_entry *ret)
{
        struct span f[6];
        size_t n = split_fields(line, f, KL_ARRAY_SIZE(f));

        if (n < 4 || f[0].n == 0 || !parse_file_id(f[2], &ret->uid) ||
            !parse_file_id(f[3], &ret->gid))
                return false;
        ret->name = f[0];
        ret->home = n >= 6 ? f[5] : (struct span){ "", 0 };
        return true;
}

struct gr_entry {
        struct span name, members; /* borrowed from the group text */
        uint32_t gid;
};

/* name:password:gid:user1,user2; the member list may be missing. */
static bool gr_parse(struct span line, struct gr_entry *ret)
{
        struct span f[4];
        size_t n = split_fields(line, f, KL_ARRAY_SIZE(f));

        if (n < 3 || f[0].n == 0 || !parse_file_id(f[2], &ret->gid))
                return false;
        ret->name = f[0];
        ret->members = n >= 4 ? f[3] : (struct span){ "", 0 };
        return true;
}

static bool gr_has_member(const struct gr_entry *g, struct span user)
{
        const char *p = g->members.p, *end = g->members.p + g->members.n;

        if (g->members.n == 0)
                return false;
        for (;;) {
                const char *c = memchr(p, ',', (size_t)(end - p));
                const char *e = c ? c : end;

                if (span_eq((struct span){ p, (size_t)(e - p) }, user))
                        return true;
                if (!c)
                        return false;
                p = c + 1;
        }
}

static int too_long(struct kl_err **err, const char *what, struct span subject, const char *file,
                    size_t lineno)
{
        return kl_err_set_msg(
                err, -E2BIG, "unable to find %s %.*s: line %zu of %s file is longer than %zu bytes",
                what, (int)KL_MIN(subject.n, USER_NAME_SHOW_MAX), subject.p, lineno, file,
                USER_LINE_MAX);
}

static int range_error(struct kl_err **err)
{
        return kl_err_set_msg(err, -ERANGE, "uids and gids must be in range 0-%lld",
                              (long long)USER_ID_MAX);
}

/*
 * The first passwd entry for the user (by uid when `numeric`, else by name).
 * Every line is read, as runc reads the whole file, so an over-long line is
 * an error wherever it is. 1 found, 0 not, -E2BIG.
 */
static int find_user(const char *passwd, size_t len, struct span user, bool numeric, int64_t uid,
                     struct pw_entry *ret, struct kl_err **err)
{
        struct lines it;
        struct span line;
        bool found = false;
        int r;

        lines_init(&it, passwd, len);
        while ((r = lines_next(&it, &line)) > 0) {
                struct pw_entry e;

                if (found || !pw_parse(line, &e))
                        continue;
                if (numeric ? (int64_t)e.uid == uid : span_eq(e.name, user)) {
                        *ret = e;
                        found = true;
                }
        }
        if (r < 0)
                return too_long(err, "user", user, "passwd", it.lineno);
        return found;
}

static int find_group(const char *group, size_t len, struct span name, bool numeric, int64_t gid,
                      uint32_t *ret, struct kl_err **err)
{
        struct lines it;
        struct span line;
        bool found = false;
        int r;

        lines_init(&it, group, len);
        while ((r = lines_next(&it, &line)) > 0) {
                struct gr_entry e;

                if (found || !gr_parse(line, &e))
                        continue;
                if (numeric ? (int64_t)e.gid == gid : span_eq(e.name, name)) {
                        *ret = e.gid;
                        found = true;
                }
        }
        if (r < 0)
                return too_long(err, "group", name, "group", it.lineno);
        return found;
}

/* Every group listing `user` as a member, in file order, without `primary` and duplicates. */
static int member_groups(const char *group, size_t len, struct span user, uint32_t primary,
                         uint32_t **ret, size_t *ret_n, struct kl_err **err)
{
        kl_autofree uint32_t *gids = NULL;
        size_t n = 0, alloc = 0;
        struct lines it;
        struct span line;
        int r;

        lines_init(&it, group, len);
        while ((r = lines_next(&it, &line)) > 0) {
                struct gr_entry e;
                bool dup = false;

                if (!gr_parse(line, &e) || e.gid == primary || !gr_has_member(&e, user))
                        continue;
                for (size_t i = 0; i < n && !dup; i++)
                        dup = gids[i] == e.gid;
                if (dup)
                        continue;
                if (n == alloc) {
                        alloc = alloc ? 2 * alloc : 8;
                        gids = kl_realloc(gids, alloc * sizeof(*gids));
                }
                gids[n++] = e.gid;
        }
        if (r < 0)
                return kl_err_set_msg(
                        err, -E2BIG,
                        "unable to find groups for spec %.*s: line %zu of group file is longer than %zu bytes",
                        (int)KL_MIN(user.n, USER_NAME_SHOW_MAX), user.p, it.lineno, USER_LINE_MAX);
        *ret = KL_TAKE_PTR(gids);
        *ret_n = n;
        return 0;
}

void kl_container__user_release(struct kl_container__user *u)
{
        if (!u)
                return;
        free(u->home);
        free(u->groups);
        *u = (struct kl_container__user){ 0 };
}

int kl_container__user_resolve(const char *spec, const char *passwd, size_t passwd_len,
                               const char *group, size_t group_len, struct kl_container__user *ret,
                               struct kl_err **err)
{
        struct span user, grp = { "", 0 };
        struct pw_entry pw = { .name = { "", 0 }, .home = { "", 0 } };
        bool uid_numeric, gid_numeric = false, matched = false;
        int64_t uid_arg = 0, gid_arg = 0;
        uint32_t uid = 0, gid = 0;
        kl_autofree uint32_t *groups = NULL;
        size_t n_groups = 0;
        const char *colon;
        int r;

        if (!spec)
                spec = "";
        /* "user[:group[:ignored]]", split as runc's parseLine() does. */
        colon = strchr(spec, ':');
        user = (struct span){ spec, colon ? (size_t)(colon - spec) : strlen(spec) };
        if (colon) {
                const char *c2 = strchr(colon + 1, ':');

                grp = (struct span){ colon + 1, c2 ? (size_t)(c2 - colon - 1) : strlen(colon + 1) };
        }

        /* An empty user is the default one, root, looked up by uid as runc does. */
        uid_numeric = user.n == 0 || parse_spec_id(user, &uid_arg);
        if (grp.n > 0)
                gid_numeric = parse_spec_id(grp, &gid_arg);

        r = find_user(passwd, passwd_len, user, uid_numeric, uid_arg, &pw, err);
        if (r < 0)
                return r;
        if (r > 0) {
                matched = true;
                uid = pw.uid;
                gid = pw.gid;
        } else if (!uid_numeric) {
                return kl_err_set_msg(
                        err, -ENOENT,
                        "unable to find user %.*s: no matching entries in passwd file",
                        (int)KL_MIN(user.n, USER_NAME_SHOW_MAX), user.p);
        } else if (uid_arg < 0 || uid_arg > USER_ID_MAX) {
                return range_error(err);
        } else {
                uid = (uint32_t)uid_arg;
        }

        if (grp.n > 0) {
                r = find_group(group, group_len, grp, gid_numeric, gid_arg, &gid, err);
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (!gid_numeric)
                                return kl_err_set_msg(
                                        err, -ENOENT,
                                        "unable to find group %.*s: no matching entries in group file",
                                        (int)KL_MIN(grp.n, USER_NAME_SHOW_MAX), grp.p);
                        if (gid_arg < 0 || gid_arg > USER_ID_MAX)
                                return range_error(err);
                        gid = (uint32_t)gid_arg;
                }
        }

        if (matched) {
                r = member_groups(group, group_len, pw.name, gid, &groups, &n_groups, err);
                if (r < 0)
                        return r;
        }

        *ret = (struct kl_container__user){
                .uid = uid,
                .gid = gid,
                .home = matched && strnlen(pw.home.p, pw.home.n) > 0
                                ? kl_strndup(pw.home.p, pw.home.n)
                                : kl_strdup("/"),
                .groups = KL_TAKE_PTR(groups),
                .n_groups = n_groups,
        };
        return 0;
}
