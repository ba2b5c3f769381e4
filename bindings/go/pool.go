package atesql

/*
#cgo pkg-config: atesql
#include <stdint.h>
#include <stdlib.h>
#include <atesql/atesql.h>
*/
import "C"

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// A handle is one C store handle: one connection, used by one goroutine at
// a time.
type handle = *C.atesql_store

// pool holds up to size handles, opened as calls need them.
type pool struct {
	url    string
	size   int
	idle   chan *conn
	closed chan struct{}

	mu     sync.Mutex
	opened int
	done   bool

	timeout time.Duration // the bound of a call whose context has none
}

func newPool(url string, size int) *pool {
	return &pool{url: url, size: size, idle: make(chan *conn, size),
		closed: make(chan struct{})}
}

// open makes a handle on the pool's database.
func openHandle(url string) (handle, error) {
	curl, err := cString("open", "url", url)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(curl))
	var h handle
	var cerr C.atesql_error
	if st := C.atesql_store_open(curl, &h, &cerr); st != C.ATESQL_OK {
		return nil, errorOf("open", st, errMessage(&cerr))
	}
	return h, nil
}

var errClosed = &Error{Op: "store", Code: CodeFailedPrecondition, Message: "the store is closed"}

// conn is a pooled handle and what an interrupt needs to know of it.
type conn struct {
	h handle
	// Under mu: running is true while a call whose context can end is in
	// its C call, ctx is that call's context, and watching is the channel
	// closed when it returns, once a watch of ctx was armed. An interrupt
	// is sent only for the call it was armed for, so that it never lands on
	// the handle's next call.
	mu       sync.Mutex
	running  bool
	ctx      context.Context
	watching chan struct{}
	arm      *time.Timer // runs watch armDelay into a call; made on first use
}

// watch waits, in a goroutine of the timer's, for the running call's
// context to end or the call to return, and interrupts the call in the
// first case. A timer that fires late finds the call gone, or arms early
// for the next one, which is as good.
func (c *conn) watch() {
	c.mu.Lock()
	if !c.running || c.watching != nil {
		c.mu.Unlock()
		return
	}
	ctx, finished := c.ctx, make(chan struct{})
	c.watching = finished
	c.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-finished:
		return
	}
	c.mu.Lock()
	if c.watching == finished {
		C.atesql_store_interrupt(c.h)
	}
	c.mu.Unlock()
}

// get takes an idle handle, opens one while fewer than size are open, or
// waits for one until ctx ends.
func (p *pool) get(ctx context.Context) (*conn, error) {
	select {
	case h := <-p.idle:
		return h, nil
	default:
	}
	p.mu.Lock()
	if p.done {
		p.mu.Unlock()
		return nil, errClosed
	}
	if p.opened < p.size {
		p.opened++
		p.mu.Unlock()
		h, err := openHandle(p.url)
		if err != nil {
			p.mu.Lock()
			p.opened--
			p.mu.Unlock()
			return nil, err
		}
		return &conn{h: h}, nil
	}
	p.mu.Unlock()
	select {
	case h := <-p.idle:
		return h, nil
	case <-p.closed:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// put gives back a handle whose call has returned; after close it is
// closed instead.
func (p *pool) put(c *conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		C.atesql_store_close(c.h)
		p.opened--
		return
	}
	p.idle <- c // never blocks: at most size handles exist
}

// close closes the idle handles now and the busy ones as their calls
// return.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	p.done = true
	close(p.closed)
	for {
		select {
		case c := <-p.idle:
			C.atesql_store_close(c.h)
			p.opened--
		default:
			return
		}
	}
}

// armDelay is how long a call whose context can end runs before a watch
// of the context is armed: a call that ends sooner (most of them) costs a
// timer, not a goroutine.
const armDelay = time.Millisecond

// call runs fn on a handle, on the caller's goroutine, and returns what fn
// returns. The handle's timeout is set from ctx's deadline (else the
// store's Timeout), so the database call itself ends by then. When ctx can
// be cancelled, a call still running after armDelay gets a watch of ctx
// that interrupts it (atesql_store_interrupt) when ctx ends: the C call
// returns CANCELLED promptly, and call returns ctx.Err(). The handle goes
// back to the pool only when fn has returned, sound.
func call[T any](p *pool, ctx context.Context, fn func(h handle) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	c, err := p.get(ctx)
	if err != nil {
		return zero, err
	}
	defer p.put(c)
	C.atesql_store_set_timeout(c.h, C.int64_t(timeoutMs(ctx, p.timeout)))
	if ctx.Done() == nil {
		return fn(c.h)
	}
	c.mu.Lock()
	c.running, c.ctx = true, ctx
	c.mu.Unlock()
	if c.arm == nil {
		c.arm = time.AfterFunc(armDelay, c.watch)
	} else {
		c.arm.Reset(armDelay)
	}
	v, err := fn(c.h)
	c.arm.Stop()
	c.mu.Lock()
	finished := c.watching
	c.running, c.ctx, c.watching = false, nil, nil
	c.mu.Unlock()
	if finished != nil {
		close(finished)
	}
	if err != nil {
		return zero, contextErr(ctx, err)
	}
	return v, err
}

// contextErr is what a call that failed with err returns: ctx's error when
// ctx has ended, or has a deadline that has passed (the C call, bounded by
// that deadline, can return before the context's own timer has fired on a
// loaded machine); else err.
func contextErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}

// run is call for fn without results.
func run(p *pool, ctx context.Context, fn func(h handle) error) error {
	_, err := call(p, ctx, func(h handle) (struct{}, error) { return struct{}{}, fn(h) })
	return err
}

// timeoutMs is what is left of ctx's deadline in whole milliseconds (at
// least 1); without one, fallback in milliseconds (0: no bound).
func timeoutMs(ctx context.Context, fallback time.Duration) int64 {
	d, ok := ctx.Deadline()
	if !ok {
		d = time.Now().Add(fallback)
		if fallback == 0 {
			return 0
		}
	}
	ms := int64(math.Ceil(float64(time.Until(d)) / float64(time.Millisecond)))
	if ms < 1 {
		return 1
	}
	if ms > math.MaxInt32 {
		return math.MaxInt32
	}
	return ms
}

// fail is the error of a call on h that returned st.
func fail(h handle, op string, st C.atesql_status) error {
	return errorOf(op, st, C.GoString(C.atesql_errmsg(h)))
}

// cString is a C copy of s (free it with C.free). A Go string may hold a
// NUL byte, which would cut the C string short and name another record,
// so one is refused.
func cString(op, field, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, &Error{Op: op, Code: CodeInvalidArgument,
			Message: "field '" + field + "' holds a NUL byte"}
	}
	return C.CString(s), nil
}

// cArgs holds the C copies of a call's string arguments.
type cArgs struct {
	strs []*C.char
	err  error
	op   string
}

// str is a C copy of s, freed by free; after a refused string, every
// later one is nil and err says why.
func (a *cArgs) str(field, s string) *C.char {
	if a.err != nil {
		return nil
	}
	c, err := cString(a.op, field, s)
	if err != nil {
		a.err = err
		return nil
	}
	a.strs = append(a.strs, c)
	return c
}

func (a *cArgs) free() {
	for _, s := range a.strs {
		C.free(unsafe.Pointer(s))
	}
}
