package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQuickstart runs the README's first command, deploy/local/quickstart.sh,
// on the servers the suite started (it finds them running), and checks what
// a first-time user sees: each change the script makes as a change event in
// Kafka, the task RUNNING through Kafka Connect's REST path, the offset
// stored at the last change's GTID, and not one warning (it used to print
// six, one per address variable up.sh exports).
func TestQuickstart(t *testing.T) {
	needServers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../../deploy/local/quickstart.sh")
	// A user's shell, not the suite's: its switches (SLUICE_E2E, ...) are
	// no worker property and would be warned of, rightly. So would other
	// SLUICE_* settings of the scripts one may have set (SLUICE_LOCAL_DIR,
	// SLUICE_MARIADB_PORT): those warnings are the user's own.
	own := map[string]bool{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SLUICE_E2E") || strings.HasPrefix(kv, "SLUICE_SIDEBYSIDE") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "SLUICE_") && !strings.HasPrefix(k, "SLUICE_TEST_") {
			own[k] = true
		}
	}
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err != nil {
		t.Fatalf("deploy/local/quickstart.sh: %v\n%s", err, out)
	}
	var bad []string
	envWarning := regexp.MustCompile(`environment variable (\w+) does not name a worker property`)
	for _, line := range strings.Split(out, "\n") {
		if m := envWarning.FindStringSubmatch(line); m != nil && own[m[1]] {
			continue
		}
		if l := strings.ToLower(line); strings.Contains(l, "warn") || strings.Contains(l, "error") {
			bad = append(bad, line)
		}
	}
	if len(bad) > 0 {
		t.Errorf("the quickstart printed warnings or errors:\n%s\n\nall it printed:\n%s", strings.Join(bad, "\n"), out)
	}
	// key | value lines: the snapshot's row, two inserts and an update of
	// customers; an order's insert, its delete and the delete's tombstone.
	events := regexp.MustCompile(`(?m)^\{"id":(\d+)\} \| (?:\{.*"op":"(\w)".*\})?$`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, m := range events {
		op := m[2]
		if op == "" {
			op = "tombstone"
		}
		got = append(got, m[1]+":"+op)
	}
	want := "1000:r 1001:c 1002:c 1001:u 1:c 1:d 1:tombstone"
	if strings.Join(got, " ") != want {
		t.Errorf("change events %q, want %q\n%s", strings.Join(got, " "), want, out)
	}
	if !regexp.MustCompile(`"tasks":\[\{"id":0,"state":"RUNNING"`).MatchString(out) {
		t.Errorf("no RUNNING task in the REST status\n%s", out)
	}
	if !regexp.MustCompile(`sluice_records_produced_total\{connector="qs\d+"\} 7\b`).MatchString(out) {
		t.Errorf("the metrics do not count 7 records\n%s", out)
	}
	// The stored offset is the delete's: the last GTID the events carry.
	gtids := regexp.MustCompile(`"gtid":"([\d-]+)"`).FindAllStringSubmatch(out, -1)
	if len(gtids) == 0 {
		t.Fatalf("no GTID in the events\n%s", out)
	}
	last := gtids[len(gtids)-1][1]
	if !regexp.MustCompile(`(?m)^\d+ \["qs\d+",\{"server":"qs\d+"\}\] \{.*"gtids":"(?:[^"]*,)?` + regexp.QuoteMeta(last) + `[",]`).MatchString(out) {
		t.Errorf("no stored offset at GTID %s\n%s", last, out)
	}
}
