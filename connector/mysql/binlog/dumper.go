package binlog

import (
	"context"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
)

// Dumper opens the binlog dumps the stream reads, in place of the stream's
// own (direct.go), which registers as a replica (COM_REGISTER_SLAVE) on a
// connection to the server itself. A source that reaches the binlog through a
// proxy (VTGate's binlog dump, package vtbinlog) supplies one with
// Streamer.SetDumper. Dump is called from the streaming goroutine, once per
// connection; the reader it returns is used and closed there.
type Dumper interface {
	// Dump starts a dump after the transactions of gset (never nil: a
	// Dumper streams by GTID only) and returns its events, decoded by
	// parser, which is configured as the stream needs it.
	Dump(ctx context.Context, gset gmysql.GTIDSet, parser *replication.BinlogParser) (EventReader, error)
}

// EventReader is one open binlog dump.
type EventReader interface {
	// GetEvent returns the next event; when ctx ends it returns ctx's
	// error. Any error ends the dump.
	GetEvent(ctx context.Context) (*replication.BinlogEvent, error)
	// Close ends the dump and releases its connection.
	Close()
}

// SetDumper makes the stream read its binlog through d; it must be set
// before Stream.
func (s *Streamer) SetDumper(d Dumper) { s.dumper = d }

// NewParser is a binlog event parser set up as the stream's own dumps are
// (time values parsed, MySQL JSON kept binary until converted), for a
// Dumper.
func (s *Streamer) NewParser() *replication.BinlogParser {
	p, _ := s.newParser()
	return p
}

// newParser is NewParser, with the rows decoder it was given.
func (s *Streamer) newParser() (*replication.BinlogParser, *rowsDecoder) {
	p := replication.NewBinlogParser()
	p.SetFlavor(s.cfg.Proto())
	p.SetParseTime(true)
	d := &rowsDecoder{mu: &s.tables.tmMu}
	p.SetRowsEventDecodeFunc(d.decode) // one per parser, as for the syncer
	return p, d
}
