package main

// End-to-end tests run the sluice binary against the real MariaDB and Kafka
// that deploy/local starts (.ci/run does that and exports the addresses).
// Without SLUICE_BOOTSTRAP_SERVERS and SLUICE_TEST_MYSQL_ADDR they skip; with
// SLUICE_E2E=1 (as in CI) a missing server is a failure instead.

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sluice-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "sluice")
	args := []string{"build", "-o", binPath}
	raceLogs := ""
	if os.Getenv("SLUICE_E2E_RACE") == "1" {
		args = append(args, "-race")
		// A race-built daemon that is killed or stopped by a test says
		// nothing through its exit code: its reports go to files that the
		// run checks at the end.
		if g := os.Getenv("GORACE"); !strings.Contains(g, "log_path=") {
			raceLogs = filepath.Join(dir, "race")
			os.Setenv("GORACE", strings.TrimSpace(g+" log_path="+raceLogs))
		}
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building sluice: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	if raceLogs != "" && daemonRaces(raceLogs) {
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// daemonRaces prints the race detector's reports the daemons wrote (one
// file per process, prefix.PID) and says whether there were any.
func daemonRaces(prefix string) bool {
	files, _ := filepath.Glob(prefix + ".*")
	found := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		found = true
		fmt.Fprintf(os.Stderr, "FAIL: a sluice daemon built with -race reported a data race (%s):\n%s\n", f, b)
	}
	return found
}

type env struct {
	kafka     string
	mysqlAddr string
	rootPass  string
}

func needServers(t *testing.T) env {
	t.Helper()
	e := env{kafka: os.Getenv("SLUICE_BOOTSTRAP_SERVERS"), mysqlAddr: os.Getenv("SLUICE_TEST_MYSQL_ADDR"),
		rootPass: os.Getenv("SLUICE_TEST_MYSQL_ROOT_PASSWORD")}
	if e.kafka == "" || e.mysqlAddr == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_E2E=1 but SLUICE_BOOTSTRAP_SERVERS / SLUICE_TEST_MYSQL_ADDR are not set; start the servers with deploy/local/up.sh")
		}
		t.Skip("end-to-end test: set SLUICE_BOOTSTRAP_SERVERS and SLUICE_TEST_MYSQL_ADDR (deploy/local/up.sh prints them)")
	}
	return e
}

// db is a root connection to the test MariaDB with a private database.
type db struct {
	t    *testing.T
	conn *client.Conn
	name string
	mu   sync.Mutex
}

func newDB(t *testing.T, e env) *db {
	t.Helper()
	conn, err := client.Connect(e.mysqlAddr, "root", e.rootPass, "")
	if err != nil {
		t.Fatalf("connecting to MariaDB at %s as root: %v", e.mysqlAddr, err)
	}
	// The random suffix survives the length limit: cut from the test's
	// name instead. (A cut suffix left a long subtest a few names, which a
	// later run on the same broker met again with its stored offset.)
	base, suffix := "e2e_"+strings.ToLower(strings.NewReplacer("/", "_", "-", "_").Replace(t.Name())), fmt.Sprintf("_%d", rand.Intn(1e6))
	name := base[:min(len(base), 60-len(suffix))] + suffix
	d := &db{t: t, conn: conn, name: name}
	d.exec("CREATE DATABASE " + name)
	d.exec("USE " + name)
	t.Cleanup(func() {
		d.exec("DROP DATABASE IF EXISTS " + name)
		conn.Close()
	})
	return d
}

func (d *db) exec(q string, args ...any) *gmysql.Result {
	d.t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	r, err := d.conn.Execute(q, args...)
	if err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
	return r
}

func (d *db) execAll(qs ...string) {
	d.t.Helper()
	for _, q := range qs {
		d.exec(q)
	}
}

// createUser creates user@'%' (password pass) with what a connector needs
// on every database, and drops it when the test ends. A test that kills
// its daemon's binlog connection finds it by this user: the shared server
// also holds other packages' connections as user sluice.
func (d *db) createUser(user, pass string) {
	d.t.Helper()
	d.execAll("CREATE USER '"+user+"'@'%' IDENTIFIED BY '"+pass+"'",
		"GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO '"+user+"'@'%'")
	d.t.Cleanup(func() { d.exec("DROP USER IF EXISTS '" + user + "'@'%'") })
}

func (d *db) str(q string) string {
	d.t.Helper()
	r := d.exec(q)
	s, _ := r.GetString(0, 0)
	return s
}

// connectorFile writes a connector config for the test's database.
func connectorFile(t *testing.T, e env, name, prefix, database string, extra map[string]string) string {
	t.Helper()
	cfg := mysqlConnector(e, prefix, database)
	for k, v := range extra {
		cfg[k] = v
	}
	return conformance.WriteConnector(t, name, cfg)
}

// privateMariaDB starts a MariaDB of its own (deploy/local/mariadb.sh,
// instance name on port, with the server arguments args; what a run that
// died may have left up is stopped first) and stops it when the test ends.
// It returns the instance's address and a runner of the script's other
// actions (stop, start) on it.
func privateMariaDB(t *testing.T, name string, port int, args string) (addr string, run func(action string) ([]byte, error)) {
	t.Helper()
	envs := []string{"SLUICE_MARIADB_NAME=" + name, fmt.Sprintf("SLUICE_MARIADB_PORT=%d", port), "SLUICE_MARIADB_ARGS=" + args}
	run = func(action string) ([]byte, error) {
		cmd := exec.Command("../../deploy/local/mariadb.sh", action)
		cmd.Env = append(cmd.Environ(), envs...)
		return cmd.CombinedOutput()
	}
	_, _ = run("stop")
	if out, err := run("start"); err != nil {
		t.Fatalf("starting the MariaDB %q: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { _, _ = run("stop") })
	return fmt.Sprintf("127.0.0.1:%d", port), run
}

// mysqlConnector is the connector config for a database of the test
// MariaDB, as user sluice.
func mysqlConnector(e env, prefix, database string) map[string]string {
	host, port, _ := strings.Cut(e.mysqlAddr, ":")
	return withE2EThreads(map[string]string{
		"connector.class":          "io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname":        host,
		"database.port":            port,
		"database.user":            "sluice",
		"database.password":        "sluice",
		"database.server.id":       fmt.Sprint(nextServerID()),
		"topic.prefix":             prefix,
		"database.include.list":    database,
		"offset.flush.interval.ms": "500",
	})
}

// withE2EThreads gives cfg, a connector's base config (the MariaDB and
// Vitess ones the tests make), SLUICE_E2E_CONVERSION_THREADS=N conversion
// threads when that is set; a test's own setting, laid over the base,
// still wins. The tests then check the workers' path, which CI's runs take
// only where a test sets it.
func withE2EThreads(cfg map[string]string) map[string]string {
	if n := os.Getenv("SLUICE_E2E_CONVERSION_THREADS"); n != "" {
		cfg["sluice.conversion.threads"] = n
	}
	return cfg
}

// serverIDs hands each connector of the run a server id of its own. Drawn
// at random per connector, two running at once met on one (MariaDB refuses
// the second replica with error 4052, and it retries): its repeated
// "binlog streaming from" lines let TestAvroMatchesJSONEndToEnd's wait end
// while another connector was still in its snapshot, whose last tables then
// held the changes the test meant to stream. The bench uses 5900-5999 and
// internal/sidebyside 9000 and up.
var serverIDs = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(int64(6000 + rand.Intn(1500)))
	return &n
}()

func nextServerID() int64 { return serverIDs.Add(1) }

// waitStreaming waits until each named connector has started its binlog
// stream: the line the stream writes as it opens its dump, naming the
// connector.
func waitStreaming(t *testing.T, sl *daemon, timeout time.Duration, names ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var missing []string
		lines := strings.Split(sl.Stderr.String(), "\n")
		for _, n := range names {
			found := false
			for _, l := range lines {
				if strings.Contains(l, "binlog streaming from") && (strings.Contains(l, `"connector": "`+n+`"`) || strings.Contains(l, `"connector":"`+n+`"`)) {
					found = true
					break
				}
			}
			if !found {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connectors %v did not start streaming within %s:\n%s", missing, timeout, tail(sl.Stderr.String(), 4000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The process and Kafka helpers are the conformance suite's; these names
// keep the tests short.
type (
	daemon = conformance.Daemon
	record = conformance.Record
)

func startDaemon(t *testing.T, e env, args ...string) *daemon {
	t.Helper()
	return conformance.StartDaemon(t, binPath, append([]string{"run", "--bootstrap-servers", e.kafka}, args...)...)
}

func tail(s string, n int) string { return conformance.Tail(s, n) }

func newKafkaClient(t *testing.T, e env, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	return conformance.NewKafkaClient(t, e.kafka, opts...)
}

func consume(t *testing.T, e env, n int, timeout time.Duration, topics ...string) []record {
	t.Helper()
	return conformance.Consume(t, e.kafka, n, timeout, topics...)
}

func storedOffset(t *testing.T, e env, topic string, key []byte) (partition int32, value []byte, found bool) {
	t.Helper()
	return conformance.StoredOffset(t, e.kafka, topic, key)
}

func payload(t *testing.T, b []byte) map[string]any {
	t.Helper()
	return conformance.Payload(t, b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// commitOffset stores value under key in the offsets topic, as a worker
// (or Debezium's) would have stored it.
func commitOffset(t *testing.T, kafka string, key, value []byte) {
	t.Helper()
	st, err := offsets.NewKafkaStore(context.Background(), offsets.KafkaStoreConfig{Brokers: strings.Split(kafka, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Commit(context.Background(), key, value); err != nil {
		t.Fatal(err)
	}
}
