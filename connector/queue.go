// Package connector runs connectors: the task coordinator that wires a
// source reader to the queue and the poller, the bounded queue between them,
// and the poller that turns events into Kafka records and commits offsets.
package connector

import (
	"context"
	"sync"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Queue is the bounded buffer between readers and the poller, bounded by
// event count and, optionally, by estimated bytes. A full queue blocks
// readers, which is how a slow Kafka slows the binlog reader down instead of
// growing memory. Enqueue and Take may run concurrently; Take is meant for
// one poller.
type Queue struct {
	mu       sync.Mutex
	buf      []change.Event // ring
	head, n  int
	bytes    int64
	maxBytes int64
	notEmpty chan struct{} // signalled (non-blocking, cap 1) after a put
	notFull  chan struct{} // signalled after a take
}

// NewQueue returns a queue of at most maxEvents events and, when maxBytes is
// positive, at most maxBytes estimated bytes (one event is always admitted
// into an empty queue, however large).
func NewQueue(maxEvents int, maxBytes int64) *Queue {
	return &Queue{buf: make([]change.Event, maxEvents), maxBytes: maxBytes,
		notEmpty: make(chan struct{}, 1), notFull: make(chan struct{}, 1)}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Enqueue appends events in order, waiting for room as needed. It returns
// ctx.Err() when ctx ends first; events appended before that stay queued.
func (q *Queue) Enqueue(ctx context.Context, events ...change.Event) error {
	for len(events) > 0 {
		q.mu.Lock()
		put := 0
		for put < len(events) && q.n < len(q.buf) {
			sz := int64(events[put].Size)
			if q.maxBytes > 0 && q.n > 0 && q.bytes+sz > q.maxBytes {
				break
			}
			q.buf[(q.head+q.n)%len(q.buf)] = events[put]
			q.n++
			q.bytes += sz
			put++
		}
		room := q.n < len(q.buf)
		q.mu.Unlock()
		if put > 0 {
			signal(q.notEmpty)
			if room {
				// Another reader may be waiting for the room left over.
				signal(q.notFull)
			}
			events = events[put:]
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-q.notFull:
		}
	}
	return nil
}

// Take appends up to max events to dst. It waits up to wait for the first
// event (and returns dst unchanged when none came) or until ctx ends.
func (q *Queue) Take(ctx context.Context, dst []change.Event, max int, wait time.Duration) ([]change.Event, error) {
	var timer *time.Timer
	for {
		q.mu.Lock()
		if q.n > 0 {
			k := min(max, q.n)
			var zero change.Event
			for i := 0; i < k; i++ {
				j := (q.head + i) % len(q.buf)
				dst = append(dst, q.buf[j])
				q.bytes -= int64(q.buf[j].Size)
				q.buf[j] = zero // let the rows be collected
			}
			q.head = (q.head + k) % len(q.buf)
			q.n -= k
			q.mu.Unlock()
			signal(q.notFull)
			if timer != nil {
				timer.Stop()
			}
			return dst, nil
		}
		q.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		select {
		case <-ctx.Done():
			return dst, ctx.Err()
		case <-timer.C:
			return dst, nil
		case <-q.notEmpty:
		}
	}
}

// Len is the number of queued events.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}
