package smt

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// extractChangedRecordState is io.debezium.transforms.ExtractChangedRecordState:
// a change event gets a header listing the after image's fields whose
// values differ from the before image's (header.changed.name) and one
// listing those that do not (header.unchanged.name), compared without
// defaults, as Java's equals compares them (sameAsJava). Every change event gets them,
// empty unless both images are there (creates, reads, deletes and
// truncates too), so that a chain after it always finds them; other
// records pass unchanged.
type extractChangedRecordState struct {
	alias              string
	changed, unchanged string // "": no such header
	changedSchema      *change.Schema
	unchangedSchema    *change.Schema
}

func newExtractChangedRecordState(alias string, opts map[string]string) (Transform, error) {
	t := &extractChangedRecordState{alias: alias}
	// A blank name adds no header, as Debezium's Strings.isNullOrBlank;
	// the name is otherwise taken as written.
	if v := opts["header.changed.name"]; strings.TrimSpace(v) != "" {
		t.changed, t.changedSchema = v, fieldNamesSchema(v)
	}
	if v := opts["header.unchanged.name"]; strings.TrimSpace(v) != "" {
		t.unchanged, t.unchangedSchema = v, fieldNamesSchema(v)
	}
	return t, nil
}

// fieldNamesSchema is the headers' schema: an optional array of optional
// strings named as the header.
func fieldNamesSchema(name string) *change.Schema {
	return &change.Schema{Type: change.Array, Optional: true, Name: name, Items: &change.Schema{Type: change.String, Optional: true}}
}

func (t *extractChangedRecordState) Apply(r *change.Record) (*change.Record, error) {
	return onStruct(r, isEnvelope, "ExtractChangedRecordState", t.alias, func(v *change.Value) (*change.Record, error) { return t.apply(r, v) })
}

func (t *extractChangedRecordState) apply(r *change.Record, value *change.Value) (*change.Record, error) {
	changed, unchanged := []any{}, []any{}
	after, before, err := images(value)
	if err != nil {
		return nil, err
	}
	if after != nil && before != nil {
		for i, f := range after.Schema.Fields {
			j := before.Schema.FieldIndex(f.Name)
			if j < 0 {
				return nil, fmt.Errorf("%s is not a valid field name", f.Name)
			}
			if sameAsJava(f.Schema, after.Values[i], before.Values[j]) {
				unchanged = append(unchanged, f.Name)
			} else {
				changed = append(changed, f.Name)
			}
		}
	}
	hs := make([]change.Header, len(r.Headers), len(r.Headers)+2)
	copy(hs, r.Headers)
	if t.changed != "" {
		hs = append(hs, change.Header{Key: t.changed, Schema: t.changedSchema, Value: changed})
	}
	if t.unchanged != "" {
		hs = append(hs, change.Header{Key: t.unchanged, Schema: t.unchangedSchema, Value: unchanged})
	}
	r.Headers = hs
	return r, nil
}

// sameAsJava is Objects.equals over the values Debezium's records hold:
// most are content-compared (ByteBuffers for binary columns, BigDecimals,
// structs), but a BIT(n) column's io.debezium.data.Bits value is a byte[],
// which equals only itself: two images' values are never equal unless
// both are null, so Debezium lists the column as changed in every update
// (compared side by side).
func sameAsJava(s *change.Schema, a, b any) bool {
	if s != nil && s.Name == change.BitsName && a != nil && b != nil {
		return false
	}
	return change.SameValue(a, b)
}

// images are an envelope's after and before structs (nil when null).
func images(env *change.Value) (after, before *change.Value, err error) {
	a, _, err := getField(env, "after")
	if err != nil {
		return nil, nil, err
	}
	b, _, err := getField(env, "before")
	if err != nil {
		return nil, nil, err
	}
	after, okA := a.(*change.Value)
	before, okB := b.(*change.Value)
	if a != nil && !okA || b != nil && !okB {
		return nil, nil, fmt.Errorf("the after and before values should be structs")
	}
	return after, before, nil
}
