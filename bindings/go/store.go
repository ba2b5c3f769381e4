package atesql

/*
#include <stdlib.h>
#include <atesql/atesql.h>
*/
import "C"

import (
	"context"
	"math"
	"time"
	"unsafe"

	"google.golang.org/protobuf/proto"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	// PoolSize is the most handles (database connections) the store keeps
	// for calls; 0 means 4. A watch has a connection of its own.
	PoolSize int
	// Timeout bounds every call whose context has no deadline (the C
	// library's handle timeout); 0 means no bound. A context's deadline
	// always wins.
	Timeout time.Duration
	// WatchPollInterval is how often a watch looks for changes nothing
	// woke it for (the C library's poll_interval_ms); 0 means the
	// library's default for the backend.
	WatchPollInterval time.Duration
}

// DefaultPoolSize is the pool size of Options left 0.
const DefaultPoolSize = 4

// Store is atesql behind upstream's store interface, plus what atesql adds
// (selectors, pages with revisions, claims, watches from a revision,
// labels). It is safe for use by many goroutines.
//
// Every call runs its C call on the caller's goroutine. When the context
// can be cancelled, a call still running after a millisecond gets a watch
// of the context that interrupts the C call (atesql_store_interrupt) when
// the context ends; a call that ends sooner costs only a timer.
//
// A, W and S are the caller's generated message types of ateapi.Actor,
// ateapi.Worker and ateapi.Atespace: this module's ateapipb, or upstream's
// own (the two cannot be linked into one program: both register the same
// full names, which the protobuf runtime refuses).
type Store[A, W, S proto.Message] struct {
	url   string
	opts  Options
	pool  *pool
	codec *codec[A, W, S]
}

// The store has exactly upstream's method set (Interface), whatever the
// message types; the compiler checks it here.
func _[A, W, S proto.Message]() {
	var _ Interface[A, W, S] = (*Store[A, W, S])(nil)
}

// Open opens the store at url (sqlite:PATH, postgres://..., as the C
// library's atesql_store_open takes it), speaking the message types A, W
// and S:
//
//	s, err := atesql.Open[*ateapipb.Actor, *ateapipb.Worker, *ateapipb.Atespace](url, nil)
//
// One handle is opened at once, so that a bad URL or an unmigrated schema
// fails here. Types that are not the generated messages of ateapi.Actor,
// ateapi.Worker and ateapi.Atespace are ErrInvalidArgument.
func Open[A, W, S proto.Message](url string, opts *Options) (*Store[A, W, S], error) {
	c, err := newCodec[A, W, S]()
	if err != nil {
		return nil, &Error{Op: "open", Code: CodeInvalidArgument, Message: err.Error()}
	}
	s := &Store[A, W, S]{url: url, codec: c}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.PoolSize < 0 {
		return nil, &Error{Op: "open", Code: CodeInvalidArgument, Message: "PoolSize is negative"}
	}
	if s.opts.PoolSize == 0 {
		s.opts.PoolSize = DefaultPoolSize
	}
	if s.opts.Timeout < 0 {
		return nil, &Error{Op: "open", Code: CodeInvalidArgument, Message: "Timeout is negative"}
	}
	s.pool = newPool(url, s.opts.PoolSize)
	s.pool.timeout = s.opts.Timeout
	h, err := s.pool.get(context.Background())
	if err != nil {
		return nil, err
	}
	s.pool.put(h)
	return s, nil
}

// Close closes the idle handles at once and the others as their calls
// return. Calls after Close fail.
func (s *Store[A, W, S]) Close() error {
	s.pool.close()
	return nil
}

// ---- Atespaces ----

// CreateAtespace stores a new atespace. ErrAlreadyExists if the name is
// taken; ErrInvalidArgument for an empty name.
func (s *Store[A, W, S]) CreateAtespace(ctx context.Context, atespace S) error {
	const op = "CreateAtespace"
	if isNil(atespace) {
		return &Error{Op: op, Code: CodeInvalidArgument, Message: "atespace is nil"}
	}
	return run(s.pool, ctx, func(h handle) error {
		a := cArgs{op: op}
		defer a.free()
		rec := C.atesql_atespace{name: a.str("name", s.codec.atespaceNameOf(atespace))}
		if a.err != nil {
			return a.err
		}
		if st := C.atesql_atespace_create(h, &rec); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// GetAtespace fetches an atespace by name. ErrNotFound if missing.
func (s *Store[A, W, S]) GetAtespace(ctx context.Context, name string) (S, error) {
	const op = "GetAtespace"
	return call(s.pool, ctx, func(h handle) (S, error) {
		a := cArgs{op: op}
		defer a.free()
		cname := a.str("name", name)
		if a.err != nil {
			return *new(S), a.err
		}
		var rec *C.atesql_atespace
		if st := C.atesql_atespace_get(h, cname, &rec); st != C.ATESQL_OK {
			return *new(S), fail(h, op, st)
		}
		defer C.atesql_atespace_free(rec)
		return s.codec.atespace(rec), nil
	})
}

// atespacePage is one page of atespaces.
type atespacePage[S any] struct {
	items []S
	next  string
}

// ListAtespaces lists every atespace in name order; nil if none.
func (s *Store[A, W, S]) ListAtespaces(ctx context.Context) ([]S, error) {
	const op = "ListAtespaces"
	var out []S
	token := ""
	for {
		p, err := call(s.pool, ctx, func(h handle) (atespacePage[S], error) {
			a := cArgs{op: op}
			defer a.free()
			opts := C.atesql_list_opts{page_size: C.ATESQL_MAX_PAGE_SIZE,
				page_token: a.str("page token", token)}
			var cp *C.atesql_atespace_page
			if st := C.atesql_atespace_list(h, &opts, &cp); st != C.ATESQL_OK {
				return atespacePage[S]{}, fail(h, op, st)
			}
			defer C.atesql_atespace_page_free(cp)
			var p atespacePage[S]
			for _, rec := range unsafe.Slice(cp.items, int(cp.count)) {
				p.items = append(p.items, s.codec.atespace(&rec))
			}
			p.next = C.GoString(cp.next_page_token)
			return p, nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, p.items...)
		if p.next == "" {
			return out, nil
		}
		token = p.next
	}
}

// AtespaceExists reports whether the atespace exists.
func (s *Store[A, W, S]) AtespaceExists(ctx context.Context, name string) (bool, error) {
	const op = "AtespaceExists"
	return call(s.pool, ctx, func(h handle) (bool, error) {
		a := cArgs{op: op}
		defer a.free()
		cname := a.str("name", name)
		if a.err != nil {
			return false, a.err
		}
		var e C.bool
		if st := C.atesql_atespace_exists(h, cname, &e); st != C.ATESQL_OK {
			return false, fail(h, op, st)
		}
		return bool(e), nil
	})
}

// DeleteAtespace removes an empty atespace. ErrNotFound if missing,
// ErrFailedPrecondition while it holds actors.
func (s *Store[A, W, S]) DeleteAtespace(ctx context.Context, name string) error {
	const op = "DeleteAtespace"
	return run(s.pool, ctx, func(h handle) error {
		a := cArgs{op: op}
		defer a.free()
		cname := a.str("name", name)
		if a.err != nil {
			return a.err
		}
		if st := C.atesql_atespace_delete(h, cname); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// ---- Actors ----

// GetActor fetches an actor by (atespace, id). ErrNotFound if missing.
func (s *Store[A, W, S]) GetActor(ctx context.Context, atespace, id string) (A, error) {
	const op = "GetActor"
	return call(s.pool, ctx, func(h handle) (A, error) {
		a := cArgs{op: op}
		defer a.free()
		cas, cid := a.str("atespace", atespace), a.str("actor_id", id)
		if a.err != nil {
			return *new(A), a.err
		}
		var rec *C.atesql_actor
		if st := C.atesql_actor_get(h, cas, cid, &rec); st != C.ATESQL_OK {
			return *new(A), fail(h, op, st)
		}
		defer C.atesql_actor_free(rec)
		return s.codec.actor(op, rec)
	})
}

// CreateActor stores a new actor at version 1 (the caller's message is
// left as it is). ErrAlreadyExists if the key is taken;
// ErrFailedPrecondition if its atespace does not exist; ErrInvalidArgument
// for an empty atespace or id.
func (s *Store[A, W, S]) CreateActor(ctx context.Context, actor A) error {
	const op = "CreateActor"
	return run(s.pool, ctx, func(h handle) error {
		rec, err := s.codec.cActor(op, actor)
		if err != nil {
			return err
		}
		defer C.atesql_actor_free(rec)
		if st := C.atesql_actor_create(h, rec); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// UpdateActor replaces the actor if its stored version is expectedVersion,
// and writes the new version into actor.Version. ErrNotFound if missing,
// ErrPersistenceRetry on a version mismatch, ErrInvalidArgument if an
// immutable field changed.
func (s *Store[A, W, S]) UpdateActor(ctx context.Context, actor A, expectedVersion int64) error {
	const op = "UpdateActor"
	version, err := call(s.pool, ctx, func(h handle) (int64, error) {
		rec, err := s.codec.cActor(op, actor)
		if err != nil {
			return 0, err
		}
		defer C.atesql_actor_free(rec)
		var nv C.int64_t
		if st := C.atesql_actor_update(h, rec, C.int64_t(expectedVersion), &nv); st != C.ATESQL_OK {
			return 0, fail(h, op, st)
		}
		return int64(nv), nil
	})
	if err == nil {
		s.codec.setActorVersion(actor, version)
	}
	return err
}

// DeleteActor removes a suspended actor. ErrNotFound if missing,
// ErrFailedPrecondition unless it is STATUS_SUSPENDED.
func (s *Store[A, W, S]) DeleteActor(ctx context.Context, atespace, id string) error {
	const op = "DeleteActor"
	return run(s.pool, ctx, func(h handle) error {
		a := cArgs{op: op}
		defer a.free()
		cas, cid := a.str("atespace", atespace), a.str("actor_id", id)
		if a.err != nil {
			return a.err
		}
		if st := C.atesql_actor_delete(h, cas, cid); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// ListActors lists one page of the actors of an atespace, or of every
// atespace when atespace is "", in (atespace, actor_id) order. pageSize 0
// or less means the library's default (500); above 1000 means 1000. The
// next page token is "" on the last page.
func (s *Store[A, W, S]) ListActors(ctx context.Context, atespace string, pageSize int32,
	pageToken string) ([]A, string, error) {
	page, err := s.listActors(ctx, "ListActors", ListOptions{
		PageSize: int(pageSize), PageToken: pageToken}, atespace)
	if err != nil {
		return nil, "", err
	}
	return page.Actors, page.NextPageToken, nil
}

// ---- Workers ----

// GetWorker fetches a worker by key. ErrNotFound if missing.
func (s *Store[A, W, S]) GetWorker(ctx context.Context, namespace, pool, pod string) (W, error) {
	w, _, err := s.GetWorkerWithLabels(ctx, namespace, pool, pod)
	return w, err
}

// CreateWorker registers a new worker at version 1, without labels
// (CreateWorkerWithLabels gives it some). ErrAlreadyExists if registered.
func (s *Store[A, W, S]) CreateWorker(ctx context.Context, worker W) error {
	return s.CreateWorkerWithLabels(ctx, worker, nil)
}

// UpdateWorker replaces the worker if its stored version is
// expectedVersion, keeping its labels (upstream's Worker has none to give).
// ErrNotFound if missing, ErrPersistenceRetry on a version mismatch,
// ErrInvalidArgument if ip changed. The caller's message is left as it is,
// as upstream's UpdateWorker leaves it.
func (s *Store[A, W, S]) UpdateWorker(ctx context.Context, worker W, expectedVersion int64) error {
	_, err := s.updateWorker(ctx, "UpdateWorker", worker, nil, false, expectedVersion)
	return err
}

// DeleteWorker removes a worker. Idempotent: a missing worker is no error.
func (s *Store[A, W, S]) DeleteWorker(ctx context.Context, namespace, pool, pod string) error {
	const op = "DeleteWorker"
	return run(s.pool, ctx, func(h handle) error {
		a := cArgs{op: op}
		defer a.free()
		cns, cpool, cpod := a.str("worker_namespace", namespace),
			a.str("worker_pool", pool), a.str("worker_pod", pod)
		if a.err != nil {
			return a.err
		}
		if st := C.atesql_worker_delete(h, cns, cpool, cpod); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// ListWorkers lists every worker in key order; nil if none. Its pages are
// read as of one store revision.
func (s *Store[A, W, S]) ListWorkers(ctx context.Context) ([]W, error) {
	var out []W
	opts := ListOptions{PageSize: C.ATESQL_MAX_PAGE_SIZE}
	for {
		page, err := s.ListWorkersPage(ctx, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Workers...)
		if page.NextPageToken == "" {
			return out, nil
		}
		opts.PageToken = page.NextPageToken
	}
}

// ---- Locks ----

// AcquireLock takes the lock key for value (the owner's unique token) for
// ttl. It returns true if the lock was free or expired, false if it is
// held, by anyone (locks are not re-entrant). The TTL runs on the
// database's clock; it is rounded up to whole milliseconds. A ttl of 0
// (which upstream's Redis store takes as "never expires") or above 30
// days is held for 30 days, the library's longest lease; a negative one
// is ErrInvalidArgument.
func (s *Store[A, W, S]) AcquireLock(ctx context.Context, key, value string, ttl time.Duration) (bool, error) {
	const op = "AcquireLock"
	if ttl < 0 {
		return false, &Error{Op: op, Code: CodeInvalidArgument, Message: "ttl is negative"}
	}
	ms := int64(math.Ceil(float64(ttl) / float64(time.Millisecond)))
	if ms == 0 || ms > C.ATESQL_LOCK_TTL_MAX_MS {
		ms = C.ATESQL_LOCK_TTL_MAX_MS
	}
	return call(s.pool, ctx, func(h handle) (bool, error) {
		a := cArgs{op: op}
		defer a.free()
		ckey, cvalue := a.str("key", key), a.str("value", value)
		if a.err != nil {
			return false, a.err
		}
		var got C.bool
		if st := C.atesql_lock_acquire(h, ckey, cvalue, C.int64_t(ms), &got); st != C.ATESQL_OK {
			return false, fail(h, op, st)
		}
		return bool(got), nil
	})
}

// ReleaseLock releases the lock key if value holds it; releasing a lock
// value does not hold is nil, and leaves the lock as it is.
func (s *Store[A, W, S]) ReleaseLock(ctx context.Context, key, value string) error {
	const op = "ReleaseLock"
	return run(s.pool, ctx, func(h handle) error {
		a := cArgs{op: op}
		defer a.free()
		ckey, cvalue := a.str("key", key), a.str("value", value)
		if a.err != nil {
			return a.err
		}
		if st := C.atesql_lock_release(h, ckey, cvalue, nil); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// DebugClearAll deletes every atespace, actor, worker and lock; the
// schema, and the change feed's history, stay.
func (s *Store[A, W, S]) DebugClearAll(ctx context.Context) error {
	const op = "DebugClearAll"
	return run(s.pool, ctx, func(h handle) error {
		if st := C.atesql_store_clear(h); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// Migrate applies every pending schema migration to the database at url
// and returns the versions it applied (none when the schema is current).
func Migrate(url string) ([]int64, error) {
	const op = "Migrate"
	curl, err := cString(op, "url", url)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(curl))
	var list *C.atesql_migration_list
	var cerr C.atesql_error
	if st := C.atesql_migrate_up(curl, &list, &cerr); st != C.ATESQL_OK {
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	defer C.atesql_migration_list_free(list)
	var applied []int64
	for _, m := range unsafe.Slice(list.items, int(list.count)) {
		applied = append(applied, int64(m.version))
	}
	return applied, nil
}
