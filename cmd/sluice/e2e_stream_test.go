package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/sluice-cdc/sluice/offsets"
)

// TestStreamingEndToEnd drives several tables through multi-statement
// transactions, updates, deletes, a primary-key change and an ALTER TABLE in
// the middle of the stream, and checks the records in Kafka and the offset
// stored in _connect_offsets.
func TestStreamingEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll(
		"CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, balance DECIMAL(10,2))",
		"CREATE TABLE orders (id BIGINT UNSIGNED PRIMARY KEY, customer INT, placed DATETIME(3), note TEXT)",
		"CREATE TABLE audit (msg VARCHAR(20))", // no primary key: null keys
	)
	prefix := "e2e" + d.name[4:]
	name := "c-" + d.name
	cfg := connectorFile(t, e, name, prefix, d.name, nil)
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)

	d.execAll(
		"BEGIN",
		"INSERT INTO customers VALUES (1, 'ann', 10.50), (2, 'bob', NULL)",
		"INSERT INTO orders VALUES (18446744073709551615, 1, '2024-03-04 05:06:07.890', 'first')",
		"INSERT INTO audit VALUES ('hello')",
		"COMMIT",
		"UPDATE customers SET balance = balance + 1 WHERE id = 1",
		"DELETE FROM customers WHERE id = 2",
		"UPDATE customers SET id = 10 WHERE id = 1",
		"ALTER TABLE customers ADD COLUMN email VARCHAR(60) DEFAULT 'none'",
		"INSERT INTO customers (id, name, email) VALUES (3, 'cy', 'cy@example.com')",
		"UPDATE customers SET name = 'ann2' WHERE id = 10",
	)
	want := d.str("SELECT @@gtid_binlog_pos")

	cust := prefix + "." + d.name + ".customers"
	recs := consume(t, e, 9, 60*time.Second, cust)
	type ev struct {
		op, key string
		before  map[string]any
		after   map[string]any
		headers map[string]string
	}
	var got []ev
	for _, r := range recs {
		x := ev{key: string(r.Key), headers: r.Headers}
		if p := payload(t, r.Value); p != nil {
			x.op, _ = p["op"].(string)
			x.before, _ = p["before"].(map[string]any)
			x.after, _ = p["after"].(map[string]any)
			src := p["source"].(map[string]any)
			if src["db"] != d.name || src["table"] != "customers" || src["connector"] != "mariadb" || src["name"] != prefix {
				t.Errorf("source block %v does not name db %s, table customers, connector mariadb, name %s", src, d.name, prefix)
			}
			if g, _ := src["gtid"].(string); !strings.HasPrefix(g, "0-1-") {
				t.Errorf("source.gtid = %v, want a MariaDB GTID", src["gtid"])
			}
		} else {
			x.op = "tombstone"
		}
		got = append(got, x)
	}
	keyPayload := func(k string) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(k), &m); err != nil {
			t.Fatalf("key %q: %v", k, err)
		}
		b, _ := json.Marshal(m["payload"])
		return string(b)
	}
	wantOps := []struct{ op, key string }{
		{"c", `{"id":1}`}, {"c", `{"id":2}`}, {"u", `{"id":1}`}, {"d", `{"id":2}`}, {"tombstone", `{"id":2}`},
		{"d", `{"id":1}`}, {"tombstone", `{"id":1}`}, {"c", `{"id":10}`}, {"c", `{"id":3}`}, {"u", `{"id":10}`},
	}
	if len(got) != len(wantOps) {
		for _, g := range got {
			t.Logf("%s %s", g.op, g.key)
		}
		t.Fatalf("got %d records on %s, want %d", len(got), cust, len(wantOps))
	}
	for i, w := range wantOps {
		if got[i].op != w.op || keyPayload(got[i].key) != w.key {
			t.Errorf("record %d: op %s key %s, want op %s key %s", i, got[i].op, keyPayload(got[i].key), w.op, w.key)
		}
	}
	// The update carries before and after.
	if got[2].before["balance"] != "BBo=" || got[2].after["balance"] != "BH4=" {
		t.Errorf("update before/after balance = %v/%v, want Connect Decimal bytes of 10.50 (BBo=) and 11.50 (BH4=)", got[2].before["balance"], got[2].after["balance"])
	}
	if got[1].after["balance"] != nil {
		t.Errorf("NULL balance arrived as %v", got[1].after["balance"])
	}
	// The primary-key change: delete with the new key, create with the old.
	if h := got[5].headers["__debezium.newkey"]; !strings.Contains(h, "10") {
		t.Errorf("delete half of the key change has __debezium.newkey %q, want the new key 10", h)
	}
	if h := got[7].headers["__debezium.oldkey"]; !strings.Contains(h, "1") {
		t.Errorf("create half of the key change has __debezium.oldkey %q, want the old key 1", h)
	}
	// Rows before the ALTER have no email field; rows after it carry it.
	if _, ok := got[7].after["email"]; ok {
		t.Errorf("row written before ADD COLUMN carries email: %v", got[7].after)
	}
	if got[8].after["email"] != "cy@example.com" {
		t.Errorf("row written after ADD COLUMN: email = %v, want cy@example.com", got[8].after["email"])
	}
	if got[9].after["email"] != "none" || got[9].before["email"] != "none" {
		t.Errorf("update after ADD COLUMN: before/after email = %v/%v, want the default 'none'", got[9].before["email"], got[9].after["email"])
	}

	// Other tables: BIGINT UNSIGNED max wraps to -1 as in Debezium's long
	// mode; a table without a primary key has null keys.
	ord := consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".orders")
	op := payload(t, ord[0].Value)["after"].(map[string]any)
	if op["id"] != float64(-1) || op["placed"] != float64(1709528767890) || op["note"] != "first" {
		t.Errorf("orders row = %v, want id -1, placed 1709528767890, note first", op)
	}
	aud := consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".audit")
	if aud[0].Key != nil {
		t.Errorf("audit (no primary key) record key = %s, want null", aud[0].Key)
	}

	took := sl.Stop()
	if took > 10*time.Second {
		t.Errorf("graceful shutdown took %s, want under 10 s", took)
	}
	if strings.Contains(sl.Stderr.String(), `"sluice"`) || strings.Contains(sl.Stderr.String(), "password=sluice") {
		t.Errorf("the log contains the database password")
	}

	key := offsets.Key(name, prefix)
	part, val, ok := storedOffset(t, e, "_connect_offsets", key)
	if !ok {
		t.Fatalf("no record with key %s in _connect_offsets", key)
	}
	if wantPart := offsets.Partition(key, 25); part != wantPart {
		t.Errorf("offset record is in partition %d, want %d (murmur2 of the key, like Kafka Connect)", part, wantPart)
	}
	pos, err := offsets.ParseMySQL(val)
	if err != nil {
		t.Fatal(err)
	}
	storedReaches(t, d, pos.GTIDs, want)
	if pos.File == "" || pos.Pos == 0 {
		t.Errorf("stored offset lacks file/pos: %s", val)
	}
}

// TestResumeAfterRestart stops the daemon, writes while it is down, and
// checks that the restarted daemon emits exactly the missed changes.
func TestResumeAfterRestart(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.exec("INSERT INTO t VALUES (1, 1), (2, 1)")
	consume(t, e, 2, 30*time.Second, prefix+"."+d.name+".t")
	sl.Stop()

	d.exec("UPDATE t SET v = 2 WHERE id = 1")
	d.exec("INSERT INTO t VALUES (3, 1)")
	sl2 := startDaemon(t, e, cfg)
	sl2.WaitLog("resuming from stored offset", 30*time.Second)
	recs := consume(t, e, 4, 30*time.Second, prefix+"."+d.name+".t")
	var summary []string
	for _, r := range recs {
		p := payload(t, r.Value)
		after := p["after"].(map[string]any)
		summary = append(summary, fmt.Sprintf("%s:%v=%v", p["op"], after["id"], after["v"]))
	}
	if got, want := strings.Join(summary, " "), "c:1=1 c:2=1 u:1=2 c:3=1"; got != want {
		t.Errorf("records after restart: %s, want %s", got, want)
	}
	sl2.Stop()
}

// TestValidateStatementFormat runs `sluice validate` against a MariaDB that
// logs statements, not rows.
func TestValidateStatementFormat(t *testing.T) {
	e := needServers(t)
	e.mysqlAddr, _ = privateMariaDB(t, "stmt", 23307, "--binlog-format=STATEMENT --server-id=2")
	cfg := connectorFile(t, e, "stmt", "stmt", "x", nil)
	out, err := exec.Command(binPath, "validate", cfg).CombinedOutput()
	if err == nil {
		t.Fatalf("validate exited 0 on a STATEMENT-format server:\n%s", out)
	}
	if !strings.Contains(string(out), `binlog_format: is "STATEMENT"; set binlog_format=ROW`) {
		t.Errorf("validate output does not name binlog_format and the fix:\n%s", out)
	}
}

// TestValidateConfigProblems prints every config problem, one line each.
func TestValidateConfigProblems(t *testing.T) {
	dir := t.TempDir()
	p := dir + "/bad.json"
	writeFile(t, p, `{"name":"bad","config":{"connector.class":"io.debezium.connector.mysql.MySqlConnector",
		"database.hostname":"127.0.0.1","database.user":"u","database.password":"secret-pw","topic.prefix":"p",
		"max.batch.size":"lots","tombstones.on.delete":"maybe","tabel.include.list":"x",
		"snapshot.query.mode":"custom","converters":"boolean","snapshot.mode":"configuration_based"}}`)
	out, err := exec.Command(binPath, "validate", p).CombinedOutput()
	if err == nil {
		t.Fatalf("validate exited 0 on a bad config:\n%s", out)
	}
	for _, want := range []string{`"max.batch.size"`, `"tombstones.on.delete"`, `"tabel.include.list"`,
		`"snapshot.query.mode": value "custom" is not supported by Sluice`, `"boolean.type" is required: "converters" names "boolean"`,
		`"snapshot.mode": value "configuration_based" is not supported by Sluice`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("validate output does not mention %s:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "secret-pw") {
		t.Errorf("validate output shows the password:\n%s", out)
	}
}

// TestMySqlConnectorClassOnMariaDB points Debezium's MySQL connector class
// at MariaDB, as many existing Debezium setups do: the binlog is read as
// MariaDB, across a restart, and events carry the MySQL source block with
// source.gtid null on changes and schema changes, as Debezium's MySQL class
// writes it there (it does not read MariaDB GTIDs), while the stored offset
// keeps the MariaDB GTID set.
func TestMySqlConnectorClassOnMariaDB(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	d.exec("INSERT INTO t VALUES (1, 1)")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"connector.class":                "io.debezium.connector.mysql.MySqlConnector",
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.exec("UPDATE t SET v = 2 WHERE id = 1")
	consume(t, e, 2, 30*time.Second, prefix+"."+d.name+".t")
	sl.Stop()
	d.exec("UPDATE t SET v = 3 WHERE id = 1")
	sl2 := startDaemon(t, e, "--log-format", "console", cfg)
	d.exec("ALTER TABLE t ADD COLUMN w INT")
	recs := consume(t, e, 3, 30*time.Second, prefix+"."+d.name+".t")
	var got []string
	for _, r := range recs {
		p := payload(t, r.Value)
		src := p["source"].(map[string]any)
		if src["connector"] != "mysql" {
			t.Errorf("source.connector = %v, want mysql (the connector class)", src["connector"])
		}
		if g, ok := src["gtid"]; !ok || (g != nil && p["op"] != "r") {
			t.Errorf("%s record: source.gtid = %v (present %v), want null as Debezium's MySQL class writes on MariaDB", p["op"], g, ok)
		}
		got = append(got, fmt.Sprintf("%s:%v", p["op"], p["after"].(map[string]any)["v"]))
	}
	if strings.Join(got, " ") != "r:1 u:2 u:3" {
		t.Errorf("records %v, want r:1 u:2 u:3", got)
	}
	// The schema change topic (named by the prefix) holds the snapshot's
	// DDL first; read it until the ALTER is there.
	alter := false
	for deadline := time.Now().Add(30 * time.Second); !alter && time.Now().Before(deadline); {
		for _, r := range consume(t, e, 1, 30*time.Second, prefix) {
			p := payload(t, r.Value)
			if ddl, _ := p["ddl"].(string); strings.Contains(ddl, "ALTER TABLE") {
				alter = true
				if g := p["source"].(map[string]any)["gtid"]; g != nil {
					t.Errorf("schema change record of %q: source.gtid = %v, want null", ddl, g)
				}
			}
		}
	}
	if !alter {
		t.Errorf("no schema change record of the ALTER TABLE on %s", prefix)
	}
	sl2.Stop()
	_, val, ok := storedOffset(t, e, "_connect_offsets", offsets.Key("c-"+d.name, prefix))
	if !ok {
		t.Fatalf("no stored offset for c-%s", d.name)
	}
	// A MariaDB GTID set (domain-server-sequence); other tests' writes on
	// the shared server may move it past this test's own.
	if pos, err := offsets.ParseMySQL(val); err != nil || !regexp.MustCompile(`^\d+-\d+-\d+(,\d+-\d+-\d+)*$`).MatchString(pos.GTIDs) {
		t.Errorf("stored offset %s: gtids %q (%v), want a MariaDB GTID set", val, pos.GTIDs, err)
	}
}

// storedReaches checks a stored GTID set after a clean stop: it holds the
// test's last write (lastWrite, the server's position after it) and goes
// no further than the server has got. Equality would fail when other
// packages' tests write to the server meanwhile: the connector's position
// moves past their transactions too.
func storedReaches(t *testing.T, d *db, stored, lastWrite string) {
	t.Helper()
	now := d.str("SELECT @@gtid_binlog_pos")
	have, err1 := gmysql.ParseMariadbGTIDSet(stored)
	last, err2 := gmysql.ParseMariadbGTIDSet(lastWrite)
	server, err3 := gmysql.ParseMariadbGTIDSet(now)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if !have.Contain(last) || !server.Contain(have) {
		t.Errorf("stored gtids = %q, want the test's last write %q or later, up to the server's %q", stored, lastWrite, now)
	}
}

// TestTopicCreationGroups: the topics Sluice creates take Kafka Connect's
// topic.creation.* settings, as the broker reports them: the default
// group's topic configs, and a group's own partitions and configs for the
// topics its include matches.
func TestTopicCreationGroups(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE big (id INT PRIMARY KEY)")
	prefix := "e2e" + d.name[4:]
	sl := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"topic.creation.default.partitions":         "1",
		"topic.creation.default.replication.factor": "-1",
		"topic.creation.default.cleanup.policy":     "compact",
		"topic.creation.groups":                     "large",
		"topic.creation.large.include":              `.*\.big`,
		"topic.creation.large.partitions":           "3",
		"topic.creation.large.retention.ms":         "86400000",
	}))
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.execAll("INSERT INTO t VALUES (1)", "INSERT INTO big VALUES (1)")
	small, large := prefix+"."+d.name+".t", prefix+"."+d.name+".big"
	consume(t, e, 2, 30*time.Second, small, large)
	adm := kadm.NewClient(newKafkaClient(t, e))
	ctx := context.Background()
	rcs, err := adm.DescribeTopicConfigs(ctx, small, large)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rc := range rcs {
		for _, c := range rc.Configs {
			if (c.Key == "cleanup.policy" || c.Key == "retention.ms") && c.Source == kmsg.ConfigSourceDynamicTopicConfig {
				got[rc.Name+" "+c.Key] = c.MaybeValue()
			}
		}
	}
	want := map[string]string{small + " cleanup.policy": "compact", large + " retention.ms": "86400000"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("topic configs set at creation %v, want %v", got, want)
	}
	tds, err := adm.ListTopics(ctx, small, large)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tds[large].Partitions); n != 3 {
		t.Errorf("%s has %d partitions, want the group's 3", large, n)
	}
	sl.Stop()

	// A config the broker refuses stops the connector, naming the group.
	bad := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c2-"+d.name, prefix+"x", d.name, map[string]string{
		"topic.creation.default.partitions": "1", "topic.creation.default.replication.factor": "-1",
		"topic.creation.default.cleanup.policy": "sometimes"}))
	if log := bad.WaitExit(time.Minute); bad.Err == nil || !strings.Contains(log, "correct the topic.creation.default.* properties") {
		t.Errorf("exit %v; want a stop naming topic.creation.default:\n%s", bad.Err, tail(log, 3000))
	}
}

// TestTopicNames: a table's topic is topic.prefix, its database and its
// name joined by topic.delimiter, each character Kafka does not allow in a
// topic name replaced by an underscore (or escaped, with Debezium's Unicode
// strategy); its schema names start with the topic. Debezium 3.5's MariaDB class, run by hand on the same table with
// topic.delimiter=_, wrote the same topic and schema names. Sluice used to
// join them with dots whatever the delimiter, and to keep the $ (a topic
// Kafka refuses).
// decodeRecord unmarshals a JSON record's key and value.
func decodeRecord(t *testing.T, r record, key, value any) {
	t.Helper()
	if err := json.Unmarshal(r.Key, key); err != nil {
		t.Fatalf("the key of a record on %s: %v", r.Topic, err)
	}
	if err := json.Unmarshal(r.Value, value); err != nil {
		t.Fatalf("the value of a record on %s: %v", r.Topic, err)
	}
}

func TestTopicNames(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE `order$items` (id INT PRIMARY KEY)", "INSERT INTO `order$items` VALUES (1)")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"topic.delimiter": "_", "provide.transaction.metadata": "true"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.exec("INSERT INTO `order$items` VALUES (2)")
	topic := prefix + "_" + d.name + "_order_items"
	for _, r := range consume(t, e, 2, 30*time.Second, topic) {
		var key, value struct {
			Schema struct{ Name string }
		}
		decodeRecord(t, r, &key, &value)
		if key.Schema.Name != topic+".Key" || value.Schema.Name != topic+".Envelope" {
			t.Errorf("schema names %q and %q, want %s.Key and %[3]s.Envelope", key.Schema.Name, value.Schema.Name, topic)
		}
	}
	if recs := consume(t, e, 2, 30*time.Second, prefix+"_transaction"); len(recs) != 2 {
		t.Errorf("%d records on %s_transaction, want the insert's BEGIN and END", len(recs), prefix)
	}
	sl.Stop()

	// DefaultUnicodeTopicNamingStrategy escapes the underscores too, as
	// Debezium did by hand (dbz_u005funi.dbz_u005funi.order_u0024items).
	uni := "u" + prefix
	cfg = connectorFile(t, e, "u-"+d.name, uni, d.name, map[string]string{"topic.naming.strategy": "io.debezium.schema.DefaultUnicodeTopicNamingStrategy"})
	sl = startDaemon(t, e, "--log-format", "console", cfg)
	escape := func(s string) string { return strings.ReplaceAll(s, "_", "_u005f") }
	topic = escape(uni) + "." + escape(d.name) + ".order_u0024items"
	if recs := consume(t, e, 2, 30*time.Second, topic); len(recs) != 2 || !strings.Contains(string(recs[0].Value), `"name":"`+topic+`.Envelope"`) {
		t.Errorf("%d records on %s, want the two rows with the schema %[2]s.Envelope", len(recs), topic)
	}
	sl.Stop()

	// DefaultRegexTopicNamingStrategy: two shards to one topic, each key
	// (a keyless table's too) naming its physical table, as Debezium 3.5
	// wrote them by hand (and TestSideBySide's regex pair compares).
	d.execAll("CREATE TABLE orders_01 (id INT PRIMARY KEY, v INT)", "CREATE TABLE orders_02 (id INT, v INT)",
		"INSERT INTO orders_01 VALUES (1, 10)", "INSERT INTO orders_02 VALUES (1, 20)")
	rx := "r" + prefix
	cfg = connectorFile(t, e, "r-"+d.name, rx, d.name, map[string]string{"topic.naming.strategy": "io.debezium.schema.DefaultRegexTopicNamingStrategy",
		"topic.regex": `(.*)\.orders_\d+`, "topic.replacement": "$1.orders"})
	sl = startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.execAll("INSERT INTO orders_02 VALUES (2, 21)", "UPDATE orders_01 SET v = 11 WHERE id = 1")
	routed := rx + "." + d.name + ".orders"
	var got []string
	for _, r := range consume(t, e, 4, 30*time.Second, routed) {
		var key struct {
			Schema struct {
				Name   string
				Fields []struct{ Field string }
			}
			Payload map[string]any
		}
		var value struct {
			Schema  struct{ Name string }
			Payload struct{ Op string }
		}
		decodeRecord(t, r, &key, &value)
		if key.Schema.Name != routed+".Key" || value.Schema.Name != routed+".Envelope" {
			t.Errorf("schema names %q and %q, want %s.Key and %[3]s.Envelope", key.Schema.Name, value.Schema.Name, routed)
		}
		var fields []string
		for _, f := range key.Schema.Fields {
			fields = append(fields, f.Field)
		}
		got = append(got, fmt.Sprintf("%s %s %v", value.Payload.Op, strings.Join(fields, ","), key.Payload["__dbz__physicalTableIdentifier"]))
	}
	slices.Sort(got)
	want := []string{
		"c __dbz__physicalTableIdentifier " + rx + "." + d.name + ".orders_02",
		"r __dbz__physicalTableIdentifier " + rx + "." + d.name + ".orders_02",
		"r id,__dbz__physicalTableIdentifier " + rx + "." + d.name + ".orders_01",
		"u id,__dbz__physicalTableIdentifier " + rx + "." + d.name + ".orders_01",
	}
	if !slices.Equal(got, want) {
		t.Errorf("records on %s:\n%s\nwant\n%s", routed, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A table the regex does not route keeps its topic, and gets the key field.
	if recs := consume(t, e, 2, 30*time.Second, rx+"."+d.name+".order_items"); len(recs) != 2 || !strings.Contains(string(recs[0].Key), `"__dbz__physicalTableIdentifier":"`+rx+"."+d.name+`.order$items"`) {
		t.Errorf("%d records on %s.%s.order_items, want the two rows keyed with their table", len(recs), rx, d.name)
	}
	sl.Stop()
}
