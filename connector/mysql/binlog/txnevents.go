package binlog

import (
	"encoding/binary"

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
