// Package fieldmemo lets a converter copy the encoded text of a struct's
// fields from the last struct it wrote, instead of writing them again,
// wherever the values are the very same. Records share most of their
// source block: every row of a binlog event has the same version,
// connector, name, times, database, table, server id, GTID, file and
// position, and only source.row differs. The source block is four fifths of
// a bulk insert's JSON without schemas, and writing it again for each row
// cost about a third of the JSON converter's time.
//
// "The very same" is the same interface value, type word and data word:
// values are never written once boxed (internal/box), and a Memo holds the
// last struct's values, so their memory cannot be reused for others while
// it compares against them. Hence a Memo is only for structs whose fields
// are plain values (integers, floats, booleans, strings), whose text
// depends on nothing but the value; a pointer to something mutable would
// compare equal after a change.
package fieldmemo

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/sluice-cdc/sluice/connector/change"
)

const (
	// MinFields and MaxFields bound the structs worth a Memo: fewer fields
	// cost less to write than to look up; more would not fit the offsets
	// kept in the Memo and the mask of fields written.
	MinFields = 4
	MaxFields = 64
	// tries structs in a row that reused fewer than half their fields (a
	// row image, a key: new values every time) turn a Memo off.
	tries = 16
	// maxText: a longer text is not held, so as not to keep its memory.
	maxText = 4096
)

// Worth reports whether structs of schema s get a Memo: four to 64 fields,
// each a plain value (integer, float, boolean or string) whose text depends
// on the value alone.
func Worth(s *change.Schema) bool {
	if s.Type != change.Struct || len(s.Fields) < MinFields || len(s.Fields) > MaxFields {
		return false
	}
	for _, f := range s.Fields {
		if f.Schema == nil {
			return false
		}
		switch f.Schema.Type {
		case change.Int8, change.Int16, change.Int32, change.Int64, change.Float32, change.Float64, change.Boolean, change.String:
		default:
			return false
		}
	}
	return true
}

// A Memo holds the last struct written with it: its values, its fields'
// text and where each field's text starts. Its zero value is ready. It is
// safe for concurrent use: a Memo busy in another goroutine is passed by.
type Memo struct {
	mu   sync.Mutex
	off  atomic.Bool // read without mu: a struct with the memo off takes no lock
	poor int

	words []any   // the held struct's values; nil until one is held
	text  []byte  // its fields' text, one after the other
	at    []int32 // where each field's text starts in text; then its end
	// scratch is Append's offsets of the struct being written (under mu).
	scratch [MaxFields + 1]int32
}

// Append appends the text of a struct's fields, vals, each one either
// copied from the held text or written by write (which must write field i
// of value v exactly as it would without a Memo). ok false: the Memo is off
// or busy, nothing was written, and the caller writes the fields itself.
// On an error, b holds what was written so far.
func (m *Memo) Append(b []byte, vals []any, write func(b []byte, i int, v any) ([]byte, error)) (_ []byte, ok bool, _ error) {
	n := len(vals)
	if n > MaxFields || m.off.Load() || !m.mu.TryLock() {
		return b, false, nil
	}
	defer m.mu.Unlock()
	if len(m.words) != n {
		m.words = nil // a struct of another length (callers check theirs): nothing to compare
	}
	at := &m.scratch // where each field's text starts, from start
	start := len(b)
	vw, held := words(vals), words(m.words) // compared word pair by word pair (iface)
	hits, run := 0, -1                      // run: the first held field not yet copied
	var miss uint64                         // the fields written, not copied
	for i, v := range vals {
		if held != nil && vw[i] == held[i] {
			if run < 0 {
				run = i
			}
			hits++
			continue
		}
		if run >= 0 {
			b, run = m.copyFields(b, run, i, start, at), -1
		}
		miss |= 1 << i
		at[i] = int32(len(b) - start)
		var err error
		if b, err = write(b, i, v); err != nil {
			return b, true, err
		}
	}
	if run >= 0 {
		b = m.copyFields(b, run, n, start, at)
	}
	at[n] = int32(len(b) - start)
	// A struct that differs from the held one in a single field (source.row,
	// row after row of an event) is not held instead: that field will
	// differ again, and the others are held already.
	if hits < n-1 || held == nil {
		m.hold(vals, b[start:], at[:n+1], held == nil || hits*2 >= n, miss)
	}
	return b, true, nil
}

// iface is an interface value's two words: its dynamic type and its data.
// Two values are the very same when both words are; comparing them with ==
// would compare the values instead (and panic on slices).
type iface struct{ typ, data unsafe.Pointer }

// Same reports whether a and b are the very same value: the same dynamic
// type and data word. A converter that wrote a, with the same schema, may
// copy its text for b.
func Same(a, b any) bool {
	return *(*iface)(unsafe.Pointer(&a)) == *(*iface)(unsafe.Pointer(&b))
}

func words(vals []any) []iface {
	if vals == nil {
		return nil
	}
	return unsafe.Slice((*iface)(unsafe.Pointer(unsafe.SliceData(vals))), len(vals))
}

// copyFields appends the held text of fields from to to-1, noting where
// each one lands.
func (m *Memo) copyFields(b []byte, from, to, start int, at *[MaxFields + 1]int32) []byte {
	shift := int32(len(b)-start) - m.at[from]
	for j := from; j < to; j++ {
		at[j] = m.at[j] + shift
	}
	return append(b, m.text[m.at[from]:m.at[to]]...)
}

// hold keeps a struct just written, or turns the Memo off after too many
// that reused little.
func (m *Memo) hold(vals []any, text []byte, at []int32, good bool, miss uint64) {
	if good {
		m.poor = 0
	} else if m.poor++; m.poor >= tries {
		m.words, m.text, m.at = nil, nil, nil
		m.off.Store(true)
		return
	}
	if len(text) > maxText {
		m.words = nil // nothing held: the next struct writes every field
		return
	}
	if m.words == nil {
		m.words = append([]any(nil), vals...)
	} else {
		// Only the values that differ: each store of an interface pays
		// the collector's write barrier while it marks, and one-row
		// transactions hold a struct a row.
		for ; miss != 0; miss &= miss - 1 {
			i := bits.TrailingZeros64(miss)
			m.words[i] = vals[i]
		}
	}
	m.text = append(m.text[:0], text...)
	m.at = append(m.at[:0], at...)
}

// Off reports whether the Memo has turned itself off (for tests).
func (m *Memo) Off() bool { return m.off.Load() }

// Holds reports whether the Memo holds a struct whose field i is v (for
// tests).
func (m *Memo) Holds(i int, v any) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.words != nil && words(m.words)[i] == words([]any{v})[0]
}
