package jsonconv

import "sync/atomic"

// An integer field remembers the last long integer it wrote and its text.
// Many records share their long integers: the envelope's ts_ms, ts_us and
// ts_ns are one clock reading for dozens of records, the source block's
// for every row of a binlog event, a DATETIME set by NOW() for every row of
// a statement. Writing 13 to 19 digits again cost 5% of a bulk insert's
// CPU. A field whose values keep changing (a binlog position, a row id)
// stops remembering after intMemoTries misses in a row: each miss costs an
// allocation.
const (
	intMemoMin   = 1e8 // shorter numbers cost less to write than to look up
	intMemoTries = 8
)

type intMemo struct {
	last   atomic.Pointer[intText]
	misses atomic.Int32 // in a row; intMemoTries turns the memo off
}

// intText is a number and its JSON, never changed once stored.
type intText struct {
	n    int64
	len  uint8
	text [20]byte
}

// append writes n as appendInt does.
func (m *intMemo) append(b []byte, n int64) []byte {
	if n < intMemoMin && n > -intMemoMin || m.misses.Load() >= intMemoTries {
		return appendInt(b, n)
	}
	if t := m.last.Load(); t != nil && t.n == n {
		if m.misses.Load() != 0 {
			m.misses.Store(0)
		}
		return append(b, t.text[:t.len]...)
	}
	m.misses.Add(1)
	start := len(b)
	b = appendInt(b, n)
	t := &intText{n: n, len: uint8(len(b) - start)}
	copy(t.text[:], b[start:])
	m.last.Store(t)
	return b
}
