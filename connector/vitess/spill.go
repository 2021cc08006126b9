package vitess

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"
)

// spill holds the row events of a transaction past maxPending in a file
// until VTGate sends the transaction's VGTID, which its rows carry in
// source.vgtid (and its BEGIN as id): Debezium's Vitess connector holds
// such a transaction whole in memory; Sluice holds at most maxPending of
// it, the rest on disk, so that memory stays bounded and the records are
// Debezium's. Events are written as VStream sent them (protobuf, each
// after its length) and decoded when read back.
type spill struct {
	f *os.File
	w *bufio.Writer
	n int // events written
}

func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "sluice-vstream-*.events")
	if err != nil {
		return nil, fmt.Errorf("holding the rows of a transaction over %d MiB in a file until its VGTID (TMPDIR must be writable): %w", maxPending>>20, err)
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (s *spill) add(ev *binlogdatapb.VEvent) error {
	b, err := ev.MarshalVT()
	if err == nil {
		_, err = s.w.Write(binary.AppendUvarint(nil, uint64(len(b))))
	}
	if err == nil {
		_, err = s.w.Write(b)
	}
	if err != nil {
		return fmt.Errorf("writing a large transaction's rows to %s: %w", s.f.Name(), err)
	}
	s.n++
	return nil
}

// replay reads the events back, in order, into fn.
func (s *spill) replay(fn func(*binlogdatapb.VEvent) error) error {
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing a large transaction's rows to %s: %w", s.f.Name(), err)
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading back a large transaction's rows from %s: %w", s.f.Name(), err)
	}
	rd := bufio.NewReaderSize(s.f, 1<<20)
	var buf []byte
	for i := range s.n {
		n, err := binary.ReadUvarint(rd)
		if err == nil && n > 1<<30 {
			err = fmt.Errorf("an event of %d bytes", n)
		}
		if err == nil {
			if uint64(cap(buf)) < n {
				buf = make([]byte, n)
			}
			buf = buf[:n]
			_, err = io.ReadFull(rd, buf)
		}
		ev := &binlogdatapb.VEvent{}
		if err == nil {
			err = ev.UnmarshalVT(buf)
		}
		if err != nil {
			return fmt.Errorf("reading back event %d of a large transaction's rows from %s: %w", i, s.f.Name(), err)
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
	return nil
}

// close removes the file.
func (s *spill) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}
