package snapshot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
)

// Read-only chunks (read.only=true), bounded as Debezium's
// BinlogReadOnlyIncrementalSnapshotChangeEventSource bounds them: the
// GTID set of the transactions the chunk's SELECT sees (low) and the
// server's executed set after it (high) stand for the open and close rows
// of the signal table, so nothing is written to the server. A streamed
// change of a transaction low holds is in the chunk: the chunk's row is as
// new and stays. Any other change read before the stream reaches high is
// newer than the chunk: its key leaves the chunk, the streamed event
// stands. Once the stream holds every transaction high holds (the
// executed set is a prefix of the binlog, so nothing after high comes
// before that), the chunk is written. A chunk is read only when low holds
// every transaction the stream has read: the events of one it did not see
// are already written, and the chunk's older row would follow them.

// roWindow is a read-only chunk's watermarks.
type roWindow struct {
	low, high gmysql.GTIDSet
	// The last streamed transaction asked about and the answer: its rows
	// come one after another.
	gtid     string
	conc     bool
	warnedAt bool
}

// executedGTIDs is the server's executed GTID set: gtid_binlog_pos on
// MariaDB (as Debezium's MariaDB class reads it), gtid_executed on MySQL.
func (i *Incremental) executedGTIDs(conn *client.Conn) (gmysql.GTIDSet, error) {
	set, err := executedGTIDs(conn, i.srv.Proto())
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("reading the server's GTID position for a read-only on-demand snapshot chunk: %w", err)
	}
	return set, nil
}

// executedGTIDs is the server's executed GTID set of flavor, as the
// Incremental method reads it.
func executedGTIDs(conn *client.Conn, flavor string) (gmysql.GTIDSet, error) {
	q := "SELECT @@GLOBAL.gtid_executed"
	if flavor == gmysql.MariaDBFlavor {
		q = "SELECT @@GLOBAL.gtid_binlog_pos"
	}
	r, err := conn.Execute(q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q, err)
	}
	text, _ := r.GetString(0, 0)
	set, err := gmysql.ParseGTIDSet(flavor, text)
	if err != nil {
		return nil, fmt.Errorf("the server's GTID position %q (%s): %w", text, q, err)
	}
	return set, nil
}

// hasGTIDs reports whether the server has an executed GTID set for the
// watermarks; without one (MySQL with gtid_mode=OFF) a read-only
// on-demand snapshot is refused in the log.
func (i *Incremental) hasGTIDs(ctx context.Context) (bool, error) {
	conn, err := i.connect(ctx)
	if err != nil {
		return false, err
	}
	set, err := i.executedGTIDs(conn)
	if err != nil {
		return false, err
	}
	if set.String() == "" && i.srv.Proto() != gmysql.MariaDBFlavor {
		i.log.Error("ignoring execute-snapshot signal: with read.only=true the chunks are bounded by GTID positions, and the server has none; set gtid_mode=ON (with enforce_gtid_consistency=ON), or read.only=false with a signal table")
		return false, nil
	}
	return true, nil
}

// readOnlyChunk reads the current table's next chunk between two GTID
// watermarks and puts it in flight, its window open at once. A read whose
// view is behind the stream is tried again, readOnlyAttempts times in all.
func (i *Incremental) readOnlyChunk(ctx context.Context, chunkID, name string) (int, error) {
	for attempt := 1; ; attempt++ {
		n, err := i.readOnlyAttempt(ctx, chunkID, name)
		var me *gmysql.MyError
		again := errors.Is(err, errViewBehind) || errors.As(err, &me) && me.Code == gmysql.ER_TABLE_DEF_CHANGED
		if !again || attempt == readOnlyAttempts {
			return n, err
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(readOnlyRetryWait):
		}
	}
}

const (
	readOnlyAttempts  = 200
	readOnlyRetryWait = 10 * time.Millisecond
)

// errViewBehind: the stream has read a transaction the chunk's SELECT
// would not see. Its events are already on their way to Kafka, so the
// chunk's older rows would be written after them and stay as the last
// word. Only a moment: a transaction is in the binlog, where the stream
// reads it, before the engine's commit makes it visible.
var errViewBehind = errors.New("the stream has read a transaction that a new read of the table does not see yet")

func (i *Incremental) readOnlyAttempt(ctx context.Context, chunkID, name string) (int, error) {
	conn, err := i.connect(ctx)
	if err != nil {
		return 0, err
	}
	low, err := i.lowWatermark(conn)
	if err != nil {
		return 0, err
	}
	if ahead, err := streamPastView(i.srv.Proto(), low, i.streamed); err != nil || ahead {
		i.Close() // ends the consistent snapshot
		if err == nil {
			err = fmt.Errorf("%w (stream at %s, the read at %s)", errViewBehind, i.streamed, low)
		}
		return 0, fmt.Errorf("on-demand snapshot of %s: %w", name, err)
	}
	rows, order, last, err := i.selectCurrent(ctx, conn, name)
	if err != nil {
		return 0, err
	}
	if i.srv.Proto() == gmysql.MariaDBFlavor {
		if _, err := conn.Execute("COMMIT"); err != nil {
			i.Close()
			return 0, fmt.Errorf("on-demand snapshot of %s: ending the chunk's consistent snapshot: %w", name, err)
		}
	}
	high, err := i.executedGTIDs(conn)
	if err != nil {
		return 0, err
	}
	if len(order) == 0 {
		return 0, nil
	}
	i.chunkID, i.rows, i.order, i.lastKey = chunkID, rows, order, last
	i.ro = roWindow{low: low, high: high}
	if i.srv.Proto() != gmysql.MariaDBFlavor {
		// gtid_executed is not known here to hold only transactions the
		// SELECT sees (MySQL 5.7 adds a GTID before the engine commits):
		// every change streamed in the window leaves the chunk.
		i.ro.low = nil
	}
	i.windowOpen = true
	return len(order), nil
}

// lowWatermark begins the chunk's read on conn and returns the GTID set of
// the transactions its SELECT sees. On MariaDB, gtid_binlog_pos holds a
// transaction from its binlog write, before InnoDB's commit makes it
// visible: a chunk read in that moment missed a change the set claimed,
// and its older row was written after the change (found by
// TestOnDemandSnapshotReadOnly in one run of many). So the chunk reads in a
// consistent snapshot, whose binlog position MariaDB keeps exact. MySQL's
// is gtid_executed, read before the SELECT.
func (i *Incremental) lowWatermark(conn *client.Conn) (gmysql.GTIDSet, error) {
	if i.srv.Proto() != gmysql.MariaDBFlavor {
		return i.executedGTIDs(conn)
	}
	if _, err := conn.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT"); err != nil {
		i.Close()
		return nil, fmt.Errorf("starting the consistent snapshot of a read-only on-demand snapshot chunk: %w", err)
	}
	text, err := snapshotGTIDs(conn, &i.positions, i.log)
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("reading where a read-only on-demand snapshot chunk stands in the binlog: %w", err)
	}
	set, err := gmysql.ParseGTIDSet(gmysql.MariaDBFlavor, text)
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("the binlog's GTID position %q at a read-only on-demand snapshot chunk: %w", text, err)
	}
	return set, nil
}

// streamPastView reports whether the stream's set streamed holds a
// transaction low does not. A MariaDB domain low does not know is not
// compared (the stream's set can carry domains long gone from the binlog).
func streamPastView(flavor string, low gmysql.GTIDSet, streamed string) (bool, error) {
	if streamed == "" {
		return false, nil
	}
	set, err := gmysql.ParseGTIDSet(flavor, streamed)
	if err != nil {
		return false, fmt.Errorf("the stream's GTID set %q: %w", streamed, err)
	}
	if m, ok := set.(*gmysql.MariadbGTIDSet); ok {
		if l, ok := low.(*gmysql.MariadbGTIDSet); ok {
			for d := range m.Sets {
				if l.Sets[d] == nil {
					delete(m.Sets, d)
				}
			}
		}
	}
	return !low.Contain(set), nil
}

// concurrent reports whether a streamed transaction may have committed
// during the chunk's SELECT (low does not hold it). One without a GTID
// may have.
func (w *roWindow) concurrent(flavor, gtid string) bool {
	if gtid == "" || w.low == nil {
		return true
	}
	if gtid != w.gtid {
		set, err := gmysql.ParseGTIDSet(flavor, gtid)
		w.gtid, w.conc = gtid, err != nil || !w.low.Contain(set)
	}
	return w.conc
}

// reached reports whether the stream's set at holds the high watermark.
func (w *roWindow) reached(flavor, at string, log *zap.Logger) bool {
	if w.high == nil {
		return false
	}
	set, err := gmysql.ParseGTIDSet(flavor, at)
	if err != nil || at == "" {
		if !w.warnedAt {
			w.warnedAt = true
			log.Error("a read-only on-demand snapshot chunk waits for a stream position with a GTID set, and this one has none; read.only needs GTIDs in the stored offsets",
				zap.String("at", at), zap.Error(err))
		}
		return false
	}
	return set.Contain(w.high)
}

// More reports whether the chunk in flight can be written at once: with
// read.only, on a stream that already holds its high watermark (no
// transaction committed during its SELECT, and the stream caught up), the
// stream hands the batch over and calls AtCommit again at the same end,
// instead of waiting for the next one, which an idle server may not send.
func (i *Incremental) More(at server.StreamAt) bool {
	return i.srv.ReadOnly && i.chunkID != "" && !i.closeSeen && i.ro.reached(i.srv.Proto(), at.GTIDs, i.log)
}
