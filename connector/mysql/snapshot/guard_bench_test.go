package snapshot

import (
	"runtime"
	"testing"
)

// BenchmarkGuardMemory reports the heap a guard holds per key after reading
// a range of 200,000 integer keys again, the cost of a larger range after a
// crash: `go test -run X -bench GuardMemory ./connector/mysql/snapshot`.
func BenchmarkGuardMemory(b *testing.B) {
	const keys = 200_000
	tt := testTable("app", "t", 1)
	batch := make([][]any, 512)
	var held []*guard
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < b.N; i++ {
		g, err := newGuard("mariadb", Chunk{Table: "app.t", GTIDs: "0-1-12"})
		if err != nil {
			b.Fatal(err)
		}
		for lo := int64(0); lo < keys; lo += int64(len(batch)) {
			for j := range batch {
				batch[j] = row(lo+int64(j), "")
			}
			g.collect(&snapTable{table: tt}, batch)
		}
		held = append(held, g)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(b.N*keys), "heapB/key")
	runtime.KeepAlive(held)
}
