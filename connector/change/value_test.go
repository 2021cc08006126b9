package change

import "testing"

func TestNewValue(t *testing.T) {
	s := &Schema{Type: Struct}
	for n := 0; n <= 70; n++ {
		v := NewValue(s, n)
		if v.Schema != s || len(v.Values) != n || cap(v.Values) != n {
			t.Fatalf("NewValue(s, %d): schema %p, len %d, cap %d", n, v.Schema, len(v.Values), cap(v.Values))
		}
		for i, x := range v.Values {
			if x != nil {
				t.Fatalf("NewValue(s, %d).Values[%d] = %v, want nil", n, i, x)
			}
		}
	}
	// Two values never share their fields.
	a, b := NewValue(s, 3), NewValue(s, 3)
	a.Values[0] = "a"
	if b.Values[0] != nil {
		t.Fatal("values share storage")
	}
}

func BenchmarkNewValue(b *testing.B) {
	s := &Schema{Type: Struct}
	b.ReportAllocs()
	for b.Loop() {
		_ = NewValue(s, 8)
	}
}

func TestValuesCutsIndependentValues(t *testing.T) {
	s, r := &Schema{Type: Struct}, &Schema{Type: Struct}
	var a Values
	var got []*Value
	// More values than a chunk of structs and of slots, one larger than
	// a chunk of slots, and empty ones.
	sizes := []int{0, 1, 3, 16, 40, cellsChunk + 5, 2, 0, 7}
	for i := 0; i < 3*valuesChunk; i++ {
		n := sizes[i%len(sizes)]
		sch := s
		if i%2 == 1 {
			sch = r
		}
		v := a.New(sch, n)
		if v.Schema != sch || len(v.Values) != n || cap(v.Values) != n {
			t.Fatalf("value %d: schema %p, len %d, cap %d; want %p, %d, %d", i, v.Schema, len(v.Values), cap(v.Values), sch, n, n)
		}
		for j := range v.Values {
			if v.Values[j] != nil {
				t.Fatalf("value %d field %d = %v, want nil", i, j, v.Values[j])
			}
			v.Values[j] = [2]int{i, j}
		}
		got = append(got, v)
	}
	// Every value still holds what was written to it, and appending to
	// one does not reach its neighbour's fields.
	for i, v := range got {
		_ = append(v.Values, "overflow")
		for j, x := range v.Values {
			if x != [2]int{i, j} {
				t.Fatalf("value %d field %d = %v, want %v", i, j, x, [2]int{i, j})
			}
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("values %d and %d are the same struct", i-1, i)
		}
	}
}

func TestValuesAllocatesPerChunk(t *testing.T) {
	s := &Schema{Type: Struct}
	var a Values
	per := testing.AllocsPerRun(1000, func() { a.New(s, 8) })
	// A chunk of 64 structs and one of 1,024 slots per 64 values of 8
	// fields: about 0.03 allocations a value; NewValue makes one.
	if per > 0.1 {
		t.Fatalf("Values.New allocated %.3f times a value, want under 0.1", per)
	}
}

func BenchmarkValuesNew(b *testing.B) {
	s := &Schema{Type: Struct}
	var a Values
	b.ReportAllocs()
	for b.Loop() {
		_ = a.New(s, 8)
	}
}
