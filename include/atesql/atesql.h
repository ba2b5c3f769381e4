/*
** atesql: a SQL-backed store for an actor/worker control plane. Include
** this one header for the whole API, one header per concept:
**   types.h     status codes, errors, records, pages, list options
**   selector.h  parse, build and compile selectors
**   store.h     open and close a store; errors, timeout, transactions,
**               analyze, clear
**   atespace.h  atespaces: create, get, exists, delete, list
**   actor.h     actors: get, create, import, update, delete, list, count
**   worker.h    workers: get, create, import, update, delete, list, count
**   claim.h     give an actor a free worker, release it, resume an actor
**   lock.h      named leases on the database clock
**   explain.h   how the database runs a list or a claim, and what it reads
**   watch.h     the workers' change feed: watch, revision, compact
**   migrate.h   apply and inspect schema migrations
**   json.h      records as protojson documents
*/
#ifndef ATESQL_ATESQL_H
#define ATESQL_ATESQL_H

#include "actor.h"
#include "atespace.h"
#include "claim.h"
#include "explain.h"
#include "json.h"
#include "lock.h"
#include "migrate.h"
#include "selector.h"
#include "store.h"
#include "types.h"
#include "watch.h"
#include "worker.h"

#endif /* ATESQL_ATESQL_H */
