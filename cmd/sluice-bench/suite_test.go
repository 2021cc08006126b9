package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSuiteAgainstDebezium runs the suite's bulk, snapshot and steady
// workloads with Sluice and with the real Debezium connector in the Kafka
// Connect worker of deploy/local/connect.sh, JSON with schemas on both: each
// run must deliver every row once (the suite fails a run short of them or
// with more), and the table must carry each run's figures.
func TestSuiteAgainstDebezium(t *testing.T) {
	if os.Getenv("SLUICE_SIDEBYSIDE") != "1" {
		t.Skip("set SLUICE_SIDEBYSIDE=1 with MariaDB, Kafka and the Kafka Connect worker running (deploy/local/up.sh, connect.sh start)")
	}
	w, bin := workerAndDaemon(t)
	const n = 3000
	cfg := suiteConfig{rows: n, snapRows: n, bin: bin, worker: w, convs: []string{"json", "debezium:json"},
		steadyRate: n / 2, steadySecs: 2}
	streamed, err := suiteStream(cfg, "bulk", workloads["bulk"], n)
	if err != nil {
		t.Fatal(err)
	}
	snapped, err := suiteSnapshot(cfg)
	if err != nil {
		t.Fatal(err)
	}
	steady, err := suiteSteady(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range steady {
		if r.p99 <= 0 || r.p50 > r.p99 {
			t.Errorf("steady %s: p50 %s, p99 %s", r.conv, r.p50, r.p99)
		}
	}
	rows := append(append(streamed, snapped...), steady...)
	if len(rows) != 6 {
		t.Fatalf("%d rows in the table, want 6: %+v", len(rows), rows)
	}
	var table strings.Builder
	for _, r := range rows {
		if r.rows != n || r.e2e <= 0 || r.cpuUs <= 0 || r.rssMiB <= 0 {
			t.Errorf("%s %s: rows %d, %.0f rows/s, %.2f µs/row, %d MiB: want %d rows and every figure measured", r.workload, r.conv, r.rows, r.e2e, r.cpuUs, r.rssMiB, n)
		}
		if got, want := strings.HasPrefix(r.note, "(Debezium"), strings.HasPrefix(r.conv, debeziumPrefix); got != want {
			t.Errorf("%s %s: note %q", r.workload, r.conv, r.note)
		}
	}
	f, err := os.CreateTemp(t.TempDir(), "table")
	if err != nil {
		t.Fatal(err)
	}
	printSuite(f, rows)
	f.Close()
	out, _ := os.ReadFile(f.Name())
	table.Write(out)
	for _, want := range []string{"bulk       json ", "bulk       debezium:json ", "snapshot   json ", "snapshot   debezium:json ",
		"steady     json ", "steady     debezium:json "} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table has no line starting %q:\n%s", want, table.String())
		}
	}
	t.Logf("\n%s", table.String())
}

// TestDebeziumConverters: the suite refuses a Debezium converter it cannot
// set up, before anything runs, naming it and what it needs.
func TestDebeziumConverters(t *testing.T) {
	const apicurio = "http://127.0.0.1:28181/apis/ccompat/v7"
	for _, c := range []string{"debezium:json", "debezium:json-noschema", "debezium:json-noschema+unwrap", "debezium:avro", "debezium:avro+unwrap"} {
		if err := checkDebeziumConv(c, apicurio); err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	for c, want := range map[string]string{
		"debezium:avro":     "Apicurio's registry", // another registry's URL
		"debezium:protobuf": "json, json-noschema or avro",
	} {
		err := checkDebeziumConv(c, "http://127.0.0.1:8081")
		if err == nil || !strings.Contains(err.Error(), c) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming it and %q", c, err, want)
		}
	}
}

// TestVitessAgainstDebezium runs the vitess workload with Sluice and with
// Debezium's Vitess connector in the Kafka Connect worker: each must put
// exactly the rows written in its topic (vitessRun fails otherwise) and
// report every figure.
func TestVitessAgainstDebezium(t *testing.T) {
	if os.Getenv("SLUICE_SIDEBYSIDE") != "1" || os.Getenv("SLUICE_TEST_VTGATE_GRPC") == "" {
		t.Skip("set SLUICE_SIDEBYSIDE=1 with Kafka, the Vitess test cluster and the Kafka Connect worker running (deploy/local/up.sh, vitess.sh start, connect.sh start)")
	}
	w, bin := workerAndDaemon(t)
	got, err := vitessBench(2000, 2000, bin, w)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].runner != "sluice" || got[1].runner != "debezium" {
		t.Fatalf("runs %+v, want sluice's then debezium's", got)
	}
	for _, r := range got {
		if r.copyRate <= 0 || r.txnRate <= 0 || r.txnsRate <= 0 || r.cpu <= 0 || r.rssMiB <= 0 {
			t.Errorf("%s: %+v: want every figure measured", r.runner, r)
		}
	}
}

// workerAndDaemon is the running Kafka Connect worker and a sluice built
// for the test.
func workerAndDaemon(t *testing.T) (*connectWorker, string) {
	t.Helper()
	w, err := newConnectWorker()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "sluice")
	if out, err := exec.Command("go", "build", "-o", bin, sluicePkg).CombinedOutput(); err != nil {
		t.Fatalf("building sluice: %v\n%s", err, out)
	}
	return w, bin
}

// TestProducerEnv: --producer reaches the daemons as the worker's
// environment settings, and a producer setting given to --set (which the
// daemon would ignore with a warning) is refused naming --producer.
func TestProducerEnv(t *testing.T) {
	t.Setenv("SLUICE_PRODUCER_COMPRESSION_TYPE", "none")
	t.Setenv("SLUICE_PRODUCER_LINGER_MS", "5")
	if err := producerEnv("compression.type=lz4, linger.ms=20", map[string]string{"max.batch.size": "2048"}); err != nil {
		t.Fatal(err)
	}
	if got := os.Getenv("SLUICE_PRODUCER_COMPRESSION_TYPE") + " " + os.Getenv("SLUICE_PRODUCER_LINGER_MS"); got != "lz4 20" {
		t.Errorf("environment %q, want lz4 20", got)
	}
	for set, producer := range map[string]string{"compression.type": "", "producer.override.linger.ms": ""} {
		err := producerEnv(producer, map[string]string{set: "1"})
		if err == nil || !strings.Contains(err.Error(), set) || !strings.Contains(err.Error(), "--producer") {
			t.Errorf("--set %s: %v, want an error naming it and --producer", set, err)
		}
	}
	if err := producerEnv("acks=1", nil); err == nil || !strings.Contains(err.Error(), "acks") {
		t.Errorf("--producer acks: %v, want an error naming it", err)
	}
}
