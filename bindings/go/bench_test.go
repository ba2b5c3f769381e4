package atesql

// Benchmarks: each operation through the C library directly ("c",
// internal/cbaseline) and through the package, on the same database, so
// that the ratio is what the package adds. The package runs twice: with a
// context that can be cancelled ("go", as a request's context is), whose
// call arms a timer that would watch the context were the call to run past
// a millisecond, and with one that cannot ("go-nocancel",
// context.Background). bench.sh runs them on both backends and
// prints the table docs/BENCHMARKS.md reports.

import (
	pb "atesql.dev/go/ateapipb"
	"context"
	"fmt"
	"testing"

	"atesql.dev/go/internal/cbaseline"
)

// benchFleet is a store of 1000 workers in pool ns/cpu, 500 of them free,
// and a C handle on the same database.
func benchFleet(b *testing.B) (*testStore, *cbaseline.Handle) {
	b.Helper()
	url := testURL(b)
	s, err := Open[*pb.Actor, *pb.Worker, *pb.Atespace](url, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		w := freeWorker(fmt.Sprintf("pod-%04d", i), fmt.Sprintf("node-%d", i%10))
		if i%2 == 1 {
			w.ActorAtespace, w.ActorId = "busy", fmt.Sprint(i)
		}
		if err := s.CreateWorker(ctx, w); err != nil {
			b.Fatal(err)
		}
	}
	h, err := cbaseline.Open(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	return s, h
}

// contexts are the two contexts the package is measured with, in a fixed
// order.
func contexts(cancellable context.Context) []namedContext {
	return []namedContext{{"go", cancellable}, {"go-nocancel", context.Background()}}
}

type namedContext struct {
	name string
	ctx  context.Context
}

func BenchmarkGet(b *testing.B) {
	s, h := benchFleet(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("c", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := h.Get("ns", "cpu", "pod-0042"); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range contexts(ctx) {
		ctx := c.ctx
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := s.GetWorker(ctx, "ns", "cpu", "pod-0042"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListPage100(b *testing.B) {
	s, h := benchFleet(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const sel = "worker_pool=cpu,actor_id="
	b.Run("c", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if n, err := h.List(sel, 100); err != nil || n != 100 {
				b.Fatal(n, err)
			}
		}
	})
	for _, c := range contexts(ctx) {
		ctx := c.ctx
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p, err := s.ListWorkersPage(ctx, ListOptions{Selector: sel, PageSize: 100})
				if err != nil || len(p.Workers) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkClaimRelease(b *testing.B) {
	s, h := benchFleet(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("c", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := h.ClaimRelease("ns", "cpu", "team-a", "a1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	req := &ClaimRequest{Pools: []PoolRef{{"ns", "cpu"}}, ActorAtespace: "team-a", ActorID: "a1"}
	for _, c := range contexts(ctx) {
		ctx := c.ctx
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				w, err := s.ClaimWorker(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.ReleaseWorker(ctx, "ns", "cpu", w.WorkerPod, "team-a", "a1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
