package binlog

import (
	"bytes"
	"encoding/binary"

	"github.com/go-mysql-org/go-mysql/replication"
)

// tableMaps lets the stream's own dump skip go-mysql's decoding of a
// TABLE_MAP it has decoded before. Every transaction logs a TABLE_MAP for
// each table it changes, and decoding one (its optional metadata: names,
// charsets, enum values) and filing it cost about a twelfth of the
// daemon's CPU with one-row transactions.
//
// A TABLE_MAP whose bytes after the header (checksum aside) equal those of the last one
// decoded for its table id is returned as that same event, without the
// parser seeing it. The rows events after it then need the parser to still
// hold that event for the id, which it would not: go-mysql forgets every
// TABLE_MAP at the end of each statement (STMT_END_F). So while rows events
// are parsed, the rows decoder hides the flag from the parser and the flag is
// put back on the event before the stream sees it. Every TABLE_MAP still
// goes through here, so the parser's map and this one agree; a statement
// end is let through (and both are emptied) once maxHeld ids are held, so
// that neither grows with ids a long run leaves behind.
type tableMaps struct {
	dec    *rowsDecoder
	idSize int // bytes of a table id; 0 until a FORMAT_DESCRIPTION says
	// sumSize is the bytes of the checksum that ends each event: it covers
	// the header too, so it differs between equal TABLE_MAPs.
	sumSize int
	byID    map[uint64]heldTableMap
	// xid and gtid are the objects txnEvent decodes into, again for each
	// such event; held is the event and header a held TABLE_MAP is
	// returned in, on the same terms (valid until the next call).
	xid  xidAlloc
	gtid mariadbGTIDAlloc
	held struct {
		ev replication.BinlogEvent
		h  replication.EventHeader
	}
	again rowsAgain
}

type heldTableMap struct {
	body []byte // the event's bytes after its header (a copy)
	ev   *replication.TableMapEvent
}

// maxHeld is a variable for the tests only.
var maxHeld = 256

func newTableMaps(dec *rowsDecoder) *tableMaps {
	return &tableMaps{dec: dec, byID: map[uint64]heldTableMap{}}
}

// parse is p.Parse(data), with TABLE_MAPs held as above.
func (c *tableMaps) parse(p *replication.BinlogParser, data []byte) (*replication.BinlogEvent, error) {
	if len(data) < replication.EventHeaderSize {
		return p.Parse(data)
	}
	switch t := replication.EventType(data[4]); {
	case t == replication.TABLE_MAP_EVENT && c.idSize > 0:
		return c.tableMap(p, data)
	case isRowsEventType(t):
		return c.rows(p, data)
	case t == replication.XID_EVENT || t == replication.MARIADB_GTID_EVENT:
		if ev, ok := c.txnEvent(data); ok {
			return ev, nil
		}
	case t == replication.FORMAT_DESCRIPTION_EVENT:
		ev, err := p.Parse(data)
		if err != nil {
			return nil, err
		}
		c.idSize, c.sumSize = 0, 0
		c.again.forget() // the templates hold the old format's id size
		if f, ok := ev.Event.(*replication.FormatDescriptionEvent); ok && len(f.EventTypeHeaderLengths) >= int(replication.TABLE_MAP_EVENT) {
			c.idSize = 6
			if f.EventTypeHeaderLengths[replication.TABLE_MAP_EVENT-1] == 6 {
				c.idSize = 4
			}
			if f.ChecksumAlgorithm == replication.BINLOG_CHECKSUM_ALG_CRC32 {
				c.sumSize = replication.BinlogChecksumLength
			}
		}
		return ev, nil
	}
	return p.Parse(data)
}

func (c *tableMaps) tableMap(p *replication.BinlogParser, data []byte) (*replication.BinlogEvent, error) {
	body := data[replication.EventHeaderSize:]
	if len(body) < c.idSize+c.sumSize {
		return p.Parse(data)
	}
	body = body[:len(body)-c.sumSize]
	var id [8]byte
	copy(id[:], body[:c.idSize])
	key := binary.LittleEndian.Uint64(id[:])
	if held, ok := c.byID[key]; ok && bytes.Equal(held.body, body) {
		a := &c.held
		if err := a.h.Decode(data); err != nil {
			return nil, err
		}
		a.ev = replication.BinlogEvent{RawData: data, Header: &a.h, Event: held.ev}
		return &a.ev, nil
	}
	// Decoded from a copy of its own: a held event keeps its bytes alive,
	// and those of the packet would keep the packet's whole slab.
	own := bytes.Clone(data)
	ev, err := p.Parse(own)
	if err != nil {
		return nil, err
	}
	if tm, ok := ev.Event.(*replication.TableMapEvent); ok {
		c.byID[key] = heldTableMap{body: own[replication.EventHeaderSize : len(own)-c.sumSize], ev: tm}
	}
	return ev, nil
}

func (c *tableMaps) rows(p *replication.BinlogParser, data []byte) (*replication.BinlogEvent, error) {
	hold := len(c.byID) < maxHeld
	c.dec.holdStmtEnd, c.dec.heldStmtEnd = hold, false
	c.dec.evType = replication.EventType(data[4])
	var ev *replication.BinlogEvent
	var again bool
	var err error
	if hold && c.idSize > 0 {
		ev, again, err = c.again.decode(c, data)
	}
	if !again {
		ev, err = p.Parse(data)
	}
	held := c.dec.heldStmtEnd
	c.dec.holdStmtEnd, c.dec.heldStmtEnd, c.dec.evType = false, false, 0
	if err != nil {
		return nil, err
	}
	re, ok := ev.Event.(*replication.RowsEvent)
	switch {
	case !ok:
	case held:
		re.Flags |= replication.RowsEventStmtEndFlag
	case re.Flags&replication.RowsEventStmtEndFlag != 0:
		clear(c.byID) // the parser has forgotten its TABLE_MAPs too
		c.again.forget()
	}
	if ok && !again && hold && c.idSize > 0 {
		c.again.keep(replication.EventType(data[4]), re)
	}
	return ev, nil
}

func isRowsEventType(t replication.EventType) bool {
	switch t {
	case replication.WRITE_ROWS_EVENTv0, replication.UPDATE_ROWS_EVENTv0, replication.DELETE_ROWS_EVENTv0,
		replication.WRITE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv1, replication.DELETE_ROWS_EVENTv1,
		replication.WRITE_ROWS_EVENTv2, replication.UPDATE_ROWS_EVENTv2, replication.DELETE_ROWS_EVENTv2,
		replication.MARIADB_WRITE_ROWS_COMPRESSED_EVENT_V1, replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1,
		replication.MARIADB_DELETE_ROWS_COMPRESSED_EVENT_V1, replication.PARTIAL_UPDATE_ROWS_EVENT:
		return true
	}
	return false
}
