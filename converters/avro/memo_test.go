package avro

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// The source block's encoder copies the fields it wrote last time
// (internal/fieldmemo): every envelope of a sequence whose source block
// changes at random, in some fields only (new boxes, equal text in new
// boxes, nulls), decodes (goavro) to the source block it was given.
func TestSourceMemoEncodesEachSourceBlock(t *testing.T) {
	f := newFixture()
	reg := newMemRegistry()
	c := newConv(t, reg, false)
	rng := rand.New(rand.NewSource(1))
	_, env := f.full(1)
	src := env.Values[2].(*change.Value)
	cur := append([]any(nil), src.Values...)
	for r := 0; r < 500; r++ {
		for i, fl := range f.source.Fields {
			if rng.Intn(5) != 0 {
				continue
			}
			switch k := rng.Intn(1000); {
			case fl.Schema.Optional && k%4 == 0:
				cur[i] = nil
			case fl.Schema.Type == change.Int64 || fl.Schema.Type == change.Int32:
				cur[i] = int64(k * (1 + k%3*1_000_003))
			case k%4 == 1:
				cur[i] = strings.Clone("same text")
			default:
				cur[i] = strings.Repeat("é", k%50) + strconv.Itoa(k)
			}
		}
		env.Values[2] = &change.Value{Schema: f.source, Values: append([]any(nil), cur...)}
		out, err := c.Convert(bg, "t", f.env, env)
		if err != nil {
			t.Fatal(err)
		}
		_, native := decodeFramed(t, reg, out)
		got := native.(map[string]any)["source"].(map[string]any)
		for i, fl := range f.source.Fields {
			want := cur[i]
			if want == nil && fl.Schema.HasDefault {
				want = fl.Schema.Default
			}
			v := got[fl.Name]
			if u, ok := v.(map[string]any); ok { // a union's branch
				for _, x := range u {
					v = x
				}
			}
			if n, ok := v.(int32); ok {
				v = int64(n)
			}
			if v != want {
				t.Fatalf("record %d: source.%s = %#v, want %#v", r, fl.Name, v, want)
			}
		}
	}
}
