// Package cbaseline calls the C library directly, with no Go records, for
// the package's benchmarks: the same operations as the Go calls they are
// compared with, each ending with the C results freed, so that the
// difference between the two is what the Go package adds (cgo, protojson
// to Go messages, the pool, the context).
package cbaseline

/*
#cgo pkg-config: atesql
#include <stdlib.h>
#include <atesql/atesql.h>

static atesql_status claim_release(atesql_store *s, const char *ns,
                                   const char *pool, const char *atespace,
                                   const char *id) {
  atesql_pool_ref ref = {ns, pool};
  atesql_claim_request req = {0};
  req.pools = &ref;
  req.pool_count = 1;
  req.actor_atespace = atespace;
  req.actor_id = id;
  atesql_worker *w = NULL;
  atesql_status st = atesql_worker_claim(s, &req, &w);
  if (st != ATESQL_OK) return st;
  st = atesql_worker_release(s, w->worker_namespace, w->worker_pool,
                             w->worker_pod, atespace, id, NULL);
  atesql_worker_free(w);
  return st;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Handle is one C store handle.
type Handle struct{ s *C.atesql_store }

// Open opens a handle on url.
func Open(url string) (*Handle, error) {
	curl := C.CString(url)
	defer C.free(unsafe.Pointer(curl))
	var s *C.atesql_store
	var cerr C.atesql_error
	if C.atesql_store_open(curl, &s, &cerr) != C.ATESQL_OK {
		return nil, errors.New(C.GoString(&cerr.message[0]))
	}
	return &Handle{s}, nil
}

// Close closes the handle.
func (h *Handle) Close() { C.atesql_store_close(h.s) }

func (h *Handle) fail(st C.atesql_status) error {
	if st == C.ATESQL_OK {
		return nil
	}
	return errors.New(C.GoString(C.atesql_errmsg(h.s)))
}

// Get reads a worker and frees it.
func (h *Handle) Get(ns, pool, pod string) error {
	cns, cpool, cpod := C.CString(ns), C.CString(pool), C.CString(pod)
	defer C.free(unsafe.Pointer(cns))
	defer C.free(unsafe.Pointer(cpool))
	defer C.free(unsafe.Pointer(cpod))
	var w *C.atesql_worker
	st := C.atesql_worker_get(h.s, cns, cpool, cpod, &w)
	C.atesql_worker_free(w)
	return h.fail(st)
}

// List reads one page of n workers the selector picks and frees it; it
// returns the page's length.
func (h *Handle) List(selector string, n int) (int, error) {
	csel := C.CString(selector)
	defer C.free(unsafe.Pointer(csel))
	opts := C.atesql_list_opts{selector_text: csel, page_size: C.size_t(n)}
	var page *C.atesql_worker_page
	if st := C.atesql_worker_list(h.s, &opts, &page); st != C.ATESQL_OK {
		return 0, h.fail(st)
	}
	count := int(page.count)
	C.atesql_worker_page_free(page)
	return count, nil
}

// ClaimRelease claims a worker of the pool for the actor and releases it.
func (h *Handle) ClaimRelease(ns, pool, atespace, id string) error {
	cns, cpool := C.CString(ns), C.CString(pool)
	cas, cid := C.CString(atespace), C.CString(id)
	defer C.free(unsafe.Pointer(cns))
	defer C.free(unsafe.Pointer(cpool))
	defer C.free(unsafe.Pointer(cas))
	defer C.free(unsafe.Pointer(cid))
	return h.fail(C.claim_release(h.s, cns, cpool, cas, cid))
}
