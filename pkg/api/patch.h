/* SPDX-License-Identifier: Apache-2.0 */
/*
 * patch: the three PATCH bodies kube-apiserver v1.32 accepts, as pure
 * functions over jansson values. The API server decodes the body, applies it
 * to (a copy of) the stored object here, and then validates the result like
 * any update.
 *
 *   kl_api_patch_merge()       JSON merge patch, RFC 7386
 *                              (application/merge-patch+json): `kubectl label`,
 *                              `annotate`, `scale`, `patch --type=merge`
 *   kl_api_patch_json()        JSON patch, RFC 6902 (application/json-patch+json):
 *                              `patch --type=json`, `rollout undo` of a Deployment
 *   kl_api_patch_strategic()   strategic merge patch
 *                              (application/strategic-merge-patch+json), as
 *                              k8s.io/apimachinery/pkg/util/strategicpatch
 *                              applies it, driven by per-field metadata that a
 *                              lookup function supplies: client-side `apply`,
 *                              `edit`, `patch`, `set image`, `rollout`
 *   kl_api_patch_schema_lookup() that lookup over the compiled-in schema
 *                              tables (schema.h)
 *   kl_api_patch_type_check()  Content-Type -> patch type, 415 for the rest
 *
 * README-patch.md has the decisions, and where and why kube-lite departs from
 * upstream.
 *
 * Ownership (jansson's words, R9.1): `doc` and `patch` are borrowed and never
 * modified; on success *ret_doc is a new value that shares nothing with them.
 * On failure *ret_doc is untouched: a patch applies completely or not at all.
 * The functions keep no state; any number of threads may call them at once.
 *
 * Errors, and the Status the API layer answers with. The codes are the ones
 * kube-apiserver returns for the same input; messages are upstream's where
 * kubectl can show them:
 *
 *   -EINVAL        400 BadRequest, message as set: a body of the wrong shape
 *                  ("json: cannot unmarshal object into Go value of type
 *                  jsonpatch.Patch"), malformed strategic-merge directives
 *                  ("invalid patch format of retainKeys"), inputs nested
 *                  deeper than KL_API_PATCH_MAX_DEPTH.
 *   -KL_EINVALID   422 Invalid. Upstream answers these with the fixed message
 *                  KL_API_PATCH_INVALID_MSG ("the server rejected our request
 *                  due to an error in our request") and no details, which
 *                  kubectl prints as "The request is invalid: the server
 *                  rejected ..."; *err carries the specific reason in
 *                  evanphx/json-patch's words ("replace operation does not
 *                  apply: doc is missing key: /spec/foo: missing value") for
 *                  logs and tests. The API layer puts KL_API_PATCH_INVALID_MSG
 *                  in the Status.
 *   -E2BIG         413 RequestEntityTooLarge: more than KL_API_PATCH_MAX_OPS
 *                  JSON patch operations, or a patch whose work would exceed
 *                  the limits below. The message is the whole Status message.
 *   -KL_EUNSUPPORTED_MEDIA  415, from kl_api_patch_type_check() only.
 *
 * Limits (STYLE R5.2), all far above what kubectl or a controller sends:
 * recursion never goes deeper than KL_API_PATCH_MAX_DEPTH levels of the
 * patch (deeper patches fail with -EINVAL), and a JSON patch may neither build
 * a document deeper than that where it writes nor copy more than
 * KL_API_PATCH_MAX_COPY_NODES values in all, nor do more than
 * KL_API_PATCH_MAX_WORK units of work (values visited, array elements
 * shifted). Everything else is linear in the sizes of `doc` and `patch`
 * (strategic list merges index their keys instead of searching). `doc` must
 * be a value jansson can copy, as kl_json_decode() and these functions make.
 */
#ifndef KL_API_PATCH_H
#define KL_API_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/schema.h"
#include "base/err.h"

/* Deepest nesting a patch may reach (upstream's JSON decoder allows 10000; objects need ~15). */
#define KL_API_PATCH_MAX_DEPTH 100
/* kube-apiserver's maxJSONPatchOperations. */
#define KL_API_PATCH_MAX_OPS 10000
/* Values a JSON patch's `copy` operations may duplicate in all. */
#define KL_API_PATCH_MAX_COPY_NODES ((size_t)1 << 19)
/* Values visited and array elements moved by one JSON patch. */
#define KL_API_PATCH_MAX_WORK ((size_t)1 << 26)
/* The Status message kube-apiserver gives every 422 a patch causes. */
#define KL_API_PATCH_INVALID_MSG "the server rejected our request due to an error in our request"

/* ---- Patch types ------------------------------------------------------- */

enum kl_api_patch_type {
        KL_API_PATCH_TYPE_JSON,       /* application/json-patch+json */
        KL_API_PATCH_TYPE_MERGE,      /* application/merge-patch+json */
        KL_API_PATCH_TYPE_STRATEGIC,  /* application/strategic-merge-patch+json */
        KL_API_PATCH_TYPE_APPLY_YAML, /* application/apply-patch+yaml (server-side apply) */
        KL_API_PATCH_TYPE__COUNT,
        KL_API_PATCH_TYPE__INVALID = -EINVAL,
};

/**
 * The patch type of a Content-Type header value. Parameters (";
 * charset=utf-8") are ignored and media types compare case-insensitively;
 * KL_API_PATCH_TYPE__INVALID for anything else, NULL included.
 */
enum kl_api_patch_type kl_api_patch_type_parse(const char *content_type);

/* The media type of `t` ("application/json-patch+json"); NULL for an invalid value. */
const char *kl_api_patch_type_media(enum kl_api_patch_type t);

/**
 * kl_api_patch_type_parse() for a PATCH request, rejecting what the resource
 * does not serve as upstream does: strategic merge patch only for built-in
 * kinds (`strategic` false for custom resources). Fails with
 * -KL_EUNSUPPORTED_MEDIA (415) and upstream's message, "the body of the
 * request was in an unknown format - accepted media types include:
 * application/json-patch+json, application/merge-patch+json, ...".
 */
int kl_api_patch_type_check(const char *content_type, bool strategic,
                            enum kl_api_patch_type *ret_type, struct kl_err **err);

/* ---- JSON merge patch (RFC 7386) --------------------------------------- */

/**
 * Apply a JSON merge patch: members of a patch object merge recursively into
 * the document's object (replacing a non-object), a null member deletes, and
 * any other value, arrays included, replaces. A patch that is not an object
 * replaces the whole document, as RFC 7386 says; the API layer then refuses
 * a result that is not an object, as upstream's decoding does.
 *
 * Errors: -EINVAL (400) for patch objects nested deeper than
 * KL_API_PATCH_MAX_DEPTH. *ret_doc is new.
 */
int kl_api_patch_merge(const json_t *doc, const json_t *patch, json_t **ret_doc,
                       struct kl_err **err);

/* ---- JSON patch (RFC 6902) --------------------------------------------- */

/**
 * Apply a JSON patch: an array of operations (add, remove, replace, move,
 * copy, test) with JSON pointer paths (RFC 6901: "~1" is '/', "~0" is '~',
 * "-" is the end of an array), applied in order to a copy of `doc`.
 *
 * RFC 6902 is followed where upstream's library is looser: array indices
 * have no leading zeros, signs or negative values; `add`, `replace` and
 * `test` need a `value`; `move` refuses to move a value into its own child;
 * `test` compares numbers by value (1 equals 1.0); "" (the whole document)
 * works for add, replace, move, copy and test. Members other than op, path,
 * from and value are ignored.
 *
 * Errors:
 *   -EINVAL       (400) `patch` is not an array of objects, with Go's
 *                 decoding words as upstream returns them
 *   -E2BIG        (413) more than KL_API_PATCH_MAX_OPS operations ("Request
 *                 entity too large: The allowed maximum operations in a JSON
 *                 patch is 10000, got 10001"), or the copy/work limits
 *   -KL_EINVALID  (422) an operation does not apply: a missing path or key,
 *                 an index out of range, a failed test, an unknown op, a
 *                 result deeper than KL_API_PATCH_MAX_DEPTH where it writes.
 *                 See the header comment for the Status message.
 * *ret_doc is new.
 */
int kl_api_patch_json(const json_t *doc, const json_t *patch, json_t **ret_doc,
                      struct kl_err **err);

/* ---- Strategic merge patch --------------------------------------------- */

/* What a field's value is, as far as strategic merge cares. */
enum kl_api_patch_value {
        KL_API_PATCH_VALUE_UNKNOWN, /* not described (free-form JSON): merged without strategy */
        KL_API_PATCH_VALUE_SCALAR,  /* string, number, bool; Quantity, Time, IntOrString too */
        KL_API_PATCH_VALUE_OBJECT,  /* a struct: its fields are looked up in `type` */
        KL_API_PATCH_VALUE_MAP,     /* map[string]X: every value is an `elem` (of `type`) */
        KL_API_PATCH_VALUE_LIST,    /* []X: every element is an `elem` (of `type`) */
        KL_API_PATCH_VALUE__COUNT,
        KL_API_PATCH_VALUE__INVALID = -EINVAL,
};

/*
 * One field of a struct, as a lookup function describes it. Every pointer is
 * borrowed from the schema and must stay valid while the patch is applied
 * (static tables in practice).
 */
struct kl_api_patch_field {
        enum kl_api_patch_value value; /* what the field holds */
        /* LIST and MAP: what each element or value is (SCALAR, OBJECT or UNKNOWN). */
        enum kl_api_patch_value elem;
        /* x-kubernetes-patch-strategy as enum kl_api_patch_strategy bits (schema.h). */
        unsigned strategy;
        const char *merge_key; /* x-kubernetes-patch-merge-key, NULL for none */
        /* The struct an OBJECT value, or OBJECT elements/values, are; NULL if unknown. */
        const void *type;
};

/**
 * Describe field `name` of struct `type` into *ret. Returns 0, or -ENOENT
 * when `type` has no such field (then *ret is not used). Must not fail
 * otherwise and must be safe to call from any thread.
 */
typedef int (*kl_api_patch_lookup_fn)(const void *type, const char *name,
                                      struct kl_api_patch_field *ret);

/**
 * Apply a strategic merge patch to `doc`, an object of struct `type` as
 * `lookup` describes it (`type` may be NULL: then nothing is described and
 * the patch works as a merge patch that also understands the directives).
 *
 * Semantics are upstream's: maps merge recursively and `null` deletes; a
 * list whose field has the merge strategy merges (lists of objects by the
 * field's merge key, a patch element with no match is added; lists of
 * primitives are a union); other lists are replaced. Directives:
 *
 *   "$patch": "replace"   in an object: it becomes the patch's content (less
 *                         the directive); as an element of a merged list: the
 *                         list becomes the patch's other elements
 *   "$patch": "delete"    in an object: the object is removed from its parent
 *                         (the whole document becomes {}); as an element of a
 *                         merged list of objects: the elements with its merge
 *                         key are removed
 *   "$patch": "merge"     in an object: the default, accepted; in a list:
 *                         refused as upstream does
 *   "$retainKeys": [...]  keys of the object not listed are cleared first; a
 *                         patch key not listed is an error
 *   "$setElementOrder/F"  the order of list F after the merge: patch elements
 *                         as listed, the document's other elements around
 *                         them in their old relative order
 *   "$deleteFromPrimitiveList/F"  values removed from primitive list F
 *
 * Without $setElementOrder a merged list is ordered as upstream orders it:
 * the patch's elements in patch order, with the document's other elements
 * interleaved where both orders agree, so a new element comes first. With it,
 * the order is upstream's too, down to the effect of its slice aliasing when
 * the same list also has deletions (README-patch.md).
 *
 * Where upstream's typed round trip would later drop something, this
 * function leaves it out at once: directives and nulls inside values added
 * where the document had nothing are applied to nothing rather than copied
 * (a new object comes without its null members, a new list without directive
 * elements). A key starting with '$' that is not a directive is an error in a
 * described struct that has no such field (upstream would store it); in maps
 * and free-form values it is data.
 *
 * Errors: -EINVAL (400): `doc` not an object; `patch` neither an object nor
 * null ("json: cannot unmarshal array into Go value of type
 * map[string]interface {}"); upstream's mergepatch errors with upstream's
 * words ("invalid patch format of setElementOrder list", "map: map[image:x]
 * does not contain declared merge key: name", "unknown patch type: foo in
 * map: ...", "list element types are not identical: ...") — upstream answers
 * some of these with 500, which is a bug there; unknown directives; nesting
 * deeper than KL_API_PATCH_MAX_DEPTH. -KL_EINVALID (422): lists of lists.
 * *ret_doc is new.
 */
int kl_api_patch_strategic(const json_t *doc, const json_t *patch, kl_api_patch_lookup_fn lookup,
                           const void *type, json_t **ret_doc, struct kl_err **err);

/**
 * kl_api_patch_lookup_fn over the compiled-in schema: `type` is a
 * `const struct kl_api_message *` (kl_api_schema_message_for_kind() gives the
 * top-level one). Fields of inline-embedded structs are found; special
 * messages map to what their JSON is (Time, Quantity, IntOrString: SCALAR;
 * RawExtension, FieldsV1: UNKNOWN; ExtraValue-like string lists: LIST of
 * SCALAR). apiVersion and kind are not fields of any message: -ENOENT, and
 * they merge as plain scalars.
 */
int kl_api_patch_schema_lookup(const void *type, const char *name, struct kl_api_patch_field *ret);

#endif
