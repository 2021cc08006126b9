// Package converters turns Connect data (change.Schema plus a value in the
// representation change.Schema documents) into the bytes of a Kafka record
// key, value or header, the way Kafka Connect's converters do.
//
// Subpackages: jsonconv (Kafka Connect's JsonConverter format) and header
// (SimpleHeaderConverter's string form for record headers).
package converters

import (
	"context"
	"errors"
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
// Implementations must be safe for concurrent use by multiple goroutines:
// with sluice.conversion.threads above 1 the poller's workers convert in
// parallel, under a context marked by CachedOnly.
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

type cachedOnlyKey struct{}

// CachedOnly marks ctx for a conversion that must not call out: a
// converter backed by a schema registry that would have to register or
// look up a schema returns ErrNotCached instead. The poller's workers
// convert under it, and the poller converts what they could not itself,
// in the events' order, so that a table's new schema versions reach the
// registry in the order its changes were made.
func CachedOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, cachedOnlyKey{}, true)
}

// IsCachedOnly reports whether ctx is marked by CachedOnly.
func IsCachedOnly(ctx context.Context) bool {
	v, _ := ctx.Value(cachedOnlyKey{}).(bool)
	return v
}

// ErrNotCached is what a conversion under CachedOnly returns in place of a
// call to a schema registry. It is transient: the same conversion without
// the mark succeeds or fails on its own.
var ErrNotCached = errors.New("the schema's registry id is not known yet, and this conversion may not ask the registry")
