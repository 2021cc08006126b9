package jsonconv

import (
	"sync"
	"sync/atomic"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/typeerr"
)

// A struct of plain fields (integers, floats, booleans, strings) remembers
// the last value it wrote and that value's JSON, and copies the text of
// every field whose value is the very same one again. Records share most of
// their source block: every row of a binlog event has the same version,
// connector, name, times, database, table, server id, GTID, file and
// position, and only source.row differs. The source block is four fifths of
// a bulk insert's JSON without schemas, and writing it again for each row
// cost about a third of the converter's time.
//
// "The very same" is the same interface value, type and data word, as
// sameValue compares: values are never written once boxed (internal/box),
// and the memo holds the last struct's values, so their memory cannot be
// reused for others while it compares against them. Structs whose values
// are new for every record (a row image, a key) cost a comparison a field
// and a copy of their text, and turn the memo off after structMemoTries of
// them in a row.
const (
	structMemoTries   = 16
	structMemoMinKeep = 4    // fewer fields cost less to write than to look up
	structMemoMaxText = 4096 // longer texts would keep their memory
)

type structMemo struct {
	mu   sync.Mutex  // the converter is used from several goroutines
	off  atomic.Bool // read without mu: a struct with the memo off takes no lock
	poor int         // structs in a row that reused fewer than half their fields

	words []any   // the held struct's values; nil until one is held
	text  []byte  // its JSON, '{' to '}'
	keyAt []int32 // where each field's key starts in text; then the '}'
}

// memoizable reports whether structs of plan p get a memo: only fields
// whose values are boxed scalars, so that the same data word is the same
// text whatever happens to other memory.
func memoizable(p *plan) bool {
	if len(p.fields) < structMemoMinKeep || len(p.fields) > maxPairFields {
		return false
	}
	for i := range p.fields {
		switch p.fields[i].p.kind {
		case kInt, kFloat32, kFloat64, kBool, kString:
		default:
			return false
		}
	}
	return true
}

// appendMemoStruct writes v as appendFields does, copying from m's text
// each field whose value m holds. A busy memo (another goroutine's) is
// passed by.
func (c *Converter) appendMemoStruct(b []byte, p *plan, v *change.Value, m *structMemo) ([]byte, error) {
	if v == nil || m.off.Load() || !m.mu.TryLock() {
		return c.appendFields(b, p, v, nil, nil)
	}
	defer m.mu.Unlock()
	if err := typeerr.CheckStruct(p.s, v.Schema); err != nil {
		return b, err
	}
	n := len(p.fields)
	if len(v.Values) != n {
		return b, typeErr(p.s, "struct value has %d values for %d fields", len(v.Values), n)
	}
	var at [maxPairFields + 1]int32 // where each field's key starts, from start
	start := len(b)
	b = append(b, '{')
	hits, run := 0, -1 // run: the first held field not yet copied
	vals, held := v.Values[:n], m.words
	if held != nil {
		held = held[:n]
	}
	for i := 0; i < n; i++ {
		fv := vals[i]
		if held != nil && sameValue(fv, held[i]) {
			if run < 0 {
				run = i
			}
			hits++
			continue
		}
		if run >= 0 {
			b, run = m.copyFields(b, run, i, start, &at), -1
		}
		f := &p.fields[i]
		at[i] = int32(len(b) - start)
		b = append(b, f.key...)
		var err error
		if b, err = c.appendField(b, f, fv); err != nil {
			return b, inPath(err, f.name)
		}
	}
	if run >= 0 {
		b = m.copyFields(b, run, n, start, &at)
	}
	at[n] = int32(len(b) - start)
	b = append(b, '}')
	// A struct that differs from the held one in a single field (source.row,
	// row after row of an event) is not held instead: that field will
	// differ again, and the others are held already.
	if hits < n-1 || m.words == nil {
		m.hold(v.Values, b[start:], at[:n+1], hits*2 >= n)
	}
	return b, nil
}

// copyFields appends the held text of fields from to to-1, noting where
// each one's key lands.
func (m *structMemo) copyFields(b []byte, from, to, start int, at *[maxPairFields + 1]int32) []byte {
	shift := int32(len(b)-start) - m.keyAt[from]
	for j := from; j < to; j++ {
		at[j] = m.keyAt[j] + shift
	}
	return append(b, m.text[m.keyAt[from]:m.keyAt[to]]...)
}

// hold keeps a struct just written, or turns the memo off after too many
// that reused little.
func (m *structMemo) hold(vals []any, text []byte, at []int32, good bool) {
	if good {
		m.poor = 0
	} else if m.poor++; m.poor >= structMemoTries {
		m.words, m.text, m.keyAt = nil, nil, nil
		m.off.Store(true)
		return
	}
	if len(text) > structMemoMaxText {
		m.words = nil // nothing held: the next struct writes every field
		return
	}
	m.words = append(m.words[:0], vals...)
	m.text = append(m.text[:0], text...)
	m.keyAt = append(m.keyAt[:0], at...)
}
