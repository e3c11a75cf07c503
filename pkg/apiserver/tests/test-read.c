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
#include "loop/loop.h"
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

static void on_closed(void *arg)
{
        *(bool *)arg = true;
}

static void run_until(uv_loop_t *loop, const bool *flag)
{
        for (int i = 0; i < 10000 && !*flag; i++)
                (void)kl_loop_run(loop, UV_RUN_ONCE);
        cr_assert(*flag);
}

static void create_cm(struct kl_apiserver *s, uv_loop_t *loop, const char *name)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "configmaps");
        struct kl_apiserver_write_opts o = { .field_manager = "test" };
        struct wait w = { 0 };

        kl_apiserver_create(s, res, "default",
                            json_pack("{sssss{ss}}", "apiVersion", "v1", "kind", "ConfigMap",
                                      "metadata", "name", name),
                            &o, on_write, &w);
        run_until(loop, &w.done);
        cr_assert_eq(w.r, 0, "create %s: %d", name, w.r);
}

static struct wait list(struct kl_apiserver *s, uv_loop_t *loop, const char *rv, const char *match,
                        int64_t limit, const char *token, bool as_text)
{
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "configmaps");
        struct kl_apiserver_list_opts o = { .resource_version = rv,
                                            .continue_token = token,
                                            .limit = limit };
        struct wait w = { 0 };

        kl_apiserver__list_async(s, res, "default", &o, match, as_text, on_list, &w);
        run_until(loop, &w.done);
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
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1" };
        struct kl_apiserver *s = NULL;
        struct kl_err *err = NULL;
        uv_loop_t loop;
        struct wait w;
        char buf[128], rv[24];
        kl_autofree char *token = NULL;
        bool closed = false;

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(kl_apiserver_new(&loop, &opts, &s, &err), 0, "%s", err ? kl_err_msg(err) : "");
        create_cm(s, &loop, "a");
        create_cm(s, &loop, "b");
        (void)snprintf(rv, sizeof(rv), "%lld", (long long)s->rev);
        w = list(s, &loop, NULL, NULL, 1, NULL, false);
        cr_assert_eq(w.r, 0);
        token = kl_strdup(json_string_value(
                json_object_get(json_object_get(w.list, "metadata"), "continue")));
        json_decref(w.list);
        create_cm(s, &loop, "c");

        /* Exact: the store at that revision, in both output forms. */
        for (int text = 0; text < 2; text++) {
                w = list(s, &loop, rv, "Exact", 0, NULL, text);
                cr_assert_eq(w.r, 0, "%s", w.msg);
                cr_expect_str_eq(names(w.list, buf, sizeof(buf)), "a b");
                cr_expect_str_eq(json_string_value(json_object_get(
                                         json_object_get(w.list, "metadata"), "resourceVersion")),
                                 rv);
                json_decref(w.list);
        }
        /* The second page at the first page's revision: c is not in it. */
        w = list(s, &loop, NULL, NULL, 1, token, true);
        cr_assert_eq(w.r, 0, "%s", w.msg);
        cr_expect_str_eq(names(w.list, buf, sizeof(buf)), "b");
        cr_expect_null(json_object_get(json_object_get(w.list, "metadata"), "continue"));
        json_decref(w.list);
        /* NotOlderThan: the newest state from the cache. */
        w = list(s, &loop, rv, "NotOlderThan", 0, NULL, true);
        cr_expect_str_eq(names(w.list, buf, sizeof(buf)), "a b c");
        json_decref(w.list);

        cr_assert_eq(kl_store_compact(s->store, s->rev, KL_STORE_COMPACT_WAIT, NULL), 0);
        w = list(s, &loop, rv, "Exact", 0, NULL, true);
        cr_expect_eq(w.r, -KL_EEXPIRED);
        cr_expect_str_eq(w.msg, "The resourceVersion for the provided list is too old.");
        w = list(s, &loop, NULL, NULL, 1, token, false);
        cr_expect_eq(w.r, -KL_EEXPIRED);
        cr_expect(strstr(w.msg, "The provided continue parameter is too old") == w.msg, "%s",
                  w.msg);
        /* Refused combinations, worded as upstream. */
        w = list(s, &loop, NULL, "Exact", 0, NULL, true);
        cr_expect_eq(w.r, -KL_EINVALID);
        w = list(s, &loop, "0", "Exact", 0, NULL, true);
        cr_expect_eq(w.r, -KL_EINVALID);
        w = list(s, &loop, "5", NULL, 0, token, true);
        cr_expect_eq(w.r, -EINVAL);
        cr_expect_str_eq(w.msg, "specifying resource version is not allowed when using continue");

        kl_apiserver_close(s, 0, on_closed, &closed);
        run_until(&loop, &closed);
        cr_expect_eq(kl_loop_finish(&loop), 0);
}

Test(read, handler_layer_list_pages_like_http)
{
        struct kl_apiserver_options opts = { .data_dir = kl_test_tmpdir(),
                                             .bind_address = "127.0.0.1" };
        const struct kl_api_resource *res = kl_api_resource_find("", "v1", "configmaps");
        struct kl_apiserver_list_opts lo = { .limit = 1 };
        struct kl_apiserver *s = NULL;
        struct kl_err *err = NULL;
        json_auto_t *page1 = NULL, *page2 = NULL;
        kl_autofree char *token = NULL;
        uv_loop_t loop;
        char buf[128];
        bool closed = false;

        cr_assert_eq(kl_loop_init(&loop), 0);
        cr_assert_eq(kl_apiserver_new(&loop, &opts, &s, &err), 0, "%s", err ? kl_err_msg(err) : "");
        create_cm(s, &loop, "a");
        create_cm(s, &loop, "b");
        cr_assert_eq(kl_apiserver_list(s, res, "default", &lo, &page1, NULL), 0);
        cr_expect_str_eq(names(page1, buf, sizeof(buf)), "a");
        token = kl_strdup(
                json_string_value(json_object_get(json_object_get(page1, "metadata"), "continue")));
        lo.continue_token = token;
        cr_assert_eq(kl_apiserver_list(s, res, "default", &lo, &page2, NULL), 0);
        cr_expect_str_eq(names(page2, buf, sizeof(buf)), "b");
        /* After a write the cache no longer holds the token's revision. */
        create_cm(s, &loop, "c");
        cr_expect_eq(kl_apiserver_list(s, res, "default", &lo, NULL, NULL), -KL_EEXPIRED);

        kl_apiserver_close(s, 0, on_closed, &closed);
        run_until(&loop, &closed);
        cr_expect_eq(kl_loop_finish(&loop), 0);
}
