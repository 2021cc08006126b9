package mysqltypes

import (
	"slices"
	"testing"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
)

// TestTinyIntBoolean: Debezium 3.5's TinyIntOneToBooleanConverter as run
// on MariaDB 10.11 (the MariaDB class, snapshot and stream): TINYINT(1) and
// BOOLEAN become optional-as-the-column booleans, true above zero, with the
// default converted; TINYINT(2), TINYINT(4) and SMALLINT(1) stay INT16; the
// key's field too. Length checker off: every TINYINT; a selector: only the
// columns it matches, whole and ignoring case.
func TestTinyIntBoolean(t *testing.T) {
	defs := []ColumnDef{
		{Name: "flag", DataType: "tinyint", ColumnType: "tinyint(1)"},
		{Name: "f", DataType: "tinyint", ColumnType: "tinyint(1)", HasDefault: true, Default: "1"},
		{Name: "n", DataType: "tinyint", ColumnType: "tinyint(1)", Nullable: true},
		{Name: "u", DataType: "tinyint", ColumnType: "tinyint(1) unsigned", Unsigned: true, Nullable: true},
		{Name: "w", DataType: "tinyint", ColumnType: "tinyint(2)", Nullable: true},
		{Name: "z", DataType: "tinyint", ColumnType: "tinyint(4)", Nullable: true},
		{Name: "s", DataType: "smallint", ColumnType: "smallint(1)", Nullable: true},
		{Name: "zf", DataType: "tinyint", ColumnType: "tinyint(1) unsigned zerofill", Unsigned: true, Nullable: true},
	}
	build := func(props map[string]string) tableColumns {
		t.Helper()
		opt, err := NewTypeOptions("", "", "", "", props)
		if err != nil {
			t.Fatal(err)
		}
		tc, err := buildTableColumns("db", "t", defs, []int{0}, opt, zap.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		return tc
	}
	conv := map[string]string{"converters": "boolean", "boolean.type": "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter"}
	tc := build(conv)
	isBool := func(tc tableColumns) (out []bool) {
		for _, c := range tc.cols {
			out = append(out, c.Schema.Type == change.Boolean)
		}
		return out
	}
	if got, want := isBool(tc), []bool{true, true, true, true, false, false, false, false}; !slices.Equal(got, want) {
		t.Errorf("boolean columns %v, want %v", got, want)
	}
	if s := tc.cols[1].Schema; s.Optional || !s.HasDefault || s.Default != true {
		t.Errorf("f's schema %+v, want required with default true", s)
	}
	if s := tc.cols[2].Schema; !s.Optional || s.HasDefault {
		t.Errorf("n's schema %+v, want optional without default", s)
	}
	if tc.keyFields[0].Schema.Type != change.Boolean {
		t.Errorf("key field flag is %s, want boolean", tc.keyFields[0].Schema.Type)
	}
	for _, c := range []struct {
		col  int
		in   any
		want any
	}{
		{2, int64(0), false}, {2, int64(1), true}, {2, int64(2), true}, {2, int64(-1), false}, {2, int64(127), true},
		{2, int8(-128), false}, {2, nil, nil},
		// UNSIGNED 200 and 255: the binlog's signed byte is read as the value.
		{3, int64(200), true}, {3, int8(-56), true}, {3, int64(0), false},
		{0, int64(7), true}, {0, nil, false}, // NOT NULL: the fallback
	} {
		if got, err := tc.cols[c.col].Convert(c.in); err != nil || got != c.want {
			t.Errorf("%s: %v (%T) converts to %v, %v; want %v", defs[c.col].Name, c.in, c.in, got, err, c.want)
		}
	}

	conv["boolean.length.checker"] = "false"
	if got, want := isBool(build(conv)), []bool{true, true, true, true, true, true, false, false}; !slices.Equal(got, want) {
		t.Errorf("length checker off: boolean columns %v, want %v", got, want)
	}
	conv["boolean.selector"] = `DB\.T\.(n|w),other\..*`
	if got, want := isBool(build(conv)), []bool{false, false, true, false, true, false, false, false}; !slices.Equal(got, want) {
		t.Errorf("selector: boolean columns %v, want %v", got, want)
	}
	conv["boolean.length.checker"] = "maybe"
	if _, err := NewTypeOptions("", "", "", "", conv); err == nil || err.Error() != `property "boolean.length.checker": "maybe" is not true or false (default true: TINYINT(1) columns only)` {
		t.Errorf("length.checker=maybe: %v", err)
	}
}
