/*
** The library's values as text for people, over the public API only:
** records as rows of an aligned table, bound parameters, applied
** migrations, change types. The atesql program and the demo print with it; it prints to
** stdout or into a table, and keeps no state.
*/
#ifndef ATESQL_SHOW_H
#define ATESQL_SHOW_H

#include "atesql/atesql.h"
#include "table.h"

/* A table whose headers are the columns of resource (workers, actors or
** atespaces); NULL when out of memory or for another resource. Free it
** with table_free. */
table *show_table_new(atesql_resource resource);

/* Append record, the atesql_worker, atesql_actor or atesql_atespace that
** resource says, as one row of a show_table_new(resource) table. Empty
** fields show as "-". */
void show_row(table *t, atesql_resource resource, const void *record);

/* Print bound parameters on stdout as " ?1='text' ?2=3" (SQLite) or
** " $1='text' $2=3" (PostgreSQL), then a newline. */
void show_params(const atesql_param *params, size_t n, atesql_dialect dialect);

/* Print "applied NNNN_name" on stdout for each migration of applied, or
** "schema is up to date (version N)" when it is empty. */
void show_applied(const atesql_migration_list *applied);

/* "CREATED", "UPDATED" or "DELETED"; "UNKNOWN" for another value. */
const char *show_event_type(atesql_event_type type);

#endif /* ATESQL_SHOW_H */
