/*
** The conformance suite's entry: takes the database from backend.h (a
** fresh SQLite file, or the PostgreSQL server of ATESQL_TEST_PG), migrates
** it once for the group (a second run must apply nothing), and runs every
** file's tests, each on a freshly opened and cleared store.
*/
#include "conformance.h"

#include "backend.h"

const char *conformance_url;

/*
** Group setup: migrate the database up; a second migrate_up in the same
** run must succeed and apply nothing.
*/
static int migrate_database(void **state) {
  (void)state;
  atesql_error err = {0};
  atesql_status st = atesql_migrate_up(conformance_url, NULL, &err);
  if (st != ATESQL_OK) {
    print_error("atesql_migrate_up(%s): %s: %s\n", conformance_url,
                atesql_status_str(st), err.message);
    return -1;
  }
  atesql_migration_list *again = NULL;
  st = atesql_migrate_up(conformance_url, &again, &err);
  if (st != ATESQL_OK) {
    print_error("second atesql_migrate_up: %s: %s\n", atesql_status_str(st),
                err.message);
    return -1;
  }
  if (again == NULL || again->count != 0) {
    print_error("second atesql_migrate_up applied %zu migrations, want 0\n",
                again ? again->count : (size_t)-1);
    atesql_migration_list_free(again);
    return -1;
  }
  atesql_migration_list_free(again);
  return 0;
}

int store_setup(void **state) {
  atesql_store *store = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_store_open(conformance_url, &store, &err);
  if (st != ATESQL_OK) {
    print_error("atesql_store_open(%s): %s: %s\n", conformance_url,
                atesql_status_str(st), err.message);
    return -1;
  }
  st = atesql_store_clear(store);
  if (st != ATESQL_OK) {
    print_error("atesql_store_clear: %s: %s\n", atesql_status_str(st),
                atesql_errmsg(store));
    atesql_store_close(store);
    return -1;
  }
  *state = store;
  return 0;
}

int store_teardown(void **state) {
  atesql_store_close(*state);
  *state = NULL;
  return 0;
}

typedef const struct CMUnitTest *(*test_table_fn)(size_t *count);

static const test_table_fn test_tables[] = {
    store_handle_tests, atespace_tests,    actor_tests,      worker_tests,
    list_tests,         selector_tests,    page_token_tests, lock_tests,
    transaction_tests,  concurrency_tests, record_tests,     claim_tests,
    watch_tests,        label_tests,       stats_tests,
};

int main(void) {
  conformance_url = test_backend_url("conformance");
  size_t table_count = sizeof test_tables / sizeof test_tables[0];
  size_t total = 0;
  for (size_t i = 0; i < table_count; i++) {
    size_t n = 0;
    test_tables[i](&n);
    total += n;
  }
  struct CMUnitTest *tests = calloc(total, sizeof *tests);
  if (tests == NULL) return 1;
  size_t at = 0;
  for (size_t i = 0; i < table_count; i++) {
    size_t n = 0;
    const struct CMUnitTest *table = test_tables[i](&n);
    memcpy(tests + at, table, n * sizeof *table);
    at += n;
  }
  int failed = _cmocka_run_group_tests("conformance", tests, total,
                                       migrate_database, NULL);
  free(tests);
  return failed;
}
