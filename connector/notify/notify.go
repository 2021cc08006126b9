// Package notify is Debezium's sink notification channel
// (notification.enabled.channels=sink): the progress of snapshots written
// as records to notification.sink.topic.name, for a consumer that waits for
// a snapshot to end, as Debezium 3.5 writes them. The records go through the
// reader's queue with its other events, so they pass the same transforms
// and converter, and are in Kafka before the offset that follows them.
package notify

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Aggregate types: what a notification is about.
const (
	InitialSnapshot     = "Initial Snapshot" // also a blocking snapshot, as in Debezium
	IncrementalSnapshot = "Incremental Snapshot"
)

// Notification types.
const (
	Started            = "STARTED"
	InProgress         = "IN_PROGRESS"
	TableScanCompleted = "TABLE_SCAN_COMPLETED"
	Completed          = "COMPLETED"
	Paused             = "PAUSED"
	Resumed            = "RESUMED"
	Aborted            = "ABORTED"
	Skipped            = "SKIPPED" // a start that takes no initial snapshot
)

// Statuses of a TABLE_SCAN_COMPLETED.
const (
	Succeeded    = "SUCCEEDED"
	Empty        = "EMPTY"
	NoPrimaryKey = "NO_PRIMARY_KEY"
)

// Debezium's notification schemas (SinkNotificationChannel), version 1.
var (
	keySchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.NotificationKey", Version: 1,
		Fields: []change.Field{{Name: "id", Schema: &change.Schema{Type: change.String}}}}
	valueSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.Notification", Version: 1,
		Fields: []change.Field{
			{Name: "id", Schema: &change.Schema{Type: change.String}},
			{Name: "type", Schema: &change.Schema{Type: change.String}},
			{Name: "aggregate_type", Schema: &change.Schema{Type: change.String}},
			{Name: "additional_data", Schema: &change.Schema{Type: change.Map, Optional: true,
				Keys: &change.Schema{Type: change.String}, Values: &change.Schema{Type: change.String}}},
			{Name: "timestamp", Schema: &change.Schema{Type: change.Int64}},
		}}
)

// Sink writes notifications for one connector. A nil *Sink (the channel
// off) writes none, so callers need not check.
type Sink struct {
	topic     string
	connector string // topic.prefix: Debezium's connector_name is its logical name
	now       func() time.Time
}

// ParseConfig returns the sink channel of a connector's properties, nil
// when notification.enabled.channels does not name it. Other channels are
// the config package's to accept or refuse.
func ParseConfig(raw map[string]string, topicPrefix string) (*Sink, error) {
	var on bool
	for _, ch := range strings.Split(raw["notification.enabled.channels"], ",") {
		on = on || strings.EqualFold(strings.TrimSpace(ch), "sink")
	}
	if !on {
		return nil, nil
	}
	topic := strings.TrimSpace(raw["notification.sink.topic.name"])
	if topic == "" {
		return nil, errors.New(`property "notification.sink.topic.name" is required with the sink notification channel: name the topic notifications are written to`)
	}
	return &Sink{topic: topic, connector: topicPrefix, now: time.Now}, nil
}

// Append adds a notification to batch as a finished record: id, then the
// additional data as key and value pairs (connector_name is added).
func (s *Sink) Append(batch []change.Event, id, aggregate, typ string, data ...string) []change.Event {
	if s == nil {
		return batch
	}
	entries := make([]change.MapEntry, 0, len(data)/2+1)
	entries = append(entries, change.MapEntry{Key: "connector_name", Value: s.connector})
	for i := 0; i+1 < len(data); i += 2 {
		entries = append(entries, change.MapEntry{Key: data[i], Value: data[i+1]})
	}
	javaOrder(entries)
	rec := &change.Record{Topic: s.topic,
		KeySchema: keySchema, Key: &change.Value{Schema: keySchema, Values: []any{id}},
		ValueSchema: valueSchema, Value: &change.Value{Schema: valueSchema,
			Values: []any{id, typ, aggregate, entries, s.now().UnixMilli()}},
		NoTaskHeaders: true} // as Debezium's SinkNotificationChannel writes it
	return append(batch, change.Event{Kind: change.KindRecord, Record: rec})
}

// NewID is a random UUID, the id of a notification that no signal names
// (the initial snapshot's, an abort's), as Debezium's UUID.randomUUID().
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// javaOrder puts the additional data in the order Debezium's records show
// it: a java.util.HashMap's iteration order (by bucket of the key's String
// hash, 16 buckets for these few keys; in a bucket, data_collections was
// put last), except last_processed_key, which comes last. Consumers read it
// as a map; the order makes the records byte for byte Debezium's.
func javaOrder(entries []change.MapEntry) {
	if i := slices.IndexFunc(entries, func(e change.MapEntry) bool { return e.Key == "data_collections" }); i >= 0 {
		dc := entries[i]
		entries = append(entries[:i], entries[i+1:]...)
		entries = append(entries, dc)
	}
	bucket := func(e change.MapEntry) int {
		k, _ := e.Key.(string)
		if k == "last_processed_key" {
			return 1 << 30
		}
		return javaBucket(k, 16)
	}
	slices.SortStableFunc(entries, func(a, b change.MapEntry) int { return bucket(a) - bucket(b) })
}

// HashSetOrder is names in the iteration order of a java.util.HashSet of
// Debezium's TableIds (their hash is the "db.table" string's), which is the
// order of the data_collections of an initial snapshot's IN_PROGRESS.
func HashSetOrder(names []string) []string {
	buckets := 16
	for float64(len(names)) > 0.75*float64(buckets) {
		buckets *= 2
	}
	out := slices.Clone(names)
	slices.SortStableFunc(out, func(a, b string) int {
		return javaBucket(a, buckets) - javaBucket(b, buckets)
	})
	return out
}

func javaBucket(s string, buckets int) int {
	var h int32
	for _, c := range s {
		if c >= 0x10000 { // a UTF-16 surrogate pair
			c -= 0x10000
			h = 31*h + int32(0xd800+(c>>10))
			c = 0xdc00 + c&0x3ff
		}
		h = 31*h + int32(c)
	}
	u := uint32(h)
	return int((u ^ u>>16) & uint32(buckets-1))
}
