package main

// End-to-end tests run the sluice binary against the real MariaDB and Kafka
// that deploy/local starts (.ci/run does that and exports the addresses).
// Without SLUICE_BOOTSTRAP_SERVERS and SLUICE_TEST_MYSQL_ADDR they skip; with
// SLUICE_E2E=1 (as in CI) a missing server is a failure instead.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sluice-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "sluice")
	args := []string{"build", "-o", binPath}
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building sluice: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type env struct {
	kafka     string
	mysqlAddr string
	rootPass  string
}

func needServers(t *testing.T) env {
	t.Helper()
	e := env{kafka: os.Getenv("SLUICE_BOOTSTRAP_SERVERS"), mysqlAddr: os.Getenv("SLUICE_TEST_MYSQL_ADDR"),
		rootPass: os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")}
	if e.kafka == "" || e.mysqlAddr == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_E2E=1 but SLUICE_BOOTSTRAP_SERVERS / SLUICE_TEST_MYSQL_ADDR are not set; start the servers with deploy/local/up.sh")
		}
		t.Skip("end-to-end test: set SLUICE_BOOTSTRAP_SERVERS and SLUICE_TEST_MYSQL_ADDR (deploy/local/up.sh prints them)")
	}
	return e
}

// db is a root connection to the test MariaDB with a private database.
type db struct {
	t    *testing.T
	conn *client.Conn
	name string
	mu   sync.Mutex
}

func newDB(t *testing.T, e env) *db {
	t.Helper()
	conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, "")
	if err != nil {
		t.Fatalf("connecting to MariaDB at %s as root: %v", e.mysqlAddr, err)
	}
	name := fmt.Sprintf("e2e_%s_%d", strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name())), rand.Intn(1e6))
	if len(name) > 60 {
		name = name[:60]
	}
	d := &db{t: t, conn: conn, name: name}
	d.exec("CREATE DATABASE " + name)
	d.exec("USE " + name)
	t.Cleanup(func() {
		d.exec("DROP DATABASE IF EXISTS " + name)
		conn.Close()
	})
	return d
}

func (d *db) exec(q string, args ...any) *gmysql.Result {
	d.t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.conn.Execute(q, args...)
	if err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
	return r
}

func (d *db) execAll(qs ...string) {
	d.t.Helper()
	for _, q := range qs {
		d.exec(q)
	}
}

func (d *db) str(q string) string {
	d.t.Helper()
	r := d.exec(q)
	s, _ := r.GetString(0, 0)
	return s
}

// connectorFile writes a connector config for the test's database.
func connectorFile(t *testing.T, e env, name, prefix, database string, extra map[string]string) string {
	t.Helper()
	host, port, _ := strings.Cut(e.mysqlAddr, ":")
	cfg := map[string]string{
		"connector.class":          "io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname":        host,
		"database.port":            port,
		"database.user":            "sluice",
		"database.password":        "sluice",
		"database.server.id":       fmt.Sprint(6000 + rand.Intn(3000)),
		"topic.prefix":             prefix,
		"database.include.list":    database,
		"offset.flush.interval.ms": "500",
	}
	for k, v := range extra {
		cfg[k] = v
	}
	b, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	p := filepath.Join(t.TempDir(), name+".json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// daemon is a running sluice process.
type daemon struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startDaemon(t *testing.T, e env, args ...string) *daemon {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"run", "--bootstrap-servers", e.kafka}, args...)...)
	d := &daemon{t: t, cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = d.stderr
	cmd.Stdout = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sluice: %v", err)
	}
	go func() { d.err = cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			_ = cmd.Process.Kill()
			<-d.done
		}
		if t.Failed() {
			t.Logf("sluice log:\n%s", tail(d.stderr.String(), 4000))
		}
	})
	return d
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// waitLog waits until the daemon's log contains s.
func (d *daemon) waitLog(s string, timeout time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(d.stderr.String(), s) {
			return
		}
		select {
		case <-d.done:
			d.t.Fatalf("sluice exited (%v) before logging %q:\n%s", d.err, s, tail(d.stderr.String(), 4000))
		case <-time.After(50 * time.Millisecond):
		}
	}
	d.t.Fatalf("sluice did not log %q within %s:\n%s", s, timeout, tail(d.stderr.String(), 4000))
}

// stop sends SIGTERM and returns how long the daemon took to exit; it fails
// the test when the exit status is not 0.
func (d *daemon) stop() time.Duration {
	d.t.Helper()
	start := time.Now()
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		d.t.Fatalf("sluice did not exit within 30 s of SIGTERM")
	}
	if d.err != nil {
		d.t.Fatalf("sluice exited with %v after SIGTERM:\n%s", d.err, tail(d.stderr.String(), 4000))
	}
	return time.Since(start)
}

func (d *daemon) kill9() {
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.done
}

// record is a consumed Kafka record.
type record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   map[string]string
}

func newKafkaClient(t *testing.T, e env, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(strings.Split(e.kafka, ",")...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// consume reads topics from the start until at least n records arrived and
// no more came for a short while, or the timeout passed.
func consume(t *testing.T, e env, n int, timeout time.Duration, topics ...string) []record {
	t.Helper()
	cl := newKafkaClient(t, e, kgo.ConsumeTopics(topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond))
	var out []record
	deadline := time.Now().Add(timeout)
	quietSince := time.Now()
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		got := 0
		fs.EachRecord(func(r *kgo.Record) {
			h := map[string]string{}
			for _, x := range r.Headers {
				h[x.Key] = string(x.Value)
			}
			out = append(out, record{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value, Headers: h})
			got++
		})
		if got > 0 {
			quietSince = time.Now()
		}
		if len(out) >= n && time.Since(quietSince) > 700*time.Millisecond {
			return out
		}
	}
	if len(out) < n {
		t.Fatalf("consumed %d records from %v within %s, want at least %d", len(out), topics, timeout, n)
	}
	return out
}

// storedOffset reads the connector's record from the offsets topic: the
// partition it is in and its last value.
func storedOffset(t *testing.T, e env, topic string, key []byte) (partition int32, value []byte, found bool) {
	t.Helper()
	cl := newKafkaClient(t, e, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	adm := kadm.NewClient(cl)
	ends, err := adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatalf("listing end offsets of %s: %v", topic, err)
	}
	remaining := 0
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			remaining++
		}
	})
	seen := map[int32]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for len(seen) < remaining && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			if bytes.Equal(r.Key, key) {
				partition, value, found = r.Partition, r.Value, true
			}
			if end, ok := ends.Lookup(topic, r.Partition); ok && r.Offset+1 >= end.Offset {
				seen[r.Partition] = true
			}
		})
	}
	return partition, value, found
}

// payload decodes a JSON record value written with schemas.enable=true or
// false into its payload.
func payload(t *testing.T, b []byte) map[string]any {
	t.Helper()
	if b == nil {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("record is not JSON: %v: %s", err, b)
	}
	if p, ok := m["payload"]; ok {
		if _, hasSchema := m["schema"]; hasSchema {
			pm, _ := p.(map[string]any)
			return pm
		}
	}
	return m
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
