/*
** The data model as tables: for each resource, its columns in table
** order, what each one is (type, key, immutable, selectable and how it is
** indexed), where it lives in the record's C struct and how protojson
** names it. The selector's whitelist is the selectable part of the table;
** nothing outside these tables can reach SQL as an identifier.
*/
#ifndef ATESQL_SCHEMA_H
#define ATESQL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "atesql/types.h"

typedef enum field_type {
  FIELD_TEXT = 1, /* const char * */
  FIELD_ENUM,     /* an int-sized open enum, stored as its number */
  FIELD_INT64,    /* int64_t */
  /* The selector's "labels.KEY" terms, over the labels of a resource that
  ** has them, kept in a table of their own (worker_labels); no column. */
  FIELD_LABEL,
  /* A label map (const atesql_label * and a size_t count), stored as a
  ** JSON object of strings (store/labels.c). */
  FIELD_LABEL_MAP,
  /* A nested message with presence (a pointer, NULL when unset), stored
  ** as its protojson document (src/codec); `message` says which. */
  FIELD_MESSAGE
} field_type;

/* The nested messages a FIELD_MESSAGE column holds. */
typedef enum field_message {
  MESSAGE_NONE,
  MESSAGE_SNAPSHOT_INFO,  /* atesql_snapshot_info */
  MESSAGE_WORKER_SELECTOR /* atesql_worker_selector */
} field_message;

/*
** One field of a record: a column of its table, a member of its C struct,
** a field of its proto message. Everything the library does with a
** record's columns (the column lists of its statements, the order their
** parameters bind in, the decoding of its rows and of the change feed's
** images, the protojson codec's fields, the selector's whitelist) is
** generated from these rows.
*/
typedef struct field_def {
  /* The column, the proto field's name and the selector's spelling. */
  const char *name;
  /* The table column: a plain identifier; NULL for FIELD_LABEL. */
  const char *column;
  field_type type;
  const char *const *enum_names; /* FIELD_ENUM: proto names by number */
  size_t enum_count;
  bool immutable; /* fixed after create (key parts included) */
  bool version;   /* the record's version: set by the store, never bound */
  /* Indexed by two partial indexes, one for the empty value and one for
  ** the others (migrations 0003): the compiler adds "<> ''" to a term on
  ** non-empty values so that the second one fits. */
  bool split_empty;
  field_message message; /* FIELD_MESSAGE */
  /* The member in the record struct, and for FIELD_LABEL_MAP its count. */
  size_t offset;
  size_t count_offset;
  /* protojson: the lowerCamelCase name, and the proto field number,
  ** whose order the encoder writes fields in; 0 for a field of atesql's
  ** own (worker labels), written after the proto's. */
  const char *json_name;
  int proto_number;
} field_def;

/*
** A resource's column table. Its rows are in table order, laid out so
** that the store needs no second list:
**  - fields[0 .. key_count) are the primary key, in key order;
**  - fields[0 .. field_count) are the selectable fields (the selector's
**    whitelist, in its normalized order), each backed by an index;
**  - fields[field_count .. column_count) are the other columns.
** Statements bind a record's columns as parameters 1 .. column_count in
** table order (store/statements.c expands {workers.columns} ... so).
*/
typedef struct resource_def {
  atesql_resource id;
  const char *name;  /* "workers", "actors", "atespaces" */
  const char *table; /* its table */
  const field_def *fields;
  size_t key_count;
  size_t field_count;  /* selectable */
  size_t column_count; /* all */
  size_t record_size;  /* sizeof its C struct */
  const char *kind;    /* "worker": how messages name one record */
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

extern const resource_def schema_workers, schema_actors, schema_atespaces;

/* The proto names of SnapshotType, by number (the nested SnapshotInfo's
** type field, src/codec). */
enum { SCHEMA_SNAPSHOT_TYPES = 3 };
extern const char *const schema_snapshot_type_names[SCHEMA_SNAPSHOT_TYPES];

/* The most columns a resource has: a record's columns fit arrays of this
** size (and the codec's 32-bit masks of fields seen). */
enum { SCHEMA_MAX_COLUMNS = 16 };

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
