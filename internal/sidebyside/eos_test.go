package sidebyside

// TestSwitchoverExactlyOnce hands a MariaDB connector over between Debezium
// in an exactly-once Kafka Connect worker (distributed, one worker,
// exactly.once.source.support=enabled: deploy/local/connect.sh with
// SLUICE_CONNECT_MODE=distributed) and Sluice run with that worker's
// group.id and offsets topic, the way a zombie task is replaced, without
// stopping the one running:
//
//  1. Debezium's task streams, writing records and offsets in Kafka
//     transactions under its transactional id.
//  2. Sluice starts with the same connector name: its producer, with the
//     transactional id Kafka Connect would give the task, fences Debezium's
//     (whose open transaction is aborted and whose task fails), and it
//     resumes from the offset Debezium committed last.
//  3. Debezium's task is restarted: it fences Sluice, which stops saying
//     so, and resumes from the offset Sluice committed last.
//
// A writer updates rows throughout. A consumer reading committed records
// must find each row's versions in order, with no gap and no repeat, and
// the last one equal to the table's. That holds only if the transactional
// ids agree (else both would write at once) and each reads the offsets the
// other commits.
//
//	SLUICE_SIDEBYSIDE=1 go test -count=1 -v -run TestSwitchoverExactlyOnce ./internal/sidebyside/

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
)

// eosWorker is the exactly-once worker's name for connect.sh: its group.id
// is connect-eos and its offsets topic connect-eos-offsets.
const eosWorker = "eos"

// eosSetup starts (or finds) the distributed exactly-once worker and
// returns the environment with its REST URL.
func eosSetup(t *testing.T, e env) env {
	t.Helper()
	port := os.Getenv("SLUICE_CONNECT_EOS_PORT")
	if port == "" {
		port = "28084"
	}
	script := filepath.Join(e.root, "deploy", "local", "connect.sh")
	cmd := exec.Command(script, "start")
	cmd.Env = append(os.Environ(), "SLUICE_BOOTSTRAP_SERVERS="+e.kafka, "SLUICE_CONNECT_NAME="+eosWorker,
		"SLUICE_CONNECT_PORT="+port, "SLUICE_CONNECT_MODE=distributed")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("deploy/local/connect.sh start (distributed, exactly once): %v\n%s", err, out)
	}
	e.connectURL = "http://127.0.0.1:" + port
	return e
}

func TestSwitchoverExactlyOnce(t *testing.T) {
	e := eosSetup(t, setup(t))
	bin := buildSluice(t, e)
	run := fmt.Sprintf("%06d", rand.Intn(1e6))
	s := &sw{t: t, e: e, bin: bin, class: "mariadb", name: "swoeos" + run, db: "swoeos_" + run,
		serverID: int(switchServerIDs.Add(1))}
	s.open()
	const keys = 40
	s.exec("CREATE TABLE acct (id INT PRIMARY KEY, v INT NOT NULL)")
	s.exec(fmt.Sprintf("INSERT INTO acct SELECT seq, 0 FROM seq_1_to_%d", keys))
	s.exec("CREATE TABLE zz_end (id INT PRIMARY KEY)")

	props := s.props()
	props["exactly.once.support"] = "required"
	createConnector(t, e, s.name, props)
	s.waitRecords(keys, 120*time.Second, "Debezium's snapshot")

	// The writer: one-row updates, each its own transaction, until told
	// to stop.
	stop, stopped := make(chan struct{}), make(chan error, 1)
	go func() {
		w, err := client.Connect(e.mysqlAddr, "root", e.rootPass, s.db)
		if err != nil {
			stopped <- err
			return
		}
		defer w.Close()
		for i := 0; ; i++ {
			select {
			case <-stop:
				stopped <- nil
				return
			default:
			}
			if _, err := w.Execute(fmt.Sprintf("UPDATE acct SET v = v + 1 WHERE id = %d", 1+i%keys)); err != nil {
				stopped <- err
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	time.Sleep(3 * time.Second)

	// Sluice takes over from the running Debezium task.
	worker := filepath.Join(t.TempDir(), "worker.properties")
	if err := os.WriteFile(worker, []byte("group.id=connect-"+eosWorker+"\noffset.storage.topic=connect-"+eosWorker+"-offsets\nexactly.once.source.support=enabled\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.startWith("--worker-config", worker)
	s.waitTaskFailed("Sluice's start")
	t.Logf("Debezium's task fenced by Sluice's start")
	time.Sleep(3 * time.Second)

	// Debezium's task, restarted, takes over from Sluice.
	s.rest(http.MethodPost, "/connectors/"+s.name+"/tasks/0/restart", nil)
	select {
	case <-s.done:
	case <-time.After(120 * time.Second):
		// (The restarted task has taken up to 30 s to start here.)
		t.Fatalf("sluice still runs 120 s after Debezium's task restarted\n%s", conformance.Tail(s.sluiceLog.String(), 3000))
	}
	// Fenced while producing, or while committing (Kafka 4.1's coordinator
	// then answers UNKNOWN_SERVER_ERROR; the daemon names both causes).
	if log := s.sluiceLog.String(); !strings.Contains(log, "another producer with this transactional id") || strings.Contains(log, "restarting from the offset committed last") {
		t.Fatalf("sluice did not stop at once saying it was fenced:\n%s", conformance.Tail(log, 3000))
	}
	if i := strings.LastIndex(s.sluiceLog.String(), "\nerror: "); i >= 0 {
		t.Logf("Sluice fenced by Debezium's restarted task: %s", conformance.Tail(strings.TrimSpace(s.sluiceLog.String()[i:]), 600))
	}
	time.Sleep(3 * time.Second)
	close(stop)
	if err := <-stopped; err != nil {
		t.Fatalf("writer: %v", err)
	}
	s.exec("INSERT INTO zz_end VALUES (1)")
	committed := []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}
	conformance.ConsumeWith(t, e.kafka, 1, 120*time.Second, committed, s.name+"."+s.db+".zz_end")
	s.checkVersions(committed, keys)
}

// startWith starts Sluice on the connector with more arguments, under a
// replica id of its own: MariaDB drops the older of two replicas with one
// id, and Debezium's task runs on until fenced.
func (s *sw) startWith(args ...string) {
	props := s.props()
	props["database.server.id"] = fmt.Sprint(switchServerIDs.Add(1))
	s.launch(props, args...)
}

// waitTaskFailed waits for Debezium's task to fail fenced.
func (s *sw) waitTaskFailed(after string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := connectorState(s.e, []pair{{debezium: s.name}})
		if strings.Contains(st, " FAILED ") {
			if !strings.Contains(st, "Fenced") && !strings.Contains(st, "fenced") && !strings.Contains(st, "epoch") {
				s.t.Fatalf("Debezium's task failed after %s, not fenced: %s", after, st)
			}
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("Debezium's task still runs 60 s after %s: %s\nsluice log (tail):\n%s", after, st, conformance.Tail(s.sluiceLog.String(), 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkVersions reads acct's committed records: each row's v must go 0, 1,
// 2, ... from its snapshot read, with no gap and no repeat, and end at the
// table's value.
func (s *sw) checkVersions(opts []kgo.Opt, keys int) {
	t := s.t
	t.Helper()
	want := map[int]int{}
	r, err := s.conn.Execute("SELECT id, v FROM acct")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range r.RowNumber() {
		id, _ := r.GetInt(i, 0)
		v, _ := r.GetInt(i, 1)
		want[int(id)] = int(v)
		total += int(v) + 1
	}
	recs := conformance.ConsumeWith(t, s.e.kafka, total, 120*time.Second, opts, s.name+"."+s.db+".acct")
	last := map[int]int{}
	for _, rec := range recs {
		var v struct {
			Payload struct {
				After struct{ ID, V int } `json:"after"`
				Op    string              `json:"op"`
			} `json:"payload"`
		}
		if err := json.Unmarshal(rec.Value, &v); err != nil {
			t.Fatalf("record %s: %v", rec.Value, err)
		}
		a := v.Payload.After
		prev, seen := last[a.ID]
		switch {
		case !seen && (v.Payload.Op != "r" || a.V != 0):
			t.Fatalf("row %d: first record %s v=%d, want its snapshot read at v=0", a.ID, v.Payload.Op, a.V)
		case seen && a.V != prev+1:
			t.Fatalf("row %d: v=%d after v=%d (offset %d): a change %s", a.ID, a.V, prev, rec.Offset,
				map[bool]string{true: "repeated", false: "lost"}[a.V <= prev])
		}
		last[a.ID] = a.V
	}
	for id := 1; id <= keys; id++ {
		if last[id] != want[id] {
			t.Fatalf("row %d: last record v=%d, the table has %d (%d records read)", id, last[id], want[id], len(recs))
		}
	}
	t.Logf("%d committed records of %d rows, each version once and in order", len(recs), keys)
}
