package vtbinlog

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/mysql/binlog"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// dumper opens binlog dumps through VTGate (binlog.Dumper). The stream's
// own dump cannot, nor can go-mysql's BinlogSyncer: both register as a
// replica first (COM_REGISTER_SLAVE), which VTGate refuses and answers by
// closing the connection, and on MariaDB send COM_BINLOG_DUMP with
// @slave_connect_state, which VTGate does not forward. So the dumper sends
// COM_BINLOG_DUMP_GTID itself, on a connection whose handshake names the
// target, and parses the packets VTGate relays from the tablet.
type dumper struct {
	srv    *server.Server
	target string
	// keepAlive is the TCP keepalive period of the dump connection: VTGate
	// does not forward @master_heartbeat_period, so an idle stream gets no
	// packets at all and a read timeout would cut every quiet one.
	keepAlive time.Duration
}

// Dump implements binlog.Dumper.
func (d *dumper) Dump(ctx context.Context, gset gmysql.GTIDSet, parser *replication.BinlogParser) (binlog.EventReader, error) {
	var sidBlock []byte
	var skip *resumeFilter
	switch gs := gset.(type) {
	case *gmysql.MysqlGTIDSet:
		sidBlock = gs.Encode()
	case *gmysql.MariadbGTIDSet:
		// VTGate reads the set as MySQL's binary SID block and the tablet
		// hands MariaDB its text as @slave_connect_state: a MariaDB set
		// cannot cross. Read from the oldest binlog and drop what the set
		// already holds.
		if !gs.IsEmpty() {
			skip = newResumeFilter(gs)
		}
	default:
		return nil, fault.Definite(fmt.Errorf("binlog dump through VTGate: GTID set %T is not MySQL's or MariaDB's", gset))
	}
	conn, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	conn.ResetSequence() // a new command: sequence numbers start again
	if err := conn.WritePacket(binlog.DumpGTIDPacket(d.srv.ServerID, binlog.BinlogThroughGTID, sidBlock)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("sending COM_BINLOG_DUMP_GTID to VTGate at %s: %w", d.srv.Addr(), err)
	}
	r := &reader{conn: conn, parser: parser, skip: skip, events: make(chan *replication.BinlogEvent, 64),
		errs: make(chan error, 1), done: make(chan struct{})}
	// VTGate answers a refused dump at once with an error packet; a tablet
	// streams its first events (a fake ROTATE and FORMAT_DESCRIPTION) at
	// once too. Waiting for the first packet makes a refusal an error of
	// Dump, which classify can name.
	_ = conn.SetReadDeadline(time.Now().Add(d.connectTimeout()))
	first, err := r.packet()
	_ = conn.SetReadDeadline(time.Time{})
	if err != nil {
		conn.Close()
		return nil, d.classify(fmt.Errorf("starting a binlog dump of %s through VTGate at %s: %w", d.target, d.srv.Addr(), err))
	}
	r.wg.Add(1)
	go r.run(first)
	d.srv.Log.Info("binlog dump through VTGate started", zap.String("vtgate", d.srv.Addr()), zap.String("target", d.target),
		zap.Bool("skipping_stored_gtids", skip != nil))
	return r, nil
}

func (d *dumper) connectTimeout() time.Duration {
	if d.srv.ConnectTimeout > 0 {
		return d.srv.ConnectTimeout
	}
	return 30 * time.Second
}

// connect opens the dump connection: the handshake has connect.timeout.ms
// and ends with ctx; reads after it have no deadline (see keepAlive).
func (d *dumper) connect(ctx context.Context) (*client.Conn, error) {
	timeout := d.connectTimeout()
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		nd := net.Dialer{Timeout: timeout, KeepAlive: d.keepAlive}
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		_ = c.SetDeadline(time.Now().Add(timeout))
		return c, nil
	}
	conn, err := client.ConnectWithDialer(hctx, "tcp", d.srv.Addr(), d.srv.User, d.srv.Password, d.target, dial)
	if err != nil {
		return nil, d.classify(fmt.Errorf("connecting to VTGate at %s as %s for a binlog dump of %s: %w", d.srv.Addr(), d.srv.User, d.target, err))
	}
	_ = conn.SetDeadline(time.Time{})
	return conn, nil
}

// classify names the cause and the fix of VTGate's and the tablet's
// refusals; what retrying cannot change is definite.
func (d *dumper) classify(err error) error {
	var me *gmysql.MyError
	if !errors.As(err, &me) {
		return err
	}
	msg := strings.ToLower(me.Message)
	switch {
	case strings.Contains(msg, "binlog dump is disabled"):
		return fault.Definite(fmt.Errorf("%w; start vtgate with --enable-binlog-dump (Vitess v24 or later)", err))
	case strings.Contains(msg, "not authorized to perform binlog dump"):
		return fault.Definite(fmt.Errorf("%w; add the user to vtgate's --binlog-dump-authorized-users", err))
	case me.Code == gmysql.ER_UNKNOWN_COM_ERROR || strings.Contains(msg, "command handling not implemented"):
		return fault.Definite(fmt.Errorf("%w; %s does not take COM_BINLOG_DUMP_GTID: point database.hostname/database.port at the MySQL port of a VTGate v24 or later", err, d.srv.Addr()))
	case strings.Contains(msg, "no target specified"), strings.Contains(msg, "requires keyspace and shard"),
		strings.Contains(msg, "requires a specific shard"), strings.Contains(msg, "failed to parse target"):
		return fault.Definite(fmt.Errorf("%w; set %s to keyspace:shard or keyspace:shard@type", err, PropTarget))
	case strings.Contains(msg, "no healthy tablet available"), strings.Contains(msg, "is either down or nonexistent"):
		// A tablet may come back or be added: retried, with what to check.
		return fmt.Errorf("%w; VTGate has no tablet for %s: check the shard and tablet type (or alias) in %s and that such a tablet is serving", err, d.target, PropTarget)
	case me.Code == gmysql.ER_BAD_DB_ERROR:
		return fault.Definite(fmt.Errorf("%w; set %s to a keyspace VTGate serves", err, PropTarget))
	case strings.Contains(msg, "could not parse gtid list"), strings.Contains(msg, "slave_connect_state"),
		strings.Contains(msg, "failed to parse gtid set"), strings.Contains(msg, "error parsing gtid"):
		return fault.Definite(fmt.Errorf("%w; the tablet did not take the stored GTID set as a start position", err))
	}
	return server.Classify(err)
}

// reader is one open dump (binlog.EventReader): a goroutine reads and
// parses packets, so that GetEvent can end with its context while a read
// waits on the network.
type reader struct {
	conn   *client.Conn
	parser *replication.BinlogParser
	skip   *resumeFilter
	// sawFormat: a FORMAT_DESCRIPTION event told the parser whether
	// events end in a checksum.
	sawFormat bool
	events    chan *replication.BinlogEvent
	errs      chan error
	done      chan struct{}
	once      sync.Once
	wg        sync.WaitGroup
}

// packet reads the next event, or the error VTGate sent.
func (r *reader) packet() ([]byte, error) {
	data, err := r.conn.ReadPacket()
	if err != nil {
		return nil, err
	}
	return binlog.EventData(r.conn, data)
}

// event parses an event; nil, nil for one the resume filter drops.
func (r *reader) event(raw []byte) (*replication.BinlogEvent, error) {
	if !r.sawFormat {
		raw = stripRotateChecksum(raw)
	}
	ev, err := r.parser.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing a binlog event relayed by VTGate: %w", err)
	}
	if ev.Header.EventType == replication.FORMAT_DESCRIPTION_EVENT {
		r.sawFormat = true
	}
	if r.skip != nil {
		if keep, err := r.skip.keep(ev); err != nil || !keep {
			return nil, err
		}
	}
	return ev, nil
}

func (r *reader) run(data []byte) {
	defer r.wg.Done()
	var err error
	for {
		var ev *replication.BinlogEvent
		if ev, err = r.event(data); err != nil {
			break
		}
		if ev != nil {
			select {
			case r.events <- ev:
			case <-r.done:
				return
			}
		}
		if data, err = r.packet(); err != nil {
			break
		}
	}
	select {
	case r.errs <- err:
	case <-r.done:
	}
}

// GetEvent implements binlog.EventReader.
func (r *reader) GetEvent(ctx context.Context) (*replication.BinlogEvent, error) {
	select {
	case ev := <-r.events:
		return ev, nil
	default:
	}
	select {
	case ev := <-r.events:
		return ev, nil
	case err := <-r.errs:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close implements binlog.EventReader. A past read deadline ends the read
// the goroutine may be waiting in (go-mysql's Close resets state that read
// uses, so it waits for the goroutine); closing the connection then makes
// VTGate cancel the tablet's dump.
func (r *reader) Close() {
	r.once.Do(func() {
		close(r.done)
		_ = r.conn.SetReadDeadline(time.Unix(1, 0))
		r.wg.Wait()
		r.conn.Close()
	})
	r.wg.Wait()
}

// stripRotateChecksum drops the CRC32 from the server's first, fake ROTATE
// event. The tablet asks its server for checksums
// (@master_binlog_checksum=@@global.binlog_checksum) and the server then
// checksums that event too, but it comes before the FORMAT_DESCRIPTION that
// tells the parser so, which would read the checksum as part of the next
// binlog's name. go-mysql's own syncer avoids it by asking for no
// checksums, which the dump through VTGate cannot.
func stripRotateChecksum(ev []byte) []byte {
	const header = replication.EventHeaderSize
	if len(ev) < header+8+4 || replication.EventType(ev[4]) != replication.ROTATE_EVENT {
		return ev
	}
	n := len(ev) - 4
	if crc32.ChecksumIEEE(ev[:n]) != binary.LittleEndian.Uint32(ev[n:]) {
		return ev // no checksum
	}
	out := append([]byte(nil), ev[:n]...)
	binary.LittleEndian.PutUint32(out[9:13], uint32(n)) // the header's event size
	return out
}
