/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yaml: YAML -> JSON, the way kubectl reads manifests and k3s reads config.
 *
 * The only module that includes <yaml.h> (STYLE R9.9). Everything downstream
 * sees jansson values. Scalars follow the YAML 1.2 core schema, as Kubernetes
 * users expect it: `yes`, `no`, `on`, `off` stay strings; `true`/`false` (and
 * True/TRUE...) are booleans; `null`, `~` and empty are null; decimal,
 * `0o17`, `0x1f` integers; `1e3`, `.5` floats; a leading-zero integer such as
 * `0777` is octal (511), because Kubernetes documents that YAML manifests may
 * write mode bits (`defaultMode: 0644`) in octal; any quoted or block scalar
 * is a string, and the standard tags (`!!str 123`, `!!int "12"`) are honoured.
 * Anchors and aliases are expanded, block scalars (| > with chomping and
 * indentation indicators) are honoured, and a stream may hold several
 * documents separated by `---`.
 *
 * Limits: the input size, nesting depth and the total number of nodes
 * produced (aliases expand, so a "billion laughs" document is refused by node
 * count, not by running out of memory) are bounded by struct kl_yaml_limits.
 *
 * Also: mapping keys become strings (a key that resolves to null, a boolean
 * or an integer is written canonically, "0x1F" -> "31", as sigs.k8s.io/yaml
 * does); a duplicate key or a key that is a mapping or sequence is an error;
 * `<<` merge keys are honoured; `.inf`, `.nan` and floats that overflow are
 * errors because JSON cannot hold them; a decimal integer outside int64
 * becomes a float. pkg/yaml/README.md has the full table and the reasons.
 *
 * Every call is independent (its own libyaml parser, no global state), so any
 * thread may call these functions; none blocks beyond the CPU work.
 */
#ifndef KL_YAML_YAML_H
#define KL_YAML_YAML_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

/*
 * Zero fields take the defaults below. The result of a decode is at most
 * max_depth levels deep, aliases included, which also bounds the recursion of
 * jansson's own json_deep_copy() and json_dumps() on it: keep max_depth in
 * the hundreds, not millions. max_nodes counts every scalar, mapping and
 * sequence of the whole stream (mapping keys included), an alias counting as
 * the size of what it expands to; it is what bounds memory.
 */
struct kl_yaml_limits {
        size_t max_input; /* bytes; 0 = KL_YAML_DEFAULT_MAX_INPUT */
        size_t max_depth; /* nesting of mappings and sequences; 0 = default */
        size_t max_nodes; /* nodes produced after alias expansion; 0 = default */
};

#define KL_YAML_DEFAULT_MAX_INPUT ((size_t)64 << 20)
#define KL_YAML_DEFAULT_MAX_DEPTH ((size_t)256)
#define KL_YAML_DEFAULT_MAX_NODES ((size_t)1 << 22)

/**
 * Decode every document of a YAML stream. On success *ret_docs is a new JSON
 * array with one element per document, in order, skipping documents whose
 * value is null (nothing, only comments, or an explicit `null`/`~`), as
 * kubectl does. Values are never shared between or inside documents: an
 * expanded alias is a copy, so the caller may modify any part freely.
 * `data` need not be NUL-terminated and may be NULL when `len` is 0; `limits`
 * may be NULL for the defaults; `name` (file name or "<stdin>") prefixes
 * messages and may be NULL for none.
 *
 * Errors (*ret_docs untouched):
 *   -EINVAL  "<name>: line L, column C: <what>" for syntax errors, invalid
 *            UTF-8, mapping keys that are not scalars, duplicate keys, unknown
 *            or recursive aliases, scalars a standard tag cannot decode
 *            (`!!int abc`), numbers JSON cannot hold (`.inf`, `1e400`);
 *   -E2BIG   the input is longer than max_input (checked before parsing), or
 *            the depth or node limit was reached (with line and column).
 */
int kl_yaml_decode_stream(const char *data, size_t len, const char *name,
                          const struct kl_yaml_limits *limits, json_t **ret_docs,
                          struct kl_err **err);

/**
 * Decode a stream that must hold at most one document (config files). On
 * success *ret_doc is a new reference: the document, or JSON null for a
 * stream without one (empty, only comments, or only null documents). A second
 * non-null document is -EINVAL, placed at its start; otherwise as
 * kl_yaml_decode_stream().
 */
int kl_yaml_decode_one(const char *data, size_t len, const char *name,
                       const struct kl_yaml_limits *limits, json_t **ret_doc, struct kl_err **err);

/* The version of the libyaml linked in ("0.2.5"); static storage. */
const char *kl_yaml_library_version(void);

#endif
