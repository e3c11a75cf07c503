/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Conversion hooks of the route layer (convert-internal.h): which row
 * stores a view row's objects, conversion of bodies and answers through
 * pkg/api/convert.h, and PATCH of a view row (the patch applies to the
 * object as the client sees it, not as it is stored; server-side apply of
 * autoscaling/v1 is made in v1 by the handler layer, kl_apiserver__apply_view()).
 */
#include <errno.h>

#include "api/convert.h"
#include "api/patch.h"
#include "api/schema.h"
#include "apiserver/convert-internal.h"
#include "json/json.h"

/* Conflicting writes a view patch without a resourceVersion absorbs, as upstream's patcher. */
#define VIEW_PATCH_MAX_TRIES 5

const struct kl_api_resource *kl_apiserver__storage_row(const struct kl_api_resource *res)
{
        const struct kl_api_resource *st;

        if (!kl_apiserver__is_view(res))
                return res;
        st = kl_api_resource_find(res->storage_group, res->storage_version, res->plural);
        kl_assert(st);
        return st;
}

json_t *kl_apiserver__convert_out(const struct kl_api_resource *res, const json_t *obj)
{
        json_t *out = NULL;
        int r;

        if (!kl_apiserver__is_view(res) || !obj)
                return json_incref((json_t *)obj);
        /* Storage -> view never fails: only a v1 -> v2 HPA reads annotations. */
        r = kl_api_convert(obj, res->storage_group, res->storage_version, res->group, res->version,
                           &out, NULL);
        kl_assert(r == 0);
        return out;
}

int kl_apiserver__convert_in(const struct kl_api_resource *res, json_t *obj, json_t **ret,
                             struct kl_err **err)
{
        json_auto_t *in = obj;

        if (!kl_apiserver__is_view(res) || !json_is_object(in)) {
                *ret = KL_TAKE_PTR(in);
                return 0;
        }
        return kl_api_convert(in, res->group, res->version, res->storage_group,
                              res->storage_version, ret, err);
}

struct view_patch {
        struct kl_apiserver *s;
        const struct kl_api_resource *res; /* the view row */
        char *ns, *name, *sub;
        int type;
        json_t *patch;
        struct kl_apiserver_write_opts opts;
        kl_apiserver_write_fn *cb;
        void *arg;
        int tries;
        bool own_rv; /* the patch set metadata.resourceVersion: no retries */
};

static void view_patch_free(struct view_patch *vp)
{
        free(vp->ns);
        free(vp->name);
        free(vp->sub);
        json_decref(vp->patch);
        free(vp);
}

static void view_patch_finish(struct view_patch *vp, int r, const struct kl_apiserver_result *res,
                              const struct kl_err *err)
{
        vp->cb(vp->arg, r, res, err);
        view_patch_free(vp);
}

static int view_patch_apply(const struct view_patch *vp, const json_t *doc, json_t **ret,
                            struct kl_err **err)
{
        switch (vp->type) {
        case KL_API_PATCH_TYPE_MERGE:
                return kl_api_patch_merge(doc, vp->patch, ret, err);
        case KL_API_PATCH_TYPE_JSON:
                return kl_api_patch_json(doc, vp->patch, ret, err);
        case KL_API_PATCH_TYPE_STRATEGIC:
                return kl_api_patch_strategic(doc, vp->patch, kl_api_patch_schema_lookup,
                                              kl_api_schema_message(vp->res->schema), ret, err);
        default:
                return kl_err_set_msg(err, -EINVAL, "unsupported patch type");
        }
}

static void view_patch_run(struct view_patch *vp);

static void view_patch_done(void *arg, int r, const struct kl_apiserver_result *res,
                            const struct kl_err *err)
{
        struct view_patch *vp = arg;

        if (r == -KL_ECONFLICT && !vp->own_rv && ++vp->tries < VIEW_PATCH_MAX_TRIES) {
                view_patch_run(vp);
                return;
        }
        view_patch_finish(vp, r, res, err);
}

static void view_patch_run(struct view_patch *vp)
{
        const struct kl_api_resource *st = kl_apiserver__storage_row(vp->res);
        kl_autoerr struct kl_err *e = NULL;
        json_auto_t *stored = NULL;
        json_auto_t *view = NULL;
        json_auto_t *patched = NULL;
        json_t *body = NULL;
        const char *rv, *prv;
        int r;

        r = kl_apiserver_get(vp->s, st, vp->ns, vp->name, &stored, &e);
        if (r < 0) {
                view_patch_finish(vp, r, NULL, e);
                return;
        }
        view = kl_apiserver__convert_out(vp->res, stored);
        r = view_patch_apply(vp, view, &patched, &e);
        if (r >= 0 && !json_is_object(patched))
                r = kl_err_set_msg(&e, -KL_EINVALID, "%s", KL_API_PATCH_INVALID_MSG);
        if (r < 0) {
                view_patch_finish(vp, r, NULL, e);
                return;
        }
        rv = json_string_value(
                json_object_get(json_object_get(stored, "metadata"), "resourceVersion"));
        prv = json_string_value(
                json_object_get(json_object_get(patched, "metadata"), "resourceVersion"));
        vp->own_rv = !kl_streq_null(rv, prv);
        r = kl_apiserver__convert_in(vp->res, json_incref(patched), &body, &e);
        if (r < 0) {
                view_patch_finish(vp, r, NULL, e);
                return;
        }
        kl_apiserver_update(vp->s, st, vp->ns, vp->name, vp->sub, body, &vp->opts, view_patch_done,
                            vp);
}

void kl_apiserver__patch_view(struct kl_apiserver *s, const struct kl_api_resource *res,
                              const char *ns, const char *name, const char *sub, int type,
                              json_t *patch, const struct kl_apiserver_write_opts *opts,
                              kl_apiserver_write_fn *cb, void *arg)
{
        struct view_patch *vp;

        if (type == KL_API_PATCH_TYPE_APPLY_YAML) {
                kl_autoerr struct kl_err *e = NULL;
                json_t *body = NULL;
                int r;

                if (kl_streq(res->group, "autoscaling") && !sub) {
                        kl_apiserver__apply_view(s, res, ns, name, patch, opts, cb, arg);
                        return;
                }
                if (kl_streq(res->group, "autoscaling")) {
                        /* Subresources are not applied in v1 (README.md). */
                        json_decref(patch);
                        (void)kl_err_set_msg(&e, -EINVAL,
                                             "server-side apply of %s/%s %s/%s is not supported, "
                                             "apply it through %s/%s",
                                             res->group, res->version, res->plural, sub,
                                             res->storage_group, res->storage_version);
                        cb(arg, -EINVAL, NULL, e);
                        return;
                }
                r = kl_apiserver__convert_in(res, patch, &body, &e);
                if (r < 0) {
                        cb(arg, r, NULL, e);
                        return;
                }
                kl_apiserver_patch(s, kl_apiserver__storage_row(res), ns, name, sub, type, body,
                                   opts, cb, arg);
                return;
        }
        vp = kl_new0(struct view_patch);
        vp->s = s;
        vp->res = res;
        vp->ns = ns ? kl_strdup(ns) : NULL;
        vp->name = kl_strdup(name);
        vp->sub = sub ? kl_strdup(sub) : NULL;
        vp->type = type;
        vp->patch = patch;
        vp->opts = *opts;
        vp->cb = cb;
        vp->arg = arg;
        view_patch_run(vp);
}
