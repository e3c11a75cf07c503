/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lists at a revision through a real server on a loop: an exact older
 * revision and a continue token whose revision the cache has moved past are
 * read from the store at that revision; once compacted they get upstream's
 * 410 wording.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "apiserver/apiserver-internal.h"
#include "apiserver/tests/support/testenv.h"
#include "testing/testing.h"

struct wait {
        bool done;
        int r;
        char msg[256];
        json_t *list; /* owned */
};

static void on_list(void *arg, int r, const json_t *list, struct kl_apiserver__list_text *text,
                    const struct kl_err *err)
{
        kl_autobuf struct kl_buf buf = KL_BUF_INIT;

        struct wait *w = arg;

        w->done = true;
        w->r = r;
        if (err)
                (void)snprintf(w->msg, sizeof(w->msg), "%s", kl_err_msg(err));
        if (list)
                w->list = json_deep_copy(list);
        else if (text && kl_apiserver__list_text_next(text, &buf, SIZE_MAX) == 0)
                w->list = json_loadb(buf.buf, buf.len, 0, NULL);
        kl_apiserver__list_text_free(text);
}

static void on_write(void *arg, int r, const struct kl_apiserver_result *res,
                     const struct kl_err *err)
{
        struct wait *w = arg;

        (void)res;
        (void)err;
        w->done = true;
        w->r = r;
}

/* The server with the store's default syncs, not the fixture's relaxed ones. */
static void env_start(struct kl_testenv *e)
{
        const struct kl_apiserver_options so = { 0 };
        const struct kl_testenv_options opts = { .server = &so };

        kl_testenv_start(e, &opts);
}

static void create_cm(struct kl_testenv *e, const char *name)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "configmaps");
        struct kl_apiserver_write_opts o = { .field_manager = "test" };
        struct wait w = { 0 };

        kl_apiserver_create(e->server, res, "default",
                            json_pack("{sssss{ss}}", "apiVersion", "v1", "kind", "ConfigMap",
                                      "metadata", "name", name),
                            &o, on_write, &w);
        kl_testenv_run_until(e, &w.done);
        cr_assert_eq(w.r, 0, "create %s: %d", name, w.r);
}

static struct wait list(struct kl_testenv *e, const char *rv, const char *match, int64_t limit,
                        const char *token, bool as_text)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "configmaps");
        struct kl_apiserver_list_opts o = { .resource_version = rv,
                                            .continue_token = token,
                                            .limit = limit };
        struct wait w = { 0 };

        kl_apiserver__list_async(e->server, res, "default", &o, match, as_text, on_list, &w);
        kl_testenv_run_until(e, &w.done);
        return w;
}

static const char *names(const json_t *list, char *buf, size_t size)
{
        size_t i, o = 0;
        json_t *it;

        buf[0] = '\0';
        json_array_foreach(json_object_get(list, "items"), i, it) {
                o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? " " : "",
                                      json_string_value(json_object_get(
                                              json_object_get(it, "metadata"), "name")));
        }
        return buf;
}

Test(read, store_at_a_revision_then_410_once_compacted)
{
        struct kl_testenv e;
        struct kl_apiserver *s;
        struct wait w;
        char buf[128], rv[24];
        kl_autofree char *token = NULL;

        env_start(&e);
        s = e.server;
        create_cm(&e, "a");
        create_cm(&e, "b");
        (void)snprintf(rv, sizeof(rv), "%lld", (long long)s->rev);
        w = list(&e, NULL, NULL, 1, NULL, false);
        cr_assert_eq(w.r, 0);
        token = kl_strdup(json_string_value(
                json_object_get(json_object_get(w.list, "metadata"), "continue")));
        json_decref(w.list);
        create_cm(&e, "c");

        /* Exact: the store at that revision, in both output forms. */
        for (int text = 0; text < 2; text++) {
                w = list(&e, rv, "Exact", 0, NULL, text);
                cr_assert_eq(w.r, 0, "%s", w.msg);
                cr_expect_str_eq(names(w.list, buf, sizeof(buf)), "a b");
                cr_expect_str_eq(json_string_value(json_object_get(
                                         json_object_get(w.list, "metadata"), "resourceVersion")),
                                 rv);
                json_decref(w.list);
        }
        /* The second page at the first page's revision: c is not in it. */
        w = list(&e, NULL, NULL, 1, token, true);
        cr_assert_eq(w.r, 0, "%s", w.msg);
        cr_expect_str_eq(names(w.list, buf, sizeof(buf)), "b");
        cr_expect_null(json_object_get(json_object_get(w.list, "metadata"), "continue"));
        json_decref(w.list);
        /* NotOlderThan: the newest state from the cache. */
        w = list(&e, rv, "NotOlderThan", 0, NULL, true);
        cr_expect_str_eq(names(w.list, buf, sizeof(buf)), "a b c");
        json_decref(w.list);

        cr_assert_eq(kl_store_compact(s->store, s->rev, KL_STORE_COMPACT_WAIT, NULL), 0);
        w = list(&e, rv, "Exact", 0, NULL, true);
        cr_expect_eq(w.r, -KL_EEXPIRED);
        cr_expect_str_eq(w.msg, "The resourceVersion for the provided list is too old.");
        w = list(&e, NULL, NULL, 1, token, false);
        cr_expect_eq(w.r, -KL_EEXPIRED);
        cr_expect(strstr(w.msg, "The provided continue parameter is too old") == w.msg, "%s",
                  w.msg);
        /* Refused combinations, worded as upstream. */
        w = list(&e, NULL, "Exact", 0, NULL, true);
        cr_expect_eq(w.r, -KL_EINVALID);
        w = list(&e, "0", "Exact", 0, NULL, true);
        cr_expect_eq(w.r, -KL_EINVALID);
        w = list(&e, "5", NULL, 0, token, true);
        cr_expect_eq(w.r, -EINVAL);
        cr_expect_str_eq(w.msg, "specifying resource version is not allowed when using continue");

        kl_testenv_stop(&e);
}

Test(read, handler_layer_list_pages_like_http)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "configmaps");
        struct kl_apiserver_list_opts lo = { .limit = 1 };
        struct kl_testenv e;
        struct kl_apiserver *s;
        json_auto_t *page1 = NULL, *page2 = NULL;
        kl_autofree char *token = NULL;
        char buf[128];

        env_start(&e);
        s = e.server;
        create_cm(&e, "a");
        create_cm(&e, "b");
        cr_assert_eq(kl_apiserver_list(s, res, "default", &lo, &page1, NULL), 0);
        cr_expect_str_eq(names(page1, buf, sizeof(buf)), "a");
        token = kl_strdup(
                json_string_value(json_object_get(json_object_get(page1, "metadata"), "continue")));
        lo.continue_token = token;
        cr_assert_eq(kl_apiserver_list(s, res, "default", &lo, &page2, NULL), 0);
        cr_expect_str_eq(names(page2, buf, sizeof(buf)), "b");
        /* After a write the cache no longer holds the token's revision. */
        create_cm(&e, "c");
        cr_expect_eq(kl_apiserver_list(s, res, "default", &lo, NULL, NULL), -KL_EEXPIRED);

        kl_testenv_stop(&e);
}
