/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yaml: YAML -> JSON, the way kubectl reads manifests and k3s reads config.
 *
 * The only module that includes <yaml.h> (STYLE R9.9). Everything downstream
 * sees jansson values. Scalars follow the YAML 1.2 core schema that
 * Kubernetes' sigs.k8s.io/yaml uses: `yes`, `no`, `on`, `off` stay strings;
 * `true`/`false` (and True/TRUE...) are booleans; `null`, `~` and empty are
 * null; decimal, `0o17`, `0x1f` integers; `1e3`, `.5`, `.inf`, `.nan` floats;
 * a leading-zero integer such as `0777` is octal (511), because Kubernetes
 * documents that YAML manifests may write mode bits (`defaultMode: 0644`) in
 * octal; any quoted scalar is a string. Anchors and aliases are expanded, block scalars
 * (| > with chomping and indentation indicators) are honoured, and a stream
 * may hold several documents separated by `---`.
 *
 * Limits: the input size, nesting depth and the total number of nodes
 * produced (aliases expand, so a "billion laughs" document is refused by node
 * count, not by running out of memory) are bounded by struct kl_yaml_limits.
 */
#ifndef KL_YAML_YAML_H
#define KL_YAML_YAML_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

struct kl_yaml_limits {
        size_t max_input;  /* bytes; 0 = KL_YAML_DEFAULT_MAX_INPUT */
        size_t max_depth;  /* nesting of mappings and sequences; 0 = default */
        size_t max_nodes;  /* nodes produced after alias expansion; 0 = default */
};

#define KL_YAML_DEFAULT_MAX_INPUT ((size_t)64 << 20)
#define KL_YAML_DEFAULT_MAX_DEPTH ((size_t)256)
#define KL_YAML_DEFAULT_MAX_NODES ((size_t)1 << 22)

/**
 * Decode every document of a YAML stream. On success *ret_docs is a new JSON
 * array with one element per non-empty document (a document holding only
 * comments or nothing is skipped, as kubectl does). `limits` may be NULL for
 * the defaults. Errors: -EINVAL with "line L, column C: <what>" for syntax
 * errors, mapping keys that are not scalars, duplicate keys; -E2BIG when a
 * limit is exceeded. `name` (file name or "<stdin>") prefixes messages.
 */
int kl_yaml_decode_stream(const char *data, size_t len, const char *name,
                          const struct kl_yaml_limits *limits, json_t **ret_docs,
                          struct kl_err **err);

/**
 * Decode a stream that must hold at most one document. An empty stream gives
 * a JSON null. More than one document: -EINVAL.
 */
int kl_yaml_decode_one(const char *data, size_t len, const char *name,
                       const struct kl_yaml_limits *limits, json_t **ret_doc, struct kl_err **err);

/* The libyaml version string ("0.2.5"). */
const char *kl_yaml_library_version(void);

#endif
