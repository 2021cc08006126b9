package binlog

import "testing"

// A stream moving off a taken random id gets one of the random range that
// no other stream of the same server holds; another server's ids do not
// count; with the range used up it keeps its id rather than take one.
func TestAnotherReplicaID(t *testing.T) {
	r := &replicaIDSet{held: map[string]map[uint32]int{}}
	for id := uint32(randomIDLow); id < randomIDLow+randomIDCount; id++ {
		if id != 5500 && id != 6000 {
			r.hold("a:1", id)
		}
	}
	r.hold("b:1", 6000)
	r.hold("a:1", 6000) // the moving stream's own
	got := r.another("a:1", 6000)
	if got != 5500 {
		t.Fatalf("another = %d, want 5500, the one id of the range nobody holds", got)
	}
	if r.held["a:1"][6000] != 0 || r.held["a:1"][5500] != 1 || r.held["b:1"][6000] != 1 {
		t.Fatalf("held after the move: a:1 6000=%d 5500=%d, b:1 6000=%d; want 0, 1, 1",
			r.held["a:1"][6000], r.held["a:1"][5500], r.held["b:1"][6000])
	}
	if got := r.another("a:1", 5500); got != 6000 {
		t.Fatalf("another = %d, want 6000, freed by the last move", got)
	}
	r.hold("a:1", 5500)
	if got := r.another("a:1", 6000); got != 6000 {
		t.Fatalf("another with the range used up = %d, want the old id 6000", got)
	}
	for range 100 {
		if got := (&replicaIDSet{held: map[string]map[uint32]int{}}).another("a:1", 5400); got < randomIDLow || got >= randomIDLow+randomIDCount || got == 5400 {
			t.Fatalf("another = %d, want an id of 5400-6399 other than 5400", got)
		}
	}
}
