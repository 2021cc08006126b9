package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// Lifecycle under server faults (issue 8): a daemon must end, or go on,
// within its stated bounds whatever the servers do, and its errors name the
// thing and the fix.

// silentServer accepts TCP connections and never writes a byte: a database
// host that is up but whose server hangs.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// validate runs `sluice validate` on a connector file and returns its
// output, failing the test if it takes longer than bound or exits 0.
func validate(t *testing.T, cfg string, bound time.Duration) string {
	t.Helper()
	cmd := exec.Command(binPath, "validate", cfg)
	var out conformance.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("validate exited 0:\n%s", out.String())
		}
	case <-time.After(bound):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("validate still running after %s:\n%s", bound, out.String())
	}
	return out.String()
}

// withAddr points a connector config at addr.
func withAddr(addr string, extra map[string]string) map[string]string {
	host, port, _ := net.SplitHostPort(addr)
	m := map[string]string{"database.hostname": host, "database.port": port}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// TestStalledDatabase: a database that accepts TCP and never answers.
// connect.timeout.ms bounds the whole handshake, not only the dial: validate
// and run end (or, for run, at least say so and stop on SIGTERM) with an
// error naming the server and the setting.
func TestStalledDatabase(t *testing.T) {
	e := needServers(t)
	addr := silentServer(t)
	cfg := connectorFile(t, e, "stalled", "stalled", "x", withAddr(addr, map[string]string{"connect.timeout.ms": "2000"}))

	out := validate(t, cfg, 10*time.Second)
	if !strings.Contains(out, addr) || !strings.Contains(out, "did not answer within connect.timeout.ms") {
		t.Errorf("validate does not say which server did not answer:\n%s", out)
	}

	sl := startDaemon(t, e, "--log-format", "console", cfg)
	waitFor(t, 15*time.Second, "run to report the silent server", func() bool {
		log := sl.Stderr.String()
		return strings.Contains(log, addr) && strings.Contains(log, "did not answer within connect.timeout.ms")
	})
	select {
	case <-sl.Done: // a startup error ends run
		if sl.Err == nil {
			t.Errorf("run exited 0 on a database that never answers")
		}
	default: // or it retries; then a stop must still be prompt
		if took := sl.Stop(); took > 10*time.Second {
			t.Errorf("SIGTERM took %s while connecting to a silent server, want under 10 s", took)
		}
	}
}

// TestWrongPasswordAndRefused: error 1045 is the credentials (not grants),
// and a refused connection names the host and port settings.
func TestWrongPasswordAndRefused(t *testing.T) {
	e := needServers(t)
	cfg := connectorFile(t, e, "badpw", "badpw", "x", map[string]string{"database.password": "not-the-password"})
	out := validate(t, cfg, 30*time.Second)
	if !strings.Contains(out, "check database.user and database.password") || strings.Contains(strings.ToLower(out), "grant") {
		t.Errorf("validate with a wrong password does not name database.user/database.password (or suggests grants):\n%s", out)
	}
	if strings.Contains(out, "not-the-password") {
		t.Errorf("validate prints the password:\n%s", out)
	}
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	log := sl.WaitExit(30 * time.Second)
	if sl.Err == nil || !strings.Contains(log, "check database.user and database.password") || strings.Contains(strings.ToLower(log), "grant") {
		t.Errorf("run with a wrong password: exit %v, log does not name database.user/database.password (or suggests grants):\n%s", sl.Err, tail(log, 2000))
	}

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cfg = connectorFile(t, e, "refused", "refused", "x", withAddr(closed, nil))
	out = validate(t, cfg, 30*time.Second)
	if !strings.Contains(out, closed) || !strings.Contains(out, "check database.hostname and database.port") {
		t.Errorf("validate against a closed port does not name the address and database.hostname/database.port:\n%s", out)
	}
}

// proxy forwards TCP connections to a server; Freeze stops forwarding in
// both directions without closing anything, as a stalled network does.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cond   *sync.Cond
	frozen bool
	conns  []net.Conn
	// lastToClient is when bytes from the server last reached a client.
	lastToClient time.Time
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.cond = sync.NewCond(&p.mu)
	go p.accept()
	t.Cleanup(func() {
		p.Thaw()
		ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			c.Close()
		}
	})
	return p
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.pipe(c, s, true)
		go p.pipe(s, c, false)
	}
}

func (p *proxy) pipe(dst, src net.Conn, toClient bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.frozen {
				p.cond.Wait()
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				return
			}
			if toClient {
				p.mu.Lock()
				p.lastToClient = time.Now()
				p.mu.Unlock()
			}
		}
		if err != nil {
			if err != io.EOF {
				dst.Close()
			}
			if tc, ok := dst.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
			return
		}
	}
}

func (p *proxy) Freeze() { p.mu.Lock(); p.frozen = true; p.mu.Unlock() }

func (p *proxy) Thaw() {
	p.mu.Lock()
	p.frozen = false
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *proxy) Addr() string { return p.ln.Addr().String() }

// streaming is a daemon streaming a one-row table t (id, v) of a private
// database, through px when it is not nil.
type streaming struct {
	d            *db
	sl           *daemon
	name, prefix string
	topic        string
}

func startStreaming(t *testing.T, e env, px *proxy, extra map[string]string) *streaming {
	t.Helper()
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	d.exec("INSERT INTO t VALUES (1, 0)")
	s := &streaming{d: d, prefix: "e2e" + d.name[4:], name: "c-" + d.name}
	s.topic = s.prefix + "." + d.name + ".t"
	cfg := map[string]string{"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"}
	if px != nil {
		cfg = withAddr(px.Addr(), cfg)
	}
	for k, v := range extra {
		cfg[k] = v
	}
	s.sl = startDaemon(t, e, "--log-format", "console", connectorFile(t, e, s.name, s.prefix, d.name, cfg))
	consume(t, e, 1, 30*time.Second, s.topic) // the snapshot of row 1
	s.sl.WaitLog("binlog streaming from", 10*time.Second)
	return s
}

// TestStalledBinlogConnection freezes the network between Sluice and the
// database. With connect.keep.alive.interval.ms=3000 the reader notices the
// silence within about that and reconnects as soon as the network is back,
// losing nothing.
func TestStalledBinlogConnection(t *testing.T) {
	e := needServers(t)
	px := newProxy(t, e.mysqlAddr)
	s := startStreaming(t, e, px, map[string]string{"connect.keep.alive.interval.ms": "3000", "connect.timeout.ms": "2000"})
	d, sl, topic := s.d, s.sl, s.topic
	d.exec("INSERT INTO t VALUES (2, 0)")
	consume(t, e, 2, 30*time.Second, topic)

	px.Freeze()
	for i := 3; i <= 5; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", i))
	}
	// The read timeout (3 s after the last byte from the server) fires;
	// the warning comes without waiting for go-mysql's KILL of the old
	// connection, which would hang on the frozen network for another read
	// timeout (3 s more) before the reconnect even starts.
	sl.WaitLog("binlog stream interrupted; reconnecting", 10*time.Second)
	px.mu.Lock()
	silent := time.Since(px.lastToClient)
	px.mu.Unlock()
	if silent > 4500*time.Millisecond {
		t.Errorf("the reader noticed the stalled connection %s after the server's last byte, want the keep-alive interval (3 s) and little more", silent)
	}
	time.Sleep(2 * time.Second) // a reconnect attempt or two meet the frozen network too
	px.Thaw()
	thawedAt := time.Now()
	recs := consume(t, e, 5, 30*time.Second, topic)
	t.Logf("changes written while frozen arrived %s after the network came back", time.Since(thawedAt))
	if took := time.Since(thawedAt); took > 15*time.Second {
		t.Errorf("after the network came back the changes took %s, want a prompt reconnect", took)
	}
	var keys []string
	seen := map[string]bool{}
	for _, r := range recs {
		if !seen[string(r.Key)] {
			keys = append(keys, string(r.Key))
		}
		seen[string(r.Key)] = true
	}
	if got := strings.Join(keys, " "); got != `{"id":1} {"id":2} {"id":3} {"id":4} {"id":5}` {
		t.Errorf("keys in Kafka: %s, want ids 1..5 in order", got)
	}
	sl.Stop()
}

// TestSIGTERMWhileBinlogStalled: a stop while the network to the database
// is frozen ends the daemon within its bound (10 s), with the default
// timeouts: nothing on the way out waits for the server (go-mysql's KILL of
// the dump connection would wait a 35 s read timeout).
func TestSIGTERMWhileBinlogStalled(t *testing.T) {
	e := needServers(t)
	px := newProxy(t, e.mysqlAddr)
	sl := startStreaming(t, e, px, nil).sl
	px.Freeze()
	time.Sleep(time.Second)
	if took := sl.Stop(); took > 10*time.Second {
		t.Errorf("SIGTERM with the database network frozen took %s, want under 10 s", took)
	}
}

// kafkaPid is the test broker's process id.
func kafkaPid(t *testing.T) int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-f", "kafka.Kafka").Output()
	fields := strings.Fields(string(out))
	if len(fields) != 1 {
		t.Fatalf("want exactly one Kafka broker process (pgrep -f kafka.Kafka), found %q", fields)
	}
	var pid int
	fmt.Sscan(fields[0], &pid)
	return pid
}

// TestKafkaStoppedDuringSIGTERM stops the broker (SIGSTOP: it holds its
// connections and answers nothing) with a delivered change whose offset is
// not stored yet (the flush interval is long), then sends SIGTERM and
// writes a change that is never delivered: the daemon must end within its
// bound whatever the broker does, and the stored offset must not pass the
// undelivered change. Before the offset commit was bounded and the task
// stopped leaving a stuck part behind, the final commit (ProduceSync on the
// idempotent producer) held the daemon for as long as the broker was
// stopped.
func TestKafkaStoppedDuringSIGTERM(t *testing.T) {
	e := needServers(t)
	s := startStreaming(t, e, nil, map[string]string{"offset.flush.interval.ms": "60000"})
	d, sl := s.d, s.sl
	d.exec("INSERT INTO t VALUES (2, 0)")
	consume(t, e, 2, 30*time.Second, s.topic) // delivered; its offset waits for the next flush

	pid := kafkaPid(t)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stopping the broker: %v", err)
	}
	cont := func() { _ = syscall.Kill(pid, syscall.SIGCONT) }
	t.Cleanup(cont) // whatever happens, the shared broker runs again
	time.Sleep(500 * time.Millisecond)

	// The stop's final commit (of the delivered change) goes to the
	// stopped broker. A change written now is never delivered.
	start := time.Now()
	sl.Signal(syscall.SIGTERM)
	d.exec("INSERT INTO t VALUES (3, 0)")
	undelivered := d.str("SELECT @@last_gtid")
	select {
	case <-sl.Done:
		t.Logf("sluice exited (%v) %s after SIGTERM with the broker stopped:\n%s", sl.Err, time.Since(start), tail(sl.Stderr.String(), 1500))
	case <-time.After(15 * time.Second):
		// Killed before the broker runs again, so that what is stored is
		// what a stop during the outage left.
		sl.Kill9()
		t.Errorf("sluice did not exit within 15 s of SIGTERM while the broker was stopped")
	}
	cont()
	_, val, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(s.name, s.prefix))
	if !ok {
		t.Fatal("no stored offset")
	}
	m := &mariaTable{}
	if m.Covers(t, val, undelivered) {
		t.Errorf("the stored offset %s covers the undelivered change %s", val, undelivered)
	}
}

// TestKafkaPausedWhileStreaming stops the broker (SIGSTOP) for 15 s while
// rows are written, longer than a produce request's timeout, then lets it
// run again. As Kafka Connect's source producer (delivery.timeout.ms
// unbounded), Sluice waits and goes on without failing the task: every row
// reaches Kafka once, in order, and the stored offset comes to cover the
// last one.
func TestKafkaPausedWhileStreaming(t *testing.T) {
	t.Run("at least once", func(t *testing.T) { kafkaPausedWhileStreaming(t, false) })
	// Exactly once: the open transaction cannot commit while the broker is
	// stopped; whatever the task does about it (its restart, a new
	// producer aborting the old one's transaction), a consumer reading
	// committed records finds each row once, in order.
	t.Run("exactly once", func(t *testing.T) { kafkaPausedWhileStreaming(t, true) })
}

func kafkaPausedWhileStreaming(t *testing.T, exactly bool) {
	e := needServers(t)
	var extra map[string]string
	if exactly {
		extra = map[string]string{"exactly.once.support": "required"}
	}
	s := startStreaming(t, e, nil, extra)
	d, sl := s.d, s.sl
	insert := func(from, to int, pause time.Duration) {
		for i := from; i <= to; i++ {
			d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", i))
			time.Sleep(pause)
		}
	}
	insert(2, 100, 0)
	pid := kafkaPid(t)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stopping the broker: %v", err)
	}
	cont := func() { _ = syscall.Kill(pid, syscall.SIGCONT) }
	t.Cleanup(cont) // whatever happens, the shared broker runs again
	paused := time.Now()
	insert(101, 600, 30*time.Millisecond)
	time.Sleep(15*time.Second - time.Since(paused))
	cont()
	insert(601, 700, 0)
	last := d.str("SELECT @@last_gtid")
	var recs []record
	if exactly {
		recs = conformance.ConsumeWith(t, e.kafka, 700, 2*time.Minute, []kgo.Opt{kgo.FetchIsolationLevel(kgo.ReadCommitted())}, s.topic)
	} else {
		recs = consume(t, e, 700, 2*time.Minute, s.topic)
	}
	prev := 0
	for _, r := range recs {
		id := int(payload(t, r.Value)["after"].(map[string]any)["id"].(float64))
		if id != prev+1 {
			t.Fatalf("record of id %d after id %d: want ids 1 to 700 once each, in order", id, prev)
		}
		prev = id
	}
	select {
	case <-sl.Done:
		t.Fatalf("sluice exited (%v) after the broker's pause:\n%s", sl.Err, tail(sl.Stderr.String(), 3000))
	default:
	}
	m := &mariaTable{}
	waitFor(t, 30*time.Second, "the stored offset to cover the last row", func() bool {
		if exactly {
			val, err := offsets.LoadStored(context.Background(), offsets.KafkaStoreConfig{Brokers: []string{e.kafka}}, offsets.Key(s.name, s.prefix))
			return err == nil && val != nil && m.Covers(t, val, last)
		}
		_, val, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(s.name, s.prefix))
		return ok && m.Covers(t, val, last)
	})
	t.Logf("after the broker's pause:\n%s", tail(sl.Stderr.String(), 1500))
	sl.Stop()
}
