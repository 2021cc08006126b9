package jsonconv

import (
	"context"
	"math/rand"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// sourceSequence is n source blocks as a binlog reader makes them: each
// starts from the one before, with some fields given new values (new
// boxes, some with the same text, some null, some long), as rows, events
// and transactions move on.
func sourceSequence(f *envelopeFixture, n int, seed int64) []*change.Value {
	rng := rand.New(rand.NewSource(seed))
	_, env := f.create(1)
	cur := append([]any(nil), env.Values[2].(*change.Value).Values...)
	fresh := func(i int, k int) any {
		switch f.source.Fields[i].Schema.Type {
		case change.Int32:
			return int64(k * 1000)
		case change.Int64:
			switch k % 3 {
			case 0:
				return int64(k) // small: the runtime's static boxes, same word for the same number
			case 1:
				return int64(1_700_000_000_000 + k)
			}
			if f.source.Fields[i].Schema.Optional {
				return nil
			}
			return int64(-k * 1_000_003)
		default:
			switch k % 4 {
			case 0:
				return strings.Clone("same text")
			case 1:
				return "é\"\\\n" + strconv.Itoa(k)
			case 2:
				if f.source.Fields[i].Schema.Optional {
					return nil
				}
			}
			return strings.Repeat("x", k%300)
		}
	}
	out := make([]*change.Value, n)
	for r := range out {
		for i := range cur {
			if rng.Intn(6) == 0 {
				cur[i] = fresh(i, rng.Intn(1000))
			}
		}
		if r%50 == 49 { // a struct too long to hold
			cur[len(cur)-1] = strings.Repeat("q", 5000)
		}
		out[r] = &change.Value{Schema: f.source, Values: append([]any(nil), cur...)}
	}
	return out
}

// A held struct's fields are copied only where the value is the very same:
// every source block of a sequence, alone and inside its envelope, from
// several goroutines at once, is written as a converter that never saw
// another record writes it.
func TestStructMemoWritesWhatAFreshConverterWrites(t *testing.T) {
	f := newEnvelopeFixture()
	for _, schemas := range []bool{false, true} {
		c, err := New(Config{SchemasEnable: schemas})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := 0; g < 3; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, src := range sourceSequence(f, 400, int64(g)) {
					_, env := f.create(7)
					env.Values[2] = src
					for _, in := range []struct {
						s *change.Schema
						v *change.Value
					}{{f.source, src}, {f.env, env}} {
						fresh, _ := New(Config{SchemasEnable: schemas})
						want, err := fresh.Convert(context.Background(), "t", in.s, in.v)
						if err != nil {
							t.Error(err)
							return
						}
						got, err := c.Convert(context.Background(), "t", in.s, in.v)
						if err != nil {
							t.Error(err)
							return
						}
						if string(got) != string(want) {
							t.Errorf("schemas %v: got\n%s\nwant\n%s", schemas, got, want)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
	}
}

// The memo copies text: a source block that repeats all but source.row is
// written from it, and a struct whose values are new every time (a row)
// turns its memo off.
func TestStructMemoHoldsRepeatsAndGivesUpOnRows(t *testing.T) {
	f := newEnvelopeFixture()
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := c.compiled(f.env)
	if err != nil {
		t.Fatal(err)
	}
	if cs.plan.fields[2].p.memo == nil {
		t.Fatal("the envelope's source block has no memo")
	}
	if cs.plan.fields[1].p.memo != nil {
		t.Fatal("a row with a decimal field has a memo; only plain fields may")
	}
	_, env := f.create(1)
	src := env.Values[2].(*change.Value)
	for r := 0; r < 50; r++ {
		s := &change.Value{Schema: f.source, Values: append([]any(nil), src.Values...)}
		s.Values[14] = int64(1000 + r) // source.row, a new box every time
		b, err := c.Append(nil, "t", f.source, s)
		if err != nil {
			t.Fatal(err)
		}
		if want := `,"row":` + strconv.Itoa(1000+r) + `,`; !strings.Contains(string(b), want) {
			t.Fatalf("row %d: %s lacks %s", r, b, want)
		}
	}
	scs, err := c.compiled(f.source)
	if err != nil {
		t.Fatal(err)
	}
	if m := scs.plan.memo; m.Off() || !m.Holds(0, src.Values[0]) {
		t.Fatalf("the source block's memo let go (off %v)", m.Off())
	}

	keySchema := structSchema("k", false, field("a", prim(change.Int64)), field("b", prim(change.String)),
		field("c", prim(change.String)), field("d", prim(change.Float64)))
	for r := 0; r < 17; r++ {
		v := value(keySchema, int64(1e9+r), "k"+strconv.Itoa(r), strings.Repeat("c", r), float64(r)+0.5)
		if _, err := c.Append(nil, "t", keySchema, v); err != nil {
			t.Fatal(err)
		}
	}
	kcs, err := c.compiled(keySchema)
	if err != nil {
		t.Fatal(err)
	}
	if m := kcs.plan.memo; m == nil || !m.Off() {
		t.Fatal("a struct with new values every time kept its memo")
	}
}
