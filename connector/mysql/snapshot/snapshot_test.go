package snapshot

import (
	"reflect"
	"testing"
)

func TestRangeBounds(t *testing.T) {
	for _, c := range []struct {
		lo, hi, n int64
		want      []int64
	}{
		{1, 100, 4, []int64{26, 51, 76}},
		{0, 9, 3, []int64{3, 6, 9}}, // the last range holds key 9 alone
		{-10, 9, 2, []int64{0}},
		{5, 5, 3, nil},            // one key: one range
		{1, 3, 10, []int64{2, 3}}, // fewer keys than ranges: one key each
		{100, 1000, 1, []int64{}}, // one range
		{7, 10, 1_000_000, []int64{8, 9, 10}},
	} {
		got := rangeBounds(c.lo, c.hi, c.n)
		if len(got) == 0 && len(c.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("rangeBounds(%d, %d, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
		}
	}
}
