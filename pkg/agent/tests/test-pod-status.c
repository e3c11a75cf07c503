/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pod status against the kubelet's (v1.32): getPhase, the container
 * statuses of convertToAPIContainerStatuses (waiting reasons, running,
 * terminated, lastState, restartCount, ready/started from the probes,
 * imageID, containerID), the conditions in upstream's order with their
 * reasons, messages and transition times, readiness gates, IPs, startTime,
 * the terminal phase rules (deletion, deadline, never leaving Succeeded or
 * Failed), and GetPodQOS.
 *
 * Each table row is a situation and the exact JSON fields kubectl reads
 * (path = JSON text; "<absent>" for a field that must not be there).
 */
#include "pod-fixture.h"

#define NOW_TEXT "2025-06-15T15:06:40Z" /* T0 */
#define RUN_TEXT "2025-06-15T15:05:00Z" /* T0 - 100 s: when fixture containers started */

struct status_case {
        const char *what;
        const char *spec, *meta, *status;
        bool sandbox;
        const char *ctrs, *info;
        const char *checks[24][2]; /* path, JSON; ends at a NULL path */
};

#define APP(policy) "{'restartPolicy':'" policy "','containers':[{'name':'web','image':'nginx'}]}"
#define TWO_APPS(policy)                                                              \
        "{'restartPolicy':'" policy "','containers':[{'name':'web','image':'nginx'}," \
        "{'name':'log','image':'busybox'}]}"
#define INITS(policy)                                                                         \
        "{'restartPolicy':'" policy "','initContainers':[{'name':'setup','image':'busybox'}," \
        "{'name':'migrate','image':'busybox'}],'containers':[{'name':'web','image':'nginx'}]}"
#define SIDECAR                                                                      \
        "{'initContainers':[{'name':'sc','image':'envoy','restartPolicy':'Always'}," \
        "{'name':'setup','image':'busybox'}],'containers':[{'name':'web','image':'nginx'}]}"
#define DELETED ",'deletionTimestamp':'2025-06-15T15:07:10Z','deletionGracePeriodSeconds':30"

static json_t *status_of(const struct status_case *c, struct fixture *f)
{
        static const char *const pod_ips[] = { "10.42.0.7", NULL };
        struct kl_agent__status_ctx ctx = { .host_ip = "10.0.0.5", .pod_ips = pod_ips };
        struct kl_agent__plan plan;
        json_t *s;

        fixture_init(f, fixture_pod(c->spec, c->meta, c->status), c->sandbox, c->ctrs, c->info);
        kl_agent__pod_plan(&f->obs, NULL, T0, &plan);
        ctx.plan = &plan;
        s = kl_agent__pod_status(&f->obs, &ctx, T0);
        kl_agent__plan_release(&plan);
        return s;
}

static void check_fields(const char *what, const json_t *s, const char *const (*checks)[2])
{
        for (size_t k = 0; checks[k][0]; k++) {
                json_t *got = NULL;
                int r = kl_json_get(s, checks[k][0], &got, NULL);

                if (kl_streq(checks[k][1], "<absent>")) {
                        cr_expect_eq(r, -ENOENT, "%s: %s should be absent", what, checks[k][0]);
                        continue;
                }
                if (kl_streq(checks[k][1], "null")) {
                        /* kl_json_get() reads a JSON null as absent: look at the parent. */
                        const char *dot = strrchr(checks[k][0], '.');
                        kl_autofree char *parent =
                                kl_strndup(checks[k][0], dot ? (size_t)(dot - checks[k][0]) : 0);
                        json_t *obj = NULL;

                        cr_expect(kl_json_get(s, parent, &obj, NULL) == 0 &&
                                          json_is_null(json_object_get(obj, dot ? dot + 1 : "")),
                                  "%s: %s should be null", what, checks[k][0]);
                        continue;
                }
                {
                        json_auto_t *want = jq(checks[k][1]);
                        kl_autofree char *text =
                                got ? json_dumps(got, JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;

                        cr_expect(r == 0 && json_equal(got, want), "%s: %s is %s, want %s", what,
                                  checks[k][0], text ? text : "(absent)", checks[k][1]);
                }
        }
}

static void run_cases(const struct status_case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct fixture f;
                json_auto_t *s = status_of(&cases[i], &f);

                check_fields(cases[i].what, s, cases[i].checks);
                fixture_release(&f);
        }
}

Test(pod_status, a_new_pod)
{
        static const struct status_case cases[] = {
                { "no sandbox yet",
                  APP("Always"),
                  NULL,
                  NULL,
                  false,
                  "",
                  "",
                  { { "phase", "'Pending'" },
                    { "qosClass", "'BestEffort'" },
                    { "startTime", "'" NOW_TEXT "'" },
                    { "hostIP", "'10.0.0.5'" },
                    { "hostIPs", "[{'ip':'10.0.0.5'}]" },
                    { "podIP", "'10.42.0.7'" },
                    { "podIPs", "[{'ip':'10.42.0.7'}]" },
                    { "conditions[0]",
                      "{'type':'PodReadyToStartContainers','status':'False','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "'}" },
                    { "conditions[1]", "{'type':'Initialized','status':'True','lastProbeTime':null,"
                                       "'lastTransitionTime':'" NOW_TEXT "'}" },
                    { "conditions[2]",
                      "{'type':'Ready','status':'False','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "','reason':'ContainersNotReady',"
                      "'message':'containers with unready status: [web]'}" },
                    { "conditions[3]",
                      "{'type':'ContainersReady','status':'False','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "','reason':'ContainersNotReady',"
                      "'message':'containers with unready status: [web]'}" },
                    { "conditions[4]",
                      "{'type':'PodScheduled','status':'True','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "'}" },
                    { "conditions[5]", "<absent>" },
                    { "containerStatuses",
                      "[{'name':'web','state':{'waiting':{'reason':'ContainerCreating'}},"
                      "'lastState':{},'ready':false,'restartCount':0,'image':'nginx',"
                      "'imageID':'','started':false}]" },
                    { "initContainerStatuses", "<absent>" },
                    { "reason", "<absent>" },
                    { NULL } } },
                { "init container running",
                  INITS("Always"),
                  NULL,
                  NULL,
                  true,
                  "i:setup.0=R",
                  "",
                  { { "phase", "'Pending'" },
                    { "conditions[0].status", "'True'" },
                    { "conditions[1]",
                      "{'type':'Initialized','status':'False','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "','reason':'ContainersNotInitialized',"
                      "'message':'containers with incomplete status: [setup migrate]'}" },
                    { "initContainerStatuses[0]",
                      "{'name':'setup','state':{'running':{'startedAt':'" RUN_TEXT "'}},"
                      "'lastState':{},'ready':false,'restartCount':0,'image':'busybox',"
                      "'imageID':'docker.io/library/busybox@sha256:abcd',"
                      "'containerID':'kube-lite://setup.0','started':true}" },
                    { "initContainerStatuses[1].state",
                      "{'waiting':{'reason':'PodInitializing'}}" },
                    { "containerStatuses[0].state", "{'waiting':{'reason':'PodInitializing'}}" },
                    { NULL } } },
                { "init done, app running",
                  INITS("Always"),
                  NULL,
                  NULL,
                  true,
                  "i:setup.0=X0 i:migrate.0=X0 web.0=R",
                  "",
                  { { "phase", "'Running'" },
                    { "conditions[1].status", "'True'" },
                    { "conditions[2].status", "'True'" },
                    { "initContainerStatuses[1].ready", "true" },
                    { "initContainerStatuses[1].started", "false" },
                    { "initContainerStatuses[1].state.terminated.reason", "'Completed'" },
                    { "initContainerStatuses[1].state.terminated.exitCode", "0" },
                    { NULL } } },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_status, running_and_transition_times)
{
        static const struct status_case cases[] = {
                { "running and ready: times kept while the status holds",
                  "{'readinessGates':[{'conditionType':'example.com/gate'}],"
                  "'containers':[{'name':'web','image':'nginx','resources':{'requests':{'cpu':'1'}}}]}",
                  NULL,
                  "{'phase':'Running','startTime':'2025-06-15T15:00:00Z','qosClass':'Burstable',"
                  "'nominatedNodeName':'n1','conditions':["
                  "{'type':'Ready','status':'True','lastProbeTime':null,"
                  "'lastTransitionTime':'2025-06-15T15:01:00Z'},"
                  "{'type':'ContainersReady','status':'False','lastProbeTime':null,"
                  "'lastTransitionTime':'2025-06-15T15:01:00Z'},"
                  "{'type':'PodScheduled','status':'True','lastProbeTime':null,"
                  "'lastTransitionTime':'2025-06-15T14:59:00Z'},"
                  "{'type':'example.com/gate','status':'True',"
                  "'lastTransitionTime':'2025-06-15T15:00:30Z'}]}",
                  true,
                  "web.0=R",
                  "",
                  { { "phase", "'Running'" },
                    { "startTime", "'2025-06-15T15:00:00Z'" },
                    { "qosClass", "'Burstable'" },
                    { "nominatedNodeName", "'n1'" },
                    { "conditions[0]", "{'type':'example.com/gate','status':'True',"
                                       "'lastTransitionTime':'2025-06-15T15:00:30Z'}" },
                    { "conditions[1].type", "'PodReadyToStartContainers'" },
                    { "conditions[2].type", "'Initialized'" },
                    { "conditions[3]", "{'type':'Ready','status':'True','lastProbeTime':null,"
                                       "'lastTransitionTime':'2025-06-15T15:01:00Z'}" },
                    { "conditions[4]",
                      "{'type':'ContainersReady','status':'True','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "'}" },
                    { "conditions[5]",
                      "{'type':'PodScheduled','status':'True','lastProbeTime':null,"
                      "'lastTransitionTime':'2025-06-15T14:59:00Z'}" },
                    { "containerStatuses",
                      "[{'name':'web','state':{'running':{'startedAt':'" RUN_TEXT "'}},"
                      "'lastState':{},'ready':true,'restartCount':0,'image':'nginx',"
                      "'imageID':'docker.io/library/nginx@sha256:abcd',"
                      "'containerID':'kube-lite://web.0','started':true}]" },
                    { NULL } } },
                { "running, readiness probe not passed",
                  APP("Always"),
                  NULL,
                  NULL,
                  true,
                  "web.0=R",
                  "web:noready",
                  { { "phase", "'Running'" },
                    { "containerStatuses[0].ready", "false" },
                    { "containerStatuses[0].started", "true" },
                    { "conditions[2].reason", "'ContainersNotReady'" },
                    { NULL } } },
                { "running, startup probe not passed",
                  APP("Always"),
                  NULL,
                  NULL,
                  true,
                  "web.0=R",
                  "web:nostart",
                  { { "containerStatuses[0].ready", "false" },
                    { "containerStatuses[0].started", "false" },
                    { NULL } } },
                { "readiness gates",
                  "{'readinessGates':[{'conditionType':'example.com/a'},"
                  "{'conditionType':'example.com/b'}],'containers':[{'name':'web','image':'nginx'}]}",
                  NULL,
                  "{'conditions':[{'type':'example.com/b','status':'False'}]}",
                  true,
                  "web.0=R",
                  "",
                  { { "conditions[3].type", "'Ready'" },
                    { "conditions[3].status", "'False'" },
                    { "conditions[3].reason", "'ReadinessGatesNotReady'" },
                    { "conditions[3].message",
                      "'corresponding condition of pod readiness gate \\'example.com/a\\' does not "
                      "exist., the status of pod readiness gate \\'example.com/b\\' is not "
                      "\\'True\\', but False'" },
                    { "conditions[4].type", "'ContainersReady'" },
                    { "conditions[4].status", "'True'" },
                    { NULL } } },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_status, restarts_and_waiting_reasons)
{
        static const struct status_case cases[] = {
                { "crash loop",
                  APP("Always"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X1@-300 web.1=X1@-5",
                  "web:bo=10@-60",
                  { { "phase", "'Running'" },
                    { "containerStatuses[0].state",
                      "{'waiting':{'reason':'CrashLoopBackOff','message':'back-off 10s "
                      "restarting failed container=web pod=p_ns(u1)'}}" },
                    { "containerStatuses[0].lastState",
                      "{'terminated':{'exitCode':1,'reason':'Error','startedAt':'" RUN_TEXT "',"
                      "'finishedAt':'2025-06-15T15:06:35Z','containerID':'kube-lite://web.1'}}" },
                    { "containerStatuses[0].restartCount", "1" },
                    { "containerStatuses[0].containerID", "'kube-lite://web.1'" },
                    { "containerStatuses[0].ready", "false" },
                    { NULL } } },
                { "restarted and running again: lastState is the previous attempt",
                  APP("Always"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X137s9o@-5 web.1=R",
                  "",
                  { { "containerStatuses[0].state.running.startedAt", "'" RUN_TEXT "'" },
                    { "containerStatuses[0].lastState",
                      "{'terminated':{'exitCode':137,'reason':'OOMKilled',"
                      "'startedAt':'" RUN_TEXT "','finishedAt':'2025-06-15T15:06:35Z',"
                      "'containerID':'kube-lite://web.0'}}" },
                    { "containerStatuses[0].restartCount", "1" },
                    { NULL } } },
                { "killed for its liveness probe, exited 0, OnFailure: waits for its restart",
                  APP("OnFailure"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X0@-5",
                  "web:live,bo=10@-60",
                  { { "phase", "'Running'" },
                    { "containerStatuses[0].state.waiting.reason", "'CrashLoopBackOff'" },
                    { "containerStatuses[0].lastState.terminated.reason", "'Completed'" },
                    { NULL } } },
                { "a failed init container in back-off",
                  INITS("Always"),
                  NULL,
                  NULL,
                  true,
                  "i:setup.0=X1@-5",
                  "i:setup:bo=10@-60",
                  { { "phase", "'Pending'" },
                    { "initContainerStatuses[0].state.waiting.reason", "'CrashLoopBackOff'" },
                    { "initContainerStatuses[0].lastState.terminated.exitCode", "1" },
                    { "initContainerStatuses[0].ready", "false" },
                    { "conditions[1].message",
                      "'containers with incomplete status: [setup migrate]'" },
                    { NULL } } },
                { "an image pull in back-off",
                  APP("Always"),
                  NULL,
                  NULL,
                  true,
                  "",
                  "web:why=ErrImagePull,bo=20@-5",
                  { { "phase", "'Pending'" },
                    { "containerStatuses[0].state",
                      "{'waiting':{'reason':'ImagePullBackOff',"
                      "'message':'Back-off pulling image \\'nginx\\''}}" },
                    { NULL } } },
                { "an image pull that just failed",
                  APP("Always"),
                  NULL,
                  NULL,
                  true,
                  "",
                  "web:why=ErrImagePull,bo=20@-25",
                  { { "containerStatuses[0].state",
                      "{'waiting':{'reason':'ErrImagePull','message':'why: ErrImagePull'}}" },
                    { NULL } } },
                { "a config error",
                  APP("Always"),
                  NULL,
                  NULL,
                  true,
                  "",
                  "web:why=CreateContainerConfigError",
                  { { "phase", "'Pending'" },
                    { "containerStatuses[0].state",
                      "{'waiting':{'reason':'CreateContainerConfigError',"
                      "'message':'why: CreateContainerConfigError'}}" },
                    { NULL } } },
                { "the container vanished from the runtime while it ran",
                  APP("Always"),
                  NULL,
                  "{'containerStatuses':[{'name':'web','state':{'running':{'startedAt':'" RUN_TEXT
                  "'}},'lastState':{},'restartCount':3}]}",
                  true,
                  "",
                  "",
                  { { "containerStatuses[0].state", "{'waiting':{'reason':'ContainerCreating'}}" },
                    { "containerStatuses[0].lastState",
                      "{'terminated':{'exitCode':137,'reason':'ContainerStatusUnknown',"
                      "'message':'The container could not be located when the pod was deleted.  "
                      "The container used to be Running','startedAt':null,'finishedAt':null}}" },
                    { "containerStatuses[0].restartCount", "4" },
                    { NULL } } },
                { "a terminated container removed from the runtime keeps its status",
                  APP("OnFailure"),
                  NULL,
                  "{'containerStatuses':[{'name':'web','state':{'terminated':{'exitCode':0,"
                  "'reason':'Completed'}},'lastState':{},'restartCount':2,"
                  "'containerID':'kube-lite://gone'}]}",
                  true,
                  "",
                  "",
                  { { "containerStatuses[0].state",
                      "{'terminated':{'exitCode':0,'reason':'Completed'}}" },
                    { "containerStatuses[0].restartCount", "2" },
                    { "containerStatuses[0].containerID", "'kube-lite://gone'" },
                    { NULL } } },
                { "volume mounts as upstream lists them",
                  "{'containers':[{'name':'web','image':'nginx','volumeMounts':["
                  "{'name':'data','mountPath':'/data'},"
                  "{'name':'cfg','mountPath':'/etc/cfg','readOnly':true}]}]}",
                  NULL,
                  NULL,
                  true,
                  "web.0=R",
                  "",
                  { { "containerStatuses[0].volumeMounts",
                      "[{'name':'data','mountPath':'/data'},{'name':'cfg','mountPath':'/etc/cfg',"
                      "'readOnly':true,'recursiveReadOnly':'Disabled'}]" },
                    { NULL } } },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_status, sidecars)
{
        static const struct status_case cases[] = {
                { "a sidecar that has not started",
                  SIDECAR,
                  NULL,
                  NULL,
                  true,
                  "i:sc.0=R",
                  "i:sc:nostart",
                  { { "phase", "'Pending'" },
                    { "initContainerStatuses[0].started", "false" },
                    { "initContainerStatuses[0].ready", "false" },
                    { "conditions[1].message", "'containers with incomplete status: [sc setup]'" },
                    { NULL } } },
                { "a started sidecar that is not ready",
                  SIDECAR,
                  NULL,
                  NULL,
                  true,
                  "i:sc.0=R i:setup.0=X0 web.0=R",
                  "i:sc:noready",
                  { { "phase", "'Running'" },
                    { "initContainerStatuses[0].started", "true" },
                    { "initContainerStatuses[0].ready", "false" },
                    { "initContainerStatuses[1].ready", "true" },
                    { "conditions[1].status", "'True'" },
                    { "conditions[3].message", "'containers with unready status: [sc]'" },
                    { NULL } } },
                { "a sidecar restarting after init: the pod stays initialised",
                  SIDECAR,
                  NULL,
                  NULL,
                  true,
                  "i:sc.0=X1@-5 i:setup.0=X0 web.0=R",
                  "i:sc:bo=10@-60",
                  { { "phase", "'Running'" },
                    { "initContainerStatuses[0].state.waiting.reason", "'CrashLoopBackOff'" },
                    { "conditions[1].status", "'True'" },
                    { NULL } } },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_status, terminal_phases)
{
        static const struct status_case cases[] = {
                { "OnFailure, all succeeded",
                  APP("OnFailure"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X0@-5 ",
                  "",
                  { { "phase", "'Succeeded'" },
                    { "containerStatuses[0].state",
                      "{'terminated':{'exitCode':0,'reason':'Completed','startedAt':'" RUN_TEXT "',"
                      "'finishedAt':'2025-06-15T15:06:35Z','containerID':'kube-lite://web.0'}}" },
                    { "conditions[1]",
                      "{'type':'Initialized','status':'True','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "','reason':'PodCompleted'}" },
                    { "conditions[2]",
                      "{'type':'Ready','status':'False','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "','reason':'PodCompleted'}" },
                    { "conditions[3]",
                      "{'type':'ContainersReady','status':'False','lastProbeTime':null,"
                      "'lastTransitionTime':'" NOW_TEXT "','reason':'PodCompleted'}" },
                    { NULL } } },
                { "Never, one failed",
                  TWO_APPS("Never"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X1m log.0=X0",
                  "",
                  { { "phase", "'Failed'" },
                    { "containerStatuses[0].state.terminated.message", "'bye'" },
                    { "conditions[2].reason", "'PodFailed'" },
                    { "conditions[3].reason", "'PodFailed'" },
                    { "conditions[3].message", "<absent>" },
                    { NULL } } },
                { "a termination message that is not UTF-8",
                  APP("Never"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X1b",
                  "",
                  { { "containerStatuses[0].state.terminated.message",
                      "'bad \\ufffd\\ufffd( end'" },
                    { NULL } } },
                { "Never, one still running",
                  TWO_APPS("Never"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X1 log.0=R",
                  "",
                  { { "phase", "'Running'" }, { NULL } } },
                { "a start error",
                  APP("Never"),
                  NULL,
                  NULL,
                  true,
                  "web.0=X127!",
                  "",
                  { { "phase", "'Failed'" },
                    { "containerStatuses[0].state.terminated.reason", "'StartError'" },
                    { "containerStatuses[0].state.terminated.exitCode", "127" },
                    { "containerStatuses[0].state.terminated.message",
                      "'exec: \\'nope\\': executable file not found in $PATH'" },
                    { "containerStatuses[0].state.terminated.startedAt", "null" },
                    { NULL } } },
                { "a failed init container under Never",
                  INITS("Never"),
                  NULL,
                  NULL,
                  true,
                  "i:setup.0=X1",
                  "",
                  { { "phase", "'Failed'" },
                    { "initContainerStatuses[0].state.terminated.reason", "'Error'" },
                    { "initContainerStatuses[1].state.waiting.reason", "'PodInitializing'" },
                    { "containerStatuses[0].state.waiting.reason", "'PodInitializing'" },
                    { NULL } } },
                { "deleted and stopped: Failed (the kill's exit code)",
                  APP("Always"),
                  DELETED,
                  "{'phase':'Running'}",
                  true,
                  "web.0=X143s15",
                  "",
                  { { "phase", "'Failed'" },
                    { "containerStatuses[0].state.terminated.exitCode", "143" },
                    { "containerStatuses[0].state.terminated.signal", "<absent>" },
                    { NULL } } },
                { "deleted and stopped cleanly: Succeeded",
                  APP("Always"),
                  DELETED,
                  "{'phase':'Running'}",
                  true,
                  "web.0=X0",
                  "",
                  { { "phase", "'Succeeded'" }, { NULL } } },
                { "deleted, still stopping: Running",
                  APP("Always"),
                  DELETED,
                  "{'phase':'Running'}",
                  true,
                  "web.0=R",
                  "",
                  { { "phase", "'Running'" }, { NULL } } },
                { "past activeDeadlineSeconds: Failed, with why; a container that never ran waits",
                  "{'activeDeadlineSeconds':30,'containers':[{'name':'web','image':'nginx'},"
                  "{'name':'log','image':'busybox'}]}",
                  NULL,
                  "{'phase':'Running','startTime':'2025-06-15T15:06:00Z'}",
                  true,
                  "web.0=R",
                  "",
                  { { "phase", "'Failed'" },
                    { "reason", "'DeadlineExceeded'" },
                    { "message",
                      "'Pod was active on the node longer than the specified deadline'" },
                    { "containerStatuses[1].state", "{'waiting':{'reason':'ContainerCreating'}}" },
                    { "conditions[2].reason", "'PodFailed'" },
                    { NULL } } },
                { "over and stopped: a container that never ran is reported terminated",
                  "{'activeDeadlineSeconds':30,'containers':[{'name':'web','image':'nginx'},"
                  "{'name':'log','image':'busybox'}]}",
                  NULL,
                  "{'phase':'Running','startTime':'2025-06-15T15:06:00Z'}",
                  true,
                  "web.0=X137s9",
                  "",
                  { { "phase", "'Failed'" },
                    { "containerStatuses[0].state.terminated.exitCode", "137" },
                    { "containerStatuses[1].state",
                      "{'terminated':{'exitCode':137,'reason':'ContainerStatusUnknown',"
                      "'message':'The container could not be located when the pod was terminated',"
                      "'startedAt':null,'finishedAt':null}}" },
                    { NULL } } },
                { "deleted before init finished: only the init containers tried are terminated",
                  INITS("Always"),
                  DELETED,
                  "{'phase':'Pending'}",
                  true,
                  "i:setup.0=X0",
                  "",
                  { { "phase", "'Failed'" },
                    { "initContainerStatuses[0].state.terminated.reason", "'Completed'" },
                    { "initContainerStatuses[1].state",
                      "{'waiting':{'reason':'PodInitializing'}}" },
                    { "containerStatuses[0].state", "{'waiting':{'reason':'PodInitializing'}}" },
                    { NULL } } },
                { "deleted before anything ran: the first init container is terminated",
                  INITS("Always"),
                  DELETED,
                  "{'phase':'Pending'}",
                  false,
                  "",
                  "",
                  { { "phase", "'Failed'" },
                    { "initContainerStatuses[0].state.terminated.reason",
                      "'ContainerStatusUnknown'" },
                    { "initContainerStatuses[1].state.waiting.reason", "'PodInitializing'" },
                    { "conditions[0].status", "'False'" },
                    { NULL } } },
                { "Succeeded in the API is never left",
                  APP("Always"),
                  NULL,
                  "{'phase':'Succeeded','reason':'X','message':'kept'}",
                  true,
                  "web.0=X1",
                  "",
                  { { "phase", "'Succeeded'" },
                    { "reason", "'X'" },
                    { "message", "'kept'" },
                    { NULL } } },
                { "Failed in the API is never left",
                  APP("Always"),
                  NULL,
                  "{'phase':'Failed'}",
                  false,
                  "",
                  "",
                  { { "phase", "'Failed'" }, { NULL } } },
                { "a phase change drops the old phase's reason",
                  APP("Always"),
                  NULL,
                  "{'phase':'Pending','reason':'Old','message':'old'}",
                  true,
                  "web.0=R",
                  "",
                  { { "phase", "'Running'" },
                    { "reason", "<absent>" },
                    { "message", "<absent>" },
                    { NULL } } },
        };

        run_cases(cases, KL_ARRAY_SIZE(cases));
}

Test(pod_status, without_a_plan)
{
        /* The status builder plans for itself when the caller has no plan. */
        struct fixture f;
        struct kl_agent__status_ctx ctx = { 0 };
        json_auto_t *s = NULL;

        fixture_init(
                &f,
                fixture_pod(
                        "{'activeDeadlineSeconds':30,'containers':[{'name':'web','image':'x'}]}",
                        NULL, "{'startTime':'2025-06-15T15:06:00Z','hostIP':'10.9.9.9'}"),
                true, "web.0=R", "");
        s = kl_agent__pod_status(&f.obs, &ctx, T0);
        cr_expect_str_eq(json_string_value(json_object_get(s, "phase")), "Failed");
        cr_expect_str_eq(json_string_value(json_object_get(s, "reason")), "DeadlineExceeded");
        cr_expect_str_eq(json_string_value(json_object_get(s, "hostIP")), "10.9.9.9",
                         "no host IP in the context: the current one stays");
        fixture_release(&f);
}

Test(pod_status, qos)
{
        static const struct {
                const char *containers, *inits;
                const char *want;
        } cases[] = {
                { "[{'name':'a'}]", "[]", "BestEffort" },
                { "[{'name':'a','resources':{'requests':{'cpu':'0','memory':'0'}}}]", "[]",
                  "BestEffort" },
                { "[{'name':'a','resources':{'requests':{'cpu':'100m'}}}]", "[]", "Burstable" },
                { "[{'name':'a','resources':{'requests':{'nvidia.com/gpu':'1'}}}]", "[]",
                  "BestEffort" },
                { "[{'name':'a','resources':{'requests':{'cpu':'1','memory':'1Gi'},"
                  "'limits':{'cpu':'1','memory':'1Gi'}}}]",
                  "[]", "Guaranteed" },
                { "[{'name':'a','resources':{'requests':{'cpu':'1000m','memory':'1024Mi'},"
                  "'limits':{'cpu':1,'memory':'1Gi'}}}]",
                  "[]", "Guaranteed" },
                { "[{'name':'a','resources':{'requests':{'cpu':'500m','memory':'1Gi'},"
                  "'limits':{'cpu':'1','memory':'1Gi'}}}]",
                  "[]", "Burstable" },
                { "[{'name':'a','resources':{'limits':{'cpu':'1','memory':'1Gi'}}}]", "[]",
                  "Burstable" },
                { "[{'name':'a','resources':{'requests':{'cpu':'1','memory':'1Gi'},"
                  "'limits':{'cpu':'1','memory':'1Gi'}}}]",
                  "[{'name':'i'}]", "Burstable" },
                { "[{'name':'a','resources':{'requests':{'cpu':'1','memory':'1Gi'},"
                  "'limits':{'cpu':'1','memory':'1Gi'}}}]",
                  "[{'name':'i','resources':{'requests':{'cpu':'1','memory':'1Gi'},"
                  "'limits':{'cpu':'1','memory':'1Gi'}}}]",
                  "Guaranteed" },
                { "[{'name':'a'}]", "[{'name':'i','resources':{'requests':{'memory':'1Gi'}}}]",
                  "Burstable" },
                { "[{'name':'a','resources':{'requests':{'cpu':'1','memory':'1Gi'},"
                  "'limits':{'cpu':'1','memory':'1Gi','ephemeral-storage':'1Gi'}}}]",
                  "[]", "Guaranteed" },
        };

        for (size_t i = 0; i < KL_ARRAY_SIZE(cases); i++) {
                kl_autofree char *t = kl_asprintf("{'spec':{'containers':%s,'initContainers':%s}}",
                                                  cases[i].containers, cases[i].inits);
                json_auto_t *pod = jq(t);

                cr_expect_str_eq(kl_agent__pod_qos(pod), cases[i].want, "case %zu", i);
        }
}

Test(pod_status, equality_ignores_key_order)
{
        json_auto_t *a = jq("{'phase':'Running','conditions':[{'type':'Ready','status':'True'}]}");
        json_auto_t *b = jq("{'conditions':[{'status':'True','type':'Ready'}],'phase':'Running'}");
        json_auto_t *c = jq("{'conditions':[{'status':'False','type':'Ready'}],'phase':'Running'}");

        cr_expect(kl_agent__status_equal(a, b));
        cr_expect(!kl_agent__status_equal(a, c));
        cr_expect(!kl_agent__status_equal(a, NULL));
        cr_expect(kl_agent__status_equal(NULL, NULL));
}
