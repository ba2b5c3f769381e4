package atesql

// #include <atesql/atesql.h>
import "C"

import (
	"errors"
	"fmt"
)

// The errors of upstream's store interface. Every error the store returns
// is an *Error; errors.Is matches it against these by its Code.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("persistence: not found")
	// ErrAlreadyExists: a create of a key that exists.
	ErrAlreadyExists = errors.New("persistence: already exists")
	// ErrPersistenceRetry: a version mismatch or a serialization failure
	// (CONFLICT): reload and retry.
	ErrPersistenceRetry = errors.New("persistence: retry status")
	// ErrFailedPrecondition: the record's state forbids the call (an actor
	// not suspended, an atespace that holds actors or does not exist).
	ErrFailedPrecondition = errors.New("persistence: failed precondition")
)

// What atesql adds to upstream's errors.
var (
	// ErrInvalidArgument: bad input (an empty key part, a changed
	// immutable field, a bad selector or page token); nothing was written.
	ErrInvalidArgument = errors.New("atesql: invalid argument")
	// ErrUnavailable: the database could not be reached, or an I/O error
	// struck. A write may or may not have happened: reread, then retry.
	ErrUnavailable = errors.New("atesql: unavailable")
	// ErrResourceExhausted: a claim found no free worker that fits.
	ErrResourceExhausted = errors.New("atesql: resource exhausted")
	// ErrCompacted: the events a watch needs were compacted away: list
	// again and watch from the list's revision.
	ErrCompacted = errors.New("atesql: compacted")
)

// Code is the status of a failed call, as the C library names it
// ("NOT_FOUND", "CONFLICT", ...).
type Code int

// The codes, with the C library's values.
const (
	CodeNotFound           Code = C.ATESQL_NOT_FOUND
	CodeAlreadyExists      Code = C.ATESQL_ALREADY_EXISTS
	CodeConflict           Code = C.ATESQL_CONFLICT
	CodeFailedPrecondition Code = C.ATESQL_FAILED_PRECONDITION
	CodeInvalidArgument    Code = C.ATESQL_INVALID_ARGUMENT
	CodeUnavailable        Code = C.ATESQL_UNAVAILABLE
	CodeNoMemory           Code = C.ATESQL_NO_MEMORY
	CodeInternal           Code = C.ATESQL_INTERNAL
	CodeDeadlineExceeded   Code = C.ATESQL_DEADLINE_EXCEEDED
	CodeResourceExhausted  Code = C.ATESQL_RESOURCE_EXHAUSTED
	CodeCompacted          Code = C.ATESQL_COMPACTED
)

func (c Code) String() string {
	return C.GoString(C.atesql_status_str(C.atesql_status(c)))
}

// Error is a failed call: the operation, the C library's status and its
// message, which names what was wrong.
type Error struct {
	Op      string
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("atesql: %s: %s", e.Op, e.Code)
	}
	return fmt.Sprintf("atesql: %s: %s: %s", e.Op, e.Code, e.Message)
}

// Is matches the sentinel errors by code. A DEADLINE_EXCEEDED of the
// database (the handle's own bound) matches ErrUnavailable: like it, a
// write may or may not have happened.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == CodeNotFound
	case ErrAlreadyExists:
		return e.Code == CodeAlreadyExists
	case ErrPersistenceRetry:
		return e.Code == CodeConflict
	case ErrFailedPrecondition:
		return e.Code == CodeFailedPrecondition
	case ErrInvalidArgument:
		return e.Code == CodeInvalidArgument
	case ErrUnavailable:
		return e.Code == CodeUnavailable || e.Code == CodeDeadlineExceeded
	case ErrResourceExhausted:
		return e.Code == CodeResourceExhausted
	case ErrCompacted:
		return e.Code == CodeCompacted
	}
	return false
}

// errorOf is the error of status st, with msg, or nil for OK.
func errorOf(op string, st C.atesql_status, msg string) error {
	if st == C.ATESQL_OK {
		return nil
	}
	return &Error{Op: op, Code: Code(st), Message: msg}
}
