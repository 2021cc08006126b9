// Command sluice is the change-data-capture daemon: it streams MySQL and
// MariaDB row changes to Kafka as Debezium change events.
//
//	sluice run [--bootstrap-servers HOST:PORT] [--offsets-topic NAME] [--worker-config FILE] CONNECTOR.json...
//	sluice validate [--bootstrap-servers HOST:PORT] CONNECTOR.json...
//	sluice version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/sluice-cdc/sluice/api"
	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector"
	"github.com/sluice-cdc/sluice/connector/vtbinlog"
	"github.com/sluice-cdc/sluice/offsets"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `usage:
  sluice run [flags] CONNECTOR.json...   run one task per connector file until SIGTERM/SIGINT
  sluice validate [flags] CONNECTOR.json...  check the files, the database and the stored offset, print every problem
  sluice version

flags (each also read from the environment, e.g. SLUICE_BOOTSTRAP_SERVERS):
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "sluice %s\n", version)
		return 0
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "sluice: unknown command %q\n%s", args[0], usage)
	return 2
}

// workerFlags parses the flags every command shares. Flag values override
// the environment, which overrides the worker config file.
func workerFlags(name string, args []string, stderr io.Writer) (*config.Worker, []string, int) {
	return loadWorkerFlags(name, args, false, stderr)
}

// loadWorkerFlags is workerFlags; with kafkaOptional (sluice validate) a
// missing bootstrap.servers gives a worker with no broker (no bootstrap
// servers: only its config providers) instead of an error.
func loadWorkerFlags(name string, args []string, kafkaOptional bool, stderr io.Writer) (*config.Worker, []string, int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	bootstrap := fs.String("bootstrap-servers", "", "Kafka bootstrap servers, host:port[,host:port] (bootstrap.servers)")
	topic := fs.String("offsets-topic", "", "compacted topic for source offsets (offset.storage.topic, default _connect_offsets)")
	file := fs.String("worker-config", os.Getenv(config.EnvWorkerConfig), "worker properties file (Kafka Connect worker property names)")
	level := fs.String("log-level", "", "debug, info, warn or error (log.level)")
	format := fs.String("log-format", "", "json or console (log.format)")
	listeners := fs.String("listeners", "", "REST API and metrics listeners, http://host:port[,...] (listeners; none by default)")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return nil, nil, 2
	}
	flags := map[string]string{}
	set := func(prop, v string) {
		if v != "" {
			flags[prop] = v
		}
	}
	set("bootstrap.servers", *bootstrap)
	set("offset.storage.topic", *topic)
	set("log.level", *level)
	set("log.format", *format)
	set("listeners", *listeners)
	load := config.LoadWorker
	if kafkaOptional {
		// No broker to check against is no error; the connector files may
		// still take values from the worker's config providers, and its
		// other settings (the transaction timeout) still apply.
		load = config.LoadWorkerOffline
	}
	w, warns, err := load(*file, os.Environ(), flags)
	for _, wn := range warns {
		fmt.Fprintf(stderr, "warning: %s\n", wn)
	}
	if err != nil {
		printConfigError(stderr, err)
		return nil, nil, 1
	}
	return w, fs.Args(), 0
}

// expandPaths replaces each directory with the *.json files in it, so a
// container can mount one directory of connector files.
func expandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("connector file %s: %w", p, err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("directory %s holds no *.json connector files", p)
		}
		out = append(out, matches...)
	}
	return out, nil
}

func printConfigError(w io.Writer, err error) {
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintf(w, "error: %s\n", e)
		}
		return
	}
	fmt.Fprintf(w, "error: %s\n", err)
}

// newLogger logs at log.level; the REST API's /admin/loggers changes the
// returned level while the daemon runs.
func newLogger(w *config.Worker, stderr io.Writer) (*zap.Logger, zap.AtomicLevel) {
	level := zap.NewAtomicLevel()
	_ = level.UnmarshalText([]byte(w.LogLevel))
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.TimeKey = "ts"
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if w.LogFormat == "console" {
		encCfg.EncodeLevel = zapcore.CapitalLevelEncoder
		enc = zapcore.NewConsoleEncoder(encCfg)
	} else {
		enc = zapcore.NewJSONEncoder(encCfg)
	}
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(stderr)), level)), level
}

func loadConnectors(paths []string, env connector.Env, stderr io.Writer) ([]*config.Connector, bool) {
	var out []*config.Connector
	ok := true
	names := map[string]string{}
	replicaIDs := replicaIDClaims{}
	paths, err := expandPaths(paths)
	if err != nil {
		fmt.Fprintf(stderr, "error: %s\n", err)
		return nil, false
	}
	for _, p := range paths {
		c, warns, err := config.LoadConnectorWith(p, env.Worker.Providers)
		for _, wn := range warns {
			fmt.Fprintf(stderr, "warning: %s: %s\n", p, wn)
		}
		if err != nil {
			printConfigError(stderr, err)
			ok = false
			continue
		}
		if prev, dup := names[c.Name]; dup {
			fmt.Fprintf(stderr, "error: %s: connector name %q is also used by %s; names key the stored offsets and must be unique\n", p, c.Name, prev)
			ok = false
			continue
		}
		names[c.Name] = p
		if err := connector.Check(c, env); err != nil {
			fmt.Fprintf(stderr, "error: %s: %s\n", p, err)
			ok = false
			continue
		}
		if !replicaIDs.claim(c, stderr) {
			ok = false
			continue
		}
		out = append(out, c)
	}
	return out, ok
}

// replicaIDClaims holds the binlog replica ids the daemon's connectors use,
// by server. MariaDB keeps one binlog dump per server id: a second
// connector registering with the same id drops the first one's dump (error
// 4052, which stops that connector; retried, the two took turns forever).
// So two connectors of one daemon may not share an id on one server.
type replicaIDClaims map[string]string

// claim records c's database.server.id, or reports the connector that
// already has it. A random id (the property left out) that is taken moves
// to the lowest free one of Debezium's random range, 5400-6399.
func (r replicaIDClaims) claim(c *config.Connector, stderr io.Writer) bool {
	if c.ServerID == 0 || c.Raw[vtbinlog.PropTarget] != "" {
		return true // Vitess: VTGate holds the replica identity
	}
	key := func(id uint32) string {
		return strings.ToLower(c.Hostname) + ":" + strconv.Itoa(c.Port) + "/" + strconv.FormatUint(uint64(id), 10)
	}
	prev, taken := r[key(c.ServerID)]
	if taken && c.ServerIDRandom {
		for id := uint32(config.RandomServerIDLow); id < config.RandomServerIDLow+config.RandomServerIDCount; id++ {
			if _, used := r[key(id)]; !used {
				fmt.Fprintf(stderr, "warning: %s: database.server.id: the random id %d is connector %s's; using %d\n", c.Source, c.ServerID, prev, id)
				c.ServerID, taken = id, false
				break
			}
		}
	}
	if taken {
		fmt.Fprintf(stderr, "error: %s: database.server.id %d is also connector %s's, on the same server %s:%d; MariaDB and MySQL keep one binlog dump per replica id, so the two would drop each other's stream: give each connector its own database.server.id\n",
			c.Source, c.ServerID, prev, c.Hostname, c.Port)
		return false
	}
	r[key(c.ServerID)] = c.Name
	return true
}

// cmdValidate checks each connector file and its server. With the worker's
// bootstrap.servers (flag, environment or worker file) it also checks the
// stored offsets of sources whose offsets can stop fitting the server.
func cmdValidate(args []string, stdout, stderr io.Writer) int {
	w, paths, code := loadWorkerFlags("validate", args, true, stderr)
	if code != 0 {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprint(stderr, "sluice validate: name at least one CONNECTOR.json\n")
		return 2
	}
	env := connector.Env{Worker: &config.Worker{}, Logger: zap.NewNop()}
	if w != nil {
		env.Worker = w
	}
	conns, ok := loadConnectors(paths, env, stdout)
	for _, c := range conns {
		ctx, cancel := context.WithTimeout(context.Background(), c.ConnectTimeout+15*time.Second)
		probs, err := connector.Validate(ctx, c, env, offsetLoader(w, c, stdout), offsetScanner(w, c, stdout))
		cancel()
		if err != nil {
			// The error names the server and the settings that fix it.
			fmt.Fprintf(stdout, "error: %s: %v\n", c.Source, err)
			ok = false
			continue
		}
		for _, p := range probs {
			fmt.Fprintf(stdout, "%s: %s\n", c.Source, p)
			if !p.Warning {
				ok = false
			}
		}
	}
	if !ok {
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

// offsetLoader reads a connector's offset from the worker's offsets topic,
// or says (once asked) that it cannot without bootstrap.servers.
func offsetLoader(w *config.Worker, c *config.Connector, stdout io.Writer) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		if w == nil || len(w.BootstrapServers) == 0 {
			fmt.Fprintf(stdout, "%s: note: the stored offset was not checked: give the worker's bootstrap.servers (--bootstrap-servers or SLUICE_BOOTSTRAP_SERVERS)\n", c.Source)
			return nil, nil
		}
		return offsets.LoadStored(ctx, offsets.KafkaStoreConfig{Brokers: w.BootstrapServers, Topic: w.OffsetsTopic,
			ClientOpts: kafkaOpts(w, zap.NewNop(), &connector.BrokerCounters{})}, offsets.Key(c.Name, c.TopicPrefix))
	}
}

// offsetScanner lists a connector's offsets in the worker's offsets topic
// (a connector of several tasks stores one per task), or says (once asked)
// that it cannot without bootstrap.servers.
func offsetScanner(w *config.Worker, c *config.Connector, stdout io.Writer) func(context.Context, []byte) (map[string][]byte, error) {
	return func(ctx context.Context, prefix []byte) (map[string][]byte, error) {
		if w == nil || len(w.BootstrapServers) == 0 {
			fmt.Fprintf(stdout, "%s: note: the stored offset was not checked: give the worker's bootstrap.servers (--bootstrap-servers or SLUICE_BOOTSTRAP_SERVERS)\n", c.Source)
			return nil, nil
		}
		return offsets.ScanStored(ctx, offsets.KafkaStoreConfig{Brokers: w.BootstrapServers, Topic: w.OffsetsTopic,
			ClientOpts: kafkaOpts(w, zap.NewNop(), &connector.BrokerCounters{})}, prefix)
	}
}

// kafkaOpts are the client options shared by the producer and the stores,
// from the worker's settings. franz-go's own log goes through zap at warn,
// so that a broker that is down or stalls is reported, not silent.
func kafkaOpts(w *config.Worker, log *zap.Logger, brokers *connector.BrokerCounters) []kgo.Opt {
	id := "sluice"
	if v, ok := w.Producer["client.id"]; ok {
		id = v
	}
	opts := []kgo.Opt{kgo.SeedBrokers(w.BootstrapServers...), kgo.ClientID(id),
		kgo.WithLogger(connector.KafkaLogger(log.With(zap.String("component", "kafka-client")))), kgo.WithHooks(brokers)}
	return append(opts, securityOpts(w.Kafka)...)
}

func producerOpts(w *config.Worker) ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// A bounded buffer keeps memory flat; Produce blocks when it is
		// full, which backs up the queue and then the binlog reader.
		kgo.MaxBufferedRecords(10000),
		kgo.ProducerLinger(5 * time.Millisecond),
		// Java's default partitioner: murmur2 of the key bytes.
		kgo.RecordPartitioner(connector.Partitioner()),
		// A topic Sluice just created is unknown to the broker's metadata
		// for a moment; with franz-go's default the producer would then
		// wait 5 s before asking again, holding every record of a new
		// table back that long.
		kgo.MetadataMinAge(250 * time.Millisecond),
		// A partition the broker does not host yet answers
		// UNKNOWN_TOPIC_OR_PARTITION: a new topic's partition for a moment
		// after its leader shows in metadata, longer on a loaded broker.
		// franz-go fails the records after 4 such answers, about a second;
		// Kafka Connect's producer retries for ever. 120 tries, each after
		// a metadata refresh at least MetadataMinAge apart, give a broker
		// 30 s or more; a topic that stays unknown longer (deleted while
		// the connector runs) still stops the connector, its offset before
		// the record.
		kgo.UnknownTopicRetries(120),
	}
	// Kafka's producer names for the batching settings, measured with
	// sluice-bench suite (README): linger.ms is how long a batch waits to
	// fill, batch.size its largest size in bytes.
	if v, ok := w.Producer["linger.ms"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("worker property \"producer.linger.ms\": %q is not a number of milliseconds (0 or more)", v)
		}
		opts = append(opts, kgo.ProducerLinger(time.Duration(n)*time.Millisecond))
	}
	batchBytes := 0
	if v, ok := w.Producer["batch.size"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1024 || n > 1<<30 {
			return nil, fmt.Errorf("worker property \"producer.batch.size\": %q is not a number of bytes from 1024 to 1073741824", v)
		}
		opts = append(opts, kgo.ProducerBatchMaxBytes(int32(n)))
		batchBytes = n
	}
	// And at most Kafka's default buffer.memory in bytes (or one batch, if
	// larger: franz-go refuses a record larger than the bound): 10,000
	// records of 40 columns with JSON schemas (10 KB each) held 100 MB,
	// past the default GOMEMLIMIT, and the collector ran all the time.
	opts = append(opts, kgo.MaxBufferedBytes(max(32<<20, batchBytes)))
	switch strings.ToLower(w.Producer["compression.type"]) {
	case "", "none":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.NoCompression()))
	case "lz4":
		opts = append(opts, kgo.WithCompressor(newLz4Compressor()))
	case "snappy":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.SnappyCompression()))
	case "zstd":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.ZstdCompression()))
	case "gzip":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.GzipCompression()))
	default:
		return nil, fmt.Errorf("worker property \"producer.compression.type\": %q is not one of none, gzip, snappy, lz4, zstd", w.Producer["compression.type"])
	}
	return opts, nil
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	w, paths, code := workerFlags("run", args, stderr)
	if code != 0 {
		return code
	}
	if len(paths) == 0 {
		fmt.Fprint(stderr, "sluice run: name at least one CONNECTOR.json\n")
		return 2
	}
	log, level := newLogger(w, stderr)
	defer func() { _ = log.Sync() }()
	// SLUICE_CPUPROFILE=FILE writes a CPU profile of the whole run, for
	// the benchmarks.
	if path := os.Getenv(config.EnvCPUProfile); path != "" {
		if f, err := os.Create(path); err == nil {
			if err := pprof.StartCPUProfile(f); err == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	// SLUICE_HEAPPROFILE=FILE writes the in-use heap at its largest, for
	// the benchmarks: what keeps the collector busy near the memory limit.
	if path := os.Getenv(config.EnvHeapProfile); path != "" {
		stop := make(chan struct{})
		defer close(stop)
		go heapProfiles(path, stop)
	}
	gcDefaults(log)
	brokers := &connector.BrokerCounters{}
	defer func() {
		log.Info("kafka connections", zap.Int64("failed_dials", brokers.ConnectErrors.Load()),
			zap.Int64("disconnects", brokers.Disconnects.Load()))
	}()
	base := kafkaOpts(w, log, brokers)
	env := connector.Env{Worker: w, KafkaOpts: base, Logger: log}
	conns, ok := loadConnectors(paths, env, stderr)
	if !ok {
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	popts, err := producerOpts(w)
	if err != nil {
		fmt.Fprintf(stderr, "error: %s\n", err)
		return 1
	}
	client, err := kgo.NewClient(append(base, popts...)...)
	if err != nil {
		fmt.Fprintf(stderr, "error: creating the Kafka producer for %v: %s\n", w.BootstrapServers, err)
		return 1
	}
	defer client.Close()
	// A connector that runs exactly once opens a transactional producer
	// of its own per task, with the shared producer's options.
	txnOpts := append(slices.Clip(base), popts...)
	startCtx, cancelStart := context.WithTimeout(ctx, 60*time.Second)
	store, err := offsets.NewKafkaStore(startCtx, offsets.KafkaStoreConfig{
		Brokers: w.BootstrapServers, Topic: w.OffsetsTopic, Partitions: w.OffsetsPartitions,
		ReplicationFactor: w.OffsetsReplicationFactor, ClientOpts: base, Logger: log,
	})
	cancelStart()
	if err != nil {
		log.Error("opening the offsets topic failed", zap.String("topic", w.OffsetsTopic), zap.Error(err))
		fmt.Fprintf(stderr, "error: opening offsets topic %s on %v: %s; %s\n", w.OffsetsTopic, w.BootstrapServers, err, kafkaHint(w.Kafka, err))
		return 1
	}
	defer store.Close()

	var wg sync.WaitGroup
	var (
		failedMu sync.Mutex
		failed   []error
	)
	// Every connector's tasks are planned before any starts: a connector
	// that cannot be planned stops the start without leaving others
	// running.
	type planned struct {
		c        *config.Connector
		tasks    []*connector.Task
		counters *connector.Counters
	}
	var plans []planned
	var apiConns []*api.Connector
	// A failed task waits for a restart through the REST API while another
	// task of the daemon is live; once none is, they return their errors.
	group := connector.NewGroup()
	for _, c := range conns {
		counters := &connector.Counters{}
		topics := connector.NewTopicCreator(client, c.TopicCreation, log.With(zap.String("connector", c.Name)))
		planCtx, cancelPlan := context.WithTimeout(ctx, 60*time.Second)
		tasks, err := connector.NewTasks(planCtx, c, connector.Deps{Env: env, Producer: client,
			Topics: topics, Store: store, Hooks: connector.Hooks{counters}, Group: group, TxnOpts: txnOpts})
		cancelPlan()
		if err != nil {
			fmt.Fprintf(stderr, "error: %s: %s\n", c.Source, err)
			return 1
		}
		plans = append(plans, planned{c, tasks, counters})
		ac := apiConnector(c, tasks, counters)
		ac.Topics, ac.ResetTopics = topics.Topics, topics.ResetTopics
		apiConns = append(apiConns, ac)
	}
	rest, stopREST, err := startREST(w, apiConns, client, log, level, restValidator(env))
	if err != nil {
		fmt.Fprintf(stderr, "error: %s\n", err)
		return 1
	}
	defer stopREST()
	for _, p := range plans {
		c := p.c
		log.Info("starting connector", zap.String("connector", c.Name), zap.String("class", c.Class),
			zap.String("server", fmt.Sprintf("%s:%d", c.Hostname, c.Port)), zap.String("topic.prefix", c.TopicPrefix),
			zap.Uint32("server_id", c.ServerID), zap.Int("tasks", len(p.tasks)))
		var connWG sync.WaitGroup
		for _, task := range p.tasks {
			connWG.Add(1)
			go func() {
				defer connWG.Done()
				if err := task.Run(ctx); err != nil {
					log.Error("connector stopped with an error", zap.String("connector", task.Name), zap.Error(err))
					failedMu.Lock()
					failed = append(failed, err)
					failedMu.Unlock()
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			connWG.Wait()
			logCounters(log, c.Name, p.counters)
		}()
	}
	if rest != nil {
		rest.Ready()
	}
	wg.Wait()
	if len(failed) > 0 {
		for _, err := range failed {
			fmt.Fprintf(stderr, "error: %s\n", err)
		}
		return 1
	}
	return 0
}

// apiConnector is what the REST API shows of a connector.
func apiConnector(c *config.Connector, tasks []*connector.Task, counters *connector.Counters) *api.Connector {
	cfg := c.Raw.Redacted()
	cfg["name"] = c.Name
	ac := &api.Connector{Name: c.Name, Config: cfg, Counters: counters, QueueCapacity: c.MaxQueueSize}
	for _, t := range tasks {
		ac.Tasks = append(ac.Tasks, t)
		_, ac.Observed = t.Source.(connector.Observed)
	}
	return ac
}

// startREST serves the REST API and metrics on the worker's listeners
// (none: nil, and nothing to stop). The returned function closes them and
// waits until they are closed.
func startREST(w *config.Worker, conns []*api.Connector, client *kgo.Client, log *zap.Logger, level zap.AtomicLevel,
	validate func(context.Context, map[string]string) []api.ConfigProblem) (*api.Server, func(), error) {
	if len(w.Listeners) == 0 {
		return nil, func() {}, nil
	}
	srv := api.New(conns, version, log)
	srv.Validate = validate
	srv.NoTopicTracking, srv.NoTopicReset = !w.TopicTracking, !w.TopicTrackingReset
	srv.Loggers = &api.Loggers{Level: level}
	mctx, cancelMeta := context.WithTimeout(context.Background(), 10*time.Second)
	if m, err := kadm.NewClient(client).BrokerMetadata(mctx); err == nil {
		srv.ClusterID = m.Cluster
	}
	cancelMeta()
	ctx, cancel := context.WithCancel(context.Background())
	addrs, wait, err := srv.Serve(ctx, w.Listeners)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("property %q: %w", config.PropListeners, err)
	}
	srv.WorkerID = workerID(w, w.Listeners[0], addrs[0])
	log.Info("REST API and metrics listening", zap.Strings("addresses", addrs), zap.String("worker_id", srv.WorkerID))
	return srv, func() { cancel(); wait() }, nil
}

// workerID is Kafka Connect's: the advertised host and port, by default
// the first listener's host (this host's name when it has none) and port.
func workerID(w *config.Worker, listener, addr string) string {
	host, _, _ := net.SplitHostPort(listener)
	_, port, _ := net.SplitHostPort(addr)
	if w.AdvertisedHost != "" {
		host = w.AdvertisedHost
	} else if h, err := os.Hostname(); host == "" && err == nil {
		host = h
	}
	if w.AdvertisedPort > 0 {
		port = strconv.Itoa(w.AdvertisedPort)
	}
	return net.JoinHostPort(host, port)
}

// logCounters writes what a task did, once it has stopped.
func logCounters(log *zap.Logger, name string, c *connector.Counters) {
	log.Info("connector totals", zap.String("connector", name),
		zap.Int64("creates", c.Creates.Load()), zap.Int64("updates", c.Updates.Load()),
		zap.Int64("deletes", c.Deletes.Load()), zap.Int64("reads", c.Reads.Load()),
		zap.Int64("records_produced", c.Produced.Load()), zap.Int64("produce_errors", c.ProduceErrors.Load()),
		zap.Int64("offset_commits", c.Commits.Load()), zap.Int64("offset_commit_errors", c.CommitErrors.Load()),
		zap.Int64("errors_retried", c.Retried.Load()), zap.Int64("records_skipped_by_errors_tolerance", c.Tolerated.Load()))
}

// heapProfiles samples the heap every 200 ms and writes a heap profile to
// path whenever the live heap is the largest seen, until stop closes.
func heapProfiles(path string, stop <-chan struct{}) {
	var most uint64
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc <= most {
			continue
		}
		most = ms.HeapAlloc
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}
}

// Garbage collector settings when GOGC and GOMEMLIMIT are not set: collect
// at 800% heap growth, but softly within 112 MiB. Sluice's live heap is the
// rows in flight (queue and producer buffer), tens of MB; at Go's default
// GOGC=100 the collector took a fifth of the CPU per row, and 800 against
// 400 saved another 0-8% on small rows, the limit binding first on large
// ones. The runtime's own memory comes on top of the limit: at 128 MiB the
// process peaked at 146 MiB (153 MB) with 40-column rows, at 120 MiB (and
// GOGC=800) at 143 MiB once (a JSON snapshot holding its chunks), at 112
// MiB at 132-134 MiB for the same CPU per row. Measured with sluice-bench
// suite (README). Rows so large that what is in flight passes the limit
// make the collector run often: raise GOMEMLIMIT then.
const (
	defaultGCPercent   = 800
	defaultMemoryLimit = 112 << 20
)

func gcDefaults(log *zap.Logger) {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit {
		return // the operator's choice
	}
	debug.SetGCPercent(defaultGCPercent)
	debug.SetMemoryLimit(defaultMemoryLimit)
	log.Debug("garbage collector defaults", zap.Int("gogc", defaultGCPercent), zap.Int64("gomemlimit", defaultMemoryLimit))
}
