package conformance

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Driver is what the suite needs of a source and its real server. The
// suite calls it from the test goroutine, except Table.Exec, which a writer
// goroutine may call while the test goroutine reads Table.Rows.
type Driver interface {
	// Binary is the sluice executable to run; Brokers is Kafka's
	// bootstrap servers (comma-separated).
	Binary() string
	Brokers() string
	// NewTable creates a private database (keyspace) holding one table
	//   t (id INT PRIMARY KEY, v INT NOT NULL, pad LONGTEXT NOT NULL)
	// with rows id = 1..rows, v = 1, pad = "row-<id>", and removes it when
	// the test ends.
	NewTable(t *testing.T, rows int) Table
}

// Table is one private table of the source's server.
type Table interface {
	// Exec runs the statements in order on one connection (so BEGIN ...
	// COMMIT is one transaction); it must not call t.Fatal, as a writer
	// goroutine calls it.
	Exec(stmts ...string) error
	// Rows reads the table's current rows from the database.
	Rows(t *testing.T) map[int]Row
	// Connector is the connector's name and the source's part of its
	// config; the suite adds converter and flush settings.
	Connector() (name string, cfg map[string]string)
	// Topic is the table's change topic; OffsetKey the connector's key in
	// _connect_offsets.
	Topic() string
	OffsetKey() []byte
	// LastChange is the source position of the last transaction Exec
	// committed, in a form Covers understands.
	LastChange(t *testing.T) string
	// Covers reports whether the stored offset value is at or past change.
	Covers(t *testing.T, stored []byte, change string) bool
	// Decode turns a record of Topic (converters with schemas disabled)
	// into a change.
	Decode(t *testing.T, key, value []byte) Change
}

// Row is a row of the suite's table without its key.
type Row struct {
	V   int
	Pad string
}

// Change is one record: its key, Debezium's op (c, r, u, d; "" for a
// tombstone) and the row after the change (nil for d and tombstones).
type Change struct {
	ID    int
	Op    string
	After *Row
}

// DecodeJSON decodes a record written by the JSON converter with
// schemas.enable=false, key {"id":N}: what sources that write Debezium's
// envelope can use as their Decode.
func DecodeJSON(t *testing.T, key, value []byte) Change {
	t.Helper()
	var k struct{ ID *int }
	if err := json.Unmarshal(key, &k); err != nil || k.ID == nil {
		t.Fatalf("record key %s is not {\"id\":N}: %v", key, err)
	}
	c := Change{ID: *k.ID}
	if value == nil {
		return c
	}
	var after Row
	op, present, err := OpAndAfter(value, &after)
	if err != nil {
		t.Fatalf("record value is not a Debezium envelope in JSON: %v: %.200s", err, value)
	}
	c.Op = op
	if present {
		c.After = &after
	}
	return c
}

// Run runs every case against the driver's server, one after the other
// (the machines are small; the cases are sized for under three minutes in
// all).
func Run(t *testing.T, d Driver) {
	t.Run("SnapshotThenStream", func(t *testing.T) { snapshotThenStream(t, d) })
	t.Run("RestartFromStoredOffset", func(t *testing.T) { restartFromStoredOffset(t, d) })
	t.Run("Kill9WhileStreaming", func(t *testing.T) { kill9(t, d, 1000, false) })
	t.Run("Kill9WhileSnapshotting", func(t *testing.T) { kill9(t, d, 100_000, true) })
	t.Run("RefusedRecordKeepsOffset", func(t *testing.T) { refusedRecord(t, d) })
}

// connector is one connector over a fresh table, with a consumer that
// rebuilds the table from its topic across the daemon's restarts.
type connector struct {
	t    *testing.T
	d    Driver
	tbl  Table
	file string
	f    *follower
}

func newConnector(t *testing.T, d Driver, rows int, extra map[string]string) *connector {
	t.Helper()
	tbl := d.NewTable(t, rows)
	name, cfg := tbl.Connector()
	cfg["key.converter.schemas.enable"] = "false"
	cfg["value.converter.schemas.enable"] = "false"
	cfg["offset.flush.interval.ms"] = "200"
	for k, v := range extra {
		cfg[k] = v
	}
	c := &connector{t: t, d: d, tbl: tbl, file: WriteConnector(t, name, cfg)}
	c.f = &follower{t: t, tbl: tbl, st: newState(),
		cl: NewKafkaClient(t, d.Brokers(), kgo.ConsumeTopics(tbl.Topic()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.FetchMaxWait(200*time.Millisecond))}
	return c
}

func (c *connector) start() *Daemon {
	return StartDaemon(c.t, c.d.Binary(), "run", "--bootstrap-servers", c.d.Brokers(), "--log-format", "console", c.file)
}

func (c *connector) exec(stmts ...string) {
	c.t.Helper()
	if err := c.tbl.Exec(stmts...); err != nil {
		c.t.Fatalf("%v: %v", stmts, err)
	}
}

// stored is the connector's stored offset value.
func (c *connector) stored() []byte {
	c.t.Helper()
	_, v, ok := StoredOffset(c.t, c.d.Brokers(), "_connect_offsets", c.tbl.OffsetKey())
	if !ok {
		c.t.Fatalf("no offset stored under %s", c.tbl.OffsetKey())
	}
	return v
}

// state is a table rebuilt from its change records the way a sink would,
// plus what per-key order and completeness checks need.
type state struct {
	rows    map[int]Row
	changes []Change
	ops     map[string]int
	// versions seen per key; updates only ever raise v by one and ids are
	// never reused, so per key the versions must arrive in rising order
	// (a replay after a crash may repeat ones already seen) and without
	// gaps.
	seen      map[int]map[int]bool
	lastV     map[int]int
	dups      int
	reordered []string
}

func newState() *state {
	return &state{rows: map[int]Row{}, ops: map[string]int{}, seen: map[int]map[int]bool{}, lastV: map[int]int{}}
}

func (s *state) apply(c Change) {
	s.changes = append(s.changes, c)
	s.ops[c.Op]++
	if c.After == nil {
		delete(s.rows, c.ID)
		return
	}
	s.rows[c.ID] = *c.After
	vs := s.seen[c.ID]
	if vs == nil {
		vs = map[int]bool{}
		s.seen[c.ID] = vs
	}
	v := c.After.V
	switch last, ok := s.lastV[c.ID]; {
	case vs[v]:
		s.dups++
	case ok && v < last:
		if len(s.reordered) < 5 {
			s.reordered = append(s.reordered, fmt.Sprintf("key %d: v %d (op %s) after v %d", c.ID, v, c.Op, last))
		}
	default:
		s.lastV[c.ID] = v
	}
	vs[v] = true
}

// gaps lists keys whose versions in Kafka skip one: a lost change.
func (s *state) gaps() []string {
	var out []string
	for id, vs := range s.seen {
		lo, hi := int(^uint(0)>>1), -1
		for v := range vs {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi-lo+1 != len(vs) && len(out) < 5 {
			out = append(out, fmt.Sprintf("key %d: versions %v", id, SortedKeys(vs)))
		}
	}
	return out
}

// SortedKeys is m's keys in order.
func SortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type follower struct {
	t   *testing.T
	tbl Table
	cl  *kgo.Client
	st  *state
}

// poll applies what one fetch brings and returns how many records.
func (f *follower) poll() int {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	fs := f.cl.PollFetches(ctx)
	cancel()
	n := 0
	fs.EachRecord(func(r *kgo.Record) { f.st.apply(f.tbl.Decode(f.t, r.Key, r.Value)); n++ })
	return n
}

// until polls until cond holds or fails the test at the timeout.
func (f *follower) until(timeout time.Duration, what string, cond func(*state) bool) {
	f.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond(f.st) {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out after %s waiting for %s (%d records so far)", timeout, what, len(f.st.changes))
		}
		f.poll()
	}
}

// converge polls until the rebuilt table equals the database's (checked
// whenever the topic is quiet) or fails with the difference.
func (f *follower) converge(timeout time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if f.poll() == 0 && equalRows(f.st.rows, f.tbl.Rows(f.t)) {
			return
		}
	}
	want := f.tbl.Rows(f.t)
	var missing, extra, differ []string
	for id, w := range want {
		if g, ok := f.st.rows[id]; !ok {
			missing = append(missing, fmt.Sprint(id))
		} else if g != w {
			differ = append(differ, fmt.Sprintf("id %d: kafka %v, table %v", id, g, w))
		}
	}
	for id := range f.st.rows {
		if _, ok := want[id]; !ok {
			extra = append(extra, fmt.Sprint(id))
		}
	}
	f.t.Fatalf("table rebuilt from %s (%d records) differs from the database: %d rows missing %v, %d extra %v, %d different %v",
		f.tbl.Topic(), len(f.st.changes), len(missing), first(missing), len(extra), first(extra), len(differ), first(differ))
}

func first(s []string) []string { return s[:min(len(s), 5)] }

func equalRows(a, b map[int]Row) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// summary is changes as "op:id=v" ("tomb:id" for tombstones).
func summary(cs []Change) string {
	var out []string
	for _, c := range cs {
		switch {
		case c.Op == "":
			out = append(out, fmt.Sprintf("tomb:%d", c.ID))
		case c.After == nil:
			out = append(out, fmt.Sprintf("%s:%d", c.Op, c.ID))
		default:
			out = append(out, fmt.Sprintf("%s:%d=%d", c.Op, c.ID, c.After.V))
		}
	}
	return strings.Join(out, " ")
}

// snapshotThenStream: the preloaded rows arrive as snapshot reads, then
// inserts, updates, deletes, a primary-key change and multi-row
// transactions stream, each exactly once and in order; the table rebuilt
// from the topic equals the database, and SIGTERM ends the daemon cleanly.
func snapshotThenStream(t *testing.T, d Driver) {
	const rows = 200
	c := newConnector(t, d, rows, nil)
	sl := c.start()
	c.f.converge(60 * time.Second)
	if c.f.st.ops["r"] != rows {
		t.Fatalf("snapshot: %d records with op r, want %d (ops %v)", c.f.st.ops["r"], rows, c.f.st.ops)
	}
	snapshotted := len(c.f.st.changes)
	c.exec("INSERT INTO t VALUES (1001, 1, 'a'), (1002, 1, 'b')")
	c.exec("BEGIN", "UPDATE t SET v = v + 1, pad = 'u' WHERE id <= 3", "DELETE FROM t WHERE id = 6",
		"INSERT INTO t VALUES (1003, 1, 'c')", "COMMIT")
	c.exec("UPDATE t SET id = 20000007 WHERE id = 7") // a primary-key change: delete + create
	c.exec("DELETE FROM t WHERE id IN (8, 9)")
	c.exec("UPDATE t SET v = v + 1 WHERE id = 1001")
	c.f.converge(60 * time.Second)
	want := "c:1001=1 c:1002=1 u:1=2 u:2=2 u:3=2 d:6 tomb:6 c:1003=1 d:7 tomb:7 c:20000007=1 d:8 tomb:8 d:9 tomb:9 u:1001=2"
	if got := summary(c.f.st.changes[snapshotted:]); got != want {
		t.Errorf("streamed changes:\n got %s\nwant %s", got, want)
	}
	if took := sl.Stop(); took > 10*time.Second {
		t.Errorf("SIGTERM took %s to end the daemon, want under 10 s", took)
	}
	if change := c.tbl.LastChange(t); !c.tbl.Covers(t, c.stored(), change) {
		t.Errorf("after a clean stop the stored offset does not cover the last change %s", change)
	}
}

// restartFromStoredOffset: changes written while the daemon is stopped
// arrive after a restart, exactly those and in commit order.
func restartFromStoredOffset(t *testing.T, d Driver) {
	c := newConnector(t, d, 10, nil)
	sl := c.start()
	c.f.converge(60 * time.Second)
	sl.Stop()
	before := len(c.f.st.changes)
	c.exec("UPDATE t SET v = v + 1 WHERE id = 1")
	c.exec("INSERT INTO t VALUES (1001, 1, 'new')")
	c.exec("DELETE FROM t WHERE id = 2")
	c.exec("BEGIN", "UPDATE t SET v = v + 1 WHERE id = 3", "UPDATE t SET v = v + 1 WHERE id = 4", "COMMIT")
	sl2 := c.start()
	c.f.converge(60 * time.Second)
	// Anything replayed would come within the next moments.
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); c.f.poll() {
	}
	if got, want := summary(c.f.st.changes[before:]), "u:1=2 c:1001=1 d:2 tomb:2 u:3=2 u:4=2"; got != want {
		t.Errorf("after the restart:\n got %s\nwant %s (exactly the changes missed while stopped)", got, want)
	}
	sl2.Stop()
}

// kill9 kills the daemon with SIGKILL while a writer changes the table,
// during streaming or in the middle of the snapshot of a table of rows
// rows, and restarts it: the rebuilt table equals the database, per key
// the versions arrive in commit order (replayed duplicates allowed) and,
// while streaming, none is missing.
func kill9(t *testing.T, d Driver, rows int, midSnapshot bool) {
	c := newConnector(t, d, rows, map[string]string{"snapshot.max.threads": "2"})
	sl := c.start()
	var wrote atomic.Int64
	stop := make(chan struct{})
	done := make(chan error, 1)
	begin := func() { go func() { done <- churn(c.tbl, rows, stop, &wrote) }() }
	if midSnapshot {
		begin()
		c.f.until(2*time.Minute, "a third of the snapshot in Kafka", func(s *state) bool { return s.ops["r"] >= rows/3 })
		if c.f.st.ops["r"] >= rows {
			t.Fatalf("the snapshot was complete before the kill; make the table larger")
		}
	} else {
		c.f.converge(60 * time.Second)
		begin()
		for wrote.Load() < 150 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	sl.Kill9()
	t.Logf("killed sluice after %d snapshot records and %d source statements", c.f.st.ops["r"], wrote.Load())
	time.Sleep(300 * time.Millisecond)
	sl2 := c.start()
	if midSnapshot {
		// The writer goes on through the resumed snapshot, whose changes
		// and copy rows must keep per-key order wherever they meet.
		c.f.until(2*time.Minute, "most of the resumed snapshot in Kafka", func(s *state) bool { return s.ops["r"] >= rows*9/10 })
	} else {
		time.Sleep(2 * time.Second) // let the writer go on across the restart
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	c.f.converge(3 * time.Minute)
	st := c.f.st
	t.Logf("rebuilt %d rows from %d records (ops %v, %d replayed duplicates)", len(st.rows), len(st.changes), st.ops, st.dups)
	if len(st.reordered) > 0 {
		t.Errorf("changes out of commit order per key: %v", st.reordered)
	}
	// A snapshot read again after the restart shows a row as it is then,
	// so versions in between may be skipped there; streamed, none may.
	if g := st.gaps(); len(g) > 0 && !midSnapshot {
		t.Errorf("changes missing from Kafka (versions skipped): %v", g)
	}
	if st.ops["u"] == 0 {
		t.Errorf("no updates streamed: the writer's changes did not arrive")
	}
	sl2.Stop()
}

// churn updates (v = v + 1), deletes, inserts and re-keys rows of the
// suite's table until stop is closed, in transactions of one to a few
// statements; ids are never reused.
func churn(tbl Table, rows int, stop <-chan struct{}, wrote *atomic.Int64) error {
	rng := rand.New(rand.NewSource(1))
	next := 10_000_000
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		var stmts []string
		switch k := rng.Intn(20); {
		case k < 12:
			lo := 1 + rng.Intn(rows)
			stmts = []string{fmt.Sprintf("UPDATE t SET v = v + 1, pad = 'u%d' WHERE id BETWEEN %d AND %d", wrote.Load(), lo, lo+20)}
		case k < 14:
			id := 1 + rng.Intn(rows)
			stmts = []string{"BEGIN", fmt.Sprintf("UPDATE t SET v = v + 1 WHERE id = %d", id),
				fmt.Sprintf("DELETE FROM t WHERE id = %d", id+1), "COMMIT"}
		case k < 15:
			id := 1 + rng.Intn(rows)
			stmts = []string{fmt.Sprintf("UPDATE t SET id = %d WHERE id = %d", id+20_000_000, id)}
		default:
			stmts = []string{fmt.Sprintf("INSERT INTO t VALUES (%d, 1, 'new'), (%d, 1, 'new')", next, next+1)}
			next += 2
		}
		if err := tbl.Exec(stmts...); err != nil {
			return fmt.Errorf("%v: %w", stmts, err)
		}
		wrote.Add(1)
		time.Sleep(2 * time.Millisecond)
	}
}

// refusedRecord: a row whose change event is larger than the producer may
// send stops the daemon with a non-zero exit and a message naming the
// topic; the changes before it are in Kafka, and the stored offset does
// not pass it (a restart would meet it again rather than skip it).
func refusedRecord(t *testing.T, d Driver) {
	c := newConnector(t, d, 1, map[string]string{"offset.flush.interval.ms": "100"})
	sl := c.start()
	c.f.converge(60 * time.Second)
	c.exec("INSERT INTO t VALUES (2, 1, 'small')")
	small := c.tbl.LastChange(t)
	c.f.converge(30 * time.Second)
	// The offset does move over delivered changes: without this the final
	// check could pass on an offset that never moves.
	deadline := time.Now().Add(15 * time.Second)
	for !c.tbl.Covers(t, c.stored(), small) {
		if time.Now().After(deadline) {
			t.Fatalf("the stored offset never covered the delivered change %s", small)
		}
		time.Sleep(300 * time.Millisecond)
	}
	c.exec("INSERT INTO t VALUES (3, 1, REPEAT('x', 3000000))")
	big := c.tbl.LastChange(t)
	log := sl.WaitExit(60 * time.Second)
	if sl.Err == nil {
		t.Fatal("sluice exited 0 after Kafka refused a record")
	}
	if !strings.Contains(log, "kafka did not accept a record") || !strings.Contains(log, c.tbl.Topic()) {
		t.Errorf("the error does not say Kafka refused a record of topic %s:\n%s", c.tbl.Topic(), Tail(log, 2000))
	}
	if c.tbl.Covers(t, c.stored(), big) {
		t.Errorf("the stored offset covers the refused change %s: a restart would skip it", big)
	}
}
