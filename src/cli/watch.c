/*
** `atesql watch workers` and `atesql compact`: the workers' change feed
** from the command line. watch prints one line per event, flushed at once
** because it is read through pipes, until SIGINT or SIGTERM, --timeout-ms
** without an event, or a failure; compact removes old events.
*/
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "show.h"

static const char watch_usage[] =
    "atesql watch workers [--selector S] [--since REV] [--json] "
    "[--timeout-ms N]";

static const char compact_usage[] =
    "atesql compact [--revision R] [--keep-revisions N] [--keep DURATION]";

enum {
  RETRY_SLEEP_MS = 500,  /* between reads while the database is unavailable */
  RETRY_LIMIT_MS = 30000 /* unavailable this long: give up */
};

/* A decimal integer of at least min, digits only, into *out; false when
** text is not one or overflows. */
static bool parse_int64(const char *text, int64_t min, int64_t *out) {
  if (text[0] < '0' || text[0] > '9') return false;
  char *end;
  errno = 0;
  long long n = strtoll(text, &end, 10);
  if (*end != '\0' || errno == ERANGE || n < min) return false;
  *out = n;
  return true;
}

/* ---- watch ---- */

typedef struct watch_args {
  const char *selector_text;
  int64_t since;      /* ATESQL_WATCH_NOW unless --since */
  int64_t timeout_ms; /* -1: no idle timeout */
  bool json;
} watch_args;

/* One option of watch into the watch_args at ctx (cli_take_option). */
static int take_watch_option(int c, const char *arg, void *ctx) {
  watch_args *args = ctx;
  switch (c) {
  case 's': args->selector_text = arg; break;
  case 'j': args->json = true; break;
  case 'r':
    if (!parse_int64(arg, 0, &args->since))
      return cli_fail(EXIT_USAGE,
                      "--since takes a revision (0 or more), not '%s'", arg);
    break;
  case 't':
    if (!parse_int64(arg, 0, &args->timeout_ms))
      return cli_fail(EXIT_USAGE,
                      "--timeout-ms takes milliseconds (0 or more), not '%s'",
                      arg);
    break;
  }
  return -1;
}

/* Parse the options and the resource; returns -1 to go on, else the exit
** code. */
static int parse_watch_args(int argc, char **argv, watch_args *args) {
  static const struct option options[] = {
      {"selector", required_argument, NULL, 's'},
      {"since", required_argument, NULL, 'r'},
      {"timeout-ms", required_argument, NULL, 't'},
      {"json", no_argument, NULL, 'j'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int rc = cli_parse_options(argc, argv, options, watch_usage,
                             take_watch_option, args);
  if (rc >= 0) return rc;
  if (optind == argc)
    return cli_fail(EXIT_USAGE, "what to watch? usage: %s", watch_usage);
  if (strcmp(argv[optind], "workers") != 0)
    return cli_fail(EXIT_USAGE,
                    "only workers have a change feed, not '%s'; usage: %s",
                    argv[optind], watch_usage);
  if (optind + 1 != argc)
    return cli_unexpected_argument(argv[optind + 1], watch_usage);
  return -1;
}

/* A field of a human line: "-" when empty, control bytes as '?', so that
** an event stays one line. */
static void put_field(const char *text) {
  if (text[0] == '\0') {
    putchar('-');
    return;
  }
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
}

/* "12 CREATED ns/cpu/w1 node=n1 ip=10.0.0.1 actor=s1/a1 version=1", then
** " labels=k=v,..." when it has labels (their syntax holds no space), and
** " change=UPDATED" when the store's change is not the type the selector
** sees. */
static void print_event_line(const atesql_worker_event *e) {
  const atesql_worker *w = &e->worker;
  printf("%" PRId64 " %s ", e->revision, show_event_type(e->type));
  put_field(w->worker_namespace);
  putchar('/');
  put_field(w->worker_pool);
  putchar('/');
  put_field(w->worker_pod);
  fputs(" node=", stdout);
  put_field(w->node_name);
  fputs(" ip=", stdout);
  put_field(w->ip);
  fputs(" actor=", stdout);
  if (w->actor_id[0]) {
    put_field(w->actor_atespace);
    putchar('/');
  }
  put_field(w->actor_id);
  printf(" version=%" PRId64, w->version);
  if (w->label_count) {
    fputs(" labels=", stdout);
    for (size_t i = 0; i < w->label_count; i++)
      printf("%s%s=%s", i ? "," : "", w->labels[i].key, w->labels[i].value);
  }
  if (e->change != e->type) printf(" change=%s", show_event_type(e->change));
  putchar('\n');
}

/* One JSON object per line around the workers' protojson documents, spliced
** in as `workers get --json` prints them; int64 as strings, as protojson
** writes them. */
static int print_event_json(const atesql_worker_event *e) {
  char *worker = NULL, *previous = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_worker_to_json(&e->worker, &worker, &err);
  if (st == ATESQL_OK && e->previous)
    st = atesql_worker_to_json(e->previous, &previous, &err);
  if (st == ATESQL_OK) {
    printf("{\"revision\":\"%" PRId64 "\",\"type\":\"%s\",\"change\":\"%s\","
           "\"committedAtMs\":\"%" PRId64 "\",\"worker\":%s",
           e->revision, show_event_type(e->type), show_event_type(e->change),
           e->committed_at_ms, worker);
    if (previous) printf(",\"previous\":%s", previous);
    puts("}");
  }
  atesql_free(worker);
  atesql_free(previous);
  if (st != ATESQL_OK)
    return cli_fail(cli_exit_code(st),
                    "cannot encode the event of revision "
                    "%" PRId64 " as JSON: %s",
                    e->revision, err.message);
  return EXIT_OK;
}

/* Print an event and flush it: whoever reads the pipe sees it now. */
static int print_event(const atesql_worker_event *e, bool json) {
  int rc = EXIT_OK;
  if (json)
    rc = print_event_json(e);
  else
    print_event_line(e);
  if (rc == EXIT_OK && (fflush(stdout) != 0 || ferror(stdout)))
    rc = cli_fail(EXIT_FAILURE_OTHER, "cannot write output");
  return rc;
}

/* SIGINT and SIGTERM set stop_requested and write a byte to the stop pipe,
** whose read end is in every wait, so a signal that comes between the
** check and the wait still ends the wait. */
static volatile sig_atomic_t stop_requested;
static int stop_pipe[2] = {-1, -1};

static void on_stop_signal(int sig) {
  (void)sig;
  int saved = errno;
  stop_requested = 1;
  ssize_t n = write(stop_pipe[1], "", 1);
  (void)n;
  errno = saved;
}

static bool catch_stop_signals(void) {
  if (pipe(stop_pipe) != 0) return false;
  for (int i = 0; i < 2; i++)
    if (fcntl(stop_pipe[i], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(stop_pipe[i], F_SETFD, FD_CLOEXEC) != 0)
      return false;
  struct sigaction sa = {0};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  return sigaction(SIGINT, &sa, NULL) == 0 &&
         sigaction(SIGTERM, &sa, NULL) == 0;
}

static void release_stop_signals(void) {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  for (int i = 0; i < 2; i++) {
    if (stop_pipe[i] >= 0) close(stop_pipe[i]);
    stop_pipe[i] = -1;
  }
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd (-1: none) is readable, a stop signal comes, or wait_ms
** pass (-1: no bound). */
static void wait_for(int fd, int64_t wait_ms) {
  struct pollfd fds[2] = {{stop_pipe[0], POLLIN, 0}, {fd, POLLIN, 0}};
  poll(fds, 2, wait_ms > INT_MAX ? INT_MAX : (int)wait_ms);
}

/* The report of a failed watch; COMPACTED says how to start again. */
static int watch_failed(atesql_status st, const char *message) {
  if (st == ATESQL_COMPACTED)
    return cli_fail(EXIT_COMPACTED,
                    "%s ('atesql workers list' prints the revision it "
                    "reflects as revision=N on stderr; then 'atesql watch "
                    "workers --since N')",
                    message);
  return cli_fail(cli_exit_code(st), "%s", message);
}

static int gave_up(const atesql_watch *w, int64_t unavailable_ms) {
  return cli_fail(EXIT_FAILURE_OTHER,
                  "the database was unavailable for %" PRId64
                  " ms; watch again with --since %" PRId64 ": %s",
                  unavailable_ms, atesql_watch_revision(w),
                  atesql_watch_errmsg(w));
}

/*
** Print events as they come until a stop signal (exit 0), args->timeout_ms
** without one (exit 0), or a failure. The watch is read without waiting,
** and waited on through its descriptor, so that the stop pipe can end a
** wait. UNAVAILABLE is tried again every RETRY_SLEEP_MS (the watch goes on
** from its revision by itself) for up to RETRY_LIMIT_MS; an idle timeout
** that passes meanwhile is that failure, not a quiet end.
*/
static int stream_events(atesql_watch *w, const watch_args *args) {
  int64_t idle_since = now_ms();
  int64_t unavailable_since = -1;
  while (!stop_requested) {
    atesql_worker_event *e = NULL;
    atesql_status st = atesql_watch_next(w, 0, &e);
    if (st == ATESQL_OK) {
      int rc = print_event(e, args->json);
      atesql_worker_event_free(e);
      if (rc != EXIT_OK) return rc;
      idle_since = now_ms();
      unavailable_since = -1;
      continue;
    }
    int64_t now = now_ms(), wait = -1;
    if (st == ATESQL_UNAVAILABLE) {
      if (unavailable_since < 0) unavailable_since = now;
      if (now - unavailable_since >= RETRY_LIMIT_MS)
        return gave_up(w, now - unavailable_since);
      wait = RETRY_SLEEP_MS;
    } else if (st == ATESQL_DEADLINE_EXCEEDED) {
      unavailable_since = -1;
    } else {
      return watch_failed(st, atesql_watch_errmsg(w));
    }
    if (args->timeout_ms >= 0) {
      int64_t left = idle_since + args->timeout_ms - now;
      if (left <= 0)
        return unavailable_since < 0 ? EXIT_OK
                                     : gave_up(w, now - unavailable_since);
      if (wait < 0 || left < wait) wait = left;
    }
    wait_for(st == ATESQL_UNAVAILABLE ? -1 : atesql_watch_fd(w), wait);
  }
  return EXIT_OK;
}

int cmd_watch(const char *db, int argc, char **argv) {
  watch_args args = {NULL, ATESQL_WATCH_NOW, -1, false};
  int rc = parse_watch_args(argc, argv, &args);
  if (rc >= 0) return rc;

  /* Checked before the database is opened, as list does. */
  atesql_selector *sel = NULL;
  atesql_error err = {0};
  atesql_status st = atesql_selector_parse(
      ATESQL_RESOURCE_WORKERS, args.selector_text ? args.selector_text : "",
      ATESQL_NUL_TERMINATED, &sel, &err);
  if (st != ATESQL_OK) return cli_fail(cli_exit_code(st), "%s", err.message);

  if (catch_stop_signals()) {
    atesql_watch_opts opts = {0};
    opts.selector = sel;
    opts.since_revision = args.since;
    atesql_watch *w = NULL;
    st = atesql_watch_open(cli_db_url(db), &opts, &w, &err);
    rc = st == ATESQL_OK ? stream_events(w, &args)
                         : watch_failed(st, err.message);
    atesql_watch_close(w);
  } else {
    rc = cli_fail(EXIT_FAILURE_OTHER, "cannot catch signals: %s",
                  strerror(errno));
  }
  release_stop_signals();
  atesql_selector_free(sel);
  return cli_finish_output(rc);
}

/* ---- compact ---- */

/* One option of compact into the atesql_compact_opts at ctx
** (cli_take_option). */
static int take_compact_option(int c, const char *arg, void *ctx) {
  atesql_compact_opts *o = ctx;
  switch (c) {
  case 'r':
    if (!parse_int64(arg, 1, &o->revision))
      return cli_fail(EXIT_USAGE,
                      "--revision takes a positive number, not '%s'", arg);
    break;
  case 'n':
    if (!parse_int64(arg, 1, &o->keep_revisions))
      return cli_fail(EXIT_USAGE,
                      "--keep-revisions takes a positive number, not '%s'",
                      arg);
    break;
  case 'k':
    if (!cli_parse_duration(arg, &o->keep_ms))
      return cli_fail(EXIT_USAGE,
                      "--keep takes a duration such as 90s, 15m, 24h or "
                      "milliseconds, not '%s'",
                      arg);
    break;
  }
  return -1;
}

/* Parse the options into *o; returns -1 to go on, else the exit code. */
static int parse_compact_args(int argc, char **argv, atesql_compact_opts *o) {
  static const struct option options[] = {
      {"revision", required_argument, NULL, 'r'},
      {"keep-revisions", required_argument, NULL, 'n'},
      {"keep", required_argument, NULL, 'k'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  int rc = cli_parse_options(argc, argv, options, compact_usage,
                             take_compact_option, o);
  if (rc >= 0) return rc;
  if (optind != argc)
    return cli_unexpected_argument(argv[optind], compact_usage);
  if (o->revision == 0 && o->keep_revisions == 0 && o->keep_ms == 0)
    return cli_fail(EXIT_USAGE,
                    "say what to remove with --revision, --keep-revisions "
                    "or --keep; usage: %s",
                    compact_usage);
  return -1;
}

enum { COMPACT_STEP = 50000 }; /* revisions per call on a terminal */

/* Compact as o says in calls of COMPACT_STEP revisions each (each its own
** transaction), drawing progress between them. The bound of the target
** is known up front but for keep_ms, which the database clock decides:
** a call that stops short of its step's revision ends the work. */
static atesql_status compact_stepwise(atesql_store *store,
                                      const atesql_compact_opts *o,
                                      progress_line *progress,
                                      int64_t *compacted) {
  int64_t current = 0, start = 0;
  atesql_status st = atesql_store_revision(store, &current, &start);
  if (st != ATESQL_OK) return st;
  int64_t bound = o->revision ? o->revision : current;
  if (o->keep_revisions && current - o->keep_revisions < bound)
    bound = current - o->keep_revisions;
  if (bound - start <= COMPACT_STEP || o->revision > current)
    return atesql_compact(store, o, compacted); /* one call, its errors */
  int64_t at = start;
  while (at < bound) {
    atesql_compact_opts step = *o;
    step.revision = at + COMPACT_STEP < bound ? at + COMPACT_STEP : bound;
    int64_t got = at;
    st = atesql_compact(store, &step, &got);
    if (st != ATESQL_OK) return st;
    progress_update(progress, got - start,
                    (double)(got - start) / (double)(bound - start));
    if (got < step.revision) {
      at = got;
      break;
    }
    at = got;
  }
  *compacted = at;
  return ATESQL_OK;
}

int cmd_compact(const char *db, int argc, char **argv) {
  atesql_compact_opts o = {0};
  int rc = parse_compact_args(argc, argv, &o);
  if (rc >= 0) return rc;
  atesql_store *store = NULL;
  rc = cli_open_store(cli_db_url(db), &store);
  if (rc == EXIT_OK) {
    int64_t compacted = 0;
    progress_line progress;
    progress_start(&progress, "compacting", "revisions");
    atesql_status st = progress.shown
                           ? compact_stepwise(store, &o, &progress, &compacted)
                           : atesql_compact(store, &o, &compacted);
    progress_end(&progress);
    if (st == ATESQL_OK)
      printf("compacted up to revision %" PRId64 "\n", compacted);
    else
      rc = cli_fail(cli_exit_code(st), "%s", atesql_errmsg(store));
  }
  cli_close_store(store);
  return cli_finish_output(rc);
}
