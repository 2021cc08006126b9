// Command sluice-bench measures Sluice against the real local servers and
// prints figures (it asserts nothing).
//
//	sluice-bench suite [--rows 1000000] [--workloads bulk,onerow,wide,mixed,bigtxn,steady,snapshot] [--converters json-noschema,json,avro,json-noschema+unwrap]
//	sluice-bench snapshot [--rows 1000000] [--threads 2]
//	sluice-bench stream [--rows 1000000] [--txn-rows 1000] [--backlog] [--converters json,json-noschema,avro] [--registry URL] [--transforms FILE]
//	sluice-bench vitess [--rows 1000000] [--txn-rows 1000000] [--mysql] [--debezium [--debezium-set K=V,...]]
//
// suite runs named workloads and prints one table (see suite.go): for each
// workload loaded into MariaDB while sluice is stopped, sluice's catch-up
// rows/s (first record produced to last acknowledged), go-mysql's own decode
// rate over the same binlog range, their ratio, sluice's CPU µs per row,
// its peak RSS and the broker's CPU µs per row; the steady workload's
// commit-to-read-back latency; and the snapshot's rows/s.
// snapshot fills a table with --rows rows (MariaDB's SEQUENCE engine), runs
// `sluice run` with snapshot.mode=initial_only until it exits, and prints
// the snapshot's rows/s, the longest lock it held, and the process's peak
// RSS. stream starts `sluice run` on an empty table, then writes --rows
// rows in transactions of --txn-rows and prints end-to-end rows/s (from the
// first write to the last record in Kafka) and peak RSS, once per converter
// of --converters (json: schemas on; json-noschema, the default; avro:
// Confluent Avro through the registry at --registry), side by side. With
// --transforms (a properties file of transforms=, transforms.*, predicates=
// and predicates.* lines, as a connector file has them), each converter runs
// twice, without and with that chain; the chain must keep one record per row
// under the bench's topic prefix. Servers: SLUICE_BOOTSTRAP_SERVERS, SLUICE_TEST_MYSQL_ADDR and
// SLUICE_TEST_MYSQL_ROOT_PASSWORD, as deploy/local/up.sh prints them.
// vitess runs a Vitess connector on the vitess.sh cluster: the copy of
// --rows rows, then one --txn-rows transaction while streaming (rows/s and
// the daemon's peak RSS after each); --mysql adds snapshot and stream
// figures for MariaDB with as many rows.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/config"
)

func main() {
	if len(os.Args) >= 2 && os.Args[1] == "stream" {
		fs := flag.NewFlagSet("stream", flag.ExitOnError)
		rows := fs.Int("rows", 1_000_000, "rows to write")
		txn := fs.Int("txn-rows", 1000, "rows per transaction")
		backlog := fs.Bool("backlog", false, "write the rows while sluice is stopped, then time its catch-up (Sluice alone, not MariaDB's write speed)")
		bin := fs.String("sluice", "", "sluice binary (default: go build ./cmd/sluice)")
		convs := fs.String("converters", "json-noschema", "comma-separated converters to run one after the other: json (schemas on), json-noschema, avro")
		reg := fs.String("registry", os.Getenv("SLUICE_TEST_REGISTRY_URL"), "schema registry URL for avro (default $SLUICE_TEST_REGISTRY_URL)")
		chain := fs.String("transforms", "", "properties file with a transform chain (transforms=..., transforms.<alias>.*, predicates...): each converter runs without and with it")
		_ = fs.Parse(os.Args[2:])
		if err := stream(*rows, *txn, *backlog, *bin, strings.Split(*convs, ","), *reg, *chain); err != nil {
			fmt.Fprintln(os.Stderr, "sluice-bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) >= 2 && os.Args[1] == "suite" {
		fs := flag.NewFlagSet("suite", flag.ExitOnError)
		rows := fs.Int("rows", 1_000_000, "rows of the bulk, wide and mixed workloads")
		oneRows := fs.Int("onerow-rows", 0, "rows (= transactions) of the onerow workload (default: --rows/5)")
		snapRows := fs.Int("snapshot-rows", 1_000_000, "rows of the snapshot's table")
		snapKey := fs.String("snapshot-key", "", "the snapshot table's first key column, added before id: "+strings.Join(snapshotKeyNames(), ", ")+" (default: id alone, an INT)")
		snapWrites := fs.Int("snapshot-writes", 0, "rows/s written to another database while the snapshot runs (its ranges then start at different binlog positions); MariaDB's CPU then includes the writes")
		bigRows := fs.Int("bigtxn-rows", 1_000_000, "rows of bigtxn's one transaction")
		wls := fs.String("workloads", "bulk,onerow,wide,mixed,bigtxn,steady,snapshot", "comma-separated workloads")
		convs := fs.String("converters", "json-noschema,json,avro,json-noschema+unwrap", "comma-separated converters: json (schemas on), json-noschema, avro (skipped without a registry); +unwrap after one adds the suite's transform chain (ExtractNewRecordState and a RegexRouter, see unwrapChain); debezium: before json or json-noschema (with or without +unwrap) runs the real Debezium connector in the Kafka Connect worker of deploy/local/connect.sh instead of Sluice")
		reg := fs.String("registry", os.Getenv("SLUICE_TEST_REGISTRY_URL"), "schema registry URL for avro (default $SLUICE_TEST_REGISTRY_URL)")
		rate := fs.Int("steady-rate", 10_000, "rows/s of the steady workload (latency)")
		secs := fs.Int("steady-seconds", 20, "seconds of the steady workload")
		bin := fs.String("sluice", "", "sluice binary (default: go build ./cmd/sluice)")
		set := fs.String("set", "", "comma-separated connector properties for every run, over the suite's own (e.g. max.batch.size=2048,max.queue.size=8192)")
		producer := fs.String("producer", "", "comma-separated worker producer settings for every sluice run ("+strings.Join(config.ProducerSettings, ", ")+"; e.g. compression.type=lz4,linger.ms=20), given to the daemon as "+config.EnvName("producer.")+"*")
		dbzSet := fs.String("debezium-set", "", "comma-separated connector properties for the debezium: runs only, over the suite's own (e.g. producer.override.batch.size=1048576,poll.interval.ms=10)")
		_ = fs.Parse(os.Args[2:])
		props, err := parseSet(*set)
		if err == nil {
			err = producerEnv(*producer, props)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "sluice-bench:", err)
			os.Exit(2)
		}
		dbzProps, err := parseSet(*dbzSet)
		if err != nil {
			fmt.Fprintln(os.Stderr, "sluice-bench: --debezium-set:", err)
			os.Exit(2)
		}
		cfg := suiteConfig{set: props, debeziumSet: dbzProps, rows: *rows, oneRows: *oneRows, snapRows: *snapRows, bigRows: *bigRows, workloads: strings.Split(*wls, ","),
			registry: *reg, bin: *bin, steadyRate: *rate, steadySecs: *secs, snapWrites: *snapWrites, snapKey: *snapKey}
		if _, ok := snapshotKeys[cfg.snapKey]; !ok && cfg.snapKey != "" {
			fmt.Fprintf(os.Stderr, "sluice-bench: --snapshot-key %q: not one of %s\n", cfg.snapKey, strings.Join(snapshotKeyNames(), ", "))
			os.Exit(2)
		}
		if cfg.oneRows == 0 {
			cfg.oneRows = max(1, *rows/5)
		}
		for _, c := range strings.Split(*convs, ",") {
			if strings.HasPrefix(c, "avro") && *reg == "" {
				fmt.Fprintln(os.Stderr, "sluice-bench: no registry (set SLUICE_TEST_REGISTRY_URL; deploy/local/registry.sh start): avro skipped")
				continue
			}
			cfg.convs = append(cfg.convs, c)
		}
		if err := suite(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "sluice-bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) >= 2 && os.Args[1] == "vitess" {
		fs := flag.NewFlagSet("vitess", flag.ExitOnError)
		rows := fs.Int("rows", 1_000_000, "rows copied (half per shard)")
		txn := fs.Int("txn-rows", 1_000_000, "rows of the one transaction streamed after the copy")
		mysql := fs.Bool("mysql", false, "then run snapshot and stream (--backlog, 1,000-row transactions) with as many rows against MariaDB, for comparison")
		bin := fs.String("sluice", "", "sluice binary (default: go build ./cmd/sluice)")
		dbz := fs.Bool("debezium", false, "then the same with Debezium's Vitess connector in the Kafka Connect worker of deploy/local/connect.sh")
		dbzSet := fs.String("debezium-set", "", "comma-separated connector properties for Debezium's run, over the bench's own (e.g. producer.override.batch.size=1048576,poll.interval.ms=10)")
		_ = fs.Parse(os.Args[2:])
		var w *connectWorker
		props, err := parseSet(*dbzSet)
		if err == nil && *dbz {
			if w, err = newConnectWorker(); err == nil {
				w.set = props
			}
		}
		if err == nil {
			_, err = vitessBench(*rows, *txn, *bin, w)
		}
		if err == nil && *mysql {
			if err = snapshot(*rows, 2, *bin); err == nil {
				err = stream(*rows, 1000, true, *bin, []string{"json-noschema"}, "", "")
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "sluice-bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 || os.Args[1] != "snapshot" {
		fmt.Fprintln(os.Stderr, "usage: sluice-bench suite|snapshot|stream|vitess [--rows N] [--threads N] [--txn-rows N] [--mysql] [--sluice PATH]")
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

// bench is a private database with table t, a built sluice binary and a
// scratch directory, against the servers deploy/local/up.sh describes.
// parseSet reads --set's k=v,k=v list.
func parseSet(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%q is not property=value", kv)
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

// producerEnv exports the --producer settings for the sluice daemons the
// bench starts (they inherit its environment), and refuses a producer
// setting given to --set: a connector's producer.override.* or a bare
// compression.type is not applied (the connectors share the worker's
// producer), so the figures would silently be the default's.
func producerEnv(producer string, set map[string]string) error {
	for k := range set {
		bare := strings.TrimPrefix(k, "producer.override.")
		if slices.Contains(config.ProducerSettings, bare) {
			return fmt.Errorf("--set %s: the producer is the worker's; give --producer %s=...", k, bare)
		}
	}
	props, err := parseSet(producer)
	if err != nil {
		return fmt.Errorf("--producer: %w", err)
	}
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if !slices.Contains(config.ProducerSettings, k) {
			return fmt.Errorf("--producer %s: not one of %s", k, strings.Join(config.ProducerSettings, ", "))
		}
		if err := os.Setenv(config.EnvName("producer."+k), props[k]); err != nil {
			return fmt.Errorf("--producer %s: %w", k, err)
		}
		fmt.Fprintf(os.Stderr, "producer.%s=%s for every sluice run\n", k, props[k])
	}
	return nil
}

type bench struct {
	kafka, addr string
	dir, bin    string
	conn        *client.Conn
	db          string
	// set: connector properties of every run, over the suite's own
	// (suite --set), for measuring a setting such as linger.ms.
	set map[string]string
}

func newBench(name, bin string) (*bench, func(), error) {
	b := &bench{kafka: os.Getenv("SLUICE_BOOTSTRAP_SERVERS"), addr: os.Getenv("SLUICE_TEST_MYSQL_ADDR"), bin: bin}
	if b.kafka == "" || b.addr == "" {
		return nil, nil, fmt.Errorf("set SLUICE_BOOTSTRAP_SERVERS and SLUICE_TEST_MYSQL_ADDR (eval \"$(deploy/local/up.sh)\")")
	}
	var cleanup func()
	var err error
	if b.dir, b.bin, cleanup, err = workDir("sluice-bench", b.bin); err != nil {
		return nil, nil, err
	}
	if b.conn, err = client.Connect(b.addr, "root", os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD"), ""); err != nil {
		cleanup()
		return nil, nil, err
	}
	b.db = fmt.Sprintf("bench_%s_%d", name, time.Now().Unix())
	for _, q := range []string{"CREATE DATABASE " + b.db,
		"CREATE TABLE " + b.db + ".t (id INT PRIMARY KEY, a BIGINT NOT NULL, b VARCHAR(40) NOT NULL, c DECIMAL(12,2), d DATETIME(3))"} {
		if _, err := b.conn.Execute(q); err != nil {
			b.conn.Close()
			cleanup()
			return nil, nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return b, func() { b.conn.Execute("DROP DATABASE " + b.db); b.conn.Close(); cleanup() }, nil
}

// insert writes rows lo..hi of t in one transaction.
func (b *bench) insert(lo, hi int) error {
	q := fmt.Sprintf("INSERT INTO %[1]s.t (id, a, b, c, d) SELECT seq, seq * 7, CONCAT('name-', seq), seq / 100, NOW(3) FROM %[1]s.seq_%[2]d_to_%[3]d", b.db, lo, hi)
	if _, err := b.conn.Execute(q); err != nil {
		return fmt.Errorf("writing rows %d..%d: %w", lo, hi, err)
	}
	return nil
}

// connector writes the connector file for the bench database.
func (b *bench) connector(extra map[string]string) (string, error) {
	host, port, _ := strings.Cut(b.addr, ":")
	cfg := map[string]string{
		"connector.class": "io.debezium.connector.mariadb.MariaDbConnector", "database.hostname": host, "database.port": port,
		"database.user": "sluice", "database.password": "sluice", "database.server.id": "5999", "topic.prefix": b.db,
		"database.include.list": b.db, "include.schema.changes": "false",
		"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
	}
	for k, v := range extra {
		cfg[k] = v
	}
	data, _ := json.Marshal(map[string]any{"name": b.db, "config": cfg})
	path := filepath.Join(b.dir, "bench.json")
	return path, os.WriteFile(path, data, 0o600)
}

// command is `sluice run` on the connector file, passing SLUICE_CPUPROFILE on.
func (b *bench) command(path string) *exec.Cmd {
	cmd := exec.Command(b.bin, "run", "--bootstrap-servers", b.kafka, path)
	if p := os.Getenv("SLUICE_CPUPROFILE"); p != "" {
		cmd.Env = append(os.Environ(), "SLUICE_CPUPROFILE="+p)
	}
	return cmd
}

func snapshot(rows, threads int, bin string) error {
	b, cleanup, err := newBench("snap", bin)
	if err != nil {
		return err
	}
	defer cleanup()
	fill := time.Now()
	for lo := 1; lo <= rows; lo += 250_000 {
		if err := b.insert(lo, min(lo+250_000-1, rows)); err != nil {
			return err
		}
	}
	fmt.Printf("filled %s.t with %d rows in %s\n", b.db, rows, time.Since(fill).Round(time.Millisecond))
	path, err := b.connector(map[string]string{"snapshot.mode": "initial_only", "snapshot.max.threads": fmt.Sprint(threads)})
	if err != nil {
		return err
	}
	cmd := b.command(path)
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

// sluicePkg is the daemon's package, built by import path so that the bench
// runs from any directory of the module (its tests run in their own).
const sluicePkg = "github.com/sluice-cdc/sluice/cmd/sluice"

// workDir makes a bench's temporary directory and, without a given sluice
// binary, builds one into it; cleanup removes the directory.
func workDir(prefix, bin string) (dir, binary string, cleanup func(), err error) {
	if dir, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if bin == "" {
		bin = filepath.Join(dir, "sluice")
		if out, err := exec.Command("go", "build", "-o", bin, sluicePkg).CombinedOutput(); err != nil {
			cleanup()
			return "", "", nil, fmt.Errorf("building sluice: %v\n%s", err, out)
		}
	}
	return dir, bin, cleanup, nil
}
