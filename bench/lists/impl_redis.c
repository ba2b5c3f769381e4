/*
** The "redis" implementation: the access pattern of the upstream Redis
** store, against a real redis-server through hiredis. Records are protojson
** documents under worker:NS/POOL/POD and actor:ATESPACE/ACTOR_ID. A list
** SCANs the keys, GETs each value (pipelined per SCAN batch, the kindest
** form of the pattern), decodes every document with atesql_*_from_json,
** filters in C, and sorts the matches by key to cut the first page. A get
** is one GET. Also the loader that writes the fleet there.
*/
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"

/* Run one command; a connection or server error is fatal. */
static redisReply *redis_command(redisContext *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  redisReply *reply = redisvCommand(c, fmt, ap);
  va_end(ap);
  if (reply == NULL) die("redis: %s", c->errstr);
  if (reply->type == REDIS_REPLY_ERROR) die("redis: %s", reply->str);
  return reply;
}

static redisReply *next_reply(redisContext *c) {
  void *reply;
  if (redisGetReply(c, &reply) != REDIS_OK) die("redis: %s", c->errstr);
  return reply;
}

typedef void (*doc_visitor)(void *arg, const char *doc, size_t len);

/*
** Call visit with the value of every key matching pattern: SCAN with
** COUNT SCAN_PAGE, then the batch's GETs pipelined. A key deleted between
** SCAN and GET has no value and is skipped.
*/
static void scan_values(redisContext *c, const char *pattern, doc_visitor visit,
                        void *arg) {
  char cursor[32] = "0";
  do {
    redisReply *batch = redis_command(c, "SCAN %s MATCH %s COUNT %d", cursor,
                                      pattern, SCAN_PAGE);
    redisReply *keys = batch->element[1];
    for (size_t i = 0; i < keys->elements; i++)
      redisAppendCommand(c, "GET %b", keys->element[i]->str,
                         keys->element[i]->len);
    for (size_t i = 0; i < keys->elements; i++) {
      redisReply *value = next_reply(c);
      if (value->type == REDIS_REPLY_STRING) visit(arg, value->str, value->len);
      freeReplyObject(value);
    }
    snprintf(cursor, sizeof cursor, "%s", batch->element[0]->str);
    freeReplyObject(batch);
  } while (strcmp(cursor, "0") != 0);
}

/* The matches of one scan: kept (decoded) for a list, counted for a
** count. */
typedef struct matches {
  const op_args *a;
  bool keep;
  void **items;
  size_t count, cap;
} matches;

static void keep_match(matches *m, void *record) {
  if (m->count == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 64;
    m->items = realloc(m->items, m->cap * sizeof *m->items);
    if (m->items == NULL) die("out of memory");
  }
  m->items[m->count++] = record;
}

static void visit_worker(void *arg, const char *doc, size_t len) {
  matches *m = arg;
  atesql_worker *w;
  atesql_error err;
  if (atesql_worker_from_json(doc, len, &w, &err) != ATESQL_OK)
    die("redis worker document: %s", err.message);
  if (!worker_matches(m->a, w)) {
    atesql_worker_free(w);
    return;
  }
  if (m->keep)
    keep_match(m, w);
  else {
    m->count++;
    atesql_worker_free(w);
  }
}

static void visit_actor(void *arg, const char *doc, size_t len) {
  matches *m = arg;
  atesql_actor *act;
  atesql_error err;
  if (atesql_actor_from_json(doc, len, &act, &err) != ATESQL_OK)
    die("redis actor document: %s", err.message);
  if (actor_matches(m->a, act))
    keep_match(m, act);
  else
    atesql_actor_free(act);
}

static int compare_worker_keys(const void *x, const void *y) {
  const atesql_worker *a = *(atesql_worker *const *)x;
  const atesql_worker *b = *(atesql_worker *const *)y;
  int c = strcmp(a->worker_namespace, b->worker_namespace);
  if (c == 0) c = strcmp(a->worker_pool, b->worker_pool);
  return c ? c : strcmp(a->worker_pod, b->worker_pod);
}

static int compare_actor_keys(const void *x, const void *y) {
  const atesql_actor *a = *(atesql_actor *const *)x;
  const atesql_actor *b = *(atesql_actor *const *)y;
  int c = strcmp(a->atespace, b->atespace);
  return c ? c : strcmp(a->actor_id, b->actor_id);
}

static size_t redis_workers(void *ctx, const op_args *a, digest *d) {
  matches m = {.a = a, .keep = a->w != WL_COUNT_POOL_FREE};
  scan_values(ctx, "worker:*", visit_worker, &m);
  if (!m.keep) {
    if (d) digest_count(d, m.count);
    return m.count;
  }
  qsort(m.items, m.count, sizeof *m.items, compare_worker_keys);
  size_t rows = m.count < a->page ? m.count : a->page;
  for (size_t i = 0; d && i < rows; i++)
    digest_worker_key(d, m.items[i]);
  for (size_t i = 0; i < m.count; i++)
    atesql_worker_free(m.items[i]);
  free(m.items);
  return rows;
}

/* Actors of one atespace SCAN only its keys; actors of every atespace
** SCAN them all. */
static size_t redis_actors(void *ctx, const op_args *a, digest *d) {
  matches m = {.a = a, .keep = true};
  char pattern[64] = "actor:*";
  if (a->w == WL_LIST_ACTORS_STATUS)
    snprintf(pattern, sizeof pattern, "actor:%s/*", a->atespace);
  scan_values(ctx, pattern, visit_actor, &m);
  qsort(m.items, m.count, sizeof *m.items, compare_actor_keys);
  size_t rows = m.count < a->page ? m.count : a->page;
  for (size_t i = 0; d && i < rows; i++)
    digest_actor_key(d, m.items[i]);
  for (size_t i = 0; i < m.count; i++)
    atesql_actor_free(m.items[i]);
  free(m.items);
  return rows;
}

static size_t redis_get_worker(void *ctx, const op_args *a, digest *d) {
  const atesql_worker *k = &a->worker;
  redisReply *reply =
      redis_command(ctx, "GET worker:%s/%s/%s", k->worker_namespace,
                    k->worker_pool, k->worker_pod);
  if (reply->type != REDIS_REPLY_STRING) die("redis get worker: not found");
  atesql_worker *w;
  atesql_error err;
  if (atesql_worker_from_json(reply->str, reply->len, &w, &err) != ATESQL_OK)
    die("redis worker document: %s", err.message);
  if (d) digest_worker_key(d, w);
  atesql_worker_free(w);
  freeReplyObject(reply);
  return 1;
}

static redisContext *connect_redis(const char *host, int port) {
  redisContext *c = redisConnect(host, port);
  if (c == NULL || c->err)
    die("redis connect %s:%d: %s", host, port, c ? c->errstr : "no memory");
  return c;
}

static void close_redis(impl *im) {
  redisFree(im->ctx);
  free(im);
}

impl *open_redis(const char *host, int port) {
  impl *im = calloc(1, sizeof *im);
  if (im == NULL) die("out of memory");
  *im = (impl){
      .name = "redis",
      .close = close_redis,
      .ctx = connect_redis(host, port),
      .ops =
          {
              [WL_LIST_POOL_FREE] = redis_workers,
              [WL_LIST_NODES_FREE] = redis_workers,
              [WL_LIST_POOL_NODES_FREE] = redis_workers,
              [WL_LIST_POOLS_FREE] = redis_workers,
              [WL_LIST_HOLDER] = redis_workers,
              [WL_LIST_NODE] = redis_workers,
              [WL_LIST_ACTORS_STATUS] = redis_actors,
              [WL_LIST_STATUS] = redis_actors,
              [WL_LIST_POOL_LABEL_FREE] = redis_workers,
              [WL_COUNT_POOL_FREE] = redis_workers,
              [WL_GET_WORKER] = redis_get_worker,
          },
  };
  return im;
}

void redis_version(const char *host, int port, char *buf, size_t bufsz) {
  redisContext *c = connect_redis(host, port);
  redisReply *info = redis_command(c, "INFO server");
  const char *v = strstr(info->str, "redis_version:");
  snprintf(buf, bufsz, "%.*s", v ? (int)strcspn(v + 14, "\r\n") : 0,
           v ? v + 14 : "");
  freeReplyObject(info);
  redisFree(c);
}

/* Queue SET key doc; every 1000 queued, read their replies. */
static void pipelined_set(redisContext *c, const char *key, char *doc,
                          size_t *queued) {
  redisAppendCommand(c, "SET %s %s", key, doc);
  atesql_free(doc);
  if (++*queued % 1000 != 0) return;
  for (int i = 0; i < 1000; i++)
    freeReplyObject(next_reply(c));
}

void load_redis(const char *host, int port, const fleet *f) {
  redisContext *c = connect_redis(host, port);
  freeReplyObject(redis_command(c, "FLUSHALL"));
  size_t queued = 0;
  char key[160];
  for (size_t i = 0; i < f->workers; i++) {
    record_buf b;
    atesql_worker w;
    char *doc;
    fleet_worker(f, i, &b, &w);
    if (atesql_worker_to_json(&w, &doc, NULL) != ATESQL_OK)
      die("encode worker %zu", i);
    snprintf(key, sizeof key, "worker:%s/%s/%s", w.worker_namespace,
             w.worker_pool, w.worker_pod);
    pipelined_set(c, key, doc, &queued);
  }
  for (size_t j = 0; j < f->actors; j++) {
    record_buf b;
    atesql_actor act;
    char *doc;
    fleet_actor(f, j, &b, &act);
    if (atesql_actor_to_json(&act, &doc, NULL) != ATESQL_OK)
      die("encode actor %zu", j);
    snprintf(key, sizeof key, "actor:%s/%s", act.atespace, act.actor_id);
    pipelined_set(c, key, doc, &queued);
  }
  for (size_t i = 0; i < queued % 1000; i++)
    freeReplyObject(next_reply(c));
  redisFree(c);
}
