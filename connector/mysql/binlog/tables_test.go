package binlog

import (
	"context"
	"reflect"
	"testing"

	"github.com/go-mysql-org/go-mysql/replication"

	"github.com/sluice-cdc/sluice/connector/change"
)

func TestBinlogMetadataHelpers(t *testing.T) {
	// CHAR(4) utf8mb4 is 16 bytes: meta 0xFE10; BINARY(4): 0xFE04;
	// CHAR(100) utf8mb4, 400 bytes, hides bits in the type byte: 0xEE90.
	for meta, want := range map[uint16]int{0xFE10: 16, 0xFE04: 4, 0xEE90: 400} {
		if got := stringLength(meta); got != want {
			t.Errorf("stringLength(%#x) = %d, want %d", meta, got, want)
		}
	}
	if got := decodeEnumValues([]string{"caf\xe9", "x"}, "latin1"); !reflect.DeepEqual(got, []string{"café", "x"}) {
		t.Errorf("latin1 enum values %q", got)
	}
}

// A TABLE_MAP of a table version already built resolves to it without
// building a string (one a one-row transaction otherwise), and tables of
// the same name in other databases stay apart.
func TestResolveKnownTableMapAllocatesNothing(t *testing.T) {
	tmA := &replication.TableMapEvent{Schema: []byte("db"), Table: []byte("t"), ColumnCount: 1, ColumnType: []byte{3}}
	tmB := &replication.TableMapEvent{Schema: []byte("db2"), Table: []byte("t"), ColumnCount: 1, ColumnType: []byte{3}}
	a, b := &change.Table{Database: "db", Name: "t"}, &change.Table{Database: "db2", Name: "t"}
	tr := &tableTracker{entries: map[string]*tableEntry{
		"db.t":  {tm: tmA, table: a, included: true},
		"db2.t": {tm: tmB, table: b, included: true},
	}}
	for _, c := range []struct {
		tm   *replication.TableMapEvent
		want *change.Table
	}{{tmA, a}, {tmB, b}, {tmA, a}} {
		got, err := tr.Resolve(context.Background(), c.tm)
		if err != nil || got != c.want {
			t.Fatalf("%s.%s resolved to %+v (%v), want %+v", c.tm.Schema, c.tm.Table, got, err, c.want)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = tr.Resolve(context.Background(), tmB) }); allocs != 0 {
		t.Errorf("resolving a known TABLE_MAP made %v allocations", allocs)
	}
}
