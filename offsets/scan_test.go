package offsets

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenPerTask reads testdata/vitess-per-task.golden: the keys and values
// Kafka Connect wrote for Debezium's Vitess connector with per-task offsets.
func goldenPerTask(t *testing.T) [][2]string {
	t.Helper()
	f, err := os.Open("testdata/vitess-per-task.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 || len(lines)%2 != 0 {
		t.Fatalf("golden file: %d lines, want key/value pairs", len(lines))
	}
	var out [][2]string
	for i := 0; i < len(lines); i += 2 {
		out = append(out, [2]string{lines[i], lines[i+1]})
	}
	return out
}

func TestTaskKeyMatchesKafkaConnect(t *testing.T) {
	for _, kv := range goldenPerTask(t) {
		conn, part, err := KeyPartition([]byte(kv[0]))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(TaskKey(conn, part["server"], part["task_key"])); got != kv[0] {
			t.Errorf("TaskKey(%q, %q, %q) = %s, Kafka Connect wrote %s", conn, part["server"], part["task_key"], got, kv[0])
		}
		if !strings.HasPrefix(kv[0], string(ConnectorKeyPrefix(conn))) {
			t.Errorf("%s does not begin with ConnectorKeyPrefix %s", kv[0], ConnectorKeyPrefix(conn))
		}
		if _, err := ParseVitess([]byte(kv[1])); err != nil {
			t.Errorf("Debezium's per-task value %s: %v", kv[1], err)
		}
	}
	if got, want := string(TaskKey("c", "s", "")), string(Key("c", "s")); got != want {
		t.Errorf("TaskKey without a task key = %s, want Key's %s", got, want)
	}
	for _, bad := range []string{`{}`, `["a"]`, `[1,{}]`, `["a",3]`, `not json`} {
		if _, _, err := KeyPartition([]byte(bad)); err == nil {
			t.Errorf("KeyPartition(%s) accepted it", bad)
		}
	}
}

// Scan finds every key of one connector, the last value of each, and
// leaves out deleted keys and other connectors' keys.
func testScan(t *testing.T, st interface {
	Store
	Scanner
}) {
	ctx := context.Background()
	commit := func(k, v []byte) {
		t.Helper()
		if err := st.Commit(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, kv := range goldenPerTask(t) {
		commit([]byte(kv[0]), []byte(`{"vgtid":"old"}`))
		if i == 0 {
			continue
		}
		commit([]byte(kv[0]), []byte(kv[1]))
	}
	first := goldenPerTask(t)[0][0]
	commit([]byte(first), nil)
	commit(TaskKey("dbzt22", "dbzt2", "task0_1_0"), []byte(`{"vgtid":"other connector"}`))
	commit(Key("dbzt2", "dbzt2"), []byte(`{"vgtid":"single"}`))
	got, err := st.Scan(ctx, ConnectorKeyPrefix("dbzt2"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{string(Key("dbzt2", "dbzt2")): `{"vgtid":"single"}`}
	for _, kv := range goldenPerTask(t)[1:] {
		want[kv[0]] = kv[1]
	}
	if len(got) != len(want) {
		t.Errorf("Scan found %d keys, want %d: %q", len(got), len(want), got)
	}
	for k, v := range want {
		if string(got[k]) != v {
			t.Errorf("Scan: %s = %s, want %s", k, got[k], v)
		}
	}
}

func TestScanKafkaFake(t *testing.T) {
	_, brokers := newFakeCluster(t)
	st, err := NewKafkaStore(testCtx(t), KafkaStoreConfig{Brokers: brokers, Partitions: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	testScan(t, st)
}

func TestScanFile(t *testing.T) {
	st, err := NewFileStore(filepath.Join(t.TempDir(), "offsets.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	testScan(t, st)
}
