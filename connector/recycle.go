package connector

import (
	"sync"
	"sync/atomic"
)

// recycler keeps record value buffers that Kafka has acknowledged, for the
// values converted next. A JSON value with schemas is 2-4 KB, a 40-column
// row's more; allocating a fresh one per record cost a tenth of the
// daemon's CPU on 40-column rows, in allocation, copying and the
// collections it drove. Small values are not kept: they cost little to
// allocate, and buffers sized for large ones would hold more memory in
// flight than the values need. Buffers come back from the producer's
// promises (any goroutine) and go out from the poller's.
type recycler struct {
	n    atomic.Int32 // len(free), read without the lock
	mu   sync.Mutex
	free [][]byte
}

const (
	// maxRecycled bounds the spare buffers kept: a few MB of typical
	// values, enough to cover the acknowledgements in flight between two
	// batches.
	maxRecycled = 1024
	// minRecycledCap and maxRecycledCap bound the buffers kept: no small
	// ones (see recycler) and no huge row's.
	minRecycledCap = 1024
	maxRecycledCap = 64 << 10
)

// get returns an empty buffer, or nil when none is kept (the converter
// then allocates one of the value's size).
func (r *recycler) get() []byte {
	if r.n.Load() == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.free)
	if n == 0 {
		return nil
	}
	b := r.free[n-1]
	r.free[n-1] = nil
	r.free = r.free[:n-1]
	r.n.Store(int32(n - 1))
	return b[:0]
}

// put takes back a value buffer that nothing refers to any more.
func (r *recycler) put(b []byte) {
	if cap(b) < minRecycledCap || cap(b) > maxRecycledCap || r.n.Load() >= maxRecycled {
		return
	}
	r.mu.Lock()
	if len(r.free) < maxRecycled {
		r.free = append(r.free, b)
		r.n.Store(int32(len(r.free)))
	}
	r.mu.Unlock()
}

// slab hands out the tails of shared blocks for the keys and the small
// values (the poller gives a value of the size the recycler keeps a buffer
// of its own, so that it is recycled): a converter appends into the tail, and what it
// wrote is cut off for the record. One block serves a few hundred small
// records where each used to be written into scratch memory and copied
// into an allocation of its own (7% of the daemon's CPU with 300-byte
// rows). A block is collected once the last record cut from it is; so
// carved records are never recycled (a kept buffer would hold its block).
// The poller's goroutine alone uses it.
type slab struct {
	free []byte
}

const (
	slabBlock = 64 << 10
	// slabMinTail is the room a tail must have to be handed out: a larger
	// record outgrows it and gets memory of its own from append.
	slabMinTail = 8 << 10
)

// tail returns an empty buffer whose capacity is the block's free room.
func (s *slab) tail() []byte {
	if cap(s.free) < slabMinTail {
		s.free = make([]byte, 0, slabBlock)
	}
	return s.free[:0]
}

// cut takes out what was appended to tail's buffer and reports whether
// it was written there (false: it outgrew the tail, and out is its own
// memory). The cut record's capacity is its length, so that no append to
// it can reach the next one.
func (s *slab) cut(out []byte) ([]byte, bool) {
	if cap(out) == 0 || cap(s.free) == 0 || &out[:1][0] != &s.free[:1][0] {
		return out, false
	}
	n := len(out)
	s.free = s.free[n:n]
	return out[:n:n], true
}
