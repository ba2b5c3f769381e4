/*
** A FIFO lock per database file (sqlite/writers.h): a mutex-protected
** queue of waiters, each with its own condition variable, so that leaving
** wakes exactly the next writer.
*/
#include "sqlite/writers.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct waiter {
  struct waiter *next;
  pthread_cond_t cond;
  bool granted;
} waiter;

struct writers {
  writers *next; /* in the process's list */
  char *path;
  bool held;
  waiter *head, *tail;
  int *watchers; /* eventfds of watches, signalled as each turn ends */
  size_t watcher_count, watcher_cap;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static writers *all;

writers *writers_of(const char *path) {
  pthread_mutex_lock(&lock);
  writers *w = all;
  while (w && strcmp(w->path, path) != 0)
    w = w->next;
  if (w == NULL && (w = calloc(1, sizeof *w)) != NULL) {
    w->path = strdup(path);
    if (w->path == NULL) {
      free(w);
      w = NULL;
    } else {
      w->next = all;
      all = w;
    }
  }
  pthread_mutex_unlock(&lock);
  return w;
}

static void unlink_waiter(writers *w, waiter *me) {
  waiter **p = &w->head, *prev = NULL;
  while (*p && *p != me) {
    prev = *p;
    p = &(*p)->next;
  }
  if (*p == NULL) return;
  *p = me->next;
  if (w->tail == me) w->tail = prev;
}

/* deadline plus ms milliseconds. */
static struct timespec after_ms(struct timespec t, int64_t ms) {
  t.tv_sec += (time_t)(ms / 1000);
  t.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

static bool before(struct timespec a, struct timespec b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

bool writers_enter(writers *w, int timeout_ms, const atomic_bool *cancel) {
  pthread_mutex_lock(&lock);
  if (!w->held && w->head == NULL) {
    w->held = true;
    pthread_mutex_unlock(&lock);
    return true;
  }
  waiter me = {NULL, PTHREAD_COND_INITIALIZER, false};
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&me.cond, &attr);
  pthread_condattr_destroy(&attr);
  if (w->tail)
    w->tail->next = &me;
  else
    w->head = &me;
  w->tail = &me;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  struct timespec deadline = after_ms(now, timeout_ms < 0 ? 0 : timeout_ms);
  /* Wait in slices of 5 ms, so that a cancel is seen. */
  while (!me.granted && !atomic_load(cancel)) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (timeout_ms >= 0 && !before(now, deadline)) break;
    struct timespec slice = after_ms(now, 5);
    if (timeout_ms >= 0 && before(deadline, slice)) slice = deadline;
    pthread_cond_timedwait(&me.cond, &lock, &slice);
  }
  if (!me.granted) unlink_waiter(w, &me);
  pthread_mutex_unlock(&lock);
  pthread_cond_destroy(&me.cond);
  return me.granted;
}

bool writers_watch(writers *w, int fd) {
  pthread_mutex_lock(&lock);
  bool ok = true;
  if (w->watcher_count == w->watcher_cap) {
    size_t cap = w->watcher_cap ? 2 * w->watcher_cap : 4;
    int *grown = realloc(w->watchers, cap * sizeof *grown);
    if (grown) {
      w->watchers = grown;
      w->watcher_cap = cap;
    } else {
      ok = false;
    }
  }
  if (ok) w->watchers[w->watcher_count++] = fd;
  pthread_mutex_unlock(&lock);
  return ok;
}

void writers_unwatch(writers *w, int fd) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < w->watcher_count; i++)
    if (w->watchers[i] == fd) {
      w->watchers[i] = w->watchers[--w->watcher_count];
      break;
    }
  pthread_mutex_unlock(&lock);
}

void writers_leave(writers *w) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < w->watcher_count; i++) {
    uint64_t one = 1; /* an eventfd at its limit is signalled already */
    ssize_t n = write(w->watchers[i], &one, sizeof one);
    (void)n;
  }
  waiter *next = w->head;
  if (next) {
    w->head = next->next;
    if (w->head == NULL) w->tail = NULL;
    next->granted = true; /* the turn passes on; held stays true */
    pthread_cond_signal(&next->cond);
  } else {
    w->held = false;
  }
  pthread_mutex_unlock(&lock);
}
