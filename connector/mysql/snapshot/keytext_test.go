package snapshot

import (
	"testing"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// The keys of an incremental snapshot's notifications print as Debezium
// 3.5.0.Final's MariaDB connector printed them (captured from its
// maximum_key and last_processed_key, keys of each type), from the values
// the snapshot's SELECT gives.
func TestKeyTextIsJavas(t *testing.T) {
	for _, c := range []struct {
		typ, text, want string
	}{
		{"datetime", "2024-01-03 00:00:00", "2024-01-03 00:00:00.0"},
		{"datetime", "2024-01-02 03:04:06.000", "2024-01-02 03:04:06.0"},
		{"datetime", "2024-01-03 00:00:00.500", "2024-01-03 00:00:00.5"},
		{"timestamp", "2024-01-02 03:04:06", "2024-01-02 03:04:06.0"},
		{"date", "2024-02-01", "2024-02-01"},
		{"decimal", "2.250", "2.250"},
		{"time", "13:04:06", "PT13H4M6S"},
		{"time", "23:00:00", "PT23H"},
		{"time", "00:00:00", "PT0S"},
		{"time", "-01:00:00.5", "PT-1H-0.5S"},
		{"time", "838:59:59.000001", "PT838H59M59.000001S"},
		{"bigint", "18446744073709551615", "18446744073709551615"},
		{"double", "1e20", "1.0E20"},
		{"double", "2", "2.0"},
		{"float", "1.1", "1.1"},
		{"varchar", "a,b", "a,b"},
	} {
		def := mysqltypes.ColumnDef{Name: "k", DataType: c.typ, Unsigned: c.typ == "bigint"}
		v, err := mysqltypes.FromText(def, []byte(c.text))
		if err != nil {
			t.Fatalf("%s %q: %v", c.typ, c.text, err)
		}
		if got := keyText([]any{v}, []int{0}, []mysqltypes.ColumnDef{def}); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.typ, c.text, got, c.want)
		}
	}
	defs := []mysqltypes.ColumnDef{{DataType: "int"}, {DataType: "varchar"}}
	if got := keyText([]any{int64(7), nil}, []int{0, 1}, defs); got != "7,<null>" {
		t.Errorf("a composite key with a null: %q", got)
	}
}
