package binlog

import (
	"context"
	"errors"
	"testing"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// TestRereadAfterErrorInsideTransaction: a transient error inside a
// transaction (here a table definition that cannot be read because the
// server is gone) drops the transaction's rows not yet handed over; the
// reconnect reads the transaction again and writes exactly those, none
// twice and none lost. Skipping every row counted before the error lost
// the dropped ones.
func TestRereadAfterErrorInsideTransaction(t *testing.T) {
	cols := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}}
	r := newMySQLRig(t, cols, 0)
	// No server listens here: reading a table's definition fails on the
	// network, which the stream takes as transient.
	r.s.cfg.Host, r.s.cfg.Port = "127.0.0.1", 1
	r.s.tables.filter = testFilter{dbs: map[string]bool{"db": true}, tables: map[string]bool{"db.t": true, "db.u": true}}
	body := func(from, n int) []byte {
		var imgs [][]byte
		for i := 0; i < n; i++ {
			imgs = append(imgs, rowImage(int32Value(int32(from+i))))
		}
		return rowsBody(1, false, imgs...) // one column
	}
	// One transaction: 300 rows (the stream hands over a batch at 256
	// events), 10 more, then a TABLE_MAP of a table it must look up.
	txn := func() []*replication.BinlogEvent {
		begin := &replication.BinlogEvent{Header: &replication.EventHeader{EventType: replication.QUERY_EVENT, LogPos: 200, EventSize: 60},
			Event: &replication.QueryEvent{Query: []byte("BEGIN")}}
		evs := []*replication.BinlogEvent{begin}
		for _, part := range [][2]int{{1, 300}, {301, 10}} {
			tm := r.feed.event(replication.TABLE_MAP_EVENT, r.tableMap)
			r.s.tables.entries["db.t"] = &tableEntry{tm: tm.Event.(*replication.TableMapEvent), table: r.tbl, included: true}
			evs = append(evs, tm, r.feed.event(replication.WRITE_ROWS_EVENTv2, body(part[0], part[1])))
		}
		return evs
	}
	st := &txnState{file: "binlog.000001", thread: -1}
	log := &enqueueLog{}
	// read runs one dump of evs; a dump that reads all of them ends as one
	// that has caught up does, by the stop.
	read := func(evs []*replication.BinlogEvent) error {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		src := &scriptedSource{events: evs, waiting: make(chan struct{})}
		done := make(chan error, 1)
		go func() {
			_, err := r.s.readEvents(ctx, st, src, log)
			done <- err
		}()
		select {
		case err := <-done:
			return err
		case <-src.waiting:
			cancel()
			<-done
			return nil
		}
	}
	err := read(append(txn(), r.feed.event(replication.TABLE_MAP_EVENT, tableMap("db", "u", cols))))
	if err == nil || fault.IsDefinite(err) {
		t.Fatalf("reading the unreachable table's definition: %v, want a transient error", err)
	}
	st.prepareReread()
	// The reconnect reads the transaction again, and its commit.
	commit := &replication.BinlogEvent{Header: &replication.EventHeader{EventType: replication.XID_EVENT, LogPos: 9000, EventSize: 31},
		Event: &replication.XIDEvent{XID: 7}}
	if err := read(append(txn(), commit)); err != nil {
		t.Fatalf("after the reconnect: %v", err)
	}
	var ids []int32
	for _, call := range log.calls {
		for _, ev := range call {
			if ev.Kind == change.KindRow {
				ids = append(ids, ev.After[0].(int32))
			}
		}
	}
	if len(ids) != 310 {
		t.Fatalf("%d rows written, want 310 (each once)", len(ids))
	}
	for i, id := range ids {
		if id != int32(i+1) {
			t.Fatalf("row %d is id %d, want %d: rows lost or written twice", i, id, i+1)
		}
	}
}

// failingChunk is an on-demand snapshot whose next chunk cannot be read
// (its connection broke): a transient error at a transaction's end.
type failingChunk struct{ noIncremental }

func (failingChunk) Due() bool { return true }
func (failingChunk) AtCommit(_ context.Context, batch []change.Event, _ server.StreamAt) ([]change.Event, error) {
	return batch, errors.New("reading the next chunk: connection reset")
}

// TestChunkErrorKeepsCommittedTransaction: a transaction is complete and
// the stream's position past it when the on-demand snapshot fails at its
// end; its rows and commit marker still reach the queue, so the reconnect,
// which starts after it, loses nothing. They were dropped with the marker.
func TestChunkErrorKeepsCommittedTransaction(t *testing.T) {
	cols := []binlogCol{{name: "id", typ: gmysql.MYSQL_TYPE_LONG}}
	r := newMySQLRig(t, cols, 0)
	r.s.incr = failingChunk{}
	tm := r.feed.event(replication.TABLE_MAP_EVENT, r.tableMap)
	r.s.tables.entries["db.t"] = &tableEntry{tm: tm.Event.(*replication.TableMapEvent), table: r.tbl, included: true}
	evs := []*replication.BinlogEvent{
		{Header: &replication.EventHeader{EventType: replication.QUERY_EVENT, LogPos: 200, EventSize: 60},
			Event: &replication.QueryEvent{Query: []byte("BEGIN")}},
		tm, r.feed.event(replication.WRITE_ROWS_EVENTv2, rowsBody(1, false, rowImage(int32Value(1)), rowImage(int32Value(2)))),
		{Header: &replication.EventHeader{EventType: replication.XID_EVENT, LogPos: 900, EventSize: 31},
			Event: &replication.XIDEvent{XID: 7}},
	}
	st := &txnState{file: "binlog.000001", thread: -1}
	log := &enqueueLog{}
	_, err := r.s.readEvents(context.Background(), st, &scriptedSource{events: evs, waiting: make(chan struct{})}, log)
	if err == nil {
		t.Fatal("the failing chunk gave no error")
	}
	var rows, commits int
	for _, call := range log.calls {
		for _, ev := range call {
			switch {
			case ev.Kind == change.KindRow:
				rows++
			case ev.Kind == change.KindCommit && ev.Position.(offsets.MySQL).Pos == 900:
				commits++
			}
		}
	}
	if rows != 2 || commits != 1 || st.nextPos != 900 {
		t.Errorf("%d rows and %d commit markers handed over, stream at %d; want 2 and 1 at 900", rows, commits, st.nextPos)
	}
}
