package main

import (
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/config"
)

// A random database.server.id that another connector of the daemon already
// has on the same server is drawn again; a given one is refused, naming the
// other connector; another server, or Vitess, shares nothing.
func TestReplicaIDClaims(t *testing.T) {
	var out strings.Builder
	r := replicaIDClaims{}
	conn := func(name string, id uint32, random bool) *config.Connector {
		return &config.Connector{Name: name, Source: name + ".json", Hostname: "db", Port: 3306, ServerID: id, ServerIDRandom: random}
	}
	if !r.claim(conn("a", 5400, true), &out) {
		t.Fatal("the first claim was refused")
	}
	b := conn("b", 5400, true)
	if !r.claim(b, &out) || b.ServerID != 5401 || !strings.Contains(out.String(), "the random id 5400 is connector a's; using 5401") {
		t.Fatalf("random id drawn again: %d, %q", b.ServerID, out.String())
	}
	if r.claim(conn("c", 5401, false), &out) || !strings.Contains(out.String(), "database.server.id 5401 is also connector b's, on the same server db:3306") {
		t.Fatalf("a given id another connector has was not refused: %q", out.String())
	}
	other := conn("d", 5400, false)
	other.Hostname = "db2"
	vt := conn("e", 5400, false)
	vt.Raw = config.Properties{"sluice.vitess.target": "ks:0"}
	if !r.claim(other, &out) || !r.claim(vt, &out) {
		t.Fatalf("another server's or a Vitess target's id was refused: %q", out.String())
	}
}
