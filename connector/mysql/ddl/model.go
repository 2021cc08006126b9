package ddl

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// The schema model is every table's structure as of the binlog position
// being read, kept by applying DDL statements in binlog order (or replaying
// a schema history: DDL Sluice recorded, or Debezium's records, which hold
// SHOW CREATE TABLE output, CREATE DATABASE, DROP TABLE IF EXISTS and SET
// character_set_server statements). information_schema only knows the
// current structure, which is wrong for rows written before a later DDL.
//
// The model keeps each column in the shape information_schema.COLUMNS has
// it (DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT as the server
// prints it, CHARACTER_SET_NAME, EXTRA), so that TableInfo and Describe
// reuse the code paths that read information_schema (mysqltypes.ParseColumnDefault,
// InfoColumn.value) and give the same answers as catalog.table and
// catalog.describe would for the same live table.
//
// A table the model knows exists but cannot describe is unknown: created by
// CREATE TABLE ... SELECT (its columns come from a query result), LIKE a
// table the model does not know, in a database whose default character set
// the model never learned, or marked so by the caller after skipping a DDL
// (MarkUnknown). TableInfo and Describe return ok=false for it and Exists
// returns true; it stays unknown until it is dropped or created again.
//
// Names of databases and tables are case-sensitive (lower_case_table_names
// = 0); names of columns, indexes and constraints are not.
//
// What the server does that the DDL text does not say was learnt from
// MariaDB 10.11 (schemamodel_server_test.go checks it statement by
// statement); MySQL 8 is followed from its documentation only. Not
// modelled: expression defaults are kept as written, not as the server
// reprints them (both only mean "no literal default" to Sluice); sql_mode
// flags other than NO_BACKSLASH_ESCAPES (ANSI_QUOTES, REAL_AS_FLOAT,
// non-strict conversions except a too long VARCHAR becoming a TEXT);
// explicit_defaults_for_timestamp per session (the server's setting is
// given with SetExplicitDefaultsForTimestamp); the display of TIMESTAMP
// defaults in another time zone; several statements in one apply.

// ErrDiverged marks a statement the model understood but that does
// not fit the table as the model has it (a column it drops is not there, a
// column it adds already is): the model missed a DDL or was seeded from a
// different schema. The table becomes unknown.
var ErrDiverged = errors.New("DDL does not fit the schema model")

// Model is the structure of every database and table Sluice has seen,
// updated statement by statement. It is not safe for concurrent use.
type Model struct {
	flavor string // "mariadb" or "mysql": how information_schema prints types and defaults
	// serverCharset and serverCollation are character_set_server and
	// collation_server, the defaults of CREATE DATABASE; "" until known.
	serverCharset, serverCollation string
	// legacyTimestamps is explicit_defaults_for_timestamp=OFF (MariaDB's
	// default before 10.10): TIMESTAMP columns are NOT NULL unless declared
	// NULL, and get implicit defaults.
	legacyTimestamps bool
	dbs              map[string]*modelDB
	// JSONTyped describes MariaDB's JSON columns as JSON in tableChanges
	// (sluice.mariadb.json.as.json); otherwise as the LONGTEXT they are,
	// as Debezium does.
	JSONTyped bool
	// Comments writes the tables' and columns' COMMENTs in their
	// descriptions (include.schema.comments; always for the MariaDB class).
	Comments bool
}

type modelDB struct {
	// charset and collation are the database's defaults, "" when the
	// model never saw the database created (seeded partially).
	charset, collation string
	tables             map[string]*modelTable
}

type modelTable struct {
	unknown            bool
	charset, collation string // the table's defaults (TABLE_COLLATION)
	columns            []*modelColumn
	// indexes are in the order the server keeps them (PRIMARY first, then
	// unique keys, see sortIndexes and endRebuild): without a primary key,
	// a first key that is unique over NOT NULL columns stands in for one
	// in information_schema's COLUMN_KEY.
	indexes   []*modelIndex
	checks    []*modelCheck // table-level CHECK constraints
	fks       []string      // foreign key constraint names
	versioned bool          // WITH SYSTEM VERSIONING
	comment   *string       // COMMENT, as Debezium keeps it (rawComment)
}

type modelColumn struct {
	name string
	typ  string // DATA_TYPE
	// width is the M of the type: display width of integers (0: the
	// default), characters of CHAR/VARCHAR, bytes of BINARY/VARBINARY,
	// precision of DECIMAL and FLOAT(M,D), bits of BIT, digits of YEAR.
	width       int
	decimals    int
	hasDecimals bool // DECIMAL always; FLOAT/DOUBLE(M,D)
	unsigned    bool
	zerofill    bool
	fsp         int
	values      []string // ENUM/SET
	// charset and collation of string columns (CHAR, VARCHAR, TEXT, ENUM,
	// SET); "" for others.
	charset, collation string
	json               bool // MySQL's JSON type (MariaDB's JSON is LONGTEXT with a check)
	nullable           bool
	def                modelDefault
	autoInc            bool
	onUpdate           bool
	onUpdateFSP        int
	generated          string // "VIRTUAL", "STORED", "ROW START", "ROW END" or ""
	invisible          bool
	noVersioning       bool
	check              *modelCheck // column-level CHECK constraint (MariaDB names it after the column)
	comment            *string     // COMMENT, as Debezium keeps it (rawComment)
}

type defaultKind uint8

const (
	// defNone: no default (NOT NULL without DEFAULT, AUTO_INCREMENT,
	// DROP DEFAULT of a NOT NULL column); COLUMN_DEFAULT is SQL NULL.
	defNone    defaultKind = iota
	defNull                // DEFAULT NULL, or a nullable column without DEFAULT
	defLiteral             // a constant, in the column's type
	defNow                 // CURRENT_TIMESTAMP and its synonyms
	defExpr                // any other expression
)

type modelDefault struct {
	kind   defaultKind
	value  string // defLiteral: the value as the server prints it, unquoted; defExpr: the expression
	quoted bool   // defLiteral: MariaDB prints it quoted (strings, temporal values, ENUM/SET)
	fsp    int    // defNow
}

type indexKind uint8

const (
	idxPrimary indexKind = iota + 1
	idxUnique
	idxPlain
	idxFulltext
	idxSpatial
)

type modelIndex struct {
	name     string
	kind     indexKind
	parts    []indexPart
	longHash bool // MariaDB's long unique key (a hash): never stands in for a primary key
	hash     bool // declared USING HASH
	// generated: the index the server added for a foreign key; a key
	// added later that starts with its columns replaces it.
	generated bool
	// While a statement is applied: whether a column of the key was
	// nullable before it, and whether the statement added the key.
	nullBefore bool
	added      bool
}

type indexPart struct {
	col    string // "" for a functional key part
	prefix int    // prefix length, 0 for the whole column
}

type modelCheck struct {
	name string
	// json is the column the clause validates when it is exactly
	// json_valid(col), as catalog.jsonColumns recognises MariaDB's JSON.
	json string
	refs []string // the columns the clause mentions
}

func NewModel(flavor string) *Model {
	return &Model{flavor: flavor, dbs: map[string]*modelDB{}}
}

func (m *Model) mariadb() bool { return m.flavor == "mariadb" }

// SetServerCharset sets character_set_server and collation_server, the
// defaults of databases created without a character set. Either may be "":
// a collation implies its character set and the reverse.
func (m *Model) SetServerCharset(charset, collation string) {
	m.serverCharset, m.serverCollation = m.resolveCharset(charset, collation, "", "")
}

// SetExplicitDefaultsForTimestamp sets the server's
// explicit_defaults_for_timestamp (on unless told otherwise, as in MariaDB
// 10.10+ and MySQL 8): off, a TIMESTAMP column declared without NULL is
// NOT NULL, and without a DEFAULT the table's first one defaults to and is
// updated with CURRENT_TIMESTAMP, the others default to the zero value.
func (m *Model) SetExplicitDefaultsForTimestamp(on bool) { m.legacyTimestamps = !on }

// MarkUnknown records that a table exists with a structure the model does
// not know, e.g. after the caller skipped a DDL statement that touched it.
func (m *Model) MarkUnknown(db, table string) {
	m.db(db).tables[table] = &modelTable{unknown: true}
}

// DropTable forgets a table, e.g. the old name of a table that a skipped
// ALTER TABLE ... RENAME moved (its new name is then marked unknown).
func (m *Model) DropTable(db, table string) {
	if d := m.dbs[db]; d != nil {
		delete(d.tables, table)
	}
}

func (m *Model) db(name string) *modelDB {
	d := m.dbs[name]
	if d == nil {
		d = &modelDB{tables: map[string]*modelTable{}}
		m.dbs[name] = d
	}
	return d
}

func (m *Model) table(db, table string) *modelTable {
	if d := m.dbs[db]; d != nil {
		return d.tables[table]
	}
	return nil
}

// Exists reports whether the model knows the table exists, described or not.
func (m *Model) Exists(db, table string) bool { return m.table(db, table) != nil }

// Tables lists every table the model knows, unknown ones included, sorted.
func (m *Model) Tables() []TableName {
	var out []TableName
	for dbName, d := range m.dbs {
		for t := range d.tables {
			out = append(out, TableName{DB: dbName, Table: t})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DB != out[j].DB {
			return out[i].DB < out[j].DB
		}
		return out[i].Table < out[j].Table
	})
	return out
}

// clone returns a deep copy.
func (m *Model) clone() *Model {
	c := &Model{flavor: m.flavor, serverCharset: m.serverCharset, serverCollation: m.serverCollation,
		legacyTimestamps: m.legacyTimestamps, dbs: make(map[string]*modelDB, len(m.dbs))}
	for name, d := range m.dbs {
		nd := &modelDB{charset: d.charset, collation: d.collation, tables: make(map[string]*modelTable, len(d.tables))}
		for tn, t := range d.tables {
			nd.tables[tn] = t.clone()
		}
		c.dbs[name] = nd
	}
	return c
}

func (t *modelTable) clone() *modelTable {
	c := *t
	c.columns = make([]*modelColumn, len(t.columns))
	for i, col := range t.columns {
		cc := *col
		cc.values = slices.Clone(col.values)
		if col.check != nil {
			ch := *col.check
			ch.refs = slices.Clone(ch.refs)
			cc.check = &ch
		}
		c.columns[i] = &cc
	}
	c.indexes = make([]*modelIndex, len(t.indexes))
	for i, ix := range t.indexes {
		ic := *ix
		ic.parts = slices.Clone(ix.parts)
		c.indexes[i] = &ic
	}
	c.checks = make([]*modelCheck, len(t.checks))
	for i, ch := range t.checks {
		cc := *ch
		cc.refs = slices.Clone(ch.refs)
		c.checks[i] = &cc
	}
	c.fks = slices.Clone(t.fks)
	return &c
}

func (t *modelTable) column(name string) (int, *modelColumn) {
	for i, c := range t.columns {
		if strings.EqualFold(c.name, name) {
			return i, c
		}
	}
	return -1, nil
}

func (t *modelTable) index(name string) int {
	for i, ix := range t.indexes {
		if strings.EqualFold(ix.name, name) {
			return i
		}
	}
	return -1
}

func (t *modelTable) primary() *modelIndex {
	if len(t.indexes) > 0 && t.indexes[0].kind == idxPrimary {
		return t.indexes[0]
	}
	return nil
}

// Reading the model.

// TableInfo is a table as the catalog reads it from information_schema:
// its columns, and the positions of the columns marked PRI.
type TableInfo struct {
	Columns []mysqltypes.ColumnDef
	Key     []int
}

// TableInfo is what the catalog of information_schema would return for the
// table: its columns and the positions of the columns information_schema
// marks PRI. ok is false for a table the model does not know or cannot
// describe.
func (m *Model) TableInfo(db, table string) (*TableInfo, bool) {
	t := m.table(db, table)
	if t == nil || t.unknown {
		return nil, false
	}
	jsonCols := t.jsonColumns()
	info := &TableInfo{}
	for _, k := range t.keyOrder() {
		if i, _ := t.column(k); i >= 0 {
			info.Key = append(info.Key, i)
		}
	}
	for i, c := range t.columns {
		ic := m.infoColumn(t, i)
		d := mysqltypes.ColumnDef{Name: c.name, DataType: ic.DataType, ColumnType: ic.ColumnType, Nullable: ic.Nullable,
			Charset: ic.Charset, Comment: c.comment}
		d.Precision, d.Scale = c.numericPrecision(), c.numericScale()
		if c.temporal() {
			d.FSP = c.fsp
		}
		d.Unsigned = strings.Contains(strings.ToLower(d.ColumnType), "unsigned")
		if d.DataType == "enum" || d.DataType == "set" {
			d.EnumValues = mysqltypes.ParseEnumValues(d.ColumnType)
		}
		if d.DataType == "bit" && d.Precision == 0 {
			d.Precision = 1
		}
		d.Default, d.HasDefault, d.DefaultNow = mysqltypes.ParseColumnDefault(ic.Default, !ic.HasDefault, ic.Extra, d.DataType, m.mariadb())
		if d.DataType == "binary" {
			d.Length = c.width
		}
		d.JSON = jsonCols[c.name]
		d.NoWidth = isIntType(c.typ) && c.width == 0
		info.Columns = append(info.Columns, d)
	}
	return info, true
}

// Describe is the table as catalog.describe would give it: Debezium's
// io.debezium.connector.schema.Table value.
func (m *Model) Describe(db, table string) (*change.Value, bool) {
	t := m.table(db, table)
	if t == nil || t.unknown {
		return nil, false
	}
	jsonCols := t.jsonColumns()
	// Debezium's parser takes the first unique key over NOT NULL columns
	// as the primary key of a table without one, as the server does.
	// MariaDB adds the row end column to a system-versioned table's keys;
	// SHOW CREATE TABLE, which Debezium's snapshot parses, names it only
	// when it is a declared column.
	pk := []any{}
	for _, c := range t.declaredKey() {
		pk = append(pk, c)
	}
	if _, re := t.column(t.rowEndColumn()); len(pk) > 0 && t.versioned && re != nil {
		pk = append(pk, re.name)
	}
	cols := make([]any, len(t.columns))
	for i := range t.columns {
		ic := m.infoColumn(t, i)
		ic.JSON = m.JSONTyped && jsonCols[ic.Name]
		v := ic.Value(m.flavor)
		if c := t.columns[i]; isIntType(c.typ) && !ic.JSON {
			// Debezium's length of an integer column is the display width
			// its DDL declares, null without one (INT, not INT(11)).
			// COLUMN_TYPE shows MariaDB's default width whether declared or
			// not; the model knows which.
			v.Values[columnLength] = nil
			if c.width > 0 {
				v.Values[columnLength] = int64(c.width)
			}
		}
		if c := t.columns[i]; c.comment != nil && m.Comments {
			v.Values[columnComment] = *c.comment
		}
		cols[i] = v
	}
	var cs any
	if t.charset != "" {
		cs = t.charset
	}
	var comment any
	if t.comment != nil && m.Comments {
		comment = *t.comment
	}
	return &change.Value{Schema: TableSchema, Values: []any{cs, pk, cols, comment}}, true
}

// Columns is the table as rows of information_schema.COLUMNS, with
// Collation, Primary and Expression set, and its TABLE_COLLATION: what a
// check of the model against a server compares. ok is false for a table
// the model does not know or cannot describe.
func (m *Model) Columns(db, table string) (cols []InfoColumn, collation string, ok bool) {
	t := m.table(db, table)
	if t == nil || t.unknown {
		return nil, "", false
	}
	keys := t.keyColumns()
	for i, c := range t.columns {
		ic := m.infoColumn(t, i)
		if isCharType(c.typ) {
			ic.Collation = c.collation
		}
		ic.Primary = keys[strings.ToLower(c.name)]
		ic.Expression = c.def.kind == defExpr
		cols = append(cols, ic)
	}
	return cols, t.collation, true
}

// JSONColumns is what catalog.jsonColumns would return: the columns a
// CHECK (json_valid(col)) constraint validates, MariaDB's JSON.
func (m *Model) JSONColumns(db, table string) map[string]bool {
	t := m.table(db, table)
	if t == nil || t.unknown {
		return map[string]bool{}
	}
	return t.jsonColumns()
}

func (t *modelTable) jsonColumns() map[string]bool {
	out := map[string]bool{}
	for _, c := range t.columns {
		if c.check != nil && c.check.json != "" {
			out[c.check.json] = true
		}
	}
	for _, ch := range t.checks {
		if ch.json != "" {
			out[ch.json] = true
		}
	}
	return out
}

func (t *modelTable) rowEndColumn() string {
	for _, c := range t.columns {
		if c.generated == "ROW END" {
			return c.name
		}
	}
	return "row_end"
}

// keyColumns are the columns information_schema marks PRI: those of the
// primary key or, without one, of the table's first key when it is unique
// with all its columns NOT NULL and whole, which the server then uses as
// the primary key (TABLE_SHARE::init_from_binary_frm_image looks at the
// first key only).
func (t *modelTable) keyColumns() map[string]bool {
	out := map[string]bool{}
	for _, c := range t.keyOrder() {
		out[strings.ToLower(c)] = true
	}
	return out
}

// keyOrder is the columns of the key the server treats as primary (the
// primary key, or the first unique index of NOT NULL columns, which MariaDB
// and Debezium promote), in the key's order: Debezium orders key fields and
// primaryKeyColumnNames that way, not by column position.
func (t *modelTable) keyOrder() []string {
	out := t.declaredKey()
	// The row end column of a system-versioned table is part of its
	// unique keys.
	if out != nil && t.versioned {
		out = append(out, t.rowEndColumn())
	}
	return out
}

// declaredKey is the columns of the key the server treats as primary, as
// its DDL names them.
func (t *modelTable) declaredKey() []string {
	if len(t.indexes) == 0 {
		return nil
	}
	ix := t.indexes[0]
	if ix.kind != idxPrimary && (ix.kind != idxUnique || ix.longHash || !t.promotable(ix)) {
		return nil
	}
	var out []string
	for _, p := range ix.parts {
		out = append(out, p.col)
	}
	return out
}

func (t *modelTable) promotable(ix *modelIndex) bool {
	for _, p := range ix.parts {
		_, c := t.column(p.col)
		if c == nil || c.nullable || p.prefix > 0 {
			return false
		}
	}
	return true
}

// InfoColumn is the table's i-th column as a row of information_schema.COLUMNS.
func (m *Model) infoColumn(t *modelTable, i int) InfoColumn {
	c := t.columns[i]
	ic := InfoColumn{Name: c.name, DataType: c.typ, ColumnType: c.columnType(m.mariadb()), Position: int64(i + 1),
		Nullable: c.nullable, Charset: c.charset}
	if c.json {
		ic.DataType = "json"
	}
	ic.Default, ic.HasDefault = c.infoDefault(m.mariadb())
	ic.Extra = c.extra(m.mariadb())
	return ic
}

var intDisplayWidths = map[string][2]int{ // default display width: signed, unsigned
	"tinyint": {4, 3}, "smallint": {6, 5}, "mediumint": {9, 8}, "int": {11, 10}, "bigint": {20, 20},
}

func isIntType(typ string) bool { _, ok := intDisplayWidths[typ]; return ok }

func isTextType(typ string) bool {
	return typ == "tinytext" || typ == "text" || typ == "mediumtext" || typ == "longtext"
}

func isBlobType(typ string) bool {
	return typ == "tinyblob" || typ == "blob" || typ == "mediumblob" || typ == "longblob"
}

// isCharType: the column has a character set.
func isCharType(typ string) bool {
	return typ == "char" || typ == "varchar" || typ == "enum" || typ == "set" || isTextType(typ)
}

func (c *modelColumn) temporal() bool {
	return c.typ == "time" || c.typ == "datetime" || c.typ == "timestamp"
}

// columnType is COLUMN_TYPE: MariaDB shows integer display widths and
// year(4); MySQL 8.0.19+ only tinyint(1) and widths with ZEROFILL.
func (c *modelColumn) columnType(mariadb bool) string {
	var s string
	switch {
	case c.json:
		return "json"
	case isIntType(c.typ):
		w := c.width
		if w == 0 {
			w = intDisplayWidths[c.typ][boolInt(c.unsigned)]
		}
		if mariadb || c.zerofill || c.typ == "tinyint" && c.width == 1 {
			s = fmt.Sprintf("%s(%d)", c.typ, w)
		} else {
			s = c.typ
		}
	case c.typ == "decimal":
		s = fmt.Sprintf("decimal(%d,%d)", c.width, c.decimals)
	case c.typ == "float" || c.typ == "double":
		s = c.typ
		if c.hasDecimals {
			s = fmt.Sprintf("%s(%d,%d)", c.typ, c.width, c.decimals)
		}
	case c.typ == "bit" || c.typ == "char" || c.typ == "varchar" || c.typ == "binary" || c.typ == "varbinary" || c.typ == "vector":
		s = fmt.Sprintf("%s(%d)", c.typ, c.width)
	case c.typ == "year":
		if !mariadb {
			return "year"
		}
		return fmt.Sprintf("year(%d)", c.width)
	case c.temporal():
		s = c.typ
		if c.fsp > 0 {
			s = fmt.Sprintf("%s(%d)", c.typ, c.fsp)
		}
	case c.typ == "enum" || c.typ == "set":
		var b strings.Builder
		b.WriteString(c.typ + "(")
		for i, v := range c.values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('\'')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(v))
			b.WriteByte('\'')
		}
		b.WriteByte(')')
		return b.String()
	default:
		return c.typ
	}
	if c.unsigned {
		s += " unsigned"
	}
	if c.zerofill {
		s += " zerofill"
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// numericPrecision is NUMERIC_PRECISION (0 for NULL).
func (c *modelColumn) numericPrecision() int {
	switch c.typ {
	case "tinyint":
		return 3
	case "smallint":
		return 5
	case "mediumint":
		return 7 + boolInt(c.unsigned)
	case "int":
		return 10
	case "bigint":
		return 19 + boolInt(c.unsigned)
	case "decimal", "bit":
		return c.width
	case "float":
		if c.hasDecimals {
			return c.width
		}
		return 12
	case "double":
		if c.hasDecimals {
			return c.width
		}
		return 22
	}
	return 0
}

// numericScale is NUMERIC_SCALE (0 for NULL).
func (c *modelColumn) numericScale() int {
	if c.typ == "decimal" || c.hasDecimals {
		return c.decimals
	}
	return 0
}

// infoDefault is COLUMN_DEFAULT and whether it is not NULL.
func (c *modelColumn) infoDefault(mariadb bool) (string, bool) {
	d := c.def
	switch d.kind {
	case defNull:
		if mariadb && c.nullable {
			return "NULL", true
		}
		return "", false
	case defLiteral:
		if mariadb && d.quoted {
			return quoteDefault(d.value), true
		}
		return d.value, true
	case defNow:
		if !mariadb {
			if d.fsp > 0 {
				return fmt.Sprintf("CURRENT_TIMESTAMP(%d)", d.fsp), true
			}
			return "CURRENT_TIMESTAMP", true
		}
		if d.fsp > 0 {
			return fmt.Sprintf("current_timestamp(%d)", d.fsp), true
		}
		return "current_timestamp()", true
	case defExpr:
		return d.value, true
	}
	return "", false
}

// quoteDefault quotes a string default as MariaDB's information_schema
// does (append_unescaped).
func quoteDefault(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`''`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// extra is EXTRA as the server shows it.
func (c *modelColumn) extra(mariadb bool) string {
	var parts []string
	if c.autoInc {
		parts = append(parts, "auto_increment")
	}
	if !mariadb && (c.def.kind == defNow || c.def.kind == defExpr) {
		parts = append(parts, "DEFAULT_GENERATED")
	}
	if c.onUpdate {
		now := "current_timestamp()"
		if !mariadb {
			now = "CURRENT_TIMESTAMP"
		}
		if c.onUpdateFSP > 0 {
			now = fmt.Sprintf("%s(%d)", strings.TrimSuffix(now, "()"), c.onUpdateFSP)
		}
		parts = append(parts, "on update "+now)
	}
	switch c.generated {
	case "VIRTUAL":
		parts = append(parts, "VIRTUAL GENERATED")
	case "STORED", "ROW START", "ROW END":
		parts = append(parts, "STORED GENERATED")
	}
	if c.invisible {
		parts = append(parts, "INVISIBLE")
	}
	if c.noVersioning {
		parts = append(parts, "WITHOUT SYSTEM VERSIONING")
	}
	return strings.Join(parts, ", ")
}

// Character sets.

// serverCharsets are the server's character sets: default collation and the
// most bytes a character takes (information_schema.CHARACTER_SETS of
// MariaDB 10.11; MySQL 8 differs in utf8mb4's default and adds gb18030).
var serverCharsets = map[string]struct {
	collation string
	maxLen    int
}{
	"armscii8": {"armscii8_general_ci", 1}, "ascii": {"ascii_general_ci", 1}, "big5": {"big5_chinese_ci", 2},
	"binary": {"binary", 1}, "cp1250": {"cp1250_general_ci", 1}, "cp1251": {"cp1251_general_ci", 1},
	"cp1256": {"cp1256_general_ci", 1}, "cp1257": {"cp1257_general_ci", 1}, "cp850": {"cp850_general_ci", 1},
	"cp852": {"cp852_general_ci", 1}, "cp866": {"cp866_general_ci", 1}, "cp932": {"cp932_japanese_ci", 2},
	"dec8": {"dec8_swedish_ci", 1}, "eucjpms": {"eucjpms_japanese_ci", 3}, "euckr": {"euckr_korean_ci", 2},
	"gb2312": {"gb2312_chinese_ci", 2}, "gbk": {"gbk_chinese_ci", 2}, "geostd8": {"geostd8_general_ci", 1},
	"greek": {"greek_general_ci", 1}, "hebrew": {"hebrew_general_ci", 1}, "hp8": {"hp8_english_ci", 1},
	"keybcs2": {"keybcs2_general_ci", 1}, "koi8r": {"koi8r_general_ci", 1}, "koi8u": {"koi8u_general_ci", 1},
	"latin1": {"latin1_swedish_ci", 1}, "latin2": {"latin2_general_ci", 1}, "latin5": {"latin5_turkish_ci", 1},
	"latin7": {"latin7_general_ci", 1}, "macce": {"macce_general_ci", 1}, "macroman": {"macroman_general_ci", 1},
	"sjis": {"sjis_japanese_ci", 2}, "swe7": {"swe7_swedish_ci", 1}, "tis620": {"tis620_thai_ci", 1},
	"ucs2": {"ucs2_general_ci", 2}, "ujis": {"ujis_japanese_ci", 3}, "utf16": {"utf16_general_ci", 4},
	"utf16le": {"utf16le_general_ci", 4}, "utf32": {"utf32_general_ci", 4}, "utf8mb3": {"utf8mb3_general_ci", 3},
	"utf8mb4": {"utf8mb4_general_ci", 4}, "gb18030": {"gb18030_chinese_ci", 4},
}

// normCharset lower-cases a character set name; utf8 is utf8mb3, as
// MariaDB 10.6+ and MySQL 8.0.30+ show it.
func normCharset(cs string) string {
	cs = strings.ToLower(cs)
	if cs == "utf8" {
		return "utf8mb3"
	}
	return cs
}

func normCollation(coll string) string {
	coll = strings.ToLower(coll)
	if rest, ok := strings.CutPrefix(coll, "utf8_"); ok {
		return "utf8mb3_" + rest
	}
	return coll
}

// collationCharset is the character set of a collation, "" for MariaDB's
// character-set-neutral collations (uca1400_ai_ci) and unknown names.
func collationCharset(coll string) string {
	if coll == "binary" {
		return "binary"
	}
	best := ""
	for cs := range serverCharsets {
		if strings.HasPrefix(coll, cs+"_") && len(cs) > len(best) {
			best = cs
		}
	}
	return best
}

func (m *Model) defaultCollation(cs string) string {
	if cs == "utf8mb4" && !m.mariadb() {
		return "utf8mb4_0900_ai_ci"
	}
	if info, ok := serverCharsets[cs]; ok {
		return info.collation
	}
	return cs + "_general_ci"
}

func charsetMaxLen(cs string) int {
	if info, ok := serverCharsets[cs]; ok {
		return info.maxLen
	}
	return 1
}

// resolveCharset completes a declared character set and collation (either
// may be empty) from the inherited ones; it returns "", "" when nothing is
// declared and nothing is inherited.
func (m *Model) resolveCharset(cs, coll, inheritCS, inheritColl string) (string, string) {
	cs, coll = normCharset(cs), normCollation(coll)
	switch {
	case coll != "":
		if c := collationCharset(coll); c != "" {
			return c, coll
		}
		// A collation without a character set applies to the declared
		// or inherited one.
		if cs == "" {
			cs = inheritCS
		}
		if cs == "" {
			return "", ""
		}
		return cs, cs + "_" + coll
	case cs != "":
		return cs, m.defaultCollation(cs)
	}
	return inheritCS, inheritColl
}

// Applying statements.

// Apply changes the model by one statement, in binlog order: the
// Statement Parse made of it, whose tokens the model reads again with its
// own clause grammar (the statement is not tokenized twice). Statements
// that change no table structure are ignored.
//
// An error wrapping ErrUnparseable names what was not understood; the
// model is then unchanged. A caller that goes on regardless should mark
// the tables the statement names unknown (MarkUnknown). An error wrapping
// ErrDiverged means the statement does not fit the model's tables (a DDL
// was missed): the tables concerned became unknown, and the rest of the
// statement was applied.
func (m *Model) Apply(st *Statement) error {
	if st.Kind == Ignore {
		return nil
	}
	p := &modelParser{ddlParser: &ddlParser{sql: st.sql, toks: st.toks, defaultDB: st.defaultDB}, model: m,
		backslash: st.backslash}
	switch st.Kind {
	case Other:
		if p.is("SET") {
			p.setServerVariables()
		}
		return nil
	case Database:
		return p.database()
	}
	switch {
	case p.is("CREATE"):
		return p.create()
	case p.is("ALTER"):
		return p.alterTable()
	case p.is("DROP"):
		if slices.ContainsFunc(st.Changes, func(c TableChange) bool { return c.Kind == Alter }) {
			return p.dropIndex()
		}
		for _, c := range st.Changes {
			m.DropTable(c.Table.DB, c.Table.Table)
		}
		return nil
	case p.is("RENAME"):
		for _, c := range st.Changes {
			m.rename(c.From, c.Table)
		}
		return nil
	}
	return nil // TRUNCATE keeps the structure
}

// ApplySQL parses a statement and applies it: for statements that come as
// text, such as a schema history's. defaultDB is the statement's default
// database and noBackslashEscapes its sql_mode flag (see Parse); errors are
// Parse's and Apply's.
func (m *Model) ApplySQL(sql, defaultDB string, noBackslashEscapes bool) error {
	st, err := Parse(sql, defaultDB, noBackslashEscapes)
	if err != nil {
		return err
	}
	return m.Apply(st)
}

// rename moves a table; a table the model never saw arrives unknown.
func (m *Model) rename(from, to TableName) {
	t := m.table(from.DB, from.Table)
	if t == nil {
		t = &modelTable{unknown: true}
	} else {
		delete(m.dbs[from.DB].tables, from.Table)
	}
	m.db(to.DB).tables[to.Table] = t
}

// modelParser reads the parts of statements the schema model needs.
type modelParser struct {
	*ddlParser
	model     *Model
	backslash bool       // a backslash escapes in strings (no NO_BACKSLASH_ESCAPES)
	pending   []*alterOp // the further columns of ADD (col, col...)
}

// sub is a parser over the tokens [from, to).
func (p *modelParser) sub(from, to int) *modelParser {
	return &modelParser{ddlParser: &ddlParser{sql: p.sql, toks: p.toks[from:to], defaultDB: p.defaultDB}, model: p.model, backslash: p.backslash}
}

// stringValue is the value of a string token. The tokenizer drops every
// escaping backslash; in string values the server keeps the one of \% and
// \_ (escapes for LIKE patterns).
func (p *modelParser) stringValue(t token) string {
	raw := p.sql[t.start:t.end]
	if !p.backslash || !strings.Contains(raw, `\`) {
		return t.text
	}
	var b strings.Builder
	body := raw[1 : len(raw)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == t.quote && i+1 < len(body) && body[i+1] == t.quote:
			b.WriteByte(c)
			i++
		case c == '\\' && i+1 < len(body):
			i++
			if body[i] == '%' || body[i] == '_' {
				b.WriteByte('\\')
			}
			b.WriteByte(unescape(body[i]))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (p *modelParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnparseable}, args...)...)
}

func (p *modelParser) isPunct(s string) bool {
	t := p.peek(0)
	return t != nil && t.kind == tokPunct && t.text == s
}

func (p *modelParser) atEnd() bool {
	for p.pos < len(p.toks) && p.toks[p.pos].kind == tokPunct && p.toks[p.pos].text == ";" && p.pos == len(p.toks)-1 {
		p.pos++
	}
	return p.pos >= len(p.toks)
}

// closing returns the index of the ')' that closes the '(' at index open.
func (p *modelParser) closing(open int) int {
	d := p.toks[open].depth
	for i := open + 1; i < len(p.toks); i++ {
		if t := p.toks[i]; t.kind == tokPunct && t.text == ")" && t.depth == d {
			return i
		}
	}
	return len(p.toks) - 1 // tokenize balanced the parentheses
}

// group consumes a parenthesized group and returns the indices of its
// first inner token and of its ')'.
func (p *modelParser) group() (int, int, error) {
	if !p.isPunct("(") {
		return 0, 0, fmt.Errorf("%w: expected '(' %s", ErrUnparseable, p.where())
	}
	open := p.pos
	end := p.closing(open)
	p.pos = end + 1
	return open + 1, end, nil
}

// source is the statement text of tokens [from, to).
func (p *modelParser) source(from, to int) string {
	if from >= to {
		return ""
	}
	return p.sql[p.toks[from].start:p.toks[to-1].end]
}

// word reads one keyword or name and returns it upper-cased.
func (p *modelParser) word() string {
	t := p.peek(0)
	if t == nil || t.kind != tokWord {
		return ""
	}
	p.pos++
	return strings.ToUpper(t.text)
}

// optionValue reads the value of a table or column option: a name,
// number, string, or parenthesized list.
func (p *modelParser) optionValue() error {
	p.acceptPunct("=")
	t := p.peek(0)
	switch {
	case t == nil:
		return fmt.Errorf("%w: expected a value %s", ErrUnparseable, p.where())
	case t.kind == tokPunct && t.text == "(":
		_, _, err := p.group()
		return err
	case t.kind == tokPunct && (t.text == "-" || t.text == "+"):
		p.pos++
		return p.optionValue()
	case t.kind == tokPunct:
		return fmt.Errorf("%w: expected a value %s", ErrUnparseable, p.where())
	}
	p.pos++
	// Decimal numbers arrive as "1" "." "5".
	if p.isPunct(".") && p.peek(1) != nil && p.peek(1).start == p.peek(0).end {
		p.pos += 2
	}
	return nil
}

// setServerVariables reads character_set_server and collation_server from
// a SET statement (Debezium's schema history starts with one). As on the
// server, setting the character set resets the collation to its default.
func (p *modelParser) setServerVariables() {
	m := p.model
	p.pos++ // SET
	for !p.atEnd() {
		p.accept("GLOBAL")
		p.accept("SESSION")
		p.accept("LOCAL")
		for p.isPunct("@") {
			p.pos++
		}
		name := p.word()
		if p.acceptPunct(".") { // @@global.name
			name = p.word()
		}
		if !p.acceptPunct("=") && !p.accept("TO") {
			return
		}
		var val string
		if t := p.peek(0); t != nil && t.kind != tokPunct {
			val = t.text
		}
		for !p.atEnd() && !p.isPunct(",") {
			p.pos++
		}
		switch {
		case val == "":
		case name == "CHARACTER_SET_SERVER":
			m.SetServerCharset(val, "")
		case name == "COLLATION_SERVER":
			m.SetServerCharset(m.serverCharset, val)
		}
		if !p.acceptPunct(",") {
			return
		}
	}
}

// database handles CREATE, ALTER and DROP DATABASE.
func (p *modelParser) database() error {
	m := p.model
	verb := p.word()
	orReplace := p.accept("OR", "REPLACE")
	if !p.accept("DATABASE") && !p.accept("SCHEMA") {
		return p.errorf("expected DATABASE %s", p.where())
	}
	switch verb {
	case "DROP":
		p.accept("IF", "EXISTS")
		name, err := p.ident()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		delete(m.dbs, name)
		return nil
	case "CREATE":
		ifNotExists := p.accept("IF", "NOT", "EXISTS")
		name, err := p.ident()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		cs, coll, err := p.databaseOptions()
		if err != nil {
			return err
		}
		if _, ok := m.dbs[name]; ok && ifNotExists {
			return nil
		}
		if orReplace {
			delete(m.dbs, name)
		}
		d := m.db(name)
		d.charset, d.collation = m.resolveCharset(cs, coll, m.serverCharset, m.serverCollation)
		return nil
	}
	// ALTER DATABASE [name] options
	name := p.defaultDB
	if !p.isDatabaseOption() && !p.atEnd() {
		n, err := p.ident()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		name = n
	}
	if p.accept("UPGRADE") {
		return nil
	}
	cs, coll, err := p.databaseOptions()
	if err != nil {
		return err
	}
	if name == "" || cs == "" && coll == "" {
		return nil
	}
	d := m.db(name)
	inherit := d.charset
	if coll != "" && cs == "" && collationCharset(normCollation(coll)) == "" {
		cs = inherit
	}
	d.charset, d.collation = m.resolveCharset(cs, coll, "", "")
	return nil
}

func (p *modelParser) databaseOptions() (cs, coll string, err error) {
	for !p.atEnd() {
		p.accept("DEFAULT")
		switch {
		case p.accept("CHARACTER", "SET"), p.accept("CHARSET"), p.accept("CHAR", "SET"):
			p.acceptPunct("=")
			if cs, err = p.ident(); err != nil {
				return "", "", fmt.Errorf("%w: %v", ErrUnparseable, err)
			}
		case p.accept("COLLATE"):
			p.acceptPunct("=")
			if coll, err = p.ident(); err != nil {
				return "", "", fmt.Errorf("%w: %v", ErrUnparseable, err)
			}
		case p.accept("COMMENT"), p.accept("ENCRYPTION"):
			if err := p.optionValue(); err != nil {
				return "", "", err
			}
		case p.accept("READ", "ONLY"):
			if err := p.optionValue(); err != nil {
				return "", "", err
			}
		default:
			return "", "", p.errorf("unknown database option %s", p.where())
		}
	}
	return cs, coll, nil
}

// Column definitions.

// colSpec is a column definition as written; resolveColumn completes it
// with what the table supplies (character set) and the server's rules.
type colSpec struct {
	comment     *string
	name        string
	typ         string
	width       int
	decimals    int
	hasDecimals bool
	unsigned    bool
	zerofill    bool
	fsp         int
	values      []string
	charset     string
	collation   string
	binaryColl  bool // the BINARY attribute: the character set's _bin collation
	national    bool
	jsonAlias   bool // JSON on MariaDB
	textSize    int  // TEXT(n), BLOB(n): the size picks the type
	notNull     bool
	null        bool
	def         *defSpec
	onUpdate    bool
	onUpdateFSP int
	autoInc     bool
	primary     bool
	unique      bool
	generated   string
	invisible   bool
	noVersion   bool
	withVersion bool
	check       *modelCheck
}

type defSpec struct {
	kind defaultKind // defNull, defLiteral, defNow or defExpr
	lit  literal
	fsp  int
	expr string
}

type litKind uint8

const (
	litString litKind = iota + 1 // text: the bytes
	litNumber                    // text: the number as written, with its sign
	litBytes                     // 0x41, x'41': text: the bytes
	litBits                      // b'101', 0b101: text: the binary digits
)

type literal struct {
	kind litKind
	text string
}

// dataTypeKeywords maps type keywords to DATA_TYPE.
var dataTypeKeywords = map[string]string{
	"TINYINT": "tinyint", "INT1": "tinyint", "SMALLINT": "smallint", "INT2": "smallint",
	"MEDIUMINT": "mediumint", "INT3": "mediumint", "MIDDLEINT": "mediumint", "INT": "int", "INTEGER": "int",
	"INT4": "int", "BIGINT": "bigint", "INT8": "bigint",
	"DECIMAL": "decimal", "DEC": "decimal", "NUMERIC": "decimal", "FIXED": "decimal",
	"FLOAT": "float", "FLOAT4": "float", "DOUBLE": "double", "REAL": "double", "FLOAT8": "double",
	"BIT": "bit", "YEAR": "year", "DATE": "date", "TIME": "time", "DATETIME": "datetime", "TIMESTAMP": "timestamp",
	"CHAR": "char", "CHARACTER": "char", "VARCHAR": "varchar", "VARCHARACTER": "varchar",
	"NCHAR": "char", "NVARCHAR": "varchar", "BINARY": "binary", "VARBINARY": "varbinary",
	"TINYTEXT": "tinytext", "TEXT": "text", "MEDIUMTEXT": "mediumtext", "LONGTEXT": "longtext",
	"TINYBLOB": "tinyblob", "BLOB": "blob", "MEDIUMBLOB": "mediumblob", "LONGBLOB": "longblob",
	"ENUM": "enum", "SET": "set", "JSON": "json",
	"GEOMETRY": "geometry", "POINT": "point", "LINESTRING": "linestring", "POLYGON": "polygon",
	"MULTIPOINT": "multipoint", "MULTILINESTRING": "multilinestring", "MULTIPOLYGON": "multipolygon",
	"GEOMETRYCOLLECTION": "geometrycollection", "GEOMCOLLECTION": "geomcollection",
	"UUID": "uuid", "INET4": "inet4", "INET6": "inet6", "VECTOR": "vector",
	"BOOL": "tinyint", "BOOLEAN": "tinyint", "SERIAL": "bigint", "LONG": "mediumtext",
}

// dims reads "(M)" or "(M,D)" when it comes next.
func (p *modelParser) dims() (m, d int, hasM, hasD bool, err error) {
	if !p.isPunct("(") {
		return 0, 0, false, false, nil
	}
	p.pos++
	num := func() (int, error) {
		t := p.peek(0)
		if t == nil || t.kind != tokWord {
			return 0, p.errorf("expected a number %s", p.where())
		}
		n, err := strconv.Atoi(t.text)
		if err != nil {
			return 0, p.errorf("expected a number %s", p.where())
		}
		p.pos++
		return n, nil
	}
	if m, err = num(); err != nil {
		return
	}
	hasM = true
	if p.acceptPunct(",") {
		if d, err = num(); err != nil {
			return
		}
		hasD = true
	}
	if !p.acceptPunct(")") {
		err = p.errorf("expected ')' %s", p.where())
	}
	return
}

// dataType reads a data type and its UNSIGNED/ZEROFILL modifiers into s.
func (p *modelParser) dataType(s *colSpec) error {
	at := p.where()
	kw := p.word()
	typ, ok := dataTypeKeywords[kw]
	if !ok {
		switch kw {
		case "NATIONAL":
			s.national = true
			kw = p.word()
			if kw != "CHAR" && kw != "CHARACTER" && kw != "VARCHAR" {
				return p.errorf("unknown data type %s", at)
			}
			typ = dataTypeKeywords[kw]
		default:
			return p.errorf("unknown data type %s", at)
		}
	}
	if kw == "NCHAR" || kw == "NVARCHAR" {
		s.national = true
	}
	switch kw {
	case "DOUBLE":
		p.accept("PRECISION")
	case "CHAR", "CHARACTER", "NCHAR":
		if p.accept("VARYING") || kw == "NCHAR" && p.accept("VARCHAR") {
			typ = "varchar"
		}
	case "LONG":
		switch {
		case p.accept("VARBINARY"):
			typ = "mediumblob"
		case p.accept("VARCHAR"), p.accept("CHAR", "VARYING"):
		}
	}
	s.typ = typ
	switch typ {
	case "enum", "set":
		open, end, err := p.group()
		if err != nil {
			return err
		}
		for i := open; i < end; i++ {
			t := p.toks[i]
			switch {
			case t.kind == tokString:
				v := p.stringValue(t)
				// Adjacent strings are one value.
				for i+1 < end && p.toks[i+1].kind == tokString {
					i++
					v += p.stringValue(p.toks[i])
				}
				// The server strips trailing spaces of ENUM and SET values.
				s.values = append(s.values, strings.TrimRight(v, " "))
			case t.kind == tokPunct && t.text == ",":
			case t.kind == tokWord && strings.HasPrefix(t.text, "_") && i+1 < end && p.toks[i+1].kind == tokString:
			default:
				return p.errorf("unexpected %q in the values of %s %s", t.text, kw, at)
			}
		}
	case "float":
		m, d, hasM, hasD, err := p.dims()
		if err != nil {
			return err
		}
		switch {
		case hasD:
			s.width, s.decimals, s.hasDecimals = m, d, true
		case hasM && m > 24:
			s.typ = "double"
		}
	default:
		m, d, hasM, hasD, err := p.dims()
		if err != nil {
			return err
		}
		s.width, s.decimals, s.hasDecimals = m, d, hasD
		switch typ {
		case "decimal":
			if !hasM {
				s.width = 10
			}
			s.hasDecimals = true
		case "time", "datetime", "timestamp":
			s.fsp, s.width = m, 0
		case "text", "blob":
			if hasM {
				s.textSize, s.width = m, 0
			}
		case "char", "binary", "bit":
			if !hasM {
				s.width = 1
			}
		case "year":
			if !hasM || m != 2 {
				s.width = 4
			}
		case "varchar", "varbinary", "vector":
			if !hasM {
				return p.errorf("%s needs a length %s", kw, at)
			}
		}
	}
	switch kw {
	case "BOOL", "BOOLEAN":
		s.width = 1
	case "SERIAL":
		s.unsigned, s.notNull, s.autoInc, s.unique = true, true, true, true
	case "JSON":
		if p.model.mariadb() {
			s.typ, s.jsonAlias = "longtext", true
		}
	}
	for {
		switch {
		case p.accept("UNSIGNED"):
			s.unsigned = true
		case p.accept("SIGNED"):
		case p.accept("ZEROFILL"):
			s.zerofill, s.unsigned = true, true
		default:
			return nil
		}
	}
}

// columnSpec reads "name type attributes..." up to end().
func (p *modelParser) columnSpec(end func() bool) (*colSpec, error) {
	name, err := p.ident()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	s := &colSpec{name: name}
	if err := p.dataType(s); err != nil {
		return nil, err
	}
	for !end() && !p.is("FIRST") && !p.is("AFTER") {
		if err := p.columnAttribute(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (p *modelParser) columnAttribute(s *colSpec) error {
	at := p.where()
	t := p.peek(0)
	if t.kind != tokWord {
		return p.errorf("unexpected %s in the definition of column %q", at, s.name)
	}
	kw := p.word()
	switch kw {
	case "NOT":
		if !p.accept("NULL") {
			if p.accept("SECONDARY") {
				return nil
			}
			return p.errorf("expected NULL after NOT %s", p.where())
		}
		s.notNull, s.null = true, false
	case "NULL":
		s.null, s.notNull = true, false
	case "DEFAULT":
		d, err := p.defaultValue()
		if err != nil {
			return err
		}
		s.def = d
	case "ON":
		if !p.accept("UPDATE") {
			return p.errorf("expected UPDATE after ON %s", p.where())
		}
		d, err := p.defaultValue()
		if err != nil {
			return err
		}
		if d.kind != defNow {
			return p.errorf("ON UPDATE takes CURRENT_TIMESTAMP %s", at)
		}
		s.onUpdate, s.onUpdateFSP = true, d.fsp
	case "AUTO_INCREMENT":
		s.autoInc = true
	case "PRIMARY":
		p.accept("KEY")
		s.primary = true
	case "KEY":
		s.primary = true
	case "UNIQUE":
		p.accept("KEY")
		s.unique = true
	case "COMMENT":
		s.comment = p.rawComment()
		if s.comment == nil {
			return p.optionValue()
		}
	case "COLUMN_FORMAT", "STORAGE", "SRID", "REF_SYSTEM_ID", "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE":
		return p.optionValue()
	case "COMPRESSED":
		if p.isPunct("=") {
			return p.optionValue()
		}
	case "COLLATE":
		p.acceptPunct("=")
		c, err := p.ident()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		s.collation = c
	case "CHARSET", "CHARACTER", "CHAR":
		if kw != "CHARSET" && !p.accept("SET") {
			return p.errorf("expected SET %s", p.where())
		}
		p.acceptPunct("=")
		c, err := p.ident()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		s.charset = c
	case "BINARY":
		s.binaryColl = true
	case "ASCII":
		s.charset = "latin1"
	case "UNICODE":
		s.charset = "ucs2"
	case "BYTE":
		s.charset = "binary"
	case "GENERATED", "AS":
		if kw == "GENERATED" {
			if err := p.expect("ALWAYS", "AS"); err != nil {
				return fmt.Errorf("%w: %v", ErrUnparseable, err)
			}
		}
		if p.accept("ROW") {
			switch {
			case p.accept("START"):
				s.generated = "ROW START"
			case p.accept("END"):
				s.generated = "ROW END"
			default:
				return p.errorf("expected START or END %s", p.where())
			}
			return nil
		}
		if _, _, err := p.group(); err != nil {
			return err
		}
		s.generated = "VIRTUAL"
		switch {
		case p.accept("STORED"), p.accept("PERSISTENT"):
			s.generated = "STORED"
		default:
			p.accept("VIRTUAL")
		}
	case "INVISIBLE":
		s.invisible = true
	case "VISIBLE":
		s.invisible = false
	case "CONSTRAINT", "CHECK":
		if kw == "CONSTRAINT" {
			if !p.is("CHECK") {
				if _, err := p.ident(); err != nil {
					return fmt.Errorf("%w: %v", ErrUnparseable, err)
				}
			}
			if err := p.expect("CHECK"); err != nil {
				return fmt.Errorf("%w: %v", ErrUnparseable, err)
			}
		}
		ch, err := p.checkClause()
		if err != nil {
			return err
		}
		ch.name = s.name
		s.check = ch
	case "REFERENCES":
		return p.references()
	case "WITH", "WITHOUT":
		if err := p.expect("SYSTEM", "VERSIONING"); err != nil {
			return fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		s.noVersion, s.withVersion = kw == "WITHOUT", kw == "WITH"
	case "SERIAL":
		if err := p.expect("DEFAULT", "VALUE"); err != nil {
			return fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		s.notNull, s.autoInc, s.unique = true, true, true
	default:
		// Engine-defined attributes: name = value.
		if p.isPunct("=") {
			return p.optionValue()
		}
		return p.errorf("unknown attribute in the definition of column %q %s", s.name, at)
	}
	return nil
}

// references reads the rest of REFERENCES tbl (cols) [MATCH ...] [ON ...].
func (p *modelParser) references() error {
	if _, err := p.qualifiedName(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	if p.isPunct("(") {
		if _, _, err := p.group(); err != nil {
			return err
		}
	}
	for {
		switch {
		case p.accept("MATCH"):
			p.word()
		case p.accept("ON"):
			if p.word() == "" {
				return p.errorf("expected DELETE or UPDATE %s", p.where())
			}
			switch {
			case p.accept("SET", "NULL"), p.accept("SET", "DEFAULT"), p.accept("NO", "ACTION"), p.accept("CASCADE"), p.accept("RESTRICT"):
			default:
				return p.errorf("unknown referential action %s", p.where())
			}
		default:
			return nil
		}
	}
}

// checkClause reads "(expr)" of a CHECK constraint.
func (p *modelParser) checkClause() (*modelCheck, error) {
	open, end, err := p.group()
	if err != nil {
		return nil, err
	}
	ch := &modelCheck{}
	// Redundant parentheses do not change what the server prints.
	for end-open >= 2 && p.toks[open].text == "(" && p.toks[open].kind == tokPunct && p.closing(open) == end-1 {
		open, end = open+1, end-1
	}
	if end-open == 4 && p.toks[open].kind == tokWord && strings.EqualFold(p.toks[open].text, "json_valid") &&
		p.toks[open+1].text == "(" && p.toks[open+3].text == ")" &&
		(p.toks[open+2].kind == tokWord || p.toks[open+2].kind == tokIdent) {
		ch.json = p.toks[open+2].text
	}
	for i := open; i < end; i++ {
		t := p.toks[i]
		if t.kind == tokIdent || t.kind == tokWord && !(i+1 < end && p.toks[i+1].text == "(") {
			ch.refs = append(ch.refs, t.text)
		}
	}
	// [NOT] ENFORCED (MySQL)
	p.accept("NOT")
	p.accept("ENFORCED")
	return ch, nil
}

// Default values.

var numberLiteralPrefix = regexp.MustCompile(`^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`)

func isNowFunc(w string) bool {
	switch strings.ToUpper(w) {
	case "CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP":
		return true
	}
	return false
}

// defaultValue reads what follows DEFAULT (and ON UPDATE).
func (p *modelParser) defaultValue() (*defSpec, error) {
	t := p.peek(0)
	if t == nil {
		return nil, p.errorf("expected a default value %s", p.where())
	}
	if t.kind == tokPunct && t.text == "(" {
		open, end, err := p.group()
		if err != nil {
			return nil, err
		}
		// The server turns a parenthesized constant into a plain default
		// (not on MySQL, where it stays an expression).
		in := p.sub(open, end)
		for in.isPunct("(") && in.closing(0) == len(in.toks)-1 {
			in.toks = in.toks[1 : len(in.toks)-1]
		}
		if d := in.simpleDefault(); d != nil && in.atEnd() && (p.model.mariadb() || d.kind == defNow) {
			return d, nil
		}
		if !p.model.mariadb() {
			return &defSpec{kind: defExpr, expr: p.source(open, end)}, nil
		}
		return &defSpec{kind: defExpr, expr: p.source(open-1, end+1)}, nil
	}
	if d := p.simpleDefault(); d != nil {
		return d, nil
	}
	// A function call: name(...), or NEXT VALUE FOR seq.
	start := p.pos
	if p.accept("NEXT", "VALUE", "FOR") || p.accept("PREVIOUS", "VALUE", "FOR") {
		if _, err := p.qualifiedName(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		return &defSpec{kind: defExpr, expr: p.source(start, p.pos)}, nil
	}
	if t.kind == tokWord {
		p.pos++
		if p.acceptPunct(".") { // db.func(...)
			p.pos++
		}
		if p.isPunct("(") {
			if _, _, err := p.group(); err != nil {
				return nil, err
			}
		}
		return &defSpec{kind: defExpr, expr: p.source(start, p.pos)}, nil
	}
	return nil, p.errorf("unknown default value %s", p.where())
}

// simpleDefault reads a literal, NULL or CURRENT_TIMESTAMP; nil (nothing
// consumed) for anything else.
func (p *modelParser) simpleDefault() *defSpec {
	t := p.peek(0)
	if t == nil {
		return nil
	}
	if t.kind == tokWord {
		w := strings.ToUpper(t.text)
		switch {
		case w == "NULL":
			p.pos++
			return &defSpec{kind: defNull}
		case isNowFunc(w):
			save := p.pos
			p.pos++
			fsp := 0
			if p.isPunct("(") {
				open, end, _ := p.group()
				switch {
				case end == open:
				case end == open+1 && p.toks[open].kind == tokWord:
					n, err := strconv.Atoi(p.toks[open].text)
					if err != nil {
						p.pos = save
						return nil
					}
					fsp = n
				default:
					p.pos = save
					return nil
				}
			} else if w == "NOW" {
				p.pos = save
				return nil
			}
			return &defSpec{kind: defNow, fsp: fsp}
		}
	}
	if lit, ok := p.literal(); ok {
		return &defSpec{kind: defLiteral, lit: lit}
	}
	return nil
}

// literal reads a constant: a signed number, a string (with an optional
// character set introducer, adjacent strings concatenated), a hex or bit
// literal, TRUE or FALSE, or a typed temporal literal.
func (p *modelParser) literal() (literal, bool) {
	save := p.pos
	sign := ""
	for p.isPunct("-") || p.isPunct("+") {
		if p.peek(0).text == "-" {
			sign = pick(sign == "-", "", "-")
		}
		p.pos++
	}
	t := p.peek(0)
	if t == nil {
		p.pos = save
		return literal{}, false
	}
	adjacentString := func() bool {
		n := p.peek(1)
		return n != nil && n.kind == tokString && n.start == t.end
	}
	switch {
	case t.kind == tokString:
		return literal{kind: litString, text: p.strings()}, true
	case t.kind == tokPunct && t.text == "." || t.kind == tokWord && t.text[0] >= '0' && t.text[0] <= '9':
		lower := strings.ToLower(t.text)
		if sign == "" && len(lower) > 2 && lower[0] == '0' && (lower[1] == 'x' || lower[1] == 'b') {
			digits := lower[2:]
			if lower[1] == 'x' && allHex(digits) {
				p.pos++
				return literal{kind: litBytes, text: hexToBytes(digits)}, true
			}
			if lower[1] == 'b' && strings.Trim(digits, "01") == "" {
				p.pos++
				return literal{kind: litBits, text: digits}, true
			}
		}
		num := numberLiteralPrefix.FindString(p.sql[t.start:])
		if num == "" {
			break
		}
		end := t.start + len(num)
		for p.pos < len(p.toks) && p.toks[p.pos].start < end {
			p.pos++
		}
		return literal{kind: litNumber, text: sign + num}, true
	case sign != "":
	case t.kind == tokWord:
		w := strings.ToUpper(t.text)
		switch {
		case w == "TRUE" || w == "FALSE":
			p.pos++
			return literal{kind: litNumber, text: pick(w == "TRUE", "1", "0")}, true
		case (w == "X" || w == "B") && adjacentString():
			p.pos++
			s := p.peek(0).text
			p.pos++
			if w == "X" {
				return literal{kind: litBytes, text: hexToBytes(s)}, true
			}
			return literal{kind: litBits, text: s}, true
		case (w == "N" || strings.HasPrefix(w, "_")) && adjacentString():
			p.pos++
			return literal{kind: litString, text: p.strings()}, true
		case w == "DATE" || w == "TIME" || w == "TIMESTAMP":
			if n := p.peek(1); n != nil && n.kind == tokString {
				p.pos++
				return literal{kind: litString, text: p.strings()}, true
			}
		}
	}
	p.pos = save
	return literal{}, false
}

// strings reads adjacent string literals as one.
func (p *modelParser) strings() string {
	var b strings.Builder
	for t := p.peek(0); t != nil && t.kind == tokString; t = p.peek(0) {
		b.WriteString(p.stringValue(*t))
		p.pos++
	}
	return b.String()
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func hexToBytes(digits string) string {
	if len(digits)%2 == 1 {
		digits = "0" + digits
	}
	out := make([]byte, len(digits)/2)
	for i := range out {
		v, _ := strconv.ParseUint(digits[2*i:2*i+2], 16, 8)
		out[i] = byte(v)
	}
	return string(out)
}

// Table elements and keys.

type indexSpec struct {
	existing    *modelIndex // a key the table has
	kind        indexKind
	name        string
	parts       []indexPart
	hash        bool
	ifNotExists bool
	fk          bool   // FOREIGN KEY: an index the server adds unless one covers the columns
	fkName      string // the constraint's name
}

// keyParts reads "(col[(len)] [ASC|DESC], ...)".
func (p *modelParser) keyParts() ([]indexPart, error) {
	open, end, err := p.group()
	if err != nil {
		return nil, err
	}
	var parts []indexPart
	in := p.sub(open, end)
	for !in.atEnd() {
		var part indexPart
		if in.isPunct("(") { // a functional key part (MySQL)
			if _, _, err := in.group(); err != nil {
				return nil, err
			}
		} else {
			name, err := in.ident()
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrUnparseable, err)
			}
			part.col = name
			if in.isPunct("(") {
				o, e, err := in.group()
				if err != nil || e != o+1 {
					return nil, p.errorf("expected a prefix length %s", in.where())
				}
				part.prefix, _ = strconv.Atoi(in.toks[o].text)
			}
		}
		in.accept("ASC")
		in.accept("DESC")
		parts = append(parts, part)
		if !in.acceptPunct(",") && !in.atEnd() {
			return nil, p.errorf("unexpected %s in a key's columns", in.where())
		}
	}
	return parts, nil
}

// indexOptions reads what may follow an index's columns.
func (p *modelParser) indexOptions(ix *indexSpec) error {
	for {
		switch {
		case p.accept("USING"), p.accept("TYPE"):
			if p.word() == "HASH" {
				ix.hash = true
			}
		case p.accept("KEY_BLOCK_SIZE"), p.accept("COMMENT"), p.accept("ENGINE_ATTRIBUTE"), p.accept("SECONDARY_ENGINE_ATTRIBUTE"):
			if err := p.optionValue(); err != nil {
				return err
			}
		case p.accept("WITH", "PARSER"):
			p.word()
		case p.accept("VISIBLE"), p.accept("INVISIBLE"), p.accept("IGNORED"), p.accept("NOT", "IGNORED"), p.accept("CLUSTERING"):
			p.acceptPunct("=")
			p.accept("YES")
			p.accept("NO")
		default:
			return nil
		}
	}
}

// indexSpec reads an index definition after its kind keywords:
// [IF NOT EXISTS] [name] [USING type] (parts) [options].
func (p *modelParser) indexSpec(kind indexKind, name string) (*indexSpec, error) {
	ix := &indexSpec{kind: kind, name: name}
	ix.ifNotExists = p.accept("IF", "NOT", "EXISTS")
	if !p.isPunct("(") && !p.is("USING") && !p.is("TYPE") {
		n, err := p.ident()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		if kind != idxPrimary {
			ix.name = n
		}
	}
	if err := p.indexOptions(ix); err != nil {
		return nil, err
	}
	parts, err := p.keyParts()
	if err != nil {
		return nil, err
	}
	ix.parts = parts
	return ix, p.indexOptions(ix)
}

// tableElement is one element of CREATE TABLE's list or one ADD of ALTER
// TABLE: a key, a constraint or a period; nil when the next tokens are a
// column definition.
type tableElement struct {
	index       *indexSpec
	check       *modelCheck
	fkName      string // a FOREIGN KEY's constraint name
	ifNotExists bool   // CONSTRAINT IF NOT EXISTS name
}

func (p *modelParser) tableElement() (*tableElement, error) {
	t := p.peek(0)
	if t == nil || t.kind != tokWord {
		return nil, nil
	}
	save := p.pos
	el := &tableElement{}
	constraint := ""
	hasConstraint := p.accept("CONSTRAINT")
	if hasConstraint {
		el.ifNotExists = p.accept("IF", "NOT", "EXISTS")
		if !p.is("PRIMARY") && !p.is("UNIQUE") && !p.is("FOREIGN") && !p.is("CHECK") {
			n, err := p.ident()
			if err != nil {
				return nil, wrapUnparseable(err)
			}
			constraint = n
		}
	}
	var err error
	switch {
	case p.accept("PRIMARY", "KEY"):
		el.index, err = p.indexSpec(idxPrimary, "PRIMARY")
	case p.accept("UNIQUE"):
		if !p.accept("INDEX") {
			p.accept("KEY")
		}
		el.index, err = p.indexSpec(idxUnique, constraint)
	case p.accept("FOREIGN", "KEY"):
		if el.index, err = p.indexSpec(idxPlain, ""); err != nil {
			return nil, err
		}
		// The index the server adds is named after the constraint, else
		// after the index name written, else after its first column.
		el.index.fk = true
		if constraint != "" {
			el.index.name = constraint
		}
		el.fkName = constraint
		if err = p.expect("REFERENCES"); err != nil {
			return nil, wrapUnparseable(err)
		}
		err = p.references()
	case p.accept("CHECK"):
		if el.check, err = p.checkClause(); err == nil {
			el.check.name = constraint
		}
	case hasConstraint:
		return nil, p.errorf("expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT %s", p.where())
	case p.accept("INDEX"), p.accept("KEY"):
		el.index, err = p.indexSpec(idxPlain, "")
	case p.accept("FULLTEXT"), p.accept("SPATIAL"):
		kind := idxSpatial
		if strings.EqualFold(t.text, "FULLTEXT") {
			kind = idxFulltext
		}
		if !p.accept("INDEX") {
			p.accept("KEY")
		}
		el.index, err = p.indexSpec(kind, "")
	case p.accept("PERIOD", "FOR"):
		p.accept("IF", "NOT", "EXISTS")
		p.word()
		_, _, err = p.group()
	default:
		p.pos = save
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return el, nil
}

// Table options.

type tableOptions struct {
	charset, collation string
	versioned          bool
	comment            *string // COMMENT (rawComment); nil: not set
}

// rawComment reads a COMMENT's string as Debezium's DDL parser keeps it:
// the text between the quotes as written, escapes and doubled quotes left
// in. nil (and nothing read) when no string comes next.
func (p *modelParser) rawComment() *string {
	p.acceptPunct("=")
	t := p.peek(0)
	if t == nil || t.kind != tokString || t.end-t.start < 2 {
		return nil
	}
	p.pos++
	s := p.sql[t.start+1 : t.end-1]
	return &s
}

var knownTableOptions = map[string]bool{
	"ENGINE": true, "TYPE": true, "AUTO_INCREMENT": true, "COMMENT": true, "AVG_ROW_LENGTH": true,
	"CHECKSUM": true, "TABLE_CHECKSUM": true, "COMPRESSION": true, "CONNECTION": true, "DELAY_KEY_WRITE": true,
	"ENCRYPTED": true, "ENCRYPTION": true, "ENCRYPTION_KEY_ID": true, "IETF_QUOTES": true, "INSERT_METHOD": true,
	"KEY_BLOCK_SIZE": true, "MAX_ROWS": true, "MIN_ROWS": true, "PACK_KEYS": true, "PAGE_CHECKSUM": true,
	"PAGE_COMPRESSED": true, "PAGE_COMPRESSION_LEVEL": true, "PASSWORD": true, "ROW_FORMAT": true,
	"SEQUENCE": true, "STATS_AUTO_RECALC": true, "STATS_PERSISTENT": true, "STATS_SAMPLE_PAGES": true,
	"TRANSACTIONAL": true, "UNION": true, "AUTOEXTEND_SIZE": true, "ENGINE_ATTRIBUTE": true,
	"SECONDARY_ENGINE": true, "SECONDARY_ENGINE_ATTRIBUTE": true,
}

// tableOption reads one table option into o; false when none comes next.
func (p *modelParser) tableOption(o *tableOptions) (bool, error) {
	save := p.pos
	p.accept("DEFAULT")
	switch {
	case p.accept("CHARACTER", "SET"), p.accept("CHARSET"), p.accept("CHAR", "SET"):
		p.acceptPunct("=")
		cs, err := p.ident()
		if err != nil {
			return false, fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		o.charset = cs
		return true, nil
	case p.accept("COLLATE"):
		p.acceptPunct("=")
		c, err := p.ident()
		if err != nil {
			return false, fmt.Errorf("%w: %v", ErrUnparseable, err)
		}
		o.collation = c
		return true, nil
	}
	if p.pos != save {
		return false, p.errorf("expected CHARACTER SET or COLLATE after DEFAULT %s", p.where())
	}
	switch {
	case p.accept("WITH", "SYSTEM", "VERSIONING"):
		o.versioned = true
		return true, nil
	case p.accept("COMMENT"):
		if o.comment = p.rawComment(); o.comment == nil {
			return true, p.optionValue()
		}
		return true, nil
	case p.accept("DATA", "DIRECTORY"), p.accept("INDEX", "DIRECTORY"):
		return true, p.optionValue()
	case p.accept("TABLESPACE"):
		p.word()
		if p.accept("STORAGE") {
			p.word()
		}
		return true, nil
	case p.accept("STORAGE"):
		p.word()
		return true, nil
	case p.is("START", "TRANSACTION"):
		p.pos += 2
		return true, nil
	}
	t := p.peek(0)
	if t == nil || t.kind != tokWord {
		return false, nil
	}
	if knownTableOptions[strings.ToUpper(t.text)] {
		p.pos++
		return true, p.optionValue()
	}
	// Engine-defined options: name = value.
	if n := p.peek(1); n != nil && n.kind == tokPunct && n.text == "=" {
		p.pos++
		return true, p.optionValue()
	}
	return false, nil
}

// isPartitionClause reports whether a partitioning clause comes next.
func (p *modelParser) isPartitionClause() bool {
	if p.is("PARTITION", "BY") || p.is("REMOVE", "PARTITIONING") || p.is("PARTITIONS") {
		return true
	}
	for _, w := range []string{"ADD", "DROP", "COALESCE", "REORGANIZE", "EXCHANGE", "ANALYZE", "CHECK", "OPTIMIZE",
		"REBUILD", "REPAIR", "TRUNCATE", "DISCARD", "IMPORT"} {
		if p.is(w, "PARTITION") {
			return true
		}
	}
	return false
}

// CREATE TABLE.

func (p *modelParser) create() error {
	m := p.model
	p.pos++ // CREATE
	// CREATE OR REPLACE: whatever was there is replaced.
	p.accept("OR", "REPLACE")
	if !p.accept("TABLE") {
		return p.createIndex()
	}
	ifNotExists := p.accept("IF", "NOT", "EXISTS")
	name, err := p.qualifiedName()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	if ifNotExists && m.Exists(name.DB, name.Table) {
		return nil
	}
	// LIKE other, or (LIKE other)
	if p.is("LIKE") || p.isPunct("(") && p.peek(1) != nil && strings.EqualFold(p.peek(1).text, "LIKE") && p.peek(1).kind == tokWord {
		return p.createLike(name)
	}
	var cols []*colSpec
	var order []any // columns and elements in the order written
	if p.isPunct("(") && !p.is("SELECT") {
		if n := p.peek(1); n != nil && n.kind == tokWord && (strings.EqualFold(n.text, "SELECT") || strings.EqualFold(n.text, "WITH") ||
			strings.EqualFold(n.text, "VALUES") || strings.EqualFold(n.text, "TABLE")) || n != nil && n.text == "(" {
			m.db(name.DB).tables[name.Table] = &modelTable{unknown: true}
			return nil
		}
		open := p.pos
		closeIdx := p.closing(open)
		base := p.toks[open].depth + 1
		p.pos++
		end := func() bool {
			t := p.peek(0)
			return t == nil || p.pos >= closeIdx || t.kind == tokPunct && t.text == "," && t.depth == base
		}
		for p.pos < closeIdx {
			el, err := p.tableElement()
			if err != nil {
				return err
			}
			if el != nil {
				order = append(order, el)
			} else {
				c, err := p.columnSpec(end)
				if err != nil {
					return err
				}
				cols = append(cols, c)
				order = append(order, c)
			}
			if p.pos < closeIdx && !p.acceptPunct(",") {
				return p.errorf("unexpected %s", p.where())
			}
		}
		p.pos = closeIdx + 1
	}
	var opts tableOptions
	for !p.atEnd() {
		if p.isPartitionClause() {
			break
		}
		p.acceptPunct(",")
		ok, err := p.tableOption(&opts)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
	}
	if p.filledByQuery() {
		m.db(name.DB).tables[name.Table] = &modelTable{unknown: true}
		return nil
	}
	if !p.atEnd() && !p.isPartitionClause() {
		return p.errorf("unexpected %s", p.where())
	}
	if len(cols) == 0 {
		return p.errorf("CREATE TABLE %s has no columns", name)
	}
	d := m.db(name.DB)
	t := &modelTable{versioned: opts.versioned, comment: opts.comment}
	// A column WITH SYSTEM VERSIONING makes the table versioned and leaves
	// the other columns out of the versioning.
	if !t.versioned && slices.ContainsFunc(cols, func(c *colSpec) bool { return c.withVersion }) {
		t.versioned = true
		for _, c := range cols {
			c.noVersion = !c.withVersion
		}
	}
	t.charset, t.collation = m.resolveCharset(opts.charset, opts.collation, d.charset, d.collation)
	if t.charset == "" {
		// The database's default character set is unknown and the table
		// inherits it.
		d.tables[name.Table] = &modelTable{unknown: true}
		return nil
	}
	var indexes []*indexSpec
	specs := map[*modelColumn]*colSpec{}
	for _, o := range order {
		switch x := o.(type) {
		case *colSpec:
			c := m.resolveColumn(t, x)
			specs[c] = x
			t.columns = append(t.columns, c)
			indexes = append(indexes, columnKeys(x)...)
		case *tableElement:
			switch {
			case x.index != nil:
				indexes = append(indexes, x.index)
				if x.index.fk {
					t.fks = append(t.fks, x.fkName)
				}
			case x.check != nil:
				t.checks = append(t.checks, x.check)
			}
		}
	}
	m.implicitTimestampDefaults(t.columns, specs)
	t.nameChecks()
	t.addIndexes(indexes)
	t.endRebuild()
	if err := t.checkConsistency(); err != nil {
		return p.errorf("%v", err)
	}
	d.tables[name.Table] = t
	return nil
}

// createLike reads the rest of CREATE TABLE name LIKE other, or (LIKE
// other): a copy of other, unknown when other is.
func (p *modelParser) createLike(name TableName) error {
	m := p.model
	paren := p.acceptPunct("(")
	p.pos++
	src, err := p.qualifiedName()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	if paren && !p.acceptPunct(")") {
		return p.errorf("expected ')' %s", p.where())
	}
	if s := m.table(src.DB, src.Table); s != nil {
		c := s.clone()
		c.fks = nil // LIKE copies keys and checks, not foreign keys
		m.db(name.DB).tables[name.Table] = c
	} else {
		m.db(name.DB).tables[name.Table] = &modelTable{unknown: true}
	}
	return nil
}

// filledByQuery reports whether a query fills the table ([IGNORE|REPLACE]
// [AS] SELECT..., after the partitioning if any): its columns then come
// from the query's result. It consumes nothing.
func (p *modelParser) filledByQuery() bool {
	query := false
	for i := p.pos; i < len(p.toks); i++ {
		if t := p.toks[i]; t.depth == 0 && t.kind == tokWord && strings.EqualFold(t.text, "SELECT") {
			query = true
		}
	}
	save := p.pos
	if !p.accept("IGNORE") {
		p.accept("REPLACE")
	}
	p.accept("AS")
	if p.is("VALUES") || p.is("TABLE") || p.is("WITH") && !p.is("WITH", "SYSTEM") || p.isPunct("(") {
		query = true
	}
	p.pos = save
	return query
}

// columnKeys are the keys a column definition's PRIMARY KEY and UNIQUE
// attributes create.
func columnKeys(s *colSpec) []*indexSpec {
	var out []*indexSpec
	if s.primary {
		out = append(out, &indexSpec{kind: idxPrimary, name: "PRIMARY", parts: []indexPart{{col: s.name}}})
	}
	if s.unique {
		out = append(out, &indexSpec{kind: idxUnique, parts: []indexPart{{col: s.name}}})
	}
	return out
}

// checkConsistency catches keys over columns the table does not have.
func (t *modelTable) checkConsistency() error {
	for _, ix := range t.indexes {
		for _, part := range ix.parts {
			if part.col != "" {
				if _, c := t.column(part.col); c == nil {
					return fmt.Errorf("key %q names column %q, which the table does not have", ix.name, part.col)
				}
			}
		}
	}
	return nil
}

// nameChecks names the unnamed table-level checks as MariaDB does
// (make_unique_constraint_name): CONSTRAINT_n with the first n, counting
// on through the statement, that no check of the table has.
func (t *modelTable) nameChecks() {
	nr := 1
	for _, ch := range t.checks {
		if ch.name != "" {
			continue
		}
		for ; ; nr++ {
			name := "CONSTRAINT_" + strconv.Itoa(nr)
			if !slices.ContainsFunc(t.checks, func(c *modelCheck) bool { return strings.EqualFold(c.name, name) }) {
				ch.name = name
				nr++
				break
			}
		}
	}
}

// addIndexes adds keys as CREATE or ALTER TABLE does: the index a foreign
// key needs only when no other key starts with its columns, names for
// unnamed keys, primary key columns NOT NULL, then the server's order.
func (t *modelTable) addIndexes(specs []*indexSpec) {
	all := make([]*indexSpec, 0, len(t.indexes)+len(specs))
	for _, ix := range t.indexes {
		all = append(all, &indexSpec{kind: ix.kind, name: ix.name, parts: ix.parts, existing: ix, fk: ix.generated})
	}
	all = append(all, specs...)
	// The index a foreign key needs is dropped when another key starts
	// with its columns (MariaDB's foreign_key_prefix), comparing each key
	// with the ones before it.
	ignored := make([]bool, len(all))
	for i, k := range all {
		for j := 0; j < i; j++ {
			k2 := all[j]
			if ignored[j] || !fkPrefix(k, k2) {
				continue
			}
			if !k2.fk || k.fk && len(k.parts) < len(k2.parts) {
				ignored[i] = true
			} else {
				ignored[j] = true
			}
			break
		}
	}
	var kept []*indexSpec
	for i, ix := range all {
		if !ignored[i] {
			kept = append(kept, ix)
		}
	}
	var out []*modelIndex
	for _, ix := range kept {
		name := ix.name
		if ix.kind == idxPrimary {
			name = "PRIMARY"
		} else if name == "" && len(ix.parts) > 0 {
			name = uniqueKeyName(out, ix.parts[0].col)
		}
		if ix.ifNotExists && slices.ContainsFunc(out, func(o *modelIndex) bool { return strings.EqualFold(o.name, name) }) {
			continue
		}
		if ix.existing != nil {
			out = append(out, ix.existing)
			continue
		}
		mi := &modelIndex{name: name, kind: ix.kind, parts: ix.parts, added: true, hash: ix.hash, generated: ix.fk}
		out = append(out, mi)
	}
	t.indexes = out
	for _, ix := range t.indexes {
		for i, part := range ix.parts {
			_, c := t.column(part.col)
			if c == nil {
				continue
			}
			// Keys name columns as the table spells them, and a prefix as
			// long as the column is the whole column.
			ix.parts[i].col = c.name
			if part.prefix > 0 && (c.typ == "char" || c.typ == "varchar" || c.typ == "binary" || c.typ == "varbinary") &&
				part.prefix >= c.width {
				ix.parts[i].prefix = 0
			}
		}
	}
	for _, ix := range t.indexes {
		if ix.kind != idxPrimary {
			continue
		}
		for _, part := range ix.parts {
			if _, c := t.column(part.col); c != nil {
				c.nullable = false
				if c.def.kind == defNull {
					c.def = modelDefault{}
				}
			}
		}
	}
}

// longUnique reports whether a unique key is too long for a B-tree (a
// whole BLOB or TEXT column, or more than InnoDB's 3072 bytes), which
// MariaDB keeps as a hash of the columns instead.
func (t *modelTable) longUnique(parts []indexPart) bool {
	total := 0
	for _, part := range parts {
		_, c := t.column(part.col)
		if c == nil {
			continue
		}
		mb := charsetMaxLen(c.charset)
		switch {
		case (isTextType(c.typ) || isBlobType(c.typ) || c.json) && part.prefix == 0:
			return true
		case part.prefix > 0:
			total += part.prefix * mb
		case c.typ == "char" || c.typ == "varchar":
			total += c.width * mb
		case c.typ == "binary" || c.typ == "varbinary":
			total += c.width
		default:
			total += 8
		}
	}
	return total > 3072
}

// fkPrefix reports whether one of two keys is a foreign key's index whose
// columns start the other's (the shorter one when both are).
func fkPrefix(a, b *indexSpec) bool {
	switch {
	case a.fk:
		if b.fk && len(a.parts) > len(b.parts) {
			a, b = b, a
		}
	case b.fk:
		a, b = b, a
	default:
		return false
	}
	return prefixOf(a.parts, b.parts)
}

func prefixOf(a, b []indexPart) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i].col, b[i].col) {
			return false
		}
	}
	return true
}

func (t *modelTable) anyNullable(ix *modelIndex) bool {
	for _, p := range ix.parts {
		if _, c := t.column(p.col); c != nil && c.nullable {
			return true
		}
	}
	return false
}

// beginRebuild notes what the keys were like before a statement rebuilds
// the table (see endRebuild).
func (t *modelTable) beginRebuild() {
	for _, ix := range t.indexes {
		ix.nullBefore, ix.added = t.anyNullable(ix), false
	}
}

// endRebuild ends a statement that rebuilt the table (CREATE TABLE, ALTER
// TABLE, CREATE and DROP INDEX). A unique key is a long unique key (a
// hash) when it is new and declared USING HASH, or too long for a B-tree;
// the server turns other existing ones into B-trees. The server sorts the
// keys again only when the statement added one or made a key's column
// nullable; otherwise they keep their order, even where a column became
// NOT NULL (observed on MariaDB 10.11).
func (t *modelTable) endRebuild() {
	resort := false
	for _, ix := range t.indexes {
		if ix.added || !ix.nullBefore && t.anyNullable(ix) {
			resort = true
		}
		ix.longHash = ix.kind == idxUnique && (ix.hash && ix.added || t.longUnique(ix.parts))
		ix.hash = ix.hash && ix.added
		ix.added, ix.nullBefore = false, false
	}
	if resort {
		t.sortIndexes()
	}
}

// uniqueKeyName names an unnamed key after its first column: col, col_2,
// col_3... (MariaDB's make_unique_key_name).
func uniqueKeyName(existing []*modelIndex, col string) string {
	taken := func(n string) bool {
		return strings.EqualFold(n, "PRIMARY") || slices.ContainsFunc(existing, func(o *modelIndex) bool { return strings.EqualFold(o.name, n) })
	}
	if !taken(col) {
		return col
	}
	for i := 2; ; i++ {
		if n := col + "_" + strconv.Itoa(i); !taken(n) {
			return n
		}
	}
}

// sortIndexes orders keys as the server stores them (sort_keys): the
// primary key, unique keys without nullable columns, other unique keys,
// long unique keys, then the rest, full-text last; otherwise as written.
func (t *modelTable) sortIndexes() {
	null := map[*modelIndex]bool{}
	for _, ix := range t.indexes {
		null[ix] = t.anyNullable(ix)
	}
	rank := func(ix *modelIndex) [5]int {
		if ix.kind == idxPrimary || ix.kind == idxUnique {
			partial := 0
			for _, p := range ix.parts {
				if p.prefix > 0 {
					partial = 1
				}
			}
			return [5]int{0, boolInt(ix.longHash), boolInt(null[ix]), boolInt(ix.kind != idxPrimary), partial}
		}
		return [5]int{1, boolInt(ix.kind == idxFulltext), 0, 0, 0}
	}
	sort.SliceStable(t.indexes, func(i, j int) bool {
		a, b := rank(t.indexes[i]), rank(t.indexes[j])
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
}

// resolveColumn builds a column from its definition in table t.
func (m *Model) resolveColumn(t *modelTable, s *colSpec) *modelColumn {
	c := &modelColumn{name: s.name, typ: s.typ, width: s.width, decimals: s.decimals, hasDecimals: s.hasDecimals,
		unsigned: s.unsigned, zerofill: s.zerofill, fsp: s.fsp, values: s.values, autoInc: s.autoInc,
		onUpdate: s.onUpdate, onUpdateFSP: s.onUpdateFSP, generated: s.generated, invisible: s.invisible,
		noVersioning: s.noVersion, comment: s.comment}
	if c.typ == "json" {
		c.json = true // MySQL
	}
	if s.jsonAlias {
		c.charset, c.collation = "utf8mb4", "utf8mb4_bin"
	} else if isCharType(c.typ) || c.typ == "binary" || c.typ == "varbinary" || isBlobType(c.typ) {
		cs, coll := s.charset, s.collation
		if s.national && cs == "" {
			cs = "utf8mb3"
		}
		if isCharType(c.typ) || cs != "" || coll != "" {
			var inherit, inheritColl string
			if cs == "" && coll == "" || cs == "" && collationCharset(normCollation(coll)) == "" {
				inherit, inheritColl = t.charset, t.collation
			}
			c.charset, c.collation = m.resolveCharset(cs, coll, inherit, inheritColl)
			if s.binaryColl && c.charset != "binary" {
				c.collation = c.charset + "_bin"
			}
		}
		if c.charset == "binary" {
			// Character types in the binary character set are binary types.
			switch {
			case c.typ == "char":
				c.typ = "binary"
			case c.typ == "varchar":
				c.typ = "varbinary"
			case isTextType(c.typ):
				c.typ = strings.Replace(c.typ, "text", "blob", 1)
			}
		}
		if !isCharType(c.typ) {
			c.charset, c.collation = "", ""
		}
	}
	if s.textSize > 0 {
		c.typ = sizedBlobType(c.typ, s.textSize*charsetMaxLen(c.charset))
	}
	if (c.typ == "varchar" || c.typ == "varbinary") && c.width*charsetMaxLen(c.charset) > 65535 {
		// Without strict mode the server makes a too long VARCHAR a TEXT.
		c.typ = sizedBlobType(pick(c.typ == "varchar", "text", "blob"), c.width*charsetMaxLen(c.charset))
		c.width = 0
	}
	c.nullable = !s.notNull && !s.primary && !(s.autoInc && !s.null) && s.generated != "ROW START" && s.generated != "ROW END" &&
		!(m.legacyTimestamps && c.typ == "timestamp" && !s.null)
	switch {
	case s.def == nil:
		if c.nullable && !c.autoInc {
			c.def = modelDefault{kind: defNull}
		}
	case s.def.kind == defLiteral:
		c.def = m.literalDefault(c, s.def.lit)
	case s.def.kind == defNow:
		c.def = modelDefault{kind: defNow, fsp: s.def.fsp}
	case s.def.kind == defExpr:
		c.def = modelDefault{kind: defExpr, value: s.def.expr}
	default:
		c.def = modelDefault{kind: defNull}
	}
	switch {
	case s.check != nil:
		ch := *s.check
		ch.name = c.name
		c.check = &ch
	case s.jsonAlias:
		c.check = &modelCheck{name: c.name, json: c.name, refs: []string{c.name}}
	}
	return c
}

// implicitTimestampDefaults gives the TIMESTAMP columns a statement
// defines without DEFAULT the defaults explicit_defaults_for_timestamp=OFF
// implies (promote_first_timestamp_column): the table's first TIMESTAMP
// column, when NOT NULL without ON UPDATE, defaults to and is updated with
// CURRENT_TIMESTAMP; other NOT NULL ones default to the zero value.
func (m *Model) implicitTimestampDefaults(cols []*modelColumn, specs map[*modelColumn]*colSpec) {
	if !m.legacyTimestamps {
		return
	}
	first := true
	for _, c := range cols {
		if c.typ != "timestamp" {
			continue
		}
		if s := specs[c]; s != nil && s.def == nil && !c.nullable && c.generated == "" {
			if first && !s.onUpdate {
				c.def = modelDefault{kind: defNow, fsp: c.fsp}
				c.onUpdate, c.onUpdateFSP = true, c.fsp
			} else {
				c.def = modelDefault{kind: defLiteral, value: "0000-00-00 00:00:00" + fractionPart("", c.fsp), quoted: true}
			}
		}
		first = false
	}
}

// sizedBlobType is the TEXT or BLOB type that holds n bytes.
func sizedBlobType(typ string, n int) string {
	base := "text"
	if isBlobType(typ) {
		base = "blob"
	}
	switch {
	case n < 256:
		return "tiny" + base
	case n < 65536:
		return base
	case n < 1<<24:
		return "medium" + base
	}
	return "long" + base
}

// blobBytes is the most bytes a TEXT or BLOB type holds.
func blobBytes(typ string) int {
	switch {
	case strings.HasPrefix(typ, "tiny"):
		return 255
	case strings.HasPrefix(typ, "medium"):
		return 1<<24 - 1
	case strings.HasPrefix(typ, "long"):
		return 1<<32 - 1
	}
	return 65535
}

// CREATE INDEX / DROP INDEX.

func (p *modelParser) createIndex() error {
	p.accept("ONLINE")
	p.accept("OFFLINE")
	kind := idxPlain
	switch {
	case p.accept("UNIQUE"):
		kind = idxUnique
	case p.accept("FULLTEXT"):
		kind = idxFulltext
	case p.accept("SPATIAL"):
		kind = idxSpatial
	}
	if !p.accept("INDEX") && !p.accept("KEY") {
		return p.errorf("expected INDEX %s", p.where())
	}
	ifNotExists := p.accept("IF", "NOT", "EXISTS")
	name, err := p.ident()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	ix := &indexSpec{kind: kind, name: name, ifNotExists: ifNotExists}
	if err := p.indexOptions(ix); err != nil {
		return err
	}
	if err := p.expect("ON"); err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	tn, err := p.qualifiedName()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	if ix.parts, err = p.keyParts(); err != nil {
		return err
	}
	if err := p.indexOptions(ix); err != nil {
		return err
	}
	if strings.EqualFold(name, "PRIMARY") {
		ix.kind = idxPrimary
	}
	if err := p.trailingLockOptions(); err != nil {
		return err
	}
	p.rebuild(tn, func(c *modelTable) { c.addIndexes([]*indexSpec{ix}) })
	return nil
}

// rebuild replaces a known table with a copy that edit changed (the
// server rebuilds the table's keys after an index statement); tables the
// model does not know are left alone.
func (p *modelParser) rebuild(tn TableName, edit func(c *modelTable)) {
	t := p.model.table(tn.DB, tn.Table)
	if t == nil || t.unknown {
		return
	}
	c := t.clone()
	c.beginRebuild()
	edit(c)
	c.endRebuild()
	p.model.dbs[tn.DB].tables[tn.Table] = c
}

// trailingLockOptions reads ALGORITHM=x, LOCK=x, WAIT n, NOWAIT at the end
// of CREATE/DROP INDEX.
func (p *modelParser) trailingLockOptions() error {
	for !p.atEnd() {
		switch {
		case p.accept("ALGORITHM"), p.accept("LOCK"):
			if err := p.optionValue(); err != nil {
				return err
			}
		case p.accept("WAIT"):
			p.pos++
		case p.accept("NOWAIT"):
		default:
			return p.errorf("unexpected %s", p.where())
		}
	}
	return nil
}

func (p *modelParser) dropIndex() error {
	p.pos++ // DROP
	p.accept("ONLINE")
	p.accept("OFFLINE")
	if !p.accept("INDEX") && !p.accept("KEY") {
		return p.errorf("expected INDEX %s", p.where())
	}
	p.accept("IF", "EXISTS")
	name, err := p.ident()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	if err := p.expect("ON"); err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	tn, err := p.qualifiedName()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	if err := p.trailingLockOptions(); err != nil {
		return err
	}
	p.rebuild(tn, func(c *modelTable) {
		if i := c.index(name); i >= 0 {
			c.indexes = slices.Delete(c.indexes, i, i+1)
		}
	})
	return nil
}

// ALTER TABLE.

type alterKind uint8

const (
	alterAddColumn alterKind = iota + 1
	alterDropColumn
	alterModifyColumn // also CHANGE
	alterRenameColumn
	alterSetDefault
	alterDropDefault
	alterVisibility
	alterAddIndex
	alterAddCheck
	alterDropIndex      // DROP INDEX/KEY name, DROP PRIMARY KEY
	alterDropConstraint // DROP CONSTRAINT/CHECK name
	alterDropForeignKey
	alterRenameIndex
	alterRenameTable
	alterConvert
	alterOptions
	alterVersioning
	alterPartitionToTable
	alterTableToPartition
)

type alterOp struct {
	kind        alterKind
	col         *colSpec
	name        string // the column, index or constraint the clause names
	newName     string
	ifExists    bool
	ifNotExists bool
	first       bool
	after       string
	index       *indexSpec
	fkName      string
	check       *modelCheck
	def         *defSpec
	invisible   bool
	opts        tableOptions
	to          TableName
	versioned   bool
}

func (p *modelParser) alterTable() error {
	m := p.model
	p.pos++ // ALTER
	p.accept("ONLINE")
	p.accept("OFFLINE")
	p.accept("IGNORE")
	if err := p.expect("TABLE"); err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	p.accept("IF", "EXISTS")
	name, err := p.qualifiedName()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnparseable, err)
	}
	if p.accept("WAIT") {
		p.pos++
	}
	p.accept("NOWAIT")
	var ops []*alterOp
	for !p.atEnd() {
		if p.isPartitionClause() {
			// Partitioning and partition maintenance change no column
			// (EXCHANGE swaps rows with a table of the same structure),
			// and they end the statement.
			break
		}
		clauseOps, err := p.alterClause()
		if err != nil {
			return err
		}
		ops = append(ops, clauseOps...)
		// Table options may follow each other without commas.
		p.acceptPunct(",")
	}
	t := m.table(name.DB, name.Table)
	cur, curName := t, name
	var diverged error
	rebuild := slices.ContainsFunc(ops, func(op *alterOp) bool { return op.kind != alterRenameTable })
	if t != nil && !t.unknown {
		cur = t.clone()
		cur.beginRebuild()
	}
	if cur != nil && !cur.unknown && rebuild {
		diverged = m.alterColumns(cur, ops)
	}
	for _, op := range ops {
		switch op.kind {
		case alterRenameTable:
			if cur != nil {
				delete(m.dbs[curName.DB].tables, curName.Table)
			} else {
				cur = &modelTable{unknown: true}
			}
			curName = op.to
			m.db(curName.DB).tables[curName.Table] = cur
		case alterPartitionToTable:
			nt := &modelTable{unknown: true}
			if cur != nil && !cur.unknown && diverged == nil {
				nt = cur.clone()
			}
			m.db(op.to.DB).tables[op.to.Table] = nt
		case alterTableToPartition:
			m.DropTable(op.to.DB, op.to.Table)
		}
	}
	if cur != nil && !cur.unknown {
		if diverged == nil && rebuild {
			cur.endRebuild()
			if err := cur.checkConsistency(); err != nil {
				diverged = err
			}
		}
		if diverged != nil {
			cur = &modelTable{unknown: true}
		}
		m.db(curName.DB).tables[curName.Table] = cur
	}
	if diverged != nil {
		return fmt.Errorf("%w: ALTER TABLE %s: %v; the model no longer describes the table", ErrDiverged, name, diverged)
	}
	return nil
}

// alterClause reads one clause of ALTER TABLE; nil for clauses without
// effect on the structure.
func (p *modelParser) alterClause() ([]*alterOp, error) {
	p.pending = nil
	op, err := p.alterClauseOne()
	if err != nil || op == nil {
		return nil, err
	}
	return append([]*alterOp{op}, p.pending...), nil
}

func (p *modelParser) alterClauseOne() (*alterOp, error) {
	at := p.where()
	t := p.peek(0)
	if t.kind != tokWord {
		return nil, p.errorf("unexpected %s", at)
	}
	switch {
	case p.accept("ADD"):
		return p.alterAdd(at)
	case p.accept("DROP"):
		return p.alterDrop()
	case p.accept("MODIFY"), p.accept("CHANGE"):
		change := strings.EqualFold(t.text, "CHANGE")
		p.accept("COLUMN")
		op := &alterOp{kind: alterModifyColumn, ifExists: p.accept("IF", "EXISTS")}
		if change {
			n, err := p.ident()
			if err != nil {
				return nil, wrapUnparseable(err)
			}
			op.name = n
		}
		s, err := p.columnSpec(p.clauseEnd)
		if err != nil {
			return nil, err
		}
		op.col = s
		if !change {
			op.name = s.name
		}
		return op, p.position(op)
	case p.accept("RENAME"):
		switch {
		case p.accept("COLUMN"):
			op := &alterOp{kind: alterRenameColumn, ifExists: p.accept("IF", "EXISTS")}
			var err error
			if op.name, err = p.ident(); err == nil {
				if err = p.expect("TO"); err == nil {
					op.newName, err = p.ident()
				}
			}
			return op, wrapUnparseable(err)
		case p.accept("INDEX"), p.accept("KEY"):
			op := &alterOp{kind: alterRenameIndex, ifExists: p.accept("IF", "EXISTS")}
			var err error
			if op.name, err = p.ident(); err == nil {
				if err = p.expect("TO"); err == nil {
					op.newName, err = p.ident()
				}
			}
			return op, wrapUnparseable(err)
		}
		if !p.accept("TO") {
			p.accept("AS")
		}
		to, err := p.qualifiedName()
		return &alterOp{kind: alterRenameTable, to: to}, wrapUnparseable(err)
	case p.accept("ALTER"):
		return p.alterColumnClause()
	case p.accept("CONVERT"):
		return p.alterConvert(at)
	case p.accept("ALGORITHM"), p.accept("LOCK"):
		return nil, p.optionValue()
	case p.accept("FORCE"), p.accept("ENABLE", "KEYS"), p.accept("DISABLE", "KEYS"),
		p.accept("DISCARD", "TABLESPACE"), p.accept("IMPORT", "TABLESPACE"),
		p.accept("WITH", "VALIDATION"), p.accept("WITHOUT", "VALIDATION"):
		return nil, nil
	case p.accept("ORDER", "BY"):
		for {
			if _, err := p.ident(); err != nil {
				return nil, wrapUnparseable(err)
			}
			p.accept("ASC")
			p.accept("DESC")
			// A comma goes on with another column unless a clause follows.
			if !p.isPunct(",") || p.peek(1) == nil || p.peek(1).kind == tokWord && alterVerbs[strings.ToUpper(p.peek(1).text)] {
				return nil, nil
			}
			p.pos++
		}
	}
	op := &alterOp{kind: alterOptions}
	ok, err := p.tableOption(&op.opts)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errorf("unknown ALTER TABLE clause %s", at)
	}
	return op, nil
}

// alterAdd reads the rest of an ALTER TABLE clause ADD.
func (p *modelParser) alterAdd(at string) (*alterOp, error) {
	if p.accept("SYSTEM", "VERSIONING") {
		return &alterOp{kind: alterVersioning, versioned: true}, nil
	}
	if p.is("PERIOD", "FOR") {
		p.pos += 2
		p.accept("IF", "NOT", "EXISTS")
		p.word()
		_, _, err := p.group()
		return nil, err
	}
	column := p.accept("COLUMN")
	ifNotExists := p.accept("IF", "NOT", "EXISTS")
	if p.isPunct("(") {
		// ADD [COLUMN] (def, def...)
		open, end, err := p.group()
		if err != nil {
			return nil, err
		}
		if open == end {
			return nil, p.errorf("ADD without columns %s", at)
		}
		in := p.sub(open, end)
		var specs []*colSpec
		base := in.toks[0].depth
		for !in.atEnd() {
			if el, err := in.tableElement(); err != nil || el != nil {
				if err == nil {
					err = p.errorf("a key in ADD COLUMN's list %s", in.where())
				}
				return nil, err
			}
			s, err := in.columnSpec(func() bool {
				t := in.peek(0)
				return t == nil || t.kind == tokPunct && t.text == "," && t.depth == base
			})
			if err != nil {
				return nil, err
			}
			specs = append(specs, s)
			in.acceptPunct(",")
		}
		if len(specs) == 0 {
			return nil, p.errorf("ADD without columns %s", at)
		}
		for _, s := range specs[1:] {
			p.pending = append(p.pending, &alterOp{kind: alterAddColumn, ifNotExists: ifNotExists, col: s})
		}
		op := &alterOp{kind: alterAddColumn, ifNotExists: ifNotExists, col: specs[0]}
		return op, nil
	}
	if !column {
		el, err := p.tableElement()
		if err != nil {
			return nil, err
		}
		if el != nil {
			switch {
			case el.index != nil:
				el.index.ifNotExists = el.index.ifNotExists || ifNotExists
				return &alterOp{kind: alterAddIndex, index: el.index, fkName: el.fkName}, nil
			case el.check != nil:
				return &alterOp{kind: alterAddCheck, check: el.check, ifNotExists: el.ifNotExists}, nil
			}
			return nil, nil
		}
	}
	s, err := p.columnSpec(p.clauseEnd)
	if err != nil {
		return nil, err
	}
	op := &alterOp{kind: alterAddColumn, col: s, ifNotExists: ifNotExists}
	return op, p.position(op)
}

// alterDrop reads the rest of an ALTER TABLE clause DROP.
func (p *modelParser) alterDrop() (*alterOp, error) {
	switch {
	case p.accept("SYSTEM", "VERSIONING"):
		return &alterOp{kind: alterVersioning}, nil
	case p.accept("PERIOD", "FOR"):
		p.word()
		return nil, nil
	case p.accept("PRIMARY", "KEY"):
		return &alterOp{kind: alterDropIndex, name: "PRIMARY"}, nil
	case p.accept("INDEX"), p.accept("KEY"):
		op := &alterOp{kind: alterDropIndex, ifExists: p.accept("IF", "EXISTS")}
		n, err := p.ident()
		op.name = n
		return op, wrapUnparseable(err)
	case p.accept("FOREIGN", "KEY"):
		op := &alterOp{kind: alterDropForeignKey, ifExists: p.accept("IF", "EXISTS")}
		n, err := p.ident()
		op.name = n
		return op, wrapUnparseable(err)
	case p.accept("CONSTRAINT"), p.accept("CHECK"):
		op := &alterOp{kind: alterDropConstraint, ifExists: p.accept("IF", "EXISTS")}
		n, err := p.ident()
		op.name = n
		return op, wrapUnparseable(err)
	}
	p.accept("COLUMN")
	op := &alterOp{kind: alterDropColumn, ifExists: p.accept("IF", "EXISTS")}
	n, err := p.ident()
	op.name = n
	if err == nil {
		p.accept("RESTRICT")
		p.accept("CASCADE")
	}
	return op, wrapUnparseable(err)
}

// alterColumnClause reads the rest of an ALTER TABLE clause ALTER: of a
// column (ALTER [COLUMN] c ...) or of an index (ALTER INDEX/KEY ...).
func (p *modelParser) alterColumnClause() (*alterOp, error) {
	if p.accept("INDEX") || p.accept("KEY") {
		if _, err := p.ident(); err != nil {
			return nil, wrapUnparseable(err)
		}
		switch {
		case p.accept("VISIBLE"), p.accept("INVISIBLE"), p.accept("IGNORED"), p.accept("NOT", "IGNORED"):
			return nil, nil
		}
		return nil, p.errorf("unknown ALTER INDEX clause %s", p.where())
	}
	if p.accept("CHECK") || p.accept("CONSTRAINT") {
		if _, err := p.ident(); err != nil {
			return nil, wrapUnparseable(err)
		}
		p.accept("NOT")
		if err := p.expect("ENFORCED"); err != nil {
			return nil, wrapUnparseable(err)
		}
		return nil, nil
	}
	p.accept("COLUMN")
	op := &alterOp{ifExists: p.accept("IF", "EXISTS")}
	n, err := p.ident()
	if err != nil {
		return nil, wrapUnparseable(err)
	}
	op.name = n
	switch {
	case p.accept("SET", "DEFAULT"):
		op.kind = alterSetDefault
		op.def, err = p.defaultValue()
		return op, err
	case p.accept("DROP", "DEFAULT"):
		op.kind = alterDropDefault
	case p.accept("SET", "VISIBLE"):
		op.kind = alterVisibility
	case p.accept("SET", "INVISIBLE"):
		op.kind, op.invisible = alterVisibility, true
	default:
		return nil, p.errorf("unknown ALTER COLUMN clause %s", p.where())
	}
	return op, nil
}

// alterConvert reads the rest of an ALTER TABLE clause CONVERT.
func (p *modelParser) alterConvert(at string) (*alterOp, error) {
	if p.accept("PARTITION") {
		// CONVERT PARTITION p TO TABLE t: a new table of this structure.
		p.word()
		if err := p.expect("TO", "TABLE"); err != nil {
			return nil, wrapUnparseable(err)
		}
		to, err := p.qualifiedName()
		return &alterOp{kind: alterPartitionToTable, to: to}, wrapUnparseable(err)
	}
	if p.accept("TABLE") {
		// CONVERT TABLE t TO PARTITION p ...: t becomes a partition.
		from, err := p.qualifiedName()
		if err != nil {
			return nil, wrapUnparseable(err)
		}
		p.pos = len(p.toks)
		return &alterOp{kind: alterTableToPartition, to: from}, nil
	}
	if err := p.expect("TO"); err != nil {
		return nil, wrapUnparseable(err)
	}
	op := &alterOp{kind: alterConvert}
	ok, err := p.tableOption(&op.opts)
	if err != nil {
		return nil, err
	}
	if !ok || op.opts.charset == "" {
		return nil, p.errorf("expected CHARACTER SET after CONVERT TO %s", at)
	}
	for p.is("COLLATE") || p.is("DEFAULT", "COLLATE") {
		if _, err := p.tableOption(&op.opts); err != nil {
			return nil, err
		}
	}
	return op, nil
}

// alterVerbs start ALTER TABLE clauses.
var alterVerbs = map[string]bool{
	"ADD": true, "DROP": true, "MODIFY": true, "CHANGE": true, "ALTER": true, "RENAME": true, "CONVERT": true,
	"ALGORITHM": true, "LOCK": true, "FORCE": true, "ORDER": true, "ENABLE": true, "DISABLE": true,
	"DISCARD": true, "IMPORT": true, "WITH": true, "WITHOUT": true, "DEFAULT": true, "CHARACTER": true,
	"CHARSET": true, "COLLATE": true, "ENGINE": true, "COMMENT": true, "AUTO_INCREMENT": true,
}

func wrapUnparseable(err error) error {
	if err == nil || errors.Is(err, ErrUnparseable) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrUnparseable, err)
}

// clauseEnd: the end of an ALTER TABLE clause.
func (p *modelParser) clauseEnd() bool {
	t := p.peek(0)
	return t == nil || t.kind == tokPunct && (t.text == "," || t.text == ";") && t.depth == 0
}

// position reads FIRST or AFTER col after a column definition.
func (p *modelParser) position(op *alterOp) error {
	switch {
	case p.accept("FIRST"):
		op.first = true
	case p.accept("AFTER"):
		n, err := p.ident()
		if err != nil {
			return wrapUnparseable(err)
		}
		op.after = n
	}
	if !p.clauseEnd() {
		return p.errorf("unexpected %s", p.where())
	}
	return nil
}

// alterColumns applies the clauses of one ALTER TABLE to t as the server
// does (mysql_prepare_alter_table): DROP, CHANGE, MODIFY, RENAME COLUMN
// and ALTER COLUMN name the table's columns as they were before the
// statement (so that two columns can swap names); the old columns keep
// their order, and then ADDs and repositioned columns are placed in the
// order written, FIRST or AFTER a column of the new table. Then keys:
// dropped and renamed ones first, added ones after. An error means the
// statement does not fit t.
func (m *Model) alterColumns(t *modelTable, ops []*alterOp) error {
	// Table-level character set first: new columns inherit it.
	convert := m.alterTableCharset(t, ops)
	e, err := t.columnEdits(ops)
	if err != nil {
		return err
	}
	defined := map[*modelColumn]*colSpec{} // the columns the statement defines
	cols := m.keptColumns(t, e, convert, defined)
	if cols, err = m.placeColumns(t, ops, cols, defined); err != nil {
		return err
	}
	m.implicitTimestampDefaults(cols, defined)
	if convert != nil {
		// CONVERT TO gives its character set to the new and changed
		// columns as well, whatever they declare.
		cs, coll := m.resolveCharset(convert.charset, convert.collation, "", "")
		for _, c := range cols {
			if isCharType(c.typ) && c.charset != "binary" && c.charset != cs && !slices.ContainsFunc(t.columns, func(o *modelColumn) bool { return o == c }) {
				c.charset, c.collation = cs, coll
			}
		}
	}
	t.columns = cols
	if !t.versioned {
		// The row start and end columns go with the versioning.
		t.columns = slices.DeleteFunc(t.columns, func(c *modelColumn) bool {
			return c.generated == "ROW START" || c.generated == "ROW END"
		})
	}
	t.followRenames(ops, e, cols)
	if err := t.dropKeys(ops); err != nil {
		return err
	}
	return t.addKeys(ops)
}

// alterTableCharset applies the table options, character set and
// versioning clauses of an ALTER TABLE, and returns its CONVERT TO
// CHARACTER SET, if any.
func (m *Model) alterTableCharset(t *modelTable, ops []*alterOp) *tableOptions {
	var convert *tableOptions
	for _, op := range ops {
		switch op.kind {
		case alterOptions:
			if op.opts.charset != "" || op.opts.collation != "" {
				cs, coll := op.opts.charset, op.opts.collation
				inherit := ""
				if cs == "" && collationCharset(normCollation(coll)) == "" {
					inherit = t.charset
				}
				t.charset, t.collation = m.resolveCharset(cs, coll, inherit, "")
			}
			if op.opts.versioned {
				t.versioned = true
			}
			if op.opts.comment != nil {
				t.comment = op.opts.comment
			}
		case alterConvert:
			if !strings.EqualFold(op.opts.charset, "DEFAULT") {
				o := op.opts
				convert = &o
				t.charset, t.collation = m.resolveCharset(o.charset, o.collation, "", "")
			}
		case alterVersioning:
			t.versioned = op.versioned
		}
	}
	return convert
}

// columnEdit is what an ALTER TABLE does to the table's existing columns,
// by lower-cased name.
type columnEdit struct {
	dropped map[string]bool
	changed map[string]*alterOp
	renamed map[string]string // old name -> new name, for keys and checks
	altered map[string][]*alterOp
}

// rename is a column's name after the statement.
func (e *columnEdit) rename(name string) string {
	if n, ok := e.renamed[strings.ToLower(name)]; ok {
		return n
	}
	return name
}

// columnEdits collects the drops, changes, renames and ALTER COLUMNs of
// existing columns; one of a column the table does not have is an error
// unless it says IF EXISTS.
func (t *modelTable) columnEdits(ops []*alterOp) (*columnEdit, error) {
	key := strings.ToLower
	e := &columnEdit{dropped: map[string]bool{}, changed: map[string]*alterOp{}, renamed: map[string]string{},
		altered: map[string][]*alterOp{}}
	for _, op := range ops {
		switch op.kind {
		case alterDropColumn, alterModifyColumn, alterRenameColumn, alterSetDefault, alterDropDefault, alterVisibility:
		default:
			continue
		}
		if _, c := t.column(op.name); c == nil {
			if !op.ifExists {
				return nil, fmt.Errorf("column %q does not exist", op.name)
			}
			if op.kind == alterModifyColumn {
				op.kind = 0 // nothing to do
			}
			continue
		}
		switch op.kind {
		case alterDropColumn:
			e.dropped[key(op.name)] = true
		case alterModifyColumn:
			e.changed[key(op.name)] = op
			e.renamed[key(op.name)] = op.col.name
		case alterRenameColumn:
			e.renamed[key(op.name)] = op.newName
		default:
			e.altered[key(op.name)] = append(e.altered[key(op.name)], op)
		}
	}
	return e, nil
}

// keptColumns are the table's columns that stay where they are, renamed,
// converted and altered; a column changed in place is there in its new
// definition.
func (m *Model) keptColumns(t *modelTable, e *columnEdit, convert *tableOptions, defined map[*modelColumn]*colSpec) []*modelColumn {
	var cols []*modelColumn
	for _, old := range t.columns {
		k := strings.ToLower(old.name)
		if e.dropped[k] {
			continue
		}
		if op := e.changed[k]; op != nil {
			if !op.first && op.after == "" {
				c := m.resolveColumn(t, op.col)
				defined[c] = op.col
				cols = append(cols, c)
			}
			continue
		}
		c := old
		if n, ok := e.renamed[k]; ok {
			c.name = n
			if c.check != nil {
				c.check.name = n
			}
		}
		if convert != nil {
			m.convertColumn(c, *convert)
		}
		for _, op := range e.altered[k] {
			switch op.kind {
			case alterVisibility:
				c.invisible = op.invisible
			case alterDropDefault:
				// A nullable column still defaults to NULL.
				c.def = modelDefault{}
				if c.nullable {
					c.def.kind = defNull
				}
			default:
				c.def = m.columnDefault(c, op.def)
			}
		}
		cols = append(cols, c)
	}
	return cols
}

// columnIndex is the position of the column named name in cols, or -1.
func columnIndex(cols []*modelColumn, name string) int {
	return slices.IndexFunc(cols, func(c *modelColumn) bool { return strings.EqualFold(c.name, name) })
}

// placeColumns adds the new columns and those changed with FIRST or AFTER
// where they go, and checks that no name is there twice.
func (m *Model) placeColumns(t *modelTable, ops []*alterOp, cols []*modelColumn, defined map[*modelColumn]*colSpec) ([]*modelColumn, error) {
	for _, op := range ops {
		var c *modelColumn
		switch {
		case op.kind == alterAddColumn:
			if columnIndex(cols, op.col.name) >= 0 {
				if op.ifNotExists {
					op.kind = 0
					continue
				}
				return nil, fmt.Errorf("column %q already exists", op.col.name)
			}
			c = m.resolveColumn(t, op.col)
		case op.kind == alterModifyColumn && (op.first || op.after != ""):
			c = m.resolveColumn(t, op.col)
		default:
			continue
		}
		defined[c] = op.col
		switch {
		case op.first:
			cols = slices.Insert(cols, 0, c)
		case op.after != "":
			i := columnIndex(cols, op.after)
			if i < 0 {
				return nil, fmt.Errorf("column %q (AFTER) does not exist", op.after)
			}
			cols = slices.Insert(cols, i+1, c)
		default:
			cols = append(cols, c)
		}
	}
	for i, c := range cols {
		for _, d := range cols[:i] {
			if strings.EqualFold(c.name, d.name) {
				return nil, fmt.Errorf("column %q would be there twice", c.name)
			}
		}
	}
	return cols, nil
}

// followRenames makes the old table's keys and checks follow the renamed
// columns. A key loses the columns the new table (cols) does not have (a
// key on a column dropped and added again in the statement keeps it), and
// goes when it has none left; a check on a dropped column goes.
func (t *modelTable) followRenames(ops []*alterOp, e *columnEdit, cols []*modelColumn) {
	for _, ix := range t.indexes {
		parts := ix.parts[:0:0]
		for _, p := range ix.parts {
			p.col = e.rename(p.col)
			if columnIndex(cols, p.col) >= 0 {
				parts = append(parts, p)
			}
		}
		ix.parts = parts
	}
	t.indexes = slices.DeleteFunc(t.indexes, func(ix *modelIndex) bool { return len(ix.parts) == 0 })
	t.checks = slices.DeleteFunc(t.checks, func(ch *modelCheck) bool {
		return slices.ContainsFunc(ch.refs, func(r string) bool { return e.dropped[strings.ToLower(r)] })
	})
	renameCheck := func(ch *modelCheck) {
		if ch.json != "" {
			ch.json = e.rename(ch.json)
		}
		for i := range ch.refs {
			ch.refs[i] = e.rename(ch.refs[i])
		}
	}
	for _, ch := range t.checks {
		renameCheck(ch)
	}
	for _, c := range t.columns {
		if c.check != nil && !slices.ContainsFunc(ops, func(op *alterOp) bool {
			return op.col != nil && (op.kind == alterAddColumn || op.kind == alterModifyColumn) && strings.EqualFold(op.col.name, c.name)
		}) {
			renameCheck(c.check)
		}
	}
}

// dropKeys applies the dropped and renamed keys and constraints, which
// come before the added ones.
func (t *modelTable) dropKeys(ops []*alterOp) error {
	for _, op := range ops {
		switch op.kind {
		case alterDropIndex:
			i := t.index(op.name)
			if i < 0 {
				if strings.EqualFold(op.name, "PRIMARY") && !op.ifExists {
					return errors.New("the table has no primary key")
				}
				// An index the model may not know by name (one a foreign
				// key added): only unique keys matter to the model.
				continue
			}
			t.indexes = slices.Delete(t.indexes, i, i+1)
		case alterRenameIndex:
			if i := t.index(op.name); i >= 0 {
				t.indexes[i].name = op.newName
			}
		case alterDropForeignKey:
			if i := slices.IndexFunc(t.fks, func(n string) bool { return strings.EqualFold(n, op.name) }); i >= 0 {
				t.fks = slices.Delete(t.fks, i, i+1)
			}
		case alterDropConstraint:
			// A check constraint, else a unique key or foreign key.
			if i := slices.IndexFunc(t.checks, func(c *modelCheck) bool { return strings.EqualFold(c.name, op.name) }); i >= 0 {
				t.checks = slices.Delete(t.checks, i, i+1)
			} else if i := t.index(op.name); i >= 0 && t.indexes[i].kind == idxUnique {
				t.indexes = slices.Delete(t.indexes, i, i+1)
			} else if i := slices.IndexFunc(t.fks, func(n string) bool { return strings.EqualFold(n, op.name) }); i >= 0 {
				t.fks = slices.Delete(t.fks, i, i+1)
			}
		}
	}
	return nil
}

// addKeys adds the keys, foreign keys and checks the statement declares,
// those of column definitions included.
func (t *modelTable) addKeys(ops []*alterOp) error {
	var specs []*indexSpec
	for _, op := range ops {
		switch op.kind {
		case alterAddColumn, alterModifyColumn:
			specs = append(specs, columnKeys(op.col)...)
		case alterAddIndex:
			ix := op.index
			if ix.kind == idxPrimary && (t.primary() != nil || slices.ContainsFunc(specs, func(s *indexSpec) bool { return s.kind == idxPrimary })) {
				return errors.New("the table already has a primary key")
			}
			if ix.ifNotExists && ix.name != "" && t.index(ix.name) >= 0 {
				continue
			}
			if ix.fk {
				t.fks = append(t.fks, op.fkName)
			}
			specs = append(specs, ix)
		case alterAddCheck:
			if op.check.name != "" && slices.ContainsFunc(t.checks, func(c *modelCheck) bool { return strings.EqualFold(c.name, op.check.name) }) {
				if op.ifNotExists {
					continue
				}
				return fmt.Errorf("constraint %q already exists", op.check.name)
			}
			t.checks = append(t.checks, op.check)
		}
	}
	t.nameChecks()
	t.addIndexes(specs)
	return nil
}

// columnDefault is the default a SET DEFAULT gives column c.
func (m *Model) columnDefault(c *modelColumn, d *defSpec) modelDefault {
	switch d.kind {
	case defLiteral:
		return m.literalDefault(c, d.lit)
	case defNow:
		return modelDefault{kind: defNow, fsp: d.fsp}
	case defExpr:
		return modelDefault{kind: defExpr, value: d.expr}
	}
	return modelDefault{kind: defNull}
}

// convertColumn is CONVERT TO CHARACTER SET for one column of the table: a
// character column takes the character set, and a TEXT type grows when
// the characters it holds need more bytes in it.
func (m *Model) convertColumn(c *modelColumn, o tableOptions) {
	if !isCharType(c.typ) {
		return
	}
	cs, coll := m.resolveCharset(o.charset, o.collation, "", "")
	if isTextType(c.typ) {
		chars := blobBytes(c.typ) / charsetMaxLen(c.charset)
		if n := sizedBlobType(c.typ, chars*charsetMaxLen(cs)); blobBytes(n) > blobBytes(c.typ) {
			c.typ = n
		}
	}
	c.charset, c.collation = cs, coll
	if cs == "binary" {
		switch {
		case c.typ == "char":
			c.typ, c.charset, c.collation = "binary", "", ""
		case c.typ == "varchar":
			c.typ, c.charset, c.collation = "varbinary", "", ""
		case isTextType(c.typ):
			c.typ, c.charset, c.collation = strings.Replace(c.typ, "text", "blob", 1), "", ""
		}
	}
}

// Literal defaults.

// literalDefault converts a constant to the column's type and prints it as
// the server does in information_schema.COLUMNS.COLUMN_DEFAULT.
func (m *Model) literalDefault(c *modelColumn, lit literal) modelDefault {
	quoted := func(s string) modelDefault { return modelDefault{kind: defLiteral, value: s, quoted: true} }
	bare := func(s string) modelDefault { return modelDefault{kind: defLiteral, value: s} }
	switch {
	case isIntType(c.typ):
		n := roundHalfAway(lit.rat(), 0)
		return bare(clampInt(n, c).String())
	case c.typ == "decimal":
		return bare(formatDecimal(lit.rat(), c.decimals))
	case c.typ == "float" || c.typ == "double":
		f, _ := lit.rat().Float64()
		if c.typ == "float" {
			f = float64(float32(f))
		}
		if c.hasDecimals {
			return bare(strconv.FormatFloat(f, 'f', c.decimals, 64))
		}
		return bare(formatServerFloat(f, c.typ == "float"))
	case c.typ == "bit":
		n := lit.unsigned()
		return bare("b'" + n.Text(2) + "'")
	case c.typ == "year":
		return bare(yearDefault(lit, c.width))
	case c.typ == "date" || c.typ == "datetime" || c.typ == "timestamp":
		return quoted(datetimeDefault(lit, c.typ, c.fsp))
	case c.typ == "time":
		return quoted(timeDefault(lit, c.fsp))
	case c.typ == "enum":
		s := lit.str()
		for _, v := range c.values {
			if strings.EqualFold(v, strings.TrimRight(s, " ")) {
				return quoted(v)
			}
		}
		if lit.kind == litNumber {
			if n, err := strconv.Atoi(lit.text); err == nil && n >= 1 && n <= len(c.values) {
				return quoted(c.values[n-1])
			}
		}
		return quoted(s)
	case c.typ == "set":
		var picked []string
		for _, part := range strings.Split(lit.str(), ",") {
			for _, v := range c.values {
				if strings.EqualFold(v, strings.TrimRight(part, " ")) && !slices.Contains(picked, v) {
					picked = append(picked, v)
				}
			}
		}
		var inOrder []string
		for _, v := range c.values {
			if slices.Contains(picked, v) {
				inOrder = append(inOrder, v)
			}
		}
		return quoted(strings.Join(inOrder, ","))
	case c.typ == "char":
		return quoted(strings.TrimRight(lit.str(), " "))
	case c.typ == "binary":
		s := lit.str()
		if len(s) < c.width {
			s += strings.Repeat("\x00", c.width-len(s))
		}
		return quoted(s)
	case c.typ == "uuid":
		return quoted(uuidDefault(lit.str()))
	case c.typ == "inet6" || c.typ == "inet4":
		if a, err := netip.ParseAddr(lit.str()); err == nil {
			return quoted(a.String())
		}
	}
	return quoted(lit.str())
}

// str is the literal as a string value.
func (l literal) str() string {
	switch l.kind {
	case litNumber:
		if strings.ContainsAny(l.text, "eE") {
			f, _ := strconv.ParseFloat(l.text, 64)
			return formatServerFloat(f, false)
		}
		return l.text
	case litBits:
		n, _ := new(big.Int).SetString(l.text, 2)
		return string(n.Bytes())
	}
	return l.text
}

var leadingNumber = regexp.MustCompile(`^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`)

// rat is the literal as a number: strings by their leading number, byte
// strings as big-endian integers.
func (l literal) rat() *big.Rat {
	switch l.kind {
	case litBytes, litBits:
		return new(big.Rat).SetInt(l.unsigned())
	}
	s := l.text
	if l.kind == litString {
		s = strings.TrimSpace(leadingNumber.FindString(s))
	}
	s = strings.TrimPrefix(s, "+")
	s = strings.Replace(s, "-.", "-0.", 1)
	if strings.HasPrefix(s, ".") {
		s = "0" + s
	}
	s = strings.Replace(s, ".e", "e", 1)
	s = strings.Replace(s, ".E", "E", 1)
	s = strings.TrimSuffix(s, ".")
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return new(big.Rat)
	}
	return r
}

func (l literal) unsigned() *big.Int {
	switch l.kind {
	case litBytes, litString:
		if l.kind == litString {
			return new(big.Int).SetBytes([]byte(l.text))
		}
		return new(big.Int).SetBytes([]byte(l.text))
	case litBits:
		n, ok := new(big.Int).SetString(l.text, 2)
		if !ok {
			return new(big.Int)
		}
		return n
	}
	n := roundHalfAway(l.rat(), 0)
	if n.Sign() < 0 {
		return new(big.Int)
	}
	return n
}

// roundHalfAway rounds r to scale decimals, halves away from zero, and
// returns the result times 10^scale.
func roundHalfAway(r *big.Rat, scale int) *big.Int {
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	neg := x.Sign() < 0
	x.Abs(x)
	x.Add(x, big.NewRat(1, 2))
	n := new(big.Int).Quo(x.Num(), x.Denom())
	if neg {
		n.Neg(n)
	}
	return n
}

func clampInt(n *big.Int, c *modelColumn) *big.Int {
	bits := map[string]uint{"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}[c.typ]
	var lo, hi *big.Int
	if c.unsigned {
		lo, hi = new(big.Int), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1))
	} else {
		hi = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits-1), big.NewInt(1))
		lo = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), bits-1))
	}
	switch {
	case n.Cmp(lo) < 0:
		return lo
	case n.Cmp(hi) > 0:
		return hi
	}
	return n
}

func formatDecimal(r *big.Rat, scale int) string {
	n := roundHalfAway(r, scale)
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// formatServerFloat prints a FLOAT (6 significant digits) or DOUBLE (shortest
// round trip) as the server does (my_gcvt): plain notation while the
// decimal exponent is within [-14, 15], else 1.5e20.
func formatServerFloat(f float64, single bool) string {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	var e string
	if single {
		e = strconv.FormatFloat(f, 'e', 5, 64)
	} else {
		e = strconv.FormatFloat(f, 'e', -1, 64)
	}
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
	if digits == "" {
		digits = "0"
	}
	decpt := exp + 1 // digits are 0.DIGITS * 10^decpt
	if decpt > 15 || decpt < -14 {
		out := digits[:1]
		if len(digits) > 1 {
			out += "." + digits[1:]
		}
		return sign + out + "e" + strconv.Itoa(decpt-1)
	}
	switch {
	case decpt <= 0:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		return sign + digits + strings.Repeat("0", decpt-len(digits))
	}
	return sign + digits[:decpt] + "." + digits[decpt:]
}

func yearDefault(l literal, width int) string {
	var y int64
	if l.kind == litString {
		s := strings.TrimSpace(l.text)
		n, _ := strconv.ParseInt(strings.TrimSpace(leadingNumber.FindString(s)), 10, 64)
		if len(s) <= 2 {
			n = twoDigitYear(n)
		}
		y = n
	} else {
		y = roundHalfAway(l.rat(), 0).Int64()
		if y > 0 && y < 100 {
			y = twoDigitYear(y)
		}
	}
	if width == 2 {
		return fmt.Sprintf("%02d", y%100)
	}
	return fmt.Sprintf("%04d", y)
}

func twoDigitYear(n int64) int64 {
	if n < 70 {
		return 2000 + n
	}
	return 1900 + n
}

var digitRuns = regexp.MustCompile(`\d+`)

// datetimeDefault normalizes a DATE, DATETIME or TIMESTAMP constant.
func datetimeDefault(l literal, typ string, fsp int) string {
	s := strings.TrimSpace(l.str())
	var parts [6]int
	frac := ""
	if l.kind == litNumber || !strings.ContainsAny(s, "-/:. T") || regexp.MustCompile(`^\d+(\.\d*)?$`).MatchString(s) {
		// YYYYMMDD[HHMMSS][.frac] or YYMMDD[HHMMSS]
		whole, f, _ := strings.Cut(s, ".")
		frac = f
		if whole == "0" {
			whole = "00000000"
		}
		if len(whole) == 6 || len(whole) == 12 {
			whole = fmt.Sprintf("%04d", twoDigitYear(int64(digitsInt(whole[:2])))) + whole[2:]
		}
		for len(whole) < 14 {
			whole += "0"
		}
		parts = [6]int{digitsInt(whole[0:4]), digitsInt(whole[4:6]), digitsInt(whole[6:8]), digitsInt(whole[8:10]), digitsInt(whole[10:12]), digitsInt(whole[12:14])}
	} else {
		main, f, _ := strings.Cut(s, ".")
		if i := strings.LastIndexAny(s, ":"); i >= 0 && strings.Contains(s[i:], ".") {
			main, f = s[:strings.LastIndex(s, ".")], s[strings.LastIndex(s, ".")+1:]
		} else if strings.Count(s, ".") > 0 && !strings.ContainsAny(s, ":") && strings.Count(s, ".") >= 2 {
			main, f = s, ""
		}
		frac = f
		runs := digitRuns.FindAllString(main, -1)
		for i := 0; i < len(runs) && i < 6; i++ {
			parts[i] = digitsInt(runs[i])
		}
		if len(runs) > 0 && len(runs[0]) <= 2 {
			parts[0] = int(twoDigitYear(int64(parts[0])))
		}
	}
	out := fmt.Sprintf("%04d-%02d-%02d", parts[0], parts[1], parts[2])
	if typ == "date" {
		return out
	}
	out += fmt.Sprintf(" %02d:%02d:%02d", parts[3], parts[4], parts[5])
	return out + fractionPart(frac, fsp)
}

func fractionPart(frac string, fsp int) string {
	if fsp == 0 {
		return ""
	}
	frac = digitRuns.FindString(frac)
	if len(frac) > fsp {
		frac = frac[:fsp]
	}
	return "." + frac + strings.Repeat("0", fsp-len(frac))
}

func digitsInt(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// timeDefault normalizes a TIME constant.
func timeDefault(l literal, fsp int) string {
	s := strings.TrimSpace(l.str())
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var h, mi, sec int
	frac := ""
	if strings.Contains(s, ":") {
		days := 0
		if d, rest, ok := strings.Cut(s, " "); ok {
			days, s = digitsInt(d), rest
		}
		main, f, _ := strings.Cut(s, ".")
		frac = f
		runs := strings.Split(main, ":")
		h = digitsInt(runs[0]) + 24*days
		if len(runs) > 1 {
			mi = digitsInt(runs[1])
		}
		if len(runs) > 2 {
			sec = digitsInt(runs[2])
		}
	} else {
		main, f, _ := strings.Cut(s, ".")
		frac = f
		n := digitsInt(main)
		h, mi, sec = n/10000, n/100%100, n%100
	}
	out := fmt.Sprintf("%02d:%02d:%02d", h, mi, sec) + fractionPart(frac, fsp)
	if neg {
		return "-" + out
	}
	return out
}

func uuidDefault(s string) string {
	h := strings.ToLower(strings.NewReplacer("-", "", "{", "", "}", "").Replace(s))
	if len(h) != 32 || !allHex(h) {
		return s
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
