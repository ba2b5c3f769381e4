// Command lockholder holds a worker's row, and on SQLite the database's
// write lock, from another process, so that the package's tests can watch
// a call block inside the C library and end with its context.
//
//	lockholder URL NAMESPACE/POOL/POD SECONDS
//
// It begins a transaction, updates the worker at version 1 (as a claim
// would), prints "locked", sleeps, and rolls back.
package main

/*
#cgo pkg-config: atesql
#include <stdlib.h>
#include <atesql/atesql.h>
*/
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: lockholder URL NAMESPACE/POOL/POD SECONDS")
		os.Exit(2)
	}
	key := strings.Split(os.Args[2], "/")
	secs, err := strconv.Atoi(os.Args[3])
	if len(key) != 3 || err != nil {
		fmt.Fprintln(os.Stderr, "lockholder: bad key or seconds")
		os.Exit(2)
	}
	url := C.CString(os.Args[1])
	defer C.free(unsafe.Pointer(url))
	var s *C.atesql_store
	var cerr C.atesql_error
	if C.atesql_store_open(url, &s, &cerr) != C.ATESQL_OK {
		fmt.Fprintln(os.Stderr, "lockholder: open:", C.GoString(&cerr.message[0]))
		os.Exit(1)
	}
	defer C.atesql_store_close(s)
	check := func(what string, st C.atesql_status) {
		if st != C.ATESQL_OK {
			fmt.Fprintf(os.Stderr, "lockholder: %s: %s\n", what, C.GoString(C.atesql_errmsg(s)))
			os.Exit(1)
		}
	}
	ns, pool, pod := C.CString(key[0]), C.CString(key[1]), C.CString(key[2])
	check("begin", C.atesql_tx_begin(s))
	var w *C.atesql_worker
	check("get", C.atesql_worker_get(s, ns, pool, pod, &w))
	actor := C.CString("held")
	w.actor_atespace, w.actor_id = actor, actor
	check("update", C.atesql_worker_update(s, w, 1, nil))
	fmt.Println("locked")
	time.Sleep(time.Duration(secs) * time.Second)
	check("rollback", C.atesql_tx_rollback(s))
}
