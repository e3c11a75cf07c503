/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The list of writes a reconcile asks for (ctrl-internal.h "Actions"). The
 * manager performs them; unit tests read them.
 */
#include <stdarg.h>

#include "controllers/ctrl-internal.h"

static struct kl_ctrl_action *push(struct kl_ctrl_actions *a, enum kl_ctrl_op op,
                                   const struct kl_api_resource *res, const char *ns,
                                   const char *name)
{
        struct kl_ctrl_action *x;

        if (a->n == a->cap) {
                a->cap = a->cap ? a->cap * 2 : 8;
                a->v = kl_realloc(a->v, a->cap * sizeof(*a->v));
        }
        x = &a->v[a->n++];
        *x = (struct kl_ctrl_action){
                .op = op,
                .res = res,
                .ns = ns ? kl_strdup(ns) : NULL,
                .name = name ? kl_strdup(name) : NULL,
        };
        return x;
}

void kl_ctrl_create(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                    json_t *obj)
{
        push(a, KL_CTRL_CREATE, res, ns, NULL)->obj = obj;
}

void kl_ctrl_update(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                    const char *name, const char *sub, json_t *obj)
{
        struct kl_ctrl_action *x = push(a, KL_CTRL_UPDATE, res, ns, name);

        x->sub = sub;
        x->obj = obj;
}

void kl_ctrl_patch(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                   const char *name, const char *sub, int patch_type, json_t *patch)
{
        struct kl_ctrl_action *x = push(a, KL_CTRL_PATCH, res, ns, name);

        x->sub = sub;
        x->patch_type = patch_type;
        x->obj = patch;
}

void kl_ctrl_delete(struct kl_ctrl_actions *a, const struct kl_api_resource *res, const char *ns,
                    const char *name, json_t *delete_opts)
{
        push(a, KL_CTRL_DELETE, res, ns, name)->obj = delete_opts;
}

void kl_ctrl_event(struct kl_ctrl_actions *a, const json_t *involved, const char *type,
                   const char *reason, const char *fmt, ...)
{
        struct kl_ctrl_action *x = push(a, KL_CTRL_EVENT, kl_ctrl_res("", "events"), NULL, NULL);
        va_list ap;
        int n;

        x->obj = json_incref((json_t *)involved);
        x->event_type = type;
        x->reason = kl_strdup(reason);
        va_start(ap, fmt);
        n = vasprintf(&x->message, fmt, ap);
        va_end(ap);
        if (n < 0)
                kl_oom();
}

void kl_ctrl_actions_clear(struct kl_ctrl_actions *a)
{
        for (size_t i = 0; i < a->n; i++) {
                struct kl_ctrl_action *x = &a->v[i];

                free(x->ns);
                free(x->name);
                json_decref(x->obj);
                free(x->reason);
                free(x->message);
        }
        free(a->v);
        *a = (struct kl_ctrl_actions){ 0 };
}
