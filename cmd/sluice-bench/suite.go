package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// suiteConfig is what `sluice-bench suite` runs.
type suiteConfig struct {
	rows, oneRows, snapRows int
	snapWrites              int    // rows/s written elsewhere during the snapshot
	snapKey                 string // the snapshot table's first key column (snapshotKeys); "": id
	bigRows                 int
	workloads, convs        []string
	registry, bin           string
	steadyRate, steadySecs  int
	set                     map[string]string // --set
	debeziumSet             map[string]string // --debezium-set
	worker                  *connectWorker    // runs the debezium: converters
}

// suiteRow is one line of the suite's table.
type suiteRow struct {
	workload, conv string
	rows           int64
	e2e, decode    float64 // rows/s; 0: not measured
	cpuUs, kafkaUs float64 // CPU µs per row of sluice and of the broker
	dbUs           float64 // and of the MariaDB server (its dump thread, its SELECTs)
	rssMiB         int64
	p50, p99       time.Duration
	note           string
}

// workload loads rows into a bench database while sluice is stopped.
type workload struct {
	table string
	// setup runs before the start position is taken (its rows are not
	// part of the measured binlog range).
	setup func(b *bench, rows int) error
	load  func(b *bench, rows int) error
	// records is how many Kafka records the load gives (deletes add a
	// tombstone).
	records func(rows int) int64
}

func oneToOne(rows int) int64 { return int64(rows) }

// unwrapChain is the transform chain of the suite's "+unwrap" converters:
// what Debezium's documentation sets up for sinks that want plain rows
// (ExtractNewRecordState, deletes rewritten with a __deleted field and their
// tombstones kept, as the pre-3.0 delete.handling.mode=rewrite with
// drop.tombstones=false did; add.fields with the operation, table and
// source time), then a RegexRouter that drops the database from the topic
// name, the common way to route a flattened table's records. Records stay
// one per row (and a tombstone per delete), so the counts are those of the
// plain converter.
var unwrapChain = map[string]string{
	"transforms":             "unwrap,route",
	"transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
	"transforms.unwrap.delete.tombstone.handling.mode": "rewrite-with-tombstone",
	"transforms.unwrap.add.fields":                     "op,table,source.ts_ms",
	"transforms.route.type":                            "org.apache.kafka.connect.transforms.RegexRouter",
	"transforms.route.regex":                           `([^.]+)\.([^.]+)\.([^.]+)`,
	"transforms.route.replacement":                     "$1.$3",
}

// suiteSettings are the connector settings of a suite converter: a
// --converters name (converterSettings), optionally followed by "+unwrap"
// for unwrapChain.
func suiteSettings(conv, registry string) (map[string]string, error) {
	base, chained := strings.CutSuffix(conv, "+unwrap")
	settings, err := converterSettings(base, registry)
	if err != nil || !chained {
		return settings, err
	}
	for k, v := range unwrapChain {
		settings[k] = v
	}
	return settings, nil
}

// suiteTopic is the topic a suite converter's records of table land in.
func suiteTopic(conv, prefix, db, table string) string {
	if strings.HasSuffix(conv, "+unwrap") {
		return prefix + "." + table // unwrapChain's router drops the database
	}
	return prefix + "." + db + "." + table
}

const wideCols = 40

var workloads = map[string]workload{
	// bulk: 1,000-row INSERT transactions into a narrow table.
	"bulk": {table: "t", load: func(b *bench, rows int) error {
		for lo := 1; lo <= rows; lo += 1000 {
			if err := b.insert(lo, min(lo+999, rows)); err != nil {
				return err
			}
		}
		return nil
	}, records: oneToOne},
	// onerow: one row per transaction (autocommit inserts in a server-side loop).
	"onerow": {table: "t", load: func(b *bench, rows int) error {
		for lo := 1; lo <= rows; lo += 50_000 {
			hi := min(lo+50_000-1, rows)
			q := fmt.Sprintf(`BEGIN NOT ATOMIC DECLARE i INT DEFAULT %d; WHILE i <= %d DO INSERT INTO %s.t VALUES (i, i*7, CONCAT('name-', i), i/100, NOW(3)); SET i = i + 1; END WHILE; END`, lo, hi, b.db)
			if _, err := b.conn.Execute(q); err != nil {
				return fmt.Errorf("one-row transactions %d..%d: %w", lo, hi, err)
			}
		}
		return nil
	}, records: oneToOne},
	// wide: full-image updates (before and after) of 40-column rows, 1,000 per transaction.
	"wide": {table: "w", setup: func(b *bench, rows int) error {
		var cols, sel []string
		for i := 0; i < wideCols-1; i++ {
			switch i % 5 {
			case 0:
				cols, sel = append(cols, fmt.Sprintf("c%d BIGINT NOT NULL", i)), append(sel, fmt.Sprintf("seq*%d", i+1))
			case 1:
				cols, sel = append(cols, fmt.Sprintf("c%d VARCHAR(64)", i)), append(sel, fmt.Sprintf("CONCAT('value-%d-', seq)", i))
			case 2:
				cols, sel = append(cols, fmt.Sprintf("c%d DECIMAL(14,2)", i)), append(sel, fmt.Sprintf("seq/%d", i))
			case 3:
				cols, sel = append(cols, fmt.Sprintf("c%d DATETIME(3)", i)), append(sel, "NOW(3)")
			case 4:
				cols, sel = append(cols, fmt.Sprintf("c%d DOUBLE", i)), append(sel, fmt.Sprintf("seq*1.5+%d", i))
			}
		}
		q := fmt.Sprintf("CREATE TABLE %s.w (id INT PRIMARY KEY, %s)", b.db, strings.Join(cols, ", "))
		if _, err := b.conn.Execute(q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		for lo := 1; lo <= rows; lo += 100_000 {
			q := fmt.Sprintf("INSERT INTO %[1]s.w SELECT seq, %[2]s FROM %[1]s.seq_%[3]d_to_%[4]d", b.db, strings.Join(sel, ", "), lo, min(lo+100_000-1, rows))
			if _, err := b.conn.Execute(q); err != nil {
				return fmt.Errorf("filling w: %w", err)
			}
		}
		return nil
	}, load: func(b *bench, rows int) error {
		for lo := 1; lo <= rows; lo += 1000 {
			q := fmt.Sprintf("UPDATE %s.w SET c0 = c0 + 1 WHERE id BETWEEN %d AND %d", b.db, lo, min(lo+999, rows))
			if _, err := b.conn.Execute(q); err != nil {
				return fmt.Errorf("updating w: %w", err)
			}
		}
		return nil
	}, records: oneToOne},
	// mixed: transactions of 600 inserts, 300 updates and 100 deletes.
	"mixed": {table: "t", load: func(b *bench, rows int) error {
		for k := 0; k*1000 < rows; k++ {
			lo := k*600 + 1
			for _, q := range []string{"BEGIN",
				fmt.Sprintf("INSERT INTO %[1]s.t SELECT seq, seq * 7, CONCAT('name-', seq), seq / 100, NOW(3) FROM %[1]s.seq_%[2]d_to_%[3]d", b.db, lo, lo+599),
				fmt.Sprintf("UPDATE %s.t SET a = a + 1, b = CONCAT(b, '!') WHERE id BETWEEN %d AND %d", b.db, lo, lo+299),
				fmt.Sprintf("DELETE FROM %s.t WHERE id BETWEEN %d AND %d", b.db, lo+300, lo+399),
				"COMMIT"} {
				if _, err := b.conn.Execute(q); err != nil {
					return fmt.Errorf("mixed transaction %d: %w", k, err)
				}
			}
		}
		return nil
	}, records: func(rows int) int64 { return int64((rows+999)/1000) * 1100 }},
	// bigtxn: one transaction of all the rows.
	"bigtxn": {table: "t", load: func(b *bench, rows int) error { return b.insert(1, rows) }, records: oneToOne},
}

func suite(cfg suiteConfig) error {
	for i, c := range cfg.convs {
		// A converter's runs share its connector name and stored offset:
		// a second run would resume the first's.
		if slices.Contains(cfg.convs[:i], c) {
			return fmt.Errorf("--converters lists %s twice; run the suite again for another round", c)
		}
		base, dbz := strings.CutPrefix(c, debeziumPrefix)
		if _, err := suiteSettings(base, cfg.registry); err != nil {
			return err
		}
		if !dbz {
			continue
		}
		if err := checkDebeziumConv(c, cfg.registry); err != nil {
			return err
		}
		if cfg.worker == nil {
			var err error
			if cfg.worker, err = newConnectWorker(); err != nil {
				return err
			}
			cfg.worker.set = cfg.debeziumSet
		}
	}
	if cfg.bin == "" {
		dir, err := os.MkdirTemp("", "sluice-bench-bin")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.bin = filepath.Join(dir, "sluice")
		if out, err := exec.Command("go", "build", "-o", cfg.bin, sluicePkg).CombinedOutput(); err != nil {
			return fmt.Errorf("building sluice: %v\n%s", err, out)
		}
	}
	brokerPartitions(os.Getenv("SLUICE_BOOTSTRAP_SERVERS"))
	var rows []suiteRow
	for _, name := range cfg.workloads {
		var err error
		var got []suiteRow
		switch name {
		case "steady":
			got, err = suiteSteady(cfg)
		case "snapshot":
			got, err = suiteSnapshot(cfg)
		default:
			w, ok := workloads[name]
			if !ok {
				return fmt.Errorf("--workloads: unknown workload %q", name)
			}
			n := cfg.rows
			switch name {
			case "onerow":
				n = cfg.oneRows
			case "bigtxn":
				n = cfg.bigRows
			}
			got, err = suiteStream(cfg, name, w, n)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, got...)
	}
	fmt.Println()
	printSuite(os.Stdout, rows)
	if os.Getenv("SLUICE_TEST_VTGATE_GRPC") != "" {
		fmt.Println("\n== vitess (copy, then one transaction of as many rows)")
		_, err := vitessBench(cfg.rows, cfg.rows, cfg.bin, cfg.worker) // Debezium's too when a debezium: converter ran
		return err
	}
	return nil
}

// manyPartitions is where brokerPartitions warns: a broker holding the
// topics of weeks of tests (5,800 partitions here) took 2.3-9.5 µs of CPU a
// bulk json-noschema row in twelve runs, where a fresh one took 1.5-1.6
// once its first run had warmed it.
const manyPartitions = 1000

// brokerPartitions prints how many partitions the broker holds, with a
// warning when they are many: the broker's CPU share, and so rows/s end to
// end, depends on it.
func brokerPartitions(kafka string) {
	if kafka == "" {
		return
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(kafka, ",")...))
	if err != nil {
		return
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tds, err := kadm.NewClient(cl).ListTopics(ctx)
	if err != nil {
		fmt.Printf("broker: could not list its topics: %v\n", err)
		return
	}
	n := 0
	for _, td := range tds {
		n += len(td.Partitions)
	}
	fmt.Printf("broker: %d topics, %d partitions\n", len(tds), n)
	if n > manyPartitions {
		fmt.Printf("broker: more than %d partitions: its CPU per row is higher and swings more than on a fresh broker; "+
			"for figures to compare, start from one (deploy/local/down.sh --wipe, then up.sh)\n", manyPartitions)
	}
}

func printSuite(f *os.File, rows []suiteRow) {
	fmt.Fprintf(f, "%-10s %-29s %9s %10s %10s %6s %8s %8s %9s %7s %8s %8s %s\n",
		"workload", "converter", "rows", "rows/s", "decode/s", "ratio", "µs/row", "peakRSS", "kafka µs", "db µs", "p50", "p99", "")
	opt := func(v float64, format string) string {
		if v == 0 {
			return "-"
		}
		return fmt.Sprintf(format, v)
	}
	dur := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1fms", float64(d)/1e6)
	}
	for _, r := range rows {
		ratio := 0.0
		if r.decode > 0 {
			ratio = r.e2e / r.decode
		}
		fmt.Fprintf(f, "%-10s %-29s %9d %10s %10s %6s %8s %5dMiB %9s %7s %8s %8s %s\n",
			r.workload, r.conv, r.rows, opt(r.e2e, "%.0f"), opt(r.decode, "%.0f"), opt(ratio, "%.2f"),
			opt(r.cpuUs, "%.2f"), r.rssMiB, opt(r.kafkaUs, "%.2f"), opt(r.dbUs, "%.2f"), dur(r.p50), dur(r.p99), r.note)
	}
}

// daemon is a sluice process started by the suite.
type daemon struct {
	cmd *exec.Cmd
	log string
}

// writeConnector writes a connector file named for its connector.
func (b *bench) writeConnector(name string, cfg map[string]string) (string, error) {
	data, _ := json.Marshal(map[string]any{"name": name, "config": cfg})
	path := filepath.Join(b.dir, name+".json")
	return path, os.WriteFile(path, data, 0o600)
}

// connectorConfig is the connector configuration of a suite converter's
// run. A Debezium converter's is one both Sluice and Debezium run: Sluice
// stores the start position and the schema history with it, Debezium
// streams from there.
func (b *bench) connectorConfig(conv, registry string, serverID int, extra map[string]string) (prefix string, cfg map[string]string, err error) {
	base, dbz := strings.CutPrefix(conv, debeziumPrefix)
	settings, err := suiteSettings(base, registry)
	if err != nil {
		return "", nil, err
	}
	prefix = b.db + "_" + strings.NewReplacer("-", "_", "+", "_", ":", "_").Replace(conv)
	if dbz {
		for k, v := range debeziumSettings(base, prefix, b.kafka, registry) {
			settings[k] = v
		}
	}
	host, port, _ := strings.Cut(b.addr, ":")
	cfg = map[string]string{
		"connector.class": "io.debezium.connector.mariadb.MariaDbConnector", "database.hostname": host, "database.port": port,
		"database.user": "sluice", "database.password": "sluice", "database.server.id": strconv.Itoa(serverID), "topic.prefix": prefix,
		"database.include.list": b.db, "include.schema.changes": "false",
		"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false",
	}
	if v := os.Getenv("SLUICE_BENCH_EXTENDED_HEADERS"); v != "" {
		cfg["extended.headers.enabled"] = v
	}
	for k, v := range settings {
		cfg[k] = v
	}
	for k, v := range extra {
		cfg[k] = v
	}
	for k, v := range b.set {
		cfg[k] = v
	}
	return prefix, cfg, nil
}

// start runs sluice on a connector file and waits until it streams.
func (b *bench) start(path, profile string) (*daemon, error) {
	cmd := b.command(path)
	if profile != "" {
		cmd.Env = append(os.Environ(), "SLUICE_CPUPROFILE="+profile)
	}
	d := &daemon{cmd: cmd, log: strings.TrimSuffix(path, ".json") + ".log"}
	logf, err := os.OpenFile(d.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(60 * time.Second); ; {
		logb, _ := os.ReadFile(d.log)
		if bytes.Contains(logb, []byte("binlog streaming from")) {
			return d, nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("sluice did not start streaming:\n%s", logb)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (d *daemon) stop() error {
	_ = d.cmd.Process.Signal(os.Interrupt)
	return d.cmd.Wait()
}

// procCPU is a process's user+system CPU time so far (Linux /proc).
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ is 100 on Linux
}

// peakRSSMiB is a live process's peak RSS (VmHWM) in MiB.
func peakRSSMiB(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb / 1024
		}
	}
	return 0
}

// kafkaPID is the local broker's process (deploy/local/kafka.sh's pid file), 0 if unknown.
func kafkaPID() int { return localPID("kafka", "SLUICE_BENCH_KAFKA_PID", "SLUICE_KAFKA_NAME") }

// mariadbPID is the local MariaDB server's (deploy/local/mariadb.sh's), 0 if unknown.
func mariadbPID() int { return localPID("mariadb", "SLUICE_BENCH_MARIADB_PID", "SLUICE_MARIADB_NAME") }

// localDir is the directory of a server the deploy/local scripts run:
// $SLUICE_LOCAL_DIR/<kind>-<name>, the name from nameEnv or "main".
func localDir(kind, nameEnv string) string {
	dir := os.Getenv("SLUICE_LOCAL_DIR")
	if dir == "" {
		dir = "/tmp/sluice-local"
	}
	name := os.Getenv(nameEnv)
	if name == "" {
		name = "main"
	}
	return filepath.Join(dir, kind+"-"+name)
}

// localPID reads the pid file of a server the deploy/local scripts run
// (<kind>.pid in its localDir), or the pid in env.
func localPID(kind, env, nameEnv string) int {
	if v := os.Getenv(env); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	data, err := os.ReadFile(filepath.Join(localDir(kind, nameEnv), kind+".pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return n
}

func (b *bench) binlogPos() (mysql.Position, error) {
	r, err := b.conn.Execute("SHOW MASTER STATUS")
	if err != nil {
		return mysql.Position{}, err
	}
	file, _ := r.GetString(0, 0)
	pos, _ := r.GetUint(0, 1)
	return mysql.Position{Name: file, Pos: uint32(pos)}, nil
}

// decodeRate reads the binlog from start to end with go-mysql's own
// BinlogSyncer, decoding every row (its default decoder, times parsed as
// the daemon does), and returns the rows decoded and rows/s from the
// first event to the last.
func (b *bench) decodeRate(start, end mysql.Position) (int64, float64, error) {
	host, port, _ := strings.Cut(b.addr, ":")
	p, _ := strconv.Atoi(port)
	syncer := replication.NewBinlogSyncer(replication.BinlogSyncerConfig{ServerID: 6901, Flavor: mysql.MariaDBFlavor,
		Host: host, Port: uint16(p), User: "root", Password: os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD"), ParseTime: true,
		EventCacheCount: 1024, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer syncer.Close()
	st, err := syncer.StartSync(start)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var rows int64
	var first time.Time
	file := start.Name
	for {
		ev, err := st.GetEvent(ctx)
		if err != nil {
			return rows, 0, err
		}
		if first.IsZero() {
			first = time.Now()
		}
		switch e := ev.Event.(type) {
		case *replication.RotateEvent:
			// Its LogPos is in the file it closes: no end check.
			file = string(e.NextLogName)
			continue
		case *replication.RowsEvent:
			switch ev.Header.EventType {
			case replication.UPDATE_ROWS_EVENTv1, replication.UPDATE_ROWS_EVENTv2, replication.PARTIAL_UPDATE_ROWS_EVENT,
				replication.MARIADB_UPDATE_ROWS_COMPRESSED_EVENT_V1:
				rows += int64(len(e.Rows) / 2)
			default:
				rows += int64(len(e.Rows))
			}
		}
		if file == end.Name && ev.Header.LogPos >= end.Pos {
			return rows, float64(rows) / time.Since(first).Seconds(), nil
		}
	}
}

// kafkaClient is a client for waiting on and reading back the bench's topics.
func (b *bench) kafkaClient(opts ...kgo.Opt) (*kgo.Client, error) {
	return kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(strings.Split(b.kafka, ",")...),
		kgo.MetadataMinAge(50 * time.Millisecond)}, opts...)...)
}

// endOffsets sums a topic's end offsets (-1 while it is not there).
func endOffsets(adm *kadm.Client, topic string) int64 {
	return sumOffsets(adm.ListEndOffsets(context.Background(), topic))
}

func sumOffsets(ends kadm.ListedOffsets, err error) int64 {
	if err != nil || ends.Error() != nil {
		return -1
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	return total
}

// stableOffsets sums a topic's last stable offsets (-1 while it is not
// there): what a consumer reading committed records can reach.
func stableOffsets(adm *kadm.Client, topic string) int64 {
	return sumOffsets(adm.ListCommittedOffsets(context.Background(), topic))
}

// committedRecords counts the records of a topic written in transactions
// that committed, reading to each partition's last stable offset.
func (b *bench) committedRecords(adm *kadm.Client, topic string) int64 {
	ends, err := adm.ListCommittedOffsets(context.Background(), topic)
	if err != nil || ends.Error() != nil {
		return -1
	}
	left := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			left[o.Partition] = o.Offset
		}
	})
	cl, err := b.kafkaClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords())
	if err != nil {
		return -1
	}
	defer cl.Close()
	var n int64
	for deadline := time.Now().Add(2 * time.Minute); len(left) > 0 && time.Now().Before(deadline); {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				n++
			}
			if end, ok := left[r.Partition]; ok && r.Offset+1 >= end {
				delete(left, r.Partition)
			}
		})
	}
	if len(left) > 0 {
		return -1
	}
	return n
}

// firstTimestamp is the earliest producer timestamp among the first
// records of a topic's partitions.
func (b *bench) firstTimestamp(topic string) time.Time {
	cl, err := b.kafkaClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxBytes(1<<20))
	if err != nil {
		return time.Time{}
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var first time.Time
	cl.PollRecords(ctx, 100).EachRecord(func(r *kgo.Record) {
		if first.IsZero() || r.Timestamp.Before(first) {
			first = r.Timestamp
		}
	})
	return first
}

// suiteStream loads a workload's rows while one stopped sluice per
// converter waits, measures go-mysql's decode rate over that binlog range,
// then lets each sluice catch up alone and times it.
func suiteStream(cfg suiteConfig, name string, w workload, n int) ([]suiteRow, error) {
	fmt.Fprintf(os.Stderr, "== %s: %d rows\n", name, n)
	b, cleanup, err := newBench(name, cfg.bin)
	if err != nil {
		return nil, err
	}
	b.set = cfg.set
	defer cleanup()
	if w.setup != nil {
		if err := w.setup(b, n); err != nil {
			return nil, err
		}
	}
	var runs []prepared
	for i, c := range cfg.convs {
		p, err := b.prepare(c, cfg.registry, 5900+i, map[string]string{"snapshot.mode": "no_data"})
		if err != nil {
			return nil, err
		}
		if err := b.storePosition(p); err != nil {
			return nil, err
		}
		runs = append(runs, p)
	}
	start, err := b.binlogPos()
	if err != nil {
		return nil, err
	}
	loadStart := time.Now()
	if err := w.load(b, n); err != nil {
		return nil, err
	}
	end, err := b.binlogPos()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "loaded in %s, binlog %s:%d to %s:%d\n", time.Since(loadStart).Round(time.Millisecond), start.Name, start.Pos, end.Name, end.Pos)
	decRows, decRate, err := b.decodeRate(start, end)
	if err != nil {
		return nil, fmt.Errorf("go-mysql decoding the binlog: %w", err)
	}
	cl, err := b.kafkaClient()
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	kpid, mpid := kafkaPID(), mariadbPID()
	want := w.records(n)
	if decRows != int64(n) {
		return nil, fmt.Errorf("go-mysql decoded %d rows between %s:%d and %s:%d, the workload wrote %d", decRows, start.Name, start.Pos, end.Name, end.Pos, n)
	}
	var out []suiteRow
	for i, c := range cfg.convs {
		r := suiteRow{workload: name, conv: c, rows: decRows, decode: decRate}
		profile := ""
		if dir := os.Getenv("SLUICE_BENCH_PROFILE_DIR"); dir != "" {
			profile = filepath.Join(dir, name+"-"+c+".pprof")
		}
		cu, err := b.catchUp(cfg, c, runs[i], profile)
		if err != nil {
			return nil, err
		}
		took, err := b.timed(&r, cu, adm, suiteTopic(c, runs[i].prefix, b.db, w.table), want, kpid, mpid)
		if strings.HasPrefix(c, debeziumPrefix) {
			dropTopic(adm, runs[i].prefix+"-history")
			r.note = debeziumNote
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		fmt.Fprintf(os.Stderr, "%s %s: %d records in %s: %.0f rows/s (go-mysql decodes %.0f), %.2f µs/row, peak RSS %d MiB\n",
			name, c, want, took.Round(time.Millisecond), r.e2e, r.decode, r.cpuUs, r.rssMiB)
		out = append(out, r)
	}
	return out, nil
}

// timed waits for a catch-up's want records on topic and fills in r's rows/s
// (from the first record's timestamp to the last acknowledged), its CPU and
// peak RSS, the broker's and MariaDB's CPU, per row of r.rows; it stops the
// catch-up and drops the topic, and returns the time from the first record.
func (b *bench) timed(r *suiteRow, cu *catchUp, adm *kadm.Client, topic string, want int64, kpid, mpid int) (time.Duration, error) {
	began, cpu0, k0, m0 := time.Now(), procCPU(cu.pid), procCPU(kpid), procCPU(mpid)
	// Two minutes and a minute for each 60,000 records: a million rows at
	// Debezium's few thousand a second fit; a run that is stuck fails soon.
	limit := 2*time.Minute + time.Duration(want)*time.Millisecond
	// With exactly.once.support=required (--set) the records are in Kafka
	// transactions: the wait is for the last stable offset, and as each
	// transaction's marker takes an offset too, the run ends up to one
	// marker a transaction early; the records are counted afterwards.
	exactly := strings.EqualFold(b.set["exactly.once.support"], "required")
	offsetsOf := endOffsets
	if exactly {
		offsetsOf = stableOffsets
	}
	got, failed := cu.wait(adm, topic, want, limit, offsetsOf)
	done := time.Now()
	cpu1, k1, m1, hwm := procCPU(cu.pid), procCPU(kpid), procCPU(mpid), peakRSSMiB(cu.pid)
	_ = cu.stop()
	if got < want {
		return 0, fmt.Errorf("only %d of %d records reached Kafka (%v); log:\n%s", got, want, failed, cu.log())
	}
	if exactly {
		if got = b.committedRecords(adm, topic); got != want {
			return 0, fmt.Errorf("%d committed records in %s for %d rows written", got, topic, want)
		}
	} else if got = endOffsets(adm, topic); got > want {
		// More than the rows written: it started before the stored
		// position or repeated some.
		return 0, fmt.Errorf("%d records in %s for %d rows written", got, topic, want)
	}
	if first := b.firstTimestamp(topic); !first.IsZero() && first.After(began) {
		began = first
	}
	dropTopic(adm, topic)
	n := float64(r.rows)
	r.e2e = n / done.Sub(began).Seconds()
	r.cpuUs = float64(cpu1-cpu0) / 1e3 / n
	if kpid > 0 {
		r.kafkaUs = float64(k1-k0) / 1e3 / n
	}
	if mpid > 0 {
		r.dbUs = float64(m1-m0) / 1e3 / n
	}
	r.rssMiB = hwm
	return done.Sub(began), nil
}

// prepared is a converter's connector whose start position is stored.
type prepared struct {
	path, prefix string
	cfg          map[string]string
}

// catchUp is one converter's connector reading what was loaded: a Sluice
// process, or a Debezium connector in the Kafka Connect worker.
type catchUp struct {
	pid    int          // the process whose CPU and peak RSS are the run's
	failed func() error // why it can no longer finish; nil while it can
	stop   func() error
	log    func() []byte // the end of its log, for an error
}

// prepare writes the connector file of a converter's run.
func (b *bench) prepare(conv, registry string, serverID int, extra map[string]string) (prepared, error) {
	prefix, conf, err := b.connectorConfig(conv, registry, serverID, extra)
	if err != nil {
		return prepared{}, err
	}
	path, err := b.writeConnector(prefix, conf)
	return prepared{path, prefix, conf}, err
}

// storePosition runs Sluice on a prepared connector (snapshot.mode=no_data)
// until it streams, which stores the binlog position it starts from, and
// the schema history, under the connector's name; a Debezium run starts
// from there too.
func (b *bench) storePosition(p prepared) error {
	d, err := b.start(p.path, "")
	if err != nil {
		return err
	}
	_ = d.stop()
	return nil
}

// catchUp starts a converter's connector on its stored position.
func (b *bench) catchUp(cfg suiteConfig, conv string, p prepared, profile string) (*catchUp, error) {
	if strings.HasPrefix(conv, debeziumPrefix) {
		return b.debeziumCatchUp(cfg.worker, p, true)
	}
	d, err := b.start(p.path, profile)
	if err != nil {
		return nil, err
	}
	pid := d.cmd.Process.Pid
	return &catchUp{pid: pid, stop: d.stop,
		failed: func() error {
			if exited(pid) {
				return fmt.Errorf("sluice exited")
			}
			return nil
		},
		log: func() []byte { l, _ := os.ReadFile(d.log); return tail(l, 3000) }}, nil
}

// wait polls topic's end offsets until they reach want, the catch-up
// fails or limit passes, and returns the last count.
func (c *catchUp) wait(adm *kadm.Client, topic string, want int64, limit time.Duration, offsetsOf func(*kadm.Client, string) int64) (int64, error) {
	var got int64
	for deadline, n := time.Now().Add(limit), 0; time.Now().Before(deadline); n++ {
		if got = offsetsOf(adm, topic); got >= want {
			return got, nil
		}
		if n%50 == 49 { // once a second: Debezium's is a REST call
			if err := c.failed(); err != nil {
				return got, err
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return got, fmt.Errorf("still short after %s", limit)
}

// exited reports whether a child process has ended (a zombie not yet
// waited for, or gone).
func exited(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(data, ')')
	return i >= 0 && i+2 < len(data) && data[i+2] == 'Z'
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// snapshotSettings are the snapshot workload's connector settings, Sluice's
// and Debezium's: the table only, two threads.
var snapshotSettings = map[string]string{"snapshot.mode": "initial_only", "snapshot.max.threads": "2"}

// suiteSnapshot times a snapshot of a table of cfg.snapRows rows per converter.
func suiteSnapshot(cfg suiteConfig) ([]suiteRow, error) {
	fmt.Fprintf(os.Stderr, "== snapshot: %d rows\n", cfg.snapRows)
	b, cleanup, err := newBench("snap", cfg.bin)
	if err != nil {
		return nil, err
	}
	b.set = cfg.set
	defer cleanup()
	if def := snapshotKeys[cfg.snapKey]; def != "" {
		// Before the rows: k takes its default, made from id, as each is
		// written.
		q := fmt.Sprintf("ALTER TABLE %s.t ADD COLUMN k %s, DROP PRIMARY KEY, ADD PRIMARY KEY (k, id)", b.db, def)
		if _, err := b.conn.Execute(q); err != nil {
			return nil, fmt.Errorf("keying the snapshot table by %s: %w", cfg.snapKey, err)
		}
	}
	for lo := 1; lo <= cfg.snapRows; lo += 250_000 {
		if err := b.insert(lo, min(lo+250_000-1, cfg.snapRows)); err != nil {
			return nil, err
		}
	}
	cl, err := b.kafkaClient()
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	kpid, mpid := kafkaPID(), mariadbPID()
	var out []suiteRow
	for i, c := range cfg.convs {
		if strings.HasPrefix(c, debeziumPrefix) {
			r, err := b.debeziumSnapshot(cfg, adm, c, int64(cfg.snapRows), 5950+i, kpid, mpid)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c, err)
			}
			out = append(out, r)
			continue
		}
		p, err := b.prepare(c, cfg.registry, 5950+i, snapshotSettings)
		if err != nil {
			return nil, err
		}
		cmd := b.command(p.path)
		if dir := os.Getenv("SLUICE_BENCH_PROFILE_DIR"); dir != "" {
			cmd.Env = append(os.Environ(), "SLUICE_CPUPROFILE="+filepath.Join(dir, "snapshot-"+c+".pprof"))
		}
		stderr, _ := cmd.StderrPipe()
		k0, m0 := procCPU(kpid), procCPU(mpid)
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		stopWrites := func() error { return nil }
		if cfg.snapWrites > 0 {
			if stopWrites, err = b.writeElsewhere(cfg.snapWrites); err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				return nil, err
			}
		}
		var finished map[string]any
		var lines []string
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "snapshot finished" {
				finished = m
			}
		}
		werr := cmd.Wait()
		k1, m1 := procCPU(kpid), procCPU(mpid)
		topic := suiteTopic(c, p.prefix, b.db, "t")
		dropTopic(adm, topic)
		if err := stopWrites(); err != nil {
			return nil, err
		}
		if werr != nil || finished == nil {
			return nil, fmt.Errorf("%s: sluice exited with %v and no \"snapshot finished\" line:\n%s", c, werr, strings.Join(lines[max(0, len(lines)-20):], "\n"))
		}
		n, _ := finished["rows"].(float64)
		rate, _ := finished["rows_per_s"].(float64)
		r := suiteRow{workload: "snapshot", conv: c, rows: int64(n), e2e: rate}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.rssMiB = ru.Maxrss / 1024
			r.cpuUs = float64(time.Duration(ru.Utime.Nano()+ru.Stime.Nano())) / 1e3 / n
		}
		if kpid > 0 {
			r.kafkaUs = float64(k1-k0) / 1e3 / n
		}
		if mpid > 0 {
			r.dbUs = float64(m1-m0) / 1e3 / n
		}
		r.note = "(µs/row: whole process"
		if cfg.snapWrites > 0 {
			r.note += fmt.Sprintf("; %d rows/s written meanwhile", cfg.snapWrites)
		}
		if cfg.snapKey != "" {
			r.note += "; keyed by (" + cfg.snapKey + " k, id)"
		}
		r.note += ")"
		out = append(out, r)
	}
	return out, nil
}

// snapshotKeys are the snapshot table's first key columns --snapshot-key
// offers, each a column k, NOT NULL, whose default is made from id: keys
// evenly spread (a DATETIME a second apart, a DECIMAL a third apart, a
// BIGINT UNSIGNED a thousand apart) or random (BINARY(16), CHAR(32) hex
// digits). char-nopad is char in a NO PAD collation, whose tables are read
// in one piece (see the README): the comparison for the others.
var snapshotKeys = map[string]string{
	"":           "",
	"datetime":   "DATETIME(6) NOT NULL DEFAULT (TIMESTAMP'2020-01-01 00:00:00' + INTERVAL id SECOND)",
	"decimal":    "DECIMAL(14,4) NOT NULL DEFAULT (id / 3)",
	"unsigned":   "BIGINT UNSIGNED NOT NULL DEFAULT (id * 1000)",
	"binary":     "BINARY(16) NOT NULL DEFAULT (UNHEX(MD5(id)))",
	"char":       "CHAR(32) CHARACTER SET ascii NOT NULL DEFAULT (MD5(id))",
	"char-nopad": "CHAR(32) CHARACTER SET ascii COLLATE ascii_general_nopad_ci NOT NULL DEFAULT (MD5(id))",
}

func snapshotKeyNames() []string {
	var names []string
	for k := range snapshotKeys {
		if k != "" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// writeElsewhere writes rate rows/s, in 100 transactions a second, to a
// database of its own that no connector reads, until the returned function
// is called: the binlog moves on while a snapshot runs, as on a live server.
func (b *bench) writeElsewhere(rate int) (stop func() error, err error) {
	db := b.db + "_w"
	conn, err := client.Connect(b.addr, "root", os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD"), "")
	if err != nil {
		return nil, err
	}
	for _, q := range []string{"CREATE DATABASE IF NOT EXISTS " + db,
		"CREATE TABLE IF NOT EXISTS " + db + ".w (id INT AUTO_INCREMENT PRIMARY KEY, a BIGINT NOT NULL, b VARCHAR(40) NOT NULL)"} {
		if _, err := conn.Execute(q); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	perTxn := max(1, rate/100)
	q := fmt.Sprintf("INSERT INTO %s.w (a, b) SELECT seq, CONCAT('w-', seq) FROM %s.seq_1_to_%d", db, db, perTxn)
	done, failed := make(chan struct{}), make(chan error, 1)
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				failed <- nil
				return
			case <-tick.C:
				if _, err := conn.Execute(q); err != nil {
					failed <- fmt.Errorf("writing during the snapshot: %w", err)
					return
				}
			}
		}
	}()
	return func() error {
		close(done)
		err := <-failed
		conn.Execute("DROP DATABASE " + db)
		conn.Close()
		return err
	}, nil
}

// suiteSteady writes cfg.steadyRate rows/s for cfg.steadySecs seconds in
// 100 transactions a second while sluice streams, and reads the records back
// from Kafka: latency is from the transaction's COMMIT returning to the
// record read back.
func suiteSteady(cfg suiteConfig) ([]suiteRow, error) {
	fmt.Fprintf(os.Stderr, "== steady: %d rows/s for %d s\n", cfg.steadyRate, cfg.steadySecs)
	var out []suiteRow
	for i, c := range cfg.convs {
		r, err := steadyOne(cfg, c, 5970+i)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func steadyOne(cfg suiteConfig, conv string, serverID int) (suiteRow, error) {
	r := suiteRow{workload: "steady", conv: conv}
	b, cleanup, err := newBench("steady", cfg.bin)
	if err != nil {
		return r, err
	}
	b.set = cfg.set
	defer cleanup()
	p, err := b.prepare(conv, cfg.registry, serverID, map[string]string{"snapshot.mode": "no_data"})
	if err != nil {
		return r, err
	}
	if strings.HasPrefix(conv, debeziumPrefix) {
		// Debezium from a stored position: started from none, it would
		// take the binlog's end some time after its start, perhaps past
		// the warm-up rows.
		if err := b.storePosition(p); err != nil {
			return r, err
		}
		r.note = "(Debezium: the worker JVM) "
	}
	cu, err := b.catchUp(cfg, conv, p, "")
	if err != nil {
		return r, err
	}
	defer cu.stop()
	topic := suiteTopic(conv, p.prefix, b.db, "t")
	// Warm up: the topic is created and the schemas registered before the clock runs.
	const warm = 10
	if err := b.insert(1, warm); err != nil {
		return r, err
	}
	cl, err := b.kafkaClient()
	if err != nil {
		return r, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	defer adm.DeleteTopics(context.Background(), topic)
	for deadline := time.Now().Add(60 * time.Second); endOffsets(adm, topic) < warm; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return r, fmt.Errorf("the warm-up rows did not reach Kafka")
		}
	}
	consumer, err := b.kafkaClient(kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().At(warm)),
		kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		return r, err
	}
	defer consumer.Close()
	perTxn := max(1, cfg.steadyRate/100)
	txns := cfg.steadyRate * cfg.steadySecs / perTxn
	commits := make([]time.Time, txns)
	// A record can be read back before its COMMIT has returned to the
	// writer: read times are kept and matched with commits at the end.
	type read struct {
		txn int
		at  time.Time
	}
	reads := make([]read, 0, txns*perTxn)
	var readErr error
	readDone := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(cfg.steadySecs)*time.Second+60*time.Second)
	defer cancel()
	go func() {
		defer close(readDone)
		for len(reads) < txns*perTxn {
			fs := consumer.PollFetches(ctx)
			if ctx.Err() != nil {
				readErr = fmt.Errorf("read back %d of %d records", len(reads), txns*perTxn)
				return
			}
			now := time.Now()
			fs.EachRecord(func(rec *kgo.Record) {
				id, ok := keyID(rec.Key)
				if !ok || id <= warm {
					return
				}
				if k := (int(id) - warm - 1) / perTxn; k < txns {
					reads = append(reads, read{k, now})
				}
			})
		}
	}()
	pid := cu.pid
	cpu0, k0, m0 := procCPU(pid), procCPU(kafkaPID()), procCPU(mariadbPID())
	began := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	for k := 0; k < txns; k++ {
		<-tick.C
		lo := warm + 1 + k*perTxn
		if err := b.insert(lo, lo+perTxn-1); err != nil {
			tick.Stop()
			return r, err
		}
		commits[k] = time.Now()
	}
	tick.Stop()
	wrote := time.Since(began)
	<-readDone
	cpu1, k1, m1 := procCPU(pid), procCPU(kafkaPID()), procCPU(mariadbPID())
	if readErr != nil {
		return r, readErr
	}
	lat := make([]time.Duration, len(reads))
	for i, r := range reads {
		lat[i] = r.at.Sub(commits[r.txn]) // negative: read before COMMIT returned
	}
	slices.Sort(lat)
	n := int64(txns * perTxn)
	r.rows = n
	r.e2e = float64(n) / wrote.Seconds()
	r.cpuUs = float64(cpu1-cpu0) / 1e3 / float64(n)
	r.kafkaUs = float64(k1-k0) / 1e3 / float64(n)
	r.dbUs = float64(m1-m0) / 1e3 / float64(n) // the inserts' own work included
	r.rssMiB = peakRSSMiB(pid)
	r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	r.note += fmt.Sprintf("(rows/s: written; max %.1fms)", float64(lat[len(lat)-1])/1e6)
	return r, nil
}

// keyID reads the id of a bench table's key: JSON {"id":N} (bare or in a
// schema envelope) or Confluent Avro (magic byte, schema id, zigzag int).
func keyID(k []byte) (int64, bool) {
	if len(k) > 5 && k[0] == 0 {
		var u uint64
		var shift uint
		for _, c := range k[5:] {
			u |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return int64(u>>1) ^ -int64(u&1), true
			}
			shift += 7
		}
		return 0, false
	}
	i := bytes.LastIndex(k, []byte(`"id":`))
	if i < 0 {
		return 0, false
	}
	j := i + 5
	for j < len(k) && k[j] >= '0' && k[j] <= '9' {
		j++
	}
	id, err := strconv.ParseInt(string(k[i+5:j]), 10, 64)
	return id, err == nil
}

// dropTopic drops a run's topic (a million rows with JSON schemas are
// about 4 GB), unless SLUICE_BENCH_KEEP_TOPICS is set: then it stays for a
// look at its batches (kafka-dump-log.sh) and the run says so.
func dropTopic(adm *kadm.Client, topic string) {
	if os.Getenv("SLUICE_BENCH_KEEP_TOPICS") != "" {
		fmt.Fprintf(os.Stderr, "kept topic %s\n", topic)
		return
	}
	if _, err := adm.DeleteTopics(context.Background(), topic); err != nil {
		fmt.Fprintf(os.Stderr, "deleting topic %s: %v\n", topic, err)
	}
}
