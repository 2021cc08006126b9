package binlog

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Schema change events, truncate events and what a DDL does to the table
// tracker. Rows never depend on this: they are decoded with the structure
// of their TABLE_MAP event. What does depend on the DDL stream:
//
//   - TRUNCATE TABLE of a captured table is a truncate event (op "t") unless
//     skipped.operations lists "t", which is Debezium's default;
//   - with include.schema.changes (Debezium's default), every DDL becomes
//     records on the <topic.prefix> topic, keyed by database, in Debezium's
//     SchemaChangeKey/SchemaChangeValue format, before the DDL's commit
//     marker so that offsets stay exact;
//   - a statement Sluice cannot parse stops the task (definitely) unless
//     schema.history.internal.skip.unparseable.ddl is true.
//
// The tableChanges of a schema change event describe the table as
// information_schema shows it when Sluice reads the DDL. Debezium replays
// its own schema history instead; Sluice keeps none, so when it reads a
// binlog older than the current schema (after a restart from an old offset,
// or while lagging behind several DDLs) the structure may be a later one, and
// a table that no longer exists has "table": null. The rows themselves are
// never affected: they carry the columns the binlog describes.

// Debezium's schema change structure (SchemaFactory; the table's is
// ddl.TableSchema).
var historyChangeSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.schema.Change", Version: 1, Fields: []change.Field{
	{Name: "type", Schema: server.StringSchema},
	{Name: "id", Schema: server.StringSchema},
	{Name: "table", Schema: ddl.TableSchema},
}}

// schemaChanges builds the records of the schema change topic. It is used by
// the streaming goroutine only.
type schemaChanges struct {
	key, value *change.Schema
	now        func() time.Time
}

func newSchemaChanges(flavor string, source *change.Schema) *schemaChanges {
	// io.debezium.connector.<Module.name()>.SchemaChange{Key,Value}: "mysql"
	// for the MySQL connector, "mariadb" for the MariaDB one.
	prefix := "io.debezium.connector." + flavor + "."
	return &schemaChanges{
		key: &change.Schema{Type: change.Struct, Name: prefix + "SchemaChangeKey", Version: 1, Fields: []change.Field{
			{Name: "databaseName", Schema: server.StringSchema},
		}},
		value: &change.Schema{Type: change.Struct, Name: prefix + "SchemaChangeValue", Version: 1, Fields: []change.Field{
			{Name: "source", Schema: source},
			{Name: "ts_ms", Schema: server.Int64Schema},
			{Name: "databaseName", Schema: server.OptionalStringSchema},
			{Name: "schemaName", Schema: server.OptionalStringSchema},
			{Name: "ddl", Schema: server.OptionalStringSchema},
			{Name: "tableChanges", Schema: &change.Schema{Type: change.Array, Items: historyChangeSchema}},
		}},
		now: time.Now,
	}
}

// record builds one schema change record.
func (sc *schemaChanges) record(topic, db, ddl string, source *change.Value, changes []any) *change.Record {
	if changes == nil {
		changes = []any{}
	}
	key := &change.Value{Schema: sc.key, Values: []any{db}}
	var ddlVal any
	if ddl != "" {
		ddlVal = ddl
	}
	value := &change.Value{Schema: sc.value, Values: []any{source, sc.now().UnixMilli(), db, nil, ddlVal, changes}}
	// Debezium writes every schema change event to partition 0.
	return &change.Record{Topic: topic, KeySchema: sc.key, Key: key, ValueSchema: sc.value, Value: value,
		FixedPartition: true, Partition: 0}
}

// tableChangeValue is one element of tableChanges: {type, id, table}.
func tableChangeValue(kind ddl.ChangeKind, name ddl.TableName, table *change.Value) *change.Value {
	var t any
	if table != nil {
		t = table
	}
	return &change.Value{Schema: historyChangeSchema, Values: []any{kind.String(), debeziumTableID(name), t}}
}

// debeziumTableID is TableId.toDoubleQuotedString for MySQL: "db"."table".
func debeziumTableID(n ddl.TableName) string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	return q(n.DB) + "." + q(n.Table)
}

// queryEvent handles a QUERY event other than BEGIN and COMMIT: DDL, and
// statements with no effect on tables. It appends what the statement emits
// (truncate events, schema change records) to batch; the caller appends the
// commit marker when the statement is a transaction of its own.
func (s *Streamer) queryEvent(ctx context.Context, st *txnState, h *replication.EventHeader, e *replication.QueryEvent, batch []change.Event) ([]change.Event, error) {
	// Any statement may change a table's definition: what information_schema
	// said before it is stale.
	s.tables.Invalidate()
	sql := string(e.Query)
	eventPos := int64(h.LogPos) - int64(h.EventSize)
	stmt, err := ddl.Parse(sql, string(e.Schema), noBackslashEscapes(e.StatusVars))
	if err != nil {
		where := fmt.Sprintf("%s:%d", st.file, eventPos)
		if st.gtid != "" {
			where += " (GTID " + st.gtid + ")"
		}
		if s.cfg.SkipUnparseableDDL {
			s.log.Warn("skipping a DDL statement Sluice cannot parse (schema.history.internal.skip.unparseable.ddl=true); rows keep being decoded with the structure their binlog TABLE_MAP events describe",
				zap.String("statement", tail(sql, 2000)), zap.String("position", where), zap.Error(err))
			// The statement may have changed any table: rebuild every
			// table version from the next TABLE_MAP and a fresh catalog.
			s.tables.forgetAll()
			return batch, nil
		}
		return batch, fault.Definite(fmt.Errorf("cannot parse the DDL statement %q at binlog position %s: %v; Sluice stops rather than guess which tables it changes. If the statement changes no captured table, or the change may go without a schema change event, set schema.history.internal.skip.unparseable.ddl=true to skip it", tail(sql, 2000), where, err))
	}
	if err := s.applyDDL(ctx, st, h, string(e.Schema), sql, stmt); err != nil {
		return batch, err
	}
	emit := func(ev change.Event) {
		// After a reconnect the open transaction is read again from its
		// start: what was already enqueued is not enqueued twice.
		if st.skipRows > 0 {
			st.skipRows--
			st.rows++
			return
		}
		st.rows++
		batch = append(batch, ev)
	}
	tsMs := int64(h.Timestamp) * 1000
	thread := int64(e.SlaveProxyID)
	switch stmt.Kind {
	case ddl.Ignore:
		if stmt.DML {
			s.log.Warn("the binlog holds a DML statement, not row events: part of it was written with binlog_format=STATEMENT or MIXED, and those changes are not captured; set binlog_format=ROW on the server",
				zap.String("statement", tail(sql, 500)), zap.String("file", st.file), zap.Int64("pos", eventPos))
		}
		return batch, nil
	case ddl.Other, ddl.Database:
		db := string(e.Schema)
		if stmt.Kind == ddl.Database {
			db = stmt.Database
			s.tables.forgetDatabase(db)
		}
		if s.schemaChangeWanted(db, nil) {
			src := s.ddlSource(st, h, db, "", eventPos, tsMs, noThread)
			emit(change.Event{Kind: change.KindRecord, Record: s.schemaChanges().record(s.cfg.TopicPrefix, db, stmt.Text, src, nil), TsMs: tsMs, Size: 512 + len(sql)})
		}
		return batch, nil
	}
	if stmt.Index {
		for _, c := range stmt.Changes {
			s.tables.forget(c.Table)
			s.incr.TableChanged(c.Table.DB, c.Table.Table)
		}
		db := stmt.Changes[0].Table.DB
		if s.schemaChangeWanted(db, &stmt.Changes[0].Table) {
			src := s.ddlSource(st, h, db, "", eventPos, tsMs, noThread)
			src.Values[server.SrcTable] = "" // Debezium's: empty, not null
			emit(change.Event{Kind: change.KindRecord, Record: s.schemaChanges().record(s.cfg.TopicPrefix, db, stmt.Text, src, nil), TsMs: tsMs, Size: 512 + len(sql)})
		}
		return batch, nil
	}
	// Table statements: group by database in order of appearance, as
	// Debezium does; source.table names every table of the group.
	var dbs []string
	groups := map[string][]ddl.TableChange{}
	for k, c := range stmt.Changes {
		if c.Kind != ddl.Truncate { // TRUNCATE keeps the structure
			s.tables.forget(c.Table)
		}
		s.incr.TableChanged(c.Table.DB, c.Table.Table)
		if c.Kind == ddl.Rename {
			s.tables.forget(c.From)
			s.incr.TableChanged(c.From.DB, c.From.Table)
			if st.filter != nil && st.filter.Renamed(c.From.DB, c.From.Table) {
				s.incr.SnapshotRenamed(c.From.DB+"."+c.From.Table, c.Table.DB+"."+c.Table.Table)
			}
			if !renamedBack(stmt.Changes[k+1:], c.From) {
				s.incr.TableRenamed(c.From.DB+"."+c.From.Table, c.Table.DB+"."+c.Table.Table)
			}
		}
		if c.Kind == ddl.Drop {
			s.incr.TableDropped(c.Table.DB + "." + c.Table.Table)
		}
		if _, ok := groups[c.Table.DB]; !ok {
			dbs = append(dbs, c.Table.DB)
		}
		groups[c.Table.DB] = append(groups[c.Table.DB], c)
	}
	for _, db := range dbs {
		var names []string
		for _, c := range groups[db] {
			names = append(names, c.Table.Table)
		}
		srcTables := strings.Join(names, ",")
		for _, c := range groups[db] {
			if c.Kind == ddl.Truncate {
				ev, ok, err := s.truncateEvent(ctx, st, h, c.Table, eventPos, tsMs, thread)
				if err != nil {
					return batch, err
				}
				if ok {
					emit(ev)
					if st.filter != nil {
						st.filter.Truncated(c.Table.DB, c.Table.Table)
					}
				}
				continue
			}
			if !s.schemaChangeWanted(db, &c.Table) {
				continue
			}
			var table *change.Value
			if c.Kind != ddl.Drop {
				desc, found, err := s.describe(ctx, c.Table)
				if err != nil {
					return batch, fmt.Errorf("reading the structure of %s for the schema change event of the DDL at %s:%d: %w", c.Table, st.file, eventPos, err)
				}
				if found {
					table = desc
				} else {
					s.log.Warn("information_schema does not show the table a DDL created or altered (dropped or renamed since the binlog was written, or not visible to the connector user); its schema change event has \"table\": null",
						zap.String("table", c.Table.String()), zap.String("file", st.file), zap.Int64("pos", eventPos))
				}
			}
			src := s.ddlSource(st, h, db, srcTables, eventPos, tsMs, noThread)
			rec := s.schemaChanges().record(s.cfg.TopicPrefix, db, c.DDL, src, []any{tableChangeValue(c.Kind, c.Table, table)})
			emit(change.Event{Kind: change.KindRecord, Record: rec, TsMs: tsMs, Size: 2048 + len(sql)})
		}
	}
	return batch, nil
}

// describe is a table's structure for a schema change event: the schema
// model's, which is the structure right after the DDL, or, for a table the
// model does not know, information_schema's, which is today's.
// renamedBack reports whether a later rename of the same statement gives
// name to another table, as an online schema change's swap does (RENAME
// TABLE t TO _t_old, _t_new TO t): name then still names a table.
func renamedBack(later []ddl.TableChange, name ddl.TableName) bool {
	return slices.ContainsFunc(later, func(c ddl.TableChange) bool {
		return c.Kind == ddl.Rename && strings.EqualFold(c.Table.DB, name.DB) && strings.EqualFold(c.Table.Table, name.Table)
	})
}

func (s *Streamer) describe(ctx context.Context, n ddl.TableName) (*change.Value, bool, error) {
	if s.model != nil {
		if v, ok := s.model.Describe(n.DB, n.Table); ok {
			return v, true, nil
		}
	}
	return s.cat.Describe(ctx, s.cfg.Proto(), n.DB, n.Table)
}

func (s *Streamer) schemaChanges() *schemaChanges {
	if s.schemaChangeRecords == nil {
		s.schemaChangeRecords = newSchemaChanges(s.cfg.Flavor, s.source)
	}
	return s.schemaChangeRecords
}

// schemaChangeWanted applies include.schema.changes and Debezium's
// schema.history.internal.store.only.captured.{databases,tables}.ddl
// (both false by default: DDL of every database is recorded). table is nil
// for database-level statements.
func (s *Streamer) schemaChangeWanted(db string, table *ddl.TableName) bool {
	if !s.cfg.IncludeSchemaChanges {
		return false
	}
	dbIncluded := true
	if f, ok := s.cfg.Filter.(server.DatabaseFilter); ok && db != "" {
		dbIncluded = f.DatabaseIncluded(db)
	}
	if s.cfg.StoreOnlyCapturedDatabasesDDL && !dbIncluded {
		return false
	}
	if s.cfg.StoreOnlyCapturedTablesDDL {
		if table == nil {
			return dbIncluded
		}
		return s.cfg.Filter.TableIncluded(table.DB, table.Table)
	}
	return true
}

// truncateEvent returns the truncate event of a captured table, unless
// skipped.operations lists "t".
func (s *Streamer) truncateEvent(ctx context.Context, st *txnState, h *replication.EventHeader, name ddl.TableName, eventPos, tsMs, thread int64) (change.Event, bool, error) {
	if s.cfg.SkippedOperations[change.OpTruncate] || !s.cfg.Filter.TableIncluded(name.DB, name.Table) {
		return change.Event{}, false, nil
	}
	tbl, err := s.tables.versionForTruncate(ctx, name)
	if err != nil {
		return change.Event{}, false, fault.Definite(fmt.Errorf("reading the definition of %s for its truncate event at %s:%d: %w", name, st.file, eventPos, err))
	}
	src := s.ddlSource(st, h, name.DB, name.Table, eventPos, tsMs, thread)
	return change.Event{Op: change.OpTruncate, Table: tbl, Source: src, TsMs: tsMs, Size: 512}, true, nil
}

// ddlSource is the source block of a DDL's records: the DDL's database, the
// tables it touches (empty for none), its position, row 0.
// noThread leaves source.thread null: Debezium's schema change events have
// none (its TRUNCATE events do).
const noThread = -1

func (s *Streamer) ddlSource(st *txnState, h *replication.EventHeader, db, tables string, pos, tsMs, thread int64) *change.Value {
	v := s.cfg.SourceFields(tsMs, "false", db)
	if tables != "" {
		v[server.SrcTable] = tables
	}
	v[server.SrcServerID] = int64(h.ServerID)
	v[server.SrcGTID] = s.cfg.SourceGTID(st.gtid)
	v[server.SrcFile] = st.file
	v[server.SrcPos] = pos
	v[server.SrcRow] = int64(0)
	if thread >= 0 {
		v[server.SrcThread] = thread
	}
	return &change.Value{Schema: s.source, Values: v}
}

// forget drops the cached version of a table a DDL touched, so that its
// next TABLE_MAP builds a new one from a fresh catalog even when the
// TABLE_MAP is byte for byte the same (MariaDB's JSON is LONGTEXT plus a
// check constraint the binlog does not show).
func (t *tableTracker) forget(n ddl.TableName) {
	for key := range t.entries {
		db, table, _ := strings.Cut(key, ".")
		if strings.EqualFold(db, n.DB) && strings.EqualFold(table, n.Table) {
			delete(t.entries, key)
		}
	}
}

func (t *tableTracker) forgetDatabase(db string) {
	for key := range t.entries {
		if d, _, _ := strings.Cut(key, "."); strings.EqualFold(d, db) {
			delete(t.entries, key)
		}
	}
}

func (t *tableTracker) forgetAll() { clear(t.entries) }

// versionForTruncate is the table version a truncate event carries: the one
// the last TABLE_MAP built when it is still valid (no DDL touched the table
// since), else the current definition, else, for a table dropped since the
// binlog was written, an empty one.
func (t *tableTracker) versionForTruncate(ctx context.Context, n ddl.TableName) (*change.Table, error) {
	if e := t.entries[n.DB+"."+n.Table]; e != nil && e.table != nil {
		return e.table, nil
	}
	if t.model != nil {
		if info, ok := t.model.TableInfo(n.DB, n.Table); ok {
			return t.assemble(n.DB, n.Table, info.Columns, info.Key)
		}
	}
	exists, err := t.schema.Exists(ctx, n.DB, n.Table)
	if err != nil {
		return nil, err
	}
	if !exists {
		t.log.Warn("a truncated table no longer exists (the binlog is older than the current schema); its truncate event has an empty row schema",
			zap.String("table", n.String()))
		return t.assemble(n.DB, n.Table, nil, nil)
	}
	info, err := t.schema.Table(ctx, n.DB, n.Table)
	if err != nil {
		return nil, err
	}
	return t.assemble(n.DB, n.Table, info.Columns, info.Key)
}

// opSkipped reports whether skipped.operations drops the rows of a rows event.
func (s *Streamer) opSkipped(t replication.EventType) bool {
	op, ok := rowsOp(t)
	return ok && s.cfg.SkippedOperations[op]
}

// sqlModeNoBackslashEscapes is NO_BACKSLASH_ESCAPES in a QUERY event's
// sql_mode (the same bit on MySQL and MariaDB).
const sqlModeNoBackslashEscapes = 1 << 20

// noBackslashEscapes reads a QUERY event's status variables up to its
// sql_mode (Q_SQL_MODE_CODE, which servers write right after Q_FLAGS2_CODE)
// and reports whether NO_BACKSLASH_ESCAPES was on for the statement.
func noBackslashEscapes(status []byte) bool {
	for i := 0; i < len(status); {
		code := status[i]
		i++
		switch code {
		case 0, 3, 10: // Q_FLAGS2_CODE, Q_AUTO_INCREMENT, Q_MASTER_DATA_WRITTEN_CODE
			i += 4
		case 1: // Q_SQL_MODE_CODE
			if i+8 > len(status) {
				return false
			}
			return binary.LittleEndian.Uint64(status[i:])&sqlModeNoBackslashEscapes != 0
		case 2: // Q_CATALOG_CODE: length, name, NUL
			if i >= len(status) {
				return false
			}
			i += 1 + int(status[i]) + 1
		case 4: // Q_CHARSET_CODE
			i += 6
		case 5, 6: // Q_TIME_ZONE_CODE, Q_CATALOG_NZ_CODE: length, text
			if i >= len(status) {
				return false
			}
			i += 1 + int(status[i])
		case 7, 8: // Q_LC_TIME_NAMES_CODE, Q_CHARSET_DATABASE_CODE
			i += 2
		case 9: // Q_TABLE_MAP_FOR_UPDATE_CODE
			i += 8
		default:
			return false
		}
	}
	return false
}

// tail shortens a statement for messages.
func tail(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
