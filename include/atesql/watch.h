/*
** The workers' change feed: watches, the store revision, and compaction.
** Every create, update and delete of a worker (claims and releases
** included) is an event, written in the transaction that makes the
** change and numbered by the store revision: revision order is commit
** order, revisions are dense, and nothing uncommitted or rolled back is
** ever an event. A list page reports the revision it reflects
** (atesql_worker_page.revision); a watch opened at that revision delivers
** every later change exactly once, in order. Events are kept until
** compacted (atesql_compact).
**
** On SQLite a writer numbers its events as it writes them (writers take
** turns anyway). On PostgreSQL writers run in parallel and never wait for
** each other's transactions: an event is written unnumbered, and readers
** (a list, a watch, atesql_store_revision) number the committed ones in
** one short transaction of their own, in an order that matches commit
** (migrations/postgres/0006 gives the proof). So:
**  - a call outside a transaction sees, numbered, every change committed
**    before it began;
**  - a watch delivers a change once some reader has numbered it: its own
**    look every poll_interval_ms, or any list or watch sooner;
**  - a list page or atesql_worker_get_at_revision read inside a
**    transaction, which cannot number, reflects what the transaction sees
**    with the highest revision numbered in it: a watch from there may
**    deliver again a change the page already shows (never miss one).
*/
#ifndef ATESQL_WATCH_H
#define ATESQL_WATCH_H

#include "store.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What happened to a worker. */
typedef enum atesql_event_type {
  ATESQL_EVENT_CREATED = 1, /* created; through a selector: entered the set */
  ATESQL_EVENT_UPDATED,     /* changed, and in the set before and after */
  ATESQL_EVENT_DELETED      /* deleted; through a selector: left the set */
} atesql_event_type;

typedef struct atesql_worker_event {
  int64_t revision;
  /* As the watch's selector sees it: a worker updated into the selected
  ** set is CREATED, one updated out of it DELETED (as Kubernetes' filtered
  ** watches report them), so a cache kept from a filtered watch holds
  ** exactly the workers a list with that selector returns. Without a
  ** selector, the same as change. */
  atesql_event_type type;
  /* What the store did: CREATED, UPDATED or DELETED. */
  atesql_event_type change;
  /* The worker as written; for a delete, as it was last stored (its key
  ** and last version included). */
  atesql_worker worker;
  /* The worker before the change; NULL for a create. */
  const atesql_worker *previous;
  /* When the change was written, milliseconds since the epoch, database
  ** clock. */
  int64_t committed_at_ms;
} atesql_worker_event;

/* The first event of a watch opened with this since_revision is the next
** change to be written: it starts at the store's current revision. */
#define ATESQL_WATCH_NOW INT64_C(-1)
/* How often a watch on SQLite looks for changes written by other
** processes, unless atesql_watch_opts says otherwise; writers in the
** watch's own process wake it at once. */
#define ATESQL_WATCH_POLL_MS 50
/* How often a watch on PostgreSQL looks for changes that await their
** numbers, unless atesql_watch_opts says otherwise: the look numbers them
** (when no list or other watch did first) and every numbering wakes every
** watch at once, so this bounds how late a change is delivered. */
#define ATESQL_WATCH_POLL_MS_POSTGRES 5

typedef struct atesql_watch_opts {
  /* Selector text or a built selector (as atesql_list_opts), filtering
  ** exactly as a list with it does; none watches every worker. */
  const char *selector_text;
  const struct atesql_selector *selector;
  /* Deliver the events after this revision: a list page's revision, the
  ** last revision a previous watch delivered (atesql_watch_revision), 0
  ** for every event still kept, or ATESQL_WATCH_NOW. */
  int64_t since_revision;
  /* Milliseconds between looks for changes nothing woke the watch for:
  ** other processes' on SQLite, changes awaiting their numbers on
  ** PostgreSQL. 0 means ATESQL_WATCH_POLL_MS on SQLite and
  ** ATESQL_WATCH_POLL_MS_POSTGRES on PostgreSQL. */
  int poll_interval_ms;
} atesql_watch_opts;

typedef struct atesql_watch atesql_watch;

/*
** Open a watch on the workers of the store at url (as atesql_store_open
** takes it), on a connection of its own. opts may be NULL (every worker,
** from now). On failure *out is NULL and err says why.
** Errors: those of atesql_store_open; INVALID_ARGUMENT (selector,
** since_revision below -1 or beyond the current revision, sqlite::memory:,
** which no other connection can see); COMPACTED (events after
** since_revision were compacted: list again).
*/
ATESQL_API atesql_status atesql_watch_open(const char *url,
                                           const atesql_watch_opts *opts,
                                           atesql_watch **out,
                                           atesql_error *err);

/*
** The next event, waiting at most timeout_ms for one (0: do not wait;
** negative: no bound). *out receives an event to free with
** atesql_worker_event_free.
** Errors: DEADLINE_EXCEEDED (no event within timeout_ms; call again);
** COMPACTED (events the watch had not delivered were compacted away: list
** again and open a new watch); UNAVAILABLE (the connection was lost and a
** new one could not be made: call again to retry, or close and open a new
** watch from atesql_watch_revision). A connection lost and made again is
** not an error: the watch goes on from its last revision, losing nothing.
** A signal does not end the wait (it is resumed); a caller that must stop
** on a signal waits on atesql_watch_fd with its own descriptors instead.
*/
ATESQL_API atesql_status atesql_watch_next(atesql_watch *watch, int timeout_ms,
                                           atesql_worker_event **out);

/*
** A file descriptor for the caller's poll/epoll loop: readable when
** atesql_watch_next may have an event without waiting. It may wake the
** loop with nothing to deliver (then atesql_watch_next(w, 0, ...) returns
** DEADLINE_EXCEEDED). The descriptor belongs to the watch; do not read or
** close it. On SQLite it also wakes every poll interval.
*/
ATESQL_API int atesql_watch_fd(const atesql_watch *watch);

/* The revision of the last event the watch delivered or passed over (an
** event its selector filtered out), or the revision it started at. */
ATESQL_API int64_t atesql_watch_revision(const atesql_watch *watch);

/* The message of the watch's last failed call, or "". */
ATESQL_API const char *atesql_watch_errmsg(const atesql_watch *watch);

/* Close a watch and its connection. NULL is a no-op. */
ATESQL_API void atesql_watch_close(atesql_watch *watch);

ATESQL_API void atesql_worker_event_free(atesql_worker_event *event);

/*
** The store's current revision (the last committed worker change) into
** *revision, and the revision up to which events were compacted into
** *compacted; either may be NULL.
*/
ATESQL_API atesql_status atesql_store_revision(atesql_store *store,
                                               int64_t *revision,
                                               int64_t *compacted);

/*
** atesql_worker_get, and the store revision the record reflects into
** *revision.
*/
ATESQL_API atesql_status atesql_worker_get_at_revision(
    atesql_store *store, const char *worker_namespace, const char *worker_pool,
    const char *worker_pod, atesql_worker **out, int64_t *revision);

/*
** What atesql_compact removes: the events up to a revision, chosen by
** whichever fields are set (the highest revision they allow wins; at
** least one must be set). Events newer than keep_revisions or
** keep_ms are kept whatever `revision` says.
*/
typedef struct atesql_compact_opts {
  int64_t revision;       /* remove events up to this revision; 0: unset */
  int64_t keep_revisions; /* keep the last N revisions; 0: unset */
  int64_t keep_ms;        /* keep the events of the last keep_ms
                             milliseconds (database clock); 0: unset */
} atesql_compact_opts;

/*
** Remove old events. Watches and later list pages that still need a
** removed event get COMPACTED. *compacted (may be NULL) receives the
** revision events are now compacted up to.
** Errors: INVALID_ARGUMENT (no field set, a negative one, a revision
** beyond the current one).
*/
ATESQL_API atesql_status atesql_compact(atesql_store *store,
                                        const atesql_compact_opts *opts,
                                        int64_t *compacted);

#ifdef __cplusplus
}
#endif

#endif /* ATESQL_WATCH_H */
