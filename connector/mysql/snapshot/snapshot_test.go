package snapshot

import (
	"math"
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

// Keys near the ends of BIGINT: a sentinel row at 2^63-1, or random
// signed 64-bit keys, whose span does not fit an int64. Before the fix
// the bound wrapped around to negative and the loop never ended,
// appending bounds until memory ran out.
func TestRangeBoundsExtremeKeys(t *testing.T) {
	for _, c := range []struct {
		lo, hi, n int64
		want      []int64
	}{
		{1, math.MaxInt64, 2, []int64{1 + math.MaxInt64/2, 1 + 2*(math.MaxInt64/2)}},
		{math.MaxInt64 - 5, math.MaxInt64, 3, []int64{math.MaxInt64 - 3, math.MaxInt64 - 1}},
		{math.MinInt64, math.MaxInt64, 4, []int64{math.MinInt64 / 2, 0, math.MaxInt64/2 + 1}},
		{-9e18, 9e18, 3, []int64{-3e18, 3e18, 9e18}},
		{math.MinInt64, math.MinInt64 + 2, 2, []int64{math.MinInt64 + 1, math.MinInt64 + 2}},
	} {
		got := rangeBounds(c.lo, c.hi, c.n)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("rangeBounds(%d, %d, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
		}
	}
}
