package connector

import "sync"

// recycler keeps record value buffers that Kafka has acknowledged, for the
// values converted next. A JSON value with schemas is 2-4 KB; allocating a
// fresh one per record cost about a tenth of the daemon's CPU in
// allocation, copying and the collections it drove. Buffers come back from
// the producer's promises (any goroutine) and go out from the poller's.
type recycler struct {
	mu   sync.Mutex
	free [][]byte
}

const (
	// maxRecycled bounds the spare buffers kept: a few MB of typical
	// values, enough to cover the producer's acknowledgements in flight
	// between two batches.
	maxRecycled = 1024
	// maxRecycledCap keeps one huge row's buffer from being kept.
	maxRecycledCap = 64 << 10
	// firstBufCap is the capacity of a new buffer: most values fit.
	firstBufCap = 1024
)

// get returns an empty buffer.
func (r *recycler) get() []byte {
	r.mu.Lock()
	n := len(r.free)
	if n == 0 {
		r.mu.Unlock()
		return make([]byte, 0, firstBufCap)
	}
	b := r.free[n-1]
	r.free[n-1] = nil
	r.free = r.free[:n-1]
	r.mu.Unlock()
	return b[:0]
}

// put takes back a buffer that nothing refers to any more.
func (r *recycler) put(b []byte) {
	if cap(b) == 0 || cap(b) > maxRecycledCap {
		return
	}
	r.mu.Lock()
	if len(r.free) < maxRecycled {
		r.free = append(r.free, b)
	}
	r.mu.Unlock()
}
