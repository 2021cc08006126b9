package binlog

import (
	"net"
	"testing"
	"time"
)

type deadlineRecorder struct {
	net.Conn
	set []time.Time
}

func (r *deadlineRecorder) SetReadDeadline(d time.Time) error { r.set = append(r.set, d); return nil }

func TestCoarseDeadlineConn(t *testing.T) {
	rec := &deadlineRecorder{}
	c := &coarseDeadlineConn{Conn: rec, slack: time.Second}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		d    time.Time
		want time.Time // zero: no call expected
	}{
		{t0.Add(30 * time.Second), t0.Add(30 * time.Second)},                                         // first: exact
		{t0.Add(30*time.Second + 10*time.Millisecond), t0.Add(31*time.Second + 10*time.Millisecond)}, // later: rounded up
		{t0.Add(31 * time.Second), time.Time{}},                                                      // within the deadline in force: skipped
		{t0.Add(31*time.Second + 10*time.Millisecond), time.Time{}},                                  // still within
		{t0.Add(31*time.Second + 20*time.Millisecond), t0.Add(32*time.Second + 20*time.Millisecond)},
		{t0.Add(100 * time.Millisecond), t0.Add(100 * time.Millisecond)}, // earlier (Close): exact
		{time.Time{}, time.Time{}},                                       // cleared: applied
	}
	for i, s := range steps {
		n := len(rec.set)
		if err := c.SetReadDeadline(s.d); err != nil {
			t.Fatal(err)
		}
		if i == len(steps)-1 {
			if len(rec.set) != n+1 || !rec.set[n].IsZero() {
				t.Fatalf("step %d: clearing the deadline was not applied: %v", i, rec.set[n:])
			}
			continue
		}
		switch {
		case s.want.IsZero() && len(rec.set) != n:
			t.Fatalf("step %d: deadline %v set as %v, want no call", i, s.d, rec.set[n])
		case !s.want.IsZero() && (len(rec.set) != n+1 || !rec.set[n].Equal(s.want)):
			t.Fatalf("step %d: deadline %v: calls %v, want one with %v", i, s.d, rec.set[n:], s.want)
		}
	}
}
