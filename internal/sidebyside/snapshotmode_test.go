package sidebyside

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConfigurationBasedSnapshot runs the same steps through Debezium's
// MariaDB connector and through Sluice, each on a database and connector of
// its own, and compares the records of the table's topic: a connector at
// snapshot.mode=configuration_based with the data and schema switches and
// no start.stream, started twice (a new snapshot each time, no stream);
// then only start.stream (streaming from the stored offset: a row written
// while it was down, then an update); then all three (a new snapshot, then
// the stream).
//
//	SLUICE_SIDEBYSIDE=1 go test -count=1 -v -run TestConfigurationBasedSnapshot ./internal/sidebyside/
//
// Debezium's own sequence is checked too, so that a change in Debezium
// shows as such rather than as Sluice's difference.
func TestConfigurationBasedSnapshot(t *testing.T) {
	if !slices.Contains(wantedClasses(), "mariadb") {
		t.Skip("the MariaDB class is not among SLUICE_SIDEBYSIDE_CLASSES")
	}
	e := setup(t)
	bin := buildSluice(t, e)
	var mu sync.Mutex
	got := map[string]string{}
	t.Run("impl", func(t *testing.T) {
		for _, impl := range []string{"debezium", "sluice"} {
			t.Run(impl, func(t *testing.T) {
				t.Parallel()
				seq := configurationBasedSteps(t, e, bin, impl)
				mu.Lock()
				got[impl] = seq
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	const want = "r:1:1 r:2:1 | r:1:1 r:2:1 r:3:1 | c:4:1 u:1:2 | r:1:2 r:2:1 r:3:1 r:4:1 | c:5:1"
	if got["debezium"] != want {
		t.Errorf("Debezium's records changed:\n  %s\nwant\n  %s", got["debezium"], want)
	}
	if got["sluice"] != got["debezium"] {
		t.Errorf("Sluice's records:\n  %s\nDebezium's:\n  %s", got["sluice"], got["debezium"])
	}
}

// configurationBasedSteps runs the steps with impl and returns the topic's
// records as op:id:v, each step's after a "|".
func configurationBasedSteps(t *testing.T, e env, bin, impl string) string {
	run := fmt.Sprintf("%06d", rand.Intn(1e6))
	s := &sw{t: t, e: e, bin: bin, class: "mariadb", name: "cfgb" + impl[:1] + run, db: "cfgb_" + impl[:1] + run,
		serverID: int(switchServerIDs.Add(1))}
	s.open()
	s.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)")
	s.exec("INSERT INTO t VALUES (1, 1), (2, 1)")
	const p = "snapshot.mode.configuration.based."
	props := func(on ...string) map[string]string {
		m := s.props()
		m["topic.creation.default.partitions"] = "1" // one order across keys
		m["snapshot.mode"] = "configuration_based"
		for _, k := range []string{"snapshot.data", "snapshot.schema", "start.stream"} {
			m[p+k] = fmt.Sprint(slices.Contains(on, k))
		}
		return m
	}
	snapshotOnly := props("snapshot.data", "snapshot.schema")
	var ends []int
	step := func(records int) {
		s.waitRecords(records, 2*time.Minute, impl+"'s records")
		s.waitQuiet()
		ends = append(ends, s.dataRecords())
	}

	// Two starts without streaming: Sluice exits after its snapshot;
	// Debezium's task stays, idle, and is restarted.
	if impl == "debezium" {
		createConnector(t, e, s.name, snapshotOnly)
	} else {
		s.launch(snapshotOnly)
		s.waitExit()
	}
	step(2)
	s.exec("INSERT INTO t VALUES (3, 1)")
	if impl == "debezium" {
		s.rest(http.MethodPost, "/connectors/"+s.name+"/restart?includeTasks=true&onlyFailed=false", nil)
	} else {
		s.launch(snapshotOnly)
		s.waitExit()
	}
	step(5)

	// start.stream alone: from the stored offset, the row written while
	// neither read included.
	s.exec("INSERT INTO t VALUES (4, 1)")
	s.reconfigure(impl, props("start.stream"))
	s.exec("UPDATE t SET v = 2 WHERE id = 1")
	step(7)

	// All three: the new snapshot, then a row it cannot have seen.
	s.reconfigure(impl, props("snapshot.data", "snapshot.schema", "start.stream"))
	step(11)
	s.exec("INSERT INTO t VALUES (5, 1)")
	step(12)

	recs := readAll(t, e.kafka, s.adm, s.name, map[string]int{})[s.name+"."+s.db+".t"]
	var out []string
	for i, r := range recs {
		if slices.Contains(ends, i) {
			out = append(out, "|")
		}
		var v struct {
			Payload struct {
				Op    string
				After struct{ ID, V int }
			}
		}
		if err := json.Unmarshal(r.Value, &v); err != nil {
			t.Fatalf("%s's record %d: %v: %s", impl, i, err, r.Value)
		}
		out = append(out, fmt.Sprintf("%s:%d:%d", v.Payload.Op, v.Payload.After.ID, v.Payload.After.V))
	}
	return strings.Join(out, " ")
}

// reconfigure gives the connector new properties, as an operator would:
// Debezium's through the REST API (the worker restarts it), Sluice's by
// stopping the daemon and starting it with the new file.
func (s *sw) reconfigure(impl string, props map[string]string) {
	s.t.Helper()
	if impl == "debezium" {
		s.rest(http.MethodPut, "/connectors/"+s.name+"/config", props)
		return
	}
	if s.daemon.ProcessState == nil {
		s.halt("sluice")
	}
	s.launch(props)
}

// waitExit waits for the daemon to end by itself, as it does once its one
// connector has nothing more to read, and fails the test unless it exits 0.
func (s *sw) waitExit() {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(2 * time.Minute):
		s.t.Fatalf("sluice still running 2 minutes after its start%s", s.state())
	}
	if code := s.daemon.ProcessState.ExitCode(); code != 0 {
		s.t.Fatalf("sluice exited %d%s", code, s.state())
	}
}
