package mysqltypes

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
)

// TestMaskHashGolden checks the hashes against the JDK's (testdata/
// MaskHashGolden.java hashes as Debezium's HashValueConverter does): both
// strategies, four algorithms, non-ASCII, NUL, a supplementary character
// and a string past the two-byte length of Java's serialization.
func TestMaskHashGolden(t *testing.T) {
	f, err := os.Open("testdata/maskhash_golden.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		alg, salt, ver, val, want := p[0], p[1], p[2], p[3], p[4]
		switch val {
		case "x*70000":
			val = strings.Repeat("x", 70000)
		default:
			val = strings.ReplaceAll(val, `\x00`, "\x00")
		}
		prop := "column.mask.hash." + alg + ".with.salt." + salt
		if ver == "2" {
			prop = "column.mask.hash.v2." + alg + ".with.salt." + salt
		}
		h, ok, err := parseHashProp(prop)
		if !ok || err != nil {
			t.Fatalf("%s: %v %v", prop, ok, err)
		}
		if got := h.sum(val); got != want {
			t.Errorf("%s of %.20q: %s, want %s", prop, val, got, want)
		}
		n++
	}
	if n != 48 {
		t.Fatalf("%d golden lines, want 48", n)
	}
}

// TestMaskHashColumns: a hashed character column gets "masked" and the hash
// cut to its length; a null stays null; other types keep their values; the
// hash rules come after the other mappers, v1 before v2; a hashed key
// column is refused.
func TestMaskHashColumns(t *testing.T) {
	props := map[string]string{
		"column.mask.hash.SHA-256.with.salt.CzQMA0cB5K":    `db\.t\.(vc|tx|n)`,
		"column.mask.hash.v2.SHA-256.with.salt.CzQMA0cB5K": `db\.t\.(vc|v2)`,
		"column.mask.with.3.chars":                         `db\.t\.m`,
	}
	opt, err := NewTypeOptions("", "", "", "", props)
	if err != nil {
		t.Fatal(err)
	}
	defs := []ColumnDef{
		{Name: "id", DataType: "int", ColumnType: "int(11)"},
		{Name: "vc", DataType: "varchar", ColumnType: "varchar(10)", Nullable: true},
		{Name: "tx", DataType: "text", ColumnType: "text", NoWidth: true, Nullable: true},
		{Name: "n", DataType: "int", ColumnType: "int(11)"},
		{Name: "v2", DataType: "varchar", ColumnType: "varchar(255)"},
		{Name: "m", DataType: "varchar", ColumnType: "varchar(255)"},
	}
	tc, err := buildTableColumns("db", "t", defs, []int{0}, opt, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	conv := func(i int, v any) any {
		out, err := tc.cols[i].Convert(v)
		if err != nil {
			t.Fatalf("%s: %v", defs[i].Name, err)
		}
		return out
	}
	const v1Hello = "b4d39ab0d198fb4cac8b2f023da74f670bcaf192dcc79b5d6361b7ae6b2fafdf" // maskhash_golden.tsv
	const v2Hello = "c4bf2f9ebc99b7f64add45103e81eb4ca483649064e3e1398b21f41786360c7b"
	masked := []change.Param{{Key: "masked", Value: "true"}}
	if got := conv(1, "hello"); got != v1Hello[:10] {
		t.Errorf("vc (VARCHAR(10), v1 rule first) = %v, want %s", got, v1Hello[:10])
	}
	if got := conv(1, nil); got != nil {
		t.Errorf("vc of null = %v, want null", got)
	}
	if got := conv(2, "hello"); got != v1Hello {
		t.Errorf("tx (TEXT, no length) = %v, want the whole hash", got)
	}
	if got := conv(3, int64(7)); got != int64(7) || !reflect.DeepEqual(tc.cols[3].Schema.Parameters, masked) {
		t.Errorf("n (INT) = %v params %v: the value as it is, the parameter set", got, tc.cols[3].Schema.Parameters)
	}
	if got := conv(4, "hello"); got != v2Hello {
		t.Errorf("v2 = %v, want %s", got, v2Hello)
	}
	if got := conv(5, "hello"); got != "***" {
		t.Errorf("m (column.mask.with before the hash rules) = %v", got)
	}
	for _, i := range []int{1, 2, 4} {
		if !reflect.DeepEqual(tc.cols[i].Schema.Parameters, masked) {
			t.Errorf("%s params %v", defs[i].Name, tc.cols[i].Schema.Parameters)
		}
	}
	// A hashed key column: hashed in the row value, as it is in the key.
	opt.Columns, _ = ParseColumnRules(map[string]string{"column.mask.hash.MD5.with.salt.s": `db\.t\.vc`, "message.key.columns": `db\.t:vc`})
	tc2, err := buildTableColumns("db", "t", defs, []int{0}, opt, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := tc2.cols[1].Convert("hello"); v == "hello" {
		t.Errorf("hashed key column vc in the row value: %v", v)
	}
	if v, _ := tc2.cols[1].KeyConversion()("hello"); v != "hello" {
		t.Errorf("hashed key column vc in the key: %v, want hello", v)
	}
	if v, _ := tc2.cols[1].KeyConversion()(nil); v != nil {
		t.Errorf("hashed key column vc in the key, null: %v", v)
	}
}
