/*
** The field whitelist: for each resource, the fields a selector may name,
** the column each one maps to, its type (text, enum with its proto names,
** int64) and whether it is immutable after create. Nothing outside this
** table can reach SQL as an identifier.
*/
#ifndef ATESQL_SCHEMA_H
#define ATESQL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "atesql/types.h"

/* FIELD_LABEL: the labels of a resource that has them ("labels.KEY"),
** stored in a table of their own (worker_labels); its column is NULL. */
typedef enum field_type {
  FIELD_TEXT = 1,
  FIELD_ENUM,
  FIELD_INT64,
  FIELD_LABEL
} field_type;

typedef struct field_def {
  const char *name;   /* the selector's spelling */
  const char *column; /* the table column; a plain identifier */
  field_type type;
  const char *const
      *enum_names; /* FIELD_ENUM: proto names, indexed by number */
  size_t enum_count;
  bool immutable; /* fixed after create (key parts included) */
  /* Indexed by two partial indexes, one for the empty value and one for
  ** the others (migrations 0003): the compiler adds "<> ''" to a term on
  ** non-empty values so that the second one fits. */
  bool split_empty;
} field_def;

typedef struct resource_def {
  atesql_resource id;
  const char *name;  /* "workers", "actors", "atespaces" */
  const char *table; /* its table */
  const field_def *fields;
  size_t field_count;
  /* Labels ("labels.KEY" terms), or NULL when the resource has none. The
  ** table holds (<key columns of the resource>, key, value); label terms
  ** sort after every field's. */
  const field_def *labels;
  const char *label_table;
  const char *label_key;   /* the key columns both tables share, quoted */
  const char *label_index; /* the index a label term searches */
  /* The label table's copy of "the split_empty field is empty" (a free
  ** worker), 1 or 0; NULL: none. */
  const char *label_empty;
} resource_def;

/* The definition of a resource, or NULL for a value out of range. */
const resource_def *schema_resource(atesql_resource id);

/* The resource named `name` ("workers"...), or NULL. */
const resource_def *schema_resource_by_name(const char *name);

/* The field `name` (len bytes) of a resource, or NULL when not whitelisted. */
const field_def *schema_field(const resource_def *res, const char *name,
                              size_t len);

/* The whitelisted field of `res` nearest to `name` by edit distance, or NULL
** when none is near enough to be a plausible typo. */
const field_def *schema_nearest_field(const resource_def *res, const char *name,
                                      size_t len);

/* The position of `field` in its resource's table: the normalized order of
** selector terms (the labels pseudo-field comes after every field). */
size_t schema_field_index(const resource_def *res, const field_def *field);

/* The number of an enum field's proto name (len bytes), or -1. */
int schema_enum_number(const field_def *field, const char *name, size_t len);

#endif /* ATESQL_SCHEMA_H */
