package smt

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf16"

	"github.com/sluice-cdc/sluice/connector/change"
)

// partitionRouting is io.debezium.transforms.partitions.PartitionRouting:
// it picks a change event's partition from a hash of payload fields, so
// that, say, every event of one customer lands in one partition whatever
// the key. The hash must be Java's for a consumer to see the same partitions
// as with Debezium: String.hashCode and friends ("java"), or Debezium's
// MurmurHash3 ("murmur").
type partitionRouting struct {
	alias  string
	fields [][]string // each field's path, "change" meaning after (before for a delete)
	n      int32
	murmur bool
}

func newPartitionRouting(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	raw, err := o.required("partition.payload.fields")
	if err != nil {
		return nil, err
	}
	t := &partitionRouting{alias: alias}
	for _, f := range strings.Split(raw, ",") {
		if strings.TrimSpace(f) == "" {
			return nil, fmt.Errorf("%s: %q has an empty field name", o.name("partition.payload.fields"), raw)
		}
		path := strings.Split(strings.TrimSpace(f), ".")
		for i := range path {
			path[i] = strings.TrimSpace(path[i])
		}
		t.fields = append(t.fields, path)
	}
	if _, err := o.required("partition.topic.num"); err != nil {
		return nil, err
	}
	n, err := o.integer("partition.topic.num", 0)
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("%s: %q must be a positive integer", o.name("partition.topic.num"), o.str("partition.topic.num", ""))
	}
	t.n = int32(n)
	// Debezium reads any other value as java without a word; Sluice asks.
	h, err := o.enum("partition.hash.function", "java", "java", "murmur")
	if err != nil {
		return nil, fmt.Errorf("%w (Debezium silently uses java for an unknown value; write java to keep that)", err)
	}
	t.murmur = h == "murmur"
	return t, nil
}

func (t *partitionRouting) Apply(r *change.Record) (*change.Record, error) {
	env, ok := r.Value.(*change.Value)
	if !ok || env == nil || !isEnvelope(r.ValueSchema) {
		return r, nil
	}
	op, _ := env.Get("op").(string)
	if op == "t" || op == "m" { // truncate and generic messages keep their partition
		return r, nil
	}
	var sum int32
	found := false
	for _, path := range t.fields {
		v, err := fieldAt(env, path, op)
		if err != nil {
			return nil, fmt.Errorf("transform %s: unprocessable record for %s: %w", t.alias, r.Topic, err)
		}
		if v == nil {
			continue
		}
		h, err := t.hash(v)
		if err != nil {
			return nil, fmt.Errorf("transform %s: partition.payload.fields %s: %w", t.alias, strings.Join(path, "."), err)
		}
		sum += h
		found = true
	}
	if !found {
		return r, nil
	}
	p := sum & math.MaxInt32
	if p == math.MaxInt32 {
		p = 0
	}
	out := *r
	out.FixedPartition, out.Partition = true, p%t.n
	return &out, nil
}

// fieldAt reads a payload field: nil when the field does not exist (it is
// then left out, as Debezium does), an error when a struct on the way is
// null (Debezium fails there too).
func fieldAt(env *change.Value, path []string, op string) (any, error) {
	cur := env
	for i, name := range path {
		if name == "change" && i < len(path)-1 {
			name = "after"
			if op == "d" {
				name = "before"
			}
		}
		j := cur.Schema.FieldIndex(name)
		if j < 0 {
			return nil, nil
		}
		v := getWithDefault(cur, j)
		if i == len(path)-1 {
			return v, nil
		}
		next, ok := v.(*change.Value)
		if !ok || next == nil {
			if v == nil {
				return nil, fmt.Errorf("%s is null", strings.Join(path[:i+1], "."))
			}
			return nil, nil
		}
		cur = next
	}
	return nil, nil
}

// hash is Java's hashCode of the value Connect would hold, or Debezium's
// MurmurHash3 of it.
func (t *partitionRouting) hash(v any) (int32, error) {
	if t.murmur {
		switch x := v.(type) {
		case string:
			return murmurBytes([]byte(x)), nil
		case []byte:
			return murmurBytes(x), nil
		}
	}
	h, err := javaHashCode(v)
	if err != nil || !t.murmur {
		return h, err
	}
	return murmurInt(h), nil
}

// javaHashCode covers the values whose Java hashCode is fixed by their
// content. Connect holds int8..int32 as Byte, Short, Integer (hashCode: the
// value), int64 and Date/Timestamp as Long/java.util.Date (v ^ v>>>32).
func javaHashCode(v any) (int32, error) {
	switch x := v.(type) {
	case string:
		var h int32
		for _, c := range utf16.Encode([]rune(x)) {
			h = 31*h + int32(c)
		}
		return h, nil
	case int64:
		return int32(x ^ int64(uint64(x)>>32)), nil
	case bool:
		if x {
			return 1231, nil
		}
		return 1237, nil
	case float64:
		b := math.Float64bits(x)
		if x != x {
			b = 0x7ff8000000000000
		}
		return int32(b ^ b>>32), nil
	}
	return 0, fmt.Errorf("a %T has no stable Java hash code (byte arrays, decimals and structs hash by identity or representation); use partition.hash.function=murmur for bytes, or a string or number field", v)
}
