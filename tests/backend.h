/*
** Which database a backend-generic suite runs against. The ctest entry
** sets ATESQL_TEST_BACKEND to "sqlite" (a fresh file under
** ATESQL_TEST_DIR) or "postgres" (the conninfo in ATESQL_TEST_PG). Without
** ATESQL_TEST_PG the PostgreSQL run prints that PostgreSQL was not tested
** and exits 77 (ctest: skipped), except under CI, where it fails.
*/
#ifndef ATESQL_TEST_BACKEND_H
#define ATESQL_TEST_BACKEND_H

#include <stdbool.h>

/* The URL for suite `name`; exits the process as described above. */
const char *test_backend_url(const char *name);

/*
** A fresh, empty, unmigrated database named `name` on the suite's backend:
** a new SQLite file, or on PostgreSQL a new schema (dropped first) that the
** returned conninfo selects with search_path. The string is static,
** overwritten by the next call.
*/
const char *test_backend_fresh_url(const char *name);

/* True when the suite runs against PostgreSQL. */
bool test_backend_is_postgres(void);

#endif /* ATESQL_TEST_BACKEND_H */
