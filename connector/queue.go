// Package connector runs connectors: the coordinator that decides between
// snapshot and streaming and retries what failed, the task that wires a
// source's readers to the bounded queue and the poller, and the poller that
// builds, transforms, converts and produces records and commits offsets.
package connector

import (
	"context"
	"sync"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// entry is a queued event with what only the poller needs: which reader
// enqueued it and, for a checkpoint, where to say that its position is
// stored. Keeping these here keeps change.Event free of control flow.
type entry struct {
	change.Event
	reader int
	stored chan<- error // a checkpoint: receives the store's outcome
}

// Queue is the bounded buffer between readers and the poller, bounded by
// event count and, optionally, by estimated bytes. A full queue blocks
// readers, which is how a slow Kafka slows the source down instead of
// growing memory. Several readers may enqueue concurrently, each through its
// own Reader; take is meant for one poller.
type Queue struct {
	mu       sync.Mutex
	buf      []entry // ring
	head, n  int
	bytes    int64
	maxBytes int64
	notEmpty chan struct{} // signalled (non-blocking, cap 1) after a put
	notFull  chan struct{} // signalled after a take
	readers  []readerSlot
}

// readerSlot is a registered reader: where it started and whether other
// readers took over from it.
type readerSlot struct {
	start   change.Position
	retired bool
	// queued counts the reader's events still in the queue: the poller's
	// trackers only see events once taken, and a retired reader whose
	// events are still queued must hold the task's position back as much
	// as one whose records are in flight.
	queued int
}

// NewQueue returns a queue of at most maxEvents events and, when maxBytes is
// positive, at most maxBytes estimated bytes (one event is always admitted
// into an empty queue, however large).
func NewQueue(maxEvents int, maxBytes int64) *Queue {
	return &Queue{buf: make([]entry, maxEvents), maxBytes: maxBytes,
		notEmpty: make(chan struct{}, 1), notFull: make(chan struct{}, 1)}
}

// Reader registers a reader that starts from start (nil: no position yet,
// as for a new snapshot) and returns its Enqueuer. The position the task
// stores combines every registered reader's: until a reader's first commit
// is acknowledged, its start stands for it.
func (q *Queue) Reader(start change.Position) change.Enqueuer {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.readers = append(q.readers, readerSlot{start: start})
	return &readerQueue{q: q, id: len(q.readers) - 1}
}

// TakeOver registers readers that start from starts and retires the
// readers of retiring (Enqueuers this queue returned), in one step: the
// position the task stores must never combine a retiring reader's with
// only some of the readers taking over from it (the poller stored the sum
// of a whole and one of its parts between two such steps), nor only some
// of the readers taking over. It returns the new readers' Enqueuers, in
// the order of starts.
func (q *Queue) TakeOver(starts []change.Position, retiring ...change.Enqueuer) []change.Enqueuer {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, e := range retiring {
		if r, ok := e.(*readerQueue); ok && r.q == q {
			q.readers[r.id].retired = true
		}
	}
	out := make([]change.Enqueuer, len(starts))
	for i, start := range starts {
		q.readers = append(q.readers, readerSlot{start: start})
		out[i] = &readerQueue{q: q, id: len(q.readers) - 1}
	}
	return out
}

// retire marks a reader whose position no longer joins the task's: readers
// registered after it took over from where it ended. Its records still hold
// the position back until they are acknowledged.
func (q *Queue) retire(id int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.readers[id].retired = true
}

// revive undoes retire, for a reader that reads again because the readers
// that took over from it stopped (see Coordinator.stream).
func (q *Queue) revive(id int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.readers[id].retired = false
}

// slots returns the readers registered so far, by id.
func (q *Queue) slots() []readerSlot {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]readerSlot(nil), q.readers...)
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// readerQueue is one reader's Enqueuer.
type readerQueue struct {
	q  *Queue
	id int
}

func (r *readerQueue) Enqueue(ctx context.Context, events ...change.Event) error {
	return r.q.put(ctx, r.id, nil, events)
}

func (r *readerQueue) Checkpoint(ctx context.Context, pos change.Position) error {
	stored := make(chan error, 1)
	if err := r.q.put(ctx, r.id, stored, []change.Event{{Kind: change.KindCommit, Position: pos}}); err != nil {
		return err
	}
	select {
	case err := <-stored:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// put appends events in order, waiting for room as needed. It returns
// ctx.Err() when ctx ends first; events appended before that stay queued.
func (q *Queue) put(ctx context.Context, reader int, stored chan<- error, events []change.Event) error {
	var grace <-chan time.Time
	total := len(events)
	for len(events) > 0 {
		q.mu.Lock()
		put := 0
		for put < len(events) && q.n < len(q.buf) {
			sz := int64(events[put].Size)
			if q.maxBytes > 0 && q.n > 0 && q.bytes+sz > q.maxBytes {
				break
			}
			q.buf[(q.head+q.n)%len(q.buf)] = entry{Event: events[put], reader: reader, stored: stored}
			q.readers[reader].queued++
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
		if ctx.Err() != nil && len(events) < total && grace == nil {
			// Stopped halfway through a call: a reader's call ends with
			// the commit that covers its rows, so finish it while the
			// poller drains (a soft stop), for a little while at most.
			grace = time.After(2 * time.Second)
		}
		if grace != nil {
			select {
			case <-grace:
				return ctx.Err()
			case <-q.notFull:
			}
			continue
		}
		select {
		case <-ctx.Done():
			if len(events) < total {
				continue // begin the grace above
			}
			return ctx.Err()
		case <-q.notFull:
		}
	}
	return nil
}

// take appends up to max entries to dst. It waits up to wait for the first
// one (and returns dst unchanged when none came) or until ctx ends.
func (q *Queue) take(ctx context.Context, dst []entry, max int, wait time.Duration) ([]entry, error) {
	var timer *time.Timer
	for {
		q.mu.Lock()
		if q.n > 0 {
			k := min(max, q.n)
			for i := 0; i < k; i++ {
				j := (q.head + i) % len(q.buf)
				dst = append(dst, q.buf[j])
				q.readers[q.buf[j].reader].queued--
				q.bytes -= int64(q.buf[j].Size)
				q.buf[j] = entry{} // let the rows be collected
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

// fill is the number of queued events and their estimated bytes.
func (q *Queue) fill() (int, int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n, q.bytes
}
