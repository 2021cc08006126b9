package smt

import (
	"strings"
	"testing"

	"github.com/sluice-cdc/sluice/connector/change"
)

func TestParseErrorsNameTheProperty(t *testing.T) {
	cases := []struct {
		name  string
		props map[string]string
		want  []string
	}{
		{"no type", map[string]string{"transforms": "a"}, []string{`Missing required configuration "transforms.a.type"`}},
		{"unknown class", map[string]string{"transforms": "a", "transforms.a.type": "com.example.Nope"},
			[]string{"Invalid value com.example.Nope for configuration transforms.a.type: Class com.example.Nope could not be found", "org.apache.kafka.connect.transforms.RegexRouter"}},
		{"duplicate alias", map[string]string{"transforms": "a,a"}, []string{"Duplicate alias provided."}},
		{"missing option", map[string]string{"transforms": "r", "transforms.r.type": connectPkg + "RegexRouter", "transforms.r.regex": "x"},
			[]string{`transform "r"`, `Missing required configuration "transforms.r.replacement"`}},
		{"bad enum", map[string]string{"transforms": "t", "transforms.t.type": connectPkg + "TimestampConverter$Value", "transforms.t.target.type": "epoch"},
			[]string{"Invalid value epoch for configuration transforms.t.target.type: String must be one of: string, unix, Date, Time, Timestamp"}},
		{"bad boolean", map[string]string{"transforms": "m", "transforms.m.type": connectPkg + "MaskField$Value", "transforms.m.fields": "a", "transforms.m.replace.null.with.default": "yes"},
			[]string{"Invalid value yes for configuration transforms.m.replace.null.with.default: Expected value to be either true or false"}},
		{"negate without predicate", map[string]string{"transforms": "f", "transforms.f.type": connectPkg + "Filter", "transforms.f.negate": "true"},
			[]string{"Config 'transforms.f.negate' was provided but there is no config 'transforms.f.predicate'"}},
		{"predicate not listed", map[string]string{"transforms": "f", "transforms.f.type": connectPkg + "Filter", "transforms.f.predicate": "p"},
			[]string{"Invalid value p for configuration transforms.f.predicate"}},
		{"unknown predicate class", map[string]string{"predicates": "p", "predicates.p.type": "x.Y"},
			[]string{"Invalid value x.Y for configuration predicates.p.type", predicatePkg + "TopicNameMatches"}},
		{"predicate option", map[string]string{"predicates": "p", "predicates.p.type": predicatePkg + "TopicNameMatches"},
			[]string{`Missing required configuration "predicates.p.pattern"`}},
		{"java-only regex", map[string]string{"predicates": "p", "predicates.p.type": predicatePkg + "TopicNameMatches", "predicates.p.pattern": "a(?=b)"},
			[]string{"Invalid value a(?=b) for configuration predicates.p.pattern: Invalid regex", "lookarounds"}},
		{"cast to bytes", map[string]string{"transforms": "c", "transforms.c.type": connectPkg + "Cast$Value", "transforms.c.spec": "a:bytes"},
			[]string{"Cast transformation does not support casting to BYTES"}},
		{"insert nothing", map[string]string{"transforms": "i", "transforms.i.type": connectPkg + "InsertField$Value"},
			[]string{"No field insertion configured"}},
		{"removed option", map[string]string{"transforms": "r", "transforms.r.type": connectPkg + "ReplaceField$Value", "transforms.r.blacklist": "a"},
			[]string{"Invalid value a for configuration transforms.r.blacklist: Kafka Connect 4 removed this option and ignores it; use transforms.r.exclude"}},
		{"bad group", map[string]string{"transforms": "r", "transforms.r.type": connectPkg + "RegexRouter", "transforms.r.regex": "(a)", "transforms.r.replacement": "$2"},
			[]string{"Invalid value $2 for configuration transforms.r.replacement: No group 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chain, err := Parse(c.props)
			if err == nil {
				t.Fatalf("no error; chain %v", chain)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestParseEveryClassBuilds(t *testing.T) {
	// The minimal options each class needs; each must build from them.
	need := map[string]map[string]string{
		"RegexRouter": {"regex": "(.*)", "replacement": "$1"}, "InsertField": {"static.field": "s", "static.value": "v"},
		"MaskField": {"fields": "a"}, "ValueToKey": {"fields": "a"}, "ExtractField": {"field": "a"}, "HoistField": {"field": "a"},
		"Cast": {"spec": "int8"}, "TimestampConverter": {"target.type": "unix"}, "SetSchemaMetadata": {"schema.name": "n"},
		"InsertHeader": {"header": "h", "value.literal": "v"}, "DropHeaders": {"headers": "h"},
		"HeaderFrom": {"fields": "a", "headers": "h", "operation": "copy"},
	}
	for class := range connectTransforms {
		base, _, _ := strings.Cut(strings.TrimPrefix(class, connectPkg), "$")
		props := map[string]string{"transforms": "x", "transforms.x.type": class}
		for k, v := range need[base] {
			props["transforms.x."+k] = v
		}
		if chain, err := Parse(props); err != nil || len(chain) != 1 {
			t.Errorf("%s: %v, %v", class, chain, err)
		}
	}
}

func TestPredicatesGateTransforms(t *testing.T) {
	chain, err := Parse(map[string]string{
		"transforms": "drop,route", "predicates": "isTmp,tomb",
		"transforms.drop.type": connectPkg + "Filter", "transforms.drop.predicate": "isTmp",
		"transforms.route.type": connectPkg + "RegexRouter", "transforms.route.regex": "db\\.(.*)", "transforms.route.replacement": "out.$1",
		"transforms.route.predicate": "tomb", "transforms.route.negate": "true",
		"predicates.isTmp.type": predicatePkg + "TopicNameMatches", "predicates.isTmp.pattern": ".*\\.tmp",
		"predicates.tomb.type": predicatePkg + "RecordIsTombstone",
	})
	if err != nil {
		t.Fatal(err)
	}
	v := &change.Value{}
	got, err := chain.Apply([]change.Record{{Topic: "db.a", Value: v}, {Topic: "db.a.tmp", Value: v}, {Topic: "db.b"}, {Topic: "x.tmpx", Value: v}})
	if err != nil {
		t.Fatal(err)
	}
	var topics []string
	for _, r := range got {
		topics = append(topics, r.Topic)
	}
	// db.a.tmp is dropped; the tombstone keeps its topic; x.tmpx matches
	// neither pattern whole.
	if strings.Join(topics, ",") != "out.a,db.b,x.tmpx" {
		t.Fatalf("topics %v", topics)
	}
}

func TestHasHeaderKey(t *testing.T) {
	chain, err := Parse(map[string]string{"transforms": "f", "transforms.f.type": connectPkg + "Filter", "transforms.f.predicate": "h",
		"predicates": "h", "predicates.h.type": predicatePkg + "HasHeaderKey", "predicates.h.name": "skip"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := chain.Apply([]change.Record{{Topic: "a", Headers: []change.Header{{Key: "skip"}}}, {Topic: "b", Headers: []change.Header{{Key: "other"}}}})
	if len(got) != 1 || got[0].Topic != "b" {
		t.Fatalf("got %v", got)
	}
}

func TestEmptyTransformsIsNoChain(t *testing.T) {
	if chain, err := Parse(map[string]string{"transforms": " "}); err != nil || len(chain) != 0 {
		t.Fatalf("%v, %v", chain, err)
	}
}

// Converters cache by schema pointer: every schema-changing transform must
// hand out one output schema per input schema.
func TestDerivedSchemasAreCachedPerInputSchema(t *testing.T) {
	row := &change.Schema{Type: change.Struct, Name: "r", Fields: []change.Field{
		{Name: "id", Schema: &change.Schema{Type: change.Int32}},
		{Name: "at", Schema: &change.Schema{Type: change.Int64, Name: change.ConnectTimestamp, Version: 1, Optional: true}},
		{Name: "sub", Schema: &change.Schema{Type: change.Struct, Optional: true, Fields: []change.Field{{Name: "x", Schema: &change.Schema{Type: change.String}}}}},
	}}
	configs := map[string]map[string]string{
		"InsertField$Value":        {"topic.field": "t"},
		"ReplaceField$Value":       {"exclude": "id"},
		"ValueToKey":               {"fields": "id"},
		"HoistField$Value":         {"field": "w"},
		"Flatten$Value":            {},
		"Cast$Value":               {"spec": "id:string"},
		"TimestampConverter$Value": {"field": "at", "target.type": "unix"},
		"SetSchemaMetadata$Value":  {"schema.name": "n"},
		"HeaderFrom$Value":         {"fields": "id", "headers": "h", "operation": "move"},
	}
	for class, opts := range configs {
		props := map[string]string{"transforms": "x", "transforms.x.type": connectPkg + class}
		for k, v := range opts {
			props["transforms.x."+k] = v
		}
		chain, err := Parse(props)
		if err != nil {
			t.Fatalf("%s: %v", class, err)
		}
		var first *change.Schema
		for i := 0; i < 2; i++ {
			r := &change.Record{Topic: "a", ValueSchema: row, Value: &change.Value{Schema: row, Values: []any{int64(i), int64(5), nil}}}
			out, err := chain.Transform(r)
			if err != nil {
				t.Fatalf("%s: %v", class, err)
			}
			s := out.ValueSchema
			if class == "ValueToKey" {
				s = out.KeySchema
			}
			if s == row {
				t.Fatalf("%s: schema unchanged", class)
			}
			if i == 1 && s != first {
				t.Errorf("%s: a second record of the same schema got a new schema", class)
			}
			first = s
		}
	}
}
