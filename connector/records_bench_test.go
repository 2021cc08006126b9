package connector

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

// benchSource is a MariaDB source block as the binlog reader fills it.
func benchSource() (*change.Schema, []any) {
	str, optStr := &change.Schema{Type: change.String}, &change.Schema{Type: change.String, Optional: true}
	i64, optI64 := &change.Schema{Type: change.Int64}, &change.Schema{Type: change.Int64, Optional: true}
	s := &change.Schema{Type: change.Struct, Name: "io.debezium.connector.mariadb.Source", Version: 1, Fields: []change.Field{
		{Name: "version", Schema: str}, {Name: "connector", Schema: str}, {Name: "name", Schema: str}, {Name: "ts_ms", Schema: i64},
		{Name: "snapshot", Schema: &change.Schema{Type: change.String, Optional: true, Name: change.EnumName, Version: 1,
			Parameters: []change.Param{{Key: "allowed", Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
			Default:    "false", HasDefault: true}},
		{Name: "db", Schema: str}, {Name: "sequence", Schema: optStr}, {Name: "ts_us", Schema: optI64}, {Name: "ts_ns", Schema: optI64},
		{Name: "table", Schema: optStr}, {Name: "server_id", Schema: i64}, {Name: "gtid", Schema: optStr}, {Name: "file", Schema: str},
		{Name: "pos", Schema: i64}, {Name: "row", Schema: &change.Schema{Type: change.Int32}}, {Name: "thread", Schema: optI64},
		{Name: "query", Schema: optStr}}}
	ts := int64(1764700000000)
	return s, []any{"0.1.0", "mariadb", "bench", ts, "false", "bench", nil, ts * 1000, ts * 1_000_000, "t", int64(1),
		"0-1-1234", "mariadb-bin.000001", int64(4321), int64(0), int64(7), nil}
}

// benchTables are the suite's narrow table t (INSERTs) and 40-column
// table w (full-image UPDATEs), with rows as go-mysql decodes them.
func benchTables(b *testing.B) map[string]change.Event {
	src, srcVals := benchSource()
	tb := mysqltypes.TableBuilder{Prefix: "bench", Source: src}
	now := time.Date(2026, 12, 2, 22, 0, 0, 123e6, time.UTC)
	narrow, err := tb.Build("bench", "t", []mysqltypes.ColumnDef{
		{Name: "id", DataType: "int", ColumnType: "int(11)"},
		{Name: "a", DataType: "bigint", ColumnType: "bigint(20)"},
		{Name: "b", DataType: "varchar", ColumnType: "varchar(40)", Charset: "utf8mb4"},
		{Name: "c", DataType: "decimal", ColumnType: "decimal(12,2)", Nullable: true, Precision: 12, Scale: 2},
		{Name: "d", DataType: "datetime", ColumnType: "datetime(3)", Nullable: true, FSP: 3},
	}, []int{0})
	if err != nil {
		b.Fatal(err)
	}
	defs := []mysqltypes.ColumnDef{{Name: "id", DataType: "int", ColumnType: "int(11)"}}
	row := []any{int32(1004)}
	for i := 0; i < 39; i++ {
		name := fmt.Sprintf("c%d", i)
		switch i % 5 {
		case 0:
			defs, row = append(defs, mysqltypes.ColumnDef{Name: name, DataType: "bigint", ColumnType: "bigint(20)"}), append(row, int64(1004*(i+1)))
		case 1:
			defs, row = append(defs, mysqltypes.ColumnDef{Name: name, DataType: "varchar", ColumnType: "varchar(64)", Nullable: true, Charset: "utf8mb4"}),
				append(row, fmt.Sprintf("value-%d-1004", i))
		case 2:
			defs, row = append(defs, mysqltypes.ColumnDef{Name: name, DataType: "decimal", ColumnType: "decimal(14,2)", Nullable: true, Precision: 14, Scale: 2}),
				append(row, "1004.25")
		case 3:
			defs, row = append(defs, mysqltypes.ColumnDef{Name: name, DataType: "datetime", ColumnType: "datetime(3)", Nullable: true, FSP: 3}), append(row, now)
		case 4:
			defs, row = append(defs, mysqltypes.ColumnDef{Name: name, DataType: "double", ColumnType: "double", Nullable: true}), append(row, 1506.0+float64(i))
		}
	}
	wide, err := tb.Build("bench", "w", defs, []int{0})
	if err != nil {
		b.Fatal(err)
	}
	after := append([]any(nil), row...)
	after[1] = int64(1005)
	source := func(t *change.Table) *change.Value {
		return &change.Value{Schema: src, Values: srcVals}
	}
	return map[string]change.Event{
		"insert-5col": {Op: change.OpCreate, Table: narrow, Source: source(narrow),
			After: []any{int32(1004), int64(7028), "name-1004", "10.04", now}},
		"update-40col": {Op: change.OpUpdate, Table: wide, Source: source(wide), Before: row, After: after},
	}
}

// BenchmarkRecordPath is the poller's work for one row event after the
// reader: building Debezium's records and converting their keys and values
// to Kafka records (no transforms, no producer; values go back to the
// recycler at once, as acknowledgements return them), per converter.
func BenchmarkRecordPath(b *testing.B) {
	events := benchTables(b)
	for _, name := range []string{"insert-5col", "update-40col"} {
		ev := events[name]
		for _, schemas := range []bool{false, true} {
			conv, err := jsonconv.New(jsonconv.Config{SchemasEnable: schemas})
			if err != nil {
				b.Fatal(err)
			}
			p := NewPoller(PollerConfig{KeyConverter: conv, ValueConverter: conv})
			label := name + "/json-noschema"
			if schemas {
				label = name + "/json"
			}
			b.Run(label, func(b *testing.B) {
				ctx := context.Background()
				var recs []change.Record
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if recs, err = p.builder.build(&ev, recs[:0]); err != nil {
						b.Fatal(err)
					}
					for i := range recs {
						kr, recycle, err := p.enc.toKafka(ctx, &recs[i])
						if err != nil {
							b.Fatal(err)
						}
						if recycle { // as Kafka's acknowledgement does
							p.values.put(kr.Value)
						}
					}
				}
			})
		}
	}
}

// discardProducer acknowledges each record at once.
type discardProducer struct{}

func (discardProducer) Produce(_ context.Context, r *kgo.Record, done func(*kgo.Record, error)) {
	done(r, nil)
}
func (discardProducer) Flush(context.Context) error { return nil }

// BenchmarkPollerThreads runs the poller over 10,000 row events in
// 1,000-event transactions, alone and with conversion workers
// (sluice.conversion.threads), JSON with schemas: what the workers add
// where cores are free (no broker or database here), as ns a row.
func BenchmarkPollerThreads(b *testing.B) {
	const rows = 10_000
	events := benchTables(b)
	for _, name := range []string{"insert-5col", "update-40col"} {
		var evs []change.Event
		for i := range rows {
			evs = append(evs, events[name])
			if i%1000 == 999 {
				evs = append(evs, change.Event{Kind: change.KindCommit, Position: seqPos{n: i}})
			}
		}
		for _, threads := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("%s/threads-%d", name, threads), func(b *testing.B) {
				conv := func() *jsonconv.Converter {
					c, err := jsonconv.New(jsonconv.Config{SchemasEnable: true})
					if err != nil {
						b.Fatal(err)
					}
					return c
				}
				cfg := PollerConfig{KeyConverter: conv(), ValueConverter: conv(), Producer: discardProducer{}, Topics: noTopics{},
					Store: &memStore{}, OffsetKey: []byte("k"), MaxBatch: 1024, PollInterval: time.Millisecond}
				for range threads - 1 {
					cfg.Workers = append(cfg.Workers, ConversionWorker{KeyConverter: conv(), ValueConverter: conv()})
				}
				b.ReportAllocs()
				for b.Loop() {
					q := NewQueue(len(evs)+1, 1<<40)
					if err := q.Reader(nil).Enqueue(context.Background(), evs...); err != nil {
						b.Fatal(err)
					}
					c := cfg
					c.Queue = q
					done := make(chan struct{})
					close(done)
					if err := NewPoller(c).Run(context.Background(), done); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
			})
		}
	}
}
