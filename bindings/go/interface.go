package atesql

import (
	"context"
	"time"

	pb "atesql.dev/go/ateapipb"
)

// Interface is the method set of upstream's store.Interface
// (agent-substrate/substrate, cmd/ateapi/internal/store), with this
// package's message types, which carry upstream's proto full names. Store
// implements it (checked at compile time in store.go).
type Interface interface {
	GetActor(ctx context.Context, atespace, id string) (*pb.Actor, error)
	CreateActor(ctx context.Context, actor *pb.Actor) error
	UpdateActor(ctx context.Context, actor *pb.Actor, expectedVersion int64) error
	DeleteActor(ctx context.Context, atespace, id string) error
	ListActors(ctx context.Context, atespace string, pageSize int32, pageToken string) ([]*pb.Actor, string, error)

	CreateAtespace(ctx context.Context, atespace *pb.Atespace) error
	GetAtespace(ctx context.Context, name string) (*pb.Atespace, error)
	ListAtespaces(ctx context.Context) ([]*pb.Atespace, error)
	AtespaceExists(ctx context.Context, name string) (bool, error)
	DeleteAtespace(ctx context.Context, name string) error

	GetWorker(ctx context.Context, namespace, pool, pod string) (*pb.Worker, error)
	CreateWorker(ctx context.Context, worker *pb.Worker) error
	UpdateWorker(ctx context.Context, worker *pb.Worker, expectedVersion int64) error
	DeleteWorker(ctx context.Context, namespace, pool, pod string) error
	ListWorkers(ctx context.Context) ([]*pb.Worker, error)
	WatchWorkers(ctx context.Context) (*WorkerWatch, error)

	AcquireLock(ctx context.Context, key string, value string, ttl time.Duration) (bool, error)
	ReleaseLock(ctx context.Context, key string, value string) error

	DebugClearAll(ctx context.Context) error
}

// WorkerEventType is the kind of a worker change, numbered as upstream's.
type WorkerEventType int

const (
	WorkerEventCreated WorkerEventType = iota
	WorkerEventUpdated
	WorkerEventDeleted
)

func (t WorkerEventType) String() string {
	switch t {
	case WorkerEventCreated:
		return "CREATED"
	case WorkerEventUpdated:
		return "UPDATED"
	case WorkerEventDeleted:
		return "DELETED"
	}
	return "UNKNOWN"
}

// WorkerEvent is one worker change, as upstream's watch delivers it.
type WorkerEvent struct {
	Type   WorkerEventType
	Worker *pb.Worker
}

// WorkerWatch is upstream's subscription: Events is closed after Close, at
// the end of the context, or when the subscription is lost.
type WorkerWatch struct {
	Events <-chan WorkerEvent
	stop   context.CancelFunc
}

// NewWorkerWatch makes a WorkerWatch of an events channel and the function
// that ends its subscription.
func NewWorkerWatch(events <-chan WorkerEvent, stop context.CancelFunc) *WorkerWatch {
	return &WorkerWatch{Events: events, stop: stop}
}

// Close ends the subscription. Safe to call more than once.
func (w *WorkerWatch) Close() { w.stop() }
