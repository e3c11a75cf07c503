/* SPDX-License-Identifier: Apache-2.0 */
/*
 * containerLogs: the CRI log file of a container as upstream's kubelet
 * returns it (pkg/kubelet/kuberuntime/logs: ReadLogs), and the pieces it is
 * made of: query parsing, the line reader, tail, finding the container.
 *
 * A log request is a small state machine on the loop whose file work runs on
 * libuv's pool, one step at a time:
 *
 *   open    (pool) list the runtime's containers, pick the attempt, open its
 *           log file, find where the tail starts;
 *   pump    (pool) read at most KL_AGENT__LOG_CHUNK bytes and turn them into
 *           output; at the end of the file, when following: see whether the
 *           shim rotated the file (the path names another inode: finish the
 *           old file, then continue with the new one from its start) and
 *           whether the container still runs (stopped: read what is left,
 *           then end);
 *   write   (loop) the output becomes one chunk of the response, flushed at
 *           once; above the server's queue bound the next pump waits for the
 *           connection's drain callback;
 *   wait    (loop) following at the end of the file: an inotify watch on the
 *           log's directory (uv_fs_event) or, at the latest, a one-second
 *           timer (upstream's logForceCheckPeriod) starts the next pump.
 *
 * Exactly one pool step is in flight at a time, and only it touches the
 * file and the reader; the loop touches them only between steps. The
 * session holds a reference on the request, one on the server, and counts
 * its step and its two handles; it is freed when all are gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/pod-internal.h"
#include "agent/server-internal.h"
#include "loop/loop.h"

#define FOLLOW_CHECK_MSEC 1000

/* ------------------------------------------------------------------------- */
/* Query strings */

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Decode `len` bytes of a query component into a new string; -EINVAL for a bad escape. */
static int unescape(const char *s, size_t len, char **ret)
{
        kl_autofree char *out = kl_malloc(len + 1);
        size_t n = 0;

        for (size_t i = 0; i < len; i++) {
                if (s[i] == '+') {
                        out[n++] = ' ';
                } else if (s[i] == '%') {
                        int hi, lo;

                        if (len - i < 3)
                                return -EINVAL;
                        hi = hexval(s[i + 1]);
                        lo = hexval(s[i + 2]);
                        if (hi < 0 || lo < 0)
                                return -EINVAL;
                        out[n++] = (char)(hi << 4 | lo);
                        i += 2;
                } else {
                        out[n++] = s[i];
                }
        }
        out[n] = '\0';
        *ret = KL_TAKE_PTR(out);
        return 0;
}

/*
 * Walk the pairs of `query`; for each well-formed pair whose key is `key`
 * call back with the decoded value. Stops when the callback returns true.
 */
static void query_each(const char *query, const char *key, bool (*fn)(char *value, void *arg),
                       void *arg)
{
        const char *p = query ? query : "";

        while (*p) {
                const char *end = p + strcspn(p, "&;");
                const char *eq = memchr(p, '=', (size_t)(end - p));
                const char *kend = eq ? eq : end;
                kl_autofree char *k = NULL;
                char *v = NULL;

                /* Go's ParseQuery refuses ';' as a separator: such a pair is skipped. */
                if (*end == ';') {
                        p = end + 1 + strcspn(end + 1, "&");
                        p += *p == '&';
                        continue;
                }
                if (unescape(p, (size_t)(kend - p), &k) == 0 && kl_streq(k, key) &&
                    unescape(eq ? eq + 1 : end, eq ? (size_t)(end - eq - 1) : 0, &v) == 0) {
                        if (fn(v, arg))
                                return;
                }
                p = *end ? end + 1 : end;
        }
}

static bool take_first(char *value, void *arg)
{
        *(char **)arg = value;
        return true;
}

int kl_agent__query_get(const char *query, const char *key, char **ret)
{
        char *v = NULL;

        query_each(query, key, take_first, &v);
        if (!v)
                return 0;
        *ret = v;
        return 1;
}

static bool push_value(char *value, void *arg)
{
        kl_strv_push_take(arg, value);
        return false;
}

char **kl_agent__query_all(const char *query, const char *key)
{
        char **v = NULL;

        query_each(query, key, push_value, &v);
        if (!v)
                v = kl_calloc(1, sizeof(char *));
        return v;
}

bool kl_agent__query_bool(const char *query, const char *key)
{
        kl_autofree char *v = NULL;
        bool b = false;

        if (kl_agent__query_get(query, key, &v) <= 0)
                return false;
        return kl_parse_bool(v, &b) == 0 && b;
}

/* ------------------------------------------------------------------------- */
/* Options */

/* An optional integer parameter: 0 absent (or empty, as Go's decoder), 1 set, -EINVAL. */
static int query_int(const char *query, const char *key, int64_t *ret, struct kl_err **err)
{
        kl_autofree char *v = NULL;

        if (kl_agent__query_get(query, key, &v) <= 0 || !*v)
                return 0;
        if (kl_parse_int64(v, ret) < 0)
                return kl_err_set(err, -EINVAL, "Unable to decode query: %s: invalid value \"%s\"",
                                  key, v);
        return 1;
}

static int query_flag(const char *query, const char *key, bool *ret, struct kl_err **err)
{
        kl_autofree char *v = NULL;

        *ret = false;
        if (kl_agent__query_get(query, key, &v) <= 0 || !*v)
                return 0;
        if (kl_parse_bool(v, ret) < 0)
                return kl_err_set(err, -EINVAL, "Unable to decode query: %s: invalid value \"%s\"",
                                  key, v);
        return 0;
}

int kl_agent__log_opts_parse(const char *query, int64_t now_usec, struct kl_agent__log_opts *ret,
                             struct kl_err **err)
{
        struct kl_agent__log_opts o = { .tail = -1, .limit_bytes = -1, .since_usec = INT64_MIN };
        kl_autofree char *legacy = NULL, *since_time = NULL;
        int64_t v;
        int r, has_seconds;

        r = query_flag(query, "follow", &o.follow, err);
        if (r >= 0)
                r = query_flag(query, "previous", &o.previous, err);
        if (r >= 0)
                r = query_flag(query, "timestamps", &o.timestamps, err);
        if (r < 0)
                return r;

        /* The legacy "tail" parameter stands for tailLines; "all" means no limit. */
        if (kl_agent__query_get(query, "tail", &legacy) > 0 && *legacy) {
                if (!kl_streq(legacy, "all")) {
                        if (kl_parse_int64(legacy, &o.tail) < 0)
                                return kl_err_set(err, -EINVAL,
                                                  "Unable to decode query: tail: invalid value "
                                                  "\"%s\"",
                                                  legacy);
                }
        } else {
                r = query_int(query, "tailLines", &v, err);
                if (r < 0)
                        return r;
                if (r > 0) {
                        if (v < 0)
                                return kl_err_set(err, -KL_EINVALID,
                                                  "tailLines: Invalid value: %lld: must be "
                                                  "greater than or equal to 0",
                                                  (long long)v);
                        o.tail = v;
                }
        }
        if (o.tail < -1)
                return kl_err_set(err, -KL_EINVALID,
                                  "tailLines: Invalid value: %lld: must be greater than or "
                                  "equal to 0",
                                  (long long)o.tail);

        r = query_int(query, "limitBytes", &v, err);
        if (r < 0)
                return r;
        if (r > 0) {
                if (v < 1)
                        return kl_err_set(err, -KL_EINVALID,
                                          "limitBytes: Invalid value: %lld: must be greater "
                                          "than 0",
                                          (long long)v);
                o.limit_bytes = v;
        }

        has_seconds = r = query_int(query, "sinceSeconds", &v, err);
        if (r < 0)
                return r;
        if (r > 0) {
                if (v < 1)
                        return kl_err_set(err, -KL_EINVALID,
                                          "sinceSeconds: Invalid value: %lld: must be greater "
                                          "than 0",
                                          (long long)v);
                /* Far past any log: clamp rather than overflow. */
                if (v > INT64_MAX / (int64_t)KL_USEC_PER_SEC / 2)
                        v = INT64_MAX / (int64_t)KL_USEC_PER_SEC / 2;
                o.since_usec = now_usec - v * (int64_t)KL_USEC_PER_SEC;
        }
        if (kl_agent__query_get(query, "sinceTime", &since_time) > 0 && *since_time) {
                int64_t t;

                if (has_seconds)
                        return kl_err_set(err, -KL_EINVALID,
                                          "at most one of `sinceTime` or `sinceSeconds` may be "
                                          "specified");
                if (kl_rfc3339_parse(since_time, &t) < 0)
                        return kl_err_set(err, -EINVAL,
                                          "Unable to decode query: sinceTime: invalid value "
                                          "\"%s\"",
                                          since_time);
                /* metav1.Time has seconds: the fraction is dropped, as the API decodes it. */
                t -= ((t % (int64_t)KL_USEC_PER_SEC) + (int64_t)KL_USEC_PER_SEC) %
                     (int64_t)KL_USEC_PER_SEC;
                o.since_usec = t;
        }
        *ret = o;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* The reader */

void kl_agent__log_reader_init(struct kl_agent__log_reader *r, const struct kl_agent__log_opts *o)
{
        *r = (struct kl_agent__log_reader){
                .opts = *o,
                .new_line = true,
                .remain = o->limit_bytes >= 0 ? o->limit_bytes : INT64_MAX,
                .lines = o->tail >= 0 && !o->follow ? o->tail : -1,
        };
        kl_buf_init(&r->line, KL_AGENT__LOG_LINE_MAX);
        if (r->remain == 0 || r->lines == 0)
                r->done = true;
}

void kl_agent__log_reader_release(struct kl_agent__log_reader *r)
{
        kl_buf_release(&r->line);
}

size_t kl_agent__log_time_format(const char *ts, size_t len, char *buf, size_t size)
{
        const char *dot, *zone, *end = ts + len;
        size_t head, frac = 0, n;

        /* "YYYY-MM-DDTHH:MM:SS" is 19 bytes; then an optional fraction, then the zone. */
        if (len < 20 || size < 64 || len > 60)
                return 0;
        head = 19;
        dot = ts + head;
        zone = dot;
        if (*dot == '.' || *dot == ',') {
                zone = dot + 1;
                while (zone < end && *zone >= '0' && *zone <= '9')
                        zone++;
                frac = (size_t)(zone - dot - 1);
        }
        memcpy(buf, ts, head);
        n = head;
        buf[n++] = '.';
        for (size_t i = 0; i < 9; i++)
                buf[n++] = i < frac ? dot[1 + i] : '0';
        if ((size_t)(end - zone) == 6 &&
            (memcmp(zone, "+00:00", 6) == 0 || memcmp(zone, "-00:00", 6) == 0)) {
                buf[n++] = 'Z';
        } else {
                if ((size_t)(end - zone) > size - n - 1)
                        return 0;
                memcpy(buf + n, zone, (size_t)(end - zone));
                n += (size_t)(end - zone);
        }
        buf[n] = '\0';
        return n;
}

/* Append at most `remain` bytes of `data`; true when the limit is reached. */
static bool emit(struct kl_agent__log_reader *r, struct kl_buf *out, const char *data, size_t len)
{
        size_t n = (int64_t)len > r->remain ? (size_t)r->remain : len;

        /* `out` is unlimited and sized by the caller's chunk: this cannot fail. */
        (void)kl_buf_append(out, data, n);
        if (r->remain != INT64_MAX)
                r->remain -= (int64_t)n;
        return r->remain <= 0;
}

/* One whole raw line (without its '\n'): upstream's parseCRILog, then logWriter.write. */
static void one_line(struct kl_agent__log_reader *r, const char *line, size_t len,
                     struct kl_buf *out)
{
        struct kl_ctr_log_line l;
        char ts[80];
        bool prefix;
        size_t n;

        if (kl_ctr_log_parse_line(line, len, &l) < 0)
                return; /* upstream logs and skips lines that do not parse */
        prefix = r->new_line;
        /* A full line gets back the newline the file separated it with; a piece does not. */
        r->new_line = !l.partial;
        if (r->lines > 0)
                r->lines--;
        if (l.time_usec < r->opts.since_usec)
                goto counted;
        if (r->opts.timestamps && prefix) {
                const char *sp = memchr(line, ' ', len);

                n = sp ? kl_agent__log_time_format(line, (size_t)(sp - line), ts, sizeof(ts)) : 0;
                if (n > 0) {
                        ts[n++] = ' ';
                        if (emit(r, out, ts, n)) {
                                r->done = true;
                                return;
                        }
                }
        }
        if (emit(r, out, l.content, l.len) || (!l.partial && emit(r, out, "\n", 1))) {
                r->done = true;
                return;
        }
counted:
        if (r->lines == 0)
                r->done = true;
}

bool kl_agent__log_reader_feed(struct kl_agent__log_reader *r, const char *data, size_t len,
                               bool eof, struct kl_buf *out)
{
        const char *p = data, *end = data + len;

        while (!r->done && p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = (size_t)((nl ? nl : end) - p);

                if (r->skipping) {
                        if (nl)
                                r->skipping = false;
                } else if (r->line.len == 0 && nl) {
                        one_line(r, p, n, out);
                } else if (kl_buf_append(&r->line, p, n) < 0) {
                        /* Longer than any line the shim writes: not a CRI line, drop it. */
                        kl_buf_reset(&r->line);
                        r->skipping = !nl;
                } else if (nl) {
                        one_line(r, r->line.buf, r->line.len, out);
                        kl_buf_reset(&r->line);
                }
                p = nl ? nl + 1 : end;
        }
        if (eof && !r->done && !r->skipping && r->line.len > 0) {
                one_line(r, r->line.buf, r->line.len, out);
                kl_buf_reset(&r->line);
        }
        return r->done;
}

int kl_agent__log_tail_start(int fd, int64_t size, int64_t n, int64_t *ret_off)
{
        char buf[4096];
        int64_t pos = size, count = 0;

        kl_loop_assert_not_loop_thread();
        if (n < 0 || size <= 0) {
                *ret_off = 0;
                return 0;
        }
        /*
         * Count newlines backwards: the (n+1)-th newline from the end (a
         * trailing one counts as the end of the last line) is where the last
         * n lines start, right after it.
         */
        while (pos > 0) {
                size_t want = (size_t)KL_MIN(pos, (int64_t)sizeof(buf));
                ssize_t got = pread(fd, buf, want, pos - (int64_t)want);

                if (got < 0)
                        return -errno;
                if ((size_t)got != want)
                        return -EIO;
                for (size_t i = want; i > 0; i--) {
                        if (buf[i - 1] != '\n')
                                continue;
                        if (++count > n) {
                                *ret_off = pos - (int64_t)want + (int64_t)i;
                                return 0;
                        }
                }
                pos -= (int64_t)want;
        }
        *ret_off = 0;
        return 0;
}

/* ------------------------------------------------------------------------- */
/* Finding the container */

void kl_agent__found_release(struct kl_agent__found *f)
{
        free(f->id);
        free(f->log_path);
        *f = (struct kl_agent__found){ 0 };
}

static bool is_stopped(enum kl_ctr_status s)
{
        return s == KL_CTR_STOPPED || s == KL_CTR_UNKNOWN;
}

int kl_agent__find_container(const struct kl_ctr_state *states, size_t n, const char *ns,
                             const char *pod, const char *ctr, enum kl_agent__find_mode mode,
                             struct kl_agent__found *ret, struct kl_err **err)
{
        const struct kl_ctr_state *cur = NULL, *prev = NULL;
        unsigned cur_attempt = 0, prev_attempt = 0;
        bool pod_known = false;

        for (size_t i = 0; i < n; i++) {
                const char *lns = kl_agent__label(states[i].labels, KL_AGENT__LABEL_POD_NS);
                const char *lpod = kl_agent__label(states[i].labels, KL_AGENT__LABEL_POD_NAME);
                const char *lctr = kl_agent__label(states[i].labels, KL_AGENT__LABEL_CTR_NAME);
                const char *latt = kl_agent__label(states[i].labels, KL_AGENT__LABEL_ATTEMPT);
                unsigned attempt;

                if (!lns || !lpod || !kl_streq(lns, ns) || !kl_streq(lpod, pod))
                        continue;
                pod_known = true;
                if (!lctr || !kl_streq(lctr, ctr) || !latt || kl_parse_uint(latt, &attempt) < 0)
                        continue;
                if (!cur || attempt > cur_attempt) {
                        cur = &states[i];
                        cur_attempt = attempt;
                }
        }
        /* The newest stopped attempt older than the current one. */
        for (size_t i = 0; cur && i < n; i++) {
                const char *lns = kl_agent__label(states[i].labels, KL_AGENT__LABEL_POD_NS);
                const char *lpod = kl_agent__label(states[i].labels, KL_AGENT__LABEL_POD_NAME);
                const char *lctr = kl_agent__label(states[i].labels, KL_AGENT__LABEL_CTR_NAME);
                const char *latt = kl_agent__label(states[i].labels, KL_AGENT__LABEL_ATTEMPT);
                unsigned attempt;

                if (!lns || !lpod || !lctr || !latt || !kl_streq(lns, ns) || !kl_streq(lpod, pod) ||
                    !kl_streq(lctr, ctr) || kl_parse_uint(latt, &attempt) < 0 ||
                    attempt >= cur_attempt || !is_stopped(states[i].status))
                        continue;
                if (!prev || attempt > prev_attempt) {
                        prev = &states[i];
                        prev_attempt = attempt;
                }
        }

        if (!pod_known)
                return kl_err_set_msg(err, -ENOENT, "pod \"%s\" does not exist", pod);
        switch (mode) {
        case KL_AGENT__FIND_RUNNING:
                if (!cur || cur->status != KL_CTR_RUNNING)
                        return kl_err_set_msg(err, -ENOENT, "container not found (\"%s\")", ctr);
                break;
        case KL_AGENT__FIND_PREVIOUS:
                /*
                 * A newest attempt that has stopped and is not the first is
                 * the pod's lastState while it waits for its restart
                 * (CrashLoopBackOff): upstream's --previous shows it.
                 */
                if (!prev && cur && is_stopped(cur->status) && cur_attempt > 0)
                        prev = cur, prev_attempt = cur_attempt;
                if (!prev)
                        return kl_err_set_msg(
                                err, -EINVAL,
                                "previous terminated container \"%s\" in pod \"%s\" not found", ctr,
                                pod);
                cur = prev;
                break;
        case KL_AGENT__FIND_LOGS:
                /* Created, not started (waiting): upstream shows the last terminated attempt. */
                if (cur && cur->status == KL_CTR_CREATED && prev)
                        cur = prev;
                if (!cur || cur->status == KL_CTR_CREATED)
                        return kl_err_set_msg(err, -EINVAL,
                                              "container \"%s\" in pod \"%s\" is waiting to start: "
                                              "ContainerCreating",
                                              ctr, pod);
                break;
        }
        *ret = (struct kl_agent__found){
                .id = kl_strdup(cur->id),
                .log_path = cur->log_path ? kl_strdup(cur->log_path) : NULL,
                .status = cur->status,
                .attempt = cur == prev ? prev_attempt : cur_attempt,
        };
        return 0;
}

/* ------------------------------------------------------------------------- */
/* The log session */

enum step {
        STEP_OPEN,
        STEP_PUMP,
};

enum pump_result {
        PUMP_MORE, /* read again at once */
        PUMP_WAIT, /* at the end of a running container's file: wait for a change */
        PUMP_DONE, /* end the response */
};

struct log_session {
        struct kl_agent_server *srv; /* a session of it (session_begin) */
        struct kl_http_req *req;     /* ref */
        struct kl_http_close_hook hook;
        struct kl_ctr_runtime *rt; /* borrowed from the server */
        char *ns, *pod, *ctr;      /* owned */
        struct kl_agent__log_opts opts;

        /* Pool side (touched by the loop only between steps). */
        enum step step;
        struct kl_agent__found found; /* owned */
        struct kl_err *err;           /* owned: the open step's failure */
        int fd;                       /* owned: the log file */
        bool no_file;                 /* the container has no log (file): nothing to read */
        struct kl_agent__log_reader reader;
        struct kl_buf out; /* owned: output of the last step */
        enum pump_result result;

        /* Loop side. */
        uv_timer_t timer;    /* owned; closed by session_close() */
        uv_fs_event_t watch; /* owned once watching; closed by session_close() */
        bool watching;
        bool busy;     /* a pool step is in flight */
        bool waiting;  /* at the end of the file, for an event or the timer */
        bool draining; /* waiting for the connection's queue to drain */
        bool gone;     /* the client went away or the response ended */
        bool started;  /* the 200 and its headers are out */
        bool finished; /* the request is finished */
        unsigned pending_closes;
        unsigned refs; /* 1 until the session ends + 1 while a step is in flight */
};

static void session_free(struct log_session *ls)
{
        kl_agent__server_session_end(ls->srv);
        kl_http_req_unref(ls->req);
        free(ls->ns);
        free(ls->pod);
        free(ls->ctr);
        kl_agent__found_release(&ls->found);
        kl_err_free(ls->err);
        if (ls->fd >= 0)
                (void)kl_close(ls->fd);
        kl_agent__log_reader_release(&ls->reader);
        kl_buf_release(&ls->out);
        free(ls);
}

static void session_unref(struct log_session *ls)
{
        kl_assert(ls->refs > 0);
        if (--ls->refs == 0 && ls->pending_closes == 0)
                session_free(ls);
}

static void on_handle_closed(uv_handle_t *h)
{
        struct log_session *ls = h->data;

        kl_assert(ls->pending_closes > 0);
        if (--ls->pending_closes == 0 && ls->refs == 0)
                session_free(ls);
}

/* Finish the request: end the stream, or answer 503 when nothing was sent. Idempotent. */
static void finish(struct log_session *ls)
{
        if (ls->finished)
                return;
        ls->finished = true;
        if (ls->started)
                (void)kl_http_stream_end(ls->req);
        else
                (void)kl_http_respond_status(ls->req, 503);
}

/* End the session: the response is over (or the client is gone). Idempotent. */
static void session_end(struct log_session *ls)
{
        if (ls->gone)
                return;
        ls->gone = true;
        finish(ls);
        kl_http_close_hook_remove(&ls->hook);
        kl_http_req_set_drain_cb(ls->req, NULL, NULL);
        uv_close((uv_handle_t *)&ls->timer, on_handle_closed);
        if (ls->watching)
                uv_close((uv_handle_t *)&ls->watch, on_handle_closed);
        /* The session's own reference; the timer's close is pending, so this never frees. */
        kl_assert(ls->refs > 0 && ls->pending_closes > 0);
        ls->refs--;
}

static void run_step(struct log_session *ls);

static void on_close_hook(struct kl_http_req *req, int reason, void *arg)
{
        struct log_session *ls = arg;

        (void)req;
        (void)reason; /* gone or shutting down: either way the response ends now */
        session_end(ls);
}

static void on_drain(struct kl_http_req *req, void *arg)
{
        struct log_session *ls = arg;

        (void)req;
        if (ls->gone || !ls->draining)
                return;
        ls->draining = false;
        kl_http_req_set_drain_cb(ls->req, NULL, NULL);
        run_step(ls);
}

static void wake(struct log_session *ls)
{
        if (ls->gone || !ls->waiting)
                return;
        ls->waiting = false;
        uv_timer_stop(&ls->timer);
        run_step(ls);
}

static void on_timer(uv_timer_t *t)
{
        wake(kl_container_of(t, struct log_session, timer));
}

static void on_fs_event(uv_fs_event_t *h, const char *filename, int events, int status)
{
        (void)filename;
        (void)events;
        (void)status;
        wake(kl_container_of(h, struct log_session, watch));
}

/* Open: find the container and its file (pool). */
static void do_open(struct log_session *ls)
{
        struct kl_ctr_state *v = NULL;
        size_t n = 0;
        struct stat st;
        int64_t off = 0;
        int r;

        r = kl_ctr_list(ls->rt, &v, &n, &ls->err);
        if (r < 0) {
                (void)kl_err_wrap(&ls->err, r, "list containers");
                return;
        }
        r = kl_agent__find_container(v, n, ls->ns, ls->pod, ls->ctr,
                                     ls->opts.previous ? KL_AGENT__FIND_PREVIOUS
                                                       : KL_AGENT__FIND_LOGS,
                                     &ls->found, &ls->err);
        kl_ctr_states_free(v, n);
        if (r < 0)
                return;
        if (!ls->found.log_path) {
                ls->no_file = true;
                return;
        }
        ls->fd = open(ls->found.log_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (ls->fd < 0 && errno == ENOENT) {
                /* Not written yet (or removed): an empty log, followed when asked. */
                return;
        }
        if (ls->fd < 0 || fstat(ls->fd, &st) < 0) {
                (void)kl_err_set(&ls->err, -errno, "failed to open log file \"%s\"",
                                 ls->found.log_path);
                return;
        }
        r = kl_agent__log_tail_start(ls->fd, st.st_size, ls->opts.tail, &off);
        if (r < 0 || lseek(ls->fd, off, SEEK_SET) < 0) {
                (void)kl_err_set(&ls->err, r < 0 ? r : -errno,
                                 "failed to tail %lld lines of log file \"%s\"",
                                 (long long)ls->opts.tail, ls->found.log_path);
                return;
        }
}

/* Read to the end of the current file (at most one chunk); true at its end. */
static bool read_chunk(struct log_session *ls, bool final)
{
        char *buf;
        ssize_t got;

        if (ls->fd < 0)
                return true;
        buf = kl_malloc(KL_AGENT__LOG_CHUNK);
        do
                got = read(ls->fd, buf, KL_AGENT__LOG_CHUNK);
        while (got < 0 && errno == EINTR);
        if (got < 0)
                got = 0; /* an unreadable file ends the log as an empty read would */
        (void)kl_agent__log_reader_feed(&ls->reader, buf, (size_t)got, got == 0 && final, &ls->out);
        free(buf);
        return got == 0;
}

/* Whether the path now names another file than the one open (the shim rotated it). */
static bool rotated(struct log_session *ls)
{
        struct stat a, b;

        if (ls->fd < 0)
                return access(ls->found.log_path, F_OK) == 0;
        if (fstat(ls->fd, &a) < 0)
                return false;
        if (stat(ls->found.log_path, &b) < 0)
                return false; /* between the rename and the new file: look again later */
        return a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

static bool still_running(struct log_session *ls)
{
        struct kl_ctr_state st = { 0 };
        bool running;

        if (kl_ctr_state(ls->rt, ls->found.id, &st, NULL) < 0)
                return false;
        running = st.status == KL_CTR_RUNNING || st.status == KL_CTR_CREATED;
        kl_ctr_state_release(&st);
        return running;
}

/* One pump step (pool). */
static void do_pump(struct log_session *ls)
{
        bool at_end;

        kl_buf_reset(&ls->out);
        if (ls->no_file) {
                ls->result = PUMP_DONE;
                return;
        }
        at_end = read_chunk(ls, !ls->opts.follow);
        if (ls->reader.done) {
                ls->result = PUMP_DONE;
                return;
        }
        if (!at_end) {
                ls->result = PUMP_MORE;
                return;
        }
        if (!ls->opts.follow) {
                ls->result = PUMP_DONE;
                return;
        }
        if (rotated(ls)) {
                /*
                 * Everything written to the old file was written before the
                 * rename we just saw: read it to its end, then go on with the
                 * new file from its start.
                 */
                while (!ls->reader.done && !read_chunk(ls, false))
                        ;
                if (ls->fd >= 0)
                        (void)kl_close(ls->fd);
                ls->fd = open(ls->found.log_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                ls->result = ls->reader.done ? PUMP_DONE : PUMP_MORE;
                return;
        }
        if (still_running(ls)) {
                ls->result = PUMP_WAIT;
                return;
        }
        /* Stopped: what it wrote before it stopped is in the file now. */
        while (!ls->reader.done && !read_chunk(ls, false))
                ;
        ls->result = PUMP_DONE;
}

static void step_work(void *arg)
{
        struct log_session *ls = arg;

        if (ls->step == STEP_OPEN)
                do_open(ls);
        else
                do_pump(ls);
}

static void start_watch(struct log_session *ls)
{
        kl_autofree char *dir = NULL;
        const char *slash;
        int r;

        if (ls->watching || !ls->found.log_path)
                return;
        slash = strrchr(ls->found.log_path, '/');
        dir = slash ? kl_strndup(ls->found.log_path, (size_t)KL_MAX(slash - ls->found.log_path, 1))
                    : kl_strdup(".");
        r = uv_fs_event_init(kl_agent__server_loop(ls->srv), &ls->watch);
        if (r < 0)
                return;
        ls->watch.data = ls;
        ls->pending_closes++;
        ls->watching = true;
        r = uv_fs_event_start(&ls->watch, on_fs_event, dir, 0);
        if (r < 0)
                kl_log_debug(KL_LOG_AGENT, "watch '%s': %s, polling the log instead", dir,
                             uv_strerror(r));
}

/* What follows a step, on the loop; the step's reference is still held. */
static void step_next(struct log_session *ls, int status)
{
        int r;

        if (ls->gone || status < 0) {
                session_end(ls);
                return;
        }
        if (ls->step == STEP_OPEN) {
                if (ls->err) {
                        ls->finished = true;
                        kl_agent__respond_error(ls->req, ls->err, NULL, NULL);
                        session_end(ls);
                        return;
                }
                r = kl_http_stream_start(ls->req, 200, "text/plain");
                ls->started = true;
                if (r < 0) {
                        session_end(ls);
                        return;
                }
                ls->step = STEP_PUMP;
                ls->result = ls->reader.done ? PUMP_DONE : PUMP_MORE;
        } else if (ls->out.len > 0) {
                r = kl_http_stream_write(ls->req, ls->out.buf, ls->out.len);
                if (r < 0)
                        ls->result = PUMP_DONE;
        }
        if (ls->gone)
                return; /* the write found the client gone */

        switch (ls->result) {
        case PUMP_DONE:
                session_end(ls);
                return;
        case PUMP_WAIT:
                start_watch(ls);
                ls->waiting = true;
                uv_timer_start(&ls->timer, on_timer, FOLLOW_CHECK_MSEC, 0);
                return;
        case PUMP_MORE:
                if (kl_http_req_output_queued(ls->req) > kl_agent__server_queue_high(ls->srv)) {
                        ls->draining = true;
                        kl_http_req_set_drain_cb(ls->req, on_drain, ls);
                        return;
                }
                run_step(ls);
                return;
        }
}

static void step_done(void *arg, int status)
{
        struct log_session *ls = arg;

        ls->busy = false;
        step_next(ls, status);
        session_unref(ls);
}

static void run_step(struct log_session *ls)
{
        int r;

        if (ls->gone || ls->busy)
                return;
        ls->busy = true;
        ls->refs++;
        r = kl_loop_run_blocking(kl_agent__server_loop(ls->srv), step_work, step_done, ls);
        if (r < 0) {
                ls->busy = false;
                ls->refs--;
                if (ls->step == STEP_OPEN) {
                        kl_autoerr struct kl_err *e = NULL;

                        (void)kl_err_set(&e, r, "queue the log request");
                        ls->finished = true;
                        kl_agent__respond_error(ls->req, e, NULL, NULL);
                }
                session_end(ls);
        }
}

void kl_agent__logs_serve(struct kl_agent_server *s, struct kl_http_req *req, const char *ns,
                          const char *pod, const char *ctr)
{
        kl_autoerr struct kl_err *e = NULL;
        struct kl_agent__log_opts o = { 0 };
        struct log_session *ls;
        int r;

        r = kl_agent__log_opts_parse(kl_http_req_query(req), (int64_t)kl_now_realtime(), &o, &e);
        if (r < 0) {
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        if (!kl_agent__server_session_begin(s)) {
                (void)kl_err_set_msg(&e, -KL_ETOO_MANY_REQUESTS,
                                     "too many log streams, try again later");
                kl_agent__respond_error(req, e, NULL, NULL);
                return;
        }
        ls = kl_new0(struct log_session);
        ls->srv = s;
        ls->req = kl_http_req_ref(req);
        ls->rt = kl_agent__server_runtime(s);
        ls->ns = kl_strdup(ns);
        ls->pod = kl_strdup(pod);
        ls->ctr = kl_strdup(ctr);
        ls->opts = o;
        ls->fd = -EBADF;
        ls->refs = 1;
        kl_agent__log_reader_init(&ls->reader, &o);
        kl_buf_init(&ls->out, SIZE_MAX);
        uv_timer_init(kl_agent__server_loop(s), &ls->timer);
        ls->timer.data = ls;
        ls->pending_closes = 1;
        r = kl_http_req_add_close_hook(req, &ls->hook, on_close_hook, ls);
        if (r < 0) {
                session_end(ls);
                return;
        }
        ls->step = STEP_OPEN;
        run_step(ls);
}
