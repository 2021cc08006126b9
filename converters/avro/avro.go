// Package avro writes what Kafka Connect's io.confluent.connect.avro.AvroConverter
// writes: the record's Connect schema turned into an Avro schema as AvroData
// does it, registered in a Confluent-compatible schema registry, and each
// record framed as byte 0, the 4-byte big-endian schema id, then the Avro
// binary encoding of the value.
//
// The hot path does no registry call and builds no generic Avro value: the
// Avro schema, its registry id and an encoder (a tree of small functions over
// the change.Value representation jsonconv also consumes) are derived once
// per schema and reused for every record.
package avro

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/linkedin/goavro/v2"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/typeerr"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Registry is the part of a schema registry the converter uses;
// converters/registry's Client implements it. Errors follow
// internal/fault: definite when the registry refused the request.
type Registry interface {
	Register(ctx context.Context, subject, schema string) (int, error)
	Lookup(ctx context.Context, subject, schema string) (int, error)
	Latest(ctx context.Context, subject string) (id int, schema string, err error)
}

// Subject name strategies (key.subject.name.strategy,
// value.subject.name.strategy); the fully qualified Java class names
// io.confluent.kafka.serializers.subject.<Name> are accepted too.
const (
	TopicNameStrategy       = "TopicNameStrategy"
	RecordNameStrategy      = "RecordNameStrategy"
	TopicRecordNameStrategy = "TopicRecordNameStrategy"
)

// Options configure the converter, after Kafka Connect's AvroConverter
// properties.
type Options struct {
	// IsKey fixes what the converter serialises: keys use <topic>-key
	// subjects under TopicNameStrategy, values <topic>-value.
	IsKey bool
	// SubjectStrategy is one of the strategies above (default
	// TopicNameStrategy).
	SubjectStrategy string
	// AutoRegister is auto.register.schemas: register a schema the subject
	// lacks. Off, the schema must already be there.
	AutoRegister bool
	// UseLatestVersion is use.latest.version: use the subject's latest
	// version, which must be the record's schema (Sluice encodes with the
	// schema it derived; it does not rewrite records to another one).
	UseLatestVersion bool
	// CacheSize is schemas.cache.config: how many schemas' derived forms
	// and ids are kept (default 1000).
	CacheSize int
	// ConnectMetaData is connect.meta.data: write the connect.* properties.
	ConnectMetaData bool
	// SchemaNameAdjustment and FieldNameAdjustment are Debezium's
	// schema.name.adjustment.mode and field.name.adjustment.mode (none,
	// avro, avro_unicode): how names Avro cannot hold are made valid.
	SchemaNameAdjustment, FieldNameAdjustment string

	schemaNames, fieldNames adjuster
}

// DefaultOptions are AvroConverter's defaults.
func DefaultOptions() Options {
	return Options{SubjectStrategy: TopicNameStrategy, AutoRegister: true, CacheSize: 1000, ConnectMetaData: true}
}

// Converter is safe for concurrent use.
type Converter struct {
	opts    Options
	reg     Registry
	cache   sync.Map // *change.Schema -> *compiled
	entries atomic.Int64
	ids     sync.Map // idKey -> int
	idCount atomic.Int64
	// regMu makes concurrent first uses of one schema ask the registry once.
	regMu sync.Mutex
}

var _ converters.Converter = (*Converter)(nil)

type idKey struct{ subject, schema string }

// compiled is what the converter derives once from a Connect schema.
type compiled struct {
	text      string // the Avro schema, as registered
	canonical string // its Parsing Canonical Form, to compare with the registry's
	fullName  string // for the record-name strategies
	enc       encodeFunc
	last      atomic.Pointer[framing] // the last topic's header: most schemas serve one topic
	frames    sync.Map                // topic -> *framing, for a schema several topics share
}

type framing struct {
	topic  string
	header [5]byte
}

// New returns a converter that registers through reg.
func New(reg Registry, opts Options) (*Converter, error) {
	if reg == nil {
		return nil, errors.New("avro: no schema registry")
	}
	s, err := strategy(opts.SubjectStrategy)
	if err != nil {
		return nil, err
	}
	opts.SubjectStrategy = s
	if opts.CacheSize <= 0 {
		opts.CacheSize = 1000
	}
	if opts.schemaNames, err = newAdjuster(opts.SchemaNameAdjustment, "schema.name.adjustment.mode"); err != nil {
		return nil, err
	}
	if opts.fieldNames, err = newAdjuster(opts.FieldNameAdjustment, "field.name.adjustment.mode"); err != nil {
		return nil, err
	}
	return &Converter{opts: opts, reg: reg}, nil
}

func strategy(s string) (string, error) {
	s = strings.TrimSpace(s)
	name := strings.TrimPrefix(s, "io.confluent.kafka.serializers.subject.")
	switch name {
	case "":
		return TopicNameStrategy, nil
	case TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy:
		return name, nil
	}
	return "", fmt.Errorf("subject name strategy %q: use %s, %s or %s (or their io.confluent.kafka.serializers.subject. class names)", s, TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy)
}

// Convert implements converters.Converter. A nil v gives nil (a null key or
// a tombstone). Values that do not fit the schema and schemas Avro cannot
// express are definite errors; a registry that cannot be reached is a
// transient one, and nothing is written without an id.
func (c *Converter) Convert(ctx context.Context, topic string, s *change.Schema, v any) ([]byte, error) {
	return converters.Copied(ctx, c, topic, s, v)
}

// AppendConvert implements converters.Appender: the Confluent framing and
// the Avro binary after dst.
func (c *Converter) AppendConvert(ctx context.Context, dst []byte, topic string, s *change.Schema, v any) ([]byte, error) {
	if v == nil || isNilValue(v) {
		return nil, nil
	}
	if s == nil {
		return nil, fault.Definite(fmt.Errorf("avro: the %s of a record for %s has no schema; the Avro converter needs one", c.what(), topic))
	}
	cs, err := c.compiled(s)
	if err != nil {
		return nil, fault.Definite(fmt.Errorf("avro: deriving the Avro schema of the %s of %s: %w", c.what(), topic, err))
	}
	f := cs.last.Load()
	if f == nil || f.topic != topic {
		if p, ok := cs.frames.Load(topic); ok {
			f = p.(*framing)
			cs.last.Store(f)
		} else if f, err = c.frame(ctx, topic, cs); err != nil {
			return nil, err
		}
	}
	b, err := cs.enc(append(dst, f.header[:]...), v)
	if err != nil {
		return nil, fault.Definite(typeerr.Finish("avro", err))
	}
	return b, nil
}

func (c *Converter) what() string {
	if c.opts.IsKey {
		return "key"
	}
	return "value"
}

// compiled returns the derived forms of s, building them on first use.
func (c *Converter) compiled(s *change.Schema) (*compiled, error) {
	if p, ok := c.cache.Load(s); ok {
		return p.(*compiled), nil
	}
	n, err := derive(s, &c.opts)
	if err != nil {
		return nil, err
	}
	text := schemaText(n)
	// goavro checks what Avro would refuse (invalid names, a default that
	// does not fit, a name defined twice) before any registry sees it. It
	// reads without the logical types: goavro wants a decimal's default as
	// a number where Avro (and AvroData) write its bytes as a string, and
	// the Parsing Canonical Form drops them anyway.
	codec, err := goavro.NewCodec(withoutLogicalTypes(text))
	if err != nil {
		return nil, fmt.Errorf("the schema is not valid Avro (%w): %s", err, text)
	}
	enc, err := compileEncoder(s, map[*change.Schema]encodeFunc{})
	if err != nil {
		return nil, err
	}
	cs := &compiled{text: text, canonical: codec.CanonicalSchema(), fullName: n.fullName(), enc: enc}
	if n.typ != "record" {
		cs.fullName = n.typ
		if cs.fullName == "" {
			cs.fullName = "union"
		}
	}
	if c.entries.Add(1) > int64(c.opts.CacheSize) {
		c.cache.Clear()
		c.entries.Store(1)
	}
	p, _ := c.cache.LoadOrStore(s, cs)
	return p.(*compiled), nil
}

// subject names the registry subject of a record for topic.
func (c *Converter) subject(topic string, cs *compiled) string {
	switch c.opts.SubjectStrategy {
	case RecordNameStrategy:
		return cs.fullName
	case TopicRecordNameStrategy:
		return topic + "-" + cs.fullName
	}
	return topic + "-" + c.what()
}

// frame finds the schema id for topic (one registry round trip per new
// subject and schema text) and remembers the header.
func (c *Converter) frame(ctx context.Context, topic string, cs *compiled) (*framing, error) {
	subject := c.subject(topic, cs)
	key := idKey{subject, cs.text}
	id, ok := c.ids.Load(key)
	if !ok {
		if converters.IsCachedOnly(ctx) {
			return nil, converters.ErrNotCached
		}
		c.regMu.Lock()
		defer c.regMu.Unlock()
		if id, ok = c.ids.Load(key); !ok {
			n, err := c.schemaID(ctx, topic, subject, cs)
			if err != nil {
				return nil, err
			}
			if c.idCount.Add(1) > int64(c.opts.CacheSize) {
				c.ids.Clear()
				c.idCount.Store(1)
			}
			c.ids.Store(key, n)
			id = n
		}
	}
	f := &framing{topic: topic}
	binary.BigEndian.PutUint32(f.header[1:], uint32(id.(int)))
	cs.frames.Store(topic, f)
	cs.last.Store(f)
	return f, nil
}

func (c *Converter) schemaID(ctx context.Context, topic, subject string, cs *compiled) (int, error) {
	switch {
	case c.opts.UseLatestVersion:
		return c.latestID(ctx, topic, subject, cs)
	case !c.opts.AutoRegister:
		id, err := c.reg.Lookup(ctx, subject, cs.text)
		if notFound(err) {
			return 0, fault.Definite(fmt.Errorf("avro: the %s schema of topic %s (%s) is not registered under subject %q, and auto.register.schemas is false: register it, or set auto.register.schemas=true: %w", c.what(), topic, cs.fullName, subject, err))
		}
		if err != nil {
			return 0, fmt.Errorf("avro: looking up the %s schema of topic %s: %w%s", c.what(), topic, err, c.urlHint(err))
		}
		return id, nil
	}
	id, err := c.reg.Register(ctx, subject, cs.text)
	var re interface{ Incompatible() bool }
	if errors.As(err, &re) && re.Incompatible() {
		return 0, fault.Definite(fmt.Errorf("avro: the schema registry refused the new %s schema of topic %s (record %s) under subject %q as incompatible with the subject's earlier versions (%w); this change of the table cannot be written under the subject's compatibility level: relax it (PUT /config/%s), or restore the table's structure", c.what(), topic, cs.fullName, subject, err, subject))
	}
	if err != nil {
		return 0, fmt.Errorf("avro: registering the %s schema of topic %s: %w%s", c.what(), topic, err, c.urlHint(err))
	}
	return id, nil
}

// urlHint names the setting to check when the registry did not answer
// (retried: it may come back); a registry's own refusal needs no hint.
func (c *Converter) urlHint(err error) string {
	if fault.IsDefinite(err) {
		return ""
	}
	return fmt.Sprintf(" (is the schema registry in %s.converter.schema.registry.url up?)", c.what())
}

func (c *Converter) latestID(ctx context.Context, topic, subject string, cs *compiled) (int, error) {
	id, text, err := c.reg.Latest(ctx, subject)
	if err != nil {
		if notFound(err) {
			err = fault.Definite(err)
		}
		return 0, fmt.Errorf("avro: use.latest.version for the %s of topic %s: %w", c.what(), topic, err)
	}
	codec, err := goavro.NewCodec(withoutLogicalTypes(text))
	if err != nil {
		return 0, fault.Definite(fmt.Errorf("avro: the latest version of subject %q is not an Avro schema Sluice can read: %w", subject, err))
	}
	if codec.CanonicalSchema() != cs.canonical {
		return 0, fault.Definite(fmt.Errorf("avro: use.latest.version: the latest version of subject %q (id %d) differs from the %s schema of topic %s, and Sluice writes records only with their own schema: register it, or set use.latest.version=false", subject, id, c.what(), topic))
	}
	return id, nil
}

var logicalTypeProp = regexp.MustCompile(`,"logicalType":"[a-z-]+"`)

func withoutLogicalTypes(text string) string { return logicalTypeProp.ReplaceAllString(text, "") }

func notFound(err error) bool {
	var re interface{ NotFound() bool }
	return errors.As(err, &re) && re.NotFound()
}
