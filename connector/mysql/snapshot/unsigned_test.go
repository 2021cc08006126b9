package snapshot

import (
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// unsignedTable is app.u (id INT UNSIGNED PRIMARY KEY, v VARCHAR) as the
// connector builds it: the key column's converter undoes the binlog's
// signed decoding.
func unsignedTable(t *testing.T) *change.Table {
	t.Helper()
	defs := []mysqltypes.ColumnDef{
		{Name: "id", DataType: "int", ColumnType: "int(10) unsigned", Unsigned: true},
		{Name: "v", DataType: "varchar", ColumnType: "varchar(10)", Nullable: true, Charset: "utf8mb4"},
	}
	tbl, err := mysqltypes.TableBuilder{Prefix: "p"}.Build("app", "u", defs, []int{0})
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// Without the TABLE_MAP's signedness (MariaDB by default), the binlog
// decodes INT UNSIGNED 3000000000 as int32 -1294967296. The snapshot read
// it as 3000000000 (text protocol), in the last range; the stream must
// compare the streamed row with that range, not the first.
func TestSkipFilterUnsignedKeyFromBinlog(t *testing.T) {
	tu := unsignedTable(t)
	st := &State{Done: []Chunk{
		{Table: "app.u", Hi: int64Ptr(2_000_000_000), GTIDs: "0-1-10"},
		{Table: "app.u", Lo: int64Ptr(2_000_000_000), GTIDs: "0-1-20"},
	}}
	f, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	binlogRow := []any{int32(-1294967296), "x"} // 3000000000 as go-mysql decodes it
	ins := change.Event{Op: change.OpCreate, Table: tu, After: binlogRow}
	runKeep(t, f, []keepCase{
		// 0-1-15: after the first range's read, before the last's, which
		// holds key 3000000000 and so already has this insert.
		{"insert the last range already holds", "0-1-15", ins, false, change.Event{}},
		{"insert after the last range", "0-1-21", ins, true, ins},
	})

	// A guard over the last range sends the delete of a gone key.
	g, err := newGuard("mariadb", Chunk{Table: "app.u", Lo: int64Ptr(2_000_000_000), GTIDs: "0-1-12"})
	if err != nil {
		t.Fatal(err)
	}
	g.collect(&snapTable{table: tu}, [][]any{{uint64(2_500_000_000), "kept"}}) // as the snapshot reads it
	if !g.covers(tu, binlogRow) {
		t.Error("the guard over keys from 2000000000 does not cover streamed key 3000000000")
	}
	if !g.staleDelete(tu, binlogRow, mustSet(t, "mariadb", "0-1-15")) {
		t.Error("delete of gone key 3000000000 after the interrupted read is not sent")
	}
	if g.staleDelete(tu, []any{int32(-1794967296), "kept"}, mustSet(t, "mariadb", "0-1-15")) { // 2500000000
		t.Error("delete of key 2500000000, which the new read has, is sent")
	}
	f.guards = []*guard{g}
	del := change.Event{Op: change.OpDelete, Table: tu, Before: binlogRow}
	runKeep(t, f, []keepCase{{"guarded delete of a gone key", "0-1-15", del, true, del}})
}
