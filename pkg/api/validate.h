/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validation of the kinds users write by hand, as kube-apiserver v1.32 does
 * it (pkg/apis/<group>/validation and apimachinery's ObjectMeta rules), and
 * the 422 Invalid Status built from the result.
 *
 *   struct kl_api_field_errors   upstream's field.ErrorList: type, field
 *                                path, bad value (as Go prints it), detail
 *   kl_api_validate()            create (old NULL) or update validation of
 *                                one object of a resource-table row
 *   kl_api_validate_status()     the Status pieces kubectl prints from
 *
 * Users see these messages verbatim ("The Deployment "web" is invalid:
 * spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
 * so field paths, value rendering and wording follow upstream. The value is
 * kept as text already formatted as upstream's field.Error formats it:
 * strings as Go's %q, integers as digits, maps as Go's %#v
 * (map[string]string{"app":"web"}), label selectors through their generated
 * String() (&LabelSelector{MatchLabels:map[string]string{app: web,},...}).
 * Where upstream prints a whole internal Go struct with %#v (a pod
 * template that may not change), compact JSON of the value stands in for it.
 *
 * Validation expects an object that was decoded, checked against the schema
 * (kl_api_schema_check: member types) and defaulted (kl_api_defaults_apply),
 * as upstream validates after decoding and defaulting: a value of the wrong
 * JSON type is treated as absent and never crashes. Time and memory are
 * linear in the size of the object (uniqueness checks use hash sets); at
 * most KL_API_FIELD_ERRORS_MAX errors are kept, the rest only counted.
 *
 * Everything here is pure computation on caller-owned values: thread-safe
 * for distinct error lists, never blocks.
 */
#ifndef KL_API_VALIDATE_H
#define KL_API_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/resource.h"
#include "base/cleanup.h"
#include "base/macro.h"

/* Far beyond what an object of the 3 MiB request limit produces in practice. */
#define KL_API_FIELD_ERRORS_MAX ((size_t)1000)

/* field.ErrorType; the comment is the cause reason of details.causes[]. */
enum kl_api_field_error_type {
        KL_API_FIELD_ERR_NOT_FOUND,     /* FieldValueNotFound, "Not found" */
        KL_API_FIELD_ERR_REQUIRED,      /* FieldValueRequired, "Required value" */
        KL_API_FIELD_ERR_DUPLICATE,     /* FieldValueDuplicate, "Duplicate value" */
        KL_API_FIELD_ERR_INVALID,       /* FieldValueInvalid, "Invalid value" */
        KL_API_FIELD_ERR_NOT_SUPPORTED, /* FieldValueNotSupported, "Unsupported value" */
        KL_API_FIELD_ERR_FORBIDDEN,     /* FieldValueForbidden, "Forbidden" */
        KL_API_FIELD_ERR_TOO_LONG,      /* FieldValueTooLong, "Too long" */
        KL_API_FIELD_ERR_TOO_MANY,      /* FieldValueTooMany, "Too many" */
        KL_API_FIELD_ERR_INTERNAL,      /* InternalError, "Internal error" */
        KL_API_FIELD_ERR__COUNT,
        KL_API_FIELD_ERR__INVALID = -EINVAL,
};

struct kl_api_field_error {
        enum kl_api_field_error_type type;
        char *field;  /* owned: "spec.template.spec.containers[0].image", "[]" for the object */
        char *value;  /* owned: the bad value as upstream prints it; NULL when not printed */
        char *detail; /* owned, never NULL; "" when there is none */
};

/* An error list; zero-initialise it (KL_API_FIELD_ERRORS_INIT), release it when done. */
struct kl_api_field_errors {
        struct kl_api_field_error *items; /* owned, n of them */
        size_t n;
        size_t alloc;   /* private */
        size_t dropped; /* errors past KL_API_FIELD_ERRORS_MAX, counted and discarded */
};

#define KL_API_FIELD_ERRORS_INIT \
        {                        \
                NULL, 0, 0, 0    \
        }

void kl_api_field_errors_release(struct kl_api_field_errors *errs);
static inline void kl_api_field_errors_releasep(struct kl_api_field_errors *errs)
{
        kl_api_field_errors_release(errs);
}
#define kl_autofielderrs kl_cleanup(kl_api_field_errors_releasep)

/**
 * Append one error. `field` and `detail` are copied; `value` is taken
 * (owned text as upstream prints the value, or NULL for none). Beyond
 * KL_API_FIELD_ERRORS_MAX the error is counted in `dropped` and freed.
 */
void kl_api_field_errors_add_take(struct kl_api_field_errors *errs,
                                  enum kl_api_field_error_type type, const char *field, char *value,
                                  const char *detail);

/* "Invalid value", "Required value", ... (field.ErrorType.String()). Static storage. */
const char *kl_api_field_error_type_string(enum kl_api_field_error_type type);
/* "FieldValueInvalid", ...: the cause reason in a Status. Static storage. */
const char *kl_api_field_error_type_reason(enum kl_api_field_error_type type);

/**
 * The error without its field (field.Error.ErrorBody()), which is each
 * cause's message: `Invalid value: "Foo": a lowercase RFC 1123 ...`. Owned
 * by the caller.
 */
char *kl_api_field_error_body(const struct kl_api_field_error *e);
/* "<field>: <body>" (field.Error.Error()). Owned by the caller. */
char *kl_api_field_error_string(const struct kl_api_field_error *e);

/**
 * Validate `obj` (borrowed) as an object of row `r`: create-time rules when
 * `old` is NULL, create-time plus update-time rules (immutable fields,
 * ObjectMeta update) when `old` (borrowed) is the stored object. Errors are
 * appended to `errs`, which may already hold some. Returns the number of
 * errors appended (0: valid). Kinds without validation of their own get the
 * ObjectMeta rules only. `obj` must be a JSON object (kl_assert).
 *
 * Namespaced kinds need metadata.namespace set (the API layer sets it from
 * the request path first, as upstream does); metadata.name must be set
 * (generateName already expanded).
 */
size_t kl_api_validate(const struct kl_api_resource *r, const json_t *obj, const json_t *old,
                       struct kl_api_field_errors *errs);

/**
 * The pieces of upstream's 422 (errors.NewInvalid) for kind `r` and object
 * name `name` (may be "" or NULL):
 *
 *   *ret_message  `Deployment.apps "web" is invalid: <errors>`, core kinds
 *                 without the group (`Pod "x" is invalid: ...`); one error
 *                 as is, several (after dropping repeated messages) as
 *                 "[a, b]", none as `... is invalid` alone. Owned.
 *   *ret_details  new: {"name", "group" (omitted for core), "kind",
 *                 "causes": [{"reason", "message", "field"}]} with one cause
 *                 per error, in order.
 *
 * Either output may be NULL when not wanted.
 */
void kl_api_validate_status_parts(const struct kl_api_resource *r, const char *name,
                                  const struct kl_api_field_errors *errs, char **ret_message,
                                  json_t **ret_details);

/**
 * The whole Status object for the response body: kind Status, apiVersion
 * v1, metadata {}, status Failure, message, reason Invalid, details, code
 * 422. New reference.
 */
json_t *kl_api_validate_status(const struct kl_api_resource *r, const char *name,
                               const struct kl_api_field_errors *errs);

#endif
