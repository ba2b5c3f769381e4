// Package atesql is the Go face of atesql, the SQL-backed store of the
// ateapi control plane: upstream's store interface (Interface, the method
// set of agent-substrate's cmd/ateapi/internal/store), over the C library,
// on SQLite or PostgreSQL.
//
//	s, err := atesql.Open[*ateapipb.Actor, *ateapipb.Worker, *ateapipb.Atespace](
//		"postgres://sched@db/ate", &atesql.Options{PoolSize: 8})
//	w, err := s.ClaimWorker(ctx, &atesql.ClaimRequest{
//		Pools: []atesql.PoolRef{{"ns", "cpu"}}, ActorAtespace: "team-a", ActorID: "a1"})
//
// # Message types
//
// A Store speaks the caller's generated message types of ateapi.Actor,
// ateapi.Worker and ateapi.Atespace, its type parameters, checked by
// descriptor at Open. This module's ateapipb holds them, generated from the
// project's own proto/ateapi.proto with upstream's full names, so
// proto.Marshal and protojson documents pass unchanged between it and
// upstream. Upstream passes its own pkg/proto/ateapipb instead: the package
// itself links no generated messages, so it never registers a full name
// twice (which the protobuf runtime refuses at start-up). Actors cross to C
// as protojson documents, read by the C codec that tests/interop holds to
// Go's protojson; workers, the hot path, field by field.
//
// # Goroutines and contexts
//
// A Store is safe for many goroutines. It keeps up to Options.PoolSize
// handles (connections), opened as calls need them. A call's context bounds
// it: its deadline becomes the handle's timeout, so the database call ends
// by then; when the context is cancelled, the C call is interrupted
// (atesql_store_interrupt: a statement stops, a wait for a lock or for the
// server ends) and the call returns ctx.Err() within milliseconds. The
// handle goes back to the pool only when its C call has returned. A call
// that ended with its context may or may not have written (on PostgreSQL
// the server may finish the statement of an abandoned connection): reread
// before retrying. A watch has a connection of its own.
//
// # What atesql adds
//
// ListWorkersPage and ListActorsPage take a selector, page size and token;
// a workers page reports the store revision it reflects, and Watch from
// that revision continues it with every later change exactly once, across
// reconnects, reporting compaction (ErrCompacted). ClaimWorker,
// ReleaseWorker and ResumeActor are the atomic assignment steps (one round
// trip each on PostgreSQL). Workers carry labels (CreateWorkerWithLabels,
// UpdateWorkerWithLabels, GetWorkerWithLabels, "labels.KEY=V" selectors).
//
// # Where it differs from upstream's Redis store
//
// Each difference is kept because following upstream would lose data or
// break an invariant the store guarantees:
//
//	| Call | Upstream (Redis) | atesql | Why |
//	|---|---|---|---|
//	| CreateActor | takes any atespace, "" included; the control API checks that it exists first | ErrInvalidArgument for "", ErrFailedPrecondition when it does not exist | the check and the create are one statement, so an actor is never created into an atespace deleted meanwhile (upstream's check-then-create can leave an actor no atespace holds; DeleteAtespace's refusal relies on it) |
//	| Deleted event | Worker with namespace and pod only | the worker as last stored | the last record tells a cache which actor lost its worker; the key is there either way |
//	| DeleteWorker of a missing worker | publishes Deleted | no event | the feed records changes, with dense revisions; a cache ends the same |
//	| UpdateWorker of a missing worker | a plain error | ErrNotFound | what the interface's comment promises |
//	| UpdateWorker | writes the whole record | keeps the worker's labels (upstream's Worker has none), reading them first: one more round trip, made atomic by the version check | labels set through atesql are not erased |
//	| AcquireLock with ttl 0 | never expires | held 30 days (the library's longest lease); below 1 ms rounds up to 1 ms | TTLs run on the database clock, bounded so its arithmetic cannot overflow |
//	| WatchWorkers | closes Events when Redis drops the connection | the C library reconnects and resumes from its last revision, losing nothing; Events closes when a reconnect fails | nothing is lost across a reconnect |
//	| DebugClearAll | FLUSHALL | deletes every record and lock, the workers as changes a watch delivers | revisions never go back, so a watch from before the clear stays exact |
//
// Upstream's own store tests, ported in this package's words
// (upstream_test.go), pass on both backends; where a test of theirs meets a
// difference above, the port asserts atesql's behaviour and names it.
//
// # Adopting it upstream
//
// Store[*ateapipb.Actor, *ateapipb.Worker, *ateapipb.Atespace], with
// upstream's ateapipb, has 18 of store.Interface's 19 methods with exactly
// upstream's signatures. The nineteenth, WatchWorkers, returns this
// package's WorkerWatch, since upstream's WorkerWatch and WorkerEvent live
// in its internal store package, which no other module can import; a
// wrapper of a dozen lines hands its events over (testdata/upstream shows
// it, and test.sh runs it against messages generated under another Go
// package, as upstream's are). Constructing that wrapper in place of
// ateredis.NewPersistence is the whole change.
package atesql
