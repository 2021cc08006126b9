package server

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// silentListener accepts connections and never writes: a server that hangs.
func silentListener(t *testing.T) (host string, port uint16) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	n, _ := strconv.Atoi(p)
	return h, uint16(n)
}

func TestConnectHandshakeDeadline(t *testing.T) {
	host, port := silentListener(t)
	cfg := Config{Host: host, Port: port, User: "u", ConnectTimeout: 300 * time.Millisecond}
	start := time.Now()
	_, err := cfg.Connect(context.Background())
	if err == nil {
		t.Fatal("connected to a server that never answers")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("connect took %s with connect.timeout.ms=300", took)
	}
	if !strings.Contains(err.Error(), "did not answer within connect.timeout.ms") || !strings.Contains(err.Error(), cfg.Addr()) {
		t.Errorf("error %q does not name the server and connect.timeout.ms", err)
	}
	if fault.IsDefinite(err) {
		t.Errorf("a timeout is transient, got a definite error: %v", err)
	}
}

func TestConnectStopsWithContext(t *testing.T) {
	host, port := silentListener(t)
	cfg := Config{Host: host, Port: port, User: "u", ConnectTimeout: time.Minute}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := cfg.Connect(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("connect ended with %v, want the context's error", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("connect took %s after its context ended", took)
	}
}

func TestClassifyAccessDenied(t *testing.T) {
	cfg := Config{Host: "db", Port: 3306, User: "u"}
	err := cfg.connError(&gmysql.MyError{Code: gmysql.ER_ACCESS_DENIED_ERROR, Message: "Access denied for user 'u'"}, false)
	if !fault.IsDefinite(err) || !strings.Contains(err.Error(), "database.user and database.password") || strings.Contains(err.Error(), "grant") {
		t.Errorf("1045: %v, want a definite error naming database.user and database.password", err)
	}
	err = Classify(&gmysql.MyError{Code: gmysql.ER_SPECIFIC_ACCESS_DENIED_ERROR, Message: "need REPLICATION SLAVE"})
	if !fault.IsDefinite(err) || !strings.Contains(err.Error(), "grant") {
		t.Errorf("1227: %v, want a definite error naming the grants", err)
	}
}
