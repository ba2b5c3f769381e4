package atesql

/*
#include <stdlib.h>
#include <atesql/atesql.h>
*/
import "C"

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/proto"
)

// WatchNow, as WatchOptions.Since, starts a watch at the store's current
// revision: its first event is the next change written.
const WatchNow int64 = C.ATESQL_WATCH_NOW

// WatchOptions choose what a watch delivers.
type WatchOptions struct {
	// Selector filters the workers as a list with it does; a worker
	// updated into the selected set arrives as Created, one updated out of
	// it as Deleted. "" watches every worker.
	Selector string
	// Since is the revision to continue after: a list page's Revision, or
	// a previous watch's Revision(); WatchNow for the changes from now on;
	// 0 for every event still kept.
	Since int64
}

// Event is one change of a worker, as a watch delivers it.
type Event[W proto.Message] struct {
	// Revision numbers the change: revisions are commit order.
	Revision int64
	// Type is the change as the watch's selector sees it; Change is what
	// the store did (they differ for a worker updated into or out of the
	// selected set).
	Type   WorkerEventType
	Change WorkerEventType
	// Worker is the worker as written; for a delete, as it was last
	// stored. Labels are its labels.
	Worker W
	Labels map[string]string
	// Previous is the worker before the change (nil for a create).
	Previous       W
	PreviousLabels map[string]string
	// CommittedAt is when the change was written (database clock, ms).
	CommittedAt time.Time
}

// Watch delivers the changes of the workers after a revision, in revision
// order, each once. It goes on across lost connections: the C library
// reconnects and resumes after the last revision it read, and the watch
// retries while the database is unreachable. Events is closed after Close,
// when the context ends, or on an error the watch cannot go on from (Err
// says which: ErrCompacted means list again and watch from the list's
// revision).
type Watch[W proto.Message] struct {
	// Events is unbuffered: an event counts as delivered (Revision) once
	// received.
	Events <-chan Event[W]

	cancel   context.CancelFunc
	done     chan struct{} // closed when the watch's goroutine has ended
	revision int64         // atomic
	mu       sync.Mutex
	err      error
}

// Revision is the revision up to which the watch has delivered: that of
// the last event received from Events or, while it has nothing to
// deliver, of the last change it passed over (one its selector filters
// out), or the revision it started at. After Close (or once Events is
// closed) it is exact: open a new watch with Since set to it to go on with
// nothing lost and nothing twice. While the watch runs it may already
// count the one event being handed over; a cache fed by the watch that
// has nothing left to receive reflects the store at it.
func (w *Watch[W]) Revision() int64 { return atomic.LoadInt64(&w.revision) }

// Err is why Events was closed: nil after Close or the end of the
// context, else the error that stopped the watch.
func (w *Watch[W]) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close stops the watch and returns once it has stopped (within about
// 50 ms): Events is closed and Revision is final. Safe to call more than
// once.
func (w *Watch[W]) Close() {
	w.cancel()
	<-w.done
}

// watchPoll bounds how long the watch's goroutine waits in C at a time, so
// that Close and the end of the context are noticed.
const watchPoll = 50 // ms

// openWatch opens a C watch, on a connection of its own.
func (s *Store[A, W, S]) openWatch(op string, o WatchOptions) (*C.atesql_watch, error) {
	a := cArgs{op: op}
	defer a.free()
	curl := a.str("url", s.url)
	opts := C.atesql_watch_opts{since_revision: C.int64_t(o.Since),
		poll_interval_ms: C.int(s.opts.WatchPollInterval / time.Millisecond)}
	if o.Selector != "" {
		opts.selector_text = a.str("selector", o.Selector)
	}
	if a.err != nil {
		return nil, a.err
	}
	var cw *C.atesql_watch
	var cerr C.atesql_error
	if st := C.atesql_watch_open(curl, &opts, &cw, &cerr); st != C.ATESQL_OK {
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	return cw, nil
}

// event converts a C event.
func (c *codec[A, W, S]) event(ev *C.atesql_worker_event) Event[W] {
	out := Event[W]{
		Revision:    int64(ev.revision),
		Type:        eventType(ev._type),
		Change:      eventType(ev.change),
		Labels:      goLabels(&ev.worker),
		CommittedAt: time.UnixMilli(int64(ev.committed_at_ms)),
	}
	out.Worker = c.worker(&ev.worker)
	if ev.previous != nil {
		out.Previous = c.worker(ev.previous)
		out.PreviousLabels = goLabels(ev.previous)
	}
	return out
}

func eventType(t C.atesql_event_type) WorkerEventType {
	switch t {
	case C.ATESQL_EVENT_CREATED:
		return WorkerEventCreated
	case C.ATESQL_EVENT_UPDATED:
		return WorkerEventUpdated
	}
	return WorkerEventDeleted
}

// watchLoop reads events from cw until ctx ends or deliver says stop, then
// closes cw. retry says whether to go on after UNAVAILABLE; stop receives
// the error that ended the loop (nil for the end of ctx). idle, when not
// nil, receives the C watch's revision whenever it has nothing to deliver
// (every change up to it delivered, or passed over by the selector).
func watchLoop[W proto.Message](ctx context.Context, op string, cw *C.atesql_watch,
	retry bool, convert func(*C.atesql_worker_event) Event[W],
	deliver func(Event[W]) bool, idle func(int64), stop func(error)) {
	defer C.atesql_watch_close(cw)
	backoff := 10 * time.Millisecond
	for ctx.Err() == nil {
		var ev *C.atesql_worker_event
		st := C.atesql_watch_next(cw, watchPoll, &ev)
		switch {
		case st == C.ATESQL_OK:
			backoff = 10 * time.Millisecond
			e := convert(ev)
			C.atesql_worker_event_free(ev)
			if !deliver(e) {
				stop(nil)
				return
			}
		case st == C.ATESQL_DEADLINE_EXCEEDED:
			if idle != nil {
				idle(int64(C.atesql_watch_revision(cw)))
			}
		case st == C.ATESQL_UNAVAILABLE && retry:
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			if backoff < time.Second {
				backoff *= 2
			}
		default:
			stop(errorOf(op, st, C.GoString(C.atesql_watch_errmsg(cw))))
			return
		}
	}
	stop(nil)
}

// Watch opens a watch on the workers a selector picks, from a revision
// (WatchOptions.Since). It fails with ErrCompacted when events after Since
// were compacted away, and ErrInvalidArgument for a bad selector or a
// revision beyond the store's.
func (s *Store[A, W, S]) Watch(ctx context.Context, o WatchOptions) (*Watch[W], error) {
	const op = "Watch"
	cw, err := s.openWatch(op, o)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan Event[W])
	w := &Watch[W]{Events: ch, cancel: cancel, done: make(chan struct{}),
		revision: int64(C.atesql_watch_revision(cw))}
	go watchLoop(ctx, op, cw, true, s.codec.event, func(e Event[W]) bool {
		// Counted before the hand-over, so that a receiver that reads
		// Revision after receiving e sees it; taken back if e is not
		// received.
		before := atomic.SwapInt64(&w.revision, e.Revision)
		select {
		case ch <- e:
			return true
		case <-ctx.Done():
			atomic.StoreInt64(&w.revision, before)
			return false
		}
	}, func(rev int64) {
		atomic.StoreInt64(&w.revision, rev)
	}, func(err error) {
		w.mu.Lock()
		w.err = err
		w.mu.Unlock()
		close(ch)
		close(w.done)
	})
	return w, nil
}

// WatchWorkers subscribes to every worker change from now on, as
// upstream's WatchWorkers: the subscription is in place when it returns.
// Events is closed on Close, at the end of ctx, or when the database
// cannot be reached (re-subscribe and list again). Watch is the exact
// form: from a revision, with a selector, across reconnects.
func (s *Store[A, W, S]) WatchWorkers(ctx context.Context) (*WorkerWatch[W], error) {
	const op = "WatchWorkers"
	cw, err := s.openWatch(op, WatchOptions{Since: WatchNow})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan WorkerEvent[W], 128)
	go watchLoop(ctx, op, cw, false, s.codec.event, func(e Event[W]) bool {
		select {
		case ch <- WorkerEvent[W]{Type: e.Type, Worker: e.Worker}:
			return true
		case <-ctx.Done():
			return false
		}
	}, nil, func(error) { close(ch) })
	return NewWorkerWatch(ch, cancel), nil
}
