package atesql

/*
#include <stdlib.h>
#include <atesql/atesql.h>
*/
import "C"

import (
	"context"
	"unsafe"
)

// PoolRef names an eligible worker pool.
type PoolRef struct {
	Namespace string
	Pool      string
}

// ClaimRequest asks for a free worker for an actor.
type ClaimRequest struct {
	// Pools are the eligible pools (at least one, at most 64).
	Pools []PoolRef
	// Selector further restricts the eligible workers, e.g.
	// "node_name notin (drained-1),labels.gpu=h100"; "" for none.
	Selector string
	// PreferredNodes hold the actor's local snapshot: a worker on one of
	// them is taken first.
	PreferredNodes []string
	// RequirePreferred takes only a worker on a preferred node.
	RequirePreferred bool
	// The assignment written on the worker: ActorAtespace and ActorID are
	// required. For ResumeActor, an empty ActorNamespace / ActorTemplate
	// means the actor's template namespace / name.
	ActorAtespace  string
	ActorID        string
	ActorNamespace string
	ActorTemplate  string
}

// claimArgs is req as the C library takes it, for one call.
type claimArgs struct {
	a     cArgs
	pools *C.atesql_pool_ref
	nodes *cStrings
	req   C.atesql_claim_request
}

func newClaimArgs(op string, r *ClaimRequest) *claimArgs {
	c := &claimArgs{a: cArgs{op: op}}
	if r == nil {
		c.a.err = &Error{Op: op, Code: CodeInvalidArgument, Message: "request is nil"}
		return c
	}
	if n := len(r.Pools); n > 0 {
		c.pools = (*C.atesql_pool_ref)(C.calloc(C.size_t(n),
			C.size_t(unsafe.Sizeof(C.atesql_pool_ref{}))))
		refs := unsafe.Slice(c.pools, n)
		for i := range refs {
			ref := &refs[i]
			ref.worker_namespace = c.a.str("pools.namespace", r.Pools[i].Namespace)
			ref.worker_pool = c.a.str("pools.pool", r.Pools[i].Pool)
		}
	}
	for _, n := range r.PreferredNodes {
		c.a.str("preferred node", n) // refuses a NUL byte
	}
	c.nodes = newCStrings(r.PreferredNodes)
	c.req = C.atesql_claim_request{
		pools:                c.pools,
		pool_count:           C.size_t(len(r.Pools)),
		preferred_nodes:      c.nodes.items,
		preferred_node_count: c.nodes.count,
		actor_atespace:       c.a.str("actor_atespace", r.ActorAtespace),
		actor_id:             c.a.str("actor_id", r.ActorID),
		actor_namespace:      c.a.str("actor_namespace", r.ActorNamespace),
		actor_template:       c.a.str("actor_template", r.ActorTemplate),
	}
	if r.Selector != "" {
		c.req.selector_text = c.a.str("selector", r.Selector)
	}
	if r.RequirePreferred {
		c.req.policy = C.ATESQL_NODES_REQUIRE
	}
	return c
}

func (c *claimArgs) free() {
	c.a.free()
	if c.nodes != nil {
		c.nodes.free()
	}
	C.free(unsafe.Pointer(c.pools))
}

// ClaimWorker gives the actor a free worker of the eligible pools in one
// atomic, index-bound step (one round trip on PostgreSQL): the worker it
// holds already, if any, else a free one, on a preferred node first.
// ErrResourceExhausted when no free worker fits; ErrPersistenceRetry on
// PostgreSQL when free workers fit but every one is locked by another
// transaction (retry).
func (s *Store[A, W, S]) ClaimWorker(ctx context.Context, req *ClaimRequest) (W, error) {
	const op = "ClaimWorker"
	return call(s.pool, ctx, func(h handle) (W, error) {
		c := newClaimArgs(op, req)
		defer c.free()
		if c.a.err != nil {
			return *new(W), c.a.err
		}
		var w *C.atesql_worker
		if st := C.atesql_worker_claim(h, &c.req, &w); st != C.ATESQL_OK {
			return *new(W), fail(h, op, st)
		}
		defer C.atesql_worker_free(w)
		return s.codec.worker(w), nil
	})
}

// ReleaseWorker frees the worker if the actor still holds it, and says
// whether it did; a worker that is free or held by another actor is left
// as it is (false, nil). ErrNotFound if there is no such worker.
func (s *Store[A, W, S]) ReleaseWorker(ctx context.Context, namespace, pool, pod,
	actorAtespace, actorID string) (bool, error) {
	const op = "ReleaseWorker"
	return call(s.pool, ctx, func(h handle) (bool, error) {
		a := cArgs{op: op}
		defer a.free()
		cns, cpool, cpod := a.str("worker_namespace", namespace),
			a.str("worker_pool", pool), a.str("worker_pod", pod)
		cas, cid := a.str("actor_atespace", actorAtespace), a.str("actor_id", actorID)
		if a.err != nil {
			return false, a.err
		}
		var r C.bool
		if st := C.atesql_worker_release(h, cns, cpool, cpod, cas, cid, &r); st != C.ATESQL_OK {
			return false, fail(h, op, st)
		}
		return bool(r), nil
	})
}

// resumed is what the resume step wrote.
type resumed[A, W any] struct {
	worker W
	actor  A
}

// ResumeActor is the scheduler's resume step in one transaction (one round
// trip on PostgreSQL): it claims a worker for the actor (req.ActorAtespace,
// req.ActorID) and moves the actor to STATUS_RESUMING on it, if the actor's
// version is expectedVersion. Either both happen or neither. It returns the
// worker and the actor as written. ErrNotFound (no such actor),
// ErrPersistenceRetry (stale version, or every fitting worker locked),
// ErrResourceExhausted.
func (s *Store[A, W, S]) ResumeActor(ctx context.Context, req *ClaimRequest,
	expectedVersion int64) (W, A, error) {
	const op = "ResumeActor"
	r, err := call(s.pool, ctx, func(h handle) (resumed[A, W], error) {
		c := newClaimArgs(op, req)
		defer c.free()
		if c.a.err != nil {
			return resumed[A, W]{}, c.a.err
		}
		var w *C.atesql_worker
		var a *C.atesql_actor
		st := C.atesql_actor_resume(h, &c.req, C.int64_t(expectedVersion), &w, &a)
		if st != C.ATESQL_OK {
			return resumed[A, W]{}, fail(h, op, st)
		}
		defer C.atesql_worker_free(w)
		defer C.atesql_actor_free(a)
		worker := s.codec.worker(w)
		actor, err := s.codec.actor(op, a)
		return resumed[A, W]{worker, actor}, err
	})
	return r.worker, r.actor, err
}
