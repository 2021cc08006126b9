package sidebyside

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/twmb/franz-go/pkg/kadm"
)

// copySide is a pair as the wait for its snapshot (or Vitess copy) sees it.
type copySide struct {
	// debezium points at the pair's Debezium connector name (its topic
	// prefix); recreating the connector changes it.
	debezium *string
	sluice   string
	// cfg is the Debezium connector's configuration, to recreate it.
	cfg map[string]string
	// topics follows a prefix in the names of the topics counted.
	topics string
	want   int
}

// waitForCopies waits until every side of every pair has written its
// snapshot records. Debezium is the reference here, and it can hang: the
// Apicurio converter's HTTP client (JDK HttpClient, no request timeout)
// once waited four minutes for the answer to a schema registration the
// registry had logged as answered, and the task stayed RUNNING with one
// record missing. So when the time is up and only Debezium sides are
// short, their tasks RUNNING and every Sluice side complete, those
// connectors are recreated once, under a name of the same length, and
// waited for again; the test says so. Anything else fails as waitFor does.
func waitForCopies(t *testing.T, e env, adm *kadm.Client, sides []copySide, timeout time.Duration, what string, keep bool, slog *conformance.SyncBuffer) {
	t.Helper()
	var short []int
	cond := func() (bool, string) {
		var status []string
		short = short[:0]
		sluiceDone := true
		for i, s := range sides {
			d, n := countRecords(adm, *s.debezium+s.topics), countRecords(adm, s.sluice+s.topics)
			status = append(status, fmt.Sprintf("%s %d/%d, %s %d/%d", *s.debezium, d, s.want, s.sluice, n, s.want))
			if d < s.want {
				short = append(short, i)
			}
			sluiceDone = sluiceDone && n >= s.want
		}
		if !sluiceDone {
			// Never recreate a reference while Sluice is behind.
			short = append(short, -1)
		}
		return len(short) == 0, strings.Join(status, ", ")
	}
	for attempt := 0; ; attempt++ {
		ok, status := waitUntil(e, sidePairs(sides), timeout, cond)
		if ok {
			return
		}
		if attempt > 0 || !referenceStalled(short, status) {
			t.Fatalf("waiting for %s: %s\nsluice log (tail):\n%s", what, status, conformance.Tail(slog.String(), 2000))
		}
		for _, i := range short {
			old := *sides[i].debezium
			recreateReference(t, e, adm, &sides[i], keep)
			t.Logf("Debezium's %s stalled in its snapshot (%s after %s; the test's reference hung, not Sluice): recreated as %s",
				old, status, timeout, *sides[i].debezium)
		}
	}
}

// referenceStalled: the sides short are Debezium's only (no -1) and no
// task has failed (a failed task is a finding, not a hang).
func referenceStalled(short []int, status string) bool {
	for _, i := range short {
		if i < 0 {
			return false
		}
	}
	return len(short) > 0 && !strings.Contains(status, " FAILED ")
}

func sidePairs(sides []copySide) []pair {
	out := make([]pair, len(sides))
	for i, s := range sides {
		out[i] = pair{debezium: *s.debezium, sluice: s.sluice}
	}
	return out
}

// recreateReference deletes a side's Debezium connector and creates it
// again as retryName of it, with its own server id. The old connector's
// topics are left until the test's end: its stalled task may still write.
func recreateReference(t *testing.T, e env, adm *kadm.Client, s *copySide, keep bool) {
	t.Helper()
	old := *s.debezium
	name := retryName(t, old)
	deleteConnector(e, old)
	cfg := make(map[string]string, len(s.cfg))
	for k, v := range s.cfg {
		cfg[k] = strings.ReplaceAll(v, old, name)
	}
	if id, err := strconv.Atoi(cfg["database.server.id"]); err == nil {
		cfg["database.server.id"] = strconv.Itoa(id + 30000)
	}
	if !keep {
		t.Cleanup(func() { deleteConnector(e, name) })
		t.Cleanup(func() { deleteTopics(adm, []pair{{debezium: old}, {debezium: name}}) })
	}
	createConnector(t, e, name, cfg)
	s.cfg, *s.debezium = cfg, name
}

// retryName turns a Debezium prefix (sbsd..., sbvd...) into one of the same
// length that neither side uses (sbsr..., sbvr...): the comparison swaps
// the prefixes in keys' bytes, which must keep their length.
func retryName(t *testing.T, name string) string {
	t.Helper()
	if len(name) < 4 || name[3] != 'd' {
		t.Fatalf("recreating Debezium's %s: a Debezium prefix has d as its fourth letter", name)
	}
	return name[:3] + "r" + name[4:]
}
