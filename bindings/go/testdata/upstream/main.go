// Command upstream checks the adoption path: a program with message types
// generated from the same proto under another Go package, as upstream's
// pkg/proto/ateapipb is, and without this module's ateapipb (the protobuf
// runtime refuses two registrations of one full name), uses the store
// through the control plane's store interface, restated here with those
// types. test.sh generates upstream.example/ateapipb and builds it; the
// go tool skips testdata, so the rest of the module never sees it.
//
//	upstream URL
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	atesql "atesql.dev/go"
	"upstream.example/ateapipb"
)

// WorkerEvent, WorkerWatch and Interface restate the control plane's
// store package (cmd/ateapi/internal/store) over its own message types.
type WorkerEvent struct {
	Type   int
	Worker *ateapipb.Worker
}

type WorkerWatch struct {
	Events <-chan WorkerEvent
	stop   context.CancelFunc
}

func (w *WorkerWatch) Close() { w.stop() }

type Interface interface {
	GetActor(ctx context.Context, atespace, id string) (*ateapipb.Actor, error)
	CreateActor(ctx context.Context, actor *ateapipb.Actor) error
	UpdateActor(ctx context.Context, actor *ateapipb.Actor, expectedVersion int64) error
	DeleteActor(ctx context.Context, atespace, id string) error
	ListActors(ctx context.Context, atespace string, pageSize int32, pageToken string) ([]*ateapipb.Actor, string, error)
	CreateAtespace(ctx context.Context, atespace *ateapipb.Atespace) error
	GetAtespace(ctx context.Context, name string) (*ateapipb.Atespace, error)
	ListAtespaces(ctx context.Context) ([]*ateapipb.Atespace, error)
	AtespaceExists(ctx context.Context, name string) (bool, error)
	DeleteAtespace(ctx context.Context, name string) error
	GetWorker(ctx context.Context, namespace, pool, pod string) (*ateapipb.Worker, error)
	CreateWorker(ctx context.Context, worker *ateapipb.Worker) error
	UpdateWorker(ctx context.Context, worker *ateapipb.Worker, expectedVersion int64) error
	DeleteWorker(ctx context.Context, namespace, pool, pod string) error
	ListWorkers(ctx context.Context) ([]*ateapipb.Worker, error)
	WatchWorkers(ctx context.Context) (*WorkerWatch, error)
	AcquireLock(ctx context.Context, key string, value string, ttl time.Duration) (bool, error)
	ReleaseLock(ctx context.Context, key string, value string) error
	DebugClearAll(ctx context.Context) error
}

// persistence is what the control plane would construct in place of its
// Redis store: atesql's store over its types, and WatchWorkers handing
// the events over in its own watch type (the one method whose types are
// the store package's rather than the messages').
type persistence struct {
	*atesql.Store[*ateapipb.Actor, *ateapipb.Worker, *ateapipb.Atespace]
}

var _ Interface = persistence{}

func (p persistence) WatchWorkers(ctx context.Context) (*WorkerWatch, error) {
	w, err := p.Store.WatchWorkers(ctx)
	if err != nil {
		return nil, err
	}
	ch := make(chan WorkerEvent, 128)
	go func() {
		defer close(ch)
		for e := range w.Events {
			ch <- WorkerEvent{Type: int(e.Type), Worker: e.Worker}
		}
	}()
	return &WorkerWatch{Events: ch, stop: w.Close}, nil
}

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "upstream:", err)
		os.Exit(1)
	}
}

func run(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := atesql.Migrate(url); err != nil {
		return err
	}
	s, err := atesql.Open[*ateapipb.Actor, *ateapipb.Worker, *ateapipb.Atespace](url, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	var store Interface = persistence{s}

	if err := store.CreateAtespace(ctx, &ateapipb.Atespace{Name: "team-a"}); err != nil {
		return err
	}
	actor := &ateapipb.Actor{Atespace: "team-a", ActorId: "a1", ActorTemplateNamespace: "ns",
		ActorTemplateName: "t", Status: ateapipb.Actor_STATUS_SUSPENDED,
		WorkerSelector: &ateapipb.Selector{MatchLabels: map[string]string{"gpu": "h100"}}}
	if err := store.CreateActor(ctx, actor); err != nil {
		return err
	}
	actor.Status = ateapipb.Actor_STATUS_RUNNING
	if err := store.UpdateActor(ctx, actor, 1); err != nil || actor.Version != 2 {
		return fmt.Errorf("UpdateActor: %v, version %d", err, actor.Version)
	}
	got, err := store.GetActor(ctx, "team-a", "a1")
	if err != nil || got.GetWorkerSelector().GetMatchLabels()["gpu"] != "h100" || got.Status != ateapipb.Actor_STATUS_RUNNING {
		return fmt.Errorf("GetActor: %v, %v", got, err)
	}
	watch, err := store.WatchWorkers(ctx)
	if err != nil {
		return err
	}
	defer watch.Close()
	w := &ateapipb.Worker{WorkerNamespace: "ns", WorkerPool: "cpu", WorkerPod: "pod-1", NodeName: "node-1"}
	if err := store.CreateWorker(ctx, w); err != nil {
		return err
	}
	select {
	case e := <-watch.Events:
		if e.Worker.GetWorkerPod() != "pod-1" || e.Worker.GetVersion() != 1 {
			return fmt.Errorf("event %v", e)
		}
	case <-time.After(5 * time.Second):
		return errors.New("no event")
	}
	claimed, err := s.ClaimWorker(ctx, &atesql.ClaimRequest{
		Pools: []atesql.PoolRef{{Namespace: "ns", Pool: "cpu"}}, ActorAtespace: "team-a", ActorID: "a1"})
	if err != nil || claimed.GetActorId() != "a1" {
		return fmt.Errorf("ClaimWorker: %v, %v", claimed, err)
	}
	workers, err := store.ListWorkers(ctx)
	if err != nil || len(workers) != 1 || workers[0].GetVersion() != 2 {
		return fmt.Errorf("ListWorkers: %v, %v", workers, err)
	}
	fmt.Println("upstream types: the store interface over another generated package works")
	return nil
}
