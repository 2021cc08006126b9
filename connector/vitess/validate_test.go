package vitess

import (
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/offsets"
)

func shardsOf(names ...string) offsets.Vitess {
	var p offsets.Vitess
	for _, n := range names {
		p.Shards = append(p.Shards, offsets.ShardGTID{Keyspace: "ks", Shard: n, GTID: "MariaDB/0-1-5"})
	}
	return p
}

// A VGTID is flagged only when it names a shard the keyspace no longer has;
// the message names what is stored, what is current, and the way out.
func TestCompareShards(t *testing.T) {
	cur := []string{"-80", "80-"}
	for _, c := range []struct {
		stored []string
		want   string // "" for no problem
	}{
		{[]string{"-80", "80-"}, ""},
		{[]string{"80-"}, ""}, // a per-shard connector
		{[]string{""}, ""},    // the keyspace at "current"
		{[]string{"-40", "40-80", "80-"}, "names shards -40,40-80,80- of keyspace ks, which now has shards -80,80- (no longer there: -40,40-80; new: -80;"},
		{[]string{"-"}, "(no longer there: -; new: -80,80-;"},
	} {
		probs := compareShards(shardsOf(c.stored...), cur, "ks", "the stored offset", "offset")
		switch {
		case c.want == "" && len(probs) > 0:
			t.Errorf("%v: %v, want none", c.stored, probs)
		case c.want != "" && (len(probs) != 1 || !strings.Contains(probs[0].Msg, c.want) || !strings.Contains(probs[0].Msg, "snapshot.mode=never")):
			t.Errorf("%v: %v, want one problem with %q and the fix", c.stored, probs, c.want)
		}
	}
}
