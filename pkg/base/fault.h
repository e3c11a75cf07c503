/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault points (STYLE R13.6), after SQLite's sqlite3FaultSim().
 *
 * KL_FAULT("store.sqlite.commit") marks a place where a test can make the code
 * fail: it evaluates to 0 normally and to a negative errno when the point is
 * armed. In product builds (no KL_TEST_BUILD) it is the constant 0 and costs
 * nothing. Use it for what inputs cannot reach: a failed commit, a full disk,
 * a short write. A name is never reused for a different place.
 *
 * Arming, in a test process:
 *   - the environment, read at the first hit: KL_FAULTS="name@3,other@1+,third"
 *       name@N    fails the N-th hit only
 *       name@N+   fails the N-th hit and every later one
 *       name      fails every hit
 *     A failing hit returns -EIO unless the spec ends in "=ERRNO", a number
 *     ("store.sqlite.commit@2=28" fails with -ENOSPC).
 *   - or kl_fault_arm() / kl_fault_reset() from the test itself.
 *
 * Thread-safe: hits are counted under one mutex (test builds only).
 */
#ifndef KL_BASE_FAULT_H
#define KL_BASE_FAULT_H

#include <stdbool.h>

#ifdef KL_TEST_BUILD
int kl_fault_hit(const char *name);
#define KL_FAULT(name) kl_fault_hit(name)
#else
#define KL_FAULT(name) 0
#endif

/*
 * Arm `name`: fail hit number `nth` (1-based; hits are counted from this call)
 * and, if `sticky`, every later hit too, with `neg_code` (e.g. -EIO). Replaces
 * an earlier arming of the same name. No-op in product builds.
 */
void kl_fault_arm(const char *name, unsigned nth, bool sticky, int neg_code);
/* Disarm everything, forget the environment, reset counters. */
void kl_fault_reset(void);
/* How often `name` was hit since it was armed (0 when not armed). */
unsigned kl_fault_hits(const char *name);

#endif
