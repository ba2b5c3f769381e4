/*
** What the files of the protojson codec share. Each message of
** ateapi.proto the library stores is a table of fields (JSON name, proto
** name, kind and offset in the C struct), defined in codec/messages.c;
** one encoder (codec/encode.c), one decoder (codec/decode.c, by jansson)
** and one column reader (codec/tokens.c, by jsmn) walk those tables, so a
** field is added by adding a row. Their errors name the field by its
** dotted path (codec/path.c). codec/json.c holds the entry points.
*/
#ifndef ATESQL_CODEC_JSON_INTERNAL_H
#define ATESQL_CODEC_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "atesql/json.h"
#include "schema.h"
#include "util/count.h"

typedef enum field_kind {
  KIND_STRING,      /* const char * */
  KIND_INT64,       /* int64_t; a JSON string on output, as protojson */
  KIND_ENUM,        /* an int-sized open enum; its proto name on output */
  KIND_MESSAGE,     /* a nested message flattened into the parent's struct */
  KIND_MESSAGE_PTR, /* a nested message with presence: a pointer, NULL unset */
  KIND_STRING_LIST, /* const char *const * and a size_t count */
  KIND_LABEL_MAP    /* const atesql_label * and a size_t count; an object */
} field_kind;

typedef struct json_message json_message;

typedef struct json_field {
  const char *json_name;  /* protojson's lowerCamelCase name */
  const char *snake_name; /* the proto name, also accepted on input */
  field_kind kind;
  size_t offset;       /* of the value, from the message's base */
  size_t count_offset; /* KIND_STRING_LIST, KIND_LABEL_MAP: of the count */
  size_t size;         /* KIND_MESSAGE_PTR: of the struct pointed to */
  const char *const *enum_names; /* KIND_ENUM: the names of 0..count-1 */
  size_t enum_count;
  const json_message *message; /* KIND_MESSAGE, KIND_MESSAGE_PTR */
  /* A member of a oneof (KIND_MESSAGE only): the oneof's name, the offset
  ** of the int saying which member is set, and this member's value there. */
  const char *oneof;
  size_t oneof_case_offset;
  int oneof_case;
} json_field;

struct json_message {
  const json_field *fields;
  size_t count;
};

_Static_assert(sizeof(atesql_actor_status) == sizeof(int) &&
                   sizeof(atesql_snapshot_type) == sizeof(int) &&
                   sizeof(atesql_snapshot_data) == sizeof(int),
               "enum fields and the oneof case are read and written as int");

/* The rows of a table, one macro per kind of field. */
#define MESSAGE(fields)                                                        \
  { fields, COUNT(fields) }
#define STRING(json, snake, type, member)                                      \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_STRING,           \
    .offset = offsetof(type, member)                                           \
  }
#define INT64(json, snake, type, member)                                       \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_INT64,            \
    .offset = offsetof(type, member)                                           \
  }
#define ENUM(json, snake, type, member, names, count)                          \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_ENUM,             \
    .offset = offsetof(type, member), .enum_names = (names),                   \
    .enum_count = (count)                                                      \
  }
#define ONEOF_MEMBER(json, snake, type, case_member, case_value, table)        \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_MESSAGE,          \
    .offset = 0, .message = &(table), .oneof = "data",                         \
    .oneof_case_offset = offsetof(type, case_member),                          \
    .oneof_case = (case_value)                                                 \
  }
#define OPTIONAL(json, snake, type, member, target, table)                     \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = KIND_MESSAGE_PTR,      \
    .offset = offsetof(type, member), .size = sizeof(target),                  \
    .message = &(table)                                                        \
  }
#define REPEATED(json, snake, kind_, type, member, count_member)               \
  {                                                                            \
    .json_name = (json), .snake_name = (snake), .kind = (kind_),               \
    .offset = offsetof(type, member),                                          \
    .count_offset = offsetof(type, count_member)                               \
  }

/* The message of a top-level record (Worker, Actor, Atespace), made from
** its column table (schema.h) in proto declaration order; NULL for a
** value out of range (codec/messages.c). */
const json_message *codec_record_message(atesql_resource r);

/* The field of a record that holds the nested message m (Actor's
** latest_snapshot_info, worker_selector): also the value of that JSON
** column of its table. */
const json_field *codec_message_field(field_message m);

/* The member of the struct at base that a table row's offset names. */
static inline void *member(char *base, size_t offset) { return base + offset; }

/* ---- Field paths (codec/path.c) ---------------------------------------- */

/* One step of the path to the field being encoded or decoded, kept on the
** C stack of the walking functions: the path is only formatted when an
** error names it, so a valid record or document costs no formatting at
** all. */
typedef struct path_seg {
  const char *name; /* a member name, or NULL for an array index */
  size_t index;
  const struct path_seg *up;
} path_seg;

typedef struct field_path {
  const path_seg *top; /* NULL at the top of the document */
  char text[200];      /* the formatted path, filled by path_text */
} field_path;

static inline void path_push(field_path *p, path_seg *seg, const char *name,
                             size_t index) {
  seg->name = name;
  seg->index = index;
  seg->up = p->top;
  p->top = seg;
}

static inline void path_pop(field_path *p, const path_seg *seg) {
  p->top = seg->up;
}

/* The dotted path ("latestSnapshotInfo.local.nodeVmsWithLocalSnapshots[1]")
** of the field at the top of p, for an error message: p->text, "" at the
** top of the document. */
const char *path_text(field_path *p);

/* ---- Encoding (codec/encode.c) ----------------------------------------- */

/*
** Encode the record at `record` by table m as compact JSON into *out, a
** NUL-terminated string to free(). Returns OK, INVALID_ARGUMENT (out or
** record NULL, a string that is not UTF-8, a oneof case naming no member)
** or NO_MEMORY; *out is then NULL and err (may be NULL) names the field by
** its dotted path.
*/
atesql_status codec_encode_record(const json_message *m, const void *record,
                                  char **out, atesql_error *err);

/*
** The JSON value of the optional message field f of the actor at base:
** its message, or null when unset. A string to free(), NULL on failure.
*/
char *codec_encode_optional_column(const json_field *f, char *base);

/* ---- Decoding by jansson (codec/decode.c) ------------------------------ */

/* The string every absent or empty field points to. */
extern const char codec_empty_string[];

/*
** Point every string field of m (and of the messages flattened into it)
** at codec_empty_string, the zero value of a field the document leaves
** out.
*/
void codec_set_empty_strings(const json_message *m, char *base);

/* Labels by key, byte order (qsort's comparison). */
int codec_compare_labels(const void *a, const void *b);

/*
** Parse text and decode it into base, allocating in the arena of root:
** as field f's value when f is not NULL (a JSON column), else as a
** message of table m. Documents from callers (exact_numbers) first have
** their numbers made exact for jansson (codec_exact_numbers); the store's
** own columns hold only plain integers. Returns OK, or INVALID_ARGUMENT
** and NO_MEMORY with err (may be NULL) naming the field.
*/
atesql_status codec_decode_document(const char *text, size_t len,
                                    const json_field *f, const json_message *m,
                                    bool exact_numbers, void *root, char *base,
                                    atesql_error *err);

/* ---- Decoding by token (codec/tokens.c) -------------------------------- */

typedef enum token_result {
  TOKENS_DECODED,
  TOKENS_DECLINED, /* left to jansson */
  TOKENS_NO_MEMORY
} token_result;

/*
** The column text as field f's value (codec_decode_document's job for a
** column), into base, when its tokens are JSON the walk takes. What it
** declines it may have half written: the caller rewinds the arena and
** clears f.
*/
token_result codec_decode_column_tokens(const char *text, size_t len,
                                        const json_field *f, void *root,
                                        char *base);

#endif /* ATESQL_CODEC_JSON_INTERNAL_H */
