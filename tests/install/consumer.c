/*
** A program built against the installed atesql: compiles a selector and
** checks the SQL, so linking, headers and the library all work together.
*/
#include <atesql/atesql.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  atesql_selector *sel = NULL;
  atesql_compiled *c = NULL;
  atesql_error err;
  if (atesql_selector_parse(ATESQL_RESOURCE_WORKERS,
                            "worker_pool=cpu,actor_id=", ATESQL_NUL_TERMINATED,
                            &sel, &err) != ATESQL_OK ||
      atesql_selector_compile(sel, ATESQL_DIALECT_POSTGRES, &c, &err) !=
          ATESQL_OK) {
    fprintf(stderr, "consumer: %s\n", err.message);
    return 1;
  }
  int ok = strcmp(c->sql, "\"worker_pool\" = $1 AND \"actor_id\" = ''") == 0 &&
           c->param_count == 1;
  printf("consumer (atesql %s): %s\n", atesql_version(), ok ? "ok" : c->sql);
  atesql_compiled_free(c);
  atesql_selector_free(sel);
  return ok ? 0 : 1;
}
