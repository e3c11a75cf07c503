/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout of the compiled-in schema tables (schema-gen.c, written by
 * scripts/gen-api-schema.py). Only schema*.c and protobuf*.c include this;
 * everyone else goes through the accessors of schema.h.
 *
 * Everything is index-based so the tables are position-independent constant
 * data with no relocations: strings are offsets into one NUL-separated string
 * table (a string that ends another shares its bytes), messages and fields are
 * uint16 indices. A message owns a contiguous run of fields sorted bytewise by
 * JSON name (binary search), and a run of `max_number + 1` bytes in the
 * by-number table mapping a field number to its position in that run, or
 * KL_API__NO_FIELD (direct indexing; numbers are small and dense). Messages are
 * sorted by (package, name). Patch and list markers are rare and repetitive, so
 * fields point at a shared metadata row (row 0: none).
 */
#ifndef KL_API_SCHEMA_INTERNAL_H
#define KL_API_SCHEMA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "api/schema.h"

#define KL_API_NO_MESSAGE 0xFFFF
#define KL_API__NO_FIELD  0xFF

struct kl_api_message {
        uint16_t name;      /* string offset of the short name ("Deployment") */
        uint16_t first;     /* index of the first field in kl_api__schema_fields */
        uint16_t by_number; /* index of number 0's entry in kl_api__schema_by_number */
        uint8_t package;    /* index into kl_api__schema_packages */
        uint8_t n_fields;
        uint8_t max_number; /* highest field number */
        uint8_t special;    /* enum kl_api_special */
        uint8_t flags;      /* enum kl_api_message_flags */
};

struct kl_api_field {
        uint16_t name; /* string offset of the JSON name */
        uint16_t ref; /* message index for MESSAGE values (a map's value), else KL_API_NO_MESSAGE */
        uint8_t number; /* protobuf field number, 1..254 */
        uint8_t type;   /* enum kl_api_type of the value (of a map's value for maps) */
        uint8_t flags;  /* enum kl_api_field_flags */
        uint8_t meta;   /* row of kl_api__schema_field_meta, 0 for none */
};

struct kl_api_field_meta {
        uint8_t patch_strategy; /* enum kl_api_patch_strategy bits */
        uint8_t list_type;      /* enum kl_api_list_type */
        uint8_t map_type;       /* enum kl_api_map_type */
        uint16_t merge_key;     /* string offset, 0 (the empty string) for none */
        uint16_t list_map_keys; /* index into kl_api__schema_list_map_keys, 0 for none */
};

extern const char kl_api__schema_strings[];
extern const uint16_t kl_api__schema_packages[];
extern const struct kl_api_message kl_api__schema_messages[];
extern const struct kl_api_field kl_api__schema_fields[];
extern const uint8_t kl_api__schema_by_number[];
extern const struct kl_api_field_meta kl_api__schema_field_meta[];
/* Runs of string offsets, each ended by 0. */
extern const uint16_t kl_api__schema_list_map_keys[];

extern const size_t kl_api__schema_n_packages;
extern const size_t kl_api__schema_n_messages;
extern const size_t kl_api__schema_n_fields;
extern const size_t kl_api__schema_n_by_number;
extern const size_t kl_api__schema_n_field_meta;
extern const size_t kl_api__schema_n_list_map_keys;
extern const size_t kl_api__schema_strings_size;

/* The message whose run of fields holds `f`. */
const struct kl_api_message *kl_api__field_owner(const struct kl_api_field *f);

static inline const char *kl_api__str(uint16_t off)
{
        return kl_api__schema_strings + off;
}

static inline const struct kl_api_message *kl_api__field_ref(const struct kl_api_field *f)
{
        return f->ref == KL_API_NO_MESSAGE ? NULL : &kl_api__schema_messages[f->ref];
}

#endif
