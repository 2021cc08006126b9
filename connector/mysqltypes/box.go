package mysqltypes

import (
	"unsafe"

	"github.com/sluice-cdc/sluice/internal/box"
)

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
var bytesType = box.Type([]byte(nil))

// boxBytes returns b (at most 8 bytes) as an interface value, copied into
// memory of its own; the header is never written again (package box).
func boxBytes(b []byte) any {
	bx := new(bytesBox)
	n := copy(bx.buf[:], b)
	bx.hdr = bx.buf[:n:n]
	return box.Make(bytesType, unsafe.Pointer(&bx.hdr))
}
