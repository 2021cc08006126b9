package mysql

import (
	"context"
	"errors"
	"fmt"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// HeartbeatAction runs heartbeat.action.query on a connection of its own,
// kept open between heartbeats, in autocommit, as Debezium's heartbeat does
// with its JDBC connection. A statement the server refuses for what it is
// (SQLSTATE 42000: syntax or privileges; 3D000: no database selected) is a
// definite error, as Debezium's binlog connectors make it; any other
// failure is returned as transient and the next heartbeat connects again.
// It is called from one goroutine at a time.
func (m *Source) HeartbeatAction(ctx context.Context, query string) error {
	if m.beat == nil {
		conn, err := m.srv.Connect(ctx)
		if err != nil {
			return fmt.Errorf("heartbeat.action.query: %w", err)
		}
		m.beat = conn
	}
	conn := m.beat
	done := make(chan error, 1)
	go func() {
		_, err := conn.Execute(query)
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		// Stopping: the statement may still run (to
		// database.query.timeout.ms at most); its connection is closed
		// when it ends, not while it is in use.
		m.beat = nil
		go func() {
			<-done
			_ = conn.Close()
		}()
		return ctx.Err()
	}
	if err == nil {
		return nil
	}
	m.closeBeat()
	var me *gmysql.MyError
	if errors.As(err, &me) && (me.State == "42000" || me.State == "3D000") {
		return fault.Definite(fmt.Errorf("heartbeat.action.query %q: the server refused it: %w; correct the statement or grant the connector's user what it needs", query, err))
	}
	return fmt.Errorf("heartbeat.action.query %q: %w", query, err)
}

func (m *Source) closeBeat() {
	if m.beat != nil {
		_ = m.beat.Close()
		m.beat = nil
	}
}
