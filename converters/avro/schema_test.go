package avro

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/sluice-cdc/sluice/connector/change"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestSchemaGolden compares the derived Avro schemas with golden files
// checked by hand against AvroData.fromConnectSchema (schema-registry's
// avro-data module): record names split from the Connect name, the
// envelope's Value record defined in before and named in after, optional
// fields as ["null", T] with default null ([T, "null"] when the Connect
// schema has a default), Decimal as bytes with scale, precision and
// logicalType, Connect Date/Time/Timestamp with their logical types,
// int8/int16 as int with connect.type, unnamed structs as ConnectDefault,
// ConnectDefault2, maps with non-string keys as arrays of MapEntry records.
func TestSchemaGolden(t *testing.T) {
	f := newFixture()
	cases := []struct {
		file string
		s    *change.Schema
		opts Options
	}{
		{"envelope.avsc", f.env, DefaultOptions()},
		{"key.avsc", f.key, DefaultOptions()},
		{"envelope-nometa.avsc", f.env, Options{}},
	}
	for _, tc := range cases {
		n, err := derive(tc.s, &tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		got := schemaText(n) + "\n"
		if _, err := goavro.NewCodec(withoutLogicalTypes(got)); err != nil {
			t.Errorf("%s: goavro refuses the schema: %v", tc.file, err)
		}
		path := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs:\ngot  %s\nwant %s", tc.file, got, want)
		}
	}
}
