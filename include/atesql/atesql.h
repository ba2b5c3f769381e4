/*
** atesql: a SQL-backed store for an actor/worker control plane. Include
** this one header for the whole API:
**   types.h     status codes, errors, records, pages, list options
**   selector.h  parse, build and compile selectors
**   store.h     open a store; atespaces, actors, workers, locks
**   migrate.h   apply and inspect schema migrations
**   json.h      records as protojson documents
*/
#ifndef ATESQL_ATESQL_H
#define ATESQL_ATESQL_H

#include "json.h"
#include "migrate.h"
#include "selector.h"
#include "store.h"
#include "types.h"

#endif /* ATESQL_ATESQL_H */
