package connector

import (
	"bytes"
	"sort"
	"strconv"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// Debezium's transaction metadata schemas (SchemaFactory), version 1 each.
var (
	txKeySchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.TransactionMetadataKey", Version: 1,
		Fields: []change.Field{{Name: "id", Schema: &change.Schema{Type: change.String}}}}
	txCollectionSchema = &change.Schema{Type: change.Struct, Optional: true, Name: "event.collection", Version: 1, Fields: []change.Field{
		{Name: "data_collection", Schema: &change.Schema{Type: change.String}},
		{Name: "event_count", Schema: &change.Schema{Type: change.Int64}},
	}}
	txValueSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.TransactionMetadataValue", Version: 1, Fields: []change.Field{
		{Name: "status", Schema: &change.Schema{Type: change.String}},
		{Name: "id", Schema: &change.Schema{Type: change.String}},
		{Name: "event_count", Schema: &change.Schema{Type: change.Int64, Optional: true}},
		{Name: "data_collections", Schema: &change.Schema{Type: change.Array, Optional: true, Items: txCollectionSchema}},
		{Name: "ts_ms", Schema: &change.Schema{Type: change.Int64}},
	}}
)

// txMonitor is Debezium's TransactionMonitor and TransactionContext for
// provide.transaction.metadata: it writes a BEGIN record where a source
// transaction starts, an END record with the per-table counts where it
// ends, and the envelope's transaction block into every data record
// between. It keeps Debezium's quirks, since consumers see them: a
// transaction is open from its start event whether or not it touches a
// captured table (so uncaptured ones get BEGIN and END with no events),
// and one that never ends (a MariaDB DDL opens one with its GTID) is
// replaced by the next start without an END. Poller goroutine only.
type txMonitor struct {
	topic      string
	collection func(e *change.Event) string // nil: "<database>.<table>"
	id         string                       // the open transaction; "" when none is
	total      int64
	// counts are the open transaction's events per table, in Debezium's
	// order (a Java HashMap's, see javaOrder).
	counts javaOrder
}

// begin opens a transaction and returns its BEGIN record.
func (m *txMonitor) begin(id string, tsMs int64) change.Record {
	m.reset()
	m.id = id
	return m.record("BEGIN", tsMs, nil, nil)
}

// end closes the open transaction, returning its END record if one is open.
func (m *txMonitor) end(tsMs int64, out []change.Record) []change.Record {
	if m.id == "" {
		return out
	}
	var cols []any
	for _, name := range m.counts.names() {
		cols = append(cols, &change.Value{Schema: txCollectionSchema, Values: []any{name, m.counts.n[name]}})
	}
	if cols == nil {
		cols = []any{} // Debezium writes an empty list, not null
	}
	out = append(out, m.record("END", tsMs, m.total, cols))
	m.reset()
	return out
}

func (m *txMonitor) reset() {
	m.id, m.total = "", 0
	m.counts.clear()
}

func (m *txMonitor) record(status string, tsMs int64, count any, cols any) change.Record {
	key := &change.Value{Schema: txKeySchema, Values: []any{m.id}}
	val := &change.Value{Schema: txValueSchema, Values: []any{status, m.id, count, cols, tsMs}}
	if cols == nil {
		val.Values[3] = nil
	}
	return change.Record{Topic: m.topic, KeySchema: txKeySchema, Key: key, ValueSchema: txValueSchema, Value: val}
}

// offsetFields is the open transaction as Debezium's TransactionContext
// adds it to the offset of the record it is written with: the id and the
// events per data collection, as JSON object members each followed by a
// comma. Debezium resets the context only after taking the END record's
// offset, so that offset carries the transaction it ends.
func (m *txMonitor) offsetFields() []byte {
	b := append([]byte(`"transaction_id":`), javafmt.AppendJSONString(nil, m.id, true)...)
	b = append(b, ',')
	for _, name := range m.counts.names() {
		b = javafmt.AppendJSONString(b, "transaction_data_collection_order_"+name, true)
		b = append(b, ':')
		b = strconv.AppendInt(b, m.counts.n[name], 10)
		b = append(b, ',')
	}
	return b
}

// txEndOffset is the offset stored with a transaction's END: the
// position's own value (at) and the transaction's fields to add when that
// value is the one stored. A later commit at a position (a heartbeat's, a
// transaction's inside) replaces it, as a later record's offset does in
// Debezium.
type txEndOffset struct {
	at, fields []byte
}

func (t *txEndOffset) apply(value []byte) []byte {
	if t.fields == nil || len(value) < 3 || !bytes.Equal(value, t.at) {
		return value
	}
	out := make([]byte, 0, len(value)+len(t.fields))
	out = append(append(append(out, '{'), t.fields...), value[1:]...)
	return out
}

// data numbers the data records built from one change event: each record
// with a value is one event of the open transaction (a primary-key change
// is two, its delete and its create; tombstones are none). Outside a
// transaction (a snapshot) records keep a null block.
func (m *txMonitor) data(e *change.Event, records []change.Record) {
	if m.id == "" || e.Op == change.OpRead {
		// An on-demand snapshot's read events, written at a transaction's
		// end, are not its events: Debezium leaves their block null and
		// counts them in no END record.
		return
	}
	t := e.Table
	name := t.Database + "." + t.Name
	if m.collection != nil {
		name = m.collection(e)
	}
	for i := range records {
		env, ok := records[i].Value.(*change.Value)
		if !ok || env == nil || env.Schema != t.Envelope {
			continue
		}
		m.total++
		n := m.counts.add(name)
		env.Values[change.EnvTransaction] = &change.Value{Schema: change.TransactionSchema, Values: []any{m.id, m.total, n}}
	}
}

// javaOrder counts per name and lists the names in the order a Java
// HashMap<String, Long> iterates them, which is the order of Debezium's
// END record's data_collections: by bucket (the spread String hash masked
// by the table size), then by insertion within a bucket. Like HashMap's
// clear(), clear keeps the grown table size.
type javaOrder struct {
	n     map[string]int64
	order []string // insertion order
	size  int      // the table size: 16, doubled past 3/4 full
}

func (j *javaOrder) add(name string) int64 {
	if j.n == nil {
		j.n, j.size = map[string]int64{}, 16
	}
	if _, ok := j.n[name]; !ok {
		j.order = append(j.order, name)
		if len(j.order) > j.size*3/4 {
			j.size *= 2
		}
	}
	j.n[name]++
	return j.n[name]
}

func (j *javaOrder) clear() {
	clear(j.n)
	j.order = j.order[:0]
}

func (j *javaOrder) names() []string {
	out := append([]string(nil), j.order...)
	sort.SliceStable(out, func(a, b int) bool { return j.bucket(out[a]) < j.bucket(out[b]) })
	return out
}

func (j *javaOrder) bucket(s string) int32 {
	h := javaStringHash(s)
	h ^= int32(uint32(h) >> 16)
	return h & int32(j.size-1)
}

// javaStringHash is Java's String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}
