/*
** The writers of one SQLite file in this process, queued in arrival order.
** SQLite lets one transaction write at a time; a thread that finds the
** file locked sleeps in the busy handler (1, 2, 5, 10 ... 100 ms) and
** retries, so under contention a waiter can sleep long after the lock is
** free while later arrivals take it. Threads of one process instead wait
** here, each woken the moment the writer before it finishes: first come,
** first served. A transaction holds its turn from BEGIN IMMEDIATE to its
** end, a write outside a transaction from its first step to its reset.
** Writers in other processes still meet the busy handler.
*/
#ifndef ATESQL_SQLITE_WRITERS_H
#define ATESQL_SQLITE_WRITERS_H

#include <stdatomic.h>
#include <stdbool.h>

typedef struct writers writers;

/* The queue of the file at `path` (an absolute path, as
** sqlite3_db_filename gives it); NULL when out of memory. Queues live as
** long as the process. */
writers *writers_of(const char *path);

/* Wait for our turn, at most timeout_ms (< 0: no bound), and no longer
** than about 5 ms after *cancel becomes true. False on timeout or cancel:
** we left the queue. */
bool writers_enter(writers *w, int timeout_ms, const atomic_bool *cancel);

/* End our turn: the next waiter, if any, goes. */
void writers_leave(writers *w);

/* Signal fd (an eventfd) whenever a writer's turn ends, until unwatched:
** how watches of the file in this process learn of a commit at once.
** False when out of memory. */
bool writers_watch(writers *w, int fd);
void writers_unwatch(writers *w, int fd);
#endif /* ATESQL_SQLITE_WRITERS_H */
