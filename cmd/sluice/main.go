// Command sluice is the change-data-capture daemon: it streams MySQL and
// MariaDB row changes to Kafka as Debezium change events.
//
//	sluice run [--bootstrap-servers HOST:PORT] [--offsets-topic NAME] [--worker-config FILE] CONNECTOR.json...
//	sluice validate CONNECTOR.json...
//	sluice version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector"
	"github.com/sluice-cdc/sluice/connector/history"
	"github.com/sluice-cdc/sluice/connector/mysql"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/offsets"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

const usage = `usage:
  sluice run [flags] CONNECTOR.json...   run one task per connector file until SIGTERM/SIGINT
  sluice validate [flags] CONNECTOR.json...  check the files and the database, print every problem
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
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	bootstrap := fs.String("bootstrap-servers", "", "Kafka bootstrap servers, host:port[,host:port] (bootstrap.servers)")
	topic := fs.String("offsets-topic", "", "compacted topic for source offsets (offset.storage.topic, default _connect_offsets)")
	file := fs.String("worker-config", os.Getenv("SLUICE_WORKER_CONFIG"), "worker properties file (Kafka Connect worker property names)")
	level := fs.String("log-level", "", "debug, info, warn or error (log.level)")
	format := fs.String("log-format", "", "json or console (log.format)")
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
	w, warns, err := config.LoadWorker(*file, os.Environ(), flags)
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

func newLogger(w *config.Worker, stderr io.Writer) *zap.Logger {
	level := zapcore.InfoLevel
	_ = level.Set(w.LogLevel)
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
	return zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(stderr)), level))
}

func loadConnectors(paths []string, stderr io.Writer) ([]*config.Connector, bool) {
	var out []*config.Connector
	ok := true
	names := map[string]string{}
	paths, err := expandPaths(paths)
	if err != nil {
		fmt.Fprintf(stderr, "error: %s\n", err)
		return nil, false
	}
	for _, p := range paths {
		c, warns, err := config.LoadConnector(p)
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
		for _, msg := range notYet(c) {
			fmt.Fprintf(stderr, "warning: %s: %s\n", p, msg)
		}
		if err := checkSupported(c); err != nil {
			fmt.Fprintf(stderr, "error: %s: %s\n", p, err)
			ok = false
			continue
		}
		out = append(out, c)
	}
	return out, ok
}

// checkSupported rejects settings this version accepts in the file (so a
// Debezium config loads) but cannot honour, instead of silently doing
// something else.
func checkSupported(c *config.Connector) error {
	if err := applyDDLConfig(&mysql.Config{}, c); err != nil {
		return err
	}
	if _, err := readHistorySettings(c); err != nil {
		return err
	}
	for _, cc := range []struct {
		prop string
		cfg  config.ConverterConfig
	}{{"key.converter", c.KeyConverter}, {"value.converter", c.ValueConverter}} {
		if cc.cfg.IsAvro() {
			return fmt.Errorf("property %q: %s is not supported by this version of Sluice; use %s", cc.prop, cc.cfg.Class, config.JSONConverterClass)
		}
	}
	if v, ok := c.Raw["incremental.snapshot.chunk.size"]; ok {
		if n, err := strconv.Atoi(v); err != nil || n <= 0 {
			return fmt.Errorf("property \"incremental.snapshot.chunk.size\": %q is not a positive integer (default 1024)", v)
		}
	}
	if v := c.Raw["signal.data.collection"]; v != "" && strings.Count(v, ".") != 1 {
		return fmt.Errorf("property \"signal.data.collection\": %q is not <database>.<table>", v)
	}
	// The handling modes, column.* rules and message.key.columns.
	if _, err := mysql.NewTypeOptions(c.DecimalHandlingMode, c.BigIntUnsignedHandlingMode, c.TimePrecisionMode, c.BinaryHandlingMode, c.Raw); err != nil {
		return err
	}
	return nil
}

// notYet lists accepted settings whose feature this version lacks, so the
// user reads what happens instead.
func notYet(c *config.Connector) []string {
	var w []string
	return w
}

func streamerConfig(c *config.Connector, log *zap.Logger) mysql.Config {
	cfg := mysql.Config{
		Flavor: string(c.Flavor), Host: c.Hostname, Port: uint16(c.Port),
		User: c.User, Password: c.Password.Reveal(), ServerID: c.ServerID,
		TopicPrefix: c.TopicPrefix, ConnectorName: c.Name, Filter: c,
		ConnectTimeout: c.ConnectTimeout, QueryTimeout: c.QueryTimeout,
		Snapshot: mysql.SnapshotConfig{Mode: c.SnapshotMode, LockingMode: c.SnapshotLockingMode,
			MaxThreads: c.SnapshotMaxThreads},
		SignalTable:      c.Raw["signal.data.collection"],
		IncrementalChunk: atoiOr(c.Raw["incremental.snapshot.chunk.size"], 0),
		Logger:           log,
	}
	if c.QueryTimeout == 0 {
		cfg.QueryTimeout = -1 // Debezium's 0: no limit
	}
	// Set, connect.keep.alive.interval.ms bounds how long a silent binlog
	// connection is trusted, as in Debezium; unset, Sluice's shorter
	// default (35 s) stays.
	if _, ok := c.Raw["connect.keep.alive.interval.ms"]; ok {
		cfg.KeepAlive = c.KeepAliveInterval
	}
	// checkSupported has validated the type options.
	cfg.Types, _ = mysql.NewTypeOptions(c.DecimalHandlingMode, c.BigIntUnsignedHandlingMode, c.TimePrecisionMode, c.BinaryHandlingMode, c.Raw)
	// checkSupported has validated these settings.
	_ = applyDDLConfig(&cfg, c)
	return cfg
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprint(stderr, "sluice validate: name at least one CONNECTOR.json\n")
		return 2
	}
	conns, ok := loadConnectors(fs.Args(), stdout)
	for _, c := range conns {
		ctx, cancel := context.WithTimeout(context.Background(), c.ConnectTimeout+5*time.Second)
		probs, err := mysql.Preflight(ctx, streamerConfig(c, zap.NewNop()))
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

// kafkaOpts are the client options shared by the producer and the offsets
// store, from the worker's producer.* settings.
func kafkaOpts(w *config.Worker) ([]kgo.Opt, error) {
	opts := []kgo.Opt{kgo.SeedBrokers(w.BootstrapServers...)}
	if v, ok := w.Producer["client.id"]; ok {
		opts = append(opts, kgo.ClientID(v))
	} else {
		opts = append(opts, kgo.ClientID("sluice"))
	}
	return opts, nil
}

func producerOpts(w *config.Worker) ([]kgo.Opt, error) {
	opts := []kgo.Opt{
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// A bounded buffer keeps memory flat; Produce blocks when it is
		// full, which backs up the queue and then the binlog reader.
		kgo.MaxBufferedRecords(10000),
		kgo.ProducerLinger(5 * time.Millisecond),
		// Java's default partitioner: murmur2 of the key bytes.
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),
	}
	switch strings.ToLower(w.Producer["compression.type"]) {
	case "", "none":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.NoCompression()))
	case "lz4":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.Lz4Compression()))
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
	log := newLogger(w, stderr)
	defer func() { _ = log.Sync() }()
	// SLUICE_CPUPROFILE=FILE writes a CPU profile of the whole run, for
	// the benchmarks.
	if path := os.Getenv("SLUICE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if err := pprof.StartCPUProfile(f); err == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	conns, ok := loadConnectors(paths, stderr)
	if !ok {
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	base, err := kafkaOpts(w)
	if err != nil {
		fmt.Fprintf(stderr, "error: %s\n", err)
		return 1
	}
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
	startCtx, cancelStart := context.WithTimeout(ctx, 60*time.Second)
	store, err := offsets.NewKafkaStore(startCtx, offsets.KafkaStoreConfig{
		Brokers: w.BootstrapServers, Topic: w.OffsetsTopic, Partitions: w.OffsetsPartitions,
		ReplicationFactor: w.OffsetsReplicationFactor, ClientOpts: base, Logger: log,
	})
	cancelStart()
	if err != nil {
		log.Error("opening the offsets topic failed", zap.String("topic", w.OffsetsTopic), zap.Error(err))
		fmt.Fprintf(stderr, "error: opening offsets topic %s on %v: %s\n", w.OffsetsTopic, w.BootstrapServers, err)
		return 1
	}
	defer store.Close()

	var wg sync.WaitGroup
	failed := make(chan error, len(conns))
	for _, c := range conns {
		histCtx, cancelHist := context.WithTimeout(ctx, 60*time.Second)
		hist, err := openHistory(histCtx, c, w, base, log.With(zap.String("connector", c.Name)))
		cancelHist()
		if err != nil {
			fmt.Fprintf(stderr, "error: %s: %s\n", c.Source, err)
			return 1
		}
		defer hist.Close()
		task, err := buildTask(c, w, client, store, hist, log)
		if err != nil {
			fmt.Fprintf(stderr, "error: %s: %s\n", c.Source, err)
			return 1
		}
		log.Info("starting connector", zap.String("connector", c.Name), zap.String("class", c.Class),
			zap.String("server", fmt.Sprintf("%s:%d", c.Hostname, c.Port)), zap.String("topic.prefix", c.TopicPrefix),
			zap.Uint32("server_id", c.ServerID))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := task.Run(ctx); err != nil {
				log.Error("connector stopped with an error", zap.String("connector", c.Name), zap.Error(err))
				failed <- err
			}
		}()
	}
	wg.Wait()
	close(failed)
	if len(failed) > 0 {
		for err := range failed {
			fmt.Fprintf(stderr, "error: %s\n", err)
		}
		return 1
	}
	return 0
}

func buildTask(c *config.Connector, w *config.Worker, client *kgo.Client, store offsets.Store, hist history.Store, log *zap.Logger) (*connector.Task, error) {
	keyConv, err := newConverter(c.KeyConverter)
	if err != nil {
		return nil, fmt.Errorf("key.converter: %w", err)
	}
	valConv, err := newConverter(c.ValueConverter)
	if err != nil {
		return nil, fmt.Errorf("value.converter: %w", err)
	}
	clog := log.With(zap.String("connector", c.Name))
	queue := connector.NewQueue(c.MaxQueueSize, c.MaxQueueSizeInBytes)
	poller := connector.NewPoller(connector.PollerConfig{
		Queue: queue, KeyConverter: keyConv, ValueConverter: valConv, Client: client,
		Topics:     connector.NewTopicCreator(client, c.TopicCreationDefaultPartitions, c.TopicCreationDefaultReplicationFactor, clog),
		Store:      store,
		OffsetKey:  offsets.Key(c.Name, c.TopicPrefix),
		Tombstones: c.TombstonesOnDelete, MaxBatch: c.MaxBatchSize, PollInterval: c.PollInterval,
		FlushInterval: w.FlushIntervalFor(c), Logger: clog,
	})
	scfg := streamerConfig(c, clog)
	scfg.History = hist
	return &connector.Task{
		Name: c.Name, Source: mysql.NewStreamer(scfg), Queue: queue, Poller: poller,
		Store: store, OffsetKey: offsets.Key(c.Name, c.TopicPrefix),
		// Within SIGTERM's 10 s: the flush timeout plus room to drain.
		ShutdownTimeout: 8 * time.Second, Logger: log,
	}, nil
}

// atoiOr parses a setting the config package keeps as text; an invalid
// value was already reported by checkSupported.
func atoiOr(v string, def int) int {
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	return def
}

func newConverter(cc config.ConverterConfig) (converters.Converter, error) {
	return jsonconv.New(jsonconv.Config{SchemasEnable: cc.SchemasEnable, DecimalFormat: cc.Props["decimal.format"]})
}
