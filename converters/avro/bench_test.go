package avro

import (
	"fmt"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"

	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

// BenchmarkEnvelope encodes the value of an update event whose rows have
// thirty columns of every type, with Avro and, for comparison, with the
// JSON converter with and without schemas.
func BenchmarkEnvelope(b *testing.B) {
	f := newFixture()
	_, val := f.full(1004)
	jsonPlain, _ := jsonconv.New(jsonconv.Config{})
	jsonSchemas, _ := jsonconv.New(jsonconv.Config{SchemasEnable: true})
	for _, bc := range []struct {
		name string
		conv converters.Converter
	}{
		{"avro", newConv(b, newMemRegistry(), false)},
		{"json-noschema", jsonPlain},
		{"json", jsonSchemas},
	} {
		b.Run(bc.name, func(b *testing.B) {
			out, err := bc.conv.Convert(bg, "dbserver1.inventory.customers", f.env, val)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.conv.Convert(bg, "dbserver1.inventory.customers", f.env, val); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAllocations: the hot path allocates only the record it returns.
func TestAllocations(t *testing.T) {
	f := newFixture()
	_, val := f.full(1)
	c := newConv(t, newMemRegistry(), false)
	if _, err := c.Convert(bg, "t", f.env, val); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(100, func() {
		if _, err := c.Convert(bg, "t", f.env, val); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Fatalf("%v allocations per record, want 1 (the returned slice)", n)
	}
}

// BenchmarkUpdatePair encodes an update of a 40-column row (the bench
// suite's wide workload, converted) whose after image shares the before
// image's values but one, against one whose after image is made of equal
// copies.
func BenchmarkUpdatePair(b *testing.B) {
	var fields []change.Field
	var vals []any
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("c%d", i)
		switch i % 5 {
		case 0:
			fields, vals = append(fields, field(name, prim(change.Int64))), append(vals, int64(1004*(i+1)))
		case 1:
			fields, vals = append(fields, field(name, optPrim(change.String))), append(vals, fmt.Sprintf("value-%d-1004", i))
		case 2:
			fields = append(fields, field(name, named(change.Bytes, change.DecimalName, true, change.Param{Key: "scale", Value: "2"})))
			vals = append(vals, []byte{0x01, 0x88, 0x21})
		case 3:
			fields, vals = append(fields, field(name, named(change.Int64, change.TimestampName, true))), append(vals, int64(1764800000123))
		case 4:
			fields, vals = append(fields, field(name, optPrim(change.Float64))), append(vals, 1506.5+float64(i))
		}
	}
	f := newFixture()
	row := &change.Schema{Type: change.Struct, Name: "bench.db.w.Value", Optional: true, Fields: fields}
	env := change.EnvelopeSchema("bench.db.w", row, f.source)
	_, full := f.full(1)
	before := value(row, vals...)
	shared := value(row, append([]any{int64(1)}, vals[1:]...)...)
	copied := fresh(shared)
	c := newConv(b, newMemRegistry(), false)
	for _, tc := range []struct {
		name  string
		after *change.Value
	}{{"shared", shared}, {"copied", copied}} {
		upd := value(env, append([]any{before, tc.after}, full.Values[2:]...)...)
		buf := make([]byte, 0, 8192)
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				var err error
				if buf, err = c.AppendConvert(bg, buf[:0], "t", env, upd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
