package sidebyside

// TestSwitchover hands one connector over between Debezium (in the Kafka
// Connect worker; the MariaDbConnector and the MySqlConnector pointed at
// MariaDB, SLUICE_SIDEBYSIDE_CLASSES picks them) and Sluice, in both
// directions, with the same connector name, topic.prefix and schema history
// topic, and checks what a consumer sees: the data topics rebuilt per key
// equal the tables, and each key's changes have no gap and no repeat.
//
//	SLUICE_SIDEBYSIDE=1 go test -count=1 -v -run TestSwitchover ./internal/sidebyside/
//
// Each direction runs twice: stopped in the middle of a multi-statement
// transaction (while the first implementation is still writing its
// records), and stopped right after an ALTER TABLE … ADD COLUMN whose rows
// come while neither runs. Debezium → Sluice runs a third time, the second
// case with Sluice at snapshot.mode=always: it snapshots over Debezium's
// offset and schema history, streams, and started again snapshots again
// over the history it appended (a snapshot's rows may show a key's newer
// state, never an older one).
//
// How the offset crosses over: the worker connect.sh starts is standalone,
// so Debezium keeps its offsets in a file, not in a topic. The test moves
// them through Kafka Connect's own offsets REST API (KIP-875, Kafka 3.6+):
// Debezium → Sluice reads GET /connectors/NAME/offsets of the stopped
// connector and writes that offset to _connect_offsets under the key and in
// the partition Kafka Connect's distributed worker would use
// (offsets.Key, offsets.Partition, through offsets.KafkaStore, which Sluice
// itself reads); Sluice → Debezium creates the connector STOPPED, PATCHes
// Sluice's stored offset into it and resumes it. A distributed worker would
// write and read the topic itself, but it needs three more internal topics
// and a second JVM per run; the REST API is how Kafka Connect itself moves
// offsets, and it hands over exactly the map the connector stored. The
// schema history topic needs no copying: both write and read the same
// Kafka topic.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

func TestSwitchover(t *testing.T) {
	e := setup(t)
	bin := buildSluice(t, e)
	for _, class := range wantedClasses() {
		if class == "vitess" {
			continue // the switch-over covers the MySQL-family classes
		}
		if classes[class] == "" {
			t.Fatalf("SLUICE_SIDEBYSIDE_CLASSES: unknown class %q (mariadb, mysql)", class)
		}
		for _, dir := range []struct {
			name     string
			from, to string
		}{{"DebeziumToSluice", "debezium", "sluice"}, {"SluiceToDebezium", "sluice", "debezium"}} {
			stops := []string{"MidTransaction", "AfterDDL"}
			if dir.to == "sluice" {
				stops = append(stops, "Always")
			}
			for _, stop := range stops {
				class, dir, stop := class, dir, stop
				t.Run(class+"/"+dir.name+"/"+stop, func(t *testing.T) {
					t.Parallel()
					s := newSwitch(t, e, bin, class, dir.from, dir.to, stop)
					s.run()
				})
			}
		}
	}
}

// sw is one hand-over: a database, a connector name (also the topic prefix)
// and the two implementations taking turns.
type sw struct {
	t         *testing.T
	e         env
	bin       string
	class     string // mariadb or mysql: the connector class both run
	from, to  string
	stop      string
	name, db  string
	serverID  int
	conn      *client.Conn
	adm       *kadm.Client
	nextID    int
	sluiceLog *conformance.SyncBuffer
	daemon    *exec.Cmd
	done      chan struct{}
}

// The tables: every row starts at v = 0 and each update adds one, so a
// key's records must show v = 0, 1, 2, … in order; a missing number is a
// lost change and a number seen twice a repeated one.
var switchTables = []string{"acct", "item"}

const (
	preloadRows = 40
	txStmts     = 150 // statements in the interrupted transaction
	// bulkRows rows in table bulk, updated bulkStmts times by the
	// interrupted transaction: Sluice writes acct's and item's share of it
	// faster than a SIGTERM arrives, so the transaction needs bulk to be
	// interrupted at all.
	bulkRows  = 2000
	bulkStmts = 40
)

// addedColumns are the columns the AfterDDL case adds, with the default
// that the ALTER gives the rows it does not otherwise change: a consumer
// that applies the schema change sees that value in rows whose last record
// predates the ALTER and so lacks the column.
var addedColumns = map[string]string{"extra": "7"}

// switchServerIDs hands each switch-over case a server id of its own, from
// a random start: drawn per case, two cases running at once met on one,
// and MariaDB dropped one's replica (error 4052 stopped Debezium's task in
// a rehearsal).
var switchServerIDs = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(int64(9000 + rand.Intn(800)))
	return &n
}()

func newSwitch(t *testing.T, e env, bin, class, from, to, stop string) *sw {
	run := fmt.Sprintf("%06d", rand.Intn(1e6))
	s := &sw{t: t, e: e, bin: bin, class: class, from: from, to: to, stop: stop,
		name: "swo" + class[:2] + from[:1] + to[:1] + strings.ToLower(stop[:1]) + run, db: "swo_" + run,
		serverID: int(switchServerIDs.Add(1))}
	s.open()
	for _, tb := range switchTables {
		s.exec("CREATE TABLE " + tb + " (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(40))")
	}
	s.exec("CREATE TABLE zz_end (id INT PRIMARY KEY)")
	if stop == "MidTransaction" {
		s.exec("CREATE TABLE bulk (id INT PRIMARY KEY, v INT NOT NULL, note VARCHAR(40))")
		s.exec(fmt.Sprintf("INSERT INTO bulk SELECT seq, 0, 'pre' FROM seq_1_to_%d", bulkRows))
	}
	for _, tb := range switchTables {
		for i := 0; i < preloadRows; i++ {
			s.exec(fmt.Sprintf("INSERT INTO %s VALUES (%d, 0, 'pre')", tb, i))
		}
	}
	s.nextID = preloadRows
	return s
}

// open connects as root to a new database of s's, dropped at the end with
// the connector and its topics (unless SLUICE_SIDEBYSIDE_KEEP=1).
func (s *sw) open() {
	t, e := s.t, s.e
	t.Helper()
	conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, "")
	if err != nil {
		t.Fatalf("connecting to MariaDB at %s as root: %v", e.mysqlAddr, err)
	}
	t.Cleanup(func() { conn.Close() })
	s.conn = conn
	for _, q := range sessionSetup {
		s.exec(q)
	}
	s.exec("CREATE DATABASE " + s.db)
	s.adm = newAdmin(t, e.kafka)
	if os.Getenv("SLUICE_SIDEBYSIDE_KEEP") != "1" {
		t.Cleanup(func() {
			_, _ = conn.Execute("DROP DATABASE IF EXISTS " + s.db)
			deleteConnector(e, s.name)
			deleteTopics(s.adm, []pair{{debezium: s.name, sluice: s.name}})
		})
	}
	s.exec("USE " + s.db)
}

func (s *sw) exec(q string) {
	s.t.Helper()
	if _, err := s.conn.Execute(q); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

func (s *sw) props() map[string]string {
	return connectorProps(s.e, s.class, s.name, s.db, s.serverID)
}

// sluiceProps is Sluice's connector file: in the Always case it takes a
// new snapshot at every start (snapshot.mode=always) over the offset and
// the schema history Debezium wrote.
func (s *sw) sluiceProps() map[string]string {
	m := s.props()
	if s.stop == "Always" {
		m["snapshot.mode"] = "always"
	}
	return m
}

// dataRecords counts the records of the data topics.
func (s *sw) dataRecords() int { return countRecords(s.adm, s.name+"."+s.db+".") }

// changes runs a few single-statement transactions: updates, inserts, a
// delete.
func (s *sw) changes(tag string) {
	s.t.Helper()
	for _, tb := range switchTables {
		s.exec(fmt.Sprintf("UPDATE %s SET v = v + 1, note = '%s' WHERE id %% 3 = 0", tb, tag))
		s.exec(fmt.Sprintf("INSERT INTO %s (id, v, note) VALUES (%d, 0, '%s')", tb, s.nextID, tag))
		s.exec(fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id = %d", tb, s.nextID))
		s.exec(fmt.Sprintf("DELETE FROM %s WHERE id = (SELECT MIN(id) FROM (SELECT id FROM %s) x)", tb, tb))
	}
	s.nextID++
}

func (s *sw) run() {
	t := s.t
	start := time.Now()
	s.start(s.from, nil)
	snap := len(switchTables) * preloadRows
	if s.stop == "MidTransaction" {
		snap += bulkRows
	}
	s.waitRecords(snap, 120*time.Second, s.from+"'s snapshot")
	s.changes("a1")
	s.waitQuiet()
	before := s.dataRecords()

	switch s.stop {
	case "MidTransaction":
		// One transaction of txStmts statements, each a multi-row event:
		// the stop lands while its records are being written.
		s.exec("BEGIN")
		for i := 0; i < txStmts; i++ {
			tb := switchTables[i%2]
			s.exec(fmt.Sprintf("UPDATE %s SET v = v + 1, note = 'tx%d' WHERE id >= 0", tb, i))
		}
		for i := 0; i < bulkStmts; i++ {
			s.exec(fmt.Sprintf("UPDATE bulk SET v = v + 1, note = 'tx%d' WHERE id >= 0", i))
		}
		s.exec("COMMIT")
		total := bulkRows * bulkStmts
		for _, tb := range switchTables {
			total += s.count(tb) * (txStmts / 2)
		}
		// Stop once some, not all, of the transaction's records are out.
		deadline := time.Now().Add(60 * time.Second)
		for n := s.dataRecords() - before; n < 200; n = s.dataRecords() - before {
			if time.Now().After(deadline) {
				t.Fatalf("%s wrote %d of the transaction's %d records in 60 s", s.from, n, total)
			}
			time.Sleep(20 * time.Millisecond)
		}
		off := s.halt(s.from)
		n := s.dataRecords() - before
		t.Logf("%s stopped after %d of the transaction's %d records; stored offset %s", s.from, n, total, off)
		if n >= total {
			t.Errorf("%s wrote the whole transaction before it stopped: the case did not stop mid-transaction", s.from)
		}
		s.changes("a2")
		s.start(s.to, off)
	case "AfterDDL", "Always":
		s.exec("ALTER TABLE acct ADD COLUMN extra INT NOT NULL DEFAULT 7")
		deadline := time.Now().Add(60 * time.Second)
		for !s.schemaChangeSeen("ADD COLUMN extra") {
			if time.Now().After(deadline) {
				t.Fatalf("%s wrote no schema change record of the ALTER TABLE in 60 s", s.from)
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Past Debezium's offset flush interval, as a stop in real life
		// would be (the stop commits the offset again anyway).
		time.Sleep(1500 * time.Millisecond)
		off := s.halt(s.from)
		t.Logf("%s stopped right after the ALTER TABLE; stored offset %s", s.from, off)
		// Rows of the new structure, written while neither runs.
		s.exec(fmt.Sprintf("INSERT INTO acct (id, v, note, extra) VALUES (%d, 0, 'ddl', 42)", s.nextID))
		s.exec("UPDATE acct SET v = v + 1, extra = extra + 1 WHERE id % 2 = 0")
		s.nextID++
		if s.stop == "AfterDDL" {
			// (Always's new snapshot shows what changed while neither ran,
			// but not a row deleted then: Debezium's always mode does not.)
			s.changes("a2")
		}
		upTo := s.dataRecords()
		s.start(s.to, off)
		if s.stop == "Always" {
			// The changes below must come after the new snapshot: those it
			// reads it shows as rows, and a row deleted before it reads
			// the table is gone without a delete (Debezium's always mode
			// the same).
			s.waitRecords(upTo+s.count("acct")+s.count("item"), 120*time.Second, "sluice's snapshot")
		}
	}
	s.changes("b1")
	s.exec("INSERT INTO zz_end VALUES (1)")
	deadline := time.Now().Add(120 * time.Second)
	for countRecords(s.adm, s.name+"."+s.db+".zz_end") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not reach the end marker in 120 s%s", s.to, s.state())
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.waitQuiet()
	s.halt(s.to)
	if s.stop == "Always" {
		// Started again, Sluice snapshots again, over the history it
		// appended to Debezium's.
		before = s.dataRecords()
		s.start(s.to, nil)
		rows := s.count("acct") + s.count("item") + s.count("zz_end")
		s.waitRecords(before+rows, 120*time.Second, "sluice's second snapshot")
		s.changes("b2")
		s.waitQuiet()
		s.halt(s.to)
	}
	t.Logf("hand-over done after %s", time.Since(start).Round(time.Millisecond))
	s.check()
}

// start starts impl on the connector, from the offset another stored (nil:
// a new connector, which takes a snapshot).
func (s *sw) start(impl string, offset json.RawMessage) {
	t := s.t
	t.Helper()
	if impl == "debezium" {
		s.startDebezium(offset)
		return
	}
	if offset != nil {
		// Where Kafka Connect would have written it: _connect_offsets, the
		// connector's key, murmur2 of the key over the topic's partitions.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		store, err := offsets.NewKafkaStore(ctx, offsets.KafkaStoreConfig{Brokers: strings.Split(s.e.kafka, ",")})
		if err != nil {
			t.Fatalf("opening _connect_offsets: %v", err)
		}
		err = store.Commit(ctx, offsets.Key(s.name, s.name), offset)
		store.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	s.launch(s.sluiceProps())
}

// launch starts Sluice on the connector with the properties props and
// more arguments of sluice run.
func (s *sw) launch(props map[string]string, args ...string) {
	t := s.t
	t.Helper()
	b, _ := json.Marshal(map[string]any{"name": s.name, "config": props})
	f := filepath.Join(t.TempDir(), s.name+".json")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s.sluiceLog = &conformance.SyncBuffer{}
	s.daemon = exec.Command(s.bin, append(append([]string{"run", "--bootstrap-servers", s.e.kafka, "--log-format", "console"}, args...), f)...)
	s.daemon.Stdout, s.daemon.Stderr = s.sluiceLog, s.sluiceLog
	if err := s.daemon.Start(); err != nil {
		t.Fatalf("starting sluice: %v", err)
	}
	slog := s.sluiceLog
	t.Cleanup(func() {
		if t.Failed() {
			f := filepath.Join(os.TempDir(), "sluice-"+t.Name()[strings.LastIndex(t.Name(), "/")+1:]+".log")
			if os.WriteFile(f, []byte(slog.String()), 0o644) == nil {
				t.Logf("sluice's whole log: %s", f)
			}
		}
	})
	s.done = make(chan struct{})
	d, done := s.daemon, s.done
	go func() { _ = d.Wait(); close(done) }()
	t.Cleanup(func() {
		if d.ProcessState == nil {
			_ = d.Process.Kill()
			<-done
		}
	})
}

func (s *sw) startDebezium(offset json.RawMessage) {
	t := s.t
	t.Helper()
	if offset == nil {
		createConnector(t, s.e, s.name, s.props())
		return
	}
	s.rest(http.MethodPost, "/connectors", map[string]any{"name": s.name, "config": s.props(), "initial_state": "STOPPED"})
	s.waitState("STOPPED")
	s.rest(http.MethodPatch, "/connectors/"+s.name+"/offsets", map[string]any{"offsets": []any{
		map[string]any{"partition": map[string]string{"server": s.name}, "offset": offset}}})
	s.rest(http.MethodPut, "/connectors/"+s.name+"/resume", nil)
}

// halt stops impl the way an operator would (Debezium: the connector's
// stop endpoint, which commits its offset; Sluice: SIGTERM) and returns the
// offset it stored.
func (s *sw) halt(impl string) json.RawMessage {
	t := s.t
	t.Helper()
	if impl == "debezium" {
		s.rest(http.MethodPut, "/connectors/"+s.name+"/stop", nil)
		s.waitState("STOPPED")
		body := s.rest(http.MethodGet, "/connectors/"+s.name+"/offsets", nil)
		var r struct {
			Offsets []struct {
				Offset json.RawMessage `json:"offset"`
			} `json:"offsets"`
		}
		if err := json.Unmarshal(body, &r); err != nil || len(r.Offsets) != 1 {
			t.Fatalf("Debezium's offsets of %s: %v: %s", s.name, err, body)
		}
		deleteConnector(s.e, s.name)
		return r.Offsets[0].Offset
	}
	_ = s.daemon.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.daemon.Process.Kill()
		<-s.done
		t.Errorf("sluice did not stop within 30 s of SIGTERM")
	}
	_, val, ok := conformance.StoredOffset(t, s.e.kafka, offsets.DefaultOffsetsTopic, offsets.Key(s.name, s.name))
	if !ok {
		t.Fatalf("no offset of %s in %s after sluice stopped\n%s", s.name, offsets.DefaultOffsetsTopic, conformance.Tail(s.sluiceLog.String(), 3000))
	}
	return val
}

// rest calls the worker's REST API and returns the body; a non-2xx answer
// fails the test.
func (s *sw) rest(method, path string, body any) []byte {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.e.connectURL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	do := connectDo
	if method == http.MethodGet {
		do = connectClient.Do // reads take one lock at most: no deadlock
	}
	resp, err := do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		s.t.Fatalf("%s %s: %s: %s", method, path, resp.Status, b)
	}
	return b
}

func (s *sw) waitState(want string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.e.connectURL + "/connectors/" + s.name + "/status")
		if err == nil {
			var st struct {
				Connector struct{ State string } `json:"connector"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if st.Connector.State == want {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("Debezium connector %s not %s after 60 s%s", s.name, want, s.state())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// state is what a timeout message needs: Debezium's task state or the tail
// of Sluice's log.
func (s *sw) state() string {
	st := connectorState(s.e, []pair{{debezium: s.name}})
	if s.sluiceLog != nil {
		st += "\nsluice log (tail):\n" + conformance.Tail(s.sluiceLog.String(), 3000)
	}
	return st
}

func (s *sw) waitRecords(n int, timeout time.Duration, what string) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for s.dataRecords() < n {
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s: %d of %d records%s", what, s.dataRecords(), n, s.state())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitQuiet waits until the topics have not grown for two seconds.
func (s *sw) waitQuiet() {
	last, since := -1, time.Now()
	for time.Since(since) < 2*time.Second {
		time.Sleep(200 * time.Millisecond)
		if n := countRecords(s.adm, s.name); n != last {
			last, since = n, time.Now()
		}
	}
}

func (s *sw) count(tb string) int {
	s.t.Helper()
	r, err := s.conn.Execute("SELECT COUNT(*) FROM " + tb)
	if err != nil {
		s.t.Fatal(err)
	}
	n, _ := r.GetInt(0, 0)
	return int(n)
}

func (s *sw) schemaChangeSeen(text string) bool {
	if countRecords(s.adm, s.name) == 0 {
		return false
	}
	for _, r := range readAll(s.t, s.e.kafka, s.adm, s.name, map[string]int{})[s.name] {
		if bytes.Contains(r.Value, []byte(text)) {
			return true
		}
	}
	return false
}

// check rebuilds each table from its topic and compares it with the table,
// and checks every key's versions for gaps and repeats.
func (s *sw) check() {
	t := s.t
	recs := readAll(t, s.e.kafka, s.adm, s.name, map[string]int{})
	tables := switchTables
	if s.stop == "MidTransaction" {
		tables = append(tables[:len(tables):len(tables)], "bulk")
	}
	for _, tb := range tables {
		want := map[string]string{}
		r, err := s.conn.Execute("SELECT * FROM " + tb + " ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for i := range r.Values {
			id, _ := r.GetIntByName(i, "id")
			var cols []string
			for _, f := range r.Fields {
				v, _ := r.GetStringByName(i, string(f.Name))
				cols = append(cols, string(f.Name)+"="+v)
			}
			sort.Strings(cols)
			want[fmt.Sprint(id)] = strings.Join(cols, " ")
		}
		got := map[string]string{}
		maxV := map[string]int{}
		var gaps, repeats []string
		topic := s.name + "." + s.db + "." + tb
		// Per key, Kafka's order is its partition's order.
		for _, rec := range recs[topic] {
			var key struct {
				Payload struct{ ID int } `json:"payload"`
			}
			if err := json.Unmarshal(rec.Key, &key); err != nil {
				t.Fatalf("%s: key %s: %v", topic, rec.Key, err)
			}
			id := fmt.Sprint(key.Payload.ID)
			if rec.Value == nil {
				continue // tombstone
			}
			// Only the fields needed: the whole record with its schema
			// took about 1 ms to decode under the race detector.
			op, err := conformance.Op(rec.Value)
			var before, after map[string]any
			if err == nil {
				_, err = conformance.Field(rec.Value, "before", &before)
			}
			if err == nil {
				_, err = conformance.Field(rec.Value, "after", &after)
			}
			if err != nil {
				t.Fatalf("%s: value %s: %v", topic, rec.Value, err)
			}
			last, seen := maxV[id]
			if !seen {
				last = -1
			}
			if op == "d" {
				if bv := intOf(before["v"]); bv != last {
					gaps = append(gaps, fmt.Sprintf("key %s: delete of v %d after v %d", id, bv, last))
				}
				delete(got, id)
				continue
			}
			v := intOf(after["v"])
			switch {
			case op == "r" && s.stop == "Always":
				// A new snapshot shows the row as it is: no change of
				// its own, but never an older state.
				if v < last {
					repeats = append(repeats, fmt.Sprintf("key %s: snapshot v %d after v %d", id, v, last))
				}
			case v <= last:
				repeats = append(repeats, fmt.Sprintf("key %s: v %d (op %s) again after v %d", id, v, op, last))
			case v > last+1:
				gaps = append(gaps, fmt.Sprintf("key %s: v %d (op %s) after v %d", id, v, op, last))
			}
			maxV[id] = max(last, v)
			var cols []string
			for k, x := range after {
				cols = append(cols, k+"="+strOf(x))
			}
			sort.Strings(cols)
			got[id] = strings.Join(cols, " ")
		}
		var diff []string
		for id, w := range want {
			// Columns the topics' row lacks: added after its last record.
			for col, def := range addedColumns {
				if strings.Contains(w, col+"=") && !strings.Contains(got[id], col+"=") && got[id] != "" {
					w = strings.Replace(w, col+"="+def+" ", "", 1)
				}
			}
			if got[id] != w {
				diff = append(diff, fmt.Sprintf("key %s: table %q, topics %q", id, w, got[id]))
			}
		}
		for id, g := range got {
			if _, ok := want[id]; !ok {
				diff = append(diff, fmt.Sprintf("key %s: not in the table, topics %q", id, g))
			}
		}
		sort.Strings(diff)
		t.Logf("%s: %d records, %d rows in the table, %d in the topics rebuilt", topic, len(recs[topic]), len(want), len(got))
		if len(diff) > 0 {
			t.Errorf("%s rebuilt per key differs from the table in %d keys: %s", topic, len(diff), strings.Join(diff[:min(5, len(diff))], "; "))
		}
		if len(gaps) > 0 {
			t.Errorf("%s: %d lost changes: %s", topic, len(gaps), strings.Join(gaps[:min(5, len(gaps))], "; "))
		}
		// A graceful stop commits the offset of the last record written:
		// Debezium handing over to itself repeats nothing, and neither
		// may a hand-over.
		if len(repeats) > 0 {
			t.Errorf("%s: %d changes repeated after the hand-over: %s", topic, len(repeats), strings.Join(repeats[:min(5, len(repeats))], "; "))
		}
	}
}

func intOf(x any) int {
	f, ok := x.(float64)
	if !ok {
		return -2
	}
	return int(f)
}

func strOf(x any) string {
	if x == nil {
		return ""
	}
	if f, ok := x.(float64); ok {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(x)
}
