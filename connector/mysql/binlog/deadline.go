package binlog

import (
	"context"
	"net"
	"sync"
	"time"
)

// coarseDeadlineConn makes go-mysql's read deadline cheap. go-mysql sets
// ReadTimeout afresh before every packet it reads (several per
// transaction), and each SetReadDeadline re-arms a runtime timer: about a
// tenth of the daemon's CPU when transactions are one row each. Here a
// deadline that moves later is rounded up by slack, so the timer is only
// re-armed once per slack; a silent connection still times out, at most
// slack after ReadTimeout. A deadline moved earlier (go-mysql's Close sets
// one 100 ms ahead to unblock its reader) or cleared is applied at once.
type coarseDeadlineConn struct {
	net.Conn
	slack time.Duration

	mu         sync.Mutex // Close sets a deadline from another goroutine
	asked, set time.Time
}

func (c *coarseDeadlineConn) SetReadDeadline(d time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	later := !d.IsZero() && !c.asked.IsZero() && !d.Before(c.asked)
	c.asked = d
	if later && !c.set.IsZero() && !d.After(c.set) {
		return nil // the deadline in force is later, by at most slack
	}
	if later {
		d = d.Add(c.slack)
	}
	c.set = d
	return c.Conn.SetReadDeadline(d)
}

// SetDeadline goes through SetReadDeadline so that the two agree.
func (c *coarseDeadlineConn) SetDeadline(d time.Time) error {
	if err := c.Conn.SetWriteDeadline(d); err != nil {
		return err
	}
	return c.SetReadDeadline(d)
}

// coarseDialer dials TCP connections whose read deadlines are coarse by
// slack (see coarseDeadlineConn).
func coarseDialer(slack time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil || slack <= 0 {
			return c, err
		}
		return &coarseDeadlineConn{Conn: c, slack: slack}, nil
	}
}
