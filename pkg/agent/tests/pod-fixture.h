/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixtures shared by test-pod-plan.c and test-pod-status.c: a pod from a
 * compact spec, and the runtime's containers and the worker's per-container
 * info from one-line descriptions, so that each table row reads as the
 * situation it tests.
 *
 * Containers: space-separated "[i:]NAME.ATTEMPT=STATE" where "i:" marks an
 * init container and STATE is R (running), C (created), U (unknown) or
 * X<code> (exited with that code), followed by any of @<sec> (finished at
 * T0 + sec; default T0 - 10 s), # (created from another spec: stale hash),
 * s<sig> (killed by a signal), o (OOM-killed), ! (its start failed), m
 * (a termination message "bye"), b (a termination message that is not
 * UTF-8). Ids are NAME.ATTEMPT.
 *
 * Infos: space-separated "[i:]NAME:flag,flag" with flags nostart, noready,
 * live (liveness failed), startup (startup probe failed), bo=<sec>@<sec>
 * (back-off delay, raised at T0 + sec), why=<reason> (waiting reason, with
 * the message "why: <reason>").
 */
#ifndef KL_AGENT_TESTS_POD_FIXTURE_H
#define KL_AGENT_TESTS_POD_FIXTURE_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"

#include "agent/pod-internal.h"
#include "json/json.h"

#define SEC ((int64_t)KL_USEC_PER_SEC)
#define T0  ((int64_t)1750000000 * SEC) /* 2025-06-15T15:06:40Z */

struct fixture {
        json_t *pod;
        struct kl_agent__ctr ctrs[16];
        size_t n_ctrs;
        struct kl_agent__ctr_info info[16];
        size_t n_info;
        struct kl_agent__pod_obs obs;
};

/* JSON text with ' for " (test tables stay readable). */
static inline json_t *jq(const char *text)
{
        kl_autofree char *t = kl_strdup(text);
        json_error_t e;
        json_t *v;

        for (char *p = t; *p; p++)
                if (*p == '\'')
                        *p = '"';
        v = json_loads(t, JSON_DECODE_ANY, &e);
        cr_assert(v, "bad test JSON: %s: %s", e.text, t);
        return v;
}

/*
 * A pod: `spec` is the spec's JSON ('-quoted), `meta` extra metadata members
 * (",'deletionTimestamp':'...'" or ""), `status` the status ('{}' if NULL).
 */
static inline json_t *fixture_pod(const char *spec, const char *meta, const char *status)
{
        kl_autofree char *t = kl_asprintf("{'metadata':{'name':'p','namespace':'ns','uid':'u1'%s},"
                                          "'spec':%s,'status':%s}",
                                          meta ? meta : "", spec, status ? status : "{}");

        return jq(t);
}

static inline const json_t *fixture_spec_container(const json_t *pod, bool init, const char *name)
{
        const json_t *c;
        size_t i;

        json_array_foreach(json_object_get(json_object_get(pod, "spec"),
                                           init ? "initContainers" : "containers"),
                           i, c)
                if (kl_streq_null(json_string_value(json_object_get(c, "name")), name))
                        return c;
        return NULL;
}

/* A decimal number with an optional '-' at *p; *p moves past it. */
static inline long long fixture_num(char **p)
{
        long long v = 0;
        bool neg = **p == '-';

        if (neg)
                (*p)++;
        cr_assert(**p >= '0' && **p <= '9', "number expected at '%s'", *p);
        while (**p >= '0' && **p <= '9')
                v = v * 10 + (*(*p)++ - '0');
        return neg ? -v : v;
}

static inline void fixture_ctrs(struct fixture *f, const char *desc)
{
        kl_autostrv char **words = kl_strv_split(desc ? desc : "", ' ');

        for (size_t w = 0; words && words[w]; w++) {
                struct kl_agent__ctr *c = &f->ctrs[f->n_ctrs++];
                char *s = words[w], *dot, *eq, *p;
                bool init = false, stale = false;
                const json_t *spec;

                if (!*s) {
                        f->n_ctrs--;
                        continue;
                }
                cr_assert(f->n_ctrs <= KL_ARRAY_SIZE(f->ctrs));
                if (kl_startswith(s, "i:")) {
                        init = true;
                        s += 2;
                }
                eq = strchr(s, '=');
                cr_assert(eq, "bad container description '%s'", s);
                *eq = '\0';
                dot = strrchr(s, '.');
                cr_assert(dot);
                *dot = '\0';
                memset(c, 0, sizeof(*c));
                c->name = kl_strdup(s);
                {
                        char *a = dot + 1;

                        c->attempt = (unsigned)fixture_num(&a);
                }
                c->id = kl_asprintf("%s.%u", s, c->attempt);
                c->kind = init ? KL_AGENT__CTR_INIT : KL_AGENT__CTR_APP;
                c->created_usec = T0 - 200 * SEC + c->attempt * SEC;
                c->started_usec = T0 - 100 * SEC;
                p = eq + 1;
                switch (*p++) {
                case 'R':
                        c->status = KL_CTR_RUNNING;
                        break;
                case 'C':
                        c->status = KL_CTR_CREATED;
                        c->started_usec = 0;
                        break;
                case 'U':
                        c->status = KL_CTR_UNKNOWN;
                        break;
                case 'X':
                        c->status = KL_CTR_STOPPED;
                        c->exit_code = (int)fixture_num(&p);
                        c->finished_usec = T0 - 10 * SEC;
                        break;
                default:
                        cr_assert_fail("bad state in '%s'", eq + 1);
                }
                while (*p) {
                        switch (*p++) {
                        case '@':
                                c->finished_usec = T0 + fixture_num(&p) * SEC;
                                break;
                        case '#':
                                stale = true;
                                break;
                        case 's':
                                c->signal = (int)fixture_num(&p);
                                break;
                        case 'o':
                                c->oom_killed = true;
                                break;
                        case '!':
                                c->error = kl_strdup(
                                        "exec: \"nope\": executable file not found in $PATH");
                                c->started_usec = 0;
                                break;
                        case 'm':
                                c->message = kl_strdup("bye");
                                break;
                        case 'b':
                                c->message = kl_strdup("bad \xff\xc3( end");
                                break;
                        default:
                                cr_assert_fail("bad flag in '%s'", eq + 1);
                        }
                }
                spec = fixture_spec_container(f->pod, init, c->name);
                c->hash = stale || !spec ? kl_strdup("0") : kl_agent__ctr_hash(spec);
                c->image = kl_strdup(spec && json_string_value(json_object_get(spec, "image"))
                                             ? json_string_value(json_object_get(spec, "image"))
                                             : "busybox");
                c->image_ref = kl_asprintf("docker.io/library/%s@sha256:abcd", c->image);
        }
}

static inline void fixture_info(struct fixture *f, const char *desc)
{
        kl_autostrv char **words = kl_strv_split(desc ? desc : "", ' ');

        for (size_t w = 0; words && words[w]; w++) {
                struct kl_agent__ctr_info *i;
                char *s = words[w], *colon;
                bool init = false;
                kl_autostrv char **flags = NULL;

                if (!*s)
                        continue;
                i = &f->info[f->n_info++];
                cr_assert(f->n_info <= KL_ARRAY_SIZE(f->info));
                if (kl_startswith(s, "i:")) {
                        init = true;
                        s += 2;
                }
                colon = strchr(s, ':');
                if (colon)
                        *colon = '\0';
                *i = (struct kl_agent__ctr_info){
                        .name = kl_strdup(s),
                        .kind = init ? KL_AGENT__CTR_INIT : KL_AGENT__CTR_APP,
                        .started = true,
                        .ready = true,
                };
                flags = kl_strv_split(colon ? colon + 1 : "", ',');
                for (size_t k = 0; flags && flags[k]; k++) {
                        const char *fl = flags[k], *v;

                        if (kl_streq(fl, "nostart"))
                                i->started = false;
                        else if (kl_streq(fl, "noready"))
                                i->ready = false;
                        else if (kl_streq(fl, "live"))
                                i->liveness_failed = true;
                        else if (kl_streq(fl, "startup"))
                                i->startup_failed = true;
                        else if ((v = kl_startswith(fl, "bo="))) {
                                char *end = (char *)v;

                                i->backoff = (kl_usec_t)fixture_num(&end) * KL_USEC_PER_SEC;
                                cr_assert(*end++ == '@');
                                i->backoff_updated_usec = T0 + fixture_num(&end) * SEC;
                        } else if ((v = kl_startswith(fl, "why="))) {
                                i->waiting_reason = kl_strdup(v);
                                i->waiting_message = kl_asprintf("why: %s", v);
                        } else if (*fl) {
                                cr_assert_fail("bad info flag '%s'", fl);
                        }
                }
        }
}

static inline void fixture_init(struct fixture *f, json_t *pod, bool sandbox, const char *ctrs,
                                const char *info)
{
        memset(f, 0, sizeof(*f));
        f->pod = pod;
        fixture_ctrs(f, ctrs);
        fixture_info(f, info);
        f->obs = (struct kl_agent__pod_obs){
                .pod = f->pod,
                .sandbox = sandbox,
                .ctrs = f->ctrs,
                .n_ctrs = f->n_ctrs,
                .info = f->info,
                .n_info = f->n_info,
        };
}

static inline void fixture_release(struct fixture *f)
{
        for (size_t i = 0; i < f->n_ctrs; i++)
                kl_agent__ctr_release(&f->ctrs[i]);
        for (size_t i = 0; i < f->n_info; i++)
                kl_agent__ctr_info_release(&f->info[i]);
        json_decref(f->pod);
        memset(f, 0, sizeof(*f));
}

#endif
