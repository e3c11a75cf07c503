/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Containers end to end through container.h: real shims, namespaces,
 * overlayfs, cgroups and seccomp, as root. The test binary is its own shim:
 * main() below runs kl_ctr_shim_main() for `<test> shim ...`, so the
 * runtime re-executes this very binary (self_exe) as kube-lite would itself.
 *
 * Each test gets a rootfs of two overlay layers built from busybox-static
 * (the bottom one with busybox, its applets and /etc/passwd; the top one
 * shadowing a file), its own state and data directories, and its own
 * cgroup parent below ours, removed at the end with everything in it.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "base/base.h"
#include "container/container.h"
#include "testing/testing.h"

static const char *const applets[] = {
        "sh",       "true",  "false", "cat", "echo", "id",   "hostname", "ps",
        "sleep",    "grep",  "head",  "tr",  "tty",  "stty", "touch",    "ls",
        "readlink", "mkdir", "env",   "pwd", "wc",   "dd",   "rm",       "seq",
        "kill",     "trap",  "test",  "[",   "cut",  "sort", "httpd",    "wget",
};

struct fixture {
        char *dir;
        char *layers[3]; /* top, bottom, NULL */
        char *cgroup_parent;
        struct kl_ctr_runtime *rt;
};

static struct fixture fx;

static void need_root(void)
{
        if (geteuid() != 0)
                cr_skip_test("needs root (namespaces, overlayfs, cgroups)");
        if (access("/bin/busybox", X_OK) < 0)
                cr_skip_test("busybox-static is not installed (apt-get install busybox-static)");
}

/* Run a command of the host (iproute2); its exit status. */
static int host_cmd(char *const argv[])
{
        int status;
        pid_t pid = fork();

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                execvp(argv[0], argv);
                _exit(127);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void put(const char *dir, const char *name, const char *text)
{
        free(kl_test_write_file(dir, name, text));
}

static void build_layers(void)
{
        kl_autofree char *bottom = kl_asprintf("%s/layer-bottom", fx.dir);
        kl_autofree char *top = kl_asprintf("%s/layer-top", fx.dir);
        kl_autofree char *bin = kl_asprintf("%s/bin", bottom);
        kl_autofree char *busybox = kl_asprintf("%s/bin/busybox", bottom);
        char *data = NULL;
        size_t len = 0;

        cr_assert_eq(kl_mkdir_p(bin, 0755), 0);
        for (const char *d = "proc\0sys\0dev\0tmp\0etc\0data\0"; *d; d += strlen(d) + 1) {
                kl_autofree char *p = kl_asprintf("%s/%s", bottom, d);

                cr_assert_eq(kl_mkdir_p(p, 0755), 0);
        }
        cr_assert_eq(kl_read_file("/bin/busybox", (size_t)64 << 20, &data, &len), 0);
        cr_assert_eq(kl_write_file_atomic(busybox, data, len, 0755, KL_WRITE_FILE_NOSYNC), 0);
        free(data);
        for (size_t i = 0; i < KL_ARRAY_SIZE(applets); i++) {
                kl_autofree char *l = kl_asprintf("%s/%s", bin, applets[i]);

                cr_assert_eq(symlink("busybox", l), 0);
        }
        put(bottom, "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        put(bottom, "etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n");
        put(bottom, "etc/motd", "from the bottom layer\n");
        put(top, "etc/motd", "from the top layer\n");
        fx.layers[0] = kl_strdup(top);
        fx.layers[1] = kl_strdup(bottom);
}

static void setup(void)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *state = NULL;
        kl_autofree char *data = NULL;

        fx = (struct fixture){ 0 };
        fx.dir = kl_asprintf("%s/ctr-%d", kl_test_tmpdir(), (int)getpid());
        cr_assert_eq(kl_mkdir_p(fx.dir, 0755), 0);
        if (geteuid() != 0 || access("/bin/busybox", X_OK) < 0)
                return;
        build_layers();
        state = kl_asprintf("%s/state", fx.dir);
        data = kl_asprintf("%s/data", fx.dir);
        fx.cgroup_parent = kl_asprintf("kl-test-ctr-%d", (int)getpid());
        cr_assert_eq(kl_ctr_runtime_open(
                             &(struct kl_ctr_runtime_opts){ .state_dir = state,
                                                            .data_dir = data,
                                                            .cgroup_parent = fx.cgroup_parent },
                             &fx.rt, &e),
                     0, "%s", e ? kl_err_msg(e) : "");
}

/* Remove our cgroup parent from every hierarchy we are in (its leaves are gone by then). */
static void remove_cgroup_parent(void)
{
        kl_autofree char *self = NULL;
        kl_autostrv char **lines = NULL;

        if (!fx.cgroup_parent || kl_read_file("/proc/self/cgroup", 65536, &self, NULL) < 0)
                return;
        lines = kl_strv_split(self, '\n');
        for (size_t i = 0; lines[i]; i++) {
                /* "4:memory:/process_api/x" or "0::/path" */
                char *c1 = strchr(lines[i], ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                kl_autofree char *ctrl = NULL;
                kl_autostrv char **names = NULL;

                if (!c2)
                        continue;
                ctrl = kl_strndup(c1 + 1, (size_t)(c2 - c1 - 1));
                names = kl_strv_split(*ctrl ? ctrl : "unified", ',');
                for (size_t k = 0; names[k]; k++) {
                        const char *n = kl_startswith(names[k], "name=") ?: names[k];
                        kl_autofree char *p =
                                kl_asprintf("/sys/fs/cgroup/%s%s/%s", n,
                                            kl_streq(c2 + 1, "/") ? "" : c2 + 1, fx.cgroup_parent);

                        (void)rmdir(p);
                }
        }
}

static void teardown(void)
{
        struct kl_ctr_state *v = NULL;
        size_t n = 0;

        if (fx.rt && kl_ctr_list(fx.rt, &v, &n, NULL) == 0) {
                for (size_t i = 0; i < n; i++)
                        (void)kl_ctr_delete(fx.rt, v[i].id, true, NULL);
                kl_ctr_states_free(v, n);
        }
        if (fx.rt)
                (void)kl_ctr_sandbox_delete(fx.rt, "pod1", NULL);
        kl_ctr_runtime_free(fx.rt);
        remove_cgroup_parent();
        free(fx.dir);
        free(fx.layers[0]);
        free(fx.layers[1]);
        free(fx.cgroup_parent);
}

TestSuite(container, .init = setup, .fini = teardown, .timeout = 60);

/* A config for `sh -c script` on the fixture's layers. */
static void config(struct kl_ctr_config *c, const char *id, const char *script)
{
        kl_ctr_config_init(c);
        c->id = kl_strdup(id);
        c->image = kl_strdup("test/busybox:1");
        c->layers = kl_strv_copy(fx.layers);
        c->hostname = kl_strdup("box");
        kl_strv_push(&c->process.args, "/bin/sh");
        kl_strv_push(&c->process.args, "-c");
        kl_strv_push(&c->process.args, script);
}

struct output {
        struct kl_buf out;
        struct kl_buf err;
        int code;
};

static void output_release(struct output *o)
{
        kl_buf_release(&o->out);
        kl_buf_release(&o->err);
}

/* Read a stream to its end. */
static void drain(struct kl_ctr_stream *s, struct output *o)
{
        kl_autoerr struct kl_err *e = NULL;
        char buf[4096];

        o->code = -1;
        for (;;) {
                struct pollfd p = { .fd = kl_ctr_stream_fd(s), .events = POLLIN };
                enum kl_ctr_stream_kind kind;
                int code = 0;
                ssize_t n;

                cr_assert_geq(poll(&p, 1, 30000), 1, "no output for 30 s");
                while ((n = kl_ctr_stream_read(s, buf, sizeof(buf), &kind, &code, &e)) != -EAGAIN) {
                        cr_assert_geq(n, 0, "%s", e ? kl_err_msg(e) : "");
                        if (kind == KL_CTR_STREAM_EXIT) {
                                o->code = code;
                                return;
                        }
                        cr_assert_eq(kl_buf_append(kind == KL_CTR_STREAM_STDERR ? &o->err : &o->out,
                                                   buf, (size_t)n),
                                     0);
                }
        }
}

/* Create, attach, start, read everything: the container's output and exit code. */
static void run(const struct kl_ctr_config *c, struct output *o)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_stream *s = NULL;

        *o = (struct output){ KL_BUF_INIT, KL_BUF_INIT, -1 };
        cr_assert_eq(kl_ctr_create(fx.rt, c, &e), 0, "create: %s", e ? kl_err_msg(e) : "");
        cr_assert_eq(
                kl_ctr_attach(fx.rt, c->id, KL_CTR_ATTACH_STDOUT | KL_CTR_ATTACH_STDERR, &s, &e), 0,
                "attach: %s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_start(fx.rt, c->id, &e), 0, "start: %s", e ? kl_err_msg(e) : "");
        drain(s, o);
        kl_ctr_stream_free(s);
}

static void final_state(const char *id, struct kl_ctr_state *st)
{
        kl_autoerr struct kl_err *e = NULL;

        cr_assert_eq(kl_ctr_wait(fx.rt, id, 30000, st, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(st->status, KL_CTR_STOPPED, "status %s", kl_ctr_status_name(st->status));
}

#define assert_has(b, needle) \
        cr_assert(strstr((b).buf, (needle)), "'%s' not in:\n%s", (needle), (b).buf)

Test(container, isolated_process)
{
        struct kl_ctr_config c;
        struct kl_ctr_state st;
        struct output o;

        need_root();
        config(&c, "iso",
               "echo pid=$$; hostname; cat /etc/motd; grep -E '^(CapEff|Seccomp|NoNewPrivs):' "
               "/proc/self/status; ls /proc | grep -c '^[0-9]'; readlink /proc/1/exe; "
               "echo err >&2; exit 3");
        run(&c, &o);
        cr_assert_eq(o.code, 3, "stderr: %s", o.err.buf);
        assert_has(o.out, "pid=1\n");
        assert_has(o.out, "\nbox\n");
        assert_has(o.out, "from the top layer\n");
        assert_has(o.out, "CapEff:\t00000000a80425fb\n");
        assert_has(o.out, "Seccomp:\t2\n");
        assert_has(o.out, "NoNewPrivs:\t0\n");
        /* sh, ls and grep: nothing of the host's PIDs. */
        cr_assert(strstr(o.out.buf, "\n2\n") || strstr(o.out.buf, "\n3\n"), "%s", o.out.buf);
        assert_has(o.out, "/bin/busybox\n");
        cr_assert_str_eq(o.err.buf, "err\n");
        final_state("iso", &st);
        cr_assert_eq(st.exit_code, 3);
        cr_assert_eq(st.signal, 0);
        cr_assert(!st.oom_killed);
        cr_assert(st.created_usec > 0 && st.started_usec >= st.created_usec &&
                  st.finished_usec >= st.started_usec);
        cr_assert_str_eq(st.image, "test/busybox:1");
        kl_ctr_state_release(&st);
        output_release(&o);
        kl_ctr_config_release(&c);
}

Test(container, writes_land_in_the_upper_dir_and_go_with_the_container)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *upper = kl_asprintf("%s/data/wr/upper/etc/new", fx.dir);
        kl_autofree char *data = kl_asprintf("%s/data/wr", fx.dir);
        kl_autofree char *statedir = kl_asprintf("%s/state/wr", fx.dir);
        struct kl_ctr_config c;
        struct output o;
        struct stat sb;

        need_root();
        config(&c, "wr", "echo hi > /etc/new && rm /etc/motd && ls /etc");
        run(&c, &o);
        cr_assert_eq(o.code, 0, "%s", o.err.buf);
        cr_assert_null(strstr(o.out.buf, "motd"));
        cr_assert_eq(stat(upper, &sb), 0, "the write is in the upper dir");
        /* The layers are untouched. */
        {
                kl_autofree char *motd = kl_asprintf("%s/etc/motd", fx.layers[1]);

                cr_assert_eq(stat(motd, &sb), 0);
        }
        cr_assert_eq(kl_ctr_delete(fx.rt, "wr", false, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(stat(data, &sb), -1);
        cr_assert_eq(stat(statedir, &sb), -1);
        cr_assert_eq(kl_ctr_state(fx.rt, "wr", &(struct kl_ctr_state){ 0 }, &e), -ENOENT);
        output_release(&o);
        kl_ctr_config_release(&c);
}

Test(container, memory_limit_oom_kills)
{
        struct kl_ctr_config c;
        struct kl_ctr_state st;
        struct output o;

        need_root();
        /* The shell keeps 64 MiB of output in a variable: over a 32 MiB limit. */
        config(&c, "oom", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo survived ${#x}");
        c.resources.memory_limit = (int64_t)32 << 20;
        run(&c, &o);
        cr_assert_eq(o.code, 137, "out: %s err: %s", o.out.buf, o.err.buf);
        final_state("oom", &st);
        cr_assert_eq(st.exit_code, 137);
        cr_assert_eq(st.signal, SIGKILL);
        cr_assert(st.oom_killed, "the state says OOMKilled");
        kl_ctr_state_release(&st);
        output_release(&o);
        kl_ctr_config_release(&c);
}

Test(container, pids_limit)
{
        struct kl_ctr_config c;
        struct output o;

        need_root();
        config(&c, "pids",
               "n=0; for i in 1 2 3 4 5 6 7 8; do sleep 30 & n=$((n+1)); done; "
               "ls /proc | grep -c '^[0-9]'; kill $(jobs -p) 2>/dev/null; exit 0");
        c.resources.pids_limit = 4;
        run(&c, &o);
        cr_assert(strstr(o.err.buf, "fork"), "forks beyond pids.max fail: %s", o.err.buf);
        output_release(&o);
        kl_ctr_config_release(&c);
}

static void exec_collect(const char *id, struct kl_ctr_process *p, const char *input,
                         struct output *o)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_stream *s = NULL;

        *o = (struct output){ KL_BUF_INIT, KL_BUF_INIT, -1 };
        cr_assert_eq(kl_ctr_exec(fx.rt, id, p, &s, &e), 0, "exec: %s", e ? kl_err_msg(e) : "");
        if (input) {
                cr_assert_eq(kl_ctr_stream_write(s, input, strlen(input), &e), 0);
                cr_assert_eq(kl_ctr_stream_close_stdin(s, &e), 0);
        }
        drain(s, o);
        kl_ctr_stream_free(s);
}

static void start_sleeper(const char *id, struct kl_ctr_config *c)
{
        kl_autoerr struct kl_err *e = NULL;

        config(c, id, "exec sleep 1000");
        kl_strv_push(&c->process.env, "FROM_CONTAINER=yes");
        cr_assert_eq(kl_ctr_create(fx.rt, c, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_start(fx.rt, id, &e), 0, "%s", e ? kl_err_msg(e) : "");
}

Test(container, exec_without_tty)
{
        struct kl_ctr_process p = { 0 };
        struct kl_ctr_config c;
        struct output o;

        need_root();
        start_sleeper("ex", &c);
        kl_strv_push(&p.args, "sh");
        kl_strv_push(&p.args, "-c");
        kl_strv_push(&p.args, "echo pid=$$ env=$FROM_CONTAINER; hostname; "
                              "grep -E '^(Seccomp|CapEff):' /proc/self/status; "
                              "ps -o pid,args | grep -c 'sleep 1000'; exit 5");
        exec_collect("ex", &p, NULL, &o);
        cr_assert_eq(o.code, 5, "stderr: %s", o.err.buf);
        cr_assert_null(strstr(o.out.buf, "pid=1 "), "an exec is not PID 1: %s", o.out.buf);
        assert_has(o.out, "env=yes\n");
        assert_has(o.out, "box\n");
        assert_has(o.out, "Seccomp:\t2\n");
        assert_has(o.out, "CapEff:\t00000000a80425fb\n");
        output_release(&o);
        kl_ctr_process_release(&p);

        /* stdin reaches the process; EOF ends it. */
        kl_strv_push(&p.args, "cat");
        p.stdin_open = true;
        exec_collect("ex", &p, "hello through stdin\n", &o);
        cr_assert_eq(o.code, 0);
        cr_assert_str_eq(o.out.buf, "hello through stdin\n");
        output_release(&o);
        kl_ctr_process_release(&p);

        /* A command that is not there. */
        {
                kl_autoerr struct kl_err *e = NULL;
                struct kl_ctr_stream *s = NULL;

                kl_strv_push(&p.args, "/no/such/program");
                cr_assert_lt(kl_ctr_exec(fx.rt, "ex", &p, &s, &e), 0);
                cr_assert(strstr(kl_err_msg(e), "/no/such/program"), "%s", kl_err_msg(e));
                kl_ctr_process_release(&p);
        }
        kl_ctr_config_release(&c);
}

Test(container, exec_with_tty)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_process p = { 0 };
        struct kl_ctr_stream *s = NULL;
        struct kl_ctr_config c;
        struct output o = { KL_BUF_INIT, KL_BUF_INIT, -1 };

        need_root();
        start_sleeper("tty", &c);
        kl_strv_push(&p.args, "sh");
        kl_strv_push(&p.args, "-c");
        kl_strv_push(&p.args, "read x; tty; stty size; echo got=$x; exit 2");
        p.terminal = true;
        p.stdin_open = true;
        cr_assert_eq(kl_ctr_exec(fx.rt, "tty", &p, &s, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_stream_resize(s, 40, 100, &e), 0);
        cr_assert_eq(kl_ctr_stream_write(s, "typed\n", 6, &e), 0);
        drain(s, &o);
        kl_ctr_stream_free(s);
        cr_assert_eq(o.code, 2, "%s", o.out.buf);
        /* A terminal: the input is echoed, lines end in \r\n, and it is the container's own. */
        assert_has(o.out, "typed\r\n");
        assert_has(o.out, "/dev/pts/0\r\n");
        assert_has(o.out, "40 100\r\n");
        assert_has(o.out, "got=typed\r\n");
        cr_assert_eq(o.err.len, 0, "a terminal has one stream");
        output_release(&o);
        kl_ctr_process_release(&p);
        kl_ctr_config_release(&c);
}

Test(container, logs_in_cri_format)
{
        kl_autofree char *log = kl_asprintf("%s/logs/cri.log", fx.dir);
        kl_autofree char *text = NULL;
        kl_autostrv char **lines = NULL;
        struct kl_ctr_config c;
        struct kl_ctr_state st;
        struct output o;
        regex_t re;

        need_root();
        config(&c, "logs", "echo out; echo err >&2; printf 'no newline'");
        c.log_path = kl_strdup(log);
        {
                kl_autofree char *d = kl_asprintf("%s/logs", fx.dir);

                cr_assert_eq(kl_mkdir_p(d, 0755), 0);
        }
        run(&c, &o);
        final_state("logs", &st);
        cr_assert_str_eq(st.log_path, log);
        cr_assert_eq(kl_read_file(log, 65536, &text, NULL), 0);
        cr_assert(kl_endswith(text, "\n"), "%s", text);
        text[strlen(text) - 1] = '\0';
        lines = kl_strv_split(text, '\n');
        cr_assert_eq(kl_strv_length(lines), 3, "%s", text);
        cr_assert_eq(regcomp(&re,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z "
                             "(stdout|stderr) [FP] .*$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
        for (size_t i = 0; lines[i]; i++) {
                struct kl_ctr_log_line l;

                cr_assert_eq(regexec(&re, lines[i], 0, NULL, 0), 0, "'%s'", lines[i]);
                cr_assert_eq(kl_ctr_log_parse_line(lines[i], strlen(lines[i]), &l), 0);
        }
        regfree(&re);
        cr_assert(kl_endswith(lines[0], " stdout F out"), "%s", lines[0]);
        cr_assert(kl_endswith(lines[1], " stderr F err"), "%s", lines[1]);
        cr_assert(kl_endswith(lines[2], " stdout F no newline"), "%s", lines[2]);
        kl_ctr_state_release(&st);
        output_release(&o);
        kl_ctr_config_release(&c);
}

Test(container, outlives_its_creator)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_config c;
        struct kl_ctr_state st;
        int status;
        pid_t pid;

        need_root();
        config(&c, "orphan", "sleep 1; exit 4");
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                /* The "CLI": creates, starts and is gone. */
                if (kl_ctr_create(fx.rt, &c, NULL) < 0 || kl_ctr_start(fx.rt, "orphan", NULL) < 0)
                        _exit(1);
                _exit(0);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        cr_assert_eq(kl_ctr_state(fx.rt, "orphan", &st, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(st.status, KL_CTR_RUNNING, "%s", kl_ctr_status_name(st.status));
        cr_assert_neq(st.shim_pid, pid);
        cr_assert_eq(kill(st.shim_pid, 0), 0, "the shim lives on");
        kl_ctr_state_release(&st);
        final_state("orphan", &st);
        cr_assert_eq(st.exit_code, 4);
        kl_ctr_state_release(&st);
        kl_ctr_config_release(&c);
}

Test(container, failures_at_create_leave_nothing)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *statedir = kl_asprintf("%s/state/bad", fx.dir);
        struct kl_ctr_config c;
        struct stat sb;

        need_root();
        config(&c, "bad", "true");
        free(c.process.args[0]);
        c.process.args[0] = kl_strdup("/no/such/binary");
        cr_assert_lt(kl_ctr_create(fx.rt, &c, &e), 0);
        cr_assert(strstr(kl_err_msg(e), "/no/such/binary"), "%s", kl_err_msg(e));
        cr_assert_eq(stat(statedir, &sb), -1);
        kl_err_free(KL_TAKE_PTR(e));

        free(c.process.user);
        c.process.args[0] = (free(c.process.args[0]), kl_strdup("/bin/sh"));
        c.process.user = kl_strdup("nosuchuser");
        cr_assert_lt(kl_ctr_create(fx.rt, &c, &e), 0);
        cr_assert(strstr(kl_err_msg(e), "nosuchuser"), "%s", kl_err_msg(e));
        kl_err_free(KL_TAKE_PTR(e));

        free(c.process.user);
        c.process.user = NULL;
        cr_assert_eq(kl_ctr_create(fx.rt, &c, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_create(fx.rt, &c, &e), -EEXIST);
        kl_err_free(KL_TAKE_PTR(e));
        /* Created, never started: delete needs force. */
        cr_assert_eq(kl_ctr_delete(fx.rt, "bad", false, &e), -EBUSY);
        kl_err_free(KL_TAKE_PTR(e));
        cr_assert_eq(kl_ctr_delete(fx.rt, "bad", true, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(stat(statedir, &sb), -1);
        kl_ctr_config_release(&c);
}

Test(container, stop_signals_then_kills)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_config c;
        struct kl_ctr_state st;

        need_root();
        /* PID 1 of a namespace ignores SIGTERM it has no handler for: only SIGKILL ends it. */
        config(&c, "stop", "exec sleep 1000");
        cr_assert_eq(kl_ctr_create(fx.rt, &c, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_start(fx.rt, "stop", &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_delete(fx.rt, "stop", false, &e), -EBUSY);
        kl_err_free(KL_TAKE_PTR(e));
        cr_assert_eq(kl_ctr_stop(fx.rt, "stop", 200, &e), 0, "%s", e ? kl_err_msg(e) : "");
        final_state("stop", &st);
        cr_assert_eq(st.signal, SIGKILL);
        cr_assert_eq(st.exit_code, 137);
        kl_ctr_state_release(&st);
        kl_ctr_config_release(&c);

        /* A process that handles SIGTERM ends with it. */
        config(&c, "term", "trap 'exit 9' TERM; while :; do sleep 0.1; done");
        cr_assert_eq(kl_ctr_create(fx.rt, &c, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_start(fx.rt, "term", &e), 0, "%s", e ? kl_err_msg(e) : "");
        usleep(200000);
        cr_assert_eq(kl_ctr_stop(fx.rt, "term", 20000, &e), 0, "%s", e ? kl_err_msg(e) : "");
        final_state("term", &st);
        cr_assert_eq(st.exit_code, 9);
        kl_ctr_state_release(&st);
        kl_ctr_config_release(&c);
}

Test(container, user_groups_and_capabilities)
{
        struct kl_ctr_config c;
        struct output o;

        need_root();
        config(&c, "user", "id; grep -E '^(CapEff|CapPrm|CapBnd):' /proc/self/status");
        c.process.user = kl_strdup("app");
        run(&c, &o);
        cr_assert_eq(o.code, 0, "%s", o.err.buf);
        assert_has(o.out, "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)");
        assert_has(o.out, "CapEff:\t0000000000000000\n");
        assert_has(o.out, "CapBnd:\t00000000a80425fb\n");
        output_release(&o);
        kl_ctr_config_release(&c);
}

Test(container, readonly_rootfs_and_bind_mounts)
{
        kl_autofree char *host = kl_asprintf("%s/hostdir", fx.dir);
        kl_autofree char *written = kl_asprintf("%s/hostdir/from-container", fx.dir);
        kl_autofree char *text = NULL;
        struct kl_ctr_config c;
        struct output o;

        need_root();
        cr_assert_eq(kl_mkdir_p(host, 0755), 0);
        put(host, "given", "from the host\n");
        config(&c, "ro",
               "cat /data/given; echo back > /data/from-container; "
               "touch /etc/x 2>&1 || echo rootfs read-only");
        c.readonly_rootfs = true;
        c.mounts = kl_calloc(1, sizeof(*c.mounts));
        c.mounts[0] = (struct kl_ctr_mount){ .source = kl_strdup(host),
                                             .destination = kl_strdup("/data") };
        c.n_mounts = 1;
        run(&c, &o);
        cr_assert_eq(o.code, 0, "%s", o.err.buf);
        assert_has(o.out, "from the host\n");
        assert_has(o.out, "rootfs read-only\n");
        cr_assert_eq(kl_read_file(written, 4096, &text, NULL), 0);
        cr_assert_str_eq(text, "back\n");
        output_release(&o);
        kl_ctr_config_release(&c);
}

Test(container, joins_a_network_namespace)
{
        kl_autofree char *ns = kl_asprintf("kl-test-ctr-%d", (int)getpid());
        kl_autofree char *path = kl_asprintf("/run/netns/%s", ns);
        char *add[] = { (char *)"ip", (char *)"netns", (char *)"add", ns, NULL };
        char *del[] = { (char *)"ip", (char *)"netns", (char *)"del", ns, NULL };
        kl_autofree char *want = NULL;
        struct kl_ctr_config c;
        struct output o;
        struct stat sb;

        need_root();
        if (host_cmd(add) != 0)
                cr_skip_test("ip netns add failed");
        cr_assert_eq(stat(path, &sb), 0);
        want = kl_asprintf("net:[%llu]\n", (unsigned long long)sb.st_ino);
        config(&c, "netns", "readlink /proc/self/ns/net; cat /proc/net/dev | grep -c ':'");
        c.ns[KL_CTR_NS_NET].mode = KL_CTR_NS_JOIN;
        c.ns[KL_CTR_NS_NET].path = kl_strdup(path);
        run(&c, &o);
        (void)host_cmd(del);
        cr_assert_eq(o.code, 0, "%s", o.err.buf);
        cr_assert(kl_startswith(o.out.buf, want), "%s vs %s", o.out.buf, want);
        output_release(&o);
        kl_ctr_config_release(&c);
}

Test(container, list_state_and_stats)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_ctr_state *v = NULL;
        struct kl_ctr_stats stats = { 0 };
        struct kl_ctr_config a, b;
        size_t n = 0;

        need_root();
        start_sleeper("first", &a);
        start_sleeper("second", &b);
        cr_assert_eq(kl_ctr_list(fx.rt, &v, &n, &e), 0);
        cr_assert_eq(n, 2);
        cr_assert_str_eq(v[0].id, "first");
        cr_assert_str_eq(v[1].id, "second");
        cr_assert_eq(v[0].status, KL_CTR_RUNNING);
        kl_ctr_states_free(v, n);
        cr_assert_eq(kl_ctr_stats(fx.rt, "first", &stats, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_gt(stats.memory_usage, 0);
        cr_assert_geq(stats.pids, 1);
        cr_assert_eq(kl_ctr_kill(fx.rt, "second", SIGKILL, false, &e), 0);
        {
                struct kl_ctr_state st;

                final_state("second", &st);
                cr_assert_eq(st.exit_code, 137);
                kl_ctr_state_release(&st);
        }
        kl_ctr_config_release(&a);
        kl_ctr_config_release(&b);
}

Test(container, pod_sandbox_shared_by_two_containers)
{
        kl_autoerr struct kl_err *e = NULL;
        kl_autofree char *net = NULL;
        kl_autofree char *ipc = NULL;
        kl_autofree char *uts = NULL;
        struct kl_ctr_config server, client;
        struct output o;
        struct stat sb;

        need_root();
        cr_assert_eq(
                kl_ctr_sandbox_create(fx.rt, "pod1",
                                      KL_CTR_SANDBOX_NET | KL_CTR_SANDBOX_IPC | KL_CTR_SANDBOX_UTS,
                                      "web-0", &e),
                0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_sandbox_create(fx.rt, "pod1", KL_CTR_SANDBOX_NET, NULL, &e), -EEXIST);
        kl_err_free(KL_TAKE_PTR(e));
        net = kl_ctr_sandbox_ns_path(fx.rt, "pod1", KL_CTR_NS_NET);
        ipc = kl_ctr_sandbox_ns_path(fx.rt, "pod1", KL_CTR_NS_IPC);
        uts = kl_ctr_sandbox_ns_path(fx.rt, "pod1", KL_CTR_NS_UTS);

        /* One container serves on the pod's loopback, the other reaches it there. */
        config(&server, "srv",
               "mkdir -p /tmp/www && echo served > /tmp/www/index.html && "
               "exec httpd -f -p 127.0.0.1:8080 -h /tmp/www");
        config(&client, "cli",
               "hostname; readlink /proc/self/ns/ipc; "
               "for i in $(seq 50); do wget -q -O - http://127.0.0.1:8080/ && exit 0; "
               "sleep 0.1; done; exit 1");
        for (struct kl_ctr_config *c = &server; c; c = c == &server ? &client : NULL) {
                free(c->hostname);
                c->hostname = NULL;
                c->ns[KL_CTR_NS_NET] = (struct kl_ctr_ns_config){ KL_CTR_NS_JOIN, kl_strdup(net) };
                c->ns[KL_CTR_NS_IPC] = (struct kl_ctr_ns_config){ KL_CTR_NS_JOIN, kl_strdup(ipc) };
                c->ns[KL_CTR_NS_UTS] = (struct kl_ctr_ns_config){ KL_CTR_NS_JOIN, kl_strdup(uts) };
        }
        cr_assert_eq(kl_ctr_create(fx.rt, &server, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_start(fx.rt, "srv", &e), 0, "%s", e ? kl_err_msg(e) : "");
        run(&client, &o);
        cr_assert_eq(o.code, 0, "out: %s err: %s", o.out.buf, o.err.buf);
        assert_has(o.out, "web-0\n");
        assert_has(o.out, "served\n");
        cr_assert_eq(stat(ipc, &sb), 0);
        {
                kl_autofree char *want = kl_asprintf("ipc:[%llu]\n", (unsigned long long)sb.st_ino);

                assert_has(o.out, want);
        }
        cr_assert_eq(kl_ctr_stop(fx.rt, "srv", 5000, &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(kl_ctr_sandbox_delete(fx.rt, "pod1", &e), 0, "%s", e ? kl_err_msg(e) : "");
        cr_assert_eq(stat(net, &sb), -1);
        cr_assert_eq(kl_ctr_sandbox_delete(fx.rt, "pod1", &e), 0, "deleting twice is fine");
        output_release(&o);
        kl_ctr_config_release(&server);
        kl_ctr_config_release(&client);
}

/* The test binary is also the shim the runtime re-executes. */
int main(int argc, char **argv)
{
        struct criterion_test_set *tests;
        int r = 0;

        json_set_alloc_funcs(kl_malloc, free);
        if (argc > 1 && kl_streq(argv[1], "shim"))
                return kl_ctr_shim_main(argc - 1, argv + 1);
        tests = criterion_initialize();
        if (criterion_handle_args(argc, argv, true))
                r = !criterion_run_all_tests(tests);
        criterion_finalize(tests);
        return r;
}
