/* SPDX-License-Identifier: Apache-2.0 */
/* The local-path provisioner's reconcile (localpath.c): class, provisioning, binding, reclaim. */
#include <criterion/criterion.h>
#include <string.h>

#include "api/patch.h"
#include "controllers/ctrl-internal.h"

/* JSON with ' for " (test objects are easier to read that way). */
static json_t *J(const char *text)
{
        char *s = kl_strdup(text);
        json_error_t e;
        json_t *v;

        for (char *p = s; *p; p++)
                if (*p == '\'')
                        *p = '"';
        v = json_loads(s, 0, &e);
        cr_assert(v, "bad test JSON: %s: %s", e.text, s);
        free(s);
        return v;
}

/* A member by dotted path (array indexes as numbers); mutable, for setting up tests. */
static json_t *G(const json_t *obj, const char *path)
{
        char *p = kl_strdup(path), *save = NULL;
        const json_t *v = obj;

        for (char *t = strtok_r(p, ".", &save); t; t = strtok_r(NULL, ".", &save)) {
                unsigned idx;

                if (json_is_array(v))
                        v = kl_parse_uint(t, &idx) == 0 ? json_array_get(v, idx) : NULL;
                else
                        v = json_object_get(v, t);
        }
        free(p);
        return (json_t *)v;
}

static const char *S(const json_t *obj, const char *path)
{
        return json_string_value(G(obj, path));
}

static const char *ann(const json_t *obj, const char *key)
{
        return json_string_value(json_object_get(G(obj, "metadata.annotations"), key));
}

#define CLASS                                                                                 \
        "{'apiVersion':'storage.k8s.io/v1','kind':'StorageClass','metadata':{'name':"         \
        "'local-path','annotations':{'storageclass.kubernetes.io/is-default-class':'true'}}," \
        "'provisioner':'rancher.io/local-path','reclaimPolicy':'Delete','volumeBindingMode':" \
        "'WaitForFirstConsumer'}"

#define CLAIM                                                                                \
        "{'apiVersion':'v1','kind':'PersistentVolumeClaim','metadata':{'name':'data-web-0'," \
        "'namespace':'default','uid':'c1','resourceVersion':'5'},'spec':{'accessModes':"     \
        "['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}},'storageClassName':"   \
        "'local-path','volumeMode':'Filesystem'},'status':{'phase':'Pending'}}"

#define CONSUMER                                                                             \
        "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web-0','namespace':'default'}," \
        "'spec':{'nodeName':'n1','volumes':[{'name':'data','persistentVolumeClaim':"         \
        "{'claimName':'data-web-0'}}]},'status':{'phase':'Pending'}}"

struct fixture {
        json_t *pvc, *sc, *default_sc;
        json_t *pvs[4];
        size_t n_pvs;
        json_t *pods[4];
        size_t n_pods;
        struct kl_ctrl_actions out;
};

static void run(struct fixture *f)
{
        const struct kl_controllers__localpath_in in = {
                .ns = "default",
                .name = "data-web-0",
                .pvc = f->pvc,
                .sc = f->sc,
                .default_sc = f->default_sc,
                .pvs = (const json_t *const *)f->pvs,
                .n_pvs = f->n_pvs,
                .pods = (const json_t *const *)f->pods,
                .n_pods = f->n_pods,
                .dir = "/var/lib/kube-lite/storage",
        };

        kl_ctrl_actions_clear(&f->out);
        kl_controllers__localpath_reconcile(&in, &f->out);
}

static void done(struct fixture *f)
{
        json_decref(f->pvc);
        json_decref(f->sc);
        json_decref(f->default_sc);
        for (size_t i = 0; i < f->n_pvs; i++)
                json_decref(f->pvs[i]);
        for (size_t i = 0; i < f->n_pods; i++)
                json_decref(f->pods[i]);
        kl_ctrl_actions_clear(&f->out);
}

/* The PV the first sync creates, as the API server would store it. */
static json_t *provisioned(struct fixture *f)
{
        json_t *pv = NULL;

        run(f);
        for (size_t i = 0; i < f->out.n; i++)
                if (f->out.v[i].op == KL_CTRL_CREATE)
                        pv = json_deep_copy(f->out.v[i].obj);
        cr_assert(pv);
        json_object_set_new(G(pv, "metadata"), "uid", json_string("v1"));
        json_object_set_new(pv, "status", J("{'phase':'Available'}"));
        return pv;
}

Test(localpath, creates_the_default_storage_class_when_absent)
{
        struct kl_ctrl_actions out = { 0 };
        json_t *sc = J(CLASS);
        const json_t *o;

        kl_controllers__localpath_class_reconcile(NULL, &out);
        cr_assert_eq(out.n, 1);
        cr_expect_eq(out.v[0].op, KL_CTRL_CREATE);
        cr_expect_str_eq(out.v[0].res->plural, "storageclasses");
        cr_expect_null(out.v[0].ns);
        o = out.v[0].obj;
        cr_expect_str_eq(S(o, "metadata.name"), "local-path");
        cr_expect_str_eq(S(o, "provisioner"), "rancher.io/local-path");
        cr_expect_str_eq(S(o, "volumeBindingMode"), "WaitForFirstConsumer");
        cr_expect_str_eq(S(o, "reclaimPolicy"), "Delete");
        cr_expect_str_eq(ann(o, "storageclass.kubernetes.io/is-default-class"), "true");
        kl_ctrl_actions_clear(&out);
        kl_controllers__localpath_class_reconcile(sc, &out);
        cr_expect_eq(out.n, 0, "present: left as it is");
        json_decref(sc);
}

Test(localpath, claim_without_consumer_waits_for_first_consumer)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };
        json_t *other = J(CONSUMER);

        json_object_set_new(G(other, "spec.volumes.0.persistentVolumeClaim"), "claimName",
                            json_string("another"));
        f.pods[f.n_pods++] = other;
        f.pods[f.n_pods++] = J(CONSUMER);
        json_object_del(G(f.pods[1], "spec"), "nodeName"); /* not scheduled yet */
        run(&f);
        cr_assert_eq(f.out.n, 1);
        cr_expect_eq(f.out.v[0].op, KL_CTRL_EVENT);
        cr_expect_str_eq(f.out.v[0].event_type, "Normal");
        cr_expect_str_eq(f.out.v[0].reason, "WaitForFirstConsumer");
        cr_expect_str_eq(f.out.v[0].message,
                         "waiting for first consumer to be created before binding");
        cr_expect_str_eq(S(f.out.v[0].obj, "metadata.name"), "data-web-0");
        done(&f);
}

Test(localpath, scheduled_consumer_gets_a_volume_on_its_node)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };
        const json_t *pv;

        f.pods[f.n_pods++] = J(CONSUMER);
        run(&f);
        cr_assert_eq(f.out.n, 4);
        cr_expect_eq(f.out.v[0].op, KL_CTRL_EVENT);
        cr_expect_str_eq(f.out.v[0].reason, "ExternalProvisioning");
        cr_expect_str_eq(f.out.v[0].message,
                         "Waiting for a volume to be created either by the external provisioner "
                         "'rancher.io/local-path' or manually by the system administrator. If "
                         "volume creation is delayed, please verify that the provisioner is "
                         "running and correctly registered.");
        cr_expect_eq(f.out.v[1].op, KL_CTRL_EVENT);
        cr_expect_str_eq(f.out.v[1].reason, "Provisioning");
        cr_expect_str_eq(f.out.v[1].message,
                         "External provisioner is provisioning volume for claim "
                         "\"default/data-web-0\"");
        cr_assert_eq(f.out.v[2].op, KL_CTRL_CREATE);
        cr_expect_str_eq(f.out.v[2].res->plural, "persistentvolumes");
        cr_expect_null(f.out.v[2].ns);
        pv = f.out.v[2].obj;
        cr_expect_str_eq(S(pv, "metadata.name"), "pvc-c1");
        cr_expect_str_eq(ann(pv, "pv.kubernetes.io/provisioned-by"), "rancher.io/local-path");
        cr_expect_str_eq(S(pv, "spec.capacity.storage"), "1Gi");
        cr_expect_str_eq(S(pv, "spec.accessModes.0"), "ReadWriteOnce");
        cr_expect_str_eq(S(pv, "spec.persistentVolumeReclaimPolicy"), "Delete");
        cr_expect_str_eq(S(pv, "spec.storageClassName"), "local-path");
        cr_expect_str_eq(S(pv, "spec.volumeMode"), "Filesystem");
        cr_expect_str_eq(S(pv, "spec.hostPath.path"),
                         "/var/lib/kube-lite/storage/pvc-c1_default_data-web-0");
        cr_expect_str_eq(S(pv, "spec.hostPath.type"), "DirectoryOrCreate");
        cr_expect_str_eq(S(pv, "spec.nodeAffinity.required.nodeSelectorTerms.0.matchExpressions."
                               "0.key"),
                         "kubernetes.io/hostname");
        cr_expect_str_eq(S(pv, "spec.nodeAffinity.required.nodeSelectorTerms.0.matchExpressions."
                               "0.operator"),
                         "In");
        cr_expect_str_eq(S(pv, "spec.nodeAffinity.required.nodeSelectorTerms.0.matchExpressions."
                               "0.values.0"),
                         "n1");
        cr_expect_str_eq(S(pv, "spec.claimRef.kind"), "PersistentVolumeClaim");
        cr_expect_str_eq(S(pv, "spec.claimRef.namespace"), "default");
        cr_expect_str_eq(S(pv, "spec.claimRef.name"), "data-web-0");
        cr_expect_str_eq(S(pv, "spec.claimRef.uid"), "c1");
        cr_expect_eq(f.out.v[3].op, KL_CTRL_EVENT);
        cr_expect_str_eq(f.out.v[3].reason, "ProvisioningSucceeded");
        cr_expect_str_eq(f.out.v[3].message, "Successfully provisioned volume pvc-c1");
        done(&f);
}

Test(localpath, selected_node_annotation_wins)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };

        json_object_set_new(G(f.pvc, "metadata"), "annotations",
                            J("{'volume.kubernetes.io/selected-node':'n7'}"));
        f.pods[f.n_pods++] = J(CONSUMER);
        run(&f);
        cr_assert_eq(f.out.v[2].op, KL_CTRL_CREATE);
        cr_expect_str_eq(S(f.out.v[2].obj, "spec.nodeAffinity.required.nodeSelectorTerms.0."
                                           "matchExpressions.0.values.0"),
                         "n7");
        done(&f);
}

Test(localpath, ephemeral_volume_consumer_counts)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };

        f.pods[f.n_pods++] = J("{'metadata':{'name':'data','namespace':'default'},'spec':{"
                               "'nodeName':'n3','volumes':[{'name':'web-0','ephemeral':{}}]}}");
        /* The claim of volume "web-0" of pod "data" is "data-web-0". */
        run(&f);
        cr_assert_eq(f.out.v[2].op, KL_CTRL_CREATE);
        cr_expect_str_eq(S(f.out.v[2].obj, "spec.nodeAffinity.required.nodeSelectorTerms.0."
                                           "matchExpressions.0.values.0"),
                         "n3");
        done(&f);
}

Test(localpath, provisioned_volume_binds_the_claim_then_its_status)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };
        const struct kl_ctrl_action *a;

        f.pods[f.n_pods++] = J(CONSUMER);
        f.pvs[f.n_pvs++] = provisioned(&f);
        run(&f);
        cr_assert_eq(f.out.n, 2);
        a = &f.out.v[0];
        cr_expect_eq(a->op, KL_CTRL_PATCH);
        cr_expect_str_eq(a->res->plural, "persistentvolumes");
        cr_expect_str_eq(a->name, "pvc-c1");
        cr_expect_str_eq(a->sub, "status");
        cr_expect_str_eq(S(a->obj, "status.phase"), "Bound");
        a = &f.out.v[1];
        cr_expect_eq(a->op, KL_CTRL_PATCH);
        cr_expect_str_eq(a->res->plural, "persistentvolumeclaims");
        cr_expect_null(a->sub);
        cr_expect_eq(a->patch_type, KL_API_PATCH_TYPE_MERGE);
        cr_expect_str_eq(S(a->obj, "spec.volumeName"), "pvc-c1");
        cr_expect_str_eq(ann(a->obj, "pv.kubernetes.io/bind-completed"), "yes");
        cr_expect_str_eq(ann(a->obj, "pv.kubernetes.io/bound-by-controller"), "yes");
        cr_expect_str_eq(ann(a->obj, "volume.kubernetes.io/storage-provisioner"),
                         "rancher.io/local-path");
        cr_expect_str_eq(ann(a->obj, "volume.kubernetes.io/selected-node"), "n1");

        /* The claim names the volume: now its status. */
        json_object_set_new(G(f.pvc, "spec"), "volumeName", json_string("pvc-c1"));
        json_object_set_new(G(f.pvs[0], "status"), "phase", json_string("Bound"));
        run(&f);
        cr_assert_eq(f.out.n, 1);
        a = &f.out.v[0];
        cr_expect_eq(a->op, KL_CTRL_PATCH);
        cr_expect_str_eq(a->res->plural, "persistentvolumeclaims");
        cr_expect_str_eq(a->sub, "status");
        cr_expect_str_eq(S(a->obj, "status.phase"), "Bound");
        cr_expect_str_eq(S(a->obj, "status.capacity.storage"), "1Gi");
        cr_expect_str_eq(S(a->obj, "status.accessModes.0"), "ReadWriteOnce");
        done(&f);
}

Test(localpath, bound_claim_needs_nothing)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };

        f.pods[f.n_pods++] = J(CONSUMER);
        f.pvs[f.n_pvs++] = provisioned(&f);
        json_object_set_new(G(f.pvc, "spec"), "volumeName", json_string("pvc-c1"));
        json_object_set_new(G(f.pvc, "status"), "phase", json_string("Bound"));
        json_object_set_new(G(f.pvs[0], "status"), "phase", json_string("Bound"));
        run(&f);
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(localpath, deleted_claim_deletes_its_volume)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };
        const struct kl_ctrl_action *a;

        f.pods[f.n_pods++] = J(CONSUMER);
        f.pvs[f.n_pvs++] = provisioned(&f);
        json_decref(f.pvc);
        f.pvc = NULL;
        run(&f);
        cr_assert_eq(f.out.n, 1);
        a = &f.out.v[0];
        cr_expect_eq(a->op, KL_CTRL_DELETE);
        cr_expect_str_eq(a->res->plural, "persistentvolumes");
        cr_expect_str_eq(a->name, "pvc-c1");
        cr_expect_str_eq(S(a->obj, "preconditions.uid"), "v1");
        done(&f);
}

Test(localpath, claim_recreated_with_another_uid_releases_the_old_volume)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };
        bool deleted = false, created = false;

        f.pods[f.n_pods++] = J(CONSUMER);
        f.pvs[f.n_pvs++] = provisioned(&f);
        json_object_set_new(G(f.pvc, "metadata"), "uid", json_string("c2"));
        run(&f);
        for (size_t i = 0; i < f.out.n; i++) {
                deleted |= f.out.v[i].op == KL_CTRL_DELETE && kl_streq(f.out.v[i].name, "pvc-c1");
                created |= f.out.v[i].op == KL_CTRL_CREATE &&
                           kl_streq(S(f.out.v[i].obj, "metadata.name"), "pvc-c2");
        }
        cr_expect(deleted);
        cr_expect(created);
        done(&f);
}

Test(localpath, retained_volume_is_released_not_deleted)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };

        json_object_set_new(f.sc, "reclaimPolicy", json_string("Retain"));
        f.pods[f.n_pods++] = J(CONSUMER);
        f.pvs[f.n_pvs++] = provisioned(&f);
        cr_expect_str_eq(S(f.pvs[0], "spec.persistentVolumeReclaimPolicy"), "Retain");
        json_decref(f.pvc);
        f.pvc = NULL;
        run(&f);
        cr_assert_eq(f.out.n, 1);
        cr_expect_eq(f.out.v[0].op, KL_CTRL_PATCH);
        cr_expect_str_eq(f.out.v[0].sub, "status");
        cr_expect_str_eq(S(f.out.v[0].obj, "status.phase"), "Released");
        done(&f);
}

Test(localpath, claim_without_class_gets_the_default_class)
{
        struct fixture f = { .pvc = J(CLAIM), .default_sc = J(CLASS) };

        json_object_del(G(f.pvc, "spec"), "storageClassName");
        run(&f);
        cr_assert_eq(f.out.n, 1);
        cr_expect_eq(f.out.v[0].op, KL_CTRL_PATCH);
        cr_expect_null(f.out.v[0].sub);
        cr_expect_str_eq(S(f.out.v[0].obj, "spec.storageClassName"), "local-path");
        /* "" means no class: left alone. */
        json_object_set_new(G(f.pvc, "spec"), "storageClassName", json_string(""));
        run(&f);
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(localpath, claims_of_other_provisioners_are_left_alone)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };

        json_object_set_new(f.sc, "provisioner", json_string("ebs.csi.aws.com"));
        f.pods[f.n_pods++] = J(CONSUMER);
        run(&f);
        cr_expect_eq(f.out.n, 0);
        json_decref(f.sc);
        f.sc = NULL; /* a class that does not exist */
        run(&f);
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

Test(localpath, statically_bound_claims_are_left_alone)
{
        struct fixture f = { .pvc = J(CLAIM), .sc = J(CLASS) };

        json_object_set_new(G(f.pvc, "spec"), "volumeName", json_string("my-volume"));
        f.pods[f.n_pods++] = J(CONSUMER);
        run(&f);
        cr_expect_eq(f.out.n, 0);
        done(&f);
}

/* ------------------------------------------------------------------------- */
/* Against a real in-process API server, with the manager */

#include "apiserver/tests/support/testenv.h"

static struct kl_controllers *start_controllers(struct kl_testenv *e)
{
        static const char *const enabled[] = { "localpath", NULL };
        const struct kl_controllers_options co = { .enabled = enabled };
        struct kl_controllers *ctrl = NULL;
        struct kl_err *err = NULL;

        cr_assert_eq(kl_controllers_start(e->client, &co, &ctrl, &err), 0, "%s", kl_err_msg(err));
        return ctrl;
}

static void create(struct kl_testenv *e, const char *group, const char *plural, const char *ns,
                   const char *text)
{
        kl_testenv_create(e, kl_ctrl_res(group, plural), ns, J(text), NULL);
}

static void delete (struct kl_testenv *e, const char *plural, const char *name)
{
        kl_testenv_delete(e, kl_ctrl_res("", plural), "default", name, NULL, NULL);
}

/* The object (new), or NULL when absent. `ns` NULL for cluster-scoped kinds. */
static json_t *get(struct kl_testenv *e, const char *group, const char *plural, const char *ns,
                   const char *name)
{
        return kl_testenv_get_or_null(e, kl_ctrl_res(group, plural), ns, name);
}

static bool class_created(struct kl_testenv *e)
{
        json_auto_t *sc = get(e, "storage.k8s.io", "storageclasses", NULL, "local-path");

        return sc && kl_streq_null(S(sc, "provisioner"), "rancher.io/local-path");
}

static bool claim_bound(struct kl_testenv *e)
{
        json_auto_t *pvc = get(e, "", "persistentvolumeclaims", "default", "data");

        return pvc && kl_streq_null(S(pvc, "status.phase"), "Bound") &&
               S(pvc, "spec.volumeName") != NULL;
}

static char *volume_name;

static bool volume_bound(struct kl_testenv *e)
{
        json_auto_t *pv = get(e, "", "persistentvolumes", NULL, volume_name);

        return pv && kl_streq_null(S(pv, "status.phase"), "Bound");
}

static bool volume_gone(struct kl_testenv *e)
{
        json_auto_t *pv = get(e, "", "persistentvolumes", NULL, volume_name);

        return pv == NULL;
}

Test(localpath, provisions_binds_and_reclaims_against_a_real_api_server)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        json_auto_t *pvc = NULL, *pv = NULL;
        kl_autofree char *path = NULL;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        kl_testenv_wait_until(&e, class_created, "the local-path StorageClass exists");
        create(&e, "", "persistentvolumeclaims", "default",
               "{'metadata':{'name':'data'},'spec':{'accessModes':['ReadWriteOnce'],"
               "'resources':{'requests':{'storage':'2Gi'}}}}");
        create(&e, "", "pods", "default",
               "{'metadata':{'name':'app'},'spec':{'nodeName':'n1','containers':[{'name':'c',"
               "'image':'busybox'}],'volumes':[{'name':'d','persistentVolumeClaim':{"
               "'claimName':'data'}}]}}");
        kl_testenv_wait_until(&e, claim_bound, "the claim is Bound");
        pvc = get(&e, "", "persistentvolumeclaims", "default", "data");
        cr_expect_str_eq(S(pvc, "spec.storageClassName"), "local-path");
        volume_name = kl_asprintf("pvc-%s", S(pvc, "metadata.uid"));
        cr_expect_str_eq(S(pvc, "spec.volumeName"), volume_name);
        cr_expect_str_eq(S(pvc, "status.capacity.storage"), "2Gi");
        pv = get(&e, "", "persistentvolumes", NULL, volume_name);
        cr_assert(pv);
        path = kl_asprintf("/var/lib/kube-lite/storage/%s_default_data", volume_name);
        cr_expect_str_eq(S(pv, "spec.hostPath.path"), path);
        cr_expect_str_eq(S(pv, "spec.claimRef.name"), "data");
        kl_testenv_wait_until(&e, volume_bound, "the volume is Bound");

        /* Converged: the stored objects (after defaulting) ask for no further write. */
        {
                json_auto_t *sc = get(&e, "storage.k8s.io", "storageclasses", NULL, "local-path");
                json_auto_t *app = get(&e, "", "pods", "default", "app");
                json_auto_t *bound = get(&e, "", "persistentvolumes", NULL, volume_name);
                json_auto_t *claim = get(&e, "", "persistentvolumeclaims", "default", "data");
                const json_t *pv_v[1] = { bound }, *pod_v[1] = { app };
                const struct kl_controllers__localpath_in in = {
                        .ns = "default",
                        .name = "data",
                        .pvc = claim,
                        .sc = sc,
                        .pvs = pv_v,
                        .n_pvs = 1,
                        .pods = pod_v,
                        .n_pods = 1,
                        .dir = "/var/lib/kube-lite/storage",
                };
                struct kl_ctrl_actions out = { 0 };

                kl_controllers__localpath_reconcile(&in, &out);
                cr_expect_eq(out.n, 0);
                kl_ctrl_actions_clear(&out);
        }

        delete (&e, "pods", "app");
        delete (&e, "persistentvolumeclaims", "data");
        kl_testenv_wait_until(&e, volume_gone, "the volume is deleted with its claim");
        free(volume_name);
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}

/*
 * The whole path with the scheduler: two nodes, a pod without nodeName; the
 * scheduler annotates the claim with the node it picks, the provisioner
 * puts the volume there, and a second pod of the same claim can only go to
 * that node (the volume's node affinity), whatever the scores say.
 */
#include "scheduler/scheduler.h"

static void add_node(struct kl_testenv *e, const char *name)
{
        kl_autofree char *text =
                kl_asprintf("{'metadata':{'name':'%s','labels':{'kubernetes.io/hostname':'%s'}},"
                            "'status':{'allocatable':{'cpu':'4','memory':'8Gi','pods':'110'},"
                            "'conditions':[{'type':'Ready','status':'True'}]}}",
                            name, name);

        create(e, "", "nodes", NULL, text);
        kl_testenv_update(e, kl_ctrl_res("", "nodes"), NULL, name, "status", J(text), NULL);
}

static const char *waited_pod; /* what pod_bound() looks at */

static bool pod_bound(struct kl_testenv *e)
{
        json_auto_t *pod = get(e, "", "pods", "default", waited_pod);

        return pod && S(pod, "spec.nodeName") != NULL;
}

/* A pod named `name` mounting claim "data". */
static void add_claim_user(struct kl_testenv *e, const char *name)
{
        kl_autofree char *text = kl_asprintf(
                "{'metadata':{'name':'%s'},'spec':{'containers':[{'name':'c','image':'busybox'}],"
                "'volumes':[{'name':'d','persistentVolumeClaim':{'claimName':'data'}}]}}",
                name);

        create(e, "", "pods", "default", text);
        waited_pod = name;
        kl_testenv_wait_until(e, pod_bound, name);
}

Test(localpath, scheduler_selects_the_node_and_the_volume_pins_the_next_pod)
{
        struct kl_testenv e = { 0 };
        struct kl_controllers *ctrl;
        struct kl_scheduler *sched = NULL;
        struct kl_client *sc = NULL;
        struct kl_err *err = NULL;
        json_auto_t *pvc = NULL, *pv = NULL, *first = NULL;
        kl_autofree char *path = NULL;
        const char *node;

        kl_testenv_start(&e, NULL);
        ctrl = start_controllers(&e);
        sc = kl_apiserver_client_new(e.server, "system:kube-scheduler");
        cr_assert_eq(
                kl_scheduler_start(sc, &(struct kl_scheduler_options){ .seed = 7 }, &sched, &err),
                0, "%s", kl_err_msg(err));
        add_node(&e, "n1");
        add_node(&e, "n2");
        kl_testenv_wait_until(&e, class_created, "the local-path StorageClass exists");
        create(&e, "", "persistentvolumeclaims", "default",
               "{'metadata':{'name':'data'},'spec':{'storageClassName':'local-path',"
               "'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}");
        add_claim_user(&e, "first");
        kl_testenv_wait_until(&e, claim_bound, "the claim is Bound");

        first = get(&e, "", "pods", "default", "first");
        node = S(first, "spec.nodeName");
        pvc = get(&e, "", "persistentvolumeclaims", "default", "data");
        cr_expect_str_eq(ann(pvc, "volume.kubernetes.io/selected-node"), node);
        volume_name = kl_asprintf("pvc-%s", S(pvc, "metadata.uid"));
        pv = get(&e, "", "persistentvolumes", NULL, volume_name);
        cr_assert(pv);
        cr_expect_str_eq(S(pv, "spec.nodeAffinity.required.nodeSelectorTerms.0.matchExpressions.0."
                               "values.0"),
                         node);
        path = kl_asprintf("/var/lib/kube-lite/storage/%s_default_data", volume_name);
        cr_expect_str_eq(S(pv, "spec.hostPath.path"), path);

        /* Several pods of the claim: all on the volume's node. */
        for (int i = 0; i < 4; i++) {
                kl_autofree char *name = kl_asprintf("more-%d", i);
                json_auto_t *more = NULL;

                add_claim_user(&e, name);
                more = get(&e, "", "pods", "default", name);
                cr_expect_str_eq(S(more, "spec.nodeName"), node, "%s", name);
        }
        free(volume_name);
        volume_name = NULL;
        kl_scheduler_free(sched);
        kl_client_free(sc);
        kl_controllers_free(ctrl);
        kl_testenv_stop(&e);
}
