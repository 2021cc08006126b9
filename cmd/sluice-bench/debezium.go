package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/sluice-cdc/sluice/offsets"
)

// debeziumPrefix marks a suite converter run by the real Debezium connector
// in the Kafka Connect worker of deploy/local/connect.sh instead of by
// Sluice: "debezium:json" is Debezium 3.5 with Kafka's JsonConverter, schemas
// on, on the same binlog range and broker as Sluice's "json".
const debeziumPrefix = "debezium:"

// debeziumNote marks a Debezium run's line: its CPU and peak RSS are the
// worker JVM's, from the connector's resume.
const debeziumNote = "(Debezium: the worker JVM from the connector's resume)"

// jsonConverter is Kafka's JSON converter class. A Kafka Connect connector
// needs it named for its own schemas.enable to apply: without the class the
// worker's converter and settings are used.
const jsonConverter = "org.apache.kafka.connect.json.JsonConverter"

// apicurioConverter is Apicurio's Kafka Connect Avro converter, its port of
// Confluent's (whose jar Maven Central does not serve), which connect.sh
// adds to the worker with SLUICE_CONNECT_AVRO=1.
const apicurioConverter = "io.apicurio.registry.utils.converter.AvroConverter"

// debeziumSettings are the connector settings of a Debezium run beyond the
// plain converter's: the converters (see jsonConverter; for Avro
// Apicurio's, with Confluent's framing and the ids of the registry's
// Confluent-compatible API, as Sluice's avro writes), a schema history
// topic, which Debezium requires and which Sluice's run that stores the
// start position writes for it, and topics created with the broker's
// defaults, as Sluice creates them.
func debeziumSettings(base, prefix, kafka, registry string) map[string]string {
	m := debeziumOutput(base, registry)
	m["schema.history.internal.kafka.topic"] = prefix + "-history"
	m["schema.history.internal.kafka.bootstrap.servers"] = kafka
	// The local server holds other databases (other tests', other
	// benches'), whose DDL Debezium's parser can fail on.
	m["schema.history.internal.store.only.captured.databases.ddl"] = "true"
	m["schema.history.internal.skip.unparseable.ddl"] = "true"
	return m
}

// debeziumOutput is what every Debezium run writes with: the converters
// of a suite converter base and topics created with the broker's defaults.
func debeziumOutput(base, registry string) map[string]string {
	m := map[string]string{"topic.creation.default.partitions": "-1", "topic.creation.default.replication.factor": "-1"}
	for _, side := range []string{"key", "value"} {
		p := side + ".converter"
		if !strings.HasPrefix(base, "avro") {
			m[p] = jsonConverter
			continue
		}
		m[p] = apicurioConverter
		m[p+".apicurio.registry.url"] = strings.Replace(registry, "/apis/ccompat/v7", "/apis/registry/v2", 1)
		m[p+".apicurio.registry.auto-register"] = "true"
		m[p+".apicurio.registry.as-confluent"] = "true"
		m[p+".apicurio.registry.use-id"] = "contentId"
		m[p+".apicurio.registry.headers.enabled"] = "false"
	}
	return m
}

// checkDebeziumConv rejects a Debezium converter the suite cannot set up.
func checkDebeziumConv(conv, registry string) error {
	base, _ := strings.CutSuffix(strings.TrimPrefix(conv, debeziumPrefix), "+unwrap")
	switch {
	case base == "avro" && !strings.HasSuffix(registry, "/apis/ccompat/v7"):
		return fmt.Errorf("--converters %s: Debezium's Avro runs through Apicurio's converter, which needs Apicurio's registry (--registry ending in /apis/ccompat/v7, as deploy/local/registry.sh start prints); got %q", conv, registry)
	case base != "json" && base != "json-noschema" && base != "avro":
		return fmt.Errorf("--converters %s: Debezium runs with json, json-noschema or avro", conv)
	}
	return nil
}

// connectWorker is the Kafka Connect standalone worker of
// deploy/local/connect.sh, driven through its REST API.
type connectWorker struct {
	url    string
	pid    int
	client *http.Client
	// set: properties every connector created here gets over the suite's
	// (suite --debezium-set), for measuring Debezium with settings of its
	// own, such as its producer's batch size, without changing Sluice's runs.
	set map[string]string
}

// newConnectWorker finds the running worker: SLUICE_CONNECT_URL or
// connect.sh's default port, its pid from connect.sh's pid file.
func newConnectWorker() (*connectWorker, error) {
	url := os.Getenv("SLUICE_CONNECT_URL")
	if url == "" {
		port := os.Getenv("SLUICE_CONNECT_PORT")
		if port == "" {
			port = "28083"
		}
		url = "http://127.0.0.1:" + port
	}
	w := &connectWorker{url: strings.TrimSuffix(url, "/"), pid: localPID("connect", "SLUICE_BENCH_CONNECT_PID", "SLUICE_CONNECT_NAME"),
		client: &http.Client{Timeout: 2 * time.Minute}}
	if _, err := w.rest(http.MethodGet, "/", nil); err != nil {
		return nil, fmt.Errorf("the Kafka Connect worker for the debezium: converters does not answer (start it: deploy/local/connect.sh start): %w", err)
	}
	if w.pid == 0 {
		return nil, fmt.Errorf("the Kafka Connect worker's pid is unknown (no pid file of deploy/local/connect.sh; set SLUICE_BENCH_CONNECT_PID)")
	}
	return w, nil
}

// rest sends one request and returns the body of a 2xx answer.
func (w *connectWorker) rest(method, path string, body any) ([]byte, error) {
	var in io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		in = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, w.url+path, in)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, out)
	}
	return out, nil
}

// state is a connector's state and its first failed task's trace, if any.
func (w *connectWorker) state(name string) (state, failed string, err error) {
	body, err := w.rest(http.MethodGet, "/connectors/"+name+"/status", nil)
	if err != nil {
		return "", "", err
	}
	var st struct {
		Connector struct{ State, Trace string }   `json:"connector"`
		Tasks     []struct{ State, Trace string } `json:"tasks"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return "", "", fmt.Errorf("status of %s: %w: %s", name, err, body)
	}
	if st.Connector.State == "FAILED" {
		return st.Connector.State, st.Connector.Trace, nil
	}
	for _, t := range st.Tasks {
		if t.State == "FAILED" {
			return st.Connector.State, t.Trace, nil
		}
	}
	return st.Connector.State, "", nil
}

// failure is a Debezium connector's failure as an error, nil while it runs.
func (w *connectWorker) failure(name string) error {
	_, trace, err := w.state(name)
	if err != nil {
		return err
	}
	if trace != "" {
		return taskFailed(name, trace)
	}
	return nil
}

// taskFailed is the error of a Debezium connector or task that failed, with
// the end of its stack trace.
func taskFailed(name, trace string) error {
	return fmt.Errorf("Debezium connector %s failed: %s", name, tail([]byte(trace), 3000))
}

func (w *connectWorker) waitState(name, want string) error {
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st, trace, err := w.state(name)
		if err == nil && trace != "" {
			return taskFailed(name, trace)
		}
		if err == nil && st == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("Debezium connector %s is %q after 60 s, want %s (%v)", name, st, want, err)
		}
	}
}

// run starts a measured Debezium run: it adds the connector stopped, gives
// it offset (Kafka Connect's offsets API) when there is one, resets the
// worker's peak RSS and resumes it. Creating it stopped keeps its start-up
// (JDBC connections, the schema history read) out of what the caller
// measures only in part: Debezium connects and reads its history on resume.
func (w *connectWorker) run(name string, cfg map[string]string, offset json.RawMessage) error {
	if len(w.set) > 0 {
		cfg = maps.Clone(cfg)
		maps.Copy(cfg, w.set)
	}
	if _, err := w.rest(http.MethodPost, "/connectors", map[string]any{"name": name, "config": cfg, "initial_state": "STOPPED"}); err != nil {
		return err
	}
	if err := w.waitState(name, "STOPPED"); err != nil {
		w.remove(name)
		return err
	}
	if offset != nil {
		patch := map[string]any{"offsets": []any{map[string]any{"partition": map[string]string{"server": cfg["topic.prefix"]}, "offset": offset}}}
		if _, err := w.rest(http.MethodPatch, "/connectors/"+name+"/offsets", patch); err != nil {
			w.remove(name)
			return err
		}
	}
	if err := resetPeakRSS(w.pid); err != nil {
		w.remove(name)
		return fmt.Errorf("resetting the worker's peak RSS: %w", err)
	}
	if _, err := w.rest(http.MethodPut, "/connectors/"+name+"/resume", nil); err != nil {
		w.remove(name)
		return err
	}
	return nil
}

// remove deletes a connector; its offsets stay in the worker's file, under
// a name no later run uses (each bench database has its own).
func (w *connectWorker) remove(name string) {
	if _, err := w.rest(http.MethodDelete, "/connectors/"+name, nil); err != nil {
		fmt.Fprintf(os.Stderr, "deleting Debezium connector %s: %v\n", name, err)
	}
}

// resetPeakRSS sets a process's VmHWM back to its current RSS (Linux
// clear_refs "5"), so that the worker's peak is the run's, not that of an
// earlier connector.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// storedOffset reads the offset Sluice stored for a connector in
// _connect_offsets: Debezium's own format, which its connector accepts.
func storedOffset(kafka, name, prefix string) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	v, err := offsets.LoadStored(ctx, offsets.KafkaStoreConfig{Brokers: strings.Split(kafka, ",")}, offsets.Key(name, prefix))
	if err != nil {
		return nil, fmt.Errorf("reading the start position Sluice stored for %s: %w", name, err)
	}
	if v == nil {
		return nil, fmt.Errorf("Sluice stored no start position for %s in _connect_offsets", name)
	}
	return v, nil
}

// debeziumCatchUp runs a prepared converter's connector in the worker,
// from the position Sluice stored for it (fromStored) or from scratch (a
// snapshot), and resumes it once the worker's peak RSS is reset.
func (b *bench) debeziumCatchUp(w *connectWorker, p prepared, fromStored bool) (*catchUp, error) {
	name := p.prefix
	var offset json.RawMessage
	if fromStored {
		var err error
		if offset, err = storedOffset(b.kafka, name, p.prefix); err != nil {
			return nil, err
		}
	}
	if err := w.run(name, p.cfg, offset); err != nil {
		return nil, err
	}
	return &catchUp{pid: w.pid,
		failed: func() error { return w.failure(name) },
		stop: func() error {
			w.remove(name)
			return nil
		},
		log: func() []byte { return w.logTail() },
	}, nil
}

// logTail is the end of the worker's log (connect.sh's connect.log).
func (w *connectWorker) logTail() []byte {
	l, err := os.ReadFile(filepath.Join(localDir("connect", "SLUICE_CONNECT_NAME"), "connect.log"))
	if err != nil {
		return []byte(err.Error())
	}
	return tail(l, 3000)
}

// debeziumSnapshot times Debezium's snapshot of the bench table t:
// snapshot.mode=initial_only, rows/s from its first record to its last
// acknowledged, the worker JVM's CPU from the connector's resume.
func (b *bench) debeziumSnapshot(cfg suiteConfig, adm *kadm.Client, conv string, rows int64, serverID, kpid, mpid int) (suiteRow, error) {
	r := suiteRow{workload: "snapshot", conv: conv, rows: rows, note: debeziumNote}
	prefix, conf, err := b.connectorConfig(conv, cfg.registry, serverID, snapshotSettings)
	if err != nil {
		return r, err
	}
	cu, err := b.debeziumCatchUp(cfg.worker, prepared{prefix: prefix, cfg: conf}, false)
	if err != nil {
		return r, err
	}
	_, err = b.timed(&r, cu, adm, suiteTopic(conv, prefix, b.db, "t"), rows, kpid, mpid)
	dropTopic(adm, prefix+"-history")
	return r, err
}
