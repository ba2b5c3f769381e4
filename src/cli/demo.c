/* placeholder */
#include "cli.h"
int cmd_demo(const char *db, int argc, char **argv) {
  (void)db;
  (void)argc;
  (void)argv;
  return 0;
}
