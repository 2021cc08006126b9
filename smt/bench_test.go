package smt

import (
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// BenchmarkChain is the bench chain of cmd/sluice-bench's example
// (RegexRouter, InsertField, ReplaceField, a Filter behind a predicate)
// over a Debezium envelope: the per-record cost transforms add.
func BenchmarkChain(b *testing.B) {
	chain, err := Parse(map[string]string{
		"transforms":                    "route,stamp,mask,drop",
		"transforms.route.type":         connectPkg + "RegexRouter",
		"transforms.route.regex":        `(.*)\.t`,
		"transforms.route.replacement":  "$1.routed",
		"transforms.stamp.type":         connectPkg + "InsertField$Value",
		"transforms.stamp.static.field": "origin", "transforms.stamp.static.value": "bench",
		"transforms.stamp.timestamp.field": "seen_at",
		"transforms.mask.type":             connectPkg + "ReplaceField$Value",
		"transforms.mask.exclude":          "transaction",
		"transforms.drop.type":             connectPkg + "Filter",
		"transforms.drop.predicate":        "isTmp",
		"predicates":                       "isTmp",
		"predicates.isTmp.type":            predicatePkg + "TopicNameMatches",
		"predicates.isTmp.pattern":         `.*\.tmp`,
	})
	if err != nil {
		b.Fatal(err)
	}
	row := &change.Schema{Type: change.Struct, Optional: true, Name: "db.db.t.Value", Fields: []change.Field{
		{Name: "id", Schema: &change.Schema{Type: change.Int32}}, {Name: "b", Schema: &change.Schema{Type: change.String}}}}
	src := &change.Schema{Type: change.Struct, Name: "source", Fields: []change.Field{{Name: "db", Schema: &change.Schema{Type: change.String}}}}
	env := change.EnvelopeSchema("db.db.t", row, src)
	records := make([]change.Record, 1)
	now := time.Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		v := change.NewEnvelope(env)
		v.Values[change.EnvAfter] = &change.Value{Schema: row, Values: []any{int64(i), "x"}}
		v.Values[change.EnvOp] = "c"
		records[0] = change.Record{Topic: "db.db.t", ValueSchema: env, Value: v, Timestamp: now}
		if out, err := chain.Apply(records); err != nil || len(out) != 1 {
			b.Fatal(out, err)
		}
	}
}

// BenchmarkUnwrapChain is sluice-bench suite's "+unwrap" chain: Debezium's
// ExtractNewRecordState (deletes rewritten, tombstones kept, add.fields)
// and a RegexRouter that drops the database from the topic, over a
// Debezium create event with a source block.
func BenchmarkUnwrapChain(b *testing.B) {
	chain, err := Parse(map[string]string{
		"transforms":             "unwrap,route",
		"transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
		"transforms.unwrap.delete.tombstone.handling.mode": "rewrite-with-tombstone",
		"transforms.unwrap.add.fields":                     "op,table,source.ts_ms",
		"transforms.route.type":                            connectPkg + "RegexRouter",
		"transforms.route.regex":                           `([^.]+)\.([^.]+)\.([^.]+)`,
		"transforms.route.replacement":                     "$1.$3",
	})
	if err != nil {
		b.Fatal(err)
	}
	str := &change.Schema{Type: change.String}
	row := &change.Schema{Type: change.Struct, Optional: true, Name: "p.db.t.Value", Fields: []change.Field{
		{Name: "id", Schema: &change.Schema{Type: change.Int32}}, {Name: "a", Schema: &change.Schema{Type: change.Int64}},
		{Name: "b", Schema: str}}}
	src := &change.Schema{Type: change.Struct, Name: "io.debezium.connector.mariadb.Source", Fields: []change.Field{
		{Name: "db", Schema: str}, {Name: "table", Schema: &change.Schema{Type: change.String, Optional: true}},
		{Name: "ts_ms", Schema: &change.Schema{Type: change.Int64}}}}
	key := &change.Schema{Type: change.Struct, Name: "p.db.t.Key", Fields: []change.Field{{Name: "id", Schema: &change.Schema{Type: change.Int32}}}}
	env := change.EnvelopeSchema("p.db.t", row, src)
	source := &change.Value{Schema: src, Values: []any{"db", "t", int64(1764700000000)}}
	records := make([]change.Record, 1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v := change.NewEnvelope(env)
		v.Values[change.EnvAfter] = &change.Value{Schema: row, Values: []any{int64(i), int64(7 * i), "name"}}
		v.Values[change.EnvSource] = source
		v.Values[change.EnvOp] = "c"
		records[0] = change.Record{Topic: "p.db.t", KeySchema: key, Key: &change.Value{Schema: key, Values: []any{int64(i)}},
			ValueSchema: env, Value: v}
		if out, err := chain.Apply(records); err != nil || len(out) != 1 || out[0].Topic != "p.t" {
			b.Fatal(out, err)
		}
	}
}
