package avro

import (
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// BenchmarkSourceBlock encodes source blocks as a binlog event's rows
// have them: the same values but source.row, a new box each (the memo of
// internal/fieldmemo copies the rest).
func BenchmarkSourceBlock(b *testing.B) {
	f := newFixture()
	_, env := f.full(1)
	src := env.Values[2].(*change.Value)
	enc, err := compileEncoder(f.source, map[*change.Schema]encodeFunc{})
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]any, 1024)
	for i := range rows {
		rows[i] = int64(1000 + i)
	}
	vals := make([]*change.Value, 1024)
	for i := range vals {
		v := &change.Value{Schema: f.source, Values: append([]any(nil), src.Values...)}
		v.Values[14] = rows[i]
		vals[i] = v
	}
	buf := make([]byte, 0, 4096)
	i := 0
	for b.Loop() {
		buf, _ = enc(buf[:0], vals[i&1023])
		i++
	}
}
