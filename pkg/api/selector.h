/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Label and field selectors, as Kubernetes' apimachinery defines them
 * (pkg/labels, pkg/fields, metav1.LabelSelector), and the name validators
 * they share with object validation (pkg/util/validation).
 *
 *   struct kl_api_label_selector   a parsed `labelSelector`, or a
 *                                  metav1.LabelSelector object: requirements
 *                                  sorted by key, matched against a labels map
 *   struct kl_api_field_selector   a parsed `fieldSelector`: field=value terms
 *                                  matched through a per-kind field getter
 *   kl_api_validate_*()            qualified names, label values, DNS-1123
 *                                  labels and subdomains, DNS-1035 labels
 *   kl_api_go_quote(), _quoted()   Go's %q, which upstream's field errors use
 *
 * Behaviour and messages follow kube-apiserver v1.32, because kubectl shows
 * the server's text to users: a bad `-l` prints "unable to parse requirement:
 * ..." exactly as upstream words it. The server returns these messages bare
 * with 400 BadRequest; kubectl itself adds "Unable to find ... that match
 * label selector ...".
 *
 * Selectors are immutable once built: any number of threads may match with
 * one selector at the same time. Building one does not block.
 *
 * Limits (STYLE R5.2): a selector string longer than KL_API_SELECTOR_MAX_LEN
 * bytes, or with more than KL_API_SELECTOR_MAX_REQUIREMENTS requirements,
 * fails with -E2BIG before anything proportional to it is allocated; a
 * LabelSelector object may hold at most KL_API_SELECTOR_MAX_REQUIREMENTS
 * requirements and KL_API_SELECTOR_MAX_VALUES values in all. Upstream has no
 * limits of its own beyond the request size; these are far above anything
 * kubectl or a controller sends. Nothing recurses on its input.
 */
#ifndef KL_API_SELECTOR_H
#define KL_API_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/cleanup.h"
#include "base/err.h"

#define KL_API_SELECTOR_MAX_LEN          ((size_t)64 << 10)
#define KL_API_SELECTOR_MAX_REQUIREMENTS ((size_t)1024)
#define KL_API_SELECTOR_MAX_VALUES       ((size_t)16384)

/*
 * ---------------------------------------------------------------------------
 * Label selectors
 */

/* selection.Operator, as far as label selectors use it. */
enum kl_api_label_op {
        KL_API_LABEL_OP_IN,             /* key in (a,b); matchExpressions In */
        KL_API_LABEL_OP_NOT_IN,         /* key notin (a,b); NotIn */
        KL_API_LABEL_OP_EQUALS,         /* key=a; matchLabels */
        KL_API_LABEL_OP_DOUBLE_EQUALS,  /* key==a (kept apart only for formatting) */
        KL_API_LABEL_OP_NOT_EQUALS,     /* key!=a */
        KL_API_LABEL_OP_EXISTS,         /* key; Exists */
        KL_API_LABEL_OP_DOES_NOT_EXIST, /* !key; DoesNotExist */
        KL_API_LABEL_OP_GT,             /* key>1: the label is an integer greater than 1 */
        KL_API_LABEL_OP_LT,             /* key<1 */
        KL_API_LABEL_OP__COUNT,
        KL_API_LABEL_OP__INVALID = -EINVAL,
};

/*
 * One requirement of a label selector; read-only for callers. Every pointer
 * is borrowed from the selector and valid until it is freed.
 */
struct kl_api_label_req {
        const char *key;
        enum kl_api_label_op op;
        size_t n_values;     /* 0 for EXISTS and DOES_NOT_EXIST, 1 for =, ==, !=, >, < */
        const char **values; /* sorted bytewise; parsed In/NotIn sets have no duplicates */
        int64_t number;      /* GT and LT: the value as an integer */
};

struct kl_api_label_selector;

/**
 * Parse the string form of a label selector (labels.Parse):
 *
 *   a=b  a==b  a!=b  a in (x,y)  a notin (x)  a  !a  a>1  a<2
 *
 * joined by ',' (AND), with blanks (space, tab, CR, LF) around tokens.
 * Keys must be qualified names and values label values; "" is a value
 * (`a=`, `a in ()`). The result's requirements are sorted by key; two
 * requirements on one key keep their order (as upstream's sort does for the
 * selectors people write). "" parses to the empty selector, which matches
 * everything. On success *ret is new (kl_api_label_selector_free()).
 *
 * Errors, *ret untouched:
 *   -EINVAL  upstream's message, e.g. "unable to parse requirement: found '',
 *            expected: '('", "found ',', expected: !, identifier, or 'end of
 *            string'", "unable to parse requirement: <nil>: Invalid value:
 *            \"a b\": name part must consist of ...";
 *   -E2BIG   longer than KL_API_SELECTOR_MAX_LEN, or more than
 *            KL_API_SELECTOR_MAX_REQUIREMENTS requirements.
 */
int kl_api_label_selector_parse(const char *text, struct kl_api_label_selector **ret,
                                struct kl_err **err);

/**
 * Convert a metav1.LabelSelector (metav1.LabelSelectorAsSelector):
 * `matchLabels` become `key=value` requirements, `matchExpressions` use the
 * operators In, NotIn, Exists and DoesNotExist; all are ANDed.
 *
 *   `ls` NULL or JSON null       the nothing selector: matches no object
 *                                (a workload without a selector selects none)
 *   `{}`, or both lists empty    the empty selector: matches every object
 *
 * `ls` is borrowed. On success *ret is new. Errors (-EINVAL, *ret untouched)
 * are upstream's: "\"Foo\" is not a valid label selector operator",
 * "values: Invalid value: []string(nil): for 'in', 'notin' operators, values
 * set can't be empty", "key: Invalid value: ...", "values[0][app]: Invalid
 * value: ...", several at once as "[first, second]"; a member of the wrong
 * JSON type is "'.matchLabels': expected object, got array" and the like;
 * -E2BIG past the limits. Of several invalid matchLabels the one with the
 * smallest key is reported (upstream's map order is random).
 */
int kl_api_label_selector_from_json(const json_t *ls, struct kl_api_label_selector **ret,
                                    struct kl_err **err);

/**
 * A selector matching exactly the labels of `set`, a JSON object of strings
 * such as a Service's spec.selector (labels.ValidatedSelectorFromSet). NULL,
 * JSON null and {} give the empty selector, which matches everything. Errors
 * as for kl_api_label_selector_from_json().
 */
int kl_api_label_selector_from_set(const json_t *set, struct kl_api_label_selector **ret,
                                   struct kl_err **err);

void kl_api_label_selector_free(struct kl_api_label_selector *s); /* NULL is a no-op */
KL_DEFINE_CLEANUP_FUNC(struct kl_api_label_selector, kl_api_label_selector_free);

/**
 * Whether an object whose metadata.labels is `labels` is selected. `labels`
 * is borrowed and may be NULL (no labels); a null member is the value "" (as
 * Go decodes it) and a member of another non-string type counts as absent. A
 * NULL selector means "no selector given" and matches.
 *
 * The empty selector matches every object; the nothing selector matches none.
 * Otherwise every requirement must hold: In/=/== need the label with one of
 * the values; NotIn/!= hold when the label is absent or has none of them;
 * Exists/DoesNotExist test presence; >/< need the label present and, as a
 * base-10 int64, greater/less than the requirement's number.
 */
bool kl_api_label_selector_matches(const struct kl_api_label_selector *s, const json_t *labels);

/* No requirements and not the nothing selector (labels.Selector.Empty). NULL is empty. */
bool kl_api_label_selector_is_empty(const struct kl_api_label_selector *s);
/* The nothing selector of a null LabelSelector. */
bool kl_api_label_selector_is_nothing(const struct kl_api_label_selector *s);

/* The requirements, sorted by key; *ret_n may be 0. Borrowed from `s`. */
const struct kl_api_label_req *kl_api_label_selector_reqs(const struct kl_api_label_selector *s,
                                                          size_t *ret_n);

/**
 * Whether `s` requires label `key` to have one exact value (`key=v`, `key==v`
 * or `key in (v)`), as labels.Selector.RequiresExactMatch: only the first
 * requirement on `key` is looked at. *ret_value (borrowed from `s`) is set
 * only when true is returned.
 */
bool kl_api_label_selector_requires_exact(const struct kl_api_label_selector *s, const char *key,
                                          const char **ret_value);

/**
 * Append the canonical string (labels.Selector.String()): requirements in
 * their sorted order joined by ',', `key=v`, `key==v`, `key!=v`, `key in
 * (a,b)`, `key notin (a,b)`, `key`, `!key`, `key>1`, `key<1`, values sorted.
 * The empty and the nothing selector are "". The string parses back to an
 * equal selector. 0, or -E2BIG when `out` is full (`out` unchanged).
 */
int kl_api_label_selector_format(const struct kl_api_label_selector *s, struct kl_buf *out);

/*
 * ---------------------------------------------------------------------------
 * Field selectors
 */

enum kl_api_field_op {
        KL_API_FIELD_OP_EQUALS,     /* f=v and f==v */
        KL_API_FIELD_OP_NOT_EQUALS, /* f!=v */
        KL_API_FIELD_OP__COUNT,
        KL_API_FIELD_OP__INVALID = -EINVAL,
};

/* One term of a field selector; read-only, pointers borrowed from the selector. */
struct kl_api_field_req {
        const char *field;
        enum kl_api_field_op op;
        const char *value; /* unescaped */
};

struct kl_api_field_selector;

/**
 * Parse a field selector (fields.ParseSelector): terms `f=v`, `f==v`, `f!=v`
 * joined by ','. In values a backslash escapes ',', '=' and '\' (`a=x\,y` is
 * the value "x,y"), and only those: '!' needs no escape and `\!` is an
 * invalid escape sequence upstream. The field is everything before the first
 * operator and is not unescaped. Empty terms, and terms whose field and
 * value are both empty ("=", "!="), are dropped as upstream drops them, so
 * "" is the empty selector. Terms are kept in upstream's order: sorted by
 * their raw text.
 * Field names are not checked here; see kl_api_field_selector_check().
 * On success *ret is new (kl_api_field_selector_free()).
 *
 * Errors, *ret untouched:
 *   -EINVAL  "invalid selector: 'x'; can't understand 'x'" (a term without an
 *            operator), "invalid field selector: invalid escape sequence: \q",
 *            "invalid field selector: unescaped character in value: 61" (the
 *            code point of the '=', as upstream prints it);
 *   -E2BIG   longer than KL_API_SELECTOR_MAX_LEN, or more than
 *            KL_API_SELECTOR_MAX_REQUIREMENTS terms.
 */
int kl_api_field_selector_parse(const char *text, struct kl_api_field_selector **ret,
                                struct kl_err **err);

void kl_api_field_selector_free(struct kl_api_field_selector *s); /* NULL is a no-op */
KL_DEFINE_CLEANUP_FUNC(struct kl_api_field_selector, kl_api_field_selector_free);

/**
 * Check every field against what the kind supports. `supported` is a
 * NULL-terminated list of the kind's own fields (spec.nodeName, status.phase,
 * ...; NULL for none); metadata.name and metadata.namespace are always
 * supported, as upstream's default conversion does for every kind. The first
 * unsupported field, in term order, fails with -EINVAL and upstream's
 * "field label not supported: spec.foo". A NULL selector passes.
 */
int kl_api_field_selector_check(const struct kl_api_field_selector *s, const char *const *supported,
                                struct kl_err **err);

/**
 * The value of `field` in object `obj`, as the kind's field set has it
 * (upstream's GetAttrs): a string borrowed from `obj` or static storage, or
 * NULL when the object has no such value, which compares as "". Called only
 * with fields that passed kl_api_field_selector_check(). `userdata` is the
 * caller's, passed through.
 */
typedef const char *kl_api_field_get_fn(const void *obj, const char *field, void *userdata);

/**
 * Whether `obj` is selected: every `f=v` term needs get(obj, f) equal to v,
 * every `f!=v` term needs it different (a missing field is ""). A NULL or
 * empty selector matches every object.
 */
bool kl_api_field_selector_matches(const struct kl_api_field_selector *s, const void *obj,
                                   kl_api_field_get_fn *get, void *userdata);

/**
 * A field getter for plain JSON objects: `obj` is a json_t object and `field`
 * a dotted path into it ("metadata.name", "spec.nodeName"). A string member
 * is returned as is, a boolean as "true"/"false"; anything else is NULL.
 * Kinds whose fields need more (a default for an absent field, a computed
 * value) wrap it.
 */
const char *kl_api_field_get_json(const void *obj, const char *field, void *userdata);

bool kl_api_field_selector_is_empty(const struct kl_api_field_selector *s); /* NULL is empty */

/* The terms in their stored order; borrowed from `s`. */
const struct kl_api_field_req *kl_api_field_selector_reqs(const struct kl_api_field_selector *s,
                                                          size_t *ret_n);

/**
 * Whether `s` pins `field` to one exact value (fields.Selector.
 * RequiresExactMatch): the first `field=v` term gives *ret_value (borrowed
 * from `s`), set only when true is returned. The watch cache narrows with it,
 * e.g. to the one object of `metadata.name=X`.
 */
bool kl_api_field_selector_requires_exact(const struct kl_api_field_selector *s, const char *field,
                                          const char **ret_value);

/**
 * Append the canonical string (fields.Selector.String()): the terms in their
 * stored order joined by ',', as `f=v` (also for ==) or `f!=v`, with ',', '='
 * and '\' in values escaped. 0, or -E2BIG when `out` is full (unchanged).
 */
int kl_api_field_selector_format(const struct kl_api_field_selector *s, struct kl_buf *out);

/*
 * ---------------------------------------------------------------------------
 * Name validators (k8s.io/apimachinery/pkg/util/validation)
 *
 * Each tests one string and, for every rule it breaks, appends upstream's
 * message to the string vector *msgs (kl_strv_push(); *msgs may start NULL)
 * when `msgs` is not NULL. It returns how many messages that is: 0 means
 * valid. Callers join them with "; " (selectors) or make one field error per
 * message (object validation), as upstream does. Lengths are in bytes.
 */

/*
 * A qualified name ("[prefix/]name", IsQualifiedName): label and annotation
 * keys, finalizers, ... The name part is 1-63 characters of [A-Za-z0-9-_.]
 * starting and ending with an alphanumeric; the optional prefix a DNS-1123
 * subdomain.
 */
size_t kl_api_validate_qualified_name(const char *value, char ***msgs);
/* A label value (IsValidLabelValue): empty, or like a qualified name's name part. */
size_t kl_api_validate_label_value(const char *value, char ***msgs);
/* A DNS-1123 subdomain (IsDNS1123Subdomain): most object names; at most 253. */
size_t kl_api_validate_dns1123_subdomain(const char *value, char ***msgs);
/* A DNS-1123 label (IsDNS1123Label): namespace names, ...; at most 63. */
size_t kl_api_validate_dns1123_label(const char *value, char ***msgs);
/* A DNS-1035 label (IsDNS1035Label): Service names; at most 63, starts with a letter. */
size_t kl_api_validate_dns1035_label(const char *value, char ***msgs);

/**
 * Append `s` (`len` bytes) to `out` quoted as Go's %q and strconv.Quote do,
 * which field errors use for their "Invalid value: \"...\"": \" \\ \a \b \f
 * \n \r \t \v; other control bytes and bytes that are not UTF-8 as \xNN;
 * non-printable code points as \uNNNN or \UNNNNNNNN; printable UTF-8 as is.
 * Above U+00FF, Go's printability tables are approximated: the non-ASCII
 * spaces, format and private-use characters and non-characters are escaped,
 * other code points are printed. 0 or -E2BIG (`out` unchanged).
 */
int kl_api_go_quote(struct kl_buf *out, const char *s, size_t len);
/* kl_api_go_quote() of the string `s` (NULL: ""), as a new string owned by the caller. */
char *kl_api_go_quoted(const char *s);

#endif
