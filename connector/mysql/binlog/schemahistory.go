package binlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/history"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// The schema history: how Sluice knows each table's structure at the binlog
// position it reads, not only as information_schema shows it now.
//
// Rows are decoded with the structure their TABLE_MAP event describes
// (binlog_row_metadata=FULL names every column, its type, charset and enum
// values). What the binlog cannot say (column defaults, MariaDB's JSON,
// UUID and INET types, declared types) comes from a schema model (see
// package ddl) that applies every DDL statement in binlog order, and
// that is kept the way Debezium keeps it: each statement is appended to the
// schema history topic, in Debezium's record format, before the offset can
// move past it. After a restart the model is rebuilt by replaying the
// records at or before the stored offset; the DDL after it is read again
// from the binlog. A fresh connector starts the history with the structure
// of every table at its start position, read while DDL is blocked.

// historyPending identifies a history record already stored past the
// position streaming resumes from: when the binlog brings its statement
// again it is applied to the model but not recorded twice.
func historyPending(position []byte, ddl string) string { return string(position) + "\x00" + ddl }

// recoveryMode: Debezium's snapshot.mode values that rebuild a lost schema
// history from the current structure.
func recoveryMode(mode string) bool { return mode == "recovery" || mode == "schema_only_recovery" }

// setModel makes m the structure the streamer and its table tracker go by.
func (s *Streamer) setModel(m *ddl.Model) {
	s.model = m
	s.tables.model = m
}

// historyComparator reports whether a history record's position is at or
// before from. With private GTIDs (the MySQL class on MariaDB) history
// positions carry none, as Debezium's do there, and compare by file and
// position; records an older Sluice wrote with GTIDs still compare by them.
func (s *Streamer) historyComparator(from offsets.MySQL) (func(recorded []byte) (bool, error), error) {
	full, err := from.OffsetValue()
	if err != nil {
		return nil, err
	}
	if !s.cfg.PrivateGTIDs() {
		return func(r []byte) (bool, error) { return ddl.PositionAtOrBefore(r, full) }, nil
	}
	from.PrivateGTIDs = true
	public, err := from.OffsetValue()
	if err != nil {
		return nil, err
	}
	from.PrivateGTIDs = false
	if full, err = from.OffsetValue(); err != nil {
		return nil, err
	}
	return func(r []byte) (bool, error) {
		if bytes.Contains(r, []byte(`"gtids"`)) {
			return ddl.PositionAtOrBefore(r, full)
		}
		return ddl.PositionAtOrBefore(r, public)
	}, nil
}

// RecoverSchema rebuilds the schema model as of from, the position
// streaming resumes at, from the history store.
func (s *Streamer) RecoverSchema(ctx context.Context, from offsets.MySQL) error {
	if s.cfg.History == nil {
		return nil
	}
	if recoveryMode(s.cfg.Snapshot.Mode) {
		s.log.Warn("snapshot.mode=recovery: rebuilding the schema history from the current table structures at the stored offset; this is right only if no DDL ran since that offset. Set snapshot.mode back afterwards",
			zap.String("gtids", from.GTIDs), zap.String("file", from.File), zap.Uint64("pos", from.Pos))
		_, err := s.seedSchema(ctx, &from)
		// The structures are recorded, not announced again: the schema
		// change topic already has their history.
		s.seedEvents = nil
		return err
	}
	atOrBefore, err := s.historyComparator(from)
	if err != nil {
		return err
	}
	m := s.newModel()
	// A history begun by snapshot.mode=never has no SET
	// character_set_server record (EmptyModel applies it unrecorded), and
	// without it every table of a database created without a character
	// set would be unknown after a restart. The server's current one goes
	// first; a recorded one overrides it.
	if err := s.applyServerCharset(ctx, m); err != nil {
		return err
	}
	s.pending = map[string]bool{}
	var mine, applied int
	err = s.cfg.History.Recover(ctx, func(r history.Record) error {
		if r.Server != s.cfg.TopicPrefix {
			return nil
		}
		mine++
		ok, err := atOrBefore(r.Position)
		if err != nil {
			return fault.Definite(fmt.Errorf("schema history record %q: %w", tail(r.DDL, 200), err))
		}
		if !ok {
			s.pending[historyPending(r.Position, r.DDL)] = true
			return nil
		}
		if err := m.ApplySQL(r.DDL, r.DatabaseName, false); err != nil {
			if s.cfg.SkipUnparseableDDL {
				s.log.Warn("skipping a schema history statement Sluice cannot apply (schema.history.internal.skip.unparseable.ddl=true)",
					zap.String("statement", tail(r.DDL, 2000)), zap.ByteString("position", r.Position), zap.Error(err))
				return nil
			}
			return fault.Definite(fmt.Errorf("cannot apply the schema history statement %q recorded at %s: %v; set schema.history.internal.skip.unparseable.ddl=true to skip it", tail(r.DDL, 2000), r.Position, err))
		}
		applied++
		return nil
	})
	if err != nil {
		if fault.IsDefinite(err) {
			return err
		}
		return fmt.Errorf("reading the schema history: %w", err)
	}
	if mine == 0 {
		if s.cfg.Snapshot.Mode == "never" {
			s.log.Info("the schema history is empty; snapshot.mode=never: tables are learnt from the DDL in the binlog")
			s.setModel(m)
			return nil
		}
		return fault.Definite(fmt.Errorf("the schema history holds no records for topic.prefix %q, but the connector has a stored offset, so Sluice cannot know what its tables looked like at that position. If no DDL ran since the offset was stored, set snapshot.mode=recovery once to rebuild the history from the current structures; otherwise delete the connector's offset to take a new snapshot", s.cfg.TopicPrefix))
	}
	s.log.Info("schema rebuilt from the schema history", zap.Int("records_applied", applied),
		zap.Int("records_after_offset", len(s.pending)), zap.Int("tables", len(m.Tables())))
	s.setModel(m)
	return nil
}

// StartPosition is where a connector without a stored offset starts: the
// server's current position, at which the schema history begins.
func (s *Streamer) StartPosition(ctx context.Context) (offsets.MySQL, error) {
	if s.cfg.History == nil {
		return s.currentPosition(ctx)
	}
	return s.seedSchema(ctx, nil)
}

// EmptyModel starts a model with no tables (snapshot.mode=never, which
// reads the binlog from its beginning and learns tables from its DDL).
func (s *Streamer) EmptyModel(ctx context.Context) error {
	if s.cfg.History == nil {
		return nil
	}
	m := s.newModel()
	if err := s.applyServerCharset(ctx, m); err != nil {
		return err
	}
	s.setModel(m)
	s.pending = nil
	return nil
}

// applyServerCharset applies the server's default character set to m,
// for databases created without one.
func (s *Streamer) applyServerCharset(ctx context.Context, m *ddl.Model) error {
	conn, err := s.cfg.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	stmts, err := s.serverCharset(conn)
	if err != nil {
		return err
	}
	if err := m.ApplySQL(stmts.ddl, "", false); err != nil {
		return fault.Definite(fmt.Errorf("applying %q: %w", stmts.ddl, err))
	}
	return nil
}

// serverCharset is the statement that sets the server's default character
// set, which tables without one inherit through their database.
func (s *Streamer) serverCharset(conn *client.Conn) (seedStatement, error) {
	r, err := conn.Execute("SELECT @@character_set_server, @@collation_server")
	if err != nil {
		return seedStatement{}, fmt.Errorf("reading the server's character set: %w", err)
	}
	cs, _ := r.GetString(0, 0)
	coll, _ := r.GetString(0, 1)
	return seedStatement{ddl: fmt.Sprintf("SET character_set_server=%s, collation_server=%s", cs, coll)}, nil
}

// seedStatement is one statement of the structure Sluice starts from.
type seedStatement struct {
	db, ddl string
	// table is the table a CREATE TABLE creates or a DROP TABLE IF EXISTS
	// drops (kind says which); nil for the other statements.
	table *ddl.TableName
	kind  ddl.ChangeKind
}

// seedSchema starts the schema history: it reads every table's structure
// and the binlog position it holds at (or, given at, records it at that
// stored position: snapshot.mode=recovery), applies it to a fresh model and
// appends it to the history. It returns the position.
func (s *Streamer) seedSchema(ctx context.Context, at *offsets.MySQL) (offsets.MySQL, error) {
	pos, stmts, err := s.schemaNow(ctx, at == nil)
	if err != nil {
		return offsets.MySQL{}, err
	}
	if at != nil {
		pos = *at
	}
	m := s.newModel()
	position, err := s.seedPosition(pos)
	if err != nil {
		return offsets.MySQL{}, err
	}
	for _, st := range stmts {
		if err := m.ApplySQL(st.ddl, st.db, false); err != nil {
			return offsets.MySQL{}, fault.Definite(fmt.Errorf("cannot read the structure Sluice starts from: statement %q: %v", tail(st.ddl, 2000), err))
		}
		if s.cfg.History == nil {
			continue
		}
		var changes []history.TableChange
		if st.table != nil {
			changes = []history.TableChange{s.historyChange(m, st.kind, *st.table, ddl.TableName{})}
		}
		if err := s.appendHistory(ctx, position, st.db, st.ddl, changes); err != nil {
			return offsets.MySQL{}, err
		}
		s.seedEvents = append(s.seedEvents, s.seedSchemaChange(m, pos, st)...)
	}
	s.setModel(m)
	s.pending = nil
	s.log.Info("schema history started from the current table structures", zap.Int("statements", len(stmts)),
		zap.Int("tables", len(m.Tables())), zap.String("gtids", pos.GTIDs), zap.String("file", pos.File), zap.Uint64("pos", pos.Pos))
	return pos, nil
}

// seedPosition is the history position of the structure a connector
// starts from, as Debezium's snapshot records it: the start position with
// "snapshot": "INITIAL" (the snapshot kind, where Sluice's offsets have
// true; a history reader only tests that the key is there). Debezium's
// MySQL connector reads no GTIDs from a MariaDB server (SHOW MASTER STATUS
// there has no Executed_Gtid_Set), so with that class on MariaDB the
// records have none; they still come before every streamed position, as a
// record without GTIDs is before any offset with them.
func (s *Streamer) seedPosition(pos offsets.MySQL) ([]byte, error) {
	pos.Snapshot, pos.SnapshotKind = true, "INITIAL"
	pos.SluiceSnapshot, pos.SluiceIncremental = "", ""
	if s.cfg.PrivateGTIDs() {
		pos.GTIDs = ""
	}
	return pos.OffsetValue()
}

// seedSchemaChange is the schema change event of one statement of the
// structure a connector starts from, as Debezium's snapshot emits them
// (source.snapshot "true", the start position), the SET of the server's
// character set (database "") included.
func (s *Streamer) seedSchemaChange(m *ddl.Model, pos offsets.MySQL, st seedStatement) []change.Event {
	var table *ddl.TableName
	var changes []any
	tables := ""
	if st.table != nil {
		table, tables = st.table, st.table.Table
	}
	if !s.schemaChangeWanted(st.db, table) {
		return nil
	}
	if table != nil {
		var v *change.Value
		if st.kind != ddl.Drop {
			v, _ = m.Describe(table.DB, table.Table)
		}
		changes = []any{tableChangeValue(st.kind, *table, v)}
	}
	now := time.Now().UnixMilli()
	v := s.cfg.SourceFields(now, "true", st.db)
	if tables != "" {
		v[server.SrcTable] = tables
	}
	v[server.SrcServerID] = int64(0) // as in Debezium's snapshot records
	v[server.SrcFile] = pos.File
	v[server.SrcPos] = int64(pos.Pos)
	v[server.SrcRow] = int64(0)
	src := &change.Value{Schema: s.source, Values: v}
	rec := s.schemaChanges().record(s.cfg.TopicPrefix, st.db, st.ddl, src, changes)
	return []change.Event{{Kind: change.KindRecord, Record: rec, TsMs: now, Size: 2048 + len(st.ddl)}}
}

// EnqueueSeedEvents hands the schema change events of the structure the
// connector starts from to the poller, ahead of the first commit marker.
func (s *Streamer) EnqueueSeedEvents(ctx context.Context, out change.Enqueuer) error {
	evs := s.seedEvents
	s.seedEvents = nil
	if len(evs) == 0 {
		return nil
	}
	return out.Enqueue(ctx, evs...)
}

// appendHistory stores one record; it returns once the record is durable.
func (s *Streamer) appendHistory(ctx context.Context, position []byte, db, ddl string, changes []history.TableChange) error {
	if s.cfg.History == nil {
		return nil
	}
	if changes == nil {
		changes = []history.TableChange{}
	}
	tc, err := history.MarshalTableChanges(changes)
	if err != nil {
		// The same statement would fail the same way: stop, do not retry.
		return fault.Definite(fmt.Errorf("encoding the table changes of %q for the schema history: %w; the offset stays before the statement: report it with the statement", tail(ddl, 200), err))
	}
	rec := history.Record{Server: s.cfg.TopicPrefix, Position: position, TsMs: time.Now().UnixMilli(),
		DatabaseName: db, DDL: ddl, TableChanges: tc}
	if err := s.cfg.History.Append(ctx, rec); err != nil {
		return fmt.Errorf("writing %q to the schema history: %w", tail(ddl, 200), err)
	}
	return nil
}

// historyChange is a tableChanges entry of the model's table.
func (s *Streamer) historyChange(m *ddl.Model, kind ddl.ChangeKind, name, from ddl.TableName) history.TableChange {
	c := history.TableChange{Type: kind.String(), ID: history.TableID(name.DB, name.Table)}
	if kind == ddl.Rename {
		c.PreviousID = history.TableID(from.DB, from.Table)
	}
	if kind != ddl.Drop {
		if v, ok := m.Describe(name.DB, name.Table); ok {
			c.Table = historyTable(v)
		}
	}
	return c
}

// historyTable converts an io.debezium.connector.schema.Table value (see
// ddl.TableSchema) into the history's form.
func historyTable(v *change.Value) *history.Table {
	str := func(x any) *string {
		if s, ok := x.(string); ok {
			return &s
		}
		return nil
	}
	num := func(x any) *int {
		switch n := x.(type) {
		case int64:
			i := int(n)
			return &i
		case int32:
			i := int(n)
			return &i
		case int:
			return &n
		}
		return nil
	}
	strs := func(x any) []string {
		var out []string
		if list, ok := x.([]any); ok {
			for _, e := range list {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
		}
		return out
	}
	flag := func(x any) bool { b, _ := x.(bool); return b }
	t := &history.Table{DefaultCharsetName: str(v.Values[0]), PrimaryKeyColumnNames: strs(v.Values[1]), Comment: str(v.Values[3])}
	cols, _ := v.Values[2].([]any)
	for _, c := range cols {
		cv := c.(*change.Value).Values
		col := history.Column{
			Name: cv[0].(string), TypeName: cv[3].(string), TypeExpression: str(cv[4]), CharsetName: str(cv[5]),
			Length: num(cv[6]), Scale: num(cv[7]), Optional: flag(cv[9]), AutoIncremented: flag(cv[10]),
			Generated: flag(cv[11]), Comment: str(cv[12]), DefaultValueExpression: str(cv[13]), EnumValues: strs(cv[14]),
		}
		if n := num(cv[1]); n != nil {
			col.JdbcType = *n
		}
		if n := num(cv[2]); n != nil {
			col.NativeType = n
		}
		if n := num(cv[8]); n != nil {
			col.Position = *n
		}
		// A nullable column without a default has an implicit DEFAULT NULL,
		// which Debezium records as a default.
		col.HasDefaultValue = col.DefaultValueExpression != nil || col.Optional
		t.Columns = append(t.Columns, col)
	}
	return t
}

// ddlPosition is the history position of a DDL, as Debezium writes it so
// that either can replay the other's history (BinlogOffsetContext's
// restart position while the statement is handled).
//
// Debezium's MariaDB connector opens a transaction at each GTID event,
// the standalone one of a DDL too: the position is the transactions done
// before the DDL (gtids without its GTID), the start of its GTID event
// and "event": 1 (the GTID event is done). The offset stored before the
// DDL has the same gtids and no event, so the record is after it and a
// restart from there reads the DDL again from the binlog; every offset
// stored after the DDL has its GTID, so the record is before it and is
// replayed. (ddl.PositionAtOrBefore orders them so.)
//
// Its MySQL connector opens no transaction for a DDL: the position is the
// end of the statement's event, without an event count. Sluice writes it
// with the GTID set including the DDL's GTID, as its offsets after the
// DDL have it: a record with the set before the DDL and no event count
// would be at the offset stored just before the DDL, and a restart there
// would apply the DDL twice.
func (s *Streamer) ddlPosition(st *txnState, h *replication.EventHeader) ([]byte, error) {
	pos := offsets.MySQL{TsSec: int64(h.Timestamp), File: st.file, Pos: uint64(h.LogPos), ServerID: h.ServerID, TxID: st.begun}
	if st.gset != nil && !s.cfg.PrivateGTIDs() {
		g := st.gset.Clone()
		if s.cfg.Flavor == "mariadb" && st.gtid != "" && s.cfg.Proto() == "mariadb" {
			pos.Pos, pos.Event = st.txnStart, 1
		} else if st.gtid != "" {
			if err := g.Update(st.gtid); err != nil {
				return nil, fmt.Errorf("adding GTID %s to %s: %w", st.gtid, g, err)
			}
		}
		pos.GTIDs = g.String()
	}
	return pos.OffsetValue()
}

// applyDDL applies a parsed DDL statement to the schema model and records it
// in the schema history. A statement the model cannot apply stops the task
// when it concerns a captured table (or a captured database), unless the
// user chose to skip unparseable DDL: nothing after it would be decoded
// with a structure Sluice is sure of.
func (s *Streamer) applyDDL(ctx context.Context, st *txnState, h *replication.EventHeader, db, sql string, stmt *ddl.Statement) error {
	if s.model == nil || (stmt.Kind != ddl.Tables && stmt.Kind != ddl.Database) {
		return nil
	}
	var changes []history.TableChange
	structural := stmt.Kind == ddl.Database
	for _, c := range stmt.Changes {
		if c.Kind != ddl.Truncate {
			structural = true
		}
	}
	if !structural {
		return nil // TRUNCATE keeps the structure; Debezium records no history for it
	}
	if err := s.model.Apply(stmt); err != nil {
		where := fmt.Sprintf("%s:%d", st.file, int64(h.LogPos)-int64(h.EventSize))
		if st.gtid != "" {
			where += " (GTID " + st.gtid + ")"
		}
		captured := stmt.Kind == ddl.Database && s.databaseCaptured(stmt.Database)
		for _, c := range stmt.Changes {
			// The server has run the statement: a renamed table is gone
			// under its old name, whatever the model could not follow.
			if c.Kind == ddl.Rename {
				s.model.DropTable(c.From.DB, c.From.Table)
			}
			if c.Kind == ddl.Drop {
				s.model.DropTable(c.Table.DB, c.Table.Table)
			} else {
				s.model.MarkUnknown(c.Table.DB, c.Table.Table)
			}
			captured = captured || s.cfg.Filter.TableIncluded(c.Table.DB, c.Table.Table) ||
				(c.Kind == ddl.Rename && s.cfg.Filter.TableIncluded(c.From.DB, c.From.Table))
		}
		if captured && !s.cfg.SkipUnparseableDDL {
			why := "Sluice cannot parse it"
			if errors.Is(err, ddl.ErrDiverged) {
				why = "it does not fit the structure Sluice has for the table, so a DDL reached the server without reaching the binlog (sql_log_bin=0?) or the schema history is incomplete"
			}
			return fault.Definite(fmt.Errorf("cannot apply the DDL statement %q at binlog position %s to the tables' structure (%s: %v); Sluice stops rather than label rows with a structure it is not sure of. Set schema.history.internal.skip.unparseable.ddl=true to go on: rows are still decoded with the columns the binlog describes, and the tables it names take their defaults and MariaDB JSON/UUID/INET types from information_schema from then on", tail(sql, 2000), where, why, err))
		}
		s.log.Warn("skipping a DDL statement Sluice cannot apply to its table structures; the tables it names take their defaults and declared types from information_schema from now on",
			zap.String("statement", tail(sql, 2000)), zap.String("position", where), zap.Bool("captured", captured), zap.Error(err))
		return nil
	}
	position, err := s.ddlPosition(st, h)
	if err != nil {
		return fault.Definite(err)
	}
	if !s.historyWanted(db, stmt) {
		return nil
	}
	if drops := dropTables(stmt); drops != nil {
		// Debezium records a DROP TABLE as one statement per table, in the
		// form it generates: DROP TABLE `db`.`t`.
		for _, c := range drops {
			if s.pending[historyPending(position, c.DDL)] {
				continue // recorded before a restart that came before the offset passed it
			}
			hc := s.historyChange(s.model, c.Kind, c.Table, c.From)
			if err := s.appendHistory(ctx, position, db, c.DDL, []history.TableChange{hc}); err != nil {
				return err
			}
		}
		return nil
	}
	if s.pending[historyPending(position, sql)] {
		return nil // recorded before a restart that came before the offset passed it
	}
	for _, c := range foldRenames(stmt.Changes) {
		if c.Kind == ddl.Truncate || stmt.Index {
			continue // Debezium records no table change for these
		}
		hc := s.historyChange(s.model, c.Kind, c.Table, c.From)
		if hc.Table == nil && c.Kind != ddl.Drop {
			// The model applied the statement but does not know the table
			// (it was created before the history began and dropped before
			// it was seeded, in a recovery, say): the statement is still
			// recorded, and replayed, without a structure it cannot give.
			s.log.Info("schema history: no structure for a table a DDL changed; recording the statement without it",
				zap.String("table", c.Table.String()), zap.String("statement", tail(sql, 200)))
			continue
		}
		changes = append(changes, hc)
	}
	return s.appendHistory(ctx, position, db, sql, changes)
}

// dropTables is the changes of a DROP TABLE statement, nil for any other.
func dropTables(stmt *ddl.Statement) []ddl.TableChange {
	if stmt.Kind != ddl.Tables || len(stmt.Changes) == 0 {
		return nil
	}
	for _, c := range stmt.Changes {
		if c.Kind != ddl.Drop {
			return nil
		}
	}
	return stmt.Changes
}

// newModel is an empty schema model for the server this reader reads.
func (s *Streamer) newModel() *ddl.Model {
	m := ddl.NewModel(s.cfg.Proto())
	m.JSONTyped = s.cfg.Types.MariaDBJSON
	m.Comments = s.cfg.Types.Comments
	return m
}

// foldRenames folds the pairs of a RENAME TABLE statement that rename a
// table an earlier pair produced into that pair, for the history record:
// "a TO tmp, b TO a, tmp TO b" swaps a and b, and tmp, gone once the
// statement is done, is no table the record can describe. The model
// applies the pairs one by one and needs them unfolded.
func foldRenames(changes []ddl.TableChange) []ddl.TableChange {
	var out []ddl.TableChange
	for _, c := range changes {
		if c.Kind == ddl.Rename {
			for i, prev := range out {
				if prev.Kind == ddl.Rename && prev.Table == c.From {
					c.From = prev.From
					out = append(out[:i], out[i+1:]...)
					break
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func (s *Streamer) databaseCaptured(db string) bool {
	if f, ok := s.cfg.Filter.(server.DatabaseFilter); ok {
		return f.DatabaseIncluded(db)
	}
	return true
}

// historyWanted applies schema.history.internal.store.only.captured.*.ddl.
func (s *Streamer) historyWanted(db string, stmt *ddl.Statement) bool {
	if s.cfg.StoreOnlyCapturedDatabasesDDL {
		name := db
		if stmt.Kind == ddl.Database {
			name = stmt.Database
		}
		ok := stmt.Kind == ddl.Database && s.databaseCaptured(name)
		for _, c := range stmt.Changes {
			ok = ok || s.databaseCaptured(c.Table.DB) || (c.Kind == ddl.Rename && s.databaseCaptured(c.From.DB))
		}
		if !ok {
			return false
		}
	}
	if s.cfg.StoreOnlyCapturedTablesDDL && stmt.Kind == ddl.Tables {
		for _, c := range stmt.Changes {
			if s.cfg.Filter.TableIncluded(c.Table.DB, c.Table.Table) || (c.Kind == ddl.Rename && s.cfg.Filter.TableIncluded(c.From.DB, c.From.Table)) {
				return true
			}
		}
		return false
	}
	return true
}

// schemaNow reads the binlog position and, at that position, the statements
// that create every recorded database and table, as Debezium's snapshot
// records them (see readStructures). DDL is
// blocked meanwhile (MariaDB: BACKUP STAGE BLOCK_DDL; MySQL: LOCK INSTANCE
// FOR BACKUP), which lets row changes go on. Without the privilege to
// block, it reads until the position did not move during the read.
func (s *Streamer) schemaNow(ctx context.Context, needPosition bool) (offsets.MySQL, []seedStatement, error) {
	conn, err := s.cfg.Connect(ctx)
	if err != nil {
		return offsets.MySQL{}, nil, err
	}
	defer conn.Close()
	blocked, unblock := s.blockDDL(conn)
	defer unblock()
	for attempt := 1; ; attempt++ {
		var before offsets.MySQL
		if needPosition {
			if before, err = s.positionOn(conn); err != nil {
				return before, nil, err
			}
		}
		stmts, err := s.readStructures(ctx, conn)
		if err != nil {
			return before, nil, err
		}
		if blocked || !needPosition {
			return before, stmts, nil
		}
		after, err := s.positionOn(conn)
		if err != nil {
			return before, nil, err
		}
		if after.File == before.File && after.Pos == before.Pos {
			return before, stmts, nil
		}
		if attempt == 10 {
			return before, nil, fault.Definite(fmt.Errorf("the binlog kept moving while Sluice read the table structures, and Sluice may not block DDL meanwhile; grant the connector user RELOAD (MariaDB, for BACKUP STAGE) or BACKUP_ADMIN (MySQL, for LOCK INSTANCE FOR BACKUP)"))
		}
	}
}

// blockDDL stops DDL (not row changes) on the server until unblock.
func (s *Streamer) blockDDL(conn *client.Conn) (bool, func()) {
	// Waiting long for a running DDL would hold up the start; without the
	// block Sluice reads until the position stands still.
	_, _ = conn.Execute(fmt.Sprintf("SET SESSION lock_wait_timeout = %d", s.cfg.Snapshot.LockWaitSeconds()))
	var lock, unlock []string
	if s.cfg.Proto() == "mariadb" {
		lock, unlock = []string{"BACKUP STAGE START", "BACKUP STAGE BLOCK_DDL"}, []string{"BACKUP STAGE END"}
	} else {
		lock, unlock = []string{"LOCK INSTANCE FOR BACKUP"}, []string{"UNLOCK INSTANCE"}
	}
	release := func() {
		for _, q := range unlock {
			_, _ = conn.Execute(q)
		}
	}
	for _, q := range lock {
		if _, err := conn.Execute(q); err != nil {
			release()
			s.log.Warn("cannot block DDL while reading the table structures; reading them until the binlog position stands still instead",
				zap.String("statement", q), zap.Error(err))
			return false, func() {}
		}
	}
	return true, release
}

// positionOn is currentPosition over an open connection.
func (s *Streamer) positionOn(conn *client.Conn) (offsets.MySQL, error) {
	var pos offsets.MySQL
	r, err := conn.Execute("SHOW MASTER STATUS")
	if err != nil {
		return pos, fmt.Errorf("reading the binlog position (SHOW MASTER STATUS): %w", err)
	}
	if r.RowNumber() == 0 {
		return pos, fault.Definite(fmt.Errorf("server %s has no binary log; start it with log_bin enabled", s.cfg.Addr()))
	}
	pos.File, _ = r.GetString(0, 0)
	pos.Pos, _ = r.GetUint(0, 1)
	q := "SELECT @@gtid_binlog_pos"
	if s.cfg.Proto() != "mariadb" {
		q = "SELECT IF(@@gtid_mode = 'ON', @@gtid_executed, '')"
	}
	r, err = conn.Execute(q)
	if err != nil {
		return pos, fmt.Errorf("reading the GTID position: %w", err)
	}
	pos.GTIDs, _ = r.GetString(0, 0)
	pos.TsSec = time.Now().Unix()
	return pos, nil
}

// readStructures lists the statements that rebuild every recorded database
// and table, in the order of Debezium's snapshot
// (BinlogSnapshotChangeEventSource.readTableStructure): SET
// character_set_server, DROP TABLE IF EXISTS of every table, then for each
// database DROP DATABASE IF EXISTS, CREATE DATABASE with the charset and
// collation of information_schema.SCHEMATA, USE and SHOW CREATE TABLE of
// its tables.
//
// Debezium records only the databases that have a table; Sluice records
// the others too: a table created in one later inherits its character set,
// which the model would not know otherwise (it marks such a table unknown
// rather than guess), and Debezium reads the records of an empty database
// as it reads its own.
func (s *Streamer) readStructures(ctx context.Context, conn *client.Conn) ([]seedStatement, error) {
	set, err := s.serverCharset(conn)
	if err != nil {
		return nil, err
	}
	stmts := []seedStatement{set}
	r, err := conn.Execute(`SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_SCHEMA, TABLE_NAME`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	var tables []ddl.TableName
	for i := 0; i < r.RowNumber(); i++ {
		db, _ := r.GetString(i, 0)
		t, _ := r.GetString(i, 1)
		if s.seedWanted(db, &t) {
			tables = append(tables, ddl.TableName{DB: db, Table: t})
		}
	}
	r, err = conn.Execute(`SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME
		FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME`)
	if err != nil {
		return nil, fmt.Errorf("listing databases: %w", err)
	}
	type locale struct{ charset, collation string }
	locales := map[string]locale{}
	var dbs []string
	for i := 0; i < r.RowNumber(); i++ {
		db, _ := r.GetString(i, 0)
		cs, _ := r.GetString(i, 1)
		coll, _ := r.GetString(i, 2)
		if s.seedWanted(db, nil) {
			dbs = append(dbs, db)
			locales[db] = locale{cs, coll}
		}
	}
	for _, t := range tables {
		name := t
		stmts = append(stmts, seedStatement{db: t.DB, ddl: "DROP TABLE IF EXISTS " + t.Quoted(), table: &name, kind: ddl.Drop})
	}
	q := func(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
	byDB := map[string][]ddl.TableName{}
	for _, t := range tables {
		byDB[t.DB] = append(byDB[t.DB], t)
	}
	for _, db := range dbs {
		stmts = append(stmts, seedStatement{db: db, ddl: "DROP DATABASE IF EXISTS " + q(db)})
		// Debezium's form (DatabaseLocales.appendToDdlStatement), not
		// SHOW CREATE DATABASE's.
		create := "CREATE DATABASE " + q(db)
		if l, ok := locales[db]; ok {
			if l.charset != "" {
				create += " CHARSET " + l.charset
			}
			if l.collation != "" {
				create += " COLLATE " + l.collation
			}
		}
		stmts = append(stmts, seedStatement{db: db, ddl: create}, seedStatement{db: db, ddl: "USE " + q(db)})
		for _, t := range byDB[db] {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r, err := conn.Execute("SHOW CREATE TABLE " + t.Quoted())
			if err != nil {
				if isGone(err) {
					continue // dropped since it was listed, which blocked DDL rules out unless unblocked
				}
				return nil, fmt.Errorf("reading SHOW CREATE TABLE %s: %w", t, err)
			}
			ddlText, _ := r.GetString(0, 1)
			name := t
			stmts = append(stmts, seedStatement{db: t.DB, ddl: ddlText, table: &name, kind: ddl.Create})
		}
	}
	return stmts, nil
}

// isGone: the database or table no longer exists.
func isGone(err error) bool {
	var me *gmysql.MyError
	return errors.As(err, &me) && (me.Code == gmysql.ER_BAD_DB_ERROR || me.Code == gmysql.ER_NO_SUCH_TABLE)
}

// HistoryKeeps reports whether the schema history keeps db.table's
// structure (seedWanted): what guardrail.collections.max counts.
func (s *Streamer) HistoryKeeps(db, table string) bool { return s.seedWanted(db, &table) }

// seedWanted decides which databases and tables the history starts with:
// every one but the system databases, unless
// schema.history.internal.store.only.captured.*.ddl narrows it.
func (s *Streamer) seedWanted(db string, table *string) bool {
	switch strings.ToLower(db) {
	case "mysql", "information_schema", "performance_schema", "sys":
		return false
	}
	if s.cfg.StoreOnlyCapturedDatabasesDDL && !s.databaseCaptured(db) {
		return false
	}
	if s.cfg.StoreOnlyCapturedTablesDDL && table != nil {
		return s.cfg.Filter.TableIncluded(db, *table)
	}
	return true
}
