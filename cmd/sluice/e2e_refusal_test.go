package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// opsAndV sums change events up as "op:v ..." (v of the after image).
func opsAndV(t *testing.T, recs []record) string {
	t.Helper()
	var got []string
	for _, r := range recs {
		p := payload(t, r.Value)
		after, _ := p["after"].(map[string]any)
		got = append(got, fmt.Sprintf("%v:%v", p["op"], after["v"]))
	}
	return strings.Join(got, " ")
}

// waitRefused waits for a daemon that must stop on its own and checks
// that it failed with every one of wants in its output.
func waitRefused(t *testing.T, sl *daemon, wants ...string) string {
	t.Helper()
	select {
	case <-sl.Done:
	case <-time.After(90 * time.Second):
		t.Fatalf("the daemon still runs 90 s after start; log:\n%s", tail(sl.Stderr.String(), 3000))
	}
	out := sl.Stderr.String()
	for _, w := range wants {
		if sl.Err == nil || !strings.Contains(out, w) {
			t.Fatalf("exit %v; want an error with %q, log:\n%s", sl.Err, w, tail(out, 3000))
		}
	}
	return out
}
