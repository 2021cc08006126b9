package main

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sluice-cdc/sluice/connector/notify"
)

// TestSinkNotifications turns on Debezium's sink notification channel
// (notification.enabled.channels=sink) and checks the records on its topic:
// the initial snapshot's (each under a random id; a table's start and its
// end with the rows read), then those of an incremental snapshot signalled
// through the signal table (under the signal's id; a chunk's last and the
// table's largest key, and the statuses of a table read, an empty one and
// one without a key), as Debezium 3.5.0.Final writes them. The signal
// table's row is not read by the snapshot, nor listed while it runs.
func TestSinkNotifications(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE a (id INT PRIMARY KEY, v INT)", "INSERT INTO a VALUES (1, 1), (2, 2), (3, 3)",
		"CREATE TABLE e (id INT PRIMARY KEY)", "CREATE TABLE n (v INT)", "INSERT INTO n VALUES (1), (2)")
	signalTable(d)
	d.exec(`INSERT INTO debezium_signal VALUES ('before', 'log', '{"message": "before the start"}')`)
	prefix := "e2e" + d.name[4:]
	topic := prefix + "-notes"
	// One partition keeps the notifications in the order they were written.
	adm := kadm.NewClient(newKafkaClient(t, e))
	if _, err := adm.CreateTopic(context.Background(), 1, -1, nil, topic); err != nil {
		t.Fatalf("creating the notification topic: %v", err)
	}
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false",
		"signal.data.collection":          d.name + ".debezium_signal",
		"incremental.snapshot.chunk.size": "2",
		"notification.enabled.channels":   "log,sink",
		"notification.sink.topic.name":    topic,
	})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 60*time.Second)
	d.exec(fmt.Sprintf(`INSERT INTO debezium_signal VALUES ('inc-1', 'execute-snapshot', '{"data-collections": ["%[1]s.a", "%[1]s.e", "%[1]s.n"]}')`, d.name))
	sl.WaitLog("on-demand snapshot finished", 60*time.Second)

	a, ee, n, sig := d.name+".a", d.name+".e", d.name+".n", d.name+".debezium_signal"
	inSnapshot := strings.Join(notify.HashSetOrder([]string{a, ee, n}), ",")
	captured := strings.Join([]string{a, sig, ee, n}, ",") // sorted, as Debezium's list
	incr := strings.Join([]string{a, ee, n}, ",")
	initial := func(typ string, data ...string) string { return note("uuid", typ, "Initial Snapshot", data...) }
	incremental := func(typ string, data ...string) string {
		return note("inc-1", typ, "Incremental Snapshot", data...)
	}
	want := []string{
		initial("STARTED"),
		initial("IN_PROGRESS", "current_collection_in_progress", a, "data_collections", inSnapshot),
		initial("TABLE_SCAN_COMPLETED", "scanned_collection", a, "data_collections", captured, "total_rows_scanned", "3", "status", "SUCCEEDED"),
		initial("IN_PROGRESS", "current_collection_in_progress", ee, "data_collections", inSnapshot),
		initial("TABLE_SCAN_COMPLETED", "scanned_collection", ee, "data_collections", captured, "total_rows_scanned", "0", "status", "SUCCEEDED"),
		initial("IN_PROGRESS", "current_collection_in_progress", n, "data_collections", inSnapshot),
		initial("TABLE_SCAN_COMPLETED", "scanned_collection", n, "data_collections", captured, "total_rows_scanned", "2", "status", "SUCCEEDED"),
		initial("COMPLETED"),
		incremental("STARTED", "data_collections", incr),
		incremental("IN_PROGRESS", "current_collection_in_progress", a, "data_collections", incr, "maximum_key", "3", "last_processed_key", "2"),
		incremental("IN_PROGRESS", "current_collection_in_progress", a, "data_collections", incr, "maximum_key", "3", "last_processed_key", "3"),
		incremental("TABLE_SCAN_COMPLETED", "scanned_collection", a, "data_collections", incr, "total_rows_scanned", "3", "status", "SUCCEEDED"),
		incremental("TABLE_SCAN_COMPLETED", "scanned_collection", ee, "data_collections", ee+","+n, "total_rows_scanned", "0", "status", "EMPTY"),
		incremental("TABLE_SCAN_COMPLETED", "scanned_collection", n, "data_collections", n, "total_rows_scanned", "0", "status", "NO_PRIMARY_KEY"),
		incremental("COMPLETED"),
	}
	var got []string
	for _, r := range consume(t, e, len(want), 30*time.Second, topic) {
		p := payload(t, r.Value)
		id, _ := p["id"].(string)
		if k := payload(t, r.Key); k["id"] != id {
			t.Errorf("key %v, want the notification's id %s", k, id)
		}
		if len(id) == 36 && id != "inc-1" {
			id = "uuid"
		}
		if ts, _ := p["timestamp"].(float64); time.Since(time.UnixMilli(int64(ts))) > 5*time.Minute {
			t.Errorf("timestamp %v is not the notification's time", p["timestamp"])
		}
		var data []string
		for k, v := range p["additional_data"].(map[string]any) {
			if k != "connector_name" {
				data = append(data, k, fmt.Sprint(v))
			} else if v != prefix {
				t.Errorf("connector_name %v, want the topic prefix %s", v, prefix)
			}
		}
		got = append(got, note(id, fmt.Sprint(p["type"]), fmt.Sprint(p["aggregate_type"]), data...))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notifications:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	sl.Stop()

	// A restart takes no snapshot, and says so: SKIPPED, as Debezium's
	// restart does (seen on its MariaDB connector).
	sl = startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 60*time.Second)
	seen := len(want)
	expectInitial(t, consume(t, e, seen+1, 30*time.Second, topic)[seen:], prefix, "SKIPPED")
	seen++
	sl.Stop()

	// A first start that reads the structure alone (no_data) notifies a
	// start and an end, as Debezium's does.
	cfg = connectorFile(t, e, "c2-"+d.name, prefix+"b", d.name, map[string]string{
		"snapshot.mode":                 "no_data",
		"notification.enabled.channels": "sink", "notification.sink.topic.name": topic,
	})
	sl = startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 60*time.Second)
	expectInitial(t, consume(t, e, seen+2, 30*time.Second, topic)[seen:], prefix+"b", "STARTED", "COMPLETED")
	sl.Stop()
}

// expectInitial checks that recs are the initial snapshot's notifications
// of types, in that order, from the connector of topic prefix connector.
func expectInitial(t *testing.T, recs []record, connector string, types ...string) {
	t.Helper()
	if len(recs) != len(types) {
		t.Fatalf("%d notifications, want %d (%v)", len(recs), len(types), types)
	}
	for n, typ := range types {
		p := payload(t, recs[n].Value)
		if p["type"] != typ || p["aggregate_type"] != "Initial Snapshot" || p["additional_data"].(map[string]any)["connector_name"] != connector {
			t.Errorf("notification %d %v, want %s of the initial snapshot of %s", n, p, typ, connector)
		}
	}
}

// note renders a notification with its additional data sorted by key.
func note(id, typ, aggregate string, data ...string) string {
	var kv []string
	for i := 0; i+1 < len(data); i += 2 {
		kv = append(kv, data[i]+"="+data[i+1])
	}
	slices.Sort(kv)
	return fmt.Sprintf("%s %s %s %v", id, typ, aggregate, kv)
}
