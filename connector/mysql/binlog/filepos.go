package binlog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Debezium's MySQL connector class on MariaDB reads no GTIDs and sees no
// transaction start (MariaDB has no BEGIN event), so it treats every binlog
// event as standing alone: its offset inside a transaction is the end of
// the rows event it is in, with "row", the rows of that event done. Sluice
// keeps that form there so either can take the other's offset over.

// midCommitHere reports whether a commit marker may go after the last
// event read inside a transaction. The MySQL class on MariaDB stores its
// file and position, which Debezium resumes from with no table map in
// hand: only a statement's end qualifies.
func (s *Streamer) midCommitHere(st *txnState) bool {
	return !s.cfg.PrivateGTIDs() || st.stmtEnd
}

// statementCommit is a commit marker inside the open transaction at the
// end of the statement just read, in the MySQL class's form: File and Pos
// are where the next statement starts, and GTIDs already hold the open
// transaction, so that when Sluice resumes there by file and position
// (MidTxn) the set it carries on with is right once the transaction ends.
func (s *Streamer) statementCommit(st *txnState, h *replication.EventHeader) change.Event {
	pos := offsets.MySQL{TsSec: int64(h.Timestamp), File: st.file, Pos: uint64(h.LogPos), ServerID: h.ServerID, MidTxn: true}
	if st.gset != nil {
		g := st.gset.Clone()
		if st.gtid != "" {
			// Update only fails on a malformed GTID, which the parser rejected.
			_ = g.Update(st.gtid)
		}
		pos.GTIDs = g.String()
	}
	if st.filter != nil {
		pos.SluiceSnapshot = st.filter.Encoded()
	}
	pos.SluiceIncremental = s.incr.Progress()
	return change.Event{Kind: change.KindCommit, Position: pos, TsMs: int64(h.Timestamp) * 1000}
}

// fileResumeState is where a stream resumed by file and position starts.
// Sluice's own offset inside a transaction points at a statement's end.
// Debezium's, with "row", points past the rows event it was in (the end of
// that event), and Debezium itself would resume at the next event and skip
// that many of its rows: the rest of the event it was in, and rows of the
// next, would be lost. Sluice finds the event instead and resumes at the
// table map before it, skipping what was written.
func (s *Streamer) fileResumeState(ctx context.Context, from offsets.MySQL, filter SnapshotFilter) (*txnState, error) {
	st := &txnState{file: from.File, nextPos: from.Pos, filter: filter, byFile: true}
	if from.GTIDs != "" {
		gs, err := gmysql.ParseGTIDSet(s.cfg.Proto(), from.GTIDs)
		if err != nil {
			return nil, fault.Definite(fmt.Errorf("stored offset has GTID set %q that is not a valid %s GTID set: %w", from.GTIDs, s.cfg.Proto(), err))
		}
		st.gset = gs
	}
	if from.Row == 0 || from.Event != 0 {
		st.resumeEvents, st.resumeRows = from.Event, from.Row
		return st, nil
	}
	start, before, err := locateRowsEvent(ctx, s.syncerConfig(), from.File, from.Pos)
	if err != nil {
		return nil, err
	}
	s.log.Info("the stored offset points past a rows event it had written part of (Debezium's MySQL class on MariaDB): resuming at that event's table map",
		zap.Uint64("offset_pos", from.Pos), zap.Uint64("resume_pos", start), zap.Int64("events_skipped", before), zap.Int64("rows_skipped", from.Row))
	st.nextPos, st.resumeEvents, st.resumeRows = start, before, from.Row
	return st, nil
}

// locateRowsEvent reads file from its start to the event that ends at end
// and returns where that event's statement starts (its first table map)
// and how many events of the statement (table maps, earlier rows events)
// come before it.
func locateRowsEvent(ctx context.Context, cfg replication.BinlogSyncerConfig, file string, end uint64) (start uint64, before int64, err error) {
	// A position past the binlog's end would wait for events for ever.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	syncer := replication.NewBinlogSyncer(cfg)
	defer func() { go syncer.Close() }()
	bs, err := syncer.StartSync(gmysql.Position{Name: file, Pos: 4})
	if err != nil {
		return 0, 0, server.Classify(fmt.Errorf("reading %s to find the rows event ending at %d: %w", file, end, err))
	}
	inStatement := false
	for {
		ev, err := bs.GetEvent(ctx)
		if err != nil {
			return 0, 0, server.Classify(fmt.Errorf("reading %s to find the rows event ending at %d: %w", file, end, err))
		}
		h := ev.Header
		if h.EventType == replication.ROTATE_EVENT && h.Timestamp != 0 {
			break // the file ended without the event (a fake rotate has no timestamp)
		}
		switch e := ev.Event.(type) {
		case *replication.TableMapEvent:
			if !inStatement {
				start, before, inStatement = uint64(h.LogPos)-uint64(h.EventSize), 0, true
			}
		case *replication.RowsEvent:
			if uint64(h.LogPos) == end {
				return start, before, nil
			}
			inStatement = e.Flags&replication.RowsEventStmtEndFlag == 0
		default:
			inStatement = false
		}
		before++
		if uint64(h.LogPos) >= end {
			break
		}
	}
	return 0, 0, fault.Definite(fmt.Errorf("the stored offset's position %s:%d is not the end of a rows event; set the offset to a transaction's start (its file and pos without \"row\")", file, end))
}

// readContext is the context binlog events are read under. For the MySQL
// class on MariaDB, whose offsets inside a transaction can only be at a
// statement's end, a stop first lets the statement being read finish (its
// events are in the binlog already; the reader stops at its end, or after
// two seconds), so that the last offset covers every row written and
// whoever resumes repeats none.
func (s *Streamer) readContext(ctx context.Context, st *txnState) (context.Context, context.CancelFunc) {
	if !s.cfg.PrivateGTIDs() {
		return ctx, func() {}
	}
	readCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		select {
		case <-readCtx.Done():
			return
		case <-ctx.Done():
		}
		if st.midStatement.Load() {
			select {
			case <-readCtx.Done(): // the reader reached the statement's end
			case <-time.After(2 * time.Second):
			}
		}
		cancel()
	}()
	return readCtx, cancel
}

// enqueueContext is the context of a queue call. Once stopping, what the
// reader still hands on (the rest of a statement, the commit marker that
// covers rows already queued) waits a little for room while the poller
// drains, rather than leaving queued rows without their offset, which
// would be written again on restart.
func enqueueContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
}

func isRows(e replication.Event) bool {
	_, ok := e.(*replication.RowsEvent)
	return ok
}

// dumpFlags are the binlog dump command's flags: with include.query, the
// MariaDB class asks MariaDB for its ANNOTATE_ROWS events, as Debezium's
// MariaDB connector does (its MySQL class does not, and gets no query).
func (s *Streamer) dumpFlags() uint16 {
	if s.cfg.IncludeQuery && s.cfg.Flavor == "mariadb" && s.cfg.Proto() == "mariadb" {
		return replication.BINLOG_SEND_ANNOTATE_ROWS_EVENT
	}
	return 0
}

// recordQuery keeps the statement behind the rows that follow, for
// include.query. A statement on the signal table is not kept, as Debezium's
// MariaDB connector does not, so an on-demand snapshot's rows carry no
// query of its bookkeeping.
func (s *Streamer) recordQuery(st *txnState, q string) {
	if !s.cfg.IncludeQuery {
		return
	}
	if db, table, ok := strings.Cut(s.cfg.SignalTable, "."); ok &&
		strings.Contains(strings.ToLower(q), strings.ToLower("`"+db+"`.`"+table+"`")) {
		return
	}
	st.query = q
}
