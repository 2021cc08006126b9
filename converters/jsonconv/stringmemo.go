package jsonconv

import (
	"sync"
	"unsafe"
)

// A struct field remembers the last long string it wrote and, once that
// same string comes again, its JSON. Rows share strings of their source
// block: a Vitess VGTID (hundreds of bytes, a quote every few) is one
// string for every row of a transaction or copy batch, and escaping it
// again for each row was a seventh of the daemon's CPU.
//
// "The same" is the same memory, not equal text: Go strings are
// immutable, and the memo holds the last one, so its memory cannot be
// reused for another while it is compared against. A field's strings that
// change every row cost a lock and a comparison and are written as before.
const (
	memoMin = 64   // shorter ones cost less to escape than to look up
	memoMax = 4096 // longer ones would keep their JSON's memory
)

type stringMemo struct {
	mu    sync.Mutex // the converter is used from several goroutines
	last  string
	json  []byte // last as JSON, when ready
	ready bool
}

// append writes s as appendString does.
func (m *stringMemo) append(b []byte, s string) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(s) == len(m.last) && unsafe.StringData(s) == unsafe.StringData(m.last) {
		if m.ready {
			return append(b, m.json...)
		}
		start := len(b)
		b = appendString(b, s)
		m.json, m.ready = append(m.json[:0], b[start:]...), true
		return b
	}
	m.last, m.ready = s, false
	return appendString(b, s)
}
