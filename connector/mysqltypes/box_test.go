package mysqltypes

import (
	"bytes"
	"runtime"
	"testing"
)

// A boxed []byte is an ordinary []byte to whoever reads the interface,
// holds its own copy of the bytes, and survives collections.
func TestBoxBytes(t *testing.T) {
	src := []byte{1, 2, 3}
	var boxes []any
	for n := 0; n <= 8; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(n*10 + i)
		}
		boxes = append(boxes, boxBytes(b))
	}
	v := boxBytes(src)
	src[0] = 9
	runtime.GC()
	if got, ok := v.([]byte); !ok || !bytes.Equal(got, []byte{1, 2, 3}) || cap(got) != 3 {
		t.Errorf("boxBytes([1 2 3]) = %#v (cap %d), want its own [1 2 3]", v, cap(got))
	}
	for n, bx := range boxes {
		got := bx.([]byte)
		if len(got) != n {
			t.Fatalf("box %d holds %d bytes", n, len(got))
		}
		for i, c := range got {
			if c != byte(n*10+i) {
				t.Errorf("box %d byte %d = %d", n, i, c)
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { v = boxBytes(src) }); n != 1 {
		t.Errorf("boxBytes allocates %v times, want 1", n)
	}
}
