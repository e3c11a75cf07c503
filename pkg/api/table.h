/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Server-side printing: the `meta.k8s.io/v1 Table` answers behind every
 * column of `kubectl get` (kubectl 1.32 has no printers of its own for
 * built-in kinds). The column sets and the text of every cell follow
 * kube-apiserver v1.32's printers, because users compare them with what a
 * real cluster prints.
 *
 *   struct kl_api_table_printer   the columns of one kind and the function
 *                                 that fills one row of cells from an object
 *   kl_api_table_printer_find()   the printer of (group, kind), or the
 *                                 default printer (Name, Created At)
 *   kl_api_table_from_list()      a whole Table from the items of a list
 *   kl_api_table_from_object()    a one-row Table: single GET, watch events
 *   kl_api_human_duration()       apimachinery's HumanDuration ("5m30s")
 *
 * The server always computes the wide cells (priority-1 columns included),
 * as upstream does; kubectl hides them unless `-o wide`. Cells are JSON
 * strings, integers or booleans, of the same JSON type upstream sends for
 * that cell (which is not always the column's declared type: a Deployment's
 * Up-to-date column says "string" and carries integers).
 *
 * Objects are read as stored, tolerantly: a missing field, a JSON null or a
 * value of the wrong type never fails a row; the cell shows what upstream
 * shows for an absent value ("<none>", "0", "", "<unknown>" for a missing
 * timestamp). Upstream prints objects after reading them from storage, which
 * applies the versioned defaults; where a default changes a cell (replicas
 * 1, Service type ClusterIP and port protocol TCP, Secret type Opaque,
 * Namespace phase Active, PV/PVC phase Pending and volume mode Filesystem,
 * CronJob suspend false, HPA minReplicas 1 and its 80% CPU metric,
 * PriorityClass preemption policy), the printers apply it too, so an object
 * this server stored without it prints as on a real cluster.
 *
 * Ages are computed against a wall-clock time the caller passes (`now`), so
 * the output is a pure function of its inputs and tests are deterministic.
 *
 * Everything here is pure computation on caller-owned values: thread-safe,
 * no blocking, no global state. Work is linear in the size of the input
 * (one sort per row for the few cells that are sorted sets); nothing
 * recurses on input.
 */
#ifndef KL_API_TABLE_H
#define KL_API_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "base/time.h"

/* The `type` of a column definition (OpenAPI data types, as upstream names them). */
enum kl_api_table_type {
        KL_API_TABLE_TYPE_STRING,
        KL_API_TABLE_TYPE_INTEGER,
        KL_API_TABLE_TYPE_NUMBER,
        KL_API_TABLE_TYPE_BOOLEAN,
        KL_API_TABLE_TYPE_DATE,
        KL_API_TABLE_TYPE__COUNT,
        KL_API_TABLE_TYPE__INVALID = -EINVAL,
};

/* "string", "integer", "number", "boolean", "date"; static storage. */
const char *kl_api_table_type_name(enum kl_api_table_type type);

/* One metav1.TableColumnDefinition. All strings are static storage. */
struct kl_api_table_column {
        const char *name;            /* "Ready"; kubectl upper-cases it for the header */
        const char *format;          /* "name" on the column kubectl prefixes with kind, else "" */
        const char *description;     /* our own words */
        enum kl_api_table_type type; /* declared type */
        int priority;                /* 0 always shown, 1 only with -o wide */
};

/*
 * What a row function gets and fills. The builder owns everything; a row
 * function appends exactly one cell per column to `cells` and may set
 * `conditions` to a new array of metav1.TableRowCondition objects.
 */
struct kl_api_table_row {
        kl_usec_t now;      /* input: wall-clock time ages are computed against */
        json_t *cells;      /* array; borrowed from the builder */
        json_t *conditions; /* NULL, or new: taken by the builder */
};

/*
 * Fill `row` from `obj` (borrowed, a JSON object as stored). Cannot fail:
 * whatever the object holds, it appends exactly n_columns cells.
 */
typedef void kl_api_table_row_fn(const json_t *obj, struct kl_api_table_row *row);

/* A kind's printer. Static data; all pointers are static storage. */
struct kl_api_table_printer {
        const char *group; /* "" for the core group */
        const char *kind;  /* "Pod" */
        const struct kl_api_table_column *columns;
        size_t n_columns;
        kl_api_table_row_fn *row;
};

/*
 * The printer for kinds that have none (upstream's default table convertor):
 * Name (format name) and Created At (type date, creationTimestamp as RFC 3339
 * in UTC, "0001-01-01T00:00:00Z" when missing). Role, ClusterRole,
 * LimitRange and every kind without a printer of its own use it.
 */
extern const struct kl_api_table_printer kl_api_table_default_printer;

/**
 * The printer of the kind `kind` in API group `group` ("" for core; the
 * version does not matter: autoscaling/v1 and v2 HorizontalPodAutoscalers
 * share one printer, which reads either shape). Never NULL: kinds without a
 * printer get &kl_api_table_default_printer. The result is static.
 */
const struct kl_api_table_printer *kl_api_table_printer_find(const char *group, const char *kind);

/* What `row.object` holds (metav1.IncludeObjectPolicy, the `includeObject` query parameter). */
enum kl_api_table_include {
        KL_API_TABLE_INCLUDE_METADATA, /* PartialObjectMetadata; the default */
        KL_API_TABLE_INCLUDE_NONE,     /* no object */
        KL_API_TABLE_INCLUDE_OBJECT,   /* the whole object */
        KL_API_TABLE_INCLUDE__COUNT,
        KL_API_TABLE_INCLUDE__INVALID = -EINVAL,
};

/**
 * Parse the `includeObject` query parameter: NULL or "" and "Metadata",
 * "None", "Object" (case-sensitive, as upstream). Anything else returns
 * KL_API_TABLE_INCLUDE__INVALID (-EINVAL) and sets `err` to upstream's
 * 400 message `unrecognized includeObject value: "x"`.
 */
enum kl_api_table_include kl_api_table_include_parse(const char *value, struct kl_err **err);

struct kl_api_table_options {
        const char *group;       /* of the listed kind; "" for core */
        const char *kind;        /* "Pod": selects the printer */
        const char *api_version; /* "v1", "apps/v1": given to whole row objects that lack it */
        enum kl_api_table_include include;
        /*
         * Leave out the column definitions (they are sent as null): for the
         * events of a watch after the first, as upstream does; kubectl keeps
         * the columns of the first event.
         */
        bool no_headers;
        kl_usec_t now; /* wall-clock time, kl_now_realtime() in the server */
};

/* The list's metadata, copied to the Table's `metadata` (empty strings are left out). */
struct kl_api_table_list_meta {
        const char *resource_version; /* NULL or "" when none */
        const char *continue_token;   /* NULL or "" when there is no next page */
        bool has_remaining_item_count;
        int64_t remaining_item_count;
};

/**
 * Build a whole Table from `items` (borrowed: the `items` array of a list,
 * each a JSON object as stored) in their order:
 *
 *   {"kind":"Table","apiVersion":"meta.k8s.io/v1",
 *    "metadata":{"resourceVersion":..,"continue":..},
 *    "columnDefinitions":[..] (null with no_headers),
 *    "rows":[{"cells":[..],"conditions":[..] (pods that ended),"object":..}]}
 *
 * `row.object` by opts->include: METADATA gives {"kind":
 * "PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":...} with
 * the object's metadata; OBJECT the object itself, with `kind` and
 * `apiVersion` (opts->kind, opts->api_version) put first when it lacks them;
 * NONE leaves `object` out.
 *
 * On success *ret_table is new. It shares values with `items` (references,
 * not copies: the metadata objects and whole objects of the rows), so encode
 * it before `items` is modified. Errors, *ret_table untouched: -EINVAL when
 * `items` is not an array, an item is not an object, or opts->include is
 * not a valid value.
 */
int kl_api_table_from_list(const struct kl_api_table_options *opts, const json_t *items,
                           const struct kl_api_table_list_meta *meta, json_t **ret_table,
                           struct kl_err **err);

/**
 * A one-row Table for one object (borrowed): the answer to a GET of one
 * object with the Table Accept, and the `object` of each watch event (with
 * opts->no_headers set after the first event). metadata.resourceVersion is
 * the object's, as upstream. Ownership, sharing and errors as
 * kl_api_table_from_list(); -EINVAL when `obj` is not an object.
 */
int kl_api_table_from_object(const struct kl_api_table_options *opts, const json_t *obj,
                             json_t **ret_table, struct kl_err **err);

/* Room for any kl_api_human_duration() text and its NUL. */
#define KL_API_HUMAN_DURATION_MAX 32

/**
 * apimachinery's duration.HumanDuration, the text of every Age cell: about
 * two significant figures.
 *
 *   d < -1s (truncated to whole seconds)  "<invalid>"
 *   -1s .. 0                              "0s"
 *   < 2 minutes                           "45s", "119s"
 *   < 10 minutes                          "2m", "5m30s"
 *   < 3 hours                             "178m"
 *   < 8 hours                             "3h", "7h59m"
 *   < 48 hours                            "47h"
 *   < 8 days                              "2d", "7d23h"
 *   < 2 years (of 365 days)               "729d"
 *   < 8 years                             "2y", "7y364d"
 *   otherwise                             "8y"
 *
 * `d` is a difference `now - then` computed in kl_usec_t arithmetic: when
 * `then` is in the future it wraps around, and a value above INT64_MAX is
 * read back as the negative difference it stands for. Writes at most `size`
 * bytes (KL_API_HUMAN_DURATION_MAX is enough) and returns `buf`.
 */
char *kl_api_human_duration(kl_usec_t d, char *buf, size_t size);

#endif
