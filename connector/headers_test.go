package connector

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/header"
)

func headerConnector(t *testing.T, extra string) *config.Connector {
	t.Helper()
	c, _, err := config.ParseConnector([]byte(`{"name":"x","config":{"connector.class":"io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname":"h","database.user":"u","database.server.id":"1","topic.prefix":"inv"`+extra+`}}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The headers Debezium 3.5 writes, in its order, after the record's own
// (as read from its records with kcat).
func TestContextHeadersFollowTheRecordsOwn(t *testing.T) {
	hs, err := contextHeaders(headerConnector(t, ""), 0)
	if err != nil {
		t.Fatal(err)
	}
	recs := []change.Record{{Topic: "a"}, {Topic: "b", Headers: []change.Header{{Key: headerNewKey, Schema: headerString, Value: "k"}}}}
	withHeaders(recs, hs)
	var got []string
	for _, h := range recs[1].Headers {
		got = append(got, h.Key+"="+string(header.String(h.Schema, h.Value)))
	}
	want := "__debezium.newkey=k __debezium.context.connectorLogicalName=inv __debezium.context.taskId=0 __debezium.context.connectorName=mariadb __debezium.context.runId="
	if !strings.HasPrefix(strings.Join(got, " "), want) {
		t.Fatalf("headers %v\nwant prefix %s", got, want)
	}
	if len(recs[0].Headers) != 4 {
		t.Fatalf("a record without headers got %d", len(recs[0].Headers))
	}
	if v4 := recs[1].Headers[4].Value.(string); !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(v4) {
		t.Fatalf("run id %q is not a UUIDv7", v4)
	}
	off, err := contextHeaders(headerConnector(t, `,"extended.headers.enabled":"false"`), 0)
	if err != nil || off != nil {
		t.Fatalf("extended.headers.enabled=false: %v, %v", off, err)
	}
	if _, err := contextHeaders(headerConnector(t, `,"extended.headers.enabled":"maybe"`), 0); err == nil || !strings.Contains(err.Error(), "extended.headers.enabled") {
		t.Fatalf("bad boolean: %v", err)
	}
}

func TestUUIDv7CarriesTheTime(t *testing.T) {
	at := time.UnixMilli(0x0123456789ab)
	id, err := uuidV7(at)
	if err != nil || !strings.HasPrefix(id, "01234567-89ab-7") {
		t.Fatalf("uuid %q, %v", id, err)
	}
}

// Keyed records go where Kafka's Java default partitioner puts them; a
// fixed-partition record (a schema change event) to its own partition.
func TestPartitionerHonoursFixedPartitions(t *testing.T) {
	tp := Partitioner().ForTopic("t")
	key := []byte(`{"id":1}`)
	want := kgo.StickyKeyPartitioner(nil).ForTopic("t").Partition(&kgo.Record{Key: key}, 25)
	if got := tp.Partition(&kgo.Record{Key: key}, 25); got != want {
		t.Fatalf("keyed record in %d, want murmur2's %d", got, want)
	}
	r := &kgo.Record{Key: key, Partition: 0, Context: fixedPartition}
	if want == 0 {
		t.Fatal("pick a key that does not hash to 0")
	}
	if got := tp.Partition(r, 25); got != 0 || !tp.RequiresConsistency(r) {
		t.Fatalf("fixed record in %d", got)
	}
}
