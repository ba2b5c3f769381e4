package atesql

/*
#include <stdlib.h>
#include <atesql/atesql.h>
*/
import "C"

import (
	"context"
	"unsafe"

	"google.golang.org/protobuf/proto"
)

// ListOptions choose what a list returns: what PR #136 of upstream
// proposed as ListOptions.
type ListOptions struct {
	// Selector filters the records, in the C library's selector grammar
	// (for workers: "worker_pool=cpu,actor_id=,labels.zone=a"); "" selects
	// every record.
	Selector string
	// PageSize is the most records a page holds: 0 means 500, above 1000
	// means 1000.
	PageSize int
	// PageToken continues a listing: the NextPageToken of the page before,
	// with the same selector; "" for the first page.
	PageToken string
}

// WorkerPage is one page of a workers listing.
type WorkerPage[W proto.Message] struct {
	Workers []W
	// Labels[i] are the labels of Workers[i] (nil when it has none);
	// Labels is nil when no worker of the page has any.
	Labels        []map[string]string
	NextPageToken string
	// Revision is the store revision the page reflects: every worker
	// change up to it and none after. Every page of one listing reflects
	// the first page's revision, so a watch from it (WatchOptions.Since)
	// continues the listing with no gap and no duplicate.
	Revision int64
}

// ActorPage is one page of an actors listing.
type ActorPage[A proto.Message] struct {
	Actors        []A
	NextPageToken string
}

// listOpts fills a C list options from o for the length of one call.
func listOpts(a *cArgs, o ListOptions) C.atesql_list_opts {
	size := o.PageSize
	if size < 0 {
		size = 0
	}
	return C.atesql_list_opts{
		selector_text: a.str("selector", o.Selector),
		page_size:     C.size_t(size),
		page_token:    a.str("page token", o.PageToken),
	}
}

// ListWorkersPage lists one page of the workers a selector picks, in
// (worker_namespace, worker_pool, worker_pod) order.
func (s *Store[A, W, S]) ListWorkersPage(ctx context.Context, o ListOptions) (*WorkerPage[W], error) {
	const op = "ListWorkers"
	return call(s.pool, ctx, func(h handle) (*WorkerPage[W], error) {
		a := cArgs{op: op}
		defer a.free()
		opts := listOpts(&a, o)
		if a.err != nil {
			return nil, a.err
		}
		var page *C.atesql_worker_page
		if st := C.atesql_worker_list(h, &opts, &page); st != C.ATESQL_OK {
			return nil, fail(h, op, st)
		}
		defer C.atesql_worker_page_free(page)
		p := &WorkerPage[W]{NextPageToken: C.GoString(page.next_page_token),
			Revision: int64(page.revision)}
		p.Workers = s.codec.workers(page.items, int(page.count))
		items := unsafe.Slice(page.items, int(page.count))
		for i := range items {
			if items[i].label_count != 0 {
				if p.Labels == nil {
					p.Labels = make([]map[string]string, len(items))
				}
				p.Labels[i] = goLabels(&items[i])
			}
		}
		return p, nil
	})
}

// ListActorsPage lists one page of the actors a selector picks, in
// (atespace, actor_id) order.
func (s *Store[A, W, S]) ListActorsPage(ctx context.Context, o ListOptions) (*ActorPage[A], error) {
	return s.listActors(ctx, "ListActors", o, "")
}

// listActors lists a page of actors; a non-empty atespace adds the term
// atespace=ATESPACE to the selector (built term by term, so that no
// character of the name needs quoting).
func (s *Store[A, W, S]) listActors(ctx context.Context, op string, o ListOptions,
	atespace string) (*ActorPage[A], error) {
	return call(s.pool, ctx, func(h handle) (*ActorPage[A], error) {
		a := cArgs{op: op}
		defer a.free()
		opts := listOpts(&a, o)
		cas := a.str("atespace", atespace)
		if a.err != nil {
			return nil, a.err
		}
		if atespace != "" {
			sel, err := actorSelector(op, opts.selector_text, cas)
			if err != nil {
				return nil, err
			}
			defer C.atesql_selector_free(sel)
			opts.selector = sel
		}
		var page *C.atesql_actor_page
		if st := C.atesql_actor_list(h, &opts, &page); st != C.ATESQL_OK {
			return nil, fail(h, op, st)
		}
		defer C.atesql_actor_page_free(page)
		p := &ActorPage[A]{NextPageToken: C.GoString(page.next_page_token)}
		items := unsafe.Slice(page.items, int(page.count))
		for i := range items {
			actor, err := s.codec.actor(op, &items[i])
			if err != nil {
				return nil, err
			}
			p.Actors = append(p.Actors, actor)
		}
		return p, nil
	})
}

// actorSelector is the selector text with the term atespace=cas added.
func actorSelector(op string, text, cas *C.char) (*C.atesql_selector, error) {
	var sel *C.atesql_selector
	var cerr C.atesql_error
	st := C.atesql_selector_parse(C.ATESQL_RESOURCE_ACTORS, text,
		C.ATESQL_NUL_TERMINATED, &sel, &cerr)
	if st != C.ATESQL_OK {
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	field := C.CString("atespace")
	defer C.free(unsafe.Pointer(field))
	vals := (**C.char)(C.malloc(C.size_t(unsafe.Sizeof(cas))))
	defer C.free(unsafe.Pointer(vals))
	*vals = cas
	st = C.atesql_selector_add(sel, field, C.ATESQL_OP_EQ, vals, 1, &cerr)
	if st != C.ATESQL_OK {
		C.atesql_selector_free(sel)
		return nil, errorOf(op, st, errMessage(&cerr))
	}
	return sel, nil
}

// labeled is a worker and its labels.
type labeled[W any] struct {
	worker W
	labels map[string]string
}

// GetWorkerWithLabels is GetWorker, and the worker's labels (nil when it
// has none).
func (s *Store[A, W, S]) GetWorkerWithLabels(ctx context.Context, namespace, pool,
	pod string) (W, map[string]string, error) {
	const op = "GetWorker"
	r, err := call(s.pool, ctx, func(h handle) (labeled[W], error) {
		a := cArgs{op: op}
		defer a.free()
		cns, cpool, cpod := a.str("worker_namespace", namespace),
			a.str("worker_pool", pool), a.str("worker_pod", pod)
		if a.err != nil {
			return labeled[W]{}, a.err
		}
		var rec *C.atesql_worker
		if st := C.atesql_worker_get(h, cns, cpool, cpod, &rec); st != C.ATESQL_OK {
			return labeled[W]{}, fail(h, op, st)
		}
		defer C.atesql_worker_free(rec)
		return labeled[W]{s.codec.worker(rec), goLabels(rec)}, nil
	})
	return r.worker, r.labels, err
}

// CreateWorkerWithLabels registers a new worker at version 1 with labels
// (Kubernetes label syntax; at most 64).
func (s *Store[A, W, S]) CreateWorkerWithLabels(ctx context.Context, worker W,
	labels map[string]string) error {
	const op = "CreateWorker"
	return run(s.pool, ctx, func(h handle) error {
		rec, err := s.codec.cWorker(op, worker)
		if err != nil {
			return err
		}
		defer C.atesql_worker_free(rec)
		cl := newCLabels(labels)
		defer cl.free()
		rec.labels, rec.label_count = cl.items, cl.count
		if st := C.atesql_worker_create(h, rec); st != C.ATESQL_OK {
			return fail(h, op, st)
		}
		return nil
	})
}

// UpdateWorkerWithLabels is UpdateWorker that also replaces the worker's
// labels with labels (nil or empty: none). It returns the new version.
func (s *Store[A, W, S]) UpdateWorkerWithLabels(ctx context.Context, worker W,
	labels map[string]string, expectedVersion int64) (int64, error) {
	return s.updateWorker(ctx, "UpdateWorker", worker, labels, true, expectedVersion)
}

// updateWorker updates a worker, with labels when setLabels, else with
// the labels it has: those are read first, and the update's version check
// makes the pair atomic (a labels change bumps the version too, so one
// between the read and the update fails it with ErrPersistenceRetry).
func (s *Store[A, W, S]) updateWorker(ctx context.Context, op string, worker W,
	labels map[string]string, setLabels bool, expected int64) (int64, error) {
	return call(s.pool, ctx, func(h handle) (int64, error) {
		rec, err := s.codec.cWorker(op, worker)
		if err != nil {
			return 0, err
		}
		defer C.atesql_worker_free(rec)
		if setLabels {
			cl := newCLabels(labels)
			defer cl.free()
			rec.labels, rec.label_count = cl.items, cl.count
		} else {
			var cur *C.atesql_worker
			st := C.atesql_worker_get(h, rec.worker_namespace, rec.worker_pool,
				rec.worker_pod, &cur)
			if st != C.ATESQL_OK {
				return 0, fail(h, op, st)
			}
			defer C.atesql_worker_free(cur)
			rec.labels, rec.label_count = cur.labels, cur.label_count
			// An interrupt between the two C calls is forgotten when
			// the second begins: look at the context between them.
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		var nv C.int64_t
		if st := C.atesql_worker_update(h, rec, C.int64_t(expected), &nv); st != C.ATESQL_OK {
			return 0, fail(h, op, st)
		}
		return int64(nv), nil
	})
}

// Revision is the store's current revision (the last committed worker
// change) and the revision up to which events were compacted.
func (s *Store[A, W, S]) Revision(ctx context.Context) (revision, compacted int64, err error) {
	const op = "Revision"
	r, err := call(s.pool, ctx, func(h handle) ([2]int64, error) {
		var r, c C.int64_t
		if st := C.atesql_store_revision(h, &r, &c); st != C.ATESQL_OK {
			return [2]int64{}, fail(h, op, st)
		}
		return [2]int64{int64(r), int64(c)}, nil
	})
	return r[0], r[1], err
}

// Compact removes the change events up to revision (watches that still
// need one get ErrCompacted) and returns the revision events are now
// compacted up to.
func (s *Store[A, W, S]) Compact(ctx context.Context, revision int64) (int64, error) {
	const op = "Compact"
	return call(s.pool, ctx, func(h handle) (int64, error) {
		opts := C.atesql_compact_opts{revision: C.int64_t(revision)}
		var c C.int64_t
		if st := C.atesql_compact(h, &opts, &c); st != C.ATESQL_OK {
			return 0, fail(h, op, st)
		}
		return int64(c), nil
	})
}
