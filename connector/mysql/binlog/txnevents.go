package binlog

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/go-mysql-org/go-mysql/replication"
)

// The stream's own dump decodes the two events every transaction logs
// besides its rows, the XID that commits it and MariaDB's GTID that starts
// it, itself: go-mysql makes three objects of each (the event, its header,
// its body), which with one-row transactions was a twentieth of the
// daemon's CPU in allocation and collection. Here each kind is one object,
// the fields decoded as go-mysql decodes them, reused for every event of
// its kind: the stream reads an event's fields before it asks for the next
// and keeps no pointer into it (one allocation a transaction for each kind
// was 3-4% of one-row transactions' CPU). Anything unexpected (a size that
// disagrees with the header, a body too short) goes to the parser, for its
// error.

type xidAlloc struct {
	ev replication.BinlogEvent
	h  replication.EventHeader
	e  replication.XIDEvent
}

type mariadbGTIDAlloc struct {
	ev replication.BinlogEvent
	h  replication.EventHeader
	e  replication.MariadbGTIDEvent
}

// txnEvent decodes data when it is an XID or MariaDB GTID event; ok is
// false otherwise, and for any event the parser should judge. The event
// is valid until the next call.
func (c *tableMaps) txnEvent(data []byte) (ev *replication.BinlogEvent, ok bool) {
	if c.idSize == 0 || len(data) < replication.EventHeaderSize+c.sumSize {
		return nil, false // no FORMAT_DESCRIPTION yet: its checksum is unknown
	}
	var h replication.EventHeader
	if h.Decode(data) != nil || int(h.EventSize) != len(data) {
		return nil, false
	}
	body := data[replication.EventHeaderSize : len(data)-c.sumSize]
	switch h.EventType {
	case replication.XID_EVENT:
		if len(body) < 8 {
			return nil, false
		}
		a := &c.xid
		*a = xidAlloc{h: h}
		a.e.XID = binary.LittleEndian.Uint64(body)
		a.ev = replication.BinlogEvent{RawData: data, Header: &a.h, Event: &a.e}
		return &a.ev, true
	case replication.MARIADB_GTID_EVENT:
		if len(body) < 13 || body[12]&replication.BINLOG_MARIADB_FL_GROUP_COMMIT_ID != 0 && len(body) < 21 {
			return nil, false
		}
		a := &c.gtid
		*a = mariadbGTIDAlloc{h: h}
		a.e.GTID.ServerID = h.ServerID
		a.e.GTID.SequenceNumber = binary.LittleEndian.Uint64(body)
		a.e.GTID.DomainID = binary.LittleEndian.Uint32(body[8:])
		a.e.Flags = body[12]
		if a.e.Flags&replication.BINLOG_MARIADB_FL_GROUP_COMMIT_ID != 0 {
			a.e.CommitID = binary.LittleEndian.Uint64(body[13:])
		}
		a.ev = replication.BinlogEvent{RawData: data, Header: &a.h, Event: &a.e}
		return &a.ev, true
	}
	return nil, false
}

// rowsAgain decodes a rows event into one reused event, header and
// RowsEvent, as txnEvent does for XIDs and GTIDs, once the parser has made
// a RowsEvent of its type: go-mysql makes seven objects (384 bytes) for a
// one-row event (BenchmarkRowsEventAgain), that much a row with one-row
// transactions. The parser's settings live in the RowsEvent's unexported
// fields (the table id's size, the parser's TABLE_MAPs, the decoding
// options), so the first event of each type goes through the parser and
// its RowsEvent, with the decoded fields cleared, is the template of the
// others (keep). The templates point at the parser's map of TABLE_MAPs:
// they are dropped whenever the parser makes a new one (a statement end it
// was let see) or reads a new format.
type rowsAgain struct {
	ev   replication.BinlogEvent
	h    replication.EventHeader
	e    replication.RowsEvent
	tmpl map[replication.EventType]*replication.RowsEvent
}

// decode decodes data into the reused objects with the parser's decoding
// function; again is false when there is no template for its type or its
// framing is not as expected (the parser then judges it). The event is
// valid until the next call.
func (a *rowsAgain) decode(c *tableMaps, data []byte) (ev *replication.BinlogEvent, again bool, err error) {
	t, ok := a.tmpl[replication.EventType(data[4])]
	if !ok || len(data) < replication.EventHeaderSize+c.sumSize {
		return nil, false, nil
	}
	// The header is decoded apart and kept only with the event: the
	// stream may still hold the last event's (its mid-transaction marker
	// after a failed read).
	var h replication.EventHeader
	if err := h.Decode(data); err != nil || int(h.EventSize) != len(data) {
		return nil, false, nil
	}
	if c.sumSize > 0 {
		body := data[:len(data)-c.sumSize]
		if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(data[len(body):]) {
			return nil, false, nil // the parser's error, if it checks
		}
	}
	rows := a.e.Rows[:0]
	a.e = *t
	a.e.Rows = rows
	body := data[replication.EventHeaderSize : len(data)-c.sumSize]
	if err := c.dec.decode(&a.e, body); err != nil {
		eh := h
		return nil, true, &replication.EventError{Header: &eh, Err: err.Error(), Data: body}
	}
	a.h = h
	a.ev = replication.BinlogEvent{RawData: data, Header: &a.h, Event: &a.e}
	return &a.ev, true, nil
}

// keep makes e, a RowsEvent of type typ the parser made and decoded, the
// template of its type.
func (a *rowsAgain) keep(typ replication.EventType, e *replication.RowsEvent) {
	if a.tmpl == nil {
		a.tmpl = map[replication.EventType]*replication.RowsEvent{}
	}
	t := *e
	t.Table, t.TableID, t.Flags, t.NdbFormat, t.NdbData = nil, 0, 0, 0, nil
	t.PartitionId, t.SourcePartitionId, t.ColumnCount = 0, 0, 0
	t.ColumnBitmap1, t.ColumnBitmap2, t.Rows, t.SkippedColumns = nil, nil, nil, nil
	a.tmpl[typ] = &t
}

// forget drops the templates.
func (a *rowsAgain) forget() { clear(a.tmpl) }
