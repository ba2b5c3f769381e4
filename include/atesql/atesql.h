/*
** atesql: a SQL-backed store for an actor/worker control plane. Include
** this one header for the whole API, one header per concept:
**   types.h     status codes, errors, records, pages, list options
**   selector.h  parse, build and compile selectors
**   store.h     open and close a store; errors, timeout, transactions,
**               analyze, clear
**   atespace.h  atespaces: create, get, exists, delete, list, count
**   actor.h     actors: get, create, import, update, delete, list, count
**   worker.h    workers: get, create, import, update, delete, list, count
**   claim.h     give an actor a free worker, release it, resume an actor
**   lock.h      named leases on the database clock
**   stats.h     the handle's statistics and trace hook
**   explain.h   how the database runs a list or a claim, and what it reads
**   watch.h     the workers' change feed: watch, revision, compact
**   migrate.h   apply and inspect schema migrations
**   json.h      records as protojson documents
**
** The resources answer by one rule; where a column differs from it, the
** difference copies upstream's store interface (ateapi) on purpose:
**
**   call, when                      atespace   actor      worker     lock
**   get, the record is missing      NOT_FOUND  NOT_FOUND  NOT_FOUND  -
**   delete, the record is missing   NOT_FOUND  NOT_FOUND  OK (1)     -
**   release, not the caller's       -          -          OK (2)     OK (2)
**   exists                          yes (3)    no (3)     no (3)     -
**   list, count                     yes        yes        yes        -
**
** (1) atesql_worker_delete is idempotent, as upstream's DeleteWorker;
**     upstream's DeleteAtespace and DeleteActor answer NotFound, and so
**     do atesql's.
** (2) atesql_worker_release and atesql_lock_release of a worker or lock
**     the caller does not hold (free, another's, or an expired lock)
**     change nothing and return OK with *released false, as upstream's
**     ReleaseLock returns nil. A worker that does not exist is NOT_FOUND;
**     a lock exists only while it is held.
** (3) atesql_atespace_exists is upstream's AtespaceExists, which its
**     actor create asks; for an actor or a worker a get answers the same
**     question (NOT_FOUND).
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
#include "stats.h"
#include "store.h"
#include "types.h"
#include "watch.h"
#include "worker.h"

#endif /* ATESQL_ATESQL_H */
