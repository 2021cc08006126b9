package connector

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/header"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// encoder turns records into Kafka's with a key and a value converter and
// memory of its own: the poller has one, and each conversion worker
// another (workers.go), so that none shares a converter's caches or a
// slab with another goroutine.
type encoder struct {
	key, value           converters.Converter
	keyClass, valueClass string
	// values is the poller's recycler, which the producer's promises fill
	// from any goroutine (it locks).
	values    *recycler
	slab      slab // the keys' and small values' memory
	lastValue int  // the last value's size
	// task are the task's headers and taskHeaders the same converted once,
	// shared by every record that has only them (Kafka clients only read
	// them).
	task        []change.Header
	taskHeaders []kgo.RecordHeader
	// retry, when set, retries what a converter fails on transiently (a
	// schema registry that does not answer). A worker has none: the
	// poller converts the event again itself, retrying in order.
	retry func(ctx context.Context, what string, f func() error) error
}

func newEncoder(cfg *PollerConfig, values *recycler) encoder {
	e := encoder{key: cfg.KeyConverter, value: cfg.ValueConverter, keyClass: cfg.KeyConverterClass,
		valueClass: cfg.ValueConverterClass, values: values, task: cfg.Headers}
	for _, h := range cfg.Headers {
		e.taskHeaders = append(e.taskHeaders, kgo.RecordHeader{Key: h.Key, Value: header.String(h.Schema, h.Value)})
	}
	return e
}

// toKafka converts a record; recycle reports that its value is the
// poller's own, for the recycler once Kafka has acknowledged it.
func (e *encoder) toKafka(ctx context.Context, r *change.Record) (kr *kgo.Record, recycle bool, err error) {
	kr = &kgo.Record{Topic: r.Topic, Timestamp: r.Timestamp} // zero: the producer's clock
	if r.FixedPartition {
		kr.Partition, kr.Context = r.Partition, fixedPartition
	}
	// A null with a schema is the converter's to write (JSON writes it;
	// Avro gives a tombstone), as in Kafka Connect; only a null without one
	// is a null key or tombstone outright.
	if r.Key != nil || r.KeySchema != nil {
		var buf []byte
		if _, appends := e.key.(converters.Appender); appends {
			buf = e.slab.tail()
		}
		if kr.Key, err = e.convert(ctx, e.key, buf, "key", r.Topic, r.KeySchema, r.Key); err != nil {
			if fault.IsDefinite(err) {
				err = &stageError{stage: stageKeyConverter, class: e.keyClass, err: err}
			}
			return nil, false, err
		}
		kr.Key, _ = e.slab.cut(kr.Key)
	}
	if r.Value != nil || r.ValueSchema != nil {
		var buf []byte
		_, appends := e.value.(converters.Appender)
		carving := false
		if appends {
			switch buf = e.values.get(); {
			case buf != nil:
			case e.lastValue >= minRecycledCap:
				// Values this large are recycled: one of its own, sized
				// by the last, joins the recycler once acknowledged.
				buf = make([]byte, 0, e.lastValue+e.lastValue/4)
			default:
				buf, carving = e.slab.tail(), true
			}
		}
		if kr.Value, err = e.convert(ctx, e.value, buf, "value", r.Topic, r.ValueSchema, r.Value); err != nil {
			if fault.IsDefinite(err) {
				err = &stageError{stage: stageValueConverter, class: e.valueClass, err: err}
			}
			return nil, false, err
		}
		// A recycled buffer, or one the value outgrew, is the poller's
		// alone: it can go to the recycler; a slab's cut cannot.
		carved := false
		if carving {
			kr.Value, carved = e.slab.cut(kr.Value)
		}
		recycle = appends && kr.Value != nil && !carved
		e.lastValue = len(kr.Value)
	}
	kr.Headers = e.kafkaHeaders(r.Headers)
	return kr, recycle, nil
}

// convert runs a converter, retrying what is transient when the encoder
// retries; the retry's closure only on a failure. With a buffer (buf
// non-nil) c is a converters.Appender and writes into it.
func (e *encoder) convert(ctx context.Context, c converters.Converter, buf []byte, what, topic string, s *change.Schema, v any) ([]byte, error) {
	b, err := convertInto(ctx, c, buf, topic, s, v)
	if err != nil && !fault.IsDefinite(err) && e.retry != nil {
		b, err = e.convertRetrying(ctx, c, buf, what, topic, s, v)
	}
	if err != nil {
		return nil, fmt.Errorf("converting the %s of a record for %s: %w", what, topic, err)
	}
	return b, nil
}

// convertRetrying is convert's retry, apart: the closure's captured result
// would otherwise move to the heap on every call, failing or not (two
// allocations a record).
func (e *encoder) convertRetrying(ctx context.Context, c converters.Converter, buf []byte, what, topic string, s *change.Schema, v any) (b []byte, err error) {
	err = e.retry(ctx, "converting a "+what+" for "+topic, func() (err error) {
		b, err = convertInto(ctx, c, buf, topic, s, v)
		return err
	})
	return b, err
}

func convertInto(ctx context.Context, c converters.Converter, buf []byte, topic string, s *change.Schema, v any) ([]byte, error) {
	if buf != nil {
		return c.(converters.Appender).AppendConvert(ctx, buf, topic, s, v)
	}
	return c.Convert(ctx, topic, s, v)
}

// kafkaHeaders converts a record's headers. The task's own headers (the
// same on every record) are converted once: a record that has only them
// shares one slice.
func (e *encoder) kafkaHeaders(hs []change.Header) []kgo.RecordHeader {
	task := e.task
	own := hs
	if n, k := len(hs), len(task); k > 0 && n >= k && sameHeaders(hs[n-k:], task) {
		own = hs[:n-k]
		if len(own) == 0 {
			return e.taskHeaders
		}
	}
	out := make([]kgo.RecordHeader, 0, len(hs))
	for _, h := range own {
		out = append(out, kgo.RecordHeader{Key: h.Key, Value: header.String(h.Schema, h.Value)})
	}
	if len(own) < len(hs) {
		out = append(out, e.taskHeaders...)
	}
	return out
}
