// Package converters turns Connect data (change.Schema plus a value in the
// representation change.Schema documents) into the bytes of a Kafka record
// key, value or header, the way Kafka Connect's converters do.
//
// Subpackages: jsonconv (Kafka Connect's JsonConverter format) and header
// (SimpleHeaderConverter's string form for record headers).
package converters

import (
	"context"
	"sync"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Converter serialises one record key or value.
//
// Convert returns a freshly allocated slice that the caller owns and may keep
// (it becomes the Kafka record's key or value); the converter never touches it
// again. A nil value converts to nil: a null key, or a tombstone value. s
// describes v; schemas are immutable and implementations may cache whatever
// they derive from one, keyed by the pointer. topic is the destination topic
// (Connect passes it to converters; JSON ignores it, Avro derives the subject
// from it).
//
// Whether a converter serialises keys or values is fixed when it is built,
// as Kafka Connect's configure(props, isKey) fixes it: a converter backed by
// a schema registry derives the subject (<topic>-key, <topic>-value) from it.
//
// Errors follow internal/fault: an error marked definite (a value that does
// not fit its schema) stops the task before its offset; any other error (a
// schema registry that does not answer) is transient, and the caller retries.
// ctx bounds any remote call a converter makes; a converter that makes none
// ignores it.
//
// Implementations must be safe for concurrent use by multiple goroutines.
// The poller calls Convert from its one goroutine today; the contract leaves
// room for converting in parallel.
type Converter interface {
	Convert(ctx context.Context, topic string, s *change.Schema, v any) ([]byte, error)
}

// Appender is a Converter that can also write to the end of a buffer the
// caller owns, so that the caller can reuse buffers (the poller recycles
// record values once Kafka has acknowledged them). AppendConvert follows
// Convert in all else: a null it converts to nil returns nil (dst is then
// unused), and its errors are Convert's. On error the returned slice is nil
// and dst's contents past its length are undefined.
type Appender interface {
	Converter
	AppendConvert(ctx context.Context, dst []byte, topic string, s *change.Schema, v any) ([]byte, error)
}

// scratch holds the buffers Copied writes into.
var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxScratch keeps one huge record from pinning its buffer forever.
const maxScratch = 1 << 20

// Copied is Convert for an Appender: it writes into a pooled scratch buffer
// and returns a copy of exactly the result's size, which the caller owns.
func Copied(ctx context.Context, a Appender, topic string, s *change.Schema, v any) ([]byte, error) {
	bp := scratch.Get().(*[]byte)
	b, err := a.AppendConvert(ctx, (*bp)[:0], topic, s, v)
	var out []byte
	if b != nil {
		out = make([]byte, len(b))
		copy(out, b)
		*bp = b[:0]
	}
	if cap(*bp) <= maxScratch {
		scratch.Put(bp)
	}
	return out, err
}
