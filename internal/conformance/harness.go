// Package conformance is the end-to-end suite every Sluice source passes
// against its real server, driving the real sluice binary: snapshot then
// stream equals the database, a restart resumes from the stored offset, a
// kill -9 loses nothing and keeps per-key order, and bad input stops the
// daemon with the offset not moved. A source plugs in through Driver; Run
// runs the cases. The helpers here (a sluice process, consuming topics,
// reading _connect_offsets) are shared with the sources' other end-to-end
// tests.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Daemon is a running sluice process. Done is closed when it has exited;
// Err is its exit error, valid after Done.
type Daemon struct {
	t      *testing.T
	cmd    *exec.Cmd
	Stderr *SyncBuffer
	Done   chan struct{}
	Err    error
}

// SyncBuffer collects a process's output while tests read it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartDaemon starts bin with args; the test's cleanup kills it if it still
// runs and prints its log if the test failed.
func StartDaemon(t *testing.T, bin string, args ...string) *Daemon {
	t.Helper()
	cmd := exec.Command(bin, args...)
	d := &Daemon{t: t, cmd: cmd, Stderr: &SyncBuffer{}, Done: make(chan struct{})}
	cmd.Stderr = d.Stderr
	cmd.Stdout = d.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sluice: %v", err)
	}
	go func() { d.Err = cmd.Wait(); close(d.Done) }()
	t.Cleanup(func() {
		select {
		case <-d.Done:
		default:
			_ = cmd.Process.Kill()
			<-d.Done
		}
		if t.Failed() {
			// The whole log stays for a look after the run; the test's
			// output gets its tail.
			f := filepath.Join(os.TempDir(), "sluice-"+strings.ReplaceAll(t.Name(), "/", "_")+".log")
			_ = os.WriteFile(f, []byte(d.Stderr.String()), 0o644)
			t.Logf("sluice log (whole in %s), tail:\n%s", f, Tail(d.Stderr.String(), 4000))
		}
	})
	return d
}

// Tail is the last n bytes of s.
func Tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// WaitLog waits until the daemon's log contains s.
func (d *Daemon) WaitLog(s string, timeout time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(d.Stderr.String(), s) {
			return
		}
		select {
		case <-d.Done:
			d.t.Fatalf("sluice exited (%v) before logging %q:\n%s", d.Err, s, Tail(d.Stderr.String(), 4000))
		case <-time.After(50 * time.Millisecond):
		}
	}
	d.t.Fatalf("sluice did not log %q within %s:\n%s", s, timeout, Tail(d.Stderr.String(), 4000))
}

// Stop sends SIGTERM and returns how long the daemon took to exit; it fails
// the test when the exit status is not 0.
func (d *Daemon) Stop() time.Duration {
	d.t.Helper()
	start := time.Now()
	d.Signal(syscall.SIGTERM)
	select {
	case <-d.Done:
	case <-time.After(30 * time.Second):
		d.t.Fatalf("sluice did not exit within 30 s of SIGTERM")
	}
	if d.Err != nil {
		d.t.Fatalf("sluice exited with %v after SIGTERM:\n%s", d.Err, Tail(d.Stderr.String(), 4000))
	}
	return time.Since(start)
}

// Pid is the daemon's process id (for /proc/<pid>/status while it runs).
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Signal sends sig to the daemon.
func (d *Daemon) Signal(sig syscall.Signal) { _ = d.cmd.Process.Signal(sig) }

// Kill9 kills the daemon with SIGKILL and waits for it to be gone.
func (d *Daemon) Kill9() {
	d.Signal(syscall.SIGKILL)
	<-d.Done
}

// WaitExit waits for the daemon to exit on its own and returns its log.
func (d *Daemon) WaitExit(timeout time.Duration) string {
	d.t.Helper()
	select {
	case <-d.Done:
	case <-time.After(timeout):
		d.t.Fatalf("sluice did not exit within %s:\n%s", timeout, Tail(d.Stderr.String(), 4000))
	}
	return d.Stderr.String()
}

// Record is a consumed Kafka record.
type Record struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   map[string]string
	// Codec is the compression of the batch the record came in (Kafka's
	// attribute bits: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
	Codec uint8
}

// NewKafkaClient is a client of the brokers (comma-separated), closed when
// the test ends.
func NewKafkaClient(t *testing.T, brokers string, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	// A consumer started before the connector created its topic asks for
	// the topic again only after MetadataMinAge, 5 s by default: most of a
	// short test. Asking again soon costs the test broker nothing.
	base := []kgo.Opt{kgo.SeedBrokers(strings.Split(brokers, ",")...), kgo.MetadataMinAge(100 * time.Millisecond)}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Consume reads topics from the start until at least n records arrived and
// no more came for a short while, or the timeout passed.
func Consume(t *testing.T, brokers string, n int, timeout time.Duration, topics ...string) []Record {
	t.Helper()
	return ConsumeWith(t, brokers, n, timeout, nil, topics...)
}

// ConsumeWith is Consume with more consumer options (an isolation level).
func ConsumeWith(t *testing.T, brokers string, n int, timeout time.Duration, opts []kgo.Opt, topics ...string) []Record {
	t.Helper()
	cl := NewKafkaClient(t, brokers, append([]kgo.Opt{kgo.ConsumeTopics(topics...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200 * time.Millisecond)}, opts...)...)
	var out []Record
	deadline := time.Now().Add(timeout)
	quietSince := time.Now()
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		fs := cl.PollFetches(ctx)
		cancel()
		got := 0
		fs.EachRecord(func(r *kgo.Record) {
			out = append(out, toRecord(r))
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

func toRecord(r *kgo.Record) Record {
	h := map[string]string{}
	for _, x := range r.Headers {
		h[x.Key] = string(x.Value)
	}
	return Record{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Key: r.Key, Value: r.Value, Headers: h,
		Codec: r.Attrs.CompressionType()}
}

// StoredOffset reads the connector's record from the offsets topic: the
// partition it is in and its last value.
func StoredOffset(t *testing.T, brokers, topic string, key []byte) (partition int32, value []byte, found bool) {
	t.Helper()
	// Control records (the markers of transactions, which exactly-once
	// connectors write here) take offsets too: a partition whose last
	// offset is a marker is read to its end only if they are delivered.
	cl := NewKafkaClient(t, brokers, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.KeepControlRecords())
	adm := kadm.NewClient(cl)
	// A broker that was stopped a moment ago (the tests that pause it)
	// can still be electing leaders: LEADER_NOT_AVAILABLE, for a while.
	// That comes back per partition too, and a partition left out of the
	// listing would go unread: the offset looked for may be there. (A
	// topic that does not exist yet, partition -1, has no offset stored.)
	list := func() (kadm.ListedOffsets, error) {
		ends, err := adm.ListEndOffsets(context.Background(), topic)
		if err == nil {
			ends.Each(func(o kadm.ListedOffset) {
				if o.Err != nil && o.Partition >= 0 && err == nil {
					err = fmt.Errorf("partition %d: %w", o.Partition, o.Err)
				}
			})
		}
		return ends, err
	}
	ends, err := list()
	for wait := time.Now().Add(30 * time.Second); err != nil && time.Now().Before(wait); {
		time.Sleep(500 * time.Millisecond)
		ends, err = list()
	}
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
			if !r.Attrs.IsControl() && bytes.Equal(r.Key, key) {
				partition, value, found = r.Partition, r.Value, true
			}
			if end, ok := ends.Lookup(topic, r.Partition); ok && r.Offset+1 >= end.Offset {
				seen[r.Partition] = true
			}
		})
	}
	return partition, value, found
}

// Payload decodes a JSON record value written with schemas.enable=true or
// false into its payload.
func Payload(t *testing.T, b []byte) map[string]any {
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

// WriteConnector writes a connector file {"name":..., "config":...} in a
// temporary directory of the test and returns its path.
func WriteConnector(t *testing.T, name string, cfg map[string]string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	p := filepath.Join(t.TempDir(), name+".json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// UnionKeys is the union of the maps' keys, sorted: the fields two decoded
// JSON objects are compared on.
func UnionKeys(a, b map[string]any) []string {
	u := make(map[string]bool, len(a)+len(b))
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return SortedKeys(u)
}

// FieldOrder is a JSON object's field names in the order they are written,
// comma-separated ("" for anything but an object): the order decides a
// key's bytes, and so its partition.
func FieldOrder(b []byte) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		names = append(names, fmt.Sprint(tok))
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return ""
		}
	}
	return strings.Join(names, ",")
}
