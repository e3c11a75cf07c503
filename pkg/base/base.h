/* SPDX-License-Identifier: Apache-2.0 */
/*
 * base: the primitives every module uses, with no dependency beyond libc
 * (STYLE R2.3). It is the one module with several headers, each small and
 * self-contained, as systemd's src/basic and git's strbuf.h/wrapper.h are;
 * this header includes them all for modules that want the lot.
 *
 *   macro.h     attributes, assertions, container_of, KL_TAKE_PTR
 *   alloc.h     allocation that aborts on OOM
 *   err.h       struct kl_err, the error-code table (HTTP status, StatusReason)
 *   fault.h     KL_FAULT() fault points for tests (R13.6)
 *   cleanup.h   kl_autofree, kl_autoclose, ... scope-bound cleanup
 *   buf.h       struct kl_buf, bounded growable strings
 *   str.h       string helpers and string vectors
 *   strmap.h    a string-keyed hash map of borrowed keys
 *   parse.h     strict integer and boolean parsing
 *   file.h      bounded reads, atomic writes
 *   time.h      microsecond clocks, RFC 3339
 *   log.h       levels, components, one line per event
 *   quantity.h  Kubernetes resource.Quantity
 *   duration.h  Go-style durations ("1h30m")
 */
#ifndef KL_BASE_BASE_H
#define KL_BASE_BASE_H

#include "base/alloc.h"
#include "base/buf.h"
#include "base/cleanup.h"
#include "base/duration.h"
#include "base/err.h"
#include "base/fault.h"
#include "base/file.h"
#include "base/log.h"
#include "base/macro.h"
#include "base/parse.h"
#include "base/quantity.h"
#include "base/str.h"
#include "base/strmap.h"
#include "base/time.h"

#endif
