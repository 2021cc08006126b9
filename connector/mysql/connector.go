// Package mysql is the MySQL/MariaDB source: it parses a connector file's
// settings, runs the preflight checks, and wires the binlog reader (package
// binlog) and the snapshots (package snapshot) for the coordinator.
package mysql

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-mysql-org/go-mysql/client"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/history"
	"github.com/sluice-cdc/sluice/connector/mysql/binlog"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysql/snapshot"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/connector/notify"
	"github.com/sluice-cdc/sluice/connector/signals"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Source is the MySQL/MariaDB connector behind Debezium's two classes: the
// coordinator (package connector) calls it to snapshot and to stream. It
// holds the streamer and hands the snapshot's bookkeeping to the stream
// that follows it.
type Source struct {
	srv     *server.Server
	s       *binlog.Streamer
	incr    *snapshot.Incremental
	history historySettings
	kafka   []kgo.Opt // the worker's client options, for a Kafka schema history and signal channel
	brokers []string
	// signals are the external signal channels' settings, and inbox what
	// they read for the stream.
	signals signals.Config
	inbox   *signals.Inbox
	opened  bool
	// afterSnapshot is the filter of the snapshot just taken, for the
	// Stream call that follows it in this process.
	afterSnapshot *snapshot.SkipFilter
	// beat is heartbeat.action.query's connection (heartbeat.go).
	beat *client.Conn
	// guard is guardrail.collections.max and its action (guardrail.go).
	guard guardrail
}

// New builds the source of a connector file: it parses and checks every
// MySQL-specific property and connects to nothing. kafka are the worker's
// Kafka client options, for a schema history kept in Kafka.
func New(c *config.Connector, w *config.Worker, kafka []kgo.Opt, log *zap.Logger) (*Source, error) {
	cfg, err := ParseConfig(c)
	if err != nil {
		return nil, err
	}
	h, err := readHistorySettings(c)
	if err != nil {
		return nil, err
	}
	sig, err := signals.ParseConfig(c.Raw, c.TopicPrefix)
	if err != nil {
		return nil, err
	}
	note, err := notify.ParseConfig(c.Raw, c.TopicPrefix)
	if err != nil {
		return nil, err
	}
	guard, err := readGuardrail(c)
	if err != nil {
		return nil, err
	}
	cfg.Logger = log
	srv := server.New(cfg)
	srv.Notify = note
	incr := snapshot.NewIncremental(srv)
	s := binlog.NewStreamer(srv, incr)
	s.SetBlocker(incr)
	m := &Source{srv: srv, s: s, incr: incr, history: h, kafka: kafka, brokers: w.BootstrapServers, signals: sig, guard: guard}
	if sig.Enabled() {
		m.inbox = signals.NewInbox()
		s.SetSignals(m.inbox)
	}
	return m, nil
}

// ParseConfig reads the MySQL source's settings from a connector file, or
// says which property is wrong.
func ParseConfig(c *config.Connector) (server.Config, error) {
	cfg := server.Config{
		Flavor: string(c.Flavor), Host: c.Hostname, Port: uint16(c.Port),
		User: c.User, Password: c.Password.Reveal(), ServerID: c.ServerID, ServerIDRandom: c.ServerIDRandom,
		TopicPrefix: c.TopicPrefix, TopicNaming: c.TopicNaming, ConnectorName: c.Name, Filter: c,
		ConnectTimeout: c.ConnectTimeout, QueryTimeout: c.QueryTimeout, InitialStatements: c.InitialStatements,
		TLS: c.DatabaseTLS.Config, TLSMode: c.DatabaseTLS.Mode, TLSOptional: c.DatabaseTLS.Optional,
		Snapshot: server.SnapshotConfig{Mode: c.SnapshotMode, LockingMode: c.SnapshotLockingMode,
			MaxThreads: c.SnapshotMaxThreads, ChunkRows: c.SnapshotRangeRows, Selects: c.SnapshotSelects,
			Tables: c.SnapshotTableIncluded, Order: c.SnapshotOrder, LockTimeout: c.SnapshotLockTimeout},
		SignalTable:      c.Raw[propSignalTable],
		IncrementalChunk: 1024,
		IncludeQuery:     c.IncludeQuery,
		TxMetadata:       c.ProvideTransactionMetadata,
		HeartbeatTicks:   c.HeartbeatInterval > 0,
		FailAfter:        c.ErrorsMaxRetries + 1,
		RetryWait:        c.RetryWait,
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
	if v, ok := c.Raw[propIncrementalChunk]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return cfg, fmt.Errorf("property %q: %q is not a positive integer (default 1024)", propIncrementalChunk, v)
		}
		cfg.IncrementalChunk = n
	}
	switch v := strings.ToLower(strings.TrimSpace(c.Raw[propWatermarking])); v {
	case "", "insert_insert":
	case "insert_delete":
		cfg.WatermarkDelete = true
	default:
		return cfg, fmt.Errorf("property %q: %q is not insert_insert (the default) or insert_delete", propWatermarking, c.Raw[propWatermarking])
	}
	if v, ok := c.Raw[propReadOnly]; ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return cfg, fmt.Errorf("property %q: %q is not a boolean; use true or false (default false)", propReadOnly, v)
		}
		cfg.ReadOnly = b
	}
	if v := cfg.SignalTable; v != "" && strings.Count(v, ".") != 1 {
		return cfg, fmt.Errorf("property %q: %q is not <database>.<table>", propSignalTable, v)
	}
	if err := applyDDLConfig(&cfg, c); err != nil {
		return cfg, err
	}
	// The handling modes, column.* rules and message.key.columns.
	types, err := mysqltypes.NewTypeOptions(c.DecimalHandlingMode, c.BigIntUnsignedHandlingMode, c.TimePrecisionMode, c.BinaryHandlingMode, c.Raw)
	if err != nil {
		return cfg, err
	}
	// Column and table comments: Debezium 3.5's MariaDB class writes them
	// whatever include.schema.comments says, its MySQL class only with it
	// true (both found side by side).
	types.Comments = c.Flavor == config.FlavorMariaDB || c.IncludeSchemaComments
	cfg.Types = types
	return cfg, nil
}

// Properties read here; the config package keeps them in Connector.Raw.
const (
	propSignalTable      = "signal.data.collection"
	propReadOnly         = "read.only"
	propIncrementalChunk = "incremental.snapshot.chunk.size"
	propWatermarking     = "incremental.snapshot.watermarking.strategy"
)

// ParseOffset decodes a stored offset in Debezium's MySQL format.
func (m *Source) ParseOffset(stored []byte) (change.Position, error) {
	if stored == nil {
		return nil, nil
	}
	p, err := offsets.ParseMySQL(stored)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Start opens the schema history (once), learns what the server speaks,
// and loads the structure of the tables as of from: the snapshot's start
// while a snapshot is unfinished, else from itself.
func (m *Source) Start(ctx context.Context, from change.Position) error {
	s := m.s
	if !m.opened {
		h, err := openHistory(ctx, m.history, m.brokers, m.kafka, m.srv.Log)
		if err != nil {
			return err
		}
		m.srv.History, m.opened = h, true
	}
	if err := m.srv.Detect(ctx); err != nil {
		return err
	}
	if err := checkGuardrail(ctx, &m.srv.Config, m.guard, m.s.HistoryKeeps, m.srv.Log); err != nil {
		return err
	}
	m.afterSnapshot = nil
	if from == nil {
		if m.srv.Snapshot.Mode == config.SnapshotNever {
			// Debezium's "never": read the binlog from its beginning,
			// learning tables from the DDL in it.
			return s.EmptyModel(ctx)
		}
		return nil
	}
	p := from.(offsets.MySQL)
	progress := p.SluiceIncremental
	if progress == "" && p.DebeziumIncremental.Collections != "" {
		// An offset Debezium wrote in the middle of an incremental
		// snapshot: Sluice goes on with it.
		var err error
		if progress, err = snapshot.FromDebezium(p.DebeziumIncremental, m.srv.Log); err != nil {
			return err
		}
	}
	if err := m.incr.Restore(progress); err != nil {
		return err
	}
	resume := p
	if p.SnapshotInProgress() {
		st, err := snapshot.DecodeState(p.SluiceSnapshot)
		if err != nil {
			return fault.Definite(err)
		}
		resume = offsets.MySQL{File: st.Start.File, Pos: st.Start.Pos, GTIDs: st.Start.GTIDs, Snapshot: true}
	}
	return s.RecoverSchema(ctx, resume)
}

// Snapshot takes a new snapshot (from nil), or resumes the one from
// records after its last finished chunk, and returns where the binlog
// stream continues. Without data it records the tables' structure and
// returns the server's current position.
func (m *Source) Snapshot(ctx context.Context, from change.Position, data bool, out change.Enqueuer) (change.Position, error) {
	pos, err := m.takeSnapshot(ctx, from, data, m.out(out))
	if err != nil || !m.srv.PrivateGTIDs() {
		return pos, err
	}
	return markPrivate(pos), nil
}

func (m *Source) takeSnapshot(ctx context.Context, from change.Position, data bool, out change.Enqueuer) (change.Position, error) {
	s := m.s
	if from != nil {
		p := from.(offsets.MySQL)
		st, err := snapshot.DecodeState(p.SluiceSnapshot)
		if err != nil {
			return nil, fault.Definite(err)
		}
		st.Incremental = p.SluiceIncremental // a blocking snapshot's: kept for the next crash
		m.srv.Log.Info("resuming the snapshot after its last finished chunk", zap.Int("chunks_done", len(st.Done)))
		return m.snapshot(ctx, st, true, out)
	}
	p, err := s.StartPosition(ctx)
	if err != nil {
		return nil, err
	}
	var st *snapshot.State
	if data {
		if st, err = snapshot.New(m.srv).Plan(ctx, p); err != nil {
			return nil, err
		}
	}
	if err := s.EnqueueSeedEvents(ctx, out); err != nil {
		return nil, err
	}
	if !data {
		return p, nil // its notifications are the coordinator's (startNotes)
	}
	return m.snapshot(ctx, st, false, out)
}

// snapshot reads the snapshot's rows and keeps the filter that keeps the
// stream from repeating what the snapshot's chunks already hold.
func (m *Source) snapshot(ctx context.Context, st *snapshot.State, resumed bool, out change.Enqueuer) (change.Position, error) {
	filter, p, err := snapshot.New(m.srv).Run(ctx, st, resumed, out)
	if err != nil {
		return nil, err
	}
	m.afterSnapshot = filter
	return p, nil
}

// Stream reads the binlog from from (nil: from the oldest binlog). A
// position that carries snapshot bookkeeping gets the filter that skips
// changes the snapshot's chunks already hold.
func (m *Source) Stream(ctx context.Context, from change.Position, out change.Enqueuer) error {
	if m.inbox != nil {
		// The channels are read while the stream runs: it alone acts on
		// what they read.
		sctx, stop := context.WithCancel(ctx)
		wait := signals.Start(sctx, m.signals, m.inbox, m.kafka, m.brokers, m.srv.Log)
		defer wait()
		defer stop()
	}
	s, out := m.s, m.out(out)
	if from == nil {
		return s.Stream(ctx, offsets.MySQL{}, nil, out)
	}
	p := from.(offsets.MySQL)
	filter := m.afterSnapshot
	m.afterSnapshot = nil
	if filter == nil && p.SluiceSnapshot != "" {
		st, err := snapshot.DecodeState(p.SluiceSnapshot)
		if err != nil {
			return fault.Definite(err)
		}
		if filter, err = snapshot.New(m.srv).Filter(ctx, st); err != nil {
			return err
		}
	}
	if filter == nil {
		return s.Resume(ctx, p, nil, out) // no typed nil: the stream tests for none
	}
	return s.Resume(ctx, p, filter, out)
}

// Observe has o told of the stream's connection and the snapshot's
// progress.
func (m *Source) Observe(o change.Observer) { m.srv.Observer = o }

// CheckPosition tells whether the server still has the binlog after the
// stored position (binlog.Streamer.CheckAvailable).
func (m *Source) CheckPosition(ctx context.Context, from change.Position) error {
	return m.s.CheckAvailable(ctx, from.(offsets.MySQL))
}

// Validate runs the preflight checks against the server.
func (m *Source) Validate(ctx context.Context) ([]config.Problem, error) {
	return Preflight(ctx, m.srv.Config)
}

// Close releases the schema history.
func (m *Source) Close() error {
	m.closeBeat()
	if h := m.srv.History; h != nil {
		h.Close()
	}
	return nil
}

// openHistory opens the connector's schema history store.
func openHistory(ctx context.Context, h historySettings, workerBrokers []string, base []kgo.Opt, log *zap.Logger) (history.Store, error) {
	if h.class == historyFileClass {
		log.Info("schema history in a file", zap.String("file", h.file))
		return history.NewFileStore(h.file, log)
	}
	opts := base
	brokers := workerBrokers
	if len(h.brokers) > 0 {
		// A history on another cluster: the worker's security settings
		// still apply, its seed brokers do not.
		brokers = h.brokers
		opts = append(append([]kgo.Opt{}, base...), kgo.SeedBrokers(brokers...))
	}
	log.Info("schema history in Kafka", zap.String("topic", h.topic), zap.Strings("bootstrap_servers", brokers))
	st, err := history.NewKafkaStore(ctx, history.KafkaConfig{Brokers: brokers, Topic: h.topic, ClientOpts: opts, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("opening schema history topic %s: %w", h.topic, err)
	}
	return st, nil
}

// Server is what the source's reader and snapshots share: its settings
// may be adjusted before Start by a source built on this one (package
// vtbinlog).
func (m *Source) Server() *server.Server { return m.srv }

// SetDumper makes the stream read the binlog through d (binlog.Dumper)
// instead of registering as a replica.
func (m *Source) SetDumper(d binlog.Dumper) { m.s.SetDumper(d) }
