package mysql

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// Filter decides which tables are captured.
type Filter interface {
	TableIncluded(db, table string) bool
}

// Tables tracks the structure of captured tables as the binlog describes
// them. Every TABLE_MAP event is compared with the one the cached version
// was built from; any difference (a DDL, or a table id reused for another
// table) builds a new version, so a row is always decoded with the column
// list it was written under. Table ids are never trusted across TABLE_MAP
// events.
//
// When the server logs full row metadata (binlog_row_metadata=FULL) the
// binlog alone names the columns, key and enum values of the version a row
// was written under, which stays right when reading binlogs older than the
// current schema. Without it, the current definition from
// information_schema is used and checked against the binlog's column types.
//
// Tables is used by one streaming goroutine; it is not safe for concurrent use.
type Tables struct {
	prefix  string
	filter  Filter
	schema  *catalog
	opt     mysqltypes.TypeOptions
	source  *change.Schema
	log     *zap.Logger
	entries map[string]*tableEntry
	// model, when set, is the structure at the binlog position being read,
	// from the schema history; information_schema is the fallback for a
	// table it does not know.
	model *ddl.Model
}

type tableEntry struct {
	tm       *replication.TableMapEvent // the event the version was built from
	table    *change.Table              // nil: excluded
	included bool
}

func newTables(prefix string, filter Filter, cat *catalog, source *change.Schema, opt mysqltypes.TypeOptions, log *zap.Logger) *Tables {
	return &Tables{prefix: prefix, filter: filter, schema: cat, opt: opt, source: source, log: log,
		entries: make(map[string]*tableEntry)}
}

// Resolve returns the table version a TABLE_MAP event describes, or nil when
// the table is not captured.
func (t *Tables) Resolve(ctx context.Context, tm *replication.TableMapEvent) (*change.Table, error) {
	key := string(tm.Schema) + "." + string(tm.Table)
	e := t.entries[key]
	if e != nil && sameTableMap(e.tm, tm) {
		return e.table, nil
	}
	db, name := string(tm.Schema), string(tm.Table)
	if e == nil {
		e = &tableEntry{included: t.filter.TableIncluded(db, name)}
		t.entries[key] = e
	}
	e.tm = tm
	if !e.included {
		e.table = nil
		return nil, nil
	}
	tbl, err := t.build(ctx, db, name, tm)
	if err != nil {
		e.tm = nil
		return nil, err
	}
	e.table = tbl
	t.log.Info("table version", zap.String("table", key), zap.Int("columns", len(tbl.Columns)),
		zap.Int("key_columns", len(tbl.Key)))
	return tbl, nil
}

// Invalidate forgets what information_schema said, after a DDL. Cached
// versions are rebuilt at their next TABLE_MAP too: a DDL can change what
// only information_schema shows (a column default) and leave the TABLE_MAP
// as it was.
func (t *Tables) Invalidate() {
	t.schema.invalidate()
	for _, e := range t.entries {
		e.tm = nil
	}
}

func (t *Tables) build(ctx context.Context, db, name string, tm *replication.TableMapEvent) (*change.Table, error) {
	full := len(tm.ColumnName) == int(tm.ColumnCount)
	info, fromModel, err := t.structure(ctx, db, name, full)
	if err != nil {
		return nil, err
	}
	var defs []mysqltypes.ColumnDef
	var key []int
	if full {
		colls, err := t.schema.collations(ctx)
		if err != nil {
			return nil, err
		}
		defs, key = defsFromTableMap(tm, colls)
		// The binlog cannot tell MariaDB's JSON (a LONGTEXT alias) from
		// LONGTEXT, UUID from BINARY(16), nor show defaults and declared
		// types; the structure at this position can.
		if info != nil && !enrichDefs(defs, info.Columns, tm) {
			if fromModel {
				t.log.Warn("the schema history's structure of this table differs from the binlog's; the columns that differ get no defaults, declared types or MariaDB JSON/UUID/INET types in this table version",
					zap.String("table", db+"."+name))
			} else {
				t.log.Info("information_schema's definition differs from the binlog's (a binlog older than the last DDL?); the columns that differ get no defaults, declared types or MariaDB UUID/INET types in this table version",
					zap.String("table", db+"."+name))
			}
		}
		if !fromModel {
			// MariaDB's JSON must follow the version, not the catalog (jsoncols.go).
			if err := t.settleJSON(ctx, db, name, defs, tm); err != nil {
				return nil, err
			}
		}
	} else {
		if err := checkAgainstTableMap(info.Columns, tm); err != nil {
			return nil, fmt.Errorf("table %s.%s: %w; set binlog_row_metadata=FULL on the server so the binlog describes every row version", db, name, err)
		}
		defs, key = info.Columns, info.Key
	}
	return t.assemble(db, name, defs, key)
}

// structure is the table's structure at the binlog position being read:
// the schema model's when it knows the table, else information_schema's,
// which is today's. With full row metadata (full) a table information_schema
// does not have is no error: the binlog describes its rows.
func (t *Tables) structure(ctx context.Context, db, name string, full bool) (*ddl.TableInfo, bool, error) {
	if t.model != nil {
		if info, ok := t.model.TableInfo(db, name); ok {
			return info, true, nil
		}
		t.log.Warn("the schema history does not describe this table (created before the history began, or changed by a skipped DDL); its defaults and declared types come from information_schema, which shows the current definition",
			zap.String("table", db+"."+name))
	}
	info, err := t.schema.table(ctx, db, name)
	if err != nil {
		if full && errors.Is(err, errNotInCatalog) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return info, false, nil
}

func (t *Tables) assemble(db, name string, defs []mysqltypes.ColumnDef, key []int) (*change.Table, error) {
	return mysqltypes.TableBuilder{Prefix: t.prefix, Source: t.source, Types: t.opt, Log: t.log}.Build(db, name, defs, key)
}

// sameTableMap reports whether two TABLE_MAP events describe the same table
// version: same name, column types, metadata, nullability and, where the
// server logs them, names, signedness, charsets, enum values and key.
func sameTableMap(a, b *replication.TableMapEvent) bool {
	if a == nil || b == nil {
		return false
	}
	return bytes.Equal(a.Schema, b.Schema) && bytes.Equal(a.Table, b.Table) &&
		a.ColumnCount == b.ColumnCount &&
		bytes.Equal(a.ColumnType, b.ColumnType) && slices.Equal(a.ColumnMeta, b.ColumnMeta) &&
		bytes.Equal(a.NullBitmap, b.NullBitmap) && bytes.Equal(a.SignednessBitmap, b.SignednessBitmap) &&
		slices.Equal(a.DefaultCharset, b.DefaultCharset) && slices.Equal(a.ColumnCharset, b.ColumnCharset) &&
		slices.Equal(a.PrimaryKey, b.PrimaryKey) &&
		slices.EqualFunc(a.ColumnName, b.ColumnName, bytes.Equal) &&
		equalStrValues(a.EnumStrValue, b.EnumStrValue) && equalStrValues(a.SetStrValue, b.SetStrValue)
}

func equalStrValues(a, b [][][]byte) bool {
	return slices.EqualFunc(a, b, func(x, y [][]byte) bool { return slices.EqualFunc(x, y, bytes.Equal) })
}

// realType resolves the type MySQL hides in the metadata of STRING columns
// (ENUM and SET are logged as STRING).
func realType(tp byte, meta uint16) byte {
	if tp == gmysql.MYSQL_TYPE_STRING && meta >= 256 {
		b0 := byte(meta >> 8)
		if b0&0x30 != 0x30 {
			return b0 | 0x30
		}
		return b0
	}
	return tp
}

const binaryCollation = 63

// defsFromTableMap describes the columns from a TABLE_MAP event that carries
// full row metadata. colls maps collation ids to character sets.
func defsFromTableMap(tm *replication.TableMapEvent, colls map[uint64]string) ([]mysqltypes.ColumnDef, []int) {
	names := tm.ColumnNameString()
	unsigned := tm.UnsignedMap()
	collations := tm.CollationMap()
	enumColls := tm.EnumSetCollationMap()
	enums := tm.EnumStrValueMap()
	sets := tm.SetStrValueMap()
	geoms := tm.GeometryTypeMap()
	defs := make([]mysqltypes.ColumnDef, tm.ColumnCount)
	for i := range defs {
		meta := tm.ColumnMeta[i]
		tp := realType(tm.ColumnType[i], meta)
		_, nullable := tm.Nullable(i)
		d := mysqltypes.ColumnDef{Name: names[i], Nullable: nullable, Unsigned: unsigned[i]}
		coll, hasColl := collations[i]
		if !hasColl {
			coll, hasColl = enumColls[i]
		}
		binary := hasColl && coll == binaryCollation
		if hasColl {
			d.Charset = colls[coll]
		}
		switch tp {
		case gmysql.MYSQL_TYPE_TINY:
			d.DataType = "tinyint"
		case gmysql.MYSQL_TYPE_SHORT:
			d.DataType = "smallint"
		case gmysql.MYSQL_TYPE_INT24:
			d.DataType = "mediumint"
		case gmysql.MYSQL_TYPE_LONG:
			d.DataType = "int"
		case gmysql.MYSQL_TYPE_LONGLONG:
			d.DataType = "bigint"
		case gmysql.MYSQL_TYPE_NEWDECIMAL:
			d.DataType = "decimal"
			d.Precision, d.Scale = int(meta>>8), int(meta&0xFF)
		case gmysql.MYSQL_TYPE_FLOAT:
			d.DataType = "float"
		case gmysql.MYSQL_TYPE_DOUBLE:
			d.DataType = "double"
		case gmysql.MYSQL_TYPE_BIT:
			d.DataType = "bit"
			d.Precision = int(meta>>8)*8 + int(meta&0xFF)
		case gmysql.MYSQL_TYPE_YEAR:
			d.DataType = "year"
		case gmysql.MYSQL_TYPE_DATE, gmysql.MYSQL_TYPE_NEWDATE:
			d.DataType = "date"
		case gmysql.MYSQL_TYPE_TIME, gmysql.MYSQL_TYPE_TIME2:
			d.DataType = "time"
			if tp == gmysql.MYSQL_TYPE_TIME2 {
				d.FSP = int(meta)
			}
		case gmysql.MYSQL_TYPE_DATETIME, gmysql.MYSQL_TYPE_DATETIME2:
			d.DataType = "datetime"
			if tp == gmysql.MYSQL_TYPE_DATETIME2 {
				d.FSP = int(meta)
			}
		case gmysql.MYSQL_TYPE_TIMESTAMP, gmysql.MYSQL_TYPE_TIMESTAMP2:
			d.DataType = "timestamp"
			if tp == gmysql.MYSQL_TYPE_TIMESTAMP2 {
				d.FSP = int(meta)
			}
		case gmysql.MYSQL_TYPE_VARCHAR, gmysql.MYSQL_TYPE_VAR_STRING:
			d.DataType = pick(binary, "varbinary", "varchar")
		case gmysql.MYSQL_TYPE_STRING:
			d.DataType = pick(binary, "binary", "char")
			d.Length = stringLength(meta)
		case gmysql.MYSQL_TYPE_ENUM:
			d.DataType = "enum"
			d.EnumValues = decodeEnumValues(enums[i], d.Charset)
		case gmysql.MYSQL_TYPE_SET:
			d.DataType = "set"
			d.EnumValues = decodeEnumValues(sets[i], d.Charset)
		case gmysql.MYSQL_TYPE_BLOB:
			sizes := [5]string{"", "tiny", "", "medium", "long"}
			prefix := ""
			if int(meta) < len(sizes) {
				prefix = sizes[meta]
			}
			d.DataType = prefix + pick(binary, "blob", "text")
		case gmysql.MYSQL_TYPE_JSON:
			d.DataType = "json"
		case gmysql.MYSQL_TYPE_GEOMETRY:
			d.DataType = "geometry"
			if g, ok := geoms[i]; ok && int(g) < len(geometryTypes) {
				d.DataType = geometryTypes[g]
			}
		default:
			d.DataType = fmt.Sprintf("binlog type %d", tp)
		}
		defs[i] = d
	}
	key := make([]int, len(tm.PrimaryKey))
	for i, k := range tm.PrimaryKey {
		key[i] = int(k)
	}
	return defs, key
}

// geometryTypes are the binlog's geometry type codes (MySQL's
// Field::geometry_type).
var geometryTypes = []string{"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection"}

// stringLength is the declared byte length of a fixed STRING column, from
// its binlog metadata (the top bits of the length hide in the type byte).
func stringLength(meta uint16) int {
	if meta < 256 {
		return int(meta)
	}
	b0, b1 := byte(meta>>8), byte(meta)
	if b0&0x30 != 0x30 {
		return int(uint16(b1) | uint16((b0&0x30)^0x30)<<4)
	}
	return int(b1)
}

// decodeEnumValues turns the binlog's ENUM/SET value bytes (in the column's
// charset) into UTF-8 text.
func decodeEnumValues(vals []string, charset string) []string {
	dec, err := mysqltypes.DecoderFor(charset)
	if err != nil || dec.IsUTF8() {
		return vals
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = dec.String(v)
	}
	return out
}

// enrichDefs adds what information_schema knows to binlog-described
// columns: MariaDB's JSON, UUID and INET types, FLOAT(M,D), defaults and the
// declared type. A column takes them only when the catalog has a column of
// that name whose type family, enum values and decimal dimensions are the
// binlog's (the catalog is the current definition, which may be newer than
// the row). It reports whether every column matched.
func enrichDefs(defs, cat []mysqltypes.ColumnDef, tm *replication.TableMapEvent) bool {
	all := len(defs) == len(cat)
	for i := range defs {
		d := &defs[i]
		var c *mysqltypes.ColumnDef
		for j := range cat {
			if strings.EqualFold(cat[j].Name, d.Name) {
				c = &cat[j]
				break
			}
		}
		tp := realType(tm.ColumnType[i], tm.ColumnMeta[i])
		if c == nil || !slices.Contains(binlogTypeFamily(tp), c.DataType) || !slices.Equal(d.EnumValues, c.EnumValues) ||
			(d.DataType == "decimal" && (d.Precision != c.Precision || d.Scale != c.Scale)) {
			all = false
			continue
		}
		switch c.DataType {
		case "uuid", "inet6", "inet4", "point", "linestring", "polygon", "multipoint", "multilinestring",
			"multipolygon", "geometrycollection", "geomcollection", "geometry", "numeric", "real", "float", "double":
			d.DataType = c.DataType
		}
		d.ColumnType = c.ColumnType
		d.JSON = c.JSON
		d.Default, d.HasDefault, d.DefaultNow = c.Default, c.HasDefault, c.DefaultNow
		if d.Length == 0 {
			d.Length = c.Length
		}
	}
	return all
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}

// binlogTypeFamily maps a binlog column type to the information_schema
// DATA_TYPE values it can stand for, to check a catalog definition against
// the binlog when the binlog carries no column names.
func binlogTypeFamily(tp byte) []string {
	switch tp {
	case gmysql.MYSQL_TYPE_TINY:
		return []string{"tinyint"}
	case gmysql.MYSQL_TYPE_SHORT:
		return []string{"smallint"}
	case gmysql.MYSQL_TYPE_INT24:
		return []string{"mediumint"}
	case gmysql.MYSQL_TYPE_LONG:
		return []string{"int", "integer"}
	case gmysql.MYSQL_TYPE_LONGLONG:
		return []string{"bigint"}
	case gmysql.MYSQL_TYPE_NEWDECIMAL:
		return []string{"decimal", "numeric"}
	case gmysql.MYSQL_TYPE_FLOAT:
		return []string{"float"}
	case gmysql.MYSQL_TYPE_DOUBLE:
		return []string{"double", "real"}
	case gmysql.MYSQL_TYPE_BIT:
		return []string{"bit"}
	case gmysql.MYSQL_TYPE_YEAR:
		return []string{"year"}
	case gmysql.MYSQL_TYPE_DATE, gmysql.MYSQL_TYPE_NEWDATE:
		return []string{"date"}
	case gmysql.MYSQL_TYPE_TIME, gmysql.MYSQL_TYPE_TIME2:
		return []string{"time"}
	case gmysql.MYSQL_TYPE_DATETIME, gmysql.MYSQL_TYPE_DATETIME2:
		return []string{"datetime"}
	case gmysql.MYSQL_TYPE_TIMESTAMP, gmysql.MYSQL_TYPE_TIMESTAMP2:
		return []string{"timestamp"}
	case gmysql.MYSQL_TYPE_VARCHAR, gmysql.MYSQL_TYPE_VAR_STRING:
		return []string{"varchar", "varbinary"}
	case gmysql.MYSQL_TYPE_STRING:
		return []string{"char", "binary", "uuid", "inet6", "inet4"}
	case gmysql.MYSQL_TYPE_ENUM:
		return []string{"enum"}
	case gmysql.MYSQL_TYPE_SET:
		return []string{"set"}
	case gmysql.MYSQL_TYPE_BLOB:
		return []string{"tinyblob", "blob", "mediumblob", "longblob", "tinytext", "text", "mediumtext", "longtext", "json"}
	case gmysql.MYSQL_TYPE_JSON:
		return []string{"json"}
	case gmysql.MYSQL_TYPE_GEOMETRY:
		return []string{"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection", "geomcollection"}
	}
	return nil
}

func checkAgainstTableMap(defs []mysqltypes.ColumnDef, tm *replication.TableMapEvent) error {
	if len(defs) != int(tm.ColumnCount) {
		return fmt.Errorf("the binlog row has %d columns but the current definition has %d", tm.ColumnCount, len(defs))
	}
	for i, d := range defs {
		tp := realType(tm.ColumnType[i], tm.ColumnMeta[i])
		if !slices.Contains(binlogTypeFamily(tp), d.DataType) {
			return fmt.Errorf("column %d (%q) is %s in the current definition but binlog type %d in the row", i+1, d.Name, d.DataType, tp)
		}
	}
	return nil
}

// catalog reads table definitions from information_schema over its own
// connection, and caches them until the next DDL.
type catalog struct {
	mu      sync.Mutex
	connect func(ctx context.Context) (*client.Conn, error)
	conn    *client.Conn
	tables  map[string]*ddl.TableInfo
	json    map[string]map[string]bool
	colls   map[uint64]string // collation id -> character set; never invalidated
	mariadb *bool             // the server's flavor, asked once
}

// errNotInCatalog: information_schema does not have the table (any more).
var errNotInCatalog = errors.New("not in information_schema")

func newCatalog(connect func(ctx context.Context) (*client.Conn, error)) *catalog {
	return &catalog{connect: connect, tables: map[string]*ddl.TableInfo{}, json: map[string]map[string]bool{}}
}

func (c *catalog) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.tables)
	clear(c.json)
}

func (c *catalog) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// query runs one statement, reconnecting once when the connection was lost.
func (c *catalog) query(ctx context.Context, q string, args ...any) (*gmysql.Result, error) {
	for attempt := 0; ; attempt++ {
		if c.conn == nil {
			conn, err := c.connect(ctx)
			if err != nil {
				return nil, err
			}
			c.conn = conn
		}
		r, err := c.conn.Execute(q, args...)
		if err == nil {
			return r, nil
		}
		c.conn.Close()
		c.conn = nil
		if attempt > 0 || isServerError(err) {
			return nil, err
		}
	}
}

func isServerError(err error) bool {
	_, ok := err.(*gmysql.MyError)
	return ok
}

// keyInOrder orders the key columns information_schema marks PRI (the
// primary key, or the unique NOT NULL index the server promotes) as the key
// orders them: Debezium's key fields follow the key, not the columns.
func (c *catalog) keyInOrder(ctx context.Context, db, table string, info *ddl.TableInfo) ([]int, error) {
	pos := map[string]int{}
	for _, k := range info.Key {
		pos[strings.ToLower(info.Columns[k].Name)] = k
	}
	names, err := c.uniqueIndexOn(ctx, db, table, pos)
	if err != nil || names == nil {
		return info.Key, err // no index has exactly those columns: keep them
	}
	out := make([]int, 0, len(names))
	for _, n := range names {
		out = append(out, pos[strings.ToLower(n)])
	}
	return out, nil
}

// uniqueIndexOn is the columns, in index order, of the table's first unique
// index (PRIMARY first) whose columns are exactly those of cols; nil when
// there is none.
func (c *catalog) uniqueIndexOn(ctx context.Context, db, table string, cols map[string]int) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.query(ctx, `SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
		ORDER BY INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX`, db, table)
	if err != nil {
		return nil, fmt.Errorf("reading the key order of %s.%s: %w", db, table, err)
	}
	matches := func(names []string) bool {
		if len(names) != len(cols) {
			return false
		}
		for _, n := range names {
			if _, ok := cols[strings.ToLower(n)]; !ok {
				return false
			}
		}
		return true
	}
	var cur string
	var names []string
	for i := 0; i < r.RowNumber(); i++ {
		idx, _ := r.GetString(i, 0)
		col, _ := r.GetString(i, 1)
		if idx != cur {
			if cur != "" && matches(names) {
				return names, nil
			}
			cur, names = idx, nil
		}
		names = append(names, col)
	}
	if cur != "" && matches(names) {
		return names, nil
	}
	return nil, nil
}

func (c *catalog) jsonColumns(ctx context.Context, db, table string) (map[string]bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := db + "." + table
	if m, ok := c.json[key]; ok {
		return m, nil
	}
	m := map[string]bool{}
	r, err := c.query(ctx, "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?", db, table)
	if err != nil {
		// MySQL's JSON is a real type and needs no check constraints.
		if me, ok := err.(*gmysql.MyError); ok && me.Code == gmysql.ER_UNKNOWN_TABLE {
			c.json[key] = m
			return m, nil
		}
		return nil, fmt.Errorf("reading check constraints of %s: %w", key, err)
	}
	for i := 0; i < r.RowNumber(); i++ {
		clause, _ := r.GetString(i, 0)
		if col, ok := strings.CutPrefix(clause, "json_valid(`"); ok {
			if col, ok = strings.CutSuffix(col, "`)"); ok {
				m[strings.ReplaceAll(col, "``", "`")] = true
			}
		}
	}
	c.json[key] = m
	return m, nil
}

// collations maps collation ids to character set names, read once.
func (c *catalog) collations(ctx context.Context) (map[uint64]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.colls != nil {
		return c.colls, nil
	}
	r, err := c.query(ctx, "SELECT ID, CHARACTER_SET_NAME FROM information_schema.COLLATIONS WHERE ID IS NOT NULL")
	if err != nil {
		return nil, fmt.Errorf("reading the server's collations: %w", err)
	}
	m := make(map[uint64]string, r.RowNumber())
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetUint(i, 0)
		cs, _ := r.GetString(i, 1)
		m[id] = strings.ToLower(cs)
	}
	c.colls = m
	return m, nil
}

// isMariaDB asks the server's flavor once: information_schema shows
// defaults differently on MariaDB and MySQL. The caller holds c.mu.
func (c *catalog) isMariaDB(ctx context.Context) (bool, error) {
	if c.mariadb != nil {
		return *c.mariadb, nil
	}
	r, err := c.query(ctx, "SELECT VERSION()")
	if err != nil {
		return false, fmt.Errorf("reading the server version: %w", err)
	}
	v, _ := r.GetString(0, 0)
	m := strings.Contains(strings.ToLower(v), "mariadb")
	c.mariadb = &m
	return m, nil
}

func (c *catalog) table(ctx context.Context, db, table string) (*ddl.TableInfo, error) {
	c.mu.Lock()
	key := db + "." + table
	if t, ok := c.tables[key]; ok {
		c.mu.Unlock()
		return t, nil
	}
	mariadb, err := c.isMariaDB(ctx)
	if err != nil {
		c.mu.Unlock()
		return nil, err
	}
	r, err := c.query(ctx, `SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE,
		IFNULL(NUMERIC_PRECISION, 0), IFNULL(NUMERIC_SCALE, 0), IFNULL(DATETIME_PRECISION, 0),
		IFNULL(CHARACTER_SET_NAME, ''), COLUMN_KEY, IFNULL(COLUMN_DEFAULT, ''), COLUMN_DEFAULT IS NULL, EXTRA,
		IFNULL(CHARACTER_OCTET_LENGTH, 0)
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, db, table)
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("reading columns of %s: %w", key, err)
	}
	if r.RowNumber() == 0 {
		return nil, fmt.Errorf("table %s is in the binlog but %w (dropped since?); set binlog_row_metadata=FULL so the binlog describes it", key, errNotInCatalog)
	}
	info := &ddl.TableInfo{}
	for i := 0; i < r.RowNumber(); i++ {
		var d mysqltypes.ColumnDef
		d.Name, _ = r.GetString(i, 0)
		d.DataType, _ = r.GetString(i, 1)
		d.DataType = strings.ToLower(d.DataType)
		d.ColumnType, _ = r.GetString(i, 2)
		nullable, _ := r.GetString(i, 3)
		d.Nullable = nullable == "YES"
		p, _ := r.GetInt(i, 4)
		s, _ := r.GetInt(i, 5)
		f, _ := r.GetInt(i, 6)
		d.Precision, d.Scale, d.FSP = int(p), int(s), int(f)
		d.Charset, _ = r.GetString(i, 7)
		d.Unsigned = strings.Contains(strings.ToLower(d.ColumnType), "unsigned")
		if d.DataType == "enum" || d.DataType == "set" {
			d.EnumValues = mysqltypes.ParseEnumValues(d.ColumnType)
		}
		if d.DataType == "bit" && d.Precision == 0 {
			d.Precision = 1
		}
		colKey, _ := r.GetString(i, 8)
		if colKey == "PRI" {
			info.Key = append(info.Key, i)
		}
		rawDefault, _ := r.GetString(i, 9)
		noDefault, _ := r.GetInt(i, 10)
		extra, _ := r.GetString(i, 11)
		d.Default, d.HasDefault, d.DefaultNow = mysqltypes.ParseColumnDefault(rawDefault, noDefault == 1, extra, d.DataType, mariadb)
		if d.DataType == "binary" {
			octets, _ := r.GetInt(i, 12)
			d.Length = int(octets)
		}
		info.Columns = append(info.Columns, d)
	}
	jsonCols, err := c.jsonColumns(ctx, db, table)
	if err != nil {
		return nil, err
	}
	for i := range info.Columns {
		if jsonCols[info.Columns[i].Name] {
			info.Columns[i].JSON = true
		}
	}
	if len(info.Key) > 1 {
		if info.Key, err = c.keyInOrder(ctx, db, table, info); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.tables[key] = info
	c.mu.Unlock()
	return info, nil
}
