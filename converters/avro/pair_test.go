package avro

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// An update's after image shares the before image's values for the columns
// it left alone (the record builder's doing); the encoder copies their bytes
// from the before image's. The record must be the one written when no value
// is shared, whichever values are shared and whatever they are.
func TestUpdateCopiesSharedValuesBytes(t *testing.T) {
	f := newFixture()
	_, full := f.full(1004)
	_, sparse := f.sparse(1004)
	before := full.Values[0].(*change.Value)
	empty := sparse.Values[1].(*change.Value)
	long := strings.Repeat("a\"b", 40)
	mix := func(from *change.Value, keep func(i int) bool, other *change.Value) *change.Value {
		vals := make([]any, len(from.Values))
		for i := range vals {
			if keep(i) {
				vals[i] = from.Values[i]
			} else {
				vals[i] = other.Values[i]
			}
		}
		return value(f.row, vals...)
	}
	changed := value(f.row, append([]any{}, before.Values...)...)
	changed.Values[5], changed.Values[21] = long, []byte{}
	afters := map[string]*change.Value{
		"all shared":    value(f.row, before.Values...),
		"odd shared":    mix(before, func(i int) bool { return i%2 == 1 }, changed),
		"first shared":  mix(before, func(i int) bool { return i == 0 }, changed),
		"last shared":   mix(before, func(i int) bool { return i == len(before.Values)-1 }, changed),
		"nulls shared":  mix(empty, func(i int) bool { return i%3 != 0 }, before),
		"none shared":   changed,
		"copies":        fresh(before),
		"empty, shared": value(f.row, empty.Values...),
	}
	c := newConv(t, newMemRegistry(), false)
	// Each image written on its own, by an encoder of the row alone.
	row, err := compileEncoder(f.row, map[*change.Schema]encodeFunc{})
	if err != nil {
		t.Fatal(err)
	}
	alone := func(b, after *change.Value) []byte {
		out, err := row(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		if out, err = row(out, after); err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(name string, b, after *change.Value) {
		t.Helper()
		got, err := c.Convert(bg, "t", f.env, value(f.env, append([]any{b, after}, full.Values[2:]...)...))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := alone(b, after); !bytes.HasPrefix(got[5:], want) { // after the magic byte and schema id
			t.Errorf("%s (before %v): the images differ from each written alone:\n got %x\nwant %x...", name, b != nil, got[5:], want)
		}
	}
	for _, b := range []*change.Value{before, empty, nil} {
		for name, after := range afters {
			check(name, b, after)
		}
	}
	check("a delete", before, nil)
}

// fresh returns a copy of a struct whose values are equal to v's but none
// the very same value (a new box, a new backing array), nested structs
// included.
func fresh(v *change.Value) *change.Value {
	if v == nil {
		return nil
	}
	vals := make([]any, len(v.Values))
	for i, x := range v.Values {
		switch x := x.(type) {
		case *change.Value:
			vals[i] = fresh(x)
		case []byte:
			vals[i] = append([]byte{}, x...)
		case string:
			vals[i] = strings.Clone(x)
		case []any:
			vals[i] = append([]any{}, x...)
		case []change.MapEntry:
			vals[i] = append([]change.MapEntry{}, x...)
		default:
			vals[i] = x
		}
	}
	return &change.Value{Schema: v.Schema, Values: vals}
}
