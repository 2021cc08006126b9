package jsonconv

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Records of several schemas, in runs and interleaved, from several
// goroutines, are written with their own schema whatever the schema
// compiled last was.
func TestSchemaCompiledLastServesOnlyItself(t *testing.T) {
	i32, str := &change.Schema{Type: change.Int32}, &change.Schema{Type: change.String}
	schemas := []*change.Schema{
		{Type: change.Struct, Name: "a.Value", Fields: []change.Field{{Name: "id", Schema: i32}, {Name: "s", Schema: str}}},
		{Type: change.Struct, Name: "b.Value", Fields: []change.Field{{Name: "s", Schema: str}, {Name: "id", Schema: i32}}},
		{Type: change.Struct, Name: "c.Value", Fields: []change.Field{{Name: "id", Schema: i32}}},
	}
	value := func(s *change.Schema, n int) (*change.Value, string) {
		switch s.Name {
		case "a.Value":
			return &change.Value{Schema: s, Values: []any{int64(n), "x"}}, fmt.Sprintf(`{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":false,"field":"s"}],"optional":false,"name":"a.Value"},"payload":{"id":%d,"s":"x"}}`, n)
		case "b.Value":
			return &change.Value{Schema: s, Values: []any{"x", int64(n)}}, fmt.Sprintf(`{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"s"},{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"b.Value"},"payload":{"s":"x","id":%d}}`, n)
		}
		return &change.Value{Schema: s, Values: []any{int64(n)}}, fmt.Sprintf(`{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"c.Value"},"payload":{"id":%d}}`, n)
	}
	c, err := New(Config{SchemasEnable: true})
	if err != nil {
		t.Fatal(err)
	}
	order := []int{0, 0, 1, 0, 1, 1, 2, 0, 2, 2, 1}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 300 {
				s := schemas[order[(n+g)%len(order)]]
				v, want := value(s, n)
				got, err := c.Convert(context.Background(), "t", s, v)
				if err != nil || string(got) != want {
					t.Errorf("%s record %d: %s (%v)\nwant %s", s.Name, n, got, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
