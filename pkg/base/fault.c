/* SPDX-License-Identifier: Apache-2.0 */
#include "base/fault.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/macro.h"
#include "base/parse.h"

#ifdef KL_TEST_BUILD

/* A handful of points per test is the most anyone arms; a fixed table keeps this trivial. */
#define FAULT_MAX      16
#define FAULT_NAME_MAX 64

struct fault {
        char name[FAULT_NAME_MAX];
        unsigned nth;  /* 0: every hit */
        bool sticky;   /* also every hit after the nth */
        int code;      /* negative */
        unsigned hits; /* since armed */
};

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fault faults[FAULT_MAX];
static size_t n_faults;
static bool env_read;

static struct fault *find(const char *name)
{
        for (size_t i = 0; i < n_faults; i++)
                if (strcmp(faults[i].name, name) == 0)
                        return &faults[i];
        return NULL;
}

static void arm_locked(const char *name, size_t name_len, unsigned nth, bool sticky, int code)
{
        struct fault *f;
        char key[FAULT_NAME_MAX];

        /* Names come from our own tests; a bad one is a bug in the test. */
        kl_assert(name_len > 0 && name_len < FAULT_NAME_MAX);
        memcpy(key, name, name_len);
        key[name_len] = '\0';
        f = find(key);
        if (!f) {
                kl_assert(n_faults < FAULT_MAX);
                f = &faults[n_faults++];
        }
        memcpy(f->name, key, name_len + 1);
        f->nth = nth;
        f->sticky = sticky;
        f->code = code;
        f->hits = 0;
}

/* "name@N+=CODE", every part after the name optional. Bad specs are test bugs: assert. */
static void parse_spec_locked(const char *spec)
{
        const char *at = strchr(spec, '@'), *eq = strchr(spec, '=');
        size_t name_len = at ? (size_t)(at - spec) : eq ? (size_t)(eq - spec) : strlen(spec);
        unsigned nth = 0, code = 5 /* EIO */;
        bool sticky = false;

        if (at) {
                size_t n = eq ? (size_t)(eq - at - 1) : strlen(at + 1);
                char num[16];

                kl_assert(n > 0 && n < sizeof(num));
                memcpy(num, at + 1, n);
                num[n] = '\0';
                if (num[n - 1] == '+') {
                        sticky = true;
                        num[n - 1] = '\0';
                }
                kl_assert(kl_parse_uint(num, &nth) == 0 && nth > 0);
        }
        if (eq)
                kl_assert(kl_parse_uint(eq + 1, &code) == 0 && code > 0);
        arm_locked(spec, name_len, nth, sticky, -(int)code);
}

static void read_env_locked(void)
{
        const char *env;
        char *copy, *p;

        if (env_read)
                return;
        env_read = true;
        env = getenv("KL_FAULTS");
        if (!env || !*env)
                return;
        copy = kl_strdup(env);
        p = copy;
        for (;;) {
                char *comma = strchr(p, ',');

                if (comma)
                        *comma = '\0';
                if (*p)
                        parse_spec_locked(p);
                if (!comma)
                        break;
                p = comma + 1;
        }
        free(copy);
}

int kl_fault_hit(const char *name)
{
        struct fault *f;
        int r = 0;

        pthread_mutex_lock(&fault_lock);
        read_env_locked();
        f = find(name);
        if (f) {
                f->hits++;
                if (f->nth == 0 || f->hits == f->nth || (f->sticky && f->hits > f->nth))
                        r = f->code;
        }
        pthread_mutex_unlock(&fault_lock);
        return r;
}

void kl_fault_arm(const char *name, unsigned nth, bool sticky, int neg_code)
{
        kl_assert(neg_code < 0);
        pthread_mutex_lock(&fault_lock);
        read_env_locked();
        arm_locked(name, strlen(name), nth, sticky, neg_code);
        pthread_mutex_unlock(&fault_lock);
}

void kl_fault_reset(void)
{
        pthread_mutex_lock(&fault_lock);
        n_faults = 0;
        env_read = true;
        pthread_mutex_unlock(&fault_lock);
}

unsigned kl_fault_hits(const char *name)
{
        struct fault *f;
        unsigned n;

        pthread_mutex_lock(&fault_lock);
        f = find(name);
        n = f ? f->hits : 0;
        pthread_mutex_unlock(&fault_lock);
        return n;
}

#else

void kl_fault_arm(const char *name, unsigned nth, bool sticky, int neg_code)
{
        (void)name;
        (void)nth;
        (void)sticky;
        (void)neg_code;
}

void kl_fault_reset(void)
{
}

unsigned kl_fault_hits(const char *name)
{
        (void)name;
        return 0;
}

#endif
