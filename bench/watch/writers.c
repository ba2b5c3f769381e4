/*
** The watch subcommand's writers: threads with a store handle each that
** update their own workers of ns/upd (the scheduler's writes: assign a
** free worker to a fresh actor, free a held one) or claim and release
** workers of ns/cpu, on a schedule (delivery cells) or back to back
** (writes cells), and the cell that starts them together.
*/
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "pools.h"
#include "samples.h"
#include "watch.h"

/* Delivery writers: how far behind its schedule (seconds) a writer may
** fall and still catch up back to back. */
#define BACKLOG_S 0.1

const char *const op_names[OP_COUNT] = {"update", "claim_release"};

static void next_actor(writer *wr) {
  wr->seq++;
  snprintf(wr->actor_id, sizeof wr->actor_id, "w%d-%llu", wr->id,
           (unsigned long long)wr->seq);
}

/*
** Update the next of wr's workers at the version it last wrote: assign it
** to a fresh actor when free, free it when held (the scheduler's writes).
** Returns the worker's index; its new version is in cell->version.
*/
static int update_once(writer *wr) {
  cell *c = wr->cell;
  int i = wr->cursor;
  wr->cursor += c->writers;
  if (wr->cursor >= UPDATE_WORKERS) wr->cursor = wr->id;
  atesql_worker w = update_records[i];
  if (!c->held[i]) {
    next_actor(wr);
    w.actor_namespace = NS;
    w.actor_template = ACTOR_TEMPLATE;
    w.actor_id = wr->actor_id;
    w.actor_atespace = ACTOR_ATESPACE;
  }
  int64_t version = 0;
  check(wr->store, atesql_worker_update(wr->store, &w, c->version[i], &version),
        "atesql_worker_update");
  c->version[i] = version;
  c->held[i] = !c->held[i];
  wr->writes++;
  return i;
}

void claim_release(writer *wr, double *claim_ms, double *release_ms) {
  next_actor(wr);
  atesql_pool_ref pool = {NS, CLAIM_POOL};
  atesql_claim_request req = {.pools = &pool,
                              .pool_count = 1,
                              .actor_atespace = ACTOR_ATESPACE,
                              .actor_id = wr->actor_id,
                              .actor_namespace = NS,
                              .actor_template = ACTOR_TEMPLATE};
  atesql_worker *w = NULL;
  double t0 = now_s();
  check(wr->store, atesql_worker_claim(wr->store, &req, &w),
        "atesql_worker_claim");
  double t1 = now_s();
  wr->writes++;
  bool released = false;
  check(wr->store,
        atesql_worker_release(wr->store, w->worker_namespace, w->worker_pool,
                              w->worker_pod, ACTOR_ATESPACE, wr->actor_id,
                              &released),
        "atesql_worker_release");
  double t2 = now_s();
  if (!released)
    die("worker %s was no longer held by actor %s at its release",
        w->worker_pod, wr->actor_id);
  wr->writes++;
  atesql_worker_free(w);
  if (claim_ms) *claim_ms = (t1 - t0) * 1e3;
  if (release_ms) *release_ms = (t2 - t1) * 1e3;
}

static void writer_open(writer *wr) {
  atesql_error err = {0};
  if (atesql_store_open(wr->cell->url, &wr->store, &err) != ATESQL_OK)
    die("writer %d: open %s: %s", wr->id, wr->cell->url, err.message);
}

/*
** A writer that falls behind its schedule catches up back to back, unless
** it is more than BACKLOG_S behind: then it drops the missed updates and
** starts again from now (the cell's rate column shows the updates made).
*/
void *delivery_writer_main(void *arg) {
  writer *wr = arg;
  cell *c = wr->cell;
  writer_open(wr);
  barrier_wait(&c->barrier); /* opened */
  barrier_wait(&c->barrier); /* start and deadline set */
  double next = c->start + c->period * wr->id / c->writers;
  while (next < c->deadline) {
    sleep_until(next);
    double t0 = now_s();
    int i = update_once(wr);
    commit_rec r = {.worker = i, .version = c->version[i], .t = now_s()};
    r.ms = (r.t - t0) * 1e3;
    wr->writing_s += r.t - t0;
    append((void **)&wr->commits, &wr->ncommits, &wr->commit_cap, sizeof r, &r);
    next += c->period;
    if (next < r.t - BACKLOG_S) next = r.t;
  }
  atesql_store_close(wr->store);
  return NULL;
}

void *write_writer_main(void *arg) {
  writer *wr = arg;
  cell *c = wr->cell;
  writer_open(wr);
  if (c->op == OP_UPDATE)
    update_once(wr);
  else
    claim_release(wr, NULL, NULL);
  barrier_wait(&c->barrier); /* warmed up */
  barrier_wait(&c->barrier); /* start and deadline set */
  do {
    double t0 = now_s();
    if (c->op == OP_UPDATE)
      update_once(wr);
    else
      claim_release(wr, NULL, NULL);
    double t1 = now_s();
    double ms = (t1 - t0) * 1e3;
    append((void **)&wr->latency_ms, &wr->nops, &wr->op_cap, sizeof ms, &ms);
    wr->last_end = t1;
  } while (wr->last_end < c->deadline);
  atesql_store_close(wr->store);
  return NULL;
}

void run_writers(cell *c, void *(*body)(void *), double lead, double seconds) {
  int rc = pthread_barrier_init(&c->barrier, NULL, (unsigned)c->writers + 1);
  if (rc != 0) die("pthread_barrier_init: %s", strerror(rc));
  pthread_t threads[WRITERS_MAX];
  for (int i = 0; i < c->writers; i++) {
    c->w[i] = (writer){.cell = c, .id = i, .cursor = i};
    rc = pthread_create(&threads[i], NULL, body, &c->w[i]);
    if (rc != 0) die("pthread_create: %s", strerror(rc));
  }
  barrier_wait(&c->barrier);
  c->start = now_s() + lead;
  c->deadline = c->start + seconds;
  barrier_wait(&c->barrier);
  for (int i = 0; i < c->writers; i++)
    pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&c->barrier);
}

void cell_reset(cell *c, const char *url, int writers) {
  memset(c, 0, sizeof *c);
  c->url = url;
  c->writers = writers;
  for (int i = 0; i < UPDATE_WORKERS; i++)
    c->version[i] = 1;
}
