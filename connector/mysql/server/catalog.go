package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/ddl"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// Catalog reads table definitions from information_schema over its own
// connection, and caches them until the next DDL.
type Catalog struct {
	mu      sync.Mutex
	connect func(ctx context.Context) (*client.Conn, error)
	conn    *client.Conn
	tables  map[string]*ddl.TableInfo
	json    map[string]map[string]bool
	colls   map[uint64]string // collation id -> character set; never invalidated
	mariadb *bool             // the server's flavor, asked once
	// JSONTyped describes MariaDB's JSON columns as JSON in tableChanges
	// (sluice.mariadb.json.as.json); otherwise as the LONGTEXT they are,
	// as Debezium does.
	JSONTyped bool
}

// ErrNotInCatalog: information_schema does not have the table (any more).
var ErrNotInCatalog = errors.New("not in information_schema")

// NewCatalog reads the catalog over connections that connect opens.
func NewCatalog(connect func(ctx context.Context) (*client.Conn, error)) *Catalog {
	return &Catalog{connect: connect, tables: map[string]*ddl.TableInfo{}, json: map[string]map[string]bool{}}
}

// Invalidate forgets the cached definitions, after a DDL.
func (c *Catalog) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.tables)
	clear(c.json)
}

// Close closes the catalog's connection; the next query opens another.
func (c *Catalog) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// query runs one statement, reconnecting once when the connection was lost.
func (c *Catalog) query(ctx context.Context, q string, args ...any) (*gmysql.Result, error) {
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
func (c *Catalog) keyInOrder(ctx context.Context, db, table string, info *ddl.TableInfo) ([]int, error) {
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
func (c *Catalog) uniqueIndexOn(ctx context.Context, db, table string, cols map[string]int) ([]string, error) {
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

// JSONColumns names the columns of a table that MariaDB keeps as JSON: a
// LONGTEXT with a json_valid check constraint.
func (c *Catalog) JSONColumns(ctx context.Context, db, table string) (map[string]bool, error) {
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

// Collations maps collation ids to character set names, read once.
func (c *Catalog) Collations(ctx context.Context) (map[uint64]string, error) {
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
func (c *Catalog) isMariaDB(ctx context.Context) (bool, error) {
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

// Table is a table's definition as information_schema shows it now;
// ErrNotInCatalog when it has none.
func (c *Catalog) Table(ctx context.Context, db, table string) (*ddl.TableInfo, error) {
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
		IFNULL(CHARACTER_OCTET_LENGTH, 0), COLUMN_COMMENT
		FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, db, table)
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("reading columns of %s: %w", key, err)
	}
	if r.RowNumber() == 0 {
		return nil, fmt.Errorf("table %s is in the binlog but %w (dropped since?); set binlog_row_metadata=FULL so the binlog describes it", key, ErrNotInCatalog)
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
		if comment, _ := r.GetString(i, 13); comment != "" {
			c := ddlComment(comment)
			d.Comment = &c
		}
		info.Columns = append(info.Columns, d)
	}
	jsonCols, err := c.JSONColumns(ctx, db, table)
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

// Exists reports whether information_schema knows the table.
func (c *Catalog) Exists(ctx context.Context, db, table string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.query(ctx, "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", db, table)
	if err != nil {
		return false, fmt.Errorf("looking up %s.%s in information_schema.TABLES: %w", db, table, err)
	}
	return r.RowNumber() > 0, nil
}

// Describe reads a table's structure from information_schema as a
// Debezium io.debezium.connector.schema.Table value, built the way
// Debezium's DDL parser would from SHOW CREATE TABLE. found is false when
// the table does not exist.
func (c *Catalog) Describe(ctx context.Context, flavor, db, table string) (value *change.Value, found bool, err error) {
	jsonCols, err := c.JSONColumns(ctx, db, table)
	if err != nil {
		return nil, false, err
	}
	pk, err := c.describedKey(ctx, db, table)
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
		var ic ddl.InfoColumn
		ic.Name, _ = r.GetString(i, 0)
		pos, _ := r.GetInt(i, 1)
		ic.Position = pos
		ic.DataType, _ = r.GetString(i, 2)
		ic.ColumnType, _ = r.GetString(i, 3)
		nullable, _ := r.GetString(i, 4)
		ic.Nullable = nullable == "YES"
		ic.Default, _ = r.GetString(i, 5)
		noDefault, _ := r.GetInt(i, 6)
		ic.HasDefault = noDefault == 0
		ic.Charset, _ = r.GetString(i, 7)
		ic.Extra, _ = r.GetString(i, 8)
		ic.JSON = c.JSONTyped && jsonCols[ic.Name]
		cols[i] = ic.Value(flavor)
	}
	var cs any
	if charset != "" {
		cs = charset
	}
	return &change.Value{Schema: ddl.TableSchema, Values: []any{cs, pk, cols, nil}}, true, nil
}

// describedKey is the key Debezium's parser reads from SHOW CREATE TABLE:
// the primary key or, without one, the first unique key over NOT NULL
// columns (the columns information_schema marks PRI), in the key's order.
func (c *Catalog) describedKey(ctx context.Context, db, table string) ([]any, error) {
	c.mu.Lock()
	r, err := c.query(ctx, `SELECT COLUMN_NAME FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_KEY = 'PRI' ORDER BY ORDINAL_POSITION`, db, table)
	c.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("reading the key columns of %s.%s: %w", db, table, err)
	}
	pos := map[string]int{}
	names := make([]string, r.RowNumber())
	for i := range names {
		names[i], _ = r.GetString(i, 0)
		pos[strings.ToLower(names[i])] = i
	}
	if len(names) > 1 {
		ordered, err := c.uniqueIndexOn(ctx, db, table, pos)
		if err != nil {
			return nil, err
		}
		if ordered != nil {
			names = ordered
		}
	}
	pk := make([]any, len(names))
	for i, n := range names {
		pk[i] = n
	}
	return pk, nil
}

// ColumnCollation returns the collation of a column as information_schema
// shows it now: "" for a column without one, or one no longer there.
func (c *Catalog) ColumnCollation(ctx context.Context, db, table, column string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.query(ctx, `SELECT IFNULL(COLLATION_NAME, '') FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?`, db, table, column)
	if err != nil {
		return "", fmt.Errorf("reading the collation of %s.%s.%s: %w", db, table, column, err)
	}
	if r.RowNumber() == 0 {
		return "", nil
	}
	return r.GetString(0, 0)
}

// LongtextColumns returns the collation of each LONGTEXT column of a table
// as information_schema shows it now, and whether the server is MariaDB.
func (c *Catalog) LongtextColumns(ctx context.Context, db, table string) (map[string]string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	mariadb, err := c.isMariaDB(ctx)
	if err != nil || !mariadb {
		return nil, false, err
	}
	r, err := c.query(ctx, `SELECT COLUMN_NAME, IFNULL(COLLATION_NAME, '') FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND DATA_TYPE = 'longtext'`, db, table)
	if err != nil {
		return nil, true, fmt.Errorf("reading the LONGTEXT columns of %s.%s: %w", db, table, err)
	}
	out := make(map[string]string, r.RowNumber())
	for i := 0; i < r.RowNumber(); i++ {
		name, _ := r.GetString(i, 0)
		coll, _ := r.GetString(i, 1)
		out[name] = coll
	}
	return out, true, nil
}

// ddlComment is a COLUMN_COMMENT as SHOW CREATE TABLE writes it between
// its quotes, which is what Debezium's DDL parser keeps (doubled quotes,
// backslash escapes): the form the schema history's comments have.
func ddlComment(s string) string {
	return strings.NewReplacer(`\`, `\\`, "'", "''", "\n", `\n`, "\r", `\r`, "\x00", `\0`, "\x1a", `\Z`).Replace(s)
}
