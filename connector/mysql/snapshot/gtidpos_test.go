package snapshot

import (
	"errors"
	"fmt"
	"testing"
)

// Ranges at the same position ask the server once; a new position, or a
// lookup that failed, asks again.
func TestGTIDPositionsAskOncePerPosition(t *testing.T) {
	var g gtidPositions
	var asked []string
	fail := false
	query := func(file string, pos uint64) (string, error) {
		asked = append(asked, fmt.Sprintf("%s:%d", file, pos))
		if fail {
			return "", errors.New("server gone")
		}
		return fmt.Sprintf("0-1-%d", pos), nil
	}
	steps := []struct {
		file  string
		pos   uint64
		fail  bool
		want  string
		asked int
	}{
		{"b.000001", 100, false, "0-1-100", 1},
		{"b.000001", 100, false, "0-1-100", 1},
		{"b.000001", 200, false, "0-1-200", 2},
		{"b.000002", 200, false, "0-1-200", 3},
		{"b.000002", 300, true, "", 4},
		{"b.000002", 300, false, "0-1-300", 5},
		{"b.000002", 300, false, "0-1-300", 5},
	}
	for i, st := range steps {
		fail = st.fail
		got, err := g.lookup(st.file, st.pos, query)
		if (err != nil) != st.fail || got != st.want || len(asked) != st.asked {
			t.Errorf("step %d (%s:%d): %q, %v after asking %v; want %q and %d questions", i, st.file, st.pos, got, err, asked, st.want, st.asked)
		}
	}
}
