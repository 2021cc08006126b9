package fieldmemo

import (
	"errors"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// write is a field writer whose text shows the field, its value and its
// type.
func write(b []byte, i int, v any) ([]byte, error) {
	return fmt.Appendf(b, "|%d=%T:%v", i, v, v), nil
}

func fresh(vals []any) string {
	var b []byte
	for i, v := range vals {
		b, _ = write(b, i, v)
	}
	return string(b)
}

// Every struct of a sequence whose fields change at random (new boxes,
// equal text in new boxes, nulls, a text too long to hold) is written as
// without a Memo: alone, then from several goroutines sharing one (each
// other's structs differ in most fields: the Memo may turn off).
func TestAppendWritesWhatTheWriterWrites(t *testing.T) {
	var m Memo
	sequence(t, &m, 0)
	if m.Off() {
		t.Fatal("a Memo reusing most fields turned off")
	}
	var wg sync.WaitGroup
	for g := 1; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sequence(t, &m, g)
		}()
	}
	wg.Wait()
}

func sequence(t *testing.T, m *Memo, g int) {
	rng := rand.New(rand.NewSource(int64(g)))
	cur := make([]any, 17)
	for i := range cur {
		cur[i] = "v" + strconv.Itoa(i)
	}
	for r := 0; r < 2000; r++ {
		for i := range cur {
			switch rng.Intn(13) {
			case 0:
				cur[i] = int64(rng.Intn(300)) // small ones share the runtime's boxes
			case 4:
				cur[i] = int32(rng.Intn(300)) // and those of other types
			case 1:
				cur[i] = strings.Clone("same text")
			case 2:
				cur[i] = nil
			case 3:
				cur[i] = strings.Repeat("x", rng.Intn(400))
			}
		}
		if r%100 == 99 {
			cur[3] = strings.Repeat("q", maxText)
		}
		b, ok, err := m.Append([]byte("prefix"), cur, write)
		if err != nil {
			t.Error(err)
			return
		}
		if !ok && g == 0 {
			t.Errorf("struct %d: passed by with no other goroutine", r)
			return
		}
		if ok && string(b) != "prefix"+fresh(cur) {
			t.Errorf("struct %d: got\n%s\nwant\n%s", r, b, "prefix"+fresh(cur))
			return
		}
	}
}

// A struct differing in one field from the held one is written, not held;
// one differing in more is held; a write error is returned and nothing
// held.
func TestWhatIsHeld(t *testing.T) {
	var m Memo
	vals := []any{"a", "b", "c", "d", int64(1_000_000)}
	if _, ok, _ := m.Append(nil, vals, write); !ok {
		t.Fatal("a new Memo passed a struct by")
	}
	one := append([]any(nil), vals...)
	one[4] = int64(2_000_000)
	if b, _, _ := m.Append(nil, one, write); string(b) != fresh(one) {
		t.Fatalf("got %s", b)
	}
	if !m.Holds(4, vals[4]) {
		t.Fatal("a struct differing in one field was held")
	}
	two := append([]any(nil), one...)
	two[0] = "z"
	m.Append(nil, two, write)
	if !m.Holds(0, two[0]) || !m.Holds(4, two[4]) {
		t.Fatal("a struct differing in two fields was not held")
	}
	bad := errors.New("no")
	three := []any{"q", "r", "s", "t", "u"}
	_, _, err := m.Append(nil, three, func(b []byte, i int, v any) ([]byte, error) {
		if i == 2 {
			return b, bad
		}
		return write(b, i, v)
	})
	if !errors.Is(err, bad) || !m.Holds(0, two[0]) {
		t.Fatalf("a failed struct: err %v, held struct replaced %v", err, !m.Holds(0, two[0]))
	}
}

// Structs with new values every time turn the Memo off after tries of
// them, not counting the first; one too long is not held.
func TestOffAndTooLong(t *testing.T) {
	var m Memo
	long := []any{strings.Repeat("l", maxText), "b", "c", "d"}
	m.Append(nil, long, write)
	if m.Holds(1, long[1]) {
		t.Fatal("a text longer than maxText was held")
	}
	// The first is held (nothing to compare with), then tries poor ones.
	for r := 0; r <= tries; r++ {
		if m.Off() {
			t.Fatalf("off after %d poor structs", r)
		}
		vals := []any{int64(1e9 + r), strconv.Itoa(r), strconv.Itoa(r + 1), strconv.Itoa(r + 2)}
		if b, _, _ := m.Append(nil, vals, write); string(b) != fresh(vals) {
			t.Fatalf("got %s", b)
		}
	}
	if !m.Off() {
		t.Fatalf("still on after %d poor structs", tries)
	}
	if _, ok, _ := m.Append(nil, long, write); ok {
		t.Fatal("an off Memo wrote a struct")
	}
}

// A struct of another length than the held one (the converters never pass
// one: they check each struct against its schema first) is written whole.
func TestAnotherLength(t *testing.T) {
	var m Memo
	five := []any{"a", "b", "c", "d", "e"}
	m.Append(nil, five, write)
	for _, vals := range [][]any{five[:4], five, append(five, "f")} {
		if b, _, _ := m.Append(nil, vals, write); string(b) != fresh(vals) {
			t.Fatalf("got %s, want %s", b, fresh(vals))
		}
	}
}

// Worth: structs of four to 64 plain fields, nothing else.
func TestWorth(t *testing.T) {
	plain := func(types ...change.Type) *change.Schema {
		s := &change.Schema{Type: change.Struct}
		for i, ty := range types {
			s.Fields = append(s.Fields, change.Field{Name: strconv.Itoa(i), Schema: &change.Schema{Type: ty, Optional: i%2 == 0}})
		}
		return s
	}
	all := []change.Type{change.Int8, change.Int16, change.Int32, change.Int64, change.Float32, change.Float64, change.Boolean, change.String}
	wide := plain()
	for len(wide.Fields) < MaxFields+1 {
		wide.Fields = append(wide.Fields, change.Field{Name: strconv.Itoa(len(wide.Fields)), Schema: &change.Schema{Type: change.String}})
	}
	for _, c := range []struct {
		s    *change.Schema
		want bool
	}{
		{plain(all...), true},
		{plain(change.String, change.String, change.Int64, change.Bytes), false},
		{plain(change.String, change.String, change.Int64, change.Struct), false},
		{plain(change.String, change.String, change.Int64, change.Array), false},
		{plain(change.String, change.String, change.Int64), false},
		{&change.Schema{Type: change.Struct, Fields: wide.Fields[:MaxFields]}, true},
		{wide, false},
		{&change.Schema{Type: change.String}, false},
	} {
		if got := Worth(c.s); got != c.want {
			t.Errorf("Worth(%s of %d fields) = %v", c.s.Type, len(c.s.Fields), got)
		}
	}
}
