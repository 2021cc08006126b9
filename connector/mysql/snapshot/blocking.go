package snapshot

import (
	"context"
	"errors"
	"strings"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Blocking snapshots (Debezium's execute-snapshot signal of type
// "blocking"): the stream stops reading at the end of the signal's
// transaction, the named tables are read as a snapshot (op "r", with the
// signal's additional-conditions), and streaming goes on from where it
// stopped. Unlike the on-demand snapshot, no change is read meanwhile, so
// the table's read events are not interleaved with its changes.
//
// The snapshot is the initial snapshot's (Snapshotter.Run) with the
// stream's position as its start, so its progress travels in the offset as
// an initial snapshot's does: a crash in the middle resumes it after its
// last finished range, then streams from the signal on. Unlike after the
// initial snapshot, the stream then filters nothing by its ranges
// (State.Blocking). The offsets also carry the on-demand snapshots'
// progress as it stood at the signal (State.Incremental), which the stream
// would otherwise store, and the initial snapshot's filter if the stream
// still had one (State.InitialFilter), which a resumed stream takes up.

// blockingRequest is one signal's tables, in Debezium's order (by name),
// and their additional-conditions: a filter that is a SELECT replaces the
// table's statement, as Debezium takes a blocking snapshot's filter (its
// snapshot.select.statement.overrides); another is a condition on the
// rows, which Debezium would run as the statement and fail on.
type blockingRequest struct {
	tables     []string
	conditions map[string]string
	selects    map[string]string
	described  bool // the tables' structures are in the schema history
}

func (i *Incremental) requestBlocking(id string, tables []string, filters map[string]string) {
	if len(tables) == 0 {
		return
	}
	tables = captureOrder(i.srv.Filter, tables)
	b := blockingRequest{tables: tables, conditions: map[string]string{}, selects: map[string]string{}}
	for t, f := range filters {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(f)), "SELECT") {
			b.selects[t] = f
			continue
		}
		b.conditions[t] = f
		i.log.Warn("a blocking snapshot's additional-conditions filter is a condition, not a SELECT statement; Sluice applies it to the table's rows, where Debezium takes the filter as the whole statement and fails on it",
			zap.String("table", t), zap.String("filter", f))
	}
	i.blocking = append(i.blocking, b)
	i.log.Info("blocking snapshot requested: streaming pauses at the end of the signal's transaction", zap.String("signal", id), zap.Strings("tables", tables))
}

// refused reports whether the server refused a statement: taking the
// blocking snapshot again would fail again and hold the stream up for good.
func refused(err error) bool {
	var me *gmysql.MyError
	return errors.As(err, &me)
}

// SkipBlocking drops the due blocking snapshot, which failed for good
// (err, which the server gave), and says so; streaming goes on.
func (i *Incremental) SkipBlocking(err error) {
	i.log.Error("blocking snapshot failed and is dropped; streaming goes on. Fix what the error names and send the signal again",
		zap.Strings("tables", i.blocking[0].tables), zap.Error(err))
	i.blocking = i.blocking[1:]
}

// BlockingTables is the due blocking snapshot's tables: the stream writes
// their structure to the schema history first, as Debezium does.
func (i *Incremental) BlockingTables() []string { return i.blocking[0].tables }

// BlockingDescribed reports whether the due blocking snapshot's table
// structures are in the schema history already.
func (i *Incremental) BlockingDescribed() bool { return i.blocking[0].described }

// NoteBlockingDescribed records that they are.
func (i *Incremental) NoteBlockingDescribed() { i.blocking[0].described = true }

// BlockingDue reports whether a blocking snapshot waits to be taken.
func (i *Incremental) BlockingDue() bool { return len(i.blocking) > 0 }

// RunBlocking takes the first blocking snapshot asked for, from the
// stream's position at a transaction's end (from). A failed one stays
// asked for: the stream takes it again, whole, when it reconnects.
func (i *Incremental) RunBlocking(ctx context.Context, from offsets.MySQL, gtid, query string, out change.Enqueuer) error {
	req := i.blocking[0]
	st := &State{Tables: req.tables, Conditions: req.conditions, Selects: req.selects, Blocking: true,
		ServerID: from.ServerID, GTID: gtid, Query: query, Incremental: i.Progress(), InitialFilter: from.SluiceSnapshot}
	st.Start.File, st.Start.Pos, st.Start.GTIDs = from.File, from.Pos, from.GTIDs
	began := time.Now()
	i.log.Info("blocking snapshot starting; streaming is paused until it ends", zap.Strings("tables", req.tables),
		zap.String("stream_gtids", from.GTIDs))
	i.srv.Observer.SnapshotStarted()
	sn := New(i.srv)
	_, _, err := sn.Run(ctx, st, false, out)
	i.srv.Observer.SnapshotEnded(err == nil)
	for _, name := range sn.blockingGone {
		i.noteVanished(name, vanishedTable{condition: req.conditions[name], blocking: true})
	}
	if refused(err) || fault.IsDefinite(err) {
		// A signal's SELECT with a typo, say: the rows read so far stay
		// written.
		i.SkipBlocking(err)
		return nil
	}
	if err != nil {
		return err
	}
	i.blocking = i.blocking[1:]
	i.log.Info("blocking snapshot finished; streaming goes on", zap.Duration("elapsed", time.Since(began).Round(time.Millisecond)))
	return nil
}
