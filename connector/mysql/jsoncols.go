package mysql

import (
	"context"
	"fmt"

	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"
)

// MariaDB's JSON is LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin with
// a json_valid() check constraint. The binlog shows the LONGTEXT and, with
// binlog_row_metadata=FULL, the collation, but not the constraint, which
// only information_schema has, and only for the current definition.
const utf8mb4BinCollation = 46

// settleJSON decides, for each LONGTEXT column of a MariaDB table version,
// whether it is JSON, so that a row is labelled with the type it was written
// under even when information_schema has moved on (a restart from an offset
// before later DDL, or a reader lagging behind them):
//
//   - a column whose binlog collation is not utf8mb4_bin is not JSON,
//     whatever the catalog says now (e.g. JSON since changed to LONGTEXT);
//   - else, when the catalog has a LONGTEXT utf8mb4_bin column of that name,
//     its json_valid() check decides;
//   - else the catalog cannot describe this version (the table or column
//     was dropped or renamed since): the column is JSON, because MariaDB's
//     JSON is exactly such a column, and a warning names the column.
//
// defs come from the TABLE_MAP event (full metadata) and are edited in place.
func (t *Tables) settleJSON(ctx context.Context, db, name string, defs []columnDef, tm *replication.TableMapEvent) error {
	collations := tm.CollationMap()
	var longtext []int
	for i := range defs {
		if defs[i].DataType == "longtext" {
			longtext = append(longtext, i)
		}
	}
	if len(longtext) == 0 {
		return nil
	}
	cat, mariadb, err := t.schema.longtextColumns(ctx, db, name)
	if err != nil {
		return err
	}
	if !mariadb {
		return nil // MySQL's JSON is a type of its own
	}
	jsonCols, err := t.schema.jsonColumns(ctx, db, name)
	if err != nil {
		return err
	}
	for _, i := range longtext {
		d := &defs[i]
		coll, ok := collations[i]
		switch {
		case !ok:
			// No collation in the binlog: leave what the catalog said.
		case coll != utf8mb4BinCollation:
			d.JSON = false
		case cat[d.Name] == "utf8mb4_bin":
			d.JSON = jsonCols[d.Name]
		default:
			d.JSON = true
			t.log.Warn("information_schema no longer describes this LONGTEXT utf8mb4_bin column (table or column dropped or renamed since the binlog was written); treating it as MariaDB's JSON",
				zap.String("table", db+"."+name), zap.String("column", d.Name))
		}
	}
	return nil
}

// longtextColumns returns the collation of each LONGTEXT column of a table
// as information_schema shows it now, and whether the server is MariaDB.
func (c *catalog) longtextColumns(ctx context.Context, db, table string) (map[string]string, bool, error) {
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
