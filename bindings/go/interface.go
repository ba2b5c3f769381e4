package atesql

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"
)

// Interface is the method set of upstream's store.Interface
// (agent-substrate/substrate, cmd/ateapi/internal/store) over the message
// types A, W and S of ateapi.Actor, ateapi.Worker and ateapi.Atespace:
// with upstream's own generated types, it is upstream's method set. Store
// implements it (checked at compile time in store.go).
type Interface[A, W, S proto.Message] interface {
	GetActor(ctx context.Context, atespace, id string) (A, error)
	CreateActor(ctx context.Context, actor A) error
	UpdateActor(ctx context.Context, actor A, expectedVersion int64) error
	DeleteActor(ctx context.Context, atespace, id string) error
	ListActors(ctx context.Context, atespace string, pageSize int32, pageToken string) ([]A, string, error)

	CreateAtespace(ctx context.Context, atespace S) error
	GetAtespace(ctx context.Context, name string) (S, error)
	ListAtespaces(ctx context.Context) ([]S, error)
	AtespaceExists(ctx context.Context, name string) (bool, error)
	DeleteAtespace(ctx context.Context, name string) error

	GetWorker(ctx context.Context, namespace, pool, pod string) (W, error)
	CreateWorker(ctx context.Context, worker W) error
	UpdateWorker(ctx context.Context, worker W, expectedVersion int64) error
	DeleteWorker(ctx context.Context, namespace, pool, pod string) error
	ListWorkers(ctx context.Context) ([]W, error)
	WatchWorkers(ctx context.Context) (*WorkerWatch[W], error)

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
type WorkerEvent[W proto.Message] struct {
	Type   WorkerEventType
	Worker W
}

// WorkerWatch is upstream's subscription: Events is closed after Close, at
// the end of the context, or when the subscription is lost.
type WorkerWatch[W proto.Message] struct {
	Events <-chan WorkerEvent[W]
	stop   context.CancelFunc
}

// NewWorkerWatch makes a WorkerWatch of an events channel and the function
// that ends its subscription.
func NewWorkerWatch[W proto.Message](events <-chan WorkerEvent[W], stop context.CancelFunc) *WorkerWatch[W] {
	return &WorkerWatch[W]{Events: events, stop: stop}
}

// Close ends the subscription. Safe to call more than once.
func (w *WorkerWatch[W]) Close() { w.stop() }
