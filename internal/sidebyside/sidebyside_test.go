package sidebyside

// TestSideBySide runs Debezium and Sluice on one database with the same
// connector properties (only the names differ), for each connector class,
// and compares everything they wrote.
//
// It needs the local MariaDB and Kafka (deploy/local/up.sh prints
// SLUICE_BOOTSTRAP_SERVERS, SLUICE_TEST_MYSQL_ADDR and
// SLUICE_TEST_MYSQL_ROOT_PASSWORD) and Java; it starts the Kafka Connect
// worker with deploy/local/connect.sh (a no-op when it already runs). It
// runs only with SLUICE_SIDEBYSIDE=1:
//
//	SLUICE_SIDEBYSIDE=1 go test -count=1 -v ./internal/sidebyside/
//
// SLUICE_SIDEBYSIDE_CLASSES (comma-separated: mariadb, mysql, vitess;
// default mariadb,mysql) picks the connector classes (vitess runs in
// TestSideBySideVitess); SLUICE_SIDEBYSIDE_REPORT=FILE also writes
// the summary there; SLUICE_SIDEBYSIDE_KEEP=1 keeps the database, the topics
// and the Debezium connectors for a look afterwards;
// SLUICE_SIDEBYSIDE_PRIVATE_SERVER=1 drops the settings that shield Debezium
// from other tests' DDL (see props).

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
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
)

var classes = map[string]string{
	"mariadb": "io.debezium.connector.mariadb.MariaDbConnector",
	"mysql":   "io.debezium.connector.mysql.MySqlConnector",
}

type env struct {
	kafka, mysqlAddr, rootPass string
	connectURL                 string
	root                       string // the repository
}

func setup(t *testing.T) env {
	t.Helper()
	if os.Getenv("SLUICE_SIDEBYSIDE") != "1" {
		t.Skip("side-by-side test with real Debezium: set SLUICE_SIDEBYSIDE=1 (needs Java, Maven Central once, deploy/local/up.sh's servers)")
	}
	e := env{kafka: os.Getenv("SLUICE_BOOTSTRAP_SERVERS"), mysqlAddr: os.Getenv("SLUICE_TEST_MYSQL_ADDR"),
		rootPass: os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")}
	if e.kafka == "" || e.mysqlAddr == "" {
		t.Fatal("SLUICE_SIDEBYSIDE=1 but SLUICE_BOOTSTRAP_SERVERS / SLUICE_TEST_MYSQL_ADDR are not set; start the servers with deploy/local/up.sh")
	}
	wd, _ := os.Getwd()
	e.root = filepath.Clean(filepath.Join(wd, "..", ".."))
	// connect.sh is idempotent; the worker stays up for the next run
	// (a cold start fetches the jars, a warm one takes seconds).
	cmd := exec.Command(filepath.Join(e.root, "deploy", "local", "connect.sh"), "start")
	cmd.Env = append(os.Environ(), "SLUICE_BOOTSTRAP_SERVERS="+e.kafka)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("deploy/local/connect.sh start: %v\n%s", err, out)
	}
	out, err := exec.Command(filepath.Join(e.root, "deploy", "local", "connect.sh"), "url").Output()
	if err != nil {
		t.Fatalf("deploy/local/connect.sh url: %v", err)
	}
	e.connectURL = strings.TrimSpace(string(out))
	return e
}

// tables is what comes between the prefix and a table in the pair's topic
// names: the database, but under a Schema* topic naming strategy.
func (p pair) tables() string {
	if strings.HasPrefix(p.props["topic.naming.strategy"], "io.debezium.schema.Schema") {
		return "."
	}
	return "." + p.db + "."
}

// pair is one connector class run by both implementations.
type pair struct {
	class            string
	debezium, sluice string            // topic prefixes, also the connector names
	db               string            // the database both read
	props            map[string]string // a variant's settings (mode.variants)
	snapshotRows     int
}

// modesProps is a second MariaDB-class pair's connector file: the other
// handling modes and the column and query options a deployment may set,
// so that the suite compares them too.
var modesProps = map[string]string{
	"decimal.handling.mode":         "string",
	"bigint.unsigned.handling.mode": "precise",
	"binary.handling.mode":          "base64",
	"time.precision.mode":           "connect",
	"include.query":                 "true",
	"column.propagate.source.type":  ".*",
	"column.truncate.to.3.chars":    `.*\.t_str\.vc`,
	"column.mask.with.4.chars":      `.*\.t_str\.c`,
	// A key column's mapper: the row value hashed, the key as it is.
	"column.mask.hash.SHA-256.with.salt.k9": `.*\.t_comp\.code`,
	"column.exclude.list":                   `.*\.t_int\.bi`,
	"message.key.columns":                   `.*\.t_nokey:a`,
	"tombstones.on.delete":                  "false",
	"skip.messages.without.change":          "true",
	"include.schema.comments":               "true",
	// t_int's snapshot by a SELECT that leaves its row 3 out (${db} is
	// the pair's database): row 3's delete still streams.
	"snapshot.select.statement.overrides":             "${db}.t_int",
	"snapshot.select.statement.overrides.${db}.t_int": "SELECT * FROM ${db}.t_int WHERE id = 1",
	// Transaction metadata: the .transaction topic's BEGIN and END
	// records, the envelope's transaction block and the history
	// positions' transaction_id compare like any topic; heartbeats by
	// their shape (heartbeat_test.go).
	"provide.transaction.metadata": "true",
	"heartbeat.interval.ms":        "100",
	// t_int.bo, a BOOLEAN NOT NULL DEFAULT TRUE, as a boolean, with its
	// source type parameters.
	"converters":   "boolean",
	"boolean.type": "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter",
}

// transformsProps is a third MariaDB-class pair's connector file: a
// transform chain as deployments set it (Debezium's ExtractNewRecordState,
// then Kafka Connect's ReplaceField, InsertField, InsertHeader, Cast and
// TimestampConverter, four of them under a predicate), run by Kafka
// Connect's own classes on the Debezium side and by Sluice's on the other.
// The chain keeps every topic's name and every snapshot record, which the
// run's waits count.
var transformsProps = map[string]string{
	"transforms": "changed,ddl,tz,unwrap,rename,origin,hdr,cast,when",
	// Before the unwrap: headers listing an update's changed and unchanged
	// columns, on every change event; schema change events that alter a
	// table (renames included) or a database left out.
	"transforms.changed.type":                         "io.debezium.transforms.ExtractChangedRecordState",
	"transforms.changed.header.changed.name":          "changed",
	"transforms.changed.header.unchanged.name":        "unchanged",
	"transforms.ddl.type":                             "io.debezium.transforms.SchemaChangeEventFilter",
	"transforms.ddl.schema.change.event.exclude.list": "ALTER, DATABASE",
	// t_time's DATETIMEs and TIMESTAMPs moved to New York's time.
	"transforms.tz.type":               "io.debezium.transforms.TimezoneConverter",
	"transforms.tz.converted.timezone": "America/New_York",
	"transforms.tz.include.list":       "source:t_time",
	"transforms.unwrap.type":           "io.debezium.transforms.ExtractNewRecordState",
	// Salted hashes of t_str's character columns, both versions, cut to
	// the declared length or whole (TEXT). (Not in the modes pair: its
	// column.propagate.source.type=.* matches every column first, and
	// Debezium applies one column rule a column.)
	"column.mask.hash.SHA-256.with.salt.j50n":          `.*\.t_str\.(l|tx|lt)`,
	"column.mask.hash.v2.MD5.with.salt.v2.s":           `.*\.t_str\.(vb|e)`,
	"transforms.unwrap.add.fields":                     "op,table,db",
	"transforms.unwrap.add.headers":                    "op",
	"transforms.unwrap.delete.tombstone.handling.mode": "rewrite",
	"transforms.rename.type":                           "org.apache.kafka.connect.transforms.ReplaceField$Value",
	"transforms.rename.renames":                        "v:value,a:col_a",
	"transforms.origin.type":                           "org.apache.kafka.connect.transforms.InsertField$Value",
	"transforms.origin.static.field":                   "origin",
	"transforms.origin.static.value":                   "sbs",
	"transforms.origin.predicate":                      "ints",
	"transforms.hdr.type":                              "org.apache.kafka.connect.transforms.InsertHeader",
	"transforms.hdr.header":                            "pipeline",
	"transforms.hdr.value.literal":                     "unwrapped",
	"transforms.hdr.predicate":                         "ints",
	"transforms.hdr.negate":                            "true",
	// Cast: a TINYINT to text, a BOOLEAN to a number, and a column with a
	// default (-7) to a double, default and all.
	"transforms.cast.type":      "org.apache.kafka.connect.transforms.Cast$Value",
	"transforms.cast.spec":      "ti:string,bo:int32,d:float64",
	"transforms.cast.predicate": "ints",
	// TimestampConverter: a DATETIME (Debezium's epoch milliseconds, null
	// for a zero date) as text in a pattern with a quoted literal.
	"transforms.when.type":        "org.apache.kafka.connect.transforms.TimestampConverter$Value",
	"transforms.when.field":       "dt",
	"transforms.when.target.type": "string",
	"transforms.when.format":      "yyyy-MM-dd'T'HH:mm:ss.SSS",
	"transforms.when.predicate":   "times",
	"predicates":                  "ints,times",
	"predicates.ints.type":        "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
	"predicates.ints.pattern":     `.*\.t_int`,
	"predicates.times.type":       "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
	"predicates.times.pattern":    `.*\.t_time`,
}

// shapesProps is a second transform chain, for the transforms that change
// a record's shape, key, topic or headers: a delete becomes a tombstone
// that Filter drops at once; t_str's row is hoisted into a field and
// flattened back with the field's name as a prefix, its vc masked first;
// t_int's key is its id alone (ValueToKey, then ExtractField$Key) and its
// op is copied into a header (HeaderFrom fails on a record without the
// field, in Kafka Connect and in Sluice); t_bit's value schema is renamed
// and versioned and its topic routed; the unwrapped op's header is
// dropped.
var shapesProps = map[string]string{
	"transforms":                                       "unwrap,tomb,mask,hoist,flat,key,keyid,meta,route,hfrom,drop",
	"transforms.unwrap.type":                           "io.debezium.transforms.ExtractNewRecordState",
	"transforms.unwrap.add.fields":                     "op,table",
	"transforms.unwrap.add.headers":                    "op",
	"transforms.unwrap.delete.tombstone.handling.mode": "delete-to-tombstone",
	"transforms.mask.type":                             "org.apache.kafka.connect.transforms.MaskField$Value",
	"transforms.mask.fields":                           "vc",
	"transforms.mask.replacement":                      "***",
	"transforms.mask.predicate":                        "strs",
	"transforms.hoist.type":                            "org.apache.kafka.connect.transforms.HoistField$Value",
	"transforms.hoist.field":                           "row",
	"transforms.hoist.predicate":                       "strs",
	"transforms.flat.type":                             "org.apache.kafka.connect.transforms.Flatten$Value",
	"transforms.flat.delimiter":                        "_",
	"transforms.flat.predicate":                        "strs",
	"transforms.key.type":                              "org.apache.kafka.connect.transforms.ValueToKey",
	"transforms.key.fields":                            "id",
	"transforms.key.predicate":                         "ints",
	"transforms.keyid.type":                            "org.apache.kafka.connect.transforms.ExtractField$Key",
	"transforms.keyid.field":                           "id",
	"transforms.keyid.predicate":                       "ints",
	"transforms.meta.type":                             "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
	"transforms.meta.schema.name":                      "sbs.Shaped",
	"transforms.meta.schema.version":                   "7",
	"transforms.meta.predicate":                        "bits",
	"transforms.route.type":                            "org.apache.kafka.connect.transforms.RegexRouter",
	"transforms.route.regex":                           `(.*)\.t_bit`,
	"transforms.route.replacement":                     "$1.t_bit_routed",
	"transforms.hfrom.type":                            "org.apache.kafka.connect.transforms.HeaderFrom$Value",
	"transforms.hfrom.fields":                          "__op",
	"transforms.hfrom.headers":                         "op_copy",
	"transforms.hfrom.operation":                       "copy",
	"transforms.hfrom.predicate":                       "ints",
	"transforms.drop.type":                             "org.apache.kafka.connect.transforms.DropHeaders",
	"transforms.drop.headers":                          "__op",
	"transforms.tomb.type":                             "org.apache.kafka.connect.transforms.Filter",
	"transforms.tomb.predicate":                        "tomb",
	"predicates":                                       "ints,strs,bits,tomb",
	"predicates.ints.type":                             "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
	"predicates.ints.pattern":                          `.*\.t_int`,
	"predicates.strs.type":                             "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
	"predicates.strs.pattern":                          `.*\.t_str`,
	"predicates.bits.type":                             "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
	"predicates.bits.pattern":                          `.*\.t_bit`,
	"predicates.tomb.type":                             "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
}

// unwrappedOp takes a flattened record's op from the __op field
// ExtractNewRecordState added, so that its differences are reported (and
// allowed) by op as the envelope's are.
func unwrappedOp(class string, x *rec) {
	if class != "data" || x.op != "" {
		return
	}
	pl := payloadOf(x.value)
	for _, f := range []string{"__op", "row___op"} { // row___op: shapesProps' hoisted and flattened t_str
		if op, ok := pl[f].(string); ok {
			x.op, x.sig = op, op
			return
		}
	}
}

// wantedClasses are the classes SLUICE_SIDEBYSIDE_CLASSES names (all three
// by default).
func wantedClasses() []string {
	want := os.Getenv("SLUICE_SIDEBYSIDE_CLASSES")
	if want == "" {
		want = "mariadb,mysql,vitess"
	}
	var out []string
	for _, c := range strings.Split(want, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

func TestSideBySide(t *testing.T) {
	var names []string
	for _, c := range wantedClasses() {
		switch {
		case c == "vitess":
			// TestSideBySideVitess (vitess_test.go) runs it.
		case classes[c] == "":
			t.Fatalf("SLUICE_SIDEBYSIDE_CLASSES: unknown class %q (mariadb, mysql, vitess)", c)
		default:
			names = append(names, c)
		}
		if c == "mariadb" {
			// The MariaDB class with modesProps, transformsProps,
			// shapesProps, read.only (with the schema topic naming
			// strategy) and the regex topic naming strategy.
			names = append(names, "modes", "transforms", "shapes", "readonly", "regex")
		}
	}
	if len(names) == 0 {
		t.Skip("SLUICE_SIDEBYSIDE_CLASSES names no MySQL-family class")
	}
	e := setup(t)
	runMySQLFamily(t, e, names, jsonMode())
}

// mode is what a run of the MySQL-family classes converts with and how it
// reads and compares what was written: JSON (TestSideBySide) or Avro
// (TestSideBySideAvro).
type mode struct {
	name string
	// props adds the mode's settings to the connector file both
	// implementations get.
	props func(m map[string]string)
	// allow lists the allow-list files, all read.
	allow []string
	// rules are the comparison rules of a pair (decoding included).
	rules func(t *testing.T, p pair) classRules
	// variants are further names a run may list: a class with other
	// connector settings.
	variants map[string]variant
	// extra, when set, compares what is not in the topics (the
	// registry's schemas) and adds to the pair's result.
	extra func(t *testing.T, p pair, res *result)
}

// variant is a class read with other connector settings; tag (two
// letters) names its topic prefixes and database.
type variant struct {
	class, tag string
	props      map[string]string
	// unread are the preloaded rows its snapshot leaves out
	// (snapshot.select.statement.overrides).
	unread int
}

func jsonMode() mode {
	return mode{
		name:  "JSON",
		props: func(map[string]string) {},
		allow: []string{"allow.txt"},
		rules: func(_ *testing.T, p pair) classRules {
			if p.props["transforms"] != "" {
				return classRules{normalise: unwrappedOp}
			}
			return classRules{}
		},
		variants: map[string]variant{
			"modes":      {class: "mariadb", tag: "mm", props: modesProps, unread: 1},
			"transforms": {class: "mariadb", tag: "tr", props: transformsProps},
			"shapes":     {class: "mariadb", tag: "sh", props: shapesProps},
			// read.only: the incremental snapshot's chunks are bounded by
			// GTID positions, neither side writes watermark rows. And a
			// table.include.list whose patterns are not in name order:
			// Debezium reads the snapshot's tables (source.snapshot's
			// first and last) and lists them in the patterns' order. And
			// SchemaTopicNamingStrategy: topics without the database.
			"readonly": {class: "mariadb", tag: "ro", props: map[string]string{"read.only": "true",
				"table.include.list":    `${db}\.zz_end,${db}\.t_str,${db}\..*`,
				"topic.naming.strategy": "io.debezium.schema.SchemaTopicNamingStrategy"}},
			// DefaultRegexTopicNamingStrategy: two tables routed to one
			// topic; every table's key (t_nokey's too) gets the physical
			// table.
			"regex": {class: "mariadb", tag: "rg", props: map[string]string{
				"topic.naming.strategy": "io.debezium.schema.DefaultRegexTopicNamingStrategy",
				"topic.regex":           `(.*)\.t_(int|dec)`, "topic.replacement": "$1.t_numbers"}},
		},
	}
}

func runMySQLFamily(t *testing.T, e env, names []string, md mode) {
	start := time.Now()
	keep := os.Getenv("SLUICE_SIDEBYSIDE_KEEP") == "1"

	bin := buildSluice(t, e)

	run := fmt.Sprintf("%06d", rand.Intn(1e6))
	conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, "")
	if err != nil {
		t.Fatalf("connecting to MariaDB at %s as root: %v", e.mysqlAddr, err)
	}
	// Closed by a cleanup, after the cleanups registered later (which
	// drop the databases through it) have run.
	t.Cleanup(func() { conn.Close() })
	exec1 := func(q string) {
		t.Helper()
		if _, err := conn.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range sessionSetup {
		exec1(q)
	}

	var pairs []pair
	for _, c := range names {
		c0 := c
		// Prefixes of equal length, so that names keep their length. Each
		// class has its own database: the MySQL class's leaves out the
		// MariaDB-only types.
		tag := c[:2]
		var extra map[string]string
		if v, ok := md.variants[c]; ok {
			// A variant of a class: the same class read with other
			// connector settings (handling modes), into its own database.
			tag, extra = v.tag, v.props
			c = v.class
		}
		p := pair{class: c, debezium: "sbsd" + tag + run, sluice: "sbss" + tag + run, db: "sbs_" + run + "_" + tag, props: extra,
			snapshotRows: -md.variants[c0].unread}
		exec1("CREATE DATABASE " + p.db)
		if !keep {
			t.Cleanup(func() { _, _ = conn.Execute("DROP DATABASE IF EXISTS " + p.db) })
		}
		exec1("USE " + p.db)
		for _, tb := range tables() {
			if tb.mariaOnly && c != "mariadb" {
				continue
			}
			exec1(tb.ddl)
			for _, q := range tb.preload {
				exec1(q)
			}
			p.snapshotRows += tb.rows
		}
		// Both sides write their incremental snapshots' watermark rows.
		for _, host := range []string{"%", "localhost", "127.0.0.1"} {
			_, _ = conn.Execute(fmt.Sprintf("GRANT INSERT ON %s.debezium_signal TO 'sluice'@'%s'", p.db, host))
		}
		pairs = append(pairs, p)
	}

	props := func(class, name, db string, serverID int) map[string]string {
		m := connectorProps(e, class, name, db, serverID)
		// The snapshots' notifications, compared as a topic of their own.
		m["notification.enabled.channels"] = "sink"
		m["notification.sink.topic.name"] = name + "-notifications"
		md.props(m)
		return m
	}

	var sluiceFiles []string
	dcfgs := make([]map[string]string, len(pairs))
	// One random block of server ids for the run: drawn per pair, two
	// pairs' Debezium connectors could get the same id, and MariaDB drops
	// the first replica when a second registers with it (error 4052, which
	// failed a Debezium task in a rehearsal). Other tests draw below 10,000.
	idBase := 10_000 + rand.Intn(5000)*100
	for i, p := range pairs {
		id := idBase + i*2
		if !keep {
			p := p
			t.Cleanup(func() { deleteConnector(e, p.debezium) })
		}
		dprops, sprops := props(p.class, p.debezium, p.db, id), props(p.class, p.sluice, p.db, id+1)
		for k, v := range p.props {
			k, v = strings.ReplaceAll(k, "${db}", p.db), strings.ReplaceAll(v, "${db}", p.db)
			dprops[k], sprops[k] = v, v
		}
		createConnector(t, e, p.debezium, dprops)
		dcfgs[i] = dprops
		b, _ := json.Marshal(map[string]any{"name": p.sluice, "config": sprops})
		f := filepath.Join(t.TempDir(), p.sluice+".json")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		sluiceFiles = append(sluiceFiles, f)
	}
	var slog conformance.SyncBuffer
	daemon := exec.Command(bin, append([]string{"run", "--bootstrap-servers", e.kafka, "--log-format", "console"}, sluiceFiles...)...)
	daemon.Stdout, daemon.Stderr = &slog, &slog
	if err := daemon.Start(); err != nil {
		t.Fatalf("starting sluice: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = daemon.Wait(); close(done) }()
	stopDaemon := func() {
		select {
		case <-done:
			return
		default:
		}
		_ = daemon.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = daemon.Process.Kill()
			<-done
		}
	}
	defer stopDaemon()
	defer func() {
		if t.Failed() {
			t.Logf("sluice log (tail):\n%s", conformance.Tail(slog.String(), 3000))
			dumpDaemon(t, daemon, done, &slog)
		}
	}()

	adm := newAdmin(t, e.kafka)
	if !keep {
		t.Cleanup(func() { deleteTopics(adm, pairs) })
	}

	// Streaming changes must start after every snapshot has read its rows,
	// or a row could be a snapshot read on one side and a create on the
	// other.
	sides := make([]copySide, len(pairs))
	for i := range pairs {
		p := &pairs[i]
		sides[i] = copySide{debezium: &p.debezium, sluice: p.sluice, cfg: dcfgs[i], topics: p.tables(), want: p.snapshotRows}
	}
	waitForCopies(t, e, adm, sides, 120*time.Second, "snapshots", keep, &slog)
	t.Logf("snapshots done after %s", time.Since(start).Round(time.Millisecond))

	for _, p := range pairs {
		exec1("USE " + p.db)
	tx:
		for _, tx := range streaming() {
			if p.class != "mariadb" {
				for _, q := range tx {
					for _, tb := range mariaOnlyTables {
						if strings.Contains(q, tb+" ") {
							continue tx
						}
					}
				}
			}
			if len(tx) > 1 {
				exec1("BEGIN")
			}
			var reads func()
			for _, q := range tx {
				switch q {
				case blockingSignal:
					q = blockingInsert(p.db)
				case incrementalSignal:
					q = incrementalInsert(p.db)
					reads = awaitIncremental(t, e, adm, conn, p, &slog)
				}
				exec1(q)
			}
			if len(tx) > 1 {
				exec1("COMMIT")
			}
			if reads != nil {
				reads()
			}
		}
	}
	waitFor(t, e, pairs, 90*time.Second, "the end marker", func() (bool, string) {
		var status []string
		ok := true
		for _, p := range pairs {
			for _, px := range []string{p.debezium, p.sluice} {
				n := countRecords(adm, px+p.tables()+"zz_end")
				status = append(status, fmt.Sprintf("%s %d", px, n))
				ok = ok && n > 0
			}
		}
		return ok, strings.Join(status, ", ")
	}, &slog)
	var prefixes []string
	for _, p := range pairs {
		prefixes = append(prefixes, p.debezium, p.sluice)
	}
	// Quiet: no topic of any prefix grows for two seconds.
	last, quietSince := "", time.Now()
	for time.Since(quietSince) < 2*time.Second {
		time.Sleep(250 * time.Millisecond)
		var b strings.Builder
		for _, px := range prefixes {
			fmt.Fprintf(&b, "%d,%d;", countRecords(adm, px), countRecords(adm, px+"-history"))
		}
		if b.String() != last {
			last, quietSince = b.String(), time.Now()
		}
	}
	t.Logf("streaming done after %s", time.Since(start).Round(time.Millisecond))

	allow, err := readAllow(md.allow...)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	failed := false
	for _, p := range pairs {
		parts := map[string]int{}
		deb := readAll(t, e.kafka, adm, p.debezium, parts)
		sl := readAll(t, e.kafka, adm, p.sluice, parts)
		res := compare(deb, sl, parts, p.debezium, p.sluice, md.rules(t, p))
		if md.extra != nil {
			md.extra(t, p, res)
		}
		title := fmt.Sprintf("%s (%s), %s: debezium %s vs sluice %s", p.class, classes[p.class], md.name, p.debezium, p.sluice)
		if len(p.props) > 0 {
			title += fmt.Sprintf(" with %v", p.props)
		}
		s, unallowed := res.summary(title, allow)
		report.WriteString(s)
		failed = failed || unallowed > 0
		if heartbeats(p) {
			s, n := heartbeatSummary(t, e.kafka, adm, p)
			report.WriteString(s)
			failed = failed || n > 0
		}
	}
	report.WriteString(allow.unused())
	fmt.Fprintf(&report, "side-by-side run took %s\n", time.Since(start).Round(time.Second))
	t.Log("\n" + report.String())
	if f := os.Getenv("SLUICE_SIDEBYSIDE_REPORT"); f != "" {
		if err := os.WriteFile(f, []byte(report.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if failed {
		t.Error("Sluice's records differ from Debezium's beyond allow.txt (see the summary above)")
	}
}

func createConnector(t *testing.T, e env, name string, cfg map[string]string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	req, _ := http.NewRequest(http.MethodPost, e.connectURL+"/connectors", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := connectDo(req)
	if err != nil {
		t.Fatalf("creating Debezium connector %s: %v", name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("creating Debezium connector %s: %s: %s", name, resp.Status, body)
	}
}

func deleteConnector(e env, name string) {
	req, _ := http.NewRequest(http.MethodDelete, e.connectURL+"/connectors/"+name, nil)
	if resp, err := connectDo(req); err == nil {
		resp.Body.Close()
	}
}

// connectorState is the Debezium connectors' task states, with the trace of
// a failed one, for a timeout message.
func connectorState(e env, pairs []pair) string {
	var b strings.Builder
	for _, p := range pairs {
		resp, err := http.Get(e.connectURL + "/connectors/" + p.debezium + "/status")
		if err != nil {
			fmt.Fprintf(&b, "; %s: %v", p.debezium, err)
			continue
		}
		var st struct {
			Tasks []struct {
				State string `json:"state"`
				Trace string `json:"trace"`
			} `json:"tasks"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		for _, tk := range st.Tasks {
			fmt.Fprintf(&b, "; %s task %s %s", p.debezium, tk.State, conformance.Tail(tk.Trace, 600))
		}
	}
	return b.String()
}

// waitFor polls cond until it holds; a failed Debezium task ends the wait
// at once (it never recovers on its own).
func waitFor(t *testing.T, e env, pairs []pair, timeout time.Duration, what string, cond func() (bool, string), slog *conformance.SyncBuffer) {
	t.Helper()
	if ok, status := waitUntil(e, pairs, timeout, cond); !ok {
		t.Fatalf("waiting for %s: %s\nsluice log (tail):\n%s", what, status, conformance.Tail(slog.String(), 2000))
	}
}

// waitUntil is waitFor that returns, false with the last status and the
// tasks' states, when the time is up or a task has failed.
func waitUntil(e env, pairs []pair, timeout time.Duration, cond func() (bool, string)) (bool, string) {
	deadline := time.Now().Add(timeout)
	for {
		ok, status := cond()
		if ok {
			return true, status
		}
		st := connectorState(e, pairs)
		if time.Now().After(deadline) || strings.Contains(st, " FAILED ") {
			return false, status + st
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func newAdmin(t *testing.T, brokers string) *kadm.Client {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokers, ",")...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// awaitIncremental, called before the incremental snapshot's signal,
// returns a wait for both sides of p to have written a read event for
// every row of the snapshot's tables.
func awaitIncremental(t *testing.T, e env, adm *kadm.Client, conn *client.Conn, p pair, slog *conformance.SyncBuffer) func() {
	t.Helper()
	count := func(px string) int {
		n := 0
		for _, tb := range incrementalTables {
			n += countRecords(adm, px+p.tables()+tb)
		}
		return n
	}
	rows := 0
	for _, tb := range incrementalTables {
		r, err := conn.Execute("SELECT COUNT(*) FROM " + p.db + "." + tb)
		if err != nil {
			t.Fatalf("counting %s's rows: %v", tb, err)
		}
		n, _ := r.GetInt(0, 0)
		rows += int(n)
	}
	want := map[string]int{p.debezium: count(p.debezium) + rows, p.sluice: count(p.sluice) + rows}
	return func() {
		waitFor(t, e, []pair{p}, 90*time.Second, "the incremental snapshot's read events", func() (bool, string) {
			var status []string
			ok := true
			for px, n := range want {
				got := count(px)
				status = append(status, fmt.Sprintf("%s %d of %d", px, got, n))
				ok = ok && got >= n
			}
			return ok, strings.Join(status, ", ")
		}, slog)
	}
}

// countRecords sums the end offsets of the topic named prefix and those
// under it (<prefix>.*), or of every topic whose name starts with prefix
// when it ends in '.' or '_' (the topics are never compacted or trimmed
// during a run).
func countRecords(adm *kadm.Client, prefix string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		return 0
	}
	var names []string
	for _, n := range topics.Names() {
		if n == prefix || strings.HasPrefix(n, prefix+".") || (strings.HasSuffix(prefix, ".") || strings.HasSuffix(prefix, "_")) && strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return 0
	}
	ends, err := adm.ListEndOffsets(ctx, names...)
	if err != nil {
		return 0
	}
	n := 0
	ends.Each(func(o kadm.ListedOffset) { n += int(o.Offset) })
	return n
}

func deleteTopics(adm *kadm.Client, pairs []pair) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		return
	}
	var del []string
	for _, n := range topics.Names() {
		for _, p := range pairs {
			for _, px := range []string{p.debezium, p.sluice} {
				if n == px || n == px+"-history" || n == px+"-notifications" || strings.HasPrefix(n, px+".") {
					del = append(del, n)
				}
			}
		}
	}
	if len(del) > 0 {
		_, _ = adm.DeleteTopics(ctx, del...)
	}
}

// readAll reads every record of the topics a connector wrote: the schema
// change topic (named prefix), the data topics (prefix.db.table) and the
// schema history (prefix-history) and the notifications
// (prefix-notifications), each partition from its start to its
// end offset.
func readAll(t *testing.T, brokers string, adm *kadm.Client, prefix string, parts map[string]int) map[string][]*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatalf("listing topics: %v", err)
	}
	var names []string
	for _, n := range topics.Names() {
		if n == prefix || n == prefix+"-history" || n == prefix+"-notifications" || strings.HasPrefix(n, prefix+".") {
			names = append(names, n)
		}
	}
	out := map[string][]*kgo.Record{}
	if len(names) == 0 {
		return out
	}
	ends, err := adm.ListEndOffsets(ctx, names...)
	if err != nil {
		t.Fatalf("listing end offsets: %v", err)
	}
	offsets := map[string]map[int32]kgo.Offset{}
	remaining := map[string]map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		parts[o.Topic]++
		if offsets[o.Topic] == nil {
			offsets[o.Topic] = map[int32]kgo.Offset{}
			remaining[o.Topic] = map[int32]int64{}
			out[o.Topic] = nil
		}
		if o.Offset > 0 {
			offsets[o.Topic][o.Partition] = kgo.NewOffset().AtStart()
			remaining[o.Topic][o.Partition] = o.Offset
		}
	})
	left := 0
	for _, m := range remaining {
		left += len(m)
	}
	if left == 0 {
		return out
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokers, ",")...), kgo.ConsumePartitions(offsets),
		kgo.FetchMaxWait(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for left > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("reading the topics of %s: %d partitions not read to their end", prefix, left)
		}
		fs.EachRecord(func(r *kgo.Record) {
			out[r.Topic] = append(out[r.Topic], r)
			if end, ok := remaining[r.Topic][r.Partition]; ok && r.Offset+1 >= end {
				delete(remaining[r.Topic], r.Partition)
				left--
			}
		})
	}
	return out
}

// connectorProps is the one connector file both implementations get; only
// the names (and the replica id, which must be unique per concurrent
// reader) differ.
func connectorProps(e env, class, name, db string, serverID int) map[string]string {
	host, port, _ := strings.Cut(e.mysqlAddr, ":")
	m := map[string]string{
		"connector.class":                     classes[class],
		"database.hostname":                   host,
		"database.port":                       port,
		"database.user":                       "sluice",
		"database.password":                   "sluice",
		"database.server.id":                  fmt.Sprint(serverID),
		"topic.prefix":                        name,
		"database.include.list":               db,
		"schema.history.internal.kafka.topic": name + "-history",
		"schema.history.internal.kafka.bootstrap.servers": e.kafka,
		// Three partitions: a key that differs in its bytes shows up
		// as a partition difference too.
		"topic.creation.default.partitions":         "3",
		"topic.creation.default.replication.factor": "1",
		"offset.flush.interval.ms":                  "1000",
		"signal.data.collection":                    db + ".debezium_signal",
	}
	// The shared test server holds other tests' databases and DDL,
	// which Debezium's DDL parser can fail on (INET6 and UUID columns,
	// ADD CONSTRAINT IF NOT EXISTS): its task stops for good. So by
	// default both implementations read only the captured database's
	// structure and skip DDL they cannot parse.
	// SLUICE_SIDEBYSIDE_PRIVATE_SERVER=1 keeps Debezium's defaults, for
	// a server that only this test uses.
	if os.Getenv("SLUICE_SIDEBYSIDE_PRIVATE_SERVER") != "1" {
		m["schema.history.internal.store.only.captured.databases.ddl"] = "true"
		m["schema.history.internal.skip.unparseable.ddl"] = "true"
	}
	return withEnvProps(m)
}

// withEnvProps lays SLUICE_SIDEBYSIDE_PROPS (k=v;k=v) over both
// implementations' connector properties m, MariaDB's and Vitess's, to
// compare other handling modes (or run Sluice's conversion threads).
func withEnvProps(m map[string]string) map[string]string {
	for _, kv := range strings.Split(os.Getenv("SLUICE_SIDEBYSIDE_PROPS"), ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// dumpDaemon, for a failed test, has the daemon print its goroutines
// (SIGQUIT) and keeps its whole log in a file: a stalled connector shows
// where it waits, and the tail printed with the failure shows only the last
// connector's lines.
func dumpDaemon(t *testing.T, daemon *exec.Cmd, done <-chan struct{}, slog *conformance.SyncBuffer) {
	select {
	case <-done:
	default:
		_ = daemon.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	}
	f, err := os.CreateTemp("", "sluice-sidebyside-*.log")
	if err != nil {
		t.Logf("keeping the sluice log: %v", err)
		return
	}
	defer f.Close()
	if _, err := f.WriteString(slog.String()); err != nil {
		t.Logf("keeping the sluice log: %v", err)
		return
	}
	t.Logf("the whole sluice log, with its goroutines at the failure: %s", f.Name())
}
