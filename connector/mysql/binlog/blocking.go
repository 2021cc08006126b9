package binlog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/history"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Blocker takes the blocking snapshots that execute-snapshot signals of
// type "blocking" ask for (package snapshot's Incremental): the stream
// stops reading at the end of the signal's transaction, hands the
// snapshot its position, and goes on from there when the snapshot is done,
// every change after the signal included, as Debezium's does.
type Blocker interface {
	// BlockingDue reports whether a blocking snapshot waits to be taken.
	BlockingDue() bool
	// BlockingTables is the due one's tables ("db.table").
	BlockingTables() []string
	// BlockingDescribed reports whether the due one's table structures are
	// in the schema history already (a first try failed after writing
	// them); NoteBlockingDescribed records that they are.
	BlockingDescribed() bool
	NoteBlockingDescribed()
	// SkipBlocking drops the due one, which failed for good with err.
	SkipBlocking(err error)
	// RunBlocking takes it from the stream's position at a transaction's
	// end (gtid and query: the last transaction's, for the rows' source
	// block); a failed one stays due.
	RunBlocking(ctx context.Context, from offsets.MySQL, gtid, query string, out change.Enqueuer) error
}

// SetBlocker makes the stream take the blocking snapshots b is asked for.
func (s *Streamer) SetBlocker(b Blocker) { s.blocker = b }

// blockingDue reports whether a blocking snapshot is due. One taken while
// the stream still filters the initial snapshot's ranges keeps the filter;
// its offsets carry that filter's state too, so that a crash in it resumes
// it and streams on with the filter (snapshot.State.InitialFilter).
func (s *Streamer) blockingDue() bool {
	return s.blocker != nil && s.blocker.BlockingDue()
}

// blockingAtCommit takes a due blocking snapshot at the transaction end
// that closes batch. The end's commit marker is not handed over: the
// snapshot's first stored offset is that same position with the snapshot
// in progress, so a crash before it re-reads the signal, and one after it
// resumes the snapshot. A transaction END record stays, without an offset.
func (s *Streamer) blockingAtCommit(ctx context.Context, st *txnState, batch []change.Event, flush func([]change.Event) error, out change.Enqueuer) error {
	marker := batch[len(batch)-1]
	batch = batch[:len(batch)-1]
	if marker.TxEnd {
		batch = append(batch, change.Event{Kind: change.KindCommit, TxEnd: true, TsMs: marker.TsMs})
	}
	if err := flush(batch); err != nil {
		return err
	}
	return s.runBlocking(ctx, st, marker.Position.(offsets.MySQL), out)
}

// runBlocking writes the due blocking snapshot's table structures to the
// schema history and the schema change topic, then takes it.
//
// A retry (a DDL between two ranges failed the first try) does not write
// them again: read after the DDL, they would describe the table at the
// signal's position with the DDL already applied, and the stream, going on
// from the signal, would then find the DDL no longer fits and stop.
func (s *Streamer) runBlocking(ctx context.Context, st *txnState, from offsets.MySQL, out change.Enqueuer) error {
	if !s.blocker.BlockingDescribed() {
		if err := s.blockingSchema(ctx, s.blocker.BlockingTables(), from, out); err != nil {
			var refused *gmysql.MyError
			if errors.As(err, &refused) {
				s.blocker.SkipBlocking(err) // a structure the user may not read, say
				return nil
			}
			return err
		}
		s.blocker.NoteBlockingDescribed()
	}
	return s.blocker.RunBlocking(ctx, from, st.lastGTID, st.lastQuery, out)
}

// blockingSchema records the structure of the tables a blocking snapshot
// reads, as Debezium's blocking snapshot does before their rows: for each,
// DROP TABLE IF EXISTS, then for each its SHOW CREATE TABLE, at the
// snapshot's position, in the history and (include.schema.changes) as
// schema change events.
func (s *Streamer) blockingSchema(ctx context.Context, tables []string, pos offsets.MySQL, out change.Enqueuer) error {
	conn, err := s.cfg.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	names := make([]ddl.TableName, 0, len(tables))
	var creates []string
	for _, t := range tables {
		db, tbl, _ := strings.Cut(t, ".")
		name := ddl.TableName{DB: db, Table: tbl}
		r, err := conn.Execute("SHOW CREATE TABLE " + name.Quoted())
		if isGone(err) {
			continue // the snapshot skips it too, as Debezium skips a name no table has
		}
		if err != nil {
			return fmt.Errorf("blocking snapshot: reading SHOW CREATE TABLE %s: %w", name, err)
		}
		text, _ := r.GetString(0, 1)
		names, creates = append(names, name), append(creates, text)
	}
	var stmts []seedStatement
	for i := range names {
		stmts = append(stmts, seedStatement{db: names[i].DB, ddl: "DROP TABLE IF EXISTS " + names[i].Quoted(), table: &names[i], kind: ddl.Drop})
	}
	for i := range names {
		stmts = append(stmts, seedStatement{db: names[i].DB, ddl: creates[i], table: &names[i], kind: ddl.Create})
	}
	hp := pos
	hp.ServerID = 0 // Debezium's snapshot positions have none
	position, err := s.seedPosition(hp)
	if err != nil {
		return err
	}
	m := s.model
	if m == nil {
		m = s.newModel()
	}
	var events []change.Event
	for _, stmt := range stmts {
		if err := m.ApplySQL(stmt.ddl, stmt.db, false); err != nil {
			return fault.Definite(fmt.Errorf("blocking snapshot: statement %q: %v", tail(stmt.ddl, 2000), err))
		}
		if err := s.appendHistory(ctx, position, stmt.db, stmt.ddl, []history.TableChange{s.historyChange(m, stmt.kind, *stmt.table, ddl.TableName{})}); err != nil {
			return err
		}
		events = append(events, s.seedSchemaChange(m, pos, stmt)...)
	}
	if len(events) == 0 {
		return nil
	}
	return out.Enqueue(ctx, events...)
}
