/*
** atesql_bench watch: the workers' change feed under load, on SQLite and
** on PostgreSQL. Four parts:
**  - delivery (delivery.c): how long an event takes from its writer's
**    commit to a watcher blocked in atesql_watch_next, in the writers'
**    process or another one, and whether every committed update arrives
**    exactly once and in revision order;
**  - writes (writes.c): what the feed costs the writers, with the feed's
**    triggers as migrated against a copy without them;
**  - stall and snapshot (stall.c), on PostgreSQL: what another
**    connection's open transaction costs the writers, the claims and the
**    delivery, when it wrote an unrelated worker or holds a snapshot.
** Every cell starts from a fresh copy of one database (database.c); the
** writers are threads of their own (writers.c). bench/run watch starts a
** PostgreSQL server and runs this; docs/BENCHMARKS.md ("Watch") explains
** the output.
*/
#include <stdio.h>

#include "common.h"
#include "machine.h"
#include "samples.h"
#include "watch.h"

static const char *const part_names[P_COUNT] = {"delivery", "writes", "stall",
                                                "snapshot"};

static void all_true(bool *flags, size_t n) {
  for (size_t i = 0; i < n; i++)
    flags[i] = true;
}

/* The command line into *o; dies (with the usage) on a mistake. */
static void parse_options(int argc, char **argv, options *o) {
  *o = (options){.delivery_writers = {{1, 4}, 2},
                 .flat_writers = {{8}, 1},
                 .write_writers = {{1, 4, 8}, 3},
                 .rate = 500,
                 .delivery_seconds = 5,
                 .write_seconds = 4,
                 .rounds = 8,
                 .stall_writers = 4,
                 .stall_seconds = 4,
                 .snapshot_seconds = 30};
  all_true(o->parts, P_COUNT);
  all_true(o->modes, M_COUNT);
  all_true(o->ops, OP_COUNT);
  o->feeds[F_FEED] = o->feeds[F_NONE] = true;
  const option_spec specs[] = {
      {.name = "--parts",
       .kind = OPT_NAMES,
       .value = o->parts,
       .arg = "LIST",
       .help = "delivery, writes, stall, snapshot (default all; stall "
               "and snapshot run on PostgreSQL only)",
       .names = part_names,
       .name_count = P_COUNT},
      {.name = "--rate",
       .kind = OPT_REAL,
       .value = &o->rate,
       .arg = "N",
       .help = "delivery, stall, snapshot: updates per second of all "
               "writers together (default 500)",
       .min = 0,
       .max = 100000},
      {.name = "--delivery-writers",
       .kind = OPT_COUNTS,
       .value = &o->delivery_writers,
       .arg = "N,N,...",
       .help = "delivery: writer threads per cell (default 1,4)",
       .min = 1,
       .max = WRITERS_MAX},
      {.name = "--flat-writers",
       .kind = OPT_COUNTS,
       .value = &o->flat_writers,
       .arg = "N,N,...",
       .help = "delivery: writer threads per cell whose writers update as "
               "fast as they can (default 8; 0: no such cell)",
       .min = 0,
       .max = WRITERS_MAX},
      {.name = "--watchers",
       .kind = OPT_NAMES,
       .value = o->modes,
       .arg = "LIST",
       .help = "delivery: where the watcher runs (default "
               "in_process,other_process)",
       .names = mode_names,
       .name_count = M_COUNT},
      {.name = "--delivery-seconds",
       .kind = OPT_REAL,
       .value = &o->delivery_seconds,
       .arg = "S",
       .help = "delivery: the time of each cell (default 5)",
       .min = 0,
       .max = 3600},
      {.name = "--poll-ms",
       .kind = OPT_INT,
       .value = &o->poll_ms,
       .arg = "N",
       .help = "delivery: the SQLite watch's poll interval (default 0: "
               "ATESQL_WATCH_POLL_MS)",
       .min = 0,
       .max = 60000},
      {.name = "--stall-writers",
       .kind = OPT_INT,
       .value = &o->stall_writers,
       .arg = "N",
       .help = "stall, snapshot: writer threads (default 4)",
       .min = 1,
       .max = WRITERS_MAX},
      {.name = "--stall-seconds",
       .kind = OPT_REAL,
       .value = &o->stall_seconds,
       .arg = "S",
       .help = "stall: the time of each cell, during which the transaction "
               "stays open (default 4)",
       .min = 0,
       .max = 3600},
      {.name = "--snapshot-seconds",
       .kind = OPT_REAL,
       .value = &o->snapshot_seconds,
       .arg = "S",
       .help = "snapshot: the time of each cell, during which the snapshot "
               "is held (default 30)",
       .min = 0,
       .max = 3600},
      {.name = "--write-writers",
       .kind = OPT_COUNTS,
       .value = &o->write_writers,
       .arg = "N,N,...",
       .help = "writes: writer threads per cell (default 1,4,8)",
       .min = 1,
       .max = WRITERS_MAX},
      {.name = "--ops",
       .kind = OPT_NAMES,
       .value = o->ops,
       .arg = "LIST",
       .help = "writes: what the writers do (default update,claim_release)",
       .names = op_names,
       .name_count = OP_COUNT},
      {.name = "--feeds",
       .kind = OPT_NAMES,
       .value = o->feeds,
       .arg = "LIST",
       .help = "writes: the feed variants (default feed,none)",
       .names = feed_names,
       .name_count = F_COUNT},
      {.name = "--write-seconds",
       .kind = OPT_REAL,
       .value = &o->write_seconds,
       .arg = "S",
       .help = "writes: the time of each variant (default 4)",
       .min = 0,
       .max = 3600},
      {.name = "--rounds",
       .kind = OPT_INT,
       .value = &o->rounds,
       .arg = "N",
       .help = "writes: the turns the variants take (default 8)",
       .min = 1,
       .max = ROUNDS_MAX},
  };
  command cmd = {"watch",
                 "The workers' change feed: delivery latency from commit to "
                 "watcher, what the\nfeed costs the writers, on SQLite and "
                 "PostgreSQL; and on PostgreSQL what\nanother connection's "
                 "open transaction costs the writers, claims and delivery.",
                 "sqlite,postgres", specs, sizeof specs / sizeof specs[0]};
  parse_command_line(argc, argv, &cmd, &o->common);
  choose_backends(&cmd, &o->common, false, o->backends);
  o->report = (report){o->common.json};
}

/* The first notes of the report: versions, machine, load and disk. */
static void report_environment(const options *o) {
  char pg[256];
  banner b = {.sqlite = "synchronous=full"};
  if (o->backends[B_POSTGRES]) {
    postgres_describe(o->common.postgres, pg, sizeof pg);
    b.postgres = pg;
  }
  report_banner(&o->report, &b);
  report_fsync(&o->report, o->common.dir, true);
}

static void progress(const char *what, backend_id b, const char *detail,
                     int writers) {
  char load[64];
  load_average(load, sizeof load);
  fprintf(stderr, "%s %s %s %d writers (load %s)\n", what, backend_names[b],
          detail, writers, load);
}

/* Every delivery cell, at the rate asked and flat out, and the verdict
** on the feed's exactness. */
static void run_delivery_part(backend *backends, const options *o) {
  delivery_header(o);
  size_t cells = 0, faulty = 0;
  const counts *writers[] = {&o->delivery_writers, &o->flat_writers};
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++) {
    if (!o->backends[b]) continue;
    for (mode_id m = 0; m < M_COUNT; m++) {
      if (!o->modes[m]) continue;
      for (size_t flat = 0; flat < 2; flat++)
        for (size_t k = 0; k < writers[flat]->count; k++) {
          int n = (int)writers[flat]->n[k];
          if (n == 0) continue;
          progress(flat ? "delivery flat out" : "delivery", b, mode_names[m],
                   n);
          cells++;
          faulty += !run_delivery(&backends[b], m, n, flat ? 0 : o->rate, o);
        }
    }
  }
  report_note(&o->report,
              "every committed update delivered exactly once, in revision "
              "order: %s (%zu of %zu cells)",
              faulty ? "NO" : "yes", cells - faulty, cells);
}

/* Every writes group, each with the feed variants chosen, and then the
** feed's cost. */
static void run_writes_part(backend *backends, const options *o) {
  writes_header(o);
  static write_result results[RESULTS_MAX];
  size_t n = 0;
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++) {
    if (!o->backends[b]) continue;
    for (op_id op = 0; op < OP_COUNT; op++) {
      if (!o->ops[op]) continue;
      for (size_t k = 0; k < o->write_writers.count; k++) {
        feed_id feeds[F_COUNT];
        size_t nfeeds = 0;
        for (feed_id f = 0; f < F_COUNT; f++)
          if (o->feeds[f]) feeds[nfeeds++] = f;
        if (nfeeds == 0 || n + nfeeds > RESULTS_MAX) continue;
        int w = (int)o->write_writers.n[k];
        progress("writes", b, op_names[op], w);
        run_writes(&backends[b], op, feeds, nfeeds, w, o, &results[n]);
        n += nfeeds;
      }
    }
  }
  report_feed_cost(&o->report, results, n);
}

int watch_main(int argc, char **argv) {
  static options o;
  parse_options(argc, argv, &o);
  double t0 = now_s();
  static backend backends[B_COUNT];
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++) {
    backends[b].id = b;
    if (o.backends[b]) watch_backend_setup(&backends[b], &o);
  }
  report_environment(&o);
  if (o.parts[P_DELIVERY]) run_delivery_part(backends, &o);
  if (o.parts[P_WRITES]) run_writes_part(backends, &o);
  for (part_id p = P_STALL; p <= P_SNAPSHOT; p++) {
    if (!o.parts[p]) continue;
    if (!o.backends[B_POSTGRES])
      report_note(&o.report, "%s: PostgreSQL only, not run", part_names[p]);
    else if (p == P_STALL)
      run_stall_part(&backends[B_POSTGRES], &o);
    else
      run_snapshot_part(&backends[B_POSTGRES], &o);
  }
  report_end(&o.report, t0);
  report_fsync(&o.report, o.common.dir, false);
  for (backend_id b = B_SQLITE; b <= B_POSTGRES; b++)
    if (o.backends[b]) watch_backend_teardown(&backends[b]);
  return 0;
}
