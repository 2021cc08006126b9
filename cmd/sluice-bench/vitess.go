package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// vtBench is a table of the vttestserver keyspace (deploy/local/vitess.sh),
// filled and changed through the mysqld under it: VTGate's MySQL port
// limits transactions and reads, and VStream reads the shards' binlogs,
// however the rows got there.
type vtBench struct {
	kafka, grpc, keyspace string
	vtgate, mysqld        *client.Conn
	dir, bin, table       string
}

func newVtBench(bin string) (*vtBench, func(), error) {
	b := &vtBench{kafka: os.Getenv("SLUICE_BOOTSTRAP_SERVERS"), grpc: os.Getenv("SLUICE_TEST_VTGATE_GRPC"), keyspace: os.Getenv("SLUICE_TEST_VITESS_KEYSPACE"), bin: bin}
	vtmysql := os.Getenv("SLUICE_TEST_VTGATE_MYSQL")
	if b.kafka == "" || b.grpc == "" || vtmysql == "" {
		return nil, nil, fmt.Errorf("set SLUICE_BOOTSTRAP_SERVERS, SLUICE_TEST_VTGATE_GRPC and SLUICE_TEST_VTGATE_MYSQL (deploy/local/up.sh and vitess.sh start print them)")
	}
	if b.keyspace == "" {
		b.keyspace = "test_keyspace"
	}
	mysqld := os.Getenv("SLUICE_TEST_VITESS_MYSQLD")
	if mysqld == "" { // vitess.sh: mysqld is next to VTGate's gRPC port
		host, port, _ := strings.Cut(b.grpc, ":")
		p, _ := strconv.Atoi(port)
		mysqld = fmt.Sprintf("%s:%d", host, p+1)
	}
	var cleanup func()
	var err error
	if b.dir, b.bin, cleanup, err = workDir("sluice-bench-vt", b.bin); err != nil {
		return nil, nil, err
	}
	if b.vtgate, err = client.Connect(vtmysql, "root", "", b.keyspace); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("VTGate MySQL %s: %w", vtmysql, err)
	}
	if b.mysqld, err = client.Connect(mysqld, "root", "", ""); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("the cluster's mysqld %s (SLUICE_TEST_VITESS_MYSQLD): %w", mysqld, err)
	}
	b.table = fmt.Sprintf("bench_%d", time.Now().UnixMilli()) // two runs can start in the same second
	for _, q := range []string{
		"CREATE TABLE " + b.table + " (id BIGINT PRIMARY KEY, a BIGINT NOT NULL, b VARCHAR(40) NOT NULL, c DECIMAL(12,2), d DATETIME(3))",
		"ALTER VSCHEMA ON " + b.table + " ADD VINDEX hash(id) USING hash",
	} {
		if _, err := b.vtgate.Execute(q); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	time.Sleep(time.Second) // vschema changes take about half a second to show
	return b, func() {
		deleteTopic(b.kafka, b.table+"."+b.keyspace+"."+b.table) // a run writes gigabytes
		b.vtgate.Execute("DROP TABLE " + b.table)
		b.vtgate.Close()
		b.mysqld.Close()
		cleanup()
	}, nil
}

// fill writes ids lo..hi into one shard's database in one transaction of
// one statement per 250,000 rows.
func (b *vtBench) fill(shard string, lo, hi int) error {
	db := fmt.Sprintf("`vt_%s_%s`", b.keyspace, shard)
	stmts := []string{"BEGIN"}
	for l := lo; l <= hi; l += 250_000 {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO %[1]s.%[2]s (id, a, b, c, d) SELECT seq, seq * 7, CONCAT('name-', seq), seq / 100, NOW(3) FROM %[1]s.seq_%[3]d_to_%[4]d",
			db, b.table, l, min(l+250_000-1, hi)))
	}
	for _, q := range append(stmts, "COMMIT") {
		if _, err := b.mysqld.Execute(q); err != nil {
			return fmt.Errorf("writing %s rows %d..%d: %w", shard, lo, hi, err)
		}
	}
	return nil
}

// vtResult is one connector's figures in the vitess bench.
type vtResult struct {
	runner                      string  // "sluice" or "debezium"
	copyRate, txnRate, txnsRate float64 // rows/s: the copy, the one transaction, the 1,000-row ones
	cpu                         time.Duration
	rssMiB                      int64
}

// vitessBench runs the vitess workload with Sluice, then, given the Kafka
// Connect worker, with Debezium's Vitess connector, each on a table of its
// own filled the same way.
func vitessBench(copyRows, txnRows int, bin string, w *connectWorker) ([]vtResult, error) {
	var out []vtResult
	for _, dbz := range []bool{false, true} {
		if dbz && w == nil {
			break
		}
		r, err := vitessRun(copyRows, txnRows, bin, w, dbz)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// vtRun is a connector running over the bench table: its process (the
// daemon, or the worker's JVM) and how to stop it.
type vtRun struct {
	pid    int
	copied <-chan time.Time // Sluice's log line at the copy phase's end; nil for Debezium
	failed func() error     // the connector's failure (the daemon exited, Debezium's task failed), nil while it runs
	stop   func()
}

// vtConnector is the bench's connector configuration, the same for both.
func (b *vtBench) vtConnector() map[string]string {
	host, port, _ := strings.Cut(b.grpc, ":")
	return map[string]string{
		"connector.class": "io.debezium.connector.vitess.VitessConnector", "database.hostname": host, "database.port": port,
		"vitess.keyspace": b.keyspace, "topic.prefix": b.table, "table.include.list": b.keyspace + "." + b.table,
		"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
	}
}

// startSluice runs the daemon on the bench's connector.
func (b *vtBench) startSluice() (*vtRun, error) {
	data, _ := json.Marshal(map[string]any{"name": b.table, "config": b.vtConnector()})
	path := filepath.Join(b.dir, "vitess.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(b.bin, "run", "--bootstrap-servers", b.kafka, path)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	copied := make(chan time.Time, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"VTGate's copy phase completed"`) {
				copied <- time.Now()
			}
		}
	}()
	pid := cmd.Process.Pid
	failed := func() error {
		if exited(pid) {
			return fmt.Errorf("sluice exited")
		}
		return nil
	}
	return &vtRun{pid: pid, copied: copied, failed: failed, stop: func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}}, nil
}

// startDebezium creates the bench's connector in the worker, JSON without
// schemas as Sluice's, its topics made as Sluice makes them.
func (b *vtBench) startDebezium(w *connectWorker) (*vtRun, error) {
	cfg := b.vtConnector()
	maps.Copy(cfg, debeziumOutput("json-noschema", ""))
	if err := w.run(b.table, cfg, nil); err != nil {
		return nil, err
	}
	return &vtRun{pid: w.pid, failed: func() error { return w.failure(b.table) }, stop: func() { w.remove(b.table) }}, nil
}

// vitessRun: the copy phase of copyRows rows (half per shard), then one
// transaction of txnRows rows on shard -80 while streaming, then txnRows
// rows in 1,000-row transactions; rows/s of each and the process's peak RSS
// (VmHWM) after each; its CPU over the whole run.
func vitessRun(copyRows, txnRows int, bin string, w *connectWorker, dbz bool) (vtResult, error) {
	res := vtResult{runner: "sluice"}
	if dbz {
		res.runner = "debezium"
	}
	b, cleanup, err := newVtBench(bin)
	if err != nil {
		return res, err
	}
	defer cleanup()
	half := copyRows / 2
	if err := b.fill("-80", 1, half); err != nil {
		return res, err
	}
	if err := b.fill("80-", half+1, copyRows); err != nil {
		return res, err
	}
	began := time.Now()
	var run *vtRun
	if dbz {
		run, err = b.startDebezium(w)
	} else {
		run, err = b.startSluice()
	}
	if err != nil {
		return res, err
	}
	stopped := false
	defer func() {
		if !stopped {
			run.stop()
		}
	}()
	cpu0 := procCPU(run.pid)
	topic := b.table + "." + b.keyspace + "." + b.table
	wait := func(n int64) error {
		if err := waitRecords(b.kafka, topic, n, run.failed); err != nil {
			return fmt.Errorf("%s: %w", res.runner, err)
		}
		return nil
	}
	if err := wait(int64(copyRows)); err != nil {
		return res, err
	}
	copyTime := time.Since(began)
	res.copyRate = float64(copyRows) / copyTime.Seconds()
	completed := ""
	if run.copied != nil {
		select {
		case t := <-run.copied:
			completed = fmt.Sprintf(" (copy completed at %s)", t.Sub(began).Round(time.Millisecond))
		case <-time.After(time.Minute):
			return res, fmt.Errorf("sluice logged no \"VTGate's copy phase completed\"")
		}
	}
	fmt.Printf("vitess copy, %s: %d rows on 2 shards in %s from the connector's start to the last record in Kafka: %.0f rows/s%s; peak RSS %s\n",
		res.runner, copyRows, copyTime.Round(time.Millisecond), res.copyRate, completed, vmHWM(run.pid))

	time.Sleep(2 * time.Second) // streaming has started
	t0 := time.Now()
	if err := b.fill("-80", copyRows+1, copyRows+txnRows); err != nil {
		return res, err
	}
	committed := time.Since(t0)
	if err := wait(int64(copyRows + txnRows)); err != nil {
		return res, err
	}
	streamTime := time.Since(t0)
	res.txnRate = float64(txnRows) / streamTime.Seconds()
	fmt.Printf("vitess stream, %s: one %d-row transaction (mysqld took %s to commit it) in Kafka %s after its first write: %.0f rows/s; peak RSS %s\n",
		res.runner, txnRows, committed.Round(time.Millisecond), streamTime.Round(time.Millisecond), res.txnRate, vmHWM(run.pid))

	// Then the same number of rows in 1,000-row transactions, alternating
	// the shards (each a separate transaction of one shard's database).
	t0 = time.Now()
	next := copyRows + txnRows
	for i := 0; i < txnRows/1000; i++ {
		if err := b.fill([]string{"-80", "80-"}[i%2], next+1, next+1000); err != nil {
			return res, err
		}
		next += 1000
	}
	committed = time.Since(t0)
	if err := wait(int64(next)); err != nil {
		return res, err
	}
	streamTime = time.Since(t0)
	small := next - copyRows - txnRows
	res.txnsRate = float64(small) / streamTime.Seconds()
	res.rssMiB = peakRSSMiB(run.pid)
	// On this small machine VTGate, vttablet and mysqld share the cores:
	// the connector's own CPU time tells how much of the wall time was its.
	res.cpu = procCPU(run.pid) - cpu0
	fmt.Printf("vitess stream, %s: %d rows in 1000-row transactions (mysqld took %s to commit them) in Kafka %s after the first write: %.0f rows/s; peak RSS %s\n",
		res.runner, small, committed.Round(time.Millisecond), streamTime.Round(time.Millisecond), res.txnsRate, vmHWM(run.pid))
	run.stop()
	stopped = true
	if got := countRecords(b.kafka, topic); got != int64(next) {
		return res, fmt.Errorf("%s: %d records in %s for %d rows written", res.runner, got, topic, next)
	}
	fmt.Printf("vitess, %s: %s of CPU over the whole run (wall %s)\n", res.runner, res.cpu, time.Since(began).Round(time.Millisecond))
	return res, nil
}

// waitRecords waits until topic holds n records (10 minutes at most), or
// failed reports the connector's failure.
func waitRecords(kafka, topic string, n int64, failed func() error) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(kafka, ",")...), kgo.MetadataMinAge(50*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var total int64
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if total = endOffsets(adm, topic); total >= n {
			return nil
		}
		if err := failed(); err != nil {
			return err
		}
	}
	return fmt.Errorf("only %d of %d records reached %s", total, n, topic)
}

// countRecords is the number of records in topic, -1 if it cannot be read.
func countRecords(kafka, topic string) int64 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(kafka, ",")...))
	if err != nil {
		return -1
	}
	defer cl.Close()
	return endOffsets(kadm.NewClient(cl), topic)
}

// vmHWM is a running process's peak resident set size so far.
func vmHWM(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return fmt.Sprintf("%d MiB", kb/1024)
		}
	}
	return "n/a"
}

func deleteTopic(kafka, topic string) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(kafka, ",")...))
	if err != nil {
		return
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = kadm.NewClient(cl).DeleteTopics(ctx, topic)
}
