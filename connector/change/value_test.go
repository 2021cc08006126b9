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
