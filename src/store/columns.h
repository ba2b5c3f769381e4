/*
** SQL text generated from a resource's column table (schema.h): the
** column lists of its statements, the images of the change feed, and the
** templates of the named statements in sql/<dialect>/.
*/
#ifndef ATESQL_STORE_COLUMNS_H
#define ATESQL_STORE_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"
#include "store/dialect.h"
#include "util/strbuf.h"

/* "p.a, p.b, ...": every column of res in table order, each after
** `prefix` ("" or "alias."). */
void columns_list(strbuf *sb, const resource_def *res, const char *prefix);

/*
** The columns of a change-feed image of res, named as its table names
** them so that a compiled selector applies unchanged: the key columns as
** they are, then the others as written (`prev` false) or as they were
** ("prev_c AS c"), each after `prefix`.
*/
void columns_image(strbuf *sb, const resource_def *res, const char *prefix,
                   bool prev);

/*
** Append the text of the template {RESOURCE.PART} (name, len bytes,
** without the braces) for dialect d. A record's columns bind as
** parameters 1 .. column_count in table order; the parts are
**   columns    every column:                 a, b, c
**   values     a placeholder per column:     ?1, ?2, ?3
**   key        the key matches:              a = ?1 AND b = ?2
**   set        every mutable column:         c = ?3, ...
**   immutable  the non-key immutable ones:   d = ?4 AND ...
**   version    the version's placeholder:    ?5
** False when the template names no resource or part.
*/
bool columns_template(strbuf *sb, const store_dialect *d, const char *name,
                      size_t len);

#endif /* ATESQL_STORE_COLUMNS_H */
