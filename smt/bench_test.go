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
