/*
** Selectors: which records a list or count returns. A selector is parsed
** from untrusted text or built in C, every field checked against the
** resource's whitelist, and compiled into a parameterized SQL WHERE
** fragment in which no value ever appears.
**
** The grammar (Kubernetes field selectors plus the set operators of label
** selectors):
**
**     selector := "" | term ("," term)*          comma is AND
**     term     := field ("=" | "==" | "!=") value
**               | field ("in" | "notin") "(" value ("," value)* ")"
**               | "labels." key                   the label exists
**               | "!labels." key                  the label does not exist
**     field    := a whitelisted field | "labels." key
**     value    := possibly empty; "\" escapes , = ! ( ) \ and space
**
** - Spaces and tabs around fields, operators, commas and parentheses are
**   ignored. Inside a value a space must be escaped ("a\ b"); so must
**   , = ! ( ) and \ themselves. Any other escape is an error.
** - "actor_id=" selects the empty value: free workers. In a list an empty
**   element is allowed too: "actor_id in (,a1)" is free or running a1.
** - Enum fields take proto names ("status=STATUS_RUNNING"); int64 fields
**   take decimal integers ("version=3").
** - Values are at most ATESQL_SELECTOR_VALUE_MAX bytes after unescaping,
**   a list holds at most ATESQL_SELECTOR_LIST_MAX values and a selector at
**   most ATESQL_SELECTOR_TERMS_MAX terms. The text must be valid UTF-8
**   without NUL bytes.
** - Terms are ANDed. Duplicate terms collapse into one; contradictory terms
**   ("worker_pool=a,worker_pool=b") are allowed and simply match nothing.
** - Labels (workers only): "labels.gpu_type=h100", "labels.zone in (a,b)",
**   "labels.zone!=x", "labels.zone notin (a,b)", "labels.gpu_type",
**   "!labels.gpu_type", with Kubernetes label selector meaning: != and
**   notin also match workers without the label. Keys and values follow
**   Kubernetes label syntax (types.h, atesql_worker); a key may hold '/'
**   ("labels.example.com/zone=a"). A label term is a B-tree search of the
**   label index, mixed freely with field terms.
**
** Every error is ATESQL_INVALID_ARGUMENT with a message naming the problem
** and the 1-based byte column where it starts, e.g.
**     unknown field 'wrker_pool' at column 1; did you mean 'worker_pool'?
**
** Thread-safety: a selector is not modified by compile, format or list
** calls, so one selector may be read by many threads at once; adding terms
** needs exclusive access.
*/
#ifndef ATESQL_SELECTOR_H
#define ATESQL_SELECTOR_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATESQL_SELECTOR_VALUE_MAX 1024
#define ATESQL_SELECTOR_LIST_MAX  1000
#define ATESQL_SELECTOR_TERMS_MAX 64

/* Pass as a text length to mean "NUL-terminated". */
#define ATESQL_NUL_TERMINATED ((size_t)-1)

typedef struct atesql_selector atesql_selector;

typedef enum atesql_op {
  ATESQL_OP_EQ = 1,   /* "=" or "==": one value */
  ATESQL_OP_NEQ,      /* "!=": one value */
  ATESQL_OP_IN,       /* "in (...)": one or more values */
  ATESQL_OP_NOTIN,    /* "notin (...)": one or more values */
  ATESQL_OP_EXISTS,   /* labels only: "labels.KEY", no value */
  ATESQL_OP_NOTEXISTS /* labels only: "!labels.KEY", no value */
} atesql_op;

/* The SQL dialects a selector compiles to. */
typedef enum atesql_dialect {
  ATESQL_DIALECT_SQLITE = 1, /* ?N placeholders */
  ATESQL_DIALECT_POSTGRES    /* $N placeholders */
} atesql_dialect;

/*
** Create an empty selector for `resource` (it selects every record).
** *out receives a selector to free with atesql_selector_free.
** Errors: INVALID_ARGUMENT for a resource without selectable fields or a
** NULL out; NO_MEMORY.
*/
ATESQL_API atesql_status atesql_selector_new(atesql_resource resource,
                                             atesql_selector **out,
                                             atesql_error *err);

/*
** Parse selector text for `resource`. `len` is the text's length in bytes,
** or ATESQL_NUL_TERMINATED. On success *out receives a new selector to free
** with atesql_selector_free; on failure *out is NULL and err says what and
** where. Errors: INVALID_ARGUMENT (see the grammar above), NO_MEMORY.
*/
ATESQL_API atesql_status atesql_selector_parse(atesql_resource resource,
                                               const char *text, size_t len,
                                               atesql_selector **out,
                                               atesql_error *err);

/*
** Add one term, the C form of the text grammar: `field op values`.
** EQ and NEQ take exactly one value, IN and NOTIN one or more. Values are
** NUL-terminated strings (enum fields take proto names, int64 fields decimal
** text) copied by the call. A label term names its field "labels.KEY";
** EXISTS and NOTEXISTS (labels only) take no value. Produces the same
** selector as parsing the equivalent text. On failure the selector is
** unchanged.
** Errors: INVALID_ARGUMENT (unknown field, bad value, wrong value count,
** limits), NO_MEMORY.
*/
ATESQL_API atesql_status atesql_selector_add(atesql_selector *sel,
                                             const char *field, atesql_op op,
                                             const char *const *values,
                                             size_t value_count,
                                             atesql_error *err);

/* The resource a selector addresses. */
ATESQL_API atesql_resource atesql_selector_resource(const atesql_selector *sel);

/*
** True when both selectors address the same resource and select by the
** same terms (after normalization). NULL equals nothing.
*/
ATESQL_API bool atesql_selector_equal(const atesql_selector *a,
                                      const atesql_selector *b);

/*
** The normalized text of a selector: terms in whitelist order, "==" written
** "=", list values sorted and deduplicated, duplicate terms removed, minimal
** escaping. Two selectors that select by the same terms have the same
** normalized text, and parsing it gives an equal selector; page tokens hash
** it. *out receives a NUL-terminated string to free with atesql_free ("" for
** the empty selector). Errors: NO_MEMORY.
*/
ATESQL_API atesql_status atesql_selector_format(const atesql_selector *sel,
                                                char **out);

/* Free a selector. NULL is a no-op. */
ATESQL_API void atesql_selector_free(atesql_selector *sel);

/* How a compiled parameter is bound. */
typedef enum atesql_param_type {
  ATESQL_PARAM_TEXT = 1,
  ATESQL_PARAM_INT64
} atesql_param_type;

/*
** One bound parameter of a compiled selector. An "in"/"notin" list is ONE
** TEXT parameter holding the list in the dialect's encoding (a JSON array
** read by json_each on SQLite, an array literal on PostgreSQL), so a
** statement's shape never depends on the list's length.
*/
typedef struct atesql_param {
  atesql_param_type type;
  const char *text; /* TEXT: the value; NULL for INT64 */
  int64_t int64;    /* INT64: the value */
} atesql_param;

/*
** A compiled selector: a WHERE fragment whose placeholders are numbered
** 1..param_count (?N on SQLite, $N on PostgreSQL) and the parameters in that
** order. Terms appear in normalized order. An empty text value under = or
** != is written as the constant '' rather than a parameter, so the
** planner sees it (free workers, actor_id = '', are a large share of the
** table and have their own partial indexes); a term on worker actor_id
** that matches only non-empty values also carries actor_id <> ''. So
** param_count can be less than the number of terms. The empty selector
** compiles to "TRUE" with no parameters. One allocation.
*/
typedef struct atesql_compiled {
  const char *sql;
  const atesql_param *params;
  size_t param_count;
} atesql_compiled;

/*
** Compile a selector for `dialect`. *out receives a compiled selector to
** free with atesql_compiled_free. Errors: INVALID_ARGUMENT for an unknown
** dialect, NO_MEMORY.
*/
ATESQL_API atesql_status atesql_selector_compile(const atesql_selector *sel,
                                                 atesql_dialect dialect,
                                                 atesql_compiled **out,
                                                 atesql_error *err);

/* Free a compiled selector. NULL is a no-op. */
ATESQL_API void atesql_compiled_free(atesql_compiled *compiled);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_SELECTOR_H */
