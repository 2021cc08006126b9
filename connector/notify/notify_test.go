package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

// The records Debezium 3.5.0.Final's MariaDB connector wrote to its
// notification topic (JsonConverter, schemas on), captured from the real
// connector; the same notifications from Sluice convert to the same bytes.
const (
	dbzKey = `{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"}],"optional":false,"name":"io.debezium.connector.common.NotificationKey","version":1},"payload":{"id":"s-c"}}`

	dbzValueSchema = `{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},{"type":"string","optional":false,"field":"type"},{"type":"string","optional":false,"field":"aggregate_type"},{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"string","optional":false},"optional":true,"field":"additional_data"},{"type":"int64","optional":false,"field":"timestamp"}],"optional":false,"name":"io.debezium.connector.common.Notification","version":1},"payload":`
)

func TestRecordsAsDebeziumWritesThem(t *testing.T) {
	conv, err := jsonconv.New(jsonconv.Config{SchemasEnable: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseConfig(map[string]string{"notification.enabled.channels": "log, sink", "notification.sink.topic.name": "notes"}, "dbznote2")
	if err != nil || s == nil {
		t.Fatalf("ParseConfig: %v, %v", s, err)
	}
	s.now = func() time.Time { return time.UnixMilli(1796510894887) }
	for _, c := range []struct {
		id, agg, typ string
		data         []string
		want         string
	}{
		{"s-c", IncrementalSnapshot, InProgress,
			[]string{"current_collection_in_progress", "dbznote.c", "data_collections", "dbznote.c,dbznote.e,dbznote.nopk", "maximum_key", "k999,999", "last_processed_key", "k1899,1899"},
			`{"id":"s-c","type":"IN_PROGRESS","aggregate_type":"Incremental Snapshot","additional_data":{"current_collection_in_progress":"dbznote.c","connector_name":"dbznote2","maximum_key":"k999,999","data_collections":"dbznote.c,dbznote.e,dbznote.nopk","last_processed_key":"k1899,1899"},"timestamp":1796510894887}`},
		{"s-c", IncrementalSnapshot, TableScanCompleted,
			[]string{"data_collections", "dbznote.e,dbznote.nopk", "scanned_collection", "dbznote.e", "total_rows_scanned", "0", "status", Empty},
			`{"id":"s-c","type":"TABLE_SCAN_COMPLETED","aggregate_type":"Incremental Snapshot","additional_data":{"scanned_collection":"dbznote.e","connector_name":"dbznote2","total_rows_scanned":"0","status":"EMPTY","data_collections":"dbznote.e,dbznote.nopk"},"timestamp":1796510894887}`},
		{"s-c", IncrementalSnapshot, Completed, nil,
			`{"id":"s-c","type":"COMPLETED","aggregate_type":"Incremental Snapshot","additional_data":{"connector_name":"dbznote2"},"timestamp":1796510894887}`},
		{"s-c", InitialSnapshot, InProgress, []string{"data_collections", "dbznote.b", "current_collection_in_progress", "dbznote.b"},
			`{"id":"s-c","type":"IN_PROGRESS","aggregate_type":"Initial Snapshot","additional_data":{"current_collection_in_progress":"dbznote.b","connector_name":"dbznote2","data_collections":"dbznote.b"},"timestamp":1796510894887}`},
	} {
		evs := s.Append(nil, c.id, c.agg, c.typ, c.data...)
		if len(evs) != 1 || evs[0].Kind != change.KindRecord || evs[0].Record.Topic != "notes" {
			t.Fatalf("%s: %+v", c.typ, evs)
		}
		r := evs[0].Record
		key, err := conv.Convert(context.Background(), r.Topic, r.KeySchema, r.Key)
		if err != nil || string(key) != dbzKey {
			t.Errorf("key %s, %v; want %s", key, err, dbzKey)
		}
		value, err := conv.Convert(context.Background(), r.Topic, r.ValueSchema, r.Value)
		if want := dbzValueSchema + c.want + "}"; err != nil || string(value) != want {
			t.Errorf("%s value\n %s, %v; want\n %s", c.typ, value, err, want)
		}
	}
	var off *Sink
	if evs := off.Append(nil, "x", InitialSnapshot, Started); len(evs) != 0 {
		t.Errorf("a nil sink wrote %v", evs)
	}
}

func TestParseConfig(t *testing.T) {
	if s, err := ParseConfig(map[string]string{"notification.enabled.channels": "log"}, "p"); s != nil || err != nil {
		t.Errorf("log only: %v, %v", s, err)
	}
	_, err := ParseConfig(map[string]string{"notification.enabled.channels": "sink"}, "p")
	if err == nil || !strings.Contains(err.Error(), "notification.sink.topic.name") {
		t.Errorf("sink without a topic: %v", err)
	}
}

// The data_collections of Debezium's initial snapshot IN_PROGRESS, as
// captured: a HashSet's order.
func TestHashSetOrder(t *testing.T) {
	got := HashSetOrder([]string{"dbznote.a", "dbznote.b", "dbznote.c", "dbznote.e", "dbznote.nopk"})
	if want := "dbznote.e,dbznote.b,dbznote.c,dbznote.a,dbznote.nopk"; strings.Join(got, ",") != want {
		t.Errorf("%v, want %s", got, want)
	}
	if got := HashSetOrder([]string{"dbznote.a", "dbznote.b"}); strings.Join(got, ",") != "dbznote.b,dbznote.a" {
		t.Errorf("%v", got)
	}
}

func TestNewID(t *testing.T) {
	a, b := NewID(), NewID()
	if a == b || len(a) != 36 || a[14] != '4' || strings.Count(a, "-") != 4 {
		t.Errorf("ids %s %s", a, b)
	}
}
