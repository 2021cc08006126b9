package jsonconv

import (
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// Whatever the values and however many goroutines share the field, the
// memo writes what strconv does.
func TestIntMemoWritesEveryNumber(t *testing.T) {
	var m intMemo
	vals := []int64{0, 7, -7, 99_999_999, 100_000_000, -100_000_000, 1764800000123, 1764800000123456789,
		math.MaxInt64, math.MinInt64, -1764800000123}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 1))
			var b []byte
			for i := 0; i < 5000; i++ {
				n := vals[r.IntN(len(vals))]
				if r.IntN(4) == 0 {
					n = r.Int64() - math.MaxInt64/2
				}
				b = m.append(b[:0], n)
				if got, want := string(b), strconv.FormatInt(n, 10); got != want {
					t.Errorf("append(%d) = %s", n, got)
					return
				}
			}
		}(uint64(g))
	}
	wg.Wait()
}

// Runs of repeated long numbers, the memo's case: every number written
// right, the memo in use throughout.
func TestIntMemoRuns(t *testing.T) {
	var m intMemo
	r := rand.New(rand.NewPCG(7, 7))
	vals := []int64{1764800000123, 1764800000124, -1764800000123, 1764800000123456789, 100_000_007}
	var b []byte
	for i := 0; i < 2000; i++ {
		n := vals[r.IntN(len(vals))]
		for range 2 + r.IntN(5) {
			b = m.append(b[:0], n)
			if got, want := string(b), strconv.FormatInt(n, 10); got != want {
				t.Fatalf("append(%d) = %s", n, got)
			}
		}
	}
	if m.misses.Load() >= intMemoTries {
		t.Error("the memo gave up on runs of repeated numbers")
	}
}

// A field whose long numbers repeat (a clock reading shared by a batch of
// records) keeps its memo, and writes a repeat without allocating; one
// whose numbers keep changing gives up after intMemoTries misses in a row
// and then allocates nothing either.
func TestIntMemoRemembersRepeatsOnly(t *testing.T) {
	var ts intMemo
	b := make([]byte, 0, 64)
	for i := int64(0); i < 100; i++ {
		for j := 0; j < 32; j++ {
			b = ts.append(b[:0], 1764800000123456+i)
		}
	}
	if ts.misses.Load() >= intMemoTries {
		t.Fatal("a field that repeats each value 32 times gave its memo up")
	}
	if n := testing.AllocsPerRun(100, func() { b = ts.append(b[:0], 1764800000123555) }); n != 0 {
		t.Errorf("a repeated number allocates %v times", n)
	}
	var pos intMemo
	for i := int64(0); i < intMemoTries; i++ {
		b = pos.append(b[:0], 1e9+i)
	}
	next := int64(2e9)
	if n := testing.AllocsPerRun(100, func() { next++; b = pos.append(b[:0], next) }); n != 0 {
		t.Errorf("a field of ever-changing numbers still allocates %v times a number", n)
	}
	if string(b) != strconv.FormatInt(next, 10) {
		t.Errorf("after giving up: %s, want %d", b, next)
	}
}
