package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// tableState is a table rebuilt from its change events: key -> row JSON.
type tableState struct {
	// rows is the table as its live record keys give it, by id (sync makes
	// it from live); dups are ids with more than one live key.
	rows    map[int]string
	dups    int
	ops     map[string]int
	records int
	// live is the newest row of each record key not deleted, as a
	// compacted topic or a sink keyed by the record key holds it: a table
	// keyed by (k, id) whose rows move to another k has, in Kafka, a
	// delete of the old key that may come after the new key's records.
	live map[string]liveRow
	// lastV is the newest v seen per live key; the churn only ever raises
	// v and never reuses a deleted id, so a lower v is a change out of order.
	lastV     map[string]int
	reordered []string
}

type liveRow struct {
	id  int
	row string
}

// rebuild applies change events (schemas disabled) the way a sink would.
func (s *tableState) apply(t *testing.T, r *kgo.Record) {
	s.records++
	if s.live == nil {
		s.live, s.lastV = map[string]liveRow{}, map[string]int{}
	}
	if len(r.Key) == 0 && r.Value != nil {
		// A truncate event (op "t", no key) empties the table.
		if op, _, err := conformance.OpAndAfter(r.Value, &conformance.Row{}); err != nil || op != "t" {
			t.Fatalf("a record without a key that is not a truncate event: %s (%v)", r.Value, err)
		}
		s.ops["t"]++
		clear(s.live)
		clear(s.lastV)
		return
	}
	var k struct{ ID int }
	if err := json.Unmarshal(r.Key, &k); err != nil {
		t.Fatalf("key %s: %v", r.Key, err)
	}
	key := string(r.Key)
	if r.Value == nil {
		delete(s.live, key)
		return
	}
	var after conformance.Row
	op, present, err := conformance.OpAndAfter(r.Value, &after)
	if err != nil {
		t.Fatalf("value %s: %v", r.Value, err)
	}
	s.ops[op]++
	if !present {
		delete(s.live, key)
		delete(s.lastV, key)
		return
	}
	s.live[key] = liveRow{k.ID, strconv.Itoa(after.V) + "/" + after.Pad}
	ver := after.V
	if last, ok := s.lastV[key]; ok && ver < last && len(s.reordered) < 5 {
		s.reordered = append(s.reordered, fmt.Sprintf("key %s: v %d (op %s) after v %d", key, ver, op, last))
	}
	s.lastV[key] = max(ver, s.lastV[key])
}

// sync rebuilds rows from live and counts the ids with more than one live
// key.
func (s *tableState) sync() {
	if s.rows == nil {
		s.rows = map[int]string{}
	}
	clear(s.rows)
	s.dups = 0
	for _, lr := range s.live {
		if _, ok := s.rows[lr.id]; ok {
			s.dups++
		}
		s.rows[lr.id] = lr.row
	}
}

// follow consumes topic into a state until it equals the table's rows
// (then returns) or the timeout passes (then fails with the difference).
func follow(t *testing.T, e env, d *db, topic string, timeout time.Duration, onRecord func(*tableState)) *tableState {
	t.Helper()
	return followTable(t, e, d, "t", topic, timeout, onRecord)
}

// followTable is follow for the table named table.
func followTable(t *testing.T, e env, d *db, table, topic string, timeout time.Duration, onRecord func(*tableState)) *tableState {
	t.Helper()
	cl := newKafkaClient(t, e, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond))
	st := &tableState{rows: map[int]string{}, ops: map[string]int{}}
	deadline := time.Now().Add(timeout)
	var want map[int]string
	lastCheck := time.Time{}
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		n := 0
		fs.EachRecord(func(r *kgo.Record) { st.apply(t, r); n++ })
		if onRecord != nil && n > 0 {
			st.sync()
			onRecord(st)
		}
		if n == 0 && time.Since(lastCheck) > time.Second {
			lastCheck = time.Now()
			want = tableRowsOf(t, d, table)
			if st.sync(); st.dups == 0 && equalRows(st.rows, want) {
				return st
			}
		}
	}
	want = tableRowsOf(t, d, table)
	st.sync()
	missing, extra, differ := 0, 0, 0
	var sample []string
	for id, w := range want {
		g, ok := st.rows[id]
		switch {
		case !ok:
			missing++
		case g != w:
			differ++
			if len(sample) < 5 {
				sample = append(sample, fmt.Sprintf("id %d: kafka %s, table %s", id, g, w))
			}
		}
	}
	for id := range st.rows {
		if _, ok := want[id]; !ok {
			extra++
		}
	}
	t.Fatalf("state rebuilt from %s (%d records) differs from the table: %d rows missing, %d extra, %d different, %d ids under two live keys %v",
		topic, st.records, missing, extra, differ, st.dups, sample)
	return nil
}

func tableRowsOf(t *testing.T, d *db, table string) map[int]string {
	r := d.exec("SELECT id, v, pad FROM " + table)
	out := make(map[int]string, r.RowNumber())
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetInt(i, 0)
		v, _ := r.GetInt(i, 1)
		pad, _ := r.GetString(i, 2)
		out[int(id)] = fmt.Sprintf("%d/%s", v, pad)
	}
	return out
}

func equalRows(a, b map[int]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// churnTable runs churn on t of dbName until the returned stop, which
// says how many changes it made (at most once; later calls return -1). A
// failed test stops it too: it must not go on writing.
func churnTable(t *testing.T, e env, dbName string, maxID int) (stop func() int) {
	return churnUntil(t, e, dbName, maxID, false)
}

// churnUntil is churnTable; acrossRestarts makes it connect again when a
// statement fails (the server restarts), rather than fail the test.
func churnUntil(t *testing.T, e env, dbName string, maxID int, acrossRestarts bool) (stop func() int) {
	quit := make(chan struct{})
	churned := make(chan int, 1)
	go churn(t, e, dbName, maxID, acrossRestarts, quit, churned)
	return writerStop(t, quit, churned)
}

// writerStop is the stop of a writer goroutine that quits when quit is
// closed and then sends how many changes it made on churned: it says so
// once (later calls return -1). A failed test stops it too: it must not go
// on writing.
func writerStop(t *testing.T, quit chan struct{}, churned <-chan int) (stop func() int) {
	var once sync.Once
	stop = func() int {
		n := -1
		once.Do(func() { close(quit); n = <-churned })
		return n
	}
	t.Cleanup(func() { stop() })
	return stop
}

// churn updates, deletes and inserts rows of t until stop is closed.
func churn(t *testing.T, e env, dbName string, maxID int, acrossRestarts bool, stop <-chan struct{}, done chan<- int) {
	conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, dbName)
	if err != nil {
		t.Errorf("churn: %v", err)
		done <- 0
		return
	}
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	rng := rand.New(rand.NewSource(1))
	next, n := maxID+1, 0
	for {
		select {
		case <-stop:
			done <- n
			return
		default:
		}
		var q string
		switch k := rng.Intn(10); {
		case k < 6:
			lo := rng.Intn(maxID)
			q = fmt.Sprintf("UPDATE t SET v = v + 1, pad = 'u%d' WHERE id BETWEEN %d AND %d", n, lo, lo+20)
		case k < 8:
			q = fmt.Sprintf("DELETE FROM t WHERE id = %d", rng.Intn(maxID))
		default:
			q = fmt.Sprintf("INSERT INTO t (id, v, pad) VALUES (%d, 0, 'new'), (%d, 0, 'new')", next, next+1)
			next += 2
		}
		if _, err := conn.Execute(q); err != nil {
			if !acrossRestarts {
				t.Errorf("churn: %s: %v", q, err)
				done <- n
				return
			}
			// The statement may have committed or not: the test compares
			// Kafka with the table, not with what churn meant to write.
			conn.Close()
			if conn = connectAgain(e, dbName, stop); conn == nil {
				done <- n
				return
			}
			continue
		}
		n++
		time.Sleep(2 * time.Millisecond)
	}
}

// connectAgain connects to dbName as root every 100 ms until it can, or
// returns nil once stop is closed.
func connectAgain(e env, dbName string, stop <-chan struct{}) *client.Conn {
	for {
		if conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, dbName); err == nil {
			return conn
		}
		select {
		case <-stop:
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func snapshotTable(t *testing.T, d *db, rows int) {
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(40) NOT NULL)")
	snapshotFill(d, rows)
}

// snapshotFill fills t (id, v, pad) with the keys 1 to rows.
func snapshotFill(d *db, rows int) {
	// MariaDB's SEQUENCE engine fills the table quickly.
	for lo := 1; lo <= rows; lo += 250_000 {
		hi := min(lo+250_000-1, rows)
		d.exec(fmt.Sprintf("INSERT INTO t SELECT seq, 1, CONCAT('row-', seq) FROM seq_%d_to_%d", lo, hi))
	}
}

// TestSnapshotKill9Resume snapshots a table of 1,000,000 rows (400,000
// with a race-built daemon) while another connection keeps changing it,
// kills the daemon with SIGKILL in the middle of the snapshot, restarts it,
// and checks that the snapshot resumed (not restarted) and that the state
// rebuilt from Kafka equals the table.
func TestSnapshotKill9Resume(t *testing.T) { snapshotKill9Resume(t, snapshotTable) }

// TestSnapshotKill9ResumeCompositeKey is TestSnapshotKill9Resume on a table
// keyed by (g, id), split into ranges of g: the range read again after the
// kill is guarded by whole keys, and the stream finds rows' ranges by g.
func TestSnapshotKill9ResumeCompositeKey(t *testing.T) {
	snapshotKill9Resume(t, func(t *testing.T, d *db, rows int) {
		// id keeps an index of its own: the churn finds rows by id alone.
		d.exec("CREATE TABLE t (g INT NOT NULL DEFAULT 0, id INT NOT NULL, v INT NOT NULL, pad VARCHAR(40) NOT NULL, PRIMARY KEY (g, id), KEY (id))")
		for lo := 1; lo <= rows; lo += 250_000 {
			d.exec(fmt.Sprintf("INSERT INTO t SELECT seq DIV 1000, seq, 1, CONCAT('row-', seq) FROM seq_%d_to_%d", lo, min(lo+250_000-1, rows)))
		}
	})
}

// TestSnapshotKill9ResumeUnsignedKey is TestSnapshotKill9Resume on a table
// keyed by BIGINT UNSIGNED (the key Laravel's and other frameworks'
// migrations make), read in ranges since the thirty-ninth session (in one
// piece before), with keys past 2^63-1 that a second writer changes and
// adds to during the snapshot: the binlog gives those keys as negative
// int64s, and they belong to the last range.
func TestSnapshotKill9ResumeUnsignedKey(t *testing.T) {
	snapshotKill9Resume(t, func(t *testing.T, d *db, rows int) {
		d.exec("CREATE TABLE t (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v INT NOT NULL, pad VARCHAR(40) NOT NULL)")
		snapshotFill(d, rows)
		d.exec(fmt.Sprintf("INSERT INTO t SELECT %d + seq, 1, CONCAT('big-', seq) FROM seq_1_to_%d", uint64(bigKeyBase), bigKeys))
		d.exec(fmt.Sprintf("INSERT INTO t SELECT 18446744073709551615 - seq, 1, CONCAT('top-', seq) FROM seq_0_to_%d", bigKeys-1))
	}, churnBigKeys)
}

// TestSnapshotKill9ResumeBinaryKey is TestSnapshotKill9Resume on a table
// keyed by (k, id), k a VARBINARY of 1 to 16 bytes (random, as UUIDs stored
// as bytes are), split into ranges of k: the ranges' bounds are 8-byte
// prefixes, the server compares whole byte strings (a shorter one that is
// a bound's prefix is smaller), and the stream must place each change by k
// as the ranges' SELECTs did. Rows the churn adds take a random k.
func TestSnapshotKill9ResumeBinaryKey(t *testing.T) {
	snapshotKill9Resume(t, binaryKeyTable("VARBINARY(16)"))
}

// TestSnapshotKill9ResumeBinaryPaddedKey is TestSnapshotKill9ResumeBinaryKey
// with k a BINARY(16): the server pads the shorter values with zero bytes,
// which the binlog leaves out and the snapshot's SELECT gives.
func TestSnapshotKill9ResumeBinaryPaddedKey(t *testing.T) {
	snapshotKill9Resume(t, binaryKeyTable("BINARY(16)"))
}

// binaryKeyTable makes t keyed by (k, id), k of type typ, filled with k
// of 1 to 16 random bytes.
func binaryKeyTable(typ string) func(t *testing.T, d *db, rows int) {
	return func(t *testing.T, d *db, rows int) {
		keyedTable(d, rows, typ, "UNHEX(MD5(RAND()))", "LEFT(UNHEX(MD5(seq)), 1 + seq %% 16)")
	}
}

// TestSnapshotKill9ResumeDatetimeKey is TestSnapshotKill9Resume on a table
// keyed by (k, id), k a DATETIME(6) a second apart (with fractions) over
// eleven days across a leap day, split into ranges of k at whole seconds;
// a second writer moves rows an hour on or a day back, often to another
// range, during the snapshot.
func TestSnapshotKill9ResumeDatetimeKey(t *testing.T) {
	snapshotKill9Resume(t, func(t *testing.T, d *db, rows int) {
		keyedTable(d, rows, "DATETIME(6)", "TIMESTAMP'2024-02-20 00:00:00' + INTERVAL FLOOR(RAND() * 1000000) SECOND",
			"TIMESTAMP'2024-02-20 00:00:00' + INTERVAL seq SECOND + INTERVAL (seq * 7919 %% 1000000) MICROSECOND")
	}, moveKeys("k + INTERVAL 1 HOUR", "k - INTERVAL 1 DAY"))
}

// TestSnapshotKill9ResumeDecimalKey is TestSnapshotKill9Resume on a table
// keyed by (k, id), k a DECIMAL(14,4) of both signs (which the binlog gives
// in its packed form), split into ranges of its floor; a second writer
// moves rows to other ranges by changing k's sign or fraction.
func TestSnapshotKill9ResumeDecimalKey(t *testing.T) {
	snapshotKill9Resume(t, func(t *testing.T, d *db, rows int) {
		keyedTable(d, rows, "DECIMAL(14,4)", "ROUND(RAND() * 2000000 - 1000000, 4)",
			"(CAST(seq AS SIGNED) * 7919 %% 2000000) - 1000000 + (seq %% 10000) / 10000")
	}, moveKeys("-k", "k - 0.5"))
}

// TestSnapshotKill9ResumeCharKey is TestSnapshotKill9Resume on a table
// keyed by (k, id), k a VARCHAR of MariaDB's default collation
// (utf8mb4_general_ci), split into ranges by the collation's order of
// printable ASCII: hex digests in either case, a fiftieth of them with an
// accent (in the range of their own, read first). A second writer
// moves rows by reversing or rotating k, often to another range, or
// changes its case, which keeps it in place.
func TestSnapshotKill9ResumeCharKey(t *testing.T) {
	snapshotKill9Resume(t, func(t *testing.T, d *db, rows int) {
		keyedTable(d, rows, "VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci", "MD5(RAND())",
			"CONCAT(IF(seq %% 2, UPPER(MD5(seq)), MD5(seq)), IF(seq %% 50 = 0, _utf8mb4 X'C3A9', ''))")
	}, moveKeys("REVERSE(k)", "UPPER(k)", "CONCAT(SUBSTRING(k, 2), LEFT(k, 1))"))
}

// TestSnapshotCharKeyMarks snapshots a table keyed by a VARCHAR in ranges
// (the first, of keys not of printable ASCII, empty) and checks what a
// consumer sees: every row once, the first "first" and the last "last"
// in source.snapshot, "true" between, as Debezium's one SELECT marks them;
// then a streamed insert of a key with an accent and an update.
func TestSnapshotCharKeyMarks(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll(
		"CREATE TABLE s (code VARCHAR(20) PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO s SELECT CONCAT(IF(seq % 2, 'K', 'k'), seq), seq FROM seq_1_to_30000",
		"ANALYZE TABLE s",
	)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"sluice.snapshot.range.rows": "5000"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("snapshot chunks planned", 60*time.Second)
	sl.WaitLog("snapshot finished", 60*time.Second)
	d.exec("INSERT INTO s VALUES ('k\u00f6', -2)")
	d.exec("UPDATE s SET v = -1 WHERE code = 'k7'")
	recs := consume(t, e, 30002, 60*time.Second, prefix+"."+d.name+".s")
	keys := map[string]bool{}
	marks := map[string]int{}
	for i, r := range recs[:30000] {
		p := payload(t, r.Value)
		if p["op"] != "r" {
			t.Fatalf("record %d %s: op %v, want r", i, r.Key, p["op"])
		}
		keys[string(r.Key)] = true
		mark := fmt.Sprint(p["source"].(map[string]any)["snapshot"])
		marks[mark]++
		if want := map[int]string{0: "first", 29999: "last"}[i]; want != "" && mark != want {
			t.Errorf("record %d (%s) marked %q, want %q", i, r.Key, mark, want)
		}
	}
	if len(keys) != 30000 || marks["true"] != 29998 {
		t.Errorf("%d distinct keys in the snapshot, marks %v; want 30000 keys, 29,998 marked true", len(keys), marks)
	}
	for i, want := range []string{"c", "u"} {
		if p := payload(t, recs[30000+i].Value); p["op"] != want {
			t.Errorf("change %d after the snapshot: %v, want op %s", i, p, want)
		}
	}
	sl.Stop()
}

// keyedTable makes t keyed by (k, id), k of type typ, with def as k's
// default (the churn's inserts take it) and fill (of seq, with %% for %)
// as the first rows' k.
func keyedTable(d *db, rows int, typ, def, fill string) {
	// id keeps an index of its own: the churn finds rows by id alone.
	d.exec(`CREATE TABLE t (k ` + typ + ` NOT NULL DEFAULT (` + def + `), id INT NOT NULL, v INT NOT NULL,
		pad VARCHAR(40) NOT NULL, PRIMARY KEY (k, id), KEY (id))`)
	for lo := 1; lo <= rows; lo += 250_000 {
		d.exec(fmt.Sprintf("INSERT INTO t SELECT "+fill+", seq, 1, CONCAT('row-', seq) FROM seq_%d_to_%d", lo, min(lo+250_000-1, rows)))
	}
}

// moveKeys is a writer that sets the key column k of random rows of t to
// one of exprs (of k) until the returned stop, which says how many
// changes it made: each moves a row to another place in the key's order,
// often to another range.
func moveKeys(exprs ...string) func(t *testing.T, e env, dbName string) (stop func() int) {
	return func(t *testing.T, e env, dbName string) (stop func() int) {
		return writeEvery5ms(t, e, dbName, "moving keys", 3, func(rng *rand.Rand, n int) string {
			return fmt.Sprintf("UPDATE t SET k = %s, pad = 'moved-%d' WHERE id = %d", exprs[rng.Intn(len(exprs))], n, 1+rng.Intn(300_000))
		})
	}
}

// writeEvery5ms runs the statement next makes (from a random source seeded
// with seed, and the count of statements before it) on dbName every 5 ms
// until the returned stop, which says how many it ran; what names the
// writer in errors.
func writeEvery5ms(t *testing.T, e env, dbName, what string, seed int64, next func(rng *rand.Rand, n int) string) (stop func() int) {
	quit, churned := make(chan struct{}), make(chan int, 1)
	go func() {
		conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, dbName)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			churned <- 0
			return
		}
		defer conn.Close()
		rng := rand.New(rand.NewSource(seed))
		for n := 0; ; n++ {
			select {
			case <-quit:
				churned <- n
				return
			case <-time.After(5 * time.Millisecond):
			}
			q := next(rng, n)
			if _, err := conn.Execute(q); err != nil {
				t.Errorf("%s: %s: %v", what, q, err)
				churned <- n
				return
			}
		}
	}()
	return writerStop(t, quit, churned)
}

// bigKeyBase is 2^63: keys bigKeyBase+1..bigKeyBase+bigKeys (and as many
// below 2^64) are past the int64s.
const (
	bigKeyBase = uint64(1) << 63
	bigKeys    = 500
)

// churnBigKeys updates, deletes and inserts rows of t keyed past 2^63-1
// until the returned stop, which says how many changes it made.
func churnBigKeys(t *testing.T, e env, dbName string) (stop func() int) {
	return writeEvery5ms(t, e, dbName, "churning keys past 2^63-1", 2, func(rng *rand.Rand, n int) string {
		switch k := bigKeyBase + uint64(rng.Intn(bigKeys)+1); rng.Intn(4) {
		case 0, 1:
			return fmt.Sprintf("UPDATE t SET v = v + 1, pad = 'bu%d' WHERE id IN (%d, %d)", n, k, ^uint64(0)-(k-bigKeyBase))
		case 2:
			return fmt.Sprintf("DELETE FROM t WHERE id = %d", k)
		}
		return fmt.Sprintf("INSERT INTO t VALUES (%d, 0, 'big-new')", bigKeyBase+1_000_000+uint64(n))
	})
}

// snapshotKill9Resume: see TestSnapshotKill9Resume. fill makes and fills
// t; each of churners also writes to it during the snapshot, beside
// churnTable, until the stop it returns.
func snapshotKill9Resume(t *testing.T, fill func(t *testing.T, d *db, rows int), churners ...func(t *testing.T, e env, dbName string) (stop func() int)) {
	e := needServers(t)
	d := newDB(t, e)
	// Enough rows that the kill lands in the middle: a plain daemon
	// snapshots some 300k rows a second. A race-built one (CI) is twenty
	// times slower, and 400k rows spare the suite three minutes. The kill
	// comes once killAt records are in Kafka: more than two ranges, so that
	// the first range has finished and its offset is stored (within
	// offset.flush.interval.ms of Kafka's acknowledgement, while a plain
	// daemon sends 60k more rows: with a kill at 250k, a quarter of a range
	// past the first, the binary key's run once found no range stored and
	// read the table again). A plain daemon reads ranges of 200k rows
	// (sluice.snapshot.range.rows), the race build the default 50k.
	rows, killAt, rangeRows := 1_000_000, int64(450_000), "200000"
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		rows, killAt, rangeRows = 400_000, 150_000, ""
	}
	fill(t, d, rows)
	prefix := "e2e" + d.name[4:]
	props := map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.max.threads": "2", "offset.flush.interval.ms": "200",
	}
	if rangeRows != "" {
		props["sluice.snapshot.range.rows"] = rangeRows
	}
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, props)
	topic := prefix + "." + d.name + ".t"

	stopChurn := churnTable(t, e, d.name, rows)
	var stops []func() int
	for _, c := range churners {
		stops = append(stops, c(t, e, d.name))
	}

	sl := startDaemon(t, e, "--log-format", "console", cfg)
	// Kill once a quarter of the snapshot is in Kafka: the topic's end
	// offsets say so at once (a consumer lagged behind a snapshot of
	// 270k rows/s and saw a third only after it had finished). Metadata
	// is refreshed at once: the topic is not there at first.
	adm := kadm.NewClient(newKafkaClient(t, e, kgo.MetadataMinAge(10*time.Millisecond)))
	var seen int64
	deadline := time.Now().Add(3 * time.Minute)
	for seen < killAt && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		ends, err := adm.ListEndOffsets(ctx, topic)
		cancel()
		if err != nil {
			continue
		}
		seen = 0
		ends.Each(func(o kadm.ListedOffset) {
			if o.Err == nil {
				seen += o.Offset
			}
		})
	}
	if !strings.Contains(sl.Stderr.String(), "snapshot chunks planned") {
		t.Fatalf("no snapshot chunks were planned:\n%s", tail(sl.Stderr.String(), 3000))
	}
	sl.Kill9()
	t.Logf("killed sluice after %d snapshot records", seen)
	if strings.Contains(sl.Stderr.String(), "snapshot finished") {
		t.Fatalf("the snapshot finished before the kill (%d records seen): nothing to resume", seen)
	}

	sl2 := startDaemon(t, e, "--log-format", "console", cfg)
	sl2.WaitLog("resuming the snapshot after its last finished chunk", 30*time.Second)
	sl2.WaitLog("snapshot finished", 5*time.Minute)
	t.Logf("churn made %d changes during the snapshot", stopChurn())
	for _, stop := range stops {
		t.Logf("another writer made %d changes during the snapshot", stop())
	}
	st := follow(t, e, d, topic, 3*time.Minute, nil)
	t.Logf("rebuilt %d rows from %d records (ops %v)", len(st.rows), st.records, st.ops)
	if len(st.reordered) > 0 {
		t.Errorf("changes out of order per key after the resumed snapshot: %v", st.reordered)
	}
	if st.ops["r"] < rows/2 {
		t.Errorf("only %d snapshot (op r) records of %d rows", st.ops["r"], rows)
	}
	if st.ops["u"] == 0 {
		t.Errorf("no update events streamed after the snapshot")
	}
	if strings.Count(sl2.Stderr.String(), "snapshot chunks planned") != 1 {
		t.Errorf("restarted snapshot planned its chunks %d times", strings.Count(sl2.Stderr.String(), "snapshot chunks planned"))
	}
	if !strings.Contains(sl2.Stderr.String(), `"resumed": true`) {
		t.Errorf("the restarted snapshot did not resume a partly done table:\n%s", tail(sl2.Stderr.String(), 3000))
	}
	sl2.Stop()
}

// TestOnDemandSnapshot asks for a snapshot of one table through Debezium's
// signal table while streaming goes on and another connection keeps
// changing the table; the state rebuilt from Kafka must equal the table.
func TestOnDemandSnapshot(t *testing.T) { onDemandWithChurn(t, 20_000, "insert_insert") }

// TestOnDemandSnapshotInsertDelete: the same with Debezium's insert_delete
// watermarking strategy: each chunk's open watermark row is deleted to
// close its window, so the signal table keeps no watermark rows.
func TestOnDemandSnapshotInsertDelete(t *testing.T) {
	d := onDemandWithChurn(t, 5_000, "insert_delete")
	if n := d.str("SELECT COUNT(*) FROM debezium_signal WHERE type LIKE 'snapshot-window-%'"); n != "0" {
		t.Errorf("%s watermark rows left in the signal table, want none", n)
	}
}

func onDemandWithChurn(t *testing.T, rows int, watermarking string) *db {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, rows)
	signalTable(d)
	d.grantSluice("DELETE", "debezium_signal")
	sl, _ := churnedOnDemand(t, e, d, rows, map[string]string{
		"signal.data.collection":                     d.name + ".debezium_signal",
		"incremental.snapshot.chunk.size":            "1000",
		"incremental.snapshot.watermarking.strategy": watermarking,
	}, func(string) {
		d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-1', 'execute-snapshot', '{"data-collections": ["%s.t"], "type": "incremental"}')`, d.name))
	})
	sl.Stop()
	return d
}

// churnedOnDemand streams d with the connector properties props, asks for
// an on-demand snapshot of t through signal (given the topic prefix) while
// churn changes t, and checks that the table rebuilt from Kafka equals
// the database's, each key's changes in order.
func churnedOnDemand(t *testing.T, e env, d *db, rows int, props map[string]string, signal func(prefix string)) (*daemon, string) {
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, mergeProps(map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "no_data",
	}, props))
	topic := prefix + "." + d.name + ".t"
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	stopChurn := churnTable(t, e, d.name, rows)
	time.Sleep(300 * time.Millisecond)
	signal(prefix)
	sl.WaitLog("on-demand snapshot finished", 2*time.Minute)
	time.Sleep(300 * time.Millisecond)
	t.Logf("churn made %d changes during the on-demand snapshot", stopChurn())
	st := follow(t, e, d, topic, 2*time.Minute, nil)
	t.Logf("rebuilt %d rows from %d records (ops %v)", len(st.rows), st.records, st.ops)
	if len(st.reordered) > 0 {
		t.Errorf("changes out of order per key during the on-demand snapshot: %v", st.reordered)
	}
	if st.ops["r"] < rows/2 {
		t.Errorf("only %d op r records from the on-demand snapshot", st.ops["r"])
	}
	if st.ops["u"] == 0 {
		t.Errorf("no updates were streamed while the snapshot ran")
	}
	return sl, prefix
}

func mergeProps(base, more map[string]string) map[string]string {
	for k, v := range more {
		base[k] = v
	}
	return base
}

// TestInitialSnapshotMarkers checks op r records and Debezium's
// source.snapshot values across several tables, then streaming after them.
// The last table is empty: Debezium still marks the snapshot's last row,
// b's, "last" (its buffered receiver marks whatever record came last).
func TestInitialSnapshotMarkers(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll(
		"CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))",
		"CREATE TABLE b (id INT PRIMARY KEY, v VARCHAR(10))",
		// A table of one row between them: that row is the table's first
		// and last, and Debezium marks it last_in_data_collection.
		"CREATE TABLE ab (id INT PRIMARY KEY)",
		"CREATE TABLE c (id INT PRIMARY KEY)",
		"INSERT INTO a VALUES (1,'a1'),(2,'a2'),(3,'a3')",
		"INSERT INTO ab VALUES (1)",
		"INSERT INTO b VALUES (1,'b1'),(2,'b2'),(3,'b3')",
	)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("snapshot finished", 60*time.Second)
	d.exec("UPDATE a SET v = 'a1x' WHERE id = 1")
	ta, tb := prefix+"."+d.name+".a", prefix+"."+d.name+".b"
	var got []string
	for _, r := range consume(t, e, 4, 30*time.Second, ta) {
		p := payload(t, r.Value)
		src := p["source"].(map[string]any)
		got = append(got, fmt.Sprintf("%s:%v", p["op"], src["snapshot"]))
	}
	for _, topic := range []string{prefix + "." + d.name + ".ab", tb} {
		for _, r := range consume(t, e, 1, 30*time.Second, topic) {
			p := payload(t, r.Value)
			got = append(got, fmt.Sprintf("%s:%v", p["op"], p["source"].(map[string]any)["snapshot"]))
		}
	}
	want := "r:first r:true r:last_in_data_collection u:false r:last_in_data_collection r:first_in_data_collection r:true r:last"
	if strings.Join(got, " ") != want {
		t.Errorf("op:source.snapshot = %s\nwant                 %s", strings.Join(got, " "), want)
	}
	sl.Stop()
}

// TestWhenNeededAfterPurge removes the binlogs holding a stopped
// connector's position: with snapshot.mode=initial the daemon stops with an
// error saying so and how to recover, having notified nothing; with
// when_needed it takes a new snapshot, notified as a first start's (no
// SKIPPED first: Debezium checks the position before its snapshot source
// runs), and the state rebuilt from Kafka equals the table. The MariaDB
// class's offset holds GTIDs; the MySQL class's on MariaDB a file and
// position only.
//
// The purge runs on a MariaDB of the test's own: on the shared one it would
// take the binlogs from under whatever else reads them (the side-by-side
// tests' Debezium, run beside this package, starts streaming from a
// position its snapshot recorded).
func TestWhenNeededAfterPurge(t *testing.T) {
	e := needServers(t)
	e.mysqlAddr, _ = privateMariaDB(t, "purge", 23311, "--server-id=6")
	for _, class := range []string{"io.debezium.connector.mariadb.MariaDbConnector", "io.debezium.connector.mysql.MySqlConnector"} {
		t.Run(class[strings.LastIndex(class, ".")+1:], func(t *testing.T) { whenNeededAfterPurge(t, e, class) })
	}
}

func whenNeededAfterPurge(t *testing.T, e env, class string) {
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL, pad VARCHAR(40) NOT NULL)")
	d.exec("INSERT INTO t VALUES (1, 1, 'a'), (2, 1, 'b')")
	prefix := "e2e" + d.name[4:]
	notes := prefix + "-notes"
	// One partition keeps the notifications in the order they were written.
	if _, err := kadm.NewClient(newKafkaClient(t, e)).CreateTopic(context.Background(), 1, -1, nil, notes); err != nil {
		t.Fatalf("creating the notification topic: %v", err)
	}
	extra := map[string]string{"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"connector.class": class, "notification.enabled.channels": "sink", "notification.sink.topic.name": notes}
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, extra)
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	sl.Stop()
	snapshotNotes := []string{"STARTED", "IN_PROGRESS", "TABLE_SCAN_COMPLETED", "COMPLETED"}
	expectInitial(t, consume(t, e, 4, 30*time.Second, notes), prefix, snapshotNotes...)

	// While it is down: changes, then the binlogs holding its position go.
	d.exec("UPDATE t SET v = 2 WHERE id = 1")
	d.exec("DELETE FROM t WHERE id = 2")
	d.exec("FLUSH BINARY LOGS")
	d.exec("INSERT INTO t VALUES (3, 1, 'c')")
	last := d.exec("SHOW BINARY LOGS")
	newest, _ := last.GetString(last.RowNumber()-1, 0)
	// The server keeps a stopped replica's dump thread until it notices the
	// disconnect, and will not purge a binlog such a thread holds.
	r := d.exec("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'sluice' AND COMMAND LIKE 'Binlog Dump%'")
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetInt(i, 0)
		_, _ = d.conn.Execute(fmt.Sprintf("KILL %d", id))
	}
	// Nor a binlog InnoDB has not checkpointed yet: retry for a while.
	oldest := ""
	for try := 0; try < 50 && oldest != newest; try++ {
		d.exec("FLUSH LOGS")
		d.exec("PURGE BINARY LOGS TO '" + newest + "'")
		oldest, _ = d.exec("SHOW BINARY LOGS").GetString(0, 0)
		if oldest != newest {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if oldest != newest {
		t.Fatalf("PURGE BINARY LOGS TO %s left %s: another replica (a sluice still running?) is reading it", newest, oldest)
	}

	failing := startDaemon(t, e, "--log-format", "console", cfg)
	select {
	case <-failing.Done:
	case <-time.After(30 * time.Second):
		t.Fatal("sluice kept running on a purged position with snapshot.mode=initial")
	}
	if failing.Err == nil || !strings.Contains(failing.Stderr.String(), "snapshot.mode=when_needed") {
		t.Fatalf("exit %v; the error does not say how to recover:\n%s", failing.Err, tail(failing.Stderr.String(), 2000))
	}
	if recs := consume(t, e, 4, 10*time.Second, notes); len(recs) != 4 {
		t.Errorf("the failed start notified %d times, want none", len(recs)-4)
	}
	// Without the check at start (Debezium's internal.log.position.check.enable),
	// the stream makes it as it starts: MariaDB would otherwise start at
	// its oldest binlog, past the lost changes, without a word.
	unchecked := map[string]string{"internal.log.position.check.enable": "false"}
	for k, v := range extra {
		if !strings.HasPrefix(k, "notification.") {
			unchecked[k] = v
		}
	}
	nocheck := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, unchecked))
	log := nocheck.WaitExit(30 * time.Second)
	if nocheck.Err == nil || !strings.Contains(log, "snapshot.mode=when_needed") {
		t.Fatalf("exit %v with the check at start off; want the same error from the stream:\n%s", nocheck.Err, tail(log, 2000))
	}
	if recs := consume(t, e, 2, 5*time.Second, prefix+"."+d.name+".t"); len(recs) != 2 {
		t.Errorf("%d records with the check at start off, want the first snapshot's 2 alone", len(recs))
	}

	extra["snapshot.mode"] = "when_needed"
	cfg2 := connectorFile(t, e, "c-"+d.name, prefix, d.name, extra)
	sl2 := startDaemon(t, e, "--log-format", "console", cfg2)
	sl2.WaitLog("taking a new snapshot", 30*time.Second)
	sl2.WaitLog("snapshot finished", 60*time.Second)
	expectInitial(t, consume(t, e, 8, 30*time.Second, notes)[4:], prefix, snapshotNotes...)
	// The new snapshot re-emits every current row. A row deleted while the
	// binlogs were lost cannot be seen by any snapshot, so it stays in
	// Kafka (as with Debezium): every table row must be there and right.
	recs := consume(t, e, 4, time.Minute, prefix+"."+d.name+".t")
	st := &tableState{rows: map[int]string{}, ops: map[string]int{}}
	for i := range recs {
		st.apply(t, &kgo.Record{Key: recs[i].Key, Value: recs[i].Value})
	}
	st.sync()
	for id, want := range tableRowsOf(t, d, "t") {
		if st.rows[id] != want {
			t.Errorf("row %d: rebuilt %q, table %q", id, st.rows[id], want)
		}
	}
	if st.ops["r"] < 4 {
		t.Errorf("%d snapshot records; want both snapshots' rows", st.ops["r"])
	}
	sl2.Stop()
}

// TestOnDemandSnapshotConditions snapshots only the rows an
// execute-snapshot signal's additional-conditions select.
func TestOnDemandSnapshotConditions(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, 100)
	sl, prefix := startOnDemand(t, e, d, 4)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-2', 'execute-snapshot', '{"data-collections": ["%[1]s.t"], "additional-conditions": [{"data-collection": "%[1]s.t", "filter": "id <= 10"}]}')`, d.name))
	sl.WaitLog("on-demand snapshot finished", time.Minute)
	var ids []string
	for _, r := range consume(t, e, 10, 30*time.Second, prefix+"."+d.name+".t") {
		p := payload(t, r.Value)
		src := p["source"].(map[string]any)
		if p["op"] != "r" || src["snapshot"] != "incremental" {
			t.Errorf("record op %v source.snapshot %v, want r / incremental", p["op"], src["snapshot"])
		}
		ids = append(ids, fmt.Sprint(p["after"].(map[string]any)["id"]))
	}
	if got := strings.Join(ids, ","); got != "1,2,3,4,5,6,7,8,9,10" {
		t.Errorf("snapshot rows %s, want ids 1..10 only", got)
	}
	sl.Stop()
}

// startOnDemand starts a connector streaming d without a snapshot, with
// its signal table and on-demand chunks of chunk rows, and returns it and
// its topic prefix once it streams.
func startOnDemand(t *testing.T, e env, d *db, chunk int, args ...string) (*daemon, string) {
	t.Helper()
	return startSignalled(t, e, d, map[string]string{"incremental.snapshot.chunk.size": strconv.Itoa(chunk)}, args...)
}

// startSignalled starts a connector streaming d without a snapshot, with
// its signal table and the properties props, and returns it and its topic
// prefix once it streams.
func startSignalled(t *testing.T, e env, d *db, props map[string]string, args ...string) (*daemon, string) {
	t.Helper()
	signalTable(d)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, mergeProps(map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "no_data", "signal.data.collection": d.name + ".debezium_signal",
	}, props))
	sl := startDaemon(t, e, append(append([]string{"--log-format", "console"}, args...), cfg)...)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	return sl, prefix
}

// TestOnDemandSnapshotDatetimeKey: chunks of a table keyed by a
// DATETIME(3) follow one another by that key (the chunk's last key goes
// back to the server as a literal): every row once, in key order.
func TestOnDemandSnapshotDatetimeKey(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE tk (at DATETIME(3) PRIMARY KEY, v INT NOT NULL)")
	var want []string
	for i := range 10 {
		at := time.Date(2024, 2, 28, 23, 59, 59, 0, time.UTC).Add(time.Duration(i) * 250 * time.Millisecond)
		d.exec(fmt.Sprintf("INSERT INTO tk VALUES ('%s', %d)", at.Format("2006-01-02 15:04:05.000"), i))
		want = append(want, fmt.Sprint(at.UnixMilli()))
	}
	sl, prefix := startOnDemand(t, e, d, 3)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-dt', 'execute-snapshot', '{"data-collections": ["%s.tk"]}')`, d.name))
	sl.WaitLog("on-demand snapshot finished", time.Minute)
	var got []string
	for _, r := range consume(t, e, 10, 30*time.Second, prefix+"."+d.name+".tk") {
		at, _ := payload(t, r.Value)["after"].(map[string]any)["at"].(float64)
		got = append(got, fmt.Sprint(int64(at)))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("snapshot rows by key %v, want %v", got, want)
	}
	sl.Stop()
}

// TestSnapshotTablesWithoutIntegerKey snapshots a table keyed by a string
// and one without a primary key; they are read in one piece, streamed.
func TestSnapshotTablesWithoutIntegerKey(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll(
		"CREATE TABLE s (code VARCHAR(20) PRIMARY KEY, v INT NOT NULL)",
		"INSERT INTO s SELECT CONCAT('k', seq), seq FROM seq_1_to_30000",
		"CREATE TABLE nokey (v INT NOT NULL)",
		"INSERT INTO nokey SELECT seq FROM seq_1_to_1000",
	)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("snapshot finished", 60*time.Second)
	d.exec("UPDATE s SET v = -1 WHERE code = 'k7'")
	recs := consume(t, e, 30001, 60*time.Second, prefix+"."+d.name+".s")
	keys := map[string]bool{}
	for _, r := range recs[:30000] {
		p := payload(t, r.Value)
		if p["op"] != "r" {
			t.Fatalf("record %s: op %v, want r", r.Key, p["op"])
		}
		keys[string(r.Key)] = true
	}
	if len(keys) != 30000 {
		t.Errorf("%d distinct keys in the snapshot of s, want 30000", len(keys))
	}
	last := payload(t, recs[len(recs)-1].Value)
	if last["op"] != "u" || fmt.Sprint(last["after"].(map[string]any)["v"]) != "-1" {
		t.Errorf("change after the snapshot: %v", last)
	}
	nk := consume(t, e, 1000, 30*time.Second, prefix+"."+d.name+".nokey")
	if nk[0].Key != nil || len(nk) != 1000 {
		t.Errorf("nokey: %d records, first key %s; want 1000 with null keys", len(nk), nk[0].Key)
	}
	sl.Stop()
}

// signalTable creates Debezium's signal table in the test database and lets
// the connector user write its watermarks there.
func signalTable(d *db) {
	d.exec("CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)")
	d.grantSluice("INSERT", "debezium_signal")
}

// grantSluice grants the connector user privs on a table of the test
// database. Not every host entry of the user exists; the ones that do
// need the grant.
func (d *db) grantSluice(privs, table string) {
	for _, host := range []string{"%", "localhost", "127.0.0.1"} {
		_, _ = d.conn.Execute(fmt.Sprintf("GRANT %s ON %s.%s TO 'sluice'@'%s'", privs, d.name, table, host))
	}
}

// TestSnapshotModeOnRestart restarts a connector under snapshot.mode
// initial_only and always, as Debezium 3.5 runs them: initial_only never
// streams, also when restarted after its snapshot (it exits again, the
// row written meanwhile not sent); always takes a new snapshot at every
// start, whatever offset is stored, and streams from it (a change made
// while it was down arrives in the new snapshot's rows only).
func TestSnapshotModeOnRestart(t *testing.T) {
	e := needServers(t)
	d, prefix, topic := twoRowTable(t, e)
	extra := map[string]string{"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "initial_only"}
	run := func(mode string) *daemon {
		extra["snapshot.mode"] = mode
		return startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, extra))
	}
	got := opIDV(t, e, topic)

	run("initial_only").WaitExit(time.Minute)
	d.exec("INSERT INTO t VALUES (3, 1)")
	if log := run("initial_only").WaitExit(30 * time.Second); !strings.Contains(log, "not streaming") {
		t.Fatalf("restarted initial_only connector did not say it does not stream:\n%s", tail(log, 3000))
	}
	if n := countRecords(t, e, topic); n != 2 {
		t.Fatalf("%d records after initial_only ran twice, want the first snapshot's 2:\n%s", n, got(int(n), 0))
	}

	sl := run("always")
	sl.WaitLog("snapshot.mode=always: taking a new snapshot", 30*time.Second)
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("INSERT INTO t VALUES (4, 1)")
	if s := got(6, 2); s != "r:1:1 r:2:1 r:3:1 c:4:1" {
		t.Fatalf("always, first start: %s, want r:1:1 r:2:1 r:3:1 c:4:1", s)
	}
	sl.Stop()

	d.exec("UPDATE t SET v = 2 WHERE id = 1")
	sl = run("always")
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("UPDATE t SET v = 3 WHERE id = 2")
	if s := got(11, 6); s != "r:1:2 r:2:1 r:3:1 r:4:1 u:2:3" {
		t.Fatalf("always, restarted: %s, want r:1:2 r:2:1 r:3:1 r:4:1 u:2:3", s)
	}
	sl.Stop()
}

// twoRowTable makes a database whose table t (id, v) holds rows 1 and 2,
// and names the connector's topic prefix and t's topic.
func twoRowTable(t *testing.T, e env) (d *db, prefix, topic string) {
	t.Helper()
	d = newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)")
	d.exec("INSERT INTO t VALUES (1, 1), (2, 1)")
	prefix = "e2e" + d.name[4:]
	return d, prefix, prefix + "." + d.name + ".t"
}

// opIDV reads topic's records (schemaless JSON) as op:id:v: got(n, skip)
// waits for n records and gives those after the first skip.
func opIDV(t *testing.T, e env, topic string) func(n, skip int) string {
	return func(n, skip int) string {
		t.Helper()
		var out []string
		for _, r := range consume(t, e, n, time.Minute, topic)[skip:] {
			p := payload(t, r.Value)
			row, _ := p["after"].(map[string]any)
			out = append(out, fmt.Sprintf("%s:%v:%v", p["op"], row["id"], row["v"]))
		}
		return strings.Join(out, " ")
	}
}

// TestConfigurationBasedSnapshot runs snapshot.mode=configuration_based's
// switches as Debezium's ConfigurationBasedSnapshotter answers them,
// whatever offset is stored: data and schema without start.stream take a
// new snapshot at every start and stop (initial_only takes one only);
// start.stream alone streams from the stored offset; all three snapshot at
// every start, then stream.
func TestConfigurationBasedSnapshot(t *testing.T) {
	e := needServers(t)
	d, prefix, topic := twoRowTable(t, e)
	const p = "snapshot.mode.configuration.based."
	run := func(switches ...string) *daemon {
		extra := map[string]string{"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
			"snapshot.mode": "configuration_based"}
		for _, k := range switches {
			extra[p+k] = "true"
		}
		return startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, extra))
	}
	got := opIDV(t, e, topic)

	run("snapshot.data", "snapshot.schema").WaitExit(time.Minute)
	d.exec("INSERT INTO t VALUES (3, 1)")
	if log := run("snapshot.data", "snapshot.schema").WaitExit(time.Minute); !strings.Contains(log, "not streaming") {
		t.Fatalf("configuration_based without start.stream did not say it does not stream:\n%s", tail(log, 3000))
	}
	if s := got(5, 0); s != "r:1:1 r:2:1 r:1:1 r:2:1 r:3:1" {
		t.Fatalf("data and schema without start.stream, two starts: %s, want two snapshots, r:1:1 r:2:1 r:1:1 r:2:1 r:3:1", s)
	}

	d.exec("INSERT INTO t VALUES (4, 1)")
	sl := run("start.stream")
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("UPDATE t SET v = 2 WHERE id = 1")
	if s := got(7, 5); s != "c:4:1 u:1:2" {
		t.Fatalf("start.stream alone: %s, want the insert made while it was down and the update, c:4:1 u:1:2", s)
	}
	sl.Stop()

	sl = run("snapshot.data", "snapshot.schema", "start.stream")
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("INSERT INTO t VALUES (5, 1)")
	if s := got(12, 7); s != "r:1:2 r:2:1 r:3:1 r:4:1 c:5:1" {
		t.Fatalf("all three: %s, want a new snapshot then the stream, r:1:2 r:2:1 r:3:1 r:4:1 c:5:1", s)
	}
	sl.Stop()
	if n := countRecords(t, e, topic); n != 12 {
		t.Fatalf("%d records, want 12:\n%s", n, got(int(n), 0))
	}
}

// TestOnDemandSnapshotSurrogateKey snapshots a table without a primary key
// on demand, its chunks following the unique column the signal's
// surrogate-key names, as Debezium's do: every row once, op "r".
func TestOnDemandSnapshotSurrogateKey(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE nk (code VARCHAR(10) NOT NULL, v INT)") // no key at all
	var want []string
	for n := range 11 {
		code := fmt.Sprintf("c%02d", n)
		d.exec(fmt.Sprintf("INSERT INTO nk VALUES ('%s', %d)", code, n))
		want = append(want, code)
	}
	sl, prefix := startOnDemand(t, e, d, 4)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-sk', 'execute-snapshot', '{"data-collections": ["%s.nk"], "surrogate-key": "code"}')`, d.name))
	sl.WaitLog("on-demand snapshot finished", time.Minute)
	var got []string
	for _, r := range consume(t, e, len(want), 30*time.Second, prefix+"."+d.name+".nk") {
		p := payload(t, r.Value)
		if p["op"] != "r" {
			t.Errorf("record of op %v, want r", p["op"])
		}
		got = append(got, p["after"].(map[string]any)["code"].(string))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("rows by surrogate key %v, want %v", got, want)
	}
	if strings.Contains(sl.Stderr.String(), "has no primary key") {
		t.Error("the table was skipped for its missing primary key")
	}
	sl.Stop()
}

// TestOnDemandSnapshotPauseResume: a pause-snapshot signal in the
// execute-snapshot's own transaction holds the on-demand snapshot before
// its first chunk (no read event while streaming goes on), and
// resume-snapshot lets it run to the end; a log signal's message is logged.
func TestOnDemandSnapshotPauseResume(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, 200)
	d.exec("CREATE TABLE u (id INT PRIMARY KEY)")
	sl, prefix := startOnDemand(t, e, d, 10, "--listeners", "http://127.0.0.1:0")
	metrics := snapshotMetrics(t, sl, "c-"+d.name, d.name+".t")
	completed := metrics()["completed"]
	d.execAll("BEGIN",
		fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-p', 'execute-snapshot', '{"data-collections": ["%s.t"]}')`, d.name),
		`INSERT INTO debezium_signal VALUES ('pause-1', 'pause-snapshot', '{"type": "incremental"}')`,
		"COMMIT")
	sl.WaitLog("on-demand snapshot paused", 30*time.Second)
	if m := metrics(); m["running"] != 1 || m["paused"] != 1 || m["tables"] != 1 || m["remaining"] != 1 {
		t.Errorf("the metrics while the snapshot is paused: %v", m)
	}
	d.exec("INSERT INTO u VALUES (1)")
	consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".u") // streaming goes on
	if n := topicRecords(t, e.kafka, prefix+"."+d.name+".t", 1, time.Second); n != 0 {
		t.Fatalf("%d records of t while the snapshot is paused, want none", n)
	}
	d.exec(`INSERT INTO debezium_signal VALUES ('resume-1', 'resume-snapshot', '{"type": "incremental"}')`)
	d.exec(`INSERT INTO debezium_signal VALUES ('log-1', 'log', '{"message": "resumed by the e2e test"}')`)
	sl.WaitLog("on-demand snapshot finished", time.Minute)
	if n := len(consume(t, e, 200, 30*time.Second, prefix+"."+d.name+".t")); n != 200 {
		t.Errorf("%d read events after the resume, want 200", n)
	}
	sl.WaitLog("resumed by the e2e test", 10*time.Second)
	if m := metrics(); m["running"] != 0 || m["paused"] != 0 || m["completed"] != completed+1 || m["remaining"] != 0 || m["rows"] != 200 {
		t.Errorf("the metrics once the snapshot finished: %v (completed before it: %d)", m, completed)
	}
	sl.Stop()
}

// snapshotMetrics reads a connector's snapshot metrics from the daemon's
// /metrics, with table's rows scanned as "rows".
func snapshotMetrics(t *testing.T, sl *daemon, name, table string) func() map[string]int64 {
	base := "http://" + restAddr(t, sl)
	series := map[string]string{
		"running":   fmt.Sprintf(`sluice_snapshot_running{connector=%q}`, name),
		"paused":    fmt.Sprintf(`sluice_snapshot_paused{connector=%q}`, name),
		"completed": fmt.Sprintf(`sluice_snapshots_completed_total{connector=%q}`, name),
		"tables":    fmt.Sprintf(`sluice_snapshot_tables{connector=%q}`, name),
		"remaining": fmt.Sprintf(`sluice_snapshot_tables_remaining{connector=%q}`, name),
		"rows":      fmt.Sprintf(`sluice_snapshot_rows_scanned{connector=%q,table=%q}`, name, table),
	}
	return func() map[string]int64 {
		_, body := call(t, "GET", base+"/metrics")
		m := map[string]int64{}
		for k, s := range series {
			m[k] = metricValue(body, s)
		}
		return m
	}
}

// TestSnapshotSelectOverride reads a table by the SELECT that
// snapshot.select.statement.overrides gives it, as Debezium does: only its
// rows are read events, in one piece; the rows it left out still stream
// their changes.
func TestSnapshotSelectOverride(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, 20)
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.select.statement.overrides":                  d.name + ".t",
		"snapshot.select.statement.overrides." + d.name + ".t": "SELECT * FROM " + d.name + ".t WHERE id <= 5",
		"sluice.snapshot.range.rows":                           "2",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("UPDATE t SET v = 9 WHERE id = 8")
	var got []string
	for _, r := range consume(t, e, 6, 30*time.Second, prefix+"."+d.name+".t") {
		p := payload(t, r.Value)
		got = append(got, fmt.Sprintf("%s:%v", p["op"], p["after"].(map[string]any)["id"]))
	}
	if g := strings.Join(got, " "); g != "r:1 r:2 r:3 r:4 r:5 u:8" {
		t.Errorf("records %s, want the override's rows 1-5 read and the update of row 8", g)
	}
	sl.Stop()
}

// TestSnapshotSelectOverrideRefused: a snapshot.select.statement.overrides
// SELECT the server refuses (a column that does not exist) stops the
// connector with the server's error and the property to fix. Before, the
// range was retried as a transient failure, once a second, without end.
func TestSnapshotSelectOverrideRefused(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, 20)
	prefix := "e2e" + d.name[4:]
	property := "snapshot.select.statement.overrides." + d.name + ".t"
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"snapshot.select.statement.overrides": d.name + ".t",
		property:                              "SELECT * FROM " + d.name + ".t WHERE no_such_col <= 5",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	log := sl.WaitExit(30 * time.Second)
	if sl.Err == nil || !strings.Contains(log, "Unknown column 'no_such_col'") || !strings.Contains(log, property+" (or a blocking snapshot signal's additional-conditions): fix it") {
		t.Errorf("exit %v; want the connector stopped with the server's error and the property:\n%s", sl.Err, tail(log, 3000))
	}
	if n := strings.Count(log, "transient failure; retrying"); n > 0 {
		t.Errorf("the refused SELECT was retried %d times", n)
	}
}

// TestSnapshotIncludeCollectionList snapshots only the captured tables
// snapshot.include.collection.list matches, in the order
// snapshot.tables.order.by.row.count=ascending gives (the smaller table
// first: its row is the snapshot's "first", the larger one's last row its
// "last"); the table left out streams its changes.
func TestSnapshotIncludeCollectionList(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE a (id INT PRIMARY KEY)", "INSERT INTO a VALUES (1), (2), (3)",
		"CREATE TABLE b (id INT PRIMARY KEY)", "INSERT INTO b VALUES (1), (2)",
		"CREATE TABLE c (id INT PRIMARY KEY)", "INSERT INTO c VALUES (1)", "ANALYZE TABLE a, b, c")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.include.collection.list":   d.name + `\.(a|c)`,
		"snapshot.tables.order.by.row.count": "ascending",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("INSERT INTO b VALUES (3)")
	marks := func(table string, n int) string {
		var out []string
		for _, r := range consume(t, e, n, 30*time.Second, prefix+"."+d.name+"."+table) {
			p := payload(t, r.Value)
			out = append(out, fmt.Sprintf("%s:%v", p["op"], p["source"].(map[string]any)["snapshot"]))
		}
		return strings.Join(out, " ")
	}
	if got := marks("c", 1); got != "r:first" {
		t.Errorf("table c: %s, want its one row read first", got)
	}
	if got := marks("a", 3); got != "r:first_in_data_collection r:true r:last" {
		t.Errorf("table a: %s, want its rows read last", got)
	}
	if got := marks("b", 1); got != "c:false" {
		t.Errorf("table b: %s, want only the streamed insert", got)
	}
	sl.Stop()
}

// TestSnapshotOrderFollowsIncludeList reads the snapshot's tables in
// table.include.list's order, as Debezium 3.5 does, which shows in the
// rows' source.snapshot markers: by name otherwise, y would come after x.
// By row count, tables of equal counts keep that order (Debezium's stable
// sort).
func TestSnapshotOrderFollowsIncludeList(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE x (id INT PRIMARY KEY)", "INSERT INTO x VALUES (1), (2)",
		"CREATE TABLE y (id INT PRIMARY KEY)", "INSERT INTO y VALUES (1), (2)",
		"CREATE TABLE z (id INT PRIMARY KEY)", "INSERT INTO z VALUES (1)", "ANALYZE TABLE x, y, z")
	for _, c := range []struct {
		order   string
		x, y, z string
	}{
		{"disabled", "r:first_in_data_collection r:last_in_data_collection", "r:first r:last_in_data_collection", "r:last"},
		{"ascending", "r:first_in_data_collection r:last", "r:first_in_data_collection r:last_in_data_collection", "r:first"},
	} {
		prefix := "e2e" + d.name[4:] + c.order[:1]
		cfg := connectorFile(t, e, "c-"+c.order+d.name, prefix, d.name, map[string]string{
			"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
			"table.include.list":                 fmt.Sprintf(`%[1]s\.y,%[1]s\.(x|z)`, d.name),
			"snapshot.tables.order.by.row.count": c.order,
		})
		sl := startDaemon(t, e, "--log-format", "console", cfg)
		sl.WaitLog("binlog streaming from", time.Minute)
		for table, want := range map[string]string{"x": c.x, "y": c.y, "z": c.z} {
			var got []string
			for _, r := range consume(t, e, strings.Count(want, " ")+1, 30*time.Second, prefix+"."+d.name+"."+table) {
				got = append(got, fmt.Sprintf("r:%v", payload(t, r.Value)["source"].(map[string]any)["snapshot"]))
			}
			if g := strings.Join(got, " "); g != want {
				t.Errorf("%s, table %s: %s, want %s", c.order, table, g, want)
			}
		}
		sl.Stop()
	}
}

// TestTakeOverDebeziumUnfinishedInitialSnapshot starts Sluice from the
// offset Debezium 3.5.0.Final stores while its initial snapshot runs: the
// binlog position the snapshot started at and "snapshot": "INITIAL"
// (captured by stopping the real MariaDB connector in the middle of one).
// Debezium, restarted from it, snapshots again; streaming from it would
// leave out every row it had not read. Sluice takes a new snapshot.
func TestTakeOverDebeziumUnfinishedInitialSnapshot(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE a (id INT PRIMARY KEY, v INT)")
	d.exec("INSERT INTO a SELECT seq, seq FROM seq_1_to_2000")
	prefix, name := "e2e"+d.name[4:], "c-"+d.name
	at := d.exec("SHOW MASTER STATUS")
	file, _ := at.GetString(0, 0)
	pos, _ := at.GetInt(0, 1)
	value, _ := json.Marshal(map[string]any{"ts_sec": time.Now().Unix(), "file": file, "pos": pos,
		"gtids": d.str("SELECT @@GLOBAL.gtid_binlog_pos"), "snapshot": "INITIAL"})
	commitOffset(t, e.kafka, offsets.Key(name, prefix), value)
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("taking a new snapshot, as Debezium would", 30*time.Second)
	sl.WaitLog("binlog streaming from", time.Minute)
	d.exec("INSERT INTO a VALUES (2001, 1)")
	ops := map[string]int{}
	for _, r := range consume(t, e, 2001, time.Minute, prefix+"."+d.name+".a") {
		ops[fmt.Sprint(payload(t, r.Value)["op"])]++
	}
	if ops["r"] != 2000 || ops["c"] != 1 {
		t.Errorf("records of a by op %v, want its 2000 rows read and the insert", ops)
	}
	sl.Stop()

	// snapshot.mode=never takes no snapshot: the connector stops and says
	// why, rather than stream past the rows never read.
	commitOffset(t, e.kafka, offsets.Key(name+"n", prefix+"n"), value)
	cfg = connectorFile(t, e, name+"n", prefix+"n", d.name, map[string]string{"snapshot.mode": "never"})
	out := startDaemon(t, e, "--log-format", "console", cfg).WaitExit(time.Minute)
	if !strings.Contains(out, "snapshot.mode=never takes none") || !strings.Contains(out, "set snapshot.mode=initial") {
		t.Errorf("snapshot.mode=never from Debezium's unfinished snapshot: want the error naming the fix, got:\n%s", tail(out, 2000))
	}
}

// A table's columns changed while an on-demand snapshot reads it: the
// chunks after the ALTER read the new columns (the dropped one gone, the
// added one there), as Debezium's chunks follow the table's current schema,
// and the stream goes on. Before, the chunks kept the columns the snapshot
// began with: a dropped column failed every chunk's SELECT and held the
// stream in a retry loop.
func TestOnDemandSnapshotAcrossAlter(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	const rows = 20_000
	snapshotTable(t, d, rows)
	d.exec("CREATE TABLE u (id INT PRIMARY KEY)")
	sl, prefix := startOnDemand(t, e, d, 10)
	topic := prefix + "." + d.name + ".t"
	before := pausedAfterFirstChunk(t, e, d, sl, topic, "t")
	if before >= rows {
		t.Fatalf("the snapshot read all %d rows before the pause; the test needs it paused in the middle", before)
	}
	t.Logf("paused with %d of %d rows read", before, rows)
	d.exec("ALTER TABLE t DROP COLUMN pad, ADD COLUMN extra INT NOT NULL DEFAULT 5")
	d.exec(`INSERT INTO debezium_signal VALUES ('resume-a', 'resume-snapshot', '{"type": "incremental"}')`)
	sl.WaitLog("on-demand snapshot finished", time.Minute)
	d.exec("INSERT INTO u VALUES (1)")
	consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".u")
	recs := consume(t, e, rows, time.Minute, topic)
	seen := map[float64]bool{}
	for i, r := range recs {
		after := payload(t, r.Value)["after"].(map[string]any)
		seen[after["id"].(float64)] = true
		_, hasPad := after["pad"]
		if int64(i) >= before+10 && (hasPad || after["extra"] != float64(5)) {
			t.Fatalf("read event %d (of %d before the pause) after the ALTER: %v, want extra=5 and no pad", i, before, after)
		}
	}
	if len(seen) != rows {
		t.Errorf("%d distinct rows read, want %d", len(seen), rows)
	}
	sl.Stop()
}

// TestSnapshotAcrossTruncate: TRUNCATE and a refill of the table between
// two ranges of the initial snapshot, truncate events written
// (skipped.operations=none; Debezium's default skips them). The ranges after it hold the new rows
// and reach Kafka before the stream's truncate event, which empties the
// table for a consumer; the stream then writes the refill's inserts, those
// ranges' too. Before, the filter dropped those inserts as already in the
// snapshot, and the rows of every range after the TRUNCATE were lost.
func TestSnapshotAcrossTruncate(t *testing.T) {
	const rows = betweenRangesRows
	e, d, sl, topic := betweenRanges(t, rows, map[string]string{"skipped.operations": "none"},
		"TRUNCATE TABLE t", fmt.Sprintf("INSERT INTO t SELECT seq, 2, CONCAT('new-', seq) FROM seq_1_to_%d", rows))
	st := follow(t, e, d, topic, 2*time.Minute, nil)
	if st.ops["t"] != 1 || st.ops["r"] >= 2*rows || st.ops["c"] == 0 {
		t.Errorf("ops %v: want one truncate, the snapshot's reads and the refill's inserts", st.ops)
	}
	sl.Stop()
}

// TestSnapshotAcrossRename: RENAME TABLE between two ranges of the initial
// snapshot, then changes to the renamed table. The next range finds no
// table and the retry skips it; when the stream reaches the RENAME, Sluice
// takes a snapshot of the renamed table (blocking by default; on-demand,
// read-only, with read.only=true), whose topic then holds every row. Before,
// the rows of the ranges after the RENAME were in no topic until they
// changed.
func TestSnapshotAcrossRename(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props map[string]string
		done  string
	}{
		{"blocking", nil, "blocking snapshot finished"},
		{"read-only", map[string]string{"read.only": "true"}, "on-demand snapshot finished"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const rows = betweenRangesRows
			e, d, sl, topic := betweenRanges(t, rows, tc.props, "RENAME TABLE t TO t_renamed",
				"UPDATE t_renamed SET v = 3 WHERE id % 1000 = 0", "DELETE FROM t_renamed WHERE id % 997 = 0",
				"INSERT INTO t_renamed VALUES (300000, 4, 'after-rename')")
			sl.WaitLog(tc.done, 2*time.Minute)
			if log := sl.Stderr.String(); !strings.Contains(log, "taking a snapshot of it under its new name") {
				t.Errorf("no warning about the renamed table:\n%s", tail(log, 3000))
			}
			old := topicRecords(t, e.kafka, topic, 1, time.Second)
			st := followTable(t, e, d, "t_renamed", strings.TrimSuffix(topic, ".t")+".t_renamed", 2*time.Minute, nil)
			if old >= rows || st.ops["r"] < int(old) {
				t.Errorf("t's topic has %d records, the renamed table's reads %d (ops %v): want t's topic cut short and the renamed table read whole",
					old, st.ops["r"], st.ops)
			}
			sl.Stop()
		})
	}
}

// pausedAfterFirstChunk asks for an on-demand snapshot of d's tables
// through the signal table and pauses it once its first chunk reached
// topic; it returns the records in topic then.
func pausedAfterFirstChunk(t *testing.T, e env, d *db, sl *daemon, topic string, tables ...string) int64 {
	t.Helper()
	var qualified []string
	for _, tbl := range tables {
		qualified = append(qualified, d.name+"."+tbl)
	}
	names, _ := json.Marshal(qualified)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-p', 'execute-snapshot', '{"data-collections": %s}')`, names))
	waitFor(t, 30*time.Second, "the first chunk", func() bool { return topicRecords(t, e.kafka, topic, 1, 200*time.Millisecond) > 0 })
	d.exec(`INSERT INTO debezium_signal VALUES ('pause-p', 'pause-snapshot', '{"type": "incremental"}')`)
	sl.WaitLog("on-demand snapshot paused", 30*time.Second)
	return settledRecords(t, e.kafka, topic)
}

// settledRecords counts topic's records once the count has stopped
// growing for a second: the chunk read before a pause can still be on its
// way to Kafka when the pause is logged (a count taken then fell ten rows
// short, and the test took that chunk for one read after the pause).
func settledRecords(t *testing.T, kafka, topic string) int64 {
	t.Helper()
	last, since := int64(-1), time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		n := topicRecords(t, kafka, topic, 0, 0)
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= time.Second {
			return n
		}
	}
	t.Fatalf("topic %s still growing after 30 s (%d records)", topic, last)
	return 0
}

// A DDL between two ranges of the initial snapshot (each range has a
// transaction of its own, so the ALTER does not wait for the whole
// snapshot): the next range finds the table's columns changed and fails;
// the retry resumes after the last finished range with the table as it is
// now, and the snapshot and the stream go on. Before, the failed range
// (its SELECT naming the dropped column) left the snapshot's feeder and
// workers waiting on each other for good (a hang, no error), and after that
// was mended the resume selected the cached columns again at every retry.
func TestSnapshotAcrossAlter(t *testing.T) {
	for _, tc := range []struct{ name, alter, wantPad string }{
		// A dropped column failed the next SELECT: the hang, then the loop.
		{"drop", "ALTER TABLE t DROP COLUMN pad, ADD COLUMN extra INT NOT NULL DEFAULT 5", ""},
		// An added one was missing from the ranges that followed.
		{"add", "ALTER TABLE t ADD COLUMN extra INT NOT NULL DEFAULT 5", "row-"},
	} {
		t.Run(tc.name, func(t *testing.T) { snapshotAcrossAlter(t, tc.alter, tc.wantPad) })
	}
}

func snapshotAcrossAlter(t *testing.T, alter, wantPad string) {
	const rows = betweenRangesRows
	e, d, sl, topic := betweenRanges(t, rows, nil, alter)
	log := sl.Stderr.String()
	if !strings.Contains(log, "its columns changed since the snapshot began") || !strings.Contains(log, "resuming the snapshot after its last finished chunk") {
		t.Fatalf("no range failed and resumed after the ALTER:\n%s", tail(log, 3000))
	}
	if wantPad != "" {
		d.exec(fmt.Sprintf("INSERT INTO t (id, v, pad, extra) VALUES (%d, 2, 'row-new', 5)", rows+1))
	} else {
		d.exec(fmt.Sprintf("INSERT INTO t (id, v, extra) VALUES (%d, 2, 5)", rows+1))
	}
	recs := consume(t, e, rows+1, 2*time.Minute, topic)
	ids := map[float64]bool{}
	newShape := 0
	for _, r := range recs {
		after := payload(t, r.Value)["after"].(map[string]any)
		ids[after["id"].(float64)] = true
		pad, _ := after["pad"].(string)
		if after["extra"] == float64(5) && strings.HasPrefix(pad, wantPad) && (wantPad != "" || after["pad"] == nil) {
			newShape++
		}
	}
	if len(ids) != rows+1 || newShape < betweenRangesRange {
		t.Errorf("%d distinct rows (want %d: the table and the insert), %d with the new columns (want the ranges after the ALTER's)", len(ids), rows+1, newShape)
	}
	sl.Stop()
}

// TestSnapshotRangesWithMessageKeyColumns: with message.key.columns naming
// another column than the primary key, the snapshot still splits the table
// by its primary key, and the stream after it must find a row's range by
// the primary key too. An update, after the first range's read, of rows
// in that range setting their message-key column to a value inside the
// last range's span was taken as seen by the last range: the stream wrote
// only its delete half, and the rows vanished for consumers. The update
// changes the message key, so it is written as Debezium writes a key
// change: a delete under the old key, a tombstone, a create under the new.
func TestSnapshotRangesWithMessageKeyColumns(t *testing.T) {
	const rows, moved, v = betweenRangesRows, 10, betweenRangesRows - 1000
	e, _, sl, topic := betweenRanges(t, rows, map[string]string{"message.key.columns": `[^.]+\.t:v`},
		fmt.Sprintf("UPDATE t SET v = %d WHERE id <= %d", v, moved))
	last := map[float64]map[string]any{}
	for _, r := range consume(t, e, rows+2*moved, 2*time.Minute, topic) {
		if r.Value == nil {
			continue // the key change's tombstone
		}
		p := payload(t, r.Value)
		img, _ := p["after"].(map[string]any)
		if img == nil {
			img, _ = p["before"].(map[string]any)
		}
		last[img["id"].(float64)] = p
	}
	for id := 1.0; id <= moved; id++ {
		p := last[id]
		after, _ := p["after"].(map[string]any)
		if p["op"] != "c" || after["v"] != float64(v) {
			t.Errorf("row %v's last record is op %v, after %v; want the create under the new key, v=%d", id, p["op"], after, v)
		}
	}
	if len(last) != rows {
		t.Errorf("%d distinct rows in Kafka, want %d", len(last), rows)
	}
	sl.Stop()
}

// TestSnapshotCompositeKeyRanges: a table keyed by (a INT, b VARCHAR) is
// split into ranges of a (it was read in one piece), and changes made while
// the ranges are read, in ranges already read, not yet read, and across
// them, reach Kafka so that what a consumer rebuilds equals the table, no
// change applied twice (each update's and delete's before image is the
// row as rebuilt so far, each create's key new).
func TestSnapshotCompositeKeyRanges(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	const rows = betweenRangesRows
	d.exec("CREATE TABLE m (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT NOT NULL, PRIMARY KEY (a, b))")
	d.exec(fmt.Sprintf("INSERT INTO m SELECT (seq + 3) DIV 4, CONCAT('k', seq), 1 FROM seq_1_to_%d", rows))
	prefix := "e2e" + d.name[4:]
	topic := prefix + "." + d.name + ".m"
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"sluice.snapshot.range.rows": strconv.Itoa(betweenRangesRange),
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	waitFor(t, 60*time.Second, "the first range", func() bool { return topicRecords(t, e.kafka, topic, 1, 100*time.Millisecond) > 0 })
	last := rows / 4
	d.execAll(
		"UPDATE m SET v = 7 WHERE a <= 5",
		fmt.Sprintf("UPDATE m SET v = 8 WHERE a >= %d", last-10),
		fmt.Sprintf("DELETE FROM m WHERE a = %d", last/2),
		fmt.Sprintf("UPDATE m SET a = %d WHERE a = 3 AND b = 'k9'", last-5),
		fmt.Sprintf("UPDATE m SET a = 2 WHERE a = %d AND b = 'k%d'", last-1, rows-5),
		fmt.Sprintf("INSERT INTO m VALUES (%d, 'new', 3), (1, 'new', 3)", last+100),
	)
	ran := len(sl.Stderr.String())
	sl.WaitLog("binlog streaming from", 2*time.Minute)
	log := sl.Stderr.String()
	if strings.Contains(log[:ran], "snapshot finished") {
		t.Fatal("the snapshot finished before the changes; the test needs them in the middle")
	}
	if !strings.Contains(log, `"chunks": 40`) {
		t.Errorf("m was not planned in 40 ranges of a:\n%s", tail(log, 3000))
	}
	d.exec("INSERT INTO m VALUES (0, 'end', 0)")

	var recs []record
	waitFor(t, 2*time.Minute, "the last insert", func() bool {
		recs = consume(t, e, rows, 2*time.Minute, topic)
		return strings.Contains(string(recs[len(recs)-1].Value), `"end"`)
	})
	got := map[string]string{}
	img := func(m map[string]any) (key, val string) {
		return fmt.Sprintf("%v/%v", m["a"], m["b"]), fmt.Sprint(m["v"])
	}
	for _, r := range recs {
		if r.Value == nil {
			continue // a delete's tombstone
		}
		p := payload(t, r.Value)
		before, _ := p["before"].(map[string]any)
		after, _ := p["after"].(map[string]any)
		if before != nil {
			k, v := img(before)
			if got[k] != v {
				t.Errorf("%v of %s: before image v=%s, rebuilt so far %q (a change written twice or out of order)", p["op"], k, v, got[k])
			}
			delete(got, k)
		}
		if after != nil {
			k, v := img(after)
			if _, dup := got[k]; dup && before == nil {
				t.Errorf("%v of %s: the key is already there (a row written twice)", p["op"], k)
			}
			got[k] = v
		}
	}
	want := map[string]string{}
	res := d.exec("SELECT a, b, v FROM m")
	for i := 0; i < res.RowNumber(); i++ {
		a, _ := res.GetInt(i, 0)
		b, _ := res.GetString(i, 1)
		v, _ := res.GetInt(i, 2)
		want[fmt.Sprintf("%d/%s", a, b)] = strconv.FormatInt(v, 10)
	}
	if !maps.Equal(got, want) {
		n := 0
		for k, v := range want {
			if got[k] != v && n < 5 {
				t.Errorf("row %s: table v=%s, rebuilt %q", k, v, got[k])
				n++
			}
		}
		t.Errorf("rebuilt %d rows, table has %d", len(got), len(want))
	}
	sl.Stop()
}

// The DDL-between-ranges tests' table: many small ranges, so that the
// snapshot is still under way when the statement runs (each range ends with
// a wait for Kafka and a stored offset) without a big table to fill, read
// and check.
const (
	betweenRangesRows  = 40_000
	betweenRangesRange = 1000
)

// betweenRanges snapshots t of rows rows in ranges of betweenRangesRange
// (with the connector properties props), runs statements once the first
// range is in Kafka, and returns once streaming began, checking that the
// snapshot was still under way after the first.
func betweenRanges(t *testing.T, rows int, props map[string]string, statements ...string) (env, *db, *daemon, string) {
	t.Helper()
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, rows)
	prefix := "e2e" + d.name[4:]
	topic := prefix + "." + d.name + ".t"
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, mergeProps(map[string]string{"sluice.snapshot.range.rows": strconv.Itoa(betweenRangesRange),
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"}, props))
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	waitFor(t, 60*time.Second, "the first range", func() bool { return topicRecords(t, e.kafka, topic, 1, 100*time.Millisecond) > 0 })
	d.exec(statements[0])
	ran := len(sl.Stderr.String())
	t.Logf("%q ran with at most %d of %d rows in Kafka", statements[0], topicRecords(t, e.kafka, topic, 1, 100*time.Millisecond), rows)
	d.execAll(statements[1:]...)
	sl.WaitLog("binlog streaming from", 2*time.Minute)
	if strings.Contains(sl.Stderr.String()[:ran], "snapshot finished") {
		t.Fatalf("the snapshot finished before %q; the test needs it in the middle", statements[0])
	}
	return e, d, sl, topic
}

// TestSnapshotLockTimeout: with snapshot.lock.timeout.ms=1000, a snapshot
// that meets a table another session holds with LOCK TABLES ... WRITE fails
// its read after a second with an error naming the setting (before, it waited
// for the server's lock_wait_timeout, a day), tries again, and once the lock
// is gone every row reaches Kafka.
func TestSnapshotLockTimeout(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	const rows = 1000
	snapshotTable(t, d, rows)
	locker, err := client.Connect(e.mysqlAddr, "root", e.rootPass, d.name)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	if _, err := locker.Execute("LOCK TABLES t WRITE"); err != nil {
		t.Fatal(err)
	}
	prefix := "e2e" + d.name[4:]
	topic := prefix + "." + d.name + ".t"
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"snapshot.lock.timeout.ms": "1000",
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("snapshot.lock.timeout.ms, 1 s", time.Minute)
	if _, err := locker.Execute("UNLOCK TABLES"); err != nil {
		t.Fatal(err)
	}
	sl.WaitLog("binlog streaming from", 2*time.Minute)
	recs := consume(t, e, rows, time.Minute, topic)
	ids := map[float64]bool{}
	for _, r := range recs {
		ids[payload(t, r.Value)["after"].(map[string]any)["id"].(float64)] = true
	}
	if len(ids) != rows {
		t.Errorf("%d distinct rows in Kafka, want %d", len(ids), rows)
	}
	sl.Stop()
}

// A table dropped while an on-demand snapshot reads it is skipped, as
// Debezium skips a table whose schema it no longer has; the next table is
// read and the stream goes on. Before, every chunk failed to find the table
// and the stream went round its reconnect loop for good.
func TestOnDemandSnapshotTableDropped(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, 100_000)
	d.exec("CREATE TABLE t2 (id INT PRIMARY KEY)")
	d.exec("INSERT INTO t2 SELECT seq FROM seq_1_to_1000")
	d.exec("CREATE TABLE u (id INT PRIMARY KEY)")
	sl, prefix := startOnDemand(t, e, d, 10)
	topic := prefix + "." + d.name + ".t"
	pausedAfterFirstChunk(t, e, d, sl, topic, "t", "t2")
	d.exec("DROP TABLE t")
	d.exec(`INSERT INTO debezium_signal VALUES ('resume-d', 'resume-snapshot', '{"type": "incremental"}')`)
	sl.WaitLog("on-demand snapshot finished", time.Minute)
	if log := sl.Stderr.String(); !strings.Contains(log, "on-demand snapshot skips a table") || !strings.Contains(log, "no longer exists") {
		t.Errorf("no warning that the dropped table was skipped:\n%s", tail(log, 3000))
	}
	recs := consume(t, e, 1000, time.Minute, prefix+"."+d.name+".t2")
	seen := map[float64]bool{}
	for _, r := range recs {
		seen[payload(t, r.Value)["after"].(map[string]any)["id"].(float64)] = true
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct rows of t2 read after t was dropped, want 1000", len(seen))
	}
	d.exec("INSERT INTO u VALUES (1)")
	consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".u")
	sl.Stop()
}

// waitLogCount waits until the daemon has logged msg n times.
func waitLogCount(t *testing.T, sl *daemon, msg string, n int, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); strings.Count(sl.Stderr.String(), msg) < n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%q logged fewer than %d times within %s:\n%s", msg, n, timeout, tail(sl.Stderr.String(), 3000))
		}
	}
}

// waitAllRead waits until the read events (op r) of the tables (in d,
// under prefix) hold every id of a table of rows rows, under one name or
// another, and returns the rows of the read events it last consumed.
func waitAllRead(t *testing.T, e env, d *db, prefix string, tables []string, rows int) []map[string]any {
	t.Helper()
	var topics []string
	for _, tbl := range tables {
		topics = append(topics, prefix+"."+d.name+"."+tbl)
	}
	read := map[float64]bool{}
	var last []map[string]any
	waitFor(t, 30*time.Second, "every row read", func() bool {
		last = last[:0]
		for _, r := range consume(t, e, 1, 10*time.Second, topics...) {
			if p := payload(t, r.Value); p["op"] == "r" {
				after := p["after"].(map[string]any)
				read[after["id"].(float64)] = true
				last = append(last, after)
			}
		}
		return len(read) == rows
	})
	return last
}

// TestOnDemandSnapshotFollowsRename: a table renamed while an on-demand
// snapshot is paused in it. Whether the stream reads the RENAME before the
// next chunk (the snapshot renames the table in its list and goes on after
// its last key) or the chunk finds the table gone first (the daemon is
// stopped while the resume and the RENAME are written; the table is skipped,
// and the RENAME then asks for a snapshot of the new name), every row is read
// under one name or the other. An online schema change's swap keeps the
// name: the snapshot goes on in the new table. Before, the renamed table was
// skipped as gone, as Debezium skips it, and its unread rows reached no topic.
func TestOnDemandSnapshotFollowsRename(t *testing.T) {
	for _, tc := range []struct {
		name     string
		between  func(d *db, sl *daemon)
		tables   []string // whose read events hold every row
		finished int      // on-demand snapshots finished
		logged   string
	}{
		{"stream-first", func(d *db, sl *daemon) {
			d.exec("RENAME TABLE t TO t_renamed")
			d.exec(`INSERT INTO debezium_signal VALUES ('resume-r', 'resume-snapshot', '{"type": "incremental"}')`)
		}, []string{"t", "t_renamed"}, 1, "the snapshot reads it under its new name"},
		{"chunk-first", func(d *db, sl *daemon) {
			sl.Signal(syscall.SIGSTOP)
			defer sl.Signal(syscall.SIGCONT)
			d.exec(`INSERT INTO debezium_signal VALUES ('resume-r', 'resume-snapshot', '{"type": "incremental"}')`)
			d.exec("RENAME TABLE t TO t_renamed")
		}, []string{"t", "t_renamed"}, 2, "taking a snapshot of it under its new name"},
		{"swap", func(d *db, sl *daemon) {
			d.execAll("CREATE TABLE t_new LIKE t", "INSERT INTO t_new SELECT * FROM t", "RENAME TABLE t TO t_old, t_new TO t",
				`INSERT INTO debezium_signal VALUES ('resume-r', 'resume-snapshot', '{"type": "incremental"}')`)
		}, []string{"t"}, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := needServers(t)
			d := newDB(t, e)
			const rows = 10_000
			snapshotTable(t, d, rows)
			sl, prefix := startOnDemand(t, e, d, 10)
			before := pausedAfterFirstChunk(t, e, d, sl, prefix+"."+d.name+".t", "t")
			if before >= rows {
				t.Fatalf("the snapshot read all %d rows before the pause; the test needs it paused in the middle", before)
			}
			tc.between(d, sl)
			waitLogCount(t, sl, "on-demand snapshot finished", tc.finished, time.Minute)
			waitAllRead(t, e, d, prefix, tc.tables, rows)
			if log := sl.Stderr.String(); tc.logged != "" && !strings.Contains(log, tc.logged) {
				t.Errorf("no %q in the log:\n%s", tc.logged, tail(log, 3000))
			}
			sl.Stop()
		})
	}
}

// TestOnDemandSnapshotWatermarkRefused: an on-demand snapshot whose
// watermark rows the server refuses (the connector user may not INSERT
// into the signal table) is dropped with an error naming the grant, and
// streaming goes on. Before, the refusal took the stream's transient path:
// it reconnected and failed again without end, every table held up.
func TestOnDemandSnapshotWatermarkRefused(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)")
	d.exec("INSERT INTO t VALUES (1, 1), (2, 2)")
	sl, prefix := startOnDemand(t, e, d, 10)
	for _, host := range []string{"%", "localhost", "127.0.0.1"} {
		_, _ = d.conn.Execute(fmt.Sprintf("REVOKE INSERT ON %s.debezium_signal FROM 'sluice'@'%s'", d.name, host))
	}
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-r', 'execute-snapshot', '{"data-collections": ["%s.t"]}')`, d.name))
	sl.WaitLog("on-demand snapshot failed and is dropped", 30*time.Second)
	if log := sl.Stderr.String(); !strings.Contains(log, "the connector user needs INSERT on it") || !strings.Contains(log, "1142") {
		t.Errorf("the error does not name the grant and the server's answer:\n%s", tail(log, 3000))
	}
	streamsOnAfterRefusal(t, e, d, sl, prefix)
}

// streamsOnAfterRefusal checks that the stream went on after an on-demand
// snapshot the server refused, with no reconnect: an insert into t is t's
// first record (the refused snapshot wrote none of its rows).
func streamsOnAfterRefusal(t *testing.T, e env, d *db, sl *daemon, prefix string) {
	t.Helper()
	d.exec("INSERT INTO t VALUES (3, 3)")
	recs := consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".t")
	if got := payload(t, recs[0].Value)["after"].(map[string]any)["id"]; got != float64(3) {
		t.Errorf("first record of t is of id %v, want the insert of id 3", got)
	}
	if n := strings.Count(sl.Stderr.String(), "binlog stream interrupted"); n > 0 {
		t.Errorf("the stream reconnected %d times over the refusal", n)
	}
	sl.Stop()
}

// TestOnDemandSnapshotBadCondition: an execute-snapshot signal whose
// additional-condition the server cannot run (a column that does not
// exist) skips that table with an error naming the condition, reads the
// signal's other table, and streaming goes on. Before, the refused SELECT
// took the stream's transient path: the stream reconnected and read the
// same chunk again without end.
func TestOnDemandSnapshotBadCondition(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)")
	d.exec("CREATE TABLE t2 (id INT PRIMARY KEY)")
	d.exec("INSERT INTO t VALUES (1, 1), (2, 2)")
	d.exec("INSERT INTO t2 SELECT seq FROM seq_1_to_100")
	sl, prefix := startOnDemand(t, e, d, 10)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-c', 'execute-snapshot', '{"data-collections": ["%[1]s.t", "%[1]s.t2"], "additional-conditions": [{"data-collection": "%[1]s.t", "filter": "no_such_col = 1"}]}')`, d.name))
	sl.WaitLog("on-demand snapshot finished", 30*time.Second)
	if log := sl.Stderr.String(); !strings.Contains(log, "the server refused its SELECT") || !strings.Contains(log, "no_such_col") {
		t.Errorf("no error naming the refused SELECT and its condition:\n%s", tail(log, 3000))
	}
	if n := len(consume(t, e, 100, 30*time.Second, prefix+"."+d.name+".t2")); n != 100 {
		t.Errorf("%d records of t2, want its 100 rows", n)
	}
	streamsOnAfterRefusal(t, e, d, sl, prefix)
}

// TestOnDemandSnapshotUnderDDL: an on-demand snapshot in chunks of 50,
// with watermark rows and read-only, while churn changes the table and
// another connection adds and drops columns eight times. The snapshot
// finishes, the churn's inserts (which name their columns) keep working,
// and the state rebuilt from Kafka equals the table. The log says how many
// chunks in flight a DDL dropped (3 to 6 in the runs that added the test).
func TestOnDemandSnapshotUnderDDL(t *testing.T) {
	const rows = 20_000
	onDemandModes(t, rows, func(t *testing.T, e env, d *db, props map[string]string) {
		props["incremental.snapshot.chunk.size"] = "50"
		altered := make(chan struct{})
		sl, _ := churnedOnDemand(t, e, d, rows, props, func(string) {
			d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-1', 'execute-snapshot', '{"data-collections": ["%s.t"]}')`, d.name))
			go func() {
				defer close(altered)
				conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, d.name)
				if err != nil {
					t.Errorf("connecting for the DDL: %v", err)
					return
				}
				defer conn.Close()
				for n := 0; n < 8; n++ {
					time.Sleep(150 * time.Millisecond)
					q := fmt.Sprintf("ALTER TABLE t ADD COLUMN c%d INT NOT NULL DEFAULT %d", n, n)
					if n%2 == 1 {
						q = fmt.Sprintf("ALTER TABLE t DROP COLUMN c%d", n-1)
					}
					if _, err := conn.Execute(q); err != nil {
						t.Errorf("%s: %v", q, err)
						return
					}
				}
			}()
		})
		<-altered
		t.Logf("chunks in flight dropped by a DDL: %d", strings.Count(sl.Stderr.String(), "a DDL changed the table of the on-demand snapshot chunk in flight"))
		sl.Stop()
	})
}

// onDemandModes runs f as two subtests, for on-demand snapshots with
// watermark rows and read-only: d has t of rows rows and a signal table,
// and props name the signal table (and read.only).
func onDemandModes(t *testing.T, rows int, f func(t *testing.T, e env, d *db, props map[string]string)) {
	for _, mode := range []string{"watermarks", "read-only"} {
		t.Run(mode, func(t *testing.T) {
			e := needServers(t)
			d := newDB(t, e)
			snapshotTable(t, d, rows)
			signalTable(d)
			props := map[string]string{"signal.data.collection": d.name + ".debezium_signal"}
			if mode == "read-only" {
				props["read.only"] = "true"
			}
			f(t, e, d, props)
		})
	}
}

// TestOnDemandSnapshotKill9Resume: an on-demand snapshot under churn, the
// daemon killed with SIGKILL after some chunks, and started again. The
// snapshot goes on from the progress the offset kept (not from the table's
// first row) and the table rebuilt from Kafka equals the database's, with
// watermark rows and read-only.
func TestOnDemandSnapshotKill9Resume(t *testing.T) {
	const rows = 100_000
	onDemandModes(t, rows, func(t *testing.T, e env, d *db, props map[string]string) {
		prefix := "e2e" + d.name[4:]
		props = mergeProps(map[string]string{"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
			"snapshot.mode": "no_data", "incremental.snapshot.chunk.size": "100", "offset.flush.interval.ms": "100"}, props)
		cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, props)
		topic := prefix + "." + d.name + ".t"
		sl := startDaemon(t, e, "--log-format", "console", cfg)
		sl.WaitLog("binlog streaming from", 30*time.Second)
		stopChurn := churnTable(t, e, d.name, rows)
		d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('ad-hoc-k', 'execute-snapshot', '{"data-collections": ["%s.t"]}')`, d.name))
		key := offsets.Key("c-"+d.name, prefix)
		// The kill waits for a tenth of the table: killed after the first
		// chunks, the resumed read (the rest of the table and the churn's
		// inserts, all above the stored key) could number more rows than
		// the table had, and look like a read from the start.
		done := regexp.MustCompile(`last_key[\\"]*:\[[\\"]*([0-9]+)`)
		waitFor(t, time.Minute, "a stored offset with a tenth of the snapshot done", func() bool {
			_, v, ok := storedOffset(t, e, "_connect_offsets", key)
			m := done.FindSubmatch(v)
			n := 0
			if ok && m != nil {
				n, _ = strconv.Atoi(string(m[1]))
			}
			return n >= rows/10
		})
		sl.Kill9()
		if strings.Contains(sl.Stderr.String(), "on-demand snapshot finished") {
			t.Fatalf("the on-demand snapshot finished before the kill: nothing to resume")
		}
		sl2 := startDaemon(t, e, "--log-format", "console", cfg)
		sl2.WaitLog("on-demand snapshot finished", 2*time.Minute)
		t.Logf("churn made %d changes", stopChurn())
		st := follow(t, e, d, topic, 2*time.Minute, nil)
		t.Logf("rebuilt %d rows from %d records (ops %v)", len(st.rows), st.records, st.ops)
		// (Changes after the last stored offset are written again after
		// the kill, as Kafka Connect writes them again after a crash: a
		// key's updates can repeat, so their order is not checked.)
		m := regexp.MustCompile(`on-demand snapshot of table finished.*"rows": ([0-9]+)`).FindStringSubmatch(sl2.Stderr.String())
		if m == nil {
			t.Fatalf("the restarted daemon did not say how many rows it read:\n%s", tail(sl2.Stderr.String(), 3000))
		}
		if n, _ := strconv.Atoi(m[1]); n >= rows {
			t.Errorf("the restarted daemon read %d rows of %d: it began the table again rather than resume", n, rows)
		}
		sl2.Stop()
	})
}
