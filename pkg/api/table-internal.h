/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the table-*.c files share: the printer lists of each API group, the
 * tolerant field readers every row function uses, and the cell helpers for
 * the formats several printers have in common (ages, container lists, label
 * selectors, quantities). Included only by pkg/api/table*.c.
 *
 * The readers never fail: an absent field, a JSON null and a value of the
 * wrong type all read as absent, which is how the printers give upstream's
 * text for missing values without a failure path per field.
 */
#ifndef KL_API_TABLE_INTERNAL_H
#define KL_API_TABLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/table.h"
#include "base/base.h"

/*
 * ---------------------------------------------------------------------------
 * Printer lists, one per file, searched in turn by kl_api_table_printer_find()
 */

extern const struct kl_api_table_printer kl_api__table_printers_pod[];
extern const size_t kl_api__table_printers_pod_count;
extern const struct kl_api_table_printer kl_api__table_printers_core[];
extern const size_t kl_api__table_printers_core_count;
extern const struct kl_api_table_printer kl_api__table_printers_apps[];
extern const size_t kl_api__table_printers_apps_count;
extern const struct kl_api_table_printer kl_api__table_printers_batch[];
extern const size_t kl_api__table_printers_batch_count;
extern const struct kl_api_table_printer kl_api__table_printers_other[];
extern const size_t kl_api__table_printers_other_count;

/* `.columns` and `.n_columns` of a printer from a static array. */
#define KL_API__TABLE_COLUMNS(a) .columns = (a), .n_columns = KL_ARRAY_SIZE(a)

/* Column definitions most kinds share. */
#define KL_API__TABLE_COL_NAME                                                        \
        {                                                                             \
                .name = "Name", .type = KL_API_TABLE_TYPE_STRING, .format = "name",   \
                .description = "Name of the object, unique within its namespace or, " \
                               "for cluster-scoped kinds, within the cluster.",       \
        }
#define KL_API__TABLE_COL_AGE                                                  \
        {                                                                      \
                .name = "Age", .type = KL_API_TABLE_TYPE_STRING, .format = "", \
                .description = "Time since the object was created (its "       \
                               "creationTimestamp), in a short human form.",   \
        }
#define KL_API__TABLE_COL_CONTAINERS                                                  \
        {                                                                             \
                .name = "Containers", .type = KL_API_TABLE_TYPE_STRING, .format = "", \
                .description = "Names of the containers of the pod template, comma "  \
                               "separated.",                                          \
                .priority = 1,                                                        \
        }
#define KL_API__TABLE_COL_IMAGES                                                       \
        {                                                                              \
                .name = "Images", .type = KL_API_TABLE_TYPE_STRING, .format = "",      \
                .description = "Images of the containers of the pod template, in the " \
                               "same order as Containers.",                            \
                .priority = 1,                                                         \
        }
#define KL_API__TABLE_COL_SELECTOR                                                              \
        {                                                                                       \
                .name = "Selector", .type = KL_API_TABLE_TYPE_STRING, .format = "",             \
                .description = "Label selector of the pods the object manages.", .priority = 1, \
        }

/*
 * ---------------------------------------------------------------------------
 * Tolerant readers. `path` is a kl_json path ("status.phase",
 * `metadata.annotations["a/b"]`); `obj` may be NULL. Returned pointers are
 * borrowed from `obj`.
 */

/* The string at `path`, or NULL when absent or not a string. */
const char *kl_api__table_str(const json_t *obj, const char *path);
/* The string at `path`, or `def` when absent or not a string. */
const char *kl_api__table_str_or(const json_t *obj, const char *path, const char *def);
/* Whether `path` holds a non-empty string. */
bool kl_api__table_has_str(const json_t *obj, const char *path);
/* The integer at `path`, or `def` when absent or not an integer. */
int64_t kl_api__table_int(const json_t *obj, const char *path, int64_t def);
/* Whether `path` holds an integer; *ret is set only then. */
bool kl_api__table_get_int(const json_t *obj, const char *path, int64_t *ret);
/* The boolean at `path`, or `def` when absent or not a boolean. */
bool kl_api__table_bool(const json_t *obj, const char *path, bool def);
/* Whether `path` holds a boolean; *ret is set only then. */
bool kl_api__table_get_bool(const json_t *obj, const char *path, bool *ret);
/* The array / object at `path`, or NULL. */
json_t *kl_api__table_array(const json_t *obj, const char *path);
json_t *kl_api__table_object(const json_t *obj, const char *path);
/* The number of elements of the array (members of the object) at `path`; 0 when absent. */
size_t kl_api__table_array_len(const json_t *obj, const char *path);
size_t kl_api__table_object_len(const json_t *obj, const char *path);

/*
 * A metav1.Time or MicroTime at `path`: RFC 3339 with or without a fraction
 * and with "Z" or a numeric offset. True and *ret_usec (microseconds since
 * the epoch, negative before 1970) when present, well formed and not Go's
 * zero time (0001-01-01T00:00:00Z, which upstream prints as absent).
 */
bool kl_api__table_time(const json_t *obj, const char *path, int64_t *ret_usec);

/* Parse RFC 3339 text as kl_api__table_time() does; -EINVAL when malformed. */
int kl_api__table_time_parse(const char *s, int64_t *ret_usec);

/* Seconds-precision RFC 3339 in UTC ("2006-01-02T15:04:05Z") of `usec`; `buf` >= 32 bytes. */
char *kl_api__table_time_format(int64_t usec, char *buf, size_t size);

/* HumanDuration of `now - t`. */
char *kl_api__table_since(kl_usec_t now, int64_t t, char *buf, size_t size);

/*
 * ---------------------------------------------------------------------------
 * Cells. Each appends one cell to row->cells.
 */

/* A string; NULL is "". */
void kl_api__table_cell_str(struct kl_api_table_row *row, const char *s);
void kl_api__table_cell_strn(struct kl_api_table_row *row, const char *s, size_t len);
void kl_api__table_cell_buf(struct kl_api_table_row *row, const struct kl_buf *b);
void kl_api__table_cell_printf(struct kl_api_table_row *row, const char *fmt, ...) KL_PRINTF(2, 3);
void kl_api__table_cell_int(struct kl_api_table_row *row, int64_t v);
void kl_api__table_cell_bool(struct kl_api_table_row *row, bool v);
/* Go's printBool: "True" / "False" as a string. */
void kl_api__table_cell_bool_str(struct kl_api_table_row *row, bool v);

/* The time at `path` as an age ("5m"), or "<unknown>" when absent (translateTimestampSince). */
void kl_api__table_cell_since(struct kl_api_table_row *row, const json_t *obj, const char *path);
/* The age of the object: metadata.creationTimestamp. */
void kl_api__table_cell_age(struct kl_api_table_row *row, const json_t *obj);

/*
 * Two cells, Containers and Images, from the `containers` of the pod spec
 * at `spec_path` (layoutContainerCells): names and images joined by ','.
 */
void kl_api__table_cell_containers(struct kl_api_table_row *row, const json_t *obj,
                                   const char *spec_path);

/*
 * A metav1.LabelSelector at `path` as metav1.FormatLabelSelector prints it:
 * its canonical string, "<none>" when it selects everything or nothing (or
 * is absent), "<error>" when it is invalid.
 */
void kl_api__table_cell_label_selector(struct kl_api_table_row *row, const json_t *obj,
                                       const char *path);

/* A map of strings at `path` as labels.FormatLabels: "k=v,k2=v2" sorted by key, or "<none>". */
void kl_api__table_cell_labels(struct kl_api_table_row *row, const json_t *obj, const char *path);

/*
 * The Quantity at `path` as Kubernetes' Quantity.String() prints it: the
 * stored text when Kubernetes would keep it verbatim, else the canonical form.
 * Returns a string borrowed from `obj`, or `buf` (at least
 * KL_QUANTITY_STRING_MAX bytes), or `absent` when there is no valid quantity.
 */
const char *kl_api__table_quantity(const json_t *obj, const char *path, char *buf, size_t size,
                                   const char *absent);

/* Append `s` to `b`, with `sep` first when `b` is not empty. */
void kl_api__table_join(struct kl_buf *b, const char *sep, const char *s);

/*
 * Access modes as GetAccessModesAsString: the distinct modes of the array
 * at `path` in the fixed order RWO, ROX, RWX, RWOP, joined by ','.
 */
void kl_api__table_access_modes(struct kl_buf *out, const json_t *obj, const char *path);

/* Strip leading and trailing white space as Go's strings.TrimSpace (Unicode White_Space). */
void kl_api__table_trim_space(const char **s, size_t *len);

/* Sort a string vector bytewise (Go's sort.Strings) and drop repeats. */
void kl_api__table_strv_sort_uniq(char **v);

#endif
