package mysqltypes

import "unsafe"

// bytesBox is a short []byte value, its bytes and the slice header an
// interface holding it points to, in one allocation. Boxing a []byte
// otherwise takes two: the bytes, then a copy of the header (runtime
// convTslice). A DECIMAL in precise mode is such a value per cell, and the
// two allocations were 7% of the CPU of 40-column rows.
type bytesBox struct {
	hdr []byte
	buf [8]byte
}

// bytesType is the type word of an interface holding a []byte.
var bytesType = func() unsafe.Pointer {
	var v any = []byte(nil)
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&v))[0]
}()

// boxBytes returns b (at most 8 bytes) as an interface value, copied into
// memory of its own. The interface is laid out as the runtime lays out
// every non-empty interface: a type word and a pointer to the value; the
// header it points to is never written again, as a boxed value must not be.
func boxBytes(b []byte) any {
	bx := new(bytesBox)
	n := copy(bx.buf[:], b)
	bx.hdr = bx.buf[:n:n]
	var v any
	w := (*[2]unsafe.Pointer)(unsafe.Pointer(&v))
	w[0], w[1] = bytesType, unsafe.Pointer(&bx.hdr)
	return v
}
