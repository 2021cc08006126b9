package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
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
	b.table = fmt.Sprintf("bench_%d", time.Now().Unix())
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

// vitessBench: the copy phase of copyRows rows (half per shard), then one
// transaction of txnRows rows on shard -80 while streaming, then txnRows
// rows in 1,000-row transactions; rows/s of each and the daemon's peak RSS
// (VmHWM) after each.
func vitessBench(copyRows, txnRows int, bin string) error {
	b, cleanup, err := newVtBench(bin)
	if err != nil {
		return err
	}
	defer cleanup()
	half := copyRows / 2
	if err := b.fill("-80", 1, half); err != nil {
		return err
	}
	if err := b.fill("80-", half+1, copyRows); err != nil {
		return err
	}
	host, port, _ := strings.Cut(b.grpc, ":")
	cfg := map[string]string{
		"connector.class": "io.debezium.connector.vitess.VitessConnector", "database.hostname": host, "database.port": port,
		"vitess.keyspace": b.keyspace, "topic.prefix": b.table, "table.include.list": b.keyspace + "." + b.table,
		"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
	}
	data, _ := json.Marshal(map[string]any{"name": b.table, "config": cfg})
	path := filepath.Join(b.dir, "vitess.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	cmd := exec.Command(b.bin, "run", "--bootstrap-servers", b.kafka, path)
	stderr, _ := cmd.StderrPipe()
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := false
	defer func() {
		if !exited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
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
	topic := b.table + "." + b.keyspace + "." + b.table
	if err := waitRecords(b.kafka, topic, int64(copyRows)); err != nil {
		return err
	}
	copyTime := time.Since(began)
	var copyDone time.Time
	select {
	case copyDone = <-copied:
	case <-time.After(time.Minute):
		return fmt.Errorf("sluice logged no \"VTGate's copy phase completed\"")
	}
	fmt.Printf("vitess copy: %d rows on 2 shards in %s from sluice's start to the last record in Kafka: %.0f rows/s (copy completed at %s); peak RSS %s\n",
		copyRows, copyTime.Round(time.Millisecond), float64(copyRows)/copyTime.Seconds(), copyDone.Sub(began).Round(time.Millisecond), vmHWM(cmd.Process.Pid))

	time.Sleep(2 * time.Second) // streaming has started
	t0 := time.Now()
	if err := b.fill("-80", copyRows+1, copyRows+txnRows); err != nil {
		return err
	}
	committed := time.Since(t0)
	if err := waitRecords(b.kafka, topic, int64(copyRows+txnRows)); err != nil {
		return err
	}
	streamTime := time.Since(t0)
	fmt.Printf("vitess stream: one %d-row transaction (mysqld took %s to commit it) in Kafka %s after its first write: %.0f rows/s; peak RSS %s\n",
		txnRows, committed.Round(time.Millisecond), streamTime.Round(time.Millisecond), float64(txnRows)/streamTime.Seconds(), vmHWM(cmd.Process.Pid))

	// Then the same number of rows in 1,000-row transactions, alternating
	// the shards (each a separate transaction of one shard's database).
	t0 = time.Now()
	next := copyRows + txnRows
	for i := 0; i < txnRows/1000; i++ {
		if err := b.fill([]string{"-80", "80-"}[i%2], next+1, next+1000); err != nil {
			return err
		}
		next += 1000
	}
	committed = time.Since(t0)
	if err := waitRecords(b.kafka, topic, int64(next)); err != nil {
		return err
	}
	streamTime = time.Since(t0)
	fmt.Printf("vitess stream: %d rows in 1000-row transactions (mysqld took %s to commit them) in Kafka %s after the first write: %.0f rows/s; peak RSS %s\n",
		next-copyRows-txnRows, committed.Round(time.Millisecond), streamTime.Round(time.Millisecond), float64(next-copyRows-txnRows)/streamTime.Seconds(), vmHWM(cmd.Process.Pid))
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	exited = true
	// On this small machine VTGate, vttablet and mysqld share the cores:
	// sluice's own CPU time tells how much of the wall time was its.
	st := cmd.ProcessState
	fmt.Printf("sluice CPU time over the whole run: %s user, %s system (wall %s)\n",
		st.UserTime().Round(time.Millisecond), st.SystemTime().Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	return nil
}

// waitRecords waits until topic holds n records (10 minutes at most).
func waitRecords(kafka, topic string, n int64) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(kafka, ",")...), kgo.MetadataMinAge(50*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var total int64
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ends, err := adm.ListEndOffsets(context.Background(), topic)
		if err != nil {
			continue
		}
		total = 0
		ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
		if total >= n {
			return nil
		}
	}
	return fmt.Errorf("only %d of %d records reached %s", total, n, topic)
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
