/*
** Parsing a subcommand's command line from its table of options, and the
** usage that the same table prints. options.h describes the table.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* The common options, pointing into *c. */
static void common_specs(common_options *c, const command *cmd,
                         option_spec out[4]) {
  static char backends_help[128];
  snprintf(backends_help, sizeof backends_help,
           "the backends to run, of %s (default: every one whose server is "
           "given)",
           cmd->backends);
  out[0] = (option_spec){
      .name = "--json",
      .kind = OPT_FLAG,
      .value = &c->json,
      .help = "one JSON object per row on stdout, notes on stderr"};
  out[1] = (option_spec){.name = "--dir",
                         .kind = OPT_TEXT,
                         .value = &c->dir,
                         .arg = "DIR",
                         .help = "where the SQLite files' temporary directory "
                                 "goes (default: $TMPDIR or /tmp)"};
  out[2] = (option_spec){
      .name = "--postgres",
      .kind = OPT_TEXT,
      .value = &c->postgres,
      .arg = "CONNINFO",
      .help = "the PostgreSQL server, a libpq key=value string (\"\": from "
              "the PG* environment); without it no PostgreSQL"};
  out[3] = (option_spec){.name = "--backends",
                         .kind = OPT_TEXT,
                         .value = &c->backends,
                         .arg = "LIST",
                         .help = backends_help};
}

static void print_usage(FILE *out, const command *cmd, const option_spec *all,
                        size_t n) {
  fprintf(out, "usage: atesql_bench %s [OPTION...]\n%s\n", cmd->name,
          cmd->synopsis);
  for (size_t i = 0; i < n; i++) {
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", all[i].name, all[i].arg ? " " : "",
             all[i].arg ? all[i].arg : "");
    fprintf(out, "  %-30s %s\n", head, all[i].help);
  }
}

/* The usage, after the mistake it explains; exits with status 2. */
static void usage_error(const command *cmd, const option_spec *all, size_t n,
                        const char *mistake) {
  fprintf(stderr, "atesql_bench %s: %s\n", cmd->name, mistake);
  print_usage(stderr, cmd, all, n);
  exit(2);
}

/* text as a number, all of it; false when it is not one. */
static bool read_number(const char *text, double *out) {
  char *end;
  errno = 0;
  *out = strtod(text, &end);
  return end != text && *end == '\0' && errno == 0;
}

static bool read_integer(const char *text, long long *out) {
  char *end;
  errno = 0;
  *out = strtoll(text, &end, 10);
  return end != text && *end == '\0' && errno == 0;
}

/* Set flags[i] for each comma-separated name of names[0..n) in list,
** clearing the others; false on a name not among them. */
static bool read_names(const char *list, const char *const *names, size_t n,
                       bool *flags) {
  memset(flags, 0, n * sizeof *flags);
  char copy[1024], *save = NULL;
  snprintf(copy, sizeof copy, "%s", list);
  for (char *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    size_t i = 0;
    while (i < n && strcmp(t, names[i]) != 0)
      i++;
    if (i == n) return false;
    flags[i] = true;
  }
  return true;
}

static bool read_counts(const char *list, double min, double max, counts *c) {
  char copy[1024], *save = NULL;
  snprintf(copy, sizeof copy, "%s", list);
  c->count = 0;
  for (char *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save)) {
    long long v;
    if (!read_integer(t, &v) || (double)v < min || (double)v > max ||
        c->count == COUNTS_MAX)
      return false;
    c->n[c->count++] = (size_t)v;
  }
  return c->count > 0;
}

/* Store the argument of s; false when it is not what s takes. */
static bool read_value(const option_spec *s, const char *arg) {
  double real;
  long long integer;
  switch (s->kind) {
  case OPT_TEXT: *(const char **)s->value = arg; return true;
  case OPT_INT:
    if (!read_integer(arg, &integer) || (double)integer < s->min ||
        (double)integer > s->max)
      return false;
    *(long *)s->value = (long)integer;
    return true;
  case OPT_REAL:
    if (!read_number(arg, &real) || !(real > s->min && real <= s->max))
      return false;
    *(double *)s->value = real;
    return true;
  case OPT_NAMES: return read_names(arg, s->names, s->name_count, s->value);
  case OPT_COUNTS: return read_counts(arg, s->min, s->max, s->value);
  default: return false;
  }
}

/* What an option takes, for the message about a wrong argument. */
static void describe_argument(const option_spec *s, char *buf, size_t bufsz) {
  switch (s->kind) {
  case OPT_INT:
    snprintf(buf, bufsz, "an integer %g..%g", s->min, s->max);
    break;
  case OPT_REAL:
    snprintf(buf, bufsz, "a number above %g, at most %g", s->min, s->max);
    break;
  case OPT_COUNTS:
    snprintf(buf, bufsz, "up to %d comma-separated integers %g..%g", COUNTS_MAX,
             s->min, s->max);
    break;
  case OPT_NAMES: {
    size_t at = (size_t)snprintf(buf, bufsz, "comma-separated names of");
    for (size_t i = 0; i < s->name_count && at < bufsz; i++)
      at += (size_t)snprintf(buf + at, bufsz - at, " %s", s->names[i]);
    break;
  }
  default: snprintf(buf, bufsz, "an argument"); break;
  }
}

void parse_command_line(int argc, char **argv, const command *cmd,
                        common_options *common) {
  enum { COMMON = 4, MAX_OPTIONS = 48 };
  option_spec all[MAX_OPTIONS];
  size_t n = COMMON + cmd->option_count;
  if (n > MAX_OPTIONS) {
    fprintf(stderr, "atesql_bench %s: too many options\n", cmd->name);
    exit(2);
  }
  const char *tmp = getenv("TMPDIR");
  *common = (common_options){.dir = tmp && *tmp ? tmp : "/tmp"};
  common_specs(common, cmd, all);
  memcpy(all + COMMON, cmd->options, cmd->option_count * sizeof *all);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      print_usage(stdout, cmd, all, n);
      exit(0);
    }
    size_t k = 0;
    while (k < n && strcmp(argv[i], all[k].name) != 0)
      k++;
    char mistake[1024];
    if (k == n) {
      snprintf(mistake, sizeof mistake, "unknown option '%s'", argv[i]);
      usage_error(cmd, all, n, mistake);
    }
    if (all[k].kind == OPT_FLAG) {
      *(bool *)all[k].value = true;
      continue;
    }
    if (i + 1 == argc) {
      snprintf(mistake, sizeof mistake, "%s takes an argument", all[k].name);
      usage_error(cmd, all, n, mistake);
    }
    if (!read_value(&all[k], argv[++i])) {
      char takes[512];
      describe_argument(&all[k], takes, sizeof takes);
      snprintf(mistake, sizeof mistake, "%s takes %s, not '%s'", all[k].name,
               takes, argv[i]);
      usage_error(cmd, all, n, mistake);
    }
  }
}
