package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/offsets"
)

// TestExternalSignalChannels sends signals through Debezium's Kafka and
// file channels (signal.enabled.channels=source,kafka,file) to a daemon
// streaming an idle database: an incremental snapshot asked on the signal
// topic (with the record key Debezium requires, the topic prefix; one
// with another key is skipped) before any transaction is read is taken at
// the next server heartbeat, a
// blocking snapshot and a log message written to the signal file are
// acted on, and at the stop the consumer group's offset is committed past
// the signal acted on.
func TestExternalSignalChannels(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	snapshotTable(t, d, 20)
	d.exec("CREATE TABLE u (id INT PRIMARY KEY)")
	d.exec("INSERT INTO u VALUES (1), (2), (3)")
	signalTable(d)
	prefix := "e2e" + d.name[4:]
	group := "g-" + d.name
	file := filepath.Join(t.TempDir(), "signals.txt")
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "no_data", "signal.data.collection": d.name + ".debezium_signal",
		"incremental.snapshot.chunk.size": "8",
		"signal.enabled.channels":         "source,kafka,file",
		"signal.kafka.groupId":            group,
		"signal.file":                     file,
		"signal.poll.interval.ms":         "200",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	sl.WaitLog("reading signals from the Kafka signal channel", 30*time.Second)
	uTopic, tTopic := prefix+"."+d.name+".u", prefix+"."+d.name+".t"
	// No transaction is read before the signal: it is taken at a server
	// heartbeat, at the stream's start position.

	// The topic is made after the daemon started reading it, as a user
	// may make it: the channel keeps trying meanwhile.
	cl := newKafkaClient(t, e, kgo.DefaultProduceTopic(prefix+"-signal"))
	adm := kadm.NewClient(cl)
	if _, err := adm.CreateTopic(context.Background(), 1, -1, nil, prefix+"-signal"); err != nil {
		t.Fatalf("creating the signal topic: %v", err)
	}
	for _, r := range []*kgo.Record{
		{Key: []byte("another-connector"), Value: []byte(`{"id": "k0", "type": "log", "data": {"message": "not for this connector"}}`)},
		{Key: []byte(prefix), Value: []byte(fmt.Sprintf(`{"id": "k1", "type": "execute-snapshot", "data": {"data-collections": ["%s.t"], "type": "incremental"}}`, d.name))},
	} {
		if err := cl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatalf("producing a signal: %v", err)
		}
	}
	sl.WaitLog("on-demand snapshot finished", 90*time.Second)
	reads := 0
	for _, r := range consume(t, e, 20, 30*time.Second, tTopic) {
		if payload(t, r.Value)["op"] == "r" {
			reads++
		}
	}
	if reads != 20 {
		t.Errorf("%d read events of t after the Kafka signal, want 20", reads)
	}
	d.exec("INSERT INTO u VALUES (4)")
	consume(t, e, 1, 30*time.Second, uTopic)

	line := fmt.Sprintf(`{"id": "f1", "type": "execute-snapshot", "data": {"data-collections": ["%s.u"], "type": "blocking"}}`+"\n"+
		`{"id": "f2", "type": "log", "data": {"message": "hello from the signal file"}}`+"\n", d.name)
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	sl.WaitLog("hello from the signal file", 30*time.Second)
	sl.WaitLog("blocking snapshot finished", 60*time.Second)
	ops := map[string]int{}
	for _, r := range consume(t, e, 5, 30*time.Second, uTopic) {
		ops[fmt.Sprint(payload(t, r.Value)["op"])]++
	}
	if ops["c"] != 1 || ops["r"] != 4 {
		t.Errorf("records of u %v; want its insert and 4 read events of the blocking snapshot", ops)
	}
	if b, _ := os.ReadFile(file); len(b) != 0 {
		t.Errorf("the signal file was not emptied: %q", b)
	}
	if strings.Contains(sl.Stderr.String(), "not for this connector") {
		t.Error("a signal keyed for another connector was acted on")
	}

	sl.Stop()
	resp, err := adm.FetchOffsets(context.Background(), group)
	if o, ok := resp.Lookup(prefix+"-signal", 0); err != nil || !ok || o.At != 2 {
		t.Errorf("group %s's offset on the signal topic after the stop: %+v (found %v, %v); want 2, past the signal acted on", group, o, ok, err)
	}
}

// TestOnDemandSnapshotReadOnly runs an on-demand snapshot with read.only,
// as on a read replica: no signal table exists (a watermark write would
// fail), the signal comes through the Kafka channel, and each chunk is
// bounded by the server's GTID positions around its SELECT while churn
// changes the table; the table rebuilt from Kafka equals the database's.
// A second snapshot, of a table on the then idle server, runs its chunks
// one after another without waiting for transactions or heartbeats.
func TestOnDemandSnapshotReadOnly(t *testing.T) {
	for _, class := range []string{"io.debezium.connector.mariadb.MariaDbConnector", "io.debezium.connector.mysql.MySqlConnector"} {
		t.Run(class[strings.LastIndex(class, ".")+1:], func(t *testing.T) { readOnlySnapshot(t, class) })
	}
}

// readOnlySnapshot is TestOnDemandSnapshotReadOnly with one connector
// class: Debezium's MySQL class reads MariaDB's binlog by file and
// position and shows no GTIDs, and Sluice's watermarks still use them.
func readOnlySnapshot(t *testing.T, class string) {
	e := needServers(t)
	d := newDB(t, e)
	rows := 20_000
	snapshotTable(t, d, rows)
	d.exec("CREATE TABLE u (id INT PRIMARY KEY)")
	d.exec("INSERT INTO u SELECT seq FROM seq_1_to_5000")
	group := "g-" + d.name
	var send func(id, table string)
	sl, prefix := churnedOnDemand(t, e, d, rows, map[string]string{
		"read.only": "true", "signal.enabled.channels": "source,kafka", "signal.kafka.groupId": group,
		"incremental.snapshot.chunk.size": "500", "connector.class": class,
	}, func(prefix string) {
		cl := newKafkaClient(t, e, kgo.DefaultProduceTopic(prefix+"-signal"))
		if _, err := kadm.NewClient(cl).CreateTopic(context.Background(), 1, -1, nil, prefix+"-signal"); err != nil {
			t.Fatalf("creating the signal topic: %v", err)
		}
		send = func(id, table string) {
			v := fmt.Sprintf(`{"id": "%s", "type": "execute-snapshot", "data": {"data-collections": ["%s.%s"]}}`, id, d.name, table)
			if err := cl.ProduceSync(context.Background(), &kgo.Record{Key: []byte(prefix), Value: []byte(v)}).FirstErr(); err != nil {
				t.Fatalf("producing a signal: %v", err)
			}
		}
		send("ro-1", "t")
	})
	if n := d.str("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); n != "2" {
		t.Errorf("%s tables in the database, want t and u alone", n)
	}

	began := time.Now()
	send("ro-2", "u")
	waitLogCount(t, sl, "on-demand snapshot finished", 2, time.Minute) // the idle server's, of u: ten chunks
	t.Logf("5,000 rows in 10 chunks on an idle server in %v", time.Since(began).Round(time.Millisecond))
	if n := len(consume(t, e, 5000, 30*time.Second, prefix+"."+d.name+".u")); n != 5000 {
		t.Errorf("%d records of u, want its 5000 rows", n)
	}
	sl.Stop()
}

// TestTakeOverDebeziumIncrementalSnapshot starts Sluice from an offset in
// the form Debezium 3.5.0.Final stored in the middle of an incremental
// snapshot (the fields as the real connector wrote them, its last key a
// Java-serialized Object[]): Sluice goes on with that snapshot after that
// key, with its additional condition, instead of dropping it. One key is a
// string and a BIGINT UNSIGNED above 2^63 (a BigInteger; Debezium's own
// offsets held a string key), the other a TIME(3) (a java.time.Duration,
// the bytes Debezium's MariaDB connector stored when stopped in the middle
// of such a table): the row of the last key itself is not read again only
// if the key is read right.
func TestTakeOverDebeziumIncrementalSnapshot(t *testing.T) {
	for _, c := range []struct {
		name, ddl, fill, cond string
		pk, max               string // Debezium's hex
		last                  string // the last key's row, as a WHERE condition's left side and right
		after                 func(row map[string]any) bool
	}{
		{name: "varchar and unsigned",
			ddl:  "CREATE TABLE b (k VARCHAR(10), u BIGINT UNSIGNED, v INT, PRIMARY KEY (k, u))",
			fill: "INSERT INTO b SELECT CONCAT('k', seq), 9223372036854775807 + seq, seq % 5 FROM seq_1_to_30000",
			cond: "(v > 2)",
			// Java's serialized Object[]{"k26587", BigInteger 9223372036854802394}
			// and Debezium's Object[]{"k9999"}.
			pk:    "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000027400066b3236353837737200146a6176612e6d6174682e426967496e74656765728cfc9f1fa93bfb1d030006490008626974436f756e744900096269744c656e67746849001366697273744e6f6e7a65726f427974654e756d49000c6c6f776573745365744269744900067369676e756d5b00096d61676e69747564657400025b42787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870fffffffffffffffffffffffefffffffe00000001757200025b42acf317f8060854e002000078700000000880000000000067da78",
			max:   "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000017400056b39393939",
			last:  "k > 'k26587'",
			after: func(row map[string]any) bool { k, _ := row["k"].(string); return k > "k26587" }},
		{name: "time",
			ddl:  "CREATE TABLE b (k TIME(3) PRIMARY KEY, v INT)",
			fill: "INSERT INTO b SELECT SEC_TO_TIME(seq + 0.25), seq % 5 FROM seq_1_to_30000",
			cond: "(v > 2)",
			// Duration 4708.25 s (01:18:28.250) and 30000.25 s.
			pk:   "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000017372000d6a6176612e74696d652e536572955d84ba1b2248b20c00007870770d0100000000000012640ee6b28078",
			max:  "aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c0200007870000000017372000d6a6176612e74696d652e536572955d84ba1b2248b20c00007870770d0100000000000075300ee6b28078",
			last: "k > '01:18:28.250'",
			// TIME(3) is microseconds in the record (time.precision.mode adaptive_time_microseconds).
			after: func(row map[string]any) bool { k, _ := row["k"].(float64); return k > 4708.25e6 }},
	} {
		t.Run(c.name, func(t *testing.T) { takeOverIncremental(t, c.ddl, c.fill, c.cond, c.pk, c.max, c.last, c.after) })
	}
}

func takeOverIncremental(t *testing.T, ddl, fill, cond, pk, max, last string, after func(map[string]any) bool) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec(ddl)
	d.exec(fill)
	signalTable(d)
	prefix, name := "e2e"+d.name[4:], "c-"+d.name
	colls, _ := json.Marshal([]map[string]any{{"incremental_snapshot_collections_id": d.name + ".b",
		"incremental_snapshot_collections_additional_condition": cond, "incremental_snapshot_collections_surrogate_key": nil}})
	at := d.exec("SHOW MASTER STATUS")
	file, _ := at.GetString(0, 0)
	pos, _ := at.GetInt(0, 1)
	value, _ := json.Marshal(map[string]any{
		"ts_sec": time.Now().Unix(), "file": file, "pos": pos,
		"gtids": d.str("SELECT @@GLOBAL.gtid_binlog_pos"), "row": 0, "server_id": 1, "event": 0, "snapshot": "INCREMENTAL",
		"incremental_snapshot_correlation_id": "dbz-1",
		"incremental_snapshot_collections":    string(colls),
		"incremental_snapshot_primary_key":    pk,
		"incremental_snapshot_maximum_key":    max,
	})
	commitOffset(t, e.kafka, offsets.Key(name, prefix), value)
	cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"snapshot.mode": "recovery", "signal.data.collection": d.name + ".debezium_signal",
		"incremental.snapshot.chunk.size": "1000",
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("taking over the incremental snapshot Debezium had under way", 30*time.Second)
	sl.WaitLog("on-demand snapshot finished", 2*time.Minute)
	want, _ := strconv.Atoi(d.str("SELECT COUNT(*) FROM b WHERE " + last + " AND " + cond))
	reads := 0
	for _, r := range consume(t, e, want, 30*time.Second, prefix+"."+d.name+".b") {
		p := payload(t, r.Value)
		row, _ := p["after"].(map[string]any)
		if p["op"] != "r" || !after(row) {
			t.Fatalf("record %s %v: want only read events after Debezium's last key (%s)", p["op"], row, last)
		}
		reads++
	}
	if reads != want {
		t.Errorf("%d read events of b, want the %d rows where %s and %s", reads, want, last, cond)
	}
	sl.Stop()
}
