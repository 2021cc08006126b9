package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// Addr is the server's host:port.
func (c *Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))) }

func (c *Config) connectTimeout() time.Duration {
	if c.ConnectTimeout == 0 {
		return 30 * time.Second
	}
	return c.ConnectTimeout
}

// Connect opens a connection on which every call has a deadline.
// go-mysql's connect timeout bounds only the dial: a server that accepts
// TCP and never answers would hold the handshake, and any later query, for
// ever. The handshake gets connect.timeout.ms (and ends when ctx does);
// each read or write after it gets database.query.timeout.ms, counted
// while the call waits on the network, not while the caller is busy
// elsewhere (a snapshot held back by a full queue does not time out).
func (c *Config) Connect(ctx context.Context) (*client.Conn, error) {
	return c.WithTLS(func(opts ...client.Option) (*client.Conn, error) { return c.connect(ctx, opts) })
}

func (c *Config) connect(ctx context.Context, opts []client.Option) (*client.Conn, error) {
	timeout := c.connectTimeout()
	var dc *deadlineConn
	stop := func() bool { return true }
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: timeout}
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		_ = conn.SetDeadline(time.Now().Add(timeout))
		// A stop during the handshake ends it now, not at the deadline.
		stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
		dc = &deadlineConn{Conn: conn}
		return dc, nil
	}
	conn, err := client.ConnectWithDialer(ctx, "tcp", c.Addr(), c.User, c.Password, c.Database, dial, opts...)
	if !stop() { // stopped during the handshake, whatever it returned
		if err == nil {
			conn.Close()
		}
		return nil, fmt.Errorf("connecting to %s: %w", c.Addr(), ctx.Err())
	}
	if err != nil {
		// go-mysql keeps only the text of a network error: ask the
		// connection whether the deadline passed.
		return nil, c.connError(err, dc != nil && dc.timedOut.Load())
	}
	_ = dc.Conn.SetDeadline(time.Time{})
	qt := c.QueryTimeout
	if qt == 0 {
		qt = 10 * time.Minute // Debezium's database.query.timeout.ms default
	}
	if qt > 0 {
		dc.idle.Store(int64(qt))
	}
	if err := c.runInitial(conn); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// runInitial runs database.initial.statements on a new connection. One the
// server refuses stops the connector, naming the statement: running on
// without it would read with session settings the user did not ask for.
func (c *Config) runInitial(conn *client.Conn) error {
	for _, st := range c.InitialStatements {
		if _, err := conn.Execute(st); err != nil {
			var me *gmysql.MyError
			if errors.As(err, &me) {
				return fault.Definite(fmt.Errorf("database.initial.statements: %q: the server at %s refused it: %w; correct the statement or grant the connector's user what it needs", st, c.Addr(), err))
			}
			return Classify(fmt.Errorf("database.initial.statements: running %q on %s: %w", st, c.Addr(), err))
		}
	}
	return nil
}

// connError names the server and the settings that fix a failed connect.
func (c *Config) connError(err error, timedOut bool) error {
	var me *gmysql.MyError
	var ne net.Error
	switch {
	case errors.As(err, &me) && me.Code == gmysql.ER_ACCESS_DENIED_ERROR:
		return fault.Definite(fmt.Errorf("connecting to %s as %s: %w; the server refused the user name or password: check database.user and database.password", c.Addr(), c.User, err))
	case c.TLS != nil && tlsProblem(err) != "":
		return fault.Definite(fmt.Errorf("connecting to %s with database.ssl.mode=%s: %w; %s", c.Addr(), c.TLSMode, err, tlsProblem(err)))
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connecting to %s: nothing accepts connections there (%w); check database.hostname and database.port, and that the server is up", c.Addr(), err)
	case timedOut || errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("connecting to %s as %s: the server did not answer within connect.timeout.ms (%s): %w; check database.hostname and database.port point at a MySQL/MariaDB server that is up", c.Addr(), c.User, c.connectTimeout(), err)
	}
	return Classify(fmt.Errorf("connecting to %s as %s: %w", c.Addr(), c.User, err))
}

// deadlineConn sets a read or write deadline at the start of every call,
// so that the bound covers each wait on the server and nothing else.
type deadlineConn struct {
	net.Conn
	idle     atomic.Int64 // time.Duration; 0 = no deadline
	timedOut atomic.Bool  // a call met its deadline
}

func (d *deadlineConn) Read(b []byte) (int, error) {
	d.arm(d.Conn.SetReadDeadline)
	n, err := d.Conn.Read(b)
	return n, d.note(err)
}

func (d *deadlineConn) Write(b []byte) (int, error) {
	d.arm(d.Conn.SetWriteDeadline)
	n, err := d.Conn.Write(b)
	return n, d.note(err)
}

func (d *deadlineConn) arm(set func(time.Time) error) {
	if t := time.Duration(d.idle.Load()); t > 0 {
		_ = set(time.Now().Add(t))
	}
}

func (d *deadlineConn) note(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		d.timedOut.Store(true)
	}
	return err
}

// Classify marks server answers that retrying cannot fix as definite.
func Classify(err error) error {
	if fault.IsDefinite(err) {
		return err // classified where it was made, with its own fix
	}
	var me *gmysql.MyError
	if errors.As(err, &me) {
		switch me.Code {
		case gmysql.ER_MASTER_FATAL_ERROR_READING_BINLOG:
			return fault.Definite(fmt.Errorf("%w; the stored position is no longer in the server's binlogs (purged?): set snapshot.mode=when_needed to take a new snapshot, or delete the stored offset, or point the connector at a server that still has them", err))
		case gmysql.ER_ACCESS_DENIED_ERROR:
			// 1045 is the user name or password, not a missing grant.
			return fault.Definite(fmt.Errorf("%w; the server refused the user name or password: check database.user and database.password", err))
		case gmysql.ER_SPECIFIC_ACCESS_DENIED_ERROR, gmysql.ER_DBACCESS_DENIED_ERROR:
			return fault.Definite(fmt.Errorf("%w; grant the connector user REPLICATION SLAVE, REPLICATION CLIENT (BINLOG MONITOR on MariaDB) and SELECT", err))
		}
	}
	return err
}
