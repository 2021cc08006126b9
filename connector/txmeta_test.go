package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// keepProducer keeps what it is given, acknowledging at once unless held.
type keepProducer struct {
	mu      sync.Mutex
	recs    []*kgo.Record
	hold    bool
	pending []func()
}

func (p *keepProducer) Produce(_ context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recs = append(p.recs, kept(r))
	if p.hold {
		p.pending = append(p.pending, func() { done(r, nil) })
		return
	}
	done(r, nil)
}

func (p *keepProducer) Flush(context.Context) error { return nil }

// payloads decodes the produced records' keys and values (schemas.enable=false).
func (p *keepProducer) payloads(t *testing.T) (keys, values []map[string]any) {
	t.Helper()
	for _, r := range p.recs {
		var k, v map[string]any
		if r.Key != nil {
			if err := json.Unmarshal(r.Key, &k); err != nil {
				t.Fatal(err)
			}
		}
		if r.Value != nil {
			if err := json.Unmarshal(r.Value, &v); err != nil {
				t.Fatal(err)
			}
		}
		keys, values = append(keys, k), append(values, v)
	}
	return keys, values
}

func metaPoller(t *testing.T, prod Producer, cfg PollerConfig) *Poller {
	t.Helper()
	conv, err := jsonconv.New(jsonconv.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Queue, cfg.KeyConverter, cfg.ValueConverter, cfg.Producer, cfg.Topics = NewQueue(16, 0), conv, conv, prod, noTopics{}
	cfg.Tombstones = true
	cfg.Queue.Reader(nil)
	return NewPoller(cfg)
}

func rowOf(tbl *change.Table, op change.Op, before, after []any) entry {
	return entry{Event: change.Event{Op: op, Table: tbl, Before: before, After: after,
		Source: &change.Value{Schema: tbl.SourceSpec, Values: []any{nil}}}}
}

// The records of one transaction over two tables, with a primary-key
// change (two events: its delete and its create; the tombstone is none),
// as Debezium's TransactionMonitor writes them.
func TestTransactionMetadataRecords(t *testing.T) {
	prod := &keepProducer{}
	p := metaPoller(t, prod, PollerConfig{TransactionTopic: "p.transaction"})
	other := *rowTable
	other.Name, other.Topic = "u", "u"
	entries := []entry{
		{Event: change.Event{Kind: change.KindBegin, TxID: "0-1-5", TsMs: 1000}},
		rowOf(rowTable, change.OpCreate, nil, []any{int64(1)}),
		rowOf(&other, change.OpCreate, nil, []any{int64(1)}),
		rowOf(rowTable, change.OpUpdate, []any{int64(1)}, []any{int64(2)}),
		{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 1}}}, // inside the transaction: no END
		{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 2}, TxEnd: true, TsMs: 2000}},
		rowOf(rowTable, change.OpCreate, nil, []any{int64(3)}), // no transaction open: no block
	}
	if err := p.process(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	keys, vals := prod.payloads(t)
	topics := ""
	for _, r := range prod.recs {
		topics += r.Topic + " "
	}
	if want := "p.transaction t u t t t p.transaction t "; topics != want {
		t.Fatalf("topics %q, want %q", topics, want)
	}
	if keys[0]["id"] != "0-1-5" || vals[0]["status"] != "BEGIN" || vals[0]["id"] != "0-1-5" || vals[0]["ts_ms"] != 1000.0 ||
		vals[0]["event_count"] != nil || vals[0]["data_collections"] != nil {
		t.Errorf("BEGIN: key %v value %v", keys[0], vals[0])
	}
	block := func(i int) string {
		b, _ := json.Marshal(vals[i]["transaction"])
		return string(b)
	}
	for i, want := range map[int]string{
		1: `{"data_collection_order":1,"id":"0-1-5","total_order":1}`,
		2: `{"data_collection_order":1,"id":"0-1-5","total_order":2}`,
		3: `{"data_collection_order":2,"id":"0-1-5","total_order":3}`, // the key change's delete
		5: `{"data_collection_order":3,"id":"0-1-5","total_order":4}`, // and its create
		7: `null`,
	} {
		if got := block(i); got != want {
			t.Errorf("record %d: transaction %s, want %s", i, got, want)
		}
	}
	if vals[4] != nil {
		t.Errorf("record 4 is %v, want the key change's tombstone", vals[4])
	}
	end, _ := json.Marshal(vals[6])
	// Java's HashMap puts "d.u" (bucket 10) before "d.t" (bucket 11).
	if want := `{"data_collections":[{"data_collection":"d.u","event_count":1},{"data_collection":"d.t","event_count":3}],"event_count":4,"id":"0-1-5","status":"END","ts_ms":2000}`; string(end) != want {
		t.Errorf("END %s\nwant %s", end, want)
	}
}

// A transaction that never ends (a MariaDB DDL's GTID opens one) is
// replaced by the next BEGIN without an END, as in Debezium; an END of a
// transaction with no captured events has an empty list.
func TestTransactionMetadataUnendedAndEmpty(t *testing.T) {
	prod := &keepProducer{}
	p := metaPoller(t, prod, PollerConfig{TransactionTopic: "x"})
	entries := []entry{
		{Event: change.Event{Kind: change.KindBegin, TxID: "0-1-1"}},
		{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 1}}},
		{Event: change.Event{Kind: change.KindBegin, TxID: "0-1-2"}},
		{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 2}, TxEnd: true}},
		{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 3}, TxEnd: true}}, // none open
	}
	if err := p.process(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	_, vals := prod.payloads(t)
	var got []string
	for _, v := range vals {
		b, _ := json.Marshal([]any{v["status"], v["id"], v["event_count"], v["data_collections"]})
		got = append(got, string(b))
	}
	want := []string{`["BEGIN","0-1-1",null,null]`, `["BEGIN","0-1-2",null,null]`, `["END","0-1-2",0,[]]`}
	if len(got) != len(want) {
		t.Fatalf("records %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d: %s, want %s", i, got[i], want[i])
		}
	}
}

// A transaction's END where the source has no place to resume (a Vitess
// copy batch between two tables' copies) is written, and the offset stays
// at the last commit with a position: the records after it keep it there.
func TestTransactionEndWithoutPosition(t *testing.T) {
	prod := &keepProducer{}
	p := metaPoller(t, prod, PollerConfig{TransactionTopic: "x"})
	entries := []entry{
		{Event: change.Event{Kind: change.KindBegin, TxID: "a"}},
		rowOf(rowTable, change.OpCreate, nil, []any{int64(1)}),
		{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 1}, TxEnd: true}},
		{Event: change.Event{Kind: change.KindBegin, TxID: "b"}},
		rowOf(rowTable, change.OpCreate, nil, []any{int64(2)}),
		{Event: change.Event{Kind: change.KindCommit, TxEnd: true}},
	}
	if err := p.process(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	_, vals := prod.payloads(t)
	var got []string
	for _, v := range vals {
		got = append(got, fmt.Sprint(v["status"], v["id"]))
	}
	if want := "[BEGINa <nil> <nil> ENDa BEGINb <nil> <nil> ENDb]"; fmt.Sprint(got) != want {
		t.Errorf("records %v, want %s", got, want)
	}
	pos, ok := p.tracker(0).Committable()
	if !ok || pos != (seqPos{n: 1}) {
		t.Errorf("committable %v %v, want the last commit with a position", pos, ok)
	}
	if n := p.tracker(0).InFlight(); n != 1 {
		t.Errorf("%d transactions in flight, want the open one holding the second transaction's records", n)
	}
}

// The offset stored at a transaction's END carries the transaction, as
// Debezium's TransactionContext adds it there (the context is reset only
// after); one stored after a later commit, or after a heartbeat written
// with the END, does not.
func TestTransactionEndOffset(t *testing.T) {
	p := metaPoller(t, &keepProducer{}, PollerConfig{TransactionTopic: "x"})
	other := *rowTable
	other.Name = "u"
	stored := func(n int) string {
		v, _ := seqPos{n: n}.OffsetValue()
		return string(p.txEnd.apply(v))
	}
	entries := []entry{
		{Event: change.Event{Kind: change.KindBegin, TxID: "0-1-5"}},
		rowOf(rowTable, change.OpCreate, nil, []any{int64(1)}),
		rowOf(&other, change.OpCreate, nil, []any{int64(1)}),
		rowOf(rowTable, change.OpCreate, nil, []any{int64(2)}),
		{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 1}, TxEnd: true}},
	}
	if err := p.process(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	want := `{"transaction_id":"0-1-5","transaction_data_collection_order_d.u":1,"transaction_data_collection_order_d.t":2,"n":1,"snap":false}`
	if got := stored(1); got != want {
		t.Errorf("offset at the END %s\nwant %s", got, want)
	}
	if got := stored(0); got != `{"n":0,"snap":false}` {
		t.Errorf("another position's offset %s, want it plain", got)
	}
	if err := p.process(context.Background(), []entry{{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if got := stored(1); got != `{"n":1,"snap":false}` {
		t.Errorf("offset after a later commit at the same position %s, want it plain", got)
	}
}

func TestJavaHashMapOrder(t *testing.T) {
	// Java 17: "inventory.customers".hashCode(), and a HashMap's key order.
	if h := javaStringHash("inventory.customers"); h != 1886774851 {
		t.Errorf("hash = %d", h)
	}
	var j javaOrder
	for _, n := range []string{"sbs_1_ma.t_int", "sbs_1_ma.t_str", "sbs_1_ma.t_nokey", "inventory.orders", "inventory.customers"} {
		j.add(n)
	}
	if got, want := fmt.Sprint(j.names()), "[sbs_1_ma.t_str sbs_1_ma.t_nokey inventory.customers sbs_1_ma.t_int inventory.orders]"; got != want {
		t.Errorf("names %s, want %s (Java's)", got, want)
	}
	j.clear()
	// Past 12 names the table doubles; clear keeps its size, as HashMap's does.
	for _, n := range []string{"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b0", "b1", "b2"} {
		j.add(n)
	}
	if j.size != 32 {
		t.Fatalf("size %d after 13 names, want 32", j.size)
	}
	j.clear()
	j.add("d.t")
	j.add("d.u")
	// "d.t" spreads to 97643, "d.u" to 97642: buckets 11 and 10 of 16, 11 and 10 of 32 too.
	if got := j.names(); len(got) != 2 || got[0] != "d.u" || got[1] != "d.t" {
		t.Errorf("names %v, want [d.u d.t]", got)
	}
}

// A heartbeat is written when due while events flow, to partition 0,
// and the position of the commit it comes with waits for its
// acknowledgement.
func TestHeartbeatRecords(t *testing.T) {
	prod := &keepProducer{hold: true}
	p := metaPoller(t, prod, PollerConfig{HeartbeatInterval: time.Second, HeartbeatTopic: "__debezium-heartbeat.p", ServerName: "p"})
	now := time.UnixMilli(5000)
	p.beat.now, p.beat.next = func() time.Time { return now }, now.Add(time.Second)
	commit := func(n int) {
		t.Helper()
		if err := p.process(context.Background(), []entry{{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: n}}}}); err != nil {
			t.Fatal(err)
		}
	}
	commit(1)
	if len(prod.recs) != 0 {
		t.Fatalf("%d records before the interval passed", len(prod.recs))
	}
	now = now.Add(1500 * time.Millisecond)
	commit(2)
	commit(3) // within the next interval: none
	if len(prod.recs) != 1 {
		t.Fatalf("%d records, want one heartbeat", len(prod.recs))
	}
	r := prod.recs[0]
	if r.Topic != "__debezium-heartbeat.p" || string(r.Key) != `{"serverName":"p"}` || string(r.Value) != `{"ts_ms":6500}` || r.Partition != 0 || r.Context != fixedPartition {
		t.Errorf("heartbeat %s %s %s partition %d", r.Topic, r.Key, r.Value, r.Partition)
	}
	if pos, ok, _ := p.committable(); !ok || pos != (seqPos{n: 1}) {
		t.Errorf("committable %v %v before the heartbeat's ack, want position 1", pos, ok)
	}
	for _, f := range prod.pending {
		f()
	}
	if pos, ok, _ := p.committable(); !ok || pos != (seqPos{n: 3}) {
		t.Errorf("committable %v %v after it, want position 3", pos, ok)
	}
}

// heartbeat.action.query runs with each heartbeat record, not between
// them; a transient failure is logged and the next heartbeat runs it
// again, a definite one stops the poller with its message.
func TestHeartbeatAction(t *testing.T) {
	var runs int
	var fail error
	prod := &keepProducer{}
	p := metaPoller(t, prod, PollerConfig{HeartbeatInterval: time.Second, HeartbeatTopic: "__debezium-heartbeat.p", ServerName: "p",
		HeartbeatAction: func(context.Context) error { runs++; return fail }})
	now := time.UnixMilli(5000)
	p.beat.now, p.beat.next = func() time.Time { return now }, now.Add(time.Second)
	commit := func(n int) error {
		return p.process(context.Background(), []entry{{Event: change.Event{Kind: change.KindCommit, Position: seqPos{n: n}}}})
	}
	steps := []struct {
		advance time.Duration
		fail    error
		runs    int
		err     string
	}{
		{0, nil, 0, ""},
		{1500 * time.Millisecond, nil, 1, ""},
		{100 * time.Millisecond, nil, 1, ""}, // within the interval: no heartbeat, no run
		{time.Second, errors.New("connection reset"), 2, ""},
		{time.Second, nil, 3, ""},
		{time.Second, fault.Definite(errors.New("heartbeat.action.query \"SELEC 1\": the server refused it")), 4, "SELEC 1"},
	}
	for i, s := range steps {
		now, fail = now.Add(s.advance), s.fail
		err := commit(i + 1)
		if runs != s.runs || (s.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), s.err) {
			t.Fatalf("step %d: %d runs, error %v; want %d runs, error containing %q", i, runs, err, s.runs, s.err)
		}
	}
	// The fourth run's heartbeat is not written: the task stops with it.
	if beats := len(prod.recs); beats != 3 {
		t.Errorf("%d heartbeat records, want 3", beats)
	}
}
