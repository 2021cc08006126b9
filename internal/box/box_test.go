package box

import (
	"runtime"
	"testing"
	"unsafe"
)

// Values boxed by an arena read back as the values given, of their type,
// after the arena moved on to new arrays and collections ran; and an arena
// allocates once per chunk.
func TestArenaBoxes(t *testing.T) {
	ints := NewArena[int64](4)
	strs := NewArena[string](3)
	var vals []any
	for i := int64(0); i < 50; i++ {
		vals = append(vals, ints.Box(i*1_000_003-7), strs.Box(string(rune('a'+i%26))+"x"))
		if i%7 == 0 {
			runtime.GC()
		}
	}
	for i, v := range vals {
		n := int64(i / 2)
		switch i % 2 {
		case 0:
			if got, ok := v.(int64); !ok || got != n*1_000_003-7 {
				t.Fatalf("value %d = %#v, want int64 %d", i, v, n*1_000_003-7)
			}
		case 1:
			if got, ok := v.(string); !ok || got != string(rune('a'+n%26))+"x" {
				t.Fatalf("value %d = %#v", i, v)
			}
		}
	}
	if v := vals[0]; v != any(int64(-7)) {
		t.Errorf("a boxed value compares as %v", v)
	}
	a := NewArena[float64](100)
	a.Box(0)
	if n := testing.AllocsPerRun(99, func() { a.Box(1.5) }); n != 0 {
		t.Errorf("boxing within a chunk allocates %v times", n)
	}
}

// Make builds the interface value of a type word and a pointer.
func TestMake(t *testing.T) {
	b := []byte("abc")
	v := Make(Type([]byte(nil)), unsafePointer(&b))
	if got, ok := v.([]byte); !ok || string(got) != "abc" {
		t.Errorf("Make = %#v", v)
	}
}

func unsafePointer(p *[]byte) unsafe.Pointer { return unsafe.Pointer(p) }

// Cells hands out disjoint, capped rows; Text's strings keep their bytes
// when the caller's are overwritten and the shared array moves on; both
// allocate once per chunk.
func TestCellsAndText(t *testing.T) {
	c := Cells{Chunk: 8}
	a, b := c.Cut(3), c.Cut(3)
	a[2], b[0] = "a", "b"
	a = append(a, "grown")
	if b[0] != "b" || cap(c.Cut(0)) != 0 {
		t.Fatalf("appending to one row wrote into the next: %v %v", a, b)
	}
	if big := c.Cut(20); len(big) != 20 {
		t.Fatalf("a row larger than the chunk: %d cells", len(big))
	}
	tx := Text{Chunk: 16}
	var strs []string
	for i := range 40 {
		src := []byte("0123456789"[:i%10])
		strs = append(strs, tx.Copy(src))
		clear(src) // the caller's bytes change under the strings made
	}
	if s := tx.Append(4, func(d []byte) []byte { return append(d, "overlong"...) }); s != "overlong" {
		t.Errorf("an append past its bound = %q", s)
	}
	for i, s := range strs {
		if s != "0123456789"[:i%10] {
			t.Fatalf("string %d = %q", i, s)
		}
	}
	if tx.Copy(nil) != "" {
		t.Error("an empty copy is not empty")
	}
	tx.Copy([]byte("a"))
	if n := testing.AllocsPerRun(5, func() { tx.Copy([]byte("b")) }); n != 0 {
		t.Errorf("copying within a chunk allocates %v times", n)
	}
	if n := testing.AllocsPerRun(5, func() { c.Cut(1) }); n != 0 {
		t.Errorf("cutting within a chunk allocates %v times", n)
	}
}
