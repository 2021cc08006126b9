package main

import (
	"fmt"
	"math/rand"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// TestConformanceVitess runs the source conformance suite against the
// vttestserver cluster (keyspace test_keyspace, shards -80 and 80- on one
// mysqld).
//
// The suite's table t (id, v, pad) is a private table of the keyspace
// with one more column, sk, the sharding column (hash vindex): Vitess
// cannot update a sharding column, and the suite changes primary keys.
// Exec rewrites the suite's statements for it: "t" becomes the private
// table's name, and an INSERT without a column list gets one, with sk set
// to the row's id (or to 1 in the cases that need one shard; see
// NewTable). Decode ignores sk.
//
// LastChange and Covers read the mysqld under both shards directly (the
// port below VTGate's MySQL port, or SLUICE_TEST_VTTEST_MYSQLD): both
// shards share its one MariaDB GTID sequence, so a change is its
// @@gtid_binlog_pos after the commit plus the shards whose databases
// (vt_<keyspace>_<shard>) the commit's binlog events touched.
func TestConformanceVitess(t *testing.T) {
	e := needVitess(t)
	mysqld := os.Getenv("SLUICE_TEST_VTTEST_MYSQLD")
	if mysqld == "" {
		host, port, _ := net.SplitHostPort(e.mysql)
		p, err := strconv.Atoi(port)
		if err != nil {
			t.Fatalf("SLUICE_TEST_VTGATE_MYSQL %q has no port", e.mysql)
		}
		mysqld = net.JoinHostPort(host, strconv.Itoa(p-1))
	}
	conformance.Run(t, vitessDriver{e: e, mysqld: mysqld})
}

type vitessDriver struct {
	e      vtEnv
	mysqld string
}

func (d vitessDriver) Binary() string  { return binPath }
func (d vitessDriver) Brokers() string { return d.e.kafka }

func (d vitessDriver) NewTable(t *testing.T, rows int) conformance.Table {
	t.Helper()
	connect := func(addr, db string) *client.Conn {
		c, err := client.Connect(addr, "root", "", db)
		if err != nil {
			t.Fatalf("connecting to %s: %v", addr, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	tb := &vitessTable{e: d.e, name: fmt.Sprintf("t%d", rand.Intn(1_000_000_000)),
		gate: connect(d.e.mysql, d.e.keyspace), read: connect(d.e.mysql, d.e.keyspace), mysqld: connect(d.mysqld, "")}
	tb.prefix = "vc" + tb.name
	// VTGate's stream keeps each shard's commit order but interleaves
	// shards as they come; the cases that compare the whole stream with
	// the commit order put all rows on one shard (sk = 1), the others
	// spread them over both (sk = id).
	if strings.HasSuffix(t.Name(), "/SnapshotThenStream") || strings.HasSuffix(t.Name(), "/RestartFromStoredOffset") {
		tb.sk = "1"
		t.Logf("%s: all rows on one shard (sk = 1): the case compares the whole stream with the commit order, which VTGate keeps only per shard", tb.name)
	}
	must := func(q string) {
		t.Helper()
		if _, err := tb.gate.Execute(q); err != nil {
			t.Fatalf("%.200s: %v", q, err)
		}
	}
	must(fmt.Sprintf("CREATE TABLE %s (id INT NOT NULL, sk BIGINT NOT NULL, v INT NOT NULL, pad LONGTEXT NOT NULL, PRIMARY KEY (id))", tb.name))
	must(fmt.Sprintf("ALTER VSCHEMA ON %s ADD VINDEX hash(sk) USING hash", tb.name))
	t.Cleanup(func() {
		tb.gate.Execute("DROP TABLE " + tb.name)
		tb.gate.Execute("ALTER VSCHEMA DROP TABLE " + tb.name)
	})
	// VSchema changes take about half a second to show: wait until VTGate
	// routes by sk (an insert without it is refused).
	waitVSchema(t, tb)
	if _, err := tb.read.Execute("SET workload='olap'"); err != nil {
		t.Fatal(err) // plain reads through VTGate stop at 10,000 rows
	}
	// Multi-row inserts through VTGate, which sends each shard its rows.
	const batch = 5000
	for lo := 1; lo <= rows; lo += batch {
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (id, sk, v, pad) VALUES ", tb.name)
		for id := lo; id < lo+batch && id <= rows; id++ {
			if id > lo {
				b.WriteByte(',')
			}
			sk := strconv.Itoa(id)
			if tb.sk != "" {
				sk = tb.sk
			}
			fmt.Fprintf(&b, "(%d,%s,1,'row-%d')", id, sk, id)
		}
		must(b.String())
	}
	return tb
}

// waitVSchema waits until VTGate knows the table's vindex.
func waitVSchema(t *testing.T, tb *vitessTable) {
	t.Helper()
	for i := 0; ; i++ {
		r, err := tb.gate.Execute("SHOW VSCHEMA TABLES")
		if err == nil {
			for j := 0; j < r.RowNumber(); j++ {
				if s, _ := r.GetString(j, 0); s == tb.name {
					return
				}
			}
		}
		if i == 50 {
			t.Fatalf("VTGate's vschema never showed %s: %v", tb.name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type vitessTable struct {
	e      vtEnv
	name   string
	prefix string
	sk     string       // every row's sk, or "" for sk = id
	read   *client.Conn // through VTGate, workload olap; used by Rows only

	mu     sync.Mutex
	gate   *client.Conn // through VTGate; Exec's
	mysqld *client.Conn // the mysqld under both shards
	// Where the last Exec began in the mysqld's binlog and its
	// @@gtid_binlog_pos after it.
	lastFile string
	lastPos  uint64
	lastGTID string
}

var (
	vcTableRef  = regexp.MustCompile(`\b(INTO|UPDATE|FROM) t\b`)
	vcTupleHead = regexp.MustCompile(`\((\d+),`)
)

// rewrite turns a statement of the suite's table into one of the private
// table.
func (tb *vitessTable) rewrite(q string) string {
	if rest, ok := strings.CutPrefix(q, "INSERT INTO t VALUES "); ok {
		sk := "$1"
		if tb.sk != "" {
			sk = tb.sk
		}
		return "INSERT INTO " + tb.name + " (id, sk, v, pad) VALUES " + vcTupleHead.ReplaceAllString(rest, "($1, "+sk+",")
	}
	return vcTableRef.ReplaceAllString(q, "$1 "+tb.name)
}

func (tb *vitessTable) Exec(stmts ...string) error {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	r, err := tb.mysqld.Execute("SHOW MASTER STATUS")
	if err != nil {
		return err
	}
	file, _ := r.GetString(0, 0)
	pos, _ := r.GetUint(0, 1)
	for _, q := range stmts {
		if _, err := tb.gate.Execute(tb.rewrite(q)); err != nil {
			return fmt.Errorf("%.200s: %w", tb.rewrite(q), err)
		}
	}
	r, err = tb.mysqld.Execute("SELECT @@global.gtid_binlog_pos")
	if err != nil {
		return err
	}
	tb.lastFile, tb.lastPos = file, pos
	tb.lastGTID, _ = r.GetString(0, 0)
	return nil
}

func (tb *vitessTable) Rows(t *testing.T) map[int]conformance.Row {
	t.Helper()
	r, err := tb.read.Execute("SELECT id, v, pad FROM " + tb.name)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[int]conformance.Row, r.RowNumber())
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetInt(i, 0)
		v, _ := r.GetInt(i, 1)
		pad, _ := r.GetString(i, 2)
		out[int(id)] = conformance.Row{V: int(v), Pad: pad}
	}
	return out
}

func (tb *vitessTable) Connector() (string, map[string]string) {
	host, port, _ := strings.Cut(tb.e.grpc, ":")
	return "c-" + tb.name, withE2EThreads(map[string]string{
		"connector.class": "io.debezium.connector.vitess.VitessConnector", "database.hostname": host, "database.port": port,
		"vitess.keyspace": tb.e.keyspace, "topic.prefix": tb.prefix, "table.include.list": tb.e.keyspace + "." + tb.name,
	})
}

func (tb *vitessTable) Topic() string     { return tb.prefix + "." + tb.e.keyspace + "." + tb.name }
func (tb *vitessTable) OffsetKey() []byte { return offsets.Key("c-"+tb.name, tb.prefix) }

// LastChange is "<gtid_binlog_pos>@<shard>,<shard>": the mysqld's GTID
// position after the last Exec and the shards its binlog events since the
// Exec began touched in the private table. (Another client's commit in
// between would only make the change later and touch more shards.)
func (tb *vitessTable) LastChange(t *testing.T) string {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if tb.lastGTID == "" {
		t.Fatal("no transaction committed through Exec yet")
	}
	r, err := tb.mysqld.Execute(fmt.Sprintf("SHOW BINLOG EVENTS IN '%s' FROM %d", tb.lastFile, tb.lastPos))
	if err != nil {
		t.Fatal(err)
	}
	shards := map[string]bool{}
	dbPrefix := "vt_" + tb.e.keyspace + "_"
	for i := 0; i < r.RowNumber(); i++ {
		typ, _ := r.GetString(i, 2)
		info, _ := r.GetString(i, 5)
		if typ != "Table_map" {
			continue
		}
		// "table_id: 75 (vt_test_keyspace_-80.t123)"
		_, qual, ok := strings.Cut(info, "(")
		qual = strings.TrimSuffix(qual, ")")
		db, table, ok2 := strings.Cut(qual, ".")
		if ok && ok2 && table == tb.name && strings.HasPrefix(db, dbPrefix) {
			shards[strings.TrimPrefix(db, dbPrefix)] = true
		}
	}
	if len(shards) == 0 {
		t.Fatalf("the mysqld's binlog from %s:%d has no row event of %s", tb.lastFile, tb.lastPos, tb.name)
	}
	change := tb.lastGTID + "@" + strings.Join(conformance.SortedKeys(shards), ",")
	t.Logf("last change of %s: %s", tb.name, change)
	return change
}

// Covers: the stored VGTID is past its copy phase and every shard holding
// the change has a position at or past the change's GTID in each of its
// domains.
func (tb *vitessTable) Covers(t *testing.T, stored []byte, change string) bool {
	t.Helper()
	p, err := offsets.ParseVitess(stored)
	if err != nil {
		t.Fatal(err)
	}
	if p.Copying() {
		return false
	}
	gtids, shardList, ok := strings.Cut(change, "@")
	if !ok {
		t.Fatalf("%q is not a change of LastChange", change)
	}
	want := mariaSeqs(t, gtids)
	for _, sh := range strings.Split(shardList, ",") {
		i := slices.IndexFunc(p.Shards, func(s offsets.ShardGTID) bool { return s.Keyspace == tb.e.keyspace && s.Shard == sh })
		if i < 0 {
			return false
		}
		have := mariaSeqs(t, strings.TrimPrefix(p.Shards[i].GTID, "MariaDB/"))
		for dom, seq := range want {
			if s, ok := have[dom]; !ok || s < seq {
				return false
			}
		}
	}
	return true
}

// mariaSeqs is a MariaDB GTID position's sequence per domain.
func mariaSeqs(t *testing.T, pos string) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	for _, g := range strings.Split(pos, ",") {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		d, s := splitGTID(t, g)
		out[d] = s
	}
	return out
}

// Decode: the copy phase's rows come as op c with source.ts_ms 0, as
// Debezium's Vitess connector writes them; they are the suite's snapshot
// reads (op r).
func (tb *vitessTable) Decode(t *testing.T, key, value []byte) conformance.Change {
	t.Helper()
	c := conformance.DecodeJSON(t, key, value)
	if c.Op == "c" {
		ts, ok := conformance.SourceTsMs(value)
		if !ok {
			t.Fatalf("record without source.ts_ms: %.200s", value)
		}
		if ts == 0 {
			c.Op = "r"
		}
	}
	return c
}
