package jsonconv

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

// A string field writes what it would without its memo: the same string
// again, an equal string elsewhere in memory, another of the same length,
// short and huge strings, from several goroutines at once.
func TestLongStringsWrittenAsWithoutMemo(t *testing.T) {
	str := &change.Schema{Type: change.String}
	s := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{{Name: "a", Schema: str}, {Name: "b", Schema: str}}}
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	vgtid := `[{"keyspace":"ks","shard":"-80","gtid":"MariaDB/0-1-12345"},{"keyspace":"ks","shard":"80-","gtid":"MariaDB/0-1-6"}]`
	other := strings.Replace(vgtid, "12345", "54321", 1) // same length
	values := []string{vgtid, vgtid, vgtid, strings.Clone(vgtid), other, other, vgtid, "short \"one\"",
		strings.Repeat(`"\`, 3000), strings.Repeat("é\n", 40), vgtid}
	want := func(a, b string) string {
		return `{"a":` + string(appendString(nil, a)) + `,"b":` + string(appendString(nil, b)) + `}`
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				a, b := values[(n+g)%len(values)], values[(n*7+g)%len(values)]
				got, err := c.Convert(context.Background(), "t", s, &change.Value{Schema: s, Values: []any{a, b}})
				if err != nil {
					t.Error(err)
					return
				}
				if string(got) != want(a, b) {
					t.Errorf("wrote %s\nwant  %s", got, want(a, b))
					return
				}
			}
		}()
	}
	wg.Wait()
}
