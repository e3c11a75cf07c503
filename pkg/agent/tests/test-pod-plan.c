/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod planner against upstream's computePodActions and the pod
 * worker's termination path: the sandbox, init containers in order,
 * sidecars, app containers and restartPolicy, liveness/startup failures and
 * spec changes, the restart back-off (upstream's flowcontrol.Backoff and
 * doBackOff, with CrashLoopBackOff's message), deletion and its grace
 * period, terminal pods, activeDeadlineSeconds, and which dead containers
 * are removed. Also the agent's container labels and spec hash.
 *
 * Each table row is a situation (pod, sandbox, containers, infos, now) and
 * the plan it must give, written as a one-line summary:
 *   sandbox kill_pod kill=[ID,...] start=[[i:]NAME#ATTEMPT[r],...]
 *   wait=[[i:]NAME,...] rm=[ID,...] wake=+SEC reason=R
 */
#include "pod-fixture.h"

static const char *const APP = "{'containers':[{'name':'web','image':'nginx'}]}";

static char *summary(const struct kl_agent__plan *p)
{
        kl_autobuf struct kl_buf b = KL_BUF_INIT;

#define SEP() (b.len ? " " : "")
        if (p->create_sandbox)
                (void)kl_buf_printf(&b, "%ssandbox", SEP());
        if (p->kill_pod)
                (void)kl_buf_printf(&b, "%skill_pod", SEP());
        if (p->n_kill) {
                (void)kl_buf_printf(&b, "%skill=[", SEP());
                for (size_t i = 0; i < p->n_kill; i++)
                        (void)kl_buf_printf(&b, "%s%s", i ? "," : "", p->kill[i].id);
                (void)kl_buf_puts(&b, "]");
        }
        if (p->n_start) {
                (void)kl_buf_printf(&b, "%sstart=[", SEP());
                for (size_t i = 0; i < p->n_start; i++)
                        (void)kl_buf_printf(&b, "%s%s%s#%u%s", i ? "," : "",
                                            p->start[i].kind == KL_AGENT__CTR_INIT ? "i:" : "",
                                            p->start[i].name, p->start[i].attempt,
                                            p->start[i].restart ? "r" : "");
                (void)kl_buf_puts(&b, "]");
        }
        if (p->n_waiting) {
                (void)kl_buf_printf(&b, "%swait=[", SEP());
                for (size_t i = 0; i < p->n_waiting; i++)
                        (void)kl_buf_printf(&b, "%s%s%s", i ? "," : "",
                                            p->waiting[i].kind == KL_AGENT__CTR_INIT ? "i:" : "",
                                            p->waiting[i].name);
                (void)kl_buf_puts(&b, "]");
        }
        if (p->remove) {
                (void)kl_buf_printf(&b, "%srm=[", SEP());
                for (size_t i = 0; p->remove[i]; i++)
                        (void)kl_buf_printf(&b, "%s%s", i ? "," : "", p->remove[i]);
                (void)kl_buf_puts(&b, "]");
        }
        if (p->wake_usec)
                (void)kl_buf_printf(&b, "%swake=%+lld", SEP(),
                                    (long long)((p->wake_usec - T0) / SEC));
        if (p->reason)
                (void)kl_buf_printf(&b, "%sreason=%s", SEP(), p->reason);
#undef SEP
        return kl_buf_detach(&b, NULL);
}

struct plan_case {
        const char *what;
        const char *spec;   /* '-quoted JSON; NULL: APP with restartPolicy Always */
        const char *meta;   /* extra metadata members, or NULL */
        const char *status; /* the pod's status, or NULL */
        bool sandbox;
        const char *ctrs, *info;
        int64_t now; /* seconds after T0 */
        const char *want;
};

static void run_cases(const struct plan_case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const struct plan_case *c = &cases[i];
                struct fixture f;
                struct kl_agent__plan p;
                kl_autofree char *got = NULL;

                fixture_init(&f, fixture_pod(c->spec ? c->spec : APP, c->meta, c->status),
                             c->sandbox, c->ctrs, c->info);
                kl_agent__pod_plan(&f.obs, NULL, T0 + c->now * SEC, &p);
                got = summary(&p);
                cr_expect_str_eq(got, c->want, "%s", c->what);
                kl_agent__plan_release(&p);
                fixture_release(&f);
        }
}

/* The plan of one situation, for tests that look at more than the summary. */
static void plan_of(struct fixture *f, const char *spec, const char *meta, const char *status,
                    bool sandbox, const char *ctrs, const char *info, int64_t now,
                    struct kl_agent__plan *ret)
{
        fixture_init(f, fixture_pod(spec, meta, status), sandbox, ctrs, info);
        kl_agent__pod_plan(&f->obs, NULL, T0 + now * SEC, ret);
}

#define INITS                                                    \
        "{'initContainers':[{'name':'setup','image':'busybox'}," \
        "{'name':'migrate','image':'busybox'}],"                 \
        "'containers':[{'name':'web','image':'nginx'}]}"
#define INITS_NEVER                                                                      \
        "{'restartPolicy':'Never','initContainers':[{'name':'setup','image':'busybox'}," \
        "{'name':'migrate','image':'busybox'}],"                                         \
        "'containers':[{'name':'web','image':'nginx'}]}"
#define SIDECAR                                                                      \
        "{'initContainers':[{'name':'sc','image':'envoy','restartPolicy':'Always'}," \
        "{'name':'setup','image':'busybox'}],"                                       \
        "'containers':[{'name':'web','image':'nginx'}]}"
#define TWO_APPS(policy)                                                              \
        "{'restartPolicy':'" policy "','containers':[{'name':'web','image':'nginx'}," \
        "{'name':'log','image':'busybox'}]}"
#define ONE_APP(policy) \
        "{'restartPolicy':'" policy "','containers':[{'name':'web','image':'nginx'}]}"

Test(pod_plan, sandbox)
{
        static const struct plan_case cases[] = {
                { "a new pod starts every app container with its sandbox", TWO_APPS("Always"), NULL,
                  NULL, false, "", "", 0, "sandbox start=[web#0,log#0]" },
                { "a new pod with init containers starts only the first", INITS, NULL, NULL, false,
                  "", "", 0, "sandbox start=[i:setup#0]" },
                { "a sandbox that went away: kill what runs, start over from init", INITS, NULL,
                  NULL, false, "i:setup.0=X0 i:migrate.0=X0 web.0=R", "", 0,
                  "sandbox kill=[web.0] start=[i:setup#1r] rm=[setup.0,migrate.0]" },
                { "a new sandbox: every dead init container of the old one goes", INITS, NULL, NULL,
                  false, "i:setup.0=X1@-300 i:setup.1=X0@-200 i:migrate.0=X0 web.0=X137", "", 0,
                  "sandbox start=[i:setup#2r] rm=[setup.0,setup.1,migrate.0]" },
                { "a sandbox that went away under Never: the pod is over", ONE_APP("Never"), NULL,
                  NULL, false, "web.0=R", "", 0, "kill_pod kill=[web.0]" },
                { "OnFailure, all succeeded, sandbox gone: nothing to start again",
                  ONE_APP("OnFailure"), NULL, NULL, false, "web.0=X0", "", 0, "kill_pod" },
                { "OnFailure, sandbox gone: only the failed containers start",
                  TWO_APPS("OnFailure"), NULL, NULL, false, "web.0=X0 log.0=X1", "", 0,
                  "sandbox start=[log#1r]" },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_plan, init_containers_in_order)
{
        static const struct plan_case cases[] = {
                { "the first init container runs: wait", INITS, NULL, NULL, true, "i:setup.0=R", "",
                  0, "" },
                { "the first exited 0: the second starts", INITS, NULL, NULL, true, "i:setup.0=X0",
                  "", 0, "start=[i:migrate#0]" },
                { "the last exited 0: the app containers start", INITS, NULL, NULL, true,
                  "i:setup.0=X0 i:migrate.0=X0", "", 0, "start=[web#0]" },
                { "a failed init container restarts (Always)", INITS, NULL, NULL, true,
                  "i:setup.0=X1", "", 0, "start=[i:setup#1r]" },
                { "a failed init container under Never fails the pod", INITS_NEVER, NULL, NULL,
                  true, "i:setup.0=X1", "", 0, "kill_pod" },
                { "the init container that failed before is running again: wait", INITS, NULL, NULL,
                  true, "i:setup.0=X1 i:setup.1=R", "", 0, "" },
                { "an init container in unknown state is killed and restarted", INITS, NULL, NULL,
                  true, "i:setup.0=U", "", 0, "kill=[setup.0] start=[i:setup#1]" },
                { "init done once (an app container runs): init containers are not run again",
                  INITS, NULL, NULL, true, "web.0=R", "", 0, "" },
                { "a start that failed before a container existed is retried", INITS, NULL, NULL,
                  true, "", "i:setup:why=ErrImagePull", 0, "start=[i:setup#0]" },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_plan, sidecars)
{
        static const struct plan_case cases[] = {
                { "the sidecar starts first", SIDECAR, NULL, NULL, true, "", "", 0,
                  "start=[i:sc#0]" },
                { "a sidecar that has not started (startup probe) holds the next one", SIDECAR,
                  NULL, NULL, true, "i:sc.0=R", "i:sc:nostart", 0, "" },
                { "a started sidecar lets the next init container start", SIDECAR, NULL, NULL, true,
                  "i:sc.0=R", "", 0, "start=[i:setup#0]" },
                { "the sidecar keeps running while the app runs", SIDECAR, NULL, NULL, true,
                  "i:sc.0=R i:setup.0=X0 web.0=R", "", 0, "" },
                { "a sidecar that exited restarts, also after init", SIDECAR, NULL, NULL, true,
                  "i:sc.0=X1 i:setup.0=X0 web.0=R", "", 0, "start=[i:sc#1r]" },
                { "a sidecar that exited 0 restarts too", SIDECAR, NULL, NULL, true,
                  "i:sc.0=X0 i:setup.0=X0 web.0=R", "", 0, "start=[i:sc#1r]" },
                { "a sidecar whose liveness probe failed is killed", SIDECAR, NULL, NULL, true,
                  "i:sc.0=R i:setup.0=X0 web.0=R", "i:sc:live", 0, "kill=[sc.0]" },
                { "and restarted once it has exited", SIDECAR, NULL, NULL, true,
                  "i:sc.0=X137 i:setup.0=X0 web.0=R", "i:sc:live", 0, "start=[i:sc#1r]" },
                { "a sidecar whose startup probe failed is killed", SIDECAR, NULL, NULL, true,
                  "i:sc.0=R", "i:sc:startup,nostart", 0, "kill=[sc.0]" },
                { "and restarted once it has exited", SIDECAR, NULL, NULL, true, "i:sc.0=X143",
                  "i:sc:startup,nostart", 0, "start=[i:sc#1r]" },
                { "a sidecar whose spec changed is killed and restarted", SIDECAR, NULL, NULL, true,
                  "i:sc.0=R# i:setup.0=X0 web.0=R", "", 0, "kill=[sc.0] start=[i:sc#1]" },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_plan, app_containers_and_restart_policy)
{
        static const struct plan_case cases[] = {
                { "all app containers start together, in spec order", TWO_APPS("Always"), NULL,
                  NULL, true, "", "", 0, "start=[web#0,log#0]" },
                { "running: nothing to do", ONE_APP("Always"), NULL, NULL, true, "web.0=R", "", 0,
                  "" },
                { "Always restarts a container that exited 0", TWO_APPS("Always"), NULL, NULL, true,
                  "web.0=X0 log.0=R", "", 0, "start=[web#1r]" },
                { "OnFailure restarts a failed container", TWO_APPS("OnFailure"), NULL, NULL, true,
                  "web.0=X2 log.0=R", "", 0, "start=[web#1r]" },
                { "OnFailure does not restart one that succeeded", TWO_APPS("OnFailure"), NULL,
                  NULL, true, "web.0=X0 log.0=R", "", 0, "" },
                { "Never does not restart", TWO_APPS("Never"), NULL, NULL, true, "web.0=X1 log.0=R",
                  "", 0, "" },
                { "a start error counts as a failure", TWO_APPS("Never"), NULL, NULL, true,
                  "web.0=X127! log.0=R", "", 0, "" },
                { "a container left created is killed and started again", ONE_APP("Always"), NULL,
                  NULL, true, "web.0=C", "", 0, "kill=[web.0] start=[web#1]" },
                { "an older attempt that still runs is stopped (again, until it has)",
                  ONE_APP("Always"), NULL, NULL, true, "web.0=R web.1=R", "", 0, "kill=[web.0]" },
                { "a container in unknown state is killed and started again, even under Never",
                  ONE_APP("Never"), NULL, NULL, true, "web.0=U", "", 0,
                  "kill=[web.0] start=[web#1]" },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_plan, liveness_startup_and_spec_changes)
{
        static const struct plan_case cases[] = {
                { "liveness failed: kill; no second attempt while the first runs",
                  ONE_APP("Always"), NULL, NULL, true, "web.0=R", "web:live", 0, "kill=[web.0]" },
                { "once it has exited, the next attempt starts", ONE_APP("Always"), NULL, NULL,
                  true, "web.0=X137", "web:live", 0, "start=[web#1r]" },
                { "startup failed: the same", ONE_APP("OnFailure"), NULL, NULL, true, "web.0=R",
                  "web:startup,nostart", 0, "kill=[web.0]" },
                { "restarted under OnFailure even when it exited 0 on SIGTERM",
                  ONE_APP("OnFailure"), NULL, NULL, true, "web.0=X0", "web:startup,nostart", 0,
                  "start=[web#1r]" },
                { "liveness failed under Never: killed, not restarted, the pod is over",
                  ONE_APP("Never"), NULL, NULL, true, "web.0=R", "web:live", 0,
                  "kill_pod kill=[web.0]" },
                { "liveness failed under Never with another container running: killed only",
                  TWO_APPS("Never"), NULL, NULL, true, "web.0=R log.0=R", "web:live", 0,
                  "kill=[web.0]" },
                { "the restart goes through the back-off", ONE_APP("Always"), NULL, NULL, true,
                  "web.0=X1@-100 web.1=X137@-5", "web:live,bo=10@-60", 0,
                  "wait=[web] rm=[web.0] wake=+5" },
                { "the spec changed: restarted whatever the policy", ONE_APP("Never"), NULL, NULL,
                  true, "web.0=R#", "", 0, "kill=[web.0] start=[web#1]" },
        };
        struct fixture f;
        struct kl_agent__plan p;

        run_cases(cases, KL_ARRAY_SIZE(cases));

        /* The Killing event's words and the grace periods are upstream's. */
        plan_of(&f,
                "{'terminationGracePeriodSeconds':45,'containers':[{'name':'web','image':'nginx',"
                "'livenessProbe':{'exec':{'command':['true']},'terminationGracePeriodSeconds':7}}]}",
                NULL, NULL, true, "web.0=R", "web:live", 0, &p);
        cr_assert_eq(p.n_kill, 1);
        cr_expect_str_eq(p.kill[0].message,
                         "Container web failed liveness probe, will be restarted");
        cr_expect_str_eq(p.kill[0].name, "web");
        cr_expect_eq(p.kill[0].kind, KL_AGENT__CTR_APP);
        cr_expect_eq(p.kill[0].grace_sec, 7, "the probe's terminationGracePeriodSeconds wins");
        kl_agent__plan_release(&p);
        fixture_release(&f);

        plan_of(&f,
                "{'terminationGracePeriodSeconds':45,'containers':[{'name':'web','image':'nginx'}]}",
                NULL, NULL, true, "web.0=R#", "", 0, &p);
        cr_assert_eq(p.n_kill, 1);
        cr_expect_str_eq(p.kill[0].message, "Container web definition changed, will be restarted");
        cr_expect_eq(p.kill[0].grace_sec, 45);
        kl_agent__plan_release(&p);
        fixture_release(&f);

        plan_of(&f,
                "{'terminationGracePeriodSeconds':0,'containers':[{'name':'web','image':'nginx'}]}",
                NULL, NULL, true, "web.0=R", "web:startup", 0, &p);
        cr_assert_eq(p.n_kill, 1);
        cr_expect_str_eq(p.kill[0].message,
                         "Container web failed startup probe, will be restarted");
        cr_expect_eq(p.kill[0].grace_sec, 2, "upstream's minimum for a kill of a running pod");
        kl_agent__plan_release(&p);
        fixture_release(&f);

        plan_of(&f,
                "{'restartPolicy':'Never','containers':[{'name':'web','image':'nginx'},"
                "{'name':'log','image':'busybox'}]}",
                NULL, NULL, true, "web.0=R log.0=R", "web:live", 0, &p);
        cr_assert_eq(p.n_kill, 1);
        cr_expect_str_eq(p.kill[0].message, "Container web failed liveness probe");
        kl_agent__plan_release(&p);
        fixture_release(&f);
}

Test(pod_plan, backoff)
{
        static const struct plan_case cases[] = {
                { "the first restart is immediate (no back-off yet)", ONE_APP("Always"), NULL, NULL,
                  true, "web.0=X1", "", 0, "start=[web#1r]" },
                { "within the back-off after it finished: wait, wake at its end", ONE_APP("Always"),
                  NULL, NULL, true, "web.0=X1@-5", "web:bo=10@-60", 0, "wait=[web] wake=+5" },
                { "the back-off has passed: restart", ONE_APP("Always"), NULL, NULL, true,
                  "web.0=X1@-10", "web:bo=10@-60", 0, "start=[web#1r]" },
                { "only the newest dead attempt counts", ONE_APP("Always"), NULL, NULL, true,
                  "web.0=X1@-100 web.1=X1@-15", "web:bo=20@-60", 0,
                  "wait=[web] rm=[web.0] wake=+5" },
                { "a back-off not raised for 2 x max is forgotten", ONE_APP("Always"), NULL, NULL,
                  true, "web.0=X1@-5", "web:bo=300@-1000", 0, "start=[web#1r]" },
                { "a pull that failed waits for the back-off since it was raised",
                  ONE_APP("Always"), NULL, NULL, true, "", "web:why=ErrImagePull,bo=20@-5", 0,
                  "wait=[web] wake=+15" },
                { "and is retried after it", ONE_APP("Always"), NULL, NULL, true, "",
                  "web:why=ImagePullBackOff,bo=20@-25", 0, "start=[web#0]" },
                { "init containers back off too", INITS, NULL, NULL, true, "i:setup.0=X1@-5",
                  "i:setup:bo=10@-60", 0, "wait=[i:setup] wake=+5" },
                { "the earliest back-off end wakes the worker", TWO_APPS("Always"), NULL, NULL,
                  true, "web.0=X1@-5 log.0=X1@-1", "web:bo=40@-60 log:bo=10@-60", 0,
                  "wait=[web,log] wake=+9" },
        };
        static const struct {
                int64_t backoff, updated, finished; /* seconds after T0 */
                const char *want;
        } messages[] = {
                { 10, -60, -1, "back-off 10s restarting failed container=web pod=p_ns(u1)" },
                { 20, -60, -1, "back-off 20s restarting failed container=web pod=p_ns(u1)" },
                { 80, -60, -1, "back-off 1m20s restarting failed container=web pod=p_ns(u1)" },
                { 160, -60, -1, "back-off 2m40s restarting failed container=web pod=p_ns(u1)" },
                { 300, -60, -1, "back-off 5m0s restarting failed container=web pod=p_ns(u1)" },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
        for (size_t i = 0; i < KL_ARRAY_SIZE(messages); i++) {
                kl_autofree char *ctrs =
                        kl_asprintf("web.0=X1@%lld", (long long)messages[i].finished);
                kl_autofree char *info =
                        kl_asprintf("web:bo=%lld@%lld", (long long)messages[i].backoff,
                                    (long long)messages[i].updated);
                struct fixture f;
                struct kl_agent__plan p;

                plan_of(&f, ONE_APP("Always"), NULL, NULL, true, ctrs, info, 0, &p);
                cr_assert_eq(p.n_waiting, 1);
                cr_expect_str_eq(p.waiting[0].message, messages[i].want);
                cr_expect_eq(p.waiting[0].kind, KL_AGENT__CTR_APP);
                cr_expect_eq(p.wake_usec, T0 + (messages[i].finished + messages[i].backoff) * SEC);
                kl_agent__plan_release(&p);
                fixture_release(&f);
        }

        {
                struct fixture f;
                struct kl_agent__plan p;

                plan_of(&f, ONE_APP("Always"), NULL, NULL, true, "",
                        "web:why=ErrImagePull,bo=20@-5", 0, &p);
                cr_assert_eq(p.n_waiting, 1);
                cr_expect_str_eq(p.waiting[0].message, "Back-off pulling image \"nginx\"");
                kl_agent__plan_release(&p);
                fixture_release(&f);
        }
}

Test(pod_plan, backoff_next)
{
        /* Upstream's Backoff.Next: base, doubling to max, forgotten after 2 x max. */
        static const struct {
                int64_t at;   /* seconds after T0 */
                int64_t want; /* seconds */
        } steps[] = {
                { 0, 10 },
                { 20, 20 },
                { 50, 40 },
                { 100, 80 },
                { 200, 160 },
                { 400, 300 },
                { 800, 300 },
                { 1000, 300 },
                /* not raised for more than 600 s: starts over */
                { 1601, 10 },
                { 1602, 20 },
        };
        struct kl_agent__ctr_info info = { 0 };
        struct kl_agent__backoff_opts fast = { .base = 1 * KL_USEC_PER_SEC,
                                               .max = 4 * KL_USEC_PER_SEC };

        for (size_t i = 0; i < KL_ARRAY_SIZE(steps); i++) {
                kl_agent__backoff_next(&info, NULL, T0 + steps[i].at * SEC);
                cr_expect_eq(info.backoff, (kl_usec_t)steps[i].want * KL_USEC_PER_SEC, "step %zu",
                             i);
                cr_expect_eq(info.backoff_updated_usec, T0 + steps[i].at * SEC);
        }

        /* Shortened settings, as the kubelet's tests use. */
        memset(&info, 0, sizeof(info));
        kl_agent__backoff_next(&info, &fast, T0);
        cr_expect_eq(info.backoff, 1 * KL_USEC_PER_SEC);
        kl_agent__backoff_next(&info, &fast, T0 + SEC);
        kl_agent__backoff_next(&info, &fast, T0 + 2 * SEC);
        kl_agent__backoff_next(&info, &fast, T0 + 3 * SEC);
        cr_expect_eq(info.backoff, 4 * KL_USEC_PER_SEC);
        kl_agent__backoff_next(&info, &fast, T0 + 12 * SEC);
        cr_expect_eq(info.backoff, 1 * KL_USEC_PER_SEC);
}

#define DELETED(grace) \
        ",'deletionTimestamp':'2025-06-15T15:07:10Z','deletionGracePeriodSeconds':" grace
#define SIDECARS                                                      \
        "{'terminationGracePeriodSeconds':20,'initContainers':["      \
        "{'name':'sc1','image':'envoy','restartPolicy':'Always'},"    \
        "{'name':'setup','image':'busybox'},"                         \
        "{'name':'sc2','image':'fluentd','restartPolicy':'Always'}]," \
        "'containers':[{'name':'web','image':'nginx'},{'name':'log','image':'busybox'}]}"

Test(pod_plan, pod_over)
{
        static const struct plan_case cases[] = {
                { "deleted: app containers are stopped first, sidecars wait", SIDECARS,
                  DELETED("30"), NULL, true, "i:sc1.0=R i:setup.0=X0 i:sc2.0=R web.0=R log.0=X0",
                  "", 0, "kill_pod kill=[web.0]" },
                { "deleted: with no app container running, the last sidecar goes first", SIDECARS,
                  DELETED("30"), NULL, true, "i:sc1.0=R i:setup.0=X0 i:sc2.0=R web.0=X0 log.0=X0",
                  "", 0, "kill_pod kill=[sc2.0]" },
                { "deleted: then the one before it", SIDECARS, DELETED("30"), NULL, true,
                  "i:sc1.0=R i:setup.0=X0 i:sc2.0=X137 web.0=X0 log.0=X0", "", 0,
                  "kill_pod kill=[sc1.0]" },
                { "deleted during init: the init container is stopped with the apps", SIDECARS,
                  DELETED("30"), NULL, true, "i:sc1.0=R i:setup.0=R", "", 0,
                  "kill_pod kill=[setup.0]" },
                { "deleted: nothing starts, not even a crashed container", ONE_APP("Always"),
                  DELETED("30"), NULL, true, "web.0=X1", "", 0, "kill_pod" },
                { "deleted without a sandbox: no sandbox is made", ONE_APP("Always"), DELETED("0"),
                  NULL, false, "", "", 0, "kill_pod" },
                { "terminal phase in the API: nothing starts again", ONE_APP("Always"), NULL,
                  "{'phase':'Succeeded'}", true, "web.0=X0", "", 0, "kill_pod" },
                { "Never, every app container ended: the last sidecar is stopped",
                  "{'restartPolicy':'Never','initContainers':[{'name':'sc','image':'envoy',"
                  "'restartPolicy':'Always'}],'containers':[{'name':'web','image':'nginx'}]}",
                  NULL, NULL, true, "i:sc.0=R web.0=X0", "", 0, "kill_pod kill=[sc.0]" },
                { "OnFailure, every app container succeeded: over", TWO_APPS("OnFailure"), NULL,
                  NULL, true, "web.0=X0 log.0=X0", "", 0, "kill_pod" },
                { "activeDeadlineSeconds not reached: wake at the deadline",
                  "{'activeDeadlineSeconds':60,'containers':[{'name':'web','image':'nginx'}]}",
                  NULL, "{'startTime':'2025-06-15T15:06:00Z'}", true, "web.0=R", "", 0,
                  "wake=+20" },
                { "activeDeadlineSeconds passed: the pod fails and is stopped",
                  "{'activeDeadlineSeconds':30,'containers':[{'name':'web','image':'nginx'}]}",
                  NULL, "{'startTime':'2025-06-15T15:06:00Z'}", true, "web.0=R", "", 0,
                  "kill_pod kill=[web.0] reason=DeadlineExceeded" },
        };
        static const struct {
                const char *spec, *meta;
                int64_t want;
        } graces[] = {
                { "{'terminationGracePeriodSeconds':20,'containers':[{'name':'web','image':'x'}]}",
                  DELETED("5"), 5 },
                { "{'terminationGracePeriodSeconds':20,'containers':[{'name':'web','image':'x'}]}",
                  ",'deletionTimestamp':'2025-06-15T15:07:10Z'", 20 },
                { "{'containers':[{'name':'web','image':'x'}]}",
                  ",'deletionTimestamp':'2025-06-15T15:07:10Z'", 30 },
                { "{'containers':[{'name':'web','image':'x'}]}", DELETED("0"), 1 },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
        for (size_t i = 0; i < KL_ARRAY_SIZE(graces); i++) {
                struct fixture f;
                struct kl_agent__plan p;

                plan_of(&f, graces[i].spec, graces[i].meta, NULL, true, "web.0=R", "", 0, &p);
                cr_assert_eq(p.n_kill, 1);
                cr_expect_eq(p.kill[0].grace_sec, graces[i].want, "grace case %zu", i);
                cr_expect_str_eq(p.kill[0].message, "Stopping container web");
                cr_expect_eq(p.n_start, 0);
                kl_agent__plan_release(&p);
                fixture_release(&f);
        }

        {
                struct fixture f;
                struct kl_agent__plan p;

                plan_of(&f,
                        "{'activeDeadlineSeconds':30,'containers':[{'name':'web','image':'x'}]}",
                        NULL, "{'startTime':'2025-06-15T15:06:00Z'}", true, "web.0=R", "", 0, &p);
                cr_expect_str_eq(p.reason, "DeadlineExceeded");
                cr_expect_str_eq(p.message,
                                 "Pod was active on the node longer than the specified deadline");
                kl_agent__plan_release(&p);
                fixture_release(&f);
        }
}

Test(pod_plan, remove_keeps_the_newest_dead_attempt)
{
        static const struct plan_case cases[] = {
                { "older dead attempts go, the newest dead one stays for lastState",
                  ONE_APP("Always"), NULL, NULL, true, "web.0=X1@-300 web.1=X1@-200 web.2=R", "", 0,
                  "rm=[web.0]" },
                { "the newest dead attempt of each name stays", INITS, NULL, NULL, true,
                  "i:setup.0=X1@-300 i:setup.1=X0@-200 i:migrate.0=X0 web.0=R", "", 0,
                  "rm=[setup.0]" },
                { "a pod that is over still removes old attempts", ONE_APP("Always"), DELETED("30"),
                  NULL, true, "web.0=X1@-300 web.1=X137", "", 0, "kill_pod rm=[web.0]" },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

/* ------------------------------------------------------------------------- */
/* Labels and hashes */

static const char *const GOOD_LABELS[] = {
        KL_AGENT__LABEL_POD_UID "=u1",
        KL_AGENT__LABEL_POD_NAME "=p",
        KL_AGENT__LABEL_POD_NS "=ns",
        KL_AGENT__LABEL_CTR_NAME "=web",
        KL_AGENT__LABEL_ATTEMPT "=3",
        KL_AGENT__LABEL_HASH "=1a2b",
        KL_AGENT__LABEL_KIND "=init",
        KL_AGENT__LABEL_IMAGE_REF "=docker.io/library/nginx@sha256:ff",
};

/* The good labels, with the one whose key `replace` names replaced by it (NULL: none). */
static char **labels_with(const char *replace)
{
        char **v = NULL;

        for (size_t k = 0; k < KL_ARRAY_SIZE(GOOD_LABELS); k++) {
                size_t keylen = replace ? (size_t)(strchr(replace, '=') - replace) : 0;

                kl_strv_push(&v, replace && strncmp(GOOD_LABELS[k], replace, keylen + 1) == 0
                                         ? replace
                                         : GOOD_LABELS[k]);
        }
        return v;
}

Test(pod_obs, container_from_labels)
{
        kl_autostrv char **good = labels_with(NULL);
        kl_autofree char *id = kl_strdup("abc"), *image = kl_strdup("nginx");
        struct kl_ctr_state s = {
                .id = id,
                .image = image,
                .labels = good,
                .status = KL_CTR_STOPPED,
                .created_usec = 1,
                .started_usec = 2,
                .finished_usec = 3,
                .exit_code = 137,
                .signal = 9,
                .oom_killed = true,
                .error = NULL,
        };
        struct kl_agent__ctr c;
        static const struct {
                const char *label; /* replaces the label with the same key */
                int want;
        } bad[] = {
                { KL_AGENT__LABEL_ATTEMPT "=x", -EINVAL },
                { KL_AGENT__LABEL_ATTEMPT "=-1", -EINVAL },
                { KL_AGENT__LABEL_KIND "=sidecar", -EINVAL },
                { KL_AGENT__LABEL_HASH "=XYZ", -EINVAL },
                { KL_AGENT__LABEL_HASH "=", -EINVAL },
                { KL_AGENT__LABEL_CTR_NAME "=", -EINVAL },
                { KL_AGENT__LABEL_POD_UID "=", -EINVAL },
                { KL_AGENT__LABEL_KIND "=app", 0 },
        };

        cr_assert_eq(kl_agent__ctr_from_state(&s, &c), 0);
        cr_expect_str_eq(c.id, "abc");
        cr_expect_str_eq(c.name, "web");
        cr_expect_eq(c.kind, KL_AGENT__CTR_INIT);
        cr_expect_eq(c.attempt, 3);
        cr_expect_str_eq(c.hash, "1a2b");
        cr_expect_str_eq(c.image, "nginx");
        cr_expect_str_eq(c.image_ref, "docker.io/library/nginx@sha256:ff");
        cr_expect_eq(c.status, KL_CTR_STOPPED);
        cr_expect_eq(c.exit_code, 137);
        cr_expect_eq(c.signal, 9);
        cr_expect(c.oom_killed);
        cr_expect_eq(c.finished_usec, 3);
        kl_agent__ctr_release(&c);

        for (size_t i = 0; i < KL_ARRAY_SIZE(bad); i++) {
                kl_autostrv char **labels = labels_with(bad[i].label);

                s.labels = labels;
                memset(&c, 0, sizeof(c));
                cr_expect_eq(kl_agent__ctr_from_state(&s, &c), bad[i].want, "%s", bad[i].label);
                kl_agent__ctr_release(&c);
        }

        /* A container without the agent's labels is not the agent's. */
        s.labels = NULL;
        cr_expect_eq(kl_agent__ctr_from_state(&s, &c), -EINVAL);
        cr_expect_eq(kl_agent__ctr_from_state(NULL, &c), -EINVAL);
}

Test(pod_obs, spec_hash)
{
        json_auto_t *a = jq("{'name':'web','image':'nginx:1.27','ports':[{'containerPort':80}]}");
        json_auto_t *b = jq("{'image':'nginx:1.27','name':'web','env':[{'name':'X','value':'1'}]}");
        json_auto_t *c = jq("{'name':'web','image':'nginx:1.28'}");
        kl_autofree char *ha = kl_agent__ctr_hash(a), *hb = kl_agent__ctr_hash(b),
                         *hc = kl_agent__ctr_hash(c);

        /* FNV-1a 32 of {"image":"nginx:1.27","name":"web"}, as upstream's HashContainer. */
        cr_expect_str_eq(ha, hb, "only name and image are hashed");
        cr_expect_str_neq(ha, hc, "a new image changes the hash");
        for (const char *p = ha; *p; p++)
                cr_expect(strchr("0123456789abcdef", *p), "lowercase hex: %s", ha);
}

Test(pod_obs, latest_and_info)
{
        struct fixture f;

        fixture_init(&f, fixture_pod(INITS, NULL, NULL), true,
                     "web.1=X1 web.0=X1 web.2=R i:setup.0=X0", "web:noready i:setup:nostart");
        cr_expect_str_eq(kl_agent__obs_latest(&f.obs, KL_AGENT__CTR_APP, "web")->id, "web.2");
        cr_expect_str_eq(kl_agent__obs_latest(&f.obs, KL_AGENT__CTR_INIT, "setup")->id, "setup.0");
        cr_expect_null(kl_agent__obs_latest(&f.obs, KL_AGENT__CTR_APP, "setup"));
        cr_expect_null(kl_agent__obs_latest(&f.obs, KL_AGENT__CTR_INIT, "migrate"));
        cr_expect(!kl_agent__obs_info(&f.obs, KL_AGENT__CTR_APP, "web")->ready);
        cr_expect(!kl_agent__obs_info(&f.obs, KL_AGENT__CTR_INIT, "setup")->started);
        cr_expect_null(kl_agent__obs_info(&f.obs, KL_AGENT__CTR_APP, "setup"));
        fixture_release(&f);
}
