package signals

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		doc, id, typ, data string
		bad                bool
	}{
		{doc: `{"id": "a", "type": "log", "data": {"message": "hi"}}`, id: "a", typ: "log", data: `{"message": "hi"}`},
		{doc: `{"id": "b", "type": "resume-snapshot"}`, id: "b", typ: "resume-snapshot"},
		{doc: `{"id": "c", "type": "log", "data": null}`, id: "c", typ: "log"},
		{doc: `{"type": "log"}`, bad: true},
		{doc: `not json`, bad: true},
	} {
		s, err := parse([]byte(c.doc))
		if c.bad != (err != nil) {
			t.Errorf("%s: error %v, want one: %v", c.doc, err, c.bad)
			continue
		}
		if !c.bad && (s.ID != c.id || s.Type != c.typ || s.Data != c.data || s.Offset != -1) {
			t.Errorf("%s: %+v", c.doc, s)
		}
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(map[string]string{"signal.enabled.channels": "source, Kafka,file"}, "inv")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Kafka || !c.File || c.Topic != "inv-signal" || c.Group != "kafka-signal" || c.Key != "inv" || c.Path != "file-signals.txt" || c.Poll != 5*time.Second {
		t.Errorf("defaults: %+v", c)
	}
	c, err = ParseConfig(map[string]string{"signal.kafka.topic": "sig", "signal.kafka.groupId": "g", "signal.file": "/x",
		"signal.kafka.bootstrap.servers": "a:1, b:2", "signal.poll.interval.ms": "250"}, "inv")
	if err != nil || c.Enabled() || c.Topic != "sig" || c.Group != "g" || c.Path != "/x" || len(c.Brokers) != 2 || c.Poll != 250*time.Millisecond {
		t.Errorf("set: %+v, %v", c, err)
	}
	if _, err := ParseConfig(map[string]string{"signal.poll.interval.ms": "soon"}, "inv"); err == nil {
		t.Error("signal.poll.interval.ms=soon accepted")
	}
}

// The file's signals of the types Sluice takes are put in the inbox, in
// order, and the file is emptied, so a second read finds nothing.
func TestFileChannel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.txt")
	lines := `{"id": "1", "type": "execute-snapshot", "data": {"data-collections": ["db.t"]}}

{"id": "2", "type": "open-snapshot-window"}
garbage
{"id": "3", "type": "log", "data": {"message": "m"}}
`
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	in := NewInbox()
	f := &fileChannel{path: path, in: in, log: zap.NewNop()}
	f.read()
	got := in.Take()
	if len(got) != 2 || got[0].ID != "1" || got[1].ID != "3" || got[0].Data != `{"data-collections": ["db.t"]}` {
		t.Fatalf("signals %+v; want ids 1 and 3", got)
	}
	if b, _ := os.ReadFile(path); len(b) != 0 {
		t.Errorf("file not emptied: %q", b)
	}
	f.read()
	if in.Pending() {
		t.Errorf("signals after a second read: %+v", in.Take())
	}
}

// The Kafka channel takes records keyed with the topic prefix from
// partition 0, commits the group's offset past what the stream took when
// it stops, and a new reader starts there.
func TestKafkaChannel(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "inv-signal"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	brokers := c.ListenAddrs()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic("inv-signal"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	produce := func(key, value string) {
		t.Helper()
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Key: []byte(key), Value: []byte(value)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	produce("other", `{"id": "x", "type": "log", "data": {"message": "not ours"}}`)
	produce("inv", `{"id": "s1", "type": "log", "data": {"message": "ours"}}`)
	produce("inv", `{"id": "s2", "type": "stop-snapshot", "data": {"type": "incremental"}}`)

	cfg, _ := ParseConfig(map[string]string{"signal.enabled.channels": "kafka"}, "inv")
	in := NewInbox()
	ctx, cancel := context.WithCancel(context.Background())
	wait := Start(ctx, cfg, in, nil, brokers, zap.NewNop())
	got := waitSignals(t, in, 2)
	if got[0].ID != "s1" || got[1].ID != "s2" || got[1].Offset != 2 {
		t.Fatalf("signals %+v; want s1 and s2 (offset 2)", got)
	}
	adm := kadm.NewClient(cl)
	committed := func() (int64, bool) {
		resp, err := adm.FetchOffsets(context.Background(), "kafka-signal")
		o, ok := resp.Lookup("inv-signal", 0)
		return o.At, err == nil && ok
	}
	if at, ok := committed(); ok {
		t.Errorf("group offset %d committed while running; Debezium commits at the stop only", at)
	}
	cancel()
	wait()
	if at, ok := committed(); !ok || at != 3 {
		t.Fatalf("group offset after the stop: %d (%v), want 3, past the signals taken", at, ok)
	}

	produce("inv", `{"id": "s3", "type": "log", "data": {"message": "after"}}`)
	ctx, cancel = context.WithCancel(context.Background())
	wait = Start(ctx, cfg, in, nil, brokers, zap.NewNop())
	defer func() { cancel(); wait() }()
	if got := waitSignals(t, in, 1); got[0].ID != "s3" {
		t.Fatalf("after the restart: %+v; want s3 alone", got)
	}
}

func waitSignals(t *testing.T, in *Inbox, n int) []Signal {
	t.Helper()
	var got []Signal
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		got = append(got, in.Take()...)
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // no more than n
	got = append(got, in.Take()...)
	if len(got) != n {
		t.Fatalf("%d signals %+v; want %d", len(got), got, n)
	}
	return got
}
