/*
** Operations one public call runs inside another (the resume step reads
** and moves its actor): as their public forms (include/atesql/store.h),
** without beginning a call, so the outer call's state and message stay
** its own.
*/
#ifndef ATESQL_STORE_OPERATIONS_H
#define ATESQL_STORE_OPERATIONS_H

#include "store/store.h"

atesql_status actor_get(atesql_store *s, const char *atespace, const char *id,
                        atesql_actor **out);
atesql_status actor_update(atesql_store *s, const atesql_actor *a,
                           int64_t expected_version, int64_t *new_version);

#endif /* ATESQL_STORE_OPERATIONS_H */
