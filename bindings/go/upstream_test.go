package atesql

// The contract of upstream's store interface, as its Redis store's tests
// (cmd/ateapi/internal/store/ateredis/ateredis_test.go) state it, written
// here in this package's own words and run on both backends. Where atesql
// differs on purpose (the table in doc.go), the test asserts atesql's
// behaviour and names the difference.

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "atesql.dev/go/ateapipb"
)

// atespaceA is the atespace the actors of these tests live in: upstream's
// tests create actors with no atespace, which atesql refuses (doc.go).
const atespaceA = "team-a"

func withAtespace(t *testing.T, s *testStore, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := s.CreateAtespace(ctxFor(t), &pb.Atespace{Name: n}); err != nil {
			t.Fatalf("CreateAtespace(%s): %v", n, err)
		}
	}
}

func suspendedActor(id string) *pb.Actor {
	return &pb.Actor{
		Atespace:               atespaceA,
		ActorId:                id,
		ActorTemplateNamespace: "default",
		ActorTemplateName:      "test-template",
		Status:                 pb.Actor_STATUS_SUSPENDED,
	}
}

func wantEqual(t *testing.T, what string, want, got proto.Message) {
	t.Helper()
	if !proto.Equal(want, got) {
		t.Errorf("%s:\n want %v\n  got %v", what, want, got)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: want %v, got %v", what, target, err)
	}
}

// nextEvent is the next event of a watch, failing after 5 s.
func nextEvent(t *testing.T, ch <-chan WorkerEvent[*pb.Worker]) WorkerEvent[*pb.Worker] {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("the watch's channel closed")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return WorkerEvent[*pb.Worker]{}
}

func TestGetActorNotFound(t *testing.T) {
	s := newStore(t, nil)
	_, err := s.GetActor(ctxFor(t), atespaceA, "missing")
	wantErr(t, "GetActor", err, ErrNotFound)
	_, err = s.GetActor(ctxFor(t), "", "missing")
	wantErr(t, "GetActor with an empty atespace", err, ErrNotFound)
}

func TestCreateActor(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	withAtespace(t, s, atespaceA)
	actor := suspendedActor("session-1")
	if err := s.CreateActor(ctx, actor); err != nil {
		t.Fatal(err)
	}
	if actor.Version != 0 {
		t.Errorf("CreateActor wrote version %d into the caller's message", actor.Version)
	}
	got, err := s.GetActor(ctx, atespaceA, "session-1")
	if err != nil {
		t.Fatal(err)
	}
	want := proto.Clone(actor).(*pb.Actor)
	want.Version = 1
	wantEqual(t, "stored actor", want, got)
	wantErr(t, "second CreateActor", s.CreateActor(ctx, actor), ErrAlreadyExists)
}

func TestUpdateActor(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	withAtespace(t, s, atespaceA)
	actor := suspendedActor("session-1")
	if err := s.CreateActor(ctx, actor); err != nil {
		t.Fatal(err)
	}
	actor.Status = pb.Actor_STATUS_RUNNING
	actor.AteomPodName = "pod-1"
	if err := s.UpdateActor(ctx, actor, 1); err != nil {
		t.Fatal(err)
	}
	if actor.Version != 2 {
		t.Errorf("UpdateActor wrote version %d into the message, want 2", actor.Version)
	}
	got, err := s.GetActor(ctx, atespaceA, "session-1")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "updated actor", actor, got)

	// A stale version conflicts and writes nothing.
	stale := proto.Clone(actor).(*pb.Actor)
	stale.Status = pb.Actor_STATUS_PAUSED
	wantErr(t, "UpdateActor at version 1", s.UpdateActor(ctx, stale, 1), ErrPersistenceRetry)
	if got, _ := s.GetActor(ctx, atespaceA, "session-1"); got.GetStatus() != pb.Actor_STATUS_RUNNING {
		t.Errorf("a conflicting update wrote: %v", got)
	}
	// Immutable fields.
	changed := proto.Clone(actor).(*pb.Actor)
	changed.ActorTemplateName = "other"
	wantErr(t, "UpdateActor of the template", s.UpdateActor(ctx, changed, 2), ErrInvalidArgument)
	missing := suspendedActor("missing")
	wantErr(t, "UpdateActor of a missing actor", s.UpdateActor(ctx, missing, 1), ErrNotFound)
}

func TestWorkerLifecycleAndEvents(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	_, err := s.GetWorker(ctx, "default", "pool-1", "pod-1")
	wantErr(t, "GetWorker", err, ErrNotFound)

	watch, err := s.WatchWorkers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	worker := &pb.Worker{WorkerNamespace: "default", WorkerPool: "pool-1", WorkerPod: "pod-1"}
	if err := s.CreateWorker(ctx, worker); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "second CreateWorker", s.CreateWorker(ctx, worker), ErrAlreadyExists)
	stored := proto.Clone(worker).(*pb.Worker)
	stored.Version = 1
	got, err := s.GetWorker(ctx, "default", "pool-1", "pod-1")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "created worker", stored, got)
	e := nextEvent(t, watch.Events)
	if e.Type != WorkerEventCreated {
		t.Errorf("event %v, want CREATED", e.Type)
	}
	wantEqual(t, "created event", stored, e.Worker)

	worker.ActorNamespace, worker.ActorTemplate, worker.ActorId = "default", "test-template", "session-1"
	if err := s.UpdateWorker(ctx, worker, 1); err != nil {
		t.Fatal(err)
	}
	if worker.Version != 0 {
		t.Errorf("UpdateWorker wrote version %d into the caller's message", worker.Version)
	}
	stored = proto.Clone(worker).(*pb.Worker)
	stored.Version = 2
	got, _ = s.GetWorker(ctx, "default", "pool-1", "pod-1")
	wantEqual(t, "updated worker", stored, got)
	e = nextEvent(t, watch.Events)
	if e.Type != WorkerEventUpdated {
		t.Errorf("event %v, want UPDATED", e.Type)
	}
	wantEqual(t, "updated event", stored, e.Worker)

	wantErr(t, "UpdateWorker at a stale version", s.UpdateWorker(ctx, worker, 1), ErrPersistenceRetry)
	changed := proto.Clone(worker).(*pb.Worker)
	changed.Ip = "10.0.0.9"
	wantErr(t, "UpdateWorker of ip", s.UpdateWorker(ctx, changed, 2), ErrInvalidArgument)
	other := &pb.Worker{WorkerNamespace: "default", WorkerPool: "pool-1", WorkerPod: "missing"}
	wantErr(t, "UpdateWorker of a missing worker", s.UpdateWorker(ctx, other, 1), ErrNotFound)

	if err := s.DeleteWorker(ctx, "default", "pool-1", "pod-1"); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetWorker(ctx, "default", "pool-1", "pod-1")
	wantErr(t, "GetWorker after delete", err, ErrNotFound)
	e = nextEvent(t, watch.Events)
	if e.Type != WorkerEventDeleted {
		t.Errorf("event %v, want DELETED", e.Type)
	}
	// Difference: upstream's Deleted carries the key's namespace and pod
	// only; atesql's carries the worker as last stored.
	wantEqual(t, "deleted event", stored, e.Worker)
	if err := s.DeleteWorker(ctx, "default", "pool-1", "pod-1"); err != nil {
		t.Errorf("DeleteWorker of a missing worker: %v", err)
	}
	// Difference: no event for a delete that changed nothing.
	select {
	case e := <-watch.Events:
		t.Errorf("event for deleting a missing worker: %v", e)
	case <-time.After(300 * time.Millisecond):
	}
	watch.Close()
	for range watch.Events {
	}
}

func TestDeleteActor(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	withAtespace(t, s, atespaceA)
	wantErr(t, "DeleteActor of a missing actor", s.DeleteActor(ctx, atespaceA, "missing"), ErrNotFound)
	running := suspendedActor("running")
	running.Status = pb.Actor_STATUS_RUNNING
	if err := s.CreateActor(ctx, running); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteActor of a running actor", s.DeleteActor(ctx, atespaceA, "running"), ErrFailedPrecondition)
	if _, err := s.GetActor(ctx, atespaceA, "running"); err != nil {
		t.Errorf("the refused delete removed the actor: %v", err)
	}
	if err := s.CreateActor(ctx, suspendedActor("idle")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteActor(ctx, atespaceA, "idle"); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetActor(ctx, atespaceA, "idle")
	wantErr(t, "GetActor after delete", err, ErrNotFound)
}

func TestListWorkers(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	got, err := s.ListWorkers(ctx)
	if err != nil || got != nil {
		t.Errorf("ListWorkers of none = %v, %v; want nil, nil", got, err)
	}
	// More than one page of the largest size.
	for i := 0; i < 1005; i++ {
		w := &pb.Worker{WorkerNamespace: "ns", WorkerPool: "pool", WorkerPod: fmt.Sprintf("pod-%04d", i)}
		if err := s.CreateWorker(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	got, err = s.ListWorkers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1005 || got[0].WorkerPod != "pod-0000" || got[1004].WorkerPod != "pod-1004" {
		t.Errorf("ListWorkers: %d workers, want 1005 in key order", len(got))
	}
}

func TestListActors(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	withAtespace(t, s, atespaceA, "team-b")
	got, next, err := s.ListActors(ctx, "", 10, "")
	if err != nil || len(got) != 0 || next != "" {
		t.Errorf("ListActors of none = %v, %q, %v", got, next, err)
	}
	for _, id := range []string{"a1", "a2"} {
		if err := s.CreateActor(ctx, suspendedActor(id)); err != nil {
			t.Fatal(err)
		}
	}
	b := suspendedActor("b1")
	b.Atespace = "team-b"
	if err := s.CreateActor(ctx, b); err != nil {
		t.Fatal(err)
	}
	ids := func(as []*pb.Actor) string {
		out := ""
		for _, a := range as {
			out += a.Atespace + "/" + a.ActorId + " "
		}
		return out
	}
	if got, _, _ := s.ListActors(ctx, atespaceA, 1000, ""); ids(got) != "team-a/a1 team-a/a2 " {
		t.Errorf("ListActors(team-a) = %s", ids(got))
	}
	if got, _, _ := s.ListActors(ctx, "team-b", 1000, ""); ids(got) != "team-b/b1 " {
		t.Errorf("ListActors(team-b) = %s", ids(got))
	}
	if got, _, _ := s.ListActors(ctx, "", 1000, ""); ids(got) != "team-a/a1 team-a/a2 team-b/b1 " {
		t.Errorf("ListActors(all) = %s", ids(got))
	}
	// Pages of 2: every actor once.
	var all []*pb.Actor
	token := ""
	for pages := 0; ; pages++ {
		page, next, err := s.ListActors(ctx, "", 2, token)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if token = next; token == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if ids(all) != "team-a/a1 team-a/a2 team-b/b1 " {
		t.Errorf("paged ListActors = %s", ids(all))
	}
	_, _, err = s.ListActors(ctx, "", 2, "not-a-token")
	wantErr(t, "ListActors with a bad token", err, ErrInvalidArgument)
}

func TestLocks(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	ok, err := s.AcquireLock(ctx, "lock:actor:1", "token-1", 30*time.Second)
	if err != nil || !ok {
		t.Fatalf("AcquireLock = %v, %v", ok, err)
	}
	if ok, err := s.AcquireLock(ctx, "lock:actor:1", "token-2", 30*time.Second); err != nil || ok {
		t.Errorf("AcquireLock of a held lock = %v, %v; want false", ok, err)
	}
	if ok, err := s.AcquireLock(ctx, "lock:actor:1", "token-1", 30*time.Second); err != nil || ok {
		t.Errorf("AcquireLock again by its holder = %v, %v; want false (not re-entrant)", ok, err)
	}
	// Releasing with another token is nil and leaves the lock held.
	if err := s.ReleaseLock(ctx, "lock:actor:1", "token-2"); err != nil {
		t.Errorf("ReleaseLock by a non-holder: %v", err)
	}
	if ok, _ := s.AcquireLock(ctx, "lock:actor:1", "token-3", time.Second); ok {
		t.Error("a non-holder's release freed the lock")
	}
	if err := s.ReleaseLock(ctx, "lock:actor:1", "token-1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.AcquireLock(ctx, "lock:actor:1", "token-2", 30*time.Second); err != nil || !ok {
		t.Errorf("AcquireLock after release = %v, %v", ok, err)
	}
	if err := s.ReleaseLock(ctx, "never-held", "token"); err != nil {
		t.Errorf("ReleaseLock of a free lock: %v", err)
	}
	// Expiry, on the database clock.
	if ok, _ := s.AcquireLock(ctx, "short", "token-1", 200*time.Millisecond); !ok {
		t.Fatal("AcquireLock(short) failed")
	}
	time.Sleep(400 * time.Millisecond)
	if ok, err := s.AcquireLock(ctx, "short", "token-2", time.Second); err != nil || !ok {
		t.Errorf("AcquireLock after the TTL = %v, %v; want true", ok, err)
	}
	_, err = s.AcquireLock(ctx, "negative", "token", -time.Second)
	wantErr(t, "AcquireLock with a negative ttl", err, ErrInvalidArgument)
}

func TestAtespaces(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	if got, err := s.ListAtespaces(ctx); err != nil || got != nil {
		t.Errorf("ListAtespaces of none = %v, %v; want nil, nil", got, err)
	}
	_, err := s.GetAtespace(ctx, "team-a")
	wantErr(t, "GetAtespace", err, ErrNotFound)
	if ok, err := s.AtespaceExists(ctx, "team-a"); err != nil || ok {
		t.Errorf("AtespaceExists before create = %v, %v", ok, err)
	}
	withAtespace(t, s, "team-b", "team-a")
	wantErr(t, "second CreateAtespace", s.CreateAtespace(ctx, &pb.Atespace{Name: "team-a"}), ErrAlreadyExists)
	got, err := s.GetAtespace(ctx, "team-a")
	if err != nil {
		t.Fatal(err)
	}
	wantEqual(t, "atespace", &pb.Atespace{Name: "team-a"}, got)
	if ok, err := s.AtespaceExists(ctx, "team-a"); err != nil || !ok {
		t.Errorf("AtespaceExists after create = %v, %v", ok, err)
	}
	list, err := s.ListAtespaces(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "team-a" || list[1].Name != "team-b" {
		t.Errorf("ListAtespaces = %v, %v", list, err)
	}

	wantErr(t, "DeleteAtespace of a missing one", s.DeleteAtespace(ctx, "missing"), ErrNotFound)
	if err := s.CreateActor(ctx, suspendedActor("a1")); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteAtespace holding an actor", s.DeleteAtespace(ctx, "team-a"), ErrFailedPrecondition)
	// An actor elsewhere does not keep team-b.
	if err := s.DeleteAtespace(ctx, "team-b"); err != nil {
		t.Errorf("DeleteAtespace(team-b) while team-a holds actors: %v", err)
	}
	if err := s.DeleteActor(ctx, atespaceA, "a1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAtespace(ctx, "team-a"); err != nil {
		t.Errorf("DeleteAtespace once empty: %v", err)
	}
	if ok, _ := s.AtespaceExists(ctx, "team-a"); ok {
		t.Error("the atespace exists after its delete")
	}
	// Difference: an actor's atespace must exist, and be named.
	wantErr(t, "CreateActor in a missing atespace", s.CreateActor(ctx, suspendedActor("a2")), ErrFailedPrecondition)
	noAtespace := suspendedActor("a3")
	noAtespace.Atespace = ""
	wantErr(t, "CreateActor without an atespace", s.CreateActor(ctx, noAtespace), ErrInvalidArgument)
}

func TestDebugClearAll(t *testing.T) {
	s := newStore(t, nil)
	ctx := ctxFor(t)
	withAtespace(t, s, atespaceA)
	if err := s.CreateActor(ctx, suspendedActor("a1")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateWorker(ctx, &pb.Worker{WorkerNamespace: "n", WorkerPool: "p", WorkerPod: "w"}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.AcquireLock(ctx, "l", "v", time.Minute); !ok {
		t.Fatal("AcquireLock")
	}
	if err := s.DebugClearAll(ctx); err != nil {
		t.Fatal(err)
	}
	if ws, _ := s.ListWorkers(ctx); ws != nil {
		t.Errorf("workers after clear: %v", ws)
	}
	if as, _ := s.ListAtespaces(ctx); as != nil {
		t.Errorf("atespaces after clear: %v", as)
	}
	if ok, _ := s.AcquireLock(ctx, "l", "other", time.Minute); !ok {
		t.Error("the lock survived the clear")
	}
}
