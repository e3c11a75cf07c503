/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testenv: the in-process API server fixture of the integration tests (the
 * controllers', the scheduler's, the API server's own). One loop, one API
 * server on a fresh kl_test_tmpdir() with relaxed store syncs, one
 * in-process client, a 10 ms tick that paces polling waits, and calls that
 * run the loop until the server answers and assert success with the
 * server's message. Test-only: built into libapiserver-test.a, linked into
 * the tests and benchmarks of every module whose test closure has apiserver.
 *
 * Ownership: struct kl_testenv is the caller's storage (usually on the
 * test's stack); the fixture owns the server, the client and the tick timer
 * in it. What the test starts on top (controllers, a scheduler, more
 * clients of e->server) it frees itself before kl_testenv_stop(). Objects
 * returned by the calls below are new references, owned by the caller.
 * Everything here asserts with Criterion, so it runs inside tests only.
 */
#ifndef KL_APISERVER_TESTS_SUPPORT_TESTENV_H
#define KL_APISERVER_TESTS_SUPPORT_TESTENV_H

#include <stdbool.h>

#include <jansson.h>
#include <uv.h>

#include "api/resource.h"
#include "apiserver/apiserver.h"
#include "client/client.h"

struct kl_testenv_options {
        /* Who the client writes as; NULL: "system:kube-controller-manager". */
        const char *user;
        /*
         * The server's options, used as given except that a NULL data_dir
         * becomes a fresh kl_test_tmpdir() and a NULL bind_address
         * "127.0.0.1" (set .sync yourself). NULL: those defaults and
         * KL_STORE_SYNC_RELAXED.
         */
        const struct kl_apiserver_options *server;
};

struct kl_testenv {
        uv_loop_t loop;
        struct kl_apiserver *server; /* owned */
        struct kl_client *client;    /* owned; in-process, writing as the options' user */
        uv_timer_t tick;             /* owned; fires every 10 ms while started */
        bool ticked;                 /* set by each tick; kl_testenv_tick() clears it */
        /* Read from e->server at start, for kl_testenv_https(); all owned. */
        char *url;       /* https://127.0.0.1:<port> (bound there or on all addresses) */
        char *ca_pem;    /* the server CA */
        char *admin_pem; /* the admin client certificate (system:admin, system:masters) */
        char *admin_key; /* its key */
};

/** Start the loop, the server, the client and the tick. `opts` may be NULL. */
void kl_testenv_start(struct kl_testenv *e, const struct kl_testenv_options *opts);
/**
 * Free the client, close the server and the tick, and assert the loop
 * finishes clean. Free what was started on top of e->client or e->server
 * first.
 */
void kl_testenv_stop(struct kl_testenv *e);

/** Run the loop until `*flag` is true (bounded by iterations, not time); assert it is. */
void kl_testenv_run_until(struct kl_testenv *e, const bool *flag);
/** Run the loop until the next 10 ms tick: one round of a polling wait. */
void kl_testenv_tick(struct kl_testenv *e);

/*
 * One call made with kl_client_*() and kl_testenv_on_read/on_write as its
 * callback (any client of the loop): for calls whose failure a test
 * expects, or with options the helpers below do not take. Zero it before
 * each call.
 */
struct kl_testenv_call {
        bool done;
        int r;         /* the call's result: 0 or a negative code */
        int status;    /* kl_testenv_on_result() only: the HTTP status of the answer */
        json_t *obj;   /* owned: the object read, or a copy of the one written; NULL if none */
        char msg[512]; /* the server's message when r < 0 */
};

void kl_testenv_on_read(void *arg, int r, json_t *obj, const struct kl_err *err);
void kl_testenv_on_write(void *arg, int r, const json_t *obj, const struct kl_err *err);
/*
 * For the handler layer's calls (kl_apiserver_patch() and the like on
 * e->server): `obj` is a copy of the whole answer, the object or the
 * failure's Status (details.causes and all).
 */
void kl_testenv_on_result(void *arg, int r, const struct kl_apiserver_result *res,
                          const struct kl_err *err);
/** Run the loop until `call` is done; returns its r (call->obj stays the caller's). */
int kl_testenv_wait(struct kl_testenv *e, struct kl_testenv_call *call);

/*
 * Calls with e->client that assert success (the message says what failed
 * and the server's words). `ns` is NULL for cluster-scoped kinds; `obj`,
 * `patch` and `delete_opts` are stolen as by kl_client_*(); `ret_obj` (may
 * be NULL) receives the object the server returned.
 */
json_t *kl_testenv_get(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       const char *name);
/** As kl_testenv_get(), but NULL when the object does not exist. */
json_t *kl_testenv_get_or_null(struct kl_testenv *e, const struct kl_api_resource *res,
                               const char *ns, const char *name);
/** The list object ("items"); `opts` may be NULL. */
json_t *kl_testenv_list(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                        const struct kl_client_list_opts *opts);
void kl_testenv_create(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       json_t *obj, json_t **ret_obj);
void kl_testenv_update(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       const char *name, const char *sub, json_t *obj, json_t **ret_obj);
/** `patch_type` is enum kl_api_patch_type (api/patch.h). */
void kl_testenv_patch(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                      const char *name, const char *sub, int patch_type, json_t *patch,
                      json_t **ret_obj);
void kl_testenv_delete(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                       const char *name, json_t *delete_opts, json_t **ret_obj);

/*
 * Requests over real HTTPS to the server's port, trusting its CA, as
 * whoever `who` says: a bearer token, a client certificate and key (PEM),
 * or nobody (`who` NULL or all NULL). The answer's body is kept as text
 * (the tests read PEM and Status messages alike); kl_testenv_reply_json()
 * decodes it when a test wants JSON.
 */
struct kl_testenv_creds {
        const char *token;
        const char *cert_pem;
        const char *key_pem;
};

struct kl_testenv_reply {
        int status; /* the HTTP status */
        char *body; /* owned: the body answered, NUL-terminated; NULL if none */
        size_t len; /* its length (without the NUL) */
};

/**
 * Send one request and run the loop until it is answered; asserts there was
 * no transport error. `body` may be NULL; `content_type` NULL means
 * "application/json" when there is a body. `out` is overwritten (release it
 * with kl_testenv_reply_release() before reuse).
 */
void kl_testenv_https(struct kl_testenv *e, const struct kl_testenv_creds *who, const char *method,
                      const char *path, const char *body, const char *content_type,
                      struct kl_testenv_reply *out);
/** The body decoded as JSON (new reference); asserts there is one and it decodes. */
json_t *kl_testenv_reply_json(const struct kl_testenv_reply *r);
/** Free the body and zero `r`. */
void kl_testenv_reply_release(struct kl_testenv_reply *r);

/*
 * Polling waits, a 10 ms tick a round and at most 30000 rounds: a safety
 * net of minutes, not a deadline. kl_testenv_wait_for() gets the object
 * (NULL when absent) each round until `done(obj)` holds and returns that
 * object (owned; NULL if done(NULL) held); on failure the message shows
 * the last status seen. kl_testenv_wait_until() polls `cond` and fails
 * with `what`.
 */
json_t *kl_testenv_wait_for(struct kl_testenv *e, const struct kl_api_resource *res, const char *ns,
                            const char *name, bool (*done)(const json_t *obj));
void kl_testenv_wait_until(struct kl_testenv *e, bool (*cond)(struct kl_testenv *e),
                           const char *what);

#endif
