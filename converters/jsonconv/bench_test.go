package jsonconv

import "testing"

// BenchmarkEnvelope encodes the value of a Debezium "c" event whose row has
// ten columns (int, strings, a defaulted null, decimal, double, boolean,
// date, zoned timestamp) plus the MySQL source block.
func BenchmarkEnvelope(b *testing.B) {
	f := newEnvelopeFixture()
	_, val := f.create(1004)
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"schemas-off", Config{}},
		{"schemas-on", Config{SchemasEnable: true}},
		{"schemas-off-numeric", Config{DecimalFormat: DecimalNumeric}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := New(bc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			out, err := c.Convert(bg, "dbserver1.inventory.customers", f.env, val)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Convert(bg, "dbserver1.inventory.customers", f.env, val); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEnvelopeParallel(b *testing.B) {
	f := newEnvelopeFixture()
	_, val := f.create(1004)
	c, _ := New(Config{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Convert(bg, "t", f.env, val); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkEnvelopeAppend is the encoding alone, into a reused buffer: the
// difference to BenchmarkEnvelope is the per-record allocation and copy.
func BenchmarkEnvelopeAppend(b *testing.B) {
	f := newEnvelopeFixture()
	_, val := f.create(1004)
	c, _ := New(Config{})
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = c.Append(buf[:0], "t", f.env, val); err != nil {
			b.Fatal(err)
		}
	}
}
