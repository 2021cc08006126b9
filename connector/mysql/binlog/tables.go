package binlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// tableTracker tracks the structure of captured tables as the binlog describes
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
// tableTracker is used by one streaming goroutine; it is not safe for concurrent use.
type tableTracker struct {
	srv     *server.Server
	filter  server.Filter
	schema  *server.Catalog
	log     *zap.Logger
	entries map[string]*tableEntry
	// model, when set, is the structure at the binlog position being read,
	// from the schema history; information_schema is the fallback for a
	// table it does not know.
	model *ddl.Model
	// tmMu is held around the TABLE_MAP calls that fill fields in lazily
	// (defsFromTableMap), which the rows decoder's copies read from
	// go-mysql's goroutine (rowsDecoder).
	tmMu sync.Mutex
	// keyBuf holds "db.table" for the entries lookup, which then makes no
	// string: one TABLE_MAP, so one lookup, a one-row transaction.
	keyBuf []byte
}

type tableEntry struct {
	tm       *replication.TableMapEvent // the event the version was built from
	table    *change.Table              // nil: excluded
	included bool
}

func newTables(srv *server.Server, log *zap.Logger) *tableTracker {
	return &tableTracker{srv: srv, filter: srv.Filter, schema: srv.Catalog, log: log, entries: make(map[string]*tableEntry)}
}

// Resolve returns the table version a TABLE_MAP event describes, or nil when
// the table is not captured.
func (t *tableTracker) Resolve(ctx context.Context, tm *replication.TableMapEvent) (*change.Table, error) {
	t.keyBuf = append(append(append(t.keyBuf[:0], tm.Schema...), '.'), tm.Table...)
	e := t.entries[string(t.keyBuf)]
	if e != nil && sameTableMap(e.tm, tm) {
		return e.table, nil
	}
	key, db, name := string(t.keyBuf), string(tm.Schema), string(tm.Table)
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
func (t *tableTracker) Invalidate() {
	t.schema.Invalidate()
	for _, e := range t.entries {
		e.tm = nil
	}
}

func (t *tableTracker) build(ctx context.Context, db, name string, tm *replication.TableMapEvent) (*change.Table, error) {
	full := len(tm.ColumnName) == int(tm.ColumnCount)
	info, fromModel, err := t.structure(ctx, db, name, full)
	if err != nil {
		return nil, err
	}
	var defs []mysqltypes.ColumnDef
	var key []int
	if full {
		colls, err := t.schema.Collations(ctx)
		if err != nil {
			return nil, err
		}
		t.tmMu.Lock()
		defs, key = defsFromTableMap(tm, colls)
		t.tmMu.Unlock()
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
func (t *tableTracker) structure(ctx context.Context, db, name string, full bool) (*ddl.TableInfo, bool, error) {
	if t.model != nil {
		if info, ok := t.model.TableInfo(db, name); ok {
			return info, true, nil
		}
		t.log.Warn("the schema history does not describe this table (created before the history began, or changed by a skipped DDL); its defaults and declared types come from information_schema, which shows the current definition",
			zap.String("table", db+"."+name))
	}
	info, err := t.schema.Table(ctx, db, name)
	if err != nil {
		if full && errors.Is(err, server.ErrNotInCatalog) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return info, false, nil
}

func (t *tableTracker) assemble(db, name string, defs []mysqltypes.ColumnDef, key []int) (*change.Table, error) {
	return t.srv.BuildTable(db, name, defs, key)
}

// sameTableMap reports whether two TABLE_MAP events describe the same table
// version: same name, column types, metadata, nullability and, where the
// server logs them, names, signedness, charsets, enum values and key.
func sameTableMap(a, b *replication.TableMapEvent) bool {
	if a == nil || b == nil {
		return false
	}
	if a == b { // the dump's held TABLE_MAPs (tableMaps)
		return true
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
		d.JSON, d.NoWidth = c.JSON, c.NoWidth
		d.Default, d.HasDefault, d.DefaultNow = c.Default, c.HasDefault, c.DefaultNow
		d.Comment = c.Comment
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
