package binlog

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

// packetReader reads a binlog dump's packets off the connection itself.
// go-mysql's ReadPacket copies each packet twice through pooled buffers
// and sets the read deadline twice per packet: with one-row transactions
// (four packets a row) that was a seventh of the daemon's CPU.
//
// Packets are cut from shared slabs rather than allocated one by one. A
// parsed event aliases its packet's bytes (go-mysql decodes strings
// without copying them), so a slab lives until the last event cut from it
// is collected: at most a slab per packet still referenced, and packets
// larger than slabMax get memory of their own.
type packetReader struct {
	br   *bufio.Reader
	seq  uint8 // the sequence number the next packet must carry
	slab []byte
	// hdr is read into here: a local array passed to io.ReadFull moves to
	// the heap, an allocation for every event.
	hdr [4]byte
}

const (
	slabSize = 64 << 10
	slabMax  = 4 << 10
)

// newPacketReader reads the packets that follow the dump command on c,
// the first carrying sequence number seq. No byte may be buffered for c
// elsewhere: true of go-mysql's connection once it has read the replies to
// the commands before the dump, as the server sends nothing unasked.
func newPacketReader(c net.Conn, seq uint8, readTimeout time.Duration) *packetReader {
	return &packetReader{br: bufio.NewReaderSize(deadlineReader{c, readTimeout}, 64<<10), seq: seq}
}

// next returns the next packet's payload; one larger than the protocol's
// 16 MiB frames comes joined from its frames.
func (p *packetReader) next() ([]byte, error) {
	var out []byte
	for {
		hdr := &p.hdr
		if _, err := io.ReadFull(p.br, hdr[:]); err != nil {
			return nil, fmt.Errorf("reading a packet header: %w", err)
		}
		n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
		if hdr[3] != p.seq {
			return nil, fmt.Errorf("packet sequence number %d where %d was due: the connection is out of step", hdr[3], p.seq)
		}
		p.seq++
		var buf []byte
		if out == nil && n < gmysql.MaxPayloadLen {
			buf = p.alloc(n)
		} else {
			at := len(out)
			out = append(out, make([]byte, n)...)
			buf = out[at:]
		}
		if _, err := io.ReadFull(p.br, buf); err != nil {
			return nil, fmt.Errorf("reading a packet of %d bytes: %w", n, err)
		}
		if n < gmysql.MaxPayloadLen {
			if out == nil {
				return buf, nil
			}
			return out, nil
		}
	}
}

// alloc returns n bytes, cut from the slab when n is small. The result's
// capacity is n, so that an append to it cannot reach the next packet.
func (p *packetReader) alloc(n int) []byte {
	if n > slabMax {
		return make([]byte, n)
	}
	if len(p.slab) < n {
		p.slab = make([]byte, slabSize)
	}
	b := p.slab[:n:n]
	p.slab = p.slab[n:]
	return b
}

// deadlineReader sets the read deadline before each read of the
// connection: the buffered reader above reads it once per 64 KiB, or per
// packet when the stream has caught up.
type deadlineReader struct {
	c       net.Conn
	timeout time.Duration
}

func (d deadlineReader) Read(b []byte) (int, error) {
	if d.timeout > 0 {
		if err := d.c.SetReadDeadline(time.Now().Add(d.timeout)); err != nil {
			return 0, err
		}
	}
	return d.c.Read(b)
}
