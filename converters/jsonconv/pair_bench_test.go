package jsonconv

import (
	"fmt"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// BenchmarkUpdatePair writes an update of a 40-column row (the bench
// suite's wide workload, converted) whose after image shares the before
// image's values but one, against one whose after image is made of equal
// copies.
func BenchmarkUpdatePair(b *testing.B) {
	var fields []change.Field
	var vals, copies []any
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("c%d", i)
		switch i % 5 {
		case 0:
			fields = append(fields, field(name, prim(change.Int64)))
			vals, copies = append(vals, int64(1004*(i+1))), append(copies, int64(1004*(i+1)))
		case 1:
			fields = append(fields, field(name, optPrim(change.String)))
			vals, copies = append(vals, fmt.Sprintf("value-%d-1004", i)), append(copies, fmt.Sprintf("value-%d-1004", i))
		case 2:
			fields = append(fields, field(name, decimalSchema("2", true)))
			vals, copies = append(vals, []byte{0x01, 0x88, 0x21}), append(copies, []byte{0x01, 0x88, 0x21})
		case 3:
			fields = append(fields, field(name, &change.Schema{Type: change.Int64, Optional: true, Name: change.TimestampName, Version: 1}))
			vals, copies = append(vals, int64(1764800000123)), append(copies, int64(1764800000123))
		case 4:
			fields = append(fields, field(name, optPrim(change.Float64)))
			vals, copies = append(vals, 1506.5+float64(i)), append(copies, 1506.5+float64(i))
		}
	}
	row := structSchema("bench.db.w.Value", true, fields...)
	env := &change.Schema{Type: change.Struct, Name: "bench.db.w.Envelope", Fields: []change.Field{
		field("before", row), field("after", row), field("op", prim(change.String))}}
	before := value(row, vals...)
	shared := value(row, append([]any{int64(1)}, vals[1:]...)...)
	copied := value(row, append([]any{int64(1)}, copies[1:]...)...)
	c, _ := New(Config{})
	for _, tc := range []struct {
		name  string
		after *change.Value
	}{{"shared", shared}, {"copied", copied}} {
		upd := value(env, before, tc.after, "u")
		buf := make([]byte, 0, 8192)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				buf, _ = c.Append(buf[:0], "t", env, upd)
			}
		})
	}
}
