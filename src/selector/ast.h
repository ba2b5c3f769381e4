/*
** The selector AST shared by the parser, the C builder, the formatter and
** the compiler. A selector is always kept normalized: terms sorted in
** whitelist order and deduplicated, list values sorted and deduplicated. So
** text and C-built selectors with the same meaning have the same AST, and
** compiling never has to reorder anything.
*/
#ifndef ATESQL_SELECTOR_AST_H
#define ATESQL_SELECTOR_AST_H

#include <stdint.h>

#include "atesql/selector.h"
#include "schema.h"

typedef struct sel_value {
  char *text; /* the value as bytes, NUL-terminated; canonical spelling */
  size_t len;
  int64_t number; /* FIELD_ENUM / FIELD_INT64: the value as a number */
} sel_value;

typedef struct sel_term {
  const field_def *field;
  atesql_op op;
  sel_value *values; /* one for EQ/NEQ, one or more for IN/NOTIN, none for
                        EXISTS/NOTEXISTS */
  size_t count;
  char *label; /* FIELD_LABEL: the label key (owned); else NULL */
  size_t label_len;
} sel_term;

struct atesql_selector {
  const resource_def *res;
  sel_term *terms;
  size_t count;
  size_t cap;
};

/*
** Check one raw value (unescaped bytes) against its field: length limit,
** UTF-8, no NUL, and the field's type (enum name, decimal int64). On
** success fill *out with an owned copy in canonical spelling. `where`
** describes the value's position for messages (" at column 7", or "" for
** the C builder) and `column` is recorded in err.
*/
atesql_status sel_value_make(const field_def *field, const char *raw,
                             size_t len, const char *where, size_t column,
                             sel_value *out, atesql_error *err);

/*
** Add a term to sel, taking ownership of label (a FIELD_LABEL term's key,
** else NULL) and values[0..count) (freed on every path, also on error).
** Sorts and deduplicates the values, inserts the term in normalized
** position, and drops it if an equal term exists.
** Errors: INVALID_ARGUMENT (too many terms), NO_MEMORY.
*/
atesql_status sel_add_term(atesql_selector *sel, const field_def *field,
                           char *label, atesql_op op, sel_value *values,
                           size_t count, size_t column, atesql_error *err);

/*
** "labels.KEY" (len bytes) of a resource with labels: *key receives a
** pointer to KEY within name, or NULL when name is not a label term
** (then nothing is checked). A bad key is INVALID_ARGUMENT naming it;
** `where` and `column` place it as for sel_value_make.
*/
atesql_status sel_label_key(const resource_def *res, const char *name,
                            size_t len, const char *where, size_t column,
                            const char **key, atesql_error *err);

/* The error for a field name that is not whitelisted, with the nearest
** valid name or the list of valid names. */
atesql_status sel_unknown_field(const resource_def *res, const char *name,
                                size_t len, size_t column, atesql_error *err);

/* True when some term can drive an index search (=, in); false for an
** empty selector or one of only != and notin terms. */
bool sel_has_indexable_term(const atesql_selector *sel);

void sel_values_free(sel_value *values, size_t count);

/* Where a compiled selector finds labels. */
typedef enum sel_labels {
  SEL_LABELS_TABLE = 0, /* the label table, joined on the record's key: a
                           list, count or claim over the records' table */
  SEL_LABELS_JSON       /* a column "labels" holding the JSON object: a
                           worker as an event holds it (store/watch.c) */
} sel_labels;

/*
** atesql_selector_compile with the labels found per `labels` and the
** placeholders numbered from first_param (the parameters are still
** params[0..param_count)).
*/
atesql_status sel_compile(const atesql_selector *sel, atesql_dialect dialect,
                          sel_labels labels, size_t first_param,
                          atesql_compiled **out, atesql_error *err);

/*
** Compile sel for PostgreSQL with every value an element of one text[]
** parameter: placeholder N is written "($1::text[])[N]", cast where its
** place needs another type ("(($1::text[])[N])::bigint", lists as
** arrays). The parameters are still params[0..param_count), element N
** being params[N - 1] as text. For a statement a server-side function
** runs with EXECUTE ... USING one array, whatever the selector's shape
** (store/claim_function.c).
*/
atesql_status sel_compile_array(const atesql_selector *sel,
                                atesql_compiled **out, atesql_error *err);

#endif /* ATESQL_SELECTOR_AST_H */
