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
	"time"

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

// interleave runs the three ways of an operation (the C API, the package
// with a cancellable context, and with context.Background) b.N times
// each, in blocks of block calls that take turns in a rotating order, so
// that the machine's drift, which on a shared VM is larger than the
// package's cost, falls on all three alike. It reports each one's time
// per call as c-ns/op, go-ns/op and go-nocancel-ns/op.
func interleave(b *testing.B, block int, c func(), viaGo func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ways := []func(){c, func() { viaGo(ctx) }, func() { viaGo(context.Background()) }}
	var spent [3]time.Duration
	b.ResetTimer()
	for done, turn := 0, 0; done < b.N; turn++ {
		n := block
		if b.N-done < n {
			n = b.N - done
		}
		for k := 0; k < 3; k++ {
			way := (turn + k) % 3
			start := time.Now()
			for i := 0; i < n; i++ {
				ways[way]()
			}
			spent[way] += time.Since(start)
		}
		done += n
	}
	for k, unit := range []string{"c-ns/op", "go-ns/op", "go-nocancel-ns/op"} {
		b.ReportMetric(float64(spent[k].Nanoseconds())/float64(b.N), unit)
	}
}

func BenchmarkGet(b *testing.B) {
	s, h := benchFleet(b)
	interleave(b, 50, func() {
		if err := h.Get("ns", "cpu", "pod-0042"); err != nil {
			b.Fatal(err)
		}
	}, func(ctx context.Context) {
		if _, err := s.GetWorker(ctx, "ns", "cpu", "pod-0042"); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkListPage100(b *testing.B) {
	s, h := benchFleet(b)
	const sel = "worker_pool=cpu,actor_id="
	interleave(b, 20, func() {
		if n, err := h.List(sel, 100); err != nil || n != 100 {
			b.Fatal(n, err)
		}
	}, func(ctx context.Context) {
		p, err := s.ListWorkersPage(ctx, ListOptions{Selector: sel, PageSize: 100})
		if err != nil || len(p.Workers) != 100 {
			b.Fatal(err)
		}
	})
}

func BenchmarkClaimRelease(b *testing.B) {
	s, h := benchFleet(b)
	req := &ClaimRequest{Pools: []PoolRef{{"ns", "cpu"}}, ActorAtespace: "team-a", ActorID: "a1"}
	interleave(b, 5, func() {
		if err := h.ClaimRelease("ns", "cpu", "team-a", "a1"); err != nil {
			b.Fatal(err)
		}
	}, func(ctx context.Context) {
		w, err := s.ClaimWorker(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.ReleaseWorker(ctx, "ns", "cpu", w.WorkerPod, "team-a", "a1"); err != nil {
			b.Fatal(err)
		}
	})
}
