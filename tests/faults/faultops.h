/*
** The operations the fault-injection engine (faultdb.c) drives, defined in
** faultops.c: found by name, each acts on the records faultdb_seed puts
** in the template.
*/
#ifndef ATESQL_TEST_FAULTOPS_H
#define ATESQL_TEST_FAULTOPS_H

#include <stdbool.h>
#include <stddef.h>

#include "faults/faultdb.h"

/*
** Write the template's records through s: atespaces space-a (holding
** actors) and space-empty; actors space-a/a1 (RUNNING), a-susp (SUSPENDED)
** and bulk-00..09 (PAUSED); workers ns/pool/w1 and w2 (free), ns/held/w-held
** (held by space-a/a-held) and ns/bulk/b00..b29; locks held-lock (owner-a,
** 30 days) and expired-lock (owner-old, expiring after 1 ms). Returns
** false at the first failure, with what failed in why (whysz bytes).
*/
bool faultdb_seed(atesql_store *s, char *why, size_t whysz);

/* Find an operation by name; NULL when unknown. */
const faultdb_op *faultdb_find_op(const char *name);

#endif /* ATESQL_TEST_FAULTOPS_H */
