package server

import (
	"testing"
	"time"
)

// TestSourceGTID: only Debezium's MySQL class on a MariaDB server leaves
// source.gtid null; every other pairing writes the transaction's GTID.
func TestSourceGTID(t *testing.T) {
	for _, c := range []struct {
		flavor, server, gtid string
		want                 any
	}{
		{"mysql", "mariadb", "0-1-5", nil},
		{"mysql", "mysql", "3e11fa47-71ca-11e1-9e33-c80aa9429562:5", "3e11fa47-71ca-11e1-9e33-c80aa9429562:5"},
		{"mariadb", "mariadb", "0-1-5", "0-1-5"},
		{"mariadb", "", "0-1-5", "0-1-5"},
		{"mysql", "", "", nil},
	} {
		cfg := &Config{Flavor: c.flavor, ServerFlavor: c.server}
		if got := cfg.SourceGTID(c.gtid); got != c.want {
			t.Errorf("class %s, server %q: SourceGTID(%q) = %v, want %v", c.flavor, c.server, c.gtid, got, c.want)
		}
	}
}

// snapshot.lock.timeout.ms becomes lock_wait_timeout as Debezium sets it:
// whole seconds, so under a second is no wait; unset is Debezium's 10 s.
func TestLockWaitSeconds(t *testing.T) {
	for in, want := range map[time.Duration]int64{0: 10, 500 * time.Millisecond: 0, 1500 * time.Millisecond: 1, time.Minute: 60} {
		if got := (SnapshotConfig{LockTimeout: in}).LockWaitSeconds(); got != want {
			t.Errorf("LockWaitSeconds(%v) = %d, want %d", in, got, want)
		}
	}
}
