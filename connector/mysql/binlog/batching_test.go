package binlog

import (
	"context"
	"sync"
	"testing"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/offsets"
)

// scriptedSource returns MariaDB transactions (a GTID event and an XID
// each); buffered says it holds the rest already. After the script it
// waits for its context, as a dump that has caught up does.
type scriptedSource struct {
	events   []*replication.BinlogEvent
	buffered bool
	waiting  chan struct{} // closed when it has run out
}

func (s *scriptedSource) GetEvent(ctx context.Context) (*replication.BinlogEvent, error) {
	if len(s.events) == 0 {
		close(s.waiting)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	ev := s.events[0]
	s.events = s.events[1:]
	return ev, nil
}

// bufferedSource is a scriptedSource that says it holds more input while
// it does.
type bufferedSource struct{ *scriptedSource }

func (s bufferedSource) Buffered() int { return len(s.events) }

func oneRowTxns(n int) []*replication.BinlogEvent {
	var evs []*replication.BinlogEvent
	pos := uint32(4)
	for i := 1; i <= n; i++ {
		pos += 100
		evs = append(evs, &replication.BinlogEvent{Header: &replication.EventHeader{EventType: replication.MARIADB_GTID_EVENT, LogPos: pos, EventSize: 50},
			Event: &replication.MariadbGTIDEvent{GTID: gmysql.MariadbGTID{DomainID: 0, ServerID: 1, SequenceNumber: uint64(i)}}})
		pos += 30
		evs = append(evs, &replication.BinlogEvent{Header: &replication.EventHeader{EventType: replication.XID_EVENT, LogPos: pos, EventSize: 30},
			Event: &replication.XIDEvent{XID: uint64(i)}})
	}
	return evs
}

// enqueueLog records each Enqueue call's events.
type enqueueLog struct {
	mu    sync.Mutex
	calls [][]change.Event
}

func (l *enqueueLog) Enqueue(_ context.Context, evs ...change.Event) error {
	l.mu.Lock()
	l.calls = append(l.calls, append([]change.Event(nil), evs...))
	l.mu.Unlock()
	return nil
}

func (l *enqueueLog) Checkpoint(context.Context, change.Position) error { return nil }

func (l *enqueueLog) commits() (calls int, last string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.calls {
		for _, e := range c {
			if e.Kind == change.KindCommit {
				last = e.Position.(offsets.MySQL).GTIDs
			}
		}
	}
	return len(l.calls), last
}

// Transactions the source already holds are handed over together; the
// last one, after which the source has nothing, at once.
func TestTransactionsBatchedWhileInputWaits(t *testing.T) {
	for _, tc := range []struct {
		name     string
		buffered bool
		calls    int
	}{
		{"input waiting", true, 1},
		{"no buffer to ask", false, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStreamer(server.New(server.Config{Flavor: "mariadb", ServerFlavor: "mariadb"}), nil)
			gset, err := gmysql.ParseGTIDSet("mariadb", "")
			if err != nil {
				t.Fatal(err)
			}
			st := &txnState{file: "mariadb-bin.000001", gset: gset, thread: -1}
			script := &scriptedSource{events: oneRowTxns(40), waiting: make(chan struct{})}
			var src eventSource = script
			if tc.buffered {
				src = bufferedSource{script}
			}
			log := &enqueueLog{}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := s.readEvents(ctx, st, src, log)
				done <- err
			}()
			select {
			case <-script.waiting:
			case <-time.After(10 * time.Second):
				t.Fatal("the stream did not read the script")
			}
			// The source now waits for input: everything read is handed over.
			calls, last := log.commits()
			if calls != tc.calls || last != "0-1-40" {
				t.Errorf("%d Enqueue calls, last commit at %q; want %d, at 0-1-40", calls, last, tc.calls)
			}
			cancel()
			<-done
		})
	}
}
