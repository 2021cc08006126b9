package snapshot

import (
	"context"
	"fmt"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
)

// Read-only chunks (read.only=true), bounded as Debezium's
// BinlogReadOnlyIncrementalSnapshotChangeEventSource bounds them: the
// server's executed GTID set read before the chunk's SELECT (low) and
// after it (high) stand for the open and close rows of the signal table,
// so nothing is written to the server. A streamed change of a transaction
// low holds committed before the SELECT, which saw it: the chunk's row is
// newer and stays. Any other change read before the stream reaches high
// may or may not be in the chunk: its key leaves the chunk, the streamed
// event stands. Once the stream holds every transaction high holds (the
// executed set is a prefix of the binlog, so nothing after high comes
// before that), the chunk is written.

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
	q := "SELECT @@GLOBAL.gtid_executed"
	if i.srv.Proto() == gmysql.MariaDBFlavor {
		q = "SELECT @@GLOBAL.gtid_binlog_pos"
	}
	r, err := conn.Execute(q)
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("reading the server's GTID position for a read-only on-demand snapshot chunk (%s): %w", q, err)
	}
	text, _ := r.GetString(0, 0)
	set, err := gmysql.ParseGTIDSet(i.srv.Proto(), text)
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

// readOnlyChunk takes the high watermark after the chunk's SELECT and puts
// the chunk in flight, its window open at once.
func (i *Incremental) readOnlyChunk(conn *client.Conn, low gmysql.GTIDSet, chunkID string, rows map[string][]any, order []string, last []any) (int, error) {
	high, err := i.executedGTIDs(conn)
	if err != nil {
		return 0, err
	}
	if len(order) == 0 {
		return 0, nil
	}
	i.chunkID, i.rows, i.order, i.lastKey = chunkID, rows, order, last
	i.ro = roWindow{low: low, high: high}
	i.windowOpen = true
	return len(order), nil
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
