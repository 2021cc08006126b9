package connector

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

// handoffSource splits {"n":3} into parts 1 and 2 and combines parts by
// summing them.
type handoffSource struct{ fakeSource }

func (s *handoffSource) Split(pos change.Position) ([]change.Position, error) {
	return []change.Position{seqPos{n: 1}, seqPos{n: 2}}, nil
}

func (s *handoffSource) Combine(parts []change.Position) (change.Position, error) {
	n := 0
	for _, p := range parts {
		n += p.(seqPos).n
	}
	return seqPos{n: n}, nil
}

// Two readers end at one handoff (a merge: both are participants); the
// parts that replace them start only once both have ended, and the stored
// position is theirs alone once the participants' records are acknowledged.
func TestReadersHandOff(t *testing.T) {
	store := &memStore{}
	_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":3,"snap":false}`))
	src := &handoffSource{}
	prod := &fakeProducer{hold: true}
	var ended atomic.Int32
	var mu sync.Mutex
	var early []string
	started := map[int]bool{}
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		n := from.(seqPos).n
		mu.Lock()
		started[n] = true
		if n >= 30 && ended.Load() < 2 {
			early = append(early, fmt.Sprint(n))
		}
		mu.Unlock()
		if err := out.Enqueue(ctx, rowEvent(int64(n)), change.Event{Kind: change.KindCommit, Position: seqPos{n: n + 1}}); err != nil {
			return err
		}
		if n < 30 {
			ended.Add(1)
			return fmt.Errorf("shard %d: %w", n, &change.Handoff{Key: "journal 7", Participants: 2, Next: []change.Position{seqPos{n: 30}, seqPos{n: 40}}, Reason: "test"})
		}
		<-ctx.Done()
		return nil
	}
	stop := runTask(newTestTask(t, src, config.SnapshotInitial, store, prod))
	waitFor(t, "the new parts", func() bool { mu.Lock(); defer mu.Unlock(); return started[30] && started[40] })
	if store.get() != `{"n":3,"snap":false}` {
		t.Fatalf("stored %s before any record was acknowledged", store.get())
	}
	prod.release()
	// 31 + 41: the participants' positions (2 and 3) are gone.
	waitFor(t, "the new parts' position", func() bool { return store.get() == `{"n":72,"snap":false}` })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if len(early) > 0 {
		t.Errorf("parts %v started before both participants ended", early)
	}
	if prod.produced() != 4 {
		t.Errorf("%d records produced, want 4", prod.produced())
	}
}

// A handoff whose other participants this task does not read: the ended
// readers keep their positions in the stored offset (before the handoff),
// the new parts never start, and the task stops saying what to do.
func TestHandoffWithoutAllParticipants(t *testing.T) {
	store := &memStore{}
	_ = store.Commit(context.Background(), []byte("k"), []byte(`{"n":3,"snap":false}`))
	src := &handoffSource{}
	prod := &fakeProducer{}
	var started atomic.Int32
	src.streamFn = func(ctx context.Context, from change.Position, out change.Enqueuer) error {
		n := from.(seqPos).n
		started.Add(1)
		if err := out.Enqueue(ctx, rowEvent(int64(n)), change.Event{Kind: change.KindCommit, Position: seqPos{n: n + 10}}); err != nil {
			return err
		}
		return &change.Handoff{Key: "j", Participants: 3, Next: []change.Position{seqPos{n: 100}}, Reason: "merge of three", Unfinished: "read all three"}
	}
	task := newTestTask(t, src, config.SnapshotInitial, store, prod)
	err := task.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "merge of three") || !strings.Contains(err.Error(), "read all three") {
		t.Fatalf("the task ended with %v, want the handoff's reason and fix", err)
	}
	if started.Load() != 2 {
		t.Errorf("%d readers started, want the two participants only", started.Load())
	}
	if got := store.get(); got != `{"n":23,"snap":false}` {
		t.Errorf("stored %s, want the participants' own positions (11+12)", got)
	}
}

// runTask runs the task until the returned stop is called, which returns
// the task's error.
func runTask(task *Task) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- task.Run(ctx) }()
	return func() error {
		cancel()
		return <-done
	}
}

// The readers that take over from others are registered, and those
// retired, in one step: the poller, reading the slots at any moment, sees
// the old readers or the new ones, never some of each (it once stored the
// sum of a whole position and one of its parts, {"n":4} for 3 split into
// 1 and 2).
func TestTakeOverIsOneStep(t *testing.T) {
	for round := 0; round < 300; round++ {
		q := NewQueue(8, 0)
		whole := q.Reader(seqPos{n: 3})
		stop := make(chan struct{})
		seen := make(chan map[int]bool)
		go func() {
			sums := map[int]bool{}
			for {
				sum := 0
				for _, r := range q.slots() {
					if !r.retired {
						sum += r.start.(seqPos).n
					}
				}
				sums[sum] = true
				select {
				case <-stop:
					seen <- sums
					return
				default:
				}
			}
		}()
		parts := q.TakeOver([]change.Position{seqPos{n: 1}, seqPos{n: 2}}, whole)
		// A handoff: both parts end, two others take over (10 + 20).
		q.TakeOver([]change.Position{seqPos{n: 10}, seqPos{n: 20}}, parts...)
		close(stop)
		for sum := range <-seen {
			if sum != 3 && sum != 30 {
				t.Fatalf("round %d: the poller saw readers whose positions sum to %d (3, then 30, only)", round, sum)
			}
		}
	}
}
