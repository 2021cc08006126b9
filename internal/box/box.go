// Package box makes interface values that point into memory the caller
// already has, instead of a heap copy of each value. Go boxes a non-pointer
// value put into an interface (an int64, a string, a slice header) into an
// allocation of its own; a binlog row of 40 columns has dozens such values
// an image. A value boxed here lives in an array made for many of them (a
// rows event's), or next to its bytes (mysqltypes' DECIMALs).
//
// An interface is two words, the value's type and a pointer to the value,
// as the runtime lays out every interface holding a non-pointer type. The
// memory a boxed value points to must never be written again: an interface
// value is immutable, and copies of it share that memory.
package box

import "unsafe"

// Type is the type word of an interface holding a value of sample's type.
func Type(sample any) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&sample))[0]
}

// Make is the interface value of the type typ (from Type) whose value is
// at p. p must point to a value of that type, never written again.
func Make(typ, p unsafe.Pointer) any {
	var v any
	w := (*[2]unsafe.Pointer)(unsafe.Pointer(&v))
	w[0], w[1] = typ, p
	return v
}

// Arena hands out interface values of T, each pointing into an array made
// for many of them: one allocation per chunk instead of one per value.
// An Arena is for one goroutine; the values it returned stay valid for as
// long as they are referenced, whatever the Arena does next.
type Arena[T any] struct {
	typ   unsafe.Pointer
	buf   []T
	chunk int
}

// NewArena returns an arena whose arrays hold chunk values each.
func NewArena[T any](chunk int) *Arena[T] {
	var zero T
	return &Arena[T]{typ: Type(zero), chunk: max(chunk, 1)}
}

// Box returns v as an interface value.
func (a *Arena[T]) Box(v T) any {
	if len(a.buf) == cap(a.buf) {
		// A new array, not append's copy: the values handed out point
		// into the old one, which stays as it is.
		a.buf = make([]T, 0, a.chunk)
	}
	a.buf = append(a.buf, v)
	return Make(a.typ, unsafe.Pointer(&a.buf[len(a.buf)-1]))
}
