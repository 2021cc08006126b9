// Package jsonconv writes Kafka Connect's JsonConverter format: what a Kafka
// Connect worker running Debezium with
// value.converter=org.apache.kafka.connect.json.JsonConverter writes.
//
// With schemas enabled a record is {"schema":<schema>,"payload":<payload>};
// without, the bare payload. The schema JSON follows JsonConverter.asJsonSchema
// key for key (type, items/keys/values/fields, optional, name, version, doc,
// parameters, default, and "field" last in a struct's field entries); the
// payload follows JsonConverter.convertToJson as Jackson serialises it:
// integers in decimal, doubles and floats as Java's Double.toString /
// Float.toString ("1.0", "1.0E10"; NaN and infinities as the strings "NaN",
// "Infinity", "-Infinity"), bytes as padded standard base64, Connect Decimal as
// base64 of the unscaled two's complement value or, with decimal.format
// NUMERIC, as BigDecimal.toString ("12.50", "1E-10"), structs as objects in
// field order, maps with string keys as objects and other maps as arrays of
// [key,value] pairs. Like Connect, a null field whose schema has a default is
// written as the default unless KeepNullsWithDefault is set
// (replace.null.with.default=false).
//
// Output is compact (no spaces) UTF-8 with Jackson's escapes; note that
// Jackson writes a character outside the Basic Multilingual Plane as an
// escaped surrogate pair ("😀" becomes \uD83D\uDE00).
package jsonconv

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/typeerr"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Decimal formats, Connect's decimal.format values.
const (
	DecimalBase64  = "base64"
	DecimalNumeric = "numeric"
)

// Config is the converter's configuration, named after JsonConverter's
// properties.
type Config struct {
	// SchemasEnable is schemas.enable: wrap each record in
	// {"schema":…,"payload":…}. Connect's default is true; the zero Config
	// writes bare payloads.
	SchemasEnable bool
	// DecimalFormat is decimal.format: "base64" (Connect's default, also
	// used when empty) or "numeric", case-insensitive.
	DecimalFormat string
	// KeepNullsWithDefault is replace.null.with.default=false: write null
	// for a null value whose schema has a default. By default (Connect's
	// replace.null.with.default=true) the default is written instead.
	KeepNullsWithDefault bool
}

// maxCachedSchemas bounds the schema cache like Connect's schemas.cache.size:
// past it the cache is dropped and rebuilt from the schemas in use. Schemas
// only change on DDL, so this is a guard against leaks, not a working limit.
const maxCachedSchemas = 1000

// Converter writes Connect data as JsonConverter does. It is safe for
// concurrent use.
type Converter struct {
	schemas     bool
	numeric     bool
	replaceNull bool

	cache   sync.Map // *change.Schema -> *compiled
	entries atomic.Int64
	// last is the schema compiled last and its form: a record's schema is
	// nearly always the one before it (a connector's key and value have
	// converters of their own), and a pointer compare costs less than the
	// map's hash of an interface, 3% of a one-row transaction's CPU.
	last atomic.Pointer[lastCompiled]
}

type lastCompiled struct {
	schema *change.Schema
	cs     *compiled
}

var _ converters.Converter = (*Converter)(nil)

// New returns a converter for cfg.
func New(cfg Config) (*Converter, error) {
	c := &Converter{schemas: cfg.SchemasEnable, replaceNull: !cfg.KeepNullsWithDefault}
	switch strings.ToLower(cfg.DecimalFormat) {
	case "", DecimalBase64:
	case DecimalNumeric:
		c.numeric = true
	default:
		return nil, fmt.Errorf("jsonconv: decimal.format %q: must be %q or %q", cfg.DecimalFormat, DecimalBase64, DecimalNumeric)
	}
	return c, nil
}

// Convert implements converters.Converter. A nil v (or a nil *change.Value)
// with a nil s gives nil, a tombstone or null key. With a schema, a nil v is
// written as Connect writes it: "null" (or the schema's default), inside an
// envelope with schemas.enable; transforms produce that (ExtractField of a
// null field, say), and Connect's consumers see a record, not a tombstone.
// A nil s with a non-nil v infers
// the type from the Go value like Connect's schemaless conversion, and writes
// "schema":null. Errors are *TypeError for values that do not fit the schema
// (and schemas that cannot be encoded), marked definite (internal/fault).
func (c *Converter) Convert(ctx context.Context, topic string, s *change.Schema, v any) ([]byte, error) {
	return converters.Copied(ctx, c, topic, s, v)
}

// AppendConvert implements converters.Appender.
func (c *Converter) AppendConvert(_ context.Context, dst []byte, topic string, s *change.Schema, v any) ([]byte, error) {
	if isNull(v) && s == nil {
		return nil, nil
	}
	b, err := c.Append(dst, topic, s, v)
	if err != nil {
		// The same value would fail the same way: no retry helps.
		return nil, fault.Definite(err)
	}
	return b, nil
}

// Append is Convert writing to the end of dst: for a caller that packs many
// records into one buffer (one allocation per batch instead of one per
// record). A nil v with a nil s appends nothing. On error, dst is returned with whatever
// was partially written after its original length.
func (c *Converter) Append(dst []byte, topic string, s *change.Schema, v any) ([]byte, error) {
	if isNull(v) && s == nil {
		return dst, nil
	}
	var cs *compiled
	if s != nil {
		var err error
		if cs, err = c.compiled(s); err != nil {
			return dst, err
		}
	}
	b := dst
	if c.schemas {
		if cs != nil {
			b = append(b, cs.prefix...)
		} else {
			b = append(b, nullSchemaPrefix...)
		}
	}
	var err error
	if cs == nil {
		b, err = c.appendInferred(b, v)
	} else {
		b, err = c.appendValue(b, cs.plan, v)
	}
	if err != nil {
		return b, typeerr.Finish("jsonconv", err)
	}
	if c.schemas {
		b = append(b, '}')
	}
	return b, nil
}

// isNull reports a null record key or value: nil, or a nil *change.Value.
func isNull(v any) bool {
	if v == nil {
		return true
	}
	sv, ok := v.(*change.Value)
	return ok && sv == nil
}

// compiled is what the converter derives once from a schema: the encoding
// plan and, with schemas enabled, `{"schema":<json>,"payload":`.
type compiled struct {
	plan   *plan
	prefix []byte
	// self is this form as the converter's last: made once, so that a
	// cache hit after another schema (records of two tables interleaved,
	// or one converter for keys and values) allocates nothing.
	self *lastCompiled
}

// compiled returns the cached compiled form of s, building it on first use.
func (c *Converter) compiled(s *change.Schema) (*compiled, error) {
	if l := c.last.Load(); l != nil && l.schema == s {
		return l.cs, nil
	}
	if p, ok := c.cache.Load(s); ok {
		cs := p.(*compiled)
		c.last.Store(cs.self)
		return cs, nil
	}
	p, err := compile(s, map[*change.Schema]*plan{})
	if err != nil {
		return nil, typeerr.Finish("jsonconv", err)
	}
	cs := &compiled{plan: p}
	cs.self = &lastCompiled{schema: s, cs: cs}
	if c.schemas {
		b := append([]byte(nil), `{"schema":`...)
		if b, err = c.appendSchema(b, p); err != nil {
			return nil, typeerr.Finish("jsonconv", typeerr.Prefix(err, "schema default: "))
		}
		b = append(b, `,"payload":`...)
		cs.prefix = b[:len(b):len(b)]
	}
	if c.entries.Add(1) > maxCachedSchemas {
		c.cache.Clear()
		c.entries.Store(1)
	}
	if p, loaded := c.cache.LoadOrStore(s, cs); loaded {
		cs = p.(*compiled)
	}
	c.last.Store(cs.self)
	return cs, nil
}

var nullSchemaPrefix = []byte(`{"schema":null,"payload":`)

// TypeError reports a value that does not fit its schema (see typeerr).
type TypeError = typeerr.Error

var (
	typeErr   = typeerr.New
	inPath    = typeerr.In
	wrongType = typeerr.Wrong
)
