package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/offsets"
)

// The REST API as a Kafka Connect operator's tools use it, against the
// real servers: two connectors, one of which cannot log in. The other's
// status, metrics, stored offset, pause and resume are read and driven
// over HTTP; what the API says is checked against the records in Kafka and
// the offsets topic. Once its user exists, a restart through the API
// starts the failed one.
func TestRESTAPIEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))", "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')")
	n := rand.Intn(1e6)
	good, bad := fmt.Sprintf("rest_ok_%d", n), fmt.Sprintf("rest_bad_%d", n)
	goodCfg := connectorFile(t, e, good, good, d.name, nil)
	// The bad connector's user does not exist until the end of the test.
	user, pass := fmt.Sprintf("rest_late_%d", n), fmt.Sprintf("late-pass-%d", n)
	t.Cleanup(func() { d.exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	badCfg := connectorFile(t, e, bad, bad, d.name, map[string]string{"database.user": user, "database.password": pass})
	sl := startDaemon(t, e, "--listeners", "http://127.0.0.1:0", goodCfg, badCfg)
	// worker_id: the listener's host and port, as Kafka Connect's default
	// advertised address.
	workerID := restAddr(t, sl)
	base := "http://" + workerID
	get := func(path string) (int, string) {
		t.Helper()
		return call(t, "GET", base+path)
	}
	waitFor(t, 30*time.Second, "GET /health answers 200", func() bool { code, _ := get("/health"); return code == 200 })

	// The snapshot's three rows, then one streamed.
	topic := good + "." + d.name + ".t"
	consume(t, e, 3, 60*time.Second, topic)
	d.exec("INSERT INTO t VALUES (4,'d')")
	if recs := consume(t, e, 4, 60*time.Second, topic); len(recs) != 4 {
		t.Fatalf("%d records on %s, want 4", len(recs), topic)
	}

	// Active topics: the table's and the schema change topic (the prefix).
	if _, body := get("/connectors/" + good + "/topics"); body != fmt.Sprintf(`{%q:{"topics":[%q,%q]}}`, good, good, topic) {
		t.Errorf("GET topics = %s", body)
	}
	if _, body := get("/"); !strings.Contains(body, `"kafka_cluster_id":"`) {
		t.Errorf("GET / lacks the Kafka cluster's id: %s", body)
	}
	if code, body := get("/connectors"); code != 200 || body != fmt.Sprintf(`[%q,%q]`, bad, good) {
		t.Errorf("GET /connectors = %d %s", code, body)
	}
	var st struct {
		Connector struct{ State string } `json:"connector"`
		Tasks     []struct {
			ID    int    `json:"id"`
			State string `json:"state"`
			Trace string `json:"trace"`
		} `json:"tasks"`
	}
	waitFor(t, 60*time.Second, bad+"'s task FAILED", func() bool {
		_, body := get("/connectors/" + bad + "/status")
		st.Tasks = nil
		_ = json.Unmarshal([]byte(body), &st)
		return len(st.Tasks) == 1 && st.Tasks[0].State == "FAILED"
	})
	if !strings.Contains(st.Tasks[0].Trace, "check database.user and database.password") {
		t.Errorf("the failed task's trace does not name the fix: %q", st.Tasks[0].Trace)
	}
	code, body := get("/connectors/" + good + "/status")
	if code != 200 || body != fmt.Sprintf(`{"name":%q,"connector":{"state":"RUNNING","worker_id":%q,"version":%q},"tasks":[{"id":0,"state":"RUNNING","worker_id":%[2]q,"version":%[3]q}],"type":"source"}`,
		good, workerID, version) {
		t.Errorf("GET /connectors/%s/status = %d %s", good, code, body)
	}
	if _, body := get("/connectors/" + bad + "/config"); !strings.Contains(body, `"database.password":"********"`) || strings.Contains(body, pass) {
		t.Errorf("the config shows the password, or not masked: %s", body)
	}

	_, metrics := get("/metrics")
	for _, want := range []string{
		fmt.Sprintf(`sluice_events_total{connector=%q,op="r"} 3`, good),
		fmt.Sprintf(`sluice_events_total{connector=%q,op="c"} 1`, good),
		fmt.Sprintf(`sluice_snapshot_running{connector=%q} 0`, good),
		fmt.Sprintf(`sluice_connected{connector=%q} 1`, good),
		fmt.Sprintf(`sluice_connected{connector=%q} 0`, bad),
		fmt.Sprintf(`sluice_snapshot_tables{connector=%q} 1`, good),
		fmt.Sprintf(`sluice_snapshot_tables_remaining{connector=%q} 0`, good),
		fmt.Sprintf(`sluice_snapshot_rows_scanned{connector=%q,table=%q} 3`, good, d.name+".t"),
		fmt.Sprintf(`sluice_snapshots_completed_total{connector=%q} 1`, good),
		fmt.Sprintf(`sluice_snapshots_completed_total{connector=%q} 0`, bad),
		fmt.Sprintf(`sluice_task_state{connector=%q,task="0",state="FAILED"} 1`, bad),
		fmt.Sprintf(`sluice_task_state{connector=%q,task="0",state="RUNNING"} 1`, good),
	} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, metrics)
		}
	}
	if v := metricValue(metrics, fmt.Sprintf(`sluice_records_produced_total{connector=%q}`, good)); v < 4 {
		t.Errorf("records produced = %d, want at least the 4 rows", v)
	}

	// The insert's streamed transaction at least (the snapshot is none).
	if v := metricValue(metrics, fmt.Sprintf(`sluice_transactions_total{connector=%q}`, good)); v < 1 {
		t.Errorf("transactions = %d, want at least 1", v)
	}
	if v := metricValue(metrics, fmt.Sprintf(`sluice_milliseconds_since_last_event{connector=%q}`, good)); v < 0 || v > 60000 {
		t.Errorf("milliseconds since the last event = %d", v)
	}

	// Pause: the offset is stored, and the API's offsets are the topic's.
	if code, _ := call(t, "PUT", base+"/connectors/"+good+"/pause"); code != 202 {
		t.Fatalf("PUT pause = %d, want 202", code)
	}
	waitFor(t, 30*time.Second, good+" PAUSED", func() bool {
		_, body := get("/connectors/" + good + "/status")
		return strings.Contains(body, `"connector":{"state":"PAUSED"`) && strings.Contains(body, `"state":"PAUSED","worker_id"`)
	})
	_, stored, found := storedOffset(t, e, "_connect_offsets", offsets.Key(good, good))
	if !found {
		t.Fatal("no offset stored at the pause")
	}
	_, body = get("/connectors/" + good + "/offsets")
	var got struct {
		Offsets []struct{ Partition, Offset map[string]any }
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil || json.Unmarshal(stored, &want) != nil {
		t.Fatalf("offsets %s: %v", body, err)
	}
	if len(got.Offsets) != 1 || got.Offsets[0].Partition["server"] != good || fmt.Sprint(got.Offsets[0].Offset) != fmt.Sprint(want) {
		t.Errorf("GET offsets = %s, stored %s", body, stored)
	}
	d.exec("INSERT INTO t VALUES (5,'e'),(6,'f')")
	if recs := consume(t, e, 4, 20*time.Second, topic); len(recs) != 4 {
		t.Errorf("%d records on %s while paused, want still 4", len(recs), topic)
	}
	if code, _ := call(t, "PUT", base+"/connectors/"+good+"/resume"); code != 202 {
		t.Fatalf("PUT resume = %d, want 202", code)
	}
	if recs := consume(t, e, 6, 60*time.Second, topic); len(recs) != 6 {
		t.Errorf("%d records on %s after the resume, want 6", len(recs), topic)
	}
	if _, body := get("/connectors/" + good + "/status"); !strings.Contains(body, `"tasks":[{"id":0,"state":"RUNNING"`) {
		t.Errorf("status after resume: %s", body)
	}

	// KIP-875: stop, a refused offset, the offsets deleted, resume: the
	// connector starts over with a new snapshot of the six rows.
	if code, _ := call(t, "PUT", base+"/connectors/"+good+"/stop"); code != 204 {
		t.Fatalf("PUT stop = %d, want 204", code)
	}
	if _, body := get("/connectors/" + good + "/status"); !strings.Contains(body, `"connector":{"state":"STOPPED"`) || !strings.Contains(body, `"tasks":[]`) {
		t.Errorf("status after stop: %s", body)
	}
	code, body = callBody(t, "PATCH", base+"/connectors/"+good+"/offsets",
		fmt.Sprintf(`{"offsets":[{"partition":{"server":%q},"offset":{"pos":"x"}}]}`, good))
	if code != 400 || !strings.Contains(body, "is not one connector "+good+" can resume from") {
		t.Errorf("PATCH of an unreadable offset = %d %s", code, body)
	}
	if code, body := call(t, "DELETE", base+"/connectors/"+good+"/offsets"); code != 200 {
		t.Fatalf("DELETE offsets = %d %s", code, body)
	}
	if _, v, _ := storedOffset(t, e, "_connect_offsets", offsets.Key(good, good)); v != nil {
		t.Errorf("the offset is still stored after DELETE: %s", v)
	}
	if code, _ := call(t, "PUT", base+"/connectors/"+good+"/resume"); code != 202 {
		t.Fatalf("PUT resume = %d, want 202", code)
	}
	recs := consume(t, e, 12, 60*time.Second, topic)
	reads := 0
	for _, r := range recs[6:] {
		if p := payload(t, r.Value); p["op"] == "r" {
			reads++
		}
	}
	if len(recs) != 12 || reads != 6 {
		t.Errorf("after the offsets' reset: %d records, %d of the last 6 snapshot reads; want 12 and 6", len(recs), reads)
	}

	// PATCH the offset back to the one stored at the pause, before rows 5
	// and 6: the resume streams their inserts again.
	if code, _ := call(t, "PUT", base+"/connectors/"+good+"/stop"); code != 204 {
		t.Fatalf("PUT stop = %d, want 204", code)
	}
	code, body = callBody(t, "PATCH", base+"/connectors/"+good+"/offsets",
		fmt.Sprintf(`{"offsets":[{"partition":{"server":%q},"offset":%s}]}`, good, stored))
	if code != 200 {
		t.Fatalf("PATCH to the pause's offset = %d %s", code, body)
	}
	if code, _ := call(t, "PUT", base+"/connectors/"+good+"/resume"); code != 202 {
		t.Fatalf("PUT resume = %d, want 202", code)
	}
	recs = consume(t, e, 14, 60*time.Second, topic)
	var again []string
	for _, r := range recs[12:] {
		p := payload(t, r.Value)
		again = append(again, fmt.Sprint(p["op"], p["after"].(map[string]any)["id"]))
	}
	if len(recs) != 14 || strings.Join(again, " ") != "c5 c6" {
		t.Errorf("after the PATCH: %d records, the new ones %v; want 14, c5 c6", len(recs), again)
	}
	restartEndToEnd(t, e, d, base, good, bad, user, pass, topic)

	// The active topics' reset: none, until the table is written to again
	// (the schema change topic is not).
	if code, _ := call(t, "PUT", base+"/connectors/"+good+"/topics/reset"); code != 202 {
		t.Fatalf("PUT topics/reset = %d, want 202", code)
	}
	if _, body := get("/connectors/" + good + "/topics"); body != fmt.Sprintf(`{%q:{"topics":[]}}`, good) {
		t.Errorf("GET topics after the reset = %s", body)
	}
	// DEBUG on through /admin/loggers: the offset commits of the next
	// insert are logged.
	if strings.Contains(sl.Stderr.String(), `"level":"debug"`) {
		t.Fatal("debug lines in the log at log.level info")
	}
	if code, body := callBody(t, "PUT", base+"/admin/loggers/root", `{"level":"DEBUG"}`); code != 200 || body != `["root"]` {
		t.Fatalf("PUT /admin/loggers/root = %d %s", code, body)
	}
	d.exec("INSERT INTO t VALUES (8,'h')")
	waitFor(t, 30*time.Second, "the table's topic listed again", func() bool {
		_, body := get("/connectors/" + good + "/topics")
		return body == fmt.Sprintf(`{%q:{"topics":[%q]}}`, good, topic)
	})
	waitFor(t, 30*time.Second, "a debug line in the log", func() bool {
		return strings.Contains(sl.Stderr.String(), `"level":"debug","ts":`)
	})
	// Nothing has failed for good: the daemon exits 0 at SIGTERM.
	sl.Signal(syscall.SIGTERM)
	if log := sl.WaitExit(30 * time.Second); sl.Err != nil {
		t.Errorf("exit %v after the failed connector's restart:\n%s", sl.Err, tail(log, 1000))
	}
}

// restartEndToEnd restarts the running connector good's task (its stream
// goes on from the stored offset, nothing twice), then, once bad's user
// exists, bad's failed task: it snapshots the table and streams.
func restartEndToEnd(t *testing.T, e env, d *db, base, good, bad, user, pass, topic string) {
	t.Helper()
	if code, body := call(t, "POST", base+"/connectors/"+good+"/tasks/0/restart"); code != 204 {
		t.Fatalf("POST good's task restart = %d %s, want 204", code, body)
	}
	waitFor(t, 30*time.Second, good+" RUNNING after its restart", func() bool {
		_, body := call(t, "GET", base+"/connectors/"+good+"/tasks/0/status")
		return strings.Contains(body, `"state":"RUNNING"`)
	})
	d.createUser(user, pass)
	code, body := call(t, "POST", base+"/connectors/"+bad+"/restart?includeTasks=true&onlyFailed=true")
	if code != 202 || !strings.Contains(body, `"tasks":[{"id":0,"state":"RESTARTING"`) || !strings.Contains(body, "check database.user and database.password") {
		t.Fatalf("POST restart of the failed connector = %d %s; want 202, its task RESTARTING with the failure's trace", code, body)
	}
	waitFor(t, 60*time.Second, bad+"'s task RUNNING after its restart", func() bool {
		_, body := call(t, "GET", base+"/connectors/"+bad+"/status")
		return strings.Contains(body, `"state":"RUNNING","worker_id"`) && !strings.Contains(body, "FAILED")
	})
	badTopic := bad + "." + d.name + ".t"
	consume(t, e, 6, 60*time.Second, badTopic)
	d.exec("INSERT INTO t VALUES (7,'g')")
	for _, tc := range []struct {
		topic string
		n     int
	}{{topic, 15}, {badTopic, 7}} {
		recs := consume(t, e, tc.n, 60*time.Second, tc.topic)
		last := payload(t, recs[len(recs)-1].Value)
		if len(recs) != tc.n || last["op"] != "c" || last["after"].(map[string]any)["id"] != float64(7) {
			t.Errorf("%s after the restarts: %d records, the last %v; want %d, the insert of 7", tc.topic, len(recs), last, tc.n)
		}
	}
	if _, metrics := call(t, "GET", base+"/metrics"); !strings.Contains(metrics, fmt.Sprintf(`sluice_task_state{connector=%q,task="0",state="RUNNING"} 1`, bad)) {
		t.Errorf("the metrics do not show %s running:\n%s", bad, metrics)
	}
}

// restAddr is the address a daemon started with --listeners
// http://127.0.0.1:0 serves its REST API on, read from its log (JSON or
// console).
func restAddr(t *testing.T, sl *daemon) string {
	t.Helper()
	sl.WaitLog("REST API and metrics listening", 30*time.Second)
	m := regexp.MustCompile(`"addresses": ?\["([^"]+)"\]`).FindStringSubmatch(sl.Stderr.String())
	if m == nil {
		t.Fatalf("no listener address in the log:\n%s", tail(sl.Stderr.String(), 2000))
	}
	return m[1]
}

func call(t *testing.T, method, url string) (int, string) {
	t.Helper()
	return callBody(t, method, url, "")
}

func callBody(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func metricValue(exposition, series string) int64 {
	for _, line := range strings.Split(exposition, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			var v int64
			_, _ = fmt.Sscan(rest, &v)
			return v
		}
	}
	return -1
}

// A task that fails in the middle of its stream (its user loses the
// REPLICATION SLAVE privilege and its binlog connection is killed) stays
// FAILED while the daemon's other connector runs; once the privilege is
// back, a restart through the REST API streams on from its stored offset:
// the rows written meanwhile arrive once each, in order, none lost.
func TestRESTRestartAfterStreamFailure(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	n := rand.Intn(1e6)
	user, pass := fmt.Sprintf("rest_revoked_%d", n), "revoked"
	d.createUser(user, pass)
	failing, other := fmt.Sprintf("rest_fail_%d", n), fmt.Sprintf("rest_other_%d", n)
	noSchemas := map[string]string{"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false", "snapshot.mode": "no_data"}
	otherCfg := connectorFile(t, e, other, other, d.name, noSchemas)
	noSchemas["database.user"], noSchemas["database.password"] = user, pass
	failingCfg := connectorFile(t, e, failing, failing, d.name, noSchemas)
	sl := startDaemon(t, e, "--listeners", "http://127.0.0.1:0", failingCfg, otherCfg)
	base := "http://" + restAddr(t, sl)
	taskState := func() string {
		_, body := call(t, "GET", base+"/connectors/"+failing+"/tasks/0/status")
		var st struct{ State, Trace string }
		_ = json.Unmarshal([]byte(body), &st)
		return st.State + " " + st.Trace
	}
	waitStreaming(t, sl, 60*time.Second, failing, other)
	topic := failing + "." + d.name + ".t"
	for i := 1; i <= 20; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
	}
	consume(t, e, 20, 60*time.Second, topic)

	d.exec("REVOKE REPLICATION SLAVE ON *.* FROM '" + user + "'@'%'")
	r := d.exec("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'", user)
	if r.RowNumber() != 1 {
		t.Fatalf("%d binlog dump connections of %s on the server, want 1", r.RowNumber(), user)
	}
	id, _ := r.GetInt(0, 0)
	d.exec(fmt.Sprintf("KILL %d", id))
	for i := 21; i <= 40; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
	}
	waitFor(t, 90*time.Second, failing+" FAILED", func() bool { return strings.HasPrefix(taskState(), "FAILED ") })
	if st := taskState(); !strings.Contains(st, "the user "+user+" lacks the REPLICATION SLAVE privilege") || strings.Contains(st, "check database.user and database.password") {
		t.Errorf("the failed task's trace does not name the missing privilege alone: %s", st)
	}
	if code, body := call(t, "GET", base+"/connectors/"+other+"/status"); code != 200 || strings.Contains(body, "FAILED") {
		t.Fatalf("the other connector: %d %s", code, body)
	}

	d.exec("GRANT REPLICATION SLAVE ON *.* TO '" + user + "'@'%'")
	if code, body := call(t, "POST", base+"/connectors/"+failing+"/tasks/0/restart"); code != 204 {
		t.Fatalf("POST the failed task's restart = %d %s, want 204", code, body)
	}
	waitFor(t, 60*time.Second, failing+" RUNNING after its restart", func() bool { return taskState() == "RUNNING " })
	for i := 41; i <= 50; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d)", i))
	}
	recs := consume(t, e, 50, 60*time.Second, topic)
	var ids []string
	for _, r := range recs {
		ids = append(ids, string(r.Key))
	}
	for i := 1; i <= 50; i++ {
		if want := fmt.Sprintf(`{"id":%d}`, i); len(ids) < i || ids[i-1] != want {
			t.Fatalf("%d records; record %d is not %s (each row once, in order):\n%v", len(ids), i, want, ids)
		}
	}
	if len(ids) != 50 {
		t.Fatalf("%d records, want 50: %v", len(ids), ids[50:])
	}
	sl.Signal(syscall.SIGTERM)
	if log := sl.WaitExit(30 * time.Second); sl.Err != nil {
		t.Errorf("exit %v after the restart:\n%s", sl.Err, tail(log, 1000))
	}
}

// TestRESTConfigValidate asks the REST API to validate connector configs,
// as Kafka Connect's PUT /connector-plugins/{plugin}/config/validate does
// for the tools that create connectors: a config without a name and with a
// bad value gets each error on its property and their count; a sound one
// pointed at the test MariaDB none; one whose user cannot log in the
// server's refusal; a body whose class is not the path's a 400.
func TestRESTConfigValidate(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	name := "c-" + d.name
	sl := startDaemon(t, e, "--listeners", "http://127.0.0.1:0", connectorFile(t, e, name, "p"+d.name[4:], d.name, nil))
	url := "http://" + restAddr(t, sl) + "/connector-plugins/MariaDbConnector/config/validate"
	validate := func(props map[string]string) (int, map[string]any) {
		t.Helper()
		body, _ := json.Marshal(props)
		code, out := callBody(t, "PUT", url, string(body))
		var got map[string]any
		if code == 200 {
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
		} else {
			got = map[string]any{"body": out}
		}
		return code, got
	}
	errorsOf := func(got map[string]any) map[string]string {
		out := map[string]string{}
		for _, c := range got["configs"].([]any) {
			v := c.(map[string]any)["value"].(map[string]any)
			for _, e := range v["errors"].([]any) {
				out[v["name"].(string)] += e.(string)
			}
		}
		return out
	}
	good := mysqlConnector(e, "v"+d.name[4:], d.name)
	good["name"] = "validate-" + d.name

	bad := maps.Clone(good)
	delete(bad, "name")
	bad["max.batch.size"] = "abc"
	code, got := validate(bad)
	errs := errorsOf(got)
	if code != 200 || got["error_count"] != 2.0 || !strings.Contains(errs["name"], `Missing required configuration "name"`) ||
		!strings.Contains(errs["max.batch.size"], `value "abc" is not an integer`) {
		t.Errorf("bad config: %d %v", code, got)
	}

	if code, got := validate(good); code != 200 || got["error_count"] != 0.0 || got["name"] != "io.debezium.connector.mariadb.MariaDbConnector" {
		t.Errorf("good config: %d %v", code, got)
	}

	denied := maps.Clone(good)
	denied["database.password"] = "wrong"
	code, got = validate(denied)
	if errs := errorsOf(got); code != 200 || got["error_count"] != 1.0 || !strings.Contains(errs["database.hostname"], "Access denied") {
		t.Errorf("wrong password: %d %v", code, got)
	}
	for _, c := range got["configs"].([]any) {
		if v := c.(map[string]any)["value"].(map[string]any); v["name"] == "database.password" && v["value"] != "[hidden]" {
			t.Errorf("the password is shown: %v", v)
		}
	}

	vt := maps.Clone(good)
	vt["connector.class"] = "io.debezium.connector.vitess.VitessConnector"
	if code, got := validate(vt); code != 400 || !strings.Contains(got["body"].(string), "does not match request type MariaDbConnector") {
		t.Errorf("another class: %d %v", code, got)
	}
}
