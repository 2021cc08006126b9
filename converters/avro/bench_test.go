package avro

import (
	"testing"

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
