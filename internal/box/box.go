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

// Cells cuts slices of interface values (rows of cells) from arrays made
// for many of them. A Cells is for one goroutine; its zero value is ready,
// with arrays of at least Chunk cells.
type Cells struct {
	Chunk int
	buf   []any
}

// Cut returns n nil cells. The slice's capacity is n, so that appending
// to it cannot write into the next one's.
func (c *Cells) Cut(n int) []any {
	if cap(c.buf)-len(c.buf) < n {
		c.buf = make([]any, 0, max(c.Chunk, n, 1))
	}
	l := len(c.buf)
	c.buf = c.buf[:l+n]
	return c.buf[l : l+n : l+n]
}

// Text keeps the bytes of strings made from bytes the caller is about to
// overwrite or that it formats, in arrays shared by many strings. A Text
// is for one goroutine; its zero value is ready, with arrays of at least
// Chunk bytes. A string's bytes are never written again.
type Text struct {
	Chunk int
	buf   []byte
}

// Append returns the string that write appends to the shared bytes. up is
// how many bytes it may write at most: more still work, at the cost of a
// copy of the array into a larger one.
func (t *Text) Append(up int, write func([]byte) []byte) string {
	if cap(t.buf)-len(t.buf) < up {
		t.buf = make([]byte, 0, max(t.Chunk, up))
	}
	start := len(t.buf)
	t.buf = write(t.buf)
	if len(t.buf) == start {
		return ""
	}
	return unsafe.String(&t.buf[start], len(t.buf)-start)
}

// Copy returns b as a string in the shared bytes.
func (t *Text) Copy(b []byte) string {
	return t.Append(len(b), func(d []byte) []byte { return append(d, b...) })
}
