package snapshot

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
)

// The server's answers in the test below: BINLOG_GTID_POS is "0-1-<pos>"
// and the events between two positions carry the GTIDs the test sets.
type fakeGTIDServer struct {
	asked  []string
	events []string // what since returns
	ok     bool
	err    error
}

func (f *fakeGTIDServer) source() gtidSource {
	return gtidSource{
		full: func(file string, pos uint64) (string, error) {
			f.asked = append(f.asked, fmt.Sprintf("full %s:%d", file, pos))
			return fmt.Sprintf("0-1-%d", pos), nil
		},
		since: func(file string, from, to uint64) ([]string, bool, error) {
			f.asked = append(f.asked, fmt.Sprintf("since %s:%d-%d", file, from, to))
			return f.events, f.ok, f.err
		},
	}
}

// Ranges at the same position ask nothing more; a later position in the
// same file reads only the events since, unless the gap is over half the
// position; anything since cannot read falls back to BINLOG_GTID_POS, and
// an error from it (a privilege) stops asking it.
func TestGTIDPositionsAskOnlyWhatMoved(t *testing.T) {
	var g gtidPositions
	f := &fakeGTIDServer{ok: true}
	steps := []struct {
		name   string
		file   string
		pos    uint64
		events []string
		ok     bool
		err    error
		want   string
		asked  string
	}{
		{"first", "b.1", 1000, nil, true, nil, "0-1-1000", "full b.1:1000"},
		{"same position", "b.1", 1000, nil, true, nil, "0-1-1000", ""},
		{"later, two domains", "b.1", 1200, []string{"1-2-7", "0-1-1100", "1-2-8"}, true, nil, "0-1-1100,1-2-8", "since b.1:1000-1200"},
		{"later still", "b.1", 1300, []string{"2-1-1"}, true, nil, "0-1-1100,1-2-8,2-1-1", "since b.1:1200-1300"},
		{"gap over half the position", "b.1", 2700, nil, true, nil, "0-1-2700", "full b.1:2700"},
		{"another file", "b.2", 3000, nil, true, nil, "0-1-3000", "full b.2:3000"},
		{"earlier position", "b.2", 2900, nil, true, nil, "0-1-2900", "full b.2:2900"},
		{"events not understood", "b.2", 3100, nil, false, nil, "0-1-3100", "since b.2:2900-3100, full b.2:3100"},
		{"a GTID not understood", "b.2", 3200, []string{"x-1-2"}, true, nil, "0-1-3200", "since b.2:3100-3200, full b.2:3200"},
		{"no privilege", "b.2", 3300, nil, false, errors.New("denied"), "0-1-3300", "since b.2:3200-3300, full b.2:3300"},
		{"not asked again", "b.2", 3400, nil, true, nil, "0-1-3400", "full b.2:3400"},
	}
	for _, st := range steps {
		f.asked, f.events, f.ok, f.err = nil, st.events, st.ok, st.err
		got, err := g.lookup(st.file, st.pos, f.source(), zap.NewNop())
		if err != nil || got != st.want || strings.Join(f.asked, ", ") != st.asked {
			t.Errorf("%s (%s:%d): %q, %v after asking [%s]; want %q after [%s]",
				st.name, st.file, st.pos, got, err, strings.Join(f.asked, ", "), st.want, st.asked)
		}
	}
}

func TestGTIDOfEvent(t *testing.T) {
	for info, want := range map[string]string{
		"BEGIN GTID 0-1-5":                "0-1-5",
		"GTID 0-1-6":                      "0-1-6",
		"BEGIN GTID 10-20-30 cid=1234":    "10-20-30",
		"XA START X'78',X'',1 GTID 0-1-8": "0-1-8",
		"BEGIN":                           "",
		"GTID 0-1":                        "",
	} {
		got, ok := gtidOfEvent(info)
		if got != want || ok != (want != "") {
			t.Errorf("gtidOfEvent(%q) = %q, %v; want %q", info, got, ok, want)
		}
	}
}
