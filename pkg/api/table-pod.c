/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Pod printer: upstream's printPod, whose STATUS and RESTARTS cells are
 * the most looked-at text kubectl prints. The order of the checks below is
 * upstream's and matters: later steps override earlier ones.
 */
#include <inttypes.h>
#include <string.h>

#include "api/table-internal.h"
#include "json/json.h"

static const struct kl_api_table_column pod_columns[] = {
        KL_API__TABLE_COL_NAME,
        {
                .name = "Ready",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Containers ready to serve, out of all the pod's containers "
                               "(sidecar init containers included).",
        },
        {
                .name = "Status",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "A one-word summary of the pod's state, taken from its phase, "
                               "reason and container states.",
        },
        {
                .name = "Restarts",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "How many times the pod's containers restarted, and how long ago "
                               "the last one did.",
        },
        KL_API__TABLE_COL_AGE,
        {
                .name = "IP",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The pod's first IP address.",
                .priority = 1,
        },
        {
                .name = "Node",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The node the pod is bound to.",
                .priority = 1,
        },
        {
                .name = "Nominated Node",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "The node the scheduler expects the pod to run on once "
                               "preemption there completes.",
                .priority = 1,
        },
        {
                .name = "Readiness Gates",
                .type = KL_API_TABLE_TYPE_STRING,
                .format = "",
                .description = "Readiness gate conditions that are true, out of those the pod "
                               "declares.",
                .priority = 1,
        },
};

/* A restartable init container, i.e. a sidecar: restartPolicy Always. */
static bool is_sidecar(const json_t *init_containers, const char *name)
{
        json_t *c;
        size_t i;

        if (!name)
                return false;
        json_array_foreach(init_containers, i, c) {
                const char *n = kl_api__table_str(c, "name");

                if (n && kl_streq(n, name))
                        return kl_streq(kl_api__table_str_or(c, "restartPolicy", ""), "Always");
        }
        return false;
}

/* The status of the first condition of `type`, or NULL. */
static const char *condition_status(const json_t *pod, const char *type)
{
        json_t *conds = kl_api__table_array(pod, "status.conditions"), *c;
        size_t i;

        json_array_foreach(conds, i, c) {
                if (kl_streq(kl_api__table_str_or(c, "type", ""), type))
                        return kl_api__table_str_or(c, "status", "");
        }
        return NULL;
}

/* isPodInitializedConditionTrue: the first Initialized condition decides. */
static bool initialized(const json_t *pod)
{
        const char *status = condition_status(pod, "Initialized");

        return status && kl_streq(status, "True");
}

/* Whether any condition of `type` is True (upstream's hasPodReadyCondition looks at all). */
static bool any_condition_true(const json_t *pod, const char *type)
{
        json_t *conds = kl_api__table_array(pod, "status.conditions"), *c;
        size_t i;

        json_array_foreach(conds, i, c) {
                if (kl_streq(kl_api__table_str_or(c, "type", ""), type) &&
                    kl_streq(kl_api__table_str_or(c, "status", ""), "True"))
                        return true;
        }
        return false;
}

/* A later lastState.terminated.finishedAt moves *last forward (metav1.Time.Before). */
static void note_restart(const json_t *status, bool *have, int64_t *last)
{
        int64_t t;

        if (!kl_api__table_object(status, "lastState.terminated"))
                return;
        if (kl_api__table_time(status, "lastState.terminated.finishedAt", &t) &&
            (!*have || t > *last)) {
                *have = true;
                *last = t;
        }
}

/* "Init:<reason>", "Init:Signal:N" or "Init:ExitCode:N" for a failed init container. */
static void terminated_reason(struct kl_buf *reason, const char *prefix, const json_t *status)
{
        const char *why = kl_api__table_str(status, "state.terminated.reason");
        int64_t signal = kl_api__table_int(status, "state.terminated.signal", 0);

        kl_buf_reset(reason);
        if (!kl_isempty(why))
                (void)kl_buf_printf(reason, "%s%s", prefix, why);
        else if (signal != 0)
                (void)kl_buf_printf(reason, "%sSignal:%" PRId64, prefix, signal);
        else
                (void)kl_buf_printf(reason, "%sExitCode:%" PRId64, prefix,
                                    kl_api__table_int(status, "state.terminated.exitCode", 0));
}

static void set_reason(struct kl_buf *reason, const char *s)
{
        kl_buf_reset(reason);
        (void)kl_buf_puts(reason, s);
}

/* Wide cell: readiness gates "<none>" or "true/declared". */
static void readiness_gates_cell(const json_t *pod, struct kl_api_table_row *row)
{
        json_t *gates = kl_api__table_array(pod, "spec.readinessGates"), *g;
        int64_t true_conditions = 0;
        size_t i;

        if (json_array_size(gates) == 0) {
                kl_api__table_cell_str(row, "<none>");
                return;
        }
        json_array_foreach(gates, i, g) {
                const char *status =
                        condition_status(pod, kl_api__table_str_or(g, "conditionType", ""));

                if (status && kl_streq(status, "True"))
                        true_conditions++;
        }
        kl_api__table_cell_printf(row, "%" PRId64 "/%zu", true_conditions, json_array_size(gates));
}

static void pod_row(const json_t *pod, struct kl_api_table_row *row)
{
        kl_autobuf struct kl_buf reason = KL_BUF_INIT;
        json_t *init_specs = kl_api__table_array(pod, "spec.initContainers");
        json_t *init_statuses = kl_api__table_array(pod, "status.initContainerStatuses");
        json_t *statuses = kl_api__table_array(pod, "status.containerStatuses");
        const char *phase = kl_api__table_str_or(pod, "status.phase", "");
        const char *pod_reason = kl_api__table_str_or(pod, "status.reason", "");
        size_t total = kl_api__table_array_len(pod, "spec.containers");
        int64_t restarts = 0, sidecar_restarts = 0, ready = 0;
        int64_t last_restart = 0, last_sidecar_restart = 0;
        bool have_last = false, have_last_sidecar = false, initializing = false;
        json_t *c, *conds;
        size_t i;

        set_reason(&reason, *pod_reason ? pod_reason : phase);

        conds = kl_api__table_array(pod, "status.conditions");
        json_array_foreach(conds, i, c) {
                if (kl_streq(kl_api__table_str_or(c, "type", ""), "PodScheduled") &&
                    kl_streq(kl_api__table_str_or(c, "reason", ""), "SchedulingGated"))
                        set_reason(&reason, "SchedulingGated");
        }

        if (kl_streq(phase, "Succeeded") || kl_streq(phase, "Failed")) {
                bool ok = kl_streq(phase, "Succeeded");

                row->conditions =
                        json_pack("[{s:s, s:s, s:s, s:s}]", "type", "Completed", "status", "True",
                                  "reason", phase, "message",
                                  ok ? "The pod has completed successfully." : "The pod failed.");
        }

        json_array_foreach(init_specs, i, c) {
                if (kl_streq(kl_api__table_str_or(c, "restartPolicy", ""), "Always"))
                        total++;
        }

        json_array_foreach(init_statuses, i, c) {
                bool sidecar = is_sidecar(init_specs, kl_api__table_str(c, "name"));
                const char *waiting = kl_api__table_str(c, "state.waiting.reason");
                bool started = false;

                restarts += kl_api__table_int(c, "restartCount", 0);
                note_restart(c, &have_last, &last_restart);
                if (sidecar) {
                        sidecar_restarts += kl_api__table_int(c, "restartCount", 0);
                        note_restart(c, &have_last_sidecar, &last_sidecar_restart);
                }

                if (kl_api__table_object(c, "state.terminated") &&
                    kl_api__table_int(c, "state.terminated.exitCode", 0) == 0)
                        continue;
                if (sidecar && kl_api__table_get_bool(c, "started", &started) && started) {
                        if (kl_api__table_bool(c, "ready", false))
                                ready++;
                        continue;
                }
                if (kl_api__table_object(c, "state.terminated")) {
                        terminated_reason(&reason, "Init:", c);
                } else if (!kl_isempty(waiting) && !kl_streq(waiting, "PodInitializing")) {
                        kl_buf_reset(&reason);
                        (void)kl_buf_printf(&reason, "Init:%s", waiting);
                } else {
                        kl_buf_reset(&reason);
                        (void)kl_buf_printf(&reason, "Init:%zu/%zu", i,
                                            json_array_size(init_specs));
                }
                initializing = true;
                break;
        }

        if (!initializing || initialized(pod)) {
                bool has_running = false;

                restarts = sidecar_restarts;
                have_last = have_last_sidecar;
                last_restart = last_sidecar_restart;
                for (size_t k = json_array_size(statuses); k-- > 0;) {
                        const char *waiting, *term_reason;

                        c = json_array_get(statuses, k);
                        waiting = kl_api__table_str(c, "state.waiting.reason");
                        term_reason = kl_api__table_str(c, "state.terminated.reason");
                        restarts += kl_api__table_int(c, "restartCount", 0);
                        note_restart(c, &have_last, &last_restart);

                        if (kl_api__table_object(c, "state.waiting") && !kl_isempty(waiting))
                                set_reason(&reason, waiting);
                        else if (kl_api__table_object(c, "state.terminated") &&
                                 !kl_isempty(term_reason))
                                set_reason(&reason, term_reason);
                        else if (kl_api__table_object(c, "state.terminated"))
                                terminated_reason(&reason, "", c);
                        else if (kl_api__table_bool(c, "ready", false) &&
                                 kl_api__table_object(c, "state.running")) {
                                has_running = true;
                                ready++;
                        }
                }

                /* A pod whose last container completed while another still runs is running. */
                if (kl_streq(reason.buf, "Completed") && has_running)
                        set_reason(&reason,
                                   any_condition_true(pod, "Ready") ? "Running" : "NotReady");
        }

        if (kl_api__table_has_str(pod, "metadata.deletionTimestamp") &&
            kl_streq(pod_reason, "NodeLost"))
                set_reason(&reason, "Unknown");
        else if (kl_api__table_has_str(pod, "metadata.deletionTimestamp") &&
                 !kl_streq(phase, "Succeeded") && !kl_streq(phase, "Failed"))
                set_reason(&reason, "Terminating");

        kl_api__table_cell_str(row, kl_api__table_str(pod, "metadata.name"));
        kl_api__table_cell_printf(row, "%" PRId64 "/%zu", ready, total);
        kl_api__table_cell_buf(row, &reason);
        if (restarts != 0 && have_last) {
                char ago[KL_API_HUMAN_DURATION_MAX];

                kl_api__table_cell_printf(
                        row, "%" PRId64 " (%s ago)", restarts,
                        kl_api__table_since(row->now, last_restart, ago, sizeof(ago)));
        } else {
                kl_api__table_cell_printf(row, "%" PRId64, restarts);
        }
        kl_api__table_cell_age(row, pod);

        /*
         * Wide cells. Upstream prints the internal podIPs[0], which the conversion from v1
         * takes from podIP whenever that is set (podIP wins when the two disagree).
         */
        {
                const char *ip = kl_api__table_str(pod, "status.podIP");

                if (kl_isempty(ip))
                        ip = kl_api__table_str(pod, "status.podIPs[0].ip");
                kl_api__table_cell_str(row, kl_isempty(ip) ? "<none>" : ip);
        }
        kl_api__table_cell_str(row, kl_api__table_has_str(pod, "spec.nodeName")
                                            ? kl_api__table_str(pod, "spec.nodeName")
                                            : "<none>");
        kl_api__table_cell_str(row, kl_api__table_has_str(pod, "status.nominatedNodeName")
                                            ? kl_api__table_str(pod, "status.nominatedNodeName")
                                            : "<none>");
        readiness_gates_cell(pod, row);
}

const struct kl_api_table_printer kl_api__table_printers_pod[] = {
        { .group = "", .kind = "Pod", KL_API__TABLE_COLUMNS(pod_columns), .row = pod_row },
};
const size_t kl_api__table_printers_pod_count = KL_ARRAY_SIZE(kl_api__table_printers_pod);
