package mysql

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
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

// DatabaseFilter is implemented by filters that can also decide on a whole
// database (database.include.list / database.exclude.list). A Filter that
// does not implement it lets every database through.
type DatabaseFilter interface {
	DatabaseIncluded(db string) bool
}

// ParseSkippedOperations reads Debezium's skipped.operations: a
// comma-separated list of c, u, d, t (and r, which streaming never emits),
// or "none", validated as Debezium's CommonConnectorConfig does. Debezium's
// default is "t".
func ParseSkippedOperations(s string) (map[change.Op]bool, error) {
	out := map[change.Op]bool{}
	parts := strings.Split(s, ",")
	// Java's String.split drops trailing empty strings.
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	none := false
	for _, part := range parts {
		switch p := strings.TrimSpace(part); p {
		case "c", "u", "d", "t", "r":
			out[change.Op(p[0])] = true
		case "none":
			none = true
		default:
			return nil, fmt.Errorf("%q is not an operation; use a comma-separated list of c, u, d, t, or none", p)
		}
	}
	if none && len(out) > 0 {
		return nil, fmt.Errorf("%q: 'none' cannot be combined with operations", s)
	}
	return out, nil
}

// Debezium's schema history structures (SchemaFactory): the same for every
// connector. The plain schemas serve the source block too.
var (
	int32Schema    = &change.Schema{Type: change.Int32}
	int64Schema    = &change.Schema{Type: change.Int64}
	stringSchema   = &change.Schema{Type: change.String}
	optBool        = &change.Schema{Type: change.Boolean, Optional: true}
	optInt32       = &change.Schema{Type: change.Int32, Optional: true}
	optStringArray = &change.Schema{Type: change.Array, Optional: true, Items: stringSchema}

	historyColumnSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.schema.Column", Version: 1, Fields: []change.Field{
		{Name: "name", Schema: stringSchema},
		{Name: "jdbcType", Schema: int32Schema},
		{Name: "nativeType", Schema: optInt32},
		{Name: "typeName", Schema: stringSchema},
		{Name: "typeExpression", Schema: optString},
		{Name: "charsetName", Schema: optString},
		{Name: "length", Schema: optInt32},
		{Name: "scale", Schema: optInt32},
		{Name: "position", Schema: int32Schema},
		{Name: "optional", Schema: optBool},
		{Name: "autoIncremented", Schema: optBool},
		{Name: "generated", Schema: optBool},
		{Name: "comment", Schema: optString},
		{Name: "defaultValueExpression", Schema: optString},
		{Name: "enumValues", Schema: optStringArray},
	}}
	historyTableSchema = &change.Schema{Type: change.Struct, Optional: true, Name: "io.debezium.connector.schema.Table", Version: 1, Fields: []change.Field{
		{Name: "defaultCharsetName", Schema: optString},
		{Name: "primaryKeyColumnNames", Schema: optStringArray},
		{Name: "columns", Schema: &change.Schema{Type: change.Array, Items: historyColumnSchema}},
		{Name: "comment", Schema: optString},
	}}
	historyChangeSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.schema.Change", Version: 1, Fields: []change.Field{
		{Name: "type", Schema: stringSchema},
		{Name: "id", Schema: stringSchema},
		{Name: "table", Schema: historyTableSchema},
	}}
)

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
			{Name: "databaseName", Schema: stringSchema},
		}},
		value: &change.Schema{Type: change.Struct, Name: prefix + "SchemaChangeValue", Version: 1, Fields: []change.Field{
			{Name: "source", Schema: source},
			{Name: "ts_ms", Schema: int64Schema},
			{Name: "databaseName", Schema: optString},
			{Name: "schemaName", Schema: optString},
			{Name: "ddl", Schema: optString},
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
	return &change.Record{Topic: topic, KeySchema: sc.key, Key: key, ValueSchema: sc.value, Value: value}
}

// tableChangeValue is one element of tableChanges: {type, id, table}.
func tableChangeValue(kind tableChangeKind, name tableName, table *change.Value) *change.Value {
	var t any
	if table != nil {
		t = table
	}
	return &change.Value{Schema: historyChangeSchema, Values: []any{kind.String(), debeziumTableID(name), t}}
}

// debeziumTableID is TableId.toDoubleQuotedString for MySQL: "db"."table".
func debeziumTableID(n tableName) string {
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
	stmt, err := parseDDL(sql, string(e.Schema), noBackslashEscapes(e.StatusVars))
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
	if err := s.applyDDL(ctx, st, h, string(e.Schema), sql, noBackslashEscapes(e.StatusVars), stmt); err != nil {
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
	case ddlIgnore:
		if stmt.DML {
			s.log.Warn("the binlog holds a DML statement, not row events: part of it was written with binlog_format=STATEMENT or MIXED, and those changes are not captured; set binlog_format=ROW on the server",
				zap.String("statement", tail(sql, 500)), zap.String("file", st.file), zap.Int64("pos", eventPos))
		}
		return batch, nil
	case ddlOther, ddlDatabase:
		db := string(e.Schema)
		if stmt.Kind == ddlDatabase {
			db = stmt.Database
			s.tables.forgetDatabase(db)
		}
		if s.schemaChangeWanted(db, nil) {
			src := s.ddlSource(st, h, db, "", eventPos, tsMs, thread)
			emit(change.Event{Kind: change.KindRecord, Record: s.schemaChanges().record(s.cfg.TopicPrefix, db, stmt.Text, src, nil), TsMs: tsMs, Size: 512 + len(sql)})
		}
		return batch, nil
	}
	// Table statements: group by database in order of appearance, as
	// Debezium does; source.table names every table of the group.
	var dbs []string
	groups := map[string][]tableChange{}
	for _, c := range stmt.Changes {
		if c.Kind != changeTruncate { // TRUNCATE keeps the structure
			s.tables.forget(c.Table)
		}
		if c.Kind == changeRename {
			s.tables.forget(c.From)
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
			if c.Kind == changeTruncate {
				ev, ok, err := s.truncateEvent(ctx, st, h, c.Table, eventPos, tsMs, thread)
				if err != nil {
					return batch, err
				}
				if ok {
					emit(ev)
				}
				continue
			}
			if !s.schemaChangeWanted(db, &c.Table) {
				continue
			}
			var table *change.Value
			if c.Kind != changeDrop {
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
			src := s.ddlSource(st, h, db, srcTables, eventPos, tsMs, thread)
			rec := s.schemaChanges().record(s.cfg.TopicPrefix, db, c.DDL, src, []any{tableChangeValue(c.Kind, c.Table, table)})
			emit(change.Event{Kind: change.KindRecord, Record: rec, TsMs: tsMs, Size: 2048 + len(sql)})
		}
	}
	return batch, nil
}

// describe is a table's structure for a schema change event: the schema
// model's, which is the structure right after the DDL, or, for a table the
// model does not know, information_schema's, which is today's.
func (s *Streamer) describe(ctx context.Context, n tableName) (*change.Value, bool, error) {
	if s.model != nil {
		if v, ok := s.model.describe(n.DB, n.Table); ok {
			return v, true, nil
		}
	}
	return s.cat.describe(ctx, s.cfg.proto(), n.DB, n.Table)
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
func (s *Streamer) schemaChangeWanted(db string, table *tableName) bool {
	if !s.cfg.IncludeSchemaChanges {
		return false
	}
	dbIncluded := true
	if f, ok := s.cfg.Filter.(DatabaseFilter); ok && db != "" {
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
func (s *Streamer) truncateEvent(ctx context.Context, st *txnState, h *replication.EventHeader, name tableName, eventPos, tsMs, thread int64) (change.Event, bool, error) {
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
func (s *Streamer) ddlSource(st *txnState, h *replication.EventHeader, db, tables string, pos, tsMs, thread int64) *change.Value {
	v := s.cfg.sourceFields(tsMs, "false", db)
	if tables != "" {
		v[srcTable] = tables
	}
	v[srcServerID] = int64(h.ServerID)
	if st.gtid != "" {
		v[srcGTID] = st.gtid
	}
	v[srcFile] = st.file
	v[srcPos] = pos
	v[srcRow] = int64(0)
	v[srcThread] = thread
	return &change.Value{Schema: s.source, Values: v}
}

// forget drops the cached version of a table a DDL touched, so that its
// next TABLE_MAP builds a new one from a fresh catalog even when the
// TABLE_MAP is byte for byte the same (MariaDB's JSON is LONGTEXT plus a
// check constraint the binlog does not show).
func (t *Tables) forget(n tableName) {
	for key := range t.entries {
		db, table, _ := strings.Cut(key, ".")
		if strings.EqualFold(db, n.DB) && strings.EqualFold(table, n.Table) {
			delete(t.entries, key)
		}
	}
}

func (t *Tables) forgetDatabase(db string) {
	for key := range t.entries {
		if d, _, _ := strings.Cut(key, "."); strings.EqualFold(d, db) {
			delete(t.entries, key)
		}
	}
}

func (t *Tables) forgetAll() { clear(t.entries) }

// versionForTruncate is the table version a truncate event carries: the one
// the last TABLE_MAP built when it is still valid (no DDL touched the table
// since), else the current definition, else, for a table dropped since the
// binlog was written, an empty one.
func (t *Tables) versionForTruncate(ctx context.Context, n tableName) (*change.Table, error) {
	if e := t.entries[n.DB+"."+n.Table]; e != nil && e.table != nil {
		return e.table, nil
	}
	if t.model != nil {
		if info, ok := t.model.tableInfo(n.DB, n.Table); ok {
			return t.assemble(n.DB, n.Table, info.columns, info.key)
		}
	}
	exists, err := t.schema.exists(ctx, n.DB, n.Table)
	if err != nil {
		return nil, err
	}
	if !exists {
		t.log.Warn("a truncated table no longer exists (the binlog is older than the current schema); its truncate event has an empty row schema",
			zap.String("table", n.String()))
		return t.assemble(n.DB, n.Table, nil, nil)
	}
	info, err := t.schema.table(ctx, n.DB, n.Table)
	if err != nil {
		return nil, err
	}
	return t.assemble(n.DB, n.Table, info.columns, info.key)
}

// exists reports whether information_schema knows the table.
func (c *catalog) exists(ctx context.Context, db, table string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.query(ctx, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, table)
	if err != nil {
		return false, fmt.Errorf("looking up %s.%s in information_schema.TABLES: %w", db, table, err)
	}
	return r.RowNumber() > 0, nil
}

// describe reads a table's structure from information_schema as a
// Debezium io.debezium.connector.schema.Table value, built the way
// Debezium's DDL parser would from SHOW CREATE TABLE. found is false when
// the table does not exist.
func (c *catalog) describe(ctx context.Context, flavor, db, table string) (value *change.Value, found bool, err error) {
	jsonCols, err := c.jsonColumns(ctx, db, table)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.query(ctx, `SELECT IFNULL(cs.CHARACTER_SET_NAME, '') FROM information_schema.TABLES t
		LEFT JOIN information_schema.COLLATIONS cs ON cs.COLLATION_NAME = t.TABLE_COLLATION
		WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?`, db, table)
	if err != nil {
		return nil, false, fmt.Errorf("reading information_schema.TABLES for %s.%s: %w", db, table, err)
	}
	if r.RowNumber() == 0 {
		return nil, false, nil
	}
	charset, _ := r.GetString(0, 0)
	r, err = c.query(ctx, `SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`, db, table)
	if err != nil {
		return nil, false, fmt.Errorf("reading the primary key of %s.%s: %w", db, table, err)
	}
	pk := make([]any, r.RowNumber())
	for i := range pk {
		pk[i], _ = r.GetString(i, 0)
	}
	r, err = c.query(ctx, `SELECT COLUMN_NAME, ORDINAL_POSITION, LOWER(DATA_TYPE), COLUMN_TYPE, IS_NULLABLE,
		IFNULL(COLUMN_DEFAULT, ''), COLUMN_DEFAULT IS NULL, IFNULL(CHARACTER_SET_NAME, ''), EXTRA
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, db, table)
	if err != nil {
		return nil, false, fmt.Errorf("reading the columns of %s.%s: %w", db, table, err)
	}
	if r.RowNumber() == 0 {
		return nil, false, nil
	}
	cols := make([]any, r.RowNumber())
	for i := range cols {
		var ic infoColumn
		ic.name, _ = r.GetString(i, 0)
		pos, _ := r.GetInt(i, 1)
		ic.position = pos
		ic.dataType, _ = r.GetString(i, 2)
		ic.columnType, _ = r.GetString(i, 3)
		nullable, _ := r.GetString(i, 4)
		ic.nullable = nullable == "YES"
		ic.def, _ = r.GetString(i, 5)
		noDefault, _ := r.GetInt(i, 6)
		ic.hasDefault = noDefault == 0
		ic.charset, _ = r.GetString(i, 7)
		ic.extra, _ = r.GetString(i, 8)
		ic.json = jsonCols[ic.name]
		cols[i] = ic.value(flavor)
	}
	var cs any
	if charset != "" {
		cs = charset
	}
	return &change.Value{Schema: historyTableSchema, Values: []any{cs, pk, cols, nil}}, true, nil
}

// infoColumn is one row of information_schema.COLUMNS.
type infoColumn struct {
	name, dataType, columnType, def, charset, extra string
	position                                        int64
	nullable, hasDefault, json                      bool
}

// java.sql.Types codes of Debezium's MySQL/MariaDB DDL parser.
const (
	jdbcChar        = 1
	jdbcVarchar     = 12
	jdbcBinary      = -2
	jdbcVarbinary   = -3
	jdbcBlob        = 2004
	jdbcTinyint     = -6
	jdbcSmallint    = 5
	jdbcInteger     = 4
	jdbcBigint      = -5
	jdbcFloat       = 6
	jdbcDouble      = 8
	jdbcDecimal     = 3
	jdbcBit         = -7
	jdbcDate        = 91
	jdbcTime        = 92
	jdbcTimestamp   = 93
	jdbcTimestampTZ = 2014
	jdbcOther       = 1111
)

var jdbcTypes = map[string]int64{
	"char": jdbcChar, "varchar": jdbcVarchar, "tinytext": jdbcVarchar, "text": jdbcVarchar,
	"mediumtext": jdbcVarchar, "longtext": jdbcVarchar, "binary": jdbcBinary, "varbinary": jdbcVarbinary,
	"tinyblob": jdbcBlob, "blob": jdbcBlob, "mediumblob": jdbcBlob, "longblob": jdbcBlob,
	"tinyint": jdbcTinyint, "smallint": jdbcSmallint, "mediumint": jdbcInteger, "int": jdbcInteger,
	"integer": jdbcInteger, "bigint": jdbcBigint, "float": jdbcFloat, "double": jdbcDouble, "real": 7,
	"decimal": jdbcDecimal, "numeric": 2, "bit": jdbcBit, "date": jdbcDate, "time": jdbcTime,
	"datetime": jdbcTimestamp, "timestamp": jdbcTimestampTZ, "year": jdbcInteger, "enum": jdbcChar,
	"set": jdbcChar, "bool": 16, "boolean": 16,
}

// stringTypes carry a character set.
var stringTypes = map[string]bool{"char": true, "varchar": true, "tinytext": true, "text": true,
	"mediumtext": true, "longtext": true, "enum": true, "set": true}

var dimensions = regexp.MustCompile(`^[a-z0-9 ]+\((\d+)(?:,(\d+))?\)`)

// value is the io.debezium.connector.schema.Column of the column.
func (ic *infoColumn) value(flavor string) *change.Value {
	typeName := strings.ToUpper(ic.dataType)
	jdbc, ok := jdbcTypes[ic.dataType]
	if !ok {
		jdbc = jdbcOther // json, geometry types, uuid, inet4/6, vector
	}
	lowerType := strings.ToLower(ic.columnType)
	var length, scale, charset, enumValues any
	switch {
	case ic.json:
		// MariaDB's JSON, a LONGTEXT alias: Debezium reads the DDL's JSON.
		typeName, jdbc = "JSON", jdbcOther
	case ic.dataType == "enum" || ic.dataType == "set":
		vals := mysqltypes.ParseEnumValues(ic.columnType)
		quoted := make([]any, len(vals))
		for i, v := range vals {
			quoted[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		enumValues = quoted
		// Debezium: 1 for ENUM, options plus separating commas for SET.
		length = int64(1)
		if ic.dataType == "set" {
			length = int64(max(0, 2*len(vals)-1))
		}
	default:
		if m := dimensions.FindStringSubmatch(lowerType); m != nil {
			length, _ = strconv.ParseInt(m[1], 10, 32)
			if m[2] != "" {
				scale, _ = strconv.ParseInt(m[2], 10, 32)
			}
		}
		if strings.Contains(lowerType, " unsigned") {
			typeName += " UNSIGNED"
		}
		if strings.Contains(lowerType, " zerofill") {
			typeName += " ZEROFILL"
		}
	}
	if stringTypes[ic.dataType] && !ic.json && ic.charset != "" {
		charset = ic.charset
	}
	autoInc := strings.Contains(strings.ToLower(ic.extra), "auto_increment")
	var def any
	if d, ok := defaultExpression(ic, flavor); ok {
		def = d
	}
	return &change.Value{Schema: historyColumnSchema, Values: []any{
		ic.name, jdbc, nil, typeName, typeName, charset, length, scale, ic.position,
		ic.nullable, autoInc, autoInc, nil, def, enumValues,
	}}
}

var (
	numericLiteral  = regexp.MustCompile(`^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)
	currentTimeExpr = regexp.MustCompile(`(?i)^(current_timestamp|now|localtime|localtimestamp)(\(\d*\))?$`)
)

// defaultExpression is Debezium's defaultValueExpression of a column: a
// string literal without quotes, a number as written, "1970-01-01 00:00:00"
// for CURRENT_TIMESTAMP, nothing for NULL or a computed expression.
//
// MariaDB (10.2.7+) quotes literals in COLUMN_DEFAULT and writes NULL for
// an explicit NULL default; MySQL writes literals bare and marks
// expression defaults DEFAULT_GENERATED in EXTRA.
func defaultExpression(ic *infoColumn, flavor string) (string, bool) {
	if !ic.hasDefault {
		return "", false
	}
	d := ic.def
	if currentTimeExpr.MatchString(d) {
		return "1970-01-01 00:00:00", true
	}
	if flavor != "mariadb" {
		if strings.Contains(strings.ToUpper(ic.extra), "DEFAULT_GENERATED") {
			return "", false
		}
		return d, true
	}
	switch {
	case d == "NULL":
		return "", false
	case strings.HasPrefix(d, "'") && strings.HasSuffix(d, "'") && len(d) >= 2:
		text, n, ok := quotedText(d, '\'', true)
		if ok && n == len(d) {
			return text, true
		}
		return "", false
	case strings.HasPrefix(d, "b'") && strings.HasSuffix(d, "'"):
		return d[2 : len(d)-1], true
	case numericLiteral.MatchString(d):
		return d, true
	}
	return "", false // an expression: Debezium handles it as NULL
}

// opSkipped reports whether skipped.operations drops the rows of a rows event.
func (s *Streamer) opSkipped(t replication.EventType) bool {
	op, ok := rowsOp(t)
	return ok && s.cfg.SkippedOperations[op]
}
