// Command sluice-bench measures Sluice against the real local servers and
// prints figures (it asserts nothing).
//
//	sluice-bench snapshot [--rows 1000000] [--threads 2]
//	sluice-bench stream [--rows 1000000] [--txn-rows 1000]
//
// snapshot fills a table with --rows rows (MariaDB's SEQUENCE engine), runs
// `sluice run` with snapshot.mode=initial_only until it exits, and prints
// the snapshot's rows/s, the longest lock it held, and the process's peak
// RSS. stream starts `sluice run` on an empty table, then writes --rows
// rows in transactions of --txn-rows and prints end-to-end rows/s (from the
// first write to the last record in Kafka) and peak RSS. Servers: SLUICE_BOOTSTRAP_SERVERS, SLUICE_TEST_MYSQL_ADDR and
// SLUICE_TEST_MYSQL_ROOT_PASSWORD, as deploy/local/up.sh prints them.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
)

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "stream" {
		fs := flag.NewFlagSet("stream", flag.ExitOnError)
		rows := fs.Int("rows", 1_000_000, "rows to write")
		txn := fs.Int("txn-rows", 1000, "rows per transaction")
		bin := fs.String("sluice", "", "sluice binary (default: go build ./cmd/sluice)")
		_ = fs.Parse(os.Args[2:])
		if err := stream(*rows, *txn, *bin); err != nil {
			fmt.Fprintln(os.Stderr, "sluice-bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "snapshot" {
		fmt.Fprintln(os.Stderr, "usage: sluice-bench snapshot|stream [--rows N] [--threads N] [--txn-rows N] [--sluice PATH]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("snapshot", flag.ExitOnError)
	rows := fs.Int("rows", 1_000_000, "rows in the table")
	threads := fs.Int("threads", 2, "snapshot.max.threads")
	bin := fs.String("sluice", "", "sluice binary (default: go build ./cmd/sluice)")
	_ = fs.Parse(os.Args[2:])
	if err := snapshot(*rows, *threads, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "sluice-bench:", err)
		os.Exit(1)
	}
}

func snapshot(rows, threads int, bin string) error {
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
	db := fmt.Sprintf("bench_snap_%d", time.Now().Unix())
	for _, q := range []string{"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".t (id INT PRIMARY KEY, a BIGINT NOT NULL, b VARCHAR(40) NOT NULL, c DECIMAL(12,2), d DATETIME(3))"} {
		if _, err := conn.Execute(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	defer conn.Execute("DROP DATABASE " + db)
	fill := time.Now()
	for lo := 1; lo <= rows; lo += 250_000 {
		hi := min(lo+250_000-1, rows)
		q := fmt.Sprintf("INSERT INTO %s.t SELECT seq, seq * 7, CONCAT('name-', seq), seq / 100, NOW(3) FROM %s.seq_%d_to_%d", db, db, lo, hi)
		if _, err := conn.Execute(q); err != nil {
			return fmt.Errorf("filling the table: %w", err)
		}
	}
	fmt.Printf("filled %s.t with %d rows in %s\n", db, rows, time.Since(fill).Round(time.Millisecond))

	host, port, _ := strings.Cut(addr, ":")
	cfg := map[string]any{"name": db, "config": map[string]string{
		"connector.class": "io.debezium.connector.mariadb.MariaDbConnector", "database.hostname": host, "database.port": port,
		"database.user": "sluice", "database.password": "sluice", "database.server.id": "5999", "topic.prefix": db,
		"database.include.list": db, "snapshot.mode": "initial_only", "snapshot.max.threads": fmt.Sprint(threads),
		"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false", "include.schema.changes": "false",
	}}
	b, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "bench.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return err
	}
	cmd := exec.Command(bin, "run", "--bootstrap-servers", kafka, path)
	if p := os.Getenv("SLUICE_CPUPROFILE"); p != "" {
		cmd.Env = append(os.Environ(), "SLUICE_CPUPROFILE="+p)
	}
	stderr, _ := cmd.StderrPipe()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	var finished map[string]any
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "snapshot finished" {
			finished = m
		}
	}
	werr := cmd.Wait()
	wall := time.Since(start)
	if werr != nil {
		return fmt.Errorf("sluice exited with %v", werr)
	}
	if finished == nil {
		return fmt.Errorf("sluice logged no \"snapshot finished\" line")
	}
	rss := "n/a"
	if ru := maxRSS(cmd); ru > 0 {
		rss = fmt.Sprintf("%d MiB", ru/1024)
	}
	fmt.Printf("snapshot: %.0f rows in %.2fs of snapshot time (%.0f rows/s); whole run incl. startup and final flush %s\n",
		finished["rows"], finished["elapsed"], finished["rows_per_s"], wall.Round(time.Millisecond))
	fmt.Printf("longest lock held: %vs (lock_free=%v)\n", finished["longest_lock"], finished["lock_free"])
	fmt.Printf("peak RSS of sluice: %s\n", rss)
	return nil
}
