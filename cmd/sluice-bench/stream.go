package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// stream measures end-to-end streaming: rows written to MariaDB until the
// last of their change events is in Kafka.
func stream(rows, txnRows int, bin string) error {
	kafka, addr, pass := os.Getenv("SLUICE_BOOTSTRAP_SERVERS"), os.Getenv("SLUICE_TEST_MYSQL_ADDR"), os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")
	if kafka == "" || addr == "" {
		return fmt.Errorf("set SLUICE_BOOTSTRAP_SERVERS and SLUICE_TEST_MYSQL_ADDR (eval \"$(deploy/local/up.sh)\")")
	}
	dir, err := os.MkdirTemp("", "sluice-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "sluice")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/sluice").CombinedOutput(); err != nil {
			return fmt.Errorf("building sluice: %v\n%s", err, out)
		}
	}
	conn, err := client.Connect(addr, "root", pass, "")
	if err != nil {
		return err
	}
	defer conn.Close()
	db := fmt.Sprintf("bench_stream_%d", time.Now().Unix())
	for _, q := range []string{"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".t (id INT PRIMARY KEY, a BIGINT NOT NULL, b VARCHAR(40) NOT NULL, c DECIMAL(12,2), d DATETIME(3))"} {
		if _, err := conn.Execute(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	defer conn.Execute("DROP DATABASE " + db)

	host, port, _ := strings.Cut(addr, ":")
	cfg := map[string]any{"name": db, "config": map[string]string{
		"connector.class": "io.debezium.connector.mariadb.MariaDbConnector", "database.hostname": host, "database.port": port,
		"database.user": "sluice", "database.password": "sluice", "database.server.id": "5998", "topic.prefix": db,
		"database.include.list": db, "snapshot.mode": "no_data", "include.schema.changes": "false",
		"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
	}}
	b, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "bench.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	cmd := exec.Command(bin, "run", "--bootstrap-servers", kafka, path)
	logf, _ := os.Create(filepath.Join(dir, "sluice.log"))
	cmd.Stderr = logf
	if p := os.Getenv("SLUICE_CPUPROFILE"); p != "" {
		cmd.Env = append(os.Environ(), "SLUICE_CPUPROFILE="+p)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		logb, _ := os.ReadFile(logf.Name())
		if strings.Contains(string(logb), "binlog streaming from") {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return fmt.Errorf("sluice did not start streaming:\n%s", logb)
		}
		time.Sleep(50 * time.Millisecond)
	}

	start := time.Now()
	for lo := 1; lo <= rows; lo += txnRows {
		hi := min(lo+txnRows-1, rows)
		q := fmt.Sprintf("INSERT INTO %s.t SELECT seq, seq * 7, CONCAT('name-', seq), seq / 100, NOW(3) FROM %s.seq_%d_to_%d", db, db, lo, hi)
		if _, err := conn.Execute(q); err != nil {
			return fmt.Errorf("writing rows: %w", err)
		}
	}
	wrote := time.Since(start)

	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(kafka, ",")...))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	topic := db + "." + db + ".t"
	var total int64
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ends, err := adm.ListEndOffsets(context.Background(), topic)
		if err != nil {
			continue
		}
		total = 0
		ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
		if total >= int64(rows) {
			break
		}
	}
	elapsed := time.Since(start)
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	if total < int64(rows) {
		return fmt.Errorf("only %d of %d change events reached Kafka", total, rows)
	}
	fmt.Printf("stream: %d rows in %d-row transactions; MariaDB took %s to commit them; last change event in Kafka after %s: %.0f rows/s end to end\n",
		rows, txnRows, wrote.Round(time.Millisecond), elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds())
	if ru := maxRSS(cmd); ru > 0 {
		fmt.Printf("peak RSS of sluice: %d MiB\n", ru/1024)
	}
	return nil
}
