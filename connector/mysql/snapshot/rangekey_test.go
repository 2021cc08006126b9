package snapshot

import (
	"bytes"
	"encoding/hex"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

func TestRangeKeyKind(t *testing.T) {
	for _, c := range []struct {
		def       mysqltypes.ColumnDef
		collation string
		want      keyKind
		ok        bool
	}{
		{mysqltypes.ColumnDef{DataType: "int", Unsigned: true}, "", keyInteger, true},
		{mysqltypes.ColumnDef{DataType: "bigint"}, "", keyInteger, true},
		{mysqltypes.ColumnDef{DataType: "bigint", Unsigned: true}, "", keyUnsigned, true},
		{mysqltypes.ColumnDef{DataType: "binary"}, "", keyBinary, true},
		{mysqltypes.ColumnDef{DataType: "varbinary"}, "", keyBinary, true},
		{mysqltypes.ColumnDef{DataType: "varchar"}, "", keyInteger, false}, // no collation known
		{mysqltypes.ColumnDef{DataType: "varchar"}, "utf8mb4_general_ci", keyCharGeneral, true},
		{mysqltypes.ColumnDef{DataType: "char"}, "latin1_bin", keyCharBinary, true},
		{mysqltypes.ColumnDef{DataType: "varchar"}, "utf8mb4_unicode_520_ci", keyCharUnicode, true},
		{mysqltypes.ColumnDef{DataType: "varchar"}, "utf8mb4_uca1400_ai_ci", keyCharUCA1400, true},
		{mysqltypes.ColumnDef{DataType: "varchar"}, "utf8mb4_general_nopad_ci", keyInteger, false}, // NO PAD
		{mysqltypes.ColumnDef{DataType: "varchar"}, "utf8mb4_czech_ci", keyInteger, false},         // "ch" is one letter
		{mysqltypes.ColumnDef{DataType: "varchar"}, "latin1_general_ci", keyInteger, false},
		{mysqltypes.ColumnDef{DataType: "text"}, "utf8mb4_general_ci", keyInteger, false},
		{mysqltypes.ColumnDef{DataType: "uuid"}, "", keyInteger, false}, // MariaDB's UUID sorts its groups swapped
		{mysqltypes.ColumnDef{DataType: "year"}, "", keyInteger, true},
		{mysqltypes.ColumnDef{DataType: "decimal"}, "", keyDecimal, true},
		{mysqltypes.ColumnDef{DataType: "datetime"}, "", keyDatetime, true},
		{mysqltypes.ColumnDef{DataType: "date"}, "", keyDate, true},
		{mysqltypes.ColumnDef{DataType: "timestamp"}, "", keyTimestamp, true},
		{mysqltypes.ColumnDef{DataType: "time"}, "", keyTime, true},
		{mysqltypes.ColumnDef{DataType: "double"}, "", keyFloat, true},
		{mysqltypes.ColumnDef{DataType: "float"}, "", keyFloat, true},
		{mysqltypes.ColumnDef{DataType: "char"}, "", keyInteger, false},
	} {
		if got, ok := rangeKeyKind(c.def, c.collation); got != c.want || ok != c.ok {
			t.Errorf("rangeKeyKind(%s unsigned=%v %s) = %q, %v; want %q, %v", c.def.DataType, c.def.Unsigned, c.collation, got, ok, c.want, c.ok)
		}
	}
}

// A binary key's place orders keys as the server's binary comparison
// does, against every bound the ranges use (last byte odd), whatever the
// keys' lengths: each key falls in the range whose SQL bounds hold it.
func TestBinaryPlaceOrdersAsTheServer(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	key := func() []byte {
		b := make([]byte, rng.Intn(18))
		for i := range b {
			b[i] = byte(rng.Intn(4)) * 85 // 0, 85, 170, 255: prefixes and zeros meet often
		}
		return b
	}
	var bounds []int64
	for range 200 {
		bounds = append(bounds, *binaryPlace(key()))
	}
	slices.Sort(bounds)
	bounds = keyBinary.bounds(bounds)
	if !slices.IsSorted(bounds) {
		t.Fatalf("bounds not increasing: %v", bounds)
	}
	for i := 1; i < len(bounds); i++ {
		if bounds[i] == bounds[i-1] || bounds[i]&1 == 0 {
			t.Fatalf("bounds %d and %d: repeated, or a last byte even", bounds[i-1], bounds[i])
		}
	}
	for range 5000 {
		k := key()
		place := *binaryPlace(string(k)) // as the binlog gives it
		if p := *binaryPlace(k); p != place {
			t.Fatalf("key %x placed at %d as bytes, %d as a string", k, p, place)
		}
		for _, b := range bounds {
			lit := literalBytes(t, keyBinary.literal(b))
			if sqlGE, placeGE := bytes.Compare(k, lit) >= 0, place >= b; sqlGE != placeGE {
				t.Fatalf("key %x against bound %x: the server says >= %v, the place %v", k, lit, sqlGE, placeGE)
			}
		}
	}
}

// literalBytes reads back an X'...' literal of 8 bytes.
func literalBytes(t *testing.T, lit string) []byte {
	t.Helper()
	hexDigits, ok := strings.CutPrefix(lit, "X'")
	hexDigits, ok2 := strings.CutSuffix(hexDigits, "'")
	b, err := hex.DecodeString(hexDigits)
	if !ok || !ok2 || err != nil || len(b) != 8 {
		t.Fatalf("literal %s is not 8 bytes in X'...' (%v)", lit, err)
	}
	return b
}

// The stream places a binary key's change by its bytes, whether the
// binlog left a BINARY's trailing zeros out or not.
func TestSkipFilterBinaryKey(t *testing.T) {
	mid := *binaryPlace([]byte{0x80, 0, 0, 0, 0, 0, 0, 0}) | 1
	st := &State{Tables: []string{"app.b"}, Done: []Chunk{
		{Table: "app.b", Hi: &mid, GTIDs: "0-1-10", Key: keyBinary},
		{Table: "app.b", Lo: &mid, GTIDs: "0-1-20", Key: keyBinary},
	}, Complete: true}
	f, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	tb := testTable("app", "b", 1)
	create := func(k string) change.Event {
		return change.Event{Op: change.OpCreate, Table: tb, After: []any{k, "x"}}
	}
	low, high := "\x7f\xff\xff\xff\xff\xff\xff\xff\x01", "\x80\x00\x00\x00\x00\x00\x00\x02" // either side of 80 00 .. 01
	runKeep(t, f, []keepCase{
		{"low key after the first range", "0-1-15", create(low), true, create(low)},
		{"high key seen by the last range", "0-1-15", create(high), false, change.Event{}},
		{"high key after the last range", "0-1-21", create(high), true, create(high)},
		{"key of the bound's first bytes only: before it", "0-1-15", create("\x80"), true, create("\x80")},
	})
}

// A BIGINT UNSIGNED key splits like a signed one, its bounds below 2^63;
// the binlog decodes a key past 2^63-1 as a negative int64 (no signedness
// in MariaDB's TABLE_MAP by default), which still belongs to the last,
// open-ended range: a change to it that the last range's read saw is
// dropped, one after it kept, and a guard over the last range covers it.
func TestSkipFilterUnsignedKey(t *testing.T) {
	st := &State{Tables: []string{"app.u"}, Done: []Chunk{
		{Table: "app.u", Hi: int64Ptr(100), GTIDs: "0-1-10", Key: keyUnsigned},
		{Table: "app.u", Lo: int64Ptr(100), GTIDs: "0-1-20", Key: keyUnsigned},
	}, Complete: true}
	if enc := st.encode(); !strings.Contains(enc, `{"t":"app.u","lo":100,"g":"0-1-20","k":"u"}`) {
		t.Errorf("encoded state %s does not mark the ranges unsigned", enc)
	}
	f, err := newSkipFilter("mariadb", st)
	if err != nil {
		t.Fatal(err)
	}
	tu := testTable("app", "u", 1)
	create := func(r []any) change.Event { return change.Event{Op: change.OpCreate, Table: tu, After: r} }
	past := []any{int64(-5), "x"}          // 2^64-5 as the binlog decodes it
	pastU := []any{uint64(1<<63 + 7), "x"} // with the TABLE_MAP's signedness
	low, lowU := row(5, "x"), []any{uint64(5), "x"}
	runKeep(t, f, []keepCase{
		{"key past 2^63-1 seen by the last range", "0-1-15", create(past), false, change.Event{}},
		{"key past 2^63-1 after the last range", "0-1-21", create(past), true, create(past)},
		{"uint64 key past 2^63-1 seen by the last range", "0-1-15", create(pastU), false, change.Event{}},
		{"small key after the first range", "0-1-11", create(low), true, create(low)},
		{"small uint64 key seen by the first range", "0-1-10", create(lowU), false, change.Event{}},
		{"small uint64 key after the first range", "0-1-11", create(lowU), true, create(lowU)},
	})

	g, err := newGuard("mariadb", st.Done[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		row  []any
		want bool
	}{{past, true}, {pastU, true}, {row(150, ""), true}, {low, false}, {lowU, false}} {
		if got := g.covers(tu, c.row); got != c.want {
			t.Errorf("guard [100,) of BIGINT UNSIGNED app.u covers %v = %v, want %v", c.row, got, c.want)
		}
	}
}
