package binlog

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

// frame is one protocol packet: 3-byte length, sequence number, payload.
func frame(seq uint8, payload []byte) []byte {
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

func servePackets(t *testing.T, stream []byte) net.Conn {
	t.Helper()
	client, srv := net.Pipe()
	go func() {
		_, _ = srv.Write(stream)
		srv.Close()
	}()
	t.Cleanup(func() { client.Close() })
	return client
}

func TestPacketReaderSplitsJoinsAndChecks(t *testing.T) {
	small := []byte("\x00first event")
	big := bytes.Repeat([]byte{'b'}, slabMax+10)
	// A payload of exactly 16 MiB - 1 bytes goes in two frames, the second
	// empty, and one larger than that in as many as it takes.
	huge := bytes.Repeat([]byte{'h'}, gmysql.MaxPayloadLen+5)
	var stream []byte
	stream = append(stream, frame(3, small)...)
	stream = append(stream, frame(4, big)...)
	stream = append(stream, frame(5, huge[:gmysql.MaxPayloadLen])...)
	stream = append(stream, frame(6, huge[gmysql.MaxPayloadLen:])...)
	stream = append(stream, frame(7, small[:1])...)
	stream = append(stream, frame(9, small)...) // out of step
	p := newPacketReader(servePackets(t, stream), 3, time.Minute)

	got, err := p.next()
	if err != nil || !bytes.Equal(got, small) {
		t.Fatalf("first packet: %q, %v", got, err)
	}
	if cap(got) != len(got) {
		t.Fatalf("a slab-cut packet has capacity %d past its %d bytes: an append would overwrite the next packet", cap(got), len(got))
	}
	if got, err = p.next(); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("large packet: %d bytes, %v", len(got), err)
	}
	if got, err = p.next(); err != nil || !bytes.Equal(got, huge) {
		t.Fatalf("packet over two frames: %d bytes, want %d, %v", len(got), len(huge), err)
	}
	third, err := p.next()
	if err != nil || !bytes.Equal(third, small[:1]) {
		t.Fatalf("packet after the joined one: %q, %v", third, err)
	}
	if _, err = p.next(); err == nil || !strings.Contains(err.Error(), "sequence number 9 where 8 was due") {
		t.Fatalf("out-of-step packet: %v", err)
	}
}

func TestPacketReaderEndsOnClosedConnection(t *testing.T) {
	stream := frame(0, []byte("partial"))
	p := newPacketReader(servePackets(t, stream[:6]), 0, time.Minute)
	if _, err := p.next(); err == nil || !strings.Contains(err.Error(), "reading a packet of 7 bytes") {
		t.Fatalf("cut-off packet: %v", err)
	}
}

// A packet costs no allocation of its own: packets are cut from a 64 KB
// slab, and the header is read into the reader (a local array handed to
// io.ReadFull would move to the heap, one allocation an event).
func TestPacketReaderAllocatesOnlyItsSlabs(t *testing.T) {
	const n = 2001
	payload := bytes.Repeat([]byte{'e'}, 60)
	var stream []byte
	for i := 0; i < n; i++ {
		stream = append(stream, frame(uint8(i), payload)...)
	}
	p := newPacketReader(servePackets(t, stream), 0, time.Minute)
	if _, err := p.next(); err != nil {
		t.Fatal(err)
	}
	var err error
	allocs := testing.AllocsPerRun(n-2, func() {
		if _, e := p.next(); e != nil {
			err = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// 2,000 packets of 64 bytes fill two slabs at most.
	if allocs > 0.01 {
		t.Errorf("%v allocations a packet, want only a slab's now and then", allocs)
	}
}
