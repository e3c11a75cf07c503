/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event recorder against a real in-process API server: Events as
 * upstream's recorder writes them, repeats folded into count and
 * lastTimestamp, the namespace of cluster-scoped objects' Events, a client
 * freed with event writes in flight or waiting, and event writes that yield
 * (a bounded number in flight, the rest in order).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/tests/support/testenv.h"
#include "client/client-internal.h"
#include "loop/loop.h"

struct env {
        struct kl_testenv t;
        const struct kl_api_resource *events;
};

static void env_start(struct env *e)
{
        const struct kl_testenv_options to = { .user = "system:kube-scheduler" };

        kl_testenv_start(&e->t, &to);
        e->events = kl_api_resource_find("", "v1", "events");
}

static void env_stop(struct env *e)
{
        kl_testenv_stop(&e->t);
}

/* The Events of `ns` once `pred` holds for the list (the recorder is fire and forget). */
static json_t *events_when(struct env *e, const char *ns, bool (*pred)(const json_t *items))
{
        for (int i = 0; i < 100000; i++) {
                json_t *list = NULL;

                /* While writes wait for a slot the list is not final: no need to read it. */
                if (kl_client__recorder_waiting(e->t.client->recorder) > 0) {
                        (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
                        continue;
                }
                cr_assert_eq(kl_apiserver_list(e->t.server, e->events, ns,
                                               &(struct kl_apiserver_list_opts){ 0 }, &list, NULL),
                             0);
                if (pred(json_object_get(list, "items")))
                        return list;
                json_decref(list);
                (void)kl_loop_run(&e->t.loop, UV_RUN_ONCE);
        }
        cr_assert_fail("the events never arrived");
        return NULL;
}

static bool one_with_count_2(const json_t *items)
{
        return json_array_size(items) == 1 &&
               json_integer_value(json_object_get(json_array_get(items, 0), "count")) == 2;
}

static bool two_events(const json_t *items)
{
        return json_array_size(items) == 2;
}

static bool one_event(const json_t *items)
{
        return json_array_size(items) == 1;
}

static const char *str(const json_t *o, const char *a, const char *b)
{
        const json_t *v = json_object_get(o, a);

        return json_string_value(b ? json_object_get(v, b) : v);
}

Test(event, recorded_as_upstream_and_repeats_counted)
{
        struct env e = { 0 };
        json_auto_t *involved = json_pack("{sssss{ssssssss}}", "apiVersion", "v1", "kind", "Pod",
                                          "metadata", "name", "web", "namespace", "default", "uid",
                                          "uid-1", "resourceVersion", "42");
        json_auto_t *list = NULL, *list2 = NULL;
        const json_t *ev;
        const char *name;

        env_start(&e);
        kl_client_event(e.t.client, involved, "Warning", "FailedScheduling",
                        "0/%d nodes are available", 3);
        kl_client_event(e.t.client, involved, "Warning", "FailedScheduling",
                        "0/%d nodes are available", 3);
        list = events_when(&e, "default", one_with_count_2);
        ev = json_array_get(json_object_get(list, "items"), 0);
        name = str(ev, "metadata", "name");
        cr_expect(strncmp(name, "web.", 4) == 0 && strlen(name) > 4, "%s", name);
        cr_expect_str_eq(str(ev, "metadata", "namespace"), "default");
        cr_expect_str_eq(str(ev, "involvedObject", "kind"), "Pod");
        cr_expect_str_eq(str(ev, "involvedObject", "apiVersion"), "v1");
        cr_expect_str_eq(str(ev, "involvedObject", "name"), "web");
        cr_expect_str_eq(str(ev, "involvedObject", "namespace"), "default");
        cr_expect_str_eq(str(ev, "involvedObject", "uid"), "uid-1");
        cr_expect_str_eq(str(ev, "involvedObject", "resourceVersion"), "42");
        cr_expect_str_eq(str(ev, "reason", NULL), "FailedScheduling");
        cr_expect_str_eq(str(ev, "message", NULL), "0/3 nodes are available");
        cr_expect_str_eq(str(ev, "type", NULL), "Warning");
        cr_expect_str_eq(str(ev, "source", "component"), "kube-scheduler");
        cr_expect_str_eq(str(ev, "reportingComponent", NULL), "kube-scheduler");
        cr_expect_not_null(str(ev, "firstTimestamp", NULL));
        cr_expect_not_null(str(ev, "lastTimestamp", NULL));
        cr_expect_eq(kl_client__recorder_size(e.t.client->recorder), 1);

        /* Another message is another Event. */
        kl_client_event(e.t.client, involved, "Warning", "FailedScheduling", "something else");
        list2 = events_when(&e, "default", two_events);
        cr_expect_str_eq(str(json_array_get(json_object_get(list2, "items"), 0), "reason", NULL),
                         "FailedScheduling");
        cr_expect_eq(kl_client__recorder_size(e.t.client->recorder), 2);
        env_stop(&e);
}

Test(event, cluster_scoped_objects_go_to_default)
{
        struct env e = { 0 };
        json_auto_t *node = json_pack("{sssss{ssss}}", "apiVersion", "v1", "kind", "Node",
                                      "metadata", "name", "n1", "uid", "uid-n1");
        json_auto_t *list = NULL;
        const json_t *ev;

        env_start(&e);
        kl_client_event(e.t.client, node, "Normal", "RegisteredNode", "Node n1 event: Registered");
        list = events_when(&e, "default", one_event);
        ev = json_array_get(json_object_get(list, "items"), 0);
        cr_expect_null(json_object_get(json_object_get(ev, "involvedObject"), "namespace"));
        cr_expect_str_eq(str(ev, "involvedObject", "name"), "n1");
        cr_expect_eq(json_integer_value(json_object_get(ev, "count")), 1);
        env_stop(&e);
}

Test(event, many_repeats_fold_into_one_event)
{
        struct env e = { 0 };
        json_auto_t *involved =
                json_pack("{sssss{ssssss}}", "apiVersion", "apps/v1", "kind", "Deployment",
                          "metadata", "name", "d", "namespace", "default", "uid", "uid-d");
        json_auto_t *list = NULL;
        const json_t *items;

        env_start(&e);
        for (int i = 0; i < 10; i++)
                kl_client_event(e.t.client, involved, "Normal", "ScalingReplicaSet", "Scaled up");
        for (int i = 0; i < 100000; i++) {
                json_auto_t *l = NULL;

                cr_assert_eq(kl_apiserver_list(e.t.server, e.events, "default",
                                               &(struct kl_apiserver_list_opts){ 0 }, &l, NULL),
                             0);
                items = json_object_get(l, "items");
                if (json_array_size(items) == 1 &&
                    json_integer_value(json_object_get(json_array_get(items, 0), "count")) == 10) {
                        list = KL_TAKE_PTR(l);
                        break;
                }
                (void)kl_loop_run(&e.t.loop, UV_RUN_ONCE);
        }
        cr_assert_not_null(list, "the count never reached 10");
        env_stop(&e);
}

Test(event, client_freed_with_events_in_flight)
{
        struct env e = { 0 };
        json_auto_t *involved =
                json_pack("{sssss{ssssss}}", "apiVersion", "v1", "kind", "Pod", "metadata", "name",
                          "p", "namespace", "default", "uid", "uid-p");

        env_start(&e);
        kl_client_event(e.t.client, involved, "Normal", "Pulled", "pulled");
        kl_client_event(e.t.client, involved, "Normal", "Pulled", "pulled");
        kl_client_event(e.t.client, involved, "Normal", "Created", "created");
        /* Freed at once: the writes are still at the server; nothing may touch the recorder. */
        env_stop(&e);
}

static bool events_4101_and_a_count_2(const json_t *items)
{
        const json_t *it;
        size_t i;
        int twos = 0;

        json_array_foreach(items, i, it) {
                if (json_integer_value(json_object_get(it, "count")) == 2)
                        twos++;
        }
        return json_array_size(items) == 4101 && twos == 1;
}

static bool events_4100(const json_t *items)
{
        return json_array_size(items) == 4100;
}

Test(event, the_dedupe_cache_is_bounded)
{
        struct env e = { 0 };
        json_auto_t *involved =
                json_pack("{sssss{ssssss}}", "apiVersion", "v1", "kind", "Pod", "metadata", "name",
                          "p", "namespace", "default", "uid", "uid-p");
        json_auto_t *list = NULL;

        env_start(&e);
        for (int i = 0; i < 4100; i++)
                kl_client_event(e.t.client, involved, "Normal", "Tick", "tick %d", i);
        cr_expect_eq(kl_client__recorder_size(e.t.client->recorder), KL_CLIENT_EVENT_CACHE_MAX);
        list = events_when(&e, "default", events_4100);
        /* The oldest was evicted: its repeat is a new Event, the newest's a patch. */
        kl_client_event(e.t.client, involved, "Normal", "Tick", "tick %d", 0);
        kl_client_event(e.t.client, involved, "Normal", "Tick", "tick %d", 4099);
        json_decref(KL_TAKE_PTR(list));
        list = events_when(&e, "default", events_4101_and_a_count_2);
        cr_expect_eq(json_array_size(json_object_get(list, "items")), 4101);
        cr_expect_eq(kl_client__recorder_size(e.t.client->recorder), KL_CLIENT_EVENT_CACHE_MAX);
        env_stop(&e);
}

Test(event, component_named_per_event)
{
        struct env e = { 0 };
        json_auto_t *involved =
                json_pack("{sssss{ssssss}}", "apiVersion", "apps/v1", "kind", "ReplicaSet",
                          "metadata", "name", "rs", "namespace", "default", "uid", "uid-rs");
        json_auto_t *list = NULL;
        const json_t *it;
        size_t i;
        int from_rs = 0, from_client = 0;

        env_start(&e);
        kl_client_event_from(e.t.client, "replicaset-controller", involved, "Normal",
                             "SuccessfulCreate", "Created pod: %s", "rs-abcde");
        kl_client_event(e.t.client, involved, "Normal", "SuccessfulCreate", "Created pod: %s",
                        "rs-abcde");
        list = events_when(&e, "default", two_events);
        json_array_foreach(json_object_get(list, "items"), i, it) {
                const char *comp = str(it, "source", "component");

                cr_expect_str_eq(str(it, "reportingComponent", NULL), comp);
                if (kl_streq(comp, "replicaset-controller"))
                        from_rs++;
                else if (kl_streq(comp, "kube-scheduler"))
                        from_client++;
        }
        cr_expect_eq(from_rs, 1);
        cr_expect_eq(from_client, 1);
        env_stop(&e);
}

static bool events_100(const json_t *items)
{
        return json_array_size(items) == 100;
}

/*
 * Event writes yield: at most KL_CLIENT_EVENT_INFLIGHT_MAX in flight, the
 * others wait in order; a repeat of a waiting one is carried by its single
 * write (count 2, one Event), and every Event is written in the end.
 */
Test(event, writes_beyond_the_in_flight_cap_wait_their_turn)
{
        struct env e = { 0 };
        json_auto_t *involved =
                json_pack("{sssss{ssssss}}", "apiVersion", "v1", "kind", "Pod", "metadata", "name",
                          "p", "namespace", "default", "uid", "uid-p");
        json_auto_t *list = NULL;
        const json_t *it;
        size_t i;
        int twos = 0;

        env_start(&e);
        for (int k = 0; k < 100; k++)
                kl_client_event(e.t.client, involved, "Normal", "Tick", "tick %d", k);
        cr_expect_eq(kl_client__recorder_waiting(e.t.client->recorder),
                     100 - KL_CLIENT_EVENT_INFLIGHT_MAX);
        kl_client_event(e.t.client, involved, "Normal", "Tick", "tick %d", 99);
        cr_expect_eq(kl_client__recorder_waiting(e.t.client->recorder),
                     100 - KL_CLIENT_EVENT_INFLIGHT_MAX);
        list = events_when(&e, "default", events_100);
        json_array_foreach(json_object_get(list, "items"), i, it) {
                if (json_integer_value(json_object_get(it, "count")) == 2) {
                        twos++;
                        cr_expect_str_eq(str(it, "message", NULL), "tick 99");
                }
        }
        cr_expect_eq(twos, 1);
        cr_expect_eq(kl_client__recorder_waiting(e.t.client->recorder), 0);
        env_stop(&e);
}

/* Freed with writes waiting, some of them evicted from the LRU: nothing leaks or is touched. */
Test(event, client_freed_with_events_waiting)
{
        struct env e = { 0 };
        json_auto_t *involved =
                json_pack("{sssss{ssssss}}", "apiVersion", "v1", "kind", "Pod", "metadata", "name",
                          "p", "namespace", "default", "uid", "uid-p");

        env_start(&e);
        for (unsigned k = 0; k < KL_CLIENT_EVENT_CACHE_MAX + 50; k++)
                kl_client_event(e.t.client, involved, "Normal", "Tick", "tick %u", k);
        cr_expect_gt(kl_client__recorder_waiting(e.t.client->recorder), KL_CLIENT_EVENT_CACHE_MAX);
        env_stop(&e);
}
