package binlog

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// BinlogThroughGTID is COM_BINLOG_DUMP_GTID's BINLOG_THROUGH_GTID flag: the
// packet carries a GTID set (VTGate wants it; MySQL reads the set either way).
const BinlogThroughGTID = 0x04

// directDump opens a binlog dump on a connection of the stream's own and
// reads it on the streaming goroutine. go-mysql's BinlogSyncer, which it
// replaces for streaming, reads on a goroutine of its own, hands every event
// over a channel (a wake-up per event when the stream keeps up) and clones
// MariaDB's GTID set twice per transaction: with one-row transactions that
// was a sixth of the daemon's CPU. The session is set up as the syncer
// does: it registers as a replica, asks for heartbeats and no checksums.
func (s *Streamer) directDump(ctx context.Context, st *txnState) (eventSource, func(), error) {
	r, err := s.openDump(ctx, st)
	if err != nil {
		return nil, nil, server.Classify(fmt.Errorf("starting binlog dump from %s: %w", s.cfg.Addr(), err))
	}
	return r, func() { s.closeDump(ctx, r) }, nil
}

// readTimeouts are the heartbeat period the server is asked for and how
// long a read waits before the connection counts as gone.
func (s *Streamer) readTimeouts() (heartbeat, readTimeout time.Duration) {
	heartbeat = s.cfg.Heartbeat
	if heartbeat == 0 {
		heartbeat = 10 * time.Second
	}
	readTimeout = 3*heartbeat + 5*time.Second // three missed heartbeats: gone
	if s.cfg.KeepAlive > 0 {
		heartbeat, readTimeout = s.cfg.KeepAlive*4/5, s.cfg.KeepAlive
	}
	return heartbeat, readTimeout
}

func (s *Streamer) openDump(ctx context.Context, st *txnState) (*directReader, error) {
	heartbeat, readTimeout := s.readTimeouts()
	parser, dec := s.newParser()
	r := &directReader{parser: parser, maps: newTableMaps(dec)}
	timeout := s.cfg.ConnectTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Read deadlines re-armed once a second, not before every packet.
	dial := coarseDialer(min(time.Second, readTimeout/10))
	conn, err := s.cfg.WithTLS(func(opts ...client.Option) (*client.Conn, error) {
		return client.ConnectWithDialer(hctx, "tcp", s.cfg.Addr(), s.cfg.User, s.cfg.Password, "",
			func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := dial(ctx, network, addr)
				r.raw = c
				return c, err
			}, append(opts, func(c *client.Conn) error {
				c.SetAttributes(map[string]string{"_client_role": "binary_log_listener"})
				c.ReadTimeout = readTimeout
				return nil
			})...)
	})
	if err != nil {
		return nil, err
	}
	r.conn, r.id = conn, conn.GetConnectionID()
	if err := s.startDump(conn, st, heartbeat); err != nil {
		conn.Close()
		return nil, err
	}
	// The dump's reply starts at the sequence number after the command's.
	r.packets = newPacketReader(conn.Conn.Conn, conn.Sequence, readTimeout)
	return r, nil
}

// startDump sets the replication session up and sends the dump command.
func (s *Streamer) startDump(conn *client.Conn, st *txnState, heartbeat time.Duration) error {
	uuid, err := randomUUID()
	if err != nil {
		return err
	}
	mariadb := s.cfg.Proto() == gmysql.MariaDBFlavor
	// No checksums: the parser reads them from FORMAT_DESCRIPTION, and
	// the first (fake) ROTATE would otherwise carry one it cannot know of.
	vars := []string{"@master_binlog_checksum='NONE'", "@source_binlog_checksum='NONE'",
		fmt.Sprintf("@master_heartbeat_period=%d", heartbeat.Nanoseconds()),
		fmt.Sprintf("@source_heartbeat_period=%d", heartbeat.Nanoseconds()),
		"@slave_uuid='" + uuid + "'", "@replica_uuid='" + uuid + "'"}
	if mariadb {
		vars = append(vars, "@mariadb_slave_capability=4") // understands GTID events
	}
	if _, err := conn.Execute("SET " + strings.Join(vars, ", ")); err != nil {
		return fmt.Errorf("setting up the replication session: %w", err)
	}
	conn.ResetSequence()
	if err := conn.WritePacket(registerPacket(s.replicaID, "sluice-"+s.cfg.ConnectorName, s.cfg.User, s.cfg.Port)); err != nil {
		return fmt.Errorf("registering as replica %d: %w", s.replicaID, err)
	}
	if _, err := conn.ReadOKPacket(); err != nil {
		var me *gmysql.MyError
		if errors.As(err, &me) && me.Code == gmysql.ER_ACCESS_DENIED_ERROR {
			// Logged in already: MariaDB answers 1045 to a user without
			// the privilege, not for its password.
			return fault.Definite(fmt.Errorf("registering as replica %d: %w; the user %s lacks the REPLICATION SLAVE privilege: grant it REPLICATION SLAVE, REPLICATION CLIENT (BINLOG MONITOR on MariaDB) and SELECT",
				s.replicaID, err, s.cfg.User))
		}
		return fmt.Errorf("registering as replica %d: %w", s.replicaID, err)
	}
	var cmd []byte
	switch {
	case st.gset != nil && !st.byFile && mariadb:
		s.log.Info("binlog streaming from GTID set", zap.String("gtids", st.gset.String()))
		// Strict mode, as MariaDB's own replicas with gtid_strict_mode.
		if _, err := conn.Execute("SET @slave_connect_state='" + st.gset.String() + "', @slave_gtid_strict_mode=1"); err != nil {
			return fmt.Errorf("setting the start GTID set %s: %w", st.gset, err)
		}
		cmd = dumpPacket(s.replicaID, s.dumpFlags(), "", 0) // the position comes from the GTID set
	case st.gset != nil && !st.byFile:
		s.log.Info("binlog streaming from GTID set", zap.String("gtids", st.gset.String()))
		cmd = DumpGTIDPacket(s.replicaID, 0, st.gset.Encode())
	default:
		s.log.Info("binlog streaming from file position", zap.String("file", st.file), zap.Uint64("pos", st.nextPos))
		cmd = dumpPacket(s.replicaID, s.dumpFlags(), st.file, uint32(st.nextPos))
	}
	conn.ResetSequence()
	return conn.WritePacket(cmd)
}

// closeDump closes the dump's connection and KILLs its thread on the
// server: until the server drops it, which it does on its next write
// otherwise, MariaDB refuses another replica with the same server id
// (error 4052), such as Debezium taking over. A stop waits a little for
// that; a reconnect does not.
func (s *Streamer) closeDump(ctx context.Context, r *directReader) {
	r.close()
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		kctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := s.cfg.Connect(kctx)
		if err != nil {
			return
		}
		defer conn.Close()
		if _, err := conn.Execute(fmt.Sprintf("KILL %d", r.id)); err != nil && !isNoSuchThread(err) {
			s.log.Debug("binlog dump thread not killed", zap.Uint32("thread", r.id), zap.Error(err))
		}
	}()
	if ctx.Err() != nil {
		select {
		case <-killed:
		case <-time.After(2 * time.Second):
		}
	}
}

func isNoSuchThread(err error) bool {
	var me *gmysql.MyError
	return errors.As(err, &me) && me.Code == gmysql.ER_NO_SUCH_THREAD
}

// directReader is an open dump, read on the caller's goroutine.
type directReader struct {
	conn    *client.Conn
	raw     net.Conn // under conn: closing it ends a read that waits, from any goroutine
	id      uint32   // the dump thread's connection id
	packets *packetReader
	parser  *replication.BinlogParser
	maps    *tableMaps
	// watched is the context the reads end with; unwatch stops that.
	watched context.Context
	unwatch func() bool
}

// GetEvent reads and parses the next event (eventSource).
func (r *directReader) GetEvent(ctx context.Context) (*replication.BinlogEvent, error) {
	if ctx != r.watched {
		r.watch(ctx)
	}
	data, err := r.packets.next()
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, err
	}
	if data, err = EventData(r.conn, data); err != nil {
		return nil, err
	}
	ev, err := r.maps.parse(r.parser, data)
	if err != nil {
		return nil, fmt.Errorf("parsing a binlog event: %w", err)
	}
	return ev, nil
}

// Buffered is the bytes read off the connection and not yet returned.
func (r *directReader) Buffered() int { return r.packets.br.Buffered() }

// EventData is the binlog event a dump's packet carries, or the error it
// carries instead: the server's (an ERR packet) or the dump's end (EOF).
func EventData(conn *client.Conn, data []byte) ([]byte, error) {
	switch data[0] {
	case gmysql.OK_HEADER:
		return data[1:], nil
	case gmysql.ERR_HEADER:
		return nil, conn.HandleErrorPacket(data)
	case gmysql.EOF_HEADER:
		return nil, errors.New("the binlog dump ended (EOF packet)")
	}
	return nil, fmt.Errorf("binlog dump: unexpected packet header 0x%02x", data[0])
}

// watch makes ctx's end close the network connection, which ends a read
// that waits for the server.
func (r *directReader) watch(ctx context.Context) {
	if r.unwatch != nil {
		r.unwatch()
	}
	r.watched = ctx
	raw := r.raw
	r.unwatch = context.AfterFunc(ctx, func() { _ = raw.Close() })
}

func (r *directReader) close() {
	if r.unwatch != nil {
		r.unwatch()
	}
	r.conn.Close()
}

// registerPacket is COM_REGISTER_SLAVE: the replica's id and the host name
// SHOW REPLICA HOSTS lists.
func registerPacket(serverID uint32, host, user string, port uint16) []byte {
	host, user = host[:min(len(host), 255)], user[:min(len(user), 255)]
	b := make([]byte, 4, 4+1+4+1+len(host)+1+len(user)+1+2+4+4) // 4: go-mysql's packet header room
	b = append(b, gmysql.COM_REGISTER_SLAVE)
	b = binary.LittleEndian.AppendUint32(b, serverID)
	b = append(b, byte(len(host)))
	b = append(b, host...)
	b = append(b, byte(len(user)))
	b = append(b, user...)
	b = append(b, 0) // no password
	b = binary.LittleEndian.AppendUint16(b, port)
	b = binary.LittleEndian.AppendUint32(b, 0)    // replication rank, unused
	return binary.LittleEndian.AppendUint32(b, 0) // source id: 0 is fine
}

// dumpPacket is COM_BINLOG_DUMP from file at pos.
func dumpPacket(serverID uint32, flags uint16, file string, pos uint32) []byte {
	b := make([]byte, 4, 4+1+4+2+4+len(file))
	b = append(b, gmysql.COM_BINLOG_DUMP)
	b = binary.LittleEndian.AppendUint32(b, pos)
	b = binary.LittleEndian.AppendUint16(b, flags)
	b = binary.LittleEndian.AppendUint32(b, serverID)
	return append(b, file...)
}

// DumpGTIDPacket is COM_BINLOG_DUMP_GTID after the transactions of the
// GTID set sidBlock (MySQL's binary encoding; empty: from the oldest
// binlog), with no file name and position 4.
func DumpGTIDPacket(serverID uint32, flags uint16, sidBlock []byte) []byte {
	b := make([]byte, 4, 4+1+2+4+4+8+4+len(sidBlock))
	b = append(b, gmysql.COM_BINLOG_DUMP_GTID)
	b = binary.LittleEndian.AppendUint16(b, flags)
	b = binary.LittleEndian.AppendUint32(b, serverID)
	b = binary.LittleEndian.AppendUint32(b, 0) // file name length
	b = binary.LittleEndian.AppendUint64(b, 4) // position
	b = binary.LittleEndian.AppendUint32(b, uint32(len(sidBlock)))
	return append(b, sidBlock...)
}

// randomUUID is a version 4 UUID for the replica's @slave_uuid, fresh per
// connection as go-mysql's syncer sends it: MySQL ends an older dump thread
// that has the same one.
func randomUUID() (string, error) {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		return "", fmt.Errorf("a replica UUID: %w", err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]), nil
}
