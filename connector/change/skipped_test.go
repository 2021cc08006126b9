package change

import (
	"reflect"
	"testing"
)

func TestParseSkippedOperations(t *testing.T) {
	cases := []struct {
		in   string
		want []Op
		err  bool
	}{
		{"t", []Op{OpTruncate}, false},
		{"none", nil, false},
		{" none ", nil, false},
		{"c, d,u", []Op{OpCreate, OpDelete, OpUpdate}, false},
		{"t,", []Op{OpTruncate}, false},
		{"x", nil, true},
		{"T", nil, true},
		{",t", nil, true},
		{"none,t", nil, true},
		{"c,truncate", nil, true},
	}
	for _, c := range cases {
		got, err := ParseSkippedOperations(c.in)
		if (err != nil) != c.err {
			t.Errorf("ParseSkippedOperations(%q) error = %v, want error %v", c.in, err, c.err)
			continue
		}
		if c.err {
			continue
		}
		want := map[Op]bool{}
		for _, op := range c.want {
			want[op] = true
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParseSkippedOperations(%q) = %v, want %v", c.in, got, want)
		}
	}
}
