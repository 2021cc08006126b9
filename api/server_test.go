package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector"
	"github.com/sluice-cdc/sluice/connector/change"
)

// fakeTask is a task whose state the test sets; Pause and Resume move it
// as a connector.Task's would once its pipeline has drained.
type fakeTask struct {
	mu            sync.Mutex
	state, trace  string
	key, value    string
	pauses, resum int
	restarts      int
}

func (f *fakeTask) State() string   { f.mu.Lock(); defer f.mu.Unlock(); return f.state }
func (f *fakeTask) Failure() string { f.mu.Lock(); defer f.mu.Unlock(); return f.trace }
func (f *fakeTask) Pause() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pauses++
	if f.state == connector.StateRunning {
		f.state = connector.StatePaused
	}
}
func (f *fakeTask) Resume() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resum++
	if f.state == connector.StatePaused {
		f.state = connector.StateRunning
	}
}
func (f *fakeTask) Restart() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == connector.StatePaused {
		return false
	}
	f.restarts++
	f.state, f.trace = connector.StateRunning, ""
	return true
}
func (f *fakeTask) Key() []byte { return []byte(f.key) }
func (f *fakeTask) StoredOffset(context.Context) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.value == "" {
		return nil, nil
	}
	return []byte(f.value), nil
}
func (f *fakeTask) StoreOffset(_ context.Context, value []byte) error {
	if value != nil && !json.Valid(value) {
		return fmt.Errorf("not JSON: %s", value)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.value = string(value)
	return nil
}

func newTestServer(t *testing.T) (*Server, *fakeTask, *fakeTask, *connector.Counters) {
	t.Helper()
	a := &fakeTask{state: connector.StateRunning, key: `["inventory",{"server":"db1"}]`, value: `{"file":"mariadb-bin.000003","pos":4,"gtids":"0-1-42"}`}
	b := &fakeTask{state: connector.StateFailed, trace: "connector orders: reading the binlog: access denied; check database.user", key: `["orders",{"server":"db2"}]`}
	counters := &connector.Counters{}
	s := New([]*Connector{
		{Name: "orders", Config: map[string]string{"name": "orders"}, Tasks: []Task{b}, Counters: &connector.Counters{}, QueueCapacity: 2048},
		{Name: "inventory", Config: map[string]string{"name": "inventory", "database.password": "********"}, Tasks: []Task{a}, Counters: counters, QueueCapacity: 4096, Observed: true,
			Topics: func() []string { return []string{"db1.inv.a", "db1.inv.b"} }},
	}, "1.2.3", zap.NewNop())
	s.WorkerID, s.ClusterID = "host1:8083", "c1"
	return s, a, b, counters
}

func do(t *testing.T, h http.Handler, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code, strings.TrimSpace(rec.Body.String())
}

func TestRESTPathsAnswerAsKafkaConnect(t *testing.T) {
	s, _, _, _ := newTestServer(t)
	h := s.Handler()
	cases := []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/connectors", 200, `["inventory","orders"]`},
		{"GET", "/connectors/inventory/status", 200,
			`{"name":"inventory","connector":{"state":"RUNNING","worker_id":"host1:8083","version":"1.2.3"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"host1:8083","version":"1.2.3"}],"type":"source"}`},
		{"GET", "/connectors/orders/status", 200,
			`{"name":"orders","connector":{"state":"RUNNING","worker_id":"host1:8083","version":"1.2.3"},"tasks":[{"id":0,"state":"FAILED","worker_id":"host1:8083","version":"1.2.3","trace":"connector orders: reading the binlog: access denied; check database.user"}],"type":"source"}`},
		{"GET", "/connectors/orders/tasks/0/status", 200,
			`{"id":0,"state":"FAILED","worker_id":"host1:8083","version":"1.2.3","trace":"connector orders: reading the binlog: access denied; check database.user"}`},
		{"GET", "/connectors/orders/tasks/1/status", 404, `{"error_code":404,"message":"No status found for task orders-1"}`},
		{"GET", "/connectors/inventory", 200,
			`{"config":{"database.password":"********","name":"inventory"},"name":"inventory","tasks":[{"connector":"inventory","task":0}],"type":"source"}`},
		{"GET", "/connectors/inventory/config", 200, `{"database.password":"********","name":"inventory"}`},
		{"GET", "/connectors/inventory/tasks", 200,
			`[{"config":{"database.password":"********","name":"inventory"},"id":{"connector":"inventory","task":0}}]`},
		{"GET", "/connectors/inventory/offsets", 200,
			`{"offsets":[{"partition":{"server":"db1"},"offset":{"file":"mariadb-bin.000003","pos":4,"gtids":"0-1-42"}}]}`},
		{"GET", "/connectors/orders/offsets", 200, `{"offsets":[]}`},
		{"GET", "/connectors/nope/status", 404, `{"error_code":404,"message":"No status found for connector nope"}`},
		{"GET", "/connectors/nope", 404, `{"error_code":404,"message":"Connector nope not found"}`},
		{"POST", "/connectors", 405, `{"error_code":405,"message":"Sluice's connectors are the files given to ` + "`sluice run`" + `: add, change or remove the file and restart sluice"}`},
		{"PUT", "/connectors/inventory/config", 405, ""},
		{"DELETE", "/connectors/inventory", 405, ""},
		{"GET", "/connectors/inventory/topics", 200, `{"inventory":{"topics":["db1.inv.a","db1.inv.b"]}}`},
		{"GET", "/connectors/orders/topics", 200, `{"orders":{"topics":[]}}`},
		{"GET", "/", 200, `{"commit":"` + commit() + `","kafka_cluster_id":"c1","version":"1.2.3"}`},
	}
	for _, tc := range cases {
		code, body := do(t, h, tc.method, tc.path)
		if code != tc.code || tc.body != "" && body != tc.body {
			t.Errorf("%s %s = %d %s\nwant %d %s", tc.method, tc.path, code, body, tc.code, tc.body)
		}
	}
	code, body := do(t, h, "GET", "/connectors?expand=status")
	if code != 200 || !strings.Contains(body, `"orders":{"status":{"name":"orders"`) || !strings.Contains(body, `"inventory":{"status":`) {
		t.Errorf("GET /connectors?expand=status = %d %s", code, body)
	}
	code, body = do(t, h, "GET", "/connector-plugins")
	if code != 200 || !strings.Contains(body, `{"class":"io.debezium.connector.mariadb.MariaDbConnector","type":"source","version":"1.2.3"}`) {
		t.Errorf("GET /connector-plugins = %d %s", code, body)
	}
}

func TestRESTPauseResume(t *testing.T) {
	s, a, b, _ := newTestServer(t)
	h := s.Handler()
	if code, _ := do(t, h, "PUT", "/connectors/inventory/pause"); code != 202 {
		t.Fatalf("pause = %d, want 202", code)
	}
	_, body := do(t, h, "GET", "/connectors/inventory/status")
	if !strings.Contains(body, `"connector":{"state":"PAUSED"`) || !strings.Contains(body, `"tasks":[{"id":0,"state":"PAUSED"`) {
		t.Errorf("status after pause: %s", body)
	}
	if code, _ := do(t, h, "PUT", "/connectors/inventory/resume"); code != 202 || a.State() != connector.StateRunning {
		t.Errorf("resume = %d, task %s", code, a.State())
	}
	if a.pauses != 1 || a.resum != 1 || b.pauses != 0 {
		t.Errorf("pauses/resumes reached the wrong tasks: inventory %d/%d, orders %d", a.pauses, a.resum, b.pauses)
	}
}

// Kafka Connect's KIP-875 flow: stop, change or delete the offsets,
// resume.
func TestRESTStopAndOffsets(t *testing.T) {
	s, a, _, _ := newTestServer(t)
	h := s.Handler()
	patch := func(body string) (int, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("PATCH", "/connectors/inventory/offsets", strings.NewReader(body)))
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	moved := `{"offsets":[{"partition":{"server":"db1"},"offset":{"file":"mariadb-bin.000004","pos":4,"gtids":"0-1-50"}}]}`
	if code, body := patch(moved); code != 400 || !strings.Contains(body, "must be in the STOPPED state") || !strings.Contains(body, "/connectors/inventory/stop") {
		t.Errorf("PATCH of a running connector = %d %s", code, body)
	}
	if code, body := do(t, h, "DELETE", "/connectors/inventory/offsets"); code != 400 {
		t.Errorf("DELETE of a running connector's offsets = %d %s", code, body)
	}
	if code, _ := do(t, h, "PUT", "/connectors/inventory/stop"); code != 204 {
		t.Fatalf("PUT stop = %d, want 204", code)
	}
	if _, body := do(t, h, "GET", "/connectors/inventory/status"); body != `{"name":"inventory","connector":{"state":"STOPPED","worker_id":"host1:8083","version":"1.2.3"},"tasks":[],"type":"source"}` {
		t.Errorf("status of a stopped connector: %s", body)
	}
	if code, body := patch(moved); code != 200 || body != `{"message":"The offsets for this connector have been altered successfully"}` {
		t.Errorf("PATCH = %d %s", code, body)
	}
	if _, body := do(t, h, "GET", "/connectors/inventory/offsets"); body != `{"offsets":[{"partition":{"server":"db1"},"offset":{"file":"mariadb-bin.000004","pos":4,"gtids":"0-1-50"}}]}` {
		t.Errorf("offsets after the PATCH: %s", body)
	}
	for _, bad := range []struct{ body, want string }{
		{`{"offsets":[{"partition":{"server":"other"},"offset":{"pos":4}}]}`, `the partition {"server":"other"} is none of connector inventory's; its partitions are [{"server":"db1"}]`},
		{`{"bad":1}`, `the body must be {"offsets": [{"partition": {...}, "offset": {...}}]}`},
		{`{"offsets":[{"partition":"x","offset":{}}]}`, `the partition "x" is not a JSON object`},
	} {
		code, body := patch(bad.body)
		var e struct{ Message string }
		_ = json.Unmarshal([]byte(body), &e)
		if code != 400 || !strings.Contains(e.Message, bad.want) {
			t.Errorf("PATCH %s = %d %s, want 400 with %q", bad.body, code, body, bad.want)
		}
	}
	if code, body := patch(`{"offsets":[{"partition":{"server":"db1"},"offset":null}]}`); code != 200 || a.value != "" {
		t.Errorf("PATCH with a null offset = %d %s, stored %q", code, body, a.value)
	}
	a.value = `{"file":"f","pos":1}`
	if code, body := do(t, h, "DELETE", "/connectors/inventory/offsets"); code != 200 || body != `{"message":"The offsets for this connector have been reset successfully"}` || a.value != "" {
		t.Errorf("DELETE offsets = %d %s, stored %q", code, body, a.value)
	}
	if code, _ := do(t, h, "PUT", "/connectors/inventory/resume"); code != 202 {
		t.Errorf("resume = %d", code)
	}
	if _, body := do(t, h, "GET", "/connectors/inventory/status"); !strings.Contains(body, `"connector":{"state":"RUNNING"`) {
		t.Errorf("status after resume: %s", body)
	}
}

func TestRESTHealth(t *testing.T) {
	s, _, _, _ := newTestServer(t)
	h := s.Handler()
	if code, body := do(t, h, "GET", "/health"); code != 503 || !strings.Contains(body, `"status":"starting"`) {
		t.Errorf("health before start = %d %s", code, body)
	}
	s.Ready()
	if code, body := do(t, h, "GET", "/health"); code != 200 || body != `{"message":"Worker has completed startup and is ready to handle requests.","status":"healthy"}` {
		t.Errorf("health = %d %s", code, body)
	}
}

func TestMetricsExposition(t *testing.T) {
	s, _, _, counters := newTestServer(t)
	counters.OnEvents(change.OpCreate, 7)
	counters.OnEvents(change.OpRead, 3)
	counters.OnProduced("t", nil)
	counters.OnProduced("t", nil)
	counters.OnCommitted(nil, nil)
	counters.OnLag(time.Now().Add(-time.Minute), 1500*time.Millisecond)
	counters.OnSnapshotStarted()
	counters.OnSnapshotEnded(true)
	counters.OnQueue(12, 3400)
	var o change.Observer = connector.Hooks{counters} // as the task hands it to the source
	o.SnapshotStarted()                               // an incremental snapshot, paused
	o.SnapshotPaused(true)
	o.Connected(true)
	o.SnapshotTables(3, 1)
	o.SnapshotTableRows("db.a", 10, true)
	o.SnapshotTableRows("db.b", 5, false)
	code, body := do(t, s.Handler(), "GET", "/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics = %d", code)
	}
	for _, want := range []string{
		"# TYPE sluice_events_total counter",
		`sluice_events_total{connector="inventory",op="c"} 7`,
		`sluice_events_total{connector="inventory",op="r"} 3`,
		`sluice_events_total{connector="orders",op="c"} 0`,
		`sluice_records_produced_total{connector="inventory"} 2`,
		`sluice_offset_commits_total{connector="inventory"} 1`,
		`sluice_milliseconds_behind_source{connector="inventory"} 1500`,
		`sluice_transactions_total{connector="inventory"} 1`,
		`sluice_milliseconds_since_last_event{connector="orders"} -1`,
		`sluice_snapshot_running{connector="inventory"} 1`,
		`sluice_snapshots_completed_total{connector="inventory"} 1`,
		`sluice_snapshots_aborted_total{connector="inventory"} 0`,
		`sluice_queue_events{connector="inventory"} 12`,
		`sluice_queue_bytes{connector="inventory"} 3400`,
		`sluice_queue_capacity_events{connector="inventory"} 4096`,
		`sluice_snapshot_paused{connector="inventory"} 1`,
		`sluice_task_state{connector="orders",task="0",state="FAILED"} 1`,
		`sluice_task_state{connector="orders",task="0",state="RUNNING"} 0`,
		`sluice_task_state{connector="orders",task="0",state="RESTARTING"} 0`,
		`sluice_task_state{connector="inventory",task="0",state="RUNNING"} 1`,
		"# TYPE process_resident_memory_bytes gauge",
		`sluice_connected{connector="inventory"} 1`,
		`sluice_snapshot_tables{connector="inventory"} 3`,
		`sluice_snapshot_tables_remaining{connector="inventory"} 1`,
		`sluice_snapshot_rows_scanned{connector="inventory",table="db.a"} 10`,
		`sluice_snapshot_rows_scanned{connector="inventory",table="db.b"} 5`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, `sluice_connected{connector="orders"}`) {
		t.Errorf("a connector whose source does not observe itself has a sluice_connected:\n%s", body)
	}
	if v := metricLine(body, `sluice_milliseconds_since_last_event{connector="inventory"}`); v < 60000 || v > 70000 {
		t.Errorf("milliseconds since the last event = %d, want about a minute", v)
	}
	if got := label("a\"b\\c\nd"); got != `"a\"b\\c\nd"` {
		t.Errorf("label = %s", got)
	}
}

// A port already taken is Serve's error, before anything runs.
func TestServePortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	s, _, _, _ := newTestServer(t)
	_, _, err = s.Serve(context.Background(), []string{taken.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "opening the REST listener "+taken.Addr().String()) {
		t.Fatalf("Serve on a taken port: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs, wait, err := s.Serve(ctx, []string{"127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addrs[0] + "/connectors")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "[\"inventory\",\"orders\"]\n" {
		t.Errorf("served body %q", body)
	}
	cancel()
	wait()
	if _, err := http.Get("http://" + addrs[0] + "/connectors"); err == nil {
		t.Error("the listener still answers after its context ended")
	}
}

func metricLine(exposition, series string) int64 {
	for _, line := range strings.Split(exposition, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseInt(rest, 10, 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// Restarts answer as Kafka Connect 4.1's: the connector alone is a 204 that
// starts no task again; with includeTasks and onlyFailed the failed tasks
// restart (202, the status with them RESTARTING, their trace kept); with
// includeTasks alone every task does; a stopped connector has no task.
func TestRESTRestart(t *testing.T) {
	s, a, b, _ := newTestServer(t)
	h := s.Handler()
	status := func(conn, task, rest string) string {
		return `{"name":"` + conn + `","connector":{"state":"` + conn + `_STATE","worker_id":"host1:8083","version":"1.2.3"},"tasks":[{"id":0,"state":"` + task + `","worker_id":"host1:8083","version":"1.2.3"` + rest + `}],"type":"source"}`
	}
	trace := `,"trace":"connector orders: reading the binlog: access denied; check database.user"`
	restarts := func(want int, f *fakeTask) {
		t.Helper()
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.restarts != want {
			t.Fatalf("%d restarts of %s, want %d", f.restarts, f.key, want)
		}
	}
	cases := []struct {
		path string
		code int
		body string
		a, b int // restarts of inventory's and orders' task after the call
	}{
		{"/connectors/orders/restart", 204, "", 0, 0},
		{"/connectors/orders/restart?includeTasks=yes", 204, "", 0, 0},
		{"/connectors/orders/restart?onlyFailed=true", 202, strings.Replace(status("orders", "FAILED", trace), "orders_STATE", "RUNNING", 1), 0, 0},
		{"/connectors/inventory/restart?includeTasks=true&onlyFailed=true", 202, strings.Replace(status("inventory", "RUNNING", ""), "inventory_STATE", "RUNNING", 1), 0, 0},
		{"/connectors/orders/restart?includeTasks=TRUE&onlyFailed=true", 202, strings.Replace(status("orders", "RESTARTING", trace), "orders_STATE", "RUNNING", 1), 0, 1},
		{"/connectors/inventory/restart?includeTasks=true", 202, strings.Replace(status("inventory", "RESTARTING", ""), "inventory_STATE", "RESTARTING", 1), 1, 1},
		{"/connectors/inventory/tasks/0/restart", 204, "", 2, 1},
		{"/connectors/inventory/tasks/1/restart", 404, `{"error_code":404,"message":"Task inventory-1 not found"}`, 2, 1},
		{"/connectors/inventory/tasks/x/restart", 404, `{"error_code":404,"message":"Task inventory-x not found"}`, 2, 1},
		{"/connectors/nope/restart", 404, `{"error_code":404,"message":"Connector nope not found"}`, 2, 1},
	}
	for _, tc := range cases {
		code, body := do(t, h, "POST", tc.path)
		if code != tc.code || body != tc.body {
			t.Errorf("POST %s = %d %s\nwant %d %s", tc.path, code, body, tc.code, tc.body)
		}
		restarts(tc.a, a)
		restarts(tc.b, b)
	}
	if got := b.State(); got != connector.StateRunning {
		t.Fatalf("the restarted task is %s", got)
	}

	if code, _ := do(t, h, "PUT", "/connectors/inventory/stop"); code != 204 {
		t.Fatalf("stop: %d", code)
	}
	code, body := do(t, h, "POST", "/connectors/inventory/restart?includeTasks=true")
	want := `{"name":"inventory","connector":{"state":"RESTARTING","worker_id":"host1:8083","version":"1.2.3"},"tasks":[],"type":"source"}`
	if code != 202 || body != want {
		t.Errorf("restart of a stopped connector = %d %s\nwant 202 %s", code, body, want)
	}
	if code, body := do(t, h, "POST", "/connectors/inventory/tasks/0/restart"); code != 404 || body != `{"error_code":404,"message":"Task inventory-0 not found"}` {
		t.Errorf("task restart of a stopped connector = %d %s", code, body)
	}
	restarts(2, a)
	if got := a.State(); got != connector.StatePaused {
		t.Fatalf("the stopped connector's task is %s", got)
	}
}

// PUT .../topics/reset empties the active topics (202); the worker's
// topic.tracking.enable=false and topic.tracking.allow.reset=false answer
// 403 in Kafka Connect's words.
func TestRESTTopicsReset(t *testing.T) {
	s, _, _, _ := newTestServer(t)
	active := []string{"db1.inv.a"}
	s.connectors["inventory"].Topics = func() []string { return active }
	s.connectors["inventory"].ResetTopics = func() { active = nil }
	h := s.Handler()
	if code, body := do(t, h, "PUT", "/connectors/inventory/topics/reset"); code != 202 || body != "" {
		t.Fatalf("PUT topics/reset = %d %s", code, body)
	}
	if _, body := do(t, h, "GET", "/connectors/inventory/topics"); body != `{"inventory":{"topics":[]}}` {
		t.Fatalf("after the reset: %s", body)
	}
	s.NoTopicReset = true
	if code, body := do(t, h, "PUT", "/connectors/inventory/topics/reset"); code != 403 || body != `{"error_code":403,"message":"Topic tracking reset is disabled."}` {
		t.Fatalf("reset disabled: %d %s", code, body)
	}
	s.NoTopicTracking = true
	for _, m := range []string{"GET /connectors/inventory/topics", "PUT /connectors/inventory/topics/reset"} {
		method, path, _ := strings.Cut(m, " ")
		if code, body := do(t, h, method, path); code != 403 || body != `{"error_code":403,"message":"Topic tracking is disabled."}` {
			t.Fatalf("%s with tracking disabled: %d %s", m, code, body)
		}
	}
}

// /admin/loggers shows and sets the one logger, root, as Kafka Connect's
// KIP-495 paths answer; other loggers and levels are refused naming what
// there is.
func TestRESTLoggers(t *testing.T) {
	s, _, _, _ := newTestServer(t)
	s.Loggers = &Loggers{Level: zap.NewAtomicLevelAt(zap.InfoLevel)}
	h := s.Handler()
	cases := []struct {
		method, path, body string
		code               int
		want               string
	}{
		{"GET", "/admin/loggers", "", 200, `{"root":{"level":"INFO","last_modified":null}}`},
		{"GET", "/admin/loggers/root", "", 200, `{"level":"INFO","last_modified":null}`},
		{"GET", "/admin/loggers/io.debezium", "", 404, `{"error_code":404,"message":"Logger io.debezium not found. Sluice has one logger, root, whose level is every connector's: use /admin/loggers/root"}`},
		{"PUT", "/admin/loggers/io.debezium", `{"level":"DEBUG"}`, 404, ""},
		{"PUT", "/admin/loggers/root", `{}`, 400, `{"error_code":400,"message":"Desired 'level' parameter was not specified in request."}`},
		{"PUT", "/admin/loggers/root", `{"level":"LOUD"}`, 404, `{"error_code":404,"message":"invalid log level 'LOUD'. Sluice logs at ERROR, WARN, INFO or DEBUG (TRACE is taken as DEBUG)"}`},
		{"PUT", "/admin/loggers/root", `xx`, 400, ""},
		{"PUT", "/admin/loggers/root", `{"level":"info"}`, 200, `[]`},
		{"PUT", "/admin/loggers/root", `{"level":"trace"}`, 200, `["root"]`},
		{"PUT", "/admin/loggers/root?scope=cluster", `{"level":"WARN"}`, 204, ""},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body)))
		if body := strings.TrimSpace(rec.Body.String()); rec.Code != tc.code || tc.want != "" && body != tc.want {
			t.Errorf("%s %s %s = %d %s\nwant %d %s", tc.method, tc.path, tc.body, rec.Code, body, tc.code, tc.want)
		}
	}
	if got := s.Loggers.Level.Level(); got != zap.WarnLevel {
		t.Fatalf("level %s after the PUTs", got)
	}
	_, body := do(t, h, "GET", "/admin/loggers/root")
	if !regexp.MustCompile(`^\{"level":"WARN","last_modified":\d{13}\}$`).MatchString(body) {
		t.Fatalf("GET root after the PUTs: %s", body)
	}
}
